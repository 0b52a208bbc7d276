//! The LiveImport sync engine.
//!
//! Pure logic, one concept per module, tested with `cargo test`:
//! - [`source`]: decoding Python source bytes as CPython does (UTF-8, BOM, PEP 263).
//! - [`guard`]: one pass over source: CPython's nesting limits, tokenizer errors, top-level
//!   statements.
//! - [`analysis`]: a module source's syntax verdict (the whole source, for the running Python,
//!   with the host interpreter as the authority) and its dependencies.
//! - [`compiled`]: module sources CPython compiled and ran (their syntax is known valid).
//! - [`imports`]: top-level import extraction and registration parsing (`ruff_python_parser`).
//! - [`records`]: registered import records and per-namespace journals.
//! - [`mtime`]: source-file modification times.
//! - [`system`]: the engine's file access, one trait, one implementation per module: `std::fs`,
//!   the Emscripten FS of the loading Pyodide (wasm-bindgen build), files in memory (tests).
//! - [`graph`]: the module graph and reload schedule (`petgraph`).
//! - [`writes`]: files changed by code in this interpreter, and the table of audit events that
//!   change them.
//! - [`audit`]: the audit rule: what each audit event notes ([`writes`], [`compiled`]).
//! - [`engine`]: the state tying them together.
//! - [`type_codes`]: codes per type over many values (the stale-name detection's passes, run
//!   in Rust by the pyo3 engine).
//! - [`key_groups`]: items grouped by a key, each distinct key judged once (the same
//!   detection's instances, functions and bound methods).
//! - [`contract`]: the engine contract of `python/liveimport/_engine.pyi` (value shapes,
//!   errors, and the rules around every call) that both bindings call.
//!
//! The binding layers (`bindings`), each converting values and errors only:
//! - feature `python`: the pyo3 extension module `liveimport._engine_pyo3` and its audit hook,
//!   built for `wasm32-unknown-emscripten` (Pyodide 314) and natively;
//! - feature `wasm`: the wasm-bindgen module for `wasm32-unknown-unknown` (any Pyodide, through
//!   its FFI), loaded by `python/liveimport/_engine_wasm.py`.

pub mod analysis;
pub mod audit;
pub mod compiled;
pub mod contract;
pub mod engine;
pub mod graph;
pub mod guard;
pub mod imports;
pub mod key_groups;
pub mod mtime;
pub mod records;
pub mod shapes;
pub mod source;
pub mod source_read;
pub mod system;
pub mod type_codes;
pub mod writes;

#[cfg(any(feature = "python", feature = "wasm"))]
mod bindings;
