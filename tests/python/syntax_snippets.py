"""Invalid (and version-dependent) module sources covering Python's grammar,
for the differential syntax test (``test_syntax_differential``). Each entry is
judged by the running interpreter's own parser (``ast.parse``); the test only
asserts that LiveImport agrees with it, so an entry valid on some Python
version is fine (e.g. t-strings from 3.14)."""

SNIPPETS = [
    # unclosed, unmatched and mismatched brackets
    "x = (1, 2\n", "x = [1, 2\ny = 3\n", "x = {1: 2\n", "f(1, 2\n\ndef g():\n    pass\n",
    "x = 1)\n", "x = ]\n", "x = (1]\n", "x = [1}\n", "x = {1)\n", "print((1)))\n",
    # bad assignment, deletion and augmented targets
    "f() = 1\n", "1 = x\n", "x + 1 = 2\n", "(a, f()) = 1, 2\n", "[a, 1] = 1, 2\n",
    "del f()\n", "del 1\n", "del (a + b)\n", "f() += 1\n", "(a, b) += 1\n", "[a] += [1]\n",
    "x = yield = 1\n", "lambda: x = 1\n", "a if b else c = 1\n", "None = 1\n", "True = 1\n",
    "for f() in x:\n    pass\n", "for 1 in x:\n    pass\n", "with a as f():\n    pass\n",
    "with a as 1:\n    pass\n", "x = [i for f() in y]\n", "(x := 1) = 2\n", "(a.b := 1)\n",
    "(a[0] := 1)\n", "x = *a\n", "print(*)\n", "x = **a\n", "*a, *b = c\n", "x.1 = 2\n",
    # definitions
    "def f(:\n    pass\n", "def f(a, :\n    pass\n", "def f(a=1, b):\n    pass\n",
    "def f(*):\n    pass\n", "def f(*, **k):\n    pass\n", "def f(**k, a):\n    pass\n",
    "def f(a, /, /):\n    pass\n", "def f(/, a):\n    pass\n", "def f(*a, *b):\n    pass\n",
    "def f()\n    pass\n", "def f() -> :\n    pass\n", "def 1f():\n    pass\n",
    "class C(:\n    pass\n", "class C\n    pass\n", "class C(x for x in y):\n    pass\n",
    "lambda a=1, b: 0\n", "lambda *: 0\n", "async def f(:\n    pass\n", "def f[](): pass\n",
    "class C[]: pass\n", "type = 1 = 2\n", "type X[] = int\n", "@\ndef f(): pass\n",
    # calls and arguments
    "f(a=1, b)\n", "f(**k, *a)\n", "f(a for a in b, c)\n", "f(c, a for a in b)\n",
    "f(a=1, a for a in b)\n", "f(1=2)\n", "f(a.b=1)\n", "f(x y)\n", "f(,)\n", "f(a,, b)\n",
    # statements and keywords in the wrong place
    "if x\n    pass\n", "if x:\npass\n", "while:\n    pass\n", "for x in:\n    pass\n",
    "for x y:\n    pass\n", "else:\n    pass\n", "elif x:\n    pass\n",
    "try:\n    pass\n", "try:\n    pass\nfinally\n    pass\n", "except:\n    pass\n",
    "try:\n    pass\nexcept A, B:\n    pass\n", "try:\n    pass\nexcept* :\n    pass\n",
    "try:\n    pass\nexcept (A, B) as (c, d):\n    pass\n", "with (a as b, c as d\n    pass\n",
    "import\n", "from import x\n", "from x import\n", "import a.\n", "from . import *, x\n",
    "from x import (a, b\n", "from x import a,\n", "import a as\n", "import (a)\n",
    "from x import a as 1\n", "global\n", "nonlocal\n", "assert\n", "raise from x\n",
    "return return\n", "pass pass\n", "print 'hello'\n", "exec 'code'\n", "x = 1 if 2\n",
    "x = if 1 else 2\n", "x = not\n", "x = 1 +\n", "x = a b\n", "x = 1 2\n", "x === 1\n",
    "x = = 1\n", "x <> 1\n", "a ?? b\n", "x = $\n", "x = `1`\n", "x = 0777\n", "x = 1__0\n",
    "x = 1_\n", "x = 0b102\n", "x = 0o8\n", "x = 0x\n", "x = 1e\n", "x = 1.2.3\n",
    "x = 5j5\n", "match x:\n    case:\n        pass\n", "match x:\n    case 1 + :\n        pass\n",
    "match x:\n    case {**a, **b}:\n        pass\n", "match x:\n    case a as 1:\n        pass\n",
    "match x:\n    case f(a=1, b):\n        pass\n",
    # strings, f-strings and t-strings
    "x = 'abc\n", 'x = "abc\n', "x = '''abc\n", 'x = """abc\n', "x = b'\u00e9'\n",
    "x = f'{'\n", "x = f'{}'\n", "x = f'{x!z}'\n", "x = f'{x!}'\n", "x = f'{x:{y:{z:{w}}}}'\n",
    "x = f'}'\n", "x = f'{x=!}'\n", "x = f'{lambda x: 1}'\n", "x = f'{yield}'\n" if False else "x = f'{*a}'\n",
    "x = f'{a b}'\n", "x = f'{#}'\n", "x = rb'\\'\n", "x = 'a' 'b\n", "x = u'x' b'y'\n",
    "x = t'{'\n", "x = t'hello {name}'\n", "x = t'{x!z}'\n", "x = tb'x'\n", "x = ft'x'\n",
    "x = '\\N{NOT A REAL NAME}'\n",
    # indentation and line structure
    "  x = 1\n", "if x:\n  a = 1\n    b = 2\n", "if x:\n    a = 1\n  b = 2\n",
    "def f():\nreturn 1\n", "class C:\n\n", "x = 1 \\\n", "x = 1 \\ 2\n",
    "if x:\n\tif y:\n        pass\n", "x = (1,\n  2,\n", "for x in y:\n",
    # version-specific syntax (valid on some versions only)
    "type Point = tuple[float, float]\n", "class C[T]: pass\n", "def f[T](x: T) -> T: return x\n",
    "x = f\"{'a' 'b'}\"\n", "x = f\"{x[\"a\"]}\"\n", "x = f'{x:\\n}'\n", "x = f'''{\n1\n}'''\n",
    "x = f'{1 # comment\n}'\n",
    "try:\n    pass\nexcept* ValueError:\n    pass\n", "lazy import json\n", "lazy from os import path\n",
    "with (open(a) as b, open(c) as d):\n    pass\n", "def f[T = int](): pass\n",
    "for x in *a, *b:\n    pass\n", "x = [*a for a in b]\n",
]
