# kesu unfreeze in the guest (tests/check_guest.c): a real suspend to RAM (S3,
# "deep") and a wake-up from the RTC alarm, then IDENTIFY again on the AHCI
# disk. QEMU's AHCI disk is never frozen, so --always makes it suspend anyway;
# --force because the guest is not the boot image. Runs last: every device
# goes through a suspend and resume.
section unfreeze kesu unfreeze --force --always --seconds 2 --json
section unfreeze.dmesg dmesg
