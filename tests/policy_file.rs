//! Policy files (`--policy FILE`): every TOML option, extend vs replace, new categories and
//! the undeclared entry, errors that name the line and list the valid kinds and classes, and
//! the round trip through `to_toml`.
#![allow(clippy::unwrap_used)] // tests fail loudly by design

use chrono::{DateTime, Utc};
use telex::model::{Class, Event, EventSummary, Kind};
use telex::policy::{AuditContext, Policy, PolicyError};

fn ctx() -> AuditContext {
    let at = DateTime::parse_from_rfc3339("2026-10-01T00:00:00.000Z").unwrap();
    AuditContext {
        reference: Some(at.with_timezone(&Utc)),
    }
}

fn event(category: &str, ts: &str) -> Event {
    Event {
        summary: EventSummary {
            id: 1,
            ts: ts.into(),
            category: category.into(),
            name: "e".into(),
            tenant_id: None,
            session_id: None,
            user_id: None,
        },
        app_name: None,
        app_version: None,
        payload: None,
        extra: Vec::new(),
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
    let e = event("error", "2026-08-31T00:00:00.000Z");
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
