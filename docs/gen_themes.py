"""Regenerate the context reference in docs/themes.md: python docs/gen_themes.py"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from statuspage.render import contexts

DOC = Path(__file__).with_name("themes.md")
START, END = "<!-- contexts:start -->", "<!-- contexts:end -->"
CLASSES = (
    contexts.SiteContext,
    contexts.OverallStatus,
    contexts.ComponentContext,
    contexts.ComponentLink,
    contexts.UptimeContext,
    contexts.UptimeDay,
    contexts.GroupContext,
    contexts.IncidentContext,
    contexts.IncidentItem,
    contexts.AffectedContext,
    contexts.UpdateContext,
    contexts.ChangeContext,
    contexts.MonthContext,
    contexts.MaintenanceContext,
    contexts.FeedLink,
)


def reference() -> str:
    """One table per context class: field, type, help."""
    parts = []
    for cls in CLASSES:
        parts.append(f"### `{cls.__name__}`\n\n{cls.__doc__}\n")
        parts.append("| Field | Type | Meaning |\n|---|---|---|")
        for f in dataclasses.fields(cls):
            kind = str(f.type).replace("|", "or")
            parts.append(f"| `{f.name}` | `{kind}` | {f.metadata['help']} |")
        parts.append("")
    return "\n".join(parts)


if __name__ == "__main__":
    text = DOC.read_text()
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    DOC.write_text(f"{head}{START}\n{reference()}{END}{tail}")
