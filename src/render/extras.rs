//! The extra front matter fields (those Hindsight does not know) as the incident panel
//! shows them: tidy whatever an archive wrote, and only the fields the site wants.
//!
//! Archives hold anything: ticket URLs two hundred characters long, lists of channels,
//! maps of per-region figures. Each value becomes a short text: a link shows its host and
//! a short path (the full URL stays in `href` and `title`), a list is joined, a map is one
//! `key: value` line per entry, and anything nested deeper is written inline. Which
//! fields appear, and in which order, is `[fields] show` and `[fields] hide`.

use serde::Serialize;
use serde_json::Value;

use crate::model::config::FieldsConfig;
use crate::model::link::is_allowed;

/// One extra field in the incident panel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExtraField {
    /// The front matter key, as written.
    pub key: String,
    /// The key made readable: `owner_team` → "Owner team".
    pub label: String,
    /// One item for a single value, one per element of a list, one per entry of a map.
    pub items: Vec<ExtraItem>,
    /// The value is a map: one `key: value` line per item, rather than items joined.
    pub map: bool,
}

/// One value of an extra field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExtraItem {
    /// The entry's key, for a value from a map.
    pub key: Option<String>,
    /// The value as shown: a link shortened to its host and a short path.
    pub text: String,
    /// The full URL of a web link (`http`, `https`), for `href` and `title`.
    pub url: Option<String>,
}

/// The extra fields of an incident the site shows, in order: those of `[fields] show` in
/// its order when it is set, else all of them by key; never those of `[fields] hide`.
/// Keys are matched without regard to case. Empty values are left out.
pub(super) fn extra_fields(
    extra: &std::collections::BTreeMap<String, Value>,
    config: &FieldsConfig,
) -> Vec<ExtraField> {
    let hidden = |key: &str| {
        config
            .hide
            .iter()
            .any(|h| h.trim().eq_ignore_ascii_case(key))
    };
    let keys: Vec<&String> = if config.show.is_empty() {
        extra.keys().collect()
    } else {
        config
            .show
            .iter()
            .filter_map(|wanted| {
                extra
                    .keys()
                    .find(|key| key.eq_ignore_ascii_case(wanted.trim()))
            })
            .collect()
    };
    keys.into_iter()
        .filter(|key| !hidden(key))
        .filter_map(|key| field(key, &extra[key]))
        .collect()
}

/// One field, or `None` when its value is empty.
fn field(key: &str, value: &Value) -> Option<ExtraField> {
    let (items, map) = match value {
        Value::Array(values) => (values.iter().filter_map(item).collect(), false),
        Value::Object(entries) => {
            let items = entries
                .iter()
                .filter_map(|(key, value)| {
                    let mut item = item(value)?;
                    item.key = Some(label(key));
                    Some(item)
                })
                .collect();
            (items, true)
        }
        value => (item(value).into_iter().collect(), false),
    };
    let items: Vec<ExtraItem> = items;
    (!items.is_empty()).then(|| ExtraField {
        key: key.to_string(),
        label: label(key),
        items,
        map,
    })
}

/// A value as one item: a link when it is a web URL, else its text; `None` when empty.
fn item(value: &Value) -> Option<ExtraItem> {
    let text = inline(value)?;
    let is_web = ["http://", "https://"].iter().any(|scheme| {
        text.get(..scheme.len())
            .is_some_and(|s| s.eq_ignore_ascii_case(scheme))
    });
    if is_web && is_allowed(&text) && !text.contains(char::is_whitespace) {
        return Some(ExtraItem {
            key: None,
            text: short_url(&text),
            url: Some(text),
        });
    }
    Some(ExtraItem {
        key: None,
        text,
        url: None,
    })
}

/// A value as one line of text: lists joined with ", ", maps as `key: value; …`, `true`
/// as "yes"; `None` for an empty value.
fn inline(value: &Value) -> Option<String> {
    let text = match value {
        Value::Null => return None,
        Value::Bool(true) => "yes".to_string(),
        Value::Bool(false) => "no".to_string(),
        Value::Number(number) => number.to_string(),
        Value::String(text) => text.trim().to_string(),
        Value::Array(values) => {
            let parts: Vec<String> = values.iter().filter_map(inline).collect();
            parts.join(", ")
        }
        Value::Object(entries) => {
            let parts: Vec<String> = entries
                .iter()
                .filter_map(|(key, value)| Some(format!("{}: {}", label(key), inline(value)?)))
                .collect();
            parts.join("; ")
        }
    };
    (!text.is_empty()).then_some(text)
}

/// A key made readable: underscores and hyphens become spaces and the first letter a
/// capital; the rest is kept as written ("JIRA_ticket" → "JIRA ticket").
fn label(key: &str) -> String {
    let spaced = key.trim().replace(['_', '-'], " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Longest path kept whole in a shortened link, in characters.
const SHORT_PATH: usize = 24;

/// A web URL as its host and a short path: the scheme, `www.`, the query and the
/// fragment go, and a long path keeps its first and last segments around an ellipsis:
/// `https://www.example.com/a/very/long/path/to/ticket-1234?x=1` →
/// `example.com/a/…/ticket-1234`.
pub(super) fn short_url(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host = host
        .strip_prefix("www.")
        .or_else(|| host.strip_prefix("WWW."))
        .unwrap_or(host);
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let whole = segments.join("/");
    let cut = |segment: &str| truncate(segment, 16);
    match segments.as_slice() {
        [] => host.to_string(),
        _ if whole.chars().count() <= SHORT_PATH => format!("{host}/{whole}"),
        [only] => format!("{host}/{}", cut(only)),
        [first, .., last] => format!("{host}/{}/…/{}", cut(first), cut(last)),
    }
}

/// `text` cut to `max` characters with an ellipsis.
fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let kept: String = text.chars().take(max - 1).collect();
    format!("{kept}…")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn config(show: &[&str], hide: &[&str]) -> FieldsConfig {
        FieldsConfig {
            show: show.iter().map(|s| s.to_string()).collect(),
            hide: hide.iter().map(|s| s.to_string()).collect(),
            ..FieldsConfig::default()
        }
    }

    /// The fields as `Label=text,text` lines, links as `text<url>`, map items `key: text`.
    fn shown(extra: Value, config: &FieldsConfig) -> Vec<String> {
        let extra = extra.as_object().unwrap().clone().into_iter().collect();
        extra_fields(&extra, config)
            .into_iter()
            .map(|field| {
                let items: Vec<String> = field
                    .items
                    .iter()
                    .map(|item| {
                        let key = item
                            .key
                            .as_ref()
                            .map_or(String::new(), |k| format!("{k}: "));
                        let url = item
                            .url
                            .as_ref()
                            .map_or(String::new(), |u| format!("<{u}>"));
                        format!("{key}{}{url}", item.text)
                    })
                    .collect();
                let join = if field.map { " | " } else { ", " };
                format!("{}={}", field.label, items.join(join))
            })
            .collect()
    }

    #[test]
    fn values_are_tidy() {
        let extra = json!({
            "owner_team": "payments",
            "jira": "https://www.tracker.example.com/browse/PAY-1234?focus=comments#c1",
            "channels": ["#inc-1", "", "#payments"],
            "regions": {"eu-west": 12, "us_east": {"p50": 3, "p99": 9}},
            "customer_facing": true,
            "empty": [],
            "nothing": null,
            "note": "  see https://x.example/a b  ",
        });
        assert_eq!(
            shown(extra, &FieldsConfig::default()),
            [
                "Channels=#inc-1, #payments",
                "Customer facing=yes",
                "Jira=tracker.example.com/browse/PAY-1234<https://www.tracker.example.com/browse/PAY-1234?focus=comments#c1>",
                "Note=see https://x.example/a b",
                "Owner team=payments",
                "Regions=Eu west: 12 | Us east: P50: 3; P99: 9",
            ]
        );
    }

    #[test]
    fn show_picks_and_orders_and_hide_removes() {
        let extra = json!({"a": "1", "B": "2", "c": "3"});
        assert_eq!(
            shown(extra.clone(), &config(&["c", "b", "missing"], &[])),
            ["C=3", "B=2"]
        );
        assert_eq!(shown(extra.clone(), &config(&[], &["A"])), ["B=2", "C=3"]);
        assert_eq!(shown(extra, &config(&["a", "c"], &["c"])), ["A=1"]);
    }

    #[test]
    fn links_are_shortened_to_host_and_a_short_path() {
        for (url, expected) in [
            ("https://example.com", "example.com"),
            ("https://example.com/", "example.com"),
            ("http://example.com/runbooks/db", "example.com/runbooks/db"),
            (
                "https://docs.example.com/document/d/1AbCdEfGhIjKlMnOpQrStUvWxYz/edit?usp=sharing",
                "docs.example.com/document/…/edit",
            ),
            (
                "https://example.com/a-very-long-single-segment-name-indeed",
                "example.com/a-very-long-sin…",
            ),
        ] {
            assert_eq!(short_url(url), expected, "{url}");
        }
    }
}
