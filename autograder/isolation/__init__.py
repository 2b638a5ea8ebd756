"""Where a submission's code runs: the backend base (``backend``) and its ``docker``, ``sandbox``
(bubblewrap) and ``local`` kinds (``registry`` picks one), the student's side (``runner``, which
imports only ``wire`` and ``execution``) and the grader's handle on it (``student_process``).
Nothing is imported here: the student's process starts through this package."""
