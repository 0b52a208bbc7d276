//! The engine state: tracked modules, the workspace and the registrations of each namespace.
//!
//! The Python side (`liveimport._core`) looks modules up in `sys.modules`, validates
//! registrations against namespaces, reloads and rebinds; everything else happens here, in
//! coarse calls (one per registration step or sync). See `python/liveimport/_engine.pyi` for
//! the contract as Python sees it.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use indexmap::IndexMap;

use ruff_python_ast::PythonVersion;

use crate::analysis::{Confirm, HostParser};
use crate::graph::{self, Node};
use crate::mtime::Mtime;
use crate::records::{Journal, Record};
use crate::source_read::{analyze, analyze_bytes};
use crate::system::{OsSystem, System};
use crate::writes::Noted;

pub use crate::shapes::{AffectedNamespace, AnalysisError, ModuleSpec, ModuleStatus, NamespaceId, Plan, PlanEntry, Reason};

#[derive(Debug, Clone)]
struct Tracked {
    file: Option<String>,
    package: String,
    /// The mtime last seen by a successful reload or at tracking; `None` = file missing.
    seen: Option<Mtime>,
    /// The mtime of the last stat; `deps` were analysed at it.
    current: Option<Mtime>,
    /// Whether the source file existed at the last stat.
    present: bool,
    /// Whether the frontend reported a change since the last stat (see [`Engine::mark_dirty`]).
    dirty: bool,
    /// Whether code in this interpreter wrote the file (see [`Engine::note_writes`]): examined
    /// at every sync from then on.
    written: bool,
    deps: Vec<String>,
    attached: BTreeSet<NamespaceId>,
    /// Why the source at mtime `current` cannot be analysed (cleared when a later one can).
    error: Option<AnalysisError>,
    /// The source a [`Engine::plan_sync`] read and analysed at mtime `current` (with the mtime of
    /// that read), until [`Engine::take_sources`] hands it out (see there).
    kept: Option<(Mtime, Vec<u8>)>,
}

impl Tracked {
    fn new(spec: &ModuleSpec, mtime: Option<Mtime>, deps: Vec<String>, attached: BTreeSet<NamespaceId>) -> Self {
        Tracked {
            file: spec.file.clone(),
            package: spec.package.clone(),
            seen: mtime,
            current: mtime,
            present: mtime.is_some(),
            dirty: false,
            written: false,
            deps,
            attached,
            error: None,
            kept: None,
        }
    }

    /// The source file, for a module with one.
    fn path(&self) -> Option<&Path> {
        self.file.as_deref().map(Path::new)
    }

    fn modified(&self) -> bool {
        self.current.is_some() && self.current != self.seen
    }
}

/// All LiveImport state of one interpreter. Source files are read through `S`
/// ([`crate::system`]): `std::fs` by default.
#[derive(Debug, Default)]
pub struct Engine<S = OsSystem> {
    system: S,
    modules: IndexMap<String, Tracked>,
    workspace: Vec<PathBuf>,
    namespaces: IndexMap<NamespaceId, Journal>,
    /// The next [`Engine::plan_sync`] examines every module (noted writes overflowed).
    examine_all: bool,
    /// The running Python's version: syntax it does not have is an analysis error.
    version: PythonVersion,
    /// Modules whose source file was found missing after having existed, not yet handed out by
    /// [`Engine::take_missing`], in the order found.
    gone: Vec<String>,
    /// How many noted writes changed a path that is not a tracked module's source file
    /// ([`Engine::other_writes`]).
    other_writes: u64,
}

impl Engine {
    /// A fresh engine reading files with `std::fs`, whose workspace is `workspace` (absolute,
    /// normalised directories), for sources of Python `version`.
    pub fn new(workspace: Vec<String>, version: PythonVersion) -> Self {
        Engine::with_system(workspace, version, OsSystem)
    }
}

impl<S: System> Engine<S> {
    /// A fresh engine reading files through `system` (see [`Engine::new`]).
    pub fn with_system(workspace: Vec<String>, version: PythonVersion, system: S) -> Self {
        Engine {
            system,
            modules: IndexMap::new(),
            workspace: workspace.into_iter().map(PathBuf::from).collect(),
            namespaces: IndexMap::new(),
            examine_all: false,
            version,
            gone: Vec::new(),
            other_writes: 0,
        }
    }

    /// The system the engine reads files through.
    pub fn system(&self) -> &S {
        &self.system
    }

    /// Replaces the workspace. Tracking decisions already made stay; sync considers an
    /// indirectly tracked module only while its file is in the workspace.
    pub fn set_workspace(&mut self, directories: Vec<String>) {
        self.workspace = directories.into_iter().map(PathBuf::from).collect();
    }

    /// The workspace directories, in the order given.
    pub fn workspace(&self) -> Vec<String> {
        self.workspace.iter().map(|p| p.to_string_lossy().into_owned()).collect()
    }

    fn in_workspace(&self, file: Option<&str>) -> bool {
        file.is_some_and(|file| self.workspace.iter().any(|dir| Path::new(file).starts_with(dir)))
    }

    /// Registers validated `records` for namespace `ns`, attaching `modules` (tracking the
    /// untracked ones: one stat and one read of each source, or only the stat when CPython just
    /// imported it and its source is kept ([`crate::compiled`]); analysed with
    /// [`Confirm::OnError`]). With `clear`, the namespace's journal and attachments are discarded
    /// first. Atomic: on an [`AnalysisError`] nothing changes.
    pub fn register(
        &mut self,
        ns: NamespaceId,
        records: &[Record],
        modules: &[ModuleSpec],
        clear: bool,
        host: &dyn HostParser,
    ) -> Result<(), AnalysisError> {
        let mut fresh: Vec<(&ModuleSpec, Option<Mtime>, Vec<String>)> = Vec::new();
        for spec in modules {
            let known = self.modules.get(&spec.name).is_some_and(|t| t.file == spec.file && t.package == spec.package);
            if !known && !fresh.iter().any(|(s, _, _)| s.name == spec.name) {
                let (mtime, deps) =
                    analyze(&self.system, &spec.name, spec.file.as_deref(), &spec.package, self.version, host, Confirm::OnError)?;
                fresh.push((spec, mtime, deps));
            }
        }
        if clear {
            self.namespaces.shift_remove(&ns);
            for tracked in self.modules.values_mut() {
                tracked.attached.remove(&ns);
            }
        }
        for (spec, mtime, deps) in fresh {
            let attached = self.modules.get(&spec.name).map(|t| t.attached.clone()).unwrap_or_default();
            self.modules.insert(spec.name.clone(), Tracked::new(spec, mtime, deps, attached));
        }
        if records.is_empty() {
            return Ok(());
        }
        for spec in modules {
            if let Some(tracked) = self.modules.get_mut(&spec.name) {
                tracked.attached.insert(ns);
            }
        }
        self.namespaces.entry(ns).or_default().extend(records);
        Ok(())
    }

    /// Possible dependencies of all tracked modules that are not tracked, sorted.
    pub fn untracked_dependencies(&self) -> Vec<String> {
        self.untracked_of(self.modules.keys())
    }

    fn untracked_of<'a>(&self, names: impl Iterator<Item = &'a String>) -> Vec<String> {
        let mut wanted = BTreeSet::new();
        for name in names {
            if let Some(tracked) = self.modules.get(name) {
                for dep in &tracked.deps {
                    if !self.modules.contains_key(dep) {
                        wanted.insert(dep.clone());
                    }
                }
            }
        }
        wanted.into_iter().collect()
    }

    /// Tracks those of `modules` that are untracked and whose file is in the workspace. Returns
    /// the untracked dependencies of the newly tracked modules, and the analysis errors of those
    /// that could not be tracked (they stay untracked).
    pub fn track_indirect(&mut self, modules: &[ModuleSpec], host: &dyn HostParser) -> (Vec<String>, Vec<AnalysisError>) {
        let mut added = Vec::new();
        let mut errors = Vec::new();
        for spec in modules {
            if self.modules.contains_key(&spec.name) || !self.in_workspace(spec.file.as_deref()) {
                continue;
            }
            match analyze(&self.system, &spec.name, spec.file.as_deref(), &spec.package, self.version, host, Confirm::OnError) {
                Ok((mtime, deps)) => {
                    self.modules.insert(spec.name.clone(), Tracked::new(spec, mtime, deps, BTreeSet::new()));
                    added.push(spec.name.clone());
                }
                Err(error) => errors.push(error),
            }
        }
        (self.untracked_of(added.iter()), errors)
    }

    /// Marks the tracked modules whose source file is one of `paths`, or lies under one of them
    /// (a renamed or deleted directory), as changed: the next [`Engine::plan_sync`] without
    /// `full` stats them. Returns how many modules were marked.
    pub fn mark_dirty(&mut self, paths: &[String]) -> usize {
        let mut marked = 0;
        for tracked in self.modules.values_mut() {
            if tracked.path().is_some_and(|file| paths.iter().any(|p| file.starts_with(p))) {
                tracked.dirty = true;
                marked += 1;
            }
        }
        marked
    }

    /// Records that the source files at or under `paths` no longer exist (the frontend reported
    /// them deleted or renamed away), without examining them: the modules are treated as having a
    /// missing file (skipped by sync, `None` mtime in [`Engine::status`]) until a later stat
    /// finds the file again, e.g. after [`Engine::mark_dirty`] of a re-created file. Returns how
    /// many modules were marked. Those whose file existed until now are handed out by
    /// [`Engine::take_missing`].
    pub fn mark_missing(&mut self, paths: &[String]) -> usize {
        let mut marked = 0;
        for (name, tracked) in self.modules.iter_mut() {
            if tracked.path().is_some_and(|file| paths.iter().any(|p| file.starts_with(p))) {
                if tracked.present && !self.gone.contains(name) {
                    self.gone.push(name.clone());
                }
                tracked.present = false;
                tracked.dirty = false;
                marked += 1;
            }
        }
        marked
    }

    /// The modules whose source file disappeared (found missing by [`Engine::plan_sync`], or
    /// reported by [`Engine::mark_missing`]) since the last call, as `(name, file)` in the order
    /// found; each disappearance is handed out once. A file that came back before the call is
    /// left out.
    pub fn take_missing(&mut self) -> Vec<(String, String)> {
        std::mem::take(&mut self.gone)
            .into_iter()
            .filter_map(|name| {
                let tracked = self.modules.get(&name).filter(|t| !t.present)?;
                Some((name.clone(), tracked.file.clone()?))
            })
            .collect()
    }

    /// Takes note of files changed by code in this interpreter ([`crate::writes::take`]): the
    /// tracked modules at or under `noted.paths` are examined at every later sync, even without
    /// `full`; an overflowing note makes the next sync examine every module once.
    pub fn note_writes(&mut self, noted: Noted) {
        if noted.overflow {
            self.examine_all = true;
            self.other_writes += 1;
            crate::compiled::forget_kept(None);
        }
        for path in &noted.paths {
            crate::compiled::forget_kept(Some(path));
        }
        if noted.paths.is_empty() {
            return;
        }
        // O(1) per noted path: a cell may write thousands of data files.
        let files: HashMap<&Path, usize> = self.modules.values().enumerate().filter_map(|(i, t)| Some((t.path()?, i))).collect();
        let directories: HashSet<&Path> =
            self.modules.values().filter_map(Tracked::path).flat_map(|file| file.ancestors().skip(1)).collect();
        let mut hits: Vec<usize> = Vec::new();
        for path in &noted.paths {
            if let Some(&i) = files.get(path.as_path()) {
                hits.push(i);
                continue;
            }
            self.other_writes += 1;
            if directories.contains(path.as_path()) {
                // A directory (renamed or removed): every tracked file under it.
                hits.extend(
                    self.modules.values().enumerate().filter(|(_, t)| t.path().is_some_and(|f| f.starts_with(path))).map(|(i, _)| i),
                );
            }
        }
        for i in hits {
            if let Some((_, tracked)) = self.modules.get_index_mut(i) {
                tracked.written = true;
            }
        }
    }

    /// Detects modified modules and schedules reloads.
    ///
    /// With `full`, stats every eligible tracked module (attached, or in the workspace); without
    /// it, stats only those marked by [`Engine::mark_dirty`] or written by code in this
    /// interpreter ([`Engine::note_writes`]) and trusts the last stat of the others, so nothing
    /// is read when nothing is marked. Modules without a source file are never examined. A
    /// module whose mtime changed since the last stat is re-analysed (one read, with
    /// [`Confirm::Always`]); when its new source cannot be analysed it keeps its previous
    /// dependencies and the plan holds only the analysis errors of every such modified module
    /// (until a later source can be analysed). Changes nothing that [`Engine::commit`] would, so
    /// uncommitted reloads are planned again.
    pub fn plan_sync(&mut self, full: bool, host: &dyn HostParser) -> Plan {
        let full = full || std::mem::take(&mut self.examine_all);
        let version = self.version;
        let mut eligible = vec![false; self.modules.len()];
        for (i, (name, tracked)) in self.modules.iter_mut().enumerate() {
            // Disjoint field borrows: no copy of the path per module and sync (a hot path).
            let Some(file) = tracked.file.as_deref() else { continue };
            let considered = !tracked.attached.is_empty() || self.workspace.iter().any(|d| Path::new(file).starts_with(d));
            if !considered {
                continue;
            }
            if full || tracked.dirty || tracked.written {
                // A file the page reported changed is read at once: its mtime from the read (one
                // open and its fstat), not from a stat before it. Others are stat'ed first.
                let (now, read) = if tracked.dirty {
                    match self.system.read_source(file) {
                        Some((mtime, bytes)) => (Some(mtime), Some((mtime, bytes))),
                        None => (None, None),
                    }
                } else {
                    (self.system.read_mtime(file), None)
                };
                tracked.dirty = false;
                if tracked.present && now.is_none() && !self.gone.contains(name) {
                    self.gone.push(name.clone());
                }
                tracked.present = now.is_some();
                if now.is_none() {
                    tracked.kept = None;
                }
                if now.is_some() && tracked.current != now {
                    tracked.current = now;
                    tracked.kept = None;
                    let analysed = match read.or_else(|| self.system.read_source(file)) {
                        None => Ok(Vec::new()),
                        Some((mtime, bytes)) => {
                            let deps = analyze_bytes(name, file, bytes.clone(), &tracked.package, version, host, Confirm::Always);
                            if deps.is_ok() {
                                tracked.kept = Some((mtime, bytes));
                            }
                            deps
                        }
                    };
                    match analysed {
                        Ok(deps) => {
                            tracked.deps = deps;
                            tracked.error = None;
                        }
                        Err(error) => tracked.error = Some(error),
                    }
                }
            }
            eligible[i] = tracked.present;
        }
        let errors: Vec<AnalysisError> =
            self.modules.values().zip(&eligible).filter(|(t, &e)| e && t.modified()).filter_map(|(t, _)| t.error.clone()).collect();
        if !errors.is_empty() {
            return Plan { errors, ..Plan::default() };
        }
        if !self.modules.values().zip(&eligible).any(|(t, &e)| e && t.modified()) {
            return Plan::default();
        }
        let nodes: Vec<Node> = self
            .modules
            .values()
            .zip(&eligible)
            .map(|(t, &eligible)| Node {
                deps: t.deps.iter().filter_map(|d| self.modules.get_index_of(d)).collect(),
                eligible,
                attached: !t.attached.is_empty(),
                modified: t.modified(),
            })
            .collect();
        let scheduled = graph::schedule(&nodes);
        let name_of = |i: usize| self.modules.get_index(i).map(|(n, _)| n.clone()).unwrap_or_default();
        let mut affected: BTreeSet<usize> = BTreeSet::new();
        let entries = scheduled
            .iter()
            .map(|s| {
                let (_, tracked) = self.modules.get_index(s.module).expect("scheduled index is tracked");
                for ns in &tracked.attached {
                    if let Some(position) = self.namespaces.get_index_of(ns) {
                        affected.insert(position);
                    }
                }
                PlanEntry {
                    module: name_of(s.module),
                    reason: if tracked.modified() { Reason::Modified } else { Reason::Dependent },
                    mtime: tracked.current.or(tracked.seen).map(Mtime::seconds).unwrap_or(f64::NAN),
                    after: s.after.iter().map(|&i| name_of(i)).collect(),
                }
            })
            .collect();
        let namespaces = affected
            .into_iter()
            .filter_map(|position| self.namespaces.get_index(position))
            .map(|(&id, journal)| AffectedNamespace {
                id,
                attached: self.modules.iter().filter(|(_, t)| t.attached.contains(&id)).map(|(n, _)| n.clone()).collect(),
                records: journal.records().to_vec(),
            })
            .collect();
        Plan { errors: Vec::new(), entries, namespaces }
    }

    /// The analysis errors the engine keeps: those of modified modules whose current source
    /// cannot be analysed, which every [`Engine::plan_sync`] reports again until the file
    /// changes. In tracking order.
    pub fn kept_errors(&self) -> impl Iterator<Item = &AnalysisError> {
        self.modules.values().filter_map(|t| t.error.as_ref())
    }

    /// Records the planned mtimes of `reloaded` modules as seen. Planned modules not committed
    /// stay modified, so the next sync retries them. Unknown names are ignored.
    pub fn commit(&mut self, reloaded: &[String]) {
        for name in reloaded {
            if let Some(tracked) = self.modules.get_mut(name) {
                tracked.seen = tracked.current;
                tracked.kept = None;
            }
        }
    }

    /// The sources [`Engine::plan_sync`] read and analysed, as `(module, file, mtime, bytes)` in
    /// tracking order: of each module found modified, its file and the new source read from it
    /// (the mtime read just before the bytes). Each is handed out once; one not taken is dropped when the module
    /// is committed, when a plan finds its file missing, or replaced when a plan finds a new
    /// mtime. A reload can run from these bytes instead of reading the file again
    /// (`liveimport._reload_source`): they are the source the plan analysed.
    pub fn take_sources(&mut self) -> Vec<(String, String, f64, Vec<u8>)> {
        self.modules
            .iter_mut()
            .filter_map(|(name, tracked)| {
                let (mtime, bytes) = tracked.kept.take()?;
                Some((name.clone(), tracked.file.clone()?, mtime.seconds(), bytes))
            })
            .collect()
    }

    /// How many writes by code in this interpreter ([`Engine::note_writes`]) changed a path
    /// other than a tracked module's source file (each such noted path counts, an overflowing
    /// note counts once), since the engine started. Such a write may have created a file that
    /// changes how a module is found (a package directory, a module shadowing another), so the
    /// import system's caches cannot be trusted once it grows.
    pub fn other_writes(&self) -> u64 {
        self.other_writes
    }

    /// The namespace's records in replay order (empty if it has none).
    pub fn journal(&self, ns: NamespaceId) -> Vec<Record> {
        self.namespaces.get(&ns).map(|j| j.records().to_vec()).unwrap_or_default()
    }

    /// How many modules are tracked (what [`Engine::status`] would list, without building it).
    pub fn tracked_count(&self) -> usize {
        self.modules.len()
    }

    /// Tracked modules in tracking order, and the canonical statements of namespace `ns` (none
    /// for `None`).
    pub fn status(&self, ns: Option<NamespaceId>) -> (Vec<ModuleStatus>, Vec<String>) {
        let mut importers: HashMap<&str, Vec<String>> = HashMap::new();
        for (name, tracked) in &self.modules {
            for dep in &tracked.deps {
                if self.modules.contains_key(dep) && dep != name {
                    let list = importers.entry(dep.as_str()).or_default();
                    if !list.contains(name) {
                        list.push(name.clone());
                    }
                }
            }
        }
        let modules = self
            .modules
            .iter()
            .map(|(name, t)| ModuleStatus {
                name: name.clone(),
                file: t.file.clone(),
                mtime: if t.present { t.seen.map(Mtime::seconds) } else { None },
                direct: !t.attached.is_empty(),
                imported_by: importers.remove(name.as_str()).unwrap_or_default(),
            })
            .collect();
        let statements = ns.map(|ns| self.journal(ns).iter().map(Record::statement).collect()).unwrap_or_default();
        (modules, statements)
    }
}

#[cfg(test)]
#[path = "engine_tests.rs"]
mod tests;
