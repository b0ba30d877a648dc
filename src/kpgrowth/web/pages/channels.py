"""``/channels``: placeholder while the page is being built (replaced by its owner)."""

from fastapi import APIRouter

from kpgrowth.web.registry import Page

router = APIRouter(include_in_schema=False)
PAGE = Page("channels", "/channels", router)
