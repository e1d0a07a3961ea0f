"""Exit codes come from error classes: every exported error class is in the table."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
from types import ModuleType

import pytest

import fabric_pilot_cli
import fabric_pilot_gateway
import fabric_pilot_network
from fabric_pilot_cli._errors import EXIT_CODE_OF, EXIT_CODES, CliError, describe, exit_code_of
from fabric_pilot_gateway import errors as sdk
from fabric_pilot_network import errors as manager

PACKAGES = (fabric_pilot_gateway, fabric_pilot_network, fabric_pilot_cli)


def _modules(package: ModuleType) -> list[ModuleType]:
    infos = pkgutil.walk_packages(package.__path__, f"{package.__name__}.")
    names = [info.name for info in infos if not info.name.endswith("__main__")]
    return [package, *(importlib.import_module(name) for name in names)]


def _exported_errors() -> set[type[BaseException]]:
    found: set[type[BaseException]] = set()
    for package in PACKAGES:
        for module in _modules(package):
            for name in getattr(module, "__all__", ()):
                value = getattr(module, name)
                if isinstance(value, type) and issubclass(value, BaseException):
                    found.add(value)
    return found


EXPORTED = sorted(_exported_errors(), key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


def test_the_walk_finds_the_errors_of_each_layer() -> None:
    assert {sdk.EndorseError, sdk.ChaincodeRejectedError, manager.NoNetworkError} <= set(EXPORTED)


@pytest.mark.parametrize("error_class", EXPORTED, ids=lambda cls: cls.__qualname__)
def test_every_exported_error_class_has_its_own_exit_code(error_class: type) -> None:
    if issubclass(error_class, CliError):
        return  # carries its exit code itself
    assert error_class in EXIT_CODE_OF, f"{error_class.__module__}.{error_class.__name__}"
    assert EXIT_CODE_OF[error_class] in EXIT_CODES


@pytest.mark.parametrize(
    ("stage", "code", "text", "exit_code"),
    [
        (sdk.EndorseError, "UNAVAILABLE", "connection refused", 6),
        (sdk.EvaluateError, "DEADLINE_EXCEEDED", "slow", 6),
        (sdk.SubmitError, "UNAVAILABLE", "orderer down", 6),
        (sdk.CommitStatusError, "CANCELLED", "cancelled", 6),
        (sdk.EvaluateError, "UNKNOWN", "error no such block number [9] in index", 3),
        (sdk.EndorseError, "UNKNOWN", "creator org [Org1MSP]: access denied", 4),
        (sdk.EndorseError, "ABORTED", "chaincode response 500, some error", 4),
        (sdk.SubmitError, "ABORTED", "orderer refused", 1),
    ],
)
def test_the_sdk_raises_specific_classes_that_decide_the_exit_code(
    stage: type[sdk.GatewayError], code: str, text: str, exit_code: int
) -> None:
    error = sdk.specific_error(
        stage, "failed", code=code, details=[sdk.ErrorDetail("p", "M", text)]
    )
    assert isinstance(error, stage)
    assert describe(error).exit_code == exit_code


def test_a_subclass_takes_its_nearest_entry() -> None:
    class LocalNetworkError(manager.NoNetworkError):
        pass

    assert exit_code_of(LocalNetworkError("x")) == 6
    assert exit_code_of(manager.NetworkError("no network in x")) == 1


def test_unknown_exceptions_are_exit_1_with_their_class_name() -> None:
    class StrangeError(Exception):
        pass

    assert describe(StrangeError("odd")).message == "StrangeError: odd"
    assert describe(StrangeError("odd")).exit_code == 1


def test_the_error_modules_load_neither_grpc_nor_protobuf() -> None:
    code = (
        "import sys, fabric_pilot_cli._errors, fabric_pilot_gateway, fabric_pilot_network; "
        "heavy = ('grpc', 'google', 'fabric_protos'); "
        "print(','.join(m for m in sys.modules if m.split('.')[0] in heavy))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
