//! The `/health/` page: whether the archive's postmortems are complete, from
//! [`crate::analyze::health`]: the score bands (a chart like the trend page's), the
//! weakest recent postmortems, scores per service and team, overdue action items per owner, and
//! the days from an incident to its final postmortem where the archive records them.

use std::borrow::Cow;

use serde::Serialize;

use super::{Cell, ChartView, SummaryView, TableView};
use crate::analyze::health::{self, FINAL_DATE_FIELDS, Health, ServiceScores, TeamScores};
use crate::analyze::index::Facet;
use crate::render::charts::{self, Bar, Frame, Scale};
use crate::render::views::{IncidentRow, term_url};
use crate::render::{Page, RenderError, Renderer};

/// Owners listed with overdue items; the trend page charts every owner's open items.
const OWNER_ROWS: usize = 30;

#[derive(Debug, Serialize)]
struct HealthView<'a> {
    total: usize,
    as_of: String,
    /// The first day of the twelve months "recent" covers.
    since: String,
    median: Option<u32>,
    complete: usize,
    distribution: Option<ChartView>,
    weakest: Vec<Weak<'a>>,
    recent: usize,
    undated: usize,
    services: Vec<ServiceRow>,
    teams: Vec<TeamRow<'a>>,
    owners: Vec<OwnerRow<'a>>,
    owners_more: usize,
    overdue_total: usize,
    to_final: ToFinalView,
}

#[derive(Debug, Serialize)]
struct Weak<'a> {
    incident: Cow<'a, IncidentRow>,
    score: u32,
    missing: String,
}

#[derive(Debug, Serialize)]
struct ServiceRow {
    name: String,
    url: String,
    missing: bool,
    postmortems: usize,
    median: u32,
    lowest: u32,
}

/// A team's scores; `name` and `url` are `None` for the incidents no team owns.
#[derive(Debug, Serialize)]
struct TeamRow<'a> {
    name: Option<&'a str>,
    url: Option<String>,
    postmortems: usize,
    median: u32,
    lowest: u32,
}

#[derive(Debug, Serialize)]
struct OwnerRow<'a> {
    /// `None` for items without an owner.
    owner: Option<&'a str>,
    overdue: usize,
    open: usize,
}

#[derive(Debug, Serialize)]
struct ToFinalView {
    finals: usize,
    days: SummaryView,
    median_days: Option<i64>,
    p90_days: Option<i64>,
    before_end: usize,
    /// The front matter fields read as the day a postmortem became final.
    fields: Vec<&'static str>,
}

impl Renderer<'_> {
    /// `/health/`.
    pub(in crate::render) fn health_page(&self) -> Result<Page, RenderError> {
        let path = "health/index.html";
        let mut context = self.context(path, "Postmortem health");
        let scores = if self.quality.len() == self.site.incidents.len() {
            Cow::Borrowed(&*self.quality)
        } else {
            Cow::Owned(crate::analyze::quality::score_all(&self.site.incidents))
        };
        let health = health::compute(self.site, self.as_of, scores);
        let description = crate::render::previews::health(
            health.scores.len(),
            health.median,
            self.trends().actions.overdue.len(),
        );
        context.insert("description", &description);
        context.insert("health", &self.health_view(&health));
        self.page(path, "health.html", &context)
    }

    fn health_view(&self, health: &Health) -> HealthView<'_> {
        let as_of = self.as_of;
        let owners: Vec<OwnerRow> = self
            .trends()
            .actions
            .owners
            .iter()
            .filter(|o| o.overdue > 0)
            .map(|o| OwnerRow {
                owner: o.owner.as_deref(),
                overdue: o.overdue,
                open: o.open,
            })
            .collect();
        let mut owners = owners;
        // Most overdue first; the trend figures list owners by open items.
        owners.sort_by_key(|o| std::cmp::Reverse(o.overdue));
        let owners_more = owners.len().saturating_sub(OWNER_ROWS);
        owners.truncate(OWNER_ROWS);
        let to_final = &health.to_final;
        HealthView {
            total: health.scores.len(),
            as_of: as_of.to_string(),
            since: (as_of - chrono::TimeDelta::days(364)).to_string(),
            median: health.median,
            complete: health.scores.iter().filter(|q| q.score == 100).count(),
            distribution: (!health.scores.is_empty()).then(|| distribution_chart(health)),
            weakest: health
                .weakest_recent
                .iter()
                .map(|&i| Weak {
                    incident: self.row(i),
                    score: health.scores[i].score,
                    missing: health.scores[i].missing_text(),
                })
                .collect(),
            recent: health.recent,
            undated: health.undated,
            services: health
                .services
                .iter()
                .map(|s| self.service_row(s))
                .collect(),
            teams: health.teams.iter().map(|t| self.team_row(t)).collect(),
            owners,
            owners_more,
            overdue_total: self.trends().actions.overdue.len(),
            to_final: ToFinalView {
                finals: to_final.finals,
                days: SummaryView::from(&to_final.days),
                median_days: to_final.days.median.map(|d| d.num_days()),
                p90_days: to_final.days.p90.map(|d| d.num_days()),
                before_end: to_final.before_end,
                fields: FINAL_DATE_FIELDS.to_vec(),
            },
        }
    }

    fn team_row(&self, scores: &TeamScores) -> TeamRow<'_> {
        let team = scores.team.map(|t| &self.site.teams.teams[t]);
        TeamRow {
            name: team.map(|t| t.name.as_str()),
            url: team.map(|t| format!("teams/{}/", t.slug)),
            postmortems: scores.postmortems,
            median: scores.median,
            lowest: scores.lowest,
        }
    }

    fn service_row(&self, scores: &ServiceScores) -> ServiceRow {
        let term = &self.site.index.facet(Facet::Service).terms[scores.term];
        ServiceRow {
            name: term.name.clone(),
            url: term_url(Facet::Service, term),
            missing: term.missing,
            postmortems: scores.postmortems,
            median: scores.median,
            lowest: scores.lowest,
        }
    }
}

/// The band labels: "0–9", …, "90–100".
fn band_label(band: usize) -> String {
    let low = band * 10;
    let high = if band == 9 { 100 } else { low + 9 };
    format!("{low}–{high}")
}

/// Postmortems per score band, as horizontal bars: a narrow chart that a phone shows
/// whole (a 960-unit chart would scroll, and show the empty low bands first).
fn distribution_chart(health: &Health) -> ChartView {
    let labels: Vec<String> = (0..health.bands.len()).map(band_label).collect();
    let title = "Postmortems by quality score";
    let frame = Frame {
        title,
        desc: "How many postmortems score in each band of ten points, from 0 to 100.",
        x_title: "Postmortems",
        y_title: "Quality score",
        width: 360.0,
        height: 0.0,
    };
    let bars: Vec<Bar> = labels
        .iter()
        .zip(health.bands)
        .map(|(label, count)| {
            Bar::single(label.clone(), count as f64, "s-count", count.to_string())
        })
        .collect();
    ChartView {
        id: "chart-scores".into(),
        title: title.into(),
        svg: charts::horizontal_bars(frame, &bars, Scale::Count),
        legend: Vec::new(),
        table: TableView {
            caption: title.into(),
            head: vec!["Score".into(), "Postmortems".into()],
            rows: labels
                .iter()
                .zip(health.bands)
                .map(|(label, count)| vec![Cell::text(label.clone()), Cell::num(count)])
                .collect(),
        },
    }
}
