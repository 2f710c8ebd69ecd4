#!/bin/sh
# specport's deb post-step, the part that needs the target's own tools (dpkg-deb, dpkg-shlibdeps).
# Run in the builder container; debfix.py edits the control data on the host in between.
#   debfix.sh unpack DEBS_DIR WORK  - unpack each .deb into WORK/tree/<n> and do to the tree what
#                                     debhelper would (strip ELF files, shared objects 0644, man
#                                     and info pages gzip -9n); for the host, write
#                                     WORK/meta/<n>/{DEBIAN/,deb,files,shlibs,sonames,perldeps,
#                                     pydeps,treefix}, copy
#                                     the license files and changelogs to WORK/meta/<n>/docs/
#   debfix.sh pack WORK OUT [META]  - take META/<n>/DEBIAN back (META: the host's edited copy of
#                                     WORK/meta, the default), copy META/<n>/add/ into
#                                     the tree, chmod as META/<n>/modes says (%attr),
#                                     delete the paths in META/<n>/remove, write
#                                     DEBIAN/md5sums, clamp mtimes to $SOURCE_DATE_EPOCH,
#                                     build each .deb into OUT (xz -6, reproducibly)
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
    fix_tree "$tree" >"$meta/treefix"
    (cd "$tree" && find . -mindepth 1 -not -path './DEBIAN*' -printf '%y %p\n') >"$meta/files"
    mkdir -p "$meta/docs"
    (cd "$tree" && find usr/share/doc usr/share/licenses -type f \( -iname 'copying*' \
      -o -iname 'licen[cs]e*' -o -iname 'copyright*' -o -name 'changelog*.gz' \) \
      -exec cp -a --parents {} "$meta/docs/" \; 2>/dev/null) || true
    elves=""
    for f in $(cd "$tree" && find . -type f -not -path './DEBIAN*'); do
      if is_elf "$tree/$f"; then elves="$elves $tree/$f"; fi
    done
    : >"$meta/shlibs"
    # the SONAMEs of public shared libraries, for the package's own DEBIAN/shlibs
    : >"$meta/sonames"
    for f in $elves; do
      case ${f#"$tree"/} in
        ./lib/*.so.* | ./lib64/*.so.* | ./usr/lib/*.so.* | ./usr/lib64/*.so.*)
          objdump -p "$f" | sed -n 's/^ *SONAME *//p' >>"$meta/sonames" ;;
      esac
    done
    if [ -n "$elves" ]; then
      # shellcheck disable=SC2086  # one argument per ELF file
      (cd "$work/shl" && dpkg-shlibdeps -O -e $elves) >"$meta/shlibs"
    fi
    perl_deps "$tree" >"$meta/perldeps" || echo "debfix: perl_deps failed on $(basename "$deb")" >&2
    py_deps "$tree" >"$meta/pydeps" || echo "debfix: py_deps failed on $(basename "$deb")" >&2
  done
}

# What rpm's Python dependency generator makes on Fedora and debbuild does not: a package with
# modules in Debian's python3 directory needs python3, and each Requires-Dist of its metadata
# whose markers hold (no extras) is the package dpkg -S names for that distribution's metadata
# in the build environment ("dep PKG"); the rest are listed ("missing NAME"). Metadata is read
# as text; nothing of the package is imported.
py_deps() {
  # Debian's own python3: the one whose dist-packages hold the distributions apt installed
  [ -d "$1/usr/lib/python3/dist-packages" ] && [ -x /usr/bin/python3 ] || return 0
  /usr/bin/python3 - "$1" <<'PY'
import email.parser
import importlib.metadata as md
import pathlib
import re
import subprocess
import sys

try:
    from packaging.markers import Marker
except ImportError:
    try:
        from pip._vendor.packaging.markers import Marker
    except ImportError:
        Marker = None

site = pathlib.Path(sys.argv[1], "usr/lib/python3/dist-packages")
metas = [*site.glob("*.dist-info/METADATA"), *site.glob("*.egg-info/PKG-INFO")]
print("dep python3")


def norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()


msgs = [email.parser.Parser().parsestr(m.read_text("utf-8", "replace")) for m in metas]
own = {norm(msg["Name"] or "") for msg in msgs}
deps, missing = set(), set()
for msg in msgs:
    for req in msg.get_all("Requires-Dist") or []:
        name_m = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", req)
        if not name_m or norm(name_m.group(1)) in own:
            continue
        _, _, marker = req.partition(";")
        if marker.strip():
            if "extra" in marker or Marker is None:
                continue
            try:
                if not Marker(marker.strip()).evaluate():
                    continue
            except Exception:
                continue
        name = name_m.group(1)
        try:
            dist = md.distribution(name)
            where = str(getattr(dist, "_path", ""))
        except md.PackageNotFoundError:
            where = ""
        found = subprocess.run(["dpkg", "-S", where], capture_output=True, text=True) if where else None
        pkg = found.stdout.split(":", 1)[0].strip() if found and found.returncode == 0 else ""
        if pkg:
            deps.add(pkg)
        else:
            missing.add(name)
for p in sorted(deps):
    print("dep", p)
for n in sorted(missing):
    print("missing", n)
PY
}

# What rpm's perl.req generates on Fedora and debbuild does not: the modules a package's Perl
# files `use` or `require` are its run-time dependencies. Each one the build environment has
# (its @INC) is the package dpkg -S names ("dep PKG"; perl's own packages are "perl"); the rest
# are listed ("missing MODULE") for the log. Modules the package ships itself are skipped. Only
# file names and paths are looked up: nothing of the package is run.
perl_deps() {
  command -v perl >/dev/null || return 0
  perl - "$1" <<'PERL'
use strict;
use warnings;
my $tree = shift;
my (@files, %own, %want);
open(my $find, '-|', 'find', $tree, '-type', 'f', '(', '-name', '*.pm', '-o', '-name', '*.pl',
    ')', '-not', '-path', "$tree/DEBIAN/*", '-not', '-path', "$tree/usr/share/doc/*") or exit 0;
chomp(@files = <$find>);
close $find;
for my $f (@files) {
    next unless $f =~ m{/(?:perl5(?:/[\d.]+)?|perl/[\d.]+|vendor_perl)/(.+)\.pm$};
    (my $m = $1) =~ s{/}{::}g;
    $own{$m} = 1;
}
for my $f (@files) {
    open(my $in, '<', $f) or next;
    my $pod = 0;
    while (my $line = <$in>) {
        last if $line =~ /^__(?:END|DATA)__\b/;
        if ($line =~ /^=(\w+)/) { $pod = $1 ne 'cut'; next }
        next if $pod;
        $want{$1} = 1 if $line =~ /^\s*(?:use|require)\s+([A-Z]\w*(?:::\w+)*)(?=[\s;(]|$)/;
    }
    close $in;
}
my %deps;
for my $m (sort keys %want) {
    next if $own{$m};
    (my $rel = "$m.pm") =~ s{::}{/}g;
    my ($dir) = grep { !ref($_) && -e "$_/$rel" } @INC;
    if (!defined $dir) { print "missing $m\n"; next }
    open(my $dpkg, '-|', 'dpkg', '-S', "$dir/$rel") or next;
    my ($pkg) = map { /^([^\s:,]+)(?::[^\s:]+)?: / ? $1 : () } <$dpkg>;
    close $dpkg;
    next unless defined $pkg;
    $pkg = 'perl' if $pkg =~ /^(?:perl-base|perl-modules-[\d.]+|libperl[\d.]+)$/;
    $deps{$pkg} = 1;
}
print "dep $_\n" for sort keys %deps;
PERL
}

# what dh_strip, dh_fixperms and dh_compress do; rpmbuild's brp-strip/brp-compress do the
# same for rpms, debbuild does none of it. Prints one line per change, for the build log.
fix_tree() {
  tree=$1
  for f in $(cd "$tree" && find . -type f -not -path './DEBIAN*'); do
    p=$tree/$f
    case $f in
      *.so | *.so.*)
        if is_elf "$p"; then
          strip --remove-section=.comment --remove-section=.note --strip-unneeded "$p"
          echo "stripped ${f#./}"
        fi
        if [ -n "$(find "$p" -perm /111)" ]; then chmod 0644 "$p" && echo "0644 ${f#./}"; fi
        ;;
      ./usr/share/man/*.gz | ./usr/share/info/*.gz)
        gzip -dc "$p" >"$p.plain" && gzip -9nc "$p.plain" >"$p" && rm -f "$p.plain"
        echo "gzip -9n ${f#./}"
        ;;
      *)
        if is_elf "$p" && [ -n "$(find "$p" -perm /111)" ]; then
          strip --remove-section=.comment --remove-section=.note "$p"
          echo "stripped ${f#./}"
        fi
        ;;
    esac
  done
}

pack() {
  work=$1 out=$2 metas=${3:-$1/meta}
  mkdir -p "$out"
  threads=""
  if dpkg-deb --help | grep -q -- --threads-max; then threads="--threads-max=1"; fi
  for meta in "$metas"/*; do
    n=$(basename "$meta")
    rm -rf "$work/tree/$n/DEBIAN"
    cp -a "$meta/DEBIAN" "$work/tree/$n/DEBIAN"
    chmod 0755 "$work/tree/$n/DEBIAN"
    if [ -d "$meta/add" ]; then cp -a "$meta/add/." "$work/tree/$n/"; fi
    # %attr modes (debscripts.py): "MODE PATH" lines, paths relative to the tree
    if [ -f "$meta/modes" ]; then
      while read -r mode path; do
        [ -n "$path" ] && chmod "$mode" "$work/tree/$n/$path"
      done <"$meta/modes"
    fi
    if [ -f "$meta/remove" ]; then
      while IFS= read -r path; do
        [ -n "$path" ] && rm -f "$work/tree/$n/$path"
      done <"$meta/remove"
    fi
    # dh_md5sums: every file but the conffiles (dpkg keeps their sums itself)
    root=$work/tree/$n
    : >"$work/conffiles.$n"
    if [ -f "$root/DEBIAN/conffiles" ]; then sed 's|^/||' "$root/DEBIAN/conffiles" >"$work/conffiles.$n"; fi
    (cd "$root" && find . -type f -not -path './DEBIAN/*' -printf '%P\n' | LC_ALL=C sort |
      grep -vxF -f "$work/conffiles.$n" | tr '\n' '\0' | xargs -0r md5sum) >"$root/DEBIAN/md5sums"
    if [ ! -s "$root/DEBIAN/md5sums" ]; then rm -f "$root/DEBIAN/md5sums"; fi
    # reproducible: no mtime after SOURCE_DATE_EPOCH (the build's own time shows nowhere);
    # dpkg-deb itself dates the ar members by it and sorts the tar members
    if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
      find "$root" -newermt "@$SOURCE_DATE_EPOCH" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
    fi
    # xz: every supported dpkg reads it (zstd is newer than Debian 11 and Ubuntu 20.04); a fixed
    # level, and one thread where dpkg-deb can be told: xz's multi-threaded output differs
    # from its single-threaded one, and how many threads dpkg-deb picks depends on the machine
    # shellcheck disable=SC2086  # $threads is empty or one option
    dpkg-deb -Zxz -z6 $threads --root-owner-group -b "$work/tree/$n" "$out/"
  done
}

cmd=$1
shift
case $cmd in
  unpack) unpack "$@" ;;
  pack) pack "$@" ;;
  *) echo "debfix.sh: unknown command $cmd" >&2; exit 2 ;;
esac
