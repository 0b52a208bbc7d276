"""The ``%%liveimport`` cell magic and the ``%liveimport`` line magic.

Imported only inside an IPython shell (by ``liveimport._nbi``, which
registers an instance per shell), since it needs IPython's magic machinery.
"""

from __future__ import annotations

from typing import Any, Protocol

from IPython.core.error import UsageError
from IPython.core.inputtransformer2 import TransformerManager
from IPython.core.magic import Magics, cell_magic, line_magic, magics_class

from . import _import_caches, _page
from ._core import register

__all__ = ("LiveImportMagics",)

_CELL_USAGE = "%%liveimport [-c|--clear]"

_transformer: TransformerManager | None = None


class CellNesting(Protocol):
    """What counts the cells that ``%%liveimport`` runs inside a cell (the
    notebook hooks of ``_nbi``, which ignore such cells: the enclosing cell's
    hooks did the work)."""

    #: How many such cells are running.
    nested: int


def to_python(cell: str) -> str:
    """The cell as plain Python (IPython syntax such as ``!cmd`` turned into
    calls), for finding its top-level import statements. The
    ``TransformerManager`` is made at the first call and kept."""
    global _transformer
    if _transformer is None:
        _transformer = TransformerManager()  # type: ignore[no-untyped-call]  # IPython 9
    return _transformer.transform_cell(cell)


def _arguments(line: str) -> list[str]:
    """The words of a magic line, without the ``#`` comment."""
    return line.split("#", 1)[0].split()


def _parse_cell_line(line: str) -> bool:
    """Return the ``clear`` flag of a ``%%liveimport`` line.

    :raises UsageError: naming every argument that is not ``-c``/``--clear``.
    """
    clear = False
    unknown = []
    for word in _arguments(line):
        if word in ("-c", "--clear"):
            clear = True
        else:
            unknown.append(word)
    if unknown:
        raise UsageError(
            f"Unknown %%liveimport argument{'s' if len(unknown) > 1 else ''}: "
            f"{' '.join(unknown)}. Usage: {_CELL_USAGE}"
        )
    return clear


def _first_code_line(cell: str) -> str:
    for text in cell.splitlines():
        if text.strip():
            return text.lstrip()
    return ""


@magics_class
class LiveImportMagics(Magics):
    """LiveImport's magics (registered by ``liveimport._nbi``).

    :param shell: the ``InteractiveShell``.
    :param nesting: counts the cells ``%%liveimport`` runs (``_nbi``'s hooks).
    """

    def __init__(self, shell: Any, nesting: CellNesting) -> None:
        super().__init__(shell)
        self._nesting = nesting

    # IPython 9 types its magic markers' decorators as accepting nothing (Never).
    @cell_magic("liveimport")  # type: ignore[arg-type]
    def liveimport_cell(self, line: str, cell: str) -> None:
        """Usage: ``%%liveimport [-c|--clear]``

        Run the cell as ordinary code, then, if it ran without error, register
        its top-level import statements for syncing (other statements are
        allowed and ignored). ``-c``/``--clear`` first discards the earlier
        registrations of the notebook's namespace. Anything after a ``#`` on
        the magic line is a comment. A cell whose first line is
        ``#_%%liveimport`` does the same (see ``liveimport.hidden_cell_magic``).

        Raises ``UsageError`` for any other argument; errors of the cell
        itself are shown as usual and fail the cell.
        """
        clear = _parse_cell_line(line)
        shell: Any = self.shell
        if shell is None:
            raise RuntimeError("No IPython shell for %%liveimport")

        # Modules created since the kernel started must import even where
        # directory mtimes never change (JupyterLite's /drive): unless no
        # cell ran since a page connected to a fresh kernel and the page
        # reported nothing created (``_import_caches.fresh_at``).
        page = _page.active()
        _import_caches.invalidate(page.cache_mark() if page is not None else None)

        # Keep the cell's line numbers in tracebacks: the magic line becomes a
        # comment line, unless the body starts with another cell magic.
        if _first_code_line(cell).startswith("%%"):
            code = cell
        else:
            code = ("#%%liveimport " + line.strip()).rstrip() + "\n" + cell

        outer = getattr(shell.displayhook, "exec_result", None)
        nesting = self._nesting
        nesting.nested += 1
        try:
            inner = shell.run_cell(code)
        finally:
            nesting.nested -= 1
            shell.displayhook.exec_result = outer

        error = inner.error_before_exec or inner.error_in_exec
        if error is not None:
            # The error is already shown; make the enclosing cell fail too
            # (ipykernel answers "error", so Run All stops here).
            if outer is not None and outer.error_in_exec is None:
                outer.error_in_exec = error
            return

        register(shell.user_ns, to_python(cell), clear=clear, allow_other_statements=True)

    @line_magic("liveimport")  # type: ignore[arg-type]
    def liveimport_line(self, line: str) -> None:
        """Usage: ``%liveimport``

        Show LiveImport's status for the notebook's namespace: the workspace,
        the tracked modules (why each is tracked, its file and last seen
        modification time) and the registered import statements.

        Raises ``UsageError`` if given arguments (a ``#`` comment is fine).
        """
        words = _arguments(line)
        if words:
            raise UsageError(f"%liveimport takes no arguments, got: {' '.join(words)}")
        shell: Any = self.shell
        from ._status import status  # dataclasses: loaded on first use (see liveimport.__init__)

        snapshot = status(shell.user_ns)
        data, metadata = shell.display_formatter.format(snapshot)
        data = dict(data)
        data["text/plain"] = str(snapshot)
        shell.display_pub.publish(data=data, metadata=metadata)
