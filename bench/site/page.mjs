/**
 * Page-side recorders shared by the site benchmarks (bench/site/bench.mjs,
 * bench/site/first_cell.mjs). Each export is a self-contained function to
 * pass to playwright's `page.evaluate` (it is sent as source: no closures).
 */

/**
 * Record the /drive requests the page's kernels make: JupyterLite's service
 * worker broadcasts each one (and its response) on the `/sw-api.v1` channel
 * (JupyterLite 0.6 to 0.8). Installs `window.__drive`:
 * - `requests`: `{method, path, ms}` per request since the last `take()`
 *   (`method`: the drive operation, e.g. `getattr`, `lookup`, `get`;
 *   `path`: the contents path; `ms`: page-side service time from the
 *   request's broadcast to its response's, null while unanswered);
 * - `take()`: returns `requests` and starts a new list.
 * Idempotent.
 */
export function installDriveRecorder() {
  if (window.__drive) {
    return;
  }
  const D = (window.__drive = {
    requests: [],
    take() {
      const out = D.requests;
      D.requests = [];
      return out;
    }
  });
  const channel = new BroadcastChannel('/sw-api.v1');
  const inFlight = new Map();
  channel.onmessage = e => {
    const d = e.data;
    if (d && d.data && typeof d.pathname === 'string' && d.pathname.includes('/api/drive')) {
      const entry = { method: d.data.method, path: d.data.path, ms: null };
      D.requests.push(entry);
      inFlight.set(d.requestId, { entry, t: performance.now() });
    } else if (d && 'response' in d && inFlight.has(d.requestId)) {
      const { entry, t } = inFlight.get(d.requestId);
      entry.ms = performance.now() - t;
      inFlight.delete(d.requestId);
    }
  };
}
