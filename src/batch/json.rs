//! JSON lines that are safe on a terminal: serde_json already escapes C0 controls; this also
//! escapes C1 controls and bidi overrides, which JSON allows raw but a terminal would obey.

use std::io::{self, Write};

use serde_json::Value;

pub fn write_line(out: &mut dyn Write, value: &Value) -> io::Result<()> {
    write_serialize(out, value)
}

/// Any serializable value as one safe JSON line.
pub fn write_serialize(out: &mut dyn Write, value: &impl serde::Serialize) -> io::Result<()> {
    let mut text = to_safe_string(value)?;
    text.push('\n');
    out.write_all(text.as_bytes())
}

/// Compact JSON with C1 controls and bidi overrides escaped too: valid JSON that decodes to
/// the same value and that a terminal showing it cannot obey.
pub fn to_safe_string(value: &impl serde::Serialize) -> io::Result<String> {
    let text = serde_json::to_string(value).map_err(io::Error::other)?;
    // ASCII text holds no C1 control or bidi character, and serde_json escaped the C0 ones.
    if text.is_ascii() {
        return Ok(text);
    }
    let mut safe = String::with_capacity(text.len());
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
    Ok(safe)
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
}
