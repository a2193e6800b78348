//! Person names: a compact embedded given-name/surname list and the matching of names in
//! values and free text (list-based, or learnt from the name fields of the same record).

use std::ops::Range;

use super::namelist::{GIVEN, SURNAMES};
use super::words::Words;

pub fn is_given(w: &str) -> bool {
    GIVEN.binary_search(&w).is_ok()
}

pub fn is_surname(w: &str) -> bool {
    SURNAMES.binary_search(&w).is_ok()
}

/// `Alice`, `O'Brien`, `Jean-Luc`: a capital then lower-case letters.
fn capitalised(w: &str) -> bool {
    // `O'Brien`, `D'Angelo`: a capital and an apostrophe before the capitalised rest.
    let w = match w.as_bytes() {
        [c, b'\'', rest @ ..] if c.is_ascii_uppercase() && rest.len() >= 2 => &w[2..],
        _ => w,
    };
    let mut chars = w.chars();
    chars.next().is_some_and(char::is_uppercase)
        && chars.clone().next().is_some_and(char::is_lowercase)
        && chars.all(|c| c.is_alphabetic() || c == '\'' || c == '-' || c == '.')
}

/// Lower-case words inside surnames: `Emma de Vries`, `Anna van der Berg`.
const PARTICLES: [&str; 14] = [
    "da", "de", "del", "della", "den", "der", "di", "du", "la", "le", "ten", "ter", "van", "von",
];

fn particle(w: &str) -> bool {
    PARTICLES.contains(&w)
}

/// How a whole value in a name-hinted field reads as a person's name.
pub enum NameFit {
    /// Given name and surname both in the embedded lists.
    Listed,
    /// Shaped like a name (2–4 capitalised words), one part listed or none.
    Shaped,
}

/// `value` without a leading title (`Dr. Aisha Okafor` → `Aisha Okafor`): a name learnt from a
/// name field is then found in free text that leaves the title out.
pub fn without_title(value: &str) -> &str {
    const TITLES: [&str; 9] = ["Dr", "Mr", "Mrs", "Ms", "Mx", "Prof", "Sir", "Dame", "Miss"];
    let Some((first, rest)) = value.split_once(' ') else {
        return value;
    };
    let title = first.strip_suffix('.').unwrap_or(first);
    if TITLES.contains(&title) && rest.contains(' ') {
        rest
    } else {
        value
    }
}

pub fn fit_whole(value: &str) -> Option<NameFit> {
    let mut words = value.split(' ');
    let first = words.next()?;
    let mut last = first;
    let mut count = 1;
    if !capitalised(first) {
        return None;
    }
    for w in words {
        count += 1;
        if count > 4 || !(capitalised(w) || particle(w)) {
            return None;
        }
        last = w;
    }
    if !capitalised(last) {
        return None;
    }
    if count == 1 {
        is_given(first).then_some(NameFit::Shaped)
    } else if is_given(first) && is_surname(last) {
        Some(NameFit::Listed)
    } else {
        Some(NameFit::Shaped)
    }
}

/// A name found in text: its span and whether both parts are in the lists.
pub struct TextName {
    pub span: Range<usize>,
    pub listed: bool,
}

/// Given name followed by a capitalised word that is a listed surname, or that carries a
/// possessive (`Alice Hawking's iPhone`), or anywhere in a name-hinted field. In a `loose`
/// field (a device name) any two capitalised words with a possessive are a name.
pub fn find_in_text(text: &str, name_field: bool, loose: bool, mut found: impl FnMut(TextName)) {
    let mut words = Words::new(text);
    let Some(mut prev) = words.next() else {
        return;
    };
    loop {
        // Only a capitalised word, then a space and another word, can start a name: the words
        // up to the next capitalised one are skipped.
        if !(words.starts_upper(&prev) && words.space_then_word(prev.end)) {
            let Some(next) = words.next_capital() else {
                return;
            };
            prev = next;
            continue;
        }
        let Some(mut cur) = words.next() else {
            return;
        };
        let gap = &text[prev.end..cur.start];
        let w1 = &text[prev.clone()];
        // `Emma de Vries`: a given name, particles, then the capitalised rest of the surname.
        let mut particles = false;
        if gap == " "
            && capitalised(w1)
            && particle(&text[cur.clone()])
            && let Some((surname, ahead)) = after_particles(text, cur.clone(), &words)
        {
            (cur, words, particles) = (surname, ahead, true);
        }
        let w2 = &text[cur.clone()];
        if gap == " " && capitalised(w1) && capitalised(w2) {
            let given = is_given(w1);
            let listed = given && (particles || is_surname(w2));
            let rest = &text[cur.end..];
            let possessive = rest.starts_with("'s") || rest.starts_with("\u{2019}s");
            if listed || given && (possessive || name_field) || loose && possessive {
                found(TextName {
                    span: prev.start..cur.end,
                    listed,
                });
            }
        }
        prev = cur;
    }
}

/// A listed given name alone with a possessive (`Jane's iPhone`, `Jane’s MacBook Pro`): how
/// phones and laptops name themselves after their owner, so it is looked for in device names.
pub fn find_possessive_given(text: &str, mut found: impl FnMut(Range<usize>)) {
    for word in Words::new(text) {
        let rest = &text[word.end..];
        let possessive = rest.starts_with("'s") || rest.starts_with("\u{2019}s");
        if possessive && capitalised(&text[word.clone()]) && is_given(&text[word.clone()]) {
            found(word);
        }
    }
}

/// After the particle at `first`: up to two more particles, then a capitalised word, each one
/// space apart. Returns that word and the words after it.
fn after_particles<'a>(
    text: &str,
    first: Range<usize>,
    words: &Words<'a>,
) -> Option<(Range<usize>, Words<'a>)> {
    let mut ahead = words.clone();
    let mut last = first;
    for _ in 0..3 {
        let next = ahead.next()?;
        if &text[last.end..next.start] != " " {
            return None;
        }
        let w = &text[next.clone()];
        if capitalised(w) {
            return Some((next, ahead));
        }
        if !particle(w) {
            return None;
        }
        last = next;
    }
    None
}

/// Occurrences of a learnt name in text, on word boundaries.
pub fn find_learnt(text: &str, name: &str, mut found: impl FnMut(Range<usize>)) {
    if name.len() < 3 {
        return;
    }
    for (at, m) in text.match_indices(name) {
        let before = text[..at].chars().next_back();
        let after = text[at + m.len()..].chars().next();
        if !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric) {
            found(at..at + m.len());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_sorted_for_binary_search() {
        assert!(GIVEN.windows(2).all(|w| w[0] < w[1]));
        assert!(SURNAMES.windows(2).all(|w| w[0] < w[1]));
        assert!(GIVEN.len() > 200 && SURNAMES.len() > 150);
    }

    #[test]
    fn finds_possessive_device_names() {
        let text = "Alice Hawking's iPhone";
        let mut got = vec![];
        find_in_text(text, false, false, |n| got.push(n.span));
        assert_eq!(got, vec![0..13]);
    }

    #[test]
    fn lone_given_names_with_a_possessive() {
        let find = |text: &str| {
            let mut got = Vec::new();
            find_possessive_given(text, |r| got.push((r.start, r.end)));
            got
        };
        assert_eq!(find("Jane's iPhone"), [(0, 4)]);
        assert_eq!(find("Jane\u{2019}s MacBook Pro"), [(0, 4)]);
        assert_eq!(find("iPad of Jane's"), [(8, 12)]);
        // Not a listed given name, no possessive, or not capitalised.
        assert!(find("Apple's iPhone").is_empty());
        assert!(find("Jane iPhone").is_empty());
        assert!(find("jane's iPhone").is_empty());
        assert!(find("Janes iPhone").is_empty());
    }

    #[test]
    fn surnames_with_particles_and_apostrophes() {
        for (text, span) in [
            ("Emma de Vries's iPhone", 0..13),
            ("Grace O'Brien's phone", 0..13),
            ("call Emma van der Berg now", 5..22),
        ] {
            let mut got = vec![];
            find_in_text(text, false, false, |n| got.push(n.span));
            assert_eq!(got, vec![span], "{text}");
        }
        let mut got = 0;
        find_in_text("Emma de la", false, false, |_| got += 1);
        find_in_text("Marketing de Luxe", false, false, |_| got += 1);
        assert_eq!(got, 0);
        assert!(matches!(fit_whole("Emma de Vries"), Some(NameFit::Shaped)));
        assert!(fit_whole("Emma de").is_none());
        assert!(capitalised("O'Brien") && !capitalised("O'") && !capitalised("'s"));
    }

    #[test]
    fn team_names_are_not_people() {
        let mut got = 0;
        find_in_text("Marketing Q3", false, true, |_| got += 1);
        find_in_text("Grace Period Expired", false, false, |_| got += 1);
        assert_eq!(got, 0);
        assert!(fit_whole("Marketing Q3").is_none());
        assert!(fit_whole("EN-US").is_none());
    }

    /// `find_in_text` as it was before it skipped to capitalised words: every word a `prev`.
    fn find_reference(text: &str, name_field: bool, loose: bool) -> Vec<(Range<usize>, bool)> {
        let mut out = vec![];
        let mut words = Words::new(text);
        let Some(mut prev) = words.next() else {
            return out;
        };
        while let Some(mut cur) = words.next() {
            let gap = &text[prev.end..cur.start];
            let w1 = &text[prev.clone()];
            let mut particles = false;
            if gap == " "
                && capitalised(w1)
                && particle(&text[cur.clone()])
                && let Some((surname, ahead)) = after_particles(text, cur.clone(), &words)
            {
                (cur, words, particles) = (surname, ahead, true);
            }
            let w2 = &text[cur.clone()];
            if gap == " " && capitalised(w1) && capitalised(w2) {
                let given = is_given(w1);
                let listed = given && (particles || is_surname(w2));
                let rest = &text[cur.end..];
                let possessive = rest.starts_with("'s") || rest.starts_with("\u{2019}s");
                if listed || given && (possessive || name_field) || loose && possessive {
                    out.push((prev.start..cur.end, listed));
                }
            }
            prev = cur;
        }
        out
    }

    #[test]
    fn skipping_to_capitalised_words_finds_what_every_pair_found() {
        let pieces = [
            "Alice ",
            "Alice",
            "Smith",
            "Hawking",
            "Emma ",
            "de ",
            "van ",
            "der",
            "Vries",
            "O'Brien",
            "'s",
            "Grace ",
            "Alice Smith",
            "Emma de Vries",
            "\u{2019}s",
            " ",
            " ",
            " ",
            "  ",
            "'",
            "x1",
            "Zed",
            "-",
            "''a",
            "b'",
            "é",
            "Élodie",
            "Ñ",
            "grace",
            "Q3",
            "Marketing",
            "iPhone",
            ".",
            "s",
            "A",
            "'S",
            "D'",
            "Jean-Luc",
        ];
        let mut seed = 7u64;
        let mut hits = 0;
        for _ in 0..60_000 {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let n = (seed >> 33) % 9;
            let text: String = (0..n)
                .map(|i| pieces[((seed >> (i * 5 + 3)) % pieces.len() as u64) as usize])
                .collect();
            for (name_field, loose) in [(false, false), (true, false), (false, true)] {
                let want = find_reference(&text, name_field, loose);
                hits += want.len();
                let mut got = vec![];
                find_in_text(&text, name_field, loose, |n| got.push((n.span, n.listed)));
                assert_eq!(got, want, "{text:?} {name_field} {loose}");
            }
        }
        assert!(hits > 1000, "{hits}");
    }

    #[test]
    fn learnt_names_respect_word_boundaries() {
        let mut got = vec![];
        find_learnt("Zed Quux and Zed Quuxes", "Zed Quux", |r| got.push(r));
        assert_eq!(got, vec![0..8]);
    }
}
