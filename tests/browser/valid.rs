//! Every page is valid HTML for the W3C Nu checker (vnu): the bundled example, the
//! archives in `tests/archives/` and the site of long values (`phone::built_sites`), in
//! one run of the checker over all their pages, failing on any error and printing each.
//!
//! The checker is `vnu.jar` from npm (`vnu-jar`), which `.ci/run` installs in
//! `target/vnu` with a Java runtime; `HINDSIGHT_VNU` names another `vnu.jar`. Without it
//! (or without `java`) the test says so and passes, except when `CI` is set: there it
//! fails, so CI can never skip it silently.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::phone::built_sites;
use super::*;

/// Where `.ci/run` installs the checker, relative to the crate.
const VNU: &str = "target/vnu/node_modules/vnu-jar/build/dist/vnu.jar";

/// `java` and `vnu.jar`, or `None` (skip) outside CI when either is missing.
fn checker() -> Option<(PathBuf, PathBuf)> {
    let jar = std::env::var_os("HINDSIGHT_VNU")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(VNU));
    match (find(&["java"]), jar.is_file()) {
        (Some(java), true) => Some((java, jar)),
        (java, _) => {
            let missing = if java.is_none() {
                "java".to_string()
            } else {
                jar.display().to_string()
            };
            assert!(
                std::env::var_os("CI").is_none(),
                "CI needs the W3C Nu checker: {missing} is missing (npm install vnu-jar in \
                 target/vnu, and a JRE: apt-get install default-jre-headless)"
            );
            eprintln!("skipped: the W3C Nu checker is not installed ({missing})");
            None
        }
    }
}

#[test]
fn every_page_of_every_site_is_valid_for_the_w3c_nu_checker() {
    let Some((java, jar)) = checker() else {
        return;
    };
    let work = tempfile::tempdir().expect("a work folder");
    let sites = built_sites(work.path());
    let output = Command::new(java)
        .arg("-jar")
        .arg(jar)
        .args(["--skip-non-html", "--errors-only", "--format", "gnu"])
        .args(&sites)
        .output()
        .expect("run the W3C Nu checker");
    let errors = String::from_utf8_lossy(&output.stderr);
    let errors = errors.replace(&format!("{}/", work.path().display()), "");
    let count = errors.lines().filter(|l| l.contains(": error:")).count();
    assert!(
        output.status.success() && count == 0,
        "the W3C Nu checker found {count} errors ({}):\n{errors}",
        output.status
    );
}
