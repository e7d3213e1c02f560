//! Search, as the built site holds it: the search page, the box in every header, the index
//! files read back through the reference search, facet counts against the facet pages,
//! hostile titles, and the `[search] enabled = false` switch.

use hindsight::render::search::query::{Query, SearchData};

use crate::support::{Site, build_example, overview_rows, postmortem, text};

#[test]
fn the_example_has_a_search_page_a_header_box_and_an_index() {
    let build = build_example(&[]);
    let page = build.page("search/");
    assert!(page.contains(r#"<input id="search-q" name="q" type="search""#));
    assert!(page.contains(r#"<script src="../static/search.js" defer>"#));
    // Without JavaScript the page says so and links every facet.
    let noscript = &page[page.find("<noscript>").unwrap()..page.find("</noscript>").unwrap()];
    assert!(text(noscript).contains("Search needs JavaScript"));
    for facet in [
        "services",
        "causes",
        "durations",
        "severities",
        "years",
        "tags",
    ] {
        assert!(
            noscript.contains(&format!(r#"href="../{facet}/""#)),
            "{facet}"
        );
    }
    // Every other page has the header box, which searches from the search page.
    let home = build.page("");
    assert!(
        home.contains(
            r#"<form class="site-search" role="search" action="./search/" method="get">"#
        )
    );
    let incident = build.page("incidents/web-app-caching-layer-outage/");
    assert!(incident.contains(r#"action="../../search/""#));
    assert!(incident.contains(r#"<script src="../../static/hindsight.js" defer>"#));
    assert!(
        !page.contains("site-search-q"),
        "the search page has its own box"
    );
    assert!(build.has("static/search.js") && build.has("static/hindsight.js"));
}

#[test]
fn facet_counts_in_the_index_are_the_counts_on_the_facet_pages() {
    let build = build_example(&[]);
    let data = SearchData::from_dir(&build.out).expect("the index reads back");
    let everything = data.run(&Query::default());
    assert_eq!(everything.results.len(), data.count as usize);
    for (f, facet) in data.facets.iter().enumerate() {
        let path = match facet.param.as_str() {
            "service" => "services/",
            "cause" => "causes/",
            "duration" => "durations/",
            "severity" => "severities/",
            "year" => "years/",
            "tag" => "tags/",
            other => panic!("unknown facet {other}"),
        };
        let rows = overview_rows(&build.page(path));
        for (t, (name, slug, _)) in facet.terms.iter().enumerate() {
            let on_page = rows.iter().find(|(n, _)| n == name).map(|(_, c)| *c);
            let count = everything.counts[f][t] as usize;
            if count > 0 || on_page.is_some() {
                assert_eq!(on_page, Some(count), "{} {name} ({slug})", facet.param);
            }
        }
    }
}

#[test]
fn the_seed_is_found_by_its_prose() {
    let build = build_example(&[]);
    let data = SearchData::from_dir(&build.out).expect("the index reads back");
    let query = Query {
        text: "caching layer".into(),
        ..Query::default()
    };
    let results = data.run(&query).results;
    let first = results.first().copied().expect("a result") as usize;
    let doc = SearchData::doc_from_dir(&build.out, first).expect("its record reads back");
    assert_eq!(
        doc["url"], "incidents/web-app-caching-layer-outage/",
        "{doc}"
    );
}

#[test]
fn hostile_titles_stay_inside_their_strings() {
    let title = r#"'</script><script>alert("x")</script> \u2028 & "quotes"'"#;
    let build = Site::new()
        .file(
            "content/hostile.md",
            postmortem(
                title,
                "started_at: 2024-01-01T00:00:00Z\nservices: ['</script>']\n",
            ),
        )
        .build();
    build.assert_code(0);
    for path in build.pages() {
        if path.starts_with("search/") && path.ends_with(".js") {
            let js = std::fs::read_to_string(build.out.join(&path)).unwrap();
            assert!(!js.contains('<') && !js.contains('>'), "{path}: {js}");
        }
    }
    let data = SearchData::from_dir(&build.out).expect("the index reads back");
    let query = Query {
        text: "alert quotes".into(),
        ..Query::default()
    };
    assert_eq!(data.run(&query).results, [0]);
    let doc = SearchData::doc_from_dir(&build.out, 0).expect("valid JSON in a docs call");
    assert_eq!(
        doc["title"],
        r#"</script><script>alert("x")</script> \u2028 & "quotes""#
    );
}

#[test]
fn search_can_be_turned_off() {
    let build = Site::new()
        .config("[search]\nenabled = false\n")
        .file(
            "content/a.md",
            postmortem("A", "started_at: 2024-01-01T00:00:00Z\n"),
        )
        .build();
    build.assert_code(0);
    assert!(!build.has("search/index.html") && !build.has("search/meta.js"));
    assert!(!build.page("").contains("site-search"));
}
