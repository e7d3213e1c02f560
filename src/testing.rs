//! What the unit tests share: a site made from text and analyzed, with no I/O.

use crate::analyze::site::{AnalyzeOptions, Site, analyze};
use crate::model::config::Config;
use crate::model::diagnostics::Level;
use crate::parse::source::SourceFile;

/// The site of `config` (a `hindsight.toml`) and `files`, each a slug and the whole text
/// of `content/<slug>.md`. Fails the test if the input has errors.
pub(crate) fn site_of(config: &str, files: &[(&str, String)]) -> Site {
    let config = Config::parse(config, "hindsight.toml").expect("a valid test config");
    let mut sources: Vec<SourceFile> = files
        .iter()
        .map(|(slug, text)| source_file(slug, text))
        .collect();
    sources.sort_by(|a, b| a.path.cmp(&b.path));
    let (site, diagnostics) = analyze(&config, &sources, AnalyzeOptions::default());
    let errors: Vec<_> = diagnostics
        .iter()
        .filter(|d| d.level == Level::Error)
        .map(|d| d.render_human())
        .collect();
    assert!(errors.is_empty(), "the test input has errors:\n{errors:#?}");
    site
}

/// The text of a postmortem titled by its slug, with `fields` as front matter.
pub(crate) fn titled(slug: &str, fields: &str) -> String {
    format!("---\ntitle: {slug}\n{fields}\n---\nBody.\n")
}

/// The content file `content/{stem}.md` holding `text`, as a listing reads it.
pub(crate) fn source_file(stem: &str, text: &str) -> SourceFile {
    SourceFile {
        path: format!("content/{stem}.md"),
        stem: stem.to_string(),
        bytes: Ok(text.as_bytes().to_vec()),
    }
}
