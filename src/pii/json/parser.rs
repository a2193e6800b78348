//! The tokenizer proper: one pass over the payload's bytes, straight into `Doc`'s leaves.
//! Anything it is not sure of (exponents, surrogate escapes, depth, invalid text) makes it
//! give up, and `Doc::parse` asks serde_json instead.

use super::{Doc, MAX_DEPTH, ObjectKeys, Pair, Seg, Str, key_facts};
use crate::text::word_at;

pub(super) struct Parser<'s, 'd> {
    pub b: &'s [u8],
    pub src: &'s str,
    pub i: usize,
    pub doc: &'d mut Doc,
    pub scalars: bool,
}

impl<'s> Parser<'s, '_> {
    pub fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.b.get(self.i) {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    /// The next byte after whitespace, not consumed. Compact JSON has none: one test then.
    #[inline(always)]
    fn next(&mut self) -> Option<u8> {
        let c = self.peek()?;
        if c > b' ' {
            return Some(c);
        }
        self.ws();
        self.peek()
    }

    /// The value at the current path plus `seg`, named by `key`.
    pub fn value(&mut self, key: Str, seg: Seg<'s>, depth: u32) -> Option<()> {
        match self.next()? {
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
                let start = self.i;
                self.number()?;
                let key_text = self.doc.str(self.src, key);
                // Only coordinates are scanned among numbers: their text is kept as serde_json
                // reads it (`47.60620` is 47.6062), which the cheap test on the key spares
                // every other number.
                if let Some(axis) = super::super::fieldname::coordinate_axis(key_text) {
                    let number = serde_json::from_str(&self.src[start..self.i]).ok()?;
                    let coordinate = Some((&number, axis));
                    self.doc
                        .number_leaf(key, seg, coordinate, self.src, self.scalars);
                } else if self.scalars {
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

    fn scalar(&mut self, key: Str, seg: Seg<'s>, word: &[u8]) -> Option<()> {
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

    /// An object named by `parent` (the key that holds it, or its array's key). A function of
    /// its own (not inlined into `value`), which leaves more registers to its loop.
    #[inline(never)]
    fn object(&mut self, parent: Str, depth: u32) -> Option<()> {
        self.i += 1;
        if self.next() == Some(b'}') {
            self.i += 1;
            return Some(());
        }
        let mut keys = ObjectKeys::new(self.doc);
        let mut pair = Pair::default();
        loop {
            if self.next() != Some(b'"') {
                return None;
            }
            let k = self.string()?;
            let seg = self.key(&mut keys, k);
            if self.next() != Some(b':') {
                return None;
            }
            self.i += 1;
            let role = self.doc.pair_role(k, self.src);
            let name = pair
                .name_of(role)
                .unwrap_or_else(|| self.doc.hint_name(parent, k, self.src));
            let mark = pair.mark(role, self.doc);
            // Most values are strings: read here, without the call to `value`.
            if self.next() == Some(b'"') {
                let s = self.string()?;
                self.doc.leaf(name, seg, Some(s), self.src);
                if let Some(early) = pair.saw(role, s) {
                    self.doc.rename(early, s);
                }
            } else {
                self.value(name, seg, depth)?;
            }
            if let Some(mark) = mark {
                pair.listed(mark, name, self.doc);
            }
            match self.next()? {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    break;
                }
                _ => return None,
            }
        }
        self.doc.keys.truncate(keys.first);
        Some(())
    }

    /// Notes key `k` among the `keys` of its object, and the pointer step it makes.
    #[inline(always)]
    fn key(&mut self, keys: &mut ObjectKeys, k: Str) -> Seg<'s> {
        if k.owned {
            let (print, _) = key_facts(&self.doc.text.as_bytes()[k.start..k.end]);
            self.doc.add_key(keys, k, print, self.src);
            return Seg::Key(k);
        }
        let src: &'s str = self.src;
        let name = &src[k.start..k.end];
        let (print, escape) = key_facts(name.as_bytes());
        self.doc.add_key(keys, k, print, src);
        if escape {
            Seg::Key(k)
        } else {
            Seg::Plain(name)
        }
    }

    fn array(&mut self, key: Str, depth: u32) -> Option<()> {
        self.i += 1;
        if self.next() == Some(b']') {
            self.i += 1;
            return Some(());
        }
        let mut n = 0;
        loop {
            self.value(key, Seg::Index(n), depth)?;
            n += 1;
            match self.next()? {
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
    #[inline(always)]
    fn string(&mut self) -> Option<Str> {
        let start = self.i + 1;
        let j = string_stop(self.b, start);
        if self.b.get(j) == Some(&b'"') {
            self.i = j + 1;
            return Some(Str {
                start,
                end: j,
                owned: false,
            });
        }
        // Only a position comes back from the cold path, so that the common one's `Str`
        // stays in registers.
        let t0 = self.doc.text.len();
        let end = self.escaped(start, j)?;
        Some(Str {
            start: t0,
            end,
            owned: true,
        })
    }

    /// The string from `start` whose plain run stopped at `j` on something else than its
    /// closing quote: appended to `Doc::text` with its escapes resolved. Where it ends there.
    #[cold]
    fn escaped(&mut self, start: usize, mut j: usize) -> Option<usize> {
        let b = self.b;
        if *b.get(j)? != b'\\' {
            return None;
        }
        let text = &mut self.doc.text;
        text.push_str(&self.src[start..j]);
        loop {
            match *b.get(j)? {
                b'"' => {
                    self.i = j + 1;
                    return Some(text.len());
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
/// control character (non-ASCII bytes are copied with the run); the length when there is none.
/// Like `text::json_plain_run` (the JSON writer's), eight bytes a word, but inlined into the
/// string reader, two words a step (most keys and many values fit in one), and one
/// comparison less per word (see `stops`).
#[inline(always)]
fn string_stop(b: &[u8], mut j: usize) -> usize {
    while let Some(chunk) = b.get(j..j + 16) {
        let (lo, hi) = (stops(word_at(chunk, 0)), stops(word_at(chunk, 8)));
        if lo | hi != 0 {
            // Each word's flags are exact up to its first stop.
            let first = if lo != 0 {
                lo.trailing_zeros()
            } else {
                64 + hi.trailing_zeros()
            };
            return j + (first / 8) as usize;
        }
        j += 16;
    }
    // Fewer than sixteen bytes left (a payload's last strings): a word, then a byte at a time.
    if let Some(chunk) = b.get(j..j + 8) {
        let hit = stops(word_at(chunk, 0));
        if hit != 0 {
            return j + (hit.trailing_zeros() / 8) as usize;
        }
        j += 8;
    }
    while let Some(&c) = b.get(j) {
        if c < 0x20 || c == b'"' || c == b'\\' {
            break;
        }
        j += 1;
    }
    j
}

/// The high bit of each byte of `w` that ends a plain run of string (exact up to the first
/// one; bytes above it may be flagged too). With bit 1 flipped, the control characters stay
/// below 0x20 and `"` (0x22) becomes 0x20: both are the bytes below 0x21, one comparison.
#[inline(always)]
fn stops(w: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let flipped = w ^ (ONES * 0x02);
    let below = flipped.wrapping_sub(ONES * 0x21) & !flipped;
    let other = w ^ (ONES * u64::from(b'\\'));
    let backslash = other.wrapping_sub(ONES) & !other;
    (below | backslash) & (ONES * 0x80)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first stop from `j` on, a byte at a time.
    fn walk(b: &[u8], j: usize) -> usize {
        (j..b.len())
            .find(|&k| b[k] < 0x20 || b[k] == b'"' || b[k] == b'\\')
            .unwrap_or(b.len())
    }

    #[test]
    fn string_stops_agree_with_a_byte_walk() {
        // Bytes next to the stops and to what a word's borrows turn into stops.
        let alphabet = [
            0x00, 0x01, 0x1f, 0x20, 0x21, b'"', 0x23, b'[', b'\\', b']', b'a', 0x7f, 0x80, 0xa2,
            0xdc, 0xff,
        ];
        let mut seed = 5u64;
        for _ in 0..20_000 {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let n = ((seed >> 33) % 48) as usize;
            let mut r = seed;
            let b: Vec<u8> = (0..n)
                .map(|_| {
                    r = r.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(7);
                    // Mostly plain bytes, as in real strings.
                    if (r >> 60) < 11 {
                        b'a' + ((r >> 40) % 26) as u8
                    } else {
                        alphabet[((r >> 35) % alphabet.len() as u64) as usize]
                    }
                })
                .collect();
            for j in 0..=b.len() {
                assert_eq!(string_stop(&b, j), walk(&b, j), "{b:?} from {j}");
            }
        }
    }
}
