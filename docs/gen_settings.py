"""Regenerate the settings table in docs/settings.md: python docs/gen_settings.py"""

from __future__ import annotations

from pathlib import Path

from statuspage.config import SETTINGS

DOC = Path(__file__).with_name("settings.md")
START, END = "<!-- settings:start -->", "<!-- settings:end -->"


def table() -> str:
    rows = ["| Setting | Default | What it does |", "|---|---|---|"]
    for s in SETTINGS:
        default = "—" if s.default in (None, "", []) else f"`{s.default}`"
        rows.append(f"| `{s.name}` | {default} | {s.help} |")
    return "\n".join(rows)


if __name__ == "__main__":
    text = DOC.read_text()
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    DOC.write_text(f"{head}{START}\n{table()}\n{END}{tail}")
