#!/usr/bin/env python3
"""Benchmark driver: ours vs reference LiveImport 1.3.1, in Pyodide and natively.

Usage (normally through ``scripts/bench.sh``, which prepares everything)::

    run.py --ours-pyodide WHL --ours-universal WHL --ours-native WHL --ref WHL
           --ipython-wheels DIR --pyodide DIR --python EXE --cache DIR --out DIR
           [--older-pyodide PYODIDE_DIR=IPYTHON_WHEELS_DIR ...]
           [--rounds 5] [--runtime pyodide|native|both] [--kinds K,...] [--ref-only]
           [--profile]

Each session is one fresh interpreter (native: a ``python`` subprocess;
Pyodide: a ``loadPyodide()`` instance in a fresh Node process) with one
implementation installed, running one session kind of :data:`KINDS`. The
implementations (:func:`impls_for`): in Pyodide 314 (``--pyodide``) ours with
the pyo3 engine, ours with the wasm-bindgen engine (the same wheel,
``LIVEIMPORT_ENGINE=wasm-bindgen``) and the reference; in each
``--older-pyodide`` (0.27, 0.29: JupyterLite 0.6 and 0.7) ours from the
universal wheel (wasm-bindgen) and the reference; natively ours and the
reference. A round runs every kind for each implementation in turn (A B C A B C);
figures are medians over rounds (at least 5). Writes ``OUT/results.json``
(every session's raw figures, the environment and the summary rows) and
``OUT/results.md``, and prints the Markdown table. Exit status 1 when a
session failed or a correctness check of a scenario failed.

``--profile`` runs the timed calls under cProfile and writes everything to
``OUT/profile/`` instead, with each session's top functions in
``<session id>.txt`` (times are then inflated; use it to see what dominates,
not for the table).
"""
import argparse
import gzip
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import report  # noqa: E402

# (kind, steps, preimport IPython before `import liveimport`, as a notebook kernel has)
KINDS = [
    ("nochange", ["nochange"], False),
    ("register200", ["register200"], True),
    ("reload", ["reload"], True),
    ("memory", ["memory"], False),
]
IMPLS = ("ours", "ref")
#: Our engine builds, by implementation name; ``ours`` is the pyo3 engine.
ENGINES = {"ours": "pyo3", "ours-wasm": "wasm-bindgen"}


def impls_for(runtime, ref_only):
    """The implementations benchmarked in ``runtime`` (``pyodide`` is Pyodide 314,
    ``pyodide-VERSION`` an older one, ``native``), ours first."""
    if ref_only:
        return ("ref",)
    if runtime == "pyodide":
        return ("ours", "ours-wasm", "ref")
    if runtime.startswith("pyodide-"):
        return ("ours-wasm", "ref")
    return ("ours", "ref")


def sha16(path):
    """First 16 hex digits of the file's sha256."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:16]


def snapshot(wheel, cache):
    """Copy a wheel into ``cache/wheels/<sha>/`` (a rebuild of dist/ during the run
    cannot pull it away); returns the copy's path."""
    dest = os.path.join(cache, "wheels", sha16(wheel), os.path.basename(wheel))
    if not os.path.isfile(dest):
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        shutil.copyfile(wheel, dest + ".tmp")
        os.replace(dest + ".tmp", dest)
    return dest


def prune(directory, keep):
    """Remove the entries of ``directory`` whose paths are not in ``keep`` (old builds)."""
    if os.path.isdir(directory):
        for name in os.listdir(directory):
            path = os.path.join(directory, name)
            if path not in keep:
                shutil.rmtree(path, ignore_errors=True)


def unpack(wheel, cache):
    """Unpack a wheel once into ``cache/site/<sha>``; returns that directory."""
    dest = os.path.join(cache, "site", sha16(wheel))
    if not os.path.isfile(os.path.join(dest, ".complete")):
        shutil.rmtree(dest, ignore_errors=True)
        with zipfile.ZipFile(wheel) as z:
            z.extractall(dest)
        open(os.path.join(dest, ".complete"), "w").close()
    return dest


def ipython_site(wheels_dir, pyodide_pkg, cache):
    """IPython's closure for Pyodide, unpacked and byte-compiled (once, cached).

    ``wheels_dir`` holds the pure-Python wheels of scripts/fetch_pyodide_wheels.py
    (``index.json``) for that Pyodide's Python; pytest's own closure and jedi's
    bundled typeshed stubs are left out. The .pyc files are compiled inside that
    Pyodide. IPython 8 (Pyodide 0.26/0.27) imports ``sqlite3``, which their npm
    packages lack: tests/pyodide/sqlite3_stand_in.py goes in as ``sqlite3.py``.
    """
    with open(os.path.join(wheels_dir, "index.json")) as f:
        index = json.load(f)
    skip = ("pytest-", "pluggy-", "iniconfig-", "micropip-")
    wheels = sorted(w for w in index["test"] if not w.startswith(skip))
    key = hashlib.sha256(json.dumps([index.get("key"), wheels, 1]).encode()).hexdigest()[:16]
    with open(os.path.join(pyodide_pkg, "package.json")) as f:
        version = json.load(f)["version"]
    dest = os.path.join(cache, "site", f"ipython-pyodide-{version}-{key}")
    if os.path.isfile(os.path.join(dest, ".complete")):
        return dest
    print(f"bench: preparing IPython for Pyodide in {dest}", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "src")
        for w in wheels:
            with zipfile.ZipFile(os.path.join(wheels_dir, w)) as z:
                z.extractall(src)
        shutil.rmtree(os.path.join(src, "jedi", "third_party", "typeshed"), ignore_errors=True)
        if any(w.startswith("ipython-8.") for w in wheels):
            shutil.copyfile(os.path.join(HERE, "..", "tests", "pyodide", "sqlite3_stand_in.py"),
                            os.path.join(src, "sqlite3.py"))
        shutil.rmtree(dest, ignore_errors=True)
        subprocess.run(["node", os.path.join(HERE, "pyodide_runner.mjs"), "--compile",
                        pyodide_pkg, src, dest], check=True)
    open(os.path.join(dest, ".complete"), "w").close()
    return dest


def parse_results(text):
    """The JSON objects of the ``BENCH-RESULT `` lines of a runner's stdout."""
    return [json.loads(line[len("BENCH-RESULT "):]) for line in text.splitlines()
            if line.startswith("BENCH-RESULT ")]


def run_native(python, site, spec):
    """One native session in a fresh ``python`` process; returns its record."""
    spec = dict(spec, site=site)
    t0 = time.perf_counter()
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # CPython's default: reloads may use .pyc files
    if "memory" in spec["steps"]:
        # every Python allocation through malloc, so mallinfo2 sees Python and engine alike
        env["PYTHONMALLOC"] = "malloc"
    proc = subprocess.run([python, "-X", "utf8", os.path.join(HERE, "scenarios.py"),
                           json.dumps(spec)], capture_output=True, text=True,
                          cwd=tempfile.gettempdir(), env=env)
    rec = {"wall_ms": (time.perf_counter() - t0) * 1e3}
    got = parse_results(proc.stdout)
    if proc.returncode != 0 or not got:
        rec["error"] = (proc.stderr or proc.stdout)[-4000:]
    else:
        rec["result"] = got[0]
    return rec


def run_pyodide(pyodide_pkg, sessions):
    """Run Pyodide sessions in one Node process; returns records by id.

    run.py passes one session at a time: within a Node process V8 reuses
    compiled code (JavaScript and WebAssembly) between Pyodide instances, so a
    later session would start warm, which a user's fresh kernel does not."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump({"pyodide": pyodide_pkg, "bench": HERE, "sessions": sessions}, f)
        plan = f.name
    try:
        proc = subprocess.run(["node", "--expose-gc", os.path.join(HERE, "pyodide_runner.mjs"),
                               plan], capture_output=True, text=True)
    finally:
        os.unlink(plan)
    recs = {r["id"]: r for r in parse_results(proc.stdout)}
    for s in sessions:
        if s["id"] not in recs:
            recs[s["id"]] = {"id": s["id"], "error": f"node exited {proc.returncode}: "
                             + proc.stderr[-4000:]}
    return recs


def wheel_sizes(wheel, engine="pyo3"):
    """Sizes in bytes: ``so_raw``/``so_gzip`` (the engine: the extension module for
    ``pyo3``, the ``.wasm`` for ``wasm-bindgen``, when the wheel has it),
    ``py_raw``/``py_gzip`` (the package's .py files, and the wasm-bindgen glue
    .js for that engine), ``wheel``."""
    out = {"wheel": os.path.getsize(wheel), "so_raw": 0, "so_gzip": 0, "py_raw": 0, "py_gzip": 0}
    engine_suffix = ".wasm" if engine == "wasm-bindgen" else ".so"
    code_suffixes = (".py", ".js") if engine == "wasm-bindgen" else (".py",)
    with zipfile.ZipFile(wheel) as z:
        for info in z.infolist():
            data = z.read(info)
            if info.filename.startswith("liveimport/") and info.filename.endswith(engine_suffix):
                out["so_raw"] += len(data)
                out["so_gzip"] += len(gzip.compress(data, 9))
                out["so_file"] = info.filename
            elif info.filename.startswith("liveimport/") and info.filename.endswith(code_suffixes):
                out["py_raw"] += len(data)
                out["py_gzip"] += len(gzip.compress(data, 9))
    return out


def env_version(pyodide_pkg):
    """The version of a pyodide npm package directory."""
    with open(os.path.join(pyodide_pkg, "package.json")) as f:
        return json.load(f)["version"]


def environment(args, pyodide_pkg):
    """What ran: machine, Node, Pyodide and Python versions."""
    def cmd(*c):
        try:
            return subprocess.run(c, capture_output=True, text=True).stdout.strip()
        except OSError:
            return None
    with open(os.path.join(pyodide_pkg, "package.json")) as f:
        pyodide_version = json.load(f)["version"]
    return {"date": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "cpus": os.cpu_count(),
            "machine": platform.machine(), "kernel": platform.release(),
            "loadavg_start": os.getloadavg(), "node": cmd("node", "--version"),
            "pyodide": pyodide_version,
            "native_python": cmd(args.python, "-c", "import sys; print(sys.version)"),
            "rounds": args.rounds}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ours-pyodide", help="the Pyodide 314 wheel (both engines)")
    ap.add_argument("--ours-universal", help="the py3-none-any wheel (older Pyodides)")
    ap.add_argument("--older-pyodide", action="append", default=[], metavar="PKG_DIR=WHEELS_DIR",
                    help="an older Pyodide npm package and its IPython wheels (repeatable)")
    ap.add_argument("--ours-native")
    ap.add_argument("--ref", required=True, help="liveimport-1.3.1-py3-none-any.whl")
    ap.add_argument("--ipython-wheels", required=True, help="dir with index.json (fetch_pyodide_wheels.py)")
    ap.add_argument("--pyodide", required=True, help="the pyodide npm package directory")
    ap.add_argument("--python", required=True, help="native CPython with IPython installed")
    ap.add_argument("--cache", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--runtime", choices=("pyodide", "native", "both"), default="both")
    ap.add_argument("--kinds", default=",".join(k for k, _, _ in KINDS),
                    help="comma-separated session kinds to run")
    ap.add_argument("--ref-only", action="store_true", help="run the reference only")
    ap.add_argument("--profile", action="store_true",
                    help="cProfile the timed calls; writes OUT/profile/*.txt")
    args = ap.parse_args(argv)
    if args.profile:  # inflated figures: keep them away from OUT/results.*
        args.out = os.path.join(args.out, "profile")
    t_start = time.perf_counter()

    if not args.ref_only and not (args.ours_pyodide and args.ours_native):
        ap.error("--ours-pyodide and --ours-native are required (or --ref-only)")
    if args.older_pyodide and not (args.ref_only or args.ours_universal):
        ap.error("--older-pyodide needs --ours-universal (or --ref-only)")
    kinds = [k for k in KINDS if k[0] in args.kinds.split(",")]
    older = {}  # runtime name -> (pyodide package dir, IPython wheels dir, version)
    for item in args.older_pyodide:
        pkg, _, wheels_dir = item.partition("=")
        with open(os.path.join(pkg, "package.json")) as f:
            older[f"pyodide-{json.load(f)['version']}"] = (pkg, wheels_dir)
    runtimes = {"both": ("pyodide", *older, "native"), "pyodide": ("pyodide", *older),
                "native": ("native",)}[args.runtime]
    packages = {"pyodide": (args.pyodide, args.ipython_wheels), **older}
    wheels = {("ref", rt): args.ref for rt in runtimes}
    if not args.ref_only:
        for rt in runtimes:
            for impl in impls_for(rt, False):
                if impl != "ref":
                    wheels[(impl, rt)] = (args.ours_native if rt == "native" else
                                          args.ours_pyodide if rt == "pyodide" else args.ours_universal)
    wheels = {key: snapshot(w, args.cache) for key, w in wheels.items()}
    sites = {key: unpack(w, args.cache) for key, w in wheels.items() if key[1] == "native"}
    ipys = {rt: ipython_site(packages[rt][1], packages[rt][0], args.cache)
            for rt in runtimes if rt != "native"}
    ipy = ipys.get("pyodide")
    prune(os.path.join(args.cache, "wheels"), {os.path.dirname(w) for w in wheels.values()})
    keep = set(sites.values()) | {os.path.join(args.cache, "site", sha16(w)) for w in wheels.values()}
    site_root = os.path.join(args.cache, "site")
    if os.path.isdir(site_root):  # an IPython tree is kept when this run did not need one
        keep |= set(ipys.values()) | {os.path.join(site_root, n) for n in os.listdir(site_root)
                                      if n.startswith("ipython-") and not ipys}
    prune(site_root, keep)

    sessions = []  # flat list of records with id, runtime, impl, kind, round
    for rnd in range(args.rounds):
        for runtime in runtimes:
            planned = []
            for kind, steps, pre in kinds:
                if kind == "memory" and runtime.startswith("pyodide-"):
                    continue  # older Pyodides do not export mallinfo to JS (bench/scenarios.py)
                for impl in impls_for(runtime, args.ref_only):  # A B C A B C
                    planned.append({"id": f"{runtime}-{rnd}-{kind}-{impl}", "runtime": runtime,
                                    "impl": impl, "kind": kind, "round": rnd,
                                    "spec": {"steps": steps, "preimport_ipython": pre,
                                             "profile": args.profile}})
            t0 = time.perf_counter()
            if runtime.startswith("pyodide"):
                for p in planned:  # one Node process per session (see run_pyodide)
                    env = {"LIVEIMPORT_ENGINE": ENGINES[p["impl"]]} if p["impl"] in ENGINES else {}
                    recs = run_pyodide(packages[runtime][0], [
                        {"id": p["id"], "sites": [ipys[runtime]], "wheel": wheels[(p["impl"], runtime)],
                         "spec": p["spec"], "env": env}])
                    p.update({k: v for k, v in recs[p["id"]].items() if k != "id"})
            else:
                for p in planned:
                    p.update(run_native(args.python, sites[(p["impl"], "native")], p["spec"]))
            for p in planned:
                res = p.get("result")
                if res and p["runtime"] == "native" and not res["liveimport_file"].startswith(
                        sites[(p["impl"], "native")]):
                    p["error"] = f"imported the wrong liveimport: {res['liveimport_file']}"
                if res and p["impl"] in ENGINES and res.get("engine") != ENGINES[p["impl"]]:
                    p["error"] = f"ran the {res.get('engine')} engine, not {ENGINES[p['impl']]}"
                if res and res.get("checks"):
                    p["error"] = "correctness check failed: " + "; ".join(res["checks"])
            sessions.extend(planned)
            bad = [p["id"] for p in planned if "error" in p]
            print(f"bench: round {rnd + 1}/{args.rounds} {runtime}: {len(planned)} sessions in "
                  f"{time.perf_counter() - t0:.0f} s" + (f", FAILED: {bad}" if bad else ""),
                  file=sys.stderr)

    # One group of rows per (runtime, our engine build): ours vs the reference in that runtime.
    summary = []
    for rt in runtimes:
        ours_impls = [i for i in impls_for(rt, args.ref_only) if i != "ref"] or [None]
        for impl in ours_impls:
            name = rt if rt == "native" else (
                f"pyodide {rt[len('pyodide-'):] if rt != 'pyodide' else env_version(args.pyodide)}"
                + (f" ({ENGINES[impl]})" if impl else ""))
            view = [dict(s, runtime=name, impl="ours" if s["impl"] == impl else s["impl"])
                    for s in sessions if s["runtime"] == rt and s["impl"] in (impl, "ref")]
            sizes = {("ref", name): wheel_sizes(wheels[("ref", rt)])}
            if impl:
                sizes[("ours", name)] = wheel_sizes(wheels[(impl, rt)], ENGINES[impl])
            summary += report.summarize(view, sizes, ("ours", "ref") if impl else ("ref",), (name,))
    env = environment(args, args.pyodide)
    env["older_pyodide"] = [rt[len("pyodide-"):] for rt in older if rt in runtimes]
    env["wall_s"] = time.perf_counter() - t_start
    env["wheels"] = {f"{i}-{r}": os.path.basename(w) for (i, r), w in wheels.items()}
    sizes = {(i, r): wheel_sizes(w, ENGINES.get(i, "pyo3")) for (i, r), w in wheels.items()}
    table = report.markdown(summary, env)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump({"environment": env, "sizes": {f"{i}-{r}": v for (i, r), v in sizes.items()},
                   "summary": summary, "sessions": sessions}, f, indent=1)
    with open(os.path.join(args.out, "results.md"), "w") as f:
        f.write(table)
    if args.profile:
        for s in sessions:
            text = (s.get("result") or {}).get("profile")
            if text:
                with open(os.path.join(args.out, s["id"] + ".txt"), "w") as f:
                    f.write(text)
    print(table)
    failed = [s for s in sessions if "error" in s]
    for s in failed[:5]:
        print(f"\nsession {s['id']} failed:\n{s['error']}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
