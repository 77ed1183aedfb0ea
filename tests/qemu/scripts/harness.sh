# The harness itself (tests/check_guest.c): what the guest writes reaches the
# disk's image on the host, as a test that erases in the guest needs. Writes a
# marker at 1 MiB into the virtio-blk disk; runs last.
dev=$(disk_by_serial KESUVBLK01)
echo "KESU-GUEST-MARKER $(cat /etc/kernel-version)" >/tmp/marker
section harness.write dd if=/tmp/marker of="$dev" bs=512 seek=2048 conv=notrunc,fsync
section harness.modprobe modprobe -D sd_mod
