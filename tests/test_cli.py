"""The `statuspage` command: lint, users, tokens, db, build and demo."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from sqlmodel import select

from statuspage.cli import main
from statuspage.models import ApiToken, User


def lint(args: list[str], text: str):
    return CliRunner().invoke(main, ["lint", *args], input=text)


def test_lint_blocks_speculation_with_exit_1():
    result = lint([], "We believe this is caused by a faulty deploy.")
    assert result.exit_code == 1
    assert "blocked" in result.output


def test_lint_passes_clean_text_with_exit_0():
    result = lint([], "Some users may be unable to sign in. We are investigating.")
    assert result.exit_code == 0, result.output


def test_lint_json_shape():
    text = "This is likely due to increased load."
    result = lint(["--json"], text)
    data = json.loads(result.output)
    assert result.exit_code == 1
    assert data["blocked"] is True
    finding = data["findings"][0]
    assert list(finding) == [
        "rule",
        "severity",
        "start",
        "end",
        "text",
        "message",
        "suggestion",
    ]
    assert text[finding["start"] : finding["end"]] == finding["text"]


def test_lint_status_and_confirmed_cause():
    text = "The outage was caused by a failed disk on the primary database server."
    assert lint(["--status", "identified"], text).exit_code == 1
    assert lint(["--status", "identified", "--confirmed-cause"], text).exit_code == 0
    assert lint(["--status", "resolved"], text).exit_code == 0


def test_lint_rejects_unknown_status():
    assert lint(["--status", "fixed"], "x").exit_code == 2


def test_lint_jsonl_one_result_per_line_in_order():
    lines = [
        {
            "text": "We suspect a networking issue.",
            "status": "investigating",
            "cause_confirmed": False,
        },
        {
            "text": "We are investigating reports of failed logins.",
            "status": "investigating",
            "cause_confirmed": False,
        },
        {
            "text": "Root cause: an expired certificate.",
            "status": "identified",
            "cause_confirmed": True,
        },
    ]
    result = lint(["--jsonl"], "".join(json.dumps(x) + "\n" for x in lines))
    out = [json.loads(line) for line in result.output.splitlines()]
    assert [o["blocked"] for o in out] == [True, False, False]
    assert result.exit_code == 1


def test_lint_jsonl_reports_a_bad_line_in_place():
    text = '{"text": "fine"}\nnot json\n{"text": "also fine"}\n'
    result = lint(["--jsonl"], text)
    out = [json.loads(line) for line in result.output.splitlines()]
    assert len(out) == 3
    assert "line 2" in out[1]["error"]
    assert result.exit_code == 2


def test_user_add_and_token_create(runner, session):
    result = runner.invoke(args=["user", "add", "new@example.com", "--name", "New"])
    assert result.exit_code == 0, result.output
    assert "Password (shown once):" in result.output
    assert session.exec(select(User).where(User.email == "new@example.com")).one()
    again = runner.invoke(args=["user", "add", "new@example.com"])
    assert again.exit_code == 1
    assert "already exists" in again.output
    token = runner.invoke(args=["token", "create", "ci-bot"])
    assert token.exit_code == 0
    assert token.output.strip().startswith("sp_")
    row = session.exec(select(ApiToken)).one()
    assert token.output.strip() not in row.token_hash


def test_user_add_refuses_short_password(runner):
    result = runner.invoke(args=["user", "add", "a@example.com", "--password", "short"])
    assert result.exit_code == 1
    assert "12 characters" in result.output


def test_build_writes_the_site(runner, app, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(args=["build", "--out", str(out), "--full"])
    assert result.exit_code == 0, result.output
    assert (out / "index.html").exists()


def test_db_current_reports_behind(tmp_path):
    env = {**os.environ, "STATUSPAGE_INSTANCE_PATH": str(tmp_path / "i")}
    cmd = [sys.executable, "-m", "statuspage", "db", "current"]
    behind = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=tmp_path)
    assert behind.returncode == 1
    assert "statuspage db upgrade" in behind.stderr
    up = subprocess.run(
        [*cmd[:3], "db", "upgrade"],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert up.returncode == 0, up.stderr
    assert (
        subprocess.run(cmd, env=env, cwd=tmp_path, capture_output=True).returncode == 0
    )


def test_demo_sets_everything_up_and_is_rerunnable(tmp_path):
    env = {**os.environ, "STATUSPAGE_INSTANCE_PATH": str(tmp_path / "instance")}
    cmd = [sys.executable, "-m", "statuspage", "demo", "--no-serve"]
    first = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "password (shown once)" in first.stdout
    assert "Opened demo incident #1" in first.stdout
    site = Path(tmp_path / "instance" / "site")
    index = (site / "index.html").read_text()
    assert "Checkout failing for some card payments" in index
    second = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert "shown once" not in second.stdout
    assert "already open" in second.stdout


def test_demo_serves_composer_and_public_site(tmp_path):
    import socket
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "STATUSPAGE_INSTANCE_PATH": str(tmp_path / "instance")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "statuspage", "demo", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        pages = {}
        while time.monotonic() < deadline and len(pages) < 2:
            for path in ("/", "/admin/login"):
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}") as r:
                        pages[path] = r.read().decode()
                except OSError:
                    time.sleep(0.2)
        assert "Checkout failing for some card payments" in pages.get("/", "")
        assert "Log in" in pages.get("/admin/login", "")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
