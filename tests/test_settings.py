"""Numeric settings from the environment: a value the service cannot use stops it at start, with
the variable, the value and the rule in plain words, never a traceback."""

import pytest

from service import CANNOT_START, create_app
from service.config import SettingError, settings_from_environment


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        (
            "GWARCHOD_ENGINE_CPU_SECONDS",
            "fast",
            "GWARCHOD_ENGINE_CPU_SECONDS is 'fast', which is not a number",
        ),
        (
            "GWARCHOD_ENGINE_TIMER_CPU_SECONDS",
            "0",
            "GWARCHOD_ENGINE_TIMER_CPU_SECONDS is 0: it must be a number above 0",
        ),
        (
            "GWARCHOD_IDLE_MINUTES",
            "nan",
            "GWARCHOD_IDLE_MINUTES is nan: it must be a number above 0",
        ),
        (
            "GWARCHOD_CASE_ACCESS_HOURS",
            "inf",
            "GWARCHOD_CASE_ACCESS_HOURS is inf: it must be a number above 0",
        ),
        (
            "GWARCHOD_ENGINE_MEMORY_MB",
            "256MB",
            "GWARCHOD_ENGINE_MEMORY_MB is '256MB', which is not a whole number",
        ),
        ("GWARCHOD_ENGINE_MAX_STEPS", "0", "GWARCHOD_ENGINE_MAX_STEPS is 0: it must be 1 or more"),
        ("GWARCHOD_TOKEN_DAYS", "1.5", "GWARCHOD_TOKEN_DAYS is '1.5', which is not a whole number"),
        ("GWARCHOD_PROXIES", "-1", "GWARCHOD_PROXIES is -1: it must be 0 or more"),
        (
            "GWARCHOD_AUDIT_CHECKPOINT_EVERY",
            "often",
            "GWARCHOD_AUDIT_CHECKPOINT_EVERY is 'often', which is not a whole number",
        ),
        ("AUDIT_CHECKPOINT_EVERY", "-7", "AUDIT_CHECKPOINT_EVERY is -7: it must be 0 or more"),
    ],
)
def test_a_value_the_service_cannot_use_is_named_with_its_rule(
    monkeypatch, tmp_path, variable, value, said
):
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingError) as refused:
        settings_from_environment(str(tmp_path))
    assert str(refused.value) == said


def test_the_service_does_not_start_on_one_and_says_why(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("GWARCHOD_ENGINE_MAX_DATA_BYTES", "a megabyte")
    with pytest.raises(SystemExit) as stopped:
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'gwarchod.db'}"})
    assert stopped.value.code == CANNOT_START
    said = capsys.readouterr().err
    assert said == (
        "Gwarchod cannot start: GWARCHOD_ENGINE_MAX_DATA_BYTES is 'a megabyte', which is not "
        "a whole number\n"
    )


def test_unset_or_empty_settings_take_their_defaults_and_good_ones_are_read(monkeypatch, tmp_path):
    for name in ("GWARCHOD_AUDIT_CHECKPOINT_EVERY", "AUDIT_CHECKPOINT_EVERY"):
        monkeypatch.delenv(name, raising=False)
    assert settings_from_environment(str(tmp_path))["AUDIT_CHECKPOINT_EVERY"] == 28

    monkeypatch.setenv("GWARCHOD_PROXIES", "")
    monkeypatch.setenv("GWARCHOD_ENGINE_CPU_SECONDS", " 1.5 ")
    monkeypatch.setenv("AUDIT_CHECKPOINT_EVERY", "0")
    settings = settings_from_environment(str(tmp_path))
    assert settings["PROXIES"] == 0
    assert settings["ENGINE_CPU_SECONDS"] == 1.5
    assert settings["AUDIT_CHECKPOINT_EVERY"] == 0  # no checkpoints at all
    assert settings["ENGINE_MAX_STEPS"] == 10_000

    monkeypatch.setenv("GWARCHOD_AUDIT_CHECKPOINT_EVERY", "14")  # the prefixed name first
    assert settings_from_environment(str(tmp_path))["AUDIT_CHECKPOINT_EVERY"] == 14
