//! Source-file modification times and contents, read with `std::fs` (inside Pyodide: the
//! Emscripten FS).

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

/// A modification time in nanoseconds since the Unix epoch (negative before it). Compared
/// exactly: any difference, earlier included, means modified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Mtime(pub i128);

impl Mtime {
    /// Seconds since the epoch, computed as CPython computes `os.stat().st_mtime`
    /// (`sec + nsec * 1e-9`), so the two compare equal.
    pub fn seconds(self) -> f64 {
        let sec = self.0.div_euclid(1_000_000_000);
        let nsec = self.0.rem_euclid(1_000_000_000);
        sec as f64 + nsec as f64 * 1e-9
    }

    /// From a JavaScript time value (milliseconds since the epoch, as `Date.getTime()`),
    /// converted the way Emscripten's `stat` syscall fills `st_mtim` (`tv_sec = floor(ms /
    /// 1000)`, `tv_nsec = (ms % 1000) * 10^6`, truncated), so that it equals Python's
    /// `os.stat()` of the same file in Pyodide. `None` for a value that is not a time.
    pub fn from_js_time(ms: f64) -> Option<Self> {
        if !ms.is_finite() || ms.abs() > 8.64e15 {
            return None; // beyond the range of a JS Date
        }
        let sec = (ms / 1000.0).floor();
        let nsec = ((ms - sec * 1000.0) * 1e6).trunc();
        Some(Mtime(sec as i128 * 1_000_000_000 + nsec as i128))
    }

    /// From a `SystemTime`.
    pub fn from_system_time(time: SystemTime) -> Self {
        match time.duration_since(UNIX_EPOCH) {
            Ok(after) => Mtime(after.as_nanos() as i128),
            Err(before) => Mtime(-(before.duration().as_nanos() as i128)),
        }
    }
}

/// Reads a file's mtime; `None` when the file is missing or cannot be examined (a missing source
/// file is skipped by sync, never an error).
pub fn read_mtime(path: &Path) -> Option<Mtime> {
    let metadata = std::fs::metadata(path).ok()?;
    if !metadata.is_file() {
        return None;
    }
    metadata.modified().ok().map(Mtime::from_system_time)
}

/// Reads a source file's mtime and contents through one open file: `open`, one `fstat` and the
/// reads, with no second look-up of the path. `None` when the file is missing, is not a regular
/// file or cannot be read.
pub fn read_source(path: &Path) -> Option<(Mtime, Vec<u8>)> {
    use std::io::Read;
    let mut file = std::fs::File::open(path).ok()?;
    let metadata = file.metadata().ok()?;
    if !metadata.is_file() {
        return None;
    }
    let mtime = metadata.modified().ok().map(Mtime::from_system_time)?;
    // Read straight into a buffer one byte longer than the file: one read, then the end of the
    // file (`File::read_to_end` would fstat again, and read in 8 KiB steps).
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
            bytes.resize(filled * 2, 0); // the file grew since the fstat
        }
    }
    bytes.truncate(filled);
    Some((mtime, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn reads_and_converts() {
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
        assert_eq!(Mtime::from_js_time(1_700_000_000_250.0), Some(Mtime(1_700_000_000_250_000_000)));
        assert_eq!(Mtime::from_js_time(1_700_000_000_250.0).unwrap().seconds(), 1_700_000_000.25);
        assert_eq!(Mtime::from_js_time(-1500.0), Some(Mtime(-1_500_000_000)));
        assert_eq!(Mtime::from_js_time(f64::NAN), None);
        let before = UNIX_EPOCH - Duration::from_secs(2);
        assert_eq!(Mtime::from_system_time(before).seconds(), -2.0);
    }
}
