"""`statuspage audit`: the promise ledger of any Statuspage-hosted page.

Reads a Statuspage v2 `incidents.json` (a file, or fetched with requests), finds the
promised next-update time in each update's free text ("next update in 30 minutes",
"within the hour", "by 16:45 UTC", "at 14:30 PT") and judges the promises with the
same ledger as our own incidents.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
import requests

from . import checkpoints as cp
from .models import utcnow
from .report import figure_lines

FETCH_TIMEOUT = (3.05, 20)
ZONES = {
    "UTC": "UTC",
    "GMT": "UTC",
    "Z": "UTC",
    "PT": "America/Los_Angeles",
    "PST": "America/Los_Angeles",
    "PDT": "America/Los_Angeles",
    "MT": "America/Denver",
    "MST": "America/Denver",
    "MDT": "America/Denver",
    "CT": "America/Chicago",
    "CST": "America/Chicago",
    "CDT": "America/Chicago",
    "ET": "America/New_York",
    "EST": "America/New_York",
    "EDT": "America/New_York",
    "BST": "Europe/London",
    "CET": "Europe/Berlin",
    "CEST": "Europe/Berlin",
    "IST": "Asia/Kolkata",
    "SGT": "Asia/Singapore",
    "JST": "Asia/Tokyo",
    "AET": "Australia/Sydney",
    "AEST": "Australia/Sydney",
    "AEDT": "Australia/Sydney",
}
WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "ten": 10,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty-five": 45,
    "sixty": 60,
    "ninety": 90,
}
# A sentence that promises something: "next update", "we will provide / post...".
_PROMISE = re.compile(
    r"\b(updates?|provide|post|share|report back|check back|more information)\b",
    re.I,
)
_NUMBER = r"\d+(?:\.\d+)?|" + "|".join(sorted(WORDS, key=len, reverse=True))
_RELATIVE = re.compile(
    r"\b(?:in|within)\s+(?:the\s+next\s+|about\s+|approximately\s+|roughly\s+)?"
    rf"(?:(?P<half>half\s+an)|(?P<n>{_NUMBER}))\s*"
    r"(?P<unit>minutes?|mins?|hours?|hrs?)\b",
    re.I,
)
_THE_HOUR = re.compile(r"\b(?:in|within)\s+(?:the\s+next|the|an)\s+hour\b", re.I)
_ZONE_NAMES = "|".join(sorted(ZONES, key=len, reverse=True))
_ABSOLUTE = re.compile(
    r"\b(?i:by|at|before|around|until|no later than)\s+"
    r"(?P<h>[01]?\d|2[0-3])(?::(?P<m>[0-5]\d))?\s*"
    r"(?P<ampm>(?i:[ap]\.?\s?m\.?)(?![A-Za-z]))?\s*"
    rf"(?:\(?(?P<tz>{_ZONE_NAMES})\b\)?)?"
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


class AuditError(Exception):
    """The input cannot be audited; the message names where and why."""


@dataclass(frozen=True)
class Found:
    """A promise found in text: its time and the words it came from."""

    at: datetime
    phrase: str


def parse_promise(text: str, published_at: datetime, zone: str = "UTC") -> Found | None:
    """The next-update time an update's text promises, or None.

    Times without a zone are read in `zone` (the page's); a clock time before the
    publication time means the next day.
    """
    found = None
    for sentence in _SENTENCE.split(text):
        if not _PROMISE.search(sentence):
            continue
        hit = _in_sentence(sentence, published_at, zone)
        if hit is not None:
            found = hit  # the last promising sentence wins: promises close updates
    return found


def _in_sentence(sentence: str, published_at: datetime, zone: str) -> Found | None:
    matches: list[tuple[int, Found]] = []
    for m in _RELATIVE.finditer(sentence):
        amount = 0.5 if m["half"] else _amount(m["n"])
        unit = m["unit"].lower()
        minutes = amount * 60 if unit.startswith("h") else amount
        at = published_at + timedelta(minutes=minutes)
        matches.append((m.start(), Found(at, m.group(0))))
    for m in _THE_HOUR.finditer(sentence):
        at = published_at + timedelta(hours=1)
        matches.append((m.start(), Found(at, m.group(0))))
    for m in _ABSOLUTE.finditer(sentence):
        if not m["m"] and not m["ampm"]:
            continue  # "by 5" alone is no clock time
        tz = ZONES[m["tz"]] if m["tz"] else zone
        at = _clock_time(m, published_at, tz)
        matches.append((m.start(), Found(at, m.group(0).strip())))
    if not matches:
        return None
    # "Started at 11:00 UTC, next update at 17:00 UTC": the time after the promise
    # word is the promise; failing that, the last one before it.
    keyword = _PROMISE.search(sentence)
    start = keyword.start() if keyword else 0
    after = [pair for pair in matches if pair[0] >= start]
    if after:
        return min(after, key=lambda pair: pair[0])[1]
    return max(matches, key=lambda pair: pair[0])[1]


def _amount(word: str) -> float:
    word = word.lower()
    return float(WORDS[word]) if word in WORDS else float(word)


def _clock_time(m: re.Match[str], published_at: datetime, zone: str) -> datetime:
    hour, minute = int(m["h"]), int(m["m"] or 0)
    if m["ampm"]:
        pm = m["ampm"].lower().startswith("p")
        if hour > 12:
            raise AuditError(f"{m.group(0)!r} is not a clock time")
        hour = hour % 12 + (12 if pm else 0)
    tz = ZoneInfo(zone)
    local = published_at.astimezone(tz)
    at = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if at.astimezone(UTC) < published_at.astimezone(UTC):
        at = (local + timedelta(days=1)).replace(
            hour=hour, minute=minute, second=0, microsecond=0
        )
    return at.astimezone(UTC)


# --- incidents.json ------------------------------------------------------------


@dataclass(frozen=True)
class AuditUpdate:
    """One Statuspage update with the promise found in its text."""

    id: str
    status: str
    published_at: datetime
    next_update_at: datetime | None
    phrase: str | None


def _time(value: Any, where: str, name: str) -> datetime:
    if not isinstance(value, str):
        raise AuditError(f"{where}: {name} is missing or not a string")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise AuditError(f"{where}: {name} {value!r} is not an ISO 8601 time") from exc
    if moment.tzinfo is None:
        raise AuditError(f"{where}: {name} {value!r} has no time zone offset")
    return moment.astimezone(UTC)


def read_incidents(data: Any) -> tuple[str, list[dict[str, Any]]]:
    """Check and convert a decoded incidents.json; return (page name, incidents)."""
    if not isinstance(data, dict) or not isinstance(data.get("incidents"), list):
        raise AuditError(
            'expected a Statuspage v2 incidents.json: an object with an "incidents" '
            "list"
        )
    page: dict[str, Any] = data["page"] if isinstance(data.get("page"), dict) else {}
    zone = page.get("time_zone") or "UTC"
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = "UTC"
    out = []
    for number, raw in enumerate(data["incidents"], start=1):
        if not isinstance(raw, dict):
            raise AuditError(f"incident number {number} is not an object")
        iid = str(raw.get("id") or f"number {number}")
        where = f'incident {iid} ("{raw.get("name", "")}")'
        created = _time(raw.get("created_at"), where, "created_at")
        updates_raw = raw.get("incident_updates")
        if not isinstance(updates_raw, list):
            raise AuditError(f"{where}: incident_updates is missing or not a list")
        updates = []
        for unumber, u in enumerate(updates_raw, start=1):
            if not isinstance(u, dict):
                raise AuditError(f"{where}, update number {unumber}: not an object")
            uid = str(u.get("id") or f"number {unumber}")
            uwhere = f"{where}, update {uid}"
            published = _time(
                u.get("display_at") or u.get("created_at"), uwhere, "created_at"
            )
            body = u.get("body")
            if body is None:
                body = ""
            if not isinstance(body, str):
                raise AuditError(f"{uwhere}: body is not text")
            status = u.get("status")
            if not isinstance(status, str):
                raise AuditError(f"{uwhere}: status is missing")
            found = None
            if status not in cp.FINAL_STATUSES:
                try:
                    found = parse_promise(body, published, zone)
                except AuditError as exc:
                    raise AuditError(f"{uwhere}: {exc}") from exc
            updates.append(
                AuditUpdate(
                    uid,
                    status,
                    published,
                    found.at if found else None,
                    found.phrase if found else None,
                )
            )
        updates.sort(key=lambda u: u.published_at)
        out.append(
            {
                "id": iid,
                "name": str(raw.get("name", "")),
                "status": str(raw.get("status", "")),
                "created_at": created,
                "updates": updates,
            }
        )
    return str(page.get("name") or ""), out


def load(source: str) -> Any:
    """Decoded JSON from a file or an http(s) URL (a page URL gets the API path)."""
    if source.startswith(("https://", "http://")):
        url = source
        if not url.split("?")[0].endswith(".json"):
            url = url.rstrip("/") + "/api/v2/incidents.json"
        try:
            response = requests.get(
                url,
                timeout=FETCH_TIMEOUT,
                headers={"Accept": "application/json"},
            )
        except requests.RequestException as exc:
            raise AuditError(f"could not fetch {url}: {exc}") from exc
        if response.status_code != 200:
            raise AuditError(f"{url} answered HTTP {response.status_code}")
        text = response.text
    else:
        try:
            text = Path(source).read_text(encoding="utf-8")
        except OSError as exc:
            raise AuditError(f"cannot read {source}: {exc.strerror or exc}") from exc
        except UnicodeDecodeError as exc:
            raise AuditError(f"{source} is not UTF-8 text") from exc
    try:
        return json.loads(text)
    except ValueError as exc:
        raise AuditError(f"{source} is not JSON: {exc}") from exc


def audit(data: Any, now: datetime, grace: timedelta = timedelta(0)) -> dict[str, Any]:
    """The ledger of a decoded incidents.json, as JSON-ready data."""
    page, incidents = read_incidents(data)
    entries = []
    for inc in incidents:
        made = {p.update_id: p for p in cp.promises(inc["updates"], now, grace)}
        summary = cp.summarize(inc["updates"], now, grace, inc["created_at"])
        entries.append(
            {
                "id": inc["id"],
                "name": inc["name"],
                "status": inc["status"],
                **summary.to_dict(),
                "timeline": [
                    {
                        "id": u.id,
                        "status": u.status,
                        "published_at": u.published_at.isoformat(),
                        "promised_at": u.next_update_at.isoformat()
                        if u.next_update_at
                        else None,
                        "phrase": u.phrase,
                        "promise": made[u.id].state if u.id in made else None,
                        "lateness": round(made[u.id].lateness or 0, 1)
                        if u.id in made and made[u.id].lateness is not None
                        else None,
                    }
                    for u in inc["updates"]
                ],
            }
        )
    total = cp.summarize_many(
        ((inc["updates"], inc["created_at"]) for inc in incidents), now, grace
    )
    return {
        "page": page,
        "checked_at": now.isoformat(),
        "incidents": entries,
        "total": {"incidents": len(entries), **total.to_dict()},
    }


@click.command("audit")
@click.argument("source", metavar="PATH_OR_URL")
@click.option("--json", "as_json", is_flag=True, help="Print the ledger as JSON.")
def audit_command(source: str, as_json: bool) -> None:
    """The promise ledger of a Statuspage v2 incidents.json (file or URL)."""
    try:
        result = audit(load(source), utcnow())
    except AuditError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False))
        return
    if result["page"]:
        click.echo(f"Page: {result['page']}")
    for entry in result["incidents"]:
        click.echo(f"{entry['name']} ({entry['id']}, {entry['status']})")
        for line in figure_lines(entry):
            click.echo(f"  {line}")
        for u in entry["timeline"]:
            if u["phrase"]:
                late = f", {u['lateness']:g} min late" if u["lateness"] else ""
                click.echo(
                    f"    {u['published_at'][11:16]} {u['status']}: "
                    f'"{u["phrase"]}" -> {u["promised_at"][11:16]} UTC, '
                    f"{u['promise']}{late}"
                )
    total = result["total"]
    click.echo(f"Total over {total['incidents']} incident(s):")
    for line in figure_lines(total):
        click.echo(f"  {line}")
