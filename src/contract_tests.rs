//! Tests of the contract's rules ([`super`]), on files in memory.

use std::sync::Arc;

use super::*;
use crate::analysis::EngineVerdict;
use crate::system::MemorySystem;

/// A host that rejects every source with exception number `id` (as the wasm-bindgen binding
/// keeps its host's exceptions), or with a payload of another type.
struct Host {
    rejects: Option<usize>,
    foreign: bool,
}

impl HostParser for Host {
    fn verdict(&self, _file: &str, _source: &str) -> Result<(), HostError> {
        match (self.rejects, self.foreign) {
            (_, true) => Err(HostError(Arc::new("not the binding's exception"))),
            (Some(id), false) => Err(HostError(Arc::new(id))),
            (None, false) => Ok(()),
        }
    }
}

const ACCEPTS: Host = Host { rejects: None, foreign: false };

fn spec(name: &str) -> SpecTuple {
    (name.to_string(), Some(format!("/w/{name}.py")), String::new())
}

fn import(module: &str) -> RecordTuple {
    ("import".into(), module.into(), None, None)
}

fn lock() -> std::sync::MutexGuard<'static, ()> {
    writes::TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner())
}

#[test]
fn records_are_validated_before_anything_changes() {
    let _lock = lock();
    let fs = MemorySystem::new();
    fs.write("/w/m.py", "x = 1\n", 10);
    let mut engine = new_engine(vec!["/w".into()], (3, 14), &fs);
    let from_without_name = ("from".to_string(), "m".to_string(), None, None);
    let error = register(&mut engine, 1, vec![import("m"), from_without_name.clone()], vec![spec("m")], false, &ACCEPTS);
    assert_eq!(error, Err(ContractError::Value("a 'from' record needs a name (module m)".into())));
    let bogus = ("bogus".to_string(), "m".to_string(), None, None);
    assert_eq!(record_from_tuple(bogus.clone()), Err(ContractError::Value("unknown record kind \"bogus\"".into())));
    assert_eq!(engine.tracked_count(), 0, "nothing registered, nothing read");
    assert_eq!(fs.reads(), (0, 0));
    assert_eq!(canonical_statement(from_without_name), Err(ContractError::Value("a 'from' record needs a name (module m)".into())));
    assert_eq!(canonical_statement(bogus).map_err(|e| e.to_string()), Err("unknown record kind \"bogus\"".to_string()));
    let from = ("from".to_string(), "m".to_string(), Some("n".to_string()), Some("k".to_string()));
    assert_eq!(canonical_statement(from.clone()).as_deref(), Ok("from m import n as k"));
    assert_eq!(record_to_tuple(&record_from_tuple(from.clone()).unwrap()), from);
}

#[test]
fn noted_writes_are_taken_before_files_are_examined() {
    let _lock = lock();
    let fs = MemorySystem::new();
    fs.write("/w/m.py", "x = 1\n", 10);
    fs.write("/w/n.py", "y = 1\n", 10);
    let mut engine = new_engine(vec!["/w".into()], (3, 14), &fs);
    writes::take();
    register(&mut engine, 1, vec![import("m")], vec![spec("m")], false, &ACCEPTS).unwrap();
    // A write by kernel code, noted by the audit hook; without `full`, only it is examined.
    fs.write("/w/m.py", "x = 2\n", 20);
    writes::note(std::path::Path::new("/w/m.py"));
    let (entries, namespaces) = plan_sync(&mut engine, false, &ACCEPTS).unwrap();
    assert_eq!(entries, [("m".to_string(), "modified", 20.0, vec![])]);
    assert_eq!(namespaces, [(1, vec!["m".to_string()], vec![import("m")])]);
    assert_eq!(writes::take(), writes::Noted::default(), "taken by plan_sync");
    engine.commit(&["m".into()]);
    // The file stays written: examined at every sync from then on.
    fs.write("/w/m.py", "x = 3\n", 30);
    assert_eq!(plan_sync(&mut engine, false, &ACCEPTS).unwrap().0.len(), 1);
    engine.commit(&["m".into()]);

    // register and track_indirect take them too (noted before n was tracked: nothing to mark).
    writes::note(std::path::Path::new("/w/other.csv"));
    register(&mut engine, 1, vec![], vec![spec("n")], false, &ACCEPTS).unwrap();
    assert_eq!(writes::take(), writes::Noted::default(), "taken by register");
    writes::note_unknown();
    let (wanted, errors) = track_indirect(&mut engine, vec![spec("n")], &ACCEPTS);
    assert!(wanted.is_empty() && errors.is_empty());
    assert_eq!(writes::take(), writes::Noted::default(), "taken by track_indirect");
    let stats = fs.reads().0;
    plan_sync(&mut engine, false, &ACCEPTS).unwrap();
    assert!(fs.reads().0 > stats, "an unknown change: the next sync examines every file");
}

#[test]
fn a_plan_with_errors_raises_the_first_and_plans_nothing() {
    let _lock = lock();
    let fs = MemorySystem::new();
    fs.write("/w/a.py", "x = 1\n", 10);
    fs.write("/w/b.py", "y = 1\n", 10);
    let mut engine = new_engine(vec!["/w".into()], (3, 14), &fs);
    register(&mut engine, 1, vec![import("a"), import("b")], vec![spec("a"), spec("b")], false, &EngineVerdict).unwrap();
    assert_eq!(plan_sync(&mut engine, true, &EngineVerdict), Ok((vec![], vec![])), "nothing modified: ([], [])");
    fs.write("/w/b.py", "y = = 2\n", 20);
    fs.write("/w/a.py", "from .. import x\n", 20);
    let Err(ContractError::Analysis(error)) = plan_sync(&mut engine, true, &EngineVerdict) else { panic!("expected an analysis error") };
    assert_eq!(error.module, "a", "the first in tracking order");
    assert!(matches!(cause::<usize>(&error.cause), Cause::Import(m) if m.starts_with("Relative import .. is outside any package")));
    // Still raised at the next sync, until the file changes to one that can be analysed.
    assert!(matches!(plan_sync(&mut engine, true, &EngineVerdict), Err(ContractError::Analysis(e)) if e.module == "a"));
    fs.write("/w/a.py", "x = 2\n", 30);
    let Err(ContractError::Analysis(error)) = plan_sync(&mut engine, true, &EngineVerdict) else { panic!("b is still wrong") };
    assert_eq!(error.module, "b");
    assert!(matches!(cause::<usize>(&error.cause), Cause::Syntax(info) if info.line == 1 && info.filename == "/w/b.py"));
    assert_eq!(error.to_string(), ContractError::Analysis(error.clone()).to_string());
}

#[test]
fn host_exceptions_are_the_causes_and_unknown_ones_a_value_error() {
    let _lock = lock();
    let fs = MemorySystem::new();
    fs.write("/w/m.py", "x = = 1\n", 10);
    let mut engine = new_engine(vec!["/w".into()], (3, 14), &fs);
    let host = Host { rejects: Some(7), foreign: false };
    let Err(ContractError::Analysis(error)) = register(&mut engine, 1, vec![import("m")], vec![spec("m")], false, &host) else {
        panic!("expected an analysis error")
    };
    assert_eq!(cause::<usize>(&error.cause), Cause::Host(&7));
    assert_eq!(cause::<String>(&error.cause), Cause::Value(HOST_FAILED), "not the binding's kind of exception");
    let foreign = Host { rejects: None, foreign: true };
    let (wanted, errors) = track_indirect(&mut engine, vec![spec("m")], &foreign);
    assert!(wanted.is_empty());
    assert_eq!(errors.iter().map(|e| cause::<usize>(&e.cause)).collect::<Vec<_>>(), [Cause::Value("analysis failed")]);
    assert_eq!(engine.tracked_count(), 0);

    // An error found at a sync is kept, with its host exception, until the file changes.
    fs.write("/w/m.py", "x = 1\n", 10);
    register(&mut engine, 1, vec![import("m")], vec![spec("m")], false, &host).unwrap();
    assert_eq!(kept_host_errors::<_, usize>(&engine), Vec::<usize>::new());
    fs.write("/w/m.py", "x = = 2\n", 20);
    let Err(ContractError::Analysis(error)) = plan_sync(&mut engine, true, &Host { rejects: Some(9), foreign: false }) else {
        panic!("expected an analysis error")
    };
    assert_eq!(cause::<usize>(&error.cause), Cause::Host(&9));
    assert_eq!(kept_host_errors::<_, usize>(&engine), [9]);
    assert!(
        matches!(plan_sync(&mut engine, true, &ACCEPTS), Err(ContractError::Analysis(e)) if cause::<usize>(&e.cause) == Cause::Host(&9))
    );
    fs.write("/w/m.py", "x = 2\n", 30);
    assert_eq!(plan_sync(&mut engine, true, &ACCEPTS).map(|plan| plan.0.len()), Ok(1));
    assert_eq!(kept_host_errors::<_, usize>(&engine), Vec::<usize>::new());
}

#[test]
fn registration_text_errors_keep_their_kind() {
    assert!(matches!(parse_statements("import = x", "", false), Err(ContractError::Syntax(info)) if info.filename == "<importstmts>"));
    assert!(matches!(parse_statements("from . import x", "", false), Err(ContractError::Import(_))));
    assert!(matches!(parse_statements("x = 1", "", false), Err(ContractError::Value(m)) if m.starts_with("Expected only imports")));
    assert_eq!(parse_statements("x = 1\nimport a as b", "", true), Ok(vec![("import".into(), "a".into(), None, Some("b".into()))]));
    assert!(engine_syntax_error("x = = 1\n", "m.py", (3, 14)).is_some_and(|info| info.line == 1));
    assert_eq!(engine_syntax_error("x = 1\n", "m.py", (3, 14)), None);
}

#[test]
fn status_and_journal_in_contract_shapes() {
    let _lock = lock();
    let fs = MemorySystem::new();
    fs.write("/w/a.py", "import b\n", 10);
    fs.write("/w/b.py", "x = 1\n", 10);
    let mut engine = new_engine(vec!["/w".into()], (3, 14), &fs);
    register(&mut engine, 5, vec![import("a")], vec![spec("a")], false, &EngineVerdict).unwrap();
    track_indirect(&mut engine, vec![spec("b")], &EngineVerdict);
    assert_eq!(journal(&engine, 5), [import("a")]);
    assert_eq!(journal(&engine, 6), []);
    let (workspace, modules, statements) = status(&engine, Some(5));
    assert_eq!(workspace, ["/w"]);
    assert_eq!(statements, ["import a"]);
    assert_eq!(
        modules,
        [
            ("a".to_string(), Some("/w/a.py".to_string()), Some(10.0), true, vec![]),
            ("b".to_string(), Some("/w/b.py".to_string()), Some(10.0), false, vec!["a".to_string()]),
        ]
    );
    assert_eq!(status(&engine, None).2, Vec::<String>::new());
}
