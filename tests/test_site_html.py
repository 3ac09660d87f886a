"""The built pages are valid HTML (html-validate) and pass axe in a real Chromium."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from statuspage import db
from statuspage.maintenance import add_maintenance

from .helpers import CHROMIUM
from .helpers import CHROMIUM_ARGS as ARGS
from .test_render import T0, populate, run_build, settings

ROOT = Path(__file__).resolve().parents[1]
NOW = T0 + timedelta(hours=1)


@pytest.fixture(scope="session")
def html_validate() -> Path:
    """The html-validate CLI from package.json, installed with npm if missing."""
    cli = ROOT / "node_modules/html-validate/bin/html-validate.mjs"
    if not cli.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("npm is needed to install html-validate (apt-get install npm)")
        subprocess.run(
            [npm, "install", "--no-audit", "--no-fund"], cwd=ROOT, check=True
        )
    return cli


@pytest.fixture
def site_pair(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """The fixture site built with both bundled themes, with maintenance."""
    url = f"sqlite:///{tmp_path / 't.db'}"
    db.upgrade(url)
    populate(url)
    with db.session_scope(url) as s:
        add_maintenance(
            s,
            title="Database upgrade",
            starts=NOW + timedelta(days=1),
            ends=NOW + timedelta(days=1, hours=2),
            components=["Database"],
            body="Reads stay available.",
            now=T0,
        )
        add_maintenance(
            s,
            title="Network work",
            starts=NOW - timedelta(minutes=10),
            ends=NOW + timedelta(minutes=50),
            components=["CDN"],
            now=T0,
        )
    default = run_build(url, tmp_path, out_dir=tmp_path / "default", now=NOW).out_dir
    minimal = run_build(
        url,
        tmp_path,
        out_dir=tmp_path / "minimal",
        now=NOW,
        config=settings(tmp_path, THEME="minimal"),
    ).out_dir
    yield default, minimal
    db.dispose_engine(url)


def test_every_page_is_valid_html(
    html_validate: Path, site_pair: tuple[Path, Path]
) -> None:
    files = sorted(str(p) for site in site_pair for p in site.rglob("*.html"))
    assert len(files) > 30
    done = subprocess.run(
        [
            "node",
            str(html_validate),
            "--config",
            str(ROOT / ".htmlvalidate.json"),
            "--formatter",
            "json",
            *files,
        ],
        capture_output=True,
        text=True,
    )
    results = json.loads(done.stdout or "[]")
    problems = [
        f"{Path(r['filePath']).name}:{m['line']} {m['ruleId']}: {m['message']}"
        for r in results
        for m in r["messages"]
    ]
    assert problems == []
    assert done.returncode == 0, done.stderr


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_pages_pass_axe_in_chromium(site_pair: tuple[Path, Path], scheme: str) -> None:
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is needed: apt-get install -y chromium")
    axe = Axe()
    pages = [
        "index.html",
        "incidents/3.html",
        "history.html",
        "history/2026-10.html",
        "components/5.html",
        "components/5/history/2026-11.html",
        "subscribe.html",
    ]
    found = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(color_scheme=scheme)
            for site in site_pair:
                for path in pages:
                    page.goto((site / path).as_uri())
                    violations = axe.run(page).response["violations"]
                    if violations:
                        found[f"{site.name}/{path}"] = [
                            (v["id"], [n["target"] for n in v["nodes"]][:3])
                            for v in violations
                        ]
            # On a phone-sized screen nothing overflows sideways.
            page.set_viewport_size({"width": 360, "height": 740})
            page.goto((site_pair[0] / "index.html").as_uri())
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 360
            # The small script adds the reader's local time; the UTC text stays.
            assert "UTC" in page.inner_text(".last-updated")
        finally:
            browser.close()
    assert found == {}


@pytest.mark.browser
def test_widget_shows_the_status_on_another_page(
    site_pair: tuple[Path, Path], tmp_path: Path
) -> None:
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    from playwright.sync_api import sync_playwright

    web = tmp_path / "web"
    web.mkdir()
    (web / "site").symlink_to(site_pair[0])
    (web / "shop.html").write_text(
        "<!doctype html><title>Shop</title><p>Our status: "
        '<span data-statuspage-widget></span></p><script src="/site/static/widget.js">'
        "</script>\n"
    )

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(web))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            try:
                page = browser.new_page()
                page.goto(f"http://127.0.0.1:{server.server_port}/shop.html")
                link = page.locator("[data-statuspage-widget] a.statuspage-widget")
                link.filter(has_text="Major System Outage").wait_for()
                assert link.get_attribute("href") == "https://status.example.com"
            finally:
                browser.close()
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
