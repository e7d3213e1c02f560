//! Recurrence: incidents whose service and root cause already occurred together within the
//! previous N days. "This has happened before" is the question an archive exists for.
//! Every root cause of an incident counts, as on the facet pages.
//!
//! One pass over the incidents, oldest first, with a list per (service, category) pair of
//! that pair's incidents in start order: an incident's candidate in each of its pairs is
//! the last entry that started strictly before it. The work is linear in the number of
//! (incident, service, cause) triples, never quadratic in incidents.

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};

use crate::analyze::index::{FastMap, TermLists};
use crate::model::incident::Incident;

/// An incident that repeats an earlier one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recurrence {
    /// Position of the later incident.
    pub incident: usize,
    /// Position of the most recent earlier incident with a service and a root cause in
    /// common.
    pub earlier: usize,
    /// The service terms the two share, in facet order.
    pub services: Vec<usize>,
    /// The cause terms the two share, in facet order.
    pub causes: Vec<usize>,
    /// From the earlier start to the later one.
    pub gap: TimeDelta,
}

/// A service and a category that recurred together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecurrentPair {
    pub service: usize,
    pub cause: usize,
    /// How many incidents repeated an earlier one of this pair.
    pub count: usize,
    /// The newest of them.
    pub latest: usize,
}

/// A (service term, cause term) pair's incidents in start order: (start, position).
type PairLists = FastMap<(usize, usize), Vec<(DateTime<Utc>, usize)>>;

pub(super) struct Found {
    /// Newest first.
    pub(super) recurrences: Vec<Recurrence>,
    pub(super) recurrence_of: Vec<Option<usize>>,
    pub(super) pairs: Vec<RecurrentPair>,
}

/// Finds every recurrence. `service_terms.of_incident(i)` and `cause_terms.of_incident(i)`
/// (ascending) are incident `i`'s terms; `incidents` is sorted newest first, as in `Site`.
pub(super) fn find(
    incidents: &[Incident],
    service_terms: &TermLists,
    cause_terms: &TermLists,
    days: u32,
) -> Found {
    let window = TimeDelta::days(i64::from(days));
    let mut lists = PairLists::default();
    let mut recurrence_of = vec![None; incidents.len()];
    let mut recurrences = Vec::new();
    // Walking positions backwards visits the oldest incident first, so every list grows in
    // start order. Incidents without a start time sort last, so they come first and are
    // skipped: they cannot be placed in time.
    for position in (0..incidents.len()).rev() {
        let Some(start) = incidents[position].started_at else {
            continue;
        };
        let pairs = || {
            service_terms
                .of_incident(position)
                .iter()
                .flat_map(|&service| {
                    cause_terms
                        .of_incident(position)
                        .iter()
                        .map(move |&cause| (service, cause))
                })
        };
        // The most recent earlier incident over all of this incident's pairs; on equal
        // start times, the one sorted first, so the choice never depends on hashing.
        let mut best: Option<(DateTime<Utc>, usize)> = None;
        for pair in pairs() {
            let Some(list) = lists.get(&pair) else {
                continue;
            };
            // Incidents that started at the same instant are not "before" each other.
            let Some(&(at, earlier)) = list.iter().rev().find(|(at, _)| *at < start) else {
                continue;
            };
            let better = best.is_none_or(|(best_at, best_position)| {
                at > best_at || (at == best_at && earlier < best_position)
            });
            if start - at <= window && better {
                best = Some((at, earlier));
            }
        }
        if let Some((at, earlier)) = best {
            recurrence_of[position] = Some(earlier);
            recurrences.push(Recurrence {
                incident: position,
                earlier,
                services: shared(service_terms, position, earlier),
                causes: shared(cause_terms, position, earlier),
                gap: start - at,
            });
        }
        for pair in pairs() {
            lists.entry(pair).or_default().push((start, position));
        }
    }
    recurrences.reverse();
    Found {
        pairs: pairs(&recurrences),
        recurrences,
        recurrence_of,
    }
}

/// The terms two incidents share, ascending.
fn shared(terms: &TermLists, one: usize, other: usize) -> Vec<usize> {
    terms
        .of_incident(one)
        .iter()
        .copied()
        .filter(|term| terms.of_incident(other).binary_search(term).is_ok())
        .collect()
}

/// Recurrences per (service, category): most first, then the most recent first.
fn pairs(recurrences: &[Recurrence]) -> Vec<RecurrentPair> {
    let mut by_pair: HashMap<(usize, usize), RecurrentPair> = HashMap::new();
    // `recurrences` is newest first, so the first one seen for a pair is its latest.
    for recurrence in recurrences {
        for &service in &recurrence.services {
            for &cause in &recurrence.causes {
                by_pair
                    .entry((service, cause))
                    .or_insert(RecurrentPair {
                        service,
                        cause,
                        count: 0,
                        latest: recurrence.incident,
                    })
                    .count += 1;
            }
        }
    }
    let mut pairs: Vec<RecurrentPair> = by_pair.into_values().collect();
    pairs.sort_by_key(|p| (std::cmp::Reverse(p.count), p.latest, p.service, p.cause));
    pairs
}
