"""Benchmark of the stale-name detection (issue 18): what a sync that reloaded
modules adds in a notebook whose namespace holds 10,000 names.

Usage::

    python bench/stale.py [--rounds 30]           # natively, with liveimport installed
    node bench/stale.mjs [--pyodide VERSION] [--rounds 30]   # inside Pyodide under Node

Set-up (not timed): 10 modules, each with 5 classes (one an Enum) and 5
functions, imported and registered (``import m0`` ...); all 10 reload in one
``sync()``; then a namespace of 10,000 names (the mix of :func:`fill`: 4,000
numbers and strings, 2,500 lists and 1,500 dicts of 10 numbers, 1,600 objects
of the modules' new versions, 400 of their old versions).

Timed, each the median over ``--rounds`` runs (GC off while timing, as
``timeit`` does; ``stale()`` also in CPU time):

- ``stale()``: ``liveimport.stale(namespace)``, the whole detection (what a
  notebook runs once after a sync that reloaded something, and on request);
- ``note``: wording the note from those entries (``_nb_report.stale_note``);
- ``cell``: the per-cell attribution of a 20-line cell (collecting its bound
  names from its AST, then comparing those names' values), what every cell
  costs.

Prints one line per figure (milliseconds) and a last line ``STALE-BENCH
{json}`` with them. A benchmark: it checks the detection found what it must
(exit status 1 otherwise), never how fast it was.
"""

from __future__ import annotations

import argparse
import ast
import gc
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

MODULES = 10
NAMES = 10_000

MODULE_TEMPLATE = """\
import enum

class Color(enum.Enum):
    RED = 1
    GREEN = 2

{classes}

{functions}
"""


def module_source(index: int, version: int) -> str:
    classes = "\n\n".join(
        f"class C{k}:\n    def __init__(self):\n        self.value = {k}\n"
        f"    def get(self):\n        return self.value + {version}\n"
        for k in range(4)
    )
    functions = "\n\n".join(
        f"def f{k}(x):\n    return x + {k} + {version} + {index}\n" for k in range(5)
    )
    return MODULE_TEMPLATE.format(classes=classes, functions=functions)


def write_modules(root: str, version: int, mtime: float) -> None:
    for index in range(MODULES):
        path = os.path.join(root, f"m{index}.py")
        with open(path, "w") as file:
            file.write(module_source(index, version))
        os.utime(path, (mtime, mtime))


def fill(namespace: dict[str, Any], old: list[Any], new: list[Any]) -> int:
    """Fill ``namespace`` with :data:`NAMES` names of the benchmark's mix, of
    every 100: 40 numbers and strings, 25 lists of 10 numbers, 15 dicts of 10
    numbers, 16 objects of the modules' current versions (instances, enum
    members, functions, bound methods) and 4 of their old versions (an
    instance, a function, a bound method, a list holding an old instance).
    ``old``/``new``: the modules' ``(C0, Color, f0)`` before and after the
    reload. Returns how many names hold old objects."""
    stale = 0
    for n in range(NAMES):
        slot = n % 100
        c0, color, f0 = new[n % MODULES]
        value: Any
        if slot < 40:
            value = n if slot % 2 else f"text {n}"
        elif slot < 65:
            value = list(range(10))
        elif slot < 80:
            value = {str(k): k for k in range(10)}
        elif slot < 96:
            value = (c0(), color.RED, f0, c0().get)[slot % 4]
        else:
            c0, color, f0 = old[n % MODULES]
            value = (c0(), f0, c0().get, [1, c0()])[slot % 4]
            stale += 1
        namespace[f"v{n}"] = value
    return stale


def timed(function: Callable[[], Any], rounds: int) -> tuple[float, float, Any]:
    """Median wall-clock and median CPU milliseconds (``time.process_time``:
    less disturbed by other processes on a loaded machine; in Pyodide it
    follows the wall clock) of ``rounds`` calls, and the last result."""
    result = function()  # warm up
    wall = []
    cpu = []
    gc.disable()
    try:
        for _ in range(rounds):
            start, start_cpu = time.perf_counter(), time.process_time()
            result = function()
            cpu.append((time.process_time() - start_cpu) * 1000)
            wall.append((time.perf_counter() - start) * 1000)
    finally:
        gc.enable()
    return statistics.median(wall), statistics.median(cpu), result


CELL = "\n".join(
    [
        "import math",
        "total = 0",
        "for k in range(3):",
        "    total += k",
        "sq = m0.C0()",
        "def helper(x):",
        "    return x * 2",
        "class Local:",
        "    pass",
        "a, b = 1, 2",
        "if total:",
        "    c = [sq]",
        "else:",
        "    c = []",
        "with open(__file__) as handle:",
        "    d = 1",
        "try:",
        "    e = 1",
        "except ValueError as err:",
        "    e = 2",
    ]
)


def runtime() -> str:
    """``pyodide VERSION`` or ``native CPython VERSION``."""
    if sys.platform == "emscripten":
        import pyodide  # type: ignore[import-not-found]

        return f"pyodide {pyodide.__version__} (Python {platform.python_version()})"
    return f"native CPython {platform.python_version()}"


def run(rounds: int) -> dict[str, Any]:
    import liveimport
    from liveimport import _cells, _engine
    from liveimport._nb_report import stale_note

    root = tempfile.mkdtemp(prefix="stale-bench-")
    os.chdir(root)
    sys.path.insert(0, root)
    liveimport.workspace(root)
    old = time.time() - 3600
    write_modules(root, 1, old)
    namespace: dict[str, Any] = {}
    statements = "\n".join(f"import m{i}" for i in range(MODULES))
    exec(statements, namespace)  # noqa: S102  (the benchmark's own imports)
    liveimport.register(namespace, statements)
    modules = [namespace[f"m{i}"] for i in range(MODULES)]
    before = [(m.C0, m.Color, m.f0) for m in modules]
    write_modules(root, 2, old + 10)
    events: list[Any] = []
    liveimport.sync(observer=events.append)
    reloaded = sorted(e.module for e in events)
    after = [(m.C0, m.Color, m.f0) for m in modules]
    expected = fill(namespace, before, after)
    names = sum(1 for k in namespace if not k.startswith("_"))

    stale_ms, stale_cpu, entries = timed(lambda: liveimport.stale(namespace), rounds)
    note_ms, _, note = timed(lambda: stale_note(entries), rounds)

    class Shell:  # what the tracker reads of an IPython shell
        def __init__(self) -> None:
            self.user_ns = namespace
            self.user_ns_hidden: dict[str, Any] = {}

    tracker = _cells.CellTracker(Shell())
    tree = ast.parse(CELL)

    def cell() -> list[str]:
        tracker.visit(tree)
        namespace["sq"] = object()  # the cell rebinds its names
        return tracker.settle(7)

    cell_ms, _, changed = timed(cell, rounds)

    # Checks: what must be found.
    problems = []
    if reloaded != sorted(f"m{i}" for i in range(MODULES)):
        problems.append(f"reloaded {reloaded}")
    if len(entries) != expected or any(int(e.name[1:]) % 100 < 96 for e in entries):
        problems.append(f"{len(entries)} stale entries, expected {expected} (slots 96-99)")
    if not note.startswith("Still on the old version of m"):
        problems.append(f"note {note[:80]!r}")
    if "sq" not in changed:
        problems.append(f"cell attribution changed {changed}")
    return {
        "runtime": runtime(),
        "python": platform.python_version(),
        "engine": _engine.BACKEND,
        "names": names,
        "reloaded_modules": len(reloaded),
        "stale_entries": len(entries),
        "rounds": rounds,
        "stale_ms": round(stale_ms, 3),
        "stale_cpu_ms": round(stale_cpu, 3),
        "note_ms": round(note_ms, 3),
        "cell_ms": round(cell_ms, 4),
        "problems": problems,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    result = run(args.rounds)
    print(
        f"{result['runtime']} ({result['engine']} engine): {result['names']} names, "
        f"{result['reloaded_modules']} reloaded modules, {result['stale_entries']} stale entries"
    )
    print(f"  stale():          {result['stale_ms']:.2f} ms (CPU {result['stale_cpu_ms']:.2f} ms)")
    print(f"  note:             {result['note_ms']:.2f} ms")
    print(f"  cell attribution: {result['cell_ms']:.3f} ms per 20-line cell")
    for problem in result["problems"]:
        print(f"  CHECK FAILED: {problem}")
    print("STALE-BENCH " + json.dumps(result))
    return 1 if result["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
