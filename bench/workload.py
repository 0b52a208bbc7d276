"""Generators of realistic workspace modules for the benchmarks (stdlib only).

Runs unchanged in CPython and inside Pyodide. Every generator is deterministic
(a seeded ``random.Random``), so both implementations see byte-identical files.

Functions return module sources as ``str``; :func:`write_modules` writes them to
a directory and sets every file's mtime to the same whole second, so a later
``touch`` (:func:`touch`) is always a visible change, even on a file system
with 1 ms (MEMFS) or 1 s mtime resolution.
"""
import os
import random

_STDLIB_IMPORTS = [
    "import os",
    "import re",
    "import math",
    "import functools",
    "import itertools",
    "import collections",
    "from dataclasses import dataclass, field",
    "from typing import Any, Iterable, Optional",
]

_WORDS = ("alpha beta gamma delta sigma omega tensor vector matrix sample "
          "signal buffer record window series frame packet cursor").split()


def _ident(rng, prefix):
    return f"{prefix}_{rng.choice(_WORDS)}_{rng.randrange(1000)}"


def _function(rng, name, deps):
    """A documented, annotated function of 15 to 17 lines; may call a dependency's ``f0``."""
    a, b = rng.sample(_WORDS, 2)
    call = ""
    if deps:
        dep = rng.choice(deps)
        call = f"    total += {dep}.f0({a}, 1)  # cross-module call\n"
    return (
        f"def {name}({a}: float, {b}: int = 2, *, scale: float = 1.0) -> float:\n"
        f'    """Combine the {a} measurement with {b} repetitions.\n\n'
        f"    Args:\n"
        f"        {a}: a non-negative value, in the caller's units.\n"
        f"        {b}: how many terms of the series to add up.\n"
        f"        scale: multiplies every term of the series.\n\n"
        f"    Returns the sum as a float; raises ValueError when {a} < 0.\n"
        f'    """\n'
        f"    if {a} < 0:\n"
        f'        raise ValueError(f"{a} must be >= 0, got {{{a}!r}}")\n'
        f"    total = 0.0\n"
        f"    for i in range(int({b})):\n"
        f"        total += math.sqrt({a} + i) * {rng.randint(1, 9)} * scale\n"
        f"{call}"
        f"    values = [x * {b} for x in range(3) if x % 2 == 0]\n"
        f"    return total + sum(values)\n")


def _class(rng, name):
    """A documented dataclass-like class of about 40 lines."""
    f1, f2 = rng.sample(_WORDS, 2)
    return (
        f"@dataclass\n"
        f"class {name}:\n"
        f'    """A {f1} together with the {f2} items collected for it.\n\n'
        f"    Attributes:\n"
        f"        {f1}: the base count (int) that every total starts from.\n"
        f"        {f2}: the collected items (list of str), in insertion order.\n"
        f'    """\n'
        f"    {f1}: int = {rng.randint(0, 99)}\n"
        f"    {f2}: list = field(default_factory=list)\n\n"
        f"    def add(self, item: str) -> None:\n"
        f'        """Append item to {f2}."""\n'
        f"        self.{f2}.append(item)\n\n"
        f"    def total(self) -> int:\n"
        f'        """Sum of {f1} and the lengths of the {f2} items."""\n'
        f"        return self.{f1} + sum(len(x) for x in self.{f2})\n\n"
        f"    def matches(self, pattern: str) -> list:\n"
        f'        """Items of {f2} that match the regular expression."""\n'
        f"        rx = re.compile(pattern)\n"
        f"        return [x for x in self.{f2} if rx.search(x)]\n\n"
        f"    @functools.cached_property\n"
        f"    def summary(self) -> str:\n"
        f'        """A one-line description."""\n'
        f"        parts = itertools.islice(self.{f2}, 3)\n"
        f"        return f\"{name}({{self.{f1}}}, {{', '.join(parts)}})\"\n\n"
        f"    @classmethod\n"
        f"    def from_counts(cls, counts: dict) -> '{name}':\n"
        f'        """Build from a mapping of item to count."""\n'
        f"        obj = cls()\n"
        f"        for key, n in sorted(counts.items()):\n"
        f"            for _ in range(n):\n"
        f"                obj.add(str(key))\n"
        f"        return obj\n\n"
        f"    def __len__(self) -> int:\n"
        f"        return len(self.{f2})\n")


def module_source(name, deps, lines=300, seed=0):
    """Source of a realistic module of about ``lines`` lines.

    ``deps`` (list of module names) are imported at top level, half as
    ``import d`` and half as ``from d import f0`` (every generated module
    defines ``f0``). The module defines ``f0``, ``VALUE``, documented
    functions and classes, and does no work at import time beyond ``def``s.
    """
    rng = random.Random(f"{name}:{seed}")
    head = [f'"""Module {name}: generated benchmark code ({lines} lines).\n\n'
            f'Imports {len(deps)} workspace modules.\n"""']
    head += rng.sample(_STDLIB_IMPORTS, 4) + ["import math, re, functools, itertools",
                                              "from dataclasses import dataclass, field"]
    bound = []
    for i, dep in enumerate(deps):
        if i % 2 == 0:
            head.append(f"import {dep}")
            bound.append(dep)
        else:
            alias = f"_f0_{dep}"
            head.append(f"from {dep} import f0 as {alias}")
    parts = ["\n".join(head),
             f"VALUE = {rng.randint(1, 10_000)}\n"
             f"NAMES = {sorted(rng.sample(_WORDS, 4))!r}\n"
             f"_CACHE: dict = {{}}",
             "def f0(x, y=1):\n"
             '    """Return x * y + VALUE (the entry point other modules call)."""\n'
             "    return x * y + VALUE"]
    count = sum(p.count("\n") + 2 for p in parts)
    k = 0
    while count < lines - 10:
        k += 1
        if k % 3 == 0:
            part = _class(rng, f"Thing{k}")
        else:
            part = _function(rng, f"func_{k}", bound)
        parts.append(part)
        count += part.count("\n") + 1
    parts.append("__all__ = ['f0', 'VALUE', 'NAMES']")
    return "\n\n".join(parts) + "\n"


def small_source(name, deps=(), seed=0):
    """A small module (about 25 lines) importing ``deps`` with ``import d``."""
    rng = random.Random(f"{name}:{seed}")
    imports = "".join(f"import {d}\n" for d in deps)
    uses = " + ".join(f"{d}.VALUE" for d in deps) or "0"
    return (f'"""Small benchmark module {name}."""\n'
            f"import math\n{imports}\n"
            f"VALUE = {rng.randint(1, 1000)}\n\n\n"
            f"def f0(x, y=1):\n"
            f'    """Return x * y + VALUE."""\n'
            f"    return x * y + VALUE\n\n\n"
            f"def dependent_total():\n"
            f'    """VALUE plus the VALUEs of the imported modules."""\n'
            f"    return VALUE + {uses}\n\n\n"
            f"class Box:\n"
            f'    """Holds one number."""\n\n'
            f"    def __init__(self, v=VALUE):\n"
            f"        self.v = v\n\n"
            f"    def norm(self):\n"
            f'        """Absolute value, as a float."""\n'
            f"        return math.fabs(self.v)\n")


def dag(prefix, n, seed=0):
    """A connected import DAG of ``n`` modules named ``{prefix}{i:03d}``.

    Module 0 reaches every module: module i imports 2i+1 and 2i+2 (a
    binary tree) plus one or two random modules of higher index.
    Returns ``{name: [dependency names]}``.
    """
    rng = random.Random(f"dag:{prefix}:{seed}")
    names = [f"{prefix}{i:03d}" for i in range(n)]
    graph = {}
    for i, name in enumerate(names):
        deps = {j for j in (2 * i + 1, 2 * i + 2) if j < n}
        for _ in range(rng.randint(1, 2)):
            if i + 1 < n:
                deps.add(rng.randrange(i + 1, n))
        graph[name] = [names[j] for j in sorted(deps)]
    return graph


def dependents(graph, leaf):
    """``leaf`` and every module of ``graph`` that imports it transitively."""
    result = {leaf}
    changed = True
    while changed:
        changed = False
        for name, deps in graph.items():
            if name not in result and result.intersection(deps):
                result.add(name)
                changed = True
    return result


BASE_MTIME = 1_700_000_000  # whole seconds; every generated file starts here


def write_modules(directory, sources):
    """Write ``{name: source}`` as ``directory/name.py``; mtimes = BASE_MTIME.

    Returns ``{name: absolute path}``.
    """
    paths = {}
    for name, text in sources.items():
        path = os.path.join(directory, name + ".py")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        os.utime(path, (BASE_MTIME, BASE_MTIME))
        paths[name] = path
    return paths


def touch(path, k):
    """Set the file's mtime to BASE_MTIME + k seconds (k >= 1: a new value)."""
    t = BASE_MTIME + k
    os.utime(path, (t, t))
