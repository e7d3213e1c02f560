//! An action item: what a postmortem commits the organisation to do, with its owner,
//! status and due date.

use chrono::NaiveDate;
use serde::Serialize;

use crate::model::diagnostics::Pos;
use crate::model::link;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ActionStatus {
    Open,
    Done,
    Wontfix,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActionItem {
    pub title: String,
    pub owner: Option<String>,
    pub status: ActionStatus,
    pub due: Option<NaiveDate>,
    pub priority: Option<String>,
    /// The tracker's URL as written. Templates see it only when a page may link to it
    /// ([`link::is_allowed`]); [`ActionItem::rejected_url`] gives the rest, to show as text.
    #[serde(serialize_with = "allowed_link")]
    pub url: Option<String>,
    /// Where the item is written, for diagnostics.
    #[serde(skip)]
    pub pos: Option<Pos>,
}

impl ActionItem {
    /// The URL to link the item to, if a page may link to it.
    pub fn link(&self) -> Option<&str> {
        self.url.as_deref().filter(|url| link::is_allowed(url))
    }

    /// The URL written for the item when a page may not link to it (`javascript:`, ...).
    pub fn rejected_url(&self) -> Option<&str> {
        self.url.as_deref().filter(|url| !link::is_allowed(url))
    }
}

/// Serializes a URL only when a page may link to it: templates never see another.
fn allowed_link<S: serde::Serializer>(url: &Option<String>, out: S) -> Result<S::Ok, S::Error> {
    match url.as_deref().filter(|url| link::is_allowed(url)) {
        Some(url) => out.serialize_some(url),
        None => out.serialize_none(),
    }
}
