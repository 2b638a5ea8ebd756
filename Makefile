# The two commands of the README. Both run scripts/setup.sh first (idempotent: a no-op
# once the venv, system packages, docker daemon and model zoo are in place).
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
# the venv's tools (alembic for nbgrader, course, otter) on PATH, as after `source .venv/bin/activate`
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export HF_HUB_OFFLINE := 1
export HF_DATASETS_OFFLINE := 1
export HF_EVALUATE_OFFLINE := 1

.PHONY: setup demo test test-fast bench clean

setup:
	@scripts/setup.sh

# release, grade and report the bundled sample class
demo: setup
	@scripts/demo.sh

# the project's own test suite (what CI runs); the slowest tests are listed at the end, so a CI
# log shows where its minutes went
test: setup
	$(PY) -m pytest -n 2 --dist loadgroup -q --durations=25

bench: setup
	$(PY) benchmarks/zoo_build.py

clean:
	rm -rf dist results reports gradebook.db
