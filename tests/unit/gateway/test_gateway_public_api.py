"""The package's public surface and module boundaries."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import fabric_pilot_gateway
from fabric_pilot_gateway import errors

PACKAGE_DIR = Path(fabric_pilot_gateway.__file__).parent


def test_all_is_sorted_and_resolves() -> None:
    names = fabric_pilot_gateway.__all__
    assert names == sorted(names)
    assert len(names) == len(set(names))
    for name in names:
        assert getattr(fabric_pilot_gateway, name) is not None, name


def _imported_modules(path: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            modules.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module.split(".")[0])
    return modules


def test_only_the_transport_imports_grpc() -> None:
    importers = sorted(
        path.name for path in PACKAGE_DIR.glob("*.py") if "grpc" in _imported_modules(path)
    )
    assert importers == ["_transport.py"]


def test_core_modules_read_no_files_or_environment() -> None:
    edge = {"loaders.py", "profiles.py", "ca_client.py", "checkpointers.py", "bulk.py"}
    for path in PACKAGE_DIR.glob("*.py"):
        if path.name in edge:
            continue
        source = path.read_text()
        for forbidden in (r"\bopen\(", r"os\.environ", r"getenv", r"read_bytes", r"read_text"):
            assert not re.search(forbidden, source), f"{path.name} uses {forbidden}"


def test_error_tree() -> None:
    for stage in (
        errors.EvaluateError,
        errors.EndorseError,
        errors.SubmitError,
        errors.CommitStatusError,
        errors.EventsError,
    ):
        assert issubclass(stage, errors.GatewayError)
    assert not issubclass(errors.CommitError, errors.GatewayError)
    error = errors.EndorseError(
        "boom", code="ABORTED", details=[errors.ErrorDetail("a:1", "M", "bad")], transaction_id="t"
    )
    assert (error.code, error.transaction_id, error.details[0].msp_id) == ("ABORTED", "t", "M")
    assert "a:1 (M): bad" in str(error)
