"""The network folder's ownership: up refuses a foreign folder, down deletes only what it wrote."""

from __future__ import annotations

from pathlib import Path

import pytest

from fabric_pilot_network.folder import MANIFEST, FolderNotEmptyError, NetworkFolder


def _write_network_files(directory: Path) -> None:
    (directory / "crypto" / "peer").mkdir(parents=True)
    (directory / "crypto" / "peer" / "key.pem").write_text("k")
    (directory / "data").mkdir()
    (directory / "data" / "ledger").write_text("blocks")
    (directory / "logs").mkdir()
    (directory / "logs" / "peer.log").write_text("log")
    (directory / "network.json").write_text("{}")


def test_up_refuses_a_non_empty_folder_it_did_not_create_and_changes_nothing(
    tmp_path: Path,
) -> None:
    (tmp_path / "important.txt").write_text("mine")
    (tmp_path / "notes").mkdir()
    with pytest.raises(FolderNotEmptyError, match=r"not empty .* holds important\.txt, notes"):
        NetworkFolder(tmp_path).prepare()
    assert sorted(child.name for child in tmp_path.iterdir()) == ["important.txt", "notes"]


def test_up_takes_a_new_or_empty_folder(tmp_path: Path) -> None:
    NetworkFolder(tmp_path / "new" / "net").prepare()
    assert (tmp_path / "new" / "net" / MANIFEST).is_file()
    empty = tmp_path / "empty"
    empty.mkdir()
    NetworkFolder(empty).prepare()
    assert [child.name for child in empty.iterdir()] == [MANIFEST]


def test_down_deletes_what_it_wrote_and_the_folder_it_created(tmp_path: Path) -> None:
    folder = NetworkFolder(tmp_path / "net")
    folder.prepare()
    _write_network_files(folder.directory)
    folder.claim()
    assert folder.remove() == []
    assert not folder.directory.exists()


def test_down_never_deletes_a_users_file_and_keeps_the_folder_then(tmp_path: Path) -> None:
    folder = NetworkFolder(tmp_path / "net")
    folder.prepare()
    _write_network_files(folder.directory)
    folder.claim()
    (folder.directory / "important.txt").write_text("mine")
    (folder.directory / "docker").mkdir()  # a name fabric-pilot could write, but did not
    (folder.directory / "docker" / "compose.yaml").write_text("mine too")
    assert folder.remove() == ["docker", "important.txt"]
    assert sorted(child.name for child in folder.directory.iterdir()) == [
        "docker",
        "important.txt",
    ]
    assert (folder.directory / "important.txt").read_text() == "mine"
    assert (folder.directory / "docker" / "compose.yaml").read_text() == "mine too"


def test_down_leaves_a_folder_it_did_not_create_in_place(tmp_path: Path) -> None:
    folder = NetworkFolder(tmp_path)
    folder.prepare()
    _write_network_files(tmp_path)
    folder.claim()
    assert folder.remove() == []
    assert tmp_path.exists()
    assert list(tmp_path.iterdir()) == []


def test_logs_of_a_failed_up_stay_and_the_folder_can_be_used_again(tmp_path: Path) -> None:
    folder = NetworkFolder(tmp_path / "net")
    folder.prepare()
    _write_network_files(folder.directory)
    folder.claim()  # what a failed up does before cleaning up
    assert folder.remove(keep_logs=True) == []
    assert sorted(child.name for child in folder.directory.iterdir()) == [MANIFEST, "logs"]
    folder.prepare()  # a second up into the same folder is fine
    assert folder.remove() == []
    assert not folder.directory.exists()


def test_a_folder_without_manifest_loses_only_the_names_fabric_pilot_writes(
    tmp_path: Path,
) -> None:
    _write_network_files(tmp_path)
    (tmp_path / "important.txt").write_text("mine")
    assert NetworkFolder(tmp_path).remove() == ["important.txt"]
    assert [child.name for child in tmp_path.iterdir()] == ["important.txt"]
