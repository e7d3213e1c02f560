//! The parts many pages share, each rendered once: incident table rows (at one depth,
//! moved to others by swapping the root), the site header (per depth and section), and
//! each incident's item in other incidents' "Similar incidents" (the shared words
//! swapped in).

use rayon::prelude::*;
use tera::{Context, Tera};

use super::{
    IncidentLink, IncidentRow, RenderError, Renderer, SHARED_ROW_ROOT, escape_html, insert_html,
    template_error,
};

/// What a full build renders a table row with in place of `root`: a control character no
/// escaping changes and no row's data holds (checked), so the one render marks every place
/// the root goes, and the row serves pages of any depth.
const ROOT_MARKER: &str = "\u{1}";

/// What `similar_item.html` is rendered with in place of `shared`, the same way: every
/// place the words go, in an item made once for every page that lists the incident.
const SHARED_MARKER: &str = "\u{2}";

impl Renderer<'_> {
    /// The "Similar incidents" items of the incident at `position` for its page at `root`,
    /// one after the other: each from `similar_item.html`, made once per build for the
    /// incidents' pages' depth ([`SHARED_ROW_ROOT`]) with its words swapped in; `None` when
    /// the theme has no `similar_item.html`. Tera spends a few thousand instructions on
    /// each variable a page prints, which made this list, five links on each of 10,000
    /// pages, a third of what similar incidents cost a build.
    pub(super) fn similar_items(
        &self,
        position: usize,
        root: &str,
    ) -> Result<Option<String>, RenderError> {
        if !self.has_similar_item {
            return Ok(None);
        }
        let mut html = String::new();
        for (n, similar) in self.site.index.similar[position].iter().enumerate() {
            if n > 0 {
                html.push_str("\n      ");
            }
            let marked = match self.similar_item_html.get(similar.position) {
                Some(made) if root == SHARED_ROW_ROOT => match made.get() {
                    Some(item) => item.as_deref(),
                    None => {
                        let link = self.incident_link(similar.position);
                        let item = marked_item(&self.tera, link, root)?;
                        made.get_or_init(|| item).as_deref()
                    }
                },
                _ => None,
            };
            let shared = similar.shared.joined();
            match marked {
                Some(marked) => {
                    let shared = escape_html(shared);
                    for (i, piece) in marked.split(SHARED_MARKER).enumerate() {
                        if i > 0 {
                            html.push_str(&shared);
                        }
                        html.push_str(piece);
                    }
                }
                None => html.push_str(&render_similar_item(
                    &self.tera,
                    self.incident_link(similar.position),
                    root,
                    shared,
                )?),
            }
        }
        Ok(Some(html))
    }

    /// Puts the page's `header` into `context`: `header.html` for its root and section.
    /// A header that fails to render is left out, and the page reports why.
    pub(super) fn insert_header(&self, context: &mut Context, root: &str, page_path: &str) {
        if !self.has_header {
            return;
        }
        match self.header(root, page_path) {
            Ok(header) => insert_html(context, "header", header),
            Err(RenderError::Template { message, .. }) => {
                let _ = self.header_error.set(message);
            }
            Err(other) => {
                let _ = self.header_error.set(other.to_string());
            }
        }
    }

    /// `header.html` for pages at `root` whose path starts with the same folder as
    /// `page_path` (its section: "services/", or "" for pages at the top), made once for
    /// each: every page of a section at one depth has the same header.
    fn header(&self, root: &str, page_path: &str) -> Result<String, RenderError> {
        let section = page_path.find('/').map_or("", |end| &page_path[..=end]);
        let key = (root.to_string(), section.to_string());
        let headers = || self.headers.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(header) = headers().get(&key) {
            return Ok(header.clone());
        }
        let mut context = self.base.clone();
        context.insert("root", root);
        context.insert("section", section);
        let header = self
            .tera
            .render("header.html", &context)
            .map_err(|e| template_error("header.html", &e))?;
        headers().insert(key, header.clone());
        Ok(header)
    }
}

/// One incident's table row for pages at [`SHARED_ROW_ROOT`], and whether it is
/// relocatable: rendered once with [`ROOT_MARKER`] as the root, the marker swapped for the
/// shared root, and relocatable when swapping that back finds exactly the marked places
/// (a title holding "../../" beside a link would not be). A row whose data holds the
/// marker is rendered plainly and never relocated.
pub(super) fn shared_row(tera: &Tera, row: &IncidentRow) -> Result<(String, bool), RenderError> {
    let value = match serde_json::to_value(row) {
        Ok(value) if !holds_marker(&value) => value,
        _ => return Ok((render_row(tera, row, SHARED_ROW_ROOT)?, false)),
    };
    let mut context = serde_json::Map::new();
    context.insert("i".to_string(), value);
    context.insert("root".to_string(), ROOT_MARKER.into());
    let marked = Context::from_value(serde_json::Value::Object(context))
        .and_then(|context| tera.render("incident_row.html", &context))
        .map_err(|e| template_error("incident_row.html", &e))?;
    let mut html = marked.replace(ROOT_MARKER, SHARED_ROW_ROOT);
    let relocatable = html.replace(SHARED_ROW_ROOT, ROOT_MARKER) == marked;
    // Kept for the whole render (see `render_row`).
    html.shrink_to_fit();
    Ok((html, relocatable))
}

/// Appends a relocatable shared row with `root` in place of [`SHARED_ROW_ROOT`]: the same
/// left-to-right search [`shared_row`] checked the row against.
pub(super) fn relocate(out: &mut String, shared: &str, root: &str) {
    for (i, piece) in shared.split(SHARED_ROW_ROOT).enumerate() {
        if i > 0 {
            out.push_str(root);
        }
        out.push_str(piece);
    }
}

/// Whether any string (or key) in `value` holds [`ROOT_MARKER`] or [`SHARED_MARKER`].
fn holds_marker(value: &serde_json::Value) -> bool {
    use serde_json::Value;
    let marked = |s: &str| s.contains(ROOT_MARKER) || s.contains(SHARED_MARKER);
    match value {
        Value::String(s) => marked(s),
        Value::Array(items) => items.iter().any(holds_marker),
        Value::Object(map) => map
            .iter()
            .any(|(key, item)| marked(key) || holds_marker(item)),
        Value::Null | Value::Bool(_) | Value::Number(_) => false,
    }
}

/// The incident of `link` as an item of a "Similar incidents" list at `root`, with
/// [`SHARED_MARKER`] where the shared words go, trimmed of the template's line breaks; `None`
/// if its data holds a marker, so each list renders it with its words instead.
fn marked_item(
    tera: &Tera,
    link: IncidentLink<'_>,
    root: &str,
) -> Result<Option<String>, RenderError> {
    let value = match serde_json::to_value(link) {
        Ok(value) if !holds_marker(&value) => value,
        _ => return Ok(None),
    };
    let mut context = serde_json::Map::new();
    context.insert("i".to_string(), value);
    context.insert("root".to_string(), root.into());
    context.insert("shared".to_string(), SHARED_MARKER.into());
    Context::from_value(serde_json::Value::Object(context))
        .and_then(|context| tera.render("similar_item.html", &context))
        .map(|item| Some(item.trim().to_string()))
        .map_err(|e| template_error("similar_item.html", &e))
}

/// One item of a "Similar incidents" list from `similar_item.html` (trimmed, as the
/// marked one is): the incident of `link`, and `shared`, the words it
/// shares with the page's incident.
fn render_similar_item(
    tera: &Tera,
    link: IncidentLink<'_>,
    root: &str,
    shared: &str,
) -> Result<String, RenderError> {
    let mut context = Context::new();
    context.insert("i", &link);
    context.insert("root", root);
    context.insert("shared", shared);
    tera.render("similar_item.html", &context)
        .map(|item| item.trim().to_string())
        .map_err(|e| template_error("similar_item.html", &e))
}

/// One incident's table row from `incident_row.html`.
pub(super) fn render_row(
    tera: &Tera,
    row: &IncidentRow,
    root: &str,
) -> Result<String, RenderError> {
    let mut context = Context::new();
    context.insert("i", row);
    context.insert("root", root);
    let mut html = tera
        .render("incident_row.html", &context)
        .map_err(|e| template_error("incident_row.html", &e))?;
    // Most rows are kept for a whole render or `serve` session, and Tera's string grew
    // by doubling: a 1.2 KB row held 2 KB.
    html.shrink_to_fit();
    Ok(html)
}

/// Every incident's table row at [`SHARED_ROW_ROOT`] (`incident_row.html`, rendered once),
/// as the renderer holds them. A page listing incidents writes in their rows from here,
/// so every row is held from the start of the render phase to its end: 119 MiB at
/// 100,000 postmortems. Past [`PACK_ROWS_OVER`]
/// bytes they are held packed (LZ4, with the first row as the dictionary: rows share
/// most of their markup, so most pack to a fraction), and each is unpacked where a page
/// reads it; below it, the time that takes is not worth the memory.
pub(super) enum SharedRows {
    Plain(Vec<String>),
    Packed {
        /// The first row, which every row is packed against.
        dictionary: String,
        rows: Vec<PackedRow>,
    },
}

/// One row, packed against [`SharedRows::Packed`]' dictionary.
pub(super) struct PackedRow {
    bytes: Box<[u8]>,
    len: usize,
}

/// [`SharedRows`] made a batch of rows at a time, each batch packed as it comes once
/// the rows so far pass the limit: none but the batch is ever held unpacked beside the
/// packed rows, where making them all first held them all (some 60 MB at 100,000
/// postmortems).
pub(super) struct SharedRowsMade {
    rows: SharedRows,
    limit: usize,
    /// Bytes of the rows so far.
    total: usize,
}

impl SharedRowsMade {
    /// No rows yet, to be packed once they are more than `limit` bytes in all.
    pub(super) fn packed_over(limit: usize) -> Self {
        SharedRowsMade {
            rows: SharedRows::Plain(Vec::new()),
            limit,
            total: 0,
        }
    }

    /// Appends `rows`, packing them (in parallel) where the rows so far pass the limit,
    /// with every row held plainly before them.
    pub(super) fn extend(&mut self, rows: Vec<String>) {
        self.total += rows.iter().map(String::len).sum::<usize>();
        let pack = |rows: Vec<String>, dictionary: &str| -> Vec<PackedRow> {
            (rows.into_par_iter())
                .map(|row| PackedRow {
                    bytes: lz4_flex::block::compress_with_dict(
                        row.as_bytes(),
                        dictionary.as_bytes(),
                    )
                    .into_boxed_slice(),
                    len: row.len(),
                })
                .collect()
        };
        match &mut self.rows {
            SharedRows::Plain(held) => {
                held.extend(rows);
                if self.total > self.limit {
                    let held = std::mem::take(held);
                    let dictionary = held.first().cloned().unwrap_or_default();
                    let rows = pack(held, &dictionary);
                    self.rows = SharedRows::Packed { dictionary, rows };
                }
            }
            SharedRows::Packed {
                dictionary,
                rows: packed,
            } => {
                packed.extend(pack(rows, dictionary));
            }
        }
    }

    pub(super) fn done(self) -> SharedRows {
        self.rows
    }
}

/// How many bytes of rows a renderer holds plainly (about 25,000 postmortems' rows in
/// the default theme).
pub(super) const PACK_ROWS_OVER: usize = 32 << 20;

impl SharedRows {
    /// The length in bytes of the row at `position`; 0 if there is none.
    pub(super) fn len_of(&self, position: usize) -> usize {
        match self {
            SharedRows::Plain(rows) => rows.get(position).map_or(0, String::len),
            SharedRows::Packed { rows, .. } => rows.get(position).map_or(0, |row| row.len),
        }
    }

    /// The row at `position`, unpacked if it was packed. What [`SharedRowsMade`] packed
    /// unpacks to the same valid UTF-8; a failure would be a bug here, never the user's
    /// input, and gives an empty row rather than a panic.
    pub(super) fn get(&self, position: usize) -> std::borrow::Cow<'_, str> {
        use std::borrow::Cow;
        match self {
            SharedRows::Plain(rows) => rows
                .get(position)
                .map_or(Cow::Borrowed(""), |row| Cow::Borrowed(row)),
            SharedRows::Packed { dictionary, rows } => {
                let unpacked = rows.get(position).and_then(|row| {
                    lz4_flex::block::decompress_with_dict(
                        &row.bytes,
                        row.len,
                        dictionary.as_bytes(),
                    )
                    .ok()
                });
                Cow::Owned(
                    unpacked
                        .and_then(|bytes| String::from_utf8(bytes).ok())
                        .unwrap_or_default(),
                )
            }
        }
    }

    /// Every row, unpacked.
    pub(super) fn into_plain(self) -> Vec<String> {
        match self {
            SharedRows::Plain(rows) => rows,
            SharedRows::Packed { ref rows, .. } => {
                (0..rows.len()).map(|p| self.get(p).into_owned()).collect()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::TermLink;
    use crate::render::build_tera;
    use crate::render::theme::Theme;

    /// Incident `a`'s row, titled `title`, started 2024-02-10, with nothing else recorded.
    fn bare_row(title: &str) -> IncidentRow {
        IncidentRow {
            slug: "a".into(),
            url: "incidents/a/".into(),
            title: title.into(),
            status: "final".into(),
            has_front_matter: true,
            date: Some("2024-02-10".into()),
            date_iso: Some("2024-02-10T09:00:00Z".into()),
            date_from_file_name: false,
            severity: None,
            services: Vec::new(),
            cause: None,
            duration: None,
            duration_minutes: None,
            summary: None,
            metadata_inferred: false,
        }
    }

    #[test]
    fn an_incident_whose_data_holds_the_stand_in_is_rendered_with_its_words() {
        let tera = build_tera(&Theme::embedded()).expect("the default theme parses");
        let row = bare_row("Kafka lag");
        let marked = marked_item(&tera, IncidentLink::of(&row), "../../").expect("renders");
        let marked = marked.expect("plain data is marked");
        assert_eq!(
            marked,
            "<li><a href=\"../../incidents/a/\">Kafka lag</a> <span class=\"muted\">2024-02-10</span>\n        \
             <br><span class=\"muted\">shared: \u{2}</span></li>"
        );
        let odd = bare_row("Kafka \u{2} lag");
        let link = || IncidentLink::of(&odd);
        assert_eq!(marked_item(&tera, link(), "../../").expect("renders"), None);
        let plain = render_similar_item(&tera, link(), "../../", "kafka, lag").expect("renders");
        assert!(plain.ends_with("shared: kafka, lag</span></li>"), "{plain}");
        assert!(plain.contains("Kafka \u{2} lag"), "{plain}");
    }

    #[test]
    fn a_row_rendered_once_reads_as_if_rendered_at_each_depth() {
        let tera = build_tera(&Theme::embedded()).expect("the default theme parses");
        let link = |name: &str, url: &str| TermLink {
            name: name.into(),
            url: url.into(),
        };
        let mut row = IncidentRow {
            services: vec![link("api", "services/api/"), link("db", "services/db/")],
            cause: Some(link("Deploy", "causes/deploy/")),
            duration: Some("45 min".into()),
            duration_minutes: Some(45),
            ..bare_row("")
        };
        // A title holding the shared root, or the marker, is not moved but rendered anew.
        for (title, relocatable) in [
            ("Cache <outage> & \"retries\"", true),
            ("Paths like ../../etc/passwd", false),
            ("A pasted \u{1} control character", false),
        ] {
            row.title = title.into();
            let (shared, moves) = shared_row(&tera, &row).expect("renders");
            assert_eq!(moves, relocatable, "{title}");
            let direct = |root| render_row(&tera, &row, root).expect("renders");
            assert_eq!(shared, direct(SHARED_ROW_ROOT), "{title}");
            if moves {
                for root in ["./", "../", "/docs/"] {
                    let mut moved = String::new();
                    relocate(&mut moved, &shared, root);
                    assert_eq!(moved, direct(root), "{title} at {root}");
                }
            }
        }
    }

    /// Rows held packed read back as they were made, each with its length; held plainly
    /// below the limit.
    #[test]
    fn packed_rows_read_back_as_made() {
        let rows: Vec<String> = (0..50)
            .map(|i| {
                format!(
                    "<tr><td><time>2024-01-{:02}</time></td><td><a href=\"../../incidents/i-{i}/\">Incident «{i}»</a></td></tr>\n",
                    i % 28 + 1
                )
            })
            .chain(["".to_string(), "ünïcödé ✓".repeat(40)])
            .collect();
        // Made in batches of 7: packed from the first, from the third (past the first 20
        // rows' bytes), or never.
        let twenty: usize = rows[..20].iter().map(String::len).sum();
        for (limit, packs) in [(0, true), (twenty, true), (usize::MAX, false)] {
            let mut made = SharedRowsMade::packed_over(limit);
            for batch in rows.chunks(7) {
                made.extend(batch.to_vec());
            }
            let made = made.done();
            assert_eq!(matches!(made, SharedRows::Packed { .. }), packs, "{limit}");
            for (position, row) in rows.iter().enumerate() {
                assert_eq!(made.get(position), *row, "{limit}");
                assert_eq!(made.len_of(position), row.len(), "{limit}");
            }
            assert_eq!(made.get(rows.len()), "");
            assert_eq!(made.len_of(rows.len()), 0);
            assert_eq!(made.into_plain(), rows, "{limit}");
        }
    }
}
