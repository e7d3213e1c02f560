//! The [`Incident`] model and how one content file becomes one (pure: no I/O).
//!
//! Parsing is forgiving by design: a field with a bad value is reported with its position
//! and left unset, and the incident still gets its page. Only a file that cannot be read
//! at all (not UTF-8, broken front matter syntax, empty) is skipped.

use std::borrow::Cow;
use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::config::{CANONICAL_FIELDS, Config};
use crate::diagnostics::{Code, Diagnostic};
use crate::frontmatter::{self, Entry, Node, Pos, Value};
use crate::infer::{self, Inference};
use crate::markdown::{self, MarkdownOptions, Rendered};
use crate::source::SourceFile;
use crate::vocab::{self, Vocabularies};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Draft,
    Review,
    Final,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ActionStatus {
    Open,
    Done,
    Wontfix,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActionItem {
    pub title: String,
    pub owner: Option<String>,
    pub status: ActionStatus,
    pub due: Option<NaiveDate>,
    pub priority: Option<String>,
    pub url: Option<String>,
    /// Where the item is written, for diagnostics.
    #[serde(skip)]
    pub pos: Option<Pos>,
}

/// One postmortem with typed fields. Derived values are methods, never stored twice.
#[derive(Debug, Clone)]
pub struct Incident {
    /// The content file, relative to the site root.
    pub source: String,
    pub slug: String,
    pub title: String,
    /// False for prose-only documents: their metadata is unknown, not absent, or inferred.
    pub has_front_matter: bool,
    /// For a document without front matter, what was read from its prose and where
    /// (`None` when nothing was). The fields above hold the inferred values.
    pub inferred: Option<Box<Inference>>,
    pub status: Status,
    /// Position in `config.severities` (0 is the worst).
    pub severity: Option<usize>,
    pub started_at: Option<DateTime<Utc>>,
    pub detected_at: Option<DateTime<Utc>>,
    pub mitigated_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// Service names as written (registry spelling when registered).
    pub services: Vec<String>,
    /// Root-cause categories, primary first (vocabulary keys when known).
    pub root_causes: Vec<String>,
    pub trigger: Option<String>,
    pub tags: Vec<String>,
    pub authors: Vec<String>,
    pub summary: Option<String>,
    pub impact: Option<String>,
    pub detection: Option<String>,
    pub action_items: Vec<ActionItem>,
    pub related: Vec<String>,
    /// Front matter fields Hindsight does not know, for templates.
    pub extra: BTreeMap<String, serde_json::Value>,
    pub body: Rendered,
    /// Where fields checked across files were written, for diagnostics.
    pub positions: FieldPositions,
}

/// Positions of the fields whose problems are only found across files, and what the
/// content lints (`check.rs`) need to know about the file.
#[derive(Debug, Clone, Default)]
pub struct FieldPositions {
    pub slug: Option<Pos>,
    /// One per entry of `related`.
    pub related: Vec<Pos>,
    /// The canonical fields the front matter sets (under any accepted name).
    pub present: Vec<&'static str>,
    /// The line of the file the Markdown body starts on, and its byte offset in the
    /// file's text (BOM removed, line endings normalized).
    pub body_line: u32,
    pub body_offset: usize,
    /// Relative links to other Markdown files: the target's path from the site root, and
    /// where the link is written. Filled by `check::lint_file`.
    pub links: Vec<(String, Pos)>,
}

impl Incident {
    /// Resolved − started; `None` when either is missing or the order is impossible.
    pub fn duration(&self) -> Option<TimeDelta> {
        span(self.started_at, self.resolved_at)
    }

    /// Time to detect: detected − started.
    pub fn time_to_detect(&self) -> Option<TimeDelta> {
        span(self.started_at, self.detected_at)
    }

    /// Time to mitigate: mitigated − started.
    pub fn time_to_mitigate(&self) -> Option<TimeDelta> {
        span(self.started_at, self.mitigated_at)
    }

    /// Time to resolve: resolved − started (the same span as the duration, by definition).
    pub fn time_to_resolve(&self) -> Option<TimeDelta> {
        self.duration()
    }

    pub fn primary_cause(&self) -> Option<&str> {
        self.root_causes.first().map(String::as_str)
    }

    /// The year the incident started, in the display timezone.
    pub fn year(&self, tz: Tz) -> Option<i32> {
        self.started_at.map(|at| at.with_timezone(&tz).year())
    }
}

fn span(from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> Option<TimeDelta> {
    let delta = to? - from?;
    (delta >= TimeDelta::zero()).then_some(delta)
}

/// Parses one content file. Problems go to `diagnostics`; `None` means the file was skipped.
pub fn parse(
    file: &SourceFile,
    config: &Config,
    vocabularies: &Vocabularies,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Incident> {
    let path = file.path.as_str();
    let bytes = match &file.bytes {
        Ok(bytes) => bytes,
        Err(message) => {
            let code = if message.contains("limit") {
                Code::H014
            } else {
                Code::H001
            };
            diagnostics.push(Diagnostic::error(code, path, message.clone()));
            return None;
        }
    };
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => {
            let valid = String::from_utf8_lossy(&bytes[..error.valid_up_to()]);
            let (line, col) = crate::config::line_col(&valid, valid.len());
            diagnostics.push(
                Diagnostic::error(Code::H001, path, "file is not valid UTF-8")
                    .at(line as u32, col as u32, &String::from_utf8_lossy(bytes))
                    .help("save the file as UTF-8 (most editors have an \"encoding\" menu)"),
            );
            return None;
        }
    };
    let text = normalize(text);
    if text.trim().is_empty() {
        diagnostics.push(
            Diagnostic::warning(Code::H008, path, "file is empty; no page was written")
                .help("add a title and a summary, or delete the file"),
        );
        return None;
    }
    let document = match frontmatter::parse(&text) {
        Ok(document) => document,
        Err(error) => {
            diagnostics.push(
                Diagnostic::error(Code::H002, path, error.message)
                    .at(error.pos.line, error.pos.col, &text)
                    .help("fix the front matter; the file was skipped"),
            );
            return None;
        }
    };
    let options = MarkdownOptions {
        allow_raw_html: config.allow_raw_html,
        source_dir: Some(path.rsplit_once('/').map_or("", |(dir, _)| dir).to_string()),
    };
    let body = markdown::render(document.body, &options);
    let mut reader = FieldReader {
        path,
        text: &text,
        tz: config.tz(),
        diagnostics,
    };
    let fields = match &document.matter {
        Some(Node {
            value: Value::Map(entries),
            ..
        }) => entries.as_slice(),
        _ => &[],
    };
    let has_front_matter = document.format.is_some();
    let field = |name: &'static str| lookup(fields, config, name);
    let title = match field("title").and_then(|(name, node)| reader.string(name, node)) {
        Some(title) => title,
        None => {
            let fallback = fallback_title(&body, &file.stem);
            if has_front_matter {
                reader.diagnostics.push(
                    Diagnostic::warning(
                        Code::H011,
                        path,
                        format!("no title; using \"{fallback}\""),
                    )
                    .field("title")
                    .help("add `title:` to the front matter"),
                );
            }
            fallback
        }
    };
    let inference = (!has_front_matter)
        .then(|| {
            infer::infer(&infer::Input {
                body: document.body,
                first_line: document.body_line,
                stem: &file.stem,
                title: &title,
                config,
            })
        })
        .filter(|inference| !inference.is_empty())
        .map(Box::new);
    if !has_front_matter {
        reader.diagnostics.push(match &inference {
            Some(_) => Diagnostic::warning(
                Code::H010,
                path,
                "no front matter; metadata inferred from the text",
            )
            .help("`hindsight check` lists what was inferred and from which line; `hindsight import` writes it into the file as front matter"),
            None => Diagnostic::warning(Code::H010, path, "no front matter; the page shows no metadata")
                .help("add a front matter block between `---` lines with at least title, severity, started_at and resolved_at"),
        });
    }
    let slug_field =
        field("slug").and_then(|(name, node)| Some((reader.string(name, node)?, node.pos)));
    let slug_pos = slug_field.as_ref().map(|(_, pos)| *pos);
    let slug_source = slug_field.map_or_else(|| file.stem.clone(), |(slug, _)| slug);
    let status = field("status")
        .and_then(|(name, node)| {
            reader.enumerated(name, node, parse_status, "draft, review, final")
        })
        .unwrap_or(Status::Final);
    let severity = field("severity").and_then(|(name, node)| {
        let found = vocab::match_severity(config, node);
        if found.is_none() {
            reader.error(
                Code::H003,
                name,
                node,
                &format!(
                    "unknown value \"{}\" (expected one of {})",
                    display_scalar(node),
                    config
                        .severities
                        .iter()
                        .map(|s| s.key.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
            // "Critcal" is a typo of a label; "SEV9" is not a typo of "SEV1".
            let given = display_scalar(node);
            let labels: Vec<String> = config.severities.iter().map(|s| s.label.clone()).collect();
            let keys: Vec<String> = config.severities.iter().map(|s| s.key.clone()).collect();
            let close = vocab::did_you_mean(&given, &labels)
                .and_then(|label| config.severities.iter().find(|s| s.label == label))
                .map(|s| s.key.as_str())
                .or_else(|| {
                    let digits = given.chars().any(|c| c.is_ascii_digit());
                    (!digits)
                        .then(|| vocab::did_you_mean(&given, &keys))
                        .flatten()
                });
            if let (Some(close), Some(last)) = (close, reader.diagnostics.last_mut()) {
                last.help = Some(format!("did you mean `{close}`?"));
            }
        }
        found
    });
    let started_at = field("started_at").and_then(|(name, node)| reader.timestamp(name, node));
    let detected_at = field("detected_at").and_then(|(name, node)| reader.timestamp(name, node));
    let mitigated_at = field("mitigated_at").and_then(|(name, node)| reader.timestamp(name, node));
    let resolved_at = field("resolved_at").and_then(|(name, node)| reader.timestamp(name, node));
    if let Some(started) = started_at {
        for (canonical, at, is_error) in [
            ("resolved_at", resolved_at, true),
            ("detected_at", detected_at, false),
            ("mitigated_at", mitigated_at, false),
        ] {
            if let (Some(at), Some((name, node))) = (at, field(canonical))
                && at < started
            {
                let message = format!(
                    "{name} is before started_at ({} < {})",
                    at.format("%Y-%m-%d %H:%M"),
                    started.format("%Y-%m-%d %H:%M")
                );
                let diagnostic = if is_error {
                    Diagnostic::error(Code::H006, path, message)
                } else {
                    Diagnostic::warning(Code::H006, path, message)
                };
                reader.diagnostics.push(
                    diagnostic
                        .at(node.pos.line, node.pos.col, &text)
                        .field(name)
                        .help("check the date and the time zone of both timestamps"),
                );
            }
        }
    }
    let services: Vec<String> = field("services")
        .map(|(name, node)| reader.string_list(name, node))
        .unwrap_or_default()
        .into_iter()
        .map(|(service, pos)| vocabularies.service(&service, pos, &mut reader))
        .collect();
    let root_causes = field("root_cause")
        .map(|(name, node)| reader.string_list(name, node))
        .unwrap_or_default()
        .into_iter()
        .map(|(cause, pos)| vocabularies.category(&cause, pos, &mut reader))
        .collect();
    let action_items = field("action_items")
        .map(|(name, node)| reader.action_items(name, node))
        .unwrap_or_default();
    let mut extra = BTreeMap::new();
    for entry in fields {
        if !is_known_field(config, &entry.key) {
            extra.insert(entry.key.clone(), entry.value.to_json());
        }
    }
    let text_field = |reader: &mut FieldReader<'_, '_>, canonical: &'static str| {
        field(canonical).and_then(|(name, node)| reader.string(name, node))
    };
    let list_field = |reader: &mut FieldReader<'_, '_>, canonical: &'static str| -> Vec<String> {
        field(canonical)
            .map(|(name, node)| reader.string_list(name, node))
            .unwrap_or_default()
            .into_iter()
            .map(|(value, _)| value)
            .collect()
    };
    let related = field("related")
        .map(|(name, node)| reader.string_list(name, node))
        .unwrap_or_default();
    let present = CANONICAL_FIELDS
        .iter()
        .copied()
        .filter(|canonical| field(canonical).is_some())
        .collect();
    let mut incident = Incident {
        source: file.path.clone(),
        slug: vocab::url_slug(&slug_source),
        title,
        has_front_matter,
        inferred: None,
        status,
        severity,
        started_at,
        detected_at,
        mitigated_at,
        resolved_at,
        services: dedup_case_insensitive(services),
        root_causes: dedup_case_insensitive(root_causes),
        trigger: text_field(&mut reader, "trigger"),
        tags: dedup_case_insensitive(list_field(&mut reader, "tags")),
        authors: list_field(&mut reader, "authors"),
        summary: text_field(&mut reader, "summary"),
        impact: text_field(&mut reader, "impact"),
        detection: text_field(&mut reader, "detection"),
        action_items,
        related: related
            .iter()
            .map(|(slug, _)| vocab::url_slug(slug))
            .collect(),
        extra,
        body,
        positions: FieldPositions {
            slug: slug_pos,
            related: related.iter().map(|(_, pos)| *pos).collect(),
            present,
            body_line: document.body_line,
            body_offset: text.len() - document.body.len(),
            links: Vec::new(),
        },
    };
    if let Some(inference) = inference {
        apply_inference(&mut incident, inference);
    }
    Some(incident)
}

/// Gives a document without front matter the values read from its prose.
fn apply_inference(incident: &mut Incident, inference: Box<Inference>) {
    let value = |v: &Option<infer::Inferred<DateTime<Utc>>>| v.as_ref().map(|v| v.value);
    incident.started_at = value(&inference.started_at);
    incident.detected_at = value(&inference.detected_at);
    incident.mitigated_at = value(&inference.mitigated_at);
    incident.resolved_at = value(&inference.resolved_at);
    incident.severity = inference.severity.as_ref().map(|v| v.value);
    incident.services =
        dedup_case_insensitive(inference.services.iter().map(|v| v.value.clone()).collect());
    incident.root_causes = inference
        .root_cause
        .iter()
        .map(|v| v.value.clone())
        .collect();
    let text = |v: &Option<infer::Inferred<String>>| v.as_ref().map(|v| v.value.clone());
    incident.trigger = text(&inference.trigger);
    incident.summary = text(&inference.summary);
    incident.impact = text(&inference.impact);
    incident.action_items = inference
        .action_items
        .iter()
        .map(|v| v.value.clone())
        .collect();
    incident.inferred = Some(inference);
}

/// Strips a byte-order mark and turns CRLF into LF so positions and splitting agree.
fn normalize(text: &str) -> Cow<'_, str> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.contains('\r') {
        Cow::Owned(text.replace("\r\n", "\n"))
    } else {
        Cow::Borrowed(text)
    }
}

/// The first front matter entry under any accepted name of a canonical field.
fn lookup<'a>(
    fields: &'a [Entry],
    config: &'a Config,
    canonical: &'a str,
) -> Option<(&'a str, &'a Node)> {
    config.field_names(canonical).find_map(|name| {
        fields
            .iter()
            .find(|entry| entry.key == name)
            .map(|entry| (entry.key.as_str(), &entry.value))
    })
}

fn is_known_field(config: &Config, key: &str) -> bool {
    CANONICAL_FIELDS.contains(&key) || config.fields.values().flatten().any(|alias| alias == key)
}

/// Generic headings such as "Postmortem" say nothing; a humanized file name says more.
fn fallback_title(body: &Rendered, stem: &str) -> String {
    const GENERIC: &[&str] = &[
        "postmortem",
        "post-mortem",
        "post mortem",
        "incident report",
        "postmortem report",
        "incident postmortem",
        "summary",
    ];
    if let Some((_, heading)) = &body.first_heading {
        let lowered = heading.trim().trim_end_matches(':').to_lowercase();
        if !heading.trim().is_empty() && !GENERIC.contains(&lowered.as_str()) {
            return heading.trim().to_string();
        }
    }
    let words: String = stem
        .trim_start_matches(|c: char| c.is_ascii_digit() || c == '-' || c == '_')
        .replace(['-', '_'], " ");
    let words = if words.trim().is_empty() {
        stem.to_string()
    } else {
        words
    };
    let mut chars = words.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => "Untitled incident".to_string(),
    }
}

fn dedup_case_insensitive(values: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    values
        .into_iter()
        .filter(|value| seen.insert(vocab::term_key(value)))
        .collect()
}

fn parse_status(text: &str) -> Option<Status> {
    match text.to_ascii_lowercase().as_str() {
        "draft" => Some(Status::Draft),
        "review" | "in review" | "in-review" => Some(Status::Review),
        "final" | "published" => Some(Status::Final),
        _ => None,
    }
}

fn parse_action_status(text: &str) -> Option<ActionStatus> {
    let key: String = text
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect::<String>()
        .to_lowercase();
    match key.as_str() {
        "open" | "todo" | "inprogress" | "started" | "planned" | "" => Some(ActionStatus::Open),
        "done" | "closed" | "complete" | "completed" | "fixed" | "resolved" => {
            Some(ActionStatus::Done)
        }
        "wontfix" | "wontdo" | "cancelled" | "canceled" | "declined" => Some(ActionStatus::Wontfix),
        _ => None,
    }
}

/// A scalar shown as the user wrote it, for messages.
pub(crate) fn display_scalar(node: &Node) -> String {
    match &node.value {
        Value::String(s) => s.clone(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".into(),
        Value::List(_) => "a list".into(),
        Value::Map(_) => "a map".into(),
    }
}

/// Reads typed values out of front matter nodes, reporting problems with positions.
pub(crate) struct FieldReader<'a, 'd> {
    pub(crate) path: &'a str,
    pub(crate) text: &'a str,
    tz: Tz,
    pub(crate) diagnostics: &'d mut Vec<Diagnostic>,
}

impl FieldReader<'_, '_> {
    pub(crate) fn error(&mut self, code: Code, field: &str, node: &Node, message: &str) {
        self.diagnostics.push(
            Diagnostic::error(code, self.path, message)
                .at(node.pos.line, node.pos.col, self.text)
                .field(field),
        );
    }

    fn wrong_type(&mut self, field: &str, node: &Node, expected: &str) {
        let message = format!("expected {expected}, found {}", node.type_name());
        self.error(Code::H004, field, node, &message);
    }

    /// A string; numbers and booleans are accepted as their text. Null means absent.
    fn string(&mut self, field: &str, node: &Node) -> Option<String> {
        match &node.value {
            Value::Null => None,
            Value::String(s) if s.trim().is_empty() => None,
            Value::String(s) => Some(s.trim().to_string()),
            Value::Int(_) | Value::Float(_) | Value::Bool(_) => Some(display_scalar(node)),
            _ => {
                self.wrong_type(field, node, "a string");
                None
            }
        }
    }

    /// A list of strings, or one string holding a comma-separated list.
    fn string_list(&mut self, field: &str, node: &Node) -> Vec<(String, frontmatter::Pos)> {
        match &node.value {
            Value::Null => Vec::new(),
            Value::String(s) => s
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| (s.to_string(), node.pos))
                .collect(),
            Value::List(items) => items
                .iter()
                .filter_map(|item| self.string(field, item).map(|s| (s, item.pos)))
                .collect(),
            Value::Int(_) | Value::Float(_) | Value::Bool(_) => {
                vec![(display_scalar(node), node.pos)]
            }
            Value::Map(_) => {
                self.wrong_type(field, node, "a string or a list of strings");
                Vec::new()
            }
        }
    }

    fn enumerated<T>(
        &mut self,
        field: &str,
        node: &Node,
        parse: fn(&str) -> Option<T>,
        expected: &str,
    ) -> Option<T> {
        let text = self.string(field, node)?;
        let parsed = parse(&text);
        if parsed.is_none() {
            self.error(
                Code::H003,
                field,
                node,
                &format!("unknown value \"{text}\" (expected one of {expected})"),
            );
        }
        parsed
    }

    fn timestamp(&mut self, field: &str, node: &Node) -> Option<DateTime<Utc>> {
        let text = match &node.value {
            Value::String(s) => s.as_str(),
            Value::Null => return None,
            _ => {
                self.wrong_type(field, node, "a timestamp such as 2024-02-10T09:00:00Z");
                return None;
            }
        };
        match crate::time::parse_timestamp(text, self.tz) {
            Ok(stamp) => Some(stamp.instant),
            Err(message) => {
                self.error(Code::H005, field, node, &format!("\"{text}\": {message}"));
                None
            }
        }
    }

    fn action_items(&mut self, field: &str, node: &Node) -> Vec<ActionItem> {
        let items = match &node.value {
            Value::List(items) => items,
            Value::Null => return Vec::new(),
            _ => {
                self.wrong_type(field, node, "a list of action items");
                return Vec::new();
            }
        };
        items
            .iter()
            .filter_map(|item| self.action_item(field, item))
            .collect()
    }

    fn action_item(&mut self, field: &str, node: &Node) -> Option<ActionItem> {
        let entries = match &node.value {
            Value::String(title) => {
                return Some(ActionItem {
                    title: title.clone(),
                    owner: None,
                    status: ActionStatus::Open,
                    due: None,
                    priority: None,
                    url: None,
                    pos: Some(node.pos),
                });
            }
            Value::Map(entries) => entries,
            _ => {
                self.wrong_type(
                    field,
                    node,
                    "an action item (a map with title, owner, status, due)",
                );
                return None;
            }
        };
        let get = |key: &str| entries.iter().find(|e| e.key == key).map(|e| &e.value);
        let title_node = get("title")
            .or_else(|| get("action"))
            .or_else(|| get("description"));
        let Some(title) = title_node.and_then(|n| self.string("action_items.title", n)) else {
            self.error(Code::H004, field, node, "action item has no title");
            return None;
        };
        let status = get("status")
            .and_then(|n| {
                self.enumerated(
                    "action_items.status",
                    n,
                    parse_action_status,
                    "open, done, wontfix",
                )
            })
            .unwrap_or(ActionStatus::Open);
        let due = get("due").and_then(|n| {
            let text = self.string("action_items.due", n)?;
            match crate::time::parse_date(&text, self.tz) {
                Ok(date) => Some(date),
                Err(message) => {
                    self.error(
                        Code::H005,
                        "action_items.due",
                        n,
                        &format!("\"{text}\": {message}"),
                    );
                    None
                }
            }
        });
        Some(ActionItem {
            title,
            owner: get("owner").and_then(|n| self.string("action_items.owner", n)),
            status,
            due,
            priority: get("priority").and_then(|n| self.string("action_items.priority", n)),
            url: get("url").and_then(|n| self.string("action_items.url", n)),
            pos: Some(node.pos),
        })
    }
}
