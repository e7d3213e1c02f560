//! `hindsight serve`: the live preview, and one line per rebuild on the terminal.

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use chrono::NaiveDate;

use super::build::{parse_date, resolve_as_of};
use super::{EXIT_FAILURE, count, print_diagnostics};
use crate::app::incremental::{FileChange, Scope, Update};
use crate::app::serve::{self, Event, ServeOptions};
use crate::app::watch::ChangeSet;

#[derive(Debug, clap::Args)]
pub(super) struct ServeArgs {
    /// The site root: the folder holding hindsight.toml and content/
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// The port to listen on; 0 picks a free one (the address is printed)
    #[arg(long, short, default_value_t = 1111)]
    port: u16,
    /// The address to listen on. Any address but a loopback one shows the preview,
    /// drafts included, to the network
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    interface: IpAddr,
    /// Open the preview in the default browser
    #[arg(long)]
    open: bool,
    /// Show postmortems with `status: draft` (the default when serving)
    #[arg(long, overrides_with = "no_drafts")]
    drafts: bool,
    /// Hide drafts, as the published site does
    #[arg(long)]
    no_drafts: bool,
    /// Print the time spent in each stage of every rebuild
    #[arg(long)]
    timings: bool,
    /// The date trends are computed for (overdue action items, "on this day"), for the
    /// whole session [default: $SOURCE_DATE_EPOCH as a UTC date, else today in UTC, when
    /// the preview starts]
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    as_of: Option<NaiveDate>,
}

impl ServeArgs {
    pub(super) fn run(self) -> ExitCode {
        let as_of = match resolve_as_of(self.as_of) {
            Ok(date) => date,
            Err(message) => {
                eprintln!("error: {message}");
                return ExitCode::from(EXIT_FAILURE);
            }
        };
        let options = ServeOptions {
            root: self.root.clone(),
            interface: self.interface,
            port: self.port,
            drafts: self.drafts || !self.no_drafts,
            as_of,
        };
        let mut printer = Printer {
            timings: self.timings,
            open: self.open,
            drafts: options.drafts,
            last_problems: Vec::new(),
        };
        match serve::run(&options, |event| printer.print(event)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("error: {error}");
                ExitCode::from(EXIT_FAILURE)
            }
        }
    }
}

struct Printer {
    timings: bool,
    open: bool,
    drafts: bool,
    /// Problems printed last, so a problem is printed when it appears, not on every save.
    last_problems: Vec<String>,
}

impl Printer {
    fn print(&mut self, event: Event<'_>) {
        match event {
            Event::Serving {
                address,
                out,
                update,
            } => {
                print_diagnostics(&update.diagnostics);
                let url = format!("http://{address}/");
                let mut stdout = std::io::stdout().lock();
                let _ = writeln!(
                    stdout,
                    "built {}, {} in {}",
                    count(update.incidents, "incident"),
                    count(update.rendered, "page"),
                    duration(update.elapsed)
                );
                self.timings(&mut stdout, update);
                let _ = writeln!(stdout, "preview folder: {}", out.display());
                let drafts = if self.drafts {
                    "drafts shown"
                } else {
                    "drafts hidden"
                };
                let _ = writeln!(
                    stdout,
                    "serving at {url} ({drafts}); watching for changes, Ctrl-C to stop"
                );
                let _ = stdout.flush();
                drop(stdout);
                if !address.ip().is_loopback() {
                    eprintln!(
                        "warning: listening on {}: anyone who can reach this machine can read the preview, drafts included",
                        address.ip()
                    );
                }
                if self.open {
                    open_browser(&url);
                }
            }
            Event::Rebuilt {
                changes,
                update,
                problems,
            } => {
                if update.files.is_empty()
                    && update.rendered == 0
                    && !changes.config
                    && !changes.theme
                {
                    // Touched, not changed (a save without edits): nothing to say.
                    return;
                }
                print_diagnostics(&update.diagnostics);
                for problem in problems {
                    // Config and theme problems are not diagnostics; print each once.
                    if problem.starts_with("error: ") && !self.last_problems.contains(problem) {
                        eprintln!("{problem}");
                    }
                }
                let mut stdout = std::io::stdout().lock();
                let _ = writeln!(stdout, "{}", summary(changes, update));
                if problems.is_empty() && !self.last_problems.is_empty() {
                    let _ = writeln!(stdout, "  all problems fixed");
                }
                self.timings(&mut stdout, update);
                let _ = stdout.flush();
                self.last_problems = problems.to_vec();
            }
            Event::Failed(error) => {
                eprintln!("error: {error} (the preview keeps the last good pages)");
            }
            Event::WatchFailed(error) => {
                eprintln!("warning: {error}; changes there are not seen until a restart");
            }
        }
    }

    fn timings(&self, out: &mut impl Write, update: &Update) {
        if self.timings {
            for (stage, time) in &update.stages {
                let _ = writeln!(out, "{stage:>14}: {:>8.1} ms", time.as_secs_f64() * 1000.0);
            }
        }
    }
}

/// One line per rebuild: when, what changed, what was written, how long it took.
fn summary(changes: &ChangeSet, update: &Update) -> String {
    let mut what: Vec<String> = update
        .files
        .iter()
        .take(3)
        .map(|(path, change)| {
            let change = match change {
                FileChange::Added => "added",
                FileChange::Edited => "edited",
                FileChange::Removed => "removed",
            };
            format!("{path} {change}")
        })
        .collect();
    if update.files.len() > 3 {
        what.push(format!("{} more files", update.files.len() - 3));
    }
    if changes.config {
        what.push("hindsight.toml".into());
    }
    if changes.theme {
        what.push("theme".into());
    }
    if changes.rescan {
        what.push("everything (events were lost)".into());
    }
    let scope = match update.scope {
        Scope::Nothing => "nothing to render",
        Scope::Bodies => "body only",
        Scope::Reached => "pages it reached",
        Scope::Everything => "every page",
    };
    let mut written = count(update.written.len(), "page") + " written";
    if !update.removed.is_empty() {
        written.push_str(&format!(", {} removed", update.removed.len()));
    }
    format!(
        "[{}] {} → {} ({scope}, {} rendered) in {}",
        chrono::Local::now().format("%H:%M:%S"),
        what.join(", "),
        written,
        update.rendered,
        duration(update.elapsed)
    )
}

fn duration(elapsed: Duration) -> String {
    if elapsed < Duration::from_secs(1) {
        format!("{} ms", elapsed.as_millis())
    } else {
        format!("{:.2} s", elapsed.as_secs_f64())
    }
}

/// Opens `url` in the default browser; a failure is a warning, the preview runs anyway.
fn open_browser(url: &str) {
    let command = if cfg!(target_os = "macos") {
        std::process::Command::new("open").arg(url).spawn()
    } else if cfg!(windows) {
        std::process::Command::new("cmd")
            .args(["/C", "start", "", url])
            .spawn()
    } else {
        std::process::Command::new("xdg-open").arg(url).spawn()
    };
    if let Err(error) = command {
        eprintln!("warning: could not open a browser ({error}); open {url} yourself");
    }
}
