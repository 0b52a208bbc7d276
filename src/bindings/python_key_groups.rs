//! Each distinct key judged once ([`crate::key_groups`]) over Python values: `judged_once` of
//! `liveimport._engine_pyo3` (`_engine.pyi`), which `liveimport._origins.origins` calls when the
//! pyo3 engine is loaded (`None` in the wasm-bindgen engine, whose callers group in Python).
//!
//! Conversion only: a value becomes its key (addresses of objects, [`By`]) and its
//! representative (the object the judge is given), read with no Python code running and the
//! cyclic garbage collector off ([`NoCollection`]). The representatives are then held (a strong
//! reference each) and judged (Python code runs); only group indices are used after that.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyList, PyType};

use super::python_type_codes::{positions_of, NoCollection};
use crate::key_groups::KeyGroups;

/// How `judged_once` keys a value (its `key` argument, `_engine.pyi`'s `BY_TYPE` ...).
#[derive(Clone, Copy)]
enum By {
    /// The value's type (`type(v)`); the type is judged.
    Type,
    /// The value itself (its identity); the value is judged.
    Identity,
    /// A bound method (exactly `types.MethodType`): its owner's class (`__self__` when it is a
    /// class, else `type(__self__)`) and its `__func__`; the method is judged.
    Method,
}

impl By {
    fn from_code(code: u8) -> PyResult<Self> {
        match code {
            0 => Ok(Self::Type),
            1 => Ok(Self::Identity),
            2 => Ok(Self::Method),
            other => Err(PyValueError::new_err(format!("key must be 0 (type), 1 (identity) or 2 (method), not {other}"))),
        }
    }
}

/// `types.MethodType` (CPython's `PyMethod_Type`, which pyo3's FFI does not declare), looked up
/// when the module is initialized ([`init`]), so that no import runs during a call.
static METHOD_TYPE: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// Looks up `types.MethodType` once (at module initialization).
pub fn init(py: Python<'_>) -> PyResult<()> {
    METHOD_TYPE.import(py, "types", "MethodType").map(|_| ())
}

/// The key of `value` and its representative (borrowed: `value`, its type, or a method's).
fn key_of<'py>(value: &Bound<'py, PyAny>, by: By, method_type: &Bound<'py, PyType>) -> PyResult<((usize, usize), *mut ffi::PyObject)> {
    let address = value.as_ptr();
    match by {
        By::Type => {
            let cls = value.get_type();
            Ok(((cls.as_ptr() as usize, 0), cls.as_ptr()))
        }
        By::Identity => Ok(((address as usize, 0), address)),
        By::Method => {
            if !value.get_type().is(method_type) {
                let name = value.get_type().name().map_or_else(|_| "?".to_string(), |n| n.to_string());
                return Err(PyTypeError::new_err(format!("not a bound method: {name}")));
            }
            // A method's `__self__` and `__func__` are member descriptors of its exact type: no
            // Python code runs.
            let owner = value.getattr(pyo3::intern!(value.py(), "__self__"))?;
            let function = value.getattr(pyo3::intern!(value.py(), "__func__"))?;
            let class = if owner.is_instance_of::<PyType>() { owner.as_ptr() } else { owner.get_type().as_ptr() };
            Ok(((class as usize, function.as_ptr() as usize), address))
        }
    }
}

/// `(position, verdict)` for each value of `values` whose code in `codes` (one per value) is
/// `code` and whose key's verdict is not `None`, in position order: those values are grouped by
/// `key` ([`By`]: 0 their type, 1 themselves, 2 a bound method's owner class and function) and
/// `judge` is called once per distinct key, on the first value of each (on its type for 0), in
/// the order first met. Raises `ValueError` when `codes` does not give one code per value or
/// for another `key`, `TypeError` for a value that is not exactly a bound method (key 2), and
/// what `judge` raises.
#[pyfunction]
pub fn judged_once<'py>(
    values: &Bound<'py, PyList>,
    codes: &[u8],
    code: u8,
    key: u8,
    judge: &Bound<'py, PyAny>,
) -> PyResult<Vec<(usize, Bound<'py, PyAny>)>> {
    let py = values.py();
    let positions = positions_of(values, codes, code)?;
    let by = By::from_code(key)?;
    let method_type = METHOD_TYPE.import(py, "types", "MethodType")?;
    let (groups, representatives) = {
        let _off = NoCollection::new(py);
        let mut keys = Vec::with_capacity(positions.len());
        let mut representatives = Vec::with_capacity(positions.len());
        for &position in &positions {
            let (found, representative) = key_of(&values.get_item(position)?, by, method_type)?;
            keys.push(found);
            representatives.push(representative);
        }
        let groups = KeyGroups::new(keys);
        // SAFETY: each is a value of `values` (held by the caller), its type, or a method held
        // by it, read by a pass that ran no Python code, and none has run since.
        let held: Vec<Bound<'py, PyAny>> =
            groups.firsts().iter().map(|&first| unsafe { Bound::from_borrowed_ptr(py, representatives[first]) }).collect();
        (groups, held)
    };
    let verdicts = representatives
        .iter()
        .map(|representative| judge.call1((representative,)).map(|verdict| (!verdict.is_none()).then_some(verdict)))
        .collect::<PyResult<Vec<_>>>()?;
    Ok(groups.judged(&verdicts).into_iter().map(|(item, verdict)| (positions[item], verdict)).collect())
}
