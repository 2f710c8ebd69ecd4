#!/usr/bin/env bash
# Run specport's checks and tests on a fresh Debian/Ubuntu machine: sets itself up first.
# Fast suite (no containers), then the container suite against a real engine.
source "$(dirname "$0")/setup.sh"
sp_setup
cd "$SPECPORT_ROOT"
sp_log "ruff, mypy and the layers contract"
ruff check specport tests tools bench
ruff format --check specport tests tools bench
mypy
lint-imports
sp_log "fast tests"
pytest -q -m "not container and not slow" "$@"
sp_log "slow and container tests"
pytest -q -m "container or slow" "$@"
