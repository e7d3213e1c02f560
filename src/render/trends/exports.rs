//! The data exports, `/data/incidents.json` and `/data/incidents.csv`: every incident's
//! metadata with its derived values, for notebooks, spreadsheets and BI tools.
//!
//! Both are documented in `docs/trends.md`. The JSON is versioned: a change that is not a
//! pure addition of fields must bump [`SCHEMA_VERSION`]. Both list incidents in the site's
//! order (newest first) and hold no build time, so their bytes follow from the input alone.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, SecondsFormat, TimeDelta, Utc};
use rayon::prelude::*;
use serde::Serialize;

use crate::incident::ActionStatus;
use crate::index::duration_bucket;
use crate::render::{Page, RenderError, Renderer};
use crate::trends::is_overdue;

/// The version of the JSON export's schema.
pub(crate) const SCHEMA_VERSION: u32 = 1;

pub(crate) const JSON_PATH: &str = "data/incidents.json";
pub(crate) const CSV_PATH: &str = "data/incidents.csv";

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

/// One incident in the JSON export. Its fields are spelled out (no `#[serde(flatten)]`,
/// which goes through serde's slower map path) because 10,000 of these are written per
/// build.
#[derive(Debug, Serialize)]
struct Exported<'a> {
    slug: &'a str,
    /// The incident's page, relative to the site root.
    url: String,
    title: &'a str,
    status: &'a str,
    source: &'a str,
    has_front_matter: bool,
    severity: Option<&'a str>,
    severity_label: Option<&'a str>,
    /// 1 for the worst severity.
    severity_rank: Option<usize>,
    started_at: Option<String>,
    detected_at: Option<String>,
    mitigated_at: Option<String>,
    resolved_at: Option<String>,
    /// The start date in the site's timezone, and its year, quarter and month.
    date: Option<String>,
    year: Option<i32>,
    quarter: Option<String>,
    month: Option<String>,
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
    action_items: Vec<ExportedAction<'a>>,
    action_items_open: usize,
    /// Open items due before `generated_for.as_of`.
    action_items_overdue: usize,
    related: &'a [String],
    /// The slug of the earlier incident this one repeats (same service and primary root
    /// cause within `recurrence_days`).
    recurrence_of: Option<&'a str>,
    extra: &'a BTreeMap<String, serde_json::Value>,
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

fn timestamp(at: Option<DateTime<Utc>>) -> Option<String> {
    at.map(|at| at.to_rfc3339_opts(SecondsFormat::Secs, true))
}

/// Whole minutes, rounded down: the same figure the duration buckets use.
fn whole_minutes(delta: Option<TimeDelta>) -> Option<i64> {
    delta.map(|d| d.num_minutes())
}

/// "2024-Q1" and "2024-03": sortable, and what spreadsheets group by.
fn quarter(date: NaiveDate) -> String {
    format!("{:04}-Q{}", date.year(), date.month0() / 3 + 1)
}

fn month(date: NaiveDate) -> String {
    format!("{:04}-{:02}", date.year(), date.month())
}

impl Renderer<'_> {
    fn exported(&self, position: usize) -> Exported<'_> {
        let site = self.site;
        let incident = &site.incidents[position];
        let as_of = self.trends.as_of;
        let date = self.trends.start_dates[position];
        let severity = incident.severity.map(|i| &site.config.severities[i]);
        Exported {
            slug: &incident.slug,
            url: format!("incidents/{}/", incident.slug),
            title: &incident.title,
            status: &self.rows[position].status,
            source: &incident.source,
            has_front_matter: incident.has_front_matter,
            severity: severity.map(|s| s.key.as_str()),
            severity_label: severity.map(|s| s.label.as_str()),
            severity_rank: incident.severity.map(|i| i + 1),
            started_at: timestamp(incident.started_at),
            detected_at: timestamp(incident.detected_at),
            mitigated_at: timestamp(incident.mitigated_at),
            resolved_at: timestamp(incident.resolved_at),
            date: date.map(|d| d.to_string()),
            year: date.map(|d| d.year()),
            quarter: date.map(quarter),
            month: date.map(month),
            duration_minutes: whole_minutes(incident.duration()),
            ttd_minutes: whole_minutes(incident.time_to_detect()),
            ttm_minutes: whole_minutes(incident.time_to_mitigate()),
            ttr_minutes: whole_minutes(incident.time_to_resolve()),
            duration_bucket: duration_bucket(&site.config, incident)
                .map(|b| site.config.duration_buckets[b].key.as_str()),
            services: &incident.services,
            root_causes: &incident.root_causes,
            primary_cause: incident.primary_cause(),
            trigger: incident.trigger.as_deref(),
            tags: &incident.tags,
            authors: &incident.authors,
            summary: incident.summary.as_deref(),
            impact: incident.impact.as_deref(),
            detection: incident.detection.as_deref(),
            action_items: incident
                .action_items
                .iter()
                .map(|item| ExportedAction {
                    title: &item.title,
                    owner: item.owner.as_deref(),
                    status: item.status,
                    due: item.due,
                    priority: item.priority.as_deref(),
                    url: item.url.as_deref(),
                    overdue: is_overdue(item, as_of),
                })
                .collect(),
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
            recurrence_of: self.trends.recurrence_of[position]
                .map(|earlier| site.incidents[earlier].slug.as_str()),
            extra: &incident.extra,
        }
    }

    /// `/data/incidents.json`: one object, with one incident per line so that the file
    /// diffs well and a reader can stream it.
    pub(crate) fn data_json(&self) -> Result<Page, RenderError> {
        let config = &self.site.config;
        let export_error = |e: serde_json::Error| RenderError::Export {
            path: JSON_PATH.into(),
            message: e.to_string(),
        };
        let header = serde_json::to_string(&GeneratedFor {
            title: &config.title,
            base_url: &config.base_url,
            timezone: &config.timezone,
            as_of: self.trends.as_of.to_string(),
            recurrence_days: config.trends.recurrence_days,
        })
        .map_err(export_error)?;
        let incidents: Vec<Vec<u8>> = (0..self.site.incidents.len())
            .into_par_iter()
            .map(|position| serde_json::to_vec(&self.exported(position)))
            .collect::<Result<_, _>>()
            .map_err(export_error)?;
        let size = incidents.iter().map(|i| i.len() + 2).sum::<usize>();
        let mut json = Vec::with_capacity(size + header.len() + 64);
        json.extend_from_slice(b"{\"schema_version\":");
        json.extend_from_slice(SCHEMA_VERSION.to_string().as_bytes());
        json.extend_from_slice(b",\"generated_for\":");
        json.extend_from_slice(header.as_bytes());
        json.extend_from_slice(b",\"incidents\":[");
        for (i, incident) in incidents.iter().enumerate() {
            json.extend_from_slice(if i == 0 { b"\n" } else { b",\n" });
            json.extend_from_slice(incident);
        }
        json.extend_from_slice(b"\n]}\n");
        Ok(Page {
            path: JSON_PATH.into(),
            bytes: json,
        })
    }

    /// `/data/incidents.csv`: RFC 4180 (CRLF line ends, fields quoted when they hold a
    /// comma, quote or line break), one row per incident, lists joined with "; ".
    pub(crate) fn data_csv(&self) -> Page {
        let rows: Vec<String> = (0..self.site.incidents.len())
            .into_par_iter()
            .map(|position| self.csv_record(position))
            .collect();
        let mut csv = String::with_capacity(rows.iter().map(String::len).sum::<usize>() + 512);
        csv.push_str(&CSV_COLUMNS.join(","));
        csv.push_str("\r\n");
        for row in rows {
            csv.push_str(&row);
        }
        Page {
            path: CSV_PATH.into(),
            bytes: csv.into_bytes(),
        }
    }

    /// One incident's CSV record, written field by field into one string: at 10,000
    /// incidents a string per field would be 300,000 allocations.
    fn csv_record(&self, position: usize) -> String {
        let site = self.site;
        let incident = &site.incidents[position];
        let as_of = self.trends.as_of;
        let date = self.trends.start_dates[position];
        let mut row = String::with_capacity(512);
        let mut first = true;
        let mut field = |row: &mut String, value: &str| {
            if !std::mem::take(&mut first) {
                row.push(',');
            }
            push_csv_field(row, value);
        };
        let text = |value: Option<&str>| value.unwrap_or("").to_string();
        let number = |value: Option<i64>| value.map_or(String::new(), |n| n.to_string());
        let severity = incident.severity.map(|i| &site.config.severities[i]);
        let open = incident
            .action_items
            .iter()
            .filter(|item| item.status == ActionStatus::Open)
            .count();
        let overdue = incident
            .action_items
            .iter()
            .filter(|item| is_overdue(item, as_of))
            .count();
        field(&mut row, &incident.slug);
        field(&mut row, &incident.title);
        field(&mut row, &format!("incidents/{}/", incident.slug));
        field(&mut row, &self.rows[position].status);
        field(&mut row, severity.map_or("", |s| s.key.as_str()));
        field(&mut row, &number(incident.severity.map(|i| i as i64 + 1)));
        for at in [
            incident.started_at,
            incident.detected_at,
            incident.mitigated_at,
            incident.resolved_at,
        ] {
            field(&mut row, &timestamp(at).unwrap_or_default());
        }
        field(&mut row, &date.map(|d| d.to_string()).unwrap_or_default());
        field(&mut row, &number(date.map(|d| i64::from(d.year()))));
        field(&mut row, &date.map(quarter).unwrap_or_default());
        field(&mut row, &date.map(month).unwrap_or_default());
        for delta in [
            incident.duration(),
            incident.time_to_detect(),
            incident.time_to_mitigate(),
            incident.time_to_resolve(),
        ] {
            field(&mut row, &number(whole_minutes(delta)));
        }
        let bucket = duration_bucket(&site.config, incident);
        field(
            &mut row,
            bucket.map_or("", |b| site.config.duration_buckets[b].key.as_str()),
        );
        field(&mut row, &incident.services.join("; "));
        field(&mut row, &incident.root_causes.join("; "));
        field(&mut row, incident.primary_cause().unwrap_or(""));
        field(&mut row, &incident.tags.join("; "));
        field(&mut row, &incident.authors.join("; "));
        field(&mut row, &text(incident.trigger.as_deref()));
        field(&mut row, &text(incident.summary.as_deref()));
        field(&mut row, &incident.action_items.len().to_string());
        field(&mut row, &open.to_string());
        field(&mut row, &overdue.to_string());
        let earlier = self.trends.recurrence_of[position];
        field(
            &mut row,
            earlier.map_or("", |e| site.incidents[e].slug.as_str()),
        );
        field(&mut row, &incident.source);
        row.push_str("\r\n");
        row
    }
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
    use super::push_csv_field;

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
