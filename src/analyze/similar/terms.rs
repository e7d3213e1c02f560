//! The words of an incident's text as terms: runs of letters and digits joined by single
//! `-` or `_`, lowercased, without digits, not stop words, plurals stemmed, each known
//! by a 64-bit hash. Counting reuses one map and one buffer per thread. A field is read
//! as written, each word's letters lowercased into its hash, unless lowercasing it would
//! move its words (`İ`, `ẞ`, `Σ`: [`lowercases_in_place`]); then it is lowercased first.
//! ASCII is read byte by byte, other characters through `char`.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

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
const fn fnv(mut hash: u64, bytes: &[u8]) -> u64 {
    let mut i = 0;
    while i < bytes.len() {
        hash = (hash ^ bytes[i] as u64).wrapping_mul(FNV_PRIME);
        i += 1;
    }
    hash
}

/// [`fnv`] over `bytes` with ASCII letters lowercased: the same hash for a word however
/// its ASCII letters are written.
fn fnv_lower(mut hash: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        hash = (hash ^ u64::from(LOWER[b as usize])).wrapping_mul(FNV_PRIME);
    }
    hash
}

/// Each byte with ASCII letters lowercased.
static LOWER: [u8; 256] = {
    let mut lower = [0; 256];
    let mut b = 0;
    while b < 256 {
        lower[b] = (b as u8).to_ascii_lowercase();
        b += 1;
    }
    lower
};

/// A final mix, so the low bits spread well in a map.
fn mix(hash: u64) -> TermId {
    hash ^ (hash >> 29)
}

/// FNV-1a over the stem's bytes and its replaced ending, mixed: what [`term_of`] gives a
/// word with that stem.
#[cfg(test)]
pub(super) fn term_id(stem: &str, ending: &str) -> TermId {
    mix(fnv(fnv(FNV_OFFSET, stem.as_bytes()), ending.as_bytes()))
}

/// One term of the incident being counted.
#[derive(Clone, Copy)]
struct Counted {
    /// Weighted occurrences.
    count: f32,
    /// The length in bytes of the shortest spelling of the term in this incident, and of
    /// the term's [`Words::canonical`] form.
    shortest: u32,
    canonical: u32,
}

/// One term of a counted incident: its identity, weighted occurrences, and how its
/// shortest spelling in the incident grows its canonical form ([`Words::spelling`]).
#[derive(Debug, Clone, Copy)]
pub(super) struct Entry {
    pub(super) term: TermId,
    pub(super) count: f32,
    pub(super) grown: u8,
}

/// An incident's terms, counted once, and its weighted number of terms. Kept between the
/// archive's statistics and the incident's vector, so the text is read once and can be
/// dropped as soon as it is counted; the spellings are in the counter's [`Words`]. The
/// entries are in the counting map's order, which depends only on the incident's text
/// (see [`Counter::count`]), not on the thread or what it counted before: so sums over
/// them (the vector's norm) are the same however the work was split.
///
/// A build holds every incident's counts at once, about 275 terms each, until the
/// archive's statistics are known: at 100,000 postmortems they were the largest thing
/// held at the end of parsing. So each entry is two LEB128 varints in one buffer (about
/// three bytes; an [`Entry`] is sixteen): the term's number ([`Numbering`], small for
/// the terms met first, which are the common ones) and its count above the two bits of
/// [`Entry::grown`]. Counts are sums of whole weights, so all but a term written
/// thousands of times in one postmortem fit below [`LARGE`]; those go in `large`, in
/// order.
#[derive(Debug, Default)]
pub struct Counts {
    bytes: Box<[u8]>,
    /// How many entries `bytes` holds.
    entries: u32,
    /// The counts [`pack`] could not hold, in the entries' order.
    large: Box<[f32]>,
    pub(super) length: f32,
}

/// Appends `value` to `out` as an LEB128 varint: seven bits a byte, low bits first, the
/// high bit set on every byte but the last.
fn push_varint(out: &mut Vec<u8>, mut value: u32) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// The entries of a [`Counts`] as written: each term's number and its packed count.
struct Packed<'a> {
    bytes: &'a [u8],
    left: usize,
}

impl Packed<'_> {
    /// The varint at the front of `bytes`, which it leaves after it. The bytes were
    /// written by [`push_varint`]; a truncated one (a bug) reads as what is there.
    fn varint(&mut self) -> u32 {
        let mut value = 0u32;
        let mut shift = 0;
        while let Some((&byte, rest)) = self.bytes.split_first() {
            self.bytes = rest;
            value |= u32::from(byte & 0x7f) << shift;
            if byte < 0x80 || shift >= 28 {
                break;
            }
            shift += 7;
        }
        value
    }
}

impl Iterator for Packed<'_> {
    type Item = (u32, u32);

    fn next(&mut self) -> Option<(u32, u32)> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let number = self.varint();
        Some((number, self.varint()))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl ExactSizeIterator for Packed<'_> {}

/// Numbers for terms, given as the counters first meet them: an incident's counts hold
/// a term's number, which [`Numbered`] turns back into its identity once counting is
/// done. Which number a term gets depends on the order the threads met it, so nothing
/// compares or orders by number: every reader of counts sees identities.
pub struct Numbering {
    shards: Box<[std::sync::Mutex<Shard>]>,
}

/// The terms of one [`Numbering`] shard: a term's number is its place in `terms` above
/// the shard's [`SHARD_BITS`].
#[derive(Default)]
struct Shard {
    numbers: IdMap<u32>,
    terms: Vec<TermId>,
}

/// The low bits of a number say its shard: 64 shards, so counting threads seldom wait
/// for one another.
const SHARD_BITS: u32 = 6;

impl Default for Numbering {
    fn default() -> Numbering {
        Numbering {
            shards: (0..1 << SHARD_BITS).map(|_| Default::default()).collect(),
        }
    }
}

impl Numbering {
    /// The number of `term`, given now if it has none.
    fn number(&self, term: TermId) -> u32 {
        let shard = ((term >> 32) as usize) & ((1 << SHARD_BITS) - 1);
        let mut guard = self.shards[shard]
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let Shard { numbers, terms } = &mut *guard;
        *numbers.entry(term).or_insert_with(|| {
            terms.push(term);
            (((terms.len() - 1) as u32) << SHARD_BITS) | shard as u32
        })
    }

    /// The numbers given, to read counts with; the map from terms is dropped.
    pub fn done(self) -> Numbered {
        let shards = self.shards.into_vec().into_iter();
        Numbered(
            shards
                .map(|shard| {
                    let shard = shard.into_inner().unwrap_or_else(|p| p.into_inner());
                    shard.terms.into_boxed_slice()
                })
                .collect(),
        )
    }
}

/// Each number's term, once a [`Numbering`] is done.
#[derive(Debug, Default)]
pub struct Numbered(Box<[Box<[TermId]>]>);

impl Numbered {
    /// The term numbered `number`. Numbers come from the same [`Numbering`], so each
    /// has its term; a stray one would be a bug here and reads as term 0.
    fn term(&self, number: u32) -> TermId {
        let shard = (number & ((1 << SHARD_BITS) - 1)) as usize;
        let place = (number >> SHARD_BITS) as usize;
        let term = self.0.get(shard).and_then(|terms| terms.get(place));
        debug_assert!(term.is_some(), "term number {number} was never given");
        term.copied().unwrap_or_default()
    }
}

/// The bits of a packed count that hold [`Entry::grown`].
const GROWN_BITS: u32 = 2;

/// A packed count of this many says the count is the next in [`Counts::large`].
const LARGE: u32 = u16::MAX as u32 >> GROWN_BITS;

/// `entry`'s count and growth in one `u16`, or with [`LARGE`] for a count that is not
/// a whole number below it. `grown` is kept to 2: [`Words::spelling`] reads every
/// growth of two bytes or more alike.
fn pack(entry: &Entry) -> (u32, Option<f32>) {
    let grown = u32::from(entry.grown.min(2));
    let count = entry.count;
    match count >= 0.0 && count < LARGE as f32 && count.fract() == 0.0 {
        true => (((count as u32) << GROWN_BITS) | grown, None),
        false => ((LARGE << GROWN_BITS) | grown, Some(count)),
    }
}

impl Counts {
    /// The counts of `entries`, whose weighted number of terms is `length`, each term
    /// numbered by `numbering`.
    pub(super) fn new(
        entries: impl ExactSizeIterator<Item = Entry>,
        length: f32,
        numbering: &Numbering,
    ) -> Counts {
        let count = entries.len();
        // Room for the common case, a number of up to three bytes and a count of one.
        let mut bytes = Vec::with_capacity(count * 4);
        let mut large = Vec::new();
        for entry in entries {
            let (bits, count) = pack(&entry);
            push_varint(&mut bytes, numbering.number(entry.term));
            push_varint(&mut bytes, bits);
            large.extend(count);
        }
        Counts {
            bytes: bytes.into_boxed_slice(),
            entries: u32::try_from(count).unwrap_or(u32::MAX),
            large: large.into_boxed_slice(),
            length,
        }
    }

    /// The terms counted, in the entries' order; `numbered` is the counter's numbering,
    /// done.
    pub(super) fn terms<'a>(
        &'a self,
        numbered: &'a Numbered,
    ) -> impl ExactSizeIterator<Item = TermId> + 'a {
        self.packed().map(|(number, _)| numbered.term(number))
    }

    /// Each entry's term number and packed count, in the order counted.
    fn packed(&self) -> Packed<'_> {
        Packed {
            bytes: &self.bytes,
            left: self.entries as usize,
        }
    }

    /// Each term counted, with its count, in the order counted, as [`Counts::terms`].
    pub(super) fn entries<'a>(
        &'a self,
        numbered: &'a Numbered,
    ) -> impl ExactSizeIterator<Item = Entry> + 'a {
        let mut large = self.large.iter();
        self.packed().map(move |(number, bits)| {
            let term = numbered.term(number);
            let count = match bits >> GROWN_BITS {
                LARGE => large.next().copied().unwrap_or_default(),
                // Below `LARGE`, so exact in an `f32`.
                count => count as f32,
            };
            Entry {
                term,
                count,
                grown: (bits & ((1 << GROWN_BITS) - 1)) as u8,
            }
        })
    }
}

/// The canonical form of every term counted: the stem of its words, lowercased, with the
/// stem's replaced ending (`failover`, `query`, `process`). A term's identity is the hash
/// of this form, so the form depends on the term alone, whichever incident or thread
/// found it first: the words of several counters merge into the same map.
///
/// Every spelling of a term is its canonical form grown by a fixed ending: `s`
/// (`failovers`), `es` after `ss` (`processes`), `ies` for a final `y` (`queries`); each
/// a different length, so an incident's shortest spelling is its canonical form and how
/// many bytes it grew ([`Entry::grown`]).
#[derive(Debug, Default)]
pub struct Words(IdMap<Box<str>>);

/// A term's spelling from its canonical `form` and how its shortest spelling in an
/// incident grew on it ([`Entry::grown`]): 0 not at all, 1 by "s", else by "es" (or "y"
/// to "ies").
pub(super) fn spelled(form: &str, grown: u8) -> Cow<'_, str> {
    match grown {
        0 => Cow::Borrowed(form),
        1 => Cow::Owned(format!("{form}s")),
        _ => match form.strip_suffix('y') {
            Some(stem) => Cow::Owned(format!("{stem}ies")),
            None => Cow::Owned(format!("{form}es")),
        },
    }
}

impl Words {
    /// Adds the words of `other`.
    pub fn merge(&mut self, other: Words) {
        if other.0.len() > self.0.len() {
            let mine = std::mem::replace(&mut self.0, other.0);
            self.0.extend(mine);
        } else {
            self.0.extend(other.0);
        }
    }

    /// The canonical form of `term`, empty if it was never counted.
    pub(super) fn canonical(&self, term: TermId) -> &str {
        self.0.get(&term).map_or("", |form| form)
    }

    /// The spelling of `entry`'s term that the incident counted as `entry` wrote
    /// shortest, lowercased.
    #[cfg(test)]
    pub(super) fn spelling(&self, entry: &Entry) -> Cow<'_, str> {
        spelled(self.canonical(entry.term), entry.grown)
    }

    /// Adds the canonical form of `term`, read from `word` (one of its words, lowercased
    /// if `case` says so), unless it is known; returns the form's length in bytes.
    fn add(&mut self, term: TermId, word: &str, case: Case) -> usize {
        let form = self.0.entry(term).or_insert_with(|| {
            let lowered = match case {
                Case::Lowered => Cow::Borrowed(word),
                Case::Written if word.is_ascii() => Cow::Owned(word.to_ascii_lowercase()),
                Case::Written => Cow::Owned(word.to_lowercase()),
            };
            let (stem, ending) = stem_len(lowered.as_bytes());
            let mut form = String::with_capacity(stem + ending.len());
            form.push_str(lowered.get(..stem).unwrap_or(&lowered));
            form.push_str(ending);
            form.into_boxed_str()
        });
        form.len()
    }
}

/// Counts the terms of one incident after another, reusing its buffers, and keeps the
/// [`Words`] it met: one per thread.
pub struct Counter {
    /// A field that does not [`lowercase_in_place`](lowercases_in_place), lowercased.
    lowered: String,
    counts: IdMap<Counted>,
    words: Words,
}

/// How many distinct terms the counting map holds before it grows (1,024 slots; a
/// postmortem of a few pages has 300 to 600).
const MAP_CAPACITY: usize = 896;

fn fresh_map() -> IdMap<Counted> {
    IdMap::with_capacity_and_hasher(MAP_CAPACITY, Default::default())
}

impl Default for Counter {
    fn default() -> Counter {
        Counter {
            lowered: String::new(),
            counts: fresh_map(),
            words: Words::default(),
        }
    }
}

impl Counter {
    /// Counts the terms of `incident` (title and summary weighted higher, then impact,
    /// trigger, root causes and body: [`fields`]), adding their canonical forms to the
    /// counter's [`Words`].
    ///
    /// A field that [`lowercases_in_place`] (nearly all) is read as written; another is
    /// lowercased first, as `str::to_lowercase` does.
    ///
    /// The map starts every incident in the same state (cleared at its first size, made
    /// anew if the last incident grew it), so its order, and the entries', depends only
    /// on this incident's terms: the entries need no sort. Each term is numbered by
    /// `numbering`.
    pub fn count(&mut self, incident: &Incident, numbering: &Numbering) -> Counts {
        if self.counts.capacity() == MAP_CAPACITY {
            self.counts.clear();
        } else {
            self.counts = fresh_map();
        }
        let Counter {
            lowered,
            counts,
            words,
        } = self;
        let mut length = 0.0;
        let body = incident.body.text();
        for (field, weight) in fields(incident, &body) {
            let (text, case) = if lowercases_in_place(field) {
                (field, Case::Written)
            } else {
                lowered.clear();
                push_lowercase(lowered, field);
                (lowered.as_str(), Case::Lowered)
            };
            scan(text, case, |(from, to), term| {
                length += weight;
                let spelled = (to - from) as u32;
                let entry = counts.entry(term).or_insert_with(|| Counted {
                    count: 0.0,
                    shortest: spelled,
                    canonical: words.add(term, &text[from..to], case) as u32,
                });
                entry.count += weight;
                entry.shortest = entry.shortest.min(spelled);
            });
        }
        let entries = counts.iter().map(|(&term, counted)| Entry {
            term,
            count: counted.count,
            grown: counted.shortest.saturating_sub(counted.canonical) as u8,
        });
        Counts::new(entries, length, numbering)
    }

    /// The canonical forms of the terms counted so far.
    pub fn words(&self) -> &Words {
        &self.words
    }

    /// The canonical forms of the terms counted, the counter done.
    pub fn into_words(self) -> Words {
        self.words
    }
}

/// The fields of `incident` that are counted, in order, with their weights: the title and
/// summary weighted higher, then impact, trigger, root causes and body (`body`, its plain
/// text as [`Rendered::text`](crate::model::incident::Rendered::text) gives it).
fn fields<'a>(incident: &'a Incident, body: &'a str) -> impl Iterator<Item = (&'a str, f32)> {
    let title = std::iter::once((incident.title.as_str(), TITLE_WEIGHT));
    let summary = (incident.summary.as_deref()).map(|summary| (summary, SUMMARY_WEIGHT));
    let rest = [&incident.impact, &incident.trigger].into_iter().flatten();
    let rest = rest.chain(&incident.root_causes).map(|f| (f.as_str(), 1.0));
    let body = std::iter::once((body, 1.0));
    title.chain(summary).chain(rest).chain(body)
}

/// Appends `field` lowercased to `text`, as `str::to_lowercase` does: ASCII runs at once,
/// other characters one by one (the one that depends on its neighbours, `Σ`, by std).
pub(super) fn push_lowercase(text: &mut String, field: &str) {
    if field.is_ascii() {
        let start = text.len();
        text.push_str(field);
        text[start..].make_ascii_lowercase();
        return;
    }
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
    scan(&lower, Case::Lowered, |(from, to), term| {
        emit(&lower[from..to], term)
    });
}

/// Calls `emit` with each term of `text`, which [`lowercases_in_place`], read as
/// written, its spelling lowercased, and its identity: what [`Counter::count`] finds in
/// such a field.
#[cfg(test)]
pub(super) fn terms_written(text: &str, mut emit: impl FnMut(&str, TermId)) {
    assert!(lowercases_in_place(text));
    scan(text, Case::Written, |(from, to), term| {
        emit(&text[from..to].to_lowercase(), term)
    });
}

/// How a text given to [`scan`] is written.
#[derive(Clone, Copy)]
enum Case {
    /// Lowercased whole, as `str::to_lowercase` does.
    Lowered,
    /// As written, in a field that [`lowercases_in_place`].
    Written,
}

/// The terms of `text`, each as its byte range, with their identities. ASCII is read
/// byte by byte, each word's ASCII letters lowercased into its hash as it is read; a word
/// touching a character that is not ASCII is read by `char` ([`compound_end_chars`]),
/// and lowercased on its own if `text` is [`Case::Written`].
fn scan(text: &str, case: Case, mut emit: impl FnMut((usize, usize), TermId)) {
    let bytes = text.as_bytes();
    let mut at = 0;
    loop {
        let Some(skip) = bytes[at..]
            .iter()
            .position(|&b| CLASS[b as usize] & (ALNUM | WIDE) != 0)
        else {
            return;
        };
        let from = at + skip;
        let ascii = CLASS[bytes[from] as usize] & WIDE == 0;
        let (end, flags, hash) = match ascii {
            true => compound_end(bytes, from),
            false => (from, WIDE, FNV_OFFSET),
        };
        if flags & WIDE != 0 {
            let (end, term) = wide_word(text, from, case);
            at = end;
            if let Some(term) = term {
                emit((from, end), term);
            }
            continue;
        }
        at = end;
        if flags & DIGIT == 0 && (MIN_TERM..=MAX_TERM).contains(&(end - from)) {
            let word = &bytes[from..end];
            if let Some(term) = term_of(word, hash) {
                emit((from, end), term);
            }
        }
    }
}

/// The end of the word at `from` in `text`, which touches a character that is not ASCII,
/// and its identity if it is a term; or, if the character at `from` is no letter or
/// digit, where the next one starts. Kept out of [`scan`], where most words are ASCII.
#[inline(never)]
fn wide_word(text: &str, from: usize, case: Case) -> (usize, Option<TermId>) {
    let c = text[from..].chars().next().unwrap_or(' ');
    if !c.is_alphanumeric() {
        return (from + c.len_utf8(), None);
    }
    let (end, digits) = compound_end_chars(text, from);
    if digits || !(MIN_TERM..=MAX_TERM).contains(&(end - from)) {
        return (end, None);
    }
    let word = &text[from..end];
    let word = match case {
        Case::Lowered => Cow::Borrowed(word),
        Case::Written => Cow::Owned(word.to_lowercase()),
    };
    let word = word.as_bytes();
    (end, term_of(word, fnv(FNV_OFFSET, word)))
}

/// Whether `field` lowercases character by character into the same number of bytes
/// each, so a word's place in the field is its place in the field lowercased and the
/// word can be lowercased on its own: true of ASCII, `É`, `Ü`, `ß`; not of `İ` (two
/// characters), `ẞ` (fewer bytes), or `Σ` (whose lowercase depends on its neighbours).
/// ASCII stretches are passed over 32 bytes at a time.
pub(super) fn lowercases_in_place(field: &str) -> bool {
    let bytes = field.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        let end = (at + 32).min(bytes.len());
        // `is_ascii` reads a word at a time; `position`, only where it said no.
        let wide = match bytes[at..end].is_ascii() {
            true => None,
            false => bytes[at..end].iter().position(|b| !b.is_ascii()),
        };
        let Some(wide) = wide else {
            at = end;
            continue;
        };
        // Every byte before `wide` is ASCII, so a character starts there.
        let Some(c) = field[at + wide..].chars().next() else {
            return false;
        };
        let lowered: usize = c.to_lowercase().map(char::len_utf8).sum();
        if c == 'Σ' || lowered != c.len_utf8() {
            return false;
        }
        at += wide + c.len_utf8();
    }
    true
}

/// Where the ASCII compound starting at `from` ends, what its bytes are (the [`CLASS`]
/// bits of all of them; [`WIDE`] if a character that is not ASCII ends it or follows a
/// joiner, so it must be read by `char`), and its hash, ASCII letters lowercased.
#[inline(always)]
fn compound_end(bytes: &[u8], from: usize) -> (usize, u8, u64) {
    let class = |i: usize| bytes.get(i).map_or(0, |&b| CLASS[b as usize]);
    let mut flags = 0;
    let mut hash = FNV_OFFSET;
    let mut end = from;
    loop {
        for &b in &bytes[end..] {
            let c = CLASS[b as usize];
            if c & ALNUM == 0 {
                break;
            }
            flags |= c;
            hash = (hash ^ u64::from(LOWER[b as usize])).wrapping_mul(FNV_PRIME);
            end += 1;
        }
        let (here, next) = (class(end), class(end + 1));
        if here & WIDE != 0 || (here & JOIN != 0 && next & WIDE != 0) {
            return (end, WIDE, hash);
        }
        if here & JOIN == 0 || next & ALNUM == 0 {
            return (end, flags, hash);
        }
        hash = (hash ^ u64::from(bytes[end])).wrapping_mul(FNV_PRIME);
        end += 1;
    }
}

/// What a byte can be in a word: a letter or digit, a digit, a joiner (`-`, `_`), or part
/// of a character that is not ASCII.
const ALNUM: u8 = 1;
const DIGIT: u8 = 2;
const JOIN: u8 = 4;
const WIDE: u8 = 8;

static CLASS: [u8; 256] = {
    let mut class = [0; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        class[b] = if byte.is_ascii_digit() {
            ALNUM | DIGIT
        } else if byte.is_ascii_alphabetic() {
            ALNUM
        } else if byte == b'-' || byte == b'_' {
            JOIN
        } else if !byte.is_ascii() {
            WIDE
        } else {
            0
        };
        b += 1;
    }
    class
};

/// The identity of `word` (lowercased, or ASCII in any case; `hash` is [`fnv_lower`] of
/// it), or `None` for a stop word.
fn term_of(word: &[u8], hash: u64) -> Option<TermId> {
    if word.len() <= 10 && is_stop(word, hash) {
        return None;
    }
    let (stem, ending) = stem_len(word);
    Some(if stem == word.len() && ending.is_empty() {
        mix(hash)
    } else {
        mix(fnv(fnv_lower(FNV_OFFSET, &word[..stem]), ending.as_bytes()))
    })
}

/// Where the compound starting at `from` ends, and whether it holds a digit, `char` by
/// `char`: for text that is not all ASCII.
pub(super) fn compound_end_chars(text: &str, from: usize) -> (usize, bool) {
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
#[cfg(test)]
pub(super) fn stem(word: &str) -> (&str, &'static str) {
    let (stem, ending) = stem_len(word.as_bytes());
    (&word[..stem], ending)
}

/// [`stem`] of a word lowercased, or ASCII in any case: the stem's length in bytes and
/// the ending that replaces the rest.
fn stem_len(word: &[u8]) -> (usize, &'static str) {
    let n = word.len();
    // Most words do not end in `s`: one comparison.
    if word.last().is_none_or(|&b| LOWER[b as usize] != b's') {
        return (n, "");
    }
    let ends = |suffix: &str| {
        n >= suffix.len() && word[n - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
    };
    if ends("sses") {
        (n - 2, "")
    } else if ends("ies") && n > 4 {
        (n - 3, "y")
    } else if ends("s") && !(ends("ss") || ends("us") || ends("is")) && n > MIN_TERM {
        (n - 1, "")
    } else {
        (n, "")
    }
}

/// [`STOP_WORDS`] by their unmixed hash, open addressing in 512 slots: a word is looked
/// up by the hash it needs anyway, and compared as text only when a hash matches.
static STOP_TABLE: [(u64, &str); STOP_SLOTS] = {
    let mut table = [(0, ""); STOP_SLOTS];
    let mut w = 0;
    while w < STOP_WORDS.len() {
        let word = STOP_WORDS[w];
        let hash = fnv(FNV_OFFSET, word.as_bytes());
        let mut slot = stop_slot(hash);
        while !table[slot].1.is_empty() {
            slot = (slot + 1) % STOP_SLOTS;
        }
        table[slot] = (hash, word);
        w += 1;
    }
    table
};

const STOP_SLOTS: usize = 512;

const fn stop_slot(hash: u64) -> usize {
    (hash >> 40) as usize % STOP_SLOTS
}

/// Whether `word` (lowercased, or ASCII in any case), whose unmixed hash is `hash`, is a
/// stop word.
fn is_stop(word: &[u8], hash: u64) -> bool {
    let mut slot = stop_slot(hash);
    loop {
        let (stop_hash, stop) = STOP_TABLE[slot];
        if stop.is_empty() {
            return false;
        }
        if stop_hash == hash {
            return stop.as_bytes().eq_ignore_ascii_case(word);
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

#[cfg(test)]
mod varint_tests {
    use super::{Packed, push_varint};

    /// Every width of varint reads back, the largest number and count included, and the
    /// entries end where they were written.
    #[test]
    fn varints_read_back_at_every_width() {
        let values = [
            0,
            1,
            127,
            128,
            16_383,
            16_384,
            2_097_151,
            2_097_152,
            u32::MAX,
        ];
        let mut bytes = Vec::new();
        for (i, &value) in values.iter().enumerate() {
            push_varint(&mut bytes, value);
            push_varint(&mut bytes, values[values.len() - 1 - i]);
        }
        assert_eq!(bytes[..2], [0, 0xff]);
        let read: Vec<(u32, u32)> = Packed {
            bytes: &bytes,
            left: values.len(),
        }
        .collect();
        let expected: Vec<(u32, u32)> = (values.iter().zip(values.iter().rev()))
            .map(|(&a, &b)| (a, b))
            .collect();
        assert_eq!(read, expected);
    }
}
