//! Tests of `import`: the front matter it makes (every value reads back as it was, no
//! quoted evidence can break the block) and how it replaces a file (whole or not at all,
//! never over an edit, with the file's permissions).

use std::fs;
use std::io::{self, Write};
use std::path::Path;

use chrono::{NaiveDate, TimeZone, Utc};
use proptest::prelude::*;
use serde_json::json;

use super::*;
use crate::model::action_item::ActionItem;
use crate::model::incident::InferredMetadata;
use crate::parse::frontmatter;
use crate::parse::source::normalize_text;

const SEED: &str = include_str!("../../../content/2024/web-app-caching-layer-outage.md");

fn imported(text: &str) -> (Vec<u8>, String) {
    match import("content/x.md", "x", text.as_bytes(), &Config::default()) {
        Outcome::Imported { text, front_matter } => (text, front_matter),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_body_is_kept_byte_for_byte_and_a_second_import_changes_nothing() {
    for original in [
        SEED.to_string(),
        SEED.replace('\n', "\r\n"),
        format!("\u{feff}{SEED}"),
    ] {
        let (text, front_matter) = imported(&original);
        let text = String::from_utf8(text).unwrap();
        let body = text.trim_start_matches('\u{feff}');
        let separator = if original.contains("\r\n") {
            "\r\n"
        } else {
            "\n"
        };
        assert!(body.starts_with(&front_matter.replace('\n', separator)));
        assert!(text.ends_with(original.trim_start_matches('\u{feff}')));
        assert_eq!(
            import("content/x.md", "x", text.as_bytes(), &Config::default()),
            Outcome::HasFrontMatter
        );
    }
}

#[test]
fn values_carry_the_line_they_came_from() {
    let (_, front_matter) = imported(SEED);
    for line in [
        "started_at: 2024-02-10T09:00:00Z  # line 5: \"February 10, 2024, 9:00 AM\"",
        "resolved_at: 2024-02-11T14:00:00Z  # line 5: \"February 11, 2024, 2:00 PM (UTC)\"",
        "root_cause: \"caching\"  # line 7: \"caching layer\"",
        "action_items:  # lines 33–37",
    ] {
        assert!(
            front_matter.lines().any(|l| l == line),
            "{line}\n{front_matter}"
        );
    }
}

#[test]
fn lengths_without_a_start_become_recorded_durations_that_read_back() {
    let original = "# Queue backlog\n\nDuration: 45 minutes\nTime to detect: 5 minutes\n";
    let (text, front_matter) = imported(original);
    for line in [
        "duration: \"45m\"  # line 3: \"45 minutes\"",
        "time_to_detect: \"5m\"  # line 4: \"5 minutes\"",
    ] {
        assert!(
            front_matter.lines().any(|l| l == line),
            "{line}\n{front_matter}"
        );
    }
    let file = SourceFile {
        path: "content/x.md".into(),
        stem: "x".into(),
        bytes: Ok(text),
    };
    let config = Config::default();
    let mut diagnostics = Vec::new();
    let incident = incident::parse(
        &file,
        &config,
        &Vocabularies::new(&config),
        &mut diagnostics,
    )
    .unwrap();
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    assert_eq!(incident.duration(), Some(chrono::TimeDelta::minutes(45)));
    assert_eq!(
        incident.time_to_detect(),
        Some(chrono::TimeDelta::minutes(5))
    );
}

// ---------------------------------------------------------------------------------------
// The front matter: values read back, comments stay comments.

/// What the property test writes: every string the front matter takes from a postmortem.
#[derive(Debug, Clone)]
struct Written {
    title: String,
    services: Vec<String>,
    /// Root cause, trigger, summary, impact.
    texts: [String; 4],
    item_title: String,
    owner: String,
    /// The words each comment quotes, and the line it names (0 is the file name).
    evidence: [String; 4],
    line: u32,
}

fn inferred<T>(value: T, evidence: Evidence) -> Option<Inferred<T>> {
    Some(Inferred { value, evidence })
}

/// An incident whose title and inferred values are `written`'s.
fn incident_of(written: &Written) -> Incident {
    let config = Config::default();
    let source = SourceFile {
        path: "content/x.md".into(),
        stem: "x".into(),
        bytes: Ok(SEED.as_bytes().to_vec()),
    };
    let vocabularies = Vocabularies::new(&config);
    let mut incident = incident::parse(&source, &config, &vocabularies, &mut Vec::new()).unwrap();
    incident.title = written.title.clone();
    let evidence = |i: usize| Evidence {
        line: written.line,
        col: 1,
        text: written.evidence[i].clone(),
    };
    let [root_cause, trigger, summary, impact] = written.texts.clone();
    let item = ActionItem {
        title: written.item_title.clone(),
        owner: Some(written.owner.clone()),
        status: ActionStatus::Done,
        due: NaiveDate::from_ymd_opt(2024, 3, 1),
        priority: None,
        url: None,
        pos: None,
    };
    let services = written.services.iter().cloned();
    let mut inference = Box::new(Inference {
        started_at: inferred(
            Utc.with_ymd_and_hms(2024, 2, 10, 9, 0, 0).unwrap(),
            evidence(0),
        ),
        severity: inferred(0, evidence(1)),
        services: services.filter_map(|s| inferred(s, evidence(2))).collect(),
        root_cause: inferred(root_cause, evidence(3)),
        trigger: inferred(trigger, evidence(0)),
        summary: inferred(summary, evidence(1)),
        impact: inferred(impact, evidence(2)),
        action_items: inferred(item, evidence(3)).into_iter().collect(),
        ..Inference::default()
    });
    // As parsing does: the incident holds the items, the inference where they were.
    incident.action_items = inference.take_action_items();
    incident.inferred = Some(InferredMetadata::Held(inference));
    incident
}

/// The fields `written` must read back as, in JSON for an easy comparison.
fn expected(written: &Written) -> serde_json::Value {
    let [root_cause, trigger, summary, impact] = &written.texts.clone().map(|t| readable(&t));
    let services: Vec<String> = written.services.iter().map(|s| readable(s)).collect();
    json!({
        "title": readable(&written.title),
        "started_at": "2024-02-10T09:00:00Z",
        "severity": Config::default().severities[0].key,
        "services": services,
        "root_cause": root_cause,
        "trigger": trigger,
        "summary": summary,
        "impact": impact,
        "action_items": [{
            "title": readable(&written.item_title),
            "owner": readable(&written.owner),
            "due": "2024-03-01",
            "status": "done",
        }],
    })
}

/// The fields Hindsight's own front matter parser reads from `text`.
fn read_back(text: &str) -> Result<serde_json::Value, String> {
    let document = frontmatter::parse(text).map_err(|e| e.to_string())?;
    let matter = document.matter.ok_or("no front matter")?;
    if document.body != "Body.\n" {
        return Err(format!("the body became {:?}", document.body));
    }
    Ok(matter.to_json())
}

/// Characters that have broken or could break hand-made YAML: line breaks of every kind,
/// quotes, indicators, blanks, controls, a byte-order mark, and any character at all.
fn tricky_char() -> impl Strategy<Value = char> {
    let tricky = vec![
        '\r', '\n', '"', '\'', ':', '#', ' ', '\t', '\\', '-', '?', '[', ']', '{', '}', ',', '&',
        '*', '!', '|', '>', '%', '@', '`', '\0', '\u{7}', '\u{b}', '\u{c}', '\u{1b}', '\u{7f}',
        '\u{85}', '\u{2028}', '\u{2029}', '\u{feff}', 'é', '…', '😀',
    ];
    prop_oneof![
        3 => prop::sample::select(tricky),
        2 => prop::char::range('a', 'z'),
        1 => any::<char>(),
    ]
}

/// A value: a short run of tricky characters, or a word YAML would read as something else.
fn tricky_string() -> impl Strategy<Value = String> {
    let words = vec![
        "", "true", "null", "~", "123", "0x1F", "1e3", ".inf", "---", "...", "- a", "yes", " a",
        "a ", "a: b", "# c", "\r", "a\r\nb", "'", "\"",
    ];
    prop_oneof![
        4 => prop::collection::vec(tricky_char(), 0..12).prop_map(String::from_iter),
        1 => prop::sample::select(words).prop_map(String::from),
    ]
}

fn written() -> impl Strategy<Value = Written> {
    let strings = || prop::array::uniform4(tricky_string());
    (
        strings(),
        strings(),
        strings(),
        prop::collection::vec(tricky_string(), 1..4),
        0u32..3,
    )
        .prop_map(|(a, texts, evidence, services, line)| {
            let [title, item_title, owner, _] = a;
            Written {
                title,
                services,
                texts,
                item_title,
                owner,
                evidence,
                line,
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Whatever the strings, the block parses, has exactly the fields written and each
    /// holds exactly its string, with LF and with CRLF line endings.
    #[test]
    fn any_value_reads_back_the_same_and_no_comment_breaks_the_block(written in written()) {
        let block = front_matter(&incident_of(&written), &Config::default()).unwrap();
        let want = expected(&written);
        prop_assert_eq!(read_back(&format!("{block}Body.\n")), Ok(want.clone()), "{}", block);
        let crlf = format!("{block}Body.\n").replace('\n', "\r\n");
        prop_assert_eq!(read_back(&normalize_text(&crlf)), Ok(want), "{}", block);
        for line in block.lines() {
            prop_assert!(!line.contains(['\r', '\u{85}', '\u{2028}', '\u{2029}']), "{:?}", line);
        }
    }
}

#[test]
fn a_line_break_in_the_text_stays_inside_its_value_and_its_comment() {
    for text in [
        "a\rb",
        "a\nb",
        "a\u{85}b",
        "a\u{2028}b",
        "a\u{2029}b",
        "a\u{7}\u{1b}b",
    ] {
        let written = Written {
            title: text.into(),
            services: vec![text.into()],
            texts: [text.into(), "t".into(), "s".into(), "i".into()],
            item_title: text.into(),
            owner: text.into(),
            evidence: [
                format!("{text}\n---\nslug: x"),
                text.into(),
                "e".into(),
                "".into(),
            ],
            line: 4,
        };
        let block = front_matter(&incident_of(&written), &Config::default()).unwrap();
        assert_eq!(block.lines().count(), 16, "{block}");
        assert_eq!(
            read_back(&format!("{block}Body.\n")),
            Ok(expected(&written))
        );
    }
}

#[test]
fn quoting_is_the_emitters_with_unseen_characters_escaped() {
    assert_eq!(quoted("caching").unwrap(), "\"caching\"");
    assert_eq!(quoted("a \"b\" \\ c").unwrap(), r#""a \"b\" \\ c""#);
    // Control characters the front matter reader refuses are not written: a carriage
    // return is the line break it meant, any other becomes U+FFFD.
    assert_eq!(quoted("a\r\nb").unwrap(), r#""a\nb""#);
    assert_eq!(quoted("a\rb").unwrap(), r#""a\nb""#);
    assert_eq!(quoted("a\u{7}b\u{2028}").unwrap(), "\"a\u{fffd}b\\u2028\"");
    assert_eq!(quoted("").unwrap(), "\"\"");
}

// ---------------------------------------------------------------------------------------
// Writing: whole or not at all.

/// A folder holding `x.md` with `text`, and the file's path.
fn folder_with(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("x.md");
    fs::write(&file, text).unwrap();
    (dir, file)
}

/// The names in `dir`, sorted: a temporary file left behind would show here.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn write_replaces_the_file_and_leaves_nothing_else() {
    let (dir, file) = folder_with("old text\n");
    let original = read(&file).unwrap();
    write(&original, b"new text\n").unwrap();
    assert_eq!(fs::read(&file).unwrap(), b"new text\n");
    assert_eq!(names(dir.path()), ["x.md"]);
}

#[cfg(unix)]
#[test]
fn write_keeps_the_permissions_of_the_file() {
    use std::os::unix::fs::PermissionsExt;
    for mode in [0o640, 0o600, 0o664] {
        let (_dir, file) = folder_with("old text\n");
        fs::set_permissions(&file, fs::Permissions::from_mode(mode)).unwrap();
        write(&read(&file).unwrap(), b"new text\n").unwrap();
        let kept = fs::metadata(&file).unwrap().permissions().mode() & 0o7777;
        assert_eq!(kept, mode, "{kept:o} instead of {mode:o}");
    }
}

#[test]
fn a_write_failing_halfway_leaves_the_original_whole_and_no_temporary_file() {
    let (dir, file) = folder_with("old text\n");
    let original = read(&file).unwrap();
    let mut half_then_full = |file: &mut File, text: &[u8]| {
        file.write_all(&text[..text.len() / 2])?;
        Err(io::Error::other("no space left on device"))
    };
    let error = write_with(&original, b"new text\n", &mut half_then_full).unwrap_err();
    assert!(error.to_string().contains("no space left"), "{error}");
    assert_eq!(fs::read(&file).unwrap(), b"old text\n");
    assert_eq!(names(dir.path()), ["x.md"]);
}

#[test]
fn a_temporary_path_already_taken_fails_and_leaves_both_alone() {
    let (dir, file) = folder_with("old text\n");
    let original = read(&file).unwrap();
    let taken = dir
        .path()
        .join(format!(".x.md.hindsight-import-{}", std::process::id()));
    fs::create_dir(&taken).unwrap();
    let error = write(&original, b"new text\n").unwrap_err();
    assert!(matches!(error, WriteError::Io(_)), "{error:?}");
    assert!(
        error.to_string().contains(".x.md.hindsight-import-"),
        "{error}"
    );
    assert_eq!(fs::read(&file).unwrap(), b"old text\n");
    assert!(taken.is_dir(), "a folder import did not make was removed");
}

#[test]
fn a_file_edited_while_importing_is_not_overwritten() {
    let (dir, file) = folder_with("old text\n");
    let original = read(&file).unwrap();
    let mut editor_saves = |temp: &mut File, text: &[u8]| {
        fs::write(&file, "the author's edit\n")?;
        temp.write_all(text)
    };
    let error = write_with(&original, b"new text\n", &mut editor_saves).unwrap_err();
    assert!(matches!(error, WriteError::Changed), "{error:?}");
    assert_eq!(
        error.to_string(),
        "changed since it was read; run import again"
    );
    assert_eq!(fs::read(&file).unwrap(), b"the author's edit\n");
    assert_eq!(names(dir.path()), ["x.md"]);
}

#[test]
fn a_same_size_edit_with_the_old_time_is_still_seen() {
    let (_dir, file) = folder_with("old text\n");
    let original = read(&file).unwrap();
    let modified = fs::metadata(&file).unwrap().modified().unwrap();
    let mut sneaky_edit = |temp: &mut File, text: &[u8]| {
        fs::write(&file, "odd text\n")?;
        File::options()
            .write(true)
            .open(&file)?
            .set_modified(modified)?;
        temp.write_all(text)
    };
    let error = write_with(&original, b"new text\n", &mut sneaky_edit).unwrap_err();
    assert!(matches!(error, WriteError::Changed), "{error:?}");
    assert_eq!(fs::read(&file).unwrap(), b"odd text\n");
}

#[test]
fn a_file_deleted_while_importing_is_not_brought_back() {
    let (dir, file) = folder_with("old text\n");
    let original = read(&file).unwrap();
    let mut delete = |temp: &mut File, text: &[u8]| {
        fs::remove_file(&file)?;
        temp.write_all(text)
    };
    let error = write_with(&original, b"new text\n", &mut delete).unwrap_err();
    assert!(matches!(error, WriteError::Changed), "{error:?}");
    assert!(names(dir.path()).is_empty());
}

#[cfg(unix)]
#[test]
#[ignore = "needs a user that cannot write a read-only file (not root): .ci/run runs it as nobody"]
fn a_read_only_file_is_not_replaced() {
    use std::os::unix::fs::PermissionsExt;
    let (_dir, file) = folder_with("old text\n");
    fs::set_permissions(&file, fs::Permissions::from_mode(0o444)).unwrap();
    // Root may write anything (and so would import, as before): not a test of this.
    assert!(
        File::options().append(true).open(&file).is_err(),
        "this user may write a read-only file (root?): run the test as another user"
    );
    let error = write(&read(&file).unwrap(), b"new text\n").unwrap_err();
    assert!(matches!(error, WriteError::Io(_)), "{error:?}");
    assert_eq!(fs::read(&file).unwrap(), b"old text\n");
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_keeps_pointing_at_the_imported_file() {
    let (dir, file) = folder_with("old text\n");
    let link = dir.path().join("link.md");
    std::os::unix::fs::symlink(&file, &link).unwrap();
    write(&read(&link).unwrap(), b"new text\n").unwrap();
    assert!(fs::symlink_metadata(&link).unwrap().is_symlink());
    assert_eq!(fs::read(&file).unwrap(), b"new text\n");
    assert_eq!(names(dir.path()), ["link.md", "x.md"]);
}
