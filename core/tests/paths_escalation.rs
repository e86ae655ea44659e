//! Access paths on the escalation worlds of `corpus/worlds/escalation/` (written by
//! `scripts/escalation-worlds.py`): in each, the `open-*` principals become admin through the
//! world's method, and the `closed-*` principals, which a boundary, an SCP, a condition or a
//! trust policy stops, do not. Every edge kind of the catalogue has its world.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a failing integration test should stop loudly at the line that failed"
)]

use std::path::PathBuf;

use polcheck_core::paths::{methods::METHODS, Graph, NodeKind, Options, Target};
use polcheck_core::Engine;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../corpus/worlds/escalation")
}

fn engine(name: &str) -> Engine {
    let path = dir().join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let engine = Engine::builder().world_file(name, &text).build().unwrap();
    assert!(
        engine.warnings().is_empty(),
        "{name}: {:?}",
        engine.warnings()
    );
    engine
}

/// The method ids on a path, `then` hops included.
fn methods_on(graph: &Graph, edges: &[usize]) -> Vec<&'static str> {
    let mut out = Vec::new();
    for &e in edges {
        let edge = graph.edge(e).unwrap();
        out.push(edge.method.id);
        out.extend(methods_on(graph, &edge.then));
    }
    out
}

fn check_world(name: &str, method: &str) {
    let engine = engine(name);
    let graph = Graph::build(&engine, &Options::default()).unwrap();
    let escalations = graph.escalations(&engine);
    let (mut open, mut closed) = (0, 0);
    for (i, node) in graph.nodes().iter().enumerate() {
        if node.kind == NodeKind::External {
            continue;
        }
        let found = escalations.iter().find(|e| e.from == i);
        if node.name.starts_with("open-") {
            open += 1;
            let e = found.unwrap_or_else(|| panic!("{name}: {} cannot escalate", node.name));
            let methods = methods_on(&graph, &e.path.edges);
            assert!(
                methods.contains(&method),
                "{name}: {} escalates by {methods:?}",
                node.name
            );
            // The report explains every step with an allowing statement or a noted gap.
            let report = graph.report(&engine, &e.path);
            assert!(!report.hops.is_empty());
        } else if node.name.starts_with("closed-") {
            closed += 1;
            assert!(
                found.is_none(),
                "{name}: {} escalates: {:?}",
                node.name,
                found.map(|e| methods_on(&graph, &e.path.edges))
            );
            assert!(graph.shortest(&engine, i, &Target::Admin).is_none());
        }
    }
    assert!(
        open >= 1 && closed >= 1,
        "{name}: {open} open, {closed} closed principals"
    );
}

#[test]
fn every_method_has_a_world_where_its_path_exists_and_one_principal_it_is_closed_for() {
    // Federation edges start at an identity provider, not at a principal of the world:
    // `identity_providers_assume_roles_their_trust_policies_name` checks them.
    for m in METHODS
        .iter()
        .filter(|m| !["assume-role-web-identity", "assume-role-saml"].contains(&m.id))
    {
        check_world(m.id, m.id);
    }
}

/// IAM User Guide, *Create a role for OpenID Connect federation* and *Create a role for SAML
/// 2.0 federation*: a role whose trust policy names a provider with `Federated` is assumed by
/// the provider's users with `sts:AssumeRoleWithWebIdentity` / `sts:AssumeRoleWithSAML`, under
/// the trust policy's conditions on the token's claims; no AWS credentials are involved.
#[test]
fn identity_providers_assume_roles_their_trust_policies_name() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../corpus/worlds/federation/oidc-and-saml.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let engine = Engine::builder()
        .world_file("oidc-and-saml", &text)
        .build()
        .unwrap();
    let graph = Graph::build(&engine, &Options::default()).unwrap();
    let github = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com";
    let from = graph.find(github).unwrap();
    assert_eq!(graph.nodes()[from].kind, NodeKind::IdentityProvider);
    let admin = graph.shortest(&engine, from, &Target::Admin).unwrap();
    assert_eq!(
        methods_on(&graph, &admin.edges),
        ["assume-role-web-identity"]
    );
    let edge = graph.edge(admin.edges[0]).unwrap();
    assert_eq!(edge.steps[0].action, "sts:AssumeRoleWithWebIdentity");
    // The edge keeps the claims the trust policy requires.
    let keys: Vec<(&str, &str)> = edge.steps[0]
        .conditions
        .iter()
        .map(|c| (c.key.as_str(), c.value.as_str()))
        .collect();
    assert!(
        keys.contains(&(
            "token.actions.githubusercontent.com:sub",
            "repo:octo-org/infra:ref:refs/heads/main"
        )),
        "{keys:?}"
    );
    // The SAML provider reaches its read-only role, and nothing more.
    let sso = graph
        .find("arn:aws:iam::111122223333:saml-provider/ExampleOrgSSO")
        .unwrap();
    assert!(graph.shortest(&engine, sso, &Target::Admin).is_none());
    let read_only = graph.find("SsoReadOnly").unwrap();
    let to_role = graph
        .shortest(&engine, sso, &Target::Principal(read_only))
        .unwrap();
    assert_eq!(methods_on(&graph, &to_role.edges), ["assume-role-saml"]);
    // Escalations list the OIDC provider (it becomes admin) and not the SAML one.
    let escalations = graph.escalations(&engine);
    let from_nodes: Vec<usize> = escalations.iter().map(|e| e.from).collect();
    assert_eq!(from_nodes, [from]);
}

#[test]
fn cross_account_role_chains_are_decided_on_both_sides() {
    check_world("cross-account", "assume-role");
}

#[test]
fn service_principal_edges_pass_the_role_to_the_service_that_assumes_it() {
    let engine = engine("passrole-lambda");
    let graph = Graph::build(&engine, &Options::default()).unwrap();
    let from = graph.find("open-user").unwrap();
    let to = graph.find("ServiceAdmin").unwrap();
    let path = graph
        .shortest(&engine, from, &Target::Principal(to))
        .unwrap();
    let edge = graph.edge(path.edges[0]).unwrap();
    let actions: Vec<&str> = edge.steps.iter().map(|s| s.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "iam:PassRole",
            "lambda:CreateFunction",
            "lambda:InvokeFunction",
            "sts:AssumeRole"
        ]
    );
    assert_eq!(edge.steps[3].caller, "lambda.amazonaws.com");
    assert_eq!(
        edge.steps[0].given,
        [(
            "iam:PassedToService".to_string(),
            "lambda.amazonaws.com".to_string()
        )]
    );
}

#[test]
fn the_demo_estate_has_a_role_chain_to_admin_and_a_conditional_cross_account_edge() {
    let text = include_str!("../../corpus/worlds/demo/iam.json");
    let engine = Engine::builder()
        .world_file("iam.json", text)
        .build()
        .unwrap();
    let graph = Graph::build(&engine, &Options::default()).unwrap();
    let dave = graph.find("dave").unwrap();
    let path = graph.shortest(&engine, dave, &Target::Admin).unwrap();
    assert_eq!(
        methods_on(&graph, &path.edges),
        ["assume-role", "passrole-codebuild"]
    );
    let alice = graph.find("alice").unwrap();
    assert!(graph.shortest(&engine, alice, &Target::Admin).is_none());
    let ci = graph
        .find("arn:aws:iam::444455556666:role/ci-runner")
        .unwrap();
    let deploy = graph.find("DeployRole").unwrap();
    let path = graph
        .shortest(&engine, ci, &Target::Principal(deploy))
        .unwrap();
    let edge = graph.edge(path.edges[0]).unwrap();
    assert!(edge.is_conditional());
    assert_eq!(edge.steps[0].conditions[0].key, "sts:ExternalId");
    assert_eq!(edge.steps[0].conditions[0].value, "demo-ci");
    // carol is admin only with MFA: the condition is kept.
    let carol = graph.node(graph.find("carol").unwrap()).unwrap();
    assert_eq!(
        carol.admin.as_ref().unwrap()[0].key,
        "aws:MultiFactorAuthPresent"
    );
}

/// The world's JSON with `edit` applied, as an engine.
fn edited(name: &str, edit: impl FnOnce(&mut serde_json::Value)) -> Engine {
    let path = dir().join(format!("{name}.json"));
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    edit(&mut doc);
    Engine::builder()
        .world_file(name, &doc.to_string())
        .build()
        .unwrap()
}

/// An edge as text: from, to, and each step's (action, resource, conditions).
type EdgeText = (String, String, Vec<(String, String, String)>);

fn ssm_edges(engine: &Engine) -> Vec<EdgeText> {
    let graph = Graph::build(engine, &Options::default()).unwrap();
    graph
        .edges()
        .iter()
        .filter(|e| e.method.id.starts_with("ssm-"))
        .map(|e| {
            let steps = e
                .steps
                .iter()
                .map(|s| {
                    let conditions: Vec<String> = s
                        .conditions
                        .iter()
                        .map(|c| format!("{}={}", c.key, c.value))
                        .collect();
                    (s.action.clone(), s.resource.clone(), conditions.join(","))
                })
                .collect();
            (
                graph.node(e.from).unwrap().name.clone(),
                graph.node(e.to).unwrap().name.clone(),
                steps,
            )
        })
        .collect()
}

/// Systems Manager User Guide, "Restricting Run Command access based on instance tags"
/// (https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-rc-setting-up-cmdsec.html):
/// `ssm:SendCommand` is authorized on the document (`arn:aws:ssm:*:*:document/*`) and on the
/// instance (`arn:aws:ec2:*:*:instance/*`), and `ssm:resourceTag/KEY` conditions restrict the
/// instances. The command runs on the instance, whose software holds the credentials of its
/// instance profile's role (EC2 User Guide, "IAM roles for Amazon EC2"), which
/// `ec2.amazonaws.com` must be trusted to assume. The instance profile is the join of
/// describe-instances' `IamInstanceProfile.Arn` with the role's `InstanceProfileList`.
#[test]
fn run_command_on_an_instance_acts_as_its_instance_profile_role() {
    let engine = engine("ssm-send-command");
    let edges = ssm_edges(&engine);
    let instance = "arn:aws:ec2:us-east-1:111122223333:instance/i-0e5c0000000000a1";
    let document = "arn:aws:ssm:us-east-1::document/AWS-RunShellScript";
    let role = "arn:aws:iam::111122223333:role/InstanceAdmin";
    let step = |a: &str, r: &str, c: &str| (a.to_string(), r.to_string(), c.to_string());
    assert_eq!(
        edges,
        [
            (
                "open-user".to_string(),
                "InstanceAdmin".to_string(),
                vec![
                    step("ssm:SendCommand", instance, ""),
                    step("ssm:SendCommand", document, ""),
                    step("sts:AssumeRole", role, ""),
                ]
            ),
            (
                "open-tagged".to_string(),
                "InstanceAdmin".to_string(),
                vec![
                    step("ssm:SendCommand", instance, "ssm:resourceTag/Team=ops"),
                    step("ssm:SendCommand", document, ""),
                    step("sts:AssumeRole", role, ""),
                ]
            ),
        ],
        "no edge to StoppedAdmin (its instance is stopped), none from closed-user (boundary)"
    );
    // The boundary is what closes closed-user: without it, closed-user has the edge too.
    let unbounded = edited("ssm-send-command", |w| {
        for u in w["UserDetailList"].as_array_mut().unwrap() {
            u.as_object_mut().unwrap().remove("PermissionsBoundary");
        }
    });
    assert!(ssm_edges(&unbounded).iter().any(|e| e.0 == "closed-user"));
    // Without the instances (no network export) or without the role's instance profile, no
    // SSM edge at all: the join is what makes them.
    let no_instances = edited("ssm-send-command", |w| {
        w.as_object_mut().unwrap().remove("Reservations");
    });
    assert!(ssm_edges(&no_instances).is_empty());
    let no_profiles = edited("ssm-send-command", |w| {
        for r in w["RoleDetailList"].as_array_mut().unwrap() {
            r.as_object_mut().unwrap().remove("InstanceProfileList");
        }
    });
    assert!(ssm_edges(&no_profiles).is_empty());
    // A role EC2 may not assume gives the instance no credentials.
    let untrusted = edited("ssm-send-command", |w| {
        w["RoleDetailList"][0]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] =
            serde_json::json!({"Service": "lambda.amazonaws.com"});
    });
    assert!(ssm_edges(&untrusted).is_empty());
}

/// Systems Manager User Guide, "Quickstart end user policies for Session Manager"
/// (https://docs.aws.amazon.com/systems-manager/latest/userguide/getting-started-restrict-access-quickstart.html)
/// and "Start a default shell session by specifying the default session document in IAM
/// policies" (https://docs.aws.amazon.com/systems-manager/latest/userguide/getting-started-default-session-document.html):
/// `ssm:StartSession` is asked of the instance and of the session document, by default
/// `SSM-SessionManagerRunShell` of the caller's account and region.
#[test]
fn a_session_on_an_instance_acts_as_its_instance_profile_role_unless_an_scp_denies_it() {
    let engine = engine("ssm-start-session");
    let edges = ssm_edges(&engine);
    assert_eq!(edges.len(), 1, "{edges:?}");
    let (from, to, steps) = &edges[0];
    assert_eq!((from.as_str(), to.as_str()), ("open-user", "InstanceAdmin"));
    assert_eq!(
        steps[1].1,
        "arn:aws:ssm:us-east-1:111122223333:document/SSM-SessionManagerRunShell"
    );
    // The SCP is what closes closed-user.
    let no_scp = edited("ssm-start-session", |w| {
        w["Organization"]["ServiceControlPolicies"]
            .as_array_mut()
            .unwrap()
            .retain(|p| p["Name"] == "FullAWSAccess");
    });
    let froms: Vec<String> = ssm_edges(&no_scp).into_iter().map(|e| e.0).collect();
    assert_eq!(froms, ["open-user", "closed-user"]);
}

/// What closes a world's `closed-*` principals, undone on the world's JSON.
#[derive(Debug, Clone, Copy)]
enum Closer {
    /// Permissions boundaries (of the closed user, or of the role it would change).
    Boundary,
    /// SCPs other than `FullAWSAccess`.
    Scp,
    /// A trust policy that does not name the closed user.
    Trust,
    /// An explicit Deny in the closed user's own policy.
    Deny,
    /// A condition of the closed user's own Allow that no context meets (`iam:PassedToService`
    /// of another service, a principal tag the user does not have).
    Condition,
}

fn closer_of(method: &str) -> Closer {
    match method {
        "assume-role" | "put-role-policy" => Closer::Trust,
        "attach-user-policy" | "put-user-policy" | "ssm-start-session" => Closer::Scp,
        "create-login-profile" => Closer::Deny,
        "update-login-profile" => Closer::Condition,
        m if m.starts_with("passrole-") => Closer::Condition,
        _ => Closer::Boundary,
    }
}

fn undo(closer: Closer, w: &mut serde_json::Value) {
    let closed: Vec<String> = w["UserDetailList"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["UserName"].as_str().unwrap().starts_with("closed-"))
        .map(|u| u["Arn"].as_str().unwrap().to_string())
        .collect();
    match closer {
        Closer::Boundary => {
            for list in ["UserDetailList", "RoleDetailList"] {
                for p in w[list].as_array_mut().unwrap() {
                    p.as_object_mut().unwrap().remove("PermissionsBoundary");
                }
            }
        }
        Closer::Scp => w["Organization"]["ServiceControlPolicies"]
            .as_array_mut()
            .unwrap()
            .retain(|p| p["Name"] == "FullAWSAccess"),
        Closer::Trust => {
            for r in w["RoleDetailList"].as_array_mut().unwrap() {
                r["AssumeRolePolicyDocument"]["Statement"]
                    .as_array_mut()
                    .unwrap()
                    .push(serde_json::json!({"Effect": "Allow", "Principal": {"AWS": closed}, "Action": "sts:AssumeRole"}));
            }
        }
        Closer::Deny | Closer::Condition => {
            let users = w["UserDetailList"].as_array_mut().unwrap();
            for u in users
                .iter_mut()
                .filter(|u| u["UserName"].as_str().unwrap().starts_with("closed-"))
            {
                for p in u["UserPolicyList"].as_array_mut().unwrap() {
                    let list = p["PolicyDocument"]["Statement"].as_array_mut().unwrap();
                    if let Closer::Deny = closer {
                        list.retain(|s| s["Effect"] != "Deny");
                    } else {
                        for s in list.iter_mut() {
                            s.as_object_mut().unwrap().remove("Condition");
                        }
                    }
                }
            }
        }
    }
}

/// The closed principal of each world is closed by what `scripts/escalation-worlds.py` says
/// closes it, and by nothing else: with that boundary, SCP, trust policy, deny or condition
/// taken away (and the rest of the world as it is), every `closed-*` principal escalates
/// through the world's method. So no closed variant passes for an unrelated reason (a missing
/// permission, a typo in an ARN).
#[test]
fn each_closed_principal_is_closed_by_its_boundary_scp_trust_deny_or_condition() {
    for m in METHODS
        .iter()
        .filter(|m| !["assume-role-web-identity", "assume-role-saml"].contains(&m.id))
        .map(|m| m.id)
        .chain(["cross-account"])
    {
        let method = if m == "cross-account" {
            "assume-role"
        } else {
            m
        };
        let closer = closer_of(m);
        let engine = edited(m, |w| undo(closer, w));
        let graph = Graph::build(&engine, &Options::default()).unwrap();
        let escalations = graph.escalations(&engine);
        let mut opened = 0;
        for (i, node) in graph.nodes().iter().enumerate() {
            if !node.name.starts_with("closed-") || node.kind == NodeKind::External {
                continue;
            }
            let e = escalations.iter().find(|e| e.from == i).unwrap_or_else(|| {
                panic!(
                    "{m}: without its {closer:?}, {} still cannot escalate",
                    node.name
                )
            });
            let methods = methods_on(&graph, &e.path.edges);
            assert!(
                methods.contains(&method),
                "{m}: without its {closer:?}, {} escalates by {methods:?}",
                node.name
            );
            opened += 1;
        }
        assert!(opened >= 1, "{m}: no closed principal");
    }
}

/// A world from a JSON value.
fn world_engine(name: &str, doc: &serde_json::Value) -> Engine {
    let engine = Engine::builder()
        .world_file(name, &doc.to_string())
        .build()
        .unwrap();
    assert!(engine.warnings().is_empty(), "{:?}", engine.warnings());
    engine
}

fn trusting(
    name: &str,
    account: &str,
    trusted: &[&str],
    statements: serde_json::Value,
) -> serde_json::Value {
    serde_json::json!({
        "RoleName": name, "Arn": format!("arn:aws:iam::{account}:role/{name}"),
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": trusted}, "Action": "sts:AssumeRole"}]},
        "RolePolicyList": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}],
        "AttachedManagedPolicies": []
    })
}

/// The node names along a path.
fn names_on(graph: &Graph, path: &polcheck_core::paths::Path) -> Vec<String> {
    let mut out = vec![graph.node(path.from).unwrap().name.clone()];
    for &e in &path.edges {
        out.push(graph.node(graph.edge(e).unwrap().to).unwrap().name.clone());
    }
    out
}

/// `paths --all`: every simple path (no principal twice) of at most `max_hops` edges, shortest
/// first, at most `limit` of them. dev may assume R1 and R2, which may assume each other and
/// Top (allowed `*` on `*`): two paths of two hops, two of three, none of one, and the cycle
/// R1 <-> R2 is never walked twice.
#[test]
fn all_paths_are_simple_bounded_by_hops_and_limit_and_shortest_first() {
    let a = "111122223333";
    let role = |n: &str| format!("arn:aws:iam::{a}:role/{n}");
    let assume = |targets: &[String]| serde_json::json!([{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": targets}]);
    let dev = format!("arn:aws:iam::{a}:user/dev");
    let doc = serde_json::json!({
        "AccountId": a,
        "UserDetailList": [{"UserName": "dev", "Arn": dev, "UserPolicyList": [{"PolicyName": "p",
            "PolicyDocument": {"Version": "2012-10-17", "Statement": assume(&[role("R1"), role("R2")])}}]}],
        "RoleDetailList": [
            trusting("R1", a, &[&dev, &role("R2")], assume(&[role("R2"), role("Top")])),
            trusting("R2", a, &[&dev, &role("R1")], assume(&[role("R1"), role("Top")])),
            trusting("Top", a, &[&role("R1"), &role("R2")], serde_json::json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}])),
        ]
    });
    let engine = world_engine("all-paths", &doc);
    let graph = Graph::build(&engine, &Options::default()).unwrap();
    let from = graph.find("dev").unwrap();
    let all = graph.all_paths(&engine, from, &Target::Admin, 6, 100);
    let named: Vec<Vec<String>> = all.iter().map(|p| names_on(&graph, p)).collect();
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert_eq!(
        named,
        [
            s(&["dev", "R1", "Top"]),
            s(&["dev", "R2", "Top"]),
            s(&["dev", "R1", "R2", "Top"]),
            s(&["dev", "R2", "R1", "Top"]),
        ]
    );
    // The shortest is the first of them.
    let shortest = graph.shortest(&engine, from, &Target::Admin).unwrap();
    assert_eq!(names_on(&graph, &shortest), named[0]);
    // Bounded: two hops leave the three-hop paths out, one hop finds none; the limit cuts.
    assert_eq!(
        graph.all_paths(&engine, from, &Target::Admin, 2, 100).len(),
        2
    );
    assert!(graph
        .all_paths(&engine, from, &Target::Admin, 1, 100)
        .is_empty());
    assert_eq!(
        graph.all_paths(&engine, from, &Target::Admin, 6, 3).len(),
        3
    );
    // To a principal: R2 directly, or through R1.
    let r2 = graph.find("R2").unwrap();
    let to_r2: Vec<Vec<String>> = graph
        .all_paths(&engine, from, &Target::Principal(r2), 6, 100)
        .iter()
        .map(|p| names_on(&graph, p))
        .collect();
    assert_eq!(to_r2, [s(&["dev", "R2"]), s(&["dev", "R1", "R2"])]);
}

/// A chain across accounts: dev (account A) assumes Bridge (account B), which assumes Admin
/// back in A. Each hop is decided on both sides: the caller's identity policy, boundary and
/// SCPs in its own account, the trust policy in the role's. An SCP of account B that denies
/// `sts:AssumeRole` cuts the second hop (IAM User Guide, *Cross account policy evaluation
/// logic*: both accounts must allow the request; AWS Organizations User Guide, *Service
/// control policies*: SCPs limit the principals of the member accounts they are attached to).
#[test]
fn a_role_chain_across_two_accounts_is_decided_in_each_account() {
    let (a, b) = ("111122223333", "222233334444");
    let dev = format!("arn:aws:iam::{a}:user/dev");
    let bridge = format!("arn:aws:iam::{b}:role/Bridge");
    let admin = format!("arn:aws:iam::{a}:role/Admin");
    let world = |admin_trusts: &str, scp_b: Option<serde_json::Value>| {
        let mut scps = vec![
            serde_json::json!({"Name": "FullAWSAccess", "Targets": ["r-x"],
            "Policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}}),
        ];
        scps.extend(scp_b);
        serde_json::json!({
            "AccountId": a,
            "UserDetailList": [{"UserName": "dev", "Arn": dev, "UserPolicyList": [{"PolicyName": "p",
                "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": bridge}]}}]}],
            "RoleDetailList": [
                trusting("Bridge", b, &[&dev], serde_json::json!([{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": admin}])),
                trusting("Admin", a, &[admin_trusts], serde_json::json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}])),
            ],
            "Organization": {"Accounts": {a: ["r-x", "ou-a"], b: ["r-x", "ou-b"]}, "ServiceControlPolicies": scps}
        })
    };
    let chain = |doc: &serde_json::Value| {
        let engine = world_engine("cross", doc);
        let graph = Graph::build(&engine, &Options::default()).unwrap();
        let from = graph.find("dev").unwrap();
        graph.shortest(&engine, from, &Target::Admin).map(|p| {
            let hops: Vec<(String, String)> = p
                .edges
                .iter()
                .map(|&e| {
                    let edge = graph.edge(e).unwrap();
                    (
                        edge.method.id.to_string(),
                        graph.node(edge.to).unwrap().arn.clone(),
                    )
                })
                .collect();
            hops
        })
    };
    let open = chain(&world(&bridge, None)).expect("dev reaches Admin through Bridge");
    assert_eq!(
        open,
        [
            ("assume-role".to_string(), bridge.clone()),
            ("assume-role".to_string(), admin.clone()),
        ]
    );
    // Admin trusting account B (its root) lets B's identity policies decide: Bridge's allows.
    let root_b = format!("arn:aws:iam::{b}:root");
    assert_eq!(chain(&world(&root_b, None)), Some(open));
    // B's SCP denying sts:AssumeRole stops Bridge (and so the chain), whatever A allows.
    let deny_b = serde_json::json!({"Name": "NoAssume", "Targets": ["ou-b"],
        "Policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"}]}});
    assert_eq!(chain(&world(&bridge, Some(deny_b))), None);
    // Admin trusting another principal of B: no second hop.
    assert_eq!(
        chain(&world(&format!("arn:aws:iam::{b}:role/Other"), None)),
        None
    );
}
