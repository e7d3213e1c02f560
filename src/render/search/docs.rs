//! `d/<block>.js`: what a result shows (title, link, duration, summary and the text its
//! snippet is cut from), for [`DOC_BLOCK`] incidents in a row.
//!
//! One file per incident made the index as many files as the archive has postmortems
//! (10,344 at 10,000), each a file to create on every build and to upload on every
//! publish. Blocks of consecutive positions keep the count at a sixteenth, and suit the
//! way results come: with no words, or with words that many postmortems share, results
//! tie on score and go newest first, so the first page falls in a few blocks at the start.

use super::SEARCH_DIR;
use super::encode::js_string;
use crate::model::incident::Incident;
use crate::render::{Page, format_duration};

/// Incidents per `d/` file: block `b` holds positions `16b` to `16b + 15`.
pub const DOC_BLOCK: usize = 16;

/// A result keeps this many characters of an incident's text for its snippet.
///
/// A trade: a first page of results usually spans five blocks, 80 records, so each
/// record's size is paid sixteen times per result. At 3,000 characters the first query
/// at 10,000 postmortems loaded 404 KB (the target is 300); at 1,000 it loads 265 KB. The
/// price: for one result in five whose word is in its title (measured over 17 common
/// words), the word first appears past the kept text, and its snippet is the opening
/// of the postmortem, unmarked (one in ten at 3,000).
pub const SNIPPET_SOURCE_CHARS: usize = 1000;

/// The path of block `block`'s file, under the output folder.
pub(super) fn block_path(block: usize) -> String {
    format!("{SEARCH_DIR}/d/{block}.js")
}

/// The number of blocks `count` incidents fill.
pub(super) fn block_count(count: usize) -> usize {
    count.div_ceil(DOC_BLOCK)
}

/// Block `block`'s file; `incidents` are the site's incidents, all of them.
pub(super) fn block_page(block: usize, incidents: &[Incident]) -> Page {
    let first = block * DOC_BLOCK;
    let last = (first + DOC_BLOCK).min(incidents.len());
    Page {
        path: block_path(block),
        bytes: block_fragment(first, &incidents[first..last]).into_bytes(),
    }
}

/// `hindsightSearch.docs(<first position>,[{...},...]);`: the records of `incidents`,
/// which sit at positions `first` onwards.
pub fn block_fragment(first: usize, incidents: &[Incident]) -> String {
    let mut out = String::with_capacity(incidents.len() * (SNIPPET_SOURCE_CHARS + 256));
    out.push_str("hindsightSearch.docs(");
    out.push_str(&first.to_string());
    out.push_str(",[");
    for (i, incident) in incidents.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_record(&mut out, incident);
    }
    out.push_str("]);\n");
    out
}

/// One incident's record: `{"title":…,"url":…,"duration":…,"summary":…,"text":…}`.
fn push_record(out: &mut String, incident: &Incident) {
    let text = &incident.body.plain_text;
    let end = text
        .char_indices()
        .nth(SNIPPET_SOURCE_CHARS)
        .map_or(text.len(), |(i, _)| i);
    out.push_str("{\"title\":");
    js_string(out, &incident.title);
    out.push_str(",\"url\":");
    js_string(out, &format!("incidents/{}/", incident.slug));
    if let Some(duration) = incident.duration() {
        out.push_str(",\"duration\":");
        js_string(out, &format_duration(duration));
    }
    if let Some(summary) = &incident.summary {
        out.push_str(",\"summary\":");
        js_string(out, summary);
    }
    out.push_str(",\"text\":");
    js_string(out, &text[..end]);
    out.push('}');
}
