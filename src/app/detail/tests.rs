//! The detail document's unit tests: printing, cutting, raw payloads, highlights and masks.

use super::*;
use crate::model::EventSummary;

fn event(payload: &str) -> Event {
    Event {
        summary: EventSummary {
            id: 1,
            ts: "2026-09-01T08:00:00.000Z".into(),
            category: "usage".into(),
            name: "n".into(),
            tenant_id: None,
            session_id: None,
            user_id: None,
        },
        app_name: None,
        app_version: None,
        payload: Some(payload.into()),
        extra: vec![],
    }
}

fn build(event: Event, width: usize) -> DetailDoc {
    let inspected = Inspected {
        event,
        findings: vec![],
        breaches: vec![],
    };
    DetailDoc::build(inspected, false, width)
}

fn plain(doc: &DetailDoc) -> Vec<String> {
    doc.lines
        .iter()
        .map(|l| l.spans.iter().map(|(_, s)| s.as_str()).collect())
        .collect()
}

#[test]
fn json_is_pretty_printed_with_tones_and_escapes() {
    let doc = build(event(r#"{"a":{"b":[1,true,null]},"s":"x\u001b[2J"}"#), 0);
    let text = plain(&doc);
    let start = text.iter().position(|l| l == "payload").unwrap() + 1;
    let end = start + text[start..].iter().position(String::is_empty).unwrap();
    let payload = &text[start..end];
    assert_eq!(
        payload,
        [
            "{",
            "  \"a\": {",
            "    \"b\": [",
            "      1,",
            "      true,",
            "      null",
            "    ]",
            "  },",
            "  \"s\": \"x\\x1b[2J\"",
            "}"
        ]
    );
    let tones: Vec<Tone> = doc
        .lines
        .iter()
        .flat_map(|l| l.spans.iter().map(|s| s.0))
        .collect();
    for tone in [Tone::Key, Tone::Number, Tone::Literal, Tone::Str] {
        assert!(tones.contains(&tone), "{tone:?}");
    }
}

#[test]
fn huge_strings_are_cut_with_their_size_and_lines_wrap() {
    let big = "y".repeat(3 * 1024 * 1024);
    let doc = build(event(&format!(r#"{{"big":"{big}"}}"#)), 50);
    let text = plain(&doc).join("");
    assert!(text.contains("… (3.0 MB)"), "{}", &text[text.len() - 80..]);
    assert!(doc.lines.iter().all(|l| l.width() <= 50));
    assert!(doc.lines.len() < 100);
}

#[test]
fn non_json_payload_is_raw_text() {
    let doc = build(event("line one\nline\u{202e} two"), 0);
    let text = plain(&doc);
    assert!(text.iter().any(|l| l.starts_with("payload (not JSON")));
    assert!(text.contains(&"line\\u{202e} two".to_string()));
}

#[test]
fn identifiers_are_highlighted_in_place_masked_on_demand_and_listed() {
    let mut e = event(r#"{"msUpn":"alice@contoso.com","items":[{"ip":"203.0.113.7"}]}"#);
    e.summary.user_id = Some("alice@contoso.com".into());
    let findings = crate::pii::scan_event(&e);
    assert!(findings.iter().any(|f| f.field == "payload/items/0/ip"));
    let inspected = Inspected {
        event: e,
        findings,
        breaches: vec![],
    };
    let mut doc = DetailDoc::build(inspected, false, 0);
    let idents: Vec<(Class, &str)> = doc
        .lines
        .iter()
        .flat_map(|l| l.spans.iter())
        .filter_map(|(tone, s)| match tone {
            Tone::Ident(c) => Some((*c, s.as_str())),
            _ => None,
        })
        .collect();
    assert!(
        idents.contains(&(Class::User, "alice@contoso.com")),
        "{idents:?}"
    );
    assert!(idents.contains(&(Class::User, "203.0.113.7")), "{idents:?}");
    let text = plain(&doc).join("\n");
    assert!(text.contains("findings ("), "{text}");
    assert!(text.contains("payload/msUpn"), "{text}");

    doc.set_masked(true, 0);
    let text = plain(&doc).join("\n");
    assert!(
        !text.contains("alice@") && !text.contains("203.0.113.7"),
        "{text}"
    );
    assert!(text.contains("a***@contoso.com") && text.contains("203.0.113.***"));
    doc.set_masked(false, 0);
    assert!(plain(&doc).join("\n").contains("alice@contoso.com"));
}

#[test]
fn coordinates_are_highlighted_in_place_and_masked_on_demand() {
    let e = event(r#"{"location":{"lat":47.6062,"lng":-122.3321},"count":3}"#);
    let findings = crate::pii::scan_event(&e);
    let inspected = Inspected {
        event: e,
        findings,
        breaches: vec![],
    };
    let mut doc = DetailDoc::build(inspected, false, 0);
    let idents: Vec<&str> = doc
        .lines
        .iter()
        .flat_map(|l| l.spans.iter())
        .filter_map(|(tone, s)| matches!(tone, Tone::Ident(_)).then_some(s.as_str()))
        .collect();
    // The two values in place, then the findings list's kinds.
    assert_eq!(
        idents,
        ["47.6062", "-122.3321", "geo_coordinates", "geo_coordinates"]
    );
    let text = plain(&doc).join("\n");
    assert!(text.contains("\"count\": 3"), "{text}");
    doc.set_masked(true, 0);
    let text = plain(&doc).join("\n");
    assert!(
        !text.contains("47.6062") && !text.contains("122.3321"),
        "{text}"
    );
    assert!(text.contains("\"lat\": 47.6***"), "{text}");
}

#[test]
fn raw_payload_spans_are_highlighted_across_lines() {
    let e = event("first line\nmail bob@example.org now");
    let findings = crate::pii::scan_event(&e);
    let doc = DetailDoc::build(
        Inspected {
            event: e,
            findings,
            breaches: vec![],
        },
        true,
        0,
    );
    let text = plain(&doc);
    assert!(text.contains(&"first line".to_string()), "{text:?}");
    assert!(
        text.iter().any(|l| l == "mail b***@example.org now"),
        "{text:?}"
    );
}
