//! [`MemorySystem`]: source files held in memory, for tests.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use crate::mtime::Mtime;
use crate::system::System;

/// Files held in memory, for tests: path → (mtime, contents). Counts the calls of each
/// operation, so tests can assert which syncs touch files at all.
#[derive(Debug, Default)]
pub struct MemorySystem {
    files: RefCell<HashMap<String, (Mtime, Vec<u8>)>>,
    mtime_reads: Cell<usize>,
    source_reads: Cell<usize>,
}

impl MemorySystem {
    /// An empty file system.
    pub fn new() -> Self {
        Self::default()
    }

    /// Creates or replaces the file at `path` with `contents` and an mtime of `seconds` since
    /// the epoch.
    pub fn write(&self, path: &str, contents: &str, seconds: i64) {
        self.files.borrow_mut().insert(path.to_string(), (Mtime(i128::from(seconds) * 1_000_000_000), contents.as_bytes().to_vec()));
    }

    /// Removes the file at `path` (nothing when missing).
    pub fn remove(&self, path: &str) {
        self.files.borrow_mut().remove(path);
    }

    /// How many times `(read_mtime, read_source)` were called so far.
    pub fn reads(&self) -> (usize, usize) {
        (self.mtime_reads.get(), self.source_reads.get())
    }
}

impl System for MemorySystem {
    fn read_mtime(&self, path: &str) -> Option<Mtime> {
        self.mtime_reads.set(self.mtime_reads.get() + 1);
        self.files.borrow().get(path).map(|(mtime, _)| *mtime)
    }

    fn read_source(&self, path: &str) -> Option<(Mtime, Vec<u8>)> {
        self.source_reads.set(self.source_reads.get() + 1);
        self.files.borrow().get(path).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_system_counts_reads() {
        let fs = MemorySystem::new();
        fs.write("/w/a.py", "x = 1\n", 10);
        assert_eq!(fs.read_mtime("/w/a.py"), Some(Mtime(10_000_000_000)));
        assert_eq!(fs.read_source("/w/b.py"), None);
        fs.remove("/w/a.py");
        // Through a reference (the engine's tests keep the system to change it).
        fn mtime_through<S: System>(system: S, path: &str) -> Option<Mtime> {
            system.read_mtime(path)
        }
        assert_eq!(mtime_through(&fs, "/w/a.py"), None);
        assert_eq!(fs.reads(), (2, 1));
    }
}
