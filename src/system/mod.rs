//! The engine's access to source files, behind one small trait (in the style of ruff_db's
//! `System`), so that each build reads them through the file system of the interpreter that
//! loaded it:
//!
//! - [`os::OsSystem`]: `std::fs`. Natively, that is the operating system; in the pyo3 build for
//!   `wasm32-unknown-emscripten`, Emscripten's libc, i.e. Pyodide's FS.
//! - `emscripten::EmscriptenFs` (feature `wasm`): the wasm-bindgen build
//!   (`wasm32-unknown-unknown`) has no libc; it calls the Emscripten `FS` object of the Pyodide
//!   that loaded it through `js-sys`.
//! - [`memory::MemorySystem`]: files held in memory, with a count of every access, for tests.
//!
//! The engine needs two operations only, both on absolute paths of `.py` files: the
//! modification time, and the modification time with the whole contents. Both answer `None`
//! for a missing file, a directory or anything unreadable: a missing source file is skipped by
//! sync, never an error.

use crate::mtime::Mtime;

#[cfg(feature = "wasm")]
pub mod emscripten;
pub mod memory;
pub mod os;

pub use memory::MemorySystem;
pub use os::OsSystem;

/// Read access to source files. Implementations never panic and never block forever.
pub trait System {
    /// The modification time of the regular file at `path` (absolute); `None` when it is
    /// missing, not a regular file or cannot be examined.
    fn read_mtime(&self, path: &str) -> Option<Mtime>;

    /// The modification time and the whole contents of the regular file at `path` (absolute),
    /// the mtime read no later than the contents (so a change during the read shows as a newer
    /// mtime at the next stat), with one stat of the file (in JupyterLite's `/drive`: one stat
    /// request and one request for the contents); `None` as for [`System::read_mtime`], or when
    /// reading fails.
    fn read_source(&self, path: &str) -> Option<(Mtime, Vec<u8>)>;
}

/// A shared reference to a system is a system (tests keep the [`MemorySystem`] to change it).
impl<S: System + ?Sized> System for &S {
    fn read_mtime(&self, path: &str) -> Option<Mtime> {
        (**self).read_mtime(path)
    }

    fn read_source(&self, path: &str) -> Option<(Mtime, Vec<u8>)> {
        (**self).read_source(path)
    }
}

/// An owned system in a box is a system.
impl<S: System + ?Sized> System for Box<S> {
    fn read_mtime(&self, path: &str) -> Option<Mtime> {
        (**self).read_mtime(path)
    }

    fn read_source(&self, path: &str) -> Option<(Mtime, Vec<u8>)> {
        (**self).read_source(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(name: &str) -> crate::engine::ModuleSpec {
        crate::engine::ModuleSpec { name: name.into(), file: Some(format!("/w/{name}.py")), package: String::new() }
    }

    /// The engine reads every file through its system: one read per newly tracked module, none
    /// for a sync with nothing marked, one stat per examined module.
    #[test]
    fn engine_reads_only_through_its_system() {
        use crate::analysis::{python_version, EngineVerdict};
        use crate::engine::Engine;
        use crate::records::{Record, RecordKind};
        let host = &EngineVerdict;
        let fs = MemorySystem::new();
        fs.write("/w/a.py", "import b\n", 10);
        fs.write("/w/b.py", "x = 1\n", 10);
        let mut engine = Engine::with_system(vec!["/w".into()], python_version(3, 14), &fs);
        let record = Record { kind: RecordKind::Import, module: "a".into(), name: None, asname: None };
        engine.register(1, &[record], &[spec("a")], false, host).unwrap();
        assert_eq!(engine.untracked_dependencies(), ["b"]);
        assert!(engine.track_indirect(&[spec("b")], host).1.is_empty());
        assert_eq!(fs.reads(), (0, 2));

        fs.write("/w/b.py", "x = 2\n", 20);
        assert!(engine.plan_sync(false, host).entries.is_empty(), "nothing marked: trusts the last stat");
        assert_eq!(fs.reads(), (0, 2));
        assert_eq!(engine.mark_dirty(&["/w/b.py".into()]), 1);
        let plan = engine.plan_sync(false, host);
        let order: Vec<(&str, &str)> = plan.entries.iter().map(|e| (e.module.as_str(), e.reason.as_str())).collect();
        assert_eq!(order, [("b", "modified"), ("a", "dependent")]);
        assert_eq!(plan.entries[0].mtime, 20.0);
        assert_eq!(fs.reads(), (0, 3), "the marked file read once (its mtime from the read), nothing else");

        engine.commit(&["b".into(), "a".into()]);
        fs.remove("/w/a.py");
        assert!(engine.plan_sync(true, host).entries.is_empty(), "a missing file is skipped");
        assert_eq!(fs.reads(), (2, 3)); // a full sync: one stat per module
        assert_eq!(engine.status(None).0[0].mtime, None, "missing at the last stat");
        assert_eq!(engine.take_missing(), [("a".to_string(), "/w/a.py".to_string())]);
    }

    /// A module CPython just imported from source (its source kept by the audit hook) is
    /// tracked with a stat alone; one whose file changed since is read.
    #[test]
    fn tracking_takes_the_source_importlib_read() {
        use crate::analysis::{python_version, EngineVerdict};
        use crate::engine::Engine;
        use crate::mtime::Mtime;
        use crate::records::{Record, RecordKind};
        use std::path::Path;
        let _lock = crate::writes::TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
        let fs = MemorySystem::new();
        fs.write("/k/a.py", "import b\n", 10);
        fs.write("/k/b.py", "x = 1\n", 10);
        let imported = |file: &str, source: &[u8]| {
            crate::compiled::note_open(Path::new(file), Mtime(20_000_000_000));
            crate::compiled::note_compile(Path::new(file), source);
            crate::compiled::note_exec(Path::new(file));
        };
        imported("/k/a.py", b"import b\n");
        imported("/k/b.py", b"x = 1\n");
        fs.write("/k/b.py", "x = 2\n", 19); // saved within the margin before the read
        let mut engine = Engine::with_system(vec!["/k".into()], python_version(3, 14), &fs);
        let record = Record { kind: RecordKind::Import, module: "a".into(), name: None, asname: None };
        let spec =
            |name: &str| crate::engine::ModuleSpec { name: name.into(), file: Some(format!("/k/{name}.py")), package: String::new() };
        engine.register(1, &[record], &[spec("a")], false, &EngineVerdict).unwrap();
        assert_eq!(fs.reads(), (1, 0), "a: one stat, its source from the import");
        assert_eq!(engine.untracked_dependencies(), ["b"]);
        assert!(engine.track_indirect(&[spec("b")], &EngineVerdict).1.is_empty());
        assert_eq!(fs.reads(), (2, 1), "b changed near the read: stat, then read");
        assert!(!crate::compiled::keeps(Path::new("/k/b.py")), "taken either way");

        // Written by code in this interpreter (noted by the audit hook): not used, whatever the
        // mtime (`os.utime` can set any).
        fs.write("/k/c.py", "x = 3\n", 10);
        imported("/k/c.py", b"x = 1\n");
        crate::writes::take();
        crate::writes::note(Path::new("/k/c.py"));
        engine.note_writes(crate::writes::take()); // as every contract call examining files does
        assert!(engine.track_indirect(&[spec("c")], &EngineVerdict).1.is_empty());
        assert_eq!(fs.reads(), (2, 2), "read, not taken");
        assert!(!crate::compiled::keeps(Path::new("/k/c.py")));
    }
}
