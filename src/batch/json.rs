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

/// Appends compact JSON `text` and a newline to `out`, with C1 controls and bidi overrides
/// escaped (serde_json already escaped the C0 ones).
pub fn push_safe_line(text: &str, out: &mut Vec<u8>) {
    // ASCII text holds no C1 control or bidi character.
    if text.is_ascii() {
        out.extend_from_slice(text.as_bytes());
        out.push(b'\n');
        return;
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
    safe.push('\n');
    out.extend_from_slice(safe.as_bytes());
}

/// Appends `s` as a JSON string, escaped exactly as serde_json escapes it.
pub fn push_str(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    let b = s.as_bytes();
    let mut run = 0;
    for (i, &c) in b.iter().enumerate() {
        let escape = match c {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..0x20 => "",
            _ => continue,
        };
        // Runs end on ASCII bytes, so the slices are whole characters.
        out.push_str(&s[run..i]);
        run = i + 1;
        if escape.is_empty() {
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(c >> 4)]));
            out.push(char::from(HEX[usize::from(c & 0xf)]));
        } else {
            out.push_str(escape);
        }
    }
    out.push_str(&s[run..]);
    out.push('"');
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
            let mut mine = String::new();
            push_str(&mut mine, s);
            assert_eq!(mine, serde_json::to_string(s).unwrap());
        }
    }
}
