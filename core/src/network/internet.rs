//! "The internet": every public address, split into the ranges the rules tell apart.
//!
//! A flow from (or to) `internet` asks about every public address at once: the addresses
//! outside the ranges IANA reserves as not globally reachable (RFC 6890: private, shared,
//! loopback, link-local, documentation, benchmarking, multicast, reserved; for IPv6 everything
//! outside `2000::/3`, and `2001:db8::/32`). A rule need not name `0.0.0.0/0` to open a port
//! to the internet: `0.0.0.0/1` and `128.0.0.0/1` together do too.
//!
//! The rules that look at the far address (security group and network ACL CIDRs, prefix-list
//! entries, route destinations) cut the address space into ranges; every address of one range
//! gets the same answer, so one public address of each range (its [`Class::representative`])
//! stands for all of them. The internet passes when every range passes; when only some do,
//! the verdict names them. Flow evaluation and `exposure` both go through these classes, which
//! is what makes their answers agree.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

/// IPv4 blocks that are not public (RFC 6890 and its updates), as (first, last) addresses.
const V4_RESERVED: [(u32, u32); 15] = [
    (0x0000_0000, 0x00FF_FFFF), // 0.0.0.0/8 "this network"
    (0x0A00_0000, 0x0AFF_FFFF), // 10.0.0.0/8 private
    (0x6440_0000, 0x647F_FFFF), // 100.64.0.0/10 shared address space
    (0x7F00_0000, 0x7FFF_FFFF), // 127.0.0.0/8 loopback
    (0xA9FE_0000, 0xA9FE_FFFF), // 169.254.0.0/16 link-local
    (0xAC10_0000, 0xAC1F_FFFF), // 172.16.0.0/12 private
    (0xC000_0000, 0xC000_00FF), // 192.0.0.0/24 IETF protocol assignments
    (0xC000_0200, 0xC000_02FF), // 192.0.2.0/24 documentation (TEST-NET-1)
    (0xC058_6300, 0xC058_63FF), // 192.88.99.0/24 deprecated 6to4 relay
    (0xC0A8_0000, 0xC0A8_FFFF), // 192.168.0.0/16 private
    (0xC612_0000, 0xC613_FFFF), // 198.18.0.0/15 benchmarking
    (0xC633_6400, 0xC633_64FF), // 198.51.100.0/24 documentation (TEST-NET-2)
    (0xCB00_7100, 0xCB00_71FF), // 203.0.113.0/24 documentation (TEST-NET-3)
    (0xE000_0000, 0xEFFF_FFFF), // 224.0.0.0/4 multicast
    (0xF000_0000, 0xFFFF_FFFF), // 240.0.0.0/4 reserved, broadcast
];

/// IPv6 blocks that are not public: everything outside global unicast `2000::/3`, and the
/// documentation prefix `2001:db8::/32`.
const V6_RESERVED: [(u128, u128); 3] = [
    (0, 0x1FFF_FFFF_FFFF_FFFF_FFFF_FFFF_FFFF_FFFF),
    (
        0x2001_0DB8_0000_0000_0000_0000_0000_0000,
        0x2001_0DB8_FFFF_FFFF_FFFF_FFFF_FFFF_FFFF,
    ),
    (0x4000_0000_0000_0000_0000_0000_0000_0000, u128::MAX),
];

/// `true` when `addr` is a public (globally reachable) address.
pub fn is_public(addr: IpAddr) -> bool {
    match addr {
        IpAddr::V4(a) => {
            let x = u32::from(a);
            !V4_RESERVED.iter().any(|&(lo, hi)| (lo..=hi).contains(&x))
        }
        IpAddr::V6(a) => {
            let x = u128::from(a);
            !V6_RESERVED.iter().any(|&(lo, hi)| (lo..=hi).contains(&x))
        }
    }
}

/// One range of addresses every rule treats alike, holding at least one public address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Class {
    /// The first address of the range.
    pub first: IpAddr,
    /// The last address of the range.
    pub last: IpAddr,
    /// A public address of the range, the one evaluated for all of them.
    pub representative: IpAddr,
}

impl Class {
    /// The range as CIDR blocks (public or not: the rules see the whole range alike).
    pub fn cidrs(&self) -> Vec<IpNet> {
        match (self.first, self.last) {
            (IpAddr::V4(a), IpAddr::V4(b)) => {
                ipnet::Ipv4Subnets::new(a, b, 0).map(IpNet::V4).collect()
            }
            (IpAddr::V6(a), IpAddr::V6(b)) => {
                ipnet::Ipv6Subnets::new(a, b, 0).map(IpNet::V6).collect()
            }
            _ => Vec::new(),
        }
    }

    /// The range in words: up to four CIDR blocks, then a count of the rest.
    pub fn describe(&self) -> String {
        let cidrs = self.cidrs();
        let shown: Vec<String> = cidrs.iter().take(4).map(ToString::to_string).collect();
        match cidrs.len() {
            n if n > 4 => format!("{} and {} more blocks", shown.join(", "), n - 4),
            _ => shown.join(", "),
        }
    }
}

impl Class {
    /// The public addresses of the range, as CIDR blocks: the range without the reserved
    /// blocks and without `inside` (the world's own VPC blocks).
    pub fn public_cidrs(&self, inside: &[IpNet]) -> Vec<IpNet> {
        let v6 = self.first.is_ipv6();
        let (lo, hi) = match (self.first, self.last) {
            (IpAddr::V4(a), IpAddr::V4(b)) => (u128::from(u32::from(a)), u128::from(u32::from(b))),
            (IpAddr::V6(a), IpAddr::V6(b)) => (u128::from(a), u128::from(b)),
            _ => return Vec::new(),
        };
        let mut reserved: Vec<(u128, u128)> = if v6 {
            V6_RESERVED.to_vec()
        } else {
            V4_RESERVED
                .iter()
                .map(|&(a, b)| (u128::from(a), u128::from(b)))
                .collect()
        };
        reserved.extend(inside.iter().filter_map(|n| match (n, v6) {
            (IpNet::V4(n), false) => Some((
                u128::from(u32::from(n.network())),
                u128::from(u32::from(n.broadcast())),
            )),
            (IpNet::V6(n), true) => Some((u128::from(n.network()), u128::from(n.broadcast()))),
            _ => None,
        }));
        let mut pieces = Vec::new();
        let mut x = lo;
        for (rlo, rhi) in merge(reserved) {
            if rhi < x {
                continue;
            }
            if rlo > hi {
                break;
            }
            if rlo > x {
                pieces.push((x, rlo - 1));
            }
            match rhi.checked_add(1) {
                Some(next) => x = next,
                None => return cidrs_of(&pieces, v6),
            }
        }
        if x <= hi {
            pieces.push((x, hi));
        }
        cidrs_of(&pieces, v6)
    }

    /// The range in words, by its public addresses: the blocks of [`Class::cidrs`] that hold
    /// any (a block of reserved or VPC addresses only is left out), up to four, then a count.
    /// `128.0.0.0/1` stays `128.0.0.0/1`; the range `0.0.0.0`-`10.19.255.255` cut by a VPC
    /// block `10.20.0.0/16` reads `0.0.0.0/5, 8.0.0.0/7`, not `..., 10.0.0.0/12, 10.16.0.0/14`.
    pub fn describe_public(&self, inside: &[IpNet]) -> String {
        let public = self.public_cidrs(inside);
        let overlaps = |n: &IpNet| {
            public
                .iter()
                .any(|p| p.contains(&n.network()) || n.contains(&p.network()))
        };
        let cidrs: Vec<IpNet> = self.cidrs().into_iter().filter(|n| overlaps(n)).collect();
        let shown: Vec<String> = cidrs.iter().take(4).map(ToString::to_string).collect();
        match cidrs.len() {
            n if n > 4 => format!("{} and {} more blocks", shown.join(", "), n - 4),
            _ => shown.join(", "),
        }
    }
}

/// Address ranges as CIDR blocks.
fn cidrs_of(pieces: &[(u128, u128)], v6: bool) -> Vec<IpNet> {
    let mut out = Vec::new();
    for &(lo, hi) in pieces {
        if v6 {
            out.extend(
                ipnet::Ipv6Subnets::new(Ipv6Addr::from(lo), Ipv6Addr::from(hi), 0).map(IpNet::V6),
            );
        } else if let (Ok(a), Ok(b)) = (u32::try_from(lo), u32::try_from(hi)) {
            out.extend(
                ipnet::Ipv4Subnets::new(Ipv4Addr::from(a), Ipv4Addr::from(b), 0).map(IpNet::V4),
            );
        }
    }
    out
}

/// The ranges of public addresses that `nets` (the CIDRs of every rule on the path, of either
/// family; the other family's are ignored) tell apart, in address order. Addresses in
/// `inside` (the world's own VPC blocks: IPv6 VPC blocks are public addresses, but not the
/// internet) are left out like reserved ones.
pub fn classes(nets: &[IpNet], inside: &[IpNet], v6: bool) -> Vec<Class> {
    let all: Vec<IpNet> = nets.iter().chain(inside).copied().collect();
    let nets = all.as_slice();
    let span = |n: &IpNet| -> Option<(u128, u128)> {
        match (n, v6) {
            (IpNet::V4(n), false) => Some((
                u128::from(u32::from(n.network())),
                u128::from(u32::from(n.broadcast())),
            )),
            (IpNet::V6(n), true) => Some((u128::from(n.network()), u128::from(n.broadcast()))),
            _ => None,
        }
    };
    let mut reserved: Vec<(u128, u128)> = if v6 {
        V6_RESERVED.to_vec()
    } else {
        V4_RESERVED
            .iter()
            .map(|&(lo, hi)| (u128::from(lo), u128::from(hi)))
            .collect()
    };
    reserved.extend(inside.iter().filter_map(span));
    let reserved = merge(reserved);
    if v6 {
        let mut cuts: Vec<u128> = nets
            .iter()
            .filter_map(|n| match n {
                IpNet::V6(n) => Some(n),
                IpNet::V4(_) => None,
            })
            .flat_map(|n: &Ipv6Net| {
                let lo = u128::from(n.network());
                let hi = u128::from(n.broadcast());
                [Some(lo), hi.checked_add(1)]
            })
            .flatten()
            .collect();
        cuts.push(0);
        sweep(cuts, u128::MAX, &reserved, |x| {
            IpAddr::V6(Ipv6Addr::from(x))
        })
    } else {
        let mut cuts: Vec<u128> = nets
            .iter()
            .filter_map(|n| match n {
                IpNet::V4(n) => Some(n),
                IpNet::V6(_) => None,
            })
            .flat_map(|n: &Ipv4Net| {
                let lo = u128::from(u32::from(n.network()));
                let hi = u128::from(u32::from(n.broadcast()));
                [lo, hi + 1]
            })
            .collect();
        cuts.push(0);
        sweep(cuts, u128::from(u32::MAX), &reserved, |x| {
            IpAddr::V4(Ipv4Addr::from(u32::try_from(x).unwrap_or(u32::MAX)))
        })
    }
}

/// Sorts ranges and merges those that overlap or touch.
fn merge(mut ranges: Vec<(u128, u128)>) -> Vec<(u128, u128)> {
    ranges.sort_unstable();
    let mut out: Vec<(u128, u128)> = Vec::with_capacity(ranges.len());
    for (lo, hi) in ranges {
        match out.last_mut() {
            Some(last) if lo <= last.1.saturating_add(1) => last.1 = last.1.max(hi),
            _ => out.push((lo, hi)),
        }
    }
    out
}

/// Cuts `0..=max` at `cuts` and keeps the pieces holding a public address.
fn sweep(
    mut cuts: Vec<u128>,
    max: u128,
    reserved: &[(u128, u128)],
    addr: impl Fn(u128) -> IpAddr,
) -> Vec<Class> {
    cuts.retain(|&c| c <= max);
    cuts.sort_unstable();
    cuts.dedup();
    let mut out = Vec::new();
    let mut starts = cuts.iter().peekable();
    while let Some(&lo) = starts.next() {
        let hi = match starts.peek() {
            Some(&&next) => next - 1,
            None => max,
        };
        if let Some(rep) = first_public(lo, hi, reserved) {
            out.push(Class {
                first: addr(lo),
                last: addr(hi),
                representative: addr(rep),
            });
        }
    }
    out
}

/// The first address of `lo..=hi` outside every reserved block (sorted, disjoint).
fn first_public(lo: u128, hi: u128, reserved: &[(u128, u128)]) -> Option<u128> {
    let mut x = lo;
    for &(rlo, rhi) in reserved {
        if x < rlo {
            break;
        }
        if x <= rhi {
            x = rhi.checked_add(1)?;
        }
    }
    (x <= hi).then_some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|n| n.parse().unwrap()).collect()
    }

    #[test]
    fn public_excludes_rfc6890_blocks() {
        for private in [
            "10.1.2.3",
            "172.20.0.1",
            "192.168.1.1",
            "100.64.0.1",
            "203.0.113.9",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in ["8.8.8.8", "54.210.10.20", "1.1.1.1", "2600:1f18::1"] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
        assert!(!is_public("2001:db8::1".parse().unwrap()));
        assert!(!is_public("fd00::1".parse().unwrap()));
    }

    #[test]
    fn rules_cut_the_internet_into_ranges() {
        // Only /0 rules: the whole internet is one range, represented by 1.0.0.0.
        let one = classes(&nets(&["0.0.0.0/0", "10.0.0.0/16"]), &[], false);
        assert_eq!(one.len(), 2, "{one:?}");
        assert_eq!(one[0].representative.to_string(), "1.0.0.0");
        // Halves: two ranges, each with a public representative.
        let halves = classes(&nets(&["0.0.0.0/1", "128.0.0.0/1"]), &[], false);
        assert_eq!(halves.len(), 2);
        assert!(halves.iter().all(|c| is_public(c.representative)));
        assert_eq!(halves[1].cidrs(), nets(&["128.0.0.0/1"]));
        // A range of reserved addresses only is not part of the internet.
        let private = classes(&nets(&["10.0.0.0/8"]), &[], false);
        assert!(private.iter().all(|c| c.cidrs() != nets(&["10.0.0.0/8"])));
        let v6 = classes(&nets(&["::/0"]), &[], true);
        assert_eq!(v6.len(), 1);
        assert_eq!(v6[0].representative.to_string(), "2000::");
        // The world's own (public) IPv6 blocks are not the internet.
        let vpc = nets(&["2000::/64"]);
        let v6 = classes(&nets(&["::/0"]), &vpc, true);
        assert_eq!(v6.len(), 1);
        assert_eq!(v6[0].representative.to_string(), "2000:0:0:1::");
    }

    #[test]
    fn a_range_is_described_by_its_public_addresses_only() {
        // A VPC block 10.20.0.0/16 cuts the space at 10.20.0.0: the first range,
        // 0.0.0.0-10.19.255.255, holds public addresses only in 1.0.0.0-9.255.255.255.
        let vpc = nets(&["10.20.0.0/16"]);
        let cut = classes(&nets(&["0.0.0.0/0"]), &vpc, false);
        assert_eq!(
            cut[0].cidrs(),
            nets(&["0.0.0.0/5", "8.0.0.0/7", "10.0.0.0/12", "10.16.0.0/14"])
        );
        assert_eq!(
            cut[0].public_cidrs(&vpc),
            nets(&["1.0.0.0/8", "2.0.0.0/7", "4.0.0.0/6", "8.0.0.0/7"])
        );
        assert_eq!(cut[0].describe_public(&vpc), "0.0.0.0/5, 8.0.0.0/7");
        // The top of the space: 224.0.0.0/3 is all reserved.
        let last = cut.last().unwrap();
        assert!(last
            .public_cidrs(&vpc)
            .iter()
            .all(|n| is_public(n.network())));
        assert!(!last
            .public_cidrs(&vpc)
            .iter()
            .any(|n| n.contains(&"240.0.0.1".parse::<IpAddr>().unwrap())));
    }
}
