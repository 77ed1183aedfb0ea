/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * NVMe identity through libnvme 1.3, decoded into kesu's own structs.
 *
 * This header does not include libnvme.h (its json-c headers clash with
 * jansson): every libnvme call lives in src/dev/nvme.c. The decoders are pure
 * functions on the raw 4096-byte Identify buffers, so tests build the arrays.
 *
 * Kernel interface: NVME_IOCTL_ID on the namespace block device detects NVMe
 * and names the NSID. libnvme 1.3's nvme_identify_ctrl()/nvme_identify_ns()
 * (and its format, sanitize and get-log calls) go through
 * nvme_submit_admin_passthru(), i.e. ioctl(fd, NVME_IOCTL_ADMIN_CMD,
 * struct nvme_passthru_cmd) — the 32-bit-result admin ioctl, not
 * NVME_IOCTL_ADMIN64_CMD — on the same block device descriptor.
 */
#ifndef KESU_NVME_H
#define KESU_NVME_H

#include <kesu/err.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KESU_NVME_IDENTIFY_LEN 4096
#define KESU_NVME_MAX_LBAF 64

/* Identify Controller offsets kesu reads. */
#define KESU_NVME_CTRL_VID     0
#define KESU_NVME_CTRL_SN      4    /* 20 bytes, space padded */
#define KESU_NVME_CTRL_MN      24   /* 40 */
#define KESU_NVME_CTRL_FR      64   /* 8 */
#define KESU_NVME_CTRL_MDTS    77
#define KESU_NVME_CTRL_VER     80
#define KESU_NVME_CTRL_OACS    256
#define KESU_NVME_CTRL_SANICAP 328
#define KESU_NVME_CTRL_NN      516
#define KESU_NVME_CTRL_FNA     524

/* Identify Namespace offsets. */
#define KESU_NVME_NS_NSZE   0
#define KESU_NVME_NS_NCAP   8
#define KESU_NVME_NS_NUSE   16
#define KESU_NVME_NS_NLBAF  25
#define KESU_NVME_NS_FLBAS  26
#define KESU_NVME_NS_DLFEAT 33
#define KESU_NVME_NS_LBAF   128  /* 64 x {ms:16, ds:8, rp:8} */

struct kesu_nvme_sanicap {
	uint32_t raw;
	bool crypto;                    /* bit 0 Crypto Erase */
	bool block;                     /* bit 1 Block Erase */
	bool overwrite;                 /* bit 2 Overwrite */
	bool ndi;                       /* bit 29 No-Deallocate Inhibited */
	uint8_t nodmmas;                /* bits 31:30 No-Deallocate Modifies Media After Sanitize */
};

struct kesu_nvme_fna {
	uint8_t raw;
	bool format_all_ns;             /* bit 0: Format NVM applies to every namespace */
	bool erase_all_ns;              /* bit 1: a secure erase applies to every namespace */
	bool crypto_erase;              /* bit 2: Format NVM supports cryptographic erase */
};

struct kesu_nvme_ctrl {
	uint16_t vid;
	char serial[21];                /* trimmed */
	char model[41];
	char firmware[9];
	uint8_t mdts;                   /* max transfer = 2^mdts min pages; 0 = no limit */
	uint32_t version;               /* VER: major << 16 | minor << 8 | tertiary */
	uint16_t oacs;
	bool oacs_format;               /* OACS bit 1: Format NVM supported */
	bool oacs_ns_mgmt;              /* OACS bit 3: namespace management */
	struct kesu_nvme_sanicap sanicap;
	struct kesu_nvme_fna fna;
	uint32_t nn;                    /* number of namespaces */
};

struct kesu_nvme_lbaf {
	uint16_t ms;                    /* metadata bytes per block */
	uint8_t ds;                     /* log2 of the data size */
	uint8_t rp;                     /* relative performance, 0 best .. 3 degraded */
	uint64_t data_bytes;            /* 2^ds, 0 when ds is 0 (format not available) */
};

struct kesu_nvme_ns {
	uint32_t nsid;                  /* 0 when decoded from a buffer alone */
	uint64_t nsze, ncap, nuse;      /* in logical blocks */
	uint8_t nlbaf;                  /* as reported: number of formats minus one */
	unsigned lbaf_count;            /* nlbaf + 1, capped at 64 */
	uint8_t flbas;
	unsigned lbaf_in_use;           /* FLBAS bits 3:0, plus bits 6:5 as bits 5:4 */
	bool metadata_extended;         /* FLBAS bit 4: metadata at the end of each block */
	uint8_t dlfeat;
	uint8_t dealloc_read;           /* DLFEAT bits 2:0: 0 unknown, 1 reads zeros, 2 reads ones */
	struct kesu_nvme_lbaf lbaf[KESU_NVME_MAX_LBAF];
};

/* Decoders: 0, or -EINVAL for an all-zero buffer (no controller answered). */
int kesu_nvme_ctrl_decode(const uint8_t buf[KESU_NVME_IDENTIFY_LEN], struct kesu_nvme_ctrl *c);
int kesu_nvme_ns_decode(const uint8_t buf[KESU_NVME_IDENTIFY_LEN], struct kesu_nvme_ns *ns);

/*
 * Is fd an NVMe namespace? NVME_IOCTL_ID: 0 with *nsid set;
 * -KESU_E_NO_TRANSPORT when the device answers ENOTTY/EINVAL (not NVMe).
 */
int kesu_nvme_probe(int fd, uint32_t *nsid, struct kesu_errbuf *eb);

/*
 * Identify Controller / Identify Namespace through libnvme, raw buffer
 * optional (may be NULL). Errors: -errno when the ioctl failed,
 * -KESU_E_UNSUPPORTED (Invalid Opcode/Field), -KESU_E_DEV_ABORT (another NVMe status).
 */
int kesu_nvme_identify_ctrl(int fd, struct kesu_nvme_ctrl *c, uint8_t *raw,
			    struct kesu_errbuf *eb);
int kesu_nvme_identify_ns(int fd, uint32_t nsid, struct kesu_nvme_ns *ns, uint8_t *raw,
			  struct kesu_errbuf *eb);

/* Map a libnvme return (<0 with errno, >0 NVMe status, 0 ok) to 0 / -errno / -KESU_E_*. */
int kesu_nvme_status_error(int ret, int saved_errno);

#endif
