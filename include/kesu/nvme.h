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

/*
 * Map a libnvme return (<0 with errno, >0 NVMe status, 0 ok) to 0 / -errno /
 * -KESU_E_*; -1 with EINTR (the kernel cancelled a command that timed out) is
 * -KESU_E_STALL.
 */
int kesu_nvme_status_error(int ret, int saved_errno);

/*
 * An NVMe status (>0, as libnvme returns it, DNR and More bits included) in
 * words: its name from libnvme's table or the newer values of the
 * specification, else its type and code; always the raw value.
 */
void kesu_nvme_status_string(int status, char *buf, size_t len);

/* ---- Format NVM and Sanitize (for the firmware erase methods) ---- */

#define KESU_NVME_NSID_ALL 0xffffffffu

/* Format NVM Secure Erase Settings (CDW10 bits 11:9). */
enum kesu_nvme_ses {
	KESU_NVME_SES_NONE = 0,
	KESU_NVME_SES_USER_DATA = 1,    /* user data erase */
	KESU_NVME_SES_CRYPTO = 2,       /* cryptographic erase */
};

struct kesu_nvme_format_req {
	uint32_t nsid;                  /* the namespace, or KESU_NVME_NSID_ALL when FNA says formats are controller-wide */
	unsigned lbaf;                  /* format index 0..63 (keep the one in use: ns.lbaf_in_use) */
	enum kesu_nvme_ses ses;
	bool metadata_extended;         /* MSET: keep as the namespace has it (ns.metadata_extended) */
	unsigned timeout_ms;            /* 0: the kernel's admin timeout */
};

/* Format NVM's CDW10: LBAF 3:0, MSET 4, SES 11:9, LBAF upper bits 13:12 (PI/PIL 0). */
uint32_t kesu_nvme_format_cdw10(const struct kesu_nvme_format_req *req);

/* Format NVM (admin 0x80) through libnvme. Errors as kesu_nvme_identify_ctrl(). */
int kesu_nvme_format(int fd, const struct kesu_nvme_format_req *req, struct kesu_errbuf *eb);

/* Sanitize Action (CDW10 bits 2:0). */
enum kesu_nvme_sanact {
	KESU_NVME_SANACT_EXIT_FAILURE = 1,
	KESU_NVME_SANACT_BLOCK = 2,
	KESU_NVME_SANACT_OVERWRITE = 3,
	KESU_NVME_SANACT_CRYPTO = 4,
};

struct kesu_nvme_sanitize_req {
	enum kesu_nvme_sanact action;
	bool ause;                      /* allow unrestricted sanitize exit after a failure */
	unsigned passes;                /* overwrite: 1..16 */
	bool invert;                    /* overwrite: OIPBP, invert the pattern between passes */
	uint32_t pattern;               /* overwrite: CDW11 */
	bool no_dealloc;                /* NDAS: no deallocate after sanitize */
	unsigned timeout_ms;
};

/* Sanitize's CDW10: SANACT 2:0, AUSE 3, OWPASS 7:4 (16 = 0), OIPBP 8, NDAS 9. -EINVAL on bad fields. */
int kesu_nvme_sanitize_cdw10(const struct kesu_nvme_sanitize_req *req, uint32_t *cdw10);

/* Start a sanitize (admin 0x84, controller-wide: NSID 0) through libnvme; it runs in the background. */
int kesu_nvme_sanitize(int fd, const struct kesu_nvme_sanitize_req *req, struct kesu_errbuf *eb);

/* Sanitize Status log (log page 0x81), decoded. */
enum kesu_nvme_sanitize_state {
	KESU_NVME_SAN_NEVER = 0,
	KESU_NVME_SAN_DONE = 1,
	KESU_NVME_SAN_IN_PROGRESS = 2,
	KESU_NVME_SAN_FAILED = 3,
	KESU_NVME_SAN_DONE_NO_DEALLOC = 4,
};

#define KESU_NVME_SANITIZE_LOG_LEN 512
#define KESU_NVME_TIME_NOT_REPORTED 0xffffffffu

struct kesu_nvme_sanitize_log {
	uint16_t sprog;                 /* progress, fraction of 65536 */
	uint16_t sstat;
	uint8_t state;                  /* SSTAT 2:0, enum kesu_nvme_sanitize_state */
	uint8_t passes_done;            /* SSTAT 7:3: overwrite passes completed */
	bool global_data_erased;        /* SSTAT bit 8 */
	uint32_t scdw10;                /* CDW10 of the sanitize that ran */
	uint32_t eto, etbe, etce;       /* estimated seconds: overwrite, block, crypto */
	uint32_t etond, etbend, etcend; /* the same with no-deallocate */
};

/*
 * Security Receive (admin 0x82, NSID 0): protocol secp, protocol specific
 * spsp (CDW10 bits 23:8), len bytes into buf. Errors as kesu_nvme_identify_ctrl().
 */
int kesu_nvme_security_receive(int fd, uint8_t secp, uint16_t spsp, void *buf, uint32_t len,
			       struct kesu_errbuf *eb);

int kesu_nvme_sanitize_log_decode(const uint8_t buf[KESU_NVME_SANITIZE_LOG_LEN],
				  struct kesu_nvme_sanitize_log *log);
int kesu_nvme_get_sanitize_log(int fd, struct kesu_nvme_sanitize_log *log, struct kesu_errbuf *eb);

#endif
