"""kpgrowth — the growth engine for sellers of knowledge products (知识付费).

Examples
--------
>>> import kpgrowth
>>> kpgrowth.__version__
'0.1.0'
"""

from __future__ import annotations

from kpgrowth.errors import InputError, KpgrowthError
from kpgrowth.workspace import Workspace

__version__ = "0.1.0"

__all__ = ["InputError", "KpgrowthError", "Workspace", "__version__"]
