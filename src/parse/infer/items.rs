//! Action items from prose: a "Tasks:" or "Action items:" list (or a section with such a
//! heading, or a table with an action column), each entry with the owner and due date its
//! text names: "Fix the alert (@alice, due 2024-03-01)", "- [x] Add a runbook — owner: bob".

use crate::model::action_item::{ActionItem, ActionStatus};
use crate::model::time::order::DateOrder;
use crate::parse::frontmatter::Pos;

use super::doc::{Doc, Line, LineKind, label, words};
use super::{Evidence, Inferred, when};

/// Labels and headings that name an action item list.
const ACTION_LABELS: &[&str] = &[
    "action items",
    "action item",
    "tasks",
    "task list",
    "follow ups",
    "follow up",
    "follow up items",
    "follow up actions",
    "followups",
    "next steps",
    "corrective actions",
    "remediation",
    "remediation items",
    "action plan",
    "actions",
    "todo",
    "to do",
    "todos",
];

/// Words in a heading that make its list a likely list of actions, when no list is named
/// outright ("Corrective and Preventative Measures").
const ACTION_SECTION_WORDS: &[&str] = &[
    "corrective",
    "preventive",
    "preventative",
    "remediation",
    "follow up",
    "action",
];

pub(super) fn is_action_label(name: &str) -> bool {
    ACTION_LABELS.contains(&name)
}

/// How due dates are read: `year` for those written without one, `order` (the site's
/// `date_order`) for those such as `03/04/2022`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Dates {
    pub(super) year: Option<i32>,
    pub(super) order: Option<DateOrder>,
}

/// The action items of `doc`. `labels` are the lines holding an empty action label
/// ("- Tasks:").
pub(super) fn action_items(
    doc: &Doc<'_>,
    labels: &[usize],
    dates: Dates,
) -> Vec<Inferred<ActionItem>> {
    for &index in labels {
        let lines = match doc.lines[index].kind {
            LineKind::Item { .. } => doc.children(index),
            _ => following(doc, index),
        };
        let items = list_items(doc, lines, dates);
        if !items.is_empty() {
            return items;
        }
    }
    for strict in [true, false] {
        for (at, line) in doc.lines.iter().enumerate() {
            let LineKind::Heading { text, .. } = line.kind else {
                continue;
            };
            let heading = words(text);
            let named = if strict {
                is_action_label(&heading)
            } else {
                ACTION_SECTION_WORDS.iter().any(|w| heading.contains(w))
            };
            if !named {
                continue;
            }
            let section = doc.section(at);
            let mut items = list_items(doc, section, dates);
            if items.is_empty() {
                items = table_items(section, dates);
            }
            if !items.is_empty() {
                return items;
            }
        }
    }
    Vec::new()
}

/// The lines after a "Tasks:" paragraph, up to the next heading.
fn following<'d, 'a>(doc: &'d Doc<'a>, index: usize) -> &'d [Line<'a>] {
    let end = doc.lines[index + 1..]
        .iter()
        .position(|l| matches!(l.kind, LineKind::Heading { .. }))
        .map_or(doc.lines.len(), |p| index + 1 + p);
    &doc.lines[index + 1..end]
}

/// The outermost list items of `lines`; an item that is itself an empty label ("- Fixes:")
/// stands for the items nested under it.
fn list_items(doc: &Doc<'_>, lines: &[Line<'_>], dates: Dates) -> Vec<Inferred<ActionItem>> {
    let Some(outer) = lines
        .iter()
        .filter_map(|l| match l.kind {
            LineKind::Item { indent, .. } => Some(indent),
            _ => None,
        })
        .min()
    else {
        return Vec::new();
    };
    let mut items = Vec::new();
    for line in lines {
        let LineKind::Item {
            indent,
            text,
            checked,
        } = line.kind
        else {
            continue;
        };
        if indent != outer || text.is_empty() {
            continue;
        }
        if label(text).is_some_and(|(_, value)| value.is_empty()) {
            if let Some(index) = doc.lines.iter().position(|l| l.number == line.number) {
                items.extend(list_items(doc, doc.children(index), dates));
            }
            continue;
        }
        items.push(item(line, text, checked, dates));
    }
    items
}

/// Action items from a table whose header has an action (or task) column.
fn table_items(lines: &[Line<'_>], dates: Dates) -> Vec<Inferred<ActionItem>> {
    let Some(header) = lines
        .iter()
        .find(|l| matches!(l.kind, LineKind::Row { header: true }))
    else {
        return Vec::new();
    };
    let columns: Vec<String> = header.cells().iter().map(|c| words(c)).collect();
    let column = |names: &[&str]| {
        columns
            .iter()
            .position(|c| names.iter().any(|n| c.contains(n)))
    };
    let Some(title) = column(&["action", "task", "item", "title", "description"]) else {
        return Vec::new();
    };
    let owner = column(&["owner", "assignee", "who"]);
    let due = column(&["due", "deadline", "date"]);
    let status = column(&["status", "state"]);
    lines
        .iter()
        .filter(|l| matches!(l.kind, LineKind::Row { header: false }))
        .filter_map(|line| {
            let cells = line.cells();
            let text = *cells.get(title).filter(|t| !t.is_empty())?;
            let mut found = item(line, text, None, dates);
            let cell = |i: Option<usize>| {
                i.and_then(|i| cells.get(i).copied())
                    .filter(|c| !c.is_empty())
            };
            if let Some(owner) = cell(owner) {
                found.value.owner = Some(owner.trim_start_matches('@').to_string());
            }
            if let Some(due) = cell(due) {
                found.value.due = due_date(due, dates);
            }
            if let Some(status) = cell(status) {
                let lower = status.to_lowercase();
                if ["done", "closed", "complete", "fixed", "resolved"]
                    .iter()
                    .any(|w| lower.contains(w))
                {
                    found.value.status = ActionStatus::Done;
                }
            }
            Some(found)
        })
        .collect()
}

fn due_date(text: &str, dates: Dates) -> Option<chrono::NaiveDate> {
    when::find_moment(text, dates.order)?.naive_date(dates.year)
}

/// One entry: its title, and the owner and due date named in a trailing "(...)" or after a
/// dash ("— owner: bob, due March 1").
fn item(line: &Line<'_>, text: &str, checked: Option<bool>, dates: Dates) -> Inferred<ActionItem> {
    let mut title = text.trim();
    let mut owner = None;
    let mut due = None;
    let tail = if title.ends_with(')') {
        title
            .rfind('(')
            .map(|open| (open, &title[open + 1..title.len() - 1]))
    } else {
        [" — ", " – ", " - "]
            .iter()
            .find_map(|dash| title.rfind(dash).map(|at| (at, &title[at + dash.len()..])))
    };
    if let Some((at, tail)) = tail {
        for part in tail.split([',', ';']) {
            let part = part.trim();
            let lower = part.to_lowercase();
            if let Some(handle) = part.strip_prefix('@') {
                owner = Some(handle.trim().to_string());
            } else if let Some((name, value)) = label(part)
                && ["owner", "assignee", "assigned to", "who"].contains(&name.as_str())
            {
                owner = Some(value.trim_start_matches('@').to_string());
            } else if lower.starts_with("assigned to ") {
                owner = part.get(12..).map(|name| name.trim().to_string());
            } else if lower.starts_with("due")
                || lower.starts_with("by ")
                || lower.starts_with("deadline")
                // A bare date in the parentheses is a due date too.
                || (due.is_none() && when::find_moment(part, dates.order).is_some_and(|m| m.date.is_some()))
            {
                due = due_date(part, dates);
            }
        }
        if owner.is_some() || due.is_some() {
            title = title[..at].trim_end();
        }
    }
    if owner.is_none()
        && let Some(at) = title.find(" @")
    {
        let handle: String = title[at + 2..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || "._-".contains(*c))
            .collect();
        if !handle.is_empty() {
            owner = Some(handle);
        }
    }
    let col = line.col_of(text);
    Inferred {
        value: ActionItem {
            title: title.to_string(),
            owner,
            status: if checked == Some(true) {
                ActionStatus::Done
            } else {
                ActionStatus::Open
            },
            due,
            priority: None,
            url: None,
            pos: Some(Pos {
                line: line.number,
                col,
            }),
        },
        evidence: Evidence {
            line: line.number,
            col,
            text: text.chars().take(80).collect(),
        },
    }
}
