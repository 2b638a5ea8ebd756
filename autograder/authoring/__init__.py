"""Stage 1, authoring: the formats staff write. ``config`` (assignment.toml), ``late_policy``,
``master`` (the master notebook's markers, parsed into questions and tests), ``mutants``."""
