"""`python -m sendcheck` entry point."""

from sendcheck.cli import main

main()
