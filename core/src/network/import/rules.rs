//! Readers of the rule lists: network ACL entries and security group permissions.

use std::collections::HashSet;

use crate::json::{Json, JsonPath};

use super::super::error::{ImportErrorKind, NetworkImportError};
use super::super::model::{AclEntry, NetworkAcl, SecurityGroup, SgPeer, SgRule};
use super::super::protocol::{has_ports, is_icmp, IcmpMatch, Protocol};
use super::reader::{member, Ctx};
use super::records::{reference, remember};
use super::{RefKind, Reference};

type R<T> = Result<T, NetworkImportError>;

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

pub(super) fn network_acl(
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

pub(super) fn security_group(
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
