//! Choosing each incident's similar incidents: the inverted index over the kept terms,
//! the candidates it yields, and their exact scores.

use std::borrow::Cow;
use std::collections::BinaryHeap;

use rayon::prelude::*;

use super::{SharedWords, Similar, Vector};
use crate::model::config::SimilarConfig;
use crate::model::incident::Incident;

/// How many shared terms a listed incident shows.
pub(super) const SHARED_SHOWN: usize = 5;
/// How many candidates per listed place are scored exactly.
const RESCORED_PER_PLACE: usize = 4;

/// The inverted index: for each kept term (by index), the incidents keeping it with its
/// weight there, by position.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Postings {
    lists: Vec<Vec<(u32, f32)>>,
    /// Terms kept by more incidents than this are not followed for candidates: they
    /// say little, and following them would compare most pairs of a large archive.
    longest: usize,
}

impl Postings {
    pub(super) fn new(vectors: &[Vector], vocabulary: usize) -> Postings {
        let mut lengths = vec![0u32; vocabulary];
        for vector in vectors {
            for &(term, _) in &vector.terms {
                lengths[term as usize] += 1;
            }
        }
        let mut lists: Vec<Vec<(u32, f32)>> = lengths
            .into_iter()
            .map(|n| Vec::with_capacity(n as usize))
            .collect();
        for (position, vector) in vectors.iter().enumerate() {
            for &(term, weight) in &vector.terms {
                lists[term as usize].push((position as u32, weight));
            }
        }
        Postings {
            lists,
            longest: (vectors.len() / 64).max(128),
        }
    }

    /// Renumbers the incidents: the one at `p` is now at `moved[p]` (a permutation).
    pub(super) fn renumber(&mut self, moved: &[usize]) {
        self.lists.par_iter_mut().for_each(|list| {
            for entry in list.iter_mut() {
                entry.0 = moved[entry.0 as usize] as u32;
            }
            list.sort_unstable_by_key(|entry| entry.0);
        });
    }

    /// The incidents keeping `term`, with its weight there.
    pub(super) fn of(&self, term: u32) -> &[(u32, f32)] {
        &self.lists[term as usize]
    }

    /// How many terms the index has room for.
    pub(super) fn vocabulary(&self) -> usize {
        self.lists.len()
    }

    fn followed(&self, term: u32) -> bool {
        self.lists[term as usize].len() <= self.longest
    }

    /// Replaces the entries of the incident at `me` for its vector `old` by those for
    /// `new`, and returns the terms whose list is now followed and was not, or the
    /// other way round.
    pub(super) fn replace(&mut self, me: usize, old: &Vector, new: &Vector) -> Vec<u32> {
        let me = me as u32;
        let mut crossed = Vec::new();
        for &(term, _) in &old.terms {
            let before = self.followed(term);
            let list = &mut self.lists[term as usize];
            if let Ok(at) = list.binary_search_by_key(&me, |e| e.0) {
                list.remove(at);
            }
            if self.followed(term) != before {
                crossed.push(term);
            }
        }
        for &(term, weight) in &new.terms {
            let before = self.followed(term);
            let list = &mut self.lists[term as usize];
            match list.binary_search_by_key(&me, |e| e.0) {
                Ok(at) => list[at].1 = weight,
                Err(at) => list.insert(at, (me, weight)),
            }
            if self.followed(term) != before {
                crossed.push(term);
            }
        }
        crossed.sort_unstable();
        crossed.dedup();
        crossed
    }

    /// The partial scores of every incident sharing a followed term with `vector`: the
    /// sum of the products of the weights over those terms, in term order (so the same
    /// sum, bit for bit, as the other incident's own candidate search adds up).
    pub(super) fn partials(&self, vector: &Vector, scratch: &mut Scratch) -> Vec<(u32, f32)> {
        let mut partial = Vec::new();
        self.partials_into(vector, scratch, |other, score| {
            partial.push((other, score));
        });
        partial
    }

    /// [`Postings::partials`], each given to `emit` (position, partial score) in the
    /// order first touched.
    fn partials_into(
        &self,
        vector: &Vector,
        scratch: &mut Scratch,
        mut emit: impl FnMut(u32, f32),
    ) {
        let Scratch {
            scores, touched, ..
        } = scratch;
        let followed = || {
            (vector.terms.iter())
                .map(|&(term, weight)| (self.of(term), weight))
                .filter(|(list, _)| list.len() <= self.longest)
        };
        // Room for one note per entry followed, the most there can be: the loop below
        // notes an incident without a branch, which at 100,000 postmortems mispredicted
        // on about half of the 300 million entries followed.
        let most: usize = followed().map(|(list, _)| list.len()).sum();
        if touched.len() < most {
            touched.resize(most, 0);
        }
        let mut noted = 0;
        for (list, weight) in followed() {
            for &(other, other_weight) in list {
                let slot = &mut scores[other as usize];
                touched[noted] = other;
                noted += usize::from(*slot == 0.0);
                *slot += weight * other_weight;
            }
        }
        for &other in &touched[..noted] {
            let slot = &mut scores[other as usize];
            emit(other, *slot);
            *slot = 0.0;
        }
    }
}

/// The worst of an incident's candidates (partial score, position), when it had as many
/// as it keeps: another incident becomes a candidate only by ranking before it.
pub(super) type Cutoff = Option<(f32, u32)>;

/// Whether candidate `a` (partial score, position) ranks before `b`.
pub(super) fn better(a: (f32, u32), b: (f32, u32)) -> bool {
    rank(&a, &b).is_lt()
}

fn rank(a: &(f32, u32), b: &(f32, u32)) -> std::cmp::Ordering {
    b.0.total_cmp(&a.0).then(a.1.cmp(&b.1))
}

/// A candidate (partial score, position) ordered by [`rank`]: the better is the less.
#[derive(Clone, Copy)]
struct Ranked(f32, u32);

impl PartialEq for Ranked {
    fn eq(&self, other: &Ranked) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for Ranked {}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Ranked) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ranked {
    fn cmp(&self, other: &Ranked) -> std::cmp::Ordering {
        rank(&(self.0, self.1), &(other.0, other.1))
    }
}

/// Per-thread buffers: scores by incident, and one incident's weights by term.
pub(super) struct Scratch {
    scores: Vec<f32>,
    touched: Vec<u32>,
    weights: Vec<f32>,
}

impl Scratch {
    pub(super) fn new(n: usize) -> Scratch {
        Scratch {
            scores: vec![0.0; n],
            touched: Vec::new(),
            weights: Vec::new(),
        }
    }
}

/// What choosing the similar incidents of each incident reads.
pub(super) struct Finder<'a> {
    pub(super) config: &'a SimilarConfig,
    pub(super) incidents: &'a [Incident],
    pub(super) related: &'a [Vec<usize>],
    pub(super) postings: &'a Postings,
    pub(super) vectors: &'a [Vector],
    /// The canonical forms of the terms, by index (`Stats::forms`).
    pub(super) forms: &'a [Box<str>],
}

impl Finder<'_> {
    /// The similar incidents of the incident at `me`, best first, and the worst of its
    /// candidates when it had as many as it keeps.
    pub(super) fn of(&self, me: usize, scratch: &mut Scratch) -> (Vec<Similar>, Cutoff) {
        let (candidates, cutoff) = self.candidates(me, scratch);
        let mine = &self.vectors[me];
        let min_score = self.config.min_score as f32;
        // `me`'s weights spread by term, so each candidate's dot product is one lookup per
        // term: the same products added in the same (term) order as a merge would.
        let weights = &mut scratch.weights;
        if weights.len() < self.postings.vocabulary() {
            weights.resize(self.postings.vocabulary(), 0.0);
        }
        for &(term, weight) in &mine.terms {
            weights[term as usize] = weight;
        }
        let dot = |terms: &[(u32, f32)]| -> f32 {
            terms
                .iter()
                .map(|&(term, weight)| weights[term as usize] * weight)
                .sum()
        };
        // The candidates' terms found first, then their products: each candidate's terms
        // are a cache miss in a large archive, and looking them all up before reading
        // any lets the processor wait for them together (dot products 15-20% faster at
        // 100,000 postmortems).
        let others: Vec<(&[(u32, f32)], usize)> = (candidates.into_iter())
            .map(|other| (&self.vectors[other].terms[..], other))
            .collect();
        let mut scored: Vec<(f32, usize)> = (others.into_iter())
            .map(|(terms, other)| (dot(terms), other))
            .filter(|&(score, _)| score >= min_score)
            .collect();
        for &(term, _) in &mine.terms {
            weights[term as usize] = 0.0;
        }
        scored.sort_by(|a, b| {
            b.0.total_cmp(&a.0)
                .then_with(|| self.incidents[a.1].slug.cmp(&self.incidents[b.1].slug))
        });
        scored.truncate(self.config.limit);
        let list = scored
            .into_iter()
            .map(|(score, other)| Similar {
                position: other,
                score,
                shared: self.shared_terms(me, other),
            })
            .collect();
        (list, cutoff)
    }

    /// The incidents worth scoring exactly: those with the highest partial scores over
    /// the terms the index follows, leaving out `me` and its related incidents; and the
    /// worst of them, when there were more.
    fn candidates(&self, me: usize, scratch: &mut Scratch) -> (Vec<usize>, Cutoff) {
        let related = &self.related[me];
        let keep = self.config.limit * RESCORED_PER_PLACE;
        // The best few by partial score, kept as they come with the worst on top: an
        // archive of random words can touch thousands of candidates per incident, and
        // most lose to the worst kept at one comparison.
        let mut best: BinaryHeap<Ranked> = BinaryHeap::with_capacity(keep + 1);
        let mut touched = 0;
        // The worst kept's score once the heap is full: a lower score loses to it at
        // one comparison of floats (scores are sums of positive products, never NaN;
        // anything else takes the full comparison).
        let mut bar = f32::NEG_INFINITY;
        self.postings
            .partials_into(&self.vectors[me], scratch, |other, score| {
                if score < bar {
                    return;
                }
                let candidate = Ranked(score, other);
                let full = best.len() == keep;
                // Once the heap is full, `touched` has done its work, and most incidents
                // lose to the worst kept: settle that before looking through `related`.
                if full && best.peek().is_none_or(|worst| candidate >= *worst) {
                    return;
                }
                if other as usize == me || related.contains(&(other as usize)) {
                    return;
                }
                touched += 1;
                if full {
                    best.pop();
                }
                best.push(candidate);
                if best.len() == keep {
                    bar = best.peek().map_or(f32::NEG_INFINITY, |worst| worst.0);
                }
            });
        let cutoff = if keep > 0 && touched >= keep {
            best.peek().map(|worst| (worst.0, worst.1))
        } else {
            None
        };
        let candidates = best
            .into_sorted_vec()
            .into_iter()
            .map(|Ranked(_, other)| other as usize)
            .collect();
        (candidates, cutoff)
    }

    /// The shared terms weighing most in the score of `other` for `me`, in `me`'s words.
    fn shared_terms(&self, me: usize, other: usize) -> SharedWords {
        let mine = &self.vectors[me];
        let mut shared: Vec<(f32, Cow<'_, str>)> = mine
            .shared(&self.vectors[other])
            .map(|(i, product)| (product, mine.spelling(i, self.forms)))
            .collect();
        shared.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        SharedWords::new(
            shared
                .iter()
                .take(SHARED_SHOWN)
                .map(|(_, spelling)| spelling.as_ref()),
        )
    }
}
