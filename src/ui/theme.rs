//! The one place colours are chosen. `plain()` honours `NO_COLOR`: modifiers only.

use ratatui::style::{Color, Modifier, Style};

use crate::app::Tone;
use crate::model::Class;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    pub text: Style,
    pub dim: Style,
    pub border: Style,
    pub border_focus: Style,
    pub title_focus: Style,
    pub header: Style,
    pub selected: Style,
    /// The selected row while another pane has the focus.
    pub selected_unfocused: Style,
    pub active: Style,
    pub error: Style,
    pub cursor: Style,
    pub key_hint: Style,
    pub heading: Style,
    pub label: Style,
    pub json_key: Style,
    pub json_string: Style,
    pub json_number: Style,
    pub json_literal: Style,
    pub punct: Style,
    pub note: Style,
    /// Identifying values, one style per class, distinct without colour too.
    pub pii_secret: Style,
    pub pii_user: Style,
    pub pii_org: Style,
    pub pii_pseudonymous: Style,
    /// The status line's `masked` flag.
    pub masked: Style,
    /// A policy violation: the `!` marker and the detail's "breaks the policy" lines.
    pub violation: Style,
}

impl Theme {
    pub fn colored() -> Theme {
        let fg = |c: Color| Style::new().fg(c);
        Theme {
            text: Style::new(),
            dim: fg(Color::DarkGray),
            border: fg(Color::DarkGray),
            border_focus: fg(Color::Cyan),
            title_focus: fg(Color::Cyan).add_modifier(Modifier::BOLD),
            header: fg(Color::Yellow).add_modifier(Modifier::BOLD),
            selected: Style::new().bg(Color::Blue).fg(Color::White),
            selected_unfocused: Style::new().bg(Color::DarkGray),
            active: fg(Color::Green).add_modifier(Modifier::BOLD),
            error: fg(Color::Red).add_modifier(Modifier::BOLD),
            cursor: Style::new().add_modifier(Modifier::REVERSED),
            key_hint: fg(Color::Cyan),
            heading: fg(Color::Yellow).add_modifier(Modifier::BOLD),
            label: fg(Color::Cyan),
            json_key: fg(Color::Blue).add_modifier(Modifier::BOLD),
            json_string: fg(Color::Green),
            json_number: fg(Color::Magenta),
            json_literal: fg(Color::Yellow),
            punct: fg(Color::Gray),
            note: fg(Color::DarkGray).add_modifier(Modifier::ITALIC),
            pii_secret: Style::new()
                .bg(Color::Red)
                .fg(Color::White)
                .add_modifier(Modifier::BOLD),
            pii_user: fg(Color::LightRed).add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            pii_org: fg(Color::LightYellow).add_modifier(Modifier::UNDERLINED),
            pii_pseudonymous: fg(Color::LightBlue).add_modifier(Modifier::UNDERLINED),
            masked: Style::new()
                .bg(Color::Magenta)
                .fg(Color::White)
                .add_modifier(Modifier::BOLD),
            violation: fg(Color::LightMagenta).add_modifier(Modifier::BOLD),
        }
    }

    pub fn plain() -> Theme {
        let m = |m: Modifier| Style::new().add_modifier(m);
        Theme {
            text: Style::new(),
            dim: m(Modifier::DIM),
            border: Style::new(),
            border_focus: m(Modifier::BOLD),
            title_focus: m(Modifier::BOLD),
            header: m(Modifier::BOLD | Modifier::UNDERLINED),
            selected: m(Modifier::REVERSED),
            selected_unfocused: m(Modifier::UNDERLINED),
            active: m(Modifier::BOLD),
            error: m(Modifier::BOLD),
            cursor: m(Modifier::REVERSED),
            key_hint: m(Modifier::BOLD),
            heading: m(Modifier::BOLD | Modifier::UNDERLINED),
            label: m(Modifier::BOLD),
            json_key: m(Modifier::BOLD),
            json_string: Style::new(),
            json_number: Style::new(),
            json_literal: m(Modifier::ITALIC),
            punct: Style::new(),
            note: m(Modifier::ITALIC),
            pii_secret: m(Modifier::REVERSED | Modifier::BOLD),
            pii_user: m(Modifier::BOLD | Modifier::UNDERLINED),
            pii_org: m(Modifier::UNDERLINED),
            pii_pseudonymous: m(Modifier::ITALIC | Modifier::UNDERLINED),
            masked: m(Modifier::REVERSED),
            violation: m(Modifier::BOLD),
        }
    }

    pub fn tone(&self, tone: Tone) -> Style {
        match tone {
            Tone::Heading => self.heading,
            Tone::Label => self.label,
            Tone::Value | Tone::Raw => self.text,
            Tone::Note => self.note,
            Tone::Key => self.json_key,
            Tone::Str => self.json_string,
            Tone::Number => self.json_number,
            Tone::Literal => self.json_literal,
            Tone::Punct => self.punct,
            Tone::Ident(class) => self.class(class),
            Tone::Breach => self.violation,
        }
    }

    /// The style of an identifier of `class`, in the detail and the marker column.
    pub fn class(&self, class: Class) -> Style {
        match class {
            Class::Secret => self.pii_secret,
            Class::User => self.pii_user,
            Class::Org => self.pii_org,
            Class::Pseudonymous => self.pii_pseudonymous,
        }
    }
}
