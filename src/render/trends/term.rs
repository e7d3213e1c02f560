//! The small trend on each service and root-cause page: incidents per quarter as a
//! sparkline, the median time to resolve, the other facet's top terms, open action items.

use serde::Serialize;

use super::{ActionRow, Cell, ChartView, NotDrawn, TableView};
use crate::analyze::index::Facet;
use crate::analyze::trends::TermTrend;
use crate::model::field::Field;
use crate::render::Renderer;
use crate::render::charts;
use crate::render::views::{format_duration, term_url};

const TERM_TOP: usize = 5;
const TERM_ACTIONS: usize = 5;

/// The small trend on a service or root-cause page.
#[derive(Debug, Serialize)]
pub(in crate::render) struct TermTrendView<'a> {
    /// `null` when none of the term's incidents is on the time axis; then
    /// `sparkline_missing` says why.
    sparkline: Option<ChartView>,
    sparkline_missing: Option<String>,
    /// The term's dated incidents outside the axis's dense range.
    not_drawn: Option<NotDrawn<'a>>,
    ttr_median: Option<String>,
    ttr_p90: Option<String>,
    ttr_with: usize,
    ttr_without: usize,
    /// "Root causes" on a service page, "Services" on a root-cause page.
    top_title: &'static str,
    top: Vec<TopTerm>,
    open_total: usize,
    overdue_total: usize,
    /// The first open items, overdue first; `open_more` were left off.
    open_actions: Vec<ActionRow<'a>>,
    open_more: usize,
}

/// One of the other facet's terms among a term's incidents.
#[derive(Debug, Serialize)]
struct TopTerm {
    name: String,
    url: String,
    count: usize,
}

impl Renderer<'_> {
    /// The trend of a service or root-cause term page; `None` for other facets and for
    /// terms without incidents.
    pub(in crate::render) fn term_trend(
        &self,
        facet: Facet,
        term: usize,
    ) -> Option<TermTrendView<'_>> {
        let info = &self.site.index.facet(facet).terms[term];
        if info.incidents.is_empty() || self.trends().quarters.periods.is_empty() {
            return None;
        }
        let trend = self.trends().term(self.site, facet, term)?;
        let other = if facet == Facet::Service {
            Facet::Cause
        } else {
            Facet::Service
        };
        Some(self.small_trend(&info.name, &info.incidents, &trend, other))
    }

    /// The small trend of a team's incidents (`positions`, ascending); `None` without
    /// incidents.
    pub(in crate::render) fn team_trend(
        &self,
        name: &str,
        positions: &[usize],
    ) -> Option<TermTrendView<'_>> {
        if positions.is_empty() || self.trends().quarters.periods.is_empty() {
            return None;
        }
        let trend = self
            .trends()
            .of_incidents(self.site, positions, Facet::Cause);
        Some(self.small_trend(name, positions, &trend, Facet::Cause))
    }

    /// The small trend of a set of incidents named `name`, with `other`'s top terms.
    fn small_trend(
        &self,
        name: &str,
        positions: &[usize],
        trend: &TermTrend,
        other: Facet,
    ) -> TermTrendView<'_> {
        let trends = self.trends();
        let sparkline = self.term_sparkline(name, &trend.per_quarter);
        let undated = positions.iter().all(|&p| trends.start_dates[p].is_none());
        let sparkline_missing = undated.then(|| {
            let names: Vec<&str> = self.site.config.field_names(Field::StartedAt).collect();
            format!(
                "None of these incidents records a start time ({}).",
                names.join(" or ")
            )
        });
        let other_terms = &self.site.index.facet(other).terms;
        TermTrendView {
            sparkline,
            sparkline_missing,
            not_drawn: self.not_drawn(positions.iter().copied()),
            ttr_median: trend.ttr.median.map(format_duration),
            ttr_p90: trend.ttr.p90.map(format_duration),
            ttr_with: trend.ttr.with_data,
            ttr_without: trend.ttr.without_data,
            top_title: if other == Facet::Service {
                "Services"
            } else {
                "Root causes"
            },
            top: trend
                .top
                .iter()
                .take(TERM_TOP)
                .map(|&(t, count)| TopTerm {
                    name: other_terms[t].name.clone(),
                    url: term_url(other, &other_terms[t]),
                    count,
                })
                .collect(),
            open_total: trend.open_actions.len(),
            open_more: trend.open_actions.len().saturating_sub(TERM_ACTIONS),
            overdue_total: trend.open_actions.iter().filter(|a| a.overdue).count(),
            open_actions: trend
                .open_actions
                .iter()
                .take(TERM_ACTIONS)
                .map(|a| self.action_row(a))
                .collect(),
        }
    }

    /// The sparkline of a term's incidents per quarter; `None` when none is on the axis.
    fn term_sparkline(&self, name: &str, per_quarter: &[usize]) -> Option<ChartView> {
        let trends = self.trends();
        let drawn: usize = per_quarter.iter().sum();
        let labels: Vec<String> = trends.quarters.periods.iter().map(|p| p.label()).collect();
        let title = "Incidents per quarter".to_string();
        let svg_title = format!("Incidents per quarter: {}", name);
        let desc = format!(
            "{drawn} incidents from {} to {}, per quarter.",
            labels.first().map_or("", String::as_str),
            labels.last().map_or("", String::as_str)
        );
        (drawn > 0).then(|| ChartView {
            id: "chart-term-quarters".into(),
            svg: charts::sparkline(&svg_title, &desc, &labels, per_quarter),
            legend: Vec::new(),
            table: TableView {
                caption: title.clone(),
                head: vec!["Quarter".into(), "Incidents".into()],
                rows: labels
                    .iter()
                    .zip(per_quarter)
                    .filter(|(_, n)| **n > 0)
                    .map(|(label, n)| vec![Cell::text(label.clone()), Cell::num(n)])
                    .collect(),
            },
            title,
        })
    }
}
