//! Lines cut into tokens for the parsers of `when`: runs of ASCII digits, runs of letters,
//! and single punctuation marks, each with its byte span and whether whitespace came
//! before it ("9 am" and "9am" are both times, but "+02:00" is an offset only when its
//! parts touch).

use crate::model::time::order::DateOrder;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Num,
    Word,
    Punct,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Token<'a> {
    pub(super) kind: Kind,
    pub(super) text: &'a str,
    pub(super) start: usize,
    pub(super) end: usize,
    /// Whitespace comes before the token: "9 am" and "9am" are both times, but "+02:00"
    /// is an offset only when its parts touch.
    pub(super) spaced: bool,
}

/// The tokens of `text`, at most `limit` of them.
pub(super) fn tokenize(text: &str, limit: usize) -> Vec<Token<'_>> {
    let mut tokens = Vec::with_capacity(limit.min(text.len() / 2 + 1));
    let mut at = 0;
    while tokens.len() < limit {
        let Some((token, next)) = next_token(text, at) else {
            break;
        };
        tokens.push(token);
        at = next;
    }
    tokens
}

/// The token at or after byte `at`, and the byte after it.
fn next_token(text: &str, mut at: usize) -> Option<(Token<'_>, usize)> {
    let bytes = text.as_bytes();
    let mut spaced = false;
    // Timelines are mostly ASCII: runs of ASCII digits and letters are read byte by byte,
    // and only other characters are decoded.
    while at < bytes.len() {
        let byte = bytes[at];
        let (kind, end) = if byte.is_ascii_whitespace() {
            spaced = true;
            at += 1;
            continue;
        } else if byte.is_ascii_digit() {
            let run = bytes[at..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            (Kind::Num, at + run)
        } else if byte.is_ascii() && !byte.is_ascii_alphabetic() {
            (Kind::Punct, at + 1)
        } else {
            let mut end = at;
            for c in text[at..].chars() {
                if !c.is_alphabetic() {
                    break;
                }
                end += c.len_utf8();
            }
            if end == at {
                // Not a letter: one character of punctuation (or a space such as U+00A0).
                let c = text[at..].chars().next().unwrap_or(' ');
                if c.is_whitespace() {
                    spaced = true;
                    at += c.len_utf8();
                    continue;
                }
                (Kind::Punct, at + c.len_utf8())
            } else {
                (Kind::Word, end)
            }
        };
        let token = Token {
            kind,
            text: &text[at..end],
            start: at,
            end,
            spaced,
        };
        return Some((token, end));
    }
    None
}

/// Token accessors that answer `None`/`false` past the end, so parsers read like grammar.
pub(super) struct Scan<'t, 'a> {
    pub(super) tokens: &'t [Token<'a>],
    pub(super) src: &'a str,
    /// How `03/04/2022` reads (the site's `date_order`); unset, such a date is not read.
    pub(super) order: Option<DateOrder>,
}

impl<'a> Scan<'_, 'a> {
    pub(super) fn num(&self, i: usize) -> Option<(u32, usize)> {
        let t = self.tokens.get(i).filter(|t| t.kind == Kind::Num)?;
        let value = t.text.parse().ok()?;
        Some((value, t.text.len()))
    }

    pub(super) fn word(&self, i: usize) -> Option<&'a str> {
        self.tokens
            .get(i)
            .filter(|t| t.kind == Kind::Word)
            .map(|t| t.text)
    }

    pub(super) fn is_word(&self, i: usize, words: &[&str]) -> bool {
        self.word(i)
            .is_some_and(|w| words.iter().any(|x| w.eq_ignore_ascii_case(x)))
    }

    pub(super) fn punct(&self, i: usize) -> Option<char> {
        let t = self.tokens.get(i).filter(|t| t.kind == Kind::Punct)?;
        t.text.chars().next()
    }

    pub(super) fn is_punct(&self, i: usize, chars: &[char]) -> bool {
        self.punct(i).is_some_and(|c| chars.contains(&c))
    }

    /// No whitespace between token `i` and the one before it.
    pub(super) fn touches(&self, i: usize) -> bool {
        self.tokens.get(i).is_some_and(|t| !t.spaced)
    }

    pub(super) fn start(&self, i: usize) -> usize {
        self.tokens.get(i).map_or(self.src.len(), |t| t.start)
    }

    pub(super) fn end(&self, i: usize) -> usize {
        match i.checked_sub(1).and_then(|last| self.tokens.get(last)) {
            Some(t) => t.end,
            None => 0,
        }
    }
}

/// `word` in ASCII lowercase, in `buffer`: the words this module knows are short, and
/// lowercasing them without allocating keeps the per-line cost of a timeline small. `None`
/// for longer words, which are none of them.
pub(super) fn lowercase<'b>(word: &str, buffer: &'b mut [u8; 12]) -> Option<&'b str> {
    let bytes = word.as_bytes();
    let out = buffer.get_mut(..bytes.len())?;
    out.copy_from_slice(bytes);
    out.make_ascii_lowercase();
    std::str::from_utf8(out).ok()
}
