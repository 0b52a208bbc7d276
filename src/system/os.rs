//! [`OsSystem`]: source files through `std::fs` (natively the operating system; in the pyo3
//! build for Pyodide, Emscripten's libc, i.e. Pyodide's FS).

use std::path::Path;

use crate::mtime::Mtime;
use crate::system::System;

/// The file system of the process, through `std::fs`.
#[derive(Debug, Clone, Copy, Default)]
pub struct OsSystem;

impl System for OsSystem {
    fn read_mtime(&self, path: &str) -> Option<Mtime> {
        read_mtime(Path::new(path))
    }

    fn read_source(&self, path: &str) -> Option<(Mtime, Vec<u8>)> {
        read_source(Path::new(path))
    }
}

/// Reads a file's mtime; `None` when the file is missing or cannot be examined (a missing source
/// file is skipped by sync, never an error).
fn read_mtime(path: &Path) -> Option<Mtime> {
    let metadata = std::fs::metadata(path).ok()?;
    if !metadata.is_file() {
        return None;
    }
    metadata.modified().ok().map(Mtime::from_system_time)
}

/// Reads a source file's mtime, then its contents: one `stat` of the path, then `open` and the
/// reads, with no `fstat` of the open file (in Pyodide's `/drive`, every stat is a request to
/// the page, and the contents are fetched at `open`: the mtime is read before the contents, so
/// a change in between shows as a newer mtime at the next stat). `None` when the file is
/// missing, is not a regular file or cannot be read.
fn read_source(path: &Path) -> Option<(Mtime, Vec<u8>)> {
    use std::io::Read;
    let metadata = std::fs::metadata(path).ok()?;
    if !metadata.is_file() {
        return None;
    }
    let mtime = metadata.modified().ok().map(Mtime::from_system_time)?;
    let mut file = std::fs::File::open(path).ok()?;
    // Read straight into a buffer one byte longer than the file: one read, then the end of the
    // file (`File::read_to_end` would fstat the open file, and read in 8 KiB steps).
    let mut bytes = vec![0u8; usize::try_from(metadata.len()).unwrap_or(0).saturating_add(1)];
    let mut filled = 0;
    loop {
        match file.read(&mut bytes[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return None,
        }
        if filled == bytes.len() {
            bytes.resize(filled * 2, 0); // the file grew since the stat
        }
    }
    bytes.truncate(filled);
    Some((mtime, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn os_system_reads_through_std_fs() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("m.py");
        let path = file.to_string_lossy().into_owned();
        assert_eq!(OsSystem.read_mtime(&path), None);
        std::fs::write(&file, "import os\n").unwrap();
        let mtime = OsSystem.read_mtime(&path).unwrap();
        assert_eq!(OsSystem.read_source(&path), Some((mtime, b"import os\n".to_vec())));
        assert_eq!(OsSystem.read_mtime(&dir.path().to_string_lossy()), None);
    }

    #[test]
    fn reads_mtimes_and_sources() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("m.py");
        assert_eq!(read_mtime(&file), None);
        std::fs::write(&file, "x = 1\n").unwrap();
        let when = UNIX_EPOCH + Duration::from_millis(1_700_000_000_250);
        std::fs::File::options().write(true).open(&file).unwrap().set_modified(when).unwrap();
        let mtime = read_mtime(&file).unwrap();
        assert_eq!(mtime.seconds(), 1_700_000_000.25);
        assert_eq!(read_mtime(dir.path()), None, "directories are not source files");
        assert_eq!(read_source(&file), Some((mtime, b"x = 1\n".to_vec())));
        assert_eq!(read_source(dir.path()), None);
        assert_eq!(read_source(&dir.path().join("missing.py")), None);
    }
}
