"""The console entry point: ``paperlink --version`` answers before the command-line stack
(click, the configuration, the engine) is imported, so it costs an interpreter start and
nothing more; every other command goes on to :func:`paperlink.cli.main`."""

from __future__ import annotations

import sys

from paperlink import __version__


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        sys.stdout.write(f"paperlink, version {__version__}\n")
        return
    from paperlink.cli import main as run_command_line

    run_command_line()
