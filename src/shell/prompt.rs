//! The prompt segment as text, for `rolecall prompt` (tmux status lines, prompt frameworks).
//! The init scripts compute the same segment with shell built-ins; this is the one place the
//! binary does, from the same environment variables.

use crate::util::time::human_left;

/// What the segment shows, from the environment contract.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Segment {
    pub profile: String,
    pub region: String,
    /// `42m`, `3h05m`, `expired`, or empty without an expiry.
    pub left: String,
    /// ANSI colour: 36 normal, 33 under the warning threshold, 31 expired.
    pub color: u8,
}

/// The segment for `env` at `now`; `None` when no profile is active.
pub fn segment(env: &dyn Fn(&str) -> Option<String>, now: i64) -> Option<Segment> {
    let get = |k: &str| env(k).filter(|v| !v.is_empty());
    let profile = get("ROLECALL_PROFILE").or_else(|| get("AWS_PROFILE"))?;
    let region = get("AWS_REGION").or_else(|| get("AWS_DEFAULT_REGION")).unwrap_or_default();
    let digits = |v: &String| v.bytes().all(|b| b.is_ascii_digit());
    let warn: i64 = get("ROLECALL_PROMPT_WARN").filter(digits).and_then(|v| v.parse().ok()).unwrap_or(10);
    let (left, color) = match get("ROLECALL_EXPIRES_AT").filter(digits).and_then(|v| v.parse::<i64>().ok()) {
        None => (String::new(), 36),
        Some(at) if at - now <= 0 => ("expired".to_owned(), 31),
        Some(at) => (human_left(at - now), if (at - now) / 60 < warn { 33 } else { 36 }),
    };
    Some(Segment { profile, region, left, color })
}

impl Segment {
    /// Fill `{profile}`, `{region}` and `{left}` into `format`; words left empty collapse.
    pub fn render(&self, format: &str, color: bool) -> String {
        let text =
            format.replace("{profile}", &self.profile).replace("{region}", &self.region).replace("{left}", &self.left);
        let text = text.split(' ').filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ");
        if color { format!("\x1b[{}m{text}\x1b[0m", self.color) } else { text }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts() {
        let at = |vars: &'static [(&'static str, &'static str)]| {
            move |k: &str| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
        };
        let f = "aws:{profile} {region} {left}";
        let s = segment(
            &at(&[("ROLECALL_PROFILE", "prod"), ("AWS_REGION", "eu-west-1"), ("ROLECALL_EXPIRES_AT", "10000")]),
            10000 - 42 * 60 - 30,
        )
        .unwrap();
        assert_eq!(s.render(f, false), "aws:prod eu-west-1 42m");
        let s = segment(&at(&[("AWS_PROFILE", "dev"), ("ROLECALL_EXPIRES_AT", "10000")]), 10000 - 5 * 60).unwrap();
        assert_eq!(s.render(f, true), "\x1b[33maws:dev 5m\x1b[0m");
        let s = segment(&at(&[("AWS_PROFILE", "dev"), ("ROLECALL_EXPIRES_AT", "10000")]), 10001).unwrap();
        assert_eq!(s.render(f, true), "\x1b[31maws:dev expired\x1b[0m");
        let s = segment(&at(&[("AWS_PROFILE", "dev"), ("ROLECALL_EXPIRES_AT", "x$(y)")]), 0).unwrap();
        assert_eq!(s.render(f, false), "aws:dev");
        assert_eq!(segment(&at(&[]), 0), None);
    }
}
