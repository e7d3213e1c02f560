//! Link previews: every page's `<meta name="description">`, OpenGraph and Twitter tags,
//! read back from the built pages as a chat app reads them.

use std::collections::BTreeMap;

use crate::support::{Build, Site, postmortem, unescape};

const BASE: &str = "https://intranet.example/pm/";

/// One sentence of 376 characters.
const LONG: &str = "The queue kept growing while nobody looked and the queue kept growing while nobody looked and the queue kept growing while nobody looked and the queue kept growing while nobody looked and the queue kept growing while nobody looked and the queue kept growing while nobody looked and the queue kept growing while nobody looked and the queue kept growing while nobody looked";

/// The `<meta>` tags of a page's head: `name` or `property` → `content` (decoded), and the
/// raw `content` of the description, to see how it was escaped.
fn metas(html: &str) -> BTreeMap<String, String> {
    let head = &html[..html.find("</head>").expect("a head")];
    let mut found = BTreeMap::new();
    for tag in head.split("<meta ").skip(1) {
        let tag = &tag[..tag.find('>').unwrap()];
        let attr = |name: &str| {
            let needle = format!("{name}=\"");
            let at = tag.find(&needle)? + needle.len();
            Some(tag[at..at + tag[at..].find('"')?].to_string())
        };
        if let (Some(key), Some(content)) =
            (attr("name").or_else(|| attr("property")), attr("content"))
        {
            assert!(
                found.insert(key.clone(), content).is_none(),
                "{key} twice in {head}"
            );
        }
    }
    found
}

fn preview(build: &Build, path: &str) -> BTreeMap<String, String> {
    let metas = metas(&build.page(path));
    metas.into_iter().map(|(k, v)| (k, unescape(&v))).collect()
}

fn site() -> Site {
    Site::new()
        .config(&format!("title = \"Acme & Co incidents\"\nbase_url = \"{BASE}\"\n"))
        .file(
            "content/2024/pay.md",
            postmortem(
                "Checkout down",
                "severity: SEV1\nstarted_at: 2024-03-01T10:00:00Z\nresolved_at: 2024-03-01T13:12:00Z\n\
                 services: [payments, checkout]\nroot_cause: config-change\ntags: [latency]\n\
                 summary: \"A bad config push took **checkout** & payments down for 3 hours. It was rolled back.\"\n",
            ),
        )
        .file(
            "content/2021/old.md",
            postmortem("Old outage", "started_at: 2021-06-01\nservices: [payments]\n"),
        )
        .file(
            "content/2022/long.md",
            postmortem(
                "Long summary",
                &format!("summary: \"{LONG}\"\n"),
            ),
        )
}

#[test]
fn every_page_has_a_description_and_opengraph_tags() {
    let build = site().build();
    build.assert_code(0);
    for path in [
        "index.html",
        "incidents/index.html",
        "incidents/pay/index.html",
        "services/index.html",
        "services/by-name.html",
        "services/payments/index.html",
        "causes/config-change/index.html",
        "years/2021/index.html",
        "trends/index.html",
        "search/index.html",
        "404.html",
    ] {
        let tags = preview(&build, path);
        let description = &tags["description"];
        assert!(!description.is_empty(), "{path}");
        assert!(description.chars().count() <= 200, "{path}: {description}");
        assert_eq!(tags.get("og:description"), Some(description), "{path}");
        assert!(!tags["og:title"].is_empty(), "{path}");
        assert_eq!(tags["og:site_name"], "Acme & Co incidents", "{path}");
        assert_eq!(tags["twitter:card"], "summary", "{path}");
        let kind = if path == "incidents/pay/index.html" {
            "article"
        } else {
            "website"
        };
        assert_eq!(tags["og:type"], kind, "{path}");
        // The 404 page is shown at any address, so it names none.
        let url = (path != "404.html")
            .then(|| format!("{BASE}{}", path.trim_end_matches("index.html")))
            .map(|url| url.replace("by-name.html", ""));
        assert_eq!(tags.get("og:url"), url.as_ref(), "{path}");
    }
}

#[test]
fn an_incident_says_severity_duration_services_and_its_first_sentence() {
    let build = site().build();
    let html = build.page("incidents/pay/index.html");
    let tags = preview(&build, "incidents/pay/index.html");
    assert_eq!(
        tags["description"],
        "SEV1 · 3 h 12 min · payments, checkout — A bad config push took checkout & payments down for 3 hours."
    );
    assert_eq!(tags["og:title"], "Checkout down");
    // Escaped once: the ampersand is `&amp;`, never `&amp;amp;`, and no Markdown is left.
    let raw = metas(&html)["description"].clone();
    assert!(raw.contains("checkout &amp; payments"), "{raw}");
    assert!(!raw.contains("&amp;amp;") && !raw.contains("**"), "{raw}");

    // Without a duration or a severity it says what is recorded, never a guess.
    let old = preview(&build, "incidents/old/index.html");
    assert_eq!(old["description"], "payments");
    let long = preview(&build, "incidents/long/index.html")["description"].clone();
    let kept = long.strip_suffix('…').expect("marked as cut");
    assert!(
        LONG.starts_with(&format!("{kept} ")),
        "cut at a word: {long}"
    );
    assert!(long.chars().count() <= 200, "{long}");
}

#[test]
fn lists_and_facets_say_how_many_and_when() {
    let build = site().build();
    let says = |path: &str| preview(&build, path)["description"].clone();
    assert_eq!(
        says("services/payments/index.html"),
        "2 incidents affecting payments, 2021–2024"
    );
    assert_eq!(
        says("services/checkout/index.html"),
        "1 incident affecting checkout, 2024"
    );
    assert_eq!(
        says("causes/config-change/index.html"),
        "1 incident with root cause Configuration change, 2024"
    );
    assert_eq!(
        says("severities/sev1/index.html"),
        "1 incident of severity SEV1 · Critical, 2024"
    );
    assert_eq!(
        says("tags/latency/index.html"),
        "1 incident tagged latency, 2024"
    );
    assert_eq!(says("years/2021/index.html"), "1 incident in 2021");
    assert_eq!(
        says("services/index.html"),
        "Services: 2 services across 3 incidents"
    );
    assert_eq!(
        says("incidents/index.html"),
        "All 3 incidents, 2021–2024, newest first"
    );
    assert_eq!(says("index.html"), "Postmortems of past incidents");
    assert!(says("trends/index.html").starts_with("What 3 postmortems teach over time"));
    assert!(says("search/index.html").starts_with("Search 3 postmortems"));
}

#[test]
fn without_a_host_no_page_claims_a_url() {
    let build = Site::new()
        .file("content/a.md", postmortem("A", "severity: SEV2\n"))
        .build();
    build.assert_code(0);
    for path in [
        "index.html",
        "incidents/a/index.html",
        "severities/sev2/index.html",
    ] {
        let tags = preview(&build, path);
        assert_eq!(tags.get("og:url"), None, "{path}");
        assert!(tags.contains_key("og:description"), "{path}");
    }
}

#[test]
fn health_and_team_pages_describe_themselves() {
    let build = site()
        .config(&format!(
            "title = \"Acme & Co incidents\"\nbase_url = \"{BASE}\"\n\
             [[services]]\nname = \"payments\"\nteam = \"Payments\"\n\
             [[services]]\nname = \"checkout\"\n"
        ))
        .file(
            "content/2024/late.md",
            postmortem(
                "Late fix",
                "started_at: 2024-01-02\nservices: [payments]\n\
                 action_items:\n  - {title: Fix it, owner: ana, due: 2024-02-01}\n",
            ),
        )
        .build_with(&["--as-of", "2024-06-01"]);
    build.assert_code(0);
    let says = |path: &str| preview(&build, path)["description"].clone();
    assert_eq!(
        says("health/index.html"),
        "Postmortem quality of 4 postmortems: median score 10/100; 1 action item overdue"
    );
    // The same median as the page shows.
    assert!(build.page("health/").contains(
        "<span class=\"stat-value\">10</span><span class=\"stat-label\">median score</span>"
    ));
    assert_eq!(
        says("teams/index.html"),
        "1 team and the incidents of their services: 4 incidents, 1 without a team"
    );
    assert_eq!(
        says("teams/payments/index.html"),
        "Payments: 3 incidents, 2021–2024; 1 open action item, overdue"
    );
}
