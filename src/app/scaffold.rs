//! Starting points for authors: `hindsight new` (one postmortem from a template) and
//! `hindsight init` (a new knowledge base).
//!
//! The templates are files under `scaffold/`, compiled in like the default theme. A site
//! overrides the postmortem template with `templates/new.md` (or its theme's), which is a
//! Tera template like the theme's pages. Making the text ([`new_postmortem`],
//! [`init_files`]) is pure; [`write_new`] and [`write_init`] write it, never over an
//! existing file: these commands create sources, so the build's rule that only
//! `output.rs` writes does not reach them. The one file they replace is the editor schema
//! (`render::schema::SCHEMA_FILE`), which is made from `hindsight.toml` alone; it is
//! written whole beside its place and renamed over it ([`write_schema`]).

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, SecondsFormat};
use tera::{Context, Tera};

use crate::model::config::Config;
use crate::model::vocab::{self, did_you_mean, term_key};
use crate::render::schema::{self, MODELINE_PREFIX, SCHEMA_FILE};
use crate::render::theme::Theme;

/// The default postmortem template.
const NEW_TEMPLATE: &str = include_str!("../../scaffold/new.md");

/// The files of a new knowledge base: (path, contents). The example's date is fixed so
/// two runs write the same files.
const INIT_FILES: &[(&str, &str)] = &[
    (
        "hindsight.toml",
        include_str!("../../scaffold/init/hindsight.toml"),
    ),
    (
        "content/2024/2024-01-15-checkout-errors-after-pool-change.md",
        include_str!("../../scaffold/init/example.md"),
    ),
    (".gitignore", include_str!("../../scaffold/init/gitignore")),
    (
        ".github/workflows/hindsight.yml",
        // The same workflow docs/ci documents and .ci/run runs the commands of.
        include_str!("../../docs/ci/github-actions.yml"),
    ),
];

/// A problem with what the author asked for, or with writing it.
#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    #[error("{0}")]
    Input(String),
    #[error("refusing to overwrite {0}")]
    Exists(String),
    #[error("{path} is not empty (pass --force to add the files anyway; existing files are kept)")]
    NotEmpty { path: String },
    #[error("template error in {template}: {message}")]
    Template { template: String, message: String },
    #[error("failed to write {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: io::Error,
    },
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> ScaffoldError + '_ {
    move |source| ScaffoldError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// A YAML double-quoted string: safe for any text.
pub fn yaml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The `yaml` filter of the postmortem template: a string quoted, a list as `[a, b]`.
fn yaml_filter(
    value: &tera::Value,
    _: &std::collections::HashMap<String, tera::Value>,
) -> tera::Result<tera::Value> {
    let text = match value {
        tera::Value::String(s) => yaml_string(s),
        tera::Value::Array(items) => {
            let items: Vec<String> = items
                .iter()
                .map(|i| match i {
                    tera::Value::String(s) => yaml_string(s),
                    other => other.to_string(),
                })
                .collect();
            format!("[{}]", items.join(", "))
        }
        tera::Value::Null => String::new(),
        other => other.to_string(),
    };
    Ok(tera::Value::String(text))
}

/// What the author gave `hindsight new`.
#[derive(Debug, Clone, Default)]
pub struct NewOptions {
    pub title: String,
    pub services: Vec<String>,
    pub category: Option<String>,
    pub severity: Option<String>,
    /// A timestamp as front matter accepts it; read in the site's zone without one.
    pub started: Option<String>,
    /// The day to file the postmortem under when `started` is not given.
    pub today: NaiveDate,
}

/// A new postmortem: its path from the site root and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPostmortem {
    pub path: String,
    pub text: String,
}

/// Fills the postmortem template (the theme's `new.md`, else the built-in one).
pub fn new_postmortem(
    config: &Config,
    theme: &Theme,
    options: &NewOptions,
) -> Result<NewPostmortem, ScaffoldError> {
    let title = options.title.trim();
    if title.is_empty() {
        return Err(ScaffoldError::Input("the title is empty".into()));
    }
    let tz = config.tz();
    let severity = match &options.severity {
        Some(given) => Some(severity_key(config, given)?),
        None => None,
    };
    let category = match &options.category {
        Some(given) => Some(category_key(config, given)?),
        None => None,
    };
    let services = options
        .services
        .iter()
        .map(|s| service_name(config, s))
        .collect::<Result<Vec<_>, _>>()?;
    let started = match &options.started {
        Some(text) => Some(
            crate::model::time::parse_timestamp(text, tz)
                .map_err(|e| ScaffoldError::Input(format!("--started \"{text}\": {e}")))?
                .instant,
        ),
        None => None,
    };
    let date = started.map_or(options.today, |at| at.with_timezone(&tz).date_naive());
    let slug = vocab::url_slug(title);
    let path = format!(
        "{}/{}/{}-{slug}.md",
        config.content_dir.trim_end_matches('/'),
        date.format("%Y"),
        date.format("%Y-%m-%d")
    );
    let mut context = Context::new();
    context.insert("title", title);
    context.insert("slug", &slug);
    context.insert("date", &date.format("%Y-%m-%d").to_string());
    context.insert(
        "started_at",
        &started.map_or(String::new(), |at| {
            at.to_rfc3339_opts(SecondsFormat::Secs, true)
        }),
    );
    context.insert("severity", &severity.unwrap_or_default());
    context.insert("category", &category.unwrap_or_default());
    context.insert("services", &services);
    let severities: Vec<&str> = config.severities.iter().map(|s| s.key.as_str()).collect();
    let categories: Vec<&str> = config.categories.iter().map(|c| c.key.as_str()).collect();
    context.insert("severities", &severities);
    context.insert("categories", &categories);
    let template = theme
        .templates
        .iter()
        .find(|(name, _)| name == "new.md")
        .map_or(NEW_TEMPLATE, |(_, source)| source.as_str());
    let mut tera = Tera::default();
    tera.register_filter("yaml", yaml_filter);
    let error = |e: tera::Error| {
        let mut message = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(inner) = source {
            message.push_str(&format!(": {inner}"));
            source = inner.source();
        }
        ScaffoldError::Template {
            template: "new.md".into(),
            message,
        }
    };
    tera.add_raw_template("new.md", template).map_err(error)?;
    let text = tera.render("new.md", &context).map_err(error)?;
    let text = with_site_modeline(&path, text);
    Ok(NewPostmortem { path, text })
}

/// `text`, the file at `path`, with the modeline naming the site's schema.
fn with_site_modeline(path: &str, text: String) -> String {
    match schema_from(path) {
        Some(schema) => with_modeline(&text, &schema),
        None => text,
    }
}

/// The path of the site's schema from the folder of the file at `path` (relative to the
/// site root): yaml-language-server resolves a modeline's relative path from the file's
/// own folder. `None` for a path that leaves the site.
pub fn schema_from(path: &str) -> Option<String> {
    let folders: Vec<&str> = path.split('/').collect();
    let folders = &folders[..folders.len().saturating_sub(1)];
    if path.starts_with('/') || folders.iter().any(|f| *f == ".." || f.contains('\\')) {
        return None;
    }
    let depth = folders
        .iter()
        .filter(|f| !f.is_empty() && **f != ".")
        .count();
    Some(format!("{}{SCHEMA_FILE}", "../".repeat(depth)))
}

/// `text` with the schema modeline as the first line of its YAML front matter, unless it
/// has one, or its front matter is not YAML (TOML's `+++`, or none).
fn with_modeline(text: &str, schema: &str) -> String {
    let Some(matter) = text.strip_prefix("---\n") else {
        return text.to_string();
    };
    let end = matter.find("\n---").unwrap_or(matter.len());
    if matter[..end].contains("yaml-language-server:") {
        return text.to_string();
    }
    format!("---\n{MODELINE_PREFIX}{schema}\n{matter}")
}

/// Writes the site's front matter schema to `root`'s [`SCHEMA_FILE`] when it is missing
/// or differs; returns whether it wrote. The file is written whole beside its place and
/// renamed over it, so an editor never reads half a schema.
pub fn write_schema(root: &Path, config: &Config) -> Result<bool, ScaffoldError> {
    write_replacing(&root.join(SCHEMA_FILE), &schema::schema_text(config))
}

/// Writes `text` to `path` through a temporary file beside it, unless it holds `text`.
pub fn write_replacing(path: &Path, text: &str) -> Result<bool, ScaffoldError> {
    if fs::read(path).is_ok_and(|bytes| bytes == text.as_bytes()) {
        return Ok(false);
    }
    if let Some(folder) = path.parent().filter(|f| !f.as_os_str().is_empty()) {
        fs::create_dir_all(folder).map_err(io_error(folder))?;
    }
    let mut temp = path.as_os_str().to_owned();
    temp.push(format!(".tmp-{}", std::process::id()));
    let temp = PathBuf::from(temp);
    let written = fs::write(&temp, text).and_then(|()| fs::rename(&temp, path));
    if written.is_err() {
        let _ = fs::remove_file(&temp);
    }
    written.map_err(io_error(path))?;
    Ok(true)
}

fn severity_key(config: &Config, given: &str) -> Result<String, ScaffoldError> {
    if let Some(i) = vocab::match_severity(config, given) {
        return Ok(config.severities[i].key.clone());
    }
    let keys: Vec<String> = config.severities.iter().map(|s| s.key.clone()).collect();
    Err(unknown("severity", given, &keys))
}

fn category_key(config: &Config, given: &str) -> Result<String, ScaffoldError> {
    let key = term_key(given);
    if let Some(found) = config
        .categories
        .iter()
        .find(|c| term_key(&c.key) == key || term_key(&c.label) == key)
    {
        return Ok(found.key.clone());
    }
    let keys: Vec<String> = config.categories.iter().map(|c| c.key.clone()).collect();
    Err(unknown("category", given, &keys))
}

fn service_name(config: &Config, given: &str) -> Result<String, ScaffoldError> {
    if config.services.is_empty() {
        return Ok(given.trim().to_string());
    }
    let key = term_key(given);
    if let Some(found) = config.services.iter().find(|s| term_key(&s.name) == key) {
        return Ok(found.name.clone());
    }
    let names: Vec<String> = config.services.iter().map(|s| s.name.clone()).collect();
    Err(unknown("service", given, &names))
}

fn unknown(what: &str, given: &str, known: &[String]) -> ScaffoldError {
    ScaffoldError::Input(match did_you_mean(given, known) {
        Some(close) => format!("unknown {what} \"{given}\"; did you mean `{close}`?"),
        None => format!(
            "unknown {what} \"{given}\" (expected one of {})",
            known.join(", ")
        ),
    })
}

/// Writes a new postmortem under `root`; never replaces a file. Returns its path.
pub fn write_new(root: &Path, postmortem: &NewPostmortem) -> Result<PathBuf, ScaffoldError> {
    let path = root.join(&postmortem.path);
    create_new(&path, &postmortem.text)?;
    Ok(path)
}

fn create_new(path: &Path, text: &str) -> Result<(), ScaffoldError> {
    if let Some(folder) = path.parent() {
        fs::create_dir_all(folder).map_err(io_error(folder))?;
    }
    let mut file = match fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            return Err(ScaffoldError::Exists(path.display().to_string()));
        }
        Err(e) => return Err(io_error(path)(e)),
    };
    file.write_all(text.as_bytes()).map_err(io_error(path))
}

/// The files of a new knowledge base, as (path from its root, contents).
pub fn init_files() -> &'static [(&'static str, &'static str)] {
    INIT_FILES
}

/// What `init` did to each file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InitAction {
    Created,
    /// The file existed and was left alone (`--force`).
    Kept,
    /// `.gitignore` existed; the output folder was added to it.
    Appended,
    /// The editor schema existed and was made anew from the config.
    Replaced,
}

/// Writes a new knowledge base into `dir` (created if missing). A folder that holds
/// anything is refused unless `force`; even then no existing file is replaced, and an
/// existing `.gitignore` only gains the output folder's line.
pub fn write_init(dir: &Path, force: bool) -> Result<Vec<(String, InitAction)>, ScaffoldError> {
    let has_entries = match fs::read_dir(dir) {
        Ok(mut entries) => entries.next().is_some(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => false,
        Err(e) => return Err(io_error(dir)(e)),
    };
    if has_entries && !force {
        return Err(ScaffoldError::NotEmpty {
            path: dir.display().to_string(),
        });
    }
    let mut done = Vec::new();
    for (relative, text) in init_files() {
        let path = dir.join(relative);
        let action = if !path.exists() {
            create_new(&path, text)?;
            InitAction::Created
        } else if *relative == ".gitignore" {
            let existing = fs::read_to_string(&path).map_err(io_error(&path))?;
            if existing
                .lines()
                .any(|l| l.trim() == "/public/" || l.trim() == "public/")
            {
                InitAction::Kept
            } else {
                let separator = if existing.is_empty() || existing.ends_with('\n') {
                    ""
                } else {
                    "\n"
                };
                fs::write(&path, format!("{existing}{separator}{text}"))
                    .map_err(io_error(&path))?;
                InitAction::Appended
            }
        } else {
            InitAction::Kept
        };
        done.push((relative.to_string(), action));
    }
    if let Some(action) = init_schema(dir)? {
        done.push((SCHEMA_FILE.to_string(), action));
    }
    Ok(done)
}

/// The schema of the site's config (the one just written, or the one kept), for the
/// example's modeline; none when a kept config does not parse (`check` says why).
fn init_schema(dir: &Path) -> Result<Option<InitAction>, ScaffoldError> {
    let path = dir.join(crate::model::config::CONFIG_FILE);
    let text = fs::read_to_string(&path).map_err(io_error(&path))?;
    let Ok(config) = Config::parse(&text, crate::model::config::CONFIG_FILE) else {
        return Ok(None);
    };
    let existed = dir.join(SCHEMA_FILE).exists();
    Ok(Some(match (write_schema(dir, &config)?, existed) {
        (false, _) => InitAction::Kept,
        (true, false) => InitAction::Created,
        (true, true) => InitAction::Replaced,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(title: &str) -> NewOptions {
        NewOptions {
            title: title.into(),
            today: NaiveDate::from_ymd_opt(2024, 3, 5).unwrap_or_default(),
            ..NewOptions::default()
        }
    }

    #[test]
    fn new_postmortem_fills_the_template() {
        let config = Config::default();
        let made = new_postmortem(
            &config,
            &Theme::default(),
            &NewOptions {
                services: vec!["checkout-api".into()],
                category: Some("Caching".into()),
                severity: Some("sev-2".into()),
                started: Some("2024-02-10 23:30 -02:00".into()),
                ..options("Cache \"stampede\" on checkout")
            },
        )
        .unwrap();
        assert_eq!(
            made.path,
            "content/2024/2024-02-11-cache-stampede-on-checkout.md"
        );
        for line in [
            "title: \"Cache \\\"stampede\\\" on checkout\"",
            "severity: SEV2",
            "started_at: 2024-02-11T01:30:00Z",
            "services: [\"checkout-api\"]",
            "root_cause: caching",
            "### Where we got lucky",
        ] {
            assert!(
                made.text.lines().any(|l| l == line),
                "{line}\n{}",
                made.text
            );
        }
    }

    #[test]
    fn unknown_values_suggest_a_known_one() {
        let config = Config::default();
        let error = new_postmortem(
            &config,
            &Theme::default(),
            &NewOptions {
                category: Some("cachng".into()),
                ..options("x")
            },
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "unknown category \"cachng\"; did you mean `caching`?"
        );
    }

    #[test]
    fn the_modeline_names_the_schema_from_the_files_folder() {
        assert_eq!(
            schema_from("content/2024/a.md").as_deref(),
            Some("../../.hindsight/schema.json")
        );
        assert_eq!(
            schema_from("./docs/pm/2024/a.md").as_deref(),
            Some("../../../.hindsight/schema.json")
        );
        assert_eq!(
            schema_from("a.md").as_deref(),
            Some(".hindsight/schema.json")
        );
        assert_eq!(schema_from("../elsewhere/a.md"), None);
        assert_eq!(schema_from("/abs/a.md"), None);
        let schema = ".hindsight/schema.json";
        assert_eq!(
            with_modeline("---\ntitle: x\n---\nbody\n", schema),
            "---\n# yaml-language-server: $schema=.hindsight/schema.json\ntitle: x\n---\nbody\n"
        );
        for kept in [
            "+++\ntitle = \"x\"\n+++\n",
            "no front matter\n",
            "---\n# yaml-language-server: $schema=other.json\n---\n",
        ] {
            assert_eq!(with_modeline(kept, schema), kept);
        }
    }

    #[test]
    fn init_config_parses() {
        let (_, toml) = INIT_FILES[0];
        Config::parse(toml, "hindsight.toml").unwrap();
    }
}
