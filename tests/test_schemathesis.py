"""Schemathesis over our own OpenAPI document, against the real server process, all checks, token supplied."""

import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.slow
def test_every_operation_passes_all_checks(server, tmp_path):
    """Positive and negative data for every route: no 5xx, only documented statuses, bodies matching the schema."""
    cli = Path(sys.executable).with_name("st")
    base = f"http://127.0.0.1:{server.port}"
    result = subprocess.run(
        [str(cli), "run", f"{base}/v1/openapi.json", "--url", base, "--checks", "all",
         "--header", f"Authorization: Bearer {server.token}", "--max-examples", "30", "--seed", "7",
         "--generation-database", ":memory:", "--no-color", "--request-timeout", "30"],
        capture_output=True, text=True, timeout=600, cwd=tmp_path)
    report = result.stdout[-6000:] + result.stderr[-2000:]
    assert result.returncode == 0, report
