"""``install --build``: Fabric and Fabric CA from their official Go modules.

Each module is downloaded with ``go mod download -json MODULE@VERSION`` and built inside its own
folder, so its own go.mod and go.sum decide every dependency (the build list the project
released with). The version and commit are stamped with ``-ldflags -X`` as the projects'
Makefiles do, so ``peer version`` prints 2.5.16 and its release commit.

The pinned module versions and the tools to build are read from the ``go-tools/*/go.mod`` pin
files shipped with this package.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ._install_home import InstallError
from .commands import Command, CommandError, CommandResult, Runner
from .fabric_home import FABRIC_CA_VERSION, FABRIC_COMMIT, FABRIC_VERSION

__all__ = [
    "CA_MODULE",
    "FABRIC_MODULE",
    "GoModuleBuild",
    "ca_builds",
    "fabric_builds",
    "find_go",
    "go_error_line",
    "gotools_dir",
    "pinned_modules",
    "run_builds",
    "run_go",
    "short_go_error",
    "tool_packages",
]

FABRIC_MODULE = "github.com/hyperledger/fabric"
CA_MODULE = "github.com/hyperledger/fabric-ca"
GO_MISSING = "--build needs Go 1.24 or newer on PATH (https://go.dev/dl/)"
_FABRIC_METADATA = f"{FABRIC_MODULE}/common/metadata"
_LDFLAGS = {
    FABRIC_MODULE: (
        f"-X {_FABRIC_METADATA}.Version={FABRIC_VERSION}"
        f" -X {_FABRIC_METADATA}.CommitSHA={FABRIC_COMMIT}"
        f" -X {_FABRIC_METADATA}.BaseDockerLabel=org.hyperledger.fabric"
        f" -X {_FABRIC_METADATA}.DockerNamespace=hyperledger"
    ),
    CA_MODULE: f"-X {CA_MODULE}/lib/metadata.Version={FABRIC_CA_VERSION}",
}
_CONFIG_FILES = ("core.yaml", "orderer.yaml", "configtx.yaml")
_REQUIRE = re.compile(r"^\s*(?:require\s+)?(\S+)\s+(v\S+)")
_GO_VERSION = re.compile(r"go(\d+)\.(\d+)")
_PSEUDO_VERSION = re.compile(r"@?v\d+\.\d+\.\d+-[0-9A-Za-z.]*?\d{14}-[0-9a-f]{12}")
_HTTP_STATUS = re.compile(r"\b([45]\d\d [A-Z][A-Za-z ]+)")
Progress = Callable[[str], None]


@dataclass(frozen=True)
class GoModuleBuild:
    """Binaries built inside one downloaded module.

    Attributes:
        packages: ``(package relative to the module, output folder in the part)`` pairs.
        config: files of the module's ``sampleconfig/`` copied into ``config/``.
    """

    module: str
    version: str
    packages: tuple[tuple[str, str], ...]
    ldflags: str = ""
    cgo: bool = False
    config: tuple[str, ...] = ()


def gotools_dir() -> Path:
    """The folder of the shipped pin files (``go-tools/<name>/go.mod``)."""
    return Path(__file__).resolve().parent / "go-tools"


def pinned_modules(go_mod: str) -> dict[str, str]:
    """``module -> version`` of every ``require`` in a go.mod text."""
    pinned: dict[str, str] = {}
    in_block = False
    for line in go_mod.splitlines():
        stripped = line.split("//")[0].strip()
        if stripped.startswith("require ("):
            in_block = True
        elif in_block and stripped == ")":
            in_block = False
        elif in_block or stripped.startswith("require "):
            match = _REQUIRE.match(stripped)
            if match:
                pinned[match.group(1)] = match.group(2)
    return pinned


def tool_packages(go_mod: str) -> list[str]:
    """The packages of the ``tool`` lines of a go.mod text."""
    match = re.search(r"^tool\s*\(([^)]*)\)", go_mod, re.MULTILINE)
    if match:
        return [line.strip() for line in match.group(1).splitlines() if line.strip()]
    return re.findall(r"^tool\s+(\S+)", go_mod, re.MULTILINE)


def _plan(go_mod: str, cgo: bool, config: tuple[str, ...]) -> list[GoModuleBuild]:
    pinned = pinned_modules(go_mod)
    grouped: dict[str, list[tuple[str, str]]] = {}
    for package in tool_packages(go_mod):
        owners = [module for module in pinned if package.startswith(module + "/")]
        if not owners:
            raise InstallError(f"{package} belongs to no module required in the pin file")
        module = max(owners, key=len)
        folder = "builders/ccaas/bin" if module.endswith("/ccaas_builder") else "bin"
        grouped.setdefault(module, []).append(("." + package[len(module) :], folder))
    return [
        GoModuleBuild(
            module,
            pinned[module],
            tuple(packages),
            _LDFLAGS.get(module, ""),
            cgo,
            config if module == FABRIC_MODULE else (),
        )
        for module, packages in grouped.items()
    ]


def fabric_builds(go_mod: str | None = None) -> list[GoModuleBuild]:
    """Fabric's binaries and CCaaS builder (``CGO_ENABLED=0``), from the pin file."""
    text = go_mod or (gotools_dir() / "fabric" / "go.mod").read_text(encoding="utf-8")
    return _plan(text, cgo=False, config=_CONFIG_FILES)


def ca_builds(go_mod: str | None = None) -> list[GoModuleBuild]:
    """``fabric-ca-server`` and ``fabric-ca-client`` (``CGO_ENABLED=1`` for SQLite)."""
    text = go_mod or (gotools_dir() / "fabric_ca" / "go.mod").read_text(encoding="utf-8")
    return _plan(text, cgo=True, config=())


def go_error_line(output: str) -> str:
    """Go's last error as one line (continuation lines joined, download progress skipped)."""
    entries: list[str] = []
    for line in output.splitlines():
        if not line.strip() or line.startswith("go: downloading"):
            continue
        if line[0] in " \t" and entries:
            entries[-1] += " " + line.strip()
        else:
            entries.append(line.strip())
    return entries[-1] if entries else "go failed without a message"


def short_go_error(output: str, limit: int = 160) -> str:
    """Go's error, short: the proxy's HTTP status if there is one, no pseudo-versions."""
    status = _HTTP_STATUS.search(output)
    if status:
        return f"the module proxy answered {status.group(1).strip()}"
    line = " ".join(_PSEUDO_VERSION.sub("", go_error_line(output)).split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


def run_go(command: Command) -> CommandResult:
    """Run a ``go`` command with this process's environment plus ``command.env``."""
    completed = subprocess.run(
        command.argv,
        env={**os.environ, **command.env},
        cwd=command.cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    return CommandResult(completed.returncode, completed.stdout, completed.stderr)


def find_go(runner: Runner, path: str | None) -> str:
    """The ``go`` binary on ``path`` if it is 1.24 or newer.

    Raises:
        InstallError: Go is missing or too old.
    """
    go = shutil.which("go", path=path)
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


def _run(runner: Runner, command: Command) -> CommandResult:
    try:
        return runner(command)
    except CommandError as exc:
        return exc.result


def _go_env(environ: Mapping[str, str], cgo: bool) -> dict[str, str]:
    flags = " ".join(filter(None, [environ.get("GOFLAGS", ""), "-mod=mod"]))
    return {**environ, "GOFLAGS": flags, "GOWORK": "off", "CGO_ENABLED": "1" if cgo else "0"}


def _module_dir(go: str, build: GoModuleBuild, env: Mapping[str, str], runner: Runner) -> Path:
    command = Command(
        (go, "mod", "download", "-json", f"{build.module}@{build.version}"), dict(env), None
    )
    result = _run(runner, command)
    try:
        info = json.loads(result.stdout or "{}")
    except ValueError:
        info = {}
    if result.returncode != 0 or not isinstance(info, dict) or "Dir" not in info:
        detail = str(info.get("Error", "")) if isinstance(info, dict) else ""
        reason = short_go_error(detail or result.stderr or result.stdout)
        raise InstallError(f"go could not fetch {build.module} ({reason})")
    return Path(str(info["Dir"]))


def _build_one(
    go: str, build: GoModuleBuild, target: Path, env: Mapping[str, str], runner: Runner
) -> Path:
    folder = _module_dir(go, build, env, runner)
    for package, output in build.packages:
        (target / output).mkdir(parents=True, exist_ok=True)
        argv = [go, "build", "-trimpath", "-o", f"{target / output}/"]
        if build.ldflags:
            argv += ["-ldflags", build.ldflags]
        result = _run(runner, Command((*argv, package), dict(env), folder))
        if result.returncode != 0:
            reason = short_go_error(result.stderr or result.stdout)
            raise InstallError(f"go build {build.module}/{package[2:]} failed ({reason})")
    for name in build.config:
        (target / "config").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(folder / "sampleconfig" / name, target / "config" / name)
        (target / "config" / name).chmod(0o644)
    return folder


def run_builds(
    builds: Sequence[GoModuleBuild],
    target: Path,
    go: str,
    environ: Mapping[str, str],
    *,
    runner: Runner = run_go,
    progress: Progress = lambda _message: None,
) -> None:
    """Download each module and build its packages into ``target`` (inside the module's folder).

    Raises:
        InstallError: a module cannot be fetched or a package does not build (short reason).
    """
    for build in builds:
        names = ", ".join(package.rsplit("/", 1)[-1] for package, _ in build.packages)
        progress(f"  building {names} from {build.module}")
        env = _go_env(environ, build.cgo)
        _build_one(go, build, target, env, runner)
