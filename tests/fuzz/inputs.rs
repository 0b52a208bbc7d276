//! Random inputs: Python sources (corpus pieces, mutated and spliced), source bytes (encodings,
//! BOMs, invalid UTF-8) and registration texts.

use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::corpus::Corpus;

/// Fragments inserted by mutations: brackets, quotes and string prefixes, line structure,
/// keywords of imports and blocks, operators that deepen nesting, odd characters.
const TOKENS: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "'",
    "\"",
    "'''",
    "\"\"\"",
    "f'",
    "f\"",
    "t'",
    "rb'",
    "fr\"",
    "u'",
    "b\"",
    "{x}",
    "{x!r:>{w}}",
    "{{",
    "}}",
    "\\N{BULLET}",
    "\\",
    "\\\n",
    "\n",
    "\r",
    "\r\n",
    "\t",
    " ",
    "    ",
    "\x0c",
    ":",
    ";",
    ",",
    ".",
    "..",
    "...",
    "*",
    "**",
    "#",
    "# comment\n",
    "=",
    "==",
    ":=",
    "->",
    "@",
    "-",
    "~",
    "not ",
    "lambda ",
    "await ",
    "if ",
    " else ",
    "import ",
    "from ",
    " import ",
    " as ",
    "lazy ",
    "import os\n",
    "from . import x\n",
    "from .. import y\n",
    "from .m import *\n",
    "import a.b as c\n",
    "if x:\n",
    "def f():\n",
    "class C:\n",
    "try:\n",
    "except* E:\n",
    "match x:\n    case 1:\n",
    "async ",
    "yield",
    "type X = int\n",
    "def f[T](): pass\n",
    "with (a as b, c as d):\n",
    "\u{e9}",
    "\u{1d518}",
    "\u{200b}",
    "\u{feff}",
    "\u{2028}",
    "\0",
    "$",
    "?",
    "`",
    "0x",
    "1_",
    "1e",
    "5j",
    "0o8",
    "1__0",
];

/// Encoding declarations and BOMs for the bytes stage.
const PREFIXES: &[&[u8]] = &[
    b"\xef\xbb\xbf",
    b"# -*- coding: latin-1 -*-\n",
    b"# coding: ascii\n",
    b"# vim: set fileencoding=utf-8 :\n",
    b"#!/usr/bin/env python\n# coding=iso-8859-15\n",
    b"# coding: bogus-encoding\n",
    b"\xef\xbb\xbf# coding: latin-1\n",
    b"\n# coding: utf-8\n",
    b"x = 1\n# coding: latin-1\n",
    b"# coding: utf-16\n",
    b"# coding: cp1252\n",
];

/// A piece of a corpus file: whole (small files), or some consecutive lines.
fn piece(rng: &mut ChaCha8Rng, corpus: &Corpus) -> String {
    if corpus.files.is_empty() || rng.gen_bool(0.4) {
        return corpus.snippets.choose(rng).cloned().unwrap_or_default();
    }
    let file = corpus.files.choose(rng).expect("files");
    if file.len() <= 2_000 && rng.gen_bool(0.5) {
        return file.clone();
    }
    let lines: Vec<&str> = file.split_inclusive('\n').collect();
    let start = rng.gen_range(0..lines.len().max(1));
    let count = rng.gen_range(1..=40);
    lines.iter().skip(start).take(count).copied().collect()
}

/// A char boundary of `s`, at random.
fn boundary(rng: &mut ChaCha8Rng, s: &str) -> usize {
    let mut at = rng.gen_range(0..=s.len());
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// One mutation of `s` in place.
fn mutate(rng: &mut ChaCha8Rng, corpus: &Corpus, s: &mut String) {
    match rng.gen_range(0..12) {
        0..=2 => {
            let at = boundary(rng, s);
            s.insert_str(at, TOKENS.choose(rng).expect("tokens"));
        }
        3 => {
            let start = boundary(rng, s);
            let mut end = (start + rng.gen_range(0..64)).min(s.len());
            while !s.is_char_boundary(end) {
                end -= 1;
            }
            s.replace_range(start..end, "");
        }
        4 => {
            let (a, b) = (boundary(rng, s), boundary(rng, s));
            let copy = s[a.min(b)..a.max(b)].to_string();
            let at = boundary(rng, s);
            s.insert_str(at, &copy);
        }
        5 => {
            let at = boundary(rng, s);
            let other = piece(rng, corpus);
            s.insert_str(at, &other);
        }
        6 => {
            let at = boundary(rng, s);
            s.truncate(at);
        }
        7 => {
            // Swap two lines.
            let mut lines: Vec<String> = s.split_inclusive('\n').map(str::to_string).collect();
            if lines.len() >= 2 {
                let (i, j) = (rng.gen_range(0..lines.len()), rng.gen_range(0..lines.len()));
                lines.swap(i, j);
                *s = lines.concat();
            }
        }
        8 => {
            // Re-indent a line: deeper, with tabs, or not at all.
            let mut lines: Vec<String> = s.split_inclusive('\n').map(str::to_string).collect();
            if !lines.is_empty() {
                let i = rng.gen_range(0..lines.len());
                let indent = ["", " ", "  ", "    ", "\t", "        ", " \t", "\x0c"].choose(rng).expect("indents");
                lines[i] = format!("{indent}{}", lines[i].trim_start());
                *s = lines.concat();
            }
        }
        9 => {
            // Deep nesting around an expression: brackets or unary operators, up to past
            // CPython's limits and the engine's SAFE_DEPTH.
            let depth = *[5usize, 50, 199, 201, 299, 301, 600, 1200].choose(rng).expect("depths");
            let (open, close) = *[("(", ")"), ("[", "]"), ("{", "}"), ("-", ""), ("not ", ""), ("a.", "")].choose(rng).expect("pairs");
            let closed = rng.gen_bool(0.8);
            let inner = format!("{}x{}", open.repeat(depth), if closed { close.repeat(depth) } else { String::new() });
            let at = boundary(rng, s);
            s.insert_str(at, &format!("\ny = {inner}\n"));
        }
        10 => {
            // Deep indentation.
            let depth = *[10usize, 99, 100, 101, 150].choose(rng).expect("depths");
            let mut block = String::new();
            for level in 0..depth {
                block.push_str(&" ".repeat(level));
                block.push_str("if x:\n");
            }
            block.push_str(&" ".repeat(depth));
            block.push_str("import deep\n");
            let at = boundary(rng, s);
            s.insert_str(at, &block);
        }
        _ => {
            // Random printable and control characters.
            let at = boundary(rng, s);
            let n = rng.gen_range(1..8);
            let text: String = (0..n).map(|_| char::from(rng.gen_range(0u8..128))).collect();
            s.insert_str(at, &text);
        }
    }
}

/// A random module source: corpus pieces, spliced and mutated (a few times, or not at all).
pub fn source(rng: &mut ChaCha8Rng, corpus: &Corpus) -> String {
    let mut s = piece(rng, corpus);
    if rng.gen_bool(0.3) {
        let other = piece(rng, corpus);
        s.push_str(&other);
    }
    let mutations = *[0usize, 1, 1, 2, 3, 5, 10].choose(rng).expect("counts");
    for _ in 0..mutations {
        mutate(rng, corpus, &mut s);
    }
    s
}

/// A random source file's bytes: a source, sometimes with an encoding declaration or BOM in
/// front and some random bytes (invalid UTF-8) in it.
pub fn source_bytes(rng: &mut ChaCha8Rng, corpus: &Corpus) -> Vec<u8> {
    let mut bytes = Vec::new();
    if rng.gen_bool(0.3) {
        bytes.extend_from_slice(PREFIXES.choose(rng).expect("prefixes"));
    }
    bytes.extend_from_slice(source(rng, corpus).as_bytes());
    if rng.gen_bool(0.2) {
        for _ in 0..rng.gen_range(1..4) {
            let at = rng.gen_range(0..=bytes.len());
            bytes.insert(at, rng.gen());
        }
    }
    bytes
}

/// Module names: plain, dotted, keywords, non-ASCII, odd.
const NAMES: &[&str] = &["a", "b", "c", "pkg", "pkg.m", "pkg.n", "os", "os.path", "x.y.z", "élan", "_", "if", "None", "a1", "λ"];

/// A registration text: import statements (all forms, relative ones included), sometimes with
/// other statements, indentation, comments, and mutations.
pub fn registration(rng: &mut ChaCha8Rng, corpus: &Corpus) -> String {
    let mut text = String::new();
    if rng.gen_bool(0.1) {
        text.push_str("  ");
    }
    for _ in 0..rng.gen_range(0..5) {
        let module = NAMES.choose(rng).expect("names");
        let other = NAMES.choose(rng).expect("names");
        let dots = ".".repeat(*[0usize, 0, 0, 1, 2, 3].choose(rng).expect("levels"));
        let statement = match rng.gen_range(0..9) {
            0 => format!("import {module}"),
            1 => format!("import {module} as {other}"),
            2 => format!("import {module}, {other}"),
            3 => format!("from {dots}{module} import {other}"),
            4 => format!("from {dots}{module} import {other} as k, z"),
            5 => format!("from {dots}{module} import *"),
            6 => format!("from {} import ({other},\n    {module})", if dots.is_empty() { "." } else { &dots }),
            7 => format!("lazy import {module}"),
            _ => ["x = 1", "if x:\n    import a", "print(1)", "from __future__ import annotations", "pass"]
                .choose(rng)
                .expect("others")
                .to_string(),
        };
        text.push_str(&statement);
        text.push_str(["\n", "; ", "  # note\n", "\r\n"].choose(rng).expect("ends"));
    }
    for _ in 0..*[0usize, 0, 0, 1, 2].choose(rng).expect("counts") {
        mutate(rng, corpus, &mut text);
    }
    text
}

/// A package for relative imports.
pub fn package(rng: &mut ChaCha8Rng) -> &'static str {
    ["", "", "pkg", "a.b", "a.b.c"].choose(rng).expect("packages")
}
