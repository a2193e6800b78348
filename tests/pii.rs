//! Detection engine contract: positives per kind, traps, links, masking, ordering, and
//! precision/recall on the adversarial and foreign-shapes corpora.
#![allow(clippy::unwrap_used)] // tests fail loudly by design

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use telex::model::{Class, Confidence, Event, EventSummary, Finding, Kind};
use telex::pii::{self, Context};

use support::scores::Scores;

fn event(
    category: &str,
    tenant: Option<&str>,
    session: Option<&str>,
    user: Option<&str>,
    payload: &str,
) -> Event {
    Event {
        summary: EventSummary {
            id: 1,
            ts: "2026-09-01T12:00:00.000Z".into(),
            category: category.into(),
            name: "test".into(),
            tenant_id: tenant.map(Into::into),
            session_id: session.map(Into::into),
            user_id: user.map(Into::into),
        },
        app_name: Some("SalesTim".into()),
        app_version: Some("2.1.0.3".into()),
        payload: Some(payload.into()),
        extra: vec![],
    }
}

fn scan(category: &str, payload: &str) -> Vec<Finding> {
    pii::scan_event(&event(category, None, None, None, payload))
}

fn kinds_at(findings: &[Finding], field: &str) -> Vec<Kind> {
    findings
        .iter()
        .filter(|f| f.field == field)
        .map(|f| f.kind)
        .collect()
}

/// (category, payload, field, kind, span, confidence)
type Positive = (
    &'static str,
    &'static str,
    &'static str,
    Kind,
    Option<Range<usize>>,
    Confidence,
);

const POSITIVES: &[Positive] = &[
    (
        "support",
        r#"{"msUpn":"alice@corp.local"}"#,
        "payload/msUpn",
        Kind::Email,
        None,
        Confidence::High,
    ),
    (
        "support",
        r#"{"intercom_email":"a.b@contoso.com"}"#,
        "payload/intercom_email",
        Kind::Email,
        None,
        Confidence::High,
    ),
    (
        "usage",
        r#"{"team_name":"Q3 alice@contoso.com"}"#,
        "payload/team_name",
        Kind::Email,
        Some(3..20),
        Confidence::Medium,
    ),
    (
        "support",
        r#"{"name":"Alice Hawking"}"#,
        "payload/name",
        Kind::PersonName,
        None,
        Confidence::High,
    ),
    (
        "census",
        r#"{"DeviceName":"Alice Hawking's iPhone"}"#,
        "payload/DeviceName",
        Kind::PersonName,
        Some(0..13),
        Confidence::Medium,
    ),
    (
        "census",
        r#"{"DeviceName":"Jane's iPhone"}"#,
        "payload/DeviceName",
        Kind::PersonName,
        Some(0..4),
        Confidence::Medium,
    ),
    (
        "support",
        r#"{"phone":"+1 425 555 0100"}"#,
        "payload/phone",
        Kind::PhoneNumber,
        None,
        Confidence::High,
    ),
    (
        "error",
        r#"{"ClientIP":"203.0.113.42"}"#,
        "payload/ClientIP",
        Kind::IpAddress,
        None,
        Confidence::High,
    ),
    (
        "error",
        r#"{"ClientIP":"2001:db8::8a2e:370:7334"}"#,
        "payload/ClientIP",
        Kind::IpAddress,
        None,
        Confidence::High,
    ),
    (
        "error",
        r#"{"SipUri":"sip:alice@contoso.com"}"#,
        "payload/SipUri",
        Kind::SipUri,
        None,
        Confidence::High,
    ),
    (
        "error",
        r#"{"UserID":"amosmarble"}"#,
        "payload/UserID",
        Kind::Username,
        None,
        Confidence::High,
    ),
    (
        "error",
        r#"{"MacAddress":"00:1A:2B:3C:4D:5E"}"#,
        "payload/MacAddress",
        Kind::MacAddress,
        None,
        Confidence::High,
    ),
    (
        "error",
        r#"{"Location":"53.3498,-6.2603"}"#,
        "payload/Location",
        Kind::GeoCoordinates,
        None,
        Confidence::High,
    ),
    (
        "error",
        r#"{"stack":"at X() in C:\\Users\\alice\\src\\a.cs:line 4"}"#,
        "payload/stack",
        Kind::UserPath,
        Some(10..24),
        Confidence::High,
    ),
    (
        "error",
        r#"{"stack":"at /home/bob/app.js:1"}"#,
        "payload/stack",
        Kind::UserPath,
        Some(3..12),
        Confidence::High,
    ),
    (
        "support",
        r#"{"msTenantId":"5E872200-F546-4CCD-8F23-AF5F507AA2DD"}"#,
        "payload/msTenantId",
        Kind::TenantId,
        None,
        Confidence::High,
    ),
    (
        "usage",
        r#"{"FederationPartner":"fabrikam.com"}"#,
        "payload/FederationPartner",
        Kind::Domain,
        None,
        Confidence::High,
    ),
    (
        "support",
        r#"{"companyName":"Contoso Ltd"}"#,
        "payload/companyName",
        Kind::OrgName,
        None,
        Confidence::Medium,
    ),
    (
        "census",
        r#"{"UserID":"E296D735-4F36-4E18-7C3B-52E1A02A0164"}"#,
        "payload/UserID",
        Kind::HashedId,
        None,
        Confidence::High,
    ),
    (
        "census",
        r#"{"DeviceID":"A1B2C3D4-E5F6-4711-8899-AABBCCDDEEFF"}"#,
        "payload/DeviceID",
        Kind::DeviceId,
        None,
        Confidence::High,
    ),
    (
        "support",
        r#"{"msUserId":"0B1C2D3E-4F50-6172-8394-A5B6C7D8E9F0"}"#,
        "payload/msUserId",
        Kind::UserGuid,
        None,
        Confidence::High,
    ),
    (
        "census",
        r#"{"SessionID":"5E872200-F546-4CCD-8F23-AF5F507AA2DD"}"#,
        "payload/SessionID",
        Kind::SessionId,
        None,
        Confidence::High,
    ),
    (
        "error",
        r#"{"Message":"card 4111 1111 1111 1111 declined"}"#,
        "payload/Message",
        Kind::CreditCard,
        Some(5..24),
        Confidence::High,
    ),
    (
        "error",
        r#"{"Message":"IBAN DE89370400440532013000 rejected"}"#,
        "payload/Message",
        Kind::Iban,
        Some(5..27),
        Confidence::High,
    ),
    (
        "error",
        r#"{"headers":{"Authorization":"Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"}}"#,
        "payload/headers/Authorization",
        Kind::SecretToken,
        Some(7..56),
        Confidence::High,
    ),
    (
        "error",
        r#"{"Message":"key ghp_abcdefghijklmnopqrstuvwxyz0123456789"}"#,
        "payload/Message",
        Kind::SecretToken,
        Some(4..44),
        Confidence::High,
    ),
    (
        "error",
        r#"{"Message":"slack xoxb-123456789012-abcdefghij"}"#,
        "payload/Message",
        Kind::SecretToken,
        Some(6..34),
        Confidence::High,
    ),
    (
        "error",
        r#"{"Message":"GET https://bob:pw@host.contoso.com/x"}"#,
        "payload/Message",
        Kind::SecretToken,
        Some(12..18),
        Confidence::High,
    ),
    (
        "error",
        r#"{"Conn":"Server=db1;User Id=sa;Password=P@ss;w0rd"}"#,
        "payload/Conn",
        Kind::SecretToken,
        Some(31..35),
        Confidence::High,
    ),
    (
        "usage",
        r#"{"records":[{"SessionId":"d3f1a9"}]}"#,
        "payload/records/0/SessionId",
        Kind::SessionId,
        None,
        Confidence::Low,
    ),
    (
        "usage",
        r#"{"user":{"anonId":"Kx9dP2"}}"#,
        "payload/user/anonId",
        Kind::HashedId,
        None,
        Confidence::Low,
    ),
];

#[test]
fn every_kind_has_a_positive() {
    for (category, payload, field, kind, span, conf) in POSITIVES {
        let found = scan(category, payload);
        let f = found
            .iter()
            .find(|f| f.field == *field && f.kind == *kind)
            .unwrap_or_else(|| panic!("{kind} not found in {payload}: {found:#?}"));
        assert_eq!(&f.span, span, "span of {kind} in {payload}");
        assert_eq!(
            f.confidence, *conf,
            "confidence of {kind} in {payload}: {f:?}"
        );
        assert!(!f.evidence.is_empty());
    }
    let covered: BTreeSet<Kind> = POSITIVES.iter().map(|p| p.3).collect();
    assert_eq!(
        covered.len(),
        Kind::ALL.len(),
        "a kind has no positive test"
    );
}

/// (why, category, payload): nothing may be found.
const TRAPS: &[(&str, &str, &str)] = &[
    (
        "a brand's device",
        "census",
        r#"{"DeviceName":"Apple's iPhone"}"#,
    ),
    (
        "a given name's possessive outside a device name",
        "error",
        r#"{"Message":"Grace's build failed"}"#,
    ),
    (
        "OS version as IP",
        "census",
        r#"{"OSVersion":"10.0.19041.1"}"#,
    ),
    (
        "add-in version as IP",
        "error",
        r#"{"Message":"failed to load add-in 2.1.0.3"}"#,
    ),
    ("app version field", "census", r#"{"version":"2.1.0.3"}"#),
    (
        "version in description",
        "error",
        r#"{"description":"shipped 2.1.0.3 to ring 1"}"#,
    ),
    (
        "build as phone",
        "error",
        r#"{"Message":"Build 16.0.14326.20404 failed"}"#,
    ),
    (
        "timestamp as phone",
        "error",
        r#"{"Message":"at 2026-09-01T12:00:00.000Z call ended"}"#,
    ),
    (
        "epoch as phone",
        "error",
        r#"{"Message":"phone sync at 1788264000000 ms"}"#,
    ),
    (
        "guid fragment as card",
        "error",
        r#"{"request_id":"12345678-1234-5678-1234-567812345678"}"#,
    ),
    (
        "guid in text as card",
        "error",
        r#"{"Message":"req 41111111-1111-1111-1111-111111111111 failed"}"#,
    ),
    (
        "order number passing Luhn",
        "error",
        r#"{"Message":"order 1234567812345670 shipped"}"#,
    ),
    (
        "hex hash unhinted",
        "error",
        r#"{"Message":"sha 5d41402abc4b2a76b9719d911017c592 seen"}"#,
    ),
    (
        "base64 thread id",
        "error",
        r#"{"ConversationThreadId":"AdDO8hsJqilU93hQHC3OZaPR2saEA=="}"#,
    ),
    (
        "locale",
        "support",
        r#"{"locale":"EN-US","msLocale":"en-US","UserLanguage":"EN-US"}"#,
    ),
    (
        "team name",
        "usage",
        r#"{"team_name":"Marketing Q3","template_name":"Project Alice"}"#,
    ),
    (
        "unhinted guids",
        "usage",
        r#"{"request_id":"5E872200-F546-4CCD-8F23-AF5F507AA2DD","template_id":"8A1D0B6C-2E3F-4A5B-9C8D-7E6F5A4B3C2D","team_id":"9F8E7D6C-5B4A-4321-8765-0FEDCBA98765"}"#,
    ),
    (
        "masked ips",
        "error",
        r#"{"ClientIP":"0.0.0.0","ip2":"203.0.113.0","lo":"127.0.0.1 ::1"}"#,
    ),
    (
        "opaque customer ids",
        "support",
        r#"{"customerId":"cus_8f3k2LmQ9x","companyId":"cmp_77aa91bc"}"#,
    ),
    (
        "counters",
        "usage",
        r#"{"IMSent":"12","MeetingJoinAttempts":"3","CallMinutes":"45"}"#,
    ),
    ("hresult", "error", r#"{"ErrorCode":"0x80070005"}"#),
    (
        "working directory in an environment dump",
        "error",
        r#"{"env":"PWD=/srv/app SHLVL=1"}"#,
    ),
    (
        "password policy setting",
        "error",
        r#"{"Message":"PasswordPolicy=Strong; MinLength=12"}"#,
    ),
    (
        "a bare id under an unhinted parent",
        "error",
        r#"{"operation":{"id":"4bf92f3577b34da6a3ce929d0e0e4736"}}"#,
    ),
    (
        "an OS name",
        "census",
        r#"{"os":{"name":"Windows Server"}}"#,
    ),
    (
        "time and namespaces",
        "error",
        r#"{"Message":"at 12:30:45 in Foo::Bar::Baz"}"#,
    ),
    (
        "short values under session keys that are no ids",
        "usage",
        r#"{"sessionDurationMs":"360000","sessionId":"none","SessionLength":"5m30s","sessionId2":"12345"}"#,
    ),
];

#[test]
fn traps_are_not_findings() {
    for (why, category, payload) in TRAPS {
        let found = scan(category, payload);
        assert!(found.is_empty(), "{why}: {found:#?}");
    }
}

#[test]
fn url_password_is_a_secret_not_an_email_and_evidence_hides_it() {
    let found = scan(
        "error",
        r#"{"Message":"fetch https://bob:s3cretPw@host.contoso.com/a failed"}"#,
    );
    assert_eq!(kinds_at(&found, "payload/Message"), vec![Kind::SecretToken]);
    let f = &found[0];
    assert_eq!(f.span, Some(14..26));
    assert!(f.evidence.iter().all(|e| !e.contains("s3cretPw")));
    assert!(!format!("{f:?}").contains("s3cretPw"));
}

#[test]
fn url_passwords_with_at_or_bang_are_whole_secrets() {
    for (msg, secret) in [
        (
            "Sync of https://svc-sync:P@ssw0rd1@dav.teamspro.app/x failed",
            "svc-sync:P@ssw0rd1",
        ),
        (
            "Sync of https://backup:Winter2026!@dav.teamspro.app/x failed",
            "backup:Winter2026!",
        ),
    ] {
        let found = scan("error", &format!(r#"{{"Message":"{msg}"}}"#));
        assert_eq!(
            kinds_at(&found, "payload/Message"),
            vec![Kind::SecretToken],
            "{msg}"
        );
        assert_eq!(&msg[found[0].span.clone().unwrap()], secret);
    }
}

#[test]
fn multibyte_text_before_an_email_does_not_panic() {
    let found = scan(
        "usage",
        r#"{"team_name":"External – pm@southridgevideo.nl"}"#,
    );
    assert_eq!(kinds_at(&found, "payload/team_name"), vec![Kind::Email]);
}

#[test]
fn sip_uri_is_not_also_an_email() {
    let found = scan("error", r#"{"SipUri":"sip:alice@contoso.com"}"#);
    assert_eq!(kinds_at(&found, "payload/SipUri"), vec![Kind::SipUri]);
}

#[test]
fn identity_columns() {
    let guid = "E296D735-4F36-4E18-7C3B-52E1A02A0164";
    let e = event(
        "census",
        Some("5E872200-F546-4CCD-8F23-AF5F507AA2DD"),
        Some(guid),
        Some(guid),
        "{}",
    );
    let found = pii::scan_event(&e);
    let got: Vec<(&str, Kind)> = found.iter().map(|f| (f.field.as_str(), f.kind)).collect();
    assert_eq!(
        got,
        vec![
            ("session_id", Kind::SessionId),
            ("tenant_id", Kind::TenantId),
            ("user_id", Kind::HashedId)
        ]
    );
    let login = pii::scan_event(&event("error", None, None, Some("amosmarble"), "{}"));
    assert_eq!(login[0].kind, Kind::Username);
    let email = pii::scan_event(&event("usage", None, None, Some("amos@contoso.com"), "{}"));
    assert_eq!(email[0].kind, Kind::Email);
    let hex = pii::scan_event(&event("usage", None, None, Some(&"ab12".repeat(16)), "{}"));
    assert_eq!(hex[0].kind, Kind::HashedId);
}

#[test]
fn guid_equal_to_the_tenant_column_is_a_tenant_id() {
    let t = "5E872200-F546-4CCD-8F23-AF5F507AA2DD";
    let e = event(
        "usage",
        Some(t),
        None,
        None,
        &format!(r#"{{"orgRef":"{t}","request_id":"{t}"}}"#),
    );
    let found = pii::scan_event(&e);
    let f = found
        .iter()
        .find(|f| f.field == "payload/orgRef")
        .expect("linked");
    assert_eq!(f.kind, Kind::TenantId);
    assert!(f.evidence.iter().any(|e| e.contains("link")), "{f:?}");
}

#[test]
fn names_and_upns_from_structured_fields_are_recognised_in_free_text() {
    let found = scan(
        "support",
        r#"{"name":"Quentin Zarkowski","msUpn":"qz@contoso.com","note":"Escalated by Quentin Zarkowski for qz@contoso.com"}"#,
    );
    let note: Vec<&Finding> = found.iter().filter(|f| f.field == "payload/note").collect();
    assert_eq!(note.len(), 2, "{note:#?}");
    assert_eq!(note[0].kind, Kind::PersonName);
    assert_eq!(note[0].span, Some(13..30));
    assert!(
        note[0]
            .evidence
            .iter()
            .any(|e| e == "link: same name as payload/name")
    );
    assert_eq!(note[1].kind, Kind::Email);
    assert_eq!(note[1].confidence, Confidence::High);
    assert!(
        note[1]
            .evidence
            .iter()
            .any(|e| e == "link: same value as payload/msUpn")
    );
}

#[test]
fn field_name_hints_are_whole_tokens() {
    // `description` must not read as `ip`; `clientIp` must.
    let found = scan(
        "error",
        r#"{"description":"203.0.113.5","clientIp":"203.0.113.5"}"#,
    );
    let by: BTreeMap<&str, Confidence> = found
        .iter()
        .map(|f| (f.field.as_str(), f.confidence))
        .collect();
    assert_eq!(by["payload/clientIp"], Confidence::High);
    assert_eq!(by["payload/description"], Confidence::Medium);
    let ip = found
        .iter()
        .find(|f| f.field == "payload/clientIp")
        .expect("ip");
    assert!(
        ip.evidence.iter().any(|e| e == "field name client,ip"),
        "{ip:?}"
    );
    let key = scan("error", r#"{"headers":{"X-Api-Key":"abcd1234efgh5678"}}"#);
    assert_eq!(key[0].kind, Kind::SecretToken);
    assert!(key[0].evidence.iter().any(|e| e == "field name x,api,key"));
}

#[test]
fn non_json_payload_is_scanned_as_text() {
    let found = scan("error", "crash for alice@contoso.com from 203.0.113.9");
    let got: Vec<(&str, Kind, Option<Range<usize>>)> = found
        .iter()
        .map(|f| (f.field.as_str(), f.kind, f.span.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("payload", Kind::Email, Some(10..27)),
            ("payload", Kind::IpAddress, Some(33..44))
        ]
    );
}

#[test]
fn pointers_escape_and_index_arrays() {
    let found = scan(
        "error",
        r#"{"a/b":{"ips":["203.0.113.5"]},"m~n":"x@contoso.com"}"#,
    );
    let fields: Vec<&str> = found.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, vec!["payload/a~1b/ips/0", "payload/m~0n"]);
}

#[test]
fn findings_are_sorted_and_deterministic() {
    let payload = r#"{"z":"bob@contoso.com and 203.0.113.7","a":"sip:carol@contoso.com","m":"Grace Hopper 4111111111111111"}"#;
    let e = event(
        "error",
        Some("5E872200-F546-4CCD-8F23-AF5F507AA2DD"),
        None,
        Some("amosmarble"),
        payload,
    );
    let first = pii::scan_event(&e);
    for _ in 0..5 {
        assert_eq!(pii::scan_event(&e), first);
    }
    let keys: Vec<_> = first
        .iter()
        .map(|f| (f.field.clone(), f.span.as_ref().map(|r| r.start), f.kind))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert!(first.len() >= 6, "{first:#?}");
}

#[test]
fn scan_text_uses_context_links() {
    let ctx = Context {
        category: "error",
        tenant_id: Some("5E872200-F546-4CCD-8F23-AF5F507AA2DD"),
        session_id: None,
        user_id: None,
        names: vec![("Zed Quux", "payload/name".into())],
        emails: vec![],
    };
    let found = pii::scan_text(
        "payload/msg",
        "Zed Quux in 5E872200-F546-4CCD-8F23-AF5F507AA2DD",
        &ctx,
    );
    let kinds: Vec<Kind> = found.iter().map(|f| f.kind).collect();
    assert_eq!(kinds, vec![Kind::PersonName, Kind::TenantId]);
}

#[test]
fn masks_keep_shape_and_never_reveal() {
    let cases: &[(Kind, &str, &str, &[&str])] = &[
        (
            Kind::Email,
            "alice.hawking@contoso.com",
            "a***@contoso.com",
            &["alice", "hawking"],
        ),
        (Kind::IpAddress, "203.0.113.42", "203.0.113.***", &[".42"]),
        (
            Kind::PersonName,
            "Alice Hawking",
            "Al*** Ha***",
            &["Alice", "Hawking"],
        ),
        (
            Kind::CreditCard,
            "4111 1111 1111 1111",
            "****-****-****-1111",
            &["4111 1111"],
        ),
        (
            Kind::CreditCard,
            "378282246310005",
            "****-****-****-0005",
            &["3782822463"],
        ),
        (
            Kind::SipUri,
            "sip:alice@contoso.com",
            "sip:a***@contoso.com",
            &["alice"],
        ),
        (
            Kind::SecretToken,
            "bob:hunter2",
            "b********",
            &["hunter2", "bob"],
        ),
    ];
    for (kind, value, want, hidden) in cases {
        let m = pii::mask(*kind, value);
        assert_eq!(&m, want, "{kind}");
        for h in *hidden {
            assert!(!m.contains(h), "{kind}: {m} reveals {h}");
        }
    }
    for kind in Kind::ALL
        .into_iter()
        .filter(|k| matches!(k.class(), Class::Secret | Class::Pseudonymous))
    {
        let m = pii::mask(kind, "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl");
        assert!(!m.contains("eyJzdWIiOiIxIn0"), "{kind}: {m}");
    }
    let jwt = pii::mask(
        Kind::SecretToken,
        "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig",
    );
    assert!(
        jwt.starts_with("Bearer eyJ") && !jwt.contains("eyJzdWI"),
        "{jwt}"
    );
}

/// Scores the engine on a hand-labelled corpus (one JSON record per line: `category`, optional
/// id columns, `payload`, `expect` as `[field, kind]` pairs, and an optional `shape` naming
/// where the record comes from). Returns the scores and, by line, every miss and every
/// unexpected finding.
fn corpus_scores(corpus: &str) -> (Scores, Vec<String>) {
    let mut scores = Scores::default();
    let mut errors = vec![];
    for (i, line) in corpus
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("line {}: {e}", i + 1));
        let s = |k: &str| v.get(k).and_then(|x| x.as_str());
        let payload = match &v["payload"] {
            serde_json::Value::String(p) => p.clone(),
            other => other.to_string(),
        };
        let e = event(
            s("category").unwrap_or("error"),
            s("tenant_id"),
            s("session_id"),
            s("user_id"),
            &payload,
        );
        let expected: BTreeSet<(String, Kind)> = v["expect"]
            .as_array()
            .expect("expect")
            .iter()
            .map(|p| {
                (
                    p[0].as_str().expect("field").to_string(),
                    Kind::parse(p[1].as_str().expect("kind")).expect("kind name"),
                )
            })
            .collect();
        let got: BTreeSet<(String, Kind)> = pii::scan_event(&e)
            .into_iter()
            .map(|f| (f.field, f.kind))
            .collect();
        let (unexpected, missed) = scores.add(&expected, &got, |k| k.1.as_str());
        for (what, list) in [("unexpected", unexpected), ("missed", missed)] {
            errors.extend(
                list.iter()
                    .map(|(field, kind)| format!("line {}: {what} {kind} at {field}", i + 1)),
            );
        }
    }
    (scores, errors)
}

/// `corpus_scores`, with the report a corpus test prints (per-kind table, then every miss and
/// unexpected finding by line) and shows when it fails.
fn corpus_report(corpus: &str) -> (Scores, String) {
    let (scores, errors) = corpus_scores(corpus);
    let report = format!("{}{}", scores.table(), errors.join("\n"));
    println!("{report}");
    (scores, report)
}

#[test]
fn adversarial_corpus_precision_and_recall_per_kind() {
    let (scores, report) = corpus_report(include_str!("corpus/adversarial.jsonl"));
    for kind in scores.kinds.keys() {
        let (p, r) = scores.kind(kind);
        assert!(p >= 0.95 && r >= 0.95, "{kind} below 0.95:\n{report}");
    }
}

#[test]
fn snapshot_support_and_error_records() {
    let support = event(
        "support",
        Some("5E872200-F546-4CCD-8F23-AF5F507AA2DD"),
        Some("0F4A3B2C-1D2E-4F30-8A1B-2C3D4E5F6A7B"),
        Some("E296D735-4F36-4E18-7C3B-52E1A02A0164"),
        r#"{"intercomId":"alice.hawking@contoso.com","intercomEmail":"alice.hawking@contoso.com","locale":"EN-US","msTenantId":"5E872200-F546-4CCD-8F23-AF5F507AA2DD","msUpn":"alice.hawking@contoso.com","theme":"Dark","msUserId":"0B1C2D3E-4F50-6172-8394-A5B6C7D8E9F0","environment":"production","version":"1.2","name":"Alice Hawking","tld":"contoso.com"}"#,
    );
    insta::assert_debug_snapshot!("support_record", pii::scan_event(&support));
    let error = event(
        "error",
        Some("5E872200-F546-4CCD-8F23-AF5F507AA2DD"),
        Some("0F4A3B2C-1D2E-4F30-8A1B-2C3D4E5F6A7B"),
        Some("amosmarble"),
        r#"{"ErrorCode":"0x80070005","Message":"Sign-in failed for amos.marble@contoso.com from 203.0.113.42 (add-in 2.1.0.3)","Exception":{"type":"UnauthorizedAccessException","stack":"at Auth() in C:\\Users\\amosmarble\\src\\auth.cs:line 42"},"ClientIP":"2001:db8::8a2e:370:7334","SipUri":"sip:amos.marble@contoso.com","ConversationThreadId":"AdDO8hsJqilU93hQHC3OZaPR2saEA==","UserID":"amosmarble","OSVersion":"10.0.19041.1","headers":{"Authorization":"Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"}}"#,
    );
    insta::assert_debug_snapshot!("error_record", pii::scan_event(&error));
}

/// Multi-byte characters next to any identifier must never make the engine slice inside a
/// character (an en dash before an email once did), and spans stay on character boundaries.
#[test]
fn multibyte_text_around_identifiers_never_panics() {
    let samples = [
        "External – pm@southridgevideo.nl",
        "https://bob:pw@host.example/x",
        "sip:alice@contoso.com",
        "call +44 20 7946 0958 now",
        "card 4111 1111 1111 1111 declined",
        "ip 203.0.113.7 and fe80::1ff:fe23:4567:890a",
        "C:\\Users\\alice\\AppData",
        "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig",
        "IBAN DE89 3704 0044 0532 0130 00",
        "Alice Hawking's iPhone",
    ];
    for sample in samples {
        for insert in ["–", "é", "日", "\u{202e}"] {
            let mut at = 0;
            while at <= sample.len() {
                if sample.is_char_boundary(at) {
                    let text = format!("{}{insert}{}", &sample[..at], &sample[at..]);
                    let payload = serde_json::json!({ "message": text }).to_string();
                    let event = telex::model::Event {
                        summary: telex::model::EventSummary {
                            id: 1,
                            ts: "2026-09-01T00:00:00.000Z".into(),
                            category: "error".into(),
                            name: "x".into(),
                            tenant_id: None,
                            session_id: None,
                            user_id: None,
                        },
                        app_name: None,
                        app_version: None,
                        payload: Some(payload),
                        extra: vec![],
                    };
                    for f in pii::scan_event(&event) {
                        if let Some(span) = f.span {
                            assert!(
                                text.is_char_boundary(span.start)
                                    && text.is_char_boundary(span.end),
                                "{text:?} {span:?}"
                            );
                        }
                    }
                }
                at += 1;
            }
        }
    }
}

#[test]
fn an_iban_whose_digits_pass_luhn_is_an_iban() {
    let text = "SEPA direct debit rejected for IBAN IE75 AIBK 3034 1755 0367 89: account closed";
    let kinds: Vec<Kind> = pii::scan_text("payload/Message", text, &pii::Context::default())
        .iter()
        .map(|f| f.kind)
        .collect();
    assert_eq!(kinds, [Kind::Iban]);
}

/// A scanner that has seen earlier events (and remembers their values' findings) finds what
/// a fresh one finds: in every order, with the same values in records whose columns, learnt
/// names and emails, and category differ.
#[test]
fn a_scanners_memory_never_changes_findings() {
    let guid = "5E872200-F546-4CCD-8F23-AF5F507AA2DD";
    let payloads = [
        format!(
            r#"{{"Message":"tenant {guid} failed","note":"Alice Hawking called","x":"amos@contoso.com"}}"#
        ),
        format!(
            r#"{{"UserID":"{guid}","DeviceName":"Alice Hawking's iPhone","OSVersion":"10.0.19041.1"}}"#
        ),
        r#"{"name":"Alice Hawking","note":"Alice Hawking called","x":"amos@contoso.com"}"#
            .to_string(),
        r#"{"msUpn":"amos@contoso.com","note":"Alice Hawking called","x":"amos@contoso.com"}"#
            .to_string(),
        r#"{"note":"Alice Hawking called","x":"amos@contoso.com","tid":"T-CONTOSO"}"#.to_string(),
        r#"{"ClientIP":"203.0.113.9","Message":"call +1 425 555 0100"}"#.to_string(),
    ];
    let mut events = Vec::new();
    for category in ["census", "support", "error"] {
        // A tenant equal to the user column makes that user value a tenant id there.
        for tenant in [
            None,
            Some(guid),
            Some("T-CONTOSO"),
            Some("amos@contoso.com"),
        ] {
            // A hashed id, a cleartext email (compared with the record's other columns) and
            // a login: the identity columns' own memory must keep each apart.
            for user in [guid, "amos@contoso.com", "amos"] {
                for p in &payloads {
                    events.push(event(category, tenant, Some("S-1"), Some(user), p));
                }
            }
        }
    }
    let fresh: Vec<Vec<Finding>> = events
        .iter()
        .map(|e| pii::EventScanner::new().scan(e).to_vec())
        .collect();
    let mut warm = pii::EventScanner::new();
    for round in 0..4 {
        // Forward, backward, then interleaved, so every value is seen before in other records.
        let order: Vec<usize> = match round {
            0 => (0..events.len()).collect(),
            1 => (0..events.len()).rev().collect(),
            _ => (0..events.len())
                .map(|i| (i * 7 + round) % events.len())
                .collect(),
        };
        for i in order {
            let out = warm.scan(&events[i]);
            assert_eq!(out, fresh[i], "round {round}, event {i}: {:?}", events[i]);
        }
    }
}

/// A scanner answers for the event it scanned last, whatever it scanned before: its findings,
/// its payload's values and fields; a record that differs only in an extra column or an id
/// column gets its own findings.
#[test]
fn a_scanner_answers_for_the_last_event() {
    let payload = r#"{"msUpn":"amos@contoso.com","n":3,"DeviceName":"Alice Hawking's iPhone"}"#;
    let other = r#"{"msUpn":"bea@fabrikam.com","Message":"call +1 425 555 0100"}"#;
    let a = event(
        "support",
        None,
        Some("S-1"),
        Some("amos@contoso.com"),
        payload,
    );
    let b = event("support", None, Some("S-1"), None, other);
    let mut with_extra = a.clone();
    with_extra.extra = vec![("contact".into(), Some("bea@fabrikam.com".into()))];
    let mut other_user = a.clone();
    other_user.summary.user_id = None;
    let fresh = |e: &Event| pii::EventScanner::with_all_fields().scan(e).to_vec();
    let mut sc = pii::EventScanner::with_all_fields();
    for (round, e) in [&a, &b, &a, &b, &a, &with_extra, &a, &other_user, &a, &b, &a]
        .into_iter()
        .enumerate()
    {
        assert_eq!(sc.scan(e), fresh(e), "round {round}");
        assert_eq!(sc.findings(), fresh(e), "round {round}");
        let upn = e.payload.as_deref().unwrap().split('"').nth(3).unwrap();
        assert_eq!(
            sc.value(e, "payload/msUpn").as_deref(),
            Some(upn),
            "round {round}"
        );
        let fields: Vec<&str> = sc.payload_fields().unwrap().collect();
        let want: &[&str] = if e.payload.as_deref() == Some(payload) {
            &["payload/msUpn", "payload/n", "payload/DeviceName"]
        } else {
            &["payload/msUpn", "payload/Message"]
        };
        assert_eq!(fields, want, "round {round}");
    }
    assert!(fresh(&with_extra).iter().any(|f| f.field == "contact"));
    assert_ne!(fresh(&other_user), fresh(&a));
}

/// Export shapes the generator never writes (Sentry, Application Insights, Segment,
/// OpenTelemetry, Mixpanel, Amplitude), labelled by hand before the engine saw them: a
/// held-out check that the detectors are not fitted to the generator's own payloads. No
/// longer blind: the user-id kind rule was written for two of its records (see the blind
/// corpus below).
#[test]
fn foreign_export_shapes_precision_and_recall() {
    let (scores, report) = corpus_report(include_str!("corpus/foreign-shapes.jsonl"));
    let (p, r, _) = scores.micro();
    assert!(p >= 0.95 && r >= 0.9, "{report}");
}

/// More shapes the generator never writes (PostHog, Datadog RUM, Bugsnag, Rollbar, GA4,
/// Entra sign-in logs, Windows security events, OpenTelemetry spans, crash reports, a support
/// ticket, a purchase event, census traps), labelled by hand and added after the engine's
/// rules were last changed, and not fitted to since: what it scores is what it scores. The
/// floor only catches a regression.
#[test]
fn blind_export_shapes_precision_and_recall() {
    let (scores, report) = corpus_report(include_str!("corpus/blind-shapes.jsonl"));
    let (p, r, _) = scores.micro();
    // Measured when it was added: precision 0.974, recall 0.860.
    assert!(p >= 0.95 && r >= 0.8, "{report}");
}

/// Nested exports name a value by its parent's key (`user.id`, `context.device.id`,
/// `traits.company.name`): the bare `id` or `name` below takes the parent's hints.
#[test]
fn generic_keys_take_their_parents_hints() {
    let found = scan(
        "usage",
        r#"{"context":{"device":{"id":"B5372DB0-C21E-11E4-8DFC-AA07A5B093DB","name":"kiosk-7"},"session":{"id":"Qm7tR4vZ"}},"traits":{"name":"Peter Gibbons","company":{"name":"Initech"}},"user":{"id":"a81bc81b-dead-4e5d-abff-90865d1e13b1","name":"Jane Doe"}}"#,
    );
    let at = |field: &str| kinds_at(&found, field);
    assert_eq!(at("payload/context/device/id"), [Kind::DeviceId]);
    assert_eq!(at("payload/context/session/id"), [Kind::SessionId]);
    assert_eq!(at("payload/traits/name"), [Kind::PersonName]);
    assert_eq!(at("payload/traits/company/name"), [Kind::OrgName]);
    assert_eq!(at("payload/user/id"), [Kind::HashedId]);
    // Under a person's key, `name` is still that person's name.
    assert_eq!(at("payload/user/name"), [Kind::PersonName]);
    assert_eq!(at("payload/context/device/name"), []);
    let device = found
        .iter()
        .find(|f| f.field == "payload/context/device/id")
        .unwrap();
    assert!(
        device.evidence.iter().any(|e| e == "field name device,id"),
        "{device:?}"
    );
}

/// OpenTelemetry attributes and HAR headers name a value in a sibling (`{"key": "session.id",
/// "value": {"stringValue": …}}`, `{"name": "X-Api-Key", "value": …}`): that name hints it
/// as a key would, both ways, whichever member comes first.
#[test]
fn key_value_pairs_hint_their_value() {
    let key_first = r#"{"attributes":[{"key":"session.id","value":{"stringValue":"Qm7tR4vZ"}},{"key":"user.name","value":{"stringValue":"jdoe"}},{"key":"enduser.id","value":{"stringValue":"kim.lee@contoso.com"}},{"key":"service.version","value":{"stringValue":"10.0.19041.1"}},{"key":"device.id","value":{"stringValue":"B5372DB0-C21E-11E4-8DFC-AA07A5B093DB"}}],"headers":[{"name":"X-Api-Key","value":"k3y9Qz7Lw2Xv8Rt5"},{"name":"Content-Type","value":"application/json"}]}"#;
    // JSON does not order an object's members: the same pairs, each value before its name.
    let value_first = r#"{"attributes":[{"value":{"stringValue":"Qm7tR4vZ"},"key":"session.id"},{"value":{"stringValue":"jdoe"},"key":"user.name"},{"value":{"stringValue":"kim.lee@contoso.com"},"key":"enduser.id"},{"value":{"stringValue":"10.0.19041.1"},"key":"service.version"},{"value":{"stringValue":"B5372DB0-C21E-11E4-8DFC-AA07A5B093DB"},"key":"device.id"}],"headers":[{"value":"k3y9Qz7Lw2Xv8Rt5","name":"X-Api-Key"},{"value":"application/json","name":"Content-Type"}]}"#;
    for payload in [key_first, value_first] {
        let found = scan("error", payload);
        let at = |field: &str| kinds_at(&found, field);
        let attribute = |i: usize| at(&format!("payload/attributes/{i}/value/stringValue"));
        assert_eq!(attribute(0), [Kind::SessionId], "{payload}");
        assert_eq!(attribute(1), [Kind::Username], "{payload}");
        assert_eq!(attribute(2), [Kind::Email], "{payload}");
        assert_eq!(attribute(3), [], "{payload}");
        assert_eq!(attribute(4), [Kind::DeviceId], "{payload}");
        assert_eq!(
            at("payload/headers/0/value"),
            [Kind::SecretToken],
            "{payload}"
        );
        assert_eq!(at("payload/headers/1/value"), [], "{payload}");
        for (i, hint) in [(0, "field name session,id"), (2, "field name enduser,id")] {
            let field = format!("payload/attributes/{i}/value/stringValue");
            let f = found.iter().find(|f| f.field == field).unwrap();
            assert!(f.evidence.iter().any(|e| e == hint), "{f:?}");
        }
    }
}

/// A user id is a `user_guid` only when shaped as a GUID, and not in census and usage
/// records, whose practice statements declare their user ids hashed; any other user id is a
/// `hashed_id`, as is one whose key says so.
#[test]
fn user_ids_are_user_guids_by_shape_and_practice() {
    #[rustfmt::skip]
    let cases = [
        ("error", r#"{"user":{"id":"{g}"}}"#, "payload/user/id", Kind::UserGuid),
        ("support", r#"{"userId":"{g}"}"#, "payload/userId", Kind::UserGuid),
        ("census", r#"{"UserID":"{g}"}"#, "payload/UserID", Kind::HashedId),
        ("usage", r#"{"userId":"{g}"}"#, "payload/userId", Kind::HashedId),
        ("error", r#"{"userIdHash":"{g}"}"#, "payload/userIdHash", Kind::HashedId),
        ("support", r#"{"userId":"97980cfea0067"}"#, "payload/userId", Kind::HashedId),
        ("census", r#"{"msUserId":"{g}"}"#, "payload/msUserId", Kind::UserGuid),
    ];
    for (category, payload, field, kind) in cases {
        let payload = payload.replace("{g}", "a81bc81b-dead-4e5d-abff-90865d1e13b1");
        let found = scan(category, &payload);
        assert_eq!(kinds_at(&found, field), [kind], "{category} {payload}");
    }
}

#[test]
fn advertising_anonymous_and_remote_address_keys_hint() {
    let found = scan(
        "usage",
        r#"{"idfa":"AEBE52E7-03EE-455A-B3C4-E57283966239","advertisingId":"7A3CBEA0-BDF5-11E4-8DFC-AA07A5B093DB","anonymousId":"507f191e810c19729de860ea","REMOTE_ADDR":"2001:db8::1f"}"#,
    );
    let at = |field: &str| kinds_at(&found, field);
    assert_eq!(at("payload/idfa"), [Kind::DeviceId]);
    assert_eq!(at("payload/advertisingId"), [Kind::DeviceId]);
    assert_eq!(at("payload/anonymousId"), [Kind::HashedId]);
    assert_eq!(at("payload/REMOTE_ADDR"), [Kind::IpAddress]);
}

/// A name learnt with its title (`Dr. Aisha Okafor`) is found where the text leaves it out.
#[test]
fn learnt_names_are_found_without_their_title() {
    let found = scan(
        "support",
        r#"{"displayName":"Dr. Aisha Okafor","transcript":"Aisha Okafor: it fails again"}"#,
    );
    let f = found
        .iter()
        .find(|f| f.field == "payload/transcript")
        .unwrap_or_else(|| panic!("{found:#?}"));
    assert_eq!((f.kind, f.span.clone()), (Kind::PersonName, Some(0..12)));
    assert!(
        f.evidence.iter().any(|e| e.contains("payload/displayName")),
        "{f:?}"
    );
}

#[test]
fn numbers_named_as_coordinates_are_places() {
    // Segment's `context.location`, GeoJSON, and the traps: a default 0, a whole degree, a
    // number out of range for its axis, a latency that merely starts with `lat`.
    let payload = r#"{"context":{"location":{"latitude":47.60620,"longitude":-122.3321,"city":"Seattle"}},"geometry":{"type":"Point","coordinates":[-122.33,47.61]},"pos":{"lat":0.0,"long":12.5,"lng":200.125},"origin":{"lat":48,"lon":2.35},"latencyMs":12.345,"count":3}"#;
    let found = scan("usage", payload);
    let got: Vec<(&str, Kind, Confidence)> = found
        .iter()
        .map(|f| (f.field.as_str(), f.kind, f.confidence))
        .collect();
    use Confidence::{High, Medium};
    assert_eq!(
        got,
        vec![
            (
                "payload/context/location/latitude",
                Kind::GeoCoordinates,
                High
            ),
            (
                "payload/context/location/longitude",
                Kind::GeoCoordinates,
                High
            ),
            (
                "payload/geometry/coordinates/0",
                Kind::GeoCoordinates,
                Medium
            ),
            (
                "payload/geometry/coordinates/1",
                Kind::GeoCoordinates,
                Medium
            ),
            ("payload/origin/lon", Kind::GeoCoordinates, Medium),
        ]
    );
    let lat = &found[0];
    assert_eq!(lat.span, None);
    assert_eq!(
        lat.evidence,
        [
            "pattern: decimal degrees",
            "validator: latitude range",
            "field name latitude"
        ]
    );
    // The value behind the finding is the number as serde_json reads it, masked by default.
    let e = event("usage", None, None, None, payload);
    assert_eq!(telex::inventory::masked_value(&e, lat), "47.6***");
    let mut scanner = pii::EventScanner::new();
    scanner.scan(&e);
    assert_eq!(scanner.value(&e, &lat.field).as_deref(), Some("47.6062"));
    // A redacted extract replaces the numbers, and only them.
    let redacted = telex::redact::apply(&e, &found, &mut telex::redact::Mask);
    let json: serde_json::Value =
        serde_json::from_str(redacted.payload.as_deref().unwrap()).unwrap();
    assert_eq!(json["context"]["location"]["latitude"], "47.6***");
    assert_eq!(json["geometry"]["coordinates"][1], "47.6***");
    assert_eq!(json["pos"]["long"], 12.5);
    assert_eq!(json["latencyMs"], 12.345);
    // `long` alone is no hint for a string value.
    assert!(
        scan("usage", r#"{"long":"see 47.6062, -122.3321 here"}"#)
            .iter()
            .all(|f| f.confidence != High)
    );
}

#[test]
fn coordinates_in_a_payload_with_a_repeated_key_are_shown_from_serde_json() {
    let payload = r#"{"lat":1.5,"lat":47.6062,"lng":-122.3321}"#;
    let e = event("usage", None, None, None, payload);
    let found = pii::scan_event(&e);
    let lat = found
        .iter()
        .find(|f| f.field == "payload/lat")
        .expect("lat found");
    let mut scanner = pii::EventScanner::new();
    scanner.scan(&e);
    // serde_json keeps the last of repeated keys: that is the value shown.
    assert_eq!(scanner.value(&e, "payload/lat").as_deref(), Some("47.6062"));
    assert_eq!(telex::inventory::masked_value(&e, lat), "47.6***");
}
