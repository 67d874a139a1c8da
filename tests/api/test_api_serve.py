"""``planner serve``: a catalogue or a setting that cannot be used is one located line and exit code 1.

The command starting and serving is shown by ``tests/api/test_api_replicas.py`` (two real
``planner serve`` processes); these are the refusals before any worker starts.
"""

from __future__ import annotations

import os

from planner.cli import main


def test_a_catalogue_with_errors_is_one_located_line(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("PLANNER_OIDC_ISSUER", raising=False)
    (tmp_path / "bad.yaml").write_text("credentials:\n  - id: x\n    title: X\n    provider: nobody\n")
    before = dict(os.environ)
    assert main(["serve", "--catalogue", str(tmp_path), "--open"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("planner serve: ") and "bad.yaml" in err and "Traceback" not in err
    assert dict(os.environ) == before  # a refused start changes nothing (later commands in this process)


def test_an_issuer_without_an_audience_is_refused(capsys, monkeypatch):
    monkeypatch.setenv("PLANNER_OIDC_ISSUER", "https://id.example.org")
    monkeypatch.delenv("PLANNER_OIDC_AUDIENCE", raising=False)
    assert main(["serve"]) == 1
    assert "PLANNER_OIDC_AUDIENCE: required with PLANNER_OIDC_ISSUER" in capsys.readouterr().err


def test_bad_flags_are_usage_errors(capsys):
    assert main(["serve", "--port", "70000"]) == 1
    assert main(["serve", "--workers", "0"]) == 1
    assert main(["serve", "--log-level", "loud"]) == 1
    assert "expected a port number from 0 to 65535" in capsys.readouterr().err


def test_the_settings_say_which_variable_is_wrong():
    import pytest

    from planner.api.settings import Settings, SettingsError

    for env, words in (({"PLANNER_API_OPEN": "maybe"}, "PLANNER_API_OPEN"),
                       ({"PLANNER_API_MAX_SECONDS": "nan"}, "PLANNER_API_MAX_SECONDS"),
                       ({"PLANNER_API_MAX_BODY_MB": "-1"}, "PLANNER_API_MAX_BODY_MB"),
                       ({"PLANNER_API_ANSWERING": "0"}, "PLANNER_API_ANSWERING"),
                       ({"PLANNER_API_ANSWERING": "1.5"}, "PLANNER_API_ANSWERING"),
                       ({"PLANNER_API_ANSWERING": "many"}, "PLANNER_API_ANSWERING")):
        with pytest.raises(SettingsError, match=words):
            Settings.from_env(env)
    assert Settings.from_env({}).open_catalogue
    assert Settings.from_env({}).answering == 1 and Settings.from_env({"PLANNER_API_ANSWERING": "3"}).answering == 3
    closed = Settings.from_env({"PLANNER_OIDC_ISSUER": "https://id.example.org/", "PLANNER_OIDC_AUDIENCE": "api"})
    assert not closed.open_catalogue and closed.issuers == ("https://id.example.org",) and closed.sign_in
