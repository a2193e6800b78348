//! Explorer latency and memory on a real export, through the explorer's own code path:
//! `App::update` → `worker::execute` on a real `Store` → `ui::draw` on a 120×32 `TestBackend`.
//! Only the terminal write is left out. Run through `scripts/bench.sh`, or directly:
//! `cargo bench --bench explorer -- EXPORT`.
//!
//! Figures: first screen with rows (from before the store is opened), then each interaction
//! until its screen is drawn: category, tenant and session filters, paging, the jump to the
//! last event. Counts run on the explorer's slow lane without blocking the screen; their time is
//! shown apart. Peak memory is the process's high-water mark (VmHWM) after the whole session.
//! On an export without a `ts` index, pages go along the rowids when they are in time order,
//! as the explorer's fast lane checks before its first page (`--sorted-pages`: never).

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Size;
use telex::app::{Action, App, Effect, EffectKind, Msg, Options};
use telex::model::{Facet, Filter};
use telex::policy::Policy;
use telex::store::Store;
use telex::{ui, worker};

struct Bench {
    app: App,
    store: Store,
    judge: worker::Judge,
    view: ui::ViewState,
    terminal: Terminal<TestBackend>,
    /// Slow-lane effects (counts, facets): they never block a screen, so they are timed apart.
    slow: Vec<Effect>,
}

impl Bench {
    /// Runs the fast lane (pages, details) to completion, then draws: the time a user waits.
    fn step(&mut self, msg: Msg) -> Duration {
        let start = Instant::now();
        let effects = self.app.update(msg);
        self.run_fast(effects);
        self.draw();
        start.elapsed()
    }

    /// Runs pages and details as the fast lane would, setting the slow lane's work aside.
    fn run_fast(&mut self, effects: Vec<Effect>) {
        let mut queue = VecDeque::from(effects);
        while let Some(effect) = queue.pop_front() {
            match effect.kind() {
                EffectKind::Page | EffectKind::Detail => {
                    let loaded = worker::execute(&self.store, &self.judge, effect);
                    queue.extend(self.app.update(Msg::Loaded(loaded)));
                }
                _ => self.slow.push(effect),
            }
        }
    }

    /// Runs what the slow lane was asked for, returning the longest single query.
    fn settle(&mut self) -> Duration {
        let mut longest = Duration::ZERO;
        while let Some(effect) = self.slow.pop() {
            let start = Instant::now();
            let loaded = worker::execute(&self.store, &self.judge, effect);
            longest = longest.max(start.elapsed());
            let more = self.app.update(Msg::Loaded(loaded));
            self.slow.extend(more);
        }
        self.draw();
        longest
    }

    fn draw(&mut self) {
        let (app, view) = (&self.app, &mut self.view);
        self.terminal
            .draw(|f| ui::draw(f, app, view))
            .expect("a test backend cannot fail");
    }

    fn filter(&mut self, text: &str) -> Duration {
        self.app.update(Msg::Action(Action::EditFilter));
        self.app.update(Msg::Action(Action::ClearLine));
        for c in text.chars() {
            self.app.update(Msg::Action(Action::Input(c)));
        }
        self.step(Msg::Action(Action::Submit))
    }
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn peak_memory_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn percentile(mut samples: Vec<Duration>, p: f64) -> Duration {
    samples.sort();
    let i = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples.get(i).copied().unwrap_or_default()
}

fn main() {
    let Some(path) = std::env::args().skip(1).find(|a| !a.starts_with('-')) else {
        eprintln!("usage: cargo bench --bench explorer -- EXPORT [--cache] [--sorted-pages]");
        std::process::exit(2);
    };
    // `--cache`: the privacy cache (in $TELEX_CACHE_DIR, built first if needed) is attached,
    // as the explorer will once its background build is done.
    let cache = std::env::args().any(|a| a == "--cache").then(|| {
        let store = Store::open(std::path::Path::new(&path)).expect("open");
        let dir = telex::cache::CacheDir::user().expect("a cache directory");
        let start = Instant::now();
        let cache = dir
            .open_or_build(&store, telex::cache::BuildOptions::default())
            .expect("cache");
        println!(
            "privacy cache ready in {} (attached below)",
            ms(start.elapsed())
        );
        cache
    });

    // First screen: open, first page and detail, one draw.
    let start = Instant::now();
    let mut store = match Store::open(std::path::Path::new(&path)) {
        Ok(store) => store,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    if let Some(cache) = &cache {
        store.attach_cache(cache.path()).expect("attach the cache");
    }
    // What the explorer's fast lane does before its first page on an export without a `ts`
    // index (`worker::check_rowid_order`): whether its rowids are in time order, so pages go
    // along them.
    let mut check = None;
    if store.may_page_by_rowid() && !std::env::args().any(|a| a == "--sorted-pages") {
        let start = Instant::now();
        let ordered = store.rowids_in_time_order().unwrap_or(false);
        if ordered {
            store.use_rowid_order();
        }
        check = Some((ordered, start.elapsed()));
    }
    let judge = match worker::Judge::for_store(Policy::default(), &store) {
        Ok(judge) => judge,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let (app, effects) = App::new(Options {
        filter: Filter::default(),
        extra_columns: store.schema().extra.clone(),
        cache_ready: true,
    });
    let size = Size::new(120, 32);
    let mut bench = Bench {
        app,
        store,
        judge,
        view: ui::ViewState::new(true),
        terminal: Terminal::new(TestBackend::new(size.width, size.height)).expect("test backend"),
        slow: Vec::new(),
    };
    bench.app.update(Msg::Resized(ui::viewport(size)));
    bench.run_fast(effects);
    bench.draw();
    let first = start.elapsed();
    let rows = bench.app.selected().is_some();
    let first_counts = bench.settle();
    println!(
        "first screen with rows: {} (rows shown: {rows}); counts ready {} later",
        ms(first),
        ms(first_counts)
    );

    if let Some((ordered, took)) = check {
        println!(
            "rowids in time order: {ordered} (checked in {}, part of the first screen)",
            ms(took)
        );
    }

    let report = |label: &str, d: Duration, slow: Duration| {
        println!(
            "{label:<34} {:>10}   (counts on the slow lane: {})",
            ms(d),
            ms(slow)
        );
    };

    let d = bench.filter("category:error");
    let s = bench.settle();
    report("filter category:error", d, s);
    let d = bench.filter("category:usage");
    let s = bench.settle();
    report("filter category:usage", d, s);
    for _ in 0..5 {
        bench.step(Msg::Action(Action::SelectNext));
    }
    let d = bench.step(Msg::Action(Action::NarrowToSelected(Facet::Tenant)));
    let s = bench.settle();
    report("narrow to the event's tenant (T)", d, s);
    let d = bench.step(Msg::Action(Action::NarrowToSelected(Facet::Session)));
    let s = bench.settle();
    report("narrow to the event's session (S)", d, s);
    let d = bench.step(Msg::Action(Action::Back));
    let s = bench.settle();
    report("back to the previous filter", d, s);
    let d = bench.filter("");
    let s = bench.settle();
    report("clear the filter", d, s);

    let mut pages = Vec::new();
    for _ in 0..2_000 {
        pages.push(bench.step(Msg::Action(Action::PageDown)));
    }
    println!(
        "{:<34} {:>10}   (median {}, max {}; 2,000 PgDn from the first event)",
        "page down p99",
        ms(percentile(pages.clone(), 0.99)),
        ms(percentile(pages.clone(), 0.5)),
        ms(percentile(pages, 1.0))
    );
    let d = bench.step(Msg::Action(Action::SelectLast));
    report("jump to the last event (G)", d, Duration::ZERO);
    let mut ups = Vec::new();
    for _ in 0..500 {
        ups.push(bench.step(Msg::Action(Action::PageUp)));
    }
    println!(
        "{:<34} {:>10}   (max {})",
        "page up p99 from the end",
        ms(percentile(ups.clone(), 0.99)),
        ms(percentile(ups, 1.0))
    );
    let d = bench.step(Msg::Action(Action::SelectFirst));
    report("jump to the first event (g)", d, Duration::ZERO);
    let d = bench.filter("\"sign-in\"");
    let s = bench.settle();
    report("free text \"sign-in\" (no index)", d, s);

    match peak_memory_mb() {
        Some(mb) => println!("peak memory (VmHWM): {mb:.1} MB"),
        None => println!("peak memory: unavailable"),
    }
}
