"""``fabric-pilot install``: build Fabric 2.5 and Fabric CA 1.5 from their Go modules.

The pinned versions live in two small Go modules shipped with this package
(``go-tools/fabric/go.mod`` and ``go-tools/fabric_ca/go.mod``, with ``tool`` lines). Each is
copied into the cache and every tool is built with ``go build -trimpath`` from there, into a
Fabric home laid out like Fabric's release archives::

    <cache>/fabric-2.5.16/{bin,config,builders/ccaas/bin}
    <cache>/fabric-ca-1.5.21/bin

A binary is reused when ``go version -m`` shows it was built from the pinned module version.
Both parts are always attempted, so Fabric CA is installed even when Fabric cannot be.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .commands import Command, CommandError, CommandResult, Runner
from .fabric_home import FABRIC_CA_VERSION, FABRIC_VERSION, FabricHome

__all__ = [
    "FABRIC_BIN_HINT",
    "GO_MISSING",
    "GoTool",
    "InstallError",
    "ca_bin_dir",
    "ca_tools",
    "fabric_home_dir",
    "fabric_tools",
    "go_error_line",
    "gotools_dir",
    "install_fabric",
    "pinned_modules",
    "run_go",
]

GO_MISSING = (
    "Go 1.24 or newer is needed to build Fabric: install it (https://go.dev/dl/)"
    " or pass --fabric-bin DIR"
)
FABRIC_BIN_HINT = "--fabric-bin DIR uses Fabric 2.5 binaries you already have"
FABRIC_MODULE = "github.com/hyperledger/fabric"
CA_MODULE = "github.com/hyperledger/fabric-ca"
_REQUIRE = re.compile(r"^\s*(?:require\s+)?(\S+)\s+(v\S+)")
_GO_VERSION = re.compile(r"go(\d+)\.(\d+)")
Progress = Callable[[str], None]


class InstallError(RuntimeError):
    """Go is missing, a module cannot be fetched or a tool does not build (one line).

    Attributes:
        installed: folders that were installed although another part failed.
    """

    def __init__(self, message: str, installed: tuple[Path, ...] = ()) -> None:
        super().__init__(message)
        self.installed = installed


@dataclass(frozen=True)
class GoTool:
    """One binary to build: its Go package, the module it comes from, where it goes."""

    package: str
    module: str
    version: str
    output_dir: Path
    cgo: bool

    @property
    def name(self) -> str:
        """The binary's file name (the package's last element)."""
        return self.package.rsplit("/", 1)[-1]

    @property
    def binary(self) -> Path:
        """Where the built binary lands."""
        return self.output_dir / self.name


def gotools_dir() -> Path:
    """The folder holding the shipped ``go-tools/<name>/go.mod`` modules (not a package)."""
    return Path(__file__).resolve().parent / "go-tools"


def pinned_modules(go_mod: str) -> dict[str, str]:
    """``module -> version`` of every ``require`` in a go.mod text."""
    pinned: dict[str, str] = {}
    in_block = False
    for line in go_mod.splitlines():
        stripped = line.split("//")[0].strip()
        if stripped.startswith("require ("):
            in_block = True
            continue
        if in_block and stripped == ")":
            in_block = False
            continue
        if in_block or stripped.startswith("require "):
            match = _REQUIRE.match(stripped)
            if match:
                pinned[match.group(1)] = match.group(2)
    return pinned


def _tool_packages(go_mod: str) -> list[str]:
    match = re.search(r"^tool\s*\(([^)]*)\)", go_mod, re.MULTILINE)
    if match:
        return [line.strip() for line in match.group(1).splitlines() if line.strip()]
    return re.findall(r"^tool\s+(\S+)", go_mod, re.MULTILINE)


def _module_of(package: str, pinned: Mapping[str, str]) -> str:
    candidates = [module for module in pinned if package.startswith(module + "/")]
    if not candidates:
        raise InstallError(f"{package} belongs to no module required in go.mod")
    return max(candidates, key=len)


def _tools(go_mod: str, route: Callable[[str], Path], cgo: bool) -> list[GoTool]:
    pinned = pinned_modules(go_mod)
    tools = []
    for package in _tool_packages(go_mod):
        module = _module_of(package, pinned)
        tools.append(GoTool(package, module, pinned[module], route(package), cgo))
    return tools


def fabric_home_dir(cache_root: Path) -> Path:
    """``<cache>/fabric-2.5.16``."""
    return cache_root / f"fabric-{FABRIC_VERSION}"


def ca_bin_dir(cache_root: Path) -> Path:
    """``<cache>/fabric-ca-1.5.21/bin``."""
    return cache_root / f"fabric-ca-{FABRIC_CA_VERSION}" / "bin"


def _fabric_go_mod() -> str:
    return (gotools_dir() / "fabric" / "go.mod").read_text(encoding="utf-8")


def fabric_tools(cache_root: Path, go_mod: str | None = None) -> list[GoTool]:
    """The Fabric binaries and CCaaS builder scripts to build (``CGO_ENABLED=0``)."""
    text = go_mod if go_mod is not None else _fabric_go_mod()
    home = fabric_home_dir(cache_root)

    def route(package: str) -> Path:
        return home / ("builders/ccaas/bin" if "/ccaas_builder/" in package else "bin")

    return _tools(text, route, cgo=False)


def ca_tools(cache_root: Path, go_mod: str | None = None) -> list[GoTool]:
    """``fabric-ca-server`` and ``fabric-ca-client`` (``CGO_ENABLED=1`` for SQLite)."""
    text = go_mod if go_mod is not None else (gotools_dir() / "fabric_ca" / "go.mod").read_text()
    target = ca_bin_dir(cache_root)
    return _tools(text, lambda _package: target, cgo=True)


def go_error_line(output: str) -> str:
    """Go's error as one line: the last error with its indented continuation lines joined.

    ``go: downloading ...`` progress lines are skipped.
    """
    entries: list[str] = []
    for line in output.splitlines():
        if not line.strip() or line.startswith("go: downloading"):
            continue
        if line[0] in " \t" and entries:
            entries[-1] += " " + line.strip()
        else:
            entries.append(line.strip())
    return entries[-1] if entries else "go failed without a message"


def run_go(command: Command) -> CommandResult:
    """Run a ``go`` command with this process's environment plus ``command.env`` (no timeout)."""
    completed = subprocess.run(
        command.argv,
        env={**os.environ, **command.env},
        cwd=command.cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    return CommandResult(completed.returncode, completed.stdout, completed.stderr)


class _Go:
    """Runs ``go`` in a working copy of one gotools module; failures become InstallError."""

    def __init__(self, go: str, module_dir: Path, runner: Runner, label: str) -> None:
        self.go = go
        self.module_dir = module_dir
        self.runner = runner
        self.label = label

    def env(self, cgo: bool) -> dict[str, str]:
        flags = " ".join(filter(None, [os.environ.get("GOFLAGS", ""), "-mod=mod"]))
        return {"GOFLAGS": flags, "CGO_ENABLED": "1" if cgo else "0"}

    def run(self, *args: str, cgo: bool = False, what: str = "") -> CommandResult:
        command = Command((self.go, *args), self.env(cgo), self.module_dir)
        try:
            result = self.runner(command)
        except CommandError as exc:
            result = exc.result
        if result.returncode != 0:
            line = go_error_line(result.stderr or result.stdout)
            raise InstallError(f"{self.label}{what}: {line} ({FABRIC_BIN_HINT})")
        return result

    def module_dir_of(self, module: str, version: str) -> Path:
        """Download ``module@version`` and return its folder in the module cache."""
        command = Command(
            (self.go, "mod", "download", "-json", f"{module}@{version}"),
            self.env(False),
            self.module_dir,
        )
        try:
            result = self.runner(command)
        except CommandError as exc:
            result = exc.result
        info = _json_or_empty(result.stdout)
        if result.returncode != 0 or "Dir" not in info:
            reason = str(info.get("Error") or go_error_line(result.stderr or result.stdout))
            raise InstallError(f"{self.label}: {' '.join(reason.split())} ({FABRIC_BIN_HINT})")
        return Path(str(info["Dir"]))

    def built_from(self, binary: Path) -> tuple[str, str] | None:
        """``(module, version)`` recorded in a binary, or None if it is not a Go binary."""
        if not binary.is_file():
            return None
        try:
            output = self.runner(Command((self.go, "version", "-m", str(binary)))).stdout
        except CommandError:
            return None
        for line in output.splitlines():
            fields = line.split()
            if len(fields) >= 3 and fields[0] == "mod":
                return fields[1], fields[2]
        return None


def _json_or_empty(text: str) -> dict[str, object]:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _working_copy(cache_root: Path, name: str) -> Path:
    """Copy ``gotools/<name>`` into the cache so Go never writes into the installed package."""
    target = cache_root / "gotools" / name
    target.mkdir(parents=True, exist_ok=True)
    for source in (gotools_dir() / name).iterdir():
        if source.is_file():
            shutil.copyfile(source, target / source.name)
    return target


def _stale(go: _Go, tools: list[GoTool], progress: Progress) -> list[GoTool]:
    """The tools whose binary is missing or was not built from the pinned module version."""
    stale = []
    for tool in tools:
        if go.built_from(tool.binary) == (tool.module, tool.version):
            progress(f"  {tool.name}: already built from {tool.module} {tool.version}")
        else:
            stale.append(tool)
    return stale


def _build(go: _Go, tools: list[GoTool], progress: Progress) -> None:
    for tool in tools:
        progress(f"  building {tool.name} ({tool.package})")
        tool.output_dir.mkdir(parents=True, exist_ok=True)
        go.run(
            "build",
            "-trimpath",
            "-o",
            f"{tool.output_dir}/",
            tool.package,
            cgo=tool.cgo,
            what=f" (building {tool.name})",
        )


def _copy_sampleconfig(module_dir: Path, config_dir: Path) -> None:
    source = module_dir / "sampleconfig"
    for path in sorted(source.rglob("*")):
        target = config_dir / path.relative_to(source)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        target.chmod(0o644)


def _install_fabric_part(go: str, cache_root: Path, runner: Runner, progress: Progress) -> None:
    label = f"Fabric {FABRIC_VERSION} ({FABRIC_MODULE})"
    fabric_go = _Go(go, _working_copy(cache_root, "fabric"), runner, label)
    stale = _stale(fabric_go, fabric_tools(cache_root), progress)
    config_dir = fabric_home_dir(cache_root) / "config"
    if not stale and (config_dir / "core.yaml").exists():
        return
    modules = {(tool.module, tool.version) for tool in stale}
    if not (config_dir / "core.yaml").exists():
        modules.add((FABRIC_MODULE, pinned_modules(_fabric_go_mod())[FABRIC_MODULE]))
    folders = {}
    for module, version in sorted(modules):
        fabric_go.label = f"Fabric {FABRIC_VERSION} ({module})"
        folders[module] = fabric_go.module_dir_of(module, version)
    fabric_go.label = label
    if FABRIC_MODULE in folders:
        progress(f"  copying sampleconfig into {config_dir}")
        _copy_sampleconfig(folders[FABRIC_MODULE], config_dir)
    _build(fabric_go, stale, progress)


def _install_ca_part(go: str, cache_root: Path, runner: Runner, progress: Progress) -> None:
    label = f"Fabric CA {FABRIC_CA_VERSION} ({CA_MODULE})"
    ca_go = _Go(go, _working_copy(cache_root, "fabric_ca"), runner, label)
    _build(ca_go, _stale(ca_go, ca_tools(cache_root), progress), progress)


def _find_go(runner: Runner, environ: Mapping[str, str]) -> str:
    go = shutil.which("go", path=environ.get("PATH"))
    if go is None:
        raise InstallError(GO_MISSING)
    try:
        result = runner(Command((go, "env", "GOVERSION")))
    except (CommandError, OSError) as exc:
        raise InstallError(GO_MISSING) from exc
    match = _GO_VERSION.search(result.stdout)
    if not match or (int(match.group(1)), int(match.group(2))) < (1, 24):
        raise InstallError(GO_MISSING)
    return go


def install_fabric(
    cache_root: Path,
    progress: Progress = lambda _message: None,
    runner: Runner = run_go,
    environ: Mapping[str, str] | None = None,
) -> FabricHome:
    """Build (or reuse) Fabric and Fabric CA in ``cache_root`` and return the Fabric home.

    Both parts are attempted; each outcome is reported through ``progress``.

    Raises:
        InstallError: Go 1.24+ is not on PATH, or a part failed; the one-line message names
            the module and carries Go's own error line (the Fabric failure when both failed).
    """
    go = _find_go(runner, os.environ if environ is None else environ)
    failures: list[InstallError] = []
    installed: list[Path] = []
    parts = (
        (f"Fabric {FABRIC_VERSION}", _install_fabric_part, fabric_home_dir(cache_root)),
        (f"Fabric CA {FABRIC_CA_VERSION}", _install_ca_part, ca_bin_dir(cache_root)),
    )
    for title, install, target in parts:
        progress(f"{title}: building into {target}")
        try:
            install(go, cache_root, runner, progress)
        except InstallError as exc:
            failures.append(exc)
            progress(f"{title}: FAILED: {exc}")
        else:
            installed.append(target)
            progress(f"{title}: ready in {target}")
    if failures:
        raise InstallError(str(failures[0]), tuple(installed))
    home = fabric_home_dir(cache_root)
    return FabricHome(
        home / "bin", home / "config", home / "builders" / "ccaas", ca_bin_dir(cache_root)
    )
