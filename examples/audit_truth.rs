//! Recall and precision of `telex audit` against a generated export's truth file.
//!
//! ```text
//! telex generate g.db --events 1000000 --seed 7 --truth g.truth
//! telex audit g.db --format jsonl > g.audit.jsonl
//! cargo run --release --example audit_truth -- g.truth g.audit.jsonl
//! ```
//! Both sides are compared as sets of (id, field, kind) — retention as (id, `ts`, none). A
//! planted leak is a truth line with a `leak` name; a violation that matches no planted leak
//! is a false positive, split into those on identifiers the truth says the practice allows
//! (the policy and the truth disagree) and those on values the truth does not list (the
//! detector's own false positives).
#![allow(clippy::unwrap_used)] // a measuring tool: fail loudly on bad input

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::io::{BufRead, BufReader};

use serde_json::Value;

type Key = (i64, String, Option<String>);

fn key(v: &Value) -> Key {
    (
        v["id"].as_i64().unwrap(),
        v["field"].as_str().unwrap().to_string(),
        v["kind"].as_str().map(String::from),
    )
}

fn lines(path: &str) -> impl Iterator<Item = Value> {
    let file = File::open(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    BufReader::new(file)
        .lines()
        .map(|l| serde_json::from_str(&l.unwrap()).unwrap())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [truth_path, audit_path] = args.as_slice() else {
        eprintln!("usage: audit_truth TRUTH.jsonl AUDIT.jsonl");
        std::process::exit(2);
    };
    let mut leaks: HashMap<Key, String> = HashMap::new();
    let mut allowed: HashSet<Key> = HashSet::new();
    for v in lines(truth_path) {
        match v["leak"].as_str() {
            Some(name) => {
                leaks.insert(key(&v), name.to_string());
            }
            None => {
                allowed.insert(key(&v));
            }
        }
    }
    let mut flagged: HashSet<Key> = HashSet::new();
    let mut by_rule: BTreeMap<String, (u64, u64)> = BTreeMap::new(); // (tp, fp)
    let mut examples: Vec<String> = Vec::new();
    for v in lines(audit_path) {
        let k = key(&v);
        if !flagged.insert(k.clone()) {
            continue;
        }
        let hit = leaks.contains_key(&k);
        let e = by_rule
            .entry(v["rule"].as_str().unwrap_or("?").to_string())
            .or_default();
        if hit {
            e.0 += 1;
        } else {
            e.1 += 1;
            if examples.len() < 10 {
                examples.push(v.to_string());
            }
        }
    }
    let mut per_leak: BTreeMap<&str, (u64, u64)> = BTreeMap::new(); // (found, planted)
    for (k, name) in &leaks {
        let e = per_leak.entry(name).or_default();
        e.1 += 1;
        e.0 += u64::from(flagged.contains(k));
    }
    let tp = flagged.iter().filter(|k| leaks.contains_key(*k)).count() as f64;
    let on_allowed = flagged.iter().filter(|k| allowed.contains(*k)).count();
    let unlisted = flagged.len() - tp as usize - on_allowed;
    println!(
        "{:<26} {:>9} {:>9} {:>7}",
        "planted leak", "found", "planted", "recall"
    );
    for (name, (found, planted)) in &per_leak {
        let r = *found as f64 / *planted as f64;
        println!("{name:<26} {found:>9} {planted:>9} {r:>7.4}");
    }
    println!("\n{:<36} {:>9} {:>9}", "rule", "leaks", "not leaks");
    for (rule, (t, f)) in &by_rule {
        println!("{rule:<36} {t:>9} {f:>9}");
    }
    println!(
        "\nplanted leaks {}, violations {} (distinct id/field/kind)",
        leaks.len(),
        flagged.len()
    );
    println!(
        "recall {:.4}  precision {:.4}",
        tp / leaks.len().max(1) as f64,
        tp / flagged.len().max(1) as f64
    );
    println!(
        "false positives: {on_allowed} on identifiers the practice allows, {unlisted} on values \
         the truth does not list"
    );
    for e in examples {
        println!("  {e}");
    }
}
