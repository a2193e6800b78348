//! The runtime: owns the terminal, the input thread and the worker lanes, and runs the loop —
//! block on one inbox, drain it, update, draw once. No application logic lives here.

use std::io::stdout;
use std::sync::mpsc;
use std::thread;

use crossterm::event::{
    self, DisableMouseCapture, EnableMouseCapture, Event, MouseButton, MouseEventKind,
};
use ratatui::layout::Size;

use crate::app::{App, Loaded, Msg, Options, Pointer};
use crate::model::Filter;
use crate::policy::Policy;
use crate::store::Store;
use crate::worker::{CachePlan, Judge, Workers};
use crate::{keymap, ui};

enum Incoming {
    Terminal(Event),
    Worker(Loaded),
}

/// Lines one wheel notch scrolls.
const WHEEL_LINES: i32 = 3;

/// Runs the explorer on `store` starting with `filter`, until the user quits. The terminal is
/// restored on every exit path, panics included.
pub fn run(
    mut store: Store,
    filter: Filter,
    policy: Policy,
    cache: CachePlan,
) -> color_eyre::Result<()> {
    let cache_ready = matches!(cache, CachePlan::Ready(_));
    let judge = Judge::for_store(policy, &store)?;
    // `violates:` in the filter judges by the same policy as the `!` marker.
    store.set_policy(judge.judging())?;
    let slow_store = store.reopen()?;
    let extra_columns = store.schema().extra.clone();
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());

    let mut terminal = ratatui::try_init()?;
    install_mouse_release_on_panic();
    let result = crossterm::execute!(stdout(), EnableMouseCapture)
        .map_err(color_eyre::Report::from)
        .and_then(|()| {
            event_loop(
                &mut terminal,
                store,
                slow_store,
                judge,
                cache,
                Options {
                    filter,
                    extra_columns,
                    cache_ready,
                },
                no_color,
            )
        });
    let mouse = crossterm::execute!(stdout(), DisableMouseCapture);
    ratatui::restore();
    result?;
    mouse?;
    Ok(())
}

/// ratatui's panic hook restores the screen but not mouse reporting; release it first.
fn install_mouse_release_on_panic() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = crossterm::execute!(stdout(), DisableMouseCapture);
        previous(info);
    }));
}

fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    store: Store,
    slow_store: Store,
    judge: Judge,
    cache: CachePlan,
    options: Options,
    no_color: bool,
) -> color_eyre::Result<()> {
    let (inbox_tx, inbox) = mpsc::channel();
    let workers = Workers::spawn(store, slow_store, judge, cache, {
        let tx = inbox_tx.clone();
        move |loaded| tx.send(Incoming::Worker(loaded)).is_ok()
    });
    thread::spawn(move || {
        // Ends when reading fails or the loop has gone (send fails).
        while let Ok(event) = event::read() {
            if inbox_tx.send(Incoming::Terminal(event)).is_err() {
                break;
            }
        }
    });

    let (mut app, effects) = App::new(options);
    let mut view = ui::ViewState::new(no_color);
    let mut size = terminal.size()?;
    let mut pending = effects;
    pending.extend(app.update(Msg::Resized(ui::viewport(size))));
    send_all(&workers, pending)?;
    while !app.should_quit() {
        terminal.draw(|frame| ui::draw(frame, &app, &mut view))?;
        let first = inbox.recv()?;
        for incoming in std::iter::once(first).chain(inbox.try_iter().collect::<Vec<_>>()) {
            let msg = match incoming {
                Incoming::Worker(loaded) => Msg::Loaded(loaded),
                Incoming::Terminal(Event::Resize(width, height)) => {
                    size = Size::new(width, height);
                    Msg::Resized(ui::viewport(size))
                }
                Incoming::Terminal(Event::Mouse(mouse)) => match pointer(size, mouse) {
                    Some(pointer) => Msg::Pointer(pointer),
                    None => continue,
                },
                Incoming::Terminal(event) => match keymap::translate(app.mode(), &event) {
                    Some(action) => Msg::Action(action),
                    None => continue,
                },
            };
            send_all(&workers, app.update(msg))?;
            if app.should_quit() {
                break;
            }
        }
    }
    Ok(())
}

fn pointer(size: Size, mouse: event::MouseEvent) -> Option<Pointer> {
    let (pane, line) = ui::hit(size, mouse.column, mouse.row)?;
    match mouse.kind {
        MouseEventKind::ScrollDown => Some(Pointer::Wheel {
            pane,
            lines: WHEEL_LINES,
        }),
        MouseEventKind::ScrollUp => Some(Pointer::Wheel {
            pane,
            lines: -WHEEL_LINES,
        }),
        MouseEventKind::Down(MouseButton::Left) => Some(Pointer::Click { pane, line }),
        _ => None,
    }
}

fn send_all(workers: &Workers, effects: Vec<crate::app::Effect>) -> color_eyre::Result<()> {
    for effect in effects {
        if !workers.send(effect) {
            return Err(color_eyre::eyre::eyre!(
                "a query thread stopped unexpectedly"
            ));
        }
    }
    Ok(())
}
