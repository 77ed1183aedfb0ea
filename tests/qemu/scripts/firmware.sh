# Firmware erase in the guest (tests/check_guest.c, issue 4): kesu wipe
# --method nvme-format through the kernel's nvme driver on QEMU's NVMe disk
# (the host then reads the image), and kesu refusing ATA security erase on
# QEMU's AHCI disk, which has no Security feature set. Erases the NVMe disk:
# runs after the scripts that only read it.
nvme=$(disk_by_serial KESUNVME01)
sata=$(disk_by_serial KESUSATA01)
mkdir -p /tmp/ev-nvme /tmp/ev-sata
section fw.nvme-format kesu wipe --method nvme-format --yes --quiet --json --out /tmp/ev-nvme "$nvme"
record() { cat /tmp/ev-nvme/*.record.json; }
section fw.nvme-record record
section fw.ata-secure-erase kesu wipe --method ata-secure-erase --yes --quiet --out /tmp/ev-sata "$sata"
section fw.ata-evidence ls /tmp/ev-sata
# QEMU's scsi-hd (here behind virtio-scsi) is a SCSI disk without SANITIZE and
# without REPORT SUPPORTED OPERATION CODES: kesu must refuse a SCSI sanitize
# before sending anything, and say why.
vscsi=$(disk_by_serial KESUVSCSI01)
mkdir -p /tmp/ev-vscsi
section fw.scsi-info kesu info --json "$vscsi"
section fw.scsi-sanitize kesu wipe --method scsi-sanitize-block --yes --quiet --out /tmp/ev-vscsi "$vscsi"
section fw.scsi-evidence ls /tmp/ev-vscsi
