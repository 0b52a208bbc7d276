//! Many instances of a class made at once, as `object.__new__` and `object.__setattr__` make
//! them: `new_instances` of `liveimport._engine_pyo3` (`_engine.pyi`), with which
//! `liveimport._stale` makes its `StaleName` entries (a frozen dataclass, whose `__init__` makes
//! five `object.__setattr__` calls in Python: 5 µs an entry in Pyodide). `None` in the
//! wasm-bindgen engine, whose caller makes them in Python.
//!
//! Conversion only: each instance is allocated by `object`'s `tp_new` (the class must not have
//! its own `__new__` or a builtin base other than `object`: checked) and its attributes set by
//! `PyObject_GenericSetAttr`, which is `object.__setattr__`.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString, PyTuple, PyType};

/// `object`'s `tp_new`, when `cls` has it too (inherits it: no `__new__` of its own and no
/// builtin base with another layout); else `TypeError`.
fn object_new(cls: &Bound<'_, PyType>) -> PyResult<ffi::newfunc> {
    // SAFETY: both are live type objects; `PyType_GetSlot` reads a slot (static types too,
    // from 3.10).
    let (own, object) = unsafe {
        (ffi::PyType_GetSlot(cls.as_ptr().cast(), ffi::Py_tp_new), ffi::PyType_GetSlot(&raw mut ffi::PyBaseObject_Type, ffi::Py_tp_new))
    };
    if own.is_null() || own != object {
        let name = cls.name().map_or_else(|_| "?".to_string(), |n| n.to_string());
        return Err(PyTypeError::new_err(format!("{name} is not made by object.__new__")));
    }
    // SAFETY: a `Py_tp_new` slot is a `newfunc`.
    Ok(unsafe { std::mem::transmute::<*mut std::ffi::c_void, ffi::newfunc>(own) })
}

/// `[new(row) for row in range(len(columns[0]))]`, where `new(row)` is `object.__new__(cls)`
/// with `object.__setattr__(instance, fields[i], columns[i][row])` for each field in order
/// (neither `cls.__init__` nor `cls.__setattr__` runs; a data descriptor named by a field
/// does, as with `object.__setattr__`). Raises `ValueError` when `fields` and `columns` differ
/// in length or the columns do, `TypeError` when `cls` has its own `__new__` or a builtin base
/// other than `object`, and what setting an attribute raises.
#[pyfunction]
pub fn new_instances<'py>(
    cls: &Bound<'py, PyType>,
    fields: Vec<Bound<'py, PyString>>,
    columns: Vec<Bound<'py, PyList>>,
) -> PyResult<Bound<'py, PyList>> {
    let py = cls.py();
    if fields.len() != columns.len() {
        return Err(PyValueError::new_err(format!("{} fields for {} columns", fields.len(), columns.len())));
    }
    let rows = columns.first().map_or(0, |column| column.len());
    if columns.iter().any(|column| column.len() != rows) {
        return Err(PyValueError::new_err("the columns differ in length"));
    }
    let new = object_new(cls)?;
    let empty = PyTuple::empty(py);
    let instances = PyList::empty(py);
    for row in 0..rows {
        // SAFETY: `new` is `object`'s `tp_new`, which `cls` inherits (checked), called as
        // `object.__new__(cls)` calls it: a new reference, or null with an exception set.
        let instance = unsafe { Bound::from_owned_ptr_or_err(py, new(cls.as_ptr().cast(), empty.as_ptr(), std::ptr::null_mut()))? };
        for (field, column) in fields.iter().zip(&columns) {
            let value = column.get_item(row)?;
            // SAFETY: live objects; `PyObject_GenericSetAttr` is `object.__setattr__`.
            if unsafe { ffi::PyObject_GenericSetAttr(instance.as_ptr(), field.as_ptr(), value.as_ptr()) } < 0 {
                return Err(PyErr::fetch(py));
            }
        }
        instances.append(instance)?;
    }
    Ok(instances)
}
