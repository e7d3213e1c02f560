//! Partial renders for `serve`: the pages a change can have reached, and table rows reused
//! from the previous render (pure, like the rest of `render`).
//!
//! A full render spends most of its time on two things: one incident page per incident,
//! and one `incident_row.html` evaluation per incident for the shared table rows. After
//! an edit to one postmortem, almost all of both are unchanged. [`Rows::build`] remakes
//! every row as data, re-renders only the rows that differ, and says which those are;
//! [`render_selected`] renders the incident pages, term pages and incident list the caller
//! chose, and every other page always. Deciding what a change reached is the caller's
//! job (`incremental.rs`); the page list itself comes from the same [`jobs`] as a full
//! build, so a new kind of page is rendered by both without anyone having to remember.

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;
use tera::Tera;

use super::views::{IncidentRow, row, term_url};
use super::{
    Job, LIST_ROW_ROOT, Page, RenderError, RenderOptions, Renderer, SHARED_ROW_ROOT, jobs,
    render_row,
};
use crate::index::Facet;
use crate::site::Site;
use crate::theme::Theme;

/// Table rows of a previous render, by incident slug, for the next one to reuse.
#[derive(Debug, Default)]
pub struct RowCache {
    by_slug: HashMap<String, CachedRow>,
}

#[derive(Debug)]
struct CachedRow {
    row: IncidentRow,
    html: String,
    list_html: String,
}

/// Every incident's table row for one site, by position in `Site::incidents`, with its
/// HTML for pages at the shared depth and for the incident list.
#[derive(Debug, Default)]
pub struct Rows {
    rows: Vec<IncidentRow>,
    html: Vec<String>,
    /// The incident list is at another depth; at 10,000 incidents rendering its rows
    /// afresh takes longer than the rest of a rebuild.
    list_html: Vec<String>,
    /// Rows that are new or differ from the cached row of the same slug.
    changed: Vec<bool>,
}

impl Rows {
    /// The rows of `site`. Every row is made anew (cheap: plain data) and compared with
    /// the cached row of the same slug; only rows that differ are rendered through the
    /// template again (the expensive part), and [`Rows::changed`] says which those are.
    /// `cache` must come from a render with the same templates and config.
    pub fn build(site: &Site, tera: &Tera, mut cache: RowCache) -> Result<Rows, RenderError> {
        let tz = site.config.tz();
        // Taking the cached rows out first (serially: it is a map) lets the rows be made
        // and compared in parallel without sharing the map.
        let previous: Vec<Option<CachedRow>> = site
            .incidents
            .iter()
            .map(|incident| cache.by_slug.remove(&incident.slug))
            .collect();
        drop(cache);
        let made: Vec<(CachedRow, bool)> = previous
            .into_par_iter()
            .zip(&site.incidents)
            .map(|(cached, incident)| {
                let fresh = row(site, tz, incident);
                match cached {
                    Some(cached) if cached.row == fresh => Ok((cached, false)),
                    _ => {
                        let made = CachedRow {
                            html: render_row(tera, &fresh, SHARED_ROW_ROOT)?,
                            list_html: render_row(tera, &fresh, LIST_ROW_ROOT)?,
                            row: fresh,
                        };
                        Ok((made, true))
                    }
                }
            })
            .collect::<Result<_, RenderError>>()?;
        let mut rows = Rows {
            rows: Vec::with_capacity(made.len()),
            html: Vec::with_capacity(made.len()),
            list_html: Vec::with_capacity(made.len()),
            changed: Vec::with_capacity(made.len()),
        };
        for (made, changed) in made {
            rows.rows.push(made.row);
            rows.html.push(made.html);
            rows.list_html.push(made.list_html);
            rows.changed.push(changed);
        }
        Ok(rows)
    }

    /// Whether the row of the incident at `position` is new or differs from its cached row.
    pub fn changed(&self, position: usize) -> bool {
        self.changed.get(position).copied().unwrap_or(true)
    }

    /// The rows as a cache for the next render, keyed by slug.
    pub fn into_cache(self) -> RowCache {
        let by_slug = self
            .rows
            .into_iter()
            .zip(self.html)
            .zip(self.list_html)
            .map(|((row, html), list_html)| {
                let slug = row.slug.clone();
                (
                    slug,
                    CachedRow {
                        row,
                        html,
                        list_html,
                    },
                )
            })
            .collect();
        RowCache { by_slug }
    }
}

/// Which pages a partial render produces. Incident pages, term pages and the incident
/// list are chosen one by one: they are nearly all of a large site's pages and bytes.
/// Every other page (home, facet overviews, trends, exports, 404, and any page kind added
/// later) depends on the whole site's metadata, and is rendered whenever `site_wide` is
/// set, with the static files.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// By position in `Site::incidents`.
    pub incidents: Vec<bool>,
    /// By facet, by position in the facet's terms.
    pub terms: BTreeMap<Facet, Vec<bool>>,
    pub incident_list: bool,
    /// Render the site-wide pages and static files. Only a change that touched no
    /// incident's metadata, only bodies, may leave this off: an incident's body (HTML,
    /// table of contents, word count) is shown on its own page and nowhere else.
    pub site_wide: bool,
}

impl Selection {
    /// Every page.
    pub fn all(site: &Site) -> Selection {
        Selection {
            incidents: vec![true; site.incidents.len()],
            terms: Facet::ALL
                .iter()
                .map(|&facet| (facet, vec![true; site.index.facet(facet).terms.len()]))
                .collect(),
            incident_list: true,
            site_wide: true,
        }
    }

    /// No page: callers switch on what they need.
    pub fn none(site: &Site) -> Selection {
        let mut none = Selection::all(site);
        none.incidents.fill(false);
        none.terms.values_mut().for_each(|terms| terms.fill(false));
        none.incident_list = false;
        none.site_wide = false;
        none
    }

    fn includes(&self, job: &Job) -> bool {
        match job {
            Job::Incident(position) => self.incidents.get(*position).copied().unwrap_or(true),
            Job::Term(facet, position) => self
                .terms
                .get(facet)
                .and_then(|terms| terms.get(*position).copied())
                .unwrap_or(true),
            Job::IncidentList => self.incident_list,
            _ => self.site_wide,
        }
    }
}

/// What [`render_selected`] did.
#[derive(Debug)]
pub struct Partial {
    /// Every page the site has now, rendered or skipped, sorted: what the output folder
    /// should hold, so the caller can remove what is gone. `None` without `site_wide`,
    /// whose pages cannot be named without rendering them.
    pub paths: Option<Vec<String>>,
    /// How many pages were rendered and handed to the sink.
    pub rendered: usize,
    /// The rows, handed back to become the next render's cache.
    pub rows: Rows,
}

/// Renders the pages `selection` chooses, plus every page it cannot skip and the theme's
/// static files, handing each to `sink` as it is made (in parallel). `rows` must have been
/// built for `site` with the same templates as `tera`.
pub fn render_selected<E>(
    site: &Site,
    theme: &Theme,
    options: &RenderOptions,
    tera: Tera,
    rows: Rows,
    selection: &Selection,
    sink: impl Fn(Page) -> Result<(), E> + Sync,
) -> Result<Partial, E>
where
    E: From<RenderError> + Send,
{
    let Rows {
        rows: row_data,
        html,
        list_html,
        changed,
    } = rows;
    let mut renderer = Renderer::with_rows(site, tera, row_data, html, options);
    renderer.list_row_html = list_html;
    let (chosen, skipped): (Vec<Job>, Vec<Job>) = jobs(site)
        .into_iter()
        .partition(|job| selection.includes(job));
    let paths = std::sync::Mutex::new(Vec::with_capacity(chosen.len() + skipped.len()));
    chosen.par_iter().try_for_each(|job| {
        let page = renderer.render(job)?;
        paths
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(page.path.clone());
        sink(page)
    })?;
    let mut paths = paths.into_inner().unwrap_or_else(|e| e.into_inner());
    let mut rendered = chosen.len();
    if selection.site_wide {
        for (path, bytes) in &theme.static_files {
            let page = Page {
                path: format!("static/{path}"),
                bytes: bytes.clone(),
            };
            paths.push(page.path.clone());
            sink(page)?;
        }
        rendered += theme.static_files.len();
        paths.extend(skipped.iter().filter_map(|job| skipped_path(site, job)));
        paths.sort_unstable();
    }
    let Renderer {
        rows,
        row_html,
        list_row_html,
        ..
    } = renderer;
    Ok(Partial {
        paths: selection.site_wide.then_some(paths),
        rendered,
        rows: Rows {
            rows,
            html: row_html,
            list_html: list_row_html,
            changed,
        },
    })
}

/// The path of a page that was not rendered; `None` for site-wide pages, whose paths only
/// their renderers know.
fn skipped_path(site: &Site, job: &Job) -> Option<String> {
    match job {
        Job::Incident(position) => Some(format!(
            "incidents/{}/index.html",
            site.incidents[*position].slug
        )),
        Job::Term(facet, position) => Some(format!(
            "{}index.html",
            term_url(*facet, &site.index.facet(*facet).terms[*position])
        )),
        Job::IncidentList => Some("incidents/index.html".to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::site::{AnalyzeOptions, analyze};
    use crate::source::SourceFile;

    fn site(files: &[(&str, &str)]) -> Site {
        let sources: Vec<SourceFile> = files
            .iter()
            .map(|(path, text)| SourceFile {
                path: format!("content/{path}"),
                stem: path.trim_end_matches(".md").to_string(),
                bytes: Ok(text.as_bytes().to_vec()),
            })
            .collect();
        analyze(&Config::default(), &sources, AnalyzeOptions::default()).0
    }

    fn render_all(site: &Site, selection: &Selection, cache: RowCache) -> (Vec<Page>, Partial) {
        let theme = Theme::embedded();
        let tera = super::super::build_tera(&theme).unwrap();
        let rows = Rows::build(site, &tera, cache).unwrap();
        let pages = std::sync::Mutex::new(Vec::new());
        let options = RenderOptions::default();
        let partial = render_selected(site, &theme, &options, tera, rows, selection, |page| {
            pages.lock().unwrap().push(page);
            Ok::<(), RenderError>(())
        })
        .unwrap();
        let mut pages = pages.into_inner().unwrap();
        pages.sort_by(|a, b| a.path.cmp(&b.path));
        (pages, partial)
    }

    const A: &str = "---\ntitle: A\nservices: [api]\nstarted_at: 2024-01-01T00:00:00Z\n---\nx\n";
    const B: &str = "---\ntitle: B\nservices: [db]\nstarted_at: 2024-02-01T00:00:00Z\n---\ny\n";

    #[test]
    fn selecting_everything_matches_a_full_render() {
        let site = site(&[("a.md", A), ("b.md", B)]);
        let full =
            super::super::render(&site, &Theme::embedded(), &RenderOptions::default()).unwrap();
        let (pages, partial) = render_all(&site, &Selection::all(&site), RowCache::default());
        assert_eq!(pages, full);
        let paths: Vec<String> = full.iter().map(|p| p.path.clone()).collect();
        assert_eq!(partial.paths, Some(paths));
    }

    #[test]
    fn skipped_pages_are_still_listed_and_rows_are_reused() {
        let site = site(&[("a.md", A), ("b.md", B)]);
        let (_, first) = render_all(&site, &Selection::all(&site), RowCache::default());
        assert!(
            (0..2).all(|i| first.rows.changed(i)),
            "no cache: every row is new"
        );
        let mut site_wide_only = Selection::none(&site);
        site_wide_only.site_wide = true;
        let (pages, partial) = render_all(&site, &site_wide_only, first.rows.into_cache());
        assert!(!pages.iter().any(|p| p.path.starts_with("incidents/")));
        assert!(pages.iter().any(|p| p.path == "index.html"));
        assert_eq!(partial.paths, first.paths);
        assert!((0..2).all(|i| !partial.rows.changed(i)));
    }

    #[test]
    fn one_incident_page_alone() {
        let site = site(&[("a.md", A), ("b.md", B)]);
        let mut one = Selection::none(&site);
        one.incidents[0] = true;
        let (pages, partial) = render_all(&site, &one, RowCache::default());
        let paths: Vec<&str> = pages.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            [format!("incidents/{}/index.html", site.incidents[0].slug)]
        );
        assert_eq!(partial.paths, None, "site-wide pages were not named");
    }
}
