#!/usr/bin/env node
/**
 * What loading Pyodide packages along the module graph (liveimport._packages, issue 20)
 * costs a cell when nothing needs loading, in Pyodide under Node: the awaited
 * `prepare(cell, sync=True)` that pyodide-kernel's line transform runs before every cell,
 * with MODULES tracked workspace modules (registered, each importing os and json), for
 *   - a cell without `import`,
 *   - a cell importing modules that are all imported already,
 *   - the same with the sync's plan examining every tracked file (no page events), and
 *     only the files marked changed (the extension's file events; none here),
 * against an empty `await` (the floor of one awaited call).
 *
 * Usage: node bench/packages_pyodide.mjs [VERSION=314.0.7] [ENGINE=auto|pyo3|wasm-bindgen]
 *        [MODULES=20] [REPS=2000]
 * Needs a build (scripts/build.sh: the wheels in js/wheels). Prints microseconds per cell
 * (median and minimum of 5 batches); no assertion.
 */
import { installLiveImport } from "liveimport-pyodide";
import { bootPyodide } from "../tests/pyodide/env.mjs";

const [version = "314.0.7", engine = "auto", modules = "20", reps = "2000"] = process.argv.slice(2);

const pyodide = await bootPyodide({
  quiet: true,
  version,
  env: engine === "auto" ? {} : { LIVEIMPORT_ENGINE: engine },
});
await installLiveImport(pyodide);
pyodide.globals.set("MODULES", Number(modules));
pyodide.globals.set("REPS", Number(reps));
const result = await pyodide.runPythonAsync(`
import os, sys, time, tempfile, statistics
d = tempfile.mkdtemp(); os.chdir(d); sys.path.insert(0, d)
for i in range(MODULES):
    with open(f"mod{i}.py", "w") as f:
        f.write("import os\\nfrom json import dumps\\n\\ndef f(x):\\n    return x\\n")
import liveimport, liveimport._packages as P, liveimport._core as C
stmts = "\\n".join(f"import mod{i}" for i in range(MODULES))
exec(stmts)
liveimport.register(globals(), stmts)
plain = "x = 1\\ny = x + 1\\nprint(y)\\n"
imports = "import mod0, mod1\\nfrom json import dumps\\nx = mod0.f(1)\\n"

async def nothing(code, sync):
    return []

async def batch(fn, code, sync):
    t = time.perf_counter()
    for _ in range(REPS):
        await fn(code, sync=sync)
    return (time.perf_counter() - t) / REPS * 1e6

async def events(code, sync):
    # as with the extension's file events: the plan examines only files marked changed
    full, P._full_sync = P._full_sync, lambda: False
    try:
        return await P.prepare(code, sync=sync)
    finally:
        P._full_sync = full

rows = []
for label, fn, code, sync in [
    ("empty await (floor)", nothing, plain, False),
    ("cell without import, no sync", P.prepare, plain, False),
    ("cell without import, sync plan (all files)", P.prepare, plain, True),
    ("cell importing loaded modules, no sync", P.prepare, imports, False),
    ("cell importing loaded modules, sync plan (all files)", P.prepare, imports, True),
    ("cell importing loaded modules, sync plan (page events)", events, imports, True),
]:
    runs = [await batch(fn, code, sync) for _ in range(5)]
    rows.append((label, statistics.median(runs), min(runs)))
import liveimport._engine as E
(E.BACKEND, rows)
`);
const [backend, rows] = result.toJs();
console.log(`pyodide ${pyodide.version} (${backend} engine), ${modules} tracked modules, ${reps} cells per batch:`);
for (const [label, median, min] of rows) {
  console.log(`  ${label.padEnd(55)} median ${median.toFixed(1).padStart(7)} us  min ${min.toFixed(1).padStart(7)} us`);
}
