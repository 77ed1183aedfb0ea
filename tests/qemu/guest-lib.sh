# Helpers for the scripts that run inside kesu's QEMU test guests (busybox sh).
# /init sources this file before it runs /scripts/*.sh; $KESU_RESULTS is the
# results port (/dev/ttyS1).
#
# The result format, read by the host (tests/check_guest.c):
#   @@KESU-BEGIN NAME
#   <bytes, exactly as the command wrote them>
#   @@KESU-END NAME rc=STATUS
# The newline before @@KESU-END belongs to the marker, not to the output.
# `section` writes two of them per command: NAME (stdout) and NAME.stderr.

# Write FILE as section NAME with status RC.
emit() {
	{
		echo "@@KESU-BEGIN $1"
		cat "$2"
		echo
		echo "@@KESU-END $1 rc=$3"
	} >>"$KESU_RESULTS"
}

# section NAME COMMAND [ARG...]: run the command, report stdout, stderr and status.
# A program is stopped after $SECTION_TIMEOUT seconds (default 120; status 143),
# so that one hung command costs its section, not the whole boot.
section() {
	_name=$1
	shift
	case $(type "$1" 2>/dev/null) in
	*function*) "$@" >/tmp/section.out 2>/tmp/section.err ;;
	*) timeout "${SECTION_TIMEOUT:-120}" "$@" >/tmp/section.out 2>/tmp/section.err ;;
	esac
	_rc=$?
	emit "$_name" /tmp/section.out $_rc
	emit "$_name.stderr" /tmp/section.err $_rc
	echo "kesu-guest: [$(cut -d' ' -f1 /proc/uptime)] $_name: $* -> $_rc"
	return 0
}

# The whole disks the kernel sees (sda nvme0n1 ...), sorted.
guest_disks() {
	for d in /sys/block/*; do
		case ${d##*/} in loop* | ram* | zram* | sr*) continue ;; esac
		echo "${d##*/}"
	done
}

# The serial number the kernel reports for disk NAME: NVMe controllers have a
# serial attribute, virtio-blk disks their own, SCSI disks (and ATA disks behind libata's SAT layer) the
# unit serial number VPD page 0x80 (4 header bytes, then the serial).
disk_serial() {
	if [ -f "/sys/block/$1/device/serial" ]; then
		sed 's/[[:space:]]*$//' "/sys/block/$1/device/serial"
	elif [ -f "/sys/block/$1/serial" ]; then
		sed 's/[[:space:]]*$//' "/sys/block/$1/serial"
	elif [ -f "/sys/block/$1/device/vpd_pg80" ]; then
		tail -c +5 "/sys/block/$1/device/vpd_pg80" | tr -d '\000' | sed 's/^[[:space:]]*//; s/[[:space:]]*$//'
		echo
	fi
}

# The iSerial string of the USB device above disk NAME (empty if none).
disk_usb_serial() {
	p=$(readlink -f "/sys/block/$1/device")
	while [ "$p" != / ] && [ -n "$p" ]; do
		if [ -f "$p/idVendor" ]; then
			cat "$p/serial" 2>/dev/null
			return 0
		fi
		p=${p%/*}
	done
}

# The transport, by the same rule kesu uses: where the device sits in sysfs.
disk_transport() {
	p=$(readlink -f "/sys/block/$1")
	case $p in
	*/usb*) echo usb ;;
	*/ata*) echo sata ;;
	*/nvme*) echo nvme ;;
	*/virtio*/host*) echo scsi ;;
	*/virtio*) echo virtio ;;
	*/host*) echo scsi ;;
	*) echo unknown ;;
	esac
}

# /dev/NAME of the disk whose serial is $1 (empty if none).
disk_by_serial() {
	for d in $(guest_disks); do
		if [ "$(disk_serial "$d")" = "$1" ]; then
			echo "/dev/$d"
			return 0
		fi
	done
	return 1
}

# What the kernel says about every disk, as key=value lines, one block per disk
# separated by an empty line. Independent of kesu: it checks the harness itself.
sysfs_facts() {
	for d in $(guest_disks); do
		echo "name=$d"
		echo "transport=$(disk_transport "$d")"
		echo "size=$(($(cat "/sys/block/$d/size") * 512))"
		echo "serial=$(disk_serial "$d")"
		echo "usb_serial=$(disk_usb_serial "$d")"
		echo "model=$(sed 's/[[:space:]]*$//' "/sys/block/$d/device/model" 2>/dev/null)"
		echo "head=$(dd if="/dev/$d" bs=16 count=1 2>/dev/null | od -An -tx1 | tr -d ' \n')"
		echo
	done
}
