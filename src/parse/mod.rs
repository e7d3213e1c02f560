//! `parse`: one content file into one [`Incident`](crate::model::incident::Incident). Reading
//! the content folder ([`source`]), splitting and reading front matter with positions
//! ([`frontmatter`]), Markdown ([`markdown`]), metadata from prose ([`infer`]), the date
//! in a file name ([`file_date`]), and the field mapping that turns all of it into typed
//! fields ([`incident`]).
//!
//! Imports only `model`; knows nothing of the site as a whole. Only [`source`] reads files.

pub mod backstage;
pub mod file_date;
pub mod frontmatter;
pub mod incident;
pub mod infer;
pub mod markdown;
pub mod source;
pub mod title;
