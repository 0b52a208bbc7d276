//! The wasm-bindgen binding layer: the engine contract ([`crate::contract`]) built for
//! `wasm32-unknown-unknown` (feature `wasm`) and driven from Python through Pyodide's FFI by
//! `python/liveimport/_engine_wasm.py`, in any Pyodide (no CPython ABI involved).
//!
//! Conversion of values and errors only; the names and arguments are those of
//! `python/liveimport/_engine.pyi`.
//!
//! - Files: [`EmscriptenFs`] (`src/system/emscripten.rs`) on the Emscripten `FS` object handed
//!   to [`Engine::new`] (Pyodide's `pyodide.FS`).
//! - Values: arguments and results are JS arrays (Python tuples and lists, converted by
//!   `pyodide.ffi.to_js` / `JsProxy.to_py`), converted with `serde-wasm-bindgen` in [`from_js`]
//!   and [`outcome`].
//! - Errors: no method throws for a failure the contract documents. Each returns an outcome,
//!   `[0, value]` or `[1, error]`, where `error` is an array naming the Python exception
//!   ([`failure`], the one conversion of [`ContractError`]): `["SyntaxError", msg, filename,
//!   lineno, offset, text]`, `["ImportError", msg]`, `["ValueError", msg]`, `["TypeError",
//!   msg]` (arguments of the wrong shape), or `["AnalysisError", str, module, cause]` whose
//!   `cause` is a `SyntaxError`, `ImportError` or `ValueError` array as above, or `["HostError",
//!   index]`: the host's own exception, kept on the Python side (see [`JsHostParser`]). The
//!   Python side raises it.
//! - The host parser (`check_syntax` of the contract): a JS function handed to
//!   [`Engine::new`] (the Python wrapper's, through Pyodide's FFI).
//! - Panics: the core does not panic on any input (`src/guard_tests.rs`); if one did, the wasm
//!   module traps (`RuntimeError: unreachable` in JS) and the panic message is kept for
//!   [`last_panic`], so the Python side can name it.
//! - Audit events: the Python side's `sys.addaudithook` hook passes the events named by
//!   [`noted_event_names`] to [`note_event`], each argument converted ([`JsAuditArgs`]); the
//!   rule is [`crate::audit`], the same as the pyo3 build's.

use std::cell::RefCell;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use js_sys::{Array, Function, Uint8Array};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::analysis::{AnalysisCause, HostError, HostParser};
use crate::audit::AuditArgs;
use crate::contract::{self, Cause, ContractError, RecordTuple, SpecTuple};
use crate::engine::{Engine as CoreEngine, NamespaceId};
use crate::imports::SyntaxErrorInfo;
use crate::system::emscripten::EmscriptenFs;

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

/// The exception an analysis cause stands for ([`contract::cause`]).
fn cause_failure(cause: &AnalysisCause) -> Failure {
    match contract::cause::<usize>(cause) {
        Cause::Syntax(info) => syntax_failure(info),
        Cause::Import(message) => Failure::Plain("ImportError", message.to_string()),
        Cause::Value(message) => Failure::Plain("ValueError", message.to_string()),
        Cause::Host(&index) => Failure::Host("HostError", index),
    }
}

/// The one conversion of errors: the error array a [`ContractError`] becomes.
fn failure(error: ContractError) -> Failure {
    match error {
        ContractError::Syntax(info) => syntax_failure(&info),
        ContractError::Import(message) => Failure::Plain("ImportError", message),
        ContractError::Value(message) => Failure::Plain("ValueError", message),
        ContractError::Analysis(error) => {
            Failure::Analysis("AnalysisError", error.to_string(), error.module.clone(), Box::new(cause_failure(&error.cause)))
        }
    }
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

/// The host's parser: a JS function `check(file, source)` returning `-1` when the host accepts
/// the source, else the index under which the host side keeps the exception its parser raised
/// (a JS value cannot travel in a [`HostError`], which must be `Send`); anything else, or a
/// throw, is a rejection without an exception of the binding's ([`contract::cause`]).
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
        let version: (u8, u8) = serde_wasm_bindgen::from_value(version).map_err(|e| JsError::new(&format!("python_version: {e}")))?;
        let check_syntax = check_syntax.dyn_into::<Function>().map_err(|_| JsError::new("check_syntax: not a function"))?;
        let inner = contract::new_engine(workspace, version, EmscriptenFs::new(fs)?);
        Ok(Engine { inner, check_syntax })
    }

    /// Registration text into records: `SyntaxError`, `ImportError` or `ValueError` on failure.
    pub fn parse_statements(&self, text: JsValue, package: JsValue, allow_other_statements: JsValue) -> JsValue {
        outcome((|| {
            let text: String = from_js(text, "text")?;
            let package: String = from_js(package, "package")?;
            let allow: bool = from_js(allow_other_statements, "allow_other_statements")?;
            contract::parse_statements(&text, &package, allow).map_err(failure)
        })())
    }

    /// Registers validated records for a namespace, atomically: `ValueError` or `AnalysisError`
    /// on failure.
    pub fn register(&mut self, namespace_id: JsValue, records: JsValue, modules: JsValue, clear: JsValue) -> JsValue {
        outcome((|| {
            let namespace_id: NamespaceId = from_js(namespace_id, "namespace_id")?;
            let records: Vec<RecordTuple> = from_js(records, "records")?;
            let modules: Vec<SpecTuple> = from_js(modules, "modules")?;
            let clear: bool = from_js(clear, "clear")?;
            let host = JsHostParser { check: &self.check_syntax };
            contract::register(&mut self.inner, namespace_id, records, modules, clear, &host).map_err(failure)
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
            let modules: Vec<SpecTuple> = from_js(modules, "modules")?;
            let host = JsHostParser { check: &self.check_syntax };
            let (wanted, errors) = contract::track_indirect(&mut self.inner, modules, &host);
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

    /// Detects modified modules and schedules reloads: `[entries, namespaces]`, or the
    /// `AnalysisError` of the first modified module whose source cannot be analysed.
    pub fn plan_sync(&mut self, full: JsValue) -> JsValue {
        outcome((|| {
            let full: bool = from_js(full, "full")?;
            let host = JsHostParser { check: &self.check_syntax };
            contract::plan_sync(&mut self.inner, full, &host).map_err(failure)
        })())
    }

    /// The indices of the host exceptions the engine keeps for later calls (the Python side may
    /// forget the others): `[index, ...]`.
    pub fn kept_host_errors(&self) -> JsValue {
        outcome(Ok(contract::kept_host_errors::<_, usize>(&self.inner)))
    }

    /// The sources `plan_sync` read for modified modules, as the outcome
    /// `[0, [[module, file, mtime, Uint8Array], ...]]` (bytes as a typed array, not a list of
    /// numbers).
    pub fn take_sources(&mut self) -> JsValue {
        let sources: Array = contract::take_sources(&mut self.inner)
            .into_iter()
            .map(|(module, file, mtime, bytes)| -> JsValue {
                Array::of4(&JsValue::from_str(&module), &JsValue::from_str(&file), &JsValue::from_f64(mtime), &Uint8Array::from(&bytes[..]))
                    .into()
            })
            .collect();
        Array::of2(&JsValue::from_f64(0.0), &sources).into()
    }

    /// How many noted writes changed a path other than a tracked source file (notes taken first).
    pub fn other_writes(&mut self) -> JsValue {
        outcome(Ok(contract::other_writes(&mut self.inner)))
    }

    /// Records the planned mtimes of the reloaded modules as seen.
    pub fn commit(&mut self, reloaded: JsValue) -> JsValue {
        outcome(from_js::<Vec<String>>(reloaded, "reloaded").map(|r| self.inner.commit(&r)))
    }

    /// The namespace's records in replay order.
    pub fn journal(&self, namespace_id: JsValue) -> JsValue {
        outcome(from_js::<NamespaceId>(namespace_id, "namespace_id").map(|ns| contract::journal(&self.inner, ns)))
    }

    /// How many modules are tracked.
    pub fn tracked_count(&self) -> JsValue {
        outcome(Ok(self.inner.tracked_count()))
    }

    /// Snapshot: `[workspace, [[name, file, mtime, direct, imported_by]], statements]`.
    pub fn status(&self, namespace_id: JsValue) -> JsValue {
        outcome(from_js::<Option<NamespaceId>>(namespace_id, "namespace_id").map(|ns| contract::status(&self.inner, ns)))
    }
}

/// The canonical statement text of a record, e.g. `from m import n as k`.
#[wasm_bindgen]
pub fn canonical_statement(record: JsValue) -> JsValue {
    outcome(from_js::<RecordTuple>(record, "record").and_then(|r| contract::canonical_statement(r).map_err(failure)))
}

/// The engine's own syntax finding on `source` for Python `[major, minor]`, without asking the
/// host: a `SyntaxError` array (`[msg, filename, lineno, offset, text]`), or `undefined`.
#[wasm_bindgen]
pub fn engine_syntax_error(source: JsValue, filename: JsValue, version: JsValue) -> JsValue {
    outcome((|| {
        let source: String = from_js(source, "source")?;
        let filename: String = from_js(filename, "filename")?;
        let version: (u8, u8) = from_js(version, "python_version")?;
        Ok(contract::engine_syntax_error(&source, &filename, version).map(|info| syntax_tuple(&info)))
    })())
}

/// The top-level module names `source` imports at top level, each once: an outcome of
/// `[[top, modules, line, text], ...]`, or a `SyntaxError` failure.
#[wasm_bindgen]
pub fn import_lines(source: JsValue, package: JsValue, filename: JsValue) -> JsValue {
    outcome((|| {
        let source: String = from_js(source, "source")?;
        let package: String = from_js(package, "package")?;
        let filename: String = from_js(filename, "filename")?;
        contract::import_lines(&source, &package, &filename).map_err(failure)
    })())
}

thread_local! {
    /// The `FS` whose current directory relative paths of audit events are relative to
    /// ([`note_writes`]).
    static AUDIT_FS: RefCell<Option<EmscriptenFs>> = const { RefCell::new(None) };
}

/// Starts noting: relative paths of later audit events are made absolute against the current
/// directory of the Emscripten `FS` object `fs`. Throws an `Error` when `fs` is not one.
#[wasm_bindgen]
pub fn note_writes(fs: JsValue) -> Result<(), JsError> {
    let fs = EmscriptenFs::new(fs)?;
    AUDIT_FS.with(|audit_fs| *audit_fs.borrow_mut() = Some(fs));
    Ok(())
}

/// From now on, `compile` and `exec` events are noted too ([`crate::audit::set_note_compiles`]).
#[wasm_bindgen]
pub fn note_compiles() {
    crate::audit::set_note_compiles();
}

/// The names of the events the audit rule may note now ([`crate::audit::noted_event_names`]):
/// the Python hook passes only those to [`note_event`].
#[wasm_bindgen]
pub fn noted_event_names() -> Vec<String> {
    crate::audit::noted_event_names().into_iter().map(str::to_string).collect()
}

/// The arguments of one audit event as the Python hook converts them: the number of arguments
/// the event has, and the first four (all that the rule reads), each `undefined` (Python's
/// `None`, or past the end), a number or `BigInt` (an `int`; a `bool` as `true`/`false`), a
/// string (a `str`), a `Uint8Array` (`bytes`), a one-element array `[path]` (an `os.PathLike`,
/// decoded with `os.fsdecode`), a two-element array `[co_name, co_filename]` (a code object),
/// or `NaN` (anything else).
struct JsAuditArgs {
    count: usize,
    args: [JsValue; 4],
}

impl JsAuditArgs {
    fn get(&self, i: usize) -> Option<&JsValue> {
        if i < self.count {
            self.args.get(i)
        } else {
            None
        }
    }
}

impl AuditArgs for JsAuditArgs {
    fn int(&self, i: usize) -> Option<i64> {
        let arg = self.get(i)?;
        if let Some(b) = arg.as_bool() {
            return Some(i64::from(b));
        }
        if arg.is_bigint() {
            return i64::try_from(arg.clone()).ok();
        }
        let n = arg.as_f64()?;
        (n.fract() == 0.0 && n.abs() < 9.0e15).then_some(n as i64)
    }

    fn is_none(&self, i: usize) -> bool {
        self.get(i).is_some_and(|arg| arg.is_undefined() || arg.is_null())
    }

    fn has(&self, i: usize) -> bool {
        i < self.count
    }

    fn path(&self, i: usize) -> Option<PathBuf> {
        let arg = self.get(i)?;
        if let Some(s) = arg.as_string() {
            return Some(PathBuf::from(s));
        }
        if let Some(bytes) = arg.dyn_ref::<Uint8Array>() {
            return String::from_utf8(bytes.to_vec()).ok().map(PathBuf::from);
        }
        let array = arg.dyn_ref::<Array>().filter(|a| a.length() == 1)?;
        array.get(0).as_string().map(PathBuf::from)
    }

    fn string(&self, i: usize) -> Option<String> {
        self.get(i)?.as_string()
    }

    fn bytes(&self, i: usize) -> Option<Vec<u8>> {
        Some(self.get(i)?.dyn_ref::<Uint8Array>()?.to_vec())
    }

    fn code(&self, i: usize) -> Option<(String, String)> {
        let array = self.get(i)?.dyn_ref::<Array>().filter(|a| a.length() == 2)?;
        Some((array.get(0).as_string()?, array.get(1).as_string()?))
    }

    fn cwd(&self) -> Option<PathBuf> {
        AUDIT_FS.with(|fs| fs.borrow().as_ref().and_then(EmscriptenFs::cwd)).map(PathBuf::from)
    }
}

/// Applies the audit rule ([`crate::audit::note_event`]) to the event `name` with `count`
/// arguments, the first four converted as [`JsAuditArgs`] says.
#[wasm_bindgen]
pub fn note_event(name: &str, count: usize, a0: JsValue, a1: JsValue, a2: JsValue, a3: JsValue) {
    crate::audit::note_event(name.as_bytes(), &JsAuditArgs { count, args: [a0, a1, a2, a3] });
}

/// Notes a change that cannot be attributed to a path (the Python hook failed): the next sync
/// examines every file.
#[wasm_bindgen]
pub fn note_unknown() {
    crate::writes::note_unknown();
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
