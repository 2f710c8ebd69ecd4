#!/bin/sh
# specport's deb post-step, the part that needs the target's own tools (dpkg-deb, dpkg-shlibdeps).
# Run in the builder container; debfix.py edits the control data on the host in between.
#   debfix.sh unpack DEBS_DIR WORK  - unpack each .deb into WORK/tree/<n>; for the host, write
#                                     WORK/meta/<n>/{DEBIAN/,files,shlibs}
#   debfix.sh pack WORK OUT         - take WORK/meta/<n>/DEBIAN back, build each .deb into OUT
set -eu

is_elf() {
  [ "$(head -c 4 "$1" | od -An -tx1 | tr -d ' \n')" = "7f454c46" ]
}

unpack() {
  debs=$1 work=$2
  mkdir -p "$work/tree" "$work/meta" "$work/shl/debian"
  # dpkg-shlibdeps wants a source tree; an empty control is enough for -O
  printf 'Source: specport-debfix\n\nPackage: specport-debfix\nArchitecture: any\n' \
    >"$work/shl/debian/control"
  n=0
  for deb in "$debs"/*.deb; do
    n=$((n + 1))
    tree=$work/tree/$n meta=$work/meta/$n
    mkdir -p "$meta"
    dpkg-deb -R "$deb" "$tree"
    cp -a "$tree/DEBIAN" "$meta/DEBIAN"
    basename "$deb" >"$meta/deb"
    (cd "$tree" && find . -mindepth 1 -not -path './DEBIAN*' -printf '%y %p\n') >"$meta/files"
    elves=""
    for f in $(cd "$tree" && find . -type f -not -path './DEBIAN*'); do
      if is_elf "$tree/$f"; then elves="$elves $tree/$f"; fi
    done
    : >"$meta/shlibs"
    if [ -n "$elves" ]; then
      # shellcheck disable=SC2086  # one argument per ELF file
      (cd "$work/shl" && dpkg-shlibdeps -O -e $elves) >"$meta/shlibs"
    fi
  done
}

pack() {
  work=$1 out=$2
  mkdir -p "$out"
  for meta in "$work"/meta/*; do
    n=$(basename "$meta")
    rm -rf "$work/tree/$n/DEBIAN"
    cp -a "$meta/DEBIAN" "$work/tree/$n/DEBIAN"
    chmod 0755 "$work/tree/$n/DEBIAN"
    # xz: every supported dpkg reads it (zstd is newer than Debian 11 and Ubuntu 20.04)
    dpkg-deb -Zxz --root-owner-group -b "$work/tree/$n" "$out/"
  done
}

cmd=$1
shift
case $cmd in
  unpack) unpack "$@" ;;
  pack) pack "$@" ;;
  *) echo "debfix.sh: unknown command $cmd" >&2; exit 2 ;;
esac
