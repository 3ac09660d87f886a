"""Where the bundled folders live: inside the package in a wheel, else the checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def bundled(name: str) -> Path:
    """Return the folder `name` (templates, themes, migrations) for this install."""
    # A wheel carries them in _data; a checkout (or editable install) has them at
    # the repo root. _data first: site-packages may hold an unrelated "templates".
    in_wheel = _PACKAGE / "_data" / name
    if in_wheel.is_dir():
        return in_wheel
    return _PACKAGE.parent / name
