"""The Jinja2 environment of the pages pipebench writes (``bench/report/templates/``), made once."""

from __future__ import annotations

import functools
from typing import Any


@functools.cache
def _environment():
    import jinja2  # on first use: only the pages need it

    return jinja2.Environment(
        loader=jinja2.PackageLoader("pipebench.report", "templates"), autoescape=True, undefined=jinja2.StrictUndefined
    )


def render(name: str, **context: Any) -> str:
    """The template ``name`` rendered with ``context`` (values HTML-escaped unless marked safe)."""
    return _environment().get_template(name).render(**context)
