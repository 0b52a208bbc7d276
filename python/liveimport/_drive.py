"""JupyterLite's ``/drive`` as the Pyodide kernel sees it, kept honest after
files are deleted or renamed away in the page.

In the JupyterLite Pyodide kernel, ``/drive`` is an Emscripten file system
(JupyterLite's ``DriveFS``) whose every operation is a blocking request to the
page. Emscripten keeps a node for every path it has looked up (``FS.nameTable``)
and asks the drive's ``lookup`` only for names it has no node for; the page
answers a ``lookup`` of a missing path with "no such file", so Python gets
``FileNotFoundError``. A ``stat`` of a path that *has* a node goes straight to
the drive's ``getattr`` instead, and JupyterLite 0.8.6's page never answers
that for a path that no longer exists: ``DriveContentsProcessor.getattr``
rejects ("Path units.py does not exist."), ``ServiceWorkerManager`` then posts
no response, and the service worker waits for one without a time limit, so the
kernel's synchronous request blocks for good (``readdir`` of a deleted folder
likewise).

So when the page reports a path deleted or renamed away, :func:`forget` drops
the kernel's node for it (a folder's node takes its whole subtree with it,
since look-ups below a folder start from its node): the next look-up of the
path asks the drive, which answers ENOENT, or finds the new file of that name.
Dropping a node of a path that still exists costs one ``lookup`` request at
its next use, nothing else: open files keep their own reference to their node.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any

from . import _incidents

__all__ = ("forget",)

#: Walks the nodes Emscripten has cached for ``path`` (absolute, normalised)
#: without calling any ``node_ops.lookup`` (so without a request to the page),
#: following mounts as ``FS.lookupPath`` does, and drops the node of the last
#: component from the name table (``FS.destroyNode``). Returns true when a
#: node was dropped. Never drops the root, a mount point or a mount's root.
_FORGET_JS = """
(FS, path) => {
  const cached = (parent, name) => {
    for (let n = FS.nameTable[FS.hashName(parent.id, name)]; n; n = n.name_next) {
      if (n.parent.id === parent.id && n.name === name) {
        return n;
      }
    }
    return null;
  };
  const parts = path.split('/').filter(p => p !== '' && p !== '.');
  let node = FS.root;
  for (let i = 0; i < parts.length; i++) {
    const child = cached(node, parts[i]);
    if (child === null) {
      return false;
    }
    if (i === parts.length - 1) {
      if (FS.isRoot(child) || FS.isMountpoint(child) || child.mount.root === child) {
        return false;
      }
      FS.destroyNode(child);
      return true;
    }
    node = FS.isMountpoint(child) ? child.mounted.root : child;
  }
  return false;
}
"""

_forget_js: Any | None = None


def _function() -> Any:
    global _forget_js
    if _forget_js is None:
        from pyodide.code import run_js

        _forget_js = run_js(_FORGET_JS)
    return _forget_js


def forget(paths: Iterable[str]) -> bool:
    """Drop the kernel's cached file-system nodes of ``paths`` (absolute,
    normalised kernel paths, e.g. ``"/drive/units.py"``), so that their next
    look-up asks the drive again and a deleted path gives
    ``FileNotFoundError`` instead of a request the page never answers.

    Returns True when the kernel's file system could be examined (Pyodide,
    with Emscripten's ``FS`` API); False elsewhere (then nothing is cached
    this way, or nothing can be done: callers must not examine the paths;
    a failure of the JavaScript call is recorded, ``_incidents``). Never raises.
    """
    if sys.platform != "emscripten":
        return False
    try:
        import pyodide_js

        function = _function()
        fs = pyodide_js.FS
        for path in paths:
            function(fs, path)
    except Exception as error:  # no Emscripten FS API here: recorded, the caller copes
        _incidents.record("drive.forget", error)
        return False
    return True
