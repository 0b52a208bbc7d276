"""The IPython shell LiveImport runs in, looked up without importing IPython
(importing ``liveimport`` in plain Python must not load it)."""

from __future__ import annotations

import sys
from typing import Any

from . import _incidents

__all__ = ("current_shell",)


def current_shell() -> Any:
    """The running IPython ``InteractiveShell`` (``IPython.get_ipython()``), or
    None when IPython is not loaded or no shell runs. A failing
    ``get_ipython()`` counts as no shell and is recorded (``_incidents``).
    Never raises."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return None
    try:
        return ipython.get_ipython()
    except Exception as error:
        _incidents.record("IPython.get_ipython", error)
        return None
