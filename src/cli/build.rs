//! `hindsight build`: the whole pipeline, its diagnostics and a one-line summary.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, NaiveDate, Utc};

use super::{EXIT_FAILURE, count, exit_code, notes, print_diagnostics_limited};
use crate::app::build::{self, BuildOptions};
use crate::model::diagnostics::Tally;

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
    /// Replace the output folder even if Hindsight did not write it (it holds no
    /// .hindsight-output file), deleting everything in it
    #[arg(long)]
    force: bool,
    /// Print at most this many problems in full, then a count per code (0: all)
    #[arg(long, value_name = "N", default_value_t = 20)]
    max_diagnostics: usize,
    /// Print the time spent in each stage of the build
    #[arg(long)]
    timings: bool,
    /// The date trends are computed for (overdue action items, "on this day")
    /// [default: $SOURCE_DATE_EPOCH as a UTC date, else today in UTC]
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    as_of: Option<NaiveDate>,
}

/// `--as-of` of `build` and `serve`.
pub(super) fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| format!("expected a date as YYYY-MM-DD, such as 2024-06-01, got \"{text}\""))
}

/// The as-of date: the flag, else `SOURCE_DATE_EPOCH` (the reproducible-builds variable:
/// seconds since 1970, read as a UTC date), else today in UTC. The one place that reads
/// the environment and the clock for the build, so the library stays a function of its
/// inputs. `serve` can resolve its date with this too.
pub(super) fn resolve_as_of(flag: Option<NaiveDate>) -> Result<NaiveDate, String> {
    as_of_from(
        flag,
        std::env::var("SOURCE_DATE_EPOCH").ok().as_deref(),
        || Utc::now().date_naive(),
    )
}

fn as_of_from(
    flag: Option<NaiveDate>,
    source_date_epoch: Option<&str>,
    today: impl FnOnce() -> NaiveDate,
) -> Result<NaiveDate, String> {
    if let Some(date) = flag {
        return Ok(date);
    }
    // An empty variable counts as unset, as the reproducible-builds specification says.
    match source_date_epoch.map(str::trim).filter(|s| !s.is_empty()) {
        Some(text) => text
            .parse::<i64>()
            .ok()
            .and_then(|seconds| DateTime::from_timestamp(seconds, 0))
            .map(|at| at.date_naive())
            .ok_or_else(|| {
                format!(
                    "SOURCE_DATE_EPOCH: expected a whole number of seconds since 1970-01-01, got \"{text}\""
                )
            }),
        None => Ok(today()),
    }
}

/// " (1 draft hidden; --drafts includes it)" after the number of incidents, when a draft
/// was left out: otherwise 21 files build as 20 incidents with no word why.
fn hidden_drafts(hidden: usize) -> String {
    match hidden {
        0 => String::new(),
        1 => " (1 draft hidden; --drafts includes it)".to_string(),
        n => format!(" ({n} drafts hidden; --drafts includes them)"),
    }
}

impl BuildArgs {
    pub(super) fn run(self) -> ExitCode {
        let timings = self.timings;
        let max_diagnostics = self.max_diagnostics;
        let as_of = match resolve_as_of(self.as_of) {
            Ok(date) => date,
            Err(message) => {
                eprintln!("error: {message}");
                return ExitCode::from(EXIT_FAILURE);
            }
        };
        let options = BuildOptions {
            root: self.root,
            output: self.output,
            base_url: self.base_url,
            drafts: self.drafts,
            strict: self.strict,
            force: self.force,
            as_of,
        };
        match build::build(&options) {
            Ok(report) => {
                print_diagnostics_limited(&report.diagnostics, max_diagnostics);
                let tally = Tally::of(&report.diagnostics);
                let mut out = std::io::stdout().lock();
                let summary = format!(
                    "{}{}, {}, {}, {}{} in {:.2}s",
                    count(report.incidents, "incident"),
                    hidden_drafts(report.hidden_drafts),
                    count(report.pages, "page"),
                    count(tally.warnings, "warning"),
                    count(tally.errors, "error"),
                    notes(tally),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_of_comes_from_the_flag_then_source_date_epoch_then_today() {
        let date = |s: &str| parse_date(s).unwrap();
        let today = || date("2030-01-02");
        // (--as-of, SOURCE_DATE_EPOCH, the date or the start of the error)
        type Case = (
            Option<&'static str>,
            Option<&'static str>,
            Result<&'static str, &'static str>,
        );
        let cases: &[Case] = &[
            (Some("2024-06-01"), Some("0"), Ok("2024-06-01")),
            (None, Some("1717200000"), Ok("2024-06-01")),
            (None, Some("1717286399"), Ok("2024-06-01")),
            (None, Some(" "), Ok("2030-01-02")),
            (None, None, Ok("2030-01-02")),
            (
                None,
                Some("yesterday"),
                Err("SOURCE_DATE_EPOCH: expected a whole number"),
            ),
        ];
        for (flag, env, expected) in cases {
            let got = as_of_from(flag.map(date), *env, today);
            match expected {
                Ok(expected) => assert_eq!(got, Ok(date(expected)), "{flag:?} {env:?}"),
                Err(message) => assert!(
                    got.as_ref().is_err_and(|e| e.starts_with(message)),
                    "{got:?}"
                ),
            }
        }
        assert!(parse_date("2024-02-30").unwrap_err().contains("YYYY-MM-DD"));
    }
}
