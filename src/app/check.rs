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
use crate::app::aside::AsideFile;
use crate::app::build::{AfterLastBody, Analyzed, analyze_to_render, drop_later, render_streamed};
use crate::app::project::{self, LoadError};
use crate::model::config::Config;
use crate::model::diagnostics::Diagnostic;
use crate::model::incident::Aside;
use crate::model::inference::InferredField;
use crate::parse::source::Listing;
use crate::render::{self, Page, RenderError, RenderOptions, Sink};

/// What `hindsight check` found.
#[derive(Debug)]
pub struct CheckReport {
    /// Every problem, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
    /// For each file without front matter, what was inferred from it, by path.
    pub inferred: InferredList,
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
    let mut inferred: Vec<(String, Option<Aside>)> = (site.incidents.iter())
        .filter(|incident| incident.inferred.is_some())
        .map(|incident| (incident.source.clone(), incident.body.aside))
        .collect();
    inferred.sort_by(|a, b| a.0.cmp(&b.0));
    let render_options = RenderOptions { as_of };
    let pages = render_streamed(
        &site,
        &theme,
        tera?,
        &sources,
        aside.as_ref().map(|file| (file, AfterLastBody::Keep)),
        &render_options,
        &Nothing,
    )?;
    let files = sources.len();
    drop_later(site);
    Ok(CheckReport {
        diagnostics,
        inferred: InferredList {
            files: inferred,
            aside,
            sources,
            config,
        },
        files,
        pages,
    })
}

/// What was inferred from each postmortem without front matter, read when it is listed
/// from where the check set it aside with the body: held whole, it was some 1 KB a file,
/// 100 MB beside the pages of 100,000 being made. A file whose values cannot be read back
/// is parsed again.
pub struct InferredList {
    /// Each file without front matter, by path, and where its values were set aside.
    files: Vec<(String, Option<Aside>)>,
    aside: Option<AsideFile>,
    sources: Listing,
    config: Config,
}

impl InferredList {
    /// Files read in parallel at once when listed: a batch's values are some 1 MB.
    const BATCH: usize = 1024;

    /// How many files without front matter.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Each file's path and what was inferred from it, by path.
    pub fn iter(&self) -> impl Iterator<Item = (&str, Vec<InferredField>)> {
        self.files.chunks(Self::BATCH).flat_map(|batch| {
            let read: Vec<Vec<InferredField>> = (batch.par_iter())
                .map(|(source, at)| {
                    let aside = at.zip(self.aside.as_ref());
                    project::inferred_set_aside(&self.sources, &self.config, source, aside)
                })
                .collect();
            batch.iter().map(|(source, _)| source.as_str()).zip(read)
        })
    }
}

impl std::fmt::Debug for InferredList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InferredList")
            .field("files", &self.files)
            .finish_non_exhaustive()
    }
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

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    /// A postmortem without front matter: its metadata is read from its prose.
    fn prose(service: &str) -> String {
        format!(
            "# {service} outage\n\nDuration: February 10, 2024, 9:00 AM - \
             February 10, 2024, 11:00 AM (UTC)\nServices affected: {service}\n\n## Timeline\n\n\
             - 09:00 UTC: requests to {service} start failing\n\
             - 09:20 UTC: on-call paged by the error rate\n\
             - 11:00 UTC: {service} recovers\n\n## Action items\n\n\
             - Alert on {service}'s error rate\n"
        )
    }

    /// `check` lists what it inferred from each file without front matter, by path, from
    /// where it set it aside with the body: the file of bodies outlives the pages for it.
    /// Where that file cannot give a list back, the postmortem is parsed again, to the
    /// same list.
    #[test]
    fn what_was_inferred_is_listed_from_the_bodies_set_aside_or_the_files_again() {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("content");
        fs::create_dir(&content).unwrap();
        for service in ["search", "checkout", "billing"] {
            fs::write(content.join(format!("{service}.md")), prose(service)).unwrap();
        }
        fs::write(
            content.join("api.md"),
            "---\ntitle: API outage\nstarted_at: 2024-03-01T10:00:00Z\n---\n\nIt broke.\n",
        )
        .unwrap();
        let as_of = NaiveDate::from_ymd_opt(2024, 6, 1).unwrap();
        let report = check(dir.path(), as_of, None).unwrap();
        let list = |report: &CheckReport| -> Vec<(String, Vec<InferredField>)> {
            (report.inferred.iter())
                .map(|(file, fields)| (file.to_string(), fields))
                .collect()
        };
        let listed = list(&report);
        let files: Vec<&str> = listed.iter().map(|(file, _)| file.as_str()).collect();
        assert_eq!(
            files,
            [
                "content/billing.md",
                "content/checkout.md",
                "content/search.md"
            ]
        );
        for (file, fields) in &listed {
            let value = |name: &str| {
                let field = fields.iter().find(|field| field.field == name);
                field.map(|field| field.value.as_str())
            };
            assert_eq!(value("timeline"), Some("3 events"), "{file}");
            assert_eq!(value("action_items"), Some("1 item"), "{file}");
            let service = file.trim_start_matches("content/").trim_end_matches(".md");
            assert_eq!(value("services"), Some(service), "{file}");
        }
        let aside = report.inferred.aside.as_ref().expect("a file of bodies");
        let set_aside = report.inferred.files.iter().map(|(_, at)| at.unwrap());
        assert!(
            set_aside.clone().all(|at| aside.read(at).is_ok()),
            "kept after the pages"
        );
        aside.release();
        assert!(set_aside.clone().all(|at| aside.read(at).is_err()));
        assert_eq!(list(&report), listed);
    }
}
