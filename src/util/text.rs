//! Text for people: escaping what could drive a terminal, and the closest of some names.

/// Text from a file, the network or the environment, safe to print on a terminal: control
/// characters and the bidirectional controls that reorder what is shown are escaped.
pub fn printable(text: &str) -> String {
    if !text.chars().any(needs_escape) {
        return text.to_owned();
    }
    text.chars().map(|c| if needs_escape(c) { c.escape_default().to_string() } else { c.to_string() }).collect()
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// The closest candidate within a small edit distance (Levenshtein, strsim), if any.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let len = word.chars().count();
    let limit = (len / 3).max(2).min(len.saturating_sub(1));
    candidates
        .into_iter()
        .map(|c| (strsim::levenshtein(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// `{what} `{name}` not found`, with the closest candidate as a hint when there is one (names are
/// shown escaped: they come from files and the command line).
pub fn not_found<'a>(what: &str, name: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    let hint =
        did_you_mean(name, candidates).map(|s| format!("; did you mean `{}`?", printable(s))).unwrap_or_default();
    format!("{what} `{}` not found{hint}", printable(name))
}

/// Everything but RFC 3986's unreserved characters, percent-encoded (a query value).
pub fn percent(s: &str) -> String {
    const RESERVED: &percent_encoding::AsciiSet =
        &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');
    percent_encoding::utf8_percent_encode(s, RESERVED).to_string()
}

/// A key id shown with all but its last four characters hidden: `****MPLE`.
pub fn mask(s: &str) -> String {
    let tail: String = s.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
    format!("****{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_escapes_controls_and_bidi() {
        assert_eq!(printable("a\nb\x1b"), "a\\nb\\u{1b}");
        assert_eq!(printable("x\u{202e}y\u{2066}"), "x\\u{202e}y\\u{2066}");
        assert_eq!(printable("plain é 🐱"), "plain é 🐱");
    }

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(did_you_mean("prdo", ["prod", "dev"]), Some("prod"));
        assert_eq!(did_you_mean("staging", ["prod", "dev"]), None);
    }

    #[test]
    fn masking() {
        assert_eq!(mask("AKIAIOSFODNN7EXAMPLE"), "****MPLE");
        assert_eq!(mask("ab"), "****ab");
    }
}
