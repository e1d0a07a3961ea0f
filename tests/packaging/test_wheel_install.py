"""The wheels, installed into fresh virtual environments outside the checkout.

fabric-pilot: ``--help``, ``install --from`` (stand-in release tarballs made here), ``samples``
and ``samples --copy`` run from a folder with no checkout, and every data file the commands
need is in the installed package. fabric-pilot-chaincode: imports on its own, without the CLI,
the SDK or the network manager. Dependencies come from pip's configuration and cache.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit" / "network"))

from release_fakes import release_tarball

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
_SKIP = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".fabric-pilot", ".*_cache"
)


def _run(argv: list[str | Path], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(arg) for arg in argv], capture_output=True, text=True, check=False, **kwargs
    )


def _ok(argv: list[str | Path], **kwargs: object) -> subprocess.CompletedProcess[str]:
    result = _run(argv, **kwargs)
    assert result.returncode == 0, f"{argv}: {result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Both wheels, built from a copy of the tree with the build backend's output checked."""
    work = tmp_path_factory.mktemp("build")
    source = work / "src"
    shutil.copytree(ROOT, source, ignore=_SKIP)
    house = work / "wheelhouse"
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    argv: list[str | Path] = [sys.executable, "-m", "pip", "wheel", "-v", "--no-deps"]
    argv += ["--no-build-isolation", "-w", house, source, source / "chaincode"]
    built = _ok(argv, env=env)
    warnings = [line for line in built.stdout.splitlines() if re.search(r"(?i)warn", line)]
    assert warnings == []
    return house


def _venv(where: Path, house: Path, requirement: str) -> Path:
    _ok([sys.executable, "-m", "venv", where])
    _ok(
        [where / "bin" / "python", "-m", "pip", "install", "-q", "--find-links", house, requirement]
    )
    return where / "bin"


def test_the_wheel_works_without_a_checkout(wheelhouse: Path, tmp_path: Path) -> None:
    bin_dir = _venv(tmp_path / "venv", wheelhouse, "fabric-pilot")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FABRIC_PILOT_")}
    env.update(XDG_CACHE_HOME=str(tmp_path / "xdg"), HOME=str(tmp_path / "home"))
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    cli = bin_dir / "fabric-pilot"

    assert "install" in _ok([cli, "--help"], cwd=elsewhere, env=env).stdout
    fabric = release_tarball(tmp_path / "tarballs", "fabric")
    ca = release_tarball(tmp_path / "tarballs", "fabric-ca")
    _ok([cli, "install", "--from", fabric, "--from", ca], cwd=elsewhere, env=env)
    assert (tmp_path / "xdg" / "fabric-pilot" / "fabric-2.5.16" / "manifest.json").is_file()

    shipped = Path(_ok([cli, "samples"], cwd=elsewhere, env=env).stdout.strip())
    assert shipped.is_relative_to(tmp_path / "venv")
    _ok([cli, "samples", "--copy", "samples"], cwd=elsewhere, env=env)
    assert sorted(path.name for path in (elsewhere / "samples").iterdir()) == sorted(
        path.name for path in (ROOT / "network-config" / "samples").iterdir()
    )
    config = shipped.parent
    for name in ("topologies/dev.yaml", "chaincode/tax_invoice.yaml"):
        assert (config / name).is_file(), name
    dockerfile = config.parent / "fabric_pilot_network" / "container" / "chaincode.Dockerfile"
    assert dockerfile.is_file()
    probe = (
        "from fabric_pilot_network._install_build import fabric_builds, ca_builds;"
        "from fabric_pilot_network.topology import load_topology;"
        "print(len(fabric_builds()) + len(ca_builds()), load_topology('pilot').name)"
    )
    assert _ok([bin_dir / "python", "-c", probe], cwd=elsewhere, env=env).stdout == "3 pilot\n"


def test_the_chaincode_distribution_installs_on_its_own(wheelhouse: Path, tmp_path: Path) -> None:
    bin_dir = _venv(tmp_path / "venv", wheelhouse, "fabric-pilot-chaincode")
    probe = (
        "import importlib.util as u;"
        "import fabric_pilot_chaincode, fabric_pilot_contracts.tax_invoice,"
        " fabric_pilot_contracts.energy_metering, fabric_pilot_contracts.court_evidence;"
        "print([m for m in ('fabric_pilot_cli', 'fabric_pilot_gateway', 'fabric_pilot_network',"
        " 'click', 'yaml') if u.find_spec(m)])"
    )
    assert _ok([bin_dir / "python", "-c", probe], cwd=tmp_path).stdout == "[]\n"
    usage = _ok([bin_dir / "python", "-m", "fabric_pilot_chaincode", "--help"], cwd=tmp_path)
    assert "serve" in usage.stdout
