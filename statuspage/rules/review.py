"""One review of a draft update: elements, cadence, speculation, customer context.

The composer form, its live preview and the JSON API all call `review`, so an
update is judged the same way wherever it comes from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .context import check_customer_context
from .elements import Draft, check_cadence, check_elements, check_incident_fields
from .findings import Finding
from .speculation import check_speculation

# The public text fields, in the order customers read them.
PUBLIC_FIELDS = ("title", "current_impact", "current_action", "user_action", "body")


@dataclass(frozen=True)
class FieldFinding:
    """A finding located in one field of the form."""

    field: str
    finding: Finding

    def to_dict(self) -> dict[str, Any]:
        """The finding as JSON, with the field it is in."""
        return {"field": self.field, **self.finding.to_dict()}


@dataclass
class Review:
    """What stands between a draft and publication."""

    errors: dict[str, str] = field(default_factory=dict)
    findings: list[FieldFinding] = field(default_factory=list)

    @property
    def blocked(self) -> bool:
        """True when the update must not be published."""
        return bool(self.errors) or any(
            f.finding.severity == "block" for f in self.findings
        )

    def findings_for(self, name: str) -> list[Finding]:
        """The findings in one field, in text order."""
        return sorted(
            (f.finding for f in self.findings if f.field == name), key=lambda f: f.start
        )

    def to_dict(self) -> dict[str, Any]:
        """The review as the API's 422 body."""
        return {
            "errors": dict(self.errors),
            "findings": [f.to_dict() for f in self.findings],
        }


def review(
    draft: Draft,
    *,
    title: str,
    severity: str,
    now: datetime,
    max_intervals: Mapping[str, int],
    check_title: bool = True,
) -> Review:
    """Review a draft update for an incident with this title and severity."""
    result = Review()
    if check_title:
        result.errors.update(check_incident_fields(title, severity))
    result.errors.update(check_elements(draft))
    if "next_update_at" not in result.errors:
        result.errors.update(
            check_cadence(draft.next_update_at, severity, now, max_intervals)
        )
    if "status" in result.errors:
        return result
    texts = {
        "title": title if check_title else "",
        "current_impact": draft.current_impact,
        "current_action": draft.current_action,
        "user_action": draft.user_action,
        "body": draft.body,
    }
    for name in PUBLIC_FIELDS:
        text = texts[name] or ""
        if not text.strip():
            continue
        for found in check_speculation(
            text, status=draft.status, cause_confirmed=draft.cause_confirmed
        ):
            result.findings.append(FieldFinding(name, found))
    for found in check_customer_context(draft.current_impact or ""):
        result.findings.append(FieldFinding("current_impact", found))
    return result
