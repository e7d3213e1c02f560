//! `hindsight check`: everything `build` does short of writing, so CI can fail a change
//! before it is published.

use std::path::Path;

use chrono::NaiveDate;

use crate::analyze::check;
use crate::analyze::quality;
use crate::analyze::site::{self, AnalyzeOptions, BodyHtml};
use crate::app::project::{self, LoadError};
use crate::model::diagnostics::Diagnostic;
use crate::model::inference::InferredField;
use crate::render::{self, Bodies, RenderError, RenderOptions};

/// What `hindsight check` found.
#[derive(Debug)]
pub struct CheckReport {
    /// Every problem, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
    /// For each file without front matter, what was inferred from it, by path.
    pub inferred: Vec<(String, Vec<InferredField>)>,
    /// Content files read.
    pub files: usize,
    /// Pages the site would have (drafts included).
    pub pages: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(transparent)]
    Render(#[from] RenderError),
}

/// Everything `build` would do short of writing: load, analyze with drafts (so they are
/// checked too) and render every page into nothing, so a template that fails on some page
/// fails here. `as_of` is the date trend pages are computed for; with `min_score`, each
/// postmortem (but drafts) scoring below it is an error (H028).
pub fn check(
    root: &Path,
    as_of: NaiveDate,
    min_score: Option<u32>,
) -> Result<CheckReport, CheckError> {
    let project = project::load(root)?;
    let options = AnalyzeOptions {
        drafts: true,
        as_of: Some(as_of),
    };
    let (site, mut diagnostics) =
        project::analyze(&project.config, &project.sources, options, BodyHtml::Keep);
    diagnostics.extend(check::skipped_files(&project.config, &project.skipped));
    if let Some(min_score) = min_score {
        diagnostics.extend(quality::below_min_score(
            &site.config,
            &site.incidents,
            min_score,
        ));
        site::sort_diagnostics(&mut diagnostics);
    }
    let render_options = RenderOptions { as_of };
    let pages = render::render_each(&site, &project.theme, &render_options, Bodies::Held, |_| {
        Ok::<(), RenderError>(())
    })?;
    let mut inferred: Vec<(String, Vec<InferredField>)> = site
        .incidents
        .iter()
        .filter_map(|incident| {
            let found = incident.inferred.as_ref()?;
            Some((incident.source.clone(), found.fields(&site.config)))
        })
        .collect();
    inferred.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(CheckReport {
        diagnostics,
        inferred,
        files: project.sources.len(),
        pages,
    })
}
