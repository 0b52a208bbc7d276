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
    let joined = if path.is_absolute() { path.to_path_buf() } else { cwd.join(path) };
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
    let absolute_path = if path.is_absolute() {
        Some(absolute(path, Path::new("/")))
    } else {
        std::env::current_dir().ok().map(|cwd| absolute(path, &cwd))
    };
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

/// Everything noted since the previous call, which is then forgotten.
pub fn take() -> Noted {
    std::mem::take(&mut *noted())
}

#[cfg(test)]
mod tests {
    use super::*;

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
