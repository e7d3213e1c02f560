//! `analyze`: every source file parsed, checked across files, sorted and indexed into an
//! immutable [`Site`] (pure: no I/O).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use rayon::prelude::*;

use crate::analyze::index::{self, Index};
use crate::analyze::quality::{self, Quality};
use crate::analyze::similar;
use crate::analyze::teams::{self, Teams};
use crate::model::config::Config;
use crate::model::diagnostics::{Code, Diagnostic};
use crate::model::incident::{Aside, DateHint, Incident, InferredMetadata, Rendered, Status};
use crate::model::inference::{InferredField, TimelineEvent};
use crate::model::time::zone::Zone;
use crate::model::vocab::Vocabularies;
use crate::parse::incident;
use crate::parse::markdown;
use crate::parse::source::SourceFile;

/// What `analyze` is asked to include.
#[derive(Debug, Clone, Copy, Default)]
pub struct AnalyzeOptions {
    /// Include `status: draft` postmortems.
    pub drafts: bool,
    /// The day the site is built for: a date a file name gives that is after it is not
    /// when an incident happened (`outage-2045.md` is numbered, not dated), so the
    /// incident has no date rather than a wrong one. `None` keeps every such date.
    pub as_of: Option<NaiveDate>,
}

/// Whether the incidents keep their bodies' HTML after `analyze`.
#[derive(Clone, Copy)]
pub enum BodyHtml<'a> {
    /// Kept in `Rendered::html` (`serve`, `check`, tests).
    Keep,
    /// Dropped with the body's plain text as each file is parsed, once its quality is
    /// scored (`Site::quality`) and its words counted for similar incidents: a build
    /// renders each body again when it writes the page and indexes it for search
    /// (`render::render_site`), so the archive's HTML and text (about 50 and 46 MB at
    /// 10,000 postmortems) are not held through rendering.
    Drop,
    /// Dropped as with [`BodyHtml::Drop`], once set aside where the build reads it back
    /// instead of rendering it again (`Rendered::aside`, `app::aside`).
    SetAside(&'a dyn SetAside),
}

impl BodyHtml<'_> {
    /// Whether each body's HTML and plain text go once the file is parsed.
    fn drops(self) -> bool {
        !matches!(self, BodyHtml::Keep)
    }
}

/// Where a build sets each body aside once its file is parsed, on every parsing thread.
pub trait SetAside: Sync {
    /// Sets aside `body`'s HTML, plain text and headings, `timeline` (the timeline read
    /// from it) and `inferred` (what its page lists as inferred from it); where, or `None`
    /// when they could not be (the page renders the body again).
    fn set_aside(
        &self,
        body: &Rendered,
        timeline: &[TimelineEvent],
        inferred: &[InferredField],
    ) -> Option<Aside>;
}

/// The analyzed site. Never mutated after `analyze` returns.
#[derive(Debug)]
pub struct Site {
    pub config: Config,
    /// Newest first; incidents without a start time last, by slug.
    pub incidents: Vec<Incident>,
    pub index: Index,
    /// Slug → position in `incidents`.
    pub slugs: HashMap<String, usize>,
    /// How many `status: draft` postmortems were left out (drafts not asked for): home
    /// and the build summary say so, with how to show them.
    pub hidden_drafts: usize,
    /// Who owns which services, and so which incidents (`/teams/`).
    pub teams: Teams,
    /// Each incident's quality score, by position, when it was scored while its body's
    /// HTML was in hand ([`BodyHtml::Drop`]); empty otherwise, and readers score it.
    pub quality: Vec<Quality>,
}

impl Site {
    pub fn incident(&self, slug: &str) -> Option<&Incident> {
        self.slugs.get(slug).map(|&i| &self.incidents[i])
    }

    /// Each incident's quality score, by position: those scored while its body was in
    /// hand ([`Site::quality`]), else scored now from the bodies held.
    pub fn scores(&self) -> Cow<'_, [Quality]> {
        match self.quality.len() == self.incidents.len() {
            true => Cow::Borrowed(&self.quality),
            false => Cow::Owned(quality::score_all(&self.incidents)),
        }
    }
}

/// Rewrites the body's links to other postmortems' files into links to their pages, which
/// sit beside this incident's page (`incidents/<slug>/`). A link to a file that is not a
/// built incident keeps pointing at the file's path from the site root. `None` when the
/// body has no such links.
fn resolve_source_links(html: &str, by_source: &HashMap<&str, &str>) -> Option<String> {
    const PREFIX: &str = "href=\"hindsight-source:";
    debug_assert!(PREFIX.ends_with(markdown::SOURCE_LINK_PREFIX));
    if !html.contains(PREFIX) {
        return None;
    }
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find(PREFIX) {
        out.push_str(&rest[..start]);
        out.push_str("href=\"");
        rest = &rest[start + PREFIX.len()..];
        let end = rest.find('"').unwrap_or(rest.len());
        let target = &rest[..end];
        let (path, fragment) = target.split_at(target.find('#').unwrap_or(target.len()));
        match by_source.get(markdown::decode_href(path).as_str()) {
            Some(slug) => out.push_str(&format!("../{slug}/{fragment}")),
            None => out.push_str(&format!("../../{target}")),
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    Some(out)
}

/// The text of a source file, for showing the line a diagnostic points at.
fn source_text<'a>(sources: &'a [SourceFile], path: &str) -> Cow<'a, str> {
    sources
        .binary_search_by(|source| source.path.as_str().cmp(path))
        .ok()
        .and_then(|i| sources[i].bytes.as_ref().ok())
        .map_or(Cow::Borrowed(""), |bytes| String::from_utf8_lossy(bytes))
}

/// Parses every source in parallel, then resolves what needs the whole set: duplicate
/// slugs, drafts, order, indexes and related incidents.
pub fn analyze(
    config: &Config,
    sources: &[SourceFile],
    options: AnalyzeOptions,
) -> (Site, Vec<Diagnostic>) {
    analyze_held(config, sources, options, BodyHtml::Keep)
}

/// [`analyze`], each body's HTML and plain text dropped once its file is parsed (its
/// quality scored and its words counted first, [`BodyHtml::Drop`]): for a caller that
/// reads the incidents and the diagnostics but not the bodies (`init --from`'s verdict).
pub fn analyze_without_bodies(
    config: &Config,
    sources: &[SourceFile],
    options: AnalyzeOptions,
) -> (Site, Vec<Diagnostic>) {
    analyze_held(config, sources, options, BodyHtml::Drop)
}

/// [`analyze_each`] over sources held in memory.
fn analyze_held(
    config: &Config,
    sources: &[SourceFile],
    options: AnalyzeOptions,
    html: BodyHtml<'_>,
) -> (Site, Vec<Diagnostic>) {
    analyze_each(
        config,
        sources.len(),
        |i| Cow::Borrowed(&sources[i]),
        |path| source_text(sources, path).into_owned(),
        options,
        html,
    )
}

/// [`analyze`] over sources given one at a time: `read(i)` is the `i`-th of `count`
/// files in path order, parsed and then dropped, so a build that reads each file there
/// holds the bytes of only the files being parsed. `source_text(path)` gives a file's text
/// again for the caret line of a diagnostic found across files (rarely called). With
/// [`BodyHtml::Drop`], each body's HTML and plain text are dropped once the file is
/// parsed, its quality scored and its words counted for similar incidents.
pub fn analyze_each<'s>(
    config: &Config,
    count: usize,
    read: impl Fn(usize) -> Cow<'s, SourceFile> + Sync,
    source_text: impl Fn(&str) -> String,
    options: AnalyzeOptions,
    html: BodyHtml<'_>,
) -> (Site, Vec<Diagnostic>) {
    let vocabularies = Vocabularies::new(config);
    let counting = html.drops() && similar::listed(&config.similar);
    let words = Mutex::new(similar::Words::default());
    let numbering = similar::Numbering::default();
    // The incidents are collected apart from what else parsing found, and kept in the
    // same buffer (below): gathered beside it into a new one, the archive's incidents
    // (about 1 KB each before their lists and strings) were held twice at the end of
    // parsing, the peak of a 100,000 build's memory.
    let (parsed, found): (Vec<Option<Incident>>, Vec<Found>) = (0..count)
        .into_par_iter()
        .map_init(
            || Tally::new(counting.then_some((&words, &numbering))),
            |tally, i| {
                let (incident, found) = parse_source(&read(i), config, &vocabularies);
                match incident.map(|i| tally.scored(i, html, config)) {
                    Some(Scored(incident, quality, counts)) => {
                        (Some(incident), (quality, counts, found))
                    }
                    None => (None, (None, None, found)),
                }
            },
        )
        .unzip();
    let words = words
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let numbered = numbering.done();
    let mut diagnostics = Vec::new();
    // At their size from the start: grown by doubling, each held its old table beside
    // the new one at the end of parsing, when memory peaks.
    let mut scores = HashMap::with_capacity(parsed.len());
    let mut counts = HashMap::with_capacity(parsed.len());
    for (incident, (quality, counted, found)) in parsed.iter().zip(found) {
        diagnostics.extend(found);
        if let Some(incident) = incident {
            scores.extend(quality.map(|q| (incident.source.clone(), q)));
            counts.extend(counted.map(|c| (incident.source.clone(), c)));
        }
    }
    // `filter_map` over a `Vec`'s own items of the same size collects into the same
    // buffer (`flatten` does not).
    #[allow(clippy::filter_map_identity)]
    let incidents: Vec<Incident> = parsed.into_iter().filter_map(|incident| incident).collect();
    let counted_words = (&words, &numbered);
    let similar = move |incidents: &[Incident], related: &[Vec<usize>]| match html {
        BodyHtml::Keep => similar::build(&config.similar, incidents, related),
        BodyHtml::Drop | BodyHtml::SetAside(_) => {
            let mut counts = counts;
            let counted = (incidents.iter())
                .map(|incident| counts.remove(&incident.source).unwrap_or_default())
                .collect();
            // Its table goes before the model is built, the peak of a large build.
            drop(counts);
            similar::build_counted(&config.similar, incidents, related, counted, counted_words)
        }
    };
    let mut assembled = assemble_with(config, incidents, options, source_text, similar);
    if html.drops() {
        let site = &mut assembled.site;
        site.quality = (site.incidents.iter())
            .map(|incident| {
                let scored = scores.remove(&incident.source);
                scored.unwrap_or_else(|| quality::score(incident))
            })
            .collect();
    }
    diagnostics.extend(assembled.diagnostics);
    sort_diagnostics(&mut diagnostics);
    (assembled.site, diagnostics)
}

/// A parsed incident, with its quality and its words counted for similar incidents when
/// its body is dropped ([`BodyHtml::Drop`]).
struct Scored(Incident, Option<Quality>, Option<similar::Counts>);

/// What parsing a file found beside its incident: its quality and its words counted, as
/// [`Scored`], and its diagnostics.
type Found = (Option<Quality>, Option<similar::Counts>, Vec<Diagnostic>);

/// What one thread of [`analyze_each`] keeps between files: the counter of their words
/// for similar incidents, whose canonical forms go to `words` when the thread is done,
/// and the numbering its counts share with every thread's.
struct Tally<'w> {
    counter: similar::Counter,
    words: Option<(&'w Mutex<similar::Words>, &'w similar::Numbering)>,
}

impl<'w> Tally<'w> {
    /// A tally counting words into `words`, numbering their terms, or none.
    fn new(words: Option<(&'w Mutex<similar::Words>, &'w similar::Numbering)>) -> Tally<'w> {
        Tally {
            counter: similar::Counter::default(),
            words,
        }
    }

    /// With [`BodyHtml::Drop`], `incident` with its quality scored, its words counted (if
    /// the tally counts) and its body's HTML and text gone (set aside first with
    /// [`BodyHtml::SetAside`], with its timeline and what was inferred from its prose,
    /// which go too); else as it is.
    fn scored(&mut self, mut incident: Incident, html: BodyHtml<'_>, config: &Config) -> Scored {
        if !html.drops() {
            return Scored(incident, None, None);
        }
        let quality = quality::score(&incident);
        let counts = (self.words).map(|(_, numbering)| self.counter.count(&incident, numbering));
        if let BodyHtml::SetAside(to) = html {
            // What was inferred from the prose goes with the body too, as its page lists
            // it, and the timeline read from it: the page reads them back with the body;
            // one rendered again reads them from its file again.
            let inferred = incident.inferred_fields(config);
            incident.body.aside = to.set_aside(&incident.body, &incident.timeline(), &inferred);
            if incident.body.aside.is_some() && incident.inferred.is_some() {
                incident.inferred = Some(InferredMetadata::SetAside);
            }
        }
        // The headings (and where they are in the text) and the timeline read from it go
        // with it: the page has them from the body read again. What only parsing read
        // (the first heading for a title, the links and control characters it warned
        // about) goes too.
        let body = &mut incident.body;
        (body.html, body.plain_text) = Default::default();
        (body.toc, body.sections) = Default::default();
        (body.first_heading, body.controls) = (None, None);
        body.rejected_links = Vec::new();
        incident.body_timeline = Vec::new();
        Scored(incident, Some(quality), counts)
    }
}

impl Drop for Tally<'_> {
    fn drop(&mut self) {
        if let Some((words, _)) = self.words {
            let counted = std::mem::take(&mut self.counter).into_words();
            match words.lock() {
                Ok(mut words) => words.merge(counted),
                Err(poisoned) => poisoned.into_inner().merge(counted),
            }
        }
    }
}

/// Parses each source on its own, in parallel, in input order: the per-file half of
/// [`analyze`]. `serve` calls it for just the files that changed (and for all of them
/// when it starts), with `then` packing each body as soon as its file is parsed.
pub fn parse_sources(
    config: &Config,
    sources: &[SourceFile],
    then: impl Fn(&mut Incident) + Sync,
) -> Vec<(Option<Incident>, Vec<Diagnostic>)> {
    let vocabularies = Vocabularies::new(config);
    sources
        .par_iter()
        .map(|source| {
            let (mut incident, found) = parse_source(source, config, &vocabularies);
            incident.iter_mut().for_each(&then);
            (incident, found)
        })
        .collect()
}

/// One source parsed and linted on its own.
fn parse_source(
    source: &SourceFile,
    config: &Config,
    vocabularies: &Vocabularies,
) -> (Option<Incident>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let mut incident = incident::parse(source, config, vocabularies, &mut diagnostics);
    if let Some(incident) = &mut incident {
        crate::analyze::check::lint_file(incident, source, config, &mut diagnostics);
    }
    // Every file's are held until the archive is parsed, and a vector grown by pushing
    // holds room for four: a warning on each of 100,000 files (H010, no front matter)
    // left some 27 MB of room unused at the end of parsing, when a build's memory peaks.
    diagnostics.shrink_to_fit();
    (incident, diagnostics)
}

/// What [`assemble`] made of a set of parsed incidents.
#[derive(Debug)]
pub struct Assembled {
    pub site: Site,
    /// Incidents that were parsed but are not in the site: the second file of a duplicate
    /// slug, and drafts when drafts are left out. `serve` keeps them for the next rebuild.
    pub left_out: Vec<Incident>,
    /// Problems only visible across files: duplicate slugs, `related` slugs that name no
    /// incident. Not sorted.
    pub diagnostics: Vec<Diagnostic>,
}

/// The cross-file half of [`analyze`]: duplicate slugs, drafts, order, source links,
/// indexes and related incidents. `incidents` must be in source path order, so "the first
/// file with a slug" is stable; `source_text` gives a file's text for the caret line of a
/// diagnostic, and is only called when there is one.
pub fn assemble(
    config: &Config,
    parsed: Vec<Incident>,
    options: AnalyzeOptions,
    source_text: impl Fn(&str) -> String,
) -> Assembled {
    assemble_with(
        config,
        parsed,
        options,
        source_text,
        |incidents: &[Incident], related: &[Vec<usize>]| {
            similar::build(&config.similar, incidents, related)
        },
    )
}

/// [`assemble`], with the similar lists (and in `serve`, parts of the previous index) from
/// `given` ([`index::build_with`]).
pub fn assemble_with(
    config: &Config,
    parsed: Vec<Incident>,
    options: AnalyzeOptions,
    source_text: impl Fn(&str) -> String,
    given: impl index::Given,
) -> Assembled {
    let Sifted {
        mut incidents,
        left_out,
        hidden_drafts,
        mut diagnostics,
    } = sift(parsed, options, &source_text);
    sort_newest_first(&mut incidents, config.tz());
    link_sources_to_pages(&mut incidents);
    let slugs: HashMap<String, usize> = incidents
        .iter()
        .enumerate()
        .map(|(i, incident)| (incident.slug.clone(), i))
        .collect();
    missing_related(
        &incidents,
        &slugs,
        &left_out,
        &source_text,
        &mut diagnostics,
    );
    // What reading the catalog found: reported with the rest, at the site's levels.
    diagnostics.extend(config.registry.diagnostics.iter().cloned());
    crate::analyze::check::lint_site(
        config,
        &incidents,
        &left_out,
        &source_text,
        &mut diagnostics,
    );
    let index = index::build_with(config, &incidents, &slugs, given);
    let teams = teams::build(config, &incidents, index.facet(index::Facet::Service));
    let site = Site {
        config: config.clone(),
        incidents,
        index,
        slugs,
        hidden_drafts,
        teams,
        quality: Vec::new(),
    };
    Assembled {
        site,
        left_out,
        diagnostics,
    }
}

/// The parsed incidents split into those the site keeps and those it leaves out.
struct Sifted {
    /// In source path order.
    incidents: Vec<Incident>,
    left_out: Vec<Incident>,
    /// The drafts among `left_out` (not the duplicates).
    hidden_drafts: usize,
    /// H007 for each file whose slug an earlier file already used.
    diagnostics: Vec<Diagnostic>,
}

/// Whether `hint`, the date a file name gave, is after `as_of`.
fn is_after(hint: Option<DateHint>, as_of: Option<NaiveDate>) -> bool {
    match (hint, as_of) {
        (Some(DateHint::Day(day)), Some(as_of)) => day > as_of,
        (Some(DateHint::Year(year)), Some(as_of)) => year > as_of.year(),
        _ => false,
    }
}

/// Leaves out the second file of a duplicate slug (with an error) and, unless they are
/// asked for, drafts. The kept incidents stay where they are in `parsed`: `serve`
/// assembles 10,000 of them (850 bytes each) after every front matter edit, and copying
/// them into fresh memory cost more than the rest of this.
fn sift(
    mut parsed: Vec<Incident>,
    options: AnalyzeOptions,
    source_text: &impl Fn(&str) -> String,
) -> Sifted {
    let mut diagnostics = Vec::new();
    let mut hidden_drafts = 0;
    let mut leave_out = vec![false; parsed.len()];
    for incident in &mut parsed {
        if is_after(incident.date_hint, options.as_of) {
            incident.date_hint = None;
        }
    }
    let mut first_with_slug: HashMap<&str, usize, foldhash::fast::RandomState> =
        HashMap::with_capacity_and_hasher(parsed.len(), Default::default());
    for (position, incident) in parsed.iter().enumerate() {
        if let Some(&first) = first_with_slug.get(incident.slug.as_str()) {
            let first = &parsed[first].source;
            diagnostics.push(duplicate_slug(incident, first, source_text));
            leave_out[position] = true;
            continue;
        }
        first_with_slug.insert(&incident.slug, position);
        if incident.status == Status::Draft && !options.drafts {
            hidden_drafts += 1;
            leave_out[position] = true;
        }
    }
    drop(first_with_slug);
    let mut position = 0;
    let left_out = parsed
        .extract_if(.., |_| {
            position += 1;
            leave_out[position - 1]
        })
        .collect();
    Sifted {
        incidents: parsed,
        left_out,
        hidden_drafts,
        diagnostics,
    }
}

/// H007: `incident` uses a slug the file `first` already has, so it is skipped.
fn duplicate_slug(
    incident: &Incident,
    first: &str,
    source_text: &impl Fn(&str) -> String,
) -> Diagnostic {
    let diagnostic = Diagnostic::error(
        Code::H007,
        &incident.source,
        format!(
            "duplicate slug \"{}\", already used by {first}; this file was skipped",
            incident.slug
        ),
    )
    .field("slug")
    .help("set a distinct `slug:` in one of the two files");
    match incident.positions.slug {
        Some(pos) => diagnostic.at(pos.line, pos.col, &source_text(&incident.source)),
        None => diagnostic,
    }
}

/// The site's order: newest first, incidents without a start time last, ties by slug. A
/// date from the file name places an incident too: a day at its midnight in the site's
/// zone, a year alone after every incident with a day (it claims no month).
fn sort_newest_first(incidents: &mut [Incident], tz: Tz) {
    let newest_first =
        |at: DateTime<Utc>| (-at.timestamp(), -i64::from(at.timestamp_subsec_nanos()));
    incidents.par_sort_by_cached_key(|incident| {
        let when = match (incident.started_at, incident.date_hint) {
            (Some(at), _) => (0, newest_first(at)),
            (None, Some(DateHint::Day(day))) => {
                let midnight = day.and_time(NaiveTime::MIN);
                let at = Zone::of(tz)
                    .to_utc(midnight)
                    .unwrap_or_else(|| midnight.and_utc());
                (0, newest_first(at))
            }
            (None, Some(DateHint::Year(year))) => (1, (-i64::from(year), 0)),
            (None, None) => (2, (0, 0)),
        };
        (when, incident.slug.clone())
    });
}

/// Each built incident's slug by its source file: where a body's links to other
/// postmortems' files lead. A build that renders bodies again resolves their links with it.
pub struct SourcePages<'a>(HashMap<&'a str, &'a str>);

impl<'a> SourcePages<'a> {
    pub fn of(incidents: &'a [Incident]) -> SourcePages<'a> {
        SourcePages(
            incidents
                .iter()
                .map(|incident| (incident.source.as_str(), incident.slug.as_str()))
                .collect(),
        )
    }

    /// `html` (a body of an incident of the site) with its links to other postmortems'
    /// files pointed at their pages, as `analyze` points them (see [`resolve_source_links`]).
    pub fn resolve(&self, html: String) -> String {
        resolve_source_links(&html, &self.0).unwrap_or(html)
    }
}

/// Points each body's links to other postmortems' files at their pages (see
/// [`resolve_source_links`]).
fn link_sources_to_pages(incidents: &mut [Incident]) {
    // Most bodies link to no other file, and `serve` holds every body's HTML (50 MB at
    // 10,000 postmortems): only those that do are searched.
    if !incidents.iter().any(|incident| incident.body.source_links) {
        return;
    }
    let pages = SourcePages::of(incidents);
    let resolved: Vec<(usize, String)> = incidents
        .par_iter()
        .enumerate()
        .filter(|(_, incident)| incident.body.source_links)
        .filter_map(|(position, incident)| {
            resolve_source_links(&incident.body.html, &pages.0).map(|html| (position, html))
        })
        .collect();
    drop(pages);
    for (position, html) in resolved {
        incidents[position].body.html = html;
    }
}

/// H013: `related` slugs that name no incident, built or left out.
fn missing_related(
    incidents: &[Incident],
    slugs: &HashMap<String, usize>,
    left_out: &[Incident],
    source_text: &impl Fn(&str) -> String,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let left_out: HashSet<&str> = left_out.iter().map(|i| i.slug.as_str()).collect();
    for incident in incidents {
        let positions = incident.related.iter().zip(&incident.positions.related);
        for (slug, pos) in positions {
            if !slugs.contains_key(slug) && !left_out.contains(slug.as_str()) {
                diagnostics.push(
                    Diagnostic::warning(
                        Code::H013,
                        &incident.source,
                        format!("related incident \"{slug}\" does not exist"),
                    )
                    .at(pos.line, pos.col, &source_text(&incident.source))
                    .field("related")
                    .help("use the slug of another postmortem (its file name without .md, or its `slug:`)"),
                );
            }
        }
    }
}

/// The order diagnostics are printed in: by file, then position, then code.
pub fn sort_diagnostics(diagnostics: &mut [Diagnostic]) {
    diagnostics
        .sort_by(|a, b| (&a.file, a.line, a.col, a.code).cmp(&(&b.file, b.line, b.col, b.code)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_links_become_page_links() {
        let by_source: HashMap<&str, &str> = [
            ("content/2023/a.md", "a"),
            ("content/2023/café crème.md", "cafe"),
        ]
        .into_iter()
        .collect();
        let html = r#"<a href="hindsight-source:content/2023/a.md#timeline">x</a> <a href="hindsight-source:content/2023/caf%C3%A9%20cr%C3%A8me.md">y</a> <a href="hindsight-source:content/gone.md">z</a>"#;
        assert_eq!(
            resolve_source_links(html, &by_source).unwrap(),
            r#"<a href="../a/#timeline">x</a> <a href="../cafe/">y</a> <a href="../../content/gone.md">z</a>"#
        );
        assert_eq!(resolve_source_links("<a href=\"x.md\">", &by_source), None);
    }
}
