//! The policy (DESIGN §3): every default rule on one event that breaks it and its allowed
//! counterpart, every TOML option, extend vs replace, errors that name the line, the round trip
//! through `to_toml`, and the statements quoting the practice statements word for word.
#![allow(clippy::unwrap_used)] // tests fail loudly by design

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use telex::model::{Class, Confidence, Event, EventSummary, Finding, Kind};
use telex::pii;
use telex::policy::{AuditContext, Check, OTHER, Policy, PolicyError, Subject};

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

#[test]
fn the_default_prints_as_toml_and_reads_back_the_same() {
    let p = Policy::default();
    let text = p.to_toml();
    assert!(text.contains("extends = \"none\""));
    for rule in p.rules() {
        assert!(text.contains(&rule.id), "{} missing from\n{text}", rule.id);
    }
    let back = Policy::from_toml(&text, &Policy::empty()).unwrap();
    assert_eq!(back, p);
    assert_eq!(back.rules(), p.rules());
    assert_eq!(back.to_toml(), text);
}

fn read(text: &str) -> Policy {
    Policy::from_toml(text, &Policy::default()).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn error(text: &str) -> PolicyError {
    Policy::from_toml(text, &Policy::default()).unwrap_err()
}

#[test]
fn a_file_extends_the_default_unless_it_says_none() {
    let d = Policy::default();
    // An empty file, or `extends = "default"`, is the default.
    assert_eq!(read(""), d);
    assert_eq!(read("extends = \"default\"\n"), d);
    // Extending changes only the keys given; the rest of the category stays.
    let p = read("[category.usage]\nallow_classes = [\"user\", \"org\", \"pseudonymous\"]\n");
    assert_eq!(p.violates("usage", Kind::Email), None);
    assert!(p.rule("usage-user-id-not-pseudonymous").is_some());
    // The changed setting no longer quotes the statement that forbade it; the others do.
    assert_eq!(p.category("usage").statement, None);
    assert_eq!(
        p.category("usage").user_id_statement,
        d.category("usage").user_id_statement
    );
    // Setting a value to what it already is keeps the sentence.
    let same = read("[category.error]\nretention_days = 90\n");
    assert_eq!(same, d);
    let shorter = read("[category.error]\nretention_days = 30\n");
    assert_eq!(
        shorter.rule("error-retention").unwrap().statement,
        "The policy keeps error records at most 30 days."
    );
    let never = read("[never]\nkinds = [\"iban\"]\n");
    assert_eq!(
        never.rule("secret-anywhere").unwrap().statement,
        "The policy never allows iban."
    );
    assert_eq!(
        p.violates("census", Kind::Email),
        d.violates("census", Kind::Email)
    );
    // Replacing starts from nothing: no never kinds, every category undeclared.
    let p = read(
        "extends = \"none\"\n[category.support]\nallow_classes = [\"user\", \"org\", \"pseudonymous\"]\n",
    );
    assert_eq!(p.violates("support", Kind::Iban), Some("support-secret"));
    assert_eq!(
        p.violates("census", Kind::Email),
        Some("undeclared-identifies-user")
    );
    assert_eq!(
        p.violates("error", Kind::IpAddress),
        Some("undeclared-identifies-user")
    );
    assert!(p.rule("secret-anywhere").is_none());
    assert_eq!(p.spec().key_columns, ["tenant_id", "session_id"]);
    let e = error("extends = \"strict\"\n");
    assert_eq!(e.line, 1);
    assert!(e.message.contains("\"default\" or \"none\""), "{e}");
}

#[test]
fn every_category_option() {
    let p = read(
        r#"
[category.error]
allow_classes = ["pseudonymous"]
allow_kinds = ["ip_address", "geo_coordinates", "domain"]
user_id_pseudonymous = true
retention_days = 30
statement = "Errors carry addresses and places only."
user_id_statement = "Error user ids are hashed."
retention_statement = "Error logs live 30 days."
"#,
    );
    assert_eq!(p.violates("error", Kind::IpAddress), None);
    assert_eq!(p.violates("error", Kind::GeoCoordinates), None);
    assert_eq!(p.violates("error", Kind::Domain), None);
    assert_eq!(
        p.violates("error", Kind::TenantId),
        Some("error-identifies-org")
    );
    assert_eq!(
        p.violates("error", Kind::SipUri),
        Some("error-identifies-user")
    );
    assert_eq!(
        p.rule("error-identifies-user").unwrap().statement,
        "Errors carry addresses and places only."
    );
    assert_eq!(
        p.rule("error-identifies-user").unwrap().summary,
        "user identifiers other than ip_address, geo_coordinates in error records"
    );
    assert_eq!(
        p.judge("error", "user_id", Kind::Username).unwrap().id,
        "error-user-id-not-pseudonymous"
    );
    assert_eq!(
        p.rule("error-user-id-not-pseudonymous").unwrap().statement,
        "Error user ids are hashed."
    );
    assert_eq!(p.retention_days("error"), Some(30));
    assert_eq!(
        p.rule("error-retention").unwrap().statement,
        "Error logs live 30 days."
    );
    let e = event("error", "2026-08-31T00:00:00.000Z", None, "{}");
    assert_eq!(p.violations(&e, &[], &ctx()).len(), 1, "31 days old");

    // "none" lifts the window; a pseudonymous class can be disallowed too.
    let p = read(
        "[category.error]\nretention_days = \"none\"\n[category.support]\nallow_classes = [\"user\"]\n",
    );
    assert_eq!(p.retention_days("error"), None);
    assert!(p.rule("error-retention").is_none());
    assert_eq!(
        p.violates("support", Kind::HashedId),
        Some("support-pseudonymous-id")
    );
    assert_eq!(
        p.violates("support", Kind::Domain),
        Some("support-identifies-org")
    );
    // Statements the file does not give are telex's own words for the setting.
    let p = read("extends = \"none\"\n[category.census]\nretention_days = 7\n");
    assert_eq!(
        p.rule("census-retention").unwrap().statement,
        "The policy keeps census records at most 7 days."
    );
}

#[test]
fn never_and_key_columns() {
    let p = read("[never]\nkinds = [\"iban\", \"email\"]\nstatement = \"No emails, ever.\"\n");
    assert_eq!(p.violates("support", Kind::Email), Some("user-anywhere"));
    assert_eq!(p.violates("support", Kind::Iban), Some("secret-anywhere"));
    assert_eq!(
        p.rule("user-anywhere").unwrap().statement,
        "No emails, ever."
    );
    // Card numbers are no longer on the list; support does not allow secrets either.
    assert_eq!(
        p.violates("support", Kind::CreditCard),
        Some("support-secret")
    );
    // A never kind is a violation on a key column too.
    assert_eq!(
        p.judge("census", "tenant_id", Kind::Email).unwrap().id,
        "user-anywhere"
    );

    let p = read("key_columns = []\n");
    assert_eq!(
        p.judge("census", "tenant_id", Kind::TenantId).unwrap().id,
        "census-identifies-org"
    );
    let p = read("key_columns = [\"tenant_id\", \"session_id\", \"region\"]\n");
    assert!(p.judge("census", "region", Kind::Domain).is_none());
}

#[test]
fn new_categories_and_the_undeclared_entry() {
    let p = read(
        r#"
[category."*"]
allow_classes = ["org", "pseudonymous"]
user_id_pseudonymous = false

[category."Crash Reports"]
allow_kinds = ["user_path"]
"#,
    );
    // The undeclared entry now allows organisations…
    assert_eq!(p.violates("trace", Kind::Domain), None);
    assert!(p.rule("undeclared-user-id-not-pseudonymous").is_none());
    // …and a new category starts from it, with telex's words for its rules.
    assert_eq!(p.violates("crash reports", Kind::UserPath), None);
    assert_eq!(p.violates("Crash Reports", Kind::Domain), None);
    let rule = p.rule("crash-reports-identifies-user").unwrap();
    assert_eq!(rule.category.as_deref(), Some("Crash Reports"));
    assert!(
        rule.statement
            .starts_with("The policy allows Crash Reports records only"),
        "{}",
        rule.statement
    );
    // Named categories keep their own settings.
    assert_eq!(
        p.violates("census", Kind::Domain),
        Some("census-identifies-org")
    );
    // It prints and reads back.
    assert_eq!(
        Policy::from_toml(&p.to_toml(), &Policy::empty()).unwrap(),
        p
    );
    // Two names that would share rule ids are refused, at the second one's line.
    let e = error("[category.\"a b\"]\n\n[category.a-b]\n");
    assert_eq!(e.line, 3, "{e}");
    assert!(e.message.contains("rename"), "{e}");
    let e = error("[category.Undeclared]\n");
    assert!(e.message.contains("undeclared"), "{e}");
}

#[test]
fn unknown_kinds_and_classes_list_the_valid_ones_at_their_line() {
    let e = error("[category.error]\n\nallow_kinds = [\n  \"ip_address\",\n  \"ssn\",\n]\n");
    assert_eq!(e.line, 5, "{e}");
    assert!(e.message.contains("\"ssn\""), "{e}");
    assert!(
        e.message.contains(&Kind::ALL.map(Kind::as_str).join(", ")),
        "{e}"
    );
    let e = error("[never]\nkinds = [\"password\"]\n");
    assert_eq!(e.line, 2);
    assert!(e.message.contains("credit_card, iban, secret_token"), "{e}");
    let e = error("[category.census]\nallow_classes = [\"users\"]\n");
    assert_eq!(e.line, 2);
    assert!(
        e.message
            .contains(&Class::ALL.map(Class::as_str).join(", ")),
        "{e}"
    );
}

#[test]
fn malformed_files_name_the_line_and_the_problem() {
    let cases: [(&str, usize, &str); 8] = [
        ("extends = \"none\"\n[category.census\n", 2, ""),
        ("# fine\n\nretention = 5\n", 3, "retention"),
        ("[category.census]\nalow_classes = []\n", 2, "alow_classes"),
        ("[category.census]\nuser_id_pseudonymous = \"yes\"\n", 2, ""),
        (
            "[category.error]\nretention_days = 0\n",
            2,
            "retention_days",
        ),
        (
            "[category.error]\nretention_days = \"forever\"\n",
            2,
            "\"none\"",
        ),
        (
            "[category.error]\nretention_days = 1.5\n",
            2,
            "retention_days",
        ),
        ("key_columns = [\"\"]\n", 1, "key column"),
    ];
    for (text, line, word) in cases {
        let e = error(text);
        assert_eq!(e.line, line, "{text:?}: {e}");
        assert!(e.message.contains(word), "{text:?}: {e}");
        assert!(!e.to_string().contains('\n'), "one line: {e}");
        assert!(e.to_string().starts_with(&format!("line {line}: ")));
    }
}
