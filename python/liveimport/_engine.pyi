"""Type stub and contract of ``liveimport._engine``, the Rust sync engine (pyo3).

The engine owns everything that does not need the Python runtime: parsing
import statements (ruff_python_parser) and finding the top-level imports of
module sources (one scan of the source, then only the import statements are
parsed), the module graph
and reload schedule (petgraph), source-file mtimes (read with ``std::fs``,
which inside Pyodide is the Emscripten FS), the workspace and the per-namespace
registration journals, and the syntax verdict on module sources (a full
parse for the running Python version; the host's parser, ``check_syntax``,
confirms every error it finds and has the last word). The Python package
(``liveimport._core``) does what only Python can: look modules up in
``sys.modules``, check namespaces, run ``importlib.reload`` and rebind names.

Calls are coarse: one per registration step or sync, never one per file.

Shapes used below
-----------------
``Record``: one registered import, one bound name per record, as a tuple
``(kind, module, name, asname)``:

=============  ===============================  =======  ===========
kind           statement (canonical form)       name     asname
=============  ===============================  =======  ===========
``"import"``   ``import a.b``                   None     None
``"import"``   ``import a.b as x``              None     ``"x"``
``"from"``     ``from m import n``              ``"n"``  None
``"from"``     ``from m import n as k``         ``"n"``  ``"k"``
``"star"``     ``from m import *``              None     None
=============  ===============================  =======  ===========

``module`` is always absolute (relative imports are resolved by the engine).
``from m import a, b as c`` yields two records. ``import a.b`` binds ``a``;
``import a.b as x`` binds ``x`` to ``a.b``.

``ModuleSpec``: ``(name, file, package)``: the module's name, the absolute
path of its ``.py`` source file or ``None`` for a module without one
(built-in, frozen, extension, zip-imported, namespace package: tracked, never
examined, never reloaded), and its parent package (``__spec__.parent``,
``""`` for a top-level module).

``Mtime``: a float, seconds since the epoch, as ``os.stat().st_mtime``.

Namespace ids are ``id(namespace)``; the Python side keeps the namespace
alive while it has registrations.
"""

from collections.abc import Callable
from typing import Literal, TypeAlias, final

from typing_extensions import Self

__all__ = (
    "BACKEND",
    "AnalysisError",
    "Engine",
    "__version__",
    "canonical_statement",
    "code_positions",
    "containers_holding",
    "elements_with",
    "engine_syntax_error",
    "import_lines",
    "judged_once",
    "new_instances",
    "note_compiles",
    "note_writes",
    "type_codes",
)

#: The engine in use: ``"pyo3"`` or ``"wasm-bindgen"`` (``liveimport._engine`` chooses it).
BACKEND: Literal["pyo3", "wasm-bindgen"]
#: The engine's version (the Rust crate's).
__version__: str

Record: TypeAlias = tuple[str, str, str | None, str | None]
ModuleSpec: TypeAlias = tuple[str, str | None, str]
PlanEntry: TypeAlias = tuple[str, Literal["modified", "dependent"], float, list[str]]

class AnalysisError(Exception):
    """A tracked module's source could not be analysed.

    Attributes: ``module`` (str, the module name) and ``cause``: the exception
    the host's ``check_syntax`` returned (CPython's own ``SyntaxError``,
    ``IndentationError``, ``TabError`` with its message, file, line and
    offset), a ``SyntaxError`` for undecodable bytes or an unknown PEP 263
    encoding, or an ``ImportError`` for a relative import escaping its
    package. The Python side raises ``ModuleError(module, "analysis") from
    cause``.

    Analysis (LiveImport 1.3.1's rule: whatever ``ast.parse`` rejects): the
    engine parses the whole source for the running Python version
    (``ruff_python_parser``, version-specific syntax included, plus CPython's
    tokenizer checks) and asks ``check_syntax`` to confirm every error it
    finds; what ``check_syntax`` accepts is never an error. Tracking a module
    asks ``check_syntax`` only then; a sync asks it about every modified
    module. Source nested too deeply to parse safely (thousands of nested
    operators) is not given to ``check_syntax`` either (``ast.parse`` can
    exhaust the WebAssembly stack in Pyodide): only CPython's nesting limits
    and tokenizer errors are found in it; other errors surface at reload.
    """

    module: str
    cause: BaseException

@final
class Engine:
    """All state of one LiveImport instance. ``liveimport._reset()`` replaces it.

    The constructor is ``__new__`` in the pyo3 engine (a native class) and
    ``__init__`` in the wasm-bindgen one; both take the parameters given here."""

    def __new__(
        cls,
        workspace: list[str],
        python_version: tuple[int, int],
        check_syntax: Callable[[str, str], BaseException | None],
    ) -> Self:
        """Start with no modules and no registrations; ``workspace`` as in
        :meth:`set_workspace`; ``python_version`` is ``(major, minor)`` of the
        running Python (syntax it lacks is an error); ``check_syntax(file,
        source)`` is the host's parser: ``None`` when it accepts the decoded
        ``source`` of ``file``, else the exception it raises (see
        :class:`AnalysisError`)."""

    def parse_statements(
        self, text: str, package: str, allow_other_statements: bool
    ) -> list[Record]:
        """Parse registration text (already dedented by the caller) into records,
        in statement order.

        Only module-level statements count. Relative imports resolve against
        ``package`` with ``importlib.util.resolve_name`` rules.

        Raises ``SyntaxError`` (filename ``"<importstmts>"``, with line and
        offset), ``ImportError`` ("Relative import .x is outside any package" /
        "... would escape package p"), ``ValueError`` ("Expected only imports,
        found <statement source>") for a non-import statement unless
        ``allow_other_statements``.
        """

    def register(
        self, namespace_id: int, records: list[Record], modules: list[ModuleSpec], clear: bool
    ) -> None:
        """Register validated records for a namespace, atomically.

        ``modules`` are the modules to attach to the namespace (those the records
        name, plus submodules bound by ``from m import sub``); untracked ones
        start being tracked: each source file is read once (its mtime, then
        its contents, with no second stat) and analysed; for a module whose
        import this interpreter compiled from source after
        :func:`note_compiles`, under the current directory, only the mtime is
        read and the source importlib read is analysed, when the mtime is more
        than 2 seconds before that read (the file has not changed since). If
        ``clear``, the namespace's journal and attachments are discarded first.
        Records equal to an existing one move to the end of the journal.

        Raises ``AnalysisError`` (and changes nothing) when a module's source
        cannot be analysed.
        """

    def untracked_dependencies(self) -> list[str]:
        """Names of possible dependencies of all tracked modules that are not
        tracked, sorted. ``from A import B`` contributes ``A`` and ``A.B``."""

    def track_indirect(
        self, modules: list[ModuleSpec]
    ) -> tuple[list[str], list[tuple[str, SyntaxError]]]:
        """Start tracking those of ``modules`` whose file lies under the
        workspace (others are ignored). Returns the untracked dependency names
        of the modules newly tracked by this call, and the analysis errors of
        modules that could not be tracked (they stay untracked). Sources are
        read as by :meth:`register`."""

    def set_workspace(self, directories: list[str]) -> None:
        """Replace the workspace: absolute, normalised directory paths (the
        caller validates that they exist). Affects future tracking decisions,
        and which indirectly tracked modules sync considers."""

    def workspace(self) -> list[str]:
        """The workspace directories, in the order given."""

    def mark_dirty(self, paths: list[str]) -> int:
        """Mark the tracked modules whose source file is one of ``paths`` (absolute)
        or lies under one of them (a renamed or deleted directory) as changed, for
        the next ``plan_sync(full=False)``. Returns how many were marked."""

    def mark_missing(self, paths: list[str]) -> int:
        """Record that the source files at or under ``paths`` (absolute) no
        longer exist (the frontend reported them deleted or renamed away),
        without examining them: the modules count as having a missing file
        (skipped by sync, ``None`` mtime in :meth:`status`) until a later stat
        finds the file again (e.g. after :meth:`mark_dirty` of the re-created
        file, or a full :meth:`plan_sync`). Returns how many were marked."""

    def take_missing(self) -> list[tuple[str, str]]:
        """``(name, file)`` of the tracked modules whose source file
        disappeared (found missing by :meth:`plan_sync` after having existed,
        or reported by :meth:`mark_missing`) since the last call, in the order
        found; each disappearance once. A file that came back before the call
        is left out."""

    def plan_sync(
        self, full: bool = True
    ) -> tuple[list[PlanEntry], list[tuple[int, list[str], list[Record]]]]:
        """Detect modified modules and schedule reloads.

        With ``full`` (the default), reads the mtime of every tracked module
        that is eligible (attached to a namespace or in the workspace); without
        it, only of those marked by :meth:`mark_dirty` or written by code in
        this interpreter since :func:`note_writes` (no file access at all when
        none is), trusting the last stat of the others; a marked module's
        file is read at once (its mtime read just before its contents, kept
        for :meth:`take_sources`), others are stat'ed. Modules without a
        source file are never examined. A module whose file is missing is
        skipped. One whose mtime differs from the last seen is modified; its
        source is re-analysed (``check_syntax`` always asked) when the mtime
        differs from the previous stat.

        Raises ``AnalysisError`` for the first modified module (tracking
        order) whose current source cannot be analysed, at every call until
        its file changes to one that can: nothing is planned then, so no
        module of the sync runs. Otherwise returns ``(entries, namespaces)``:

        - ``entries``: ``(module, reason, mtime, after)`` in reload order,
          dependencies first: every modified module reachable from an
          attached module, and every reachable module depending on one.
          ``after`` lists the scheduled modules it depends on (dependency
          order). Import cycles are broken by ignoring the imports of the most
          recently tracked module in the cycle.
        - ``namespaces``: for each namespace attached to a scheduled module,
          ``(namespace_id, attached_module_names, journal_records)`` in
          registration order.

        Nothing changes until :meth:`commit`; with nothing modified returns
        ``([], [])``.
        """

    def take_sources(self) -> list[tuple[str, str, float, bytes]]:
        """``(module, file, mtime, source)`` of the modules :meth:`plan_sync`
        found modified, with the new source it read and analysed, in tracking
        order: ``file`` the module's source file, ``source`` its bytes as
        read, ``mtime`` its mtime read just before them. Each is handed out once; one not taken is
        dropped when the module is committed, or when a later plan finds its
        file missing or with another mtime. A module :meth:`mark_dirty`
        marked is read once per plan (its mtime comes with the read; in
        JupyterLite's ``/drive``: one stat and one read request); others are
        stat'ed first and read only when their mtime changed."""

    def other_writes(self) -> int:
        """How many writes by code in this interpreter, noted since
        :func:`note_writes`, changed a path that is not a tracked module's
        source file (each such path counts; an overflowing note counts once),
        since the engine started; noted writes are taken first. Such a write
        may have created a file that changes how a module is found, so the
        import system's caches cannot be trusted once it grows."""

    def commit(self, reloaded: list[str]) -> None:
        """Record the mtimes planned for the reloaded modules as seen. Modules
        planned but not committed stay modified, so the next sync retries."""

    def journal(self, namespace_id: int) -> list[Record]:
        """The namespace's records in replay order (empty if none)."""

    def tracked_count(self) -> int:
        """How many modules are tracked (``len`` of :meth:`status`'s module
        list, without building it)."""

    def status(
        self, namespace_id: int | None = None
    ) -> tuple[list[str], list[tuple[str, str | None, float | None, bool, list[str]]], list[str]]:
        """Snapshot: ``(workspace, modules, statements)``. ``modules`` in
        tracking order as ``(name, file or None (no source file),
        last_seen_mtime or None if the file was missing at the last stat,
        reported gone or there is none, direct, imported_by)`` where
        ``direct`` is true when a registered statement names it and
        ``imported_by`` lists the tracked modules that import it.
        ``statements``: the namespace's records in
        canonical form, in replay order (empty for ``None``)."""

def canonical_statement(record: Record) -> str:
    """The canonical statement text of a record, e.g. ``from m import n as k``."""

def engine_syntax_error(
    source: str, filename: str, python_version: tuple[int, int]
) -> SyntaxError | None:
    """The engine's own finding on ``source`` for ``python_version``, without
    asking the host: the first syntax error it sees (not raised), or ``None``.
    For differential tests against CPython's parser."""

def import_lines(source: str, package: str, filename: str) -> list[tuple[str, list[str], int, str]]:
    """The top-level module names ``source`` imports at top level (imports
    nested in ``if``, ``try``, ``def``... do not count), in source order, each
    once, as ``(top, modules, line, text)``: ``top`` the top-level name
    (``"scipy"``; a relative import gives its package's), ``modules`` every
    module the statements name under it (``["scipy.optimize",
    "scipy.optimize.curve_fit"]``), ``line`` the one-based line of the first
    statement naming it and ``text`` that line, stripped. Relative imports
    resolve against ``package`` (``""`` for a top-level module).

    :raises SyntaxError: as the engine's analysis of a module's source
        (tokenizer errors, invalid import statements, a relative import
        escaping its package)."""

def note_compiles() -> None:
    """Start noting the module sources this interpreter compiles and runs
    (``compile`` of a ``.py`` file's bytes followed by ``exec`` of its module
    code object, as an import does), through the audit hook of
    :func:`note_writes` (added once per process). When tracking starts for a
    module whose file holds exactly a source CPython compiled and ran, its
    syntax is known valid: only its import statements are read. The bytes of
    sources importlib read (``io.open_code``) under the current directory are
    kept (8 MiB at most) until tracking takes them (see :meth:`Engine.register`).
    Raises as :func:`note_writes`."""

def note_writes() -> None:
    """Start noting files changed by code in this interpreter, through a PEP 578
    audit hook applying the engine's audit rule (``src/audit.rs``; the pyo3
    engine's hook is Rust, the wasm-bindgen engine's a ``sys.addaudithook``
    function handing the events the rule may note to it; added once per
    process, audit hooks cannot be removed). Noted: ``open`` for writing (``open()``, ``os.open``,
    ``pathlib``, ``shutil``), ``os.rename``/``os.replace``, ``os.link``,
    ``os.symlink``, ``os.remove``, ``os.rmdir``, ``os.truncate`` and
    ``os.utime``. Every later :meth:`Engine.plan_sync`, with or without
    ``full``, examines the tracked files among the noted paths (at every sync
    from then on: a file object opened for writing may be written later).
    Notes are applied to the modules tracked when the next ``plan_sync``,
    ``register`` or ``track_indirect`` runs (a module tracked later is read
    then).

    :raises RuntimeError: (or the vetoing hook's exception) when the
        interpreter refuses the audit hook.
    """

#: The stale-name detection's code passes (``liveimport._type_codes``) run in
#: Rust: ``type_codes(values, table) -> bytes`` gives ``table[type(v)]`` for
#: each value of the list ``values``, in order; ``table`` is a dict of type
#: to code (an int from 0 to 255) that judges a missing type when subscripted
#: (``_type_codes.TypeCodes``). ``None`` in the wasm-bindgen engine (it cannot
#: see Python objects); the caller then runs the same passes in Python.
#:
#: :raises TypeError: what judging a type raises (an unhashable class), or a
#:     code that is not an int; ``OverflowError``: a code out of range.
type_codes: Callable[[list[object], dict[type, int]], bytes] | None

#: ``code_positions(codes, wanted) -> list[list[int]]``: the positions of
#: each code of ``wanted`` (bytes) in ``codes`` (bytes, e.g. from
#: :data:`type_codes`), one list per byte of ``wanted`` in that order, each
#: ascending (a code listed twice gets its positions in the first list only).
#: ``None`` in the wasm-bindgen engine.
code_positions: Callable[[bytes, bytes], list[list[int]]] | None

#: ``containers_holding(values, codes, container_code, table, wanted, limit)
#: -> list[int]``: the positions, in order, of the values whose code in
#: ``codes`` (one per value) is ``container_code``, each an exact ``list``,
#: ``tuple``, ``set``, ``frozenset`` or ``dict``, that have among their first
#: ``limit`` elements (a dict's values, in insertion order; a set's in
#: iteration order) one whose type's code in ``table`` is in ``wanted``
#: (bytes); every type met is judged (as :data:`type_codes`). ``None`` in the
#: wasm-bindgen engine.
#:
#: :raises ValueError: ``codes`` does not give one code per value;
#:     ``TypeError``: a container of another type, or as :data:`type_codes`.
containers_holding: (
    Callable[[list[object], bytes, int, dict[type, int], bytes, int], list[int]] | None
)

#: ``elements_with(values, positions, table, wanted, limit) -> (owners,
#: elements)``: the elements whose type's code in ``table`` is in ``wanted``
#: among the first ``limit`` of each container at ``positions`` (a list of
#: ints; read as by :data:`containers_holding`), in order, each with its
#: container's position in ``owners``. ``None`` in the wasm-bindgen engine.
#:
#: :raises IndexError: a position out of range; ``TypeError``: as
#:     :data:`containers_holding`.
elements_with: (
    Callable[[list[object], list[int], dict[type, int], bytes, int], tuple[list[int], list[object]]]
    | None
)

#: ``judged_once(values, codes, code, key, judge) -> [(position, verdict),
#: ...]``: the values of ``values`` whose code in ``codes`` (bytes, one per
#: value) is ``code``, grouped by ``key``, ``judge`` called once per group on
#: its first value (in the order first met), and ``(position, verdict)`` for
#: each of those values whose group's verdict is not ``None``, in position
#: order. ``key``: ``0`` the value's type (``judge`` gets the type), ``1`` the
#: value itself (by identity), ``2`` a bound method's owner class
#: (``__self__`` when it is a class, else ``type(__self__)``) and
#: ``__func__`` (``judge`` gets the method). No ``__hash__`` or ``__eq__``
#: runs: objects are told apart by identity. ``None`` in the wasm-bindgen
#: engine.
#:
#: :raises ValueError: ``codes`` does not give one code per value, or another
#:     ``key``; ``TypeError``: with key ``2``, a value that is not exactly a
#:     bound method; or what ``judge`` raises.
judged_once: (
    Callable[[list[object], bytes, int, int, Callable[[object], object]], list[tuple[int, object]]]
    | None
)

#: ``new_instances(cls, fields, columns) -> list``: one instance of ``cls``
#: per row, in order: ``object.__new__(cls)``, then for each ``fields[i]`` in
#: order ``object.__setattr__(instance, fields[i], columns[i][row])``; a
#: ``fields[i]`` that is a tuple of names unpacks ``columns[i][row]`` (a tuple
#: of as many items) into those fields. ``cls.__init__`` and
#: ``cls.__setattr__`` do not run (a data descriptor named by a field does).
#: ``fields`` is a tuple, ``columns`` a list of lists of one length. ``None``
#: in the wasm-bindgen engine.
#:
#: :raises ValueError: ``fields`` and ``columns`` differ in length, the
#:     columns do, or a value to unpack has another length; ``TypeError``:
#:     ``cls`` has its own ``__new__`` or a builtin base other than ``object``,
#:     a field is not a str or a tuple of str, or a value to unpack is not a
#:     tuple; or what setting an attribute raises.
new_instances: (
    Callable[[type, tuple[str | tuple[str, ...], ...], list[list[object]]], list[object]] | None
)
