//! Pages being written: a request for one waits until it is written.
//!
//! A rebuild names every page it may write before it writes any, and tells each one as it
//! settles (`incremental::Progress`); the server asks here before it looks a request's
//! path up. So open pages can be told to reload as soon as the first page changed (the
//! edited postmortem's, rendered first) while the rest of the rebuild is still being
//! written, at 10,000 postmortems mostly the 23 MB of exports and the search index: a
//! page that asks for a file still pending gets it once it is written, never the old one,
//! half of one (pages are renamed into place) or a 404 for a page not there yet.

use std::collections::HashSet;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The pages and folders a rebuild is writing, and the signal that one settled.
#[derive(Debug, Default)]
pub(super) struct Pending {
    held: Mutex<Held>,
    settled: Condvar,
}

#[derive(Debug, Default)]
struct Held {
    /// Paths relative to the site folder.
    pages: HashSet<String>,
    /// Folders (ending in `/`) any file of which may still change.
    folders: Vec<String>,
}

impl Held {
    fn holds(&self, name: &str) -> bool {
        self.pages.contains(name) || self.folders.iter().any(|f| name.starts_with(f.as_str()))
    }
}

impl Pending {
    fn held(&self) -> MutexGuard<'_, Held> {
        // Two sets of names are still usable after a panic elsewhere.
        self.held.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A rebuild is about to write `pages` and any file under `folders`.
    pub(super) fn hold(&self, pages: Vec<String>, folders: &[&str]) {
        let mut held = self.held();
        held.pages.extend(pages);
        held.folders.extend(folders.iter().map(|f| f.to_string()));
    }

    /// `page` is written (or stays as it was).
    pub(super) fn settle(&self, page: &str) {
        if self.held().pages.remove(page) {
            self.settled.notify_all();
        }
    }

    /// The rebuild is over, whether it wrote everything or failed half-way: nothing is
    /// pending any more.
    pub(super) fn settle_all(&self) {
        let mut held = self.held();
        held.pages = HashSet::new();
        held.folders.clear();
        drop(held);
        self.settled.notify_all();
    }

    /// Waits until none of `names` is pending, for at most `limit` (then the request is
    /// answered from the folder as it is); returns how long it waited.
    pub(super) fn wait(&self, names: &[String], limit: Duration) -> Duration {
        let started = Instant::now();
        let mut held = self.held();
        while names.iter().any(|name| held.holds(name)) {
            let Some(left) = limit.checked_sub(started.elapsed()) else {
                break;
            };
            held = match self.settled.wait_timeout(held, left) {
                Ok((held, _)) => held,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
        started.elapsed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    const LONG: Duration = Duration::from_secs(30);

    fn names(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn nothing_pending_answers_at_once() {
        let pending = Pending::default();
        assert!(pending.wait(&names(&["index.html"]), LONG) < Duration::from_secs(1));
        pending.hold(names(&["a/index.html"]), &["search/"]);
        let waited = pending.wait(&names(&["b/index.html", "searching.html"]), LONG);
        assert!(waited < Duration::from_secs(1), "{waited:?}");
    }

    /// Waits for `asked` on another thread; the thread returns whether `released` was set
    /// when its wait ended.
    fn waiter(
        pending: &Arc<Pending>,
        asked: &[&str],
        released: &Arc<AtomicBool>,
    ) -> std::thread::JoinHandle<bool> {
        let (pending, released, asked) = (Arc::clone(pending), Arc::clone(released), names(asked));
        std::thread::spawn(move || {
            pending.wait(&asked, LONG);
            released.load(Ordering::SeqCst)
        })
    }

    #[test]
    fn a_request_for_a_pending_page_waits_until_it_settles() {
        let pending = Arc::new(Pending::default());
        let released = Arc::new(AtomicBool::new(false));
        pending.hold(names(&["a/index.html", "b/index.html"]), &[]);
        let waiter = waiter(&pending, &["x", "a/index.html"], &released);
        std::thread::sleep(Duration::from_millis(100));
        // Another page settling does not answer it.
        pending.settle("b/index.html");
        std::thread::sleep(Duration::from_millis(100));
        assert!(!waiter.is_finished());
        released.store(true, Ordering::SeqCst);
        pending.settle("a/index.html");
        assert!(waiter.join().unwrap(), "answered before its page settled");
    }

    #[test]
    fn a_pending_folder_holds_its_files_until_the_rebuild_ends() {
        let pending = Arc::new(Pending::default());
        let released = Arc::new(AtomicBool::new(false));
        pending.hold(Vec::new(), &["search/"]);
        let waiter = waiter(&pending, &["search/meta.js"], &released);
        std::thread::sleep(Duration::from_millis(100));
        pending.settle("search/meta.js");
        std::thread::sleep(Duration::from_millis(100));
        assert!(!waiter.is_finished());
        released.store(true, Ordering::SeqCst);
        pending.settle_all();
        assert!(waiter.join().unwrap(), "answered before the rebuild ended");
    }

    #[test]
    fn a_request_is_held_no_longer_than_the_limit() {
        let pending = Pending::default();
        pending.hold(names(&["a/index.html"]), &[]);
        let waited = pending.wait(&names(&["a/index.html"]), Duration::from_millis(150));
        assert!(
            waited >= Duration::from_millis(150) && waited < LONG,
            "{waited:?}"
        );
    }
}
