#!/bin/bash
# specport's spec sandbox runner (specport/sandbox/jobs.py): every query of every job under
# /sandbox/jobs, each query's stdout, stderr and exit code left in /sandbox-out as
# <job>.q<n>.{out,err,rc}.
#
# $1 "setpriv": a container, this script runs as root; each query drops to nobody, and
#    whatever a query leaves running (a spec's background process) is killed and gone before
#    the next query starts, so one spec cannot disturb another's query.
# $1 "bwrap": bubblewrap, already nobody; specport runs one bwrap per job (its own pid
#    namespace, all of it killed when the job ends) with only that job and its output bound.
set -u
out=/sandbox-out
mode="${1:-}"
drop=()
if [ "$mode" = setpriv ]; then
  drop=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi
limit=(prlimit --as="$SANDBOX_MEMORY" --fsize="$SANDBOX_FSIZE" --cpu="$SANDBOX_SECONDS"
  --nofile=256)

# a process of uid 65534 that is not a zombie (the container's init reaps those)
leftover() {
  local s key value state
  for s in /proc/[0-9]*/status; do
    state=
    while read -r key value _; do
      case "$key" in
        State:) state=$value ;;
        Uid:) [ "$value" = 65534 ] && [ "$state" != Z ] && return 0; break ;;
      esac
    done < "$s" 2>/dev/null
  done
  return 1
}

# every process of the queries' uid, killed (by that uid itself: kill -1 spares the caller),
# and waited for
reap() {
  [ "$mode" = setpriv ] || return 0
  local i
  for i in $(seq 1 100); do
    "${drop[@]}" bash -c 'kill -KILL -1' 2>/dev/null
    leftover || return 0
    sleep 0.05
  done
  echo "specport sandbox: processes of a query outlived it" >&2
}

rpm --version > "$out/rpm-version" 2>/dev/null
for dir in /sandbox/jobs/*/; do
  job=$(basename "$dir")
  if [ -s "$dir/macros-dest" ]; then
    while read -r dest; do
      [ -d "$(dirname "$dest")" ] || continue
      mkdir -p "$dest" && rm -f "$dest"/macros.specport-* && cp "$dir"/macros/macros.* "$dest"/
    done < "$dir/macros-dest"
  fi
  for q in "$dir"/q*; do
    [ -e "$q" ] || continue
    n=$(basename "$q")
    mapfile -d '' argv < "$q"
    work=$(mktemp -d)
    chmod 0777 "$work"
    ( cd "$work" &&
      exec "${drop[@]}" "${limit[@]}" timeout -s KILL "$SANDBOX_SECONDS" "${argv[@]}" ) \
      < /dev/null > "$out/$job.$n.out" 2> "$out/$job.$n.err"
    echo $? > "$out/$job.$n.rc"
    reap
    rm -rf "$work"
  done
done
