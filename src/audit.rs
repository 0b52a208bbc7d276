//! The PEP 578 audit hook that notes file changes made by code in this interpreter
//! ([`crate::writes`]).
//!
//! Written against CPython's C API (`PySys_AddAuditHook`, Python >= 3.8) rather than
//! `sys.addaudithook`, because audit hooks run for every audited event of the interpreter
//! (`open`, `import`, `exec`, `builtins.id`, ...): this one costs a few byte comparisons for
//! events it ignores. An audit hook cannot be removed; [`install`] adds it once per process.
//!
//! Events noted: [`writes::AUDITED_EVENTS`] (shared with the wasm-bindgen build's hook).
//!
//! Paths given as file descriptors are ignored (the file was noted when opened); a path
//! relative to a `dir_fd` cannot be located, so it makes the next sync examine everything.

use std::ffi::{c_char, c_int, c_void, CStr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::writes;

type AuditHookFunction = unsafe extern "C" fn(*const c_char, *mut ffi::PyObject, *mut c_void) -> c_int;

extern "C" {
    /// `int PySys_AddAuditHook(Py_AuditHookFunction hook, void *userData)` (cpython/sysmodule.h).
    fn PySys_AddAuditHook(hook: AuditHookFunction, user_data: *mut c_void) -> c_int;
}

fn note_event(event: &[u8], args: &Bound<'_, PyTuple>) {
    let Some(shape) = writes::audited_event(event) else { return };
    if let Some(flags) = shape.flags {
        let writes = args
            .get_item(flags)
            .ok()
            .and_then(|f| f.extract::<i64>().ok())
            .is_some_and(|f| f & writes::WRITE_ACCESS != 0);
        if !writes {
            return;
        }
    }
    let relative_to_fd = shape
        .dir_fd
        .and_then(|i| args.get_item(i).ok())
        .is_some_and(|fd| !fd.is_none() && fd.extract::<i64>().ok() != Some(writes::NO_DIR_FD));
    for &i in shape.paths {
        let Ok(arg) = args.get_item(i) else { continue };
        if arg.extract::<i64>().is_ok() {
            continue; // a file descriptor
        }
        match arg.extract::<PathBuf>() {
            Ok(path) if relative_to_fd && path.is_relative() => writes::note_unknown(),
            Ok(path) => writes::note(&path),
            Err(_) => writes::note_unknown(),
        }
    }
}

unsafe extern "C" fn hook(event: *const c_char, args: *mut ffi::PyObject, _user_data: *mut c_void) -> c_int {
    if event.is_null() || args.is_null() {
        return 0;
    }
    // SAFETY: CPython passes a NUL-terminated event name.
    let name = unsafe { CStr::from_ptr(event) }.to_bytes();
    if !(name == b"open" || name.starts_with(b"os.")) {
        return 0;
    }
    let _ = std::panic::catch_unwind(|| {
        // SAFETY: audit hooks run with the thread attached to the interpreter (GIL held), and
        // `args` is a borrowed reference to a tuple valid for the duration of the call.
        let py = unsafe { Python::assume_attached() };
        let args = unsafe { Bound::from_borrowed_ptr(py, args) };
        if let Ok(args) = args.cast::<PyTuple>() {
            note_event(name, args);
        }
    });
    // Failed conversions above returned their errors as values (no exception stays set);
    // returning 0 lets the audited operation proceed.
    0
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
    // SAFETY: `hook` matches Py_AuditHookFunction and lives for the whole process.
    if unsafe { PySys_AddAuditHook(hook, std::ptr::null_mut()) } != 0 {
        return Err(PyErr::take(py)
            .unwrap_or_else(|| pyo3::exceptions::PyRuntimeError::new_err("PySys_AddAuditHook failed")));
    }
    INSTALLED.store(true, Ordering::Release);
    Ok(())
}
