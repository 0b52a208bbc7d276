//! The PEP 578 audit hook that notes file changes made by code in this interpreter
//! ([`crate::writes`]) and, once [`note_compiles`] is called, the module sources it compiles and
//! runs ([`crate::compiled`]).
//!
//! Two ways in, one set of rules ([`note_event`]):
//! - the Pyodide build hooks CPython's C API (`PySys_AddAuditHook`, Python >= 3.8), because
//!   audit hooks run for every audited event of the interpreter (`open`, `import`, `exec`,
//!   `builtins.id`, ...): this one costs a few byte comparisons for events it ignores. That is
//!   where the hook matters: JupyterLite's `/drive`, whose changes the kernel otherwise learns
//!   from the page's events only.
//! - the native build (feature `abi3`, CPython's limited API, which has no `PySys_AddAuditHook`)
//!   adds a builtin function with `sys.addaudithook`: each audited event then costs one call of
//!   it (CPython makes the event's `str` for Python-level hooks). Kernels on a real file system
//!   check every tracked file at each sync anyway (`liveimport._page`), so there the hook only
//!   serves kernels that opt into page events.
//!
//! An audit hook cannot be removed; [`install`] adds it once per process.
//!
//! Events noted (argument shapes from CPython's audit events table):
//! - `open(path, mode, flags)` with `flags` opening for writing (`O_WRONLY` or `O_RDWR`),
//!   raised by `open()`, `io.open()`, `os.open()` and everything built on them (`shutil`,
//!   `pathlib`);
//! - `os.rename(src, dst, ...)` (also `os.replace`), `os.link` and `os.symlink`: both paths;
//! - `os.remove(path, ...)`, `os.rmdir`, `os.truncate(path, ...)`, `os.utime(path, ...)`.
//!
//! With [`note_compiles`]: `compile(source, filename, ...)` of a `bytes` source whose filename
//! ends in `.py` (importlib's `source_to_code`), and `exec(code, ...)` of a code object named
//! `<module>` (the import running it).
//!
//! Paths given as file descriptors are ignored (the file was noted when opened); a path
//! relative to a `dir_fd` cannot be located, so it makes the next sync examine everything.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::writes;

/// `O_WRONLY | O_RDWR`: the access-mode bits that allow writing (1 and 2 on every POSIX
/// system CPython and Emscripten support).
const WRITE_ACCESS: i64 = 0b11;

/// Which arguments of an event are changed paths, and where its `dir_fd` is (if any).
struct Shape {
    paths: &'static [usize],
    dir_fd: Option<usize>,
}

fn shape(event: &[u8]) -> Option<Shape> {
    Some(match event {
        b"open" => Shape { paths: &[0], dir_fd: None },
        b"os.rename" => Shape { paths: &[0, 1], dir_fd: Some(2) },
        b"os.link" | b"os.symlink" => Shape { paths: &[1], dir_fd: Some(2) },
        b"os.remove" | b"os.rmdir" => Shape { paths: &[0], dir_fd: Some(1) },
        b"os.utime" => Shape { paths: &[0], dir_fd: Some(3) },
        b"os.truncate" => Shape { paths: &[0], dir_fd: None },
        _ => return None,
    })
}

/// Whether `compile` and `exec` events are noted ([`note_compiles`]).
static COMPILES: AtomicBool = AtomicBool::new(false);

fn note_compile_event(event: &[u8], args: &Bound<'_, PyTuple>) {
    use pyo3::types::{PyBytes, PyString};
    if event == b"compile" {
        let (Ok(source), Ok(filename)) = (args.get_item(0), args.get_item(1)) else { return };
        let (Ok(source), Ok(filename)) = (source.cast::<PyBytes>(), filename.cast::<PyString>()) else { return };
        let Ok(filename) = filename.to_str() else { return };
        if filename.ends_with(".py") {
            crate::compiled::note_compile(std::path::Path::new(filename), source.as_bytes());
        }
    } else if let Ok(code) = args.get_item(0) {
        let named_module = code.getattr("co_name").ok().is_some_and(|n| n.extract::<String>().is_ok_and(|n| n == "<module>"));
        if !named_module {
            return;
        }
        if let Ok(filename) = code.getattr("co_filename").and_then(|f| f.extract::<String>()) {
            crate::compiled::note_exec(std::path::Path::new(&filename));
        }
    }
}

fn note_event(event: &[u8], args: &Bound<'_, PyTuple>) {
    if event == b"compile" || event == b"exec" {
        return note_compile_event(event, args);
    }
    let Some(shape) = shape(event) else { return };
    if event == b"open" {
        let writes = args.get_item(2).ok().and_then(|f| f.extract::<i64>().ok()).is_some_and(|f| f & WRITE_ACCESS != 0);
        if !writes {
            return;
        }
    }
    let relative_to_fd = shape
        .dir_fd
        .and_then(|i| args.get_item(i).ok())
        .is_some_and(|fd| !fd.is_none());
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

/// Whether an event can be one [`note_event`] notes (cheap test before any conversion).
fn may_note(name: &[u8]) -> bool {
    name == b"open" || name.starts_with(b"os.") || ((name == b"compile" || name == b"exec") && COMPILES.load(Ordering::Relaxed))
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
        if !super::may_note(name) {
            return 0;
        }
        let _ = std::panic::catch_unwind(|| {
            // SAFETY: audit hooks run with the thread attached to the interpreter (GIL held), and
            // `args` is a borrowed reference to a tuple valid for the duration of the call.
            let py = unsafe { Python::assume_attached() };
            let args = unsafe { Bound::from_borrowed_ptr(py, args) };
            if let Ok(args) = args.cast::<PyTuple>() {
                super::note_event(name, args);
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
            return Err(PyErr::take(py)
                .unwrap_or_else(|| pyo3::exceptions::PyRuntimeError::new_err("PySys_AddAuditHook failed")));
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
        if !super::may_note(name.as_bytes()) {
            return;
        }
        // A panic must not become an exception (pyo3 would raise PanicException).
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            if let Ok(args) = args.cast::<PyTuple>() {
                super::note_event(name.as_bytes(), args);
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
    install_once(py)
}

/// [`install`], and from now on note the module sources compiled and run
/// ([`crate::compiled`]). Errors as [`install`].
pub fn note_compiles(py: Python<'_>) -> PyResult<()> {
    install_once(py)?;
    COMPILES.store(true, Ordering::Relaxed);
    Ok(())
}

fn install_once(py: Python<'_>) -> PyResult<()> {
    if INSTALLED.load(Ordering::Acquire) {
        return Ok(());
    }
    entry::add(py)?;
    INSTALLED.store(true, Ordering::Release);
    Ok(())
}
