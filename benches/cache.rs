//! The privacy cache on a real export: build time, size and peak memory; reuse; privacy-term
//! query latencies with the cache attached; and page latencies on the export while a build
//! runs on another thread (what the explorer will see while its cache is built).
//! Run through `scripts/bench-cache.sh`, or directly (the cache goes to `$TELEX_CACHE_DIR`,
//! default a fresh `/tmp/cache-bench-PID`):
//! `cargo bench --bench cache -- EXPORT`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use telex::cache::{BuildOptions, Builder, CacheDir};
use telex::filter;
use telex::model::{Filter, Finding};
use telex::pii::EventScanner;
use telex::scanner::{self, ScanOptions};
use telex::store::{Anchor, Store};

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn peak_memory_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// CPU time of this process so far (user + system), all threads: steadier than wall time on
/// a shared machine.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the command name (which may hold spaces) end with ')'.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of stat(5); here 0-based after the ')'.
    (ticks(11) + ticks(12)) / 100.0
}

fn percentile(mut samples: Vec<Duration>, p: f64) -> Duration {
    samples.sort();
    let i = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples.get(i).copied().unwrap_or_default()
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed())
}

fn parse(store: &Store, text: &str) -> Filter {
    filter::parse(text, &store.schema().extra).expect("a valid filter")
}

fn main() {
    let Some(path) = std::env::args().skip(1).find(|a| !a.starts_with('-')) else {
        eprintln!("usage: cargo bench --bench cache -- EXPORT");
        std::process::exit(2);
    };
    let path = PathBuf::from(path);
    if std::env::var_os(telex::cache::DIR_ENV).is_none() {
        let dir = std::env::temp_dir().join(format!("cache-bench-{}", std::process::id()));
        // SAFETY-free: set before any thread starts.
        unsafe_free_set_dir(&dir);
    }
    let store = Store::open(&path).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(2)
    });
    let total = store.total().expect("count");
    println!("export: {} ({total} events)", path.display());
    let dir = CacheDir::user().expect("a cache dir");
    println!("cache dir: {}", dir.path().display());

    // 1. A fresh build, the process's peak memory right after it.
    if let Ok(location) = dir.location(&path) {
        let _ = std::fs::remove_file(location);
    }
    let cpu = cpu_seconds();
    let (cache, took) = timed(|| dir.build(&store, BuildOptions::default()));
    let cpu = cpu_seconds() - cpu;
    let cache = cache.expect("build");
    let size = std::fs::metadata(cache.path()).map_or(0, |m| m.len());
    println!(
        "build: {:.2} s wall ({:.2} s after the scan), {cpu:.2} s cpu, cache {:.1} MB, key \
         indexes built for {:?}, peak memory {:.1} MB",
        took.as_secs_f64(),
        cache.meta().finish_ms as f64 / 1000.0,
        size as f64 / 1e6,
        cache.meta().indexed,
        peak_memory_mb().unwrap_or(0.0)
    );
    let built_at = cache.meta().built_at.clone();
    drop(cache);

    // 2. Reuse: a second open trusts the file and does not rebuild.
    let (again, took) = timed(|| dir.open(&path));
    let again = again.expect("open").expect("a trusted cache");
    assert_eq!(again.meta().built_at, built_at, "reused, not rebuilt");
    println!("reuse (open + checks): {}", ms(took));
    let (inv, took) = timed(|| again.inventory());
    println!(
        "inventory from the cache: {} rows in {}",
        inv.map(|i| i.rows().len()).unwrap_or(0),
        ms(took)
    );

    // 3. Privacy terms with the cache attached.
    let mut store = store;
    store.attach_cache(again.path()).expect("attach");
    for text in [
        "has:pii",
        "has:secret",
        "kind:email",
        "-has:pii",
        "field:payload/msUpn",
        "field:payload/*/ip",
        "category:error has:secret",
        "tenant:1c19* kind:email",
    ] {
        let f = parse(&store, text);
        let (n, count) = timed(|| store.count(&f).expect("count"));
        let (_, first) = timed(|| store.page(&f, &Anchor::First, 200).expect("page"));
        let (_, last) = timed(|| store.page(&f, &Anchor::Last, 200).expect("page"));
        println!(
            "{text:<28} {n:>8} events   count {:>9}   first page {:>9}   last page {:>9}",
            ms(count),
            ms(first),
            ms(last)
        );
    }
    store.detach_cache().expect("detach");

    // 4. The explorer's page queries while a build runs on another thread. As in the
    // explorer's fast lane, on an export without a `ts` index the pages' connection first
    // checks whether the rowids are in time order (the build running already), and pages go
    // along them if so.
    let mut probe = Store::open(&path).expect("open");
    let builder = Builder::start(&path, None);
    if probe.may_page_by_rowid() {
        let (ordered, took) = timed(|| probe.rowids_in_time_order().unwrap_or(false));
        println!(
            "rowids in time order: {ordered} (checked in {} during the build, before the first page)",
            ms(took)
        );
        if ordered {
            probe.use_rowid_order();
        }
    }
    let first = probe
        .page(&Filter::default(), &Anchor::First, 1)
        .expect("page");
    let tenant = first
        .first()
        .and_then(|e| e.tenant_id.clone())
        .unwrap_or_default();
    let tenant_filter = parse(&probe, &format!("tenant:{tenant}"));
    let mut samples = Vec::new();
    let mut cursor: Option<telex::model::Cursor> = None;
    while !builder.is_finished() {
        let (page, d) = timed(|| match &cursor {
            None => probe.page(&Filter::default(), &Anchor::First, 40),
            Some(c) => probe.page(&Filter::default(), &Anchor::After(c.clone()), 40),
        });
        samples.push(d);
        cursor = page.ok().and_then(|p| p.last().map(|e| e.cursor()));
        let (_, d) = timed(|| probe.page(&Filter::default(), &Anchor::Last, 40));
        samples.push(d);
        let (_, d) = timed(|| probe.page(&tenant_filter, &Anchor::First, 40));
        samples.push(d);
        std::thread::sleep(Duration::from_millis(20));
    }
    let (done, of) = builder.progress();
    let built = builder.join();
    println!(
        "pages during a background build ({} queries, build {}, {done}/{of} events): p50 {}  p99 {}  max {}",
        samples.len(),
        if built.is_ok() { "ok" } else { "failed" },
        ms(percentile(samples.clone(), 0.5)),
        ms(percentile(samples.clone(), 0.99)),
        ms(percentile(samples, 1.0))
    );

    // 5. Where the build's time goes: the scan alone, with a visitor that does nothing.
    let cpu = cpu_seconds();
    let (_, took) = timed(|| {
        let mut n = 0u64;
        let mut visit = |_: &telex::model::Event, f: &[Finding]| -> Result<(), ()> {
            n += f.len() as u64;
            Ok(())
        };
        let opts = ScanOptions {
            threads: 0,
            progress: None,
        };
        scanner::scan_parallel(&probe, &Filter::default(), opts, &mut visit).expect("scan");
        n
    });
    println!(
        "scan alone (scanner::scan_parallel, no-op visitor): {:.2} s wall, {:.2} s cpu",
        took.as_secs_f64(),
        cpu_seconds() - cpu
    );

    // 6. The floor of a build: reading and scanning as the build does (workers, every field
    //    listed), without `scan_parallel`'s copy of each event or any of the cache's own work.
    struct Nothing;
    impl scanner::Work for Nothing {
        type Part = ();
        fn part(&self) {}
        fn event(&self, _: &mut (), _: &telex::model::Event, _: &[Finding], _: &EventScanner) {}
        fn all_fields(&self) -> bool {
            true
        }
    }
    let cpu = cpu_seconds();
    let (_, took) = timed(|| {
        let opts = ScanOptions {
            threads: 0,
            progress: None,
        };
        let mut visit = |()| -> Result<(), ()> { Ok(()) };
        scanner::scan_parts(&probe, &Filter::default(), opts, &Nothing, &mut visit).expect("scan");
    });
    println!(
        "scan floor (scanner::scan_parts, no-op work): {:.2} s wall, {:.2} s cpu",
        took.as_secs_f64(),
        cpu_seconds() - cpu
    );
}

fn unsafe_free_set_dir(dir: &Path) {
    // `std::env::set_var` is `unsafe` in edition 2024 and the crate forbids `unsafe`: the
    // bench re-executes itself with the variable set instead.
    let status = std::process::Command::new(std::env::current_exe().expect("exe"))
        .args(std::env::args().skip(1))
        .env(telex::cache::DIR_ENV, dir)
        .status()
        .expect("re-run");
    let _ = std::fs::remove_dir_all(dir);
    std::process::exit(status.code().unwrap_or(1));
}
