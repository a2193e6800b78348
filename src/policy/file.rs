//! The TOML form of a policy: reading a file that extends or replaces a base (errors name the
//! line and what is wrong) and writing the whole policy back, with its rule ids as comments.
//! Parsing text only; the caller reads the file.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use serde::Deserialize;
use toml::Spanned;

use super::rules::rule_prefix;
use super::{Category, OTHER, Policy, Spec};
use crate::model::{Class, Kind};

/// Why a policy file cannot be used: the line (1-based) and the reason, one line of text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct PolicyError {
    pub line: usize,
    pub message: String,
}

/// The longest retention window a file may set (about 270 years): larger is surely a typo.
const MAX_RETENTION_DAYS: i64 = 100_000;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Doc {
    extends: Option<Spanned<String>>,
    key_columns: Option<Vec<Spanned<String>>>,
    never: Option<NeverDoc>,
    category: Option<BTreeMap<Spanned<String>, CategoryDoc>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NeverDoc {
    kinds: Option<Vec<Spanned<String>>>,
    statement: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CategoryDoc {
    allow_classes: Option<Vec<Spanned<String>>>,
    allow_kinds: Option<Vec<Spanned<String>>>,
    user_id_pseudonymous: Option<bool>,
    retention_days: Option<Spanned<toml::Value>>,
    statement: Option<String>,
    user_id_statement: Option<String>,
    retention_statement: Option<String>,
}

/// Reads a policy file over `base` (`extends = "default"`, the default) or over the empty
/// policy (`extends = "none"`).
pub(super) fn parse(text: &str, base: &Policy) -> Result<Policy, PolicyError> {
    let doc: Doc = toml::from_str(text).map_err(|e| PolicyError {
        line: e.span().map_or(1, |s| line_of(text, s.start)),
        message: one_line(e.message()),
    })?;
    let mut spec = match &doc.extends {
        None => base.spec().clone(),
        Some(e) => match e.get_ref().as_str() {
            "default" => base.spec().clone(),
            "none" => Policy::empty().spec().clone(),
            other => {
                return Err(at(
                    text,
                    e.span(),
                    format!("extends must be \"default\" or \"none\", not {other:?}"),
                ));
            }
        },
    };
    if let Some(columns) = doc.key_columns {
        let mut list = Vec::new();
        for c in columns {
            if c.get_ref().trim().is_empty() {
                return Err(at(text, c.span(), "a key column needs a name".into()));
            }
            list.push(c.into_inner());
        }
        spec.key_columns = list;
    }
    if let Some(never) = doc.never {
        if let Some(kinds) = never.kinds {
            let kinds = parse_kinds(text, &kinds)?;
            if kinds != spec.never.kinds {
                // The base's sentence spoke of the base's list.
                spec.never.statement = None;
            }
            spec.never.kinds = kinds;
        }
        if let Some(s) = never.statement {
            spec.never.statement = Some(s);
        }
    }
    let mut entries: Vec<(Spanned<String>, CategoryDoc)> =
        doc.category.unwrap_or_default().into_iter().collect();
    // In the order written, the undeclared entry first: new categories start from it.
    entries.sort_by_key(|(name, _)| (name.get_ref() != OTHER, name.span().start));
    for (name, d) in entries {
        let key = name.get_ref();
        if key == OTHER {
            apply(text, &mut spec.other, d)?;
            continue;
        }
        if key.trim().is_empty() {
            return Err(at(text, name.span(), "a category needs a name".into()));
        }
        if let Some((_, c)) = spec
            .categories
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case(key))
        {
            apply(text, c, d)?;
            continue;
        }
        let prefix = rule_prefix(key);
        let clash = spec
            .categories
            .iter()
            .map(|(n, _)| n.as_str())
            .chain([OTHER])
            .find(|n| rule_prefix(n) == prefix);
        if let Some(clash) = clash {
            return Err(at(
                text,
                name.span(),
                format!(
                    "category {key:?} would share the rule ids `{prefix}-…` with {clash:?}; rename it"
                ),
            ));
        }
        // A new category takes the undeclared entry's settings, not its words.
        let mut c = Category {
            statement: None,
            user_id_statement: None,
            retention_statement: None,
            ..spec.other.clone()
        };
        apply(text, &mut c, d)?;
        spec.categories.push((key.clone(), c));
    }
    Policy::new(spec).map_err(|message| PolicyError { line: 1, message })
}

/// Sets the keys the file gives; the others keep the base's values. A setting changed without
/// its statement loses the base's sentence (which no longer says what the rule checks): the
/// rule then describes the setting in telex's words.
fn apply(text: &str, c: &mut Category, d: CategoryDoc) -> Result<(), PolicyError> {
    let before = c.clone();
    if let Some(classes) = d.allow_classes {
        let mut set = BTreeSet::new();
        for class in classes {
            let parsed = Class::parse(class.get_ref()).ok_or_else(|| {
                let valid = Class::ALL.map(Class::as_str).join(", ");
                at(
                    text,
                    class.span(),
                    format!(
                        "unknown class {:?}; valid classes: {valid}",
                        class.get_ref()
                    ),
                )
            })?;
            set.insert(parsed);
        }
        c.allow_classes = set;
    }
    if let Some(kinds) = d.allow_kinds {
        c.allow_kinds = parse_kinds(text, &kinds)?;
    }
    if let Some(b) = d.user_id_pseudonymous {
        c.user_id_pseudonymous = b;
    }
    if let Some(r) = d.retention_days {
        c.retention_days = match r.get_ref() {
            toml::Value::Integer(n) if (1..=MAX_RETENTION_DAYS).contains(n) => {
                u32::try_from(*n).ok()
            }
            toml::Value::String(s) if s == "none" => None,
            other => {
                return Err(at(
                    text,
                    r.span(),
                    format!(
                        "retention_days must be a number of days from 1 to {MAX_RETENTION_DAYS} \
                         or \"none\", not {other}"
                    ),
                ));
            }
        };
    }
    let changed = [
        c.allow_classes != before.allow_classes || c.allow_kinds != before.allow_kinds,
        c.user_id_pseudonymous != before.user_id_pseudonymous,
        c.retention_days != before.retention_days,
    ];
    let given = [d.statement, d.user_id_statement, d.retention_statement];
    let slots = [
        &mut c.statement,
        &mut c.user_id_statement,
        &mut c.retention_statement,
    ];
    for ((slot, value), changed) in slots.into_iter().zip(given).zip(changed) {
        if value.is_some() || changed {
            *slot = value;
        }
    }
    Ok(())
}

fn parse_kinds(text: &str, kinds: &[Spanned<String>]) -> Result<BTreeSet<Kind>, PolicyError> {
    let mut set = BTreeSet::new();
    for k in kinds {
        let kind = Kind::parse(k.get_ref()).ok_or_else(|| {
            let valid = Kind::ALL.map(Kind::as_str).join(", ");
            at(
                text,
                k.span(),
                format!("unknown kind {:?}; valid kinds: {valid}", k.get_ref()),
            )
        })?;
        set.insert(kind);
    }
    Ok(set)
}

fn at(text: &str, span: std::ops::Range<usize>, message: String) -> PolicyError {
    PolicyError {
        line: line_of(text, span.start),
        message,
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A TOML string literal, escaped by the toml crate.
fn quoted(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let items: Vec<String> = items.into_iter().map(quoted).collect();
    format!("[{}]", items.join(", "))
}

fn table_key(name: &str) -> String {
    let bare = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if bare { name.to_string() } else { quoted(name) }
}

/// The whole policy as a file that `parse` reads back to the same policy.
pub(super) fn write(p: &Policy) -> String {
    let spec: &Spec = p.spec();
    let mut out = String::new();
    let rules_of = |category: Option<&str>| -> String {
        let ids: Vec<&str> = p
            .rules()
            .iter()
            .filter(|r| r.category.as_deref() == category)
            .map(|r| r.id.as_str())
            .collect();
        if ids.is_empty() {
            "# Rules: none beyond [never]\n".to_string()
        } else {
            format!("# Rules: {}\n", ids.join(", "))
        }
    };
    out.push_str(
        "# telex policy: what each category of records may carry (DESIGN §3).\n\
         # Edit a copy and pass it with --policy FILE. With extends = \"none\" the file is the\n\
         # whole policy; with extends = \"default\" (or no extends) it changes only what it names.\n\
         # [category.NAME]: allow_classes (of user, org, pseudonymous, secret), allow_kinds (kinds\n\
         # allowed beyond those classes), user_id_pseudonymous, retention_days (days or \"none\"),\n\
         # and the sentences the rules quote: statement, user_id_statement, retention_statement.\n\
         # [category.\"*\"] holds every category not named. Rule ids: NAME-identifies-user,\n\
         # NAME-identifies-org, NAME-pseudonymous-id, NAME-secret, NAME-user-id-not-pseudonymous,\n\
         # NAME-retention (undeclared-… for \"*\"), CLASS-anywhere for [never].\n\
         extends = \"none\"\n\n\
         # Columns that key every record (the export's structure): their findings are judged\n\
         # only against [never].\n",
    );
    let _ = writeln!(
        out,
        "key_columns = {}",
        list(spec.key_columns.iter().map(String::as_str))
    );
    out.push_str("\n# Kinds that are a violation in any record.\n");
    out.push_str(&rules_of(None));
    out.push_str("[never]\n");
    let _ = writeln!(
        out,
        "kinds = {}",
        list(spec.never.kinds.iter().map(|k| k.as_str()))
    );
    if let Some(s) = &spec.never.statement {
        let _ = writeln!(out, "statement = {}", quoted(s));
    }
    let entries = spec
        .categories
        .iter()
        .map(|(n, c)| (n.as_str(), c))
        .chain(std::iter::once((OTHER, &spec.other)));
    for (name, c) in entries {
        out.push('\n');
        if name == OTHER {
            out.push_str("# Every category not named above.\n");
        }
        out.push_str(&rules_of(Some(name)));
        let _ = writeln!(out, "[category.{}]", table_key(name));
        let _ = writeln!(
            out,
            "allow_classes = {}",
            list(c.allow_classes.iter().map(|k| k.as_str()))
        );
        let _ = writeln!(
            out,
            "allow_kinds = {}",
            list(c.allow_kinds.iter().map(|k| k.as_str()))
        );
        let _ = writeln!(out, "user_id_pseudonymous = {}", c.user_id_pseudonymous);
        match c.retention_days {
            Some(d) => {
                let _ = writeln!(out, "retention_days = {d}");
            }
            None => out.push_str("retention_days = \"none\"\n"),
        }
        for (key, value) in [
            ("statement", &c.statement),
            ("user_id_statement", &c.user_id_statement),
            ("retention_statement", &c.retention_statement),
        ] {
            if let Some(s) = value {
                let _ = writeln!(out, "{key} = {}", quoted(s));
            }
        }
    }
    out
}
