//! Keys → actions, as one table per mode. The same table feeds the `?` help overlay and the
//! footer hints, so what is documented is what is bound. Knows crossterm keys and app actions.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::app::{Action, Mode};

/// One binding: in `mode`, `code` with `mods` means `action`.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub mode: Mode,
    pub code: KeyCode,
    pub mods: KeyModifiers,
    pub action: Action,
    /// A word for the footer; empty keeps the binding out of the footer.
    pub hint: &'static str,
    /// The help overlay's description; bindings sharing it are listed together.
    pub help: &'static str,
}

const NONE: KeyModifiers = KeyModifiers::NONE;
const CTRL: KeyModifiers = KeyModifiers::CONTROL;

const fn bind(
    mode: Mode,
    code: KeyCode,
    mods: KeyModifiers,
    action: Action,
    hint: &'static str,
    help: &'static str,
) -> Binding {
    Binding {
        mode,
        code,
        mods,
        action,
        hint,
        help,
    }
}

use KeyCode::{
    BackTab, Backspace, Char, Delete, Down, End, Enter, Esc, Home, Left, PageDown, PageUp, Right,
    Tab, Up,
};
use Mode::{Filter, Picker};

mod bindings;
pub use bindings::BINDINGS;

/// Shift is part of the character itself (`G`), and terminals disagree on reporting it.
fn normalise(key: KeyEvent) -> (KeyCode, KeyModifiers) {
    let mods = key.modifiers - KeyModifiers::SHIFT;
    (key.code, mods)
}

/// The action of a key press in `mode`; in text modes, plain characters are typed.
pub fn action(mode: Mode, key: KeyEvent) -> Option<Action> {
    let (code, mods) = normalise(key);
    let bound = BINDINGS
        .iter()
        .find(|b| b.mode == mode && b.code == code && b.mods == mods)
        .map(|b| b.action);
    if bound.is_some() {
        return bound;
    }
    match (mode, code) {
        (Filter | Picker | Mode::Export, Char(c)) if !mods.intersects(CTRL | KeyModifiers::ALT) => {
            Some(Action::Input(c))
        }
        _ => None,
    }
}

/// The action of a terminal event, for key presses only (releases are not actions).
pub fn translate(mode: Mode, event: &Event) -> Option<Action> {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => action(mode, *key),
        _ => None,
    }
}

/// How a key is written in hints and help: `j`, `ctrl-d`, `PgDn`.
pub fn key_label(code: KeyCode, mods: KeyModifiers) -> String {
    let name = match code {
        Char(' ') => "Space".to_string(),
        Char(c) => c.to_string(),
        Down => "↓".into(),
        Up => "↑".into(),
        Left => "←".into(),
        Right => "→".into(),
        PageDown => "PgDn".into(),
        PageUp => "PgUp".into(),
        Enter => "Enter".into(),
        Esc => "Esc".into(),
        Tab => "Tab".into(),
        BackTab => "S-Tab".into(),
        Backspace => "Bksp".into(),
        Delete => "Del".into(),
        Home => "Home".into(),
        End => "End".into(),
        other => format!("{other:?}"),
    };
    if mods.contains(CTRL) {
        format!("ctrl-{name}")
    } else {
        name
    }
}

/// `(key, word)` pairs for the footer of `mode`.
pub fn hints(mode: Mode) -> Vec<(String, &'static str)> {
    BINDINGS
        .iter()
        .filter(|b| b.mode == mode && !b.hint.is_empty())
        .map(|b| (key_label(b.code, b.mods), b.hint))
        .collect()
}

/// `(keys, description)` lines for the help overlay: bindings with the same description in
/// `mode` are joined (`j ↓  move down`).
pub fn help(mode: Mode) -> Vec<(String, &'static str)> {
    let mut lines: Vec<(String, &'static str)> = Vec::new();
    for b in BINDINGS.iter().filter(|b| b.mode == mode) {
        let key = key_label(b.code, b.mods);
        match lines.iter_mut().find(|(_, help)| *help == b.help) {
            Some((keys, _)) => {
                keys.push(' ');
                keys.push_str(&key);
            }
            None => lines.push((key, b.help)),
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use Mode::{Help, Normal};

    fn key(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn no_key_is_bound_twice_in_a_mode() {
        for (i, a) in BINDINGS.iter().enumerate() {
            for b in &BINDINGS[i + 1..] {
                assert!(
                    !(a.mode == b.mode && a.code == b.code && a.mods == b.mods),
                    "{:?} {} bound twice",
                    a.mode,
                    key_label(a.code, a.mods)
                );
            }
        }
    }

    #[test]
    fn keys_mean_what_the_table_says() {
        assert_eq!(
            action(Normal, key(Char('j'), NONE)),
            Some(Action::SelectNext)
        );
        assert_eq!(
            action(Normal, key(Char('G'), KeyModifiers::SHIFT)),
            Some(Action::SelectLast)
        );
        assert_eq!(action(Normal, key(Char('d'), CTRL)), Some(Action::PageDown));
        assert_eq!(
            action(Filter, key(Char('j'), NONE)),
            Some(Action::Input('j'))
        );
        assert_eq!(
            action(Filter, key(Char('u'), CTRL)),
            Some(Action::ClearLine)
        );
        assert_eq!(
            action(Picker, key(Char('q'), NONE)),
            Some(Action::Input('q'))
        );
        assert_eq!(action(Normal, key(Char('z'), NONE)), None);
        for mode in [Normal, Filter, Picker, Help] {
            assert_eq!(
                action(mode, key(Char('c'), CTRL)),
                Some(Action::Quit),
                "{mode:?}"
            );
        }
    }

    #[test]
    fn every_mode_has_hints_and_help() {
        for mode in [Normal, Filter, Picker, Help] {
            assert!(!hints(mode).is_empty(), "{mode:?}");
        }
        assert!(help(Normal).contains(&("j ↓".to_string(), "move down / scroll down")));
    }
}
