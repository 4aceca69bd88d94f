"""``python -m paperlink`` runs the command-line interface."""

from paperlink.cli import main

main()
