"""`python -m escucha`: the command line."""

from escucha.cli import main

main()
