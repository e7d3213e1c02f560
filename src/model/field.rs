//! The canonical front matter fields: the names Hindsight reads, which `[fields]` may give
//! aliases and `[check.required]` may ask for. One enum, so a misspelt field name is a
//! compile error in the code and a clear message in a config.

use std::fmt;

use serde::{Deserialize, Deserializer};

/// A canonical front matter field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    Title,
    Slug,
    Status,
    Severity,
    StartedAt,
    DetectedAt,
    MitigatedAt,
    ResolvedAt,
    /// Durations recorded as values (`duration: 45m`), used where timestamps do not give
    /// the span.
    Duration,
    TimeToDetect,
    TimeToMitigate,
    TimeToResolve,
    Services,
    RootCause,
    PrimaryRootCause,
    Trigger,
    Tags,
    Authors,
    Summary,
    Impact,
    Detection,
    ActionItems,
    Related,
}

impl Field {
    /// Every field, in the order documentation and messages list them.
    pub const ALL: [Field; 23] = [
        Field::Title,
        Field::Slug,
        Field::Status,
        Field::Severity,
        Field::StartedAt,
        Field::DetectedAt,
        Field::MitigatedAt,
        Field::ResolvedAt,
        Field::Duration,
        Field::TimeToDetect,
        Field::TimeToMitigate,
        Field::TimeToResolve,
        Field::Services,
        Field::RootCause,
        Field::PrimaryRootCause,
        Field::Trigger,
        Field::Tags,
        Field::Authors,
        Field::Summary,
        Field::Impact,
        Field::Detection,
        Field::ActionItems,
        Field::Related,
    ];

    /// The name front matter uses for the field.
    pub fn name(self) -> &'static str {
        match self {
            Field::Title => "title",
            Field::Slug => "slug",
            Field::Status => "status",
            Field::Severity => "severity",
            Field::StartedAt => "started_at",
            Field::DetectedAt => "detected_at",
            Field::MitigatedAt => "mitigated_at",
            Field::ResolvedAt => "resolved_at",
            Field::Duration => "duration",
            Field::TimeToDetect => "time_to_detect",
            Field::TimeToMitigate => "time_to_mitigate",
            Field::TimeToResolve => "time_to_resolve",
            Field::Services => "services",
            Field::RootCause => "root_cause",
            Field::PrimaryRootCause => "primary_root_cause",
            Field::Trigger => "trigger",
            Field::Tags => "tags",
            Field::Authors => "authors",
            Field::Summary => "summary",
            Field::Impact => "impact",
            Field::Detection => "detection",
            Field::ActionItems => "action_items",
            Field::Related => "related",
        }
    }

    /// The field with this front matter name, if it is canonical.
    pub fn parse(name: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|field| field.name() == name)
    }

    /// "title, slug, …": what messages say was expected.
    pub fn expected() -> String {
        Field::ALL.map(Field::name).join(", ")
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Field::parse(&name).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "unknown field \"{name}\" (expected one of {})",
                Field::expected()
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for field in Field::ALL {
            assert_eq!(Field::parse(field.name()), Some(field));
        }
        assert_eq!(Field::parse("service"), None);
    }
}
