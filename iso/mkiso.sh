#!/bin/sh
# Build kesu's bootable image: a hybrid ISO 9660 file that boots from a DVD or,
# written to a USB stick with dd, on BIOS and UEFI machines, with a writable
# FAT partition labelled KESU-EVID appended after the ISO data.
#
#   iso/mkiso.sh -k KESU -o OUT.iso [-c CACHE] [-e EVIDENCE_MIB] [-N NETDIR]
#   iso/mkiso.sh -k KESU -N NETDIR [-c CACHE]
#
# -N NETDIR also (or, without -o, only) writes the kernel and the initramfs
# for a network boot: NETDIR/vmlinuz and NETDIR/initrd.img (make netboot).
#
# Pieces, all from Debian packages (the kernel fetched with apt-get download by
# tests/qemu/fetch-kernel.sh; the rest from this machine's installed packages):
#   Debian's kernel; the storage, USB, input, FAT/exFAT/ISO 9660 modules
#   (loaded at boot by modalias, so unknown hardware works); the wired network
#   drivers of PCs and virtual machines (Intel e1000/e1000e/igb/igc, Realtek,
#   Broadcom, virtio-net) for a network boot; busybox-static (udhcpc, tftp);
#   kmod (modprobe by alias); kesu and its shared libraries; the IPAex Gothic
#   font with fontconfig; terminfo; the time zone data for Japan and UTC
#   (tzdata: the paperwork's dates); iso/init as /init; /etc/kesu-build-time,
#   the image's build time (UTC), before which no clock is accepted.
# Boot loaders: on BIOS, GRUB (El Torito, and from the MBR on a stick); on UEFI,
# Debian's signed shim and GRUB (iso/fetch-efi.sh, apt-get download) in an EFI
# system partition image, so the image boots with Secure Boot on: shim is
# signed by Microsoft, GRUB and the kernel by Debian. xorriso writes the hybrid
# image and appends the evidence partition.
#
# Prints the image's size. Exit status 77 when a tool or the kernel is missing.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
q="$top/tests/qemu"
PATH="$PATH:/sbin:/usr/sbin"

kesu="" out="" cache="$top/build/qemu" ev_mib=32 netdir=""
while getopts k:o:c:e:N:h opt; do
	case $opt in
	k) kesu=$OPTARG ;;
	o) out=$OPTARG ;;
	c) cache=$OPTARG ;;
	e) ev_mib=$OPTARG ;;
	N) netdir=$OPTARG ;;
	*) sed -n '2,/^set -eu/p' "$0" | sed 's/^# \{0,1\}//; /^set -eu/d' >&2; exit 2 ;;
	esac
done
[ -n "$kesu" ] && { [ -n "$out" ] || [ -n "$netdir" ]; } || { echo "mkiso: -k KESU and -o OUT (or -N NETDIR) are required" >&2; exit 2; }

skip() { echo "mkiso: $*" >&2; exit 77; }
[ -f /usr/share/zoneinfo/Asia/Tokyo ] || skip "no time zone data (apt-get install tzdata)"
for t in grub-mkimage xorriso mformat mkfs.vfat cpio depmod zstd; do
	command -v $t >/dev/null 2>&1 || skip "$t is missing: apt-get install grub-pc-bin grub-common xorriso mtools dosfstools cpio kmod zstd"
done
[ -d /usr/lib/grub/i386-pc ] || skip "no GRUB for BIOS: apt-get install grub-pc-bin"
busybox=/bin/busybox
[ -x $busybox ] && ! ldd $busybox >/dev/null 2>&1 || skip "no static busybox (apt-get install busybox-static)"
font=/usr/share/fonts/opentype/ipaexfont-gothic
[ -d $font ] || skip "no IPAex Gothic font (apt-get install fonts-ipaexfont-gothic)"

mkdir -p "$cache"
set +e
kdir=$("$q/fetch-kernel.sh" "$cache")
rc=$?
set -e
[ $rc -eq 0 ] || { [ $rc -eq 77 ] && skip "no kernel"; exit 1; }
version=$(cat "$kdir/version")
set +e
efi=$("$here/fetch-efi.sh" "$cache")
rc=$?
set -e
[ $rc -eq 0 ] || { [ $rc -eq 77 ] && skip "no signed UEFI boot loaders"; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/kesu-iso.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
mkdir -p "$work/tree/boot/grub" "$work/etc"

# Modules: every storage and USB driver, input (keyboards), the file systems
# the evidence stick and the boot medium use. drivers/scsi includes the SAS
# and RAID HBAs found in servers; usb/class holds usblp, for label printers.
MDIRS="kernel/drivers/ata kernel/drivers/nvme kernel/drivers/scsi kernel/drivers/usb/host
kernel/drivers/usb/storage kernel/drivers/usb/common kernel/drivers/usb/core kernel/drivers/usb/class kernel/drivers/mmc
kernel/drivers/memstick kernel/drivers/hid kernel/drivers/input/keyboard kernel/drivers/input/serio
kernel/drivers/virtio kernel/drivers/block/virtio_blk.ko kernel/drivers/cdrom kernel/drivers/message
kernel/fs/fat kernel/fs/exfat kernel/fs/isofs kernel/fs/nls kernel/fs/efivarfs
kernel/drivers/net/ethernet/intel/e1000 kernel/drivers/net/ethernet/intel/e1000e kernel/drivers/net/ethernet/intel/igb
kernel/drivers/net/ethernet/intel/igc kernel/drivers/net/ethernet/realtek kernel/drivers/net/ethernet/broadcom/tg3.ko
kernel/drivers/net/virtio_net.ko"
margs=""
for d in $MDIRS; do
	case $d in
	*.ko) margs="$margs -m $(basename "$d" .ko)" ;;
	*) [ -d "$kdir/lib/modules/$version/$d" ] && margs="$margs -M $d" ;;
	esac
done

# The initramfs in two archives (the kernel unpacks concatenated archives in
# order): a base of modules, busybox, kmod, fonts and terminfo, cached in CACHE
# because resolving a thousand modules' dependencies takes minutes; and a small
# layer with kesu, its libraries and the init, built every time.
datadir=/usr/local/share/kesu
key=$({
	echo "$kdir $MDIRS"
	sha256sum "$busybox" /usr/bin/kmod "$q/mkinitramfs.sh"; echo base-v1
	ls -l "$font" /etc/fonts
} | sha256sum | cut -c1-16)
base="$cache/iso-base-$key.cpio.zst"
if [ ! -f "$base" ]; then
	rm -f "$cache"/iso-base-*.cpio.zst
	echo "mkiso: building the module base (once per kernel; a few minutes)" >&2
	# shellcheck disable=SC2086
	"$q/mkinitramfs.sh" -o "$work/base.cpio" -k "$kdir" $margs -B "$busybox" \
		-x /usr/bin/kmod=/usr/sbin/kmod \
		-D "$font=/usr/share/fonts/opentype/ipaexfont-gothic" -D /etc/fonts=/etc/fonts -D /lib/terminfo=/lib/terminfo
	zstd -q -19 -T0 "$work/base.cpio" -o "$base.tmp"
	mv "$base.tmp" "$base"
fi

# /etc/kesu-image: what the init and the TUI show.
built=$(date -u +%Y-%m-%dT%H:%M:%SZ)
echo "kesu $(sed -n 's/^VERSION *:= *//p' "$top/Makefile") boot image, kernel $version, built $built" >"$work/kesu-image"
# No clock earlier than this is accepted at boot (kesu clock, the TUI's first screen).
echo "$built" >"$work/kesu-build-time"
args="-o $work/layer.cpio -i $here/init -x $kesu=/usr/sbin/kesu -x /usr/sbin/blkid=/usr/sbin/blkid -f $work/kesu-image=/etc/kesu-image"
args="$args -f $work/kesu-build-time=/etc/kesu-build-time"
# Zone data: the paperwork's zone (default Asia/Tokyo; the whole of Asia), UTC.
zi=/usr/share/zoneinfo
args="$args -D $zi/Asia=$zi/Asia -D $zi/Etc=$zi/Etc -f $(readlink -f $zi/UTC)=$zi/UTC"
[ -x /usr/bin/openssl ] && args="$args -x /usr/bin/openssl=/usr/bin/openssl"
[ -d "$top/labels" ] && args="$args -D $top/labels=$datadir/labels"
[ -d "$top/reports" ] && args="$args -D $top/reports=$datadir/reports"
# shellcheck disable=SC2086
"$q/mkinitramfs.sh" $args
zstd -q -19 -T0 "$work/layer.cpio" -o "$work/layer.cpio.zst"
cat "$base" "$work/layer.cpio.zst" >"$work/tree/boot/initrd.img"
cp "$kdir/vmlinuz" "$work/tree/boot/vmlinuz"
if [ -n "$netdir" ]; then
	mkdir -p "$netdir"
	cp "$work/tree/boot/vmlinuz" "$netdir/vmlinuz.tmp" && mv "$netdir/vmlinuz.tmp" "$netdir/vmlinuz"
	cp "$work/tree/boot/initrd.img" "$netdir/initrd.img.tmp" && mv "$netdir/initrd.img.tmp" "$netdir/initrd.img"
	cp "$work/kesu-image" "$netdir/kesu-image"
	echo "mkiso: network boot: $netdir/vmlinuz and $netdir/initrd.img ($(($(stat -c %s "$netdir/initrd.img") / 1048576)) MiB)"
	[ -n "$out" ] || exit 0
fi

volid=KESU_BOOT
cp "$here/grub.cfg" "$work/tree/boot/grub/grub.cfg"
printf '%s\n' "$volid" >"$work/tree/kesu-boot"
# Debian's signed GRUB for CDs finds its medium by this file.
mkdir -p "$work/tree/.disk"
echo "kesu boot image" >"$work/tree/.disk/info"

# The evidence partition: FAT, label KESU-EVID (FAT labels hold 11 characters), with a note for operators.
mkfs.vfat -n KESU-EVID -C "$work/evidence.img" $((ev_mib * 1024)) >/dev/null
cp "$here/EVIDENCE-README.txt" "$work/README.txt"
mcopy -i "$work/evidence.img" "$work/README.txt" ::README.txt
mmd -i "$work/evidence.img" ::kesu

# BIOS: GRUB's El Torito core (also started from the MBR when the image is on
# a USB stick), its modules beside it.
mkdir -p "$work/tree/boot/grub/i386-pc"
cp /usr/lib/grub/i386-pc/*.mod /usr/lib/grub/i386-pc/*.lst "$work/tree/boot/grub/i386-pc/"
grub-mkimage -O i386-pc-eltorito -d /usr/lib/grub/i386-pc -p /boot/grub \
	-o "$work/tree/boot/grub/i386-pc/eltorito.img" biosdisk iso9660 part_msdos part_gpt

# UEFI: an EFI system partition image holding shim, signed GRUB and MokManager,
# so the image boots with Secure Boot on.
efisize=$(du -kc "$efi/shimx64.efi" "$efi/grubx64.efi" "$efi/mmx64.efi" | tail -1 | cut -f1)
mkfs.vfat -n KESU_EFI -C "$work/tree/efi.img" $((efisize + 512)) >/dev/null
mmd -i "$work/tree/efi.img" ::EFI ::EFI/boot
mcopy -i "$work/tree/efi.img" "$efi/shimx64.efi" ::EFI/boot/bootx64.efi
mcopy -i "$work/tree/efi.img" "$efi/grubx64.efi" ::EFI/boot/grubx64.efi
mcopy -i "$work/tree/efi.img" "$efi/mmx64.efi" ::EFI/boot/mmx64.efi

xorriso -as mkisofs -graft-points -V "$volid" -r \
	-b boot/grub/i386-pc/eltorito.img -no-emul-boot -boot-load-size 4 -boot-info-table \
	--grub2-boot-info --grub2-mbr /usr/lib/grub/i386-pc/boot_hybrid.img \
	-apm-block-size 2048 --efi-boot efi.img -efi-boot-part --efi-boot-image --protective-msdos-label \
	-append_partition 3 0x0c "$work/evidence.img" \
	-o "$work/out.iso" "$work/tree" >"$work/xorriso.log" 2>&1 ||
	{ cat "$work/xorriso.log" >&2; exit 1; }
mv "$work/out.iso" "$out"

bytes=$(stat -c %s "$out")
echo "mkiso: $out: $((bytes / 1048576)) MiB ($bytes bytes; kernel $(($(stat -c %s "$kdir/vmlinuz") / 1048576)) MiB, initramfs $(($(stat -c %s "$work/tree/boot/initrd.img") / 1048576)) MiB, evidence partition $ev_mib MiB; target: under 200 MiB)"
echo "mkiso: UEFI boot chain: $(tr '\n' ' ' <"$efi/versions")and Debian's signed kernel $version; boot time: make iso-test"
