//! polcheck in WebAssembly (filled by the playground work).
#![forbid(unsafe_code)]
