//! Teams: who owns which services (`[[services]] team`, or a Backstage catalog through
//! `[registry]`), and so which incidents each team had (pure).
//!
//! An incident counts for every team owning one of its services; one whose services have
//! no team (or that names no service) is counted as unowned, never dropped. Registry names
//! meet incidents' services through the service facet, so the value maps and term folding
//! that join spellings there join them here too.

use std::collections::BTreeMap;

use crate::analyze::index::FacetIndex;
use crate::model::config::Config;
use crate::model::field::Field;
use crate::model::incident::Incident;
use crate::model::vocab::{term_key, url_slug};

/// One team and what it owns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Team {
    /// As first written in the registry (`[[services]]` before the catalog).
    pub name: String,
    pub slug: String,
    /// Positions in the service facet's terms of its services that had incidents, in
    /// facet order.
    pub services: Vec<usize>,
    /// Registry services of the team that no incident names, by name.
    pub quiet_services: Vec<String>,
    /// Positions into `Site::incidents`, ascending (newest first).
    pub incidents: Vec<usize>,
}

/// Every team of the site, with the incidents no team owns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Teams {
    /// By name, case aside.
    pub teams: Vec<Team>,
    /// Incidents none of whose services has a team, with those that name no service.
    pub unowned: Vec<usize>,
    /// Service terms with incidents but no team, by position in the facet's terms.
    pub services_without_team: Vec<usize>,
    /// For each service term, the teams owning it (positions in `teams`).
    pub of_service: Vec<Vec<usize>>,
}

impl Teams {
    /// Whether the site records any team: the pages and the navigation exist only then.
    pub fn any(&self) -> bool {
        !self.teams.is_empty()
    }

    /// The teams owning any of an incident's services, by position in `teams`, in order.
    pub fn of_incident(&self, services: &FacetIndex, incident: &Incident) -> Vec<usize> {
        let mut teams: Vec<usize> = incident
            .services
            .iter()
            .filter_map(|name| services.position_of(name))
            .flat_map(|term| self.of_service.get(term).into_iter().flatten().copied())
            .collect();
        teams.sort_unstable();
        teams.dedup();
        teams
    }
}

/// The teams of `config`'s registry over the service facet of `incidents`.
pub fn build(config: &Config, incidents: &[Incident], services: &FacetIndex) -> Teams {
    let owned = owners(config);
    if owned.is_empty() {
        return Teams::default();
    }
    let mut teams = Vec::with_capacity(owned.len());
    let mut of_service = vec![Vec::new(); services.terms.len()];
    for (position, (name, members)) in owned.into_values().enumerate() {
        let mut team = Team {
            slug: String::new(),
            name,
            services: Vec::new(),
            quiet_services: Vec::new(),
            incidents: Vec::new(),
        };
        for member in members {
            let canonical = config.aliases.canonical(Field::Services, &member);
            match services.position_of(canonical) {
                Some(term) if !services.terms[term].incidents.is_empty() => {
                    team.services.push(term);
                    of_service[term].push(position);
                    team.incidents.extend(&services.terms[term].incidents);
                }
                _ => team.quiet_services.push(member),
            }
        }
        team.services.sort_unstable();
        team.services.dedup();
        team.incidents.sort_unstable();
        team.incidents.dedup();
        teams.push(team);
    }
    assign_slugs(&mut teams);
    for owners in &mut of_service {
        owners.sort_unstable();
        owners.dedup();
    }
    let unowned = incidents
        .iter()
        .enumerate()
        .filter(|(_, incident)| {
            !incident
                .services
                .iter()
                .filter_map(|name| services.position_of(name))
                .any(|term| !of_service[term].is_empty())
        })
        .map(|(position, _)| position)
        .collect();
    let services_without_team = (0..services.terms.len())
        .filter(|&t| {
            let term = &services.terms[t];
            !term.missing && !term.incidents.is_empty() && of_service[t].is_empty()
        })
        .collect();
    Teams {
        teams,
        unowned,
        services_without_team,
        of_service,
    }
}

/// Team key → (the team's name as first written, its services), from every registry
/// entry with a team.
fn owners(config: &Config) -> BTreeMap<String, (String, Vec<String>)> {
    let mut owned: BTreeMap<String, (String, Vec<String>)> = BTreeMap::new();
    for service in &config.services {
        let team = service.team.trim();
        if team.is_empty() {
            continue;
        }
        owned
            .entry(term_key(team))
            .or_insert_with(|| (team.to_string(), Vec::new()))
            .1
            .push(service.name.clone());
    }
    owned
}

/// A URL slug for each team; two teams whose names make one slug get `-2`, `-3`, ….
fn assign_slugs(teams: &mut [Team]) {
    let mut used: BTreeMap<String, usize> = BTreeMap::new();
    for team in teams {
        let base = url_slug(&team.name);
        let n = used.entry(base.clone()).or_default();
        *n += 1;
        team.slug = if *n == 1 { base } else { format!("{base}-{n}") };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::index::Facet;
    use crate::parse::source::SourceFile;

    fn site(config: &str, files: &[(&str, &str)]) -> crate::analyze::site::Site {
        let config = Config::parse(config, "hindsight.toml").expect("config");
        let sources: Vec<SourceFile> = files
            .iter()
            .map(|(name, text)| SourceFile {
                path: format!("content/{name}.md"),
                stem: name.to_string(),
                bytes: Ok(text.as_bytes().to_vec()),
            })
            .collect();
        let options = crate::analyze::site::AnalyzeOptions::default();
        crate::analyze::site::analyze(&config, &sources, options).0
    }

    #[test]
    fn incidents_count_for_every_owning_team_and_the_rest_are_unowned() {
        let site = site(
            "[[services]]\nname = \"checkout-api\"\nteam = \"Payments\"\n\
             [[services]]\nname = \"Web App\"\nteam = \"storefront\"\n\
             [[services]]\nname = \"ledger\"\nteam = \"payments\"\n\
             [[services]]\nname = \"search\"\n\
             [aliases.services]\ncheckout = \"checkout-api\"\n",
            &[
                (
                    "a",
                    "---\ntitle: A\nstarted_at: 2024-01-02\nservices: [checkout, web-app]\n---\n",
                ),
                (
                    "b",
                    "---\ntitle: B\nstarted_at: 2024-01-01\nservices: [search]\n---\n",
                ),
                ("c", "---\ntitle: C\nstarted_at: 2023-12-01\n---\n"),
            ],
        );
        let teams = &site.teams;
        let names: Vec<(&str, &str, &[usize])> = teams
            .teams
            .iter()
            .map(|t| (t.name.as_str(), t.slug.as_str(), t.incidents.as_slice()))
            .collect();
        assert_eq!(
            names,
            [
                ("Payments", "payments", &[0][..]),
                ("storefront", "storefront", &[0][..])
            ]
        );
        assert_eq!(teams.teams[0].quiet_services, ["ledger"]);
        assert_eq!(teams.unowned, [1, 2]);
        let services = site.index.facet(Facet::Service);
        let without: Vec<&str> = teams
            .services_without_team
            .iter()
            .map(|&t| services.terms[t].name.as_str())
            .collect();
        assert_eq!(without, ["search"]);
        assert_eq!(teams.of_incident(services, &site.incidents[0]), [0, 1]);
    }

    #[test]
    fn no_team_no_teams() {
        let site = site(
            "[[services]]\nname = \"search\"\n",
            &[("b", "---\ntitle: B\nservices: [search]\n---\n")],
        );
        assert!(!site.teams.any());
    }
}
