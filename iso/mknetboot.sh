#!/bin/sh
# What a PXE server hands out to boot a bench of machines into kesu.
#
#   iso/mknetboot.sh -d NETDIR [-c "KESU OPTIONS"]
#
# NETDIR already holds vmlinuz and initrd.img (iso/mkiso.sh -N NETDIR). This
# adds, all for the server's TFTP (or HTTP) root:
#   boot.ipxe      the iPXE script: the kernel, the initramfs and the kernel
#                  command line that configures kesu (-c; ${next-server} is the
#                  boot server's address, filled in by iPXE)
#   undionly.kpxe  iPXE for BIOS PXE ROMs, snponly.efi / ipxe.efi for UEFI
#                  (Debian's ipxe package), chain-loaded by the PXE ROM
#   dnsmasq.conf   a sample dnsmasq configuration: proxy DHCP beside the
#                  network's own DHCP server, and TFTP from NETDIR
#   cmdline.txt    the kernel command line, for GRUB or PXELINUX set-ups
# Without -c the command line is the bench default: unattended, power off when
# done, the clock from the boot server's NTP, the ledger on the boot server's
# PostgreSQL, each station's key from NETDIR/stations/MAC/.
set -eu

dir="" opts=""
while getopts d:c:h opt; do
	case $opt in
	d) dir=$OPTARG ;;
	c) opts=$OPTARG ;;
	*) sed -n '2,/^set -eu/p' "$0" | sed 's/^# \{0,1\}//; /^set -eu/d' >&2; exit 2 ;;
	esac
done
[ -f "$dir/vmlinuz" ] && [ -f "$dir/initrd.img" ] || { echo "mknetboot: -d NETDIR holding vmlinuz and initrd.img (iso/mkiso.sh -N)" >&2; exit 2; }
[ -n "$opts" ] || opts='kesu.auto=1 kesu.method=auto kesu.poweroff=1 kesu.label=drive-ql62 kesu.ntp=${next-server} kesu.ledger=postgresql://kesu_station@${next-server}/kesu kesu.keys=tftp://${next-server}/stations'

base="console=tty0 console=ttyS0,115200 quiet loglevel=3"
cat >"$dir/boot.ipxe" <<EOF
#!ipxe
# kesu: network boot of a station (iso/mknetboot.sh). iPXE fills in
# \${next-server} (the boot server) and the MAC address (BOOTIF).
echo kesu: loading the boot image from \${next-server}
kernel vmlinuz initrd=initrd.img $base $opts BOOTIF=01-\${net0/mac:hexhyp}
initrd initrd.img
boot
EOF
echo "$base $opts" >"$dir/cmdline.txt"
case " $opts " in
*" kesu.ledger="*) case " $opts " in *" kesu.operator="*) ;; *)
	echo "mknetboot: the command line names a ledger but no kesu.operator=FAMILY_GIVEN: the ledger records who registers each certificate and takes none without it (NETBOOT_OPTS='...' to add it)" >&2 ;;
	esac ;;
esac

n=0
for f in undionly.kpxe snponly.efi ipxe.efi; do
	if [ -f "/usr/lib/ipxe/$f" ]; then
		cp "/usr/lib/ipxe/$f" "$dir/$f"
		n=$((n + 1))
	fi
done
[ $n -gt 0 ] || echo "mknetboot: no iPXE binaries (apt-get install ipxe): PXE ROMs that are not iPXE cannot chain-load boot.ipxe" >&2
mkdir -p "$dir/stations"

cat >"$dir/dnsmasq.conf" <<'EOF'
# kesu: a sample dnsmasq configuration for a bench of stations booting kesu
# from the network. It runs BESIDE the network's DHCP server (proxy DHCP): the
# addresses still come from that server; dnsmasq only tells the stations'
# PXE firmware where to boot from. Copy the directory made by make netboot to
# /srv/kesu/netboot, adapt the two lines marked CHANGE, then:
#   dnsmasq --test -C dnsmasq.conf && dnsmasq -C dnsmasq.conf
# (or drop it into /etc/dnsmasq.d/ with Debian's dnsmasq package).

# No DNS service: only PXE and TFTP.
port=0
# CHANGE: the bench's network interface on this server.
interface=eth1
bind-interfaces
# CHANGE: the bench network; "proxy" leaves the addresses to the existing DHCP server.
dhcp-range=192.168.10.0,proxy
log-dhcp

enable-tftp
tftp-root=/srv/kesu/netboot

# iPXE says so in DHCP option 175; the PXE ROM in the firmware does not.
dhcp-match=set:ipxe,175
# 1. The firmware's PXE ROM gets iPXE (BIOS: undionly.kpxe; UEFI: snponly.efi).
pxe-prompt="kesu network boot",1
pxe-service=tag:!ipxe,x86PC,"kesu (BIOS)",undionly.kpxe
pxe-service=tag:!ipxe,X86-64_EFI,"kesu (UEFI)",snponly.efi
# 2. iPXE then gets the script, which loads kesu's kernel and initramfs.
pxe-service=tag:ipxe,x86PC,"kesu",boot.ipxe
pxe-service=tag:ipxe,X86-64_EFI,"kesu",boot.ipxe
dhcp-boot=tag:ipxe,boot.ipxe
EOF
echo "mknetboot: $dir: boot.ipxe, dnsmasq.conf, cmdline.txt, $n iPXE binaries, stations/ (one directory per MAC for kesu.keys)"
echo "mknetboot: kernel command line: $base $opts"
