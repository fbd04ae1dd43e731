"""Settings: every one documented (in the code and in README.md's table), the secret key
refused outside development, and the default database location."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from crampcheck import cli
from crampcheck.settings import DEVELOPMENT_SECRET, Settings

README = Path(__file__).resolve().parents[2] / "README.md"
CRAMPCHECK = Path(sys.executable).with_name("crampcheck")
GOOD_SECRET = "a-random-production-secret-0123456789abcdef"


def settings_table() -> dict[str, list[str]]:
    """README's "## Settings" table: setting name -> its cells, backticks removed."""
    text = README.read_text(encoding="utf-8")
    match = re.search(r"^## Settings\n(.*?)(?=^## )", text, re.MULTILINE | re.DOTALL)
    assert match, 'README.md has no "## Settings" section'
    rows: dict[str, list[str]] = {}
    for line in match.group(1).splitlines():
        if not line.startswith("| `"):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        rows[cells[0].strip("`")] = cells
    assert rows, "the Settings section has no table"
    return rows


def test_every_setting_has_a_description() -> None:
    for name, field in Settings.model_fields.items():
        assert field.description and len(field.description) > 10, f"{name} has no description"


def test_every_setting_is_in_the_readme_table_and_nothing_else() -> None:
    table = settings_table()
    assert set(table) == set(Settings.model_fields)
    for name, field in Settings.model_fields.items():
        _setting, env_var, default, meaning = table[name]
        assert env_var == f"`CRAMPCHECK_{name.upper()}`"
        assert meaning, f"{name} has no meaning in the README"
        if field.default == "":
            assert default.startswith("none"), f"README default of {name} is stale"
        elif isinstance(field.default, str | int) and name != "secret_key":
            assert f"`{field.default}`" in default, f"README default of {name} is stale"


def test_defaults(clean_env: pytest.MonkeyPatch) -> None:
    settings = Settings()
    assert settings.environment == "development"
    assert settings.secret_key.get_secret_value() == DEVELOPMENT_SECRET
    assert (settings.host, settings.port, settings.emergency_number) == ("127.0.0.1", 8000, "911")
    assert settings.max_body_bytes == 65536
    assert settings.clinic_file is None and settings.database_url is None


def test_settings_come_from_the_environment(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    clean_env.setenv("CRAMPCHECK_PORT", "8123")
    clean_env.setenv("CRAMPCHECK_EMERGENCY_NUMBER", "112")
    clean_env.setenv("CRAMPCHECK_DATABASE_URL", "postgresql+psycopg://u@h/db")
    settings = Settings()
    assert (settings.port, settings.emergency_number) == (8123, "112")
    assert settings.effective_database_url == "postgresql+psycopg://u@h/db"


@pytest.mark.parametrize("environment", ["production", "test"])
def test_default_or_short_secret_is_refused_outside_development(
    clean_env: pytest.MonkeyPatch, environment: str
) -> None:
    with pytest.raises(ValidationError, match="CRAMPCHECK_SECRET_KEY must be set") as error:
        Settings(environment=environment)
    assert f"CRAMPCHECK_ENVIRONMENT is {environment}" in str(error.value)
    with pytest.raises(ValidationError, match="at least 32 characters"):
        Settings(environment=environment, secret_key="too-short")
    clean_env.setenv("CRAMPCHECK_ENVIRONMENT", environment)
    with pytest.raises(ValidationError, match="CRAMPCHECK_SECRET_KEY must be set"):
        Settings()
    clean_env.setenv("CRAMPCHECK_SECRET_KEY", GOOD_SECRET)
    assert Settings().secret_key.get_secret_value() == GOOD_SECRET


def test_the_secret_is_never_shown(clean_env: pytest.MonkeyPatch) -> None:
    settings = Settings(environment="production", secret_key=GOOD_SECRET)
    assert GOOD_SECRET not in repr(settings) and GOOD_SECRET not in str(settings)


def test_serve_in_production_without_a_secret_exits_2_with_one_line(
    clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    clean_env.setenv("CRAMPCHECK_ENVIRONMENT", "production")
    clean_env.setenv("COLUMNS", "40")  # a narrow terminal must not wrap the message
    assert cli.main(["serve"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "crampcheck: invalid setting: CRAMPCHECK_SECRET_KEY must be set to a random value of "
        "at least 32 characters when CRAMPCHECK_ENVIRONMENT is production\n"
    )
    assert captured.err in README.read_text(encoding="utf-8"), "the README example is stale"


def test_serve_in_production_without_a_secret_in_a_real_process(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRAMPCHECK_")}
    env.update(CRAMPCHECK_ENVIRONMENT="production", CRAMPCHECK_DATA_DIR=str(tmp_path))
    result = subprocess.run(
        [str(CRAMPCHECK), "serve", "--port", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("crampcheck: invalid setting: CRAMPCHECK_SECRET_KEY")
    assert "Traceback" not in result.stderr
    assert not any(tmp_path.iterdir()), "nothing may be created before the settings are valid"


@pytest.mark.parametrize(
    ("variable", "value", "problem"),
    [
        ("CRAMPCHECK_PORT", "0", "CRAMPCHECK_PORT: "),
        ("CRAMPCHECK_PORT", "http", "CRAMPCHECK_PORT: "),
        ("CRAMPCHECK_EMERGENCY_NUMBER", "call 911", "CRAMPCHECK_EMERGENCY_NUMBER: "),
        ("CRAMPCHECK_ENVIRONMENT", "staging", "CRAMPCHECK_ENVIRONMENT: "),
        ("CRAMPCHECK_MAX_BODY_BYTES", "100000000", "CRAMPCHECK_MAX_BODY_BYTES: "),
    ],
)
def test_invalid_settings_name_the_variable(
    clean_env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    variable: str,
    value: str,
    problem: str,
) -> None:
    clean_env.setenv(variable, value)
    assert cli.main(["serve"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("crampcheck: invalid setting: " + problem)
    assert err.count("\n") == 1


def test_serve_port_option_is_checked_like_the_setting(
    clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["serve", "--port", "70000"]) == 2
    assert capsys.readouterr().err.startswith("crampcheck: invalid setting: CRAMPCHECK_PORT: ")


# ---------------------------------------------------------------- where the database lives


def test_default_database_is_in_the_users_data_folder(
    clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    settings = Settings()
    assert settings.data_dir == home / ".local" / "share" / "crampcheck"
    assert settings.effective_database_url == (
        f"sqlite:///{home / '.local' / 'share' / 'crampcheck' / 'crampcheck.sqlite3'}"
    )


def test_xdg_data_home_and_crampcheck_data_dir_move_it(
    clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    clean_env.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert Settings().data_dir == tmp_path / "xdg" / "crampcheck"
    clean_env.setenv("CRAMPCHECK_DATA_DIR", str(tmp_path / "mine"))
    assert Settings().data_dir == tmp_path / "mine"
    assert Settings().effective_database_url == f"sqlite:///{tmp_path / 'mine'}/crampcheck.sqlite3"
    clean_env.setenv("CRAMPCHECK_DATABASE_URL", f"sqlite:///{tmp_path / 'other.db'}")
    assert Settings().effective_database_url == f"sqlite:///{tmp_path / 'other.db'}"


def test_db_upgrade_uses_the_default_location(
    clean_env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["db", "upgrade"]) == 0
    assert capsys.readouterr().out.startswith("database at migration ")
    assert (tmp_path / "home" / ".local" / "share" / "crampcheck" / "crampcheck.sqlite3").is_file()


def test_the_default_location_is_documented() -> None:
    readme = README.read_text(encoding="utf-8")
    data_dir = settings_table()["data_dir"]
    assert "~/.local/share/crampcheck" in data_dir[2] and "XDG_DATA_HOME" in data_dir[2]
    assert "~/.local/share/crampcheck/crampcheck.sqlite3" in readme
    assert "~/.local/share/crampcheck" in (Settings.model_fields["data_dir"].description or "")
