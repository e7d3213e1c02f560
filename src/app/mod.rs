//! `app`: the commands' pipelines over the layers below. Loading a project ([`project`]),
//! `build` ([`build`]), `check` ([`check`]), `import` and `new`/`init` ([`import`],
//! [`scaffold`]), serve's incremental rebuilds ([`incremental`]), file watching
//! ([`watch`]), the dev server ([`serve`]) and the only writer of the site ([`output`]).
//!
//! Knows nothing of argument parsing or printing: `cli` does both.

pub mod adopt;
pub mod aside;
pub mod build;
pub mod check;
pub mod import;
pub mod incremental;
pub mod output;
pub mod project;
pub mod scaffold;
pub mod serve;
pub mod watch;
