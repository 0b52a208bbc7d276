//! Files written by code running in this interpreter, noted as the writes happen.
//!
//! In JupyterLite the notebook page reports the file changes it makes (editor saves, uploads,
//! renames, deletions) to the kernel, and a sync then examines only those files. Code running in
//! the kernel can change files too (`open(path, "w")`, `os.replace`, `os.utime`, ...); those
//! changes are noted here, from a PEP 578 audit hook (`liveimport._engine.note_writes`), so that
//! no change is missed. The engine takes the noted paths at each sync ([`take`]) and from then
//! on examines the tracked files among them at every sync, not once: a file opened for writing
//! may be written through the open file object later, after the note.
//!
//! Paths are made absolute against the current directory and normalised lexically, as Python's
//! `os.path.abspath` does (symbolic links are not resolved), so that they compare equal to the
//! engine's tracked files.

use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

/// A PEP 578 audit event that changes files, and where its arguments are (argument shapes from
/// CPython's audit events table): the table of the audit rule, [`crate::audit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditedEvent {
    /// The event name, e.g. `os.rename`.
    pub name: &'static str,
    /// Indices of the arguments that are changed paths (a path, or a file descriptor to ignore).
    pub paths: &'static [usize],
    /// Index of the `dir_fd` argument, if the event has one: a relative path with a `dir_fd`
    /// cannot be located, so it makes the next sync examine everything. CPython passes
    /// [`NO_DIR_FD`] (or `None`) there when no `dir_fd` was given.
    pub dir_fd: Option<usize>,
    /// Index of the `flags` argument, if the event changes a file only when `flags` has one of
    /// the [`WRITE_ACCESS`] bits (`open`).
    pub flags: Option<usize>,
}

/// The `dir_fd` argument CPython's audit events carry when the call had none (its
/// `DEFAULT_DIR_FD` is reported as -1): the path is then relative to the current directory.
pub const NO_DIR_FD: i64 = -1;

/// `O_WRONLY | O_RDWR`: the access-mode bits that allow writing (1 and 2 on every POSIX system
/// CPython and Emscripten support).
pub const WRITE_ACCESS: i64 = 0b11;

/// The events noted: `open(path, mode, flags)` opening for writing (raised by `open()`,
/// `io.open()`, `os.open()` and everything built on them: `shutil`, `pathlib`);
/// `os.rename(src, dst, ...)` (also `os.replace`), `os.link` and `os.symlink`: the paths
/// created or changed; `os.remove(path, ...)`, `os.rmdir`, `os.truncate(path, ...)`,
/// `os.utime(path, ...)`.
pub const AUDITED_EVENTS: &[AuditedEvent] = &[
    AuditedEvent { name: "open", paths: &[0], dir_fd: None, flags: Some(2) },
    AuditedEvent { name: "os.rename", paths: &[0, 1], dir_fd: Some(2), flags: None },
    AuditedEvent { name: "os.link", paths: &[1], dir_fd: Some(2), flags: None },
    AuditedEvent { name: "os.symlink", paths: &[1], dir_fd: Some(2), flags: None },
    AuditedEvent { name: "os.remove", paths: &[0], dir_fd: Some(1), flags: None },
    AuditedEvent { name: "os.rmdir", paths: &[0], dir_fd: Some(1), flags: None },
    AuditedEvent { name: "os.utime", paths: &[0], dir_fd: Some(3), flags: None },
    AuditedEvent { name: "os.truncate", paths: &[0], dir_fd: None, flags: None },
];

/// The [`AUDITED_EVENTS`] entry of the event `name`, if it is noted.
pub fn audited_event(name: &[u8]) -> Option<&'static AuditedEvent> {
    AUDITED_EVENTS.iter().find(|e| e.name.as_bytes() == name)
}

/// More noted paths than this between two syncs: the list is dropped and the next sync examines
/// every tracked file instead (bounds memory when a cell writes many files).
pub const MAX_NOTED: usize = 10_000;

/// What was noted since the last [`take`].
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Noted {
    /// Absolute, normalised paths of changed files and directories, in the order noted.
    pub paths: Vec<PathBuf>,
    /// More than [`MAX_NOTED`] paths were noted: treat every file as possibly changed.
    pub overflow: bool,
}

static NOTED: Mutex<Noted> = Mutex::new(Noted { paths: Vec::new(), overflow: false });

fn noted() -> std::sync::MutexGuard<'static, Noted> {
    // A panic while holding the lock cannot leave `Noted` inconsistent; ignore poisoning.
    NOTED.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// `path` made absolute against `cwd` and normalised lexically (`.` dropped, `..` removes the
/// previous component, never going above the root), as `os.path.abspath` does.
pub fn absolute(path: &Path, cwd: &Path) -> PathBuf {
    // `has_root`, not `is_absolute`: on wasm32-unknown-unknown (neither unix nor wasi) std's
    // `is_absolute` is false for every path; Python paths are POSIX paths on every build.
    let joined = if path.has_root() { path.to_path_buf() } else { cwd.join(path) };
    let mut out = PathBuf::new();
    for component in joined.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if out.parent().is_some() {
                    out.pop();
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Notes that the file or directory at `path` (absolute, or relative to the current directory)
/// was changed by code in this interpreter. Never fails: when the current directory cannot be
/// read, a relative path makes the next sync examine everything.
pub fn note(path: &Path) {
    let absolute_path =
        if path.has_root() { Some(absolute(path, Path::new("/"))) } else { std::env::current_dir().ok().map(|cwd| absolute(path, &cwd)) };
    let mut noted = noted();
    match absolute_path {
        Some(p) if !noted.overflow && noted.paths.len() < MAX_NOTED => {
            if noted.paths.last() != Some(&p) {
                noted.paths.push(p);
            }
        }
        _ => {
            noted.paths.clear();
            noted.overflow = true;
        }
    }
}

/// Notes a change that cannot be attributed to a path: the next sync examines every file.
pub fn note_unknown() {
    let mut noted = noted();
    noted.paths.clear();
    noted.overflow = true;
}

/// Held by every test that notes or takes (the notes are process-wide; tests run in parallel).
#[cfg(test)]
pub(crate) static TEST_LOCK: Mutex<()> = Mutex::new(());

/// Everything noted since the previous call, which is then forgotten.
pub fn take() -> Noted {
    std::mem::take(&mut *noted())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audited_events_table() {
        let open = audited_event(b"open").unwrap();
        assert_eq!((open.paths, open.flags), (&[0usize][..], Some(2)));
        assert_eq!(audited_event(b"os.rename").unwrap().paths, [0, 1]);
        assert_eq!(audited_event(b"os.listdir"), None);
        // crate::audit::may_note tests the first byte first.
        assert!(AUDITED_EVENTS.iter().all(|e| e.name == "open" || e.name.starts_with("os.")));
    }

    #[test]
    fn absolute_normalises_like_abspath() {
        let cwd = Path::new("/drive/notebooks");
        assert_eq!(absolute(Path::new("helpers.py"), cwd), PathBuf::from("/drive/notebooks/helpers.py"));
        assert_eq!(absolute(Path::new("./pkg/../helpers.py"), cwd), PathBuf::from("/drive/notebooks/helpers.py"));
        assert_eq!(absolute(Path::new("../../../x.py"), cwd), PathBuf::from("/x.py"));
        assert_eq!(absolute(Path::new("/drive//a/./b.py"), cwd), PathBuf::from("/drive/a/b.py"));
    }

    // One test touches the process-wide list, so that parallel tests do not interleave.
    #[test]
    fn note_and_take() {
        let _lock = TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
        take();
        note(Path::new("/drive/a.py"));
        note(Path::new("/drive/a.py"));
        note(Path::new("/drive/sub/../b.py"));
        let got = take();
        assert_eq!(got.paths, vec![PathBuf::from("/drive/a.py"), PathBuf::from("/drive/b.py")]);
        assert!(!got.overflow);
        assert_eq!(take(), Noted::default());

        for i in 0..=MAX_NOTED {
            note(Path::new(&format!("/data/{i}.csv")));
        }
        let got = take();
        assert!(got.overflow);
        assert!(got.paths.is_empty());

        note(Path::new("/x.py"));
        note_unknown();
        assert!(take().overflow);
    }
}
