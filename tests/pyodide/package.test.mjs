/**
 * node:test checks of the two ways LiveImport reaches a Pyodide 314 instance:
 * the npm package liveimport-pyodide (installLiveImport and its errors) and the
 * Pyodide wheel installed with micropip (its platform tag must be accepted).
 *
 * Run: node --test tests/pyodide/ (after scripts/build.sh).
 */
import {
  LiveImportInstallError,
  PACKAGE_NAME,
  PLATFORM_TAG,
  findBundledWheel,
  installLiveImport,
} from "liveimport-pyodide";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { bootPyodide, installWheels, wheelSet } from "./env.mjs";

const wheel = await findBundledWheel();

test("the bundled wheel is the Pyodide 314 wheel of liveimport-lite", () => {
  assert.match(wheel.wheel, new RegExp(`^${PACKAGE_NAME}-[^-]+-cp314-cp314-${PLATFORM_TAG}\\.whl$`));
  assert.equal(wheel.platform, PLATFORM_TAG);
});

test("installLiveImport rejects what is not a Pyodide instance", async () => {
  await assert.rejects(installLiveImport(undefined), TypeError);
  await assert.rejects(installLiveImport({ version: "314.0.7" }), TypeError);
});

test("installLiveImport rejects another Pyodide major version", async () => {
  const fake = { version: "0.27.7", loadPackage: async () => [], runPython: () => false };
  await assert.rejects(installLiveImport(fake), (err) => {
    assert.ok(err instanceof LiveImportInstallError);
    assert.match(err.message, /Pyodide 314\.x .* this instance is Pyodide 0\.27\.7/);
    return true;
  });
});

test("installLiveImport in a real instance: import works, a second call does nothing", async () => {
  const pyodide = await bootPyodide({ quiet: true });
  await assert.rejects(
    installLiveImport(pyodide, { wheelUrl: "/nonexistent/liveimport_lite-0-cp314-cp314-x.whl" }),
    (err) => err instanceof LiveImportInstallError && /wheel not found/.test(err.message),
  );
  const first = await installLiveImport(pyodide);
  assert.equal(first.alreadyInstalled, false);
  assert.equal(first.version, wheel.version);
  assert.match(first.location, /site-packages\/liveimport$/);
  const engineFile = pyodide.runPython("import liveimport._engine as e; e.__file__");
  assert.match(engineFile, /_engine\.cpython-314-wasm32-emscripten\.so$/);
  const second = await installLiveImport(pyodide);
  assert.equal(second.alreadyInstalled, true);
  assert.equal(second.location, first.location);
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

test("micropip installs the Pyodide wheel (platform tag accepted) and the engine imports", async () => {
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
(importlib.metadata.version("liveimport-lite"), engine.__name__, "liveimport-lite" in micropip.list())
`);
  const [version, name, listed] = result.toJs();
  result.destroy();
  assert.equal(version, wheel.version);
  assert.equal(name, "liveimport._engine");
  assert.equal(listed, true);
});

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
