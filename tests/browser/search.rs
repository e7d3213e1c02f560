//! The search page on the bundled example, as a visitor uses it: over HTTP under a
//! sub-path (`/pm/`, as an internal host would put it) and opened from disk (`file://`).
//! Type a query and see the expected incident first; apply a filter and see the counts
//! and results change; go back; load a shared URL and see the same state; open a result
//! with the keyboard. Every list and count on screen is compared with the Rust reference
//! search (`hindsight::render::search::query`) over the same files, so the counts are exact.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::NaiveDate;
use fantoccini::Locator;
use fantoccini::key::Key;
use hindsight::render::search::DOC_BLOCK;
use hindsight::render::search::query::{Query, SearchData};
use serde_json::{Value, json};

use super::*;

/// The example's incident that a search for "redis" must put first: Redis is in its
/// title and in its services.
const REDIS_FIRST: &str = "Search result cache expired all at once after Redis failover re-warm";

/// Builds the bundled example into `out`.
pub(super) fn build_example(out: &Path) {
    let status = Command::new(env!("CARGO_BIN_EXE_hindsight"))
        .args(["build", "--root", env!("CARGO_MANIFEST_DIR"), "--output"])
        .arg(out)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("run hindsight build");
    assert!(status.success(), "the example builds");
}

/// A static file server for `dir` under the path `/pm/`, on a thread; nothing else
/// (no compression, no index pages beyond `index.html`), like the plainest host.
pub(super) fn static_server(dir: PathBuf) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a port");
    let address = listener.local_addr().expect("an address");
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let dir = dir.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(&stream);
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    return;
                }
                // Headers are read and ignored.
                let mut header = String::new();
                while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
                    header.clear();
                }
                let target = line.split_whitespace().nth(1).unwrap_or("/");
                let path = target.split(['?', '#']).next().unwrap_or("/");
                let file = path
                    .strip_prefix("/pm/")
                    .filter(|p| !p.split('/').any(|part| part == ".."))
                    .map(|p| {
                        let p = dir.join(p);
                        if p.is_dir() { p.join("index.html") } else { p }
                    });
                let mut stream = &stream;
                match file.and_then(|f| std::fs::read(&f).ok().map(|b| (f, b))) {
                    Some((file, body)) => {
                        let kind = match file.extension().and_then(|e| e.to_str()) {
                            Some("html") => "text/html; charset=utf-8",
                            Some("js") => "text/javascript; charset=utf-8",
                            Some("css") => "text/css; charset=utf-8",
                            Some("svg") => "image/svg+xml",
                            _ => "application/octet-stream",
                        };
                        let _ = write!(
                            stream,
                            "HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                            body.len()
                        );
                        let _ = stream.write_all(&body);
                    }
                    None => {
                        let _ = stream.write_all(
                            b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                        );
                    }
                }
            });
        }
    });
    address
}

pub(super) fn day(date: &str) -> u32 {
    let date: NaiveDate = date.parse().expect("a date");
    let epoch = NaiveDate::from_ymd_opt(1900, 1, 1).expect("a date");
    (date - epoch).num_days() as u32
}

/// What the page should show for `query`, from the Rust reference: the first page of
/// results, and every filter option shown (a count above zero, or chosen) with its count.
fn expected(data: &SearchData, query: &Query) -> Value {
    let answer = data.run(query);
    let mut options = Vec::new();
    for (f, facet) in data.facets.iter().enumerate() {
        let chosen: Vec<String> = query
            .filters
            .iter()
            .filter(|(param, _)| *param == facet.param)
            .flat_map(|(_, v)| v.iter().map(|s| s.to_lowercase()))
            .collect();
        for (t, (_, slug, _)) in facet.terms.iter().enumerate() {
            let on = chosen.contains(&slug.to_lowercase());
            if answer.counts[f][t] > 0 || on {
                options.push(json!([facet.param, slug, answer.counts[f][t], on]));
            }
        }
    }
    let first_page: Vec<u32> = answer.results.iter().take(10).copied().collect();
    json!({ "total": answer.results.len(), "results": first_page, "options": options })
}

/// What the page shows, once it has rendered `state` (its query string).
async fn shown(client: &Client, state: &str) -> Value {
    let script = format!(
        r#"const root = document.getElementById('search');
        if (!root || root.dataset.state !== 'ready' || root.dataset.rendered !== {state:?}) return null;
        const results = [...document.querySelectorAll('#search-results > li')].map(li => +li.dataset.position);
        const options = [...document.querySelectorAll('#search-filters input[type=checkbox]')].map(b =>
            [b.dataset.param, b.value, +b.closest('label').querySelector('.count').textContent, b.checked]);
        const total = +(document.getElementById('search-status').textContent.match(/\d+/) || [0])[0];
        const titles = [...document.querySelectorAll('#search-results > li h3 a')].map(a => a.textContent);
        return {{ total, results, options, titles, q: document.getElementById('search-q').value }};"#
    );
    wait_until(
        client,
        &format!("the results for {state:?}"),
        &script,
        |v| !v.is_null(),
    )
    .await
}

/// Asserts the page shows what the reference says for `query`, rendered as `state`, and
/// each result under the title its record in `site`'s document blocks has.
pub(super) async fn check(
    client: &Client,
    (data, site): Site<'_>,
    query: &Query,
    state: &str,
) -> Value {
    let page = shown(client, state).await;
    let want = expected(data, query);
    let titles: Vec<Value> = want["results"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            let position = p.as_u64().unwrap_or_default() as usize;
            SearchData::doc_from_dir(site, position).expect("a record")["title"].clone()
        })
        .collect();
    assert_eq!(page["titles"], json!(titles), "titles for {state}");
    assert_eq!(page["total"], want["total"], "result count for {state}");
    assert_eq!(page["results"], want["results"], "results for {state}");
    assert_eq!(
        page["options"], want["options"],
        "filter counts for {state}"
    );
    assert_eq!(page["q"], json!(query.text), "the box shows the query");
    page
}

/// Clicks "Show more" on the unfiltered list and checks the next results' titles, from
/// more than one block of documents.
async fn show_more(client: &Client, (data, site): Site<'_>) {
    let count = (data.count as usize).min(20);
    assert!(count > DOC_BLOCK, "the example fills more than one block");
    click(client, Locator::Id("search-more"), "the Show more button").await;
    let titles = wait_until(
        client,
        "twenty results",
        &format!("const t = [...document.querySelectorAll('#search-results > li h3 a')].map(a => a.textContent); return t.length === {count} ? t : null;"),
        |v| !v.is_null(),
    )
    .await;
    let want: Vec<Value> = (0..count)
        .map(|p| SearchData::doc_from_dir(site, p).expect("a record")["title"].clone())
        .collect();
    assert_eq!(titles, json!(want), "newest first, across blocks");
}

fn query(text: &str, filters: &[(&str, &str)]) -> Query {
    Query {
        text: text.to_string(),
        filters: filters
            .iter()
            .map(|(p, v)| (p.to_string(), vec![v.to_string()]))
            .collect(),
        ..Query::default()
    }
}

/// The index read back, and the built site's folder.
pub(super) type Site<'a> = (&'a SearchData, &'a Path);

/// The visitor's path through the search page whose URL is `search_url`.
async fn visit(client: &Client, data: Site<'_>, search_url: &str, on_disk: bool) {
    client.goto(search_url).await.expect("open the search page");
    // Everything, newest first, with every filter's counts; "Show more" adds the next
    // ten, whose documents are in the next block.
    check(client, data, &query("", &[]), "").await;
    show_more(client, data).await;

    // Type a word: the expected incident comes first.
    let input = client.find(Locator::Id("search-q")).await.expect("the box");
    input.send_keys("redis").await.expect("type");
    let page = check(client, data, &query("redis", &[]), "?q=redis").await;
    let first_title = client
        .find(Locator::Css("#search-results > li h3 a"))
        .await
        .expect("a result")
        .text()
        .await
        .expect("its title");
    assert_eq!(first_title, REDIS_FIRST);
    let total = page["total"].as_u64().unwrap_or(0);
    assert!(total > 1, "more than one incident mentions redis");

    // A filter: its promised count is what it delivers, and every count follows.
    let box_css = "#search-filters input[data-param=severity][value=sev3]";
    let promised = page["options"]
        .as_array()
        .and_then(|o| o.iter().find(|o| o[0] == "severity" && o[1] == "sev3"))
        .map(|o| o[2].clone())
        .expect("a SEV3 option for redis");
    click(client, Locator::Css(box_css), "the SEV3 box").await;
    let filtered = check(
        client,
        data,
        &query("redis", &[("severity", "sev3")]),
        "?q=redis&severity=sev3",
    )
    .await;
    assert_eq!(filtered["total"], promised);
    assert!(
        filtered["total"].as_u64().unwrap_or(0) < total,
        "the filter narrows"
    );

    // Back: the filter is off again.
    client.back().await.expect("go back");
    check(client, data, &query("redis", &[]), "?q=redis").await;
    client.forward().await.expect("go forward");
    check(
        client,
        data,
        &query("redis", &[("severity", "sev3")]),
        "?q=redis&severity=sev3",
    )
    .await;

    // A shared URL, opened fresh, shows the same state; an empty query with filters
    // lists every match.
    let shared = format!("{search_url}?service=redis-cache&severity=SEV3");
    client.goto(&shared).await.expect("open a shared URL");
    check(
        client,
        data,
        &query("", &[("service", "redis-cache"), ("severity", "SEV3")]),
        "?service=redis-cache&severity=SEV3",
    )
    .await;

    // The keyboard: down to the first result, Enter opens it.
    client
        .goto(&format!("{search_url}?q=redis"))
        .await
        .expect("open");
    check(client, data, &query("redis", &[]), "?q=redis").await;
    let input = client.find(Locator::Id("search-q")).await.expect("the box");
    input
        .send_keys(&format!("{}", Key::Down))
        .await
        .expect("arrow down");
    // Down moved the focus to the first result's link; Enter there opens it.
    client
        .active_element()
        .await
        .expect("the focused result")
        .send_keys(&format!("{}", Key::Enter))
        .await
        .expect("enter");
    let suffix = if on_disk { "index.html" } else { "" };
    let opened = wait_until(
        client,
        "the first result to open",
        "return document.querySelector('h1') && location.pathname.includes('/incidents/') ? [location.pathname, document.querySelector('h1').textContent] : null;",
        |v| !v.is_null(),
    )
    .await;
    assert!(
        opened[0]
            .as_str()
            .unwrap_or_default()
            .ends_with(&format!("/{suffix}")),
        "{opened}"
    );
    assert!(
        opened[1].as_str().unwrap_or_default().contains(REDIS_FIRST),
        "{opened}"
    );

    // The header box on that page searches, and `/` focuses it.
    client
        .execute(
            "document.dispatchEvent(new KeyboardEvent('keydown', {key: '/', bubbles: true}));",
            Vec::new(),
        )
        .await
        .expect("press /");
    let focused = client
        .execute("return document.activeElement.id;", Vec::new())
        .await
        .expect("focus");
    assert_eq!(focused, json!("site-search-q"));
    let header = client
        .find(Locator::Id("site-search-q"))
        .await
        .expect("the header box");
    header.send_keys("postg").await.expect("type");
    header
        .send_keys(&format!("{}", Key::Enter))
        .await
        .expect("submit");
    check(client, data, &query("postg", &[]), "?q=postg").await;
}

/// A query: its text, its filters, and a date range.
type Case<'a> = (
    &'a str,
    Vec<(&'a str, &'a str)>,
    Option<&'a str>,
    Option<&'a str>,
);

/// The same search in the browser and in Rust, over queries that exercise every rule.
async fn same_answers(client: &Client, data: &SearchData) {
    let cases: Vec<Case> = vec![
        ("cache", vec![], None, None),
        ("postg", vec![], None, None),
        ("po", vec![], None, None),
        ("api-gateway", vec![], None, None),
        ("api-gate", vec![], None, None),
        ("web-app locale", vec![], None, None),
        ("checkout-api-v2", vec![], None, None),
        ("TLS Certificate", vec![], None, None),
        (
            "kafka",
            vec![("cause", "hardware"), ("year", "2025")],
            None,
            None,
        ),
        (
            "",
            vec![("service", "api-gateway"), ("service", "web-app")],
            None,
            None,
        ),
        (
            "",
            vec![("duration", "2h-8h")],
            Some("2023-01-01"),
            Some("2024-12-31"),
        ),
        ("failover", vec![], Some("2024-06-01"), None),
        ("zzzz nothing", vec![], None, None),
        ("Ünïcode «quoted» </script>", vec![], None, None),
    ];
    for (text, filters, from, to) in cases {
        let mut q = Query {
            text: text.to_string(),
            ..Query::default()
        };
        let mut chosen = serde_json::Map::new();
        for (param, value) in &filters {
            match q.filters.iter_mut().find(|(p, _)| p == param) {
                Some((_, values)) => values.push(value.to_string()),
                None => q.filters.push((param.to_string(), vec![value.to_string()])),
            }
            chosen
                .entry(param.to_string())
                .or_insert_with(|| json!([]))
                .as_array_mut()
                .expect("an array")
                .push(json!(value));
        }
        q.from_day = from.map(day);
        q.to_day = to.map(day);
        let state = json!({ "q": text, "chosen": chosen, "from": from.unwrap_or(""), "to": to.unwrap_or("") });
        let got = client
            .execute(
                "return window.hindsightSearch.run(arguments[0]).then(a => [a.results, a.counts.map(c => Array.from(c))]);",
                vec![state],
            )
            .await
            .expect("run the query in the page");
        let want = data.run(&q);
        assert_eq!(
            got[0],
            json!(want.results),
            "results of {text:?} {filters:?}"
        );
        assert_eq!(got[1], json!(want.counts), "counts of {text:?} {filters:?}");
    }
}

/// The names a result line shows for `param` at `position`: its values in the facet's
/// order, "Not set" left out.
fn names_of(data: &SearchData, param: &str, position: usize) -> Vec<String> {
    let facet = data
        .facets
        .iter()
        .find(|f| f.param == param)
        .expect("a facet");
    facet
        .terms
        .iter()
        .filter(|(_, slug, positions)| slug != "not-set" && positions.contains(&(position as u32)))
        .map(|(name, _, _)| name.clone())
        .collect()
}

/// A large archive's page loads its larger facets (`f/<param>.js`) only when a visitor
/// reaches for the filters or chooses a value. The example is small, so the page is
/// opened with a facet budget of 0 bytes (the script's test hook, set before it runs):
/// the first results show each incident's severity, services and root causes from its
/// document, the filters list their values without counts, and reaching the filters
/// brings the reference's counts. A value chosen in the URL loads its facet first.
#[tokio::test(flavor = "current_thread")]
async fn facets_load_when_the_filters_are_reached() {
    let Some(session) = session().await else {
        return;
    };
    let client = &session.client;
    let work = tempfile::tempdir().expect("a temporary folder");
    let site = work.path().join("site");
    build_example(&site);
    let data = SearchData::from_dir(&site).expect("the index reads back");
    let page = std::fs::read_to_string(site.join("search/index.html")).expect("the page");
    let hook = "<head><script>window.hindsightSearch = {eagerFacetBytes: 0};</script>";
    std::fs::write(
        site.join("search/lazy.html"),
        page.replacen("<head>", hook, 1),
    )
    .expect("write the page");
    let address = static_server(site.clone());
    let url = format!("http://{address}/pm/search/lazy.html");
    client
        .goto(&format!("{url}?q=redis"))
        .await
        .expect("open the page");
    let first = wait_until(
        client,
        "the first results",
        r#"const root = document.getElementById('search');
        if (root.dataset.state !== 'ready' || root.dataset.rendered !== '?q=redis') return null;
        const item = document.querySelector('#search-results > li');
        const text = (sel) => (item.querySelector(sel) || {}).textContent || '';
        return { position: +item.dataset.position, title: text('h3 a'), severity: (item.querySelector('.sev') || {}).title || '',
          services: text('.search-services'), causes: text('.search-cause'),
          counts: document.querySelectorAll('#search-filters .count').length,
          options: document.querySelectorAll('#search-filters input[type=checkbox]').length,
          facets: performance.getEntriesByType('resource').filter(e => e.name.includes('/search/f/')).length };"#,
        |v| !v.is_null(),
    )
    .await;
    assert_eq!(first["title"], REDIS_FIRST);
    assert_eq!(first["facets"], 0, "no facet loaded: {first}");
    assert_eq!(
        first["counts"], 0,
        "no counts before the facets load: {first}"
    );
    assert!(
        first["options"].as_u64() > Some(0),
        "values listed: {first}"
    );
    let position = first["position"].as_u64().unwrap_or_default() as usize;
    assert_eq!(
        first["severity"],
        names_of(&data, "severity", position).join(", "),
        "{first}"
    );
    assert_eq!(
        first["services"],
        names_of(&data, "service", position).join(", ")
    );
    assert_eq!(
        first["causes"],
        names_of(&data, "cause", position).join(", ")
    );
    // Reaching the filters (here with the keyboard) loads them; the counts come.
    client
        .execute(
            "document.querySelector('#search-filters input').focus();",
            Vec::new(),
        )
        .await
        .expect("focus a filter");
    wait_until(
        client,
        "the counts",
        "return document.querySelectorAll('#search-filters .count').length;",
        |v| v.as_u64() > Some(0),
    )
    .await;
    check(client, (&data, &site), &query("redis", &[]), "?q=redis").await;
    // A value chosen in a shared URL, on a fresh page: its facet loads before the results.
    let (_, slug, _) = data
        .facets
        .iter()
        .find(|f| f.param == "service")
        .and_then(|f| {
            f.terms
                .iter()
                .find(|(_, slug, p)| slug != "not-set" && !p.is_empty())
        })
        .expect("a service with incidents");
    client
        .goto(&format!("{url}?service={slug}"))
        .await
        .expect("open the page");
    let state = format!("?service={slug}");
    let want = expected(&data, &query("", &[("service", slug.as_str())]));
    let got = wait_until(
        client,
        "the filtered results",
        &format!(
            r#"const root = document.getElementById('search');
            if (root.dataset.state !== 'ready' || root.dataset.rendered !== {state:?}) return null;
            return [...document.querySelectorAll('#search-results > li')].map(li => +li.dataset.position);"#
        ),
        |v| !v.is_null(),
    )
    .await;
    assert_eq!(got, want["results"], "results for {state}");
    session.close().await;
}

#[tokio::test(flavor = "current_thread")]
async fn searching_the_example_over_http_under_a_sub_path_and_from_disk() {
    let Some(session) = session().await else {
        return;
    };
    let client = &session.client;
    let work = tempfile::tempdir().expect("a temporary folder");
    let site = work.path().join("site");
    build_example(&site);
    let data = SearchData::from_dir(&site).expect("the index reads back");
    assert!(data.count >= 20, "the example's incidents are indexed");

    let address = static_server(site.clone());
    visit(
        client,
        (&data, &site),
        &format!("http://{address}/pm/search/"),
        false,
    )
    .await;
    same_answers(client, &data).await;

    let on_disk = format!("file://{}/search/index.html", site.display());
    visit(client, (&data, &site), &on_disk, true).await;
    session.close().await;
}
