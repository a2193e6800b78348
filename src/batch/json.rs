//! JSON lines that are safe on a terminal: serde_json already escapes C0 controls; this also
//! escapes C1 controls and bidi overrides, which JSON allows raw but a terminal would obey.

use std::io::{self, Write};

use serde_json::Value;

pub fn write_line(out: &mut dyn Write, value: &Value) -> io::Result<()> {
    write_serialize(out, value)
}

/// Any serializable value as one safe JSON line.
pub fn write_serialize(out: &mut dyn Write, value: &impl serde::Serialize) -> io::Result<()> {
    let text = serde_json::to_string(value).map_err(io::Error::other)?;
    let mut line = Vec::with_capacity(text.len() + 1);
    push_safe_line(&text, &mut line);
    out.write_all(&line)
}

/// Compact JSON with C1 controls and bidi overrides escaped too: valid JSON that decodes to
/// the same value and that a terminal showing it cannot obey.
pub fn to_safe_string(value: &impl serde::Serialize) -> io::Result<String> {
    let text = serde_json::to_string(value).map_err(io::Error::other)?;
    Ok(safe_text(&text).into_owned())
}

/// Appends compact JSON `text` and a newline to `out`, with C1 controls and bidi overrides
/// escaped (serde_json already escaped the C0 ones).
pub fn push_safe_line(text: &str, out: &mut Vec<u8>) {
    out.extend_from_slice(safe_text(text).as_bytes());
    out.push(b'\n');
}

/// `text` (compact JSON) with C1 controls and bidi overrides escaped as `\uXXXX`.
fn safe_text(text: &str) -> std::borrow::Cow<'_, str> {
    // ASCII text holds no C1 control or bidi character.
    if text.is_ascii() {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut safe = String::with_capacity(text.len() + 1);
    for c in text.chars() {
        if c.is_control()
            || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        {
            // Only possible inside JSON strings, where \uXXXX is the standard escape.
            safe.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            safe.push(c);
        }
    }
    std::borrow::Cow::Owned(safe)
}

/// Appends `s` as a JSON string, escaped exactly as serde_json escapes it. True when `s` is
/// not all ASCII (the line then needs `finish_line`'s closer look).
pub fn push_str(out: &mut Vec<u8>, s: &str) -> bool {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    let b = s.as_bytes();
    let mut run = 0;
    let mut wide = false;
    let mut i = plain_prefix(b, 0);
    while i < b.len() {
        let c = b[i];
        if c >= 0x80 {
            // Part of a multi-byte character: copied as it is, with the run.
            wide = true;
            i = plain_prefix(b, i + 1);
            continue;
        }
        let escape: &[u8] = match c {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            _ => b"",
        };
        out.extend_from_slice(&b[run..i]);
        if escape.is_empty() {
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(c >> 4)]);
            out.push(HEX[usize::from(c & 0xf)]);
        } else {
            out.extend_from_slice(escape);
        }
        run = i + 1;
        i = plain_prefix(b, run);
    }
    out.extend_from_slice(&b[run..]);
    out.push(b'"');
    wide
}

/// The index of the first byte from `i` on that JSON escapes (`"`, `\\`, below 0x20) or that
/// is not ASCII, or the length.
fn plain_prefix(b: &[u8], i: usize) -> usize {
    crate::text::json_plain_run(b, i, true)
}

/// Makes the JSON line that starts at `start` of `out` terminal-safe (`push_safe_line`) and
/// ends it with a newline. `wide`: the line may hold non-ASCII text (else it is all ASCII).
#[inline]
pub fn finish_line(out: &mut Vec<u8>, start: usize, wide: bool) {
    if wide {
        make_safe(out, start);
    }
    out.push(b'\n');
}

/// `push_safe_line` on the line that starts at `start`, in place, without its newline.
#[cold]
fn make_safe(out: &mut Vec<u8>, start: usize) {
    let line = out.split_off(start);
    out.extend_from_slice(safe_text(&String::from_utf8_lossy(&line)).as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_json_leaves_raw_and_stays_valid_json() {
        let v = serde_json::json!({"m": "a\u{1b}[31m b\u{202e}c \u{9b}"});
        let mut out = Vec::new();
        write_line(&mut out, &v).unwrap();
        let line = String::from_utf8(out).unwrap();
        assert_eq!(line, "{\"m\":\"a\\u001b[31m b\\u202ec \\u009b\"}\n");
        let back: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let mut all = String::new();
        for c in (0u32..0x250).chain([0x2028, 0x202e, 0x1f600]) {
            all.extend(char::from_u32(c));
        }
        for s in [
            "",
            "plain",
            "a\"b\\c\n\t\r\u{8}\u{c}\u{b}\u{1}\u{7f}é",
            &all,
        ] {
            let mut mine = Vec::new();
            assert_eq!(push_str(&mut mine, s), !s.is_ascii(), "{s:?}");
            assert_eq!(
                String::from_utf8(mine).unwrap(),
                serde_json::to_string(s).unwrap()
            );
        }
    }
}
