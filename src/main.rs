use std::process::ExitCode;

use clap::Parser;

/// jemalloc instead of glibc's malloc: rendering makes many small, short-lived allocations
/// on every thread, where glibc's arenas spent about a sixth of the build's CPU time.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    hindsight::cli::Cli::parse().run()
}
