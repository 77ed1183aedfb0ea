#!/bin/sh
# make demo: kesu's main job on a scratch disk image attached as a loop device.
# Nothing but the scratch image is touched.
set -eu
kesu=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
[ "$(id -u)" -eq 0 ] || { echo "make demo: run as root (it attaches a loop device)" >&2; exit 5; }
work=$(mktemp -d /tmp/kesu-demo.XXXXXX)
loop=""
cleanup() {
	[ -n "$loop" ] && losetup -d "$loop" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "scratch image: 256 MiB, attached as a loop device"
truncate -s 256M "$work/disk.img"
loop=$(losetup -f --show "$work/disk.img")
echo "$loop -> $work/disk.img"

step "kesu list"
"$kesu" list

step "kesu info $loop"
"$kesu" info "$loop"
