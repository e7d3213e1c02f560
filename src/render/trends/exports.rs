//! The data exports, `/data/incidents.json` and `/data/incidents.csv`: every incident's
//! metadata with its derived values, for notebooks, spreadsheets and BI tools.
//!
//! Both are documented in `docs/trends.md`. The JSON is versioned: a change that is not a
//! pure addition of fields must bump [`SCHEMA_VERSION`]. Both list incidents in the site's
//! order (newest first) and hold no build time, so their bytes follow from the input alone.
//!
//! Each incident's JSON object and CSV record are made from one [`Exported`] value, so the
//! two always agree. `serve` keeps both lines of every incident between renders
//! ([`ExportLines`]): after an edit, only the incidents whose lines can have changed are
//! serialized again, and both files are joined from the kept lines.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, SecondsFormat, TimeDelta, Utc};
use rayon::prelude::*;
use serde::{Serialize, Serializer};

use crate::analyze::index::duration_bucket;
use crate::analyze::trends::is_overdue;
use crate::model::action_item::{ActionItem, ActionStatus};
use crate::model::config::Config;
use crate::model::incident::Incident;
use crate::render::views::status_name;
use crate::render::{Page, RenderError, Renderer};

/// The version of the JSON export's schema.
pub(crate) const SCHEMA_VERSION: u32 = 1;

pub(in crate::render) const JSON_PATH: &str = "data/incidents.json";
pub(in crate::render) const CSV_PATH: &str = "data/incidents.csv";

/// The export's header: what the figures were computed for.
#[derive(Debug, Serialize)]
struct GeneratedFor<'a> {
    title: &'a str,
    base_url: &'a str,
    timezone: &'a str,
    /// The date overdue action items are judged against (`YYYY-MM-DD`).
    as_of: String,
    recurrence_days: u32,
}

/// One incident in the exports: the JSON object as it is serialized, and everything the
/// CSV record shows. Its fields are spelled out (no `#[serde(flatten)]`, which goes
/// through serde's slower map path) because 10,000 of these are written per build.
///
/// Only the incident, the config, the as-of date and `recurrence_of` go into it; `serve`
/// keeps the lines of an unchanged incident on that understanding (see
/// [`Renderer::export_lines`]), so a field that depends on other incidents must be checked
/// there too.
#[derive(Debug, Serialize)]
struct Exported<'a> {
    slug: &'a str,
    /// The incident's page, relative to the site root (made from the slug).
    #[serde(rename = "url", serialize_with = "page_url")]
    url_of: &'a str,
    title: &'a str,
    /// `final` also when the file records no status: `status_recorded` tells which.
    status: String,
    status_recorded: bool,
    source: &'a str,
    has_front_matter: bool,
    severity: Option<&'a str>,
    severity_label: Option<&'a str>,
    /// 1 for the worst severity.
    severity_rank: Option<usize>,
    #[serde(serialize_with = "timestamp")]
    started_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "timestamp")]
    detected_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "timestamp")]
    mitigated_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "timestamp")]
    resolved_at: Option<DateTime<Utc>>,
    /// The start date in the site's timezone, and its year, quarter and month.
    #[serde(serialize_with = "date")]
    date: Option<NaiveDate>,
    year: Option<i32>,
    #[serde(serialize_with = "quarter")]
    quarter: Option<NaiveDate>,
    #[serde(serialize_with = "month")]
    month: Option<NaiveDate>,
    duration_minutes: Option<i64>,
    ttd_minutes: Option<i64>,
    ttm_minutes: Option<i64>,
    ttr_minutes: Option<i64>,
    duration_bucket: Option<&'a str>,
    services: &'a [String],
    root_causes: &'a [String],
    primary_cause: Option<&'a str>,
    trigger: Option<&'a str>,
    tags: &'a [String],
    authors: &'a [String],
    summary: Option<&'a str>,
    impact: Option<&'a str>,
    detection: Option<&'a str>,
    action_items: Actions<'a>,
    action_items_open: usize,
    /// Open items due before `generated_for.as_of`.
    action_items_overdue: usize,
    related: &'a [String],
    /// The slug of the earlier incident this one repeats (same service and primary root
    /// cause within `recurrence_days`).
    recurrence_of: Option<&'a str>,
    extra: &'a BTreeMap<String, serde_json::Value>,
}

/// An incident's action items as exported: each made into an [`ExportedAction`] as it
/// is serialized, so no list is built.
#[derive(Debug)]
struct Actions<'a> {
    items: &'a [ActionItem],
    as_of: NaiveDate,
}

impl<'a> Actions<'a> {
    fn each(&self) -> impl Iterator<Item = ExportedAction<'a>> + '_ {
        self.items.iter().map(|item| ExportedAction {
            title: &item.title,
            owner: item.owner.as_deref(),
            status: item.status,
            due: item.due,
            priority: item.priority.as_deref(),
            url: item.url.as_deref(),
            overdue: is_overdue(item, self.as_of),
        })
    }
}

impl Serialize for Actions<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.each())
    }
}

#[derive(Debug, Serialize)]
struct ExportedAction<'a> {
    title: &'a str,
    owner: Option<&'a str>,
    status: ActionStatus,
    due: Option<NaiveDate>,
    priority: Option<&'a str>,
    url: Option<&'a str>,
    overdue: bool,
}

fn page_url<S: Serializer>(slug: &&str, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&format!("incidents/{slug}/"))
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn timestamp<S: Serializer>(at: &Option<DateTime<Utc>>, serializer: S) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => serializer.serialize_some(&rfc3339(*at)),
        None => serializer.serialize_none(),
    }
}

/// Serializes a date through `show` when there is one.
fn shown<S: Serializer>(
    date: &Option<NaiveDate>,
    serializer: S,
    show: fn(NaiveDate) -> String,
) -> Result<S::Ok, S::Error> {
    match date {
        Some(date) => serializer.serialize_some(&show(*date)),
        None => serializer.serialize_none(),
    }
}

fn date<S: Serializer>(date: &Option<NaiveDate>, serializer: S) -> Result<S::Ok, S::Error> {
    shown(date, serializer, |d| d.to_string())
}

fn quarter<S: Serializer>(date: &Option<NaiveDate>, serializer: S) -> Result<S::Ok, S::Error> {
    shown(date, serializer, quarter_of)
}

fn month<S: Serializer>(date: &Option<NaiveDate>, serializer: S) -> Result<S::Ok, S::Error> {
    shown(date, serializer, month_of)
}

/// Whole minutes, rounded down: the same figure the duration buckets use.
fn whole_minutes(delta: Option<TimeDelta>) -> Option<i64> {
    delta.map(|d| d.num_minutes())
}

/// "2024-Q1" and "2024-03": sortable, and what spreadsheets group by.
fn quarter_of(date: NaiveDate) -> String {
    format!("{:04}-Q{}", date.year(), date.month0() / 3 + 1)
}

fn month_of(date: NaiveDate) -> String {
    format!("{:04}-{:02}", date.year(), date.month())
}

/// One incident's lines in the data exports (`render/trends/exports.rs` makes them), and
/// what they were made with beyond the incident itself and the config.
#[derive(Debug, Clone)]
pub(in crate::render) struct ExportLines {
    /// The object in `data/incidents.json`.
    pub(in crate::render) json: Vec<u8>,
    /// The record in `data/incidents.csv`, line end included.
    pub(in crate::render) csv: String,
    pub(in crate::render) context: ExportContext,
}

/// What an incident's export lines show beyond the incident itself and the config. The
/// lines are made from these alone ([`exported`] can see nothing else), so `serve` keeps
/// a line for as long as its incident, the config and this context are unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(in crate::render) struct ExportContext {
    /// The date overdue items are judged against.
    pub(in crate::render) as_of: NaiveDate,
    /// The slug of the earlier incident this one repeats, which depends on other
    /// incidents.
    pub(in crate::render) recurrence_of: Option<String>,
}

/// The export record of `incident`.
fn exported<'a>(
    config: &'a Config,
    incident: &'a Incident,
    context: &'a ExportContext,
) -> Exported<'a> {
    let as_of = context.as_of;
    let date = incident.day(config.tz());
    let severity = incident.severity.map(|i| &config.severities[i]);
    Exported {
        slug: &incident.slug,
        url_of: &incident.slug,
        title: &incident.title,
        status: status_name(incident.status),
        status_recorded: incident.status_recorded,
        source: &incident.source,
        has_front_matter: incident.has_front_matter,
        severity: severity.map(|s| s.key.as_str()),
        severity_label: severity.map(|s| s.label.as_str()),
        severity_rank: incident.severity.map(|i| i + 1),
        started_at: incident.started_at,
        detected_at: incident.detected_at,
        mitigated_at: incident.mitigated_at,
        resolved_at: incident.resolved_at,
        date,
        year: incident.year(config.tz()),
        quarter: date,
        month: date,
        duration_minutes: whole_minutes(incident.duration()),
        ttd_minutes: whole_minutes(incident.time_to_detect()),
        ttm_minutes: whole_minutes(incident.time_to_mitigate()),
        ttr_minutes: whole_minutes(incident.time_to_resolve()),
        duration_bucket: duration_bucket(config, incident)
            .map(|b| config.duration_buckets[b].key.as_str()),
        services: &incident.services,
        root_causes: &incident.root_causes,
        primary_cause: incident.primary_cause(),
        trigger: incident.trigger.as_deref(),
        tags: &incident.tags,
        authors: &incident.authors,
        summary: incident.summary.as_deref(),
        impact: incident.impact.as_deref(),
        detection: incident.detection.as_deref(),
        action_items: Actions {
            items: &incident.action_items,
            as_of,
        },
        action_items_open: incident
            .action_items
            .iter()
            .filter(|item| item.status == ActionStatus::Open)
            .count(),
        action_items_overdue: incident
            .action_items
            .iter()
            .filter(|item| is_overdue(item, as_of))
            .count(),
        related: &incident.related,
        recurrence_of: context.recurrence_of.as_deref(),
        extra: &incident.extra,
    }
}

impl Renderer<'_> {
    /// The context of the incident at `position` in the site.
    fn export_context(&self, position: usize) -> ExportContext {
        ExportContext {
            as_of: self.as_of,
            recurrence_of: self.trends().recurrence_of[position]
                .map(|earlier| self.site.incidents[earlier].slug.clone()),
        }
    }

    /// The incident's lines in both exports: `kept` when it was made for the same as-of
    /// date and recurrence, else made afresh. `kept` must have been made from an incident
    /// equal to this one (but for its body) under the same config; every other input of
    /// [`Exported`] is compared here.
    pub(in crate::render) fn export_lines(
        &self,
        position: usize,
        kept: Option<ExportLines>,
    ) -> Result<ExportLines, RenderError> {
        let context = self.export_context(position);
        if let Some(kept) = kept.filter(|kept| kept.context == context) {
            return Ok(kept);
        }
        let exported = exported(&self.site.config, &self.site.incidents[position], &context);
        let mut json = serde_json::to_vec(&exported).map_err(json_error)?;
        let mut csv = csv_record(&exported, self.site.config.trends.csv_formula_guard);
        // `serve` keeps both for its whole session; each grew by doubling as it was made.
        json.shrink_to_fit();
        csv.shrink_to_fit();
        Ok(ExportLines { json, csv, context })
    }

    /// `/data/incidents.json`, every incident serialized afresh: twice, once to measure
    /// it and once into its place in the page, so the objects are never held apart from
    /// the page (18 MB at 10,000 incidents, 186 MB at 100,000, held twice before). The
    /// second serialization costs about 1% of a build's CPU.
    pub(crate) fn data_json(&self) -> Result<Page, RenderError> {
        let write = |position: usize, to: &mut dyn std::io::Write| {
            let context = self.export_context(position);
            let incident = &self.site.incidents[position];
            serde_json::to_writer(to, &exported(&self.site.config, incident, &context))
        };
        let sizes: Vec<usize> = (0..self.site.incidents.len())
            .into_par_iter()
            .map(|position| {
                let mut counted = ByteCount(0);
                write(position, &mut counted).map(|()| counted.0)
            })
            .collect::<Result<_, _>>()
            .map_err(json_error)?;
        let head = self.json_head()?;
        let bytes = fill_parts(
            head.as_bytes(),
            &sizes,
            json_separator,
            JSON_TAIL,
            |i, mut slot| {
                write(i, &mut slot).map_err(json_error)?;
                match slot.is_empty() {
                    true => Ok(()),
                    false => Err(json_error(serde_json::Error::io(std::io::Error::other(
                        "an incident serialized shorter the second time",
                    )))),
                }
            },
        )?;
        Ok(Page {
            path: JSON_PATH.into(),
            bytes,
        })
    }

    /// `/data/incidents.json`, the bytes [`Renderer::data_json`] makes, written into `to`
    /// one incident after another: a build streams it to its file.
    pub(in crate::render) fn write_data_json(
        &self,
        to: &mut dyn std::io::Write,
    ) -> Result<(), RenderError> {
        let failed = |error: std::io::Error| json_error(serde_json::Error::io(error));
        to.write_all(self.json_head()?.as_bytes()).map_err(failed)?;
        for (position, incident) in self.site.incidents.iter().enumerate() {
            to.write_all(json_separator(position)).map_err(failed)?;
            let context = self.export_context(position);
            serde_json::to_writer(&mut *to, &exported(&self.site.config, incident, &context))
                .map_err(json_error)?;
        }
        to.write_all(JSON_TAIL).map_err(failed)
    }

    /// `/data/incidents.csv`, the bytes [`Renderer::data_csv`] makes, written into `to`
    /// one record after another.
    pub(in crate::render) fn write_data_csv(
        &self,
        to: &mut dyn std::io::Write,
    ) -> Result<(), RenderError> {
        let failed = |error: std::io::Error| RenderError::Export {
            path: CSV_PATH.into(),
            message: error.to_string(),
        };
        to.write_all(csv_head().as_bytes()).map_err(failed)?;
        for position in 0..self.site.incidents.len() {
            to.write_all(self.csv_line(position).as_bytes())
                .map_err(failed)?;
        }
        Ok(())
    }

    /// `/data/incidents.json` from each incident's object, in the site's order, written
    /// into `to`: one object, with one incident per line so that the file diffs well and a
    /// reader can stream it. `serve` keeps the objects, and writes the page from them
    /// without holding it whole.
    pub(in crate::render) fn write_json_export(
        &self,
        incidents: &[&[u8]],
        to: &mut dyn std::io::Write,
    ) -> Result<(), RenderError> {
        let failed = |error: std::io::Error| json_error(serde_json::Error::io(error));
        to.write_all(self.json_head()?.as_bytes()).map_err(failed)?;
        for (i, incident) in incidents.iter().enumerate() {
            to.write_all(json_separator(i)).map_err(failed)?;
            to.write_all(incident).map_err(failed)?;
        }
        to.write_all(JSON_TAIL).map_err(failed)
    }

    /// What `/data/incidents.json` starts with, up to its first incident.
    fn json_head(&self) -> Result<String, RenderError> {
        let config = &self.site.config;
        let header = serde_json::to_string(&GeneratedFor {
            title: &config.title,
            base_url: &config.base_url,
            timezone: &config.timezone,
            as_of: self.as_of.to_string(),
            recurrence_days: config.trends.recurrence_days,
        })
        .map_err(json_error)?;
        Ok(format!(
            "{{\"schema_version\":{SCHEMA_VERSION},\"generated_for\":{header},\"incidents\":["
        ))
    }

    /// `/data/incidents.csv`, every record made afresh.
    pub(crate) fn data_csv(&self) -> Page {
        let records: Vec<String> = (0..self.site.incidents.len())
            .into_par_iter()
            .map(|position| self.csv_line(position))
            .collect();
        let mut bytes = csv_head().into_bytes();
        bytes.reserve(records.iter().map(|r| r.len()).sum());
        for record in records {
            bytes.extend_from_slice(record.as_bytes());
        }
        Page {
            path: CSV_PATH.into(),
            bytes,
        }
    }

    /// The CSV record of the incident at `position`, made afresh.
    fn csv_line(&self, position: usize) -> String {
        let context = self.export_context(position);
        let incident = &self.site.incidents[position];
        csv_record(
            &exported(&self.site.config, incident, &context),
            self.site.config.trends.csv_formula_guard,
        )
    }

    /// `/data/incidents.csv` from each incident's record, in the site's order, written
    /// into `to` (as [`Renderer::write_json_export`]): RFC 4180 (CRLF line ends, fields
    /// quoted when they hold a comma, quote or line break), one row per incident, lists
    /// joined with "; ".
    pub(in crate::render) fn write_csv_export(
        &self,
        records: &[&[u8]],
        to: &mut dyn std::io::Write,
    ) -> Result<(), RenderError> {
        let failed = |error: std::io::Error| RenderError::Export {
            path: CSV_PATH.into(),
            message: error.to_string(),
        };
        to.write_all(csv_head().as_bytes()).map_err(failed)?;
        for record in records {
            to.write_all(record).map_err(failed)?;
        }
        Ok(())
    }
}

/// The CSV export's header line.
fn csv_head() -> String {
    format!("{}\r\n", CSV_COLUMNS.join(","))
}

/// What separates the incidents of `/data/incidents.json`: a line break, and a comma
/// after the first.
fn json_separator(i: usize) -> &'static [u8] {
    if i == 0 { b"\n" } else { b",\n" }
}

/// What ends `/data/incidents.json`.
const JSON_TAIL: &[u8] = b"\n]}\n";

/// Counts the bytes written to it.
struct ByteCount(usize);

impl std::io::Write for ByteCount {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0 += bytes.len();
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// `head`, then each of the parts (`sizes[i]` bytes long, which `fill(i, slot)` writes
/// into a slot of that size) after its `separator`, then `tail`, in one buffer. The JSON
/// export is 18 MB at 10,000 incidents, and filling a fresh buffer that size costs as much
/// in page faults as in writing, so the parts are written in runs of about a megabyte,
/// in parallel.
fn fill_parts<E: Send>(
    head: &[u8],
    sizes: &[usize],
    separator: impl Fn(usize) -> &'static [u8] + Sync,
    tail: &[u8],
    fill: impl Fn(usize, &mut [u8]) -> Result<(), E> + Sync,
) -> Result<Vec<u8>, E> {
    const RUN: usize = 1 << 20;
    let sizes: Vec<usize> = (sizes.iter().enumerate())
        .map(|(i, size)| separator(i).len() + size)
        .collect();
    let mut joined = vec![0; head.len() + sizes.iter().sum::<usize>() + tail.len()];
    let (start, mut rest) = joined.split_at_mut(head.len());
    start.copy_from_slice(head);
    let mut runs: Vec<(&mut [u8], std::ops::Range<usize>)> = Vec::new();
    let mut first = 0;
    while first < sizes.len() {
        let (mut end, mut bytes) = (first, 0);
        while end < sizes.len() && bytes < RUN {
            bytes += sizes[end];
            end += 1;
        }
        let (run, after) = std::mem::take(&mut rest).split_at_mut(bytes);
        runs.push((run, first..end));
        rest = after;
        first = end;
    }
    rest.copy_from_slice(tail);
    runs.into_par_iter().try_for_each(|(run, range)| {
        let mut at = 0;
        for i in range {
            let separator = separator(i);
            run[at..at + separator.len()].copy_from_slice(separator);
            fill(i, &mut run[at + separator.len()..at + sizes[i]])?;
            at += sizes[i];
        }
        Ok(())
    })?;
    Ok(joined)
}

fn json_error(error: serde_json::Error) -> RenderError {
    RenderError::Export {
        path: JSON_PATH.into(),
        message: error.to_string(),
    }
}

/// One incident's CSV record, written field by field into one string: at 10,000
/// incidents a string per field would be 300,000 allocations. Made from the same
/// [`Exported`] value as the JSON object, so the key of the two covers both.
fn csv_record(exported: &Exported<'_>, formula_guard: bool) -> String {
    let mut row = String::with_capacity(512);
    let mut first = true;
    let mut field = |row: &mut String, value: &str| {
        if !std::mem::take(&mut first) {
            row.push(',');
        }
        if formula_guard && value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            push_csv_field(row, &format!("'{value}"));
        } else {
            push_csv_field(row, value);
        }
    };
    let number = |value: Option<i64>| value.map_or(String::new(), |n| n.to_string());
    let count = |value: usize| value.to_string();
    let date =
        |date: Option<NaiveDate>, show: fn(NaiveDate) -> String| date.map(show).unwrap_or_default();
    field(&mut row, exported.slug);
    field(&mut row, exported.title);
    field(&mut row, &format!("incidents/{}/", exported.url_of));
    field(&mut row, &exported.status);
    field(&mut row, exported.severity.unwrap_or(""));
    field(&mut row, &number(exported.severity_rank.map(|r| r as i64)));
    for at in [
        exported.started_at,
        exported.detected_at,
        exported.mitigated_at,
        exported.resolved_at,
    ] {
        field(&mut row, &at.map(rfc3339).unwrap_or_default());
    }
    field(&mut row, &date(exported.date, |d| d.to_string()));
    field(&mut row, &number(exported.year.map(i64::from)));
    field(&mut row, &date(exported.quarter, quarter_of));
    field(&mut row, &date(exported.month, month_of));
    for minutes in [
        exported.duration_minutes,
        exported.ttd_minutes,
        exported.ttm_minutes,
        exported.ttr_minutes,
    ] {
        field(&mut row, &number(minutes));
    }
    field(&mut row, exported.duration_bucket.unwrap_or(""));
    field(&mut row, &exported.services.join("; "));
    field(&mut row, &exported.root_causes.join("; "));
    field(&mut row, exported.primary_cause.unwrap_or(""));
    field(&mut row, &exported.tags.join("; "));
    field(&mut row, &exported.authors.join("; "));
    field(&mut row, exported.trigger.unwrap_or(""));
    field(&mut row, exported.summary.unwrap_or(""));
    field(&mut row, &count(exported.action_items.items.len()));
    field(&mut row, &count(exported.action_items_open));
    field(&mut row, &count(exported.action_items_overdue));
    field(&mut row, exported.recurrence_of.unwrap_or(""));
    field(&mut row, exported.source);
    field(
        &mut row,
        if exported.status_recorded {
            "true"
        } else {
            "false"
        },
    );
    row.push_str("\r\n");
    row
}

/// The CSV export's columns, in order (documented in `docs/trends.md`).
const CSV_COLUMNS: &[&str] = &[
    "slug",
    "title",
    "url",
    "status",
    "severity",
    "severity_rank",
    "started_at",
    "detected_at",
    "mitigated_at",
    "resolved_at",
    "date",
    "year",
    "quarter",
    "month",
    "duration_minutes",
    "ttd_minutes",
    "ttm_minutes",
    "ttr_minutes",
    "duration_bucket",
    "services",
    "root_causes",
    "primary_cause",
    "tags",
    "authors",
    "trigger",
    "summary",
    "action_items",
    "action_items_open",
    "action_items_overdue",
    "recurrence_of",
    "source",
    "status_recorded",
];

/// One field, quoted when it holds a comma, a quote or a line break (RFC 4180).
fn push_csv_field(row: &mut String, value: &str) {
    if value.contains([',', '"', '\r', '\n']) {
        row.push('"');
        row.push_str(&value.replace('"', "\"\""));
        row.push('"');
    } else {
        row.push_str(value);
    }
}

#[cfg(test)]
mod tests {
    use super::{fill_parts, push_csv_field};

    #[test]
    fn parts_are_joined_in_order_across_runs() {
        // Enough parts for several runs of a megabyte.
        let parts: Vec<Vec<u8>> = (0..3000)
            .map(|i| vec![b'a' + (i % 26) as u8; 1000 + i % 7])
            .collect();
        let slices: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
        let separator = |i: usize| -> &'static [u8] { if i == 0 { b"[" } else { b"," } };
        let mut expected = b"head".to_vec();
        for (i, part) in parts.iter().enumerate() {
            expected.extend_from_slice(separator(i));
            expected.extend_from_slice(part);
        }
        expected.extend_from_slice(b"]tail");
        let sizes: Vec<usize> = slices.iter().map(|part| part.len()).collect();
        let joined = fill_parts(b"head", &sizes, separator, b"]tail", |i, slot| {
            slot.copy_from_slice(slices[i]);
            Ok::<(), ()>(())
        });
        assert_eq!(joined.unwrap(), expected);
        let none = fill_parts(b"h", &[], separator, b"t", |_, _| Ok::<(), ()>(()));
        assert_eq!(none.unwrap(), b"ht");
    }

    #[test]
    fn a_part_that_cannot_be_written_fails_the_whole() {
        let sizes = vec![600_000; 8];
        let fill = |i: usize, slot: &mut [u8]| match i {
            5 => Err(i),
            _ => {
                slot.fill(b'x');
                Ok(())
            }
        };
        assert_eq!(fill_parts(b"[", &sizes, |_| b",", b"]", fill), Err(5));
    }

    fn csv_row(fields: impl Iterator<Item = &'static str>) -> String {
        let mut row = String::new();
        for (i, field) in fields.enumerate() {
            if i > 0 {
                row.push(',');
            }
            push_csv_field(&mut row, field);
        }
        row.push_str("\r\n");
        row
    }

    #[test]
    fn csv_fields_are_quoted_as_rfc_4180_says() {
        let cases: &[(&[&str], &str)] = &[
            (&["a", "b"], "a,b\r\n"),
            (&["a,b", "c"], "\"a,b\",c\r\n"),
            (&["say \"hi\""], "\"say \"\"hi\"\"\"\r\n"),
            (&["two\nlines", ""], "\"two\nlines\",\r\n"),
            (&["x; y"], "x; y\r\n"),
        ];
        for (fields, expected) in cases {
            assert_eq!(csv_row(fields.iter().copied()), *expected, "{fields:?}");
        }
    }
}
