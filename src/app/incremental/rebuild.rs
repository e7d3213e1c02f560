//! Rebuilding: the site assembled anew from the stored incidents, the pages a change
//! reached rendered, and what differs written; or, for body-only edits, just those pages.

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Instant;

use rayon::prelude::*;
use tera::Tera;

use super::files::{Parsed, Unpacked};
use super::plan::{self, Previous};
use super::{Current, Mode, Scope, Session, SessionError, SessionOptions, Update};
use crate::analyze::site::{self, AnalyzeOptions, Site};
use crate::app::output;
use crate::parse::source;
use crate::render::theme::Theme;
use crate::render::{self, Page, RenderOptions, RowCache, Rows, Selection};

impl Session {
    /// Renders the pages of the incidents at `positions` in the current site, alone.
    pub(super) fn render_bodies(
        &mut self,
        positions: &[usize],
        update: &mut Update,
    ) -> Result<(), SessionError> {
        update.scope = Scope::Bodies;
        let Some(current) = self.current.as_mut() else {
            return Ok(());
        };
        update.incidents = current.site.incidents.len();
        let mut selection = Selection::none(&current.site);
        for &position in positions {
            selection.incidents[position] = true;
        }
        let t0 = Instant::now();
        let rows = std::mem::take(&mut current.rows);
        let touched: HashSet<String> = positions
            .iter()
            .filter_map(|&p| current.site.incidents.get(p))
            .map(|incident| incident.source.clone())
            .collect();
        let search = self.search.refresh(&current.site, Some(&touched));
        let result = write_pages(
            &current.site,
            &self.theme,
            &self.options,
            self.tera.clone(),
            rows,
            &selection,
            false,
            search.pages,
        )
        .and_then(|done| {
            output::remove_pages(&self.options.out, &search.stale)?;
            Ok(done)
        });
        update.stages.push(("render+write", t0.elapsed()));
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
    /// what `mode` and the comparison with the previous site call for.
    pub(super) fn rebuild(
        &mut self,
        parsed: Vec<Parsed>,
        removed: Vec<String>,
        mode: Mode,
        update: &mut Update,
    ) -> Result<(), SessionError> {
        update.scope = match mode {
            Mode::Bodies => Scope::Bodies,
            Mode::Reached => Scope::Reached,
            Mode::Fresh | Mode::All => Scope::Everything,
        };
        let t0 = Instant::now();
        let touched: HashSet<String> = parsed
            .iter()
            .map(|p| p.path.clone())
            .chain(removed.iter().cloned())
            .collect();
        let (previous, mut unpacked, rows) = match self.current.take() {
            Some(current) => {
                let Current { site, rows, pages } = current;
                let span = plan::span(&site);
                let unpacked = self.unpack(site, &touched);
                (Some((span, pages)), Some(unpacked), Some(rows))
            }
            None => (None, None, None),
        };
        // The slugs whose incident may now be another: those the changed files had and
        // have. Every other incident is the same file's, parsed no more since the last
        // render (duplicates and drafts are decided by slug, so a file that wins or loses
        // a slug changes a slug named here).
        let mut changed_slugs: HashSet<String> = touched
            .iter()
            .filter_map(|path| self.files.get(path)?.slug.clone())
            .collect();
        for path in &removed {
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
        let mut cache = match (rows, slugs, mode) {
            (Some(rows), Some(slugs), Mode::Reached | Mode::Bodies) => rows.into_cache(slugs),
            _ => RowCache::default(),
        };
        let options = AnalyzeOptions {
            drafts: self.options.drafts,
        };
        let root = self.options.root.clone();
        let assembled =
            site::assemble(
                &self.config,
                incidents,
                options,
                |path| match source::read_source(&root.join(path), &root).bytes {
                    Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
                    Err(_) => String::new(),
                },
            );
        let mut cross = assembled.diagnostics;
        site::sort_diagnostics(&mut cross);
        self.cross = cross;
        for incident in assembled.left_out {
            if let Some(file) = self.files.get_mut(&incident.source) {
                file.incident = Some(incident);
            }
        }
        let site = assembled.site;
        update.incidents = site.incidents.len();
        let t1 = Instant::now();
        update.stages.push(("assemble", t1 - t0));
        // Positions (in the new site) of the incidents that may differ from the previous
        // one of their slug.
        let mut changed = vec![false; site.incidents.len()];
        for slug in &changed_slugs {
            if let Some(&position) = site.slugs.get(slug) {
                changed[position] = true;
            }
        }
        let terms = previous
            .as_ref()
            .map(|previous| plan::Terms::new(&site, previous));
        cache.unchanged_except(changed_slugs);
        if terms.as_ref().is_some_and(plan::Terms::links_kept) {
            cache.terms_unchanged();
        }
        let rows = match Rows::build(&site, &self.tera, cache) {
            Ok(rows) => rows,
            Err(error) => {
                self.park(site);
                return Err(error.into());
            }
        };
        let selection = match (&previous, &terms, mode) {
            (Some(_), _, Mode::Bodies) => {
                let mut selection = Selection::none(&site);
                for position in self.positions_of(&site, &touched) {
                    selection.incidents[position] = true;
                }
                selection
            }
            (Some(previous), Some(terms), Mode::Reached) => {
                // When any file changed, pages whose body links to other files can change.
                let mut linking = vec![false; site.incidents.len()];
                if !touched.is_empty() {
                    let paths = self
                        .files
                        .iter()
                        .filter(|(_, file)| file.links_files)
                        .map(|(path, _)| path);
                    for position in self.positions_of(&site, paths) {
                        linking[position] = true;
                    }
                }
                plan::select(&site, &rows, previous, terms, &changed, &linking)
            }
            _ => Selection::all(&site),
        };
        let t2 = Instant::now();
        update.stages.push(("plan", t2 - t1));
        let fresh = mode == Mode::Fresh;
        let only_files = matches!(mode, Mode::Reached | Mode::Bodies) && !fresh;
        let search = self.search.refresh(&site, only_files.then_some(&touched));
        let result = write_pages(
            &site,
            &self.theme,
            &self.options,
            self.tera.clone(),
            rows,
            &selection,
            fresh,
            search.pages,
        )
        .and_then(|done| {
            if !fresh {
                output::remove_pages(&self.options.out, &search.stale)?;
            }
            Ok(done)
        });
        if result.is_err() {
            self.search.forget();
        }
        update.stages.push(("render+write", t2.elapsed()));
        let (partial, written) = match result {
            Ok(done) => done,
            Err(error) => {
                self.park(site);
                return Err(error);
            }
        };
        // Without the site-wide pages the page list is not known; a body-only change
        // leaves it as it was.
        let (pages, gone) = match (partial.paths, previous.as_mut()) {
            (Some(pages), Some(previous)) if !fresh => {
                let gone = missing_from(&previous.pages, &pages);
                (pages, gone)
            }
            (Some(pages), _) => (pages, Vec::new()),
            (None, Some(previous)) => (std::mem::take(&mut previous.pages), Vec::new()),
            (None, None) => (Vec::new(), Vec::new()),
        };
        // The previous index and page list are freed off the path of the rebuild.
        rayon::spawn(move || drop(previous));
        if let Err(error) = output::remove_pages(&self.options.out, &gone) {
            self.park(site);
            return Err(error.into());
        }
        update.rendered = partial.rendered;
        update.written = written;
        update.removed = gone;
        self.current = Some(Current {
            site,
            rows: partial.rows,
            pages,
        });
        Ok(())
    }

    /// Forgets the rendered site after a failed render: its incidents go back to their
    /// files, and the next rebuild renders everything.
    fn discard_current(&mut self) {
        if let Some(current) = self.current.take() {
            self.park(current.site);
        }
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

/// Renders `selection` and writes what differs: into a fresh folder swapped into place
/// (`fresh`), or page by page over the existing one. Returns the pages written, sorted.
// The session's parts travel separately: they are borrowed from different fields.
#[allow(clippy::too_many_arguments)]
fn write_pages(
    site: &Site,
    theme: &Theme,
    options: &SessionOptions,
    tera: Tera,
    rows: Rows,
    selection: &Selection,
    fresh: bool,
    search: Vec<Page>,
) -> Result<(render::Partial, Vec<String>), SessionError> {
    let out = &options.out;
    let render_options = RenderOptions {
        as_of: options.as_of,
    };
    let written = Mutex::new(Vec::new());
    let record = |page: Page| {
        written
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(page.path);
    };
    // Each page, rendered or from the search index, goes through one writer.
    let render_and_write = |write: &(dyn Fn(&Page) -> Result<bool, SessionError> + Sync)| {
        let sink = |page: Page| {
            if write(&page)? {
                record(page);
            }
            Ok::<(), SessionError>(())
        };
        let partial =
            render::render_selected(site, theme, &render_options, tera, rows, selection, sink)?;
        search.into_par_iter().try_for_each(sink)?;
        Ok::<_, SessionError>(partial)
    };
    let partial = if fresh {
        let staging = output::Staging::new(out)?;
        let partial = render_and_write(&|page| Ok(staging.write(page).map(|()| true)?))?;
        staging.commit()?;
        partial
    } else {
        render_and_write(&|page| Ok(output::write_if_changed(out, page)?))?
    };
    let mut written = written.into_inner().unwrap_or_else(|e| e.into_inner());
    written.sort_unstable();
    Ok((partial, written))
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
