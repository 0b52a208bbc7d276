/**
 * The small course the README's site recipes are tried with
 * (site-recipe.test.mjs, sphinx-recipe.test.mjs): a notebook whose first cell
 * is a `#_%%liveimport` cell importing `shapes.describe`, and that module.
 */

/** The course notebook (nbformat 4.5, the Pyodide kernel). */
export const NOTEBOOK = {
  cells: [
    {
      cell_type: 'code',
      execution_count: null,
      metadata: {},
      outputs: [],
      source: ['#_%%liveimport\n', 'from shapes import describe']
    },
    { cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source: ['print(describe(4))'] }
  ],
  metadata: { kernelspec: { display_name: 'Python (Pyodide)', language: 'python', name: 'python' } },
  nbformat: 4,
  nbformat_minor: 5
};

/** `shapes.py`, where a four-sided shape is called `v`. */
export const SHAPES = v =>
  `"""Shapes for the course."""\n\nNAMES = {3: "triangle", 4: "${v}"}\n\n\ndef describe(n):\n    return f"{n} sides: {NAMES[n]}"\n`;
