//! Tests of [`scan`]: nesting limits and measure, top-level statements, tokenizer-level errors.

use super::*;

fn deepest(src: &str) -> usize {
    scan(src).unwrap().deepest
}

/// The first error of the tokenizer or of indentation: (message, one-based line).
fn lexical(src: &str) -> Option<(String, usize)> {
    let scan = scan(src).unwrap();
    let error = [scan.tokenizer_error, scan.indentation_error].into_iter().flatten().min_by_key(|e| e.offset)?;
    let line = 1 + src[..error.offset].matches('\n').count();
    Some((error.message, line))
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
        [
            ("import a", 1),
            ("x = (1,\n  2)", 2),
            (" import b", 3),
            ("if x:", 4),
            ("from d import (e,\n    f)", 6),
            ("'''\nimport g\n'''", 8)
        ]
    );
}

#[test]
fn compound_lines_keep_their_body() {
    let src = "if x: a = 1; import b\nclass C: import c; d = 1\nx = 1; import e\r\ny = f\"{a:;}\"; import g\n";
    let found: Vec<&str> = scan(src).unwrap().top_level.iter().map(|(r, _)| &src[r.clone()]).collect();
    assert_eq!(found, ["if x: a = 1; import b", "class C: import c; d = 1", "x = 1", " import e", "y = f\"{a:;}\"", " import g"]);
}

#[test]
fn valid_source_has_no_lexical_error() {
    for src in [
        "x = r\"\\\"\"\ny = '\\\\'\nz = b'\\''\n",
        "s = f\"{x:'^10}\" + f'{y:\"<{w}}' + f\"{z:(>3}\" + f\"{d[1:2]:)>4}\"\n",
        "s = f\"\\N{BULLET} {x}\" + rf\"\\{x}\" + f\"{{}}\" + t\"{a!r:>{b}.{c}}\"\n",
        "s = f\"{'a' + \"b\"}\" + f'''{\n  x\n}'''\n",
        "if x:  # comment:\n\n    # comment\n        # deeper comment\n    y = 1\nelse:\n\tz = 2\n",
        "def f():\r\n    return 1\r\n\r\nclass C: pass\rx = \\\r\n  1\n",
        "x = (1 +\n2)\ny = [\n]  # ]\n\x0cz = 3\n",
        "if a:\n    if b:\n        pass\n    else:\n        pass\nfinal = {1: 2}",
        "",
        "# only a comment",
        "x = 1\n    # an indented comment\ny = 2\n",
    ] {
        assert_eq!(lexical(src), None, "{src:?}");
    }
}

#[test]
fn tokenizer_errors_have_cpythons_messages_and_lines() {
    let cases: [(&str, &str, usize); 15] = [
        ("x = 1\ny = (\n", "'(' was never closed", 2),
        ("x = )\n", "unmatched ')'", 1),
        ("x = (]\n", "closing parenthesis ']' does not match opening parenthesis '('", 1),
        ("x = (\n]\n", "closing parenthesis ']' does not match opening parenthesis '(' on line 1", 2),
        ("x = 1\ny = 'abc\nz = 2\n", "unterminated string literal (detected at line 2)", 2),
        ("x = f'abc\n", "unterminated f-string literal (detected at line 1)", 1),
        ("x = 1\ny = \"\"\"abc\n\n", "unterminated triple-quoted string literal (detected at line 3)", 2),
        ("if x:\n    a\n  b\n", "unindent does not match any outer indentation level", 3),
        ("  x = 1\n", "unexpected indent", 1),
        ("x = 1\n  y = 2\n", "unexpected indent", 2),
        ("def f():\nx = 1\n", "expected an indented block after line 1", 2),
        ("def f():\n# nothing\n", "expected an indented block after line 1", 1),
        ("x = 1 \\ y\n", "unexpected character after line continuation character", 1),
        ("x = 1 \\", "unexpected EOF while parsing", 1),
        ("import os\r\ndef f(:\r\n    pass\r\n", "'(' was never closed", 2),
    ];
    for (src, message, line) in cases {
        assert_eq!(lexical(src), Some((message.to_string(), line)), "{src:?}");
    }
}

#[test]
fn tokenizer_and_indentation_errors_apart() {
    let found = scan("  x = 1\ny = (\n").unwrap();
    assert_eq!(found.tokenizer_error.map(|e| e.message).as_deref(), Some("'(' was never closed"));
    assert_eq!(found.indentation_error.map(|e| e.offset), Some(2));
    assert_eq!(scan("def f():\n").unwrap().tokenizer_error, None);
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

/// Random soups of the characters that drive the scan: no panic, no endless loop, in the scan
/// or in the analysis and registration parsing built on it.
#[test]
fn arbitrary_input_never_panics() {
    const ALPHABET: &[&str] = &[
        "(", ")", "[", "]", "{", "}", "'", "\"", "'''", "\"\"\"", "f'", "rb\"", "t'", "\\", "\n", "\r", "\r\n", "\t", " ", "    ", ":",
        ";", ",", "#", "\\N{", "{{", "}}", "!r", "=", "-", "not ", "x", "é", "import ", "from ", "lazy ", ".", "as ", "*", "if x:", "\x0c",
    ];
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..20_000 {
        let len = (next() % 24) as usize;
        let text: String = (0..len).map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize]).collect();
        let _ = scan(&text);
        let _ = crate::imports::module_dependencies(&text, "p.q", "m.py");
        let _ = crate::imports::parse_registration(&text, "p", true);
    }
}

/// Found by the fuzz harness (tests/fuzz/): decoded source that still starts with U+FEFF (a
/// file with two byte order marks; decoding skips one) is rejected by CPython's tokenizer,
/// while `ruff_python_parser` skips it as a byte order mark.
#[test]
fn a_byte_order_mark_left_in_the_text_is_an_error() {
    assert_eq!(lexical("\u{feff}import os\n"), Some(("invalid non-printable character U+FEFF".into(), 1)));
    let error = crate::analysis::engine_finding("\u{feff}from os import path\n", "/w/m.py", crate::analysis::python_version(3, 14));
    assert_eq!(error.map(|e| (e.message, e.line, e.column)), Some(("invalid non-printable character U+FEFF".into(), 1, 1)));
    assert!(crate::imports::module_dependencies("\u{feff}import os\n", "", "/w/m.py").is_err());
    assert_eq!(lexical("import os\n"), None);
}

/// A format spec ends where `ruff_python_parser`'s lexer ends it: at a line end in a
/// single-quoted string, at the string's closing quote. What follows is code to that parser
/// (indented blocks, brackets), so the scan measures it as code. The shape of two inputs of the
/// wasm fuzz harness (seed 387389207, cases 6822502 and 9022294): read as spec text, 1,200
/// unclosed `[` passed the scan and overflowed the WebAssembly stack in the parser.
#[test]
fn a_format_spec_ends_where_the_parser_ends_it() {
    let brackets = format!("y = {}x\n", "[".repeat(1200));
    for head in ["x = f'{1 # comment\nif x:\n", "x = f\"{_CELL_USAif x:\n if x:\n", "x = f'{a:b'\n", "x = f'''{a:b'''\n", "x = t'{a:b\n"] {
        let err = scan(&format!("{head}{brackets}")).unwrap_err();
        assert_eq!(err.message, "too many nested parentheses", "{head:?}");
        assert!(deepest(&format!("{head}y = {}1\n", "-".repeat(3000))) > SAFE_DEPTH, "{head:?}");
    }
    let deep = (1..=100).map(|i| format!("{}if x:\n", " ".repeat(i))).collect::<String>();
    let err = scan(&format!("x = f'{{1 # comment\nif x:\n{deep}")).unwrap_err();
    assert_eq!(err.message, "too many levels of indentation");
    assert_eq!(lexical("x = f'{a:b\ny = 1\n"), Some(("unterminated f-string literal (detected at line 1)".into(), 1)));
    assert_eq!(lexical("x = f'{a:b'\ny = 1\n"), Some(("f-string: expecting '}'".into(), 1)));
    // Specs that stay specs: over lines in a triple-quoted string, an escaped quote.
    for src in ["s = f'''{x:>\n{w}}''' + f'{x:{\"a\"}}'\ny = 1\n", "s = f'{x:\\'}'\n"] {
        assert_eq!(lexical(src), None, "{src:?}");
        assert_eq!(scan(src).unwrap().top_level.len(), if src.contains("y = 1") { 2 } else { 1 }, "{src:?}");
    }
}

/// After a tokenizer error the measure counts what the scan read as literals too: the parser's
/// error recovery may read it as code. The shape of an input of the wasm fuzz harness (seed
/// 387389207, case 2150640): after `(` left open in an f-string's replacement field, the parser
/// re-lexes `'''` as the f-string's end where the scan opens a new string, and parsed 1,200 `{`
/// the scan had read as string text (a stack overflow in WebAssembly).
#[test]
fn after_a_tokenizer_error_literals_do_not_hide_nesting() {
    let head = "x = f'''{x = (1,\n  2,\n 1\n\n}'''\n";
    for deep in [format!("y = {}x\n", "{".repeat(1200)), format!("y = {}1\n", "-".repeat(3000))] {
        let scan = scan(&format!("{head}{deep}")).unwrap();
        assert!(scan.tokenizer_error.is_some());
        assert!(scan.deepest > SAFE_DEPTH, "{}", scan.deepest);
        let finding = crate::analysis::engine_finding(&format!("{head}{deep}"), "/w/m.py", crate::analysis::python_version(3, 14));
        assert!(finding.is_some());
    }
    // Without a tokenizer error, literals still hide what they hold.
    assert_eq!(deepest(&format!("s = '{}'\n# {}\n", "[".repeat(1200), "(".repeat(1200))), 0);
    assert!(deepest(&format!("s = '{}\n", "[".repeat(1200))) > SAFE_DEPTH, "an unterminated string");
}
