//! Compiling a policy's spec into rules: their stable kebab-case ids, what breaks each (for
//! people) and the statement it quotes, and per category the rule each kind breaks.

use super::{Check, OTHER, Policy, Rule, RuleIndex, Spec, Table};
use crate::model::{Class, Kind};

/// `census` → `census`; `Crash Reports` → `crash-reports`; the undeclared entry → `undeclared`.
pub(super) fn rule_prefix(category: &str) -> String {
    if category == OTHER {
        return "undeclared".to_string();
    }
    let mut out = String::new();
    for c in category.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed = out.trim_matches('-');
    if trimmed.is_empty() {
        "category".to_string()
    } else {
        trimmed.to_string()
    }
}

fn class_suffix(class: Class) -> &'static str {
    match class {
        Class::User => "identifies-user",
        Class::Org => "identifies-org",
        Class::Pseudonymous => "pseudonymous-id",
        Class::Secret => "secret",
    }
}

fn class_noun(class: Class) -> &'static str {
    match class {
        Class::User => "user identifiers",
        Class::Org => "organisation identifiers",
        Class::Pseudonymous => "pseudonymous ids",
        Class::Secret => "secrets",
    }
}

fn records_of(category: &str) -> String {
    if category == OTHER {
        "records of undeclared categories".to_string()
    } else {
        format!("{category} records")
    }
}

fn kind_list(kinds: impl IntoIterator<Item = Kind>) -> String {
    kinds
        .into_iter()
        .map(Kind::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn compile(spec: Spec) -> Result<Policy, String> {
    let mut rules: Vec<Rule> = Vec::new();
    let push = |rules: &mut Vec<Rule>, rule: Rule| -> Result<RuleIndex, String> {
        if let Some(same) = rules.iter().find(|r| r.id == rule.id) {
            return Err(format!(
                "categories `{}` and `{}` give the same rule id `{}`; rename one",
                same.category.as_deref().unwrap_or(""),
                rule.category.as_deref().unwrap_or(""),
                rule.id
            ));
        }
        rules.push(rule);
        RuleIndex::try_from(rules.len() - 1).map_err(|_| "too many rules".to_string())
    };

    let mut never = [None; Kind::ALL.len()];
    for class in Class::ALL {
        let kinds: Vec<Kind> = spec
            .never
            .kinds
            .iter()
            .copied()
            .filter(|k| k.class() == class)
            .collect();
        if kinds.is_empty() {
            continue;
        }
        let summary = format!("{} in any record", kind_list(kinds.iter().copied()));
        let statement = spec.never.statement.clone().unwrap_or_else(|| {
            format!(
                "The policy never allows {}.",
                kind_list(spec.never.kinds.iter().copied())
            )
        });
        let i = push(
            &mut rules,
            Rule {
                id: format!("{}-anywhere", class.as_str()),
                check: Check::Never,
                category: None,
                summary,
                statement,
            },
        )?;
        for k in kinds {
            never[k as usize] = Some(i);
        }
    }

    let mut tables = Vec::new();
    let entries = spec
        .categories
        .iter()
        .map(|(n, c)| (n.as_str(), c))
        .chain(std::iter::once((OTHER, &spec.other)));
    for (name, cat) in entries {
        let prefix = rule_prefix(name);
        let mut table = Table {
            name: name.to_ascii_lowercase(),
            verdict: [None; Kind::ALL.len()],
            user_id: None,
            retention: None,
        };
        for class in Class::ALL {
            let caught: Vec<Kind> = Kind::ALL
                .into_iter()
                .filter(|k| k.class() == class && !cat.allows(*k) && never[*k as usize].is_none())
                .collect();
            if caught.is_empty() {
                continue;
            }
            let excepted: Vec<Kind> = Kind::ALL
                .into_iter()
                .filter(|k| k.class() == class && cat.allow_kinds.contains(k))
                .collect();
            let what = if excepted.is_empty() {
                class_noun(class).to_string()
            } else {
                format!("{} other than {}", class_noun(class), kind_list(excepted))
            };
            let statement = cat.statement.clone().unwrap_or_else(|| {
                let allowed: Vec<&str> = cat.allow_classes.iter().map(|c| c.as_str()).collect();
                format!(
                    "The policy allows {} only the classes [{}] and the kinds [{}].",
                    records_of(name),
                    allowed.join(", "),
                    kind_list(cat.allow_kinds.iter().copied())
                )
            });
            let i = push(
                &mut rules,
                Rule {
                    id: format!("{prefix}-{}", class_suffix(class)),
                    check: Check::Class(class),
                    category: Some(name.to_string()),
                    summary: format!("{what} in {}", records_of(name)),
                    statement,
                },
            )?;
            for k in caught {
                table.verdict[k as usize] = Some(i);
            }
        }
        if cat.user_id_pseudonymous {
            let statement = cat.user_id_statement.clone().unwrap_or_else(|| {
                format!(
                    "The policy requires a pseudonymous user_id in {}.",
                    records_of(name)
                )
            });
            table.user_id = Some(push(
                &mut rules,
                Rule {
                    id: format!("{prefix}-user-id-not-pseudonymous"),
                    check: Check::UserId,
                    category: Some(name.to_string()),
                    summary: format!("a user_id that is not pseudonymous in {}", records_of(name)),
                    statement,
                },
            )?);
        }
        if let Some(days) = cat.retention_days {
            let statement = cat.retention_statement.clone().unwrap_or_else(|| {
                format!("The policy keeps {} at most {days} days.", records_of(name))
            });
            let i = push(
                &mut rules,
                Rule {
                    id: format!("{prefix}-retention"),
                    check: Check::Retention,
                    category: Some(name.to_string()),
                    summary: format!("{} older than {days} days", records_of(name)),
                    statement,
                },
            )?;
            table.retention = Some((i, days));
        }
        tables.push(table);
    }
    Ok(Policy {
        spec,
        rules,
        tables,
        never,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_prefixes_are_kebab_case() {
        assert_eq!(rule_prefix("census"), "census");
        assert_eq!(rule_prefix("Crash Reports!"), "crash-reports");
        assert_eq!(rule_prefix(OTHER), "undeclared");
        assert_eq!(rule_prefix("!!"), "category");
    }

    #[test]
    fn colliding_categories_are_refused() {
        let mut spec = super::super::default::spec();
        spec.categories
            .push(("Census".into(), spec.categories[0].1.clone()));
        let e = compile(spec).unwrap_err();
        assert!(e.contains("census-identifies-user"), "{e}");
    }
}
