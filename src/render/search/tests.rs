//! Unit tests of the search index: a few postmortems in, the files read back through the
//! reference search ([`query`]) and checked for what a visitor would get.

use std::collections::HashSet;

use super::docs::block_count;
use super::incremental::Moved;
use super::query::{Query, SearchData};
use super::*;
use crate::testing::site_of;

/// A site of postmortems named by their slug: `(slug, front matter lines, body)`.
fn site(files: &[(&str, &str, &str)]) -> Site {
    let files: Vec<(&str, String)> = files
        .iter()
        .map(|(slug, fields, body)| (*slug, format!("---\n{fields}\n---\n{body}\n")))
        .collect();
    site_of("", &files)
}

/// [`site`] of files made as strings.
fn owned_site(files: &[(String, String, String)]) -> Site {
    let borrowed: Vec<(&str, &str, &str)> = files
        .iter()
        .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
        .collect();
    site(&borrowed)
}

/// The files of a full build of `site`, by path.
fn full_build(site: &Site) -> std::collections::BTreeMap<String, Vec<u8>> {
    pages(site).into_iter().map(|p| (p.path, p.bytes)).collect()
}

/// `files` after `update` is written to them.
fn apply(files: &mut std::collections::BTreeMap<String, Vec<u8>>, update: SearchUpdate) {
    for path in &update.stale {
        files.remove(path);
    }
    for page in update.pages {
        files.insert(page.path, page.bytes);
    }
}

/// The slugs of the results of `text` with `filters`, best first.
fn search(site: &Site, data: &SearchData, text: &str, filters: &[(&str, &str)]) -> Vec<String> {
    let query = Query {
        text: text.to_string(),
        filters: filters
            .iter()
            .map(|(param, value)| (param.to_string(), vec![value.to_string()]))
            .collect(),
        ..Query::default()
    };
    data.run(&query)
        .results
        .iter()
        .map(|&p| site.incidents[p as usize].slug.clone())
        .collect()
}

fn fixture() -> Site {
    site(&[
        (
            "db-failover",
            "title: Postgres primary failover\nstarted_at: 2024-03-01T10:00:00Z\nresolved_at: 2024-03-01T11:00:00Z\nseverity: SEV1\nservices: [postgres-primary, api-gateway]\nroot_cause: database\ntags: [failover]",
            "The replica lagged behind.",
        ),
        (
            "cache-stampede",
            "title: Cache stampede after deploy\nstarted_at: 2024-05-01T10:00:00Z\nresolved_at: 2024-05-01T10:30:00Z\nseverity: SEV2\nservices: [redis-cache]\nroot_cause: caching",
            "Keys expired together; postgres saw the load spike.",
        ),
        (
            "old-postgres",
            "title: Slow queries\nstarted_at: 2021-01-10T10:00:00Z\nresolved_at: 2021-01-10T12:00:00Z\nseverity: SEV2\nservices: [postgres-primary]\nroot_cause: database",
            "A missing index on postgresql 13.",
        ),
        (
            "gateway-certs",
            "title: Expired certificate on the gateway\nstarted_at: 2023-07-01T10:00:00Z\nseverity: SEV3\nservices: [api-gateway]\nroot_cause: expired certificate\nsummary: \"</script><script>alert('x')</script> & \\\"quotes\\\"\"",
            "Clients saw TLS errors.",
        ),
    ])
}

fn data(site: &Site) -> SearchData {
    SearchData::from_pages(&pages(site)).expect("the index reads back")
}

#[test]
fn prefixes_find_longer_terms_from_three_characters() {
    let site = fixture();
    let data = data(&site);
    let postgres = search(&site, &data, "postg", &[]);
    // Title and service matches first; the body match last.
    assert_eq!(postgres, ["db-failover", "old-postgres", "cache-stampede"]);
    // Two characters match only a whole term.
    assert!(search(&site, &data, "po", &[]).is_empty());
    let (terms, _) = data.matching_terms("postg");
    let names: Vec<&str> = terms.iter().map(|(t, _)| t.term.as_str()).collect();
    assert_eq!(names, ["postgres", "postgres-primary", "postgresql"]);
}

#[test]
fn ranking_puts_title_and_facet_matches_before_the_body_then_newest_first() {
    let site = fixture();
    let data = data(&site);
    // "postgres" is in db-failover's title and in both databases' services, but only in
    // the body of cache-stampede.
    assert_eq!(
        search(&site, &data, "postgres", &[]),
        ["db-failover", "old-postgres", "cache-stampede"]
    );
    // A service name, whole: the two incidents of api-gateway, newest first (a tie).
    assert_eq!(
        search(&site, &data, "api-gateway", &[]),
        ["db-failover", "gateway-certs"]
    );
    // Every word must match.
    assert_eq!(
        search(&site, &data, "gateway expired", &[]),
        ["gateway-certs"]
    );
    assert!(search(&site, &data, "gateway stampede", &[]).is_empty());
}

#[test]
fn an_empty_query_with_filters_lists_every_match_newest_first() {
    let site = fixture();
    let data = data(&site);
    assert_eq!(
        search(&site, &data, "", &[("service", "postgres-primary")]),
        ["db-failover", "old-postgres"]
    );
    assert_eq!(
        search(
            &site,
            &data,
            "",
            &[("service", "postgres-primary"), ("severity", "SEV2")]
        ),
        ["old-postgres"]
    );
    assert_eq!(search(&site, &data, "", &[]).len(), 4);
}

#[test]
fn facet_counts_leave_out_their_own_facet() {
    let site = fixture();
    let data = data(&site);
    let query = Query {
        filters: vec![("severity".into(), vec!["sev2".into()])],
        ..Query::default()
    };
    let answer = data.run(&query);
    let count = |param: &str, slug: &str| {
        let f = data.facets.iter().position(|f| f.param == param).unwrap();
        let t = data.facets[f].terms.iter().position(|t| t.1 == slug);
        t.map_or(0, |t| answer.counts[f][t])
    };
    // Severity counts ignore the severity filter: they say what choosing another gives.
    assert_eq!(
        (count("severity", "sev1"), count("severity", "sev2")),
        (1, 2)
    );
    // Other facets count within the SEV2 results.
    assert_eq!(count("service", "postgres-primary"), 1);
    assert_eq!(count("service", "redis-cache"), 1);
    assert_eq!(count("service", "api-gateway"), 0);
}

#[test]
fn shards_hold_sorted_terms_and_their_heads() {
    let site = fixture();
    let data = data(&site);
    let terms: Vec<&str> = data
        .shards
        .iter()
        .flatten()
        .map(|t| t.term.as_str())
        .collect();
    let mut sorted = terms.clone();
    sorted.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
    assert_eq!(terms, sorted);
    for (head, shard) in data.shard_heads.iter().zip(&data.shards) {
        assert_eq!(Some(head), shard.first().map(|t| &t.term));
    }
    let find = |term: &str| {
        data.shards
            .iter()
            .flatten()
            .find(|t| t.term == term)
            .unwrap()
    };
    let gateway = find("api-gateway");
    assert_eq!(gateway.all.len(), 2);
    assert_eq!(gateway.fields[Field::Services as usize].len(), 2);
    assert!(gateway.fields[Field::Title as usize].is_empty());
    // "expired" is in gateway-certs's title and cause, and cache-stampede's body.
    let expired = find("expired");
    assert_eq!(expired.all.len(), 2);
    assert_eq!(expired.fields[Field::Title as usize].len(), 1);
    assert_eq!(expired.fields[Field::Cause as usize].len(), 1);
}

/// 300 postmortems with many distinct terms; `edit` changes the body of one of them.
fn large_site(edit: Option<usize>) -> Site {
    large_site_dated(edit, None)
}

/// [`large_site`], with the incident `newer` started a month after the others (so first).
fn large_site_dated(edit: Option<usize>, newer: Option<usize>) -> Site {
    let files: Vec<(String, String, String)> = (0..300)
        .map(|i| {
            let body = if edit == Some(i) {
                "only new words: quokka w2x999999".to_string()
            } else {
                (0..40).map(|w| format!("w{}x{} ", i % 7, w * i)).collect()
            };
            (
                format!("incident-{i:03}"),
                format!(
                    "title: Incident number {i} word{i}\nstarted_at: 2024-{:02}-01T00:00:00Z",
                    if newer == Some(i) { 2 } else { 1 }
                ),
                body,
            )
        })
        .collect();
    owned_site(&files)
}

#[test]
fn an_edit_rewrites_only_the_shards_it_reaches_and_matches_a_full_build() {
    let before = large_site(None);
    let (mut index, first) = SearchIndex::build(&before);
    let shard_count = first.iter().filter(|p| p.path.contains("/t/")).count();
    let mut files: std::collections::BTreeMap<String, Vec<u8>> =
        first.into_iter().map(|p| (p.path, p.bytes)).collect();
    let after = large_site(Some(137));
    let position = after.slugs["incident-137"];
    let update = index.update(&after, Some(&[position]), Moved::default());
    let shards_written = update
        .pages
        .iter()
        .filter(|p| p.path.contains("/t/"))
        .count();
    assert!(
        shards_written > 0 && shards_written < shard_count / 2,
        "{shards_written} of {shard_count} shards rewritten"
    );
    apply(&mut files, update);
    let full = full_build(&after);
    assert_eq!(files.len(), full.len());
    for (path, bytes) in &full {
        assert!(files[path] == *bytes, "{path} differs from a full build");
    }
}

#[test]
fn large_sites_split_into_many_shards_that_all_read_back() {
    let site = large_site(None);
    let data = data(&site);
    assert!(data.shards.len() > 5, "{} shards", data.shards.len());
    // Each title word is found, through whichever shard holds it.
    for i in [0, 137, 299] {
        let found = search(&site, &data, &format!("word{i}"), &[]);
        assert_eq!(found, [format!("incident-{i:03}")]);
    }
    // A prefix spanning shards gathers from all of them.
    assert_eq!(search(&site, &data, "word", &[]).len(), 300);
}

#[test]
fn documents_come_in_blocks_of_consecutive_positions() {
    let site = large_site(None);
    let pages = pages(&site);
    let blocks: Vec<&str> = pages
        .iter()
        .filter_map(|p| p.path.strip_prefix("search/d/"))
        .collect();
    // 300 incidents: 18 full blocks of 16 and one of 12.
    assert_eq!(blocks.len(), 19, "{blocks:?}");
    for position in [0, 15, 16, 137, 287, 288, 299] {
        let doc = SearchData::doc_from_pages(&pages, position).expect("the record reads back");
        let incident = &site.incidents[position];
        assert_eq!(doc["title"], *incident.title, "position {position}");
        assert_eq!(doc["url"], format!("incidents/{}/", incident.slug));
    }
    assert!(SearchData::doc_from_pages(&pages, 300).is_err());
}

/// `meta.js` names the facets' values; their incident sets are in `f/<param>.js`, which
/// the page may load after the first results, so a result names its own severity,
/// services and root causes.
#[test]
fn facet_sets_are_files_of_their_own_and_results_name_their_values() {
    let site = fixture();
    let pages = pages(&site);
    let meta = pages.iter().find(|p| p.path == "search/meta.js").unwrap();
    let meta = String::from_utf8_lossy(&meta.bytes);
    for facet in Facet::ALL {
        let path = format!("search/f/{}.js", facet_param(facet));
        let file = pages.iter().find(|p| p.path == path).expect("a facet file");
        assert!(
            meta.contains(&format!("\"bytes\":{},", file.bytes.len())),
            "{path}"
        );
    }
    let data = data(&site);
    let position = site.slugs["db-failover"];
    let doc = SearchData::doc_from_pages(&pages, position).unwrap();
    let names = |param: &str| -> Vec<String> {
        let facet = data.facets.iter().find(|f| f.param == param).unwrap();
        let values = doc[param].as_array().cloned().unwrap_or_default();
        values
            .iter()
            .map(|v| {
                let (name, _, positions) = &facet.terms[v.as_u64().unwrap() as usize];
                assert!(positions.contains(&(position as u32)), "{param} {name}");
                name.clone()
            })
            .collect()
    };
    assert_eq!(names("severity"), ["SEV1 · Critical"]);
    let mut services = names("service");
    services.sort();
    assert_eq!(services, ["api-gateway", "postgres-primary"]);
    assert_eq!(names("cause"), ["Database"]);
}

#[test]
fn nothing_in_the_index_can_break_out_of_a_script() {
    let site = fixture();
    for page in pages(&site) {
        let text = String::from_utf8(page.bytes).unwrap();
        assert!(!text.contains('<') && !text.contains('>'), "{}", page.path);
        assert!(!text.contains('\u{2028}'), "{}", page.path);
    }
    let position = site.slugs["gateway-certs"];
    let fragment = docs::block_fragment(
        &site,
        &ResultTerms::new(&site),
        position..position + 1,
        &[&site.incidents[position].body.plain_text],
    );
    assert!(fragment.contains(r#""summary":"\u003c/script\u003e\u003cscript\u003ealert('x')"#));
    assert!(fragment.contains(r#"\u0026 \"quotes\""#));
}

#[test]
fn dates_are_days_in_the_site_time_zone() {
    let site = fixture();
    let data = data(&site);
    let position = site.slugs["gateway-certs"];
    let day = data.days[position].unwrap();
    assert_eq!(day_to_date(day).unwrap().to_string(), "2023-07-01");
    let query = Query {
        from_day: Some(day),
        ..Query::default()
    };
    assert_eq!(data.run(&query).results.len(), 3);
}

/// The fixture with one postmortem's text or fields changed, keeping every date.
fn edited(change: &str) -> Site {
    let mut files = [
        ("db-failover", "title: Postgres primary failover\nstarted_at: 2024-03-01T10:00:00Z\nresolved_at: 2024-03-01T11:00:00Z\nseverity: SEV1\nservices: [postgres-primary, api-gateway]\nroot_cause: database\ntags: [failover]".to_string(), "The replica lagged behind.".to_string()),
        ("cache-stampede", "title: Cache stampede after deploy\nstarted_at: 2024-05-01T10:00:00Z\nresolved_at: 2024-05-01T10:30:00Z\nseverity: SEV2\nservices: [redis-cache]\nroot_cause: caching".to_string(), "Keys expired together; postgres saw the load spike.".to_string()),
        ("old-postgres", "title: Slow queries\nstarted_at: 2021-01-10T10:00:00Z\nresolved_at: 2021-01-10T12:00:00Z\nseverity: SEV2\nservices: [postgres-primary]\nroot_cause: database".to_string(), "A missing index on postgresql 13.".to_string()),
    ];
    match change {
        "body" => files[1].2 = "Keys expired together; a brand-new zebra term.".into(),
        "fields" => {
            files[1].1 = files[1]
                .1
                .replace("[redis-cache]", "[redis-cache, api-gateway]")
                .replace("Cache stampede", "Thundering herd")
        }
        "date" => files[2].1 = files[2].1.replace("2021-01-10", "2024-09-10"),
        _ => {}
    }
    let borrowed: Vec<(&str, &str, &str)> = files
        .iter()
        .map(|(a, b, c)| (*a, b.as_str(), c.as_str()))
        .collect();
    site(&borrowed)
}

#[test]
fn the_incremental_index_writes_what_a_full_build_writes() {
    let before = edited("none");
    let mut state = SearchState::default();
    let mut first = state.refresh(&before, None).pages;
    first.sort_by(|a, b| a.path.cmp(&b.path));
    assert_eq!(
        first,
        pages(&before),
        "the kept index starts as a full build"
    );
    let mut files: std::collections::BTreeMap<String, Vec<u8>> =
        first.into_iter().map(|p| (p.path, p.bytes)).collect();
    // "date" moves the edited incident to the front: the index is renumbered.
    for change in ["body", "fields", "date", "none", "body"] {
        let after = edited(change);
        let source = &after.incidents[after.slugs["cache-stampede"]].source;
        let update = state.refresh(&after, Some(&HashSet::from([source.clone()])));
        apply(&mut files, update);
        let full = full_build(&after);
        assert_eq!(
            files.keys().collect::<Vec<_>>(),
            full.keys().collect::<Vec<_>>(),
            "after {change}"
        );
        for (path, bytes) in &full {
            assert_eq!(
                String::from_utf8_lossy(&files[path]),
                String::from_utf8_lossy(bytes),
                "{path} after {change}"
            );
        }
    }
}

#[test]
fn an_edit_that_reorders_renumbers_the_index_and_rewrites_what_moved() {
    let before = large_site(None);
    let mut state = SearchState::default();
    let first = state.refresh(&before, None).pages;
    let (all_files, blocks) = (first.len(), block_count(before.incidents.len()));
    let mut files: std::collections::BTreeMap<String, Vec<u8>> =
        first.into_iter().map(|p| (p.path, p.bytes)).collect();
    // Incident 137 becomes the newest: it and the 137 before it change places, the
    // 162 after it keep theirs.
    let after = large_site_dated(Some(137), Some(137));
    assert_eq!(after.slugs["incident-137"], 0);
    assert_eq!(after.slugs["incident-138"], 138);
    let source = &after.incidents[0].source;
    let update = state.refresh(&after, Some(&HashSet::from([source.clone()])));
    let written: Vec<&str> = update.pages.iter().map(|p| p.path.as_str()).collect();
    let blocks_written = written.iter().filter(|p| p.contains("/d/")).count();
    assert_eq!(blocks_written, 137 / DOC_BLOCK + 1, "{written:?}");
    assert!(blocks_written < blocks && written.len() < all_files);
    apply(&mut files, update);
    let full = full_build(&after);
    assert_eq!(
        files.keys().collect::<Vec<_>>(),
        full.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &full {
        assert!(files[path] == *bytes, "{path} differs from a full build");
    }
}

#[test]
fn terms_sort_as_javascript_compares_them() {
    use std::cmp::Ordering;
    // U+FF21 (fullwidth A) is after U+1F600 in UTF-8 and before it in UTF-16.
    assert_eq!(super::utf16_cmp("\u{ff21}", "\u{1f600}"), Ordering::Greater);
    assert_eq!("\u{ff21}".cmp("\u{1f600}"), Ordering::Less);
    assert_eq!(super::utf16_cmp("abc", "abd"), Ordering::Less);
    assert_eq!(super::utf16_cmp("zürich", "zurich"), Ordering::Greater);
    // The first eight bytes order terms as the whole terms do, where they decide.
    let terms = [
        "zurich",
        "zü",
        "zürich",
        "ab",
        "abcdefghi",
        "abcdefghj",
        "\u{ff21}x",
        "\u{1f600}",
        "a",
        "\u{e000}",
        "\u{d7ff}",
        "x\u{ffff}",
        "x\u{10000}",
        "abcdefgh\u{ff21}",
    ];
    let mut decided = 0;
    for a in &terms {
        for b in &terms {
            if let Some(order) = super::utf8_prefix_order(a.as_bytes(), b.as_bytes()) {
                assert_eq!(order, super::utf16_cmp(a, b), "{a} against {b}");
                decided += 1;
            }
        }
    }
    assert!(decided > 50, "{decided}");
    assert_eq!(super::utf8_prefix_order(b"abcdefghi", b"abcdefghj"), None);
    assert_eq!(
        super::utf8_prefix_order("\u{ff21}".as_bytes(), "\u{1f600}".as_bytes()),
        None
    );
}

/// The one number `search.js` keeps itself is the format's version; every rule it applies
/// comes from `meta.js`, so a change of a constant here reaches the browser.
#[test]
fn the_script_takes_its_rules_from_the_index() {
    let script = include_str!("../../../themes/default/static/search.js");
    let version = format!("var FORMAT_VERSION = {FORMAT_VERSION};");
    assert!(script.contains(&version), "search.js must say {version}");
    for rule in [
        "PREFIX_MIN_CHARS",
        "MAX_TERM_CHARS",
        "FIELD_WEIGHTS",
        "NO_DAY",
        "DOC_BLOCK",
    ] {
        let written = format!("{rule} = ");
        let set = script.matches(&written).count();
        assert_eq!(
            set, 1,
            "search.js sets {rule} {set} times (once, in useRules)"
        );
        assert!(script.contains(&format!("{rule} = rules.")), "{rule}");
    }
    let site = site(&[("a", "title: A\nstarted_at: 2024-01-02T00:00:00Z", "")]);
    let meta = pages(&site)
        .into_iter()
        .find(|p| p.path == "search/meta.js")
        .map(|p| String::from_utf8(p.bytes).unwrap())
        .unwrap();
    let rules = format!(
        "\"rules\":{{\"prefixMinChars\":{},\"maxTermChars\":{},\"fields\":\"TSCGM\",\"fieldWeights\":[16,12,12,8,6],",
        query::PREFIX_MIN_CHARS,
        tokenize::MAX_TERM_CHARS
    );
    assert!(meta.contains(&rules), "{meta}");
    assert!(
        meta.contains(&format!(
            "\"epoch\":\"1900-01-01\",\"noDay\":262143,\"docBlock\":16,\"eagerFacetBytes\":{EAGER_FACET_BYTES}}}"
        )),
        "{meta}"
    );
}

/// `count` postmortems sharing a few words, each with words of its own, and the same
/// word in every title, so terms reach across runs of every length.
fn sized_site(count: usize) -> Site {
    let files: Vec<(String, String, String)> = (0..count)
        .map(|i| {
            let body: String = (0..30)
                .map(|w| format!("w{}x{} ", i % 7, w * (i % 50)))
                .chain([format!("own{i} outage")])
                .collect();
            (
                format!("incident-{i:04}"),
                format!("title: Incident {i} word\nstarted_at: 2024-01-01T00:00:00Z"),
                body,
            )
        })
        .collect();
    owned_site(&files)
}

/// The index of `site`, its terms set aside every `every` incidents in memory; with how
/// many runs were set aside.
fn spilled_pages(site: &Site, every: usize) -> (Vec<Page>, usize) {
    let pages = std::sync::Mutex::new(Vec::new());
    let runs = std::sync::atomic::AtomicUsize::new(0);
    let scratch = || {
        runs.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let file: Box<dyn crate::render::Scratch> = Box::new(std::io::Cursor::new(Vec::new()));
        Some(Ok(file))
    };
    let spill = Spill {
        scratch: &scratch,
        failed: |e| e.to_string(),
        every,
    };
    let sink = |page| {
        pages.lock().unwrap().push(page);
        Ok::<(), String>(())
    };
    write_each_with(site, held_text(site), sink, Some(spill)).unwrap();
    let mut pages = pages.into_inner().unwrap();
    pages.sort_by(|a, b| a.path.cmp(&b.path));
    (pages, runs.into_inner())
}

#[test]
fn terms_set_aside_in_runs_write_the_index_held_in_memory() {
    let site = sized_site(2 * CHUNK + 40);
    let whole = pages(&site);
    // Two runs set aside (after 256 and 512 incidents), the last 40 merged from memory.
    let (spilled, runs) = spilled_pages(&site, CHUNK);
    assert_eq!(runs, 2);
    assert_eq!(spilled.len(), whole.len());
    for (a, b) in whole.iter().zip(&spilled) {
        assert_eq!(a.path, b.path);
        assert!(
            a.bytes == b.bytes,
            "{} differs when runs are set aside",
            a.path
        );
    }
    // The merged postings read back: a word of every incident finds them all, one of
    // a single incident finds it alone.
    let data = SearchData::from_pages(&spilled).expect("the index reads back");
    assert_eq!(search(&site, &data, "outage", &[]).len(), 2 * CHUNK + 40);
    assert_eq!(search(&site, &data, "own300", &[]), ["incident-0300"]);
    // An archive within one run sets nothing aside.
    assert_eq!(spilled_pages(&site, 4 * CHUNK).1, 0);
}

/// A scratch file whose writes fail, as on a full disk.
struct FullDisk;

impl std::io::Read for FullDisk {
    fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
        Ok(0)
    }
}

impl std::io::Write for FullDisk {
    fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
        Err(std::io::Error::other("no space left on device"))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl std::io::Seek for FullDisk {
    fn seek(&mut self, _: std::io::SeekFrom) -> std::io::Result<u64> {
        Ok(0)
    }
}

#[test]
fn a_scratch_file_that_fails_fails_the_index_with_its_reason() {
    let site = sized_site(CHUNK + 10);
    let scratch = || Some(Ok(Box::new(FullDisk) as Box<dyn crate::render::Scratch>));
    let spill = Spill {
        scratch: &scratch,
        failed: |e| format!("scratch: {e}"),
        every: CHUNK,
    };
    let result = write_each_with(&site, held_text(&site), |_| Ok(()), Some(spill));
    assert_eq!(result, Err("scratch: no space left on device".to_string()));
}
