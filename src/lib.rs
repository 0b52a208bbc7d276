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
//! - [`mtime`]: source-file modification times through `std::fs`.
//! - [`graph`]: the module graph and reload schedule (`petgraph`).
//! - [`writes`]: files changed by code in this interpreter (noted by an audit hook).
//! - [`engine`]: the state tying them together.
//!
//! With the `python` feature, `python` adds the pyo3 binding layer: the extension module
//! `liveimport._engine`, and `audit` its audit hook noting file writes; built for `wasm32-unknown-emscripten` (Pyodide) and natively.

pub mod analysis;
pub mod compiled;
pub mod engine;
pub mod graph;
pub mod guard;
pub mod imports;
pub mod mtime;
pub mod records;
pub mod source;
pub mod writes;

#[cfg(feature = "python")]
mod audit;
#[cfg(feature = "python")]
mod python;
