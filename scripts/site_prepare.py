#!/usr/bin/env python3
"""Assemble the input folder (``--lite-dir``) of the offline JupyterLite demo site.

Usage:
  site_prepare.py wheels PYODIDE_DIR WHEEL_CACHE
      Download, once, the pure-Python wheels the Pyodide kernel needs into
      WHEEL_CACHE (pip, from PyPI): the kernel's closure from ``pyodide-lock.json``
      (micropip, IPython and its dependencies, jedi, parso; versions pinned to
      the lock), the ``LOCK_EXTRAS`` for the tests, and the piplite-only wheels
      (comm, ipython-pygments-lexers).
      Writes WHEEL_CACHE/index.json ``{"key", "lock": [FILE...], "piplite": [FILE...]}``.
  site_prepare.py lite-dir PYODIDE_DIR WHEEL_CACHE CONFIG LITE_DIR
      (Re)create LITE_DIR: ``static/pyodide/`` = the files of the pyodide npm
      package (PYODIDE_DIR) plus the lock wheels, with the lock's ``sha256`` of
      those wheels rewritten to the files we have; ``jupyter-lite.json`` = CONFIG.
      Prints the piplite wheel paths (one per line) for ``--piplite-wheels``.
  site_prepare.py piplite-demo OUT_DIR
      Write the ``pk_piplite_demo`` wheel (``PIPLITE_DEMO``, for the site's own piplite
      index) into OUT_DIR and print its path.

Older Pyodides (0.27, 0.29: JupyterLite 0.6, 0.7) list ``sqlite3`` in the
kernel's closure as a compiled stdlib module that only Pyodide's CDN has; the
site gets a stand-in wheel of that file name instead (the DB-API names IPython
refers to, tests/pyodide/sqlite3_stand_in.py: the kernel runs IPython with its
history off). Wheels are downloaded for the lock's Python version.

Nothing is fetched at run time by the built site: every file the kernel loads
is in the site. Exit status: non-zero (pip's, or 2 with a message) on failure.
"""
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

#: Lock packages the kernel loads while starting (micropip, then piplite
#: installs ipykernel, comm, pyodide-kernel, jedi, ipython from the lock).
LOCK_ROOTS = ["micropip", "ipython", "jedi"]
#: Small pure-Python lock packages that no kernel loads at start, placed in the site's
#: Pyodide folder for tests/browser/packages.test.mjs (loading Pyodide packages along the
#: module graph): the kernel loads them only when a workspace module imports them.
LOCK_EXTRAS = ["tblib", "iniconfig", "pycparser"]
#: Compiled lock packages of the closure replaced by a stand-in (older Pyodides only).
STAND_INS = {"sqlite3": os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                     "pyodide", "sqlite3_stand_in.py")}
#: Wheels the kernel installs through piplite that are not in the lock.
PIPLITE_WHEELS = ["comm==0.2.3", "ipython-pygments-lexers==1.1.1"]


def _sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _norm(name):
    """PEP 503 normalised package name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _lock(pyodide_dir):
    with open(os.path.join(pyodide_dir, "pyodide-lock.json"), "rb") as f:
        raw = f.read()
    return raw, json.loads(raw)


def _closure(lock):
    """Lock package names reachable from LOCK_ROOTS (lower-case names)."""
    packages = {_norm(name): p for name, p in lock["packages"].items()}
    seen, todo = set(), list(LOCK_ROOTS)
    while todo:
        name = _norm(todo.pop())
        if name in seen:
            continue
        if name not in packages:
            raise SystemExit(f"site_prepare: {name} is not in pyodide-lock.json")
        seen.add(name)
        todo.extend(packages[name]["depends"])
    return sorted(seen)


def _python(lock):
    """``MAJOR.MINOR`` of the lock's Python."""
    return ".".join(lock["info"]["python"].split(".")[:2])


def _stand_in_wheel(package, target):
    """Write the stand-in for lock ``package`` (a ``cpython_module``) as the wheel
    file ``target``: ``NAME/__init__.py`` and a minimal ``.dist-info``."""
    import base64
    import zipfile
    name, version = package["name"], package["version"]
    with open(STAND_INS[name], "rb") as f:
        init = f.read()
    info = f"{name}-{version}.dist-info"
    files = {f"{name}/__init__.py": init,
             f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
                                 "Summary: offline stand-in (scripts/site_prepare.py)\n".encode(),
             f"{info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: site_prepare.py\nRoot-Is-Purelib: true\n"
                              b"Tag: py3-none-any\n"}
    record = "".join(f"{n},sha256={base64.urlsafe_b64encode(hashlib.sha256(d).digest()).rstrip(b'=').decode()},"
                     f"{len(d)}\n" for n, d in files.items()) + f"{info}/RECORD,,\n"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        for n, d in files.items():
            z.writestr(zipfile.ZipInfo(n, (1980, 1, 1, 0, 0, 0)), d)
        z.writestr(zipfile.ZipInfo(f"{info}/RECORD", (1980, 1, 1, 0, 0, 0)), record)


def _pip_download(reqs, dest, python="3.14"):
    cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
           "--no-deps", "--only-binary=:all:", "--python-version", python,
           "--implementation", "py", "--abi", "none", "--platform", "any", "-d", dest, *reqs]
    print("site wheels:", " ".join(reqs), file=sys.stderr)
    return subprocess.run(cmd).returncode


def wheels(pyodide_dir, cache):
    raw, lock = _lock(pyodide_dir)
    names = _closure(lock)
    packages = {_norm(name): p for name, p in lock["packages"].items()}
    lock_reqs = [f"{n}=={packages[n]['version']}" for n in names + LOCK_EXTRAS if n not in STAND_INS]
    key = hashlib.sha256(raw + json.dumps([lock_reqs, PIPLITE_WHEELS]).encode()).hexdigest()
    index_path = os.path.join(cache, "index.json")
    try:
        with open(index_path) as f:
            old = json.load(f)
        if old["key"] == key and all(os.path.exists(os.path.join(cache, w))
                                     for s in ("lock", "piplite") for w in old[s]):
            return 0
    except (OSError, ValueError, KeyError):
        pass
    os.makedirs(cache, exist_ok=True)
    index = {"key": key}
    with tempfile.TemporaryDirectory() as tmp:
        for set_name, reqs in (("lock", lock_reqs), ("piplite", PIPLITE_WHEELS)):
            dest = os.path.join(tmp, set_name)
            rc = _pip_download(reqs, dest, _python(lock))
            if rc:
                return rc
            files = sorted(os.listdir(dest))
            for name in files:
                shutil.move(os.path.join(dest, name), os.path.join(cache, name))
            index[set_name] = files
    with open(index_path, "w") as f:
        json.dump(index, f, indent=1)
    return 0


def lite_dir(pyodide_dir, cache, config, out):
    with open(os.path.join(cache, "index.json")) as f:
        index = json.load(f)
    _, lock = _lock(pyodide_dir)
    if os.path.isdir(out):
        shutil.rmtree(out)
    static = os.path.join(out, "static", "pyodide")
    shutil.copytree(pyodide_dir, static)
    by_file = {p["file_name"]: p for p in lock["packages"].values()}
    for name in index["lock"]:
        if name not in by_file:
            raise SystemExit(f"site_prepare: {name} does not match a file of pyodide-lock.json")
        target = os.path.join(static, name)
        shutil.copy2(os.path.join(cache, name), target)
        by_file[name]["sha256"] = _sha256(target)
    packages = {_norm(name): p for name, p in lock["packages"].items()}
    for name in _closure(lock):
        if name in STAND_INS:
            target = os.path.join(static, packages[name]["file_name"])
            _stand_in_wheel(packages[name], target)
            packages[name]["sha256"] = _sha256(target)
            packages[name]["shared_library"] = False
    with open(os.path.join(static, "pyodide-lock.json"), "w") as f:
        json.dump(lock, f)
    shutil.copy2(config, os.path.join(out, "jupyter-lite.json"))
    for name in index["piplite"]:
        print(os.path.join(cache, name))
    return 0


#: The site's own piplite wheel for tests/browser/packages.test.mjs: a package of no Pyodide
#: lock file, which the kernel installs with piplite from the site's index when a workspace
#: module imports it.
PIPLITE_DEMO = ("pk_piplite_demo", "1.0.0",
                b'"""Only the piplite index of the test site has it."""\nNAME = "pk_piplite_demo"\n')


def piplite_demo(out_dir):
    """Write the :data:`PIPLITE_DEMO` wheel into ``out_dir``; print its path."""
    import base64
    import zipfile
    name, version, init = PIPLITE_DEMO
    info = f"{name}-{version}.dist-info"
    files = {f"{name}/__init__.py": init,
             f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode(),
             f"{info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: site_prepare.py\nRoot-Is-Purelib: true\n"
                              b"Tag: py3-none-any\n"}
    record = "".join(f"{n},sha256={base64.urlsafe_b64encode(hashlib.sha256(d).digest()).rstrip(b'=').decode()},"
                     f"{len(d)}\n" for n, d in files.items()) + f"{info}/RECORD,,\n"
    os.makedirs(out_dir, exist_ok=True)
    target = os.path.join(out_dir, f"{name}-{version}-py3-none-any.whl")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        for n, d in files.items():
            z.writestr(zipfile.ZipInfo(n, (1980, 1, 1, 0, 0, 0)), d)
        z.writestr(zipfile.ZipInfo(f"{info}/RECORD", (1980, 1, 1, 0, 0, 0)), record)
    print(target)
    return 0


def main(argv):
    if len(argv) == 2 and argv[0] == "piplite-demo":
        return piplite_demo(argv[1])
    if len(argv) == 3 and argv[0] == "wheels":
        return wheels(*argv[1:])
    if len(argv) == 5 and argv[0] == "lite-dir":
        return lite_dir(*argv[1:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
