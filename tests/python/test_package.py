"""The package as a whole: its version (issue 10: ``liveimport.__version__``)."""

import importlib.metadata

import liveimport
from liveimport import _engine


def test_version_is_the_distributions():
    assert liveimport.__version__ == importlib.metadata.version("liveimport-lite")
    assert liveimport.__version__ == _engine.__version__
