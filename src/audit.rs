//! The audit rule: which PEP 578 audit events change files or run module sources, and what is
//! noted for each ([`crate::writes`], [`crate::compiled`]). The one rule of both engines' audit
//! hooks: the pyo3 build's (in Rust, `src/bindings/python_audit.rs`) and the wasm-bindgen
//! build's (a `sys.addaudithook` function in `liveimport._engine_wasm` that converts the
//! arguments and calls [`note_event`] through `src/bindings/wasm.rs`). Where the rule lives was
//! chosen by measuring the cost per audited event in Pyodide (`node bench/audit_hook.mjs`).
//!
//! - Writes ([`writes::AUDITED_EVENTS`], argument shapes from CPython's audit events table):
//!   `open` with a `flags` argument having a [`writes::WRITE_ACCESS`] bit, `os.rename`,
//!   `os.link`, `os.symlink`, `os.remove`, `os.rmdir`, `os.utime`, `os.truncate`. A path given
//!   as a file descriptor (an `int`) is skipped (the file was noted when opened); a relative
//!   path with a `dir_fd` other than [`writes::NO_DIR_FD`] or `None` cannot be located, and an
//!   argument that is no path at all cannot be named: both make the next sync examine every
//!   file ([`writes::note_unknown`]). Other paths are made absolute against the current
//!   directory and noted.
//! - Once [`set_note_compiles`] was called: `compile(source, filename, ...)` of a `bytes`
//!   source whose `str` filename ends in `.py` (importlib's `source_to_code`), and `exec(code,
//!   ...)` of a code object named `<module>` (the import running it; any filename, as the pyo3
//!   hook always did: the wasm-bindgen hook's extra `.py` test is gone); and `open` with mode
//!   `"r"` for reading (`io.open_code`, importlib reading a source) of a `.py` file under the
//!   current directory, with the time, so that the source compiled next is kept.
//! - Also once [`set_note_compiles`] was called: LiveImport's own event [`SOURCE_READ_EVENT`]
//!   (`sys.audit("liveimport.source_read", path, read_ns)`), raised when an import is given the
//!   bytes of a `.py` file that LiveImport read itself at `read_ns` (nanoseconds since the epoch,
//!   `time.time_ns()`) instead of importlib opening the file (`liveimport._reload_source`): noted
//!   as that `open` would have been, with that time, under the same conditions.
//!
//! Every other event is ignored; [`may_note`] tells so from the name alone, before any
//! argument is converted.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use crate::writes;

/// The arguments of one audit event, converted on demand by the binding that received them.
/// Indices past the end answer `None` (and [`AuditArgs::is_none`] false).
pub trait AuditArgs {
    /// The argument at `i` as an integer, if it is a Python `int` (`bool` included).
    fn int(&self, i: usize) -> Option<i64>;
    /// Whether the argument at `i` is Python's `None`.
    fn is_none(&self, i: usize) -> bool;
    /// Whether there is an argument at `i`.
    fn has(&self, i: usize) -> bool;
    /// The argument at `i` as a path (`os.fsdecode(os.fspath(arg))`: `str`, `bytes`,
    /// `os.PathLike`); `None` when it is none of those.
    fn path(&self, i: usize) -> Option<PathBuf>;
    /// The argument at `i` as a `str`, if it is one.
    fn string(&self, i: usize) -> Option<String>;
    /// The argument at `i` as `bytes`, if it is that type.
    fn bytes(&self, i: usize) -> Option<Vec<u8>>;
    /// `(co_name, co_filename)` of the argument at `i`, if it is a code object.
    fn code(&self, i: usize) -> Option<(String, String)>;
    /// The current directory of the interpreter (relative paths are relative to it); `None`
    /// when it cannot be read.
    fn cwd(&self) -> Option<PathBuf> {
        std::env::current_dir().ok()
    }
}

/// The audit event LiveImport raises when an import compiles bytes LiveImport read from a `.py`
/// file (arguments: the path, the time of the read in nanoseconds since the epoch).
pub const SOURCE_READ_EVENT: &str = "liveimport.source_read";

/// Whether `compile` and `exec` events are noted ([`set_note_compiles`]).
static COMPILES: AtomicBool = AtomicBool::new(false);

/// From now on, note the module sources compiled and run (`compile` and `exec` events).
pub fn set_note_compiles() {
    COMPILES.store(true, Ordering::Relaxed);
}

/// Whether `compile` and `exec` events are noted.
pub fn notes_compiles() -> bool {
    COMPILES.load(Ordering::Relaxed)
}

/// Whether an event named `name` can be one [`note_event`] notes: the cheap test a hook makes
/// before converting any argument.
pub fn may_note(name: &[u8]) -> bool {
    // The first byte first: most events (`import`, `sys._getframe`, `object.__getattr__`, ...)
    // are told apart by it. The table's names all start with `o` (`open`, `os.*`).
    match name.first() {
        Some(b'o') => writes::audited_event(name).is_some(),
        Some(b'c' | b'e') => (name == b"compile" || name == b"exec") && notes_compiles(),
        Some(b'l') => name == SOURCE_READ_EVENT.as_bytes() && notes_compiles(),
        _ => false,
    }
}

/// The names of the events [`may_note`] accepts now, for a hook that tests names in a set of its
/// own (the wasm-bindgen build's Python hook); changes only when [`set_note_compiles`] is called.
pub fn noted_event_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = writes::AUDITED_EVENTS.iter().map(|e| e.name).collect();
    if notes_compiles() {
        names.extend(["compile", "exec", SOURCE_READ_EVENT]);
    }
    names
}

/// `path` made absolute against the current directory of `args` (as `os.path.abspath`); `None`
/// when it is relative and that directory cannot be read.
fn absolute(path: &Path, args: &dyn AuditArgs) -> Option<PathBuf> {
    if path.has_root() {
        return Some(writes::absolute(path, Path::new("/")));
    }
    args.cwd().map(|cwd| writes::absolute(path, &cwd))
}

/// Applies the rule (module documentation) to the audit event `name` with `args`. Never fails:
/// what cannot be converted is noted as an unknown change (writes) or not noted (compiles, which
/// only save work).
pub fn note_event(name: &[u8], args: &dyn AuditArgs) {
    if name == b"compile" || name == b"exec" {
        if notes_compiles() {
            note_compile_event(name, args);
        }
        return;
    }
    if name == b"open" && notes_compiles() && is_open_code(args) {
        note_source_open(args, crate::mtime::Mtime::now());
        return;
    }
    if name == SOURCE_READ_EVENT.as_bytes() {
        if let (true, Some(read_ns)) = (notes_compiles(), args.int(1)) {
            note_source_open(args, crate::mtime::Mtime(i128::from(read_ns)));
        }
        return;
    }
    let Some(shape) = writes::audited_event(name) else { return };
    if let Some(flags) = shape.flags {
        if args.int(flags).is_none_or(|f| f & writes::WRITE_ACCESS == 0) {
            return;
        }
    }
    let relative_to_fd = shape.dir_fd.is_some_and(|i| args.has(i) && !args.is_none(i) && args.int(i) != Some(writes::NO_DIR_FD));
    for &i in shape.paths {
        if !args.has(i) || args.int(i).is_some() {
            continue; // absent, or a file descriptor
        }
        match args.path(i) {
            Some(path) if relative_to_fd && !path.has_root() => writes::note_unknown(),
            Some(path) => match absolute(&path, args) {
                Some(path) => writes::note(&path),
                None => writes::note_unknown(),
            },
            None => writes::note_unknown(),
        }
    }
}

/// Whether the arguments of an `open` event are those `io.open_code` gives (what importlib
/// reads a source with): mode `"r"` and flags without write access (`O_RDONLY | O_CLOEXEC`).
/// Reading a file with `open(path, "rb")` gives mode `"rb"`; only a text-mode `open(path)`
/// looks the same, and text is not what importlib compiles (a `str` source is not noted).
fn is_open_code(args: &dyn AuditArgs) -> bool {
    args.string(1).as_deref() == Some("r") && args.int(2).is_some_and(|f| f & writes::WRITE_ACCESS == 0)
}

/// importlib opens (or is given the bytes LiveImport read of) the `.py` file `args[0]` under the
/// current directory to compile it: noted with the time of the read `when`, so that its source is
/// kept ([`crate::compiled::note_open`]).
fn note_source_open(args: &dyn AuditArgs, when: crate::mtime::Mtime) {
    let (Some(path), Some(cwd)) = (args.path(0), args.cwd()) else { return };
    if path.extension().is_none_or(|e| e != "py") {
        return;
    }
    let path = writes::absolute(&path, &cwd);
    if path.starts_with(writes::absolute(&cwd, Path::new("/"))) {
        crate::compiled::note_open(&path, when);
    }
}

fn note_compile_event(name: &[u8], args: &dyn AuditArgs) {
    if name == b"compile" {
        let (Some(source), Some(filename)) = (args.bytes(0), args.string(1)) else { return };
        if filename.ends_with(".py") {
            let path = absolute(Path::new(&filename), args).unwrap_or_else(|| PathBuf::from(&filename));
            crate::compiled::note_compile(&path, &source);
        }
    } else if let Some((code_name, filename)) = args.code(0) {
        if code_name == "<module>" {
            let path = absolute(Path::new(&filename), args).unwrap_or_else(|| PathBuf::from(&filename));
            crate::compiled::note_exec(&path);
        }
    }
}

#[cfg(test)]
#[path = "audit_tests.rs"]
mod tests;
