//! Helpers for the fuzz targets in `fuzz_targets/`: the invariants they assert, and the one
//! way they turn bytes into a file's text.

mod checks;

use std::borrow::Cow;

pub use checks::{Lines, is_refused_control, runs_script, unsafe_html};

/// The text every reader of a content file sees (BOM removed, CRLF made LF), or `None` for
/// bytes that are not UTF-8, which the parsers never receive.
pub fn text_of(data: &[u8]) -> Option<Cow<'_, str>> {
    let text = std::str::from_utf8(data).ok()?;
    Some(hindsight::parse::source::normalize_text(text))
}
