"""Turn the composer's form into a Draft, and back into values to redisplay."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from werkzeug.datastructures import MultiDict

from ..models import Component
from ..rules.elements import FINAL_STATUSES, Draft

QUICK_PICKS = (15, 30, 60)


@dataclass
class ParsedForm:
    """A composer form, parsed; `values` redisplays exactly what was typed."""

    draft: Draft
    title: str
    severity: str
    components: dict[str, str]
    values: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)


def parse_next_update(
    form: MultiDict[str, str], status: str, now: datetime, zone: str
) -> tuple[datetime | None, str | None]:
    """Read the quick pick (+15/+30/+60 min) or the typed local time."""
    if status in FINAL_STATUSES:
        return None, None
    choice = form.get("next_update_in", "")
    if choice.isdigit():
        return now + timedelta(minutes=int(choice)), None
    typed = form.get("next_update_at", "").strip()
    if not typed:
        return None, None
    try:
        local = datetime.fromisoformat(typed)
    except ValueError:
        return None, f"{typed!r} is not a date and time (use 2026-11-26T16:45)."
    if local.tzinfo is None:
        local = local.replace(tzinfo=ZoneInfo(zone))
    return local, None


def parse_form(
    form: MultiDict[str, str],
    components: list[Component],
    now: datetime,
    zone: str,
    *,
    title: str = "",
    severity: str = "",
) -> ParsedForm:
    """Parse the update fields (and, when declaring, title and severity)."""
    status = form.get("status", "investigating")
    next_at, error = parse_next_update(form, status, now, zone)
    draft = Draft(
        status=status,
        current_impact=form.get("current_impact", ""),
        current_action=form.get("current_action", ""),
        user_action=form.get("user_action", ""),
        next_update_at=next_at,
        body=form.get("body", ""),
        cause_confirmed=form.get("cause_confirmed") == "on",
    )
    changes: dict[str, str] = {}
    for component in components:
        value = form.get(f"component-{component.id}", "")
        if value:
            changes[component.name] = value
    values = {key: form.get(key, "") for key in form.keys()}
    parsed = ParsedForm(
        draft=draft,
        title=form.get("title", title),
        severity=form.get("severity", severity),
        components=changes,
        values=values,
    )
    if error:
        parsed.errors["next_update_at"] = error
    return parsed
