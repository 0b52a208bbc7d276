//! The stale-name detection's code passes ([`crate::type_codes`]) over Python values: two
//! functions of `liveimport._engine_pyo3` that `liveimport._type_codes` calls when the pyo3
//! engine is loaded (`_engine.pyi`: `type_codes`, `containers_holding`; `None` in the
//! wasm-bindgen engine, which cannot see Python objects).
//!
//! Conversion only: a value becomes its type's key (the type object's address), the Python
//! table (`_type_codes.TypeCodes`, a dict of type to code) a [`CodeTable`]. A pass reads
//! values and types only, with the cyclic garbage collector off ([`NoCollection`]), so no Python
//! code runs during it and every address stays valid. The types a pass names unjudged are
//! then held (a strong reference each) and judged by the table itself (`table[cls]`, which runs
//! `TypeCodes.__missing__`), and the pass runs again.

use pyo3::exceptions::PyTypeError;
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{iter, PyBytes, PyDict, PyFrozenSet, PyList, PySet, PyTuple};

use crate::type_codes::{CodeTable, Unjudged};

/// Passes run at most this many times in one call: a judgement (Python code) can change a
/// container only through a metaclass's `__hash__` or `__eq__`, and one doing so on every call
/// would otherwise keep the pass going.
const ROUNDS: usize = 8;

/// A value's type key.
fn key(value: &Bound<'_, PyAny>) -> usize {
    value.get_type_ptr() as usize
}

/// The table's codes by key. Raises `TypeError`/`OverflowError` for a code that is not an int
/// from 0 to 255.
fn code_table(table: &Bound<'_, PyDict>) -> PyResult<CodeTable<usize>> {
    table.iter().map(|(cls, code)| Ok((key_of_type(&cls), code.extract::<u8>()?))).collect()
}

/// Keeps CPython's cyclic garbage collector off while alive, and puts it back as it was: a
/// pass allocates Python objects (a set's iterator), and a collection then could run finalizers
/// (Python code) that change the containers being read or free the types noted.
struct NoCollection {
    was_enabled: bool,
}

impl NoCollection {
    fn new(_py: Python<'_>) -> Self {
        // SAFETY: attached to the interpreter (`_py`); `PyGC_Disable` only sets a flag.
        Self { was_enabled: unsafe { ffi::PyGC_Disable() } == 1 }
    }
}

impl Drop for NoCollection {
    fn drop(&mut self) {
        if self.was_enabled {
            // SAFETY: still attached (the guard lives within a call from Python).
            unsafe { ffi::PyGC_Enable() };
        }
    }
}

/// A strong reference to each unjudged type, taken before any Python code runs.
fn hold<'py>(py: Python<'py>, unjudged: &Unjudged<usize>) -> Vec<Bound<'py, PyAny>> {
    // SAFETY: each key is the address of a live type, read from a value the caller holds by a
    // pass that ran no Python code, and none has run since.
    unjudged.0.iter().map(|&address| unsafe { Bound::from_borrowed_ptr(py, address as *mut ffi::PyObject) }).collect()
}

/// Judges `classes` through `table` (Python code runs) and adds their codes to `codes`.
fn judge(table: &Bound<'_, PyDict>, codes: &mut CodeTable<usize>, classes: Vec<Bound<'_, PyAny>>) -> PyResult<()> {
    for cls in classes {
        let code = table.as_any().get_item(&cls)?.extract::<u8>()?;
        codes.insert(key_of_type(&cls), code);
    }
    Ok(())
}

/// A type object's own key (its address: the key its instances give).
fn key_of_type(cls: &Bound<'_, PyAny>) -> usize {
    cls.as_ptr() as usize
}

fn too_many_rounds() -> PyErr {
    PyTypeError::new_err("the values' types kept changing while they were judged (a metaclass's __hash__ or __eq__ changed them)")
}

/// `bytes(table[type(v)] for v in values)`: one code per value, in order
/// (`_type_codes.TypeCodes.codes_of`). `table` is a `TypeCodes`: a dict of type to code (0 to
/// 255) that judges a missing type when subscripted. Raises what judging raises (`TypeError`
/// for an unhashable class), `TypeError`/`OverflowError` for a code out of range.
#[pyfunction]
pub fn type_codes<'py>(values: &Bound<'py, PyList>, table: &Bound<'py, PyDict>) -> PyResult<Bound<'py, PyBytes>> {
    let py = values.py();
    let mut codes = code_table(table)?;
    for _ in 0..ROUNDS {
        // A list's items are read in place: nothing is allocated, no collection can run.
        match codes.codes(values.iter().map(|value| key(&value))) {
            Ok(found) => return Ok(PyBytes::new(py, &found)),
            Err(unjudged) => judge(table, &mut codes, hold(py, &unjudged))?,
        }
    }
    Err(too_many_rounds())
}

/// The elements of one container, as type keys: a `list`'s, `tuple`'s, `set`'s or
/// `frozenset`'s items in iteration order, a `dict`'s values in insertion order.
enum Elements<'py> {
    List(iter::BoundListIterator<'py>),
    Tuple(iter::BoundTupleIterator<'py>),
    Set(iter::BoundSetIterator<'py>),
    FrozenSet(iter::BoundFrozenSetIterator<'py>),
    Dict(iter::BoundDictIterator<'py>),
}

impl<'py> Elements<'py> {
    /// Raises `TypeError` for anything but an exact `list`, `tuple`, `set`, `frozenset` or `dict`
    /// (a subclass may override iteration: Python code).
    fn new(container: &Bound<'py, PyAny>) -> PyResult<Self> {
        if let Ok(list) = container.cast_exact::<PyList>() {
            Ok(Self::List(list.clone().into_iter()))
        } else if let Ok(tuple) = container.cast_exact::<PyTuple>() {
            Ok(Self::Tuple(tuple.clone().into_iter()))
        } else if let Ok(dict) = container.cast_exact::<PyDict>() {
            Ok(Self::Dict(dict.clone().into_iter()))
        } else if let Ok(set) = container.cast_exact::<PySet>() {
            Ok(Self::Set(set.clone().into_iter()))
        } else if let Ok(set) = container.cast_exact::<PyFrozenSet>() {
            Ok(Self::FrozenSet(set.clone().into_iter()))
        } else {
            let name = container.get_type().name().map_or_else(|_| "?".to_string(), |n| n.to_string());
            Err(PyTypeError::new_err(format!("not an exact list, tuple, set, frozenset or dict: {name}")))
        }
    }
}

impl Iterator for Elements<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        match self {
            Self::List(items) => items.next().map(|v| key(&v)),
            Self::Tuple(items) => items.next().map(|v| key(&v)),
            Self::Set(items) => items.next().map(|v| key(&v)),
            Self::FrozenSet(items) => items.next().map(|v| key(&v)),
            Self::Dict(items) => items.next().map(|(_, v)| key(&v)),
        }
    }
}

/// The positions, in order, of the `containers` (exact `list`, `tuple`, `set`, `frozenset` or
/// `dict`) having among their first `limit` elements (a dict's values) one whose type's code
/// in `table` is `code` (`_stale._holding`). Every type met is judged; after judging, only the
/// containers left undecided are passed again. Raises `TypeError` for another container type,
/// and what [`type_codes`] raises.
#[pyfunction]
pub fn containers_holding(containers: &Bound<'_, PyList>, table: &Bound<'_, PyDict>, code: u8, limit: usize) -> PyResult<Vec<usize>> {
    let py = containers.py();
    let mut codes = code_table(table)?;
    let mut positions = Vec::new();
    let mut todo: Vec<Bound<'_, PyAny>> = containers.iter().collect();
    let mut at: Vec<usize> = (0..todo.len()).collect();
    for _ in 0..ROUNDS {
        let (found, unjudged) = {
            let _off = NoCollection::new(py);
            let elements = todo.iter().map(Elements::new).collect::<PyResult<Vec<_>>>()?;
            let found = codes.holding(elements, code, limit);
            let unjudged = hold(py, &found.unjudged);
            (found, unjudged)
        };
        positions.extend(found.positions.iter().map(|&p| at[p]));
        if unjudged.is_empty() {
            positions.sort_unstable();
            return Ok(positions);
        }
        judge(table, &mut codes, unjudged)?;
        todo = found.undecided.iter().map(|&p| todo[p].clone()).collect();
        at = found.undecided.iter().map(|&p| at[p]).collect();
    }
    Err(too_many_rounds())
}
