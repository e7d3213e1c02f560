//! Every page fits a 390 px phone: in headless Chromium at 390 px wide, no page of the
//! bundled example, of the archives in `tests/archives/`, or of a postmortem full of long
//! values (URLs, IDs and names without spaces, a wide table) is wider than the screen.
//! The search page puts its results first and folds its filters under a summary there.

use std::path::Path;
use std::process::Command;

use super::*;

const PHONE: u32 = 390;

/// A postmortem whose every field holds something too long for a phone's line.
const LONG: &str = "---
title: \"Averyveryverylongtitlewithoutanyspacesatallthatgoesonandonforeverandever\"
severity: SEV2
started_at: 2024-01-01T10:00:00Z
detected_at: 2024-01-01T10:05:00Z
resolved_at: 2024-01-01T12:00:00Z
services: [a-really-long-service-name-that-nobody-would-ever-type-twice-service]
root_cause: caching
tags: [an-extraordinarily-long-tag-name-for-testing-the-wrapping-of-tags]
trigger: \"https://example.com/a/very/long/url/that/does/not/break/anywhere/at/all/because\"
summary: \"https://example.com/a/very/long/url/that/does/not/break/anywhere/at/all/because\"
impact: \"Averyveryverylongwordwithoutanyspacesatallthatgoesonandonforeverandeverandever\"
runbook: https://example.com/a/very/long/url/that/does/not/break/anywhere/at/all/because
action_items:
  - title: \"https://example.com/a/very/long/url/that/does/not/break/anywhere/at/all/because\"
    owner: someone.with.a.very.long.username.at.example.com
    status: open
    due: 2024-02-01
    url: https://example.com/a/very/long/url/that/does/not/break/anywhere/at/all/because
---

## Timeline

| time | what | who | where | notes |
| --- | --- | --- | --- | --- |
| 10:00 | Something happened here and it was bad | oncall-person | eu-west-1-production | https://example.com/a/very/long/url/that/does/not/break |

See https://example.com/a/very/long/url/that/does/not/break/anywhere/at/all/because for details.

`averyveryverylonginlinecodetokenwithoutspacesthatgoesonandonforeverandever`
";

/// `hindsight build --root root --output out`, which must succeed.
fn build(root: &Path, out: &Path) {
    let status = Command::new(env!("CARGO_BIN_EXE_hindsight"))
        .args(["build", "--as-of", "2025-06-01", "--root"])
        .arg(root)
        .arg("--output")
        .arg(out)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("run hindsight build");
    assert!(status.success(), "{} builds", root.display());
}

/// Every `.html` file under `dir`, sorted.
fn html_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .expect("read an output folder")
        .map(|e| e.expect("an entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            html_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "html") {
            out.push(path);
        }
    }
}

/// The sites to look at, built under `work`: the example, each test archive (copied, so
/// nothing is written into tests/), and the site of long values.
pub(super) fn built_sites(work: &Path) -> Vec<PathBuf> {
    let mut outputs = Vec::new();
    let example = work.join("example");
    build(Path::new(env!("CARGO_MANIFEST_DIR")), &example);
    outputs.push(example);
    let archives = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/archives");
    let mut names: Vec<PathBuf> = fs::read_dir(&archives)
        .expect("tests/archives")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.is_dir())
        .collect();
    names.sort();
    for archive in names {
        let root = work.join(archive.file_name().expect("a name"));
        fs::create_dir_all(&root).expect("a folder");
        copy_tree(&archive, &root);
        let out = root.join("out");
        build(&root, &out);
        outputs.push(out);
    }
    let long = work.join("long");
    fs::create_dir_all(long.join("content")).expect("a folder");
    fs::write(long.join("content/2024-01-01-long.md"), LONG).expect("write a postmortem");
    build(&long, &long.join("out"));
    outputs.push(long.join("out"));
    outputs
}

/// How wide the page is, the width it may use, and what sticks out of the screen outside a scrolling box.
const WIDTH: &str = r#"
const W = document.documentElement.clientWidth;
const out = [];
for (const e of document.querySelectorAll('body *')) {
  const r = e.getBoundingClientRect();
  if (r.right <= W + 0.5 || r.width === 0) continue;
  let p = e.parentElement, inBox = false;
  for (; p; p = p.parentElement) {
    if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(p).overflowX)) { inBox = true; break; }
  }
  if (!inBox) out.push(e.tagName + '.' + e.getAttribute('class') + ' to ' + Math.round(r.right) + ' px: ' + (e.textContent || '').trim().slice(0, 50));
}
return [document.documentElement.scrollWidth, W, out.slice(0, 5), window.innerWidth];
"#;

/// Whether the page has loaded and the theme's stylesheet applies to it (it sets `--wrap`).
const STYLED: &str = "return document.readyState === 'complete' && getComputedStyle(document.documentElement).getPropertyValue('--wrap').trim() !== '';";

#[tokio::test(flavor = "current_thread")]
async fn every_page_fits_a_390_px_phone() {
    let Some(session) = session().await else {
        return;
    };
    let client = &session.client;
    client
        .set_window_size(PHONE, 844)
        .await
        .expect("a phone-sized window");
    let work = tempfile::tempdir().expect("a work folder");
    let mut pages = Vec::new();
    for out in built_sites(work.path()) {
        html_files(&out, &mut pages);
    }
    assert!(pages.len() > 300, "{} pages", pages.len());
    let mut too_wide = Vec::new();
    for page in &pages {
        client
            .goto(&format!("file://{}", page.display()))
            .await
            .expect("open a page");
        // Measured only once the theme's stylesheet applies: with the whole suite running
        // on two cores, pages were measured unstyled (their charts, code and tables
        // outside the boxes that scroll them) in two of three runs. The 404 page links
        // its stylesheet from the site's root, which a page opened from disk cannot reach,
        // so it is measured as it is.
        if !page.ends_with("404.html") {
            let styled = |v: &Value| v == &json!(true);
            wait_until(client, "the page to be styled", STYLED, styled).await;
        }
        let value = client
            .execute(WIDTH, Vec::new())
            .await
            .expect("measure the page");
        // The width the page may use: the screen less a scroll bar, where the browser
        // draws one (a phone's floats over the page).
        let (width, screen) = (value[0].as_u64(), value[1].as_u64());
        assert_eq!(value[3], json!(PHONE), "the window is a phone's");
        if width > screen {
            too_wide.push(format!("{}: {value}", page.display()));
        }
    }
    assert!(
        too_wide.is_empty(),
        "{} pages wider than {PHONE} px:\n{}",
        too_wide.len(),
        too_wide.join("\n")
    );
}

#[tokio::test(flavor = "current_thread")]
async fn on_a_phone_search_results_come_first_and_the_filters_fold() {
    let Some(session) = session().await else {
        return;
    };
    let client = &session.client;
    let work = tempfile::tempdir().expect("a work folder");
    let out = work.path().join("example");
    build(Path::new(env!("CARGO_MANIFEST_DIR")), &out);
    let url = format!("file://{}/search/index.html?q=cache", out.display());
    let layout = r#"
const fold = document.getElementById('search-filters-fold');
const results = document.querySelectorAll('#search-results > li').length;
const options = document.querySelectorAll('#search-filters input[type=checkbox]').length;
const first = document.getElementById('search-results').getBoundingClientRect().top
  < fold.getBoundingClientRect().top;
return options > 0 && results > 0
  ? [fold.open, first, document.documentElement.scrollWidth <= document.documentElement.clientWidth, fold.querySelector('summary').offsetHeight > 0]
  : null;
"#;
    client.set_window_size(PHONE, 844).await.expect("a phone");
    client.goto(&url).await.expect("open the search page");
    let phone = wait_until(client, "search results on a phone", layout, |v| {
        !v.is_null()
    })
    .await;
    // Folded, under the results, behind a visible summary; the page fits.
    assert_eq!(phone, json!([false, true, true, true]));
    click(
        client,
        fantoccini::Locator::Css("#search-filters-fold > summary"),
        "the filters' summary",
    )
    .await;
    let opened = client
        .execute(
            "const f = document.getElementById('search-filters-fold'); return [f.open, f.querySelector('input[type=checkbox]').offsetHeight > 0, document.documentElement.scrollWidth <= document.documentElement.clientWidth];",
            Vec::new(),
        )
        .await
        .expect("read the filters");
    assert_eq!(opened, json!([true, true, true]));
    // On a desktop the filters are the open left column, with no summary to click.
    client.set_window_size(1280, 900).await.expect("a desktop");
    client.goto(&url).await.expect("open the search page");
    let desktop = wait_until(client, "search results on a desktop", layout, |v| {
        !v.is_null()
    })
    .await;
    assert_eq!(desktop[0], json!(true));
    assert_eq!(
        desktop[1],
        json!(false),
        "the filters are left of the results"
    );
    assert_eq!(desktop[3], json!(false), "no summary on a desktop");
}

#[tokio::test(flavor = "current_thread")]
async fn on_a_phone_bar_charts_fit_and_wide_charts_scroll_in_a_labelled_box() {
    let Some(session) = session().await else {
        return;
    };
    let client = &session.client;
    let work = tempfile::tempdir().expect("a work folder");
    let out = work.path().join("example");
    build(Path::new(env!("CARGO_MANIFEST_DIR")), &out);
    client.set_window_size(PHONE, 844).await.expect("a phone");
    client
        .goto(&format!("file://{}/trends/index.html", out.display()))
        .await
        .expect("open the trend page");
    // Each chart: its figure, whether it is wider than its box, whether that box scrolls
    // and can be reached with Tab under a name, and its smallest text in CSS pixels.
    let charts = client
        .execute(
            r#"return [...document.querySelectorAll('.chart-figure')].map(f => {
                const box = f.querySelector('.chart-scroll'), svg = box.querySelector('svg');
                const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
                const px = Math.min(...[...svg.querySelectorAll('text')].map(t => parseFloat(getComputedStyle(t).fontSize) * scale));
                return [f.id, svg.getBoundingClientRect().width > box.clientWidth + 1,
                        getComputedStyle(box).overflowX === 'auto' && box.tabIndex === 0 && !!box.getAttribute('aria-label'),
                        Math.round(px * 10) / 10];
            });"#,
            Vec::new(),
        )
        .await
        .expect("measure the charts");
    let charts = charts.as_array().expect("a list");
    assert!(charts.len() >= 8, "{charts:?}");
    for chart in charts {
        let (id, wider, labelled_box) =
            (&chart[0], chart[1] == json!(true), chart[2] == json!(true));
        let smallest = chart[3].as_f64().unwrap_or_default();
        assert!(
            !wider || labelled_box,
            "{id} is wider than its box, which does not scroll under a name: {chart}"
        );
        assert!(smallest >= 9.0, "{id}: text of {smallest} px on a phone");
    }
    // The bar charts by cause and by service fit the screen; a time axis needs its width.
    let fits = |id: &str| {
        charts
            .iter()
            .any(|c| c[0] == json!(id) && c[1] == json!(false))
    };
    for id in [
        "chart-causes-count",
        "chart-causes-duration",
        "chart-services-count",
        "chart-services-duration",
    ] {
        assert!(fits(id), "{id} fits a phone: {charts:?}");
    }
    assert!(!fits("chart-volume"), "the time axis scrolls: {charts:?}");
}
