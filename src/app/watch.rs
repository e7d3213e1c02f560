//! File events → change sets: what `serve` must look at again after an author saves.
//!
//! The operating system's watcher (through notify: inotify, FSEvents, ReadDirectoryChanges)
//! reports raw events, many per save: an editor's atomic save writes a temporary file,
//! renames the original to a backup, renames the temporary file over it and deletes the
//! backup; `git checkout` touches fifty files. [`Watcher::wait`] keeps the events for the
//! paths a site is built from (content, `hindsight.toml`, `templates/`, `static/`, the
//! theme), drops editors' swap and backup files, and returns one [`ChangeSet`] per burst:
//! once no file is still open for writing and no relevant event came for [`SETTLE`] (or
//! [`QUIET`], while a file the burst removed or renamed away has not come back, or while
//! the backend has not shown that it reports closes), or at the latest [`MAX_WAIT`] after
//! the burst began, so a stream of events cannot starve rebuilds.
//!
//! What makes a save complete is a state, not a time: the file written and closed, or a
//! finished file renamed over it. Measured with inotify (vim with each `backupcopy`, a
//! temporary file renamed over the original as VS Code's atomic save and most editors do,
//! a write in place), the events of one save come within a millisecond of each other, but
//! the write of one save can take longer than any quiet period: vim calls `fsync` between
//! writing and closing, 7 to 12 ms on ext4. So open writers hold a burst back, a file
//! that vanished (vim renames the original away before writing the new one) holds it back
//! for [`QUIET`], and otherwise [`SETTLE`] only gathers what belongs together.
//!
//! notify-debouncer-full is not used: its timeout is a per-path delay (each event is
//! released once it is older than the timeout), not a quiet period over all paths, so a
//! burst across files longer than the timeout arrives in several batches; its timer thread
//! wakes every quarter timeout even when nothing happens, which at the 20 ms a live preview
//! needs is 200 wake-ups a second; and its rename stitching is not needed here, because
//! the receiver of a change set looks at what is on disk at each path rather than trusting
//! the kind of event.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode, CreateKind, EventKind, ModifyKind, RenameMode};
use notify::{Event, RecommendedWatcher, RecursiveMode, Watcher as _};

use crate::model::config::CONFIG_FILE;

/// How long after the last relevant event a burst counts as settled once every file it
/// wrote is closed and none it removed is missing: longer than the gaps between the events
/// of one save or of a `git checkout` (well under a millisecond on tmpfs and ext4), and
/// short, since every save is seen this much later.
pub const SETTLE: Duration = Duration::from_millis(2);

/// How long after the last relevant event a burst counts as settled while a file it
/// removed or renamed away is missing (vim's `backupcopy=no` renames the original to a
/// backup before writing the new file), or while writes cannot be followed to their close.
pub const QUIET: Duration = Duration::from_millis(20);

/// The longest a burst is held back, however many events keep coming.
pub const MAX_WAIT: Duration = Duration::from_millis(500);

/// What changed on disk, settled: one burst of editor activity becomes one change set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangeSet {
    /// Files and folders under the content folder that were created, modified, removed or
    /// renamed (both names of a rename), as absolute paths. Folders stand for everything
    /// under them; the receiver looks at what is on disk now.
    pub content: BTreeSet<PathBuf>,
    /// `hindsight.toml` changed.
    pub config: bool,
    /// The site's `templates/` or `static/` folder, or the theme's folder, changed. The
    /// receiver reloads the theme (small) and compares it with the one it has.
    pub theme: bool,
    /// Events were lost (the kernel's queue overflowed, or the watcher failed): everything
    /// must be looked at again.
    pub rescan: bool,
}

/// Where a site's inputs are, absolute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub root: PathBuf,
    pub content_dir: PathBuf,
    /// `themes/<name>/` for a theme other than the embedded default.
    pub theme_dir: Option<PathBuf>,
    /// The Backstage catalog folder (`[registry] backstage`): part of the config.
    pub catalog_dir: Option<PathBuf>,
}

/// What a path is to the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Content,
    Config,
    Theme,
    Ignored,
}

impl Layout {
    /// The layout of the site at `root` with the given content folder and theme name.
    pub fn new(root: &Path, content_dir: &Path, theme: &str) -> Layout {
        Layout {
            root: root.to_path_buf(),
            content_dir: content_dir.to_path_buf(),
            theme_dir: (theme != "default").then(|| root.join("themes").join(theme)),
            catalog_dir: None,
        }
    }

    /// The same layout, watching a Backstage catalog folder as part of the config.
    pub fn with_catalog(mut self, catalog_dir: Option<PathBuf>) -> Layout {
        self.catalog_dir = catalog_dir;
        self
    }

    /// The folders watched with everything in them.
    fn trees(&self) -> Vec<PathBuf> {
        let mut trees = vec![
            self.content_dir.clone(),
            self.root.join("templates"),
            self.root.join("static"),
        ];
        trees.extend(self.theme_dir.clone());
        trees.extend(self.catalog_dir.clone());
        trees
    }

    fn role(&self, path: &Path) -> Role {
        if path == self.root.join(CONFIG_FILE) {
            return Role::Config;
        }
        let trees = self.trees();
        let catalog = self
            .catalog_dir
            .as_ref()
            .filter(|dir| path.starts_with(dir));
        let (base, role) = if let Some(catalog) = catalog {
            (catalog, Role::Config)
        } else if path.starts_with(&self.content_dir) {
            (&self.content_dir, Role::Content)
        } else if let Some(tree) = trees[1..].iter().find(|t| path.starts_with(t)) {
            (tree, Role::Theme)
        } else {
            return Role::Ignored;
        };
        let inside = path.strip_prefix(base).unwrap_or(path);
        if inside
            .components()
            .any(|c| is_junk(&c.as_os_str().to_string_lossy()))
        {
            Role::Ignored
        } else {
            role
        }
    }
}

/// Names editors and tools write beside the files they edit: hidden files and folders
/// (`.x.md.swp`, `.#x.md`, `.git`), `#x.md#`, `x.md~`, vim's `4913` probe, JetBrains'
/// `x.md___jb_tmp___`, and temporary files.
fn is_junk(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with('#')
        || name.ends_with('~')
        || name == "4913"
        || name.ends_with("___jb_tmp___")
        || name.ends_with("___jb_old___")
        || [".swp", ".swx", ".tmp", ".bak", ".crswap"]
            .iter()
            .any(|suffix| name.ends_with(suffix))
}

#[derive(Debug, thiserror::Error)]
#[error("failed to watch {path}: {source}")]
pub struct WatchError {
    pub path: String,
    #[source]
    pub source: notify::Error,
}

/// Watches a site's inputs and hands out settled change sets.
pub struct Watcher {
    watcher: RecommendedWatcher,
    events: Receiver<notify::Result<Event>>,
    layout: Layout,
    /// Folders watched recursively now.
    watched: BTreeSet<PathBuf>,
    /// The backend has shown that it reports closes of written files (inotify does), so
    /// open writers can be followed from the first event of a burst.
    closes_reported: bool,
}

impl std::fmt::Debug for Watcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watcher")
            .field("layout", &self.layout)
            .field("watched", &self.watched)
            .finish()
    }
}

impl Watcher {
    /// Starts watching the site's root (for `hindsight.toml` and folders that appear) and
    /// every input folder that exists.
    pub fn new(layout: Layout) -> Result<Watcher, WatchError> {
        let (sender, events) = mpsc::channel();
        let watcher = notify::recommended_watcher(move |event| {
            // The receiver is gone only when serving stops.
            let _ = sender.send(event);
        })
        .map_err(|source| WatchError {
            path: layout.root.display().to_string(),
            source,
        })?;
        let mut watcher = Watcher {
            watcher,
            events,
            layout,
            watched: BTreeSet::new(),
            closes_reported: false,
        };
        let root = watcher.layout.root.clone();
        watcher
            .watcher
            .watch(&root, RecursiveMode::NonRecursive)
            .map_err(|source| WatchError {
                path: root.display().to_string(),
                source,
            })?;
        watcher.arm(&mut ChangeSet::default())?;
        Ok(watcher)
    }

    /// Follows a changed layout (a new content folder or theme in the config).
    pub fn set_layout(&mut self, layout: Layout) -> Result<(), WatchError> {
        if layout == self.layout {
            return Ok(());
        }
        for tree in std::mem::take(&mut self.watched) {
            let _ = self.watcher.unwatch(&tree);
        }
        self.layout = layout;
        self.arm(&mut ChangeSet::default())
    }

    /// Blocks until a burst of relevant changes has settled and returns it; `None` when the
    /// watcher has stopped.
    pub fn wait(&mut self) -> Option<ChangeSet> {
        let mut burst = Burst {
            closes_reported: self.closes_reported,
            ..Burst::default()
        };
        loop {
            let event = match burst.deadline() {
                None => self.events.recv().ok()?,
                Some(deadline) => {
                    let wait = deadline.saturating_duration_since(Instant::now());
                    match self.events.recv_timeout(wait) {
                        Ok(event) => event,
                        Err(RecvTimeoutError::Timeout) => break,
                        Err(RecvTimeoutError::Disconnected) => return None,
                    }
                }
            };
            burst.add(&self.layout, event, Instant::now());
        }
        self.closes_reported = burst.closes_reported;
        let mut changes = burst.changes;
        // A watched folder that was itself removed, renamed or replaced: its watch follows
        // the old folder (watches are on inodes), so it is dropped and made again.
        for tree in burst.trees_touched {
            if self.watched.remove(&tree) {
                let _ = self.watcher.unwatch(&tree);
            }
        }
        // A folder that appeared (or was replaced) needs its own watch; what was written
        // into it before the watch existed is covered by looking at the whole folder.
        if self.arm(&mut changes).is_err() {
            changes.rescan = true;
        }
        Some(changes)
    }

    /// Watches every input folder that exists and is not watched yet, and adds those to
    /// `changes`: their contents were never seen.
    fn arm(&mut self, changes: &mut ChangeSet) -> Result<(), WatchError> {
        self.watched.retain(|tree| tree.is_dir());
        for tree in self.layout.trees() {
            if self.watched.contains(&tree) || !tree.is_dir() {
                continue;
            }
            self.watcher
                .watch(&tree, RecursiveMode::Recursive)
                .map_err(|source| WatchError {
                    path: tree.display().to_string(),
                    source,
                })?;
            match self.layout.role(&tree) {
                Role::Content => {
                    changes.content.insert(tree.clone());
                }
                _ => changes.theme = true,
            }
            self.watched.insert(tree);
        }
        Ok(())
    }
}

/// The events of one burst, and when it counts as settled.
#[derive(Debug, Default)]
struct Burst {
    changes: ChangeSet,
    first: Option<Instant>,
    last: Option<Instant>,
    /// Files written to and not closed yet, once the backend is known to report closes.
    writing: HashSet<PathBuf>,
    closes_reported: bool,
    /// Watched folders named by an event themselves (not something inside them).
    trees_touched: BTreeSet<PathBuf>,
    /// Paths removed or renamed away in this burst that were not created in it and have
    /// not come back: the old file of a save that writes a new one.
    vanished: HashSet<PathBuf>,
    /// Paths created or renamed to in this burst (a temporary file renamed away is not
    /// missing).
    created: HashSet<PathBuf>,
}

impl Burst {
    /// When to stop waiting for more events: `None` while nothing relevant happened.
    fn deadline(&self) -> Option<Instant> {
        let (first, last) = (self.first?, self.last?);
        let cap = first + MAX_WAIT;
        if !self.writing.is_empty() {
            return Some(cap);
        }
        let settled = self.vanished.is_empty() && self.closes_reported && !self.changes.rescan;
        let quiet = if settled { SETTLE } else { QUIET };
        Some((last + quiet).min(cap))
    }

    fn add(&mut self, layout: &Layout, event: notify::Result<Event>, now: Instant) {
        let event = match event {
            Ok(event) => event,
            Err(_) => {
                self.changes.rescan = true;
                self.touch(now);
                return;
            }
        };
        if event.need_rescan() {
            self.changes.rescan = true;
            self.touch(now);
            return;
        }
        let closed = matches!(
            event.kind,
            EventKind::Access(AccessKind::Close(AccessMode::Write))
        );
        let relevant = match event.kind {
            // Reads (ours included) open files: never a change.
            EventKind::Access(_) => closed,
            // Access times and permissions do not change a page.
            EventKind::Modify(ModifyKind::Metadata(_)) => false,
            EventKind::Other => false,
            _ => true,
        };
        if closed {
            self.closes_reported = true;
        }
        for path in &event.paths {
            let role = layout.role(path);
            if role == Role::Ignored || !relevant {
                continue;
            }
            if layout.trees().contains(path) {
                self.trees_touched.insert(path.clone());
            }
            match event.kind {
                EventKind::Create(CreateKind::File) | EventKind::Modify(ModifyKind::Data(_))
                    if self.closes_reported =>
                {
                    self.writing.insert(path.clone());
                }
                EventKind::Access(_)
                | EventKind::Remove(_)
                | EventKind::Modify(ModifyKind::Name(RenameMode::From)) => {
                    self.writing.remove(path);
                }
                _ => {}
            }
            self.follow_presence(&event.kind, path);
            match role {
                Role::Content => {
                    self.changes.content.insert(path.clone());
                }
                Role::Config => self.changes.config = true,
                Role::Theme => self.changes.theme = true,
                Role::Ignored => {}
            }
            self.touch(now);
        }
    }

    /// Notes a path that went missing or appeared: a burst with a missing file waits
    /// longer for it to come back.
    fn follow_presence(&mut self, kind: &EventKind, path: &Path) {
        match kind {
            EventKind::Remove(_) | EventKind::Modify(ModifyKind::Name(RenameMode::From))
                if !self.created.contains(path) =>
            {
                self.vanished.insert(path.to_path_buf());
            }
            EventKind::Create(_) | EventKind::Modify(ModifyKind::Name(RenameMode::To)) => {
                self.vanished.remove(path);
                self.created.insert(path.to_path_buf());
            }
            _ => {}
        }
    }

    fn touch(&mut self, now: Instant) {
        self.first.get_or_insert(now);
        self.last = Some(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{DataChange, RemoveKind};

    fn layout() -> Layout {
        Layout::new(Path::new("/site"), Path::new("/site/content"), "default")
    }

    fn event(kind: EventKind, paths: &[&str]) -> notify::Result<Event> {
        let mut event = Event::new(kind);
        for path in paths {
            event = event.add_path(PathBuf::from(path));
        }
        Ok(event)
    }

    #[test]
    fn roles() {
        let layout = Layout::new(Path::new("/site"), Path::new("/site/content"), "dark")
            .with_catalog(Some(PathBuf::from("/site/catalog")));
        for (path, role) in [
            ("/site/catalog/payments/catalog-info.yaml", Role::Config),
            ("/site/catalog/.catalog-info.yaml.swp", Role::Ignored),
            ("/site/content/2024/a.md", Role::Content),
            ("/site/content/2024", Role::Content),
            ("/site/content/.git/HEAD", Role::Ignored),
            ("/site/content/.a.md.swp", Role::Ignored),
            ("/site/content/a.md~", Role::Ignored),
            ("/site/content/4913", Role::Ignored),
            ("/site/content/a.md___jb_tmp___", Role::Ignored),
            ("/site/hindsight.toml", Role::Config),
            ("/site/hindsight.toml~", Role::Ignored),
            ("/site/templates/base.html", Role::Theme),
            ("/site/static/logo.svg", Role::Theme),
            ("/site/themes/dark/templates/base.html", Role::Theme),
            ("/site/themes/light/templates/base.html", Role::Ignored),
            ("/site/public/index.html", Role::Ignored),
        ] {
            assert_eq!(layout.role(Path::new(path)), role, "{path}");
        }
    }

    /// The events inotify reports for vim's save with `backupcopy=no` (recorded with
    /// `inotify` on this machine, swap files left out): probe file, original renamed to
    /// the backup, new file written and closed, backup removed.
    fn vim_rename_save() -> Vec<notify::Result<Event>> {
        let name = |mode| EventKind::Modify(ModifyKind::Name(mode));
        vec![
            event(EventKind::Create(CreateKind::File), &["/site/content/4913"]),
            event(EventKind::Remove(RemoveKind::File), &["/site/content/4913"]),
            event(name(RenameMode::From), &["/site/content/a.md"]),
            event(name(RenameMode::To), &["/site/content/a.md~"]),
            event(
                name(RenameMode::Both),
                &["/site/content/a.md", "/site/content/a.md~"],
            ),
            event(EventKind::Create(CreateKind::File), &["/site/content/a.md"]),
            event(
                EventKind::Modify(ModifyKind::Data(DataChange::Any)),
                &["/site/content/a.md"],
            ),
            event(
                EventKind::Access(AccessKind::Close(AccessMode::Write)),
                &["/site/content/a.md"],
            ),
            event(
                EventKind::Remove(RemoveKind::File),
                &["/site/content/a.md~"],
            ),
            event(
                EventKind::Access(AccessKind::Open(AccessMode::Any)),
                &["/site/content/b.md"],
            ),
        ]
    }

    #[test]
    fn an_atomic_save_is_one_change_set() {
        let layout = layout();
        let mut burst = Burst {
            closes_reported: true,
            ..Burst::default()
        };
        let start = Instant::now();
        assert_eq!(burst.deadline(), None, "nothing happened yet");
        for (i, step) in vim_rename_save().into_iter().enumerate() {
            let at = start + Duration::from_millis(i as u64);
            burst.add(&layout, step, at);
            if i == 4 {
                assert_eq!(
                    burst.deadline(),
                    Some(at + QUIET),
                    "a.md is missing: it may come back"
                );
            }
        }
        let expected: BTreeSet<PathBuf> = [PathBuf::from("/site/content/a.md")].into();
        assert_eq!(burst.changes.content, expected);
        assert_eq!(
            burst.deadline(),
            Some(start + Duration::from_millis(7) + SETTLE),
            "written, closed and back: settles shortly after the last relevant event"
        );
    }

    #[test]
    fn a_temporary_file_renamed_over_the_original_settles_shortly() {
        // VS Code's atomic save (and most editors', and benches/serve.sh's): a temporary
        // file is written, closed and renamed over the original.
        let layout = layout();
        let mut burst = Burst {
            closes_reported: true,
            ..Burst::default()
        };
        let start = Instant::now();
        let name = |mode| EventKind::Modify(ModifyKind::Name(mode));
        let temporary = "/site/content/a.md.vsctmp";
        for step in [
            event(EventKind::Create(CreateKind::File), &[temporary]),
            event(
                EventKind::Modify(ModifyKind::Data(DataChange::Any)),
                &[temporary],
            ),
            event(
                EventKind::Access(AccessKind::Close(AccessMode::Write)),
                &[temporary],
            ),
            event(name(RenameMode::From), &[temporary]),
            event(name(RenameMode::To), &["/site/content/a.md"]),
            event(name(RenameMode::Both), &[temporary, "/site/content/a.md"]),
        ] {
            burst.add(&layout, step, start);
        }
        assert_eq!(burst.deadline(), Some(start + SETTLE));
    }

    #[test]
    fn a_removed_file_or_unfollowed_writes_wait_the_quiet_period() {
        let layout = layout();
        let start = Instant::now();
        let mut removed = Burst {
            closes_reported: true,
            ..Burst::default()
        };
        removed.add(
            &layout,
            event(EventKind::Remove(RemoveKind::File), &["/site/content/a.md"]),
            start,
        );
        assert_eq!(removed.deadline(), Some(start + QUIET));
        // Until a close has been seen, a write may not be finished.
        let mut unknown = Burst::default();
        for step in vim_rename_save().into_iter().skip(5).take(2) {
            unknown.add(&layout, step, start);
        }
        assert_eq!(unknown.deadline(), Some(start + QUIET));
    }

    #[test]
    fn a_file_still_being_written_holds_the_burst_back() {
        let layout = layout();
        let mut burst = Burst::default();
        let start = Instant::now();
        let close = |path: &str| {
            event(
                EventKind::Access(AccessKind::Close(AccessMode::Write)),
                &[path],
            )
        };
        let write = |path: &str| {
            event(
                EventKind::Modify(ModifyKind::Data(DataChange::Any)),
                &[path],
            )
        };
        // Until the backend has shown it reports closes, writes are not tracked.
        burst.add(&layout, write("/site/content/a.md"), start);
        assert_eq!(burst.deadline(), Some(start + QUIET));
        burst.add(&layout, close("/site/content/a.md"), start);
        burst.add(&layout, write("/site/content/b.md"), start);
        assert_eq!(burst.deadline(), Some(start + MAX_WAIT), "b.md is open");
        burst.add(&layout, close("/site/content/b.md"), start);
        assert_eq!(burst.deadline(), Some(start + SETTLE));
    }

    #[test]
    fn lost_events_and_other_inputs() {
        let layout = layout();
        let mut burst = Burst::default();
        let now = Instant::now();
        let overflow = Event::new(EventKind::Other).set_flag(notify::event::Flag::Rescan);
        burst.add(&layout, Ok(overflow), now);
        burst.add(
            &layout,
            event(
                EventKind::Create(CreateKind::Any),
                &["/site/hindsight.toml"],
            ),
            now,
        );
        burst.add(
            &layout,
            event(EventKind::Create(CreateKind::Any), &["/site/static/x.css"]),
            now,
        );
        assert!(burst.changes.rescan && burst.changes.config && burst.changes.theme);
        let start = now;
        let later = start + MAX_WAIT * 2;
        burst.add(
            &layout,
            event(EventKind::Create(CreateKind::Any), &["/site/content/x.md"]),
            later,
        );
        assert_eq!(
            burst.deadline(),
            Some(start + MAX_WAIT),
            "never held past the cap"
        );
    }
}
