//! One event under construction: its columns, its payload written as JSON text, and the truth
//! labels of every identifier put into it.

use std::fmt::Write;

use crate::model::Kind;

/// A labelled identifier: `field` is a column or `payload/<pointer>`.
pub struct Label {
    pub field: &'static str,
    pub kind: Kind,
    pub leak: Option<&'static str>,
}

#[derive(Default)]
pub struct Record {
    pub category: &'static str,
    pub name: &'static str,
    pub user_id: String,
    pub payload: String,
    pub labels: Vec<Label>,
    first: bool,
}

impl Record {
    pub fn reset(&mut self, category: &'static str, name: &'static str) {
        self.category = category;
        self.name = name;
        self.user_id.clear();
        self.payload.clear();
        self.payload.push('{');
        self.labels.clear();
        self.first = true;
    }

    pub fn finish(&mut self) {
        self.payload.push('}');
    }

    pub fn label(&mut self, field: &'static str, kind: Kind, leak: Option<&'static str>) {
        self.labels.push(Label { field, kind, leak });
    }

    fn key(&mut self, key: &str) {
        if !self.first {
            self.payload.push(',');
        }
        self.first = false;
        self.payload.push('"');
        self.payload.push_str(key);
        self.payload.push_str("\":");
    }

    pub fn str(&mut self, key: &str, value: &str) {
        self.key(key);
        escape_into(&mut self.payload, value);
    }

    pub fn num(&mut self, key: &str, value: u64) {
        self.key(key);
        let _ = write!(self.payload, "{value}");
    }

    pub fn bool(&mut self, key: &str, value: bool) {
        self.key(key);
        self.payload.push_str(if value { "true" } else { "false" });
    }

    /// A string field that is (or holds) an identifier.
    pub fn id(&mut self, key: &str, value: &str, field: &'static str, kind: Kind) {
        self.str(key, value);
        self.label(field, kind, None);
    }

    pub fn leak(
        &mut self,
        key: &str,
        value: &str,
        field: &'static str,
        kind: Kind,
        leak: &'static str,
    ) {
        self.str(key, value);
        self.label(field, kind, Some(leak));
    }

    pub fn open(&mut self, key: &str) {
        self.key(key);
        self.payload.push('{');
        self.first = true;
    }

    pub fn close(&mut self) {
        self.payload.push('}');
        self.first = false;
    }
}

/// `value` as a JSON string literal.
pub fn escape_into(out: &mut String, value: &str) {
    out.push('"');
    let mut start = 0;
    for (i, b) in value.bytes().enumerate() {
        let esc = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&value[start..i]);
        if esc.is_empty() {
            let _ = write!(out, "\\u{b:04x}");
        } else {
            out.push_str(esc);
        }
        start = i + 1;
    }
    out.push_str(&value[start..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_are_valid_json_with_escapes() {
        let mut r = Record::default();
        r.reset("error", "crash");
        r.str("stack", "at C:\\Users\\zoë\\x.dll\n\"q\"\u{1}");
        r.open("headers");
        r.str("Accept", "*/*");
        r.close();
        r.num("n", 5);
        r.finish();
        let v: serde_json::Value = serde_json::from_str(&r.payload).expect("valid json");
        assert_eq!(v["stack"], "at C:\\Users\\zoë\\x.dll\n\"q\"\u{1}");
        assert_eq!(v["headers"]["Accept"], "*/*");
        assert_eq!(v["n"], 5);
    }
}
