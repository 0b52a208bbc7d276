//! The pyo3 binding layer: the extension module `liveimport._engine`.
//!
//! The contract, with shapes, is `python/liveimport/_engine.pyi`. Every failure reaches Python
//! as the exception the LiveImport API documents; nothing here panics on user input.

use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyImportError, PySyntaxError, PyValueError};
use pyo3::prelude::*;

use crate::engine::{AnalysisError as EngineAnalysisError, Engine as CoreEngine, ModuleSpec, NamespaceId};
use crate::imports::{parse_registration, RegistrationError, SyntaxErrorInfo};
use crate::records::{Record, RecordKind};

create_exception!(
    _engine,
    AnalysisError,
    PyException,
    "A tracked module's source could not be analysed. Attributes: `module` (str) and `cause` (SyntaxError)."
);

/// `(kind, module, name, asname)`, see `_engine.pyi`.
type RecordTuple = (String, String, Option<String>, Option<String>);
/// `(name, file, package)`.
type SpecTuple = (String, String, String);

fn record_to_tuple(record: &Record) -> RecordTuple {
    (record.kind.as_str().to_string(), record.module.clone(), record.name.clone(), record.asname.clone())
}

fn record_from_tuple((kind, module, name, asname): RecordTuple) -> PyResult<Record> {
    let kind = RecordKind::parse(&kind).ok_or_else(|| PyValueError::new_err(format!("unknown record kind {kind:?}")))?;
    if kind == RecordKind::From && name.is_none() {
        return Err(PyValueError::new_err(format!("a 'from' record needs a name (module {module})")));
    }
    Ok(Record { kind, module, name, asname })
}

fn specs(modules: Vec<SpecTuple>) -> Vec<ModuleSpec> {
    modules.into_iter().map(|(name, file, package)| ModuleSpec { name, file, package }).collect()
}

/// A `SyntaxError` instance with the standard `(msg, (filename, lineno, offset, text, end_lineno,
/// end_offset))` arguments.
fn syntax_error(info: &SyntaxErrorInfo) -> PyErr {
    PySyntaxError::new_err((
        info.message.clone(),
        (info.filename.clone(), info.line, info.column, info.text.clone(), info.line, info.column),
    ))
}

fn syntax_error_value<'py>(py: Python<'py>, info: &SyntaxErrorInfo) -> Bound<'py, PyAny> {
    syntax_error(info).value(py).clone().into_any()
}

fn analysis_error(py: Python<'_>, error: &EngineAnalysisError) -> PyErr {
    let err = AnalysisError::new_err(error.to_string());
    let value = err.value(py);
    // Setting attributes on a fresh exception instance cannot fail; ignore the impossible error.
    let _ = value.setattr("module", error.module.clone());
    let _ = value.setattr("cause", syntax_error_value(py, &error.cause));
    err
}

/// All state of one LiveImport instance (see `Engine` in `_engine.pyi`).
#[pyclass(module = "liveimport._engine")]
struct Engine {
    inner: CoreEngine,
}

#[pymethods]
impl Engine {
    /// Start with no modules and no registrations; `workspace` are absolute directories.
    #[new]
    fn new(workspace: Vec<String>) -> Self {
        Engine { inner: CoreEngine::new(workspace) }
    }

    /// Parse dedented registration text into records. Raises SyntaxError, ImportError, ValueError.
    fn parse_statements(&self, text: &str, package: &str, allow_other_statements: bool) -> PyResult<Vec<RecordTuple>> {
        match parse_registration(text, package, allow_other_statements) {
            Ok(records) => Ok(records.iter().map(record_to_tuple).collect()),
            Err(RegistrationError::Syntax(info)) => Err(syntax_error(&info)),
            Err(RegistrationError::Import(message)) => Err(PyImportError::new_err(message)),
            Err(RegistrationError::Value(message)) => Err(PyValueError::new_err(message)),
        }
    }

    /// Register validated records for a namespace, atomically. Raises AnalysisError.
    fn register(
        &mut self,
        py: Python<'_>,
        namespace_id: NamespaceId,
        records: Vec<RecordTuple>,
        modules: Vec<SpecTuple>,
        clear: bool,
    ) -> PyResult<()> {
        let records = records.into_iter().map(record_from_tuple).collect::<PyResult<Vec<_>>>()?;
        // Writes noted so far concern the modules tracked so far; new ones are read now.
        self.inner.note_writes(crate::writes::take());
        self.inner
            .register(namespace_id, &records, &specs(modules), clear)
            .map_err(|e| analysis_error(py, &e))
    }

    /// Untracked possible dependencies of all tracked modules, sorted.
    fn untracked_dependencies(&self) -> Vec<String> {
        self.inner.untracked_dependencies()
    }

    /// Track the workspace modules among `modules`; returns (wanted names, [(module, SyntaxError)]).
    fn track_indirect<'py>(
        &mut self,
        py: Python<'py>,
        modules: Vec<SpecTuple>,
    ) -> (Vec<String>, Vec<(String, Bound<'py, PyAny>)>) {
        self.inner.note_writes(crate::writes::take());
        let (wanted, errors) = self.inner.track_indirect(&specs(modules));
        let errors = errors.iter().map(|e| (e.module.clone(), syntax_error_value(py, &e.cause))).collect();
        (wanted, errors)
    }

    /// Replace the workspace (absolute, normalised directories).
    fn set_workspace(&mut self, directories: Vec<String>) {
        self.inner.set_workspace(directories);
    }

    /// The workspace directories.
    fn workspace(&self) -> Vec<String> {
        self.inner.workspace()
    }

    /// Mark tracked files at or under `paths` as changed; returns how many were marked.
    fn mark_dirty(&mut self, paths: Vec<String>) -> usize {
        self.inner.mark_dirty(&paths)
    }

    /// Record that the files at or under `paths` are gone, without examining them; returns how
    /// many modules were marked.
    fn mark_missing(&mut self, paths: Vec<String>) -> usize {
        self.inner.mark_missing(&paths)
    }

    /// Modules whose source file disappeared since the last call: [(name, file)], each once.
    fn take_missing(&mut self) -> Vec<(String, String)> {
        self.inner.take_missing()
    }

    /// Detect modified modules and schedule reloads: (entries, namespaces). Without `full`, only
    /// files marked by `mark_dirty` are examined.
    #[allow(clippy::type_complexity)]
    #[pyo3(signature = (full=true))]
    fn plan_sync(
        &mut self,
        full: bool,
    ) -> (Vec<(String, &'static str, f64, Vec<String>)>, Vec<(NamespaceId, Vec<String>, Vec<RecordTuple>)>) {
        self.inner.note_writes(crate::writes::take());
        let plan = self.inner.plan_sync(full);
        let entries = plan.entries.into_iter().map(|e| (e.module, e.reason.as_str(), e.mtime, e.after)).collect();
        let namespaces = plan
            .namespaces
            .into_iter()
            .map(|n| (n.id, n.attached, n.records.iter().map(record_to_tuple).collect()))
            .collect();
        (entries, namespaces)
    }

    /// Record the planned mtimes of the reloaded modules as seen.
    fn commit(&mut self, reloaded: Vec<String>) {
        self.inner.commit(&reloaded);
    }

    /// The namespace's records in replay order.
    fn journal(&self, namespace_id: NamespaceId) -> Vec<RecordTuple> {
        self.inner.journal(namespace_id).iter().map(record_to_tuple).collect()
    }

    /// How many modules are tracked.
    fn tracked_count(&self) -> usize {
        self.inner.tracked_count()
    }

    /// Snapshot: (workspace, [(name, file, mtime, direct, imported_by)], statements).
    #[allow(clippy::type_complexity)]
    #[pyo3(signature = (namespace_id=None))]
    fn status(
        &self,
        namespace_id: Option<NamespaceId>,
    ) -> (Vec<String>, Vec<(String, String, Option<f64>, bool, Vec<String>)>, Vec<String>) {
        let (modules, statements) = self.inner.status(namespace_id);
        let modules = modules.into_iter().map(|m| (m.name, m.file, m.mtime, m.direct, m.imported_by)).collect();
        (self.inner.workspace(), modules, statements)
    }
}

/// The canonical statement text of a record, e.g. `from m import n as k`.
#[pyfunction]
fn canonical_statement(record: RecordTuple) -> PyResult<String> {
    Ok(record_from_tuple(record)?.statement())
}

/// Start noting files changed by code in this interpreter (a PEP 578 audit hook, added once
/// per process and never removed): every later `Engine.plan_sync`, with or without `full`,
/// examines the tracked files among them. Raises the interpreter's exception if it refuses
/// the hook.
#[pyfunction]
fn note_writes(py: Python<'_>) -> PyResult<()> {
    crate::audit::install(py)
}

/// The extension module `liveimport._engine`.
#[pymodule]
#[pyo3(name = "_engine")]
fn engine_module(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<Engine>()?;
    m.add("AnalysisError", m.py().get_type::<AnalysisError>())?;
    m.add_function(wrap_pyfunction!(canonical_statement, m)?)?;
    m.add_function(wrap_pyfunction!(note_writes, m)?)?;
    Ok(())
}
