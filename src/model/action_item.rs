//! An action item: what a postmortem commits the organisation to do, with its owner,
//! status and due date.

use chrono::NaiveDate;
use serde::Serialize;

use crate::model::diagnostics::Pos;

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
    pub url: Option<String>,
    /// Where the item is written, for diagnostics.
    #[serde(skip)]
    pub pos: Option<Pos>,
}
