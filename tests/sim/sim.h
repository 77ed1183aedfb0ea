/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The drive simulator, preloaded into a program under test: it answers the
 * SG_IO ATA PASS-THROUGH and NVMe admin ioctls on descriptors that refer to
 * configured devices (tests/sim/README.md). Internal header of tests/sim/.
 */
#ifndef KESU_SIM_H
#define KESU_SIM_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SIM_MAX_DEVS 16
#define SIM_MAX_NS 8
#define SIM_MAX_LBAF 16

enum sim_type { SIM_ATA, SIM_NVME, SIM_MMC, SIM_SCSI };

enum sim_misbehave {
	SIM_MB_NONE = 0,
	SIM_MB_LIE,            /* report success, change nothing */
	SIM_MB_FIRST_LBA_ONLY, /* erase only the first logical block */
	SIM_MB_STALL,          /* progress stops for ever; synchronous commands time out */
	SIM_MB_FROZEN,         /* security/sanitize/format commands abort as frozen */
	SIM_MB_FAIL_MIDWAY,    /* erase half, then fail */
	SIM_MB_ABORT,          /* every destructive command aborts */
};

enum sim_fill { SIM_FILL_ZERO, SIM_FILL_ONES, SIM_FILL_RANDOM, SIM_FILL_PATTERN };

/* What a media file is: a block device (by st_rdev) or a regular file (by st_dev/st_ino). */
struct sim_media {
	char path[PATH_MAX];
	bool present;
	bool is_blk;
	dev_t rdev, st_dev;
	ino_t ino;
	uint64_t bytes;
};

enum sim_bridge {
	SIM_BRIDGE_SAT = 0,         /* registers in sense data, as libata */
	SIM_BRIDGE_REFUSE_ATA,      /* ATA PASS-THROUGH refused (INVALID COMMAND OPERATION CODE) */
	SIM_BRIDGE_NO_REGISTERS,    /* commands run; no ATA registers come back */
};

struct sim_ata_cfg {
	char serial[21], model[41], firmware[9];
	char vpd_serial[61];       /* INQUIRY VPD page 0x80: a USB bridge's own serial, else serial */
	uint64_t sectors;          /* factory capacity in 512-byte sectors */
	uint16_t rotation;         /* IDENTIFY word 217: 1 = SSD, else rpm */
	bool sense_fixed;
	enum sim_bridge bridge;
	/* security */
	bool sec_supported, sec_enabled, sec_locked, sec_frozen, sec_enhanced, sec_count_expired, sec_level_max;
	bool resume_unfreezes;     /* a resume (power cycle) clears FROZEN; false: the platform kept the power */
	unsigned erase_min_normal, erase_min_enhanced;
	char user_password[32], master_password[32];
	uint16_t master_id;
	enum sim_fill fill_normal, fill_enhanced;
	double erase_seconds;
	/* sanitize */
	bool san_crypto, san_block, san_overwrite, san_antifreeze, san_frozen;
	enum sim_fill san_block_fill;  /* what BLOCK ERASE leaves */
	double san_seconds[3];     /* crypto, block, overwrite */
	/* hidden areas */
	bool hpa;
	uint64_t native_max, current_max;
	bool hpa_erase_hidden;
	bool dco;
	bool amac;
};

struct sim_lbaf { uint16_t ms; uint8_t lbads; uint8_t rp; };

struct sim_ns_cfg {
	uint32_t nsid;
	struct sim_media media;
	uint64_t nsze;             /* 0: media bytes / LBA size */
	unsigned nlbaf;            /* number of formats (1..16) */
	struct sim_lbaf lbaf[SIM_MAX_LBAF];
	uint8_t flbas;
	uint8_t dlfeat;
};

struct sim_nvme_cfg {
	char serial[21], model[41], firmware[9];
	uint16_t vid, oacs;
	uint32_t sanicap;
	uint8_t fna;
	uint32_t nn;
	uint8_t mdts;
	unsigned nns;
	struct sim_ns_cfg ns[SIM_MAX_NS];
	double format_seconds;
	double san_seconds[3];     /* block, overwrite, crypto (SANACT 2, 3, 4) */
};

struct sim_mmc_cfg {
	bool sd;                   /* an SD card: no EXT_CSD, every command times out */
	uint64_t sectors;          /* SEC_COUNT */
	uint8_t rev, sec_feature, boot_size_mult, rpmb_size_mult, hc_erase_grp_size;
	uint8_t erase_timeout_mult, sec_erase_mult;
	bool erase_group_def, erased_ones;
	struct sim_media boot[2];  /* boot0/boot1 images; present when configured */
	double sanitize_seconds;   /* SANITIZE blocks this long */
};

struct sim_scsi_cfg {
	char vendor[9], product[17], revision[5];
	char serial[61];           /* VPD 0x80 */
	char naa[17];              /* VPD 0x83: 16 hex digits */
	uint16_t rotation;         /* VPD 0xB1: 1 = SSD, else rpm */
	uint8_t form_factor;
	uint32_t block_len;
	uint8_t lbppbe;            /* logical blocks per physical block exponent */
	uint8_t prot_type;         /* 0: no protection information, else type 1..3 */
	bool san_overwrite, san_block, san_crypto, san_exit, format_unit, rsoc;
	bool sense_fixed;
	enum sim_fill block_fill;  /* what BLOCK ERASE leaves */
	double san_seconds[3];     /* overwrite, block, crypto (service actions 1, 2, 3) */
};

/* A self-encrypting drive (TCG) on an ATA or NVMe device (sim_opal.c). */
enum sim_opal_revert { SIM_OPAL_REVERT_OK = 0, SIM_OPAL_REVERT_LIE, SIM_OPAL_REVERT_KEEP_LOCKING };

struct sim_opal_cfg {
	bool present;
	uint16_t ssc;              /* the SSC feature code: 0x0203 Opal 2, 0x0200, 0x0100, 0x0301..0x0304 */
	bool kernel;               /* the kernel offers sed-opal (IOC_OPAL_*) for the device */
	bool locking_enabled, locked, mbr_enabled, mbr_done;
	char psid[64];
	char sid_password[64];     /* the owner's SID password for IOC_OPAL_REVERT_TPR ("": none works) */
	enum sim_opal_revert revert;
};

struct sim_dev {
	enum sim_type type;
	char key[PATH_MAX];        /* the configured path, also the state file's key */
	char *config_text;         /* this device's config, canonical JSON (state reset on change) */
	struct sim_media media;
	enum sim_misbehave misbehave;
	double stall_at;           /* progress fraction where a stall stops */
	double stall_max_seconds;  /* cap on how long a stalled synchronous command blocks */
	struct sim_ata_cfg ata;
	struct sim_nvme_cfg nvme;
	struct sim_mmc_cfg mmc;
	struct sim_scsi_cfg scsi;
	struct sim_opal_cfg opal;
};

struct sim_config {
	unsigned ndev;
	struct sim_dev dev[SIM_MAX_DEVS];
	char state_path[PATH_MAX];
	char log_path[PATH_MAX];
	char resume_path[PATH_MAX];  /* a line appended here is a suspend and resume of the machine */
};

/* Mutable state: kept in the state file between processes. */
struct sim_ata_state {
	bool sec_enabled, sec_locked, sec_frozen, sec_count_expired, sec_level_max;
	unsigned unlock_tries;
	bool erase_prepared;
	uint8_t user_pw[32], master_pw[32];
	uint16_t master_id;
	int san_state;             /* 0..4: SD0 idle, SD1 frozen, SD2 in progress, SD3 failed, SD4 succeeded */
	bool san_antifreeze, san_last_ok, san_failure_mode;
	uint16_t san_feature, san_count;
	uint64_t san_lba;
	double san_start, san_duration;
	uint64_t native_max, current_max;
	bool native_read;          /* the previous command was READ NATIVE MAX ADDRESS */
	bool amac_frozen;
	unsigned resumes;          /* resumes of the machine already applied (lines of the resume file) */
};

struct sim_nvme_state {
	uint16_t sprog, sstat;
	uint32_t scdw10, start_pattern;
	bool in_progress;
	double start, duration;
	bool failed, failed_ause;
	uint8_t flbas[SIM_MAX_NS];
	uint64_t nsze[SIM_MAX_NS];
};

struct sim_mmc_state {
	unsigned seq;              /* erase sequence: 0 none, 1 CMD35 seen, 2 CMD36 seen */
	unsigned seq_part;         /* the partition (0 user, 1/2 boot) the sequence is on */
	uint64_t erase_start, erase_end;
	unsigned sanitizes;        /* completed SANITIZE operations */
	bool erase_reset;          /* a sequence was broken: the next R1 says ERASE_RESET */
};

struct sim_scsi_state {
	int san_state;             /* 0 idle, 1 sanitize in progress, 2 failure mode */
	unsigned san_sa, san_count;
	bool san_ause, san_invert;
	uint32_t san_pattern;
	double san_start, san_duration;
};

struct sim_opal_state {
	bool locking_enabled, locked, mbr_enabled, mbr_done;
	unsigned reverts;          /* successful reverts */
};

struct sim_state {
	struct sim_opal_state opal;
	struct sim_ata_state ata;
	struct sim_nvme_state nvme;
	struct sim_mmc_state mmc;
	struct sim_scsi_state scsi;
};

/* sim_opal.c */
/* Level 0 Discovery into buf (len bytes); returns the bytes of the response. */
size_t sim_opal_discovery(const struct sim_dev *d, const struct sim_opal_state *st, uint8_t *buf, size_t len);
/* An IOC_OPAL_* ioctl on the device; returns the ioctl's value (errno set on -1). */
bool sim_opal_is_request(unsigned long req);
int sim_opal_ioctl(const struct sim_dev *d, struct sim_state *st, unsigned long req, void *arg);

/* sim_config.c */
int sim_config_load(const char *path, struct sim_config *cfg, char *why, size_t whylen);
void sim_config_free(struct sim_config *cfg);
int sim_media_probe(const char *path, struct sim_media *m);

/* sim_state.c: lock, read, modify, write back. */
int sim_state_open(const struct sim_config *cfg, int *fd);
int sim_state_get(int fd, const struct sim_dev *d, struct sim_state *st);
int sim_state_put(int fd, const struct sim_dev *d, const struct sim_state *st);
void sim_state_close(int fd);
void sim_state_init(const struct sim_dev *d, struct sim_state *st);

/* sim_media.c */
int sim_media_fill(const char *path, uint64_t off, uint64_t len, enum sim_fill fill, uint32_t pattern);
/* An erase of [off, off+len) with the device's misbehaviour applied; unit is the logical block size. */
int sim_media_erase(const struct sim_dev *d, const char *path, uint64_t off, uint64_t len,
		    unsigned unit, enum sim_fill fill, uint32_t pattern);

/* sim_ioctl.c */
double sim_now(void);
void sim_log(const struct sim_dev *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sim_sleep(double seconds);
const struct sim_config *sim_cfg(void);
/* Resumes announced so far (lines of <config>.resume); a fresh state starts from here. */
unsigned sim_resume_count(void);
/* Progress 0..1 of an operation started at start lasting duration, with a stall applied. */
double sim_progress(const struct sim_dev *d, double start, double duration, bool *done);

/* sim_ata.c: handles an SG_IO request; returns the ioctl's return value (errno set). */
int sim_ata_sg_io(const struct sim_dev *d, struct sim_state *st, void *hdr);

/* Resumes of the machine since the last command: the drive's power was cycled (or not). */
void sim_ata_resume(const struct sim_dev *d, struct sim_ata_state *st, unsigned resumes);

/* An operation whose time is up completes: the media's bytes change here. */
void sim_ata_tick(const struct sim_dev *d, struct sim_ata_state *st);

/* sim_nvme.c */
void sim_nvme_tick(const struct sim_dev *d, struct sim_state *st);
int sim_nvme_ioctl(const struct sim_dev *d, const struct sim_ns_cfg *ns, struct sim_state *st,
		   unsigned long req, void *arg);
uint32_t sim_nvme_lba_size(const struct sim_dev *d, const struct sim_nvme_state *st, unsigned nsidx);

/* sim_mmc.c: MMC_IOC_CMD / MMC_IOC_MULTI_CMD on part (0 user area, 1/2 boot0/boot1). */
int sim_mmc_ioctl(const struct sim_dev *d, unsigned part, struct sim_state *st, unsigned long req, void *arg);
/* The erase unit in bytes. */
uint64_t sim_mmc_group_bytes(const struct sim_dev *d);

/* sim_scsi.c: a SCSI disk's SG_IO; the tick completes a sanitize whose time is up. */
int sim_scsi_sg_io(const struct sim_dev *d, struct sim_state *st, void *hdr);
void sim_scsi_tick(const struct sim_dev *d, struct sim_scsi_state *st);

#endif
