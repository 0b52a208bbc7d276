/**
 * The tracked modules as a dependency-graph picture: direct and indirect
 * modules, their top-level imports, the last reload (why each module
 * reloaded), failures, and the modules whose old version some of the
 * notebook's names still hold (stale names, issue 18). Laid out and drawn
 * by Graphviz (`@viz-js/viz`, WebAssembly inlined in its module, loaded on
 * first use: no network).
 *
 * The data is the kernel's `liveimport._graph.graph_data`, in the status
 * dialog and as the MIME type {@link GRAPH_MIME} of `%liveimport`'s output.
 */
import { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Widget } from '@lumino/widgets';

import { parseGraph } from './protocol.js';
import type { IGraphData, OpenFile } from './tokens.js';

/** The MIME type of the graph data (`liveimport._graph.GRAPH_MIME`). */
export const GRAPH_MIME = 'application/vnd.liveimport.graph+json';

/** CSS class of a drawn graph (the browser tests find it by this). */
export const GRAPH_CLASS = 'jp-LiveImport-graph';

/**
 * CSS class added to the drawn node (`g.node`) of a module with stale names;
 * the node's `data-stale` attribute lists those names.
 */
export const STALE_MODULE_CLASS = 'jp-LiveImport-staleModule';

/** CSS class of the collapsible text table shown below a graph. */
export const TABLE_CLASS = 'jp-LiveImport-table';

/**
 * The collapsible text table shown below a graph (open): a `<details>` whose
 * `<summary>` reads `title`, with `text` (the `%liveimport` table) in a `<pre>`.
 */
export function textTable(title: string, text: string): HTMLDetailsElement {
  const table = document.createElement('details');
  table.className = TABLE_CLASS;
  table.open = true;
  const summary = document.createElement('summary');
  summary.textContent = title;
  const pre = document.createElement('pre');
  pre.textContent = text;
  table.append(summary, pre);
  return table;
}

const quote = (text: string): string =>
  `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
const clip = (text: string, n = 48): string =>
  text.length > n ? `${text.slice(0, n - 1)}…` : text;

/** Colours (Material palette) shared by the picture and its legend. */
export const COLOURS = {
  direct: '#e3f2fd',
  indirect: '#ffffff',
  modified: '#ffb74d',
  dependent: '#ffe0b2',
  failed: '#ffcdd2',
  failedLine: '#c62828',
  reloadEdge: '#e65100',
  stale: '#6a1b9a',
  line: '#546e7a'
};

/**
 * The stale names of each module (`data.stale`), in the order the kernel
 * sent them, each name once.
 */
export function staleNamesByModule(data: IGraphData): Map<string, string[]> {
  const byModule = new Map<string, string[]>();
  for (const entry of data.stale) {
    const names = byModule.get(entry.module) ?? [];
    if (!names.includes(entry.name)) {
      names.push(entry.name);
    }
    byModule.set(entry.module, names);
  }
  return byModule;
}

/** The Graphviz DOT text of the graph. */
export function graphDot(data: IGraphData): string {
  const after = new Map(data.reloaded.map(r => [r.module, new Set(r.after)]));
  const stale = staleNamesByModule(data);
  const lines = [
    'digraph liveimport {',
    '  rankdir=TB; bgcolor="transparent"; nodesep=0.35; ranksep=0.45;',
    // Helvetica: the metrics Graphviz lays text out with; browsers draw it with a metric-compatible font.
    `  node [shape=box, style="rounded,filled", fontname="Helvetica,Arial,sans-serif", fontsize=11, margin="0.18,0.06", color="${COLOURS.line}", penwidth=1];`,
    `  edge [color="${COLOURS.line}", arrowsize=0.7];`
  ];
  for (const m of data.modules) {
    const label = [m.name];
    const attrs: string[] = [];
    let fill = m.direct ? COLOURS.direct : COLOURS.indirect;
    const style = ['rounded', 'filled'];
    if (m.direct) {
      attrs.push('penwidth=2');
    } else {
      label.push(m.tracked ? 'indirect' : 'not tracked');
    }
    if (m.file === null && m.tracked) {
      label.push('no source file');
      attrs.push('fontcolor="#757575"');
    }
    if (m.reload === 'modified') {
      fill = COLOURS.modified;
      label.push('reloaded: modified');
    } else if (m.reload === 'dependent') {
      fill = COLOURS.dependent;
      const because = [...(after.get(m.name) ?? [])];
      label.push(
        because.length
          ? `reloaded: ${clip(because.join(', '), 36)} reloaded`
          : 'reloaded'
      );
    }
    if (m.missing) {
      style.push('dashed');
      label.push('file deleted');
      attrs.push('fontcolor="#757575"');
    }
    const staleNames = stale.get(m.name);
    if (staleNames) {
      // A dashed outline in its own colour (a failure's colour, set below, wins).
      if (!style.includes('dashed')) {
        style.push('dashed');
      }
      attrs.push(`color="${COLOURS.stale}"`, 'penwidth=2');
      label.push(`old version in use: ${clip(staleNames.join(', '), 36)}`);
    }
    if (m.failure) {
      fill = COLOURS.failed;
      attrs.push(
        `color="${COLOURS.failedLine}"`,
        'penwidth=2.5',
        `fontcolor="${COLOURS.failedLine}"`
      );
      label.push(`fails: ${clip(m.failure.error)}`);
      if (m.failure.line !== null) {
        label.push(`line ${m.failure.line}`);
      }
    }
    if (!m.tracked) {
      style.push('dotted');
    }
    attrs.push(`fillcolor="${fill}"`, `style="${style.join(',')}"`);
    attrs.push(`tooltip=${quote(m.file ?? m.name)}`);
    lines.push(
      `  ${quote(m.name)} [label=${quote(label.join('\n'))}, ${attrs.join(', ')}];`
    );
  }
  for (const [importer, imported] of data.edges) {
    const propagated = after.get(importer)?.has(imported);
    const attrs = propagated
      ? ` [color="${COLOURS.reloadEdge}", penwidth=2]`
      : '';
    lines.push(`  ${quote(importer)} -> ${quote(imported)}${attrs};`);
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}

type Viz = Awaited<ReturnType<typeof import('@viz-js/viz').instance>>;
let vizPromise: Promise<Viz> | null = null;

/** Graphviz, loaded once (its chunk holds the WebAssembly module). */
function viz(): Promise<Viz> {
  if (!vizPromise) {
    vizPromise = import('@viz-js/viz').then(m => m.instance());
    vizPromise.catch(() => (vizPromise = null));
  }
  return vizPromise;
}

/** The legend under the picture. */
function legend(data: IGraphData): HTMLElement {
  const div = document.createElement('div');
  div.className = 'jp-LiveImport-legend';
  const item = (fill: string, border: string, text: string): void => {
    const swatch = document.createElement('span');
    swatch.className = 'jp-LiveImport-swatch';
    swatch.style.background = fill;
    swatch.style.border = border;
    div.append(swatch, ` ${text}   `);
  };
  item(COLOURS.direct, `2px solid ${COLOURS.line}`, 'imported by the notebook');
  item(
    COLOURS.indirect,
    `1px solid ${COLOURS.line}`,
    'imported by a tracked module'
  );
  if (data.reloaded.length) {
    item(
      COLOURS.modified,
      `1px solid ${COLOURS.line}`,
      'reloaded: its file changed'
    );
    item(
      COLOURS.dependent,
      `1px solid ${COLOURS.line}`,
      'reloaded because a module it imports reloaded'
    );
  }
  if (data.modules.some(m => m.failure)) {
    item(COLOURS.failed, `2px solid ${COLOURS.failedLine}`, 'fails');
  }
  const stale = staleNamesByModule(data);
  if (data.modules.some(m => stale.has(m.name))) {
    item(
      COLOURS.indirect,
      `2px dashed ${COLOURS.stale}`,
      'names still hold its old version (re-run their cells)'
    );
  }
  const arrow = document.createElement('span');
  arrow.textContent = '→ imports';
  div.append(arrow);
  if (data.last_reload !== null) {
    div.append(
      ` · last reload ${new Date(data.last_reload * 1000).toLocaleTimeString()}`
    );
  }
  return div;
}

/**
 * Draw the graph into `host` (replacing its content). Modules whose file the
 * page can open are links (at the failing line, if any).
 *
 * @throws Error when Graphviz cannot be loaded or cannot lay the graph out.
 */
export async function renderGraph(
  host: HTMLElement,
  data: IGraphData,
  open: OpenFile | null
): Promise<void> {
  host.textContent = '';
  host.classList.add(GRAPH_CLASS);
  if (data.modules.length === 0) {
    host.textContent = 'No tracked modules.';
    return;
  }
  const svg = (await viz()).renderSVGElement(graphDot(data));
  svg.setAttribute('role', 'img');
  svg.setAttribute(
    'aria-label',
    'LiveImport: tracked modules and their imports'
  );
  const byName = new Map(data.modules.map(m => [m.name, m]));
  const stale = staleNamesByModule(data);
  for (const node of Array.from(svg.querySelectorAll<SVGGElement>('g.node'))) {
    const name = node.querySelector('title')?.textContent ?? '';
    const module = byName.get(name);
    node.setAttribute('data-module', name);
    const staleNames = stale.get(name);
    if (staleNames) {
      node.classList.add(STALE_MODULE_CLASS);
      node.setAttribute('data-stale', staleNames.join(' '));
    }
    if (module?.path && open) {
      const path = module.path;
      node.style.cursor = 'pointer';
      node.addEventListener('click', () =>
        open(path, module.failure?.line ?? null)
      );
    }
  }
  host.append(svg, legend(data));
}

/**
 * The renderer of {@link GRAPH_MIME} outputs (`%liveimport`, or a cell
 * ending with `liveimport.status()`): the picture, then the text table
 * (open; it folds).
 */
export class GraphRenderer extends Widget implements IRenderMime.IRenderer {
  constructor(private readonly open: OpenFile | null) {
    super();
    this.addClass('jp-LiveImport-graphOutput');
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    this.node.textContent = '';
    const picture = document.createElement('div');
    this.node.append(picture);
    const text = model.data['text/plain'];
    if (typeof text === 'string') {
      this.node.append(textTable('Table', text));
    }
    const data = parseGraph(model.data[GRAPH_MIME]);
    if (!data) {
      picture.textContent = 'LiveImport: no graph data';
      return;
    }
    try {
      await renderGraph(picture, data, this.open);
    } catch (error) {
      picture.textContent = `LiveImport: cannot draw the graph (${error})`;
    }
  }
}

/** The renderer factory of {@link GRAPH_MIME}. */
export function graphRendererFactory(
  open: OpenFile | null
): IRenderMime.IRendererFactory {
  return {
    safe: true,
    mimeTypes: [GRAPH_MIME],
    defaultRank: 40,
    createRenderer: () => new GraphRenderer(open)
  };
}
