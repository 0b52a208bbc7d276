/**
 * What a cell's run sent back, as Jupyter tools see it: the IOPub messages in
 * order and the execute reply's status (nbval, nbgrader and nbclient read
 * these), next to the outputs a person sees (`Session.outputText`).
 */

/**
 * Start recording, on the test notebook's kernel connection, every message
 * received in answer to an execute request: `{type, status?, ename?,
 * evalue?, traceback?}` by the request's message id. A later call starts
 * afresh. Works in JupyterLite and desktop sessions alike.
 * @param {import('./harness.mjs').Session} s
 */
export async function recordRuns(s) {
  await s.page.evaluate(() => {
    const t = window.__liveimportTest;
    const kernel = t.notebook.sessionContext.session.kernel;
    t.runs = { order: [], byRequest: {} };
    if (t.runsKernel === kernel) {
      return;
    }
    t.runsKernel = kernel;
    kernel.anyMessage.connect((_, { msg, direction }) => {
      const runs = window.__liveimportTest.runs;
      if (direction === 'send' && msg.header.msg_type === 'execute_request' && !msg.content.silent) {
        runs.order.push(msg.header.msg_id);
        runs.byRequest[msg.header.msg_id] = [];
        return;
      }
      const list = direction === 'recv' ? runs.byRequest[msg.parent_header?.msg_id] : undefined;
      if (!list) {
        return;
      }
      const type = msg.header.msg_type;
      const entry = { type };
      if (type === 'execute_reply') {
        entry.status = msg.content.status;
      } else if (type === 'error') {
        Object.assign(entry, { ename: msg.content.ename, evalue: msg.content.evalue, traceback: msg.content.traceback });
      } else if (type === 'stream') {
        entry.name = msg.content.name;
      }
      list.push(entry);
    });
  });
}

/**
 * The messages answering the last execute request sent since
 * {@link recordRuns}, without `status` and `execute_input`: e.g.
 * `[{type: 'error', ename, ...}, {type: 'display_data'}, {type: 'stream', name: 'stdout'},
 * {type: 'execute_reply', status: 'ok'}]`.
 * @param {import('./harness.mjs').Session} s
 */
export async function lastRun(s) {
  return s.page.evaluate(() => {
    const runs = window.__liveimportTest.runs;
    const id = runs.order[runs.order.length - 1];
    return (runs.byRequest[id] ?? []).filter(m => m.type !== 'status' && m.type !== 'execute_input');
  });
}

/**
 * The error outputs of cell `index` as the notebook stores them (nbformat
 * JSON `{output_type: 'error', ename, evalue, traceback}`).
 * @param {import('./harness.mjs').Session} s
 * @param {number} index
 */
export async function errorOutputs(s, index) {
  return (await s.outputs(index)).filter(o => o.output_type === 'error');
}

/** `text` without ANSI colour codes. */
export const plain = text => text.replace(/\x1b\[[0-9;]*m/g, '');

/**
 * Assert that the last run of cell `index` (recorded since {@link recordRuns})
 * shows a failed auto-sync as LiveImport 1.3.1 does, with our text: an IOPub
 * `error` message first (before the cell's own outputs), with `ename` and an
 * `evalue` matching `evalue`, whose traceback starts with `LiveImport could
 * not reload MODULE (FILE, line N): ENAME` and ends with what happens next;
 * the cell then ran (a stdout stream), nothing on stderr, and the execute
 * reply's status is `ok`. The notebook stores the same error output.
 * @returns {Promise<string[]>} the error's traceback lines, without colour codes.
 */
export async function assertSyncError(s, index, { module, ename, evalue }) {
  const { default: assert } = await import('node:assert/strict');
  const run = await lastRun(s);
  const kinds = run.map(m => (m.type === 'stream' ? `stream:${m.name}` : m.type));
  // The reply comes on the shell channel, the outputs on IOPub: on the desktop the two may
  // arrive in either order (the reply even before every output), so "first" is among the
  // IOPub messages, and only the reply's presence and status are checked.
  const outputs = run.filter(m => m.type !== 'execute_reply');
  assert.equal(outputs[0]?.type, 'error', `the error comes first: ${kinds}`);
  assert.ok(kinds.includes('stream:stdout'), `the cell ran: ${kinds}`);
  assert.ok(!kinds.includes('stream:stderr'), `nothing on stderr: ${kinds}`);
  assert.equal(kinds.filter(k => k === 'error').length, 1, `one error: ${kinds}`);
  assert.deepEqual(
    run.filter(m => m.type === 'execute_reply'),
    [{ type: 'execute_reply', status: 'ok' }],
    `one reply, status ok: ${kinds}`
  );
  const error = outputs[0];
  assert.equal(error.ename, ename);
  assert.match(error.evalue, evalue);
  const lines = error.traceback.map(plain);
  const escaped = module.replace(/\./g, '\\.');
  assert.match(lines[0], new RegExp(`^LiveImport could not reload ${escaped} \\(.*, line \\d+\\): ${ename}`));
  assert.equal(
    lines[lines.length - 1],
    `The previous version of ${module} stays in use; fix the file and run a cell to reload it.`
  );
  const [stored] = await errorOutputs(s, index);
  assert.deepEqual(
    { ename: stored?.ename, evalue: stored?.evalue, traceback: stored?.traceback },
    { ename: error.ename, evalue: error.evalue, traceback: error.traceback },
    'the notebook stores the error output'
  );
  return lines;
}

/** Lines of `text` that start with "Reloaded ". */
export function reportLines(text) {
  return text
    .split('\n')
    .map(line => line.trim())
    .filter(line => line.startsWith('Reloaded '));
}
