"""Each lab's reference solution as a module, generated from its master notebook by
``course solutions`` (see ``autograder/release/solution_modules.py``). Grading never imports
these: it replays the reference recorded at release."""
