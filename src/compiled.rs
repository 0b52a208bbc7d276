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
//!
//! The bytes themselves are kept too, for a source that importlib read ([`note_open`]: the
//! `open` event of `io.open_code`, with mode `"r"` for reading) from a file under the current directory (where a notebook's own modules are;
//! library code is not kept), within a budget ([`KEPT_BUDGET`]): the engine starts tracking a
//! module right after CPython imported it, and takes its source from here ([`take_kept`])
//! instead of reading the file again (in JupyterLite, a request to the page). They are taken
//! only when the file's mtime now is more than [`KEPT_MARGIN`] seconds before the time importlib
//! opened it: the file has not changed since it was read (a save sets the mtime to its own time,
//! and a save is over well within the margin), and CPython read the whole file it compiled. A
//! file written by code in this interpreter (noted by the same hook, [`crate::writes`]) loses its
//! kept source ([`forget_kept`]): `os.utime` can give it any mtime.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::mtime::Mtime;

/// A source's fingerprint: its length and hash.
type Fingerprint = (usize, u64);

/// At most this many bytes of sources are kept ([`note_open`]); later ones are not, until the
/// engine took some.
pub const KEPT_BUDGET: usize = 8 << 20;

/// A kept source is used only when the file's mtime is more than this many seconds before
/// importlib opened the file ([`take_kept`]).
pub const KEPT_MARGIN: f64 = 2.0;

/// A source importlib read, with the time it opened the file.
struct Kept {
    opened: Mtime,
    bytes: Vec<u8>,
}

#[derive(Default)]
struct Notes {
    /// When importlib last opened each file whose source is to be kept, not yet compiled.
    opened: HashMap<PathBuf, Mtime>,
    /// The last source compiled for each file, not yet run (with the bytes, when kept).
    pending: HashMap<PathBuf, (Fingerprint, Option<Kept>)>,
    /// The last source compiled and then run for each file.
    accepted: HashMap<PathBuf, Fingerprint>,
    /// The sources run, kept until the engine takes them.
    kept: HashMap<PathBuf, Kept>,
    /// Bytes in `kept` and `pending`.
    kept_bytes: usize,
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

/// importlib opened the source file at `path` (absolute, under the current directory) at
/// `when`, to compile it: its bytes are kept when compiled next, within [`KEPT_BUDGET`].
pub fn note_open(path: &Path, when: Mtime) {
    let path = key(path);
    with_notes(|notes| notes.opened.insert(path, when));
}

/// CPython is compiling `source`, the bytes of the `.py` file at `path`.
pub fn note_compile(path: &Path, source: &[u8]) {
    let print = fingerprint(source);
    let path = key(path);
    with_notes(|notes| {
        let kept = notes
            .opened
            .remove(&path)
            .and_then(|opened| (notes.kept_bytes + source.len() <= KEPT_BUDGET).then(|| Kept { opened, bytes: source.to_vec() }));
        notes.kept_bytes += kept.as_ref().map_or(0, |k| k.bytes.len());
        if let Some((_, Some(old))) = notes.pending.insert(path, (print, kept)) {
            notes.kept_bytes -= old.bytes.len();
        }
    });
}

/// CPython runs a module code object compiled from the file at `path`: its last compiled source
/// compiled without error.
pub fn note_exec(path: &Path) {
    let path = key(path);
    with_notes(|notes| {
        if let Some((print, kept)) = notes.pending.remove(&path) {
            notes.accepted.insert(path.clone(), print);
            if let Some(kept) = kept {
                if let Some(old) = notes.kept.insert(path, kept) {
                    notes.kept_bytes -= old.bytes.len();
                }
            }
        }
    });
}

/// Whether CPython compiled and ran exactly `source` as the file at `path` (absolute).
pub fn accepted(path: &Path, source: &[u8]) -> bool {
    let print = fingerprint(source);
    with_notes(|notes| notes.accepted.get(path) == Some(&print))
}

/// Whether a source of the file at `path` (absolute) is kept ([`take_kept`]).
pub fn keeps(path: &Path) -> bool {
    with_notes(|notes| notes.kept.contains_key(path))
}

/// The kept source of the file at `path` (absolute), which CPython compiled and ran, when the
/// file's `mtime` now is more than [`KEPT_MARGIN`] seconds before importlib opened it; `None`
/// otherwise. Either way it is kept no longer.
pub fn take_kept(path: &Path, mtime: Mtime) -> Option<Vec<u8>> {
    with_notes(|notes| {
        let kept = notes.kept.remove(path)?;
        notes.kept_bytes -= kept.bytes.len();
        (mtime.seconds() + KEPT_MARGIN < kept.opened.seconds()).then_some(kept.bytes)
    })
}

/// Forgets the kept sources of the file or directory at `path` (absolute) and below: code in
/// this interpreter changed it ([`crate::writes`]), so the file may no longer hold them whatever
/// its mtime says (`os.utime` can set any). `None`: forget every kept source (an overflowing
/// or unlocatable write).
pub fn forget_kept(path: Option<&Path>) {
    with_notes(|notes| {
        let before = std::mem::take(&mut notes.kept);
        for (file, kept) in before {
            if path.is_some_and(|p| !file.starts_with(p)) {
                notes.kept.insert(file, kept);
            } else {
                notes.kept_bytes -= kept.bytes.len();
            }
        }
    });
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
    fn sources_importlib_read_are_kept_until_taken_while_older_than_the_read() {
        let _lock = crate::writes::TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
        clear();
        let file = Path::new("/w/kept_m.py");
        let at = |s: i128| Mtime(s * 1_000_000_000);
        // Compiled without importlib's open: nothing kept.
        note_compile(file, b"x = 1\n");
        note_exec(file);
        assert!(!keeps(file));
        // Opened, compiled, not run (the compile failed): nothing kept.
        note_open(file, at(100));
        note_compile(file, b"x = = 1\n");
        assert!(!keeps(file));
        // Opened, compiled and run: kept until taken, once.
        note_open(file, at(100));
        note_compile(file, b"x = 2\n");
        note_exec(file);
        assert!(keeps(file));
        assert_eq!(take_kept(file, at(90)), Some(b"x = 2\n".to_vec()));
        assert!(!keeps(file) && take_kept(file, at(90)).is_none());
        // A file changed within the margin before the read (or after it): not used, dropped.
        note_open(file, at(100));
        note_compile(file, b"x = 3\n");
        note_exec(file);
        assert_eq!(take_kept(file, at(99)), None);
        assert!(!keeps(file));
        // Beyond the budget: not kept.
        let big = vec![b' '; KEPT_BUDGET + 1];
        note_open(file, at(100));
        note_compile(file, &big);
        note_exec(file);
        assert!(!keeps(file));
        assert!(accepted(file, &big), "still accepted");
        with_notes(|notes| assert_eq!(notes.kept_bytes, 0));
    }

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
