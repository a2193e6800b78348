//! The export engine: the check refusing a sample a bad redaction left values in, marked
//! events, cancelling.

use super::*;
use crate::generate::{GenerateOptions, generate};

fn generated(dir: &Path) -> Store {
    let db = dir.join("gen.db");
    let opts = GenerateOptions {
        events: 300,
        seed: 4,
        truth: None,
        force: false,
    };
    generate(&db, &opts, &mut |_| {}).unwrap();
    Store::open(&db).unwrap()
}

fn options(out: PathBuf) -> ExportOptions {
    ExportOptions {
        out,
        method: Method::Mask,
        keep: vec![],
        sample: None,
        ids: None,
        force: false,
        save_key: None,
        threads: 1,
    }
}

fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_sample_the_check_refuses_leaves_no_file() {
    let src = tempfile::tempdir().unwrap();
    let store = generated(src.path());
    for ext in ["jsonl", "csv", "db"] {
        let dir = tempfile::tempdir().unwrap();
        let opts = options(dir.path().join(format!("s.{ext}")));
        let mut redaction = Redaction::new(Method::Mask, &[]);
        // A replacer that leaves every value as it was.
        let mut leave = |e: &Event, _: &[Finding]| (e.clone(), 0);
        let err = run(
            &store,
            &Filter::default(),
            &opts,
            &mut redaction,
            &mut leave,
            &mut |_| true,
        )
        .unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, ExportError::Leak { .. }), "{msg}");
        assert!(
            msg.starts_with(&format!("{}: not written", opts.out.display())),
            "{msg}"
        );
        assert!(!msg.contains('\n'));
        assert!(
            files(dir.path()).is_empty(),
            "{ext}: {:?}",
            files(dir.path())
        );
    }
}

#[test]
fn marked_ids_are_exported_in_time_order() {
    let src = tempfile::tempdir().unwrap();
    let store = generated(src.path());
    let dir = tempfile::tempdir().unwrap();
    let mut opts = options(dir.path().join("marked.jsonl"));
    opts.ids = Some(vec![250, 3, 120, 3, 99_999]);
    let report = export(&store, &Filter::default(), &opts, &mut |_| true).unwrap();
    assert_eq!((report.events, report.matching), (3, 3));
    let text = std::fs::read_to_string(&opts.out).unwrap();
    let ids: Vec<i64> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                .as_i64()
                .unwrap()
        })
        .collect();
    let mut by_time = ids.clone();
    by_time.sort_by_key(|id| (store.event(*id).unwrap().unwrap().summary.ts, *id));
    assert_eq!(ids, by_time);
    assert_eq!(
        ids.iter()
            .copied()
            .collect::<std::collections::BTreeSet<_>>(),
        [3, 120, 250].into()
    );

    // With a filter, only the marked events that match it.
    let filter = crate::filter::parse("category:error", &[]).unwrap();
    let errors: Vec<i64> = store
        .page(&filter, &crate::store::Anchor::First, 3)
        .unwrap()
        .iter()
        .map(|s| s.id)
        .collect();
    let mut opts = options(dir.path().join("marked-errors.jsonl"));
    opts.ids = Some(vec![errors[0], errors[2], 3]);
    let report = export(&store, &filter, &opts, &mut |_| true).unwrap();
    let third_is_error = store.event(3).unwrap().unwrap().summary.category == "error";
    assert_eq!(report.events, 2 + u64::from(third_is_error));
}

#[test]
fn cancelling_leaves_no_file() {
    let src = tempfile::tempdir().unwrap();
    let store = generated(src.path());
    let dir = tempfile::tempdir().unwrap();
    let opts = options(dir.path().join("c.db"));
    let err = export(&store, &Filter::default(), &opts, &mut |_| false).unwrap_err();
    assert!(matches!(err, ExportError::Cancelled), "{err}");
    assert!(files(dir.path()).is_empty());
}
