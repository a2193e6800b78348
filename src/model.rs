//! Domain types shared by every layer: events, filters and identifier findings.
//! Plain data only — no I/O, no SQL, no terminal types.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;

use chrono::{DateTime, Utc};

/// The event's row id in the export: its identity everywhere (findings, links, `telex show ID`).
pub type EventId = i64;

/// The columns of one event that the events table shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventSummary {
    pub id: EventId,
    /// The timestamp exactly as stored; `Cursor`s are built from it.
    pub ts: String,
    pub category: String,
    pub name: String,
    pub tenant_id: Option<String>,
    pub session_id: Option<String>,
    pub user_id: Option<String>,
}

impl EventSummary {
    pub fn cursor(&self) -> Cursor {
        Cursor {
            ts: self.ts.clone(),
            id: self.id,
        }
    }
}

/// A position in the `(ts, id)` order that keyset paging starts from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cursor {
    pub ts: String,
    pub id: EventId,
}

/// One event with every column. Values that were not valid text in the export (BLOBs,
/// invalid UTF-8) arrive here already written as `\xNN` escapes, so nothing downstream panics.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Event {
    pub summary: EventSummary,
    pub app_name: Option<String>,
    pub app_version: Option<String>,
    /// The payload as stored: normally a JSON object, but any text is possible.
    pub payload: Option<String>,
    /// Columns beyond the native schema, in table order.
    pub extra: Vec<(String, Option<String>)>,
}

impl Event {
    /// Every column as `(name, value)`, in native order then extra columns.
    pub fn columns(&self) -> Vec<(&str, Option<&str>)> {
        let s = &self.summary;
        let mut cols = vec![
            ("ts", Some(s.ts.as_str())),
            ("category", Some(s.category.as_str())),
            ("name", Some(s.name.as_str())),
            ("tenant_id", s.tenant_id.as_deref()),
            ("session_id", s.session_id.as_deref()),
            ("user_id", s.user_id.as_deref()),
            ("app_name", self.app_name.as_deref()),
            ("app_version", self.app_version.as_deref()),
        ];
        cols.extend(self.extra.iter().map(|(k, v)| (k.as_str(), v.as_deref())));
        cols
    }

    /// The text of the column a finding names (`user_id`, `payload`, an extra column); `None`
    /// for an empty column or one the event does not have. Payload pointers are the caller's.
    pub fn column_text(&self, name: &str) -> Option<&str> {
        let s = &self.summary;
        match name {
            "tenant_id" => s.tenant_id.as_deref(),
            "session_id" => s.session_id.as_deref(),
            "user_id" => s.user_id.as_deref(),
            "app_name" => self.app_name.as_deref(),
            "app_version" => self.app_version.as_deref(),
            "payload" => self.payload.as_deref(),
            other => self
                .extra
                .iter()
                .find(|(column, _)| column == other)
                .and_then(|(_, v)| v.as_deref()),
        }
    }
}

/// A count of events for one value of a column (a tenant, a session, a category, a day…).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueCount {
    pub value: String,
    pub count: u64,
}

/// The event columns a user can narrow to from a picker or from the selected event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Facet {
    Category,
    Tenant,
    Session,
    User,
    Name,
}

impl Facet {
    pub fn column(self) -> &'static str {
        match self {
            Facet::Category => "category",
            Facet::Tenant => "tenant_id",
            Facet::Session => "session_id",
            Facet::User => "user_id",
            Facet::Name => "name",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Facet::Category => "category",
            Facet::Tenant => "tenant",
            Facet::Session => "session",
            Facet::User => "user",
            Facet::Name => "name",
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Filters

/// A parsed filter: terms that must all hold. Positive terms on the same field are
/// alternatives (`category:usage category:error` matches both categories).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub terms: Vec<Term>,
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// This filter with every term on `field` removed (used to replace a facet).
    pub fn without(&self, field: &Field) -> Filter {
        Filter {
            terms: self
                .terms
                .iter()
                .filter(|t| t.field() != *field)
                .cloned()
                .collect(),
        }
    }

    /// Whether any term asks about findings (`has:pii`, `kind:email`…): those are answered from
    /// the privacy cache, so the store needs one attached.
    pub fn needs_cache(&self) -> bool {
        self.terms.iter().any(|t| t.test.is_privacy())
    }

    /// This filter narrowed to `value` of `facet`, replacing earlier terms on that facet.
    pub fn narrowed(&self, facet: Facet, value: &str) -> Filter {
        let field = Field::from(facet);
        let mut next = self.without(&field);
        next.terms.push(Term {
            negated: false,
            test: Test::Equals(field, value.to_string()),
        });
        next
    }
}

/// One condition of a filter, possibly negated with a leading `-`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub negated: bool,
    pub test: Test,
}

impl Term {
    pub fn field(&self) -> Field {
        match &self.test {
            Test::Equals(f, _) => f.clone(),
            Test::Since(_) => Field::Since,
            Test::Until(_) => Field::Until,
            Test::Text(_) => Field::Text,
            Test::Has(_) => Field::Has,
            Test::Kind(_) => Field::Kind,
            Test::Class(_) => Field::Class,
            Test::InField(_) => Field::Finding,
            Test::Violates(_) => Field::Violates,
        }
    }
}

/// What a term tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Test {
    /// The column equals the value; `*` in the value matches any run of characters.
    Equals(Field, String),
    Since(TimeBound),
    Until(TimeBound),
    /// Case-insensitive substring of the payload.
    Text(String),
    /// `has:pii` (`None`: any finding) or `has:CLASS`: the event has a finding of that class.
    Has(Option<Class>),
    /// `kind:KIND`: the event has a finding of that kind.
    Kind(Kind),
    /// `class:CLASS`: the event has a finding of that class.
    Class(Class),
    /// `field:FIELD`: the event has a finding in that field; `*` matches any run of characters.
    InField(String),
    /// `violates:` (any rule) or `violates:RULE`: the event breaks the policy.
    Violates(Option<String>),
}

impl Test {
    /// Whether the test is about the event's findings (answered from the privacy cache).
    pub fn is_privacy(&self) -> bool {
        matches!(
            self,
            Test::Has(_) | Test::Kind(_) | Test::Class(_) | Test::InField(_) | Test::Violates(_)
        )
    }
}

/// The column a term applies to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Field {
    Category,
    Tenant,
    Session,
    User,
    Name,
    App,
    Version,
    /// A column beyond the native schema, named as in the export.
    Column(String),
    Since,
    Until,
    Text,
    /// `has:` — privacy terms answered from the cache, like the three below.
    Has,
    Kind,
    Class,
    /// `field:` — the field a finding is in.
    Finding,
    /// `violates:` — a policy rule the event breaks.
    Violates,
}

impl Field {
    /// The filter-language key (`tenant`, `since`…); extra columns use their own name.
    pub fn key(&self) -> &str {
        match self {
            Field::Category => "category",
            Field::Tenant => "tenant",
            Field::Session => "session",
            Field::User => "user",
            Field::Name => "name",
            Field::App => "app",
            Field::Version => "version",
            Field::Column(name) => name,
            Field::Since => "since",
            Field::Until => "until",
            Field::Text => "",
            Field::Has => "has",
            Field::Kind => "kind",
            Field::Class => "class",
            Field::Finding => "field",
            Field::Violates => "violates",
        }
    }

    /// The export column this field compares, for the fields that compare one.
    pub fn column(&self) -> Option<&str> {
        match self {
            Field::Category => Some("category"),
            Field::Tenant => Some("tenant_id"),
            Field::Session => Some("session_id"),
            Field::User => Some("user_id"),
            Field::Name => Some("name"),
            Field::App => Some("app_name"),
            Field::Version => Some("app_version"),
            Field::Column(name) => Some(name),
            Field::Since
            | Field::Until
            | Field::Text
            | Field::Has
            | Field::Kind
            | Field::Class
            | Field::Finding
            | Field::Violates => None,
        }
    }
}

impl From<Facet> for Field {
    fn from(facet: Facet) -> Self {
        match facet {
            Facet::Category => Field::Category,
            Facet::Tenant => Field::Tenant,
            Facet::Session => Field::Session,
            Facet::User => Field::User,
            Facet::Name => Field::Name,
        }
    }
}

/// A time limit: a fixed instant, or an offset back from the moment the query runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeBound {
    /// A calendar date (`2026-09-01`): midnight UTC of that day.
    Date(chrono::NaiveDate),
    At(DateTime<Utc>),
    /// `-7d`, `-12h`, `-30m`: this many seconds before now.
    Ago {
        amount: u32,
        unit: AgoUnit,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgoUnit {
    Minutes,
    Hours,
    Days,
    Weeks,
}

impl AgoUnit {
    pub fn suffix(self) -> char {
        match self {
            AgoUnit::Minutes => 'm',
            AgoUnit::Hours => 'h',
            AgoUnit::Days => 'd',
            AgoUnit::Weeks => 'w',
        }
    }

    pub fn seconds(self) -> i64 {
        match self {
            AgoUnit::Minutes => 60,
            AgoUnit::Hours => 3_600,
            AgoUnit::Days => 86_400,
            AgoUnit::Weeks => 604_800,
        }
    }
}

impl TimeBound {
    /// The instant this bound stands for, given the current time.
    pub fn resolve(self, now: DateTime<Utc>) -> DateTime<Utc> {
        match self {
            TimeBound::Date(d) => d.and_time(chrono::NaiveTime::MIN).and_utc(),
            TimeBound::At(t) => t,
            TimeBound::Ago { amount, unit } => {
                now - chrono::Duration::seconds(i64::from(amount) * unit.seconds())
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Identifying fields (DESIGN §2)

/// What an identifier identifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    User,
    Org,
    Pseudonymous,
    Secret,
}

impl Class {
    pub const ALL: [Class; 4] = [Class::User, Class::Org, Class::Pseudonymous, Class::Secret];

    pub fn as_str(self) -> &'static str {
        match self {
            Class::User => "user",
            Class::Org => "org",
            Class::Pseudonymous => "pseudonymous",
            Class::Secret => "secret",
        }
    }

    pub fn parse(text: &str) -> Option<Class> {
        Class::ALL.into_iter().find(|c| c.as_str() == text)
    }
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The kind of identifier. The names are a contract: scripts depend on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Email,
    PersonName,
    PhoneNumber,
    IpAddress,
    SipUri,
    Username,
    MacAddress,
    GeoCoordinates,
    UserPath,
    TenantId,
    Domain,
    OrgName,
    HashedId,
    DeviceId,
    UserGuid,
    SessionId,
    CreditCard,
    Iban,
    SecretToken,
}

impl Kind {
    pub const ALL: [Kind; 19] = [
        Kind::Email,
        Kind::PersonName,
        Kind::PhoneNumber,
        Kind::IpAddress,
        Kind::SipUri,
        Kind::Username,
        Kind::MacAddress,
        Kind::GeoCoordinates,
        Kind::UserPath,
        Kind::TenantId,
        Kind::Domain,
        Kind::OrgName,
        Kind::HashedId,
        Kind::DeviceId,
        Kind::UserGuid,
        Kind::SessionId,
        Kind::CreditCard,
        Kind::Iban,
        Kind::SecretToken,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Email => "email",
            Kind::PersonName => "person_name",
            Kind::PhoneNumber => "phone_number",
            Kind::IpAddress => "ip_address",
            Kind::SipUri => "sip_uri",
            Kind::Username => "username",
            Kind::MacAddress => "mac_address",
            Kind::GeoCoordinates => "geo_coordinates",
            Kind::UserPath => "user_path",
            Kind::TenantId => "tenant_id",
            Kind::Domain => "domain",
            Kind::OrgName => "org_name",
            Kind::HashedId => "hashed_id",
            Kind::DeviceId => "device_id",
            Kind::UserGuid => "user_guid",
            Kind::SessionId => "session_id",
            Kind::CreditCard => "credit_card",
            Kind::Iban => "iban",
            Kind::SecretToken => "secret_token",
        }
    }

    pub fn parse(text: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    pub fn class(self) -> Class {
        match self {
            Kind::Email
            | Kind::PersonName
            | Kind::PhoneNumber
            | Kind::IpAddress
            | Kind::SipUri
            | Kind::Username
            | Kind::MacAddress
            | Kind::GeoCoordinates
            | Kind::UserPath => Class::User,
            Kind::TenantId | Kind::Domain | Kind::OrgName => Class::Org,
            Kind::HashedId | Kind::DeviceId | Kind::UserGuid | Kind::SessionId => {
                Class::Pseudonymous
            }
            Kind::CreditCard | Kind::Iban | Kind::SecretToken => Class::Secret,
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Confidence {
    Low,
    Medium,
    High,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }

    pub fn parse(text: &str) -> Option<Confidence> {
        [Confidence::Low, Confidence::Medium, Confidence::High]
            .into_iter()
            .find(|c| c.as_str() == text)
    }
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// In one event's field, an identifier of `kind`, found with `confidence` because of `evidence`.
/// It never holds the identifying value itself, so reporting it cannot re-leak it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// A column name, or a JSON column's name followed by an RFC 6901 pointer: `payload/msUpn`.
    pub field: String,
    pub kind: Kind,
    pub confidence: Confidence,
    /// The UTF-8 byte range of the identifier inside the field's string value; `None` when the
    /// whole value is the identifier.
    pub span: Option<Range<usize>>,
    /// Short reasons a reviewer can read: pattern, validator, field-name hint, link. Mostly
    /// fixed phrases, so they are borrowed (`"x".into()`) and only the few built ones allocate.
    pub evidence: Vec<Cow<'static, str>>,
}

impl Finding {
    pub fn class(&self) -> Class {
        self.kind.class()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_classes_round_trip_through_their_names() {
        for kind in Kind::ALL {
            assert_eq!(Kind::parse(kind.as_str()), Some(kind));
        }
        for class in Class::ALL {
            assert_eq!(Class::parse(class.as_str()), Some(class));
        }
        assert_eq!(Kind::parse("ssn"), None);
    }

    #[test]
    fn every_class_has_the_kinds_of_the_design() {
        let of = |c: Class| {
            Kind::ALL
                .into_iter()
                .filter(|k| k.class() == c)
                .map(Kind::as_str)
                .collect::<Vec<_>>()
        };
        assert_eq!(of(Class::Secret), ["credit_card", "iban", "secret_token"]);
        assert_eq!(of(Class::Org), ["tenant_id", "domain", "org_name"]);
        assert_eq!(
            of(Class::Pseudonymous),
            ["hashed_id", "device_id", "user_guid", "session_id"]
        );
        assert_eq!(of(Class::User).len(), 9);
    }

    #[test]
    fn narrowing_replaces_the_previous_term_on_that_facet() {
        let f = Filter::default()
            .narrowed(Facet::Tenant, "a")
            .narrowed(Facet::Category, "usage")
            .narrowed(Facet::Tenant, "b");
        assert_eq!(
            f.terms,
            vec![
                Term {
                    negated: false,
                    test: Test::Equals(Field::Category, "usage".into())
                },
                Term {
                    negated: false,
                    test: Test::Equals(Field::Tenant, "b".into())
                },
            ]
        );
    }
}
