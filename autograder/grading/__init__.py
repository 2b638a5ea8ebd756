"""Grading: a release's ``bundle``, the ``engine`` that grades one notebook from outside its
process, ``reference_replay`` (``ref`` at grading), ``feedback`` tests may show, typed
``results``, reading a folder of ``submissions`` and ``class_grading`` into the gradebook."""
