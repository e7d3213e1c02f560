//! What `build` may replace: only its own output. A file is never replaced, a folder
//! Hindsight did not write only with `--force`, and one build at a time writes an output;
//! staging folders of builds killed part-way are cleaned up by the next build.

use std::fs;

use crate::support::{Site, entries};

const GOOD: &str = "---\ntitle: Cache outage\nseverity: SEV2\n---\nBody.\n";

#[test]
fn an_existing_file_as_output_is_refused_and_kept() {
    let site = Site::new().file("content/good.md", GOOD);
    let config = site.root().join("hindsight.toml");
    fs::write(&config, "title = \"Archive\"\n").unwrap();
    let build = site.build_with(&["--output", config.to_str().unwrap()]);
    build.assert_code(2);
    assert!(
        build.stderr.contains("it is a file, not a folder"),
        "{}",
        build.stderr
    );
    assert_eq!(
        fs::read_to_string(&config).unwrap(),
        "title = \"Archive\"\n"
    );
    assert_eq!(
        entries(site.root()),
        ["content", "hindsight.toml"].map(String::from).into(),
        "nothing renamed or left beside it"
    );
}

#[test]
fn a_folder_hindsight_did_not_write_is_kept_unless_forced() {
    let site = Site::new()
        .file("content/good.md", GOOD)
        .file("docs/handbook.md", "# Our handbook\n")
        .file("docs/img/logo.png", [0x89, b'P', b'N', b'G']);
    let docs = site.root().join("docs");
    let refused = site.build_with(&["--output", docs.to_str().unwrap()]);
    refused.assert_code(2);
    for part in [
        "refusing to replace",
        "docs",
        "2 files or folders",
        "--force",
    ] {
        assert!(
            refused.stderr.contains(part),
            "{part:?}: {}",
            refused.stderr
        );
    }
    assert_eq!(
        fs::read_to_string(docs.join("handbook.md")).unwrap(),
        "# Our handbook\n"
    );
    assert!(!docs.join("index.html").exists());

    let forced = site.build_with(&["--output", docs.to_str().unwrap(), "--force"]);
    forced.assert_code(0);
    assert!(docs.join("index.html").is_file());
    assert!(
        !docs.join("handbook.md").exists(),
        "--force replaces the folder"
    );
}

#[test]
fn a_folder_from_an_earlier_build_is_replaced() {
    let site = Site::new().file("content/good.md", GOOD);
    site.build().assert_code(0);
    let out = site.root().join("public");
    assert!(
        out.join(".hindsight-output").is_file(),
        "the marker is written"
    );
    fs::write(out.join("stray.html"), "left by hand").unwrap();
    site.build().assert_code(0);
    assert!(!out.join("stray.html").exists());
    assert!(out.join("index.html").is_file());
}

#[test]
fn an_empty_folder_is_fine() {
    let site = Site::new()
        .file("content/good.md", GOOD)
        .file("site/.keep", "");
    fs::remove_file(site.root().join("site/.keep")).unwrap();
    let out = site.root().join("site");
    site.build_with(&["--output", out.to_str().unwrap()])
        .assert_code(0);
    assert!(out.join("index.html").is_file());
}

#[test]
fn staging_folders_of_killed_builds_are_removed() {
    let site = Site::new()
        .file("content/good.md", GOOD)
        .file(".public.hindsight-new-4242/index.html", "half a site")
        .file(".public.hindsight-old-4243/index.html", "an old site")
        .file(".other.hindsight-new-4244/index.html", "another output's")
        .file(
            ".public.hindsight-new-notes/keep.txt",
            "not a staging folder",
        );
    site.build().assert_code(0);
    assert_eq!(
        entries(site.root()),
        [
            ".other.hindsight-new-4244",
            ".public.hindsight-new-notes",
            "content",
            "public"
        ]
        .map(String::from)
        .into(),
        "only this output's staging folders go"
    );
}

#[test]
fn a_second_build_of_the_same_output_waits_its_turn() {
    let site = Site::new().file("content/good.md", GOOD);
    // What a running build holds: the lock file beside the output, locked.
    let lock_path = site.root().join(".public.hindsight-lock");
    let lock = fs::File::create(&lock_path).unwrap();
    lock.lock().unwrap();
    let build = site.build();
    build.assert_code(2);
    assert!(
        build.stderr.contains("another hindsight build is writing"),
        "{}",
        build.stderr
    );
    assert!(!site.root().join("public").exists());
    drop(lock);
    site.build().assert_code(0);
    assert!(!lock_path.exists(), "the lock goes with the build");
}

#[test]
fn terms_of_any_length_get_pages_with_short_file_names() {
    let long = "a-service-with-a-name-nobody-would-type-twice ".repeat(8);
    let file = format!(
        "---\ntitle: Long names\nslug: \"{long}\"\nservices: [\"{long}\"]\ntags: [\"{long}\"]\nroot_cause: \"{long}\"\n---\nBody.\n"
    );
    let site = Site::new().file("content/long.md", file);
    let build = site.build();
    build.assert_code(0);
    for dir in ["incidents", "services", "tags", "causes"] {
        let folders = build.folders(dir);
        assert!(!folders.is_empty(), "{dir}: {folders:?}");
        for name in folders {
            assert!(name.len() <= 89, "{dir}/{name} is {} bytes", name.len());
        }
    }
    let check = crate::check::hindsight(site.root(), &["check"]);
    assert_eq!(check.status.code(), Some(0), "check and build agree");
}
