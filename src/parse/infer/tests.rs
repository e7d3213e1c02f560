//! Inference over real-looking prose: date, duration, zone, timeline and list shapes, a
//! table of cases for each, one helper.

use super::*;

const REGISTRY: &str = "[[services]]\nname = \"web-app\"\n[[services]]\nname = \"checkout-api\"\n\
[[services]]\nname = \"postgres-primary\"\n[[services]]\nname = \"search-api\"\n\
[[services]]\nname = \"redis-cache\"\n";

fn show(value: &str) -> String {
    let short: String = value.chars().take(40).collect();
    if short.len() < value.len() {
        format!("{short}…")
    } else {
        short
    }
}

/// Infers `text` (a file named `stem`, titled `title`) with a site that has a service
/// registry and UTC as its zone, and compares every inferred field, one per line, as
/// `field=value @line`.
fn check(stem: &str, title: &str, text: &str, expected: &str) {
    let config = Config::parse(REGISTRY, "hindsight.toml").unwrap();
    let inference = infer(&Input {
        body: text,
        first_line: 1,
        stem,
        title,
        config: &config,
    });
    let got: Vec<String> = inference
        .fields(&config)
        .iter()
        .map(|f| format!("{}={} @{}", f.field, show(&f.value), f.line))
        .collect();
    let expected: Vec<&str> = expected
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(got, expected, "\n--- {stem}\n{text}");
}

const SEED: &str = include_str!("../../../content/2024/web-app-caching-layer-outage.md");

/// Runs [`check`] on every `(stem, title, text, expected)` case and fails once, naming
/// every case that failed.
fn check_all(cases: &[(&str, &str, &str, &str)]) {
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|(stem, title, text, expected)| {
            std::panic::catch_unwind(|| check(stem, title, text, expected))
                .err()
                .map(|_| stem.to_string())
        })
        .collect();
    assert!(failures.is_empty(), "failed: {failures:?}");
}

/// The bundled example: a "Duration:" window, an impact paragraph and a timeline.
#[test]
fn the_seed_postmortem() {
    check(
        "web-app-caching-layer-outage",
        "Web app caching layer outage",
        SEED,
        "started_at=2024-02-10 09:00 UTC @5
         detected_at=2024-02-10 09:00 UTC @11
         resolved_at=2024-02-11 14:00 UTC @5
         services=web-app @6
         root_cause=caching @7
         impact=The primary service affected was our web… @6
         action_items=5 items @33
         timeline=8 events @11",
    );
}

/// Start and end labels: ISO, dotted, offset, day-first and time-then-date shapes.
#[test]
fn start_and_end_labels() {
    check_all(&[
        (
            "gateway-cert",
            "Gateway certificate",
            "# Gateway outage\n\n**Start:** 2024-03-05 14:02 UTC\n**End:** 2024-03-05 15:31 UTC\n\n**Impact:** Checkout API calls failed.\n\n**Root cause:** An expired TLS certificate on the gateway.\n",
            "started_at=2024-03-05 14:02 UTC @3
             resolved_at=2024-03-05 15:31 UTC @4
             services=checkout-api @6
             root_cause=certificate-expiry @8
             impact=Checkout API calls failed. @6",
        ),
        (
            "dotted-dates",
            "Billing run",
            "Start time: 10.02.2024 17:45 CET\nEnd time: 10.02.2024 19:00 CET\n",
            "started_at=2024-02-10 16:45 UTC @1
             resolved_at=2024-02-10 18:00 UTC @2",
        ),
        (
            "offsets",
            "Search slow",
            "Started: 2024-05-01T08:00:00+02:00\nResolved: 2024-05-01T09:30:00+02:00\nImpact: search API p99 above 5 s.\n",
            "started_at=2024-05-01 06:00 UTC @1
             resolved_at=2024-05-01 07:30 UTC @2
             services=search-api @3
             impact=search API p99 above 5 s. @3",
        ),
        (
            "day-first",
            "Weekend outage",
            "- Start: 10 Feb 2024, 22:00 GMT\n- End: 11 Feb 2024, 01:30 GMT\n",
            "started_at=2024-02-10 22:00 UTC @1
             resolved_at=2024-02-11 01:30 UTC @2",
        ),
        (
            "time-then-date",
            "Pacific morning",
            "Started: 9:30 AM PST on March 3, 2023\n",
            "started_at=2023-03-03 17:30 UTC @1",
        ),
        (
            "date-with-time",
            "Broker down",
            "Date: 2023-05-04 22:15 UTC\nTime to recovery: 2 hours\n",
            "started_at=2023-05-04 22:15 UTC @1
             resolved_at=2023-05-05 00:15 UTC @2",
        ),
    ]);
}

/// Windows ("from - to") on one line, and times in named, abbreviated and IANA zones.
#[test]
fn windows_and_zones() {
    check_all(&[
        (
            "iso-window",
            "Night outage",
            "Outage window: 2023-11-08 22:10 – 2023-11-09 01:15 CET\n",
            "started_at=2023-11-08 21:10 UTC @1
             resolved_at=2023-11-09 00:15 UTC @1",
        ),
        (
            "weekday-range",
            "Morning errors",
            "When: Tuesday, June 4th, 2024, 9:12am to 11:40am PDT\n",
            "started_at=2024-06-04 16:12 UTC @1
             resolved_at=2024-06-04 18:40 UTC @1",
        ),
        (
            "iana-zone",
            "Fourth of July",
            "Start: 2024-07-04 10:00 America/New_York\nDuration: 1.5 hours\n",
            "started_at=2024-07-04 14:00 UTC @1
             resolved_at=2024-07-04 15:30 UTC @2",
        ),
        (
            "eastern-window",
            "Slow pages",
            "Date: 2024-01-10\nImpact window: 9:00 - 11:30 Eastern\n",
            "started_at=2024-01-10 14:00 UTC @2
             resolved_at=2024-01-10 16:30 UTC @2",
        ),
        (
            "overnight-window",
            "Batch overrun",
            "Date: 2024-02-10\nOutage window: 22:30 - 01:15 UTC\n",
            "started_at=2024-02-10 22:30 UTC @2
             resolved_at=2024-02-11 01:15 UTC @2",
        ),
    ]);
}

/// Lengths ("Duration: 45 minutes", "Time to detection: 5 minutes") added to the start.
#[test]
fn lengths_added_to_the_start() {
    check_all(&[
        (
            "date-and-duration",
            "Queue backlog",
            "**Date:** March 3, 2023\n**Duration:** 45 minutes\n\n## Timeline\n\n- 14:05 — alert fired for the queue\n- 14:20 — consumers scaled\n",
            "started_at=2023-03-03 14:05 UTC @6
             detected_at=2023-03-03 14:05 UTC @6
             resolved_at=2023-03-03 14:50 UTC @2
             timeline=2 events @6",
        ),
        (
            "stats-list",
            "Replica lag",
            "Start: 2022-08-01 03:00 UTC\n\n## Stats\n\n- Time to detection: 5 minutes\n- Time to recovery: 19 hours 43 minutes\n- Category: Database\n",
            "started_at=2022-08-01 03:00 UTC @1
             detected_at=2022-08-01 03:05 UTC @5
             resolved_at=2022-08-01 22:43 UTC @6
             root_cause=database @7",
        ),
        (
            "compact-duration",
            "Cache flush",
            "Start: 2024-02-10 09:00 UTC\nDowntime: 1h30m\n",
            "started_at=2024-02-10 09:00 UTC @1
             resolved_at=2024-02-10 10:30 UTC @2
             root_cause=caching @0",
        ),
        (
            "words-duration",
            "Slow deploys",
            "Start: 2024-02-10 09:00 UTC\nDuration: about an hour and a half\n",
            "started_at=2024-02-10 09:00 UTC @1
             resolved_at=2024-02-10 10:30 UTC @2
             root_cause=deploy @0",
        ),
        (
            "stats-after-timeline",
            "Stats",
            "# Outage on 2022-09-01\n\n## Timeline\n\n- 10:00 errors begin\n- 10:30 rollback\n\n## Stats\n\n- Time to detection: 12 minutes\n- Time to recovery: 45 minutes\n",
            "started_at=2022-09-01 10:00 UTC @5
             detected_at=2022-09-01 10:12 UTC @10
             resolved_at=2022-09-01 10:45 UTC @11
             timeline=2 events @5",
        ),
    ]);
}

/// Lengths no start can take are kept as the recorded durations; a file name's day is
/// not a start.
#[test]
fn lengths_without_a_start_are_kept() {
    check_all(&[
        (
            "2024-02-10-queue-backlog",
            "Queue backlog",
            "Duration: 45 minutes\nTime to recovery: 2 hours\nTime to detect: 5 minutes\nTime to mitigate: 1:30\n",
            "duration=45m @1
             time_to_detect=5m @3
             time_to_mitigate=1h 30m @4
             time_to_resolve=2h @2",
        ),
        (
            "stats-only",
            "Stuck jobs",
            "## Stats\n\n- TTR: 19 hours 43 minutes\n",
            "time_to_resolve=19h 43m @3",
        ),
    ]);
}

/// Timelines: tables with dates, days rolling over midnight, day headings, AM and PM.
#[test]
fn timelines_date_their_events() {
    check_all(&[
        (
            "table-with-dates",
            "Deploy at midnight",
            "## Timeline\n\n| Date | Time | Event |\n|---|---|---|\n| 2024-01-15 | 23:50 | deploy started |\n| 2024-01-16 | 00:20 | alerts fired |\n| 2024-01-16 | 01:05 | rollback done, incident resolved |\n",
            "started_at=2024-01-15 23:50 UTC @5
             detected_at=2024-01-16 00:20 UTC @6
             resolved_at=2024-01-16 01:05 UTC @7
             root_cause=deploy @0
             timeline=3 events @5",
        ),
        (
            "2023-12-31-new-year-rollover",
            "New year outage",
            "## Timeline (UTC)\n\n- 23:40 errors begin\n- 23:58 paged\n- 00:30 Incident resolved.\n",
            "started_at=2023-12-31 23:40 UTC @3
             detected_at=2023-12-31 23:58 UTC @4
             resolved_at=2024-01-01 00:30 UTC @5
             timeline=3 events @3",
        ),
        (
            "unknown-minutes",
            "Login failures",
            "# Outage on 2021-07-19\n\n## Timeline\n\n- 14:?? — first customer reports\n- 14:35 — on-call paged\n",
            "started_at=2021-07-19 14:00 UTC @5
             detected_at=2021-07-19 14:35 UTC @6
             timeline=2 events @5",
        ),
        (
            "date-subheadings",
            "Two-day incident",
            "Date: 2024-02-10\n\n## Timeline\n\n### February 10\n\n- 22:00 errors rise\n\n### February 11\n\n- 02:00 all clear\n",
            "started_at=2024-02-10 22:00 UTC @7
             resolved_at=2024-02-11 02:00 UTC @11
             timeline=2 events @7",
        ),
        (
            "plain-timeline",
            "Rollback",
            "Date: 2022-06-01\nAll times are UTC.\n\nTimeline:\n09:15 - alert fired\n09:40 - rollback started\n10:05 - recovered, incident resolved\n",
            "started_at=2022-06-01 09:15 UTC @5
             detected_at=2022-06-01 09:15 UTC @5
             resolved_at=2022-06-01 10:05 UTC @7
             timeline=3 events @5",
        ),
        (
            "meridiem-carry",
            "Lunch outage",
            "Date: 2024-04-02\n\n## Timeline\n\n- 11:45 AM: errors\n- 12:10 PM: paged\n- 12:40: rollback\n- 1:05: Resolved.\n",
            "started_at=2024-04-02 11:45 UTC @5
             detected_at=2024-04-02 12:10 UTC @6
             resolved_at=2024-04-02 13:05 UTC @8
             timeline=4 events @5",
        ),
    ]);
}

/// Severity, services and the summary, from labels and sections.
#[test]
fn severity_services_and_summary() {
    check_all(&[
        (
            "severity-and-services",
            "Checkout errors",
            "Severity: SEV-2 (Major)\nPriority: P1\nAffected services: checkout-api, Postgres Primary\n",
            "severity=SEV2 @1
             services=checkout-api @3
             services=postgres-primary @3",
        ),
        (
            "summary-section",
            "Summary",
            "## Summary\n\nFor 20 minutes the search API returned errors.\nA bad index alias was the cause.\n\n- Start: 2024-09-09 10:00\n",
            "started_at=2024-09-09 10:00 UTC @6
             services=search-api @3
             summary=For 20 minutes the search API returned e… @3",
        ),
    ]);
}

/// The root-cause category, from a section, a label or the title.
#[test]
fn root_cause_categories() {
    check_all(&[
        (
            "root-cause-section",
            "Session errors",
            "## Root cause\n\nA deploy of v2.41 introduced a regression in the session handling code.\n",
            "root_cause=deploy @3",
        ),
        (
            "caused-by",
            "Kafka lag",
            "Root Cause: Elevated errors were caused by packet loss between availability zones.\n",
            "root_cause=network @1",
        ),
        (
            "title-only",
            "Redis eviction storm",
            "We are still writing this up.\n",
            "root_cause=caching @0",
        ),
    ]);
}

/// Action items as a checklist, a table and a numbered list.
#[test]
fn action_item_lists() {
    check_all(&[
        (
            "action-items-section",
            "Pool exhaustion",
            "## Action items\n\n- [ ] Add alert on pool saturation (@tom, due 2024-03-20)\n- [x] Raise the pool size — owner: priya\n",
            "root_cause=capacity @0
             action_items=2 items @3",
        ),
        (
            "action-items-table",
            "Pool exhaustion",
            "## Follow-up actions\n\n| Action | Owner | Due |\n|---|---|---|\n| Add alert | tom | 2024-03-20 |\n| Write runbook | priya | |\n",
            "root_cause=capacity @0
             action_items=2 items @5",
        ),
        (
            "numbered-follow-ups",
            "Key leak",
            "## Follow-ups\n\n1. Rotate the keys\n2. Add secret scanning to CI\n3. Review access logs\n",
            "action_items=3 items @3",
        ),
    ]);
}

/// A document that states nothing Hindsight knows infers nothing.
#[test]
fn notes_infer_nothing() {
    check("notes", "Notes", "# Notes\n\nWe talked about things.\n", "");
}

#[test]
fn action_items_keep_owner_due_and_status() {
    let config = Config::default();
    let text = "## Action items\n\n- [ ] Add alert on pool saturation (@tom, due 2024-03-20)\n- [x] Raise the pool size — owner: priya\n- Write the runbook\n";
    let inference = infer(&Input {
        body: text,
        first_line: 1,
        stem: "x",
        title: "x",
        config: &config,
    });
    let items: Vec<String> = inference
        .action_items
        .iter()
        .map(|i| {
            let item = &i.value;
            format!(
                "{} | {:?} | {:?} | {:?}",
                item.title, item.owner, item.due, item.status
            )
        })
        .collect();
    assert_eq!(
        items,
        [
            "Add alert on pool saturation | Some(\"tom\") | Some(2024-03-20) | Open",
            "Raise the pool size | Some(\"priya\") | None | Done",
            "Write the runbook | None | None | Open",
        ]
    );
}

/// A prose document with dates such as `03/04/2022`: read in the site's `date_order` in
/// every place a date can be (a label, a timeline line, a table row, a due date), and
/// never guessed when the site does not say.
#[test]
fn slash_dates_follow_the_sites_date_order() {
    let text = "Start: 03/04/2022 14:00 UTC\n\n## Timeline\n\n- 03/04/2022 14:05 - Alert fired\n\n\
                | When | What |\n|---|---|\n| 03/04/2022 15:10 | Rolled back |\n\n\
                ## Action items\n\n- Add a canary (owner: bob, due 05/06/2022)\n";
    let read = |order: Option<&str>| {
        let config = match order {
            Some(order) => {
                Config::parse(&format!("date_order = \"{order}\"\n"), "hindsight.toml").unwrap()
            }
            None => Config::default(),
        };
        let inference = infer(&Input {
            body: text,
            first_line: 1,
            stem: "INC-7",
            title: "Canary",
            config: &config,
        });
        let start = inference.started_at.map(|s| s.value.to_rfc3339());
        let events: Vec<String> = inference
            .timeline
            .iter()
            .map(|e| format!("{} {}", e.at.to_rfc3339(), e.text))
            .collect();
        let due = inference.action_items.first().and_then(|i| i.value.due);
        (start, events, due.map(|d| d.to_string()))
    };
    let (start, events, due) = read(Some("month-first"));
    assert_eq!(start.as_deref(), Some("2022-03-04T14:00:00+00:00"));
    assert_eq!(
        events,
        [
            "2022-03-04T14:05:00+00:00 Alert fired",
            "2022-03-04T15:10:00+00:00 Rolled back"
        ]
    );
    assert_eq!(due.as_deref(), Some("2022-05-06"));
    let (start, events, due) = read(Some("day-first"));
    assert_eq!(start.as_deref(), Some("2022-04-03T14:00:00+00:00"));
    assert_eq!(events[0], "2022-04-03T14:05:00+00:00 Alert fired");
    assert_eq!(due.as_deref(), Some("2022-06-05"));
    // Unset: nothing is guessed.
    let (start, events, due) = read(None);
    assert_eq!((start, events.len(), due), (None, 0, None));
}
