//! A [`Proposal`] written as a commented `hindsight.toml`.

use std::fmt::Write as _;

use super::{Proposal, Survey, Vocabulary};
use crate::model::config::Config;
use crate::model::field::Field;
use crate::model::vocab::url_slug;

/// Where the archive is and which files are postmortems: what the survey's caller knows
/// about the folder, not the files' contents.
#[derive(Debug, Clone, Default)]
pub struct Folder {
    /// The content folder, relative to the site root, with `/` separators.
    pub content_dir: String,
    /// `include` globs, when the default (Markdown files) would leave postmortems out.
    pub include: Option<Vec<String>>,
    pub timezone: String,
    /// Why this zone, for a comment.
    pub timezone_note: String,
}

/// A TOML string (quoted and escaped).
fn quoted(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

fn list(items: &[String]) -> String {
    let items: Vec<String> = items.iter().map(|item| quoted(item)).collect();
    format!("[{}]", items.join(", "))
}

/// `date_order`, when the archive writes dates such as `03/04/2022`: set when its dates
/// that read one way only all read the same way, else left for the reader to say.
fn date_order(out: &mut String, [month_first, day_first, either]: [usize; 3]) {
    let unsure = "# Dates that read either way stay unread (H005) until this says which:\n\
                  # date_order = \"month-first\"   # 03/04/2022 is March 4; \"day-first\": 3 April\n";
    match (month_first, day_first) {
        (0, 0) if either == 0 => {}
        (0, 0) => {
            let _ = writeln!(
                out,
                "# {either} dates such as 03/04/2022 read either way (March 4 or 3 April), and none says which."
            );
            out.push_str(unsure);
        }
        (n, 0) | (0, n) => {
            let (key, example) = if month_first > 0 {
                ("month-first", "12/25/2021")
            } else {
                ("day-first", "25/12/2021")
            };
            let _ = writeln!(
                out,
                "# Of the dates written like 03/04/2022, {n} read only {} (such as {example}), none only the other way, and {either} either way.",
                key.replace('-', " ")
            );
            let _ = writeln!(out, "date_order = {}", quoted(key));
        }
        (m, d) => {
            let _ = writeln!(
                out,
                "# {m} dates read only month first and {d} only day first: the archive mixes both orders."
            );
            out.push_str(unsure);
        }
    }
}

/// The config text. Every choice carries a comment saying what it rests on.
pub fn to_toml(survey: &Survey, proposal: &Proposal, folder: &Folder) -> String {
    let mut out = String::new();
    let files = survey.postmortems.len();
    let _ = writeln!(
        out,
        "# Proposed by `hindsight init --from {}` for {files} postmortems.",
        folder.content_dir
    );
    out.push_str(
        "# Keys were mapped by their names and the shape of their values; the counts are\n\
         # the files that set each one. Edit freely, then run `hindsight check`.\n\n",
    );
    let _ = writeln!(out, "content_dir = {}", quoted(&folder.content_dir));
    let _ = writeln!(out, "# {}", folder.timezone_note);
    let _ = writeln!(out, "timezone = {}", quoted(&folder.timezone));
    date_order(&mut out, survey.slash_dates());
    if let Some(include) = &folder.include {
        out.push_str("# Postmortems that are not Markdown files are read too.\n");
        let _ = writeln!(out, "include = {}", list(include));
    }
    fields(&mut out, survey, proposal);
    value_maps(&mut out, proposal);
    severities(&mut out, &proposal.severities);
    categories(&mut out, &proposal.categories);
    services(&mut out, &proposal.services);
    levels(&mut out, survey, proposal);
    out
}

fn fields(out: &mut String, survey: &Survey, proposal: &Proposal) {
    out.push_str("\n[fields]\n");
    if let Some(template) = &proposal.title_template {
        out.push_str("# For files with neither a title nor a leading heading.\n");
        let _ = writeln!(out, "title_template = {}", quoted(template));
    }
    for mapping in &proposal.mappings {
        let aliases: Vec<String> = mapping
            .keys
            .iter()
            .filter(|key| Field::parse(key) != Some(mapping.field))
            .cloned()
            .collect();
        if aliases.is_empty() {
            continue;
        }
        let counts: Vec<String> = aliases
            .iter()
            .map(|key| {
                let set = survey
                    .keys
                    .iter()
                    .find(|s| &s.key == key)
                    .map_or(0, |s| s.filled);
                format!("{key} in {}", files(set))
            })
            .collect();
        let _ = writeln!(out, "# {}", counts.join(", "));
        let _ = writeln!(out, "{} = {}", mapping.field.name(), list(&aliases));
    }
    if !proposal.unmapped.is_empty() {
        let unmapped: Vec<&str> = proposal.unmapped.iter().map(|(k, _)| k.as_str()).collect();
        let _ = writeln!(
            out,
            "# Not mapped, shown among each page's extra fields: {}",
            unmapped.join(", ")
        );
    }
}

fn value_maps(out: &mut String, proposal: &Proposal) {
    for field in [Field::Services, Field::RootCause] {
        let maps: Vec<_> = proposal
            .value_maps
            .iter()
            .filter(|(f, _, _)| *f == field)
            .collect();
        if maps.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "\n# Spellings that differ only in spaces or punctuation, read as one.\n[aliases.{}]",
            field.name()
        );
        for (_, from, to) in maps {
            let _ = writeln!(out, "{} = {}", quoted(from), quoted(to));
        }
    }
}

fn severities(out: &mut String, vocabulary: &Vocabulary) {
    if vocabulary.values.is_empty() || vocabulary.default_fits {
        return;
    }
    out.push_str(
        "\n# The severities found, worst first as far as their names tell: check the order.\n",
    );
    for (value, count) in &vocabulary.values {
        let _ = writeln!(
            out,
            "[[severities]]  # {}\nkey = {}",
            files(*count),
            quoted(value)
        );
    }
}

fn categories(out: &mut String, vocabulary: &Vocabulary) {
    if vocabulary.values.is_empty() || vocabulary.default_fits {
        return;
    }
    out.push_str(
        "\n# The root-cause categories found, most used first. When an incident lists several,\n\
         # the first of them in this list is its primary cause.\n",
    );
    let defaults = Config::default().categories;
    for (value, count) in &vocabulary.values {
        let known = defaults.iter().find(|c| c.key == *value);
        let (key, label) = match known {
            Some(category) => (category.key.clone(), category.label.clone()),
            None => (url_slug(value), value.clone()),
        };
        let _ = writeln!(
            out,
            "[[categories]]  # {}\nkey = {}",
            files(*count),
            quoted(&key)
        );
        if key != label {
            let _ = writeln!(out, "label = {}", quoted(&label));
        }
    }
}

/// Conventions of the archive that would otherwise warn on every file are kept in view
/// as notes: no front matter (H010) when that is how its postmortems are written, and no
/// title field (H011) when its titles come from headings or the template.
fn levels(out: &mut String, survey: &Survey, proposal: &Proposal) {
    let mut levels = Vec::new();
    if proposal.prose > 0 {
        levels.push(format!(
            "# {} postmortems have no front matter; their metadata is read from the prose.\nH010 = \"info\"",
            proposal.prose
        ));
    }
    if survey.with_front_matter > 0 && proposal.keys(Field::Title).is_empty() {
        levels.push(
            "# No file has a title field; titles come from headings or title_template.\nH011 = \"info\""
                .to_string(),
        );
    }
    if !levels.is_empty() {
        let _ = writeln!(out, "\n[check.levels]\n{}", levels.join("\n"));
    }
}

fn services(out: &mut String, vocabulary: &Vocabulary) {
    if vocabulary.values.is_empty() {
        return;
    }
    let found: Vec<String> = vocabulary
        .values
        .iter()
        .map(|(name, count)| format!("{name} ({count})"))
        .collect();
    out.push_str("\n# Services found; none needs declaring. Add [[services]] entries to give\n");
    out.push_str("# them teams and descriptions:\n");
    for line in wrap(&found, 86) {
        let _ = writeln!(out, "#   {line}");
    }
}

/// Joins `items` with commas into lines of at most `width` characters (a longer item gets
/// a line of its own); an item is never split.
fn wrap(items: &[String], width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for item in items {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 2 + item.chars().count() <= width => {
                line.push_str(", ");
                line.push_str(item);
            }
            Some(line) => {
                line.push(',');
                lines.push(item.clone());
            }
            None => lines.push(item.clone()),
        }
    }
    lines
}

fn files(count: usize) -> String {
    match count {
        1 => "1 file".to_string(),
        n => format!("{n} files"),
    }
}
