//! The pyo3 binding layer: the extension module `liveimport._engine_pyo3`, which
//! `liveimport._engine` uses wherever it loads (Pyodide 314, native CPython).
//!
//! The contract, with shapes, is `python/liveimport/_engine.pyi`; its rules are in
//! [`crate::contract`]. Each method converts its arguments (pyo3's own conversions of the
//! contract's tuples), calls the contract and converts its error with [`to_py_err`]. Nothing
//! here panics on user input.

use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyImportError, PySyntaxError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use std::sync::Arc;

use crate::analysis::{AnalysisCause, HostError, HostParser};
use crate::contract::{self, Cause, ContractError, PlanTuple, RecordTuple, SpecTuple, StatusTuple};
use crate::engine::{Engine as CoreEngine, NamespaceId};
use crate::imports::SyntaxErrorInfo;

create_exception!(
    liveimport._engine,
    AnalysisError,
    PyException,
    "A tracked module's source could not be analysed. Attributes: `module` (str) and `cause` (the exception: SyntaxError, ImportError)."
);

/// A `SyntaxError` instance with the standard `(msg, (filename, lineno, offset, text, end_lineno,
/// end_offset))` arguments.
fn syntax_error(info: &SyntaxErrorInfo) -> PyErr {
    PySyntaxError::new_err((
        info.message.clone(),
        (info.filename.clone(), info.line, info.column, info.text.clone(), info.line, info.column),
    ))
}

/// The exception an analysis cause stands for ([`contract::cause`]).
fn cause_value<'py>(py: Python<'py>, cause: &AnalysisCause) -> Bound<'py, PyAny> {
    match contract::cause::<Py<PyAny>>(cause) {
        Cause::Syntax(info) => syntax_error(info).value(py).clone().into_any(),
        Cause::Import(message) => PyImportError::new_err(message.to_string()).value(py).clone().into_any(),
        Cause::Value(message) => PyValueError::new_err(message).value(py).clone().into_any(),
        Cause::Host(exception) => exception.bind(py).clone(),
    }
}

/// The one conversion of errors: the exception a [`ContractError`] names.
fn to_py_err(py: Python<'_>, error: ContractError) -> PyErr {
    match error {
        ContractError::Syntax(info) => syntax_error(&info),
        ContractError::Import(message) => PyImportError::new_err(message),
        ContractError::Value(message) => PyValueError::new_err(message),
        ContractError::Analysis(error) => {
            let err = AnalysisError::new_err(error.to_string());
            let value = err.value(py);
            // Setting attributes on a fresh exception instance cannot fail; ignore the impossible error.
            let _ = value.setattr("module", error.module.clone());
            let _ = value.setattr("cause", cause_value(py, &error.cause));
            err
        }
    }
}

/// The host parser of the engine: a Python callable `check_syntax(file, source)` returning
/// `None` when CPython's parser accepts the source, else the exception it raised; an exception
/// the call raises is that verdict too (the call's outcome, converted).
struct PyHostParser<'py> {
    py: Python<'py>,
    check: &'py Py<PyAny>,
}

impl HostParser for PyHostParser<'_> {
    fn verdict(&self, file: &str, source: &str) -> Result<(), HostError> {
        let outcome = match self.check.call1(self.py, (file, source)) {
            Ok(value) if value.is_none(self.py) => return Ok(()),
            Ok(value) => value,
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

#[pymethods]
impl Engine {
    /// Start with no modules and no registrations; `workspace` are absolute directories,
    /// `python_version` is `(major, minor)`, `check_syntax(file, source)` the host's verdict.
    #[new]
    fn new(workspace: Vec<String>, python_version: (u8, u8), check_syntax: Py<PyAny>) -> Self {
        Engine { inner: contract::new_engine(workspace, python_version, crate::system::OsSystem), check_syntax }
    }

    /// Parse dedented registration text into records. Raises SyntaxError, ImportError, ValueError.
    fn parse_statements(&self, py: Python<'_>, text: &str, package: &str, allow_other_statements: bool) -> PyResult<Vec<RecordTuple>> {
        contract::parse_statements(text, package, allow_other_statements).map_err(|e| to_py_err(py, e))
    }

    /// Register validated records for a namespace, atomically. Raises ValueError, AnalysisError.
    fn register(
        &mut self,
        py: Python<'_>,
        namespace_id: NamespaceId,
        records: Vec<RecordTuple>,
        modules: Vec<SpecTuple>,
        clear: bool,
    ) -> PyResult<()> {
        let Engine { inner, check_syntax } = self;
        let host = PyHostParser { py, check: check_syntax };
        contract::register(inner, namespace_id, records, modules, clear, &host).map_err(|e| to_py_err(py, e))
    }

    /// Untracked possible dependencies of all tracked modules, sorted.
    fn untracked_dependencies(&self) -> Vec<String> {
        self.inner.untracked_dependencies()
    }

    /// Track the workspace modules among `modules`; returns (wanted names, [(module, SyntaxError)]).
    fn track_indirect<'py>(&mut self, py: Python<'py>, modules: Vec<SpecTuple>) -> (Vec<String>, Vec<(String, Bound<'py, PyAny>)>) {
        let Engine { inner, check_syntax } = self;
        let host = PyHostParser { py, check: check_syntax };
        let (wanted, errors) = contract::track_indirect(inner, modules, &host);
        (wanted, errors.iter().map(|e| (e.module.clone(), cause_value(py, &e.cause))).collect())
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
    /// files marked by `mark_dirty` or written are examined. Raises AnalysisError for the first
    /// modified module whose source cannot be analysed (nothing is planned then).
    #[pyo3(signature = (full=true))]
    fn plan_sync(&mut self, py: Python<'_>, full: bool) -> PyResult<PlanTuple> {
        let Engine { inner, check_syntax } = self;
        let host = PyHostParser { py, check: check_syntax };
        contract::plan_sync(inner, full, &host).map_err(|e| to_py_err(py, e))
    }

    /// The sources plan_sync read for modified modules: [(module, file, mtime, bytes)], each once.
    fn take_sources<'py>(&mut self, py: Python<'py>) -> Vec<(String, String, f64, Bound<'py, PyBytes>)> {
        contract::take_sources(&mut self.inner).into_iter().map(|(m, f, t, b)| (m, f, t, PyBytes::new(py, &b))).collect()
    }

    /// How many noted writes changed a path other than a tracked source file (notes taken first).
    fn other_writes(&mut self) -> u64 {
        contract::other_writes(&mut self.inner)
    }

    /// Record the planned mtimes of the reloaded modules as seen.
    fn commit(&mut self, reloaded: Vec<String>) {
        self.inner.commit(&reloaded);
    }

    /// The namespace's records in replay order.
    fn journal(&self, namespace_id: NamespaceId) -> Vec<RecordTuple> {
        contract::journal(&self.inner, namespace_id)
    }

    /// How many modules are tracked.
    fn tracked_count(&self) -> usize {
        self.inner.tracked_count()
    }

    /// Snapshot: (workspace, [(name, file, mtime, direct, imported_by)], statements).
    #[pyo3(signature = (namespace_id=None))]
    fn status(&self, namespace_id: Option<NamespaceId>) -> StatusTuple {
        contract::status(&self.inner, namespace_id)
    }
}

/// The canonical statement text of a record, e.g. `from m import n as k`. Raises ValueError.
#[pyfunction]
fn canonical_statement(py: Python<'_>, record: RecordTuple) -> PyResult<String> {
    contract::canonical_statement(record).map_err(|e| to_py_err(py, e))
}

/// The engine's own syntax finding on `source` for Python `python_version` (`(major, minor)`):
/// a `SyntaxError` (not raised) or `None`. For differential tests against CPython's parser.
#[pyfunction]
fn engine_syntax_error<'py>(py: Python<'py>, source: &str, filename: &str, python_version: (u8, u8)) -> Option<Bound<'py, PyAny>> {
    contract::engine_syntax_error(source, filename, python_version).map(|info| syntax_error(&info).value(py).clone().into_any())
}

/// The top-level module names `source` imports at top level, in source order, each once:
/// `[(top, modules, line, text)]` (`_engine.pyi`). Raises `SyntaxError`.
#[pyfunction]
fn import_lines(py: Python<'_>, source: &str, package: &str, filename: &str) -> PyResult<Vec<contract::ImportLineTuple>> {
    contract::import_lines(source, package, filename).map_err(|e| to_py_err(py, e))
}

/// Start noting files changed by code in this interpreter (a PEP 578 audit hook, added once
/// per process and never removed): every later `Engine.plan_sync`, with or without `full`,
/// examines the tracked files among them. Raises the interpreter's exception if it refuses
/// the hook.
#[pyfunction]
fn note_writes(py: Python<'_>) -> PyResult<()> {
    super::python_audit::install(py)
}

/// Note the module sources this interpreter compiles and runs from now on (the audit hook of
/// `note_writes`, added once per process): a tracked module whose file still holds a source
/// CPython compiled need not be parsed whole. Raises as `note_writes`.
#[pyfunction]
fn note_compiles(py: Python<'_>) -> PyResult<()> {
    super::python_audit::install(py)?;
    crate::audit::set_note_compiles();
    Ok(())
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
    m.add_function(wrap_pyfunction!(import_lines, m)?)?;
    m.add_function(wrap_pyfunction!(super::python_type_codes::type_codes, m)?)?;
    m.add_function(wrap_pyfunction!(super::python_type_codes::code_positions, m)?)?;
    m.add_function(wrap_pyfunction!(super::python_type_codes::containers_holding, m)?)?;
    m.add_function(wrap_pyfunction!(super::python_type_codes::elements_with, m)?)?;
    super::python_key_groups::init(m.py())?;
    m.add_function(wrap_pyfunction!(super::python_key_groups::judged_once, m)?)?;
    m.add_function(wrap_pyfunction!(super::python_instances::new_instances, m)?)?;
    Ok(())
}
