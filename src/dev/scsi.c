/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SCSI block commands over SG_IO: CDBs, sense data, INQUIRY/VPD, READ
 * CAPACITY(16), REPORT SUPPORTED OPERATION CODES, SANITIZE, REQUEST SENSE,
 * and the probe that puts them together (scsi.h).
 */
#include <kesu/scsi.h>

#include <errno.h>
#include <scsi/sg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#define SAM_GOOD            0x00
#define SAM_CHECK_CONDITION 0x02
#define SAM_BUSY            0x08
#define SAM_TASK_SET_FULL   0x28

#define HOST_DID_NO_CONNECT 0x01
#define HOST_DID_TIME_OUT   0x03
#define HOST_DID_BAD_TARGET 0x04
#define DRIVER_MASK         0x07
#define DRIVER_TIMEOUT_CODE 0x06

#define DEFAULT_TIMEOUT_MS 15000u

static uint16_t be16(const uint8_t *b) { return (uint16_t)(b[0] << 8 | b[1]); }

static uint32_t be32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static uint64_t be64(const uint8_t *b) { return (uint64_t)be32(b) << 32 | be32(b + 4); }

static void put_be16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static void put_be32(uint8_t *b, uint32_t v)
{
	put_be16(b, (uint16_t)(v >> 16));
	put_be16(b + 2, (uint16_t)v);
}

/* ---- sense data ---- */

static void sks_progress(struct kesu_scsi_sense *s)
{
	s->sks_valid = s->sks[0] & 0x80;
	/* SPC-5 4.4.2.4.4: NO SENSE and NOT READY carry a progress indication there. */
	if (s->sks_valid && (s->key == KESU_SK_NO_SENSE || s->key == KESU_SK_NOT_READY)) {
		s->progress_valid = true;
		s->progress = be16(s->sks + 1);
	}
}

static int decode_fixed(const uint8_t *sb, size_t len, struct kesu_scsi_sense *s)
{
	if (len < 14)
		return -EINVAL;
	s->key = sb[2] & 0x0f;
	s->asc = sb[12];
	s->ascq = sb[13];
	s->info_valid = sb[0] & 0x80;
	s->info = be32(sb + 3);
	if (len >= 18 && sb[7] >= 10) {
		memcpy(s->sks, sb + 15, 3);
		sks_progress(s);
	}
	return 0;
}

static int decode_descriptor(const uint8_t *sb, size_t len, struct kesu_scsi_sense *s)
{
	size_t end, pos;

	if (len < 8)
		return -EINVAL;
	s->key = sb[1] & 0x0f;
	s->asc = sb[2];
	s->ascq = sb[3];
	end = 8 + (size_t)sb[7];
	if (end > len)
		end = len;
	for (pos = 8; pos + 2 <= end; pos += 2 + (size_t)sb[pos + 1]) {
		const uint8_t *d = sb + pos;

		if (d[0] == 0x00 && d[1] >= 0x0a && pos + 12 <= end) {        /* information */
			s->info_valid = d[2] & 0x80;
			s->info = be64(d + 4);
		} else if (d[0] == 0x02 && d[1] >= 0x06 && pos + 8 <= end) { /* sense key specific */
			memcpy(s->sks, d + 4, 3);
			sks_progress(s);
		}
	}
	return 0;
}

int kesu_scsi_sense_decode(const uint8_t *sb, size_t len, struct kesu_scsi_sense *s)
{
	int rc;

	memset(s, 0, sizeof(*s));
	if (!sb || len < 1)
		return -EINVAL;
	s->response_code = sb[0] & 0x7f;
	switch (s->response_code) {
	case 0x70:
	case 0x71:
		rc = decode_fixed(sb, len, s);
		break;
	case 0x72:
	case 0x73:
		rc = decode_descriptor(sb, len, s);
		break;
	default:
		return -EINVAL;
	}
	s->present = rc == 0;
	return rc;
}

static const char *key_name(uint8_t key)
{
	static const char *const names[16] = {
		"NO SENSE", "RECOVERED ERROR", "NOT READY", "MEDIUM ERROR", "HARDWARE ERROR",
		"ILLEGAL REQUEST", "UNIT ATTENTION", "DATA PROTECT", "BLANK CHECK", "VENDOR SPECIFIC",
		"COPY ABORTED", "ABORTED COMMAND", "RESERVED", "VOLUME OVERFLOW", "MISCOMPARE",
		"COMPLETED",
	};

	return names[key & 0x0f];
}

static const char *asc_name(uint8_t asc, uint8_t ascq)
{
	static const struct { uint8_t asc, ascq; const char *name; } t[] = {
		{ 0x00, 0x00, "no additional sense information" },
		{ 0x04, 0x00, "logical unit not ready, cause not reportable" },
		{ 0x04, 0x04, "logical unit not ready, format in progress" },
		{ 0x04, 0x1B, "logical unit not ready, SANITIZE IN PROGRESS" },
		{ 0x20, 0x00, "invalid command operation code" },
		{ 0x24, 0x00, "invalid field in CDB" },
		{ 0x26, 0x00, "invalid field in parameter list" },
		{ 0x29, 0x00, "power on, reset or bus device reset occurred" },
		{ 0x31, 0x00, "medium format corrupted" },
		{ 0x31, 0x01, "format command failed" },
		{ 0x31, 0x03, "SANITIZE COMMAND FAILED" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].asc == asc && t[i].ascq == ascq)
			return t[i].name;
	return NULL;
}

void kesu_scsi_sense_describe(const struct kesu_scsi_sense *s, char *buf, size_t len)
{
	const char *n;

	if (!s->present) {
		snprintf(buf, len, "no sense data");
		return;
	}
	n = asc_name(s->asc, s->ascq);
	if (n)
		snprintf(buf, len, "%s, %s (%02Xh/%02Xh)", key_name(s->key), n, s->asc, s->ascq);
	else
		snprintf(buf, len, "%s, additional sense %02Xh/%02Xh", key_name(s->key), s->asc,
			 s->ascq);
}

/* ---- one command ---- */

static int check_transport(const struct kesu_scsi_outcome *o)
{
	switch (o->host_status) {
	case 0:
		break;
	case HOST_DID_TIME_OUT:
		return -KESU_E_TIMEOUT;
	case HOST_DID_NO_CONNECT:
	case HOST_DID_BAD_TARGET:
		return -KESU_E_GONE;
	default:
		return -EIO;
	}
	if ((o->driver_status & DRIVER_MASK) == DRIVER_TIMEOUT_CODE)
		return -KESU_E_TIMEOUT;
	if (o->driver_status & DRIVER_MASK)
		return -EIO;
	return 0;
}

int kesu_scsi_judge(const struct kesu_scsi_outcome *o, struct kesu_scsi_sense *s)
{
	int rc;

	memset(s, 0, sizeof(*s));
	if (o->sense && o->sense_len)
		(void)kesu_scsi_sense_decode(o->sense, o->sense_len, s);
	rc = check_transport(o);
	if (rc)
		return rc;
	switch (o->status & 0x7e) {
	case SAM_GOOD:
		return 0;
	case SAM_CHECK_CONDITION:
		break;
	case SAM_BUSY:
	case SAM_TASK_SET_FULL:
		return -EBUSY;
	default:
		return -EIO;
	}
	if (!s->present)
		return -EIO;
	if (s->key == KESU_SK_NO_SENSE || s->key == KESU_SK_RECOVERED_ERROR)
		return 0;
	if (s->key == KESU_SK_ILLEGAL_REQUEST && (s->asc == 0x20 || s->asc == 0x24))
		return -KESU_E_UNSUPPORTED;
	return -KESU_E_DEV_ABORT;
}

static int ioctl_error(int err, uint8_t opcode, struct kesu_errbuf *eb)
{
	switch (err) {
	case ENOTTY:
	case EINVAL:
	case ENOSYS:
	case EOPNOTSUPP:
		return kesu_err_set(eb, -KESU_E_NO_TRANSPORT, "SCSI command 0x%02x: the device "
				    "takes no SCSI commands (%s)", opcode, strerror(err));
	case EPERM:
	case EACCES:
		return kesu_err_set(eb, -KESU_E_NOT_ROOT, "SCSI command 0x%02x: SG_IO needs root "
				    "(CAP_SYS_RAWIO)", opcode);
	case ENODEV:
	case ENXIO:
		return kesu_err_set(eb, -KESU_E_GONE, "SCSI command 0x%02x: %s", opcode,
				    strerror(err));
	default:
		return kesu_err_set(eb, -err, "SCSI command 0x%02x: SG_IO: %s", opcode,
				    strerror(err));
	}
}

int kesu_scsi_exec(int fd, struct kesu_scsi_cmd *c, struct kesu_scsi_sense *s,
		   struct kesu_errbuf *eb)
{
	struct kesu_scsi_outcome o;
	struct kesu_scsi_sense local;
	uint8_t sense[96];
	sg_io_hdr_t h;
	char what[160];
	int rc;

	if (!s)
		s = &local;
	memset(s, 0, sizeof(*s));
	if (c->cdb_len < 6 || c->cdb_len > 16 || (c->dir != KESU_SCSI_DIR_NONE && !c->data))
		return kesu_err_set(eb, -EINVAL, "SCSI command: malformed request");
	memset(&h, 0, sizeof(h));
	memset(sense, 0, sizeof(sense));
	h.interface_id = 'S';
	h.cmdp = c->cdb;
	h.cmd_len = c->cdb_len;
	h.sbp = sense;
	h.mx_sb_len = sizeof(sense);
	h.timeout = c->timeout_ms ? c->timeout_ms : DEFAULT_TIMEOUT_MS;
	h.dxfer_direction = c->dir == KESU_SCSI_DIR_IN ? SG_DXFER_FROM_DEV :
			    c->dir == KESU_SCSI_DIR_OUT ? SG_DXFER_TO_DEV : SG_DXFER_NONE;
	if (c->dir != KESU_SCSI_DIR_NONE) {
		h.dxferp = c->data;
		h.dxfer_len = (unsigned)c->len;
	}
	if (ioctl(fd, SG_IO, &h) < 0)
		return ioctl_error(errno, c->cdb[0], eb);
	c->resid = h.resid > 0 && (size_t)h.resid <= c->len ? (size_t)h.resid : 0;
	o.status = h.status;
	o.host_status = h.host_status;
	o.driver_status = h.driver_status;
	o.sense = sense;
	o.sense_len = h.sb_len_wr <= sizeof(sense) ? h.sb_len_wr : sizeof(sense);
	rc = kesu_scsi_judge(&o, s);
	if (rc == 0)
		return 0;
	if (s->present) {
		kesu_scsi_sense_describe(s, what, sizeof(what));
		return kesu_err_set(eb, rc, "SCSI command 0x%02x: %s", c->cdb[0], what);
	}
	return kesu_err_set(eb, rc, "SCSI command 0x%02x: %s (SCSI status 0x%02x, host 0x%x, "
			    "driver 0x%x)", c->cdb[0], kesu_strerror(rc), h.status, h.host_status,
			    h.driver_status);
}

/* ---- CDBs ---- */

static void cdb_init(struct kesu_scsi_cmd *c, uint8_t len, enum kesu_scsi_dir dir, void *buf,
		     size_t buflen)
{
	memset(c, 0, sizeof(*c));
	c->cdb_len = len;
	c->dir = dir;
	c->data = buf;
	c->len = buflen;
}

void kesu_scsi_cdb_tur(struct kesu_scsi_cmd *c)
{
	cdb_init(c, 6, KESU_SCSI_DIR_NONE, NULL, 0);
	c->cdb[0] = KESU_SCSI_TEST_UNIT_READY;
}

void kesu_scsi_cdb_inquiry(struct kesu_scsi_cmd *c, bool evpd, uint8_t page, void *buf,
			   uint16_t len)
{
	cdb_init(c, 6, KESU_SCSI_DIR_IN, buf, len);
	c->cdb[0] = KESU_SCSI_INQUIRY;
	c->cdb[1] = evpd ? 1 : 0;
	c->cdb[2] = evpd ? page : 0;
	put_be16(c->cdb + 3, len);
}

void kesu_scsi_cdb_read_capacity16(struct kesu_scsi_cmd *c, void *buf, uint32_t len)
{
	cdb_init(c, 16, KESU_SCSI_DIR_IN, buf, len);
	c->cdb[0] = KESU_SCSI_SAI_16;
	c->cdb[1] = KESU_SCSI_SAI_READ_CAP_16;
	put_be32(c->cdb + 10, len);
}

void kesu_scsi_cdb_rsoc_one(struct kesu_scsi_cmd *c, uint8_t opcode, bool with_sa, uint16_t sa,
			    void *buf, uint32_t len)
{
	cdb_init(c, 12, KESU_SCSI_DIR_IN, buf, len);
	c->cdb[0] = KESU_SCSI_MAINT_IN;
	c->cdb[1] = KESU_SCSI_MI_RSOC;
	c->cdb[2] = with_sa ? 0x02 : 0x01;   /* REPORTING OPTIONS */
	c->cdb[3] = opcode;
	put_be16(c->cdb + 4, with_sa ? sa : 0);
	put_be32(c->cdb + 6, len);
}

void kesu_scsi_cdb_request_sense(struct kesu_scsi_cmd *c, bool desc, void *buf, uint8_t len)
{
	cdb_init(c, 6, KESU_SCSI_DIR_IN, buf, len);
	c->cdb[0] = KESU_SCSI_REQUEST_SENSE;
	c->cdb[1] = desc ? 1 : 0;
	c->cdb[4] = len;
}

int kesu_scsi_cdb_sanitize(struct kesu_scsi_cmd *c, const struct kesu_scsi_sanitize_req *req,
			   uint8_t param[KESU_SCSI_SANITIZE_OW_PARAM_LEN])
{
	bool ow = req->sa == KESU_SCSI_SANITIZE_OVERWRITE;

	switch (req->sa) {
	case KESU_SCSI_SANITIZE_OVERWRITE:
		if (!param || req->passes < 1 || req->passes > 31)
			return -EINVAL;
		break;
	case KESU_SCSI_SANITIZE_BLOCK_ERASE:
	case KESU_SCSI_SANITIZE_CRYPTO_ERASE:
	case KESU_SCSI_SANITIZE_EXIT_FAILURE:
		break;
	default:
		return -EINVAL;
	}
	cdb_init(c, 10, ow ? KESU_SCSI_DIR_OUT : KESU_SCSI_DIR_NONE, ow ? param : NULL,
		 ow ? KESU_SCSI_SANITIZE_OW_PARAM_LEN : 0);
	c->cdb[0] = KESU_SCSI_SANITIZE;
	c->cdb[1] = (uint8_t)((req->immed ? 0x80 : 0) | (req->ause ? 0x20 : 0) | req->sa);
	if (!ow)
		return 0;
	put_be16(c->cdb + 7, KESU_SCSI_SANITIZE_OW_PARAM_LEN);
	memset(param, 0, KESU_SCSI_SANITIZE_OW_PARAM_LEN);
	param[0] = (uint8_t)((req->invert ? 0x80 : 0) | (req->passes & 0x1f));  /* TEST = 00b */
	put_be16(param + 2, 4);                   /* INITIALIZATION PATTERN LENGTH */
	param[4] = (uint8_t)req->pattern;
	param[5] = (uint8_t)(req->pattern >> 8);
	param[6] = (uint8_t)(req->pattern >> 16);
	param[7] = (uint8_t)(req->pattern >> 24);
	return 0;
}

/* ---- decoders ---- */

/* Printable ASCII of b[0..n), trailing (and leading) spaces trimmed, into out[outlen]. */
static void ascii_field(const uint8_t *b, size_t n, char *out, size_t outlen)
{
	size_t i = 0, j = 0;

	while (i < n && b[i] == ' ')
		i++;
	while (n > i && (b[n - 1] == ' ' || b[n - 1] == 0))
		n--;
	for (; i < n && j + 1 < outlen; i++)
		out[j++] = b[i] >= 0x20 && b[i] < 0x7f ? (char)b[i] : '?';
	out[j] = '\0';
}

int kesu_scsi_inquiry_decode(const uint8_t *b, size_t len, struct kesu_scsi_inquiry *q)
{
	memset(q, 0, sizeof(*q));
	if (len < 36)
		return -EINVAL;
	q->peripheral_qualifier = b[0] >> 5;
	q->peripheral_type = b[0] & 0x1f;
	q->version = b[2];
	q->protect = b[5] & 0x01;
	ascii_field(b + 8, 8, q->vendor, sizeof(q->vendor));
	ascii_field(b + 16, 16, q->product, sizeof(q->product));
	ascii_field(b + 32, 4, q->revision, sizeof(q->revision));
	return 0;
}

/* A VPD page's length, checked against what came back: -EINVAL when not page code. */
static int vpd_len(const uint8_t *b, size_t len, uint8_t page, size_t *n)
{
	if (len < 4 || b[1] != page)
		return -EINVAL;
	*n = be16(b + 2);
	if (*n > len - 4)
		*n = len - 4;
	return 0;
}

int kesu_scsi_vpd_pages_decode(const uint8_t *b, size_t len, uint8_t *pages, size_t max)
{
	size_t n, k = 0;

	if (vpd_len(b, len, 0x00, &n) < 0)
		return -EINVAL;
	for (size_t i = 0; i < n && k < max; i++)
		pages[k++] = b[4 + i];
	return (int)k;
}

int kesu_scsi_vpd_serial_decode(const uint8_t *b, size_t len, char *out, size_t outlen)
{
	size_t n;

	out[0] = '\0';
	if (vpd_len(b, len, 0x80, &n) < 0)
		return -EINVAL;
	ascii_field(b + 4, n, out, outlen);
	return 0;
}

static void hex_text(const char *prefix, const uint8_t *b, size_t n, char *out, size_t outlen)
{
	size_t j = (size_t)snprintf(out, outlen, "%s", prefix);

	for (size_t i = 0; i < n && j + 3 <= outlen; i++)
		j += (size_t)snprintf(out + j, outlen - j, "%02x", b[i]);
}

int kesu_scsi_vpd_devid_decode(const uint8_t *b, size_t len, char *out, size_t outlen)
{
	static const uint8_t prefer[] = { 0x3, 0x2, 0x8, 0x1 };  /* NAA, EUI-64, name, T10 */
	size_t n, pos;

	out[0] = '\0';
	if (vpd_len(b, len, 0x83, &n) < 0)
		return -EINVAL;
	for (size_t p = 0; p < sizeof(prefer); p++) {
		for (pos = 4; pos + 4 <= 4 + n; pos += 4 + (size_t)b[pos + 3]) {
			const uint8_t *d = b + pos;
			size_t dl = d[3];

			if (pos + 4 + dl > 4 + n)
				break;
			/* association 00b: the logical unit itself */
			if ((d[1] & 0x30) != 0 || (d[1] & 0x0f) != prefer[p] || dl == 0)
				continue;
			if (prefer[p] == 0x3)
				hex_text("naa.", d + 4, dl, out, outlen);
			else if (prefer[p] == 0x2)
				hex_text("eui.", d + 4, dl, out, outlen);
			else if ((d[0] & 0x0f) == 0x1)      /* binary code set */
				hex_text("t10.", d + 4, dl, out, outlen);
			else
				ascii_field(d + 4, dl, out, outlen);
			return 0;
		}
	}
	return -ENOENT;
}

int kesu_scsi_vpd_bdc_decode(const uint8_t *b, size_t len, struct kesu_scsi_bdc *bdc)
{
	size_t n;

	memset(bdc, 0, sizeof(*bdc));
	if (vpd_len(b, len, 0xB1, &n) < 0 || n < 4)
		return -EINVAL;
	bdc->rotation_rate = be16(b + 4);
	bdc->form_factor = b[7] & 0x0f;
	return 0;
}

const char *kesu_scsi_form_factor_name(uint8_t ff)
{
	switch (ff) {
	case 1: return "5.25 inch";
	case 2: return "3.5 inch";
	case 3: return "2.5 inch";
	case 4: return "1.8 inch";
	case 5: return "less than 1.8 inch";
	case 0: return "not reported";
	default: return "reserved value";
	}
}

int kesu_scsi_read_capacity16_decode(const uint8_t *b, size_t len, struct kesu_scsi_capacity *cap)
{
	memset(cap, 0, sizeof(*cap));
	if (len < 16)
		return -EINVAL;
	cap->last_lba = be64(b);
	cap->block_len = be32(b + 8);
	cap->prot_en = b[12] & 0x01;
	cap->prot_type = cap->prot_en ? (uint8_t)(((b[12] >> 1) & 0x7) + 1) : 0;
	cap->p_i_exponent = b[13] >> 4;
	cap->lbppbe = b[13] & 0x0f;
	cap->lbpme = b[14] & 0x80;
	cap->lbprz = b[14] & 0x40;
	return cap->block_len ? 0 : -EINVAL;
}

int kesu_scsi_rsoc_one_decode(const uint8_t *b, size_t len, enum kesu_scsi_support *sup)
{
	if (len < 4) {
		*sup = KESU_SCSI_SUPPORT_UNKNOWN;
		return -EINVAL;
	}
	switch (b[1] & 0x07) {
	case 0x3:   /* supported in conformance with a standard */
	case 0x5:   /* supported in a vendor-specific manner */
		*sup = KESU_SCSI_SUPPORT_YES;
		break;
	case 0x1:
		*sup = KESU_SCSI_SUPPORT_NO;
		break;
	default:    /* 000b: data not currently available */
		*sup = KESU_SCSI_SUPPORT_UNKNOWN;
		break;
	}
	return 0;
}

const char *kesu_scsi_support_name(enum kesu_scsi_support s)
{
	switch (s) {
	case KESU_SCSI_SUPPORT_YES: return "yes";
	case KESU_SCSI_SUPPORT_NO: return "no";
	case KESU_SCSI_SUPPORT_UNKNOWN: break;
	}
	return "not reported";
}

enum kesu_scsi_sanitize_state kesu_scsi_sanitize_state(const struct kesu_scsi_sense *s)
{
	if (!s->present || (s->key == KESU_SK_NO_SENSE && s->asc == 0 && s->ascq == 0))
		return KESU_SCSI_SAN_IDLE;
	if (s->key == KESU_SK_NOT_READY && s->asc == 0x04 && s->ascq == 0x1B)
		return KESU_SCSI_SAN_IN_PROGRESS;
	if (s->key == KESU_SK_MEDIUM_ERROR && s->asc == 0x31 && s->ascq == 0x03)
		return KESU_SCSI_SAN_FAILED;
	if (s->key == KESU_SK_NO_SENSE)
		return KESU_SCSI_SAN_IDLE;   /* other informational codes */
	return KESU_SCSI_SAN_OTHER;
}

const char *kesu_scsi_sanitize_name(enum kesu_scsi_sanitize_sa sa)
{
	switch (sa) {
	case KESU_SCSI_SANITIZE_OVERWRITE: return "SANITIZE OVERWRITE";
	case KESU_SCSI_SANITIZE_BLOCK_ERASE: return "SANITIZE BLOCK ERASE";
	case KESU_SCSI_SANITIZE_CRYPTO_ERASE: return "SANITIZE CRYPTOGRAPHIC ERASE";
	case KESU_SCSI_SANITIZE_EXIT_FAILURE: return "SANITIZE EXIT FAILURE MODE";
	}
	return "SANITIZE";
}

enum kesu_scsi_support kesu_scsi_sanitize_support(const struct kesu_scsi_info *info,
						  enum kesu_scsi_sanitize_sa sa)
{
	switch (sa) {
	case KESU_SCSI_SANITIZE_OVERWRITE: return info->sanitize_overwrite;
	case KESU_SCSI_SANITIZE_BLOCK_ERASE: return info->sanitize_block;
	case KESU_SCSI_SANITIZE_CRYPTO_ERASE: return info->sanitize_crypto;
	case KESU_SCSI_SANITIZE_EXIT_FAILURE: return info->sanitize_exit_failure;
	}
	return KESU_SCSI_SUPPORT_UNKNOWN;
}

/* ---- commands on a descriptor ---- */

int kesu_scsi_request_sense(int fd, enum kesu_scsi_sanitize_state *state,
			    struct kesu_scsi_sense *s, struct kesu_errbuf *eb)
{
	struct kesu_scsi_sense local, cc;
	struct kesu_scsi_cmd c;
	uint8_t buf[64];
	int rc;

	if (!s)
		s = &local;
	memset(buf, 0, sizeof(buf));
	kesu_scsi_cdb_request_sense(&c, true, buf, sizeof(buf));
	rc = kesu_scsi_exec(fd, &c, &cc, eb);
	if (rc < 0) {
		/* A device that cannot return sense data as parameter data says it as CHECK CONDITION. */
		*s = cc;
		*state = kesu_scsi_sanitize_state(s);
		return *state == KESU_SCSI_SAN_OTHER || !cc.present ? rc : 0;
	}
	if (kesu_scsi_sense_decode(buf, sizeof(buf) - c.resid, s) < 0)
		memset(s, 0, sizeof(*s));   /* no sense data: nothing pending */
	*state = kesu_scsi_sanitize_state(s);
	return 0;
}

int kesu_scsi_sanitize(int fd, const struct kesu_scsi_sanitize_req *req, unsigned timeout_ms,
		       struct kesu_scsi_sense *s, struct kesu_errbuf *eb)
{
	uint8_t param[KESU_SCSI_SANITIZE_OW_PARAM_LEN];
	struct kesu_scsi_cmd c;

	if (kesu_scsi_cdb_sanitize(&c, req, param) < 0)
		return kesu_err_set(eb, -EINVAL, "SANITIZE: malformed request");
	c.timeout_ms = timeout_ms;
	return kesu_scsi_exec(fd, &c, s, eb);
}

/* ---- the probe ---- */

static void probe_vpd(int fd, struct kesu_scsi_info *info)
{
	uint8_t buf[252];
	struct kesu_scsi_cmd c;
	int n;

	memset(buf, 0, sizeof(buf));
	kesu_scsi_cdb_inquiry(&c, true, 0x00, buf, sizeof(buf));
	if (kesu_scsi_exec(fd, &c, NULL, NULL) < 0)
		return;
	n = kesu_scsi_vpd_pages_decode(buf, sizeof(buf) - c.resid, info->vpd, KESU_SCSI_MAX_VPD);
	info->nvpd = n > 0 ? (unsigned)n : 0;
	for (unsigned i = 0; i < info->nvpd; i++) {
		uint8_t page = info->vpd[i];

		if (page != 0x80 && page != 0x83 && page != 0xB1)
			continue;
		memset(buf, 0, sizeof(buf));
		kesu_scsi_cdb_inquiry(&c, true, page, buf, sizeof(buf));
		if (kesu_scsi_exec(fd, &c, NULL, NULL) < 0)
			continue;
		if (page == 0x80)
			(void)kesu_scsi_vpd_serial_decode(buf, sizeof(buf) - c.resid, info->serial,
							  sizeof(info->serial));
		else if (page == 0x83)
			(void)kesu_scsi_vpd_devid_decode(buf, sizeof(buf) - c.resid, info->designator,
							 sizeof(info->designator));
		else
			info->bdc_valid = kesu_scsi_vpd_bdc_decode(buf, sizeof(buf) - c.resid,
								   &info->bdc) == 0;
	}
}

static void probe_capacity(int fd, struct kesu_scsi_info *info)
{
	uint8_t buf[32];
	struct kesu_scsi_cmd c;

	memset(buf, 0, sizeof(buf));
	kesu_scsi_cdb_read_capacity16(&c, buf, sizeof(buf));
	if (kesu_scsi_exec(fd, &c, NULL, NULL) == 0)
		info->cap_valid = kesu_scsi_read_capacity16_decode(buf, sizeof(buf) - c.resid,
								   &info->cap) == 0;
}

/* One command's support; *refused set when REPORT SUPPORTED OPERATION CODES is refused. */
static enum kesu_scsi_support rsoc_one(int fd, uint8_t opcode, bool with_sa, uint16_t sa,
				       bool *refused)
{
	enum kesu_scsi_support sup = KESU_SCSI_SUPPORT_UNKNOWN;
	struct kesu_scsi_cmd c;
	uint8_t buf[64];
	int rc;

	memset(buf, 0, sizeof(buf));
	kesu_scsi_cdb_rsoc_one(&c, opcode, with_sa, sa, buf, sizeof(buf));
	rc = kesu_scsi_exec(fd, &c, NULL, NULL);
	if (rc < 0) {
		*refused = true;
		return sup;
	}
	(void)kesu_scsi_rsoc_one_decode(buf, sizeof(buf) - c.resid, &sup);
	return sup;
}

static void probe_support(int fd, struct kesu_scsi_info *info)
{
	bool refused = false;

	info->format_unit = rsoc_one(fd, KESU_SCSI_FORMAT_UNIT, false, 0, &refused);
	if (refused) {
		if (info->note[0])
			return;
		snprintf(info->note, sizeof(info->note), "the device refuses REPORT SUPPORTED "
			 "OPERATION CODES, so it does not say which SANITIZE service actions it "
			 "supports");
		return;
	}
	info->rsoc = true;
	info->sanitize_overwrite = rsoc_one(fd, KESU_SCSI_SANITIZE, true,
					    KESU_SCSI_SANITIZE_OVERWRITE, &refused);
	info->sanitize_block = rsoc_one(fd, KESU_SCSI_SANITIZE, true,
					KESU_SCSI_SANITIZE_BLOCK_ERASE, &refused);
	info->sanitize_crypto = rsoc_one(fd, KESU_SCSI_SANITIZE, true,
					 KESU_SCSI_SANITIZE_CRYPTO_ERASE, &refused);
	info->sanitize_exit_failure = rsoc_one(fd, KESU_SCSI_SANITIZE, true,
					       KESU_SCSI_SANITIZE_EXIT_FAILURE, &refused);
}

static void probe_state(int fd, struct kesu_scsi_info *info)
{
	struct kesu_scsi_sense s;
	char what[160];

	if (kesu_scsi_request_sense(fd, &info->san_state, &s, NULL) < 0)
		return;
	info->san_progress = s.progress_valid ? s.progress : 0;
	if (info->san_state == KESU_SCSI_SAN_IDLE || info->san_state == KESU_SCSI_SAN_IN_PROGRESS)
		return;
	kesu_scsi_sense_describe(&s, what, sizeof(what));
	snprintf(info->note, sizeof(info->note), "REQUEST SENSE: %s", what);
}

int kesu_scsi_probe(int fd, struct kesu_scsi_info *info, struct kesu_errbuf *eb)
{
	uint8_t buf[96];
	struct kesu_scsi_cmd c;
	int rc;

	memset(info, 0, sizeof(*info));
	memset(buf, 0, sizeof(buf));
	kesu_scsi_cdb_inquiry(&c, false, 0, buf, sizeof(buf));
	rc = kesu_scsi_exec(fd, &c, NULL, eb);
	if (rc < 0)
		return rc;
	if (kesu_scsi_inquiry_decode(buf, sizeof(buf) - c.resid, &info->inq) < 0)
		return kesu_err_set(eb, -EIO, "INQUIRY: the answer is too short");
	if (!strcmp(info->inq.vendor, "ATA")) {
		info->sat = true;
		return 0;
	}
	if (info->inq.peripheral_qualifier != 0 || info->inq.peripheral_type != 0)
		return kesu_err_set(eb, -KESU_E_UNSUPPORTED, "INQUIRY: peripheral type 0x%02x, "
				    "not a direct-access block device", info->inq.peripheral_type);
	probe_vpd(fd, info);
	probe_state(fd, info);
	if (info->san_state == KESU_SCSI_SAN_IN_PROGRESS) {
		/* The device answers little else until the sanitize ends; some answer this. */
		snprintf(info->note, sizeof(info->note), "a sanitize is in progress (%.1f%%): the "
			 "device refuses most commands until it ends",
			 info->san_progress * 100.0 / 65536);
		probe_support(fd, info);
		return 0;
	}
	probe_capacity(fd, info);
	probe_support(fd, info);
	return 0;
}

int kesu_scsi_serial(int fd, char *serial, size_t len)
{
	struct kesu_scsi_inquiry q;
	struct kesu_scsi_cmd c;
	uint8_t buf[252];
	int rc;

	serial[0] = '\0';
	memset(buf, 0, sizeof(buf));
	kesu_scsi_cdb_inquiry(&c, false, 0, buf, 96);
	rc = kesu_scsi_exec(fd, &c, NULL, NULL);
	if (rc < 0)
		return rc;
	if (kesu_scsi_inquiry_decode(buf, 96 - c.resid, &q) < 0 || !strcmp(q.vendor, "ATA") ||
	    q.peripheral_type != 0)
		return -ENOENT;
	memset(buf, 0, sizeof(buf));
	kesu_scsi_cdb_inquiry(&c, true, 0x80, buf, sizeof(buf));
	rc = kesu_scsi_exec(fd, &c, NULL, NULL);
	if (rc < 0)
		return rc;
	if (kesu_scsi_vpd_serial_decode(buf, sizeof(buf) - c.resid, serial, len) < 0 || !serial[0])
		return -ENOENT;
	return 0;
}
