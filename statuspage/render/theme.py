"""Themes: finding one, its Jinja environment, its static files, Markdown bodies.

A theme is a folder with `templates/` and `static/`, either of which may be partial:
anything missing falls back to the default theme, as in Pelican.
"""

from __future__ import annotations

import functools
import threading
import xml.etree.ElementTree as etree
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import markdown
import nh3
from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    select_autoescape,
)
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

from ..paths import bundled
from . import contexts

DEFAULT_THEME = "default"

# Prose only. No h1-h3 (the page owns those levels), no landmarks (header, footer,
# nav, aside would confuse screen-reader navigation) and no images (tracking pixels,
# and a status page must stay readable when another host is down).
BODY_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "dl", "dt",
    "em", "h4", "h5", "h6", "hr", "i", "ins", "kbd", "li", "mark", "ol", "p", "pre",
    "q", "s", "samp", "small", "span", "strong", "sub", "sup", "table", "tbody", "td",
    "th", "thead", "time", "tr", "ul",
}  # fmt: skip


class ThemeError(Exception):
    """The THEME setting names no bundled theme and no folder."""


@dataclass(frozen=True)
class Theme:
    """A theme folder and the default theme it falls back to."""

    name: str
    path: Path
    default_path: Path


def find_theme(setting: str | Path | None) -> Theme:
    """Resolve THEME: a bundled theme name, or a path to a theme folder."""
    themes = bundled("themes")
    value = str(setting or DEFAULT_THEME)
    candidate = themes / value
    if "/" in value or "\\" in value or not candidate.is_dir():
        candidate = Path(value).expanduser()
    if not candidate.is_dir():
        names = ", ".join(sorted(p.name for p in themes.iterdir() if p.is_dir()))
        raise ThemeError(
            f"THEME {value!r} is neither a bundled theme ({names}) nor a folder"
        )
    return Theme(
        candidate.name, candidate.resolve(), (themes / DEFAULT_THEME).resolve()
    )


def theme_for(settings: Mapping[str, Any]) -> Theme:
    """The theme the settings choose."""
    return find_theme(settings.get("THEME"))


@functools.lru_cache(maxsize=16)
def make_environment(theme: Theme) -> Environment:
    """A Jinja environment: the theme first, then default; `!default/` names default.

    Cached per theme (templates are reloaded when their files change), so a build
    does not compile every template again.
    """
    default = FileSystemLoader(theme.default_path / "templates")
    chosen = FileSystemLoader(theme.path / "templates")
    loaders: list[BaseLoader] = [
        PrefixLoader({"!default": default, "!theme": chosen}, delimiter="/")
    ]
    loaders += [default] if theme.path == theme.default_path else [chosen, default]
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(("html", "htm", "xml"), default_for_string=True),
        # A typo in a theme should fail the build (which then publishes nothing),
        # not ship a page with a silently blank field.
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        markdown=render_markdown,
        utc=contexts.format_utc,
        hhmm=contexts.format_hhmm,
        iso=contexts.format_iso,
        month=contexts.format_month,
        status_label=contexts.status_label,
    )
    return env


def static_files(theme: Theme) -> list[tuple[str, Path]]:
    """(relative path, source) of every static file; the theme overrides default."""
    found: dict[str, Path] = {}
    for folder in dict.fromkeys([theme.default_path, theme.path]):
        static = folder / "static"
        if not static.is_dir():
            continue
        for source in static.rglob("*"):
            relative = source.relative_to(static)
            # Dotfiles (.gitkeep, .DS_Store) are editor and VCS litter, not the site.
            if source.is_file() and not any(p.startswith(".") for p in relative.parts):
                found[relative.as_posix()] = source
    return sorted(found.items())


class _DemoteHeadings(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            if element.tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
                element.tag = f"h{min(6, int(element.tag[1]) + 3)}"


class _DemoteHeadingsExtension(Extension):
    # An author's "# Heading" becomes h4, so bodies never compete with page headings.
    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802
        md.treeprocessors.register(_DemoteHeadings(md), "demote_headings", 5)


_local = threading.local()


def _markdown() -> markdown.Markdown:
    # Building a Markdown instance costs more than converting a short body with it:
    # keep one per thread (instances are not thread-safe) and reset it between uses.
    md = getattr(_local, "md", None)
    if md is None:
        md = markdown.Markdown(
            extensions=[
                "fenced_code",
                "tables",
                "sane_lists",
                _DemoteHeadingsExtension(),
            ],
            output_format="html",
        )
        _local.md = md
    return md


@functools.lru_cache(maxsize=8192)
def render_markdown(text: str) -> Markup:
    """Markdown to HTML, sanitised with nh3 (raw HTML, scripts, styles are removed)."""
    if not text:
        return Markup("")
    md = _markdown()
    try:
        html = md.convert(text)
    finally:
        md.reset()
    clean = nh3.clean(html, tags=BODY_TAGS, link_rel="noopener noreferrer nofollow")
    # A link whose unsafe href was removed keeps only rel, which is invalid HTML.
    clean = clean.replace('<a rel="noopener noreferrer nofollow">', "<a>")
    return Markup(clean.strip())
