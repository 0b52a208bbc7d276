"""Every install line we print or document works as written (issue 19, item 5).

Nothing is published yet, so each line names the distributions as they will
be published and takes them from a clone's ``dist/`` with pip's
``--find-links``. The lines come from where a user reads them:

- README.md, autoload/README.md, jupyterlite-ext/README.md: every ``pip
  install`` (code blocks and inline code) that names one of our
  distributions, except in the site recipes, which the browser tests run as
  written (tests/browser/site-recipe.test.mjs, sphinx-recipe.test.mjs);
- the extension's notice for a kernel without LiveImport
  (``INSTALL_COMMAND`` of jupyterlite-ext/src/bootstraprequest.ts), run the
  way IPython's ``%pip`` runs it (``python -m pip install ...``);
- the ImportError of a CPython with no engine (``liveimport._engine``): a
  source install of the sdist, a full Rust build, run only with
  ``LIVEIMPORT_TEST_SDIST=1`` (scripts/release.sh sets it).

Each line runs in a fresh venv (the running CPython's ``venv``), from the
repository's root (where ``dist`` is), with no package index
(``PIP_NO_INDEX=1``: nothing may come from PyPI, except for the sdist line,
whose build needs maturin) and no pip cache (``PIP_NO_CACHE_DIR=1``: a
cached wheel built from the sdist would skip its Rust build);
``/path/to/your/clone`` stands for the clone.
Then the test checks what a user would: the distributions are installed in
the versions of ``dist/``, ``import liveimport`` runs the native engine, the
extension is where JupyterLab looks, the startup file where IPython does.

Run after scripts/build.sh and scripts/site.sh build (scripts/test.sh's
packaging step does): ``python -m pytest tests/packaging``.
"""

import json
import os
import pathlib
import re
import shlex
import subprocess
import venv

import pytest

ROOT = pathlib.Path(__file__).parents[2]
DIST = ROOT / "dist"
PLACEHOLDER = "/path/to/your/clone"
#: Our distributions, as published (PyPI names).
OURS = ("liveimport-lite", "liveimport-lite-autoload", "jupyterlite-liveimport")
#: README sections whose commands the browser tests run as written.
RECIPES = {
    "Add it to your own site": "tests/browser/site-recipe.test.mjs",
    "A Sphinx site (jupyterlite-sphinx)": "tests/browser/sphinx-recipe.test.mjs",
}
DOCS = ("README.md", "autoload/README.md", "jupyterlite-ext/README.md")


def _sections(text):
    """(heading, body) of each Markdown section (fenced blocks kept whole)."""
    out, heading, body, fenced = [], "", [], False
    for line in text.split("\n"):
        if line.startswith("```"):
            fenced = not fenced
        m = None if fenced else re.match(r"^#+\s+(.*)$", line)
        if m:
            out.append((heading, "\n".join(body)))
            heading, body = m.group(1).strip(), []
        else:
            body.append(line)
    out.append((heading, "\n".join(body)))
    return out


def _commands(body):
    """The ``pip install`` commands of a section: lines of fenced blocks
    (``$ `` prompts removed, continuations joined) and inline code spans."""
    found, prose, block = [], [], None
    for line in body.split("\n"):
        if line.startswith("```"):
            if block is None:
                block = []
            else:
                found += [c for c in " ".join(block).replace("\\ ", " ").split("\n") if c]
                block = None
            continue
        if block is None:
            prose.append(line)
        else:
            line = line.removeprefix("$ ")
            block.append(line + ("" if line.endswith("\\") else "\n"))
    found += re.findall(r"`([^`]+)`", " ".join(prose))
    # A trailing "# ..." of a console line is a comment to the reader.
    return [re.sub(r"\s+#\s.*$", "", " ".join(c.split())) for c in found if "pip install" in c]


def _names_ours(command):
    words = shlex.split(command, comments=True)
    return any(re.sub(r"\[.*\]$", "", w) in OURS for w in words)


def documented():
    """{command: [where]} for every documented install line of ours."""
    lines = {}
    for doc in DOCS:
        for heading, body in _sections((ROOT / doc).read_text(encoding="utf-8")):
            for command in _commands(body):
                if _names_ours(command) or "dist/" in command:
                    lines.setdefault(command, []).append(f"{doc}: {heading}")
    return lines


def printed():
    """{command: [where]} for the lines the extension and the package print."""
    ts = (ROOT / "jupyterlite-ext/src/bootstraprequest.ts").read_text(encoding="utf-8")
    wheel = re.search(r"export const WHEEL_NAME = '([^']+)';", ts).group(1)
    command = re.search(r"export const INSTALL_COMMAND = `([^`]+)`;", ts).group(1)
    command = command.replace("${WHEEL_NAME}", wheel)
    source = (ROOT / "python/liveimport/_engine.py").read_text(encoding="utf-8")
    sdist = re.search(r'_SOURCE_INSTALL_COMMAND = \(\n\s+"([^"]+)"\n\)', source).group(1)
    return {
        command: ["jupyterlite-ext/src/bootstraprequest.ts INSTALL_COMMAND (notices)"],
        sdist: ["python/liveimport/_engine.py _SOURCE_INSTALL_COMMAND (no-engine ImportError)"],
    }


def runnable():
    """The lines this test runs: {command: [where]}, recipes left out."""
    lines = {}
    for source in (documented(), printed()):
        for command, where in source.items():
            if all(w.startswith("README.md: ") and w.split(": ", 1)[1] in RECIPES for w in where):
                continue  # a browser test runs it
            lines.setdefault(command, []).extend(where)
    return lines


LINES = runnable()


def test_the_recipes_that_the_browser_tests_run_exist():
    headings = {h for h, _ in _sections((ROOT / "README.md").read_text(encoding="utf-8"))}
    for heading, test in RECIPES.items():
        assert heading in headings, f"README.md has no section {heading!r} ({test} runs it)"
        assert (ROOT / test).is_file(), test


def test_every_line_takes_our_distributions_from_dist():
    # A bare `pip install liveimport-lite` fails on a fresh machine until it is published.
    assert len(LINES) >= 5, LINES
    for command, where in {**documented(), **printed()}.items():
        if _names_ours(command):
            assert "--find-links" in command, f"{command!r} ({where}) fails until published"


def _fresh_venv(path):
    venv.EnvBuilder(with_pip=True, clear=True).create(path)
    return path / "bin" / "python"


def _dist_version(name):
    stem = name.replace("-", "_")
    found = sorted(DIST.glob(f"{stem}-*-py3-none-any.whl"))
    found += sorted(DIST.glob(f"{stem}-*abi3*.whl"))
    assert found, f"no wheel of {name} in {DIST} (scripts/build.sh, scripts/site.sh build)"
    return found[-1].name.split("-")[1]


@pytest.mark.parametrize("command", sorted(LINES), ids=lambda c: c[:60])
def test_install_line_works_as_written_in_a_fresh_venv(command, tmp_path):
    sdist = "--no-binary" in command
    if sdist and os.environ.get("LIVEIMPORT_TEST_SDIST") != "1":
        pytest.skip("a full Rust build of the sdist: scripts/release.sh runs it "
                    "(LIVEIMPORT_TEST_SDIST=1)")
    python = _fresh_venv(tmp_path / "venv")
    shell = command.replace(PLACEHOLDER, str(ROOT))
    if shell.startswith("%pip "):
        shell = f"python -m pip {shell[len('%pip '):]}"  # what IPython's %pip runs
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "PYTHON"))}
    # No pip cache, as on a fresh machine (a cached build of the sdist would skip the Rust build).
    env.update(PATH=f"{python.parent}:{env['PATH']}", VIRTUAL_ENV=str(python.parent.parent),
               PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_CACHE_DIR="1")
    if not sdist:
        env["PIP_NO_INDEX"] = "1"
    run = subprocess.run(["bash", "-euo", "pipefail", "-c", shell], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=3600 if sdist else 300)
    assert run.returncode == 0, (
        f"{command!r} ({LINES[command]}) failed:\n{run.stdout}\n{run.stderr}")

    names = {re.sub(r"\[.*\]$", "", w) for w in shlex.split(command, comments=True)} & set(OURS)
    if "liveimport-lite[autoload]" in command:
        names.add("liveimport-lite-autoload")
    assert names, command
    check = subprocess.run(
        [str(python), "-c", """
import importlib.metadata as md, json, os, sys
names = json.loads(sys.argv[1])
out = {"versions": {n: md.version(n) for n in names}, "prefix": sys.prefix}
if "liveimport-lite" in names:
    import liveimport, liveimport._engine as e
    out["backend"] = e.BACKEND
    out["engine"] = os.path.basename(sys.modules["liveimport._engine_pyo3"].__file__)
print(json.dumps(out))
""", json.dumps(sorted(names))], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    got = json.loads(check.stdout)
    assert got["versions"] == {n: _dist_version(n) for n in names}
    prefix = pathlib.Path(got["prefix"])
    if "liveimport-lite" in names:
        assert got["backend"] == "pyo3", got
        assert got["engine"].endswith(".abi3.so"), got
    if "jupyterlite-liveimport" in names:  # where JupyterLab and `jupyter lite build` look
        extension = prefix / "share/jupyter/labextensions/jupyterlite-liveimport"
        assert (extension / "package.json").is_file()
        assert (extension / "static/pypi/all.json").is_file()
    if "liveimport-lite-autoload" in names:
        assert (prefix / "etc/ipython/startup/00-liveimport-lite.py").is_file()
