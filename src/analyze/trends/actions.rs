//! Action items across the archive: how many are open, done or won't fix, which open ones
//! are overdue as of a date, and who holds the open ones.

use std::cmp::Reverse;

use chrono::NaiveDate;
use rayon::prelude::*;

use crate::analyze::index::FastMap;
use crate::model::action_item::{ActionItem, ActionStatus};
use crate::model::incident::Incident;
use crate::model::vocab::term_key;

/// One action item: its incident's position and its index in `action_items`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActionRef {
    pub incident: usize,
    pub item: usize,
    pub overdue: bool,
}

/// Open action items of one owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerStat {
    /// The owner as first written (newest incident first); `None` for unassigned items.
    pub owner: Option<String>,
    pub open: usize,
    pub overdue: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActionStats {
    pub open: usize,
    pub done: usize,
    pub wontfix: usize,
    /// Open items due before the as-of date, oldest due date first.
    pub overdue: Vec<ActionRef>,
    /// Owners of open items, most open items first; unassigned last.
    pub owners: Vec<OwnerStat>,
}

/// An item is overdue when it is open and its due date is before the as-of date: an item
/// due today is not late yet.
pub fn is_overdue(item: &ActionItem, as_of: NaiveDate) -> bool {
    item.status == ActionStatus::Open && item.due.is_some_and(|due| due < as_of)
}

/// The counts of one run of incidents, merged in order by [`merge`].
#[derive(Default)]
struct Tally {
    open: usize,
    done: usize,
    wontfix: usize,
    /// (due date, incident, item) of each overdue item.
    overdue: Vec<(Option<NaiveDate>, usize, usize)>,
    /// By owner key, in the order first seen, with the spelling first seen.
    owners: Vec<(Option<String>, OwnerStat)>,
}

pub(super) fn compute(incidents: &[Incident], as_of: NaiveDate) -> ActionStats {
    // An archive of 10,000 postmortems holds some 45,000 action items: they are counted in
    // one run per thread. Not more: each run keys the owner spellings it meets.
    let run = incidents
        .len()
        .div_ceil(rayon::current_num_threads())
        .max(1);
    in_runs(incidents, as_of, run)
}

/// The stats counted in runs of `run` incidents, in parallel, and merged in order.
pub(super) fn in_runs(incidents: &[Incident], as_of: NaiveDate, run: usize) -> ActionStats {
    let tallies: Vec<Tally> = incidents
        .par_chunks(run.max(1))
        .enumerate()
        .map(|(index, incidents)| tally(incidents, index * run, as_of))
        .collect();
    merge(tallies)
}

/// The stats of the runs of an archive, tallied in order.
fn merge(tallies: Vec<Tally>) -> ActionStats {
    let mut stats = ActionStats::default();
    let mut overdue = Vec::new();
    let mut owners: Vec<(Option<String>, OwnerStat)> = Vec::new();
    let mut by_key: FastMap<Option<String>, usize> = FastMap::default();
    // Runs are merged in order, so an owner keeps the spelling of its newest item.
    for tally in tallies {
        stats.open += tally.open;
        stats.done += tally.done;
        stats.wontfix += tally.wontfix;
        overdue.extend(tally.overdue);
        for (key, stat) in tally.owners {
            match by_key.get(&key) {
                Some(&slot) => {
                    owners[slot].1.open += stat.open;
                    owners[slot].1.overdue += stat.overdue;
                }
                None => {
                    by_key.insert(key.clone(), owners.len());
                    owners.push((key, stat));
                }
            }
        }
    }
    // (due date, incident, item) is unique per item, so the order is total.
    overdue.sort_unstable();
    stats.overdue = overdue
        .into_iter()
        .map(|(_, incident, item)| ActionRef {
            incident,
            item,
            overdue: true,
        })
        .collect();
    owners.sort_by(|(a_key, a), (b_key, b)| {
        let rank = |key: &Option<String>, stat: &OwnerStat| {
            (key.is_none(), Reverse(stat.open), Reverse(stat.overdue))
        };
        rank(a_key, a)
            .cmp(&rank(b_key, b))
            .then_with(|| a_key.cmp(b_key))
    });
    stats.owners = owners.into_iter().map(|(_, stat)| stat).collect();
    stats
}

/// Counts the items of `incidents`, the first of which is at position `first`.
fn tally(incidents: &[Incident], first: usize, as_of: NaiveDate) -> Tally {
    let mut tally = Tally::default();
    // Owners are grouped like facet terms: "Tom.Becker" and "tom.becker" are one person.
    // A run names a few hundred owners on thousands of items, so each spelling is
    // trimmed and keyed once (`spellings`), not once per item.
    let mut by_key: FastMap<Option<String>, usize> = FastMap::default();
    let mut spellings: FastMap<Option<&str>, usize> = FastMap::default();
    for (position, incident) in (first..).zip(incidents) {
        for (index, item) in incident.action_items.iter().enumerate() {
            match item.status {
                ActionStatus::Open => tally.open += 1,
                ActionStatus::Done => tally.done += 1,
                ActionStatus::Wontfix => tally.wontfix += 1,
            }
            if item.status != ActionStatus::Open {
                continue;
            }
            let is_late = is_overdue(item, as_of);
            if is_late {
                tally.overdue.push((item.due, position, index));
            }
            let owners = &mut tally.owners;
            let slot = *spellings.entry(item.owner.as_deref()).or_insert_with(|| {
                let owner = item
                    .owner
                    .as_deref()
                    .map(str::trim)
                    .filter(|o| !o.is_empty());
                *by_key.entry(owner.map(term_key)).or_insert_with(|| {
                    owners.push((
                        owner.map(term_key),
                        OwnerStat {
                            owner: owner.map(str::to_string),
                            open: 0,
                            overdue: 0,
                        },
                    ));
                    owners.len() - 1
                })
            });
            let stat = &mut owners[slot].1;
            stat.open += 1;
            stat.overdue += usize::from(is_late);
        }
    }
    tally
}

/// The open items of the incidents at `positions`: overdue first, then by due date, items
/// without a due date last.
pub(super) fn open_of(
    incidents: &[Incident],
    positions: &[usize],
    as_of: NaiveDate,
) -> Vec<ActionRef> {
    let mut open: Vec<ActionRef> = positions
        .iter()
        .flat_map(|&position| {
            incidents[position]
                .action_items
                .iter()
                .enumerate()
                .filter(|(_, item)| item.status == ActionStatus::Open)
                .map(move |(index, item)| ActionRef {
                    incident: position,
                    item: index,
                    overdue: is_overdue(item, as_of),
                })
        })
        .collect();
    let due = |r: &ActionRef| incidents[r.incident].action_items[r.item].due;
    open.sort_by_key(|r| (!r.overdue, due(r).is_none(), due(r), r.incident, r.item));
    open
}
