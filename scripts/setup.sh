#!/usr/bin/env bash
# One-time (idempotent) set-up of a fresh Debian/Ubuntu machine for the course tools:
# system packages, the Python virtualenv, a Jupyter kernel, the docker daemon and the
# tiny model zoo. Safe to rerun: each step is skipped when already done.
#
#   scripts/setup.sh            everything
#   SKIP_SYSTEM=1 scripts/setup.sh   no apt-get / dockerd (e.g. a student laptop)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
log() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

if [ -z "${SKIP_SYSTEM:-}" ] && command -v apt-get >/dev/null; then
  # bubblewrap: the sandbox backend; docker.io: the docker backend; debootstrap: its base
  # image (no registry is reachable); chromium: the report tests' headless browser;
  # postgresql: the server the gradebook's PostgreSQL tests start and stop themselves;
  # gcc: benchmarks/mkl_vendor.py's two-function library (a zoo test builds with it).
  need=()
  for pkg in bubblewrap docker.io debootstrap chromium postgresql gcc; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
  done
  if [ ${#need[@]} -gt 0 ]; then
    log "installing system packages: ${need[*]}"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
fi

if [ ! -x "$VENV/bin/python" ]; then
  log "creating $VENV"
  python3.11 -m venv "$VENV" 2>/dev/null || python3 -m venv "$VENV"
fi
# shellcheck disable=SC1091
. "$VENV/bin/activate"
stamp="$VENV/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  log "installing Python packages (torch==2.13.0 CPU wheel, transformers, peft, trl, ...)"
  # the torch==2.13.0 CPU wheel may lie on local disk (PyPI's default torch is a multi-GB CUDA build)
  links=(); [ -d /opt/wheels ] && links=(--find-links /opt/wheels)
  python -m pip install -q --upgrade pip
  python -m pip install -q "${links[@]}" -e ".[test]"
  touch "$stamp"
fi
# nbgrader and nbclient execute notebooks in a Jupyter kernel named python3
if [ ! -f "$VENV/share/jupyter/kernels/python3/kernel.json" ]; then
  python -m ipykernel install --sys-prefix --name python3 >/dev/null
fi

if [ -z "${SKIP_SYSTEM:-}" ] && command -v dockerd >/dev/null && ! docker info >/dev/null 2>&1; then
  # a daemon that was killed (a machine stopped mid-session) leaves its pid file behind, and
  # dockerd refuses to start while any process holds that pid: clear it when none is a dockerd
  if ! pgrep -x dockerd >/dev/null; then
    rm -f /var/run/docker.pid /var/run/docker/containerd/containerd.pid
  fi
  log "starting dockerd"
  (dockerd >/tmp/dockerd.log 2>&1 &)
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  if ! docker info >/dev/null 2>&1; then
    log "dockerd did not start; the docker backend will be unavailable. The end of /tmp/dockerd.log:"
    tail -n 5 /tmp/dockerd.log >&2 || true
  fi
fi

export HF_HUB_OFFLINE=1
log "building the tiny model zoo (skipped when up to date)"
course models build
