//! Bytes → `Suite::parse`, then the suite run against its inline world (or none), as
//! `polcheck test` does: covers the suite reader, `Flow::from_test_json` and the judge.
#![no_main]

use libfuzzer_sys::fuzz_target;
use polcheck_core::json::Document;
use polcheck_core::suite::{Environment, Suite, SuiteRun, WorldSource};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(suite) = Suite::parse(text) else {
        return;
    };
    let env = match &suite.world {
        Some(WorldSource::Inline(root)) => {
            let doc = Document::from_parts(root.clone(), suite.lines.clone());
            match Environment::from_documents(&[("suite.json", &doc)]) {
                Ok(env) => env,
                Err(_) => return,
            }
        }
        _ => Environment::empty(),
    };
    let _ = SuiteRun::new(&suite, &env).run_all();
});
