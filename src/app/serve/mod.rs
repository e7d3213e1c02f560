//! `serve`: a live preview that keeps up while a postmortem is being written.
//!
//! Four pieces that know little of each other: [`Watcher`] turns file events into change
//! sets, [`Session`] turns change sets into written pages (incrementally), [`Server`]
//! serves a folder over HTTP, and [`Live`] tells open pages to reload. [`run`] wires them
//! together on the calling thread: wait for a settled change set and apply it. The
//! rebuild names the pages it will write before it writes any; the server holds requests
//! for those until each is written, so the new version is announced as soon as the first
//! page changed (the edited postmortem's, rendered first), not after the exports and the
//! search index.
//!
//! The preview is written to a folder of its own, never the site's `public/`: under the
//! system's temporary folder, `hindsight-serve/<site>-<hash of its path>/site`, locked while
//! a preview runs (a second preview of the same site takes the next free suffix) and
//! reused by the next run; previews of sites that are gone are removed ([`folder`]).

mod body;
mod folder;
mod http;
mod live;
mod pending;
mod request;
mod respond;

pub use http::{HEAD_TIMEOUT, MAX_HEAD, Server, WRITE_TIMEOUT};
pub use live::{EVENTS_PATH, Live, OVERLAY_PATH, SCRIPT_PATH, STYLE_PATH};
pub use respond::CONTENT_SECURITY_POLICY;

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;

use crate::app::incremental::{Progress, Session, SessionError, SessionOptions, Update};
use crate::app::project::{self, LoadError};
use crate::app::watch::{ChangeSet, Layout, WatchError, Watcher};

/// How `serve` runs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    pub interface: IpAddr,
    /// 0 picks a free port.
    pub port: u16,
    pub drafts: bool,
    /// The date trend figures are computed for.
    pub as_of: NaiveDate,
}

/// What happens while serving, for the command line to print.
#[derive(Debug)]
pub enum Event<'a> {
    /// The first build is written and the server accepts requests at `address`.
    Serving {
        address: SocketAddr,
        out: &'a Path,
        update: &'a Update,
    },
    /// A change was applied; open pages were told to reload if any page changed.
    Rebuilt {
        changes: &'a ChangeSet,
        update: &'a Update,
        /// What is wrong now (config, theme, content errors), as the overlay shows it.
        problems: &'a [String],
    },
    /// A rebuild failed for an operational reason; the last good pages stay up.
    Failed(&'a SessionError),
    /// The watcher could not follow a changed layout; changes there are not seen.
    WatchFailed(&'a WatchError),
}

/// Failures that stop `serve` before it serves.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("failed to listen on {address}: {source}")]
    Bind {
        address: SocketAddr,
        #[source]
        source: io::Error,
    },
    #[error("failed to prepare the preview folder {path}: {source}")]
    Folder {
        path: String,
        #[source]
        source: io::Error,
    },
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(transparent)]
    Session(#[from] SessionError),
    #[error(transparent)]
    Watch(#[from] WatchError),
}

/// Builds the site, serves it and keeps it up to date until the watcher stops (in
/// practice, until the process is interrupted). Content problems never stop it.
pub fn run(options: &ServeOptions, mut report: impl FnMut(Event<'_>)) -> Result<(), ServeError> {
    let root = std::path::absolute(&options.root).map_err(|source| ServeError::Folder {
        path: options.root.display().to_string(),
        source,
    })?;
    if !root.is_dir() {
        return Err(LoadError::RootNotFound {
            path: root.display().to_string(),
        }
        .into());
    }
    // Watch before the first build reads anything, so no save in between is missed.
    let config = project::load_config(&root)?;
    let layout = Layout::new(&root, &root.join(&config.content_dir), &config.theme)
        .with_catalog(project::catalog_dir(&root, &config));
    let mut watcher = Watcher::new(layout)?;
    let (folder, _lock) = folder::preview_folder(&root)?;
    let out = folder.join("site");
    let live = Arc::new(Live::new());
    let address = SocketAddr::new(options.interface, options.port);
    let server = Server::bind(address, &out, Arc::clone(&live))
        .map_err(|source| ServeError::Bind { address, source })?;
    let address = server
        .local_addr()
        .map_err(|source| ServeError::Bind { address, source })?;
    let (mut session, update) = Session::start(SessionOptions {
        root: root.clone(),
        out: out.clone(),
        drafts: options.drafts,
        base_url: Some("/".into()),
        as_of: options.as_of,
    })?;
    live.set_problems(session.problems());
    let announcer = Arc::new(Announcer::new(Arc::clone(&live)));
    session.report_progress(Arc::clone(&announcer) as Arc<dyn Progress>);
    server
        .spawn()
        .map_err(|source| ServeError::Bind { address, source })?;
    report(Event::Serving {
        address,
        out: &out,
        update: &update,
    });
    follow(&root, &mut watcher, &mut session, &announcer, &mut report);
    Ok(())
}

/// What a rebuild's progress does in `serve`: the pages it is writing are held
/// ([`Live::pending`]), each released as it settles, and open pages are told to reload
/// as soon as one page changed, with the problems as they are now.
#[derive(Debug)]
struct Announcer {
    live: Arc<Live>,
    phase: Mutex<Phase>,
}

#[derive(Debug, Default)]
enum Phase {
    /// No rebuild is writing.
    #[default]
    Idle,
    /// A rebuild is writing and no page has changed yet: the problems to reload with.
    Writing(Vec<String>),
    /// A page changed, and open pages were told to reload.
    Reloaded,
}

impl Announcer {
    fn new(live: Arc<Live>) -> Announcer {
        Announcer {
            live,
            phase: Mutex::new(Phase::Idle),
        }
    }

    fn phase(&self) -> std::sync::MutexGuard<'_, Phase> {
        self.phase.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The rebuild is over (done or failed): nothing is pending any more. True when open
    /// pages were told to reload during it.
    fn finish(&self) -> bool {
        let reloaded = matches!(std::mem::take(&mut *self.phase()), Phase::Reloaded);
        self.live.pending().settle_all();
        reloaded
    }
}

impl Progress for Announcer {
    fn writing(&self, pages: Vec<String>, folders: &[&str], problems: Vec<String>) {
        self.live.pending().hold(pages, folders);
        *self.phase() = Phase::Writing(problems);
    }

    fn settled(&self, page: &str, changed: bool) {
        // Released before the reload goes out, so the reload finds the page written.
        self.live.pending().settle(page);
        if changed {
            let mut phase = self.phase();
            if let Phase::Writing(problems) = &mut *phase {
                let problems = std::mem::take(problems);
                *phase = Phase::Reloaded;
                self.live.reload(problems);
            }
        }
    }
}

/// Applies every settled change set until the watcher stops: rebuild (open pages are
/// told to reload at its first changed page, by the [`Announcer`]), then tell open pages
/// what is still new (a reload if none went out, else only the problems), then follow a
/// content folder or theme that the change moved.
fn follow(
    root: &Path,
    watcher: &mut Watcher,
    session: &mut Session,
    announcer: &Announcer,
    report: &mut impl FnMut(Event<'_>),
) {
    let live = &announcer.live;
    while let Some(changes) = watcher.wait() {
        let applied = session.apply(&changes);
        let reloaded = announcer.finish();
        match applied {
            Ok(update) => {
                let problems = session.problems();
                if update.changed_output() && !reloaded {
                    live.reload(problems.clone());
                } else {
                    live.set_problems(problems.clone());
                }
                report(Event::Rebuilt {
                    changes: &changes,
                    update: &update,
                    problems: &problems,
                });
            }
            Err(error) => {
                let mut problems = session.problems();
                problems.push(format!("error: {error}"));
                live.set_problems(problems);
                report(Event::Failed(&error));
            }
        }
        let layout = Layout::new(root, &session.content_dir(), session.theme_name())
            .with_catalog(session.catalog_dir());
        if let Err(error) = watcher.set_layout(layout) {
            report(Event::WatchFailed(&error));
        }
    }
}
