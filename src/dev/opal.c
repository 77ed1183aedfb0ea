/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Self-encrypting drives: Level 0 Discovery (kesu's own, three transports),
 * the kernel's sed-opal status, and the kernel's revert ioctls (opal.h).
 */
#include <kesu/opal.h>
#include <kesu/nvme.h>
#include <kesu/sgio.h>

#include <errno.h>
#include <linux/sed-opal.h>
#include <scsi/sg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

_Static_assert(OPAL_FL_SUPPORTED == KESU_OPAL_FL_SUPPORTED, "flags");
_Static_assert(OPAL_FL_LOCKED == KESU_OPAL_FL_LOCKED, "flags");
_Static_assert(OPAL_FL_MBR_DONE == KESU_OPAL_FL_MBR_DONE, "flags");

#define TCG_PROTOCOL_1 0x01
#define TCG_COMID_DISCOVERY 0x0001
#define ATA_TRUSTED_RECEIVE 0x5C
#define SCSI_SECURITY_PROTOCOL_IN 0xA2
/* The kernel's ENOTSUPP (not in the UAPI errno list): sed_ioctl() without an opal_dev. */
#define KERNEL_ENOTSUPP 524

const char *kesu_opal_ssc_name(enum kesu_opal_ssc s)
{
	switch (s) {
	case KESU_SSC_ENTERPRISE: return "Enterprise";
	case KESU_SSC_OPAL1: return "Opal 1";
	case KESU_SSC_OPAL2: return "Opal 2";
	case KESU_SSC_OPALITE: return "Opalite";
	case KESU_SSC_PYRITE1: return "Pyrite 1";
	case KESU_SSC_PYRITE2: return "Pyrite 2";
	case KESU_SSC_RUBY: return "Ruby";
	case KESU_SSC_NONE: break;
	}
	return "none";
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The SSC a feature code names, and its rank when a drive lists several. */
static enum kesu_opal_ssc ssc_of(uint16_t code, int *rank)
{
	static const struct { uint16_t code; enum kesu_opal_ssc ssc; int rank; } t[] = {
		{ KESU_OPAL_FEAT_ENTERPRISE, KESU_SSC_ENTERPRISE, 1 },
		{ KESU_OPAL_FEAT_OPAL1, KESU_SSC_OPAL1, 2 },
		{ KESU_OPAL_FEAT_PYRITE1, KESU_SSC_PYRITE1, 3 },
		{ KESU_OPAL_FEAT_PYRITE2, KESU_SSC_PYRITE2, 4 },
		{ KESU_OPAL_FEAT_OPALITE, KESU_SSC_OPALITE, 5 },
		{ KESU_OPAL_FEAT_RUBY, KESU_SSC_RUBY, 6 },
		{ KESU_OPAL_FEAT_OPAL2, KESU_SSC_OPAL2, 7 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (t[i].code == code) {
			*rank = t[i].rank;
			return t[i].ssc;
		}
	}
	*rank = 0;
	return KESU_SSC_NONE;
}

/* An SSC feature's data (d: n bytes after the 4-byte descriptor header). */
static void parse_ssc(uint16_t code, uint8_t version, const uint8_t *d, size_t n,
		      struct kesu_opal_discovery *out)
{
	int rank, cur;
	enum kesu_opal_ssc s = ssc_of(code, &rank);

	(void)ssc_of(out->ssc_code, &cur);
	if (rank <= cur)
		return;
	out->ssc = s;
	out->ssc_code = code;
	out->ssc_version = version;
	out->base_comid = n >= 2 ? be16(d) : 0;
	out->num_comids = n >= 4 ? be16(d + 2) : 0;
	/* Opal 2, Opalite, Pyrite, Ruby: data bytes 9 and 10 are the initial C_PIN_SID
	 * indicator and its behaviour on a TPer revert (Opal 1 and Enterprise have none). */
	out->pin_indicator_valid = code != KESU_OPAL_FEAT_OPAL1 &&
				   code != KESU_OPAL_FEAT_ENTERPRISE && n >= 11;
	out->initial_sid_pin = out->pin_indicator_valid ? d[9] : 0;
	out->revert_sid_pin = out->pin_indicator_valid ? d[10] : 0;
}

static void parse_feature(uint16_t code, uint8_t version, const uint8_t *d, size_t n,
			  struct kesu_opal_discovery *out)
{
	int rank;

	switch (code) {
	case KESU_OPAL_FEAT_TPER:
		out->tper = true;
		out->tper_flags = n >= 1 ? d[0] : 0;
		return;
	case KESU_OPAL_FEAT_LOCKING:
		out->locking = true;
		out->locking_flags = n >= 1 ? d[0] : 0;
		return;
	default:
		if (ssc_of(code, &rank) != KESU_SSC_NONE)
			parse_ssc(code, version, d, n, out);
		return;
	}
}

int kesu_opal_discovery_parse(const uint8_t *buf, size_t len, struct kesu_opal_discovery *out)
{
	size_t end, pos;

	memset(out, 0, sizeof(*out));
	if (!buf || len < KESU_OPAL_HEADER_LEN)
		return -EINVAL;
	out->length = be32(buf);
	out->revision = be32(buf + 4);
	/* The length counts the bytes after itself; it covers at least the rest of the header. */
	if (out->length < KESU_OPAL_HEADER_LEN - 4 || out->length > len - 4)
		return -EINVAL;
	end = (size_t)out->length + 4;
	pos = KESU_OPAL_HEADER_LEN;
	while (pos < end) {
		uint16_t code;
		uint8_t version;
		size_t n;

		if (end - pos < 4)
			return -EINVAL;
		code = be16(buf + pos);
		version = buf[pos + 2] >> 4;
		n = buf[pos + 3];
		if (end - pos - 4 < n)
			return -EINVAL;
		parse_feature(code, version, buf + pos + 4, n, out);
		out->n_features++;
		pos += 4 + n;
	}
	return 0;
}

/* ---- transports for Level 0 Discovery ---- */

static int discovery_ata(int fd, uint8_t *buf, size_t len)
{
	struct kesu_ata_cmd c;
	size_t blocks = len / KESU_ATA_SECTOR;

	memset(&c, 0, sizeof(c));
	c.command = ATA_TRUSTED_RECEIVE;
	c.protocol = KESU_ATA_PROTO_PIO_IN;
	c.feature = TCG_PROTOCOL_1;
	/* COUNT: transfer length 7:0; LBA 7:0: transfer length 15:8; LBA 23:8: ComID. */
	c.count = (uint16_t)(blocks & 0xff);
	c.lba = (uint64_t)TCG_COMID_DISCOVERY << 8 | ((blocks >> 8) & 0xff);
	c.device = 0x40;
	c.data = buf;
	c.data_len = len;
	return kesu_sgio_ata(fd, &c, NULL, NULL);
}

static int discovery_nvme(int fd, uint8_t *buf, size_t len)
{
	return kesu_nvme_security_receive(fd, TCG_PROTOCOL_1, TCG_COMID_DISCOVERY, buf,
					  (uint32_t)len, NULL);
}

/* SECURITY PROTOCOL IN (SPC-4): GOOD with data, anything else is "no". */
static int discovery_scsi(int fd, uint8_t *buf, size_t len)
{
	uint8_t cdb[12] = { SCSI_SECURITY_PROTOCOL_IN, TCG_PROTOCOL_1,
			    TCG_COMID_DISCOVERY >> 8, TCG_COMID_DISCOVERY & 0xff, 0, 0,
			    (uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8),
			    (uint8_t)len, 0, 0 };
	uint8_t sense[32];
	sg_io_hdr_t h;

	memset(&h, 0, sizeof(h));
	h.interface_id = 'S';
	h.cmdp = cdb;
	h.cmd_len = sizeof(cdb);
	h.sbp = sense;
	h.mx_sb_len = sizeof(sense);
	h.timeout = 15000;
	h.dxfer_direction = SG_DXFER_FROM_DEV;
	h.dxferp = buf;
	h.dxfer_len = (unsigned)len;
	if (ioctl(fd, SG_IO, &h) < 0)
		return errno == EPERM || errno == EACCES ? -KESU_E_NOT_ROOT : -KESU_E_NO_TRANSPORT;
	if (h.host_status || (h.driver_status & 0x07) || (h.status & 0x7e))
		return -KESU_E_NO_TRANSPORT;
	return 0;
}

static const char *discover(int fd, enum kesu_opal_transport tr, uint8_t *buf, size_t len,
			    int *rc)
{
	switch (tr) {
	case KESU_OPAL_TR_ATA:
		*rc = discovery_ata(fd, buf, len);
		return "ata-trusted-receive";
	case KESU_OPAL_TR_NVME:
		*rc = discovery_nvme(fd, buf, len);
		return "nvme-security-receive";
	case KESU_OPAL_TR_SCSI:
		*rc = discovery_scsi(fd, buf, len);
		return "scsi-security-protocol-in";
	case KESU_OPAL_TR_NONE:
		break;
	}
	*rc = -KESU_E_NO_TRANSPORT;
	return NULL;
}

/* ---- the kernel's sed-opal ---- */

static int kernel_error(int err, const char *what, struct kesu_errbuf *eb)
{
	switch (err) {
	case ENOTTY:
	case EINVAL:
	case EOPNOTSUPP:
	case ENOSYS:
	case KERNEL_ENOTSUPP:
		return kesu_err_set(eb, -KESU_E_NO_TRANSPORT, "%s: the kernel offers no sed-opal "
				    "for this device (%s)", what, err == KERNEL_ENOTSUPP ?
				    "not a self-encrypting drive the kernel drives" : strerror(err));
	case EPERM:
	case EACCES:
		return kesu_err_set(eb, -KESU_E_NOT_ROOT, "%s needs root (CAP_SYS_ADMIN)", what);
	case ENODEV:
	case ENXIO:
		return kesu_err_set(eb, -KESU_E_GONE, "%s: %s", what, strerror(err));
	default:
		return kesu_err_set(eb, -err, "%s: %s", what, strerror(err));
	}
}

int kesu_opal_get_status(int fd, uint32_t *flags, struct kesu_errbuf *eb)
{
	struct opal_status st;

	memset(&st, 0, sizeof(st));
	if (ioctl(fd, IOC_OPAL_GET_STATUS, &st) < 0)
		return kernel_error(errno, "IOC_OPAL_GET_STATUS", eb);
	*flags = st.flags;
	return 0;
}

static void merge_kernel(struct kesu_opal *o)
{
	uint32_t f = o->kernel_flags;

	o->sed = o->sed || (f & KESU_OPAL_FL_SUPPORTED);
	o->locking_supported = f & KESU_OPAL_FL_LOCKING_SUPPORTED;
	o->locking_enabled = f & KESU_OPAL_FL_LOCKING_ENABLED;
	o->locked = f & KESU_OPAL_FL_LOCKED;
	o->mbr_enabled = f & KESU_OPAL_FL_MBR_ENABLED;
	o->mbr_done = f & KESU_OPAL_FL_MBR_DONE;
}

static void merge_discovery(struct kesu_opal *o)
{
	uint8_t f = o->disc.locking_flags;

	o->sed = o->sed || o->disc.ssc != KESU_SSC_NONE;
	if (!o->disc.locking)
		return;
	/* Discovery is the drive's own word, fresher than the kernel's cached flags. */
	o->locking_supported = f & KESU_OPAL_LOCK_SUPPORTED;
	o->locking_enabled = f & KESU_OPAL_LOCK_ENABLED;
	o->locked = f & KESU_OPAL_LOCK_LOCKED;
	o->mbr_enabled = f & KESU_OPAL_LOCK_MBR_ENABLED;
	o->mbr_done = f & KESU_OPAL_LOCK_MBR_DONE;
}

static void note(struct kesu_opal *o, const char *text)
{
	size_t n = strlen(o->note);

	if (n)
		snprintf(o->note + n, sizeof(o->note) - n, "; %s", text);
	else
		snprintf(o->note, sizeof(o->note), "%s", text);
}

static void refusal_note(struct kesu_opal *o, enum kesu_opal_transport tr, int rc)
{
	if (rc == -KESU_E_NOT_ROOT)
		note(o, "Level 0 Discovery needs root");
	else if (tr == KESU_OPAL_TR_ATA)
		note(o, "the drive reports the TCG feature set, but TRUSTED RECEIVE was refused: "
		     "Linux blocks TCG commands to SATA drives unless booted with libata.allow_tpm=1");
	else
		note(o, "the drive reports security send/receive, but Level 0 Discovery failed");
}

int kesu_opal_probe(int fd, enum kesu_opal_transport tr, bool tcg_claimed, struct kesu_opal *o)
{
	uint8_t *buf;
	int rc;

	memset(o, 0, sizeof(*o));
	o->checked = true;
	if (tr == KESU_OPAL_TR_NONE)
		return 0;
	o->kernel = kesu_opal_get_status(fd, &o->kernel_flags, NULL) == 0;
	if (o->kernel)
		merge_kernel(o);
	buf = calloc(1, KESU_OPAL_DISCOVERY_LEN);
	if (!buf) {
		note(o, "out of memory for Level 0 Discovery");
		return 0;
	}
	o->discovery_via = discover(fd, tr, buf, KESU_OPAL_DISCOVERY_LEN, &rc);
	if (rc == 0 && kesu_opal_discovery_parse(buf, KESU_OPAL_DISCOVERY_LEN, &o->disc) == 0 &&
	    o->disc.n_features > 0) {
		o->discovery = true;
		merge_discovery(o);
	} else if (rc == 0 && tcg_claimed) {
		note(o, "the Level 0 Discovery response is malformed");
	} else if (rc != 0 && tcg_claimed) {
		refusal_note(o, tr, rc);
	}
	if (!o->discovery)
		o->discovery_via = NULL;
	free(buf);
	o->revert_path = o->sed && o->kernel && (o->kernel_flags & KESU_OPAL_FL_SUPPORTED);
	if (o->sed && !o->revert_path)
		note(o, tr == KESU_OPAL_TR_ATA ?
		     "no revert path: the kernel offers no sed-opal for this drive (boot with "
		     "libata.allow_tpm=1, as kesu's boot image does)" :
		     "no revert path: the kernel offers no sed-opal for this drive");
	return 0;
}

void kesu_opal_describe(const struct kesu_opal *o, char *buf, size_t len)
{
	const char *ssc = o->discovery ? kesu_opal_ssc_name(o->disc.ssc) : "SSC unknown";

	if (!o->sed) {
		snprintf(buf, len, "not a self-encrypting drive%s%s%s", o->note[0] ? " (" : "",
			 o->note, o->note[0] ? ")" : "");
		return;
	}
	snprintf(buf, len, "%s; locking %s%s%s; MBR shadowing %s%s; revert: %s",
		 ssc, o->locking_supported ? "supported" : "not supported",
		 o->locking_enabled ? ", enabled" : o->locking_supported ? ", not enabled" : "",
		 o->locked ? ", LOCKED" : "",
		 o->mbr_enabled ? "enabled" : "off",
		 o->mbr_enabled ? (o->mbr_done ? " (done)" : " (not done)") : "",
		 o->revert_path ? "PSID or owner password through the kernel's sed-opal" :
		 "not possible from here");
}

/* ---- PSID and revert ---- */

int kesu_opal_psid_check(const char *psid, struct kesu_errbuf *eb)
{
	size_t n = psid ? strlen(psid) : 0;

	if (n != KESU_OPAL_PSID_LEN)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "a PSID has %d characters (the one on the "
				    "drive's label); this one has %zu", KESU_OPAL_PSID_LEN, n);
	for (size_t i = 0; i < n; i++) {
		char c = psid[i];

		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
			return kesu_err_set(eb, -KESU_E_BAD_INPUT, "a PSID holds only letters and "
					    "digits; character %zu is not one", i + 1);
	}
	return 0;
}

const char *kesu_opal_status_name(int status)
{
	switch (status) {
	case 0x01: return "NOT_AUTHORIZED";
	case 0x03: return "SP_BUSY";
	case 0x04: return "SP_FAILED";
	case 0x05: return "SP_DISABLED";
	case 0x06: return "SP_FROZEN";
	case 0x07: return "NO_SESSIONS_AVAILABLE";
	case 0x0C: return "INVALID_PARAMETER";
	case 0x0F: return "TPER_MALFUNCTION";
	case 0x12: return "AUTHORITY_LOCKED_OUT";
	case 0x3F: return "FAIL";
	default: return "TCG status";
	}
}

static int revert(int fd, unsigned long req, const char *what, const uint8_t *key, size_t len,
		  int *status, struct kesu_errbuf *eb)
{
	struct opal_key *k;
	int ret, err;

	if (status)
		*status = -1;
	if (len == 0 || len > KESU_OPAL_KEY_MAX)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "%s: the key must be 1 to %d bytes",
				    what, KESU_OPAL_KEY_MAX);
	k = calloc(1, sizeof(*k));
	if (!k)
		return kesu_err_set(eb, -ENOMEM, "out of memory");
	k->lr = 0;
	k->key_len = (uint8_t)len;
	memcpy(k->key, key, len);
	ret = ioctl(fd, req, k);
	err = errno;
	explicit_bzero(k, sizeof(*k));
	free(k);
	if (ret < 0)
		return kernel_error(err, what, eb);
	if (status)
		*status = ret;
	if (ret == KESU_OPAL_ST_LOCKED_OUT)
		return kesu_err_set(eb, -KESU_E_LOCKED, "%s: the drive refused: AUTHORITY_LOCKED_OUT "
				    "(too many wrong tries; power-cycle the drive and try again)",
				    what);
	if (ret > 0)
		return kesu_err_set(eb, -KESU_E_DEV_ABORT, "%s: the drive refused: %s (0x%02x)%s",
				    what, kesu_opal_status_name(ret), ret, ret == KESU_OPAL_ST_NOT_AUTHORIZED ?
				    ": the key is wrong" : "");
	return 0;
}

int kesu_opal_psid_revert(int fd, const char *psid, int *status, struct kesu_errbuf *eb)
{
	int rc = kesu_opal_psid_check(psid, eb);

	if (status)
		*status = -1;
	if (rc < 0)
		return rc;
	return revert(fd, IOC_OPAL_PSID_REVERT_TPR, "PSID revert (IOC_OPAL_PSID_REVERT_TPR)",
		      (const uint8_t *)psid, strlen(psid), status, eb);
}

int kesu_opal_revert(int fd, const uint8_t *key, size_t len, int *status, struct kesu_errbuf *eb)
{
	return revert(fd, IOC_OPAL_REVERT_TPR, "revert (IOC_OPAL_REVERT_TPR)", key, len, status, eb);
}
