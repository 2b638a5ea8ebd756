"""Release: the ``pipeline`` that writes dist/<id>/ (student and autograder versions, leak
checks), ``record_reference`` (the solution graded once, ``ref`` recorded), ``validate``
(solution, template, mutants, reruns), ``targets/`` (nbgrader, Gradescope) and
``solution_modules`` (solutions/)."""
