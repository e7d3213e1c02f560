//! `/teams/` and `/teams/<team>/`: each team's incidents, open action items and trend in
//! small (pure). Written only when the registry names a team (`analyze::teams`).

use std::borrow::Cow;

use serde::Serialize;

use super::trends::ActionRow;
use super::views::{TermLink, term_url};
use super::{Page, RenderError, Renderer, root_of};
use crate::analyze::index::Facet;
use crate::analyze::teams::Team;
use crate::model::incident::Incident;

/// The folder of the team pages.
pub(super) const TEAMS: &str = "teams";

/// One line of `/teams/`.
#[derive(Debug, Serialize)]
struct TeamLine<'a> {
    name: &'a str,
    /// `None` for the "No team recorded" line, which has no page.
    url: Option<String>,
    count: usize,
    /// Count as a percentage of the largest count, for bar widths.
    share: usize,
    open: usize,
    overdue: usize,
    services: Vec<TermLink>,
    latest: Option<Cow<'a, str>>,
}

/// A team's page, as `team.html` sees it.
#[derive(Debug, Serialize)]
struct TeamView<'a> {
    name: &'a str,
    count: usize,
    /// Its services that had incidents, with how many each.
    services: Vec<ServiceCount>,
    /// Its registry services without incidents.
    quiet_services: &'a [String],
    open: usize,
    overdue: usize,
    /// Every open action item of its incidents, overdue first, oldest due date first.
    actions: Vec<ActionRow<'a>>,
}

#[derive(Debug, Serialize)]
struct ServiceCount {
    name: String,
    url: String,
    count: usize,
}

/// The page of a team, from the site root.
pub(super) fn team_path(team: &Team) -> String {
    format!("{TEAMS}/{}/index.html", team.slug)
}

impl Renderer<'_> {
    /// Links to the teams owning an incident's services.
    pub(super) fn team_links(&self, incident: &Incident) -> Vec<TermLink> {
        let teams = &self.site.teams;
        let services = self.site.index.facet(Facet::Service);
        teams
            .of_incident(services, incident)
            .into_iter()
            .map(|t| TermLink {
                name: teams.teams[t].name.clone(),
                url: format!("{TEAMS}/{}/", teams.teams[t].slug),
            })
            .collect()
    }

    /// The team page of a service term's team, when it has one.
    pub(super) fn team_url(&self, facet: Facet, term: usize) -> Option<String> {
        let teams = &self.site.teams;
        let &team = teams.of_service.get(term)?.first()?;
        (facet == Facet::Service).then(|| format!("{TEAMS}/{}/", teams.teams[team].slug))
    }

    /// Open and overdue action items of the incidents at `positions`.
    fn open_counts(&self, positions: &[usize]) -> (usize, usize) {
        let open = crate::analyze::trends::open_actions(self.site, positions, self.as_of);
        (open.len(), open.iter().filter(|a| a.overdue).count())
    }

    fn service_links(&self, terms: &[usize]) -> Vec<TermLink> {
        let services = &self.site.index.facet(Facet::Service).terms;
        terms
            .iter()
            .map(|&t| TermLink {
                name: services[t].name.clone(),
                url: term_url(Facet::Service, &services[t]),
            })
            .collect()
    }

    /// `/teams/`: every team by incident count (then name), or by name (`by_name`, at
    /// `teams/by-name.html`), and "No team recorded" last.
    pub(super) fn teams_overview(&self, by_name: bool) -> Result<Page, RenderError> {
        let teams = &self.site.teams;
        let path = super::pages::listing_path(TEAMS, by_name);
        let mut context = self.context(&path, "Teams");
        let max = teams
            .teams
            .iter()
            .map(|t| t.incidents.len())
            .chain([teams.unowned.len()])
            .max()
            .unwrap_or(0)
            .max(1);
        let line = |name, url, positions: &[usize], services| {
            let (open, overdue) = self.open_counts(positions);
            TeamLine {
                name,
                url,
                count: positions.len(),
                share: positions.len() * 100 / max,
                open,
                overdue,
                services,
                latest: positions.first().and_then(|&i| self.row_date(i)),
            }
        };
        let mut lines: Vec<TeamLine> = teams
            .teams
            .iter()
            .map(|team| {
                let url = Some(format!("{TEAMS}/{}/", team.slug));
                line(
                    &team.name,
                    url,
                    &team.incidents,
                    self.service_links(&team.services),
                )
            })
            .collect();
        if by_name {
            lines.sort_by_cached_key(|line| (line.name.to_lowercase(), line.name));
        } else {
            // Stable: teams of one count stay in name order.
            lines.sort_by_key(|line| std::cmp::Reverse(line.count));
        }
        self.insert_order(&mut context, TEAMS, by_name);
        let unowned = line("No team recorded", None, &teams.unowned, Vec::new());
        context.insert("teams", &lines);
        context.insert("unowned", &unowned);
        context.insert(
            "services_without_team",
            &self.service_links(&teams.services_without_team),
        );
        context.insert("total", &self.site.incidents.len());
        let description = super::previews::teams(
            teams.teams.len(),
            self.site.incidents.len(),
            teams.unowned.len(),
        );
        context.insert("description", &description);
        self.page(&path, "teams.html", &context)
    }

    /// `/teams/<team>/`: the team's services, trend in small, open action items and
    /// incidents.
    pub(super) fn team(&self, position: usize) -> Result<Page, RenderError> {
        let team = &self.site.teams.teams[position];
        let path = team_path(team);
        let mut context = self.context(&path, &format!("Team: {}", team.name));
        let open = crate::analyze::trends::open_actions(self.site, &team.incidents, self.as_of);
        let services = &self.site.index.facet(Facet::Service).terms;
        let view = TeamView {
            name: &team.name,
            count: team.incidents.len(),
            services: team
                .services
                .iter()
                .map(|&t| ServiceCount {
                    name: services[t].name.clone(),
                    url: term_url(Facet::Service, &services[t]),
                    count: services[t].incidents.len(),
                })
                .collect(),
            quiet_services: &team.quiet_services,
            open: open.len(),
            overdue: open.iter().filter(|a| a.overdue).count(),
            actions: open.iter().map(|a| self.action_row(a)).collect(),
        };
        let description = super::previews::team(
            &team.name,
            team.incidents.iter().map(|&i| &self.site.incidents[i]),
            view.open,
            view.overdue,
            self.tz,
        );
        context.insert("description", &description);
        context.insert("team", &view);
        context.insert("trend", &self.team_trend(&team.name, &team.incidents));
        context.insert(
            "rows",
            &self.rows_html(team.incidents.iter().copied(), &root_of(&path))?,
        );
        self.page(&path, "team.html", &context)
    }
}
