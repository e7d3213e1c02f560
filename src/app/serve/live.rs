//! Live reload: the event stream open pages listen to, the script that listens, and the
//! problems overlay.
//!
//! Every HTML response of the preview server gets two tags from [`Live::snippet`]: a
//! link to the overlay's style sheet ([`STYLE_PATH`]) and the live-reload script
//! ([`SCRIPT_PATH`]), which carries the page's version in a `data-version` attribute;
//! before `</body>` it also gets the overlay when there are problems. Neither file is
//! inline nor written to the site: the pages' Content-Security-Policy (`script-src
//! 'self'; style-src 'self'`) forbids inline scripts, styles and handlers, and a built
//! page must not differ from what `build` writes. The script opens an `EventSource` on
//! [`EVENTS_PATH`]; the hub sends:
//!
//! - `hello` on connecting, with the current version. A page whose version differs
//!   reloads: it missed a rebuild while disconnected (the server restarted, or the
//!   connection dropped).
//! - `reload` as soon as a rebuild has written its first changed page (the edited
//!   postmortem's, rendered first). Every page the rebuild may still write is
//!   [`Live::pending`], and the server holds a request for one until it is written, so a
//!   reload never fetches a page that is not there yet or no longer right.
//! - `problems` when the problems change without a page changing; the page fetches the
//!   overlay from [`OVERLAY_PATH`] and swaps it in place.
//!
//! Before reloading, a page keeps its scroll position in `sessionStorage` and restores it
//! afterwards, so the incident being written stays where the author was reading.
//!
//! Events carry a version and a count, never the problems themselves, so each is a few
//! dozen bytes. Each open stream has a small queue; an event is put on every queue without
//! waiting, from the thread that reports the change, and a full queue can only mean a
//! subscriber that stopped reading. Such a subscriber is dropped (its response ends); its
//! browser reconnects and catches up through `hello`.

use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use hyper::body::Bytes;
use tokio::sync::mpsc::{self, Receiver, Sender};

use super::pending::Pending;
use crate::render::escape_html;

/// Where pages subscribe to live-reload events.
pub const EVENTS_PATH: &str = "/__hindsight/events";
/// Where pages fetch the problems overlay when it changes.
pub const OVERLAY_PATH: &str = "/__hindsight/overlay";
/// The live-reload script, served by the server and never written to the site.
pub const SCRIPT_PATH: &str = "/__hindsight/live.js";
/// The overlay's style sheet, served by the server and never written to the site.
pub const STYLE_PATH: &str = "/__hindsight/overlay.css";

/// The live-reload script's text (see `live.js`).
pub(super) const SCRIPT: &str = include_str!("live.js");
/// The overlay's style sheet (see `overlay.css`).
pub(super) const STYLE: &str = include_str!("overlay.css");

/// At most this many open event streams; the oldest goes when another comes.
const MAX_SUBSCRIBERS: usize = 64;
/// Events queued for one stream before it counts as not reading.
const QUEUE: usize = 16;
/// The overlay shows this many problems; the terminal has them all.
const MAX_SHOWN: usize = 50;

/// The live-reload hub: the current version of the site, its problems, and the open
/// event streams.
#[derive(Debug)]
pub struct Live {
    /// Tells this server's versions from those of an earlier run on the same port.
    instance: String,
    state: Mutex<State>,
    /// The pages a rebuild is writing, which requests wait for.
    pending: Pending,
}

#[derive(Debug, Default)]
struct State {
    generation: u64,
    problems: Vec<String>,
    subscribers: Vec<Sender<Bytes>>,
}

impl Default for Live {
    fn default() -> Self {
        Live::new()
    }
}

impl Live {
    pub fn new() -> Live {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        Live {
            instance: format!("{:x}-{nanos:x}", std::process::id()),
            state: Mutex::new(State::default()),
            pending: Pending::default(),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // A subscriber list is still usable after a panic elsewhere.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The pages a rebuild is writing: requests wait for them, so a reload may be sent
    /// before the rebuild ends.
    pub(super) fn pending(&self) -> &Pending {
        &self.pending
    }

    /// The current version: changes with every reload.
    pub fn version(&self) -> String {
        self.version_of(&self.state())
    }

    fn version_of(&self, state: &State) -> String {
        format!("{}-{}", self.instance, state.generation)
    }

    /// Announces a new version of the site, with its problems. Call only once every page
    /// of it is written or [`Live::pending`].
    pub fn reload(&self, problems: Vec<String>) {
        let mut state = self.state();
        state.generation += 1;
        state.problems = problems;
        let event = self.event("reload", &state);
        broadcast(&mut state, Bytes::from(event));
    }

    /// Sets the problems the overlay shows; tells open pages when they changed.
    pub fn set_problems(&self, problems: Vec<String>) {
        let mut state = self.state();
        if state.problems == problems {
            return;
        }
        state.problems = problems;
        let event = self.event("problems", &state);
        broadcast(&mut state, Bytes::from(event));
    }

    /// Sends a comment to every stream, so streams whose browser went away are noticed
    /// (their writes fail) and dropped even when nothing changes.
    pub fn ping(&self) {
        broadcast(&mut self.state(), Bytes::from_static(b": ping\n\n"));
    }

    /// Opens an event stream: its queue starts with `hello` and gets every later event.
    /// Under the lock, so no reload falls between `hello` and joining.
    pub(super) fn subscribe(&self) -> Receiver<Bytes> {
        let (sender, receiver) = mpsc::channel(QUEUE);
        let mut state = self.state();
        let hello = format!("retry: 500\n\n{}", self.event("hello", &state));
        // A new queue has room: this cannot fail.
        let _ = sender.try_send(Bytes::from(hello));
        if state.subscribers.len() >= MAX_SUBSCRIBERS {
            state.subscribers.remove(0);
        }
        state.subscribers.push(sender);
        receiver
    }

    fn event(&self, name: &str, state: &State) -> String {
        let data = serde_json::json!({
            "version": self.version_of(state),
            "problems": state.problems.len(),
        });
        format!("event: {name}\ndata: {data}\n\n")
    }

    /// The problems overlay, or nothing when all is well.
    pub fn overlay(&self) -> String {
        let state = self.state();
        overlay(&state.problems)
    }

    /// What every HTML response gets: the tags for the end of `<head>` (the overlay's
    /// style sheet), and for the end of `<body>` (the overlay when there are problems,
    /// and the live-reload script with the version the page shows).
    pub fn snippet(&self) -> (String, String) {
        let state = self.state();
        let head = format!("<link rel=\"stylesheet\" href=\"{STYLE_PATH}\">");
        let body = format!(
            "{}<script src=\"{SCRIPT_PATH}\" data-version=\"{}\" defer></script>",
            overlay(&state.problems),
            escape_html(&self.version_of(&state)),
        );
        (head, body)
    }
}

/// Queues `event` for every subscriber without waiting; drops those whose queue is full
/// (not reading) or closed (the connection ended).
fn broadcast(state: &mut State, event: Bytes) {
    state
        .subscribers
        .retain(|sender| sender.try_send(event.clone()).is_ok());
}

/// The overlay markup: a heading with the close button, then every problem in a `<pre>`,
/// exactly as the terminal prints it. Its look is `overlay.css`'s, its button works
/// through `live.js`: nothing here is inline.
fn overlay(problems: &[String]) -> String {
    if problems.is_empty() {
        return String::new();
    }
    let noun = if problems.len() == 1 {
        "problem"
    } else {
        "problems"
    };
    let mut html = format!(
        "<div id=\"hindsight-overlay\" role=\"alert\" aria-labelledby=\"hindsight-overlay-title\">\
         <div class=\"hindsight-overlay-head\"><p id=\"hindsight-overlay-title\">\
         <strong>hindsight serve: {} {noun}.</strong> \
         Pages show the last good version of broken files.</p>\
         <button type=\"button\" class=\"hindsight-overlay-close\" aria-label=\"Close the problems panel\" title=\"Close (Escape)\">&#215;</button></div>\
         <div class=\"hindsight-overlay-list\">",
        problems.len()
    );
    for problem in problems.iter().take(MAX_SHOWN) {
        html.push_str("<pre>");
        html.push_str(&escape_html(problem));
        html.push_str("</pre>");
    }
    if problems.len() > MAX_SHOWN {
        html.push_str(&format!(
            "<p>… and {} more; the terminal lists them all.</p>",
            problems.len() - MAX_SHOWN
        ));
    }
    html.push_str("</div></div>");
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_snippet_carries_the_version_and_the_overlay() {
        let live = Live::new();
        let (head, clean) = live.snippet();
        assert_eq!(
            head,
            "<link rel=\"stylesheet\" href=\"/__hindsight/overlay.css\">"
        );
        assert!(clean.contains(&format!("data-version=\"{}\"", live.version())));
        assert!(!clean.contains("hindsight-overlay\" role"));
        assert_eq!(live.overlay(), "");
        live.set_problems(vec!["content/a.md:2:3: error[H002]: <bad> & worse".into()]);
        let (_, broken) = live.snippet();
        assert!(broken.contains("1 problem."));
        assert!(broken.contains("content/a.md:2:3: error[H002]: &lt;bad&gt; &amp; worse"));
        assert!(live.overlay().starts_with("<div id=\"hindsight-overlay\""));
        let before = live.version();
        live.reload(Vec::new());
        assert_ne!(live.version(), before);
        assert!(!live.snippet().1.contains("hindsight-overlay\" role"));
    }

    #[test]
    fn nothing_injected_is_inline() {
        let live = Live::new();
        live.set_problems(vec!["a problem".into()]);
        let (head, body) = live.snippet();
        for tag in [head, body] {
            for inline in ["style=", "<style", "onclick=", "<script>", "javascript:"] {
                assert!(!tag.contains(inline), "{inline} in {tag}");
            }
        }
        assert!(!STYLE.contains("@import") && !SCRIPT.contains("eval("));
    }

    #[test]
    fn a_stream_that_stops_reading_is_dropped() {
        let live = Live::new();
        let mut reading = live.subscribe();
        let _stalled = live.subscribe();
        let hello = reading.try_recv().expect("hello first");
        assert!(hello.starts_with(b"retry: 500\n\nevent: hello\ndata: {"));
        // The stalled stream holds `hello`; its queue is full after QUEUE - 1 pings, and
        // the next one drops it.
        for _ in 0..QUEUE {
            live.ping();
            while reading.try_recv().is_ok() {}
        }
        assert_eq!(live.state().subscribers.len(), 1);
        live.reload(Vec::new());
        let reload = reading.try_recv().expect("the reload");
        assert!(reload.starts_with(b"event: reload\ndata: {\"problems\":0"));
        // A closed stream (its connection ended) goes at the next event.
        drop(reading);
        live.ping();
        assert!(live.state().subscribers.is_empty());
    }

    #[test]
    fn the_overlay_stays_small() {
        let problems: Vec<String> = (0..500).map(|i| format!("problem {i}")).collect();
        let html = overlay(&problems);
        assert!(html.contains("500 problems"));
        assert!(html.contains("problem 49<") && !html.contains("problem 50<"));
        assert!(html.contains("and 450 more"));
    }
}
