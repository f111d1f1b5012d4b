"""`python -m analyser` runs the command line, as the `analyser` script does."""

from analyser.cli import main

main()
