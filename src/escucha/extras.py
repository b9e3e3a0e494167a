"""Optional dependencies: :func:`require` names the extra to install when one is missing."""

from __future__ import annotations

import importlib.util
import sys

from escucha.errors import MissingExtraError

__all__ = ["require"]


def require(module: str, package: str, extra: str, feature: str) -> None:
    """Raise :class:`MissingExtraError` naming ``extra`` unless ``module`` can be imported."""
    try:
        if module in sys.modules:
            if sys.modules[module] is None:
                raise ImportError(module)
            return
        if importlib.util.find_spec(module) is None:
            raise ImportError(module)
    except (ImportError, ValueError):
        raise MissingExtraError(package, extra, feature) from None
