from pathlib import Path

import pytest
from typer.testing import CliRunner

from ocop_platform.cli import app
from ocop_shared.auth import Role, decode_token
from ocop_shared.settings import ServiceSettings

runner = CliRunner()


def test_token_command_mints_a_token_with_the_roles_asked_for() -> None:
    result = runner.invoke(
        app, ["token", "--role", "producer", "--producer-id", "prd-1", "--subject", "u1"]
    )
    assert result.exit_code == 0, result.output
    principal = decode_token(result.output.strip().splitlines()[-1], ServiceSettings())
    assert principal.roles == {Role.PRODUCER}
    assert principal.producer_id == "prd-1"


def test_token_command_refuses_unknown_roles() -> None:
    result = runner.invoke(app, ["token", "--role", "emperor"])
    assert result.exit_code != 0


def test_token_command_refuses_when_an_identity_provider_is_configured(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OCOP_JWT_PUBLIC_KEY", "-----BEGIN PUBLIC KEY-----")
    assert runner.invoke(app, ["token", "--role", "admin"]).exit_code != 0


def test_schema_check_passes_on_the_committed_snapshot_and_fails_on_a_changed_one(
    tmp_path: Path,
) -> None:
    assert runner.invoke(app, ["schemas", "check"]).exit_code == 0
    assert runner.invoke(app, ["schemas", "export", "--dir", str(tmp_path)]).exit_code == 0
    (tmp_path / "envelope.json").write_text("{}\n")
    assert runner.invoke(app, ["schemas", "check", "--dir", str(tmp_path)]).exit_code == 1


def test_help_lists_every_command() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("infra", "token", "schemas", "dlq", "run"):
        assert command in result.output


def test_a_signal_swallowed_by_a_library_still_stops_ocop_run() -> None:
    import signal as signals_module

    from ocop_platform.cli.system import _Signals, _StopRequestedError

    signals = _Signals()
    signals.check()  # nothing arrived yet
    try:  # e.g. httpx turning the exception raised mid-write into a transport error
        signals._on_signal(signals_module.SIGTERM, None)
    except _StopRequestedError:
        pass
    with pytest.raises(_StopRequestedError):
        signals.check()
