#!/bin/sh
# Boot a throwaway QEMU guest (TCG) with real Linux drivers, run test scripts
# in it, and collect their results.
#
#   tests/qemu/run-guest.sh -o OUTDIR [options] [-- QEMU_DEVICE_ARGS...]
#
#   -o OUTDIR    where the run's files go (created):
#                  console.log  the guest's console (kernel, /init, scripts)
#                  results.log  the scripts' results (second serial port),
#                               sections as described in tests/qemu/guest-lib.sh
#                  initrd       the initramfs this run booted
#   -s SCRIPT    a busybox sh script to run in the guest, in the order given
#                (installed as /scripts/NN-NAME.sh; it is sourced, with the
#                helpers of guest-lib.sh). Repeatable.
#   -k KESU      the kesu binary to install (default $KESU_BIN, else build/kesu)
#   -d N         wait for N disks in the guest before the scripts run (default 0)
#   -t SECONDS   hard timeout for the whole boot (default 300)
#   -m MIB       guest memory (default 1024)
#   -c CACHE     cache directory (default $KESU_QEMU_CACHE, else build/qemu)
#   QEMU_DEVICE_ARGS  the devices and drives: -drive/-device/-blockdev ...
#
# The kernel and the base initramfs (modules, busybox, /init) are cached in
# CACHE and rebuilt only when their inputs change; kesu and the scripts are a
# small layer packed for each run.
#
# Environment: KESU_BIN (the default for -k), KESU_QEMU_CACHE (-c),
# KESU_QEMU_ACCEL (default tcg; kvm where a usable /dev/kvm exists),
# KESU_QEMU_CPU (default max), and for
# fetch-kernel.sh KESU_QEMU_KERNEL_PKG (a kernel package name) or
# KESU_QEMU_KERNEL_DEB (a .deb to use instead of downloading).
#
# Exit status: 0 the guest ran every script and powered off; 77 QEMU, busybox
# or the kernel cannot be had here (the caller skips, the reason is on stderr);
# 124 the timeout struck; 1 anything else.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

# The modules the guests need: NVMe, AHCI, SCSI disks and generic SCSI, USB
# mass storage (BOT and UAS) behind xHCI, virtio (SCSI, block, PCI), loop, ext4.
MODULES="nvme ahci sd_mod sg usb-storage uas xhci-pci virtio_pci virtio_scsi virtio_blk loop ext4"

out="" kesu=${KESU_BIN:-$top/build/kesu} disks=0 timeout=300 mem=1024
cache=${KESU_QEMU_CACHE:-$top/build/qemu}
scripts=""
while getopts o:s:k:d:t:m:c:h opt; do
	case $opt in
	o) out=$OPTARG ;;
	s) scripts="$scripts
$OPTARG" ;;
	k) kesu=$OPTARG ;;
	d) disks=$OPTARG ;;
	t) timeout=$OPTARG ;;
	m) mem=$OPTARG ;;
	c) cache=$OPTARG ;;
	*) sed -n '2,/^set -eu/p' "$0" | sed 's/^# \{0,1\}//; /^set -eu/d' >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ -n "$out" ] || { echo "run-guest: -o OUTDIR is required" >&2; exit 2; }

skip() {
	echo "run-guest: SKIP: $*" >&2
	exit 77
}
command -v qemu-system-x86_64 >/dev/null 2>&1 || skip "qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)"
command -v cpio >/dev/null 2>&1 || skip "cpio is not installed"
PATH="$PATH:/sbin:/usr/sbin"
command -v depmod >/dev/null 2>&1 || skip "kmod (depmod) is not installed"
busybox=/bin/busybox
[ -x $busybox ] && ! ldd $busybox >/dev/null 2>&1 || skip "no static busybox at $busybox (apt-get install busybox-static)"
[ -x "$kesu" ] || { echo "run-guest: $kesu: no kesu binary (run make)" >&2; exit 1; }

mkdir -p "$cache" "$out"
cache=$(cd "$cache" && pwd)

# One builder at a time per cache (the plain and the sanitizer runs may overlap).
exec 9>"$cache/.lock"
flock 9

set +e
kdir=$("$here/fetch-kernel.sh" "$cache")
rc=$?
set -e
[ $rc -eq 0 ] || { [ $rc -eq 77 ] && skip "no kernel (fetch-kernel.sh, above)"; exit 1; }

# The base image: rebuilt when the kernel, busybox, the module list or the
# guest's own files change.
key=$({
	echo "$kdir $MODULES"
	sha256sum "$busybox" "$here/init" "$here/guest-lib.sh" "$here/mkinitramfs.sh"
} | sha256sum | cut -c1-16)
base="$cache/base-$key.cpio"
if [ ! -f "$base" ]; then
	rm -f "$cache"/base-*.cpio
	"$here/mkinitramfs.sh" -o "$base" -k "$kdir" -m "$MODULES" -B "$busybox" \
		-i "$here/init" -f "$here/guest-lib.sh=/lib/kesu-guest.sh"
fi

# This run's layer: kesu with its libraries, and the scripts.
n=10
echo "$scripts" | while read -r s; do
	[ -n "$s" ] || continue
	[ -f "$s" ] || { echo "run-guest: $s: no such script" >&2; exit 1; }
	echo "-f"
	echo "$s=/scripts/$n-$(basename "$s" .sh).sh"
	n=$((n + 1))
done >"$out/layer.args"
# One argument per line of layer.args: split at newlines only.
IFS='
'
# shellcheck disable=SC2046
"$here/mkinitramfs.sh" -o "$out/layer.cpio" -x "$kesu=/usr/bin/kesu" $(cat "$out/layer.args")
unset IFS
cat "$base" "$out/layer.cpio" >"$out/initrd"
flock -u 9
rm -f "$out/layer.cpio" "$out/layer.args"

# The compressed bzImage, not the uncompressed vmlinux: QEMU loads an ELF
# (PVH) kernel as ROM blobs and copies them back into guest RAM at every
# system reset, including the one that wakes a guest from S3, so a guest
# booted from vmlinux crashes right after SeaBIOS jumps to its resume vector
# (kesu unfreeze in check_guest suspends the guest).
kernel="$kdir/vmlinuz"
[ -f "$kernel" ] || kernel="$kdir/vmlinux"
: >"$out/console.log"
: >"$out/results.log"

start=$(date +%s.%N)
set +e
timeout -k 5 "$timeout" qemu-system-x86_64 -accel "${KESU_QEMU_ACCEL:-tcg}" -cpu "${KESU_QEMU_CPU:-max}" -m "$mem" -smp 1 \
	-nodefaults -nographic -no-reboot -no-user-config -net none \
	-kernel "$kernel" -initrd "$out/initrd" \
	-append "console=ttyS0 panic=-1 oops=panic quiet loglevel=4 mitigations=off usb-storage.delay_use=0 kesu.disks=$disks" \
	-serial "file:$out/console.log" -serial "file:$out/results.log" \
	-monitor none -parallel none \
	"$@" </dev/null >"$out/qemu.log" 2>&1
rc=$?
set -e
end=$(date +%s.%N)
secs=$(echo "$start $end" | awk '{ printf "%.1f", $2 - $1 }')
ready=$(sed -n 's/^@@KESU-START uptime=\([0-9.]*\).*/\1/p' "$out/results.log" | head -1)
finished=$(sed -n 's/^@@KESU-DONE uptime=\([0-9.]*\).*/\1/p' "$out/results.log" | head -1)
echo "run-guest: guest ran ${secs} s (qemu status $rc); guest uptime: disks ready ${ready:-?} s, scripts done ${finished:-?} s" >&2

if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
	echo "run-guest: timed out after $timeout s; console: $out/console.log" >&2
	exit 124
fi
if [ $rc -ne 0 ]; then
	echo "run-guest: qemu failed ($rc):" >&2
	sed 's/^/  /' "$out/qemu.log" >&2
	exit 1
fi
if ! grep -q '^@@KESU-DONE' "$out/results.log"; then
	echo "run-guest: the guest stopped before its scripts finished; console: $out/console.log" >&2
	{ grep -a -E 'Kernel panic|kesu-guest:' "$out/console.log" | tail -8; tail -8 "$out/console.log"; } |
		sed 's/^/  /' >&2
	exit 1
fi
exit 0
