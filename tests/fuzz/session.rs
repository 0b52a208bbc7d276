//! Fuzz cases on the engine's state: a session of random calls of the core's public API
//! (`Engine`: registrations, indirect tracking, files appearing, changing and disappearing,
//! frontend reports, noted writes, workspace changes, sync plans and commits, status) against
//! files in memory, checking after each call what the documentation of `src/engine.rs` states,
//! and at the end that planning is a fixpoint.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use liveimport_engine::analysis::{python_version, AnalysisCause, EngineVerdict, HostParser};
use liveimport_engine::compiled;
use liveimport_engine::engine::{Engine, ModuleSpec, ModuleStatus, NamespaceId, Plan, Reason};
use liveimport_engine::mtime::Mtime;
use liveimport_engine::records::{Record, RecordKind};
use liveimport_engine::system::System;
use liveimport_engine::writes::{self, Noted};
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::checks::{check_location, ensure, Accept, Marked, Outcome, Reject};
use crate::corpus::Corpus;
use crate::inputs;
use crate::stats;

/// Files in memory, counting reads (the engine's `System` in these sessions).
#[derive(Default)]
pub struct FuzzFs {
    files: RefCell<BTreeMap<String, (Mtime, Vec<u8>)>>,
    reads: Cell<usize>,
    /// Every contents each path had (an error found at a stat may be of an earlier one: a
    /// rewrite within the same mtime is not seen).
    history: RefCell<HashMap<String, Vec<Vec<u8>>>>,
}

impl FuzzFs {
    /// Whether `info` is located in some contents `file` had.
    fn located(&self, info: &liveimport_engine::imports::SyntaxErrorInfo, file: &str) -> Outcome {
        let history = self.history.borrow();
        let versions = history.get(file).map(Vec::as_slice).unwrap_or_default();
        let mut last = Err(format!("error in {file}, which never existed: {info:?}"));
        for contents in versions {
            last = check_location(info, &String::from_utf8_lossy(contents), file);
            if last.is_ok() {
                break;
            }
        }
        last
    }
}

impl System for FuzzFs {
    fn read_mtime(&self, path: &str) -> Option<Mtime> {
        self.reads.set(self.reads.get() + 1);
        self.files.borrow().get(path).map(|(m, _)| *m)
    }

    fn read_source(&self, path: &str) -> Option<(Mtime, Vec<u8>)> {
        self.reads.set(self.reads.get() + 1);
        self.files.borrow().get(path).cloned()
    }
}

/// The modules of a session: name, source file, package.
const MODULES: &[(&str, Option<&str>, &str)] = &[
    ("a", Some("/w/a.py"), ""),
    ("b", Some("/w/b.py"), ""),
    ("c", Some("/w/c.py"), ""),
    ("pkg", Some("/w/pkg/__init__.py"), "pkg"),
    ("pkg.m", Some("/w/pkg/m.py"), "pkg"),
    ("pkg.n", Some("/w/pkg/n.py"), "pkg"),
    ("out", Some("/x/out.py"), ""),
    ("builtin", None, ""),
];

/// Paths the frontend and the audit hook may report: files, directories, others.
const PATHS: &[&str] = &["/w/a.py", "/w/b.py", "/w/pkg/m.py", "/w/pkg", "/w", "/x/out.py", "/x", "/", "/w/zz.py", "/w/pkg/n.py", "/w/a"];
const WORKSPACES: &[&[&str]] = &[&["/w"], &["/w"], &["/w/pkg"], &["/w", "/x"], &[], &["/"], &["/w/"]];

fn spec(rng: &mut ChaCha8Rng, index: usize) -> ModuleSpec {
    let (name, file, package) = MODULES[index];
    let mut spec = ModuleSpec { name: name.into(), file: file.map(str::to_string), package: package.into() };
    if rng.gen_bool(0.05) {
        spec.file = Some("/w/elsewhere.py".into()); // the same name from another file
    }
    if rng.gen_bool(0.03) {
        spec.package = "a.b".into();
    }
    spec
}

/// A module source: top-level imports of session modules (cycles, relative imports, nested
/// ones), sometimes a random source, a host-rejected one or bytes that do not decode.
fn module_source(rng: &mut ChaCha8Rng, corpus: &Corpus) -> Vec<u8> {
    match rng.gen_range(0..30) {
        0..=2 => return inputs::source_bytes(rng, corpus),
        3 => return b"import a\nREJECT = 1\n".to_vec(),
        4 => return b"import b\nx = '\xff'\n".to_vec(),
        _ => {}
    }
    let mut text = String::new();
    for _ in 0..rng.gen_range(0..4) {
        let (name, _, _) = MODULES.choose(rng).expect("modules");
        let line = match rng.gen_range(0..16) {
            0..=5 => format!("import {name}\n"),
            6..=8 => format!("from {name} import x\n"),
            9 => "from . import m\n".into(),
            10 => "from .n import y\n".into(),
            11 => "from .. import z\n".into(),
            12 => format!("if x:\n    import {name}\n"),
            _ => format!("import {name} as alias; y = 1\n"),
        };
        text.push_str(&line);
    }
    text.into_bytes()
}

fn record(rng: &mut ChaCha8Rng) -> Record {
    let (name, _, _) = MODULES.choose(rng).expect("modules");
    let alias = rng.gen_bool(0.3).then(|| "k".to_string());
    match rng.gen_range(0..10) {
        0..=4 => Record { kind: RecordKind::Import, module: name.to_string(), name: None, asname: alias },
        5..=7 => Record { kind: RecordKind::From, module: name.to_string(), name: Some("x".into()), asname: alias },
        8 => Record { kind: RecordKind::Star, module: name.to_string(), name: None, asname: None },
        _ => Record { kind: RecordKind::From, module: name.to_string(), name: None, asname: None }, // not validated
    }
}

fn host(rng: &mut ChaCha8Rng) -> &'static dyn HostParser {
    *[&EngineVerdict as &dyn HostParser, &EngineVerdict, &Accept, &Marked, &Marked, &Marked, &Reject].choose(rng).expect("hosts")
}

/// What the documentation says the engine holds: journals in registration order, and the
/// modules attached to each namespace.
#[derive(Default, Clone, PartialEq, Debug)]
struct Model {
    journals: Vec<(NamespaceId, Vec<Record>)>,
    attached: HashMap<NamespaceId, Vec<String>>,
}

type Snapshot = (Vec<ModuleStatus>, Vec<Vec<Record>>, Vec<String>);

struct Session<'a> {
    rng: &'a mut ChaCha8Rng,
    corpus: &'a Corpus,
    fs: &'a FuzzFs,
    engine: Engine<&'a FuzzFs>,
    model: Model,
    clock: i64,
    /// Whether writes were noted (such modules are examined at every sync from then on).
    noted: bool,
    host: &'static dyn HostParser,
}

const NAMESPACES: [NamespaceId; 3] = [1, 2, u64::MAX];

/// Runs one session of random calls (see the module documentation).
pub fn session_case(rng: &mut ChaCha8Rng, corpus: &Corpus) -> Outcome {
    let fs = FuzzFs::default();
    let workspace: Vec<String> = WORKSPACES.choose(rng).expect("workspaces").iter().map(|s| s.to_string()).collect();
    let (major, minor) = *[(3, 10), (3, 12), (3, 14)].choose(rng).expect("versions");
    let host = host(rng);
    let mut session = Session {
        rng,
        corpus,
        fs: &fs,
        engine: Engine::with_system(workspace, python_version(major, minor), &fs),
        model: Model::default(),
        clock: 1_000,
        noted: false,
        host,
    };
    for (name, file, _) in MODULES {
        if let Some(file) = file {
            if session.rng.gen_bool(0.8) {
                session.write(file, name);
            }
        }
    }
    let steps = session.rng.gen_range(4..24);
    for step in 0..steps {
        session.step().map_err(|e| format!("step {step}: {e}"))?;
        session.check_state().map_err(|e| format!("after step {step}: {e}"))?;
    }
    session.fixpoint()
}

impl Session<'_> {
    fn write(&mut self, file: &str, _name: &str) {
        let contents = module_source(self.rng, self.corpus);
        if !self.rng.gen_bool(0.1) {
            self.clock += self.rng.gen_range(1..3);
        }
        self.fs.history.borrow_mut().entry(file.to_string()).or_default().push(contents.clone());
        let mut mtime = Mtime(i128::from(self.clock) * 1_000_000_000);
        if self.rng.gen_bool(0.03) {
            mtime = *[Mtime(0), Mtime(-1), Mtime(-1_500_000_000), Mtime(i128::MIN), Mtime(i128::MAX)].choose(self.rng).expect("mtimes");
        }
        self.fs.files.borrow_mut().insert(file.to_string(), (mtime, contents));
    }

    fn snapshot(&self) -> Snapshot {
        let journals = NAMESPACES.iter().map(|&ns| self.engine.journal(ns)).collect();
        (self.engine.status(None).0, journals, self.engine.untracked_dependencies())
    }

    fn paths(&mut self) -> Vec<String> {
        let n = self.rng.gen_range(0..3);
        (0..n).map(|_| PATHS.choose(self.rng).expect("paths").to_string()).collect()
    }

    fn step(&mut self) -> Outcome {
        self.host = if self.rng.gen_bool(0.2) { host(self.rng) } else { self.host };
        match self.rng.gen_range(0..25) {
            0..=3 => self.register(),
            4 | 5 => {
                let mut specs: Vec<ModuleSpec> = Vec::new();
                for name in self.engine.untracked_dependencies() {
                    if let Some(i) = MODULES.iter().position(|m| m.0 == name) {
                        specs.push(spec(self.rng, i));
                    }
                }
                if self.rng.gen_bool(0.3) {
                    let i = self.rng.gen_range(0..MODULES.len());
                    specs.push(spec(self.rng, i));
                }
                let before = self.engine.tracked_count();
                let (wanted, errors) = self.engine.track_indirect(&specs, self.host);
                ensure!(wanted.windows(2).all(|w| w[0] < w[1]), "track_indirect: wanted not sorted and unique: {wanted:?}");
                let status = self.engine.status(None).0;
                ensure!(wanted.iter().all(|w| !status.iter().any(|m| &m.name == w)), "track_indirect: a wanted module is tracked");
                for error in &errors {
                    ensure!(specs.iter().any(|s| s.name == error.module), "track_indirect: error for an unknown module {}", error.module);
                    // (Unless another spec of the same name, from another file, could be tracked.)
                    let once = specs.iter().filter(|s| s.name == error.module).count() == 1;
                    ensure!(
                        !once || !status.iter().any(|m| m.name == error.module),
                        "track_indirect: {} tracked despite its error",
                        error.module
                    );
                }
                ensure!(self.engine.tracked_count() >= before, "track_indirect untracked a module");
                Ok(())
            }
            6..=9 => {
                let (name, file, _) = MODULES[self.rng.gen_range(0..MODULES.len())];
                if let Some(file) = file {
                    self.write(file, name);
                }
                Ok(())
            }
            10 => {
                let path = PATHS.choose(self.rng).expect("paths");
                self.fs.files.borrow_mut().retain(|file, _| !Path::new(file).starts_with(path));
                Ok(())
            }
            11 | 12 => {
                let paths = self.paths();
                let marked = self.engine.mark_dirty(&paths);
                let expected = self.under(&paths).len();
                ensure!(marked == expected, "mark_dirty({paths:?}) marked {marked}, {expected} tracked files are there");
                Ok(())
            }
            13 => {
                let paths = self.paths();
                let marked = self.engine.mark_missing(&paths);
                let under = self.under(&paths);
                ensure!(marked == under.len(), "mark_missing({paths:?}) marked {marked}, {} tracked files are there", under.len());
                let status = self.engine.status(None).0;
                ensure!(
                    status.iter().filter(|m| under.contains(&m.name)).all(|m| m.mtime.is_none()),
                    "mark_missing: a module still has an mtime"
                );
                Ok(())
            }
            14 => {
                let paths: Vec<PathBuf> = self.paths().into_iter().map(PathBuf::from).collect();
                let overflow = self.rng.gen_bool(0.1);
                self.noted |= overflow || !paths.is_empty();
                self.engine.note_writes(Noted { paths, overflow });
                Ok(())
            }
            18 => {
                // What the audit hook reports (process-wide notes, as the bindings take them):
                // written paths, relative and odd ones too, and module sources compiled and run.
                let path = *["/w/a.py", "/w/pkg", "w/a.py", "", "..", "/w/./pkg/../a.py", "/w/pkg/m.py"].choose(self.rng).expect("paths");
                match self.rng.gen_range(0..4) {
                    0 => writes::note(Path::new(path)),
                    1 => writes::note_unknown(),
                    _ => {
                        let contents = self.fs.files.borrow().get(path).map(|(_, b)| b.clone()).unwrap_or_default();
                        compiled::note_compile(Path::new(path), &contents);
                        if self.rng.gen_bool(0.8) {
                            compiled::note_exec(Path::new(path));
                        }
                    }
                }
                self.noted = true;
                self.engine.note_writes(writes::take());
                Ok(())
            }
            15 => {
                let workspace: Vec<String> = WORKSPACES.choose(self.rng).expect("workspaces").iter().map(|s| s.to_string()).collect();
                self.engine.set_workspace(workspace.clone());
                ensure!(self.engine.workspace() == workspace, "workspace() != set_workspace()");
                Ok(())
            }
            16 => {
                let taken = self.engine.take_missing();
                let status = self.engine.status(None).0;
                for (i, (name, file)) in taken.iter().enumerate() {
                    ensure!(!taken[..i].iter().any(|(n, _)| n == name), "take_missing: {name} twice");
                    let module = status.iter().find(|m| &m.name == name);
                    ensure!(
                        module.is_some_and(|m| m.file.as_ref() == Some(file) && m.mtime.is_none()),
                        "take_missing: {name} ({file}) is not a tracked module without its file"
                    );
                }
                Ok(())
            }
            17 => {
                let ns = *NAMESPACES.choose(self.rng).expect("namespaces");
                let statements = self.engine.status(Some(ns)).1;
                let expected: Vec<String> = self.engine.journal(ns).iter().map(Record::statement).collect();
                ensure!(statements == expected, "status statements {statements:?} != journal {expected:?}");
                Ok(())
            }
            _ => self.sync(),
        }
    }

    /// Names of the tracked modules whose file is at or under one of `paths`.
    fn under(&self, paths: &[String]) -> Vec<String> {
        let status = self.engine.status(None).0;
        status
            .into_iter()
            .filter(|m| m.file.as_ref().is_some_and(|f| paths.iter().any(|p| Path::new(f).starts_with(p))))
            .map(|m| m.name)
            .collect()
    }

    fn register(&mut self) -> Outcome {
        let ns = *NAMESPACES.choose(self.rng).expect("namespaces");
        let records: Vec<Record> = (0..self.rng.gen_range(0..4)).map(|_| record(self.rng)).collect();
        let mut specs: Vec<ModuleSpec> = Vec::new();
        for r in &records {
            if let Some(i) = MODULES.iter().position(|m| m.0 == r.module) {
                if self.rng.gen_bool(0.9) {
                    specs.push(spec(self.rng, i));
                }
            }
        }
        let clear = self.rng.gen_bool(0.2);
        let before = self.snapshot();
        match self.engine.register(ns, &records, &specs, clear, self.host) {
            Err(error) => {
                stats::count(stats::REGISTER_ERRORS);
                ensure!(self.snapshot() == before, "register failed ({error}) but changed the engine");
                ensure!(specs.iter().any(|s| s.name == error.module), "register: error for an unknown module {}", error.module);
                ensure!(error.to_string().contains(&error.module), "error message {error} does not name its module");
                if let AnalysisCause::Syntax(info) = &error.cause {
                    let file = Some(info.filename.clone());
                    ensure!(
                        specs.iter().any(|s| s.name == error.module && s.file == file),
                        "register: error in {file:?}, no file of {}",
                        error.module
                    );
                    let contents = self.fs.files.borrow().get(&info.filename).map(|(_, b)| String::from_utf8_lossy(b).into_owned());
                    check_location(info, &contents.unwrap_or_default(), &info.filename)?;
                }
            }
            Ok(()) => {
                if clear {
                    self.model.journals.retain(|(id, _)| *id != ns);
                    self.model.attached.remove(&ns);
                }
                if !records.is_empty() {
                    let position = self.model.journals.iter().position(|(id, _)| *id == ns);
                    let journal = match position {
                        Some(i) => &mut self.model.journals[i].1,
                        None => {
                            self.model.journals.push((ns, Vec::new()));
                            &mut self.model.journals.last_mut().expect("pushed").1
                        }
                    };
                    journal.retain(|r| !records.contains(r));
                    for (i, record) in records.iter().enumerate() {
                        if !records[i + 1..].contains(record) {
                            journal.push(record.clone());
                        }
                    }
                    let attached = self.model.attached.entry(ns).or_default();
                    for s in &specs {
                        if !attached.contains(&s.name) {
                            attached.push(s.name.clone());
                        }
                    }
                }
                let status = self.engine.status(None).0;
                ensure!(specs.iter().all(|s| status.iter().any(|m| m.name == s.name)), "register: a module is not tracked");
            }
        }
        Ok(())
    }

    /// Invariants of the state after any call.
    fn check_state(&self) -> Outcome {
        for ns in NAMESPACES {
            let expected = self.model.journals.iter().find(|(id, _)| *id == ns).map(|(_, j)| j.clone()).unwrap_or_default();
            ensure!(self.engine.journal(ns) == expected, "journal({ns}) {:?} != {expected:?}", self.engine.journal(ns));
        }
        let (status, statements) = self.engine.status(None);
        ensure!(statements.is_empty(), "status(None) has statements");
        ensure!(status.len() == self.engine.tracked_count(), "tracked_count() != status length");
        for (i, module) in status.iter().enumerate() {
            ensure!(!status[..i].iter().any(|m| m.name == module.name), "{} tracked twice", module.name);
            let direct = self.model.attached.values().any(|a| a.contains(&module.name));
            ensure!(module.direct == direct, "{}: direct = {}, attached in the model: {direct}", module.name, module.direct);
            ensure!(module.mtime.is_none_or(f64::is_finite), "{}: mtime {:?}", module.name, module.mtime);
            for importer in &module.imported_by {
                ensure!(importer != &module.name && status.iter().any(|m| &m.name == importer), "{}: imported_by {importer}", module.name);
            }
        }
        let untracked = self.engine.untracked_dependencies();
        ensure!(untracked.windows(2).all(|w| w[0] < w[1]), "untracked dependencies not sorted and unique: {untracked:?}");
        ensure!(untracked.iter().all(|u| !status.iter().any(|m| &m.name == u)), "an untracked dependency is tracked");
        Ok(())
    }

    fn sync(&mut self) -> Outcome {
        if self.rng.gen_bool(0.5) {
            // Edit a tracked module first (the common case: a user edits what they imported).
            let status = self.engine.status(None).0;
            if let Some(module) = status.choose(self.rng) {
                if let Some(file) = module.file.clone() {
                    self.write(&file, "");
                }
            }
        }
        let full = self.rng.gen_bool(0.7);
        let plan = self.engine.plan_sync(full, self.host);
        self.check_plan(&plan)?;
        if self.rng.gen_bool(0.7) {
            let mut names: Vec<String> = plan.entries.iter().map(|e| e.module.clone()).collect();
            if self.rng.gen_bool(0.3) {
                names.retain(|_| self.rng.gen_bool(0.5));
                names.push("not.tracked".into());
            }
            self.engine.commit(&names);
        }
        Ok(())
    }

    /// The plan's documented shape, and its reload order against the dependencies.
    fn check_plan(&self, plan: &Plan) -> Outcome {
        let status = self.engine.status(None).0;
        let tracked = |name: &str| status.iter().position(|m| m.name == name);
        stats::count(stats::PLANS);
        if !plan.entries.is_empty() {
            stats::count(stats::RELOADS);
        }
        if !plan.errors.is_empty() {
            stats::count(stats::PLAN_ERRORS);
            ensure!(plan.entries.is_empty() && plan.namespaces.is_empty(), "a plan with errors schedules reloads");
            let mut last = None;
            for error in &plan.errors {
                let at = tracked(&error.module);
                ensure!(at.is_some() && at > last, "plan errors not of tracked modules in tracking order: {:?}", plan.errors);
                last = at;
                ensure!(error.to_string().contains(&error.module), "error message {error} does not name its module");
                if let AnalysisCause::Syntax(info) = &error.cause {
                    let file = status[at.expect("tracked")].file.clone().unwrap_or_default();
                    self.fs.located(info, &file)?;
                }
            }
            return Ok(());
        }
        // imports[i] = indices of the tracked modules module i imports.
        let mut imports: Vec<Vec<usize>> = vec![Vec::new(); status.len()];
        for (d, module) in status.iter().enumerate() {
            for importer in &module.imported_by {
                imports[tracked(importer).expect("tracked importer")].push(d);
            }
        }
        let reaches = |from: usize, to: usize| {
            let mut seen = vec![false; status.len()];
            let mut stack = vec![from];
            while let Some(n) = stack.pop() {
                if n == to {
                    return true;
                }
                if !std::mem::replace(&mut seen[n], true) {
                    stack.extend(&imports[n]);
                }
            }
            false
        };
        let position: HashMap<&str, usize> = plan.entries.iter().enumerate().map(|(i, e)| (e.module.as_str(), i)).collect();
        ensure!(position.len() == plan.entries.len(), "a module is scheduled twice");
        for (i, entry) in plan.entries.iter().enumerate() {
            let Some(me) = tracked(&entry.module) else { return Err(format!("untracked module {} scheduled", entry.module)) };
            ensure!(status[me].file.is_some(), "{} has no source file but reloads", entry.module);
            ensure!(entry.mtime.is_finite(), "{}: planned mtime {}", entry.module, entry.mtime);
            ensure!(entry.reason == Reason::Modified || !entry.after.is_empty(), "{} reloads as a dependent of nothing", entry.module);
            for dep in &entry.after {
                let earlier = position.get(dep.as_str()).is_some_and(|&p| p < i);
                let imported = tracked(dep).is_some_and(|d| imports[me].contains(&d));
                ensure!(earlier && imported, "{}: after {dep}, which it does not import or which reloads later", entry.module);
            }
            // Dependencies first, except where an import closes a cycle.
            for &d in &imports[me] {
                if let Some(&p) = position.get(status[d].name.as_str()) {
                    ensure!(p < i || reaches(d, me), "{} reloads before its dependency {}", entry.module, status[d].name);
                }
            }
        }
        let mut seen = Vec::new();
        for namespace in &plan.namespaces {
            ensure!(!seen.contains(&namespace.id), "namespace {} twice", namespace.id);
            seen.push(namespace.id);
            ensure!(namespace.records == self.engine.journal(namespace.id), "namespace {}: records != journal", namespace.id);
            let mut expected: Vec<String> = self.model.attached.get(&namespace.id).cloned().unwrap_or_default();
            expected.sort_by_key(|n| tracked(n));
            ensure!(namespace.attached == expected, "namespace {}: attached {:?} != {expected:?}", namespace.id, namespace.attached);
        }
        let expected: Vec<NamespaceId> = self
            .model
            .journals
            .iter()
            .map(|(id, _)| *id)
            .filter(|id| self.model.attached.get(id).is_some_and(|a| a.iter().any(|m| position.contains_key(m.as_str()))))
            .collect();
        ensure!(seen == expected, "plan namespaces {seen:?} != affected namespaces {expected:?}");
        Ok(())
    }

    /// With files left alone, planning twice gives the same plan, and once its reloads are
    /// committed, nothing is left to reload.
    fn fixpoint(&mut self) -> Outcome {
        let first = self.engine.plan_sync(true, self.host);
        self.check_plan(&first)?;
        let second = self.engine.plan_sync(true, self.host);
        ensure!(first == second, "planning again without changes gives another plan:\n{first:?}\n{second:?}");
        if first.errors.is_empty() {
            let names: Vec<String> = first.entries.iter().map(|e| e.module.clone()).collect();
            self.engine.commit(&names);
            let third = self.engine.plan_sync(true, self.host);
            ensure!(third == Plan::default(), "after committing every reload, the next sync plans {third:?}");
            let reads = self.fs.reads.get();
            if !self.noted {
                let quiet = self.engine.plan_sync(false, self.host);
                ensure!(
                    quiet == Plan::default() && self.fs.reads.get() == reads,
                    "a sync with nothing marked read files or planned {quiet:?}"
                );
            }
        }
        Ok(())
    }
}
