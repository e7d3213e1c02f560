//! Tests in a real browser: headless Chromium, driven through chromedriver with
//! fantoccini. `reload.rs`: live reload under `hindsight serve`; `overlay.rs`: its problems
//! overlay in the light and dark schemes; `search.rs`: the search page over HTTP under a
//! sub-path and from `file://`; `phone.rs`: every page at 390 px, and the search page there;
//! `print.rs`: the longest incident page printed to PDF on A4 and Letter;
//! `valid.rs`: every page through the W3C Nu checker (no browser, but CI-only tools too).
//!
//! Needs `chromium` and `chromedriver` (Debian: `chromium`, `chromium-driver`; `.ci/run`
//! installs them). Without them the test says so and passes, except when `CI` is set:
//! there a missing browser fails it, so CI can never skip it silently.

use std::fs;
use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

mod a11y;
mod filters;
mod overlay;
mod phone;
mod print;
mod reload;
mod search;
mod valid;

const DEADLINE: Duration = Duration::from_secs(30);

/// A child process killed when dropped, with every process it started when it leads a
/// process group of its own ([`Process::leading`]): chromedriver does not take its
/// Chromium with it when killed, and a session a test never closed (it failed, or a
/// start-up try timed out) left a dozen orphaned browsers after a few runs.
struct Process {
    child: Child,
    group: bool,
}

impl Process {
    fn new(child: Child) -> Process {
        Process {
            child,
            group: false,
        }
    }

    /// Spawns `command` as the leader of a new process group (on Unix).
    fn leading(mut command: Command) -> std::io::Result<Process> {
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        Ok(Process {
            child: command.spawn()?,
            group: cfg!(unix),
        })
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        if self.group {
            // The group's id is its leader's pid. The shell's own `kill` (every system
            // with `sh` has it, not always a `kill` program; dash's takes no `--`).
            let group = format!("kill -KILL -{} 2>/dev/null", self.child.id());
            let _ = Command::new("sh").args(["-c", &group]).status();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The first of `names` found on `PATH` or in `/usr/bin`.
fn find(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    dirs.push(PathBuf::from("/usr/bin"));
    names
        .iter()
        .flat_map(|name| dirs.iter().map(move |dir| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Waits until something listens on `address`.
fn wait_for_listener(address: SocketAddr, what: &str) {
    let deadline = Instant::now() + DEADLINE;
    while TcpStream::connect(address).is_err() {
        assert!(Instant::now() < deadline, "{what} did not start listening");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A copy of `tests/fixtures/<name>` in a temporary folder: the folder (kept alive by the
/// caller) and the site root in it.
fn fixture_site(name: &str) -> (tempfile::TempDir, PathBuf) {
    let work = tempfile::tempdir().expect("a temporary folder");
    let root = work.path().join("site");
    fs::create_dir_all(&root).expect("create the site folder");
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name),
        &root,
    );
    (work, root)
}

/// Clicks the element `locator` finds; `what` names it in the failure message.
async fn click(client: &Client, locator: fantoccini::Locator<'_>, what: &str) {
    client
        .find(locator)
        .await
        .unwrap_or_else(|e| panic!("{what}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {what}: {e}"));
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in fs::read_dir(from).expect("read a fixture folder") {
        let entry = entry.expect("a folder entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            fs::create_dir_all(&target).expect("create a folder");
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("copy a file");
        }
    }
}

/// `hindsight serve --port 0` on `root`; returns the process and the address it printed.
fn serve(root: &Path) -> (Process, SocketAddr) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hindsight"))
        .args(["serve", "--port", "0", "--root"])
        .arg(root)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start hindsight serve");
    let stdout = child.stdout.take().expect("piped stdout");
    let process = Process::new(child);
    // `serve` prints its address once the first build is written; reading lines blocks
    // until then, and ends if the process dies.
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("read stdout");
        if let Some(rest) = line.strip_prefix("serving at http://") {
            let address = rest
                .split('/')
                .next()
                .and_then(|a| a.parse().ok())
                .expect("an address");
            return (process, address);
        }
    }
    panic!("hindsight serve exited before serving");
}

/// A Chromium session through the chromedriver at `driver`.
async fn browser(
    driver: SocketAddr,
    profile: &Path,
    extra: &[&str],
) -> Result<Client, fantoccini::error::NewSessionError> {
    let mut args = vec![
        "--headless".to_string(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--disable-dev-shm-usage".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-sync".into(),
        // No crash handler: it leaves the browser's process group, and would outlive it.
        "--disable-crash-reporter".into(),
        "--no-first-run".into(),
        "--window-size=1024,768".into(),
        format!("--user-data-dir={}", profile.display()),
    ];
    args.extend(extra.iter().map(|arg| arg.to_string()));
    let mut options = json!({ "args": args });
    if let Some(binary) = find(&["chromium", "chromium-browser", "google-chrome"]) {
        options["binary"] = json!(binary);
    }
    let mut capabilities = Capabilities::new();
    capabilities.insert("goog:chromeOptions".into(), options);
    ClientBuilder::new(HttpConnector::new())
        .capabilities(capabilities)
        .connect(&format!("http://{driver}"))
        .await
}

/// Lets the page think it has the focus, as a page in the front window does. Chromium's
/// headless mode gives its window none since Chromium 132: `document.hasFocus()` is
/// false, `element.focus()` sets `document.activeElement` but fires no `focus` or
/// `focusin` event, and `:focus` and `:focus-visible` match nothing, so a focus ring
/// cannot be seen and what the page does on focus never happens. ChromeDriver passes the
/// DevTools command `Emulation.setFocusEmulationEnabled` on (DevTools' "Emulate a focused
/// page"); it lasts for the tab, across navigations.
#[derive(Debug)]
struct FocusEmulation;

impl fantoccini::wd::WebDriverCompatibleCommand for FocusEmulation {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        let session = session_id.unwrap_or_default();
        base_url.join(&format!("session/{session}/goog/cdp/execute"))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({
            "cmd": "Emulation.setFocusEmulationEnabled",
            "params": { "enabled": true },
        });
        (http::Method::POST, Some(body.to_string()))
    }
}

/// One browser at a time: two Chromiums starting at once on a small CI machine time out.
static ONE_BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Runs `script` in the page until it returns something `done` accepts; returns that.
async fn wait_until(
    client: &Client,
    what: &str,
    script: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + DEADLINE;
    loop {
        // Mid-reload the script can fail (no document yet): that is "not yet".
        if let Ok(value) = client.execute(script, Vec::new()).await
            && done(&value)
        {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// A browser to drive: chromedriver and a Chromium session with a fresh profile.
struct Session {
    client: Client,
    _driver: Process,
    _profile: tempfile::TempDir,
    /// Dropped last (fields drop in order): the next session starts once this one's
    /// browser is gone.
    _one_at_a_time: tokio::sync::MutexGuard<'static, ()>,
}

impl Session {
    /// Ends the WebDriver session, so chromedriver closes Chromium before it is killed.
    async fn close(&self) {
        self.client
            .clone()
            .close()
            .await
            .expect("close the browser");
    }
}

/// Starts chromedriver and a headless Chromium. `None` when they are not installed and
/// `CI` is not set (the test then says it was skipped); in CI a missing browser fails.
async fn session() -> Option<Session> {
    session_with(&[]).await
}

/// [`session`] with more Chromium arguments (`--force-dark-mode` for the dark scheme).
async fn session_with(extra: &[&str]) -> Option<Session> {
    let (Some(chromedriver), Some(_)) = (
        find(&["chromedriver"]),
        find(&["chromium", "chromium-browser", "google-chrome"]),
    ) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI needs chromium and chromedriver (apt-get install chromium chromium-driver)"
        );
        eprintln!("skipped: chromium and chromedriver are not installed");
        return None;
    };
    let lock = ONE_BROWSER.lock().await;
    // A loaded machine can miss chromedriver's start-up deadline, and the port chosen can
    // be taken before chromedriver listens on it: each try starts a new chromedriver on a
    // new port. Retrying is not hiding a bug in Hindsight, which is not running yet.
    let mut last_error = None;
    for _ in 0..3 {
        let port = free_port();
        let driver_address: SocketAddr = ([127, 0, 0, 1], port).into();
        let mut command = Command::new(&chromedriver);
        command
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let driver = Process::leading(command).expect("start chromedriver");
        wait_for_listener(driver_address, "chromedriver");
        let profile = tempfile::tempdir().expect("a profile folder");
        match browser(driver_address, profile.path(), extra).await {
            Ok(client) => {
                client
                    .issue_cmd(FocusEmulation)
                    .await
                    .expect("emulate a focused page");
                return Some(Session {
                    client,
                    _driver: driver,
                    _profile: profile,
                    _one_at_a_time: lock,
                });
            }
            Err(error) => last_error = Some(error),
        }
    }
    panic!("start a Chromium session: {last_error:?}")
}
