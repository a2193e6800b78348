//! Scripted key sessions on the fixture export: keys go through the keymap, effects run
//! synchronously through `worker::execute`, screens render on `TestBackend` and are compared
//! with insta snapshots at two terminal sizes.
#![allow(clippy::unwrap_used)]

mod support;

use std::collections::VecDeque;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::{Position, Size};
use ratatui::style::Modifier;
use telex::app::{App, Detail, Effect, Msg, Options};
use telex::model::Filter;
use telex::policy::Policy;
use telex::store::Store;
use telex::{keymap, ui, worker};

struct Session {
    app: App,
    view: ui::ViewState,
    store: Store,
    judge: worker::Judge,
    terminal: Terminal<TestBackend>,
    _dir: tempfile::TempDir,
    _cache: (tempfile::TempDir, telex::cache::Cache),
}

impl Session {
    fn start(width: u16, height: u16) -> Session {
        Session::with_policy(width, height, Policy::default())
    }

    fn with_policy(width: u16, height: u16, policy: Policy) -> Session {
        let (dir, path) = support::small_export();
        // The privacy cache is built and attached up front, as the explorer has it once its
        // background build is done.
        let (cache_dir, caches) = support::cache::cache_dir();
        let (store, cache) = support::cache::attached(&path, &caches);
        let judge = worker::Judge::for_store(policy, &store).unwrap();
        let (app, effects) = App::new(Options {
            filter: Filter::default(),
            extra_columns: store.schema().extra.clone(),
            cache_ready: true,
        });
        let mut session = Session {
            app,
            view: ui::ViewState::new(true),
            store,
            judge,
            terminal: Terminal::new(TestBackend::new(width, height)).unwrap(),
            _dir: dir,
            _cache: (cache_dir, cache),
        };
        session.run(effects);
        session.msg(Msg::Resized(ui::viewport(Size::new(width, height))));
        session
    }

    fn msg(&mut self, msg: Msg) {
        let effects = self.app.update(msg);
        self.run(effects);
    }

    fn run(&mut self, effects: Vec<Effect>) {
        let mut queue = VecDeque::from(effects);
        while let Some(effect) = queue.pop_front() {
            let loaded = worker::execute(&self.store, &self.judge, effect);
            queue.extend(self.app.update(Msg::Loaded(loaded)));
        }
    }

    /// Keys written like `/ <c-u> <enter> j j <tab>`; a word of several letters is typed.
    fn keys(&mut self, script: &str) -> &mut Session {
        for word in script.split(' ').filter(|w| !w.is_empty()) {
            for key in parse_key(word) {
                if let Some(action) = keymap::translate(self.app.mode(), &Event::Key(key)) {
                    self.msg(Msg::Action(action));
                }
            }
        }
        self
    }

    /// Types text literally (spaces included).
    fn typed(&mut self, text: &str) -> &mut Session {
        for c in text.chars() {
            let key = KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
            if let Some(action) = keymap::translate(self.app.mode(), &Event::Key(key)) {
                self.msg(Msg::Action(action));
            }
        }
        self
    }

    fn screen(&mut self) -> String {
        self.terminal
            .draw(|f| ui::draw(f, &self.app, &mut self.view))
            .unwrap();
        self.terminal.backend().to_string()
    }
}

fn parse_key(word: &str) -> Vec<KeyEvent> {
    let plain = |code| KeyEvent::new(code, KeyModifiers::NONE);
    let special = match word {
        "<enter>" => Some(plain(KeyCode::Enter)),
        "<esc>" => Some(plain(KeyCode::Esc)),
        "<tab>" => Some(plain(KeyCode::Tab)),
        "<s-tab>" => Some(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)),
        "<down>" => Some(plain(KeyCode::Down)),
        "<up>" => Some(plain(KeyCode::Up)),
        "<bs>" => Some(plain(KeyCode::Backspace)),
        "<pgdn>" => Some(plain(KeyCode::PageDown)),
        "<space>" => Some(plain(KeyCode::Char(' '))),
        "<c-u>" => Some(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)),
        "<c-d>" => Some(KeyEvent::new(KeyCode::Char('d'), KeyModifiers::CONTROL)),
        _ => None,
    };
    match special {
        Some(key) => vec![key],
        None => word
            .chars()
            .map(|c| {
                let mods = if c.is_ascii_uppercase() {
                    KeyModifiers::SHIFT
                } else {
                    KeyModifiers::NONE
                };
                KeyEvent::new(KeyCode::Char(c), mods)
            })
            .collect(),
    }
}

const SIZES: [(u16, u16); 2] = [(120, 32), (80, 24)];

/// Snapshots the screen after `script` at both sizes.
fn snap(name: &str, script: impl Fn(&mut Session)) {
    for (w, h) in SIZES {
        let mut session = Session::start(w, h);
        script(&mut session);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), session.screen());
    }
}

/// Selects the event with `id` by filtering on its name, then shows it.
fn select_by_name(s: &mut Session, name: &str) {
    s.keys("/ <c-u>")
        .typed(&format!("name:{name}"))
        .keys("<enter>");
}

#[test]
fn start_screen() {
    snap("start", |_| {});
}

#[test]
fn filtered_by_category_from_the_sidebar() {
    snap("category_error", |s| {
        s.keys("<s-tab> j j j j <enter>");
        assert_eq!(s.app.filter.to_string(), "category:error");
    });
}

#[test]
fn tenant_picker_open_and_narrowed() {
    snap("tenant_picker", |s| {
        s.keys("t");
    });
    snap("tenant_picker_narrowed", |s| {
        s.keys("t").typed("fab");
    });
    snap("tenant_picker_applied", |s| {
        s.keys("t").typed("fab").keys("<enter>");
        assert_eq!(s.app.filter.to_string(), "tenant:T-FABRIKAM");
    });
}

#[test]
fn detail_scrolled() {
    snap("detail_scrolled", |s| {
        s.keys("j j j j <tab> j j j j j j j j j j");
        assert_eq!(s.app.selected().unwrap().id, 5);
        assert!(s.app.detail_scroll > 0);
    });
}

#[test]
fn filter_error_shows_where_and_why() {
    snap("filter_error", |s| {
        s.keys("/").typed("tenant:x bogus:1").keys("<enter>");
    });
}

#[test]
fn help_overlay() {
    snap("help", |s| {
        s.keys("?");
    });
    snap("help_scrolled", |s| {
        s.keys("? <pgdn> <pgdn> <pgdn> <pgdn>");
    });
}

#[test]
fn no_matches_hint_at_going_back() {
    snap("no_matches", |s| select_by_name(s, "nothing_like_this"));
}

/// Scrolls up from the end of the detail past the findings section of these events (a blank
/// line, a heading and three findings of two lines), so the payload's end is at the bottom.
const PAST_FINDINGS: &str = "k k k k k k k k";

#[test]
fn ansi_and_bidi_are_shown_as_escapes() {
    snap("escapes_event_10", |s| {
        select_by_name(s, "admin_login");
        s.keys(&format!("<tab> G {PAST_FINDINGS}"));
    });
    snap("escapes_event_12", |s| {
        select_by_name(s, "request_failed");
        s.keys("<tab> j j j j j");
    });
    for (w, h) in SIZES {
        let mut s = Session::start(w, h);
        select_by_name(&mut s, "request_failed");
        s.keys("<tab> j j j j j");
        let screen = s.screen();
        assert!(screen.contains("\\x1b[2J"), "{screen}");
        assert!(!screen.contains('\u{1b}'));
        select_by_name(&mut s, "admin_login");
        s.keys(&format!("G {PAST_FINDINGS}"));
        let screen = s.screen();
        assert!(screen.contains("\\u{202e}"), "{screen}");
        assert!(!screen.contains('\u{202e}'));
    }
}

#[test]
fn non_json_payload_is_raw() {
    snap("raw_payload_event_7", |s| {
        select_by_name(s, "crash");
        s.keys(&format!("<tab> G {PAST_FINDINGS}"));
    });
}

#[test]
fn blob_payload_is_escaped_bytes() {
    snap("blob_payload_event_13", |s| {
        s.keys("G");
        assert_eq!(s.app.selected().unwrap().id, 13);
        s.keys(&format!("<tab> G {PAST_FINDINGS}"));
    });
}

#[test]
fn going_back_restores_the_previous_filter() {
    let mut s = Session::start(120, 32);
    s.keys("j T S");
    assert_eq!(s.app.filter.to_string(), "tenant:T-CONTOSO session:S-1");
    s.keys("<bs> <bs>");
    assert_eq!(s.app.filter, Filter::default());
    assert_eq!(s.app.window.rows.len(), 13);
}

#[test]
fn too_small() {
    let mut s = Session::start(50, 10);
    insta::assert_snapshot!("too_small_50x10", s.screen());
}

#[test]
fn every_size_renders_without_panic() {
    let mut s = Session::start(120, 32);
    s.keys("j j <tab>");
    for width in 0..=80 {
        for height in 0..=25 {
            s.msg(Msg::Resized(ui::viewport(Size::new(width, height))));
            let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
            terminal.draw(|f| ui::draw(f, &s.app, &mut s.view)).unwrap();
        }
    }
    // The overlays at every size too.
    for script in ["?", "<esc> t"] {
        s.keys(script);
        for width in 0..=80 {
            for height in 0..=25 {
                let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
                terminal.draw(|f| ui::draw(f, &s.app, &mut s.view)).unwrap();
            }
        }
    }
}

#[test]
fn colours_follow_no_color() {
    let colored = ui::Theme::colored();
    let plain = ui::Theme::plain();
    for style in [
        plain.selected,
        plain.json_key,
        plain.error,
        plain.border_focus,
        plain.pii_secret,
        plain.pii_user,
        plain.pii_org,
        plain.pii_pseudonymous,
    ] {
        assert!(style.fg.is_none() && style.bg.is_none());
    }
    assert!(colored.json_key.fg.is_some());
    assert_ne!(colored.json_string, colored.json_number);
    // Each class is told apart with and without colour.
    for theme in [&colored, &plain] {
        let styles = [
            theme.pii_secret,
            theme.pii_user,
            theme.pii_org,
            theme.pii_pseudonymous,
        ];
        for (i, a) in styles.iter().enumerate() {
            assert!(styles[i + 1..].iter().all(|b| a != b));
        }
    }
}

/// Where `needle` starts on the last drawn screen, in cells (the first match, top to bottom).
fn locate(s: &Session, needle: &str) -> Option<Position> {
    let buffer = s.terminal.backend().buffer();
    let wanted: Vec<String> = needle.chars().map(String::from).collect();
    (0..buffer.area.height).find_map(|y| {
        let row: Vec<&str> = (0..buffer.area.width)
            .map(|x| buffer[(x, y)].symbol())
            .collect();
        let x = row
            .windows(wanted.len())
            .position(|w| w == wanted.as_slice())?;
        Some(Position::new(u16::try_from(x).ok()?, y))
    })
}

/// The whole detail document, one line per line, whatever is scrolled into view.
fn doc_text(s: &Session) -> String {
    let Detail::Ready(doc) = &s.app.detail else {
        panic!("no detail: {:?}", s.app.detail);
    };
    let lines: Vec<String> = doc
        .lines
        .iter()
        .map(|l| l.spans.iter().map(|(_, t)| t.as_str()).collect())
        .collect();
    lines.join("\n")
}

fn modifier_at(s: &Session, at: Position, dx: u16) -> Modifier {
    s.terminal.backend().buffer()[(at.x + dx, at.y)].modifier
}

#[test]
fn marker_column_shows_the_strongest_class() {
    snap("markers", |s| {
        let screen = s.screen();
        let line = |name: &str| {
            screen
                .lines()
                .find(|l| l.contains(name))
                .unwrap()
                .to_string()
        };
        // Names as cut, with an ellipsis, at the narrow size.
        assert!(line("profile_ide").contains("┃  U 2026-09-02"), "{screen}");
        assert!(line("signin_error").contains("┃  U 2026-09-03"), "{screen}");
        assert!(line("team_created").contains("┃  O 2026-09-04"), "{screen}");
        assert!(line("app_heartbe").contains("┃    2026-09-05"), "{screen}");
        // The letter carries the class's style (plain theme: bold underlined for user).
        let at = locate(s, "U 2026-09-02").unwrap();
        assert_eq!(modifier_at(s, at, 0), s.view.theme.pii_user.add_modifier);
    });
}

#[test]
fn detail_lists_findings_and_highlights_values() {
    snap("findings_event_5", |s| {
        select_by_name(s, "profile_identified");
        s.keys("<tab> G");
        let text = doc_text(s);
        // Field names are padded to the widest listed, `payload/msTenantId`.
        assert!(
            text.contains("payload/msUpn       email  user  high"),
            "{text}"
        );
        assert!(
            text.contains("payload/msTenantId  tenant_id  org  high"),
            "{text}"
        );
        assert!(s.screen().contains("pattern: email"));
    });
    snap("findings_event_6", |s| {
        select_by_name(s, "signin_error");
        s.keys("<tab> G");
        let text = doc_text(s);
        assert!(
            text.contains("payload/ClientIP  ip_address  user"),
            "{text}"
        );
    });
    // The email is drawn in the user class's style, its quotes are not.
    let mut s = Session::start(120, 32);
    select_by_name(&mut s, "profile_identified");
    s.keys("<tab> j j j j j j j j");
    s.screen();
    let at = locate(&s, "alice@contoso.com").unwrap();
    let user = s.view.theme.pii_user.add_modifier;
    for dx in 0.."alice@contoso.com".len() as u16 {
        assert_eq!(modifier_at(&s, at, dx), user, "cell {dx}");
    }
    assert!(!modifier_at(&s, Position::new(at.x - 1, at.y), 0).contains(Modifier::UNDERLINED));
}

#[test]
fn masked_view_hides_identifying_values() {
    let raw = [
        "alice@contoso.com",
        "203.0.113.7",
        "amosmarble",
        "T-CONTOSO",
    ];
    for (event, name) in [(5, "profile_identified"), (6, "signin_error")] {
        snap(&format!("masked_event_{event}"), |s| {
            s.keys("m");
            select_by_name(s, name);
            s.keys("<tab> j j j j j j j j j");
            let screen = s.screen();
            assert!(screen.contains("masked"), "{screen}");
            assert!(
                screen.contains(".***") || screen.contains("***@"),
                "{screen}"
            );
            // Only the filter bar may name the event; no identifying value is on screen.
            for value in raw {
                assert!(!screen.contains(value), "{value} leaked:\n{screen}");
            }
        });
    }
    let mut s = Session::start(120, 32);
    s.keys("m");
    let screen = s.screen();
    for value in raw {
        assert!(!screen.contains(value), "{value} leaked:\n{screen}");
    }
    s.keys("m");
    assert!(s.screen().contains("T-CONTOSO"), "unmasked again");
}

#[test]
fn masking_covers_the_filter_bar_and_the_pickers() {
    let mut s = Session::start(120, 32);
    s.keys("t").typed("fab").keys("<enter> m");
    let screen = s.screen();
    assert_eq!(s.app.filter.to_string(), "tenant:T-FABRIKAM");
    assert!(
        !screen.contains("T-FABRIKAM"),
        "filter bar leaked:\n{screen}"
    );
    s.keys("t");
    let screen = s.screen();
    for tenant in ["T-CONTOSO", "T-FABRIKAM"] {
        assert!(
            !screen.contains(tenant),
            "picker leaked {tenant}:\n{screen}"
        );
    }
    s.keys("<esc> m");
    assert!(s.screen().contains("tenant:T-FABRIKAM"), "shown again");
}

#[test]
fn narrowing_keeps_the_selected_event_selected() {
    let mut s = Session::start(120, 32);
    s.keys("j j j j j j j");
    let id = s.app.selected().unwrap().id;
    assert!(id > 1, "a later event is selected");
    s.keys("T");
    assert_eq!(
        s.app.selected().map(|r| r.id),
        Some(id),
        "still on the event"
    );
    assert!(s.app.filter.to_string().starts_with("tenant:"));
}

#[test]
fn marked_rows_show_a_plus_and_the_status_counts_them() {
    let mut s = Session::start(120, 32);
    s.keys("<space> <space>");
    let screen = s.screen();
    assert!(screen.contains("2 marked"), "{screen}");
    let plus_rows = screen.lines().filter(|l| l.contains("┃+")).count();
    assert_eq!(plus_rows, 2, "{screen}");
}

#[test]
fn export_dialog() {
    snap("export_dialog", |s| {
        s.keys("<space> e <tab>");
        let screen = s.screen();
        assert!(screen.contains("export 1 marked event"), "{screen}");
        assert!(screen.contains("telex-sample.jsonl"), "{screen}");
    });
}

/// The stricter review policy of the audit tests: IP addresses never allowed, support records
/// without user identifiers, error logs kept 25 days with hashed user ids.
fn review_policy() -> Policy {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/review-policy.toml"
    ))
    .unwrap();
    Policy::from_toml(&text, &Policy::default()).unwrap()
}

#[test]
fn violations_stand_out_and_the_detail_explains_the_rule() {
    let mut s = Session::with_policy(120, 40, review_policy());
    let screen = s.screen();
    let line = |name: &str| {
        screen
            .lines()
            .find(|l| l.contains(name))
            .unwrap()
            .to_string()
    };
    assert!(line("signin_error").contains("┃ !U 2026-09-03"), "{screen}");
    assert!(
        line("app_session_start").contains("┃  O 2026-09-01"),
        "{screen}"
    );
    // The breach marker has the violation style, not the class's.
    let at = locate(&s, "!U 2026-09-03").unwrap();
    assert_eq!(modifier_at(&s, at, 0), s.view.theme.violation.add_modifier);
    select_by_name(&mut s, "signin_error");
    let doc = doc_text(&s);
    assert!(doc.contains("breaks the policy"), "{doc}");
    assert!(doc.contains("payload/ClientIP  ip_address"), "{doc}");
    // The statement behind the rule is quoted for the reader.
    assert!(doc.contains("“"), "{doc}");
    insta::assert_snapshot!("violation_detail_120x40", s.screen());
}

#[test]
fn exporting_marked_events_writes_a_redacted_file_and_says_so() {
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().join("ticket.jsonl");
    let mut s = Session::start(120, 32);
    select_by_name(&mut s, "profile_identified");
    s.keys("<space> / <c-u> <enter>");
    s.keys("e <c-u>").typed(out.to_str().unwrap());
    s.keys("<enter>");
    let written = std::fs::read_to_string(&out).unwrap();
    assert_eq!(written.lines().count(), 1, "{written}");
    assert!(!written.contains("alice@contoso.com"), "{written}");
    assert!(
        written.contains("***"),
        "masked values keep their shape: {written}"
    );
    let notice = &s.app.notice.as_ref().unwrap().text;
    assert!(notice.starts_with("exported 1 event to "), "{notice}");
    assert!(s.app.jobs.is_empty());
    // A second export to the same file is refused, never overwritten.
    s.keys("e <c-u>").typed(out.to_str().unwrap());
    s.keys("<enter>");
    let notice = s.app.notice.as_ref().unwrap();
    assert!(
        notice.is_error && notice.text.contains("already exists"),
        "{notice:?}"
    );
}

#[test]
fn n_and_shift_n_jump_between_violations() {
    let mut s = Session::with_policy(120, 32, review_policy());
    // What the table marks, read before moving: the rows after the first that break the policy.
    let breaking: Vec<i64> = (0..s.app.window.rows.len())
        .filter(|&i| s.app.window.marker(i).breach)
        .map(|i| s.app.window.rows[i].id)
        .collect();
    assert!(
        breaking.len() >= 2,
        "the review policy is broken at least twice"
    );
    let first_row = s.app.window.rows[0].id;
    let expected: Vec<i64> = breaking
        .iter()
        .copied()
        .filter(|&id| id != first_row)
        .collect();
    s.keys("n");
    assert_eq!(s.app.selected().map(|r| r.id), Some(expected[0]));
    s.keys("n");
    assert_eq!(s.app.selected().map(|r| r.id), Some(expected[1]));
    s.keys("N");
    assert_eq!(s.app.selected().map(|r| r.id), Some(expected[0]));
    s.keys("G n");
    let notice = &s.app.notice.as_ref().unwrap().text;
    assert!(notice.contains("no violation that way"), "{notice}");
}

#[test]
fn inventory_view_lists_identifying_fields_and_enter_shows_their_records() {
    snap("inventory", |s| {
        s.keys("i");
        let screen = s.screen();
        assert!(screen.contains("identifying fields"), "{screen}");
        assert!(screen.contains("tenant_id"), "{screen}");
        assert!(!screen.contains("alice@contoso.com"), "examples are masked");
        let rows = &s.app.inventory.as_ref().unwrap().rows;
        let upn = rows.iter().find(|r| r.field == "payload/msUpn").unwrap();
        assert_eq!((upn.records, upn.identified), (1, 1));
    });
    let mut s = Session::start(120, 32);
    s.keys("i");
    let Some(view) = &s.app.inventory else {
        panic!("no inventory")
    };
    let at = view
        .rows
        .iter()
        .position(|r| r.field == "payload/msUpn")
        .unwrap();
    for _ in 0..at {
        s.keys("j");
    }
    s.keys("<enter>");
    assert_eq!(
        s.app.filter.to_string(),
        "category:support field:payload/msUpn"
    );
    assert!(s.app.window.rows.iter().all(|r| r.category == "support"));
    assert!(!s.app.window.rows.is_empty());
}
