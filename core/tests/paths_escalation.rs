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
