//! Services that live in subnets: load balancers, RDS databases, EFS mount targets,
//! ElastiCache clusters, Lambda functions in a VPC, ECS tasks and interface VPC endpoints.
//!
//! Each is read from its own service's `describe-*` output (see [`super::import`] and
//! `docs/world-format.md`) into a [`Service`]: the interfaces it owns in the VPC (exported with
//! `describe-network-interfaces`, or placed by polcheck from the record's subnets and security
//! groups), the ports it listens on, and for a load balancer its listeners and target groups.
//! A flow names a service by `KIND:REF` (`lb:web`, `rds:orders`, `efs:fs-0a1b`, `cache:sessions`,
//! `lambda:resize`, `ecs:TASK-ID`, `vpce:com.amazonaws.us-east-1.ssm`), by its ARN, or by its
//! `Name` tag as `name:NAME` (instances too); `network::serve` picks the interface.
//!
//! What a service adds to a flow to one of its interfaces (the same by service name or by
//! interface id, so `exposure` and flows agree):
//! - a port it does not listen on is refused (a `service` blocker): a database its
//!   `Endpoint.Port`, a mount target 2049 (NFS), a cache cluster its nodes' port, a load
//!   balancer its listeners' ports; a Lambda function takes no inbound connection at all;
//! - a load balancer forwards to its listener's target groups: the flow is allowed when the
//!   internet-to-listener part is and at least one registered target is reachable from the load
//!   balancer's interfaces on the target port (each target's answer is a note); without
//!   listeners, target groups or target health in the world the answer is `unknown`;
//! - a database that is not `available` (`stopped`...) takes no traffic.

use std::fmt;

/// The kind of a [`Service`], and the prefix a flow names it by.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ServiceKind {
    /// `elbv2 describe-load-balancers` (application and network load balancers): `lb:`.
    LoadBalancer,
    /// `rds describe-db-instances`: `rds:`.
    Database,
    /// `efs describe-mount-targets`: `efs:` (the file system id or the mount target id).
    MountTarget,
    /// `elasticache describe-cache-clusters`: `cache:`.
    Cache,
    /// `lambda list-functions` (functions with a `VpcConfig`): `lambda:`.
    Lambda,
    /// `ecs describe-tasks` (tasks in `awsvpc` mode): `ecs:`.
    EcsTask,
    /// `ec2 describe-vpc-endpoints` (interface endpoints): `vpce:`.
    InterfaceEndpoint,
}

impl ServiceKind {
    /// Every kind.
    pub const ALL: [ServiceKind; 7] = [
        ServiceKind::LoadBalancer,
        ServiceKind::Database,
        ServiceKind::MountTarget,
        ServiceKind::Cache,
        ServiceKind::Lambda,
        ServiceKind::EcsTask,
        ServiceKind::InterfaceEndpoint,
    ];

    /// The prefix of a flow end naming this kind (`lb`, `rds`...).
    pub fn prefix(self) -> &'static str {
        match self {
            ServiceKind::LoadBalancer => "lb",
            ServiceKind::Database => "rds",
            ServiceKind::MountTarget => "efs",
            ServiceKind::Cache => "cache",
            ServiceKind::Lambda => "lambda",
            ServiceKind::EcsTask => "ecs",
            ServiceKind::InterfaceEndpoint => "vpce",
        }
    }

    /// The kind a prefix names (with a few aliases: `elb`, `alb`, `nlb`, `db`, `elasticache`).
    pub fn from_prefix(prefix: &str) -> Option<ServiceKind> {
        Some(match prefix.to_ascii_lowercase().as_str() {
            "lb" | "elb" | "alb" | "nlb" => ServiceKind::LoadBalancer,
            "rds" | "db" => ServiceKind::Database,
            "efs" => ServiceKind::MountTarget,
            "cache" | "elasticache" => ServiceKind::Cache,
            "lambda" => ServiceKind::Lambda,
            "ecs" => ServiceKind::EcsTask,
            "vpce" => ServiceKind::InterfaceEndpoint,
            _ => return None,
        })
    }

    /// The kind in words.
    pub fn noun(self) -> &'static str {
        match self {
            ServiceKind::LoadBalancer => "load balancer",
            ServiceKind::Database => "database",
            ServiceKind::MountTarget => "efs mount target",
            ServiceKind::Cache => "cache cluster",
            ServiceKind::Lambda => "lambda function",
            ServiceKind::EcsTask => "ecs task",
            ServiceKind::InterfaceEndpoint => "interface endpoint",
        }
    }
}

impl fmt::Display for ServiceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.noun())
    }
}

/// A listener of a load balancer (`elbv2 describe-listeners`).
#[derive(Debug, Clone, PartialEq)]
pub struct Listener {
    /// `ListenerArn`, when exported.
    pub arn: Option<String>,
    /// `Port`.
    pub port: u16,
    /// `Protocol`: `HTTP`, `HTTPS`, `TCP`, `TLS`, `UDP`, `TCP_UDP`, `GENEVE`.
    pub protocol: String,
    /// The target groups of its `DefaultActions` (`TargetGroupArn` and
    /// `ForwardConfig.TargetGroups[].TargetGroupArn` of `forward` actions).
    pub target_groups: Vec<String>,
}

impl Listener {
    /// `true` when the listener takes IANA protocol `protocol` (UDP listeners UDP, the others
    /// TCP; `TCP_UDP` both).
    pub fn takes(&self, protocol: u8) -> bool {
        let p = self.protocol.to_ascii_uppercase();
        match protocol {
            super::protocol::UDP => p == "UDP" || p == "TCP_UDP",
            super::protocol::TCP => p != "UDP" && p != "GENEVE",
            _ => false,
        }
    }
}

/// One registered target of a target group (`elbv2 describe-target-health`).
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// `Target.Id`: an instance id, an IP address, a Lambda function ARN or a load balancer ARN.
    pub id: String,
    /// `Target.Port`, when given (else the target group's port).
    pub port: Option<u16>,
    /// `TargetHealth.State`: `healthy`, `unhealthy`, `initial`, `unused`, `draining`,
    /// `unavailable`.
    pub state: Option<String>,
}

/// A target group (`elbv2 describe-target-groups`) and its targets.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetGroup {
    /// `TargetGroupArn`.
    pub arn: String,
    /// `TargetGroupName`.
    pub name: Option<String>,
    /// `Port`: the port the load balancer sends to.
    pub port: Option<u16>,
    /// `TargetType`: `instance`, `ip`, `lambda` or `alb`.
    pub target_type: String,
    /// `HealthCheckPort`: the port the load balancer's health checks go to; `None` for
    /// `traffic-port` (each target's own port) or when not exported.
    pub health_check_port: Option<u16>,
    /// `HealthCheckProtocol` (`HTTP`, `HTTPS`, `TCP`...), when exported.
    pub health_check_protocol: Option<String>,
    /// The targets, when their health was exported; `None` when it was not.
    pub targets: Option<Vec<Target>>,
}

/// A service living in subnets, reached at its interfaces.
#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    /// The kind.
    pub kind: ServiceKind,
    /// Its id as the service prints it: `LoadBalancerName`, `DBInstanceIdentifier`,
    /// `MountTargetId`, `CacheClusterId`, `FunctionName`, the task id, `VpcEndpointId`.
    pub id: String,
    /// Its ARN, when exported.
    pub arn: Option<String>,
    /// Other names a flow may use: the `Name` tag, DNS names, the file system id, the service
    /// name of an endpoint.
    pub names: Vec<String>,
    /// Its interfaces, the primary first.
    pub interface_ids: Vec<String>,
    /// The TCP ports it listens on (empty: every port, or, for a Lambda function, none).
    pub ports: Vec<u16>,
    /// A load balancer's listeners; `None` when the world holds none of its listeners.
    pub listeners: Option<Vec<Listener>>,
    /// The service's state when it takes no traffic (`stopped`...), else `None`.
    pub not_running: Option<String>,
    /// `true` for an internet-facing load balancer or a publicly accessible database.
    pub public: bool,
    /// The ARN IAM authorizes a client's use of the service's data plane on: for a database,
    /// `arn:aws:rds-db:REGION:ACCOUNT:dbuser:RESOURCE-ID` (a database user name is appended
    /// after `/`; `RESOURCE-ID` is the instance's `DbiResourceId`, or for an Aurora instance
    /// its cluster's `DbClusterResourceId`); for a mount target, its file system's ARN
    /// `arn:aws:elasticfilesystem:REGION:ACCOUNT:file-system/FS-ID`. `None` when the export
    /// does not say.
    pub iam_resource: Option<String>,
    /// A database's `IAMDatabaseAuthenticationEnabled` (`None`: not exported).
    pub iam_auth: Option<bool>,
    /// An Aurora instance's cluster (`DBClusterIdentifier`).
    pub cluster: Option<String>,
}

impl Service {
    /// How a flow names it: `KIND:ID`.
    pub fn label(&self) -> String {
        format!("{}:{}", self.kind.prefix(), self.id)
    }

    /// `true` when `text` is its id, ARN or one of its names.
    pub fn is_named(&self, text: &str) -> bool {
        self.id == text || self.arn.as_deref() == Some(text) || self.names.iter().any(|n| n == text)
    }
}
