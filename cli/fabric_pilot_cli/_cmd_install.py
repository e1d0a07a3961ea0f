"""``fabric-pilot install`` (a verified Fabric home in the per-user cache) and ``samples``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from . import _fabric
from ._context import get_settings, output_option, progress
from ._errors import EXIT_USAGE, CliError
from ._render import emit_done

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar

__all__ = ["register"]


class _DownloadBar:
    """One progress bar per download on stderr (none when the server gives no size)."""

    def __init__(self) -> None:
        self.bar: ProgressBar[int] | None = None
        self.shown = 0

    def __call__(self, label: str, done: int, total: int | None) -> None:
        if done == 0:
            self.close()
            if total:
                self.bar = click.progressbar(length=total, label=f"  {label}", file=sys.stderr)
                self.bar.__enter__()
            self.shown = 0
            return
        if self.bar is not None:
            self.bar.update(done - self.shown)
            self.shown = done
            if total is not None and done >= total:
                self.close()

    def close(self) -> None:
        """Finish the current bar, if any."""
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _check_route(
    mirror: str | None, build: bool, sources: tuple[str, ...], fabric_bin: bool
) -> None:
    chosen = [
        name
        for name, given in (
            ("--mirror", mirror is not None),
            ("--build", build),
            ("--from", bool(sources)),
            ("--fabric-bin", fabric_bin),
        )
        if given
    ]
    if len(chosen) > 1:
        raise CliError(f"choose one of {', '.join(chosen)}", EXIT_USAGE)


@click.command("install", short_help="Install the Fabric 2.5 binaries.")
@click.option(
    "--mirror",
    metavar="URL",
    help="Download the release tarballs from URL, laid out like https://github.com"
    " (default: FABRIC_PILOT_MIRROR, else GitHub).",
)
@click.option("--build", is_flag=True, help="Build from the official Go modules (needs Go 1.24+).")
@click.option(
    "--from",
    "sources",
    multiple=True,
    type=click.Path(exists=False),
    metavar="PATH",
    help="Install from release tarballs or unpacked release folders (repeatable).",
)
@click.option(
    "--fabric-bin",
    type=click.Path(file_okay=False),
    help="Check Fabric binaries you already have in DIR and use them where they are.",
)
@output_option
@click.pass_context
def install(
    ctx: click.Context,
    mirror: str | None,
    build: bool,
    sources: tuple[str, ...],
    fabric_bin: str | None,
) -> None:
    """Put Fabric 2.5.16 and Fabric CA 1.5.21 into the per-user cache, verified (exit 7 on failure).

    Without options the official release tarballs are downloaded, unless the cache already holds
    a home whose manifest (SHA-256 of every file) still matches: then nothing is fetched.

    \b
    Example:
      fabric-pilot install
      fabric-pilot install --mirror https://mirror.example.com
      fabric-pilot install --from hyperledger-fabric-linux-amd64-2.5.16.tar.gz \\
                           --from hyperledger-fabric-ca-linux-amd64-1.5.21.tar.gz
      fabric-pilot install --build
      fabric-pilot install --fabric-bin ~/fabric/bin
    """
    settings = get_settings(ctx)
    _check_route(mirror, build, sources, fabric_bin is not None)
    folder = Path(fabric_bin) if fabric_bin else settings.fabric_bin
    if folder is not None and not (mirror or build or sources):
        version = _fabric.verify_fabric_bin(folder)
        text = f"Fabric {version} binaries checked in {folder}"
        emit_done(settings.output, text, {"fabric_home": str(folder), "version": version})
        return
    bar = _DownloadBar()
    try:
        where = _fabric.install_fabric(
            mirror, build, tuple(Path(source) for source in sources), progress, bar
        )
    finally:
        bar.close()
    text = f"Fabric binaries ready in {where} (manifest.json lists versions and SHA-256)"
    emit_done(settings.output, text, {"fabric_home": str(where)})


@click.command("samples", short_help="Show or copy the sample documents.")
@click.option(
    "--copy",
    "copy_to",
    type=click.Path(file_okay=False),
    metavar="DIR",
    help="Copy the samples into DIR (refuses to overwrite files there).",
)
@output_option
@click.pass_context
def samples(ctx: click.Context, copy_to: str | None) -> None:
    """Print the folder of the sample documents, or copy them into DIR.

    \b
    Example:
      S=$(fabric-pilot samples)
      fabric-pilot samples --copy ./samples && S=./samples
    """
    output = get_settings(ctx).output
    if copy_to is None:
        folder = str(_fabric.samples_dir())
        emit_done(output, folder, {"samples": folder})
        return
    copied = _fabric.copy_samples(Path(copy_to))
    progress(f"copied {len(copied)} sample files into {copy_to}")
    emit_done(output, str(Path(copy_to)), {"samples": str(Path(copy_to)), "copied": len(copied)})


def register(cli: click.Group) -> None:
    """Add ``install`` and ``samples`` to ``cli``."""
    cli.add_command(install)
    cli.add_command(samples)
