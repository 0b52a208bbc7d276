"""LiveImport: reload modified Python modules in notebooks and scripts, in
JupyterLite (Pyodide) and in desktop Python.

Register the imports a notebook made (``register`` or the ``%%liveimport``
cell magic); when a module's source file changes, ``sync`` (run automatically
before notebook cells) reloads it, and the modules depending on it, in
dependency order, and rebinds the registered names.

Public API: :func:`register`, :func:`sync`, :func:`workspace`,
:func:`auto_sync`, :func:`hidden_cell_magic`, :func:`poll_lazy_imports`,
:func:`status`, :class:`ReloadEvent`, :class:`ModuleError`, and (an
addition to LiveImport 1.3.1) :func:`stale` with :class:`StaleName`, and
:func:`load_packages` (Pyodide: the packages workspace modules import are
loaded before they run; ``liveimport._packages``). Importing this
package works without IPython; the notebook features then do nothing.
In IPython, ``%load_ext liveimport`` installs them too (see
:func:`load_ipython_extension`), and the autoload extra (``pip install
--find-links dist "liveimport-lite[autoload]"`` in a clone, README.md
"Installing") makes ``%%liveimport`` work in every new kernel without either.
"""

__all__ = (
    "register",
    "sync",
    "workspace",
    "auto_sync",
    "hidden_cell_magic",
    "poll_lazy_imports",
    "status",
    "ReloadEvent",
    "ModuleError",
    "stale",
    "StaleName",
    "load_packages",
)

#: The version of the ``liveimport-lite`` distribution (PEP 440; the same as
#: ``importlib.metadata.version("liveimport-lite")`` and the engine's).
__version__ = "0.1.0"

from typing import TYPE_CHECKING, Any

from . import _core, _nbi, _packages
from ._core import poll_lazy_imports, register, sync, workspace
from ._errors import ModuleError, ReloadEvent
from ._nbi import auto_sync, hidden_cell_magic
from ._packages import load_packages

if TYPE_CHECKING:
    from ._stale import StaleName as StaleName
    from ._stale import stale as stale
    from ._status import Status as Status
    from ._status import TrackedModule as TrackedModule
    from ._status import status as status

#: Names loaded on first use (PEP 562): ``_status`` needs ``dataclasses``,
#: whose import and generated methods cost ~20 ms of a cold ``import
#: liveimport`` in Pyodide.
_LAZY = {
    "status": "_status",
    "Status": "_status",
    "TrackedModule": "_status",
    "stale": "_stale",
    "StaleName": "_stale",
}


def __getattr__(name: str) -> Any:
    """``liveimport.status``, ``Status`` and ``TrackedModule``, imported from
    ``liveimport._status``, and ``stale`` and ``StaleName``, from
    ``liveimport._stale``, when first asked for (PEP 562).

    :raises AttributeError: for any other name, as for a plain module."""
    if name in _LAZY:
        if _LAZY[name] == "_status":
            from . import _status

            value = getattr(_status, name)
        else:
            from . import _stale

            value = getattr(_stale, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    """The module's names, with the ones :func:`__getattr__` loads (PEP 562)."""
    return sorted(set(globals()) | set(_LAZY))


def _reset() -> None:
    """Return LiveImport to the state of a fresh import: the API's state
    (``_core._reset``: a new engine, no registrations, no failures) and the
    notebook settings and hooks (``_nbi.reset``). For tests: a pyo3 module
    cannot be imported twice."""
    _core._reset()
    _nbi.reset()
    _packages.reset()


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext liveimport`` (IPython's extension protocol): install
    LiveImport's magics (``%%liveimport``, ``%liveimport``), the hidden cell
    magic and the automatic-sync hooks into the shell ``ipython``, as
    importing ``liveimport`` inside a shell does. Loading it again reinstalls
    them, once.

    :param ipython: the ``InteractiveShell`` that IPython passes.
    """
    _nbi.attach(ipython)
