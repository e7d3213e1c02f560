//! Content rules beyond parsing: the lints `hindsight check` reports and `build` runs too.
//! Pure: `app::check` is the command's pipeline, which loads the site as `build` does.
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

use std::collections::HashSet;
use std::path::Path;

use crate::model::config::Config;
use crate::model::diagnostics::{Code, Diagnostic, Level, LevelSetting};
use crate::model::incident::{Incident, TocEntry};
use crate::model::inference::TimelineEvent;
use crate::parse::infer::doc::Doc;
use crate::parse::source::{ContentFilter, SourceFile};
use links::{links, mentions_markdown_file};
use rules::{Lints, may_repeat_an_id, timeline_of_text};

/// Runs the per-file lints on `incident`, parsed from `source`, and records its links to
/// other Markdown files in `incident.positions.links` for [`lint_site`].
pub fn lint_file(
    incident: &mut Incident,
    source: &SourceFile,
    config: &Config,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let Some(text) = source.text() else {
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
    let Body {
        text: body,
        first_line,
        whole,
    } = Body::of(lints.incident, &lints.incident.body.toc, &text);
    let links = match &whole {
        Some(doc) => {
            lints.headings(doc);
            links(doc, &source.path)
        }
        None => Vec::new(),
    };
    let timeline = lints.timeline(body, first_line, whole.as_ref());
    lints.inferred_order();
    let found = lints.found;
    incident.positions.links = links;
    incident.body_timeline = timeline;
    diagnostics.extend(found);
    apply_levels(config, diagnostics);
}

/// The timeline [`lint_file`] read from `incident`'s body (`Incident::body_timeline`), read
/// again from the file's `text` the same way: a build drops it once the file is parsed
/// and reads it again for the incident's page. `toc` is the body's headings (which a build
/// drops too). Empty for an incident whose metadata was inferred from its prose: that
/// one's timeline is in `Incident::inferred`.
pub fn body_timeline_again(
    incident: &Incident,
    toc: &[TocEntry],
    text: &str,
    config: &Config,
) -> Vec<TimelineEvent> {
    if incident.inferred.is_some() {
        return Vec::new();
    }
    let body = Body::of(incident, toc, text);
    timeline_of_text(
        incident,
        config,
        body.text,
        body.first_line,
        body.whole.as_ref(),
    )
}

/// The body of a file's `text` as the lints read it: the text, its first line in the
/// file, and the whole body parsed line by line when a lint needs it.
struct Body<'t> {
    text: &'t str,
    first_line: u32,
    whole: Option<Doc<'t>>,
}

impl<'t> Body<'t> {
    /// The body of `incident`, whose headings are `toc`, in its file's `text`.
    fn of(incident: &Incident, toc: &[TocEntry], text: &'t str) -> Body<'t> {
        let body = text
            .get(incident.positions.body_offset..)
            .unwrap_or_default();
        let first_line = incident.positions.body_line;
        // Reading every line of the body is only needed for links to Markdown files and
        // for headings that may share an id, which few postmortems have (one search of the
        // body and a look at the table of contents say so); a timeline needs only its
        // section.
        let whole = (mentions_markdown_file(body) || may_repeat_an_id(toc))
            .then(|| Doc::parse(body, first_line));
        Body {
            text: body,
            first_line,
            whole,
        }
    }
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
    let all = || incidents.iter().chain(left_out);
    // Most postmortems link to no other file: then no set of every file is made.
    let known: HashSet<&str> = match all().any(|i| !i.positions.links.is_empty()) {
        true => all().map(|i| i.source.as_str()).collect(),
        false => HashSet::new(),
    };
    for incident in all() {
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

/// H023, so that no file of the content folder is dropped in silence (`skipped`, from the
/// site's `include` and `exclude`): a warning naming the files `include` does not name
/// (a `.txt` postmortem, a file without an extension), and an info naming those `exclude`
/// leaves out (templates, READMEs), which the site chose to leave out. Each names five.
pub fn skipped_files(config: &Config, skipped: &[String]) -> Vec<Diagnostic> {
    let filter = ContentFilter::new(config, Path::new(&config.content_dir));
    let (excluded, unnamed): (Vec<&String>, Vec<&String>) = skipped
        .iter()
        .partition(|path| filter.is_excluded(Path::new(path)));
    let mut found = Vec::new();
    if let Some(first) = unnamed.first() {
        let (count, named) = five(&unnamed);
        let files = if count == 1 {
            "file is not read as a postmortem"
        } else {
            "files are not read as postmortems"
        };
        found.push(
            Diagnostic::warning(Code::H023, first, format!("{count} {files} in {}/: {named}", config.content_dir))
                .help(format!(
                    "include = {:?} in hindsight.toml chooses the postmortems; add a pattern to it to read these",
                    config.include
                )),
        );
    }
    if let Some(first) = excluded.first() {
        let (count, named) = five(&excluded);
        let files = if count == 1 { "file is" } else { "files are" };
        let mut info = Diagnostic::warning(
            Code::H023,
            first,
            format!(
                "{count} {files} left out by exclude in {}/: {named}",
                config.content_dir
            ),
        )
        .help(format!(
            "exclude = {:?} in hindsight.toml; take a pattern out of it to read these",
            config.exclude
        ));
        info.level = Level::Info;
        found.push(info);
    }
    apply_levels(config, &mut found);
    found
}

/// How many paths there are, and the first five of them named ("… and 3 more").
fn five(paths: &[&String]) -> (usize, String) {
    let named: Vec<&str> = paths.iter().take(5).map(|p| p.as_str()).collect();
    let more = match paths.len() {
        n if n > 5 => format!(" and {} more", n - 5),
        _ => String::new(),
    };
    (paths.len(), format!("{}{more}", named.join(", ")))
}

/// Applies `[check.levels]`: off drops a code's diagnostics, a level sets theirs.
pub fn apply_levels(config: &Config, diagnostics: &mut Vec<Diagnostic>) {
    let levels = &config.check.levels;
    if levels.is_empty() {
        return;
    }
    diagnostics.retain_mut(|d| match levels.get(&d.code) {
        Some(LevelSetting::Off) => false,
        Some(LevelSetting::Error) => {
            d.level = Level::Error;
            true
        }
        Some(LevelSetting::Warning) => {
            d.level = Level::Warning;
            true
        }
        Some(LevelSetting::Info) => {
            d.level = Level::Info;
            true
        }
        None => true,
    });
}
