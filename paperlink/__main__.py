"""``python -m paperlink`` runs the command-line interface."""

from paperlink.launch import main

main()
