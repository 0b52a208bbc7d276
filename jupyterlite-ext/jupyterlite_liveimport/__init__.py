"""jupyterlite-liveimport: the LiveImport extension for JupyterLab 4 and JupyterLite 0.8.

Installing this distribution puts the prebuilt extension in
``share/jupyter/labextensions/jupyterlite-liveimport``, where ``jupyter lite build``
(and JupyterLab) find it. The extension ships the Pyodide wheel of LiveImport
(``static/pypi``, piplite) and loads it into a kernel before the first cell that
uses LiveImport.
"""

__all__ = ["_jupyter_labextension_paths"]


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    """Where the prebuilt extension is, for ``jupyter labextension develop``.

    Returns one entry: ``src`` (the labextension folder next to this module)
    and ``dest`` (the extension's name).
    """
    return [{"src": "labextension", "dest": "jupyterlite-liveimport"}]
