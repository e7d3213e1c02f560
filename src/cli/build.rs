//! `hindsight build`: the whole pipeline, its diagnostics and a one-line summary.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use super::{EXIT_FAILURE, count, exit_code, print_diagnostics};
use crate::build::{self, BuildOptions};
use crate::diagnostics::Tally;

#[derive(Debug, clap::Args)]
pub(super) struct BuildArgs {
    /// The site root: the folder holding hindsight.toml and content/
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// Output folder [default: <root>/public, or output_dir from hindsight.toml]
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Override base_url, e.g. https://intranet.example/eng/postmortems/
    #[arg(long)]
    base_url: Option<String>,
    /// Include postmortems with `status: draft`
    #[arg(long)]
    drafts: bool,
    /// Treat warnings as errors; any content problem writes nothing
    #[arg(long)]
    strict: bool,
    /// Print the time spent in each stage of the build
    #[arg(long)]
    timings: bool,
}

impl BuildArgs {
    pub(super) fn run(self) -> ExitCode {
        let timings = self.timings;
        let options = BuildOptions {
            root: self.root,
            output: self.output,
            base_url: self.base_url,
            drafts: self.drafts,
            strict: self.strict,
        };
        match build::build(&options) {
            Ok(report) => {
                print_diagnostics(&report.diagnostics);
                let tally = Tally::of(&report.diagnostics);
                let mut out = std::io::stdout().lock();
                let summary = format!(
                    "{}, {}, {}, {} in {:.2}s",
                    count(report.incidents, "incident"),
                    count(report.pages, "page"),
                    count(tally.warnings, "warning"),
                    count(tally.errors, "error"),
                    report.elapsed.as_secs_f64()
                );
                if timings {
                    for (stage, time) in &report.stages {
                        let _ =
                            writeln!(out, "{stage:>14}: {:>8.1} ms", time.as_secs_f64() * 1000.0);
                    }
                }
                let _ = if report.written {
                    writeln!(out, "built {summary} → {}", report.output.display())
                } else {
                    writeln!(out, "nothing written (--strict): {summary}")
                };
                exit_code(tally, options.strict)
            }
            Err(error) => {
                eprintln!("error: {error}");
                ExitCode::from(EXIT_FAILURE)
            }
        }
    }
}
