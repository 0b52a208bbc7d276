// Random inputs for the wasm-bindgen engine's fuzz harness: a seeded generator, the corpus
// (the differential test's syntax snippets, the project's Python files and a sample of the
// standard library, as tests/fuzz/corpus.rs) and the mutations of tests/fuzz/inputs.rs.

import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/** A seeded generator (sfc32: small, fast, 2^128 state; seeded with splitmix32). */
export class Rng {
  constructor(seed, index) {
    let s = (seed ^ Math.imul(index, 0x9e3779b9)) >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = (next() ^ index) >>> 0;
    for (let i = 0; i < 12; i++) this.u32();
  }
  u32() {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }
  /** An integer in [lo, hi). */
  int(lo, hi) {
    return lo + (this.u32() % Math.max(1, hi - lo));
  }
  bool(p) {
    return this.u32() / 4294967296 < p;
  }
  pick(items) {
    return items[this.int(0, items.length)];
  }
}

const TOKENS = [
  "(", ")", "[", "]", "{", "}", "'", '"', "'''", '"""', "f'", 'f"', "t'", "rb'", 'fr"', "u'", 'b"',
  "{x}", "{x!r:>{w}}", "{{", "}}", "\\N{BULLET}", "\\", "\\\n", "\n", "\r", "\r\n", "\t", " ", "    ", "\f",
  ":", ";", ",", ".", "..", "...", "*", "**", "#", "# comment\n", "=", "==", ":=", "->", "@", "-", "~", "not ",
  "lambda ", "await ", "if ", " else ", "import ", "from ", " import ", " as ", "lazy ", "import os\n",
  "from . import x\n", "from .. import y\n", "from .m import *\n", "import a.b as c\n", "if x:\n", "def f():\n",
  "class C:\n", "try:\n", "except* E:\n", "match x:\n    case 1:\n", "async ", "yield", "type X = int\n",
  "def f[T](): pass\n", "with (a as b, c as d):\n", "\u00e9", "\u{1d518}", "\u200b", "\ufeff", "\u2028",
  "\0", "$", "?", "`", "0x", "1_", "1e", "5j", "0o8", "1__0", "\ud800",
];

const PREFIXES = [
  [0xef, 0xbb, 0xbf], "# -*- coding: latin-1 -*-\n", "# coding: ascii\n", "# vim: set fileencoding=utf-8 :\n",
  "#!/usr/bin/env python\n# coding=iso-8859-15\n", "# coding: bogus-encoding\n", "\n# coding: utf-8\n",
  "x = 1\n# coding: latin-1\n", "# coding: utf-16\n", "# coding: cp1252\n",
];

function pythonFiles(dir, out) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
  } catch {
    return;
  }
  const skip = ["node_modules", "target", "build", "dist", "__pycache__", "site-packages", "test", "tests"];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!entry.name.startsWith(".") && !skip.includes(entry.name)) pythonFiles(path, out);
    } else if (entry.name.endsWith(".py")) {
      try {
        if (statSync(path).size <= 64 * 1024) out.push(path);
      } catch {
        // unreadable: left out
      }
    }
  }
}

/**
 * The corpus: `{ snippets, files, summary }`. The snippets are read by `python` (SNIPPETS of
 * tests/python/syntax_snippets.py); the standard library is `$LIVEIMPORT_FUZZ_STDLIB` or the one
 * `python` reports, every 7th file.
 */
export function loadCorpus(root, python) {
  const snippets = JSON.parse(
    execFileSync(python, ["-c", "import json, sys; sys.path.insert(0, sys.argv[1]); from syntax_snippets import SNIPPETS; print(json.dumps(SNIPPETS))", join(root, "tests/python")], { encoding: "utf8" }),
  );
  const project = [];
  for (const dir of ["python", "tests/python", "autoload", "bench", "demo"]) pythonFiles(join(root, dir), project);
  let stdlib = process.env.LIVEIMPORT_FUZZ_STDLIB;
  if (!stdlib) {
    try {
      stdlib = execFileSync(python, ["-c", "import sysconfig; print(sysconfig.get_paths()['stdlib'])"], { encoding: "utf8" }).trim();
    } catch {
      stdlib = undefined;
    }
  }
  const all = [];
  if (stdlib) pythonFiles(stdlib, all);
  const sample = all.filter((_, i) => i % 7 === 0);
  const files = [...project, ...sample].map((p) => readFileSync(p, "utf8"));
  return { snippets, files, summary: `snippets: ${snippets.length}, project files: ${project.length}, stdlib files: ${sample.length} (${stdlib ?? "none"})` };
}

function piece(rng, corpus) {
  if (corpus.files.length === 0 || rng.bool(0.4)) return rng.pick(corpus.snippets);
  const file = rng.pick(corpus.files);
  if (file.length <= 2000 && rng.bool(0.5)) return file;
  const lines = file.split(/(?<=\n)/);
  const start = rng.int(0, lines.length);
  return lines.slice(start, start + rng.int(1, 41)).join("");
}

function mutate(rng, corpus, s) {
  const at = () => rng.int(0, s.length + 1);
  switch (rng.int(0, 12)) {
    case 0: case 1: case 2: {
      const i = at();
      return s.slice(0, i) + rng.pick(TOKENS) + s.slice(i);
    }
    case 3: {
      const i = at();
      return s.slice(0, i) + s.slice(i + rng.int(0, 64));
    }
    case 4: {
      const [i, j] = [at(), at()].sort((x, y) => x - y);
      const k = at();
      return s.slice(0, k) + s.slice(i, j) + s.slice(k);
    }
    case 5: {
      const i = at();
      return s.slice(0, i) + piece(rng, corpus) + s.slice(i);
    }
    case 6:
      return s.slice(0, at());
    case 7: {
      const lines = s.split(/(?<=\n)/);
      const [i, j] = [rng.int(0, lines.length), rng.int(0, lines.length)];
      [lines[i], lines[j]] = [lines[j], lines[i]];
      return lines.join("");
    }
    case 8: {
      const lines = s.split(/(?<=\n)/);
      const i = rng.int(0, lines.length);
      lines[i] = rng.pick(["", " ", "  ", "    ", "\t", "        ", " \t", "\f"]) + (lines[i] ?? "").trimStart();
      return lines.join("");
    }
    case 9: {
      const depth = rng.pick([5, 50, 199, 201, 299, 301, 600, 1200]);
      const [open, close] = rng.pick([["(", ")"], ["[", "]"], ["{", "}"], ["-", ""], ["not ", ""], ["a.", ""]]);
      const inner = open.repeat(depth) + "x" + (rng.bool(0.8) ? close.repeat(depth) : "");
      const i = at();
      return s.slice(0, i) + `\ny = ${inner}\n` + s.slice(i);
    }
    case 10: {
      const depth = rng.pick([10, 99, 100, 101, 150]);
      let block = "";
      for (let level = 0; level < depth; level++) block += " ".repeat(level) + "if x:\n";
      block += " ".repeat(depth) + "import deep\n";
      const i = at();
      return s.slice(0, i) + block + s.slice(i);
    }
    default: {
      let text = "";
      for (let n = rng.int(1, 8); n > 0; n--) text += String.fromCharCode(rng.int(0, 128));
      const i = at();
      return s.slice(0, i) + text + s.slice(i);
    }
  }
}

/** A random module source (corpus pieces, spliced and mutated). */
export function source(rng, corpus) {
  let s = piece(rng, corpus);
  if (rng.bool(0.3)) s += piece(rng, corpus);
  for (let n = rng.pick([0, 1, 1, 2, 3, 5, 10]); n > 0; n--) s = mutate(rng, corpus, s);
  return s;
}

const encoder = new TextEncoder();

/** A source file's bytes: sometimes an encoding declaration or BOM first, random bytes in it. */
export function sourceBytes(rng, corpus) {
  const parts = [];
  if (rng.bool(0.3)) {
    const prefix = rng.pick(PREFIXES);
    parts.push(...(typeof prefix === "string" ? encoder.encode(prefix) : prefix));
  }
  parts.push(...encoder.encode(source(rng, corpus)));
  if (rng.bool(0.2)) {
    for (let n = rng.int(1, 4); n > 0; n--) parts.splice(rng.int(0, parts.length + 1), 0, rng.int(0, 256));
  }
  return Uint8Array.from(parts);
}

const NAMES = ["a", "b", "c", "pkg", "pkg.m", "pkg.n", "os", "os.path", "x.y.z", "élan", "_", "if", "None", "a1", "λ"];

/** A registration text (all import forms, other statements, mutations). */
export function registration(rng, corpus) {
  let text = rng.bool(0.1) ? "  " : "";
  for (let n = rng.int(0, 5); n > 0; n--) {
    const module = rng.pick(NAMES);
    const other = rng.pick(NAMES);
    const dots = ".".repeat(rng.pick([0, 0, 0, 1, 2, 3]));
    const statement = [
      () => `import ${module}`,
      () => `import ${module} as ${other}`,
      () => `import ${module}, ${other}`,
      () => `from ${dots}${module} import ${other}`,
      () => `from ${dots}${module} import ${other} as k, z`,
      () => `from ${dots}${module} import *`,
      () => `from ${dots || "."} import (${other},\n    ${module})`,
      () => `lazy import ${module}`,
      () => rng.pick(["x = 1", "if x:\n    import a", "print(1)", "from __future__ import annotations", "pass"]),
    ][rng.int(0, 9)]();
    text += statement + rng.pick(["\n", "; ", "  # note\n", "\r\n"]);
  }
  for (let n = rng.pick([0, 0, 0, 1, 2]); n > 0; n--) text = mutate(rng, corpus, text);
  return text;
}

export function pkg(rng) {
  return rng.pick(["", "", "pkg", "a.b", "a.b.c"]);
}
