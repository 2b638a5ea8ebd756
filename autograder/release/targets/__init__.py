"""Other graders' formats a release can also write: ``nbgrader`` and ``gradescope`` (otter's zip)."""
