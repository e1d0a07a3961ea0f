"""Where the Fabric binaries, sample configs and the CCaaS builder live, and their versions.

A Fabric home has the layout of Fabric's release archives: ``bin/`` (peer, orderer, ...),
``config/`` (core.yaml, orderer.yaml, configtx.yaml) and ``builders/ccaas/bin/``
(detect, build, release). ``fabric-pilot install`` puts one into the per-user cache (from the
release tarballs, a Go build or files you have) with a manifest of versions and hashes;
``--fabric-bin DIR`` (or ``FABRIC_PILOT_FABRIC_BIN``) points at a ``bin/`` a user already has.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import FabricHomeError

__all__ = [
    "CA_TOOLS",
    "FABRIC_CA_VERSION",
    "FABRIC_COMMIT",
    "FABRIC_TOOLS",
    "FABRIC_VERSION",
    "FabricHome",
    "FabricHomeError",
    "cache_root",
    "resolve_fabric_home",
]

FABRIC_VERSION = "2.5.16"
FABRIC_CA_VERSION = "1.5.21"
FABRIC_COMMIT = "f871cf9"  # the v2.5.16 release commit, as ``peer version`` prints it
FABRIC_TOOLS = (
    "configtxgen",
    "configtxlator",
    "cryptogen",
    "discover",
    "orderer",
    "osnadmin",
    "peer",
)
CCAAS_TOOLS = ("build", "detect", "release")
CA_TOOLS = ("fabric-ca-client", "fabric-ca-server")
_VERSION_LINE = re.compile(r"^\s*Version:\s*v?(\S+)", re.MULTILINE)


@dataclass(frozen=True)
class FabricHome:
    """A Fabric installation: binaries, sample configs, CCaaS builder, optional Fabric CA."""

    bin_dir: Path
    config_dir: Path
    ccaas_builder_dir: Path
    ca_bin_dir: Path | None = None

    def tool(self, name: str) -> str:
        """Absolute path of a Fabric tool such as ``peer``."""
        directory = self.ca_bin_dir if name in CA_TOOLS and self.ca_bin_dir else self.bin_dir
        return str(directory / name)

    def missing(self, with_ca: bool = False) -> list[str]:
        """Files this home lacks; empty when it is complete."""
        wanted = [self.bin_dir / tool for tool in FABRIC_TOOLS]
        wanted += [self.ccaas_builder_dir / "bin" / tool for tool in CCAAS_TOOLS]
        wanted += [self.config_dir / name for name in ("core.yaml", "orderer.yaml")]
        if with_ca:
            ca_dir = self.ca_bin_dir or self.bin_dir
            wanted += [ca_dir / tool for tool in CA_TOOLS]
        return [str(path) for path in wanted if not path.exists()]

    def version(self, tool: str = "peer") -> str:
        """The version a tool reports, e.g. ``2.5.16``.

        Raises:
            FabricHomeError: the tool does not run or prints no version.
        """
        try:
            completed = subprocess.run(
                [self.tool(tool), "version"],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
        except OSError as exc:
            raise FabricHomeError(f"cannot run {self.tool(tool)}: {exc.strerror}") from exc
        match = _VERSION_LINE.search(completed.stdout + completed.stderr)
        if completed.returncode != 0 or not match:
            raise FabricHomeError(f"{self.tool(tool)} version printed no version")
        return match.group(1)

    def check(self, with_ca: bool = False) -> None:
        """Check that this home is complete and is Fabric 2.5.

        Raises:
            FabricHomeError: a file is missing or the peer or orderer is not a 2.5 release.
        """
        missing = self.missing(with_ca)
        if missing:
            raise FabricHomeError(
                f"Fabric binaries incomplete: {missing[0]} is missing"
                " (run 'fabric-pilot install', or set FABRIC_PILOT_FABRIC_BIN=DIR)"
            )
        for tool in ("peer", "orderer"):
            version = self.version(tool)
            if not version.startswith("2.5."):
                raise FabricHomeError(f"{tool} is version {version}; fabric-pilot needs 2.5.x")


def cache_root(environ: Mapping[str, str] | None = None) -> Path:
    """The per-user cache folder (``$XDG_CACHE_HOME/fabric-pilot`` or ``~/.cache/fabric-pilot``)."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "fabric-pilot"


def _home_from_bin(bin_dir: Path, ca_bin_dir: Path | None) -> FabricHome:
    root = bin_dir.parent
    config = root / "config"
    if not (config / "core.yaml").exists() and (root / "sampleconfig" / "core.yaml").exists():
        config = root / "sampleconfig"
    return FabricHome(bin_dir, config, root / "builders" / "ccaas", ca_bin_dir)


def resolve_fabric_home(
    fabric_bin: Path | None = None, environ: Mapping[str, str] | None = None
) -> FabricHome:
    """Find the Fabric home: ``fabric_bin``, else ``FABRIC_PILOT_FABRIC_BIN``, else the cache.

    Fabric CA binaries come from ``FABRIC_PILOT_FABRIC_CA_BIN``, the same ``bin/`` folder, or the
    cache, in that order. The home is not checked here; call :meth:`FabricHome.check`.
    """
    env = os.environ if environ is None else environ
    cache = cache_root(env)
    ca_env = env.get("FABRIC_PILOT_FABRIC_CA_BIN")
    ca_cache = cache / f"fabric-ca-{FABRIC_CA_VERSION}" / "bin"
    chosen = fabric_bin or (
        Path(env["FABRIC_PILOT_FABRIC_BIN"]) if env.get("FABRIC_PILOT_FABRIC_BIN") else None
    )
    bin_dir = (chosen or cache / f"fabric-{FABRIC_VERSION}" / "bin").expanduser().absolute()
    if ca_env:
        ca_dir: Path | None = Path(ca_env).expanduser().absolute()
    elif (bin_dir / "fabric-ca-server").exists():
        ca_dir = bin_dir
    else:
        ca_dir = ca_cache
    return _home_from_bin(bin_dir, ca_dir)
