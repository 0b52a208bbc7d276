/**
 * Which cells use LiveImport: a cell that does needs LiveImport loaded in
 * the kernel before it runs, and a notebook holding one gets LiveImport
 * loaded as soon as its kernel is idle after starting.
 *
 * bench/site/bench.mjs reads the three patterns below from this file (to
 * keep its reference notebook clear of them): keep each a one-line
 * `const NAME = /.../;`.
 */

const MAGIC_RE = /^\s*%%liveimport\b/;
const HIDDEN_MAGIC_RE = /^#[ \t]*_%%liveimport\b/;
const USES_RE =
  /^[ \t]*(?:import[ \t]+liveimport\b|from[ \t]+liveimport\b|%liveimport\b)/m;

/**
 * Whether running `source` needs LiveImport in the kernel: its first
 * non-blank line is `%%liveimport` (or `#_%%liveimport` when hidden cell
 * magic is on), or a line imports liveimport or uses `%liveimport`.
 */
export function needsLiveImport(
  source: string,
  hiddenCellMagic: boolean
): boolean {
  const first = source.split('\n').find(line => line.trim() !== '') ?? '';
  if (MAGIC_RE.test(first)) {
    return true;
  }
  if (hiddenCellMagic && HIDDEN_MAGIC_RE.test(first.trimStart())) {
    return true;
  }
  return USES_RE.test(source);
}

/**
 * Whether a notebook holds a code cell that uses LiveImport (see
 * {@link needsLiveImport}).
 */
export function notebookUsesLiveImport(
  cells: Iterable<{ cell_type: string; getSource(): string }>,
  hiddenCellMagic: boolean
): boolean {
  for (const cell of cells) {
    if (
      cell.cell_type === 'code' &&
      needsLiveImport(cell.getSource(), hiddenCellMagic)
    ) {
      return true;
    }
  }
  return false;
}
