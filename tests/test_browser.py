"""The newcomer's path in a real Chromium: log in, declare, see the public page."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from .conftest import PASSWORD
from .helpers import CHROMIUM
from .helpers import CHROMIUM_ARGS as ARGS

pytestmark = pytest.mark.browser


@pytest.fixture
def live_url(app) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


@pytest.fixture
def page(live_url):
    from playwright.sync_api import sync_playwright

    if not shutil.which("chromium") and not shutil.os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is needed: apt-get install -y chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser.new_page()
        finally:
            browser.close()


def test_login_declare_preview_and_publish(page, live_url):
    from playwright.sync_api import expect

    page.goto(f"{live_url}/admin/")
    page.fill("#email", "lead@example.com")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Open incidents")

    page.click("text=Declare an incident")
    page.fill("#title", "Checkout failing for some card payments")
    page.fill("#current_impact", "Some users cannot complete checkout.")
    page.fill("#current_action", "This is likely due to a bad deploy.")
    # The live preview marks the speculative words while typing.
    expect(page.locator("#field-current_action mark.finding-block")).to_be_visible()
    expect(page.locator("#preview")).to_contain_text(
        "Some users cannot complete checkout."
    )

    page.fill(
        "#current_action", "We are failing over payment traffic to a backup path."
    )
    expect(page.locator("#field-current_action mark")).to_have_count(0)
    page.fill("#user_action", "Retry in 2-3 minutes.")
    page.check("input[name=next_update_in][value='30']")
    page.click("button[value=publish]")
    expect(page.locator(".flash")).to_contain_text("declared")

    page.goto(f"{live_url}/")
    expect(page.locator("main")).to_contain_text("Some users cannot complete checkout.")
    expect(page.locator("main")).to_contain_text("Next update by")
    expect(page.locator("main")).to_contain_text("17:00 UTC")
