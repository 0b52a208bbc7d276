"""The wasm-bindgen engine's Python layer (``liveimport/_engine_wasm.py``) has the
contract's API (``liveimport/_engine.pyi``): the same public classes, methods and
functions, with the same parameters (names, kinds, defaults, annotations), the
same return annotations and the same type aliases. The pyo3 engine is checked
against the same ``.pyi`` by ``mypy.stubtest`` (scripts/lint.sh).

Both files are read from the repository with ``ast`` (natively the wasm-bindgen
layer cannot be imported); inside Pyodide, the imported ``_engine_wasm`` objects
are checked with ``inspect`` as well.
"""

import ast
import inspect
import pathlib
import sys

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[2] / "python" / "liveimport"
CONTRACT = PACKAGE / "_engine.pyi"
WASM_LAYER = PACKAGE / "_engine_wasm.py"

#: A parameter: (kind, name, annotation, default), the last two as source text or None.
Parameter = tuple[str, str, "str | None", "str | None"]


def _text(node: "ast.expr | None") -> "str | None":
    return None if node is None else ast.unparse(node)


def _parameters(args: ast.arguments) -> list[Parameter]:
    positional = [*args.posonlyargs, *args.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults))
    defaults += args.defaults
    kinds = ["positional-only"] * len(args.posonlyargs) + ["positional"] * len(args.args)
    out = [
        (kind, a.arg, _text(a.annotation), _text(d))
        for kind, a, d in zip(kinds, positional, defaults, strict=True)
    ]
    if args.vararg:
        out.append(("var-positional", args.vararg.arg, _text(args.vararg.annotation), None))
    out += [
        ("keyword-only", a.arg, _text(a.annotation), _text(d))
        for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True)
    ]
    if args.kwarg:
        out.append(("var-keyword", args.kwarg.arg, _text(args.kwarg.annotation), None))
    return out


def _function(node: "ast.FunctionDef | ast.AsyncFunctionDef") -> tuple[object, ...]:
    return ("function", tuple(_parameters(node.args)), _text(node.returns))


def _is_public(name: str) -> bool:
    return not name.startswith("_") or name in ("__init__", "__new__")


def _constructor(node: "ast.FunctionDef | ast.AsyncFunctionDef") -> tuple[object, ...]:
    """The parameters of ``__new__`` or ``__init__`` without ``cls``/``self``: the pyo3
    class constructs in ``__new__``, the Python class in ``__init__``."""
    return ("constructor", tuple(_parameters(node.args)[1:]))


def public_api(source: str) -> dict[str, object]:
    """The public API of a module's source: its public functions and classes (with
    their bases, annotated attributes and public methods) and its type aliases
    (module-level assignments of a subscripted type), by name."""
    api: dict[str, object] = {}
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and _is_public(node.name):
            api[node.name] = _function(node)
        elif isinstance(node, ast.ClassDef) and _is_public(node.name):
            members: dict[str, object] = {}
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name in (
                    "__init__",
                    "__new__",
                ):
                    members["(constructor)"] = _constructor(item)
                elif isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and _is_public(
                    item.name
                ):
                    members[item.name] = _function(item)
                elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    members[item.target.id] = ("attribute", _text(item.annotation))
            api[node.name] = ("class", tuple(_text(b) for b in node.bases), members)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(
            node.value, ast.Subscript
        ):
            target = node.targets[0] if isinstance(node, ast.Assign) else node.target
            if isinstance(target, ast.Name) and _is_public(target.id):
                api[target.id] = ("alias", _text(node.value))
    return api


def layer_api(path: pathlib.Path) -> dict[str, object]:
    """:func:`public_api` of the module at ``path``, with the public names it imports
    from its sibling modules (``from ._engine_shapes import Record``) as they are there."""
    source = path.read_text(encoding="utf-8")
    api = public_api(source)
    for node in ast.parse(source).body:
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
            sibling = public_api((path.parent / f"{node.module}.py").read_text(encoding="utf-8"))
            for alias in node.names:
                if alias.name in sibling:
                    api[alias.asname or alias.name] = sibling[alias.name]
    return api


def differences(contract: dict[str, object], layer: dict[str, object]) -> list[str]:
    """What ``layer`` lacks or has differently from ``contract`` (names the contract
    does not have are allowed: module constants, helpers)."""
    found = []
    for name, shape in contract.items():
        if name not in layer:
            found.append(f"{name}: missing")
        elif shape != layer[name] and isinstance(shape, tuple) and shape[0] == "class":
            members, other = shape[2], layer[name]
            assert isinstance(members, dict) and isinstance(other, tuple)
            if shape[1] != other[1]:
                found.append(f"{name}: bases {other[1]} instead of {shape[1]}")
            for member, member_shape in members.items():
                if member not in other[2]:
                    found.append(f"{name}.{member}: missing")
                elif other[2][member] != member_shape:
                    found.append(f"{name}.{member}: {other[2][member]} instead of {member_shape}")
        elif shape != layer[name]:
            found.append(f"{name}: {layer[name]} instead of {shape}")
    return found


def test_wasm_layer_has_the_contracts_api():
    contract = public_api(CONTRACT.read_text(encoding="utf-8"))
    # The contract names what the tests below rely on.
    assert {"Engine", "AnalysisError", "canonical_statement", "note_writes"} <= contract.keys()
    assert differences(contract, layer_api(WASM_LAYER)) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            (
                "def plan_sync(\n        self, full: bool = True",
                "def plan_sync(\n        self, full: bool = False",
            ),
            "Engine.plan_sync",
        ),
        (
            ("def mark_dirty(self, paths: list[str])", "def mark_dirty(self, path: list[str])"),
            "Engine.mark_dirty",
        ),
        (("def journal(", "def _journal("), "Engine.journal: missing"),
        (
            ("def note_writes() -> None:", "def note_writes(hook: object = None) -> None:"),
            "note_writes",
        ),
        (
            ("class AnalysisError(Exception):", "class AnalysisError(ValueError):"),
            "AnalysisError: bases",
        ),
        (
            (
                "        python_version: tuple[int, int],\n        check_syntax",
                "        version: tuple[int, int],\n        check_syntax",
            ),
            "Engine.(constructor)",
        ),
        (("    cause: BaseException\n", "    cause: object\n"), "AnalysisError.cause"),
    ],
)
def test_a_difference_is_found(change, expected):
    # The comparison can fail: each change of the wasm-bindgen layer is reported.
    source = WASM_LAYER.read_text(encoding="utf-8")
    old, new = change
    assert source.count(old) == 1, f"the test's anchor {old!r} moved"
    contract = public_api(CONTRACT.read_text(encoding="utf-8"))
    found = differences(contract, public_api(source.replace(old, new)))
    assert any(line.startswith(expected) for line in found), found


def _runtime_parameters(function: object) -> list[tuple[str, str, object]]:
    signature = inspect.signature(function)  # type: ignore[arg-type]
    return [
        (p.kind.name, p.name, p.default) for p in signature.parameters.values() if p.name != "self"
    ]


@pytest.mark.skipif(sys.platform != "emscripten", reason="the wasm-bindgen engine runs in Pyodide")
def test_loaded_wasm_layer_has_the_contracts_parameters():
    from liveimport import _engine_wasm

    kinds = {
        "positional": "POSITIONAL_OR_KEYWORD",
        "positional-only": "POSITIONAL_ONLY",
        "keyword-only": "KEYWORD_ONLY",
        "var-positional": "VAR_POSITIONAL",
        "var-keyword": "VAR_KEYWORD",
    }

    def expected(shape):
        return [
            (
                kinds[kind],
                name,
                inspect.Parameter.empty if default is None else ast.literal_eval(default),
            )
            for kind, name, _, default in shape[1]
            if name != "self"
        ]

    for name, shape in public_api(CONTRACT.read_text(encoding="utf-8")).items():
        if shape[0] == "function":
            assert _runtime_parameters(getattr(_engine_wasm, name)) == expected(shape), name
        elif shape[0] == "class":
            cls = getattr(_engine_wasm, name)
            assert issubclass(cls, Exception) == (shape[1] == ("Exception",)), name
            for member, member_shape in shape[2].items():
                if member_shape[0] == "function":
                    runtime = _runtime_parameters(getattr(cls, member))
                    assert runtime == expected(member_shape), f"{name}.{member}"
                elif member_shape[0] == "constructor":
                    runtime = _runtime_parameters(cls.__init__)
                    assert runtime == expected(member_shape), f"{name}.{member}"


def test_a_sync_error_keeps_the_hosts_exception_until_the_file_changes(tmp_path):
    # _engine.pyi, plan_sync: "Raises AnalysisError for the first modified module ... at every
    # call until its file changes": with the host's own exception as the cause every time (the
    # wasm-bindgen engine once named a forgotten exception at the second call).
    import os

    from liveimport import _engine

    rejections: list[SyntaxError] = []

    def check_syntax(file: str, source: str) -> "SyntaxError | None":
        if "= =" not in source:
            return None
        rejections.append(SyntaxError(f"host says no ({len(rejections)})", (file, 1, 3, source)))
        return rejections[-1]

    module = tmp_path / "m_contract.py"
    module.write_text("x = 1\n")
    os.utime(module, (1e9, 1e9))
    spec = ("m_contract", str(module), "")
    engine = _engine.Engine([str(tmp_path)], tuple(sys.version_info[:2]), check_syntax)
    engine.register(1, [("import", "m_contract", None, None)], [spec], False)
    module.write_text("x = = 2\n")
    os.utime(module, (1e9 + 1, 1e9 + 1))
    causes = []
    for _ in range(3):
        with pytest.raises(_engine.AnalysisError) as info:
            engine.plan_sync(True)
        assert info.value.module == "m_contract"
        causes.append(info.value.cause)
    assert len(rejections) == 1, "asked once: the file did not change"
    assert causes == [rejections[0]] * 3 and all(c is rejections[0] for c in causes)
    module.write_text("x = 2\n")
    os.utime(module, (1e9 + 2, 1e9 + 2))
    entries, namespaces = engine.plan_sync(True)
    assert [(m, reason) for m, reason, _, _ in entries] == [("m_contract", "modified")]
    assert namespaces == [(1, ["m_contract"], [("import", "m_contract", None, None)])]
    engine.commit(["m_contract"])
    assert engine.plan_sync(True) == ([], [])
