//! Text → search terms. The theme's `search.js` splits queries by the same rules
//! (`tokens` there), so a word typed in the box meets the term the index holds.
//!
//! The rules, in order:
//! - a *word* is a run of alphanumeric characters (`char::is_alphanumeric`, which is
//!   `\p{Alphabetic}` or `\p{N}`, what the script matches);
//! - a *compound* is words joined by single `-`, `_` or `.` characters: `api-gateway`,
//!   `eu-west-1c`, `v6.38.11`. A compound is a term, and so is each of its words, so both
//!   `api-gateway` and `gateway` find a postmortem about the API gateway;
//! - terms are lowercased (`str::to_lowercase`, which agrees with JavaScript's
//!   `toLowerCase`), and words of one character and terms longer than [`MAX_TERM_CHARS`]
//!   (hashes, base64 noise) are left out.

/// Terms longer than this many characters are not indexed.
pub(crate) const MAX_TERM_CHARS: usize = 40;

/// Calls `emit` with every term of `text`, in order, repeats included. Terms borrow from
/// `text` where they are already lowercase, which most text is.
pub fn tokens(text: &str, emit: impl FnMut(&str)) {
    scan(text, Compounds::AndWords, emit);
}

/// The tokens of a query: like [`tokens`], but a compound stays one token (its words
/// would only repeat it), unless it is too long to be a term.
pub fn query_tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    scan(text, Compounds::Whole, |term| out.push(term.to_string()));
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Compounds {
    /// The compound and each of its words (indexing).
    AndWords,
    /// The compound alone (queries).
    Whole,
}

/// Per byte: [`ALNUM`] for ASCII letters and digits, [`UPPER`] for ASCII capitals, and
/// [`WIDE`] for every byte of a character that is not ASCII.
const BYTE_CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() {
            table[b] |= ALNUM;
        }
        if c.is_ascii_uppercase() {
            table[b] |= UPPER;
        }
        if !c.is_ascii() {
            table[b] |= WIDE;
        }
        b += 1;
    }
    table
};
const ALNUM: u8 = 1;
const UPPER: u8 = 2;
const WIDE: u8 = 4;

/// A word of a compound: its bytes in the text, and whether it is all ASCII and has a
/// capital, found while it was read so a term is looked at once.
#[derive(Clone, Copy, Default)]
struct Word {
    from: usize,
    to: usize,
    ascii: bool,
    upper: bool,
}

fn scan(text: &str, compounds: Compounds, mut emit: impl FnMut(&str)) {
    let mut lowered = String::new();
    let mut emit_term = |term: &str, ascii: bool, upper: bool| {
        let chars = if ascii {
            term.len()
        } else {
            term.chars().count()
        };
        if !(2..=MAX_TERM_CHARS).contains(&chars) {
            return;
        }
        if ascii && upper {
            lowered.clear();
            lowered.push_str(term);
            lowered.make_ascii_lowercase();
            emit(&lowered);
        } else if !ascii {
            // `str::to_lowercase`, not per character: a final sigma lowercases to `ς`,
            // as in JavaScript.
            lowered = term.to_lowercase();
            if lowered.chars().count() <= MAX_TERM_CHARS {
                emit(&lowered);
            }
        } else {
            emit(term);
        }
    };
    let bytes = text.as_bytes();
    let mut words: Vec<Word> = Vec::with_capacity(8);
    let mut at = 0;
    while let Some(start) = next_word(text, at) {
        let first = word_at(text, start);
        // Most words stand alone: no connector follows them, so no compound to walk.
        if !matches!(bytes.get(first.to), Some(b'-' | b'_' | b'.')) {
            emit_term(&text[start..first.to], first.ascii, first.upper);
            at = first.to;
            continue;
        }
        // Walk one compound: words separated by single connectors.
        words.clear();
        let mut end = start;
        loop {
            let word = word_at(text, end);
            words.push(word);
            end = word.to;
            match bytes.get(end) {
                Some(b'-' | b'_' | b'.') if starts_word(text, end + 1) => end += 1,
                _ => break,
            }
        }
        at = end;
        if words.len() > 1 {
            let whole = &text[start..end];
            let ascii = words.iter().all(|w| w.ascii);
            let upper = words.iter().any(|w| w.upper);
            emit_term(whole, ascii, upper);
            if compounds == Compounds::Whole && whole.chars().count() <= MAX_TERM_CHARS {
                continue;
            }
        }
        for word in &words {
            emit_term(&text[word.from..word.to], word.ascii, word.upper);
        }
    }
}

/// Whether an alphanumeric character starts at byte `at` of `text`.
fn starts_word(text: &str, at: usize) -> bool {
    match text.as_bytes().get(at) {
        Some(&b) if b < 0x80 => BYTE_CLASS[usize::from(b)] & ALNUM != 0,
        Some(_) => text[at..].chars().next().is_some_and(char::is_alphanumeric),
        None => false,
    }
}

/// The byte offset of the first alphanumeric character of `text` at or after `from`.
/// Text is mostly ASCII, which is checked a byte at a time without decoding.
fn next_word(text: &str, from: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = from;
    while let Some(&b) = bytes.get(i) {
        let class = BYTE_CLASS[usize::from(b)];
        if class & ALNUM != 0 {
            return Some(i);
        }
        if class & WIDE == 0 {
            i += 1;
            continue;
        }
        let c = text[i..].chars().next()?;
        if c.is_alphanumeric() {
            return Some(i);
        }
        i += c.len_utf8();
    }
    None
}

/// The run of alphanumeric characters that starts at byte `from` of `text`. One table
/// lookup a byte, the classes gathered and read once at the end: testing each byte for
/// ASCII and each for a capital was 2% of a 1,000-postmortem build.
fn word_at(text: &str, from: usize) -> Word {
    let bytes = text.as_bytes();
    let mut seen = 0;
    let mut i = from;
    while let Some(&b) = bytes.get(i) {
        let class = BYTE_CLASS[usize::from(b)];
        if class & ALNUM != 0 {
            seen |= class;
            i += 1;
            continue;
        }
        if class & WIDE == 0 {
            break;
        }
        match text[i..].chars().next() {
            Some(c) if c.is_alphanumeric() => {
                seen |= WIDE;
                i += c.len_utf8();
            }
            _ => break,
        }
    }
    Word {
        from,
        to: i,
        ascii: seen & WIDE == 0,
        upper: seen & UPPER != 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expect: &[&str]) {
        let mut got = Vec::new();
        tokens(text, |t| got.push(t.to_string()));
        assert_eq!(got, expect, "tokens of {text:?}");
    }

    #[test]
    fn words_case_and_punctuation() {
        check("Redis cache, FULL!", &["redis", "cache", "full"]);
        check("(timeout)... \"502s\"?", &["timeout", "502s"]);
        check("", &[]);
        check("a b c 1", &[]);
        check("end of sentence. Next", &["end", "of", "sentence", "next"]);
    }

    #[test]
    fn compounds_are_terms_and_so_are_their_words() {
        check("api-gateway", &["api-gateway", "api", "gateway"]);
        check(
            "API-Gateway down",
            &["api-gateway", "api", "gateway", "down"],
        );
        check("eu-west-1c", &["eu-west-1c", "eu", "west", "1c"]);
        check("v6.38.11", &["v6.38.11", "v6", "38", "11"]);
        check(
            "snake_case_name",
            &["snake_case_name", "snake", "case", "name"],
        );
        // Doubled or trailing connectors do not join.
        check("a--b x- y", &[]);
        check("cache-- hit", &["cache", "hit"]);
        check("db-prod-26.", &["db-prod-26", "db", "prod", "26"]);
    }

    #[test]
    fn compounds_longer_than_eight_words_keep_every_word() {
        check(
            "a1-b2-c3-d4-e5-f6-g7-h8-i9-j0",
            &[
                "a1-b2-c3-d4-e5-f6-g7-h8-i9-j0",
                "a1",
                "b2",
                "c3",
                "d4",
                "e5",
                "f6",
                "g7",
                "h8",
                "i9",
                "j0",
            ],
        );
    }

    #[test]
    fn unicode() {
        check(
            "Zürich DNS-Ausfall",
            &["zürich", "dns-ausfall", "dns", "ausfall"],
        );
        check("ΣΊΣΥΦΟΣ", &["σίσυφος"]);
        check("Größe straße", &["größe", "straße"]);
        check("naïve café", &["naïve", "café"]);
        // Digits of other scripts are numbers; emoji and symbols separate words.
        check("٣٤ errors🔥timeout", &["٣٤", "errors", "timeout"]);
        check("東京リージョン", &["東京リージョン"]);
    }

    #[test]
    fn queries_keep_compounds_whole() {
        assert_eq!(
            query_tokens("API-gateway 502s, a eu-west-1c"),
            ["api-gateway", "502s", "eu-west-1c"]
        );
        // A compound too long to be a term falls back to its words.
        let long = format!("{}-tail", "x".repeat(MAX_TERM_CHARS - 2));
        assert_eq!(
            query_tokens(&long),
            ["x".repeat(MAX_TERM_CHARS - 2), "tail".into()]
        );
    }

    #[test]
    fn length_limits() {
        let long = "x".repeat(MAX_TERM_CHARS + 1);
        check(&format!("ok {long} fine"), &["ok", "fine"]);
        let exact = "y".repeat(MAX_TERM_CHARS);
        check(&exact, &[exact.as_str()]);
    }
}
