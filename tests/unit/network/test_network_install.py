"""install.py offline: release tarballs of stand-in binaries served on 127.0.0.1, --from, reuse.

Every test uses its own cache folder; nothing here touches the per-user cache.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from release_fakes import pack, release_folder, release_tarball, serving

from fabric_pilot_network._install_build import pinned_modules, short_go_error, tool_packages
from fabric_pilot_network._install_home import CA_PART, FABRIC_PART, clean_stale
from fabric_pilot_network._install_release import host_platform
from fabric_pilot_network.install import (
    WAYS_OUT,
    InstallError,
    InstallRequest,
    install_fabric,
    verify_fabric_bin,
)

WAYS = ("--mirror", "--build", "--from", "FABRIC_PILOT_FABRIC_BIN", "FABRIC_PILOT_MIRROR")


def _published(server, workdir: Path, **fabric: str | None) -> dict[str, str]:
    return {
        "fabric": server.publish("fabric", release_tarball(workdir, "fabric", **fabric)),
        "fabric-ca": server.publish("fabric-ca", release_tarball(workdir, "fabric-ca")),
    }


def _nothing_placed(cache: Path) -> None:
    leftovers = sorted(path.name for path in cache.iterdir()) if cache.exists() else []
    assert [name for name in leftovers if name != ".install.lock"] == []


def _assert_one_line_with_ways_out(error: BaseException) -> None:
    text = str(error)
    assert "\n" not in text
    assert text.endswith(WAYS_OUT)
    for way in WAYS:
        assert way in text


def test_download_route_installs_verified_parts_with_manifests(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    seen: list[tuple[str, int, int | None]] = []
    with serving() as server:
        paths = _published(server, tmp_path / "work")
        home = install_fabric(
            cache,
            InstallRequest(mirror=server.url),
            on_bytes=lambda label, done, total: seen.append((label, done, total)),
        )
        assert sorted(server.requests) == sorted(paths.values())
    home.check(with_ca=True)
    assert home.version("peer") == "2.5.16"
    manifest = json.loads((cache / "fabric-2.5.16" / "manifest.json").read_text())
    assert manifest["route"] == "release" and manifest["version"] == "2.5.16"
    assert manifest["source"] == server.url + paths["fabric"]
    assert set(FABRIC_PART.files) <= set(manifest["sha256"])
    assert "bin/ledgerutil" in manifest["sha256"]
    ca_manifest = json.loads((cache / "fabric-ca-1.5.21" / "manifest.json").read_text())
    assert sorted(ca_manifest["sha256"]) == sorted(CA_PART.files)
    sizes = {label: total for label, done, total in seen if done == total}
    assert sizes == {
        "Fabric 2.5.16": len(server.files[paths["fabric"]]),
        "Fabric CA 1.5.21": len(server.files[paths["fabric-ca"]]),
    }
    assert sorted(path.name for path in cache.iterdir()) == [
        ".install.lock",
        "fabric-2.5.16",
        "fabric-ca-1.5.21",
    ]


def test_a_verified_home_is_reused_offline(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    with serving() as server:
        _published(server, tmp_path / "work")
        install_fabric(cache, InstallRequest(mirror=server.url))
    lines: list[str] = []
    # the server is gone: a second install must not need it
    install_fabric(cache, InstallRequest(mirror="http://127.0.0.1:9"), progress=lines.append)
    assert lines == [
        f"Fabric 2.5.16: verified in {cache / 'fabric-2.5.16'}",
        f"Fabric CA 1.5.21: verified in {cache / 'fabric-ca-1.5.21'}",
    ]


def test_a_changed_file_is_noticed_and_the_part_installed_again(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    with serving() as server:
        _published(server, tmp_path / "work")
        install_fabric(cache, InstallRequest(mirror=server.url))
        peer = cache / "fabric-2.5.16" / "bin" / "peer"
        original = peer.read_bytes()
        peer.write_bytes(original + b"# tampered\n")
        lines: list[str] = []
        install_fabric(cache, InstallRequest(mirror=server.url), progress=lines.append)
    assert peer.read_bytes() == original
    assert any("bin/peer changed since it was installed" in line for line in lines)


def test_checksum_mismatch_installs_nothing(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    os_name, arch = host_platform()
    asset = FABRIC_PART.asset(os_name, arch)
    with serving() as server:
        _published(server, tmp_path / "work")
        with pytest.raises(InstallError) as caught:
            install_fabric(cache, InstallRequest(mirror=server.url), pinned={asset: "ab" * 32})
    assert f"{asset}: SHA-256" in str(caught.value)
    assert "is not the pinned abababababababab" in str(caught.value)
    _assert_one_line_with_ways_out(caught.value)
    _nothing_placed(cache)


def test_a_matching_pinned_checksum_is_accepted(tmp_path: Path) -> None:
    import hashlib

    cache = tmp_path / "cache"
    with serving() as server:
        paths = _published(server, tmp_path / "work")
        body = server.files[paths["fabric"]]
        asset = paths["fabric"].rsplit("/", 1)[-1]
        pinned = {asset: hashlib.sha256(body).hexdigest()}
        install_fabric(cache, InstallRequest(mirror=server.url), pinned=pinned)
    assert (cache / "fabric-2.5.16" / "manifest.json").is_file()


def test_truncated_download_installs_nothing(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    with serving() as server:
        paths = _published(server, tmp_path / "work")
        server.cut.add(paths["fabric"])
        with pytest.raises(InstallError) as caught:
            install_fabric(cache, InstallRequest(mirror=server.url))
    size = len(server.files[paths["fabric"]])
    assert f"truncated: {size // 2} of {size} bytes" in str(caught.value)
    _assert_one_line_with_ways_out(caught.value)
    _nothing_placed(cache)


def test_a_file_that_is_not_a_tarball_is_refused(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    with serving() as server:
        paths = _published(server, tmp_path / "work")
        server.files[paths["fabric"]] = b"<html>proxy login page</html>"
        with pytest.raises(InstallError, match=r"is not a complete tar\.gz archive"):
            install_fabric(cache, InstallRequest(mirror=server.url))
    _nothing_placed(cache)


@pytest.mark.parametrize(
    ("fabric", "expected"),
    [
        ({"version": "2.5.15"}, "Fabric 2.5.16: peer is version 2.5.15"),
        ({"commit": "0123abc"}, "Fabric 2.5.16: peer reports 0123abc, not release commit f871cf9"),
        ({"commit": None}, "Fabric 2.5.16: peer reports no commit, not release commit f871cf9"),
    ],
)
def test_wrong_version_or_commit_installs_nothing(
    tmp_path: Path, fabric: dict[str, str | None], expected: str
) -> None:
    cache = tmp_path / "cache"
    with serving() as server:
        _published(server, tmp_path / "work", **fabric)
        with pytest.raises(InstallError) as caught:
            install_fabric(cache, InstallRequest(mirror=server.url))
    assert str(caught.value).startswith(expected)
    _nothing_placed(cache)


def test_unreachable_mirror_fails_fast_with_the_ways_out(tmp_path: Path) -> None:
    started = time.monotonic()
    with pytest.raises(InstallError) as caught:
        install_fabric(tmp_path / "cache", InstallRequest(mirror="http://127.0.0.1:9"))
    assert time.monotonic() - started < 20
    text = str(caught.value)
    assert text.startswith("cannot download hyperledger-fabric-")
    assert "from 127.0.0.1:9: Connection refused" in text
    _assert_one_line_with_ways_out(caught.value)
    assert len(text.split("; ways out", maxsplit=1)[0]) < 120


def test_mirror_comes_from_the_environment(tmp_path: Path) -> None:
    with serving() as server:
        _published(server, tmp_path / "work")
        install_fabric(tmp_path / "cache", environ={"FABRIC_PILOT_MIRROR": server.url})
        assert len(server.requests) == 2


def test_an_interrupted_download_leaves_nothing_half_written(tmp_path: Path) -> None:
    cache = tmp_path / "cache"

    def interrupt(_label: str, done: int, _total: int | None) -> None:
        if done:
            raise KeyboardInterrupt

    with serving() as server:
        _published(server, tmp_path / "work")
        with pytest.raises(KeyboardInterrupt):
            install_fabric(cache, InstallRequest(mirror=server.url), on_bytes=interrupt)
    _nothing_placed(cache)


_KILLED_INSTALL = """
import sys
from pathlib import Path
from fabric_pilot_network.install import InstallRequest, install_fabric
install_fabric(Path(sys.argv[1]), InstallRequest(mirror=sys.argv[2]))
"""


def test_a_killed_install_leaves_no_part_and_the_next_one_cleans_up(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    with serving() as server:
        paths = _published(server, tmp_path / "work")
        server.stall.add(paths["fabric"])
        process = subprocess.Popen(
            [sys.executable, "-c", _KILLED_INSTALL, str(cache), server.url],
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 30
            while not list(cache.glob(".staging-*/*.tar.gz")) and time.monotonic() < deadline:
                time.sleep(0.05)
            os.killpg(process.pid, signal.SIGKILL)
        finally:
            process.wait()
        staged = list(cache.glob(".staging-*"))
        assert staged, "the install was killed before it staged anything"
        assert not (cache / "fabric-2.5.16").exists()
        server.stall.clear()
        install_fabric(cache, InstallRequest(mirror=server.url))
    assert not any(path.exists() for path in staged)
    assert (cache / "fabric-2.5.16" / "manifest.json").is_file()


def test_clean_stale_keeps_the_folders_of_running_installs(tmp_path: Path) -> None:
    alive = tmp_path / f".staging-{os.getppid()}-fabric-x"
    dead = tmp_path / ".staging-999999999-fabric-y"
    retired = tmp_path / ".retired-999999999-fabric-2.5.16"
    user = tmp_path / ".staging-notes"
    for folder in (alive, dead, retired, user):
        folder.mkdir()
    assert clean_stale(tmp_path) == [retired, dead]
    assert alive.exists() and user.exists()


def test_install_from_tarballs_and_folders(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    fabric_tarball = release_tarball(tmp_path / "work", "fabric")
    ca_folder = release_folder(tmp_path / "ca-release", "fabric-ca")
    lines: list[str] = []
    install_fabric(
        cache, InstallRequest(sources=(fabric_tarball, ca_folder / "bin")), progress=lines.append
    )
    assert lines == [
        f"Fabric 2.5.16: installing from {fabric_tarball}",
        f"Fabric CA 1.5.21: installing from {ca_folder / 'bin'}",
    ]
    manifest = json.loads((cache / "fabric-ca-1.5.21" / "manifest.json").read_text())
    assert manifest["route"] == "from"
    assert manifest["source"] == str(ca_folder / "bin")
    assert not (cache / "fabric-2.5.16" / "bin" / "fabric-ca-server").exists()


def test_install_from_one_folder_holding_both_projects(tmp_path: Path) -> None:
    both = release_folder(release_folder(tmp_path / "both", "fabric"), "fabric-ca")
    install_fabric(tmp_path / "cache", InstallRequest(sources=(both,)))
    assert (tmp_path / "cache" / "fabric-ca-1.5.21" / "bin" / "fabric-ca-server").is_file()
    assert not (tmp_path / "cache" / "fabric-2.5.16" / "bin" / "fabric-ca-server").exists()


def test_install_from_sampleconfig_of_a_source_layout(tmp_path: Path) -> None:
    folder = release_folder(tmp_path / "rel", "fabric")
    (folder / "config").rename(folder / "sampleconfig")
    ca = pack(release_folder(tmp_path / "ca", "fabric-ca"), tmp_path / "ca.tar.gz")
    install_fabric(tmp_path / "cache", InstallRequest(sources=(folder, ca)))
    assert (tmp_path / "cache" / "fabric-2.5.16" / "config" / "core.yaml").is_file()


def test_from_without_the_ca_release_names_what_is_missing(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    fabric_tarball = release_tarball(tmp_path / "work", "fabric")
    with pytest.raises(InstallError) as caught:
        install_fabric(cache, InstallRequest(sources=(fabric_tarball,)))
    assert str(caught.value).startswith(f"Fabric CA 1.5.21: not among --from {fabric_tarball}")
    _assert_one_line_with_ways_out(caught.value)


def test_from_a_path_that_does_not_exist(tmp_path: Path) -> None:
    with pytest.raises(InstallError, match=r"^--from /nowhere/x.tar.gz: no such file or folder"):
        install_fabric(tmp_path / "cache", InstallRequest(sources=(Path("/nowhere/x.tar.gz"),)))
    _nothing_placed(tmp_path / "cache")


def test_from_a_release_with_a_missing_binary(tmp_path: Path) -> None:
    folder = release_folder(tmp_path / "rel", "fabric")
    release_folder(folder, "fabric-ca")
    (folder / "bin" / "orderer").unlink()
    with pytest.raises(InstallError, match=f"^Fabric 2.5.16: {folder} has no bin/orderer"):
        install_fabric(tmp_path / "cache", InstallRequest(sources=(folder,)))


def test_a_home_laid_by_hand_is_checked_and_given_a_manifest(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    release_folder(cache / "fabric-2.5.16", "fabric")
    release_folder(cache / "fabric-ca-1.5.21", "fabric-ca")
    lines: list[str] = []
    install_fabric(cache, InstallRequest(mirror="http://127.0.0.1:9"), progress=lines.append)
    assert lines == [
        f"Fabric 2.5.16: checked in {cache / 'fabric-2.5.16'}; manifest written",
        f"Fabric CA 1.5.21: checked in {cache / 'fabric-ca-1.5.21'}; manifest written",
    ]
    manifest = json.loads((cache / "fabric-2.5.16" / "manifest.json").read_text())
    assert manifest["route"] == "adopted"


def test_a_home_laid_by_hand_with_the_wrong_version_is_replaced(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    release_folder(cache / "fabric-2.5.16", "fabric", version="2.4.9")
    with serving() as server:
        _published(server, tmp_path / "work")
        lines: list[str] = []
        install_fabric(cache, InstallRequest(mirror=server.url), progress=lines.append)
    assert lines[0].startswith("Fabric 2.5.16: not usable (Fabric 2.5.16: peer is version 2.4.9)")
    assert json.loads((cache / "fabric-2.5.16" / "manifest.json").read_text())["route"] == (
        "release"
    )


def test_verify_fabric_bin_accepts_any_2_5_release(tmp_path: Path) -> None:
    folder = release_folder(tmp_path / "rel", "fabric", version="2.5.9", commit="abcdef0")
    assert verify_fabric_bin(folder / "bin", environ={}) == "2.5.9"
    old = release_folder(tmp_path / "old", "fabric", version="2.4.9")
    with pytest.raises(InstallError, match=r"^Fabric 2.5.16: peer is version 2.4.9; ways out"):
        verify_fabric_bin(old / "bin", environ={})


def test_pin_files_name_the_release_modules_and_tools() -> None:
    from fabric_pilot_network._install_build import ca_builds, fabric_builds

    fabric = {build.module: build for build in fabric_builds()}
    assert sorted(fabric) == [
        "github.com/hyperledger/fabric",
        "github.com/hyperledger/fabric/ccaas_builder",
    ]
    assert fabric["github.com/hyperledger/fabric"].version.endswith("-f871cf92a026")
    assert ("./cmd/peer", "bin") in fabric["github.com/hyperledger/fabric"].packages
    assert "metadata.Version=2.5.16" in fabric["github.com/hyperledger/fabric"].ldflags
    assert "metadata.CommitSHA=f871cf9" in fabric["github.com/hyperledger/fabric"].ldflags
    assert fabric["github.com/hyperledger/fabric/ccaas_builder"].packages == (
        ("./cmd/build", "builders/ccaas/bin"),
        ("./cmd/detect", "builders/ccaas/bin"),
        ("./cmd/release", "builders/ccaas/bin"),
    )
    (ca,) = ca_builds()
    assert (ca.module, ca.version, ca.cgo) == ("github.com/hyperledger/fabric-ca", "v1.5.21", True)
    assert ca.ldflags == "-X github.com/hyperledger/fabric-ca/lib/metadata.Version=1.5.21"


def test_go_mod_parsing() -> None:
    text = "module x\n\ntool (\n\ta/b/cmd/c\n)\n\nrequire (\n\ta/b v1.0.0 // indirect\n)\n"
    assert pinned_modules(text) == {"a/b": "v1.0.0"}
    assert tool_packages(text) == ["a/b/cmd/c"]
    assert tool_packages("module x\ntool a/b/cmd/d\n") == ["a/b/cmd/d"]


def test_short_go_error_gives_the_proxy_status_and_no_pseudo_version() -> None:
    refused = (
        "go: github.com/hyperledger/fabric@v1.4.0-rc1.0.20260617221605-f871cf92a026: reading"
        " https://proxy.example/github.com/hyperledger/fabric/@v/v1.4.0-rc1.0.20260617221605"
        "-f871cf92a026.info: 403 Forbidden\n\tserver response: not available\n"
    )
    assert short_go_error(refused) == "the module proxy answered 403 Forbidden"
    other = "go: downloading x\nmain.go:3:2: package a/b@v0.0.0-20260617221605-f871cf92a026 is bad"
    assert short_go_error(other) == "main.go:3:2: package a/b is bad"
    assert len(short_go_error("x" * 400)) == 160
