"""``python -m autograder.cli``: the ``course`` command."""

from autograder.cli import main

main()
