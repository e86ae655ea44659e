//! Bytes → `World::load` (one or two files, split at the first NUL byte), then a few questions.
#![no_main]

use libfuzzer_sys::fuzz_target;
use polcheck_core::world::World;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let files: Vec<(String, String)> = text
        .splitn(2, '\0')
        .enumerate()
        .map(|(i, t)| (format!("world{i}.json"), t.to_string()))
        .collect();
    if let Ok((world, _warnings)) = World::load(&files) {
        let _ = world.account();
        for p in world.principals().into_iter().take(4) {
            let _ = world.resource_account(&p);
        }
    }
});
