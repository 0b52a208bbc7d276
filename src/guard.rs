//! A pre-parse scan that keeps deeply nested source away from the recursive parser.
//!
//! `ruff_python_parser` is recursive descent, and dropping its tree is recursive too. Inside
//! Pyodide the WebAssembly call stack is small (V8's native stack, smaller still in a Web
//! Worker) and cannot grow, so source nested a few thousand levels deep would abort the whole
//! interpreter instead of raising. [`scan`] walks the text once, iteratively (aware of comments
//! and string literals, f-string replacement fields included):
//! - it rejects what CPython rejects outright, with CPython's messages: more than 200 nested
//!   brackets (`too many nested parentheses`) and 100 indentation levels (`too many levels of
//!   indentation`);
//! - it measures nesting conservatively ([`Scan::deepest`]: every operator character, dot and
//!   `not`/`lambda`/`await`/`if` since the last comma at each open bracket level, plus the open
//!   brackets), so the caller parses the whole source only when that is safe ([`SAFE_DEPTH`]);
//! - it records the top-level simple statements ([`Scan::top_level`]), so that deeper source can
//!   still be analysed statement by statement.

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

/// What [`scan`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scan {
    /// The nesting measure's maximum over the source.
    pub deepest: usize,
    /// Byte ranges of the unindented simple statements (split at newlines and `;` outside
    /// brackets), with the one-based line each starts on.
    pub top_level: Vec<(std::ops::Range<usize>, usize)>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Frame {
    /// Code inside a bracket (or an f-string replacement field, closed by `}`), with its chain.
    Code { chain: usize },
    /// Inside a string literal.
    Str { quote: u8, triple: bool, raw: bool, interpolated: bool },
}

/// Scans `source`. Errors: CPython's bracket and indentation limits.
pub fn scan(source: &str) -> Result<Scan, TooDeep> {
    let bytes = source.as_bytes();
    let mut result = Scan::default();
    // The unindented statement being read: (start, line).
    let mut statement: Option<(usize, usize)> = None;
    let mut stack: Vec<Frame> = vec![Frame::Code { chain: 0 }];
    let mut brackets = 0usize;
    let mut line = 1usize;
    let mut indents: Vec<usize> = vec![0];
    let mut at_line_start = true;
    let mut i = 0usize;
    let too_deep = |message: &str, line: usize| Err(TooDeep { message: message.into(), line });

    while i < bytes.len() {
        let c = bytes[i];
        match *stack.last().expect("the stack keeps its base frame") {
            Frame::Str { quote, triple, raw, interpolated } => {
                if c == b'\n' {
                    line += 1;
                }
                if c == b'\\' && !raw {
                    if bytes.get(i + 1) == Some(&b'\n') {
                        line += 1;
                    }
                    i += 2;
                    continue;
                }
                if interpolated && c == b'{' {
                    if bytes.get(i + 1) == Some(&b'{') {
                        i += 2;
                        continue;
                    }
                    brackets += 1;
                    if brackets > MAX_BRACKETS {
                        return too_deep("too many nested parentheses", line);
                    }
                    stack.push(Frame::Code { chain: 0 });
                    i += 1;
                    continue;
                }
                if c == quote {
                    if !triple {
                        stack.pop();
                        i += 1;
                        continue;
                    }
                    if bytes.get(i + 1) == Some(&quote) && bytes.get(i + 2) == Some(&quote) {
                        stack.pop();
                        i += 3;
                        continue;
                    }
                }
                if c == b'\n' && !triple {
                    stack.pop(); // unterminated: the parser reports it
                }
                i += 1;
            }
            Frame::Code { .. } => {
                if at_line_start && brackets == 0 && stack.len() == 1 {
                    // Measure indentation of a non-blank, non-comment line.
                    let mut width = 0usize;
                    let mut j = i;
                    while j < bytes.len() && matches!(bytes[j], b' ' | b'\t' | b'\x0c') {
                        width = if bytes[j] == b'\t' { (width / 8 + 1) * 8 } else { width + 1 };
                        j += 1;
                    }
                    at_line_start = false;
                    if j < bytes.len() && !matches!(bytes[j], b'\n' | b'\r' | b'#') {
                        if width == 0 {
                            statement = Some((j, line));
                        }
                        if width > *indents.last().unwrap_or(&0) {
                            indents.push(width);
                            if indents.len() > MAX_INDENT {
                                return too_deep("too many levels of indentation", line);
                            }
                        } else {
                            while indents.len() > 1 && width < *indents.last().unwrap_or(&0) {
                                indents.pop();
                            }
                        }
                    }
                    i = j;
                    continue;
                }
                match c {
                    b'#' => {
                        while i < bytes.len() && bytes[i] != b'\n' {
                            i += 1;
                        }
                    }
                    b'\n' => {
                        if brackets == 0 && stack.len() == 1 {
                            if let Some((start, first)) = statement.take() {
                                result.top_level.push((start..i, first));
                            }
                            at_line_start = true;
                            stack[0] = Frame::Code { chain: 0 };
                        }
                        line += 1;
                        i += 1;
                    }
                    b'\\' if bytes.get(i + 1) == Some(&b'\n') => {
                        line += 1;
                        i += 2;
                    }
                    b'(' | b'[' | b'{' => {
                        brackets += 1;
                        if brackets > MAX_BRACKETS {
                            return too_deep("too many nested parentheses", line);
                        }
                        stack.push(Frame::Code { chain: 0 });
                        i += 1;
                    }
                    b')' | b']' | b'}' => {
                        if stack.len() > 1 {
                            stack.pop();
                            brackets = brackets.saturating_sub(1);
                        }
                        i += 1;
                    }
                    b',' | b';' => {
                        if let Some(Frame::Code { chain }) = stack.last_mut() {
                            *chain = 0;
                        }
                        if c == b';' && brackets == 0 && stack.len() == 1 {
                            if let Some((start, first)) = statement.take() {
                                result.top_level.push((start..i, first));
                                statement = Some((i + 1, line));
                            }
                        }
                        i += 1;
                    }
                    b'\'' | b'"' => {
                        i = open_string(bytes, i, i, &mut stack);
                    }
                    b'+' | b'-' | b'*' | b'/' | b'%' | b'@' | b'&' | b'|' | b'^' | b'~' | b'.' | b'<' | b'>' => {
                        add_chain(&mut stack, 1);
                        i += 1;
                    }
                    c if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 => {
                        let start = i;
                        while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] >= 0x80) {
                            i += 1;
                        }
                        let word = &bytes[start..i];
                        if matches!(bytes.get(i), Some(b'\'' | b'"')) && is_string_prefix(word) {
                            i = open_string(bytes, start, i, &mut stack);
                        } else if matches!(word, b"not" | b"lambda" | b"await" | b"if") {
                            add_chain(&mut stack, 1);
                        }
                    }
                    _ => i += 1,
                }
                let chain: usize = stack.iter().map(|f| if let Frame::Code { chain } = f { *chain } else { 0 }).sum();
                result.deepest = result.deepest.max(chain + brackets);
            }
        }
    }
    if let Some((start, first)) = statement {
        result.top_level.push((start..bytes.len(), first));
    }
    Ok(result)
}

fn add_chain(stack: &mut [Frame], n: usize) {
    if let Some(Frame::Code { chain }) = stack.last_mut() {
        *chain += n;
    }
}

/// String prefixes (case-insensitive): r, u, b, f, t and their two-letter combinations.
fn is_string_prefix(word: &[u8]) -> bool {
    word.len() <= 2 && word.iter().all(|c| matches!(c.to_ascii_lowercase(), b'r' | b'u' | b'b' | b'f' | b't'))
}

/// Pushes a string frame for the literal whose prefix starts at `prefix_start` and whose quote
/// is at `quote_at`; returns the index just after the opening quote(s).
fn open_string(bytes: &[u8], prefix_start: usize, quote_at: usize, stack: &mut Vec<Frame>) -> usize {
    let prefix = bytes[prefix_start..quote_at].to_ascii_lowercase();
    let quote = bytes[quote_at];
    let triple = bytes.get(quote_at + 1) == Some(&quote) && bytes.get(quote_at + 2) == Some(&quote);
    stack.push(Frame::Str {
        quote,
        triple,
        raw: prefix.contains(&b'r'),
        interpolated: prefix.contains(&b'f') || prefix.contains(&b't'),
    });
    quote_at + if triple { 3 } else { 1 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deepest(src: &str) -> usize {
        scan(src).unwrap().deepest
    }

    #[test]
    fn ordinary_code_is_shallow() {
        let src = "\"\"\"Doc (((( string\n\"\"\"\nimport os\nx = [-1, -2, -3] * 3 + a.b.c(d, e)\n\
                   y = f\"{x!r:>{width}} {{literal((((\"\ndef f(a, b=-1):\n    return not a\n# ((((((\n";
        assert!(deepest(src) < 20, "{}", deepest(src));
        let big_list = format!("x = [{}]\n", vec!["-1.5"; 100_000].join(", "));
        assert!(deepest(&big_list) < 10);
    }

    #[test]
    fn top_level_statements() {
        let src = "import a\nx = (1,\n  2); import b\nif x:\n    import c\nfrom d import (e,\n    f)\n'''\nimport g\n'''\n";
        let found: Vec<(&str, usize)> = scan(src).unwrap().top_level.iter().map(|(r, l)| (&src[r.clone()], *l)).collect();
        assert_eq!(
            found,
            [("import a", 1), ("x = (1,\n  2)", 2), (" import b", 3), ("if x:", 4), ("from d import (e,\n    f)", 6), ("'''\nimport g\n'''", 8)]
        );
    }

    #[test]
    fn brackets_over_cpythons_limit() {
        assert_eq!(deepest(&format!("x = {}{}", "(".repeat(200), ")".repeat(200))), 200);
        let err = scan(&format!("\n\nx = {}{}", "(".repeat(201), ")".repeat(201))).unwrap_err();
        assert_eq!(err, TooDeep { message: "too many nested parentheses".into(), line: 3 });
        let nested_fstrings = format!("x = {}1{}", "f'{f\"{".repeat(150), "}\"}'".repeat(150));
        assert!(scan(&nested_fstrings).is_err());
    }

    #[test]
    fn indentation_over_cpythons_limit() {
        let deep = |n: usize| (0..n).map(|i| format!("{}if x:\n", " ".repeat(i))).collect::<String>() + &" ".repeat(n) + "pass\n";
        assert!(scan(&deep(99)).is_ok());
        let err = scan(&deep(100)).unwrap_err();
        assert_eq!((err.message.as_str(), err.line), ("too many levels of indentation", 101));
    }

    #[test]
    fn long_chains_are_deep() {
        for src in [
            format!("x = {}1", "-".repeat(3000)),
            format!("x = {}1", "not ".repeat(3000)),
            format!("x = {}", vec!["1"; 30_000].join("+")),
            format!("x = {}b", "a.".repeat(30_000)),
            format!("x = {}1", "lambda: ".repeat(30_000)),
        ] {
            assert!(deepest(&src) > SAFE_DEPTH);
        }
        assert!(deepest(&format!("x = {}", vec!["1"; 200].join("+"))) < SAFE_DEPTH);
    }
}
