"""A failure shown as an ``error`` output of the running cell.

LiveImport 1.3.1 re-raises a sync failure (the ``ModuleError``'s cause) from
its ``pre_run_cell`` hook; IPython's ``EventManager.trigger`` catches it,
prints ``Error in callback <bound method ...> (for pre_run_cell), with
arguments ...`` on stdout (IPython 8 and 9) and calls ``shell.showtraceback()``,
so the cell gets an ``error`` output (IOPub ``error`` message) whose ``ename``
is the cause, runs, and (in ipykernel) replies with status ``ok``. We keep
what users and tools see of that (nbval, nbgrader, LiveImport's own
``integration:notebook`` test read the ``error`` outputs and the reply status)
and publish the output ourselves, with the concise traceback of
``_nb_report.failure_output`` and without the callback line:

- Every IPython shell but JupyterLite's: ``shell._showtraceback(etype,
  evalue, stb)``, the method all of IPython's error displays end in and that
  kernels override: ipykernel's ``ZMQInteractiveShell`` sends the IOPub
  ``error`` message (``ename = etype.__name__``, ``evalue = str(evalue)``,
  ``traceback = stb``) and leaves the reply status to the cell; the
  terminal's shell prints the lines. (Not ``showtraceback``: it shows a
  ``SyntaxError`` with IPython's own syntax-error display, which ignores
  ``_render_traceback_``, and may start the debugger.)
- JupyterLite's Pyodide kernel (jupyterlite-pyodide-kernel 0.6, 0.7, 0.8):
  its shell's ``_showtraceback`` only records the error, and the kernel
  publishes it after the cell and replies with status ``error`` (what 1.3.1
  gets there, with ``ename`` ``"<class 'SyntaxError'>"``; JupyterLite then
  stops Run All, and its 0.8 client drops the messages queued behind). We
  post instead the worker message its ``publishExecutionError`` posts,
  ``{_kernelMessage: {type: "execute_error", bundle, parentHeader}}``, which
  the page's kernel turns into the IOPub ``error`` message, in order with the
  cell's other outputs; the reply status stays ``ok``. That is the kernel's
  comlink worker (the default); a cross-origin isolated site's kernel runs a
  coincident worker, whose messages Python cannot reach: there the failure
  is written on stderr (an ``error``-coloured stream output).

In every case ``sys.last_type``, ``sys.last_value``, ``sys.last_traceback``
(and ``sys.last_exc``, Python 3.12+) are set as IPython's ``showtraceback``
sets them, so ``%debug`` opens the failing module's frame, as with 1.3.1.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

from . import _incidents
from ._nb_report import ErrorOutput

__all__ = ("show", "lite_message", "LITE_MESSAGE")

#: The JavaScript function (``Function`` body, one argument ``text``: the
#: message as JSON) that posts a kernel message from JupyterLite's comlink
#: worker to the page, as ``PyodideComlinkKernel._sendWorkerMessage`` does
#: (jupyterlite-pyodide-kernel's ``comlink.worker.ts``, 0.6 to 0.9). It
#: returns false, posting nothing, outside a dedicated worker and in a
#: cross-origin isolated one (the coincident worker: the page listens to no
#: such message there).
LITE_MESSAGE = (
    "if (typeof postMessage !== 'function' || typeof WorkerGlobalScope === 'undefined'"
    " || globalThis.crossOriginIsolated) { return false; }\n"
    "postMessage({ _kernelMessage: JSON.parse(text) });\n"
    "return true;\n"
)

_post: Callable[[str], bool] | None = None

#: Whether this is Pyodide, where JupyterLite's kernel may run us; tests
#: replace it.
_in_pyodide = sys.platform == "emscripten"


def _lite_post(text: str) -> bool:
    """Post ``text`` (a kernel message as JSON) with :data:`LITE_MESSAGE`;
    false where it cannot be posted."""
    global _post
    if _post is None:
        # The JavaScript `Function` constructor, reached from Pyodide's API
        # rather than through `import js`, which a `js/` folder in the
        # working directory would shadow (as in ``_engine_wasm``).
        import pyodide_js

        function = pyodide_js.FS.stat.constructor
        _post = function("text", LITE_MESSAGE)
    return bool(_post(text))


def _lite_kernel(shell: Any) -> Any:
    """The Python side of JupyterLite's Pyodide kernel when ``shell`` is its
    shell (``pyodide_kernel.ipython_shell``), else None."""
    if not _in_pyodide:
        return None
    pyodide_kernel = sys.modules.get("pyodide_kernel")
    if pyodide_kernel is None or getattr(pyodide_kernel, "ipython_shell", None) is not shell:
        return None
    return getattr(shell, "kernel", None)


def lite_message(output: ErrorOutput, parent: Any) -> dict[str, Any]:
    """The worker message that makes JupyterLite's Pyodide kernel publish
    ``output`` as an IOPub ``error`` message answering the execute request
    whose message is ``parent`` (the kernel's ``_parent_header``: the whole
    request, whose ``header`` becomes the error's parent header)."""
    header = parent.get("header", {}) if isinstance(parent, dict) else {}
    return {
        "type": "execute_error",
        "bundle": {
            "ename": output.ename,
            "evalue": output.evalue,
            "traceback": output.traceback,
        },
        "parentHeader": header,
    }


def _set_last(exception: BaseException) -> None:
    sys.last_type = type(exception)
    sys.last_value = exception
    sys.last_traceback = exception.__traceback__
    if sys.version_info >= (3, 12):
        sys.last_exc = exception


def show(shell: Any, output: ErrorOutput) -> str:
    """Show ``output`` as an ``error`` output of the cell ``shell`` runs.

    :returns: how: ``"shell"`` (``shell._showtraceback``), ``"lite"`` (the
        Pyodide kernel's worker message) or ``"stderr"`` (the lines on
        ``sys.stderr``: JupyterLite's coincident worker, or a failure of the
        other two ways, recorded with ``_incidents``). Never raises.
    """
    _set_last(output.exception)
    kernel = _lite_kernel(shell)
    try:
        if kernel is not None:
            parent = getattr(kernel, "_parent_header", None)
            message = json.dumps(lite_message(output, parent), default=str)
            sys.stdout.flush()  # the cell's earlier prints first
            sys.stderr.flush()
            if _lite_post(message):
                return "lite"
        else:
            shell._showtraceback(type(output.exception), output.exception, output.traceback)
            return "shell"
    except Exception as error:  # a kernel we do not know: the text still shows
        _incidents.record("error output", error, warn=True)
    sys.stderr.write("\n".join(output.traceback) + "\n")
    sys.stderr.flush()
    return "stderr"
