//! Term identity: the one rule by which two spellings name the same thing.
//!
//! Archives written by many hands spell one value many ways ("customer-facing",
//! "Customer Facing", "customer_facing", "Customer-Facing."), so every comparison of names
//! (facet terms, vocabulary and registry lookups, value maps, owners) goes through
//! [`term_key`]. It is re-exported by `model::vocab`, where its tests are; it lives in a
//! module of its own so that `config` can validate its value maps by it without `config`
//! and `vocab` importing each other.

/// The identity of a term: its letters and digits, lowercased, with every run of anything
/// else (spaces, hyphens, underscores, punctuation, symbols) read as one space, and none
/// at either end. A name with no letter or digit ("&&&") keeps its lowercased self, with
/// whitespace collapsed, so it is still a term of its own.
pub fn term_key(name: &str) -> String {
    let mut key = String::with_capacity(name.len());
    let mut gap = false;
    for c in name.chars() {
        if c.is_alphanumeric() {
            if gap && !key.is_empty() {
                key.push(' ');
            }
            gap = false;
            key.extend(c.to_lowercase());
        } else {
            gap = true;
        }
    }
    if key.is_empty() {
        return name
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
    }
    key
}
