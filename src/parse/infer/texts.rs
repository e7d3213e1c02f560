//! The values inference reads as text: impact, summary, trigger, severity, services
//! (from the registry or a "Services:" line) and the root-cause category.

use crate::model::config::Config;
use crate::model::field::Field;

use super::classify;
use super::doc::{Doc, Line, LineKind, label, words};
use super::labels::{
    CATEGORY, IMPACT, Labeled, ROOT_CAUSE, SERVICES, SEVERITY, SUMMARY_SECTIONS, evidence,
    inferred, is, section_paragraph,
};
use super::{Evidence, Inference, Inferred, Input};

/// Impact, summary, severity, services, trigger and the root-cause category.
pub(super) fn read_texts(
    inference: &mut Inference,
    doc: &Doc<'_>,
    labeled: &[Labeled<'_, '_>],
    input: &Input<'_>,
) {
    inference.impact = stated(labeled, IMPACT).or_else(|| section_text(doc, &["impact"], true));
    inference.summary = section_text(doc, SUMMARY_SECTIONS, false);
    inference.trigger = stated(labeled, &["trigger", "triggered by"]);
    inference.severity = severity(labeled, input.config);
    inference.services = services(inference, labeled, input);
    inference.root_cause = root_cause(doc, labeled, input);
}

/// The value of the first label line in `set` that has one, as written.
fn stated(labeled: &[Labeled<'_, '_>], set: &[&str]) -> Option<Inferred<String>> {
    labeled
        .iter()
        .find(|l| is(&l.name, set) && !l.value.is_empty())
        .and_then(|l| inferred(l.value.to_string(), evidence(l.line, l.value)))
}

/// The first paragraph of a section named in `names` (or, with `contains`, whose heading
/// contains one), quoted by its first 80 characters.
fn section_text(doc: &Doc<'_>, names: &[&str], contains: bool) -> Option<Inferred<String>> {
    section_paragraph(doc, names, contains).and_then(|(line, col, text)| {
        let shown = text.chars().take(80).collect();
        inferred(
            text,
            Evidence {
                line,
                col,
                text: shown,
            },
        )
    })
}

/// The first word of a "Severity:" line that names one of the site's severities, itself
/// or through `[aliases.severity]`.
fn severity(labeled: &[Labeled<'_, '_>], config: &Config) -> Option<Inferred<usize>> {
    labeled
        .iter()
        .filter(|l| is(&l.name, SEVERITY))
        .find_map(|l| {
            l.value
                .split(|c: char| c.is_whitespace() || "()[],;/".contains(c))
                .filter(|w| !w.is_empty())
                .find_map(|word| {
                    let meant = config.aliases.canonical(Field::Severity, word);
                    crate::model::vocab::match_severity(config, meant)
                        .and_then(|i| inferred(i, evidence(l.line, word)))
                })
        })
}

/// The services: as written in "Services:" lines, or, when the site has a registry, the
/// registered services the text names.
fn services(
    inference: &Inference,
    labeled: &[Labeled<'_, '_>],
    input: &Input<'_>,
) -> Vec<Inferred<String>> {
    let service_labels: Vec<&Labeled<'_, '_>> = labeled
        .iter()
        .filter(|l| is(&l.name, SERVICES) && !l.value.is_empty())
        .collect();
    if input.config.services.is_empty() {
        services_as_written(&service_labels)
    } else {
        registry_services(inference, labeled, &service_labels, input)
    }
}

/// The names a "Services:" line lists, split at commas, semicolons, slashes and "and".
fn services_as_written(service_labels: &[&Labeled<'_, '_>]) -> Vec<Inferred<String>> {
    service_labels
        .iter()
        .flat_map(|l| {
            l.value
                .split([',', ';', '/'])
                .flat_map(|part| part.split(" and "))
                .map(|name| name.trim().trim_end_matches('.').trim_matches(['*', '`']))
                .filter(|name| !name.is_empty() && name.chars().count() <= 40)
                .filter_map(|name| inferred(name.to_string(), evidence(l.line, name)))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The registered services the text names, each with the column of the phrase naming it.
fn registry_services(
    inference: &Inference,
    labeled: &[Labeled<'_, '_>],
    service_labels: &[&Labeled<'_, '_>],
    input: &Input<'_>,
) -> Vec<Inferred<String>> {
    let config = input.config;
    // Named in a "Services:" line; else in the impact or the summary; else the title.
    let mut texts: Vec<(u32, u32, &str)> = service_labels
        .iter()
        .map(|l| (l.line.number, l.line.col_of(l.value), l.value))
        .collect();
    if texts.is_empty() {
        texts.extend(
            labeled
                .iter()
                .filter(|l| is(&l.name, IMPACT))
                .map(|l| (l.line.number, l.line.col_of(l.value), l.value)),
        );
        for text in [&inference.impact, &inference.summary]
            .into_iter()
            .flatten()
        {
            texts.push((text.evidence.line, text.evidence.col, &text.value));
        }
    }
    let plain: Vec<(u32, &str)> = texts.iter().map(|(n, _, t)| (*n, *t)).collect();
    let mut found = classify::registry_services(config, &plain);
    if found.is_empty() {
        found = classify::registry_services(config, &[(0, input.title)]);
    }
    found
        .into_iter()
        .filter_map(|f| {
            // The column of the phrase: the text's column plus the characters before it
            // (a joined paragraph's later lines are shown at its first line).
            let col = texts
                .iter()
                .find(|(n, _, text)| {
                    *n == f.line
                        && text
                            .get(f.col_byte..)
                            .is_some_and(|t| t.starts_with(&f.phrase))
                })
                .map_or(0, |(_, col, text)| {
                    col + text[..f.col_byte].chars().count() as u32
                });
            inferred(
                f.key,
                Evidence {
                    line: f.line,
                    col,
                    text: f.phrase,
                },
            )
        })
        .collect()
}

/// The category a "Category:" label names: see [`root_cause`].
fn labeled_category(
    l: &Labeled<'_, '_>,
    config: &Config,
    classifier: &classify::Classifier,
) -> Option<Inferred<String>> {
    let written = l.value.trim_end_matches('.').trim();
    let meant = config.aliases.canonical(Field::RootCause, written);
    let key = crate::model::vocab::term_key(meant);
    if let Some(category) = config.categories.iter().find(|c| {
        crate::model::vocab::term_key(&c.key) == key
            || crate::model::vocab::term_key(&c.label) == key
    }) {
        return inferred(category.key.clone(), evidence(l.line, l.value));
    }
    if let Some(found) = classifier.classify(&[(l.line.number, l.value)]) {
        return inferred(
            found.key,
            evidence(
                l.line,
                &l.value[found.col_byte..found.col_byte + found.phrase.len()],
            ),
        );
    }
    inferred(written.to_string(), evidence(l.line, written))
}

/// The category: a "Category:" label naming one (itself or through `[aliases.root_cause]`),
/// else the classifier over the label's words; a label naming none is kept as written, so
/// `parse` warns about it as about front matter (H009). Without a label, the classifier
/// over the root-cause text, else over the title.
fn root_cause(
    doc: &Doc<'_>,
    labeled: &[Labeled<'_, '_>],
    input: &Input<'_>,
) -> Option<Inferred<String>> {
    let config = input.config;
    let classifier = classify::Classifier::of(config);
    if let Some(l) = labeled
        .iter()
        .find(|l| is(&l.name, CATEGORY) && !l.value.is_empty())
    {
        return labeled_category(l, config, &classifier);
    }
    // The root-cause text: label lines, and unlabeled lines of a "Root cause" section.
    let mut texts: Vec<(u32, &str, &Line<'_>)> = labeled
        .iter()
        .filter(|l| is(&l.name, ROOT_CAUSE) && !l.value.is_empty())
        .map(|l| (l.line.number, l.value, l.line))
        .collect();
    for (at, line) in doc.lines.iter().enumerate() {
        if let LineKind::Heading { text, .. } = line.kind
            && words(text).contains("cause")
        {
            for inner in doc.section(at) {
                if let LineKind::Text { text, .. } | LineKind::Item { text, .. } = inner.kind
                    && label(text).is_none()
                {
                    texts.push((inner.number, text, inner));
                }
            }
        }
    }
    let plain: Vec<(u32, &str)> = texts.iter().map(|(n, t, _)| (*n, *t)).collect();
    if let Some(found) = classifier.classify(&plain) {
        let col = texts
            .iter()
            .find(|(n, text, _)| {
                *n == found.line
                    && text
                        .get(found.col_byte..)
                        .is_some_and(|t| t.starts_with(&found.phrase))
            })
            .map_or(0, |(_, text, line)| line.col_of(&text[found.col_byte..]));
        return inferred(
            found.key,
            Evidence {
                line: found.line,
                col,
                text: found.phrase,
            },
        );
    }
    let title = input.title;
    let found = classifier.classify(&[(0, title)])?;
    inferred(
        found.key,
        Evidence {
            line: 0,
            col: 0,
            text: found.phrase,
        },
    )
}
