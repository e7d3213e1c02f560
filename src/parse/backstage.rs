//! Backstage catalog files (`catalog-info.yaml`) → the services they declare and the team
//! that owns each (pure: `parse::source` reads the files, `app::project` hands them here).
//!
//! A catalog file holds any number of YAML documents (`---` between them), each an entity
//! of some `kind`. A `Component` is a service: `metadata.name` is its name and
//! `spec.owner` its team, an entity reference such as `group:default/payments` of which
//! only the name counts. A component without an owner takes the owner of its
//! `spec.system`; a `Group`'s `spec.profile.displayName` names the team on the pages. An
//! owner that is a person (`user:default/jdoe`) is not a team: the component belongs to
//! the first group of that `User`'s `spec.memberOf`, else to no team. Every
//! other kind and every other key of Backstage's schema is passed over. Only the few keys
//! above are read, so the walk keeps the path of keys to each scalar instead of building
//! a tree; a file that is not YAML keeps what its complete documents gave, and says where
//! it broke (H027).

use std::collections::HashMap;

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::Marker;

use crate::model::config::Service;
use crate::model::diagnostics::{Code, Diagnostic};
use crate::model::term::term_key;
use crate::parse::source::SourceFile;

/// One entity of a catalog file, as far as teams need it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Entity {
    kind: Option<String>,
    name: Option<String>,
    owner: Option<String>,
    system: Option<String>,
    display_name: Option<String>,
    description: Option<String>,
    /// A `User`'s groups (`spec.memberOf`), in the order listed.
    member_of: Vec<String>,
    /// Where its `kind` key is, for diagnostics about it.
    line: u32,
    col: u32,
}

/// A component read from a file, before systems and groups are resolved.
struct Component {
    entity: Entity,
    file: String,
}

/// Reads every catalog file: the services of their components, each with its team, in
/// file order (the first file to declare a service wins), and what was wrong.
pub fn read_catalog(files: &[SourceFile]) -> (Vec<Service>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let mut components = Vec::new();
    let mut owners = Owners::default();
    for file in files {
        let Some(text) = file.text() else {
            diagnostics.push(Diagnostic::warning(
                Code::H027,
                &file.path,
                "catalog file could not be read as UTF-8 text; its components have no team",
            ));
            continue;
        };
        for entity in entities(&text, &file.path, &mut diagnostics) {
            let kind = entity.kind.as_deref().map(str::to_ascii_lowercase);
            match (kind.as_deref(), &entity.name) {
                (Some("system"), Some(name)) => {
                    if let Some(owner) = &entity.owner {
                        owners.system.insert(term_key(name), owner.clone());
                    }
                }
                (Some("group"), Some(name)) => {
                    if let Some(display) = &entity.display_name {
                        owners.group_name.insert(term_key(name), display.clone());
                    }
                }
                (Some("user"), Some(name)) => {
                    let groups = entity.member_of.iter().map(|g| owner_name(g)).collect();
                    owners.user_groups.insert(term_key(name), groups);
                }
                (Some("component"), _) => components.push(Component {
                    entity,
                    file: file.path.clone(),
                }),
                _ => {}
            }
        }
    }
    let services = resolve(components, &owners, files, &mut diagnostics);
    (services, diagnostics)
}

/// What the catalog says about owners besides its components: each system's owner (an
/// entity reference), each group's display name, each user's groups; keyed by term.
#[derive(Debug, Default)]
struct Owners {
    system: HashMap<String, String>,
    group_name: HashMap<String, String>,
    user_groups: HashMap<String, Vec<String>>,
}

/// Whose a component is: a team's name, or a person who belongs to no group.
enum Owner {
    Team(String),
    Person(String),
}

impl Owners {
    /// The owner an entity reference names: a group's (or a bare name's) team, or, for a
    /// `user:` reference, the first group the user is a member of.
    fn owner(&self, reference: &str) -> Owner {
        let name = owner_name(reference);
        if !is_user(reference) {
            return Owner::Team(name);
        }
        match self
            .user_groups
            .get(&term_key(&name))
            .and_then(|g| g.first())
        {
            Some(group) => Owner::Team(group.clone()),
            None => Owner::Person(name),
        }
    }

    /// A team's name as the pages show it: its group's display name, if it has one.
    fn shown(&self, team: String) -> String {
        self.group_name
            .get(&term_key(&team))
            .cloned()
            .unwrap_or(team)
    }
}

/// Whether an entity reference is of kind `User` (`user:jdoe`, `user:default/jdoe`).
fn is_user(reference: &str) -> bool {
    reference
        .trim()
        .split_once(':')
        .is_some_and(|(kind, _)| !kind.contains('/') && kind.trim().eq_ignore_ascii_case("user"))
}

/// Each component as a service with its team: its own owner, else its system's; a group
/// with a display name is shown by it.
fn resolve(
    components: Vec<Component>,
    owners: &Owners,
    files: &[SourceFile],
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Service> {
    let mut services: Vec<Service> = Vec::new();
    let mut seen: HashMap<String, (String, u32)> = HashMap::new();
    for Component { entity, file } in components {
        let text = || {
            files
                .iter()
                .find(|f| f.path == file)
                .and_then(|f| f.text().map(|t| t.into_owned()))
                .unwrap_or_default()
        };
        let warn = |message: String| {
            Diagnostic::warning(Code::H027, &file, message).at(entity.line, entity.col, &text())
        };
        let Some(name) = entity.name.clone().filter(|n| !n.trim().is_empty()) else {
            diagnostics.push(
                warn("component without metadata.name; it is left out".into())
                    .help("give the component a metadata.name, the service's name"),
            );
            continue;
        };
        let reference = entity.owner.as_deref().or_else(|| {
            let system = entity.system.as_deref()?;
            owners
                .system
                .get(&term_key(&owner_name(system)))
                .map(String::as_str)
        });
        let owner = match reference.map(|r| owners.owner(r)) {
            Some(Owner::Team(team)) if !team.is_empty() => Some(team),
            Some(Owner::Person(person)) if !person.is_empty() => {
                diagnostics.push(
                    warn(format!("component \"{name}\" is owned by the person \"{person}\", who is in no group of the catalog; its incidents count under \"No team recorded\""))
                        .field("spec.owner")
                        .help("set spec.owner to the owning group, or give the user's kind: User entity a spec.memberOf"),
                );
                None
            }
            _ => {
                // Still a service of the registry, without a team.
                diagnostics.push(
                    warn(format!("component \"{name}\" has no spec.owner; its incidents count under \"No team recorded\""))
                        .field("spec.owner")
                        .help("set spec.owner to the owning group, e.g. group:default/payments"),
                );
                None
            }
        };
        if let Some((first, line)) = seen.get(&term_key(&name)) {
            diagnostics.push(
                warn(format!(
                    "component \"{name}\" is also declared in {first}:{line}; the first is used"
                ))
                .help("keep one entity per component"),
            );
            continue;
        }
        seen.insert(term_key(&name), (file.clone(), entity.line));
        let team = owner.map(|team| owners.shown(team)).unwrap_or_default();
        services.push(Service {
            name,
            team,
            description: entity.description.clone().unwrap_or_default(),
        });
    }
    services
}

/// The name in an entity reference: `group:default/payments` → `payments`,
/// `default/payments` → `payments`, `payments` → `payments`.
pub fn owner_name(reference: &str) -> String {
    let reference = reference.trim();
    let after_kind = match reference.split_once(':') {
        Some((kind, rest)) if !kind.contains('/') => rest,
        _ => reference,
    };
    let name = after_kind.rsplit('/').next().unwrap_or(after_kind);
    name.trim().to_string()
}

/// The entities of one file's documents. A syntax error ends the walk with a warning;
/// the documents before it count.
fn entities(text: &str, path: &str, diagnostics: &mut Vec<Diagnostic>) -> Vec<Entity> {
    let mut walk = Walk::default();
    let mut parser = Parser::new_from_str(text);
    loop {
        match parser.next_token() {
            Ok((Event::StreamEnd, _)) => break,
            Ok((event, mark)) => walk.event(event, mark),
            Err(error) => {
                let (line, col) = within(text, position(*error.marker()));
                diagnostics.push(
                    Diagnostic::warning(
                        Code::H027,
                        path,
                        format!("catalog file is not valid YAML: {}", error.info()),
                    )
                    .at(line, col, text)
                    .help(
                        "the documents before this point are read; fix the YAML to read the rest",
                    ),
                );
                break;
            }
        }
    }
    walk.done
}

/// A position at the end of the text moved onto its last line, so the caret has a line
/// to point into (the scanner reports an unclosed `[` just past the last line break).
fn within(text: &str, (line, col): (u32, u32)) -> (u32, u32) {
    let lines = u32::try_from(text.lines().count()).unwrap_or(u32::MAX);
    match text.lines().last() {
        Some(last) if line > lines => {
            let end = u32::try_from(last.chars().count()).unwrap_or(u32::MAX);
            (lines, end.saturating_add(1))
        }
        _ => (line, col),
    }
}

/// A 1-based line and column from a yaml_rust2 marker (its line counts from 1, its
/// column from 0).
fn position(mark: Marker) -> (u32, u32) {
    let line = u32::try_from(mark.line().max(1)).unwrap_or(u32::MAX);
    let col = u32::try_from(mark.col() + 1).unwrap_or(u32::MAX);
    (line, col)
}

/// An open collection while a document is walked.
#[derive(Debug)]
enum Frame {
    /// A mapping, with the key whose value comes next (`None`: a key comes next).
    Map(Option<String>),
    List,
}

/// The walk over one file's events: the open collections and the entities so far.
#[derive(Debug, Default)]
struct Walk {
    stack: Vec<Frame>,
    current: Entity,
    done: Vec<Entity>,
}

impl Walk {
    fn event(&mut self, event: Event, mark: Marker) {
        match event {
            Event::DocumentStart => {
                self.current = Entity::default();
                self.stack.clear();
            }
            Event::DocumentEnd => {
                let entity = std::mem::take(&mut self.current);
                if entity.kind.is_some() {
                    self.done.push(entity);
                }
            }
            Event::Scalar(text, ..) => match self.stack.last_mut() {
                Some(Frame::Map(None)) => {
                    if self.stack.len() == 1 && text == "kind" {
                        (self.current.line, self.current.col) = position(mark);
                    }
                    if let Some(Frame::Map(key)) = self.stack.last_mut() {
                        *key = Some(text);
                    }
                }
                _ => {
                    self.value(text);
                    self.after_value();
                }
            },
            Event::Alias(_) => self.after_value(),
            Event::MappingStart(..) => self.stack.push(Frame::Map(None)),
            Event::SequenceStart(..) => self.stack.push(Frame::List),
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
                self.after_value();
            }
            Event::Nothing | Event::StreamStart | Event::StreamEnd => {}
        }
    }

    /// A value was complete: the mapping holding it waits for its next key.
    fn after_value(&mut self) {
        if let Some(Frame::Map(key)) = self.stack.last_mut() {
            *key = None;
        }
    }

    /// Keeps a scalar value found at one of the paths an entity is read from.
    fn value(&mut self, text: String) {
        let mut path: Vec<&str> = Vec::with_capacity(self.stack.len());
        let (list, maps) = match self.stack.split_last() {
            Some((Frame::List, maps)) => (true, maps),
            _ => (false, self.stack.as_slice()),
        };
        for frame in maps {
            match frame {
                Frame::Map(Some(key)) => path.push(key),
                // Inside a nested list or at a key: not a path this reads.
                _ => return,
            }
        }
        if list {
            // The one list read: a user's groups.
            let text = text.trim();
            if path == ["spec", "memberOf"] && !text.is_empty() {
                self.current.member_of.push(text.to_string());
            }
            return;
        }
        let slot = match path.as_slice() {
            ["kind"] => &mut self.current.kind,
            ["metadata", "name"] => &mut self.current.name,
            ["metadata", "description"] => &mut self.current.description,
            ["spec", "owner"] => &mut self.current.owner,
            ["spec", "system"] => &mut self.current.system,
            ["spec", "profile", "displayName"] => &mut self.current.display_name,
            _ => return,
        };
        let text = text.trim();
        if !text.is_empty() {
            *slot = Some(text.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> SourceFile {
        SourceFile {
            path: path.to_string(),
            stem: "catalog-info".into(),
            bytes: Ok(text.as_bytes().to_vec()),
        }
    }

    fn check(files: &[(&str, &str)], expect_services: &[(&str, &str)], expect: &[&str]) {
        let files: Vec<SourceFile> = files.iter().map(|(p, t)| file(p, t)).collect();
        let (services, diagnostics) = read_catalog(&files);
        let got: Vec<(&str, &str)> = services
            .iter()
            .map(|s| (s.name.as_str(), s.team.as_str()))
            .collect();
        assert_eq!(got, expect_services);
        let mut headlines: Vec<String> = diagnostics.iter().map(Diagnostic::headline).collect();
        headlines.sort();
        assert_eq!(headlines, expect);
    }

    #[test]
    fn an_error_at_the_end_points_into_the_last_line() {
        let (_, diagnostics) = read_catalog(&[file("c.yaml", "kind: Component\nname: [x\n")]);
        let shown = diagnostics[0].render_human();
        assert!(shown.contains("2 | name: [x\n  |         ^"), "{shown}");
    }

    #[test]
    fn owner_references() {
        for (reference, name) in [
            ("group:default/payments", "payments"),
            ("group:payments", "payments"),
            ("default/payments", "payments"),
            ("Payments Team", "Payments Team"),
            (" user:default/jdoe ", "jdoe"),
        ] {
            assert_eq!(owner_name(reference), name, "{reference}");
        }
        assert!(is_user("user:default/jdoe") && is_user(" User:jdoe"));
        assert!(!is_user("group:default/users") && !is_user("default/user:x") && !is_user("jdoe"));
    }

    #[test]
    fn components_systems_and_groups() {
        let catalog = "\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: checkout-api
  annotations:
    github.com/project-slug: acme/checkout
  tags: [java, payments]
spec:
  type: service
  lifecycle: production
  owner: group:default/payments
  system: shop
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: checkout-api-v2
spec:
  owner: group:default/other
---
kind: System
metadata:
  name: shop
spec:
  owner: group:default/storefront
---
kind: Component
metadata:
  name: web-app
spec:
  system: system:default/shop
---
kind: Group
metadata:
  name: payments
spec:
  type: team
  profile:
    displayName: Payments Team
  children: []
";
        check(
            &[("catalog/catalog-info.yaml", catalog)],
            &[("checkout-api", "Payments Team"), ("web-app", "storefront")],
            &[],
        );
    }

    #[test]
    fn a_person_is_not_a_team_but_their_group_is() {
        let catalog = "\
kind: Component
metadata:
  name: billing
spec:
  owner: user:default/jdoe
---
kind: Component
metadata:
  name: reports
spec:
  owner: user:asmith
---
kind: Component
metadata:
  name: ledger
spec:
  system: money
---
kind: System
metadata:
  name: money
spec:
  owner: user:jdoe
---
kind: User
metadata:
  name: jdoe
spec:
  memberOf: [group:default/payments, sre]
---
kind: User
metadata:
  name: asmith
spec:
  memberOf: []
---
kind: Group
metadata:
  name: payments
spec:
  profile:
    displayName: Payments Team
";
        check(
            &[("catalog/all.yaml", catalog)],
            &[
                ("billing", "Payments Team"),
                ("reports", ""),
                ("ledger", "Payments Team"),
            ],
            &[
                "catalog/all.yaml:7:1: warning[H027]: spec.owner: component \"reports\" is owned by the person \"asmith\", who is in no group of the catalog; its incidents count under \"No team recorded\"",
            ],
        );
    }

    #[test]
    fn problems_are_warnings_with_positions() {
        let missing = "kind: Component\nmetadata:\n  name: lonely\nspec:\n  type: service\n---\nkind: Component\nmetadata:\n  title: no name\n";
        let broken = "kind: Component\nmetadata:\n  name: ok\nspec:\n  owner: team-a\n---\nkind: Component\nmetadata:\n  name: [unclosed\n";
        let twice = "kind: Component\nmetadata:\n  name: OK\nspec:\n  owner: team-b\n";
        check(
            &[
                ("c/a.yaml", missing),
                ("c/b.yaml", broken),
                ("c/c.yaml", twice),
            ],
            &[("lonely", ""), ("ok", "team-a")],
            &[
                "c/a.yaml:1:1: warning[H027]: spec.owner: component \"lonely\" has no spec.owner; its incidents count under \"No team recorded\"",
                "c/a.yaml:7:1: warning[H027]: component without metadata.name; it is left out",
                "c/b.yaml:9:18: warning[H027]: catalog file is not valid YAML: while parsing a flow sequence, expected ',' or ']'",
                "c/c.yaml:1:1: warning[H027]: component \"OK\" is also declared in c/b.yaml:1; the first is used",
            ],
        );
    }
}
