//! `sitemap.xml` and `robots.txt`: what search engines are told about the site (pure).
//!
//! The sitemap lists the canonical URL of every HTML page but the 404 page, sorted; the
//! protocol wants absolute URLs, so it is written only when `base_url` is absolute, and not
//! at all for a `noindex` site. `robots.txt` is always written: it points to the sitemap,
//! or, with `[publish] noindex = true`, turns every crawler away.

use std::fmt::Write;

use super::{Job, Page, Renderer, canonical_url, escape_xml, has_host, jobs};
use crate::analyze::site::Site;
use crate::model::config::Config;

/// The most URLs one sitemap file may hold (sitemaps.org); a larger site gets a sitemap
/// index at `sitemap.xml` and its URLs in `sitemap-1.xml`, `sitemap-2.xml`, ….
const URLS_PER_FILE: usize = 50_000;

const SITEMAP: &str = "sitemap.xml";

pub(super) const ROBOTS: &str = "robots.txt";

/// One file of the sitemap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SitemapFile {
    /// `sitemap.xml` with every URL: the site fits in one file.
    Whole,
    /// `sitemap.xml` as an index of this many parts.
    Index(usize),
    /// `sitemap-<n + 1>.xml`: the n-th share of the URLs.
    Part(usize),
}

impl SitemapFile {
    /// The file's name in the output folder.
    pub(super) fn path(self) -> String {
        match self {
            SitemapFile::Whole | SitemapFile::Index(_) => SITEMAP.to_string(),
            SitemapFile::Part(n) => part_path(n),
        }
    }
}

/// Whether this build writes a sitemap.
fn enabled(config: &Config) -> bool {
    has_host(&config.base_url) && !config.publish.noindex
}

/// The sitemap's jobs for a site whose other jobs are `pages`.
pub(super) fn sitemap_jobs(site: &Site, pages: &[Job]) -> Vec<Job> {
    if !enabled(&site.config) {
        return Vec::new();
    }
    let count = pages
        .iter()
        .filter(|job| html_path(site, job).is_some())
        .count();
    files(count, URLS_PER_FILE)
        .into_iter()
        .map(Job::Sitemap)
        .collect()
}

/// The sitemap files for `count` URLs, at most `per_file` in each.
fn files(count: usize, per_file: usize) -> Vec<SitemapFile> {
    match count.div_ceil(per_file) {
        0 | 1 => vec![SitemapFile::Whole],
        parts => std::iter::once(SitemapFile::Index(parts))
            .chain((0..parts).map(SitemapFile::Part))
            .collect(),
    }
}

/// The path of the HTML page a job writes, if it writes one that belongs in the sitemap.
/// Every job is named, so a new kind of page has to be placed here to compile.
fn html_path(site: &Site, job: &Job) -> Option<String> {
    match job {
        Job::Home
        | Job::IncidentList
        | Job::Incident(_)
        | Job::Overview(_)
        | Job::Term(..)
        | Job::Teams
        | Job::Team(_)
        | Job::Trends
        | Job::Health
        | Job::Search => Some(job.path(site)),
        // The 404 page has no address of its own; the by-name overviews repeat the
        // overviews in another order; the rest are not HTML.
        Job::NotFound
        | Job::OverviewByName(_)
        | Job::TeamsByName
        | Job::DataJson
        | Job::DataCsv
        | Job::SiteFeed
        | Job::ServiceFeed(_)
        | Job::Sitemap(_)
        | Job::Robots => None,
    }
}

impl Renderer<'_> {
    pub(super) fn sitemap(&self, file: SitemapFile) -> Page {
        let base_url = &self.site.config.base_url;
        let url = |path: &str| canonical_url(base_url, path).unwrap_or_default();
        let (path, xml) = match file {
            SitemapFile::Whole => (SITEMAP.to_string(), urlset(&self.urls())),
            SitemapFile::Index(parts) => {
                let parts: Vec<String> = (0..parts).map(|n| url(&part_path(n))).collect();
                (SITEMAP.to_string(), index(&parts))
            }
            SitemapFile::Part(n) => {
                let urls = self.urls();
                let share = urls.chunks(URLS_PER_FILE).nth(n).unwrap_or_default();
                (part_path(n), urlset(share))
            }
        };
        Page {
            path,
            bytes: xml.into_bytes(),
        }
    }

    /// The canonical URL of every page in the sitemap, sorted.
    fn urls(&self) -> Vec<String> {
        let site = self.site;
        let mut urls: Vec<String> = jobs(site)
            .iter()
            .filter_map(|job| html_path(site, job))
            .filter_map(|path| canonical_url(&site.config.base_url, &path))
            .collect();
        urls.sort_unstable();
        urls
    }

    pub(super) fn robots(&self) -> Page {
        let config = &self.site.config;
        let text = if config.publish.noindex {
            "User-agent: *\nDisallow: /\n".to_string()
        } else {
            // An empty Disallow allows everything; every crawler understands it.
            let mut text = "User-agent: *\nDisallow:\n".to_string();
            if enabled(config)
                && let Some(sitemap) = canonical_url(&config.base_url, SITEMAP)
            {
                let _ = write!(text, "\nSitemap: {sitemap}\n");
            }
            text
        };
        Page {
            path: ROBOTS.to_string(),
            bytes: text.into_bytes(),
        }
    }
}

fn part_path(n: usize) -> String {
    format!("sitemap-{}.xml", n + 1)
}

fn urlset(urls: &[String]) -> String {
    locs("urlset", "url", urls)
}

fn index(parts: &[String]) -> String {
    locs("sitemapindex", "sitemap", parts)
}

/// A sitemap file: `<root>` holding one `<item><loc>` per URL.
fn locs(root: &str, item: &str, urls: &[String]) -> String {
    let mut xml = String::with_capacity(120 + urls.len() * 80);
    xml.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    let _ = writeln!(
        xml,
        "<{root} xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"
    );
    for url in urls {
        let _ = writeln!(xml, "  <{item}><loc>{}</loc></{item}>", escape_xml(url));
    }
    let _ = writeln!(xml, "</{root}>");
    xml
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_escaped_and_in_the_given_order() {
        let urls = [
            "https://x.example/a/".to_string(),
            "https://x.example/?a&b".to_string(),
        ];
        assert_eq!(
            urlset(&urls),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
             <urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n  \
             <url><loc>https://x.example/a/</loc></url>\n  \
             <url><loc>https://x.example/?a&amp;b</loc></url>\n\
             </urlset>\n"
        );
        assert!(index(&[part_path(0), part_path(1)]).contains(
            "  <sitemap><loc>sitemap-1.xml</loc></sitemap>\n  <sitemap><loc>sitemap-2.xml</loc></sitemap>\n"
        ));
    }

    #[test]
    fn large_sites_get_an_index() {
        use SitemapFile::*;
        assert_eq!(files(0, 2), [Whole]);
        assert_eq!(files(2, 2), [Whole]);
        assert_eq!(files(5, 2), [Index(3), Part(0), Part(1), Part(2)]);
    }

    #[test]
    fn only_sites_with_a_host_and_no_noindex_get_a_sitemap() {
        let config = |text: &str| Config::parse(text, "hindsight.toml").unwrap();
        assert!(!enabled(&config("")));
        assert!(enabled(&config("base_url = \"https://x.example/\"")));
        assert!(!enabled(&config(
            "base_url = \"https://x.example/\"\n[publish]\nnoindex = true\n"
        )));
    }
}
