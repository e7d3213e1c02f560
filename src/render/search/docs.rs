//! `d/<block>.js`: what a result shows (title, link, duration, summary and the text its
//! snippet is cut from), for [`DOC_BLOCK`] incidents in a row.
//!
//! One file per incident made the index as many files as the archive has postmortems
//! (10,344 at 10,000), each a file to create on every build and to upload on every
//! publish. Blocks of consecutive positions keep the count at a sixteenth, and suit the
//! way results come: with no words, or with words that many postmortems share, results
//! tie on score and go newest first, so the first page falls in a few blocks at the start.

use std::borrow::Cow;

use super::encode::js_string;
use super::{SEARCH_DIR, facet_param};
use crate::analyze::index::{Facet, TermLists};
use crate::analyze::site::Site;
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

/// The facets a result line shows (severity badge, services, root causes): each record
/// names its values by their place in the facet's list in `meta.js`, so the first results
/// show them without the facets' incident sets, which load later (`f/<param>.js`).
pub(super) const RESULT_FACETS: [Facet; 3] = [Facet::Severity, Facet::Service, Facet::Cause];

/// Per incident, its values of each of [`RESULT_FACETS`].
pub(crate) struct ResultTerms([TermLists; 3]);

impl ResultTerms {
    pub(super) fn new(site: &Site) -> ResultTerms {
        ResultTerms(RESULT_FACETS.map(|facet| {
            site.index
                .facet(facet)
                .terms_by_incident(site.incidents.len())
        }))
    }
}

/// Block `block`'s file; `texts` are the plain texts of its incidents' bodies, in order.
pub(super) fn block_page(
    block: usize,
    site: &Site,
    terms: &ResultTerms,
    texts: &[impl AsRef<str>],
) -> Page {
    let first = block * DOC_BLOCK;
    let last = (first + DOC_BLOCK).min(site.incidents.len());
    Page {
        path: block_path(block),
        bytes: block_fragment(site, terms, first..last, texts).into_bytes(),
    }
}

/// [`block_page`] of a site that holds its bodies' plain texts.
pub(super) fn held_block_page(block: usize, site: &Site, terms: &ResultTerms) -> Page {
    let first = block * DOC_BLOCK;
    let last = (first + DOC_BLOCK).min(site.incidents.len());
    let texts: Vec<Cow<str>> = (site.incidents[first..last].iter())
        .map(|incident| incident.body.text())
        .collect();
    let texts: Vec<&str> = texts.iter().map(|text| &**text).collect();
    block_page(block, site, terms, &texts)
}

/// `hindsightSearch.docs(<first position>,[{...},...]);`: the records of the incidents at
/// `positions`, whose bodies' plain texts are `texts`, in order.
pub(super) fn block_fragment(
    site: &Site,
    terms: &ResultTerms,
    positions: std::ops::Range<usize>,
    texts: &[impl AsRef<str>],
) -> String {
    let mut out = String::with_capacity(positions.len() * (SNIPPET_SOURCE_CHARS + 256));
    out.push_str("hindsightSearch.docs(");
    out.push_str(&positions.start.to_string());
    out.push_str(",[");
    debug_assert_eq!(positions.len(), texts.len());
    for ((i, position), text) in positions.enumerate().zip(texts) {
        if i > 0 {
            out.push(',');
        }
        let incident = &site.incidents[position];
        push_record(&mut out, incident, text.as_ref(), terms, position);
    }
    out.push_str("]);\n");
    out
}

/// One incident's record: `{"title":…,"url":…,"duration":…,"summary":…,"severity":[…],
/// "service":[…],"cause":[…],"text":…}`.
fn push_record(
    out: &mut String,
    incident: &Incident,
    text: &str,
    terms: &ResultTerms,
    position: usize,
) {
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
    for (facet, lists) in RESULT_FACETS.iter().zip(&terms.0) {
        let values = lists.of_incident(position);
        if values.is_empty() {
            continue;
        }
        out.push_str(",\"");
        out.push_str(facet_param(*facet));
        out.push_str("\":[");
        for (i, value) in values.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&value.to_string());
        }
        out.push(']');
    }
    out.push_str(",\"text\":");
    js_string(out, &text[..end]);
    out.push('}');
}
