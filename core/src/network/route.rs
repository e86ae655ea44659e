//! Route lookup: the longest prefix wins.
//!
//! A subnet uses its associated route table, else its VPC's main table
//! ([`NetworkModel::route_table_of`](super::NetworkModel::route_table_of)). Within the table the
//! route whose destination contains the address with the longest prefix decides; when a CIDR
//! route and a prefix-list route have the same length, the CIDR route wins, as AWS documents.
//! Whether the chosen route is usable (blackhole, a target polcheck does not model) is for the
//! evaluator to judge.

use super::model::{Route, RouteTable};
use super::packet::Peer;

/// The route of `table` that `dest` takes, if any.
pub fn lookup<'m>(table: &'m RouteTable, dest: &Peer) -> Option<&'m Route> {
    table
        .routes
        .iter()
        .filter(|r| dest.in_net(&r.destination))
        .max_by_key(|r| (r.destination.prefix_len(), r.prefix_list.is_none()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::model::RouteTarget;

    fn route(dest: &str, target: RouteTarget) -> Route {
        Route {
            destination: dest.parse().unwrap(),
            prefix_list: None,
            target,
            blackhole: false,
        }
    }

    fn table() -> RouteTable {
        RouteTable {
            id: "rtb-1".into(),
            vpc_id: "vpc-1".into(),
            main: true,
            subnet_ids: vec![],
            routes: vec![
                route("0.0.0.0/0", RouteTarget::InternetGateway("igw-1".into())),
                route("10.0.0.0/16", RouteTarget::Local),
                route(
                    "192.168.0.0/16",
                    RouteTarget::Other {
                        kind: "VpcPeeringConnectionId".into(),
                        id: "pcx-1".into(),
                    },
                ),
                route(
                    "192.168.7.0/24",
                    RouteTarget::InternetGateway("igw-1".into()),
                ),
                route(
                    "::/0",
                    RouteTarget::EgressOnlyInternetGateway("eigw-1".into()),
                ),
            ],
        }
    }

    fn at(a: &str) -> Peer {
        Peer::Addr(a.parse().unwrap())
    }

    #[test]
    fn longest_prefix_wins() {
        let t = table();
        assert_eq!(
            lookup(&t, &at("10.0.3.4")).unwrap().target,
            RouteTarget::Local
        );
        assert_eq!(
            lookup(&t, &at("192.168.1.1")).unwrap().target.to_string(),
            "pcx-1"
        );
        assert_eq!(
            lookup(&t, &at("192.168.7.1")).unwrap().target.to_string(),
            "igw-1"
        );
        assert_eq!(
            lookup(&t, &at("8.8.8.8")).unwrap().target.to_string(),
            "igw-1"
        );
        assert_eq!(
            lookup(&t, &Peer::Internet { v6: false })
                .unwrap()
                .target
                .to_string(),
            "igw-1"
        );
    }

    #[test]
    fn families_do_not_mix() {
        let mut t = table();
        assert_eq!(
            lookup(&t, &at("2001:db8::1")).unwrap().target.to_string(),
            "eigw-1"
        );
        t.routes.pop();
        assert!(lookup(&t, &at("2001:db8::1")).is_none());
        assert!(lookup(&t, &Peer::Internet { v6: true }).is_none());
    }
}
