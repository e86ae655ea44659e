//! Running a suite: each test against its policies, its world, or its network, through the
//! [`Engine`].
//!
//! The caller builds an engine holding the suite's world (or none); the suite's `policies`
//! and each test's own are handed to it with [`Engine::with_policies`], so a test with a
//! world gets the world's policies with the suite's on top, by the one rule of
//! [`crate::inputs`].

use crate::engine::Engine;
use crate::json::JsonPath;
#[cfg(feature = "network")]
use crate::network::Flow;
use crate::question::QuestionOptions;

use super::{judge, outcome_of, Suite, TestCase, TestKind, TestOutcome, TestResult};

/// A suite ready to run: the suite-level policies compiled once.
pub struct SuiteRun<'a> {
    suite: &'a Suite,
    engine: Engine,
    strict: bool,
    accept: QuestionOptions,
}

impl<'a> SuiteRun<'a> {
    /// Prepares a suite to run against an engine holding its world (the engine's own
    /// policies, if any, give way to the suite's).
    pub fn new(suite: &'a Suite, engine: &Engine) -> SuiteRun<'a> {
        SuiteRun {
            suite,
            engine: engine.with_policies(&suite.policies),
            strict: false,
            accept: QuestionOptions::default(),
        }
    }

    /// What every test may name on purpose although polcheck does not know it, on top of each
    /// test's own `accept` (`polcheck test --allow-unknown-action / --allow-unknown-principal`).
    pub fn accept(mut self, accept: QuestionOptions) -> Self {
        self.accept = accept;
        self
    }

    /// With `strict`, a test whose question the CLI would refuse fails: a resource of no type
    /// the action takes, a context value not of its key's type. Without it (the default, which
    /// the shared suites need: `conditions.json` gives `ec2:VolumeSize` the value `big` on
    /// purpose) the test runs and carries the problem in [`TestResult::warnings`]. A misspelt
    /// action, or a caller the test's world does not hold, fails the test either way unless
    /// the test (`"accept"`) or the run ([`SuiteRun::accept`]) accepts it.
    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    /// Runs every test, in order.
    pub fn run_all(&self) -> Vec<TestResult> {
        self.suite.tests.iter().map(|t| self.run(t)).collect()
    }

    /// Runs one test.
    pub fn run(&self, test: &TestCase) -> TestResult {
        let mut warnings = Vec::new();
        let got = match &test.kind {
            TestKind::Request {
                request, policies, ..
            } => (|| {
                let req = request.to_request().map_err(|e| e.to_string())?;
                // A misspelt action or caller fails the test instead of passing as a deny.
                let accept = QuestionOptions {
                    allow_unknown_actions: self.accept.allow_unknown_actions
                        || test.accept.allow_unknown_actions,
                    allow_unknown_principals: self.accept.allow_unknown_principals
                        || test.accept.allow_unknown_principals,
                };
                crate::question::check_names(&req, self.engine.world(), accept)
                    .map_err(|e| format!("{e}{}", accept_hint(&e)))?;
                // The rest of what the CLI refuses is a warning, or with `strict` a failure.
                if let Err(e) = crate::question::check(&req, self.engine.world(), accept) {
                    if self.strict {
                        return Err(format!("{e} (refused by --strict)"));
                    }
                    warnings.push(e.to_string());
                }
                let d = if policies.is_empty() {
                    self.engine.authorize(&req)
                } else {
                    self.engine
                        .with_policies(&self.suite.policies.overlay(policies))
                        .authorize(&req)
                };
                Ok(outcome_of(&d))
            })(),
            TestKind::Flow { flow, .. } => self.flow(flow, &test.location.path),
        };
        let mut result = judge(test, got);
        result.warnings = warnings;
        result
    }

    /// Evaluates a test's flow; `path` is the test's, for errors in the flow object.
    #[cfg(feature = "network")]
    fn flow(&self, flow: &serde_json::Value, path: &JsonPath) -> Result<TestOutcome, String> {
        let network = self
            .engine
            .network()
            .ok_or("a flow test needs a world with a network")?;
        let flow = Flow::from_test_json(flow).map_err(|e| format!("{}: {e}", path.key("flow")))?;
        let verdict = network.evaluate(&flow).map_err(|e| e.to_string())?;
        Ok(TestOutcome {
            got: verdict.outcome.as_str().into(),
            blocked_by: verdict
                .blocked_by()
                .into_iter()
                .map(str::to_string)
                .collect(),
            deciding: Vec::new(),
        })
    }

    #[cfg(not(feature = "network"))]
    fn flow(&self, _flow: &serde_json::Value, _path: &JsonPath) -> Result<TestOutcome, String> {
        Err("flow tests need polcheck-core's `network` feature".into())
    }
}

/// How a test names on purpose what polcheck does not know.
fn accept_hint(e: &crate::question::QuestionError) -> &'static str {
    use crate::question::QuestionError;
    match e {
        QuestionError::UnknownPrincipal { .. } => {
            "; an external caller on purpose: `\"accept\": [\"unknownPrincipal\"]` in the test"
        }
        QuestionError::UnknownAction { .. } => {
            "; a service newer than the catalogue: `\"accept\": [\"unknownAction\"]` in the test"
        }
        _ => "",
    }
}
