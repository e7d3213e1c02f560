//! Content rules beyond parsing: the lints `hindsight check` reports and `build` runs too.
//! Everything is pure except [`check`], the command's pipeline, which loads the site as
//! `build` does.
//!
//! [`lint_file`] runs on one parsed incident and its text: required fields for its status
//! (H015), timeline order and consistency with the stated times (H016, H017, and H006 for
//! inferred times), duplicate heading ids (H019), open action items without an owner or a
//! due date (H020), placeholders left in a final postmortem (H021). It also records the
//! relative links to other Markdown files, which [`lint_site`] checks against every file of
//! the site (H018), since only the whole set says which exist. Both end by applying the
//! site's `[check.levels]`.
//!
//! `build` runs these on every file, so each reads only what it needs: a timeline is read
//! from its own section, and the whole body line by line only when it mentions a `.md`
//! file or its table of contents shows a repeated heading id. The lints add about 5 % to a
//! build (see `docs/authoring.md` for the measurement).

mod links;
mod rules;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use chrono::NaiveDate;

use crate::config::Config;
use crate::diagnostics::{Code, Diagnostic, Level};
use crate::incident::Incident;
use crate::infer::InferredField;
use crate::infer::doc::Doc;
use crate::render::{self, RenderError, RenderOptions};
use crate::site::{self, AnalyzeOptions};
use crate::source::{self, LoadError, SourceFile};
use links::{links, mentions_markdown_file};
use rules::{Lints, may_repeat_an_id};

/// What `hindsight check` found.
#[derive(Debug)]
pub struct CheckReport {
    /// Every problem, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
    /// For each file without front matter, what was inferred from it, by path.
    pub inferred: Vec<(String, Vec<InferredField>)>,
    /// Content files read.
    pub files: usize,
    /// Pages the site would have (drafts included).
    pub pages: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(transparent)]
    Render(#[from] RenderError),
}

/// Everything `build` would do short of writing: load, analyze with drafts (so they are
/// checked too) and render every page into nothing, so a template that fails on some page
/// fails here. `as_of` is the date trend pages are computed for.
pub fn check(root: &Path, as_of: NaiveDate) -> Result<CheckReport, CheckError> {
    let project = source::load(root)?;
    let options = AnalyzeOptions { drafts: true };
    let (site, diagnostics) = site::analyze(&project.config, &project.sources, options);
    let pages = render::render_each(&site, &project.theme, &RenderOptions { as_of }, |_| {
        Ok::<(), RenderError>(())
    })?;
    let mut inferred: Vec<(String, Vec<InferredField>)> = site
        .incidents
        .iter()
        .filter_map(|incident| {
            let found = incident.inferred.as_ref()?;
            Some((incident.source.clone(), found.fields(&site.config)))
        })
        .collect();
    inferred.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(CheckReport {
        diagnostics,
        inferred,
        files: project.sources.len(),
        pages,
    })
}

/// The file's text as `incident::parse` saw it: BOM removed, CRLF made LF, so positions
/// agree. `None` for a file that could not be read, which has no incident anyway.
fn text_of(source: &SourceFile) -> Option<Cow<'_, str>> {
    let bytes = source.bytes.as_ref().ok()?;
    let text = std::str::from_utf8(bytes).ok()?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    Some(if text.contains('\r') {
        Cow::Owned(text.replace("\r\n", "\n"))
    } else {
        Cow::Borrowed(text)
    })
}

/// Runs the per-file lints on `incident`, parsed from `source`, and records its links to
/// other Markdown files in `incident.positions.links` for [`lint_site`].
pub fn lint_file(
    incident: &mut Incident,
    source: &SourceFile,
    config: &Config,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let Some(text) = text_of(source) else {
        return;
    };
    let mut lints = Lints {
        incident: &*incident,
        text: &text,
        config,
        tz: config.tz(),
        found: Vec::new(),
    };
    lints.required_fields();
    lints.action_items();
    lints.placeholders();
    let body = text
        .get(lints.incident.positions.body_offset..)
        .unwrap_or_default();
    let first_line = lints.incident.positions.body_line;
    // Reading every line of the body is only needed for links to Markdown files and for
    // headings that may share an id, which few postmortems have (one search of the body
    // and a look at the table of contents say so); a timeline needs only its section.
    let whole = (mentions_markdown_file(body) || may_repeat_an_id(lints.incident))
        .then(|| Doc::parse(body, first_line));
    let links = match &whole {
        Some(doc) => {
            lints.headings(doc);
            links(doc, &source.path)
        }
        None => Vec::new(),
    };
    lints.timeline(body, first_line, whole.as_ref());
    lints.inferred_order();
    let found = lints.found;
    incident.positions.links = links;
    diagnostics.extend(found);
    apply_levels(config, diagnostics);
}

/// Runs the lints that need every file: links to Markdown files that are not postmortems
/// of the site (H018). `incidents` and `left_out` together are every parsed file; a link to
/// a draft is fine, as a `related:` slug naming one is. `source_text` gives a file's text
/// for the caret line. Applies `[check.levels]` to all of `diagnostics`.
pub fn lint_site(
    config: &Config,
    incidents: &[Incident],
    left_out: &[Incident],
    source_text: impl Fn(&str) -> String,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let known: HashSet<&str> = incidents
        .iter()
        .chain(left_out)
        .map(|i| i.source.as_str())
        .collect();
    for incident in incidents.iter().chain(left_out) {
        let mut text = None;
        for (target, pos) in &incident.positions.links {
            if known.contains(target.as_str()) {
                continue;
            }
            let text = text.get_or_insert_with(|| source_text(&incident.source));
            let inside = target.starts_with(&format!("{}/", config.content_dir));
            let message = if inside {
                format!("link to {target}, which is not a postmortem of this site")
            } else {
                format!(
                    "link to {target}, which is outside the content folder and is not published"
                )
            };
            diagnostics.push(
                Diagnostic::warning(Code::H018, &incident.source, message)
                    .at(pos.line, pos.col, text)
                    .help("check the path (it is relative to this file); the link will be broken on the site"),
            );
        }
    }
    apply_levels(config, diagnostics);
}

/// Applies `[check.levels]`: "off" drops a code's diagnostics, "error" and "warning" set
/// their level.
pub fn apply_levels(config: &Config, diagnostics: &mut Vec<Diagnostic>) {
    if config.check.levels.is_empty() {
        return;
    }
    let levels: BTreeMap<Code, &str> = config
        .check
        .levels
        .iter()
        .filter_map(|(code, level)| Some((Code::parse(code)?, level.as_str())))
        .collect();
    diagnostics.retain_mut(|d| match levels.get(&d.code) {
        Some(&"off") => false,
        Some(&"error") => {
            d.level = Level::Error;
            true
        }
        Some(&"warning") => {
            d.level = Level::Warning;
            true
        }
        _ => true,
    });
}
