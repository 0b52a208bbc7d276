//! The engine's data: the modules it is given, and the plans, errors and status it gives back
//! ([`crate::engine::Engine`]; re-exported there). `python/liveimport/_engine.pyi` gives their
//! Python shapes.

use std::fmt;

use crate::analysis::AnalysisCause;
use crate::records::Record;

/// Identifies a namespace (Python: `id(namespace)`).
pub type NamespaceId = u64;

/// A module to track: its name, the absolute path of its `.py` source file (if it has one) and
/// its parent package (`""` for a top-level module).
///
/// A module without a source file (built-in, frozen, extension module, zip-imported, namespace
/// package: LiveImport 1.3.1's `_locate` gives no file unless `__spec__.origin` ends in `.py`)
/// is tracked too: it is never examined, never reloads and has no dependencies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleSpec {
    /// Fully qualified module name.
    pub name: String,
    /// Absolute, normalised path of the source file; `None` for a module without one.
    pub file: Option<String>,
    /// `__spec__.parent`: the package relative imports resolve against.
    pub package: String,
}

/// A module's source could not be analysed (decoded or parsed, see [`crate::analysis`]):
/// LiveImport's `ModuleError(module, "analysis")`.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalysisError {
    /// The module's name.
    pub module: String,
    /// What is wrong, located in the module's file.
    pub cause: AnalysisCause,
}

impl fmt::Display for AnalysisError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Analysis of {} failed: {}", self.module, self.cause)
    }
}

/// Why a module reloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Its source file's mtime changed.
    Modified,
    /// Only because modules it depends on reload.
    Dependent,
}

impl Reason {
    /// `"modified"` or `"dependent"`, as `ReloadEvent.reason`.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Modified => "modified",
            Reason::Dependent => "dependent",
        }
    }
}

/// One reload of a sync plan.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanEntry {
    /// The module to reload.
    pub module: String,
    /// Why it reloads.
    pub reason: Reason,
    /// Its source file's mtime, seconds since the epoch.
    pub mtime: f64,
    /// Scheduled modules it depends on, in reload order.
    pub after: Vec<String>,
}

/// A namespace affected by a sync plan.
#[derive(Debug, Clone, PartialEq)]
pub struct AffectedNamespace {
    /// The namespace.
    pub id: NamespaceId,
    /// All modules attached to it (named by its registered statements), in tracking order.
    pub attached: Vec<String>,
    /// Its records in replay order.
    pub records: Vec<Record>,
}

/// A sync plan: reloads in order and the namespaces to rebind; or, when a modified module cannot
/// be analysed, only the analysis errors (nothing may reload then: LiveImport analyses every
/// modified module before reloading any).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    /// The modified modules whose new source cannot be analysed, in tracking order; when not
    /// empty, `entries` and `namespaces` are.
    pub errors: Vec<AnalysisError>,
    /// Reloads, dependencies first.
    pub entries: Vec<PlanEntry>,
    /// Namespaces attached to a scheduled module, in registration order.
    pub namespaces: Vec<AffectedNamespace>,
}

/// One tracked module in a [`crate::engine::Engine::status`] snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct ModuleStatus {
    /// Module name.
    pub name: String,
    /// Source file; `None` for a module without one.
    pub file: Option<String>,
    /// Last seen mtime (seconds since the epoch); `None` if the file was missing at the last
    /// stat or was reported gone ([`crate::engine::Engine::mark_missing`]), or there is none.
    pub mtime: Option<f64>,
    /// Whether a registered statement names it.
    pub direct: bool,
    /// Tracked modules importing it, in tracking order.
    pub imported_by: Vec<String>,
}
