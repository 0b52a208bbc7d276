//! The binding layers over [`crate::contract`]: each method converts its arguments, calls the
//! contract, and converts the result or error (one conversion function per direction).

#[cfg(feature = "python")]
mod python;
#[cfg(feature = "python")]
mod python_audit;
#[cfg(feature = "python")]
mod python_instances;
#[cfg(feature = "python")]
mod python_key_groups;
#[cfg(feature = "python")]
mod python_type_codes;
#[cfg(feature = "wasm")]
mod wasm;
