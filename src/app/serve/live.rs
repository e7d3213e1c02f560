//! Live reload: the event stream open pages listen to, and the snippet that makes them.
//!
//! Every HTML response of the preview server gets [`Live::snippet`] before `</body>`: the
//! problems overlay when there are problems, and a small script. Built pages never
//! contain either. The script opens an `EventSource` on [`EVENTS_PATH`]; the hub sends:
//!
//! - `hello` on connecting, with the current version. A page whose version differs
//!   reloads: it missed a rebuild while disconnected (the server restarted, or the
//!   connection dropped).
//! - `reload` after a rebuild, sent only once every page of it is written, so the reload
//!   never fetches a page that is not there yet.
//! - `problems` when the problems change without a page changing; the page fetches the
//!   overlay from [`OVERLAY_PATH`] and swaps it in place.
//!
//! Before reloading, a page keeps its scroll position in `sessionStorage` and restores it
//! afterwards, so the incident being written stays where the author was reading.
//!
//! Events carry a version and a count, never the problems themselves, so each is a few
//! dozen bytes: they are written without blocking, from the thread that reports the
//! change, and a short write can only mean a subscriber that stopped reading. Such a
//! subscriber is dropped; its browser reconnects and catches up through `hello`.

use std::io::Write;
use std::net::TcpStream;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::render::escape_html;

/// Where pages subscribe to live-reload events.
pub const EVENTS_PATH: &str = "/__hindsight/events";
/// Where pages fetch the problems overlay when it changes.
pub const OVERLAY_PATH: &str = "/__hindsight/overlay";

/// At most this many open event streams; the oldest goes when another comes.
const MAX_SUBSCRIBERS: usize = 64;
/// The overlay shows this many problems; the terminal has them all.
const MAX_SHOWN: usize = 50;

/// The live-reload hub: the current version of the site, its problems, and the open
/// event streams.
#[derive(Debug)]
pub struct Live {
    /// Tells this server's versions from those of an earlier run on the same port.
    instance: String,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    generation: u64,
    problems: Vec<String>,
    subscribers: Vec<TcpStream>,
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
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // A subscriber list is still usable after a panic elsewhere.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The current version: changes with every reload.
    pub fn version(&self) -> String {
        self.version_of(&self.state())
    }

    fn version_of(&self, state: &State) -> String {
        format!("{}-{}", self.instance, state.generation)
    }

    /// Announces a new version of the site, with its problems. Call only after all its
    /// pages are written.
    pub fn reload(&self, problems: Vec<String>) {
        let mut state = self.state();
        state.generation += 1;
        state.problems = problems;
        let event = self.event("reload", &state);
        broadcast(&mut state, &event);
    }

    /// Sets the problems the overlay shows; tells open pages when they changed.
    pub fn set_problems(&self, problems: Vec<String>) {
        let mut state = self.state();
        if state.problems == problems {
            return;
        }
        state.problems = problems;
        let event = self.event("problems", &state);
        broadcast(&mut state, &event);
    }

    /// Sends a comment to every stream, so streams whose browser went away are noticed
    /// and dropped even when nothing changes.
    pub fn ping(&self) {
        broadcast(&mut self.state(), ": ping\n\n");
    }

    /// Takes over an event-stream request's connection: answers it, sends `hello`, and
    /// keeps it for later events.
    pub fn subscribe(&self, mut stream: TcpStream) {
        // Non-blocking before the lock is taken, so a client that does not read cannot
        // hold anyone up; under the lock, so no reload falls between `hello` and joining.
        if stream.set_nonblocking(true).is_err() {
            return;
        }
        let mut state = self.state();
        let hello = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nX-Accel-Buffering: no\r\nConnection: close\r\n\r\nretry: 500\n\n{}",
            self.event("hello", &state)
        );
        if !matches!(stream.write(hello.as_bytes()), Ok(n) if n == hello.len()) {
            return;
        }
        if state.subscribers.len() >= MAX_SUBSCRIBERS {
            state.subscribers.remove(0);
        }
        state.subscribers.push(stream);
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

    /// What every HTML response gets before `</body>`: the overlay when there are
    /// problems, and the live-reload script.
    pub fn snippet(&self) -> String {
        let state = self.state();
        let script = SCRIPT
            .replace("__VERSION__", &self.version_of(&state))
            .replace("__EVENTS__", EVENTS_PATH)
            .replace("__OVERLAY__", OVERLAY_PATH);
        format!("{}<script>{script}</script>", overlay(&state.problems))
    }
}

/// Writes `event` to every subscriber without waiting; drops those that cannot take it.
fn broadcast(state: &mut State, event: &str) {
    state
        .subscribers
        .retain_mut(|stream| matches!(stream.write(event.as_bytes()), Ok(n) if n == event.len()));
}

/// The overlay markup: every problem in a `<pre>`, exactly as the terminal prints it.
fn overlay(problems: &[String]) -> String {
    if problems.is_empty() {
        return String::new();
    }
    let noun = if problems.len() == 1 {
        "problem"
    } else {
        "problems"
    };
    let mut html = String::from(OVERLAY_OPEN);
    html.push_str(&format!(
        "hindsight serve: {} {noun}. Pages show the last good version of broken files.",
        problems.len()
    ));
    html.push_str("</strong>");
    for problem in problems.iter().take(MAX_SHOWN) {
        html.push_str("<pre style=\"white-space:pre-wrap;margin:.75em 0 0\">");
        html.push_str(&escape_html(problem));
        html.push_str("</pre>");
    }
    if problems.len() > MAX_SHOWN {
        html.push_str(&format!(
            "<p>… and {} more; the terminal lists them all.</p>",
            problems.len() - MAX_SHOWN
        ));
    }
    html.push_str("</div>");
    html
}

const OVERLAY_OPEN: &str = r#"<div id="hindsight-overlay" role="alert" style="position:fixed;top:0;left:0;right:0;max-height:60vh;overflow:auto;z-index:2147483647;margin:0;padding:12px 16px;background:#1b1b1f;color:#f4f4f5;border-bottom:4px solid #e5484d;box-shadow:0 4px 24px rgba(0,0,0,.45);font:13px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;text-align:left"><button type="button" onclick="this.parentNode.remove()" aria-label="Close" style="float:right;background:none;border:0;color:inherit;font:inherit;font-size:18px;cursor:pointer">&#215;</button><strong>"#;

/// The live-reload client. The placeholders are filled in by [`Live::snippet`].
const SCRIPT: &str = r#"(() => {
  const version = "__VERSION__";
  const key = "hindsight-scroll:" + location.pathname;
  const saved = sessionStorage.getItem(key);
  if (saved !== null) {
    sessionStorage.removeItem(key);
    const restore = () => window.scrollTo(0, Number(saved));
    if (document.readyState === "complete") restore(); else addEventListener("load", restore, { once: true });
  }
  const source = new EventSource("__EVENTS__");
  const reload = () => {
    sessionStorage.setItem(key, String(window.scrollY));
    source.close();
    location.reload();
  };
  const overlay = async () => {
    const response = await fetch("__OVERLAY__", { cache: "no-store" });
    const html = await response.text();
    const old = document.getElementById("hindsight-overlay");
    if (old) old.remove();
    if (html) document.body.insertAdjacentHTML("beforeend", html);
  };
  source.addEventListener("hello", (e) => { if (JSON.parse(e.data).version !== version) reload(); else overlay(); });
  source.addEventListener("reload", (e) => { if (JSON.parse(e.data).version !== version) reload(); });
  source.addEventListener("problems", () => overlay());
  window.__hindsightLive = { version };
})();"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_snippet_carries_the_version_and_the_overlay() {
        let live = Live::new();
        let clean = live.snippet();
        assert!(clean.contains(&live.version()));
        assert!(!clean.contains("hindsight-overlay\" role"));
        assert_eq!(live.overlay(), "");
        live.set_problems(vec!["content/a.md:2:3: error[H002]: <bad> & worse".into()]);
        let broken = live.snippet();
        assert!(broken.contains("1 problem."));
        assert!(broken.contains("content/a.md:2:3: error[H002]: &lt;bad&gt; &amp; worse"));
        assert!(live.overlay().starts_with("<div id=\"hindsight-overlay\""));
        let before = live.version();
        live.reload(Vec::new());
        assert_ne!(live.version(), before);
        assert!(!live.snippet().contains("hindsight-overlay\" role"));
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
