"""The two public value types LiveImport hands to users: :class:`ReloadEvent`
(what a sync reloaded, and why) and :class:`ModuleError` (what went wrong with
a module's content)."""

from __future__ import annotations

import time

__all__ = ("ReloadEvent", "ModuleError")


def _nice_time_ago(seconds: float) -> str:
    """An English approximation of an elapsed time in ``seconds`` (float),
    e.g. ``"18 seconds ago"``; negative ages read ``"in the future (!)"``."""
    if seconds < 0:
        return "in the future (!)"
    if seconds < 2:
        return f"{int(seconds * 1000)} milliseconds ago"
    if seconds < 120:
        return f"{int(seconds)} seconds ago"
    if seconds < 7200:
        return f"{int(seconds / 60)} minutes ago"
    if seconds < 172800:
        return f"{int(seconds / 3600)} hours ago"
    return f"{int(seconds / 86400)} days ago"


def _nice_list(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b, and c``; ``"nothing"`` for an empty list."""
    if not items:
        return "nothing"
    if len(items) == 1:
        return items[0]
    if len(items) == 2:
        return f"{items[0]} and {items[1]}"
    return ", ".join(items[:-1]) + ", and " + items[-1]


class ReloadEvent:
    """Describes a successful reload (passed to the ``observer`` of
    :func:`liveimport.sync`). Attributes:

    .. attribute:: module
        :type: str

        The name of the module reloaded.

    .. attribute:: reason
        :type: str

        Why LiveImport reloaded `module`: ``"modified"`` (its source file's
        modification time changed) or ``"dependent"`` (it depends on modules
        reloaded earlier in the same sync).

    .. attribute:: mtime
        :type: float

        The modification time (seconds since the epoch) of the module's source
        file last seen by LiveImport. If `reason` is ``"modified"``, this time
        changed since LiveImport began tracking or last reloaded `module`.

    .. attribute:: after
        :type: list[str]

        Modules on which `module` depends that LiveImport already reloaded in
        the same sync, in reload order. If `reason` is ``"dependent"``,
        LiveImport reloaded `module` solely because it reloaded these.

    .. attribute:: detected
        :type: float | None

        When the sync noticed the change (``time.time()``), or ``None``.
        ``str()`` measures the file's age from this moment when given (so a
        report reads the same whenever it is printed), else from now.

    The string form is an English description such as
    ``Reloaded printmath modified 18 seconds ago`` or
    ``Reloaded simulator because printmath reloaded``.
    """

    __slots__ = ("after", "detected", "module", "mtime", "reason")

    def __init__(
        self,
        module: str,
        reason: str,
        mtime: float,
        after: list[str],
        *,
        detected: float | None = None,
    ):
        self.module = module
        self.reason = reason
        self.mtime = mtime
        self.after = after
        self.detected = detected

    def __str__(self) -> str:
        if self.reason == "modified":
            now = time.time() if self.detected is None else self.detected
            return f"Reloaded {self.module} modified {_nice_time_ago(now - self.mtime)}"
        return f"Reloaded {self.module} because {_nice_list(self.after)} reloaded"

    def __repr__(self) -> str:
        extra = "" if self.detected is None else f", detected={self.detected!r}"
        return (
            f"ReloadEvent({self.module!r}, {self.reason!r}, {self.mtime!r}, {self.after!r}{extra})"
        )


class ModuleError(Exception):
    """LiveImport has determined there is an issue with the content of a module.

    .. attribute:: module
        :type: str

        The name of the module.

    .. attribute:: phase
        :type: str

        The phase of processing during which LiveImport detected the problem:
        ``"analysis"`` (the running Python's parser rejects its source, or
        the source cannot be decoded, or a relative import in it escapes its
        package; found when LiveImport starts tracking the module or, for a
        modified module, before a sync runs anything) or ``"reload"``
        (reloading it raised, or it no longer defines a name a registered
        statement imports), as in LiveImport 1.3.1.

    .. attribute:: __cause__
        :type: BaseException

        The issue LiveImport encountered: a source error such as a
        :class:`SyntaxError`, or the exception the module raised while
        executing during a reload.

    ``str()`` reads e.g. ``Reload of simulator failed: division by zero``.
    """

    def __init__(self, module: str, phase: str):
        super().__init__(module, phase)
        self.module = module
        self.phase = phase

    def __str__(self) -> str:
        return f"{self.phase.capitalize()} of {self.module} failed: {self.__cause__}"
