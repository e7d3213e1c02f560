//! Incremental rebuilds: after each kind of change an author makes, the preview folder must
//! hold exactly what a full build of the same files writes, and the rebuild must have
//! rendered no more than the change reached.

use std::collections::BTreeSet;
use std::fs;
use std::path::PathBuf;

use chrono::NaiveDate;
use hindsight::app::build::{self, BuildOptions};
use hindsight::app::incremental::{FileChange, Scope, Session, SessionOptions, Update};
use hindsight::app::watch::ChangeSet;
use tempfile::TempDir;

use crate::support::{copy_tree, repo_root, tree};

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, 1).expect("a valid date")
}

/// A site in a temporary folder with a live session over it.
struct Preview {
    dir: TempDir,
    session: Session,
}

impl Preview {
    /// A copy of the bundled example (content and config).
    fn example() -> Preview {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let site = dir.path().join("site");
        copy_tree(&repo_root().join("content"), &site.join("content"));
        fs::copy(
            repo_root().join("hindsight.toml"),
            site.join("hindsight.toml"),
        )
        .expect("copy the config");
        Preview::start(dir)
    }

    fn start(dir: TempDir) -> Preview {
        let options = SessionOptions {
            root: dir.path().join("site"),
            out: dir.path().join("preview"),
            drafts: true,
            base_url: Some("/".into()),
            as_of: as_of(),
        };
        let (session, update) = Session::start(options).expect("the site builds");
        assert_eq!(update.scope, Scope::Everything);
        Preview { dir, session }
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join("site").join(relative)
    }

    fn read(&self, relative: &str) -> String {
        fs::read_to_string(self.path(relative)).expect("read a site file")
    }

    /// Writes a content file and applies the change, as the watcher would report it.
    fn write(&mut self, relative: &str, text: &str) -> Update {
        let path = self.path(relative);
        fs::create_dir_all(path.parent().expect("a parent folder")).expect("create folders");
        fs::write(&path, text).expect("write a site file");
        self.changed(&[relative])
    }

    /// Applies a change of the content paths `relative` (files or folders).
    /// Writes the `what` edit of the file at `relative` (which must change it) and checks
    /// that the rebuild rendered the pages it reached, not every page.
    fn edit(&mut self, relative: &str, what: &str, edited: &str) -> Update {
        assert_ne!(
            edited,
            self.read(relative),
            "the {what} edit changes the file"
        );
        let update = self.write(relative, edited);
        assert_eq!(update.scope, Scope::Reached, "{what}");
        update
    }

    fn changed(&mut self, relative: &[&str]) -> Update {
        let changes = ChangeSet {
            content: relative.iter().map(|r| self.path(r)).collect(),
            ..ChangeSet::default()
        };
        self.apply(&changes)
    }

    fn apply(&mut self, changes: &ChangeSet) -> Update {
        self.session.apply(changes).expect("the rebuild succeeds")
    }

    fn out(&self) -> PathBuf {
        self.dir.path().join("preview")
    }

    /// Panics, naming the differing pages, unless the preview folder holds exactly what a
    /// full build of the same files writes.
    fn assert_same_as_build(&self) {
        self.compare_with_build(|page| page.to_vec());
    }

    /// [`Preview::assert_same_as_build`] with each page's "Similar incidents" section left
    /// out: after edits in a row, the lists keep the word statistics of the first
    /// (`docs/similar.md`), so a list may be there on one side only. Blank lines are left
    /// out too: the section's own differ between a page with it and one without.
    fn assert_same_as_build_outside_similar(&self) {
        self.compare_with_build(|page| {
            let text = String::from_utf8_lossy(page);
            let text = match text.split_once("<section class=\"similar\">") {
                Some((before, rest)) => {
                    let after = rest.split_once("</section>").map_or("", |(_, a)| a);
                    format!("{before}{after}")
                }
                None => text.into_owned(),
            };
            let lines = text.lines().filter(|line| !line.trim().is_empty());
            lines.collect::<Vec<_>>().join("\n").into_bytes()
        });
    }

    fn compare_with_build(&self, shown: impl Fn(&[u8]) -> Vec<u8>) {
        let full = self.dir.path().join("full");
        let options = BuildOptions {
            root: self.dir.path().join("site"),
            output: Some(full.clone()),
            base_url: Some("/".into()),
            drafts: true,
            as_of: as_of(),
            ..BuildOptions::default()
        };
        build::build(&options).expect("the full build succeeds");
        let (served, built) = (tree(&self.out()), tree(&full));
        let names = |t: &std::collections::BTreeMap<String, Vec<u8>>| -> BTreeSet<String> {
            t.keys().cloned().collect()
        };
        let only_served: Vec<_> = names(&served).difference(&names(&built)).cloned().collect();
        let only_built: Vec<_> = names(&built).difference(&names(&served)).cloned().collect();
        let differ: Vec<_> = served
            .iter()
            .filter(|(path, bytes)| built.get(*path).is_some_and(|b| shown(b) != shown(bytes)))
            .map(|(path, _)| path.clone())
            .collect();
        assert!(
            only_served.is_empty() && only_built.is_empty() && differ.is_empty(),
            "preview differs from a full build\nonly in preview: {only_served:?}\nonly in build: {only_built:?}\ndifferent: {differ:?}"
        );
    }
}

const ONE: &str = "content/2024/2024-04-16-redis-maxmemory-eviction-storm.md";

fn incident_pages(written: &[String]) -> usize {
    written
        .iter()
        .filter(|p| p.starts_with("incidents/") && p.matches('/').count() == 2)
        .count()
}

/// The number of the one block of search documents that was written.
fn written_block(written: &[String]) -> String {
    written
        .iter()
        .find_map(|p| p.strip_prefix("search/d/")?.strip_suffix(".js"))
        .expect("a block of search documents was written")
        .to_string()
}

#[test]
fn a_body_edit_renders_its_own_page_alone() {
    let mut preview = Preview::example();
    let text = preview.read(ONE);
    // At the top, in the part of the text a search result keeps for its snippet.
    let update = preview.write(
        ONE,
        &text.replace("## Summary", "## Summary\n\nA new line."),
    );
    assert_eq!(update.files, [(ONE.to_string(), FileChange::Edited)]);
    assert_eq!(update.scope, Scope::Bodies);
    assert_eq!(update.rendered, 1);
    // The page, and in the search index the block holding the incident's document and
    // the one shard that holds the new words ("new" and "line" fall in the same one): not
    // every shard.
    let block = written_block(&update.written);
    let shards: Vec<&String> = update
        .written
        .iter()
        .filter(|p| p.starts_with("search/t/"))
        .collect();
    assert_eq!(shards.len(), 1, "{:?}", update.written);
    assert_eq!(
        update.written,
        [
            "incidents/2024-04-16-redis-maxmemory-eviction-storm/index.html".to_string(),
            format!("search/d/{block}.js"),
            shards[0].clone(),
        ]
    );
    preview.assert_same_as_build();

    // Saving the same bytes again changes nothing and renders nothing.
    let update = preview.changed(&[ONE]);
    assert_eq!(update.scope, Scope::Nothing);
    assert!(update.files.is_empty() && update.written.is_empty());
}

/// A body edit that changes the quality score (a section added) changes `/health/` too,
/// so it is not a body-only edit.
#[test]
fn a_body_edit_that_changes_the_quality_score_renders_the_health_page() {
    let mut preview = Preview::example();
    let text = preview.read(ONE);
    let health = preview.out().join("health/index.html");
    let before = fs::read_to_string(&health).expect("the health page");
    let update = preview.write(
        ONE,
        &format!("{text}\n## Contributing factors\n\nNo alert on evictions.\n"),
    );
    assert_ne!(update.scope, Scope::Bodies);
    assert!(
        update.written.iter().any(|p| p == "health/index.html"),
        "{:?}",
        update.written
    );
    assert_ne!(
        fs::read_to_string(&health).expect("the health page"),
        before
    );
    preview.assert_same_as_build();
}

/// Scores are kept between rebuilds for the incidents no change touched: after one file's
/// score changes and another file is edited, `/health/` shows the first file's new score,
/// not the one it had when the scores were first taken.
#[test]
fn quality_scores_kept_between_rebuilds_follow_later_edits() {
    let mut preview = Preview::example();
    let one = preview.read(ONE);
    let other = "content/2021/2021-03-09-coredns-conntrack-udp-drops.md";
    let other_text = preview.read(other);
    preview.write(
        ONE,
        &format!("{one}\n## Contributing factors\n\nNo alert on evictions.\n"),
    );
    preview.write(
        other,
        &other_text.replacen("title: \"", "title: \"Retitled ", 1),
    );
    let health = fs::read_to_string(preview.out().join("health/index.html")).expect("health");
    preview.assert_same_as_build();
    // Back as it was: the score the first rebuild kept is gone again.
    preview.write(ONE, &one);
    preview.write(other, &other_text);
    assert_ne!(
        fs::read_to_string(preview.out().join("health/index.html")).expect("health"),
        health
    );
    preview.assert_same_as_build();
}

#[test]
fn metadata_edits_match_a_full_build() {
    let mut preview = Preview::example();
    let text = preview.read(ONE);
    let edits = [
        ("title", text.replacen("title: \"", "title: \"Renamed ", 1)),
        (
            "services",
            text.replacen("services: [", "services: [brand-new-service, ", 1),
        ),
        (
            "start",
            text.replacen("2024-04-16T12:20", "2019-01-01T12:20", 1),
        ),
        ("tags", text.replacen("tags: [", "tags: [fresh-tag, ", 1)),
        (
            "severity",
            text.replacen("severity: SEV2", "severity: SEV4", 1),
        ),
        ("back", text.clone()),
    ];
    for (what, edited) in edits {
        let update = preview.edit(ONE, what, &edited);
        assert!(
            incident_pages(&update.written) < 21,
            "{what}: not every incident page is rewritten: {:?}",
            update.written
        );
        preview.assert_same_as_build();
    }
}

/// A title edit changes the pages that show the title, and only those are written: the
/// incident's own, the pages listing it (related incidents, facet pages, the incident
/// list, home, exports, feeds) and the search files that hold it. Edits in a row, and
/// back, match a full build.
#[test]
fn a_title_edit_writes_only_the_pages_that_show_the_title() {
    let mut preview = Preview::example();
    // A postmortem whose body links to no other file (links are resolved across files, so
    // an edit to one with links assembles the site again).
    let file = "content/2022/2022-02-17-orders-migration-lock-queue.md";
    let old_title = "Checkout stalled behind an ALTER TABLE";
    let text = preview.read(file);
    let lists_it: Vec<String> = tree(&preview.out())
        .into_iter()
        .filter(|(path, bytes)| {
            path.starts_with("incidents/")
                && !path.contains("orders-migration-lock-queue")
                && String::from_utf8_lossy(bytes).contains(old_title)
        })
        .map(|(path, _)| path)
        .collect();
    assert!(!lists_it.is_empty(), "some page lists the incident");
    for (round, title) in ["Renamed: cache evictions", "Renamed again", ""]
        .iter()
        .enumerate()
    {
        let edited = match *title {
            "" => text.clone(),
            title => retitled(&text, title),
        };
        let update = preview.write(file, &edited);
        assert_eq!(update.scope, Scope::Reached, "round {round}");
        // The order, facets and related lists cannot change: the site is not assembled
        // again (`serve --timings` shows no such stage).
        assert!(
            !update.stages.iter().any(|(stage, _)| *stage == "assemble"),
            "round {round}: {:?}",
            update.stages
        );
        let shown = if title.is_empty() { old_title } else { title };
        for page in &update.written {
            let bytes = fs::read(preview.out().join(page)).expect("a written page");
            assert!(
                page.starts_with("search/") || String::from_utf8_lossy(&bytes).contains(shown),
                "round {round}: {page} was written but does not show the title"
            );
        }
        for page in &lists_it {
            assert!(update.written.contains(page), "round {round}: {page}");
        }
        preview.assert_same_as_build();
    }
}

/// Prose fields that no list, facet or trend is made from (summary, impact, detection,
/// trigger) are edited in place like a title: without assembling the site again, and the
/// preview matches a full build (outside similar incidents after the first edit, as
/// `docs/similar.md` says), also when a field is removed (`/health/` scores whether it is
/// written) and when the file goes back.
#[test]
fn prose_field_edits_are_made_in_place_and_match_a_full_build() {
    let mut preview = Preview::example();
    let file = "content/2022/2022-02-17-orders-migration-lock-queue.md";
    let text = preview.read(file);
    let without_impact: String = {
        let start = text.find("impact: >").expect("an impact block");
        let end = text.find("detection: ").expect("a detection line");
        format!("{}{}", &text[..start], &text[end..])
    };
    let edits = [
        (
            "summary",
            text.replacen("A routine migration", "A routine, reviewed migration", 1),
        ),
        (
            "impact",
            text.replacen("71% of checkout", "72% of checkout", 1),
        ),
        ("no impact", without_impact),
        (
            "detection",
            text.replacen("5xx alert at 18:06", "5xx page at 18:06", 1),
        ),
        (
            "trigger",
            text.replacen("during peak traffic", "at the daily peak", 1),
        ),
        ("back", text.clone()),
    ];
    for (round, (what, edited)) in edits.into_iter().enumerate() {
        let update = preview.edit(file, what, &edited);
        assert!(
            !update.stages.iter().any(|(stage, _)| *stage == "assemble"),
            "{what}: {:?}",
            update.stages
        );
        assert!(
            update
                .written
                .iter()
                .any(|page| page == "data/incidents.json"),
            "{what}: the JSON export shows the field: {:?}",
            update.written
        );
        // Later edits keep the word statistics of the first (`docs/similar.md`).
        match round {
            0 => preview.assert_same_as_build(),
            _ => preview.assert_same_as_build_outside_similar(),
        }
    }
}

/// The text with the front matter's title replaced.
fn retitled(text: &str, title: &str) -> String {
    let line = text
        .lines()
        .find(|line| line.starts_with("title:"))
        .expect("a title line");
    text.replacen(line, &format!("title: \"{title}\""), 1)
}

#[test]
fn files_added_renamed_and_removed_match_a_full_build() {
    let mut preview = Preview::example();
    let new = "content/2025/2025-09-01-new-outage.md";
    let text = "---\ntitle: A new outage\nseverity: SEV1\nstarted_at: 2025-05-01T10:00:00Z\nresolved_at: 2025-05-01T11:00:00Z\nservices: [redis-cache]\nroot_cause: caching\nrelated: [2024-04-16-redis-maxmemory-eviction-storm]\n---\n\nWhat happened.\n";
    let update = preview.write(new, text);
    assert_eq!(update.files, [(new.to_string(), FileChange::Added)]);
    assert!(
        update
            .written
            .contains(&"incidents/2025-09-01-new-outage/index.html".to_string())
    );
    preview.assert_same_as_build();

    // A rename is a removal and an addition; the slug follows the file name.
    let renamed = "content/2025/2025-09-01-renamed-outage.md";
    fs::rename(preview.path(new), preview.path(renamed)).expect("rename");
    let update = preview.changed(&[new, renamed]);
    assert!(
        update
            .removed
            .contains(&"incidents/2025-09-01-new-outage/index.html".to_string())
    );
    preview.assert_same_as_build();

    fs::remove_file(preview.path(renamed)).expect("remove");
    let update = preview.changed(&[renamed]);
    assert_eq!(update.files, [(renamed.to_string(), FileChange::Removed)]);
    assert!(
        !preview
            .out()
            .join("incidents/2025-09-01-renamed-outage")
            .exists()
    );
    preview.assert_same_as_build();

    // A folder of postmortems moved in at once, then removed at once.
    let folder = preview.dir.path().join("incoming");
    for (name, day) in [("a.md", "02"), ("b.md", "03")] {
        fs::create_dir_all(&folder).expect("create a folder");
        let text = format!(
            "---\ntitle: Incoming {name}\nstarted_at: 2025-04-{day}T10:00:00Z\nservices: [new-svc]\n---\n\nBody.\n"
        );
        fs::write(folder.join(name), text).expect("write");
    }
    fs::rename(&folder, preview.path("content/incoming")).expect("move the folder in");
    let update = preview.changed(&["content/incoming"]);
    assert_eq!(update.files.len(), 2, "{:?}", update.files);
    preview.assert_same_as_build();
    fs::remove_dir_all(preview.path("content/incoming")).expect("remove the folder");
    let update = preview.changed(&["content/incoming"]);
    assert_eq!(
        update
            .removed
            .iter()
            .filter(|p| p.starts_with("incidents/"))
            .count(),
        2
    );
    preview.assert_same_as_build();
}

#[test]
fn broken_front_matter_keeps_the_last_good_page_until_fixed() {
    let mut preview = Preview::example();
    let page = preview
        .out()
        .join("incidents/2024-04-16-redis-maxmemory-eviction-storm/index.html");
    let good = fs::read(&page).expect("the page exists");
    let text = preview.read(ONE);
    let update = preview.write(ONE, &text.replacen("severity: SEV2", "severity: [SEV2", 1));
    assert!(
        update
            .diagnostics
            .iter()
            .any(|d| d.code.to_string() == "H002")
    );
    let problems = preview.session.problems();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with(&format!("{ONE}:")) && problems[0].contains("error[H002]"),
        "{}",
        problems[0]
    );
    assert_eq!(fs::read(&page).expect("the page is still there"), good);

    preview.write(ONE, &text.replacen("title: \"", "title: \"Fixed ", 1));
    assert!(preview.session.problems().is_empty());
    preview.assert_same_as_build();
}

#[test]
fn duplicates_drafts_and_links_between_files_match_a_full_build() {
    let mut preview = Preview::example();
    // A second file with a slug already taken is skipped, then wins once the first goes.
    let twin = "content/zz/twin.md";
    let taken = "---\ntitle: Twin\nslug: 2024-04-16-redis-maxmemory-eviction-storm\nstarted_at: 2025-01-01T00:00:00Z\n---\n\nTwin body.\n";
    preview.write(twin, taken);
    preview.assert_same_as_build();
    let original = preview.read(ONE);
    fs::remove_file(preview.path(ONE)).expect("remove");
    preview.changed(&[ONE]);
    preview.assert_same_as_build();
    preview.write(ONE, &original);
    preview.assert_same_as_build();

    // A draft is shown in the preview, and its status can change back and forth.
    let draft = "content/zz/draft.md";
    preview.write(
        draft,
        "---\ntitle: Draft\nstatus: draft\nstarted_at: 2025-02-01T00:00:00Z\n---\n\nDraft.\n",
    );
    preview.assert_same_as_build();
    preview.write(
        draft,
        "---\ntitle: Draft\nstatus: final\nstarted_at: 2025-02-01T00:00:00Z\n---\n\nDraft.\n",
    );
    preview.assert_same_as_build();

    // A body link to another postmortem's file resolves to its page, and follows a rename.
    let linking = "content/zz/linking.md";
    preview.write(linking, "---\ntitle: Linking\nstarted_at: 2025-03-01T00:00:00Z\n---\n\nSee [the draft](draft.md).\n");
    preview.assert_same_as_build();
    fs::rename(
        preview.path(draft),
        preview.path("content/zz/draft-renamed.md"),
    )
    .expect("rename");
    preview.changed(&[draft, "content/zz/draft-renamed.md"]);
    preview.assert_same_as_build();
    // Body edits of a file with links take the general path, and stay right.
    let text = preview.read(linking);
    preview.write(linking, &text.replace("See", "Also see"));
    preview.assert_same_as_build();
}

#[test]
fn config_template_and_static_changes_match_a_full_build() {
    let mut preview = Preview::example();
    let config = preview.read("hindsight.toml");
    fs::write(
        preview.path("hindsight.toml"),
        format!("{config}\n# a comment\n"),
    )
    .expect("write");
    let update = preview.apply(&ChangeSet {
        config: true,
        ..ChangeSet::default()
    });
    assert_eq!(update.scope, Scope::Nothing, "a comment changes no setting");

    let retitled = config.replacen("title = ", "title = \"Renamed archive\"\n# was: ", 1);
    fs::write(preview.path("hindsight.toml"), retitled).expect("write");
    let update = preview.apply(&ChangeSet {
        config: true,
        ..ChangeSet::default()
    });
    assert_eq!(update.scope, Scope::Everything);
    preview.assert_same_as_build();

    fs::write(preview.path("hindsight.toml"), "title = [").expect("write");
    let update = preview.apply(&ChangeSet {
        config: true,
        ..ChangeSet::default()
    });
    assert!(update.written.is_empty());
    let problems = preview.session.problems();
    assert!(
        problems.iter().any(|p| p.contains("hindsight.toml:1:")),
        "{problems:?}"
    );
    fs::write(preview.path("hindsight.toml"), &config).expect("write");
    preview.apply(&ChangeSet {
        config: true,
        ..ChangeSet::default()
    });
    assert!(preview.session.problems().is_empty());
    preview.assert_same_as_build();

    let theme = ChangeSet {
        theme: true,
        ..ChangeSet::default()
    };
    fs::create_dir_all(preview.path("static")).expect("create static/");
    fs::write(preview.path("static/extra.css"), "body { color: red }").expect("write");
    let update = preview.apply(&theme);
    assert_eq!(update.scope, Scope::Reached);
    assert!(update.written.contains(&"static/extra.css".to_string()));
    preview.assert_same_as_build();

    let base = fs::read_to_string(repo_root().join("themes/default/templates/404.html"))
        .expect("read a template");
    fs::create_dir_all(preview.path("templates")).expect("create templates/");
    let mine = base.replace("Page not found", "Nothing here");
    fs::write(preview.path("templates/404.html"), mine).expect("write");
    let update = preview.apply(&theme);
    assert_eq!(update.scope, Scope::Everything);
    assert_eq!(
        update.written,
        ["404.html"],
        "only the bytes that changed are written"
    );
    preview.assert_same_as_build();

    // A template with a syntax error keeps the last good theme and says why.
    fs::write(preview.path("templates/404.html"), "{% if %}").expect("write");
    let update = preview.apply(&theme);
    assert!(update.written.is_empty());
    assert!(
        preview
            .session
            .problems()
            .iter()
            .any(|p| p.contains("404.html"))
    );
}

#[test]
fn a_row_template_change_renders_every_row_again() {
    let mut preview = Preview::example();
    let base = fs::read_to_string(repo_root().join("themes/default/templates/incident_row.html"))
        .expect("read a template");
    fs::create_dir_all(preview.path("templates")).expect("create templates/");
    fs::write(
        preview.path("templates/incident_row.html"),
        format!("<!-- row -->{base}"),
    )
    .expect("write");
    let update = preview.apply(&ChangeSet {
        theme: true,
        ..ChangeSet::default()
    });
    assert_eq!(update.scope, Scope::Everything);
    assert!(update.written.contains(&"incidents/index.html".to_string()));
    preview.assert_same_as_build();
    // Rows made with the new template are kept for the next edit.
    let text = preview.read(ONE);
    preview.write(ONE, &text.replacen("title: \"", "title: \"Renamed ", 1));
    preview.assert_same_as_build();
}

/// The JSON export's object for the incident `slug`, as the preview holds it.
fn exported(preview: &Preview, slug: &str) -> serde_json::Value {
    let json = fs::read_to_string(preview.out().join("data/incidents.json")).expect("the export");
    let json: serde_json::Value = serde_json::from_str(&json).expect("the export is JSON");
    json["incidents"]
        .as_array()
        .and_then(|all| all.iter().find(|i| i["slug"] == slug))
        .cloned()
        .unwrap_or_else(|| panic!("{slug} is not exported"))
}

#[test]
fn export_lines_kept_between_rebuilds_match_a_full_build() {
    let mut preview = Preview::example();
    let text = preview.read(ONE);
    // A field only the JSON export and the incident's own page show: no table row and no
    // CSV record changes.
    let update = preview.write(
        ONE,
        &text.replacen("impact: >\n", "impact: >\n  Edited.\n", 1),
    );
    assert_eq!(update.scope, Scope::Reached);
    assert!(update.written.contains(&"data/incidents.json".to_string()));
    assert!(!update.written.contains(&"data/incidents.csv".to_string()));
    assert_eq!(incident_pages(&update.written), 1, "{:?}", update.written);
    preview.assert_same_as_build();
    // An open item no longer overdue as of the session's date.
    preview.write(ONE, &text.replacen("due: 2024-07-31", "due: 2025-07-31", 1));
    preview.assert_same_as_build();

    // An incident's export depends on others through its recurrence: adding and removing
    // a postmortem changes the record of one that was not touched.
    let recurring = |day: &str| {
        format!(
            "---\ntitle: Recurring {day}\nstarted_at: 2025-01-{day}T10:00:00Z\nresolved_at: 2025-01-{day}T11:00:00Z\nservices: [recur-svc]\nroot_cause: caching\n---\n\nBody.\n"
        )
    };
    preview.write("content/zz/recur-a.md", &recurring("01"));
    preview.write("content/zz/recur-c.md", &recurring("21"));
    assert_eq!(exported(&preview, "recur-c")["recurrence_of"], "recur-a");
    preview.assert_same_as_build();
    preview.write("content/zz/recur-b.md", &recurring("11"));
    assert_eq!(exported(&preview, "recur-c")["recurrence_of"], "recur-b");
    preview.assert_same_as_build();
    fs::remove_file(preview.path("content/zz/recur-b.md")).expect("remove");
    preview.changed(&["content/zz/recur-b.md"]);
    assert_eq!(exported(&preview, "recur-c")["recurrence_of"], "recur-a");
    preview.assert_same_as_build();

    // A change that leaves every export line as it was: a new file that does not parse
    // takes the general path, and the exports joined from the kept lines are unchanged.
    let update = preview.write("content/zz/broken.md", "---\ntitle: [\n---\n\nBody.\n");
    assert_eq!(update.scope, Scope::Reached);
    assert!(update.written.is_empty(), "{:?}", update.written);
    preview.assert_same_as_build();

    // Lines kept through a rebuild that did not render the exports (a body edit of a file
    // with links to other files) are still right for the next one that does.
    let linking = "content/zz/linking.md";
    preview.write(
        linking,
        "---\ntitle: Linking\nstarted_at: 2025-03-01T00:00:00Z\n---\n\nSee [a](recur-a.md).\n",
    );
    let update = preview.write(
        linking,
        "---\ntitle: Linking\nstarted_at: 2025-03-01T00:00:00Z\n---\n\nAlso see [a](recur-a.md).\n",
    );
    assert_eq!(update.scope, Scope::Bodies);
    preview.write(ONE, &text.replacen("title: \"", "title: \"Renamed ", 1));
    preview.assert_same_as_build();
}

#[test]
fn a_removed_content_folder_empties_the_archive_and_comes_back() {
    let mut preview = Preview::example();
    let content = preview.path("content");
    let aside = preview.dir.path().join("aside");
    fs::rename(&content, &aside).expect("move content away");
    preview.changed(&["content"]);
    assert!(
        !preview
            .out()
            .join("incidents/2024-04-16-redis-maxmemory-eviction-storm")
            .exists()
    );
    preview.assert_same_as_build();
    fs::rename(&aside, &content).expect("move content back");
    preview.changed(&["content"]);
    preview.assert_same_as_build();
}

/// A preview of a small archive: `count` postmortems on two services, one a year from
/// 2020 on (two a year after the fifth), none with a severity, a root cause or a tag.
fn small_archive(count: usize) -> Preview {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let content = dir.path().join("site/content");
    fs::create_dir_all(&content).expect("create the content folder");
    fs::write(dir.path().join("site/hindsight.toml"), "").expect("write the config");
    for i in 0..count {
        let year = 2020 + i.min(4);
        let text = format!(
            "---\ntitle: Outage {i}\nstarted_at: {year}-0{}-10T10:00:00Z\nresolved_at: {year}-0{}-10T11:00:00Z\nservices: [{}]\n---\n\nBody.\n",
            i % 9 + 1,
            i % 9 + 1,
            ["api", "db"][i % 2]
        );
        fs::write(content.join(format!("o{i:02}.md")), text).expect("write a postmortem");
    }
    Preview::start(dir)
}

#[test]
fn a_facet_gaining_its_first_value_renders_every_page() {
    let mut preview = small_archive(6);
    assert!(
        !fs::read_to_string(preview.out().join("index.html"))
            .unwrap()
            .contains("severities/"),
        "no severity anywhere: the facet is not offered"
    );
    let text = preview.read("content/o03.md");
    let update = preview.write(
        "content/o03.md",
        &text.replace("services:", "severity: SEV2\nservices:"),
    );
    // The navigation of every page now offers severities, incident pages included.
    assert_eq!(incident_pages(&update.written), 6, "{:?}", update.written);
    preview.assert_same_as_build();
    let update = preview.write("content/o03.md", &text);
    assert_eq!(incident_pages(&update.written), 6);
    preview.assert_same_as_build();
}

#[test]
fn an_edit_that_moves_the_dense_range_redraws_every_term_page() {
    // Ten postmortems from 2020 to 2024, and two early ones in 2005 and 2006: too few to
    // be drawn, so every axis starts in 2020 …
    let mut preview = small_archive(10);
    for (name, year) in [("early-a", 2005), ("early-b", 2006)] {
        let text = format!(
            "---\ntitle: {name}\nstarted_at: {year}-05-05T10:00:00Z\nservices: [api]\n---\n\nBody.\n"
        );
        preview.write(&format!("content/{name}.md"), &text);
    }
    preview.assert_same_as_build();
    let db = |preview: &Preview| {
        fs::read_to_string(preview.out().join("services/db/index.html")).expect("the db page")
    };
    assert!(!db(&preview).contains("2005 Q"), "the axis starts in 2020");
    // … until a third early one makes them a quarter of the archive. The first and last
    // start dates stay what they were, yet the db page, whose incidents did not change,
    // is drawn over the new range.
    let text =
        "---\ntitle: early-c\nstarted_at: 2006-06-06T10:00:00Z\nservices: [api]\n---\n\nBody.\n";
    preview.write("content/early-c.md", text);
    assert!(
        db(&preview).contains("2005 Q2"),
        "the axis now starts in 2005"
    );
    preview.assert_same_as_build();
}

/// A preview of four postmortems on four topics, with no service, cause or tag in common
/// (so none is related to another), named by topic.
fn topical_archive() -> Preview {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let content = dir.path().join("site/content");
    fs::create_dir_all(&content).expect("create the content folder");
    fs::write(dir.path().join("site/hindsight.toml"), "").expect("write the config");
    for (name, title, body) in [
        (
            "kafka",
            "Consumer rebalance storm",
            "Kafka consumer group rebalance storm: consumers stalled and partitions lagged behind the brokers.",
        ),
        (
            "dns",
            "Resolver timeouts",
            "DNS resolver timeouts: conntrack table exhaustion dropped UDP packets on gateway nodes.",
        ),
        (
            "cert",
            "Expired certificate",
            "The TLS certificate on the edge expired; browsers refused the handshake until renewal.",
        ),
        (
            "disk",
            "Primary out of disk",
            "The Postgres primary disk filled with WAL kept for an abandoned replication slot.",
        ),
    ] {
        let text =
            format!("---\ntitle: {title}\nstarted_at: 2024-05-05T10:00:00Z\n---\n\n{body}\n");
        fs::write(content.join(format!("{name}.md")), text).expect("write a postmortem");
    }
    Preview::start(dir)
}

/// The titles a page lists under "Similar incidents".
fn similar_on(preview: &Preview, slug: &str) -> Vec<String> {
    let page = fs::read_to_string(preview.out().join(format!("incidents/{slug}/index.html")))
        .expect("the incident page");
    let Some(section) = page.split("<section class=\"similar\">").nth(1) else {
        return Vec::new();
    };
    let section = section.split("</section>").next().unwrap_or_default();
    section
        .split("<li><a href=\"")
        .skip(1)
        .filter_map(|li| Some(li.split_once("\">")?.1.split_once("</a>")?.0.to_string()))
        .collect()
}

#[test]
fn a_body_edit_renders_the_pages_it_becomes_similar_to() {
    let mut preview = topical_archive();
    assert_eq!(similar_on(&preview, "kafka"), Vec::<String>::new());
    let text = preview.read("content/disk.md");
    let about_kafka = "\nThe Kafka consumer group then went into a rebalance storm: consumers stalled behind the brokers.\n";
    let update = preview.write("content/disk.md", &format!("{text}{about_kafka}"));
    // Still a body edit: the edited page, and the one that now lists it.
    assert_eq!(update.scope, Scope::Bodies);
    assert_eq!(similar_on(&preview, "kafka"), ["Primary out of disk"]);
    assert_eq!(similar_on(&preview, "disk"), ["Consumer rebalance storm"]);
    let pages: BTreeSet<&str> = update
        .written
        .iter()
        .filter(|p| p.starts_with("incidents/"))
        .map(String::as_str)
        .collect();
    assert_eq!(
        pages,
        BTreeSet::from(["incidents/disk/index.html", "incidents/kafka/index.html"])
    );
    preview.assert_same_as_build();

    // A new title shows where the incident is listed as similar.
    let edited = preview.read("content/disk.md");
    let update = preview.write(
        "content/disk.md",
        &edited.replace("Primary out of disk", "Database disk full"),
    );
    assert!(
        update
            .written
            .contains(&"incidents/kafka/index.html".to_string())
    );
    assert_eq!(similar_on(&preview, "kafka"), ["Database disk full"]);
    preview.assert_same_as_build();

    // Taking the words out again takes it off the other page.
    let update = preview.write("content/disk.md", &text);
    assert!(
        update
            .written
            .contains(&"incidents/kafka/index.html".to_string())
    );
    assert_eq!(similar_on(&preview, "kafka"), Vec::<String>::new());
    preview.assert_same_as_build();
}

#[test]
fn a_title_edit_updates_the_similar_lists_it_reaches() {
    let mut preview = topical_archive();
    let disk = preview.read("content/disk.md");
    let about_kafka = "\nThe Kafka consumer group then went into a rebalance storm: consumers stalled behind the brokers.\n";
    preview.write("content/disk.md", &format!("{disk}{about_kafka}"));
    assert_eq!(similar_on(&preview, "kafka"), ["Primary out of disk"]);
    // A title about the same storm lists the DNS incident there too. The lists keep the
    // word statistics of the body edit (`docs/similar.md`): in an archive of four, the
    // shared words weigh otherwise than in a build, so only the rest is compared ...
    let dns = preview.read("content/dns.md");
    let retitled = dns.replace("Resolver timeouts", "Rebalance storm behind the brokers");
    let update = preview.write("content/dns.md", &retitled);
    assert_eq!(update.scope, Scope::Reached);
    let listed = ["Primary out of disk", "Rebalance storm behind the brokers"];
    assert_eq!(similar_on(&preview, "kafka"), listed);
    assert_eq!(similar_on(&preview, "disk")[1], listed[1]);
    preview.assert_same_as_build_outside_similar();
    // ... and taking the title back is the archive those statistics are of: a build's.
    let update = preview.write("content/dns.md", &dns);
    assert_eq!(update.scope, Scope::Reached);
    assert_eq!(similar_on(&preview, "kafka"), ["Primary out of disk"]);
    preview.assert_same_as_build();
}

#[test]
fn an_incident_that_becomes_related_leaves_the_similar_list() {
    let mut preview = topical_archive();
    let disk = preview.read("content/disk.md");
    let about_kafka = "\nThe Kafka consumer group then went into a rebalance storm: consumers stalled behind the brokers.\n";
    preview.write("content/disk.md", &format!("{disk}{about_kafka}"));
    assert_eq!(similar_on(&preview, "kafka"), ["Primary out of disk"]);
    // One service in common makes the two related: listed there, never again as similar.
    for name in ["kafka", "disk"] {
        let path = format!("content/{name}.md");
        let text = preview.read(&path);
        let update = preview.write(
            &path,
            &text.replace("started_at:", "services: [queue]\nstarted_at:"),
        );
        assert_eq!(update.scope, Scope::Reached);
    }
    assert_eq!(similar_on(&preview, "kafka"), Vec::<String>::new());
    assert_eq!(similar_on(&preview, "disk"), Vec::<String>::new());
    preview.assert_same_as_build();
}

#[test]
fn a_start_time_that_reorders_the_archive_keeps_the_similar_lists_right() {
    let mut preview = topical_archive();
    let disk = preview.read("content/disk.md");
    let about_kafka = "\nThe Kafka consumer group then went into a rebalance storm: consumers stalled behind the brokers.\n";
    let with_kafka = format!("{disk}{about_kafka}");
    preview.write("content/disk.md", &with_kafka);
    assert_eq!(similar_on(&preview, "kafka"), ["Primary out of disk"]);
    // A day earlier: from first of four on 2024-05-05 (by slug) to last, alone on the
    // 4th. The lists the model keeps by position follow the incidents to their places
    // (debug builds check them against the previous lists, slug by slug).
    let earlier = with_kafka.replace("2024-05-05T10:00:00Z", "2024-05-04T10:00:00Z");
    let update = preview.write("content/disk.md", &earlier);
    assert_eq!(update.scope, Scope::Reached);
    let list = fs::read_to_string(preview.out().join("incidents/index.html")).expect("the list");
    let at = |slug: &str| list.find(&format!("incidents/{slug}/")).expect("listed");
    assert!(
        at("disk") > at("kafka") && at("disk") > at("dns"),
        "now the oldest"
    );
    assert_eq!(similar_on(&preview, "kafka"), ["Primary out of disk"]);
    assert_eq!(similar_on(&preview, "disk"), ["Consumer rebalance storm"]);
    preview.assert_same_as_build();
    // The next edits update the renumbered lists: the words out, then the time back.
    let update = preview.write(
        "content/disk.md",
        &disk.replace("2024-05-05T10", "2024-05-04T10"),
    );
    assert_eq!(update.scope, Scope::Bodies);
    assert_eq!(similar_on(&preview, "kafka"), Vec::<String>::new());
    preview.write("content/disk.md", &disk);
    assert_eq!(similar_on(&preview, "kafka"), Vec::<String>::new());
    assert_eq!(similar_on(&preview, "disk"), Vec::<String>::new());
    preview.assert_same_as_build_outside_similar();
}

#[test]
fn body_edits_in_a_row_update_the_similar_lists_they_reach() {
    let mut preview = topical_archive();
    let text = preview.read("content/disk.md");
    let about_kafka = "\nThe Kafka consumer group then went into a rebalance storm: consumers stalled behind the brokers.\n";
    let with_kafka = format!("{text}{about_kafka}");
    // The first body edit computes every list, as a build does; the next ones update
    // only the lists the edited incident enters or leaves.
    for (body, listed) in [
        (&with_kafka, vec!["Primary out of disk"]),
        (&text, vec![]),
        (&with_kafka, vec!["Primary out of disk"]),
    ] {
        let update = preview.write("content/disk.md", body);
        assert_eq!(update.scope, Scope::Bodies);
        assert_eq!(similar_on(&preview, "kafka"), listed);
        assert!(
            update
                .written
                .contains(&"incidents/kafka/index.html".to_string()),
            "{:?}",
            update.written
        );
        preview.assert_same_as_build();
    }
    // An edit elsewhere leaves the lists as they are.
    let dns = preview.read("content/dns.md");
    let update = preview.write("content/dns.md", &format!("{dns}\nResolvers restarted.\n"));
    assert_eq!(update.scope, Scope::Bodies);
    assert!(
        !update
            .written
            .contains(&"incidents/kafka/index.html".to_string())
    );
    assert_eq!(similar_on(&preview, "kafka"), ["Primary out of disk"]);
    preview.assert_same_as_build();
}
