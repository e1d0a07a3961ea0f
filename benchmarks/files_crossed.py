"""Files of fabric-pilot that ``invoice issue`` crosses from the command to the gRPC call.

Runs ``fabric-pilot --as Org1/User1 invoice issue`` in-process under a profiler hook against a
network folder whose Gateway peer listens nowhere (the profiles the CLI unit tests write) and
stops at the Endorse call into the ``grpc`` package. Records two counts of fabric-pilot source
files: ``stack_files``, the files on the call stack at the gRPC call (the route itself), and
``touched_files``, every file one of whose functions ran on the way (settings, profile
parsing, identity loading, proposal building; module and class bodies run by imports are
not counted).

Run: ``.venv/bin/python benchmarks/files_crossed.py [LABEL]``
"""

from __future__ import annotations

import inspect
import json
import os
import sys
import tempfile
from pathlib import Path
from types import FrameType
from typing import Any

from _record import record

ROOT = Path(__file__).resolve().parent.parent
OURS = ("fabric_pilot_cli", "fabric_pilot_gateway", "fabric_pilot_network")


def _ours(filename: str) -> str | None:
    parts = Path(filename).parts
    for package in OURS:
        if package in parts:
            return "/".join(parts[parts.index(package) :])
    return None


class _Crossing:
    def __init__(self) -> None:
        self.files: list[str] = []
        self.stack: list[str] = []
        self.done = False

    def __call__(self, frame: FrameType, event: str, _arg: Any) -> None:
        if self.done or event != "call" or not frame.f_code.co_flags & inspect.CO_OPTIMIZED:
            return  # module and class bodies run at import time, not on the route
        caller = frame.f_back
        in_grpc = f"{os.sep}grpc{os.sep}" in frame.f_code.co_filename
        if in_grpc and caller is not None and caller.f_code.co_name == "endorse":
            self.done = True
            self.stack = self._stack(caller)
            return
        relative = _ours(frame.f_code.co_filename)
        if relative is not None and relative not in self.files:
            self.files.append(relative)

    @staticmethod
    def _stack(frame: FrameType | None) -> list[str]:
        files: list[str] = []
        while frame is not None:
            relative = _ours(frame.f_code.co_filename)
            if relative is not None and relative not in files:
                files.append(relative)
            frame = frame.f_back
        return files[::-1]


def main() -> None:
    sys.path.insert(0, str(ROOT / "tests" / "unit" / "cli"))
    from cli_fakes import write_profiles  # the folder `network up` writes, minus the nodes
    from click.testing import CliRunner

    from fabric_pilot_cli.main import cli

    label = sys.argv[1] if len(sys.argv) > 1 else ""
    with tempfile.TemporaryDirectory() as folder:
        directory = Path(folder) / "net"
        write_profiles(directory)
        for profile in (directory / "profiles").glob("*.json"):
            document = json.loads(profile.read_text())
            for peer in document["peers"].values():
                peer["url"] = "grpc://127.0.0.1:9"  # nothing listens: the call fails fast
            profile.write_text(json.dumps(document))
        invoice = Path(folder) / "invoice.json"
        invoice.write_text(json.dumps({"number": "1", "seller_tax_id": "S"}))
        crossing = _Crossing()
        sys.setprofile(crossing)
        try:
            CliRunner().invoke(
                cli,
                ["--dir", str(directory), "--as", "Org1/User1", "--channel", "tax",
                 "invoice", "issue", str(invoice)],
            )  # fmt: skip
        finally:
            sys.setprofile(None)
    if not crossing.done:
        raise SystemExit("the command never reached the Endorse call")
    print("on the call stack at the gRPC call:", *crossing.stack, sep="\n  ")
    print("touched on the way:", *crossing.files, sep="\n  ")
    figures = {"label": label, "command": "invoice issue", "stack_files": len(crossing.stack),
               "touched_files": len(crossing.files)}  # fmt: skip
    record("files_crossed", figures)


if __name__ == "__main__":
    main()
