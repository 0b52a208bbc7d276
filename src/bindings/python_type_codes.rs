//! The stale-name detection's code passes ([`crate::type_codes`]) over Python values: four
//! functions of `liveimport._engine_pyo3` that `liveimport._type_codes` and `_stale` call when
//! the pyo3 engine is loaded (`_engine.pyi`: `type_codes`, `code_positions`,
//! `containers_holding`, `elements_with`; `None` in the wasm-bindgen engine, which cannot see
//! Python objects).
//!
//! Conversion only: a value becomes its type's key (the type object's address), the Python
//! table (`_type_codes.TypeCodes`, a dict of type to code) a [`CodeTable`]. A pass reads
//! values and types only, with the cyclic garbage collector off ([`NoCollection`]), so no Python
//! code runs during it and every address stays valid. The types a pass names unjudged are
//! then held (a strong reference each) and judged by the table itself (`table[cls]`, which runs
//! `TypeCodes.__missing__`). Then `type_codes` gives each value its type's code from the groups
//! it made (no value is read again); the containers' passes run again over the containers left
//! undecided, read anew from the values list.

use pyo3::exceptions::{PyIndexError, PyTypeError, PyValueError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyFrozenSet, PyList, PySet};

use crate::type_codes::{positions, CodeSet, CodeTable, Unjudged};

/// Passes run at most this many times in one call: a judgement (Python code) can change a
/// container only through a metaclass's `__hash__` or `__eq__`, and one doing so on every call
/// would otherwise keep the pass going.
const ROUNDS: usize = 8;

/// The table's codes by key. Raises `TypeError`/`OverflowError` for a code that is not an int
/// from 0 to 255.
fn code_table(table: &Bound<'_, PyDict>) -> PyResult<CodeTable<usize>> {
    table.iter().map(|(cls, code)| Ok((key_of_type(&cls), code.extract::<u8>()?))).collect()
}

/// Keeps CPython's cyclic garbage collector off while alive, and puts it back as it was: a
/// pass allocates Python objects (a set's iterator), and a collection then could run finalizers
/// (Python code) that change the containers being read or free the types noted.
pub(super) struct NoCollection {
    was_enabled: bool,
}

impl NoCollection {
    pub(super) fn new(_py: Python<'_>) -> Self {
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
/// 255) that judges a missing type when subscripted. The values are read once: their types are
/// grouped ([`CodeTable::codes`]), the new ones judged, and each value given its type's code.
/// Raises what judging raises (`TypeError` for an unhashable class), `TypeError`/`OverflowError`
/// for a code out of range.
#[pyfunction]
pub fn type_codes<'py>(values: &Bound<'py, PyList>, table: &Bound<'py, PyDict>) -> PyResult<Bound<'py, PyBytes>> {
    let py = values.py();
    let mut codes = code_table(table)?;
    let (found, unjudged) = {
        // A list's items are read in place (a subclass's too): no Python object is allocated,
        // no collection can run.
        let mut gathered = Gathered::default();
        // SAFETY: `values` is a held list of `values.len()` items, unchanged while no Python code
        // runs (nothing here runs any).
        unsafe { gathered.sequence(values.as_ptr(), true, values.len(), usize::MAX) };
        let found = codes.codes(gathered.keys.iter().copied());
        let unjudged = hold(py, &found.unjudged());
        (found, unjudged)
    };
    judge(table, &mut codes, unjudged)?;
    // Every type met now has a code (`judge` gave each one).
    found.finish(&codes).map(|found| PyBytes::new(py, &found)).map_err(|_| too_many_rounds())
}

/// The positions of each code of `wanted` in `codes` (one list per byte of `wanted`, in that
/// order, each ascending; [`positions`], `_type_codes.positions`).
#[pyfunction]
pub fn code_positions(codes: &[u8], wanted: &[u8]) -> Vec<Vec<usize>> {
    positions(codes, wanted)
}

/// The first elements of some containers (a `list`'s, `tuple`'s, `set`'s or `frozenset`'s items
/// in iteration order, a `dict`'s values in insertion order), gathered for a pass: each one's
/// type key in one vector (and, when asked, a borrowed reference to it in another), and where
/// each container's end.
///
/// Lists, tuples and dicts are read through borrowed references (no reference count changes,
/// nothing allocated by Python): a list's or tuple's item array in place
/// (`PySequence_Fast_ITEMS`; `PyList_GetItem`/`PyTuple_GetItem` in the abi3 build, whose limited
/// API has no item array), a dict's values by `PyDict_Next`. Sets go through pyo3's iterator
/// (CPython has no borrowed set iteration in its public API). The references stay valid while
/// the containers are held and no Python code runs: gather anew after each judgement.
#[derive(Default)]
struct Gathered {
    keys: Vec<usize>,
    items: Vec<*mut ffi::PyObject>,
    ends: Vec<usize>,
    with_items: bool,
}

impl Gathered {
    /// The first `limit` elements of each container at `positions` in `values`, each read in
    /// place (a borrowed reference: no reference count changes). Raises `IndexError` for a
    /// position out of range, `TypeError` for anything but an exact `list`, `tuple`, `set`,
    /// `frozenset` or `dict` (a subclass may override iteration: Python code).
    fn at(values: &Bound<'_, PyList>, positions: &[usize], limit: usize, with_items: bool) -> PyResult<Self> {
        let len = values.len();
        let mut gathered = Self { ends: Vec::with_capacity(positions.len()), with_items, ..Self::default() };
        for &position in positions {
            if position >= len {
                return Err(PyIndexError::new_err(format!("position {position} out of range for {len} values")));
            }
            // SAFETY: `position` is below the length of the held list `values`, unchanged while
            // no Python code runs: a borrowed reference to a live item, read as such.
            unsafe { gathered.container(values.py(), list_item(values.as_ptr(), position), limit)? };
            gathered.ends.push(gathered.keys.len());
        }
        Ok(gathered)
    }

    /// One element.
    ///
    /// # Safety
    /// `item` points to a live object.
    unsafe fn element(&mut self, item: *mut ffi::PyObject) {
        // SAFETY: the caller's contract; `Py_TYPE` reads the object's header only.
        self.keys.push(unsafe { ffi::Py_TYPE(item) } as usize);
        if self.with_items {
            self.items.push(item);
        }
    }

    /// The first `limit` items of the list (`is_list`) or tuple `sequence` of `len` items (a
    /// subclass's too: read in place, no override runs).
    ///
    /// # Safety
    /// `sequence` is a live list (`is_list`) or tuple of `len` items, unchanged while no Python
    /// code runs.
    unsafe fn sequence(&mut self, sequence: *mut ffi::PyObject, is_list: bool, len: usize, limit: usize) {
        let count = len.min(limit);
        #[cfg(not(feature = "abi3"))]
        {
            let _ = is_list;
            // SAFETY: the caller's contract: its item array holds `len` live objects.
            let items = unsafe { std::slice::from_raw_parts(ffi::PySequence_Fast_ITEMS(sequence), count) };
            // SAFETY: as above.
            self.keys.extend(items.iter().map(|&item| unsafe { ffi::Py_TYPE(item) } as usize));
            if self.with_items {
                self.items.extend_from_slice(items);
            }
        }
        #[cfg(feature = "abi3")]
        for index in 0..count as ffi::Py_ssize_t {
            // SAFETY: `index` is below the length of a live, unchanged list or tuple; both
            // functions return a borrowed reference to a live item.
            unsafe {
                let item = if is_list { ffi::PyList_GetItem(sequence, index) } else { ffi::PyTuple_GetItem(sequence, index) };
                self.element(item);
            }
        }
    }

    /// The first `limit` elements of `container`, told apart by its exact type.
    ///
    /// # Safety
    /// `container` points to a live object, unchanged while no Python code runs.
    unsafe fn container(&mut self, py: Python<'_>, container: *mut ffi::PyObject, limit: usize) -> PyResult<()> {
        // SAFETY: the caller's contract (each branch reads a live object of the type compared).
        unsafe {
            let kind = ffi::Py_TYPE(container);
            if kind == &raw mut ffi::PyList_Type {
                self.sequence(container, true, sequence_len(container, true), limit);
            } else if kind == &raw mut ffi::PyTuple_Type {
                self.sequence(container, false, sequence_len(container, false), limit);
            } else if kind == &raw mut ffi::PyDict_Type {
                let (mut position, mut key, mut value) = (0, std::ptr::null_mut(), std::ptr::null_mut());
                // `PyDict_Next` advances `position` and gives borrowed references to live objects.
                for _ in 0..limit {
                    if ffi::PyDict_Next(container, &mut position, &mut key, &mut value) == 0 {
                        break;
                    }
                    self.element(value);
                }
            } else if kind == &raw mut ffi::PySet_Type {
                // The set is live and unchanged, so it keeps a reference to each item after
                // pyo3's is dropped (CPython has no borrowed set iteration in its public API).
                let set = Bound::from_borrowed_ptr(py, container).cast_into_unchecked::<PySet>();
                set.iter().take(limit).for_each(|item| self.element(item.as_ptr()));
            } else if kind == &raw mut ffi::PyFrozenSet_Type {
                // As for a set.
                let set = Bound::from_borrowed_ptr(py, container).cast_into_unchecked::<PyFrozenSet>();
                set.iter().take(limit).for_each(|item| self.element(item.as_ptr()));
            } else {
                let name = Bound::from_borrowed_ptr(py, container).get_type().name().map_or_else(|_| "?".to_string(), |n| n.to_string());
                return Err(PyTypeError::new_err(format!("not an exact list, tuple, set, frozenset or dict: {name}")));
            }
        }
        Ok(())
    }

    /// Each container's keys, in order.
    fn containers(&self) -> impl Iterator<Item = std::iter::Copied<std::slice::Iter<'_, usize>>> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts.zip(self.ends.iter().copied()).map(|(start, end)| self.keys[start..end].iter().copied())
    }

    /// Each container's elements, as (key, reference) pairs, in order (gathered `with_items`).
    fn containers_with_items(&self) -> impl Iterator<Item = impl Iterator<Item = (usize, *mut ffi::PyObject)> + '_> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(self.ends.iter().copied())
            .map(|(start, end)| self.keys[start..end].iter().copied().zip(self.items[start..end].iter().copied()))
    }
}

/// The positions listed (ints), read in place: nothing is allocated, so no collection runs
/// before a pass either. Raises `TypeError`/`OverflowError` for an item that is not an int
/// from 0.
fn positions_in(positions: &Bound<'_, PyList>) -> PyResult<Vec<usize>> {
    positions.iter().map(|p| p.extract::<usize>()).collect()
}

/// The positions, in order, of `code` in `codes`, which gives one code per value of `values`
/// ([`positions`]); `ValueError` when it does not.
pub(super) fn positions_of(values: &Bound<'_, PyList>, codes: &[u8], code: u8) -> PyResult<Vec<usize>> {
    if codes.len() != values.len() {
        return Err(PyValueError::new_err(format!("{} codes for {} values", codes.len(), values.len())));
    }
    Ok(positions(codes, &[code]).into_iter().next().unwrap_or_default())
}

/// Item `index` of `list`, borrowed.
///
/// # Safety
/// `list` is a live list of more than `index` items.
unsafe fn list_item(list: *mut ffi::PyObject, index: usize) -> *mut ffi::PyObject {
    // SAFETY: the caller's contract.
    unsafe {
        #[cfg(not(feature = "abi3"))]
        return ffi::PyList_GET_ITEM(list, index as ffi::Py_ssize_t);
        #[cfg(feature = "abi3")]
        return ffi::PyList_GetItem(list, index as ffi::Py_ssize_t);
    }
}

/// The length of a list (`is_list`) or tuple.
///
/// # Safety
/// `sequence` is a live list (`is_list`) or tuple.
unsafe fn sequence_len(sequence: *mut ffi::PyObject, is_list: bool) -> usize {
    // SAFETY: the caller's contract; lengths are never negative.
    unsafe {
        #[cfg(not(feature = "abi3"))]
        let len = if is_list { ffi::PyList_GET_SIZE(sequence) } else { ffi::PyTuple_GET_SIZE(sequence) };
        #[cfg(feature = "abi3")]
        let len = if is_list { ffi::PyList_Size(sequence) } else { ffi::PyTuple_Size(sequence) };
        len.max(0) as usize
    }
}

/// The positions, in order, of the values whose code in `codes` (one per value:
/// [`type_codes`]) is `container_code`, each an exact `list`, `tuple`, `set`, `frozenset` or
/// `dict`, that have among their first `limit` elements (a dict's values) one whose type's code
/// in `table` is in `wanted` (`_containers.holding`). Every type met is judged; after judging, only
/// the containers left undecided are passed again. Raises `ValueError` when `codes` does not
/// give one code per value, `TypeError` for another container type, and what [`type_codes`]
/// raises.
#[pyfunction]
pub fn containers_holding(
    values: &Bound<'_, PyList>,
    codes: &[u8],
    container_code: u8,
    table: &Bound<'_, PyDict>,
    wanted: &[u8],
    limit: usize,
) -> PyResult<Vec<usize>> {
    let py = values.py();
    let mut at = positions_of(values, codes, container_code)?;
    let wanted = CodeSet::from(wanted);
    let mut known = code_table(table)?;
    let mut hits = Vec::new();
    for _ in 0..ROUNDS {
        let (found, unjudged) = {
            let _off = NoCollection::new(py);
            let gathered = Gathered::at(values, &at, limit, false)?;
            let found = known.holding(gathered.containers(), &wanted, limit);
            let unjudged = hold(py, &found.unjudged);
            (found, unjudged)
        };
        hits.extend(found.positions.iter().map(|&p| at[p]));
        if unjudged.is_empty() {
            hits.sort_unstable();
            return Ok(hits);
        }
        judge(table, &mut known, unjudged)?;
        at = found.undecided.iter().map(|&p| at[p]).collect();
    }
    Err(too_many_rounds())
}

/// The elements whose type's code in `table` is in `wanted` among the first `limit` of each
/// container at `positions` in `values` (exact `list`, `tuple`, `set`, `frozenset` or `dict`; a
/// dict's values): `(owners, elements)`, each element with its container's position in
/// `owners`, in order (`_containers.flagged_elements`). Every type met is judged. Raises
/// `IndexError` for a position out of range, `TypeError`/`OverflowError` for one that is not
/// an int from 0, and what [`containers_holding`] raises.
#[pyfunction]
pub fn elements_with<'py>(
    values: &Bound<'py, PyList>,
    positions: &Bound<'py, PyList>,
    table: &Bound<'py, PyDict>,
    wanted: &[u8],
    limit: usize,
) -> PyResult<(Vec<usize>, Vec<Bound<'py, PyAny>>)> {
    let py = values.py();
    let positions = positions_in(positions)?;
    let wanted = CodeSet::from(wanted);
    let mut codes = code_table(table)?;
    for _ in 0..ROUNDS {
        let unjudged = {
            let _off = NoCollection::new(py);
            let gathered = Gathered::at(values, &positions, limit, true)?;
            match codes.elements_with(gathered.containers_with_items(), &wanted, limit) {
                Ok(found) => {
                    let owners = found.iter().map(|&(c, _)| positions[c]).collect();
                    // SAFETY: each is an element of a held container, read by a pass that ran no
                    // Python code, and none has run since.
                    let elements = found.iter().map(|&(_, e)| unsafe { Bound::from_borrowed_ptr(py, e) }).collect();
                    return Ok((owners, elements));
                }
                Err(unjudged) => hold(py, &unjudged),
            }
        };
        judge(table, &mut codes, unjudged)?;
    }
    Err(too_many_rounds())
}
