use std::process::ExitCode;

use clap::Parser;

/// jemalloc instead of glibc's malloc: rendering makes many small, short-lived allocations
/// on every thread, where glibc's arenas spent about a sixth of the build's CPU time.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's options, read when it starts (`_RJEM_MALLOC_CONF` in the environment still
/// overrides them): memory freed is given back to the system after a tenth of a second
/// instead of ten. A large build frees most of what it allocates (each page, each body
/// read back) soon after, and with the default the freed pages stayed resident through
/// the render phase: at 100,000 postmortems the peak fell from 1,123 to 986 MiB with a
/// second. A tenth took it further once the rest of the peak had shrunk (100,000 with
/// front matter 562-572 -> 541 MiB, without 606-612 -> 579 MiB, two builds each,
/// alternating) in the same time (10,000 with front matter, five builds each: 2.03 and
/// 2.04 s median, 3.39 and 3.42 s of user CPU, 90 and 89 MiB); when it was measured
/// before, it cost 3-5%.
///
/// jemalloc gives memory back as it allocates and frees, so a `serve` idle after its
/// first build, which does neither, kept what it had freed last; a background thread
/// now gives it back on time (`serve` at 10,000, idle: 310-332 -> 304 MiB in every run;
/// a build's time and peak are unchanged).
#[cfg(not(target_env = "msvc"))]
#[unsafe(export_name = "_rjem_malloc_conf")]
static MALLOC_CONF: MallocConf =
    MallocConf(c"background_thread:true,dirty_decay_ms:100,muzzy_decay_ms:0".as_ptr());

/// A C string jemalloc reads at start (`const char *malloc_conf`).
#[cfg(not(target_env = "msvc"))]
#[repr(transparent)]
struct MallocConf(*const std::ffi::c_char);

// SAFETY: the pointer is to a string literal, immutable and alive for the whole program.
#[cfg(not(target_env = "msvc"))]
unsafe impl Sync for MallocConf {}

fn main() -> ExitCode {
    hindsight::cli::Cli::parse().run()
}
