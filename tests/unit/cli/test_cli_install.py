"""``install`` and ``samples`` through the CLI, on the real SDK with a temporary cache.

The release tarballs are stand-ins (shell scripts answering ``version``) made by the test.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "network"))

from release_fakes import release_folder, release_tarball, serving


@pytest.fixture(autouse=True)
def temporary_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    for name in ("FABRIC_PILOT_FABRIC_BIN", "FABRIC_PILOT_MIRROR", "FABRIC_PILOT_FABRIC_CA_BIN"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path / "xdg" / "fabric-pilot"


def test_install_from_tarballs_then_reuse(run, tmp_path: Path, temporary_cache: Path) -> None:
    fabric = release_tarball(tmp_path / "work", "fabric")
    ca = release_tarball(tmp_path / "work", "fabric-ca")
    first = run("install", "--from", str(fabric), "--from", str(ca))
    assert first.exit_code == 0, first.output
    assert first.stdout == (
        f"Fabric binaries ready in {temporary_cache} (manifest.json lists versions and SHA-256)\n"
    )
    assert f"Fabric 2.5.16: installing from {fabric}" in first.stderr
    again = run("install")
    assert again.exit_code == 0
    assert "Fabric 2.5.16: verified in" in again.stderr


def test_install_downloads_from_a_mirror_with_a_progress_bar(run, tmp_path: Path) -> None:
    with serving() as server:
        server.publish("fabric", release_tarball(tmp_path / "work", "fabric"))
        server.publish("fabric-ca", release_tarball(tmp_path / "work", "fabric-ca"))
        result = run("install", "--mirror", server.url)
    assert result.exit_code == 0, result.output
    assert "Fabric CA 1.5.21: downloading http://127.0.0.1:" in result.stderr
    # not a terminal: click shows each bar's label only
    assert "\n  Fabric 2.5.16\n" in result.stderr and "\n  Fabric CA 1.5.21\n" in result.stderr


def test_install_failure_is_one_line_with_the_ways_out_and_exit_7(run) -> None:
    result = run("install", "--mirror", "http://127.0.0.1:9")
    assert result.exit_code == 7
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error")]
    assert len(errors) == 1
    assert "cannot download hyperledger-fabric-" in errors[0]
    for way in (
        "--mirror URL",
        "FABRIC_PILOT_MIRROR",
        "--build",
        "--from",
        "FABRIC_PILOT_FABRIC_BIN",
    ):
        assert way in errors[0]
    assert result.stderr.count("cannot download") == 1


def test_install_takes_one_route(run, tmp_path: Path, temporary_cache: Path) -> None:
    result = run("install", "--build", "--from", str(tmp_path))
    assert result.exit_code == 2
    assert "choose one of --build, --from" in result.stderr
    assert not temporary_cache.exists()


def test_install_checks_fabric_bin(run, tmp_path: Path, temporary_cache: Path) -> None:
    good = release_folder(tmp_path / "good", "fabric", version="2.5.9")
    ok = run("install", "--fabric-bin", str(good / "bin"))
    assert ok.exit_code == 0
    assert ok.stdout == f"Fabric 2.5.9 binaries checked in {good / 'bin'}\n"
    old = release_folder(tmp_path / "old", "fabric", version="2.4.9")
    bad = run("install", "--fabric-bin", str(old / "bin"))
    assert bad.exit_code == 7
    assert "peer is version 2.4.9; ways out" in bad.stderr
    assert not temporary_cache.exists()


def test_samples_prints_the_folder(run) -> None:
    result = run("samples")
    assert result.exit_code == 0
    folder = Path(result.stdout.strip())
    assert (folder / "invoice.json").is_file()
    assert (folder / "taxpayer_seller.json").is_file()


def test_samples_copy_refuses_to_overwrite(run, tmp_path: Path) -> None:
    target = tmp_path / "mine"
    copied = run("samples", "--copy", str(target))
    assert copied.exit_code == 0
    assert copied.stdout == f"{target}\n"
    names = sorted(path.name for path in target.iterdir())
    assert "invoice.json" in names and "evidence-EV-2026-0001.warc" in names
    (target / "invoice.json").write_text("my own edits\n")
    (target / "meter.json").unlink()
    again = run("samples", "--copy", str(target))
    assert again.exit_code == 2
    assert (
        f"{target / 'evidence-EV-2026-0001.warc'} already exists; not overwriting" in again.stderr
    )
    assert (target / "invoice.json").read_text() == "my own edits\n"
    assert not (target / "meter.json").exists()
