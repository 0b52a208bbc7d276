"""Source nested too deeply to parse in one piece never crashes the interpreter.

Inside Pyodide the WebAssembly call stack cannot grow, so a recursive parser
fed thousands of nested brackets or a 30,000-term expression would abort the
whole kernel. LiveImport rejects what CPython itself rejects (more than 200
nested brackets, 100 indentation levels) as a ``SyntaxError`` naming the file
and line, and analyses other deep source statement by statement, so its
top-level imports are still found.
"""

import pytest

import liveimport
from liveimport import ModuleError
from liveimport_fixtures import mods, ns  # noqa: F401 (fixtures)

#: Rejected by CPython's tokenizer too.
OVER_CPYTHON_LIMITS = {
    "parentheses": "x = " + "(" * 1500 + ")" * 1500,
    "calls": "x = " + "f(" * 3000 + ")" * 3000,
    "f-strings": "x = " + "f'{f\"{" * 150 + "1" + "}\"}'" * 150,
    "indentation": "".join(" " * i + "if x:\n" for i in range(3000)) + " " * 3000 + "pass",
}

#: Long chains: too deep to parse whole in Pyodide.
LONG_CHAINS = {
    "unary minus": "x = " + "-" * 3000 + "1",
    "not": "x = " + "not " * 3000 + "1",
    "sum": "x = " + "+".join(["1"] * 30000),
    "attributes": "x = " + "a." * 30000 + "b",
    "lambdas": "x = " + "lambda: " * 30000 + "1",
}


@pytest.mark.parametrize("kind", sorted(OVER_CPYTHON_LIMITS))
def test_registration_text_over_cpython_limits_is_a_syntax_error(mods, ns, kind):
    with pytest.raises(SyntaxError) as info:
        liveimport.register(ns, OVER_CPYTHON_LIMITS[kind])
    assert info.value.filename == "<importstmts>"
    assert info.value.lineno >= 1


@pytest.mark.parametrize("kind", sorted(LONG_CHAINS))
def test_registration_text_with_long_chain_is_not_an_import(mods, ns, kind):
    with pytest.raises(ValueError, match=r"^Expected only imports, found x = "):
        liveimport.register(ns, LONG_CHAINS[kind])
    liveimport.register(ns, LONG_CHAINS[kind], allow_other_statements=True)
    assert liveimport.status(ns).statements == ()


@pytest.mark.parametrize("kind", sorted(OVER_CPYTHON_LIMITS))
def test_module_over_cpython_limits_is_an_analysis_error(mods, ns, kind):
    mods.write("deep.py", "y = 1\n")
    exec("import deep", ns)
    mods.write("deep.py", "import json\n" + OVER_CPYTHON_LIMITS[kind] + "\n")
    with pytest.raises(ModuleError) as info:
        liveimport.register(ns, "import deep")
    assert info.value.phase == "analysis"
    cause = info.value.__cause__
    assert isinstance(cause, SyntaxError)
    assert cause.filename == str(mods.path("deep.py"))
    assert cause.lineno >= 2


@pytest.mark.parametrize("kind", sorted(LONG_CHAINS))
def test_module_with_long_chain_keeps_its_dependencies(mods, ns, kind):
    mods.write("leaf.py", "v = 1\n")
    mods.write("deep.py", "y = 1\n")
    exec("import leaf, deep", ns)
    mods.write(
        "deep.py",
        '"""Doc."""\nimport json\n'
        + LONG_CHAINS[kind]
        + "; import leaf\nif y:\n    import nested\n",
    )
    liveimport.register(ns, "import deep")
    leaf = liveimport.status().module("leaf")
    assert leaf is not None and leaf.imported_by == ("deep",)


def test_sync_survives_a_module_edited_to_be_too_deep(mods, ns):
    mods.write("deep.py", "y = 1\n")
    mods.load(ns, "from deep import y")
    mods.write("deep.py", "y = 2\nz = " + "(" * 5000 + ")" * 5000 + "\n")
    with pytest.raises(ModuleError) as info:
        liveimport.sync()
    assert info.value.phase == "analysis"  # CPython's parser rejects it: found before running it
    assert isinstance(info.value.__cause__, SyntaxError)
    assert ns["y"] == 1
    mods.write("deep.py", "y = 3\n")
    liveimport.sync()
    assert ns["y"] == 3


@pytest.mark.parametrize("chain", ["-", "not ", "lambda: ", "a.", "~"])
def test_chains_near_the_whole_parse_limit(mods, ns, chain):
    # Parsed whole (295 links + 4 brackets) and just past it (305): both analysed,
    # repeatedly, so a tiered-up parser with bigger frames is exercised too.
    for links in (295, 305, 295, 305):
        mods.write("edge.py", "import json\ndef f():\n    y = ((((" + chain * links + "b))))\n")
        liveimport._reset()
        exec("import edge", ns)
        liveimport.register(ns, "import edge")
        assert liveimport.status().module("json") is None  # json is not in the workspace
        assert liveimport.status().module("edge") is not None
