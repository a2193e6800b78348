//! The default policy (DESIGN §3): every rule on one event that breaks it and its allowed
//! counterpart, the order rules are judged in, what a violation carries, and the statements
//! quoting the practice statements word for word. Policy files: `policy_file.rs`.
#![allow(clippy::unwrap_used)] // tests fail loudly by design

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use telex::model::{Confidence, Event, EventSummary, Finding, Kind};
use telex::pii;
use telex::policy::{AuditContext, Check, OTHER, Policy, Subject};

const EXPORTED_AT: &str = "2026-10-01T00:00:00.000Z";

fn at(ts: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(ts)
        .unwrap()
        .with_timezone(&Utc)
}

fn ctx() -> AuditContext {
    AuditContext {
        reference: Some(at(EXPORTED_AT)),
    }
}

fn event(category: &str, ts: &str, user_id: Option<&str>, payload: &str) -> Event {
    Event {
        summary: EventSummary {
            id: 1,
            ts: ts.into(),
            category: category.into(),
            name: "e".into(),
            tenant_id: Some("5E872200-F546-4CCD-8F23-AF5F507AA2DD".into()),
            session_id: Some("9A872200-F546-4CCD-8F23-AF5F507AA2DD".into()),
            user_id: user_id.map(String::from),
        },
        app_name: None,
        app_version: None,
        payload: Some(payload.into()),
        extra: Vec::new(),
    }
}

const HASHED: &str = "E296D735-4F36-4E18-7C3B-52E1A02A0164";
const RECENT: &str = "2026-09-20T10:00:00.000Z";

/// The rule ids the policy finds in an event, through the real detection engine.
fn rules_of(policy: &Policy, e: &Event) -> BTreeSet<String> {
    let findings = pii::scan_event(e);
    policy
        .violations(e, &findings, &ctx())
        .iter()
        .map(|v| v.rule.id.clone())
        .collect()
}

fn finding(field: &str, kind: Kind) -> Finding {
    Finding {
        field: field.into(),
        kind,
        confidence: Confidence::High,
        span: None,
        evidence: Vec::new(),
    }
}

#[test]
fn every_default_rule_has_an_event_that_breaks_it_and_nothing_else() {
    let p = Policy::default();
    let cases: Vec<(&str, Event)> = vec![
        (
            "secret-anywhere",
            event(
                "support",
                RECENT,
                Some(HASHED),
                r#"{"Message":"Payment declined for card 4111 1111 1111 1111 (Visa)"}"#,
            ),
        ),
        (
            "census-identifies-user",
            event(
                "census",
                RECENT,
                Some(HASHED),
                r#"{"DeviceName":"Alice Hawking's iPhone"}"#,
            ),
        ),
        (
            "census-identifies-org",
            event(
                "census",
                RECENT,
                Some(HASHED),
                r#"{"FederationPartner":"fabrikam.com"}"#,
            ),
        ),
        (
            "census-user-id-not-pseudonymous",
            event("census", RECENT, Some("alice@contoso.com"), "{}"),
        ),
        (
            "usage-identifies-user",
            event(
                "usage",
                RECENT,
                Some(HASHED),
                r#"{"team_name":"Guests alice@contoso.com"}"#,
            ),
        ),
        (
            "usage-user-id-not-pseudonymous",
            event("usage", RECENT, Some("amosmarble"), "{}"),
        ),
        (
            "error-identifies-user",
            event(
                "error",
                RECENT,
                Some("amosmarble"),
                r#"{"MacAddress":"8E-23-1D-4F-5A-6B"}"#,
            ),
        ),
        (
            "error-retention",
            event(
                "error",
                "2026-06-01T00:00:00.000Z",
                Some("amosmarble"),
                "{}",
            ),
        ),
        (
            "undeclared-identifies-user",
            event(
                "audit",
                RECENT,
                Some(HASHED),
                r#"{"msUpn":"alice@contoso.com"}"#,
            ),
        ),
        (
            "undeclared-identifies-org",
            event("audit", RECENT, Some(HASHED), r#"{"tld":"contoso.com"}"#),
        ),
        (
            "undeclared-user-id-not-pseudonymous",
            event("audit", RECENT, Some("amosmarble"), "{}"),
        ),
    ];
    for (rule, e) in &cases {
        assert_eq!(
            rules_of(&p, e),
            BTreeSet::from([rule.to_string()]),
            "{rule}: {e:?}"
        );
    }
    let tested: BTreeSet<&str> = cases.iter().map(|(r, _)| *r).collect();
    let all: BTreeSet<&str> = p.rules().iter().map(|r| r.id.as_str()).collect();
    assert_eq!(tested, all, "every default rule is tested");
}

#[test]
fn what_the_practice_allows_is_not_a_violation() {
    let p = Policy::default();
    let allowed = [
        // Hashed ids, the tenant and session keys: census carries nothing else.
        event(
            "census",
            RECENT,
            Some(HASHED),
            r#"{"AppName":"TeamsPro","OSVersion":"10.0.19041.1","DeviceID":"0D1C2200-F546-4CCD-8F23-AF5F507AA2DD"}"#,
        ),
        // Usage may name organisations (FederationPartner).
        event(
            "usage",
            RECENT,
            Some(HASHED),
            r#"{"FederationPartner":"fabrikam.com","IMSent":3}"#,
        ),
        // Support may carry UPNs, emails, names, tenant ids and domains.
        event(
            "support",
            RECENT,
            Some(HASHED),
            r#"{"msUpn":"alice@contoso.com","name":"Alice Hawking","tld":"contoso.com","msTenantId":"5E872200-F546-4CCD-8F23-AF5F507AA2DD","phone":"+1 425 555 0100"}"#,
        ),
        // Error reports may carry the IP address, the SIP URI and the cleartext login.
        event(
            "error",
            RECENT,
            Some("amosmarble"),
            r#"{"ClientIP":"203.0.113.7","SipUri":"sip:alice@contoso.com","UserID":"amosmarble"}"#,
        ),
        // 89 days old: inside the 90-day window.
        event(
            "error",
            "2026-07-04T00:00:00.000Z",
            Some("amosmarble"),
            "{}",
        ),
        // An undeclared category with pseudonymous ids only.
        event("audit", RECENT, Some(HASHED), r#"{"note":"admin login"}"#),
    ];
    for e in &allowed {
        assert!(!pii::scan_event(e).is_empty() || e.summary.category == "audit");
        assert_eq!(rules_of(&p, e), BTreeSet::new(), "{e:?}");
    }
}

#[test]
fn rules_are_judged_in_order_never_then_keys_then_user_id_then_category() {
    let p = Policy::default();
    // A secret is a violation even on a key column.
    let rule = p.judge("census", "tenant_id", Kind::SecretToken).unwrap();
    assert_eq!(rule.id, "secret-anywhere");
    assert_eq!(rule.check, Check::Never);
    // The key columns are the export's structure.
    assert!(p.judge("census", "tenant_id", Kind::TenantId).is_none());
    assert!(p.judge("census", "session_id", Kind::SessionId).is_none());
    // The same tenant id in the payload is the census rule's business.
    assert_eq!(
        p.judge("census", "payload/msTenantId", Kind::TenantId)
            .unwrap()
            .id,
        "census-identifies-org"
    );
    // A cleartext user_id breaks the hashing rule, not the class rule.
    assert_eq!(
        p.judge("census", "user_id", Kind::Email).unwrap().id,
        "census-user-id-not-pseudonymous"
    );
    // In error records user_id need not be pseudonymous: the class rule decides.
    assert!(p.judge("error", "user_id", Kind::Username).is_none());
    assert_eq!(
        p.judge("error", "user_id", Kind::Email).unwrap().id,
        "error-identifies-user"
    );
    // Categories match without regard to case; unknown ones are undeclared.
    assert_eq!(
        p.violates("CENSUS", Kind::Email),
        Some("census-identifies-user")
    );
    assert_eq!(
        p.violates("trace", Kind::Domain),
        Some("undeclared-identifies-org")
    );
    assert_eq!(p.violates("support", Kind::Email), None);
    assert_eq!(p.violates("support", Kind::Iban), Some("secret-anywhere"));
    assert_eq!(p.violates("error", Kind::IpAddress), None);
    assert_eq!(
        p.violates("error", Kind::GeoCoordinates),
        Some("error-identifies-user")
    );
}

#[test]
fn violations_carry_the_rule_the_subject_and_the_statement() {
    let p = Policy::default();
    let e = event(
        "error",
        "2026-06-01T00:00:00.000Z",
        Some("amosmarble"),
        "{}",
    );
    let findings = [
        finding("payload/ClientIP", Kind::IpAddress),
        finding("payload/Exception/stack", Kind::UserPath),
        finding("payload/headers/Authorization", Kind::SecretToken),
    ];
    let v = p.violations(&e, &findings, &ctx());
    let got: Vec<(&str, &str, Option<Kind>)> = v
        .iter()
        .map(|v| (v.rule.id.as_str(), v.field(), v.kind()))
        .collect();
    assert_eq!(
        got,
        [
            ("error-retention", "ts", None),
            (
                "error-identifies-user",
                "payload/Exception/stack",
                Some(Kind::UserPath)
            ),
            (
                "secret-anywhere",
                "payload/headers/Authorization",
                Some(Kind::SecretToken)
            ),
        ]
    );
    assert_eq!(
        v[0].subject,
        Subject::Retention {
            age_days: 122,
            limit_days: 90
        }
    );
    assert!(v[0].rule.statement.starts_with("Every 90 days"));
    assert!(matches!(v[1].subject, Subject::Finding(f) if f.kind == Kind::UserPath));
    // Without a reference time, retention is not checked.
    let none = p.violations(&e, &[], &AuditContext::default());
    assert!(none.is_empty());
    // `rule(id)` finds the same rule.
    assert_eq!(p.rule("error-retention"), Some(v[0].rule));
    assert!(p.rule("no-such-rule").is_none());
}

fn seeds() -> Option<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in [
        root.join("../shared/seeds"),
        root.join("../../shared/seeds"),
    ] {
        if let Ok(entries) = std::fs::read_dir(&dir) {
            let mut text = String::new();
            for e in entries.flatten() {
                text.push_str(&std::fs::read_to_string(e.path()).unwrap_or_default());
                text.push('\n');
            }
            return Some(text.split_whitespace().collect::<Vec<_>>().join(" "));
        }
    }
    None
}

/// Every default statement is a sentence of the practice statements, word for word — except
/// the undeclared entry's, which no statement speaks for.
#[test]
fn default_statements_quote_the_practice_statements() {
    let Some(seeds) = seeds() else {
        eprintln!("shared/seeds not found beside the repository: skipped");
        return;
    };
    let p = Policy::default();
    for rule in p.rules() {
        if rule.category.as_deref() == Some(OTHER) && rule.check != Check::UserId {
            assert!(rule.statement.starts_with("No practice statement"));
            continue;
        }
        let s = rule
            .statement
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert!(seeds.contains(&s), "{}: not in the seeds: {s}", rule.id);
    }
}
