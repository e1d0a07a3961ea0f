"""``install --build`` with the real Go tool against a file GOPROXY of tiny modules the test writes.

The stand-in "fabric" module has Fabric's shape (cmd/<tool>, a metadata package stamped with
-ldflags, sampleconfig/) and a ``replace`` in its go.mod. A replace only counts when the module
is the main module, so the binary's output shows whether it was built inside the module's own
folder, as the real route builds Fabric. Skipped only when ``go`` is not on PATH.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from fabric_pilot_network import install as install_module
from fabric_pilot_network._install_build import GoModuleBuild, find_go, run_builds
from fabric_pilot_network.install import InstallError, InstallRequest, install_fabric

GO = shutil.which("go")
pytestmark = pytest.mark.skipif(GO is None, reason="go is not on PATH (needed for --build)")

FAKE = "example.test/fakefabric"
FAKE_CA = "example.test/fakeca"
LIB = "example.test/lib"
FABRIC_TOOLS = ("configtxgen", "configtxlator", "cryptogen", "discover", "orderer", "osnadmin")
CCAAS = ("build", "detect", "release")

_TOOL_MAIN = """package main

import (
\t"fmt"
\t"os"
\t"path/filepath"

\t"{module}/metadata"
\t"example.test/lib"
)

func main() {{
\tname := filepath.Base(os.Args[0])
\tif len(os.Args) > 1 && (os.Args[1] == "version" || os.Args[1] == "-version") {{
\t\tfmt.Printf("%s:\\n Version: %s\\n Commit SHA: %s\\n",
\t\t\tname, metadata.Version, metadata.CommitSHA)
\t\treturn
\t}}
\tfmt.Println(name, lib.Name)
}}
"""
_METADATA = 'package metadata\n\nvar Version = "latest"\nvar CommitSHA = "development build"\n'


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def _publish(proxy: Path, module: str, version: str, source: Path) -> None:
    """Put one module version into a file GOPROXY (list, .info, .mod, .zip)."""
    folder = proxy / module / "@v"
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "list").open("a") as listing:
        listing.write(version + "\n")
    (folder / f"{version}.info").write_text(
        json.dumps({"Version": version, "Time": "2026-01-01T00:00:00Z"})
    )
    shutil.copyfile(source / "go.mod", folder / f"{version}.mod")
    with zipfile.ZipFile(folder / f"{version}.zip", "w") as archive:
        for path in sorted(source.rglob("*")):
            if path.is_file():
                archive.write(path, f"{module}@{version}/{path.relative_to(source).as_posix()}")


def _go_env(tmp_path: Path, proxy: Path) -> dict[str, str]:
    return {
        **os.environ,
        "GOPROXY": proxy.as_uri(),
        "GOSUMDB": "off",
        "GONOSUMDB": "example.test",
        "GOMODCACHE": str(tmp_path / "modcache"),
        "GOFLAGS": "-modcacherw",
        "GOTOOLCHAIN": "local",
    }


def _lib(tmp_path: Path, proxy: Path) -> None:
    for version, name in (("v1.0.0", "lib 1.0"), ("v1.1.0", "lib 1.1 (main module replace)")):
        source = tmp_path / f"lib-{version}"
        _write(
            source,
            {
                "go.mod": f"module {LIB}\n\ngo 1.22\n",
                "lib.go": f'package lib\n\nconst Name = "{name}"\n',
            },
        )
        _publish(proxy, LIB, version, source)


def _tool_module(tmp_path: Path, proxy: Path, module: str, tools: dict[str, str]) -> None:
    """A module with cmd/<tool> mains, requiring lib v1.0.0 but replacing it with v1.1.0."""
    source = tmp_path / f"src-{module.rsplit('/', 1)[-1]}"
    files = {
        "go.mod": (
            f"module {module}\n\ngo 1.22\n\nrequire {LIB} v1.0.0\n\n"
            f"replace {LIB} v1.0.0 => {LIB} v1.1.0\n"
        ),
        "metadata/metadata.go": _METADATA,
        "sampleconfig/core.yaml": "# core\n",
        "sampleconfig/orderer.yaml": "# orderer\n",
        "sampleconfig/configtx.yaml": "# configtx\n",
    }
    for tool, folder in tools.items():
        files[f"{folder}/{tool}/main.go"] = _TOOL_MAIN.format(module=module)
    _write(source, files)
    env = {**_go_env(tmp_path, proxy), "GOFLAGS": "-modcacherw -mod=mod"}
    subprocess.run([GO, "mod", "tidy"], cwd=source, env=env, check=True, capture_output=True)
    _publish(proxy, module, "v1.0.0", source)


@pytest.fixture
def proxy(tmp_path: Path) -> Path:
    folder = tmp_path / "goproxy"
    _lib(tmp_path, folder)
    fabric_tools = {tool: "cmd" for tool in (*FABRIC_TOOLS, "peer")}
    fabric_tools.update({tool: "ccaas/cmd" for tool in CCAAS})
    _tool_module(tmp_path, folder, FAKE, fabric_tools)
    _tool_module(tmp_path, folder, FAKE_CA, {"fabric-ca-client": "cmd", "fabric-ca-server": "cmd"})
    return folder


def _stamp(module: str, version: str, commit: str) -> str:
    return f"-X {module}/metadata.Version={version} -X {module}/metadata.CommitSHA={commit}"


def _fabric_build(version: str = "2.5.16") -> GoModuleBuild:
    packages = [(f"./cmd/{tool}", "bin") for tool in (*FABRIC_TOOLS, "peer")]
    packages += [(f"./ccaas/cmd/{tool}", "builders/ccaas/bin") for tool in CCAAS]
    return GoModuleBuild(
        FAKE,
        "v1.0.0",
        tuple(packages),
        _stamp(FAKE, version, "f871cf9"),
        config=("core.yaml", "orderer.yaml", "configtx.yaml"),
    )


def _ca_build() -> GoModuleBuild:
    packages = (("./cmd/fabric-ca-client", "bin"), ("./cmd/fabric-ca-server", "bin"))
    return GoModuleBuild(FAKE_CA, "v1.0.0", packages, _stamp(FAKE_CA, "1.5.21", "none"))


def test_build_runs_inside_the_module_as_main_module_and_stamps_the_version(
    tmp_path: Path, proxy: Path
) -> None:
    target = tmp_path / "out"
    env = _go_env(tmp_path, proxy)
    go = find_go(install_module.run_go, env["PATH"])
    lines: list[str] = []
    run_builds([_fabric_build()], target, go, env, progress=lines.append)
    peer = target / "bin" / "peer"
    version = subprocess.run([peer, "version"], capture_output=True, text=True, check=True)
    assert version.stdout == "peer:\n Version: 2.5.16\n Commit SHA: f871cf9\n"
    plain = subprocess.run([peer], capture_output=True, text=True, check=True)
    assert plain.stdout == "peer lib 1.1 (main module replace)\n"
    assert (target / "builders" / "ccaas" / "bin" / "detect").is_file()
    assert (target / "config" / "core.yaml").read_text() == "# core\n"
    assert lines == [
        "  building configtxgen, configtxlator, cryptogen, discover, orderer, osnadmin, peer,"
        f" build, detect, release from {FAKE}"
    ]


def test_build_route_installs_a_verified_home(
    tmp_path: Path, proxy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(install_module, "fabric_builds", lambda: [_fabric_build()])
    monkeypatch.setattr(install_module, "ca_builds", lambda: [_ca_build()])
    cache = tmp_path / "cache"
    home = install_fabric(cache, InstallRequest(build=True), environ=_go_env(tmp_path, proxy))
    home.check(with_ca=True)
    manifest = json.loads((cache / "fabric-2.5.16" / "manifest.json").read_text())
    assert (manifest["route"], manifest["source"]) == ("build", f"{FAKE}@v1.0.0")
    assert home.version("fabric-ca-server") == "1.5.21"


def test_an_unstamped_build_is_refused(
    tmp_path: Path, proxy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(install_module, "fabric_builds", lambda: [_fabric_build("latest")])
    monkeypatch.setattr(install_module, "ca_builds", lambda: [_ca_build()])
    cache = tmp_path / "cache"
    with pytest.raises(InstallError, match=r"^Fabric 2\.5\.16: peer is version latest; ways out"):
        install_fabric(cache, InstallRequest(build=True), environ=_go_env(tmp_path, proxy))
    assert sorted(path.name for path in cache.iterdir()) == [".install.lock"]


def test_a_module_the_proxy_lacks_is_one_short_line(tmp_path: Path, proxy: Path) -> None:
    env = _go_env(tmp_path, proxy)
    go = find_go(install_module.run_go, env["PATH"])
    missing = GoModuleBuild(FAKE, "v0.0.0-20260617221605-f871cf92a026", (("./cmd/peer", "bin"),))
    with pytest.raises(InstallError) as caught:
        run_builds([missing], tmp_path / "out", go, env)
    text = str(caught.value)
    assert text.startswith(f"go could not fetch {FAKE} (")
    assert "20260617221605" not in text and "\n" not in text
    assert len(text) < 220


def test_without_go_the_build_route_says_so(tmp_path: Path) -> None:
    with pytest.raises(InstallError, match=r"^--build needs Go 1\.24 or newer on PATH"):
        install_fabric(tmp_path / "cache", InstallRequest(build=True), environ={"PATH": "/nowhere"})
