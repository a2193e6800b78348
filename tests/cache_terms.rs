//! The privacy filter terms against a brute-force scan of the same events, their error
//! without a cache, and the cache's key table driving queries on an export without indexes
//! (answers checked against the same export with its indexes).
#![allow(clippy::unwrap_used)] // tests fail loudly by design

mod support;

use support::cache::{all_events, attached, cache_dir, export, ids, parse};
use telex::model::{Class, Filter, Finding, Kind};
use telex::store::{Anchor, Store, StoreError};

#[test]
fn every_privacy_term_matches_a_brute_force_scan() {
    let (_d, path) = export();
    let (_c, dir) = cache_dir();
    support::assert_untouched(&path, || {
        let (store, _cache) = attached(&path, &dir);
        let events = all_events(&store);
        let glob = |pattern: &str, field: &str| match pattern.strip_suffix('*') {
            Some(prefix) if !prefix.contains('*') => field.starts_with(prefix),
            _ => match pattern.split_once('*') {
                Some((a, b)) => field.starts_with(a) && field.ends_with(b),
                None => field == pattern,
            },
        };
        type Pred = Box<dyn Fn(&[Finding]) -> bool>;
        let cases: Vec<(&str, Pred)> = vec![
            ("has:pii", Box::new(|f| !f.is_empty())),
            ("-has:pii", Box::new(|f| f.is_empty())),
            (
                "has:secret",
                Box::new(|f| f.iter().any(|x| x.class() == Class::Secret)),
            ),
            (
                "-has:secret",
                Box::new(|f| f.iter().all(|x| x.class() != Class::Secret)),
            ),
            (
                "has:user",
                Box::new(|f| f.iter().any(|x| x.class() == Class::User)),
            ),
            (
                "class:secret",
                Box::new(|f| f.iter().any(|x| x.class() == Class::Secret)),
            ),
            (
                "class:org class:user",
                Box::new(|f| {
                    f.iter()
                        .any(|x| matches!(x.class(), Class::Org | Class::User))
                }),
            ),
            (
                "kind:email",
                Box::new(|f| f.iter().any(|x| x.kind == Kind::Email)),
            ),
            (
                "-kind:username",
                Box::new(|f| f.iter().all(|x| x.kind != Kind::Username)),
            ),
            (
                "kind:email kind:credit_card",
                Box::new(|f| {
                    f.iter()
                        .any(|x| matches!(x.kind, Kind::Email | Kind::CreditCard))
                }),
            ),
            (
                "field:payload/msUpn",
                Box::new(|f| f.iter().any(|x| x.field == "payload/msUpn")),
            ),
            (
                "field:payload/ms*",
                Box::new(move |f| f.iter().any(|x| glob("payload/ms*", &x.field))),
            ),
            (
                "field:payload/*IP",
                Box::new(move |f| f.iter().any(|x| glob("payload/*IP", &x.field))),
            ),
            (
                "-field:user_id",
                Box::new(|f| f.iter().all(|x| x.field != "user_id")),
            ),
            (
                "has:pii kind:email -class:secret",
                Box::new(|f| {
                    f.iter().any(|x| x.kind == Kind::Email)
                        && f.iter().all(|x| x.class() != Class::Secret)
                }),
            ),
        ];
        for (text, pred) in cases {
            let want: Vec<i64> = events
                .iter()
                .filter(|(_, f)| pred(f))
                .map(|(e, _)| e.summary.id)
                .collect::<Vec<_>>();
            let mut want = want;
            want.sort_unstable();
            assert_eq!(ids(&store, text), want, "{text}");
            let filter = parse(&store, text);
            assert_eq!(store.count(&filter).unwrap(), want.len() as u64, "{text}");
            let page: Vec<i64> = store
                .page(&filter, &Anchor::Last, 100)
                .unwrap()
                .iter()
                .map(|s| s.id)
                .collect();
            assert_eq!(page.len(), want.len(), "{text}");
        }
        // Fixed answers from the fixture, so the brute force itself is checked too.
        assert_eq!(ids(&store, "-has:pii"), [9]);
        assert_eq!(ids(&store, "kind:email"), [5]);
        assert_eq!(ids(&store, "class:secret"), [14]);
        assert_eq!(ids(&store, "field:payload/msUpn"), [5]);
        assert_eq!(ids(&store, "field:payload/*IP"), [6]);
        assert_eq!(ids(&store, "category:error has:secret"), [14]);
        assert_eq!(ids(&store, "has:user"), [5, 6, 7, 12]);
        let stats = store.stats(&parse(&store, "has:secret")).unwrap();
        assert_eq!(stats.matching, 1);
        let tenants = store
            .facet_values(
                telex::model::Facet::Tenant,
                &parse(&store, "class:user"),
                "",
                10,
            )
            .unwrap();
        assert_eq!(tenants.iter().map(|v| v.count).sum::<u64>(), 4);
    });
}

#[test]
fn privacy_terms_without_a_cache_are_a_clear_error() {
    let (_d, path) = export();
    let store = Store::open(&path).unwrap();
    for text in [
        "has:pii",
        "category:error -kind:email",
        "field:payload/msUpn",
    ] {
        let err = store.count(&parse(&store, text)).unwrap_err();
        assert!(matches!(err, StoreError::NeedsCache { .. }), "{err:?}");
        let msg = err.to_string();
        assert!(msg.contains("privacy cache"), "{msg}");
    }
    let err = store
        .page(&parse(&store, "has:secret"), &Anchor::First, 10)
        .unwrap_err();
    assert!(err.to_string().starts_with("`has:secret` needs"), "{err}");
    assert_eq!(store.count(&parse(&store, "category:error")).unwrap(), 5);
}

// ---------------------------------------------------------------------------------------------
// Exports without indexes: the cache's key table drives the queries

#[test]
fn on_an_export_without_indexes_the_cache_drives_and_the_answers_agree() {
    let (_d, indexed, bare) = support::generated_pair(3_000, 11);
    let (_c, dir) = cache_dir();
    let plain = Store::open(&indexed).unwrap();
    let (driven, cache) = attached(&bare, &dir);
    assert_eq!(
        cache.meta().indexed,
        ["category", "tenant_id", "session_id", "user_id"]
    );
    let (indexed_cached, _cache2) = attached(&indexed, &dir);
    let probe = plain
        .page(&parse(&plain, "category:support"), &Anchor::First, 1)
        .unwrap()
        .remove(0);
    let tenant = probe.tenant_id.clone().unwrap();
    let session = probe.session_id.clone().unwrap();
    let user = probe.user_id.clone().unwrap();
    let key_filters = vec![
        String::new(),
        "category:error".into(),
        format!("tenant:{tenant}"),
        format!("session:{session}"),
        format!("user:{user}"),
        format!("-tenant:{tenant} category:usage"),
        "category:usage category:error".into(),
        format!("tenant:{}*", &tenant[..3]),
        "name:signin_error".into(),
        format!("since:{} until:2030-01-01", &probe.ts[..10]),
        format!("-since:{}", &probe.ts[..10]),
        "tenant:no-such-tenant".into(),
    ];
    let privacy_filters = [
        "has:secret",
        "-has:pii",
        "kind:email category:support",
        "class:user -kind:ip_address",
        "field:payload/*",
        "has:secret since:2000-01-01",
    ];
    let check = |a: &Store, b: &Store, text: &str| {
        let fa = parse(a, text);
        let fb = parse(b, text);
        assert_eq!(a.count(&fa).unwrap(), b.count(&fb).unwrap(), "count {text}");
        for anchor in [Anchor::First, Anchor::Last] {
            let pa = a.page(&fa, &anchor, 25).unwrap();
            let pb = b.page(&fb, &anchor, 25).unwrap();
            assert_eq!(pa, pb, "page {anchor:?} {text}");
            if let Some(mid) = pa.get(pa.len() / 2) {
                for anchor in [
                    Anchor::After(mid.cursor()),
                    Anchor::Before(mid.cursor()),
                    Anchor::From(mid.cursor()),
                ] {
                    assert_eq!(
                        a.page(&fa, &anchor, 25).unwrap(),
                        b.page(&fb, &anchor, 25).unwrap(),
                        "page {anchor:?} {text}"
                    );
                }
            }
        }
        assert_eq!(
            a.page_events(&fa, &Anchor::Last, 10).unwrap(),
            b.page_events(&fb, &Anchor::Last, 10).unwrap(),
            "events {text}"
        );
        for facet in [
            telex::model::Facet::Tenant,
            telex::model::Facet::Category,
            telex::model::Facet::Session,
        ] {
            assert_eq!(
                a.facet_values(facet, &fa, "", 20).unwrap(),
                b.facet_values(facet, &fb, "", 20).unwrap(),
                "facet {facet:?} {text}"
            );
            assert_eq!(
                a.facet_values(facet, &fa, "A", 20).unwrap(),
                b.facet_values(facet, &fb, "A", 20).unwrap(),
                "facet {facet:?} needle {text}"
            );
        }
        assert_eq!(a.stats(&fa).unwrap(), b.stats(&fb).unwrap(), "stats {text}");
        let stream = |s: &Store, f: &Filter| {
            let mut out = Vec::new();
            s.for_each_event(f, Some(500), |e| {
                out.push(e);
                true
            })
            .unwrap();
            out
        };
        assert_eq!(stream(a, &fa), stream(b, &fb), "for_each_event {text}");
    };
    for text in &key_filters {
        check(&driven, &plain, text);
    }
    for text in privacy_filters {
        check(&driven, &indexed_cached, text);
    }
}

#[test]
fn violates_terms_match_the_policy_judging_every_event() {
    use std::sync::Arc;
    use telex::policy::{AuditContext, Policy};
    let (_d, path) = export();
    let (_c, dir) = cache_dir();
    let (mut store, _cache) = attached(&path, &dir);
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/review-policy.toml"
    ))
    .unwrap();
    let policy = Policy::from_toml(&text, &Policy::default()).unwrap();
    let reference = chrono::DateTime::parse_from_rfc3339("2026-09-30T00:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let ctx = AuditContext {
        reference: Some(reference),
    };
    store
        .set_policy(telex::store::Judging {
            policy: Arc::new(policy.clone()),
            ctx,
        })
        .unwrap();
    let events = all_events(&store);
    let expect = |pred: &dyn Fn(&[&str]) -> bool| -> Vec<i64> {
        let mut out: Vec<i64> = events
            .iter()
            .filter(|(e, f)| {
                let rules: Vec<&str> = policy
                    .violations(e, f, &ctx)
                    .iter()
                    .map(|v| v.rule.id.as_str())
                    .collect();
                pred(&rules)
            })
            .map(|(e, _)| e.summary.id)
            .collect();
        out.sort_unstable();
        out
    };
    let any = expect(&|r| !r.is_empty());
    assert!(any.len() >= 3, "the review policy is broken: {any:?}");
    assert_eq!(ids(&store, "violates:"), any);
    assert_eq!(ids(&store, "-violates:"), expect(&|r| r.is_empty()));
    for rule in [
        "error-retention",
        "user-anywhere",
        "support-identifies-user",
    ] {
        let expected = expect(&|r| r.contains(&rule));
        assert!(!expected.is_empty(), "{rule} is broken somewhere");
        assert_eq!(ids(&store, &format!("violates:{rule}")), expected, "{rule}");
    }
    assert_eq!(
        ids(&store, "category:error violates:error-retention"),
        expect(&|r| r.contains(&"error-retention"))
    );
    assert!(ids(&store, "violates:no-such-rule").is_empty());
    assert_eq!(
        store.count(&parse(&store, "violates:")).unwrap(),
        any.len() as u64
    );
}
