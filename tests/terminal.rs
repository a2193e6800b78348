//! The explorer in a real terminal: tmux runs the built binary, keys go in with `send-keys`,
//! and what the terminal shows comes back with `capture-pane`. Checks what only a real
//! terminal shows: the first screen, typing a filter, a resize below the minimum and back, and
//! the shell's screen restored on quit. Needs tmux (CI installs it); without it the tests say
//! so and pass, as there is no terminal to drive.
#![allow(clippy::unwrap_used)] // tests fail loudly by design

mod support;

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// One tmux server of its own (`-L`), so the tests never touch the user's sessions.
struct Tmux {
    socket: String,
}

impl Tmux {
    /// Starts `telex EXPORT` in a 100×30 window, or `None` when tmux is not installed.
    fn start(name: &str, export: &Path, cache: &Path) -> Option<Tmux> {
        let socket = format!("telex-test-{}-{name}", std::process::id());
        let tmux = Tmux { socket };
        // The shell line prints the exit code once the explorer has left, and keeps the pane
        // open so it can be read.
        let line = format!(
            "TELEX_CACHE_DIR='{}' '{}' '{}'; echo EXITED:$?; sleep 60",
            cache.display(),
            env!("CARGO_BIN_EXE_telex"),
            export.display()
        );
        let started = tmux.run(&[
            "new-session",
            "-d",
            "-s",
            "t",
            "-x",
            "100",
            "-y",
            "30",
            &line,
        ]);
        match started {
            Some(o) if o.status.success() => Some(tmux),
            Some(o) => panic!("tmux failed: {}", String::from_utf8_lossy(&o.stderr)),
            None => {
                eprintln!("tmux is not installed: the real-terminal tests are skipped");
                None
            }
        }
    }

    fn run(&self, args: &[&str]) -> Option<Output> {
        Command::new("tmux")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .output()
            .ok()
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "t"];
        args.extend_from_slice(keys);
        self.run(&args).unwrap();
    }

    fn screen(&self) -> String {
        let o = self.run(&["capture-pane", "-p", "-t", "t"]).unwrap();
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    /// The screen once the first page of every event is drawn: the count and the table's
    /// header (the count can arrive before the page).
    fn wait_for_all_events(&self) -> String {
        self.wait_until("every event listed", |screen| {
            screen.contains("2,000 of 2,000 events") && screen.contains("time (UTC)")
        })
    }

    /// The screen once it shows `text`.
    fn wait_for(&self, text: &str) -> String {
        self.wait_until(text, |screen| screen.contains(text))
    }

    /// The screen once `done` holds for it (waiting up to 20 s on a loaded machine); fails
    /// with the last screen, saying what it waited for, otherwise.
    fn wait_until(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if done(&screen) {
                return screen;
            }
            if start.elapsed() > Duration::from_secs(20) {
                panic!("the terminal never showed {what}; it shows:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

fn export(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("t.db");
    support::generated(&path, 2_000, 5);
    path
}

#[test]
fn the_explorer_filters_and_gives_the_terminal_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = export(dir.path());
    let before = std::fs::read(&path).unwrap();
    let Some(tmux) = Tmux::start("filter", &path, &dir.path().join("cache")) else {
        return;
    };
    let first = tmux.wait_for_all_events();
    assert!(
        first.contains("categories") && first.contains("time (UTC)"),
        "{first}"
    );
    // The privacy cache is built in the background; its terms answer once it is ready.
    tmux.wait_for("privacy cache ready");
    tmux.keys(&["/"]);
    tmux.keys(&["-l", "category:error has:secret"]);
    tmux.keys(&["Enter"]);
    // Applied: the bar shows the filter, the status line a settled count (not `counting…`),
    // and the rows are loaded.
    let filtered = tmux.wait_until("the filtered count", |screen| {
        let status = screen.lines().last().unwrap_or_default();
        screen.contains("filter › category:error has:secret")
            && shown_count(status).is_some_and(|n| n < 2_000)
            && !screen.contains("loading")
    });
    let status = filtered.lines().last().unwrap_or_default().to_string();
    let shown = shown_count(&status).unwrap();
    assert!(shown > 0 && shown < 2_000, "{status}");
    // Every row left is an error row carrying a secret (`S`), and breaks the default policy.
    // Table rows sit between the events pane's heavy borders; the detail pane's are light.
    let rows: Vec<&str> = filtered
        .lines()
        .filter(|l| l.contains("┃") && l.contains(" error "))
        .collect();
    assert!(!rows.is_empty(), "{filtered}");
    assert!(rows.iter().all(|r| r.contains("!S")), "{filtered}");

    tmux.keys(&["q"]);
    let after = tmux.wait_for("EXITED:0");
    assert!(
        !after.contains("categories"),
        "the UI stayed on screen:\n{after}"
    );
    assert!(
        std::fs::read(&path).unwrap() == before,
        "the export changed"
    );
}

#[test]
fn a_resize_below_the_minimum_says_so_and_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let path = export(dir.path());
    let Some(tmux) = Tmux::start("resize", &path, &dir.path().join("cache")) else {
        return;
    };
    tmux.wait_for_all_events();
    tmux.run(&["resize-window", "-t", "t", "-x", "50", "-y", "10"])
        .unwrap();
    tmux.wait_for("terminal too small");
    tmux.run(&["resize-window", "-t", "t", "-x", "100", "-y", "30"])
        .unwrap();
    let back = tmux.wait_for_all_events();
    assert!(!back.contains("too small"), "{back}");
    tmux.keys(&["q"]);
    tmux.wait_for("EXITED:0");
}

/// The `N` of a status line that starts `N of M events`, once it is a number.
fn shown_count(status: &str) -> Option<u64> {
    let (n, _) = status.split_once(" of ")?;
    n.trim().replace(',', "").parse().ok()
}
