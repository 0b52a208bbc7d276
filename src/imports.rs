//! Top-level import statements: parsing registration text into [`Record`]s and extracting a
//! module's possible dependencies from its source, with `ruff_python_parser`.
//!
//! Only statements directly in the module body count; imports nested in `if`, `try`, `def`,
//! `class` and the like are ignored, as in the LiveImport API (seed 000, `sync`: "top level
//! import statements"). PEP 810 `lazy import` statements count like plain ones.
//!
//! Registration text is parsed whole (when shallow enough, [`crate::guard`]). A module's source
//! is not: [`module_dependencies`] scans it once ([`crate::guard::scan`], which finds the
//! top-level statements and the tokenizer's errors) and parses only its top-level import
//! statements, several times faster than parsing everything. Its errors are those of the
//! tokenizer (brackets, strings, indentation), of the import statements and of decoding;
//! another grammar error (`x = = 1`) is left to CPython when the module runs or reloads.

use std::panic::{catch_unwind, AssertUnwindSafe};

use ruff_python_ast::{Stmt, StmtImportFrom};
use ruff_python_parser::parse_module;
use ruff_source_file::LineIndex;
use ruff_text_size::{Ranged, TextSize};

use crate::records::{Record, RecordKind};

/// A Python `SyntaxError`'s fields. Lines and columns are one-based; columns count characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxErrorInfo {
    /// The message, e.g. `Expected an import name`.
    pub message: String,
    /// The file name (`<importstmts>` for registration text).
    pub filename: String,
    /// One-based line of the error.
    pub line: usize,
    /// One-based column (characters) of the error.
    pub column: usize,
    /// The offending source line, without its line ending, when known.
    pub text: Option<String>,
}

/// Why registration text was rejected; each maps to the exception the LiveImport API documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistrationError {
    /// The text is not valid Python: `SyntaxError`.
    Syntax(SyntaxErrorInfo),
    /// An improper relative import: `ImportError`.
    Import(String),
    /// A non-import statement while other statements are not allowed: `ValueError`.
    Value(String),
}

/// File name used for registration text in syntax errors (as the reference LiveImport does).
pub const IMPORTSTMTS: &str = "<importstmts>";

/// Resolves a `from` import's module against `package`, following
/// `importlib.util.resolve_name`: level 1 is the package itself, each further level its parent.
///
/// Errors (the `ImportError` message): `Relative import .x is outside any package` when
/// `package` is empty, `Relative import ...x would escape package a.b` when `level` exceeds the
/// package's depth. A `file` is appended to the message when given.
pub fn resolve_module(level: u32, module: Option<&str>, package: &str, file: Option<&str>) -> Result<String, String> {
    if level == 0 {
        return Ok(module.unwrap_or_default().to_string());
    }
    let segments: Vec<&str> = if package.is_empty() { Vec::new() } else { package.split('.').collect() };
    let level = level as usize;
    if !segments.is_empty() && level <= segments.len() {
        let mut result = segments[..segments.len() - level + 1].join(".");
        if let Some(module) = module {
            result.push('.');
            result.push_str(module);
        }
        return Ok(result);
    }
    let mut message = format!("Relative import {}{}", ".".repeat(level), module.unwrap_or_default());
    if segments.is_empty() {
        message.push_str(" is outside any package");
    } else {
        message.push_str(&format!(" would escape package {package}"));
    }
    if let Some(file) = file {
        message.push_str(&format!(" in file {file}"));
    }
    Err(message)
}

/// A module-level statement found by [`top_level`].
enum TopLevel {
    /// A parsed statement; its ranges are relative to byte `base` of the source.
    Parsed { stmt: Stmt, base: usize },
    /// A non-import statement left unparsed because the source is too deep to parse whole.
    Unparsed(String),
}

/// The module-level statements of `source`, parsed with `ruff_python_parser`.
///
/// Source nested too deeply to parse safely in one piece ([`crate::guard`]) is analysed
/// statement by statement instead: each unindented import statement is parsed on its own and
/// the other statements are returned unparsed (CPython reports their errors when it runs them).
///
/// Errors: a [`SyntaxErrorInfo`] for `filename` for invalid syntax, CPython's bracket and
/// indentation limits, or (defensively) a parser panic.
fn top_level(source: &str, filename: &str) -> Result<Vec<TopLevel>, SyntaxErrorInfo> {
    let scan = crate::guard::scan(source).map_err(|too_deep| too_deep_error(source, filename, too_deep))?;
    if scan.deepest <= crate::guard::SAFE_DEPTH {
        let body = parse_piece(source, 0, source, filename)?;
        return Ok(body.into_iter().map(|stmt| TopLevel::Parsed { stmt, base: 0 }).collect());
    }
    let mut statements = Vec::new();
    for (range, _) in scan.top_level {
        let Some((trimmed, base)) = statement_text(source, range) else { continue };
        if !starts_import(trimmed) {
            statements.push(TopLevel::Unparsed(trimmed.trim_end().to_string()));
            continue;
        }
        for stmt in parse_import(trimmed, base, source, filename)? {
            statements.push(TopLevel::Parsed { stmt, base });
        }
    }
    Ok(statements)
}

fn too_deep_error(source: &str, filename: &str, too_deep: crate::guard::TooDeep) -> SyntaxErrorInfo {
    let text = source.lines().nth(too_deep.line - 1).map(|l| l.trim_end_matches('\r').to_string());
    SyntaxErrorInfo { message: too_deep.message, filename: filename.into(), line: too_deep.line, column: 1, text }
}

/// A top-level statement's text without leading whitespace and line continuations (a `\\`
/// that ends the line before it: CPython joins the lines), and the byte where it starts; `None`
/// for an empty statement (after a trailing `;`).
fn statement_text(source: &str, range: std::ops::Range<usize>) -> Option<(&str, usize)> {
    let piece = source.get(range.clone())?;
    let mut trimmed = piece.trim_start();
    while let Some(rest) = trimmed.strip_prefix('\\').filter(|rest| rest.starts_with(['\n', '\r'])) {
        trimmed = rest.trim_start();
    }
    let base = range.start + (piece.len() - trimmed.len());
    // A continuation that joins the statement with the blank line after it ends the statement
    // (CPython joins the lines); one at the very end of the source is an error, left to the parser.
    let body = trimmed.trim_end_matches([' ', '\t', '\x0c', '\r', '\n']);
    if let Some(joined) = body.strip_suffix('\\') {
        let after = &source[base + body.len()..];
        let line_end = if after.starts_with("\r\n") { 2 } else { usize::from(after.starts_with(['\n', '\r'])) };
        if line_end > 0 && after.len() > line_end {
            trimmed = joined;
        }
    }
    (!trimmed.is_empty()).then_some((trimmed, base))
}

/// Parses one top-level statement that starts like an import (`trimmed`, at byte `base` of
/// `source`). Errors: its syntax error, or nesting too deep to parse safely.
fn parse_import(trimmed: &str, base: usize, source: &str, filename: &str) -> Result<Vec<Stmt>, SyntaxErrorInfo> {
    let deep = crate::guard::scan(trimmed).map(|s| s.deepest > crate::guard::SAFE_DEPTH).unwrap_or(true);
    if deep {
        return Err(syntax_error(
            source,
            filename,
            TextSize::try_from(base).unwrap_or_default(),
            "import statement nested too deeply".into(),
        ));
    }
    parse_piece(trimmed, base, source, filename)
}

/// Whether a statement's text begins with `import`, `from` or `lazy` as a keyword.
fn starts_import(text: &str) -> bool {
    ["import", "from", "lazy"]
        .iter()
        .any(|keyword| text.strip_prefix(keyword).is_some_and(|rest| !rest.starts_with(|c: char| c.is_alphanumeric() || c == '_')))
}

/// Parses `piece`, which starts at byte `base` of `source`; errors are located in `source`.
fn parse_piece(piece: &str, base: usize, source: &str, filename: &str) -> Result<Vec<Stmt>, SyntaxErrorInfo> {
    let parsed = catch_unwind(AssertUnwindSafe(|| parse_module(piece)));
    match parsed {
        Ok(Ok(parsed)) => Ok(parsed.into_syntax().body.into_iter().collect()),
        Ok(Err(error)) => {
            let offset = TextSize::try_from(base).unwrap_or_default() + error.location.start();
            Err(syntax_error(source, filename, offset, error.error.to_string()))
        }
        Err(_) => Err(SyntaxErrorInfo {
            message: "source could not be parsed (internal parser error)".into(),
            filename: filename.into(),
            line: 1,
            column: 1,
            text: None,
        }),
    }
}

pub(crate) fn syntax_error(source: &str, filename: &str, offset: TextSize, message: String) -> SyntaxErrorInfo {
    let index = LineIndex::from_source_text(source);
    let location = index.line_column(offset.min(TextSize::of(source)), source);
    let line = location.line.get();
    let text = source.lines().nth(line - 1).map(|l| l.trim_end_matches('\r').to_string());
    SyntaxErrorInfo { message, filename: filename.into(), line, column: location.column.get(), text }
}

/// Parses registration text (already dedented) into records, one per bound name, in order.
///
/// `import a.b, c as d` gives `import a.b` and `import c as d`; `from m import x, y as z`
/// gives `from m import x` and `from m import y as z`; `from m import *` gives a star record.
/// Relative imports resolve against `package` ([`resolve_module`]).
///
/// Errors: [`RegistrationError::Syntax`] for invalid Python (including inconsistent
/// indentation), [`RegistrationError::Import`] for an improper relative import,
/// [`RegistrationError::Value`] for another statement unless `allow_other_statements`.
pub fn parse_registration(text: &str, package: &str, allow_other_statements: bool) -> Result<Vec<Record>, RegistrationError> {
    let body = top_level(text, IMPORTSTMTS).map_err(RegistrationError::Syntax)?;
    let mut records = Vec::new();
    for top in body {
        let (stmt, base) = match top {
            TopLevel::Parsed { stmt, base } => (stmt, base),
            TopLevel::Unparsed(_) if allow_other_statements => continue,
            TopLevel::Unparsed(found) => return Err(RegistrationError::Value(format!("Expected only imports, found {found}"))),
        };
        match &stmt {
            Stmt::Import(import) => {
                for alias in &import.names {
                    records.push(Record {
                        kind: RecordKind::Import,
                        module: alias.name.id.to_string(),
                        name: None,
                        asname: alias.asname.as_ref().map(|a| a.id.to_string()),
                    });
                }
            }
            Stmt::ImportFrom(from) => {
                let module = resolve_module(from.level, from.module.as_ref().map(|m| m.id.as_str()), package, None)
                    .map_err(RegistrationError::Import)?;
                records.extend(from_records(from, &module));
            }
            other if !allow_other_statements => {
                let range = other.range();
                let found = text.get(base + usize::from(range.start())..base + usize::from(range.end())).unwrap_or("something else");
                return Err(RegistrationError::Value(format!("Expected only imports, found {found}")));
            }
            _ => {}
        }
    }
    Ok(records)
}

fn from_records(from: &StmtImportFrom, module: &str) -> Vec<Record> {
    if from.names.len() == 1 && from.names[0].name.id.as_str() == "*" {
        return vec![Record { kind: RecordKind::Star, module: module.to_string(), name: None, asname: None }];
    }
    from.names
        .iter()
        .map(|alias| Record {
            kind: RecordKind::From,
            module: module.to_string(),
            name: Some(alias.name.id.to_string()),
            asname: alias.asname.as_ref().map(|a| a.id.to_string()),
        })
        .collect()
}

/// The possible dependencies of a module: the modules named by its top-level imports, in first
/// appearance order without repeats. `import a.b` gives `a.b`; `from A import B` gives `A` and
/// `A.B` (B may be a submodule). Relative imports resolve against the module's `package`.
///
/// Only the top-level import statements are parsed (see the module documentation); reading the
/// source costs one [`crate::guard::scan`].
///
/// Errors: a [`SyntaxErrorInfo`] for `filename`, the one CPython would report among those
/// checked: CPython's bracket and indentation limits; else the first in the source of an
/// indentation error, a tokenizer error ([`crate::guard::Scan`]), an invalid top-level import
/// statement and a relative import escaping its package (CPython reports the latter as
/// `ImportError` only at run time; analysis reports it as a source error), except that a
/// tokenizer error further on is reported instead of the last two, as CPython does after a
/// generic syntax error.
pub fn module_dependencies(source: &str, package: &str, filename: &str) -> Result<Vec<String>, SyntaxErrorInfo> {
    let mut deps: Vec<String> = Vec::new();
    for (_, modules) in statement_imports(source, package, filename)? {
        for module in modules {
            push_new(&mut deps, module);
        }
    }
    Ok(deps)
}

/// One top-level module name that a module's source imports at top level, with the first
/// import statement naming it: what a Python runtime must be able to import before the module
/// runs (the rule behind loading Pyodide packages along the module graph).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportLine {
    /// The top-level module name (`scipy` for `from scipy.optimize import curve_fit`; the
    /// package's own top-level name for a relative import).
    pub top: String,
    /// Every module the module's top-level imports name under `top`, as [`module_dependencies`]
    /// lists them (`scipy.optimize`, `scipy.optimize.curve_fit`), in source order.
    pub modules: Vec<String>,
    /// One-based line where the first statement naming `top` starts.
    pub line: usize,
    /// That line's text, trimmed (`from scipy.optimize import curve_fit`).
    pub text: String,
}

/// The top-level module names a module's source imports at top level, in source order, each
/// once with the first statement naming it ([`ImportLine`]). The statements are those of
/// [`module_dependencies`] (imports nested in `if`, `try`, `def`... do not count), and so are
/// the errors.
pub fn import_lines(source: &str, package: &str, filename: &str) -> Result<Vec<ImportLine>, SyntaxErrorInfo> {
    let index = LineIndex::from_source_text(source);
    let mut lines: Vec<ImportLine> = Vec::new();
    for (base, modules) in statement_imports(source, package, filename)? {
        for module in modules {
            let top = module.split('.').next().unwrap_or_default().to_string();
            if let Some(entry) = lines.iter_mut().find(|entry| entry.top == top) {
                push_new(&mut entry.modules, module);
                continue;
            }
            let offset = TextSize::try_from(base).unwrap_or_default().min(TextSize::of(source));
            let line = index.line_column(offset, source).line.get();
            let text = source.lines().nth(line - 1).unwrap_or_default().trim().to_string();
            lines.push(ImportLine { top, modules: vec![module], line, text });
        }
    }
    Ok(lines)
}

/// The top-level import statements of `source`: each statement's byte offset and the modules
/// it names (see [`module_dependencies`] for the forms and the errors).
fn statement_imports(source: &str, package: &str, filename: &str) -> Result<Vec<(usize, Vec<String>)>, SyntaxErrorInfo> {
    let scan = crate::guard::scan(source).map_err(|too_deep| too_deep_error(source, filename, too_deep))?;
    let error = |e: crate::guard::LexicalError| {
        (e.offset, syntax_error(source, filename, TextSize::try_from(e.offset).unwrap_or_default(), e.message))
    };
    let tokenizer = scan.tokenizer_error.map(error);
    let indentation = scan.indentation_error.map(error);
    // CPython meets the errors in the source's order, but a generic syntax error (as an invalid
    // import statement is) makes it look for a tokenizer error further on and report that
    let stop_at = indentation.as_ref().map_or(usize::MAX, |(at, _)| *at);
    if let Some((_, error)) = tokenizer.clone().filter(|(at, _)| *at < stop_at) {
        return Err(error);
    }
    let mut statements: Vec<(usize, Vec<String>)> = Vec::new();
    for (range, _) in scan.top_level {
        let Some((trimmed, base)) = statement_text(source, range) else { continue };
        if base >= stop_at {
            break;
        }
        if !starts_import(trimmed) {
            continue;
        }
        // a relative import escaping its package, or a tokenizer error further on (see above)
        let escape = |message: String| {
            let at = TextSize::try_from(base).unwrap_or_default();
            tokenizer.clone().map_or_else(|| syntax_error(source, filename, at, message), |(_, error)| error)
        };
        let stmts = parse_import(trimmed, base, source, filename).map_err(|e| tokenizer.clone().map_or(e, |(_, t)| t))?;
        for stmt in &stmts {
            let mut modules: Vec<String> = Vec::new();
            match stmt {
                Stmt::Import(import) => import.names.iter().for_each(|a| push_new(&mut modules, a.name.id.to_string())),
                Stmt::ImportFrom(from) => {
                    let module =
                        resolve_module(from.level, from.module.as_ref().map(|m| m.id.as_str()), package, Some(filename)).map_err(escape)?;
                    push_from(&mut modules, module, from.names.iter().map(|a| a.name.id.as_str()));
                }
                _ => {}
            }
            // several statements on one line (`import a; import b`) share the line's offset
            let at = base + usize::from(stmt.range().start());
            statements.push((at, modules));
        }
    }
    match indentation.or(tokenizer) {
        Some((_, error)) => Err(error),
        None => Ok(statements),
    }
}

pub(crate) fn push_new(deps: &mut Vec<String>, name: String) {
    if !deps.contains(&name) {
        deps.push(name);
    }
}

/// `from module import names`: `module`, and `module.name` for each name but `*`.
pub(crate) fn push_from<'n>(deps: &mut Vec<String>, module: String, names: impl Iterator<Item = &'n str>) {
    let prefix = format!("{module}.");
    push_new(deps, module);
    for name in names.filter(|&name| name != "*") {
        push_new(deps, format!("{prefix}{name}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statements(text: &str, package: &str) -> Vec<String> {
        parse_registration(text, package, false).unwrap().iter().map(Record::statement).collect()
    }

    #[test]
    fn registration_forms_one_record_per_name() {
        assert_eq!(
            statements("import a.b, c as d\nfrom m import x, y as z\nfrom v import *", ""),
            ["import a.b", "import c as d", "from m import x", "from m import y as z", "from v import *"]
        );
        assert_eq!(statements("import red; import green", ""), ["import red", "import green"]);
        assert_eq!(statements("", ""), Vec::<String>::new());
    }

    #[test]
    fn relative_imports() {
        assert_eq!(statements("from . import x", "p.q"), ["from p.q import x"]);
        assert_eq!(statements("from ..m import x", "p.q"), ["from p.m import x"]);
        let err = parse_registration("from .m import x", "", false).unwrap_err();
        assert_eq!(err, RegistrationError::Import("Relative import .m is outside any package".into()));
        let err = parse_registration("from ...m import x", "p.q", false).unwrap_err();
        assert_eq!(err, RegistrationError::Import("Relative import ...m would escape package p.q".into()));
    }

    #[test]
    fn bad_registration_text() {
        let Err(RegistrationError::Syntax(info)) = parse_registration("import red\n    import green", "", false) else {
            panic!("expected a syntax error")
        };
        assert_eq!((info.line, info.filename.as_str()), (2, IMPORTSTMTS));
        assert!(matches!(parse_registration("import", "", false), Err(RegistrationError::Syntax(_))));
        assert_eq!(
            parse_registration("import a\nx = 1", "", false).unwrap_err(),
            RegistrationError::Value("Expected only imports, found x = 1".into())
        );
        assert_eq!(statements_allowing("x = 1\nimport a\nif x:\n    import b"), ["import a"]);
    }

    fn statements_allowing(text: &str) -> Vec<String> {
        parse_registration(text, "", true).unwrap().iter().map(Record::statement).collect()
    }

    #[test]
    fn dependencies_are_top_level_only() {
        let src = "import os, a.b\nfrom c import d, e\nfrom . import sib\nfrom .x import *\n\
                   if True:\n    import nested\ndef f():\n    import inner\ntry:\n    import t\nexcept ImportError:\n    pass\n";
        let deps = module_dependencies(src, "pkg", "pkg/m.py").unwrap();
        assert_eq!(deps, ["os", "a.b", "c", "c.d", "c.e", "pkg", "pkg.sib", "pkg.x"]);
    }

    #[test]
    fn import_lines_name_each_top_level_module_once() {
        let src = "\"\"\"Doc.\"\"\"\nimport os, scipy.ndimage\nfrom scipy.optimize import curve_fit as fit\nfrom . import sib\n\
                   if True:\n    import nested\nx = 1; import tblib\n  # comment\nfrom numpy import (a,\n    b)\n";
        let lines = import_lines(src, "pkg", "pkg/m.py").unwrap();
        let summary: Vec<(&str, usize, &str)> = lines.iter().map(|l| (l.top.as_str(), l.line, l.text.as_str())).collect();
        assert_eq!(
            summary,
            [
                ("os", 2, "import os, scipy.ndimage"),
                ("scipy", 2, "import os, scipy.ndimage"),
                ("pkg", 4, "from . import sib"),
                ("tblib", 7, "x = 1; import tblib"),
                ("numpy", 9, "from numpy import (a,"),
            ]
        );
        assert_eq!(lines[1].modules, ["scipy.ndimage", "scipy.optimize", "scipy.optimize.curve_fit"]);
        assert_eq!(lines[4].modules, ["numpy", "numpy.a", "numpy.b"]);
        assert_eq!(import_lines("x = 1\n", "", "m.py").unwrap(), Vec::<ImportLine>::new());
        let err = import_lines("import os\ndef f(:\n", "", "m.py").unwrap_err();
        assert_eq!(err.line, 2);
    }

    #[test]
    fn dependencies_report_syntax_errors_with_line() {
        let err = module_dependencies("import os\r\ndef f(:\r\n    pass\r\n", "", "/w/m.py").unwrap_err();
        assert_eq!((err.line, err.filename.as_str()), (2, "/w/m.py"));
        assert_eq!(err.text.as_deref(), Some("def f(:"));
        let err = module_dependencies("from .. import x\n", "top", "/w/top/m.py").unwrap_err();
        assert!(err.message.contains("would escape package top"));
    }

    /// Found by the fuzz harness (tests/fuzz/): a statement that starts with a line
    /// continuation (`\\` alone on the line before it) is still a top-level import.
    #[test]
    fn statements_after_a_line_continuation() {
        let src = "import os\n\\\nimport unittest\n\\\r\n\\\nfrom a import b\nx = 1; \\\n import c\n";
        assert_eq!(module_dependencies(src, "", "m.py").unwrap(), ["os", "unittest", "a", "a.b", "c"]);
        let deep = format!("x = {}1\n\\\nimport late\n", "-".repeat(5000));
        assert_eq!(module_dependencies(&deep, "", "m.py").unwrap(), ["late"]);
        assert_eq!(statements("\\\nimport a", ""), ["import a"]);
    }

    /// Found by the fuzz harness (tests/fuzz/): a line continuation that joins an import with
    /// the blank line after it ends the statement (CPython accepts it; only a continuation at
    /// the very end of the source is an error).
    #[test]
    fn a_line_continuation_before_a_blank_line() {
        assert_eq!(module_dependencies("from os import path\\\n\n", "", "m.py").unwrap(), ["os", "os.path"]);
        assert_eq!(module_dependencies("import a\\\n\nimport b\n", "", "m.py").unwrap(), ["a", "b"]);
        assert_eq!(module_dependencies("import a\\\r\n  \r\nimport b\n", "", "m.py").unwrap(), ["a", "b"]);
        let err = module_dependencies("import a\\\n", "", "m.py").unwrap_err();
        assert_eq!((err.message.as_str(), err.line), ("unexpected EOF while parsing", 1));
    }

    #[test]
    fn modern_syntax_parses() {
        let src = "type Point = tuple[float, float]\nclass C[T]: pass\nx = f\"{'a' + f'{1}'}\"\ny = t\"hi {x}\"\n\
                   try:\n    pass\nexcept A, B:\n    pass\nimport late\n";
        assert_eq!(module_dependencies(src, "", "m.py").unwrap(), ["late"]);
    }

    #[test]
    fn deep_source_is_analysed_statement_by_statement() {
        let src = format!(
            "\"\"\"Doc.\"\"\"\nimport os\nx = {}1; from .sib import y\nif x:\n    import nested\nfrom c import (d,\n    e)\n",
            "-".repeat(5000)
        );
        assert_eq!(module_dependencies(&src, "pkg", "m.py").unwrap(), ["os", "pkg.sib", "pkg.sib.y", "c", "c.d", "c.e"]);
        let bad = format!("x = {}1\nfrom .. import z\n", "-".repeat(5000));
        let err = module_dependencies(&bad, "top", "m.py").unwrap_err();
        assert_eq!(err.line, 2);
        let err = module_dependencies(&format!("x = {}1\nimport (a\n", "-".repeat(5000)), "", "m.py").unwrap_err();
        assert_eq!(err.line, 2);
        assert_eq!(
            parse_registration(&format!("import a\nx = {}1", "-".repeat(5000)), "", false).unwrap_err(),
            RegistrationError::Value(format!("Expected only imports, found x = {}1", "-".repeat(5000)))
        );
        assert_eq!(statements_allowing(&format!("import a\nx = {}1", "-".repeat(5000))), ["import a"]);
    }
}
