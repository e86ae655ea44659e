//! Reading condition values as their operator's type.
//!
//! The same readers serve policy values (checked when a policy is parsed) and request values
//! (read per request; an unreadable one does not match).

use std::net::IpAddr;

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use ipnet::IpNet;
use rust_decimal::Decimal;

/// A number: an integer or a decimal (`100`, `-2.5`, `1e3`), compared exactly.
pub fn number(text: &str) -> Option<Decimal> {
    let t = text.trim();
    t.parse::<Decimal>()
        .ok()
        .or_else(|| Decimal::from_scientific(t).ok())
}

/// A date as nanoseconds since the Unix epoch. Accepts epoch seconds (`1780000000`, with an
/// optional fraction) and the ISO 8601 forms IAM documents: `2027-01-01T00:00:00Z`, with an
/// offset or fractional seconds, without seconds, without a zone (UTC), or a bare date.
pub fn date(text: &str) -> Option<i128> {
    let t = text.trim();
    if !t.is_empty()
        && t.bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
        && !t[1..].contains('-')
    {
        let secs = number(t)?;
        let nanos = secs.checked_mul(Decimal::from(1_000_000_000))?;
        return nanos.trunc().to_string().parse().ok();
    }
    // `2026-06-01T12:00:00Z`, the form AWS sends `aws:CurrentTime` in, without the general
    // parser (a tenth of its cost, and read on every date condition).
    if let Some(secs) = crate::time::fixed_utc(t) {
        return Some(i128::from(secs) * 1_000_000_000);
    }
    let utc = |n: NaiveDateTime| Some(i128::from(n.and_utc().timestamp_nanos_opt()?));
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Some(i128::from(d.timestamp_nanos_opt()?));
    }
    for f in ["%Y-%m-%dT%H:%M%:z", "%Y-%m-%dT%H:%M%#z"] {
        if let Ok(d) = DateTime::parse_from_str(t, f) {
            return Some(i128::from(d.timestamp_nanos_opt()?));
        }
    }
    let no_z = t.strip_suffix('Z').unwrap_or(t);
    for f in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(n) = NaiveDateTime::parse_from_str(no_z, f) {
            return utc(n);
        }
    }
    NaiveDate::parse_from_str(no_z, "%Y-%m-%d")
        .ok()
        .and_then(|d| utc(d.and_hms_opt(0, 0, 0)?))
}

/// `true` or `false`, any case.
pub fn boolean(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// Base64 (standard alphabet) bytes.
pub fn binary(text: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .ok()
}

/// A CIDR block; a bare address is a /32 or /128.
pub fn ip_net(text: &str) -> Option<IpNet> {
    let t = text.trim();
    // A request's address is most often bare: read as an address first, without the
    // CIDR reader's failed attempt (either order reads the same).
    if !t.contains('/') {
        if let Ok(a) = t.parse::<IpAddr>() {
            return Some(IpNet::from(a));
        }
    }
    t.parse::<IpNet>()
        .ok()
        .or_else(|| t.parse::<IpAddr>().ok().map(IpNet::from))
}

/// A request's address (a CIDR is read as its first address).
pub fn ip_addr(text: &str) -> Option<IpAddr> {
    let t = text.trim();
    t.parse::<IpAddr>()
        .ok()
        .or_else(|| t.parse::<IpNet>().ok().map(|n| n.addr()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_every_documented_form() {
        let base = date("2027-01-01T00:00:00Z").unwrap();
        assert_eq!(date("2027-01-01").unwrap(), base);
        assert_eq!(date("2027-01-01T00:00Z").unwrap(), base);
        assert_eq!(date("2027-01-01T01:00:00+01:00").unwrap(), base);
        assert_eq!(date("1798761600").unwrap(), base);
        assert!(date("2027-01-01T00:00:00.5Z").unwrap() > base);
        assert!(date("soon").is_none());
    }

    /// The short reader of the plain UTC form agrees with the RFC 3339 parser, and leaves
    /// every other form (and every date it cannot be sure of) to it.
    #[test]
    fn the_plain_utc_form_reads_as_the_rfc3339_parser_reads_it() {
        let general = |t: &str| {
            DateTime::parse_from_rfc3339(t)
                .ok()
                .and_then(|d| d.timestamp_nanos_opt())
                .map(i128::from)
        };
        for t in [
            "2026-06-01T12:00:00Z",
            "1970-01-01T00:00:00Z",
            "2024-02-29T23:59:59Z",
            "2000-12-31T00:00:01Z",
            "1969-07-20T20:17:40Z",
            "2262-04-11T23:47:16Z",
        ] {
            assert!(crate::time::fixed_utc(t).is_some(), "{t}");
            assert_eq!(date(t), general(t), "{t}");
        }
        for t in [
            "2023-02-29T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-06-01T24:00:00Z",
            "2016-12-31T23:59:60Z",
            "2026-06-01T12:00:00+00:00",
            "2026-06-01T12:00:0xZ",
            "+026-06-01T12:00:00Z",
        ] {
            assert!(crate::time::fixed_utc(t).is_none(), "{t}");
        }
        assert_eq!(
            date("2016-12-31T23:59:60Z"),
            general("2016-12-31T23:59:60Z")
        );
        assert_eq!(date("2023-02-29T00:00:00Z"), None);
    }

    #[test]
    fn numbers_compare_exactly() {
        assert_eq!(number("1.10"), number("1.1"));
        assert!(number("0.1").unwrap() + number("0.2").unwrap() == number("0.3").unwrap());
        assert!(number("big").is_none());
        assert_eq!(number("1e3"), number("1000"));
    }

    #[test]
    fn addresses() {
        assert!(ip_net("203.0.113.0/24")
            .unwrap()
            .contains(&ip_addr("203.0.113.9").unwrap()));
        assert_eq!(ip_net("2001:db8::1").unwrap().prefix_len(), 128);
        assert!(ip_net("300.1.1.1").is_none());
    }

    #[test]
    fn a_bare_address_reads_as_the_cidr_reader_then_the_address_reader_read_it() {
        let before = |text: &str| {
            let t = text.trim();
            t.parse::<IpNet>()
                .ok()
                .or_else(|| t.parse::<IpAddr>().ok().map(IpNet::from))
        };
        for text in [
            "203.0.113.7",
            " 203.0.113.7 ",
            "203.0.113.0/24",
            "203.0.113.7/32",
            "2001:db8::1",
            "2001:db8::/32",
            "::ffff:203.0.113.7",
            "300.1.1.1",
            "203.0.113",
            "203.0.113.7/33",
            "",
            "/",
            "x",
        ] {
            assert_eq!(ip_net(text), before(text), "{text:?}");
        }
        assert_eq!(ip_net("203.0.113.7").map(|n| n.prefix_len()), Some(32));
    }
}
