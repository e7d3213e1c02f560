//! Accessibility of the bundled example in a real browser: axe-core (WCAG 2.1 A and AA)
//! on every page kind in the light and the dark scheme, failing on any serious or critical
//! violation; and the keyboard: the skip links, the search page's focus on load, arrows
//! through the results, Enter to open, Escape to go back and clear.
//!
//! axe-core comes from npm, installed by `.ci/run` (`npm install axe-core@4` in
//! `target/axe`; `HINDSIGHT_AXE` names another `axe.min.js`). Without it, as without the
//! browser, the axe test says so and passes, except when `CI` is set: there it fails.

use std::fs;
use std::path::{Path, PathBuf};

use fantoccini::key::Key;
use serde_json::Value;

use super::search::build_example;
use super::*;

/// Where `.ci/run` installs axe-core, relative to the crate.
const AXE: &str = "target/axe/node_modules/axe-core/axe.min.js";

/// axe-core's source, or `None` (skip) outside CI when it is not installed.
pub(super) fn axe_source() -> Option<String> {
    let path = std::env::var_os("HINDSIGHT_AXE")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(AXE));
    match fs::read_to_string(&path) {
        Ok(source) => Some(source),
        Err(error) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI needs axe-core at {} ({error}): npm install axe-core@4 in target/axe",
                path.display()
            );
            eprintln!("skipped: axe-core is not installed ({})", path.display());
            None
        }
    }
}

/// The first folder under `dir` (sorted), as a path relative to the site.
fn first_folder(site: &Path, dir: &str) -> String {
    let mut names: Vec<String> = fs::read_dir(site.join(dir))
        .expect("read an output folder")
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    format!("{dir}/{}/", names.first().expect("a folder"))
}

/// Every page kind of the example, as paths in the output folder.
fn page_kinds(site: &Path) -> Vec<String> {
    vec![
        "index.html".into(),
        "incidents/index.html".into(),
        format!("{}index.html", first_folder(site, "incidents")),
        // Open action items and a link in a paragraph of prose.
        "incidents/2024-06-27-redis-synchronized-ttl-expiry/index.html".into(),
        // A "Similar incidents" section.
        "incidents/auth-jwt-kid-rejection/index.html".into(),
        "services/index.html".into(),
        format!("{}index.html", first_folder(site, "services")),
        "trends/index.html".into(),
        "teams/index.html".into(),
        "teams/by-name.html".into(),
        // A team with open and overdue action items, a trend and an incident table.
        "teams/payments/index.html".into(),
        "health/index.html".into(),
        "search/index.html?q=redis".into(),
        "search/index.html?q=zzzzqqq".into(),
        "404.html".into(),
    ]
}

/// Runs axe on the open page (or the element its first argument selects); returns its
/// serious and critical violations, one line each.
const RUN_AXE: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(arguments[0] ? document.querySelector(arguments[0]) : document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] })
  .then((r) => done(r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.impact} ${v.id}: ${n.target.join(' ')} (${(n.failureSummary || '').split('\n').slice(1, 2).join('').trim()})`))))
  .catch((e) => done(['axe failed: ' + e]));
"#;

/// axe's serious and critical violations on the open page, or within `selector`.
pub(super) async fn serious_violations(
    client: &Client,
    axe: &str,
    selector: Option<&str>,
) -> Vec<String> {
    if client.execute("return typeof axe;", Vec::new()).await.ok() != Some(Value::from("object")) {
        client.execute(axe, Vec::new()).await.expect("inject axe");
    }
    let violations = client
        .execute_async(RUN_AXE, vec![Value::from(selector)])
        .await
        .expect("run axe");
    violations
        .as_array()
        .expect("a list")
        .iter()
        .map(|l| l.as_str().unwrap_or_default().to_string())
        .collect()
}

/// Opens `url` and waits until the page is ready (the search page: its results shown).
async fn open(client: &Client, url: &str) {
    client.goto(url).await.expect("open a page");
    wait_until(
        client,
        "the page to be ready",
        "const s = document.getElementById('search'); return document.readyState === 'complete' && (!s || ['ready', 'error'].includes(s.getAttribute('data-state')));",
        |v| v == &Value::Bool(true),
    )
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn every_page_kind_has_no_serious_axe_violation_in_either_scheme() {
    let Some(axe) = axe_source() else {
        return;
    };
    let work = tempfile::tempdir().expect("a temporary folder");
    let site = work.path().join("site");
    build_example(&site);
    let mut found = Vec::new();
    let mut checked = 0;
    // Both schemes on a desktop, and the light one on a 390 px phone, where wide tables and
    // code scroll in their own box (which must then be reachable by keyboard).
    let passes = [
        ("light", &[][..], 1024),
        ("dark", &["--force-dark-mode"][..], 1024),
        ("light, 390 px", &[][..], 390),
    ];
    for (scheme, extra, width) in passes {
        let Some(session) = session_with(extra).await else {
            return;
        };
        let client = &session.client;
        client
            .set_window_size(width, 768)
            .await
            .expect("size the window");
        for page in page_kinds(&site) {
            open(client, &format!("file://{}/{page}", site.display())).await;
            let dark = client
                .execute(
                    "return matchMedia('(prefers-color-scheme: dark)').matches;",
                    Vec::new(),
                )
                .await
                .expect("ask the scheme");
            assert_eq!(dark, Value::Bool(scheme == "dark"), "{page}");
            let shown = client.execute("return innerWidth;", Vec::new()).await;
            assert_eq!(shown.ok(), Some(Value::from(width)), "{page} at {width} px");
            let lines = serious_violations(client, &axe, None).await;
            checked += 1;
            eprintln!(
                "axe: {page} ({scheme}): {} serious or critical",
                lines.len()
            );
            found.extend(lines.iter().map(|l| format!("{page} ({scheme}): {l}")));
        }
        session.close().await;
    }
    assert_eq!(
        checked,
        page_kinds(&site).len() * passes.len(),
        "every page kind in both schemes, and on a phone"
    );
    assert!(
        found.is_empty(),
        "{} violations:\n{}",
        found.len(),
        found.join("\n")
    );
}

/// The focused element: its id, else its tag and text.
async fn focused(client: &Client) -> String {
    let value = client
        .execute(
            "const a = document.activeElement; return a.id || (a.tagName + ' ' + a.textContent.trim());",
            Vec::new(),
        )
        .await
        .expect("ask the focus");
    value.as_str().unwrap_or_default().to_string()
}

/// Whether the focused element shows a ring: its own outline, or (a search result's
/// link, a date box) its result's or row's, 2 px or wider.
const RING: &str = r#"
const a = document.activeElement;
const ring = (e) => { const s = getComputedStyle(e); return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2; };
const item = a.closest('.search-result, .search-date');
if (a === document.body) return ['body', true];
return [a.id || (a.tagName + ' ' + (a.type || '') + ' ' + a.textContent.trim().slice(0, 40)), ring(a) || (item !== null && ring(item))];
"#;

/// Tabs through the first `count` stops of the open page; returns those without a ring.
async fn stops_without_ring(client: &Client, count: usize) -> Vec<String> {
    let mut missing = Vec::new();
    for _ in 0..count {
        press(client, Key::Tab).await;
        let stop = client
            .execute(RING, Vec::new())
            .await
            .expect("ask the ring");
        if stop[1] != Value::Bool(true) {
            missing.push(stop[0].to_string());
        }
    }
    missing
}

async fn press(client: &Client, key: Key) {
    client
        .active_element()
        .await
        .expect("the focused element")
        .send_keys(&format!("{key}"))
        .await
        .expect("press a key");
}

#[tokio::test(flavor = "current_thread")]
async fn the_keyboard_reaches_search_and_moves_through_results() {
    let work = tempfile::tempdir().expect("a temporary folder");
    let site = work.path().join("site");
    build_example(&site);
    let Some(session) = session().await else {
        return;
    };
    let client = &session.client;
    // From home: the second Tab is the skip link to the search box, which Enter follows.
    open(client, &format!("file://{}/index.html", site.display())).await;
    press(client, Key::Tab).await;
    assert_eq!(focused(client).await, "A Skip to content");
    press(client, Key::Tab).await;
    assert_eq!(focused(client).await, "A Skip to search");
    press(client, Key::Enter).await;
    assert_eq!(focused(client).await, "site-search-q");

    // Every control on the way shows a focus ring: home, an incident, the search page.
    for page in [
        "index.html",
        "incidents/2024-06-27-redis-synchronized-ttl-expiry/index.html",
        "search/index.html?q=redis",
    ] {
        open(client, &format!("file://{}/{page}", site.display())).await;
        let missing = stops_without_ring(client, 40).await;
        assert!(missing.is_empty(), "{page}: no focus ring on {missing:?}");
    }

    // The search page focuses its box on load.
    let search = format!("file://{}/search/index.html", site.display());
    open(client, &format!("{search}?q=redis")).await;
    assert_eq!(focused(client).await, "search-q");
    let titles = client
        .execute(
            "return [...document.querySelectorAll('#search-results a')].map((a) => 'A ' + a.textContent.trim());",
            Vec::new(),
        )
        .await
        .expect("the results");
    let titles: Vec<&str> = titles
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(titles.len() >= 2, "{titles:?}");
    // Down, down, up: the first result, the second, the first; up again: the box.
    press(client, Key::Down).await;
    assert_eq!(focused(client).await, titles[0]);
    press(client, Key::Down).await;
    assert_eq!(focused(client).await, titles[1]);
    press(client, Key::Up).await;
    assert_eq!(focused(client).await, titles[0]);
    press(client, Key::Up).await;
    assert_eq!(focused(client).await, "search-q");
    // Escape from a result comes back to the box; Escape in the box clears it.
    press(client, Key::Down).await;
    press(client, Key::Escape).await;
    assert_eq!(focused(client).await, "search-q");
    press(client, Key::Escape).await;
    let cleared = wait_until(
        client,
        "the box to clear",
        "return document.getElementById('search-q').value === '' && !location.search.includes('redis');",
        |v| v == &Value::Bool(true),
    )
    .await;
    assert_eq!(cleared, Value::Bool(true));
    // Enter on a result opens it.
    open(client, &format!("{search}?q=redis")).await;
    press(client, Key::Down).await;
    press(client, Key::Enter).await;
    let opened = wait_until(
        client,
        "the result to open",
        "return location.pathname.includes('/incidents/') ? document.querySelector('h1').textContent.trim() : null;",
        |v| !v.is_null(),
    )
    .await;
    assert_eq!(
        format!("A {}", opened.as_str().unwrap_or_default()),
        titles[0]
    );
    session.close().await;
}

/// The "Similar incidents" section (one page of the example has one), in both schemes.
/// Only the section is checked: the rest of that page is not among the page kinds above.
#[tokio::test(flavor = "current_thread")]
async fn the_similar_incidents_section_has_no_serious_axe_violation() {
    let Some(axe) = axe_source() else {
        return;
    };
    let work = tempfile::tempdir().expect("a temporary folder");
    let site = work.path().join("site");
    build_example(&site);
    let page = "incidents/auth-jwt-kid-rejection/index.html";
    for extra in [&[][..], &["--force-dark-mode"][..]] {
        let Some(session) = session_with(extra).await else {
            return;
        };
        let client = &session.client;
        open(client, &format!("file://{}/{page}", site.display())).await;
        let found = client
            .execute(
                "return document.querySelectorAll('section.similar li').length;",
                Vec::new(),
            )
            .await
            .expect("count the listed incidents");
        assert_eq!(found, Value::from(1), "{page} lists one similar incident");
        let lines = serious_violations(client, &axe, Some("section.similar")).await;
        assert!(lines.is_empty(), "{extra:?}: {lines:#?}");
        session.close().await;
    }
}
