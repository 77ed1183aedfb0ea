#!/bin/sh
# make bench: kesu's overwrite and verification against fio, dd, nwipe and
# shred, side by side on the same two loop devices: one over a file in
# /dev/shm (memory speed: shows CPU overhead) and one over a file on the
# disk that holds the build directory (direct I/O: disk speed).
#
#   sh tests/bench.sh build/kesu        (as root)
#   KESU_BENCH_SIZE=2G          device size
#   KESU_BENCH_REPEAT=3         runs of fio, dd and kesu per device (best and spread)
#   KESU_BENCH_NWIPE_TIMEOUT=600  seconds before nwipe is stopped (exit 124)
#
# Two speeds per tool, in decimal MB/s of device bytes written (or read):
# "own" is the tool's own timing of its I/O (fio's bw, dd's summary, the time
# in kesu's record or verify output: start-up excluded, the final flush
# included) and "wall" is the whole command, start-up included. "x fio"
# compares the best own speed with fio's best sequential direct write (or
# read) on the same device. CPU is user + system seconds of the command and
# its children (/usr/bin/time) per GiB, start-up included; maxRSS is the peak
# memory. Runs that end write + verify (kesu_write_verify, nwipe) count both
# in their MB/s.
#
# Fair to fio: fio's buffers are on huge pages (--iomem=shmhuge; kesu's are
# transparent huge pages) and its write ends with an fsync (--end_fsync=1)
# as kesu's does. The bench reserves the few huge pages fio needs and gives
# them back; if none can be had, fio runs on 4 KiB pages and the report says
# so. The machine should be quiet: other load shows as spread.
set -u

KESU=${1:?usage: tests/bench.sh PATH/TO/kesu}
KESU=$(cd "$(dirname "$KESU")" && pwd)/$(basename "$KESU")
SIZE=${KESU_BENCH_SIZE:-2G}
REPEAT=${KESU_BENCH_REPEAT:-3}
NWIPE_TIMEOUT=${KESU_BENCH_NWIPE_TIMEOUT:-600}
DISK_DIR=${KESU_BENCH_DIR:-$(dirname "$KESU")}   # the build directory: on /work's disk
TIME=/usr/bin/time
HUGE_NEED=16                                     # 2 MiB pages: fio's 4 x 4 MiB buffers, and slack

if [ "$(id -u)" -ne 0 ]; then
	echo "bench: needs root (loop devices)" >&2
	exit 5
fi
for tool in fio dd nwipe shred losetup timeout "$TIME"; do
	command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool is missing; run 'make deps'" >&2; exit 1; }
done

TMP=$(mktemp -d /tmp/kesu-bench.XXXXXX)
SHM_IMG=/dev/shm/kesu-bench.$$.img
DISK_IMG=$DISK_DIR/kesu-bench.$$.img
LOOPS=""
HUGE_ORIG=""

cleanup() {
	for l in $LOOPS; do losetup -d "$l" 2>/dev/null; done
	rm -f "$SHM_IMG" "$DISK_IMG"
	rm -rf "$TMP"
	[ -n "$HUGE_ORIG" ] && echo "$HUGE_ORIG" >/proc/sys/vm/nr_hugepages 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Huge pages for fio's buffers: reserve what is missing, give it back at the end.
huge_free() {
	awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo
}
FIO_MEM=""
FIO_MEM_NOTE="fio: 4 KiB pages (no huge pages could be reserved): fio is slowed, the ratios flatter kesu"
if [ -w /proc/sys/vm/nr_hugepages ]; then
	free=$(huge_free)
	if [ "${free:-0}" -lt "$HUGE_NEED" ]; then
		HUGE_ORIG=$(cat /proc/sys/vm/nr_hugepages)
		echo $((HUGE_ORIG + HUGE_NEED - ${free:-0})) >/proc/sys/vm/nr_hugepages 2>/dev/null
	fi
	if [ "$(huge_free)" -ge "$HUGE_NEED" ]; then
		FIO_MEM="--iomem=shmhuge"
		FIO_MEM_NOTE="fio: buffers on huge pages (--iomem=shmhuge), --end_fsync=1 on write"
	fi
fi

truncate -s "$SIZE" "$SHM_IMG" "$DISK_IMG" || exit 1
BYTES=$(stat -c %s "$SHM_IMG")
L_SHM=$(losetup -f --show "$SHM_IMG") || exit 1
LOOPS="$L_SHM"
# Direct I/O to the backing file, so that the disk and not the host's page
# cache sets the pace (the /dev/shm device keeps buffered I/O: memory speed).
L_DISK=$(losetup --direct-io=on -f --show "$DISK_IMG" 2>/dev/null || losetup -f --show "$DISK_IMG") || exit 1
LOOPS="$LOOPS $L_DISK"

# run NAME CMD...: time one command; append "name wall cpu maxrss_kb rc own" to $TMP/res
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
	kesu_random|kesu_zero|kesu_write_verify)
		rec=$(ls -t "$TMP"/ev/*.record.json 2>/dev/null | head -1)
		ms=$(sed -n 's/.*"duration_ms": \([0-9]*\).*/\1/p' "${rec:-/dev/null}")
		awk -v ms="${ms:-0}" 'BEGIN { if (ms > 0) print ms / 1000; else print "-" }' ;;
	kesu_verify_full)
		sed -n 's/.*checked: [0-9]* bytes in \([0-9]*\) ms.*/\1/p' "$TMP/$1.out" |
			awk '{ print $1 / 1000 }' ;;
	*)
		echo - ;;
	esac
}

bench_round() {
	dev=$1
	run fio_write fio --name=w --filename="$dev" --rw=write --bs=4M --iodepth=4 \
		--ioengine=libaio --direct=1 --size="$BYTES" $FIO_MEM --end_fsync=1 \
		--output-format=json
	rm -rf "$TMP/ev"
	run kesu_random "$KESU" wipe "$dev" --yes -q --verify none --pattern random --out "$TMP/ev"
	rm -rf "$TMP/ev"
	run kesu_zero "$KESU" wipe "$dev" --yes -q --verify none --pattern zero --out "$TMP/ev"
	rm -rf "$TMP/ev"
	run dd_zero dd if=/dev/zero of="$dev" bs=4M oflag=direct conv=fsync count=$((BYTES / 4194304))
	run kesu_write_verify "$KESU" wipe "$dev" --yes -q --verify full --pattern random \
		--out "$TMP/ev"
	key=$(sed -n 's/.*"random_key": "\([0-9a-f]*\)".*/\1/p' "$TMP"/ev/*.record.json | head -1)
	rm -rf "$TMP/ev"
	run kesu_verify_full "$KESU" verify "$dev" --full -q --expect "random:$key"
	run fio_read fio --name=r --filename="$dev" --rw=read --bs=4M --iodepth=4 \
		--ioengine=libaio --direct=1 --size="$BYTES" $FIO_MEM --output-format=json
}

bench_device() {
	label=$1 dev=$2 memory=$3
	: >"$TMP/res"
	# Allocate the backing file first so that no tool pays for it.
	dd if=/dev/zero of="$dev" bs=4M oflag=direct status=none 2>/dev/null
	i=0
	while [ "$i" -lt "$REPEAT" ]; do
		bench_round "$dev"
		i=$((i + 1))
	done
	run shred_n1 shred -n1 "$dev"
	run nwipe_prng_verify timeout "$NWIPE_TIMEOUT" nwipe --autonuke --nogui --nowait \
		--method=random --verify=last --noblank --logfile="$TMP/nwipe.log" "$dev"
	report "$label" "$dev" "$memory"
}

report() {
	echo
	echo "== $1 ($2, $BYTES bytes, loop direct I/O: $(cat /sys/block/$(basename "$2")/loop/dio 2>/dev/null))"
	awk -v bytes="$BYTES" -v memory="$3" '
	function mbs(b, s) { return s > 0 ? b / s / 1e6 : 0 }
	{ n = $1
	  if (!(n in runs)) order[++names] = n
	  runs[n]++
	  own = ($6 == "-" || $6 == "") ? $2 : $6
	  if (!(n in best) || own < best[n]) best[n] = own
	  if (!(n in worst) || own > worst[n]) worst[n] = own
	  if (!(n in wall) || $2 < wall[n]) wall[n] = $2
	  if (!(n in cpu) || $3 < cpu[n]) cpu[n] = $3
	  if ($4 > rss[n]) rss[n] = $4
	  if ($5 != 0) rc[n] = $5; else if (!(n in rc)) rc[n] = 0 }
	END {
		fw = best["fio_write"]; fr = best["fio_read"]; gib = bytes / 1073741824
		printf "%-18s %8s %11s %8s %6s %10s %7s %5s %4s\n", "tool", "own MB/s", "spread",
		       "wall", "x fio", "CPU s/GiB", "maxRSS", "exit", "runs"
		for (i = 1; i <= names; i++) {
			n = order[i]
			b = bytes; if (n ~ /nwipe|write_verify/) b = 2 * bytes
			ref = (n ~ /verify_full|read/) ? fr : fw
			printf "%-18s %8.0f %5.0f-%-5.0f %8.0f %6.2f %10.3f %5.0fMB %5d %4d\n", n,
			       mbs(b, best[n]), mbs(b, worst[n]), mbs(b, best[n]), mbs(b, wall[n]),
			       (best[n] > 0 ? (ref / best[n]) * (b / bytes) : 0),
			       cpu[n] / gib, rss[n] / 1024, rc[n], runs[n]
		}
		w = fw / best["kesu_random"]; v = fr / best["kesu_verify_full"]
		cw = cpu["kesu_random"] / gib; cv = cpu["kesu_verify_full"] / gib
		r = rss["kesu_random"]; if (rss["kesu_verify_full"] > r) r = rss["kesu_verify_full"]
		if (rss["kesu_write_verify"] > r) r = rss["kesu_write_verify"]
		print "targets:"
		target("write (random) >= 0.95x fio write", sprintf("%.2fx", w), w >= 0.95)
		if (memory)
			target("full verify >= 0.90x fio read", sprintf("%.2fx", v), v >= 0.90)
		else
			printf "  %-36s %10s  %s\n", "full verify vs fio read",
			       sprintf("%.2fx", v), "(the target is for the memory-speed device)"
		target("CPU, write <= 0.20 s per GiB", sprintf("%.3f", cw), cw <= 0.20)
		target("CPU, full verify <= 0.20 s per GiB", sprintf("%.3f", cv), cv <= 0.20)
		target("memory <= 64 MiB per drive", sprintf("%.0f MiB", r / 1024), r <= 65536)
	}
	function target(what, got, ok) {
		printf "  %-36s %10s  %s\n", what, got, ok ? "met" : "NOT met"
	}' "$TMP/res"
	# (an if, not &&: the bench's exit status is the last report's)
	if grep -q "^nwipe_prng_verify [^ ]* [^ ]* [^ ]* 124 " "$TMP/res"; then
		echo "nwipe: stopped after ${NWIPE_TIMEOUT} s (exit 124): its MB/s is a bound"
	fi
}

echo "kesu bench: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$FIO_MEM_NOTE; kesu: transparent huge pages $(sed 's/.*\[\(.*\)\].*/\1/' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)"
echo "$REPEAT runs of fio, dd and kesu per device (own MB/s: the best; spread: worst-best), one of shred and nwipe"
echo "kesu: exit 1 on --verify none is expected (outcome UNVERIFIED)"
bench_device "loop over /dev/shm" "$L_SHM" 1
bench_device "loop over a file in $DISK_DIR" "$L_DISK" 0
