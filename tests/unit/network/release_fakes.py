"""Stand-in Fabric releases for the install tests: shell scripts that answer ``version``.

``release_folder`` lays out a release like the official archives (bin/, config/,
builders/ccaas/bin/); ``release_tarball`` packs one; ``ReleaseServer`` serves tarballs on
127.0.0.1 under GitHub's release paths, and can cut a body short or stall in the middle.
"""

from __future__ import annotations

import http.server
import tarfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fabric_pilot_network._install_release import host_platform
from fabric_pilot_network.fabric_home import FABRIC_CA_VERSION, FABRIC_COMMIT, FABRIC_VERSION

FABRIC_BINS = (
    "configtxgen",
    "configtxlator",
    "cryptogen",
    "discover",
    "ledgerutil",
    "orderer",
    "osnadmin",
    "peer",
)
CA_BINS = ("fabric-ca-client", "fabric-ca-server")
_SCRIPT = """#!/bin/sh
case "$1" in
  version|-version) printf '%s:\\n Version: %s\\n{commit} Go version: go1.26\\n' {name} {version};;
  *) echo "{name}: stand-in" ;;
esac
"""


def _stand_in(path: Path, name: str, version: str, commit: str | None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    commit_line = f" Commit SHA: {commit}\\n" if commit else ""
    path.write_text(_SCRIPT.format(name=name, version=version, commit=commit_line))
    path.chmod(0o755)


def release_folder(
    root: Path,
    project: str = "fabric",
    version: str | None = None,
    commit: str | None = FABRIC_COMMIT,
) -> Path:
    """A release folder of stand-ins for ``fabric`` or ``fabric-ca``; returns ``root``."""
    if project == "fabric-ca":
        for name in CA_BINS:
            _stand_in(root / "bin" / name, name, version or FABRIC_CA_VERSION, None)
        return root
    for name in FABRIC_BINS:
        _stand_in(root / "bin" / name, name, version or FABRIC_VERSION, commit)
    for name in ("build", "detect", "release"):
        _stand_in(root / "builders" / "ccaas" / "bin" / name, name, "none", None)
    for name in ("core.yaml", "orderer.yaml", "configtx.yaml"):
        (root / "config").mkdir(parents=True, exist_ok=True)
        (root / "config" / name).write_text(f"# stand-in {name}\n")
    return root


def pack(folder: Path, tarball: Path) -> Path:
    """Pack a release folder as a ``.tar.gz`` with the archives' relative paths."""
    tarball.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(tarball, "w:gz") as tar:
        for path in sorted(folder.rglob("*")):
            tar.add(path, arcname=path.relative_to(folder).as_posix(), recursive=False)
    return tarball


def release_tarball(
    workdir: Path, project: str = "fabric", version: str | None = None, **kwargs: str | None
) -> Path:
    """A stand-in release tarball named like the official asset for this platform."""
    real_version = FABRIC_CA_VERSION if project == "fabric-ca" else FABRIC_VERSION
    folder = release_folder(workdir / f"src-{project}", project, version, **kwargs)
    os_name, arch = host_platform()
    asset = f"hyperledger-{project}-{os_name}-{arch}-{real_version}.tar.gz"
    return pack(folder, workdir / asset)


class ReleaseServer:
    """Serves ``{path: bytes}`` on 127.0.0.1; ``cut`` sends half of a body, ``stall`` hangs."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.cut: set[str] = set()
        self.stall: set[str] = set()
        self.requests: list[str] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append(self.path)
                body = server.files.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.path in server.cut or self.path in server.stall:
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    if self.path in server.stall:
                        time.sleep(30)
                    return
                self.wfile.write(body)

            def log_message(self, *_args: object) -> None:
                return None

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def publish(self, project: str, tarball: Path) -> str:
        """Serve a tarball at GitHub's release path; returns that path."""
        version = FABRIC_CA_VERSION if project == "fabric-ca" else FABRIC_VERSION
        path = f"/hyperledger/{project}/releases/download/v{version}/{tarball.name}"
        self.files[path] = tarball.read_bytes()
        return path


@contextmanager
def serving() -> Iterator[ReleaseServer]:
    """A running ReleaseServer, shut down on exit."""
    server = ReleaseServer()
    thread = threading.Thread(target=server.httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
        thread.join()
