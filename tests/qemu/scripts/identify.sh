# What the guest's kernel and kesu say about every disk (tests/check_guest.c).
# Runs first: it only reads.
section sysfs sysfs_facts
section list kesu list --json
for d in $(guest_disks); do
	section "info.$d" kesu info --json "/dev/$d"
done
