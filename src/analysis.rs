//! Analysis of a module's source: its syntax verdict and its possible dependencies.
//!
//! The rule (LiveImport 1.3.1, `_ModuleInfo.analyze_dependencies`): a tracked module's source
//! is analysed when tracking starts and whenever its file changed, and whatever the running
//! Python's parser (`ast.parse`) rejects is an analysis error, found before anything is
//! executed. The engine parses the whole source with `ruff_python_parser` for the running
//! Python version (grammar errors and version-specific syntax), which is fast enough to run on
//! every module. The host interpreter stays the authority ([`HostParser`]):
//!
//! - whenever the engine finds an error, the host is asked for its own verdict: an error the
//!   host confirms is reported with the host's exception (CPython's message, line and offset);
//!   one it does not confirm is no error (nothing the host's parser accepts is rejected);
//! - when a modified module is analysed during a sync ([`Confirm::Always`]), the host is asked
//!   even when the engine found nothing, so a sync never executes a module the host's parser
//!   rejects;
//! - source too deeply nested for the engine to parse safely ([`crate::guard::SAFE_DEPTH`]) is
//!   not given to the host either (CPython's `ast.parse` can exhaust the WebAssembly stack in
//!   Pyodide): the scan's findings stand (CPython's nesting limits and tokenizer errors), and
//!   other errors surface when the module runs.
//!
//! With no host ([`EngineVerdict`], as in `cargo test`), the engine's own findings stand.

use std::any::Any;
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use ruff_python_ast::token::TokenKind;
use ruff_python_ast::visitor::{walk_interpolated_string_element, Visitor};
use ruff_python_ast::{Expr, InterpolatedStringElement, PythonVersion, Stmt};
use ruff_python_parser::{parse_unchecked, Mode, ParseOptions};
use ruff_text_size::{Ranged, TextSize};

use crate::imports::{module_dependencies, push_from, push_new, resolve_module, syntax_error, SyntaxErrorInfo};

/// An exception of the host interpreter (for CPython, the `SyntaxError` that `compile()`
/// raised), carried through the engine untouched and raised as it is.
#[derive(Clone)]
pub struct HostError(pub Arc<dyn Any + Send + Sync>);

impl fmt::Debug for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HostError(..)")
    }
}

impl PartialEq for HostError {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// The interpreter the engine serves, asked for its own parser's verdict on a module source.
pub trait HostParser {
    /// `Ok(())` when the host's parser accepts `source` (the decoded text of `file`), else the
    /// exception it raises.
    fn verdict(&self, file: &str, source: &str) -> Result<(), HostError>;

    /// Whether [`HostParser::verdict`] is the host's (false for [`EngineVerdict`]: the engine's
    /// own findings stand).
    fn gives_verdict(&self) -> bool {
        true
    }
}

/// No host to ask: the engine's own findings stand (tests, and Rust callers).
pub struct EngineVerdict;

impl HostParser for EngineVerdict {
    fn verdict(&self, _file: &str, _source: &str) -> Result<(), HostError> {
        Ok(())
    }

    fn gives_verdict(&self) -> bool {
        false
    }
}

/// When the host is asked for its verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirm {
    /// The host compiled exactly this source already ([`crate::compiled`]): its syntax is
    /// valid, so only the import statements are read (faster); should they not be readable
    /// (a relative import escaping its package), the source is analysed as with `OnError`.
    Compiled,
    /// Only when the engine finds an error (tracking a module: fast).
    OnError,
    /// Always (a modified module during a sync: exact).
    Always,
}

/// What was wrong with a module's source. Each variant maps to the `__cause__` of LiveImport's
/// `ModuleError(module, "analysis")`.
#[derive(Debug, Clone, PartialEq)]
pub enum AnalysisCause {
    /// A syntax error found by the engine itself, when the host does not give its own verdict
    /// ([`EngineVerdict`]) or the source cannot be decoded: a `SyntaxError`.
    Syntax(SyntaxErrorInfo),
    /// The host parser's own exception (CPython's `SyntaxError`, `IndentationError`, ...).
    Host(HostError),
    /// A relative import that escapes its package (`from .. import x` in a top-level
    /// module): an `ImportError` with this message, as LiveImport raises it.
    Import(String),
}

impl fmt::Display for AnalysisCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AnalysisCause::Syntax(info) => write!(f, "{} ({}, line {})", info.message, info.filename, info.line),
            AnalysisCause::Host(_) => f.write_str("the interpreter's parser rejected the source"),
            AnalysisCause::Import(message) => f.write_str(message),
        }
    }
}

/// Analyses a module's decoded `source`: its possible dependencies (see
/// [`crate::imports::module_dependencies`] for what they are), or what is wrong with it.
///
/// `package` is the module's `__spec__.parent`, `file` its path (for messages), `version` the
/// running Python's version (syntax it does not have is an error), `host` and `confirm` as in
/// the module documentation.
pub fn analyze_source(
    source: &str,
    package: &str,
    file: &str,
    version: PythonVersion,
    host: &dyn HostParser,
    confirm: Confirm,
) -> Result<Vec<String>, AnalysisCause> {
    if confirm == Confirm::Compiled {
        if let Ok(deps) = module_dependencies(source, package, file) {
            return Ok(deps);
        }
    }
    let scan = crate::guard::scan(source).ok();
    let deep = scan.as_ref().is_none_or(|scan| scan.deepest > crate::guard::SAFE_DEPTH);
    // The scan's tokenizer and indentation errors carry CPython's own message and location.
    let lexical = scan.and_then(|scan| {
        let first = match (scan.tokenizer_error, scan.indentation_error) {
            (Some(a), Some(b)) => Some(if b.offset < a.offset { b } else { a }),
            (a, b) => a.or(b),
        };
        first.map(|e| syntax_error(source, file, TextSize::try_from(e.offset).unwrap_or_default(), e.message))
    });
    if deep {
        // Too deep for the engine's parser, and for the host's: CPython's `ast.parse` can exhaust
        // the WebAssembly stack inside Pyodide (a fatal error). The scan's findings (CPython's
        // nesting limits, tokenizer errors) and dependencies stand; other errors surface when
        // the module runs.
        return module_dependencies(source, package, file).map_err(AnalysisCause::Syntax);
    }
    let (finding, deps) = {
        match parse_whole(source, file, version) {
            Ok((error, body)) => {
                let finding = match lexical.or(error) {
                    Some(error) => Finding::Error(error),
                    None => Finding::Clean,
                };
                (finding, top_level_dependencies(&body, package, file))
            }
            Err(internal) => (Finding::Error(internal), Ok(Vec::new())),
        }
    };
    if finding != Finding::Clean || confirm == Confirm::Always {
        if !host.gives_verdict() {
            if let Finding::Error(engine_error) = finding {
                return Err(AnalysisCause::Syntax(engine_error));
            }
        } else if let Err(host_error) = host.verdict(file, source) {
            return Err(AnalysisCause::Host(host_error));
        }
    }
    deps.map_err(AnalysisCause::Import)
}

/// What the engine's own parse found.
#[derive(Debug, PartialEq)]
enum Finding {
    /// No error.
    Clean,
    /// This error (the first by position).
    Error(SyntaxErrorInfo),
}

/// The engine's own finding on `source` for Python `version`, without asking a host: the first
/// syntax error it sees (CPython's tokenizer messages where it has them), or `None`. What
/// [`analyze_source`] asks the host to confirm; exposed for differential tests against CPython.
pub fn engine_finding(source: &str, file: &str, version: PythonVersion) -> Option<SyntaxErrorInfo> {
    match analyze_source(source, "", file, version, &EngineVerdict, Confirm::OnError) {
        Err(AnalysisCause::Syntax(info)) => Some(info),
        _ => None,
    }
}

type Body = Vec<Stmt>;

/// Parses the whole source for `version`: the first error by position among the parser's and
/// the version-specific ones (if any), and the module body (recovered past errors). `Err` only
/// if the parser panicked (defensive; reported as an error the host must confirm).
fn parse_whole(source: &str, file: &str, version: PythonVersion) -> Result<(Option<SyntaxErrorInfo>, Body), SyntaxErrorInfo> {
    let options = ParseOptions::from(Mode::Module).with_target_version(version);
    let parsed = catch_unwind(AssertUnwindSafe(|| parse_unchecked(source, options))).map_err(|_| SyntaxErrorInfo {
        message: "source could not be parsed (internal parser error)".into(),
        filename: file.into(),
        line: 1,
        column: 1,
        text: None,
    })?;
    let first_parse = parsed.errors().iter().map(|e| (e.location.start(), e.error.to_string())).min_by_key(|(at, _)| *at);
    let first_version = parsed.unsupported_syntax_errors().iter().map(|e| (e.range().start(), e.to_string())).min_by_key(|(at, _)| *at);
    let first = match (first_parse, first_version) {
        (Some(a), Some(b)) => Some(if b.0 < a.0 { b } else { a }),
        (a, b) => a.or(b),
    };
    let interpolated = || parsed.tokens().iter().any(|t| matches!(t.kind(), TokenKind::FStringStart | TokenKind::TStringStart));
    let first = match first {
        None if interpolated() => {
            let mut checks = StringChecks { spec_depth: 0, found: None };
            if let Some(module) = parsed.syntax().as_module() {
                checks.visit_body(&module.body);
            }
            checks.found
        }
        first => first,
    };
    let error = first.map(|(at, message)| syntax_error(source, file, at.min(TextSize::of(source)), message));
    let body = parsed.try_into_module().map(|m| m.into_syntax().body.into_iter().collect()).unwrap_or_default();
    Ok((error, body))
}

/// Rules of CPython's parser for f- and t-strings that `ruff_python_parser` leaves out (found by
/// the differential test): a starred expression as a replacement field (`f'{*a}'`), and a format
/// spec inside a format spec's replacement field (`f'{x:{y:{z}}}'`, rejected before 3.12; flagged
/// on every version, the host decides).
struct StringChecks {
    spec_depth: usize,
    found: Option<(TextSize, String)>,
}

impl<'a> Visitor<'a> for StringChecks {
    fn visit_interpolated_string_element(&mut self, element: &'a InterpolatedStringElement) {
        if self.found.is_some() {
            return;
        }
        let InterpolatedStringElement::Interpolation(field) = element else { return };
        if matches!(*field.expression, Expr::Starred(_)) {
            self.found = Some((field.range.start(), "f-string: cannot use starred expression here".into()));
            return;
        }
        let nested = field.format_spec.is_some();
        if nested && self.spec_depth >= 1 {
            self.found = Some((field.range.start(), "f-string: expressions nested too deeply".into()));
            return;
        }
        self.spec_depth += usize::from(nested);
        walk_interpolated_string_element(self, element);
        self.spec_depth -= usize::from(nested);
    }
}

/// The possible dependencies named by the module-level import statements of `body`; the
/// `ImportError` message of a relative import escaping its package.
fn top_level_dependencies(body: &[Stmt], package: &str, file: &str) -> Result<Vec<String>, String> {
    let mut deps = Vec::new();
    for stmt in body {
        match stmt {
            Stmt::Import(import) => import.names.iter().for_each(|a| push_new(&mut deps, a.name.id.to_string())),
            Stmt::ImportFrom(from) => {
                let module = resolve_module(from.level, from.module.as_ref().map(|m| m.id.as_str()), package, Some(file))?;
                push_from(&mut deps, module, from.names.iter().map(|a| a.name.id.as_str()));
            }
            _ => {}
        }
    }
    Ok(deps)
}

/// The running Python's version from `(major, minor)`.
pub fn python_version(major: u8, minor: u8) -> PythonVersion {
    PythonVersion { major, minor }
}

#[cfg(test)]
#[path = "analysis_tests.rs"]
mod tests;
