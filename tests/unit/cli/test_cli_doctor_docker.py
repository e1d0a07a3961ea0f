"""doctor --docker: engine, compose (v2+ or v1), each image and the docker extra, one by one."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from fabric_pilot_cli import _doctor


def _runner(failing: set[str]):
    def run(argv: Sequence[str]) -> tuple[int, str]:
        joined = " ".join(argv)
        if any(part in joined for part in failing):
            return 1, "Error: nope"
        if "compose" in joined:
            return 0, "5.6.0"
        return 0, "20.10.24"

    return run


def _by_name(checks: list[_doctor.Check]) -> dict[str, _doctor.Check]:
    return {check.check: check for check in checks}


@pytest.fixture
def everything_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_doctor.shutil, "which", lambda name: f"/usr/bin/{name}")


def test_all_present(everything_on_path: None) -> None:
    checks = _by_name(_doctor.check_docker(_runner(set())))
    assert {c.status for c in checks.values()} == {"ok"}
    assert checks["docker compose"].detail == "plugin 5.6.0"
    assert "image hyperledger/fabric-peer:2.5.16" in checks


def test_only_the_compose_plugin_missing_blames_compose_not_the_engine(
    everything_on_path: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        _doctor.shutil, "which", lambda name: None if name == "docker-compose" else name
    )
    checks = _by_name(_doctor.check_docker(_runner({"compose version"})))
    failed = [name for name, check in checks.items() if check.status == "fail"]
    assert failed == ["docker compose"]
    assert "docker-compose v1" in checks["docker compose"].fix


def test_compose_v1_is_accepted(everything_on_path: None) -> None:
    checks = _by_name(_doctor.check_docker(_runner({"docker compose version"})))
    assert checks["docker compose"].status == "ok"
    assert checks["docker compose"].detail.endswith("(v1)")


def test_a_missing_image_is_named_with_how_to_get_it(
    everything_on_path: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FABRIC_PILOT_ORDERER_IMAGE", "example/orderer:9")
    checks = _by_name(_doctor.check_docker(_runner({"example/orderer:9"})))
    failed = [name for name, check in checks.items() if check.status == "fail"]
    assert failed == ["image example/orderer:9"]
    assert "FABRIC_PILOT_ORDERER_IMAGE" in checks["image example/orderer:9"].fix


def test_engine_down_skips_images_and_says_so(everything_on_path: None) -> None:
    checks = _by_name(_doctor.check_docker(_runner({"docker version"})))
    assert checks["docker engine"].status == "fail"
    assert "does not answer" in checks["docker engine"].detail
    assert not [name for name in checks if name.startswith("image ")]


def test_missing_docker_extra(everything_on_path: None, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "docker" else real(name, *a)
    )
    checks = _by_name(_doctor.check_docker(_runner(set())))
    assert checks["docker extra"].status == "fail"
    assert checks["docker extra"].fix == "pip install 'fabric-pilot[docker]'"
