"""The committed protobuf stubs are what typings/generate.py makes from the installed protos."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

TYPINGS = Path(__file__).resolve().parents[3] / "typings"


def _generator() -> object:
    spec = importlib.util.spec_from_file_location("generate_stubs", TYPINGS / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _tree(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): path.read_text(encoding="utf-8")
        for path in sorted(root.rglob("*.pyi"))
    }


def test_committed_stubs_match_the_installed_protos(tmp_path: Path) -> None:
    if not (Path(sys.executable).parent / "protoc-gen-mypy").exists():
        pytest.skip("mypy-protobuf is not installed (pip install -e '.[dev]')")
    generate = _generator().generate  # type: ignore[attr-defined]
    generate(tmp_path)
    fresh, committed = _tree(tmp_path / "fabric_protos"), _tree(TYPINGS / "fabric_protos")
    assert sorted(fresh) == sorted(committed)
    stale = [name for name in fresh if fresh[name] != committed[name]]
    assert stale == [], f"regenerate with: python typings/generate.py ({stale[:3]})"
