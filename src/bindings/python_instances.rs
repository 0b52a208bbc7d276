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

/// Where a column's values go: one field, or (a tuple of field names) one field per item of
/// each value, a tuple of as many items.
enum Target<'py> {
    Field(Bound<'py, PyString>),
    Unpacked(Vec<Bound<'py, PyString>>),
}

impl<'py> Target<'py> {
    fn new(spec: &Bound<'py, PyAny>) -> PyResult<Self> {
        if let Ok(name) = spec.cast::<PyString>() {
            return Ok(Self::Field(name.clone()));
        }
        let names = spec.cast::<PyTuple>().map_err(|_| PyTypeError::new_err("a field is a str or a tuple of str"))?;
        Ok(Self::Unpacked(names.iter().map(|name| Ok(name.cast_into::<PyString>()?)).collect::<PyResult<_>>()?))
    }
}

/// Sets `field` of `instance` to `value` as `object.__setattr__` does.
fn set_field(instance: &Bound<'_, PyAny>, field: &Bound<'_, PyString>, value: &Bound<'_, PyAny>) -> PyResult<()> {
    // SAFETY: live objects; `PyObject_GenericSetAttr` is `object.__setattr__`.
    if unsafe { ffi::PyObject_GenericSetAttr(instance.as_ptr(), field.as_ptr(), value.as_ptr()) } < 0 {
        return Err(PyErr::fetch(instance.py()));
    }
    Ok(())
}

/// `[new(row) for row in range(len(columns[0]))]`, where `new(row)` is `object.__new__(cls)`
/// with, for each `fields[i]` in order, `object.__setattr__(instance, fields[i],
/// columns[i][row])`; a `fields[i]` that is a tuple of names unpacks `columns[i][row]` (a tuple
/// of as many items) into those fields. Neither `cls.__init__` nor `cls.__setattr__` runs (a
/// data descriptor named by a field does, as with `object.__setattr__`). Raises `ValueError`
/// when `fields` and `columns` differ in length, the columns do, or a value to unpack has
/// another length; `TypeError` when `cls` has its own `__new__` or a builtin base other than
/// `object`, a field is not a str or tuple of str, or a value to unpack is not a tuple; and
/// what setting an attribute raises.
#[pyfunction]
pub fn new_instances<'py>(
    cls: &Bound<'py, PyType>,
    fields: &Bound<'py, PyTuple>,
    columns: Vec<Bound<'py, PyList>>,
) -> PyResult<Bound<'py, PyList>> {
    let py = cls.py();
    if fields.len() != columns.len() {
        return Err(PyValueError::new_err(format!("{} fields for {} columns", fields.len(), columns.len())));
    }
    let targets = fields.iter().map(|spec| Target::new(&spec)).collect::<PyResult<Vec<_>>>()?;
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
        for (target, column) in targets.iter().zip(&columns) {
            let value = column.get_item(row)?;
            match target {
                Target::Field(field) => set_field(&instance, field, &value)?,
                Target::Unpacked(names) => {
                    let items = value.cast::<PyTuple>().map_err(|_| PyTypeError::new_err("a value to unpack is not a tuple"))?;
                    if items.len() != names.len() {
                        return Err(PyValueError::new_err(format!("{} values to unpack into {} fields", items.len(), names.len())));
                    }
                    for (name, item) in names.iter().zip(items.iter()) {
                        set_field(&instance, name, &item)?;
                    }
                }
            }
        }
        instances.append(instance)?;
    }
    Ok(instances)
}
