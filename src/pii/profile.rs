//! The byte-class counts of a value, taken in one pass to decide which detectors may run.

/// Byte-class counts of a value (see `Profile::of`).
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Profile {
    pub len: usize,
    pub at: bool,
    pub colons: u32,
    pub dots: u32,
    pub dashes: u32,
    pub digits: u32,
    pub upper: bool,
    /// A `J`: every JWT starts `eyJ`.
    pub j: bool,
    pub space: bool,
    pub comma: bool,
    pub slash: bool,
    pub underscores: bool,
    pub plus: bool,
    pub equals: bool,
}

/// What `Profile::of` counts of a byte: an index into its tally, 0 for bytes it ignores.
const OTHER: u8 = 0;
const DIGIT: u8 = 1;
const UPPER: u8 = 2;
const J: u8 = 3;
const AT: u8 = 4;
const COLON: u8 = 5;
const DOT: u8 = 6;
const DASH: u8 = 7;
const SPACE: u8 = 8;
const COMMA: u8 = 9;
const SLASH: u8 = 10;
const UNDERSCORE: u8 = 11;
const PLUS: u8 = 12;
const EQUALS: u8 = 13;
const KINDS: usize = 14;

static KIND: [u8; 256] = {
    let mut t = [OTHER; 256];
    let mut c = 0;
    while c < 256 {
        t[c] = match c as u8 {
            b'0'..=b'9' => DIGIT,
            b'J' => J,
            b'A'..=b'Z' => UPPER,
            b'@' => AT,
            b':' => COLON,
            b'.' => DOT,
            b'-' => DASH,
            b' ' => SPACE,
            b',' => COMMA,
            b'/' | b'\\' => SLASH,
            b'_' => UNDERSCORE,
            b'+' => PLUS,
            b'=' => EQUALS,
            _ => OTHER,
        };
        c += 1;
    }
    t
};

impl Profile {
    pub fn of(text: &str) -> Profile {
        // A table lookup and an increment per byte, rather than a branch per class; the
        // commonest bytes (lower-case letters) skip the increment.
        let mut n = [0u32; KINDS];
        for &c in text.as_bytes() {
            let k = KIND[usize::from(c)];
            if k != OTHER {
                n[usize::from(k)] += 1;
            }
        }
        Profile {
            len: text.len(),
            at: n[usize::from(AT)] > 0,
            colons: n[usize::from(COLON)],
            dots: n[usize::from(DOT)],
            dashes: n[usize::from(DASH)],
            digits: n[usize::from(DIGIT)],
            upper: n[usize::from(UPPER)] + n[usize::from(J)] > 0,
            j: n[usize::from(J)] > 0,
            space: n[usize::from(SPACE)] > 0,
            comma: n[usize::from(COMMA)] > 0,
            slash: n[usize::from(SLASH)] > 0,
            underscores: n[usize::from(UNDERSCORE)] > 0,
            plus: n[usize::from(PLUS)] > 0,
            equals: n[usize::from(EQUALS)] > 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The branch-per-byte reading the table replaced.
    fn reference(text: &str) -> Profile {
        let mut p = Profile {
            len: text.len(),
            ..Profile::default()
        };
        for &c in text.as_bytes() {
            match c {
                b'0'..=b'9' => p.digits += 1,
                b'A'..=b'Z' => {
                    p.upper = true;
                    p.j |= c == b'J';
                }
                b'@' => p.at = true,
                b':' => p.colons += 1,
                b'.' => p.dots += 1,
                b'-' => p.dashes += 1,
                b' ' => p.space = true,
                b',' => p.comma = true,
                b'/' | b'\\' => p.slash = true,
                b'_' => p.underscores = true,
                b'+' => p.plus = true,
                b'=' => p.equals = true,
                _ => {}
            }
        }
        p
    }

    #[test]
    fn table_agrees_with_a_byte_match() {
        let all: Vec<u8> = (0..=127).collect();
        let all = String::from_utf8(all).expect("ascii");
        assert_eq!(Profile::of(&all), reference(&all));
        for c in 0..=127u8 {
            let text = String::from(char::from(c)).repeat(3) + "é";
            assert_eq!(Profile::of(&text), reference(&text), "{c}");
        }
        for text in [
            "",
            "J",
            "eyJhbGci.eyJzdWIi.sig",
            "a@b.c:d-e 1,2/3\\4_5+6=7",
            "€Ü",
        ] {
            assert_eq!(Profile::of(text), reference(text), "{text:?}");
        }
    }
}
