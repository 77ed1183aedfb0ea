/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * eMMC and SD cards (mmcblk): commands through the kernel's MMC_IOC_CMD and
 * MMC_IOC_MULTI_CMD (linux/mmc/ioctl.h), and the EXT_CSD register of eMMC
 * (JEDEC JESD84-B51). Command builders and decoders are pure functions, so
 * tests build the bytes.
 *
 * EXT_CSD (512 bytes, CMD8 SEND_EXT_CSD) fields kesu reads:
 *   [165] SANITIZE_START (written by CMD6 SWITCH)   [168] RPMB_SIZE_MULT (x128 KiB)
 *   [175] ERASE_GROUP_DEF bit 0 (HC erase groups)    [181] ERASED_MEM_CONT (0 zeros, 1 ones)
 *   [192] EXT_CSD_REV (5: 4.41, 6: 4.5, 7: 5.0, 8: 5.1)
 *   [212..215] SEC_COUNT (512-byte sectors)          [223] ERASE_TIMEOUT_MULT (x300 ms)
 *   [224] HC_ERASE_GRP_SIZE (x512 KiB)               [226] BOOT_SIZE_MULT (x128 KiB)
 *   [230] SEC_ERASE_MULT                             [231] SEC_FEATURE_SUPPORT
 *         (bit 0 SECURE_ER_EN, bit 4 SEC_GB_CL_EN, bit 6 SEC_SANITIZE)
 *
 * SD cards have no EXT_CSD (their CMD8 is SEND_IF_COND) and no purge command.
 */
#ifndef KESU_MMC_H
#define KESU_MMC_H

#include <kesu/err.h>

#include <sys/ioctl.h>
#include <linux/mmc/ioctl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KESU_MMC_EXT_CSD_LEN 512

/* Opcodes (JESD84-B51 6.10). */
#define KESU_MMC_SWITCH           6
#define KESU_MMC_SEND_EXT_CSD     8
#define KESU_MMC_SEND_STATUS      13
#define KESU_MMC_ERASE_GROUP_START 35
#define KESU_MMC_ERASE_GROUP_END  36
#define KESU_MMC_ERASE            38

/* CMD38 arguments. */
#define KESU_MMC_ERASE_ARG        0x00000000u
#define KESU_MMC_SECURE_ERASE_ARG 0x80000000u

/* EXT_CSD byte offsets. */
#define KESU_EXT_CSD_SANITIZE_START     165
#define KESU_EXT_CSD_RPMB_SIZE_MULT     168
#define KESU_EXT_CSD_ERASE_GROUP_DEF    175
#define KESU_EXT_CSD_ERASED_MEM_CONT    181
#define KESU_EXT_CSD_REV                192
#define KESU_EXT_CSD_SEC_COUNT          212
#define KESU_EXT_CSD_ERASE_TIMEOUT_MULT 223
#define KESU_EXT_CSD_HC_ERASE_GRP_SIZE  224
#define KESU_EXT_CSD_BOOT_SIZE_MULT     226
#define KESU_EXT_CSD_SEC_ERASE_MULT     230
#define KESU_EXT_CSD_SEC_FEATURE        231

/* SEC_FEATURE_SUPPORT bits. */
#define KESU_MMC_SEC_ER_EN    0x01
#define KESU_MMC_SEC_GB_CL_EN 0x10
#define KESU_MMC_SEC_SANITIZE 0x40

/* Response and command types of mmc_ioc_cmd.flags (the kernel's linux/mmc/core.h values). */
#define KESU_MMC_RSP_PRESENT (1u << 0)
#define KESU_MMC_RSP_CRC     (1u << 2)
#define KESU_MMC_RSP_BUSY    (1u << 3)
#define KESU_MMC_RSP_OPCODE  (1u << 4)
#define KESU_MMC_CMD_AC      (0u << 5)
#define KESU_MMC_CMD_ADTC    (1u << 5)
#define KESU_MMC_RSP_R1  (KESU_MMC_RSP_PRESENT | KESU_MMC_RSP_CRC | KESU_MMC_RSP_OPCODE)
#define KESU_MMC_RSP_R1B (KESU_MMC_RSP_R1 | KESU_MMC_RSP_BUSY)

/* R1 card status: the error bits (31..26, 24..19, 16, 15, 13 ERASE_RESET, 7 SWITCH_ERROR) and the state (12:9). */
#define KESU_MMC_R1_ERRORS     0xFDF9A080u
#define KESU_MMC_R1_STATE(r)   (((r) >> 9) & 0xF)
#define KESU_MMC_R1_READY      (1u << 8)

/* Decoded EXT_CSD. */
struct kesu_mmc_ext_csd {
	uint8_t rev;                   /* [192] */
	uint8_t sec_feature;           /* [231] raw */
	bool secure_erase;             /* SECURE_ER_EN */
	bool secure_gc;                /* SEC_GB_CL_EN: secure trim */
	bool sanitize;                 /* SEC_SANITIZE on EXT_CSD_REV >= 6 (eMMC 4.5) */
	uint64_t sectors;              /* SEC_COUNT: user area in 512-byte sectors */
	uint64_t boot_bytes;           /* each boot partition; 0: none */
	uint64_t rpmb_bytes;           /* the RPMB partition; 0: none */
	bool hc_erase_groups;          /* ERASE_GROUP_DEF bit 0 */
	uint64_t hc_erase_group_bytes; /* 512 KiB x HC_ERASE_GRP_SIZE; 0: not reported */
	unsigned erase_timeout_ms;     /* per HC erase group: 300 ms x ERASE_TIMEOUT_MULT; 0: not reported */
	unsigned sec_erase_mult;       /* a secure erase takes this many times erase_timeout_ms */
	bool erased_ones;              /* ERASED_MEM_CONT: erased blocks read as 0xFF */
};

/* "4.41", "4.5", "5.0", "5.1", else "rev N". */
const char *kesu_mmc_rev_name(uint8_t rev, char *buf, size_t len);

/* Decode EXT_CSD; -KESU_E_UNSUPPORTED when it is all zeros or SEC_COUNT is 0 (nothing answered). */
int kesu_mmc_ext_csd_decode(const uint8_t raw[KESU_MMC_EXT_CSD_LEN], struct kesu_mmc_ext_csd *x);

/* Whether the card takes sector (512-byte) addresses: over 2 GiB, as JESD84 requires. */
bool kesu_mmc_sector_addressed(const struct kesu_mmc_ext_csd *x);

/* ---- builders: fill c (zeroed first) ---- */
void kesu_mmc_cmd_ext_csd(struct mmc_ioc_cmd *c, uint8_t buf[KESU_MMC_EXT_CSD_LEN]);
/* CMD13 SEND_STATUS for the relative card address Linux gives an eMMC (1). */
void kesu_mmc_cmd_status(struct mmc_ioc_cmd *c);
/* CMD6 SWITCH, write byte value to EXT_CSD[index]; R1b, busy for up to timeout_ms. */
void kesu_mmc_cmd_switch(struct mmc_ioc_cmd *c, uint8_t index, uint8_t value, unsigned timeout_ms);
/* CMD35, CMD36, CMD38 into c[0..2]: erase [first, last] (card addresses) with arg. */
void kesu_mmc_cmd_erase(struct mmc_ioc_cmd c[3], uint32_t first, uint32_t last, uint32_t arg,
			unsigned timeout_ms);

/* ---- sending ---- */

/*
 * One command (MMC_IOC_CMD). 0 when the card answered without an R1 error
 * bit; -KESU_E_NO_TRANSPORT (not an mmc block device: ENOTTY, EINVAL),
 * -KESU_E_NOT_ROOT, -KESU_E_TIMEOUT, -KESU_E_DEV_ABORT (an R1 error bit:
 * eb names them), or -errno.
 */
int kesu_mmc_send(int fd, struct mmc_ioc_cmd *c, struct kesu_errbuf *eb);
/* Several commands in one MMC_IOC_MULTI_CMD (at most MMC_IOC_MAX_CMDS); each R1 checked. */
int kesu_mmc_send_multi(int fd, struct mmc_ioc_cmd *c, unsigned n, struct kesu_errbuf *eb);

/* Read and decode EXT_CSD; raw may be NULL. */
int kesu_mmc_read_ext_csd(int fd, uint8_t *raw, struct kesu_mmc_ext_csd *x, struct kesu_errbuf *eb);
/* CMD13: the R1 status in *r1; 0, or the errors of kesu_mmc_send(). */
int kesu_mmc_status(int fd, uint32_t *r1, struct kesu_errbuf *eb);

/* ---- the card behind a block device ---- */

enum kesu_mmc_kind {
	KESU_MMC_NONE = 0,   /* not an mmc block device */
	KESU_MMC_EMMC,       /* EXT_CSD answered */
	KESU_MMC_SD,         /* an mmc block device without EXT_CSD: an SD card */
};

struct kesu_mmc_boot {
	char path[64];       /* /dev/mmcblkNbootM; "" when the kernel offers none */
	uint64_t bytes;      /* the device's size, 0 when unknown */
};

struct kesu_mmc_card {
	enum kesu_mmc_kind kind;
	struct kesu_mmc_ext_csd ext;           /* kind EMMC */
	uint64_t erase_group_bytes;            /* what erases are aligned to */
	char erase_group_source[48];           /* "EXT_CSD HC_ERASE_GRP_SIZE", "sysfs erase_size", ... */
	struct kesu_mmc_boot boot[2];
	char note[256];                        /* SD: why it is taken for SD */
};

/* "none", "emmc", "sd" */
const char *kesu_mmc_kind_name(enum kesu_mmc_kind k);

/*
 * Probe fd (the whole device kernel-named name, e.g. mmcblk0): EXT_CSD, the
 * erase group, the boot partitions (/dev/<name>boot0 and boot1). Returns 0
 * (card->kind says what answered), or -KESU_E_NO_TRANSPORT when fd is no mmc
 * block device, or another error of kesu_mmc_send().
 */
int kesu_mmc_probe(int fd, const char *name, struct kesu_mmc_card *card, struct kesu_errbuf *eb);

/*
 * The kernel keeps boot partitions read-only (<sysfs>/class/block/NAME/force_ro
 * = 1). Set it to ro (true/false); *was gets the old value. -ENOENT when the
 * attribute does not exist (nothing to change).
 */
int kesu_mmc_boot_force_ro(const char *boot_path, bool ro, bool *was);

#endif
