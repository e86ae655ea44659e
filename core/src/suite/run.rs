//! Running a suite: each test against its policies, its world, or its network.
//!
//! An [`Environment`] is what a suite's tests run against: the IAM [`World`] and the
//! [`NetworkModel`] read from the same documents. When a suite has both a world and
//! `policies`, the policies apply in addition to the world: identity and resource policies are
//! added to the world's, a boundary, session policy or SCP/RCP levels given by the suite
//! replace the world's.

use crate::compile::{NamedPolicy, PolicySet};
use crate::decide::{decide, Layers, Missing};
use crate::json::{Document, JsonPath};
#[cfg(feature = "network")]
use crate::network::{Flow, NetworkImportError, NetworkModel};
use crate::question::QuestionOptions;
use crate::world::{World, WorldError};

use super::{
    compile_levels, compile_one, judge, outcome_of, PolicyInputs, Suite, TestCase, TestKind,
    TestOutcome, TestResult,
};

/// The estate a suite's tests run against.
#[derive(Debug, Default)]
pub struct Environment {
    /// The IAM half, when the documents hold any IAM keys.
    pub world: Option<World>,
    /// The network half.
    #[cfg(feature = "network")]
    pub network: Option<NetworkModel>,
    /// Warnings from both importers, as `file:line:col: message` lines.
    pub warnings: Vec<String>,
}

/// A world that cannot be loaded.
#[derive(Debug, thiserror::Error)]
pub enum EnvironmentError {
    /// The IAM half is broken.
    #[error("{0}")]
    World(#[from] WorldError),
    /// The network half is broken.
    #[cfg(feature = "network")]
    #[error("{0}")]
    Network(#[from] NetworkImportError),
}

impl Environment {
    /// No world at all: tests run against their `policies` alone.
    pub fn empty() -> Environment {
        Environment::default()
    }

    /// Parses world files (`name`, text) and reads both halves of the world from them.
    pub fn load(files: &[(&str, &str)]) -> Result<Environment, EnvironmentError> {
        let docs = crate::world::parse_files(files.iter().copied())?;
        let refs: Vec<(&str, &Document)> = docs.iter().map(|(n, d)| (*n, d)).collect();
        Environment::from_documents(&refs)
    }

    /// Reads both halves of a world from parsed files (`name`, document).
    pub fn from_documents(docs: &[(&str, &Document)]) -> Result<Environment, EnvironmentError> {
        let (world, world_warnings) = World::from_documents(docs)?;
        let swapped: Vec<(&Document, &str)> = docs.iter().map(|(n, d)| (*d, *n)).collect();
        let warnings = world_warnings.iter().map(ToString::to_string);
        #[cfg(feature = "network")]
        let (network, net_warnings) = NetworkModel::import(&swapped)?;
        #[cfg(feature = "network")]
        let warnings = warnings.chain(net_warnings.iter().map(ToString::to_string));
        #[cfg(not(feature = "network"))]
        let _ = swapped;
        let warnings = warnings.collect();
        Ok(Environment {
            world: Some(world),
            #[cfg(feature = "network")]
            network: Some(network),
            warnings,
        })
    }
}

/// A suite ready to run: the suite-level policies compiled once.
pub struct SuiteRun<'a> {
    suite: &'a Suite,
    env: &'a Environment,
    layers: Layers,
}

impl<'a> SuiteRun<'a> {
    /// Prepares a suite to run against an environment.
    pub fn new(suite: &'a Suite, env: &'a Environment) -> SuiteRun<'a> {
        SuiteRun {
            suite,
            env,
            layers: suite.policies.compile(),
        }
    }

    /// Runs every test, in order.
    pub fn run_all(&self) -> Vec<TestResult> {
        self.suite.tests.iter().map(|t| self.run(t)).collect()
    }

    /// Runs one test.
    pub fn run(&self, test: &TestCase) -> TestResult {
        let got = match &test.kind {
            TestKind::Request {
                request, policies, ..
            } => (|| {
                let mut req = request.to_request().map_err(|e| e.to_string())?;
                // A misspelt action fails the test instead of passing as a deny. Principals are
                // not checked: suites ask about callers absent from their world on purpose
                // (external accounts, a user with no policy).
                let options = QuestionOptions {
                    allow_unknown_principals: true,
                    ..QuestionOptions::default()
                };
                crate::question::check_names(&req, self.env.world.as_ref(), options)
                    .map_err(|e| e.to_string())?;
                let inputs;
                let own;
                let layers = match (&self.env.world, policies.is_empty()) {
                    (Some(world), _) => {
                        inputs = self.suite.policies.overlay(policies);
                        own = world.layers_with(&mut req, &inputs);
                        &own
                    }
                    (None, true) => &self.layers,
                    (None, false) => {
                        own = self.suite.policies.overlay(policies).compile();
                        &own
                    }
                };
                Ok(outcome_of(&decide(layers, &req)))
            })(),
            TestKind::Flow { flow, .. } => self.flow(flow, &test.location.path),
        };
        judge(test, got)
    }

    /// Evaluates a test's flow; `path` is the test's, for errors in the flow object.
    #[cfg(feature = "network")]
    fn flow(&self, flow: &serde_json::Value, path: &JsonPath) -> Result<TestOutcome, String> {
        let network = self
            .env
            .network
            .as_ref()
            .ok_or("a flow test needs a world with a network")?;
        let flow = Flow::from_test_json(flow).map_err(|e| format!("{}: {e}", path.key("flow")))?;
        let verdict = network.evaluate(&flow).map_err(|e| e.to_string())?;
        Ok(TestOutcome {
            got: if verdict.allowed { "allowed" } else { "denied" }.into(),
            blocked_by: verdict
                .blocked_by()
                .into_iter()
                .map(str::to_string)
                .collect(),
        })
    }

    #[cfg(not(feature = "network"))]
    fn flow(&self, _flow: &serde_json::Value, _path: &JsonPath) -> Result<TestOutcome, String> {
        Err("flow tests need polcheck-core's `network` feature".into())
    }
}

/// A world's layers with a suite's policies added (identity, resource) or put in place
/// (boundary, session, SCP and RCP levels).
pub fn with_inputs(world: Layers, inputs: &PolicyInputs) -> Layers {
    if inputs.is_empty() {
        return world;
    }
    // Only what the inputs touch is compiled again; every other layer is the world's own.
    let add = |set: Option<&PolicySet>, extra: &[NamedPolicy]| {
        let mut all: Vec<NamedPolicy> = set.map(|s| s.policies().to_vec()).unwrap_or_default();
        all.extend_from_slice(extra);
        PolicySet::compile(all)
    };
    Layers {
        identity: match &inputs.identity {
            Some(extra) if !extra.is_empty() => add(Some(&world.identity), extra),
            _ => world.identity,
        },
        resource: match &inputs.resource {
            Some(p) => Some(add(world.resource.as_ref(), std::slice::from_ref(p))),
            None => world.resource,
        },
        boundary: inputs.boundary.as_ref().map(compile_one).or(world.boundary),
        session: inputs.session.as_ref().map(compile_one).or(world.session),
        scp: inputs.scp.as_ref().map(|l| compile_levels(l)).or(world.scp),
        rcp: inputs.rcp.as_ref().map(|l| compile_levels(l)).or(world.rcp),
        // A resource policy given with the inputs is the one the world lacked.
        missing: match inputs.resource {
            Some(_) => world
                .missing
                .into_iter()
                .filter(|m| !matches!(m, Missing::ResourcePolicy { .. }))
                .collect(),
            None => world.missing,
        },
    }
}
