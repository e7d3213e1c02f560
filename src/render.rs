//! `render`: the analyzed [`Site`] and a [`Theme`] in, every output page as bytes out (pure).
//!
//! Templates never see domain types. They see the view structs below, which are the
//! documented interface for theme authors (see the README's theme section). Every link in
//! a page is relative to the page (`{{ root }}` is `./`, `../` or `../../`), so the output
//! works from any sub-path and from the file system; only the 404 page, which a server
//! shows at any depth, uses the path of `base_url` instead.

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;
use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Tera};

use crate::incident::{ActionItem, ActionStatus, Incident};
use crate::index::{Facet, Term, duration_bucket};
use crate::markdown::{self, MarkdownOptions, TocEntry};
use crate::site::Site;
use crate::theme::{REQUIRED_TEMPLATES, Theme};

/// The depth of term pages and incident pages (`services/x/`, `incidents/x/`), where most
/// rows are shown; rows for them are rendered once and shared.
const SHARED_ROW_ROOT: &str = "../../";

/// One output file: its path under the output folder and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub path: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("template error in {template}: {message}")]
    Template { template: String, message: String },
    #[error("the theme has no template {0}")]
    MissingTemplate(String),
}

/// A link to a facet term.
#[derive(Debug, Clone, Serialize)]
pub struct TermLink {
    pub name: String,
    /// Path from the site root, e.g. `services/redis-cache/`.
    pub url: String,
}

/// A severity as templates see it.
#[derive(Debug, Clone, Serialize)]
pub struct SeverityView {
    pub key: String,
    pub label: String,
    /// 1 for the worst severity; themes color badges by rank.
    pub rank: usize,
    pub url: String,
}

/// One incident in a list or table.
#[derive(Debug, Clone, Serialize)]
pub struct IncidentRow {
    pub slug: String,
    pub url: String,
    pub title: String,
    pub status: String,
    pub has_front_matter: bool,
    pub date: Option<String>,
    pub date_iso: Option<String>,
    pub severity: Option<SeverityView>,
    pub services: Vec<TermLink>,
    pub cause: Option<TermLink>,
    pub duration: Option<String>,
    pub duration_minutes: Option<i64>,
    pub summary: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TimeView {
    pub display: String,
    pub iso: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ActionItemView<'a> {
    #[serde(flatten)]
    pub item: &'a ActionItem,
    pub status_label: &'static str,
}

/// Everything the incident template sees.
#[derive(Debug, Serialize)]
pub struct IncidentView<'a> {
    #[serde(flatten)]
    pub row: &'a IncidentRow,
    pub source: &'a str,
    pub started_at: Option<TimeView>,
    pub detected_at: Option<TimeView>,
    pub mitigated_at: Option<TimeView>,
    pub resolved_at: Option<TimeView>,
    pub time_to_detect: Option<String>,
    pub time_to_mitigate: Option<String>,
    pub time_to_resolve: Option<String>,
    pub duration_bucket: Option<TermLink>,
    pub causes: Vec<TermLink>,
    pub tags: Vec<TermLink>,
    pub authors: &'a [String],
    pub trigger: Option<&'a str>,
    /// Summary, impact and detection rendered as inline Markdown (`code`, *emphasis*, links).
    pub summary_html: Option<String>,
    pub impact_html: Option<String>,
    pub detection_html: Option<String>,
    pub body_html: &'a str,
    pub toc: Vec<&'a TocEntry>,
    pub word_count: usize,
    pub action_items: Vec<ActionItemView<'a>>,
    pub action_items_open: usize,
    pub related: Vec<&'a IncidentRow>,
    pub extra: &'a std::collections::BTreeMap<String, serde_json::Value>,
}

/// A term on an overview page.
#[derive(Debug, Serialize)]
pub struct TermView<'a> {
    pub name: &'a str,
    pub key: &'a str,
    pub url: String,
    pub description: &'a str,
    pub count: usize,
    /// Count as a percentage of the largest term's count, for bar widths.
    pub share: usize,
    pub missing: bool,
    /// Newest incident's date, so overviews say how recent the last occurrence was.
    pub latest: Option<&'a str>,
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
}

#[derive(Debug, Serialize)]
struct FacetLink {
    name: &'static str,
    url: String,
}

/// Renders every page of the site, in parallel, sorted by path.
pub fn render(site: &Site, theme: &Theme) -> Result<Vec<Page>, RenderError> {
    let pages = std::sync::Mutex::new(Vec::new());
    render_each(site, theme, |page| {
        pages.lock().unwrap_or_else(|e| e.into_inner()).push(page);
        Ok::<(), RenderError>(())
    })?;
    let mut pages = pages.into_inner().unwrap_or_else(|e| e.into_inner());
    pages.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(pages)
}

/// Renders every page in parallel and hands each to `sink` as soon as it exists, so a
/// build never holds the whole site in memory. Returns the number of pages.
pub fn render_each<E>(
    site: &Site,
    theme: &Theme,
    sink: impl Fn(Page) -> Result<(), E> + Sync,
) -> Result<usize, E>
where
    E: From<RenderError> + Send,
{
    let tera = build_tera(theme)?;
    let renderer = Renderer::new(site, tera)?;
    let mut jobs: Vec<Job> = vec![Job::Home, Job::IncidentList, Job::NotFound];
    jobs.extend((0..site.incidents.len()).map(Job::Incident));
    for facet in Facet::ALL {
        jobs.push(Job::Overview(facet));
        let terms = site.index.facet(facet).terms.len();
        jobs.extend((0..terms).map(|term| Job::Term(facet, term)));
    }
    jobs.par_iter()
        .try_for_each(|job| sink(renderer.render(job)?))?;
    for (path, bytes) in &theme.static_files {
        sink(Page {
            path: format!("static/{path}"),
            bytes: bytes.clone(),
        })?;
    }
    Ok(jobs.len() + theme.static_files.len())
}

/// Parses the theme's templates; a syntax error names the template and the problem.
pub fn build_tera(theme: &Theme) -> Result<Tera, RenderError> {
    for required in REQUIRED_TEMPLATES {
        if !theme.templates.iter().any(|(name, _)| name == required) {
            return Err(RenderError::MissingTemplate(required.to_string()));
        }
    }
    let mut tera = Tera::default();
    // Tera's default escaping also rewrites `/` as `&#x2F;`, which bloats every URL;
    // escaping the five HTML-significant characters is what safety needs.
    tera.set_escape_fn(escape_html);
    tera.add_raw_templates(
        theme
            .templates
            .iter()
            .map(|(n, s)| (n.as_str(), s.as_str())),
    )
    .map_err(|e| template_error("theme", &e))?;
    Ok(tera)
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape_html(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + input.len() / 8);
    for c in input.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
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
        message,
    }
}

enum Job {
    Home,
    IncidentList,
    NotFound,
    Incident(usize),
    Overview(Facet),
    Term(Facet, usize),
}

struct Renderer<'a> {
    site: &'a Site,
    tera: Tera,
    tz: Tz,
    rows: Vec<IncidentRow>,
    /// Each incident's table row from `incident_row.html`, rendered once for pages whose
    /// root is [`SHARED_ROW_ROOT`].
    row_html: Vec<String>,
    base: Context,
}

impl<'a> Renderer<'a> {
    fn new(site: &'a Site, tera: Tera) -> Result<Self, RenderError> {
        let tz = site.config.tz();
        let rows: Vec<IncidentRow> = site
            .incidents
            .par_iter()
            .map(|incident| row(site, tz, incident))
            .collect();
        let row_html = rows
            .par_iter()
            .map(|row| render_row(&tera, row, SHARED_ROW_ROOT))
            .collect::<Result<Vec<String>, RenderError>>()?;
        let config = &site.config;
        let view = SiteView {
            title: &config.title,
            description: &config.description,
            base_url: &config.base_url,
            timezone: &config.timezone,
            facets: Facet::ALL
                .iter()
                .map(|facet| FacetLink {
                    name: facet.names().1,
                    url: format!("{}/", facet.path()),
                })
                .collect(),
            generator: concat!("Hindsight ", env!("CARGO_PKG_VERSION")),
            extra: &config.extra,
        };
        let mut base = Context::new();
        base.insert("site", &view);
        Ok(Renderer {
            site,
            tera,
            tz,
            rows,
            row_html,
            base,
        })
    }

    /// The table rows of the incidents at `positions`, joined, with links relative to a
    /// page whose root is `root`: shared rows where the depth matches, fresh ones elsewhere.
    fn rows_html(
        &self,
        positions: impl Iterator<Item = usize>,
        root: &str,
    ) -> Result<String, RenderError> {
        let mut html = String::new();
        for position in positions {
            if root == SHARED_ROW_ROOT {
                html.push_str(&self.row_html[position]);
            } else {
                html.push_str(&render_row(&self.tera, &self.rows[position], root)?);
            }
        }
        Ok(html)
    }

    fn render(&self, job: &Job) -> Result<Page, RenderError> {
        match job {
            Job::Home => self.home(),
            Job::IncidentList => {
                let mut context = self.context("incidents/index.html", "All incidents");
                context.insert("count", &self.rows.len());
                context.insert(
                    "rows",
                    &self.rows_html(0..self.rows.len(), &root_of("incidents/index.html"))?,
                );
                self.page("incidents/index.html", "incidents.html", &context)
            }
            Job::NotFound => {
                let mut context = self.context("404.html", "Page not found");
                // A server shows this page at any depth, so relative links would break.
                context.insert("root", &base_path(&self.site.config.base_url));
                // The page is shown at whatever address was missing; it has no canonical one.
                context.insert("canonical_url", &None::<String>);
                self.page("404.html", "404.html", &context)
            }
            Job::Incident(i) => self.incident(*i),
            Job::Overview(facet) => self.overview(*facet),
            Job::Term(facet, term) => self.term(*facet, *term),
        }
    }

    /// The per-page context: the shared site values, the page title, the relative root.
    fn context(&self, path: &str, title: &str) -> Context {
        let mut context = self.base.clone();
        context.insert("root", &root_of(path));
        context.insert("page_title", title);
        context.insert("page_path", path.trim_end_matches("index.html"));
        context.insert(
            "canonical_url",
            &canonical_url(&self.site.config.base_url, path),
        );
        context
    }

    fn page(&self, path: &str, template: &str, context: &Context) -> Result<Page, RenderError> {
        let html = self
            .tera
            .render(template, context)
            .map_err(|e| template_error(template, &e))?;

        Ok(Page {
            path: path.to_string(),
            bytes: html.into_bytes(),
        })
    }

    fn home(&self) -> Result<Page, RenderError> {
        let site = self.site;
        let mut context = self.context("index.html", &site.config.title);
        let latest: Vec<&IncidentRow> = self.rows.iter().take(site.config.latest_limit).collect();
        context.insert("latest", &latest);
        context.insert(
            "latest_rows",
            &self.rows_html(0..latest.len(), &root_of("index.html"))?,
        );
        context.insert("total", &site.incidents.len());
        let with_duration: Vec<TimeDelta> = site
            .incidents
            .iter()
            .filter_map(Incident::duration)
            .collect();
        let total_minutes: i64 = with_duration.iter().map(TimeDelta::num_minutes).sum();
        context.insert(
            "total_duration",
            &format_duration(TimeDelta::minutes(total_minutes)),
        );
        let open_items = site
            .incidents
            .iter()
            .flat_map(|i| &i.action_items)
            .filter(|a| a.status == ActionStatus::Open)
            .count();
        context.insert("open_action_items", &open_items);
        let first = site.incidents.iter().filter_map(|i| i.started_at).min();
        let last = site.incidents.iter().filter_map(|i| i.started_at).max();
        context.insert("first_date", &first.map(|at| self.date(at)));
        context.insert("last_date", &last.map(|at| self.date(at)));
        let mut facets = Vec::new();
        for facet in Facet::ALL {
            let (singular, plural) = facet.names();
            let terms = self.term_views(facet);
            let real = terms.iter().filter(|t| !t.missing).count();
            let mut top: Vec<&TermView> =
                terms.iter().filter(|t| !t.missing && t.count > 0).collect();
            if matches!(facet, Facet::Service | Facet::Cause | Facet::Tag) {
                top.sort_by(|a, b| b.count.cmp(&a.count).then(a.name.cmp(b.name)));
            }
            top.truncate(8);
            facets.push(serde_json::json!({
                "name": plural,
                "singular": singular,
                "url": format!("{}/", facet.path()),
                "count": real,
                "top": top,
            }));
        }
        context.insert("facets", &facets);
        self.page("index.html", "home.html", &context)
    }

    fn incident(&self, position: usize) -> Result<Page, RenderError> {
        let site = self.site;
        let incident = &site.incidents[position];
        let row = &self.rows[position];
        let time = |at: Option<DateTime<Utc>>| at.map(|at| self.time(at));
        let view = IncidentView {
            row,
            source: &incident.source,
            started_at: time(incident.started_at),
            detected_at: time(incident.detected_at),
            mitigated_at: time(incident.mitigated_at),
            resolved_at: time(incident.resolved_at),
            time_to_detect: incident.time_to_detect().map(format_duration),
            time_to_mitigate: incident.time_to_mitigate().map(format_duration),
            time_to_resolve: incident.time_to_resolve().map(format_duration),
            duration_bucket: duration_bucket(&site.config, incident)
                .and_then(|b| self.link(Facet::Duration, &site.config.duration_buckets[b].key)),
            causes: incident
                .root_causes
                .iter()
                .filter_map(|c| self.link(Facet::Cause, c))
                .collect(),
            tags: incident
                .tags
                .iter()
                .filter_map(|t| self.link(Facet::Tag, t))
                .collect(),
            authors: &incident.authors,
            trigger: incident.trigger.as_deref(),
            summary_html: incident.summary.as_deref().map(|t| self.inline(t)),
            impact_html: incident.impact.as_deref().map(|t| self.inline(t)),
            detection_html: incident.detection.as_deref().map(|t| self.inline(t)),
            body_html: &incident.body.html,
            toc: incident
                .body
                .toc
                .iter()
                .filter(|e| (2..=3).contains(&e.level))
                .collect(),
            word_count: incident.body.word_count,
            action_items: incident
                .action_items
                .iter()
                .map(|item| ActionItemView {
                    item,
                    status_label: match item.status {
                        ActionStatus::Open => "Open",
                        ActionStatus::Done => "Done",
                        ActionStatus::Wontfix => "Won't fix",
                    },
                })
                .collect(),
            action_items_open: incident
                .action_items
                .iter()
                .filter(|a| a.status == ActionStatus::Open)
                .count(),
            related: site.index.related[position]
                .iter()
                .map(|&r| &self.rows[r])
                .collect(),
            extra: &incident.extra,
        };
        let path = format!("incidents/{}/index.html", incident.slug);
        let mut context = self.context(&path, &incident.title);
        let related = site.index.related[position].iter().copied();
        context.insert("related_rows", &self.rows_html(related, &root_of(&path))?);
        context.insert("incident", &view);
        self.page(&path, "incident.html", &context)
    }

    fn term_views(&self, facet: Facet) -> Vec<TermView<'_>> {
        let terms = &self.site.index.facet(facet).terms;
        let max = terms
            .iter()
            .map(|t| t.incidents.len())
            .max()
            .unwrap_or(0)
            .max(1);
        terms
            .iter()
            .map(|term| TermView {
                name: &term.name,
                key: &term.key,
                url: term_url(facet, term),
                description: &term.description,
                count: term.incidents.len(),
                share: term.incidents.len() * 100 / max,
                missing: term.missing,
                latest: term
                    .incidents
                    .first()
                    .and_then(|&i| self.rows[i].date.as_deref()),
            })
            .collect()
    }

    fn overview(&self, facet: Facet) -> Result<Page, RenderError> {
        let (singular, plural) = facet.names();
        let path = format!("{}/index.html", facet.path());
        let mut context = self.context(&path, plural);
        let terms = self.term_views(facet);
        context.insert(
            "facet",
            &serde_json::json!({"name": plural, "singular": singular, "key": facet.path()}),
        );
        context.insert("terms", &terms);
        context.insert("total", &self.site.incidents.len());
        self.page(&path, "facet_overview.html", &context)
    }

    fn term(&self, facet: Facet, position: usize) -> Result<Page, RenderError> {
        let (singular, plural) = facet.names();
        let term = &self.site.index.facet(facet).terms[position];
        let path = format!("{}index.html", term_url(facet, term));
        let mut context = self.context(&path, &format!("{singular}: {}", term.name));
        let rows: Vec<&IncidentRow> = term.incidents.iter().map(|&i| &self.rows[i]).collect();
        let minutes: Vec<i64> = rows.iter().filter_map(|r| r.duration_minutes).collect();
        context.insert("facet", &serde_json::json!({"name": plural, "singular": singular, "key": facet.path(), "url": format!("{}/", facet.path())}));
        context.insert("term", &serde_json::json!({
            "name": term.name,
            "key": term.key,
            "description": term.description,
            "missing": term.missing,
            "count": term.incidents.len(),
            "total_duration": (!minutes.is_empty()).then(|| format_duration(TimeDelta::minutes(minutes.iter().sum()))),
            "team": (facet == Facet::Service).then(|| self.site.config.services.iter().find(|s| s.name == term.key || s.name == term.name).map(|s| s.team.clone())).flatten(),
        }));
        context.insert("count", &rows.len());
        context.insert(
            "rows",
            &self.rows_html(term.incidents.iter().copied(), &root_of(&path))?,
        );
        self.page(&path, "facet_term.html", &context)
    }

    fn link(&self, facet: Facet, name: &str) -> Option<TermLink> {
        self.site.index.facet(facet).get(name).map(|term| TermLink {
            name: term.name.clone(),
            url: term_url(facet, term),
        })
    }

    /// A front matter text field as HTML: one paragraph's worth of Markdown, unwrapped.
    fn inline(&self, text: &str) -> String {
        let options = MarkdownOptions {
            allow_raw_html: self.site.config.allow_raw_html,
            source_dir: None,
        };
        let html = markdown::render(text, &options).html;
        let trimmed = html.trim_end();
        match trimmed
            .strip_prefix("<p>")
            .and_then(|t| t.strip_suffix("</p>"))
        {
            Some(inner) if !inner.contains("<p>") => inner.to_string(),
            _ => html,
        }
    }

    fn time(&self, at: DateTime<Utc>) -> TimeView {
        let local = at.with_timezone(&self.tz);
        TimeView {
            display: local.format("%Y-%m-%d %H:%M %Z").to_string(),
            iso: at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        }
    }

    fn date(&self, at: DateTime<Utc>) -> String {
        at.with_timezone(&self.tz).format("%Y-%m-%d").to_string()
    }
}

/// One incident's table row from `incident_row.html`.
fn render_row(tera: &Tera, row: &IncidentRow, root: &str) -> Result<String, RenderError> {
    let mut context = Context::new();
    context.insert("i", row);
    context.insert("root", root);
    tera.render("incident_row.html", &context)
        .map_err(|e| template_error("incident_row.html", &e))
}

/// The relative path from a page back to the site root: `./`, `../`, `../../`.
fn root_of(path: &str) -> String {
    match path.matches('/').count() {
        0 => "./".to_string(),
        depth => "../".repeat(depth),
    }
}

fn term_url(facet: Facet, term: &Term) -> String {
    format!("{}/{}/", facet.path(), term.slug)
}

fn row(site: &Site, tz: Tz, incident: &Incident) -> IncidentRow {
    let index = &site.index;
    let link = |facet: Facet, name: &str| {
        index.facet(facet).get(name).map(|term| TermLink {
            name: term.name.clone(),
            url: term_url(facet, term),
        })
    };
    IncidentRow {
        slug: incident.slug.clone(),
        url: format!("incidents/{}/", incident.slug),
        title: incident.title.clone(),
        status: format!("{:?}", incident.status).to_lowercase(),
        has_front_matter: incident.has_front_matter,
        date: incident
            .started_at
            .map(|at| at.with_timezone(&tz).format("%Y-%m-%d").to_string()),
        date_iso: incident
            .started_at
            .map(|at| at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        severity: incident.severity.map(|i| {
            let severity = &site.config.severities[i];
            SeverityView {
                key: severity.key.clone(),
                label: severity.label.clone(),
                rank: i + 1,
                url: link(Facet::Severity, &severity.key)
                    .map(|l| l.url)
                    .unwrap_or_default(),
            }
        }),
        services: incident
            .services
            .iter()
            .filter_map(|s| link(Facet::Service, s))
            .collect(),
        cause: incident.primary_cause().and_then(|c| link(Facet::Cause, c)),
        duration: incident.duration().map(format_duration),
        duration_minutes: incident.duration().map(|d| d.num_minutes()),
        summary: incident.summary.clone(),
    }
}

/// A duration in the two largest units an engineer would say: "45 min", "2 h 5 min",
/// "3 d 4 h", "2 y 40 d".
pub fn format_duration(delta: TimeDelta) -> String {
    let minutes = delta.num_minutes();
    if minutes < 1 {
        return format!("{} s", delta.num_seconds().max(0));
    }
    let (years, rest) = (minutes / 525_600, minutes % 525_600);
    let (days, rest) = (rest / 1440, rest % 1440);
    let (hours, mins) = (rest / 60, rest % 60);
    let parts: Vec<String> = [(years, "y"), (days, "d"), (hours, "h"), (mins, "min")]
        .into_iter()
        .skip_while(|(n, _)| *n == 0)
        .take(2)
        .filter(|(n, _)| *n > 0)
        .map(|(n, unit)| format!("{n} {unit}"))
        .collect();
    parts.join(" ")
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

/// The absolute URL of a page, when `base_url` is absolute; canonical links need a host.
fn canonical_url(base_url: &str, path: &str) -> Option<String> {
    if !base_url.contains("://") {
        return None;
    }
    let base = base_url.trim_end_matches('/');
    Some(format!("{base}/{}", path.trim_end_matches("index.html")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        for (minutes, expected) in [
            (0, "0 s"),
            (45, "45 min"),
            (60, "1 h"),
            (125, "2 h 5 min"),
            (1440 + 240, "1 d 4 h"),
            (1440 + 1, "1 d"),
            (2 * 525_600 + 40 * 1440, "2 y 40 d"),
        ] {
            assert_eq!(
                format_duration(TimeDelta::minutes(minutes)),
                expected,
                "{minutes}"
            );
        }
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
}
