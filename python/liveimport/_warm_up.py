"""The warm-up: run, once, the code paths of a first LiveImport cell that do
not depend on the user's modules, so that the frontend's bootstrap (sent when
the kernel starts, while the user reads) pays for them instead of that cell.

Inside Pyodide the first call of a WebAssembly function compiles it, and the
engine's statement parser is most of the engine; IPython builds its cell
transformers on first use. A first ``#_%%liveimport`` cell runs, besides the
user's code and modules: IPython's input transformers (LiveImport's hidden
magic one included) and its cell-magic transform; the magic's own
transformer (``_nb_magics.to_python``); ``textwrap.dedent``; the engine's
statement parser (``parse_statements``) and, to track the modules, its
source scanner and parser (the whole-module parser of
``engine_syntax_error``); then the engine's reads of a sync and a status
push. :func:`warm_up` runs each of these on sample text, with a throwaway
engine: no LiveImport state changes (the engine calls that would take the
files noted as written by kernel code, ``register``, ``track_indirect`` and
``plan_sync``, are not made: those notes belong to the real engine).
"""

from __future__ import annotations

import sys
import textwrap
from typing import Any

from . import _engine
from ._state import new_engine

__all__ = ("SAMPLE_CELL", "SAMPLE_MODULE", "warm_up")

#: A LiveImport cell as a user writes one: the hidden magic with an argument,
#: plain and relative imports, parenthesised names, another statement.
SAMPLE_CELL = (
    "#_%%liveimport --clear  # a comment\n"
    "import os.path as osp\n"
    "from .d import (e, f as g)\n"
    "from m import *\n"
    "x = 1\n"
)

#: A module source with the statements a tracked module's analysis meets.
SAMPLE_MODULE = (
    '"""A module."""\n'
    "from __future__ import annotations\n"
    "import os\n"
    "from . import sibling\n"
    "try:\n"
    "    import json as j\n"
    "except ImportError:\n"
    "    j = None\n"
    "\n"
    "\n"
    "@decorator\n"
    "class C(Base, metaclass=M):\n"
    '    """Doc."""\n'
    "\n"
    "    x: int = 1\n"
    "\n"
    "    async def f(self, a, /, b=2, *args, c, **kwargs) -> list[int]:\n"
    "        async with a as b:\n"
    "            await b\n"
    "        return [i ** 2 for i in range(10) if i % 2] + list({1: 2}.items())\n"
    "\n"
    "\n"
    "def g(value):\n"
    "    match value:\n"
    "        case {'k': [1, *rest]}:\n"
    "            return f'{value!r:>10} {rest}'\n"
    "    while True:\n"
    "        yield lambda y: y if y else not y\n"
)


def warm_up(shell: Any) -> None:
    """Run the user-independent code paths of a first LiveImport cell (see the
    module docstring) on :data:`SAMPLE_CELL` and :data:`SAMPLE_MODULE`.

    :param shell: the IPython ``InteractiveShell``, or None outside one (then
        only the engine is warmed).
    :raises Exception: whatever a step raises: a bug (e.g. an engine call
        that no longer matches the engine's contract). The bootstrap records
        it (``_incidents``); tests let it fail.
    """
    body = SAMPLE_CELL.split("\n", 1)[1]
    if shell is not None:
        from ._nb_magics import to_python  # needs IPython, loaded in a shell

        shell.transform_cell(SAMPLE_CELL)
        body = to_python(body)
    engine = new_engine([])
    records = engine.parse_statements(textwrap.dedent(body), "p", True)
    if len(records) != 4:
        raise AssertionError(f"the engine parsed the sample cell into {records!r}")
    version = (sys.version_info[0], sys.version_info[1])
    error = _engine.engine_syntax_error(SAMPLE_MODULE, "<liveimport warm-up>", version)
    if error is not None:
        raise AssertionError(f"the engine rejects the sample module: {error!r}")
    engine.untracked_dependencies()
    engine.journal(0)
    engine.tracked_count()
    engine.take_missing()
