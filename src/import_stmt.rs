//! A small parser for the usual forms of one import statement, so that analysing a module
//! rarely needs `ruff_python_parser` (whose first use in a fresh Pyodide costs more than the
//! whole scan of a large workspace).
//!
//! [`parse`] accepts `[lazy] import a.b [as c], ...` and `[lazy] from [.]*m import x [as y],
//! ...` (parenthesised names with a trailing comma included, `*`), with ASCII names, spaces,
//! tabs, comments and line continuations. Anything else, valid or not (non-ASCII names, a
//! keyword as a name, a syntax error), gives `None`, and the caller parses the statement with
//! `ruff_python_parser`, which then decides and reports errors. What it accepts it reads as
//! `ruff_python_parser` does (tested against it).

/// One import statement as [`parse`] read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportStmt<'a> {
    /// `import a.b, c as d`: the dotted module names (`a.b`, `c`), in order.
    Import(Vec<String>),
    /// `from ..m import x, y as z` or `from m import *`.
    From {
        /// The number of leading dots (0 for an absolute import).
        level: u32,
        /// The dotted module name after the dots, if any (`None` for `from . import x`).
        module: Option<String>,
        /// The imported names, in order (without their `as` names); `["*"]` for a star import.
        names: Vec<&'a str>,
    },
}

/// Python's hard keywords: none of them is a name.
const KEYWORDS: [&str; 35] = [
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif",
    "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or",
    "pass", "raise", "return", "try", "while", "with", "yield",
];

struct Cursor<'a> {
    text: &'a str,
    i: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.i).copied()
    }

    /// Skips spaces, tabs, form feeds, line continuations and comments; line ends too when
    /// `in_parens`.
    fn skip(&mut self, in_parens: bool) {
        let bytes = self.text.as_bytes();
        while let Some(&c) = bytes.get(self.i) {
            match c {
                b' ' | b'\t' | b'\x0c' => self.i += 1,
                b'\\' if matches!(bytes.get(self.i + 1), Some(b'\n' | b'\r')) => {
                    self.i += if bytes.get(self.i + 1..self.i + 3) == Some(b"\r\n") { 3 } else { 2 };
                }
                b'\n' | b'\r' if in_parens => self.i += 1,
                b'#' => {
                    while self.i < bytes.len() && !matches!(bytes[self.i], b'\n' | b'\r') {
                        self.i += 1;
                    }
                }
                _ => return,
            }
        }
    }

    /// An ASCII word (a name or a keyword), after skipping what [`Cursor::skip`] skips.
    fn word(&mut self, in_parens: bool) -> Option<&'a str> {
        self.skip(in_parens);
        let bytes = self.text.as_bytes();
        let start = self.i;
        if !bytes.get(start).is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_') {
            return None;
        }
        let mut end = start + 1;
        while end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_') {
            end += 1;
        }
        if bytes.get(end).is_some_and(|c| *c >= 0x80) {
            return None; // a non-ASCII name: left to the full parser
        }
        self.i = end;
        Some(&self.text[start..end])
    }

    /// A name: a word that is not a keyword.
    fn name(&mut self, in_parens: bool) -> Option<&'a str> {
        self.word(in_parens).filter(|w| !KEYWORDS.contains(w))
    }

    fn keyword(&mut self, keyword: &str, in_parens: bool) -> bool {
        let at = self.i;
        if self.word(in_parens) == Some(keyword) {
            return true;
        }
        self.i = at;
        false
    }

    fn punct(&mut self, c: u8, in_parens: bool) -> bool {
        self.skip(in_parens);
        if self.peek() == Some(c) {
            self.i += 1;
            return true;
        }
        false
    }

    /// `a.b.c`, as a string without the whitespace between its parts.
    fn dotted(&mut self) -> Option<String> {
        let mut dotted = self.name(false)?.to_string();
        while self.punct(b'.', false) {
            dotted.push('.');
            dotted.push_str(self.name(false)?);
        }
        Some(dotted)
    }

    /// `as NAME`, when present; `None` inside when malformed.
    fn alias(&mut self, in_parens: bool) -> Option<()> {
        if self.keyword("as", in_parens) {
            self.name(in_parens)?;
        }
        Some(())
    }
}

/// Reads one top-level statement that starts with `import`, `from` or `lazy` (see the module
/// documentation); `None` when it is not of the forms read here.
pub fn parse(text: &str) -> Option<ImportStmt<'_>> {
    let mut cursor = Cursor { text, i: 0 };
    let at = cursor.i;
    if !cursor.keyword("lazy", false) || cursor.peek().is_none() {
        cursor.i = at;
    }
    let statement = match cursor.word(false)? {
        "import" => {
            let mut modules = vec![cursor.dotted()?];
            cursor.alias(false)?;
            while cursor.punct(b',', false) {
                modules.push(cursor.dotted()?);
                cursor.alias(false)?;
            }
            ImportStmt::Import(modules)
        }
        "from" => {
            let mut level = 0u32;
            while cursor.punct(b'.', false) {
                level += 1;
            }
            let module = if level > 0 && cursor.keyword("import", false) { None } else { Some(cursor.dotted()?) };
            if module.is_some() && !cursor.keyword("import", false) {
                return None;
            }
            let names = if cursor.punct(b'*', false) {
                vec!["*"]
            } else {
                let in_parens = cursor.punct(b'(', false);
                let mut names = vec![cursor.name(in_parens)?];
                cursor.alias(in_parens)?;
                while cursor.punct(b',', in_parens) {
                    if in_parens && cursor.punct(b')', true) {
                        cursor.i -= 1; // a trailing comma: the `)` is read below
                        break;
                    }
                    names.push(cursor.name(in_parens)?);
                    cursor.alias(in_parens)?;
                }
                if in_parens && !cursor.punct(b')', true) {
                    return None;
                }
                names
            };
            ImportStmt::From { level, module, names }
        }
        _ => return None,
    };
    cursor.skip(false);
    (cursor.i == text.len()).then_some(statement)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usual_forms() {
        let import = |names: &[&str]| Some(ImportStmt::Import(names.iter().map(|n| n.to_string()).collect()));
        assert_eq!(parse("import os"), import(&["os"]));
        assert_eq!(parse("import a.b as c, d  # comment"), import(&["a.b", "d"]));
        assert_eq!(parse("lazy import a . b"), import(&["a.b"]));
        assert_eq!(parse("import a, \\\n    b"), import(&["a", "b"]));
        assert_eq!(parse("from m import x"), Some(ImportStmt::From { level: 0, module: Some("m".into()), names: vec!["x"] }));
        assert_eq!(
            parse("from ..p.q import (x as y,  # why\n    z,\n)"),
            Some(ImportStmt::From { level: 2, module: Some("p.q".into()), names: vec!["x", "z"] })
        );
        assert_eq!(parse("from . import *"), Some(ImportStmt::From { level: 1, module: None, names: vec!["*"] }));
        assert_eq!(parse("from...import x"), Some(ImportStmt::From { level: 3, module: None, names: vec!["x"] }));
        assert_eq!(parse("from match import type as case"), Some(ImportStmt::From { level: 0, module: Some("match".into()), names: vec!["type"] }));
    }

    #[test]
    fn anything_else_is_left_to_the_full_parser() {
        for text in [
            "import", "import a,", "import a as", "import (a)", "import a.", "import if", "import café", "from m import",
            "from m import x,", "from m import (x", "from m import ()", "from m import *, x", "from m import (*)",
            "from import x", "from m", "import a; b", "import a b", "lazy = 1", "lazy", "from m import x as None",
        ] {
            assert_eq!(parse(text), None, "{text:?}");
        }
    }

    /// Whatever [`parse`] reads, `ruff_python_parser` reads alike.
    #[test]
    fn agrees_with_ruff() {
        use ruff_python_ast::Stmt;
        for text in [
            "import a.b as c, d  # comment",
            "lazy import a . b",
            "lazy from . import x",
            "from ..p.q import (x as y,  # why\n    z,\n)",
            "from . import *",
            "from...import x",
            "from \\\n m import x",
            "import a\t,\x0cb",
        ] {
            let ruff = ruff_python_parser::parse_module(text).unwrap().into_syntax().body;
            let read = match &ruff[..] {
                [Stmt::Import(import)] => ImportStmt::Import(import.names.iter().map(|a| a.name.id.to_string()).collect()),
                [Stmt::ImportFrom(from)] => ImportStmt::From {
                    level: from.level,
                    module: from.module.as_ref().map(|m| m.id.to_string()),
                    names: from.names.iter().map(|a| a.name.id.as_str()).collect(),
                },
                other => panic!("{text:?}: {other:?}"),
            };
            assert_eq!(parse(text), Some(read), "{text:?}");
        }
    }
}
