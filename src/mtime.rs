//! Source-file modification times, as the engine compares them.

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

    /// The current time, as a file saved now would have it: the system clock natively and in
    /// the pyo3 build for Pyodide (Emscripten's `clock_gettime`, i.e. `Date.now()`), the JS
    /// clock in the wasm-bindgen build (which has no system clock).
    pub fn now() -> Self {
        #[cfg(feature = "wasm")]
        {
            Mtime::from_js_time(js_sys::Date::now()).unwrap_or(Mtime(0))
        }
        #[cfg(not(feature = "wasm"))]
        {
            Mtime::from_system_time(SystemTime::now())
        }
    }

    /// From a `SystemTime`.
    pub fn from_system_time(time: SystemTime) -> Self {
        match time.duration_since(UNIX_EPOCH) {
            Ok(after) => Mtime(after.as_nanos() as i128),
            Err(before) => Mtime(-(before.duration().as_nanos() as i128)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn converts_like_cpython_and_emscripten() {
        assert_eq!(Mtime::from_js_time(1_700_000_000_250.0), Some(Mtime(1_700_000_000_250_000_000)));
        assert_eq!(Mtime::from_js_time(1_700_000_000_250.0).unwrap().seconds(), 1_700_000_000.25);
        assert_eq!(Mtime::from_js_time(-1500.0), Some(Mtime(-1_500_000_000)));
        assert_eq!(Mtime::from_js_time(f64::NAN), None);
        let before = UNIX_EPOCH - Duration::from_secs(2);
        assert_eq!(Mtime::from_system_time(before).seconds(), -2.0);
    }
}
