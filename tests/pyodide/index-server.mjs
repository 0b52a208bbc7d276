/**
 * A package index on 127.0.0.1 for micropip tests: the PyPI JSON API
 * (`GET /NAME/json`, what micropip's `index_urls` template
 * `http://HOST/{package_name}/json` asks for) built from the same piplite
 * index the JupyterLite extension ships (`pypiIndex` of
 * jupyterlite-ext/scripts/pypi-index.mjs), and the wheels under `/files/`.
 *
 * The port is $LIVEIMPORT_TEST_PORT, or one the system picks.
 */
import { readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { pypiIndex } from "../../jupyterlite-ext/scripts/pypi-index.mjs";

/**
 * Serve `wheels` (paths) until `close()`.
 * @param {string[]} wheels
 * @returns {Promise<{url: string, served: string[], close: () => Promise<void>}>} the base URL
 *   (ending in `/`) and the names of the wheel files downloaded so far.
 */
export async function serveIndex(wheels) {
  const index = pypiIndex(wheels);
  const files = new Map(wheels.map((w) => [path.basename(w), w]));
  const served = [];
  const server = http.createServer((request, response) => {
    const url = new URL(request.url, "http://127.0.0.1");
    const project = /^\/([^/]+)\/json$/.exec(url.pathname);
    if (project && index[project[1].toLowerCase()]) {
      const name = project[1].toLowerCase();
      const releases = Object.fromEntries(
        Object.entries(index[name].releases).map(([version, entries]) => [
          version,
          entries.map((e) => ({ ...e, url: new URL(`/files/${e.filename}`, base).href })),
        ]),
      );
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ info: { name }, releases }));
      return;
    }
    const file = /^\/files\/([^/]+)$/.exec(url.pathname);
    if (file && files.has(file[1])) {
      served.push(file[1]);
      response.writeHead(200, { "content-type": "application/octet-stream" });
      response.end(readFileSync(files.get(file[1])));
      return;
    }
    response.writeHead(404, { "content-type": "text/plain" });
    response.end("not found");
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(Number(process.env.LIVEIMPORT_TEST_PORT || 0), "127.0.0.1", resolve);
  });
  const base = `http://127.0.0.1:${server.address().port}/`;
  return {
    url: base,
    served,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
