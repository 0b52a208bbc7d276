//! The LiveImport sync engine (work in progress: the binding layer lands next).

#[cfg(feature = "python")]
mod python {
    use pyo3::prelude::*;

    /// The extension module `liveimport._engine`.
    #[pymodule]
    #[pyo3(name = "_engine")]
    fn engine_module(m: &Bound<'_, PyModule>) -> PyResult<()> {
        m.add("__version__", env!("CARGO_PKG_VERSION"))?;
        Ok(())
    }
}
