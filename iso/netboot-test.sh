#!/bin/sh
# Boot a station from the network in QEMU (TCG) and check from the host what it did.
#
#   iso/netboot-test.sh -n NETDIR -k KESU -o OUTDIR
#
# NETDIR is what make netboot made (vmlinuz, initrd.img). The guest has no
# boot disk: SeaBIOS runs the e1000's iPXE ROM (ipxe-qemu), which gets an
# address and the boot file from QEMU's user network (its own DHCP and TFTP,
# restrict=on: no way out), runs the iPXE script that iso/mknetboot.sh writes
# for the test's options, and loads kesu's kernel and initramfs over TFTP.
# The station's signing key comes from the same TFTP server
# (kesu.keys=tftp://${next-server}/stations, by its MAC address). It has an
# NVMe disk filled with a pattern and a small evidence disk (FAT labelled
# KESU-EVID), runs unattended, and powers off. Its central ledger
# (kesu.ledger=postgresql://...@10.0.2.2:5432/...) cannot be reached: nothing
# listens there and QEMU's restricted user network forwards nothing.
# kesu.ntp=10.0.2.2 is asked and does not answer (the user network passes no
# UDP to the host), so the clock comes from kesu.time= as a fallback.
# After the guest powers off:
#   the NVMe disk holds no pattern; the evidence disk holds its certificate,
#   which verifies with openssl cms -verify against the test's root and was
#   signed by the station's key from the server; the boot log shows the DHCP
#   lease, the key fetched for this MAC, the NTP attempt with the network up,
#   and that the ledger did not take the certificate, which is kept and
#   listed in ledger-pending.txt.
# Prints "netboot-test: ok|FAIL ..." lines and timings. Exit 0, 1 a check
# failed, 77 QEMU, the iPXE ROM or mtools missing.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
net="" kesu="" out=""
while getopts n:k:o:h opt; do
	case $opt in
	n) net=$OPTARG ;;
	k) kesu=$OPTARG ;;
	o) out=$OPTARG ;;
	*) sed -n '2,/^set -eu/p' "$0" | sed 's/^# \{0,1\}//; /^set -eu/d' >&2; exit 2 ;;
	esac
done
[ -f "$net/vmlinuz" ] && [ -f "$net/initrd.img" ] && [ -x "$kesu" ] && [ -n "$out" ] ||
	{ echo "netboot-test: -n NETDIR -k KESU -o OUTDIR" >&2; exit 2; }
PATH="$PATH:/sbin:/usr/sbin"
skip() { echo "netboot-test: SKIP: $*" >&2; exit 77; }
command -v qemu-system-x86_64 >/dev/null || skip "no qemu-system-x86_64"
[ -f /usr/share/qemu/pxe-e1000.rom ] || [ -f /usr/lib/ipxe/qemu/pxe-e1000.rom ] || skip "no iPXE ROM for QEMU's e1000 (apt-get install ipxe-qemu)"
command -v mcopy >/dev/null && command -v mkfs.vfat >/dev/null || skip "no mtools/dosfstools"
command -v openssl >/dev/null || skip "no openssl"

mkdir -p "$out"
out=$(cd "$out" && pwd)
kesu=$(cd "$(dirname "$kesu")" && pwd)/$(basename "$kesu")
PATTERN=KESU-NETBOOT-TEST-PATTERN-0123456789
SERIAL=KESUNETNVME1
MAC=52:54:00:4b:45:53
failures=0
fail() { echo "netboot-test: FAIL $*"; failures=$((failures + 1)); }
ok() { echo "netboot-test: ok $*"; }

rm -rf "$out/tftp" "$out/ca" "$out/key" "$out/evidence"
mkdir -p "$out/tftp"
# The boot server's TFTP root: the kernel, the initramfs, the script, the station's key.
ln -f "$net/vmlinuz" "$out/tftp/vmlinuz" 2>/dev/null || cp "$net/vmlinuz" "$out/tftp/vmlinuz"
ln -f "$net/initrd.img" "$out/tftp/initrd.img" 2>/dev/null || cp "$net/initrd.img" "$out/tftp/initrd.img"
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
opts="kesu.auto=1 kesu.method=auto kesu.poweroff=1 kesu.label=none kesu.ntp=10.0.2.2 kesu.time=$now"
opts="$opts kesu.ledger=postgresql://kesu_station@10.0.2.2:5432/kesu kesu.keys=tftp://\${next-server}/stations"
sh "$here/mknetboot.sh" -d "$out/tftp" -c "$opts" >/dev/null

# Keys: the organisation's root, and this station's key certified by it.
"$kesu" ca init --dir "$out/ca" --subject "/CN=kesu netboot test root" >/dev/null
"$kesu" key init --dir "$out/key" --subject "/CN=kesu station 52-54-00-4b-45-53" >/dev/null
"$kesu" ca sign "$out/key/signer.csr" --dir "$out/ca" --out "$out/key/signer.pem" >/dev/null
st="$out/tftp/stations/$(echo "$MAC" | tr ':' '-')"
mkdir -p "$st"
cp "$out/key/signer.key" "$out/key/signer.pem" "$out/ca/root.pem" "$st/"

yes "$PATTERN" | head -c $((64 * 1024 * 1024)) >"$out/nvme.img"
rm -f "$out/evidence.img"
mkfs.vfat -n KESU-EVID -C "$out/evidence.img" $((32 * 1024)) >/dev/null

start=$(date +%s)
timeout -k 5 300 qemu-system-x86_64 -accel tcg -cpu max -m 1024 -smp 2 -nodefaults -no-user-config \
	-no-reboot -vga none -display none -monitor none -boot n \
	-netdev "user,id=n0,restrict=on,tftp=$out/tftp,bootfile=boot.ipxe" -device "e1000,netdev=n0,mac=$MAC" \
	-drive "if=none,id=nvme,format=raw,file=$out/nvme.img" -device "nvme,serial=$SERIAL,drive=nvme" \
	-drive "if=none,id=ev,format=raw,file=$out/evidence.img" -device virtio-blk-pci,drive=ev \
	-serial "file:$out/console.log" </dev/null >"$out/qemu.log" 2>&1 || rc=$?
secs=$(($(date +%s) - start))
[ "${rc:-0}" = 0 ] || fail "QEMU exited with status $rc (timeout: 124); console: $(tail -3 "$out/console.log" | tr '\n' ' ')"

if grep -aqF "$PATTERN" "$out/nvme.img"; then
	fail "the pattern is still on the NVMe disk"
else
	ok "NVMe disk: no pattern left in its 64 MiB"
fi

mkdir -p "$out/evidence"
mcopy -s -n -i "$out/evidence.img" ::kesu-evidence "$out/evidence/" 2>/dev/null ||
	fail "no kesu-evidence on the evidence disk"
ev="$out/evidence/kesu-evidence"
cert=$(grep -l "\"$SERIAL\"" "$ev"/KC-*.json 2>/dev/null | head -1)
if [ -z "$cert" ]; then
	fail "no certificate for $SERIAL on the evidence disk"
elif openssl cms -verify -binary -inform PEM -in "$cert.p7s" -content "$cert" -CAfile "$out/ca/root.pem" \
	-out /dev/null -signer "$out/signer-used.pem" 2>"$out/verify.err"; then
	ok "certificate $(basename "$cert") verifies with openssl cms -verify against the test's root"
	if [ "$(openssl x509 -in "$out/signer-used.pem" -noout -fingerprint)" = "$(openssl x509 -in "$out/key/signer.pem" -noout -fingerprint)" ]; then
		ok "  signed by the station's key served for its MAC address"
	else
		fail "the certificate was not signed by the station's key"
	fi
else
	fail "certificate $cert does not verify: $(cat "$out/verify.err")"
fi

log=$(ls "$ev"/boot-*.log 2>/dev/null | tail -1)
if [ -z "$log" ]; then
	fail "no boot log on the evidence disk"
else
	l=$(grep -a 'network: ' "$log" | head -1)
	case $l in *"by DHCP from"*) ok "the station's ${l#*] }" ;; *) fail "no DHCP lease in the boot log: $l" ;; esac
	grep -aq "signing key: this station's (52-54-00-4b-45-53), from tftp://10.0.2.2/stations" "$log" &&
		ok "the station's key came from the boot server by its MAC address" ||
		fail "the key did not come from the server: $(grep -a 'signing key' "$log")"
	l=$(grep -a 'kesu.ntp' "$log" | head -1)
	case $l in
	*"no network is up"*|"") fail "NTP was not tried with the network up: $l" ;;
	*) ok "NTP was asked with the network up: ${l#*] }" ;;
	esac
	grep -aq "ledger 10.0.2.2:5432: KC-.* NOT registered" "$log" &&
		ok "the station says the ledger did not take the certificate: $(grep -a -o 'NOT registered: .*' "$log" | head -1 | cut -c1-120)" ||
		fail "no ledger failure reported: $(grep -a 'ledger' "$log" | head -3)"
	grep -aq "THE LEDGER (10.0.2.2:5432) DID NOT TAKE 1 CERTIFICATE(S): they are kept on the evidence partition" "$log" &&
		ok "and that it is kept on the evidence partition" || fail "no 'kept' message"
	grep -aq "THE LEDGER" "$out/console.log" && ok "  the message reached the screen (serial console)" ||
		fail "the ledger message is not on the console"
	t=$(sed -n 's/^\[\([0-9.]*\)\] kesu wipe exit status.*/\1/p' "$log" | tail -1)
	echo "netboot-test: kernel start to the end of the erase ${t:-?} s in the guest"
fi
if [ -n "$cert" ] && grep -qx "$(basename "$cert")" "$ev/ledger-pending.txt" 2>/dev/null; then
	ok "ledger-pending.txt lists $(basename "$cert") for kesu ledger attach-cert"
else
	fail "ledger-pending.txt does not list the certificate"
fi
src=$(jq -r '.record.time.source // empty' "$cert" 2>/dev/null)
[ "$src" = operator-confirmed ] && ok "its time source: $src (kesu.time=, NTP did not answer)" ||
	fail "time source '$src'"
echo "netboot-test: network boot + erase + power off took $secs s under TCG"
[ $failures -eq 0 ] || { echo "netboot-test: $failures check(s) failed"; exit 1; }
echo "netboot-test: all passed"
