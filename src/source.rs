//! Decoding Python source files to text the way CPython's tokenizer does.
//!
//! Rules (Python language reference, "Encoding declarations", and PEP 263 / PEP 3120):
//! - The default encoding is UTF-8.
//! - A UTF-8 byte order mark (`EF BB BF`) is skipped; with a BOM, an encoding declaration other
//!   than UTF-8 is an error.
//! - An encoding declaration is a comment on line 1, or on line 2 when line 1 is a comment or
//!   blank, matching `^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)`.
//! - Bytes that do not decode are a `SyntaxError` naming the file and line.

use std::fmt;

/// Why a source file could not be decoded. Becomes a Python `SyntaxError`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// The message CPython would give, e.g. `Non-UTF-8 code starting with '\xe9' in file
    /// /drive/m.py on line 3, but no encoding declared; see PEP 263 for details`.
    pub message: String,
    /// One-based line of the offending byte or declaration.
    pub line: usize,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Decodes the bytes of the Python source file `filename` (used only in messages) to text.
/// UTF-8 source (the usual case) becomes the text without a copy of the bytes.
///
/// Errors: invalid bytes for the declared (or default UTF-8) encoding, an unknown encoding
/// name, or a BOM together with a non-UTF-8 declaration.
pub fn decode_source(bytes: impl Into<Vec<u8>>, filename: &str) -> Result<String, DecodeError> {
    let mut bytes = bytes.into();
    let has_bom = bytes.starts_with(BOM);
    if has_bom {
        bytes.drain(..BOM.len());
    }
    let body = &bytes[..];
    let declared = find_declaration(body);
    let (encoding, decl_line) = match &declared {
        Some((name, line)) => (normal_name(name), *line),
        None => ("utf-8".to_string(), 1),
    };
    if has_bom && encoding != "utf-8" {
        return Err(DecodeError { message: format!("encoding problem: {encoding} with BOM"), line: decl_line });
    }
    match encoding.as_str() {
        "utf-8" => decode_utf8(bytes, filename, declared.is_some()),
        "iso-8859-1" => Ok(body.iter().map(|&b| b as char).collect()),
        "ascii" | "us-ascii" | "646" => match body.iter().position(|&b| b >= 0x80) {
            None => Ok(body.iter().map(|&b| b as char).collect()),
            Some(pos) => Err(DecodeError {
                message: format!(
                    "(unicode error) 'ascii' codec can't decode byte 0x{:02x} in position {pos}: \
                     ordinal not in range(128)",
                    body[pos]
                ),
                line: line_of(body, pos),
            }),
        },
        other => decode_other(body, other, decl_line),
    }
}

/// CPython's `get_normal_name`: folds the spellings of UTF-8 and Latin-1 it recognises itself.
fn normal_name(name: &str) -> String {
    let lower: String = name.chars().take(12).map(|c| if c == '_' { '-' } else { c.to_ascii_lowercase() }).collect();
    let full = name.to_ascii_lowercase().replace('_', "-");
    if lower == "utf-8" || lower.starts_with("utf-8-") || full == "utf8" {
        return "utf-8".into();
    }
    for latin in ["latin-1", "iso-8859-1", "iso-latin-1"] {
        if lower == latin || lower.starts_with(&format!("{latin}-")) {
            return "iso-8859-1".into();
        }
    }
    if matches!(full.as_str(), "latin1" | "l1" | "iso8859-1" | "8859" | "cp819" | "latin") {
        return "iso-8859-1".into();
    }
    full
}

fn decode_utf8(body: Vec<u8>, filename: &str, declared: bool) -> Result<String, DecodeError> {
    match String::from_utf8(body) {
        Ok(text) => Ok(text),
        Err(err) => {
            let pos = err.utf8_error().valid_up_to();
            let body = err.as_bytes();
            let line = line_of(body, pos);
            let message = if declared {
                format!(
                    "(unicode error) 'utf-8' codec can't decode byte 0x{:02x} in position {pos}: \
                     invalid start byte",
                    body[pos]
                )
            } else {
                format!(
                    "Non-UTF-8 code starting with '\\x{:02x}' in file {filename} on line {line}, \
                     but no encoding declared; see PEP 263 for details",
                    body[pos]
                )
            };
            Err(DecodeError { message, line })
        }
    }
}

/// Other encodings by their WHATWG label (covers the common Python codec names: cp1252,
/// shift_jis, euc-kr, gbk, koi8-r, iso-8859-N, ...).
fn decode_other(body: &[u8], name: &str, decl_line: usize) -> Result<String, DecodeError> {
    let Some(encoding) = encoding_rs::Encoding::for_label_no_replacement(name.as_bytes()) else {
        return Err(DecodeError { message: format!("unknown encoding: {name}"), line: decl_line });
    };
    match encoding.decode_without_bom_handling_and_without_replacement(body) {
        Some(text) => Ok(text.into_owned()),
        None => {
            // Locate the first undecodable byte for the message.
            let mut decoder = encoding.new_decoder_without_bom_handling();
            let mut out = String::with_capacity(body.len() * 3);
            let (_, read) = decoder.decode_to_string_without_replacement(body, &mut out, true);
            let pos = read.min(body.len().saturating_sub(1));
            Err(DecodeError {
                message: format!(
                    "(unicode error) '{name}' codec can't decode byte 0x{:02x} in position {pos}",
                    body.get(pos).copied().unwrap_or(0)
                ),
                line: line_of(body, pos),
            })
        }
    }
}

/// Finds a PEP 263 declaration on line 1, or line 2 when line 1 is blank or a comment.
/// Returns the encoding name and its one-based line.
fn find_declaration(body: &[u8]) -> Option<(String, usize)> {
    let mut lines = body.split(|&b| b == b'\n');
    let first = lines.next().unwrap_or_default();
    if let Some(name) = declaration_in(first) {
        return Some((name, 1));
    }
    let trimmed: Vec<u8> = first.iter().copied().skip_while(|b| matches!(b, b' ' | b'\t' | b'\x0c')).collect();
    let first_is_comment_or_blank = trimmed.is_empty() || trimmed[0] == b'#' || trimmed == b"\r";
    if first_is_comment_or_blank {
        if let Some(second) = lines.next() {
            if let Some(name) = declaration_in(second) {
                return Some((name, 2));
            }
        }
    }
    None
}

/// `^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)` on one line of bytes.
fn declaration_in(line: &[u8]) -> Option<String> {
    let start = line.iter().position(|b| !matches!(b, b' ' | b'\t' | b'\x0c'))?;
    if line[start] != b'#' {
        return None;
    }
    let comment = &line[start..];
    let mut search = 0;
    while let Some(found) = find(&comment[search..], b"coding") {
        let after = search + found + b"coding".len();
        if matches!(comment.get(after), Some(b':') | Some(b'=')) {
            let rest = &comment[after + 1..];
            let rest = &rest[rest.iter().take_while(|b| matches!(b, b' ' | b'\t')).count()..];
            let len = rest.iter().take_while(|&&b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')).count();
            if len > 0 {
                return Some(String::from_utf8_lossy(&rest[..len]).into_owned());
            }
        }
        search = after;
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn line_of(body: &[u8], pos: usize) -> usize {
    1 + body[..pos.min(body.len())].iter().filter(|&&b| b == b'\n').count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_default_and_bom() {
        assert_eq!(decode_source(b"x = 'h\xc3\xa9'\n", "m.py").unwrap(), "x = 'h\u{e9}'\n");
        assert_eq!(decode_source(b"\xEF\xBB\xBFimport os\n", "m.py").unwrap(), "import os\n");
    }

    #[test]
    fn non_utf8_without_declaration_names_file_and_line() {
        let err = decode_source(b"import os\nx = '\xe9'\n", "/w/m.py").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("Non-UTF-8 code starting with '\\xe9' in file /w/m.py on line 2"));
    }

    #[test]
    fn latin1_cookie_on_first_or_second_line() {
        let src = b"# -*- coding: latin-1 -*-\nx = '\xe9'\n";
        assert_eq!(decode_source(src, "m.py").unwrap(), "# -*- coding: latin-1 -*-\nx = '\u{e9}'\n");
        let src = b"#!/usr/bin/env python\n# vim: set fileencoding=iso-8859-1 :\nx = '\xe9'\n";
        assert!(decode_source(src, "m.py").unwrap().ends_with("x = '\u{e9}'\n"));
        // Not on line 2 when line 1 is code.
        let src = b"import os\n# coding: latin-1\nx = '\xe9'\n";
        assert!(decode_source(src, "m.py").is_err());
    }

    #[test]
    fn other_encodings_and_errors() {
        let src = b"# coding: cp1252\nx = '\x80'\n";
        assert!(decode_source(src, "m.py").unwrap().contains('\u{20ac}'));
        let err = decode_source(b"# coding: klingon\n", "m.py").unwrap_err();
        assert_eq!(err.message, "unknown encoding: klingon");
        let err = decode_source(b"\xEF\xBB\xBF# coding: latin-1\n", "m.py").unwrap_err();
        assert!(err.message.contains("encoding problem"));
        let err = decode_source(b"# coding: ascii\nx = '\xe9'\n", "m.py").unwrap_err();
        assert_eq!(err.line, 2);
    }

    #[test]
    fn crlf_is_kept_for_the_parser() {
        assert_eq!(decode_source(b"import a\r\nimport b\r\n", "m.py").unwrap(), "import a\r\nimport b\r\n");
    }
}
