//! The `build` pipeline: `load` → `analyze` → `render` → `write`, and what it reports.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::NaiveDate;

use crate::analyze::check;
use crate::analyze::site::{AnalyzeOptions, BodyHtml, Site, SourcePages};
use crate::app::aside::AsideFile;
use crate::app::output::{self, OutputError, WriteError};
use crate::app::project::{self, LoadError};
use crate::model::config::Config;
use crate::model::diagnostics::{Diagnostic, Tally};
use crate::model::incident::Incident;
use crate::parse::source::Listing;
use crate::render::theme::Theme;
use crate::render::{self, RenderError};

/// How a build is asked to run.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub root: PathBuf,
    /// Output folder; `None` means the config's `output_dir` under the root.
    pub output: Option<PathBuf>,
    /// Overrides the config's `base_url`.
    pub base_url: Option<String>,
    pub drafts: bool,
    /// Any content problem, warnings included, writes nothing.
    pub strict: bool,
    /// Replace an output folder that Hindsight did not write (`--force`).
    pub force: bool,
    /// The date trends are computed for (overdue action items, "on this day"). The library
    /// never reads the clock; the command line resolves this.
    pub as_of: NaiveDate,
}

/// What a build did.
#[derive(Debug)]
pub struct BuildReport {
    pub diagnostics: Vec<Diagnostic>,
    pub incidents: usize,
    /// `status: draft` postmortems left out (without `--drafts`).
    pub hidden_drafts: usize,
    pub pages: usize,
    /// False when `--strict` found problems and nothing was written.
    pub written: bool,
    pub output: PathBuf,
    pub elapsed: Duration,
    /// Time spent in each stage, in pipeline order, for `--timings`.
    pub stages: Vec<(&'static str, Duration)>,
}

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error("refusing to write the site to {path}: {reason}")]
    UnsafeOutput { path: String, reason: &'static str },
}

/// Runs the whole pipeline. Content problems are in the report; only operational failures
/// are errors.
pub fn build(options: &BuildOptions) -> Result<BuildReport, BuildError> {
    let started = Instant::now();
    let project::Project {
        mut config,
        sources,
        skipped,
        theme,
        ..
    } = project::load(&options.root)?;
    if let Some(base_url) = &options.base_url {
        config.base_url = base_url.clone();
    }
    let output = output_dir(&options.root, options.output.as_deref(), &config.output_dir);
    check_output_is_safe(&options.root, &output, &config.content_dir)?;
    let analyze_options = AnalyzeOptions {
        drafts: options.drafts,
        as_of: Some(options.as_of),
    };
    let t0 = Instant::now();
    let Analyzed {
        site,
        mut diagnostics,
        tera,
        aside,
    } = analyze_to_render(&config, &sources, analyze_options, &theme);
    diagnostics.extend(check::skipped_files(&config, &skipped));
    let tally = Tally::of(&diagnostics);
    if options.strict && (tally.errors > 0 || tally.warnings > 0) {
        return Ok(BuildReport {
            diagnostics,
            incidents: site.incidents.len(),
            hidden_drafts: site.hidden_drafts,
            pages: 0,
            written: false,
            output,
            elapsed: started.elapsed(),
            stages: vec![("load", t0 - started), ("analyze", t0.elapsed())],
        });
    }
    let t1 = Instant::now();
    let replace = output::Replace {
        force: options.force,
    };
    let staging = output::Staging::new(&output, replace)?;
    let render_options = render::RenderOptions {
        as_of: options.as_of,
    };
    let pages = render_streamed(
        &site,
        &theme,
        tera?,
        &sources,
        aside.as_ref().map(|file| (file, AfterLastBody::Release)),
        &render_options,
        &Output(&staging),
    )?;
    let t2 = Instant::now();
    staging.commit()?;
    let report = BuildReport {
        diagnostics,
        incidents: site.incidents.len(),
        hidden_drafts: site.hidden_drafts,
        pages,
        written: true,
        output,
        elapsed: started.elapsed(),
        stages: vec![
            ("load", t0 - started),
            ("analyze", t1 - t0),
            ("render+write, search index", t2 - t1),
            ("swap", t2.elapsed()),
        ],
    };
    drop_later((site, sources));
    Ok(report)
}

/// Drops `value` on a thread of its own. A large archive's site is millions of small
/// allocations: freeing them one by one took 0.1-0.2 s at 100,000 postmortems after the
/// site was written, which nobody need wait for. A process that exits first leaves the
/// memory to the system, which takes it back whole.
pub(crate) fn drop_later<T: Send + 'static>(value: T) {
    // Should no thread start, the value is dropped here, as it would have been.
    let _ = std::thread::Builder::new()
        .name("drop".to_string())
        .spawn(move || drop(value));
}

/// The archive analyzed to be rendered as [`render_streamed`] does, the theme's templates
/// made, and the file holding the bodies set aside.
pub(crate) struct Analyzed {
    pub(crate) site: Site,
    pub(crate) diagnostics: Vec<Diagnostic>,
    pub(crate) tera: Result<render::Templates, RenderError>,
    pub(crate) aside: Option<AsideFile>,
}

/// Analyzes `sources` as `build` and `check` do: each body set aside as its file is
/// parsed, to be read back for its page (where no file can be made for them, each is
/// rendered again from its file instead), while the theme's templates are parsed on one
/// thread (about 13 ms that nothing else waits on).
pub(crate) fn analyze_to_render(
    config: &Config,
    sources: &Listing,
    options: AnalyzeOptions,
    theme: &Theme,
) -> Analyzed {
    let aside = AsideFile::new().ok();
    let html = match &aside {
        Some(file) => BodyHtml::SetAside(file),
        None => BodyHtml::Drop,
    };
    let analyze = || project::analyze(config, sources, options, html);
    let (tera, (site, diagnostics)) = rayon::join(|| render::build_tera(theme), analyze);
    Analyzed {
        site,
        diagnostics,
        tera,
        aside,
    }
}

/// Renders the pages and the search index into `sink`; returns how many files. Each
/// body is read back from `aside` (or rendered again from its file) for its page and the
/// search index, and dropped once both have it: what `build` and `check` hold of the
/// archive's bodies is the few being rendered. Once every body is read, the file is
/// emptied or kept as `aside` says.
pub(crate) fn render_streamed<S: render::Sink>(
    site: &Site,
    theme: &Theme,
    tera: render::Templates,
    sources: &Listing,
    aside: Option<(&AsideFile, AfterLastBody)>,
    render_options: &render::RenderOptions,
    sink: &S,
) -> Result<usize, S::Error> {
    let pages_by_source = SourcePages::of(&site.incidents);
    let loaded = AtomicUsize::new(0);
    let (aside, after_last_body) = aside.unzip();
    rayon::scope(|scope| {
        let load = |incident: &Incident| {
            let body =
                project::body_again(sources, &site.config, &pages_by_source, incident, aside);
            // Each body is read back once; after the last, the file of bodies is emptied
            // on a worker of its own while the search index's terms are merged (on one
            // core) and its last shards written.
            if loaded.fetch_add(1, Ordering::Relaxed) + 1 == site.incidents.len()
                && after_last_body == Some(AfterLastBody::Release)
                && let Some(aside) = aside
            {
                scope.spawn(move |_| aside.release());
            }
            body
        };
        render::render_site(site, theme, tera, render_options, &load, sink)
    })
}

/// What [`render_streamed`] does with the file of bodies once every page has read its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AfterLastBody {
    /// Empties it, so the system frees its pages beside the work left (`build`).
    Release,
    /// Keeps it: `check` reads from it, after the pages, what its report lists as
    /// inferred, instead of holding every file's list while the pages are made.
    Keep,
}

/// The staging folder as the renderer's sink.
struct Output<'a>(&'a output::Staging);

impl render::Sink for Output<'_> {
    type Error = BuildError;

    fn page(&self, page: render::Page) -> Result<(), BuildError> {
        Ok(self.0.write(&page)?)
    }

    fn stream(&self, path: &str, write: &mut render::WriteParts<'_>) -> Result<(), BuildError> {
        self.0
            .write_with(path, |to| write(to).map_err(BuildError::from))
    }

    fn scratch(&self) -> Option<Result<Box<dyn render::Scratch>, BuildError>> {
        Some(match self.0.scratch() {
            Ok(file) => Ok(Box::new(file)),
            Err(e) => Err(e.into()),
        })
    }
}

/// The output folder is replaced wholesale, so it must not hold the site's own sources.
fn check_output_is_safe(root: &Path, output: &Path, content_dir: &str) -> Result<(), BuildError> {
    let resolve = |path: &Path| {
        path.canonicalize()
            .or_else(|_| std::path::absolute(path))
            .unwrap_or_else(|_| path.to_path_buf())
    };
    let (root, output_resolved) = (resolve(root), resolve(output));
    let content = resolve(&root.join(content_dir));
    let reason = if root.starts_with(&output_resolved) {
        Some("it is the site root or a folder above it, and the build replaces the whole folder")
    } else if output_resolved.starts_with(&content) {
        Some("it is inside the content folder")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(BuildError::UnsafeOutput {
            path: output.display().to_string(),
            reason,
        }),
        None => Ok(()),
    }
}

/// The output folder: the flag as given (relative to the working directory), else the
/// config's `output_dir` relative to the site root.
pub fn output_dir(root: &Path, flag: Option<&Path>, configured: &str) -> PathBuf {
    match flag {
        Some(path) => path.to_path_buf(),
        None => root.join(configured),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::fs;
    use std::sync::Mutex;

    use super::*;
    use crate::model::incident::InferredMetadata;

    /// Every page rendered, by path.
    #[derive(Default)]
    struct Kept(Mutex<BTreeMap<String, Vec<u8>>>);

    impl render::Sink for Kept {
        type Error = RenderError;

        fn page(&self, page: render::Page) -> Result<(), RenderError> {
            let mut pages = self.0.lock().unwrap();
            pages.insert(page.path, page.bytes);
            Ok(())
        }
    }

    /// `project` analyzed as `build` does, as of 2024-06-01.
    fn analyzed(project: &project::Project) -> Analyzed {
        let options = AnalyzeOptions {
            drafts: false,
            as_of: NaiveDate::from_ymd_opt(2024, 6, 1),
        };
        analyze_to_render(&project.config, &project.sources, options, &project.theme)
    }

    /// The files `build` writes of `site` (analyzed with `tera`), by path, its bodies read
    /// back from `aside`.
    fn rendered(
        project: &project::Project,
        site: &Site,
        tera: render::Templates,
        aside: &AsideFile,
    ) -> BTreeMap<String, Vec<u8>> {
        let kept = Kept::default();
        let options = render::RenderOptions {
            as_of: NaiveDate::from_ymd_opt(2024, 6, 1).unwrap(),
        };
        let sources = &project.sources;
        render_streamed(
            site,
            &project.theme,
            tera,
            sources,
            Some((aside, AfterLastBody::Release)),
            &options,
            &kept,
        )
        .unwrap();
        kept.0.into_inner().unwrap()
    }

    fn postmortem(i: usize) -> String {
        format!(
            "---\ntitle: Outage {i}\nstarted_at: 2024-03-0{i}T10:00:00Z\n\
             resolved_at: 2024-03-0{i}T11:30:00Z\nseverity: SEV2\nservices: [api]\n---\n\n\
             ## Timeline\n\n- 10:05 UTC: paged about outage {i}\n\n## Root cause\n\n\
             A cache of {i} entries expired at once.\n"
        )
    }

    /// Each body is read back from the file it was set aside in, none rendered again from
    /// its postmortem (whose words changed here after parsing: rendering one again would
    /// fail), and the file is emptied once the last was read, with and without the
    /// search index.
    #[test]
    fn bodies_are_read_back_once_then_their_file_is_released() {
        for search in [true, false] {
            let dir = tempfile::tempdir().unwrap();
            let content = dir.path().join("content");
            fs::create_dir(&content).unwrap();
            for i in 1..=5 {
                fs::write(content.join(format!("outage-{i}.md")), postmortem(i)).unwrap();
            }
            if !search {
                fs::write(
                    dir.path().join("hindsight.toml"),
                    "[search]\nenabled = false\n",
                )
                .unwrap();
            }
            let project = project::load(dir.path()).unwrap();
            let analyzed = analyzed(&project);
            let aside = analyzed.aside.as_ref().expect("a file of bodies");
            let at: Vec<_> = (analyzed.site.incidents.iter())
                .map(|incident| incident.body.aside.expect("set aside"))
                .collect();
            assert_eq!(at.len(), 5);
            assert!(at.iter().all(|&at| aside.read(at).is_ok()));
            for i in 1..=5 {
                let changed = postmortem(i).replace("expired at once", "expired");
                fs::write(content.join(format!("outage-{i}.md")), changed).unwrap();
            }
            let pages = rendered(&project, &analyzed.site, analyzed.tera.unwrap(), aside);
            let page = String::from_utf8(pages["incidents/outage-3/index.html"].clone()).unwrap();
            assert!(
                page.contains("A cache of 3 entries expired at once."),
                "search {search}"
            );
            assert_eq!(
                pages.keys().any(|path| path.starts_with("search/")),
                search,
                "search {search}"
            );
            assert!(
                at.iter().all(|&at| aside.read(at).is_err()),
                "search {search}"
            );
        }
    }

    /// A postmortem without front matter, whose timeline is read from its prose.
    const PROSE: &str = "# Checkout outage\n\nDuration: February 10, 2024, 9:00 AM - \
        February 10, 2024, 11:00 AM (UTC)\nServices affected: checkout\n\n## Timeline\n\n\
        - 09:00 UTC: card payments start failing\n- 09:20 UTC: on-call paged by the error rate\n\
        - 11:00 UTC: the old gateway is back and payments recover\n\n## Action items\n\n\
        - Fail over to the second gateway automatically\n- Alert on the card error rate\n";

    /// What was inferred from a postmortem's prose, its timeline included, goes into the
    /// file of bodies with its body, not kept by the site, and its page shows it all the
    /// same: read back, or, when the file cannot give it back, read again from the
    /// postmortem. Its action items are the incident's.
    #[test]
    fn what_was_inferred_is_set_aside_with_its_body_and_shown_on_its_page() {
        for read_back in [true, false] {
            let dir = tempfile::tempdir().unwrap();
            fs::create_dir(dir.path().join("content")).unwrap();
            fs::write(dir.path().join("content/checkout.md"), PROSE).unwrap();
            let project = project::load(dir.path()).unwrap();
            let analyzed = analyzed(&project);
            let aside = analyzed.aside.as_ref().expect("a file of bodies");
            let incident = &analyzed.site.incidents[0];
            assert!(
                matches!(incident.inferred, Some(InferredMetadata::SetAside)),
                "kept by the site"
            );
            assert!(incident.timeline().is_empty(), "kept by the site");
            assert_eq!(incident.action_items.len(), 2);
            let fields =
                project::inferred_fields(&project.sources, &project.config, incident, Some(aside))
                    .unwrap();
            let timeline = fields.iter().find(|f| f.field == "timeline").unwrap();
            assert_eq!(
                (timeline.value.as_str(), timeline.evidence.as_str()),
                ("3 events", "lines 8–10")
            );
            let items = fields.iter().find(|f| f.field == "action_items").unwrap();
            assert_eq!(
                (items.value.as_str(), items.evidence.as_str()),
                ("2 items", "lines 14–15")
            );
            if !read_back {
                aside.release();
            }
            let pages = rendered(&project, &analyzed.site, analyzed.tera.unwrap(), aside);
            let page = String::from_utf8(pages["incidents/checkout/index.html"].clone()).unwrap();
            assert!(
                page.contains("Timeline as Hindsight read it"),
                "{read_back}"
            );
            assert!(page.contains("3 events"), "{read_back}");
            for event in [
                "card payments start failing",
                "on-call paged by the error rate",
                "the old gateway is back and payments recover",
                "Fail over to the second gateway automatically",
                "Alert on the card error rate",
                "2 items",
                "line 3: “February 10, 2024, 9:00 AM",
            ] {
                assert!(page.contains(event), "{event} ({read_back})");
            }
        }
    }
}
