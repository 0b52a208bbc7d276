"""IPython startup file of liveimport-lite[autoload].

Installed in ``etc/ipython/startup`` under the environment's prefix, so every
IPython shell and Jupyter kernel of the environment runs it. It registers
stand-ins for ``%%liveimport``, ``#_%%liveimport`` and ``%liveimport`` that
import LiveImport when such a cell first runs (``_liveimport_autoload``);
nothing else is imported now. ``LIVEIMPORT_NO_AUTOLOAD=1`` in the kernel's
environment turns it off; ``pip uninstall liveimport-lite-autoload`` removes it.
"""


def _liveimport_lite_autoload():
    try:
        import _liveimport_autoload
    except ImportError:
        return
    try:
        _liveimport_autoload.install()
    except Exception as error:
        import warnings

        warnings.warn(f"LiveImport autoload failed: {error!r}", RuntimeWarning)


_liveimport_lite_autoload()
del _liveimport_lite_autoload
