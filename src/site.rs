//! `analyze`: every source file parsed, checked across files, sorted and indexed into an
//! immutable [`Site`] (pure: no I/O).

use std::collections::HashMap;

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostics::{Code, Diagnostic};
use crate::incident::{self, Incident, Status};
use crate::index::{self, Index};
use crate::source::SourceFile;
use crate::vocab::Vocabularies;

/// What `analyze` is asked to include.
#[derive(Debug, Clone, Copy, Default)]
pub struct AnalyzeOptions {
    /// Include `status: draft` postmortems.
    pub drafts: bool,
}

/// The analyzed site. Never mutated after `analyze` returns.
#[derive(Debug)]
pub struct Site {
    pub config: Config,
    /// Newest first; incidents without a start time last, by slug.
    pub incidents: Vec<Incident>,
    pub index: Index,
    /// Slug → position in `incidents`.
    pub slugs: HashMap<String, usize>,
}

impl Site {
    pub fn incident(&self, slug: &str) -> Option<&Incident> {
        self.slugs.get(slug).map(|&i| &self.incidents[i])
    }
}

/// Parses every source in parallel, then resolves what needs the whole set: duplicate
/// slugs, drafts, order, indexes and related incidents.
pub fn analyze(
    config: &Config,
    sources: &[SourceFile],
    options: AnalyzeOptions,
) -> (Site, Vec<Diagnostic>) {
    let vocabularies = Vocabularies::new(config);
    let parsed: Vec<(Option<Incident>, Vec<Diagnostic>)> = sources
        .par_iter()
        .map(|source| {
            let mut diagnostics = Vec::new();
            let incident = incident::parse(source, config, &vocabularies, &mut diagnostics);
            (incident, diagnostics)
        })
        .collect();
    let mut diagnostics = Vec::new();
    let mut incidents = Vec::with_capacity(parsed.len());
    // Sources arrive sorted by path, so "the first file with a slug" is stable.
    let mut first_with_slug: HashMap<String, String> = HashMap::new();
    for (incident, found) in parsed {
        diagnostics.extend(found);
        let Some(incident) = incident else { continue };
        if let Some(first) = first_with_slug.get(&incident.slug) {
            diagnostics.push(
                Diagnostic::error(
                    Code::H007,
                    &incident.source,
                    format!(
                        "duplicate slug \"{}\", already used by {first}; this file was skipped",
                        incident.slug
                    ),
                )
                .field("slug")
                .help("set a distinct `slug:` in one of the two files"),
            );
            continue;
        }
        first_with_slug.insert(incident.slug.clone(), incident.source.clone());
        if incident.status == Status::Draft && !options.drafts {
            continue;
        }
        incidents.push(incident);
    }
    incidents.par_sort_by(|a, b| {
        b.started_at
            .is_some()
            .cmp(&a.started_at.is_some())
            .then(b.started_at.cmp(&a.started_at))
            .then_with(|| a.slug.cmp(&b.slug))
    });
    let slugs: HashMap<String, usize> = incidents
        .iter()
        .enumerate()
        .map(|(i, incident)| (incident.slug.clone(), i))
        .collect();
    for incident in &incidents {
        for slug in &incident.related {
            if !slugs.contains_key(slug) && !first_with_slug.contains_key(slug) {
                diagnostics.push(
                    Diagnostic::warning(Code::H013, &incident.source, format!("related incident \"{slug}\" does not exist"))
                        .field("related")
                        .help("use the slug of another postmortem (its file name without .md, or its `slug:`)"),
                );
            }
        }
    }
    let index = index::build(config, &incidents, &slugs);
    diagnostics
        .sort_by(|a, b| (&a.file, a.line, a.col, a.code).cmp(&(&b.file, b.line, b.col, b.code)));
    let site = Site {
        config: config.clone(),
        incidents,
        index,
        slugs,
    };
    (site, diagnostics)
}
