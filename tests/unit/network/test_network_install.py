"""install.py with a fake Go: tool lists from go.mod, reuse of built binaries, one-line errors."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from fabric_pilot_network.commands import Command, CommandError, CommandResult
from fabric_pilot_network.fabric_home import CA_TOOLS, FABRIC_TOOLS
from fabric_pilot_network.install import (
    FABRIC_BIN_HINT,
    GO_MISSING,
    InstallError,
    ca_tools,
    fabric_tools,
    go_error_line,
    gotools_dir,
    install_fabric,
    pinned_modules,
)

FABRIC_PSEUDO = "v1.4.0-rc1.0.20260617221605-f871cf92a026"
REFUSED = (
    "go: downloading github.com/hyperledger/fabric-ca v1.5.21\n"
    "github.com/hyperledger/fabric-ca@v1.5.21: reading https://module-proxy.example/"
    "github.com/hyperledger/fabric-ca/@v/v1.5.21.zip: 403 Forbidden\n"
    "\tserver response: This module version is not available.\n"
)


class FakeGo:
    """Answers go env / mod download / version -m / build like the go tool would."""

    def __init__(self, module_dir: Path, refuse: str | None = None) -> None:
        self.module_dir = module_dir
        self.refuse = refuse
        self.built: dict[str, tuple[str, str]] = {}
        self.commands: list[Command] = []
        self.build_failure: str | None = None

    def __call__(self, command: Command) -> CommandResult:
        self.commands.append(command)
        args = command.argv[1:]
        handlers: dict[str, Callable[[Command], CommandResult]] = {
            "env": lambda _c: CommandResult(0, "go1.26.8\n", ""),
            "mod": self.download,
            "version": self.version,
            "build": self.build,
        }
        return handlers[args[0]](command)

    def download(self, command: Command) -> CommandResult:
        module, version = command.argv[-1].split("@")
        if self.refuse and module == self.refuse:
            error = f"{module}@{version}: reading https://module-proxy.example/{module}/@v/{version}.info"
            error += ": 403 Forbidden\n\tserver response: This module version is not available."
            return CommandResult(1, json.dumps({"Path": module, "Error": error}), "")
        return CommandResult(0, json.dumps({"Path": module, "Dir": str(self.module_dir)}), "")

    def version(self, command: Command) -> CommandResult:
        binary = command.argv[-1]
        if binary not in self.built:
            raise CommandError(command, CommandResult(1, "", f"{binary}: not a Go binary"))
        module, version = self.built[binary]
        text = f"{binary}: go1.26.8\n\tpath\t{module}/cmd/x\n\tmod\t{module}\t{version}\th1:x=\n"
        return CommandResult(0, text, "")

    def build(self, command: Command) -> CommandResult:
        package = command.argv[-1]
        if self.build_failure:
            return CommandResult(1, "", self.build_failure)
        if self.refuse and package.startswith(self.refuse + "/"):
            return CommandResult(1, "", REFUSED)
        output_dir = Path(command.argv[command.argv.index("-o") + 1])
        binary = output_dir / package.rsplit("/", 1)[-1]
        binary.write_text("binary")
        module = next(
            t.module for t in [*fabric_tools(ROOT), *ca_tools(ROOT)] if t.package == package
        )
        pinned = {**_pins("fabric"), **_pins("fabric_ca")}
        self.built[str(binary)] = (module, pinned[module])
        return CommandResult(0, "", "")

    def builds(self) -> list[str]:
        return [c.argv[-1].rsplit("/", 1)[-1] for c in self.commands if c.argv[1] == "build"]


ROOT = Path("/nonexistent-cache")


def _pins(name: str) -> dict[str, str]:
    return pinned_modules((gotools_dir() / name / "go.mod").read_text())


@pytest.fixture
def module_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "modcache" / "fabric"
    (folder / "sampleconfig" / "msp").mkdir(parents=True)
    for name in ("core.yaml", "orderer.yaml", "configtx.yaml"):
        (folder / "sampleconfig" / name).write_text(f"# {name}\n")
        (folder / "sampleconfig" / name).chmod(0o444)
    (folder / "sampleconfig" / "msp" / "config.yaml").write_text("x: 1\n")
    return folder


@pytest.fixture
def go_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "gobin"
    bin_dir.mkdir()
    (bin_dir / "go").write_text("#!/bin/sh\n")
    (bin_dir / "go").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")


def test_pinned_modules_reads_block_and_single_requires() -> None:
    text = "module m\n\nrequire a.b/c v1.2.3\nrequire (\n\tx.y/z v0.1.0 // indirect\n)\n"
    assert pinned_modules(text) == {"a.b/c": "v1.2.3", "x.y/z": "v0.1.0"}


def test_fabric_tools_come_from_the_shipped_go_mod(tmp_path: Path) -> None:
    tools = fabric_tools(tmp_path)
    names = {tool.name for tool in tools}
    assert set(FABRIC_TOOLS) <= names
    ccaas = {tool.name: tool for tool in tools if "ccaas_builder" in tool.package}
    assert set(ccaas) == {"build", "detect", "release"}
    assert all(
        t.output_dir == tmp_path / "fabric-2.5.16/builders/ccaas/bin" for t in ccaas.values()
    )
    assert {t.version for t in tools if t.module == "github.com/hyperledger/fabric"} == {
        FABRIC_PSEUDO
    }
    assert {t.module for t in ccaas.values()} == {"github.com/hyperledger/fabric/ccaas_builder"}
    assert not any(tool.cgo for tool in tools)


def test_ca_tools_use_cgo_and_the_ca_cache_folder(tmp_path: Path) -> None:
    tools = ca_tools(tmp_path)
    assert sorted(tool.name for tool in tools) == sorted(CA_TOOLS)
    assert all(tool.cgo and tool.version == "v1.5.21" for tool in tools)
    assert {tool.output_dir for tool in tools} == {tmp_path / "fabric-ca-1.5.21" / "bin"}


def test_go_error_line_joins_continuations_and_skips_downloads() -> None:
    line = go_error_line(REFUSED)
    assert line.startswith("github.com/hyperledger/fabric-ca@v1.5.21: reading https://")
    assert line.endswith("403 Forbidden server response: This module version is not available.")


def test_missing_go_is_one_typed_line(tmp_path: Path) -> None:
    with pytest.raises(InstallError) as caught:
        install_fabric(tmp_path, environ={"PATH": str(tmp_path)})
    assert str(caught.value) == GO_MISSING


@pytest.mark.usefixtures("go_on_path")
def test_old_go_is_refused(tmp_path: Path) -> None:
    def old_go(command: Command) -> CommandResult:
        return CommandResult(0, "go1.21.4\n", "")

    with pytest.raises(InstallError, match=r"Go 1\.24 or newer"):
        install_fabric(tmp_path, runner=old_go)


@pytest.mark.usefixtures("go_on_path")
def test_full_install_builds_everything_then_reuses_it(tmp_path: Path, module_dir: Path) -> None:
    fake = FakeGo(module_dir)
    lines: list[str] = []
    home = install_fabric(tmp_path, lines.append, runner=fake)
    assert sorted(fake.builds()) == sorted([*FABRIC_TOOLS, "build", "detect", "release", *CA_TOOLS])
    assert home.missing(with_ca=True) == []
    assert (home.config_dir / "msp" / "config.yaml").exists()
    assert os.access(home.config_dir / "core.yaml", os.W_OK)
    assert any(line.startswith("Fabric CA 1.5.21: ready") for line in lines)
    fake.commands.clear()
    install_fabric(tmp_path, runner=fake)
    assert fake.builds() == []


@pytest.mark.usefixtures("go_on_path")
def test_binary_of_another_version_is_rebuilt(tmp_path: Path, module_dir: Path) -> None:
    fake = FakeGo(module_dir)
    home = install_fabric(tmp_path, runner=fake)
    fake.built[str(home.bin_dir / "peer")] = ("github.com/hyperledger/fabric", "v2.5.15")
    fake.commands.clear()
    install_fabric(tmp_path, runner=fake)
    assert fake.builds() == ["peer"]


@pytest.mark.usefixtures("go_on_path")
def test_refused_fabric_module_still_installs_ca(tmp_path: Path, module_dir: Path) -> None:
    fake = FakeGo(module_dir, refuse="github.com/hyperledger/fabric")
    lines: list[str] = []
    with pytest.raises(InstallError) as caught:
        install_fabric(tmp_path, lines.append, runner=fake)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("Fabric 2.5.16 (github.com/hyperledger/fabric): ")
    assert "403 Forbidden server response: This module version is not available." in message
    assert message.endswith(f"({FABRIC_BIN_HINT})")
    assert caught.value.installed == (tmp_path / "fabric-ca-1.5.21" / "bin",)
    assert sorted(fake.builds()) == sorted(CA_TOOLS)
    assert any(line.startswith("Fabric 2.5.16: FAILED") for line in lines)


@pytest.mark.usefixtures("go_on_path")
def test_refused_ca_module_names_it_after_a_good_fabric(tmp_path: Path, module_dir: Path) -> None:
    fake = FakeGo(module_dir, refuse="github.com/hyperledger/fabric-ca")
    with pytest.raises(InstallError) as caught:
        install_fabric(tmp_path, runner=fake)
    message = str(caught.value)
    assert message.startswith(
        "Fabric CA 1.5.21 (github.com/hyperledger/fabric-ca) (building fabric"
    )
    assert "github.com/hyperledger/fabric-ca@v1.5.21: reading" in message
    assert caught.value.installed == (tmp_path / "fabric-2.5.16",)


@pytest.mark.usefixtures("go_on_path")
def test_go_commands_use_mod_mod_and_cgo_per_part(tmp_path: Path, module_dir: Path) -> None:
    fake = FakeGo(module_dir)
    install_fabric(tmp_path, runner=fake)
    builds = [c for c in fake.commands if c.argv[1] == "build"]
    assert all("-mod=mod" in c.env["GOFLAGS"].split() for c in builds)
    assert all("-trimpath" in c.argv for c in builds)
    cgo = {c.argv[-1].rsplit("/", 1)[-1]: c.env["CGO_ENABLED"] for c in builds}
    assert cgo["peer"] == "0" and cgo["fabric-ca-server"] == "1"
    assert {c.cwd for c in builds} == {tmp_path / "gotools/fabric", tmp_path / "gotools/fabric_ca"}


@pytest.mark.usefixtures("go_on_path")
def test_compile_error_is_the_last_go_line(tmp_path: Path, module_dir: Path) -> None:
    fake = FakeGo(module_dir)
    fake.build_failure = "# pkg\n./x.go:3:1: syntax error: unexpected }\n"
    with pytest.raises(InstallError) as caught:
        install_fabric(tmp_path, runner=fake)
    assert str(caught.value).startswith(
        "Fabric 2.5.16 (github.com/hyperledger/fabric) (building configtxgen): ./x.go:3:1: syntax"
    )


@pytest.mark.usefixtures("go_on_path")
def test_everything_built_needs_no_module_download(tmp_path: Path, module_dir: Path) -> None:
    fake = FakeGo(module_dir)
    install_fabric(tmp_path, runner=fake)
    fake.refuse = "github.com/hyperledger/fabric"
    fake.commands.clear()
    home = install_fabric(tmp_path, runner=fake)
    assert home.missing(with_ca=True) == []
    assert [c for c in fake.commands if c.argv[1] in ("mod", "build")] == []


@pytest.mark.usefixtures("go_on_path")
def test_missing_config_is_copied_again(tmp_path: Path, module_dir: Path) -> None:
    fake = FakeGo(module_dir)
    home = install_fabric(tmp_path, runner=fake)
    (home.config_dir / "core.yaml").unlink()
    fake.commands.clear()
    install_fabric(tmp_path, runner=fake)
    assert (home.config_dir / "core.yaml").read_text() == "# core.yaml\n"
    assert fake.builds() == []
