"""Benchmark scenarios, run inside one fresh interpreter (CPython or Pyodide).

One *session* = one fresh interpreter, one implementation of ``liveimport``
(ours or the reference; both are imported as ``liveimport``), a list of
steps. :func:`run_session` takes a spec dict and returns a JSON-able dict:

``spec``: ``{"steps": [str, ...], "preimport_ipython": bool,
"site": str | None, "reps": {step: int}, "profile": bool}``; ``site`` is put
first on ``sys.path`` (native runs; in Pyodide the package sits in
site-packages). With ``profile``, the timed calls (sync at N = 1000, the
register, the reload syncs) run under cProfile and the result gets
``"profile"``: the top functions by cumulative and by own time (text); the
times are then inflated by the profiler.

Result: ``{"import_ms": float, "ipython_preimported": bool, "liveimport_file":
str, "steps": {step: {...figures...}}, "checks": [str, ...]}``. Times are
milliseconds (floats; medians over ``reps`` calls unless said otherwise);
memory figures are bytes. ``checks`` lists failed correctness checks (a fast
but wrong implementation must not look good); it is empty when all passed.

Only the public API is used: ``liveimport.register``, ``liveimport.sync``,
``liveimport.workspace``. Module files live in a fresh temp dir (MEMFS /tmp in
Pyodide), inserted first on ``sys.path`` and set as the workspace.

Command line (native runs): ``python scenarios.py SPEC_JSON`` prints the
result as one JSON line.
"""
import gc
import importlib
import json
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import workload  # noqa: E402

EMSCRIPTEN = sys.platform == "emscripten"


def _ms(ns):
    return ns / 1e6


class Session:
    """State of one session: the liveimport module, a temp dir, checks."""

    def __init__(self, spec):
        self.spec = spec
        self.checks = []
        self.dir = tempfile.mkdtemp(prefix="libench_")
        sys.path.insert(0, self.dir)
        self.li = None
        self.profiler = None
        if spec.get("profile"):
            import cProfile
            self.profiler = cProfile.Profile()

    def profiled(self, fn):
        """``fn`` wrapped so that its calls run under the session's profiler."""
        if self.profiler is None:
            return fn

        def wrapper(*args, **kwargs):
            self.profiler.enable()
            try:
                return fn(*args, **kwargs)
            finally:
                self.profiler.disable()
        return wrapper

    def profile_text(self, limit=25):
        """The profile's top ``limit`` functions by cumulative and by own time."""
        import io
        import pstats
        out = io.StringIO()
        stats = pstats.Stats(self.profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(limit)
        stats.sort_stats("tottime").print_stats(limit)
        return out.getvalue()

    def check(self, ok, what):
        """Record a failed correctness check (``what``) when ``ok`` is false."""
        if not ok:
            self.checks.append(what)

    def reps(self, step, default):
        return int(self.spec.get("reps", {}).get(step, default))

    def load(self, sources):
        """Write ``{name: source}``, import them all; returns ({name: module}, paths)."""
        paths = workload.write_modules(self.dir, sources)
        importlib.invalidate_caches()
        mods = {name: importlib.import_module(name) for name in sources}
        return mods, paths


def _timed(fn, reps):
    """Median wall time of ``fn()`` over ``reps`` calls, in ms (GC off, like timeit)."""
    samples = []
    gc.collect()
    gc.disable()
    try:
        for _ in range(reps):
            t0 = time.perf_counter_ns()
            fn()
            samples.append(time.perf_counter_ns() - t0)
    finally:
        gc.enable()
    return _ms(statistics.median(samples))


def _stat_loop(paths):
    stat = os.stat
    for p in paths:
        stat(p)


def step_nochange(s):
    """Scenario 1: ``sync()`` with nothing changed at N = 10, 100, 1000
    registered modules, and the bare ``os.stat`` loop over the same files.
    Modules are registered incrementally (10, then 90 more, then 900 more),
    so the tracked set is exactly N at each measurement."""
    li = s.li
    names = [f"nc_m{i:04d}" for i in range(1000)]
    mods, paths = s.load({n: workload.small_source(n) for n in names})
    ns = dict(mods)
    out = {}
    done = 0
    for n in (10, 100, 1000):
        li.register(ns, "\n".join(f"import {m}" for m in names[done:n]))
        done = n
        li.sync()
        files = [paths[m] for m in names[:n]]
        reps = s.reps("nochange", max(20, 3000 // n))
        sync = s.profiled(li.sync) if n == 1000 else li.sync
        # interleave sync and floor in blocks so drift hits both alike
        syncs, floors = [], []
        for _ in range(5):
            syncs.append(_timed(sync, reps // 5 + 1))
            floors.append(_timed(lambda: _stat_loop(files), reps // 5 + 1))
        out[str(n)] = {"sync_ms": statistics.median(syncs),
                       "stat_floor_ms": statistics.median(floors)}
    events = []
    workload.touch(paths[names[7]], 1)
    li.sync(observer=events.append)
    s.check([e.module for e in events] == [names[7]],
            f"nochange: touching {names[7]} reloaded {[e.module for e in events]}")
    return out


def step_register200(s):
    """Scenario 2: the first ``register()`` of ``import r_m000``, whose module
    imports, transitively, 200 workspace modules of about 300 lines each.
    One sample per session (it is a *first* registration)."""
    li = s.li
    graph = workload.dag("r_m", 200)
    sources = {n: workload.module_source(n, d) for n, d in graph.items()}
    mods, paths = s.load(sources)
    ns = {"r_m000": mods["r_m000"]}
    gc.collect()
    register = s.profiled(li.register)
    t0 = time.perf_counter_ns()
    register(ns, "import r_m000")
    elapsed = time.perf_counter_ns() - t0
    leaf = "r_m150"
    expect = workload.dependents(graph, leaf)
    events = []
    workload.touch(paths[leaf], 1)
    li.sync(observer=events.append)
    got = [e.module for e in events]
    s.check(set(got) == expect and len(got) == len(expect),
            f"register200: touching {leaf} reloaded {len(got)} modules, expected {len(expect)}")
    return {"register_ms": _ms(elapsed), "modules": len(sources),
            "lines": sum(t.count("\n") for t in sources.values()),
            "bytes": sum(len(t.encode()) for t in sources.values()),
            "reloaded_after_leaf_touch": len(got)}


def step_reload(s):
    """Scenario 3: ``sync()`` after touching one leaf module.

    Two cases, both tracked in the session and measured alternately (so each
    sync also stats the other case's files, alike for both): ``fanin``, a
    leaf imported by 50 registered modules (51 reloads), and ``chain``, ch_00
    imports ch_01 ... imports ch_49, ch_00 registered (50 reloads). The
    leaf's mtime is set to a new second before each timed sync; the first
    sync of each case is not counted (it warms caches)."""
    li = s.li
    chain = [f"ch_{i:02d}" for i in range(50)]
    cases = {
        "fanin": ({"fan_leaf": [], **{f"fan_d{i:02d}": ["fan_leaf"] for i in range(50)}},
                  [f"fan_d{i:02d}" for i in range(50)], "fan_leaf", 51),
        "chain": ({n: chain[i + 1:i + 2] for i, n in enumerate(chain)}, ["ch_00"], "ch_49", 50),
    }
    sources = {n: workload.small_source(n, d) for graph, _, _, _ in cases.values()
               for n, d in graph.items()}
    mods, paths = s.load(sources)
    roots = [r for _, rs, _, _ in cases.values() for r in rs]
    ns = {r: mods[r] for r in roots}
    li.register(ns, "\n".join(f"import {r}" for r in roots))
    li.sync()
    reps = s.reps("reload", 15)
    sync = s.profiled(li.sync)
    samples = {c: [] for c in cases}
    counts = {c: [] for c in cases}
    for k in range(1, reps + 2):
        for case, (_, _, leaf, _) in cases.items():
            events = []
            workload.touch(paths[leaf], k)
            gc.collect()
            t0 = time.perf_counter_ns()
            sync(observer=events.append)
            if k > 1:
                samples[case].append(time.perf_counter_ns() - t0)
            counts[case].append(len(events))
            s.check(events and events[0].module == leaf, f"{case}: first reload was not {leaf}")
    out = {}
    for case, (_, _, _, expect) in cases.items():
        s.check(all(c == expect for c in counts[case]),
                f"{case}: reload counts {sorted(set(counts[case]))}, expected {expect}")
        out[case] = {"sync_ms": _ms(statistics.median(samples[case])), "reloads": expect,
                     "samples_ms": [_ms(x) for x in samples[case]]}
    s.check(all(ns[r] is sys.modules[r] for r in roots), "reload: binding lost")
    return out


def _heap_probe():
    """Memory now, in bytes: ``malloc_in_use`` (dlmalloc's mallinfo uordblks
    in Pyodide; glibc mallinfo2 uordblks + hblkhd natively, where run.py sets
    PYTHONMALLOC=malloc so that Python objects are counted too) and, in Pyodide,
    ``wasm_heap`` (the WebAssembly memory size, HEAPU8.length)."""
    if EMSCRIPTEN:
        import pyodide_js  # the Pyodide JS API object
        m = pyodide_js._module
        p = m._malloc(64)
        m._mallinfo(p)  # struct returned through a pointer (sret), 10 x u32
        fields = m.HEAPU32.slice(p >> 2, (p >> 2) + 10).to_py()
        m._free(p)
        return {"wasm_heap": int(m.HEAPU8.length), "malloc_in_use": int(fields[7]),
                "malloc_arena": int(fields[0])}
    import ctypes

    class Mallinfo2(ctypes.Structure):
        _fields_ = [(f, ctypes.c_size_t) for f in (
            "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
            "fsmblks", "uordblks", "fordblks", "keepcost")]
    libc = ctypes.CDLL(None)
    libc.mallinfo2.restype = Mallinfo2
    mi = libc.mallinfo2()
    return {"malloc_in_use": mi.uordblks + mi.hblkhd, "malloc_arena": mi.arena}


def step_memory(s):
    """Scenario 5: memory growth for 1000 tracked modules: probes after the
    1000 modules are imported and before ``register()``, then after
    ``register()`` of all 1000 and one ``sync()``. tracemalloc (started after
    the first probe) gives the Python-side share; its own overhead is
    subtracted from the malloc figure."""
    import tracemalloc
    li = s.li
    names = [f"mem_m{i:04d}" for i in range(1000)]
    mods, paths = s.load({n: workload.small_source(n) for n in names})
    ns = dict(mods)
    text = "\n".join(f"import {m}" for m in names)
    gc.collect()
    before = _heap_probe()
    tracemalloc.start()
    li.register(ns, text)
    li.sync()
    gc.collect()
    py_current, py_peak = tracemalloc.get_traced_memory()
    tm_overhead = tracemalloc.get_tracemalloc_memory()
    after = _heap_probe()
    tracemalloc.stop()
    out = {"python_traced_bytes": py_current, "python_traced_peak_bytes": py_peak,
           "malloc_growth_bytes": after["malloc_in_use"] - before["malloc_in_use"] - tm_overhead,
           "before": before, "after": after}
    if EMSCRIPTEN:
        out["wasm_heap_growth_bytes"] = after["wasm_heap"] - before["wasm_heap"]
    events = []
    workload.touch(paths[names[500]], 1)
    li.sync(observer=events.append)
    s.check([e.module for e in events] == [names[500]], "memory: touch check failed")
    return out


STEPS = {"nochange": step_nochange, "register200": step_register200,
         "reload": step_reload, "memory": step_memory}


def run_session(spec):
    """Run one session (see the module docstring); returns the result dict."""
    if spec.get("site"):
        sys.path.insert(0, spec["site"])
    if spec.get("preimport_ipython"):
        import IPython  # noqa: F401  (as in a notebook kernel)
        import IPython.core.interactiveshell  # noqa: F401
    s = Session(spec)
    t0 = time.perf_counter_ns()
    import liveimport
    import_ms = _ms(time.perf_counter_ns() - t0)
    s.li = liveimport
    liveimport.workspace(s.dir)
    result = {"import_ms": import_ms, "ipython_preimported": bool(spec.get("preimport_ipython")),
              "liveimport_file": liveimport.__file__,
              "liveimport_version": getattr(liveimport, "__version__", "?"),
              # ours: which engine build ran ("pyo3" or "wasm-bindgen"); the reference has none
              "engine": getattr(sys.modules.get("liveimport._engine"), "BACKEND", None),
              "runtime": "pyodide" if EMSCRIPTEN else "native",
              "python": sys.version.split()[0], "steps": {}}
    for step in spec["steps"]:
        t0 = time.perf_counter_ns()
        result["steps"][step] = STEPS[step](s)
        result["steps"][step]["step_wall_ms"] = _ms(time.perf_counter_ns() - t0)
    result["checks"] = s.checks
    if s.profiler is not None:
        result["profile"] = s.profile_text()
    if not EMSCRIPTEN:
        import shutil
        shutil.rmtree(s.dir, ignore_errors=True)
    return result


if __name__ == "__main__":
    res = run_session(json.loads(sys.argv[1]))
    sys.stdout.write("BENCH-RESULT " + json.dumps(res) + "\n")
