"""The value shapes of the engine contract, for annotations at runtime.

``_engine.pyi`` documents them; ``_engine`` re-exports them, as the stub
promises, and ``_engine_wasm`` annotates with them: written once for both.
"""

from typing import Literal

__all__ = ("ModuleSpec", "PlanEntry", "Record")

#: A registered statement's record (``_engine.pyi``, ``Record``).
Record = tuple[str, str, str | None, str | None]
#: A module to track (``_engine.pyi``, ``ModuleSpec``).
ModuleSpec = tuple[str, str | None, str]
#: One scheduled reload of a plan (``_engine.pyi``, ``PlanEntry``).
PlanEntry = tuple[str, Literal["modified", "dependent"], float, list[str]]
