//! Tests of [`analyze_source`]: the engine's findings, the host's authority, versions.

use std::cell::Cell;

use super::*;

const PY313: PythonVersion = PythonVersion::PY313;
const PY314: PythonVersion = PythonVersion::PY314;

/// A host whose parser accepts (or rejects) everything, counting how often it is asked.
struct Host {
    accepts: bool,
    asked: Cell<usize>,
}

impl Host {
    fn new(accepts: bool) -> Self {
        Host { accepts, asked: Cell::new(0) }
    }
}

impl HostParser for Host {
    fn verdict(&self, _file: &str, _source: &str) -> Result<(), HostError> {
        self.asked.set(self.asked.get() + 1);
        if self.accepts {
            Ok(())
        } else {
            Err(HostError(Arc::new("host says no")))
        }
    }
}

fn engine_error(source: &str, version: PythonVersion) -> Option<SyntaxErrorInfo> {
    match analyze_source(source, "", "/w/m.py", version, &EngineVerdict, Confirm::OnError) {
        Ok(_) => None,
        Err(AnalysisCause::Syntax(info)) => Some(info),
        Err(other) => panic!("expected a syntax error or none for {source:?}, got {other:?}"),
    }
}

#[test]
fn grammar_errors_anywhere_are_found_with_their_line() {
    for (source, line) in [
        ("import os\nx = = 1\n", 2),
        ("import os\n\ndef f(:\n    pass\n", 3),
        ("class C:\n    def g(self):\n        return 1 +\n", 3),
        ("f() = 1\n", 1),
        ("for x in range(3):\n    print(x\n", 2),
    ] {
        let info = engine_error(source, PY314).unwrap_or_else(|| panic!("no error found in {source:?}"));
        assert_eq!((info.line, info.filename.as_str()), (line, "/w/m.py"), "{source:?}: {info:?}");
    }
    assert_eq!(engine_error("import os\n\ndef f(x):\n    return x\n", PY314), None);
}

#[test]
fn syntax_of_later_versions_is_an_error_for_earlier_ones() {
    for source in ["x = t\"hi {1}\"\n", "try:\n    pass\nexcept A, B:\n    pass\n"] {
        assert!(engine_error(source, PY313).is_some(), "3.13 has no {source:?}");
        assert_eq!(engine_error(source, PY314), None, "3.14 has {source:?}");
    }
    assert_eq!(engine_error("match x:\n    case 1:\n        pass\n", PythonVersion::PY310), None);
}

#[test]
fn the_host_confirms_every_error_and_its_verdict_wins() {
    let accepting = Host::new(true);
    let deps = analyze_source("import a\nx = = 1\nimport b\n", "", "m.py", PY314, &accepting, Confirm::OnError);
    assert_eq!(deps, Ok(vec!["a".to_string(), "b".to_string()]), "what the host accepts is never rejected");
    assert_eq!(accepting.asked.get(), 1);

    let rejecting = Host::new(false);
    let result = analyze_source("x = = 1\n", "", "m.py", PY314, &rejecting, Confirm::OnError);
    assert!(matches!(result, Err(AnalysisCause::Host(_))), "the host's own exception is the cause: {result:?}");
}

#[test]
fn clean_sources_ask_the_host_only_when_always() {
    let host = Host::new(false);
    assert!(analyze_source("import a\n", "", "m.py", PY314, &host, Confirm::OnError).is_ok());
    assert_eq!(host.asked.get(), 0, "tracking a clean module does not ask the host");
    let result = analyze_source("import a\n", "", "m.py", PY314, &host, Confirm::Always);
    assert!(matches!(result, Err(AnalysisCause::Host(_))));
    assert_eq!(host.asked.get(), 1);
}

#[test]
fn relative_imports_escaping_their_package_are_import_errors() {
    let result = analyze_source("from .. import x\n", "top", "/w/top/m.py", PY314, &EngineVerdict, Confirm::OnError);
    let Err(AnalysisCause::Import(message)) = result else { panic!("expected an import error, got {result:?}") };
    assert_eq!(message, "Relative import .. would escape package top in file /w/top/m.py");
}

#[test]
fn deep_sources_are_not_given_to_the_host() {
    let source = format!("import a\nx = {}1\n", "-".repeat(5000));
    let host = Host::new(false);
    assert_eq!(analyze_source(&source, "", "m.py", PY314, &host, Confirm::Always), Ok(vec!["a".to_string()]));
    assert_eq!(host.asked.get(), 0);
    let too_many = format!("x = {}1{}\n", "(".repeat(201), ")".repeat(201));
    let info = engine_error(&too_many, PY314).expect("more than 200 nested brackets");
    assert_eq!(info.message, "too many nested parentheses");
}

#[test]
fn sources_the_host_compiled_are_not_parsed_whole() {
    let host = Host::new(false);
    // An error only the whole parse finds, in a source claimed compiled: not looked for.
    let result = analyze_source("import a\nx = = 1\n", "", "m.py", PY314, &host, Confirm::Compiled);
    assert_eq!(result, Ok(vec!["a".to_string()]));
    assert_eq!(host.asked.get(), 0);
    // Imports that cannot be read: the full analysis gives the cause.
    let result = analyze_source("from .. import x\n", "top", "/w/top/m.py", PY314, &EngineVerdict, Confirm::Compiled);
    assert!(matches!(result, Err(AnalysisCause::Import(_))), "{result:?}");
}
