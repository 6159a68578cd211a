//! "did you mean …?" in the errors a person reads.

pub use crate::util::text::did_you_mean;

/// `{what} `{name}` not found`, with the closest candidate as a hint when there is one.
pub fn not_found<'a>(what: &str, name: &str, candidates: impl IntoIterator<Item = &'a str>) -> anyhow::Error {
    anyhow::anyhow!("{}", not_found_text(what, name, candidates))
}

/// The text of [`not_found`].
pub fn not_found_text<'a>(what: &str, name: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    let hint = did_you_mean(name, candidates).map(|s| format!("; did you mean `{s}`?")).unwrap_or_default();
    format!("{what} `{name}` not found{hint}")
}
