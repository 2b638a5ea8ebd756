#!/usr/bin/env bash
# Give every JupyterHub user the course package and one shared, read-only zoo.
# Run it once while building the single-user image (a Dockerfile RUN line, or repo2docker's
# postBuild), as the user that owns the image's Python environment:
#
#   deploy/jupyterhub/install-course.sh genai_course_student-*.whl zoo-<sha>.tar.gz [/opt/genai-course]
#
# then set COURSE_HOME to that folder in the image (Dockerfile: ENV COURSE_HOME=/opt/genai-course;
# or the hub's `c.Spawner.environment`). Students' notebooks then find the release's zoo there:
# their set-up cell checks it and installs nothing. Python: whatever `python` is first on PATH.
set -euo pipefail
wheel=${1:?usage: install-course.sh WHEEL PACK [COURSE_HOME]}
pack=${2:?usage: install-course.sh WHEEL PACK [COURSE_HOME]}
home=${3:-/opt/genai-course}
PYTHON=${PYTHON:-python}

"$PYTHON" -m pip install --quiet "$wheel"
mkdir -p "$home"
COURSE_HOME="$home" "$PYTHON" -m autograder.cli.student_main models install "$pack"
chmod -R a+rX,go-w "$home"          # every user reads it; nobody but the image's owner writes it
COURSE_HOME="$home" "$PYTHON" -m autograder.cli.student_main models list
echo "set COURSE_HOME=$home for every user (image ENV or c.Spawner.environment)"
