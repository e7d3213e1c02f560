//! The parts many pages share, each rendered once: incident table rows (at one depth,
//! moved to others by swapping the root) and the site header (per depth and section).

use tera::{Context, Tera};

use super::{IncidentRow, RenderError, Renderer, SHARED_ROW_ROOT, insert_html, template_error};

/// What a full build renders a table row with in place of `root`: a control character no
/// escaping changes and no row's data holds (checked), so the one render marks every place
/// the root goes, and the row serves pages of any depth.
const ROOT_MARKER: &str = "\u{1}";

impl Renderer<'_> {
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
    let html = marked.replace(ROOT_MARKER, SHARED_ROW_ROOT);
    let relocatable = html.replace(SHARED_ROW_ROOT, ROOT_MARKER) == marked;
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

/// Whether any string (or key) in `value` holds [`ROOT_MARKER`].
fn holds_marker(value: &serde_json::Value) -> bool {
    use serde_json::Value;
    match value {
        Value::String(s) => s.contains(ROOT_MARKER),
        Value::Array(items) => items.iter().any(holds_marker),
        Value::Object(map) => map
            .iter()
            .any(|(key, item)| key.contains(ROOT_MARKER) || holds_marker(item)),
        Value::Null | Value::Bool(_) | Value::Number(_) => false,
    }
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
    tera.render("incident_row.html", &context)
        .map_err(|e| template_error("incident_row.html", &e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::TermLink;
    use crate::render::build_tera;
    use crate::render::theme::Theme;

    #[test]
    fn a_row_rendered_once_reads_as_if_rendered_at_each_depth() {
        let tera = build_tera(&Theme::embedded()).expect("the default theme parses");
        let link = |name: &str, url: &str| TermLink {
            name: name.into(),
            url: url.into(),
        };
        let mut row = IncidentRow {
            slug: "a".into(),
            url: "incidents/a/".into(),
            title: String::new(),
            status: "final".into(),
            has_front_matter: true,
            date: Some("2024-02-10".into()),
            date_iso: Some("2024-02-10T09:00:00Z".into()),
            date_from_file_name: false,
            severity: None,
            services: vec![link("api", "services/api/"), link("db", "services/db/")],
            cause: Some(link("Deploy", "causes/deploy/")),
            duration: Some("45 min".into()),
            duration_minutes: Some(45),
            summary: None,
            metadata_inferred: false,
            inferred: Vec::new(),
            inferred_from: Default::default(),
            inferred_timeline: Vec::new(),
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
}
