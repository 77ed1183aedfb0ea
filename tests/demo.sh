#!/bin/sh
# make demo: kesu's main job on a scratch disk image attached as a loop device.
# Nothing but the scratch images (and the loop devices over them) is touched.
set -eu
kesu=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
[ "$(id -u)" -eq 0 ] || { echo "make demo: run as root (it attaches a loop device)" >&2; exit 5; }
work=$(mktemp -d /tmp/kesu-demo.XXXXXX)
loop=""
busy=""
cleanup() {
	mountpoint -q "$work/mnt" 2>/dev/null && umount "$work/mnt"
	[ -n "$busy" ] && losetup -d "$busy" 2>/dev/null
	[ -n "$loop" ] && losetup -d "$loop" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }
k() { printf '$ kesu %s\n' "$*"; "$kesu" "$@"; }

step "scratch disk: 256 MiB image with a GPT, an ext4 and a FAT partition"
truncate -s 256M "$work/disk.img"
printf 'label: gpt\nsize=128M, type=L, name=kesu-demo\ntype=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7, name=exchange\n' |
	sfdisk -q "$work/disk.img"
# Written at the partitions' offsets (sfdisk aligns to 1 MiB): partition 1 at
# sector 2048 (128 MiB), partition 2 at sector 264192 (129024 KiB).
mkfs.ext4 -q -F -L demo-data -E offset=1048576 "$work/disk.img" 128M
mkfs.fat -n EXCHANGE --offset 264192 "$work/disk.img" 129024 >/dev/null 2>&1
loop=$(losetup -f --show "$work/disk.img")
echo "$loop -> $work/disk.img"

step "kesu list: every disk, and whether kesu would erase it"
k list

step "kesu list --json, the scratch disk's entry"
echo "\$ kesu list --json | jq '.devices[] | select(.path == \"$loop\")'"
"$kesu" list --json | jq ".devices[] | select(.path == \"$loop\")"

step "kesu info $loop: identity, partitions, filesystems, what the drive reports"
k info "$loop"

step "safety: a second scratch disk, mounted, is not ok"
truncate -s 64M "$work/busy.img"
mkfs.ext4 -q -F -L busy "$work/busy.img"
busy=$(losetup -f --show "$work/busy.img")
mkdir "$work/mnt"
run mount "$busy" "$work/mnt"
"$kesu" list | awk -v n="$(basename "$busy")" 'NR == 1 || $1 == n'
run umount "$work/mnt"
"$kesu" list | awk -v n="$(basename "$busy")" 'NR == 1 || $1 == n'

step "refusals have their own exit codes (kesu(8))"
set +e
"$kesu" info /dev/null; echo "exit $? (not a block device)"
"$kesu" info /dev/kesu-no-such-disk; echo "exit $? (no such device)"
set -e

step "the signer: a root CA and a signing key in the demo's own key directory"
cat >"$work/kesu.conf" <<'CONF'
[operator]
name = 山田 太郎
title = データ取扱責任者
organisation = サンプル株式会社
[contract]
name = ○○システム運用業務の委託
contractor = サンプル株式会社
CONF
k ca init --dir "$work/ca" --subject "/CN=Demo Root/O=Sample KK" >/dev/null
k key init --dir "$work/keys" --config "$work/kesu.conf" >/dev/null
k ca sign "$work/keys/signer.csr" --dir "$work/ca" >/dev/null
k key show --dir "$work/keys"

step "kesu wipe --dry-run: the plan; nothing is written"
k wipe --dry-run "$loop"

step "kesu wipe: random overwrite, sampled readback, signed certificate"
k wipe "$loop" --yes --config "$work/kesu.conf" --out "$work/evidence" \
	--key "$work/keys/signer.key" --signer-cert "$work/keys/signer.pem" --operator "山田 太郎"
ls -l "$work/evidence"
cert=$(ls "$work/evidence"/KC-*.json)
record=$(ls "$work/evidence"/*.record.json)

step "the client's officer checks the certificate with stock openssl"
run openssl cms -verify -binary -inform PEM -in "$cert.p7s" -content "$cert" \
	-CAfile "$work/ca/root.pem" -out /dev/null
k cert verify "$cert" --ca "$work/ca/root.pem"

step "a second person re-reads the device: kesu verify with the record's key and seed"
expect=$(jq -r .verification.expect "$record")
seed=$(jq -r .verification.plan.seed "$record")
k verify "$loop" --expect "$expect" --seed "$seed"

step "the label for the erased medium, and its QR code read back"
k label --template ql-62 --cert "$cert" -o "$work/evidence/label.png"
run zbarimg --raw -q "$work/evidence/label.png" 2>/dev/null

mkdir -p kesu-demo
cp "$work/evidence"/* kesu-demo/
step "the evidence is kept in ./kesu-demo/ (certificate PDF, JSON, signature, label)"
ls kesu-demo
