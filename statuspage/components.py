"""Components and groups: created from statuspage.toml's `[[components]]`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlmodel import Session, select

from .models import Component, ComponentGroup, ComponentStatus


class ComponentConfigError(ValueError):
    """A `[[components]]` entry that cannot be used."""


def sync_components(session: Session, entries: Iterable[Mapping[str, Any]]) -> int:
    """Create missing components and groups; return how many components were added."""
    groups = {g.name: g for g in session.exec(select(ComponentGroup)).all()}
    existing = {c.name: c for c in session.exec(select(Component)).all()}
    added = 0
    for position, entry in enumerate(entries):
        name = str(entry.get("name", "")).strip()
        if not name:
            raise ComponentConfigError(f"component #{position + 1} has no name")
        group_name = str(entry.get("group", "") or "").strip()
        group = None
        if group_name:
            group = groups.get(group_name)
            if group is None:
                group = ComponentGroup(name=group_name, position=len(groups))
                session.add(group)
                session.flush()
                groups[group_name] = group
        component = existing.get(name)
        if component is None:
            status = entry.get("status", ComponentStatus.operational.value)
            if status not in {s.value for s in ComponentStatus}:
                raise ComponentConfigError(
                    f"component {name!r}: unknown status {status!r}"
                )
            component = Component(
                name=name,
                description=str(entry.get("description", "")),
                group_id=group.id if group else None,
                position=position,
                status=status,
            )
            session.add(component)
            existing[name] = component
            added += 1
        else:
            component.description = str(entry.get("description", component.description))
            component.group_id = group.id if group else None
            component.position = position
            session.add(component)
    session.flush()
    return added
