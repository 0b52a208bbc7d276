"""Summary rows and the Markdown table of the benchmark (used by run.py).

:func:`summarize` turns session records into rows, :func:`markdown` renders
them. A row is a dict: ``scenario``, ``runtime`` (``native``, or ``pyodide VERSION
(ENGINE)`` for one of our engine builds in one Pyodide), ``n`` (str or ""), ``unit``
("ms" or "bytes"), ``ours`` / ``ref`` (medians over sessions, or None when not
measured), ``ratio`` (ours / ref or None), ``ours_samples`` / ``ref_samples``
(one figure per session), ``target`` (a short verdict text, may be "").
"""
import statistics

_N = ("10", "100", "1000")


def _median(xs):
    return statistics.median(xs) if xs else None


def _collect(sessions, runtime, impl, kind, fn):
    """fn(result) for every successful session of (runtime, impl, kind)."""
    out = []
    for s in sessions:
        if (s["runtime"], s["impl"]) == (runtime, impl) and "error" not in s and \
                (kind is None or s["kind"] == kind) and s.get("result"):
            v = fn(s["result"])
            if v is not None:
                out.append(v)
    return out


def _row(scenario, runtime, n, unit, ours, ref, target=""):
    mo, mr = _median(ours), _median(ref)
    return {"scenario": scenario, "runtime": runtime, "n": n, "unit": unit,
            "ours": mo, "ref": mr, "ratio": (mo / mr if mo is not None and mr else None),
            "ours_samples": ours, "ref_samples": ref, "target": target}


def _ok(flag):
    return "met" if flag else "MISSED"


def summarize(sessions, sizes, impls, runtimes):
    """Rows of the table, in order (see the module docstring)."""
    rows = []
    for rt in runtimes:
        def get(impl, kind, fn):
            return _collect(sessions, rt, impl, kind, fn) if impl in impls else []
        for n in _N:
            def sync(r, n=n):
                return r["steps"]["nochange"][n]["sync_ms"]

            def floor(r, n=n):
                return r["steps"]["nochange"][n]["stat_floor_ms"]
            o_sync, r_sync = get("ours", "nochange", sync), get("ref", "nochange", sync)
            o_floor, r_floor = get("ours", "nochange", floor), get("ref", "nochange", floor)
            # sync and floor are measured interleaved in the same session: compare per session
            o_q = get("ours", "nochange", lambda r, n=n: sync(r) / floor(r))
            r_q = get("ref", "nochange", lambda r, n=n: sync(r) / floor(r))
            target = ""
            if o_q:
                q = _median(o_q)
                target = f"ours/floor {q:.2f}x (target <= 1.1x: {_ok(q <= 1.1)})"
            if r_q:
                target += ("; " if target else "") + f"ref/floor {_median(r_q):.2f}x"
            rows.append(_row("1. sync(), nothing changed", rt, n, "ms", o_sync, r_sync, target))
            rows.append(_row("1. os.stat loop (floor)", rt, n, "ms", o_floor, r_floor,
                             "same loop in each implementation's interpreter"))

        def reg(r):
            return r["steps"]["register200"]["register_ms"]
        row = _row("2. first register(), 200 modules x ~310 lines", rt, "200", "ms",
                   get("ours", "register200", reg), get("ref", "register200", reg))
        if row["ratio"]:
            row["target"] = f"{1 / row['ratio']:.1f}x faster (target >= 10x: {_ok(row['ratio'] <= 0.1)})"
        rows.append(row)

        for case, label, n in (("fanin", "3. sync() after touching a leaf, fan-in", "50+1"),
                               ("chain", "3. sync() after touching a leaf, chain", "50")):
            def rel(r, case=case):
                return r["steps"]["reload"][case]["sync_ms"]
            row = _row(label, rt, n, "ms", get("ours", "reload", rel), get("ref", "reload", rel))
            if row["ratio"]:
                slower = row["ratio"] - 1
                row["target"] = "no slower than ref: " + (
                    "met" if slower <= 0 else f"MISSED (+{slower:.1%})")
            rows.append(row)

        for pre, label in ((True, "4. import liveimport (IPython already imported)"),
                           (False, "4. import liveimport (nothing imported before)")):
            def imp(r, pre=pre):
                return r["import_ms"] if r["ipython_preimported"] == pre else None
            row = _row(label, rt, "", "ms", get("ours", None, imp), get("ref", None, imp))
            if rt.startswith("pyodide") and row["ours"] is not None:
                row["target"] = f"< 150 ms in Pyodide: {_ok(row['ours'] < 150)}"
            if not pre:
                row["target"] = (row["target"] + "; " if row["target"] else "") + \
                    "ref imports IPython itself"
            rows.append(row)

        if rt.startswith("pyodide"):
            def inst(impl):
                return [s["install_ms"] for s in sessions if s["runtime"] == rt and
                        s["impl"] == impl and "install_ms" in s] if impl in impls else []
            rows.append(_row("4. install: pyodide.loadPackage(wheel)", rt, "", "ms",
                             inst("ours"), inst("ref"),
                             "as installLiveImport/piplite do"))

        so = sizes.get(("ours", rt), {})
        ref = sizes.get(("ref", rt), {})
        for key, label in (("so_raw", "raw"), ("so_gzip", "gzip -9")):
            target = so.get("so_file", "") + "; ref has no engine (pure Python)"
            if key == "so_raw" and so.get("so_file", "").endswith(".wasm"):
                target = f"{so['so_file']}: under 1.5 MB: {_ok(so[key] < 1_500_000)}; " + \
                    "ref has no engine (pure Python)"
            rows.append(_row(f"4. engine size, {label}", rt, "", "bytes",
                             [so[key]] if so else [], [], target))
        for key, label in (("py_raw", "raw"), ("py_gzip", "gzip -9")):
            o = [so[key] + so[key.replace("py", "so")]] if so else []
            rows.append(_row(f"4. package code (engine + .py), {label}", rt, "", "bytes",
                             o, [ref[key]] if ref else []))

        def mem(key):
            return lambda r: r["steps"]["memory"].get(key)
        heap = ("5. Pyodide heap growth, 1000 tracked modules" if rt.startswith("pyodide")
                else "5. malloc growth, 1000 tracked modules")
        rows.append(_row(heap, rt, "1000", "bytes",
                         get("ours", "memory", mem("malloc_growth_bytes")),
                         get("ref", "memory", mem("malloc_growth_bytes")),
                         "bytes in use by malloc: Python objects + engine"
                         + (" (the wasm heap's dlmalloc)" if rt.startswith("pyodide") else "")))
        if rt.startswith("pyodide"):
            rows.append(_row("5. WebAssembly memory size growth", rt, "1000", "bytes",
                             get("ours", "memory", mem("wasm_heap_growth_bytes")),
                             get("ref", "memory", mem("wasm_heap_growth_bytes")),
                             "grows in steps; 0: the heap already reserved sufficed"))
        rows.append(_row("5. Python-side growth (tracemalloc)", rt, "1000", "bytes",
                         get("ours", "memory", mem("python_traced_bytes")),
                         get("ref", "memory", mem("python_traced_bytes"))))
    # rows with no figure at all (their session kind did not run) are left out
    return [r for r in rows if r["ours_samples"] or r["ref_samples"]]


def _fmt(v, unit):
    if v is None:
        return "—"
    if unit == "bytes":
        if abs(v) >= 1 << 20:
            return f"{v / (1 << 20):.2f} MiB"
        return f"{v / 1024:.1f} KiB"
    if v >= 100:
        return f"{v:.0f} ms"
    if v >= 1:
        return f"{v:.2f} ms"
    return f"{v * 1000:.1f} µs"


def markdown(rows, env):
    """The Markdown table, with a header line saying what ran and how."""
    head = (f"LiveImport benchmark: ours vs reference LiveImport 1.3.1 — Pyodide {env['pyodide']} "
            f"under Node {env['node']} (ours: the pyo3 and the wasm-bindgen engine"
            + (f"; Pyodide {', '.join(env.get('older_pyodide', []))}: the wasm-bindgen engine"
               if env.get("older_pyodide") else "")
            + f"), native {env['native_python'].split()[0]}; "
            f"{env['cpus']} CPUs, load avg {env['loadavg_start'][0]:.1f} at start; "
            f"medians of {env['rounds']} sessions per implementation (A B A B, one fresh "
            f"interpreter each); total {env['wall_s']:.0f} s.\n\n")
    if env["rounds"] < 5:
        head += (f"**{env['rounds']} round(s) only: a quick look; issue 6's figures are medians "
                 f"of at least 5 (the default).**\n\n")
    lines = ["| scenario | runtime | N | ours | reference | ours/ref | target / note |",
             "| --- | --- | --- | ---: | ---: | ---: | --- |"]
    for r in rows:
        ratio = f"{r['ratio']:.2f}" if r["ratio"] is not None else "—"
        lines.append(f"| {r['scenario']} | {r['runtime']} | {r['n']} | {_fmt(r['ours'], r['unit'])} "
                     f"| {_fmt(r['ref'], r['unit'])} | {ratio} | {r['target']} |")
    return head + "\n".join(lines) + "\n"
