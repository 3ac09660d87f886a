"""The one shape every text rule reports in, so the UI and the API treat them alike."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Finding:
    """One problem in a checked text, located by character offsets."""

    rule: str
    severity: str
    start: int
    end: int
    text: str
    message: str
    suggestion: str

    def to_dict(self) -> dict[str, Any]:
        """The finding as a JSON-ready dict."""
        return {
            "rule": self.rule,
            "severity": self.severity,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "message": self.message,
            "suggestion": self.suggestion,
        }
