"""Settings: every one documented, and the order in which sources win."""

from __future__ import annotations

from pathlib import Path

import pytest

from statuspage.config import SETTINGS, ConfigError, resolve

DOCS = Path(__file__).resolve().parents[1] / "docs" / "settings.md"


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_every_setting_is_documented(setting):
    assert f"`{setting.name}`" in DOCS.read_text()


def test_defaults_live_under_the_instance_folder(tmp_path):
    values = resolve(tmp_path, environ={})
    assert values["DATABASE_URL"] == f"sqlite:///{tmp_path / 'statuspage.db'}"
    assert values["SITE_DIR"] == str(tmp_path / "site")
    assert values["MAX_UPDATE_INTERVAL"]["SEV-1"] == 30


def test_toml_then_environment_then_overrides(tmp_path):
    toml = tmp_path / "statuspage.toml"
    toml.write_text(
        'page_name = "From TOML"\ntime_zone = "Europe/Berlin"\n'
        '[max_update_interval]\n"SEV-1" = 15\n'
        '[[components]]\nname = "API"\ngroup = "Developers"\n'
    )
    env = {"STATUSPAGE_CONFIG": str(toml), "STATUSPAGE_PAGE_NAME": "From env"}
    values = resolve(tmp_path, environ=env)
    assert values["PAGE_NAME"] == "From env"
    assert values["TIME_ZONE"] == "Europe/Berlin"
    assert values["MAX_UPDATE_INTERVAL"] == {
        "SEV-1": 15,
        "SEV-2": 60,
        "SEV-3": 120,
        "SEV-4": 240,
    }
    assert values["COMPONENTS"] == [{"name": "API", "group": "Developers"}]
    assert (
        resolve(tmp_path, environ=env, overrides={"PAGE_NAME": "x"})["PAGE_NAME"] == "x"
    )


def test_json_environment_values_are_decoded(tmp_path):
    env = {"STATUSPAGE_MAX_UPDATE_INTERVAL": '{"SEV-2": 45}'}
    assert resolve(tmp_path, environ=env)["MAX_UPDATE_INTERVAL"]["SEV-2"] == 45


@pytest.mark.parametrize(
    ("content", "message"),
    [("nonsense = = 1", "not valid TOML"), ("colour = 'red'", "unknown setting")],
)
def test_bad_toml_is_a_clear_error(tmp_path, content, message):
    toml = tmp_path / "statuspage.toml"
    toml.write_text(content)
    with pytest.raises(ConfigError, match=message):
        resolve(tmp_path, environ={"STATUSPAGE_CONFIG": str(toml)})


def test_missing_toml_and_bad_zone_are_clear_errors(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        resolve(tmp_path, environ={"STATUSPAGE_CONFIG": str(tmp_path / "nope.toml")})
    with pytest.raises(ConfigError, match="IANA"):
        resolve(tmp_path, environ={"STATUSPAGE_TIME_ZONE": "Mars/Olympus"})
