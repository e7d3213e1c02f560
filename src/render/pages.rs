//! The core pages: home, incident pages, the incident list, facet overviews and terms.

use std::borrow::Cow;

use chrono::{DateTime, Utc};

use super::trends::SummaryView;
use super::views::*;
use super::{Bodies, Page, PageBody, RenderError, Renderer, RowsPage, previews, root_of};
use crate::analyze::index::{Facet, duration_bucket};
use crate::analyze::trends::Summary;
use crate::model::action_item::ActionStatus;
use crate::model::field::Field;
use crate::model::incident::Incident;
use crate::parse::markdown::{self, MarkdownOptions};

impl Renderer<'_> {
    pub(super) fn home(&self) -> Result<Page, RenderError> {
        let site = self.site;
        let mut context = self.context("index.html", &site.config.title);
        let shown = site.incidents.len().min(site.config.latest_limit);
        let latest: Vec<Cow<'_, IncidentRow>> = (0..shown).map(|p| self.row(p)).collect();
        context.insert("latest", &latest);
        context.insert(
            "latest_rows",
            &self.rows_html(0..latest.len(), &root_of("index.html"))?,
        );
        context.insert("total", &site.incidents.len());
        context.insert("hidden_drafts", &site.hidden_drafts);
        // The median and p90, not a total: a few incidents of months would make a sum of
        // every duration say "5 years" about an archive of hour-long outages.
        let duration = Summary::of(site.incidents.iter().map(Incident::duration));
        context.insert("duration", &SummaryView::from(&duration));
        let open_items = site
            .incidents
            .iter()
            .flat_map(|i| &i.action_items)
            .filter(|a| a.status == ActionStatus::Open)
            .count();
        context.insert("open_action_items", &open_items);
        // The span of the dense range: one postmortem dated 1602 does not make the archive
        // four centuries long. The incidents outside it are counted beside it.
        let span = self.trends().drawn_span();
        context.insert("first_date", &span.map(|(first, _)| first.to_string()));
        context.insert("last_date", &span.map(|(_, last)| last.to_string()));
        context.insert("not_drawn", &self.trends().not_drawn.len());
        let mut facets = Vec::new();
        // A facet no incident has a value for is not offered: "Severities 4, none yet".
        for facet in self.listed_facets() {
            let (singular, plural) = facet.names();
            let terms = self.term_views(facet);
            let mut top: Vec<&TermView> =
                terms.iter().filter(|t| !t.missing && t.count > 0).collect();
            let real = top.len();
            if ranked_by_count(facet) {
                top.sort_by(|a, b| b.count.cmp(&a.count).then(a.name.cmp(b.name)));
            }
            top.truncate(8);
            facets.push(serde_json::json!({
                "name": plural,
                "singular": singular,
                "url": format!("{}/", facet.path()),
                "count": real,
                "top": top,
            }));
        }
        context.insert("facets", &facets);
        self.page("index.html", "home.html", &context)
    }

    pub(super) fn incident(&self, position: usize) -> Result<Page, RenderError> {
        let incident = &self.site.incidents[position];
        match self.bodies {
            Bodies::Held => {
                let (html, timeline) = (incident.body.html(), incident.timeline());
                self.incident_with_body(position, PageBody::held(incident, &html, &timeline))
            }
            Bodies::Loaded(load) => {
                let body = load(incident)?;
                self.incident_with_body(position, body.page())
            }
        }
    }

    /// The page of the incident at `position`, whose body is `body`.
    pub(super) fn incident_with_body(
        &self,
        position: usize,
        body: PageBody<'_>,
    ) -> Result<Page, RenderError> {
        let site = self.site;
        let incident = &site.incidents[position];
        let path = format!("incidents/{}/index.html", incident.slug);
        let mut context = self.context(&path, &incident.title);
        context.insert("description", &previews::incident(&site.config, incident));
        context.insert("og_type", "article");
        let related = site.index.related[position].iter().copied();
        let root = root_of(&path);
        let related_rows = self.rows_html(related, &root)?;
        super::insert_html(&mut context, "related_rows", related_rows);
        if let Some(items) = self.similar_items(position, &root)? {
            super::insert_html(&mut context, "similar_items", items);
        }
        context.insert("incident", &self.incident_view(position, body));
        let capacity = super::PAGE_CAPACITY + body.html.len();
        // Which postmortem's page failed: what an author of a large archive needs to know.
        self.sized_page(&path, "incident.html", &context, capacity)
            .map_err(|e| e.on_page(|| format!("{path} (the page of {})", incident.source)))
    }

    /// What the incident page shows of the incident at `position`, whose body is `body`.
    fn incident_view<'v>(&'v self, position: usize, body: PageBody<'v>) -> IncidentView<'v> {
        let site = self.site;
        let incident = &site.incidents[position];
        let time = |at: Option<DateTime<Utc>>, field| {
            at.map(|at| match incident.day_only.contains(&field) {
                true => self.day(at),
                false => self.time(at),
            })
        };
        let links = |facet, names: &[String]| -> Vec<TermLink> {
            names.iter().filter_map(|n| self.link(facet, n)).collect()
        };
        IncidentView {
            row: self.row(position),
            inferred: InferredView::of(&site.config, incident, body),
            source: &incident.source,
            status_recorded: incident.status_recorded,
            started_at: time(incident.started_at, Field::StartedAt),
            detected_at: time(incident.detected_at, Field::DetectedAt),
            mitigated_at: time(incident.mitigated_at, Field::MitigatedAt),
            resolved_at: time(incident.resolved_at, Field::ResolvedAt),
            time_to_detect: incident.time_to_detect().map(format_duration),
            time_to_mitigate: incident.time_to_mitigate().map(format_duration),
            time_to_resolve: incident.time_to_resolve().map(format_duration),
            recorded: RecordedView::of(incident),
            duration_bucket: duration_bucket(&site.config, incident)
                .and_then(|b| self.link(Facet::Duration, &site.config.duration_buckets[b].key)),
            teams: self.team_links(incident),
            causes: links(Facet::Cause, &incident.root_causes),
            tags: links(Facet::Tag, &incident.tags),
            authors: &incident.authors,
            trigger: incident.trigger.as_deref(),
            summary_html: incident.summary.as_deref().map(|t| self.inline(t)),
            impact_html: incident.impact.as_deref().map(|t| self.inline(t)),
            detection_html: incident.detection.as_deref().map(|t| self.inline(t)),
            body_html: body.html,
            toc: (body.toc.iter())
                .filter(|e| (2..=3).contains(&e.level))
                .collect(),
            word_count: incident.body.word_count,
            action_items: super::retro::action_item_views(&incident.action_items, self.as_of),
            action_items_open: incident
                .action_items
                .iter()
                .filter(|a| a.status == ActionStatus::Open)
                .count(),
            action_progress: super::retro::action_progress(&incident.action_items, self.as_of),
            timeline_chart: super::retro::timeline_chart(incident, body, self.tz),
            related: match self.related_links {
                true => (site.index.related[position].iter())
                    .map(|&r| self.incident_link(r))
                    .collect(),
                false => Vec::new(),
            },
            similar: match self.similar_links {
                true => self.similar_views(position),
                false => Vec::new(),
            },
            extra: &incident.extra,
            extra_fields: super::extras::extra_fields(&incident.extra, &site.config.fields),
            quality: QualityView::of(&self.quality(position)),
        }
    }

    /// The "Similar incidents" of the incident at `position`: links and shared words.
    fn similar_views(&self, position: usize) -> Vec<SimilarView<'_>> {
        self.site.index.similar[position]
            .iter()
            .map(|s| SimilarView {
                incident: self.incident_link(s.position),
                shared: s.shared.iter().collect(),
                score: (f64::from(s.score) * 1000.0).round() / 1000.0,
            })
            .collect()
    }

    pub(super) fn term_views(&self, facet: Facet) -> Vec<TermView<'_>> {
        let terms = &self.site.index.facet(facet).terms;
        let max = terms
            .iter()
            .map(|t| t.incidents.len())
            .max()
            .unwrap_or(0)
            .max(1);
        terms
            .iter()
            .map(|term| TermView {
                name: &term.name,
                key: &term.key,
                url: term_url(facet, term),
                description: &term.description,
                count: term.incidents.len(),
                share: term.incidents.len() * 100 / max,
                missing: term.missing,
                latest: term.incidents.first().and_then(|&i| self.row_date(i)),
            })
            .collect()
    }

    /// A facet's overview: by incident count (then name) where [`ranked_by_count`], with
    /// a second page by name (`by_name`); the scale's own order for the others. "Not
    /// set" stays last in both orders.
    pub(super) fn overview(&self, facet: Facet, by_name: bool) -> Result<Page, RenderError> {
        let (singular, plural) = facet.names();
        let path = overview_path(facet, by_name);
        let mut context = self.context(&path, plural);
        let used = self.site.index.facet(facet).has_values();
        // Without a single value, the declared vocabulary would be a table of zeros.
        let mut terms = if used {
            self.term_views(facet)
        } else {
            Vec::new()
        };
        let ranked = ranked_by_count(facet);
        if by_name {
            terms.sort_by_cached_key(|t| (t.missing, t.name.to_lowercase(), t.name));
        } else if ranked {
            terms.sort_by(|a, b| a.missing.cmp(&b.missing).then(b.count.cmp(&a.count)));
        }
        context.insert(
            "facet",
            &serde_json::json!({"name": plural, "singular": singular, "key": facet.path()}),
        );
        let named = terms.iter().filter(|t| !t.missing && t.count > 0).count();
        let description = previews::overview(facet, named, self.site.incidents.len());
        context.insert("description", &description);
        context.insert("terms", &terms);
        context.insert("missing", &(!used).then(|| self.facet_missing(facet)));
        context.insert("total", &self.site.incidents.len());
        if ranked {
            self.insert_order(&mut context, facet.path(), by_name);
        } else {
            context.insert("sort", &None::<()>);
        }
        self.page(&path, "facet_overview.html", &context)
    }

    pub(super) fn term(
        &self,
        facet: Facet,
        position: usize,
    ) -> Result<RowsPage<impl Iterator<Item = usize> + Clone + '_>, RenderError> {
        let (singular, plural) = facet.names();
        let term = &self.site.index.facet(facet).terms[position];
        let path = format!("{}index.html", term_url(facet, term));
        let mut context = self.context(&path, &format!("{singular}: {}", term.name));
        let incidents = &self.site.incidents;
        let description = previews::term(facet, term, incidents, self.tz);
        context.insert("description", &description);
        let duration = Summary::of(term.incidents.iter().map(|&i| incidents[i].duration()));
        context.insert("facet", &serde_json::json!({"name": plural, "singular": singular, "key": facet.path(), "url": format!("{}/", facet.path())}));
        context.insert("term", &serde_json::json!({
            "name": term.name,
            "key": term.key,
            "description": term.description,
            "missing": term.missing,
            "count": term.incidents.len(),
            "duration": SummaryView::from(&duration),
            "team": (facet == Facet::Service).then(|| self.site.config.services.iter().find(|s| s.name == term.key || s.name == term.name).map(|s| s.team.clone())).flatten(),
            "team_url": self.team_url(facet, position),
        }));
        context.insert("count", &term.incidents.len());
        context.insert("trend", &self.term_trend(facet, position));
        let positions = term.incidents.iter().copied();
        self.page_with_rows(&path, "facet_term.html", context, positions)
    }

    /// The facets some incident has a value for, in display order: the ones the home
    /// page, the navigation and the trend page offer.
    pub(super) fn listed_facets(&self) -> Vec<Facet> {
        listed_facets(self.site)
    }

    /// The line of a facet's overview page when no incident has a value for it.
    fn facet_missing(&self, facet: Facet) -> String {
        use crate::model::field::Field;
        let field = match facet {
            Facet::Service => Field::Services,
            Facet::Cause => Field::RootCause,
            Facet::Severity => Field::Severity,
            Facet::Tag => Field::Tags,
            Facet::Year => Field::StartedAt,
            Facet::Duration => {
                return self.missing_note(&[Field::StartedAt, Field::ResolvedAt]);
            }
        };
        self.missing_note(&[field])
    }

    pub(super) fn link(&self, facet: Facet, name: &str) -> Option<TermLink> {
        self.site.index.facet(facet).get(name).map(|term| TermLink {
            name: term.name.clone(),
            url: term_url(facet, term),
        })
    }

    /// A front matter text field as HTML: one paragraph's worth of Markdown, unwrapped.
    pub(super) fn inline(&self, text: &str) -> String {
        let options = MarkdownOptions {
            allow_raw_html: self.site.config.allow_raw_html,
            source_dir: None,
        };
        let html = markdown::render(text, &options).html;
        let trimmed = html.trim_end();
        match trimmed
            .strip_prefix("<p>")
            .and_then(|t| t.strip_suffix("</p>"))
        {
            Some(inner) if !inner.contains("<p>") => inner.to_string(),
            _ => html,
        }
    }

    /// A timestamp the postmortem gave as a day alone: its date, no time of day.
    fn day(&self, at: DateTime<Utc>) -> TimeView {
        let local = at.with_timezone(&self.tz);
        TimeView {
            display: local.format("%Y-%m-%d").to_string(),
            iso: local.format("%Y-%m-%d").to_string(),
        }
    }

    pub(super) fn time(&self, at: DateTime<Utc>) -> TimeView {
        let local = at.with_timezone(&self.tz);
        TimeView {
            display: local.format("%Y-%m-%d %H:%M %Z").to_string(),
            iso: at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        }
    }
}

/// The facets some incident of `site` has a value for, in display order.
/// Facets whose terms are names (services, root causes, tags): their overview lists the
/// most affected first, and has a second page by name. Durations, severities and years
/// keep their scale's order.
pub(super) fn ranked_by_count(facet: Facet) -> bool {
    matches!(facet, Facet::Service | Facet::Cause | Facet::Tag)
}

/// The file of a facet's overview: `<facet>/index.html`, or the by-name listing beside
/// it.
pub(super) fn overview_path(facet: Facet, by_name: bool) -> String {
    listing_path(facet.path(), by_name)
}

/// The file of a listing sorted by count, `<dir>/index.html`, or of the same list by name
/// beside it, `<dir>/by-name.html` (a file, so no folder in `dir` can take its name).
pub(super) fn listing_path(dir: &str, by_name: bool) -> String {
    if by_name {
        format!("{dir}/by-name.html")
    } else {
        format!("{dir}/index.html")
    }
}

impl Renderer<'_> {
    /// For a listing in `dir` with a by-name twin: `sort`, which order this page shows and
    /// the links to both (relative to the page); on the by-name page, a canonical URL
    /// pointing search engines at the listing by count.
    pub(super) fn insert_order(&self, context: &mut tera::Context, dir: &str, by_name: bool) {
        let sort = serde_json::json!({
            "by_name": by_name,
            "by_count_url": "./",
            "by_name_url": "by-name.html",
        });
        context.insert("sort", &sort);
        if by_name {
            let overview = listing_path(dir, false);
            let canonical = super::canonical_url(&self.site.config.base_url, &overview);
            context.insert("canonical_url", &canonical);
        }
    }
}

pub(super) fn listed_facets(site: &crate::analyze::site::Site) -> Vec<Facet> {
    Facet::ALL
        .into_iter()
        .filter(|&facet| site.index.facet(facet).has_values())
        .collect()
}
