//! Readers of instances and network interfaces (`describe-instances`,
//! `describe-network-interfaces`).

use std::collections::HashSet;

use crate::json::{Json, JsonPath};

use super::super::error::NetworkImportError;
use super::super::model::{Instance, NetworkInterface, NetworkModel};
use super::reader::{member, Ctx};
use super::records::{reference, remember};
use super::{RefKind, Reference};

type R<T> = Result<T, NetworkImportError>;

/// Reads an interface record (the same shape in `describe-instances` and
/// `describe-network-interfaces`). `owner` is the instance it was found in, if any.
pub(super) fn interface(
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
    let groups = group_ids(ctx, v, path, "Groups", refs)?;
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
    let description_text = ctx.opt_str(v, path, "Description")?.map(str::to_string);
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
        description_text,
        public_name: None,
    })
}

/// Reads one instance and its interfaces. An instance exported without `NetworkInterfaces`
/// (hand-written worlds) gets one interface `<instance-id>/eth0` built from its own
/// `SubnetId`, `PrivateIpAddress`, `PublicIpAddress`, `Ipv6Address` and `SecurityGroups`.
pub(super) fn instance(
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
    let running = state
        .as_deref()
        .is_none_or(|s| !super::super::model::NOT_RUNNING.contains(&s));
    let mut enis = Vec::new();
    for (p, e) in ctx.array(v, path, "NetworkInterfaces")? {
        enis.push(interface(ctx, &p, e, Some(&id), refs)?);
    }
    if enis.is_empty() {
        let Some(subnet_id) = ctx.opt_str(v, path, "SubnetId")? else {
            if !running {
                return Ok(()); // a terminated instance has lost its interfaces
            }
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
        let groups = group_ids(ctx, v, path, "SecurityGroups", refs)?;
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
            description_text: None,
            public_name: None,
        });
    }
    enis.sort_by_key(|e| e.device_index.unwrap_or(u32::MAX));
    if !running {
        // A stopped or terminated instance holds no public address (an Elastic IP stays
        // associated but takes no traffic); the instance itself blocks every flow.
        for e in &mut enis {
            e.public_ipv4.clear();
        }
    }
    if !remember(ctx, seen, path, v, &id) {
        return Ok(());
    }
    let interface_ids = enis.iter().map(|e| e.id.clone()).collect();
    for e in enis {
        // The same interface read before from `describe-network-interfaces` is no duplicate.
        if seen.contains(&format!("standalone:{}", e.id)) {
            continue;
        }
        if remember(ctx, seen, path, v, &e.id) {
            model.interfaces.push(e);
        }
    }
    let mut name = None;
    for (p, t) in ctx.array(v, path, "Tags")? {
        ctx.object(&p, t)?;
        if ctx.opt_str(t, &p, "Key")? == Some("Name") {
            name = ctx.opt_str(t, &p, "Value")?.map(str::to_string);
        }
    }
    let availability_zone = match member(v, "Placement") {
        Some(pl) => ctx
            .opt_str(pl, &path.key("Placement"), "AvailabilityZone")?
            .map(str::to_string),
        None => None,
    };
    let instance_profile = match member(v, "IamInstanceProfile") {
        Some(p) => ctx
            .opt_str(p, &path.key("IamInstanceProfile"), "Arn")?
            .map(str::to_string),
        None => None,
    };
    model.instances.push(Instance {
        instance_profile,
        id,
        state,
        interface_ids,
        name,
        availability_zone,
        owner_id: None,
    });
    Ok(())
}

/// The `GroupId`s of a list of `{GroupId, GroupName}` objects (`Groups` of an interface,
/// `SecurityGroups` of an instance), each recorded as a reference to check.
fn group_ids(
    ctx: &Ctx<'_>,
    v: &Json,
    path: &JsonPath,
    key: &str,
    refs: &mut Vec<Reference>,
) -> R<Vec<String>> {
    let mut groups = Vec::new();
    for (p, g) in ctx.array(v, path, key)? {
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
    Ok(groups)
}
