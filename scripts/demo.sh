#!/usr/bin/env bash
# The main job, end to end, on the bundled sample class of 00-warmup:
# release -> make the sample class -> grade (isolated) -> report -> export.
set -euo pipefail
cd "$(dirname "$0")/.."
. .venv/bin/activate
export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 HF_EVALUATE_OFFLINE=1
A=${ASSIGNMENT:-00-warmup}
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "course release $A --package (and dist/course-package/: the student wheel and the zoo pack)"
course release "$A" --package
step "sample class (solution, late, template, mutants, hostile, corrupt)"
python -m autograder.sample_class "$A" --out build/sample-class
step "course grade $A (backend: ${BACKEND:-best available}, 2 workers)"
course grade "$A" "build/sample-class/$A" --workers 2 ${BACKEND:+--backend "$BACKEND"}
step "course similarity $A (staff only: pairs of unusually similar work)"
course similarity "$A" "build/sample-class/$A"
step "course report $A"
course report "$A"
step "course export $A --format canvas"
course export "$A" --format canvas --out "reports/$A/canvas.csv"
printf '\nDashboard: %s\n' "$(pwd)/reports/$A/index.html"
