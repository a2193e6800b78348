//! The three redactions of a shareable sample (`telex export --redact mask|hash|drop`), the
//! classes kept (`--keep`), and how the check of the written sample tells a replacement the
//! export wrote from an identifier left behind.

use std::ops::Range;

use super::hash::{self, Hasher, Key};
use super::{Replacer, apply};
use crate::model::{Class, Event, Finding, Kind};

/// How identifying values are replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Method {
    /// Shape-keeping masks: `a***@c***.com`, `203.0.113.***`.
    Mask,
    /// Keyed pseudonyms: `email:7f3a9c12e4b05d61`, the same for the same value and key.
    Hash(Key),
    /// Whole values removed (JSON member or array element gone, column NULL); a span inside
    /// a longer text becomes `[kind]`.
    Drop,
}

impl Method {
    pub fn name(&self) -> &'static str {
        match self {
            Method::Mask => "mask",
            Method::Hash(_) => "hash",
            Method::Drop => "drop",
        }
    }
}

/// One redaction: the method, and the classes whose findings stay as they are. Secrets are
/// never kept (DESIGN §2: they must never be in telemetry, let alone in a shared sample).
pub struct Redaction {
    method: Method,
    hasher: Option<Hasher>,
    kept: Vec<Class>,
}

impl Redaction {
    pub fn new(method: Method, kept: &[Class]) -> Redaction {
        let hasher = match &method {
            Method::Hash(key) => Some(Hasher::new(key)),
            Method::Mask | Method::Drop => None,
        };
        let mut kept: Vec<Class> = kept
            .iter()
            .copied()
            .filter(|c| *c != Class::Secret)
            .collect();
        kept.sort();
        kept.dedup();
        Redaction {
            method,
            hasher,
            kept,
        }
    }

    pub fn method(&self) -> &Method {
        &self.method
    }

    pub fn kept(&self) -> &[Class] {
        &self.kept
    }

    pub fn redacts(&self, class: Class) -> bool {
        !self.kept.contains(&class)
    }

    /// `event` with every finding of a redacted class replaced; also how many were.
    pub fn event(&mut self, event: &Event, findings: &[Finding]) -> (Event, usize) {
        let chosen: Vec<Finding> = findings
            .iter()
            .filter(|f| self.redacts(f.class()))
            .cloned()
            .collect();
        if chosen.is_empty() {
            return (event.clone(), 0);
        }
        (apply(event, &chosen, self), chosen.len())
    }

    /// A free-standing text (an `export_info` value, a file name) with its redacted
    /// identifiers replaced; `None` when the whole text is dropped.
    pub fn text(&mut self, field: &str, text: &str) -> Option<String> {
        let findings: Vec<Finding> =
            crate::pii::scan_text(field, text, &crate::pii::Context::default())
                .into_iter()
                .filter(|f| self.redacts(f.class()))
                .collect();
        if findings.is_empty() {
            return Some(text.to_string());
        }
        let refs: Vec<&Finding> = findings.iter().collect();
        let remove = self.removes_whole_values();
        match super::rewrite(text, &refs, self, remove) {
            super::Rewritten::Text(t) => Some(t),
            super::Rewritten::Removed => None,
        }
    }

    /// The check's view of this redaction (no key: it only recognises what was written).
    pub fn check(&self) -> Check {
        Check {
            method: match self.method {
                Method::Mask => Written::Masks,
                Method::Hash(_) => Written::Tokens,
                Method::Drop => Written::Placeholders,
            },
            kept: self.kept.clone(),
        }
    }

    fn org_kept(&self) -> bool {
        self.kept.contains(&Class::Org)
    }

    fn mask(&self, kind: Kind, value: &str) -> String {
        match kind {
            // An address's domain names the organisation: masked too unless org is kept.
            Kind::Email | Kind::SipUri if !self.org_kept() => {
                let masked = crate::pii::mask(kind, value);
                match masked.rsplit_once('@') {
                    Some((local, domain)) => format!("{local}@{}", mask_domain(domain)),
                    None => masked,
                }
            }
            Kind::Domain => mask_domain(value),
            _ => crate::pii::mask(kind, value),
        }
    }

    fn hash(&self, hasher: &Hasher, kind: Kind, value: &str) -> String {
        let token = hasher.token(kind, value);
        match kind {
            // With org kept, an address keeps its domain so samples still group by org.
            Kind::Email | Kind::SipUri if self.org_kept() => match value.rsplit_once('@') {
                Some((_, domain)) if !domain.is_empty() => format!("{token}@{domain}"),
                _ => token,
            },
            _ => token,
        }
    }
}

/// Every label but the last (the top-level domain) cut to its first character:
/// `contoso.onmicrosoft.com` → `c***.o***.com`. No label that names an organisation survives.
fn mask_domain(domain: &str) -> String {
    let labels: Vec<&str> = domain.split('.').collect();
    let last = labels.len() - 1;
    labels
        .iter()
        .enumerate()
        .map(|(i, label)| {
            if i == last && last > 0 {
                (*label).to_string()
            } else {
                format!("{}***", label.chars().next().unwrap_or('*'))
            }
        })
        .collect::<Vec<_>>()
        .join(".")
}

impl Replacer for Redaction {
    fn replace(&mut self, kind: Kind, value: &str) -> String {
        match (&self.method, &self.hasher) {
            (Method::Hash(_), Some(hasher)) => self.hash(hasher, kind, value),
            (Method::Drop, _) => format!("[{kind}]"),
            _ => self.mask(kind, value),
        }
    }

    fn removes_whole_values(&self) -> bool {
        self.method == Method::Drop
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Written {
    Masks,
    Tokens,
    Placeholders,
}

/// What the check of a written sample needs: which replacements the export writes and which
/// classes it left alone. Holds no key.
#[derive(Debug, Clone)]
pub struct Check {
    method: Written,
    kept: Vec<Class>,
}

impl Check {
    pub fn redacts(&self, class: Class) -> bool {
        !self.kept.contains(&class)
    }

    /// True when `finding`, found by the detector in `text` (the value of its field in the
    /// written sample), is an identifier the export should have replaced and did not: its
    /// class is redacted and it touches no replacement (a mask's stars, a token, a `[kind]`).
    /// A replacement can itself look like an identifier (`a***@c***.com` is email-shaped, a
    /// token in the `tenant_id` column is a tenant id by position); those are not leaks.
    pub fn is_leak(&self, finding: &Finding, text: &str) -> bool {
        if !self.redacts(finding.class()) {
            return false;
        }
        let span = finding.span.clone().unwrap_or(0..text.len());
        // Touching counts: a detector may stop just before a mask's stars (`C:\Users\a` of
        // `C:\Users\a***`), and what it matched is then part of the replacement.
        !self
            .replaced(text)
            .iter()
            .any(|r| r.start <= span.end && span.start <= r.end)
    }

    /// The byte ranges of `text` that are replacements this export writes.
    fn replaced(&self, text: &str) -> Vec<Range<usize>> {
        match self.method {
            Written::Tokens => hash::token_ranges(text),
            Written::Masks => runs_of(text, '*'),
            Written::Placeholders => placeholders(text),
        }
    }
}

fn runs_of(text: &str, c: char) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    for (i, _) in text.match_indices(c) {
        match out.last_mut() {
            Some(r) if r.end == i => r.end = i + 1,
            _ => out.push(i..i + 1),
        }
    }
    out
}

fn placeholders(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    for (open, _) in text.match_indices('[') {
        if let Some(len) = text[open + 1..].find(']')
            && Kind::parse(&text[open + 1..open + 1 + len]).is_some()
        {
            out.push(open..open + len + 2);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Confidence, EventSummary};

    fn event(payload: &str) -> Event {
        Event {
            summary: EventSummary {
                id: 7,
                ts: "2026-09-01T00:00:00.000Z".into(),
                category: "support".into(),
                name: "identified".into(),
                tenant_id: Some("25BE29A9-9B57-4B4E-9B9A-60C40151E109".into()),
                session_id: None,
                user_id: None,
            },
            app_name: None,
            app_version: None,
            payload: Some(payload.into()),
            extra: vec![],
        }
    }

    fn finding(field: &str, kind: Kind, span: Option<Range<usize>>) -> Finding {
        Finding {
            field: field.into(),
            kind,
            confidence: Confidence::High,
            span,
            evidence: vec![],
        }
    }

    fn sample() -> (Event, Vec<Finding>) {
        let e = event(
            r#"{"msUpn":"alice@contoso.com","msTenantId":"25be29a9-9b57-4b4e-9b9a-60c40151e109","tld":"contoso.com","DeviceName":"Alice Hawking's iPhone","ips":["203.0.113.7","10.1.2.3","x"]}"#,
        );
        let f = vec![
            finding("payload/DeviceName", Kind::PersonName, Some(0..13)),
            finding("payload/ips/0", Kind::IpAddress, None),
            finding("payload/ips/1", Kind::IpAddress, None),
            finding("payload/msTenantId", Kind::TenantId, None),
            finding("payload/msUpn", Kind::Email, None),
            finding("payload/tld", Kind::Domain, None),
            finding("tenant_id", Kind::TenantId, None),
        ];
        (e, f)
    }

    fn payload(e: &Event) -> serde_json::Value {
        serde_json::from_str(e.payload.as_deref().unwrap()).unwrap()
    }

    #[test]
    fn mask_hides_the_domain_unless_org_is_kept() {
        let (e, f) = sample();
        let (out, n) = Redaction::new(Method::Mask, &[]).event(&e, &f);
        assert_eq!(n, 7);
        let p = payload(&out);
        assert_eq!(p["msUpn"], "a***@c***.com");
        assert_eq!(p["tld"], "c***.com");
        assert_eq!(p["DeviceName"], "Al*** Ha***'s iPhone");
        assert_eq!(out.summary.tenant_id.as_deref(), Some("25BE***E109"));

        let (out, n) = Redaction::new(Method::Mask, &[Class::Org]).event(&e, &f);
        assert_eq!(n, 4);
        let p = payload(&out);
        assert_eq!(p["msUpn"], "a***@contoso.com");
        assert_eq!(p["tld"], "contoso.com");
        assert_eq!(out.summary.tenant_id, e.summary.tenant_id);
        assert_eq!(mask_domain("contoso.onmicrosoft.com"), "c***.o***.com");
        assert_eq!(mask_domain("localhost"), "l***");
    }

    #[test]
    fn hash_tokens_join_column_and_payload() {
        let (e, f) = sample();
        let key = Key::from_bytes(&[9; 32]).unwrap();
        let (out, _) = Redaction::new(Method::Hash(key.clone()), &[]).event(&e, &f);
        let p = payload(&out);
        let column = out.summary.tenant_id.clone().unwrap();
        assert!(column.starts_with("tenant_id:"), "{column}");
        assert_eq!(
            p["msTenantId"],
            column.as_str(),
            "case-insensitive ids join"
        );
        let device = p["DeviceName"].as_str().unwrap();
        assert!(device.starts_with("person_name:") && device.ends_with("'s iPhone"));
        assert!(!out.payload.as_deref().unwrap().contains("contoso"));

        let (kept, _) = Redaction::new(Method::Hash(key), &[Class::Org]).event(&e, &f);
        let upn = payload(&kept)["msUpn"].as_str().unwrap().to_string();
        assert!(
            upn.starts_with("email:") && upn.ends_with("@contoso.com"),
            "{upn}"
        );
    }

    #[test]
    fn drop_removes_members_elements_and_columns() {
        let (e, f) = sample();
        let (out, _) = Redaction::new(Method::Drop, &[]).event(&e, &f);
        let p = payload(&out);
        assert_eq!(
            p,
            serde_json::json!({"DeviceName": "[person_name]'s iPhone", "ips": ["x"]})
        );
        assert_eq!(out.summary.tenant_id, None);
        // Key order of what is left is kept.
        let mut e2 = e.clone();
        e2.payload = Some(r#"{"a":1,"msUpn":"a@b.io","z":2,"b":3}"#.into());
        let (out, _) = Redaction::new(Method::Drop, &[])
            .event(&e2, &[finding("payload/msUpn", Kind::Email, None)]);
        assert_eq!(out.payload.as_deref(), Some(r#"{"a":1,"z":2,"b":3}"#));
    }

    #[test]
    fn secrets_are_never_kept() {
        let r = Redaction::new(Method::Drop, &[Class::Secret, Class::User]);
        assert_eq!(r.kept(), &[Class::User]);
        assert!(r.redacts(Class::Secret));
    }

    #[test]
    fn the_check_tells_replacements_from_leftovers() {
        let email = finding("payload/m", Kind::Email, None);
        let key = Key::from_bytes(&[1; 16]).unwrap();
        let mask = Redaction::new(Method::Mask, &[]).check();
        assert!(!mask.is_leak(&email, "a***@c***.com"));
        assert!(mask.is_leak(&email, "alice@contoso.com"));
        let path = finding("payload/s", Kind::UserPath, Some(3..13));
        assert!(!mask.is_leak(&path, "at C:\\Users\\a***\\AppData"));
        let hash = Redaction::new(Method::Hash(key), &[]).check();
        assert!(!hash.is_leak(&email, "email:0123456789abcdef"));
        let in_text = finding("payload/m", Kind::Email, Some(23..40));
        assert!(hash.is_leak(&in_text, "email:0123456789abcdef alice@contoso.com"));
        let drop = Redaction::new(Method::Drop, &[Class::Org]).check();
        let name = finding("payload/d", Kind::PersonName, Some(0..13));
        assert!(!drop.is_leak(&name, "[person_name]'s iPhone"));
        assert!(drop.is_leak(&name, "Alice Hawking's iPhone"));
        let domain = finding("payload/tld", Kind::Domain, None);
        assert!(!drop.is_leak(&domain, "contoso.com"), "org is kept");
    }
}
