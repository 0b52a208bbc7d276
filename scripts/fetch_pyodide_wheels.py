#!/usr/bin/env python3
"""Download the pure-Python wheels that the Pyodide runs need, once, into the cache.

Usage: fetch_pyodide_wheels.py PYODIDE_LOCK_JSON OUT_DIR
       fetch_pyodide_wheels.py --lock-packages PYODIDE_LOCK_JSON OUT_DIR

Pyodide's npm package ships no wheels, and nothing may be fetched at test time,
so this downloads (with pip, from PyPI) two sets of ``py3-none-any`` wheels for
the lock's Python (``info.python``: 3.12 for Pyodide 0.26/0.27, 3.13 for 0.29,
3.14 for 314, 3.15 for 315), pinned to the versions in ``pyodide-lock.json``
wherever the lock lists the package (otherwise the newest that fits):

- ``test``: pytest and IPython with their closures (installed into every
  Pyodide instance that runs ``tests/python``);
- ``micropip``: micropip alone (used to check that our Pyodide wheel installs).

With ``--lock-packages``: the wheels of :data:`LOCK_PACKAGES` (small pure-Python
packages of every lock that no kernel loads at start) at the versions and file
names the lock gives, for the tests of loading Pyodide packages along the module
graph (tests/pyodide/packages.test.mjs). Pyodide rebuilds its wheels, so their
``sha256`` differs from the lock's; OUT_DIR/pyodide-lock.json is the lock with the
``sha256`` of those files (as scripts/site_prepare.py does for the site).

Writes ``OUT_DIR/index.json``: ``{"micropip": [FILE], "test": [FILE, ...]}``
(file names relative to OUT_DIR). Does nothing when the index exists and was
made for the same lock and requirements. Exit status: pip's on failure.
"""
import hashlib
import json
import os
import subprocess
import sys
import tempfile

SETS = {
    "test": ["pytest", "ipython"],
    "micropip": ["micropip"],
}

#: The lock packages of ``--lock-packages``: in every Pyodide of the matrix, pure
#: Python, no dependencies (tblib, iniconfig, pycparser).
LOCK_PACKAGES = ["tblib", "iniconfig", "pycparser"]


def lock_packages(lock_path, out_dir):
    with open(lock_path, "rb") as f:
        lock = json.load(f)
    wanted = {n: lock["packages"][n] for n in LOCK_PACKAGES}
    os.makedirs(out_dir, exist_ok=True)
    missing = [p for p in wanted.values() if not os.path.exists(os.path.join(out_dir, p["file_name"]))]
    if missing:
        python = ".".join(lock["info"]["python"].split(".")[:2])
        cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
               "--no-deps", "--only-binary=:all:", "--python-version", python, "--implementation",
               "py", "--abi", "none", "--platform", "any", "-d", out_dir,
               *(f"{p['name']}=={p['version']}" for p in missing)]
        print("pyodide lock packages:", " ".join(cmd[-len(missing):]))
        rc = subprocess.run(cmd).returncode
        if rc:
            return rc
    for package in wanted.values():
        path = os.path.join(out_dir, package["file_name"])
        if not os.path.exists(path):
            sys.exit(f"fetch_pyodide_wheels: pip gave no {package['file_name']}")
        with open(path, "rb") as f:
            package["sha256"] = hashlib.sha256(f.read()).hexdigest()
    with open(os.path.join(out_dir, "pyodide-lock.json"), "w") as f:
        json.dump(lock, f)
    with open(os.path.join(out_dir, "index.json"), "w") as f:
        json.dump({n: p["file_name"] for n, p in wanted.items()}, f, indent=1)
    return 0


def main(lock_path, out_dir):
    with open(lock_path, "rb") as f:
        lock_bytes = f.read()
    lock = json.loads(lock_bytes)
    pure = {p["name"].lower(): p["version"] for p in lock["packages"].values()
            if p["file_name"].endswith("none-any.whl")}
    python = ".".join(lock["info"]["python"].split(".")[:2])
    key = hashlib.sha256(lock_bytes + json.dumps(SETS).encode()).hexdigest()
    index_path = os.path.join(out_dir, "index.json")
    try:
        with open(index_path) as f:
            old = json.load(f)
        if old.get("key") == key and all(
                os.path.exists(os.path.join(out_dir, w)) for s in SETS for w in old[s]):
            print(f"pyodide wheels: up to date in {out_dir}")
            return 0
    except (OSError, ValueError, KeyError):
        pass

    os.makedirs(out_dir, exist_ok=True)
    index = {"key": key, "python": lock["info"]["python"]}
    with tempfile.TemporaryDirectory() as tmp:
        constraints = os.path.join(tmp, "constraints.txt")
        with open(constraints, "w") as f:
            f.writelines(f"{n}=={v}\n" for n, v in sorted(pure.items()))
        for set_name, names in SETS.items():
            dest = os.path.join(tmp, set_name)
            reqs = [f"{n}=={pure[n]}" if n in pure else n for n in names]
            cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
                   "--only-binary=:all:", "--python-version", python, "--implementation", "py",
                   "--abi", "none", "--platform", "any", "-c", constraints, "-d", dest, *reqs]
            print("pyodide wheels:", " ".join(reqs))
            rc = subprocess.run(cmd).returncode
            if rc:
                return rc
            files = sorted(os.listdir(dest))
            for name in files:
                os.replace(os.path.join(dest, name), os.path.join(out_dir, name))
            index[set_name] = files
    with open(index_path, "w") as f:
        json.dump(index, f, indent=1)
    print(f"pyodide wheels: {sum(len(index[s]) for s in SETS)} wheels in {out_dir}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--lock-packages":
        sys.exit(lock_packages(sys.argv[2], sys.argv[3]))
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
