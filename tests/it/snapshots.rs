//! Snapshots of what a user reads: one incident page with every field set, and the
//! diagnostics of a site full of bad files. Review changes with `cargo insta review`.

use crate::support::{Site, main_of};

#[test]
fn incident_page_with_every_field() {
    let build = Site::fixture("full-incident").build();
    build.assert_code(0);
    assert_eq!(build.stderr, "", "the fixture is clean");
    let page = build.page("incidents/checkout-outage/");
    insta::assert_snapshot!("incident_main", main_of(&page));
}

/// stdout with the timing and the temporary site folder replaced.
fn portable_summary(stdout: &str, root: &str) -> String {
    let stdout = stdout.replace(root, "[ROOT]");
    let Some(at) = stdout.find(" in ") else {
        return stdout;
    };
    let after = &stdout[at + 4..];
    let end = after.find(char::is_whitespace).unwrap_or(after.len());
    format!("{} in [TIME]{}", &stdout[..at], &after[end..])
}

#[test]
fn diagnostics_of_bad_files() {
    let build = Site::fixture("bad-files").build();
    build.assert_code(1);
    let root = build.root.to_str().unwrap().to_string();
    let printed = format!(
        "exit code: {}\n--- stdout\n{}--- stderr\n{}",
        build.code,
        portable_summary(&build.stdout, &root),
        build.stderr_portable()
    );
    insta::assert_snapshot!("bad_files_output", printed);
}
