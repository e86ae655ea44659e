//! Readers of the services that live in subnets (see [`crate::network::service`]): load
//! balancers, listeners, target groups and target health, RDS instances, EFS mount targets,
//! ElastiCache clusters, Lambda functions, ECS tasks and interface endpoints.
//!
//! Records are read into [`Pending`] services first; [`place`] then gives each its interfaces
//! once every file is read: the exported interface when the world has it (a mount target's or
//! an ECS task's `NetworkInterfaceId`, an interface endpoint's `NetworkInterfaceIds`, the
//! interfaces whose `Description` AWS writes as `ELB app/NAME/...`, `ELB net/NAME/...` or
//! `AWS Lambda VPC ENI-NAME...`), else one interface polcheck places in each of the record's
//! subnets, with the record's security groups and, when the record gives none, the subnet's
//! first free address after the four AWS reserves.

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, Ipv4Addr};

use crate::json::{Json, JsonPath};

use super::super::error::{ImportErrorKind, NetworkImportError, NetworkWarning};
use super::super::model::{NetworkInterface, NetworkModel};
use super::super::service::{Listener, Service, ServiceKind, Target, TargetGroup};
use super::reader::{member, Ctx};
use super::records::reference;
use super::{RefKind, Reference};

type R<T> = Result<T, NetworkImportError>;

/// One place a service has an interface.
#[derive(Debug, Clone, Default)]
pub(crate) struct Placement {
    pub(crate) subnet_id: Option<String>,
    pub(crate) eni_id: Option<String>,
    pub(crate) address: Option<Ipv4Addr>,
    pub(crate) public_ip: Option<Ipv4Addr>,
    pub(crate) groups: Vec<String>,
    /// Where the record is, for a warning.
    pub(crate) file: String,
    pub(crate) path: String,
    pub(crate) line: u32,
    pub(crate) column: u32,
}

/// A service read, not yet given its interfaces.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    pub(crate) service: Service,
    pub(crate) placements: Vec<Placement>,
    /// The start of the `Description` AWS gives the service's interfaces.
    pub(crate) description: Option<String>,
    /// The DNS name the internet reaches a public service by.
    pub(crate) public_name: Option<String>,
}

/// What the readers of every file gather before placing.
#[derive(Default)]
pub(crate) struct Gathered {
    pub(crate) pending: Vec<Pending>,
    /// Load balancer ARN → listeners.
    pub(crate) listeners: HashMap<String, Vec<Listener>>,
    pub(crate) target_groups: Vec<TargetGroup>,
    /// Target group ARN → targets (from target health).
    pub(crate) targets: HashMap<String, Vec<Target>>,
    /// Mount target id → security groups (our wrapper of
    /// `describe-mount-target-security-groups`).
    pub(crate) mount_target_groups: HashMap<String, Vec<String>>,
    /// Cache subnet group name → subnets (id, availability zone).
    pub(crate) cache_subnets: HashMap<String, Vec<(String, Option<String>)>>,
    /// Aurora clusters (`DBClusters`).
    pub(crate) clusters: Vec<DbCluster>,
}

fn strings(ctx: &Ctx<'_>, v: &Json, path: &JsonPath, key: &str) -> R<Vec<String>> {
    let mut out = Vec::new();
    for (p, s) in ctx.array(v, path, key)? {
        match s.as_str() {
            Some(s) => out.push(s.to_string()),
            None => {
                return Err(ctx.error(
                    &p,
                    s,
                    super::super::error::ImportErrorKind::WrongType {
                        expected: "a string",
                        found: s.type_name(),
                    },
                ))
            }
        }
    }
    Ok(out)
}

fn port(ctx: &Ctx<'_>, v: &Json, path: &JsonPath, key: &str) -> R<Option<u16>> {
    Ok(ctx
        .opt_int(v, path, key)?
        .and_then(|p| u16::try_from(p).ok())
        .filter(|p| *p > 0))
}

/// `HealthCheckPort`: `"traffic-port"` (`None`: each target's own port) or a port number.
fn health_check_port(ctx: &Ctx<'_>, v: &Json, path: &JsonPath) -> R<Option<u16>> {
    if ctx.opt_str(v, path, "HealthCheckPort").ok().flatten() == Some("traffic-port") {
        return Ok(None);
    }
    let Some(n) = ctx.opt_int(v, path, "HealthCheckPort")? else {
        return Ok(None);
    };
    match u16::try_from(n) {
        Ok(p) if p > 0 => Ok(Some(p)),
        _ => {
            let p = path.key("HealthCheckPort");
            let node = member(v, "HealthCheckPort").unwrap_or(v);
            Err(ctx.error(
                &p,
                node,
                ImportErrorKind::InvalidValue {
                    value: n.to_string(),
                    expected: "`traffic-port` or a port from 1 to 65535",
                },
            ))
        }
    }
}

fn name_tag(ctx: &Ctx<'_>, v: &Json, path: &JsonPath, key: &str) -> R<Option<String>> {
    for (p, t) in ctx.array(v, path, key)? {
        ctx.object(&p, t)?;
        let k = ctx.opt_str(t, &p, "Key")?.or(ctx.opt_str(t, &p, "key")?);
        if k == Some("Name") {
            let value = ctx
                .opt_str(t, &p, "Value")?
                .or(ctx.opt_str(t, &p, "value")?);
            return Ok(value.map(str::to_string));
        }
    }
    Ok(None)
}

fn placement(ctx: &Ctx<'_>, path: &JsonPath, v: &Json) -> Placement {
    let pos = ctx.doc.position(v.span.start);
    Placement {
        file: ctx.file.to_string(),
        path: path.to_string(),
        line: pos.line,
        column: pos.column,
        ..Placement::default()
    }
}

fn group_refs(
    ctx: &Ctx<'_>,
    groups: &[String],
    path: &JsonPath,
    v: &Json,
    key: &str,
    refs: &mut Vec<Reference>,
) {
    for g in groups {
        refs.push(reference(ctx, RefKind::SecurityGroup, g, path, v, key));
    }
}

fn subnet_ref(
    ctx: &Ctx<'_>,
    id: &str,
    path: &JsonPath,
    v: &Json,
    key: &str,
    refs: &mut Vec<Reference>,
) {
    refs.push(reference(ctx, RefKind::AssociatedSubnet, id, path, v, key));
}

fn service(kind: ServiceKind, id: String) -> Service {
    Service {
        kind,
        id,
        arn: None,
        names: Vec::new(),
        interface_ids: Vec::new(),
        ports: Vec::new(),
        listeners: None,
        not_running: None,
        public: false,
        iam_resource: None,
        iam_auth: None,
        cluster: None,
    }
}

/// Reads every service key of one document.
pub(crate) fn read(ctx: &mut Ctx<'_>, g: &mut Gathered, refs: &mut Vec<Reference>) -> R<()> {
    let root = &ctx.doc.root;
    let base = JsonPath::root();
    load_balancers(ctx, root, &base, g, refs)?;
    listeners(ctx, root, &base, g)?;
    target_groups(ctx, root, &base, g)?;
    databases(ctx, root, &base, g, refs)?;
    clusters(ctx, root, &base, g)?;
    mount_targets(ctx, root, &base, g, refs)?;
    caches(ctx, root, &base, g, refs)?;
    functions(ctx, root, &base, g, refs)?;
    tasks(ctx, root, &base, g, refs)?;
    endpoints(ctx, root, &base, g, refs)?;
    Ok(())
}

fn load_balancers(
    ctx: &Ctx<'_>,
    root: &Json,
    base: &JsonPath,
    g: &mut Gathered,
    refs: &mut Vec<Reference>,
) -> R<()> {
    for (path, v) in ctx.array(root, base, "LoadBalancers")? {
        ctx.object(&path, v)?;
        let name = ctx.req_str(v, &path, "LoadBalancerName")?.to_string();
        let arn = ctx
            .opt_str(v, &path, "LoadBalancerArn")?
            .map(str::to_string);
        let kind = ctx.opt_str(v, &path, "Type")?.unwrap_or("application");
        let groups = strings(ctx, v, &path, "SecurityGroups")?;
        group_refs(ctx, &groups, &path, v, "SecurityGroups", refs);
        let mut s = service(ServiceKind::LoadBalancer, name.clone());
        s.public = ctx.opt_str(v, &path, "Scheme")? == Some("internet-facing");
        let state = match member(v, "State") {
            Some(st) => ctx.opt_str(st, &path.key("State"), "Code")?,
            None => None,
        };
        if matches!(state, Some("failed")) {
            s.not_running = state.map(str::to_string);
        }
        let dns = ctx.opt_str(v, &path, "DNSName")?.map(str::to_string);
        s.names.extend(dns.clone());
        let mut placements = Vec::new();
        for (p, az) in ctx.array(v, &path, "AvailabilityZones")? {
            ctx.object(&p, az)?;
            let Some(subnet) = ctx.opt_str(az, &p, "SubnetId")? else {
                continue;
            };
            subnet_ref(ctx, subnet, &p, az, "SubnetId", refs);
            let mut pl = placement(ctx, &p, az);
            pl.subnet_id = Some(subnet.to_string());
            pl.groups.clone_from(&groups);
            for (ap, a) in ctx.array(az, &p, "LoadBalancerAddresses")? {
                ctx.object(&ap, a)?;
                pl.address = pl.address.or(ctx.opt_ipv4(a, &ap, "PrivateIPv4Address")?);
                pl.public_ip = pl.public_ip.or(ctx.opt_ipv4(a, &ap, "IpAddress")?);
            }
            placements.push(pl);
        }
        let short = match kind {
            "network" => "net",
            "gateway" => "gwy",
            _ => "app",
        };
        s.arn = arn;
        g.pending.push(Pending {
            service: s,
            placements,
            description: Some(format!("ELB {short}/{name}/")),
            public_name: dns,
        });
    }
    Ok(())
}

fn listener(ctx: &Ctx<'_>, path: &JsonPath, v: &Json) -> R<Option<(String, Listener)>> {
    ctx.object(path, v)?;
    let Some(lb) = ctx.opt_str(v, path, "LoadBalancerArn")? else {
        return Ok(None);
    };
    let Some(p) = port(ctx, v, path, "Port")? else {
        return Ok(None);
    };
    let mut target_groups = Vec::new();
    for (ap, a) in ctx.array(v, path, "DefaultActions")? {
        ctx.object(&ap, a)?;
        if !ctx
            .opt_str(a, &ap, "Type")?
            .is_none_or(|t| t.eq_ignore_ascii_case("forward"))
        {
            continue;
        }
        target_groups.extend(ctx.opt_str(a, &ap, "TargetGroupArn")?.map(str::to_string));
        if let Some(fc) = member(a, "ForwardConfig") {
            let fp = ap.key("ForwardConfig");
            for (tp, t) in ctx.array(fc, &fp, "TargetGroups")? {
                ctx.object(&tp, t)?;
                if let Some(arn) = ctx.opt_str(t, &tp, "TargetGroupArn")? {
                    if !target_groups.iter().any(|x| x == arn) {
                        target_groups.push(arn.to_string());
                    }
                }
            }
        }
    }
    Ok(Some((
        lb.to_string(),
        Listener {
            arn: ctx.opt_str(v, path, "ListenerArn")?.map(str::to_string),
            port: p,
            protocol: ctx
                .opt_str(v, path, "Protocol")?
                .unwrap_or("TCP")
                .to_string(),
            target_groups,
        },
    )))
}

fn listeners(ctx: &Ctx<'_>, root: &Json, base: &JsonPath, g: &mut Gathered) -> R<()> {
    let mut all = Vec::new();
    for (path, v) in ctx.array(root, base, "Listeners")? {
        all.extend(listener(ctx, &path, v)?);
    }
    // The wrapper some export scripts write: `[{"LoadBalancerArn", "Listeners": [...]}]`.
    for (path, w) in ctx.array(root, base, "LoadBalancerListeners")? {
        ctx.object(&path, w)?;
        let lb = ctx.opt_str(w, &path, "LoadBalancerArn")?;
        for (p, v) in ctx.array(w, &path, "Listeners")? {
            if let Some((arn, l)) = listener(ctx, &p, v)? {
                all.push((arn, l));
            } else if let (Some(lb), Some(port)) = (lb, port(ctx, v, &p, "Port")?) {
                all.push((
                    lb.to_string(),
                    Listener {
                        arn: None,
                        port,
                        protocol: ctx.opt_str(v, &p, "Protocol")?.unwrap_or("TCP").to_string(),
                        target_groups: Vec::new(),
                    },
                ));
            }
        }
    }
    for (lb, l) in all {
        g.listeners.entry(lb).or_default().push(l);
    }
    Ok(())
}

fn target_groups(ctx: &Ctx<'_>, root: &Json, base: &JsonPath, g: &mut Gathered) -> R<()> {
    for (path, v) in ctx.array(root, base, "TargetGroups")? {
        ctx.object(&path, v)?;
        let arn = ctx.req_str(v, &path, "TargetGroupArn")?.to_string();
        if g.target_groups.iter().any(|t| t.arn == arn) {
            continue;
        }
        g.target_groups.push(TargetGroup {
            arn,
            name: ctx
                .opt_str(v, &path, "TargetGroupName")?
                .map(str::to_string),
            port: port(ctx, v, &path, "Port")?,
            target_type: ctx
                .opt_str(v, &path, "TargetType")?
                .unwrap_or("instance")
                .to_string(),
            health_check_port: health_check_port(ctx, v, &path)?,
            health_check_protocol: ctx
                .opt_str(v, &path, "HealthCheckProtocol")?
                .map(str::to_string),
            targets: None,
        });
    }
    // `describe-target-health` prints `{"TargetHealthDescriptions": [...]}` without the target
    // group: wrapped as `[{"TargetGroupArn", "TargetHealthDescriptions": [...]}]`.
    for (path, w) in ctx.array(root, base, "LoadBalancerTargetHealth")? {
        ctx.object(&path, w)?;
        let arn = ctx.req_str(w, &path, "TargetGroupArn")?.to_string();
        let list = g.targets.entry(arn).or_default();
        for (p, d) in ctx.array(w, &path, "TargetHealthDescriptions")? {
            ctx.object(&p, d)?;
            let Some(t) = member(d, "Target") else {
                continue;
            };
            let tp = p.key("Target");
            let Some(id) = ctx.opt_str(t, &tp, "Id")? else {
                continue;
            };
            let state = match member(d, "TargetHealth") {
                Some(h) => ctx.opt_str(h, &p.key("TargetHealth"), "State")?,
                None => None,
            };
            list.push(Target {
                id: id.to_string(),
                port: port(ctx, t, &tp, "Port")?,
                state: state.map(str::to_string),
            });
        }
    }
    Ok(())
}

fn databases(
    ctx: &Ctx<'_>,
    root: &Json,
    base: &JsonPath,
    g: &mut Gathered,
    refs: &mut Vec<Reference>,
) -> R<()> {
    for (path, v) in ctx.array(root, base, "DBInstances")? {
        ctx.object(&path, v)?;
        let id = ctx.req_str(v, &path, "DBInstanceIdentifier")?.to_string();
        let mut s = service(ServiceKind::Database, id);
        s.arn = ctx.opt_str(v, &path, "DBInstanceArn")?.map(str::to_string);
        s.public = ctx.opt_bool(v, &path, "PubliclyAccessible")? == Some(true);
        let status = ctx.opt_str(v, &path, "DBInstanceStatus")?;
        if matches!(
            status,
            Some(
                "stopped"
                    | "stopping"
                    | "deleting"
                    | "failed"
                    | "inaccessible-encryption-credentials"
            )
        ) {
            s.not_running = status.map(str::to_string);
        }
        let mut dns = None;
        if let Some(e) = member(v, "Endpoint") {
            let ep = path.key("Endpoint");
            s.ports.extend(port(ctx, e, &ep, "Port")?);
            dns = ctx.opt_str(e, &ep, "Address")?.map(str::to_string);
        }
        if s.ports.is_empty() {
            s.ports.extend(port(ctx, v, &path, "DbInstancePort")?);
        }
        s.names.extend(dns.clone());
        s.cluster = ctx
            .opt_str(v, &path, "DBClusterIdentifier")?
            .map(str::to_string);
        s.names.extend(s.cluster.clone());
        s.iam_auth = ctx.opt_bool(v, &path, "IAMDatabaseAuthenticationEnabled")?;
        // An Aurora instance's IAM authentication names its cluster's resource id (read from
        // `DBClusters`), not its own.
        if s.cluster.is_none() {
            let resource = ctx.opt_str(v, &path, "DbiResourceId")?;
            s.iam_resource = s.arn.as_deref().and_then(|a| rds_db_arn(a, resource?));
        }
        s.names.extend(name_tag(ctx, v, &path, "TagList")?);
        let mut groups = Vec::new();
        for (p, sg) in ctx.array(v, &path, "VpcSecurityGroups")? {
            ctx.object(&p, sg)?;
            if matches!(
                ctx.opt_str(sg, &p, "Status")?,
                Some("inactive" | "removing")
            ) {
                continue;
            }
            if let Some(id) = ctx.opt_str(sg, &p, "VpcSecurityGroupId")? {
                refs.push(reference(
                    ctx,
                    RefKind::SecurityGroup,
                    id,
                    &p,
                    sg,
                    "VpcSecurityGroupId",
                ));
                groups.push(id.to_string());
            }
        }
        // The primary in `AvailabilityZone`, a Multi-AZ standby in `SecondaryAvailabilityZone`,
        // each in the subnet group's subnet of that zone.
        let mut subnets = Vec::new();
        if let Some(sg) = member(v, "DBSubnetGroup") {
            let sp = path.key("DBSubnetGroup");
            for (p, sn) in ctx.array(sg, &sp, "Subnets")? {
                ctx.object(&p, sn)?;
                let Some(id) = ctx.opt_str(sn, &p, "SubnetIdentifier")? else {
                    continue;
                };
                let az = match member(sn, "SubnetAvailabilityZone") {
                    Some(z) => ctx.opt_str(z, &p.key("SubnetAvailabilityZone"), "Name")?,
                    None => None,
                };
                subnets.push((id.to_string(), az.map(str::to_string), p.clone(), sn));
            }
        }
        let zones = [
            ctx.opt_str(v, &path, "AvailabilityZone")?,
            if ctx.opt_bool(v, &path, "MultiAZ")? == Some(true) {
                ctx.opt_str(v, &path, "SecondaryAvailabilityZone")?
            } else {
                None
            },
        ];
        let mut placements = Vec::new();
        for zone in zones.into_iter().flatten() {
            if let Some((id, _, p, sn)) = subnets.iter().find(|s| s.1.as_deref() == Some(zone)) {
                subnet_ref(ctx, id, p, sn, "SubnetIdentifier", refs);
                let mut pl = placement(ctx, p, sn);
                pl.subnet_id = Some(id.clone());
                pl.groups.clone_from(&groups);
                placements.push(pl);
            }
        }
        if placements.is_empty() {
            if let Some((id, _, p, sn)) = subnets.first() {
                subnet_ref(ctx, id, p, sn, "SubnetIdentifier", refs);
                let mut pl = placement(ctx, p, sn);
                pl.subnet_id = Some(id.clone());
                pl.groups = groups;
                placements.push(pl);
            }
        }
        g.pending.push(Pending {
            public_name: if s.public { dns } else { None },
            service: s,
            placements,
            description: None,
        });
    }
    Ok(())
}

/// `arn:aws:rds-db:REGION:ACCOUNT:dbuser:RESOURCE-ID` from an RDS ARN
/// (`arn:PARTITION:rds:REGION:ACCOUNT:db:ID` or `...:cluster:ID`) and a resource id.
fn rds_db_arn(rds_arn: &str, resource_id: &str) -> Option<String> {
    let mut parts = rds_arn.splitn(6, ':');
    let (Some("arn"), Some(partition), Some("rds"), Some(region), Some(account)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    Some(format!(
        "arn:{partition}:rds-db:{region}:{account}:dbuser:{resource_id}"
    ))
}

/// An Aurora cluster of `rds describe-db-clusters`.
#[derive(Debug, Clone, Default)]
pub(crate) struct DbCluster {
    id: String,
    arn: Option<String>,
    endpoint: Option<String>,
    reader_endpoint: Option<String>,
    iam_resource: Option<String>,
    iam_auth: Option<bool>,
    /// Member instance identifier and `IsClusterWriter`.
    members: Vec<(String, bool)>,
}

fn clusters(ctx: &Ctx<'_>, root: &Json, base: &JsonPath, g: &mut Gathered) -> R<()> {
    for (path, v) in ctx.array(root, base, "DBClusters")? {
        ctx.object(&path, v)?;
        let id = ctx.req_str(v, &path, "DBClusterIdentifier")?.to_string();
        let arn = ctx.opt_str(v, &path, "DBClusterArn")?.map(str::to_string);
        let resource = ctx.opt_str(v, &path, "DbClusterResourceId")?;
        let iam_resource = match (arn.as_deref(), resource) {
            (Some(a), Some(r)) => rds_db_arn(a, r),
            _ => None,
        };
        let mut members = Vec::new();
        for (p, m) in ctx.array(v, &path, "DBClusterMembers")? {
            ctx.object(&p, m)?;
            let Some(member_id) = ctx.opt_str(m, &p, "DBInstanceIdentifier")? else {
                continue;
            };
            let writer = ctx.opt_bool(m, &p, "IsClusterWriter")? == Some(true);
            members.push((member_id.to_string(), writer));
        }
        g.clusters.push(DbCluster {
            id,
            arn,
            endpoint: ctx.opt_str(v, &path, "Endpoint")?.map(str::to_string),
            reader_endpoint: ctx.opt_str(v, &path, "ReaderEndpoint")?.map(str::to_string),
            iam_resource,
            iam_auth: ctx.opt_bool(v, &path, "IAMDatabaseAuthenticationEnabled")?,
            members,
        });
    }
    Ok(())
}

/// What a cluster says of its member instances: the cluster's id, ARN and (writer) endpoint
/// name the writer; the reader endpoint names the readers (the writer when there is none);
/// IAM authentication is the cluster's.
fn apply_clusters(pending: &mut [Pending], clusters: &[DbCluster]) {
    for c in clusters {
        let has_reader = c.members.iter().any(|(_, w)| !w);
        for p in pending.iter_mut() {
            let s = &mut p.service;
            if s.kind != ServiceKind::Database {
                continue;
            }
            let Some(&(_, writer)) = c.members.iter().find(|(m, _)| *m == s.id) else {
                continue;
            };
            s.cluster = Some(c.id.clone());
            s.names.retain(|n| *n != c.id);
            if writer {
                s.names.push(c.id.clone());
                s.names.extend(c.arn.clone());
                s.names.extend(c.endpoint.clone());
            }
            if !writer || !has_reader {
                s.names.extend(c.reader_endpoint.clone());
            }
            s.iam_resource.clone_from(&c.iam_resource);
            if c.iam_auth.is_some() {
                s.iam_auth = c.iam_auth;
            }
        }
    }
}

fn mount_targets(
    ctx: &Ctx<'_>,
    root: &Json,
    base: &JsonPath,
    g: &mut Gathered,
    refs: &mut Vec<Reference>,
) -> R<()> {
    for (path, w) in ctx.array(root, base, "MountTargetSecurityGroups")? {
        ctx.object(&path, w)?;
        let id = ctx.req_str(w, &path, "MountTargetId")?.to_string();
        let groups = strings(ctx, w, &path, "SecurityGroups")?;
        group_refs(ctx, &groups, &path, w, "SecurityGroups", refs);
        g.mount_target_groups.entry(id).or_default().extend(groups);
    }
    for (path, v) in ctx.array(root, base, "MountTargets")? {
        ctx.object(&path, v)?;
        let id = ctx.req_str(v, &path, "MountTargetId")?.to_string();
        let state = ctx.opt_str(v, &path, "LifeCycleState")?;
        if matches!(state, Some("deleted" | "deleting")) {
            continue;
        }
        let mut s = service(ServiceKind::MountTarget, id);
        let fs = ctx.opt_str(v, &path, "FileSystemId")?;
        s.names.extend(fs.map(str::to_string));
        // The file system's ARN, from the mount target's owner and zone (its region is the
        // zone's name without the last letter).
        let owner = ctx.opt_str(v, &path, "OwnerId")?;
        let zone = ctx.opt_str(v, &path, "AvailabilityZoneName")?;
        if let (Some(fs), Some(owner), Some(zone)) = (fs, owner, zone) {
            let region = zone.trim_end_matches(|c: char| c.is_ascii_alphabetic());
            let arn = format!("arn:aws:elasticfilesystem:{region}:{owner}:file-system/{fs}");
            s.names.push(arn.clone());
            s.iam_resource = Some(arn);
        }
        s.ports.push(2049);
        let mut pl = placement(ctx, &path, v);
        if let Some(subnet) = ctx.opt_str(v, &path, "SubnetId")? {
            subnet_ref(ctx, subnet, &path, v, "SubnetId", refs);
            pl.subnet_id = Some(subnet.to_string());
        }
        pl.eni_id = ctx
            .opt_str(v, &path, "NetworkInterfaceId")?
            .map(str::to_string);
        pl.address = ctx.opt_ipv4(v, &path, "IpAddress")?;
        g.pending.push(Pending {
            service: s,
            placements: vec![pl],
            description: None,
            public_name: None,
        });
    }
    Ok(())
}

fn caches(
    ctx: &Ctx<'_>,
    root: &Json,
    base: &JsonPath,
    g: &mut Gathered,
    refs: &mut Vec<Reference>,
) -> R<()> {
    for (path, v) in ctx.array(root, base, "CacheSubnetGroups")? {
        ctx.object(&path, v)?;
        let name = ctx.req_str(v, &path, "CacheSubnetGroupName")?.to_string();
        let mut subnets = Vec::new();
        for (p, sn) in ctx.array(v, &path, "Subnets")? {
            ctx.object(&p, sn)?;
            if let Some(id) = ctx.opt_str(sn, &p, "SubnetIdentifier")? {
                let az = match member(sn, "SubnetAvailabilityZone") {
                    Some(z) => ctx.opt_str(z, &p.key("SubnetAvailabilityZone"), "Name")?,
                    None => None,
                };
                subnet_ref(ctx, id, &p, sn, "SubnetIdentifier", refs);
                subnets.push((id.to_string(), az.map(str::to_string)));
            }
        }
        g.cache_subnets.insert(name, subnets);
    }
    for (path, v) in ctx.array(root, base, "CacheClusters")? {
        ctx.object(&path, v)?;
        let id = ctx.req_str(v, &path, "CacheClusterId")?.to_string();
        let mut s = service(ServiceKind::Cache, id);
        s.arn = ctx.opt_str(v, &path, "ARN")?.map(str::to_string);
        s.names.extend(
            ctx.opt_str(v, &path, "ReplicationGroupId")?
                .map(str::to_string),
        );
        let mut groups = Vec::new();
        for (p, sg) in ctx.array(v, &path, "SecurityGroups")? {
            ctx.object(&p, sg)?;
            if let Some(gid) = ctx.opt_str(sg, &p, "SecurityGroupId")? {
                refs.push(reference(
                    ctx,
                    RefKind::SecurityGroup,
                    gid,
                    &p,
                    sg,
                    "SecurityGroupId",
                ));
                groups.push(gid.to_string());
            }
        }
        let mut node_zones = Vec::new();
        for (p, n) in ctx.array(v, &path, "CacheNodes")? {
            ctx.object(&p, n)?;
            if let Some(e) = member(n, "Endpoint") {
                s.ports.extend(port(ctx, e, &p.key("Endpoint"), "Port")?);
            }
            node_zones.extend(
                ctx.opt_str(n, &p, "CustomerAvailabilityZone")?
                    .map(str::to_string),
            );
        }
        if let Some(e) = member(v, "ConfigurationEndpoint") {
            s.ports
                .extend(port(ctx, e, &path.key("ConfigurationEndpoint"), "Port")?);
        }
        if s.ports.is_empty() {
            match ctx.opt_str(v, &path, "Engine")? {
                Some("memcached") => s.ports.push(11211),
                Some(_) => s.ports.push(6379),
                None => {}
            }
        }
        s.ports.sort_unstable();
        s.ports.dedup();
        if node_zones.is_empty() {
            node_zones.extend(
                ctx.opt_str(v, &path, "PreferredAvailabilityZone")?
                    .map(str::to_string),
            );
        }
        let group_name = ctx.opt_str(v, &path, "CacheSubnetGroupName")?;
        let subnets = group_name
            .and_then(|n| g.cache_subnets.get(n))
            .cloned()
            .unwrap_or_default();
        let mut placements = Vec::new();
        for z in &node_zones {
            if let Some((sid, _)) = subnets.iter().find(|(_, az)| az.as_deref() == Some(z)) {
                if placements
                    .iter()
                    .any(|p: &Placement| p.subnet_id.as_deref() == Some(sid))
                {
                    continue;
                }
                let mut pl = placement(ctx, &path, v);
                pl.subnet_id = Some(sid.clone());
                pl.groups.clone_from(&groups);
                placements.push(pl);
            }
        }
        if placements.is_empty() {
            if let Some((sid, _)) = subnets.first() {
                let mut pl = placement(ctx, &path, v);
                pl.subnet_id = Some(sid.clone());
                pl.groups = groups;
                placements.push(pl);
            } else if group_name.is_some() {
                let mut w = placement(ctx, &path, v);
                w.groups = groups;
                placements.push(w); // reported as unplaced by `place`
            }
        }
        g.pending.push(Pending {
            service: s,
            placements,
            description: None,
            public_name: None,
        });
    }
    Ok(())
}

fn functions(
    ctx: &Ctx<'_>,
    root: &Json,
    base: &JsonPath,
    g: &mut Gathered,
    refs: &mut Vec<Reference>,
) -> R<()> {
    for (path, v) in ctx.array(root, base, "Functions")? {
        ctx.object(&path, v)?;
        let name = ctx.req_str(v, &path, "FunctionName")?.to_string();
        let Some(vc) = member(v, "VpcConfig") else {
            continue; // not in a VPC: outside the network polcheck models
        };
        let vp = path.key("VpcConfig");
        let subnets = strings(ctx, vc, &vp, "SubnetIds")?;
        if subnets.is_empty() {
            continue;
        }
        let groups = strings(ctx, vc, &vp, "SecurityGroupIds")?;
        group_refs(ctx, &groups, &vp, vc, "SecurityGroupIds", refs);
        let mut s = service(ServiceKind::Lambda, name.clone());
        s.arn = ctx.opt_str(v, &path, "FunctionArn")?.map(str::to_string);
        let mut placements = Vec::new();
        for sid in subnets {
            subnet_ref(ctx, &sid, &vp, vc, "SubnetIds", refs);
            let mut pl = placement(ctx, &vp, vc);
            pl.subnet_id = Some(sid);
            pl.groups.clone_from(&groups);
            placements.push(pl);
        }
        g.pending.push(Pending {
            service: s,
            placements,
            description: Some(format!("AWS Lambda VPC ENI-{name}")),
            public_name: None,
        });
    }
    Ok(())
}

fn tasks(
    ctx: &Ctx<'_>,
    root: &Json,
    base: &JsonPath,
    g: &mut Gathered,
    refs: &mut Vec<Reference>,
) -> R<()> {
    for (path, v) in ctx.array(root, base, "tasks")? {
        ctx.object(&path, v)?;
        let arn = ctx.req_str(v, &path, "taskArn")?.to_string();
        let id = arn.rsplit('/').next().unwrap_or(&arn).to_string();
        let mut s = service(ServiceKind::EcsTask, id);
        s.arn = Some(arn);
        s.names
            .extend(ctx.opt_str(v, &path, "group")?.map(str::to_string));
        s.names.extend(name_tag(ctx, v, &path, "tags")?);
        let status = ctx.opt_str(v, &path, "lastStatus")?;
        if matches!(
            status,
            Some("STOPPED" | "DEPROVISIONING" | "STOPPING" | "DELETED")
        ) {
            s.not_running = status.map(str::to_string);
        }
        let mut placements = Vec::new();
        for (p, a) in ctx.array(v, &path, "attachments")? {
            ctx.object(&p, a)?;
            if ctx.opt_str(a, &p, "type")? != Some("ElasticNetworkInterface") {
                continue;
            }
            let mut pl = placement(ctx, &p, a);
            for (dp, d) in ctx.array(a, &p, "details")? {
                ctx.object(&dp, d)?;
                let value = ctx.opt_str(d, &dp, "value")?;
                match ctx.opt_str(d, &dp, "name")? {
                    Some("subnetId") => {
                        if let Some(sid) = value {
                            subnet_ref(ctx, sid, &dp, d, "value", refs);
                        }
                        pl.subnet_id = value.map(str::to_string);
                    }
                    Some("networkInterfaceId") => pl.eni_id = value.map(str::to_string),
                    Some("privateIPv4Address") => {
                        pl.address = ctx.opt_ipv4(d, &dp, "value")?;
                    }
                    _ => {}
                }
            }
            placements.push(pl);
        }
        if placements.is_empty() {
            continue; // not `awsvpc`: the task shares its instance's interface
        }
        g.pending.push(Pending {
            service: s,
            placements,
            description: None,
            public_name: None,
        });
    }
    Ok(())
}

fn endpoints(
    ctx: &Ctx<'_>,
    root: &Json,
    base: &JsonPath,
    g: &mut Gathered,
    refs: &mut Vec<Reference>,
) -> R<()> {
    for (path, v) in ctx.array(root, base, "VpcEndpoints")? {
        ctx.object(&path, v)?;
        if ctx.opt_str(v, &path, "VpcEndpointType")? != Some("Interface") {
            continue;
        }
        let id = ctx.req_str(v, &path, "VpcEndpointId")?.to_string();
        let mut s = service(ServiceKind::InterfaceEndpoint, id);
        let state = ctx.opt_str(v, &path, "State")?;
        if state.is_some_and(|st| !st.eq_ignore_ascii_case("available")) {
            s.not_running = state.map(str::to_string);
        }
        s.names
            .extend(ctx.opt_str(v, &path, "ServiceName")?.map(str::to_string));
        s.names.extend(name_tag(ctx, v, &path, "Tags")?);
        for (p, d) in ctx.array(v, &path, "DnsEntries")? {
            ctx.object(&p, d)?;
            s.names
                .extend(ctx.opt_str(d, &p, "DnsName")?.map(str::to_string));
        }
        let mut groups = Vec::new();
        for (p, sg) in ctx.array(v, &path, "Groups")? {
            ctx.object(&p, sg)?;
            if let Some(gid) = ctx.opt_str(sg, &p, "GroupId")? {
                groups.push(gid.to_string());
            }
        }
        let enis = strings(ctx, v, &path, "NetworkInterfaceIds")?;
        let subnets = strings(ctx, v, &path, "SubnetIds")?;
        let mut placements = Vec::new();
        for e in &enis {
            let mut pl = placement(ctx, &path, v);
            pl.eni_id = Some(e.clone());
            placements.push(pl);
        }
        if enis.is_empty() {
            group_refs(ctx, &groups, &path, v, "Groups", refs);
            for sid in subnets {
                subnet_ref(ctx, &sid, &path, v, "SubnetIds", refs);
                let mut pl = placement(ctx, &path, v);
                pl.subnet_id = Some(sid);
                pl.groups.clone_from(&groups);
                placements.push(pl);
            }
        }
        g.pending.push(Pending {
            service: s,
            placements,
            description: None,
            public_name: None,
        });
    }
    Ok(())
}

/// Gives every gathered service its interfaces (exported or placed), its listeners and target
/// groups, and adds them to the model. Call after the interfaces and subnets are indexed.
pub(crate) fn place(model: &mut NetworkModel, g: Gathered, warnings: &mut Vec<NetworkWarning>) {
    let mut taken: HashSet<IpAddr> = model.index.address.keys().copied().collect();
    let Gathered {
        mut pending,
        mut listeners,
        mut target_groups,
        mut targets,
        mount_target_groups,
        clusters,
        ..
    } = g;
    apply_clusters(&mut pending, &clusters);
    for tg in &mut target_groups {
        tg.targets = targets.remove(&tg.arn);
    }
    model.target_groups = target_groups;
    let mut seen = HashSet::new();
    for mut p in pending {
        let label = p.service.label();
        if !seen.insert(label.clone()) {
            continue; // the same record in two files
        }
        if p.service.kind == ServiceKind::LoadBalancer {
            p.service.listeners = p.service.arn.as_ref().and_then(|a| listeners.remove(a));
        }
        if p.service.kind == ServiceKind::MountTarget {
            if let Some(groups) = mount_target_groups.get(&p.service.id) {
                for pl in &mut p.placements {
                    pl.groups.clone_from(groups);
                }
            }
        }
        let mut ids = Vec::new();
        if let Some(prefix) = &p.description {
            ids.extend(
                model
                    .interfaces
                    .iter()
                    .filter(|e| {
                        e.description_text
                            .as_deref()
                            .is_some_and(|d| d.starts_with(prefix.as_str()))
                    })
                    .map(|e| e.id.clone()),
            );
        }
        if ids.is_empty() {
            for (n, pl) in p.placements.iter().enumerate() {
                if let Some(eni) = pl
                    .eni_id
                    .as_deref()
                    .filter(|e| model.interface(e).is_some())
                {
                    ids.push(eni.to_string());
                    continue;
                }
                let subnet = pl
                    .subnet_id
                    .as_deref()
                    .and_then(|s| model.subnet(s))
                    .cloned();
                let Some(subnet) = subnet else {
                    warnings.push(NetworkWarning {
                        file: pl.file.clone(),
                        path: pl.path.clone(),
                        line: pl.line,
                        column: pl.column,
                        code: "SERVICE_NOT_PLACED",
                        message: format!(
                            "{} `{}` has no subnet the world holds{}: it has no interface here",
                            p.service.kind.noun(),
                            p.service.id,
                            pl.eni_id
                                .as_deref()
                                .map(|e| format!(
                                    " and its interface `{e}` is not in `NetworkInterfaces`"
                                ))
                                .unwrap_or_default()
                        ),
                    });
                    continue;
                };
                let address = pl.address.or_else(|| free_address(&subnet, &taken));
                if let Some(a) = address {
                    taken.insert(IpAddr::V4(a));
                }
                let repeated = p
                    .placements
                    .iter()
                    .filter(|q| q.subnet_id == pl.subnet_id)
                    .count()
                    > 1;
                let id = match &pl.eni_id {
                    Some(e) => e.clone(),
                    None if !repeated => format!("{label}/{}", subnet.id),
                    None => format!("{label}/{}#{n}", subnet.id),
                };
                let placed = if pl.address.is_some() {
                    ""
                } else {
                    " (address chosen by polcheck: the export gives none)"
                };
                model.interfaces.push(NetworkInterface {
                    id: id.clone(),
                    subnet_id: subnet.id.clone(),
                    vpc_id: subnet.vpc_id.clone(),
                    instance_id: None,
                    device_index: None,
                    private_ipv4: address.into_iter().collect(),
                    public_ipv4: address.zip(pl.public_ip).into_iter().collect(),
                    ipv6: Vec::new(),
                    groups: pl.groups.clone(),
                    description: Some(format!("{}{placed}", p.service.kind.noun())),
                    // The owner AWS would write, so the interface reads as the service's.
                    description_text: p.description.clone(),
                    public_name: None,
                });
                ids.push(id);
            }
        }
        for id in &ids {
            if let Some(e) = model.interfaces.iter_mut().find(|e| &e.id == id) {
                if p.service.public && e.public_ipv4.is_empty() {
                    e.public_name = Some(p.public_name.clone().unwrap_or_else(|| label.clone()));
                }
            }
        }
        p.service.interface_ids = ids;
        model.services.push(p.service);
    }
}

/// The subnet's first IPv4 address after the four AWS reserves that no interface holds.
fn free_address(subnet: &super::super::model::Subnet, taken: &HashSet<IpAddr>) -> Option<Ipv4Addr> {
    let net = subnet.cidrs.iter().find_map(|c| match c {
        ipnet::IpNet::V4(n) => Some(*n),
        ipnet::IpNet::V6(_) => None,
    })?;
    let first = u32::from(net.network()).checked_add(4)?;
    let last = u32::from(net.broadcast()).checked_sub(1)?;
    (first..=last)
        .take(65_536)
        .map(Ipv4Addr::from)
        .find(|a| !taken.contains(&IpAddr::V4(*a)))
}
