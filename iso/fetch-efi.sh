#!/bin/sh
# Fetch Debian's signed UEFI boot chain for kesu's image.
#
#   iso/fetch-efi.sh CACHE_DIR
#
# Prints the directory holding:
#   shimx64.efi   shim, signed by Microsoft's UEFI CA (package shim-signed);
#                 it trusts Debian's key, which signed the two below
#   grubx64.efi   GRUB for CD/USB media, signed by Debian (grub-efi-amd64-signed,
#                 gcdx64.efi.signed): it finds the medium by /.disk/info and
#                 reads /boot/grub/grub.cfg from it
#   mmx64.efi     MokManager, signed by Debian (shim-helpers-amd64-signed),
#                 which shim starts when a signature is refused
#   versions      the three package versions
# Debian's kernel (linux-image-*-amd64) is signed by Debian too, so the chain
# holds with Secure Boot on. The packages are fetched with apt-get download and
# kept in CACHE_DIR; offline, the cached ones are used.
#
# Exit status: 0, or 77 when the packages cannot be had.
set -eu

cache=${1:?usage: fetch-efi.sh CACHE_DIR}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
PKGS="shim-signed grub-efi-amd64-signed shim-helpers-amd64-signed"

skip() {
	echo "fetch-efi: $*" >&2
	exit 77
}

cached() {
	ls -d "$cache"/efi-*/ 2>/dev/null | while read -r d; do
		[ -f "$d/ready" ] && echo "${d%/}"
	done | tail -1
}

candidates() {
	for p in $PKGS; do
		v=$(apt-cache policy "$p" 2>/dev/null | awk '$1 == "Candidate:" { print $2 }')
		[ -n "$v" ] && [ "$v" != "(none)" ] || return 1
		printf '%s=%s\n' "$p" "$v"
	done
}

want=$(candidates 2>/dev/null || true)
if [ -z "$want" ]; then
	d=$(cached)
	[ -n "$d" ] || skip "apt-cache knows no $PKGS and none is cached in $cache (apt-get update?)"
	echo "$d"
	exit 0
fi
dir="$cache/efi-$(echo "$want" | sha256sum | cut -c1-12)"
if [ -f "$dir/ready" ]; then
	echo "$dir"
	exit 0
fi

work=$(mktemp -d "$cache/.fetch-efi.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
# apt drops to the _apt user for downloads: give it a directory it may write.
chmod 0777 "$work"
# shellcheck disable=SC2086
if ! (cd "$work" && apt-get download -q $want >"$work/apt.log" 2>&1); then
	d=$(cached)
	if [ -n "$d" ]; then
		echo "fetch-efi: apt-get download failed; using $d" >&2
		echo "$d"
		exit 0
	fi
	sed 's/^/fetch-efi: /' "$work/apt.log" >&2
	skip "apt-get download $PKGS failed (no network?)"
fi
mkdir "$work/root" "$work/out"
for deb in "$work"/*.deb; do
	dpkg-deb -x "$deb" "$work/root"
done
take() {
	[ -f "$work/root/$1" ] || skip "no $1 in the packages"
	cp "$work/root/$1" "$work/out/$2"
}
take usr/lib/shim/shimx64.efi.signed shimx64.efi
take usr/lib/shim/mmx64.efi.signed mmx64.efi
take usr/lib/grub/x86_64-efi-signed/gcdx64.efi.signed grubx64.efi
echo "$want" >"$work/out/versions"
touch "$work/out/ready"
rm -rf "$dir"
mv "$work/out" "$dir"
for old in "$cache"/efi-*; do
	[ "$old" = "$dir" ] || rm -rf "$old"
done
echo "$dir"
