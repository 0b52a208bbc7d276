//! The seed material of the fuzz harness: Python sources to mutate and splice.
//!
//! - the syntax snippets of the differential test (`tests/python/syntax_snippets.py`, read with
//!   the engine's own parser, `ruff_python_parser`: every string literal of the file but its
//!   docstring);
//! - the project's own Python files (`python/`, `tests/python/`, `autoload/`, `bench/`,
//!   `demo/`);
//! - a sample of the differential corpus, the running CPython's standard library (the
//!   directory in `$LIVEIMPORT_FUZZ_STDLIB`, else what `python3` reports; none when neither is
//!   there): every `STDLIB_STRIDE`-th `.py` file of at most `MAX_FILE` bytes, sorted by path.
//!
//! The corpus is the same for the same checkout and Python, so a seed reproduces a failure;
//! the harness also saves every failing input itself (see `main.rs`).

use std::path::{Path, PathBuf};

use ruff_python_ast::visitor::{walk_expr, Visitor};
use ruff_python_ast::{Expr, Stmt};

/// Files larger than this are not taken whole (sources are cut into pieces anyway).
const MAX_FILE: u64 = 64 * 1024;
/// Every how many standard library files one is taken.
const STDLIB_STRIDE: usize = 7;

/// The seed sources, and where they came from (for the run's report).
pub struct Corpus {
    /// The differential test's snippets.
    pub snippets: Vec<String>,
    /// Whole sources: the project's and the standard library sample.
    pub files: Vec<String>,
    /// `snippets: N, project files: N, stdlib files: N (DIR)`.
    pub summary: String,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

struct Strings(Vec<String>);

impl<'a> Visitor<'a> for Strings {
    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::StringLiteral(literal) = expr {
            self.0.push(literal.value.to_str().to_string());
        }
        walk_expr(self, expr);
    }
}

/// Every string literal of `syntax_snippets.py` outside its docstring.
fn snippets() -> Vec<String> {
    let path = root().join("tests/python/syntax_snippets.py");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let parsed = ruff_python_parser::parse_module(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut strings = Strings(Vec::new());
    for stmt in parsed.into_syntax().body.iter().skip(1) {
        if let Stmt::Assign(assign) = stmt {
            strings.visit_expr(&assign.value);
        }
    }
    assert!(strings.0.len() >= 150, "{} holds {} snippets", path.display(), strings.0.len());
    strings.0
}

/// `.py` files under `dir`, recursively, sorted, skipping build and dependency folders.
fn python_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if !matches!(name, "node_modules" | "target" | "build" | "dist" | "__pycache__" | "site-packages" | "test" | "tests")
                && !name.starts_with('.')
            {
                python_files(&path, out);
            }
        } else if name.ends_with(".py") && path.metadata().is_ok_and(|m| m.len() <= MAX_FILE) {
            out.push(path);
        }
    }
}

/// The standard library directory: `$LIVEIMPORT_FUZZ_STDLIB`, else `python3`'s.
fn stdlib_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("LIVEIMPORT_FUZZ_STDLIB") {
        return Some(PathBuf::from(dir)).filter(|d| d.is_dir());
    }
    let output =
        std::process::Command::new("python3").args(["-c", "import sysconfig; print(sysconfig.get_paths()['stdlib'])"]).output().ok()?;
    let dir = PathBuf::from(String::from_utf8(output.stdout).ok()?.trim());
    dir.is_dir().then_some(dir)
}

fn read_all(paths: &[PathBuf]) -> Vec<String> {
    paths.iter().filter_map(|p| std::fs::read(p).ok()).map(|b| String::from_utf8_lossy(&b).into_owned()).collect()
}

/// Loads the corpus (see the module documentation).
pub fn load() -> Corpus {
    let snippets = snippets();
    let mut project = Vec::new();
    for dir in ["python", "tests/python", "autoload", "bench", "demo"] {
        python_files(&root().join(dir), &mut project);
    }
    let mut files = read_all(&project);
    let project_count = files.len();
    let stdlib = stdlib_dir();
    let mut stdlib_count = 0;
    if let Some(dir) = &stdlib {
        let mut all = Vec::new();
        python_files(dir, &mut all);
        let sample: Vec<PathBuf> = all.into_iter().step_by(STDLIB_STRIDE).collect();
        let sources = read_all(&sample);
        stdlib_count = sources.len();
        files.extend(sources);
    }
    let summary = format!(
        "snippets: {}, project files: {project_count}, stdlib files: {stdlib_count} ({})",
        snippets.len(),
        stdlib.map_or("none".into(), |d| d.display().to_string())
    );
    Corpus { snippets, files, summary }
}
