//! Tests of the audit rule ([`super`]), with arguments as a hook converts them.

use std::path::PathBuf;

use super::*;
use crate::writes::{self, Noted};

/// One converted argument.
#[derive(Clone)]
enum Arg {
    Int(i64),
    None,
    Str(&'static str),
    Bytes(&'static [u8]),
    /// An `os.PathLike` (a path, but not a `str`).
    PathLike(&'static str),
    Code(&'static str, &'static str),
    /// Anything else (a float, a list, ...).
    Other,
}

struct Args {
    args: Vec<Arg>,
    cwd: Option<&'static str>,
}

fn args(args: &[Arg]) -> Args {
    Args { args: args.to_vec(), cwd: Some("/drive/nb") }
}

impl AuditArgs for Args {
    fn int(&self, i: usize) -> Option<i64> {
        match self.args.get(i) {
            Some(Arg::Int(n)) => Some(*n),
            _ => None,
        }
    }
    fn is_none(&self, i: usize) -> bool {
        matches!(self.args.get(i), Some(Arg::None))
    }
    fn has(&self, i: usize) -> bool {
        i < self.args.len()
    }
    fn path(&self, i: usize) -> Option<PathBuf> {
        match self.args.get(i) {
            Some(Arg::Str(s) | Arg::PathLike(s)) => Some(PathBuf::from(s)),
            Some(Arg::Bytes(b)) => std::str::from_utf8(b).ok().map(PathBuf::from),
            _ => None,
        }
    }
    fn string(&self, i: usize) -> Option<String> {
        match self.args.get(i) {
            Some(Arg::Str(s)) => Some(s.to_string()),
            _ => None,
        }
    }
    fn bytes(&self, i: usize) -> Option<Vec<u8>> {
        match self.args.get(i) {
            Some(Arg::Bytes(b)) => Some(b.to_vec()),
            _ => None,
        }
    }
    fn code(&self, i: usize) -> Option<(String, String)> {
        match self.args.get(i) {
            Some(Arg::Code(name, file)) => Some((name.to_string(), file.to_string())),
            _ => None,
        }
    }
    fn cwd(&self) -> Option<PathBuf> {
        self.cwd.map(PathBuf::from)
    }
}

/// What `event` with `args` notes.
fn noted(event: &str, args: &Args) -> Noted {
    writes::take();
    note_event(event.as_bytes(), args);
    writes::take()
}

fn paths(list: &[&str]) -> Noted {
    Noted { paths: list.iter().map(PathBuf::from).collect(), overflow: false }
}

fn unknown() -> Noted {
    Noted { paths: Vec::new(), overflow: true }
}

const O_RDONLY: i64 = 0;
const O_WRONLY_CREAT: i64 = 0o101;
const O_RDWR: i64 = 2;

#[test]
fn open_is_noted_only_for_writing() {
    let _lock = writes::TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
    use Arg::*;
    assert_eq!(noted("open", &args(&[Str("/drive/m.py"), Str("r"), Int(O_RDONLY)])), Noted::default());
    assert_eq!(noted("open", &args(&[Str("/drive/m.py"), Str("w"), Int(O_WRONLY_CREAT)])), paths(&["/drive/m.py"]));
    assert_eq!(noted("open", &args(&[Str("m.py"), Str("r+"), Int(O_RDWR)])), paths(&["/drive/nb/m.py"]), "relative to the cwd");
    assert_eq!(noted("open", &args(&[Str("/drive/m.py"), Str("w"), None])), Noted::default(), "flags not an int");
    assert_eq!(noted("open", &args(&[Str("/drive/m.py"), Str("w")])), Noted::default(), "no flags");
    assert_eq!(noted("open", &args(&[Int(3), Str("w"), Int(O_WRONLY_CREAT)])), Noted::default(), "a file descriptor");
    assert_eq!(noted("open", &args(&[PathLike("/drive/p.py"), Str("w"), Int(1)])), paths(&["/drive/p.py"]));
    assert_eq!(noted("open", &args(&[Bytes(b"/drive/b.py"), Str("w"), Int(1)])), paths(&["/drive/b.py"]));
    assert_eq!(noted("open", &args(&[Other, Str("w"), Int(1)])), unknown(), "not a path: examine everything");
    assert_eq!(noted("open", &args(&[None, Str("w"), Int(1)])), unknown());
    let no_cwd = Args { args: vec![Str("m.py"), Str("w"), Int(1)], cwd: Option::None };
    assert_eq!(noted("open", &no_cwd), unknown(), "relative, and no current directory");
}

#[test]
fn dir_fd_and_the_other_events() {
    let _lock = writes::TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
    use Arg::*;
    let rename = |dir_fd: Arg| noted("os.rename", &args(&[Str("a.new"), Str("/drive/a.py"), dir_fd, Int(-1)]));
    assert_eq!(rename(Int(-1)), paths(&["/drive/nb/a.new", "/drive/a.py"]), "-1: no dir_fd");
    assert_eq!(rename(None), paths(&["/drive/nb/a.new", "/drive/a.py"]));
    assert_eq!(rename(Int(5)), unknown(), "a relative path with a dir_fd");
    assert_eq!(noted("os.remove", &args(&[Str("/drive/x/../a.py"), Int(-1)])), paths(&["/drive/a.py"]));
    assert_eq!(noted("os.rmdir", &args(&[Str("pkg"), Int(7)])), unknown(), "relative to a dir_fd");
    assert_eq!(noted("os.rmdir", &args(&[Str("/drive/pkg"), Int(7)])), paths(&["/drive/pkg"]), "absolute: dir_fd unused");
    assert_eq!(noted("os.utime", &args(&[Str("/drive/a.py"), None, None, Int(-1)])), paths(&["/drive/a.py"]));
    assert_eq!(noted("os.utime", &args(&[Int(4), None, None, Int(-1)])), Noted::default(), "futimes: a descriptor");
    assert_eq!(noted("os.truncate", &args(&[Str("/drive/a.py"), Int(0)])), paths(&["/drive/a.py"]));
    assert_eq!(noted("os.link", &args(&[Str("/drive/a.py"), Str("/drive/b.py"), Int(-1), Int(-1)])), paths(&["/drive/b.py"]));
    assert_eq!(noted("os.symlink", &args(&[Str("/drive/a.py"), Str("/drive/c.py"), Int(-1)])), paths(&["/drive/c.py"]));
    assert_eq!(noted("os.listdir", &args(&[Str("/drive")])), Noted::default(), "not in the table");
    assert_eq!(noted("os.remove", &args(&[])), Noted::default(), "no arguments");
}

#[test]
fn compiles_and_execs_once_asked() {
    let _lock = writes::TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
    use Arg::*;
    let source: &'static [u8] = b"x = 1\n";
    let file = std::path::Path::new("/audit/nb/m.py");
    // `may_note` is false for compile/exec until asked; `note_event` ignores them then too.
    if !notes_compiles() {
        assert!(!may_note(b"compile") && !may_note(b"exec"));
        assert!(!noted_event_names().contains(&"exec"));
    }
    set_note_compiles();
    assert!(may_note(b"compile") && may_note(b"exec") && may_note(b"open") && may_note(b"os.utime"));
    assert!(!may_note(b"import") && !may_note(b"sys._getframe"));
    assert!(noted_event_names().contains(&"exec") && noted_event_names().contains(&"os.rename"));

    let cwd = Args { args: vec![Bytes(source), Str("m.py")], cwd: Some("/audit/nb") };
    note_event(b"compile", &cwd);
    assert!(!crate::compiled::accepted(file, source), "compiled, not yet run");
    note_event(b"exec", &Args { args: vec![Code("f", "/audit/nb/m.py")], cwd: Some("/") });
    assert!(!crate::compiled::accepted(file, source), "not a module code object");
    note_event(b"exec", &Args { args: vec![Code("<module>", "m.py")], cwd: Some("/audit/nb") });
    assert!(crate::compiled::accepted(file, source), "relative names resolved against the cwd");

    // Not noted: a str source, a non-.py file. Any `<module>` file is run (no `.py` test).
    let other = std::path::Path::new("/audit/nb/t.txt");
    note_event(b"compile", &args(&[Str("x = 2\n"), Str("/audit/nb/n.py")]));
    note_event(b"compile", &args(&[Bytes(b"x = 3\n"), Str("/audit/nb/t.txt")]));
    note_event(b"exec", &args(&[Code("<module>", "/audit/nb/n.py")]));
    note_event(b"exec", &args(&[Code("<module>", "/audit/nb/t.txt")]));
    assert!(!crate::compiled::accepted(std::path::Path::new("/audit/nb/n.py"), b"x = 2\n"));
    assert!(!crate::compiled::accepted(other, b"x = 3\n"));
}

#[test]
fn sources_importlib_opens_under_the_cwd_are_kept() {
    let _lock = writes::TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
    use Arg::*;
    set_note_compiles();
    let source: &'static [u8] = b"import os\n";
    let at = |cwd: &'static str, list: Vec<Arg>| Args { args: list, cwd: Some(cwd) };
    let run = |file: &'static str, open: Args| {
        writes::take();
        note_event(b"open", &open);
        note_event(b"compile", &at("/", vec![Bytes(source), Str(file)]));
        note_event(b"exec", &at("/", vec![Code("<module>", file)]));
        crate::compiled::keeps(std::path::Path::new(file))
    };
    // io.open_code of a .py file under the cwd (relative or absolute): kept.
    assert!(run("/kept/nb/a.py", at("/kept/nb", vec![Str("a.py"), Str("r"), Int(0o2000000)])));
    assert!(writes::take().paths.is_empty(), "a read is no write");
    assert!(run("/kept/nb/lib/b.py", at("/kept/nb", vec![Str("/kept/nb/lib/b.py"), Str("r"), Int(0)])));
    // Not kept: outside the cwd, not .py, a binary read (`open(path, "rb")`), a write.
    assert!(!run("/kept/lib/c.py", at("/kept/nb", vec![Str("/kept/lib/c.py"), Str("r"), Int(0)])));
    assert!(!run("/kept/nb/d.py", at("/kept/nb", vec![Str("/kept/nb/d.pyw"), Str("r"), Int(0)])));
    assert!(!run("/kept/nb/e.py", at("/kept/nb", vec![Str("/kept/nb/e.py"), Str("rb"), Int(0o2000000)])));
    assert!(!run("/kept/nb/f.py", at("/kept/nb", vec![Str("/kept/nb/f.py"), Str("w"), Int(0o1101)])));
    let now = crate::mtime::Mtime::now();
    let long_ago = crate::mtime::Mtime(now.0 - 10_000_000_000);
    assert_eq!(crate::compiled::take_kept(std::path::Path::new("/kept/nb/a.py"), long_ago), Some(source.to_vec()));
    assert!(crate::compiled::take_kept(std::path::Path::new("/kept/nb/lib/b.py"), now).is_none(), "changed since");
}

#[test]
fn sources_liveimport_read_are_kept_with_the_time_of_the_read() {
    let _lock = writes::TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
    use Arg::*;
    set_note_compiles();
    assert!(may_note(SOURCE_READ_EVENT.as_bytes()));
    assert!(noted_event_names().contains(&SOURCE_READ_EVENT));
    let source: &'static [u8] = b"import json\n";
    let at = |cwd: &'static str, list: Vec<Arg>| Args { args: list, cwd: Some(cwd) };
    let now = crate::mtime::Mtime::now();
    let secs = |s: i128| crate::mtime::Mtime(now.0 + s * 1_000_000_000);
    let read_ns = |s: i128| Int(i64::try_from(secs(s).0).unwrap());
    let run = |file: &'static str, event: Args| {
        writes::take();
        note_event(SOURCE_READ_EVENT.as_bytes(), &event);
        note_event(b"compile", &at("/", vec![Bytes(source), Str(file)]));
        note_event(b"exec", &at("/", vec![Code("<module>", file)]));
        assert!(writes::take().paths.is_empty(), "a read is no write");
        crate::compiled::keeps(std::path::Path::new(file))
    };
    // Read 30 s ago: the source is taken for a file last modified before that read (minus the
    // margin), not for one modified after it, whatever the time of the import.
    assert!(run("/served/nb/a.py", at("/served/nb", vec![Str("a.py"), read_ns(-30)])));
    assert_eq!(crate::compiled::take_kept(std::path::Path::new("/served/nb/a.py"), secs(-40)), Some(source.to_vec()));
    assert!(run("/served/nb/b.py", at("/served/nb", vec![Str("/served/nb/b.py"), read_ns(-30)])));
    assert!(crate::compiled::take_kept(std::path::Path::new("/served/nb/b.py"), secs(-20)).is_none(), "changed after the read");
    // Not kept: outside the cwd, not .py, no time.
    assert!(!run("/served/lib/c.py", at("/served/nb", vec![Str("/served/lib/c.py"), read_ns(-30)])));
    assert!(!run("/served/nb/d.py", at("/served/nb", vec![Str("/served/nb/d.txt"), read_ns(-30)])));
    assert!(!run("/served/nb/e.py", at("/served/nb", vec![Str("/served/nb/e.py"), Str("soon")])));
}
