//! Atom feeds: one of the whole archive (`feed.xml`) and one per service
//! (`services/<slug>/feed.xml`), newest incidents first (pure, like the rest of `render`).
//!
//! A feed is written only when `base_url` is absolute: an Atom `id` must be an absolute
//! IRI, and readers fetch entries' links from wherever the feed was copied to, so both
//! are built from `base_url`. Every date comes from the incidents themselves, or, for an
//! incident that records no time at all, from the build's as-of date (`--as-of`,
//! `SOURCE_DATE_EPOCH`), never from the clock: two builds of the same sources for the
//! same date write the same bytes. Such an entry says that its postmortem has no date.

use std::fmt::Write;

use chrono::{DateTime, NaiveTime, SecondsFormat, Utc};
use chrono_tz::Tz;

use super::views::term_url;
use super::{Page, Renderer, canonical_url, escape_xml, has_host};
use crate::analyze::index::{Facet, Term};
use crate::analyze::site::Site;
use crate::model::config::Config;
use crate::model::incident::Incident;
use crate::model::time::zone::Zone;
use crate::parse::markdown::{self, MarkdownOptions};

/// The site-wide feed, from the site root.
pub(super) const SITE_FEED: &str = "feed.xml";

/// The feed's file name in a service's folder.
const SERVICE_FEED: &str = "feed.xml";

/// Whether this build writes feeds.
pub(super) fn enabled(config: &Config) -> bool {
    config.feeds.limit > 0 && has_host(&config.base_url)
}

/// The path of a service term's feed, from the site root; `None` for the "not set" term,
/// which is no service anyone subscribes to.
pub(super) fn service_feed_path(term: &Term) -> Option<String> {
    (!term.missing).then(|| format!("{}{SERVICE_FEED}", term_url(Facet::Service, term)))
}

/// The feed of the page at `path` (from the site root), if the page has one of its own:
/// a service's page has its service's feed.
pub(super) fn feed_of_page(site: &Site, path: &str) -> Option<String> {
    if !enabled(&site.config) {
        return None;
    }
    let slug = path
        .strip_prefix(Facet::Service.path())?
        .strip_prefix('/')?
        .strip_suffix("/index.html")?;
    site.index
        .facet(Facet::Service)
        .terms
        .iter()
        .find(|term| term.slug == slug)
        .and_then(service_feed_path)
}

/// The time an entry was last updated: the latest time the postmortem states (resolved,
/// as a rule), else the midnight (in `tz`) of the day its file name gives. `None` for an
/// incident with neither, which no feed can place.
fn updated(incident: &Incident, tz: Tz) -> Option<DateTime<Utc>> {
    [
        incident.started_at,
        incident.detected_at,
        incident.mitigated_at,
        incident.resolved_at,
    ]
    .into_iter()
    .flatten()
    .max()
    .or_else(|| {
        let day = incident.day(tz)?;
        Zone::of(tz).to_utc(day.and_time(NaiveTime::MIN))
    })
}

/// An incident in a feed, the date of its entry, and whether the postmortem records that
/// date (else it is the as-of date).
type Entry<'a> = (&'a Incident, DateTime<Utc>, bool);

/// What a feed says about itself, apart from its entries.
struct FeedHead<'a> {
    /// Path of the feed from the site root.
    path: &'a str,
    title: &'a str,
    subtitle: &'a str,
    /// Path from the site root of the HTML page the feed follows.
    page: &'a str,
}

impl Renderer<'_> {
    /// `feed.xml`: the newest incidents of the whole archive.
    pub(super) fn site_feed(&self) -> Page {
        let config = &self.site.config;
        let head = FeedHead {
            path: SITE_FEED,
            title: &config.title,
            subtitle: &config.description,
            page: "",
        };
        self.feed(&head, 0..self.site.incidents.len())
    }

    /// `services/<slug>/feed.xml`: the newest incidents of one service.
    pub(super) fn service_feed(&self, position: usize) -> Page {
        let term = &self.site.index.facet(Facet::Service).terms[position];
        let path = service_feed_path(term).unwrap_or_default();
        let title = format!("Service: {} · {}", term.name, self.site.config.title);
        let page = term_url(Facet::Service, term);
        let head = FeedHead {
            path: &path,
            title: &title,
            subtitle: &term.description,
            page: &page,
        };
        self.feed(&head, term.incidents.iter().copied())
    }

    /// The as-of date as an instant: midnight UTC, what undated entries and a feed
    /// without entries are dated by.
    fn as_of(&self) -> DateTime<Utc> {
        self.as_of.and_time(NaiveTime::MIN).and_utc()
    }

    /// The entries of a feed over the incidents at `positions`: each with its date (the
    /// as-of date for an incident that records none, marked `false`), newest first, ties
    /// in the site's order, at most `feeds.limit`.
    fn entries(&self, positions: impl Iterator<Item = usize>) -> Vec<Entry<'_>> {
        let as_of = self.as_of();
        let mut entries: Vec<Entry> = positions
            .map(|i| {
                let incident = &self.site.incidents[i];
                match updated(incident, self.tz) {
                    Some(at) => (incident, at, true),
                    None => (incident, as_of, false),
                }
            })
            .collect();
        // Stable: positions ascend, so equal dates keep the site's order.
        entries.sort_by_key(|&(_, at, _)| std::cmp::Reverse(at));
        entries.truncate(self.site.config.feeds.limit);
        entries
    }

    /// One feed over the incidents at `positions` (ascending, so newest first): its
    /// [`entries`](Self::entries), and an `updated` that is the newest entry's date, or the
    /// as-of date for a feed without entries.
    fn feed(&self, head: &FeedHead, positions: impl Iterator<Item = usize>) -> Page {
        let site = self.site;
        let config = &site.config;
        let url = |path: &str| canonical_url(&config.base_url, path).unwrap_or_default();
        let entries = self.entries(positions);
        let feed_updated = rfc3339(
            entries
                .iter()
                .map(|&(_, at, _)| at)
                .max()
                .unwrap_or_else(|| self.as_of()),
        );

        let mut xml = String::with_capacity(1024 + entries.len() * 1024);
        xml.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
        xml.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"en\">\n");
        element(&mut xml, "  ", "title", head.title);
        if !head.subtitle.is_empty() {
            element(&mut xml, "  ", "subtitle", head.subtitle);
        }
        let self_url = url(head.path);
        link(&mut xml, "  ", "self", "application/atom+xml", &self_url);
        link(&mut xml, "  ", "alternate", "text/html", &url(head.page));
        element(&mut xml, "  ", "id", &self_url);
        element(&mut xml, "  ", "updated", &feed_updated);
        // Atom wants an author for every entry; entries without authors inherit this one.
        xml.push_str("  <author>");
        element(&mut xml, "", "name", &config.title);
        xml.push_str("</author>\n");
        let _ = writeln!(
            xml,
            "  <generator version=\"{}\">Hindsight</generator>",
            env!("CARGO_PKG_VERSION")
        );
        for (incident, at, dated) in entries {
            self.entry(&mut xml, incident, (at, dated), &url);
        }
        xml.push_str("</feed>\n");
        Page {
            path: head.path.to_string(),
            bytes: xml.into_bytes(),
        }
    }

    /// One entry; `updated` is its date and whether the postmortem records it.
    fn entry(
        &self,
        xml: &mut String,
        incident: &Incident,
        (updated, dated): (DateTime<Utc>, bool),
        url: &impl Fn(&str) -> String,
    ) {
        let config = &self.site.config;
        let page = url(&format!("incidents/{}/", incident.slug));
        xml.push_str("  <entry>\n");
        element(xml, "    ", "title", &incident.title);
        link(xml, "    ", "alternate", "text/html", &page);
        element(xml, "    ", "id", &page);
        element(xml, "    ", "updated", &rfc3339(updated));
        for author in &incident.authors {
            xml.push_str("    <author>");
            element(xml, "", "name", author);
            xml.push_str("</author>\n");
        }
        let mut category = |facet: Facet, term: &str, label: &str| {
            let scheme = url(&format!("{}/", facet.path()));
            let _ = writeln!(
                xml,
                "    <category term=\"{}\" label=\"{}\" scheme=\"{}\"/>",
                escape_xml(term),
                escape_xml(label),
                escape_xml(&scheme)
            );
        };
        if let Some(severity) = incident.severity.map(|i| &config.severities[i]) {
            category(Facet::Severity, &severity.key, &severity.label);
        }
        for service in &incident.services {
            category(Facet::Service, service, service);
        }
        for cause in &incident.root_causes {
            let label = config
                .categories
                .iter()
                .find(|c| c.key == *cause)
                .map_or(cause.as_str(), |c| c.label.as_str());
            category(Facet::Cause, cause, label);
        }
        for tag in &incident.tags {
            category(Facet::Tag, tag, tag);
        }
        let mut summary = summary(incident, config.allow_raw_html);
        if !dated {
            let note = format!(
                "The postmortem records no date; this entry is dated {}, the date the site was built for.",
                self.as_of
            );
            summary = if summary.is_empty() {
                note
            } else {
                format!("{note}\n\n{summary}")
            };
        }
        if !summary.is_empty() {
            element(xml, "    ", "summary", &summary);
        }
        xml.push_str("  </entry>\n");
    }
}

/// The entry's summary as plain text: the postmortem's summary, then its impact. They are
/// written in Markdown; a reader shows `type="text"` as it is, so the markup is removed
/// rather than shipping HTML whose relative links would point nowhere from a reader.
fn summary(incident: &Incident, allow_raw_html: bool) -> String {
    let plain = |text: &str| {
        let options = MarkdownOptions {
            allow_raw_html,
            source_dir: None,
        };
        markdown::render(text, &options).plain_text
    };
    let summary = incident.summary.as_deref().map(plain).unwrap_or_default();
    let impact = incident.impact.as_deref().map(plain).unwrap_or_default();
    match (summary.is_empty(), impact.is_empty()) {
        (_, true) => summary,
        (true, false) => format!("Impact: {impact}"),
        (false, false) => format!("{summary}\n\nImpact: {impact}"),
    }
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// `<name>text</name>` on a line of its own after `indent`, or inline when `indent` is
/// empty.
fn element(xml: &mut String, indent: &str, name: &str, text: &str) {
    let _ = write!(xml, "{indent}<{name}>{}</{name}>", escape_xml(text));
    if !indent.is_empty() {
        xml.push('\n');
    }
}

fn link(xml: &mut String, indent: &str, rel: &str, media_type: &str, href: &str) {
    let _ = writeln!(
        xml,
        "{indent}<link rel=\"{rel}\" type=\"{media_type}\" href=\"{}\"/>",
        escape_xml(href)
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::site::{AnalyzeOptions, analyze};
    use crate::parse::source::SourceFile;

    fn incident(front_matter: &str) -> Incident {
        let source = SourceFile {
            path: "content/a.md".into(),
            stem: "a".into(),
            bytes: Ok(format!("---\ntitle: A\n{front_matter}---\nBody.\n").into_bytes()),
        };
        let (site, _) = analyze(&Config::default(), &[source], AnalyzeOptions::default());
        site.incidents.into_iter().next().unwrap()
    }

    #[test]
    fn updated_is_the_latest_stated_time() {
        let check = |front_matter: &str, expected: Option<&str>| {
            let got = updated(&incident(front_matter), Tz::UTC).map(rfc3339);
            assert_eq!(got.as_deref(), expected, "{front_matter}");
        };
        check("", None);
        check(
            "started_at: 2024-01-01T10:00:00Z\n",
            Some("2024-01-01T10:00:00Z"),
        );
        check(
            "started_at: 2024-01-01T10:00:00Z\nresolved_at: 2024-01-02T09:30:00Z\n",
            Some("2024-01-02T09:30:00Z"),
        );
        check(
            "resolved_at: 2024-01-02T09:30:00+02:00\n",
            Some("2024-01-02T07:30:00Z"),
        );
    }

    #[test]
    fn summary_is_plain_text() {
        let check = |front_matter: &str, expected: &str| {
            assert_eq!(summary(&incident(front_matter), false), expected);
        };
        check("", "");
        check(
            "summary: The *cache* `ttl` was 0.\n",
            "The cache ttl was 0.",
        );
        check(
            "impact: 5% of logins failed.\n",
            "Impact: 5% of logins failed.",
        );
        // Raw HTML is markup too, and is left out as search snippets leave it out.
        check(
            "summary: A <b>bold</b> & c.\nimpact: All.\n",
            "A bold & c.\n\nImpact: All.",
        );
    }

    #[test]
    fn feeds_need_a_host_and_a_limit() {
        let config = |text: &str| Config::parse(text, "hindsight.toml").unwrap();
        assert!(!enabled(&config("")));
        assert!(enabled(&config("base_url = \"https://x.example/pm/\"")));
        assert!(!enabled(&config(
            "base_url = \"https://x.example/\"\n[feeds]\nlimit = 0\n"
        )));
    }
}
