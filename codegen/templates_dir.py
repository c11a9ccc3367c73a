"""Where the jinja2 templates live: inside the installed package, or at the top of a source checkout."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=None)
def templates_dir() -> Path:
    here = Path(__file__).resolve().parent
    installed = here / "templates"
    return installed if (installed / "c").is_dir() else here.parent / "templates"
