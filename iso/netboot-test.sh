#!/bin/sh
# Boot a bench of three stations from the network in QEMU (TCG), at once, and
# check from the host what each did.
#
#   iso/netboot-test.sh -n NETDIR -k KESU -t NTP-ANSWER -o OUTDIR
#
# NETDIR is what make netboot made (vmlinuz, initrd.img). No guest has a boot
# disk: SeaBIOS runs the e1000's iPXE ROM (ipxe-qemu), which gets an address
# and the boot file from QEMU's user network (its own DHCP and TFTP), runs the
# iPXE script that iso/mknetboot.sh writes for the test's options, and loads
# kesu's kernel and initramfs over TFTP. Each station's signing key comes from
# the same TFTP server (kesu.keys=tftp://${next-server}/stations, by its MAC
# address). Each has an NVMe disk filled with a pattern, a small evidence disk
# (FAT labelled KESU-EVID), and a real-time clock that starts in 2000 (a flat
# CMOS battery); each runs unattended and powers off.
#
# The host runs what the boot server would: a throwaway PostgreSQL cluster
# (Debian's initdb and pg_ctl, listening on 127.0.0.1 only, a random port,
# password authentication) holding a ledger made by kesu ledger init-server,
# with the three disks registered as media and a station role; and a time
# server (NTP-ANSWER, tests/qemu/ntp-answer.c) on 127.0.0.1. QEMU's user
# network carries a guest's 10.0.2.2:PORT to the host's loopback, and nowhere
# else is asked.
#   Stations A and B (restrict=off) set their clock by NTP, look their disks
#   up in the ledger, erase, and register their certificates there at once.
#   Station C (restrict=on: its network reaches nothing) cannot reach the
#   ledger or the time server: its clock comes from kesu.time=, and its
#   certificate is kept on its evidence disk, listed in ledger-pending.txt,
#   and the screen says so.
# After the guests power off: no disk holds its pattern; every certificate
# verifies with openssl cms -verify against the test's root and was signed by
# its station's key; A's and B's media are 消去済 in the ledger with their
# certificates, C's is not, and kesu ledger audit passes; the time sources
# are ntp (with the server and the offset corrected) and operator-confirmed;
# the ledger's password is on no evidence disk and no console.
# Prints "netboot-test: ok|FAIL ..." lines and timings. Exit 0, 1 a check
# failed, 77 QEMU, the iPXE ROM, mtools or PostgreSQL missing.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
net="" kesu="" out="" ntpd=""
while getopts n:k:t:o:h opt; do
	case $opt in
	n) net=$OPTARG ;;
	k) kesu=$OPTARG ;;
	t) ntpd=$OPTARG ;;
	o) out=$OPTARG ;;
	*) sed -n '2,/^set -eu/p' "$0" | sed 's/^# \{0,1\}//; /^set -eu/d' >&2; exit 2 ;;
	esac
done
[ -f "$net/vmlinuz" ] && [ -f "$net/initrd.img" ] && [ -x "$kesu" ] && [ -x "$ntpd" ] && [ -n "$out" ] ||
	{ echo "netboot-test: -n NETDIR -k KESU -t NTP-ANSWER -o OUTDIR" >&2; exit 2; }
PATH="$PATH:/sbin:/usr/sbin"
skip() { echo "netboot-test: SKIP: $*" >&2; exit 77; }
command -v qemu-system-x86_64 >/dev/null || skip "no qemu-system-x86_64"
[ -f /usr/share/qemu/pxe-e1000.rom ] || [ -f /usr/lib/ipxe/qemu/pxe-e1000.rom ] || skip "no iPXE ROM for QEMU's e1000 (apt-get install ipxe-qemu)"
command -v mcopy >/dev/null && command -v mkfs.vfat >/dev/null || skip "no mtools/dosfstools"
command -v openssl >/dev/null || skip "no openssl"
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$PGBIN" ] && [ -x "$PGBIN/initdb" ] && [ -x "$PGBIN/pg_ctl" ] && [ -x "$PGBIN/psql" ] ||
	skip "no PostgreSQL server (apt-get install postgresql)"
id postgres >/dev/null 2>&1 || skip "no postgres user (apt-get install postgresql)"

mkdir -p "$out"
out=$(cd "$out" && pwd)
kesu=$(cd "$(dirname "$kesu")" && pwd)/$(basename "$kesu")
ntpd=$(cd "$(dirname "$ntpd")" && pwd)/$(basename "$ntpd")
PATTERN=KESU-NETBOOT-TEST-PATTERN-0123456789
STATIONS="a b c"
failures=0
fail() { echo "netboot-test: FAIL $*"; failures=$((failures + 1)); }
ok() { echo "netboot-test: ok $*"; }
serial() { echo "KESUNETNVME$1" | tr abc 123; }
mac() { case $1 in a) echo 52:54:00:4b:45:53 ;; b) echo 52:54:00:4b:45:54 ;; c) echo 52:54:00:4b:45:55 ;; esac; }
medium() { echo "M-NB-$(echo "$1" | tr abc 123)"; }

# --- the boot server's side, on loopback --------------------------------------
pgdir="" ntp_pid=""
cleanup() {
	[ -z "$ntp_pid" ] || kill "$ntp_pid" 2>/dev/null || true
	if [ -n "$pgdir" ]; then
		(cd / && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$pgdir/data" -m immediate -w stop) >/dev/null 2>&1 || true
		rm -rf "$pgdir"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A throwaway cluster: the superuser by its socket only, everyone else by
# password over 127.0.0.1 (where QEMU delivers the guests' connections).
pg_start() {
	pgdir=$(mktemp -d /tmp/kesu-netboot-pg.XXXXXX)
	chown postgres "$pgdir"
	(cd / && runuser -u postgres -- "$PGBIN/initdb" -D "$pgdir/data" -U postgres --auth-local=trust \
		--auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8) >"$out/pg-initdb.log" 2>&1 || return 1
	for try in 1 2 3 4 5; do
		PGPORT=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 40000))
		if (cd / && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$pgdir/data" -l "$pgdir/log" -w -t 60 \
			-o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $pgdir -c fsync=off" start) >/dev/null 2>&1; then
			return 0
		fi
	done
	return 1
}
pg_start || skip "PostgreSQL did not start here (see $out/pg-initdb.log, $pgdir/log)"
ADMIN="postgresql:///kesu?host=$pgdir&port=$PGPORT&user=postgres"
PW=kesu-nb-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')
"$PGBIN/psql" -X -q "postgresql:///postgres?host=$pgdir&port=$PGPORT&user=postgres" -c "CREATE DATABASE kesu" >/dev/null
rm -f "$out/ledger-add.log"
"$kesu" ledger --db "$ADMIN" init-server >"$out/init-server.log" 2>&1 ||
	{ fail "kesu ledger init-server: $(cat "$out/init-server.log")"; exit 1; }
"$PGBIN/psql" -X -q "$ADMIN" -c "CREATE ROLE station1 LOGIN PASSWORD '$PW' IN ROLE kesu_station" >/dev/null
for s in $STATIONS; do
	"$kesu" ledger --db "$ADMIN" --operator "山田 太郎" add "$(medium $s)" --serial="$(serial $s)" \
		--place=作業室 >/dev/null 2>>"$out/ledger-add.log" || { fail "kesu ledger add $(medium $s): $(cat "$out/ledger-add.log")"; exit 1; }
done
ok "PostgreSQL ledger on 127.0.0.1:$PGPORT: init-server, a station role, media $(medium a) $(medium b) $(medium c)"

rm -f "$out/ntp.port"
"$ntpd" "$out/ntp.port" 900 &
ntp_pid=$!
for i in 1 2 3 4 5 6 7 8 9 10; do [ -s "$out/ntp.port" ] && break; sleep 0.2; done
NTPPORT=$(cat "$out/ntp.port")

rm -rf "$out/tftp" "$out/ca" "$out"/station-*
mkdir -p "$out/tftp"
# The boot server's TFTP root: the kernel, the initramfs, the script, the stations' keys.
ln -f "$net/vmlinuz" "$out/tftp/vmlinuz" 2>/dev/null || cp "$net/vmlinuz" "$out/tftp/vmlinuz"
ln -f "$net/initrd.img" "$out/tftp/initrd.img" 2>/dev/null || cp "$net/initrd.img" "$out/tftp/initrd.img"
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
opts="kesu.auto=1 kesu.method=auto kesu.poweroff=1 kesu.label=none kesu.operator=山田_太郎"
opts="$opts kesu.ntp=10.0.2.2:$NTPPORT kesu.time=$now"
opts="$opts kesu.ledger=postgresql://station1:$PW@10.0.2.2:$PGPORT/kesu?connect_timeout=20"
opts="$opts kesu.keys=tftp://\${next-server}/stations"
sh "$here/mknetboot.sh" -d "$out/tftp" -c "$opts" >/dev/null

# Keys: the organisation's root, and each station's key certified by it.
"$kesu" ca init --dir "$out/ca" --subject "/CN=kesu netboot test root" >/dev/null
for s in $STATIONS; do
	d="$out/station-$s"
	m=$(mac $s | tr ':' '-')
	"$kesu" key init --dir "$d/key" --subject "/CN=kesu station $m" >/dev/null
	"$kesu" ca sign "$d/key/signer.csr" --dir "$out/ca" --out "$d/key/signer.pem" >/dev/null
	mkdir -p "$out/tftp/stations/$m"
	cp "$d/key/signer.key" "$d/key/signer.pem" "$out/ca/root.pem" "$out/tftp/stations/$m/"
	yes "$PATTERN" | head -c $((64 * 1024 * 1024)) >"$d/nvme.img"
	mkfs.vfat -n KESU-EVID -C "$d/evidence.img" $((32 * 1024)) >/dev/null
done

# --- the bench -----------------------------------------------------------------
boot_station() {
	d="$out/station-$1"
	restrict=off
	[ "$1" = c ] && restrict=on
	timeout -k 5 480 qemu-system-x86_64 -accel tcg -cpu max -m 768 -smp 1 -nodefaults -no-user-config \
		-no-reboot -vga none -display none -monitor none -boot n -rtc base=2000-01-01T00:00:00 \
		-netdev "user,id=n0,restrict=$restrict,tftp=$out/tftp,bootfile=boot.ipxe" \
		-device "e1000,netdev=n0,mac=$(mac $1)" \
		-drive "if=none,id=nvme,format=raw,file=$d/nvme.img" -device "nvme,serial=$(serial $1),drive=nvme" \
		-drive "if=none,id=ev,format=raw,file=$d/evidence.img" -device virtio-blk-pci,drive=ev \
		-serial "file:$d/console.log" </dev/null >"$d/qemu.log" 2>&1
	echo $? >"$d/qemu.rc"
}
start=$(date +%s)
pids=""
for s in $STATIONS; do
	boot_station $s &
	pids="$pids $!"
done
# shellcheck disable=SC2086
wait $pids   # not the time server, which runs on
secs=$(($(date +%s) - start))

# --- what each station did -----------------------------------------------------
check_station() {
	s=$1
	d="$out/station-$s"
	sr=$(serial $s)
	rc=$(cat "$d/qemu.rc")
	[ "$rc" = 0 ] || fail "$s: QEMU exited with status $rc (timeout: 124); console: $(tail -3 "$d/console.log" | tr '\n' ' ')"
	if grep -aqF "$PATTERN" "$d/nvme.img"; then
		fail "$s: the pattern is still on the NVMe disk"
	else
		ok "$s: NVMe disk $sr: no pattern left in its 64 MiB"
	fi
	rm -rf "$d/evidence"
	mkdir -p "$d/evidence"
	mcopy -s -n -i "$d/evidence.img" ::kesu-evidence "$d/evidence/" 2>/dev/null ||
		fail "$s: no kesu-evidence on the evidence disk"
	ev="$d/evidence/kesu-evidence"
	cert=$(grep -l "\"$sr\"" "$ev"/KC-*.json 2>/dev/null | head -1)
	eval "cert_$s=\$cert"
	if [ -z "$cert" ]; then
		fail "$s: no certificate for $sr on the evidence disk"
	elif openssl cms -verify -binary -inform PEM -in "$cert.p7s" -content "$cert" -CAfile "$out/ca/root.pem" \
		-out /dev/null -signer "$d/signer-used.pem" 2>"$d/verify.err"; then
		if [ "$(openssl x509 -in "$d/signer-used.pem" -noout -fingerprint)" = \
		     "$(openssl x509 -in "$d/key/signer.pem" -noout -fingerprint)" ]; then
			ok "$s: certificate $(basename "$cert") verifies against the test's root, signed by the key served for $(mac $s)"
		else
			fail "$s: the certificate was not signed by the station's own key"
		fi
	else
		fail "$s: certificate $cert does not verify: $(cat "$d/verify.err")"
	fi
	log=$(ls "$ev"/boot-*.log 2>/dev/null | tail -1)
	eval "log_$s=\$log"
	[ -n "$log" ] || { fail "$s: no boot log on the evidence disk"; return; }
	l=$(grep -a 'network: ' "$log" | head -1)
	case $l in *"by DHCP from"*) ok "$s: the station's ${l#*] }" ;; *) fail "$s: no DHCP lease in the boot log: $l" ;; esac
	grep -aq "signing key: this station's ($(mac $s | tr ':' '-')), from tftp://10.0.2.2/stations" "$log" ||
		fail "$s: the key did not come from the server: $(grep -a 'signing key' "$log")"
	t=$(sed -n 's/^\[\([0-9.]*\)\] kesu wipe exit status.*/\1/p' "$log" | tail -1)
	echo "netboot-test: $s: kernel start to the end of the erase ${t:-?} s in the guest"
}

# A and B: the clock by NTP, the certificate in the central ledger.
check_registered() {
	s=$1
	eval "cert=\$cert_$s log=\$log_$s"
	[ -n "$log" ] && [ -n "$cert" ] || return 0
	id=$(basename "$cert" .json)
	l=$(grep -a 'kesu.ntp: ' "$log" | head -1)
	case $l in
	*"10.0.2.2:$NTPPORT"*) ok "$s: the clock set by NTP: ${l#*] }" ;;
	*) fail "$s: the clock was not set by NTP: $l" ;;
	esac
	src=$(jq -r '.record.time.source // empty' "$cert")
	srv=$(jq -r '.record.time.ntp_server // empty' "$cert")
	off=$(jq -r '.record.time.offset_ms // 0' "$cert")
	# The clock started on 2000-01-01: NTP moved it forward by years.
	if [ "$src" = ntp ] && [ "${srv#10.0.2.2}" != "$srv" ] && [ "$off" -gt $((20 * 365 * 86400000)) ]; then
		ok "$s: its time source: ntp from $srv, offset corrected $((off / 86400000)) days"
	else
		fail "$s: time source '$src' server '$srv' offset '$off'"
	fi
	grep -aq "ledger 10.0.2.2:$PGPORT: .* is medium $(medium $s)" "$log" ||
		fail "$s: the station did not find its disk as $(medium $s): $(grep -a 'ledger' "$log" | head -3)"
	if grep -aq "ledger 10.0.2.2:$PGPORT: $id registered" "$log"; then
		ok "$s: the station registered $id in the central ledger"
	else
		fail "$s: $id not registered: $(grep -a 'ledger' "$log" | tail -2)"
	fi
	show=$("$kesu" ledger --db "$ADMIN" show "$(medium $s)" --json 2>&1)
	if echo "$show" | grep -q '"status": "消去済"' && echo "$show" | grep -q "$id"; then
		ok "$s: the ledger on the host: $(medium $s) is 消去済 with $id"
	else
		fail "$s: the ledger does not hold $id for $(medium $s): $(echo "$show" | head -c 400)"
	fi
	! grep -qs "$id" "$(dirname "$cert")/ledger-pending.txt" || fail "$s: $id listed as pending though registered"
}

# C: nothing reachable; the certificate kept for later.
check_pending() {
	eval "cert=\$cert_c log=\$log_c"
	[ -n "$log" ] && [ -n "$cert" ] || return 0
	id=$(basename "$cert" .json)
	l=$(grep -a 'kesu.ntp' "$log" | head -1)
	case $l in
	*"no network is up"*|"") fail "c: NTP was not tried with the network up: $l" ;;
	*) ok "c: NTP was asked with the network up and did not answer: ${l#*] }" ;;
	esac
	grep -aq "ledger 10.0.2.2:$PGPORT: $id NOT registered" "$log" &&
		ok "c: the station says the ledger did not take $id: $(grep -a -o 'NOT registered: .*' "$log" | head -1 | cut -c1-120)" ||
		fail "c: no ledger failure reported: $(grep -a 'ledger' "$log" | head -3)"
	grep -aq "THE LEDGER (10.0.2.2:$PGPORT) DID NOT TAKE 1 CERTIFICATE(S): they are kept on the evidence partition" "$log" &&
		ok "c: and that it is kept on the evidence partition" || fail "c: no 'kept' message"
	grep -aq "THE LEDGER" "$out/station-c/console.log" && ok "c:   the message reached the screen (serial console)" ||
		fail "c: the ledger message is not on the console"
	grep -qx "$id.json" "$(dirname "$cert")/ledger-pending.txt" 2>/dev/null &&
		ok "c: ledger-pending.txt lists $id.json for kesu ledger attach-cert" ||
		fail "c: ledger-pending.txt does not list the certificate"
	src=$(jq -r '.record.time.source // empty' "$cert" 2>/dev/null)
	[ "$src" = operator-confirmed ] && ok "c: its time source: $src (kesu.time=, NTP did not answer)" ||
		fail "c: time source '$src'"
	show=$("$kesu" ledger --db "$ADMIN" show "$(medium c)" --json 2>&1)
	echo "$show" | grep -q '"status": "消去済"' && fail "c: $(medium c) is 消去済 in the ledger, with no certificate registered"
	# What the manager does with the evidence disk later: attach-cert takes it,
	# naming the medium the station could not look up (its serial must match).
	if "$kesu" ledger --db "$ADMIN" --operator "山田 太郎" --ca "$out/ca/root.pem" attach-cert "$cert" \
		>"$out/station-c/attach.log" 2>&1; then
		fail "c: attach-cert linked a certificate that names no medium, without --media-id"
	elif ! grep -q -- "--media-id" "$out/station-c/attach.log"; then
		fail "c: attach-cert without --media-id does not name the remedy: $(cat "$out/station-c/attach.log")"
	elif "$kesu" ledger --db "$ADMIN" --operator "山田 太郎" --ca "$out/ca/root.pem" attach-cert "$cert" \
		--media-id "$(medium a)" >"$out/station-c/attach.log" 2>&1; then
		fail "c: attach-cert linked C's certificate to $(medium a), whose serial differs"
	elif "$kesu" ledger --db "$ADMIN" --operator "山田 太郎" --ca "$out/ca/root.pem" attach-cert "$cert" \
		--media-id "$(medium c)" >"$out/station-c/attach.log" 2>&1 &&
		"$kesu" ledger --db "$ADMIN" show "$(medium c)" --json | grep -q '"status": "消去済"'; then
		ok "c: kesu ledger attach-cert --media-id $(medium c) takes the kept certificate later (and refused $(medium a))"
	else
		fail "c: attach-cert of the kept certificate: $(cat "$out/station-c/attach.log")"
	fi
}

for s in $STATIONS; do check_station $s; done
check_registered a
check_registered b
check_pending
if "$kesu" ledger --db "$ADMIN" audit >"$out/audit.log" 2>&1; then
	ok "kesu ledger audit on the central ledger: $(tail -1 "$out/audit.log")"
else
	fail "kesu ledger audit: $(cat "$out/audit.log")"
fi
leak=$(grep -rlaF "$PW" "$out"/station-*/evidence "$out"/station-*/console.log 2>/dev/null || true)
[ -z "$leak" ] && ok "the ledger's password is on no evidence disk and no console" ||
	fail "the ledger's password was written to: $leak"
echo "netboot-test: three stations booted from the network, erased and powered off in $secs s under TCG"
[ $failures -eq 0 ] || { echo "netboot-test: $failures check(s) failed"; exit 1; }
echo "netboot-test: all passed"
