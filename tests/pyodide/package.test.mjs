/**
 * node:test checks of the ways LiveImport reaches a Pyodide instance: the npm
 * package liveimport-pyodide (installLiveImport, the wheel it picks for each
 * Pyodide, its errors) and the kernel wheels installed with micropip, from a
 * file and from the same index the JupyterLite extension ships (one all.json
 * with the platform wheels, Pyodide 314's and 0.28/0.29's, and the universal
 * wheel).
 *
 * Run: node --test tests/pyodide/ (after scripts/build.sh).
 */
import {
  LiveImportInstallError,
  PACKAGE_NAME,
  PLATFORM_TAG,
  findBundledWheel,
  installLiveImport,
  selectWheel,
} from "liveimport-pyodide";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { findKernelWheels } from "../../jupyterlite-ext/scripts/pypi-index.mjs";
import { bootPyodide, installWheels, wheelSet } from "./env.mjs";
import { serveIndex } from "./index-server.mjs";

const wheel = await findBundledWheel();
/** The Pyodide of the JupyterLite 0.7 line: the cp313 platform wheel (pyo3 engine). */
const LINE_0_29 = "0.29.5";
const wheel029 = await findBundledWheel(undefined, LINE_0_29);
/** The Pyodide of the JupyterLite 0.6 line, where only the universal wheel fits. */
const OLDER = "0.27.7";
const universal = await findBundledWheel(undefined, OLDER);

test("the bundled wheels: the platform wheels of Pyodide 314 and 0.28/0.29, the universal wheel, one version", () => {
  assert.match(wheel.wheel, new RegExp(`^${PACKAGE_NAME}-[^-]+-cp314-cp314-${PLATFORM_TAG}\\.whl$`));
  assert.equal(wheel.platform, PLATFORM_TAG);
  assert.deepEqual(wheel.pyodide, ["314"]);
  assert.match(wheel029.wheel, new RegExp(`^${PACKAGE_NAME}-[^-]+-cp313-cp313-pyodide_2025_0_wasm32\\.whl$`));
  assert.equal(wheel029.platform, "pyodide_2025_0_wasm32");
  assert.deepEqual(wheel029.pyodide, ["0.28", "0.29"]);
  assert.match(universal.wheel, new RegExp(`^${PACKAGE_NAME}-[^-]+-py3-none-any\\.whl$`));
  assert.equal(universal.pyodide, null);
  for (const other of [wheel029, universal]) {
    assert.equal(other.version, wheel.version);
    assert.equal(other.wheel.split("-")[1], wheel.wheel.split("-")[1]);
  }
});

test("selectWheel: a platform wheel on the release lines it lists, the universal wheel on every other Pyodide", () => {
  const wheels = [
    { wheel: "p314.whl", pyodide: ["314"] },
    { wheel: "p029.whl", pyodide: ["0.28", "0.29"] },
    { wheel: "u.whl", pyodide: null },
  ];
  for (const version of ["314.0.0", "314.0.7"]) assert.equal(selectWheel(wheels, version).wheel, "p314.whl");
  for (const version of ["0.28.3", "0.29.0", "0.29.5"]) assert.equal(selectWheel(wheels, version).wheel, "p029.whl");
  for (const version of ["0.26.4", "0.27.7", "0.30.0", "3.14.0", "315.0.0-alpha.2"]) {
    assert.equal(selectWheel(wheels, version).wheel, "u.whl", version);
  }
  assert.throws(() => selectWheel(wheels, "0.25.1"), /needs Pyodide 0\.26\.0 or later, this instance is Pyodide 0\.25\.1/);
  assert.throws(() => selectWheel([{ wheel: "p.whl", pyodide: ["314"] }], "0.27.7"), /no bundled wheel fits Pyodide 0\.27\.7/);
});

test("installLiveImport rejects what is not a Pyodide instance", async () => {
  await assert.rejects(installLiveImport(undefined), TypeError);
  await assert.rejects(installLiveImport({ version: "314.0.7" }), TypeError);
});

test("installLiveImport rejects a Pyodide older than 0.26", async () => {
  const fake = { version: "0.25.1", loadPackage: async () => [], runPython: () => false };
  await assert.rejects(installLiveImport(fake), (err) => {
    assert.ok(err instanceof LiveImportInstallError);
    assert.match(err.message, /Pyodide 0\.26\.0 or later, this instance is Pyodide 0\.25\.1/);
    return true;
  });
});

/** `(BACKEND, engine module file, canonical statement)` of the liveimport in `pyodide`. */
function engineOf(pyodide) {
  const result = pyodide.runPython(`
import liveimport._engine as e
(e.BACKEND, e._backend.__file__, e.canonical_statement(("from", "m", "n", "k")))
`);
  const values = result.toJs();
  result.destroy();
  return values;
}

test("installLiveImport in Pyodide 314: the platform wheel, pyo3 engine; a second call does nothing", async () => {
  const pyodide = await bootPyodide({ quiet: true });
  await assert.rejects(
    installLiveImport(pyodide, { wheelUrl: "/nonexistent/liveimport_lite-0-cp314-cp314-x.whl" }),
    (err) => err instanceof LiveImportInstallError && /wheel not found/.test(err.message),
  );
  const first = await installLiveImport(pyodide);
  assert.equal(first.alreadyInstalled, false);
  assert.equal(first.version, wheel.version);
  assert.equal(path.basename(first.wheel), wheel.wheel);
  assert.match(first.location, /site-packages\/liveimport$/);
  const [backend, file, statement] = engineOf(pyodide);
  assert.equal(backend, "pyo3");
  assert.match(file, /_engine_pyo3\.cpython-314-wasm32-emscripten\.so$/);
  assert.equal(statement, "from m import n as k");
  const second = await installLiveImport(pyodide);
  assert.equal(second.alreadyInstalled, true);
  assert.equal(second.location, first.location);
});

test(`installLiveImport in Pyodide ${LINE_0_29}: the cp313 platform wheel, pyo3 engine`, async () => {
  const pyodide = await bootPyodide({ quiet: true, version: LINE_0_29 });
  const installed = await installLiveImport(pyodide);
  assert.equal(path.basename(installed.wheel), wheel029.wheel);
  const [backend, file, statement] = engineOf(pyodide);
  assert.equal(backend, "pyo3");
  assert.match(file, /_engine_pyo3\.cpython-313-wasm32-emscripten\.so$/);
  assert.equal(statement, "from m import n as k");
});

test(`installLiveImport in Pyodide ${OLDER}: the universal wheel, wasm-bindgen engine`, async () => {
  const pyodide = await bootPyodide({ quiet: true, version: OLDER });
  const installed = await installLiveImport(pyodide);
  assert.equal(path.basename(installed.wheel), universal.wheel);
  const [backend, file, statement] = engineOf(pyodide);
  assert.equal(backend, "wasm-bindgen");
  assert.match(file, /liveimport\/_engine_wasm\.py$/);
  assert.equal(statement, "from m import n as k");
});

test("installLiveImport refuses an instance where liveimport was imported from elsewhere", async () => {
  const pyodide = await bootPyodide({ quiet: true });
  pyodide.FS.mkdirTree("/elsewhere/liveimport");
  pyodide.FS.writeFile("/elsewhere/liveimport/__init__.py", "");
  pyodide.runPython("import sys; sys.path.insert(0, '/elsewhere'); import liveimport");
  await assert.rejects(
    installLiveImport(pyodide),
    (err) => err instanceof LiveImportInstallError && /already imported/.test(err.message),
  );
});

test("micropip installs the Pyodide wheel from a file (platform tag accepted) and the engine imports", async () => {
  const pyodide = await bootPyodide({ quiet: true });
  await installWheels(pyodide, wheelSet("micropip"));
  pyodide.FS.mkdirTree("/tmp/wheels");
  const target = `/tmp/wheels/${wheel.wheel}`;
  pyodide.FS.writeFile(target, readFileSync(wheel.url));
  pyodide.globals.set("wheel_path", target);
  const result = await pyodide.runPythonAsync(`
import importlib.metadata, micropip
await micropip.install("emfs:" + wheel_path)
import liveimport._engine as engine
(importlib.metadata.version("liveimport-lite"), engine.BACKEND, "liveimport-lite" in micropip.list())
`);
  const [version, backend, listed] = result.toJs();
  result.destroy();
  assert.equal(version, wheel.version);
  assert.equal(backend, "pyo3");
  assert.equal(listed, true);
});

for (const [version, expected, backend] of [
  ["314.0.7", "pyemscripten_2026_0_wasm32", "pyo3"],
  [LINE_0_29, "pyodide_2025_0_wasm32", "pyo3"],
  [OLDER, "py3-none-any", "wasm-bindgen"],
]) {
  test(`micropip in Pyodide ${version}, from the extension's index of every wheel, picks the ${expected} wheel`, async () => {
    const server = await serveIndex(findKernelWheels());
    try {
      const pyodide = await bootPyodide({ quiet: true, version });
      await installWheels(pyodide, wheelSet("micropip", version));
      pyodide.globals.set("index_url", `${server.url}{package_name}/json`);
      const result = await pyodide.runPythonAsync(`
import importlib.metadata, micropip
await micropip.install("liveimport-lite", index_urls=[index_url])
import liveimport._engine as engine
wheel_tag = next(line.split(": ", 1)[1] for line in
                 importlib.metadata.distribution("liveimport-lite").read_text("WHEEL").splitlines()
                 if line.startswith("Tag: "))
(wheel_tag, engine.BACKEND)
`);
      const [tag, used] = result.toJs();
      result.destroy();
      assert.ok(tag.endsWith(expected), `installed ${tag}`);
      assert.equal(used, backend);
      assert.deepEqual(server.served, [`${PACKAGE_NAME}-${wheel.version}-${tag}.whl`]);
    } finally {
      await server.close();
    }
  });
}

test("micropip refuses the wheel when its platform tag is not Pyodide's", async () => {
  const pyodide = await bootPyodide({ quiet: true });
  await installWheels(pyodide, wheelSet("micropip"));
  pyodide.FS.mkdirTree("/tmp/wheels");
  const wrong = path.basename(wheel.wheel).replace(PLATFORM_TAG, "pyemscripten_2099_0_wasm32");
  pyodide.FS.writeFile(`/tmp/wheels/${wrong}`, readFileSync(wheel.url));
  pyodide.globals.set("wheel_path", `/tmp/wheels/${wrong}`);
  await assert.rejects(
    pyodide.runPythonAsync(`
import micropip
await micropip.install("emfs:" + wheel_path)
`),
    /Wheel was built with .*pyemscripten.2099.0 but Pyodide was built with/,
  );
});

test("LIVEIMPORT_ENGINE: wasm-bindgen forces that engine in Pyodide 314; a bad value is one clear ImportError", async () => {
  const forced = await bootPyodide({ quiet: true, env: { LIVEIMPORT_ENGINE: "wasm-bindgen" } });
  await installLiveImport(forced);
  assert.equal(engineOf(forced)[0], "wasm-bindgen");
  const bad = await bootPyodide({ quiet: true, env: { LIVEIMPORT_ENGINE: "cffi" } });
  await installLiveImport(bad);
  assert.throws(() => bad.runPython("import liveimport"), /ImportError: LIVEIMPORT_ENGINE='cffi' is not one of auto, pyo3, wasm-bindgen/);
});
