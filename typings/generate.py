"""Generate the ``.pyi`` stubs of ``fabric_protos`` from the installed package's descriptors.

The ``hyperledger-fabric-protos`` wheel ships generated ``*_pb2.py`` modules (and ``py.typed``)
but no stubs, so mypy sees every message as ``Any``. This script builds a protoc
``CodeGeneratorRequest`` from the ``FileDescriptor`` of every installed ``fabric_protos``
module (no ``.proto`` sources, nothing fetched), renames each Fabric file to its Python
package path (``common/common.proto`` -> ``fabric_protos/common/common.proto``, so the stubs
import ``fabric_protos.common.common_pb2``), and feeds it to mypy-protobuf's ``protoc-gen-mypy``
and ``protoc-gen-mypy_grpc`` plugins. ``google.protobuf`` stubs come from ``types-protobuf``.

Run (mypy-protobuf is in the ``dev`` extra): ``python typings/generate.py`` rewrites
``typings/fabric_protos``; mypy finds it through ``mypy_path = "typings"``. A unit test
regenerates the stubs and fails when the committed ones differ.
"""

from __future__ import annotations

import importlib
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import fabric_protos
from google.protobuf import descriptor_pb2
from google.protobuf.compiler import plugin_pb2
from google.protobuf.descriptor import FileDescriptor

HERE = Path(__file__).resolve().parent
PREFIX = "fabric_protos/"


def _fabric_files() -> list[FileDescriptor]:
    """The FileDescriptor of every installed ``fabric_protos`` ``*_pb2`` module."""
    files = []
    for info in pkgutil.walk_packages(fabric_protos.__path__, "fabric_protos."):
        if info.name.endswith("_pb2"):
            files.append(importlib.import_module(info.name).DESCRIPTOR)
    return files


def _renamed(name: str) -> str:
    return name if name.startswith("google/") else PREFIX + name


def _with_dependencies(files: list[FileDescriptor]) -> list[FileDescriptor]:
    """``files`` and everything they import, dependencies first (protoc's order)."""
    ordered: list[FileDescriptor] = []
    seen: set[str] = set()

    def visit(file: FileDescriptor) -> None:
        if file.name in seen:
            return
        seen.add(file.name)
        for dependency in file.dependencies:
            visit(dependency)
        ordered.append(file)

    for file in files:
        visit(file)
    return ordered


def _request(files: list[FileDescriptor], generate: list[str]) -> bytes:
    request = plugin_pb2.CodeGeneratorRequest(file_to_generate=generate, parameter="quiet")
    for file in _with_dependencies(files):
        proto = descriptor_pb2.FileDescriptorProto()
        file.CopyToProto(proto)
        proto.name = _renamed(proto.name)
        dependencies = [_renamed(name) for name in proto.dependency]
        del proto.dependency[:]
        proto.dependency.extend(dependencies)
        request.proto_file.append(proto)
    return request.SerializeToString()


def _run_plugin(plugin: str, request: bytes) -> list[plugin_pb2.CodeGeneratorResponse.File]:
    executable = Path(sys.executable).parent / plugin
    if not executable.exists():
        raise SystemExit(f"{plugin} not found next to {sys.executable}: pip install mypy-protobuf")
    completed = subprocess.run([str(executable)], input=request, capture_output=True, check=True)
    response = plugin_pb2.CodeGeneratorResponse.FromString(completed.stdout)
    if response.error:
        raise SystemExit(f"{plugin}: {response.error}")
    return list(response.file)


def _fixed(content: str) -> str:
    """A message field called ``collections`` (peer.lifecycle) shadows the ``collections``
    module inside its ``__init__``; refer to ``collections.abc`` by an alias instead."""
    content = content.replace("collections.abc.", "_collections_abc.")
    return content.replace(
        "import collections.abc\n", "from collections import abc as _collections_abc\n", 1
    )


def generate(root: Path) -> int:
    """Write ``root/fabric_protos/**.pyi`` (replacing what was there); return the file count."""
    files = _fabric_files()
    request = _request(files, sorted(_renamed(file.name) for file in files))
    output = root / "fabric_protos"
    shutil.rmtree(output, ignore_errors=True)
    written = 0
    for plugin in ("protoc-gen-mypy", "protoc-gen-mypy_grpc"):
        for generated in _run_plugin(plugin, request):
            target = root / generated.name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(_fixed(generated.content), encoding="utf-8")
            written += 1
    for folder in [output, *(path for path in output.rglob("*") if path.is_dir())]:
        (folder / "__init__.pyi").touch()
    return written


if __name__ == "__main__":
    count = generate(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
    print(f"{count} stub files written")
