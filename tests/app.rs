//! `App::update` as a pure function: keys and replies in, state and effects out. No database,
//! no terminal, no threads.
#![allow(clippy::unwrap_used)]

use telex::app::{
    Action, App, Count, DEFAULT_EXPORT_PATH, Detail, Effect, ExportRequest, ExportScope, Inspected,
    Job, Loaded, Marker, Mode, Msg, Options, PAGE_SIZE, Page, PageStart, Pane, Pointer, Redaction,
    Viewport,
};
use telex::filter;
use telex::model::{
    Class, Confidence, Event, EventSummary, Facet, Filter, Finding, Kind, ValueCount,
};

fn f(text: &str) -> Filter {
    filter::parse(text, &["region".to_string()]).unwrap()
}

fn row(id: i64) -> EventSummary {
    EventSummary {
        id,
        ts: format!("2026-09-01T08:{:02}:{:02}.000Z", (id / 60) % 60, id % 60),
        category: "usage".into(),
        name: format!("event_{id}"),
        tenant_id: Some(format!("T-{}", id % 3)),
        session_id: Some(format!("S-{id}")),
        user_id: if id % 2 == 0 {
            Some(format!("U-{id}"))
        } else {
            None
        },
    }
}

fn rows(ids: std::ops::Range<i64>) -> Vec<EventSummary> {
    ids.map(row).collect()
}

fn act(app: &mut App, action: Action) -> Vec<Effect> {
    app.update(Msg::Action(action))
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        assert!(act(app, Action::Input(c)).is_empty() || app.mode() == Mode::Picker);
    }
}

fn page_seq(effects: &[Effect]) -> Option<(u64, PageStart)> {
    effects.iter().find_map(|e| match e {
        Effect::LoadPage { seq, start, .. } => Some((*seq, start.clone())),
        _ => None,
    })
}

/// An app whose first page (`ids`) has arrived, on a 10-row table.
fn started(ids: std::ops::Range<i64>) -> App {
    let (mut app, effects) = App::new(Options {
        filter: Filter::default(),
        extra_columns: vec!["region".into()],
        cache_ready: true,
    });
    app.update(Msg::Resized(Viewport {
        table_rows: 10,
        detail_width: 60,
        detail_rows: 8,
    }));
    let (seq, _) = page_seq(&effects).unwrap();
    app.update(Msg::Loaded(Loaded::Page {
        seq,
        result: Ok(rows(ids).into()),
    }));
    app
}

#[test]
fn starting_requests_the_total_the_first_page_and_the_counts() {
    let (app, effects) = App::new(Options {
        filter: f("category:error"),
        extra_columns: vec![],
        cache_ready: true,
    });
    assert_eq!(
        effects,
        vec![
            Effect::CountTotal,
            Effect::LoadPage {
                seq: 3,
                filter: f("category:error"),
                start: PageStart::First,
                limit: PAGE_SIZE
            },
            Effect::CountMatching {
                seq: 1,
                filter: f("category:error")
            },
            Effect::CountCategories {
                seq: 2,
                filter: f("category:error")
            },
        ]
    );
    assert!(app.is_loading());
    assert_eq!(app.matching, Count::Pending);
}

#[test]
fn a_page_selects_its_first_row_and_requests_its_detail() {
    let (mut app, effects) = App::new(Options::default());
    let (seq, _) = page_seq(&effects).unwrap();
    let effects = app.update(Msg::Loaded(Loaded::Page {
        seq,
        result: Ok(rows(1..4).into()),
    }));
    assert_eq!(app.selected().unwrap().id, 1);
    assert!(matches!(
        effects.as_slice(),
        [Effect::LoadDetail { id: 1, .. }]
    ));
    assert_eq!(app.detail, Detail::Loading(1));
}

#[test]
fn submitting_a_filter_requests_page_and_counts_with_a_new_seq() {
    let mut app = started(1..5);
    act(&mut app, Action::EditFilter);
    assert_eq!(app.mode(), Mode::Filter);
    typed(&mut app, "tenant:T-1");
    let effects = act(&mut app, Action::Submit);
    assert_eq!(app.mode(), Mode::Normal);
    assert_eq!(app.filter, f("tenant:T-1"));
    assert_eq!(effects.len(), 3);
    let (seq, start) = page_seq(&effects).unwrap();
    assert_eq!(start, PageStart::First);
    assert!(seq > 3, "a fresh sequence number");
    assert!(effects.contains(&Effect::CountMatching {
        seq: seq - 2,
        filter: f("tenant:T-1")
    }));
    assert_eq!(app.history, vec![Filter::default()]);
}

#[test]
fn an_invalid_filter_emits_nothing_and_says_where() {
    let mut app = started(1..5);
    act(&mut app, Action::EditFilter);
    typed(&mut app, "tenant:x bogus:1");
    let effects = act(&mut app, Action::Submit);
    assert!(effects.is_empty());
    let problem = app.filter_problem.clone().unwrap();
    assert_eq!(problem.position, 9);
    assert!(
        problem.message.contains("unknown key `bogus`"),
        "{problem:?}"
    );
    assert_eq!(app.mode(), Mode::Filter, "still editing, to fix it");
    assert_eq!(app.filter, Filter::default(), "the previous filter stays");
    assert_eq!(app.window.rows.len(), 4, "the previous results stay");
    // Editing clears the complaint; Esc gives up and keeps the old filter.
    act(&mut app, Action::DeleteBack);
    assert!(app.filter_problem.is_none());
    assert!(act(&mut app, Action::Cancel).is_empty());
    assert_eq!(app.mode(), Mode::Normal);
}

#[test]
fn line_editing_moves_and_deletes() {
    let mut app = started(1..2);
    act(&mut app, Action::EditFilter);
    typed(&mut app, "abc");
    act(&mut app, Action::CursorHome);
    act(&mut app, Action::DeleteForward);
    act(&mut app, Action::CursorEnd);
    act(&mut app, Action::CursorLeft);
    act(&mut app, Action::Input('X'));
    assert_eq!(app.input.as_ref().unwrap().text(), "bXc");
    act(&mut app, Action::ClearLine);
    assert_eq!(app.input.as_ref().unwrap().text(), "c");
}

#[test]
fn stale_replies_are_ignored() {
    let (mut app, first) = App::new(Options::default());
    let (old_seq, _) = page_seq(&first).unwrap();
    act(&mut app, Action::EditFilter);
    typed(&mut app, "category:error");
    let effects = act(&mut app, Action::Submit);
    let (new_seq, _) = page_seq(&effects).unwrap();
    assert!(
        app.update(Msg::Loaded(Loaded::Page {
            seq: old_seq,
            result: Ok(rows(1..3).into())
        }))
        .is_empty()
    );
    assert!(app.window.rows.is_empty());
    app.update(Msg::Loaded(Loaded::Count {
        seq: 1,
        result: Ok(99),
    }));
    assert_eq!(app.matching, Count::Pending, "the count of the old filter");
    app.update(Msg::Loaded(Loaded::Page {
        seq: new_seq,
        result: Ok(rows(7..9).into()),
    }));
    assert_eq!(app.selected().unwrap().id, 7);
}

#[test]
fn a_failed_query_is_a_message_not_an_exit() {
    let (mut app, effects) = App::new(Options::default());
    let (seq, _) = page_seq(&effects).unwrap();
    app.update(Msg::Loaded(Loaded::Page {
        seq,
        result: Err("query failed: disk I/O error".into()),
    }));
    assert!(!app.should_quit());
    let notice = app.notice.clone().unwrap();
    assert!(notice.is_error && notice.text.contains("disk I/O"));
    assert!(app.window.pending.is_none());
}

#[test]
fn narrowing_to_the_selected_event_and_going_back() {
    let mut app = started(1..5);
    act(&mut app, Action::SelectNext); // event 2: tenant T-2, session S-2, user U-2
    let effects = act(&mut app, Action::NarrowToSelected(Facet::Tenant));
    assert_eq!(app.filter, f("tenant:T-2"));
    // The narrowed list opens at the event being read, not at its first event.
    let cursor = row(2).cursor();
    assert_eq!(page_seq(&effects).map(|p| p.1), Some(PageStart::At(cursor)));
    act(&mut app, Action::NarrowToSelected(Facet::Session));
    assert_eq!(app.filter, f("tenant:T-2 session:S-2"));
    act(&mut app, Action::NarrowToSelected(Facet::User));
    assert_eq!(app.filter, f("tenant:T-2 session:S-2 user:U-2"));
    act(&mut app, Action::Back);
    assert_eq!(app.filter, f("tenant:T-2 session:S-2"));
    act(&mut app, Action::Back);
    act(&mut app, Action::Back);
    assert_eq!(app.filter, Filter::default());
    assert!(act(&mut app, Action::Back).is_empty(), "nothing earlier");
    assert!(app.notice.is_some());
}

#[test]
fn narrowing_to_a_missing_value_says_so() {
    let mut app = started(1..5); // event 1 has no user
    assert!(act(&mut app, Action::NarrowToSelected(Facet::User)).is_empty());
    assert_eq!(app.notice.as_ref().unwrap().text, "this event has no user");
}

#[test]
fn history_is_bounded() {
    let mut app = started(1..5);
    for i in 0..30 {
        act(&mut app, Action::EditFilter);
        act(&mut app, Action::ClearLine);
        typed(&mut app, &format!("name:n{i}"));
        act(&mut app, Action::Submit);
    }
    assert_eq!(app.history.len(), telex::app::HISTORY_LIMIT);
}

#[test]
fn moving_near_the_edge_of_the_window_requests_the_next_page() {
    let mut app = started(0..PAGE_SIZE as i64);
    assert!(!app.window.at_end);
    let mut requested = None;
    for _ in 0..PAGE_SIZE {
        let effects = act(&mut app, Action::SelectNext);
        if let Some(page) = page_seq(&effects) {
            requested = Some((app.window.selected, page));
            break;
        }
    }
    let (selected_at, (seq, start)) = requested.expect("a next page before the edge");
    assert!(
        selected_at < PAGE_SIZE - 10,
        "prefetched well before the edge"
    );
    assert_eq!(start, PageStart::After(row(PAGE_SIZE as i64 - 1).cursor()));
    // Rows stay on screen while the page loads, and it is asked for once.
    assert!(page_seq(&act(&mut app, Action::SelectNext)).is_none());
    let selected = app.selected().unwrap().id;
    app.update(Msg::Loaded(Loaded::Page {
        seq,
        result: Ok(rows(PAGE_SIZE as i64..PAGE_SIZE as i64 + 50).into()),
    }));
    assert_eq!(app.selected().unwrap().id, selected, "the selection holds");
    assert!(app.window.at_end, "a short page is the end");
}

#[test]
fn the_window_stays_bounded_while_scrolling_far() {
    let mut app = started(0..PAGE_SIZE as i64);
    let mut next_id = PAGE_SIZE as i64;
    for _ in 0..20_000 {
        let effects = act(&mut app, Action::PageDown);
        if let Some((seq, PageStart::After(_))) = page_seq(&effects) {
            app.update(Msg::Loaded(Loaded::Page {
                seq,
                result: Ok(rows(next_id..next_id + PAGE_SIZE as i64).into()),
            }));
            next_id += PAGE_SIZE as i64;
        }
        assert!(app.window.rows.len() <= 5 * PAGE_SIZE);
        if next_id > 20 * PAGE_SIZE as i64 {
            break;
        }
    }
    assert!(next_id > 20 * PAGE_SIZE as i64, "kept paging forward");
    assert!(!app.window.at_start);
    // Going back up fetches earlier pages by keyset.
    let mut back = None;
    for _ in 0..2_000 {
        if let Some(page) = page_seq(&act(&mut app, Action::PageUp)) {
            back = Some(page);
            break;
        }
    }
    let first = app.window.rows[0].cursor();
    assert_eq!(back.unwrap().1, PageStart::Before(first));
}

#[test]
fn g_and_shift_g_jump_by_loading_the_first_or_last_page() {
    let mut app = started(0..PAGE_SIZE as i64);
    let effects = act(&mut app, Action::SelectLast);
    let (seq, start) = page_seq(&effects).unwrap();
    assert_eq!(start, PageStart::Last);
    app.update(Msg::Loaded(Loaded::Page {
        seq,
        result: Ok(rows(5000..5000 + PAGE_SIZE as i64).into()),
    }));
    assert_eq!(app.selected().unwrap().id, 5000 + PAGE_SIZE as i64 - 1);
    assert!(app.window.at_end);
    let (_, start) = page_seq(&act(&mut app, Action::SelectFirst)).unwrap();
    assert_eq!(start, PageStart::First);
}

#[test]
fn g_inside_a_complete_window_needs_no_query() {
    let mut app = started(1..20);
    assert!(page_seq(&act(&mut app, Action::SelectLast)).is_none());
    assert_eq!(app.selected().unwrap().id, 19);
    assert!(page_seq(&act(&mut app, Action::SelectFirst)).is_none());
    assert_eq!(app.selected().unwrap().id, 1);
}

#[test]
fn the_tenant_picker_narrows_locally_then_narrows_the_filter() {
    let mut app = started(1..5);
    let effects = act(&mut app, Action::OpenPicker(Facet::Tenant));
    assert_eq!(app.mode(), Mode::Picker);
    let Some(Effect::LoadFacet {
        seq, facet, needle, ..
    }) = effects.first().cloned()
    else {
        panic!("{effects:?}")
    };
    assert_eq!((facet, needle.as_str()), (Facet::Tenant, ""));
    let values = ["T-CONTOSO", "T-FABRIKAM", "T-O'HARA"];
    app.update(Msg::Loaded(Loaded::Facet {
        seq,
        result: Ok(values
            .iter()
            .map(|v| ValueCount {
                value: v.to_string(),
                count: 3,
            })
            .collect()),
    }));
    // The whole list is loaded, so typing narrows without a query.
    for c in "fab".chars() {
        assert!(act(&mut app, Action::Input(c)).is_empty());
    }
    let picker = app.picker.as_ref().unwrap();
    assert_eq!(picker.matches().len(), 1);
    let effects = act(&mut app, Action::Submit);
    assert_eq!(app.mode(), Mode::Normal);
    assert_eq!(app.filter, f("tenant:T-FABRIKAM"));
    assert!(page_seq(&effects).is_some());
}

#[test]
fn a_truncated_picker_requeries_with_the_needle() {
    let mut app = started(1..5);
    let effects = act(&mut app, Action::OpenPicker(Facet::Session));
    let Some(Effect::LoadFacet { seq, limit, .. }) = effects.first().cloned() else {
        panic!()
    };
    app.update(Msg::Loaded(Loaded::Facet {
        seq,
        result: Ok((0..limit)
            .map(|i| ValueCount {
                value: format!("S-{i}"),
                count: 1,
            })
            .collect()),
    }));
    assert!(app.picker.as_ref().unwrap().truncated);
    let effects = act(&mut app, Action::Input('9'));
    assert!(matches!(
        effects.as_slice(),
        [Effect::LoadFacet { needle, facet: Facet::Session, .. }] if needle == "9"
    ));
    assert!(act(&mut app, Action::Cancel).is_empty());
    assert!(app.picker.is_none());
    assert_eq!(app.filter, Filter::default());
}

#[test]
fn choosing_a_category_replaces_the_category_term() {
    let (mut app, effects) = App::new(Options {
        filter: f("category:usage tenant:T-1"),
        extra_columns: vec![],
        cache_ready: true,
    });
    let seq = effects
        .iter()
        .find_map(|e| match e {
            Effect::CountCategories { seq, .. } => Some(*seq),
            _ => None,
        })
        .unwrap();
    app.update(Msg::Loaded(Loaded::Categories {
        seq,
        result: Ok(vec![
            ValueCount {
                value: "usage".into(),
                count: 5,
            },
            ValueCount {
                value: "audit".into(),
                count: 1,
            },
        ]),
    }));
    let entries = app.sidebar_entries();
    assert_eq!(entries[0], (None, Some(6)));
    assert_eq!(entries[4], (Some("error".into()), Some(0)));
    assert_eq!(entries[5], (Some("audit".into()), Some(1)));
    assert_eq!(app.active_category(), Some("usage"));
    act(&mut app, Action::FocusPrev);
    assert_eq!(app.focus, Pane::Sidebar);
    for _ in 0..4 {
        act(&mut app, Action::SelectNext);
    }
    let effects = act(&mut app, Action::Activate);
    assert_eq!(app.filter, f("tenant:T-1 category:error"));
    assert!(page_seq(&effects).is_some());
    // A click on "All" sets the category aside.
    app.update(Msg::Pointer(Pointer::Click {
        pane: Pane::Sidebar,
        line: 0,
    }));
    assert_eq!(app.filter, f("tenant:T-1"));
}

#[test]
fn clicks_select_rows_and_the_wheel_scrolls_the_pane_under_the_pointer() {
    let mut app = started(1..30);
    let effects = app.update(Msg::Pointer(Pointer::Click {
        pane: Pane::Table,
        line: 3,
    }));
    assert_eq!(app.selected().unwrap().id, 3);
    assert!(matches!(
        effects.as_slice(),
        [Effect::LoadDetail { id: 3, .. }]
    ));
    app.update(Msg::Pointer(Pointer::Wheel {
        pane: Pane::Table,
        lines: 3,
    }));
    assert_eq!(app.selected().unwrap().id, 6);
}

#[test]
fn help_opens_and_closes_and_quit_quits() {
    let mut app = started(1..3);
    act(&mut app, Action::ToggleHelp);
    assert_eq!(app.mode(), Mode::Help);
    act(&mut app, Action::Cancel);
    assert_eq!(app.mode(), Mode::Normal);
    act(&mut app, Action::Quit);
    assert!(app.should_quit());
}

fn detail_seq(effects: &[Effect]) -> Option<(u64, i64)> {
    effects.iter().find_map(|e| match e {
        Effect::LoadDetail { seq, id } => Some((*seq, *id)),
        _ => None,
    })
}

/// Event `id` with an email in its payload, and the finding the scanner would report.
fn inspected(id: i64) -> Box<Inspected> {
    Box::new(Inspected {
        event: Event {
            summary: row(id),
            app_name: None,
            app_version: None,
            payload: Some(r#"{"msUpn":"alice@contoso.com"}"#.into()),
            extra: vec![],
        },
        findings: vec![Finding {
            field: "payload/msUpn".into(),
            kind: Kind::Email,
            confidence: Confidence::High,
            span: None,
            evidence: vec!["pattern: email".into()],
        }],
        breaches: vec![],
    })
}

fn doc_text(app: &App) -> String {
    let Detail::Ready(doc) = &app.detail else {
        panic!("no detail: {:?}", app.detail);
    };
    doc.lines
        .iter()
        .flat_map(|l| l.spans.iter().map(|(_, s)| s.as_str()))
        .collect()
}

#[test]
fn page_replies_carry_a_marker_per_row() {
    let (mut app, effects) = App::new(Options::default());
    let (seq, _) = page_seq(&effects).unwrap();
    let user = Marker {
        class: Some(Class::User),
        columns: [Some(Kind::TenantId), None, Some(Kind::Email)],
        breach: true,
    };
    app.update(Msg::Loaded(Loaded::Page {
        seq,
        result: Ok(Page {
            rows: rows(1..4),
            marks: vec![Marker::default(), user],
        }),
    }));
    assert_eq!(app.window.marks.len(), 3, "a missing marker is blank");
    assert_eq!(app.window.marker(1), user);
    assert_eq!(app.window.marker(1).letter(), "U");
    assert_eq!(app.window.marker(2), Marker::default());
    assert_eq!(app.window.marker(99), Marker::default());
}

#[test]
fn markers_follow_their_rows_when_pages_are_prepended() {
    let mut app = started(1000..1000 + PAGE_SIZE as i64);
    let effects = act(&mut app, Action::SelectLast);
    let (seq, start) = page_seq(&effects).unwrap();
    assert_eq!(start, PageStart::Last);
    let secret = Marker {
        class: Some(Class::Secret),
        columns: [None; 3],
        breach: false,
    };
    let ids = 5000..5000 + PAGE_SIZE as i64;
    app.update(Msg::Loaded(Loaded::Page {
        seq,
        result: Ok(Page {
            marks: ids.clone().map(|_| secret).collect(),
            rows: rows(ids),
        }),
    }));
    // Scrolling up near the start of the window prepends the page before it.
    let seq = (0..40)
        .find_map(|_| match page_seq(&act(&mut app, Action::PageUp)) {
            Some((seq, PageStart::Before(_))) => Some(seq),
            _ => None,
        })
        .unwrap();
    app.update(Msg::Loaded(Loaded::Page {
        seq,
        result: Ok(rows(4000..4000 + PAGE_SIZE as i64).into()),
    }));
    assert_eq!(app.window.rows.len(), 2 * PAGE_SIZE);
    assert_eq!(app.window.marks.len(), app.window.rows.len());
    for (i, row) in app.window.rows.iter().enumerate() {
        let expected = if row.id >= 5000 {
            secret
        } else {
            Marker::default()
        };
        assert_eq!(app.window.marker(i), expected, "row {}", row.id);
    }
}

#[test]
fn the_mask_key_toggles_masking_of_the_detail_without_a_query() {
    let (mut app, effects) = App::new(Options::default());
    app.update(Msg::Resized(Viewport {
        table_rows: 10,
        detail_width: 60,
        detail_rows: 8,
    }));
    let (seq, _) = page_seq(&effects).unwrap();
    let effects = app.update(Msg::Loaded(Loaded::Page {
        seq,
        result: Ok(rows(1..4).into()),
    }));
    let (seq, id) = detail_seq(&effects).unwrap();
    app.update(Msg::Loaded(Loaded::Detail {
        seq,
        result: Ok(Some(inspected(id))),
    }));
    assert!(!app.masked);
    let text = doc_text(&app);
    assert!(text.contains("alice@contoso.com") && text.contains("pattern: email"));

    assert!(act(&mut app, Action::ToggleMask).is_empty());
    assert!(app.masked);
    let text = doc_text(&app);
    assert!(!text.contains("alice@"), "{text}");
    assert!(text.contains("a***@contoso.com"));

    // A detail arriving while masked is masked from the start.
    let effects = act(&mut app, Action::SelectNext);
    let (seq, id) = detail_seq(&effects).unwrap();
    app.update(Msg::Loaded(Loaded::Detail {
        seq,
        result: Ok(Some(inspected(id))),
    }));
    assert!(!doc_text(&app).contains("alice@"));

    act(&mut app, Action::ToggleMask);
    assert!(!app.masked);
    assert!(doc_text(&app).contains("alice@contoso.com"));
}

#[test]
fn stale_detail_replies_are_ignored() {
    let mut app = started(1..5);
    let effects = act(&mut app, Action::SelectNext);
    let (old_seq, old_id) = detail_seq(&effects).unwrap();
    let effects = act(&mut app, Action::SelectNext);
    let (new_seq, new_id) = detail_seq(&effects).unwrap();
    assert_ne!(old_seq, new_seq);
    let stale = app.update(Msg::Loaded(Loaded::Detail {
        seq: old_seq,
        result: Ok(Some(inspected(old_id))),
    }));
    assert!(stale.is_empty());
    assert_eq!(app.detail, Detail::Loading(new_id));
    app.update(Msg::Loaded(Loaded::Detail {
        seq: new_seq,
        result: Ok(Some(inspected(new_id))),
    }));
    let Detail::Ready(doc) = &app.detail else {
        panic!("{:?}", app.detail);
    };
    assert_eq!(doc.id, new_id);
    assert_eq!(doc.findings.len(), 1);
}

#[test]
fn space_marks_and_moves_down_and_marks_survive_a_new_filter() {
    let mut app = started(1..6);
    act(&mut app, Action::ToggleMark);
    act(&mut app, Action::ToggleMark);
    assert_eq!(app.marked.iter().copied().collect::<Vec<_>>(), [1, 2]);
    assert_eq!(app.selected().map(|r| r.id), Some(3));
    act(&mut app, Action::SelectPrev);
    act(&mut app, Action::ToggleMark);
    assert_eq!(app.marked.iter().copied().collect::<Vec<_>>(), [1]);
    act(&mut app, Action::NarrowToSelected(Facet::Tenant));
    assert_eq!(app.marked.len(), 1, "marks are kept by id across filters");
    act(&mut app, Action::ClearMarks);
    assert!(app.marked.is_empty());
    assert!(app.notice.as_ref().unwrap().text.contains("1 mark cleared"));
}

fn started_job(effects: &[Effect]) -> Option<(u64, Job)> {
    effects.iter().find_map(|e| match e {
        Effect::StartJob { id, job } => Some((*id, job.clone())),
        _ => None,
    })
}

#[test]
fn the_export_dialog_exports_the_marked_events_as_a_job() {
    let mut app = started(1..6);
    act(&mut app, Action::ToggleMark);
    act(&mut app, Action::ToggleMark);
    act(&mut app, Action::OpenExport);
    assert_eq!(app.mode(), Mode::Export);
    act(&mut app, Action::ClearLine);
    typed(&mut app, "out.txt");
    assert!(act(&mut app, Action::Submit).is_empty(), "bad extension");
    assert!(app.export.as_ref().unwrap().problem.is_some());
    act(&mut app, Action::DeleteBack);
    act(&mut app, Action::DeleteBack);
    act(&mut app, Action::DeleteBack);
    typed(&mut app, "csv");
    act(&mut app, Action::FocusNext);
    let effects = act(&mut app, Action::Submit);
    let (id, job) = started_job(&effects).unwrap();
    assert_eq!(
        job,
        Job::Export(ExportRequest {
            out: "out.csv".into(),
            redaction: Redaction::Hash,
            keep: vec![],
            scope: ExportScope::Marked(vec![1, 2]),
        })
    );
    assert_eq!(app.mode(), Mode::Normal);
    assert_eq!(app.jobs.len(), 1);
    assert_eq!(app.jobs[0].describe(), "exporting 0…");
    app.update(Msg::Loaded(Loaded::JobProgress {
        id,
        stage: "writing",
        done: 1,
        total: Some(2),
    }));
    assert_eq!(app.jobs[0].describe(), "exporting: writing 50%");
    app.update(Msg::Loaded(Loaded::JobDone {
        id,
        result: Ok("exported 2 events to out.csv".into()),
    }));
    assert!(app.jobs.is_empty());
    assert_eq!(
        app.notice.as_ref().unwrap().text,
        "exported 2 events to out.csv"
    );
}

#[test]
fn without_marks_the_export_takes_the_filter_and_esc_cancels() {
    let mut app = started(1..6);
    act(&mut app, Action::NarrowToSelected(Facet::Tenant));
    act(&mut app, Action::OpenExport);
    act(&mut app, Action::Cancel);
    assert_eq!(app.mode(), Mode::Normal);
    assert!(app.export.is_none());
    act(&mut app, Action::OpenExport);
    let (_, job) = started_job(&act(&mut app, Action::Submit)).unwrap();
    let Job::Export(request) = job else {
        panic!("{job:?}")
    };
    assert_eq!(request.scope, ExportScope::Filtered(f("tenant:T-1")));
    assert_eq!(request.out, std::path::PathBuf::from(DEFAULT_EXPORT_PATH));
    assert_eq!(request.redaction, Redaction::Mask);
}

#[test]
fn seeking_a_violation_opens_the_window_at_it_and_ignores_stale_answers() {
    let mut app = started(1..6);
    act(&mut app, Action::SelectNext);
    let effects = act(&mut app, Action::SeekViolation { forward: true });
    let Some(Effect::SeekViolation {
        seq, from, forward, ..
    }) = effects.first().cloned()
    else {
        panic!("{effects:?}")
    };
    assert!(forward);
    assert_eq!(from, row(2).cursor());
    let stale = app.update(Msg::Loaded(Loaded::Seek {
        seq: seq + 100,
        result: Ok(Some(row(4).cursor())),
    }));
    assert!(stale.is_empty());
    let found = app.update(Msg::Loaded(Loaded::Seek {
        seq,
        result: Ok(Some(row(4).cursor())),
    }));
    assert_eq!(
        page_seq(&found).map(|p| p.1),
        Some(PageStart::At(row(4).cursor()))
    );
}

#[test]
fn without_a_cache_the_app_asks_for_one_and_privacy_terms_wait_for_it() {
    let (mut app, effects) = App::new(Options::default());
    let (id, job) = started_job(&effects).unwrap();
    assert_eq!(job, Job::BuildCache);
    assert_eq!(app.cache, telex::app::CacheStatus::Building);
    act(&mut app, Action::EditFilter);
    typed(&mut app, "category:error has:pii");
    assert!(act(&mut app, Action::Submit).is_empty());
    let problem = app.filter_problem.clone().unwrap();
    assert_eq!(problem.position, 15, "at has:");
    assert!(problem.message.contains("privacy cache"), "{problem:?}");
    assert_eq!(app.filter, Filter::default(), "the results stay");
    app.update(Msg::Loaded(Loaded::JobDone {
        id,
        result: Ok("privacy cache ready".into()),
    }));
    assert_eq!(app.cache, telex::app::CacheStatus::Ready);
    let effects = act(&mut app, Action::Submit);
    assert!(page_seq(&effects).is_some());
    assert_eq!(app.filter, f("category:error has:pii"));
}

#[test]
fn the_inventory_narrows_to_the_records_behind_a_field() {
    let mut app = started(1..4);
    let effects = act(&mut app, Action::OpenInventory);
    let Some(Effect::LoadInventory { seq }) = effects.first().cloned() else {
        panic!("{effects:?}")
    };
    let row = |category: &str, field: &str, identified| telex::app::InventoryRow {
        category: category.into(),
        field: field.into(),
        records: 10,
        identified,
        kinds: vec![(Kind::Email, identified)],
        example: Some("a***@contoso.com".into()),
    };
    app.update(Msg::Loaded(Loaded::Inventory {
        seq,
        result: Ok(vec![
            row("support", "payload/locale", 0),
            row("support", "payload/msUpn", 7),
        ]),
    }));
    assert!(
        act(&mut app, Action::Activate).is_empty(),
        "nothing to show"
    );
    assert_eq!(app.mode(), Mode::Inventory);
    act(&mut app, Action::SelectNext);
    let effects = act(&mut app, Action::Activate);
    assert!(page_seq(&effects).is_some());
    assert_eq!(app.mode(), Mode::Normal);
    assert_eq!(app.filter, f("category:support field:payload/msUpn"));
}
