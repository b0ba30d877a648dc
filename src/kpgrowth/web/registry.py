"""What a dashboard page is: a navigation entry and the router that serves it.

Examples
--------
>>> from fastapi import APIRouter
>>> p = Page("funnel", "/funnel", APIRouter())
>>> p.label_key
'nav.funnel'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Page:
    """One page of the navigation.

    Attributes
    ----------
    key : str
        Short name; its nav label is the i18n label ``nav.<key>``.
    path : str
        Where the nav links to.
    router : fastapi.APIRouter
        The routes of the page (its GET at ``path`` and any form/fetch targets).
    """

    key: str
    path: str
    router: Any

    @property
    def label_key(self) -> str:
        """The i18n label of the nav entry."""
        return f"nav.{self.key}"
