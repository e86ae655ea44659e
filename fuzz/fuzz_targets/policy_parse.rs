//! Bytes → `Policy::parse`, then compile the result: neither may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use polcheck_core::compile::{NamedPolicy, PolicySet};
use polcheck_core::policy::Policy;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(policy) = Policy::parse(text) {
        let _ = PolicySet::compile(vec![NamedPolicy::new("fuzz", policy)]);
    }
});
