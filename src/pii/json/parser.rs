//! The tokenizer proper: one pass over the payload's bytes, straight into `Doc`'s leaves.
//! Anything it is not sure of (exponents, surrogate escapes, depth, invalid text) makes it
//! give up, and `Doc::parse` asks serde_json instead.

use super::{Doc, MAX_DEPTH, Seg, Str};

pub(super) struct Parser<'s, 'd> {
    pub b: &'s [u8],
    pub src: &'s str,
    pub i: usize,
    pub doc: &'d mut Doc,
    pub scalars: bool,
}

impl Parser<'_, '_> {
    pub fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.b.get(self.i) {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    /// The value at the current path plus `seg`, named by `key`.
    pub fn value(&mut self, key: Str, seg: Seg, depth: u32) -> Option<()> {
        self.ws();
        match self.peek()? {
            b'"' => {
                let s = self.string()?;
                self.doc.leaf(key, seg, Some(s), self.src);
            }
            c @ (b'{' | b'[') if depth < MAX_DEPTH => {
                let d = &mut *self.doc;
                let len = d.path.len();
                seg.push_onto(&mut d.path, &d.text, self.src);
                if c == b'{' {
                    self.object(key, depth + 1)?;
                } else {
                    self.array(key, depth + 1)?;
                }
                self.doc.path.truncate(len);
            }
            b't' => self.scalar(key, seg, b"true")?,
            b'f' => self.scalar(key, seg, b"false")?,
            b'n' => {
                self.literal(b"null")?;
            }
            b'-' | b'0'..=b'9' => {
                self.number()?;
                if self.scalars {
                    self.doc.leaf(key, seg, None, self.src);
                }
            }
            _ => return None,
        }
        Some(())
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        if !self.b[self.i..].starts_with(word) {
            return None;
        }
        self.i += word.len();
        Some(())
    }

    fn scalar(&mut self, key: Str, seg: Seg, word: &[u8]) -> Option<()> {
        self.literal(word)?;
        if self.scalars {
            self.doc.leaf(key, seg, None, self.src);
        }
        Some(())
    }

    /// JSON's number grammar without exponents, and at most 300 integer digits: such a number
    /// is always finite for serde_json. Anything else is left to serde_json.
    fn number(&mut self) -> Option<()> {
        let b = self.b;
        let mut i = self.i;
        if b[i] == b'-' {
            i += 1;
        }
        let int_start = i;
        match b.get(i)? {
            b'0' => i += 1,
            b'1'..=b'9' => {
                while let Some(b'0'..=b'9') = b.get(i) {
                    i += 1;
                }
            }
            _ => return None,
        }
        if i - int_start > 300 {
            return None;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            let frac = i;
            while let Some(b'0'..=b'9') = b.get(i) {
                i += 1;
            }
            if i == frac {
                return None;
            }
        }
        if let Some(b'e' | b'E') = b.get(i) {
            return None;
        }
        self.i = i;
        Some(())
    }

    /// An object named by `parent` (the key that holds it, or its array's key).
    fn object(&mut self, parent: Str, depth: u32) -> Option<()> {
        self.i += 1;
        self.ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
            return Some(());
        }
        let first = self.doc.keys.len();
        loop {
            self.ws();
            if self.peek() != Some(b'"') {
                return None;
            }
            let k = self.string()?;
            self.doc.add_key(first, k, self.src);
            self.ws();
            if self.peek() != Some(b':') {
                return None;
            }
            self.i += 1;
            let name = self.doc.hint_name(parent, k, self.src);
            self.value(name, Seg::Key(k), depth)?;
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    break;
                }
                _ => return None,
            }
        }
        self.doc.keys.truncate(first);
        Some(())
    }

    fn array(&mut self, key: Str, depth: u32) -> Option<()> {
        self.i += 1;
        self.ws();
        if self.peek() == Some(b']') {
            self.i += 1;
            return Some(());
        }
        let mut n = 0;
        loop {
            self.value(key, Seg::Index(n), depth)?;
            n += 1;
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                b']' => {
                    self.i += 1;
                    break;
                }
                _ => return None,
            }
        }
        Some(())
    }

    /// A string at `self.i` (its opening quote): borrowed when it has no escapes.
    fn string(&mut self) -> Option<Str> {
        let b = self.b;
        let start = self.i + 1;
        let mut j = string_stop(b, start);
        match *b.get(j)? {
            b'"' => {
                self.i = j + 1;
                return Some(Str {
                    start,
                    end: j,
                    owned: false,
                });
            }
            b'\\' => {}
            _ => return None,
        }
        let text = &mut self.doc.text;
        let t0 = text.len();
        text.push_str(&self.src[start..j]);
        loop {
            match *b.get(j)? {
                b'"' => {
                    self.i = j + 1;
                    return Some(Str {
                        start: t0,
                        end: text.len(),
                        owned: true,
                    });
                }
                b'\\' => {
                    let c = match *b.get(j + 1)? {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let mut v = 0;
                            for h in b.get(j + 2..j + 6)? {
                                v = v * 16 + char::from(*h).to_digit(16)?;
                            }
                            j += 4;
                            // Surrogate pairs (and lone surrogates, an error) go to serde_json.
                            if (0xD800..0xE000).contains(&v) {
                                return None;
                            }
                            char::from_u32(v)?
                        }
                        _ => return None,
                    };
                    j += 2;
                    text.push(c);
                }
                c if c < 0x20 => return None,
                _ => {
                    let run = j;
                    j = string_stop(b, j);
                    // The run ends at an ASCII byte or the end: a character boundary.
                    text.push_str(&self.src[run..j]);
                }
            }
        }
    }
}

/// The first index from `j` on of a byte that ends a plain run of string: `"`, `\\` or a
/// control character (non-ASCII bytes are copied with the run).
fn string_stop(b: &[u8], j: usize) -> usize {
    crate::text::json_plain_run(b, j, false)
}
