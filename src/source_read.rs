//! Reading a tracked module's source and analysing it: the engine's one way to a module's
//! dependencies ([`crate::engine`]). Tracking takes the source importlib read when CPython just
//! imported the module ([`crate::compiled`]); everything else reads the file through the
//! engine's [`System`].

use std::path::Path;

use ruff_python_ast::PythonVersion;

use crate::analysis::{analyze_source, AnalysisCause, Confirm, HostParser};
use crate::engine::AnalysisError;
use crate::imports::SyntaxErrorInfo;
use crate::mtime::Mtime;
use crate::source::decode_source;
use crate::system::System;

/// Reads and analyses a module's source at its current mtime: `(mtime, dependencies)`; a missing
/// file, or no file, gives `(None, [])`. See [`crate::analysis`] for `host` and `confirm`.
pub(crate) fn analyze(
    system: &impl System,
    spec_name: &str,
    file: Option<&str>,
    package: &str,
    version: PythonVersion,
    host: &dyn HostParser,
    confirm: Confirm,
) -> Result<(Option<Mtime>, Vec<String>), AnalysisError> {
    let Some(file) = file else { return Ok((None, Vec::new())) };
    let Some((mtime, bytes)) = read_for_tracking(system, file) else {
        return Ok((None, Vec::new()));
    };
    let deps = analyze_bytes(spec_name, file, bytes, package, version, host, confirm)?;
    Ok((Some(mtime), deps))
}

/// The mtime and source of `file` for a module to track: the source importlib read when CPython
/// imported it, if it is kept and the file's mtime shows no change since
/// ([`crate::compiled::take_kept`]: one stat, in JupyterLite one request), else the file's
/// ([`System::read_source`]).
fn read_for_tracking(system: &impl System, file: &str) -> Option<(Mtime, Vec<u8>)> {
    let path = Path::new(file);
    if crate::compiled::keeps(path) {
        let mtime = system.read_mtime(file)?;
        if let Some(bytes) = crate::compiled::take_kept(path, mtime) {
            return Some((mtime, bytes));
        }
    }
    system.read_source(file)
}

/// Analyses the source `bytes` of module `spec_name` read from `file`: its dependencies.
pub(crate) fn analyze_bytes(
    spec_name: &str,
    file: &str,
    bytes: Vec<u8>,
    package: &str,
    version: PythonVersion,
    host: &dyn HostParser,
    confirm: Confirm,
) -> Result<Vec<String>, AnalysisError> {
    let error = |cause: AnalysisCause| AnalysisError { module: spec_name.to_string(), cause };
    let confirm = match confirm {
        Confirm::OnError if crate::compiled::accepted(Path::new(file), &bytes) => Confirm::Compiled,
        other => other,
    };
    let text = decode_source(bytes, file).map_err(|e| {
        error(AnalysisCause::Syntax(SyntaxErrorInfo {
            message: e.message,
            filename: file.to_string(),
            line: e.line,
            column: 1,
            text: None,
        }))
    })?;
    analyze_source(&text, package, file, version, host, confirm).map_err(error)
}
