"""The one documented lazy edge: a heavy optional dependency imported when first used (:func:`lazy_import`).

The anatomy rule is that imports sit at the top of modules (``tests/unit/test_anatomy.py``): a
reader sees every dependency of a module in its first lines. Some dependencies are heavy and needed
by only some paths of a command — IPython to publish a verdict in a kernel, pymongo for a live
server — and importing them at start-up is most of a short command's time (``digest`` of a tiny
file). For those, and only those, a module writes at its top::

    display = lazy_import("IPython.display")

which names the edge where the reader (and the anatomy test, which counts it as an import for the
loop and floor checks) sees it, and imports the module the first time one of its attributes is
read. It is not a way around an import loop: the anatomy test checks lazy edges like the others.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class LazyModule(ModuleType):
    """A module imported on first attribute access (see :func:`lazy_import`)."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self._lazy_target: ModuleType | None = None

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__") or attr == "_lazy_target":
            raise AttributeError(attr)
        target = self._lazy_target
        if target is None:
            target = self._lazy_target = importlib.import_module(self.__name__)
        return getattr(target, attr)


def lazy_import(name: str) -> Any:
    """The module ``name`` (absolute), imported when one of its attributes is first read.

    Parameters
    ----------
    name : str
        An absolute module name, e.g. ``"IPython.display"`` or ``"analysis.querycost.sources.live"``.
    """
    return LazyModule(name)
