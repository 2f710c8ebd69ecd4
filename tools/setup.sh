# Shared set-up for tools/test.sh, tools/example.sh and .ci/run. Source it; do not run it.
# It installs what specport needs on a fresh Debian/Ubuntu machine, makes the venv, and makes
# sure a container engine answers (starting a private dockerd when none does).
#
# Knobs (environment):
#   SPECPORT_STATE   where the private engine and caches live (default /var/lib/specport-ci);
#                    kept between runs so bootstrapped images are reused, keyed by their inputs.
#   DOCKER_HOST      use this engine instead (Docker or Podman's Docker-compatible socket).

set -euo pipefail

SPECPORT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SPECPORT_STATE=${SPECPORT_STATE:-/var/lib/specport-ci}
export SPECPORT_CACHE_DIR=${SPECPORT_CACHE_DIR:-$SPECPORT_STATE/cache}
VENV=$SPECPORT_ROOT/.venv

# what specport itself needs: the one list, shared with `specport ci setup` (CI jobs)
mapfile -t APT_PACKAGES < <(grep -v '^#' "$SPECPORT_ROOT/specport/ci/host-packages.txt")
APT_PACKAGES+=(
  python3-venv docker.io curl iproute2
  shellcheck  # actionlint checks the generated workflows' run: scripts with it
  docker-registry  # a local OCI registry: the shared result cache's tests (test_cache_shared)
  skopeo  # copies image tags by digest in a registry (specport images promote)
)
# only for the Podman run of the runner tests (sp_podman)
PODMAN_PACKAGES=(podman runc)

sp_log() { printf '==> %s\n' "$*" >&2; }

sp_sudo() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
# for daemons started in the background: a plain command prefix, so that $! is the daemon (or
# sudo, which passes signals on) and not a subshell that a kill would miss
if [ "$(id -u)" -eq 0 ]; then SP_SUDO=(); else SP_SUDO=(sudo); fi

# Install the Debian packages given that are not installed yet (one apt run).
_sp_install_missing() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    sp_log "installing ${missing[*]}"
    sp_sudo apt-get update -qq
    sp_sudo env DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq \
      --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

sp_install_apt() { _sp_install_missing "${APT_PACKAGES[@]}"; }

# Wait until the Docker API at $1 answers (60 s); else show the end of log $2 and fail.
_sp_wait_for_api() {
  for _ in $(seq 1 60); do
    DOCKER_HOST=$1 timeout 10 docker version >/dev/null 2>&1 && return
    sleep 1
  done
  tail -20 "$2" >&2
  echo "the engine at $1 did not answer; log: $2" >&2
  return 1
}

# Stop the daemon whose pid is in the variable named $1 (if we started it), saying $2.
_sp_stop() {
  local pid=${!1:-}
  if [ -n "$pid" ]; then
    sp_log "stopping $2"
    sp_sudo kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    printf -v "$1" '%s' ''
  fi
}

sp_venv() {
  if [ ! -x "$VENV/bin/python" ]; then
    sp_log "creating $VENV"
    # system site packages: rpm's and createrepo_c's Python bindings come from Debian
    /usr/bin/python3 -m venv --system-site-packages "$VENV"
  fi
  local stamp="$VENV/.installed-$(sha256sum "$SPECPORT_ROOT/pyproject.toml" | cut -c1-16)"
  if [ ! -e "$stamp" ]; then
    sp_log "installing specport into $VENV"
    "$VENV/bin/pip" install -q -e "$SPECPORT_ROOT[test]"
    touch "$stamp"
  fi
  export PATH="$VENV/bin:$PATH"
}

_sp_engine_answers() { timeout 10 docker version >/dev/null 2>&1; }

# Start a private dockerd unless an engine already answers. Sets SP_OWN_DOCKERD when it did.
sp_engine() {
  if _sp_engine_answers; then
    sp_log "using the running engine (${DOCKER_HOST:-default socket})"
    return
  fi
  local run=/run/specport-ci
  sp_sudo mkdir -p "$SPECPORT_STATE/docker" "$run"
  export DOCKER_HOST="unix://$run/docker.sock"
  if _sp_engine_answers; then return; fi
  sp_log "starting dockerd (data in $SPECPORT_STATE/docker)"
  "${SP_SUDO[@]}" dockerd --data-root "$SPECPORT_STATE/docker" --exec-root "$run/exec" \
    --pidfile "$run/dockerd.pid" --host "$DOCKER_HOST" >"$SPECPORT_STATE/dockerd.log" 2>&1 &
  SP_OWN_DOCKERD=$!
  _sp_wait_for_api "$DOCKER_HOST" "$SPECPORT_STATE/dockerd.log"
}

sp_engine_stop() { _sp_stop SP_OWN_DOCKERD "the private dockerd"; }

# Podman's Docker-compatible API service with its own storage under $SPECPORT_STATE/podman.
# Sets SP_PODMAN_HOST (a DOCKER_HOST value) and SP_OWN_PODMAN. runc instead of crun, and low
# default ulimits: podman otherwise asks for nofile/nproc limits a nested or limited machine
# refuses ("error setting rlimit type 7: operation not permitted").
sp_podman() {
  _sp_install_missing "${PODMAN_PACKAGES[@]}"
  local run=/run/specport-ci
  sp_sudo mkdir -p "$run" "$SPECPORT_STATE/podman"
  # exit_command_delay: conmon of a finished exec session otherwise lingers for 300 s
  printf '%s\n' '[containers]' 'default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]' \
    '[engine]' 'exit_command_delay = 5' | sp_sudo tee "$run/containers.conf" >/dev/null
  SP_PODMAN_HOST="unix://$run/podman.sock"
  sp_log "starting podman system service (storage in $SPECPORT_STATE/podman)"
  "${SP_SUDO[@]}" env CONTAINERS_CONF="$run/containers.conf" podman --runtime runc \
    --root "$SPECPORT_STATE/podman/root" --runroot "$run/podman-run" \
    system service --time=0 "$SP_PODMAN_HOST" >"$SPECPORT_STATE/podman.log" 2>&1 &
  SP_OWN_PODMAN=$!
  _sp_wait_for_api "$SP_PODMAN_HOST" "$SPECPORT_STATE/podman.log"
}

sp_podman_stop() { _sp_stop SP_OWN_PODMAN "the podman service"; }

sp_stop_all() {
  sp_podman_stop
  sp_engine_stop
}

sp_setup() {
  sp_install_apt
  sp_venv
  sp_engine
  trap sp_stop_all EXIT
}
