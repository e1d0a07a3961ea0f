"""Environment checks for ``fabric-pilot doctor``: each returns a :class:`Check` with a fix."""

from __future__ import annotations

import datetime
import re
import shutil
import socket
import ssl
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "Check",
    "check_clock",
    "check_docker",
    "check_fabric",
    "check_go",
    "check_network_ports",
    "check_ports",
    "check_processes",
    "check_tls",
    "certificate_problems",
]

OK = "ok"
WARN = "warn"
FAIL = "fail"
_GO_VERSION = re.compile(r"go(\d+)\.(\d+)")
_MIN_GO = (1, 24)


@dataclass(frozen=True)
class Check:
    """One check's outcome and, when it did not pass, what to do."""

    check: str
    status: str
    detail: str
    fix: str = ""

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)


def _run(argv: Sequence[str]) -> tuple[int, str]:
    try:
        done = subprocess.run(list(argv), capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return 127, str(exc)
    return done.returncode, (done.stdout + done.stderr).strip()


def check_go(run: Callable[[Sequence[str]], tuple[int, str]] = _run) -> Check:
    """Go 1.24+ on PATH (needed only by ``fabric-pilot install --build``)."""
    fix = "only 'fabric-pilot install --build' needs Go 1.24+ (https://go.dev/dl/)"
    if shutil.which("go") is None:
        return Check("go", WARN, "go is not on PATH", fix)
    code, output = run(["go", "version"])
    match = _GO_VERSION.search(output)
    if code != 0 or not match:
        return Check("go", WARN, f"go version failed: {output[:80]}", fix)
    version = (int(match.group(1)), int(match.group(2)))
    if version < _MIN_GO:
        return Check("go", WARN, f"go {version[0]}.{version[1]} is older than 1.24", fix)
    return Check("go", OK, match.group(0))


def check_fabric(home: Any) -> list[Check]:
    """The Fabric home is complete and is 2.5; Fabric CA tools present (for --ca)."""
    fix = "run 'fabric-pilot install' or pass --fabric-bin DIR"
    try:
        home.check()
    except RuntimeError as exc:
        return [Check("fabric binaries", FAIL, str(exc).splitlines()[0], fix)]
    checks = [Check("fabric binaries", OK, f"peer {home.version('peer')} in {home.bin_dir}")]
    missing_ca = [tool for tool in home.missing(with_ca=True) if "fabric-ca" in tool]
    if missing_ca:
        checks.append(Check("fabric-ca binaries", WARN, f"{missing_ca[0]} is missing",
                            "needed only for 'network up --ca'; " + fix))  # fmt: skip
    else:
        checks.append(Check("fabric-ca binaries", OK, str(home.ca_bin_dir)))
    return checks


START_FIX = "run `fabric-pilot network start` (it starts whatever is down)"


def _busy(ports: Sequence[int]) -> list[int]:
    # The same probe as 'network up' (SO_REUSEADDR): TIME_WAIT leftovers are not "in use".
    from fabric_pilot_network.ports import busy_ports

    return busy_ports(list(ports))


def check_ports(ports: Sequence[int], base_port: int) -> Check:
    """Every port of a planned network can be bound on 127.0.0.1 (as ``network up`` binds)."""
    taken = _busy(ports)
    if taken:
        return Check(
            "ports", FAIL, f"{len(taken)} port(s) in use, first {taken[0]}",
            f"stop what uses them, or use 'network up --base-port {base_port + 1000}'",
        )  # fmt: skip
    return Check("ports", OK, f"{min(ports)}-{max(ports)} free")


def check_processes(statuses: Sequence[Any], directory: Path) -> list[Check]:
    """Every process of the network (nodes, CA and chaincode servers) is running.

    A network with nothing running is one failed check: it is stopped.
    """
    if statuses and not any(status.running for status in statuses):
        return [Check("network", FAIL, f"network is stopped ({directory})", START_FIX)]
    checks = []
    for status in statuses:
        if status.running:
            checks.append(Check(f"{status.kind} {status.name}", OK, f"running (pid {status.pid})"))
        else:
            checks.append(Check(f"{status.kind} {status.name}", FAIL, "down", START_FIX))
    return checks


def check_network_ports(statuses: Sequence[Any]) -> Check:
    """The ports of the network's stopped processes are free for ``network start``.

    Ports of running processes are the network's own and are not probed.
    """
    from fabric_pilot_network.processes import port_holder

    wanted = sorted({port for s in statuses if not s.running for port in s.ports.values()})
    taken = _busy(wanted)
    if taken:
        holder = port_holder(taken[0]) or "another process"
        return Check(
            "ports", FAIL, f"{len(taken)} port(s) of this network in use, first {taken[0]}"
            f" by {holder}", f"stop what holds them, then {START_FIX}",
        )  # fmt: skip
    every = sorted({port for status in statuses for port in status.ports.values()})
    span = f"{every[0]}-{every[-1]}" if every else "none"
    return Check("ports", OK, f"this network's ports ({span}): its own, or free for start")


def certificate_problems(cert_file: Path, ca_file: Path, host: str) -> list[str]:
    """What is wrong with a node's TLS certificate: chain, SANs, validity period."""
    from cryptography import x509

    cert = x509.load_pem_x509_certificate(cert_file.read_bytes())
    ca = x509.load_pem_x509_certificate(ca_file.read_bytes())
    problems = []
    try:
        cert.verify_directly_issued_by(ca)
    except (ValueError, TypeError, Exception) as exc:
        problems.append(f"not issued by {ca_file.name}: {type(exc).__name__}")
    try:
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        sans = {str(value) for value in names.get_values_for_type(x509.DNSName)}
        sans |= {str(value) for value in names.get_values_for_type(x509.IPAddress)}
    except x509.ExtensionNotFound:
        sans = set()
    if host not in sans:
        problems.append(f"SANs {sorted(sans)} lack {host}")
    now = datetime.datetime.now(datetime.UTC)
    if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
        problems.append(f"not valid now ({cert.not_valid_before_utc}..{cert.not_valid_after_utc})")
    return problems


def _handshake(host: str, port: int, ca_file: Path) -> str:
    context = ssl.create_default_context(cafile=str(ca_file))
    try:
        with (
            socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
            context.wrap_socket(raw, server_hostname=host),
        ):
            return ""
    except (OSError, ssl.SSLError) as exc:
        return f"TLS handshake on {port} failed: {exc}"


def check_tls(network: Any) -> list[Check]:
    """TLS chain and SANs of every node's certificate; a live handshake for running nodes."""
    checks = []
    for status in network.status(with_heights=False):
        if status.kind not in ("orderer", "peer"):
            continue
        tls = network.layout.node_dir(status.name) / "tls"
        problems = certificate_problems(tls / "server.crt", tls / "ca.crt", status.name)
        if status.running and not problems:
            failure = _handshake(status.name, status.ports["listen"], tls / "ca.crt")
            problems += [failure] if failure else []
        if problems:
            checks.append(Check(f"tls {status.name}", FAIL, "; ".join(problems),
                                "recreate the network: network down, network up"))  # fmt: skip
        else:
            checks.append(Check(f"tls {status.name}", OK, "chain, SANs and validity ok"))
    return checks


def check_clock(now: datetime.datetime | None = None) -> Check:
    """The clock is plausible (certificates and transaction timestamps depend on it)."""
    current = now or datetime.datetime.now(datetime.UTC)
    if current.year < 2024 or current.year > 2100:
        return Check("clock", FAIL, f"system time is {current.isoformat()}",
                     "set the system clock (e.g. enable NTP)")  # fmt: skip
    return Check("clock", OK, current.strftime("%Y-%m-%dT%H:%M:%SZ"))


_ENGINE_FIX = "install Docker and start the daemon (https://docs.docker.com/engine/install/)"
_COMPOSE_FIX = (
    "install the compose plugin v2+ (https://docs.docker.com/compose/install/linux/)"
    " or docker-compose v1 (e.g. apt-get install docker-compose)"
)
_IMAGE_FIX = {
    "FABRIC_PILOT_PYTHON_IMAGE": "docker pull {ref} (or set FABRIC_PILOT_PYTHON_IMAGE)",
}


def _check_engine(run: Callable[[Sequence[str]], tuple[int, str]]) -> Check:
    if shutil.which("docker") is None:
        return Check("docker engine", FAIL, "the docker CLI is not on PATH", _ENGINE_FIX)
    code, output = run(["docker", "version", "--format", "{{.Server.Version}}"])
    if code == 0:
        return Check("docker engine", OK, f"engine {output}")
    reason = output.splitlines()[-1] if output else "no answer"
    return Check("docker engine", FAIL, f"the engine does not answer: {reason}", _ENGINE_FIX)


def _check_compose(run: Callable[[Sequence[str]], tuple[int, str]]) -> Check:
    if shutil.which("docker") is not None:
        code, output = run(["docker", "compose", "version", "--short"])
        if code == 0:
            return Check("docker compose", OK, f"plugin {output}")
    if shutil.which("docker-compose") is not None:
        code, output = run(["docker-compose", "version", "--short"])
        if code == 0:
            return Check("docker compose", OK, f"docker-compose {output} (v1)")
    return Check(
        "docker compose", FAIL, "neither 'docker compose' nor docker-compose", _COMPOSE_FIX
    )


def _check_images(run: Callable[[Sequence[str]], tuple[int, str]]) -> list[Check]:
    from fabric_pilot_network.compose import image_settings

    checks = []
    for variable, ref in image_settings().items():
        if variable == "FABRIC_PILOT_CA_IMAGE":
            continue  # only for --ca, which the docker runtime does not offer yet
        code, _output = run(["docker", "image", "inspect", "--format", "{{.Id}}", ref])
        fix = _IMAGE_FIX.get(variable, "docker pull {ref} (or set " + variable + ")")
        checks.append(
            Check(f"image {ref}", OK, "present")
            if code == 0
            else Check(f"image {ref}", FAIL, "not in the local engine", fix.format(ref=ref))
        )
    return checks


def _check_docker_extra() -> Check:
    import importlib.util

    spec = importlib.util.find_spec("docker")
    usable = False
    if spec is not None and spec.origin:
        usable = "from_env" in Path(spec.origin).read_text(encoding="utf-8", errors="replace")
    if usable:
        return Check("docker extra", OK, "Docker SDK for Python installed")
    return Check(
        "docker extra", FAIL, "the Docker SDK for Python is not installed",
        "pip install 'fabric-pilot[docker]'",
    )  # fmt: skip


def check_docker(run: Callable[[Sequence[str]], tuple[int, str]] = _run) -> list[Check]:
    """What ``network up --runtime docker`` needs, each on its own: the engine, Compose (the
    v2+ plugin or v1), each image, and the ``docker`` extra (Docker SDK for Python)."""
    engine = _check_engine(run)
    checks = [engine, _check_compose(run)]
    if engine.status == OK:
        checks += _check_images(run)
    return [*checks, _check_docker_extra()]
