//! Rebuilding: the site assembled anew from the stored incidents, the pages a change
//! reached rendered, and what differs written; or, for body-only edits, just those pages.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::Instant;

use rayon::prelude::*;
use tera::Tera;

use super::files::{Parsed, Unpacked};
use super::plan::{self, Previous};
use super::reuse::{Before, Moves, Reuse};
use super::similar::{Basis, Kept, refresh_similar};
use super::{Current, Progress, Scope, Session, SessionError, SessionOptions, Update};
use crate::analyze::index::{self, Reused};
use crate::analyze::similar::Similar;
use crate::analyze::site::{self, AnalyzeOptions, Site};
use crate::app::output;
use crate::model::config::Config;
use crate::model::incident::Incident;
use crate::parse::source;
use crate::render::search::{FOLDER as SEARCH_FOLDER, SearchUpdate};
use crate::render::theme::Theme;
use crate::render::{self, Page, RenderError, RenderOptions, RowCache, Rows, Selection};

impl Session {
    /// Renders the pages of the incidents at `positions` in the current site, whose bodies
    /// changed (and at `relisted`, their listed fields: title, summary, ...), of those
    /// whose similar incidents changed with them, and with a listed field, the pages that
    /// list them.
    pub(super) fn render_bodies(
        &mut self,
        positions: &[usize],
        relisted: &[usize],
        update: &mut Update,
    ) -> Result<(), SessionError> {
        update.scope = match relisted {
            [] => Scope::Bodies,
            _ => Scope::Reached,
        };
        let problems = self.progress.is_some().then(|| self.problems());
        let Some(current) = self.current.as_mut() else {
            return Ok(());
        };
        update.incidents = current.site.incidents.len();
        let t0 = Instant::now();
        let mut selection = Selection::none(&current.site);
        selection.first = positions.to_vec();
        for position in refresh_similar(current, positions)
            .into_iter()
            .chain(positions.iter().copied())
        {
            selection.incidents[position] = true;
        }
        if !relisted.is_empty() {
            plan::select_listing(&current.site, relisted, &mut selection);
        }
        let t1 = Instant::now();
        update.stages.push(("similar", t1 - t0));
        let mut rows = std::mem::take(&mut current.rows);
        // The rows stay, but the edited bodies' scores do not.
        for &position in positions {
            rows.forget_quality(position);
        }
        let touched: HashSet<String> = positions
            .iter()
            .filter_map(|&p| current.site.incidents.get(p))
            .map(|incident| incident.source.clone())
            .collect();
        let writer = Writer {
            theme: &self.theme,
            options: &self.options,
            tera: &self.tera,
            fresh: false,
            progress: self.progress.as_deref().zip(problems),
        };
        let site = &current.site;
        let search = &mut self.search;
        let result = remake_rows(&mut rows, site, &self.tera, relisted)
            .and_then(|()| {
                writer.write(site, rows, &selection, || {
                    search.refresh(site, Some(&touched))
                })
            })
            .and_then(|(done, stale)| {
                output::remove_pages(&self.options.out, &stale)?;
                Ok(done)
            });
        update.stages.push(("render+write", t1.elapsed()));
        match result {
            Ok((partial, written)) => {
                current.rows = partial.rows;
                update.rendered = partial.rendered;
                update.written = written;
                Ok(())
            }
            Err(error) => {
                self.search.forget();
                self.discard_current();
                Err(error)
            }
        }
    }

    /// The general path: stores the parsed files, assembles the site anew and renders
    /// what `scope` and the comparison with the previous site call for.
    pub(super) fn rebuild(
        &mut self,
        parsed: Vec<Parsed>,
        removed: Vec<String>,
        scope: Scope,
        update: &mut Update,
    ) -> Result<(), SessionError> {
        update.scope = scope;
        let t0 = Instant::now();
        let touched: HashSet<String> = parsed
            .iter()
            .map(|p| p.path.clone())
            .chain(removed.iter().cloned())
            .collect();
        let (site, mut assembled) = self.assemble_anew(parsed, &removed, touched, scope);
        let similar = assembled.similar.take();
        update.incidents = site.incidents.len();
        let t1 = Instant::now();
        update.stages.push(("assemble", t1 - t0));
        match self.render_assembled(&site, assembled, t1, update) {
            Ok((rows, pages)) => {
                self.current = Some(Current {
                    site,
                    rows,
                    pages,
                    similar,
                });
                self.fresh_output = false;
                Ok(())
            }
            Err(error) => {
                self.park(site);
                Err(error)
            }
        }
    }

    /// Takes the previous site apart, stores the changed files and assembles the site
    /// anew, with what of the previous render can be kept.
    fn assemble_anew(
        &mut self,
        parsed: Vec<Parsed>,
        removed: &[String],
        touched: HashSet<String>,
        scope: Scope,
    ) -> (Site, Assembled) {
        let Taken {
            previous,
            mut unpacked,
            rows,
            kept,
            before,
        } = self.take_apart(&touched);
        let changed_slugs = self.store_changes(parsed, removed, &touched);
        let incidents = match unpacked.as_mut() {
            Some(unpacked) => self.assembly_input(unpacked),
            None => self.assembly_input(&mut Unpacked::default()),
        };
        let (mut previous, slugs) = match (previous, unpacked) {
            (Some((span, pages)), Some(unpacked)) => (
                Some(Previous::new(
                    unpacked.slugs.len(),
                    unpacked.index,
                    span,
                    pages,
                )),
                Some(unpacked.slugs),
            ),
            _ => (None, None),
        };
        // Rows and export lines of other templates or another config would be kept where
        // they no longer fit: a change to either renders afresh.
        let (cache, same_config) = match (rows, slugs, scope) {
            (Some(rows), Some(slugs), Scope::Reached | Scope::Bodies) => {
                (rows.into_cache(slugs), true)
            }
            _ => (RowCache::default(), false),
        };
        let reuse = same_config.then(|| Reuse {
            before,
            positions: cache.slugs(),
            changed: &changed_slugs,
        });
        let basis = Basis {
            kept,
            previous: previous.as_mut().map(Previous::index_mut),
            changed: &changed_slugs,
            keep: scope != Scope::Everything,
        };
        let (site, similar, similar_changed) = self.assemble_site(incidents, basis, reuse);
        let assembled = Assembled {
            scope,
            touched,
            changed_slugs,
            previous,
            cache,
            similar,
            similar_changed,
        };
        (site, assembled)
    }

    /// Takes the current site apart for the next assembly: the incidents of the files in
    /// `touched` go back to their files, after noting what they were filed under.
    fn take_apart(&mut self, touched: &HashSet<String>) -> Taken {
        let Some(current) = self.current.take() else {
            return Taken::default();
        };
        let Current {
            site,
            rows,
            pages,
            similar,
        } = current;
        let span = plan::span(&site);
        let slugs = (touched.iter()).filter_map(|path| self.files.get(path)?.slug.as_deref());
        let before = Before::of(&site, slugs);
        Taken {
            previous: Some((span, pages)),
            unpacked: Some(self.unpack(site, touched)),
            rows: Some(rows),
            kept: similar,
            before,
        }
    }

    /// Forgets the removed files and stores the parsed ones; returns the slugs whose
    /// incident may now be another.
    fn store_changes(
        &mut self,
        parsed: Vec<Parsed>,
        removed: &[String],
        touched: &HashSet<String>,
    ) -> HashSet<String> {
        // The slugs whose incident may now be another: those the changed files had and
        // have. Every other incident is the same file's, parsed no more since the last
        // render (duplicates and drafts are decided by slug, so a file that wins or loses
        // a slug changes a slug named here).
        let mut changed_slugs: HashSet<String> = touched
            .iter()
            .filter_map(|path| self.files.get(path)?.slug.clone())
            .collect();
        for path in removed {
            self.files.remove(path);
        }
        for file in parsed {
            self.store(file);
        }
        changed_slugs.extend(
            touched
                .iter()
                .filter_map(|path| self.files.get(path)?.slug.clone()),
        );
        changed_slugs
    }

    /// Assembles the site from `incidents` (its similar lists from `basis`), keeps its
    /// cross-file diagnostics and gives the incidents it left out back to their files;
    /// returns the site, the similar model to keep and the similar lists that changed
    /// ([`super::similar::Lists::changed`]).
    fn assemble_site(
        &mut self,
        incidents: Vec<Incident>,
        basis: Basis,
        reuse: Option<Reuse>,
    ) -> (Site, Option<Kept>, Option<Vec<usize>>) {
        let options = AnalyzeOptions {
            drafts: self.options.drafts,
            as_of: Some(self.options.as_of),
        };
        let root = self.options.root.clone();
        let (mut kept, mut changed) = (None, None);
        let given = Given {
            config: &self.config,
            basis,
            reuse,
            moves: None,
            made: (&mut kept, &mut changed),
        };
        let assembled = site::assemble_with(
            &self.config,
            incidents,
            options,
            |path| match source::read_source(&root.join(path), &root).bytes {
                Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
                Err(_) => String::new(),
            },
            given,
        );
        let mut cross = assembled.diagnostics;
        site::sort_diagnostics(&mut cross);
        self.cross = cross;
        for incident in assembled.left_out {
            if let Some(file) = self.files.get_mut(&incident.source) {
                file.incident = Some(incident);
            }
        }
        (assembled.site, kept, changed)
    }

    /// Plans the assembled site's pages, removes those it no longer has, then renders and
    /// writes it; returns its rows and page list. `t1` is when planning started.
    fn render_assembled(
        &mut self,
        site: &Site,
        assembled: Assembled,
        t1: Instant,
        update: &mut Update,
    ) -> Result<(Rows, Vec<String>), SessionError> {
        let Assembled {
            scope,
            touched,
            changed_slugs,
            mut previous,
            cache,
            similar_changed,
            ..
        } = assembled;
        let changed = Changed {
            slugs: changed_slugs,
            similar: similar_changed,
        };
        // Every page's path (20,000 at 10,000 postmortems) is named beside the plan, for
        // any change that may reach the site-wide pages.
        let (planned, paths) = rayon::join(
            || self.plan_pages(site, scope, &touched, previous.as_ref(), changed, cache),
            || (scope != Scope::Bodies).then(|| render::page_paths(site, &self.theme)),
        );
        let (rows, mut selection) = planned?;
        selection.first = self.positions_of(site, &touched);
        let paths = selection
            .site_wide
            .then(|| paths.unwrap_or_else(|| render::page_paths(site, &self.theme)));
        let (pages, gone) = page_lists(paths, previous.as_mut(), self.fresh_output);
        // The previous index and page list are freed off the path of the rebuild.
        rayon::spawn(move || drop(previous));
        // Removed before any page is written: open pages may reload at the first.
        output::remove_pages(&self.options.out, &gone)?;
        let t2 = Instant::now();
        update.stages.push(("plan", t2 - t1));
        let result = self.write_selected(site, rows, &selection, scope, &touched);
        update.stages.push(("render+write", t2.elapsed()));
        let (partial, written) = result?;
        update.rendered = partial.rendered;
        update.written = written;
        update.removed = gone;
        Ok((partial.rows, pages))
    }

    /// Builds the table rows, remaking only those a change can have reached, and chooses
    /// the pages to render.
    fn plan_pages(
        &self,
        site: &Site,
        scope: Scope,
        touched: &HashSet<String>,
        previous: Option<&Previous>,
        since: Changed,
        mut cache: RowCache,
    ) -> Result<(Rows, Selection), RenderError> {
        let Changed {
            slugs: changed_slugs,
            similar: similar_known,
        } = since;
        // Positions (in the new site) of the incidents that may differ from the previous
        // one of their slug.
        let mut changed = vec![false; site.incidents.len()];
        for slug in &changed_slugs {
            if let Some(&position) = site.slugs.get(slug) {
                changed[position] = true;
            }
        }
        let terms = previous.map(|previous| plan::Terms::new(site, previous));
        cache.unchanged_except(changed_slugs);
        let relinked = terms.as_ref().map(|terms| terms.relinked_incidents(site));
        if let Some(relinked) = &relinked {
            cache.terms_unchanged_except(relinked.clone());
        }
        let rows = Rows::build(site, &self.tera, cache)?;
        let similar = previous
            .map(|previous| plan::similar_changed(site, &rows, previous, similar_known.as_deref()));
        let selection = match (previous, terms.as_ref().zip(relinked.as_deref()), scope) {
            (Some(_), _, Scope::Bodies) => {
                let mut selection = Selection::none(site);
                for position in self.positions_of(site, touched) {
                    selection.incidents[position] = true;
                }
                // Other pages list the edited incidents as similar, with words of theirs.
                for (position, changed) in similar.into_iter().flatten().enumerate() {
                    selection.incidents[position] |= changed;
                }
                selection
            }
            (Some(previous), Some((terms, relinked)), Scope::Reached) => {
                let linking = self.linking_positions(site, touched);
                let marked = plan::Marked {
                    changed: &changed,
                    similar: similar.as_deref().unwrap_or_default(),
                    linking: &linking,
                    relinked,
                };
                plan::select(site, &rows, previous, terms, marked)
            }
            _ => Selection::all(site),
        };
        Ok((rows, selection))
    }

    /// Marks (by position in `site`) the incidents whose body links to other files, when
    /// any file changed: then their pages can change.
    fn linking_positions(&self, site: &Site, touched: &HashSet<String>) -> Vec<bool> {
        let mut linking = vec![false; site.incidents.len()];
        if !touched.is_empty() {
            let paths = self
                .files
                .iter()
                .filter(|(_, file)| file.links_files)
                .map(|(path, _)| path);
            for position in self.positions_of(site, paths) {
                linking[position] = true;
            }
        }
        linking
    }

    /// Refreshes the search index and writes the selected pages and search files that
    /// differ; a failure leaves the search index to be rebuilt whole.
    fn write_selected(
        &mut self,
        site: &Site,
        rows: Rows,
        selection: &Selection,
        scope: Scope,
        touched: &HashSet<String>,
    ) -> Result<(render::Partial, Vec<String>), SessionError> {
        let fresh = self.fresh_output;
        let only_files = matches!(scope, Scope::Reached | Scope::Bodies) && !fresh;
        let problems = self.progress.is_some().then(|| self.problems());
        let writer = Writer {
            theme: &self.theme,
            options: &self.options,
            tera: &self.tera,
            fresh,
            progress: self.progress.as_deref().zip(problems),
        };
        let search = &mut self.search;
        let result = writer
            .write(site, rows, selection, || {
                search.refresh(site, only_files.then_some(touched))
            })
            .and_then(|(done, stale)| {
                if !fresh {
                    output::remove_pages(&self.options.out, &stale)?;
                }
                Ok(done)
            });
        if result.is_err() {
            self.search.forget();
        }
        result
    }

    /// Forgets the rendered site after a failed render: its incidents go back to their
    /// files, and the next rebuild renders everything.
    fn discard_current(&mut self) {
        if let Some(current) = self.current.take() {
            self.park(current.site);
        }
    }
}

/// One rebuild between assembling the site and rendering it: what the change was and
/// what of the previous render carries over.
struct Assembled {
    scope: Scope,
    /// The paths of the changed and removed files, relative to the root.
    touched: HashSet<String>,
    /// The slugs whose incident may now be another.
    changed_slugs: HashSet<String>,
    /// What the previous render showed, if there was one that completed.
    previous: Option<Previous>,
    /// The rows and export lines that may be kept.
    cache: RowCache,
    /// The similar model to keep with the site.
    similar: Option<Kept>,
    /// The positions whose similar list changed, when the assembly knows
    /// ([`super::similar::Lists::changed`]).
    similar_changed: Option<Vec<usize>>,
}

/// What changed since the previous render, as the assembly found it.
struct Changed {
    /// The slugs whose incident may now be another.
    slugs: HashSet<String>,
    /// The positions whose similar list changed, when the assembly knows
    /// ([`super::similar::Lists::changed`]).
    similar: Option<Vec<usize>>,
}

/// The pages the output folder holds after a render of the site whose pages are `paths`
/// (`None` when only bodies changed), and those of the previous list that are gone.
fn page_lists(
    paths: Option<Vec<String>>,
    previous: Option<&mut Previous>,
    fresh: bool,
) -> (Vec<String>, Vec<String>) {
    // Without the site-wide pages the page list is not known; a body-only change
    // leaves it as it was.
    match (paths, previous) {
        (Some(pages), Some(previous)) if !fresh => {
            let gone = missing_from(&previous.pages, &pages);
            (pages, gone)
        }
        (Some(pages), _) => (pages, Vec::new()),
        (None, Some(previous)) => (std::mem::take(&mut previous.pages), Vec::new()),
        (None, None) => (Vec::new(), Vec::new()),
    }
}

/// The entries of sorted `old` that sorted `new` lacks, in one pass over both.
fn missing_from(old: &[String], new: &[String]) -> Vec<String> {
    let mut missing = Vec::new();
    let mut new = new.iter().peekable();
    for page in old {
        while new.next_if(|candidate| *candidate < page).is_some() {}
        if new.peek() != Some(&page) {
            missing.push(page.clone());
        }
    }
    missing
}

/// A render written: what it did, the pages it wrote (sorted), and the search files that
/// are no longer in the index.
type Written = ((render::Partial, Vec<String>), Vec<String>);

/// What writing a render takes from the session, borrowed apart from the rendered site
/// so the body-only path can write while it holds that site.
struct Writer<'a> {
    theme: &'a Theme,
    options: &'a SessionOptions,
    tera: &'a Tera,
    /// Write into a fresh folder swapped into place, not page by page.
    fresh: bool,
    /// Told what is written as it is, with the problems the site has now.
    progress: Option<(&'a dyn Progress, Vec<String>)>,
}

impl Writer<'_> {
    /// Renders `selection` of `site` and writes it with the pages of the search index
    /// that `search` brings up to date (beside the render: on a body edit at 10,000
    /// postmortems the two take about as long): into a fresh folder swapped into place
    /// (the session's first render), or page by page over the existing one, only what
    /// differs. Returns the pages written, sorted, and the search files no longer there.
    fn write(
        self,
        site: &Site,
        rows: Rows,
        selection: &Selection,
        search: impl FnOnce() -> SearchUpdate + Send,
    ) -> Result<Written, SessionError> {
        let (theme, options, tera) = (self.theme, self.options, self.tera);
        let out = &options.out;
        // A fresh folder is swapped in whole: nothing in it can be served before then.
        let progress = match self.progress {
            Some((progress, problems)) if !self.fresh => {
                progress.writing(selection.paths(site, theme), &[SEARCH_FOLDER], problems);
                Some(progress)
            }
            _ => None,
        };
        let render_options = RenderOptions {
            as_of: options.as_of,
        };
        let written = Mutex::new(Vec::new());
        // Each page, rendered or from the search index, goes through one writer.
        let render_and_write = |sink: &Serving<'_>| {
            let (partial, search) = rayon::join(
                || {
                    render::render_selected(
                        site,
                        theme,
                        &render_options,
                        tera,
                        rows,
                        selection,
                        sink,
                    )
                },
                search,
            );
            let partial = partial?;
            (search.pages.into_par_iter()).try_for_each(|page| render::Sink::page(sink, page))?;
            Ok::<_, SessionError>((partial, search.stale))
        };
        let serving = |to| Serving {
            to,
            progress,
            written: &written,
        };
        let (partial, stale) = if self.fresh {
            let staging = output::Staging::new(out, output::Replace::default())?;
            let done = render_and_write(&serving(Target::Fresh(&staging)))?;
            // The previous preview (the last `serve` of this site) is removed on a thread
            // of its own while this one is served: on a disk, removing 10,000 pages took
            // two seconds of a six-second start.
            if let Some(previous) = staging.commit_leaving_previous()? {
                std::thread::spawn(move || previous.remove_quietly());
            }
            done
        } else {
            render_and_write(&serving(Target::Over(out)))?
        };
        let mut written = written.into_inner().unwrap_or_else(|e| e.into_inner());
        written.sort_unstable();
        Ok(((partial, written), stale))
    }
}

/// Where a rebuild writes its pages.
#[derive(Clone, Copy)]
enum Target<'a> {
    /// A fresh folder, swapped into place once whole: every page is written.
    Fresh(&'a output::Staging),
    /// The output folder, page by page: only the pages that differ.
    Over(&'a std::path::Path),
}

/// The sink of a rebuild: writes each page to its target, tells `progress` it is settled,
/// and records the pages that changed.
struct Serving<'a> {
    to: Target<'a>,
    progress: Option<&'a dyn Progress>,
    written: &'a Mutex<Vec<String>>,
}

impl Serving<'_> {
    fn settled(&self, path: String, changed: bool) {
        if let Some(progress) = self.progress {
            progress.settled(&path, changed);
        }
        if changed {
            let mut written = self.written.lock().unwrap_or_else(|e| e.into_inner());
            written.push(path);
        }
    }
}

impl render::Sink for Serving<'_> {
    type Error = SessionError;

    fn page(&self, page: Page) -> Result<(), SessionError> {
        let changed = match self.to {
            Target::Fresh(staging) => staging.write(&page).map(|()| true)?,
            Target::Over(out) => output::write_if_changed(out, &page)?,
        };
        self.settled(page.path, changed);
        Ok(())
    }

    /// Written as it is made, never held whole: the data exports, `/incidents/` and the
    /// term pages.
    fn stream(&self, path: &str, write: &mut render::WriteParts<'_>) -> Result<(), SessionError> {
        let write = |to: &mut dyn std::io::Write| write(to).map_err(SessionError::from);
        let changed = match self.to {
            Target::Fresh(staging) => staging.write_with(path, write).map(|()| true)?,
            Target::Over(out) => output::write_if_changed_with(out, path, write)?,
        };
        self.settled(path.to_string(), changed);
        Ok(())
    }
}

/// Makes the rows of the incidents at `relisted` again (their listed fields changed in
/// place).
fn remake_rows(
    rows: &mut Rows,
    site: &Site,
    tera: &Tera,
    relisted: &[usize],
) -> Result<(), SessionError> {
    if relisted.is_empty() {
        return Ok(());
    }
    Ok(rows.remake(site, tera, relisted)?)
}

/// The current site taken apart ([`Session::take_apart`]); empty before the first.
#[derive(Default)]
struct Taken {
    /// Its span of dates and its pages.
    previous: Option<(plan::Span, Vec<String>)>,
    unpacked: Option<Unpacked>,
    rows: Option<Rows>,
    kept: Option<Kept>,
    /// What the incidents of the slugs the edited files had were filed under.
    before: Before,
}

/// What a rebuild's index is given: the similar lists from `basis`, and the facets and
/// related lists `reuse` finds the edit left as they were.
struct Given<'a, 'b> {
    config: &'b Config,
    basis: Basis<'a>,
    reuse: Option<Reuse<'b>>,
    /// Where `reuse` found every incident, when they are the same, and when it took the
    /// related lists, which it made again.
    moves: Option<(Moves, Option<Vec<usize>>)>,
    /// Where the similar model to keep and the lists that changed go.
    made: (&'b mut Option<Kept>, &'b mut Option<Vec<usize>>),
}

impl index::Given for Given<'_, '_> {
    fn reused(&mut self, incidents: &[Incident], slug_of: &HashMap<String, usize>) -> Reused {
        let (Some(reuse), Some(previous)) = (&self.reuse, self.basis.previous.as_deref()) else {
            return Reused::default();
        };
        let Some(moves) = reuse.moves(incidents.len(), slug_of) else {
            return Reused::default();
        };
        let reused = reuse.reused(self.config, previous, incidents, &moves);
        let remade = reused.related.as_ref().map(|related| related.stale.clone());
        self.moves = Some((moves, remade));
        reused
    }

    fn similar(self, incidents: &[Incident], related: &[Vec<usize>]) -> Vec<Vec<Similar>> {
        let config = &self.config.similar;
        let made = self.basis.lists(config, incidents, related, self.moves);
        (*self.made.0, *self.made.1) = (made.kept, made.changed);
        made.lists
    }
}

#[cfg(test)]
mod tests {
    use super::missing_from;

    #[test]
    fn pages_gone_are_those_only_before() {
        let list = |items: &[&str]| items.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let cases: &[(&[&str], &[&str], &[&str])] = &[
            (&[], &[], &[]),
            (&["a", "b", "c"], &["a", "c"], &["b"]),
            (&["a", "b"], &["0", "b", "z"], &["a"]),
            (&["a"], &[], &["a"]),
            (&[], &["a"], &[]),
        ];
        for (old, new, gone) in cases {
            assert_eq!(
                missing_from(&list(old), &list(new)),
                list(gone),
                "{old:?} {new:?}"
            );
        }
    }
}
