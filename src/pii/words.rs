//! The words of free text for the name finder: runs of letters, apostrophes inside a word
//! kept (`O'Brien`), with a fast path for ASCII text.

use std::ops::Range;

use super::bytes;

/// Runs of alphabetic characters (apostrophes inside a word kept: `O'Brien`).
#[derive(Clone)]
pub(super) struct Words<'a> {
    text: &'a str,
    pos: usize,
    /// All ASCII: bytes are characters, and alphabetic means ASCII letters.
    ascii: bool,
}

impl<'a> Words<'a> {
    pub fn new(text: &'a str) -> Words<'a> {
        Words {
            text,
            pos: 0,
            ascii: text.is_ascii(),
        }
    }

    fn next_ascii(&mut self) -> Option<Range<usize>> {
        let b = self.text.as_bytes();
        let start = self.pos
            + b.get(self.pos..)?
                .iter()
                .position(u8::is_ascii_alphabetic)?;
        let end = ascii_word_end(b, start);
        self.pos = end;
        Some(start..end)
    }

    /// Whether a space and then a word follow `end`.
    pub fn space_then_word(&self, end: usize) -> bool {
        if self.ascii {
            let b = self.text.as_bytes();
            return b.get(end) == Some(&b' ')
                && b.get(end + 1).is_some_and(u8::is_ascii_alphabetic);
        }
        let mut rest = self.text[end..].chars();
        rest.next() == Some(' ') && rest.next().is_some_and(char::is_alphabetic)
    }

    /// Whether `word` (one of these words) starts with an upper-case letter, as every
    /// capitalised word does.
    pub fn starts_upper(&self, word: &Range<usize>) -> bool {
        if self.ascii {
            self.text.as_bytes()[word.start].is_ascii_uppercase()
        } else {
            self.text[word.clone()]
                .chars()
                .next()
                .is_some_and(char::is_uppercase)
        }
    }

    /// The next word that `starts_upper`. In ASCII text the bytes up to its first letter are
    /// searched directly, without splitting the words before it.
    pub fn next_capital(&mut self) -> Option<Range<usize>> {
        if !self.ascii {
            loop {
                let w = self.next()?;
                if self.starts_upper(&w) {
                    return Some(w);
                }
            }
        }
        let b = self.text.as_bytes();
        let mut from = self.pos;
        loop {
            let start = from + bytes::find_upper(b.get(from..)?)?;
            if ascii_word_start(b, start) {
                let end = ascii_word_end(b, start);
                self.pos = end;
                return Some(start..end);
            }
            from = start + 1;
        }
    }
}

/// Where the ASCII word starting at `start` ends: letters, and apostrophes between letters
/// except a possessive `'s` at the end of the word.
fn ascii_word_end(b: &[u8], start: usize) -> usize {
    let mut end = start;
    while end < b.len() {
        let c = b[end];
        if !(c.is_ascii_alphabetic() || inner_apostrophe(b, end)) {
            break;
        }
        end += 1;
    }
    end
}

fn inner_apostrophe(b: &[u8], at: usize) -> bool {
    b[at] == b'\''
        && b.get(at + 1).is_some_and(u8::is_ascii_alphabetic)
        && !b[at..].starts_with(b"'s ")
        && b[at..] != *b"'s"
}

/// Whether the letter at `at` starts a word rather than continuing one: the byte before it is
/// no letter, nor an apostrophe inside a word (which needs a letter before it).
fn ascii_word_start(b: &[u8], at: usize) -> bool {
    at == 0
        || !(b[at - 1].is_ascii_alphabetic()
            || at >= 2 && b[at - 2].is_ascii_alphabetic() && inner_apostrophe(b, at - 1))
}

impl Iterator for Words<'_> {
    type Item = Range<usize>;

    fn next(&mut self) -> Option<Range<usize>> {
        if self.ascii {
            return self.next_ascii();
        }
        let rest = self.text.get(self.pos..)?;
        let start = self.pos + rest.find(|c: char| c.is_alphabetic())?;
        let tail = &self.text[start..];
        let mut end = self.text.len();
        let mut it = tail.char_indices().peekable();
        while let Some((i, c)) = it.next() {
            let inner_apostrophe = c == '\''
                && it.peek().is_some_and(|&(_, n)| n.is_alphabetic())
                && !tail[i..].starts_with("'s ")
                && tail[i..] != *"'s";
            if !(c.is_alphabetic() || inner_apostrophe) {
                end = start + i;
                break;
            }
        }
        self.pos = end;
        Some(start..end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pii::random_texts;

    #[test]
    fn ascii_words_are_the_general_words() {
        let pieces = [
            "Alice", " ", "O'Brien", "'s", "'s ", "'", "x1", "Zed's", "-", "''a", "b'",
        ];
        for text in random_texts(3, &pieces, 20_000) {
            let words = |ascii| -> Vec<Range<usize>> {
                Words {
                    text: &text,
                    pos: 0,
                    ascii,
                }
                .collect()
            };
            assert_eq!(words(true), words(false), "{text:?}");
        }
    }
}
