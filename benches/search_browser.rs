//! The search page's figures in headless Chromium, for `benches/search.sh`: bytes a
//! visitor downloads to open the page and run a first one-word query, bytes for each
//! further query, and the time from the input event to the results in the DOM for a
//! query with two filters (the page records it in `data-elapsed-ms`).
//!
//! `cargo bench --bench search_browser -- URL_OF_SEARCH_PAGE` (served over HTTP without
//! compression, as most internal servers do). Prints one `name value` line per figure.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Bytes of the page and every resource it loaded since the last clear.
const BYTES: &str = "return performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource')).reduce((n, e) => n + (e.decodedBodySize || 0), 0);";

async fn wait_rendered(client: &Client, state: &str) -> f64 {
    let script = format!(
        "const r = document.getElementById('search'); return r.dataset.state === 'ready' && r.dataset.rendered === {state:?} ? +r.dataset.elapsedMs : null;"
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(Value::Number(n)) = client.execute(&script, Vec::new()).await {
            return n.as_f64().unwrap_or(f64::NAN);
        }
        assert!(Instant::now() < deadline, "timed out waiting for {state}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

async fn exec(client: &Client, script: &str) -> Value {
    client
        .execute(script, Vec::new())
        .await
        .expect("run a script")
}

/// Replaces the query by `text`, typed at once (one input event), and waits.
async fn query(client: &Client, text: &str, state: &str) -> f64 {
    client
        .execute(
            "const b = document.getElementById('search-q'); b.value = arguments[0]; b.dispatchEvent(new Event('input', {bubbles: true}));",
            vec![json!(text)],
        )
        .await
        .expect("type");
    wait_rendered(client, state).await
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let url = std::env::args()
        .skip(1)
        .find(|a| a.starts_with("http") || a.starts_with("file:"))
        .expect("usage: search_browser URL_OF_SEARCH_PAGE");
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a port");
    let _driver = Process(
        Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
    );
    let address: SocketAddr = ([127, 0, 0, 1], port).into();
    while TcpStream::connect(address).is_err() {
        std::thread::sleep(Duration::from_millis(20));
    }
    let profile = tempfile::tempdir().expect("a profile");
    let mut capabilities = Capabilities::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({ "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", "--window-size=1280,900", format!("--user-data-dir={}", profile.path().display())] }),
    );
    let client = ClientBuilder::new(HttpConnector::new())
        .capabilities(capabilities)
        .connect(&format!("http://{address}"))
        .await
        .expect("a Chromium session");

    // Open the page and run a first one-word query.
    client.goto(&url).await.expect("open the search page");
    exec(&client, "performance.setResourceTimingBufferSize(100000);").await;
    wait_rendered(&client, "").await;
    let first_ms = query(&client, "latency", "?q=latency").await;
    let first_bytes = exec(&client, BYTES).await.as_f64().unwrap_or(0.0);
    println!("first_query_bytes {first_bytes}");
    println!("first_query_ms {first_ms:.1}");

    // Further one- and two-word queries, each after the one before.
    let mut further = Vec::new();
    for text in [
        "timeout",
        "postgres",
        "cache",
        "certificate",
        "kafka lag",
        "dns",
        "rollback",
        "memory",
        "deploy",
        "replica",
    ] {
        exec(&client, "performance.clearResourceTimings();").await;
        let state = format!("?q={}", text.replace(' ', "+"));
        query(&client, text, &state).await;
        further.push(exec(&client, BYTES).await.as_f64().unwrap_or(0.0));
    }
    println!("further_query_bytes_median {}", median(further.clone()));
    println!(
        "further_query_bytes_max {}",
        further.iter().copied().fold(0.0, f64::max)
    );

    // Two filters, then queries under them: input event to results in the DOM.
    let mut filtered = Vec::new();
    for round in 0..7 {
        client.goto(&url).await.expect("open");
        wait_rendered(&client, "").await;
        for (param, n) in [("service", 0), ("severity", 1)] {
            let css = format!("#search-filters input[data-param={param}]");
            let boxes = client.find_all(Locator::Css(&css)).await.expect("boxes");
            boxes[n].click().await.expect("click");
            let state = exec(
                &client,
                "const r = document.getElementById('search'); return r.dataset.state;",
            )
            .await;
            let _ = state;
            let deadline = Instant::now() + Duration::from_secs(30);
            while exec(&client, &format!("return location.search.includes('{param}=') && document.getElementById('search').dataset.state === 'ready';")).await != json!(true) {
                assert!(Instant::now() < deadline, "filter {param}");
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
        let filters = exec(&client, "return location.search;").await;
        let word = [
            "error", "latency", "restart", "queue", "disk", "config", "traffic",
        ][round];
        let state = format!(
            "?q={word}&{}",
            filters.as_str().unwrap_or("").trim_start_matches('?')
        );
        filtered.push(query(&client, word, &state).await);
        let phases = exec(&client, "const r = document.getElementById('search').dataset; return [r.searchMs, r.loadedMs, r.elapsedMs].join(' / ');").await;
        eprintln!("phases (search / documents loaded / rendered, ms): {phases}");
    }
    println!("two_filter_query_ms_median {:.1}", median(filtered.clone()));
    println!(
        "two_filter_query_ms_max {:.1}",
        filtered.iter().copied().fold(0.0, f64::max)
    );
    client.close().await.expect("close");
}
