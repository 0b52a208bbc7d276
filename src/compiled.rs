//! Module sources that this interpreter compiled and then ran: CPython's own verdict on them.
//!
//! Analysing a module means finding every syntax error the running Python's parser would
//! report ([`crate::analysis`]). A module imported from source was compiled by CPython from
//! exactly the bytes of its file, and compiling parses: if the file still holds those bytes,
//! CPython has accepted it already and the engine need not parse it whole (the import
//! statements are still read, for the dependencies). Inside Pyodide, where no bytecode is cached
//! and parsing in WebAssembly is slow before V8 optimises it, this keeps the first `register()`
//! of a large workspace fast without giving up any syntax error.
//!
//! The notes come from the PEP 578 audit hook (`liveimport._engine.note_compiles`):
//! `compile(source, filename)` of a `.py` file's bytes ([`note_compile`], as importlib's
//! `SourceLoader.source_to_code` does) and then `exec(code)` of a module code object of that file
//! ([`note_exec`], the import running it). A compile that fails raises before any `exec`, so
//! only sources that compiled are accepted. Sources are compared by length and a 64-bit hash.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// A source's fingerprint: its length and hash.
type Fingerprint = (usize, u64);

#[derive(Default)]
struct Notes {
    /// The last source compiled for each file, not yet run.
    pending: HashMap<PathBuf, Fingerprint>,
    /// The last source compiled and then run for each file.
    accepted: HashMap<PathBuf, Fingerprint>,
}

static NOTES: Mutex<Option<Notes>> = Mutex::new(None);

fn with_notes<T>(f: impl FnOnce(&mut Notes) -> T) -> T {
    // A panic while holding the lock cannot leave the maps inconsistent; ignore poisoning.
    let mut guard = NOTES.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    f(guard.get_or_insert_with(Notes::default))
}

fn fingerprint(source: &[u8]) -> Fingerprint {
    let mut hasher = DefaultHasher::new();
    source.hash(&mut hasher);
    (source.len(), hasher.finish())
}

/// `path` as the engine names files: absolute against the current directory, normalised.
fn key(path: &Path) -> PathBuf {
    match std::env::current_dir() {
        Ok(cwd) => crate::writes::absolute(path, &cwd),
        Err(_) => path.to_path_buf(),
    }
}

/// CPython is compiling `source`, the bytes of the `.py` file at `path`.
pub fn note_compile(path: &Path, source: &[u8]) {
    let print = fingerprint(source);
    with_notes(|notes| notes.pending.insert(key(path), print));
}

/// CPython runs a module code object compiled from the file at `path`: its last compiled source
/// compiled without error.
pub fn note_exec(path: &Path) {
    let path = key(path);
    with_notes(|notes| {
        if let Some(print) = notes.pending.remove(&path) {
            notes.accepted.insert(path, print);
        }
    });
}

/// Whether CPython compiled and ran exactly `source` as the file at `path` (absolute).
pub fn accepted(path: &Path, source: &[u8]) -> bool {
    let print = fingerprint(source);
    with_notes(|notes| notes.accepted.get(path) == Some(&print))
}

/// Forgets every note (tests).
#[cfg(test)]
pub fn clear() {
    with_notes(|notes| *notes = Notes::default());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sources_compiled_then_run_are_accepted() {
        // The notes are process-wide: the audit rule's tests note compiles too.
        let _lock = crate::writes::TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
        clear();
        let file = Path::new("/w/compiled_m.py");
        note_compile(file, b"x = 1\n");
        assert!(!accepted(file, b"x = 1\n"), "compiled, not run yet (the compile may fail)");
        note_exec(file);
        assert!(accepted(file, b"x = 1\n"));
        assert!(!accepted(file, b"x = 2\n"), "another source");
        // A failed compile of a new version (no exec follows) leaves the last good one.
        note_compile(file, b"x = = 2\n");
        assert!(!accepted(file, b"x = = 2\n"));
        assert!(accepted(file, b"x = 1\n"));
        assert!(!accepted(Path::new("/w/other.py"), b"x = 1\n"));
    }
}
