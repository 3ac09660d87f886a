"""`pip install .` must work: the wheel carries templates, themes and migrations."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_carries_templates_themes_and_migrations(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("statuspage_comms-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in (
        "statuspage/_data/templates/base.html",
        "statuspage/_data/themes/default/templates/_update.html",
        "statuspage/_data/themes/default/static/style.css",
        "statuspage/_data/migrations/env.py",
        "statuspage/web/static/composer.js",
    ):
        assert expected in names
    assert any(n.startswith("statuspage/_data/migrations/versions/") for n in names)
    metadata = next(n for n in names if n.endswith("METADATA"))
    text = zipfile.ZipFile(wheel).read(metadata).decode()
    assert "Name: statuspage-comms" in text
