#!/usr/bin/env node
/**
 * The scripted LiveImport example, inside Pyodide 314 under Node (scripts/demo.sh runs it).
 *
 * Boots Pyodide from npm, installs LiveImport with installLiveImport (the
 * liveimport-pyodide package in js/, bundled wheel from scripts/build.sh), then
 * in Python: writes two modules into a workspace (printmath, and simulator
 * which imports it), imports them in a notebook-like namespace, registers the
 * imports, edits printmath.py, syncs with an observer and prints every reload
 * event, the rebound result and liveimport.status().
 *
 * Exit status: 0 when the reload happened and the rebound code sees the edit,
 * 1 otherwise (with the Python traceback).
 */
import { installLiveImport } from "../js/index.js";
import { bootPyodide, msSince } from "../tests/pyodide/env.mjs";

const DEMO = String.raw`
import os, sys, time
import liveimport

root = "/home/pyodide/demo"
os.makedirs(root, exist_ok=True)
os.chdir(root)
sys.path.insert(0, root)
liveimport.workspace(root)

def write(name, text, age):
    """Write module NAME.py and set its mtime AGE seconds in the past."""
    path = os.path.join(root, name + ".py")
    with open(path, "w") as f:
        f.write(text)
    stamp = time.time() - age
    os.utime(path, (stamp, stamp))
    print(f"--- wrote {name}.py ---\n{text.rstrip()}\n")

write("printmath", "def show(x):\n    return f'x = {x}'\n", age=60)
write("simulator", "from printmath import show\n\ndef run():\n    return show(6 * 7)\n", age=60)

# A notebook cell: run the imports, then register them.
nb = {"__name__": "__main__"}
cell = "import simulator\nfrom printmath import show\n"
exec(cell, nb)
liveimport.register(nb, cell)
print(">>> simulator.run() ->", nb["simulator"].run())
print(">>> show(1)          ->", nb["show"](1))

# The user edits printmath.py (18 seconds ago); the next cell syncs.
write("printmath", "def show(x):\n    return f'the answer is {x}!'\n", age=18)
print(">>> liveimport.sync(observer=print)")
events = []
def observer(event):
    events.append(event)
    print("   ", event)
liveimport.sync(observer=observer)

after = nb["simulator"].run()
print(">>> simulator.run() ->", after)
print(">>> show(1)          ->", nb["show"](1))
print()
print(liveimport.status(nb))
assert after == "the answer is 42!", after
assert [e.module for e in events] == ["printmath", "simulator"], events
`;

const t0 = performance.now();
const pyodide = await bootPyodide();
const installed = await installLiveImport(pyodide);
console.log(
  `Pyodide ${pyodide.version} booted and liveimport-lite ${installed.version} installed in ${msSince(t0)} ms\n`,
);
try {
  await pyodide.runPythonAsync(DEMO);
} catch (err) {
  console.error(String(err.message ?? err));
  process.exit(1);
}
console.log("\ndemo: OK (printmath reloaded, simulator reloaded after it, names rebound)");
