//! `render`: the analyzed [`Site`] and a [`Theme`] in, every output page as bytes out (pure).
//!
//! Templates never see domain types. They see the view structs below, which are the
//! documented interface for theme authors (see the README's theme section). Every link in
//! a page is relative to the page (`{{ root }}` is `./`, `../` or `../../`), so the output
//! works from any sub-path and from the file system; only the 404 page, which a server
//! shows at any depth, uses the path of `base_url` instead.

mod charts;
mod extras;
mod feeds;
mod pages;
mod partial;
mod previews;
mod retro;
pub mod schema;
pub mod search;
mod shared;
mod sitemap;
mod teams;
pub mod theme;
mod trends;
mod views;

pub use extras::{ExtraField, ExtraItem};
pub use partial::{Partial, RowCache, Rows, Selection, page_paths, render_selected};
use shared::{SharedRows, relocate, render_row, shared_row};
pub use trends::RenderOptions;
pub use views::*;
use views::{TermLinks, row};

use std::borrow::Cow;

use chrono_tz::Tz;
use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Tera};

use crate::analyze::index::Facet;
use crate::analyze::site::Site;
use crate::model::incident::{Incident, TocEntry};
use crate::model::inference::{InferredField, TimelineEvent};
use crate::render::theme::{REQUIRED_TEMPLATES, Theme};

/// The depth of term pages and incident pages (`services/x/`, `incidents/x/`), where most
/// rows are shown; rows for them are rendered once and shared.
const SHARED_ROW_ROOT: &str = "../../";

/// The depth of the incident list (`incidents/`), whose rows `serve` keeps between renders.
const LIST_ROW_ROOT: &str = "../";

/// What a page of the default theme takes around its content: the head, the header and
/// navigation, the footer, and an incident page's panel and chart. A page's buffer starts
/// at this much plus its content (an incident's body, a list's rows).
const PAGE_CAPACITY: usize = 24 * 1024;

/// One output file: its path under the output folder and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub path: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// A template failed; `page` names the page it was rendering, when there was one.
    #[error("template error in {template}{}: {message}", on_page(page.as_deref()))]
    Template {
        template: String,
        page: Option<String>,
        message: String,
    },
    #[error("the theme has no template {0}")]
    MissingTemplate(String),
    #[error("failed to write {path}: {message}")]
    Export { path: String, message: String },
    /// A body rendered again for its page ([`Bodies::Loaded`]) could not be.
    #[error("failed to read {path} again for its page: {message}")]
    Body { path: String, message: String },
    /// The search index's scratch file ([`Sink::scratch`]) failed.
    #[error("failed to set aside the search index's terms in a scratch file: {0}")]
    Scratch(String),
}

/// How a template error names the page it failed on: ", on services/api/index.html".
fn on_page(page: Option<&str>) -> String {
    page.map_or(String::new(), |page| format!(", on {page}"))
}

impl RenderError {
    /// This error, if it is a template's, as met rendering `page`.
    fn on_page(self, page: impl FnOnce() -> String) -> RenderError {
        match self {
            RenderError::Template {
                template, message, ..
            } => RenderError::Template {
                template,
                page: Some(page()),
                message,
            },
            other => other,
        }
    }
}

/// A body rendered again from its file, for its incident's page and the search index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedBody {
    /// As `Rendered::html`, links to other postmortems pointed at their pages.
    pub html: String,
    /// As `Rendered::plain_text`.
    pub plain_text: String,
    /// As `Rendered::toc`: a build does not keep it either.
    pub toc: Vec<TocEntry>,
    /// As `Incident::body_timeline`, or for an incident whose metadata was inferred,
    /// its inferred timeline (`Incident::timeline`).
    pub timeline: Vec<TimelineEvent>,
    /// For an incident whose metadata was inferred, what its page lists as inferred
    /// (`Inference::fields`), which a build does not keep either; else empty.
    pub inferred: Vec<InferredField>,
}

/// What an incident's page shows of its body: its HTML, its headings, its timeline, and
/// what was inferred from it.
#[derive(Clone, Copy)]
pub(crate) struct PageBody<'a> {
    pub html: &'a str,
    pub toc: &'a [TocEntry],
    pub timeline: &'a [TimelineEvent],
    /// As [`LoadedBody::inferred`]; `None` for a body the incident holds, which holds
    /// the list too (`Incident::inferred_fields`).
    pub inferred: Option<&'a [InferredField]>,
}

impl<'a> PageBody<'a> {
    /// The body `incident` holds (`Bodies::Held`), whose HTML is `html`
    /// (`Rendered::html`: kept, or unpacked).
    pub(crate) fn held(
        incident: &'a Incident,
        html: &'a str,
        timeline: &'a [TimelineEvent],
    ) -> PageBody<'a> {
        PageBody {
            html,
            toc: &incident.body.toc,
            timeline,
            inferred: None,
        }
    }
}

impl LoadedBody {
    /// The page's body, loaded as `self`.
    pub(crate) fn page(&self) -> PageBody<'_> {
        PageBody {
            html: &self.html,
            toc: &self.toc,
            timeline: &self.timeline,
            inferred: Some(&self.inferred),
        }
    }
}

/// A body rendered again from its file: `Ok(body)`, or an error naming the file.
pub type LoadBody<'a> = dyn Fn(&Incident) -> Result<LoadedBody, RenderError> + Sync + 'a;

/// Where incident pages find their bodies' HTML.
#[derive(Clone, Copy)]
pub enum Bodies<'a> {
    /// In `Rendered::html` (`serve`, `check`, tests).
    Held,
    /// Rendered again from each incident's file when its page is made, and dropped once
    /// the page is: a build, whose `analyze` dropped them (`BodyHtml::Drop`).
    Loaded(&'a LoadBody<'a>),
}

/// Site-wide values every template sees as `site`.
#[derive(Debug, Serialize)]
struct SiteView<'a> {
    title: &'a str,
    description: &'a str,
    base_url: &'a str,
    timezone: &'a str,
    facets: Vec<FacetLink>,
    generator: &'static str,
    extra: &'a std::collections::BTreeMap<String, toml::Value>,
    /// The site-wide Atom feed, from the site root; absent when no feeds are written.
    feed_url: Option<&'static str>,
    /// `[publish] noindex`: every page asks search engines not to index it.
    noindex: bool,
    /// `[publish] content_security_policy`: the `<meta>` every page carries; empty for none.
    csp: &'a str,
    /// `[search] enabled`: the header has a search box and `search/` exists.
    search: bool,
    /// `teams/`, when the registry names a team: the navigation links it.
    teams_url: Option<&'static str>,
}

#[derive(Debug, Serialize)]
struct FacetLink {
    name: &'static str,
    url: String,
}

/// Renders every page of the site, in parallel, sorted by path.
pub fn render(
    site: &Site,
    theme: &Theme,
    options: &RenderOptions,
) -> Result<Vec<Page>, RenderError> {
    let pages = std::sync::Mutex::new(Vec::new());
    render_each(site, theme, options, Bodies::Held, |page| {
        pages.lock().unwrap_or_else(|e| e.into_inner()).push(page);
        Ok::<(), RenderError>(())
    })?;
    let mut pages = pages.into_inner().unwrap_or_else(|e| e.into_inner());
    pages.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(pages)
}

/// Renders every page in parallel and hands each to `sink` as soon as it exists, so a
/// build never holds the whole site in memory; incident pages take their bodies from
/// `bodies`. Returns the number of pages.
pub fn render_each<E>(
    site: &Site,
    theme: &Theme,
    options: &RenderOptions,
    bodies: Bodies<'_>,
    sink: impl Fn(Page) -> Result<(), E> + Sync,
) -> Result<usize, E>
where
    E: From<RenderError> + Send,
{
    let renderer = Renderer::for_site(site, theme, options, bodies)?;
    let jobs = jobs(site);
    jobs.par_iter()
        .try_for_each(|job| sink(renderer.render(job)?))?;
    Ok(jobs.len() + static_files(theme, &sink)?)
}

/// A build's files, streamed into `sink` as they are made: every page, and the search
/// index when the site has one and the sink takes it ([`Sink::takes_search_index`]).
/// Each incident's body is rendered again from its file by `load` once, for its page and
/// for the index's terms and snippet, and dropped: a build holds no body's text or HTML
/// after `analyze` (`BodyHtml::Drop`). Returns the number of files. `tera` is `theme`'s
/// templates ([`build_tera`]), which a build makes while it analyzes.
pub fn render_site<S: Sink>(
    site: &Site,
    theme: &Theme,
    tera: Templates,
    options: &RenderOptions,
    load: &LoadBody<'_>,
    sink: &S,
) -> Result<usize, S::Error> {
    let renderer = Renderer::with_tera(site, theme, tera, options, Bodies::Loaded(load))?;
    let jobs = jobs(site);
    let page = |page: Page| sink.page(page);
    if !site.config.search.enabled || !sink.takes_search_index() {
        jobs.par_iter()
            .try_for_each(|job| renderer.emit(job, sink))?;
        return Ok(jobs.len() + static_files(theme, page)?);
    }
    let search_files = std::sync::atomic::AtomicUsize::new(0);
    // The incident pages are made as the search index reads each incident's text; every
    // other page meanwhile.
    let (pages, search) = rayon::join(
        || {
            (jobs.par_iter())
                .filter(|job| !matches!(job, Job::Incident(_)))
                .try_for_each(|job| renderer.emit(job, sink))
        },
        || {
            let text = |position: usize| -> Result<Cow<'_, str>, S::Error> {
                let body = load(&site.incidents[position])?;
                let page = body.page();
                sink.page(renderer.incident_with_body(position, page)?)?;
                Ok(Cow::Owned(body.plain_text))
            };
            let scratch = || sink.scratch();
            let spill = search::Spill {
                scratch: &scratch,
                failed: |e| RenderError::Scratch(e.to_string()).into(),
                every: search::RUN,
            };
            let page = |page| {
                search_files.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                sink.page(page)
            };
            search::write_each_with(site, text, page, Some(spill))
        },
    );
    pages?;
    search?;
    Ok(jobs.len() + search_files.into_inner() + static_files(theme, page)?)
}

/// Where a build's files go, each as soon as it is made.
pub trait Sink: Sync {
    /// Why a file could not be taken.
    type Error: From<RenderError> + Send;

    /// Takes a whole file.
    fn page(&self, page: Page) -> Result<(), Self::Error>;

    /// Takes the file at `path` (relative to the output), which `write` writes in parts, so
    /// that the largest files (the data exports, `/incidents/`: hundreds of megabytes at
    /// 100,000 postmortems) need never be held whole. This default gathers the parts into
    /// one page.
    fn stream(&self, path: &str, write: &mut WriteParts<'_>) -> Result<(), Self::Error> {
        let mut bytes = Vec::new();
        write(&mut bytes)?;
        self.page(Page {
            path: path.to_string(),
            bytes,
        })
    }

    /// Whether the sink takes the search index's files. One that only needs every page
    /// to render (`hindsight check`) does not: the index is made from the same bodies the
    /// pages were, by Hindsight's code rather than the theme's, and fails only where a
    /// file cannot be written.
    fn takes_search_index(&self) -> bool {
        true
    }

    /// A scratch file, where the search index of a large archive sets aside runs of its
    /// terms until its shards are written, so that a build need not hold them all
    /// (`search::RUN`). `None`, this default, keeps them in memory: `serve`, `check` and
    /// tests write no files.
    fn scratch(&self) -> Option<Result<Box<dyn Scratch>, Self::Error>> {
        None
    }
}

/// A file a build sets things aside in while it renders, and reads them back from
/// ([`Sink::scratch`]); gone once dropped.
pub trait Scratch: std::io::Read + std::io::Write + std::io::Seek + Send {}

impl<T: std::io::Read + std::io::Write + std::io::Seek + Send> Scratch for T {}

/// What writes a file in parts into the writer it is given ([`Sink::stream`]).
pub type WriteParts<'a> = dyn FnMut(&mut dyn std::io::Write) -> Result<(), RenderError> + 'a;

/// A function that takes each page whole is a sink.
impl<F, E> Sink for F
where
    F: Fn(Page) -> Result<(), E> + Sync,
    E: From<RenderError> + Send,
{
    type Error = E;

    fn page(&self, page: Page) -> Result<(), E> {
        self(page)
    }
}

/// Hands the theme's static files to `sink`; returns how many.
fn static_files<E>(theme: &Theme, sink: impl Fn(Page) -> Result<(), E>) -> Result<usize, E> {
    for (path, bytes) in &theme.static_files {
        sink(Page {
            path: format!("static/{path}"),
            bytes: bytes.clone(),
        })?;
    }
    Ok(theme.static_files.len())
}

/// Every page of the site except the theme's static files, in a stable order. Partial
/// renders (`serve`) pick from the same list, so a new kind of page reaches both.
fn jobs(site: &Site) -> Vec<Job> {
    // The site-wide trend page and exports first: each is one long job, best started early.
    let mut jobs: Vec<Job> = vec![Job::Trends, Job::DataJson, Job::DataCsv];
    jobs.extend([Job::Home, Job::IncidentList, Job::Health, Job::NotFound]);
    if site.config.search.enabled {
        jobs.push(Job::Search);
    }
    jobs.extend((0..site.incidents.len()).map(Job::Incident));
    for facet in Facet::ALL {
        jobs.push(Job::Overview(facet));
        if pages::ranked_by_count(facet) {
            jobs.push(Job::OverviewByName(facet));
        }
        let terms = site.index.facet(facet).terms.len();
        jobs.extend((0..terms).map(|term| Job::Term(facet, term)));
    }
    if site.teams.any() {
        jobs.extend([Job::Teams, Job::TeamsByName]);
        jobs.extend((0..site.teams.teams.len()).map(Job::Team));
    }
    jobs.extend(publishing_jobs(site, &jobs));
    jobs
}

/// The feeds, `robots.txt` and the sitemap. The sitemap lists the HTML pages of `pages`,
/// so these jobs come after every other.
fn publishing_jobs(site: &Site, pages: &[Job]) -> Vec<Job> {
    let mut jobs = vec![Job::Robots];
    if feeds::enabled(&site.config) {
        jobs.push(Job::SiteFeed);
        let services = &site.index.facet(Facet::Service).terms;
        jobs.extend(
            (0..services.len())
                .filter(|&term| feeds::service_feed_path(&services[term]).is_some())
                .map(Job::ServiceFeed),
        );
    }
    jobs.extend(sitemap::sitemap_jobs(site, pages));
    jobs
}

/// A theme's templates, parsed ([`build_tera`]).
pub type Templates = Tera;

/// Parses the theme's templates; a syntax error names the template and the problem.
pub fn build_tera(theme: &Theme) -> Result<Templates, RenderError> {
    for required in REQUIRED_TEMPLATES {
        if !theme.templates.iter().any(|(name, _)| name == required) {
            return Err(RenderError::MissingTemplate(required.to_string()));
        }
    }
    let mut tera = Tera::default();
    // Tera's default escaping also rewrites `/` as `&#x2F;`, which bloats every URL;
    // escaping the five HTML-significant characters is what safety needs.
    tera.set_escape_fn(escape_html);
    tera.register_filter("truncate", truncate);
    tera.add_raw_templates(
        theme
            .templates
            .iter()
            .map(|(n, s)| (n.as_str(), s.as_str())),
    )
    .map_err(|e| template_error("theme", &e))?;
    Ok(tera)
}

/// Tera's `truncate` filter, to the letter (its arguments, defaults, result and error
/// messages), reading a string only as far as decides: Tera's splits the whole value into
/// graphemes first, which was 4.5% of building an archive without front matter, whose
/// pages truncate each value read from the prose. A value of no more bytes than `length`
/// has no more graphemes either, and is kept without reading it.
fn truncate(
    value: &tera::Value,
    args: &std::collections::HashMap<String, tera::Value>,
) -> tera::Result<tera::Value> {
    use unicode_segmentation::UnicodeSegmentation;
    let wrong_arg = |arg: &str, got: &tera::Value, expected: &str| {
        tera::Error::msg(format!(
            "Filter `truncate` received an incorrect type for arg `{arg}`: got `{got}` but expected a {expected}"
        ))
    };
    let Some(text) = value.as_str() else {
        return Err(tera::Error::msg(format!(
            "Filter `truncate` was called on an incorrect value: got `{value}` but expected a String"
        )));
    };
    let length = match args.get("length") {
        Some(l) => (l.as_u64())
            .and_then(|l| usize::try_from(l).ok())
            .ok_or_else(|| wrong_arg("length", l, "usize"))?,
        None => 255,
    };
    let end = match args.get("end") {
        Some(e) => e.as_str().ok_or_else(|| wrong_arg("end", e, "String"))?,
        None => "…",
    };
    if text.len() <= length {
        return Ok(value.clone());
    }
    Ok(match text.grapheme_indices(true).nth(length) {
        None => value.clone(),
        Some((at, _)) => tera::Value::String(format!("{}{end}", &text[..at])),
    })
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape_html(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + input.len() / 8);
    escape_html_into(&mut out, input);
    out
}

/// Appends `input` to `out` escaped as [`escape_html`] does: the crate's one escaper,
/// `parse::markdown::escape_attr`, which copies the runs between the five special
/// characters whole (Tera calls the escaper for every value a page prints).
pub(crate) fn escape_html_into(out: &mut String, input: &str) {
    crate::parse::markdown::escape_attr(out, input);
}

/// Escapes text for XML element content and quoted attribute values (feeds, sitemap).
/// The HTML escaper covers XML's five special characters, but XML 1.0 also forbids most
/// control characters outright, even as references; a pasted terminal escape in a title
/// would make the whole feed unreadable, so those become U+FFFD.
fn escape_xml(input: &str) -> String {
    let allowed = |c: char| {
        matches!(c, '\t' | '\n' | '\r')
            || ('\u{20}'..='\u{D7FF}').contains(&c)
            || ('\u{E000}'..='\u{FFFD}').contains(&c)
            || c >= '\u{10000}'
    };
    if input.chars().all(allowed) {
        return escape_html(input);
    }
    let cleaned: String = input
        .chars()
        .map(|c| if allowed(c) { c } else { '\u{FFFD}' })
        .collect();
    escape_html(&cleaned)
}

fn template_error(template: &str, error: &tera::Error) -> RenderError {
    // Tera nests the useful message in its source chain; show all of it.
    let mut message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        message.push_str(": ");
        message.push_str(&inner.to_string());
        source = inner.source();
    }
    RenderError::Template {
        template: template.to_string(),
        page: None,
        message,
    }
}

#[derive(Debug)]
enum Job {
    Home,
    IncidentList,
    NotFound,
    /// `search/index.html`; its data comes from `crate::render::search`.
    Search,
    Incident(usize),
    Overview(Facet),
    /// `<facet>/by-name.html`: the overview of a facet ranked by count, sorted by name.
    OverviewByName(Facet),
    Term(Facet, usize),
    /// `teams/index.html`, when the registry names a team.
    Teams,
    /// `teams/by-name.html`: the same teams sorted by name.
    TeamsByName,
    /// A team's page, by position in `Site::teams`.
    Team(usize),
    Trends,
    /// `health/index.html`: postmortem quality across the archive.
    Health,
    DataJson,
    DataCsv,
    /// `feed.xml`.
    SiteFeed,
    /// A service's feed, by position in the service facet's terms.
    ServiceFeed(usize),
    Sitemap(sitemap::SitemapFile),
    Robots,
}

impl Job {
    /// The file this job writes, relative to the output folder: the one place every page's
    /// name is made without rendering it (the sitemap lists them, a partial render names
    /// the pages it skipped, `serve` holds requests for those it is writing). A unit test
    /// checks it against the path of every page rendered.
    fn path(&self, site: &Site) -> String {
        match self {
            Job::Home => "index.html".to_string(),
            Job::IncidentList => "incidents/index.html".to_string(),
            Job::NotFound => "404.html".to_string(),
            Job::Search => "search/index.html".to_string(),
            Job::Incident(position) => {
                format!("incidents/{}/index.html", site.incidents[*position].slug)
            }
            Job::Overview(facet) => pages::overview_path(*facet, false),
            Job::OverviewByName(facet) => pages::overview_path(*facet, true),
            Job::Term(facet, position) => format!(
                "{}index.html",
                term_url(*facet, &site.index.facet(*facet).terms[*position])
            ),
            Job::Teams => pages::listing_path(teams::TEAMS, false),
            Job::TeamsByName => pages::listing_path(teams::TEAMS, true),
            Job::Team(position) => teams::team_path(&site.teams.teams[*position]),
            Job::Trends => "trends/index.html".to_string(),
            Job::Health => "health/index.html".to_string(),
            Job::DataJson => trends::JSON_PATH.to_string(),
            Job::DataCsv => trends::CSV_PATH.to_string(),
            Job::SiteFeed => feeds::SITE_FEED.to_string(),
            Job::ServiceFeed(position) => {
                let term = &site.index.facet(Facet::Service).terms[*position];
                feeds::service_feed_path(term).unwrap_or_default()
            }
            Job::Sitemap(file) => file.path(),
            Job::Robots => sitemap::ROBOTS.to_string(),
        }
    }
}

struct Renderer<'a> {
    site: &'a Site,
    /// The theme's templates: `serve`'s renderers borrow the session's.
    tera: Cow<'a, Tera>,
    tz: Tz,
    rows: RowData,
    /// Each incident's table row from `incident_row.html`, rendered once for pages whose
    /// root is [`SHARED_ROW_ROOT`].
    row_html: SharedRows,
    /// The same rows for the incident list's depth ([`LIST_ROW_ROOT`]), when a partial
    /// render (`serve`) kept them from the previous one; empty otherwise.
    list_row_html: Vec<String>,
    /// Whether `row_html[i]` holds [`SHARED_ROW_ROOT`] exactly where the root goes, so a
    /// page of another depth takes it with that root swapped in ([`shared_row`]); empty in a
    /// partial render, whose rows for other depths are rendered anew.
    relocatable: Vec<bool>,
    base: Context,
    /// Whether the theme has `header.html`, which the default `base.html` prints as `header`.
    has_header: bool,
    /// Whether incident pages carry `incident.similar`: only when a template of the site's
    /// own mentions `similar` (the default ones print `similar_items`), since serializing
    /// five links into every page's context costs about as much as printing them did.
    similar_links: bool,
    /// Whether incident pages carry `incident.related`: only when a template of the site's
    /// own mentions `related` (the default ones print the rows, `related_rows`), as with
    /// [`Renderer::similar_links`].
    related_links: bool,
    /// Whether the theme has `similar_item.html`, from which incident pages get
    /// `similar_items` ([`Renderer::similar_items`]).
    has_similar_item: bool,
    /// Each incident's item in "Similar incidents" lists, made the first time a page at
    /// [`SHARED_ROW_ROOT`] lists it, with a marker for the shared words; `None` inside when
    /// its data holds a marker.
    similar_item_html: Vec<std::sync::OnceLock<Option<String>>>,
    /// `header.html` as made so far for each root and section ([`Renderer::header`]).
    headers: std::sync::Mutex<std::collections::HashMap<(String, String), String>>,
    /// Why `header.html` failed to render, if it did: the error a page needing it reports.
    header_error: std::sync::OnceLock<String>,
    /// The date the site is as of: action items due before it are overdue.
    as_of: chrono::NaiveDate,
    /// The trend figures, computed once: `/trends/`, the exports and term pages show them.
    /// `None` only while `serve` renders the pages of the incidents just edited, before
    /// the figures (an incident page shows none of them: [`Renderer::trends`]).
    trends: Option<crate::analyze::trends::Trends>,
    /// Every incident's quality score, by position, scored once for the incident pages and
    /// `/health/` in a full build; empty in a partial render (`serve`), where each page
    /// scores what it shows.
    quality: Cow<'a, [crate::analyze::quality::Quality]>,
    /// Where incident pages find their bodies.
    bodies: Bodies<'a>,
}

/// How many incidents' table rows [`Renderer::new`] makes at once.
const ROWS_AT_ONCE: usize = 4096;

/// The data of the incidents' table rows (`IncidentRow`, about 1 KB an incident).
enum RowData {
    /// By position: `serve` keeps them between edits, to render only the rows that changed.
    Held(Vec<IncidentRow>),
    /// Made where a page reads one ([`Renderer::row`]): a build renders every row's HTML
    /// once, which all lists take, and only incident pages, trends and a few links read
    /// a row's data, so holding them all (100 MB at 100,000) cost far more than making
    /// those again.
    Made,
}

impl RowData {
    /// The rows held; none when they are made where read.
    fn into_held(self) -> Vec<IncidentRow> {
        match self {
            RowData::Held(rows) => rows,
            RowData::Made => Vec::new(),
        }
    }
}

impl<'a> Renderer<'a> {
    /// The table row's data of the incident at `position`.
    fn row(&self, position: usize) -> Cow<'_, IncidentRow> {
        match &self.rows {
            RowData::Held(rows) => Cow::Borrowed(&rows[position]),
            RowData::Made => Cow::Owned(row(
                &self.site.config,
                TermLinks(&self.site.index),
                &self.site.incidents[position],
            )),
        }
    }

    /// What an incident page shows of another incident it links to, at `position`.
    fn incident_link(&self, position: usize) -> IncidentLink<'_> {
        match &self.rows {
            RowData::Held(rows) => IncidentLink::of(&rows[position]),
            RowData::Made => views::link(
                &self.site.config,
                TermLinks(&self.site.index),
                &self.site.incidents[position],
            ),
        }
    }

    /// The date a row of the incident at `position` shows.
    fn row_date(&self, position: usize) -> Option<Cow<'_, str>> {
        match &self.rows {
            RowData::Held(rows) => rows[position].date.as_deref().map(Cow::Borrowed),
            RowData::Made => {
                views::row_date(&self.site.incidents[position], self.tz).map(Cow::Owned)
            }
        }
    }

    fn new(site: &'a Site, tera: Tera, options: &RenderOptions) -> Result<Self, RenderError> {
        let links = TermLinks(&site.index);
        // Every list takes its rows from their HTML, made here once; the few pages that
        // read a row's data make it again ([`Renderer::row`]). Each row's data is made,
        // rendered and dropped in turn, a batch at a time, and the batch's HTML packed as
        // it comes: made all at once, the rows' data and HTML of a 100,000 build were
        // some 170 MB held together, the build's peak.
        let mut row_html = shared::SharedRowsMade::packed_over(shared::PACK_ROWS_OVER);
        let mut relocatable = Vec::with_capacity(site.incidents.len());
        for batch in site.incidents.chunks(ROWS_AT_ONCE) {
            let shared = (batch.par_iter())
                .map(|incident| shared_row(&tera, &row(&site.config, links, incident)))
                .collect::<Result<Vec<(String, bool)>, RenderError>>()?;
            let (html, relocates): (Vec<String>, Vec<bool>) = shared.into_iter().unzip();
            relocatable.extend(relocates);
            row_html.extend(html);
        }
        let row_html = row_html.done();
        // The trend figures once the rows' data is dropped and their HTML packed: computed
        // beside the rows, they raised a 100,000 build's peak by some 30 MiB, past 600.
        let trends = crate::analyze::trends::compute(site, options.as_of);
        let mut renderer = Self::with_trends(
            site,
            Cow::Owned(tera),
            RowData::Made,
            row_html,
            options.as_of,
            Some(trends),
        );
        renderer.relocatable = relocatable;
        renderer.quality = site.scores();
        Ok(renderer)
    }

    /// A renderer over rows made elsewhere: `rows[i]` and `row_html[i]` must belong to
    /// `site.incidents[i]` (partial renders reuse the rows of unchanged incidents), with
    /// the trend figures computed already (`serve` keeps them while only bodies change:
    /// they read no body), or to be set before any page but an incident's is rendered
    /// (`None`).
    fn with_trends(
        site: &'a Site,
        tera: Cow<'a, Tera>,
        rows: RowData,
        row_html: SharedRows,
        as_of: chrono::NaiveDate,
        trends: Option<crate::analyze::trends::Trends>,
    ) -> Self {
        let tz = site.config.tz();
        let config = &site.config;
        let view = SiteView {
            title: &config.title,
            description: &config.description,
            base_url: &config.base_url,
            timezone: &config.timezone,
            // Only facets some incident has a value for: the navigation offers no empty
            // vocabulary.
            facets: pages::listed_facets(site)
                .iter()
                .map(|facet| FacetLink {
                    name: facet.names().1,
                    url: format!("{}/", facet.path()),
                })
                .collect(),
            generator: concat!("Hindsight ", env!("CARGO_PKG_VERSION")),
            extra: &config.extra,
            feed_url: feeds::enabled(config).then_some(feeds::SITE_FEED),
            noindex: config.publish.noindex,
            csp: &config.publish.content_security_policy,
            search: config.search.enabled,
            teams_url: site.teams.any().then_some("teams/"),
        };
        let mut base = Context::new();
        base.insert("site", &view);
        let has_header = tera.get_template_names().any(|name| name == "header.html");
        let has_similar_item = tera
            .get_template_names()
            .any(|name| name == "similar_item.html");
        let similar_item_html = site.incidents.iter().map(|_| Default::default()).collect();
        Renderer {
            site,
            tera,
            tz,
            rows,
            row_html,
            list_row_html: Vec::new(),
            relocatable: Vec::new(),
            has_header,
            similar_links: true,
            related_links: true,
            has_similar_item,
            similar_item_html,
            base,
            headers: Default::default(),
            header_error: Default::default(),
            as_of,
            trends,
            quality: Cow::Borrowed(&[]),
            bodies: Bodies::Held,
        }
    }

    /// The renderer of every page of `site` in `theme`, its incident pages' bodies from
    /// `bodies`.
    fn for_site(
        site: &'a Site,
        theme: &Theme,
        options: &RenderOptions,
        bodies: Bodies<'a>,
    ) -> Result<Self, RenderError> {
        Renderer::with_tera(site, theme, build_tera(theme)?, options, bodies)
    }

    /// [`Renderer::for_site`] with `theme`'s templates made already.
    fn with_tera(
        site: &'a Site,
        theme: &Theme,
        tera: Tera,
        options: &RenderOptions,
        bodies: Bodies<'a>,
    ) -> Result<Self, RenderError> {
        let mut renderer = Renderer::new(site, tera, options)?.for_theme(theme);
        renderer.bodies = bodies;
        Ok(renderer)
    }

    /// The renderer for pages of `theme`: `incident.similar` and `incident.related` only
    /// for a site whose own templates mention them ([`Renderer::similar_links`],
    /// [`Renderer::related_links`]).
    fn for_theme(mut self, theme: &Theme) -> Self {
        self.similar_links = theme.own_templates_mention("similar");
        self.related_links = theme.own_templates_mention("related");
        self
    }

    /// The quality score of the incident at `position`: the one scored for the whole build,
    /// else scored now.
    fn quality(&self, position: usize) -> std::borrow::Cow<'_, crate::analyze::quality::Quality> {
        match self.quality.get(position) {
            Some(quality) => std::borrow::Cow::Borrowed(quality),
            None => std::borrow::Cow::Owned(crate::analyze::quality::score(
                &self.site.incidents[position],
            )),
        }
    }

    /// The table rows of the incidents at `positions`, joined, with links relative to a
    /// page whose root is `root`: shared rows where the depth matches, fresh ones elsewhere.
    fn rows_html(
        &self,
        positions: impl Iterator<Item = usize>,
        root: &str,
    ) -> Result<String, RenderError> {
        let mut html = String::new();
        self.push_rows_html(&mut html, positions, root)?;
        Ok(html)
    }

    /// [`Renderer::rows_html`], appended to `html`.
    fn push_rows_html(
        &self,
        html: &mut String,
        positions: impl Iterator<Item = usize>,
        root: &str,
    ) -> Result<(), RenderError> {
        for position in positions {
            self.push_row_html(html, position, root)?;
        }
        Ok(())
    }

    /// The table row of the incident at `position`, appended to `html`.
    fn push_row_html(
        &self,
        html: &mut String,
        position: usize,
        root: &str,
    ) -> Result<(), RenderError> {
        if root == SHARED_ROW_ROOT {
            html.push_str(&self.row_html.get(position));
        } else if let Some(row) = self.list_row_html.get(position)
            && root == LIST_ROW_ROOT
        {
            html.push_str(row);
        } else if self.relocatable.get(position) == Some(&true) {
            relocate(html, &self.row_html.get(position), root);
        } else {
            html.push_str(&render_row(&self.tera, &self.row(position), root)?);
        }
        Ok(())
    }

    /// A page listing the incidents at `positions` as table rows (`rows` in `context`,
    /// made by [`Renderer::rows_html`] for the page at `path`). The template is rendered
    /// with [`ROWS_MARKER`] for the rows, which are then written into the page at its
    /// place ([`RowsPage`]): the rows are never joined apart from the page, and a build
    /// writes them straight to the file (`/incidents/` is 56 MB of rows at 100,000
    /// postmortems). A template that escapes `rows` or shows it twice, or a page without
    /// rows, is rendered with the rows themselves; one that reads `rows` otherwise (its
    /// length, say) reads the marker, which the README's theme section rules out.
    fn page_with_rows<I>(
        &self,
        path: &str,
        template: &str,
        mut context: Context,
        positions: I,
    ) -> Result<RowsPage<I>, RenderError>
    where
        I: Iterator<Item = usize> + Clone,
    {
        let root = root_of(path);
        let capacity: usize = (positions.clone()).map(|p| self.row_html.len_of(p)).sum();
        if capacity > 0 {
            context.insert("rows", ROWS_MARKER);
            let page = self.page(path, template, &context)?;
            if let Ok(text) = String::from_utf8(page.bytes) {
                let mut found = text.match_indices(ROWS_MARKER).map(|(at, _)| at);
                if let (Some(at), None) = (found.next(), found.next()) {
                    return Ok(RowsPage::Around(Around {
                        path: page.path,
                        text,
                        at,
                        positions,
                        root,
                        capacity,
                    }));
                }
            }
        }
        let rows = self.rows_html(positions, &root)?;
        let capacity = PAGE_CAPACITY + rows.len();
        insert_html(&mut context, "rows", rows);
        self.sized_page(path, template, &context, capacity)
            .map(RowsPage::Whole)
    }

    /// The page `made` in one buffer.
    fn rows_page<I: Iterator<Item = usize>>(&self, made: RowsPage<I>) -> Result<Page, RenderError> {
        match made {
            RowsPage::Whole(page) => Ok(page),
            RowsPage::Around(around) => {
                let path = around.path.clone();
                let mut bytes = Vec::with_capacity(around.text.len() + around.capacity);
                self.write_around(around, &mut bytes)?;
                Ok(Page { path, bytes })
            }
        }
    }

    /// The page `made` handed to `sink`, its rows written one by one.
    fn emit_rows_page<I, S>(&self, made: RowsPage<I>, sink: &S) -> Result<(), S::Error>
    where
        I: Iterator<Item = usize>,
        S: Sink,
    {
        match made {
            RowsPage::Whole(page) => sink.page(page),
            RowsPage::Around(around) => {
                let path = around.path.clone();
                let mut around = Some(around);
                sink.stream(&path, &mut |to| match around.take() {
                    Some(around) => self.write_around(around, to),
                    None => Ok(()),
                })
            }
        }
    }

    /// The template's text of `around` up to its marker, each row, then the rest, into `to`.
    fn write_around<I: Iterator<Item = usize>>(
        &self,
        around: Around<I>,
        to: &mut dyn std::io::Write,
    ) -> Result<(), RenderError> {
        let Around {
            path,
            text,
            at,
            positions,
            root,
            ..
        } = around;
        let failed = |error: std::io::Error| RenderError::Export {
            path: path.clone(),
            message: error.to_string(),
        };
        to.write_all(&text.as_bytes()[..at]).map_err(failed)?;
        let mut row = String::new();
        for position in positions {
            row.clear();
            self.push_row_html(&mut row, position, &root)?;
            to.write_all(row.as_bytes()).map_err(failed)?;
        }
        to.write_all(&text.as_bytes()[at + ROWS_MARKER.len()..])
            .map_err(failed)
    }

    /// The trend figures. Every renderer has them but the one `serve` makes the edited
    /// incidents' pages with, first ([`partial::render_selected`]), and an incident page
    /// reads none of them: a call without them is a bug in this crate, never input.
    fn trends(&self) -> &crate::analyze::trends::Trends {
        self.trends
            .as_ref()
            .expect("the trend figures are set before any page but an incident's")
    }

    /// `/incidents/`, around its rows.
    fn incident_list(&self) -> Result<RowsPage<std::ops::Range<usize>>, RenderError> {
        let mut context = self.context("incidents/index.html", "All incidents");
        let incidents = &self.site.incidents;
        let description = previews::incident_list(incidents, self.tz);
        context.insert("description", &description);
        context.insert("count", &incidents.len());
        let all = 0..incidents.len();
        self.page_with_rows("incidents/index.html", "incidents.html", context, all)
    }

    /// Hands the page of `job` to `sink`: the largest (the data exports and the pages
    /// listing incidents) written in parts, every other whole.
    fn emit<S: Sink>(&self, job: &Job, sink: &S) -> Result<(), S::Error> {
        match job {
            Job::DataJson => sink.stream(trends::JSON_PATH, &mut |to| self.write_data_json(to)),
            Job::DataCsv => sink.stream(trends::CSV_PATH, &mut |to| self.write_data_csv(to)),
            Job::IncidentList => self.emit_rows_page(self.incident_list()?, sink),
            Job::Term(facet, term) => self.emit_rows_page(self.term(*facet, *term)?, sink),
            job => sink.page(self.render(job)?),
        }
    }

    fn render(&self, job: &Job) -> Result<Page, RenderError> {
        match job {
            Job::Home => self.home(),
            Job::IncidentList => self.rows_page(self.incident_list()?),
            Job::Search => {
                let mut context = self.context("search/index.html", "Search");
                let description = format!(
                    "Search {} postmortems by their words, services, root causes and more",
                    self.site.incidents.len()
                );
                context.insert("description", &description);
                self.page("search/index.html", "search.html", &context)
            }
            Job::NotFound => {
                let mut context = self.context("404.html", "Page not found");
                let title = &self.site.config.title;
                context.insert(
                    "description",
                    &format!("No page of {title} is at this address"),
                );
                // A server shows this page at any depth, so relative links would break.
                let root = base_path(&self.site.config.base_url);
                context.insert("root", &root);
                self.insert_header(&mut context, &root, "404.html");
                // The page is shown at whatever address was missing; it has no canonical one.
                context.insert("canonical_url", &None::<String>);
                self.page("404.html", "404.html", &context)
            }
            Job::Incident(i) => self.incident(*i),
            Job::Overview(facet) => self.overview(*facet, false),
            Job::OverviewByName(facet) => self.overview(*facet, true),
            Job::Term(facet, term) => self.rows_page(self.term(*facet, *term)?),
            Job::Teams => self.teams_overview(false),
            Job::TeamsByName => self.teams_overview(true),
            Job::Team(team) => self.team(*team),
            Job::Trends => self.trends_page(),
            Job::Health => self.health_page(),
            Job::DataJson => self.data_json(),
            Job::DataCsv => Ok(self.data_csv()),
            Job::SiteFeed => Ok(self.site_feed()),
            Job::ServiceFeed(term) => Ok(self.service_feed(*term)),
            Job::Sitemap(file) => Ok(self.sitemap(*file)),
            Job::Robots => Ok(self.robots()),
        }
    }

    /// The per-page context: the shared site values, the page title, the relative root.
    fn context(&self, path: &str, title: &str) -> Context {
        let mut context = self.base.clone();
        let root = root_of(path);
        let page_path = path.trim_end_matches("index.html");
        context.insert("root", &root);
        self.insert_header(&mut context, &root, page_path);
        context.insert("page_title", title);
        context.insert("page_path", page_path);
        context.insert(
            "canonical_url",
            &canonical_url(&self.site.config.base_url, path),
        );
        // The page's own feed, from the site root (a service's page has one).
        context.insert("feed_url", &feeds::feed_of_page(self.site, path));
        // What a link preview says (`<meta name="description">`, OpenGraph); pages that
        // know more about themselves replace it.
        context.insert("description", &self.site.config.description);
        context.insert("og_type", "website");
        context
    }

    fn page(&self, path: &str, template: &str, context: &Context) -> Result<Page, RenderError> {
        self.sized_page(path, template, context, PAGE_CAPACITY)
    }

    /// A page expected to be about `capacity` bytes long. Tera writes straight into the
    /// page's bytes: `Tera::render` starts from 2 KB, grows the buffer a page of 25 KB
    /// takes four times, and then checks again that what it wrote is UTF-8.
    fn sized_page(
        &self,
        path: &str,
        template: &str,
        context: &Context,
        capacity: usize,
    ) -> Result<Page, RenderError> {
        let mut bytes = Vec::with_capacity(capacity);
        self.tera
            .render_to(template, context, &mut bytes)
            .map_err(|e| match self.header_error.get() {
                // The page failed for want of its header: say why the header failed.
                Some(message) => RenderError::Template {
                    template: "header.html".to_string(),
                    page: None,
                    message: message.clone(),
                },
                None => template_error(template, &e),
            })
            .map_err(|e| e.on_page(|| path.to_string()))?;
        Ok(Page {
            path: path.to_string(),
            bytes,
        })
    }
}

/// A page listing incidents as rows ([`Renderer::page_with_rows`]): made whole, or its
/// template's text with the rows to write in at `at`, where the marker is.
enum RowsPage<I> {
    Whole(Page),
    Around(Around<I>),
}

/// A list page's text with its rows still to be written in at `at`.
struct Around<I> {
    path: String,
    text: String,
    at: usize,
    positions: I,
    /// The root the rows' links are relative to.
    root: String,
    /// The rows' length in bytes, as far as they are shared.
    capacity: usize,
}

/// What a list page's template is given as its `rows` while it is rendered
/// ([`Renderer::page_with_rows`]): an HTML comment, which escaping changes.
const ROWS_MARKER: &str = "<!--hindsight:rows-->";

/// Puts `html` into `context` as `key`, moved rather than copied as `Context::insert`
/// would: a list's rows run to megabytes at 10,000 incidents, and the big lists render
/// side by side at the start of a build.
fn insert_html(context: &mut Context, key: &str, html: String) {
    let mut value = serde_json::Map::new();
    value.insert(key.to_string(), serde_json::Value::String(html));
    // A map always makes a context.
    if let Ok(moved) = Context::from_value(serde_json::Value::Object(value)) {
        context.extend(moved);
    }
}

/// The relative path from a page back to the site root: `./`, `../`, `../../`.
fn root_of(path: &str) -> String {
    match path.matches('/').count() {
        0 => "./".to_string(),
        depth => "../".repeat(depth),
    }
}

/// The path part of `base_url`, always ending in `/`: "https://x/eng/pm/" → "/eng/pm/".
fn base_path(base_url: &str) -> String {
    let after_scheme = base_url
        .split_once("://")
        .map_or(base_url, |(_, rest)| rest);
    let path = if base_url.contains("://") {
        after_scheme.find('/').map_or("/", |i| &after_scheme[i..])
    } else {
        after_scheme
    };
    let path = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    };
    if path.ends_with('/') {
        path
    } else {
        format!("{path}/")
    }
}

/// Whether `base_url` names a host, which canonical links, feeds and the sitemap need.
fn has_host(base_url: &str) -> bool {
    base_url.contains("://")
}

/// The absolute URL of a page, when `base_url` is absolute; canonical links need a host.
fn canonical_url(base_url: &str, path: &str) -> Option<String> {
    if !has_host(base_url) {
        return None;
    }
    let base = base_url.trim_end_matches('/');
    Some(format!("{base}/{}", path.trim_end_matches("index.html")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::incident::InferredMetadata;

    fn site() -> Site {
        let file = |name: &str, body: &str| {
            crate::parse::source::SourceFile {
            path: format!("content/{name}.md"),
            stem: name.to_string(),
            bytes: Ok(format!(
                "---\ntitle: {name}\nservices: [api]\nstarted_at: 2024-01-0{}T00:00:00Z\n---\n{body}\n",
                name.len()
            )
            .into_bytes()),
        }
        };
        let sources = [
            file("a", "The *cache* stampeded."),
            file("bb", "## Timeline\n\nA queue backed up behind the cache."),
        ];
        let config = crate::model::config::Config::default();
        crate::analyze::site::analyze(&config, &sources, Default::default()).0
    }

    fn sorted(pages: std::sync::Mutex<Vec<Page>>) -> Vec<Page> {
        let mut pages = pages.into_inner().unwrap();
        pages.sort_by(|a, b| a.path.cmp(&b.path));
        pages
    }

    /// A build's pages and search index, made from bodies loaded again while the site
    /// holds none, are those made from the bodies the site holds.
    #[test]
    fn a_site_rendered_from_loaded_bodies_is_the_one_rendered_from_held_ones() {
        let (held, theme, options) = (site(), Theme::embedded(), RenderOptions::default());
        // As `BodyHtml::Drop` leaves it: scored while the bodies were there, then bare.
        let mut bare = site();
        bare.quality = crate::analyze::quality::score_all(&held.incidents);
        for incident in &mut bare.incidents {
            incident.body.html.clear();
            incident.body.plain_text.clear();
            incident.body.toc.clear();
            incident.body_timeline.clear();
            if incident.inferred.is_some() {
                incident.inferred = Some(InferredMetadata::SetAside);
            }
        }
        let load = |incident: &Incident| {
            let source = held.incident(&incident.slug).unwrap();
            Ok(LoadedBody {
                html: source.body.html.clone(),
                plain_text: source.body.plain_text.clone(),
                toc: source.body.toc.clone(),
                timeline: source.timeline().into_owned(),
                inferred: source.inferred_fields(&held.config),
            })
        };
        let kept = Kept::default();
        let count = render_site(
            &bare,
            &theme,
            build_tera(&theme).unwrap(),
            &options,
            &load,
            &kept,
        )
        .unwrap();
        let in_parts = kept.in_parts.into_inner().unwrap();
        for path in [
            "data/incidents.csv",
            "data/incidents.json",
            "incidents/index.html",
            "services/api/index.html",
        ] {
            assert!(in_parts.iter().any(|p| p == path), "{path}: {in_parts:?}");
        }
        let streamed = sorted(kept.pages);
        let expected = std::sync::Mutex::new(render(&held, &theme, &options).unwrap());
        search::write_each(&held, |page| {
            expected.lock().unwrap().push(page);
            Ok::<(), RenderError>(())
        })
        .unwrap();
        let expected = sorted(expected);
        assert_eq!(count, expected.len());
        assert!(streamed.iter().any(|p| p.path == "search/d/0.js"));
        let differ: Vec<&str> = (streamed.iter().zip(&expected))
            .filter(|(a, b)| a != b)
            .map(|(a, _)| a.path.as_str())
            .collect();
        assert!(
            streamed.len() == expected.len() && differ.is_empty(),
            "{differ:?}"
        );
    }

    /// A sink that keeps every file, taking the largest in parts as a build does.
    #[derive(Default)]
    struct Kept {
        pages: std::sync::Mutex<Vec<Page>>,
        /// The paths of the files taken in parts.
        in_parts: std::sync::Mutex<Vec<String>>,
    }

    impl Sink for Kept {
        type Error = RenderError;

        fn page(&self, page: Page) -> Result<(), RenderError> {
            self.pages.lock().unwrap().push(page);
            Ok(())
        }

        fn stream(&self, path: &str, write: &mut WriteParts<'_>) -> Result<(), RenderError> {
            // A writer that takes a few bytes at a time, as a full pipe might.
            struct Slow(Vec<u8>);
            impl std::io::Write for Slow {
                fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
                    let n = bytes.len().min(7);
                    self.0.extend_from_slice(&bytes[..n]);
                    Ok(n)
                }
                fn flush(&mut self) -> std::io::Result<()> {
                    Ok(())
                }
            }
            let mut to = Slow(Vec::new());
            write(&mut to)?;
            self.in_parts.lock().unwrap().push(path.to_string());
            self.page(Page {
                path: path.to_string(),
                bytes: to.0,
            })
        }
    }

    /// A body that cannot be loaded again fails the whole render with its error.
    #[test]
    fn a_body_that_cannot_be_loaded_again_fails_the_render() {
        let site = site();
        let load = |incident: &Incident| match incident.slug.as_str() {
            "bb" => Err(RenderError::Body {
                path: incident.source.clone(),
                message: "it changed".into(),
            }),
            _ => Ok(LoadedBody {
                html: String::new(),
                plain_text: String::new(),
                toc: Vec::new(),
                timeline: Vec::new(),
                inferred: Vec::new(),
            }),
        };
        let options = RenderOptions::default();
        let theme = Theme::embedded();
        let tera = build_tera(&theme).unwrap();
        let error = render_site(&site, &theme, tera, &options, &load, &|_| {
            Ok::<(), RenderError>(())
        })
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "failed to read content/bb.md again for its page: it changed"
        );
    }

    #[test]
    fn paths() {
        assert_eq!(
            base_path("https://intranet.example/eng/postmortems/"),
            "/eng/postmortems/"
        );
        assert_eq!(base_path("https://intranet.example"), "/");
        assert_eq!(base_path("/"), "/");
        assert_eq!(base_path("docs"), "/docs/");
        assert_eq!(
            canonical_url("https://x.example/pm/", "incidents/a/index.html").as_deref(),
            Some("https://x.example/pm/incidents/a/")
        );
        assert_eq!(canonical_url("/", "index.html"), None);
    }

    #[test]
    fn html_escaping() {
        for input in ["", "plain", "a < b & \"c\" 'd' >", "é😀<&>", "&&", "<"] {
            let mut expected = String::new();
            crate::parse::markdown::escape_attr(&mut expected, input);
            assert_eq!(escape_html(input), expected, "{input}");
        }
        assert_eq!(escape_html("x<y>'z'"), "x&lt;y&gt;&#39;z&#39;");
    }

    #[test]
    fn xml_escaping() {
        assert_eq!(
            escape_xml("a < b & \"c\" 'd'"),
            "a &lt; b &amp; &quot;c&quot; &#39;d&#39;"
        );
        assert_eq!(escape_xml("tab\tline\n"), "tab\tline\n");
        assert_eq!(
            escape_xml("red \u{1b}[31m\u{0}"),
            "red \u{FFFD}[31m\u{FFFD}"
        );
        assert_eq!(escape_xml("\u{FFFE}é😀"), "\u{FFFD}é😀");
    }

    /// Every job names, without rendering, the path of the page it renders: the sitemap,
    /// a partial render's page list and `serve`'s held requests all go by that name.
    #[test]
    fn every_job_names_the_page_it_renders() {
        let config = "base_url = \"https://x.example/pm/\"\n\
            [[services]]\nname = \"api\"\nteam = \"Platform\"\n";
        let files = [
            (
                "a",
                crate::testing::titled("a", "services: [api]\nstarted_at: 2024-01-01T00:00:00Z"),
            ),
            (
                "b",
                crate::testing::titled("b", "services: [web]\nroot_cause: config\ntags: [dns]"),
            ),
        ];
        let site = crate::testing::site_of(config, &files);
        let options = RenderOptions::default();
        let renderer =
            Renderer::for_site(&site, &Theme::embedded(), &options, Bodies::Held).unwrap();
        let jobs = jobs(&site);
        for kind in [
            "Team(",
            "ServiceFeed(",
            "Sitemap(",
            "Robots",
            "OverviewByName(",
            "Search",
        ] {
            assert!(
                jobs.iter().any(|job| format!("{job:?}").starts_with(kind)),
                "{kind}"
            );
        }
        for job in &jobs {
            let page = match job {
                Job::DataJson => renderer.data_json().unwrap(),
                Job::DataCsv => renderer.data_csv(),
                _ => renderer.render(job).unwrap(),
            };
            assert_eq!(page.path, job.path(&site), "{job:?}");
        }
    }
    /// The JSON export, each incident serialized straight into its place in the page, is
    /// the page joined from each incident's object as `serve` keeps them.
    #[test]
    fn the_json_export_written_in_place_is_the_one_joined_from_its_objects() {
        let site = site();
        let options = RenderOptions::default();
        let renderer =
            Renderer::for_site(&site, &Theme::embedded(), &options, Bodies::Held).unwrap();
        let lines: Vec<_> = (0..site.incidents.len())
            .map(|position| renderer.export_lines(position, None).unwrap())
            .collect();
        let objects: Vec<&[u8]> = lines.iter().map(|line| line.json.as_slice()).collect();
        let mut joined = Vec::new();
        renderer.write_json_export(&objects, &mut joined).unwrap();
        let written = renderer.data_json().unwrap();
        assert!(site.incidents.len() >= 2 && objects.iter().all(|o| o.len() > 100));
        assert_eq!(
            String::from_utf8(written.bytes).unwrap(),
            String::from_utf8(joined).unwrap()
        );
    }

    /// A list page's rows written into the page after its template is rendered are the
    /// page Tera makes with the rows in its context, for any use a theme makes of them.
    #[test]
    fn rows_written_into_a_list_page_are_those_its_template_shows() {
        let site = site();
        let options = RenderOptions::default();
        let (path, all) = ("incidents/index.html", 0..site.incidents.len());
        for template in [
            "<main>{{ rows | safe }}</main>",
            "<main>{{ rows }}</main>",
            "{{ rows | safe }}<hr>{{ rows | safe }}",
            "{% if rows %}<p>{{ count }} rows</p>{% endif %}<table>{{ rows | safe }}</table>",
            "<p>No table here.</p>",
        ] {
            let mut theme = Theme::embedded();
            for (name, source) in &mut theme.templates {
                if name == "incidents.html" {
                    *source = template.to_string();
                }
            }
            let renderer = Renderer::for_site(&site, &theme, &options, Bodies::Held).unwrap();
            let mut context = renderer.context(path, "All incidents");
            context.insert("count", &site.incidents.len());
            let rows = renderer.rows_html(all.clone(), &root_of(path)).unwrap();
            assert!(rows.contains("incidents/bb/"), "{rows}");
            let written =
                (renderer.page_with_rows(path, "incidents.html", context.clone(), all.clone()))
                    .and_then(|made| renderer.rows_page(made));
            insert_html(&mut context, "rows", rows);
            let made = renderer.page(path, "incidents.html", &context).unwrap();
            assert_eq!(
                String::from_utf8(written.unwrap().bytes).unwrap(),
                String::from_utf8(made.bytes).unwrap(),
                "{template}"
            );
        }
    }

    /// A build makes a row's data where a page reads it, from the incident alone; `serve`
    /// holds every row and links from it. Both give the same views.
    #[test]
    fn rows_made_where_read_are_the_rows_held() {
        let files = [
            (
                "a",
                crate::testing::titled(
                    "a",
                    "severity: SEV1\nservices: [api, web]\nroot_cause: config\nstarted_at: 2024-01-01T09:30:00Z\nresolved_at: 2024-01-01T11:00:00Z",
                ),
            ),
            ("2023-05-06-dns", crate::testing::titled("dns", "tags: [dns]")),
            ("2019-outage", crate::testing::titled("old", "")),
            (
                "prose",
                "# Checkout down\n\nDuration: February 10, 2024, 9:00 AM - February 10, 2024, 2:00 PM (UTC)\n\nAffected services: api\n".to_string(),
            ),
        ];
        let site = crate::testing::site_of("timezone = \"Europe/Berlin\"\n", &files);
        let options = RenderOptions::default();
        let made = Renderer::for_site(&site, &Theme::embedded(), &options, Bodies::Held).unwrap();
        assert!(matches!(made.rows, RowData::Made));
        let links = TermLinks(&site.index);
        let held: Vec<IncidentRow> = (site.incidents.iter())
            .map(|incident| row(&site.config, links, incident))
            .collect();
        let json = |link: IncidentLink<'_>| serde_json::to_value(link).unwrap();
        for (position, held) in held.iter().enumerate() {
            let slug = &site.incidents[position].slug;
            assert_eq!(*made.row(position), *held, "{slug}");
            assert_eq!(
                made.row_date(position).as_deref(),
                held.date.as_deref(),
                "{slug}"
            );
            assert_eq!(
                json(made.incident_link(position)),
                json(IncidentLink::of(held)),
                "{slug}"
            );
        }
        assert!(held.iter().any(|row| row.severity.is_some()));
        assert!(held.iter().any(|row| row.date_from_file_name));
        assert!(held.iter().any(|row| row.metadata_inferred));
    }

    /// `template` rendered with `value` as `v` by Tera's own filters, and by ours: the
    /// output, or the error with its causes.
    fn truncated_both_ways(template: &str, value: &tera::Value) -> (String, String) {
        let mut context = Context::new();
        context.insert("v", value);
        let render = |tera: &mut Tera| match tera.render_str(template, &context) {
            Ok(out) => out,
            Err(e) => {
                let mut message = e.to_string();
                let mut source = std::error::Error::source(&e);
                while let Some(inner) = source {
                    message = format!("{message}: {inner}");
                    source = inner.source();
                }
                message
            }
        };
        let mut ours = Tera::default();
        ours.register_filter("truncate", truncate);
        (render(&mut Tera::default()), render(&mut ours))
    }

    proptest::proptest! {
        /// Any text (accents written as combining marks, emoji with modifiers, CJK), any
        /// length, with and without `end`: the same as Tera's `truncate`.
        #[test]
        fn truncate_is_teras(
            text in "(a|é|e\u{301}|👍🏽|🇫🇷|漢|\r\n| |x){0,24}",
            length in 0usize..30,
            end in proptest::option::of("[.…!]{0,3}"),
        ) {
            let args = match &end {
                Some(end) => format!("length={length}, end={end:?}"),
                None => format!("length={length}"),
            };
            let template = format!("{{{{ v | truncate({args}) }}}}");
            let (teras, ours) = truncated_both_ways(&template, &tera::Value::String(text));
            proptest::prop_assert_eq!(teras, ours);
        }
    }

    /// Without `length`, 255; and a theme that calls it wrongly gets Tera's own message.
    #[test]
    fn truncate_defaults_and_errors_are_teras() {
        let long = tera::Value::String("word ".repeat(80));
        for (template, value) in [
            ("{{ v | truncate }}", long.clone()),
            ("{{ v | truncate(end=\"...\") }}", long.clone()),
            ("{{ v | truncate(length=3) }}", tera::Value::from(12345)),
            ("{{ v | truncate(length=\"3\") }}", long.clone()),
            ("{{ v | truncate(length=-1) }}", long.clone()),
            ("{{ v | truncate(length=1.5) }}", long.clone()),
            ("{{ v | truncate(length=3, end=4) }}", long.clone()),
        ] {
            let (teras, ours) = truncated_both_ways(template, &value);
            assert_eq!(teras, ours, "{template}");
        }
    }
}
