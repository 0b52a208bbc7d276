//! Tests of [`Engine`] through its Rust API, on real files in a temporary directory.

use super::*;
use crate::analysis::{AnalysisCause, EngineVerdict};

const PY: PythonVersion = PythonVersion::PY314;
use crate::records::RecordKind;
use std::time::{Duration, UNIX_EPOCH};

struct Workspace {
    dir: tempfile::TempDir,
}

impl Workspace {
    fn new() -> Self {
        Workspace { dir: tempfile::tempdir().unwrap() }
    }

    fn root(&self) -> String {
        self.dir.path().to_string_lossy().into_owned()
    }

    /// Writes `name.py` with `source` and mtime `seconds` since the epoch; returns its spec.
    fn write(&self, name: &str, source: &str, seconds: u64) -> ModuleSpec {
        let file = self.dir.path().join(format!("{}.py", name.replace('.', "/")));
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, source).unwrap();
        self.touch(name, seconds);
        let package = name.rsplit_once('.').map(|(p, _)| p.to_string()).unwrap_or_default();
        ModuleSpec { name: name.into(), file: Some(file.to_string_lossy().into_owned()), package }
    }

    fn touch(&self, name: &str, seconds: u64) {
        let file = self.dir.path().join(format!("{}.py", name.replace('.', "/")));
        let when = UNIX_EPOCH + Duration::from_secs(seconds);
        std::fs::File::options().write(true).open(file).unwrap().set_modified(when).unwrap();
    }
}

fn import(module: &str) -> Record {
    Record { kind: RecordKind::Import, module: module.into(), name: None, asname: None }
}

/// Tracks everything `wanted` names that the workspace has, as the Python side would.
fn track_all(engine: &mut Engine, specs: &[ModuleSpec]) -> Vec<AnalysisError> {
    let mut wanted = engine.untracked_dependencies();
    let mut errors = Vec::new();
    loop {
        let found: Vec<ModuleSpec> = specs.iter().filter(|s| wanted.contains(&s.name)).cloned().collect();
        if found.is_empty() {
            return errors;
        }
        let (next, errs) = engine.track_indirect(&found, &EngineVerdict);
        errors.extend(errs);
        if next == wanted {
            return errors;
        }
        wanted = next;
    }
}

/// An engine with `b` (`import a`) registered and `a` tracked as its dependency, both written
/// at mtime 100 in `ws`; with their specs.
fn b_importing_a(ws: &Workspace) -> (Engine, ModuleSpec, ModuleSpec) {
    let a = ws.write("a", "x = 1\n", 100);
    let b = ws.write("b", "import a\n", 100);
    let mut engine = Engine::new(vec![ws.root()], PY);
    engine.register(1, &[import("b")], std::slice::from_ref(&b), false, &EngineVerdict).unwrap();
    track_all(&mut engine, std::slice::from_ref(&a));
    (engine, a, b)
}

fn plan_names(plan: &Plan) -> Vec<(String, &'static str, Vec<String>)> {
    plan.entries.iter().map(|e| (e.module.clone(), e.reason.as_str(), e.after.clone())).collect()
}

#[test]
fn modified_module_and_its_dependents_reload_dependencies_first() {
    let ws = Workspace::new();
    let units = ws.write("units", "M = 1\n", 100);
    let physics = ws.write("physics", "from units import M\n", 100);
    let plots = ws.write("plots", "import physics\nimport os\n", 100);
    let mut engine = Engine::new(vec![ws.root()], PY);
    engine.register(1, &[import("plots")], std::slice::from_ref(&plots), false, &EngineVerdict).unwrap();
    assert!(track_all(&mut engine, &[units.clone(), physics.clone(), plots.clone()]).is_empty());
    assert!(engine.plan_sync(true, &EngineVerdict).entries.is_empty());

    ws.touch("units", 200);
    let plan = engine.plan_sync(true, &EngineVerdict);
    assert_eq!(
        plan_names(&plan),
        [
            ("units".into(), "modified", vec![]),
            ("physics".into(), "dependent", vec!["units".into()]),
            ("plots".into(), "dependent", vec!["physics".into()]),
        ]
    );
    assert_eq!(plan.entries[0].mtime, 200.0);
    assert_eq!(plan.namespaces.len(), 1);
    assert_eq!(plan.namespaces[0].attached, ["plots"]);

    // Not committed: the next plan retries. Committed: nothing left.
    assert_eq!(engine.plan_sync(true, &EngineVerdict).entries.len(), 3);
    engine.commit(&["units".into(), "physics".into(), "plots".into()]);
    assert!(engine.plan_sync(true, &EngineVerdict).entries.is_empty());

    // Reverting to an older mtime counts as a change.
    ws.touch("units", 150);
    assert_eq!(engine.plan_sync(true, &EngineVerdict).entries.len(), 3);
}

#[test]
fn register_is_atomic_on_analysis_errors() {
    let ws = Workspace::new();
    let good = ws.write("good", "x = 1\n", 100);
    let bad = ws.write("bad", "def f(:\n", 100);
    let mut engine = Engine::new(vec![ws.root()], PY);
    let err = engine.register(7, &[import("good"), import("bad")], &[good.clone(), bad], false, &EngineVerdict).unwrap_err();
    assert_eq!(err.module, "bad");
    let AnalysisCause::Syntax(cause) = &err.cause else { panic!("expected a syntax error, got {err:?}") };
    assert_eq!(cause.line, 1);
    assert!(engine.status(Some(7)).0.is_empty());
    assert!(engine.journal(7).is_empty());
}

#[test]
fn indirect_tracking_needs_the_workspace() {
    let ws = Workspace::new();
    let other = Workspace::new();
    let helper = other.write("helper", "x = 1\n", 100);
    let main = ws.write("main", "import helper\n", 100);
    let mut engine = Engine::new(vec![ws.root()], PY);
    engine.register(1, &[import("main")], &[main], false, &EngineVerdict).unwrap();
    assert_eq!(engine.untracked_dependencies(), ["helper"]);
    let (wanted, errors) = engine.track_indirect(std::slice::from_ref(&helper), &EngineVerdict);
    assert!(wanted.is_empty() && errors.is_empty());
    assert_eq!(engine.status(None).0.len(), 1, "helper is outside the workspace");

    engine.set_workspace(vec![ws.root(), other.root()]);
    engine.track_indirect(&[helper], &EngineVerdict);
    let (modules, _) = engine.status(None);
    assert_eq!(modules[1].name, "helper");
    assert_eq!(modules[1].imported_by, ["main"]);
    assert!(!modules[1].direct);
}

#[test]
fn deleted_files_are_skipped_and_registration_order_is_kept() {
    let ws = Workspace::new();
    let a = ws.write("a", "x = 1\n", 100);
    let b = ws.write("b", "y = 1\n", 100);
    let mut engine = Engine::new(vec![ws.root()], PY);
    engine.register(1, &[import("a"), import("b")], &[a.clone(), b], false, &EngineVerdict).unwrap();
    engine.register(1, &[import("a")], std::slice::from_ref(&a), false, &EngineVerdict).unwrap();
    assert_eq!(engine.status(Some(1)).1, ["import b", "import a"]);

    std::fs::remove_file(a.file.as_deref().unwrap()).unwrap();
    ws.touch("b", 300);
    assert_eq!(plan_names(&engine.plan_sync(true, &EngineVerdict)), [("b".into(), "modified", vec![])]);

    engine.register(1, &[import("a")], &[a], true, &EngineVerdict).unwrap();
    assert_eq!(engine.status(Some(1)).1, ["import a"]);
    let (modules, _) = engine.status(None);
    assert!(modules.iter().find(|m| m.name == "b").is_some_and(|m| !m.direct));
}

#[test]
fn modified_source_with_syntax_error_plans_only_the_error_until_fixed() {
    let ws = Workspace::new();
    let a = ws.write("a", "x = 1\n", 100);
    let b = ws.write("b", "y = 1\n", 100);
    let mut engine = Engine::new(vec![ws.root()], PY);
    engine.register(1, &[import("a"), import("b")], &[a, b], false, &EngineVerdict).unwrap();
    ws.write("a", "import b\nx = = 1\n", 200);
    ws.write("b", "y = 2\n", 200);
    for _ in 0..2 {
        let plan = engine.plan_sync(true, &EngineVerdict);
        assert!(plan.entries.is_empty(), "nothing reloads while a modified module cannot be analysed");
        let modules: Vec<&str> = plan.errors.iter().map(|e| e.module.as_str()).collect();
        assert_eq!(modules, ["a"], "reported at every sync until fixed");
    }
    ws.write("a", "import b\nx = 2\n", 300);
    let plan = engine.plan_sync(true, &EngineVerdict);
    assert!(plan.errors.is_empty());
    assert_eq!(plan_names(&plan), [("b".into(), "modified", vec![]), ("a".into(), "modified", vec!["b".into()])]);
}

#[test]
fn modules_without_a_source_file_are_tracked_and_never_examined() {
    let ws = Workspace::new();
    let child = ws.write("nspkg.mod", "import math\nx = 1\n", 100);
    let nspkg = ModuleSpec { name: "nspkg".into(), file: None, package: "nspkg".into() };
    let math = ModuleSpec { name: "math".into(), file: None, package: String::new() };
    let mut engine = Engine::new(vec![ws.root()], PY);
    let records = [import("math"), Record { kind: RecordKind::From, module: "nspkg".into(), name: Some("mod".into()), asname: None }];
    engine.register(1, &records, &[math.clone(), nspkg, child], false, &EngineVerdict).unwrap();
    assert!(engine.untracked_dependencies().is_empty(), "math is tracked, without a file");
    assert!(engine.plan_sync(true, &EngineVerdict).entries.is_empty());
    assert_eq!(engine.mark_dirty(&[ws.root()]), 1, "only the module with a file is under the workspace");
    ws.touch("nspkg.mod", 200);
    assert_eq!(plan_names(&engine.plan_sync(true, &EngineVerdict)), [("nspkg.mod".into(), "modified", vec![])]);
    let (modules, _) = engine.status(None);
    let files: Vec<(&str, bool)> = modules.iter().map(|m| (m.name.as_str(), m.file.is_some())).collect();
    assert_eq!(files, [("math", false), ("nspkg", false), ("nspkg.mod", true)]);
    assert!(modules.iter().all(|m| m.direct));
}

#[test]
fn new_dependency_after_edit_is_wanted() {
    let ws = Workspace::new();
    let a = ws.write("a", "x = 1\n", 100);
    let mut engine = Engine::new(vec![ws.root()], PY);
    engine.register(1, &[import("a")], &[a], false, &EngineVerdict).unwrap();
    assert!(engine.untracked_dependencies().is_empty());
    ws.write("a", "import fresh\nx = 2\n", 200);
    engine.plan_sync(true, &EngineVerdict);
    assert_eq!(engine.untracked_dependencies(), ["fresh"]);
}

#[test]
fn package_relative_dependencies() {
    let ws = Workspace::new();
    let init = ws.write("pkg.__init__", "from . import core\n", 100);
    let core = ws.write("pkg.core", "from .util import helper\n", 100);
    let util = ws.write("pkg.util", "def helper(): pass\n", 100);
    let init = ModuleSpec { name: "pkg".into(), package: "pkg".into(), ..init };
    let mut engine = Engine::new(vec![ws.root()], PY);
    engine.register(1, &[import("pkg")], &[init], false, &EngineVerdict).unwrap();
    assert_eq!(engine.untracked_dependencies(), ["pkg.core"]);
    assert!(track_all(&mut engine, &[core, util]).is_empty());
    let names: Vec<String> = engine.status(None).0.into_iter().map(|m| m.name).collect();
    assert_eq!(names, ["pkg", "pkg.core", "pkg.util"]);
    ws.touch("pkg.util", 500);
    let order: Vec<String> = engine.plan_sync(true, &EngineVerdict).entries.into_iter().map(|e| e.module).collect();
    assert_eq!(order, ["pkg.util", "pkg.core", "pkg"]);
}

#[test]
fn without_full_only_marked_files_are_examined() {
    let ws = Workspace::new();
    let (mut engine, a, _) = b_importing_a(&ws);
    ws.touch("a", 200);
    assert!(engine.plan_sync(false, &EngineVerdict).entries.is_empty(), "no event, no stat");
    assert_eq!(engine.mark_dirty(&[ws.root()]), 2, "a directory marks the files under it");
    let plan = engine.plan_sync(false, &EngineVerdict);
    assert_eq!(plan_names(&plan), [("a".into(), "modified", vec![]), ("b".into(), "dependent", vec!["a".into()])]);
    // Not committed (say the reload failed): planned again without a new event.
    assert_eq!(engine.plan_sync(false, &EngineVerdict).entries.len(), 2);
    engine.commit(&["a".into(), "b".into()]);
    assert!(engine.plan_sync(false, &EngineVerdict).entries.is_empty());
    // A deleted file reported by an event is skipped.
    std::fs::remove_file(a.file.as_deref().unwrap()).unwrap();
    assert_eq!(engine.mark_dirty(&[a.file.clone().unwrap()]), 1);
    ws.touch("b", 300);
    engine.mark_dirty(&[ws.root()]);
    assert_eq!(plan_names(&engine.plan_sync(false, &EngineVerdict)), [("b".into(), "modified", vec![])]);
}

#[test]
fn noted_writes_are_examined_at_every_sync() {
    let ws = Workspace::new();
    let a = ws.write("pkg.a", "x = 1\n", 100);
    let b = ws.write("b", "x = 1\n", 100);
    let c = ws.write("sub.c", "x = 1\n", 100);
    let mut engine = Engine::new(vec![ws.root()], PY);
    engine.register(1, &[import("pkg.a"), import("b"), import("sub.c")], &[a.clone(), b, c], false, &EngineVerdict).unwrap();
    let unrelated = PathBuf::from(ws.root()).join("data.csv");
    engine.note_writes(Noted { paths: vec![unrelated, PathBuf::from(a.file.as_deref().unwrap())], overflow: false });
    ws.touch("pkg.a", 200);
    ws.touch("b", 200);
    let names = |plan: Plan| plan.entries.into_iter().map(|e| e.module).collect::<Vec<_>>();
    assert_eq!(names(engine.plan_sync(false, &EngineVerdict)), ["pkg.a"], "only the written file is examined");
    engine.commit(&["pkg.a".into()]);
    // Sticky: written again later (say through a file object kept open), no new note needed.
    ws.touch("pkg.a", 300);
    assert_eq!(names(engine.plan_sync(false, &EngineVerdict)), ["pkg.a"]);
    engine.commit(&["pkg.a".into()]);
    // A directory (say renamed away and back): every tracked file under it.
    engine.note_writes(Noted { paths: vec![PathBuf::from(ws.root()).join("sub")], overflow: false });
    ws.touch("sub.c", 200);
    assert_eq!(names(engine.plan_sync(false, &EngineVerdict)), ["sub.c"]);
    engine.commit(&["sub.c".into()]);
    // Overflow: the next sync examines everything once.
    engine.note_writes(Noted { paths: vec![], overflow: true });
    assert_eq!(names(engine.plan_sync(false, &EngineVerdict)), ["b"]);
    engine.commit(&["b".into()]);
    ws.touch("b", 400);
    assert!(engine.plan_sync(false, &EngineVerdict).entries.is_empty(), "b was not written by the kernel");
}

#[test]
fn missing_files_are_handed_out_once_and_come_back() {
    let ws = Workspace::new();
    let (mut engine, a, b) = b_importing_a(&ws);
    assert!(engine.take_missing().is_empty());
    // Found missing by a stat.
    std::fs::remove_file(a.file.as_deref().unwrap()).unwrap();
    assert!(engine.plan_sync(true, &EngineVerdict).entries.is_empty(), "a missing file is skipped");
    assert_eq!(engine.take_missing(), [("a".to_string(), a.file.clone().unwrap())]);
    assert!(engine.take_missing().is_empty(), "once");
    assert!(engine.plan_sync(true, &EngineVerdict).entries.is_empty());
    assert!(engine.take_missing().is_empty(), "still missing: not again");
    let mtime = |engine: &Engine, name: &str| engine.status(None).0.into_iter().find(|m| m.name == name).unwrap().mtime;
    assert_eq!(mtime(&engine, "a"), None, "status shows it missing");
    // Re-created: it reloads, and b after it.
    let a = ws.write("a", "x = 2\n", 200);
    let plan = engine.plan_sync(true, &EngineVerdict);
    assert_eq!(plan_names(&plan), [("a".into(), "modified", vec![]), ("b".into(), "dependent", vec!["a".into()])]);
    engine.commit(&["a".into(), "b".into()]);
    assert_eq!(mtime(&engine, "a"), Some(200.0));
    // Reported gone by the frontend: no stat (the file may even still be there), until marked
    // dirty again.
    assert_eq!(engine.mark_missing(&[ws.root()]), 2, "a directory: every file under it");
    assert_eq!(
        engine.take_missing(),
        [("b".to_string(), b.file.clone().unwrap()), ("a".to_string(), a.file.clone().unwrap())],
        "tracking order"
    );
    ws.touch("a", 300);
    assert!(engine.plan_sync(false, &EngineVerdict).entries.is_empty(), "gone files are not examined");
    assert_eq!(mtime(&engine, "b"), None);
    engine.mark_dirty(&[a.file.clone().unwrap()]);
    assert!(engine.plan_sync(false, &EngineVerdict).entries.is_empty(), "a is tracked for b, which is still gone");
    engine.mark_dirty(&[b.file.clone().unwrap()]);
    assert_eq!(
        plan_names(&engine.plan_sync(false, &EngineVerdict)),
        [("a".into(), "modified", vec![]), ("b".into(), "dependent", vec!["a".into()])]
    );
    engine.commit(&["a".into(), "b".into()]);
    // Gone and back before anyone asked: nothing to hand out.
    engine.mark_missing(&[a.file.clone().unwrap()]);
    engine.mark_dirty(&[a.file.clone().unwrap()]);
    engine.plan_sync(false, &EngineVerdict);
    assert!(engine.take_missing().is_empty());
}

#[test]
fn plans_keep_the_sources_they_read_until_taken() {
    let ws = Workspace::new();
    let (mut engine, a, _) = b_importing_a(&ws);
    assert!(engine.take_sources().is_empty(), "tracking keeps nothing");
    std::fs::write(a.file.as_deref().unwrap(), "x = 2\n").unwrap();
    ws.touch("a", 200);
    engine.mark_dirty(&[a.file.clone().unwrap()]);
    let plan = engine.plan_sync(false, &EngineVerdict);
    assert_eq!(plan.entries.len(), 2, "a modified, b dependent");
    // Only the modified module's source, with the mtime of its read; each once.
    assert_eq!(engine.take_sources(), [("a".to_string(), a.file.clone().unwrap(), 200.0, b"x = 2\n".to_vec())]);
    assert!(engine.take_sources().is_empty());
    // Planned again without a change: nothing is read, nothing new kept. One not taken stays
    // until the module is committed.
    std::fs::write(a.file.as_deref().unwrap(), "x = 3\n").unwrap();
    ws.touch("a", 250);
    engine.mark_dirty(&[a.file.clone().unwrap()]);
    assert_eq!(engine.plan_sync(false, &EngineVerdict).entries.len(), 2);
    assert_eq!(engine.plan_sync(false, &EngineVerdict).entries.len(), 2, "still modified, not read again");
    assert_eq!(engine.take_sources(), [("a".to_string(), a.file.clone().unwrap(), 250.0, b"x = 3\n".to_vec())]);
    engine.mark_dirty(&[a.file.clone().unwrap()]);
    engine.plan_sync(false, &EngineVerdict);
    engine.commit(&["a".into(), "b".into()]);
    assert!(engine.take_sources().is_empty(), "committed: dropped");
    // An unchanged file (marked again) keeps nothing.
    std::fs::write(a.file.as_deref().unwrap(), "x = 2\n").unwrap();
    ws.touch("a", 200);
    engine.mark_dirty(&[a.file.clone().unwrap()]);
    engine.plan_sync(false, &EngineVerdict);
    engine.commit(&["a".into(), "b".into()]);
    engine.mark_dirty(&[a.file.clone().unwrap()]);
    assert!(engine.plan_sync(false, &EngineVerdict).entries.is_empty());
    assert!(engine.take_sources().is_empty());
    // A full sync stats, then reads what changed: its source is kept too.
    ws.touch("a", 300);
    assert_eq!(engine.plan_sync(true, &EngineVerdict).entries.len(), 2);
    assert_eq!(engine.take_sources(), [("a".to_string(), a.file.clone().unwrap(), 300.0, b"x = 2\n".to_vec())]);
    // A source that cannot be analysed is not kept.
    std::fs::write(a.file.as_deref().unwrap(), "x = (\n").unwrap();
    ws.touch("a", 400);
    engine.mark_dirty(&[a.file.clone().unwrap()]);
    assert_eq!(engine.plan_sync(false, &EngineVerdict).errors.len(), 1);
    assert!(engine.take_sources().is_empty());
}

#[test]
fn writes_of_other_paths_are_counted() {
    let ws = Workspace::new();
    let a = ws.write("a", "x = 1\n", 100);
    let mut engine = Engine::new(vec![ws.root()], PY);
    engine.register(1, &[import("a")], std::slice::from_ref(&a), false, &EngineVerdict).unwrap();
    assert_eq!(engine.other_writes(), 0);
    engine.note_writes(Noted { paths: vec![PathBuf::from(a.file.as_deref().unwrap())], overflow: false });
    assert_eq!(engine.other_writes(), 0, "a tracked source written: nothing created");
    let new = PathBuf::from(ws.root()).join("a").join("__init__.py");
    engine.note_writes(Noted { paths: vec![new, PathBuf::from(ws.root())], overflow: false });
    assert_eq!(engine.other_writes(), 2, "a new file, a directory");
    engine.note_writes(Noted { paths: vec![], overflow: true });
    assert_eq!(engine.other_writes(), 3, "an overflowing note may hide anything");
}
