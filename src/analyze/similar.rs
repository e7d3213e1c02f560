//! Similar incidents by text: for each incident, the few whose wording is closest, each
//! with the words they share, whatever their services and root causes.
//!
//! Each incident's text (title and summary weighted higher, then impact, root causes,
//! trigger and body) becomes BM25 weights over its words: stop words dropped, words with
//! a digit dropped (numbers, hosts, ticket IDs), a light plural stemmer, and words joined
//! by `-` or `_` kept as one term (`api-gateway`). Similarity is the cosine of two such
//! vectors, each kept to its [`TERMS_KEPT`] heaviest terms found in more than one
//! incident. Candidates come from an inverted index over those terms, so an incident is
//! compared only with incidents sharing one of its heavy terms; the few most promising
//! are scored exactly. The incident itself and its related incidents (`Index::related`)
//! are never listed, so the two sections do not repeat each other.
//!
//! Every step reads only its inputs in a fixed order (terms by hash, incidents by
//! position), and ties go to the smaller slug: the lists are the same whatever the
//! number of threads.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use rayon::prelude::*;

use crate::model::config::SimilarConfig;
use crate::model::incident::Incident;

/// One similar incident.
#[derive(Debug, Clone, PartialEq)]
pub struct Similar {
    /// Position in `Site::incidents`.
    pub position: usize,
    /// Cosine similarity of the two texts, 0 to 1.
    pub score: f32,
    /// The shared terms that weigh most in the score, heaviest first, as the incident
    /// whose page lists them writes them.
    pub shared: Vec<String>,
}

/// How many terms of each incident's vector take part in the comparison.
pub const TERMS_KEPT: usize = 48;
/// How many shared terms a listed incident shows.
const SHARED_SHOWN: usize = 5;
/// How many candidates per listed place are scored exactly.
const RESCORED_PER_PLACE: usize = 4;
/// BM25's term-frequency saturation and length normalisation.
const K1: f32 = 1.2;
const B: f32 = 0.75;
/// A word of the title counts as three of the body, one of the summary as two.
const TITLE_WEIGHT: f32 = 3.0;
const SUMMARY_WEIGHT: f32 = 2.0;
/// Terms shorter or longer than this (in bytes) are noise.
const MIN_TERM: usize = 3;
const MAX_TERM: usize = 40;

/// For each incident (by position), the incidents most similar to it, best first; none
/// below `config.min_score`, none in `related[position]`.
pub fn build(
    config: &SimilarConfig,
    incidents: &[Incident],
    related: &[Vec<usize>],
) -> Vec<Vec<Similar>> {
    if !config.enabled || config.limit == 0 || incidents.len() < 2 {
        return vec![Vec::new(); incidents.len()];
    }
    let counts: Vec<Counts> = incidents.par_iter().map(count_terms).collect();
    let frequencies = DocumentFrequencies::new(&counts);
    let average = counts.iter().map(|c| c.length).sum::<f32>() / counts.len() as f32;
    let vectors: Vec<Vector> = counts
        .into_par_iter()
        .map(|c| Vector::new(c, &frequencies, incidents.len(), average.max(1.0)))
        .collect();
    let finder = Finder {
        config,
        incidents,
        related,
        postings: Postings::new(&vectors),
        vectors: &vectors,
    };
    (0..incidents.len())
        .into_par_iter()
        .map_init(
            || Scratch::new(incidents.len()),
            |scratch, me| finder.of(me, scratch),
        )
        .collect()
}

/// Hashes of terms, used as their identity: a map keyed by them needs no more hashing.
type TermId = u64;

#[derive(Default, Clone, Copy)]
struct IdHasher(u64);

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

type IdMap<V> = HashMap<TermId, V, BuildHasherDefault<IdHasher>>;

/// FNV-1a over the stem's bytes and its replaced ending, with a final mix so the low bits
/// spread well in a map.
fn term_id(stem: &str, ending: &str) -> TermId {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in stem.as_bytes().iter().chain(ending.as_bytes()) {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash ^ (hash >> 29)
}

/// One incident's terms with their weighted counts, and its weighted length.
struct Counts {
    /// The incident's text, lowercased, one field after the other: spellings are ranges of
    /// it, so counting allocates no string per term.
    text: String,
    terms: Vec<Counted>,
    length: f32,
}

struct Counted {
    term: TermId,
    count: f32,
    /// The shortest spelling of the term in this incident (then the first written), as a
    /// byte range of `Counts::text`.
    surface: (u32, u32),
}

fn count_terms(incident: &Incident) -> Counts {
    let mut text = String::new();
    let mut fields: Vec<(usize, usize, f32)> = Vec::new();
    let mut push = |field: &str, weight: f32| {
        let start = text.len();
        if field.is_ascii() {
            text.push_str(field);
            text[start..].make_ascii_lowercase();
        } else {
            text.push_str(&field.to_lowercase());
        }
        fields.push((start, text.len(), weight));
        text.push('\n');
    };
    push(&incident.title, TITLE_WEIGHT);
    if let Some(summary) = &incident.summary {
        push(summary, SUMMARY_WEIGHT);
    }
    let rest = [&incident.impact, &incident.trigger];
    for field in rest.into_iter().flatten().chain(&incident.root_causes) {
        push(field, 1.0);
    }
    push(&incident.body.plain_text, 1.0);
    let (terms, length) = count_fields(&text, &fields);
    Counts {
        text,
        terms,
        length,
    }
}

/// The terms of `fields` (ranges of the lowercased `text`, each with its weight), sorted
/// by term, and the weighted number of terms.
fn count_fields(text: &str, fields: &[(usize, usize, f32)]) -> (Vec<Counted>, f32) {
    let mut counts: IdMap<(f32, (u32, u32))> = IdMap::default();
    let mut length = 0.0;
    for &(start, end, weight) in fields {
        scan(&text[start..end], |(from, to), term| {
            length += weight;
            let range = ((start + from) as u32, (start + to) as u32);
            let entry = counts.entry(term).or_insert((0.0, range));
            entry.0 += weight;
            // By length alone: comparing the text of every repeat cost more than the rest.
            if range.1 - range.0 < entry.1.1 - entry.1.0 {
                entry.1 = range;
            }
        });
    }
    let mut terms: Vec<Counted> = counts
        .into_iter()
        .map(|(term, (count, surface))| Counted {
            term,
            count,
            surface,
        })
        .collect();
    terms.sort_unstable_by_key(|c| c.term);
    (terms, length)
}

/// Calls `emit` with each term of `text` (lowercased) and its identity: runs of letters
/// and digits joined by single `-` or `_`, without digits, not stop words, stemmed.
#[cfg(test)]
fn terms(text: &str, mut emit: impl FnMut(&str, TermId)) {
    let lower = text.to_lowercase();
    scan(&lower, |(from, to), term| emit(&lower[from..to], term));
}

/// [`terms`] of text already lowercased, each as its byte range.
fn scan(lower: &str, mut emit: impl FnMut((usize, usize), TermId)) {
    let mut at = 0;
    while let Some(start) = lower[at..].find(char::is_alphanumeric) {
        let from = at + start;
        let (end, digits) = compound_end(lower, from);
        if !digits && (MIN_TERM..=MAX_TERM).contains(&(end - from)) {
            let word = &lower[from..end];
            if !is_stop_word(word) {
                let (stem, ending) = stem(word);
                emit((from, end), term_id(stem, ending));
            }
        }
        at = end;
    }
}

/// Where the compound starting at `from` ends, and whether it holds a digit.
fn compound_end(text: &str, from: usize) -> (usize, bool) {
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
fn stem(word: &str) -> (&str, &'static str) {
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

/// English function words, and words every postmortem uses about itself.
const STOP_WORDS: &[&str] = &[
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

fn is_stop_word(word: &str) -> bool {
    word.len() <= 10 && STOP_WORDS.binary_search(&word).is_ok()
}

/// How many incidents each term occurs in.
struct DocumentFrequencies(IdMap<u32>);

impl DocumentFrequencies {
    fn new(counts: &[Counts]) -> DocumentFrequencies {
        let mut all: Vec<TermId> = counts
            .iter()
            .flat_map(|c| c.terms.iter().map(|t| t.term))
            .collect();
        all.par_sort_unstable();
        let mut runs: Vec<(TermId, u32)> = Vec::new();
        for term in all {
            match runs.last_mut() {
                Some((last, n)) if *last == term => *n += 1,
                _ => runs.push((term, 1)),
            }
        }
        DocumentFrequencies(runs.into_iter().collect())
    }

    fn of(&self, term: TermId) -> u32 {
        self.0.get(&term).copied().unwrap_or(0)
    }
}

/// One incident's heaviest shared-able terms, sorted by term, with weights divided by the
/// norm of its whole vector (so a dot product of two is their cosine, counting every term
/// in the norm but only kept ones in the product).
struct Vector {
    terms: Vec<(TermId, f32)>,
    /// The spelling of each of `terms`, in the same order.
    surfaces: Vec<String>,
}

impl Vector {
    fn new(
        mut counts: Counts,
        frequencies: &DocumentFrequencies,
        n: usize,
        average: f32,
    ) -> Vector {
        let n = n as f32;
        let norm_length = 1.0 - B + B * counts.length / average;
        let mut weighted: Vec<(f32, Counted, u32)> = counts
            .terms
            .drain(..)
            .map(|c| {
                let df = frequencies.of(c.term);
                let idf = (1.0 + (n - df as f32 + 0.5) / (df as f32 + 0.5)).ln();
                let weight = idf * c.count * (K1 + 1.0) / (c.count + K1 * norm_length);
                (weight, c, df)
            })
            .collect();
        let norm = weighted.iter().map(|(w, _, _)| w * w).sum::<f32>().sqrt();
        // A term no other incident has cannot be shared: it counts in the norm only.
        weighted.retain(|(_, _, df)| *df > 1);
        weighted.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.term.cmp(&b.1.term)));
        weighted.truncate(TERMS_KEPT);
        weighted.sort_unstable_by_key(|(_, c, _)| c.term);
        let scale = if norm > 0.0 { 1.0 / norm } else { 0.0 };
        let mut vector = Vector {
            terms: Vec::with_capacity(weighted.len()),
            surfaces: Vec::with_capacity(weighted.len()),
        };
        for (weight, counted, _) in weighted {
            let (from, to) = counted.surface;
            vector.terms.push((counted.term, weight * scale));
            vector
                .surfaces
                .push(counts.text[from as usize..to as usize].to_string());
        }
        vector
    }

    /// The terms both vectors keep: positions in `self` and `other` and the product of
    /// their weights, in term order.
    fn shared<'a>(&'a self, other: &'a Vector) -> impl Iterator<Item = (usize, f32)> + 'a {
        let (mut i, mut j) = (0, 0);
        std::iter::from_fn(move || {
            while i < self.terms.len() && j < other.terms.len() {
                let ((a, wa), (b, wb)) = (self.terms[i], other.terms[j]);
                if a < b {
                    i += 1;
                } else if b < a {
                    j += 1;
                } else {
                    i += 1;
                    j += 1;
                    return Some((i - 1, wa * wb));
                }
            }
            None
        })
    }

    fn dot(&self, other: &Vector) -> f32 {
        self.shared(other).map(|(_, product)| product).sum()
    }
}

/// The inverted index: for each kept term, the incidents keeping it with its weight there,
/// by term, then by position.
struct Postings {
    entries: Vec<(TermId, u32, f32)>,
    /// Terms kept by more incidents than this are not followed for candidates: they
    /// say little, and following them would compare most pairs of a large archive.
    longest: usize,
}

impl Postings {
    fn new(vectors: &[Vector]) -> Postings {
        let mut entries: Vec<(TermId, u32, f32)> = vectors
            .iter()
            .enumerate()
            .flat_map(|(doc, v)| v.terms.iter().map(move |&(t, w)| (t, doc as u32, w)))
            .collect();
        entries.par_sort_unstable_by_key(|&(t, doc, _)| (t, doc));
        Postings {
            entries,
            longest: (vectors.len() / 64).max(128),
        }
    }

    /// The incidents keeping `term`, with its weight there.
    fn of(&self, term: TermId) -> &[(TermId, u32, f32)] {
        let start = self.entries.partition_point(|e| e.0 < term);
        let end = start + self.entries[start..].partition_point(|e| e.0 == term);
        &self.entries[start..end]
    }
}

/// Per-thread buffers for accumulating scores.
struct Scratch {
    scores: Vec<f32>,
    touched: Vec<u32>,
}

impl Scratch {
    fn new(n: usize) -> Scratch {
        Scratch {
            scores: vec![0.0; n],
            touched: Vec::new(),
        }
    }
}

/// What choosing the similar incidents of each incident reads.
struct Finder<'a> {
    config: &'a SimilarConfig,
    incidents: &'a [Incident],
    related: &'a [Vec<usize>],
    postings: Postings,
    vectors: &'a [Vector],
}

impl Finder<'_> {
    /// The similar incidents of the incident at `me`, best first.
    fn of(&self, me: usize, scratch: &mut Scratch) -> Vec<Similar> {
        let candidates = self.candidates(me, scratch);
        let mine = &self.vectors[me];
        let min_score = self.config.min_score as f32;
        let mut scored: Vec<(f32, usize)> = candidates
            .into_iter()
            .map(|other| (mine.dot(&self.vectors[other]), other))
            .filter(|&(score, _)| score >= min_score)
            .collect();
        scored.sort_by(|a, b| {
            b.0.total_cmp(&a.0)
                .then_with(|| self.incidents[a.1].slug.cmp(&self.incidents[b.1].slug))
        });
        scored.truncate(self.config.limit);
        scored
            .into_iter()
            .map(|(score, other)| Similar {
                position: other,
                score,
                shared: self.shared_terms(me, other),
            })
            .collect()
    }

    /// The incidents worth scoring exactly: those with the highest partial scores over
    /// the terms the index follows, leaving out `me` and its related incidents.
    fn candidates(&self, me: usize, scratch: &mut Scratch) -> Vec<usize> {
        let Scratch { scores, touched } = scratch;
        for &(term, weight) in &self.vectors[me].terms {
            let list = self.postings.of(term);
            if list.len() > self.postings.longest {
                continue;
            }
            for &(_, other, other_weight) in list {
                let slot = &mut scores[other as usize];
                if *slot == 0.0 {
                    touched.push(other);
                }
                *slot += weight * other_weight;
            }
        }
        let excluded = |other: usize| other == me || self.related[me].contains(&other);
        let mut partial: Vec<(f32, usize)> = touched
            .iter()
            .map(|&other| (scores[other as usize], other as usize))
            .filter(|&(_, other)| !excluded(other))
            .collect();
        for &other in touched.iter() {
            scores[other as usize] = 0.0;
        }
        touched.clear();
        // The best few by partial score, in linear time: an archive of random words can
        // touch thousands of candidates per incident.
        let best = |a: &(f32, usize), b: &(f32, usize)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
        let keep = self.config.limit * RESCORED_PER_PLACE;
        if partial.len() > keep {
            partial.select_nth_unstable_by(keep - 1, best);
            partial.truncate(keep);
        }
        partial.sort_unstable_by(best);
        partial.into_iter().map(|(_, other)| other).collect()
    }

    /// The shared terms weighing most in the score of `other` for `me`, in `me`'s words.
    fn shared_terms(&self, me: usize, other: usize) -> Vec<String> {
        let mine = &self.vectors[me];
        let mut shared: Vec<(f32, &str)> = mine
            .shared(&self.vectors[other])
            .map(|(i, product)| (product, mine.surfaces[i].as_str()))
            .collect();
        shared.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
        shared
            .into_iter()
            .take(SHARED_SHOWN)
            .map(|(_, surface)| surface.to_string())
            .collect()
    }
}

#[cfg(test)]
mod tests;
