//! How one content file becomes one [`Incident`] (pure: no I/O).
//!
//! Parsing is forgiving by design: a field with a bad value is reported with its position
//! and left unset, and the incident still gets its page. Only a file that cannot be read
//! at all (not UTF-8, broken front matter syntax, empty) is skipped.

use std::borrow::Cow;
use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;

use crate::model::action_item::{ActionItem, ActionStatus};
use crate::model::config::Config;
use crate::model::diagnostics::{Code, Diagnostic, Pos};
use crate::model::field::Field;
use crate::model::incident::{
    FieldPositions, Incident, InferredMetadata, Recorded, Rendered, Status,
};
use crate::model::inference::{Inference, Inferred};
use crate::model::link;
use crate::model::vocab::{self, Vocabularies};
use crate::parse::file_date;
use crate::parse::frontmatter::{self, Entry, Node, Value};
use crate::parse::infer;
use crate::parse::markdown::{self, MarkdownOptions};
use crate::parse::source::{self, ReadFailure, SourceFile};
use crate::parse::title;
use times::Times;
pub use times::read_timestamp;

mod times;

/// Parses one content file. Problems go to `diagnostics`; `None` means the file was skipped.
pub fn parse(
    file: &SourceFile,
    config: &Config,
    vocabularies: &Vocabularies,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Incident> {
    let path = file.path.as_str();
    let text = readable_text(file, diagnostics)?;
    let document = split(path, &text, diagnostics)?;
    let body = markdown::render(document.body, &markdown_options(path, config));
    let fields = Fields::of(&document, config);
    let mut reader = FieldReader {
        path,
        text: &text,
        config,
        tz: config.tz(),
        diagnostics,
    };
    let has_front_matter = document.format.is_some();
    let given = fields
        .get(Field::Title)
        .and_then(|(name, node)| reader.string(name, node))
        .or_else(|| title::from_heading(&body));
    let provisional = given
        .clone()
        .unwrap_or_else(|| title::from_stem(&file.stem));
    let inference = (!has_front_matter)
        .then(|| inferred_from_prose(&document, &file.stem, &provisional, config))
        .flatten();
    if !has_front_matter {
        reader.no_front_matter(inference.is_some());
    }
    let read = reader.read_fields(&fields, vocabularies);
    reader.rejected_body_links(&body, text.len() - document.body.len());
    reader.body_controls(&body, text.len() - document.body.len());
    let title = match fields.get(Field::Title) {
        Some(_) => provisional,
        None => {
            let title = given
                .or_else(|| read.made_title(config, &file.stem))
                .unwrap_or(provisional);
            if has_front_matter {
                reader.no_title(&title);
            }
            title
        }
    };
    let mut body = body;
    title::drop_repeated_heading(&mut body, &title);
    let mut incident = read.into_incident(file, &text, &document, &fields, title, body);
    if let Some(inference) = inference {
        let causes = reader.inferred_causes(vocabularies, &inference);
        apply_inference(&mut incident, inference, config);
        incident.root_causes = causes;
    }
    if incident.started_at.is_none() {
        incident.date_hint = file_date::date_in_file_name(&file.stem);
    }
    incident.shrink_to_fit();
    Some(incident)
}

/// The body of `file` rendered again as [`parse`] rendered it, less the opening heading
/// that repeats `title`: a build drops each body's HTML after parsing
/// (`analyze::site::BodyHtml::Drop`) and renders it again for the incident's page.
/// `body_offset` is where [`parse`] found the body (`FieldPositions::body_offset`). `None`
/// when the file is no longer readable text with a body there (it changed since).
pub fn body_again(
    file: &SourceFile,
    config: &Config,
    title: &str,
    body_offset: usize,
) -> Option<Rendered> {
    let text = file.text()?;
    let body = text.get(body_offset..)?;
    let mut rendered = markdown::render(body, &markdown_options(&file.path, config));
    title::drop_repeated_heading(&mut rendered, title);
    Some(rendered)
}

/// How the body's Markdown is rendered: raw HTML as the site allows, links relative to the
/// file's folder.
fn markdown_options(path: &str, config: &Config) -> MarkdownOptions {
    MarkdownOptions {
        allow_raw_html: config.allow_raw_html,
        source_dir: Some(path.rsplit_once('/').map_or("", |(dir, _)| dir).to_string()),
    }
}

/// The metadata read from the prose of a document without front matter, or `None` when
/// the prose states nothing Hindsight knows.
fn inferred_from_prose(
    document: &frontmatter::Document<'_>,
    stem: &str,
    title: &str,
    config: &Config,
) -> Option<Box<Inference>> {
    let inference = infer::infer(&infer::Input {
        body: document.body,
        first_line: document.body_line,
        stem,
        title,
        config,
    });
    (!inference.is_empty()).then(|| Box::new(inference))
}

/// The file's text, or `None` (with the reason in `diagnostics`) when it cannot be read,
/// is not UTF-8 or is empty.
fn readable_text<'f>(
    file: &'f SourceFile,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Cow<'f, str>> {
    let path = file.path.as_str();
    let bytes = match &file.bytes {
        Ok(bytes) => bytes,
        Err(failure) => {
            let code = match failure {
                ReadFailure::TooLarge { .. } => Code::H014,
                ReadFailure::Io(_) => Code::H001,
            };
            diagnostics.push(Diagnostic::error(code, path, failure.to_string()));
            return None;
        }
    };
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => {
            let valid = String::from_utf8_lossy(&bytes[..error.valid_up_to()]);
            let (line, col) = crate::model::config::line_col(&valid, valid.len());
            diagnostics.push(
                Diagnostic::error(Code::H001, path, "file is not valid UTF-8")
                    .at(line as u32, col as u32, &String::from_utf8_lossy(bytes))
                    .help("save the file as UTF-8 (most editors have an \"encoding\" menu)"),
            );
            return None;
        }
    };
    let text = source::normalize_text(text);
    if text.trim().is_empty() {
        diagnostics.push(
            Diagnostic::warning(Code::H008, path, "file is empty; no page was written")
                .help("add a title and a summary, or delete the file"),
        );
        return None;
    }
    Some(text)
}

/// Front matter and body, or `None` (with an H002 in `diagnostics`) when the front matter
/// cannot be read.
fn split<'t>(
    path: &str,
    text: &'t str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<frontmatter::Document<'t>> {
    match frontmatter::parse(text) {
        Ok(document) => Some(document),
        Err(error) => {
            diagnostics.push(
                Diagnostic::error(Code::H002, path, error.message)
                    .at(error.pos.line, error.pos.col, text)
                    .help("fix the front matter; the file was skipped"),
            );
            None
        }
    }
}

/// The front matter's entries, looked up by canonical field under any accepted name.
struct Fields<'a> {
    entries: &'a [Entry],
    config: &'a Config,
}

impl<'a> Fields<'a> {
    /// The entries of `document`'s front matter; none when it has none or it is not a map.
    fn of(document: &'a frontmatter::Document<'_>, config: &'a Config) -> Self {
        Fields {
            entries: match &document.matter {
                Some(Node {
                    value: Value::Map(entries),
                    ..
                }) => entries.as_slice(),
                _ => &[],
            },
            config,
        }
    }

    /// The first entry under any accepted name of `canonical`: the name used, and its node.
    /// A blank value (`""`, spaces, `~`, `[]`, a list of blanks) is absent: archives
    /// keep empty fields from their templates, and the next accepted name is tried.
    fn get(&self, canonical: Field) -> Option<(&'a str, &'a Node)> {
        self.config.field_names(canonical).find_map(|name| {
            self.entries
                .iter()
                .find(|entry| entry.key == name && !is_blank(&entry.value))
                .map(|entry| (entry.key.as_str(), &entry.value))
        })
    }

    /// Every non-blank entry under any accepted name of `canonical`, in the order the names
    /// are accepted.
    fn all(&self, canonical: Field) -> impl Iterator<Item = (&'a str, &'a Node)> + '_ {
        let entries = self.entries;
        self.config.field_names(canonical).flat_map(move |name| {
            entries
                .iter()
                .filter(move |entry| entry.key == name && !is_blank(&entry.value))
                .map(|entry| (entry.key.as_str(), &entry.value))
        })
    }

    /// The canonical fields the front matter sets.
    fn present(&self) -> Vec<Field> {
        Field::ALL
            .into_iter()
            .filter(|&canonical| self.get(canonical).is_some())
            .collect()
    }

    /// The entries Hindsight does not know, for templates.
    fn extra(&self) -> BTreeMap<String, serde_json::Value> {
        self.entries
            .iter()
            .filter(|entry| !is_known_field(self.config, &entry.key) && !is_blank(&entry.value))
            .map(|entry| (entry.key.clone(), entry.value.to_json()))
            .collect()
    }
}

/// What the front matter says, field by field, before it becomes an [`Incident`].
struct Read {
    slug: Option<(String, Pos)>,
    /// `None` when the file records none (it is then treated as final).
    status: Option<Status>,
    severity: Option<usize>,
    times: Times,
    recorded: Recorded,
    services: Vec<String>,
    root_causes: Vec<String>,
    trigger: Option<String>,
    tags: Vec<String>,
    authors: Vec<String>,
    summary: Option<String>,
    impact: Option<String>,
    detection: Option<String>,
    action_items: Vec<ActionItem>,
    related: Vec<(String, Pos)>,
}

impl Read {
    /// A title made from these values when the file has neither a title nor a heading:
    /// the site's `title_template`, else, for a file named by an opaque ID, the first
    /// sentence of the summary.
    fn made_title(&self, config: &Config, stem: &str) -> Option<String> {
        let value = |field: Field| match field {
            Field::Services => Some(self.services.join(", ")),
            Field::RootCause => Some(self.root_causes.join(", ")),
            Field::Tags => Some(self.tags.join(", ")),
            Field::Authors => Some(self.authors.join(", ")),
            Field::Summary => self.summary.clone(),
            Field::Impact => self.impact.clone(),
            Field::Detection => self.detection.clone(),
            Field::Trigger => self.trigger.clone(),
            Field::Severity => self.severity.map(|i| config.severities[i].key.clone()),
            Field::StartedAt => self.times.started_at.map(|at| {
                at.with_timezone(&config.tz())
                    .format("%Y-%m-%d")
                    .to_string()
            }),
            _ => None,
        };
        let template = config.fields.title_template.as_deref();
        template
            .and_then(|template| title::from_template(template, value))
            .or_else(|| {
                let summary = self
                    .summary
                    .as_deref()
                    .filter(|_| title::is_opaque_id(stem))?;
                title::first_sentence(summary)
            })
    }

    /// The incident: these values, with the file's title, body and where each value was.
    fn into_incident(
        self,
        file: &SourceFile,
        text: &str,
        document: &frontmatter::Document<'_>,
        fields: &Fields<'_>,
        title: String,
        body: Rendered,
    ) -> Incident {
        Incident {
            source: file.path.clone(),
            slug: vocab::url_slug(self.slug.as_ref().map_or(&file.stem, |(slug, _)| slug)),
            title,
            has_front_matter: document.format.is_some(),
            inferred: None,
            status: self.status.unwrap_or(Status::Final),
            status_recorded: self.status.is_some(),
            severity: self.severity,
            started_at: self.times.started_at,
            detected_at: self.times.detected_at,
            mitigated_at: self.times.mitigated_at,
            resolved_at: self.times.resolved_at,
            recorded: self.recorded,
            day_only: self.times.day_only,
            date_hint: None,
            services: dedup_case_insensitive(self.services),
            root_causes: dedup_case_insensitive(self.root_causes),
            trigger: self.trigger,
            tags: dedup_case_insensitive(self.tags),
            authors: self.authors,
            summary: self.summary,
            impact: self.impact,
            detection: self.detection,
            action_items: self.action_items,
            related: self
                .related
                .iter()
                .map(|(slug, _)| vocab::url_slug(slug))
                .collect(),
            body_timeline: Vec::new(),
            extra: fields.extra(),
            body,
            positions: FieldPositions {
                slug: self.slug.map(|(_, pos)| pos),
                related: self.related.iter().map(|(_, pos)| *pos).collect(),
                present: fields.present(),
                zone: self.times.zone,
                body_line: document.body_line,
                body_offset: text.len() - document.body.len(),
                links: Vec::new(),
            },
        }
    }
}

/// Gives a document without front matter the values read from its prose (but the root
/// cause, which [`FieldReader::inferred_causes`] checks).
fn apply_inference(incident: &mut Incident, mut inference: Box<Inference>, config: &Config) {
    let value = |v: &Option<Inferred<DateTime<Utc>>>| v.as_ref().map(|v| v.value);
    incident.started_at = value(&inference.started_at);
    incident.detected_at = value(&inference.detected_at);
    incident.mitigated_at = value(&inference.mitigated_at);
    incident.resolved_at = value(&inference.resolved_at);
    let length = |v: &Option<Inferred<TimeDelta>>| v.as_ref().map(|v| v.value);
    incident.recorded = Recorded {
        duration: length(&inference.duration),
        time_to_detect: length(&inference.time_to_detect),
        time_to_mitigate: length(&inference.time_to_mitigate),
        time_to_resolve: length(&inference.time_to_resolve),
    };
    incident.severity = inference.severity.as_ref().map(|v| v.value);
    incident.services = dedup_case_insensitive(
        inference
            .services
            .iter()
            .map(|v| {
                config
                    .aliases
                    .canonical(Field::Services, &v.value)
                    .to_string()
            })
            .filter(|service| !service.is_empty())
            .collect(),
    );
    let text = |v: &Option<Inferred<String>>| v.as_ref().map(|v| v.value.clone());
    incident.trigger = text(&inference.trigger);
    incident.summary = text(&inference.summary);
    incident.impact = text(&inference.impact);
    incident.action_items = inference.take_action_items();
    incident.inferred = Some(InferredMetadata::Held(inference));
}

fn is_known_field(config: &Config, key: &str) -> bool {
    Field::parse(key).is_some()
        || config
            .fields
            .aliases
            .values()
            .flatten()
            .any(|alias| alias == key)
}

fn dedup_case_insensitive(values: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    values
        .into_iter()
        .filter(|value| seen.insert(vocab::term_key(value)))
        .collect()
}

/// Every word `status` accepts (case aside), with the review state it means. Archives
/// exported from status pages and trackers hold the incident's own state there instead: a
/// resolved or closed incident's record is final, an open one's is still under review
/// (shown, with the review banner). The editor schema (`render::schema`) lists the same.
pub const STATUS_WORDS: &[(&str, Status)] = &[
    ("draft", Status::Draft),
    ("review", Status::Review),
    ("in review", Status::Review),
    ("in-review", Status::Review),
    ("investigating", Status::Review),
    ("identified", Status::Review),
    ("monitoring", Status::Review),
    ("open", Status::Review),
    ("ongoing", Status::Review),
    ("active", Status::Review),
    ("final", Status::Final),
    ("published", Status::Final),
    ("resolved", Status::Final),
    ("closed", Status::Final),
    ("complete", Status::Final),
    ("completed", Status::Final),
    ("done", Status::Final),
    ("postmortem", Status::Final),
];

/// The review state of the document (see [`STATUS_WORDS`]).
fn parse_status(text: &str) -> Option<Status> {
    let text = text.to_ascii_lowercase();
    STATUS_WORDS
        .iter()
        .find(|(word, _)| *word == text)
        .map(|(_, status)| *status)
}

/// Every word an action item's `status` accepts, with the state it means; letters and
/// digits only, lowercased (`In Progress` is `inprogress`). "" (no letters) is open.
pub const ACTION_STATUS_WORDS: &[(&str, ActionStatus)] = &[
    ("open", ActionStatus::Open),
    ("todo", ActionStatus::Open),
    ("inprogress", ActionStatus::Open),
    ("started", ActionStatus::Open),
    ("planned", ActionStatus::Open),
    ("", ActionStatus::Open),
    ("done", ActionStatus::Done),
    ("closed", ActionStatus::Done),
    ("complete", ActionStatus::Done),
    ("completed", ActionStatus::Done),
    ("fixed", ActionStatus::Done),
    ("resolved", ActionStatus::Done),
    ("wontfix", ActionStatus::Wontfix),
    ("wontdo", ActionStatus::Wontfix),
    ("cancelled", ActionStatus::Wontfix),
    ("canceled", ActionStatus::Wontfix),
    ("declined", ActionStatus::Wontfix),
];

fn parse_action_status(text: &str) -> Option<ActionStatus> {
    let key: String = text
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect::<String>()
        .to_lowercase();
    ACTION_STATUS_WORDS
        .iter()
        .find(|(word, _)| *word == key)
        .map(|(_, status)| *status)
}

/// Whether a value says nothing: null, blank text, or an empty list or map, or a list of
/// such values.
pub(crate) fn is_blank(node: &Node) -> bool {
    match &node.value {
        Value::Null => true,
        Value::String(text) => text.trim().is_empty(),
        Value::List(items) => items.iter().all(is_blank),
        Value::Map(entries) => entries.is_empty(),
        Value::Int(_) | Value::Float(_) | Value::Bool(_) => false,
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

/// The incident-level readings: each takes the fields it needs and reports its problems.
impl FieldReader<'_, '_> {
    /// H011: the front matter names no title; says which one the page uses.
    fn no_title(&mut self, title: &str) {
        self.diagnostics.push(
            Diagnostic::warning(Code::H011, self.path, format!("no title; using \"{title}\""))
                .field("title")
                .help("add `title:` to the front matter, or set [fields] title_template in hindsight.toml"),
        );
    }

    /// H022: a link a page may not carry, shown as text instead; `field` is the front
    /// matter field it is in, `None` for the body.
    fn rejected_link(&mut self, field: Option<&str>, pos: Pos, url: &str) {
        let shown: String = url.chars().take(60).collect();
        let ellipsis = if shown.len() < url.len() { "…" } else { "" };
        let mut diagnostic = Diagnostic::warning(
            Code::H022,
            self.path,
            format!("link to \"{shown}{ellipsis}\" is shown as text (expected an http, https or mailto URL, or a relative link)"),
        )
        .at(pos.line, pos.col, self.text)
        .help("links from postmortems may only use http, https or mailto, so none can run a script in a reader's browser");
        if let Some(field) = field {
            diagnostic = diagnostic.field(field);
        }
        self.diagnostics.push(diagnostic);
    }

    /// H022 for each link or image of the body shown as text; `body_offset` is where the
    /// body starts in the file.
    fn rejected_body_links(&mut self, body: &Rendered, body_offset: usize) {
        for (offset, url) in &body.rejected_links {
            let (line, col) = crate::model::config::line_col(self.text, body_offset + offset);
            let pos = Pos {
                line: line as u32,
                col: col as u32,
            };
            self.rejected_link(None, pos, url);
        }
    }

    /// H029 when the body holds control characters, shown as their symbols.
    fn body_controls(&mut self, body: &Rendered, body_offset: usize) {
        let Some(controls) = body.controls.as_deref().copied() else {
            return;
        };
        let (line, col) =
            crate::model::config::line_col(self.text, body_offset + controls.first_offset);
        let code = u32::from(controls.first);
        let others = match controls.count {
            1 => String::new(),
            2 => " and 1 more".to_string(),
            n => format!(" and {} more", n - 1),
        };
        self.diagnostics.push(
            Diagnostic::warning(
                Code::H029,
                self.path,
                format!("control character U+{code:04X} in the body{others}; shown as its symbol (expected text without control characters)"),
            )
            .at(line as u32, col as u32, self.text)
            .help("a log pasted with its terminal colour codes carries them; remove them (`sed 's/\\x1b\\[[0-9;]*m//g'`) or keep them visible as symbols"),
        );
    }

    /// H010: a document without front matter, with or without values read from its prose.
    fn no_front_matter(&mut self, inferred: bool) {
        let path = self.path;
        self.diagnostics.push(if inferred {
            Diagnostic::warning(
                Code::H010,
                path,
                "no front matter; metadata inferred from the text",
            )
            .help("`hindsight check` lists what was inferred and from which line; `hindsight import` writes it into the file as front matter")
        } else {
            Diagnostic::warning(Code::H010, path, "no front matter; the page shows no metadata")
                .help("add a front matter block between `---` lines with at least title, severity, started_at and resolved_at")
        });
    }

    /// Every field but the title, in the order their problems are reported.
    fn read_fields(&mut self, fields: &Fields<'_>, vocabularies: &Vocabularies) -> Read {
        let slug = fields
            .get(Field::Slug)
            .and_then(|(name, node)| Some((self.string(name, node)?, node.pos)));
        let status = fields.get(Field::Status).and_then(|(name, node)| {
            self.enumerated(name, node, parse_status, "draft, review, final")
        });
        let severity = fields
            .get(Field::Severity)
            .and_then(|(name, node)| self.severity(name, node));
        let times = self.times(fields);
        let recorded = self.recorded(fields, &times);
        let services = self
            .mapped_list(fields, Field::Services)
            .into_iter()
            .map(|(service, pos)| self.service(vocabularies, &service, pos))
            .collect();
        let root_causes = self.root_causes(fields, vocabularies);
        let action_items = fields
            .get(Field::ActionItems)
            .map(|(name, node)| self.action_items(name, node))
            .unwrap_or_default();
        let related = self.list(fields, Field::Related);
        let tags = self
            .mapped_list(fields, Field::Tags)
            .into_iter()
            .map(|(tag, _)| tag)
            .collect();
        let authors = self.names(fields, Field::Authors);
        let mut text = |canonical| {
            let (name, node) = fields.get(canonical)?;
            let text = self.string(name, node)?;
            // Summary, impact and detection are inline Markdown on the page.
            for url in markdown::rejected_links(&text) {
                self.rejected_link(Some(name), node.pos, &url);
            }
            Some(text)
        };
        Read {
            slug,
            status,
            severity,
            times,
            recorded,
            services,
            root_causes,
            trigger: text(Field::Trigger),
            tags,
            authors,
            summary: text(Field::Summary),
            impact: text(Field::Impact),
            detection: text(Field::Detection),
            action_items,
            related,
        }
    }

    /// A list field's values with their positions.
    /// Every name of the field that is present adds its values: an archive that splits
    /// services over `company` and `product` gets both.
    fn list(&mut self, fields: &Fields<'_>, canonical: Field) -> Vec<(String, Pos)> {
        fields
            .all(canonical)
            .flat_map(|(name, node)| self.string_list(name, node))
            .collect()
    }

    /// The root causes, primary first: each through the value map and the vocabulary (an
    /// H009 for one outside it); the primary is `primary_root_cause` when the postmortem
    /// names one, else the one the site's `[trends] primary_cause` rule picks.
    fn root_causes(&mut self, fields: &Fields<'_>, vocabularies: &Vocabularies) -> Vec<String> {
        let config = self.config;
        let listed: Vec<String> = self
            .mapped_list(fields, Field::RootCause)
            .into_iter()
            .map(|(cause, pos)| self.category(vocabularies, &cause, pos, "root_cause"))
            .collect();
        let explicit = fields
            .get(Field::PrimaryRootCause)
            .and_then(|(name, node)| {
                let written = self.string(name, node)?;
                let cause = config.aliases.canonical(Field::RootCause, &written);
                (!cause.is_empty()).then(|| self.category(vocabularies, cause, node.pos, name))
            });
        vocabularies.primary_first(
            config.trends.primary_cause,
            dedup_case_insensitive(listed),
            explicit,
        )
    }

    /// The root cause read from prose, through the value map and the vocabulary: one
    /// outside the vocabulary gets the H009 front matter gets, at the words it was read
    /// from.
    fn inferred_causes(
        &mut self,
        vocabularies: &Vocabularies,
        inference: &Inference,
    ) -> Vec<String> {
        let Some(cause) = &inference.root_cause else {
            return Vec::new();
        };
        let config = self.config;
        let meant = config.aliases.canonical(Field::RootCause, &cause.value);
        if meant.is_empty() {
            return Vec::new();
        }
        let pos = Pos {
            line: cause.evidence.line,
            col: cause.evidence.col,
        };
        vec![self.category(vocabularies, meant, pos, "root_cause")]
    }

    /// A list field's values through the site's value map for the field (`[aliases]`):
    /// a mapped value becomes its target, one mapped to "" is left out.
    fn mapped_list(&mut self, fields: &Fields<'_>, canonical: Field) -> Vec<(String, Pos)> {
        let aliases = &self.config.aliases;
        self.list(fields, canonical)
            .into_iter()
            .filter_map(|(value, pos)| {
                let mapped = aliases.canonical(canonical, &value);
                (!mapped.is_empty()).then(|| (mapped.to_string(), pos))
            })
            .collect()
    }

    /// A list field's values.
    fn names(&mut self, fields: &Fields<'_>, canonical: Field) -> Vec<String> {
        self.list(fields, canonical)
            .into_iter()
            .map(|(value, _)| value)
            .collect()
    }

    /// The severity's position in the config, or an H003 with a suggestion.
    fn severity(&mut self, name: &str, node: &Node) -> Option<usize> {
        let config = self.config;
        let given = match &node.value {
            Value::String(s) => s.clone(),
            Value::Int(n) => n.to_string(),
            _ => String::new(),
        };
        let mapped = config.aliases.canonical(Field::Severity, &given);
        if mapped.is_empty() && !given.trim().is_empty() {
            // Mapped to "not set" by `[aliases.severity]`.
            return None;
        }
        let found = vocab::match_severity(config, mapped);
        if found.is_some() {
            return found;
        }
        let keys: Vec<String> = config.severities.iter().map(|s| s.key.clone()).collect();
        let message = format!(
            "unknown value \"{}\" (expected one of {})",
            display_scalar(node),
            keys.join(", ")
        );
        self.error(Code::H003, name, node, &message);
        // "Critcal" is a typo of a label; "SEV9" is not a typo of "SEV1".
        let given = display_scalar(node);
        let labels: Vec<String> = config.severities.iter().map(|s| s.label.clone()).collect();
        let close = vocab::did_you_mean(&given, &labels)
            .and_then(|label| config.severities.iter().find(|s| s.label == label))
            .map(|s| s.key.as_str())
            .or_else(|| {
                let digits = given.chars().any(|c| c.is_ascii_digit());
                (!digits)
                    .then(|| vocab::did_you_mean(&given, &keys))
                    .flatten()
            });
        if let (Some(close), Some(last)) = (close, self.diagnostics.last_mut()) {
            last.help = Some(format!("did you mean `{close}`?"));
        }
        None
    }

    /// The vocabulary key of a category; unknown ones are kept as written, with an H009 at
    /// `pos` naming `field`.
    fn category(
        &mut self,
        vocabularies: &Vocabularies,
        name: &str,
        pos: Pos,
        field: &str,
    ) -> String {
        if let Some(key) = vocabularies.category_key(name) {
            return key.to_string();
        }
        let keys = vocabularies.category_keys();
        let diagnostic = Diagnostic::warning(
            Code::H009,
            self.path,
            format!("unknown root-cause category \"{name}\""),
        )
        .at(pos.line, pos.col, self.text)
        .field(field);
        self.diagnostics
            .push(match vocab::did_you_mean(name, keys) {
                Some(close) => diagnostic.help(format!("did you mean `{close}`?")),
                None => diagnostic.help(format!(
                    "expected one of {} (or declare it under [[categories]] in hindsight.toml)",
                    keys.join(", ")
                )),
            });
        name.trim().to_string()
    }

    /// The registry spelling of a service; unregistered names are kept, with an H012 when
    /// the site declares a registry.
    fn service(&mut self, vocabularies: &Vocabularies, name: &str, pos: Pos) -> String {
        if !vocabularies.has_registry() {
            return name.trim().to_string();
        }
        if let Some(registered) = vocabularies.service_name(name) {
            return registered.to_string();
        }
        let diagnostic =
            Diagnostic::warning(Code::H012, self.path, format!("unknown service \"{name}\""))
                .at(pos.line, pos.col, self.text)
                .field("services");
        self.diagnostics.push(
            match vocab::did_you_mean(name, vocabularies.service_names()) {
                Some(close) => diagnostic.help(format!("did you mean `{close}`?")),
                None => diagnostic.help("declare it under [[services]] in hindsight.toml"),
            },
        );
        name.trim().to_string()
    }
}

/// Reads typed values out of front matter nodes, reporting problems with positions.
struct FieldReader<'a, 'd> {
    path: &'a str,
    text: &'a str,
    config: &'a Config,
    tz: Tz,
    diagnostics: &'d mut Vec<Diagnostic>,
}

impl FieldReader<'_, '_> {
    fn error(&mut self, code: Code, field: &str, node: &Node, message: &str) {
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
        let get = |key: &str| {
            entries
                .iter()
                .find(|e| e.key == key && !is_blank(&e.value))
                .map(|e| &e.value)
        };
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
            // A day as the timestamps are read (`2024-03-15`, `March 15, 2024`,
            // `3/15/2024` in the site's date_order); a full timestamp gives its day here.
            match read_timestamp(&text, self.tz, self.config.date_order) {
                Ok(stamp) => Some(stamp.instant.with_timezone(&self.tz).date_naive()),
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
            url: get("url").and_then(|n| {
                let url = self.string("action_items.url", n)?;
                if !link::is_allowed(&url) {
                    self.rejected_link(Some("action_items.url"), n.pos, &url);
                }
                Some(url)
            }),
            pos: Some(node.pos),
        })
    }
}
