//! The incident page as a retrospective: the timeline chart (recorded milestones and the
//! body's timeline entries on one axis, long gaps shortened, nothing drawn from fewer than
//! two instants, what is missing said so) and the action items' progress as of the
//! build's date.

use crate::support::{Site, build_example, text};

/// The chart's `<svg>…</svg>`, if the page has one.
fn chart(html: &str) -> Option<&str> {
    let start =
        html.find("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart chart-timeline\"")?;
    let end = start + html[start..].find("</svg>")? + "</svg>".len();
    Some(&html[start..end])
}

/// Each mark's tooltip, in the order drawn (entries, then milestones).
fn marks(svg: &str) -> Vec<String> {
    svg.split("<g class=\"tl-mark ")
        .skip(1)
        .map(|mark| {
            let start = mark.find("<title>").unwrap() + "<title>".len();
            text(&mark[start..start + mark[start..].find("</title>").unwrap()])
        })
        .collect()
}

fn caption(html: &str) -> String {
    let start = html
        .find("<figcaption id=\"timeline-chart-caption\"")
        .unwrap();
    // `text` puts a space where a tag was: "Timeline ." is "Timeline." on screen.
    text(&html[start..start + html[start..].find("</figcaption>").unwrap()]).replace(" .", ".")
}

#[test]
fn the_example_incidents_chart_their_milestones_and_timeline_entries() {
    let build = build_example(&[]);
    let page = build.page("incidents/2023-12-05-cross-az-packet-loss-kafka/");
    let svg = chart(&page).expect("a timeline chart");
    assert_eq!(
        marks(svg),
        [
            "02:40 — First ISR shrink events on brokers 7–9 (AZ c).",
            "02:52 — UnderReplicatedPartitions alert pages Jamal.",
            "03:05 — Broker metrics normal (CPU 20%, disk I/O low). mtr from broker 2 to broker 8 shows 4.1% loss.",
            "03:18 — AWS Health Dashboard confirms the network event.",
            "03:30 — Decided not to move leadership. Moving leaders would add cross-AZ traffic while the network was lossy.",
            "04:15 — Packet loss gone; ISR stable. Mitigated.",
            "05:45 — Under-replicated partitions back to 0 for over an hour. Resolved.",
            "Started 02:40",
            "Detected 02:52",
            "Mitigated 04:15",
            "Resolved 05:45",
        ]
    );
    // Three hours of evenly spread events: drawn to scale, nothing shortened.
    assert!(!svg.contains("tl-break"));
    assert!(svg.contains(r#"role="img" aria-describedby="timeline-chart-caption""#));
    assert!(svg.contains("<title>Timeline of the incident</title>"));
    assert_eq!(
        caption(&page),
        "11 recorded times from 2023-12-05 02:40 UTC to 2023-12-05 05:45 UTC: milestones \
         above the axis, timeline entries below. As text: Timeline (UTC)."
    );
    assert!(page.contains(r##"<a href="#timeline-utc">Timeline (UTC)</a>"##));
    assert!(
        page.contains(r#"<h2 id="timeline-utc">"#),
        "the link resolves"
    );

    // Nearly three days, most events in the first hour: the long gaps are breaks that
    // say how long they are.
    let page = build.page("incidents/2021-10-14-object-storage-controller-failure/");
    let svg = chart(&page).unwrap();
    assert!(
        svg.contains("<title>1 d 12 h with nothing recorded, shortened</title>"),
        "{svg}"
    );
    assert!(svg.contains(">1 d 12 h</text>"));
    assert!(caption(&page).contains("long gaps are shortened and marked with their length"));
    assert!(marks(svg).contains(&"Resolved 17 Oct 01:40".to_string()));
}

#[test]
fn one_known_time_draws_no_chart_and_missing_milestones_are_named() {
    let site = Site::new()
        .file(
            "content/one.md",
            "---\ntitle: One time\nstarted_at: 2024-03-02T14:05:00Z\n---\n\nWhat happened.\n",
        )
        .file(
            "content/same.md",
            "---\ntitle: Same instant\nstarted_at: 2024-03-02T14:05:00Z\n---\n\n\
             ## Timeline\n\n- 14:05 — alert fired\n",
        )
        .file(
            "content/two.md",
            "---\ntitle: Two entries\nstarted_at: 2024-03-02\n---\n\n\
             ## Timeline (UTC)\n\n- 14:05 — alert fired\n- 14:40 — rollback done\n",
        );
    let build = site.build();
    build.assert_code(0);
    for slug in ["one", "same"] {
        let page = build.page(&format!("incidents/{slug}/"));
        assert!(chart(&page).is_none(), "{slug}: no chart of one instant");
        assert!(!page.contains("timeline-chart"), "{slug}: no empty figure");
    }
    let page = build.page("incidents/two/");
    let svg = chart(&page).expect("two entries are a chart");
    assert_eq!(marks(svg), ["14:05 — alert fired", "14:40 — rollback done"]);
    assert!(
        caption(&page).ends_with(
            "As text: Timeline (UTC). Detection, mitigation and resolution not recorded. \
             Start recorded as a day only, so not drawn."
        ),
        "{}",
        caption(&page)
    );
}

/// The progress line and the status cell of each action item.
fn progress(html: &str) -> (String, Vec<String>) {
    let start = html
        .find("<div class=\"ai-progress\">")
        .expect("a progress line");
    let line = text(&html[start..start + html[start..].find("</div>").unwrap()]);
    let rows = html[start..]
        .split("<tr class=\"ai-")
        .skip(1)
        .map(|row| {
            let cell = row.rfind("<td>").unwrap();
            text(&row[cell..row.find("</tr>").unwrap()])
        })
        .collect();
    (line, rows)
}

#[test]
fn action_items_progress_counts_overdue_as_of_the_build_date() {
    let items = "action_items:\n\
        \x20 - {title: a, status: done, due: 2024-01-10}\n\
        \x20 - {title: b, status: done}\n\
        \x20 - {title: c, status: done, due: 2024-05-01}\n\
        \x20 - {title: d, status: open, due: 2024-03-01}\n\
        \x20 - {title: e, status: open, due: 2024-02-29}\n";
    let site = Site::new()
        .file(
            "content/items.md",
            format!("---\ntitle: Items\n{items}---\n\nText.\n"),
        )
        .file(
            "content/wontfix.md",
            "---\ntitle: Won't fix\naction_items:\n  - {title: a, status: done}\n  - {title: b, status: wontfix}\n---\n\nText.\n",
        );
    let build = site.build_with(&["--as-of", "2024-03-01"]);
    let page = build.page("incidents/items/");
    let (line, rows) = progress(&page);
    assert_eq!(
        line,
        "3 of 5 done · 1 open · 1 overdue (overdue: open and due before 2024-03-01)"
    );
    assert!(page.contains(r#"<progress max="5" value="3" aria-label="Action items done">"#));
    // Due on the as-of date is not late yet; the day before is.
    assert_eq!(rows, ["Done", "Done", "Done", "Open", "Open overdue"]);
    assert!(page.contains(r#"<tr class="ai-open ai-late">"#));

    let (line, rows) = progress(&build.page("incidents/wontfix/"));
    assert_eq!(line, "1 of 2 done · 1 won't fix");
    assert_eq!(rows, ["Done", "Won't fix"]);

    // A later build date makes the open item due that day overdue too.
    let later = site.build_with(&["--as-of", "2024-03-02"]);
    let (line, _) = progress(&later.page("incidents/items/"));
    assert!(line.starts_with("3 of 5 done · 2 overdue"), "{line}");
}

#[test]
fn due_dates_are_read_as_the_timestamps_are() {
    let site = |config: &str| {
        Site::new().config(config).file(
            "content/items.md",
            "---\ntitle: Items\naction_items:\n  - {title: a, status: open, due: \"February 28, 2024\"}\n  - {title: b, status: open, due: \"03/02/2024\"}\n---\n\nText.\n",
        )
    };
    // March 2 in the United States: not due yet on March 1.
    let us = site("date_order = \"month-first\"\n").build_with(&["--as-of", "2024-03-01"]);
    assert_eq!(us.stderr, "");
    let (line, rows) = progress(&us.page("incidents/items/"));
    assert_eq!(
        line,
        "0 of 2 done · 1 open · 1 overdue (overdue: open and due before 2024-03-01)"
    );
    assert_eq!(rows, ["Open overdue", "Open"]);
    // 3 February elsewhere: overdue too.
    let europe = site("date_order = \"day-first\"\n").build_with(&["--as-of", "2024-03-01"]);
    let (line, _) = progress(&europe.page("incidents/items/"));
    assert!(line.starts_with("0 of 2 done · 2 overdue"), "{line}");
}
