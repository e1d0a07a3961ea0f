"""Issue 13 item 11: keys 0600, folders 0700, processes started with umask 077."""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

from fabric_pilot_network.commands import Command, run_command
from fabric_pilot_network.file_modes import make_private, world_accessible
from fabric_pilot_network.packaging import ccaas_package, write_package
from fabric_pilot_network.processes import spawn


def test_make_private_removes_group_and_other_access_everywhere(tmp_path: Path) -> None:
    root = tmp_path / "net"
    (root / "crypto" / "msp" / "keystore").mkdir(parents=True)
    key = root / "crypto" / "msp" / "keystore" / "priv_sk"
    key.write_text("key")
    key.chmod(0o644)
    script = root / "run.sh"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    (root / "link").symlink_to(key)
    assert world_accessible(root)
    make_private(root)
    assert world_accessible(root) == []
    assert (root.stat().st_mode & 0o777, key.stat().st_mode & 0o777) == (0o700, 0o600)
    assert script.stat().st_mode & 0o777 == 0o700


def test_packages_holding_the_chaincode_tls_key_are_private(tmp_path: Path) -> None:
    path = write_package(tmp_path / "cc" / "cc_1.0.tar.gz", ccaas_package("cc_1.0", "h:1", None))
    assert path.stat().st_mode & 0o777 == 0o600
    with tarfile.open(path) as outer:
        code = outer.extractfile("code.tar.gz")
        assert code is not None
        with tarfile.open(fileobj=io.BytesIO(code.read())) as inner:
            assert inner.getmember("connection.json").mode == 0o600


def test_tools_and_processes_write_private_files(tmp_path: Path) -> None:
    run_command(Command(("/bin/sh", "-c", f"echo k > {tmp_path / 'tool.key'}")))
    record = spawn(
        "writer", ["/bin/sh", "-c", f"mkdir {tmp_path / 'd'}; echo k > {tmp_path / 'd/x'}"],
        dict(os.environ), tmp_path / "writer.log",
    )  # fmt: skip
    os.waitpid(record.pid, 0)  # our child: reap it
    assert (tmp_path / "tool.key").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "d").stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "d" / "x").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "writer.log").stat().st_mode & 0o777 == 0o600
