//! One reader per `describe-*` record shape.

use std::collections::HashSet;

use crate::json::{Json, JsonPath};

use super::super::error::{ImportErrorKind, NetworkImportError};
use super::super::model::{
    AclEntry, Instance, NetworkAcl, NetworkInterface, NetworkModel, PrefixList, Route, RouteTable,
    RouteTarget, SecurityGroup, SgPeer, SgRule, Subnet, Vpc,
};
use super::super::protocol::{has_ports, is_icmp, IcmpMatch, Protocol};
use super::reader::{member, Ctx};
use super::{RefKind, Reference};

type R<T> = Result<T, NetworkImportError>;

/// Reads every key but `ManagedPrefixLists` of one document.
pub(super) fn read_all(
    ctx: &mut Ctx<'_>,
    model: &mut NetworkModel,
    refs: &mut Vec<Reference>,
    seen: &mut HashSet<String>,
) -> R<()> {
    let doc = ctx.doc;
    let root = &doc.root;
    let base = JsonPath::root();
    for (path, v) in ctx.array(root, &base, "Vpcs")? {
        if let Some(vpc) = vpc(ctx, &path, v, seen)? {
            model.vpcs.push(vpc);
        }
    }
    for (path, v) in ctx.array(root, &base, "Subnets")? {
        if let Some(s) = subnet(ctx, &path, v, refs, seen)? {
            model.subnets.push(s);
        }
    }
    for (path, v) in ctx.array(root, &base, "InternetGateways")? {
        ctx.object(&path, v)?;
        let id = ctx.req_str(v, &path, "InternetGatewayId")?.to_string();
        let mut vpcs = Vec::new();
        for (p, a) in ctx.array(v, &path, "Attachments")? {
            ctx.object(&p, a)?;
            let state = ctx.opt_str(a, &p, "State")?;
            if matches!(state, Some("detached" | "detaching")) {
                continue;
            }
            if let Some(vpc) = ctx.opt_str(a, &p, "VpcId")? {
                vpcs.push(vpc.to_string());
            }
        }
        model.internet_gateways.entry(id).or_default().extend(vpcs);
    }
    for (path, v) in ctx.array(root, &base, "RouteTables")? {
        if let Some(t) = route_table(ctx, model, &path, v, refs, seen)? {
            model.route_tables.push(t);
        }
    }
    for (path, v) in ctx.array(root, &base, "NetworkAcls")? {
        if let Some(a) = network_acl(ctx, &path, v, refs, seen)? {
            model.acls.push(a);
        }
    }
    for (path, v) in ctx.array(root, &base, "SecurityGroups")? {
        if let Some(g) = security_group(ctx, &path, v, refs, seen)? {
            model.security_groups.push(g);
        }
    }
    for (path, r) in ctx.array(root, &base, "Reservations")? {
        ctx.object(&path, r)?;
        for (p, i) in ctx.array(r, &path, "Instances")? {
            instance(ctx, model, &p, i, refs, seen)?;
        }
    }
    for (path, v) in ctx.array(root, &base, "NetworkInterfaces")? {
        ctx.object(&path, v)?;
        let id = ctx.req_str(v, &path, "NetworkInterfaceId")?;
        if seen.contains(id) {
            continue; // already read as part of its instance
        }
        let eni = interface(ctx, &path, v, None, refs)?;
        if remember(ctx, seen, &path, v, &eni.id) {
            model.interfaces.push(eni);
        }
    }
    Ok(())
}

/// Marks `id` as read; warns and returns `false` when another record already had it.
fn remember(
    ctx: &mut Ctx<'_>,
    seen: &mut HashSet<String>,
    path: &JsonPath,
    v: &Json,
    id: &str,
) -> bool {
    if seen.insert(id.to_string()) {
        return true;
    }
    ctx.warn(
        path,
        v,
        "DUPLICATE_ID",
        format!("`{id}` is defined more than once: the first definition is kept"),
    );
    false
}

/// A reference held by member `key` of `obj`, positioned at the member's value.
fn reference(
    ctx: &Ctx<'_>,
    what: RefKind,
    id: &str,
    path: &JsonPath,
    obj: &Json,
    key: &str,
) -> Reference {
    let node = member(obj, key).unwrap_or(obj);
    Reference {
        what,
        id: id.to_string(),
        file: ctx.file.to_string(),
        path: path.key(key),
        position: ctx.doc.position(node.span.start),
    }
}

/// `true` unless a `...State.State` member says the association is gone.
fn associated(ctx: &Ctx<'_>, v: &Json, path: &JsonPath, state_key: &str) -> R<bool> {
    let Some(state) = member(v, state_key) else {
        return Ok(true);
    };
    let s = ctx.opt_str(state, &path.key(state_key), "State")?;
    Ok(!matches!(
        s,
        Some("disassociated" | "disassociating" | "failed" | "failing")
    ))
}

/// Reads `ManagedPrefixLists` of one document.
pub(super) fn prefix_lists(
    ctx: &mut Ctx<'_>,
    model: &mut NetworkModel,
    seen: &mut HashSet<String>,
) -> R<()> {
    let doc = ctx.doc;
    for (path, v) in ctx.array(&doc.root, &JsonPath::root(), "ManagedPrefixLists")? {
        ctx.object(&path, v)?;
        let id = ctx.req_str(v, &path, "PrefixListId")?.to_string();
        let name = ctx.opt_str(v, &path, "PrefixListName")?.map(str::to_string);
        let mut cidrs = Vec::new();
        for (p, e) in ctx.array(v, &path, "Entries")? {
            ctx.object(&p, e)?;
            if let Some(c) = ctx.opt_cidr_any(e, &p, "Cidr")? {
                cidrs.push(c);
            }
        }
        if remember(ctx, seen, &path, v, &id) {
            model.prefix_lists.push(PrefixList { id, name, cidrs });
        }
    }
    Ok(())
}

fn vpc(ctx: &mut Ctx<'_>, path: &JsonPath, v: &Json, seen: &mut HashSet<String>) -> R<Option<Vpc>> {
    ctx.object(path, v)?;
    let id = ctx.req_str(v, path, "VpcId")?.to_string();
    let mut cidrs = Vec::new();
    if let Some(c) = ctx.opt_cidr_v4(v, path, "CidrBlock")? {
        cidrs.push(c);
    }
    for (p, a) in ctx.array(v, path, "CidrBlockAssociationSet")? {
        ctx.object(&p, a)?;
        if associated(ctx, a, &p, "CidrBlockState")? {
            if let Some(c) = ctx.opt_cidr_v4(a, &p, "CidrBlock")? {
                if !cidrs.contains(&c) {
                    cidrs.push(c);
                }
            }
        }
    }
    for (p, a) in ctx.array(v, path, "Ipv6CidrBlockAssociationSet")? {
        ctx.object(&p, a)?;
        if associated(ctx, a, &p, "Ipv6CidrBlockState")? {
            if let Some(c) = ctx.opt_cidr_v6(a, &p, "Ipv6CidrBlock")? {
                cidrs.push(c);
            }
        }
    }
    let is_default = ctx.opt_bool(v, path, "IsDefault")?.unwrap_or(false);
    Ok(remember(ctx, seen, path, v, &id).then_some(Vpc {
        id,
        cidrs,
        is_default,
    }))
}

fn subnet(
    ctx: &mut Ctx<'_>,
    path: &JsonPath,
    v: &Json,
    refs: &mut Vec<Reference>,
    seen: &mut HashSet<String>,
) -> R<Option<Subnet>> {
    ctx.object(path, v)?;
    let id = ctx.req_str(v, path, "SubnetId")?.to_string();
    let vpc_id = ctx.req_str(v, path, "VpcId")?.to_string();
    refs.push(reference(ctx, RefKind::Vpc, &vpc_id, path, v, "VpcId"));
    let mut cidrs = Vec::new();
    if let Some(c) = ctx.opt_cidr_v4(v, path, "CidrBlock")? {
        if !(16..=28).contains(&c.prefix_len()) {
            let node = member(v, "CidrBlock").unwrap_or(v);
            ctx.warn(
                &path.key("CidrBlock"),
                node,
                "SUBNET_SIZE",
                format!("subnet block `{c}` is outside the /16 to /28 that aws allows"),
            );
        }
        cidrs.push(c);
    }
    for (p, a) in ctx.array(v, path, "Ipv6CidrBlockAssociationSet")? {
        ctx.object(&p, a)?;
        if associated(ctx, a, &p, "Ipv6CidrBlockState")? {
            if let Some(c) = ctx.opt_cidr_v6(a, &p, "Ipv6CidrBlock")? {
                cidrs.push(c);
            }
        }
    }
    let availability_zone = ctx
        .opt_str(v, path, "AvailabilityZone")?
        .map(str::to_string);
    Ok(remember(ctx, seen, path, v, &id).then_some(Subnet {
        id,
        vpc_id,
        cidrs,
        availability_zone,
    }))
}

/// The target fields of a route, in the order AWS prints them; `GatewayId` is read apart.
const OTHER_TARGETS: [&str; 9] = [
    "NatGatewayId",
    "TransitGatewayId",
    "VpcPeeringConnectionId",
    "NetworkInterfaceId",
    "InstanceId",
    "CarrierGatewayId",
    "LocalGatewayId",
    "CoreNetworkArn",
    "OdbNetworkArn",
];

fn route_target(ctx: &Ctx<'_>, r: &Json, p: &JsonPath) -> R<Option<RouteTarget>> {
    if let Some(g) = ctx.opt_str(r, p, "GatewayId")? {
        return Ok(Some(match g {
            "local" => RouteTarget::Local,
            g if g.starts_with("igw-") => RouteTarget::InternetGateway(g.to_string()),
            g => RouteTarget::Other {
                kind: "GatewayId".into(),
                id: g.to_string(),
            },
        }));
    }
    if let Some(e) = ctx.opt_str(r, p, "EgressOnlyInternetGatewayId")? {
        return Ok(Some(RouteTarget::EgressOnlyInternetGateway(e.to_string())));
    }
    for key in OTHER_TARGETS {
        if let Some(id) = ctx.opt_str(r, p, key)? {
            return Ok(Some(RouteTarget::Other {
                kind: key.into(),
                id: id.to_string(),
            }));
        }
    }
    Ok(None)
}

fn route_table(
    ctx: &mut Ctx<'_>,
    model: &NetworkModel,
    path: &JsonPath,
    v: &Json,
    refs: &mut Vec<Reference>,
    seen: &mut HashSet<String>,
) -> R<Option<RouteTable>> {
    ctx.object(path, v)?;
    let id = ctx.req_str(v, path, "RouteTableId")?.to_string();
    let vpc_id = ctx.req_str(v, path, "VpcId")?.to_string();
    refs.push(reference(ctx, RefKind::Vpc, &vpc_id, path, v, "VpcId"));
    let (mut main, mut subnet_ids) = (false, Vec::new());
    for (p, a) in ctx.array(v, path, "Associations")? {
        ctx.object(&p, a)?;
        if !associated(ctx, a, &p, "AssociationState")? {
            continue;
        }
        main |= ctx.opt_bool(a, &p, "Main")?.unwrap_or(false);
        if let Some(s) = ctx.opt_str(a, &p, "SubnetId")? {
            refs.push(reference(
                ctx,
                RefKind::AssociatedSubnet,
                s,
                &p,
                a,
                "SubnetId",
            ));
            subnet_ids.push(s.to_string());
        }
    }
    let mut routes = Vec::new();
    for (p, r) in ctx.array(v, path, "Routes")? {
        ctx.object(&p, r)?;
        let Some(target) = route_target(ctx, r, &p)? else {
            ctx.warn(
                &p,
                r,
                "ROUTE_WITHOUT_TARGET",
                "route names no target: it is ignored".into(),
            );
            continue;
        };
        let blackhole = ctx.opt_str(r, &p, "State")? == Some("blackhole");
        let mut push = |destination, prefix_list: Option<&str>| {
            routes.push(Route {
                destination,
                prefix_list: prefix_list.map(str::to_string),
                target: target.clone(),
                blackhole,
            })
        };
        if let Some(d) = ctx.opt_cidr_v4(r, &p, "DestinationCidrBlock")? {
            push(d, None);
        } else if let Some(d) = ctx.opt_cidr_v6(r, &p, "DestinationIpv6CidrBlock")? {
            push(d, None);
        } else if let Some(pl) = ctx.opt_str(r, &p, "DestinationPrefixListId")? {
            match model.prefix_list(pl) {
                Some(list) => list.cidrs.iter().for_each(|c| push(*c, Some(pl))),
                None => ctx.warn(
                    &p.key("DestinationPrefixListId"),
                    r,
                    "UNKNOWN_PREFIX_LIST",
                    format!("unknown prefix list `{pl}`: the route is ignored"),
                ),
            }
        } else {
            return Err(ctx.error(
                &p,
                r,
                ImportErrorKind::MissingField {
                    field: "DestinationCidrBlock",
                },
            ));
        }
    }
    Ok(remember(ctx, seen, path, v, &id).then_some(RouteTable {
        id,
        vpc_id,
        main,
        subnet_ids,
        routes,
    }))
}

/// Reads a `From`/`To` or `FromPort`/`ToPort` pair as a port range; absent or -1 means all.
fn port_range(
    ctx: &Ctx<'_>,
    v: &Json,
    path: &JsonPath,
    from: &str,
    to: &str,
) -> R<Option<(u16, u16)>> {
    let (f, t) = (ctx.opt_int(v, path, from)?, ctx.opt_int(v, path, to)?);
    let (Some(f), Some(t)) = (f, t) else {
        return Ok(None);
    };
    if f == -1 && t == -1 {
        return Ok(None);
    }
    match (u16::try_from(f), u16::try_from(t)) {
        (Ok(f), Ok(t)) if f <= t => Ok(Some((f, t))),
        _ => Err(ctx.error(
            &path.key(from),
            v,
            ImportErrorKind::InvalidValue {
                value: format!("{f}-{t}"),
                expected: "a port range within 0-65535",
            },
        )),
    }
}

fn protocol(ctx: &Ctx<'_>, v: &Json, path: &JsonPath, key: &'static str) -> R<Protocol> {
    let Some((text, node)) = ctx.opt_text(v, path, key)? else {
        return Err(ctx.error(path, v, ImportErrorKind::MissingField { field: key }));
    };
    Protocol::parse(&text).ok_or_else(|| {
        ctx.error(
            &path.key(key),
            node,
            ImportErrorKind::InvalidValue {
                value: text,
                expected: "`-1`, `tcp`, `udp`, `icmp`, `icmpv6` or a protocol number",
            },
        )
    })
}

fn network_acl(
    ctx: &mut Ctx<'_>,
    path: &JsonPath,
    v: &Json,
    refs: &mut Vec<Reference>,
    seen: &mut HashSet<String>,
) -> R<Option<NetworkAcl>> {
    ctx.object(path, v)?;
    let id = ctx.req_str(v, path, "NetworkAclId")?.to_string();
    let vpc_id = ctx.req_str(v, path, "VpcId")?.to_string();
    refs.push(reference(ctx, RefKind::Vpc, &vpc_id, path, v, "VpcId"));
    let is_default = ctx.opt_bool(v, path, "IsDefault")?.unwrap_or(false);
    let mut subnet_ids = Vec::new();
    for (p, a) in ctx.array(v, path, "Associations")? {
        ctx.object(&p, a)?;
        if let Some(s) = ctx.opt_str(a, &p, "SubnetId")? {
            refs.push(reference(
                ctx,
                RefKind::AssociatedSubnet,
                s,
                &p,
                a,
                "SubnetId",
            ));
            subnet_ids.push(s.to_string());
        }
    }
    let (mut inbound, mut outbound) = (Vec::new(), Vec::new());
    for (p, e) in ctx.array(v, path, "Entries")? {
        let entry = acl_entry(ctx, &p, e)?;
        if entry.egress {
            outbound.push(entry);
        } else {
            inbound.push(entry);
        }
    }
    inbound.sort_by_key(|e| e.rule_number);
    outbound.sort_by_key(|e| e.rule_number);
    Ok(remember(ctx, seen, path, v, &id).then_some(NetworkAcl {
        id,
        vpc_id,
        is_default,
        subnet_ids,
        inbound,
        outbound,
    }))
}

fn acl_entry(ctx: &Ctx<'_>, p: &JsonPath, e: &Json) -> R<AclEntry> {
    ctx.object(p, e)?;
    let invalid = |key: &str, value: String, expected| {
        let node = member(e, key).unwrap_or(e);
        ctx.error(
            &p.key(key),
            node,
            ImportErrorKind::InvalidValue { value, expected },
        )
    };
    let number = ctx.opt_int(e, p, "RuleNumber")?.ok_or_else(|| {
        ctx.error(
            p,
            e,
            ImportErrorKind::MissingField {
                field: "RuleNumber",
            },
        )
    })?;
    let rule_number = u32::try_from(number)
        .ok()
        .filter(|n| (1..=32768).contains(n))
        .ok_or_else(|| {
            invalid(
                "RuleNumber",
                number.to_string(),
                "a rule number from 1 to 32768",
            )
        })?;
    let egress = ctx
        .opt_bool(e, p, "Egress")?
        .ok_or_else(|| ctx.error(p, e, ImportErrorKind::MissingField { field: "Egress" }))?;
    let allow = match ctx.req_str(e, p, "RuleAction")? {
        "allow" => true,
        "deny" => false,
        other => {
            return Err(invalid(
                "RuleAction",
                other.to_string(),
                "`allow` or `deny`",
            ))
        }
    };
    let protocol = protocol(ctx, e, p, "Protocol")?;
    let cidr = match ctx.opt_cidr_v4(e, p, "CidrBlock")? {
        Some(c) => c,
        None => ctx
            .opt_cidr_v6(e, p, "Ipv6CidrBlock")?
            .ok_or_else(|| ctx.error(p, e, ImportErrorKind::MissingField { field: "CidrBlock" }))?,
    };
    let ports = match member(e, "PortRange") {
        Some(r) => {
            ctx.object(&p.key("PortRange"), r)?;
            port_range(ctx, r, &p.key("PortRange"), "From", "To")?
        }
        None => None,
    };
    let icmp = match member(e, "IcmpTypeCode") {
        Some(t) => {
            let tp = p.key("IcmpTypeCode");
            ctx.object(&tp, t)?;
            IcmpMatch::from_aws(
                ctx.opt_int(t, &tp, "Type")?.unwrap_or(-1),
                ctx.opt_int(t, &tp, "Code")?.unwrap_or(-1),
            )
        }
        None => IcmpMatch::ANY,
    };
    Ok(AclEntry {
        rule_number,
        egress,
        allow,
        protocol,
        cidr,
        ports,
        icmp,
    })
}

fn security_group(
    ctx: &mut Ctx<'_>,
    path: &JsonPath,
    v: &Json,
    refs: &mut Vec<Reference>,
    seen: &mut HashSet<String>,
) -> R<Option<SecurityGroup>> {
    ctx.object(path, v)?;
    let id = ctx.req_str(v, path, "GroupId")?.to_string();
    let name = ctx.opt_str(v, path, "GroupName")?.map(str::to_string);
    let vpc_id = ctx.opt_str(v, path, "VpcId")?.map(str::to_string);
    let mut ingress = Vec::new();
    for (p, perm) in ctx.array(v, path, "IpPermissions")? {
        permission(ctx, &p, perm, refs, &mut ingress)?;
    }
    let mut egress = Vec::new();
    for (p, perm) in ctx.array(v, path, "IpPermissionsEgress")? {
        permission(ctx, &p, perm, refs, &mut egress)?;
    }
    Ok(remember(ctx, seen, path, v, &id).then_some(SecurityGroup {
        id,
        name,
        vpc_id,
        ingress,
        egress,
    }))
}

/// Flattens one `IpPermissions` element into one rule per peer.
fn permission(
    ctx: &Ctx<'_>,
    p: &JsonPath,
    perm: &Json,
    refs: &mut Vec<Reference>,
    out: &mut Vec<SgRule>,
) -> R<()> {
    ctx.object(p, perm)?;
    let protocol = protocol(ctx, perm, p, "IpProtocol")?;
    let (mut ports, mut icmp) = (None, IcmpMatch::ANY);
    match protocol {
        Protocol::Number(n) if has_ports(n) => {
            ports = port_range(ctx, perm, p, "FromPort", "ToPort")?
        }
        Protocol::Number(n) if is_icmp(n) => {
            icmp = IcmpMatch::from_aws(
                ctx.opt_int(perm, p, "FromPort")?.unwrap_or(-1),
                ctx.opt_int(perm, p, "ToPort")?.unwrap_or(-1),
            )
        }
        _ => {}
    }
    let mut peers = Vec::new();
    for (q, r) in ctx.array(perm, p, "IpRanges")? {
        ctx.object(&q, r)?;
        peers.extend(ctx.opt_cidr_v4(r, &q, "CidrIp")?.map(SgPeer::Cidr));
    }
    for (q, r) in ctx.array(perm, p, "Ipv6Ranges")? {
        ctx.object(&q, r)?;
        peers.extend(ctx.opt_cidr_v6(r, &q, "CidrIpv6")?.map(SgPeer::Cidr));
    }
    for (q, r) in ctx.array(perm, p, "PrefixListIds")? {
        ctx.object(&q, r)?;
        if let Some(id) = ctx.opt_str(r, &q, "PrefixListId")? {
            refs.push(reference(
                ctx,
                RefKind::PrefixList,
                id,
                &q,
                r,
                "PrefixListId",
            ));
            peers.push(SgPeer::PrefixList(id.to_string()));
        }
    }
    for (q, r) in ctx.array(perm, p, "UserIdGroupPairs")? {
        ctx.object(&q, r)?;
        if let Some(id) = ctx.opt_str(r, &q, "GroupId")? {
            refs.push(reference(ctx, RefKind::SecurityGroup, id, &q, r, "GroupId"));
            peers.push(SgPeer::Group(id.to_string()));
        }
    }
    out.extend(peers.into_iter().map(|peer| SgRule {
        protocol,
        ports,
        icmp,
        peer,
    }));
    Ok(())
}

/// Reads an interface record (the same shape in `describe-instances` and
/// `describe-network-interfaces`). `owner` is the instance it was found in, if any.
fn interface(
    ctx: &Ctx<'_>,
    path: &JsonPath,
    v: &Json,
    owner: Option<&str>,
    refs: &mut Vec<Reference>,
) -> R<NetworkInterface> {
    ctx.object(path, v)?;
    let id = ctx.req_str(v, path, "NetworkInterfaceId")?.to_string();
    let subnet_id = ctx.req_str(v, path, "SubnetId")?.to_string();
    refs.push(reference(
        ctx,
        RefKind::InterfaceSubnet,
        &subnet_id,
        path,
        v,
        "SubnetId",
    ));
    let vpc_id = ctx
        .opt_str(v, path, "VpcId")?
        .unwrap_or_default()
        .to_string();
    let mut groups = Vec::new();
    for (p, g) in ctx.array(v, path, "Groups")? {
        ctx.object(&p, g)?;
        if let Some(gid) = ctx.opt_str(g, &p, "GroupId")? {
            refs.push(reference(
                ctx,
                RefKind::SecurityGroup,
                gid,
                &p,
                g,
                "GroupId",
            ));
            groups.push(gid.to_string());
        }
    }
    let (mut private_ipv4, mut public_ipv4) = (Vec::new(), Vec::new());
    if let Some(a) = ctx.opt_ipv4(v, path, "PrivateIpAddress")? {
        private_ipv4.push(a);
    }
    for (p, a) in ctx.array(v, path, "PrivateIpAddresses")? {
        ctx.object(&p, a)?;
        let Some(private) = ctx.opt_ipv4(a, &p, "PrivateIpAddress")? else {
            continue;
        };
        if ctx.opt_bool(a, &p, "Primary")? == Some(true) {
            private_ipv4.retain(|x| *x != private);
            private_ipv4.insert(0, private);
        } else if !private_ipv4.contains(&private) {
            private_ipv4.push(private);
        }
        if let Some(assoc) = member(a, "Association") {
            if let Some(public) = ctx.opt_ipv4(assoc, &p.key("Association"), "PublicIp")? {
                public_ipv4.push((private, public));
            }
        }
    }
    if let (Some(assoc), Some(&primary)) = (member(v, "Association"), private_ipv4.first()) {
        if let Some(public) = ctx.opt_ipv4(assoc, &path.key("Association"), "PublicIp")? {
            if !public_ipv4.iter().any(|&(_, p)| p == public) {
                public_ipv4.push((primary, public));
            }
        }
    }
    let mut ipv6 = Vec::new();
    for (p, a) in ctx.array(v, path, "Ipv6Addresses")? {
        ctx.object(&p, a)?;
        ipv6.extend(ctx.opt_ipv6(a, &p, "Ipv6Address")?);
    }
    let attachment = member(v, "Attachment");
    let ap = path.key("Attachment");
    let instance_id = match (owner, attachment) {
        (Some(o), _) => Some(o.to_string()),
        (None, Some(a)) => ctx.opt_str(a, &ap, "InstanceId")?.map(str::to_string),
        (None, None) => None,
    };
    let device_index = match attachment {
        Some(a) => ctx
            .opt_int(a, &ap, "DeviceIndex")?
            .and_then(|d| u32::try_from(d).ok()),
        None => None,
    };
    let description = match ctx.opt_str(v, path, "InterfaceType")? {
        Some(t) if t != "interface" => Some(t.to_string()),
        _ => ctx.opt_str(v, path, "Description")?.map(str::to_string),
    };
    Ok(NetworkInterface {
        id,
        subnet_id,
        vpc_id,
        instance_id,
        device_index,
        private_ipv4,
        public_ipv4,
        ipv6,
        groups,
        description,
    })
}

/// Reads one instance and its interfaces. An instance exported without `NetworkInterfaces`
/// (hand-written worlds) gets one interface `<instance-id>/eth0` built from its own
/// `SubnetId`, `PrivateIpAddress`, `PublicIpAddress`, `Ipv6Address` and `SecurityGroups`.
fn instance(
    ctx: &mut Ctx<'_>,
    model: &mut NetworkModel,
    path: &JsonPath,
    v: &Json,
    refs: &mut Vec<Reference>,
    seen: &mut HashSet<String>,
) -> R<()> {
    ctx.object(path, v)?;
    let id = ctx.req_str(v, path, "InstanceId")?.to_string();
    let state = match member(v, "State") {
        Some(s) => ctx
            .opt_str(s, &path.key("State"), "Name")?
            .map(str::to_string),
        None => None,
    };
    if matches!(state.as_deref(), Some("terminated" | "shutting-down")) {
        return Ok(());
    }
    let mut enis = Vec::new();
    for (p, e) in ctx.array(v, path, "NetworkInterfaces")? {
        enis.push(interface(ctx, &p, e, Some(&id), refs)?);
    }
    if enis.is_empty() {
        let Some(subnet_id) = ctx.opt_str(v, path, "SubnetId")? else {
            ctx.warn(
                path,
                v,
                "NO_INTERFACE",
                format!("instance `{id}` has no subnet and no network interface: it is ignored"),
            );
            return Ok(());
        };
        refs.push(reference(
            ctx,
            RefKind::InterfaceSubnet,
            subnet_id,
            path,
            v,
            "SubnetId",
        ));
        let private = ctx.opt_ipv4(v, path, "PrivateIpAddress")?;
        let public = ctx.opt_ipv4(v, path, "PublicIpAddress")?;
        let mut groups = Vec::new();
        for (p, g) in ctx.array(v, path, "SecurityGroups")? {
            ctx.object(&p, g)?;
            if let Some(gid) = ctx.opt_str(g, &p, "GroupId")? {
                refs.push(reference(
                    ctx,
                    RefKind::SecurityGroup,
                    gid,
                    &p,
                    g,
                    "GroupId",
                ));
                groups.push(gid.to_string());
            }
        }
        enis.push(NetworkInterface {
            id: format!("{id}/eth0"),
            subnet_id: subnet_id.to_string(),
            vpc_id: String::new(),
            instance_id: Some(id.clone()),
            device_index: Some(0),
            private_ipv4: private.into_iter().collect(),
            public_ipv4: private.zip(public).into_iter().collect(),
            ipv6: ctx.opt_ipv6(v, path, "Ipv6Address")?.into_iter().collect(),
            groups,
            description: None,
        });
    }
    enis.sort_by_key(|e| e.device_index.unwrap_or(u32::MAX));
    if !remember(ctx, seen, path, v, &id) {
        return Ok(());
    }
    let interface_ids = enis.iter().map(|e| e.id.clone()).collect();
    for e in enis {
        if remember(ctx, seen, path, v, &e.id) {
            model.interfaces.push(e);
        }
    }
    model.instances.push(Instance {
        id,
        state,
        interface_ids,
    });
    Ok(())
}
