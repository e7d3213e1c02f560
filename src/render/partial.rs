//! Partial renders for `serve`: the pages a change can have reached, and table rows and
//! export lines reused from the previous render (pure, like the rest of `render`).
//!
//! A full render spends most of its time on three things: one incident page per incident,
//! one `incident_row.html` evaluation per incident for the shared table rows, and one
//! JSON object and CSV record per incident for the data exports. After an edit to one
//! postmortem, almost all of these are unchanged. [`Rows::build`] takes over the rows and
//! export lines of the incidents the caller vouches for ([`RowCache::unchanged_except`]),
//! remakes every other row as data and compares it with the cached one, renders only the
//! rows that differ, and says which those are ([`Rows::changed`]) and where each incident
//! was in the previous site ([`Rows::previous_position`]). [`render_selected`] serializes
//! export lines only for incidents without kept ones, renders the incident pages, term
//! pages and incident list the caller chose, and every other page always. Deciding what a
//! change reached is the caller's job (`incremental.rs`); the page list itself comes from
//! the same [`jobs`] as a full build, so a new kind of page is rendered by both without
//! anyone having to remember.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};

use rayon::prelude::*;
use tera::Tera;

use super::trends::{CSV_PATH, ExportLines, JSON_PATH};
use super::views::{IncidentRow, TermLinks, row};
use super::{
    Job, LIST_ROW_ROOT, Page, RenderError, RenderOptions, Renderer, SHARED_ROW_ROOT, SharedRows,
    Sink, jobs, render_row,
};
use crate::analyze::index::Facet;
use crate::analyze::quality::Quality;
use crate::analyze::site::Site;
use crate::analyze::trends::Trends;
use crate::render::theme::Theme;

/// Table rows and export lines of a previous render, for the next render to reuse; made
/// by [`Rows::into_cache`]. Without the caller's word ([`RowCache::unchanged_except`]),
/// every row is made again and compared, and every export line is made again.
#[derive(Debug, Default)]
pub struct RowCache {
    /// By position in the site the rows were made for, as that render left them: columns
    /// that [`Rows::build`] reorders (or, when no incident moved, keeps where they are),
    /// rather than one struct per row, which took 10 ms of every front matter edit at
    /// 10,000 postmortems to move in and out of.
    rows: Rows,
    /// That site's positions by slug (`Site::slugs`).
    by_slug: HashMap<String, usize>,
    /// The slugs whose incidents may differ from the ones the rows were made from: the
    /// caller vouches for all others.
    changed: Option<HashSet<String>>,
    /// By position in the next site: whether the incident has a facet term that was
    /// added, removed, renamed or given another slug. The caller vouches that the others'
    /// rows link to terms as they did. `None`: every row's links may have changed.
    relinked: Option<Vec<bool>>,
}

/// Every incident's table row for one site, by position in `Site::incidents`, with its
/// HTML for pages at the shared depth and for the incident list, and its export lines.
#[derive(Debug, Default)]
pub struct Rows {
    rows: Vec<IncidentRow>,
    html: Vec<String>,
    /// The incident list is at another depth; at 10,000 incidents rendering its rows
    /// afresh takes longer than the rest of a rebuild.
    list_html: Vec<String>,
    /// Rows that are new or differ from the cached row of the same slug.
    changed: Vec<bool>,
    /// Where the incident with the same slug was in the previous site.
    previous: Vec<Option<usize>>,
    /// Export lines still right for the incident if they were made for the same as-of
    /// date and recurrence: those of a vouched-for incident, and those the last render
    /// of the exports made. Empty before the exports were first rendered.
    exports: Vec<Option<ExportLines>>,
    /// Quality scores still right for the incident: those of a vouched-for incident (the
    /// score reads the incident alone, and a vouched-for one is the same), and those the
    /// last render of `/health/` made. Scoring all 10,000 postmortems again took most of a
    /// title edit's time in `serve`.
    quality: Vec<Option<Quality>>,
    /// The trend figures of the last render of these rows, for a render of the same site
    /// with other bodies ([`Rows::build`] leaves them out: trends read no body, but all
    /// the metadata).
    trends: Option<Trends>,
}

impl Rows {
    /// The rows of `site`. The rows of incidents the cache vouches for are taken as they
    /// are; every other row is made anew (cheap: plain data) and compared with the cached
    /// row of the same slug, and only rows that differ are rendered through the template
    /// again (the expensive part). [`Rows::changed`] says which those are. `cache` must
    /// come from a render with the same templates and config.
    pub fn build(site: &Site, tera: &Tera, cache: RowCache) -> Result<Rows, RenderError> {
        let RowCache {
            rows: cached,
            by_slug,
            changed,
            relinked,
        } = cache;
        let links_kept = |position: usize| {
            relinked
                .as_ref()
                .is_some_and(|r| r.get(position) == Some(&false))
        };
        let matched = match_positions(site, &by_slug, cached.rows.len(), changed.as_ref());
        // Ten thousand slugs to free: off the path of the rebuild.
        rayon::spawn(move || drop(by_slug));
        let previous: Vec<Option<usize>> = matched.iter().map(|&(previous, _)| previous).collect();
        let mut rows = cached.reordered(&previous);
        // Only the rows nobody vouched for (or whose links may have changed) are made
        // again, in parallel, and rendered again only where they differ.
        let remade: Vec<usize> = (matched.iter().enumerate())
            .filter(|&(position, &(previous, vouched))| {
                !(previous.is_some() && vouched && links_kept(position))
            })
            .map(|(position, _)| position)
            .collect();
        #[cfg(debug_assertions)]
        for (position, incident) in site.incidents.iter().enumerate() {
            if remade.binary_search(&position).is_err() {
                debug_assert!(
                    rows.rows[position] == row(&site.config, TermLinks(&site.index), incident),
                    "the kept row of {} is as it would be made",
                    incident.slug
                );
            }
        }
        let fresh: Vec<(usize, Option<Remade>)> = (remade.par_iter())
            .map(|&position| {
                let fresh = row(
                    &site.config,
                    TermLinks(&site.index),
                    &site.incidents[position],
                );
                if matched[position].0.is_some() && rows.rows[position] == fresh {
                    return Ok((position, None));
                }
                let made = Remade {
                    html: render_row(tera, &fresh, SHARED_ROW_ROOT)?,
                    list_html: render_row(tera, &fresh, LIST_ROW_ROOT)?,
                    row: fresh,
                };
                Ok((position, Some(made)))
            })
            .collect::<Result<_, RenderError>>()?;
        for (position, made) in fresh {
            // Export lines of an incident nobody vouched for are made again.
            if !matched[position].1 {
                rows.exports[position] = None;
                rows.quality[position] = None;
            }
            if let Some(made) = made {
                rows.rows[position] = made.row;
                rows.html[position] = made.html;
                rows.list_html[position] = made.list_html;
                rows.changed[position] = true;
            }
        }
        rows.previous = previous;
        Ok(rows)
    }

    /// These rows (of a previous site), each moved to the position `previous` gives it in
    /// the next site: the row at `previous[p]` goes to `p`; a position without one gets an
    /// empty row, to be made. Nothing is marked changed. Kept in place, not moved, when
    /// no incident moved, as after most edits.
    fn reordered(self, previous: &[Option<usize>]) -> Rows {
        let Rows {
            rows,
            html,
            list_html,
            mut exports,
            mut quality,
            ..
        } = self;
        // Rows made by a full render have no export lines or scores: padded.
        exports.resize_with(rows.len(), || None);
        quality.resize_with(rows.len(), || None);
        let kept = previous.len() == rows.len()
            && (previous.iter().enumerate()).all(|(position, &from)| from == Some(position));
        Rows {
            rows: moved(rows, previous, kept),
            html: moved(html, previous, kept),
            list_html: moved(list_html, previous, kept),
            changed: vec![false; previous.len()],
            previous: Vec::new(),
            exports: moved(exports, previous, kept),
            quality: moved(quality, previous, kept),
            trends: None,
        }
    }

    /// Whether the row of the incident at `position` is new or differs from its cached row.
    pub fn changed(&self, position: usize) -> bool {
        self.changed.get(position).copied().unwrap_or(true)
    }

    /// Where the incident with the slug of the one at `position` was in the site the cache
    /// was made for; `None` for a new slug (or without a cache).
    pub fn previous_position(&self, position: usize) -> Option<usize> {
        self.previous.get(position).copied().flatten()
    }

    /// Forgets the quality score kept for the incident at `position`, whose body changed
    /// in place (`serve`'s body-only path, which renders with these rows as they are).
    pub fn forget_quality(&mut self, position: usize) {
        if let Some(quality) = self.quality.get_mut(position) {
            *quality = None;
        }
    }

    /// Makes the rows of the incidents at `positions` again, in a site whose incidents
    /// there were replaced in place (same slug, same place; `serve`'s title edits), and
    /// forgets their export lines and quality scores. Afterwards [`Rows::changed`] names
    /// the rows that differ from before, and no other.
    pub fn remake(
        &mut self,
        site: &Site,
        tera: &Tera,
        positions: &[usize],
    ) -> Result<(), RenderError> {
        self.changed.fill(false);
        for &position in positions {
            let fresh = row(
                &site.config,
                TermLinks(&site.index),
                &site.incidents[position],
            );
            if let Some(export) = self.exports.get_mut(position) {
                *export = None;
            }
            self.forget_quality(position);
            if self.rows.get(position) == Some(&fresh) {
                continue;
            }
            self.html[position] = render_row(tera, &fresh, SHARED_ROW_ROOT)?;
            self.list_html[position] = render_row(tera, &fresh, LIST_ROW_ROOT)?;
            self.rows[position] = fresh;
            self.changed[position] = true;
        }
        Ok(())
    }

    /// The rows as a cache for the next render. `slugs` is the slug map of the site they
    /// were made for (`Site::slugs`).
    pub fn into_cache(mut self, slugs: HashMap<String, usize>) -> RowCache {
        // The trend figures are for the site the rows were made for: freed (thousands of
        // small lists) off the path of the rebuild, while it assembles the site.
        let trends = self.trends.take();
        rayon::spawn(move || drop(trends));
        RowCache {
            rows: self,
            by_slug: slugs,
            changed: None,
            relinked: None,
        }
    }
}

/// A row made again because it differs from the cached one, with its HTML.
struct Remade {
    row: IncidentRow,
    html: String,
    list_html: String,
}

/// `column` (by position in a previous site) in the order of the next: the item at
/// `previous[p]` goes to `p`, and a position without one gets the default. `kept`: the
/// caller found every item where it was, and the column is returned as it is.
fn moved<T: Default>(mut column: Vec<T>, previous: &[Option<usize>], kept: bool) -> Vec<T> {
    if kept {
        return column;
    }
    previous
        .iter()
        .map(|&from| {
            from.and_then(|from| column.get_mut(from))
                .map(std::mem::take)
                .unwrap_or_default()
        })
        .collect()
}

impl RowCache {
    /// The positions by slug in the site the rows were made for.
    pub fn slugs(&self) -> &HashMap<String, usize> {
        &self.by_slug
    }

    /// The caller's word that every incident of the next site whose slug is not in
    /// `changed` is equal (but for its body) to the incident of that slug the rows were
    /// made from, under the same config and templates. [`Rows::build`] then keeps their
    /// export lines (and, with [`RowCache::terms_unchanged_except`], their rows) without making
    /// them again, and matches their positions without looking up their slugs.
    pub fn unchanged_except(&mut self, changed: HashSet<String>) {
        self.changed = Some(changed);
    }

    /// The caller's word that, since the rows were made, no facet term was added, removed,
    /// renamed or given another slug but those of the incidents marked (by position in the
    /// next site) in `relinked`: a row shows links to its incident's terms.
    pub fn terms_unchanged_except(&mut self, relinked: Vec<bool>) {
        self.relinked = Some(relinked);
    }
}

/// For each incident of `site`, the position of the incident with its slug in the site
/// the cache was made for, and whether the caller vouched for it.
///
/// Both sites are sorted by start time, then slug, and the vouched-for incidents are in
/// both with the same start times and slugs, so they come in the same order: they are
/// matched by walking both lists, and only the slugs the caller named are looked up. If
/// the counts do not agree, the caller's word was wrong, and every slug is looked up.
fn match_positions(
    site: &Site,
    by_slug: &HashMap<String, usize>,
    previous_len: usize,
    changed: Option<&HashSet<String>>,
) -> Vec<(Option<usize>, bool)> {
    let look_up = |position: usize| by_slug.get(&site.incidents[position].slug).copied();
    let all_looked_up = || {
        (0..site.incidents.len())
            .map(|p| (look_up(p), false))
            .collect()
    };
    let Some(changed) = changed else {
        return all_looked_up();
    };
    let mut old_changed = vec![false; previous_len];
    let mut new_changed = vec![false; site.incidents.len()];
    for slug in changed {
        if let Some(&old) = by_slug.get(slug)
            && let Some(mark) = old_changed.get_mut(old)
        {
            *mark = true;
        }
        if let Some(&new) = site.slugs.get(slug) {
            new_changed[new] = true;
        }
    }
    let kept = |marks: &[bool]| marks.iter().filter(|&&changed| !changed).count();
    if kept(&old_changed) != kept(&new_changed) {
        return all_looked_up();
    }
    let mut unchanged = (0..previous_len).filter(|&old| !old_changed[old]);
    new_changed
        .iter()
        .enumerate()
        .map(|(position, &changed)| {
            if changed {
                (look_up(position), false)
            } else {
                (unchanged.next(), true)
            }
        })
        .collect()
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
    /// Incident pages rendered and handed over before any other page, by position: those
    /// of the postmortems just edited, which the author is most likely looking at.
    pub first: Vec<usize>,
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
            first: Vec::new(),
        }
    }

    /// The path of every page a render of this selection hands over (whether or not its
    /// bytes changed), search index aside, unsorted: what `serve` holds requests for
    /// while it writes. With [`Selection::all`], every page the site has ([`page_paths`]).
    pub fn paths(&self, site: &Site, theme: &Theme) -> Vec<String> {
        let mut paths: Vec<String> = jobs(site)
            .iter()
            .filter(|job| self.includes(job))
            .map(|job| job.path(site))
            .collect();
        if self.site_wide {
            paths.extend(theme.static_files.iter().map(|(path, _)| static_path(path)));
        }
        paths
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

/// Every page of `site` in `theme`, search index aside, sorted: what the output folder
/// holds after a render, named without rendering (so pages the site no longer has can be
/// removed before any other is written).
pub fn page_paths(site: &Site, theme: &Theme) -> Vec<String> {
    let mut paths = Selection::all(site).paths(site, theme);
    paths.sort_unstable();
    paths
}

/// What [`render_selected`] did.
#[derive(Debug)]
pub struct Partial {
    /// How many pages were rendered and handed to the sink.
    pub rendered: usize,
    /// The rows, handed back to become the next render's cache.
    pub rows: Rows,
}

/// Renders the pages `selection` chooses, plus every page it cannot skip and the theme's
/// static files, handing each to `sink` as it is made (in parallel). `rows` must have been
/// built for `site` with the same templates as `tera`.
pub fn render_selected<S: Sink>(
    site: &Site,
    theme: &Theme,
    options: &RenderOptions,
    tera: &Tera,
    rows: Rows,
    selection: &Selection,
    sink: &S,
) -> Result<Partial, S::Error> {
    let Rows {
        rows: row_data,
        html,
        list_html,
        changed,
        previous,
        exports: kept_exports,
        quality,
        trends,
    } = rows;
    // Kept trend figures are for the same site with other bodies, which they do not read.
    let kept = trends.filter(|kept| kept.as_of == options.as_of);
    let mut renderer = Renderer::with_trends(
        site,
        Cow::Borrowed(tera),
        super::RowData::Held(row_data),
        SharedRows::Plain(html),
        options.as_of,
        kept,
    )
    .for_theme(theme);
    renderer.list_row_html = list_html;
    let mut quality = lend_scores(&mut renderer, quality, selection.site_wide);
    let mut chosen: Vec<Job> = jobs(site)
        .into_iter()
        .filter(|job| selection.includes(job))
        .collect();
    // The pages of the incidents just edited come before all others, and alone: the
    // page an author looks at is not kept waiting behind the exports. Then longest
    // first, one job per task: the pages differ in cost by four orders of magnitude (an
    // incident page, the 18 MB export), and the cores finish together only when the big
    // ones start first.
    let first = |job: &Job| matches!(job, Job::Incident(p) if selection.first.contains(p));
    chosen.sort_by_cached_key(|job| (!first(job), std::cmp::Reverse(weight(site, job))));
    let leading = chosen.iter().take_while(|job| first(job)).count();
    render_first(&mut renderer, &chosen[..leading], options, sink)?;
    let exports = export_lines(&renderer, &chosen[leading..], kept_exports)?;
    render_jobs(&renderer, &chosen[leading..], &exports, sink)?;
    let mut rendered = chosen.len();
    if selection.site_wide {
        rendered += static_files(theme, sink)?;
    }
    let Renderer {
        rows,
        row_html,
        list_row_html,
        trends,
        quality: scores,
        ..
    } = renderer;
    if quality.is_empty() {
        quality = scores.into_owned().into_iter().map(Some).collect();
    }
    Ok(Partial {
        rendered,
        rows: Rows {
            rows: rows.into_held(),
            html: row_html.into_plain(),
            list_html: list_row_html,
            changed,
            previous,
            exports,
            quality,
            trends,
        },
    })
}

/// Renders the pages of the incidents just edited (`first`) and makes sure `renderer` has
/// the trend figures, which it computes beside those pages when it lacks them: they show
/// none of them. The pages come first (`join` runs them on this thread, the figures
/// wherever a core is free).
fn render_first<S: Sink>(
    renderer: &mut Renderer<'_>,
    first: &[Job],
    options: &RenderOptions,
    sink: &S,
) -> Result<(), S::Error> {
    let (rendered, figures) = rayon::join(
        || render_jobs(renderer, first, &[], sink),
        || match renderer.trends {
            Some(_) => None,
            None => Some(crate::analyze::trends::compute(
                renderer.site,
                options.as_of,
            )),
        },
    );
    rendered?;
    if let Some(figures) = figures {
        renderer.trends = Some(figures);
    }
    Ok(())
}

/// Gives the renderer every incident's quality score when all are known (kept, or with
/// `all`, the missing ones scored now, in parallel: `/health/` shows them all) and returns
/// an empty list, for the caller to take them back after the render; else returns the
/// kept ones, padded to the site's incidents, and each incident page scores its own.
fn lend_scores(
    renderer: &mut Renderer<'_>,
    kept: Vec<Option<Quality>>,
    all: bool,
) -> Vec<Option<Quality>> {
    let site = renderer.site;
    let kept: Vec<Option<Quality>> = kept
        .into_iter()
        .chain(std::iter::repeat_with(|| None))
        .take(site.incidents.len())
        .collect();
    if !all && kept.iter().any(Option::is_none) {
        return kept;
    }
    renderer.quality = Cow::Owned(
        kept.into_par_iter()
            .zip(&site.incidents)
            .map(|(kept, incident)| {
                kept.unwrap_or_else(|| crate::analyze::quality::score(incident))
            })
            .collect(),
    );
    Vec::new()
}

/// The export lines of every incident, made (or found unchanged in `kept`) in parallel
/// over the incidents when a chosen job is an export; else `kept` as it was.
fn export_lines(
    renderer: &Renderer<'_>,
    chosen: &[Job],
    kept: Vec<Option<ExportLines>>,
) -> Result<Vec<Option<ExportLines>>, RenderError> {
    if !chosen
        .iter()
        .any(|job| matches!(job, Job::DataJson | Job::DataCsv))
    {
        return Ok(kept);
    }
    let kept: Vec<Option<ExportLines>> = kept
        .into_iter()
        .chain(std::iter::repeat_with(|| None))
        .take(renderer.site.incidents.len())
        .collect();
    let made: Vec<ExportLines> = kept
        .into_par_iter()
        .enumerate()
        .map(|(position, kept)| renderer.export_lines(position, kept))
        .collect::<Result<_, RenderError>>()?;
    Ok(made.into_iter().map(Some).collect())
}

/// Renders `chosen` in parallel, one job per task, handing each page to `sink`. The two
/// exports are joined from `exports` (all there: the jobs asked for them).
fn render_jobs<S: Sink>(
    renderer: &Renderer<'_>,
    chosen: &[Job],
    exports: &[Option<ExportLines>],
    sink: &S,
) -> Result<(), S::Error> {
    chosen
        .par_iter()
        .with_max_len(1)
        .try_for_each(|job| match job {
            Job::DataJson => {
                let lines: Vec<&[u8]> = (exports.iter().flatten())
                    .map(|l| l.json.as_slice())
                    .collect();
                sink.stream(JSON_PATH, &mut |to| renderer.write_json_export(&lines, to))
            }
            Job::DataCsv => {
                let lines: Vec<&[u8]> = (exports.iter().flatten())
                    .map(|l| l.csv.as_bytes())
                    .collect();
                sink.stream(CSV_PATH, &mut |to| renderer.write_csv_export(&lines, to))
            }
            // The incident list and term pages are written around their rows, as a build
            // writes them: `/incidents/` is megabytes.
            _ => renderer.emit(job, sink),
        })
}

/// Hands the theme's static files to `sink`; returns how many there were.
fn static_files<S: Sink>(theme: &Theme, sink: &S) -> Result<usize, S::Error> {
    for (path, bytes) in &theme.static_files {
        sink.page(Page {
            path: static_path(path),
            bytes: bytes.clone(),
        })?;
    }
    Ok(theme.static_files.len())
}

/// Where a static file of the theme is written.
fn static_path(path: &str) -> String {
    format!("static/{path}")
}

/// A rough measure of the work a job takes, in incident rows: enough to start the biggest
/// pages first.
fn weight(site: &Site, job: &Job) -> usize {
    let incidents = site.incidents.len();
    match job {
        // Every incident, as a JSON object of about 2 KB.
        Job::DataJson => incidents * 4,
        Job::IncidentList => incidents * 2,
        Job::DataCsv | Job::Trends | Job::Health => incidents,
        Job::Term(facet, term) => site
            .index
            .facet(*facet)
            .terms
            .get(*term)
            .map_or(1, |term| term.incidents.len() * 2),
        Job::Home => incidents / 4,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::site::{AnalyzeOptions, analyze};
    use crate::model::config::Config;
    use crate::parse::source::SourceFile;

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
        let sink = |page: Page| {
            pages.lock().unwrap().push(page);
            Ok::<(), RenderError>(())
        };
        let partial = render_selected(site, &theme, &options, &tera, rows, selection, &sink);
        let partial = partial.unwrap();
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
        let (pages, _) = render_all(&site, &Selection::all(&site), RowCache::default());
        assert_eq!(pages, full);
        let paths: Vec<String> = full.iter().map(|p| p.path.clone()).collect();
        assert_eq!(page_paths(&site, &Theme::embedded()), paths);
    }

    #[test]
    fn skipped_pages_are_not_rendered_and_rows_are_reused() {
        let site = site(&[("a.md", A), ("b.md", B)]);
        let (_, first) = render_all(&site, &Selection::all(&site), RowCache::default());
        assert!(
            (0..2).all(|i| first.rows.changed(i)),
            "no cache: every row is new"
        );
        let mut site_wide_only = Selection::none(&site);
        site_wide_only.site_wide = true;
        let cache = first.rows.into_cache(site.slugs.clone());
        let (pages, partial) = render_all(&site, &site_wide_only, cache);
        assert!(!pages.iter().any(|p| p.path.starts_with("incidents/")));
        assert!(pages.iter().any(|p| p.path == "index.html"));
        let mut named = site_wide_only.paths(&site, &Theme::embedded());
        named.sort_unstable();
        let rendered: Vec<&str> = pages.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(named, rendered);
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
        assert_eq!(partial.rendered, 1);
        assert_eq!(one.paths(&site, &Theme::embedded()), paths);
    }

    /// The edited incidents' pages are handed over before any other, the exports and
    /// site-wide pages included: `serve` reloads open pages at the first page written.
    #[test]
    fn the_first_pages_come_before_all_others() {
        let site = site(&[("a.md", A), ("b.md", B), ("c.md", C)]);
        let theme = Theme::embedded();
        let tera = super::super::build_tera(&theme).unwrap();
        let rows = Rows::build(&site, &tera, RowCache::default()).unwrap();
        let mut selection = Selection::all(&site);
        selection.first = vec![2];
        let order = std::sync::Mutex::new(Vec::new());
        let options = RenderOptions::default();
        let sink = |page: Page| {
            order.lock().unwrap().push(page.path);
            Ok::<(), RenderError>(())
        };
        render_selected(&site, &theme, &options, &tera, rows, &selection, &sink).unwrap();
        let order = order.into_inner().unwrap();
        let edited = format!("incidents/{}/index.html", site.incidents[2].slug);
        assert_eq!(order[0], edited);
        assert_eq!(order.len(), page_paths(&site, &theme).len());
    }

    const C: &str = "---\ntitle: C\nservices: [api]\nstarted_at: 2024-03-01T00:00:00Z\n---\nz\n";

    fn full_render(site: &Site) -> Vec<Page> {
        super::super::render(site, &Theme::embedded(), &RenderOptions::default()).unwrap()
    }

    #[test]
    fn vouched_rows_and_export_lines_are_kept_and_positions_follow_slugs() {
        let before = site(&[("a.md", A), ("b.md", B), ("c.md", C)]);
        let (_, first) = render_all(&before, &Selection::all(&before), RowCache::default());
        // A now starts after B: every position shifts, and only A's file changed.
        let moved = A.replace("2024-01-01", "2024-02-15");
        let after = site(&[("a.md", &moved), ("b.md", B), ("c.md", C)]);
        let mut cache = first.rows.into_cache(before.slugs.clone());
        cache.unchanged_except(["a".to_string()].into());
        cache.terms_unchanged_except(vec![false; after.incidents.len()]);
        let (pages, partial) = render_all(&after, &Selection::all(&after), cache);
        assert_eq!(pages, full_render(&after));
        for (position, incident) in after.incidents.iter().enumerate() {
            assert_eq!(
                partial.rows.previous_position(position),
                Some(before.slugs[&incident.slug]),
                "{}",
                incident.slug
            );
            assert_eq!(partial.rows.changed(position), incident.slug == "a");
        }
    }

    #[test]
    fn a_word_that_does_not_add_up_is_not_taken() {
        let before = site(&[("a.md", A), ("b.md", B)]);
        let (_, first) = render_all(&before, &Selection::all(&before), RowCache::default());
        // The caller vouches for every incident, but one is new: the counts differ, and
        // every slug is looked up instead.
        let after = site(&[("a.md", A), ("b.md", B), ("c.md", C)]);
        let mut cache = first.rows.into_cache(before.slugs.clone());
        cache.unchanged_except(HashSet::new());
        cache.terms_unchanged_except(vec![false; after.incidents.len()]);
        let (pages, partial) = render_all(&after, &Selection::all(&after), cache);
        assert_eq!(pages, full_render(&after));
        let c = after.slugs["c"];
        assert_eq!(partial.rows.previous_position(c), None);
        assert!(partial.rows.changed(c));
        let a = after.slugs["a"];
        assert_eq!(partial.rows.previous_position(a), Some(before.slugs["a"]));
    }
}
