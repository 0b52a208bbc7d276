//! One iterative pass over Python source, before (or instead of) the parser.
//!
//! `ruff_python_parser` is recursive descent, and dropping its tree is recursive too. Inside
//! Pyodide the WebAssembly call stack is small (V8's native stack, smaller still in a Web
//! Worker) and cannot grow, so source nested a few thousand levels deep would abort the whole
//! interpreter instead of raising. Parsing a whole module is also the slowest part of analysing
//! it, and only its top-level imports matter. [`scan`] walks the text once, iteratively, aware
//! of comments, string literals and f-/t-string replacement fields (format specs included):
//! - it rejects what CPython rejects outright, with CPython's messages: more than 200 nested
//!   brackets (`too many nested parentheses`) and 100 indentation levels (`too many levels of
//!   indentation`);
//! - it finds the errors of CPython's tokenizer ([`Scan::tokenizer_error`]: unclosed, unmatched
//!   or mismatched brackets, unterminated strings, a stray line continuation, a dedent to no
//!   outer level) and the indentation errors of its parser ([`Scan::indentation_error`]: an
//!   unexpected indent, a block header `...:` with no indented block);
//! - it measures nesting conservatively ([`Scan::deepest`]: every operator character, dot and
//!   `not`/`lambda`/`await`/`if` since the last comma at each open bracket level, plus the open
//!   brackets), so the caller parses source in one piece only when that is safe ([`SAFE_DEPTH`]);
//! - it records the top-level simple statements ([`Scan::top_level`]), so that the import
//!   statements can be parsed on their own.

use std::ops::Range;

/// CPython's limit on nested brackets (`MAXLEVEL` in its tokenizer).
pub const MAX_BRACKETS: usize = 200;
/// CPython's limit on indentation levels (`MAXINDENT` in its tokenizer).
pub const MAX_INDENT: usize = 100;
/// The deepest [`Scan::deepest`] that is parsed in one piece. Measured in Pyodide 314 under
/// Node: about 1,000 chained unary operators overflow the stack once V8 has tiered the parser
/// up; 300 leaves a wide margin (the browser's workers have smaller stacks).
pub const SAFE_DEPTH: usize = 300;

/// Why the source was rejected: CPython's message and the one-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooDeep {
    /// `too many nested parentheses` or `too many levels of indentation`.
    pub message: String,
    /// One-based line where the limit was passed.
    pub line: usize,
}

/// An error CPython's tokenizer (or its indentation checks) reports, found by [`scan`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexicalError {
    /// CPython's message, e.g. `'(' was never closed` or `unexpected indent`.
    pub message: String,
    /// Byte offset in the source where CPython locates the error (always on a char boundary).
    pub offset: usize,
}

/// What [`scan`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scan {
    /// The nesting measure's maximum over the source.
    pub deepest: usize,
    /// Byte ranges of the unindented simple statements (split at line ends and at `;` outside
    /// brackets, except in a compound statement's line such as `if x: a; b`), with the
    /// one-based line each starts on.
    pub top_level: Vec<(Range<usize>, usize)>,
    /// The first error of CPython's tokenizer found, if any (the scan goes on after it).
    pub tokenizer_error: Option<LexicalError>,
    /// The first indentation error of CPython's parser found (`unexpected indent`, `expected
    /// an indented block`), if any.
    pub indentation_error: Option<LexicalError>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Frame {
    /// Code: the module level (`opener` 0), inside a bracket, or inside an f-string replacement
    /// field (`field`, opened by `{`); `chain` is the nesting measure since its last comma.
    Code { chain: usize, opener: u8, at: usize, line: usize, field: bool },
    /// Inside a string literal that starts (prefix included) at byte `at`.
    Str { quote: u8, triple: bool, raw: bool, interpolated: bool, at: usize },
    /// The format spec of a replacement field, after its `:`: text and nested fields. `quote`
    /// and `triple` are those of the string the field is in: as in `ruff_python_parser`'s lexer
    /// (and CPython's), that string's closing quote ends it even inside a spec, and so does a
    /// line end when it is single-quoted (the rest is code again, read by the frame the string
    /// is in).
    Spec { quote: u8, triple: bool, at: usize },
}

/// First words of the compound statements whose line may hold their whole body (`if x: a; b`).
const COMPOUND: [&[u8]; 12] =
    [b"if", b"elif", b"else", b"for", b"while", b"try", b"except", b"finally", b"with", b"def", b"class", b"async"];

struct Scanner<'a> {
    bytes: &'a [u8],
    i: usize,
    line: usize,
    stack: Vec<Frame>,
    brackets: usize,
    /// The sum of the `chain`s of the code frames on the stack.
    chain: usize,
    indents: Vec<usize>,
    /// The same indentation levels measured with tabs as one column (CPython's `altindstack`):
    /// where the two measures disagree, tabs and spaces are mixed inconsistently.
    alt_indents: Vec<usize>,
    at_line_start: bool,
    /// The unindented statement being read: (start, line).
    statement: Option<(usize, usize)>,
    /// Whether the logical line being read starts with a compound statement's keyword.
    compound: bool,
    /// Whether the last significant character of the logical line so far is a `:`.
    ends_colon: bool,
    /// A block header ended at (offset, line): the next statement must be indented.
    block_after: Option<(usize, usize)>,
    /// Every byte is code: quotes and `#` are plain characters and no limit is an error
    /// ([`plain_depth`]).
    plain: bool,
    result: Scan,
}

/// Scans `source` (see the module documentation). Errors: CPython's bracket and indentation
/// limits; other errors are reported in [`Scan::lexical`].
pub fn scan(source: &str) -> Result<Scan, TooDeep> {
    let mut s = Scanner::new(source, false);
    if source.starts_with('\u{feff}') {
        // Decoding skipped the byte order mark; another one is text, which CPython's tokenizer
        // rejects (`ruff_python_parser` skips it).
        s.lexical(0, "invalid non-printable character U+FEFF".into());
    }
    while s.i < s.bytes.len() {
        match s.stack.last() {
            Some(&Frame::Str { quote, triple, raw, interpolated, at }) => s.in_string(quote, triple, raw, interpolated, at)?,
            Some(&Frame::Spec { quote, triple, at }) => s.in_spec(quote, triple, at)?,
            _ => s.in_code()?,
        }
    }
    let mut result = s.finish();
    if result.tokenizer_error.is_some() {
        result.deepest = result.deepest.max(plain_depth(source));
    }
    Ok(result)
}

/// The nesting measure of `source` read as code from end to end: every bracket and operator
/// counts, inside string literals and comments too. It bounds what `ruff_python_parser` may
/// nest once the source has a tokenizer error: its error recovery can read as code what the
/// scan read as a literal (after an unclosed bracket in an f-string's replacement field it
/// re-lexes the closing quote as the f-string's end, where the scan opened a new string). The
/// shape of an input of the wasm fuzz harness (seed 387389207, case 2150640): 1,200 `{` the scan
/// read as string text overflowed the WebAssembly stack in the parser.
fn plain_depth(source: &str) -> usize {
    let mut s = Scanner::new(source, true);
    while s.i < s.bytes.len() {
        // Nothing is an error in plain mode.
        let _ = s.in_code();
    }
    s.result.deepest
}

impl<'a> Scanner<'a> {
    fn new(source: &'a str, plain: bool) -> Self {
        Scanner {
            bytes: source.as_bytes(),
            i: 0,
            line: 1,
            stack: vec![Frame::Code { chain: 0, opener: 0, at: 0, line: 1, field: false }],
            brackets: 0,
            chain: 0,
            indents: vec![0],
            alt_indents: vec![0],
            at_line_start: !plain,
            statement: None,
            compound: false,
            ends_colon: false,
            block_after: None,
            plain,
            result: Scan::default(),
        }
    }

    /// Records a tokenizer error (the first one counts).
    fn lexical(&mut self, offset: usize, message: String) {
        self.result.tokenizer_error.get_or_insert(LexicalError { message, offset });
    }

    /// Records a parser-level indentation error (the first one counts).
    fn indentation(&mut self, offset: usize, message: String) {
        self.result.indentation_error.get_or_insert(LexicalError { message, offset });
    }

    /// The length of the line ending at `at` (2 for `\r\n`), 0 when there is none.
    fn newline_len(&self, at: usize) -> usize {
        match self.bytes.get(at) {
            Some(b'\n') => 1,
            Some(b'\r') if self.bytes.get(at + 1) == Some(&b'\n') => 2,
            Some(b'\r') => 1,
            _ => 0,
        }
    }

    fn in_string(&mut self, quote: u8, triple: bool, raw: bool, interpolated: bool, at: usize) -> Result<(), TooDeep> {
        let next = self.i + 1;
        match self.bytes[self.i] {
            b'\\' => match self.bytes.get(next) {
                None => self.i = next,
                Some(b'{') if interpolated => self.i = next, // the `{` still opens a field
                Some(b'N') if interpolated && !raw && self.bytes.get(next + 1) == Some(&b'{') => {
                    // `\N{NAME}`: its braces are no replacement field
                    let rest = &self.bytes[next + 2..];
                    let end = rest.iter().position(|&b| matches!(b, b'}' | b'\n' | b'\r') || b == quote);
                    self.i = match end {
                        Some(k) if rest[k] == b'}' => next + 3 + k,
                        _ => next + 1,
                    };
                }
                Some(_) => {
                    let n = self.newline_len(next);
                    if n > 0 {
                        self.line += 1;
                    }
                    self.i = next + n.max(1);
                }
            },
            b'{' if interpolated => {
                if self.bytes.get(next) == Some(&b'{') {
                    self.i += 2;
                } else {
                    self.open(b'{', true)?;
                }
            }
            b'}' if interpolated && self.bytes.get(next) == Some(&b'}') => self.i += 2,
            b'\n' | b'\r' => {
                if triple {
                    self.i += self.newline_len(self.i);
                    self.line += 1;
                } else {
                    // the line ends the statement; the code frame below reads the line end
                    let kind = if interpolated { "f-string" } else { "string" };
                    self.lexical(at, format!("unterminated {kind} literal (detected at line {})", self.line));
                    self.end_string();
                }
            }
            c if c == quote => {
                if !triple {
                    self.close_string();
                    self.i += 1;
                } else if self.bytes.get(next) == Some(&quote) && self.bytes.get(next + 1) == Some(&quote) {
                    self.close_string();
                    self.i += 3;
                } else {
                    self.i += 1;
                }
            }
            _ => {
                // a run of plain characters
                let mut j = self.i + 1;
                while j < self.bytes.len() && !matches!(self.bytes[j], b'\\' | b'\n' | b'\r' | b'{' | b'}') && self.bytes[j] != quote {
                    j += 1;
                }
                self.i = j;
            }
        }
        Ok(())
    }

    fn close_string(&mut self) {
        self.stack.pop();
        self.ends_colon = false;
    }

    /// Ends the innermost string early, with the replacement fields and specs open in it: the
    /// scan goes on in the frame the string is in, as `ruff_python_parser`'s lexer does (it
    /// resets its nesting to the string's), so that what that parser reads as code is measured
    /// as code.
    fn end_string(&mut self) {
        while let Some(frame) = self.stack.last().copied() {
            match frame {
                Frame::Str { .. } => {
                    self.close_string();
                    return;
                }
                Frame::Spec { .. } => {
                    self.stack.pop();
                }
                Frame::Code { opener: 0, .. } => return,
                Frame::Code { .. } => self.close_frame(),
            }
        }
    }

    /// In a format spec of the string quoted by `quote` (`triple` or not) that starts at `at`.
    fn in_spec(&mut self, quote: u8, triple: bool, at: usize) -> Result<(), TooDeep> {
        self.ends_colon = false;
        let next = self.i + 1;
        match self.bytes[self.i] {
            b'{' => self.open(b'{', true)?,
            b'}' => {
                self.stack.pop(); // the spec
                self.close_frame(); // and its field
                self.i += 1;
            }
            b'\\' => match self.bytes.get(next) {
                Some(b'{' | b'}') | None => self.i = next, // the brace is still read as one
                Some(_) => {
                    let n = self.newline_len(next);
                    if n > 0 {
                        self.line += 1;
                    }
                    self.i = next + n.max(1);
                }
            },
            b'\n' | b'\r' if triple => {
                self.i += self.newline_len(self.i);
                self.line += 1;
            }
            b'\n' | b'\r' => {
                // a single-quoted string ends at the line end, as in the string's text
                self.lexical(at, format!("unterminated f-string literal (detected at line {})", self.line));
                self.end_string();
            }
            c if c == quote && (!triple || (self.bytes.get(next) == Some(&quote) && self.bytes.get(next + 1) == Some(&quote))) => {
                // the string's closing quote ends it, fields and spec included
                self.lexical(self.i, "f-string: expecting '}'".into());
                self.end_string();
                self.i += if triple { 3 } else { 1 };
            }
            _ => self.i += 1,
        }
        Ok(())
    }

    fn in_code(&mut self) -> Result<(), TooDeep> {
        if self.at_line_start {
            return self.line_start();
        }
        let c = self.bytes[self.i];
        if !matches!(c, b' ' | b'\t' | b'\x0c' | b'#' | b'\n' | b'\r' | b'\\') {
            self.ends_colon = c == b':';
        }
        match c {
            b' ' | b'\t' | b'\x0c' => {
                while self.i < self.bytes.len() && matches!(self.bytes[self.i], b' ' | b'\t' | b'\x0c') {
                    self.i += 1;
                }
                return Ok(());
            }
            b'#' if !self.plain => {
                while self.i < self.bytes.len() && !matches!(self.bytes[self.i], b'\n' | b'\r') {
                    self.i += 1;
                }
            }
            b'\n' | b'\r' => self.end_line(),
            b'\\' => {
                let n = self.newline_len(self.i + 1);
                if n > 0 {
                    self.line += 1;
                } else if self.i + 1 == self.bytes.len() {
                    self.lexical(self.i, "unexpected EOF while parsing".into());
                } else {
                    self.lexical(self.i, "unexpected character after line continuation character".into());
                }
                self.i += 1 + n;
            }
            b'(' | b'[' | b'{' => self.open(c, false)?,
            b')' | b']' | b'}' => self.close(c),
            b':' => {
                if let Some(Frame::Code { field: true, .. }) = self.stack.last() {
                    let string = self.stack.iter().rev().find_map(|f| match *f {
                        Frame::Str { quote, triple, at, .. } => Some((quote, triple, at)),
                        _ => None,
                    });
                    if let Some((quote, triple, at)) = string {
                        self.stack.push(Frame::Spec { quote, triple, at });
                    }
                }
                self.i += 1;
            }
            b',' | b';' => {
                self.reset_chain();
                if c == b';' && self.stack.len() == 1 && !self.compound {
                    if let Some((start, first)) = self.statement.take() {
                        self.result.top_level.push((start..self.i, first));
                        self.statement = Some((self.i + 1, self.line));
                    }
                }
                self.i += 1;
            }
            b'\'' | b'"' if !self.plain => self.open_string(self.i, self.i),
            b'+' | b'-' | b'*' | b'/' | b'%' | b'@' | b'&' | b'|' | b'^' | b'~' | b'.' | b'<' | b'>' => {
                self.add_chain();
                self.i += 1;
            }
            c if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 => {
                let start = self.i;
                self.i = self.word_end(start);
                let word = &self.bytes[start..self.i];
                if !self.plain && matches!(self.bytes.get(self.i), Some(b'\'' | b'"')) && is_string_prefix(word) {
                    self.open_string(start, self.i);
                } else if matches!(word, b"not" | b"lambda" | b"await" | b"if") {
                    self.add_chain();
                }
            }
            _ => self.i += 1,
        }
        self.result.deepest = self.result.deepest.max(self.chain + self.brackets);
        Ok(())
    }

    fn word_end(&self, start: usize) -> usize {
        let mut end = start;
        while end < self.bytes.len() && (self.bytes[end].is_ascii_alphanumeric() || self.bytes[end] == b'_' || self.bytes[end] >= 0x80) {
            end += 1;
        }
        end
    }

    /// At the start of a line of the module level: indentation, and the statement it starts.
    fn line_start(&mut self) -> Result<(), TooDeep> {
        self.at_line_start = false;
        let mut width = 0usize;
        let mut alt = 0usize;
        let mut j = self.i;
        while j < self.bytes.len() && matches!(self.bytes[j], b' ' | b'\t' | b'\x0c') {
            (width, alt) = match self.bytes[j] {
                b'\t' => ((width / 8 + 1) * 8, alt + 1),
                b'\x0c' => (0, 0), // CPython resets the column at a form feed
                _ => (width + 1, alt + 1),
            };
            j += 1;
        }
        self.i = j;
        if j == self.bytes.len() || matches!(self.bytes[j], b'\n' | b'\r' | b'#') {
            return Ok(()); // blank or comment line
        }
        let current = *self.indents.last().unwrap_or(&0);
        if let Some((_, header)) = self.block_after.take() {
            if width <= current {
                self.indentation(j, format!("expected an indented block after line {header}"));
            }
        } else if width > current {
            self.indentation(j, "unexpected indent".into());
        }
        const TABS: &str = "inconsistent use of tabs and spaces in indentation";
        if width > current {
            if alt <= *self.alt_indents.last().unwrap_or(&0) {
                self.lexical(j, TABS.into());
            }
            self.indents.push(width);
            self.alt_indents.push(alt);
            if self.indents.len() > MAX_INDENT {
                return Err(TooDeep { message: "too many levels of indentation".into(), line: self.line });
            }
        } else {
            while self.indents.len() > 1 && width < *self.indents.last().unwrap_or(&0) {
                self.indents.pop();
                self.alt_indents.pop();
            }
            if width != *self.indents.last().unwrap_or(&0) {
                self.lexical(j, "unindent does not match any outer indentation level".into());
            } else if alt != *self.alt_indents.last().unwrap_or(&0) {
                self.lexical(j, TABS.into());
            }
        }
        if width == 0 {
            self.statement = Some((j, self.line));
            self.compound = COMPOUND.contains(&&self.bytes[j..self.word_end(j)]);
        }
        Ok(())
    }

    /// A line end in code: at the module level it ends the logical line.
    fn end_line(&mut self) {
        let n = self.newline_len(self.i);
        if self.stack.len() == 1 {
            if let Some((start, first)) = self.statement.take() {
                self.result.top_level.push((start..self.i, first));
            }
            if self.ends_colon {
                self.block_after = Some((self.i, self.line));
            }
            self.ends_colon = false;
            self.at_line_start = !self.plain;
            self.reset_chain();
        }
        self.line += 1;
        self.i += n;
    }

    fn open(&mut self, opener: u8, field: bool) -> Result<(), TooDeep> {
        self.brackets += 1;
        if self.brackets > MAX_BRACKETS && !self.plain {
            return Err(TooDeep { message: "too many nested parentheses".into(), line: self.line });
        }
        self.stack.push(Frame::Code { chain: 0, opener, at: self.i, line: self.line, field });
        self.i += 1;
        Ok(())
    }

    fn close(&mut self, closer: u8) {
        match self.stack.last().copied() {
            Some(Frame::Code { opener, line, field, .. }) if opener != 0 => {
                let expected = match opener {
                    b'(' => b')',
                    b'[' => b']',
                    _ => b'}',
                };
                if closer != expected {
                    let message = if field {
                        format!("f-string: unmatched '{}'", closer as char)
                    } else if line == self.line {
                        format!("closing parenthesis '{}' does not match opening parenthesis '{}'", closer as char, opener as char)
                    } else {
                        format!(
                            "closing parenthesis '{}' does not match opening parenthesis '{}' on line {line}",
                            closer as char, opener as char
                        )
                    };
                    self.lexical(self.i, message);
                }
                self.close_frame();
            }
            _ => self.lexical(self.i, format!("unmatched '{}'", closer as char)),
        }
        self.i += 1;
    }

    /// Pops the code frame on top (never the module level's).
    fn close_frame(&mut self) {
        if self.stack.len() > 1 {
            if let Some(Frame::Code { chain, .. }) = self.stack.pop() {
                self.chain = self.chain.saturating_sub(chain);
                self.brackets = self.brackets.saturating_sub(1);
            }
        }
    }

    fn add_chain(&mut self) {
        if let Some(Frame::Code { chain, .. }) = self.stack.last_mut() {
            *chain += 1;
            self.chain += 1;
        }
    }

    fn reset_chain(&mut self) {
        if let Some(Frame::Code { chain, .. }) = self.stack.last_mut() {
            self.chain = self.chain.saturating_sub(*chain);
            *chain = 0;
        }
    }

    /// Opens the literal whose prefix starts at `prefix_start` and whose quote is at `quote_at`.
    fn open_string(&mut self, prefix_start: usize, quote_at: usize) {
        let prefix = &self.bytes[prefix_start..quote_at];
        let has = |letter: u8| prefix.iter().any(|c| c.to_ascii_lowercase() == letter);
        let quote = self.bytes[quote_at];
        let triple = self.bytes.get(quote_at + 1) == Some(&quote) && self.bytes.get(quote_at + 2) == Some(&quote);
        self.ends_colon = false;
        self.stack.push(Frame::Str { quote, triple, raw: has(b'r'), interpolated: has(b'f') || has(b't'), at: prefix_start });
        self.i = quote_at + if triple { 3 } else { 1 };
    }

    fn finish(mut self) -> Scan {
        let end = self.bytes.len();
        match self.stack.last().copied() {
            Some(Frame::Str { triple, interpolated, at, .. }) => {
                let kind = match (triple, interpolated) {
                    (true, _) => "triple-quoted string",
                    (false, true) => "f-string",
                    (false, false) => "string",
                };
                // CPython counts the line a final line end closes, not the empty one after it
                let detected = self.line.saturating_sub(usize::from(matches!(self.bytes.last(), Some(b'\n' | b'\r'))));
                self.lexical(at, format!("unterminated {kind} literal (detected at line {detected})"));
            }
            _ => {
                let open = self.stack.iter().rev().find_map(|f| match *f {
                    Frame::Code { opener, at, .. } if opener != 0 => Some((opener, at)),
                    _ => None,
                });
                if let Some((opener, at)) = open {
                    self.lexical(at, format!("'{}' was never closed", opener as char));
                }
            }
        }
        if let Some((start, first)) = self.statement.take() {
            self.result.top_level.push((start..end, first));
        }
        if self.stack.len() == 1 && self.ends_colon {
            self.block_after = Some((end, self.line));
        }
        if let Some((at, header)) = self.block_after {
            self.indentation(at, format!("expected an indented block after line {header}"));
        }
        self.result
    }
}

/// String prefixes (case-insensitive): r, u, b, f, t and their two-letter combinations.
fn is_string_prefix(word: &[u8]) -> bool {
    word.len() <= 2 && word.iter().all(|c| matches!(c.to_ascii_lowercase(), b'r' | b'u' | b'b' | b'f' | b't'))
}

#[cfg(test)]
#[path = "guard_tests.rs"]
mod tests;
