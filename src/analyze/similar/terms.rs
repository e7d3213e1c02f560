//! The words of an incident's text as terms: runs of letters and digits joined by single
//! `-` or `_`, lowercased, without digits, not stop words, plurals stemmed, each known
//! by a 64-bit hash. Counting reuses one map and one text buffer per thread, and ASCII
//! text (nearly all of it) is read byte by byte; other text goes through `char`.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::LazyLock;

use crate::model::incident::Incident;

/// Hashes of terms, used as their identity: a map keyed by them needs no more hashing.
pub(super) type TermId = u64;

#[derive(Default, Clone, Copy)]
pub(super) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

pub(super) type IdMap<V> = HashMap<TermId, V, BuildHasherDefault<IdHasher>>;

/// A word of the title counts as three of the body, one of the summary as two.
const TITLE_WEIGHT: f32 = 3.0;
const SUMMARY_WEIGHT: f32 = 2.0;
/// Terms shorter or longer than this (in bytes) are noise.
pub(super) const MIN_TERM: usize = 3;
const MAX_TERM: usize = 40;

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0100_0000_01b3;

/// FNV-1a over `bytes`, from `hash`.
fn fnv(hash: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(hash, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(FNV_PRIME)
    })
}

/// A final mix, so the low bits spread well in a map.
fn mix(hash: u64) -> TermId {
    hash ^ (hash >> 29)
}

/// FNV-1a over the stem's bytes and its replaced ending, mixed.
fn term_id(stem: &str, ending: &str) -> TermId {
    mix(fnv(fnv(FNV_OFFSET, stem.as_bytes()), ending.as_bytes()))
}

/// One term of the incident being counted.
#[derive(Clone, Copy)]
pub(super) struct Counted {
    /// Weighted occurrences.
    pub(super) count: f32,
    /// The shortest spelling of the term in this incident (then the first written), as a
    /// byte range of [`Counter::text`].
    surface: (u32, u32),
}

/// Counts the terms of one incident after another, reusing its buffers: one per thread.
#[derive(Default)]
pub(super) struct Counter {
    /// The incident's text, lowercased, one field after the other.
    text: String,
    fields: Vec<(usize, usize, f32)>,
    counts: IdMap<Counted>,
}

impl Counter {
    /// Counts the terms of `incident` (title and summary weighted higher, then impact,
    /// trigger, root causes and body) and returns its weighted number of terms.
    pub(super) fn count(&mut self, incident: &Incident) -> f32 {
        self.text.clear();
        self.fields.clear();
        self.counts.clear();
        self.push(&incident.title, TITLE_WEIGHT);
        if let Some(summary) = &incident.summary {
            self.push(summary, SUMMARY_WEIGHT);
        }
        let rest = [&incident.impact, &incident.trigger];
        for field in rest.into_iter().flatten().chain(&incident.root_causes) {
            self.push(field, 1.0);
        }
        self.push(&incident.body.plain_text, 1.0);
        let Counter {
            text,
            fields,
            counts,
        } = self;
        let mut length = 0.0;
        for &(start, end, weight) in fields.iter() {
            scan(&text[start..end], |(from, to), term| {
                length += weight;
                let range = ((start + from) as u32, (start + to) as u32);
                let entry = counts.entry(term).or_insert(Counted {
                    count: 0.0,
                    surface: range,
                });
                entry.count += weight;
                // By length alone: comparing the text of every repeat cost more than the rest.
                if range.1 - range.0 < entry.surface.1 - entry.surface.0 {
                    entry.surface = range;
                }
            });
        }
        length
    }

    fn push(&mut self, field: &str, weight: f32) {
        let start = self.text.len();
        push_lowercase(&mut self.text, field);
        self.fields.push((start, self.text.len(), weight));
        self.text.push('\n');
    }

    /// The terms last counted, in no order.
    pub(super) fn terms(&self) -> impl Iterator<Item = (TermId, Counted)> + '_ {
        self.counts.iter().map(|(&term, &counted)| (term, counted))
    }

    /// How many distinct terms were last counted.
    pub(super) fn len(&self) -> usize {
        self.counts.len()
    }

    /// The spelling of a term last counted.
    pub(super) fn surface(&self, counted: &Counted) -> &str {
        let (from, to) = counted.surface;
        &self.text[from as usize..to as usize]
    }
}

/// Appends `field` lowercased to `text`, as `str::to_lowercase` does: ASCII runs at once,
/// other characters one by one (the one that depends on its neighbours, `Σ`, by std).
pub(super) fn push_lowercase(text: &mut String, field: &str) {
    if field.contains('Σ') {
        text.push_str(&field.to_lowercase());
        return;
    }
    let mut rest = field;
    while !rest.is_empty() {
        let ascii = rest
            .bytes()
            .position(|b| !b.is_ascii())
            .unwrap_or(rest.len());
        let start = text.len();
        text.push_str(&rest[..ascii]);
        text[start..].make_ascii_lowercase();
        rest = &rest[ascii..];
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            text.extend(c.to_lowercase());
            rest = chars.as_str();
        }
    }
}

/// Calls `emit` with each term of `text` (lowercased) and its identity.
#[cfg(test)]
pub(super) fn terms(text: &str, mut emit: impl FnMut(&str, TermId)) {
    let lower = text.to_lowercase();
    scan(&lower, |(from, to), term| emit(&lower[from..to], term));
}

/// The terms of text already lowercased, each as its byte range.
fn scan(lower: &str, mut emit: impl FnMut((usize, usize), TermId)) {
    let bytes = lower.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        let b = bytes[at];
        let starts = if b.is_ascii() {
            b.is_ascii_alphanumeric()
        } else {
            let c = lower[at..].chars().next().unwrap_or(' ');
            if !c.is_alphanumeric() {
                at += c.len_utf8();
                continue;
            }
            true
        };
        if !starts {
            at += 1;
            continue;
        }
        let from = at;
        let (end, digits) = compound_end(lower, from);
        if !digits
            && (MIN_TERM..=MAX_TERM).contains(&(end - from))
            && let Some(term) = term_of(&lower[from..end])
        {
            emit((from, end), term);
        }
        at = end;
    }
}

/// The identity of `word` (lowercased), or `None` for a stop word.
fn term_of(word: &str) -> Option<TermId> {
    let hash = fnv(FNV_OFFSET, word.as_bytes());
    if word.len() <= 10 && is_stop(word, hash) {
        return None;
    }
    let (stem, ending) = stem(word);
    Some(if stem.len() == word.len() && ending.is_empty() {
        mix(hash)
    } else {
        term_id(stem, ending)
    })
}

/// Where the compound starting at `from` ends, and whether it holds a digit: ASCII byte
/// by byte, and by `char` from the first byte that is not.
fn compound_end(text: &str, from: usize) -> (usize, bool) {
    let bytes = text.as_bytes();
    let mut digits = false;
    let mut i = from;
    loop {
        while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
            digits |= bytes[i].is_ascii_digit();
            i += 1;
        }
        let next = bytes.get(i + 1).copied();
        match bytes.get(i) {
            Some(b) if !b.is_ascii() => return compound_end_chars(text, from),
            Some(b'-' | b'_') if next.is_some_and(|n| n.is_ascii_alphanumeric()) => i += 1,
            Some(b'-' | b'_') if next.is_some_and(|n| !n.is_ascii()) => {
                return compound_end_chars(text, from);
            }
            _ => return (i, digits),
        }
    }
}

/// [`compound_end`] by `char`, for text that is not all ASCII.
fn compound_end_chars(text: &str, from: usize) -> (usize, bool) {
    let mut digits = false;
    let mut end = from;
    let mut chars = text[from..].char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c.is_alphanumeric() {
            digits |= c.is_numeric();
            end = from + i + c.len_utf8();
        } else if (c == '-' || c == '_')
            && chars
                .peek()
                .is_some_and(|&(_, next)| next.is_alphanumeric())
        {
            continue;
        } else {
            break;
        }
    }
    (end, digits)
}

/// A light plural stemmer (after Harman's S-stemmer): `failovers` → `failover`,
/// `queries` → `query`, `processes` → `process`; `status`, `redis` and `dns` stay. The
/// stem is a prefix of the word plus a replaced ending.
pub(super) fn stem(word: &str) -> (&str, &'static str) {
    let n = word.len();
    if word.ends_with("sses") {
        (&word[..n - 2], "")
    } else if word.ends_with("ies") && n > 4 {
        (&word[..n - 3], "y")
    } else if word.ends_with('s')
        && !(word.ends_with("ss") || word.ends_with("us") || word.ends_with("is"))
        && n > MIN_TERM
    {
        (&word[..n - 1], "")
    } else {
        (word, "")
    }
}

/// [`STOP_WORDS`] by their unmixed hash, open addressing in 512 slots: a word is looked
/// up by the hash it needs anyway, and compared as text only when a hash matches.
static STOP_TABLE: LazyLock<Vec<(u64, &'static str)>> = LazyLock::new(|| {
    let mut table = vec![(0, ""); STOP_SLOTS];
    for word in STOP_WORDS {
        let hash = fnv(FNV_OFFSET, word.as_bytes());
        let mut slot = stop_slot(hash);
        while !table[slot].1.is_empty() {
            slot = (slot + 1) % STOP_SLOTS;
        }
        table[slot] = (hash, word);
    }
    table
});

const STOP_SLOTS: usize = 512;

fn stop_slot(hash: u64) -> usize {
    (hash >> 40) as usize % STOP_SLOTS
}

/// Whether `word`, whose unmixed hash is `hash`, is a stop word.
fn is_stop(word: &str, hash: u64) -> bool {
    let mut slot = stop_slot(hash);
    loop {
        let (stop_hash, stop) = STOP_TABLE[slot];
        if stop.is_empty() {
            return false;
        }
        if stop_hash == hash {
            return stop == word;
        }
        slot = (slot + 1) % STOP_SLOTS;
    }
}

/// English function words, and words every postmortem uses about itself.
pub(super) const STOP_WORDS: &[&str] = &[
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "also",
    "among",
    "and",
    "any",
    "are",
    "around",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "can",
    "cannot",
    "could",
    "did",
    "does",
    "doing",
    "down",
    "during",
    "each",
    "either",
    "even",
    "ever",
    "every",
    "few",
    "for",
    "from",
    "further",
    "had",
    "has",
    "have",
    "having",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "however",
    "into",
    "its",
    "itself",
    "just",
    "less",
    "like",
    "many",
    "may",
    "might",
    "more",
    "most",
    "much",
    "must",
    "need",
    "never",
    "nor",
    "not",
    "now",
    "off",
    "often",
    "once",
    "one",
    "only",
    "other",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "per",
    "same",
    "several",
    "shall",
    "she",
    "should",
    "since",
    "some",
    "still",
    "such",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "therefore",
    "these",
    "they",
    "this",
    "those",
    "though",
    "through",
    "thus",
    "too",
    "under",
    "until",
    "upon",
    "very",
    "via",
    "was",
    "way",
    "were",
    "what",
    "when",
    "where",
    "whether",
    "which",
    "while",
    "who",
    "whom",
    "whose",
    "why",
    "will",
    "with",
    "within",
    "without",
    "would",
    "yet",
    "you",
    "your",
    "yours",
];
