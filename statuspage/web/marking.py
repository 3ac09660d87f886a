"""Mark the offending words of a text for display, safely escaped."""

from __future__ import annotations

from markupsafe import Markup, escape

from ..rules.findings import Finding


def mark(text: str, findings: list[Finding]) -> Markup:
    """Return `text` as HTML with each finding's span in a <mark>."""
    spans = sorted(
        (f for f in findings if 0 <= f.start < f.end <= len(text)),
        key=lambda f: f.start,
    )
    out: list[str] = []
    pos = 0
    for f in spans:
        if f.start < pos:  # overlapping spans: the earlier one is already marked
            continue
        out.append(str(escape(text[pos : f.start])))
        out.append(
            f'<mark class="finding finding-{escape(f.severity)}" '
            f'title="{escape(f.message)}">{escape(text[f.start : f.end])}</mark>'
        )
        pos = f.end
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))
