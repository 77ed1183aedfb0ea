#!/bin/sh
# Build kesu's Debian package from a staged `make install`.
#
#   iso/mkdeb.sh -r STAGED_ROOT -v VERSION -o OUT_DIR
#
# STAGED_ROOT is what `make install PREFIX=/usr DESTDIR=STAGED_ROOT` left
# (build/deb/root: make deb does both). This script adds what Debian asks of a
# package (the copyright file, a changelog, compressed man pages), computes
# Depends with dpkg-shlibdeps from the libraries the binary links, writes
# DEBIAN/control and md5sums, and builds OUT_DIR/kesu_VERSION_amd64.deb with
# dpkg-deb (files owned by root). It then runs lintian when it is installed:
# an error there fails the build. Prints the package's path.
set -eu

root="" version="" outdir=""
while getopts r:v:o:h opt; do
	case $opt in
	r) root=$OPTARG ;;
	v) version=$OPTARG ;;
	o) outdir=$OPTARG ;;
	*) sed -n '2,/^set -eu/p' "$0" | sed 's/^# \{0,1\}//; /^set -eu/d' >&2; exit 2 ;;
	esac
done
[ -d "$root" ] && [ -n "$version" ] && [ -n "$outdir" ] || { echo "mkdeb: -r ROOT -v VERSION -o OUT_DIR" >&2; exit 2; }
for t in dpkg-deb dpkg-shlibdeps; do
	command -v $t >/dev/null || { echo "mkdeb: $t is missing (apt-get install dpkg-dev)" >&2; exit 1; }
done
root=$(cd "$root" && pwd)
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
arch=$(dpkg --print-architecture)
maint=${DEB_MAINTAINER:-kesu maintainers <kesu@example.org>}

[ -x "$root/usr/sbin/kesu" ] || { echo "mkdeb: no $root/usr/sbin/kesu (make install PREFIX=/usr DESTDIR=$root)" >&2; exit 1; }

# Debian's policy: stripped binaries, man pages compressed with gzip -9n.
strip --remove-section=.comment --remove-section=.note --strip-unneeded "$root/usr/sbin/kesu"
find "$root/usr/share/man" -type f -name '*.[0-9]' -exec gzip -9nf {} +

doc="$root/usr/share/doc/kesu"
mkdir -p "$doc"
cat >"$doc/copyright" <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: kesu
Source: the kesu source tree

Files: *
Copyright: the kesu authors
License: GPL-2.0-or-later

License: GPL-2.0-or-later
 This program is free software; you can redistribute it and/or modify
 it under the terms of the GNU General Public License as published by
 the Free Software Foundation; either version 2 of the License, or
 (at your option) any later version.
 .
 On Debian systems, the complete text of the GNU General Public License
 version 2 can be found in "/usr/share/common-licenses/GPL-2".
EOF
date=$(date -R -u -d "@${SOURCE_DATE_EPOCH:-$(date +%s)}")
printf 'kesu (%s) unstable; urgency=medium\n\n  * Built from the kesu source tree (make deb).\n\n -- %s  %s\n' \
	"$version" "$maint" "$date" | gzip -9n >"$doc/changelog.gz"
chmod 0644 "$doc/copyright" "$doc/changelog.gz"

# Depends: the packages that hold the shared libraries kesu links
# (dpkg-shlibdeps reads the shlibs/symbols files of the installed packages).
# It wants a debian/control beside it: a minimal one in a scratch directory.
work=$(mktemp -d "${TMPDIR:-/tmp}/kesu-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
mkdir -p "$work/debian"
printf 'Source: kesu\n\nPackage: kesu\nArchitecture: any\n' >"$work/debian/control"
(cd "$work" && dpkg-shlibdeps -O "$root/usr/sbin/kesu") >"$work/shlibs" 2>"$work/shlibs.err" ||
	{ cat "$work/shlibs.err" >&2; exit 1; }
depends=$(sed -n 's/^shlibs:Depends=//p' "$work/shlibs")
[ -n "$depends" ] || { echo "mkdeb: dpkg-shlibdeps found no dependencies" >&2; exit 1; }
# Templates name the IPAex fonts; openssl is the command users check signatures with.
depends="$depends, fonts-ipaexfont-gothic, fonts-ipaexfont-mincho"

rm -rf "$root/DEBIAN"
mkdir -p "$root/DEBIAN"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat >"$root/DEBIAN/control" <<EOF
Package: kesu
Version: $version
Architecture: $arch
Maintainer: $maint
Installed-Size: $size
Depends: $depends
Recommends: openssl
Suggests: postgresql-client, dnsmasq, ipxe
Section: admin
Priority: optional
Description: disk sanitization with signed certificates and a media ledger
 kesu erases whole disks (overwrite with read-back verification, or the
 drive's own ATA, NVMe and SCSI sanitize and secure erase commands), writes a
 result record per drive and issues a signed erasure certificate (JSON with a
 detached CMS signature, a PDF and a label with a QR code). It keeps the media
 ledger (data management register) with a hash-chained audit trail, and makes
 the completion reports.
EOF
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -print | sed 's|^\./||' | LC_ALL=C sort |
	xargs md5sum) >"$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums"
find "$root" -type d -exec chmod 0755 {} +

deb="$outdir/kesu_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
if command -v lintian >/dev/null; then
	# Errors fail; warnings are printed. Run as root here: allowed.
	if ! lintian --allow-root --tag-display-limit 0 "$deb" >"$work/lintian" 2>&1; then
		cat "$work/lintian" >&2
		grep -q '^E: ' "$work/lintian" && { echo "mkdeb: lintian reports errors" >&2; rm -f "$deb"; exit 1; }
	fi
	[ -s "$work/lintian" ] && sed 's/^/mkdeb: lintian: /' "$work/lintian" >&2
	echo "mkdeb: lintian: $(grep -c '^E: ' "$work/lintian" || true) errors, $(grep -c '^W: ' "$work/lintian" || true) warnings" >&2
else
	echo "mkdeb: lintian is not installed; not checked" >&2
fi
echo "$deb"
