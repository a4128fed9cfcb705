"""`python -m contextcards` runs the command line."""

from .cli import main

main()
