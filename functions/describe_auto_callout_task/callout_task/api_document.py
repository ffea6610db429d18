"""``GET /openapi.json``: the API's OpenAPI 3.1 document, shipped beside this module.

The document is generated from the request model by ``python -m autocallout.openapi`` (a test
fails when the shipped copy is stale); it is read from disk once per instance, when first asked.
"""

from __future__ import annotations

import functools
from pathlib import Path

DOCUMENT = Path(__file__).with_name("openapi.json")


@functools.cache
def openapi_document() -> str | None:
    """The document's text, or None when this deployment was packaged without it."""
    try:
        return DOCUMENT.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
