//! The pyo3 binding layer: the extension module `liveimport._engine_pyo3`, which
//! `liveimport._engine` uses wherever it loads (Pyodide 314, native CPython).
//!
//! The contract, with shapes, is `python/liveimport/_engine.pyi`. Every failure reaches Python
//! as the exception the LiveImport API documents; nothing here panics on user input.

use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyImportError, PySyntaxError, PyValueError};
use pyo3::prelude::*;

use std::sync::Arc;

use crate::analysis::{AnalysisCause, HostError, HostParser};
use crate::engine::{AnalysisError as EngineAnalysisError, Engine as CoreEngine, ModuleSpec, NamespaceId};
use crate::imports::{parse_registration, RegistrationError, SyntaxErrorInfo};
use crate::records::{Record, RecordKind};

create_exception!(
    liveimport._engine,
    AnalysisError,
    PyException,
    "A tracked module's source could not be analysed. Attributes: `module` (str) and `cause` (the exception: SyntaxError, ImportError)."
);

/// `(kind, module, name, asname)`, see `_engine.pyi`.
type RecordTuple = (String, String, Option<String>, Option<String>);
/// `(name, file or None, package)`.
type SpecTuple = (String, Option<String>, String);

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

/// The exception an analysis cause stands for: the host's own exception as it was raised, or a
/// `SyntaxError` / `ImportError` made from the engine's finding.
fn cause_value<'py>(py: Python<'py>, cause: &AnalysisCause) -> Bound<'py, PyAny> {
    match cause {
        AnalysisCause::Syntax(info) => syntax_error(info).value(py).clone().into_any(),
        AnalysisCause::Import(message) => PyImportError::new_err(message.clone()).value(py).clone().into_any(),
        AnalysisCause::Host(HostError(host)) => match host.downcast_ref::<Py<PyAny>>() {
            Some(exception) => exception.bind(py).clone(),
            None => PyValueError::new_err("analysis failed").value(py).clone().into_any(),
        },
    }
}

fn analysis_error(py: Python<'_>, error: &EngineAnalysisError) -> PyErr {
    let err = AnalysisError::new_err(error.to_string());
    let value = err.value(py);
    // Setting attributes on a fresh exception instance cannot fail; ignore the impossible error.
    let _ = value.setattr("module", error.module.clone());
    let _ = value.setattr("cause", cause_value(py, &error.cause));
    err
}

/// The host parser of the engine: a Python callable `check_syntax(file, source)` returning
/// `None` when CPython's parser accepts the source, else the exception it raised.
struct PyHostParser<'py> {
    py: Python<'py>,
    check: Py<PyAny>,
}

impl HostParser for PyHostParser<'_> {
    fn verdict(&self, file: &str, source: &str) -> Result<(), HostError> {
        let outcome = match self.check.call1(self.py, (file, source)) {
            Ok(value) if value.is_none(self.py) => return Ok(()),
            Ok(value) => value,
            // The checker itself failed: that exception is the verdict.
            Err(error) => error.value(self.py).clone().into_any().unbind(),
        };
        Err(HostError(Arc::new(outcome)))
    }
}

/// All state of one LiveImport instance (see `Engine` in `_engine.pyi`).
#[pyclass(module = "liveimport._engine")]
struct Engine {
    inner: CoreEngine,
    check_syntax: Py<PyAny>,
}

impl Engine {
    fn host<'py>(&self, py: Python<'py>) -> PyHostParser<'py> {
        PyHostParser { py, check: self.check_syntax.clone_ref(py) }
    }
}

#[pymethods]
impl Engine {
    /// Start with no modules and no registrations; `workspace` are absolute directories,
    /// `python_version` is `(major, minor)`, `check_syntax(file, source)` the host's verdict.
    #[new]
    fn new(workspace: Vec<String>, python_version: (u8, u8), check_syntax: Py<PyAny>) -> Self {
        Engine { inner: CoreEngine::new(workspace, crate::analysis::python_version(python_version.0, python_version.1)), check_syntax }
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
        let host = self.host(py);
        let result = self.inner.register(namespace_id, &records, &specs(modules), clear, &host);
        result.map_err(|e| analysis_error(py, &e))
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
        let host = self.host(py);
        let (wanted, errors) = self.inner.track_indirect(&specs(modules), &host);
        let errors = errors.iter().map(|e| (e.module.clone(), cause_value(py, &e.cause))).collect();
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
    /// files marked by `mark_dirty` are examined. Raises AnalysisError for the first modified
    /// module whose source cannot be analysed (nothing is planned then).
    #[allow(clippy::type_complexity)]
    #[pyo3(signature = (full=true))]
    fn plan_sync(
        &mut self,
        py: Python<'_>,
        full: bool,
    ) -> PyResult<(Vec<(String, &'static str, f64, Vec<String>)>, Vec<(NamespaceId, Vec<String>, Vec<RecordTuple>)>)> {
        self.inner.note_writes(crate::writes::take());
        let host = self.host(py);
        let plan = self.inner.plan_sync(full, &host);
        if let Some(error) = plan.errors.first() {
            return Err(analysis_error(py, error));
        }
        let entries = plan.entries.into_iter().map(|e| (e.module, e.reason.as_str(), e.mtime, e.after)).collect();
        let namespaces = plan
            .namespaces
            .into_iter()
            .map(|n| (n.id, n.attached, n.records.iter().map(record_to_tuple).collect()))
            .collect();
        Ok((entries, namespaces))
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
    ) -> (Vec<String>, Vec<(String, Option<String>, Option<f64>, bool, Vec<String>)>, Vec<String>) {
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

/// The engine's own syntax finding on `source` for Python `python_version` (`(major, minor)`):
/// a `SyntaxError` (not raised) or `None`. For differential tests against CPython's parser.
#[pyfunction]
fn engine_syntax_error<'py>(py: Python<'py>, source: &str, filename: &str, python_version: (u8, u8)) -> Option<Bound<'py, PyAny>> {
    let version = crate::analysis::python_version(python_version.0, python_version.1);
    crate::analysis::engine_finding(source, filename, version).map(|info| cause_value(py, &AnalysisCause::Syntax(info)))
}

/// Start noting files changed by code in this interpreter (a PEP 578 audit hook, added once
/// per process and never removed): every later `Engine.plan_sync`, with or without `full`,
/// examines the tracked files among them. Raises the interpreter's exception if it refuses
/// the hook.
#[pyfunction]
fn note_writes(py: Python<'_>) -> PyResult<()> {
    crate::audit::install(py)
}

/// Note the module sources this interpreter compiles and runs from now on (the audit hook of
/// `note_writes`, added once per process): a tracked module whose file still holds a source
/// CPython compiled need not be parsed whole. Raises as `note_writes`.
#[pyfunction]
fn note_compiles(py: Python<'_>) -> PyResult<()> {
    crate::audit::note_compiles(py)
}

/// The extension module `liveimport._engine_pyo3`.
#[pymodule]
#[pyo3(name = "_engine_pyo3")]
fn engine_module(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<Engine>()?;
    m.add("AnalysisError", m.py().get_type::<AnalysisError>())?;
    m.add_function(wrap_pyfunction!(canonical_statement, m)?)?;
    m.add_function(wrap_pyfunction!(note_writes, m)?)?;
    m.add_function(wrap_pyfunction!(note_compiles, m)?)?;
    m.add_function(wrap_pyfunction!(engine_syntax_error, m)?)?;
    Ok(())
}
