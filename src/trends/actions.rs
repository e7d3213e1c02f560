//! Action items across the archive: how many are open, done or won't fix, which open ones
//! are overdue as of a date, and who holds the open ones.

use std::cmp::Reverse;
use std::collections::HashMap;

use chrono::NaiveDate;

use crate::incident::{ActionItem, ActionStatus, Incident};
use crate::vocab::term_key;

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

pub(super) fn compute(incidents: &[Incident], as_of: NaiveDate) -> ActionStats {
    let mut stats = ActionStats::default();
    // Owners are grouped like facet terms: "Tom.Becker" and "tom.becker" are one person.
    let mut owners: HashMap<Option<String>, OwnerStat> = HashMap::new();
    for (position, incident) in incidents.iter().enumerate() {
        for (index, item) in incident.action_items.iter().enumerate() {
            match item.status {
                ActionStatus::Open => stats.open += 1,
                ActionStatus::Done => stats.done += 1,
                ActionStatus::Wontfix => stats.wontfix += 1,
            }
            if item.status != ActionStatus::Open {
                continue;
            }
            let overdue = is_overdue(item, as_of);
            if overdue {
                stats.overdue.push(ActionRef {
                    incident: position,
                    item: index,
                    overdue,
                });
            }
            let owner = item
                .owner
                .as_deref()
                .map(str::trim)
                .filter(|o| !o.is_empty());
            let entry = owners
                .entry(owner.map(term_key))
                .or_insert_with(|| OwnerStat {
                    owner: owner.map(str::to_string),
                    open: 0,
                    overdue: 0,
                });
            entry.open += 1;
            entry.overdue += usize::from(overdue);
        }
    }
    let due = |r: &ActionRef| incidents[r.incident].action_items[r.item].due;
    stats.overdue.sort_by_key(|r| (due(r), r.incident, r.item));
    let mut owners: Vec<(Option<String>, OwnerStat)> = owners.into_iter().collect();
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
