//! Evidence text made `'static` once and borrowed by every finding that cites it: field-name
//! evidence (`field name ms,upn`) and links inside a record (`link: same value as payload/msUpn`).
//! Borrowed phrases cost nothing to copy into findings, and let the scan output recognise a
//! finding it has already rendered.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::fieldname::WordHash;

/// Bytes of evidence text made `'static` so far.
static INTERNED: AtomicUsize = AtomicUsize::new(0);
/// The budget for the whole process. Field names and link targets of an export are few, so it
/// is normally never reached; past it, the text is copied per finding.
const INTERN_LIMIT: usize = 1 << 20;

/// `text` as a `'static` string when the budget allows.
pub(super) fn interned(text: String) -> Cow<'static, str> {
    if INTERNED.fetch_add(text.len(), Ordering::Relaxed) + text.len() <= INTERN_LIMIT {
        Cow::Borrowed(String::leak(text))
    } else {
        Cow::Owned(text)
    }
}

/// Which link a finding cites.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Link {
    /// An email equal to one in another field of the record.
    SameValue,
    /// A name learnt from a name field of the record.
    SameName,
}

impl Link {
    fn phrase(self) -> &'static str {
        match self {
            Link::SameValue => "link: same value as ",
            Link::SameName => "link: same name as ",
        }
    }
}

type Links = HashMap<Box<str>, Cow<'static, str>, BuildHasherDefault<WordHash>>;

thread_local! {
    static LINKS: RefCell<[Links; 2]> = RefCell::default();
}

/// Distinct link targets kept per thread before the cache starts over.
const LINKS_MAX: usize = 4_096;

/// `link: same value as FIELD` (or `same name as`), interned per field.
pub(crate) fn link(link: Link, field: &str) -> Cow<'static, str> {
    LINKS.with(|cache| {
        let Ok(mut cache) = cache.try_borrow_mut() else {
            return Cow::Owned(format!("{}{field}", link.phrase()));
        };
        let map = &mut cache[link as usize];
        if let Some(text) = map.get(field) {
            return text.clone();
        }
        if map.len() >= LINKS_MAX {
            map.clear();
        }
        let text = interned(format!("{}{field}", link.phrase()));
        map.insert(field.into(), text.clone());
        text
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_read_as_before_and_are_shared() {
        let a = link(Link::SameValue, "payload/msUpn");
        assert_eq!(a, "link: same value as payload/msUpn");
        assert!(matches!(a, Cow::Borrowed(_)));
        let b = link(Link::SameValue, "payload/msUpn");
        assert_eq!(a.as_ptr(), b.as_ptr());
        assert_eq!(
            link(Link::SameName, "payload/name"),
            "link: same name as payload/name"
        );
    }
}
