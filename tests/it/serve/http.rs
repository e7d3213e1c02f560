//! The preview server through the real binary: `hindsight serve --port 0` on a temporary
//! copy of a fixture site, driven over HTTP the way a browser drives it. Every wait is on
//! an explicit condition (a line printed, an event received) with a deadline.

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use crate::support::Site;

/// How long any one expected thing may take before the test fails.
const DEADLINE: Duration = Duration::from_secs(20);

/// A running `hindsight serve`, killed when dropped.
pub(super) struct Served {
    child: Child,
    pub(super) address: SocketAddr,
    /// The folder the preview is written to, as printed.
    pub(super) out: PathBuf,
    stdout: Receiver<String>,
    stderr: Receiver<String>,
    site: Site,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Lines of a child's output, as they come.
fn lines(stream: impl Read + Send + 'static) -> Receiver<String> {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    receiver
}

/// Waits for a line matching `wanted`; panics with everything seen at the deadline.
fn expect_line(lines: &Receiver<String>, what: &str, wanted: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + DEADLINE;
    let mut seen = Vec::new();
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match lines.recv_timeout(left) {
            Ok(line) if wanted(&line) => return line,
            Ok(line) => seen.push(line),
            Err(_) => break,
        }
    }
    panic!("no line {what}; saw:\n{}", seen.join("\n"));
}

impl Served {
    pub(super) fn start(site: Site, args: &[&str]) -> Served {
        Served::start_with(site, args, &[])
    }

    /// Starts with `env` added to the environment (and `SOURCE_DATE_EPOCH` removed unless
    /// given, so the test does not depend on the caller's).
    fn start_with(site: Site, args: &[&str], env: &[(&str, &str)]) -> Served {
        let root = site.root().to_str().expect("a UTF-8 path").to_string();
        let mut child = Command::new(env!("CARGO_BIN_EXE_hindsight"))
            .args(["serve", "--root", &root, "--port", "0"])
            .args(args)
            .env_remove("SOURCE_DATE_EPOCH")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start hindsight serve");
        let stdout = lines(child.stdout.take().expect("piped stdout"));
        let stderr = lines(child.stderr.take().expect("piped stderr"));
        let folder = expect_line(&stdout, "naming the preview folder", |l| {
            l.starts_with("preview folder: ")
        });
        let serving = expect_line(&stdout, "with the address", |l| {
            l.starts_with("serving at ")
        });
        let address = serving
            .trim_start_matches("serving at http://")
            .split('/')
            .next()
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| panic!("no address in {serving:?}"));
        Served {
            child,
            address,
            out: PathBuf::from(folder.trim_start_matches("preview folder: ")),
            stdout,
            stderr,
            site,
        }
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.site.root().join(relative)
    }

    /// Saves a file the way most editors do: a temporary file renamed over the original.
    fn save(&self, relative: &str, text: &str) {
        let path = self.path(relative);
        let temporary = path.with_file_name(".saving.tmp");
        fs::write(&temporary, text).expect("write the temporary file");
        fs::rename(&temporary, &path).expect("rename it over the original");
    }

    pub(super) fn get(&self, target: &str) -> Response {
        self.request(&format!(
            "GET {target} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.address
        ))
    }

    pub(super) fn request(&self, raw: &str) -> Response {
        let mut stream = TcpStream::connect(self.address).expect("connect");
        stream
            .set_read_timeout(Some(DEADLINE))
            .expect("set a timeout");
        // The server may answer and close before reading everything of a refused request.
        let _ = stream.write_all(raw.as_bytes());
        let mut bytes = Vec::new();
        let _ = stream.read_to_end(&mut bytes);
        Response::parse(&bytes)
    }

    fn events(&self) -> Events {
        let mut stream = TcpStream::connect(self.address).expect("connect");
        let request = format!(
            "GET /__hindsight/events HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\n\r\n",
            self.address
        );
        stream.write_all(request.as_bytes()).expect("subscribe");
        stream
            .set_read_timeout(Some(Duration::from_millis(100)))
            .expect("set a timeout");
        Events {
            stream,
            buffer: String::new(),
        }
    }
}

#[derive(Debug)]
pub(super) struct Response {
    pub(super) status: u16,
    pub(super) head: String,
    pub(super) body: String,
}

impl Response {
    fn parse(bytes: &[u8]) -> Response {
        let text = String::from_utf8_lossy(bytes);
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no status line in {head:?}"));
        Response {
            status,
            head: head.to_string(),
            body: body.to_string(),
        }
    }
}

/// An open live-reload stream.
struct Events {
    stream: TcpStream,
    buffer: String,
}

impl Events {
    /// The next event named `name` (others are skipped), as its data line.
    fn expect(&mut self, name: &str) -> serde_json::Value {
        let deadline = Instant::now() + DEADLINE;
        let mut chunk = [0u8; 4096];
        while Instant::now() < deadline {
            while let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let field = |key: &str| {
                    block
                        .lines()
                        .find_map(|l| l.strip_prefix(key))
                        .map(str::to_string)
                };
                if field("event: ").as_deref() == Some(name) {
                    let data = field("data: ").expect("an event has data");
                    return serde_json::from_str(&data).expect("event data is JSON");
                }
            }
            match self.stream.read(&mut chunk) {
                Ok(0) => panic!("the event stream closed"),
                Ok(read) => self
                    .buffer
                    .push_str(&String::from_utf8_lossy(&chunk[..read])),
                Err(_) => continue,
            }
        }
        panic!("no {name} event; received:\n{}", self.buffer);
    }
}

pub(super) const PAGE: &str = "/incidents/checkout-outage/";
pub(super) const FILE: &str = "content/2024-03-05-checkout-outage.md";

#[test]
fn edits_errors_and_deletions_reach_the_browser() {
    let served = Served::start(Site::fixture("full-incident"), &[]);
    let page = served.get(PAGE);
    assert_eq!(page.status, 200, "{}", page.head);
    assert!(page.body.contains("Checkout outage: card payments failed"));
    assert!(page.head.contains("Cache-Control: no-store"));
    // The live-reload script is added by the server; the written page never has it.
    assert!(page.body.contains("<script src=\"/__hindsight/live.js\""));
    let written = fs::read_to_string(served.out.join("incidents/checkout-outage/index.html"))
        .expect("the preview folder holds the page");
    assert!(
        !written.contains("__hindsight"),
        "no live-reload script in built pages"
    );

    let mut events = served.events();
    let hello = events.expect("hello");
    assert_eq!(hello["problems"], 0);

    // An edit: the reload event comes only once the page is written, so the page fetched
    // right after it is already the new one.
    let text = fs::read_to_string(served.path(FILE)).expect("read the postmortem");
    let edited = text.replace("Rewrite the pool in Rust", "Rewrite the pool, carefully");
    assert_ne!(edited, text);
    served.save(FILE, &edited);
    let reload = events.expect("reload");
    assert_ne!(reload["version"], hello["version"]);
    assert!(
        served
            .get(PAGE)
            .body
            .contains("Rewrite the pool, carefully")
    );
    expect_line(&served.stdout, "about the edit", |l| {
        l.contains(&format!("{FILE} edited")) && l.contains("written") && l.contains(" ms")
    });

    // A new title: the reload goes out once the edited page is written, before the rest;
    // whatever the reloaded page asks for next waits until it is written, so the lists,
    // the exports and the search index all show the new title, never the old one.
    let retitled = edited.replacen(
        "Checkout outage: card payments failed",
        "Checkout outage: every card payment failed",
        1,
    );
    assert_ne!(retitled, edited);
    served.save(FILE, &retitled);
    events.expect("reload");
    let title = "Checkout outage: every card payment failed";
    for url in [
        PAGE,
        "/",
        "/incidents/",
        "/data/incidents.json",
        "/data/incidents.csv",
    ] {
        let page = served.get(url);
        assert!(page.body.contains(title), "{url} shows the new title");
    }
    let search = (0..4)
        .map(|block| served.get(&format!("/search/d/{block}.js")))
        .take_while(|page| page.status == 200);
    assert!(
        search
            .map(|page| page.body)
            .any(|body| body.contains(title))
    );
    let edited = retitled;

    // A broken front matter (an unclosed `[` on line 5, which YAML notices at the `:` on
    // line 6): the last good page stays, with the message in an overlay, the same message
    // the terminal prints.
    let broken = edited.replacen("severity: SEV1", "severity: [SEV1", 1);
    served.save(FILE, &broken);
    assert_eq!(events.expect("problems")["problems"], 1);
    let headline = expect_line(&served.stderr, "with the file:line:col message", |l| {
        l.starts_with(&format!("{FILE}:6:11: error[H002]: "))
    });
    let page = served.get(PAGE);
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("Rewrite the pool, carefully"),
        "the last good page"
    );
    assert!(page.body.contains("id=\"hindsight-overlay\""));
    let escaped = headline
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;");
    assert!(page.body.contains(&escaped), "the overlay shows {headline}");
    // Pages already open fetch the same overlay when told that problems changed.
    let overlay = served.get("/__hindsight/overlay");
    assert!(overlay.body.starts_with("<div id=\"hindsight-overlay\""));
    assert!(overlay.body.contains(&escaped));

    // Fixed: the overlay goes.
    served.save(FILE, &edited.replace("carefully", "very carefully"));
    let reload = events.expect("reload");
    assert_eq!(reload["problems"], 0);
    let page = served.get(PAGE);
    assert!(page.body.contains("very carefully"));
    assert!(!page.body.contains("id=\"hindsight-overlay\""));
    assert_eq!(served.get("/__hindsight/overlay").body, "");

    // Deleted: its page is gone, and so are its entries everywhere.
    fs::remove_file(served.path(FILE)).expect("delete the postmortem");
    events.expect("reload");
    let gone = served.get(PAGE);
    assert_eq!(gone.status, 404);
    assert!(
        gone.body.contains("Page not found"),
        "the site's own 404 page"
    );
    assert!(!served.get("/incidents/").body.contains("checkout-outage"));
    assert!(!served.get("/").body.contains("checkout-outage"));
}

#[test]
fn only_the_built_site_is_served() {
    let served = Served::start(Site::fixture("full-incident"), &[]);
    // A link out of the preview folder, as if one had been written there.
    #[cfg(unix)]
    std::os::unix::fs::symlink(served.path("hindsight.toml"), served.out.join("config.txt"))
        .expect("make a symbolic link");
    #[cfg(unix)]
    std::os::unix::fs::symlink(served.site.root(), served.out.join("up"))
        .expect("make a symbolic link");
    for (target, status) in [
        ("/../hindsight.toml", 400),
        ("/incidents/../../hindsight.toml", 400),
        ("/%2e%2e/hindsight.toml", 400),
        ("/%2E%2E%2Fhindsight.toml", 400),
        ("/..%2f..%2fhindsight.toml", 400),
        ("/..%5c..%5chindsight.toml", 400),
        ("/..\\hindsight.toml", 400),
        ("/C:/Windows/win.ini", 400),
        ("/index.html%00", 400),
        ("http://example.com/", 400),
        ("//etc/passwd", 404),
        ("/etc/passwd", 404),
        ("/config.txt", 404),
        ("/up/hindsight.toml", 404),
        ("/static/", 404),
    ] {
        let response = served.get(target);
        assert_eq!(response.status, status, "{target}: {}", response.head);
        assert!(
            !response.body.contains("Fixture Archive\"\ndescription"),
            "{target}"
        );
    }
    // A folder serves its index page or nothing: never a listing.
    let folder = served.get("/incidents/");
    assert_eq!(folder.status, 200);
    assert!(folder.body.contains("<main"));
    let redirect = served.get("/incidents");
    assert_eq!(redirect.status, 301);
    assert!(redirect.head.contains("Location: /incidents/"));

    // Methods, sizes and hosts.
    let address = served.address;
    let post = served.request(&format!("POST / HTTP/1.1\r\nHost: {address}\r\n\r\n"));
    assert_eq!(post.status, 405);
    let huge = format!(
        "GET / HTTP/1.1\r\nHost: {address}\r\nX: {}\r\n\r\n",
        "a".repeat(20_000)
    );
    assert_eq!(served.request(&huge).status, 431);
    let rebound = served.request("GET / HTTP/1.1\r\nHost: attacker.example\r\n\r\n");
    assert_eq!(rebound.status, 403, "DNS rebinding is refused");
    let head = served.request(&format!("HEAD / HTTP/1.1\r\nHost: {address}\r\n\r\n"));
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());

    // Clients that send nothing, or half a request, do not hold up anyone else.
    let idle: Vec<TcpStream> = (0..20)
        .map(|_| {
            let mut stream = TcpStream::connect(address).expect("connect");
            let _ = stream.write_all(b"GET / HTT");
            stream
        })
        .collect();
    let started = Instant::now();
    assert_eq!(served.get("/").status, 200);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "answered while others stall"
    );
    drop(idle);
}

/// The counts of what a Content-Security-Policy without `'unsafe-inline'` blocks.
fn inline_code(html: &str) -> [usize; 4] {
    ["style=", "<style", "onclick=", "<script>"].map(|needle| html.matches(needle).count())
}

#[test]
fn pages_carry_the_policy_and_serve_injects_nothing_inline() {
    let served = Served::start(Site::fixture("full-incident"), &[]);
    let mut events = served.events();
    events.expect("hello");
    // A broken front matter, so the page carries the overlay as well as the script.
    let text = fs::read_to_string(served.path(FILE)).expect("read the postmortem");
    served.save(FILE, &text.replacen("severity: SEV1", "severity: [SEV1", 1));
    events.expect("problems");
    let page = served.get(PAGE);
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains("id=\"hindsight-overlay\" role=\"alert\"")
    );
    // The header says only what a `<meta>` cannot; the policy is the page's own.
    assert!(
        page.head
            .contains("Content-Security-Policy: frame-ancestors 'none'")
            && !page.head.contains("default-src"),
        "{}",
        page.head
    );
    assert!(
        page.body
            .contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src"),
        "the page carries its own policy"
    );
    assert!(page.head.contains("X-Content-Type-Options: nosniff"));
    assert!(
        page.body
            .contains("<link rel=\"stylesheet\" href=\"/__hindsight/overlay.css\"></head>")
    );
    let written = fs::read_to_string(served.out.join("incidents/checkout-outage/index.html"))
        .expect("the preview folder holds the page");
    assert_eq!(
        inline_code(&page.body),
        inline_code(&written),
        "serve injects no inline code"
    );
    let overlay = served.get("/__hindsight/overlay");
    assert!(overlay.head.contains("Content-Security-Policy"));
    assert!(overlay.body.starts_with("<div id=\"hindsight-overlay\""));
    assert_eq!(inline_code(&overlay.body), [0; 4]);

    // The script and the style sheet are the server's own, never written to the site.
    for (target, content_type, text) in [
        ("/__hindsight/live.js", "text/javascript", "EventSource"),
        ("/__hindsight/overlay.css", "text/css", "#hindsight-overlay"),
    ] {
        let response = served.get(target);
        assert_eq!(response.status, 200, "{target}");
        assert!(
            response
                .head
                .contains(&format!("Content-Type: {content_type}")),
            "{}",
            response.head
        );
        assert!(response.head.contains("Cache-Control: no-store"));
        assert!(response.body.contains(text), "{target}");
    }
    for entry in walkdir::WalkDir::new(&served.out) {
        let entry = entry.expect("walk the preview folder");
        let name = entry.file_name().to_string_lossy();
        assert!(
            !["live.js", "overlay.css"].contains(&name.as_ref()),
            "{}",
            entry.path().display()
        );
    }
    let address = served.address;
    let head = served.request(&format!(
        "HEAD /__hindsight/live.js HTTP/1.1\r\nHost: {address}\r\n\r\n"
    ));
    assert_eq!(head.status, 200);
    assert!(
        head.body.is_empty() && head.head.contains("Content-Length: "),
        "{}",
        head.head
    );
}

#[test]
fn malformed_requests_are_refused() {
    let served = Served::start(Site::fixture("full-incident"), &[]);
    let address = served.address;
    for (raw, status) in [
        (format!("GET  / HTTP/1.1\r\nHost: {address}\r\n\r\n"), 400),
        (
            format!("GET / HTTP/1.1\r\nHost: {address}\r\nno colon\r\n\r\n"),
            400,
        ),
        (
            format!("GET / HTTP/1.1\r\nHost: {address}\r\nHost: evil.example\r\n\r\n"),
            400,
        ),
        (
            format!("GET /\u{ff} HTTP/1.1\r\nHost: {address}\r\n\r\n"),
            400,
        ),
        (format!("GET / HTTP/2\r\nHost: {address}\r\n\r\n"), 400),
        (format!("GET * HTTP/1.1\r\nHost: {address}\r\n\r\n"), 400),
        (format!("DELETE / HTTP/1.1\r\nHost: {address}\r\n\r\n"), 405),
    ] {
        let response = served.request(&raw);
        assert_eq!(response.status, status, "{raw:?}: {}", response.head);
        if status == 405 {
            assert!(
                response.head.contains("Allow: GET, HEAD"),
                "{}",
                response.head
            );
        }
    }
    // HTTP/1.0 clients are answered too.
    let old = served.request("GET / HTTP/1.0\r\n\r\n");
    assert_eq!(old.status, 200);
    assert!(old.body.contains("<main"));
}

#[test]
fn a_network_interface_warns_that_drafts_are_visible() {
    let site = Site::fixture("full-incident");
    let root = site.root().to_str().expect("a UTF-8 path").to_string();
    let mut child = Command::new(env!("CARGO_BIN_EXE_hindsight"))
        .args([
            "serve",
            "--root",
            &root,
            "--port",
            "0",
            "--interface",
            "0.0.0.0",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start hindsight serve");
    let stderr = lines(child.stderr.take().expect("piped stderr"));
    let warning = expect_line(&stderr, "warning about the network", |l| {
        l.starts_with("warning: listening on 0.0.0.0")
    });
    assert!(warning.contains("drafts included"), "{warning}");
    let _ = child.kill();
    let _ = child.wait();
}

/// The `as_of` date the JSON export was computed for.
fn export_as_of(served: &Served) -> String {
    let export = served.get("/data/incidents.json");
    assert_eq!(export.status, 200, "{}", export.head);
    let json: serde_json::Value = serde_json::from_str(&export.body).expect("the export is JSON");
    json["generated_for"]["as_of"]
        .as_str()
        .expect("an as_of date")
        .to_string()
}

#[test]
fn as_of_dates_the_trends_for_the_whole_session() {
    let served = Served::start(Site::fixture("full-incident"), &["--as-of", "2024-03-06"]);
    assert_eq!(export_as_of(&served), "2024-03-06");
    // Rebuilds keep the date.
    let mut events = served.events();
    events.expect("hello");
    let text = fs::read_to_string(served.path(FILE)).expect("read the postmortem");
    served.save(FILE, &text.replacen("title: \"", "title: \"Edited ", 1));
    events.expect("reload");
    assert_eq!(export_as_of(&served), "2024-03-06");
    drop(served);

    // Without the flag, SOURCE_DATE_EPOCH as for `build` (1700000000 is 2023-11-14 UTC).
    let served = Served::start_with(
        Site::fixture("full-incident"),
        &[],
        &[("SOURCE_DATE_EPOCH", "1700000000")],
    );
    assert_eq!(export_as_of(&served), "2023-11-14");
}

#[test]
fn an_as_of_that_is_not_a_date_is_refused() {
    let site = Site::fixture("full-incident");
    let root = site.root().to_str().expect("a UTF-8 path").to_string();
    let output = Command::new(env!("CARGO_BIN_EXE_hindsight"))
        .args([
            "serve",
            "--root",
            &root,
            "--port",
            "0",
            "--as-of",
            "2024-13-01",
        ])
        .output()
        .expect("run hindsight serve");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("expected a date as YYYY-MM-DD") && stderr.contains("2024-13-01"),
        "{stderr}"
    );
}
