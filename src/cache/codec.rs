//! The cache's compact encodings: findings as a few bytes each, kinds and classes as
//! bitmasks, timestamps as order-preserving integers, and the stable hash that names the file.

use std::ops::Range;

use chrono::NaiveDate;

use crate::model::{Class, Confidence, Finding, Kind};

/// One finding as the cache keeps it: everything but the evidence, which a rescan of the
/// event gives back (it is text, and would make the cache several times larger).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFinding {
    pub field: String,
    pub kind: Kind,
    pub confidence: Confidence,
    pub span: Option<Range<usize>>,
}

/// Bit `i` stands for `Kind::ALL[i]` (`Kind` is declared in that order).
pub fn kind_bit(kind: Kind) -> i64 {
    1 << (kind as u32)
}

/// Bit `i` stands for `Class::ALL[i]`.
pub fn class_bit(class: Class) -> i64 {
    1 << (class as u32)
}

/// The kinds and classes bitmasks of one event's findings.
pub fn masks(findings: &[Finding]) -> (i64, i64) {
    findings.iter().fold((0, 0), |(k, c), f| {
        (k | kind_bit(f.kind), c | class_bit(f.class()))
    })
}

const CONFIDENCES: [Confidence; 3] = [Confidence::Low, Confidence::Medium, Confidence::High];

/// Appends the findings of one event, `ids[i]` being the dictionary id of `findings[i]`'s
/// field: per finding a tag byte (kind in the low 5 bits, confidence in the next 2, whether a
/// span follows in the top bit), the field id, then the span's start and length, all as
/// LEB128 varints. About 4 bytes a finding.
pub fn encode(findings: &[Finding], ids: &[u32], out: &mut Vec<u8>) {
    for (f, &id) in findings.iter().zip(ids) {
        Packed::new(f, id).encode(out);
    }
}

/// One finding as `encode` writes it, before its field has its final dictionary id: the build's
/// scan workers pack findings with ids of their own, and the writer encodes them once the ids
/// are known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Packed {
    pub tag: u8,
    pub field: u32,
    pub start: u64,
    pub len: u64,
}

impl Packed {
    pub fn new(f: &Finding, field: u32) -> Packed {
        let conf = CONFIDENCES
            .iter()
            .position(|c| *c == f.confidence)
            .unwrap_or(0) as u8;
        let span = f.span.as_ref();
        Packed {
            tag: (f.kind as u8) | (conf << 5) | if span.is_some() { 0x80 } else { 0 },
            field,
            start: span.map_or(0, |r| r.start as u64),
            len: span.map_or(0, |r| r.end.saturating_sub(r.start) as u64),
        }
    }

    /// Appends the finding as `encode` does.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.push(self.tag);
        varint(u64::from(self.field), out);
        if self.tag & 0x80 != 0 {
            varint(self.start, out);
            varint(self.len, out);
        }
    }
}

/// One decoded finding with its field as a dictionary id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encoded {
    pub field: u32,
    pub kind: Kind,
    pub confidence: Confidence,
    pub span: Option<Range<usize>>,
}

/// Decodes what `encode` wrote; `None` for bytes it could not have written (a damaged cache).
pub fn decode(mut bytes: &[u8]) -> Option<Vec<Encoded>> {
    let mut out = Vec::new();
    while let Some((&tag, rest)) = bytes.split_first() {
        bytes = rest;
        let kind = *Kind::ALL.get(usize::from(tag & 0x1f))?;
        let confidence = *CONFIDENCES.get(usize::from((tag >> 5) & 0x3))?;
        let field = u32::try_from(read_varint(&mut bytes)?).ok()?;
        let span = if tag & 0x80 != 0 {
            let start = usize::try_from(read_varint(&mut bytes)?).ok()?;
            let len = usize::try_from(read_varint(&mut bytes)?).ok()?;
            Some(start..start.checked_add(len)?)
        } else {
            None
        };
        out.push(Encoded {
            field,
            kind,
            confidence,
            span,
        });
    }
    Some(out)
}

/// Whether an encoded event has a finding whose field id is in `sorted` (ascending).
/// Damaged bytes answer `false`: the cache is checked when opened, this only must not panic.
pub fn has_field(bytes: &[u8], sorted: &[u32]) -> bool {
    any_field(bytes, |f| sorted.binary_search(&f).is_ok())
}

fn any_field(mut bytes: &[u8], wanted: impl Fn(u32) -> bool) -> bool {
    while let Some((&tag, rest)) = bytes.split_first() {
        bytes = rest;
        let Some(field) = read_varint(&mut bytes).and_then(|v| u32::try_from(v).ok()) else {
            return false;
        };
        if wanted(field) {
            return true;
        }
        if tag & 0x80 != 0
            && (read_varint(&mut bytes).is_none() || read_varint(&mut bytes).is_none())
        {
            return false;
        }
    }
    false
}

/// `has_field` with the set as `id_set` wrote it (sorted u32 LE), searched in place: the
/// SQL function runs once per row and must not allocate.
pub fn has_field_in(bytes: &[u8], set: &[u8]) -> bool {
    let n = set.len() / 4;
    let at =
        |i: usize| u32::from_le_bytes([set[4 * i], set[4 * i + 1], set[4 * i + 2], set[4 * i + 3]]);
    let contains = |field: u32| {
        let (mut lo, mut hi) = (0, n);
        while lo < hi {
            let mid = (lo + hi) / 2;
            match at(mid).cmp(&field) {
                std::cmp::Ordering::Equal => return true,
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
            }
        }
        false
    };
    any_field(bytes, contains)
}

/// A set of field ids as the blob `has_field`'s SQL function receives: sorted u32 LE.
pub fn id_set(mut ids: Vec<u32>) -> Vec<u8> {
    ids.sort_unstable();
    ids.dedup();
    ids.iter().flat_map(|i| i.to_le_bytes()).collect()
}

/// The inverse of `id_set`; a trailing partial id is ignored.
pub fn read_id_set(blob: &[u8]) -> Vec<u32> {
    blob.chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

fn varint(mut v: u64, out: &mut Vec<u8>) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn read_varint(bytes: &mut &[u8]) -> Option<u64> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let (&b, rest) = bytes.split_first()?;
        *bytes = rest;
        v |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Some(v);
        }
    }
    None
}

/// The canonical stored timestamp `YYYY-MM-DDTHH:MM:SS.mmmZ` as milliseconds since the epoch.
/// On such strings text order and number order agree, so the cache can index an 8-byte
/// integer instead of 24 bytes of text. `None` for any other text (the cache then keeps text).
pub fn ts_millis(ts: &str) -> Option<i64> {
    let b = ts.as_bytes();
    if b.len() != 24 || b[23] != b'Z' {
        return None;
    }
    for (i, sep) in [
        (4, b'-'),
        (7, b'-'),
        (10, b'T'),
        (13, b':'),
        (16, b':'),
        (19, b'.'),
    ] {
        if b[i] != sep {
            return None;
        }
    }
    let num = |r: Range<usize>| -> Option<u32> {
        let mut v = 0u32;
        for &c in &b[r] {
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + u32::from(c - b'0');
        }
        Some(v)
    };
    let date = NaiveDate::from_ymd_opt(i32::try_from(num(0..4)?).ok()?, num(5..7)?, num(8..10)?)?;
    let (h, m, s, ms) = (num(11..13)?, num(14..16)?, num(17..19)?, num(20..23)?);
    // Leap seconds (`:60`) have no unique integer: such an export keeps text.
    let time = date.and_hms_milli_opt(h, m, s, ms).filter(|_| s < 60)?;
    Some(time.and_utc().timestamp_millis())
}

/// A fast hasher for the build's dictionaries (FxHash's multiply-rotate, 8 bytes at a time):
/// SipHash's resistance to chosen keys buys nothing in a local tool and costs a tenth of the
/// build.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes([
                c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7],
            ]));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut b = [0u8; 8];
            b[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(b));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

/// A `HashMap` with `FxHasher`.
pub type FxMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<FxHasher>>;

/// FNV-1a, 64 bits: a hash that is the same in every build and on every machine (std's
/// `DefaultHasher` promises neither), so a path always maps to the same cache file.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(
        field: &str,
        kind: Kind,
        confidence: Confidence,
        span: Option<Range<usize>>,
    ) -> Finding {
        Finding {
            field: field.into(),
            kind,
            confidence,
            span,
            evidence: vec!["pattern".into()],
        }
    }

    #[test]
    fn findings_round_trip_in_a_few_bytes_each() {
        let findings = vec![
            finding("tenant_id", Kind::TenantId, Confidence::High, None),
            finding(
                "payload/msUpn",
                Kind::Email,
                Confidence::Medium,
                Some(3..300),
            ),
            finding("payload/x", Kind::SecretToken, Confidence::Low, Some(0..5)),
        ];
        let names = ["tenant_id", "payload/msUpn", "payload/x"];
        let mut bytes = Vec::new();
        encode(&findings, &[0, 1, 2], &mut bytes);
        assert!(bytes.len() <= 14, "{} bytes", bytes.len());
        let back = decode(&bytes).unwrap();
        assert_eq!(back.len(), 3);
        for (f, e) in findings.iter().zip(&back) {
            assert_eq!(names[e.field as usize], f.field);
            assert_eq!(
                (e.kind, e.confidence, &e.span),
                (f.kind, f.confidence, &f.span)
            );
        }
        assert!(has_field(&bytes, &[1]));
        assert!(has_field(&bytes, &[0, 7]));
        assert!(!has_field(&bytes, &[3, 9]));
        assert!(!has_field(&[], &[0]));
        assert!(
            !has_field(&[0x80, 0x01, 0xff], &[9]),
            "damaged bytes answer false"
        );
        assert_eq!(decode(&[0x1f, 0]), None, "kind 31 does not exist");
        assert_eq!(read_id_set(&id_set(vec![5, 1, 5, 300])), vec![1, 5, 300]);
        assert!(has_field_in(&bytes, &id_set(vec![9, 2])));
        assert!(!has_field_in(&bytes, &id_set(vec![9, 3])));
        assert!(!has_field_in(&bytes, &[]));
    }

    #[test]
    fn masks_set_one_bit_per_kind_and_class() {
        let fs = [
            finding("a", Kind::Email, Confidence::High, None),
            finding("b", Kind::Iban, Confidence::High, None),
        ];
        let (k, c) = masks(&fs);
        assert_eq!(k, kind_bit(Kind::Email) | kind_bit(Kind::Iban));
        assert_eq!(c, class_bit(Class::User) | class_bit(Class::Secret));
        for (i, class) in Class::ALL.into_iter().enumerate() {
            assert_eq!(class as usize, i);
        }
    }

    #[test]
    fn canonical_timestamps_become_order_preserving_integers() {
        let a = ts_millis("2026-09-01T12:00:00.000Z").unwrap();
        let b = ts_millis("2026-09-01T12:00:00.001Z").unwrap();
        let c = ts_millis("2026-12-31T23:59:59.999Z").unwrap();
        assert!(a < b && b < c);
        assert_eq!(a, 1_788_264_000_000);
        for odd in [
            "2026-09-01T12:00:00Z",
            "2026-09-01T12:00:00.000+02:00",
            "2026-02-30T00:00:00.000Z",
            "2026-09-01T12:00:60.000Z",
            "2026-09-01 12:00:00.000Z",
            "２026-09-01T12:00:00.000Z",
        ] {
            assert_eq!(ts_millis(odd), None, "{odd}");
        }
    }

    #[test]
    fn fnv1a_is_the_published_function() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
