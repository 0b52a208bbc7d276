//! The wasm-bindgen binding layer: the same engine as `src/python.rs`, built for
//! `wasm32-unknown-unknown` (feature `wasm`) and driven from Python through Pyodide's FFI by
//! `python/liveimport/_engine_wasm.py`, in any Pyodide (no CPython ABI involved).
//!
//! Thin, like the pyo3 layer: conversion of values and errors only. The contract, with shapes,
//! is `python/liveimport/_engine.pyi`; the names and arguments here are the same.
//!
//! - Files: [`EmscriptenFs`] implements [`System`] with `js-sys` calls on the Emscripten `FS`
//!   object handed to [`Engine::new`] (Pyodide's `pyodide.FS`): `FS.stat` for mtimes,
//!   `FS.readFile` for sources. Sync polls the FS inside the engine, one call per sync.
//! - Values: arguments and results are JS arrays (Python tuples and lists, converted by
//!   `pyodide.ffi.to_js` / `JsProxy.to_py`), converted with `serde-wasm-bindgen` in [`from_js`]
//!   and [`outcome`].
//! - Errors: no method throws for a failure the contract documents. Each returns an outcome,
//!   `[0, value]` or `[1, error]`, where `error` is an array naming the Python exception:
//!   `["SyntaxError", msg, filename, lineno, offset, text]`, `["ImportError", msg]`,
//!   `["ValueError", msg]`, `["TypeError", msg]` (arguments of the wrong shape), or
//!   `["AnalysisError", str, module, cause]` whose `cause` is a `SyntaxError` or `ImportError`
//!   array as above, or `["HostError", index]`: the host's own exception, kept on the Python
//!   side (see [`JsHostParser`]). The Python side raises it.
//! - The host parser (`check_syntax` of the contract): a JS function handed to
//!   [`Engine::new`] (the Python wrapper's, through Pyodide's FFI).
//! - Panics: the core does not panic on any input (`src/guard_tests.rs`); if one did, the wasm
//!   module traps (`RuntimeError: unreachable` in JS) and the panic message is kept for
//!   [`last_panic`], so the Python side can name it.
//! - Writes by kernel code: the Python side's `sys.addaudithook` hook classifies events with
//!   [`audit_events`] (the core's table) and reports paths with [`note`] / [`note_unknown`];
//!   every engine call that examines files takes them first, as in the pyo3 build. Once asked
//!   (`note_compiles`), the same hook reports module sources compiled and run ([`note_compile`],
//!   [`note_exec`]).

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Mutex;

use js_sys::{Function, Reflect, Uint8Array};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use std::sync::Arc;

use crate::analysis::{python_version, AnalysisCause, HostError, HostParser};
use crate::engine::{AnalysisError, Engine as CoreEngine, ModuleSpec, NamespaceId};
use crate::imports::{parse_registration, RegistrationError, SyntaxErrorInfo};
use crate::mtime::Mtime;
use crate::records::{Record, RecordKind};
use crate::system::System;
use crate::writes;

/// `(kind, module, name, asname)`, see `_engine.pyi`.
type RecordTuple = (String, String, Option<String>, Option<String>);
/// `(name, file or None, package)`.
type SpecTuple = (String, Option<String>, String);
/// `(msg, filename, lineno, offset, text)`: a `SyntaxError`'s fields.
type SyntaxTuple = (String, String, usize, usize, Option<String>);

/// A failure for the Python side: which exception, and its arguments.
#[derive(Serialize)]
#[serde(untagged)]
enum Failure {
    /// `[type, message]`: `ImportError`, `ValueError` or `TypeError`.
    Plain(&'static str, String),
    /// `["SyntaxError", msg, filename, lineno, offset, text]`.
    Syntax(&'static str, String, String, usize, usize, Option<String>),
    /// `["HostError", index]`: the host's exception number `index` (see [`JsHostParser`]).
    Host(&'static str, usize),
    /// `["AnalysisError", str(error), module, cause]`.
    Analysis(&'static str, String, String, Box<Failure>),
}

fn syntax_tuple(info: &SyntaxErrorInfo) -> SyntaxTuple {
    (info.message.clone(), info.filename.clone(), info.line, info.column, info.text.clone())
}

fn syntax_failure(info: &SyntaxErrorInfo) -> Failure {
    let (msg, filename, line, column, text) = syntax_tuple(info);
    Failure::Syntax("SyntaxError", msg, filename, line, column, text)
}

/// The exception an analysis cause stands for.
fn cause_failure(cause: &AnalysisCause) -> Failure {
    match cause {
        AnalysisCause::Syntax(info) => syntax_failure(info),
        AnalysisCause::Import(message) => Failure::Plain("ImportError", message.clone()),
        AnalysisCause::Host(HostError(host)) => match host.downcast_ref::<usize>() {
            Some(&index) => Failure::Host("HostError", index),
            None => Failure::Plain("ValueError", "analysis failed".into()),
        },
    }
}

fn analysis_failure(error: &AnalysisError) -> Failure {
    Failure::Analysis("AnalysisError", error.to_string(), error.module.clone(), Box::new(cause_failure(&error.cause)))
}

/// The one conversion of results: `[0, value]`, or `[1, error]` for a failure (also when the
/// value cannot be converted, which the shapes used here never cause).
fn outcome<T: Serialize>(result: Result<T, Failure>) -> JsValue {
    let converted = match result {
        Ok(value) => serde_wasm_bindgen::to_value(&(0, value)),
        Err(failure) => serde_wasm_bindgen::to_value(&(1, failure)),
    };
    converted.unwrap_or_else(|e| {
        serde_wasm_bindgen::to_value(&(1, Failure::Plain("ValueError", format!("engine result not convertible: {e}"))))
            .unwrap_or(JsValue::UNDEFINED)
    })
}

/// The one conversion of arguments: `value` (JS arrays, strings, numbers, booleans, `undefined`)
/// as `T`, or a `TypeError` naming the argument.
fn from_js<T: DeserializeOwned>(value: JsValue, what: &str) -> Result<T, Failure> {
    serde_wasm_bindgen::from_value(value).map_err(|e| Failure::Plain("TypeError", format!("{what}: {e}")))
}

fn record_to_tuple(record: &Record) -> RecordTuple {
    (record.kind.as_str().to_string(), record.module.clone(), record.name.clone(), record.asname.clone())
}

fn record_from_tuple((kind, module, name, asname): RecordTuple) -> Result<Record, Failure> {
    let kind = RecordKind::parse(&kind).ok_or_else(|| Failure::Plain("ValueError", format!("unknown record kind {kind:?}")))?;
    if kind == RecordKind::From && name.is_none() {
        return Err(Failure::Plain("ValueError", format!("a 'from' record needs a name (module {module})")));
    }
    Ok(Record { kind, module, name, asname })
}

fn records_from_js(value: JsValue) -> Result<Vec<Record>, Failure> {
    from_js::<Vec<RecordTuple>>(value, "records")?.into_iter().map(record_from_tuple).collect()
}

fn specs_from_js(value: JsValue) -> Result<Vec<ModuleSpec>, Failure> {
    let specs: Vec<SpecTuple> = from_js(value, "modules")?;
    Ok(specs.into_iter().map(|(name, file, package)| ModuleSpec { name, file, package }).collect())
}

/// The Emscripten file system of the Pyodide that loaded the engine, through `js-sys`: the
/// engine's [`System`] in this build.
///
/// `FS.stat(path)` gives `mode` and `mtime` (a `Date`, or milliseconds in Emscripten versions
/// that keep numbers), `FS.readFile(path)` a `Uint8Array`; both throw an `ErrnoError` for a
/// missing file, which reads as `None`.
///
/// The mtime is the FS's own milliseconds ([`Mtime::from_js_time`]). Python's `os.stat` reports
/// the same value, except in Pyodide 0.26/0.27, whose Emscripten (3.1.58) stores the sub-second
/// milliseconds times 1000 as nanoseconds (`.123` s reads `.000123` s): there the two differ by
/// less than a second. Change detection only compares the engine's own readings.
pub struct EmscriptenFs {
    fs: JsValue,
    /// [`MTIME_OF`], made once: `FS.stat` and its reading in one call from the engine.
    mtime_of: Function,
    read_file: Function,
    /// Each path asked about, as a JS string: made once, not decoded again at every sync.
    paths: RefCell<HashMap<String, JsValue>>,
}

/// Arguments and body of the JS function `(FS, path) => milliseconds` that
/// [`EmscriptenFs::read_mtime`] calls: `FS.stat(path).mtime` as milliseconds (a `Date`, or
/// the number older Emscriptens keep) for a regular file (`S_IFMT`, `S_IFREG` of Emscripten's
/// `sys/stat.h`, as POSIX); `NaN` for anything else, or when
/// `stat` throws (`ErrnoError` for a missing path). One crossing of the boundary per file,
/// instead of five (`stat`, two property reads, the `Date` check, `getTime`).
const MTIME_OF: (&str, &str) = (
    "FS, path",
    "let s; try { s = FS.stat(path); } catch (e) { return NaN; }
     if ((s.mode & 0o170000) !== 0o100000) return NaN;
     const m = s.mtime;
     return typeof m === 'number' ? m : (m instanceof Date ? m.getTime() : NaN);",
);

impl std::fmt::Debug for EmscriptenFs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EmscriptenFs")
    }
}

impl EmscriptenFs {
    /// Wraps an Emscripten `FS` object. Errors: a `TypeError` when it has no `stat` or
    /// `readFile` function.
    pub fn new(fs: JsValue) -> Result<Self, JsError> {
        let function = |name: &str| -> Result<Function, JsError> {
            Reflect::get(&fs, &JsValue::from_str(name))
                .ok()
                .and_then(|f| f.dyn_into::<Function>().ok())
                .ok_or_else(|| JsError::new(&format!("not an Emscripten FS object: it has no {name} function")))
        };
        function("stat")?;
        Ok(EmscriptenFs {
            mtime_of: Function::new_with_args(MTIME_OF.0, MTIME_OF.1),
            read_file: function("readFile")?,
            fs,
            paths: RefCell::new(HashMap::new()),
        })
    }

    /// `f` of `path` as a JS string, from the cache (made there on first use).
    fn with_js_path<T>(&self, path: &str, f: impl FnOnce(&JsValue) -> T) -> T {
        let mut paths = self.paths.borrow_mut();
        if let Some(value) = paths.get(path) {
            return f(value);
        }
        f(paths.entry(path.to_string()).or_insert_with(|| JsValue::from_str(path)))
    }
}

impl System for EmscriptenFs {
    fn read_mtime(&self, path: &str) -> Option<Mtime> {
        let ms = self.with_js_path(path, |path| self.mtime_of.call2(&JsValue::UNDEFINED, &self.fs, path)).ok()?;
        Mtime::from_js_time(ms.as_f64()?)
    }

    fn read_source(&self, path: &str) -> Option<(Mtime, Vec<u8>)> {
        let mtime = self.read_mtime(path)?;
        let data = self.with_js_path(path, |path| self.read_file.call1(&self.fs, path)).ok()?;
        let bytes = data.dyn_into::<Uint8Array>().ok()?.to_vec();
        Some((mtime, bytes))
    }
}

/// The host's parser: a JS function `check(file, source)` returning `-1` when the host accepts
/// the source, else the index under which the host side keeps the exception its parser raised
/// (a JS value cannot travel in a [`HostError`], which must be `Send`); anything else, or a
/// throw, is taken as a rejection without an exception of its own.
struct JsHostParser<'a> {
    check: &'a Function,
}

impl HostParser for JsHostParser<'_> {
    fn verdict(&self, file: &str, source: &str) -> Result<(), HostError> {
        let verdict = self.check.call2(&JsValue::UNDEFINED, &JsValue::from_str(file), &JsValue::from_str(source));
        match verdict.ok().and_then(|v| v.as_f64()) {
            Some(v) if v < 0.0 => Ok(()),
            Some(v) if v.fract() == 0.0 && v < 1e15 => Err(HostError(Arc::new(v as usize))),
            _ => Err(HostError(Arc::new(()))),
        }
    }
}

/// All state of one LiveImport instance (see `Engine` in `_engine.pyi`). Every method returns
/// an outcome (module documentation).
#[wasm_bindgen]
pub struct Engine {
    inner: CoreEngine<EmscriptenFs>,
    check_syntax: Function,
}

#[wasm_bindgen]
impl Engine {
    /// `new Engine(FS, workspace, [major, minor], check_syntax)`: an engine reading files
    /// through the Emscripten `FS` object, for sources of that Python version, asking
    /// `check_syntax` (see [`JsHostParser`]) for the host's verdict; no modules and no
    /// registrations. Throws an `Error` when `FS` is not an Emscripten FS, `workspace` not an
    /// array of strings, the version not two small integers or `check_syntax` not a function.
    #[wasm_bindgen(constructor)]
    pub fn new(fs: JsValue, workspace: JsValue, version: JsValue, check_syntax: JsValue) -> Result<Engine, JsError> {
        install_panic_hook();
        let workspace: Vec<String> = serde_wasm_bindgen::from_value(workspace).map_err(|e| JsError::new(&format!("workspace: {e}")))?;
        let (major, minor): (u8, u8) = serde_wasm_bindgen::from_value(version).map_err(|e| JsError::new(&format!("python_version: {e}")))?;
        let check_syntax = check_syntax.dyn_into::<Function>().map_err(|_| JsError::new("check_syntax: not a function"))?;
        let inner = CoreEngine::with_system(workspace, python_version(major, minor), EmscriptenFs::new(fs)?);
        Ok(Engine { inner, check_syntax })
    }

    /// Registration text into records: `SyntaxError`, `ImportError` or `ValueError` on failure.
    pub fn parse_statements(&self, text: JsValue, package: JsValue, allow_other_statements: JsValue) -> JsValue {
        outcome((|| {
            let text: String = from_js(text, "text")?;
            let package: String = from_js(package, "package")?;
            let allow: bool = from_js(allow_other_statements, "allow_other_statements")?;
            match parse_registration(&text, &package, allow) {
                Ok(records) => Ok(records.iter().map(record_to_tuple).collect::<Vec<_>>()),
                Err(RegistrationError::Syntax(info)) => Err(syntax_failure(&info)),
                Err(RegistrationError::Import(message)) => Err(Failure::Plain("ImportError", message)),
                Err(RegistrationError::Value(message)) => Err(Failure::Plain("ValueError", message)),
            }
        })())
    }

    /// Registers validated records for a namespace, atomically: `AnalysisError` on failure.
    pub fn register(&mut self, namespace_id: JsValue, records: JsValue, modules: JsValue, clear: JsValue) -> JsValue {
        outcome((|| {
            let namespace_id: NamespaceId = from_js(namespace_id, "namespace_id")?;
            let records = records_from_js(records)?;
            let modules = specs_from_js(modules)?;
            let clear: bool = from_js(clear, "clear")?;
            self.inner.note_writes(writes::take());
            let host = JsHostParser { check: &self.check_syntax };
            self.inner.register(namespace_id, &records, &modules, clear, &host).map_err(|e| analysis_failure(&e))
        })())
    }

    /// Untracked possible dependencies of all tracked modules, sorted.
    pub fn untracked_dependencies(&self) -> JsValue {
        outcome(Ok(self.inner.untracked_dependencies()))
    }

    /// Tracks the workspace modules among `modules`: `[wanted, [[module, cause]]]`, each
    /// cause an error array (module documentation).
    pub fn track_indirect(&mut self, modules: JsValue) -> JsValue {
        outcome((|| {
            let modules = specs_from_js(modules)?;
            self.inner.note_writes(writes::take());
            let host = JsHostParser { check: &self.check_syntax };
            let (wanted, errors) = self.inner.track_indirect(&modules, &host);
            let errors: Vec<(String, Failure)> = errors.iter().map(|e| (e.module.clone(), cause_failure(&e.cause))).collect();
            Ok((wanted, errors))
        })())
    }

    /// Replaces the workspace (absolute, normalised directories).
    pub fn set_workspace(&mut self, directories: JsValue) -> JsValue {
        outcome(from_js::<Vec<String>>(directories, "directories").map(|d| self.inner.set_workspace(d)))
    }

    /// The workspace directories.
    pub fn workspace(&self) -> JsValue {
        outcome(Ok(self.inner.workspace()))
    }

    /// Marks tracked files at or under `paths` as changed; the value is how many were marked.
    pub fn mark_dirty(&mut self, paths: JsValue) -> JsValue {
        outcome(from_js::<Vec<String>>(paths, "paths").map(|p| self.inner.mark_dirty(&p)))
    }

    /// Records that the files at or under `paths` are gone, without examining them; the value
    /// is how many modules were marked.
    pub fn mark_missing(&mut self, paths: JsValue) -> JsValue {
        outcome(from_js::<Vec<String>>(paths, "paths").map(|p| self.inner.mark_missing(&p)))
    }

    /// Modules whose source file disappeared since the last call: `[[name, file]]`, each once.
    pub fn take_missing(&mut self) -> JsValue {
        outcome(Ok(self.inner.take_missing()))
    }

    /// Detects modified modules and schedules reloads: `[entries, namespaces]`, `null` when
    /// nothing is to reload (no entries, so no namespaces either), or the `AnalysisError` of
    /// the first modified module whose source cannot be analysed.
    pub fn plan_sync(&mut self, full: JsValue) -> JsValue {
        outcome((|| {
            let full: bool = from_js(full, "full")?;
            self.inner.note_writes(writes::take());
            let host = JsHostParser { check: &self.check_syntax };
            let plan = self.inner.plan_sync(full, &host);
            if let Some(error) = plan.errors.first() {
                return Err(analysis_failure(error));
            }
            if plan.entries.is_empty() {
                return Ok(None); // nothing to reload: `[0, null]`, the common case, cheap to convert
            }
            let entries: Vec<(String, &'static str, f64, Vec<String>)> =
                plan.entries.into_iter().map(|e| (e.module, e.reason.as_str(), e.mtime, e.after)).collect();
            let namespaces: Vec<(NamespaceId, Vec<String>, Vec<RecordTuple>)> = plan
                .namespaces
                .into_iter()
                .map(|n| (n.id, n.attached, n.records.iter().map(record_to_tuple).collect()))
                .collect();
            Ok(Some((entries, namespaces)))
        })())
    }

    /// Records the planned mtimes of the reloaded modules as seen.
    pub fn commit(&mut self, reloaded: JsValue) -> JsValue {
        outcome(from_js::<Vec<String>>(reloaded, "reloaded").map(|r| self.inner.commit(&r)))
    }

    /// The namespace's records in replay order.
    pub fn journal(&self, namespace_id: JsValue) -> JsValue {
        outcome(from_js::<NamespaceId>(namespace_id, "namespace_id").map(|ns| {
            self.inner.journal(ns).iter().map(record_to_tuple).collect::<Vec<_>>()
        }))
    }

    /// How many modules are tracked.
    pub fn tracked_count(&self) -> JsValue {
        outcome(Ok(self.inner.tracked_count()))
    }

    /// Snapshot: `[workspace, [[name, file, mtime, direct, imported_by]], statements]`.
    pub fn status(&self, namespace_id: JsValue) -> JsValue {
        outcome(from_js::<Option<NamespaceId>>(namespace_id, "namespace_id").map(|ns| {
            let (modules, statements) = self.inner.status(ns);
            let modules: Vec<(String, Option<String>, Option<f64>, bool, Vec<String>)> =
                modules.into_iter().map(|m| (m.name, m.file, m.mtime, m.direct, m.imported_by)).collect();
            (self.inner.workspace(), modules, statements)
        }))
    }
}

/// The canonical statement text of a record, e.g. `from m import n as k`.
#[wasm_bindgen]
pub fn canonical_statement(record: JsValue) -> JsValue {
    outcome(from_js::<RecordTuple>(record, "record").and_then(record_from_tuple).map(|r| r.statement()))
}

/// The engine's own syntax finding on `source` for Python `[major, minor]`, without asking the
/// host: a `SyntaxError` array (`[msg, filename, lineno, offset, text]`), or `undefined`.
#[wasm_bindgen]
pub fn engine_syntax_error(source: JsValue, filename: JsValue, version: JsValue) -> JsValue {
    outcome((|| {
        let source: String = from_js(source, "source")?;
        let filename: String = from_js(filename, "filename")?;
        let (major, minor): (u8, u8) = from_js(version, "python_version")?;
        Ok(crate::analysis::engine_finding(&source, &filename, python_version(major, minor)).map(|info| syntax_tuple(&info)))
    })())
}

/// The audit events that change files ([`writes::AUDITED_EVENTS`]), for the Python side's
/// audit hook: `[[name, path_indices, dir_fd_index, flags_index], ...]` (indices `undefined`
/// when absent), the `flags` bits that mean writing and the `dir_fd` value that means none:
/// `[events, write_access, no_dir_fd]`.
#[wasm_bindgen]
pub fn audit_events() -> JsValue {
    let events: Vec<(&str, &[usize], Option<usize>, Option<usize>)> =
        writes::AUDITED_EVENTS.iter().map(|e| (e.name, e.paths, e.dir_fd, e.flags)).collect();
    outcome(Ok((events, writes::WRITE_ACCESS, writes::NO_DIR_FD)))
}

/// Notes that code in this interpreter changed the file or directory at `path` (absolute; the
/// Python hook applies `os.path.abspath`): see [`writes::note`].
#[wasm_bindgen]
pub fn note(path: &str) {
    writes::note(std::path::Path::new(path));
}

/// Notes that CPython is compiling `source` (bytes), the contents of the `.py` file at `path`
/// (absolute): see [`crate::compiled::note_compile`].
#[wasm_bindgen]
pub fn note_compile(path: &str, source: &[u8]) {
    crate::compiled::note_compile(std::path::Path::new(path), source);
}

/// Notes that CPython runs a module code object compiled from the file at `path` (absolute):
/// see [`crate::compiled::note_exec`].
#[wasm_bindgen]
pub fn note_exec(path: &str) {
    crate::compiled::note_exec(std::path::Path::new(path));
}

/// Notes a change that cannot be attributed to a path: the next sync examines every file.
#[wasm_bindgen]
pub fn note_unknown() {
    writes::note_unknown();
}

/// The engine's version (the crate's).
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

fn install_panic_hook() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            if let Ok(mut last) = LAST_PANIC.lock() {
                *last = Some(info.to_string());
            }
        }));
    });
}

/// The message of the panic that trapped the module, if one did (an engine bug: the module
/// must not be used after it).
#[wasm_bindgen]
pub fn last_panic() -> Option<String> {
    LAST_PANIC.lock().ok().and_then(|last| last.clone())
}
