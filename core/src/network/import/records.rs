//! The reading order of a document, and the readers of the topology: VPCs, subnets,
//! internet gateways, route tables and prefix lists.

use std::collections::HashSet;

use crate::json::{Json, JsonPath};

use super::super::error::{ImportErrorKind, NetworkImportError};
use super::super::model::{
    NatGateway, NetworkModel, PrefixList, Route, RouteTable, RouteTarget, Subnet, TgwAttachment,
    TgwRoute, TgwRouteTable, Vpc, VpcEndpoint, VpcPeering, VpnConnection,
};
use super::instances::{instance, interface};
use super::reader::{member, Ctx};
use super::rules::{network_acl, security_group};
use super::{RefKind, Reference};

type R<T> = Result<T, NetworkImportError>;

/// Reads every key but the prefix lists of one document.
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
    let gateways = ctx
        .array(root, &base, "InternetGateways")?
        .into_iter()
        .map(|g| ("InternetGatewayId", g))
        .chain(
            ctx.array(root, &base, "EgressOnlyInternetGateways")?
                .into_iter()
                .map(|g| ("EgressOnlyInternetGatewayId", g)),
        );
    for (key, (path, v)) in gateways {
        ctx.object(&path, v)?;
        let id = ctx.req_str(v, &path, key)?.to_string();
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
    for (path, v) in ctx.array(root, &base, "NatGateways")? {
        if let Some(n) = nat_gateway(ctx, &path, v, refs, seen)? {
            model.nat_gateways.push(n);
        }
    }
    for (path, v) in ctx.array(root, &base, "VpcPeeringConnections")? {
        if let Some(x) = peering(ctx, &path, v, seen)? {
            model.peerings.push(x);
        }
    }
    for (path, v) in ctx.array(root, &base, "VpnConnections")? {
        ctx.object(&path, v)?;
        let id = ctx.req_str(v, &path, "VpnConnectionId")?.to_string();
        let state = ctx.opt_str(v, &path, "State")?;
        if matches!(state, Some("deleted" | "deleting")) {
            continue;
        }
        let mut name = None;
        for (p, t) in ctx.array(v, &path, "Tags")? {
            ctx.object(&p, t)?;
            if ctx.opt_str(t, &p, "Key")? == Some("Name") {
                name = ctx.opt_str(t, &p, "Value")?.map(str::to_string);
            }
        }
        let mut cidrs = Vec::new();
        for (p, r) in ctx.array(v, &path, "Routes")? {
            ctx.object(&p, r)?;
            if matches!(ctx.opt_str(r, &p, "State")?, Some("deleted" | "deleting")) {
                continue;
            }
            cidrs.extend(ctx.opt_cidr_any(r, &p, "DestinationCidrBlock")?);
        }
        let vpn = VpnConnection {
            name,
            vpn_gateway: ctx.opt_str(v, &path, "VpnGatewayId")?.map(str::to_string),
            available: state.is_none_or(|s| s == "available"),
            cidrs,
            id,
        };
        if remember(ctx, seen, &path, v, &vpn.id) {
            model.vpn_connections.push(vpn);
        }
    }
    for (path, v) in ctx.array(root, &base, "VpcEndpoints")? {
        ctx.object(&path, v)?;
        let id = ctx.req_str(v, &path, "VpcEndpointId")?.to_string();
        let state = ctx.opt_str(v, &path, "State")?;
        let mut interface_ids = Vec::new();
        for (p, e) in ctx.array(v, &path, "NetworkInterfaceIds")? {
            if let Some(eni) = e.as_str() {
                interface_ids.push(eni.to_string());
            } else {
                return Err(ctx.error(
                    &p,
                    e,
                    ImportErrorKind::WrongType {
                        expected: "a string",
                        found: e.type_name(),
                    },
                ));
            }
        }
        let endpoint = VpcEndpoint {
            kind: ctx
                .opt_str(v, &path, "VpcEndpointType")?
                .unwrap_or("Gateway")
                .to_string(),
            service: ctx.opt_str(v, &path, "ServiceName")?.map(str::to_string),
            available: state.is_none_or(|s| s.eq_ignore_ascii_case("available")),
            interface_ids,
            id,
        };
        if remember(ctx, seen, &path, v, &endpoint.id) {
            model.vpc_endpoints.push(endpoint);
        }
    }
    for (path, v) in ctx.array(root, &base, "TransitGatewayAttachments")? {
        ctx.object(&path, v)?;
        let id = ctx
            .req_str(v, &path, "TransitGatewayAttachmentId")?
            .to_string();
        let state = ctx.opt_str(v, &path, "State")?;
        if matches!(state, Some("deleted" | "deleting" | "rejected" | "failed")) {
            continue;
        }
        let route_table = match member(v, "Association") {
            Some(a) => {
                let ap = path.key("Association");
                let st = ctx.opt_str(a, &ap, "State")?;
                if matches!(st, Some("disassociated" | "disassociating")) {
                    None
                } else {
                    ctx.opt_str(a, &ap, "TransitGatewayRouteTableId")?
                        .map(str::to_string)
                }
            }
            None => None,
        };
        let attachment = TgwAttachment {
            tgw_id: ctx.req_str(v, &path, "TransitGatewayId")?.to_string(),
            resource_type: ctx
                .opt_str(v, &path, "ResourceType")?
                .unwrap_or("vpc")
                .to_string(),
            resource_id: ctx.opt_str(v, &path, "ResourceId")?.map(str::to_string),
            route_table,
            available: state.is_none_or(|s| s == "available"),
            id,
        };
        if remember(ctx, seen, &path, v, &attachment.id) {
            model.tgw_attachments.push(attachment);
        }
    }
    for (path, v) in ctx.array(root, &base, "TransitGatewayRouteTables")? {
        ctx.object(&path, v)?;
        let id = ctx
            .req_str(v, &path, "TransitGatewayRouteTableId")?
            .to_string();
        if !model.tgw_route_tables.iter().any(|t| t.id == id) {
            model.tgw_route_tables.push(TgwRouteTable {
                id,
                routes: Vec::new(),
            });
        }
    }
    for (path, v) in ctx.array(root, &base, "TransitGatewayRoutes")? {
        ctx.object(&path, v)?;
        let id = ctx
            .req_str(v, &path, "TransitGatewayRouteTableId")?
            .to_string();
        let mut routes = Vec::new();
        for (p, r) in ctx.array(v, &path, "Routes")? {
            ctx.object(&p, r)?;
            let Some(destination) = ctx.opt_cidr_any(r, &p, "DestinationCidrBlock")? else {
                continue; // a prefix-list route of a transit gateway is not read
            };
            let attachment = match ctx.array(r, &p, "TransitGatewayAttachments")?.first() {
                Some((ap, a)) => ctx
                    .opt_str(a, ap, "TransitGatewayAttachmentId")?
                    .map(str::to_string),
                None => None,
            };
            routes.push(TgwRoute {
                destination,
                attachment,
                blackhole: ctx.opt_str(r, &p, "State")? == Some("blackhole"),
            });
        }
        match model.tgw_route_tables.iter_mut().find(|t| t.id == id) {
            Some(t) => t.routes.extend(routes),
            None => model.tgw_route_tables.push(TgwRouteTable { id, routes }),
        }
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
        let owner = ctx.opt_str(r, &path, "OwnerId")?;
        for (p, i) in ctx.array(r, &path, "Instances")? {
            let before = model.instances.len();
            instance(ctx, model, &p, i, refs, seen)?;
            if let (Some(added), Some(owner)) = (model.instances.get_mut(before), owner) {
                added.owner_id = Some(owner.to_string());
            }
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
            // Its instance, read later (a later file), finds it already read.
            seen.insert(format!("standalone:{}", eni.id));
            model.interfaces.push(eni);
        }
    }
    Ok(())
}

/// Marks `id` as read; warns and returns `false` when another record already had it.
pub(super) fn remember(
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
pub(super) fn reference(
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

/// Reads the prefix lists of one document: `PrefixLists` (as `describe-managed-prefix-lists`
/// and `describe-prefix-lists` print it; the latter carries `Cidrs`), `ManagedPrefixLists`
/// (polcheck's earlier shape, elements with `Entries`), and `PrefixListEntries` (polcheck's
/// wrapper of `get-managed-prefix-list-entries`: `{"PrefixListId", "Entries"}`). Records of one
/// id from several keys or files are merged.
pub(super) fn prefix_lists(
    ctx: &mut Ctx<'_>,
    model: &mut NetworkModel,
    seen: &mut HashSet<String>,
) -> R<()> {
    let doc = ctx.doc;
    let root = JsonPath::root();
    for key in ["PrefixLists", "ManagedPrefixLists", "PrefixListEntries"] {
        for (path, v) in ctx.array(&doc.root, &root, key)? {
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
            for (p, c) in ctx.array(v, &path, "Cidrs")? {
                let text = c.as_str().ok_or_else(|| {
                    ctx.error(
                        &p,
                        c,
                        ImportErrorKind::WrongType {
                            expected: "a string",
                            found: c.type_name(),
                        },
                    )
                })?;
                let net = text.trim().parse::<ipnet::IpNet>().map_err(|_| {
                    ctx.error(
                        &p,
                        c,
                        ImportErrorKind::InvalidCidr {
                            family: if text.contains(':') { "IPv6" } else { "IPv4" },
                            value: text.to_string(),
                        },
                    )
                })?;
                cidrs.push(net.trunc());
            }
            match model.prefix_lists.iter_mut().find(|l| l.id == id) {
                Some(list) => {
                    if list.name.is_none() {
                        list.name = name;
                    }
                    for c in cidrs {
                        if !list.cidrs.contains(&c) {
                            list.cidrs.push(c);
                        }
                    }
                }
                None => {
                    seen.insert(id.clone());
                    model.prefix_lists.push(PrefixList { id, name, cidrs });
                }
            }
        }
    }
    Ok(())
}

/// A NAT gateway of `describe-nat-gateways`. Deleted ones are skipped.
fn nat_gateway(
    ctx: &mut Ctx<'_>,
    path: &JsonPath,
    v: &Json,
    refs: &mut Vec<Reference>,
    seen: &mut HashSet<String>,
) -> R<Option<NatGateway>> {
    ctx.object(path, v)?;
    let id = ctx.req_str(v, path, "NatGatewayId")?.to_string();
    let subnet_id = ctx.req_str(v, path, "SubnetId")?.to_string();
    let state = ctx.opt_str(v, path, "State")?;
    if matches!(state, Some("deleted" | "deleting")) {
        return Ok(None);
    }
    // A NAT gateway in a subnet the world lacks is dropped with a warning: a route to it then
    // reads as a route to a NAT gateway the world does not describe (`unknown`).
    refs.push(reference(
        ctx,
        RefKind::AssociatedSubnet,
        &subnet_id,
        path,
        v,
        "SubnetId",
    ));
    let public = ctx.opt_str(v, path, "ConnectivityType")? != Some("private");
    let (mut private_ip, mut public_ip) = (None, None);
    for (p, a) in ctx.array(v, path, "NatGatewayAddresses")? {
        ctx.object(&p, a)?;
        let primary = ctx.opt_bool(a, &p, "IsPrimary")?.unwrap_or(true);
        let private = ctx.opt_ipv4(a, &p, "PrivateIp")?;
        let public = ctx.opt_ipv4(a, &p, "PublicIp")?;
        if primary || private_ip.is_none() {
            private_ip = private.or(private_ip);
            public_ip = public.or(public_ip);
        }
    }
    Ok(remember(ctx, seen, path, v, &id).then_some(NatGateway {
        id,
        subnet_id,
        public,
        available: state.is_none_or(|s| s == "available"),
        private_ip,
        public_ip,
    }))
}

/// A peering connection of `describe-vpc-peering-connections`.
fn peering(
    ctx: &mut Ctx<'_>,
    path: &JsonPath,
    v: &Json,
    seen: &mut HashSet<String>,
) -> R<Option<VpcPeering>> {
    ctx.object(path, v)?;
    let id = ctx.req_str(v, path, "VpcPeeringConnectionId")?.to_string();
    let side = |key: &'static str| -> R<String> {
        let info = member(v, key)
            .ok_or_else(|| ctx.error(path, v, ImportErrorKind::MissingField { field: key }))?;
        Ok(ctx.req_str(info, &path.key(key), "VpcId")?.to_string())
    };
    let requester_vpc = side("RequesterVpcInfo")?;
    let accepter_vpc = side("AccepterVpcInfo")?;
    let code = match member(v, "Status") {
        Some(st) => ctx.opt_str(st, &path.key("Status"), "Code")?,
        None => None,
    };
    Ok(remember(ctx, seen, path, v, &id).then_some(VpcPeering {
        id,
        requester_vpc,
        accepter_vpc,
        active: code.is_none_or(|c| c == "active"),
    }))
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
const OTHER_TARGETS: [&str; 6] = [
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
            g if g.starts_with("vpce-") => RouteTarget::GatewayEndpoint(g.to_string()),
            g if g.starts_with("vgw-") => RouteTarget::VpnGateway(g.to_string()),
            g => RouteTarget::Other {
                kind: "GatewayId".into(),
                id: g.to_string(),
            },
        }));
    }
    if let Some(e) = ctx.opt_str(r, p, "EgressOnlyInternetGatewayId")? {
        return Ok(Some(RouteTarget::EgressOnlyInternetGateway(e.to_string())));
    }
    if let Some(n) = ctx.opt_str(r, p, "NatGatewayId")? {
        return Ok(Some(RouteTarget::NatGateway(n.to_string())));
    }
    if let Some(x) = ctx.opt_str(r, p, "VpcPeeringConnectionId")? {
        return Ok(Some(RouteTarget::VpcPeering(x.to_string())));
    }
    if let Some(t) = ctx.opt_str(r, p, "TransitGatewayId")? {
        return Ok(Some(RouteTarget::TransitGateway(t.to_string())));
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
                Some(list) if list.cidrs.is_empty() => ctx.warn(
                    &p.key("DestinationPrefixListId"),
                    r,
                    "PREFIX_LIST_WITHOUT_ENTRIES",
                    format!("prefix list `{pl}` has no entries in the world (add what `aws ec2 get-managed-prefix-list-entries` prints under `PrefixListEntries`): the route is ignored"),
                ),
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
        if *ctx.routes + routes.len() > super::limits::MAX_ROUTES {
            return Err(ctx.error(
                &p,
                r,
                ImportErrorKind::Limit {
                    what: "routes (prefix-list routes count one per entry)",
                    limit: super::limits::MAX_ROUTES,
                },
            ));
        }
    }
    *ctx.routes += routes.len();
    Ok(remember(ctx, seen, path, v, &id).then_some(RouteTable {
        id,
        vpc_id,
        main,
        subnet_ids,
        routes,
    }))
}
