//! The pyo3 build's PEP 578 audit hook: it converts each event's arguments on demand
//! ([`PyAuditArgs`]) for the audit rule, [`crate::audit`].
//!
//! Two ways in:
//! - the Pyodide build hooks CPython's C API (`PySys_AddAuditHook`, Python >= 3.8), because
//!   audit hooks run for every audited event of the interpreter (`open`, `import`, `exec`,
//!   `sys._getframe`, ...): this one costs a name test for events the rule ignores
//!   ([`crate::audit::may_note`]). That is where the hook matters: JupyterLite's `/drive`, whose
//!   changes the kernel otherwise learns from the page's events only.
//! - the native build (feature `abi3`, CPython's limited API, which has no `PySys_AddAuditHook`)
//!   adds a builtin function with `sys.addaudithook`: each audited event then costs one call of
//!   it (CPython makes the event's `str` for Python-level hooks). Kernels on a real file system
//!   check every tracked file at each sync anyway (`liveimport._page`), so there the hook only
//!   serves kernels that opt into page events.
//!
//! An audit hook cannot be removed; [`install`] adds it once per process.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString, PyTuple};

use crate::audit::AuditArgs;

/// An audit event's argument tuple, converted one argument at a time as the rule asks.
struct PyAuditArgs<'a, 'py>(&'a Bound<'py, PyTuple>);

impl AuditArgs for PyAuditArgs<'_, '_> {
    fn int(&self, i: usize) -> Option<i64> {
        self.0.get_item(i).ok()?.extract::<i64>().ok()
    }

    fn is_none(&self, i: usize) -> bool {
        self.0.get_item(i).is_ok_and(|arg| arg.is_none())
    }

    fn has(&self, i: usize) -> bool {
        i < self.0.len()
    }

    fn path(&self, i: usize) -> Option<PathBuf> {
        self.0.get_item(i).ok()?.extract::<PathBuf>().ok()
    }

    fn string(&self, i: usize) -> Option<String> {
        self.0.get_item(i).ok()?.cast::<PyString>().ok()?.to_str().ok().map(str::to_string)
    }

    fn bytes(&self, i: usize) -> Option<Vec<u8>> {
        Some(self.0.get_item(i).ok()?.cast::<PyBytes>().ok()?.as_bytes().to_vec())
    }

    fn code(&self, i: usize) -> Option<(String, String)> {
        let code = self.0.get_item(i).ok()?;
        let name = code.getattr("co_name").ok()?.extract::<String>().ok()?;
        let filename = code.getattr("co_filename").ok()?.extract::<String>().ok()?;
        Some((name, filename))
    }
}

#[cfg(not(feature = "abi3"))]
mod entry {
    //! `PySys_AddAuditHook` (not in the limited API).
    use std::ffi::{c_char, c_int, c_void, CStr};

    use pyo3::ffi;
    use pyo3::prelude::*;
    use pyo3::types::PyTuple;

    type AuditHookFunction = unsafe extern "C" fn(*const c_char, *mut ffi::PyObject, *mut c_void) -> c_int;

    extern "C" {
        /// `int PySys_AddAuditHook(Py_AuditHookFunction hook, void *userData)` (cpython/sysmodule.h).
        fn PySys_AddAuditHook(hook: AuditHookFunction, user_data: *mut c_void) -> c_int;
    }

    unsafe extern "C" fn hook(event: *const c_char, args: *mut ffi::PyObject, _user_data: *mut c_void) -> c_int {
        if event.is_null() || args.is_null() {
            return 0;
        }
        // SAFETY: CPython passes a NUL-terminated event name.
        let name = unsafe { CStr::from_ptr(event) }.to_bytes();
        if !crate::audit::may_note(name) {
            return 0;
        }
        let _ = std::panic::catch_unwind(|| {
            // SAFETY: audit hooks run with the thread attached to the interpreter (GIL held), and
            // `args` is a borrowed reference to a tuple valid for the duration of the call.
            let py = unsafe { Python::assume_attached() };
            let args = unsafe { Bound::from_borrowed_ptr(py, args) };
            if let Ok(args) = args.cast::<PyTuple>() {
                crate::audit::note_event(name, &super::PyAuditArgs(args));
            }
        });
        // Failed conversions above returned their errors as values (no exception stays set);
        // returning 0 lets the audited operation proceed.
        0
    }

    /// Adds [`hook`]; the Python exception when CPython refused it.
    pub fn add(py: Python<'_>) -> PyResult<()> {
        // SAFETY: `hook` matches Py_AuditHookFunction and lives for the whole process.
        if unsafe { PySys_AddAuditHook(hook, std::ptr::null_mut()) } != 0 {
            return Err(PyErr::take(py).unwrap_or_else(|| pyo3::exceptions::PyRuntimeError::new_err("PySys_AddAuditHook failed")));
        }
        Ok(())
    }
}

#[cfg(feature = "abi3")]
mod entry {
    //! `sys.addaudithook` with a builtin function (the limited API).
    use pyo3::prelude::*;
    use pyo3::types::{PyString, PyTuple};

    /// The audit hook: `hook(event, args)`. Never raises (an exception would abort the audited
    /// operation); returns None.
    #[pyfunction]
    fn liveimport_audit_hook(event: &Bound<'_, PyAny>, args: &Bound<'_, PyAny>) {
        let Ok(event) = event.cast::<PyString>() else { return };
        let Ok(name) = event.to_str() else { return };
        if !crate::audit::may_note(name.as_bytes()) {
            return;
        }
        // A panic must not become an exception (pyo3 would raise PanicException).
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            if let Ok(args) = args.cast::<PyTuple>() {
                crate::audit::note_event(name.as_bytes(), &super::PyAuditArgs(args));
            }
        }));
    }

    /// Adds [`liveimport_audit_hook`] with `sys.addaudithook`; its exception when refused.
    pub fn add(py: Python<'_>) -> PyResult<()> {
        let hook = wrap_pyfunction!(liveimport_audit_hook, py)?;
        py.import("sys")?.call_method1("addaudithook", (hook,))?;
        Ok(())
    }
}

static INSTALLED: AtomicBool = AtomicBool::new(false);

/// Adds the audit hook to this process, once: later calls do nothing. Callers hold the GIL,
/// which serialises the check and the installation.
///
/// Errors: the Python exception when CPython refused the hook (another audit hook may veto
/// `sys.addaudithook`); a later call tries again.
pub fn install(py: Python<'_>) -> PyResult<()> {
    if INSTALLED.load(Ordering::Acquire) {
        return Ok(());
    }
    entry::add(py)?;
    INSTALLED.store(true, Ordering::Release);
    Ok(())
}
