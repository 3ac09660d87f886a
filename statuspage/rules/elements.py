"""The four elements every public update carries, and the cadence of promises."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

STATUSES = ("investigating", "identified", "monitoring", "resolved", "postmortem")
FINAL_STATUSES = ("resolved", "postmortem")
SEVERITIES = ("SEV-1", "SEV-2", "SEV-3", "SEV-4")
TITLE_MAX = 300
TEXT_MAX = 5000
BODY_MAX = 20000

# The customer-facing names, used in every error message.
LABELS = {
    "title": "Title",
    "severity": "Severity",
    "status": "Status",
    "current_impact": "Current impact",
    "current_action": "What we are doing now",
    "user_action": "What users should do now",
    "next_update_at": "Next update time",
    "body": "Details",
}


@dataclass
class Draft:
    """An update as typed, before it is published."""

    status: str
    current_impact: str = ""
    current_action: str = ""
    user_action: str = ""
    next_update_at: datetime | None = None
    body: str = ""
    cause_confirmed: bool = False


def hhmm(moment: datetime) -> str:
    """Format a time the way updates promise it: 16:45 UTC."""
    return moment.astimezone(UTC).strftime("%H:%M UTC")


def check_elements(draft: Draft) -> dict[str, str]:
    """Return {field: message} for missing or malformed elements."""
    errors: dict[str, str] = {}
    if draft.status not in STATUSES:
        errors["status"] = f"Status must be one of: {', '.join(STATUSES)}."
        return errors
    final = draft.status in FINAL_STATUSES
    required = (
        ["current_impact", "user_action"]
        if final
        else [
            "current_impact",
            "current_action",
            "user_action",
        ]
    )
    for name in required:
        if not (getattr(draft, name) or "").strip():
            errors[name] = _missing(name, final)
    for name in ("current_impact", "current_action", "user_action"):
        if name not in errors and len(getattr(draft, name) or "") > TEXT_MAX:
            errors[name] = (
                f"{LABELS[name]} is too long (at most {TEXT_MAX} characters)."
            )
    if len(draft.body or "") > BODY_MAX:
        errors["body"] = f"Details are too long (at most {BODY_MAX} characters)."
    if final:
        if draft.next_update_at is not None:
            errors["next_update_at"] = (
                f"A {draft.status} update promises no next update: "
                "leave the next update time empty."
            )
    elif draft.next_update_at is None:
        errors["next_update_at"] = (
            "Say when customers will hear from you next: choose a next update time."
        )
    return errors


def _missing(name: str, final: bool) -> str:
    if name == "current_impact":
        if final:
            return (
                "Say what was affected and that it has ended, e.g. "
                "'Checkout was unavailable from 14:02 to 14:40 UTC; "
                "it works normally now.'"
            )
        return (
            "Say what customers see right now, e.g. "
            "'Some users cannot complete checkout.'"
        )
    if name == "current_action":
        return (
            "Say what the team is doing now, e.g. "
            "'We are failing over payment traffic to a backup path.'"
        )
    return (
        "Tell users what to do now, even if it is 'No action is needed.', e.g. "
        "'Retry in 2-3 minutes; do not resubmit duplicate payment attempts.'"
    )


def check_cadence(
    next_update_at: datetime | None,
    severity: str,
    now: datetime,
    max_intervals: Mapping[str, int],
) -> dict[str, str]:
    """Check the promised next update is in the future and within the policy."""
    if next_update_at is None:
        return {}
    if next_update_at.tzinfo is None:
        return {"next_update_at": "The next update time needs a time zone."}
    if next_update_at <= now:
        return {
            "next_update_at": (
                f"The next update time must be in the future; it is {hhmm(now)} now "
                f"and you chose {hhmm(next_update_at)}."
            )
        }
    limit = max_intervals.get(severity)
    if limit is not None and next_update_at > now + timedelta(minutes=limit):
        latest = now + timedelta(minutes=limit)
        return {
            "next_update_at": (
                f"A {severity} incident needs an update at least every {limit} "
                f"minutes: choose {hhmm(latest)} or earlier "
                f"(you chose {hhmm(next_update_at)})."
            )
        }
    return {}


def check_incident_fields(title: str, severity: str) -> dict[str, str]:
    """Check the incident's own fields: a title and a known severity."""
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = "Give the incident a short title customers understand."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"The title is too long (at most {TITLE_MAX} characters)."
    elif "\n" in title or "\r" in title:
        errors["title"] = "The title must be one line."
    if severity not in SEVERITIES:
        errors["severity"] = f"Severity must be one of {', '.join(SEVERITIES)}."
    return errors
