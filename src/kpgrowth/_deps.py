"""Lazy loading of optional dependencies with an error that names the install command.

Examples
--------
>>> require("json", extra="core").__name__
'json'
>>> require("no_such_module_kp", extra="spark")
Traceback (most recent call last):
...
kpgrowth.errors.MissingDependencyError: no_such_module_kp is not installed; it is needed for this feature (install it with: pip install 'kpgrowth[spark]')
"""

from __future__ import annotations

import importlib
from types import ModuleType

from kpgrowth.errors import MissingDependencyError


def require(module: str, *, extra: str, package: str | None = None) -> ModuleType:
    """Import ``module`` or raise :class:`MissingDependencyError` naming the extra to install.

    Parameters
    ----------
    module : str
        Dotted module name to import.
    extra : str
        The kpgrowth extra that provides it (``spark``, ``bayes``, ``browser-tests``…).
    package : str, optional
        Name of the distribution, when it differs from the module.
    """
    try:
        return importlib.import_module(module)
    except ImportError:
        name = package or module.split(".")[0]
        raise MissingDependencyError(
            f"{name} is not installed; it is needed for this feature",
            hint=f"install it with: pip install 'kpgrowth[{extra}]'") from None
