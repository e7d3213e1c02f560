//! The client-side search index: the analyzed [`Site`] in, the `.js` files the search page
//! loads out (pure).
//!
//! The index is sharded so that a browser downloads only what a query needs, and every
//! file is a script that hands its data to `window.hindsightSearch`, so the search works
//! from any static host, under any sub-path, and from `file://`, where `fetch()` of JSON
//! is refused. The files, all under `search/`:
//!
//! - `meta.js`: loaded with the page. The facets (each value's name, slug and number of
//!   incidents), each incident's date (as runs of equal days), and the first term of
//!   every term shard.
//! - `f/<param>.js`: a facet's incident sets, one per value, so filter counts are exact.
//!   The page loads those within [`EAGER_FACET_BYTES`] with itself, the others when a
//!   visitor reaches for the filters.
//! - `t/<n>.js`: term shards, contiguous ranges of the sorted terms, about 8 to 24 KB
//!   each, cut where the terms say (see `shard_ends`). A term's record is the set of
//!   incidents that hold it anywhere and, per ranking field, the set that hold it there.
//! - `d/<block>.js`: what a result shows (title, link, duration and the plain text the
//!   snippet is cut from) for [`DOC_BLOCK`] incidents in a row (`docs.rs`). Only the
//!   blocks of the results on screen are loaded.
//!
//! Incidents are numbered by their position in `Site::incidents` (newest first), so the
//! lower number wins a tie in ranking. Sets are encoded as `encode.rs` describes;
//! `docs/search.md` documents the format and the ranking.

mod docs;
mod encode;
mod incremental;
pub mod query;
mod runs;
mod tokenize;

pub use docs::{DOC_BLOCK, SNIPPET_SOURCE_CHARS};

/// The folder every file of the index is written under (the search page among them).
pub const FOLDER: &str = "search/";
pub use incremental::{SearchIndex, SearchState, SearchUpdate};
pub use runs::{RUN, Spill};
pub use tokenize::{query_tokens, tokens};

use std::borrow::Cow;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};

use chrono::NaiveDate;
use rayon::prelude::*;

use crate::analyze::index::Facet;
use crate::analyze::site::Site;
use crate::model::incident::Incident;
use crate::render::Page;
use docs::ResultTerms;
use encode::{js_string, push_days, push_set};
use runs::Run;

/// The version of the index format; `search.js` refuses data of another version.
/// Version 2 carries the search rules in `meta.js`; version 3 has documents in blocks
/// (`d/<block>.js`), days as runs and doc sets as runs; version 4 moves the facets'
/// incident sets out of `meta.js` into `f/<param>.js`, and a document names its
/// severity, services and root causes itself.
pub const FORMAT_VERSION: u32 = 4;

/// The page loads facet files (`f/<param>.js`), smallest first, while together they stay
/// within this many bytes; the others when a visitor first reaches for the filters or
/// chooses one of their values. At 10,000 postmortems every facet fits (about 75 KB), so
/// the filters show their counts at once; at 100,000 the largest (tags 418 KB, services
/// 211 KB, root causes 104 KB) would have made the first query over 1 MB.
const EAGER_FACET_BYTES: usize = 128 * 1024;

/// The incidents' days are counted from this date (`meta.js` `days`)...
const EPOCH: (i32, u32, u32) = (1900, 1, 1);

/// ...and this value means "no start time".
pub(crate) const NO_DAY: u32 = (1 << 18) - 1;

/// Term shards hold at least this much (unless they are the last)...
///
/// 8 KB rather than 4: a query reads one or two shards whatever their size, and fewer
/// shards keep the index under 1,000 files at 10,000 postmortems (278 shards instead of
/// 346) without a byte more for the benchmark's queries.
pub const SHARD_MIN_BYTES: usize = 8 * 1024;

/// ...at most about this much (a shard ends at the record that reaches it)...
pub const SHARD_MAX_BYTES: usize = 24 * 1024;

/// ...and in between end after one term in this many, chosen by the term's hash: about
/// 18 KB on average with records of the usual size.
const CUT_ONE_IN: u64 = 160;

/// The folder of the search page and its data, under the output folder.
pub const SEARCH_DIR: &str = "search";

/// The fields a match is ranked by, in the order of their bit in a term's field mask and
/// of their letter in a shard. The body is every other word of the postmortem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Title,
    Services,
    Cause,
    Tags,
    Summary,
}

impl Field {
    pub const ALL: [Field; 5] = [
        Field::Title,
        Field::Services,
        Field::Cause,
        Field::Tags,
        Field::Summary,
    ];

    /// The letter that marks the field's set in a term record.
    fn letter(self) -> char {
        match self {
            Field::Title => 'T',
            Field::Services => 'S',
            Field::Cause => 'C',
            Field::Tags => 'G',
            Field::Summary => 'M',
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// The bit for "somewhere in the body".
const BODY: u8 = 1 << 5;

/// The query-string parameter and the name of each facet, as the search page uses them.
pub fn facet_param(facet: Facet) -> &'static str {
    match facet {
        Facet::Service => "service",
        Facet::Cause => "cause",
        Facet::Duration => "duration",
        Facet::Severity => "severity",
        Facet::Year => "year",
        Facet::Tag => "tag",
    }
}

/// One incident's terms, each with the mask of fields it occurs in.
///
/// Terms are identified by a 64-bit hash while they are gathered, so an incident's words
/// cost no allocation each; the strings sit in one buffer. Across incidents the merge
/// compares strings whenever two hashes meet, so a collision cannot join two terms there.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DocTerms {
    entries: Vec<TermEntry>,
    strings: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct TermEntry {
    hash: u64,
    start: u32,
    len: u32,
    mask: u8,
}

impl DocTerms {
    fn term(&self, entry: &TermEntry) -> &str {
        &self.strings[entry.start as usize..(entry.start + entry.len) as usize]
    }

    /// The terms and their masks, in hash order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, u8)> {
        self.entries.iter().map(|e| (self.term(e), e.mask))
    }
}

/// The hasher of terms: fixed, so builds are reproducible.
fn term_hasher() -> foldhash::fast::FixedState {
    foldhash::fast::FixedState::with_seed(0x6869_6e64_7369_6768)
}

/// The text of an incident's summary field: its `summary`, else its `impact`, else the
/// opening of its body's plain text `text`, which is where postmortems put the summary.
fn summary_text<'a>(incident: &'a Incident, text: &'a str) -> &'a str {
    if let Some(summary) = incident.summary.as_deref().or(incident.impact.as_deref()) {
        return summary;
    }
    let end = text.char_indices().nth(300).map_or(text.len(), |(i, _)| i);
    &text[..end]
}

/// What [`doc_terms_with`] reuses from one incident to the next: the map from a term's
/// hash to its entry, which held 16 KB allocated and cleared per incident.
#[derive(Default)]
pub(super) struct TermScratch {
    seen: HashMap<u64, u32, BuildHasherDefault<HashIsKey>>,
}

/// A term's hash while the index is gathered: foldhash over its bytes alone (not the
/// terminator `Hash for str` adds, a second round per term), so it differs from
/// `ShardCuts`' hash, which decides output and stays as it is.
fn term_hash(hasher: &foldhash::fast::FixedState, term: &str) -> u64 {
    let mut state = hasher.build_hasher();
    state.write(term.as_bytes());
    state.finish()
}

/// Collects one incident's terms and the fields each occurs in.
pub fn doc_terms(site: &Site, incident: &Incident) -> DocTerms {
    let text = incident.body.text();
    doc_terms_with(site, incident, &text, &mut TermScratch::default())
}

/// [`doc_terms`] of an incident whose body's plain text is `body`, reusing `scratch`.
pub(super) fn doc_terms_with(
    site: &Site,
    incident: &Incident,
    body: &str,
    scratch: &mut TermScratch,
) -> DocTerms {
    let hasher = term_hasher();
    // Sized for the usual postmortem (a term per ten bytes of text, seven bytes each), so
    // the lists do not grow through several copies.
    let mut doc = DocTerms {
        entries: Vec::with_capacity(body.len() / 10 + 64),
        strings: String::with_capacity(body.len() * 7 / 10 + 256),
    };
    // Entry position by hash; a repeat only adds its field to the mask.
    let seen = &mut scratch.seen;
    seen.clear();
    let mut add = |text: &str, bit: u8| {
        tokens(text, |term| {
            let hash = term_hash(&hasher, term);
            // Two different terms of one postmortem with the same 64-bit hash would merge
            // here; among its few hundred terms that has odds below 1 in 10^13, and
            // checking the strings cost a tenth of the index's time.
            match seen.entry(hash) {
                Entry::Occupied(at) => doc.entries[*at.get() as usize].mask |= bit,
                Entry::Vacant(slot) => {
                    slot.insert(doc.entries.len() as u32);
                    doc.entries.push(TermEntry {
                        hash,
                        start: doc.strings.len() as u32,
                        len: term.len() as u32,
                        mask: bit,
                    });
                    doc.strings.push_str(term);
                }
            }
        });
    };
    add(&incident.title, Field::Title.bit());
    for service in &incident.services {
        add(service, Field::Services.bit());
        if let Some(term) = site.index.facet(Facet::Service).get(service) {
            add(&term.name, Field::Services.bit());
        }
    }
    for cause in &incident.root_causes {
        add(cause, Field::Cause.bit());
        if let Some(term) = site.index.facet(Facet::Cause).get(cause) {
            add(&term.name, Field::Cause.bit());
        }
    }
    for tag in &incident.tags {
        add(tag, Field::Tags.bit());
    }
    add(summary_text(incident, body), Field::Summary.bit());
    if let Some(severity) = incident
        .severity
        .and_then(|i| site.config.severities.get(i))
    {
        add(&severity.key, BODY);
        add(&severity.label, BODY);
    }
    for text in [&incident.impact, &incident.trigger, &incident.detection]
        .into_iter()
        .flatten()
    {
        add(text, BODY);
    }
    for author in &incident.authors {
        add(author, BODY);
    }
    for item in &incident.action_items {
        add(&item.title, BODY);
        if let Some(owner) = &item.owner {
            add(owner, BODY);
        }
    }
    add(&incident.slug, BODY);
    add(body, BODY);
    doc
}

/// Every term of the site with the incidents that hold it.
#[derive(Debug, Default)]
struct Postings {
    /// Positions holding the term anywhere, ascending.
    all: Vec<u32>,
    /// Per [`Field`], positions holding it in that field, ascending.
    fields: [Vec<u32>; 5],
}

/// A term's incidents while the index is gathered, a few bytes each where [`Postings`]
/// takes four per list: per incident, ascending, the gap from the one before (the first
/// from -1) shifted left by one, as a LEB128 varint whose low bit says that a byte of
/// [`Field`] bits follows. Most words are in the body alone and most gaps are small, so
/// most incidents cost one or two bytes, and a term 32 bytes (not 144 for six `Vec`s).
#[derive(Debug, Default)]
struct Occurrences {
    bytes: Vec<u8>,
    /// One past the last position pushed (0: none yet).
    next: u32,
}

impl Occurrences {
    /// Adds `position`, above every position before it, with the fields of `mask`.
    fn push(&mut self, position: u32, mask: u8) {
        // Grown by a quarter, not doubled: a build holds every term's occurrences until
        // the index is written, its peak at 100,000 postmortems, where doubling left
        // about a third of their bytes unused. An incident takes at most 6 bytes.
        if self.bytes.capacity() - self.bytes.len() < 6 {
            self.bytes.reserve_exact(8.max(self.bytes.len() / 4));
        }
        let fields = mask & !BODY;
        let value = (u64::from(position + 1 - self.next) << 1) | u64::from(fields != 0);
        self.next = position + 1;
        let (bytes, len) = leb128(value);
        self.bytes.extend_from_slice(&bytes[..len]);
        if fields != 0 {
            self.bytes.push(fields);
        }
    }

    /// Each incident in order, with its [`Field`] bits (0: the body alone).
    fn each(&self, mut f: impl FnMut(u32, u8)) {
        let mut position: i64 = -1;
        let mut i = 0;
        while i < self.bytes.len() {
            let (mut value, mut shift) = (0u64, 0u32);
            loop {
                let byte = self.bytes[i];
                i += 1;
                value |= u64::from(byte & 0x7f)
                    .checked_shl(shift)
                    .unwrap_or_default();
                shift += 7;
                if byte < 0x80 || i == self.bytes.len() {
                    break;
                }
            }
            position += (value >> 1) as i64;
            let mut fields = 0;
            if value & 1 != 0 {
                fields = self.bytes.get(i).copied().unwrap_or_default();
                i += 1;
            }
            f(position as u32, fields);
        }
    }

    /// Adds the incidents of `later`, all above those held.
    fn append(&mut self, later: &Occurrences) {
        later.each(|position, fields| self.push(position, fields));
    }

    /// The lists, into `out` (cleared first).
    fn postings_into(&self, out: &mut Postings) {
        out.all.clear();
        out.fields.iter_mut().for_each(Vec::clear);
        self.each(|at, fields| {
            out.all.push(at);
            for field in Field::ALL {
                if fields & field.bit() != 0 {
                    out.fields[field as usize].push(at);
                }
            }
        });
    }

    /// The lists, each at its size: `serve` keeps them for its whole session.
    fn postings(&self) -> Postings {
        let mut out = Postings::default();
        self.postings_into(&mut out);
        out.all.shrink_to_fit();
        out.fields.iter_mut().for_each(Vec::shrink_to_fit);
        out
    }
}

/// `value` as a LEB128 varint: seven bits a byte, low first, the high bit meaning "more";
/// the bytes and how many of them.
fn leb128(mut value: u64) -> ([u8; 10], usize) {
    let mut bytes = [0u8; 10];
    let mut len = 0;
    while value >= 0x80 {
        bytes[len] = (value as u8) | 0x80;
        value >>= 7;
        len += 1;
    }
    bytes[len] = value as u8;
    (bytes, len + 1)
}

/// Incidents are tokenized and merged this many at a time, so a build holds the terms of
/// one chunk, not of the whole archive (they are several times the size of the postings).
/// A whole number of document blocks, so each block is written from one chunk.
///
/// 16 blocks (was 64): a chunk's terms are held until they are merged, and 16 blocks still
/// give every core several blocks to tokenize.
const CHUNK: usize = 16 * DOC_BLOCK;

/// One worker's share of the terms: those whose hash falls to it ([`share_of`]).
#[derive(Default)]
struct Share {
    slots: HashMap<u64, u32, BuildHasherDefault<HashIsKey>>,
    terms: Vec<(ShareKey, Occurrences)>,
    /// The terms too long for a [`ShareKey`].
    long: Vec<Box<str>>,
}

/// A term as a [`Share`] holds it: most terms inline, beside their occurrences, so that
/// checking a document's term against it reads memory the merge touches anyway (a
/// `Box<str>` was a pointer to follow for every incident of every term).
#[derive(Clone, Copy)]
enum ShareKey {
    Inline {
        len: u8,
        bytes: [u8; ShareKey::INLINE],
    },
    /// The term's place in [`Share::long`].
    Long(u32),
}

impl ShareKey {
    const INLINE: usize = 22;
}

impl Share {
    fn key(&mut self, term: &str) -> ShareKey {
        if term.len() <= ShareKey::INLINE {
            let mut bytes = [0; ShareKey::INLINE];
            bytes[..term.len()].copy_from_slice(term.as_bytes());
            ShareKey::Inline {
                len: term.len() as u8,
                bytes,
            }
        } else {
            self.long.push(term.into());
            ShareKey::Long((self.long.len() - 1) as u32)
        }
    }

    fn is(&self, key: &ShareKey, term: &str) -> bool {
        match key {
            ShareKey::Inline { len, bytes } => &bytes[..usize::from(*len)] == term.as_bytes(),
            ShareKey::Long(at) => &*self.long[*at as usize] == term,
        }
    }

    fn push_term(&mut self, term: &str) -> usize {
        let key = self.key(term);
        self.terms.push((key, Occurrences::default()));
        self.terms.len() - 1
    }

    fn add(&mut self, position: u32, term: &str, entry: &TermEntry) {
        let next = self.terms.len() as u32;
        let mut slot = *self.slots.entry(entry.hash).or_insert(next) as usize;
        if slot == next as usize {
            self.push_term(term);
        } else if !self.is(&self.terms[slot].0, term) {
            // A hash collision: find or add the term by its string.
            slot = match (0..self.terms.len()).find(|&i| self.is(&self.terms[i].0, term)) {
                Some(found) => found,
                None => self.push_term(term),
            };
        }
        self.terms[slot].1.push(position, entry.mask);
    }

    /// The term at `at`, as bytes.
    fn term_bytes(&self, at: usize) -> &[u8] {
        match &self.terms[at].0 {
            ShareKey::Inline { len, bytes } => &bytes[..usize::from(*len)],
            ShareKey::Long(long) => self.long[*long as usize].as_bytes(),
        }
    }

    /// The term at `at`.
    fn term(&self, at: usize) -> &str {
        match &self.terms[at].0 {
            // Copied whole from a `&str`, so always UTF-8.
            ShareKey::Inline { len, bytes } => {
                std::str::from_utf8(&bytes[..usize::from(*len)]).unwrap_or_default()
            }
            ShareKey::Long(long) => &self.long[*long as usize],
        }
    }
}

/// Every term of the site with its occurrences, where the workers' [`Share`]s gathered
/// them, and the order to read them in.
///
/// The terms are never moved into one list: at 100,000 postmortems that list (and a
/// `Box<str>` per term) was some 30 MB more, made when the occurrences of every term
/// were held, the build's peak.
struct Gathered {
    shares: Vec<Share>,
    /// Each term as (share, place in it), sorted in the order `search.js` compares
    /// strings (UTF-16 code units), so its binary search over shard heads agrees.
    order: Vec<(u32, u32)>,
}

impl Gathered {
    fn new(shares: Vec<Share>) -> Gathered {
        let mut order: Vec<(u32, u32)> = (shares.iter().enumerate())
            .flat_map(|(s, share)| (0..share.terms.len() as u32).map(move |i| (s as u32, i)))
            .collect();
        let bytes = |&(s, i): &(u32, u32)| shares[s as usize].term_bytes(i as usize);
        let term = |&(s, i): &(u32, u32)| shares[s as usize].term(i as usize);
        // Most pairs differ in their first eight bytes, compared as two integers: comparing
        // the terms checked both as UTF-8 and scanned both whole for bytes that order
        // differently in UTF-16, for each of n log n comparisons (2.8% of a 1,000-postmortem
        // build). A key kept per term would be as fast, and 16 bytes a term more at the
        // peak of a 100,000 build.
        order.par_sort_unstable_by(|a, b| {
            utf8_prefix_order(bytes(a), bytes(b)).unwrap_or_else(|| utf16_cmp(term(a), term(b)))
        });
        Gathered { shares, order }
    }

    /// Each term with its occurrences, in order, each taken out of its share as it is
    /// reached: a build drops a batch's occurrences once their records are written.
    fn into_terms(self) -> GatheredTerms {
        GatheredTerms {
            shares: self.shares,
            order: self.order.into_iter(),
        }
    }
}

/// [`Gathered::into_terms`].
struct GatheredTerms {
    shares: Vec<Share>,
    order: std::vec::IntoIter<(u32, u32)>,
}

impl Iterator for GatheredTerms {
    type Item = (Box<str>, Occurrences);

    fn next(&mut self) -> Option<(Box<str>, Occurrences)> {
        let (s, i) = self.order.next()?;
        let share = &mut self.shares[s as usize];
        let term: Box<str> = share.term(i as usize).into();
        Some((term, std::mem::take(&mut share.terms[i as usize].1)))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.order.size_hint()
    }
}

impl ExactSizeIterator for GatheredTerms {}

/// Which of `workers` shares a term's hash falls to: a multiply and a shift of its low 32
/// bits rather than `%`, a division per term of every incident (a tenth of the merge).
fn share_of(hash: u64, workers: usize) -> usize {
    (((hash & 0xffff_ffff) * workers as u64) >> 32) as usize
}

/// Every term of the site with its postings ([`Gathered`]). `text(i)`
/// gives the plain text of the body of the incident at position `i` (once each, in
/// parallel; [`held_text`] reads it from the site). `each` is called once per document
/// block, with its number and its incidents' texts, in parallel, as its terms are gathered.
fn postings<'s, E: Send>(
    site: &Site,
    text: impl Fn(usize) -> Result<Cow<'s, str>, E> + Sync,
    each: impl Fn(usize, &[Cow<'s, str>]) -> Result<(), E> + Sync,
    spill: Option<&Spill<'_, E>>,
) -> Result<(Vec<Run>, Gathered), E> {
    // The terms are split among workers by hash, so each merges its share of every
    // incident into a map no other worker touches; chunks go in order, so every list
    // comes out ascending without a sort.
    let workers = (rayon::current_num_threads() * 2).max(1);
    let fresh = || {
        (0..workers)
            .map(|_| Share::default())
            .collect::<Vec<Share>>()
    };
    let mut shares = fresh();
    let mut runs = Vec::new();
    for (chunk, incidents) in site.incidents.chunks(CHUNK).enumerate() {
        let first = chunk * CHUNK;
        let blocks: Vec<Vec<DocTerms>> = incidents
            .par_chunks(DOC_BLOCK)
            .enumerate()
            .map_init(TermScratch::default, |scratch, (b, block)| {
                let start = first + b * DOC_BLOCK;
                let texts = (start..start + block.len())
                    .map(&text)
                    .collect::<Result<Vec<_>, E>>()?;
                each(first / DOC_BLOCK + b, &texts)?;
                Ok(block
                    .iter()
                    .zip(&texts)
                    .map(|(incident, text)| doc_terms_with(site, incident, text, scratch))
                    .collect())
            })
            .collect::<Result<_, E>>()?;
        let docs: Vec<DocTerms> = blocks.into_iter().flatten().collect();
        merge(&mut shares, first, &docs);
        let done = first + incidents.len();
        if let Some(spill) =
            spill.filter(|s| done.is_multiple_of(s.every) && done < site.incidents.len())
            && let Some(scratch) = (spill.scratch)()
        {
            let gathered = Gathered::new(std::mem::replace(&mut shares, fresh()));
            runs.push(runs::set_aside(gathered, scratch?).map_err(spill.failed)?);
        }
    }
    Ok((runs, Gathered::new(shares)))
}

/// Adds `docs`, the terms of the incidents from position `first` on, to `shares`, each
/// worker its share of every term.
fn merge(shares: &mut [Share], first: usize, docs: &[DocTerms]) {
    let workers = shares.len();
    shares
        .par_iter_mut()
        .enumerate()
        .for_each(|(worker, share)| {
            for (i, doc) in docs.iter().enumerate() {
                for entry in &doc.entries {
                    if share_of(entry.hash, workers) == worker {
                        share.add((first + i) as u32, doc.term(entry), entry);
                    }
                }
            }
        });
}

/// Compares strings as `search.js` does, by UTF-16 code units. That is the byte order of
/// UTF-8 except between U+E000..U+FFFF and the supplementary planes, whose UTF-8 lead
/// bytes are 0xEE and above; strings without such bytes compare as bytes.
pub(crate) fn utf16_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    if a.bytes().chain(b.bytes()).any(|byte| byte >= 0xEE) {
        a.encode_utf16().cmp(b.encode_utf16())
    } else {
        a.cmp(b)
    }
}

/// How two terms order as [`utf16_cmp`] orders them, read from their first eight bytes
/// (a shorter term's missing bytes 0), where those differ and hold no byte of 0xEE or
/// above; `None` where the whole terms must be compared. Up to the first byte that
/// differs, every character is then below U+E000, where UTF-8's byte order is UTF-16's.
/// For strings without U+0000 (terms).
fn utf8_prefix_order(a: &[u8], b: &[u8]) -> Option<std::cmp::Ordering> {
    let prefix = |bytes: &[u8]| {
        let mut head = [0u8; 8];
        let n = bytes.len().min(8);
        head[..n].copy_from_slice(&bytes[..n]);
        u64::from_be_bytes(head)
    };
    let plain = |head: u64| head.to_be_bytes().iter().all(|&byte| byte <= 0xED);
    let (a, b) = (prefix(a), prefix(b));
    (a != b && plain(a) && plain(b)).then(|| a.cmp(&b))
}

/// A hasher for keys that are hashes already.
#[derive(Default)]
struct HashIsKey(u64);

impl Hasher for HashIsKey {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

/// One term's record in a shard: `["term","<all>","T<title set>",...]`.
fn term_record(out: &mut String, term: &str, postings: &Postings, universe: u32) {
    out.push('[');
    js_string(out, term);
    out.push_str(",\"");
    push_set(out, &postings.all, universe);
    out.push('"');
    for field in Field::ALL {
        let set = &postings.fields[field as usize];
        if !set.is_empty() {
            out.push_str(",\"");
            out.push(field.letter());
            push_set(out, set, universe);
            out.push('"');
        }
    }
    out.push(']');
}

/// Where shards end, as the index one past each shard's last record, given each
/// record's term and length (see [`ShardCuts`]).
fn shard_ends<'a>(records: impl Iterator<Item = (&'a str, usize)>) -> Vec<usize> {
    let mut cuts = ShardCuts::default();
    let mut ends = Vec::new();
    let mut count = 0;
    for (term, len) in records {
        count += 1;
        if cuts.ends_after(term, len) {
            ends.push(count);
        }
    }
    if cuts.body > 0 {
        ends.push(count);
    }
    ends
}

/// Where shards end, record by record.
///
/// Cuts are content-defined, as in rsync: a shard ends after a term whose hash is
/// divisible by [`CUT_ONE_IN`], once it holds [`SHARD_MIN_BYTES`], and at the latest when
/// it reaches [`SHARD_MAX_BYTES`]. An edit that changes some records' lengths moves at
/// most the cuts near them, so `serve` rewrites the shards around an edit, not every
/// shard after it. The full build and `serve` both cut here, so their shards agree.
#[derive(Default)]
struct ShardCuts {
    /// The bytes of the current shard's records and the commas between them.
    body: usize,
}

impl ShardCuts {
    /// Whether the shard ends after this record.
    fn ends_after(&mut self, term: &str, len: usize) -> bool {
        self.body += len + usize::from(self.body > 0);
        let natural =
            self.body >= SHARD_MIN_BYTES && term_hasher().hash_one(term).is_multiple_of(CUT_ONE_IN);
        let end = natural || self.body >= SHARD_MAX_BYTES;
        if end {
            self.body = 0;
        }
        end
    }
}

/// `t/<number>.js`: a shard's records.
fn shard_page<'a>(number: usize, records: impl Iterator<Item = &'a str>) -> Page {
    let mut text = format!("hindsightSearch.shard({number},[");
    for (i, record) in records.enumerate() {
        if i > 0 {
            text.push(',');
        }
        text.push_str(record);
    }
    text.push_str("]);\n");
    Page {
        path: format!("{SEARCH_DIR}/t/{number}.js"),
        bytes: text.into_bytes(),
    }
}

fn meta_page(site: &Site, shard_heads: &[&str], facet_bytes: &[usize]) -> Page {
    Page {
        path: format!("{SEARCH_DIR}/meta.js"),
        bytes: meta(site, shard_heads, facet_bytes).into_bytes(),
    }
}

/// `f/<param>.js`: the incident set of each of a facet's values, in `meta.js` order.
fn facet_page(site: &Site, facet: Facet) -> Page {
    let universe = site.incidents.len() as u32;
    let mut out = String::from("hindsightSearch.facet(");
    js_string(&mut out, facet_param(facet));
    out.push_str(",[");
    let mut positions = Vec::new();
    for (j, term) in site.index.facet(facet).terms.iter().enumerate() {
        if j > 0 {
            out.push(',');
        }
        positions.clear();
        positions.extend(term.incidents.iter().map(|&p| p as u32));
        out.push('"');
        push_set(&mut out, &positions, universe);
        out.push('"');
    }
    out.push_str("]);\n");
    Page {
        path: facet_path(facet),
        bytes: out.into_bytes(),
    }
}

fn facet_path(facet: Facet) -> String {
    format!("{SEARCH_DIR}/f/{}.js", facet_param(facet))
}

/// Every facet file, in [`Facet::ALL`] order.
fn facet_pages(site: &Site) -> Vec<Page> {
    Facet::ALL
        .into_par_iter()
        .map(|facet| facet_page(site, facet))
        .collect()
}

/// The days since this date are what `meta.js` holds per incident.
fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(EPOCH.0, EPOCH.1, EPOCH.2).unwrap_or_default()
}

/// `meta.js`'s `rules`: every number the script's search shares with [`query`], written
/// from the constants the index is built with, so the two cannot drift apart.
fn push_rules(out: &mut String) {
    out.push_str("\"rules\":{\"prefixMinChars\":");
    out.push_str(&query::PREFIX_MIN_CHARS.to_string());
    out.push_str(",\"maxTermChars\":");
    out.push_str(&tokenize::MAX_TERM_CHARS.to_string());
    out.push_str(",\"fields\":");
    js_string(
        out,
        &Field::ALL.map(Field::letter).iter().collect::<String>(),
    );
    out.push_str(",\"fieldWeights\":[");
    let weights = Field::ALL.map(|field| query::field_weight(field).to_string());
    out.push_str(&weights.join(","));
    out.push_str("],\"digits\":");
    js_string(out, encode::DIGITS_TEXT);
    out.push_str(",\"epoch\":");
    js_string(out, &epoch().format("%Y-%m-%d").to_string());
    out.push_str(",\"noDay\":");
    out.push_str(&NO_DAY.to_string());
    out.push_str(",\"docBlock\":");
    out.push_str(&DOC_BLOCK.to_string());
    out.push_str(",\"eagerFacetBytes\":");
    out.push_str(&EAGER_FACET_BYTES.to_string());
    out.push('}');
}

/// `meta.js`: the facets (their values, without their incident sets), the dates, the
/// shard heads. `facet_bytes` are the sizes of the facet files, in [`Facet::ALL`] order.
fn meta(site: &Site, shard_heads: &[&str], facet_bytes: &[usize]) -> String {
    let universe = site.incidents.len() as u32;
    let mut out = String::with_capacity(64 * 1024);
    out.push_str("hindsightSearch.meta({\"version\":");
    out.push_str(&FORMAT_VERSION.to_string());
    out.push(',');
    push_rules(&mut out);
    out.push_str(",\"count\":");
    out.push_str(&universe.to_string());
    out.push_str(",\"facets\":[");
    for (i, facet) in Facet::ALL.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_facet(
            &mut out,
            site,
            facet,
            facet_bytes.get(i).copied().unwrap_or(0),
        );
    }
    out.push_str("],\"days\":\"");
    push_days(&mut out, &day_numbers(site));
    out.push_str("\",\"shards\":[");
    for (i, head) in shard_heads.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        js_string(&mut out, head);
    }
    out.push_str("]});\n");
    out
}

/// One facet in `meta.js`: its names, the size of its file, and each value's name, slug
/// and number of incidents (and a severity's short name).
fn push_facet(out: &mut String, site: &Site, facet: Facet, bytes: usize) {
    let (name, plural) = facet.names();
    out.push_str("{\"param\":");
    js_string(out, facet_param(facet));
    out.push_str(",\"path\":");
    js_string(out, facet.path());
    out.push_str(",\"name\":");
    js_string(out, name);
    out.push_str(",\"plural\":");
    js_string(out, plural);
    out.push_str(",\"bytes\":");
    out.push_str(&bytes.to_string());
    out.push_str(",\"terms\":[");
    for (j, term) in site.index.facet(facet).terms.iter().enumerate() {
        if j > 0 {
            out.push(',');
        }
        out.push('[');
        js_string(out, &term.name);
        out.push(',');
        js_string(out, &term.slug);
        out.push(',');
        out.push_str(&term.incidents.len().to_string());
        // Severities have a short name for badges: "SEV1" for "SEV1 · Critical".
        if facet == Facet::Severity && !term.missing {
            out.push(',');
            js_string(out, &term.key);
        }
        out.push(']');
    }
    out.push_str("]}");
}

/// Each incident's start day, [`NO_DAY`] for none.
fn day_numbers(site: &Site) -> Vec<u32> {
    let tz = site.config.tz();
    site.incidents
        .iter()
        .map(|incident| {
            incident
                .day(tz)
                .and_then(|date| u32::try_from((date - epoch()).num_days()).ok())
                .map_or(NO_DAY, |day| day.min(NO_DAY - 1))
        })
        .collect()
}

/// Every file of the search index, in a stable order.
pub fn pages(site: &Site) -> Vec<Page> {
    let pages = std::sync::Mutex::new(Vec::new());
    let _ = write_each(site, |page| {
        pages.lock().unwrap_or_else(|e| e.into_inner()).push(page);
        Ok::<(), std::convert::Infallible>(())
    });
    let mut pages = pages.into_inner().unwrap_or_else(|e| e.into_inner());
    pages.sort_by(|a, b| a.path.cmp(&b.path));
    pages
}

/// Hands every file of the search index to `sink` as soon as it exists, in parallel, so a
/// build never holds the whole index (40 MB at 10,000 incidents) in memory. Each
/// document block is written first, while the terms are merged; then the terms are
/// encoded a batch at a time, each shard written as soon as it is cut, and each batch's
/// gathered incidents freed once encoded.
pub fn write_each<E: Send>(
    site: &Site,
    sink: impl Fn(Page) -> Result<(), E> + Sync,
) -> Result<(), E> {
    write_each_with(site, held_text(site), sink, None)
}

/// Every term with its occurrences, in order, as the shards are written from them.
type Terms<'a, E> = Box<dyn Iterator<Item = Result<(Box<str>, Occurrences), E>> + Send + 'a>;

/// The plain text of each incident's body as the site holds it (`Rendered::text`: kept,
/// or packed by `serve`): the `text` of [`write_each_with`] for a site analyzed with its
/// bodies kept.
fn held_text<'s, E>(site: &'s Site) -> impl Fn(usize) -> Result<Cow<'s, str>, E> + Sync + 's {
    |position| Ok(site.incidents[position].body.text())
}

/// [`write_each`], reading the plain text of the body of the incident at position `i`
/// from `text(i)`, once per incident, in parallel: a build, which no longer holds the
/// texts after `analyze`, renders each body again there for its page and for the index
/// alike (`render::render_site`).
pub fn write_each_with<'s, E: Send>(
    site: &Site,
    text: impl Fn(usize) -> Result<Cow<'s, str>, E> + Sync,
    sink: impl Fn(Page) -> Result<(), E> + Sync,
    spill: Option<Spill<'_, E>>,
) -> Result<(), E> {
    /// Terms encoded at a time: enough for every core, a few hundred KB of records.
    const BATCH: usize = 4096;
    let universe = site.incidents.len() as u32;
    let result_terms = ResultTerms::new(site);
    let (runs, gathered) = postings(
        site,
        text,
        |block, texts| sink(docs::block_page(block, site, &result_terms, texts)),
        spill.as_ref(),
    )?;
    let mut terms: Terms<'_, E> = match spill {
        Some(spill) if !runs.is_empty() => Box::new(
            runs::Merged::new(runs, gathered.into_terms()).map(move |t| t.map_err(spill.failed)),
        ),
        _ => Box::new(gathered.into_terms().map(Ok)),
    };
    let mut cuts = ShardCuts::default();
    let mut heads: Vec<Box<str>> = Vec::new();
    let mut shard: Vec<String> = Vec::new();
    let mut next_batch =
        || -> Result<Vec<(Box<str>, Occurrences)>, E> { terms.by_ref().take(BATCH).collect() };
    let mut batch = next_batch()?;
    // The next batch is merged (one term at a time, on one thread) while this one is
    // encoded and written on the others: at 100,000 postmortems the merge alone kept one
    // core idle for the last second of the build.
    while !batch.is_empty() {
        let (following, written) = rayon::join(&mut next_batch, || {
            let records: Vec<String> = batch
                .par_iter()
                .map_init(Postings::default, |scratch, (term, occurrences)| {
                    occurrences.postings_into(scratch);
                    let mut record = String::new();
                    term_record(&mut record, term, scratch, universe);
                    record
                })
                .collect();
            let mut done = Vec::new();
            for ((term, _), record) in batch.into_iter().zip(records) {
                if shard.is_empty() {
                    heads.push(term.clone());
                }
                let end = cuts.ends_after(&term, record.len());
                shard.push(record);
                if end {
                    done.push(shard_page(
                        heads.len() - 1,
                        shard.iter().map(String::as_str),
                    ));
                    shard.clear();
                }
            }
            done.into_par_iter().try_for_each(&sink)
        });
        written?;
        batch = following?;
    }
    if !shard.is_empty() {
        sink(shard_page(
            heads.len() - 1,
            shard.iter().map(String::as_str),
        ))?;
    }
    let heads: Vec<&str> = heads.iter().map(|head| &**head).collect();
    let facets = facet_pages(site);
    let facet_bytes: Vec<usize> = facets.iter().map(|page| page.bytes.len()).collect();
    facets.into_par_iter().try_for_each(&sink)?;
    sink(meta_page(site, &heads, &facet_bytes))
}

/// The local date of a day number in `meta.js`, for tests and tools.
pub fn day_to_date(day: u32) -> Option<NaiveDate> {
    epoch().checked_add_days(chrono::Days::new(u64::from(day)))
}

#[cfg(test)]
mod tests;
