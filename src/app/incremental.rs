//! Incremental rebuilds for `serve`: the last parsed content kept in memory, and each change
//! re-parsed, re-assembled and re-rendered only as far as it can have reached.
//!
//! A [`Session`] keeps every content file's parsed incident and the site it last rendered.
//! On a change it re-reads the changed paths and re-parses only files whose bytes differ.
//! Then one of two paths:
//!
//! - **Body only.** When every changed file kept its metadata (everything but the body,
//!   compared by fingerprint) and no body links to other files, the new incidents replace
//!   the old ones in the site as it is, and only their own pages are rendered, with the
//!   pages whose "Similar incidents" changed (`similar`: the lists the edited texts reach
//!   are updated and compared): no other page shows a body. This is the common case while a
//!   postmortem is being written. An edit that changed the title too, and nothing else
//!   of the metadata, takes the same path: the order, the facets and the related lists
//!   read no title, so the site stays as it is; the changed rows are made again
//!   (`Rows::remake`), and the pages that show the title are rendered besides
//!   (`plan::select_listing`: the pages listing the incident as related or similar, its
//!   term pages, the incident list and the site-wide pages), with the trend figures kept.
//! - **Otherwise** the site is assembled anew (`site::assemble`: duplicates, order,
//!   indexes, related incidents) from the previous site's incidents, less those of the
//!   changed files, and the changed files' new ones. An incident whose slug no changed
//!   file had or has is the very one rendered last time, so its table row and export
//!   lines are kept as they are (the row only while no facet term changed name or slug,
//!   as rows link to terms); every other row is remade as data and compared, and only rows
//!   that differ go through the template again. `plan::select` compares the new site with
//!   the previous one to choose the incident pages, term pages and incident list that can
//!   differ; the site-wide pages (home, overviews, trends, exports) are always rendered.
//!   A template change renders every page and every row, since templates reach pages
//!   through `extends`, `include` and macros; a config change re-reads and re-parses
//!   everything.
//!
//! Either way only pages whose bytes differ from the file on disk are written, and pages
//! the site no longer has are removed. The output after any sequence of changes is
//! byte-identical to a full build of the same files; the tests check this, which is what
//! keeps the rules above honest.
//!
//! Nothing here exits or prints. Content problems are diagnostics in the [`Update`]; a
//! config or theme that does not load keeps the last good one and is reported by
//! [`Session::problems`]; a file whose front matter breaks keeps its last good incident,
//! so the page an author is looking at stays up while they fix it.

mod files;
mod plan;
mod rebuild;
mod reuse;
mod similar;

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use tera::Tera;

use crate::analyze::site::Site;
use crate::app::output::{OutputError, WriteError};
use crate::app::project::{self, LoadError};
use crate::app::watch::ChangeSet;
use crate::model::config::Config;
use crate::model::diagnostics::{Diagnostic, Level};
use crate::parse::source;
use crate::render::theme::Theme;
use crate::render::{self, RenderError, Rows};
use files::{FileState, InPlace, Links};

/// Told what a rebuild writes while it writes it: `serve` holds requests for those
/// pages until they are written, and reloads open pages once the first has changed, so
/// the page an author looks at (rendered first, [`render::Selection::first`]) does not
/// wait for the rest. A session's first render, into a fresh folder, tells nothing.
pub trait Progress: Send + Sync + std::fmt::Debug {
    /// Before any page is written: the path of every page the rebuild may write (it
    /// writes those whose bytes differ), the folders any file of which may change until
    /// [`Session::apply`] returns, and the problems the site has now (as
    /// [`Session::problems`]).
    fn writing(&self, pages: Vec<String>, folders: &[&str], problems: Vec<String>);
    /// One of those pages is as it will stay: written when `changed`, else left as it was.
    fn settled(&self, page: &str, changed: bool);
}

/// How a session builds.
#[derive(Debug, Clone)]
pub struct SessionOptions {
    /// The site root, absolute: change sets name absolute paths under it.
    pub root: PathBuf,
    /// The folder the pages are written to; replaced wholesale when the session starts.
    pub out: PathBuf,
    pub drafts: bool,
    /// Replaces the config's `base_url` (serve uses `/`, so the 404 page's links work on
    /// the local server).
    pub base_url: Option<String>,
    /// The date trend figures are computed for (overdue action items, "on this day"),
    /// resolved by the command line as for `build`.
    pub as_of: NaiveDate,
}

/// An operational failure; content problems are diagnostics, never this.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error(transparent)]
    Output(#[from] OutputError),
}

/// What happened to one content file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileChange {
    Added,
    Edited,
    Removed,
}

/// How much a rebuild rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scope {
    /// Nothing: no file changed in a way that matters.
    #[default]
    Nothing,
    /// Only the pages of incidents whose body changed.
    Bodies,
    /// The pages the change reached, and the site-wide pages.
    Reached,
    /// Every page (start, config or template change).
    Everything,
}

/// What one rebuild did, for the terminal and the browser.
#[derive(Debug, Default)]
pub struct Update {
    /// Content files whose bytes changed, by path relative to the root.
    pub files: Vec<(String, FileChange)>,
    /// The config was reloaded (successfully or not).
    pub config: bool,
    /// The theme was reloaded (successfully or not).
    pub theme: bool,
    pub scope: Scope,
    pub rendered: usize,
    /// Pages whose bytes changed, relative to the output folder.
    pub written: Vec<String>,
    /// Pages the site no longer has.
    pub removed: Vec<String>,
    pub incidents: usize,
    /// New diagnostics: those of the changed files, and cross-file ones not seen before.
    pub diagnostics: Vec<Diagnostic>,
    pub elapsed: Duration,
    /// Time spent in each stage, in order, for `--timings` and the benchmark.
    pub stages: Vec<(&'static str, Duration)>,
}

impl Update {
    /// Whether open pages should reload: some file in the output changed.
    pub fn changed_output(&self) -> bool {
        !self.written.is_empty() || !self.removed.is_empty()
    }
}

/// The site as last rendered, and what its render left.
#[derive(Debug)]
struct Current {
    site: Site,
    rows: Rows,
    /// Every page in the output folder, sorted.
    pages: Vec<String>,
    /// What `site`'s similar lists were computed from, once an edit needed them all.
    similar: Option<similar::Kept>,
}

/// The live state of `serve`: config, theme, every parsed file, and the rendered site.
#[derive(Debug)]
pub struct Session {
    options: SessionOptions,
    config: Config,
    theme: Theme,
    /// The theme's templates, compiled.
    tera: Tera,
    files: BTreeMap<String, FileState>,
    /// Cross-file diagnostics of the last assembly, sorted.
    cross: Vec<Diagnostic>,
    /// `None` before the first render, and after one failed half-way: the next render
    /// then renders everything, since the output folder's contents are not known.
    current: Option<Current>,
    /// Why the config on disk is not the one in use, until it loads again.
    config_error: Option<String>,
    /// Why the theme on disk is not the one in use, until it loads again.
    theme_error: Option<String>,
    /// The search index as last written.
    search: crate::render::search::SearchState,
    /// The output folder holds nothing of this session yet: the first render writes it
    /// whole, into a new folder, instead of comparing page by page.
    fresh_output: bool,
    /// Told what each rebuild writes, as it writes it.
    progress: Option<Arc<dyn Progress>>,
}

impl Session {
    /// Loads, parses and renders the whole site into a fresh output folder.
    pub fn start(options: SessionOptions) -> Result<(Session, Update), SessionError> {
        let started = Instant::now();
        let project = project::load(&options.root)?;
        let tera = render::build_tera(&project.theme)?;
        let mut session = Session {
            config: configured(project.config, &options),
            options,
            theme: project.theme,
            tera,
            files: BTreeMap::new(),
            cross: Vec::new(),
            current: None,
            config_error: None,
            theme_error: None,
            search: crate::render::search::SearchState::default(),
            fresh_output: true,
            progress: None,
        };
        let mut update = Update::default();
        update.stages.push(("load", started.elapsed()));
        let parsed = session.parse(project.sources.read_all(), &mut update);
        session.rebuild(parsed, Vec::new(), Scope::Everything, &mut update)?;
        update.diagnostics = session.diagnostics().cloned().collect();
        update.elapsed = started.elapsed();
        Ok((session, update))
    }

    /// Tells `progress` what every later rebuild writes, as it writes it.
    pub fn report_progress(&mut self, progress: Arc<dyn Progress>) {
        self.progress = Some(progress);
    }

    /// The content folder, absolute: what `watch` must watch.
    pub fn content_dir(&self) -> PathBuf {
        self.options.root.join(&self.config.content_dir)
    }

    /// The Backstage catalog folder the config names, if any: watched as config.
    pub fn catalog_dir(&self) -> Option<PathBuf> {
        project::catalog_dir(&self.options.root, &self.config)
    }

    /// The theme in use: `default` is embedded, anything else is `themes/<name>/`.
    pub fn theme_name(&self) -> &str {
        &self.config.theme
    }

    /// Every current diagnostic, per file and cross-file, sorted.
    pub fn diagnostics(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics_where(|_, _| true).into_iter()
    }

    /// The current diagnostics that `keep` keeps (told whether each is cross-file), sorted:
    /// filtered before sorting, since an archive can carry thousands of warnings and a
    /// rebuild wants a few of them.
    fn diagnostics_where(&self, keep: impl Fn(&Diagnostic, bool) -> bool) -> Vec<&Diagnostic> {
        let files = self.files.values().flat_map(|file| &file.diagnostics);
        let mut kept: Vec<&Diagnostic> = files
            .map(|d| (d, false))
            .chain(self.cross.iter().map(|d| (d, true)))
            .filter(|&(d, cross)| keep(d, cross))
            .map(|(d, _)| d)
            .collect();
        kept.sort_by(|a, b| {
            (&a.file, a.line, a.col, a.code).cmp(&(&b.file, b.line, b.col, b.code))
        });
        kept
    }

    /// What is wrong now, as the terminal prints it: a config or theme that did not load,
    /// and every error in the content. Empty when all is well. Warnings are left out: an
    /// archive can carry them for years, and an overlay that never goes away is noise.
    pub fn problems(&self) -> Vec<String> {
        let mut problems: Vec<String> = self
            .config_error
            .iter()
            .chain(&self.theme_error)
            .cloned()
            .collect();
        for diagnostic in self.diagnostics_where(|d, _| d.level == Level::Error) {
            let mut text = diagnostic.render_human();
            if self.files.get(&diagnostic.file).is_some_and(|f| f.stale) {
                text.push_str("\n  = note: the preview shows this file's last good version");
            }
            problems.push(text);
        }
        problems
    }

    /// Looks at what `changes` names on disk and brings the output up to date with it.
    pub fn apply(&mut self, changes: &ChangeSet) -> Result<Update, SessionError> {
        let started = Instant::now();
        let mut update = Update::default();
        if (changes.config || changes.rescan) && self.reload_config(&mut update)? {
            self.rebuild_everything(&mut update)?;
            update.elapsed = started.elapsed();
            return Ok(update);
        }
        let mut scope = Scope::Reached;
        let mut theme_changed = false;
        if changes.theme || changes.rescan {
            update.theme = true;
            if let Some((theme, tera)) = self.reload_theme() {
                if theme.templates != self.theme.templates {
                    scope = Scope::Everything;
                }
                theme_changed = theme.templates != self.theme.templates
                    || theme.static_files != self.theme.static_files;
                self.theme = theme;
                self.tera = tera;
            }
        }
        let content_dir = self.content_dir();
        let paths: Vec<&Path> = if changes.rescan {
            vec![&content_dir]
        } else {
            changes.content.iter().map(PathBuf::as_path).collect()
        };
        let t0 = Instant::now();
        let (changed, removed) = self.reconcile(&paths, &mut update);
        update.stages.push(("read", t0.elapsed()));
        if changed.is_empty() && removed.is_empty() && !theme_changed {
            update.elapsed = started.elapsed();
            return Ok(update);
        }
        let mut parsed = self.parse(changed, &mut update);
        let touched: HashSet<String> = parsed
            .iter()
            .map(|p| p.path.clone())
            .chain(removed.iter().cloned())
            .collect();
        let cross_before: HashSet<String> = self.cross.iter().map(Diagnostic::headline).collect();
        let may_be_bodies = scope == Scope::Reached && removed.is_empty() && !theme_changed;
        let in_place = may_be_bodies
            .then(|| self.bodies_only(&mut parsed))
            .flatten();
        match in_place {
            Some(InPlace {
                links: Links::None, ..
            }) => {
                let (positions, relisted) = self.replace_bodies(parsed);
                self.render_bodies(&positions, &relisted, &mut update)?;
            }
            // Links resolve through other files, and `check` reports on them across files:
            // the site is assembled again, but still only the edited pages can differ.
            Some(InPlace {
                links: Links::Some,
                listed: false,
            }) => self.rebuild(parsed, removed, Scope::Bodies, &mut update)?,
            _ => self.rebuild(parsed, removed, scope, &mut update)?,
        }
        update.diagnostics = self
            .diagnostics_where(|d, cross| {
                touched.contains(&d.file) || (cross && !cross_before.contains(&d.headline()))
            })
            .into_iter()
            .cloned()
            .collect();
        update.elapsed = started.elapsed();
        Ok(update)
    }

    /// After a config change: everything is read, parsed and rendered again.
    fn rebuild_everything(&mut self, update: &mut Update) -> Result<(), SessionError> {
        update.theme = true;
        if let Some((theme, tera)) = self.reload_theme() {
            self.theme = theme;
            self.tera = tera;
        }
        let content_dir = self.content_dir();
        let filter = source::ContentFilter::new(&self.config, &content_dir);
        let sources = source::load_sources(&content_dir, &self.options.root, &filter)
            .map_err(LoadError::from)?
            .sources;
        let before: Vec<String> = self.files.keys().cloned().collect();
        let after: HashSet<&str> = sources.iter().map(|s| s.path.as_str()).collect();
        let removed: Vec<String> = before
            .iter()
            .filter(|path| !after.contains(path.as_str()))
            .cloned()
            .collect();
        update.files.extend(
            removed
                .iter()
                .map(|path| (path.clone(), FileChange::Removed)),
        );
        update.files.extend(
            sources
                .iter()
                .filter(|s| !self.files.contains_key(&s.path))
                .map(|s| (s.path.clone(), FileChange::Added)),
        );
        let parsed = self.parse(sources, update);
        self.rebuild(parsed, removed, Scope::Everything, update)
    }

    /// Reloads `hindsight.toml`. True when the config in use changed; a config that does
    /// not load is remembered as a problem and the last good one stays.
    fn reload_config(&mut self, update: &mut Update) -> Result<bool, SessionError> {
        update.config = true;
        match project::load_config(&self.options.root) {
            Ok(config) => {
                self.config_error = None;
                let config = configured(config, &self.options);
                // Config has no `PartialEq`; its `Debug` form shows every field.
                let changed = format!("{config:?}") != format!("{:?}", self.config);
                self.config = config;
                Ok(changed)
            }
            Err(LoadError::Config(error)) => {
                self.config_error = Some(format!("error: {error}"));
                Ok(false)
            }
            Err(error) => Err(error.into()),
        }
    }

    /// Reloads the theme and compiles its templates; `None` (with the problem remembered)
    /// when either fails, and the last good theme stays in use.
    fn reload_theme(&mut self) -> Option<(Theme, Tera)> {
        let loaded = Theme::load(&self.options.root, &self.config.theme)
            .map_err(|e| e.to_string())
            .and_then(|theme| {
                let tera = render::build_tera(&theme).map_err(|e| e.to_string())?;
                Ok((theme, tera))
            });
        match loaded {
            Ok(loaded) => {
                self.theme_error = None;
                Some(loaded)
            }
            Err(message) => {
                self.theme_error = Some(format!("error: {message}"));
                None
            }
        }
    }
}

/// The config as the session uses it: with the session's overrides applied.
fn configured(mut config: Config, options: &SessionOptions) -> Config {
    if let Some(base_url) = &options.base_url {
        config.base_url.clone_from(base_url);
    }
    config
}
