//! `hindsight check`: everything `build` does short of writing, so CI can fail a change
//! before it is published. It reads the archive as a build does (each body set aside once
//! its file is parsed, read back for its page, dropped once rendered), so it holds what a
//! build holds: CI runs both on the same archive.

use std::path::Path;

use chrono::NaiveDate;
use rayon::prelude::*;

use crate::analyze::check;
use crate::analyze::quality;
use crate::analyze::site::AnalyzeOptions;
use crate::app::build::{Analyzed, analyze_to_render, drop_later, render_streamed};
use crate::app::project::{self, LoadError};
use crate::model::diagnostics::Diagnostic;
use crate::model::inference::InferredField;
use crate::render::{self, Page, RenderError, RenderOptions, Sink};

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
/// fails here. The search index is not made: Hindsight's own code makes it from the same
/// bodies, and it can fail only where a file cannot be written. `as_of` is the date trend
/// pages are computed for; with `min_score`, each postmortem (but drafts) scoring below it
/// is an error (H028).
pub fn check(
    root: &Path,
    as_of: NaiveDate,
    min_score: Option<u32>,
) -> Result<CheckReport, CheckError> {
    let project::Project {
        config,
        sources,
        skipped,
        theme,
        ..
    } = project::load(root)?;
    let options = AnalyzeOptions {
        drafts: true,
        as_of: Some(as_of),
    };
    let Analyzed {
        site,
        mut diagnostics,
        tera,
        aside,
    } = analyze_to_render(&config, &sources, options, &theme);
    diagnostics.extend(check::skipped_files(&config, &skipped));
    if let Some(min_score) = min_score {
        diagnostics.extend(quality::below_min_score(
            &site.config,
            &site.incidents,
            &site.scores(),
            min_score,
        ));
        crate::analyze::site::sort_diagnostics(&mut diagnostics);
    }
    // What was inferred is listed from the bodies set aside, before the pages are made:
    // the file is emptied once every page has read its body.
    let mut inferred: Vec<(String, Vec<InferredField>)> = (site.incidents.par_iter())
        .filter_map(|incident| {
            let fields = project::inferred_fields(&sources, &site.config, incident, aside.as_ref());
            Some((incident.source.clone(), fields?))
        })
        .collect();
    let render_options = RenderOptions { as_of };
    let pages = render_streamed(
        &site,
        &theme,
        tera?,
        &sources,
        aside.as_ref(),
        &render_options,
        &Nothing,
    )?;
    inferred.sort_by(|a, b| a.0.cmp(&b.0));
    let files = sources.len();
    drop_later((site, sources));
    Ok(CheckReport {
        diagnostics,
        inferred,
        files,
        pages,
    })
}

/// Where `check` renders: every page made, and dropped.
struct Nothing;

impl Sink for Nothing {
    type Error = CheckError;

    fn page(&self, _: Page) -> Result<(), CheckError> {
        Ok(())
    }

    /// The largest files are written in parts, into nothing rather than one buffer.
    fn stream(&self, _: &str, write: &mut render::WriteParts<'_>) -> Result<(), CheckError> {
        Ok(write(&mut std::io::sink())?)
    }

    fn takes_search_index(&self) -> bool {
        false
    }
}
