#!/bin/sh
# Install kesu's Debian build and test dependencies. Idempotent: quiet when all
# are there. Needs root (apt-get) only when something is missing.
set -eu

PKGS="build-essential pkg-config clang gcc make
libblkid-dev libnvme-dev libjson-c-dev libssl-dev libgcrypt20-dev libqrencode-dev libjansson-dev
libsqlite3-dev sqlite3 libpq-dev postgresql check libsubunit-dev libcairo2-dev libpango1.0-dev libncurses-dev
fonts-ipaexfont-gothic fonts-ipaexfont-mincho
openssl util-linux fdisk e2fsprogs dosfstools mount jq
poppler-utils zbar-tools nbdkit libnbd-bin fuse3 fio nwipe coreutils time
qemu-system-x86 busybox-static cpio kmod xz-utils zstd ovmf tmux
hdparm nvme-cli mmc-utils sg3-utils grub-pc-bin grub-common xorriso mtools exfatprogs exfat-fuse tzdata
dpkg-dev lintian ipxe"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "kesu: missing Debian packages:$missing" >&2
	echo "kesu: run 'make deps' as root, or: apt-get install$missing" >&2
	exit 1
fi
echo "kesu: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
