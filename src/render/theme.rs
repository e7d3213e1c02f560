//! Themes: the default theme embedded in the binary, a site's own theme folder, and
//! single-template overrides from the site's `templates/` folder.
//!
//! The default theme is compiled in so an installed binary works anywhere; a site can
//! replace all of it (`theme = "name"` → `themes/name/`) or one template at a time.

use std::fs;
use std::path::Path;

use walkdir::WalkDir;

/// The embedded default theme: (path inside the theme folder, contents).
const DEFAULT_THEME: &[(&str, &str)] = &[
    (
        "templates/base.html",
        include_str!("../../themes/default/templates/base.html"),
    ),
    (
        "templates/header.html",
        include_str!("../../themes/default/templates/header.html"),
    ),
    (
        "templates/macros.html",
        include_str!("../../themes/default/templates/macros.html"),
    ),
    (
        "templates/home.html",
        include_str!("../../themes/default/templates/home.html"),
    ),
    (
        "templates/incident.html",
        include_str!("../../themes/default/templates/incident.html"),
    ),
    (
        "templates/incidents.html",
        include_str!("../../themes/default/templates/incidents.html"),
    ),
    (
        "templates/incident_row.html",
        include_str!("../../themes/default/templates/incident_row.html"),
    ),
    (
        "templates/similar_item.html",
        include_str!("../../themes/default/templates/similar_item.html"),
    ),
    (
        "templates/facet_overview.html",
        include_str!("../../themes/default/templates/facet_overview.html"),
    ),
    (
        "templates/facet_term.html",
        include_str!("../../themes/default/templates/facet_term.html"),
    ),
    (
        "templates/404.html",
        include_str!("../../themes/default/templates/404.html"),
    ),
    (
        "templates/trends.html",
        include_str!("../../themes/default/templates/trends.html"),
    ),
    (
        "templates/charts.html",
        include_str!("../../themes/default/templates/charts.html"),
    ),
    (
        "templates/search.html",
        include_str!("../../themes/default/templates/search.html"),
    ),
    (
        "templates/teams.html",
        include_str!("../../themes/default/templates/teams.html"),
    ),
    (
        "templates/team.html",
        include_str!("../../themes/default/templates/team.html"),
    ),
    (
        "templates/health.html",
        include_str!("../../themes/default/templates/health.html"),
    ),
    (
        "static/search.js",
        include_str!("../../themes/default/static/search.js"),
    ),
    (
        "static/hindsight.js",
        include_str!("../../themes/default/static/hindsight.js"),
    ),
    (
        "static/hindsight.css",
        include_str!("../../themes/default/static/hindsight.css"),
    ),
    (
        "static/favicon.svg",
        include_str!("../../themes/default/static/favicon.svg"),
    ),
];

/// The templates every theme must provide, one per kind of page.
pub const REQUIRED_TEMPLATES: &[&str] = &[
    "base.html",
    "home.html",
    "incident.html",
    "incidents.html",
    "incident_row.html",
    "facet_overview.html",
    "facet_term.html",
    "404.html",
];

/// Files added after themes existed: a site theme without them gets the default theme's,
/// so a theme written before the trend pages or the search still builds.
const ADDED_FILES: &[&str] = &[
    "templates/trends.html",
    "templates/charts.html",
    "templates/search.html",
    "templates/teams.html",
    "templates/team.html",
    "templates/health.html",
    "templates/header.html",
    "templates/similar_item.html",
    "static/search.js",
    "static/hindsight.js",
];

/// A theme with overrides applied, held in memory.
#[derive(Debug, Clone, Default)]
pub struct Theme {
    /// (template name, source), e.g. ("incident.html", "...").
    pub templates: Vec<(String, String)>,
    /// (path under the output's `static/`, bytes).
    pub static_files: Vec<(String, Vec<u8>)>,
}

#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    #[error("theme \"{name}\" not found: expected a folder at {path}")]
    NotFound { name: String, path: String },
    #[error("failed to read {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

impl Theme {
    /// The embedded default theme alone.
    pub fn embedded() -> Theme {
        let mut theme = Theme::default();
        for (path, contents) in DEFAULT_THEME {
            theme.insert(path, contents.as_bytes().to_vec());
        }
        theme
    }

    /// Whether a template this theme brings of its own (not the default theme's, word for
    /// word) mentions `word`: what a site's templates can read is decided by what they
    /// name, and none of the default ones names `similar` but for `similar_items`.
    pub fn own_templates_mention(&self, word: &str) -> bool {
        self.templates.iter().any(|(name, source)| {
            source.contains(word)
                && !DEFAULT_THEME.iter().any(|(path, default)| {
                    path.strip_prefix("templates/") == Some(name) && *default == source
                })
        })
    }

    /// The theme named in the config, with the site's `templates/` and `static/` folders
    /// laid over it.
    pub fn load(root: &Path, name: &str) -> Result<Theme, ThemeError> {
        let mut theme = if name == "default" {
            Theme::embedded()
        } else {
            let folder = root.join("themes").join(name);
            if !folder.is_dir() {
                return Err(ThemeError::NotFound {
                    name: name.to_string(),
                    path: folder.display().to_string(),
                });
            }
            let mut theme = Theme::default();
            theme.read_folder(&folder, "")?;
            for path in ADDED_FILES {
                let embedded = DEFAULT_THEME.iter().find(|(p, _)| p == path);
                let present = match path.split_once('/') {
                    Some(("templates", name)) => theme.templates.iter().any(|(n, _)| n == name),
                    Some((_, name)) => theme.static_files.iter().any(|(n, _)| n == name),
                    None => true,
                };
                if let Some((_, contents)) = embedded
                    && !present
                {
                    theme.insert(path, contents.as_bytes().to_vec());
                }
            }
            theme
        };
        theme.read_folder(&root.join("templates"), "templates/")?;
        theme.read_folder(&root.join("static"), "static/")?;
        Ok(theme)
    }

    /// Reads every file under `folder` as `<prefix><relative path>`, replacing any file of
    /// the same name. A missing folder adds nothing.
    fn read_folder(&mut self, folder: &Path, prefix: &str) -> Result<(), ThemeError> {
        if !folder.is_dir() {
            return Ok(());
        }
        for entry in WalkDir::new(folder).sort_by_file_name() {
            let entry = entry.map_err(|e| ThemeError::Io {
                path: folder.display().to_string(),
                source: e.into(),
            })?;
            if !entry.file_type().is_file() || entry.file_name().to_string_lossy().starts_with('.')
            {
                continue;
            }
            let relative = entry.path().strip_prefix(folder).unwrap_or(entry.path());
            let relative: Vec<String> = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            let bytes = fs::read(entry.path()).map_err(|source| ThemeError::Io {
                path: entry.path().display().to_string(),
                source,
            })?;
            self.insert(&format!("{prefix}{}", relative.join("/")), bytes);
        }
        Ok(())
    }

    fn insert(&mut self, path: &str, bytes: Vec<u8>) {
        if let Some(name) = path.strip_prefix("templates/") {
            let source = String::from_utf8_lossy(&bytes).into_owned();
            match self.templates.iter_mut().find(|(n, _)| n == name) {
                Some(existing) => existing.1 = source,
                None => self.templates.push((name.to_string(), source)),
            }
        } else if let Some(name) = path.strip_prefix("static/") {
            match self.static_files.iter_mut().find(|(n, _)| n == name) {
                Some(existing) => existing.1 = bytes,
                None => self.static_files.push((name.to_string(), bytes)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Theme;

    #[test]
    fn only_a_sites_own_templates_decide_what_they_mention() {
        let theme = Theme::embedded();
        // The default incident.html prints `similar_items`, and that alone does not ask
        // for `incident.similar`.
        assert!(!theme.own_templates_mention("similar"));
        let mut copied = theme.clone();
        let incident = include_str!("../../themes/default/templates/incident.html");
        copied.insert("templates/incident.html", incident.as_bytes().to_vec());
        assert!(
            !copied.own_templates_mention("similar"),
            "a copy word for word"
        );
        let mut own = theme.clone();
        own.insert(
            "templates/base.html",
            b"{% for s in incident.similar %}{{ s.incident.title }}{% endfor %}".to_vec(),
        );
        assert!(own.own_templates_mention("similar"));
        // Nor do the related incidents' rows (`related_rows`) ask for `incident.related`.
        assert!(!theme.own_templates_mention("related"));
        assert!(!copied.own_templates_mention("related"));
        let mut unrelated = theme;
        unrelated.insert("templates/home.html", b"<p>Home</p>".to_vec());
        assert!(!unrelated.own_templates_mention("similar"));
    }
}
