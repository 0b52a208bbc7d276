"""Differential test of the syntax verdict (issue 10): on real sources (the
interpreter's standard library and site-packages) and on invalid snippets
covering the grammar, LiveImport's analysis agrees with the running Python's
own parser (``ast.parse``): valid or not, and the first error's line.

LiveImport's verdict is the engine's full parse (``ruff_python_parser`` for
this Python version) with CPython confirming every error the engine finds, so
agreement rests on one property checked here: the engine finds an error in
every source CPython rejects (no false negatives). Sources CPython accepts
are never rejected (the engine's false positives only cost CPython a parse).
"""

import ast
import importlib.util
import os
import sys
import sysconfig
import zipfile

import pytest

import liveimport
from liveimport import ModuleError, _engine
from liveimport_fixtures import mods, ns  # noqa: F401 (fixtures)
from syntax_snippets import SNIPPETS

VERSION = tuple(sys.version_info[:2])


def cpython_verdict(source, filename):
    """``None`` if ``ast.parse`` accepts ``source``, else the error's line;
    ``"skip"`` when it gives no verdict (recursion limit of ``ast``)."""
    try:
        ast.parse(source, filename)
    except (SyntaxError, ValueError) as error:
        return getattr(error, "lineno", None) or 0
    except (RecursionError, MemoryError):
        return "skip"
    return None


#: Every how many files of the corpus are checked: ``$LIVEIMPORT_CORPUS_STRIDE``
#: (default 1, all); ``scripts/test.sh`` samples every 10th file on the CPython
#: versions it runs the suite on besides the main one.
STRIDE = max(1, int(os.environ.get("LIVEIMPORT_CORPUS_STRIDE", "1") or 1))


def corpus():
    """``(name, source bytes)`` of the ``.py`` files of the standard library
    and site-packages (also inside a zipped standard library, as Pyodide's),
    every :data:`STRIDE`-th one."""
    for index, item in enumerate(_all_sources()):
        if index % STRIDE == 0:
            yield item


def _all_sources():
    roots = []
    for key in ("stdlib", "purelib", "platlib"):
        path = sysconfig.get_paths().get(key)
        if path and path not in roots:
            roots.append(path)
    roots.append(os.path.dirname(os.__file__))
    seen = set()
    for root in roots:
        archive = (
            next((p for p in [root, os.path.dirname(root)] if zipfile.is_zipfile(p)), None)
            if not os.path.isdir(root)
            else None
        )
        if archive:
            with zipfile.ZipFile(archive) as zf:
                for name in zf.namelist():
                    if name.endswith(".py") and (archive, name) not in seen:
                        seen.add((archive, name))
                        yield f"{archive}/{name}", zf.read(name)
            continue
        for directory, _, files in os.walk(root):
            for file in files:
                path = os.path.realpath(os.path.join(directory, file))
                if file.endswith(".py") and path not in seen:
                    seen.add(path)
                    with open(path, "rb") as f:
                        yield path, f.read()


def test_engine_finds_every_error_cpython_finds_in_real_sources():
    checked = invalid = flagged_valid = 0
    missed = []
    for name, data in corpus():
        try:
            source = importlib.util.decode_source(data)
        except (SyntaxError, UnicodeDecodeError, LookupError):
            continue
        expected = cpython_verdict(source, name)
        if expected == "skip":
            continue
        found = _engine.engine_syntax_error(source, name, VERSION)
        checked += 1
        invalid += expected is not None
        if expected is not None and found is None:
            missed.append((name, expected))
        flagged_valid += expected is None and found is not None
    print(
        f"\ndifferential corpus: {checked} files (every {STRIDE}), {invalid} rejected by CPython "
        f"{sys.version.split()[0]}, {flagged_valid} flagged by the engine only"
    )
    assert checked > 500 // STRIDE, "the corpus must hold the standard library"
    assert missed == []


def test_engine_finds_every_error_cpython_finds_in_snippets():
    rejected = [s for s in SNIPPETS if cpython_verdict(s, "m.py") is not None]
    assert len(rejected) >= 100
    missed = [s for s in rejected if _engine.engine_syntax_error(s, "m.py", VERSION) is None]
    assert missed == []


@pytest.mark.parametrize("index", range(len(SNIPPETS)))
def test_liveimport_verdict_equals_cpython(mods, ns, index):
    source = SNIPPETS[index]
    mods.write("snippet.py", "x = 1\n")
    exec("import snippet", ns)
    path = mods.write("snippet.py", source.encode())  # bytes: not dedented
    expected = cpython_verdict(source, str(path))
    if expected is None:
        liveimport.register(ns, "import snippet")
        assert liveimport.status().module("snippet") is not None
        return
    with pytest.raises(ModuleError) as info:
        liveimport.register(ns, "import snippet")
    assert info.value.phase == "analysis"
    assert info.value.__cause__.lineno == expected
