//! XEP-0082 date-times in UTC milliseconds, without a calendar crate.
//!
//! The message object carries `time` as an ISO 8601 string shaped like JavaScript's
//! `Date.prototype.toISOString()` (`2024-03-01T09:05:07.123Z`), and delay stamps (XEP-0203) arrive
//! as XEP-0082 `DateTime` (`CCYY-MM-DDThh:mm:ss[.sss]TZD`) or, from old servers, the legacy
//! XEP-0091 form `CCYYMMDDThh:mm:ss`. Dates before 1970 are out of scope: stamps are recent.

/// Milliseconds in a day.
const DAY_MS: u64 = 86_400_000;

/// Formats `ms` since the Unix epoch as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
pub fn format_iso(ms: u64) -> String {
    let days = ms / DAY_MS;
    let rem = ms % DAY_MS;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000
    )
}

/// Parses an XEP-0082 `DateTime` or a legacy XEP-0091 stamp into ms since the Unix epoch (UTC).
/// Fractions beyond milliseconds are truncated. `None` for anything else, including dates before
/// 1970 and out-of-range fields.
pub fn parse_iso(s: &str) -> Option<u64> {
    let s = s.trim();
    let (date, time) = s.split_once(['T', 't'])?;
    let (y, mo, d) = match date.len() {
        10 if date.as_bytes().get(4) == Some(&b'-') && date.as_bytes().get(7) == Some(&b'-') => {
            (digits(date.get(0..4)?)?, digits(date.get(5..7)?)?, digits(date.get(8..10)?)?)
        }
        8 => (digits(date.get(0..4)?)?, digits(date.get(4..6)?)?, digits(date.get(6..8)?)?),
        _ => return None,
    };
    let (clock, offset_ms) = split_zone(time)?;
    let (hms, frac) = match clock.split_once('.') {
        Some((hms, frac)) => (hms, Some(frac)),
        None => (clock, None),
    };
    let bytes = hms.as_bytes();
    if hms.len() != 8 || bytes.get(2) != Some(&b':') || bytes.get(5) != Some(&b':') {
        return None;
    }
    let (h, mi, sec) = (digits(hms.get(0..2)?)?, digits(hms.get(3..5)?)?, digits(hms.get(6..8)?)?);
    let millis = match frac {
        None => 0,
        Some(f) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => {
            // Pad or truncate to three digits: ".5" is 500 ms, ".123456" is 123 ms.
            let mut ms = 0;
            for i in 0..3 {
                ms = ms * 10 + f.as_bytes().get(i).map_or(0, |b| u64::from(b - b'0'));
            }
            ms
        }
        Some(_) => return None,
    };
    // A leap second (60) is accepted and folds into the next minute.
    if y < 1970 || !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let local = days_from_civil(y, mo, d) * DAY_MS + h * 3_600_000 + mi * 60_000 + sec * 1000 + millis;
    // `local` is below 2^49 (the year is at most 9999), so the signed arithmetic cannot overflow.
    u64::try_from(local as i64 - offset_ms).ok()
}

/// Splits `hh:mm:ss[.sss]TZD` into the clock and the zone offset in ms (east positive). The
/// legacy form has no zone and is UTC.
fn split_zone(time: &str) -> Option<(&str, i64)> {
    if let Some(clock) = time.strip_suffix(['Z', 'z']) {
        return Some((clock, 0));
    }
    match time.rfind(['+', '-']) {
        Some(at) => {
            let (clock, zone) = time.split_at(at);
            let sign = if zone.starts_with('-') { -1 } else { 1 };
            let zone = zone.get(1..)?;
            let (zh, zm) = zone.split_once(':')?;
            if zh.len() != 2 || zm.len() != 2 {
                return None;
            }
            let (zh, zm) = (digits(zh)?, digits(zm)?);
            if zh > 23 || zm > 59 {
                return None;
            }
            Some((clock, sign * (zh * 3_600_000 + zm * 60_000) as i64))
        }
        None => Some((time, 0)),
    }
}

/// A run of ASCII digits as a number (no sign, no spaces).
fn digits(s: &str) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    // At most four digits reach here (slices of fixed width), so the value cannot overflow.
    s.bytes().try_fold(0, |n, b| b.is_ascii_digit().then(|| n * 10 + u64::from(b - b'0')))
}

fn is_leap(y: u64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: u64, m: u64) -> u64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date on or after it (Hinnant's algorithm,
/// restricted to non-negative eras).
fn days_from_civil(y: u64, m: u64, d: u64) -> u64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01 (inverse of [`days_from_civil`]).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + u64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_to_iso_string() {
        assert_eq!(format_iso(0), "1970-01-01T00:00:00.000Z");
        // new Date(1709283907123).toISOString()
        assert_eq!(format_iso(1_709_283_907_123), "2024-03-01T09:05:07.123Z");
        assert_eq!(format_iso(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(format_iso(4_102_444_799_999), "2099-12-31T23:59:59.999Z");
    }

    #[test]
    fn parses_xep_0082_and_legacy_stamps() {
        // XEP-0203 example 1.
        assert_eq!(parse_iso("2002-09-10T23:08:25Z"), Some(1_031_699_305_000));
        assert_eq!(parse_iso("2002-09-10T23:08:25.5Z"), Some(1_031_699_305_500));
        assert_eq!(parse_iso("2002-09-10T23:08:25.123456Z"), Some(1_031_699_305_123));
        // XEP-0082 example with an offset: 16:08 at -07:00 is 23:08 UTC.
        assert_eq!(parse_iso("2002-09-10T16:08:25-07:00"), Some(1_031_699_305_000));
        assert_eq!(parse_iso("2002-09-11T04:38:25+05:30"), Some(1_031_699_305_000));
        // XEP-0091 legacy form.
        assert_eq!(parse_iso("20020910T23:08:25"), Some(1_031_699_305_000));
    }

    #[test]
    fn round_trips_over_many_days() {
        for ms in (0..4_102_444_800_000u64).step_by(86_400_000 * 37 + 3_723_456) {
            assert_eq!(parse_iso(&format_iso(ms)), Some(ms), "{}", format_iso(ms));
        }
    }

    #[test]
    fn refuses_garbage() {
        for bad in [
            "",
            "yesterday",
            "2002-09-10",
            "2002-13-10T23:08:25Z",
            "2002-02-30T23:08:25Z",
            "2001-02-29T00:00:00Z",
            "2002-09-10T24:00:00Z",
            "2002-09-10T23:08Z",
            "2002-09-10T23:08:25.Z",
            "2002-09-10T23:08:25+5:30",
            "1969-12-31T23:59:59Z",
            "+002-09-10T23:08:25Z",
            "2002-09-10T23:0８:25Z",
            "1970-01-01T00:00:00+01:00",
        ] {
            assert_eq!(parse_iso(bad), None, "{bad:?}");
        }
    }
}
