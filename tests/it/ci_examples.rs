//! The publishing examples of `docs/ci/` (the GitHub workflow is also what `init` writes):
//! Hindsight is compiled only when no binary is cached for the pinned commit, so a run
//! that changes only postmortems spends its time on `check` and `build`.

use std::fs;
use std::process::Command;

use yaml_rust2::{Yaml, YamlLoader};

use crate::support::repo_root;

fn load(name: &str) -> Yaml {
    let text = fs::read_to_string(repo_root().join("docs/ci").join(name)).expect("read it");
    YamlLoader::load_from_str(&text)
        .expect("valid YAML")
        .remove(0)
}

fn text(yaml: &Yaml) -> &str {
    yaml.as_str().unwrap_or_default()
}

#[test]
fn the_github_workflow_compiles_hindsight_only_on_a_cache_miss() {
    let workflow = load("github-actions.yml");
    assert!(text(&workflow["env"]["HINDSIGHT_REV"]).contains("REPLACE-ME"));
    let steps = workflow["jobs"]["build"]["steps"]
        .as_vec()
        .expect("the build job's steps");
    let index = |pred: &dyn Fn(&Yaml) -> bool, what: &str| {
        steps
            .iter()
            .position(pred)
            .unwrap_or_else(|| panic!("a step that {what}"))
    };
    let key = index(&|s| text(&s["id"]) == "hindsight-key", "names the cache");
    let restore = index(
        &|s| text(&s["uses"]).starts_with("actions/cache/restore@"),
        "restores",
    );
    let install = index(&|s| text(&s["run"]).contains("cargo install"), "installs");
    let save = index(
        &|s| text(&s["uses"]).starts_with("actions/cache/save@"),
        "saves",
    );
    let check = index(
        &|s| text(&s["run"]).starts_with("hindsight check"),
        "checks",
    );
    assert!(key < restore && restore < install && install < save && save < check);

    // The key holds the pinned commit; install and save both happen only on a miss, and
    // install builds exactly the pinned commit.
    assert!(text(&steps[key]["run"]).contains("$HINDSIGHT_REV"));
    let miss = "steps.hindsight-cache.outputs.cache-hit != 'true'";
    assert_eq!(text(&steps[restore]["id"]), "hindsight-cache");
    for step in [install, save] {
        assert_eq!(text(&steps[step]["if"]), miss, "step {step}");
    }
    assert!(
        text(&steps[install]["run"]).contains(r#"--rev "$HINDSIGHT_REV""#),
        "{:?}",
        steps[install]
    );
    // The toolchain is set up only when something is compiled.
    let toolchain = index(
        &|s| text(&s["uses"]).starts_with("dtolnay/rust-toolchain"),
        "sets up Rust",
    );
    assert_eq!(text(&steps[toolchain]["if"]), miss);
    // Restore and save name the same file under the same key.
    for field in ["path", "key"] {
        assert_eq!(
            steps[restore]["with"][field], steps[save]["with"][field],
            "{field}"
        );
    }
    assert_eq!(
        text(&steps[restore]["with"]["path"]),
        "~/.cargo/bin/hindsight"
    );
}

/// Runs the GitLab example's `before_script` in `dir` with a `cargo` that only records
/// its arguments and installs a stand-in binary; returns what `cargo` was asked.
fn before_script(dir: &std::path::Path, script: &str) -> String {
    let bin = dir.join("fake-bin");
    fs::create_dir_all(&bin).expect("a folder");
    let cargo = bin.join("cargo");
    fs::write(
        &cargo,
        "#!/bin/sh\necho \"$@\" >> \"$CARGO_LOG\"\nmkdir -p .hindsight/bin\nprintf '#!/bin/sh\\necho hindsight 0.0.0\\n' > .hindsight/bin/hindsight\nchmod +x .hindsight/bin/hindsight\n",
    )
    .expect("write cargo");
    let status = Command::new("chmod")
        .arg("+x")
        .arg(&cargo)
        .status()
        .expect("chmod");
    assert!(status.success());
    let log = dir.join("cargo.log");
    let output = Command::new("sh")
        .arg("-ec")
        .arg(script)
        .current_dir(dir)
        .env(
            "PATH",
            format!(
                "{}:{}",
                bin.display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .env("CARGO_LOG", &log)
        .env("HINDSIGHT_GIT", "https://example.invalid/hindsight.git")
        .env("HINDSIGHT_REV", "0123456789abcdef0123456789abcdef01234567")
        .output()
        .expect("run sh");
    assert!(output.status.success(), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("hindsight 0.0.0"));
    fs::read_to_string(&log).unwrap_or_default()
}

#[test]
fn the_gitlab_pipeline_compiles_hindsight_only_when_its_cache_lacks_it() {
    let pipeline = load("gitlab-ci.yml");
    let default = &pipeline["default"];
    assert!(text(&pipeline["variables"]["HINDSIGHT_REV"]).contains("REPLACE-ME"));
    assert!(text(&default["cache"]["key"]).contains("$HINDSIGHT_REV"));
    let paths: Vec<&str> = default["cache"]["paths"]
        .as_vec()
        .expect("cached paths")
        .iter()
        .map(text)
        .collect();
    assert_eq!(paths, [".hindsight/"]);
    let script: Vec<&str> = default["before_script"]
        .as_vec()
        .expect("a before_script")
        .iter()
        .map(text)
        .collect();
    let script = script.join("\n");

    // A pipeline with an empty cache compiles the pinned commit into the cached folder;
    // the next one, given that folder back, compiles nothing.
    let dir = tempfile::tempdir().expect("a folder");
    let first = before_script(dir.path(), &script);
    assert_eq!(
        first.trim(),
        "install --locked --root .hindsight --git https://example.invalid/hindsight.git --rev 0123456789abcdef0123456789abcdef01234567 hindsight"
    );
    fs::remove_file(dir.path().join("cargo.log")).expect("clear the log");
    assert_eq!(before_script(dir.path(), &script), "");
}
