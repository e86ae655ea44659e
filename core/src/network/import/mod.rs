//! Reading the network half of a world: AWS `describe-*` exports into a [`NetworkModel`].
//!
//! A world is one JSON object or several merged by concatenating the arrays under each key, so
//! the importer takes a list of `(document, file name)` pairs and reads every file's arrays in
//! turn; a reference may point into another file. Keys read (all optional, each an array, `null`
//! meaning empty, and `null` members meaning absent, as the SDKs print them):
//!
//! | key | from | taken |
//! | --- | --- | --- |
//! | `Vpcs` | `describe-vpcs` | `VpcId`, `CidrBlock`, `CidrBlockAssociationSet`, `Ipv6CidrBlockAssociationSet`, `IsDefault` |
//! | `Subnets` | `describe-subnets` | `SubnetId`, `VpcId`, `CidrBlock`, `Ipv6CidrBlockAssociationSet`, `AvailabilityZone` |
//! | `InternetGateways` | `describe-internet-gateways` | `InternetGatewayId`, `Attachments[].VpcId` |
//! | `RouteTables` | `describe-route-tables` | `Associations` (`Main`, `SubnetId`), `Routes` (destination, target, `State`) |
//! | `NetworkAcls` | `describe-network-acls` | `IsDefault`, `Associations[].SubnetId`, `Entries` |
//! | `SecurityGroups` | `describe-security-groups` | `IpPermissions`, `IpPermissionsEgress` |
//! | `Reservations` | `describe-instances` | instances, `State.Name`, `NetworkInterfaces`, `IamInstanceProfile.Arn` (for the access paths) |
//! | `NetworkInterfaces` | `describe-network-interfaces` | interfaces no instance of the world owns |
//! | `PrefixLists` | `describe-managed-prefix-lists` (and `describe-prefix-lists`, whose elements carry `Cidrs`) | `PrefixListId`, `PrefixListName`, `Cidrs` |
//! | `PrefixListEntries` | polcheck's wrapper of `get-managed-prefix-list-entries` | `PrefixListId`, `Entries[].Cidr` |
//! | `ManagedPrefixLists` | polcheck's earlier shape, still read | `PrefixListId`, `PrefixListName`, `Entries[].Cidr` |
//!
//! AWS splits a managed prefix list over two calls, and `get-managed-prefix-list-entries`
//! prints `{"Entries": [...]}` without the list's id; hence the wrapper key
//! `PrefixListEntries`: `[{"PrefixListId": "pl-0a1b", "Entries": [{"Cidr": "192.0.2.0/24",
//! "Description": "hq"}]}]`. Records of one id under several keys or files are merged. A list
//! named by a route or rule but without entries in the world is a warning
//! (`PREFIX_LIST_WITHOUT_ENTRIES`): the route or rule matches nothing.
//!
//! Other top-level keys are ignored here: the IAM half of the world reads them, and the world
//! reader warns about keys nobody knows. Errors and warnings follow the rule stated in
//! [`super::error`]. Records that no longer exist (disassociated CIDR blocks and route table
//! associations, detached gateways) are skipped. Instances are kept whatever their
//! `State.Name`: a `stopping`, `stopped`, `shutting-down` or `terminated` one loses its public
//! addresses (AWS releases them; an Elastic IP stays associated but carries nothing), is never
//! exposed, and blocks every flow to or from it (`instance-state`).

mod instances;
mod reader;
mod records;
mod rules;
mod services;

use std::collections::HashSet;

use crate::json::{Document, JsonPath, Position};

use super::error::{ImportErrorKind, NetworkImportError, NetworkWarning};
use super::model::{NetworkModel, Route, RouteTarget};
use reader::Ctx;

/// Limits on a world's network, far above real estates (AWS allows 1,000 routes per route
/// table by quota), so that a hostile export is refused with a clear error instead of
/// exhausting memory: a route naming a prefix list stands for one route per entry, so a
/// 64 MiB export of a large prefix list and many routes naming it would otherwise expand to
/// billions of routes.
pub mod limits {
    /// Routes in every route table of the world together, prefix-list routes expanded.
    pub const MAX_ROUTES: usize = 1_000_000;
}

/// A reference from one component to another, checked once every file is read.
pub(crate) struct Reference {
    pub(crate) what: RefKind,
    pub(crate) id: String,
    pub(crate) file: String,
    pub(crate) path: JsonPath,
    pub(crate) position: Position,
}

/// What a [`Reference`] names, and whether a dangling one is an error.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum RefKind {
    /// A subnet, route table or ACL naming its VPC: an error when missing.
    Vpc,
    /// An interface naming its subnet: an error when missing.
    InterfaceSubnet,
    /// A route table or ACL association naming a subnet: a warning.
    AssociatedSubnet,
    /// An interface or rule naming a security group: a warning.
    SecurityGroup,
    /// A security group rule naming a prefix list: a warning.
    PrefixList,
}

/// Reads the network keys of every document into one model.
pub(crate) fn import(
    files: &[(&str, &Document)],
) -> Result<(NetworkModel, Vec<NetworkWarning>), NetworkImportError> {
    let mut model = NetworkModel::default();
    let mut warnings = Vec::new();
    let mut refs = Vec::new();
    let mut seen = HashSet::new();
    let mut routes = 0;
    // Prefix lists first: routes expand their entries while being read.
    for &(file, doc) in files {
        let mut ctx = Ctx {
            doc,
            file,
            warnings: &mut warnings,
            routes: &mut routes,
        };
        ctx.object(&JsonPath::root(), &doc.root)?;
        records::prefix_lists(&mut ctx, &mut model, &mut seen)?;
    }
    model.build_index();
    let mut gathered = services::Gathered::default();
    for &(file, doc) in files {
        let mut ctx = Ctx {
            doc,
            file,
            warnings: &mut warnings,
            routes: &mut routes,
        };
        records::read_all(&mut ctx, &mut model, &mut refs, &mut seen)?;
        services::read(&mut ctx, &mut gathered, &mut refs)?;
    }
    model.build_index();
    check_references(&mut model, &refs, &mut warnings)?;
    add_local_routes(&mut model);
    model.build_index();
    services::place(&mut model, gathered, &mut warnings);
    model.build_index();
    Ok((model, warnings))
}

/// Fails on a dangling reference that leaves a component unplaced; warns on the others. Fills
/// each interface's VPC from its subnet.
fn check_references(
    model: &mut NetworkModel,
    refs: &[Reference],
    warnings: &mut Vec<NetworkWarning>,
) -> Result<(), NetworkImportError> {
    for r in refs {
        let (known, what, fatal, code) = match r.what {
            RefKind::Vpc => (model.vpc(&r.id).is_some(), "vpc", true, ""),
            RefKind::InterfaceSubnet => (model.subnet(&r.id).is_some(), "subnet", true, ""),
            RefKind::AssociatedSubnet => (
                model.subnet(&r.id).is_some(),
                "subnet",
                false,
                "UNKNOWN_SUBNET",
            ),
            RefKind::SecurityGroup => (
                model.security_group(&r.id).is_some(),
                "security group",
                false,
                "UNKNOWN_SECURITY_GROUP",
            ),
            RefKind::PrefixList => (
                model.prefix_list(&r.id).is_some(),
                "prefix list",
                false,
                "UNKNOWN_PREFIX_LIST",
            ),
        };
        if known && r.what == RefKind::PrefixList {
            if model.prefix_list(&r.id).is_some_and(|l| l.cidrs.is_empty()) {
                warnings.push(NetworkWarning {
                    file: r.file.clone(),
                    path: r.path.to_string(),
                    line: r.position.line,
                    column: r.position.column,
                    code: "PREFIX_LIST_WITHOUT_ENTRIES",
                    message: format!("prefix list `{}` has no entries in the world (add what `aws ec2 get-managed-prefix-list-entries` prints under `PrefixListEntries`): the rule matches nothing", r.id),
                });
            }
            continue;
        }
        if known {
            continue;
        }
        if fatal {
            return Err(NetworkImportError {
                file: r.file.clone(),
                path: r.path.clone(),
                position: r.position,
                kind: ImportErrorKind::UnknownReference {
                    what,
                    id: r.id.clone(),
                },
            });
        }
        warnings.push(NetworkWarning {
            file: r.file.clone(),
            path: r.path.to_string(),
            line: r.position.line,
            column: r.position.column,
            code,
            message: format!(
                "unknown {what} `{}`: it is treated as matching nothing",
                r.id
            ),
        });
    }
    let subnets: HashSet<&str> = model.subnets.iter().map(|s| s.id.as_str()).collect();
    model
        .nat_gateways
        .retain(|n| subnets.contains(n.subnet_id.as_str()));
    let vpc_of: std::collections::HashMap<String, String> = model
        .subnets
        .iter()
        .map(|s| (s.id.clone(), s.vpc_id.clone()))
        .collect();
    for eni in &mut model.interfaces {
        if let Some(vpc) = vpc_of.get(&eni.subnet_id) {
            eni.vpc_id.clone_from(vpc);
        }
    }
    Ok(())
}

/// Adds the `local` route of every VPC CIDR a table lacks (AWS always has them; hand-written
/// worlds often omit them).
fn add_local_routes(model: &mut NetworkModel) {
    for table in &mut model.route_tables {
        let Some(vpc) = model
            .index
            .vpc
            .get(&table.vpc_id)
            .and_then(|&i| model.vpcs.get(i))
        else {
            continue;
        };
        for cidr in &vpc.cidrs {
            let present = table
                .routes
                .iter()
                .any(|r| r.target == RouteTarget::Local && r.destination == *cidr);
            if !present {
                table.routes.push(Route {
                    destination: *cidr,
                    prefix_list: None,
                    target: RouteTarget::Local,
                    blackhole: false,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests;
