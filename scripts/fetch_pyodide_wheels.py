#!/usr/bin/env python3
"""Download the pure-Python wheels that the Pyodide runs need, once, into the cache.

Usage: fetch_pyodide_wheels.py PYODIDE_LOCK_JSON OUT_DIR

Pyodide's npm package ships no wheels, and nothing may be fetched at test time,
so this downloads (with pip, from PyPI) two sets of ``py3-none-any`` wheels for
the lock's Python (``info.python``: 3.12 for Pyodide 0.26/0.27, 3.13 for 0.29,
3.14 for 314, 3.15 for 315), pinned to the versions in ``pyodide-lock.json``
wherever the lock lists the package (otherwise the newest that fits):

- ``test``: pytest and IPython with their closures (installed into every
  Pyodide instance that runs ``tests/python``);
- ``micropip``: micropip alone (used to check that our Pyodide wheel installs).

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
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
