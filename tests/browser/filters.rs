//! The search page's filters, and what lists show. The date filters read and show
//! YYYY-MM-DD whatever the browser's locale:
//! in Chromium started in German and in American English, a visitor types dates (a
//! month, a year, a day without dashes) and sees them as typed, normalised, with the
//! results the Rust reference gives for the range; a date in the locale's own order or
//! one that does not exist stays in its box, marked, with what is wrong, and filters
//! nothing. A facet no incident has a value in is not offered as a filter, and an incident
//! table does not show a column that is "—" in every row.

use std::path::Path;
use std::process::Command;

use fantoccini::Locator;
use fantoccini::key::Key;
use hindsight::render::search::query::{Query, SearchData};
use serde_json::{Value, json};

use super::search::{Site, build_example, check, day};
use super::*;

/// Types `text` into the date box `id` (emptied first, without events) and presses Enter.
async fn type_date(client: &Client, id: &str, text: &str) {
    client
        .execute(
            "const b = document.getElementById(arguments[0]); b.value = ''; b.focus();",
            vec![json!(id)],
        )
        .await
        .expect("empty the box");
    client
        .find(Locator::Id(id))
        .await
        .expect("the date box")
        .send_keys(&format!("{text}{}", Key::Enter))
        .await
        .expect("type a date");
}

/// The box `id` as shown: its type, its text, whether it is marked invalid, and the
/// message under it.
async fn date_box(client: &Client, id: &str) -> Value {
    client
        .execute(
            "const b = document.getElementById(arguments[0]); const e = document.getElementById(arguments[0] + '-error');
             return [b.type, b.value, b.getAttribute('aria-invalid') === 'true', e.textContent];",
            vec![json!(id)],
        )
        .await
        .expect("read a date box")
}

fn range(from: Option<&str>, to: Option<&str>) -> Query {
    Query {
        from_day: from.map(day),
        to_day: to.map(day),
        ..Query::default()
    }
}

/// A visitor's dates on the search page of `url`, in a browser whose language is `lang`.
async fn dates_in(client: &Client, data: Site<'_>, url: &str, lang: &str) {
    client.goto(url).await.expect("open the search page");
    check(client, data, &range(None, None), "").await;
    let language = client
        .execute("return navigator.language;", Vec::new())
        .await
        .expect("ask the language");
    assert_eq!(language, json!(lang), "the browser runs in {lang}");
    let hint = client
        .find(Locator::Id("search-date-hint"))
        .await
        .expect("the format hint")
        .text()
        .await
        .expect("its text");
    assert!(hint.starts_with("YYYY-MM-DD"), "{hint}");

    // A month, then a year: from its first day, to its last.
    type_date(client, "search-from", "2024-03").await;
    check(
        client,
        data,
        &range(Some("2024-03-01"), None),
        "?from=2024-03",
    )
    .await;
    assert_eq!(
        date_box(client, "search-from").await,
        json!(["text", "2024-03", false, ""])
    );
    let state = "?from=2024-03&to=2024";
    type_date(client, "search-to", "2024").await;
    let page = check(
        client,
        data,
        &range(Some("2024-03-01"), Some("2024-12-31")),
        state,
    )
    .await;
    assert!(
        page["total"].as_u64() > Some(0),
        "{lang}: 2024 from March has incidents"
    );
    let focus = client
        .execute("return document.activeElement.id;", Vec::new())
        .await
        .expect("ask the focus");
    assert_eq!(focus, json!("search-to"), "the box keeps the focus");

    // A phone's number pad has no dash: eight digits are a day, shown with dashes.
    type_date(client, "search-from", "20240615").await;
    let state = "?from=2024-06-15&to=2024";
    check(
        client,
        data,
        &range(Some("2024-06-15"), Some("2024-12-31")),
        state,
    )
    .await;
    assert_eq!(
        date_box(client, "search-from").await,
        json!(["text", "2024-06-15", false, ""])
    );
    let dates = client
        .execute(
            "return [...document.querySelectorAll('#search-results time.date')].map(t => t.textContent);",
            Vec::new(),
        )
        .await
        .expect("read the results' dates");
    let dates = dates.as_array().expect("a list");
    assert!(!dates.is_empty());
    for shown in dates {
        let shown = shown.as_str().unwrap_or_default();
        assert!(
            ("2024-06-15".."2024-12-32").contains(&shown),
            "{lang}: {shown}"
        );
    }

    // The locale's own order, and a day that does not exist: marked, and nothing changes.
    for (typed, says) in [
        (
            "15.06.2024",
            "To: “15.06.2024”: write the year first, as YYYY-MM-DD",
        ),
        ("2024-02-30", "To: “2024-02-30”: 2024-02 has days 01 to 29"),
        (
            "June 2024",
            "To: “June 2024” is not a date: expected YYYY-MM-DD, YYYY-MM or YYYY",
        ),
    ] {
        type_date(client, "search-to", typed).await;
        assert_eq!(
            date_box(client, "search-to").await,
            json!(["text", typed, true, says]),
            "{lang}"
        );
        check(
            client,
            data,
            &range(Some("2024-06-15"), Some("2024-12-31")),
            state,
        )
        .await;
    }
}

#[tokio::test(flavor = "current_thread")]
async fn date_filters_read_and_show_iso_dates_in_any_locale() {
    let work = tempfile::tempdir().expect("a temporary folder");
    let site = work.path().join("site");
    build_example(&site);
    let data = SearchData::from_dir(&site).expect("the index reads back");
    let url = format!("file://{}/search/index.html", site.display());
    for lang in ["de-DE", "en-US"] {
        let Some(session) =
            session_with(&[&format!("--lang={lang}"), &format!("--accept-lang={lang}")]).await
        else {
            return;
        };
        dates_in(&session.client, (&data, &site), &url, lang).await;
        session.close().await;
    }
}

/// The legends of the search page's filters and the visible headers of the incident list,
/// in the site built at `site`.
async fn filters_and_columns(client: &Client, site: &Path) -> Value {
    client
        .goto(&format!("file://{}/search/index.html", site.display()))
        .await
        .expect("open the search page");
    let legends = wait_until(
        client,
        "the filters",
        "const l = [...document.querySelectorAll('#search-filters legend')].map(l => l.textContent); return l.length ? l : null;",
        |v| !v.is_null(),
    )
    .await;
    client
        .goto(&format!("file://{}/incidents/index.html", site.display()))
        .await
        .expect("open the incident list");
    let headers = client
        .execute(
            "return [...document.querySelectorAll('table.incidents th')].filter(h => h.offsetWidth > 0).map(h => h.textContent);",
            Vec::new(),
        )
        .await
        .expect("read the headers");
    json!([legends, headers])
}

#[tokio::test(flavor = "current_thread")]
async fn empty_facets_are_not_filters_and_blank_columns_are_not_shown() {
    let work = tempfile::tempdir().expect("a temporary folder");
    let example = work.path().join("example");
    build_example(&example);
    // No postmortem of the prose archive records a severity or a tag.
    let prose = work.path().join("prose");
    fs::create_dir_all(&prose).expect("a folder");
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/archives/prose"),
        &prose,
    );
    let status = Command::new(env!("CARGO_BIN_EXE_hindsight"))
        .args(["build", "--root"])
        .arg(&prose)
        .arg("--output")
        .arg(prose.join("out"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("run hindsight build");
    assert!(status.success(), "the prose archive builds");
    let Some(session) = session().await else {
        return;
    };
    let client = &session.client;
    let every = [
        "Service",
        "Root cause",
        "Duration",
        "Severity",
        "Year",
        "Tag",
        "Started",
    ];
    let columns = [
        "Date",
        "Incident",
        "Severity",
        "Services",
        "Root cause",
        "Duration",
    ];
    assert_eq!(
        filters_and_columns(client, &example).await,
        json!([every, columns])
    );
    assert_eq!(
        filters_and_columns(client, &prose.join("out")).await,
        json!([
            ["Service", "Root cause", "Duration", "Year", "Started"],
            ["Date", "Incident", "Services", "Root cause", "Duration"]
        ])
    );
}
