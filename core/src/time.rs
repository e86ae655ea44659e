//! The one time form AWS writes everywhere, `2026-11-02T10:00:00Z`, read to seconds since
//! the epoch without a general date parser.
//!
//! CloudTrail writes `eventTime` and `creationDate` in it (every event carries one or two),
//! and requests carry `aws:CurrentTime` in it (read by every date condition). [`fixed_utc`]
//! reads exactly that form with a few comparisons; anything else (offsets, fractions, the
//! compact `20131102T010628Z`, leap seconds) is `None` and left to chrono by its callers
//! ([`crate::cloudtrail::caller::epoch_of`], [`crate::condition::values::date`]). A test
//! compares it with chrono over every month, day and boundary value, valid or not.

/// Seconds since the epoch of `YYYY-MM-DDTHH:MM:SSZ` (UTC, seconds 00-59, a real calendar
/// day), or `None` for any other text.
pub(crate) fn fixed_utc(text: &str) -> Option<i64> {
    let b: &[u8; 20] = text.as_bytes().try_into().ok()?;
    let [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1, b'T' | b't', h0, h1, b':', n0, n1, b':', s0, s1, b'Z' | b'z'] =
        *b
    else {
        return None;
    };
    let d = |c: u8| c.is_ascii_digit().then(|| i64::from(c - b'0'));
    let year = d(y0)? * 1000 + d(y1)? * 100 + d(y2)? * 10 + d(y3)?;
    let month = d(m0)? * 10 + d(m1)?;
    let day = d(d0)? * 10 + d(d1)?;
    let (hour, minute, second) = (
        d(h0)? * 10 + d(h1)?,
        d(n0)? * 10 + d(n1)?,
        d(s0)? * 10 + d(s1)?,
    );
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + hour * 3_600 + minute * 60 + second)
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the given day of the proleptic Gregorian calendar (the
/// era-based count: 400-year eras of 146,097 days, March-based years).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chrono_epoch(text: &str) -> Option<i64> {
        chrono::DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|t| t.timestamp())
    }

    #[test]
    fn the_fixed_form_reads_as_chrono_reads_it() {
        let mut checked = 0;
        for year in [
            0, 1, 1600, 1900, 1969, 1970, 1999, 2000, 2024, 2026, 2100, 2400, 9999,
        ] {
            for month in 0..=13 {
                for day in [0, 1, 15, 28, 29, 30, 31, 32] {
                    for (h, m, s) in [(0, 0, 0), (23, 59, 59), (24, 0, 0), (12, 60, 0), (1, 2, 60)]
                    {
                        let text = format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}Z");
                        let mine = fixed_utc(&text);
                        // Chrono reads a leap second (:60) as :59 plus a second of
                        // nanoseconds; the fixed reader declines it, and `epoch_of` then
                        // asks chrono.
                        if s == 60 {
                            assert_eq!(mine, None, "{text}");
                            continue;
                        }
                        assert_eq!(mine, chrono_epoch(&text), "{text}");
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 4_000, "{checked}");
    }

    #[test]
    fn other_forms_are_left_to_chrono() {
        for text in [
            "2026-11-02T10:00:00+00:00",
            "2026-11-02T10:00:00.123Z",
            "20131102T010628Z",
            "2026-11-02 10:00:00Z",
            "2026-1a-02T10:00:00Z",
            "+026-11-02T10:00:00Z",
            "",
            "2026-11-02T10:00:00Z ",
        ] {
            assert_eq!(fixed_utc(text), None, "{text}");
        }
        assert_eq!(
            fixed_utc("2026-11-02t10:00:00z"),
            chrono_epoch("2026-11-02t10:00:00z")
        );
        assert_eq!(fixed_utc("2026-11-02T10:00:00Z"), Some(1_793_613_600));
    }
}
