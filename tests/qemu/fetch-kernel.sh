#!/bin/sh
# Fetch and unpack Debian's current amd64 kernel package for QEMU guests.
#
#   tests/qemu/fetch-kernel.sh CACHE_DIR
#
# Prints the directory of the unpacked kernel on stdout:
#   DIR/vmlinuz                      the kernel as Debian ships it (bzImage)
#   DIR/vmlinux                      the same, uncompressed (ELF with a PVH note:
#                                    QEMU boots it directly, seconds faster under TCG)
#   DIR/version                      the kernel release (uname -r in the guest)
#   DIR/lib/modules/VERSION/...      every module, uncompressed, with modules.dep
#
# The package is found with apt-cache (what linux-image-amd64 depends on) and
# fetched with `apt-get download`; nothing else is downloaded. An unpacked
# kernel is reused as long as apt names the same package. Offline, the newest
# kernel already in CACHE_DIR is used.
#
# Environment:
#   KESU_QEMU_KERNEL_PKG  a package name to use instead (linux-image-6.1.0-N-amd64)
#   KESU_QEMU_KERNEL_DEB  a .deb file to unpack instead of downloading
#
# Exit status: 0, or 77 when no kernel can be had (tests then skip).
set -eu

cache=${1:?usage: fetch-kernel.sh CACHE_DIR}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)

skip() {
	echo "fetch-kernel: $*" >&2
	exit 77
}

newest_cached() {
	ls -d "$cache"/kernel-*/ 2>/dev/null | while read -r d; do
		[ -f "$d/ready" ] && echo "${d%/}"
	done | sort -V | tail -1
}

pkg=${KESU_QEMU_KERNEL_PKG:-}
deb=${KESU_QEMU_KERNEL_DEB:-}
if [ -n "$deb" ]; then
	[ -f "$deb" ] || skip "KESU_QEMU_KERNEL_DEB=$deb: no such file"
	pkg=$(dpkg-deb -f "$deb" Package)
elif [ -z "$pkg" ] && command -v apt-cache >/dev/null 2>&1; then
	kernel_pkg() {
		apt-cache depends linux-image-amd64 2>/dev/null |
			awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9].*-amd64$/ { print $2; exit }'
	}
	pkg=$(kernel_pkg)
	# A machine whose package lists were cleaned knows no kernel: as root, read them once.
	if [ -z "$pkg" ] && [ "$(id -u)" -eq 0 ] && [ -z "$(newest_cached)" ]; then
		apt-get update -qq >/dev/null 2>&1 || true
		pkg=$(kernel_pkg)
	fi
fi
if [ -z "$pkg" ]; then
	d=$(newest_cached)
	[ -n "$d" ] || skip "apt-cache knows no linux-image-amd64 and no kernel is cached in $cache"
	echo "$d"
	exit 0
fi

dir="$cache/kernel-$pkg"
if [ -f "$dir/ready" ]; then
	echo "$dir"
	exit 0
fi

work=$(mktemp -d "$cache/.fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
if [ -z "$deb" ]; then
	if ! (cd "$work" && apt-get download -q "$pkg" >"$work/apt.log" 2>&1); then
		d=$(newest_cached)
		if [ -n "$d" ]; then
			echo "fetch-kernel: apt-get download $pkg failed; using $d" >&2
			echo "$d"
			exit 0
		fi
		sed 's/^/fetch-kernel: /' "$work/apt.log" >&2
		skip "apt-get download $pkg failed (no network?)"
	fi
	deb=$(ls "$work"/*.deb)
fi
mkdir "$work/root"
dpkg-deb -x "$deb" "$work/root"
rm -f "$work"/*.deb

version=$(ls "$work/root/lib/modules" | head -1)
[ -n "$version" ] && [ -f "$work/root/boot/vmlinuz-$version" ] ||
	skip "$pkg holds no kernel image and modules"
mkdir "$work/out"
mv "$work/root/boot/vmlinuz-$version" "$work/out/vmlinuz"
mv "$work/root/boot/config-$version" "$work/out/config" 2>/dev/null || true
mkdir -p "$work/out/lib/modules"
mv "$work/root/lib/modules/$version" "$work/out/lib/modules/"
echo "$version" >"$work/out/version"

# Later kernels may compress their modules; the guest's busybox insmod need not
# understand that, so every module is stored uncompressed.
find "$work/out/lib/modules" -name '*.ko.xz' -exec xz -d {} +
find "$work/out/lib/modules" -name '*.ko.zst' -exec zstd -q -d --rm {} +
find "$work/out/lib/modules" -name '*.ko.gz' -exec gzip -d {} +
# The package's postinst runs depmod; do the same for the unpacked tree.
depmod -b "$work/out" "$version"

# The uncompressed kernel boots faster under TCG: find the compressed payload
# in the bzImage and unpack it. Without it, vmlinuz is used.
extract_vmlinux() {
	# magic: xz, zstd, gzip
	for m in '\xfd7zXZ\x00:xz -dc --single-stream' '\x28\xb5\x2f\xfd:zstd -dcq' '\x1f\x8b\x08:gzip -dc'; do
		off=$(LC_ALL=C grep -obUaP "${m%%:*}" "$1" | head -1 | cut -d: -f1)
		[ -n "$off" ] || continue
		tail -c +$((off + 1)) "$1" | ${m#*:} >"$2" 2>/dev/null || true
		if [ "$(head -c 4 "$2" | od -An -c | tr -d ' ')" = '177ELF' ]; then
			return 0
		fi
	done
	rm -f "$2"
	return 1
}
extract_vmlinux "$work/out/vmlinuz" "$work/out/vmlinux" ||
	echo "fetch-kernel: could not unpack vmlinux; booting vmlinuz" >&2

touch "$work/out/ready"
rm -rf "$dir"
mv "$work/out" "$dir"
# Older kernels are of no further use: keep the cache to one.
for old in "$cache"/kernel-*; do
	[ "$old" = "$dir" ] || rm -rf "$old"
done
echo "$dir"
