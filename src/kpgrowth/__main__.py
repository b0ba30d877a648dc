"""``python -m kpgrowth`` runs the CLI."""

from kpgrowth.cli import main

main()
