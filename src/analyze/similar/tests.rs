use super::find::SHARED_SHOWN;
use super::terms::{STOP_WORDS, stem, terms};
use super::*;
use crate::analyze::site::Site;
use crate::testing::site_of;

/// A postmortem with front matter `fields` and body `body`, titled `title`.
fn file(title: &str, fields: &str, body: &str) -> String {
    format!("---\ntitle: {title}\n{fields}\n---\n{body}\n")
}

/// An archive about several things, so that common words weigh little: two incidents
/// about one database failover (other services, other causes), one about certificates,
/// and fillers.
fn archive(extra: &[(&str, String)]) -> Site {
    let mut files: Vec<(&str, String)> = vec![
        (
            "a-orders-db",
            file(
                "Orders database failover left replicas lagging",
                "services: [orders]\nroot_cause: hardware\nsummary: The primary Postgres failed over and replication lag grew",
                "The Postgres primary lost its disk. Failover promoted a replica, but replication lag on the other replicas reached minutes and reads were stale.",
            ),
        ),
        (
            "b-billing-db",
            file(
                "Billing reads stale after Postgres failover",
                "services: [billing]\nroot_cause: config-change\nsummary: Replication lag after a failover of the billing Postgres cluster",
                "A configuration push restarted the Postgres primary. The failover worked; replication to the replicas lagged and billing read stale rows.",
            ),
        ),
        (
            "c-cert",
            file(
                "Expired TLS certificate on the edge",
                "services: [edge]\nroot_cause: certificate-expiry",
                "The wildcard certificate expired at midnight. Browsers refused the handshake until a renewed certificate was deployed.",
            ),
        ),
    ];
    let fillers = [
        "A deploy shipped a bad feature flag; checkout errors until rollback.",
        "DNS resolver timeouts in one zone; queries retried and succeeded slowly.",
        "A cron job filled the disk of the logging hosts with debug output.",
        "Memory leak in the image resizer; pods were killed and restarted in a loop.",
    ];
    let names = ["f1", "f2", "f3", "f4"];
    for (name, body) in names.iter().zip(fillers) {
        files.push((name, file(&format!("Filler {name}"), "", body)));
    }
    files.extend(extra.iter().cloned());
    site_of("", &files)
}

fn listed<'a>(site: &'a Site, slug: &str) -> Vec<(&'a str, Vec<&'a str>)> {
    site.index.similar[site.slugs[slug]]
        .iter()
        .map(|s| {
            (
                site.incidents[s.position].slug.as_str(),
                s.shared.iter().collect(),
            )
        })
        .collect()
}

#[test]
fn the_same_failover_is_similar_across_services_and_causes() {
    let site = archive(&[]);
    let a = listed(&site, "a-orders-db");
    assert_eq!(a.len(), 1, "{a:?}");
    let (slug, shared) = &a[0];
    assert_eq!(*slug, "b-billing-db");
    for word in ["failover", "replication", "postgres"] {
        assert!(shared.contains(&word), "{word} in {shared:?}");
    }
    // Shown as the page's own incident writes them, heaviest first, at most five.
    assert!(shared.len() <= SHARED_SHOWN);
    let b = listed(&site, "b-billing-db");
    assert_eq!(b.iter().map(|l| l.0).collect::<Vec<_>>(), ["a-orders-db"]);
}

#[test]
fn an_unrelated_incident_is_not_listed_to_fill_places() {
    let site = archive(&[]);
    assert_eq!(listed(&site, "c-cert"), []);
    assert!(
        site.index
            .similar
            .iter()
            .flatten()
            .all(|s| site.incidents[s.position].slug != "c-cert")
    );
}

#[test]
fn related_incidents_are_not_listed_again() {
    // Both name the other as related (one explicitly, one by a shared service).
    let twin = file(
        "Orders Postgres failover and replication lag again",
        "services: [orders]\nrelated: [b-billing-db]",
        "Failover of the orders Postgres primary; replication lag on replicas.",
    );
    let site = archive(&[("d-twin", twin)]);
    let d = site.slugs["d-twin"];
    let related = &site.index.related[d];
    assert!(related.contains(&site.slugs["b-billing-db"]));
    assert!(related.contains(&site.slugs["a-orders-db"]));
    for (position, similar) in site.index.similar.iter().enumerate() {
        for s in similar {
            assert!(s.position != position);
            assert!(
                !site.index.related[position].contains(&s.position),
                "{} lists related {} as similar",
                site.incidents[position].slug,
                site.incidents[s.position].slug
            );
        }
    }
    assert!(listed(&site, "d-twin").is_empty());
    // Not related to b by its own facets, a still finds it similar.
    assert_eq!(listed(&site, "a-orders-db")[0].0, "b-billing-db");
}

#[test]
fn lists_are_the_same_whatever_the_threads() {
    let site = archive(&[]);
    let config = SimilarConfig::default();
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a thread pool");
        pool.install(|| build(&config, &site.incidents, &site.index.related))
    };
    let one = run(1);
    assert_eq!(one, run(4));
    assert_eq!(one, site.index.similar);
}

#[test]
fn ties_go_to_the_smaller_slug() {
    let same = |title: &str| {
        file(
            title,
            "",
            "Kafka consumer rebalance storm stalled ingestion pipelines.",
        )
    };
    let site = archive(&[
        ("z-kafka", same("Kafka rebalance")),
        ("y-kafka", same("Kafka rebalance")),
        ("x-kafka", same("Kafka rebalance")),
    ]);
    let z = listed(&site, "z-kafka");
    assert_eq!(
        z.iter().map(|l| l.0).collect::<Vec<_>>(),
        ["x-kafka", "y-kafka"]
    );
}

#[test]
fn disabled_or_a_high_threshold_lists_nothing() {
    let site = archive(&[]);
    for config in [
        SimilarConfig {
            enabled: false,
            ..SimilarConfig::default()
        },
        SimilarConfig {
            min_score: 1.0,
            ..SimilarConfig::default()
        },
    ] {
        let lists = build(&config, &site.incidents, &site.index.related);
        assert_eq!(lists.len(), site.incidents.len());
        assert!(lists.iter().all(Vec::is_empty), "{config:?}");
    }
}

/// The terms of `text`, as spelled, each with the spelling of its stem's identity.
fn check(text: &str, expect: &[&str]) {
    let mut seen = Vec::new();
    terms(text, |surface, _| seen.push(surface.to_string()));
    assert_eq!(seen, expect, "{text}");
}

#[test]
fn terms_drop_stop_words_numbers_and_ids() {
    check(
        "The API-Gateway failed over to eu-west-1c at 10:32 (INC-4211), v6.38.11",
        &["api-gateway", "failed"],
    );
    check("a db is ok; DNS -- lag_ms", &["dns", "lag_ms"]);
    check("Ünïcode Straße", &["ünïcode", "straße"]);
}

#[test]
fn plurals_share_a_term() {
    let id = |word: &str| {
        let mut ids = Vec::new();
        terms(word, |_, id| ids.push(id));
        ids
    };
    assert_eq!(id("failovers"), id("failover"));
    assert_eq!(id("queries"), id("query"));
    assert_eq!(id("processes"), id("process"));
    assert_ne!(id("status"), id("statu"));
    assert_eq!(stem("dns"), ("dns", ""));
    assert_eq!(stem("redis"), ("redis", ""));
}

#[test]
fn stop_words_are_sorted() {
    assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
    assert!(STOP_WORDS.iter().all(|w| w.len() <= 10));
}

/// Applies `edits` (position, new body) one batch after the other, through
/// `Model::update`, and checks after each that the lists are those computed anew with the
/// model's statistics, and that the positions it returns are those whose list changed.
fn check_updates(site: &Site, edits: &[Vec<(usize, String)>]) {
    let mut incidents = site.incidents.clone();
    let related = &site.index.related;
    let (mut model, mut lists) = Model::new(&SimilarConfig::default(), &incidents, related);
    assert_eq!(lists, site.index.similar);
    for batch in edits {
        for (position, body) in batch {
            incidents[*position].body.plain_text = body.clone();
        }
        let before = lists.clone();
        let edited: Vec<usize> = batch.iter().map(|(p, _)| *p).collect();
        let changes = Changes {
            edited: &edited,
            relisted: &[],
        };
        let mut changed = model.update(&incidents, related, changes, &mut lists);
        changed.sort_unstable();
        assert_eq!(
            lists,
            model.recomputed(&incidents, related),
            "after {edited:?}"
        );
        let differ: Vec<usize> = (0..lists.len())
            .filter(|&p| {
                let show = |l: &[Similar]| {
                    l.iter()
                        .map(|s| (s.position, s.shared.clone()))
                        .collect::<Vec<_>>()
                };
                show(&lists[p]) != show(&before[p])
            })
            .collect();
        assert_eq!(changed, differ, "after {edited:?}");
    }
}

#[test]
fn a_body_edit_updates_the_lists_it_reaches() {
    let site = archive(&[]);
    let at = |slug: &str| site.slugs[slug];
    let failover = "Postgres failover; replication lag on the replicas, stale reads.".to_string();
    let (f1, a) = (at("f1"), at("a-orders-db"));
    check_updates(
        &site,
        &[
            // A filler becomes about the failover, then is not any more.
            vec![(f1, failover.clone())],
            vec![(f1, "Nothing to see.".to_string())],
            // Two at once: the orders database loses its words, a filler takes them.
            vec![(a, "A quiet day.".to_string()), (f1, failover)],
        ],
    );
    // Without the model: the lists as first computed.
    let mut incidents = site.incidents.clone();
    incidents[f1].body.plain_text = "Postgres failover and replication lag.".to_string();
    let (mut model, mut lists) = Model::new(
        &SimilarConfig::default(),
        &site.incidents,
        &site.index.related,
    );
    let changes = Changes {
        edited: &[f1],
        relisted: &[],
    };
    let changed = model.update(&incidents, &site.index.related, changes, &mut lists);
    assert!(changed.contains(&a), "{changed:?}");
    assert!(lists[a].iter().any(|s| s.position == f1), "{:?}", lists[a]);
}

/// A pseudo-random archive of `n` incidents over a small vocabulary: many candidates per
/// incident, and terms kept by more incidents than the index follows.
fn random_archive(n: usize, seed: u64) -> (Site, impl FnMut() -> String) {
    const WORDS: &[&str] = &[
        "kafka",
        "broker",
        "partition",
        "consumer",
        "lag",
        "postgres",
        "replica",
        "failover",
        "disk",
        "certificate",
        "expiry",
        "handshake",
        "dns",
        "resolver",
        "timeout",
        "conntrack",
        "redis",
        "eviction",
        "memory",
        "cache",
        "stampede",
        "deploy",
        "canary",
        "rollback",
        "flag",
        "gateway",
        "throttle",
        "quota",
        "scheduler",
        "cron",
        "queue",
        "backlog",
        "latency",
        "saturation",
        "network",
        "packet",
        "loss",
        "zone",
        "region",
        "storage",
    ];
    let mut state = seed;
    let mut next = move |bound: usize| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 33) as usize) % bound
    };
    let mut text = move || {
        let length = 5 + next(30);
        (0..length)
            .map(|_| WORDS[next(WORDS.len())])
            .collect::<Vec<_>>()
            .join(" ")
    };
    let files: Vec<(String, String)> = (0..n)
        .map(|i| {
            (
                format!("i{i:04}"),
                file(&format!("Incident {i}"), "", &text()),
            )
        })
        .collect();
    let files: Vec<(&str, String)> = files.iter().map(|(s, t)| (s.as_str(), t.clone())).collect();
    (site_of("", &files), text)
}

#[test]
fn updates_equal_lists_computed_anew_with_the_same_statistics() {
    let (site, mut text) = random_archive(300, 7);
    let mut state = 11u64;
    let mut pick = move || {
        state = state
            .wrapping_mul(2_862_933_555_777_941_757)
            .wrapping_add(3_037_000_493);
        ((state >> 33) as usize) % 300
    };
    let edits: Vec<Vec<(usize, String)>> = (0..12)
        .map(|round| (0..1 + round % 3).map(|_| (pick(), text())).collect())
        .collect();
    check_updates(&site, &edits);
}

/// An edit that leaves the text as it was (front matter the text leaves out) reaches no
/// other incident's list, alone or beside an edit that changes a text.
#[test]
fn an_edit_that_leaves_the_text_as_it_was_changes_no_list() {
    let (site, mut text) = random_archive(200, 5);
    let same = |p: usize| (p, site.incidents[p].body.plain_text.clone());
    let incidents = site.incidents.clone();
    let related = &site.index.related;
    let (mut model, mut lists) = Model::new(&SimilarConfig::default(), &incidents, related);
    let changes = Changes {
        edited: &[3, 77],
        relisted: &[],
    };
    let changed = model.update(&incidents, related, changes, &mut lists);
    assert_eq!(changed, Vec::<usize>::new());
    assert_eq!(lists, site.index.similar);
    check_updates(
        &site,
        &[vec![same(10)], vec![same(20), (30, text())], vec![same(30)]],
    );
}

#[test]
fn title_and_related_edits_update_as_body_edits_do() {
    let (site, mut text) = random_archive(200, 3);
    let mut incidents = site.incidents.clone();
    let mut related = site.index.related.clone();
    let (mut model, mut lists) = Model::new(&SimilarConfig::default(), &incidents, &related);
    for round in 0..6 {
        // A new title for one incident, a new summary for another, and one incident's
        // related list gains the incident it listed first as similar (or loses them all).
        let (titled, summed, relisted) = (round * 31 % 200, round * 17 % 200 + 1, round * 7 % 200);
        incidents[titled].title = text();
        incidents[summed].summary = Some(text());
        related[relisted] = match lists[relisted].first() {
            Some(first) => vec![first.position],
            None => Vec::new(),
        };
        let changes = Changes {
            edited: &[titled, summed],
            relisted: &[relisted],
        };
        model.update(&incidents, &related, changes, &mut lists);
        assert_eq!(
            lists,
            model.recomputed(&incidents, &related),
            "round {round}"
        );
        assert!(
            lists[relisted]
                .iter()
                .all(|s| !related[relisted].contains(&s.position)),
            "round {round}"
        );
    }
}

#[test]
fn text_is_lowercased_as_std_does() {
    for text in [
        "",
        "Plain ASCII, MIXED case",
        "Ünïcode Straße İstanbul ΑΣ ΟΔΟΣ Σ",
        "Café RÉSUMÉ — naïve ǅ ß",
    ] {
        let mut lowered = String::from("kept ");
        super::terms::push_lowercase(&mut lowered, text);
        assert_eq!(lowered, format!("kept {}", text.to_lowercase()), "{text}");
    }
}

#[test]
fn every_stop_word_is_left_out() {
    for word in STOP_WORDS {
        check(word, &[]);
        check(&word.to_uppercase(), &[]);
    }
    check("thee andes whichever", &["thee", "andes", "whichever"]);
}

/// The terms of `text` as the first, `char` by `char`, scanner found them: the fast
/// scanner must agree on every text.
fn terms_by_char(text: &str) -> Vec<(String, TermId)> {
    let lower = text.to_lowercase();
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(start) = lower[at..].find(char::is_alphanumeric) {
        let from = at + start;
        let (end, digits) = super::terms::compound_end_chars(&lower, from);
        let word = &lower[from..end];
        if !digits && (3..=40).contains(&word.len()) && STOP_WORDS.binary_search(&word).is_err() {
            let (stem, ending) = stem(word);
            found.push((word.to_string(), super::terms::term_id(stem, ending)));
        }
        at = end;
    }
    found
}

proptest::proptest! {
    #[test]
    fn the_fast_scanner_agrees_with_the_char_scanner(text in "[a-zA-Z0-9 _.,:é߀ǅΣ-]{0,60}") {
        let mut fast = Vec::new();
        terms(&text, |surface, term| fast.push((surface.to_string(), term)));
        proptest::prop_assert_eq!(fast, terms_by_char(&text));
    }

    #[test]
    fn the_stretch_scanner_agrees_with_the_char_scanner(text in "[a-zA-Z0-9 _.,:é߀ǅİẞÉ“”—-]{0,60}") {
        let mut fast = Vec::new();
        terms(&text, |surface, term| fast.push((surface.to_string(), term)));
        proptest::prop_assert_eq!(fast, terms_by_char(&text));
    }

    #[test]
    fn the_ascii_scanner_agrees_with_the_char_scanner(text in "[a-zA-Z0-9 _.,:'-]{0,80}") {
        let mut fast = Vec::new();
        terms(&text, |surface, term| fast.push((surface.to_string(), term)));
        proptest::prop_assert_eq!(fast, terms_by_char(&text));
    }
}

proptest::proptest! {
    // Words long and short, joined, capitalised and with digits, read as written.
    #[test]
    fn the_ascii_field_scanner_agrees_with_the_char_scanner(
        text in "([a-zA-Z]{1,12}|[a-z0-9]{1,6}|[A-Z]{1,4}|[ _.,:'-]{1,3}){0,40}"
    ) {
        let mut fast = Vec::new();
        super::terms::terms_written(&text, |surface, term| fast.push((surface.to_string(), term)));
        proptest::prop_assert_eq!(fast, terms_by_char(&text));
    }

    // Letters whose lowercase has as many bytes (É, Ü, ǅ, Ω) are read as written too;
    // those whose lowercase does not (İ, ẞ, Σ) make the field lowercased whole.
    #[test]
    fn a_field_read_as_written_agrees_with_the_char_scanner(
        text in "([a-zA-Z]{1,8}|[éÉüÜǅΩωİẞΣ߀]{1,3}|[a-z0-9]{1,4}|[ _.,:'“—-]{1,2}){0,30}"
    ) {
        let in_place = super::terms::lowercases_in_place(&text);
        proptest::prop_assert_eq!(in_place, text.chars().all(|c| {
            c != 'Σ' && c.to_lowercase().map(char::len_utf8).sum::<usize>() == c.len_utf8()
        }));
        let mut fast = Vec::new();
        if in_place {
            super::terms::terms_written(&text, |surface, term| fast.push((surface.to_string(), term)));
        } else {
            terms(&text, |surface, term| fast.push((surface.to_string(), term)));
        }
        proptest::prop_assert_eq!(fast, terms_by_char(&text));
    }
}

#[test]
fn scanners_agree_on_edge_cases() {
    for text in [
        "api-gateway_x -lead trail- a--b c__d é-tag tag-é über-cache cache-über",
        "9abc abc9 ab-9c straße-lag Σίσυφος ΟΔΟΣ x-y-z failovers queries processes",
        "The API-Gateway_X and DNS failovers; ABOUT Queries, Redis-9 PROCESSES -x y- a--b",
        "İSTANBUL “Kafka—Broker” STRAẞE-Lag café-É Über_cache — naïve-API x—y",
    ] {
        let mut fast = Vec::new();
        terms(text, |surface, term| fast.push((surface.to_string(), term)));
        assert_eq!(fast, terms_by_char(text), "{text}");
    }
    // ASCII read as written: words ending, starting and joined at the 64-byte words of
    // its bits, and a text that ends on one.
    let long = |at: usize, word: &str| format!("{}{word}", " ".repeat(at));
    for text in [
        "The API-Gateway_X and DNS failovers; ABOUT Queries, Redis-9 PROCESSES -x y- a--b"
            .to_string(),
        long(61, "Kafka brokers"),
        long(62, "abc-DEF_ghi"),
        long(63, "x-Failover"),
        long(64, "ALERTS"),
        long(60, "abcd"),
        long(56, "Kafka-Connect-Workers-Restarted-In-Sequence-9"),
        long(120, "deadlocks"),
        format!("{}abc", "x".repeat(61)),
        format!("{}-tail", "y".repeat(63)),
        "a".repeat(128),
        "ends in a joined letter: kafka-x".to_string(),
        String::new(),
    ] {
        let mut fast = Vec::new();
        super::terms::terms_written(&text, |surface, term| {
            fast.push((surface.to_string(), term))
        });
        assert_eq!(fast, terms_by_char(&text), "{text:?}");
    }
}

#[test]
fn each_term_is_spelled_as_the_shortest_of_its_words_in_the_incident() {
    // Counting keeps each term's canonical form once (`Words`) and how the incident's
    // shortest word for it grows that form: every counted term must read back as the
    // shortest of its words in the incident's text lowercased, for plurals of every kind
    // (`queries`, `processes`, `failovers`) and after a field whose lowercase is longer
    // or shorter than it (İ, ẞ).
    let site = site_of(
        "",
        &[(
            "mixed",
            file(
                "Kafka Broker İSTANBUL outage",
                "summary: Die STRAẞE der Broker-Flotte fiel aus\nimpact: İİİİİİ Checkout-API ERRORS for Ünïcode users\nroot_cause: capacity",
                "The KAFKA brokers' disks filled. Café RÉSUMÉ pipelines_backed_up; Kafka-Connect restarted. MÜLLER-Werke Überlast ÉCOLE-Réseau. Queries and processes failed over: failovers, then a failover, one query, every process, the QUERIES again, Caches and a CACHE, ÜBERLASTS.",
            ),
        )],
    );
    let incident = &site.incidents[0];
    let mut counter = Counter::default();
    let numbering = super::Numbering::default();
    let counts = counter.count(incident, &numbering);
    let numbered = numbering.done();
    let mut fields = vec![incident.title.clone()];
    fields.extend(incident.summary.clone());
    fields.extend(incident.impact.clone());
    fields.extend(incident.trigger.clone());
    fields.extend(incident.root_causes.iter().cloned());
    fields.push(incident.body.plain_text.clone());
    let mut shortest: std::collections::HashMap<TermId, String> = Default::default();
    for field in &fields {
        terms(field, |word, term| {
            let kept = shortest.entry(term).or_insert_with(|| word.to_string());
            if word.len() < kept.len() {
                *kept = word.to_string();
            }
        });
    }
    let entries = || counts.entries(&numbered);
    assert!(entries().len() > 20, "{:?}", entries().len());
    assert_eq!(entries().len(), shortest.len());
    let spelled: Vec<String> = entries()
        .map(|entry| counter.words().spelling(&entry).into_owned())
        .collect();
    for (entry, spelling) in entries().zip(&spelled) {
        assert_eq!(spelling, &shortest[&entry.term]);
    }
    for plural in ["queries", "processes", "failovers", "überlasts", "brokers"] {
        assert!(
            !spelled.iter().any(|s| s == plural),
            "{plural}: {spelled:?}"
        );
    }
    for word in [
        "query",
        "process",
        "failover",
        "überlast",
        "broker",
        "cache",
        "straße",
    ] {
        assert!(spelled.iter().any(|s| s == word), "{word}: {spelled:?}");
    }
}

/// Counts are held packed: every term and count reads back as counted, a large or
/// fractional count too, and every growth as the spelling reads it; terms numbered by
/// one numbering read back across the counts of many incidents, and counted on many
/// threads.
#[test]
fn counts_read_back_as_counted() {
    use super::terms::{Counts, Entry};
    use rayon::prelude::*;
    let counted = [
        (11, 1.0, 0),
        (12, 3.0, 1),
        (13, 16_382.0, 2),
        (14, 16_383.0, 0),
        (15, 70_000.0, 1),
        (16, 2.5, 2),
        (17, 0.0, 1),
        (18, 9.0, 5),
    ];
    let entries = counted
        .iter()
        .map(|&(term, count, grown)| Entry { term, count, grown });
    let numbering = super::Numbering::default();
    let counts = Counts::new(entries, 42.0, &numbering);
    // Many incidents sharing terms, in other orders, with terms of every shard.
    let others: Vec<(Vec<u64>, Counts)> = (0..2_000u64)
        .into_par_iter()
        .map(|i| {
            let terms: Vec<u64> = (0..20)
                .map(|t| (((i * 7 + t * 13) % 600) << 30) | t)
                .collect();
            let entries = (terms.iter()).map(|&term| Entry {
                term,
                count: 1.0,
                grown: 0,
            });
            let counts = Counts::new(entries, 20.0, &numbering);
            (terms, counts)
        })
        .collect();
    let numbered = numbering.done();
    let read: Vec<(u64, f32, u8)> = (counts.entries(&numbered))
        .map(|entry| (entry.term, entry.count, entry.grown))
        .collect();
    let expected: Vec<(u64, f32, u8)> = (counted.iter())
        .map(|&(term, count, grown)| (term, count, grown.min(2)))
        .collect();
    assert_eq!(read, expected);
    assert_eq!(counts.length, 42.0);
    for (terms, counts) in &others {
        assert_eq!(&counts.terms(&numbered).collect::<Vec<_>>(), terms);
    }
}

#[test]
fn shared_words_read_back_in_their_order() {
    let words = super::SharedWords::new(["failover", "replication", "pg_bouncer"]);
    assert_eq!(words.joined(), "failover, replication, pg_bouncer");
    assert_eq!(
        words.iter().collect::<Vec<_>>(),
        ["failover", "replication", "pg_bouncer"]
    );
    assert_eq!(words.len(), 3);
    let none = super::SharedWords::new([]);
    assert!(none.is_empty() && none.iter().next().is_none());
    assert_eq!(none.len(), 0);
    assert_eq!(none.joined(), "");
}
