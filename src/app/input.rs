//! A one-line text field with a cursor: the filter bar and the pickers' search text.

use super::Action;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineInput {
    chars: Vec<char>,
    /// A character index in `0..=chars.len()`.
    cursor: usize,
}

impl LineInput {
    /// A field holding `text` with the cursor at its end.
    pub fn new(text: &str) -> LineInput {
        let chars: Vec<char> = text.chars().collect();
        LineInput {
            cursor: chars.len(),
            chars,
        }
    }

    pub fn text(&self) -> String {
        self.chars.iter().collect()
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    pub fn is_empty(&self) -> bool {
        self.chars.is_empty()
    }

    /// Applies an editing action; returns whether the text changed.
    pub fn edit(&mut self, action: Action) -> bool {
        match action {
            Action::Input(c) => {
                self.chars.insert(self.cursor, c);
                self.cursor += 1;
                true
            }
            Action::DeleteBack if self.cursor > 0 => {
                self.cursor -= 1;
                self.chars.remove(self.cursor);
                true
            }
            Action::DeleteForward if self.cursor < self.chars.len() => {
                self.chars.remove(self.cursor);
                true
            }
            Action::ClearLine => {
                let changed = self.cursor > 0;
                self.chars.drain(..self.cursor);
                self.cursor = 0;
                changed
            }
            Action::CursorLeft => {
                self.cursor = self.cursor.saturating_sub(1);
                false
            }
            Action::CursorRight => {
                self.cursor = (self.cursor + 1).min(self.chars.len());
                false
            }
            Action::CursorHome => {
                self.cursor = 0;
                false
            }
            Action::CursorEnd => {
                self.cursor = self.chars.len();
                false
            }
            _ => false,
        }
    }
}
