//! `EmscriptenFs`: source files through the Emscripten `FS` object of the Pyodide that loaded
//! the wasm-bindgen engine (`wasm32-unknown-unknown` has no libc), with `js-sys` calls.

use std::cell::RefCell;
use std::collections::HashMap;

use js_sys::{Array, Function, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::mtime::Mtime;
use crate::system::System;

/// The Emscripten file system of the Pyodide that loaded the engine, through `js-sys`: the
/// engine's [`System`] in this build.
///
/// `FS.stat(path)` gives `mode`, `size` and `mtime` (a `Date`, or milliseconds in Emscripten
/// versions that keep numbers), `FS.open`/`FS.read`/`FS.close` the contents; they throw an `ErrnoError` for a
/// missing file, which reads as `None`.
///
/// The mtime is the FS's own milliseconds ([`Mtime::from_js_time`]). Python's `os.stat` reports
/// the same value, except in Pyodide 0.26/0.27, whose Emscripten (3.1.58) stores the sub-second
/// milliseconds times 1000 as nanoseconds (`.123` s reads `.000123` s): there the two differ by
/// less than a second. Change detection only compares the engine's own readings.
pub struct EmscriptenFs {
    fs: JsValue,
    /// [`MTIME_OF`], made once: `FS.stat` and its reading in one call from the engine.
    mtime_of: Function,
    read_source: Function,
    /// Each path asked about, as a JS string: made once, not decoded again at every sync.
    paths: RefCell<HashMap<String, JsValue>>,
}

/// Arguments and body of the JS function `(FS, path) => milliseconds` that
/// [`EmscriptenFs::read_mtime`] calls: `FS.stat(path).mtime` as milliseconds (a `Date`, or
/// the number older Emscriptens keep) for a regular file (`S_IFMT`, `S_IFREG` of Emscripten's
/// `sys/stat.h`, as POSIX); `NaN` for anything else, or when
/// `stat` throws (`ErrnoError` for a missing path). One crossing of the boundary per file,
/// instead of five (`stat`, two property reads, the `Date` check, `getTime`).
const MTIME_OF: (&str, &str) = (
    "FS, path",
    "let s; try { s = FS.stat(path); } catch (e) { return NaN; }
     if ((s.mode & 0o170000) !== 0o100000) return NaN;
     const m = s.mtime;
     return typeof m === 'number' ? m : (m instanceof Date ? m.getTime() : NaN);",
);

/// Arguments and body of the JS function `(FS, path) => [milliseconds, Uint8Array] | null` that
/// [`EmscriptenFs::read_source`] calls: the mtime as [`MTIME_OF`], then the contents through
/// `FS.open`, `FS.read` until the end of the file and `FS.close`, with no second stat
/// (`FS.readFile` stats the path after opening it: in JupyterLite's `/drive` every stat is a
/// request to the page, and the contents are fetched at `open`, so the mtime is read before the
/// contents here). `null` for anything but a regular file, or when a call throws.
const READ_SOURCE: (&str, &str) = (
    "FS, path",
    "let s; try { s = FS.stat(path); } catch (e) { return null; }
     if ((s.mode & 0o170000) !== 0o100000) return null;
     const m = s.mtime;
     const ms = typeof m === 'number' ? m : (m instanceof Date ? m.getTime() : NaN);
     let stream; try { stream = FS.open(path, 0); } catch (e) { return null; }
     try {
       let bytes = new Uint8Array((s.size > 0 ? s.size : 0) + 1);
       let filled = 0;
       for (;;) {
         const n = FS.read(stream, bytes, filled, bytes.length - filled, filled);
         if (n <= 0) break;
         filled += n;
         if (filled === bytes.length) { const more = new Uint8Array(bytes.length * 2); more.set(bytes); bytes = more; }
       }
       return [ms, bytes.subarray(0, filled)];
     } catch (e) { return null; } finally { try { FS.close(stream); } catch (e) {} }",
);

impl std::fmt::Debug for EmscriptenFs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EmscriptenFs")
    }
}

impl EmscriptenFs {
    /// Wraps an Emscripten `FS` object. Errors: a `TypeError` when it has no `stat` or
    /// `open`, `read` or `close` function.
    pub fn new(fs: JsValue) -> Result<Self, JsError> {
        let function = |name: &str| -> Result<Function, JsError> {
            Reflect::get(&fs, &JsValue::from_str(name))
                .ok()
                .and_then(|f| f.dyn_into::<Function>().ok())
                .ok_or_else(|| JsError::new(&format!("not an Emscripten FS object: it has no {name} function")))
        };
        function("stat")?;
        function("open")?;
        function("read")?;
        function("close")?;
        Ok(EmscriptenFs {
            mtime_of: Function::new_with_args(MTIME_OF.0, MTIME_OF.1),
            read_source: Function::new_with_args(READ_SOURCE.0, READ_SOURCE.1),
            fs,
            paths: RefCell::new(HashMap::new()),
        })
    }

    /// The current directory (`FS.cwd()`, what `os.getcwd()` answers in Pyodide); `None` when
    /// the call fails.
    pub fn cwd(&self) -> Option<String> {
        let cwd = Reflect::get(&self.fs, &JsValue::from_str("cwd")).ok()?.dyn_into::<Function>().ok()?;
        cwd.call0(&self.fs).ok()?.as_string()
    }

    /// `f` of `path` as a JS string, from the cache (made there on first use).
    fn with_js_path<T>(&self, path: &str, f: impl FnOnce(&JsValue) -> T) -> T {
        let mut paths = self.paths.borrow_mut();
        if let Some(value) = paths.get(path) {
            return f(value);
        }
        f(paths.entry(path.to_string()).or_insert_with(|| JsValue::from_str(path)))
    }
}

impl System for EmscriptenFs {
    fn read_mtime(&self, path: &str) -> Option<Mtime> {
        let ms = self.with_js_path(path, |path| self.mtime_of.call2(&JsValue::UNDEFINED, &self.fs, path)).ok()?;
        Mtime::from_js_time(ms.as_f64()?)
    }

    fn read_source(&self, path: &str) -> Option<(Mtime, Vec<u8>)> {
        let read = self.with_js_path(path, |path| self.read_source.call2(&JsValue::UNDEFINED, &self.fs, path)).ok()?;
        let read = read.dyn_into::<Array>().ok()?;
        let mtime = Mtime::from_js_time(read.get(0).as_f64()?)?;
        let bytes = read.get(1).dyn_into::<Uint8Array>().ok()?.to_vec();
        Some((mtime, bytes))
    }
}
