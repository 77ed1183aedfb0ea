#!/bin/sh
# Boot kesu's image in QEMU (TCG) and check from the host what it did.
#
#   iso/iso-test.sh -i KESU.ISO -k KESU -o OUTDIR [MODE...]
#
# MODE (default: all four):
#   bios        unattended, SeaBIOS, booted from the stick
#   uefi        unattended, OVMF, booted from the stick
#   secureboot  unattended, OVMF with Microsoft's keys and Secure Boot on,
#               booted from the image as a DVD, evidence on a stick of its own
#               (exFAT, or FAT without exfatprogs and exfat-fuse, in a GPT
#               partition named KESU-EVIDENCE)
#   tui         the TUI on the serial console, driven through tmux (SeaBIOS)
#   boottime    (not in the default) only measure kernel start to the TUI,
#               with KVM when KVM works here
# QEMU runs under TCG; KESU_QEMU_ACCEL=kvm makes every mode use KVM.
# Each boot gets an emulated NVMe disk and a SATA (AHCI) disk, both filled with
# a known pattern, and a USB stick: the image itself written "with dd" (its
# evidence partition), or the stick of its own. The stick holds a signing key
# (made here with kesu ca / kesu key) and the boot options (kesu/cmdline).
# After the guest powers off:
#   unattended: neither disk holds the pattern anywhere; the evidence partition
#     holds a certificate per disk (by serial); each verifies with
#     openssl cms -verify against the test's root; the stick's image part is
#     unchanged (the boot medium was not touched); the boot log says how the
#     guest booted (BIOS; UEFI; UEFI with Secure Boot on and kernel lockdown).
#   tui: the one drive chosen holds no pattern, the other is untouched, and its
#     certificate verifies.
# The clock (each check folded into a boot above): the bios guest's real-time
#   clock starts in 2000 and kesu.time= corrects it: its certificates are not
#   dated 2000 but between that time and the host's; the uefi guest's clock is
#   in local time (-rtc base=localtime, TZ=Asia/Tokyo for QEMU) and nobody
#   says so: its certificates say the clock was not confirmed; the tui guest's
#   clock is in local time too, the operator answers "local time" on the
#   TUI's first screen, and its certificate's time is the host's UTC within a
#   minute.
# Prints "iso-test: MODE: ok|FAIL what" lines, and timings.
# Exit status: 0 all passed, 1 a check failed, 77 QEMU/OVMF/tmux/mtools missing.
set -eu

labels=""
here=$(cd "$(dirname "$0")" && pwd)
iso="" kesu="" out=""
while getopts i:k:o:h opt; do
	case $opt in
	i) iso=$OPTARG ;;
	k) kesu=$OPTARG ;;
	o) out=$OPTARG ;;
	*) sed -n '2,/^set -eu/p' "$0" | sed 's/^# \{0,1\}//; /^set -eu/d' >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
modes=${*:-bios uefi secureboot tui}
[ -f "$iso" ] && [ -x "$kesu" ] && [ -n "$out" ] || { echo "iso-test: -i ISO -k KESU -o OUTDIR" >&2; exit 2; }
PATH="$PATH:/sbin:/usr/sbin"
skip() { echo "iso-test: SKIP: $*" >&2; exit 77; }
command -v qemu-system-x86_64 >/dev/null || skip "no qemu-system-x86_64"
command -v mcopy >/dev/null || skip "no mtools"
command -v openssl >/dev/null || skip "no openssl"
OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd
OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd
# Secure Boot: the SMM build of OVMF with Microsoft's keys enrolled and Secure Boot on.
OVMF_SB_CODE=/usr/share/OVMF/OVMF_CODE_4M.secboot.fd
OVMF_SB_VARS=/usr/share/OVMF/OVMF_VARS_4M.ms.fd

mkdir -p "$out"
out=$(cd "$out" && pwd)
PATTERN=KESU-ISO-TEST-PATTERN-0123456789
NVME_SERIAL=KESUISONVME1
SATA_SERIAL=KESUISOSATA1
failures=0

fail() { echo "iso-test: $mode: FAIL $*"; failures=$((failures + 1)); }
ok() { echo "iso-test: $mode: ok $*"; }

# Keys: an offline root and a signer certificate it issued.
keys() {
	[ -f "$out/key/signer.pem" ] && return 0
	rm -rf "$out/ca" "$out/key"
	"$kesu" ca init --dir "$out/ca" --subject "/CN=kesu iso test root" >/dev/null
	"$kesu" key init --dir "$out/key" --subject "/CN=kesu iso test signer" >/dev/null
	"$kesu" ca sign "$out/key/signer.csr" --dir "$out/ca" --out "$out/key/signer.pem" >/dev/null
}

# The byte offset of the partition labelled KESU-EVID in image $1.
evidence_offset() {
	sfdisk -d "$1" 2>/dev/null | sed -n 's/.*start= *\([0-9]*\),.*/\1/p' | while read -r s; do
		if mlabel -s -i "$1@@$((s * 512))" :: 2>/dev/null | grep -q KESU-EVID; then
			echo $((s * 512))
			return 0
		fi
	done
}

fill() {
	yes "$PATTERN" | head -c $((64 * 1024 * 1024)) >"$1"
}

EV_SECTORS=120832

# exFAT sticks are made with exfatprogs and read on the host through
# exfat-fuse (this host's kernel may have no exFAT); without them, FAT.
have_exfat() {
	command -v mkfs.exfat >/dev/null && command -v mount.exfat-fuse >/dev/null && command -v losetup >/dev/null
}

# evidence_stick DIR: DIR/stick.img, 64 MiB, as an operator might prepare one:
# a GPT partition named KESU-EVIDENCE holding an unlabelled exFAT (else FAT)
# file system; DIR/evidence.fs says which. Prints the partition's offset.
evidence_stick() {
	img=$1/stick.img
	truncate -s 64M "$img"
	printf 'label: gpt\nstart=2048, size=%s, type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7, name="KESU-EVIDENCE"\n' \
		$EV_SECTORS | sfdisk -q "$img" >/dev/null
	rm -f "$img.fs"
	if have_exfat; then
		truncate -s $((EV_SECTORS * 512)) "$img.fs"
		mkfs.exfat "$img.fs" >/dev/null
		echo exfat >"$1/evidence.fs"
	else
		mkfs.vfat -C "$img.fs" $((EV_SECTORS / 2)) >/dev/null
		echo vfat >"$1/evidence.fs"
	fi
	dd if="$img.fs" of="$img" bs=1M seek=1 conv=notrunc status=none
	rm -f "$img.fs"
	echo $((2048 * 512))
}

# exfat_mount DIR: the stick's exFAT partition mounted at DIR/mnt; exfat_umount undoes it.
exfat_mount() {
	mkdir -p "$1/mnt"
	loop=$(losetup -f --show -o "$(cat "$1/evidence.offset")" --sizelimit $((EV_SECTORS * 512)) "$1/stick.img")
	echo "$loop" >"$1/mnt.loop"
	mount.exfat-fuse "$loop" "$1/mnt" >/dev/null
}
exfat_umount() {
	umount "$1/mnt" 2>/dev/null
	losetup -d "$(cat "$1/mnt.loop")" 2>/dev/null
	rm -f "$1/mnt.loop"
}

# ev_put DIR FILE...: copy files into kesu/ on the stick's evidence partition.
ev_put() {
	d=$1
	shift
	if [ "$(cat "$d/evidence.fs")" = exfat ]; then
		exfat_mount "$d"
		mkdir -p "$d/mnt/kesu"
		cp "$@" "$d/mnt/kesu/"
		exfat_umount "$d"
	else
		mmd -D s -i "$d/stick.img@@$(cat "$d/evidence.offset")" ::kesu 2>/dev/null || true
		for f in "$@"; do
			mcopy -o -i "$d/stick.img@@$(cat "$d/evidence.offset")" "$f" ::kesu/
		done
	fi
}

# ev_get DIR: kesu-evidence/ from the stick into DIR/evidence/; false when there is none.
ev_get() {
	rm -rf "$1/evidence"
	mkdir -p "$1/evidence"
	if [ "$(cat "$1/evidence.fs")" = exfat ]; then
		exfat_mount "$1"
		rc=0
		cp -r "$1/mnt/kesu-evidence" "$1/evidence/" 2>/dev/null || rc=1
		exfat_umount "$1"
		return $rc
	fi
	mcopy -s -n -i "$1/stick.img@@$(cat "$1/evidence.offset")" ::kesu-evidence "$1/evidence/" 2>/dev/null
}

# prepare DIR CMDLINE [dvd]: the evidence stick, with the key and the options on
# it, and two disks. The stick is the image itself, written to it "with dd",
# or, with dvd (the image is then a DVD), a stick of its own.
prepare() {
	rm -rf "$1"
	mkdir -p "$1"
	if [ "${3:-}" = dvd ]; then
		off=$(evidence_stick "$1")
	else
		cp "$iso" "$1/stick.img"
		truncate -s +8M "$1/stick.img"   # a stick is larger than the image written to it
		off=$(evidence_offset "$1/stick.img")
		echo vfat >"$1/evidence.fs"
	fi
	[ -n "$off" ] || { fail "no KESU-EVID partition in $iso"; return 1; }
	echo "$off" >"$1/evidence.offset"
	printf '%s\n' "$2" >"$1/cmdline"
	ev_put "$1" "$out/key/signer.key" "$out/key/signer.pem" "$out/ca/root.pem" "$1/cmdline"
	fill "$1/nvme.img"
	fill "$1/sata.img"
}

# qemu_args DIR FIRMWARE [dvd]; $rtc: QEMU's -rtc option for this guest, if any
qemu_args() {
	d=$1
	echo "$ACCEL -m 1024 -smp 2 -nodefaults -no-user-config -no-reboot -net none -vga none ${rtc:+-rtc $rtc}"
	echo "-drive if=none,id=nvme,format=raw,file=$d/nvme.img -device nvme,serial=$NVME_SERIAL,drive=nvme"
	echo "-drive if=none,id=sata,format=raw,file=$d/sata.img -device ahci,id=ahci -device ide-hd,bus=ahci.0,drive=sata,serial=$SATA_SERIAL"
	if [ "${3:-}" = dvd ]; then
		echo "-drive if=none,id=dvd,format=raw,readonly=on,file=$iso -device ide-cd,bus=ahci.1,drive=dvd,bootindex=0"
		echo "-drive if=none,id=stick,format=raw,file=$d/stick.img -device qemu-xhci -device usb-storage,drive=stick,serial=KESUEVSTICK"
	else
		echo "-drive if=none,id=stick,format=raw,file=$d/stick.img -device qemu-xhci -device usb-storage,drive=stick,serial=KESUISOSTICK,bootindex=0"
	fi
	case $2 in
	uefi)
		cp "$OVMF_VARS" "$d/vars.fd"
		echo "-drive if=pflash,format=raw,readonly=on,file=$OVMF_CODE -drive if=pflash,format=raw,file=$d/vars.fd" ;;
	secureboot)
		cp "$OVMF_SB_VARS" "$d/vars.fd"
		echo "-machine q35,smm=on -global driver=cfi.pflash01,property=secure,value=on"
		echo "-drive if=pflash,format=raw,readonly=on,file=$OVMF_SB_CODE -drive if=pflash,format=raw,file=$d/vars.fd" ;;
	esac
}

# check_disk IMG NAME: no pattern anywhere in the backing file.
check_clean() {
	if grep -aqF "$PATTERN" "$1"; then
		fail "$2: the pattern is still on the disk ($(grep -acF "$PATTERN" "$1") lines)"
	else
		ok "$2: no pattern left anywhere in the disk's $(($(stat -c %s "$1") / 1048576)) MiB"
	fi
}

# check_label KC-PATH-WITHOUT-.json: its label PDF is there and its PNG's QR
# code names the certificate and the first 16 hex digits of its SHA-256.
check_label() {
	id=$(basename "$1")
	[ -f "$1-label.pdf" ] || { fail "no label PDF for $id"; return; }
	if ! command -v zbarimg >/dev/null; then
		ok "  its label PDF is there (no zbarimg to read the QR code)"
		return
	fi
	qr=$(zbarimg --raw -q "$1-label.png" 2>/dev/null | head -1)
	sha=$(sha256sum "$1.json" | cut -c1-16 | tr a-f A-F)
	case $qr in
	"KESU:C:$id:$sha") ok "  its label's QR code reads $qr (the certificate's SHA-256 prefix)" ;;
	*) fail "the label of $id: QR code reads '$qr'" ;;
	esac
}

# check_certs DIR SERIAL...: a certificate per serial, each verifying with the root.
check_certs() {
	d=$1
	shift
	ev_get "$d" || { fail "no kesu-evidence directory on the evidence partition"; return; }
	ev="$d/evidence/kesu-evidence"
	for serial in "$@"; do
		found=""
		for c in "$ev"/KC-*.json; do
			[ -f "$c" ] || continue
			grep -q "\"$serial\"" "$c" && found=$c
		done
		if [ -z "$found" ]; then
			fail "no certificate for the disk with serial $serial in $ev"
			continue
		fi
		if openssl cms -verify -binary -inform PEM -in "$found.p7s" -content "$found" \
			-CAfile "$out/ca/root.pem" -out /dev/null 2>"$d/verify.err"; then
			ok "certificate $(basename "$found") for $serial verifies with openssl cms -verify${3:+}"
		else
			fail "certificate $found does not verify: $(cat "$d/verify.err")"
		fi
		[ -f "${found%.json}.pdf" ] && ok "  and its PDF is there"
		if [ -n "$labels" ]; then check_label "${found%.json}"; fi
	done
}

# cert_field CERT JQ-PATH: one string of a certificate (jq).
cert_field() {
	jq -r "$2 // empty" "$1" 2>/dev/null
}

# epoch RFC3339: seconds since 1970, or empty.
epoch() {
	date -u -d "$1" +%s 2>/dev/null
}

# check_clock DIR SERIAL WANT-SOURCE FROM TO: the certificate of SERIAL names
# its time source WANT-SOURCE and was started between FROM and TO (epoch
# seconds; empty: not checked); an unconfirmed one says so on its PDF.
check_clock() {
	c=$(grep -l "\"$2\"" "$1"/evidence/kesu-evidence/KC-*.json 2>/dev/null | head -1)
	[ -n "$c" ] || { fail "clock: no certificate for $2"; return; }
	src=$(cert_field "$c" .record.time.source)
	at=$(cert_field "$c" .record.started_at)
	off=$(cert_field "$c" .record.time.offset_ms)
	[ "$src" = "$3" ] && ok "clock: the certificate's time source is $src (offset ${off:-?} ms), started $at" ||
		fail "clock: time source '$src', not '$3' ($c)"
	if [ -n "${4:-}" ]; then
		s=$(epoch "$at")
		if [ -n "$s" ] && [ "$s" -ge "$4" ] && [ "$s" -le "$5" ]; then
			ok "clock: started_at $at lies between $(date -u -d @"$4" +%H:%M:%S) and $(date -u -d @"$5" +%H:%M:%SZ) by the host's clock"
		else
			fail "clock: started_at $at is not between $(date -u -d @"$4" +%FT%TZ) and $(date -u -d @"$5" +%FT%TZ) (host UTC)"
		fi
	fi
	if [ "$3" = rtc-unconfirmed ] && command -v pdftotext >/dev/null; then
		pdftotext "${c%.json}.pdf" - 2>/dev/null | grep -q "CLOCK NOT CONFIRMED" &&
			ok "clock: the certificate PDF says the clock was not confirmed" ||
			fail "clock: the PDF of an unconfirmed clock does not say so"
	fi
}

# The stick's image part is what was written: the boot medium was not erased.
check_medium() {
	n=$(cat "$1/evidence.offset")
	if cmp -s -n "$n" "$iso" "$1/stick.img"; then
		ok "the boot stick's image part is unchanged"
	else
		fail "the boot stick's image part changed"
	fi
}

# check_boot_log DIR FIRMWARE: the init's log on the evidence partition says
# how the machine booted; with Secure Boot it must say Secure Boot was on.
check_boot_log() {
	log=$(ls "$1"/evidence/kesu-evidence/boot-*.log 2>/dev/null | tail -1)
	[ -n "$log" ] || { fail "no boot log on the evidence partition"; return; }
	state=$(grep -a -o 'BIOS boot.*\|UEFI boot.*' "$log" | head -1)
	case $2 in
	bios) want="BIOS boot" ;;
	uefi) want="UEFI boot, Secure Boot off" ;;
	secureboot) want="UEFI boot, Secure Boot on (kernel lockdown: integrity)" ;;
	esac
	if [ "$state" = "${want}" ] || { [ "$2" = bios ] && [ "${state#BIOS boot}" != "$state" ]; }; then
		ok "the guest reports: $state"
	else
		fail "the guest reports \"$state\", not \"$want\""
	fi
	m=$(grep -a -o 'boot medium: /dev/[a-z0-9]*' "$log" | head -1)
	[ -n "$m" ] && ok "the init found its $m" || fail "the init did not find its boot medium: $(grep -a 'boot medium' "$log")"
	t=$(sed -n 's/^\[\([0-9.]*\)\] drivers loaded.*/\1/p' "$log" | tail -1)
	echo "iso-test: $mode: drivers loaded and disks found ${t:-?} s after kernel start ($ACCEL_NAME)"
}

# await_poweroff CONSOLE PID: wait for QEMU (PID) to exit after the guest
# powers off. The evidence is synced and unmounted before the init says
# "powering off"; a guest whose firmware then fails to power off (seen once
# with OVMF under TCG) is stopped after 60 s and reported, not failed: the
# operator's next step would be the power button.
await_poweroff() {
	said=""
	while kill -0 "$2" 2>/dev/null; do
		if [ -z "$said" ] && grep -aq "kesu: powering off" "$1" 2>/dev/null; then
			said=$(date +%s)
		fi
		if [ -n "$said" ] && [ $(($(date +%s) - said)) -gt 60 ]; then
			echo "iso-test: $mode: NOTE the guest said 'powering off' but was still running 60 s later; stopped it"
			kill "$2" 2>/dev/null
			wait "$2" 2>/dev/null
			return 0
		fi
		sleep 1
	done
	wait "$2" && return 0
	rc=$?
	fail "QEMU did not power off cleanly (status $rc; $1)"
	tail -5 "$1"
	return 1
}

# unattended FIRMWARE [dvd]
unattended() {
	d="$out/$mode"
	extra="" rtc="" from=""
	case $1 in
	bios)   # a flat CMOS battery: the clock starts in 2000; kesu.time= corrects it
		rtc=base=2000-01-01 from=$(date -u +%s)
		extra="kesu.time=$(date -u -d @"$from" +%Y-%m-%dT%H:%M:%SZ)" ;;
	uefi)   # a clock in local time (Windows), and nobody says so
		rtc=base=localtime ;;
	esac
	prepare "$d" "kesu.auto=1 kesu.method=auto kesu.poweroff=1 $extra" "${2:-}" || return
	start=$(date +%s)
	# shellcheck disable=SC2046
	TZ=Asia/Tokyo timeout -k 5 240 qemu-system-x86_64 $(qemu_args "$d" "$1" "${2:-}") -display none \
		-serial "file:$d/console.log" -monitor none </dev/null >"$d/qemu.log" 2>&1 &
	qemu=$!
	await_poweroff "$d/console.log" "$qemu" || true
	secs=$(($(date +%s) - start))
	check_clean "$d/nvme.img" "NVMe disk"
	check_clean "$d/sata.img" "SATA disk"
	labels=1
	check_certs "$d" "$NVME_SERIAL" "$SATA_SERIAL"
	labels=""
	if [ "${2:-}" = dvd ]; then
		ok "booted from the image as a DVD; evidence went to a stick of its own ($(cat "$d/evidence.fs") in a GPT partition named KESU-EVIDENCE)"
	else
		check_medium "$d"
	fi
	check_boot_log "$d" "$1"
	case $1 in
	bios)
		check_clock "$d" "$NVME_SERIAL" operator-confirmed "$from" "$(date -u +%s)"
		grep -aq 'clock at boot: 2000-01-01' "$d"/evidence/kesu-evidence/boot-*.log &&
			ok "clock: the guest's clock started in 2000 and no certificate is dated by it" ||
			fail "clock: the boot log does not show the clock starting in 2000" ;;
	uefi) check_clock "$d" "$NVME_SERIAL" rtc-unconfirmed ;;
	esac
	rtc=""
	echo "iso-test: $mode: boot + erase + power off took $secs s under TCG"
}

tui() {
	d="$out/$mode"
	command -v tmux >/dev/null || { echo "iso-test: tui: SKIP: no tmux"; return; }
	prepare "$d" "kesu.console=ttyS0" || return
	s="kesu-iso-test-$$"
	rtc=base=localtime   # the clock in local time, as Windows keeps it
	# shellcheck disable=SC2046
	tmux new-session -d -s "$s" -x 120 -y 40 \
		"TZ=Asia/Tokyo timeout --foreground -k 5 300 qemu-system-x86_64 $(qemu_args "$d" bios | tr '\n' ' ') -display none -serial stdio -monitor none 2>$d/qemu.log; echo QEMU-EXITED; sleep 600"
	rtc=""
	# wait_for TEXT SECONDS
	wait_for() {
		i=0
		while [ $i -lt $(($2 * 2)) ]; do
			tmux capture-pane -p -t "$s" >"$d/screen.txt" 2>/dev/null || true
			grep -q "$1" "$d/screen.txt" && return 0
			sleep 0.5
			i=$((i + 1))
		done
		return 1
	}
	# The first screen: the clock. It is in local time: the operator says so.
	if ! wait_for "the clock is in local time" 120; then
		fail "the TUI did not ask about the clock; screen: $(tail -5 "$d/screen.txt")"
		tmux kill-session -t "$s"
		return
	fi
	grep -q 'clock says: .*Z = .* JST' "$d/screen.txt" && ok "the TUI shows the clock in UTC and JST: $(grep -a -o 'clock says: .*' "$d/screen.txt")" ||
		fail "the clock screen does not show JST: $(grep -a 'clock says' "$d/screen.txt")"
	tmux send-keys -t "$s" l
	# The drive list, with the answer on its last line (drawn last over the serial line).
	if ! wait_for "Clock: operator-confirmed" 60; then
		fail "the TUI did not take the answer 'local time'; screen: $(tail -5 "$d/screen.txt")"
		tmux kill-session -t "$s"
		return
	fi
	ok "the operator's answer is taken: $(grep -a -o 'Clock: .*' "$d/screen.txt" | head -1)"
	sleep 2
	wait_for "choose the drives" 30 || true
	cp "$d/screen.txt" "$d/screen-list.txt"
	grep -q 'nvme0n1' "$d/screen.txt" && ok "the TUI lists the NVMe disk" || fail "the TUI does not list nvme0n1"
	grep -q 'holds: no partition table or file system found' "$d/screen.txt" &&
		ok "the TUI says what the disks hold" || fail "the TUI does not say what the disks hold"
	# The stick is listed but not offered; the first row is nvme0n1 (sorted by name).
	grep -q ' -  sd.*usb' "$d/screen.txt" && ok "the boot stick is shown as not offered" ||
		fail "the boot stick is offered or missing"
	tmux send-keys -t "$s" ' '
	sleep 1
	tmux send-keys -t "$s" Enter
	if ! wait_for "Type ERASE-" 30; then
		fail "no confirmation screen"; tmux kill-session -t "$s"; return
	fi
	word=$(grep -o 'ERASE-[A-Z]*' "$d/screen.txt" | head -1)
	tmux send-keys -t "$s" "$word"
	sleep 1
	tmux send-keys -t "$s" Enter
	erase_at=$(date -u +%s)   # the host's UTC when the erase starts
	if wait_for " -  finished" 180; then
		sleep 1
		tmux capture-pane -p -t "$s" >"$d/screen-outcome.txt"
		if grep -q 'nvme0n1 *ERASED' "$d/screen-outcome.txt"; then
			ok "the TUI shows nvme0n1 ERASED"
		else
			fail "outcome: $(grep -a 'nvme0n1' "$d/screen-outcome.txt" | head -3)"
		fi
		grep -q 'Evidence in' "$d/screen-outcome.txt" && grep -q 'KC-.*\.json\|record.json' "$d/screen-outcome.txt" &&
			ok "the TUI lists the evidence files" || fail "no evidence files listed"
		grep -q 'KC-.*-label\.pdf' "$d/screen-outcome.txt" && ok "the TUI made the certificate's label" ||
			fail "no label listed"
	else
		fail "no outcome; screen: $(tail -8 "$d/screen.txt")"
	fi
	tmux send-keys -t "$s" Enter
	sleep 1
	tmux send-keys -t "$s" q
	wait_for "powers off" 30 || true
	tmux send-keys -t "$s" p Enter
	wait_for QEMU-EXITED 60 || fail "the guest did not power off"
	tmux kill-session -t "$s" 2>/dev/null || true
	check_clean "$d/nvme.img" "NVMe disk (chosen)"
	if grep -aqF "$PATTERN" "$d/sata.img" && [ "$(grep -acF "$PATTERN" "$d/sata.img")" -ge 1900000 ]; then
		ok "the SATA disk (not chosen) is untouched"
	else
		fail "the SATA disk, not chosen, was changed"
	fi
	labels=1
	check_certs "$d" "$NVME_SERIAL"
	labels=""
	check_clock "$d" "$NVME_SERIAL" operator-confirmed $((erase_at - 60)) $((erase_at + 60))
	check_medium "$d"
	t=$(cat "$d"/evidence/kesu-evidence/boot-*.log 2>/dev/null | sed -n 's/.*ready after \([0-9.]*\) s.*/\1/p' | tail -1)
	echo "iso-test: tui: boot time: the TUI started ${t:-?} s after kernel start ($ACCEL_NAME)"
}

# boottime: boot the stick (prepared as for the other modes) to the TUI on the
# serial console, read the init's "ready after N s" (kernel start to the TUI),
# stop the guest. No checks.
boottime() {
	d="$out/boottime"
	prepare "$d" "kesu.console=ttyS0" || return
	# shellcheck disable=SC2046
	timeout -k 5 120 qemu-system-x86_64 $(qemu_args "$d" bios) -display none \
		-serial "file:$d/console.log" -monitor none </dev/null >"$d/qemu.log" 2>&1 &
	qemu=$!
	t=""
	i=0
	while [ $i -lt 110 ] && kill -0 $qemu 2>/dev/null; do
		t=$(sed -n 's/.*kesu: ready after \([0-9.]*\) s.*/\1/p' "$d/console.log" 2>/dev/null | head -1)
		[ -n "$t" ] && break
		sleep 1
		i=$((i + 1))
	done
	kill $qemu 2>/dev/null
	wait $qemu 2>/dev/null || true
	echo "iso-test: boot time: kernel start to the TUI ${t:-?} s ($ACCEL_NAME; the target, under 10 s, is for real hardware)"
}

# QEMU's accelerator: TCG, like tests/qemu/run-guest.sh, unless
# KESU_QEMU_ACCEL=kvm; the boot time is measured with KVM when KVM works here
# (close to real hardware).
kvm_works() {
	[ -w /dev/kvm ] || return 1
	# Still running when timeout stops it (124): KVM started.
	if timeout 5 qemu-system-x86_64 -accel kvm -machine pc -nodefaults -no-user-config -display none \
		-monitor none -S </dev/null >/dev/null 2>&1; then
		return 1
	else
		[ $? -eq 124 ]
	fi
}
use_kvm() {
	ACCEL="-accel kvm -cpu host" ACCEL_NAME="QEMU with KVM"
}
ACCEL="-accel tcg -cpu max" ACCEL_NAME="QEMU TCG, no KVM: real hardware is faster"
if [ "${KESU_QEMU_ACCEL:-tcg}" = kvm ] || { [ "$modes" = boottime ] && kvm_works; }; then
	use_kvm
fi

keys
for mode in $modes; do
	case $mode in
	bios) unattended bios ;;
	uefi)
		[ -f "$OVMF_CODE" ] || { echo "iso-test: uefi: SKIP: no $OVMF_CODE (apt-get install ovmf)"; continue; }
		unattended uefi ;;
	secureboot)
		[ -f "$OVMF_SB_CODE" ] && [ -f "$OVMF_SB_VARS" ] ||
			{ echo "iso-test: secureboot: SKIP: no $OVMF_SB_CODE (apt-get install ovmf)"; continue; }
		unattended secureboot dvd ;;
	tui) tui ;;
	boottime) boottime ;;
	*) echo "iso-test: unknown mode $mode" >&2; exit 2 ;;
	esac
done
[ $failures -eq 0 ] || { echo "iso-test: $failures check(s) failed"; exit 1; }
echo "iso-test: all passed"
