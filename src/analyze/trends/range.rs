//! The dense range of an archive's start dates: the years every time axis covers.
//!
//! Real archives hold stray dates: a postmortem typed as 1602 instead of 2016, or a few
//! early incidents ten years before the team started writing them down. Drawn as they
//! are, one such date stretches every axis over centuries and squeezes the archive into
//! one bar. So axes cover the *dense range*, and the incidents outside it are listed under
//! the charts instead of being drawn.
//!
//! The rule, which `docs/trends.md` states for readers:
//! 1. The start years are grouped into *runs*: a new run begins after a gap of more than
//!    [`GAP_YEARS`] years without an incident. Archives with no such gap are drawn whole.
//! 2. The range starts as the run with the most incidents (on a tie, the latest).
//! 3. On each side, the range takes in the runs beyond it when they earn their axis
//!    space: the incidents they add per year of axis added (the gap included) are at
//!    least a tenth ([`MIN_DENSITY`]) of the range's incidents per year, or they hold at
//!    least a tenth of all dated incidents and at least three ([`MIN_SHARE`]). Of the
//!    blocks of runs that do, the one reaching furthest is taken, and this repeats until
//!    no run is added.
//!
//! A rule on density rather than on a share of incidents alone holds for small archives
//! too: one incident in 1602 beside ten in 2021–2024 is 9% of the archive, but it would
//! take 99% of the axis while adding 0.1% of its density. The share clause keeps a real
//! early era drawn even when it was quieter: a third of the archive spread thinly over
//! the 1960s is history, not a typo.

use chrono::{Datelike, NaiveDate};

/// Years without an incident that split the start years into runs: more than this many.
pub const GAP_YEARS: i32 = 5;

/// The least density (incidents per year of axis added, as a share of the range's) at
/// which runs beyond a gap are drawn: one in ten.
pub const MIN_DENSITY: (usize, usize) = (1, 10);

/// Runs beyond a gap holding at least this share of the dated incidents, and at least
/// this many, are drawn whatever their density: a tenth, three.
pub const MIN_SHARE: (usize, usize, usize) = (1, 10, 3);

/// A run of start years without a gap of more than [`GAP_YEARS`] years.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Run {
    first: i32,
    last: i32,
    incidents: usize,
}

/// The first and last year of the dense range of `years` (in any order, one per dated
/// incident); `None` when there are none.
pub fn dense_years(years: &[i32]) -> Option<(i32, i32)> {
    let runs = runs(years);
    // The largest run; `max_by_key` keeps the last of equals, so a tie goes to the latest.
    let core = (0..runs.len()).max_by_key(|&i| runs[i].incidents)?;
    let total = years.len();
    let (mut low, mut high) = (core, core);
    loop {
        let range = (low, high);
        let before = (0..low).find(|&j| earns_space(&runs, range, j..low, total));
        let after = (high + 1..runs.len())
            .rev()
            .find(|&j| earns_space(&runs, range, high + 1..j + 1, total));
        if before.is_none() && after.is_none() {
            return Some((runs[low].first, runs[high].last));
        }
        low = before.unwrap_or(low);
        high = after.unwrap_or(high);
    }
}

/// The runs of `years`, oldest first.
fn runs(years: &[i32]) -> Vec<Run> {
    let mut sorted = years.to_vec();
    sorted.sort_unstable();
    let mut runs: Vec<Run> = Vec::new();
    for year in sorted {
        match runs.last_mut() {
            Some(run) if year - run.last <= GAP_YEARS => {
                run.last = year;
                run.incidents += 1;
            }
            _ => runs.push(Run {
                first: year,
                last: year,
                incidents: 1,
            }),
        }
    }
    runs
}

/// Whether the runs `block`, next to the range of runs `low..=high`, add at least
/// [`MIN_DENSITY`] of the range's incidents per year, per year of axis they add, or hold
/// [`MIN_SHARE`] of the `total` dated incidents.
fn earns_space(
    runs: &[Run],
    (low, high): (usize, usize),
    block: std::ops::Range<usize>,
    total: usize,
) -> bool {
    let range_incidents: usize = runs[low..=high].iter().map(|r| r.incidents).sum();
    let range_years = (runs[high].last - runs[low].first + 1) as usize;
    let added: usize = runs[block.clone()].iter().map(|r| r.incidents).sum();
    let added_years = if block.start < low {
        runs[low].first - runs[block.start].first
    } else {
        runs[block.end - 1].last - runs[high].last
    } as usize;
    // added / added_years ≥ (1/10) · range_incidents / range_years, without division.
    let (part, whole) = MIN_DENSITY;
    let dense = added * range_years * whole >= part * range_incidents * added_years;
    let (part, whole, least) = MIN_SHARE;
    let large = added * whole >= part * total && added >= least;
    dense || large
}

/// The drawn span of `start_dates` (one per incident, `None` when undated): the first and
/// last start date inside the dense range of their years.
pub fn drawn_span(start_dates: &[Option<NaiveDate>]) -> Option<(NaiveDate, NaiveDate)> {
    let years: Vec<i32> = start_dates.iter().flatten().map(|d| d.year()).collect();
    let (first, last) = dense_years(&years)?;
    let inside = || {
        start_dates
            .iter()
            .flatten()
            .filter(move |d| (first..=last).contains(&d.year()))
    };
    inside().min().copied().zip(inside().max().copied())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `years` as `year×count` items, the expected range as `first..last` or `none`.
    fn check(years: &str, expected: &str) {
        let mut all = Vec::new();
        for item in years.split_whitespace() {
            let (year, count) = item.split_once('×').unwrap_or((item, "1"));
            for _ in 0..count.parse::<usize>().unwrap() {
                all.push(year.parse::<i32>().unwrap());
            }
        }
        let got = dense_years(&all).map_or("none".into(), |(a, b)| format!("{a}..{b}"));
        assert_eq!(got, expected, "{years}");
    }

    #[test]
    fn stray_years_are_left_out_and_real_history_is_kept() {
        for (years, expected) in [
            ("", "none"),
            ("2024", "2024..2024"),
            // No gap of more than five years: drawn whole, however thin the edges.
            ("2005 2008 2012 2016 2020×50 2024×50", "2005..2024"),
            ("2018 2024×100", "2024..2024"),
            ("2019 2024×100", "2019..2024"),
            // One incident centuries early, or a typo in the future.
            ("1602 2021×3 2022×3 2023×2 2024×2", "2021..2024"),
            ("1602 2022 2023", "2022..2023"),
            ("2021×5 2024×5 2204", "2021..2024"),
            // A small early cluster far from the rest takes more axis than it is worth…
            (
                "2003×5 2004×5 2015×20 2016×20 2017×20 2018×20 2019×20 2020×20 2021×20 2022×20 2023×20 2024×20",
                "2015..2024",
            ),
            // …a fifth of the archive a few years earlier is worth drawing.
            (
                "2000×5 2001×5 2002×5 2003×5 2012×10 2013×10 2014×10 2015×10 2016×10 2017×10 2018×10 2019×10",
                "2000..2019",
            ),
            // Two runs of equal size: the later is the core, the earlier is dense enough.
            ("1990×10 2000×10", "1990..2000"),
            // A sparse run hides nothing behind it: blocks are tried whole, and a large
            // share of the archive is drawn however thinly it is spread.
            ("1960×40 1990 2010×50 2011×50", "1960..2011"),
            ("1960×2 1990 2010×50 2011×50", "2010..2011"),
            ("1602×3 2021×10 2024×10", "1602..2024"),
        ] {
            check(years, expected);
        }
    }

    #[test]
    fn the_drawn_span_is_of_dates_inside_the_range() {
        let date = |s: &str| Some(s.parse::<NaiveDate>().unwrap());
        let dates = [
            date("2024-05-01"),
            None,
            date("1602-03-04"),
            date("2021-02-03"),
            date("2022-07-08"),
        ];
        assert_eq!(
            drawn_span(&dates),
            Some(("2021-02-03".parse().unwrap(), "2024-05-01".parse().unwrap()))
        );
        assert_eq!(drawn_span(&[None]), None);
    }
}
