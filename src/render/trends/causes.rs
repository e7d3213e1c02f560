//! The root-cause and service sections of `/trends/`: shares over time, rankings by count
//! and by median duration, and the service × root-cause heat map.

use chrono::TimeDelta;

use super::{Cell, ChartView, LegendItem, TableView, minutes, percent};
use crate::analyze::index::{Facet, Term};
use crate::analyze::trends::{CauseSlot, Ranked};
use crate::render::Renderer;
use crate::render::charts::{self, Bar, Frame, Scale, Series};
use crate::render::views::{TermLink, format_duration, term_url};

/// Bars in each ranking chart.
const TOP_BARS: usize = 12;
/// Services in the heat map.
const MATRIX_ROWS: usize = 20;

impl Renderer<'_> {
    /// Cause slots as (link or plain name, class).
    fn cause_slot_names(&self) -> Vec<(TermLink, String)> {
        let terms = &self.site.index.facet(Facet::Cause).terms;
        let mut color = 0;
        self.trends()
            .cause_slots
            .iter()
            .map(|slot| match slot {
                CauseSlot::Category(t) => {
                    color += 1;
                    (
                        TermLink {
                            name: terms[*t].name.clone(),
                            url: term_url(Facet::Cause, &terms[*t]),
                        },
                        format!("s-cat-{color}"),
                    )
                }
                CauseSlot::Other => (
                    TermLink {
                        name: "Other".into(),
                        url: "causes/".into(),
                    },
                    "s-other".into(),
                ),
                CauseSlot::NotSet => {
                    let url = terms
                        .iter()
                        .find(|t| t.missing)
                        .map_or_else(|| "causes/".into(), |t| term_url(Facet::Cause, t));
                    (
                        TermLink {
                            name: "Not set".into(),
                            url,
                        },
                        "s-none".into(),
                    )
                }
            })
            .collect()
    }

    pub(super) fn cause_share_chart(&self) -> Option<ChartView> {
        let trends = self.trends();
        // Without a single category, the shares would be 100% "not set" in every period.
        if trends.causes.is_empty() || trends.cause_axis.periods.is_empty() {
            return None;
        }
        let slots = self.cause_slot_names();
        let labels: Vec<String> = trends
            .cause_axis
            .periods
            .iter()
            .map(|p| p.label())
            .collect();
        let period = trends.cause_axis.granularity.name();
        let title = format!("Root causes per {period}, as shares of the {period}'s causes");
        let desc = format!(
            "Each column is one {period}'s incidents split by root cause, as percentages of the causes named; an incident with several root causes counts under each, so the total can exceed the {period}'s incidents."
        );
        let series: Vec<Series> = slots
            .iter()
            .enumerate()
            .map(|(slot, (link, class))| Series {
                name: link.name.clone(),
                class: class.clone(),
                values: trends.cause_share.iter().map(|row| row[slot]).collect(),
            })
            .collect();
        let frame = Frame {
            title: &title,
            desc: &desc,
            x_title: period,
            y_title: "Share of incidents",
            width: 960.0,
            height: 300.0,
        };
        let mut head = vec!["Period".to_string()];
        head.extend(slots.iter().map(|(link, _)| link.name.clone()));
        head.push("Total".into());
        let rows = labels
            .iter()
            .zip(&trends.cause_share)
            .map(|(label, row)| {
                let total: usize = row.iter().sum();
                let mut cells = vec![Cell::text(label.clone())];
                cells.extend(row.iter().map(|&n| {
                    Cell::num(if n == 0 {
                        "0".into()
                    } else {
                        format!("{n} ({})", percent(n, total))
                    })
                }));
                cells.push(Cell::num(total));
                cells
            })
            .collect();
        Some(ChartView {
            id: "chart-cause-share".into(),
            svg: charts::stacked_bars(frame, &labels, &series, Scale::Percent),
            legend: slots
                .iter()
                .map(|(link, class)| LegendItem {
                    name: link.name.clone(),
                    class: class.clone(),
                })
                .collect(),
            table: TableView {
                caption: title.clone(),
                head,
                rows,
            },
            title,
        })
    }

    /// Two rankings of a facet's terms as horizontal bars: by count, and by median
    /// duration when any of their incidents has one.
    pub(super) fn ranking_charts(
        &self,
        facet: Facet,
        ranked: &[Ranked],
        class: &str,
    ) -> Option<(ChartView, Option<ChartView>)> {
        if ranked.is_empty() {
            return None;
        }
        let (singular, plural) = facet.names();
        let shown = ranked.len().min(TOP_BARS);
        let plural_lower = plural.to_lowercase();
        let top = if shown < ranked.len() {
            format!("Top {shown} of {} {plural_lower}", ranked.len())
        } else {
            plural.to_string()
        };
        let ranking = Ranking {
            facet,
            terms: &self.site.index.facet(facet).terms,
            singular,
            plural,
            top,
            class,
        };
        let total = self.site.incidents.len();
        Some((
            ranking.by_count(&ranked[..shown], total),
            ranking.by_duration(ranked),
        ))
    }

    pub(super) fn matrix_chart(&self) -> Option<ChartView> {
        let trends = self.trends();
        if trends.services.is_empty() || trends.cause_slots.is_empty() {
            return None;
        }
        let terms = &self.site.index.facet(Facet::Service).terms;
        let slots = self.cause_slot_names();
        let shown = trends.services.len().min(MATRIX_ROWS);
        let matrix = &trends.matrix[..shown];
        // A column empty for every service shown (incidents with no service but a cause,
        // or no cause and no service) would only be a blank stripe; a "not set" column
        // alone would cross the services with nothing.
        let used: Vec<usize> = (0..slots.len())
            .filter(|&slot| matrix.iter().any(|cells| cells[slot] > 0))
            .filter(|&slot| {
                trends.cause_slots[slot] != CauseSlot::NotSet || !trends.causes.is_empty()
            })
            .collect();
        if used.is_empty() {
            return None;
        }
        let columns: Vec<String> = used
            .iter()
            .map(|&slot| slots[slot].0.name.clone())
            .collect();
        let pick = |cells: &Vec<usize>| used.iter().map(|&slot| cells[slot]).collect::<Vec<_>>();
        let rows: Vec<(String, Vec<usize>)> = trends.services[..shown]
            .iter()
            .zip(matrix)
            .map(|(r, cells)| (terms[r.term].name.clone(), pick(cells)))
            .collect();
        let title = if shown < trends.services.len() {
            format!("Root causes of the {shown} services with the most incidents")
        } else {
            "Root causes per service".to_string()
        };
        let desc = "Incidents per service and root cause, each under every service and root cause it names; darker cells hold more.";
        let frame = Frame {
            title: &title,
            desc,
            x_title: "Root cause",
            y_title: "Service",
            width: 960.0,
            height: 0.0,
        };
        let mut head = vec!["Service".to_string()];
        head.extend(columns.iter().cloned());
        head.push("Incidents".into());
        let table_rows = trends.services[..shown]
            .iter()
            .zip(matrix)
            .map(|(r, cells)| {
                let mut row = vec![Cell::link(&TermLink {
                    name: terms[r.term].name.clone(),
                    url: term_url(Facet::Service, &terms[r.term]),
                })];
                row.extend(pick(cells).into_iter().map(Cell::num));
                row.push(Cell::num(r.count));
                row
            })
            .collect();
        Some(ChartView {
            id: "chart-matrix".into(),
            svg: charts::heat_map(frame, &columns, &rows),
            legend: Vec::new(),
            table: TableView {
                caption: title.clone(),
                head,
                rows: table_rows,
            },
            title,
        })
    }
}

/// What the two rankings of one facet's terms share.
struct Ranking<'a> {
    facet: Facet,
    terms: &'a [Term],
    /// The facet's names, as in "Root cause" and "Root causes".
    singular: &'static str,
    plural: &'static str,
    /// The start of both titles: "Top 12 of 30 services", or the plural when all are shown.
    top: String,
    /// The bars' series class.
    class: &'a str,
}

impl Ranking<'_> {
    /// The link to a ranked term's page.
    fn link(&self, r: &Ranked) -> TermLink {
        TermLink {
            name: self.terms[r.term].name.clone(),
            url: term_url(self.facet, &self.terms[r.term]),
        }
    }

    /// The terms `shown` as bars of their incident counts, with each count's share of
    /// all `total` incidents in the table.
    fn by_count(&self, shown: &[Ranked], total: usize) -> ChartView {
        let title = format!("{} by number of incidents", self.top);
        let desc = format!("{} with the most incidents, most first.", self.plural);
        let frame = Frame {
            title: &title,
            desc: &desc,
            x_title: "Incidents",
            y_title: self.singular,
            width: 470.0,
            height: 0.0,
        };
        let bars: Vec<Bar> = shown
            .iter()
            .map(|r| {
                Bar::single(
                    self.terms[r.term].name.clone(),
                    r.count as f64,
                    self.class,
                    r.count.to_string(),
                )
            })
            .collect();
        ChartView {
            id: format!("chart-{}-count", self.facet.path()),
            svg: charts::horizontal_bars(frame, &bars, Scale::Count),
            legend: Vec::new(),
            table: TableView {
                caption: title.clone(),
                head: vec![
                    self.singular.into(),
                    "Incidents".into(),
                    "Share of all incidents".into(),
                ],
                rows: shown
                    .iter()
                    .map(|r| {
                        vec![
                            Cell::link(&self.link(r)),
                            Cell::num(r.count),
                            Cell::num(percent(r.count, total)),
                        ]
                    })
                    .collect(),
            },
            title,
        }
    }

    /// The terms of `ranked` whose incidents typically last longest, as bars of their
    /// median duration on a log scale; `None` when no incident has a duration. A median,
    /// not a total: one incident of three months would dwarf a hundred short ones.
    fn by_duration(&self, ranked: &[Ranked]) -> Option<ChartView> {
        let mut by_duration: Vec<(&Ranked, TimeDelta)> = ranked
            .iter()
            .filter_map(|r| Some((r, r.duration.median?)))
            .collect();
        if by_duration.is_empty() {
            return None;
        }
        by_duration.sort_by_key(|(r, median)| (std::cmp::Reverse(*median), r.term));
        by_duration.truncate(TOP_BARS);
        let title = format!("{} by median duration", self.top);
        let desc = format!(
            "{} whose incidents last longest at the median, longest first, on a logarithmic scale.",
            self.plural
        );
        let frame = Frame {
            title: &title,
            desc: &desc,
            x_title: "Median duration (log scale)",
            y_title: self.singular,
            width: 470.0,
            height: 0.0,
        };
        let bars: Vec<Bar> = by_duration
            .iter()
            .map(|(r, median)| {
                let display = format!(
                    "{} (n = {})",
                    format_duration(*median),
                    r.duration.with_data
                );
                Bar::single(
                    self.terms[r.term].name.clone(),
                    minutes(*median),
                    self.class,
                    display,
                )
            })
            .collect();
        Some(ChartView {
            id: format!("chart-{}-duration", self.facet.path()),
            svg: charts::horizontal_bars(frame, &bars, Scale::LogMinutes),
            legend: Vec::new(),
            table: TableView {
                caption: title.clone(),
                head: vec![
                    self.singular.into(),
                    "Median duration".into(),
                    "P90 duration".into(),
                    "Incidents with a duration".into(),
                    "Incidents".into(),
                ],
                rows: by_duration
                    .iter()
                    .map(|(r, _)| {
                        vec![
                            Cell::link(&self.link(r)),
                            Cell::duration(r.duration.median),
                            Cell::duration(r.duration.p90),
                            Cell::num(r.duration.with_data),
                            Cell::num(r.count),
                        ]
                    })
                    .collect(),
            },
            title,
        })
    }
}
