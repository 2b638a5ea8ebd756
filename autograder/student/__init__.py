"""What a student runs: ``check`` (the public tests on their notebook) and ``submit`` (the zip
with its manifest, whose format the grader reads back)."""
