"""Sandbox and production over HTTPS only; plain HTTP just for an emulator on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalogsync.allegro.targets import require_secure, target_for
from catalogsync.catalog.models import Environment
from catalogsync.config import image_upload_url
from catalogsync.emulator.backend import Backend
from catalogsync.errors import ConfigError
from tests.auth.conftest import Run, catalog


@pytest.mark.parametrize(
    "url",
    [
        "https://api.allegro.pl",
        "https://example.com:8443",
        "http://127.0.0.1:8080",
        "http://localhost:8080",
        "http://[::1]:8080",
    ],
)
def test_https_anywhere_and_http_on_loopback_are_allowed(url: str) -> None:
    require_secure(url, "CATALOGSYNC_API_URL")


@pytest.mark.parametrize(
    "url",
    [
        "http://api.allegro.pl",
        "http://192.168.1.10:8080",
        "http://localhost.example.com",
        "ftp://127.0.0.1",
        "api.allegro.pl",
    ],
)
def test_plain_http_elsewhere_is_refused(url: str) -> None:
    with pytest.raises(ConfigError) as caught:
        require_secure(url, "CATALOGSYNC_API_URL")
    assert "HTTPS only" in str(caught.value)


@pytest.mark.parametrize("environment", [Environment.SANDBOX, Environment.PRODUCTION])
def test_allegro_environments_use_https(environment: Environment) -> None:
    target = target_for(environment, None)
    assert target.api_url.startswith("https://") and target.auth_url.startswith("https://")
    assert target.transport is None and target.issuer == environment.value


def test_an_emulator_on_loopback_may_stand_in(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CATALOGSYNC_API_URL", "http://127.0.0.1:8080")

    target = target_for(Environment.SANDBOX, None)

    assert (target.api_url, target.auth_url) == ("http://127.0.0.1:8080",) * 2
    assert target.issuer is None  # whoever answers there, its tokens' issuer is not known


def test_image_uploads_follow_the_api_override(monkeypatch: pytest.MonkeyPatch) -> None:
    """A served emulator answers `POST /sale/images` too; Allegro's upload host would not."""
    assert image_upload_url(Environment.SANDBOX).startswith("https://upload.allegro.pl.")
    monkeypatch.setenv("CATALOGSYNC_API_URL", "http://127.0.0.1:8080/")

    assert image_upload_url(Environment.SANDBOX) == "http://127.0.0.1:8080/sale/images"
    assert target_for(Environment.PRODUCTION, None).upload_url == "http://127.0.0.1:8080"
    assert image_upload_url(Environment.LOCAL) == "/sale/images"


def test_plan_refuses_plain_http_before_any_call(
    run: Run, tmp_path: Path, backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CATALOGSYNC_API_URL", "http://api.allegro.pl")

    result = run("plan", catalog(tmp_path))

    assert result.exit_code == 1 and "HTTPS only" in result.output
    assert not backend.stats
