//! Bytes → `Suite::parse`, then the suite run against its inline world (or none) through an
//! `Engine`, as `polcheck test` does: covers the suite reader, `Flow::from_test_json` and the
//! judge.
#![no_main]

use libfuzzer_sys::fuzz_target;
use polcheck_core::json::Document;
use polcheck_core::suite::{Suite, SuiteRun, WorldSource};
use polcheck_core::Engine;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(suite) = Suite::parse(text) else {
        return;
    };
    let builder = match &suite.world {
        Some(WorldSource::Inline(root)) => Engine::builder().world_document(
            "suite.json",
            Document::from_parts(root.clone(), suite.lines.clone()),
        ),
        _ => Engine::builder(),
    };
    let Ok(engine) = builder.build() else {
        return;
    };
    let _ = SuiteRun::new(&suite, &engine).run_all();
});
