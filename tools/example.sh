#!/usr/bin/env bash
# The main job on the bundled example specs, on a fresh Debian/Ubuntu machine: sets itself up
# first (tools/setup.sh), then
#   1. takes the upstream sources from Debian's source packages (a lookaside directory),
#   2. normalizes every example spec for el8-php7.4 and checks the result with rpm
#      (EL images cannot be had without a registry: the EL build itself needs one),
#   3. builds every example spec for debian-12 and ubuntu-20.04 with the real debbuild,
#   4. publishes them into a signed APT repository with a key made for the example.
# Everything lands in ${1:-out}/.
source "$(dirname "$0")/setup.sh"
sp_setup
cd "$SPECPORT_ROOT"
OUT=$(realpath -m "${1:-out}")
mkdir -p "$OUT"
DEB_TARGETS=${SPECPORT_EXAMPLE_TARGETS:-debian-12,ubuntu-20.04}

sp_log "upstream sources from Debian's source packages -> $OUT/lookaside"
python tools/debian_sources.py --out "$OUT/lookaside" hello php-igbinary@trixie php-psr-log php-yaml@trixie

sp_log "normalize for el8-php7.4 and check with rpm -> $OUT/normalized"
specport normalize --target el8-php7.4 --check -o "$OUT/normalized" specs/*.spec

sp_log "build for $DEB_TARGETS -> $OUT/packages"
if [ ! -f "$OUT/key/example.secret.asc" ]; then
  specport keys generate --out "$OUT/key" --name example --email example@specport.invalid
fi
specport build --target "$DEB_TARGETS" --jobs 2 --lookaside "$OUT/lookaside" \
  --output "$OUT/packages" --publish "$OUT/repo" --key-file "$OUT/key/example.secret.asc" \
  specs/*.spec

sp_log "done: packages in $OUT/packages, signed APT repository in $OUT/repo"
