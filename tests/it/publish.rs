//! Publishing: the Atom feeds, `sitemap.xml`, `robots.txt` and the `noindex` option, read
//! the way a feed reader or a crawler reads them (as parsed XML), and the promise that
//! none of them depends on the day the site is built.

use std::path::Path;
use std::process::Command;

use crate::support::{Site, attrs, build_example, canonical, postmortem, repo_root, tree};

const ATOM: &str = "http://www.w3.org/2005/Atom";
const SITEMAP: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
const BASE: &str = "https://intranet.example/pm/";

/// A title with every character XML escapes (YAML single quotes keep the double ones).
const TITLE: &str = "\"Cache\" <miss> & storm";

/// What a feed reader sees of one entry.
#[derive(Debug, PartialEq)]
struct Entry {
    title: String,
    link: String,
    id: String,
    updated: String,
    authors: Vec<String>,
    /// (scheme, term, label)
    categories: Vec<(String, String, String)>,
    summary: Option<String>,
}

/// What a feed reader sees of a feed.
#[derive(Debug)]
struct Feed {
    title: String,
    id: String,
    updated: String,
    self_link: String,
    page_link: String,
    entries: Vec<Entry>,
}

impl Feed {
    fn titles(&self) -> Vec<&str> {
        self.entries.iter().map(|e| e.title.as_str()).collect()
    }
}

/// Parses an Atom feed, panicking unless it is well-formed XML with what RFC 4287
/// requires: a `feed` root in the Atom namespace, exactly one id, title and updated on the
/// feed and on each entry, an author for every entry, and an alternate link per entry.
fn parse_feed(xml: &str) -> Feed {
    let doc = roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().namespace(), Some(ATOM), "{xml}");
    assert_eq!(root.tag_name().name(), "feed");
    let children = |node: roxmltree::Node<'_, '_>, name: &str| -> Vec<String> {
        node.children()
            .filter(|c| c.tag_name().name() == name && c.tag_name().namespace() == Some(ATOM))
            .map(|c| c.text().unwrap_or_default().to_string())
            .collect()
    };
    let one = |node: roxmltree::Node<'_, '_>, name: &str| -> String {
        let found = children(node, name);
        assert_eq!(found.len(), 1, "one <{name}> in {node:?}");
        found.into_iter().next().unwrap()
    };
    let link = |node: roxmltree::Node<'_, '_>, rel: &str| -> String {
        let links: Vec<&str> = node
            .children()
            .filter(|c| c.has_tag_name((ATOM, "link")) && c.attribute("rel") == Some(rel))
            .map(|c| c.attribute("href").expect("a link has an href"))
            .collect();
        assert_eq!(links.len(), 1, "one {rel} link");
        links[0].to_string()
    };
    let names = |node: roxmltree::Node<'_, '_>| -> Vec<String> {
        node.children()
            .filter(|c| c.has_tag_name((ATOM, "author")))
            .map(|a| one(a, "name"))
            .collect()
    };
    let feed_has_author = !names(root).is_empty();
    let entries = root
        .children()
        .filter(|c| c.has_tag_name((ATOM, "entry")))
        .map(|entry| {
            let authors = names(entry);
            assert!(
                feed_has_author || !authors.is_empty(),
                "an entry needs an author"
            );
            Entry {
                title: one(entry, "title"),
                link: link(entry, "alternate"),
                id: one(entry, "id"),
                updated: one(entry, "updated"),
                authors,
                categories: entry
                    .children()
                    .filter(|c| c.has_tag_name((ATOM, "category")))
                    .map(|c| {
                        let attr = |name| c.attribute(name).unwrap_or_default().to_string();
                        (attr("scheme"), attr("term"), attr("label"))
                    })
                    .collect(),
                summary: children(entry, "summary").into_iter().next(),
            }
        })
        .collect();
    Feed {
        title: one(root, "title"),
        id: one(root, "id"),
        updated: one(root, "updated"),
        self_link: link(root, "self"),
        page_link: link(root, "alternate"),
        entries,
    }
}

/// The `<loc>`s of a sitemap, in file order.
fn sitemap_urls(xml: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    assert!(doc.root_element().has_tag_name((SITEMAP, "urlset")));
    doc.descendants()
        .filter(|n| n.has_tag_name((SITEMAP, "loc")))
        .map(|n| n.text().unwrap_or_default().to_string())
        .collect()
}

/// The `<link rel="alternate" type="application/atom+xml">` hrefs in a page's `<head>`.
fn feed_links(html: &str) -> Vec<String> {
    let head = &html[..html.find("</head>").expect("a page has a head")];
    head.split('<')
        .filter(|tag| tag.starts_with("link rel=\"alternate\" type=\"application/atom+xml\""))
        .flat_map(|tag| attrs(&format!(" {tag}"), "href"))
        .collect()
}

/// Three dated incidents on two services, one undated, and a title that needs escaping.
fn archive() -> Site {
    Site::new()
        .config(&format!(
            "title = \"Ops & <Reliability>\"\nbase_url = \"{BASE}\"\n"
        ))
        .file(
            "content/cache.md",
            postmortem(
                "'\"Cache\" <miss> & storm'",
                "started_at: 2024-03-03T10:00:00Z\nresolved_at: 2024-03-03T12:30:00Z\n\
                 severity: SEV2\nservices: [redis-cache, web-app]\nroot_cause: caching\n\
                 authors: [Ana Ruiz, Bo Chen]\n\
                 summary: \"The *cache* expired all at once & the database took the load.\"\n\
                 impact: Checkout was slow for 2 hours.\n",
            ),
        )
        .file(
            "content/billing.md",
            postmortem(
                "Billing run failed",
                "started_at: 2024-02-01T08:00:00Z\nservices: [billing-api]\n",
            ),
        )
        .file(
            "content/stale.md",
            postmortem(
                "Stale cache entries",
                "started_at: 2023-11-20T09:00:00+01:00\nservices: [redis-cache]\n",
            ),
        )
        .file(
            "content/undated.md",
            postmortem("A note without dates", "services: [redis-cache]\n"),
        )
}

/// The as-of date of the feed tests, and the date undated entries get from it.
const AS_OF: &str = "2024-06-01";
const AS_OF_TIME: &str = "2024-06-01T00:00:00Z";

#[test]
fn site_feed_lists_incidents_newest_first_as_valid_atom() {
    let build = archive().build_with(&["--as-of", AS_OF]);
    build.assert_code(0);
    let feed = parse_feed(&build.page("feed.xml"));
    assert_eq!(feed.title, "Ops & <Reliability>");
    assert_eq!(feed.id, format!("{BASE}feed.xml"));
    assert_eq!(feed.self_link, format!("{BASE}feed.xml"));
    assert_eq!(feed.page_link, BASE);
    assert_eq!(
        feed.titles(),
        [
            "A note without dates",
            TITLE,
            "Billing run failed",
            "Stale cache entries"
        ],
        "newest first; the undated incident is dated by the as-of date"
    );
    assert_eq!(
        feed.updated, AS_OF_TIME,
        "the feed is as new as its newest entry"
    );
    let undated = &feed.entries[0];
    assert_eq!(undated.updated, AS_OF_TIME);
    assert_eq!(
        undated.summary.as_deref(),
        Some(
            "The postmortem records no date; this entry is dated 2024-06-01, the date the site was built for."
        )
    );
    let cache = &feed.entries[1];
    assert_eq!(
        *cache,
        Entry {
            title: TITLE.into(),
            link: format!("{BASE}incidents/cache/"),
            id: format!("{BASE}incidents/cache/"),
            updated: "2024-03-03T12:30:00Z".into(),
            authors: vec!["Ana Ruiz".into(), "Bo Chen".into()],
            categories: vec![
                (format!("{BASE}severities/"), "SEV2".into(), "Major".into()),
                (
                    format!("{BASE}services/"),
                    "redis-cache".into(),
                    "redis-cache".into()
                ),
                (
                    format!("{BASE}services/"),
                    "web-app".into(),
                    "web-app".into()
                ),
                (format!("{BASE}causes/"), "caching".into(), "Caching".into()),
            ],
            summary: Some(
                "The cache expired all at once & the database took the load.\n\n\
                 Impact: Checkout was slow for 2 hours."
                    .into()
            ),
        }
    );
    // Times are written in UTC, from the postmortem's own times.
    assert_eq!(feed.entries[3].updated, "2023-11-20T08:00:00Z");
    assert_eq!(feed.entries[2].summary, None);
    // Every entry links to a page that exists.
    for entry in &feed.entries {
        let path = entry.link.strip_prefix(BASE).expect("an absolute link");
        assert!(build.has(path), "{path}");
    }
}

#[test]
fn service_feeds_hold_only_their_service_and_pages_link_to_them() {
    let build = archive().build_with(&["--as-of", AS_OF]);
    let redis = parse_feed(&build.page("services/redis-cache/feed.xml"));
    assert_eq!(
        redis.titles(),
        ["A note without dates", TITLE, "Stale cache entries"]
    );
    assert_eq!(redis.id, format!("{BASE}services/redis-cache/feed.xml"));
    assert_eq!(redis.page_link, format!("{BASE}services/redis-cache/"));
    assert_eq!(redis.title, "Service: redis-cache · Ops & <Reliability>");
    let billing = parse_feed(&build.page("services/billing-api/feed.xml"));
    assert_eq!(billing.titles(), ["Billing run failed"]);
    assert_eq!(billing.updated, "2024-02-01T08:00:00Z");

    // A service's page announces the site feed and its own; other pages only the first.
    let page = build.page("services/redis-cache/");
    assert_eq!(
        feed_links(&page),
        ["../../feed.xml", "../../services/redis-cache/feed.xml"]
    );
    assert!(
        attrs(&page, "href").contains(&"../../services/redis-cache/feed.xml".to_string()),
        "a visible link to the feed"
    );
    assert_eq!(feed_links(&build.page("")), ["./feed.xml"]);
    assert_eq!(
        feed_links(&build.page("incidents/cache/")),
        ["../../feed.xml"]
    );
    assert_eq!(
        feed_links(&build.page("causes/caching/")),
        ["../../feed.xml"]
    );
    assert!(!build.has("causes/caching/feed.xml"));
}

#[test]
fn the_feed_limit_keeps_the_newest_and_zero_turns_feeds_off() {
    let site = archive().config(&format!("base_url = \"{BASE}\"\n[feeds]\nlimit = 2\n"));
    let build = site.build_with(&["--as-of", AS_OF]);
    let feed = parse_feed(&build.page("feed.xml"));
    assert_eq!(feed.titles(), ["A note without dates", TITLE]);

    let build = site
        .config(&format!("base_url = \"{BASE}\"\n[feeds]\nlimit = 0\n"))
        .build();
    build.assert_code(0);
    let feeds: Vec<String> = build
        .pages()
        .into_iter()
        .filter(|p| p.ends_with("feed.xml"))
        .collect();
    assert_eq!(feeds, Vec::<String>::new());
    assert_eq!(
        feed_links(&build.page("services/redis-cache/")),
        Vec::<String>::new()
    );
    assert!(
        build.has("sitemap.xml"),
        "the sitemap does not depend on feeds"
    );
}

#[test]
fn without_a_host_there_are_no_feeds_and_no_sitemap() {
    let build = archive()
        .config("title = \"Ops\"\nbase_url = \"/pm/\"\n")
        .build();
    build.assert_code(0);
    assert!(!build.has("feed.xml"));
    assert!(!build.has("services/redis-cache/feed.xml"));
    assert!(!build.has("sitemap.xml"));
    assert_eq!(
        feed_links(&build.page("services/redis-cache/")),
        Vec::<String>::new()
    );
    assert_eq!(build.page("robots.txt"), "User-agent: *\nDisallow:\n");
}

#[test]
fn sitemap_lists_every_page_by_its_canonical_url() {
    let build = build_example(&["--base-url", "https://intranet.example/eng/postmortems"]);
    let base = "https://intranet.example/eng/postmortems/";
    let urls = sitemap_urls(&build.page("sitemap.xml"));
    let mut sorted = urls.clone();
    sorted.sort();
    assert_eq!(urls, sorted, "sorted");
    let mut expected: Vec<String> = build
        .pages()
        .into_iter()
        // The listings by name point at their overview, which the sitemap lists.
        .filter(|p| p.ends_with(".html") && p != "404.html" && !p.ends_with("/by-name.html"))
        .map(|page| {
            let url = canonical(&build.page(&page)).unwrap_or_else(|| panic!("{page}"));
            assert!(url.starts_with(base), "{url}");
            url
        })
        .collect();
    expected.sort();
    assert_eq!(urls, expected);
    assert!(urls.contains(&format!("{base}trends/")));
    assert!(urls.contains(&base.to_string()));
    assert_eq!(
        build.page("robots.txt"),
        format!("User-agent: *\nDisallow:\n\nSitemap: {base}sitemap.xml\n")
    );
    let no_meta = build
        .pages()
        .into_iter()
        .filter(|p| p.ends_with(".html"))
        .filter(|p| build.page(p).contains("name=\"robots\""))
        .count();
    assert_eq!(no_meta, 0, "pages are indexable unless noindex is set");
}

#[test]
fn noindex_turns_crawlers_away_from_every_page() {
    let build = archive()
        .config(&format!(
            "base_url = \"{BASE}\"\n[publish]\nnoindex = true\n"
        ))
        .build();
    build.assert_code(0);
    assert_eq!(build.page("robots.txt"), "User-agent: *\nDisallow: /\n");
    assert!(
        !build.has("sitemap.xml"),
        "no sitemap for a site not to be indexed"
    );
    let pages: Vec<String> = build
        .pages()
        .into_iter()
        .filter(|p| p.ends_with(".html"))
        .collect();
    assert!(pages.len() > 10);
    for page in &pages {
        let html = build.page(page);
        let head = &html[..html.find("</head>").unwrap()];
        assert!(
            head.contains("<meta name=\"robots\" content=\"noindex\">"),
            "{page}"
        );
    }
    assert!(
        build.has("feed.xml"),
        "internal readers still get their feeds"
    );
}

/// `hindsight build` of the bundled example with `SOURCE_DATE_EPOCH` set, into `out`.
fn build_example_at(epoch: &str, out: &Path) {
    let output = Command::new(env!("CARGO_BIN_EXE_hindsight"))
        .args(["build", "--base-url", BASE, "--output"])
        .arg(out)
        .current_dir(repo_root())
        .env("SOURCE_DATE_EPOCH", epoch)
        .output()
        .expect("run the hindsight binary");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn publishing_files_are_reproducible_and_independent_of_the_build_date() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, later) = (
        dir.path().join("a"),
        dir.path().join("b"),
        dir.path().join("later"),
    );
    build_example_at("1717200000", &a);
    build_example_at("1717200000", &b);
    // Ten years on: the as-of date moves, which changes the trend figures, but not a
    // feed, the sitemap or robots.txt (every postmortem of the example has a date; an
    // undated one's entry would be dated by the as-of date).
    build_example_at("2032713600", &later);
    let (a, b, later) = (tree(&a), tree(&b), tree(&later));
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "same files"
    );
    for (path, bytes) in &a {
        assert!(*bytes == b[path], "{path} differs between two builds");
    }
    let publishing =
        |path: &str| path.ends_with("feed.xml") || path == "sitemap.xml" || path == "robots.txt";
    let files: Vec<&String> = a.keys().filter(|p| publishing(p)).collect();
    assert!(files.len() > 10, "{files:?}");
    for path in files {
        assert!(a[path] == later[path], "{path} depends on the build date");
    }
}

/// Every feed of a build parses; used on the example, whose text is real prose.
#[test]
fn every_feed_of_the_example_is_valid() {
    let build = build_example(&["--base-url", BASE]);
    let feeds: Vec<String> = build
        .pages()
        .into_iter()
        .filter(|p| p.ends_with("feed.xml"))
        .collect();
    assert!(feeds.len() > 5, "{feeds:?}");
    for path in &feeds {
        let feed = parse_feed(&build.page(path));
        assert!(!feed.entries.is_empty(), "{path}");
        let ids: std::collections::BTreeSet<&str> =
            feed.entries.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids.len(), feed.entries.len(), "{path}: ids are unique");
        let mut dates: Vec<&str> = feed.entries.iter().map(|e| e.updated.as_str()).collect();
        assert_eq!(
            feed.updated,
            dates.iter().max().unwrap().to_string(),
            "{path}"
        );
        dates.retain(|d| d.len() == "2024-01-01T00:00:00Z".len() && d.ends_with('Z'));
        assert_eq!(dates.len(), feed.entries.len(), "{path}: RFC 3339 in UTC");
    }
}
