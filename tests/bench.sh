#!/bin/sh
# make bench: kesu's overwrite and verification against fio, dd, nwipe and
# shred, side by side on the same two loop devices: one over a file in
# /dev/shm (memory speed: shows CPU overhead) and one over a file on the
# disk that holds the build directory (direct I/O: disk speed).
#
#   sh tests/bench.sh build/kesu        (as root; KESU_BENCH_SIZE=2G by default)
#
# Two speeds per tool, in decimal MB/s of device bytes written (or read):
# "own" is the tool's own timing of its I/O (fio's bw, dd's summary, the time
# in kesu's record or verify output: start-up excluded, the final flush
# included) and "wall" is the whole command, start-up included. "x fio"
# compares the own speed with fio's sequential direct write (or read) on the
# same device. CPU is user + system seconds of the command and its children
# (/usr/bin/time) per GiB, start-up included; maxRSS is the peak memory.
# nwipe is timed for write + verify (it reads the device back), so its MB/s
# counts both.
set -u

KESU=${1:?usage: tests/bench.sh PATH/TO/kesu}
KESU=$(cd "$(dirname "$KESU")" && pwd)/$(basename "$KESU")
SIZE=${KESU_BENCH_SIZE:-2G}
DISK_DIR=${KESU_BENCH_DIR:-$(dirname "$KESU")}   # the build directory: on /work's disk
TIME=/usr/bin/time

if [ "$(id -u)" -ne 0 ]; then
	echo "bench: needs root (loop devices)" >&2
	exit 5
fi
for tool in fio dd nwipe shred losetup "$TIME"; do
	command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool is missing; run 'make deps'" >&2; exit 1; }
done

TMP=$(mktemp -d /tmp/kesu-bench.XXXXXX)
SHM_IMG=/dev/shm/kesu-bench.$$.img
DISK_IMG=$DISK_DIR/kesu-bench.$$.img
LOOPS=""

cleanup() {
	for l in $LOOPS; do losetup -d "$l" 2>/dev/null; done
	rm -f "$SHM_IMG" "$DISK_IMG"
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

truncate -s "$SIZE" "$SHM_IMG" "$DISK_IMG" || exit 1
BYTES=$(stat -c %s "$SHM_IMG")
L_SHM=$(losetup -f --show "$SHM_IMG") || exit 1
LOOPS="$L_SHM"
# Direct I/O to the backing file, so that the disk and not the host's page
# cache sets the pace (the /dev/shm device keeps buffered I/O: memory speed).
L_DISK=$(losetup --direct-io=on -f --show "$DISK_IMG" 2>/dev/null || losetup -f --show "$DISK_IMG") || exit 1
LOOPS="$LOOPS $L_DISK"

# run NAME CMD...: time one command; append "name wall cpu maxrss_kb rc" to $TMP/res
run() {
	name=$1
	shift
	sync
	echo 3 >/proc/sys/vm/drop_caches 2>/dev/null
	"$TIME" -f "%e %U %S %M" -o "$TMP/time" "$@" >"$TMP/$name.out" 2>&1
	rc=$?
	set -- $(tail -1 "$TMP/time")
	printf "%s %s %s %s %s" "$name" "$1" "$(awk -v u="$2" -v s="$3" "BEGIN { print u + s }")" \
		"$4" "$rc" >>"$TMP/res"
	printf " %s\n" "$(own_seconds "$name")" >>"$TMP/res"
}

# The tool's own timing of its I/O, in seconds ("-" when it has none).
own_seconds() {
	case $1 in
	fio_*)
		bw=$(grep '"bw_bytes"' "$TMP/$1.out" | tr -d ', ' | cut -d: -f2 | awk '$1 > 0 { print; exit }')
		awk -v b="$BYTES" -v bw="${bw:-0}" 'BEGIN { if (bw > 0) print b / bw; else print "-" }' ;;
	dd_*)
		sed -n 's/.* copied, \([0-9.]*\) s,.*/\1/p' "$TMP/$1.out" | tail -1 ;;
	kesu_random|kesu_zero)
		ms=$(sed -n 's/.*"duration_ms": \([0-9]*\).*/\1/p' "$(ls -t "$TMP"/ev/*.record.json | head -1)")
		awk -v ms="$ms" 'BEGIN { print ms / 1000 }' ;;
	kesu_verify_full)
		sed -n 's/.*checked: [0-9]* bytes in \([0-9]*\) ms.*/\1/p' "$TMP/$1.out" |
			awk '{ print $1 / 1000 }' ;;
	*)
		echo - ;;
	esac
}

bench_device() {
	label=$1 dev=$2
	: >"$TMP/res"
	# Allocate the backing file first so that no tool pays for it.
	dd if=/dev/zero of="$dev" bs=4M oflag=direct status=none 2>/dev/null
	run fio_write fio --name=w --filename="$dev" --rw=write --bs=4M --iodepth=4 \
		--ioengine=libaio --direct=1 --size="$BYTES" --output-format=json
	run kesu_random "$KESU" wipe "$dev" --yes -q --verify none --pattern random --out "$TMP/ev"
	run kesu_zero "$KESU" wipe "$dev" --yes -q --verify none --pattern zero --out "$TMP/ev"
	rm -rf "$TMP/ev"
	run dd_zero dd if=/dev/zero of="$dev" bs=4M oflag=direct count=$((BYTES / 4194304))
	run shred_n1 shred -n1 "$dev"
	run nwipe_prng_verify nwipe --autonuke --nogui --nowait --method=random --verify=last \
		--noblank --logfile="$TMP/nwipe.log" "$dev"
	rm -rf "$TMP/ev"
	"$KESU" wipe "$dev" --yes -q --verify none --pattern random --out "$TMP/ev" >/dev/null
	key=$(sed -n 's/.*"random_key": "\([0-9a-f]*\)".*/\1/p' "$TMP"/ev/*.record.json | head -1)
	run kesu_verify_full "$KESU" verify "$dev" --full -q --expect "random:$key"
	rm -rf "$TMP/ev"
	run fio_read fio --name=r --filename="$dev" --rw=read --bs=4M --iodepth=4 \
		--ioengine=libaio --direct=1 --size="$BYTES" --output-format=json
	rm -rf "$TMP/ev"
	report "$label" "$dev"
}

report() {
	echo
	echo "== $1 ($2, $BYTES bytes, loop direct I/O: $(cat /sys/block/$(basename "$2")/loop/dio 2>/dev/null))"
	awk -v bytes="$BYTES" '
	{ name[NR] = $1; wall[NR] = $2; cpu[NR] = $3; rss[NR] = $4; rc[NR] = $5
	  own[NR] = ($6 == "-" || $6 == "") ? $2 : $6
	  if ($1 == "fio_write") fw = own[NR]; if ($1 == "fio_read") fr = own[NR] }
	END {
		printf "%-18s %8s %8s %8s %10s %7s %5s\n", "tool", "own MB/s", "wall", "x fio",
		       "CPU s/GiB", "maxRSS", "exit"
		for (i = 1; i <= NR; i++) {
			b = bytes; if (name[i] ~ /nwipe/) b = 2 * bytes
			ref = (name[i] ~ /verify_full|read/) ? fr : fw
			printf "%-18s %8.0f %8.0f %8.2f %10.3f %5.0fMB %5d\n", name[i],
			       b / own[i] / 1e6, b / wall[i] / 1e6, (ref / own[i]) * (b / bytes),
			       cpu[i] / (bytes / 1073741824), rss[i] / 1024, rc[i]
		}
	}' "$TMP/res"
}

echo "kesu bench: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r)"
echo "kesu: exit 1 on --verify none is expected (outcome UNVERIFIED)"
bench_device "loop over /dev/shm" "$L_SHM"
bench_device "loop over a file in $DISK_DIR" "$L_DISK"
