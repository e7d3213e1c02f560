//! The archive's health, for `/health/`: every postmortem's quality score, their
//! distribution, the weakest of the last twelve months, the scores per service and per team, and the
//! days from an incident's end to its final postmortem where a date records it (pure).
//!
//! Hindsight has no field for the day a postmortem became final; an archive records it
//! in a front matter field of its own, read here from the extra fields under the names in
//! [`FINAL_DATE_FIELDS`]. Without one, the page says "not recorded".

use std::borrow::Cow;

use chrono::{NaiveDate, TimeDelta};

use crate::analyze::index::Facet;
use crate::analyze::quality::Quality;
use crate::analyze::site::Site;
use crate::analyze::trends::{Summary, percentile};
use crate::model::incident::{Incident, Status};

/// How many postmortems the weakest-recent list shows.
pub const WEAKEST_LIMIT: usize = 10;

/// The front matter fields (extra fields, compared without regard to case, `-` or `_`)
/// that record the day a postmortem became final, first found first.
pub const FINAL_DATE_FIELDS: [&str; 6] = [
    "finalized_at",
    "finalised_at",
    "final_at",
    "published_at",
    "published",
    "reviewed_at",
];

/// Scores of the postmortems of one service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceScores {
    /// Position in the service facet's terms.
    pub term: usize,
    pub postmortems: usize,
    /// The median score by nearest rank: the score of a real postmortem.
    pub median: u32,
    pub lowest: u32,
}

/// Scores of the postmortems of one team (`Site::teams`), or of those no team owns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamScores {
    /// Position in `Site::teams.teams`; `None` for the incidents no team owns.
    pub team: Option<usize>,
    pub postmortems: usize,
    /// The median score by nearest rank, as for services.
    pub median: u32,
    pub lowest: u32,
}

/// Days from an incident's end to its final postmortem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ToFinal {
    /// `status: final` postmortems.
    pub finals: usize,
    /// Of those, the ones recording the day they became final, and the figures over them.
    pub days: Summary,
    /// Final postmortems dated before the incident ended: left out of the figures.
    pub before_end: usize,
}

#[derive(Debug, Clone)]
pub struct Health<'q> {
    /// By position in `Site::incidents`: the site's own scores when it has them (a
    /// build's), borrowed, as they are one per postmortem.
    pub scores: Cow<'q, [Quality]>,
    /// Postmortems per score band: 0–9, 10–19, …, 90–100.
    pub bands: [usize; 10],
    pub median: Option<u32>,
    /// Positions of the postmortems of the twelve months up to the as-of date, lowest
    /// score first (then newest), at most [`WEAKEST_LIMIT`].
    pub weakest_recent: Vec<usize>,
    /// How many postmortems fall in those twelve months.
    pub recent: usize,
    /// Postmortems without a day (no start, no date in the file name): in no "recent" list.
    pub undated: usize,
    /// Lowest median first, then by name.
    pub services: Vec<ServiceScores>,
    /// Lowest median first, then by name; the unowned last. Empty when the site records
    /// no team.
    pub teams: Vec<TeamScores>,
    pub to_final: ToFinal,
}

/// The health of `site` as of `as_of`, from `scores` ([`crate::analyze::quality::score_all`] of its
/// incidents).
pub fn compute<'q>(site: &Site, as_of: NaiveDate, scores: Cow<'q, [Quality]>) -> Health<'q> {
    let mut bands = [0; 10];
    for q in scores.iter() {
        bands[(q.score as usize / 10).min(9)] += 1;
    }
    let mut sorted: Vec<u32> = scores.iter().map(|q| q.score).collect();
    sorted.sort_unstable();
    let tz = site.config.tz();
    let since = as_of - TimeDelta::days(365);
    let recent: Vec<usize> = (0..site.incidents.len())
        .filter(|&i| {
            site.incidents[i]
                .day(tz)
                .is_some_and(|day| day > since && day <= as_of)
        })
        .collect();
    let mut weakest = recent.clone();
    // Positions ascend newest first, so a stable sort keeps the newest first on a tie.
    weakest.sort_by_key(|&i| scores[i].score);
    weakest.truncate(WEAKEST_LIMIT);
    Health {
        bands,
        median: percentile(&sorted, 50),
        weakest_recent: weakest,
        recent: recent.len(),
        undated: site
            .incidents
            .iter()
            .filter(|i| i.day(tz).is_none())
            .count(),
        services: services(site, &scores),
        teams: teams(site, &scores),
        to_final: to_final(site),
        scores,
    }
}

fn services(site: &Site, scores: &[Quality]) -> Vec<ServiceScores> {
    let terms = &site.index.facet(Facet::Service).terms;
    let mut services: Vec<ServiceScores> = terms
        .iter()
        .enumerate()
        .filter(|(_, term)| !term.incidents.is_empty())
        .map(|(position, term)| {
            let mut values: Vec<u32> = term.incidents.iter().map(|&i| scores[i].score).collect();
            values.sort_unstable();
            ServiceScores {
                term: position,
                postmortems: values.len(),
                median: percentile(&values, 50).unwrap_or(0),
                lowest: values[0],
            }
        })
        .collect();
    services.sort_by(|a, b| {
        let name = |s: &ServiceScores| (terms[s.term].missing, terms[s.term].name.to_lowercase());
        a.median.cmp(&b.median).then_with(|| name(a).cmp(&name(b)))
    });
    services
}

fn teams(site: &Site, scores: &[Quality]) -> Vec<TeamScores> {
    let of = |team: Option<usize>, incidents: &[usize]| {
        let mut values: Vec<u32> = incidents.iter().map(|&i| scores[i].score).collect();
        values.sort_unstable();
        Some(TeamScores {
            team,
            postmortems: values.len(),
            median: percentile(&values, 50)?,
            lowest: *values.first()?,
        })
    };
    let teams = &site.teams;
    let mut rows: Vec<TeamScores> = (teams.teams.iter().enumerate())
        .filter_map(|(position, team)| of(Some(position), &team.incidents))
        .collect();
    rows.sort_by(|a, b| {
        let name = |t: &TeamScores| t.team.map(|t| teams.teams[t].name.to_lowercase());
        a.median.cmp(&b.median).then_with(|| name(a).cmp(&name(b)))
    });
    if teams.any() {
        rows.extend(of(None, &teams.unowned));
    }
    rows
}

fn to_final(site: &Site) -> ToFinal {
    let tz = site.config.tz();
    let finals: Vec<&Incident> = site
        .incidents
        .iter()
        .filter(|i| i.status == Status::Final)
        .collect();
    let mut before_end = 0;
    let days = finals.iter().map(|incident| {
        let end = incident
            .resolved_at
            .map(|at| at.with_timezone(&tz).date_naive())
            .or_else(|| incident.day(tz))?;
        let days = final_date(incident)?.signed_duration_since(end);
        if days < TimeDelta::zero() {
            before_end += 1;
            return None;
        }
        Some(days)
    });
    let mut summary = Summary::of(days.collect::<Vec<_>>());
    summary.without_data -= before_end;
    ToFinal {
        finals: finals.len(),
        days: summary,
        before_end,
    }
}

/// The day a postmortem records it became final, from the first of
/// [`FINAL_DATE_FIELDS`] it sets to a date (`2024-03-05`, or a timestamp starting so).
pub fn final_date(incident: &Incident) -> Option<NaiveDate> {
    let key = |name: &str| name.to_lowercase().replace('-', "_");
    FINAL_DATE_FIELDS.iter().find_map(|wanted| {
        let (_, value) = incident
            .extra
            .iter()
            .find(|(name, _)| key(name) == *wanted)?;
        let text = value.as_str()?.trim();
        NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d").ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{site_of, titled};

    fn as_of() -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 6, 1).unwrap()
    }

    #[test]
    fn bands_median_and_the_weakest_recent() {
        let site = site_of(
            "",
            &[
                ("old", titled("old", "started_at: 2022-01-01")),
                ("a", titled("a", "started_at: 2024-05-01\nsummary: x")),
                (
                    "b",
                    titled("b", "started_at: 2024-04-01\nsummary: x\nimpact: y"),
                ),
                ("c", titled("c", "started_at: 2024-03-01")),
                ("nodate", titled("nodate", "summary: x")),
            ],
        );
        let health = compute(
            &site,
            as_of(),
            crate::analyze::quality::score_all(&site.incidents).into(),
        );
        assert_eq!(health.bands[..3], [2, 2, 1]);
        assert_eq!(health.median, Some(10));
        let slugs: Vec<&str> = health
            .weakest_recent
            .iter()
            .map(|&i| site.incidents[i].slug.as_str())
            .collect();
        assert_eq!(slugs, ["c", "a", "b"]);
        assert_eq!((health.recent, health.undated), (3, 1));
    }

    #[test]
    fn days_to_final_only_where_a_date_records_it() {
        let site = site_of(
            "",
            &[
                (
                    "a",
                    titled(
                        "a",
                        "status: final\nresolved_at: 2024-03-01T10:00:00Z\npublished_at: 2024-03-11",
                    ),
                ),
                (
                    "b",
                    titled(
                        "b",
                        "status: final\nstarted_at: 2024-03-01\nFinalized-At: 2024-03-04T09:00:00Z",
                    ),
                ),
                ("c", titled("c", "status: final\nstarted_at: 2024-03-01")),
                (
                    "d",
                    titled(
                        "d",
                        "status: final\nstarted_at: 2024-03-05\npublished: 2024-03-01",
                    ),
                ),
                ("e", titled("e", "status: draft\npublished: 2024-03-01")),
            ],
        );
        let to_final = compute(
            &site,
            as_of(),
            crate::analyze::quality::score_all(&site.incidents).into(),
        )
        .to_final;
        assert_eq!(to_final.finals, 4);
        assert_eq!(to_final.before_end, 1);
        assert_eq!(to_final.days.with_data, 2);
        assert_eq!(to_final.days.without_data, 1);
        assert_eq!(to_final.days.median, Some(TimeDelta::days(3)));
        assert_eq!(to_final.days.p90, Some(TimeDelta::days(10)));
    }

    #[test]
    fn an_archive_with_nothing_recorded() {
        let site = site_of("", &[("a", "Just text.\n".to_string())]);
        let health = compute(
            &site,
            as_of(),
            crate::analyze::quality::score_all(&site.incidents).into(),
        );
        assert_eq!(health.weakest_recent, Vec::<usize>::new());
        // A postmortem without a status is final; it records no date.
        assert_eq!(health.to_final.finals, 1);
        assert_eq!(health.to_final.days.with_data, 0);
        assert_eq!(health.services.len(), 1, "the not-set service term");
    }
}
