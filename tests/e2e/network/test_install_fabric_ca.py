"""``install_fabric`` for real: Fabric CA from the Go module proxy into a temporary cache.

Uses the machine's Go and its shared module and build caches. Fabric itself cannot be fetched
here (the proxy refuses it), so the call must report that and still install Fabric CA.
"""

from __future__ import annotations

import contextlib
import subprocess
from pathlib import Path

from fabric_pilot_network.fabric_home import CA_TOOLS, FABRIC_CA_VERSION
from fabric_pilot_network.install import InstallError, install_fabric


def _built_from(binary: Path) -> str:
    return subprocess.run(
        ["go", "version", "-m", str(binary)], capture_output=True, text=True, check=True
    ).stdout


def test_install_builds_fabric_ca_and_reports_the_fabric_outcome(tmp_path: Path) -> None:
    lines: list[str] = []
    ca_bin = tmp_path / f"fabric-ca-{FABRIC_CA_VERSION}" / "bin"
    try:
        install_fabric(tmp_path, lines.append)
    except InstallError as exc:
        assert "\n" not in str(exc)
        assert str(exc).startswith("Fabric 2.5.16")
        assert exc.installed == (ca_bin,)
    for tool in CA_TOOLS:
        assert f"\tmod\tgithub.com/hyperledger/fabric-ca\tv{FABRIC_CA_VERSION}\t" in _built_from(
            ca_bin / tool
        )
    assert f"Fabric CA {FABRIC_CA_VERSION}: ready in {ca_bin}" in lines
    reused: list[str] = []
    with contextlib.suppress(InstallError):
        install_fabric(tmp_path, reused.append)
    assert [line for line in reused if "building fabric-ca" in line] == []
    assert sum("fabric-ca" in line and "already built" in line for line in reused) == 2
