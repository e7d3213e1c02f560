//! Which content files become which pages: drafts, field aliases, prose-only postmortems,
//! files that are not postmortems, and titles carried into lists.

use crate::support::{Site, fact, listed_incidents, postmortem, text};
use hindsight::app::aside::AsideFile;

fn drafts_site() -> Site {
    Site::new()
        .file(
            "content/published.md",
            postmortem("Published", "started_at: 2024-01-02T00:00:00Z\n"),
        )
        .file(
            "content/wip.md",
            postmortem(
                "Work in progress",
                "status: draft\nstarted_at: 2024-01-01T00:00:00Z\nservices: [web-app]\n",
            ),
        )
}

#[test]
fn drafts_are_left_out_by_default() {
    let build = drafts_site().build();
    build.assert_code(0);
    assert!(!build.has("incidents/wip/"));
    assert_eq!(build.listed("incidents/"), ["published"]);
    assert!(
        !build.has("services/web-app/"),
        "a draft's service gets no page"
    );
    assert!(
        build
            .stdout
            .starts_with("built 1 incident (1 draft hidden; --drafts includes it),"),
        "{}",
        build.stdout
    );
}

#[test]
fn drafts_are_built_with_the_flag() {
    let build = drafts_site().build_with(&["--drafts"]);
    build.assert_code(0);
    let page = build.page("incidents/wip/");
    assert_eq!(fact(&page, "Status").as_deref(), Some("draft"));
    assert_eq!(build.listed("incidents/"), ["published", "wip"]);
    assert_eq!(build.listed("services/web-app/"), ["wip"]);
}

#[test]
fn field_aliases_from_the_config_index_the_incident() {
    let build = Site::new()
        .config(
            "[fields]\nservices = [\"affected\"]\nstarted_at = [\"date\"]\nresolved_at = [\"end_time\"]\nroot_cause = [\"categories\"]\n",
        )
        .file(
            "content/aliased.md",
            "---\ntitle: Aliased\ndate: 2024-05-01T10:00:00Z\nend_time: 2024-05-01T10:45:00Z\n\
             affected: [billing-api]\ncategories: [database]\nticket: OPS-1\n---\nBody.\n",
        )
        .build();
    build.assert_code(0);
    assert_eq!(build.stderr, "");
    assert_eq!(build.listed("services/billing-api/"), ["aliased"]);
    assert_eq!(build.listed("causes/database/"), ["aliased"]);
    assert_eq!(build.listed("durations/30m-2h/"), ["aliased"]);
    assert_eq!(build.listed("years/2024/"), ["aliased"]);
    let page = build.page("incidents/aliased/");
    assert_eq!(
        fact(&page, "Duration").as_deref(),
        Some("45 min · 30 min – 2 h")
    );
}

#[test]
fn unknown_fields_are_kept_as_extra_and_aliases_are_not() {
    let site = Site::new()
        .config("[fields]\nservices = [\"affected\"]\n")
        .file(
            "content/a.md",
            "---\ntitle: A\naffected: [billing-api]\nticket: OPS-1\n---\n",
        );
    let project = hindsight::app::project::load(site.root()).unwrap();
    let options = hindsight::analyze::site::AnalyzeOptions::default();
    let (analyzed, diagnostics) = hindsight::app::project::analyze(
        &project.config,
        &project.sources,
        options,
        hindsight::analyze::site::BodyHtml::Keep,
    );
    assert_eq!(diagnostics, []);
    let incident = &analyzed.incidents[0];
    assert_eq!(incident.services, ["billing-api"]);
    let extra: Vec<_> = incident
        .extra
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    assert_eq!(extra, ["ticket=\"OPS-1\""]);
}

#[test]
fn file_without_front_matter_gets_a_page_with_its_inferred_metadata() {
    let seed = include_str!("../../content/2024/web-app-caching-layer-outage.md");
    let build = Site::new()
        .file("content/web-app-caching-layer-outage.md", seed)
        .build();
    build.assert_code(0);
    assert_eq!(
        build.stderr.lines().next(),
        Some(
            "content/web-app-caching-layer-outage.md: warning[H010]: no front matter; metadata inferred from the text"
        )
    );
    let page = build.page("incidents/web-app-caching-layer-outage/");
    assert!(
        page.contains("<h1>Web app caching layer outage</h1>"),
        "a title from the file name"
    );
    assert!(page.contains("<title>Web app caching layer outage · "));
    assert!(
        text(&page)
            .contains("Metadata inferred from the text. This postmortem has no front matter")
    );
    assert_eq!(fact(&page, "Severity").as_deref(), Some("not set"));
    let listing = build.page("incidents/");
    assert_eq!(listed_incidents(&listing), ["web-app-caching-layer-outage"]);
    assert_eq!(
        build.listed("severities/not-set/"),
        ["web-app-caching-layer-outage"]
    );
    assert_eq!(
        build.listed("causes/caching/"),
        ["web-app-caching-layer-outage"]
    );
}

#[test]
fn hidden_swap_and_backup_files_are_ignored() {
    let build = Site::new()
        .file("content/real.md", postmortem("Real", ""))
        .file("content/.hidden.md", postmortem("Hidden", ""))
        .file("content/.real.md.swp", "\0\0binary swap")
        .file("content/real.md~", postmortem("Backup", ""))
        .file("content/#real.md#", postmortem("Autosave", ""))
        .file("content/4913", "")
        .file("content/notes.txt", "not markdown")
        .file("content/.obsidian/workspace.md", postmortem("Obsidian", ""))
        .file("content/.git/COMMIT_EDITMSG.md", "")
        .build();
    build.assert_code(0);
    // Editors' files go unmentioned; a file that is simply not a postmortem is named.
    assert!(
        build.stderr.starts_with("content/notes.txt: warning[H023]: 1 file is not read as a postmortem in content/: content/notes.txt"),
        "{}",
        build.stderr
    );
    assert_eq!(
        build.stderr.matches("warning[").count(),
        1,
        "{}",
        build.stderr
    );
    assert_eq!(build.folders("incidents"), ["real"]);
    assert!(
        build.stdout.starts_with("built 1 incident,"),
        "{}",
        build.stdout
    );
}

#[cfg(unix)]
#[test]

fn emacs_lock_file_is_ignored() {
    let site = Site::new().file("content/real.md", postmortem("Real", ""));
    std::os::unix::fs::symlink(
        "user@host.4242:1700000000",
        site.root().join("content/.#real.md"),
    )
    .unwrap();
    let build = site.build();
    build.assert_code(0);
    assert_eq!(build.stderr, "");
    assert_eq!(build.folders("incidents"), ["real"]);
}

#[test]

fn private_use_character_in_a_title_is_kept_in_lists() {
    let build = Site::new()
        .file("content/icon.md", postmortem("\"Icon \u{E000} glyph\"", ""))
        .build();
    build.assert_code(0);
    assert!(
        build
            .page("incidents/icon/")
            .contains("<h1>Icon \u{E000} glyph</h1>")
    );
    let listing = text(&build.page("incidents/"));
    assert!(listing.contains("Icon \u{E000} glyph"), "{listing}");
}

/// A build drops each body's HTML, plain text, headings and timeline as soon as the file
/// is parsed, after setting them aside in a file to read back for the incident's page and
/// the search index (or, where it cannot, renders them again from the postmortem): for
/// every postmortem of the example and of the archives (headings that repeat the title,
/// prose-only files, links between postmortems, raw HTML), the body read back and the body
/// rendered again are the one parsing rendered, the quality scored before it was dropped
/// is the one scored from the whole body, and the similar incidents found from words
/// counted at parsing are those found from the texts kept to the end.
#[test]
fn bodies_rendered_again_for_their_pages_are_the_parsed_ones() {
    use hindsight::analyze::site::{AnalyzeOptions, BodyHtml, SourcePages};
    let archives = crate::support::repo_root().join("tests/archives");
    let mut roots = vec![crate::support::repo_root()];
    for entry in std::fs::read_dir(archives).unwrap() {
        roots.push(entry.unwrap().path());
    }
    let (mut checked, mut timelines) = (0, 0);
    for root in roots {
        let project = hindsight::app::project::load(&root).unwrap();
        let options = AnalyzeOptions {
            drafts: true,
            ..Default::default()
        };
        let analyze = |html| {
            hindsight::app::project::analyze(&project.config, &project.sources, options, html)
        };
        let (kept_site, _) = analyze(BodyHtml::Keep);
        let file = AsideFile::new_in(&std::env::temp_dir()).unwrap();
        for (set_aside, (dropped, _)) in [
            (false, analyze(BodyHtml::Drop)),
            (true, analyze(BodyHtml::SetAside(&file))),
        ] {
            let pages = SourcePages::of(&dropped.incidents);
            assert_eq!(dropped.index.similar, kept_site.index.similar, "{root:?}");
            for (position, incident) in dropped.incidents.iter().enumerate() {
                let source = &incident.source;
                assert_eq!(incident.body.html, "", "{source}");
                assert_eq!(incident.body.plain_text, "", "{source}");
                assert!(incident.body.toc.is_empty(), "{source}");
                assert!(incident.body_timeline.is_empty(), "{source}");
                assert_eq!(incident.body.aside.is_some(), set_aside, "{source}");
                let again = hindsight::app::project::body_again(
                    &project.sources,
                    &project.config,
                    &pages,
                    incident,
                    Some(&file),
                )
                .unwrap();
                let kept = &kept_site.incidents[position].body;
                assert_eq!(again.html, kept.html, "{source}");
                assert_eq!(again.plain_text, kept.plain_text, "{source}");
                assert_eq!(again.toc, kept.toc, "{source}");
                let timeline = &kept_site.incidents[position].body_timeline;
                let inferred = kept_site.incidents[position].inferred.is_some();
                if !inferred {
                    assert_eq!(&again.timeline, timeline, "{source}");
                }
                timelines += usize::from(!timeline.is_empty() && set_aside && !inferred);
                let scored = hindsight::analyze::quality::score(&kept_site.incidents[position]);
                assert_eq!(dropped.quality[position], scored, "{source}");
                checked += usize::from(set_aside);
            }
        }
    }
    assert!(checked > 30, "only {checked} postmortems checked");
    assert!(timelines > 10, "only {timelines} timelines read back");
}

/// A postmortem edited between parsing and writing its page fails the build, naming the
/// file: its page would disagree with the lists and indexes made from the first version.
#[test]
fn a_postmortem_changed_while_the_site_builds_fails_the_build() {
    use hindsight::analyze::site::{AnalyzeOptions, BodyHtml, SourcePages};
    let site = Site::new().file(
        "content/a.md",
        postmortem("A", "started_at: 2024-01-02T00:00:00Z\n"),
    );
    let project = hindsight::app::project::load(site.root()).unwrap();
    let options = AnalyzeOptions::default();
    let (analyzed, _) = hindsight::app::project::analyze(
        &project.config,
        &project.sources,
        options,
        BodyHtml::Drop,
    );
    let pages = SourcePages::of(&analyzed.incidents);
    let incident = &analyzed.incidents[0];
    let load = || {
        let (sources, config) = (&project.sources, &project.config);
        hindsight::app::project::body_again(sources, config, &pages, incident, None)
    };
    assert!(load().is_ok());
    std::fs::write(
        site.root().join("content/a.md"),
        postmortem("A", "started_at: 2024-01-02T00:00:00Z\n") + "\nA paragraph added meanwhile.\n",
    )
    .unwrap();
    let error = load().unwrap_err().to_string();
    assert!(
        error.contains("content/a.md") && error.contains("changed"),
        "{error}"
    );
    std::fs::remove_file(site.root().join("content/a.md")).unwrap();
    let error = load().unwrap_err().to_string();
    assert!(error.contains("content/a.md"), "{error}");
}

/// A build sets each body aside as its file is parsed, so a postmortem edited or removed
/// between parsing and writing its page keeps the page of the version the lists and
/// indexes were made from.
#[test]
fn a_postmortem_changed_while_the_site_builds_keeps_the_page_it_was_parsed_with() {
    use hindsight::analyze::site::{AnalyzeOptions, BodyHtml, SourcePages};
    let site = Site::new().file(
        "content/a.md",
        postmortem("A", "started_at: 2024-01-02T00:00:00Z\n"),
    );
    let project = hindsight::app::project::load(site.root()).unwrap();
    let file = AsideFile::new_in(site.root()).unwrap();
    let (analyzed, _) = hindsight::app::project::analyze(
        &project.config,
        &project.sources,
        AnalyzeOptions::default(),
        BodyHtml::SetAside(&file),
    );
    let pages = SourcePages::of(&analyzed.incidents);
    let incident = &analyzed.incidents[0];
    let load = || {
        let (sources, config) = (&project.sources, &project.config);
        hindsight::app::project::body_again(sources, config, &pages, incident, Some(&file))
    };
    let parsed = load().unwrap();
    assert!(parsed.plain_text.contains("What happened"), "{parsed:?}");
    std::fs::write(
        site.root().join("content/a.md"),
        postmortem("A", "started_at: 2024-01-02T00:00:00Z\n") + "\nA paragraph added meanwhile.\n",
    )
    .unwrap();
    assert_eq!(load().unwrap(), parsed);
    std::fs::remove_file(site.root().join("content/a.md")).unwrap();
    assert_eq!(load().unwrap(), parsed);
}

/// Where the temporary folder cannot take the file of bodies (it does not exist, or is a
/// file), a build renders each body again from its file instead, and the site is the one
/// a build that set them aside writes, byte for byte.
#[test]
fn a_build_without_a_usable_temporary_folder_writes_the_same_site() {
    let scratch = tempfile::tempdir().unwrap();
    let not_a_folder = scratch.path().join("a-file");
    std::fs::write(&not_a_folder, "").unwrap();
    let build = |name: &str, tmpdir: &std::path::Path| {
        let out = scratch.path().join(name);
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_hindsight"))
            .args(["build", "--as-of", "2026-01-01", "--output"])
            .arg(&out)
            .arg("--root")
            .arg(crate::support::repo_root())
            .env("TMPDIR", tmpdir)
            .env("TMP", tmpdir)
            .env("TEMP", tmpdir)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{name}: {stderr}");
        crate::support::tree(&out)
    };
    let usual = build("usual", scratch.path());
    assert!(
        usual.len() > 50,
        "the example's site: {} files",
        usual.len()
    );
    for (name, tmpdir) in [
        ("missing", scratch.path().join("missing")),
        ("file", not_a_folder.clone()),
    ] {
        let again = build(name, &tmpdir);
        let differing: Vec<&String> = (usual.keys().chain(again.keys()))
            .filter(|path| usual.get(*path) != again.get(*path))
            .collect();
        assert!(differing.is_empty(), "{name}: {differing:?}");
    }
    // Nothing of the file of bodies is left in the folder that took it.
    let left: Vec<_> = std::fs::read_dir(scratch.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".hindsight-bodies"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}
