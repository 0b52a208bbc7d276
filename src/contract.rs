//! The engine contract (`python/liveimport/_engine.pyi`) in Rust: its value shapes, its errors,
//! and every rule a binding used to apply around the core. Each function here is one method or
//! function of the contract; the pyo3 binding (`src/bindings/python.rs`) and the wasm-bindgen
//! binding (`src/bindings/wasm.rs`) only convert arguments, call it, and convert its result or
//! [`ContractError`] (one conversion function per direction each).
//!
//! Rules applied here (source: the contract's docstrings):
//! - Writes noted by the audit hook ([`crate::writes::take`]) are handed to the engine before
//!   every call that examines files: [`register`], [`track_indirect`], [`plan_sync`]
//!   [`other_writes`] (`note_writes`: "Notes are applied to the modules tracked when the next
//!   `plan_sync`, `register` or `track_indirect` runs").
//! - A record's kind is one of `import`, `from`, `star`, and a `from` record has a name
//!   ([`record_from_tuple`]); anything else is a `ValueError`.
//! - A sync plan with analysis errors raises the first of them (tracking order), and nothing is
//!   planned ([`plan_sync`]); with nothing modified the plan is `([], [])`.
//! - The cause of an analysis error is the host's own exception when the host gave one, else a
//!   `SyntaxError` / `ImportError` from the engine's finding, and `ValueError("analysis
//!   failed")` when the host rejected a source without an exception the binding can raise
//!   ([`cause`]; the pyo3 engine's behaviour, which the wasm-bindgen engine now shares).

use std::fmt;

use crate::analysis::{python_version, AnalysisCause, HostError, HostParser};
use crate::engine::{AnalysisError, Engine, ModuleSpec, NamespaceId, Plan};
use crate::imports::{parse_registration, RegistrationError, SyntaxErrorInfo};
use crate::records::{Record, RecordKind};
use crate::system::System;
use crate::writes;

/// `(kind, module, name, asname)`: a `Record` of the contract.
pub type RecordTuple = (String, String, Option<String>, Option<String>);
/// `(name, file or None, package)`: a `ModuleSpec` of the contract.
pub type SpecTuple = (String, Option<String>, String);
/// `(module, reason, mtime, after)`: a `PlanEntry` of the contract (`reason` is `"modified"`
/// or `"dependent"`, `mtime` seconds since the epoch).
pub type PlanEntryTuple = (String, &'static str, f64, Vec<String>);
/// `(namespace_id, attached_module_names, journal_records)`.
pub type NamespaceTuple = (NamespaceId, Vec<String>, Vec<RecordTuple>);
/// `(entries, namespaces)`: the value of `plan_sync`.
pub type PlanTuple = (Vec<PlanEntryTuple>, Vec<NamespaceTuple>);
/// `(name, file or None, mtime or None, direct, imported_by)`: a module of `status`.
pub type ModuleStatusTuple = (String, Option<String>, Option<f64>, bool, Vec<String>);
/// `(workspace, modules, statements)`: the value of `status`.
pub type StatusTuple = (Vec<String>, Vec<ModuleStatusTuple>, Vec<String>);

/// A failure the contract documents, named after the Python exception it is raised as.
#[derive(Debug, Clone, PartialEq)]
pub enum ContractError {
    /// `SyntaxError` with its location (registration text that is not Python).
    Syntax(SyntaxErrorInfo),
    /// `ImportError` with this message (a relative import escaping its package).
    Import(String),
    /// `ValueError` with this message (a non-import statement; a malformed record).
    Value(String),
    /// `AnalysisError`: a tracked module's source could not be analysed.
    Analysis(AnalysisError),
}

impl fmt::Display for ContractError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ContractError::Syntax(info) => write!(f, "{} ({}, line {})", info.message, info.filename, info.line),
            ContractError::Import(message) | ContractError::Value(message) => f.write_str(message),
            ContractError::Analysis(error) => error.fmt(f),
        }
    }
}

impl From<RegistrationError> for ContractError {
    fn from(error: RegistrationError) -> Self {
        match error {
            RegistrationError::Syntax(info) => ContractError::Syntax(info),
            RegistrationError::Import(message) => ContractError::Import(message),
            RegistrationError::Value(message) => ContractError::Value(message),
        }
    }
}

/// The cause of an analysis error as the binding raises it: `E` is the binding's form of the
/// host's exceptions (pyo3: the Python exception object; wasm-bindgen: its index on the Python
/// side).
#[derive(Debug, PartialEq)]
pub enum Cause<'a, E> {
    /// A `SyntaxError` made from the engine's finding.
    Syntax(&'a SyntaxErrorInfo),
    /// An `ImportError` with this message.
    Import(&'a str),
    /// A `ValueError` with this message.
    Value(&'static str),
    /// The host's own exception, raised as it is.
    Host(&'a E),
}

/// The message of the `ValueError` for a host rejection that carries no exception of the
/// binding's (the host parser failed without one).
pub const HOST_FAILED: &str = "analysis failed";

/// The cause of an analysis error, for a binding whose host exceptions are `E`.
pub fn cause<E: 'static>(cause: &AnalysisCause) -> Cause<'_, E> {
    match cause {
        AnalysisCause::Syntax(info) => Cause::Syntax(info),
        AnalysisCause::Import(message) => Cause::Import(message),
        AnalysisCause::Host(HostError(host)) => match host.downcast_ref::<E>() {
            Some(exception) => Cause::Host(exception),
            None => Cause::Value(HOST_FAILED),
        },
    }
}

/// The record of a `Record` tuple. Errors: `ValueError` for an unknown kind or a `from` record
/// without a name.
pub fn record_from_tuple((kind, module, name, asname): RecordTuple) -> Result<Record, ContractError> {
    let kind = RecordKind::parse(&kind).ok_or_else(|| ContractError::Value(format!("unknown record kind {kind:?}")))?;
    if kind == RecordKind::From && name.is_none() {
        return Err(ContractError::Value(format!("a 'from' record needs a name (module {module})")));
    }
    Ok(Record { kind, module, name, asname })
}

/// The `Record` tuple of a record.
pub fn record_to_tuple(record: &Record) -> RecordTuple {
    (record.kind.as_str().to_string(), record.module.clone(), record.name.clone(), record.asname.clone())
}

fn records_to_tuples(records: &[Record]) -> Vec<RecordTuple> {
    records.iter().map(record_to_tuple).collect()
}

fn specs(modules: Vec<SpecTuple>) -> Vec<ModuleSpec> {
    modules.into_iter().map(|(name, file, package)| ModuleSpec { name, file, package }).collect()
}

/// A fresh engine (`Engine(workspace, python_version, check_syntax)`; the binding keeps the host
/// parser) reading files through `system`.
pub fn new_engine<S: System>(workspace: Vec<String>, version: (u8, u8), system: S) -> Engine<S> {
    Engine::with_system(workspace, python_version(version.0, version.1), system)
}

/// `parse_statements`: registration text into records. Errors: `SyntaxError`, `ImportError`,
/// `ValueError` ([`RegistrationError`]).
pub fn parse_statements(text: &str, package: &str, allow_other_statements: bool) -> Result<Vec<RecordTuple>, ContractError> {
    Ok(records_to_tuples(&parse_registration(text, package, allow_other_statements)?))
}

/// `register`: validated records for a namespace, atomically, after taking the noted writes.
/// Errors: `ValueError` for a malformed record (nothing registered), `AnalysisError`.
pub fn register<S: System>(
    engine: &mut Engine<S>,
    namespace_id: NamespaceId,
    records: Vec<RecordTuple>,
    modules: Vec<SpecTuple>,
    clear: bool,
    host: &dyn HostParser,
) -> Result<(), ContractError> {
    let records = records.into_iter().map(record_from_tuple).collect::<Result<Vec<_>, _>>()?;
    // Writes noted so far concern the modules tracked so far; new ones are read now.
    engine.note_writes(writes::take());
    engine.register(namespace_id, &records, &specs(modules), clear, host).map_err(ContractError::Analysis)
}

/// `track_indirect`, after taking the noted writes: the wanted names, and the analysis errors
/// as `(module, cause)`.
pub fn track_indirect<S: System>(
    engine: &mut Engine<S>,
    modules: Vec<SpecTuple>,
    host: &dyn HostParser,
) -> (Vec<String>, Vec<AnalysisError>) {
    engine.note_writes(writes::take());
    engine.track_indirect(&specs(modules), host)
}

/// `plan_sync`, after taking the noted writes. Errors: the first analysis error of the plan
/// (nothing is planned then). `([], [])` when nothing is to reload.
pub fn plan_sync<S: System>(engine: &mut Engine<S>, full: bool, host: &dyn HostParser) -> Result<PlanTuple, ContractError> {
    engine.note_writes(writes::take());
    let Plan { errors, entries, namespaces } = engine.plan_sync(full, host);
    if let Some(error) = errors.into_iter().next() {
        return Err(ContractError::Analysis(error));
    }
    let entries = entries.into_iter().map(|e| (e.module, e.reason.as_str(), e.mtime, e.after)).collect();
    let namespaces = namespaces.into_iter().map(|n| (n.id, n.attached, records_to_tuples(&n.records))).collect();
    Ok((entries, namespaces))
}

/// `(module, file, mtime, source bytes)`: a source of `take_sources`.
pub type SourceTuple = (String, String, f64, Vec<u8>);

/// `take_sources`: the sources the last `plan_sync` read for the modules it found modified.
pub fn take_sources<S: System>(engine: &mut Engine<S>) -> Vec<SourceTuple> {
    engine.take_sources()
}

/// `other_writes`, after taking the noted writes: how many noted writes changed a path other
/// than a tracked module's source file since the engine started.
pub fn other_writes<S: System>(engine: &mut Engine<S>) -> u64 {
    engine.note_writes(writes::take());
    engine.other_writes()
}

/// The host exceptions (in the binding's form `E`) that the engine keeps for later calls
/// ([`Engine::kept_errors`]): a binding holding them outside the engine (wasm-bindgen: on the
/// Python side, by index) may forget every other.
pub fn kept_host_errors<S: System, E: Clone + 'static>(engine: &Engine<S>) -> Vec<E> {
    engine
        .kept_errors()
        .filter_map(|error| match cause::<E>(&error.cause) {
            Cause::Host(exception) => Some(exception.clone()),
            _ => None,
        })
        .collect()
}

/// `journal`: the namespace's records in replay order.
pub fn journal<S: System>(engine: &Engine<S>, namespace_id: NamespaceId) -> Vec<RecordTuple> {
    records_to_tuples(&engine.journal(namespace_id))
}

/// `status`: `(workspace, modules, statements)`.
pub fn status<S: System>(engine: &Engine<S>, namespace_id: Option<NamespaceId>) -> StatusTuple {
    let (modules, statements) = engine.status(namespace_id);
    let modules = modules.into_iter().map(|m| (m.name, m.file, m.mtime, m.direct, m.imported_by)).collect();
    (engine.workspace(), modules, statements)
}

/// `canonical_statement`: the statement text of a record tuple. Errors: as
/// [`record_from_tuple`].
pub fn canonical_statement(record: RecordTuple) -> Result<String, ContractError> {
    Ok(record_from_tuple(record)?.statement())
}

/// `engine_syntax_error`: the engine's own finding on `source` for Python `version`, without
/// asking a host.
pub fn engine_syntax_error(source: &str, filename: &str, version: (u8, u8)) -> Option<SyntaxErrorInfo> {
    crate::analysis::engine_finding(source, filename, python_version(version.0, version.1))
}

/// `(top, modules, line, text)`: one [`crate::imports::ImportLine`].
pub type ImportLineTuple = (String, Vec<String>, usize, String);

/// `import_lines`: the top-level module names `source` imports at top level, each with the
/// first statement naming it ([`crate::imports::import_lines`]). Errors: its syntax error.
pub fn import_lines(source: &str, package: &str, filename: &str) -> Result<Vec<ImportLineTuple>, ContractError> {
    let lines = crate::imports::import_lines(source, package, filename).map_err(ContractError::Syntax)?;
    Ok(lines.into_iter().map(|l| (l.top, l.modules, l.line, l.text)).collect())
}

#[cfg(test)]
#[path = "contract_tests.rs"]
mod tests;
