//! The default policy of DESIGN §3, each setting quoting the sentence of the practice statement
//! (`shared/seeds/`) it states. Where two statements disagree (usage), the stricter wins.

use std::collections::BTreeSet;

use super::{Category, Never, Spec};
use crate::model::{Class, Kind};

/// Census section of the TeamsPro, SalesTim and Skype for Business statements.
pub const CENSUS: &str =
    "Census data DOES NOT contain any information that identifies your organization or users.";
/// The UserID row of every census table; DESIGN §3 holds usage records to it as well.
pub const HASHED: &str = "A hashing ensures the ID cannot be linked to a specific user.";
/// Skype for Business, usage section: stricter than TeamsPro's and SalesTim's, which allow users.
pub const USAGE: &str = "Usage data DOES NOT contain any information that identifies users.";
/// TeamsPro and SalesTim, support section.
pub const SUPPORT: &str =
    "Support data includes information such as user UPN, tenant ID, app version.";
/// Skype for Business, error section (its table also lists the cleartext UserID login).
pub const ERROR: &str = "Error reporting data may also contain personally identifiable \
    information such as the user's IP address and Session Initiation Protocol Uniform Resource \
    Identifier (SIP URI).";
/// TeamsPro, log files lifecycle.
pub const RETENTION: &str = "Every 90 days, logs files are rotated and older log files deleted.";
/// TeamsPro, support section: the closest any statement comes to "never": DESIGN §3 makes card
/// numbers, IBANs and tokens a violation in every record.
pub const NEVER: &str = "But we're not storing any Sensitive Personal Data";
/// No statement speaks of other categories: telex's own words.
pub const UNDECLARED: &str = "No practice statement declares this category, so telex holds it \
    to the census rule: pseudonymous ids only.";

pub fn key_columns() -> Vec<String> {
    vec!["tenant_id".to_string(), "session_id".to_string()]
}

fn category(
    classes: &[Class],
    kinds: &[Kind],
    user_id_pseudonymous: bool,
    retention_days: Option<u32>,
    statements: [Option<&str>; 3],
) -> Category {
    let [statement, user_id_statement, retention_statement] =
        statements.map(|s| s.map(String::from));
    Category {
        allow_classes: classes.iter().copied().collect(),
        allow_kinds: kinds.iter().copied().collect(),
        user_id_pseudonymous,
        retention_days,
        statement,
        user_id_statement,
        retention_statement,
    }
}

/// Categories no statement declares: held to the census rule (pseudonymous ids only, hashed
/// `user_id`) — the safe reading of a category nobody declared.
pub fn undeclared() -> Category {
    category(
        &[Class::Pseudonymous],
        &[],
        true,
        None,
        [Some(UNDECLARED), Some(HASHED), None],
    )
}

pub fn spec() -> Spec {
    use Class::{Org, Pseudonymous, User};
    Spec {
        never: Never {
            kinds: BTreeSet::from([Kind::CreditCard, Kind::Iban, Kind::SecretToken]),
            statement: Some(NEVER.to_string()),
        },
        key_columns: key_columns(),
        categories: vec![
            (
                "census".into(),
                category(
                    &[Pseudonymous],
                    &[],
                    true,
                    None,
                    [Some(CENSUS), Some(HASHED), None],
                ),
            ),
            (
                "usage".into(),
                category(
                    &[Org, Pseudonymous],
                    &[],
                    true,
                    None,
                    [Some(USAGE), Some(HASHED), None],
                ),
            ),
            (
                "support".into(),
                category(
                    &[User, Org, Pseudonymous],
                    &[],
                    false,
                    None,
                    [Some(SUPPORT), None, None],
                ),
            ),
            (
                "error".into(),
                category(
                    &[Org, Pseudonymous],
                    &[Kind::IpAddress, Kind::SipUri, Kind::Username],
                    false,
                    Some(90),
                    [Some(ERROR), None, Some(RETENTION)],
                ),
            ),
        ],
        other: undeclared(),
    }
}
