#!/bin/sh
# Run every Check test binary of one build and print a summary line.
#   tests/run.sh BUILD_DIR [check_name...]
# Tests find the binaries through the environment, so the same tests run
# against the plain and the sanitizer builds.
set -u
build=${1:?usage: tests/run.sh BUILD_DIR [check_name...]}
shift
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$top/$build" && pwd)

export KESU_BIN="$build/kesu"
export KESU_SIM="$build/libkesusim.so"
export KESU_SRCDIR="$top"
export KESU_BUILD="$build"
export CK_DEFAULT_TIMEOUT="${CK_DEFAULT_TIMEOUT:-120}"
# The simulator is preloaded ahead of the sanitizer runtime; tell ASan that is fine.
export ASAN_OPTIONS="${ASAN_OPTIONS:-verify_asan_link_order=0:detect_leaks=1:abort_on_error=0}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$top/tests/lsan.supp:print_suppressions=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
KESU_TEST_TMP=$(mktemp -d /tmp/kesu-test.XXXXXX)
export KESU_TEST_TMP

# Whatever a crashed test left attached or mounted is swept here.
cleanup() {
	mounts=$(awk -v d="$KESU_TEST_TMP" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r)
	# Loop devices over a file in a FUSE mount (nbdfuse) show only the file's
	# name in losetup: match them by the mount's device number instead.
	fuse_loops=""
	for m in $mounts; do
		dev=$(mountpoint -d "$m" 2>/dev/null) || continue
		fuse_loops="$fuse_loops $(losetup -l -n -O NAME,BACK-MAJ:MIN 2>/dev/null | awk -v d="$dev" '$2 == d { print $1 }')"
	done
	# A test that failed exits without its own clean-up, and its FUSE server
	# dies with it: the mount can no longer be stat()ed and its loop device
	# shows only "/nbd". The fixtures list each such loop device with its file.
	if [ -f "$KESU_TEST_TMP/fuse-loops" ]; then
		while read -r l f; do
			b=$(cat "/sys/block/${l#/dev/}/loop/backing_file" 2>/dev/null) || continue
			[ "$b" = "$f" ] || [ "$b" = "/${f##*/}" ] && fuse_loops="$fuse_loops $l"
		done <"$KESU_TEST_TMP/fuse-loops"
	fi
	for l in $fuse_loops; do
		losetup -d "$l" 2>/dev/null ||
			{ udevadm settle 2>/dev/null; sleep 0.5; losetup -d "$l" 2>/dev/null; }
	done
	for m in $mounts; do
		umount -l "$m" 2>/dev/null
	done
	loops=$(losetup -a 2>/dev/null | grep -F "$KESU_TEST_TMP" | cut -d: -f1)
	# A test killed hard may leave its swap active: turn it off before detaching.
	for sw in $(awk 'NR > 1 { print $1 }' /proc/swaps); do
		case "$sw" in "$KESU_TEST_TMP"/*) swapoff "$sw" 2>/dev/null ;; esac
		for l in $loops; do [ "$sw" = "$l" ] && swapoff "$sw" 2>/dev/null; done
	done
	# Loop devices stacked on ours (losetup /dev/loopN, or on a partition of
	# it) keep the lower ones busy: find them level by level, detach top down.
	level=$loops
	while [ -n "$level" ]; do
		upper=""
		for l in $level; do
			upper="$upper $(losetup -l -n -O NAME,BACK-FILE 2>/dev/null |
				awk -v d="$l" '$2 == d || index($2, d "p") == 1 { print $1 }')"
		done
		upper=$(echo $upper)
		loops="$upper $loops"
		level=$upper
	done
	for l in $loops; do
		partx -d "$l" 2>/dev/null
		losetup -d "$l" 2>/dev/null
	done
	rm -rf "$KESU_TEST_TMP"
}
trap cleanup EXIT INT TERM

if [ $# -gt 0 ]; then
	bins=""
	for n in "$@"; do bins="$bins $build/tests/$n"; done
else
	bins=$(ls "$build"/tests/check_* 2>/dev/null | grep -v '\.[od]$')
fi

passed=0 failed=0 bad=""
for t in $bins; do
	name=$(basename "$t")
	out="$KESU_TEST_TMP/$name.log"
	"$t" >"$out" 2>&1
	rc=$?
	cat "$out"
	line=$(grep -E '^[0-9]+%: Checks: ' "$out" | tail -1)
	if [ -n "$line" ]; then
		n=$(echo "$line" | sed -E 's/.*Checks: ([0-9]+).*/\1/')
		f=$(echo "$line" | sed -E 's/.*Failures: ([0-9]+).*/\1/')
		e=$(echo "$line" | sed -E 's/.*Errors: ([0-9]+).*/\1/')
		passed=$((passed + n - f - e))
		failed=$((failed + f + e))
	fi
	if [ $rc -ne 0 ] || [ -z "$line" ]; then
		bad="$bad $name"
		[ -z "$line" ] && failed=$((failed + 1))
	fi
done
echo "tests: $passed passed, $failed failed"
[ -z "$bad" ] || {
	# Repeat why each failed at the end, where a log's tail will show it.
	for name in $bad; do
		echo "--- $name:"
		grep -E ':[FE]:|ERROR: |SUMMARY: |runtime error' "$KESU_TEST_TMP/$name.log" | head -20
	done
	echo "failing:$bad" >&2
	exit 1
}
