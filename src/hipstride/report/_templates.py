"""The one Jinja environment of every HTML page (templates in ``report/templates/``).

Autoescaping is on (a file name or a note in a recording can never become markup), undefined
names are errors, and blocks are trimmed so the pages read cleanly as source.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jinja2

__all__ = ["environment", "render"]


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The shared environment (built once, on first use: importing Jinja costs start-up time)."""
    import jinja2

    return jinja2.Environment(loader=jinja2.PackageLoader("hipstride.report", "templates"),
                              autoescape=True, undefined=jinja2.StrictUndefined,
                              trim_blocks=True, lstrip_blocks=True)


def render(template: str, /, **context: object) -> str:
    """Render ``templates/<template>`` with ``context``."""
    return environment().get_template(template).render(**context)
