/* SPDX-License-Identifier: GPL-2.0-or-later */
/* eMMC/SD commands through MMC_IOC_CMD, EXT_CSD decoding, the card's boot partitions. */
#include <kesu/dev.h>
#include <kesu/mmc.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

const char *kesu_mmc_kind_name(enum kesu_mmc_kind k)
{
	switch (k) {
	case KESU_MMC_EMMC: return "emmc";
	case KESU_MMC_SD: return "sd";
	case KESU_MMC_NONE: break;
	}
	return "none";
}

const char *kesu_mmc_rev_name(uint8_t rev, char *buf, size_t len)
{
	static const char *const names[] = { "4.0", "4.1", "4.2", "4.3", "obsolete", "4.41", "4.5",
					     "5.0", "5.1" };

	if (rev < sizeof(names) / sizeof(names[0]))
		snprintf(buf, len, "%s", names[rev]);
	else
		snprintf(buf, len, "rev %u", rev);
	return buf;
}

int kesu_mmc_ext_csd_decode(const uint8_t raw[KESU_MMC_EXT_CSD_LEN], struct kesu_mmc_ext_csd *x)
{
	const uint8_t *s = raw + KESU_EXT_CSD_SEC_COUNT;

	memset(x, 0, sizeof(*x));
	x->sectors = (uint64_t)s[0] | (uint64_t)s[1] << 8 | (uint64_t)s[2] << 16 | (uint64_t)s[3] << 24;
	if (!x->sectors)
		return -KESU_E_UNSUPPORTED;
	x->rev = raw[KESU_EXT_CSD_REV];
	x->sec_feature = raw[KESU_EXT_CSD_SEC_FEATURE];
	x->secure_erase = x->sec_feature & KESU_MMC_SEC_ER_EN;
	x->secure_gc = x->sec_feature & KESU_MMC_SEC_GB_CL_EN;
	x->sanitize = (x->sec_feature & KESU_MMC_SEC_SANITIZE) && x->rev >= 6;
	x->boot_bytes = (uint64_t)raw[KESU_EXT_CSD_BOOT_SIZE_MULT] * 128 * 1024;
	x->rpmb_bytes = (uint64_t)raw[KESU_EXT_CSD_RPMB_SIZE_MULT] * 128 * 1024;
	x->hc_erase_groups = raw[KESU_EXT_CSD_ERASE_GROUP_DEF] & 1;
	x->hc_erase_group_bytes = (uint64_t)raw[KESU_EXT_CSD_HC_ERASE_GRP_SIZE] * 512 * 1024;
	x->erase_timeout_ms = 300u * raw[KESU_EXT_CSD_ERASE_TIMEOUT_MULT];
	x->sec_erase_mult = raw[KESU_EXT_CSD_SEC_ERASE_MULT];
	x->erased_ones = raw[KESU_EXT_CSD_ERASED_MEM_CONT] & 1;
	return 0;
}

bool kesu_mmc_sector_addressed(const struct kesu_mmc_ext_csd *x)
{
	return x->sectors * 512 > (2ull << 30);
}

/* ---- builders ---- */

void kesu_mmc_cmd_ext_csd(struct mmc_ioc_cmd *c, uint8_t buf[KESU_MMC_EXT_CSD_LEN])
{
	memset(c, 0, sizeof(*c));
	c->opcode = KESU_MMC_SEND_EXT_CSD;
	c->flags = KESU_MMC_RSP_R1 | KESU_MMC_CMD_ADTC;
	c->blksz = KESU_MMC_EXT_CSD_LEN;
	c->blocks = 1;
	mmc_ioc_cmd_set_data((*c), buf);
}

void kesu_mmc_cmd_status(struct mmc_ioc_cmd *c)
{
	memset(c, 0, sizeof(*c));
	c->opcode = KESU_MMC_SEND_STATUS;
	c->arg = 1u << 16;   /* Linux gives an eMMC relative card address 1 */
	c->flags = KESU_MMC_RSP_R1 | KESU_MMC_CMD_AC;
}

void kesu_mmc_cmd_switch(struct mmc_ioc_cmd *c, uint8_t index, uint8_t value, unsigned timeout_ms)
{
	memset(c, 0, sizeof(*c));
	c->opcode = KESU_MMC_SWITCH;
	/* access 3 (write byte), index, value, command set 0 */
	c->arg = 3u << 24 | (uint32_t)index << 16 | (uint32_t)value << 8;
	c->flags = KESU_MMC_RSP_R1B | KESU_MMC_CMD_AC;
	c->write_flag = 1;
	c->cmd_timeout_ms = timeout_ms;
}

void kesu_mmc_cmd_erase(struct mmc_ioc_cmd c[3], uint32_t first, uint32_t last, uint32_t arg,
			unsigned timeout_ms)
{
	memset(c, 0, 3 * sizeof(*c));
	c[0].opcode = KESU_MMC_ERASE_GROUP_START;
	c[0].arg = first;
	c[0].flags = KESU_MMC_RSP_R1 | KESU_MMC_CMD_AC;
	c[1].opcode = KESU_MMC_ERASE_GROUP_END;
	c[1].arg = last;
	c[1].flags = KESU_MMC_RSP_R1 | KESU_MMC_CMD_AC;
	c[2].opcode = KESU_MMC_ERASE;
	c[2].arg = arg;
	c[2].flags = KESU_MMC_RSP_R1B | KESU_MMC_CMD_AC;
	c[2].cmd_timeout_ms = timeout_ms;
}

/* ---- sending ---- */

static int ioctl_error(int err, unsigned opcode, struct kesu_errbuf *eb)
{
	switch (err) {
	case ENOTTY:
	case EINVAL:
	case ENOSYS:
		return kesu_err_set(eb, -KESU_E_NO_TRANSPORT,
				    "not an MMC block device (MMC_IOC_CMD refused: %s)", strerror(err));
	case EPERM:
	case EACCES:
		return kesu_err_set(eb, -KESU_E_NOT_ROOT,
				    "MMC commands need root (CAP_SYS_RAWIO) on the whole device");
	case ETIMEDOUT:
		return kesu_err_set(eb, -KESU_E_TIMEOUT, "the card did not answer CMD%u in time", opcode);
	default:
		return kesu_err_set(eb, -err, "CMD%u failed: %s", opcode, strerror(err));
	}
}

static int check_r1(const struct mmc_ioc_cmd *c, struct kesu_errbuf *eb)
{
	uint32_t r1 = c->response[0];

	if (!(c->flags & KESU_MMC_RSP_OPCODE) || !(r1 & KESU_MMC_R1_ERRORS))
		return 0;
	return kesu_err_set(eb, -KESU_E_DEV_ABORT, "the card reports an error after CMD%u "
			    "(R1 status 0x%08" PRIx32 "%s%s%s%s%s)", c->opcode, r1,
			    r1 & (1u << 31) ? ", address out of range" : "",
			    r1 & (3u << 27) ? ", erase sequence or parameter error" : "",
			    r1 & (1u << 26) ? ", write protected" : "",
			    r1 & (1u << 22) ? ", illegal command" : "",
			    r1 & (1u << 19 | 1u << 20 | 1u << 21) ? ", internal error" : "");
}

int kesu_mmc_send(int fd, struct mmc_ioc_cmd *c, struct kesu_errbuf *eb)
{
	if (ioctl(fd, MMC_IOC_CMD, c) < 0)
		return ioctl_error(errno, c->opcode, eb);
	return check_r1(c, eb);
}

int kesu_mmc_send_multi(int fd, struct mmc_ioc_cmd *c, unsigned n, struct kesu_errbuf *eb)
{
	struct mmc_ioc_multi_cmd *m;
	int rc = 0;

	if (n == 0 || n > MMC_IOC_MAX_CMDS)
		return kesu_err_set(eb, -EINVAL, "%u MMC commands in one request", n);
	m = calloc(1, sizeof(*m) + n * sizeof(*c));
	if (!m)
		return kesu_err_set(eb, -ENOMEM, "out of memory");
	m->num_of_cmds = n;
	memcpy(m->cmds, c, n * sizeof(*c));
	if (ioctl(fd, MMC_IOC_MULTI_CMD, m) < 0)
		rc = ioctl_error(errno, c[n - 1].opcode, eb);   /* the last one waits for the card */
	memcpy(c, m->cmds, n * sizeof(*c));
	free(m);
	for (unsigned i = 0; rc == 0 && i < n; i++)
		rc = check_r1(&c[i], eb);
	return rc;
}

int kesu_mmc_read_ext_csd(int fd, uint8_t *raw, struct kesu_mmc_ext_csd *x, struct kesu_errbuf *eb)
{
	uint8_t buf[KESU_MMC_EXT_CSD_LEN] __attribute__((aligned(8)));
	struct mmc_ioc_cmd c;
	int rc;

	memset(buf, 0, sizeof(buf));
	kesu_mmc_cmd_ext_csd(&c, buf);
	rc = kesu_mmc_send(fd, &c, eb);
	if (rc < 0)
		return rc;
	if (raw)
		memcpy(raw, buf, sizeof(buf));
	rc = kesu_mmc_ext_csd_decode(buf, x);
	if (rc < 0)
		return kesu_err_set(eb, rc, "EXT_CSD is empty (SEC_COUNT 0)");
	return 0;
}

int kesu_mmc_status(int fd, uint32_t *r1, struct kesu_errbuf *eb)
{
	struct mmc_ioc_cmd c;
	int rc;

	kesu_mmc_cmd_status(&c);
	rc = kesu_mmc_send(fd, &c, eb);
	*r1 = c.response[0];
	return rc;
}

/* ---- the card ---- */

static void find_boot(const char *name, unsigned i, struct kesu_mmc_boot *b)
{
	struct stat sb;
	uint64_t size = 0;
	int fd;

	memset(b, 0, sizeof(*b));
	if ((size_t)snprintf(b->path, sizeof(b->path), "/dev/%sboot%u", name, i) >= sizeof(b->path) ||
	    stat(b->path, &sb) < 0 || !S_ISBLK(sb.st_mode)) {
		b->path[0] = '\0';
		return;
	}
	fd = open(b->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (ioctl(fd, BLKGETSIZE64, &size) == 0)
		b->bytes = size;
	close(fd);
}

/* The erase group: EXT_CSD when ERASE_GROUP_DEF selects the HC size, else the kernel's erase_size. */
static void erase_group(const char *name, struct kesu_mmc_card *card)
{
	char buf[32];
	unsigned long long v;

	if (card->ext.hc_erase_groups && card->ext.hc_erase_group_bytes) {
		card->erase_group_bytes = card->ext.hc_erase_group_bytes;
		snprintf(card->erase_group_source, sizeof(card->erase_group_source),
			 "EXT_CSD HC_ERASE_GRP_SIZE");
		return;
	}
	if (kesu_sysfs_read(name, "device/erase_size", buf, sizeof(buf)) == 0 &&
	    sscanf(buf, "%llu", &v) == 1 && v >= 512) {
		card->erase_group_bytes = v;
		snprintf(card->erase_group_source, sizeof(card->erase_group_source),
			 "sysfs device/erase_size");
		return;
	}
	/* Erasing more than a group is harmless: a range covers the whole groups it touches. */
	card->erase_group_bytes = card->ext.hc_erase_group_bytes ? card->ext.hc_erase_group_bytes :
				  512 * 1024;
	snprintf(card->erase_group_source, sizeof(card->erase_group_source), "%s",
		 card->ext.hc_erase_group_bytes ? "EXT_CSD HC_ERASE_GRP_SIZE (not selected)" :
		 "assumed 512 KiB");
}

int kesu_mmc_probe(int fd, const char *name, struct kesu_mmc_card *card, struct kesu_errbuf *eb)
{
	char type[16] = "";
	int rc;

	memset(card, 0, sizeof(*card));
	rc = kesu_mmc_read_ext_csd(fd, NULL, &card->ext, eb);
	if (rc == -KESU_E_NO_TRANSPORT || rc == -KESU_E_NOT_ROOT)
		return rc;
	if (rc < 0) {
		/* The driver took the command but no EXT_CSD came: an SD card (CMD8 is SEND_IF_COND there). */
		(void)kesu_sysfs_read(name, "device/type", type, sizeof(type));
		if (type[0] && strcmp(type, "SD"))
			return rc;
		card->kind = KESU_MMC_SD;
		snprintf(card->note, sizeof(card->note), "no EXT_CSD (%.120s)%s", eb ? eb->msg : "",
			 type[0] ? "; the kernel reports type SD" : "");
		kesu_err_clear(eb);
		return 0;
	}
	card->kind = KESU_MMC_EMMC;
	erase_group(name, card);
	if (card->ext.boot_bytes)
		for (unsigned i = 0; i < 2; i++)
			find_boot(name, i, &card->boot[i]);
	return 0;
}

int kesu_mmc_boot_force_ro(const char *boot_path, bool ro, bool *was)
{
	const char *base = strrchr(boot_path, '/');
	char path[PATH_MAX], buf[8] = "";
	ssize_t n;
	int fd, rc = 0;

	base = base ? base + 1 : boot_path;
	if ((size_t)snprintf(path, sizeof(path), "%s/class/block/%s/force_ro", kesu_sysfs_root(), base) >=
	    sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n < 0)
		rc = -errno;
	else if (was)
		*was = buf[0] == '1';
	if (rc == 0 && pwrite(fd, ro ? "1" : "0", 1, 0) != 1)
		rc = -errno;
	close(fd);
	return rc;
}
