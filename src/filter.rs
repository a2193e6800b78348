//! The filter language shared by the filter bar and every batch command: text → `Filter`
//! (with the position and reason of any error) and `Filter` → canonical text.
//!
//! ```text
//! category:error tenant:5E87* -name:app_heartbeat since:-7d until:2026-09-30 "sign-in failed"
//! ```
//! Terms are separated by spaces and must all hold; positive terms on the same key are
//! alternatives. `-` negates a term, `*` matches any run of characters, quoted or bare words
//! without a key are matched case-insensitively in the payload.

use std::fmt;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

use crate::model::{AgoUnit, Class, Field, Filter, Kind, Term, Test, TimeBound};

/// Why a filter text was rejected, and where (a character offset into the text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError {
    pub position: usize,
    pub message: String,
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at column {}: {}", self.position + 1, self.message)
    }
}

impl std::error::Error for FilterError {}

/// The keys every export understands, in the order the help lists them. The last four ask
/// about findings and are answered from the privacy cache.
pub const KEYS: [&str; 14] = [
    "category", "tenant", "session", "user", "name", "app", "version", "since", "until", "has",
    "kind", "class", "field", "violates",
];

/// The values `has:` takes: `pii` (any finding) or a class.
pub const HAS_VALUES: [&str; 5] = ["pii", "user", "org", "pseudonymous", "secret"];

/// Parses filter text. `extra_columns` are the export's columns beyond the native schema,
/// which become keys of their own.
pub fn parse(text: &str, extra_columns: &[String]) -> Result<Filter, FilterError> {
    let mut terms = Vec::new();
    for token in tokens(text)? {
        terms.push(term(&token, extra_columns)?);
    }
    Ok(Filter { terms })
}

/// A whitespace-separated piece of the text, with quotes already removed from its value.
struct Token {
    start: usize,
    negated: bool,
    /// `Some((key, key_start))` for `key:value`.
    key: Option<(String, usize)>,
    value: String,
    value_start: usize,
    quoted: bool,
}

fn tokens(text: &str) -> Result<Vec<Token>, FilterError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let negated = chars[i] == '-' && chars.get(i + 1).is_some_and(|c| !c.is_whitespace());
        if negated {
            i += 1;
        }
        let mut key = None;
        if chars[i] != '"' {
            let key_start = i;
            let mut j = i;
            while j < chars.len() && (chars[j].is_alphanumeric() || chars[j] == '_') {
                j += 1;
            }
            if j > i && chars.get(j) == Some(&':') {
                key = Some((chars[i..j].iter().collect::<String>(), key_start));
                i = j + 1;
            }
        }
        let value_start = i;
        let (value, quoted, next) = if chars.get(i) == Some(&'"') {
            quoted_value(&chars, i)?
        } else {
            let mut j = i;
            while j < chars.len() && !chars[j].is_whitespace() {
                j += 1;
            }
            (chars[i..j].iter().collect(), false, j)
        };
        if next < chars.len() && !chars[next].is_whitespace() {
            return Err(FilterError {
                position: next,
                message: "put a space after the closing quote".into(),
            });
        }
        out.push(Token {
            start,
            negated,
            key,
            value,
            value_start,
            quoted,
        });
        i = next;
    }
    Ok(out)
}

/// Reads `"…"` starting at `open`; `\"` and `\\` are escapes. Returns the value and the index
/// after the closing quote.
fn quoted_value(chars: &[char], open: usize) -> Result<(String, bool, usize), FilterError> {
    let mut value = String::new();
    let mut j = open + 1;
    while j < chars.len() {
        match chars[j] {
            '"' => return Ok((value, true, j + 1)),
            '\\' if matches!(chars.get(j + 1), Some('"' | '\\')) => {
                value.push(chars[j + 1]);
                j += 2;
            }
            c => {
                value.push(c);
                j += 1;
            }
        }
    }
    Err(FilterError {
        position: open,
        message: "this quote is never closed".into(),
    })
}

fn term(token: &Token, extra_columns: &[String]) -> Result<Term, FilterError> {
    let negated = token.negated;
    let Some((key, key_start)) = &token.key else {
        if token.value.is_empty() {
            return Err(FilterError {
                position: token.start,
                message: "empty text: write something between the quotes".into(),
            });
        }
        return Ok(Term {
            negated,
            test: Test::Text(token.value.clone()),
        });
    };
    // `violates:` alone means any rule.
    if key == "violates" {
        let rule = (!token.value.is_empty()).then(|| token.value.clone());
        return Ok(Term {
            negated,
            test: Test::Violates(rule),
        });
    }
    if token.value.is_empty() && !token.quoted {
        return Err(FilterError {
            position: token.value_start,
            message: format!("`{key}:` needs a value"),
        });
    }
    let field = match key.as_str() {
        "category" => Field::Category,
        "tenant" => Field::Tenant,
        "session" => Field::Session,
        "user" => Field::User,
        "name" => Field::Name,
        "app" => Field::App,
        "version" => Field::Version,
        "since" | "until" => {
            let bound = time_bound(&token.value).ok_or_else(|| FilterError {
                position: token.value_start,
                message: format!(
                    "`{key}:` takes a date (2026-09-01), an RFC 3339 time \
                     (2026-09-01T12:00:00Z) or an offset back from now (-7d, -12h, -30m, -2w)"
                ),
            })?;
            let test = if key == "since" {
                Test::Since(bound)
            } else {
                Test::Until(bound)
            };
            return Ok(Term { negated, test });
        }
        "has" | "kind" | "class" | "field" => {
            return Ok(Term {
                negated,
                test: privacy_test(key, token)?,
            });
        }
        other if extra_columns.iter().any(|c| c == other) => Field::Column(other.to_string()),
        other => {
            let mut known: Vec<&str> = KEYS.to_vec();
            known.extend(extra_columns.iter().map(String::as_str));
            return Err(FilterError {
                position: *key_start,
                message: format!("unknown key `{other}` (keys: {})", known.join(" ")),
            });
        }
    };
    Ok(Term {
        negated,
        test: Test::Equals(field, token.value.clone()),
    })
}

/// `has:`, `kind:`, `class:` or `field:` with its value checked against DESIGN §2's names.
fn privacy_test(key: &str, token: &Token) -> Result<Test, FilterError> {
    let value = token.value.as_str();
    let bad = |what: &str, valid: &[&str]| FilterError {
        position: token.value_start,
        message: format!("unknown {what} `{value}` (valid: {})", valid.join(" ")),
    };
    let classes = Class::ALL.map(Class::as_str);
    match key {
        "has" if value == "pii" => Ok(Test::Has(None)),
        "has" => Class::parse(value)
            .map(|c| Test::Has(Some(c)))
            .ok_or_else(|| bad("`has:` value", &HAS_VALUES)),
        "kind" => Kind::parse(value)
            .map(Test::Kind)
            .ok_or_else(|| bad("kind", &Kind::ALL.map(Kind::as_str))),
        "class" => Class::parse(value)
            .map(Test::Class)
            .ok_or_else(|| bad("class", &classes)),
        _ => Ok(Test::InField(value.to_string())),
    }
}

fn time_bound(text: &str) -> Option<TimeBound> {
    if let Some(rest) = text.strip_prefix('-') {
        let unit = match rest.chars().last()? {
            'm' => AgoUnit::Minutes,
            'h' => AgoUnit::Hours,
            'd' => AgoUnit::Days,
            'w' => AgoUnit::Weeks,
            _ => return None,
        };
        let amount: u32 = rest[..rest.len() - 1].parse().ok()?;
        return Some(TimeBound::Ago { amount, unit });
    }
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Some(TimeBound::Date(date));
    }
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| TimeBound::At(t.with_timezone(&Utc)))
}

impl fmt::Display for Filter {
    /// The canonical text of the filter; parsing it gives the same `Filter` back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, term) in self.terms.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{term}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.negated {
            f.write_str("-")?;
        }
        match &self.test {
            Test::Equals(field, value) => write!(f, "{}:{}", field.key(), quote_if_needed(value)),
            Test::Since(bound) => write!(f, "since:{bound}"),
            Test::Until(bound) => write!(f, "until:{bound}"),
            Test::Text(text) => f.write_str(&quote(text)),
            Test::Has(None) => f.write_str("has:pii"),
            Test::Has(Some(class)) => write!(f, "has:{class}"),
            Test::Kind(kind) => write!(f, "kind:{kind}"),
            Test::Class(class) => write!(f, "class:{class}"),
            Test::InField(field) => write!(f, "field:{}", quote_if_needed(field)),
            Test::Violates(None) => f.write_str("violates:"),
            Test::Violates(Some(rule)) => write!(f, "violates:{}", quote_if_needed(rule)),
        }
    }
}

impl fmt::Display for TimeBound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TimeBound::Date(d) => write!(f, "{}", d.format("%Y-%m-%d")),
            TimeBound::At(t) => f.write_str(&t.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
            TimeBound::Ago { amount, unit } => write!(f, "-{amount}{}", unit.suffix()),
        }
    }
}

fn quote_if_needed(value: &str) -> String {
    if value.is_empty() || value.chars().any(|c| c.is_whitespace() || c == '"') {
        quote(value)
    } else {
        value.to_string()
    }
}

fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Filter {
        parse(text, &["region".to_string()]).unwrap()
    }

    fn err(text: &str) -> FilterError {
        parse(text, &[]).unwrap_err()
    }

    fn eq(field: Field, value: &str) -> Term {
        Term {
            negated: false,
            test: Test::Equals(field, value.into()),
        }
    }

    #[test]
    fn parses_every_key() {
        let f = p(
            "category:error tenant:T1 session:S1 user:u1 name:sign* app:TeamsPro \
                   version:2.1.0 region:eu",
        );
        assert_eq!(
            f.terms,
            vec![
                eq(Field::Category, "error"),
                eq(Field::Tenant, "T1"),
                eq(Field::Session, "S1"),
                eq(Field::User, "u1"),
                eq(Field::Name, "sign*"),
                eq(Field::App, "TeamsPro"),
                eq(Field::Version, "2.1.0"),
                eq(Field::Column("region".into()), "eu"),
            ]
        );
    }

    #[test]
    fn parses_times_dates_and_offsets() {
        let f = p("since:2026-09-01 until:2026-09-30T12:00:00+02:00 since:-7d until:-12h");
        let at = DateTime::parse_from_rfc3339("2026-09-30T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            f.terms.iter().map(|t| t.test.clone()).collect::<Vec<_>>(),
            vec![
                Test::Since(TimeBound::Date(
                    NaiveDate::from_ymd_opt(2026, 9, 1).unwrap()
                )),
                Test::Until(TimeBound::At(at)),
                Test::Since(TimeBound::Ago {
                    amount: 7,
                    unit: AgoUnit::Days
                }),
                Test::Until(TimeBound::Ago {
                    amount: 12,
                    unit: AgoUnit::Hours
                }),
            ]
        );
    }

    #[test]
    fn quoted_and_bare_words_are_payload_text_and_dash_negates() {
        let f = p(r#""sign-in failed" -"timeout" crash -category:census"#);
        assert_eq!(
            f.terms,
            vec![
                Term {
                    negated: false,
                    test: Test::Text("sign-in failed".into())
                },
                Term {
                    negated: true,
                    test: Test::Text("timeout".into())
                },
                Term {
                    negated: false,
                    test: Test::Text("crash".into())
                },
                Term {
                    negated: true,
                    test: Test::Equals(Field::Category, "census".into())
                },
            ]
        );
    }

    #[test]
    fn quoted_values_keep_spaces_and_escapes() {
        let f = p(r#"name:"a b" "say \"hi\" \\ ok""#);
        assert_eq!(f.terms[0], eq(Field::Name, "a b"));
        assert_eq!(f.terms[1].test, Test::Text(r#"say "hi" \ ok"#.into()));
    }

    #[test]
    fn round_trips_text_to_filter_to_text() {
        for text in [
            "category:error tenant:5E87* -name:app_heartbeat since:-7d until:2026-09-30",
            r#""sign-in failed" -"a \"quoted\" word" user:"alice smith""#,
            "since:2026-09-01T12:00:00.250Z until:-2w version:2.1.0.3 region:eu",
            "",
        ] {
            let once = p(text);
            let printed = once.to_string();
            assert_eq!(p(&printed), once, "{text} → {printed}");
        }
        assert_eq!(
            p("  category:error   crash ").to_string(),
            r#"category:error "crash""#
        );
    }

    #[test]
    fn errors_say_where_and_why() {
        let e = err("category:error tenat:x");
        assert_eq!(e.position, 15);
        assert!(e.message.contains("unknown key `tenat`"), "{}", e.message);
        assert!(e.message.contains("tenant"), "lists the valid keys");

        let e = err("since:yesterday");
        assert_eq!(e.position, 6);
        assert!(e.message.contains("-7d"));

        let e = err(r#"name:x "open"#);
        assert_eq!(e.position, 7);
        assert!(e.message.contains("never closed"));

        let e = err("tenant:");
        assert_eq!(e.position, 7);
        assert!(e.message.contains("needs a value"));

        let e = err(r#""a"b"#);
        assert_eq!(e.position, 3);

        assert_eq!(err("until:-7x").position, 6);
        assert_eq!(err("since:2026-13-01").position, 6);
        assert_eq!(err(r#""""#).position, 0);
    }

    #[test]
    fn violates_terms_parse_and_print_back() {
        let f = p("violates: -violates:error-retention violates:secret-anywhere");
        assert_eq!(
            f.terms
                .iter()
                .map(|t| (t.negated, t.test.clone()))
                .collect::<Vec<_>>(),
            vec![
                (false, Test::Violates(None)),
                (true, Test::Violates(Some("error-retention".into()))),
                (false, Test::Violates(Some("secret-anywhere".into()))),
            ]
        );
        assert!(f.needs_cache());
        assert_eq!(p(&f.to_string()), f);
        assert_eq!(
            f.to_string(),
            "violates: -violates:error-retention violates:secret-anywhere"
        );
    }

    #[test]
    fn privacy_terms_parse_and_print_back() {
        let f = p(
            "has:pii -has:secret has:org kind:email -kind:iban class:user \
                   field:payload/msUpn -field:payload/*/ip field:\"payload/a b\"",
        );
        assert_eq!(
            f.terms
                .iter()
                .map(|t| (t.negated, t.test.clone()))
                .collect::<Vec<_>>(),
            vec![
                (false, Test::Has(None)),
                (true, Test::Has(Some(Class::Secret))),
                (false, Test::Has(Some(Class::Org))),
                (false, Test::Kind(Kind::Email)),
                (true, Test::Kind(Kind::Iban)),
                (false, Test::Class(Class::User)),
                (false, Test::InField("payload/msUpn".into())),
                (true, Test::InField("payload/*/ip".into())),
                (false, Test::InField("payload/a b".into())),
            ]
        );
        assert!(f.needs_cache());
        assert!(!p("category:error").needs_cache());
        assert_eq!(p(&f.to_string()), f);
        assert_eq!(
            f.to_string(),
            "has:pii -has:secret has:org kind:email -kind:iban class:user field:payload/msUpn \
             -field:payload/*/ip field:\"payload/a b\""
        );
        assert_eq!(f.terms[3].field(), Field::Kind);
        assert_eq!(f.without(&Field::Kind).terms.len(), 7);
    }

    #[test]
    fn unknown_kinds_and_classes_list_the_valid_ones_with_their_position() {
        let e = err("category:error kind:ssn");
        assert_eq!(e.position, 20);
        assert!(e.message.contains("unknown kind `ssn`"), "{}", e.message);
        assert!(e.message.contains("email person_name"), "{}", e.message);
        assert!(e.message.contains("secret_token"), "{}", e.message);

        let e = err("class:private");
        assert_eq!(e.position, 6);
        assert!(
            e.message.contains("user org pseudonymous secret"),
            "{}",
            e.message
        );

        let e = err("-has:names");
        assert_eq!(e.position, 5);
        assert!(e.message.contains("pii user org"), "{}", e.message);

        assert_eq!(err("kind:").position, 5);
        assert_eq!(err("field:").position, 6);
        assert!(err("bogus:1").message.contains("has kind class field"));
    }

    #[test]
    fn positions_count_characters_not_bytes() {
        let e = err("\"café\" bogus:1");
        assert_eq!(e.position, 7);
        assert_eq!(e.to_string(), format!("at column 8: {}", e.message));
    }

    #[test]
    fn a_lone_dash_is_text_and_unicode_keys_are_rejected_cleanly() {
        assert_eq!(p("-").terms[0].test, Test::Text("-".into()));
        assert!(parse("ünï:x", &[]).is_err());
    }
}
