//! Similar incidents by text: for each incident, the few whose wording is closest, each
//! with the words they share, whatever their services and root causes.
//!
//! Each incident's text (title and summary weighted higher, then impact, root causes,
//! trigger and body) becomes BM25 weights over its words (`terms`: stop words dropped,
//! words with a digit dropped, a light plural stemmer, words joined by `-` or `_` kept as
//! one term). Similarity is the cosine of two such vectors, each kept to its
//! [`TERMS_KEPT`] heaviest terms found in more than one incident. Candidates come from an
//! inverted index over those terms (`find`), so an incident is compared only with
//! incidents sharing one of its heavy terms; the few most promising are scored exactly.
//! The incident itself and its related incidents (`Index::related`) are never listed, so
//! the two sections do not repeat each other.
//!
//! Each text is counted once: its term counts (about three bytes a distinct term,
//! [`Counts`]) wait for the archive's statistics (how many incidents use each term, the
//! average length), then become its vector and are dropped. A build counts each text as
//! its file is parsed ([`Counter`], [`build_counted`]), so the text need not be kept; the
//! spellings shown come from each term's canonical form, kept once for the archive
//! ([`Words`]).
//! [`Model`] keeps what `serve` needs to update the lists after an edit without
//! computing them all anew.
//!
//! Every step reads only its inputs in a fixed order (terms by hash, incidents by
//! position), and ties go to the smaller slug: the lists are the same whatever the
//! number of threads.

mod find;
mod terms;

use std::borrow::Cow;

use rayon::prelude::*;

use crate::model::config::SimilarConfig;
use crate::model::incident::Incident;
use find::{Cutoff, Finder, Postings, Scratch};
pub use terms::{Counter, Counts, Numbered, Numbering, Words};
use terms::{Entry, IdMap, TermId};

/// One similar incident.
#[derive(Debug, Clone, PartialEq)]
pub struct Similar {
    /// Position in `Site::incidents`.
    pub position: usize,
    /// Cosine similarity of the two texts, 0 to 1.
    pub score: f32,
    /// The shared terms that weigh most in the score, heaviest first, as the incident
    /// whose page lists them writes them.
    pub shared: SharedWords,
}

/// The words two similar incidents share, heaviest first, held as the page shows them:
/// one string, `failover, replication, postgres`. An archive holds five lists of up to
/// five words per incident, and as a `Vec<String>` each list took about 230 bytes in six
/// allocations (some 100 MB at 100,000 postmortems); joined it takes one of about 40. A
/// word is a term of the text, which holds no space, so the separator is unambiguous.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SharedWords(Box<str>);

impl SharedWords {
    const SEPARATOR: &'static str = ", ";

    /// `words`, in their order.
    pub fn new<'w>(words: impl IntoIterator<Item = &'w str>) -> SharedWords {
        let mut joined = String::new();
        for word in words {
            debug_assert!(!word.is_empty() && !word.contains(' '), "{word:?}");
            if !joined.is_empty() {
                joined.push_str(Self::SEPARATOR);
            }
            joined.push_str(word);
        }
        SharedWords(joined.into_boxed_str())
    }

    /// The words joined by `, `, as the page shows them.
    pub fn joined(&self) -> &str {
        &self.0
    }

    /// Each word, heaviest first.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0
            .split(Self::SEPARATOR)
            .filter(|word| !word.is_empty())
    }

    /// How many words.
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// What changed since the lists were computed, by position: the incidents whose text
/// changed, and those whose related incidents changed.
#[derive(Debug, Clone, Copy, Default)]
pub struct Changes<'a> {
    pub edited: &'a [usize],
    pub relisted: &'a [usize],
}

/// How many terms of each incident's vector take part in the comparison.
pub const TERMS_KEPT: usize = 48;
/// BM25's term-frequency saturation and length normalisation.
const K1: f32 = 1.2;
const B: f32 = 0.75;

/// For each incident (by position), the incidents most similar to it, best first; none
/// below `config.min_score`, none in `related[position]`.
pub fn build(
    config: &SimilarConfig,
    incidents: &[Incident],
    related: &[Vec<usize>],
) -> Vec<Vec<Similar>> {
    Model::new(config, incidents, related).1
}

/// [`build`] from the incidents' words counted already (`counted[p]` is the incident at
/// `p`, by a [`Counter`] whose words are among `words`, its terms numbered as
/// `numbered` reads them): their texts may be gone.
pub fn build_counted(
    config: &SimilarConfig,
    incidents: &[Incident],
    related: &[Vec<usize>],
    counted: Vec<Counts>,
    (words, numbered): (&Words, &Numbered),
) -> Vec<Vec<Similar>> {
    Model::counted(config, incidents, related, counted, (words, numbered)).1
}

/// What the lists were computed from: the archive's word statistics, each incident's
/// vector, the inverted index, and where each incident's candidates stopped. `serve`
/// keeps it to update the lists after body edits ([`Model::update`]).
#[derive(Debug)]
pub struct Model {
    config: SimilarConfig,
    stats: Stats,
    vectors: Vec<Vector>,
    postings: Postings,
    /// For each incident, the worst of its candidates.
    cutoffs: Vec<Cutoff>,
}

impl Model {
    /// The model of `incidents` and every incident's list, as [`build`] returns them.
    pub fn new(
        config: &SimilarConfig,
        incidents: &[Incident],
        related: &[Vec<usize>],
    ) -> (Model, Vec<Vec<Similar>>) {
        let (counted, words, numbered) = match enabled(config, incidents) {
            true => counted(incidents),
            false => Default::default(),
        };
        Model::counted(config, incidents, related, counted, (&words, &numbered))
    }

    /// [`Model::new`] from the incidents' words counted already, as [`build_counted`].
    pub fn counted(
        config: &SimilarConfig,
        incidents: &[Incident],
        related: &[Vec<usize>],
        counted: Vec<Counts>,
        (words, numbered): (&Words, &Numbered),
    ) -> (Model, Vec<Vec<Similar>>) {
        let enabled = enabled(config, incidents) && counted.len() == incidents.len();
        let (stats, vectors) = if enabled {
            vectors_of(counted, words, numbered)
        } else {
            (Stats::default(), Vec::new())
        };
        let postings = Postings::new(&vectors, stats.vocabulary);
        let mut model = Model {
            config: config.clone(),
            stats,
            vectors,
            postings,
            cutoffs: vec![None; incidents.len()],
        };
        let all: Vec<usize> = if enabled {
            (0..incidents.len()).collect()
        } else {
            Vec::new()
        };
        let mut lists = vec![Vec::new(); incidents.len()];
        model.refresh(incidents, related, &all, &mut lists);
        (model, lists)
    }

    /// After the incidents were put in another order (the same incidents: the one at `p`
    /// is now at `moved[p]`), renumbers what the model holds by position, and `lists`
    /// with it, so that [`Model::update`] can follow with the changes. A start time
    /// edited past another incident's reorders the archive; computing every list anew
    /// for that took 350 ms at 10,000 postmortems. `moved` must be a permutation of the
    /// model's positions.
    pub fn renumber(&mut self, moved: &[usize], lists: &mut Vec<Vec<Similar>>) {
        if moved.len() != self.vectors.len() {
            return;
        }
        self.vectors = permuted(std::mem::take(&mut self.vectors), moved);
        self.cutoffs = permuted(std::mem::take(&mut self.cutoffs), moved);
        for (_, position) in self.cutoffs.iter_mut().flatten() {
            *position = moved[*position as usize] as u32;
        }
        self.postings.renumber(moved);
        debug_assert!(
            self.postings == Postings::new(&self.vectors, self.postings.vocabulary()),
            "renumbered postings are those of the renumbered vectors"
        );
        if lists.len() == moved.len() {
            *lists = permuted(std::mem::take(lists), moved);
            for similar in lists.iter_mut().flatten() {
                similar.position = moved[similar.position];
            }
        }
    }

    /// After the texts of the incidents at `edited` changed, and the related lists of
    /// those at `relisted` (nothing else: not their number or order), updates `lists` and
    /// returns the positions whose list changed (other incidents, or other shared words).
    /// The archive's word statistics stay those the model was made with: only the edited
    /// incidents' vectors change, so another incident's list changes only where an edited
    /// one enters or leaves its candidates, which the inverted index finds; a relisted
    /// incident's list is computed anew.
    pub fn update(
        &mut self,
        incidents: &[Incident],
        related: &[Vec<usize>],
        changes: Changes<'_>,
        lists: &mut [Vec<Similar>],
    ) -> Vec<usize> {
        if self.vectors.len() != incidents.len() || self.vectors.is_empty() {
            return Vec::new();
        }
        let Changes { edited, relisted } = changes;
        let mut reached = vec![false; incidents.len()];
        let numbering = Numbering::default();
        // A term the statistics do not know is not kept in a vector, so the forms of
        // those kept are known already (`Stats::forms`).
        let counted: Vec<(usize, Counts)> = edited
            .par_iter()
            .map(|&me| (me, Counter::default().count(&incidents[me], &numbering)))
            .collect();
        let numbered = numbering.done();
        // An edit to front matter the text leaves out (tags, services, times) leaves the
        // vector as it was: no other incident's list can change through it, and only its
        // own (below) and the relisted ones are computed again. Reaching everyone whose
        // candidates it is among took a new tag's rebuild 3 ms at 10,000 postmortems.
        let fresh: Vec<(usize, Vector)> = (counted.into_par_iter())
            .map(|(me, counts)| (me, Vector::new(&counts, &self.stats, &numbered)))
            .filter(|(me, vector)| *vector != self.vectors[*me])
            .collect();
        // Those whose candidates an edited incident was among, as its vector was...
        for &(me, _) in &fresh {
            self.reach(me, related, &mut reached);
        }
        let reworded: Vec<usize> = fresh.iter().map(|&(me, _)| me).collect();
        for (me, vector) in fresh {
            let old = std::mem::replace(&mut self.vectors[me], vector);
            let crossed = self.postings.replace(me, &old, &self.vectors[me]);
            for term in crossed {
                for &(other, _) in self.postings.of(term) {
                    reached[other as usize] = true;
                }
            }
        }
        // ...and as it is now.
        for &me in &reworded {
            self.reach(me, related, &mut reached);
        }
        for &me in edited {
            reached[me] = true;
        }
        for &me in relisted {
            reached[me] = true;
        }
        let positions: Vec<usize> = (0..reached.len()).filter(|&p| reached[p]).collect();
        self.refresh(incidents, related, &positions, lists)
    }

    /// Marks the incidents whose candidates the incident at `me` is among, as its vector
    /// is now.
    fn reach(&self, me: usize, related: &[Vec<usize>], reached: &mut [bool]) {
        let mut scratch = Scratch::new(self.vectors.len());
        for (other, partial) in self.postings.partials(&self.vectors[me], &mut scratch) {
            let other = other as usize;
            if other == me || related[other].contains(&me) {
                continue;
            }
            let kept = match self.cutoffs[other] {
                None => true,
                Some(cutoff) => !find::better(cutoff, (partial, me as u32)),
            };
            reached[other] |= kept;
        }
    }

    /// Computes the lists of the incidents at `positions` anew into `lists`, and returns
    /// those that changed.
    fn refresh(
        &mut self,
        incidents: &[Incident],
        related: &[Vec<usize>],
        positions: &[usize],
        lists: &mut [Vec<Similar>],
    ) -> Vec<usize> {
        let finder = Finder {
            config: &self.config,
            incidents,
            related,
            postings: &self.postings,
            vectors: &self.vectors,
            forms: &self.stats.forms,
        };
        let fresh: Vec<(Vec<Similar>, Cutoff)> = positions
            .par_iter()
            .map_init(
                || Scratch::new(incidents.len()),
                |scratch, &me| finder.of(me, scratch),
            )
            .collect();
        let mut changed = Vec::new();
        for (&me, (list, cutoff)) in positions.iter().zip(fresh) {
            self.cutoffs[me] = cutoff;
            let same = list.len() == lists[me].len()
                && list
                    .iter()
                    .zip(&lists[me])
                    .all(|(n, o)| n.position == o.position && n.shared == o.shared);
            if !same {
                changed.push(me);
            }
            lists[me] = list;
        }
        changed
    }
}

/// `items` with the one at `p` moved to `moved[p]` (a permutation of their positions).
fn permuted<T>(items: Vec<T>, moved: &[usize]) -> Vec<T> {
    let mut slots: Vec<Option<T>> = std::iter::repeat_with(|| None).take(items.len()).collect();
    for (item, &to) in items.into_iter().zip(moved) {
        slots[to] = Some(item);
    }
    slots.into_iter().flatten().collect()
}

/// Whether the site asks for similar incidents at all.
pub fn listed(config: &SimilarConfig) -> bool {
    config.enabled && config.limit > 0
}

/// Whether `incidents` get similar incidents: the site asks, and there are two to compare.
fn enabled(config: &SimilarConfig, incidents: &[Incident]) -> bool {
    listed(config) && incidents.len() >= 2
}

/// The words of every incident counted, by position, the words of the counters, and the
/// terms' numbers.
fn counted(incidents: &[Incident]) -> (Vec<Counts>, Words, Numbered) {
    let numbering = Numbering::default();
    let chunks: Vec<(Vec<Counts>, Words)> = incidents
        .par_chunks(COUNTED_TOGETHER)
        .map(|chunk| {
            let mut counter = Counter::default();
            let counted = chunk
                .iter()
                .map(|incident| counter.count(incident, &numbering))
                .collect();
            (counted, counter.into_words())
        })
        .collect();
    let mut all = Vec::with_capacity(incidents.len());
    let mut words = Words::default();
    for (counted, more) in chunks {
        all.extend(counted);
        words.merge(more);
    }
    (all, words, numbering.done())
}

/// How many incidents one counter counts: enough that most terms are met again by the
/// same counter, few enough that the threads share the work.
const COUNTED_TOGETHER: usize = 256;

/// The archive's word statistics and every incident's vector, from each incident's
/// counts (which wait, compactly, for the statistics, then become its vector) and the
/// canonical forms of their terms.
fn vectors_of(counted: Vec<Counts>, words: &Words, numbered: &Numbered) -> (Stats, Vec<Vector>) {
    let stats = Stats::new(&counted, numbered, words);
    let vectors = counted
        .into_par_iter()
        .map(|counts| Vector::new(&counts, &stats, numbered))
        .collect();
    (stats, vectors)
}

/// The archive's word statistics: how many incidents use each term, and their average
/// weighted length.
#[derive(Debug, Default)]
struct Stats {
    incidents: usize,
    average: f32,
    /// For each term: the number of incidents using it, its inverse document frequency,
    /// and for a term used by more than one, its index (the terms sorted by hash), else
    /// [`UNSHARED`].
    terms: IdMap<Term>,
    /// How many terms have an index.
    vocabulary: usize,
    /// The canonical form of each term with an index, by index.
    forms: Vec<Box<str>>,
}

/// The index of a term no other incident uses: it cannot be shared.
const UNSHARED: u32 = u32::MAX;

#[derive(Debug, Clone, Copy)]
struct Term {
    df: u32,
    idf: f32,
    index: u32,
}

impl Default for Term {
    fn default() -> Term {
        Term {
            df: 0,
            idf: 0.0,
            index: UNSHARED,
        }
    }
}

/// BM25's inverse document frequency of a term `df` of `n` incidents use.
fn idf(n: usize, df: u32) -> f32 {
    let (n, df) = (n as f32, df as f32);
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}

impl Stats {
    fn new(counted: &[Counts], numbered: &Numbered, words: &Words) -> Stats {
        let terms = counted
            .par_iter()
            .fold(IdMap::<Term>::default, |mut terms, counts| {
                for term in counts.terms(numbered) {
                    terms.entry(term).or_default().df += 1;
                }
                terms
            })
            .reduce(IdMap::default, |a, b| {
                let (mut into, from) = if a.len() >= b.len() { (a, b) } else { (b, a) };
                for (term, counted) in from {
                    into.entry(term).or_default().df += counted.df;
                }
                into
            });
        let mut terms = terms;
        // Summed in the incidents' order, so the average is the same whatever the threads.
        let average =
            counted.iter().map(|counts| counts.length).sum::<f32>() / counted.len() as f32;
        let mut shared: Vec<TermId> = terms
            .iter()
            .filter(|(_, t)| t.df > 1)
            .map(|(&term, _)| term)
            .collect();
        shared.par_sort_unstable();
        for (index, term) in shared.iter().enumerate() {
            if let Some(entry) = terms.get_mut(term) {
                entry.index = index as u32;
            }
        }
        for term in terms.values_mut() {
            term.idf = idf(counted.len(), term.df);
        }
        Stats {
            incidents: counted.len(),
            average: average.max(1.0),
            terms,
            vocabulary: shared.len(),
            forms: shared
                .iter()
                .map(|&term| words.canonical(term).into())
                .collect(),
        }
    }

    /// The inverse document frequency of `term`, and its index.
    fn of(&self, term: TermId) -> (f32, u32) {
        match self.terms.get(&term) {
            Some(t) => (t.idf, t.index),
            None => (idf(self.incidents, 0), UNSHARED),
        }
    }
}

/// One incident's heaviest shareable terms, by index, with weights divided by the norm of
/// its whole vector (so a dot product of two is their cosine, counting every term in the
/// norm but only kept ones in the product).
#[derive(Debug, Default, PartialEq)]
struct Vector {
    terms: Vec<(u32, f32)>,
    /// How the spelling of each of `terms` grew on its canonical form in this incident
    /// ([`Entry::grown`]), in the same order: with [`Stats::forms`], its spelling. Held
    /// as a spelling, each incident's 48 words took about 500 bytes, 50 MB at 100,000
    /// postmortems when a build's memory peaks.
    grown: Box<[u8]>,
}

impl Vector {
    /// The vector of the incident counted as `counts`, whose terms' canonical forms are
    /// among `words`.
    fn new(counts: &Counts, stats: &Stats, numbered: &Numbered) -> Vector {
        let norm_length = 1.0 - B + B * counts.length / stats.average;
        // In the order counted, which depends on the text alone, so the norm is the same
        // whatever the threads.
        let mut weighted: Vec<(f32, TermId, u32, Entry)> =
            Vec::with_capacity(counts.terms(numbered).len());
        for entry in counts.entries(numbered) {
            let (idf, index) = stats.of(entry.term);
            let c = entry.count;
            let weight = idf * c * (K1 + 1.0) / (c + K1 * norm_length);
            weighted.push((weight, entry.term, index, entry));
        }
        let norm = weighted.iter().map(|w| w.0 * w.0).sum::<f32>().sqrt();
        // A term no other incident has cannot be shared: it counts in the norm only.
        weighted.retain(|w| w.2 != UNSHARED);
        if weighted.len() > TERMS_KEPT {
            let heavier = |a: &(f32, TermId, u32, Entry), b: &(f32, TermId, u32, Entry)| {
                b.0.total_cmp(&a.0).then(a.1.cmp(&b.1))
            };
            weighted.select_nth_unstable_by(TERMS_KEPT - 1, heavier);
            weighted.truncate(TERMS_KEPT);
        }
        // By index (the terms sorted by hash), as `shared` and the postings merge them.
        weighted.sort_unstable_by_key(|w| w.2);
        let scale = if norm > 0.0 { 1.0 / norm } else { 0.0 };
        let mut terms = Vec::with_capacity(weighted.len());
        let mut grown = Vec::with_capacity(weighted.len());
        for (weight, _, index, entry) in weighted {
            terms.push((index, weight * scale));
            grown.push(entry.grown);
        }
        Vector {
            terms,
            grown: grown.into_boxed_slice(),
        }
    }

    /// The spelling of `terms[i]` in this incident; `forms` are [`Stats::forms`].
    fn spelling<'f>(&self, i: usize, forms: &'f [Box<str>]) -> Cow<'f, str> {
        let form = (self.terms.get(i)).and_then(|&(index, _)| forms.get(index as usize));
        let grown = self.grown.get(i).copied().unwrap_or_default();
        terms::spelled(form.map_or("", |form| form), grown)
    }

    /// The terms both vectors keep: positions in `self` and the product of their weights,
    /// in term order.
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
}

#[cfg(test)]
mod tests;

#[cfg(test)]
impl Model {
    /// Every list computed anew from `incidents` as they are now, with this model's word
    /// statistics: what [`Model::update`] promises.
    fn recomputed(&self, incidents: &[Incident], related: &[Vec<usize>]) -> Vec<Vec<Similar>> {
        let mut counter = Counter::default();
        let numbering = Numbering::default();
        let counted: Vec<Counts> = (incidents.iter())
            .map(|incident| counter.count(incident, &numbering))
            .collect();
        let numbered = numbering.done();
        let vectors: Vec<Vector> = (counted.iter())
            .map(|counts| Vector::new(counts, &self.stats, &numbered))
            .collect();
        let postings = Postings::new(&vectors, self.stats.vocabulary);
        let finder = Finder {
            config: &self.config,
            incidents,
            related,
            postings: &postings,
            vectors: &vectors,
            forms: &self.stats.forms,
        };
        let mut scratch = Scratch::new(incidents.len());
        (0..incidents.len())
            .map(|me| finder.of(me, &mut scratch).0)
            .collect()
    }
}
