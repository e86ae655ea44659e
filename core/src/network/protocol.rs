//! IP protocols as AWS writes them, and what a rule's protocol field matches.
//!
//! AWS exports write protocols three ways: names (`tcp`, `udp`, `icmp`, `icmpv6`), IANA numbers
//! as strings (`"6"`, `"17"`, `"1"`, `"58"`), and `"-1"` for "every protocol". polcheck keeps
//! the number, so `"tcp"` and `"6"` are the same protocol everywhere. Only TCP and UDP have
//! ports; ICMP and ICMPv6 have a type and a code instead; every other protocol is matched by its
//! number alone.

use std::fmt;

/// IANA number of ICMP.
pub const ICMP: u8 = 1;
/// IANA number of TCP.
pub const TCP: u8 = 6;
/// IANA number of UDP.
pub const UDP: u8 = 17;
/// IANA number of ICMPv6.
pub const ICMPV6: u8 = 58;

/// A rule's protocol: every protocol, or one by number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Protocol {
    /// `-1`: every protocol.
    All,
    /// One protocol by its IANA number.
    Number(u8),
}

impl Protocol {
    /// Reads `tcp`, `udp`, `icmp`, `icmpv6` (any case), a number from 0 to 255, or `-1`.
    pub fn parse(text: &str) -> Option<Protocol> {
        let t = text.trim();
        match t.to_ascii_lowercase().as_str() {
            "-1" | "all" => Some(Protocol::All),
            "tcp" => Some(Protocol::Number(TCP)),
            "udp" => Some(Protocol::Number(UDP)),
            "icmp" => Some(Protocol::Number(ICMP)),
            "icmpv6" => Some(Protocol::Number(ICMPV6)),
            _ => t.parse::<u8>().ok().map(Protocol::Number),
        }
    }

    /// `true` when this rule protocol covers packets of protocol `number`.
    pub fn covers(self, number: u8) -> bool {
        match self {
            Protocol::All => true,
            Protocol::Number(n) => n == number,
        }
    }
}

/// `true` for the protocols that carry ports (TCP and UDP).
pub fn has_ports(number: u8) -> bool {
    number == TCP || number == UDP
}

/// `true` for ICMP and ICMPv6, which carry a type and a code.
pub fn is_icmp(number: u8) -> bool {
    number == ICMP || number == ICMPV6
}

/// The name polcheck prints for a protocol number.
pub fn name(number: u8) -> String {
    match number {
        TCP => "tcp".into(),
        UDP => "udp".into(),
        ICMP => "icmp".into(),
        ICMPV6 => "icmpv6".into(),
        n => n.to_string(),
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Protocol::All => f.write_str("all"),
            Protocol::Number(n) => f.write_str(&name(*n)),
        }
    }
}

/// An ICMP type and code a rule accepts; `None` means any (AWS writes `-1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct IcmpMatch {
    /// The ICMP type, or any.
    pub icmp_type: Option<u8>,
    /// The ICMP code, or any.
    pub code: Option<u8>,
}

impl IcmpMatch {
    /// Any type, any code.
    pub const ANY: IcmpMatch = IcmpMatch {
        icmp_type: None,
        code: None,
    };

    /// Builds a matcher from AWS's numbers, where `-1` (or any negative number) means any.
    pub fn from_aws(icmp_type: i64, code: i64) -> IcmpMatch {
        IcmpMatch {
            icmp_type: u8::try_from(icmp_type).ok(),
            code: u8::try_from(code).ok(),
        }
    }

    /// `true` when a packet of this type and code matches.
    pub fn matches(self, icmp_type: u8, code: u8) -> bool {
        self.icmp_type.is_none_or(|t| t == icmp_type) && self.code.is_none_or(|c| c == code)
    }
}

impl fmt::Display for IcmpMatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show = |v: Option<u8>| v.map_or("any".to_string(), |n| n.to_string());
        write!(f, "type {} code {}", show(self.icmp_type), show(self.code))
    }
}

/// The ICMP type a reply to `icmp_type` carries, for the request/reply pairs of ICMP and ICMPv6
/// (echo, timestamp, information, address mask); `None` for messages that get no reply.
pub fn icmp_reply_type(protocol: u8, icmp_type: u8) -> Option<u8> {
    match (protocol, icmp_type) {
        (ICMP, 8) => Some(0),
        (ICMP, 13) => Some(14),
        (ICMP, 15) => Some(16),
        (ICMP, 17) => Some(18),
        (ICMPV6, 128) => Some(129),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_numbers_are_the_same_protocol() {
        assert_eq!(Protocol::parse("tcp"), Protocol::parse("6"));
        assert_eq!(Protocol::parse("UDP"), Protocol::parse("17"));
        assert_eq!(Protocol::parse("icmp"), Protocol::parse("1"));
        assert_eq!(Protocol::parse("icmpv6"), Protocol::parse("58"));
        assert_eq!(Protocol::parse("-1"), Some(Protocol::All));
        assert_eq!(Protocol::parse("300"), None);
        assert_eq!(Protocol::parse("ftp"), None);
    }

    #[test]
    fn all_covers_every_protocol() {
        assert!(Protocol::All.covers(47));
        assert!(Protocol::Number(TCP).covers(6));
        assert!(!Protocol::Number(TCP).covers(17));
    }

    #[test]
    fn icmp_minus_one_is_any() {
        assert!(IcmpMatch::from_aws(-1, -1).matches(8, 0));
        assert!(IcmpMatch::from_aws(8, -1).matches(8, 3));
        assert!(!IcmpMatch::from_aws(8, 0).matches(0, 0));
        assert!(!IcmpMatch::from_aws(3, 4).matches(3, 1));
    }

    #[test]
    fn echo_requests_get_echo_replies() {
        assert_eq!(icmp_reply_type(ICMP, 8), Some(0));
        assert_eq!(icmp_reply_type(ICMPV6, 128), Some(129));
        assert_eq!(icmp_reply_type(ICMP, 3), None);
    }
}
