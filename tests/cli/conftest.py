"""CLI fixtures: the example catalog copied per test (the `run` fixture is in tests/conftest)."""

from __future__ import annotations

from tests.e2e.conftest import catalog_dir as catalog_dir
