//! `hindsight schema`: the front matter's JSON Schema is a valid draft-07 schema, every
//! postmortem of this repository validates against its site's schema, it is never
//! stricter than Hindsight's own reading, and `init` and `new` point files at it.

use std::fs;
use std::path::Path;

use hindsight::model::config::Config;
use hindsight::model::diagnostics::{Diagnostic, Level};
use hindsight::model::vocab::Vocabularies;
use hindsight::parse::frontmatter;
use hindsight::parse::source::{ContentFilter, SourceFile, normalize_text};
use hindsight::render::schema::front_matter_schema;
use serde_json::Value;

use crate::check::hindsight;
use crate::support::{Site, repo_root};

fn validator(schema: &Value) -> jsonschema::Validator {
    jsonschema::draft7::meta::validate(schema).expect("the schema is a draft-07 schema");
    jsonschema::draft7::new(schema).expect("the schema compiles")
}

/// The front matter of `text` as JSON, `None` without one.
fn matter(text: &str) -> Option<Value> {
    let text = normalize_text(text);
    let document = frontmatter::parse(&text).ok()?;
    document.matter.as_ref().map(|node| node.to_json())
}

/// What the validator says about `instance`: "/path: message" per error.
fn errors(validator: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

fn site_config(root: &Path) -> Config {
    let text = fs::read_to_string(root.join("hindsight.toml")).unwrap_or_default();
    Config::parse(&text, "hindsight.toml").unwrap()
}

#[test]
fn every_postmortem_here_validates_against_its_sites_schema() {
    let mut roots = vec![repo_root()];
    for entry in fs::read_dir(repo_root().join("tests/archives")).unwrap() {
        roots.push(entry.unwrap().path());
    }
    let mut checked = 0;
    let mut failures = Vec::new();
    for root in &roots {
        let config = site_config(root);
        let validator = validator(&front_matter_schema(&config));
        let content = root.join(&config.content_dir);
        // The site's postmortems: not a template the site's `exclude` leaves out.
        let postmortems = ContentFilter::new(&config, &content);
        for entry in walkdir::WalkDir::new(&content) {
            let entry = entry.unwrap();
            if !postmortems.is_postmortem(entry.path()) {
                continue;
            }
            let Ok(text) = fs::read_to_string(entry.path()) else {
                continue;
            };
            let Some(instance) = matter(&text) else {
                continue;
            };
            checked += 1;
            for error in errors(&validator, &instance) {
                failures.push(format!("{}: {error}", entry.path().display()));
            }
        }
    }
    assert!(
        checked >= 25,
        "only {checked} postmortems with front matter"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Whether Hindsight reads `yaml` (one front matter entry) without an error or a warning
/// about the value.
fn hindsight_reads(config: &Config, yaml: &str) -> bool {
    let source = SourceFile {
        path: "content/x.md".into(),
        stem: "x".into(),
        bytes: Ok(format!("---\ntitle: x\n{yaml}\n---\n\nBody.\n").into_bytes()),
    };
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    hindsight::parse::incident::parse(
        &source,
        config,
        &Vocabularies::new(config),
        &mut diagnostics,
    );
    // H024 also notes a bare number read as minutes: that is read, not refused.
    !diagnostics.iter().any(|d| {
        d.level == Level::Error
            || (d.level == Level::Warning
                && matches!(d.code.to_string().as_str(), "H009" | "H012" | "H024")
                && !d.message.contains("no unit"))
    })
}

/// One front matter entry each: whether the schema accepts it, and whether Hindsight does.
/// Where they differ the schema is the looser (the zone "Mars/Olympus").
const CASES: &[(&str, bool, bool)] = &[
    ("severity: SEV1", true, true),
    ("severity: sev-1", true, true),
    ("severity: Critical", true, true),
    ("severity: 1", true, true),
    ("severity: \"2\"", true, true),
    ("severity: SEV9", false, false),
    ("severity: 9", false, false),
    ("severity: Critcal", false, false),
    ("severity: \"\"", true, true),
    ("severity: ~", true, true),
    ("status: Final", true, true),
    ("status: resolved", true, true),
    ("status: finished", false, false),
    ("started_at: 2024-02-10T09:00:00Z", true, true),
    ("started_at: 2024-02-10T10:00:00.250+01:00", true, true),
    ("started_at: 2024-02-10 09:00", true, true),
    ("started_at: 2024-02-10 9:05 +0200", true, true),
    ("started_at: 2024-02-10T09:00 Europe/Berlin", true, true),
    ("started_at: 2024-02-10 09:00 Denver", true, true),
    ("started_at: 2024-02-10 09:00 (PDT)", true, true),
    ("started_at: 2024-02-10 09:00 UTC+2", true, true),
    ("started_at: 2024-02-10", true, true),
    ("started_at: 2024-2-3", true, true),
    ("started_at: yesterday", false, false),
    ("started_at: February 10, 2024 9:00 AM PST", true, true),
    ("started_at: Saturday, 10 Feb 2024 14:00 CET", true, true),
    ("started_at: 10.02.2024 14:00", true, true),
    ("started_at: 2024/02/10 9:05 PM", true, true),
    ("started_at: 13/02/2024", true, true),
    // Either February 10 or October 2: Hindsight asks for date_order; the schema cannot.
    ("started_at: 10/02/2024", true, false),
    ("started_at: February 30, 2024", true, false),
    ("started_at: Feb 10 9:00", false, false),
    ("started_at: 2024-02-10 09:00 Mars/Olympus", true, false),
    ("duration: 45m", true, true),
    ("duration: 1h 30m", true, true),
    ("duration: 2H30M", true, true),
    ("duration: PT45M", true, true),
    ("duration: P1DT2H", true, true),
    ("duration: 45 minutes", true, true),
    ("duration: about 2 hours and 5 mins", true, true),
    ("duration: \"1:30\"", true, true),
    ("duration: 45", true, true),
    ("duration: 1.5", true, true),
    ("duration: soon", false, false),
    ("duration: -5", false, false),
    ("root_cause: database", true, true),
    ("root_cause: Certificate Expiry", true, true),
    ("root_cause: certificate_expiry", true, true),
    ("root_cause: [deploy, Config change]", true, true),
    ("root_cause: \"deploy, database\"", true, true),
    ("root_cause: cosmic-rays", false, false),
    ("root_cause: [deploy, cosmic-rays]", false, false),
    ("services: [anything, at all]", true, true),
    ("tags: customer-facing, latency", true, true),
    ("action_items: [\"Add an alert\"]", true, true),
    (
        "action_items:\n  - title: Add an alert\n    owner: sre\n    due: 2024-03-01\n    status: In Progress",
        true,
        true,
    ),
    (
        "action_items:\n  - action: Add an alert\n    status: won't fix",
        true,
        true,
    ),
    ("action_items:\n  - owner: sre", false, false),
    (
        "action_items:\n  - title: x\n    status: someday",
        false,
        false,
    ),
    (
        "action_items:\n  - title: x\n    due: next week",
        false,
        false,
    ),
    ("team_channel: \"#payments\"", true, true),
];

#[test]
fn the_schema_accepts_what_hindsight_reads_and_flags_what_it_refuses() {
    let config = Config::default();
    let validator = validator(&front_matter_schema(&config));
    let mut wrong = Vec::new();
    for (yaml, schema_accepts, reads) in CASES {
        let instance = matter(&format!("---\n{yaml}\n---\n")).expect(yaml);
        let found = errors(&validator, &instance);
        if found.is_empty() != *schema_accepts {
            wrong.push(format!("schema on {yaml:?}: {found:?}"));
        }
        if hindsight_reads(&config, yaml) != *reads {
            wrong.push(format!("hindsight on {yaml:?}: expected {reads}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_command_prints_the_sites_vocabularies_aliases_and_registry() {
    let site = Site::new().config(
        "[fields]\nseverity = [\"impact\"]\nservices = [\"components\"]\n\
         [aliases.severity]\nP1 = \"critical\"\n\
         [[severities]]\nkey = \"critical\"\n[[severities]]\nkey = \"minor\"\n\
         [[services]]\nname = \"checkout-api\"\n",
    );
    let output = hindsight(site.root(), &["schema"]);
    assert_eq!(output.status.code(), Some(0));
    let schema: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    assert_eq!(schema["additionalProperties"], true);
    let validator = validator(&schema);
    for (yaml, valid) in [
        ("impact: critical", true),
        ("impact: P1", true),
        ("impact: Minor", true),
        ("impact: SEV1", false),
        ("severity: major", false),
        ("components: [Checkout API]", true),
        ("components: [payments]", false),
        ("services: checkout-api", true),
        ("services: checkout-api, payments", false),
        ("custom_field: [1, 2]", true),
    ] {
        let instance = matter(&format!("---\n{yaml}\n---\n")).unwrap();
        let found = errors(&validator, &instance);
        assert_eq!(found.is_empty(), valid, "{yaml}: {found:?}");
    }
    // The impact key holds severities here, so it is described as the severity.
    let impact = schema["properties"]["impact"]["description"]
        .as_str()
        .unwrap();
    assert!(
        impact.starts_with("`severity`, as this site names it"),
        "{impact}"
    );
    let enums = serde_json::to_string(&schema["properties"]["components"]).unwrap();
    assert!(enums.contains("\"enum\":[\"checkout-api\"]"), "{enums}");
}

#[test]
fn schema_output_is_written_whole_and_only_when_changed() {
    let site = Site::new();
    let out = site.root().join("editor/schema.json");
    let out_arg = out.display().to_string();
    let first = hindsight(site.root(), &["schema", "--output", &out_arg]);
    assert_eq!(first.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&first.stderr),
        format!("wrote {out_arg}\n")
    );
    let printed = hindsight(site.root(), &["schema"]);
    assert_eq!(fs::read(&out).unwrap(), printed.stdout);
    let again = hindsight(site.root(), &["schema", "--output", &out_arg]);
    assert_eq!(
        String::from_utf8_lossy(&again.stderr),
        format!("{out_arg} is up to date\n")
    );
    assert_eq!(
        fs::read_dir(out.parent().unwrap()).unwrap().count(),
        1,
        "no temporary file is left"
    );
}

/// The schema a file's modeline names, resolved from the file's folder as
/// yaml-language-server resolves it.
fn modeline_target(file: &Path) -> std::path::PathBuf {
    let text = fs::read_to_string(file).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("---"), "{text}");
    let line = lines.next().unwrap();
    let path = line
        .strip_prefix("# yaml-language-server: $schema=")
        .unwrap_or_else(|| panic!("no modeline: {line}"));
    file.parent().unwrap().join(path)
}

#[test]
fn init_and_new_point_their_files_at_the_sites_schema() {
    let site = Site::new();
    let output = hindsight(site.root(), &["init", "kb"]);
    assert_eq!(output.status.code(), Some(0));
    let kb = site.root().join("kb");
    let example = kb.join("content/2024/2024-01-15-checkout-errors-after-pool-change.md");
    let target = modeline_target(&example);
    assert_eq!(
        fs::canonicalize(&target).unwrap(),
        fs::canonicalize(kb.join(".hindsight/schema.json")).unwrap()
    );
    let schema: Value = serde_json::from_str(&fs::read_to_string(&target).unwrap()).unwrap();
    let example_matter = matter(&fs::read_to_string(&example).unwrap()).unwrap();
    assert_eq!(
        errors(&validator(&schema), &example_matter),
        Vec::<String>::new()
    );

    // A site that keeps postmortems deeper, and has changed its severities since.
    fs::write(
        kb.join("hindsight.toml"),
        "content_dir = \"docs/postmortems\"\n[[severities]]\nkey = \"P1\"\n",
    )
    .unwrap();
    let new = hindsight(&kb, &["new", "Queue backlog", "--severity", "p1"]);
    assert_eq!(
        new.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&new.stderr)
    );
    let written = kb.join("docs/postmortems/2024/2024-06-10-queue-backlog.md");
    let target = modeline_target(&written);
    assert!(
        target.ends_with("../../../.hindsight/schema.json"),
        "{target:?}"
    );
    let schema: Value = serde_json::from_str(&fs::read_to_string(&target).unwrap()).unwrap();
    let new_matter = matter(&fs::read_to_string(&written).unwrap()).unwrap();
    assert_eq!(
        errors(&validator(&schema), &new_matter),
        Vec::<String>::new()
    );
    let sev2 = matter("---\nseverity: SEV2\n---\n").unwrap();
    assert!(
        !errors(&validator(&schema), &sev2).is_empty(),
        "the schema follows the config"
    );
}
