"""The pytest plugin's skip logic: missing Fabric binaries skip, or fail when required; the
``end-to-end: N run, M skipped`` line counts only ``e2e``-marked tests."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

TESTS = """
import pytest

@pytest.mark.e2e
def test_needs_fabric(fabric_home):
    pass

@pytest.mark.e2e
def test_e2e_without_binaries():
    pass

@pytest.mark.e2e
def test_ca():
    pytest.skip("Fabric CA binaries unavailable: fabric-ca-server is missing")

@pytest.mark.e2e
def test_other_skip():
    pytest.skip("Docker is not running")

def test_plain():
    pass
"""
INI = "[pytest]\nmarkers =\n    e2e: real network\n"


@pytest.fixture
def suite(pytester: pytest.Pytester, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "no-fabric" / "bin"
    empty.mkdir(parents=True)
    monkeypatch.setenv("FABRIC_PILOT_FABRIC_BIN", str(empty))
    monkeypatch.delenv("FABRIC_PILOT_REQUIRE_FABRIC", raising=False)
    pytester.makeini(INI)
    pytester.makepyfile(TESTS)


@pytest.mark.usefixtures("suite")
def test_missing_binaries_skip_with_a_reason_naming_real_switches(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    report = tmp_path / "e2e.txt"
    result = pytester.runpytest("-rs", "--e2e-report", str(report))
    result.assert_outcomes(passed=2, skipped=3)
    result.stdout.fnmatch_lines(["end-to-end: 1 run, 3 skipped"])
    result.stdout.fnmatch_lines(
        [
            "*Fabric 2.5 binaries unavailable: Fabric binaries incomplete:*is missing"
            " (run 'fabric-pilot install', or set FABRIC_PILOT_FABRIC_BIN=DIR);"
            " --require-fabric or FABRIC_PILOT_REQUIRE_FABRIC=1 makes this a failure"
        ]
    )
    assert report.read_text() == "end-to-end: 1 run, 3 skipped\n"


@pytest.mark.usefixtures("suite")
def test_require_fabric_option_turns_those_skips_into_failures(
    pytester: pytest.Pytester,
) -> None:
    result = pytester.runpytest("--require-fabric")
    assert result.ret != 0
    result.assert_outcomes(passed=2, errors=1, failed=1, skipped=1)
    result.stdout.fnmatch_lines(["end-to-end: 3 run, 1 skipped"])


@pytest.mark.usefixtures("suite")
def test_require_fabric_environment_variable(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FABRIC_PILOT_REQUIRE_FABRIC", "1")
    result = pytester.runpytest("-k", "needs_fabric or plain")
    assert result.ret != 0
    result.assert_outcomes(passed=1, errors=1)
