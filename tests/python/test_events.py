"""ReloadEvent and ModuleError: attributes and string forms; the package's
public surface."""

import importlib
import pickle
import sys
import time

import pytest

import liveimport
from liveimport import ModuleError, ReloadEvent


@pytest.mark.parametrize(
    "age, text",
    [
        (0.25, "250 milliseconds ago"),
        (1.5, "1500 milliseconds ago"),
        (18.7, "18 seconds ago"),
        (119, "119 seconds ago"),
        (300, "5 minutes ago"),
        (7199, "119 minutes ago"),
        (3 * 3600, "3 hours ago"),
        (5 * 86400, "5 days ago"),
        (-3, "in the future (!)"),
    ],
)
def test_modified_event_measures_age_from_detection(age, text):
    event = ReloadEvent("printmath", "modified", 1000.0, [], detected=1000.0 + age)
    assert str(event) == f"Reloaded printmath modified {text}"


def test_modified_event_without_detection_measures_from_now():
    event = ReloadEvent("printmath", "modified", time.time() - 18.5, [])
    assert event.detected is None
    assert str(event) in (
        "Reloaded printmath modified 18 seconds ago",
        "Reloaded printmath modified 19 seconds ago",
    )


@pytest.mark.parametrize(
    "after, text",
    [
        (["printmath"], "printmath"),
        (["a", "b"], "a and b"),
        (["a", "b", "c"], "a, b, and c"),
    ],
)
def test_dependent_event_names_what_reloaded_first(after, text):
    event = ReloadEvent("simulator", "dependent", 5.0, after)
    assert str(event) == f"Reloaded simulator because {text} reloaded"


def test_event_attributes_and_repr():
    event = ReloadEvent("sim", "dependent", 5.0, ["pm"], detected=7.0)
    assert (event.module, event.reason, event.mtime, event.after, event.detected) == (
        "sim",
        "dependent",
        5.0,
        ["pm"],
        7.0,
    )
    assert repr(event) == "ReloadEvent('sim', 'dependent', 5.0, ['pm'], detected=7.0)"
    assert (
        repr(ReloadEvent("sim", "modified", 5.0, [])) == "ReloadEvent('sim', 'modified', 5.0, [])"
    )
    with pytest.raises(AttributeError):
        event.extra = 1  # __slots__
    with pytest.raises(TypeError):
        ReloadEvent("sim", "modified", 5.0, [], 7.0)  # detected is keyword-only


def test_module_error():
    try:
        try:
            1 / 0  # noqa: B018
        except ZeroDivisionError as cause:
            raise ModuleError("simulator", "reload") from cause
    except ModuleError as error:
        assert (error.module, error.phase) == ("simulator", "reload")
        assert isinstance(error.__cause__, ZeroDivisionError)
        assert str(error) == "Reload of simulator failed: division by zero"
        copy = pickle.loads(pickle.dumps(error))
        assert (copy.module, copy.phase) == ("simulator", "reload")
    assert issubclass(ModuleError, Exception)


def test_public_api():
    for name in (
        "register",
        "sync",
        "workspace",
        "auto_sync",
        "hidden_cell_magic",
        "poll_lazy_imports",
        "status",
        "ReloadEvent",
        "ModuleError",
    ):
        assert name in liveimport.__all__
        assert getattr(liveimport, name).__doc__, name
    assert callable(liveimport._reset)
    assert liveimport.status.__doc__ and liveimport.Status.__doc__


def test_import_without_ipython(monkeypatch):
    # A fresh import of the package (the engine modules are kept: the pyo3
    # extension cannot be imported twice) while IPython cannot be imported.
    saved = {
        name: module
        for name, module in sys.modules.items()
        if (
            name == "liveimport"
            or name.startswith("liveimport.")
            or name == "IPython"
            or name.startswith("IPython.")
        )
    }
    try:
        for name in saved:
            if not name.startswith("liveimport._engine"):
                del sys.modules[name]
        sys.modules["IPython"] = None  # makes "import IPython" fail
        fresh = importlib.import_module("liveimport")
        assert fresh is not liveimport
        fresh.auto_sync(False, grace=2.0, report=False)
        fresh.hidden_cell_magic(False)
        fresh.sync()
        assert fresh.status().modules == ()
    finally:
        for name in [
            n
            for n in sys.modules
            if n == "IPython"
            or n.startswith("IPython.")
            or n == "liveimport"
            or n.startswith("liveimport.")
        ]:
            del sys.modules[name]
        sys.modules.update(saved)
