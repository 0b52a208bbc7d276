//! Fuzz cases on single inputs: a module source (decoding, the scan, dependencies, the syntax
//! verdict with and without a host) and a registration text (records, journals), each with the
//! properties the engine's documentation states.

use std::sync::Arc;

use liveimport_engine::analysis::{analyze_source, engine_finding, python_version, AnalysisCause, Confirm, HostError, HostParser};
use liveimport_engine::guard::{self, SAFE_DEPTH};
use liveimport_engine::imports::{module_dependencies, parse_registration, RegistrationError, SyntaxErrorInfo, IMPORTSTMTS};
use liveimport_engine::records::{Journal, Record, RecordKind};
use liveimport_engine::source::decode_source;
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::corpus::Corpus;
use crate::inputs;
use crate::stats;

/// A violated property: what and why.
pub type Outcome = Result<(), String>;

macro_rules! ensure {
    ($cond:expr, $($arg:tt)+) => {
        if !$cond {
            return Err(format!($($arg)+));
        }
    };
}
pub(crate) use ensure;

/// A host whose parser accepts everything.
pub struct Accept;
/// A host whose parser rejects everything.
pub struct Reject;
/// A host whose parser rejects the sources holding `REJECT` (or a NUL).
pub struct Marked;

impl HostParser for Accept {
    fn verdict(&self, _file: &str, _source: &str) -> Result<(), HostError> {
        Ok(())
    }
}

impl HostParser for Reject {
    fn verdict(&self, _file: &str, _source: &str) -> Result<(), HostError> {
        Err(HostError(Arc::new("rejected by the host")))
    }
}

impl HostParser for Marked {
    fn verdict(&self, _file: &str, source: &str) -> Result<(), HostError> {
        if source.contains("REJECT") || source.contains('\0') {
            Err(HostError(Arc::new("rejected by the host")))
        } else {
            Ok(())
        }
    }
}

/// The most lines any location in `source` can be on (every line break counted, `\r\n` twice).
fn max_line(source: &str) -> usize {
    source.bytes().filter(|&b| b == b'\n' || b == b'\r').count() + 1
}

/// A syntax error's location is in `file`, within `source`, one-based, with a message.
pub fn check_location(info: &SyntaxErrorInfo, source: &str, file: &str) -> Outcome {
    ensure!(info.filename == file, "error names file {:?}, not {file:?}: {info:?}", info.filename);
    ensure!(info.line >= 1 && info.line <= max_line(source), "error line {} outside 1..={}: {info:?}", info.line, max_line(source));
    ensure!(info.column >= 1, "error column {} is not one-based: {info:?}", info.column);
    ensure!(!info.message.is_empty(), "error without a message: {info:?}");
    Ok(())
}

/// Python versions the engine is built for, and some it is not.
fn version(rng: &mut ChaCha8Rng) -> (u8, u8) {
    *[(3, 8), (3, 10), (3, 11), (3, 12), (3, 13), (3, 14), (3, 14), (3, 15)].choose(rng).expect("versions")
}

/// A source file's bytes through decoding and every analysis of its text.
pub fn source_case(rng: &mut ChaCha8Rng, corpus: &Corpus) -> Outcome {
    let bytes = inputs::source_bytes(rng, corpus);
    let file = "/w/pkg/fuzz_m.py";
    let decoded = decode_source(bytes.clone(), file);
    ensure!(decoded == decode_source(bytes.clone(), file), "decoding is not deterministic");
    let text = match decoded {
        Ok(text) => text,
        Err(error) => {
            ensure!(error.line >= 1 && !error.message.is_empty(), "decode error without line or message: {error:?}");
            String::from_utf8_lossy(&bytes).into_owned()
        }
    };
    text_checks(rng, &text, file)
}

/// When one case is replayed (`LIVEIMPORT_FUZZ_CASE`), saves its input `text` as
/// `target/tmp/fuzz-case-NAME` and says so.
pub fn save_replayed(name: &str, text: &str) {
    if std::env::var_os("LIVEIMPORT_FUZZ_CASE").is_some() {
        let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("fuzz-case-{name}"));
        match std::fs::write(&path, text) {
            Ok(()) => println!("input saved: {}", path.display()),
            Err(error) => println!("input not saved to {}: {error}", path.display()),
        }
    }
}

/// The scan, dependencies and verdicts of one decoded source.
pub fn text_checks(rng: &mut ChaCha8Rng, text: &str, file: &str) -> Outcome {
    save_replayed("source.py", text);
    // The scan: deterministic, offsets on char boundaries, statements in order.
    let scan = guard::scan(text);
    ensure!(scan == guard::scan(text), "scan is not deterministic");
    let deep = match &scan {
        Ok(scan) => {
            for error in [&scan.tokenizer_error, &scan.indentation_error].into_iter().flatten() {
                ensure!(
                    error.offset <= text.len() && text.is_char_boundary(error.offset),
                    "lexical error offset off a char boundary: {error:?}"
                );
            }
            let mut last = (0, 1);
            for (range, line) in &scan.top_level {
                ensure!(range.start <= range.end && range.end <= text.len(), "top-level range {range:?} out of bounds");
                ensure!(
                    text.is_char_boundary(range.start) && text.is_char_boundary(range.end),
                    "top-level range {range:?} off a char boundary"
                );
                ensure!(range.start >= last.0 && *line >= last.1, "top-level statements out of order at {range:?}, line {line}");
                last = (range.end, *line);
            }
            scan.deepest > SAFE_DEPTH
        }
        Err(too_deep) => {
            ensure!(too_deep.line >= 1 && too_deep.line <= max_line(text), "nesting error line out of range: {too_deep:?}");
            true
        }
    };

    if deep {
        stats::count(stats::DEEP);
    }

    // Dependencies from the top-level imports alone.
    let package = inputs::package(rng);
    let scanned = module_dependencies(text, package, file);
    ensure!(scanned == module_dependencies(text, package, file), "module_dependencies is not deterministic");
    match &scanned {
        Err(info) => check_location(info, text, file)?,
        Ok(deps) => {
            for (i, dep) in deps.iter().enumerate() {
                ensure!(!dep.is_empty() && !deps[..i].contains(dep), "dependencies empty or repeated: {deps:?}");
            }
        }
    }

    // The engine's own verdict.
    let (major, minor) = version(rng);
    let version = python_version(major, minor);
    let finding = engine_finding(text, file, version);
    ensure!(finding == engine_finding(text, file, version), "engine_finding is not deterministic");
    if let Some(info) = &finding {
        stats::count(stats::ENGINE_REJECTS);
        check_location(info, text, file)?;
    }

    // The host's authority (src/analysis.rs): asked on an engine error, always with Always.
    let rejected = analyze_source(text, package, file, version, &Reject, Confirm::OnError);
    if !deep {
        let asked = matches!(rejected, Err(AnalysisCause::Host(_)));
        ensure!(asked == finding.is_some(), "OnError: host asked = {asked}, engine finding = {finding:?}");
        let always = analyze_source(text, package, file, version, &Reject, Confirm::Always);
        ensure!(matches!(always, Err(AnalysisCause::Host(_))), "Always: a rejecting host was not asked: {always:?}");
    }
    let accepted = analyze_source(text, package, file, version, &Accept, Confirm::Always);
    match &accepted {
        Err(AnalysisCause::Syntax(info)) => {
            ensure!(deep, "an accepting host was overruled (not deep): {info:?}");
            check_location(info, text, file)?;
        }
        Err(AnalysisCause::Import(message)) => ensure!(message.starts_with("Relative import"), "odd ImportError: {message}"),
        Err(AnalysisCause::Host(_)) => return Err("an accepting host's verdict was a rejection".into()),
        Ok(_) => {}
    }
    // A source the host compiled is read by its imports alone (Confirm::Compiled): for a
    // source the engine finds valid, they give what the whole parse gives.
    if !deep && finding.is_none() {
        let whole = accepted.as_ref().map_err(|e| e.to_string());
        let imports = scanned.as_ref().map_err(|e| e.message.clone());
        ensure!(whole.is_ok() == imports.is_ok(), "valid source: whole parse {whole:?}, imports only {imports:?}");
        if let (Ok(a), Ok(b)) = (whole, imports) {
            ensure!(a == b, "valid source: dependencies of the whole parse {a:?} != of the imports {b:?}");
        }
    }
    Ok(())
}

/// A record is well formed: an absolute module, a name exactly for `from`, no alias on `*`.
fn check_record(record: &Record) -> Outcome {
    ensure!(record.module.split('.').all(|s| !s.is_empty()), "record module {:?} not absolute", record.module);
    match record.kind {
        RecordKind::Import => ensure!(record.name.is_none(), "import record with a name: {record:?}"),
        RecordKind::From => {
            ensure!(record.name.as_deref().is_some_and(|n| !n.is_empty() && n != "*"), "from record without a name: {record:?}")
        }
        RecordKind::Star => ensure!(record.name.is_none() && record.asname.is_none(), "star record with a name: {record:?}"),
    }
    Ok(())
}

/// `old` extended with `add` as the journal's rule says: earlier equal records move to the end,
/// the last of equal ones in `add` counts.
fn extended(old: &[Record], add: &[Record]) -> Vec<Record> {
    let mut out: Vec<Record> = old.iter().filter(|r| !add.contains(r)).cloned().collect();
    for (i, record) in add.iter().enumerate() {
        if !add[i + 1..].contains(record) {
            out.push(record.clone());
        }
    }
    out
}

/// A registration text's records, their canonical statements and a journal of them.
pub fn registration_case(rng: &mut ChaCha8Rng, corpus: &Corpus) -> Outcome {
    let mut journal = Journal::default();
    for _ in 0..rng.gen_range(1..4) {
        let text = inputs::registration(rng, corpus);
        save_replayed("registration.py", &text);
        let package = inputs::package(rng);
        let allow = rng.gen_bool(0.5);
        let parsed = parse_registration(&text, package, allow);
        ensure!(parsed == parse_registration(&text, package, allow), "parse_registration is not deterministic");
        stats::count(if parsed.is_ok() { stats::PARSED } else { stats::REJECTED });
        let records = match parsed {
            Ok(records) => records,
            Err(RegistrationError::Syntax(info)) => {
                check_location(&info, &text, IMPORTSTMTS)?;
                continue;
            }
            Err(RegistrationError::Import(message)) => {
                ensure!(message.starts_with("Relative import"), "odd ImportError: {message}");
                continue;
            }
            Err(RegistrationError::Value(message)) => {
                ensure!(!allow && message.starts_with("Expected only imports, found"), "odd ValueError (allow={allow}): {message}");
                continue;
            }
        };
        for record in &records {
            check_record(record)?;
            let statement = record.statement();
            let again = parse_registration(&statement, "", false);
            ensure!(again.as_ref() == Ok(&vec![record.clone()]), "{statement:?} parses to {again:?}, not {record:?}");
        }
        let expected = extended(journal.records(), &records);
        journal.extend(&records);
        ensure!(journal.records() == expected.as_slice(), "journal {:?} != {expected:?}", journal.records());
        ensure!(journal.is_empty() == expected.is_empty(), "journal emptiness");
    }
    Ok(())
}
