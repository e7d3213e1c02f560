//! Live reload in a real browser: headless Chromium, driven through chromedriver, opens a
//! page of `hindsight serve`; after the postmortem is edited on disk, the page reloads by
//! itself, shows the edit, and keeps its scroll position.
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

const DEADLINE: Duration = Duration::from_secs(30);
const PAGE: &str = "incidents/checkout-outage/";
const FILE: &str = "content/2024-03-05-checkout-outage.md";

/// A child process killed when dropped.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
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
    let process = Process(child);
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

async fn browser(driver: SocketAddr, profile: &Path) -> Client {
    let args = vec![
        "--headless".to_string(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--disable-dev-shm-usage".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-sync".into(),
        "--no-first-run".into(),
        "--window-size=1024,768".into(),
        format!("--user-data-dir={}", profile.display()),
    ];
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
        .expect("start a Chromium session")
}

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

#[tokio::test(flavor = "current_thread")]
async fn an_open_page_reloads_itself_after_an_edit_and_keeps_its_place() {
    let (Some(chromedriver), Some(_)) = (
        find(&["chromedriver"]),
        find(&["chromium", "chromium-browser", "google-chrome"]),
    ) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI needs chromium and chromedriver (apt-get install chromium chromium-driver)"
        );
        eprintln!("skipped: chromium and chromedriver are not installed");
        return;
    };
    let work = tempfile::tempdir().expect("a temporary folder");
    let root = work.path().join("site");
    fs::create_dir_all(&root).expect("create the site folder");
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/full-incident"),
        &root,
    );
    // A long body, so the page has somewhere to scroll to.
    let long: String = (1..=150)
        .map(|i| format!("\nParagraph {i} of the timeline.\n"))
        .collect();
    let text = fs::read_to_string(root.join(FILE)).expect("read the postmortem") + &long;
    fs::write(root.join(FILE), &text).expect("write the postmortem");

    let port = free_port();
    let driver_address: SocketAddr = ([127, 0, 0, 1], port).into();
    let _driver = Process(
        Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
    );
    wait_for_listener(driver_address, "chromedriver");
    let (_server, address) = serve(&root);
    let client = browser(driver_address, &work.path().join("profile")).await;

    client
        .goto(&format!("http://{address}/{PAGE}"))
        .await
        .expect("open the page");
    wait_until(
        &client,
        "the live-reload script",
        "return !!window.__hindsightLive;",
        |v| v == &json!(true),
    )
    .await;
    // Mark this document and scroll down: a reload loses the mark, keeps the place.
    let scrolled = client
        .execute(
            "window.__before = true; window.scrollTo(0, 900); return window.scrollY;",
            Vec::new(),
        )
        .await
        .expect("scroll");
    assert!(
        scrolled.as_f64().unwrap_or(0.0) > 800.0,
        "the page scrolls: {scrolled}"
    );

    let edited = text.replace(
        "Paragraph 3 of the timeline.",
        "Paragraph 3, edited in place.",
    );
    let saving = root.join("content/.saving.tmp");
    fs::write(&saving, &edited).expect("write the edit");
    fs::rename(&saving, root.join(FILE)).expect("save it over the original");

    wait_until(
        &client,
        "the page to reload with the edit",
        "return [window.__before === undefined, document.body.innerText.includes('Paragraph 3, edited in place.')];",
        |v| v == &json!([true, true]),
    )
    .await;
    let y = wait_until(
        &client,
        "the scroll position to come back",
        "return document.readyState === 'complete' ? window.scrollY : -1;",
        |v| v.as_f64().unwrap_or(-1.0) >= 0.0 && v.as_f64() != Some(0.0),
    )
    .await;
    let y = y.as_f64().unwrap_or(0.0);
    assert!((850.0..=950.0).contains(&y), "scroll position kept: {y}");

    // A broken front matter: the open page shows the overlay in place, without a reload;
    // fixing the file takes it away.
    client
        .execute("window.__before = true;", Vec::new())
        .await
        .expect("mark the page");
    let broken = edited.replacen("severity: SEV1", "severity: [SEV1", 1);
    fs::write(&saving, &broken).expect("write the broken file");
    fs::rename(&saving, root.join(FILE)).expect("save it");
    let shown = wait_until(
        &client,
        "the overlay",
        "const o = document.getElementById('hindsight-overlay'); return o ? [window.__before === true, o.innerText] : null;",
        |v| !v.is_null(),
    )
    .await;
    assert_eq!(shown[0], json!(true), "shown in place, not by a reload");
    let text = shown[1].as_str().unwrap_or_default();
    assert!(
        text.contains(&format!("{FILE}:6:11: error[H002]")),
        "{text}"
    );
    fs::write(&saving, edited.replace("edited in place", "fixed again")).expect("write");
    fs::rename(&saving, root.join(FILE)).expect("save it");
    wait_until(
        &client,
        "the fixed page without the overlay",
        "return !document.getElementById('hindsight-overlay') && document.body.innerText.includes('Paragraph 3, fixed again.');",
        |v| v == &json!(true),
    )
    .await;
    client.close().await.expect("close the browser");
}
