//! Wall-clock time as unix seconds, and RFC 3339 in and out.
//!
//! Expiry times are the only dates rolecall handles: STS and credential_process give them as
//! RFC 3339 (`2026-11-22T23:44:35Z`, with or without fractions or an offset), read with the SDK's
//! own parser; the environment contract exports them as RFC 3339 in UTC and as unix seconds.

use std::time::{SystemTime, UNIX_EPOCH};

/// The system's clock (commands ask [`crate::config::Config::now`], which tests can pin).
pub fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { yoe + era * 400 + 1 } else { yoe + era * 400 }, m, d)
}

/// `2026-11-22T23:44:35Z`
pub fn format_rfc3339(secs: i64) -> String {
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", s / 3600, s / 60 % 60, s % 60)
}

/// Parse `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)` to unix seconds (fractions dropped), with the
/// SDK's own RFC 3339 parser (aws-smithy-types: every field checked, February 31 refused).
/// Three leniencies of what credential_process scripts write (`date +%FT%T%z`) are taken first:
/// a space for the `T`, an offset without its colon (`-0500`), and no offset at all (UTC).
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    use aws_smithy_types::date_time::{DateTime, Format};
    let mut owned = text.trim().to_owned();
    if owned.len() > 10 && owned.as_bytes()[10] == b' ' {
        owned.replace_range(10..11, "T");
    }
    let time = owned.get(11..).unwrap_or("");
    let offset_at = time.rfind(['+', '-']).map(|i| i + 11);
    match offset_at {
        // `±HHMM`: the colon RFC 3339 wants.
        Some(at) if owned.len() == at + 5 && owned[at + 1..].bytes().all(|b| b.is_ascii_digit()) => {
            owned.insert(at + 3, ':');
        }
        None if !time.ends_with(['Z', 'z']) && owned.len() >= 19 => owned.push('Z'),
        _ => {}
    }
    DateTime::from_str(&owned, Format::DateTimeWithOffset).ok().map(|t| t.secs())
}

/// The local wall-clock time of `secs` as `HH:MM` (the system's time zone: `TZ`, else
/// /etc/localtime, through the C library).
pub fn local_hm(secs: i64) -> String {
    let t = secs as libc::time_t;
    // SAFETY: localtime_r writes only into the struct given; a zeroed tm is a valid start.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    if unsafe { libc::localtime_r(&t, &mut tm) }.is_null() {
        let s = secs.rem_euclid(86_400);
        return format!("{:02}:{:02} UTC", s / 3600, s / 60 % 60);
    }
    format!("{:02}:{:02}", tm.tm_hour, tm.tm_min)
}

/// `1h`, `90m`, `3600`, `3600s`, `1h30m` -> seconds.
pub fn parse_duration(text: &str) -> Option<u64> {
    let text = text.trim();
    if let Ok(secs) = text.parse::<u64>() {
        return Some(secs);
    }
    let mut total = 0u64;
    let mut number = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c {
            'h' => 3600,
            'm' => 60,
            's' => 1,
            _ => return None,
        };
        total = total.checked_add(number.parse::<u64>().ok()?.checked_mul(unit)?)?;
        number.clear();
    }
    if !number.is_empty() {
        return None;
    }
    (total > 0).then_some(total)
}

/// A length of time for messages: `45 s`, `2m`, `1h30m`.
pub fn human_duration(secs: u64) -> String {
    match secs {
        0..60 => format!("{secs} s"),
        60..3600 if secs.is_multiple_of(60) => format!("{}m", secs / 60),
        60..3600 => format!("{}m{:02}s", secs / 60, secs % 60),
        _ => format!("{}h{:02}m", secs / 3600, secs / 60 % 60),
    }
}

/// Minutes left, rounded down, for humans: `42m`, `3h05m`, `<1m` in the last minute, `expired`.
pub fn human_left(secs: i64) -> String {
    if secs <= 0 {
        return "expired".into();
    }
    let minutes = secs / 60;
    match minutes {
        0 => "<1m".into(),
        1..60 => format!("{minutes}m"),
        _ => format!("{}h{:02}m", minutes / 60, minutes % 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        for secs in [0, 1_651_516_560, 1_628_193_482, 1_795_392_275, 4_102_444_800, 951_782_400] {
            assert_eq!(parse_rfc3339(&format_rfc3339(secs)), Some(secs), "{secs}");
        }
        assert_eq!(format_rfc3339(1_651_516_560), "2022-05-02T18:36:00Z");
    }

    #[test]
    fn dates_that_do_not_exist_are_refused() {
        for bad in ["2026-02-31T00:00:00Z", "2026-04-31T00:00:00Z", "2025-02-29T00:00:00Z", "2026-01-01T24:00:00Z"] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
        assert_eq!(parse_rfc3339("2024-02-29T00:00:00Z"), Some(1_709_164_800), "a leap day");
    }

    #[test]
    fn offsets_and_fractions() {
        assert_eq!(parse_rfc3339("2022-05-02T18:36:00+00:00"), Some(1_651_516_560));
        assert_eq!(parse_rfc3339("2022-05-02T20:36:00.123+02:00"), Some(1_651_516_560));
        assert_eq!(parse_rfc3339("2022-05-02T13:36:00-0500"), Some(1_651_516_560));
        assert_eq!(parse_rfc3339("2022-05-02 18:36:00"), Some(1_651_516_560));
        for bad in ["", "2022-05-02", "2022-13-02T18:36:00Z", "2022-05-02T18:36:00Q", "2022-05-02T18:36:00."] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("3600"), Some(3600));
        assert_eq!(parse_duration("1h"), Some(3600));
        assert_eq!(parse_duration("1h30m"), Some(5400));
        assert_eq!(parse_duration("90m"), Some(5400));
        assert_eq!(parse_duration("12h"), Some(43_200));
        for bad in ["", "h", "1x", "1h3", "-1"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
        assert_eq!(human_left(42 * 60 + 5), "42m");
        assert_eq!(human_left(3 * 3600 + 5 * 60), "3h05m");
        assert_eq!(human_left(-1), "expired");
        assert_eq!(human_left(59), "<1m", "the last minute is not 0m");
    }
}
