/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ATA PASS-THROUGH(16) over SG_IO: CDB building, sense parsing, status checks.
 *
 * Layers of "did it work", outermost first: the ioctl itself, host_status
 * (the HBA delivered it), driver_status, the SCSI status byte, the sense data
 * and, inside it, the ATA status register. hdparm-style tools that stop at the
 * ioctl's return value report success for commands the drive aborted; kesu
 * checks them all.
 */
#include <kesu/sgio.h>

#include <errno.h>
#include <scsi/sg.h>
#include <string.h>
#include <sys/ioctl.h>

/* SCSI status bytes (the unshifted values; glibc's CHECK_CONDITION is shifted). */
#define SAM_GOOD            0x00
#define SAM_CHECK_CONDITION 0x02
#define SAM_BUSY            0x08

/* host_status and driver_status values from the Linux SCSI midlayer. */
#define HOST_DID_NO_CONNECT 0x01
#define HOST_DID_TIME_OUT   0x03
#define HOST_DID_BAD_TARGET 0x04
#define DRIVER_MASK         0x07
#define DRIVER_TIMEOUT_CODE 0x06

/* Sense keys and codes. */
#define SK_NO_SENSE        0x0
#define SK_RECOVERED_ERROR 0x1
#define SK_ILLEGAL_REQUEST 0x5
#define SK_ABORTED_COMMAND 0xb
#define ASC_INVALID_OPCODE 0x20
#define ASC_INVALID_FIELD  0x24

/* SAT CDB byte 2 bits. */
#define SAT_CK_COND     0x20
#define SAT_T_DIR_IN    0x08
#define SAT_BYT_BLOK    0x04
#define SAT_TLEN_COUNT  0x02  /* transfer length is in the COUNT field */

#define DEFAULT_TIMEOUT_MS 15000u

static bool proto_has_data(enum kesu_ata_protocol p)
{
	return p == KESU_ATA_PROTO_PIO_IN || p == KESU_ATA_PROTO_PIO_OUT ||
	       p == KESU_ATA_PROTO_DMA;
}

int kesu_ata_cdb16(const struct kesu_ata_cmd *cmd, uint8_t cdb[16])
{
	uint64_t lba = cmd->lba;
	uint8_t device = cmd->device;

	if (proto_has_data(cmd->protocol)) {
		/* COUNT is the transfer length in sectors; 0 means 256 (28-bit) or 65536 (48-bit). */
		size_t sectors = cmd->count ? cmd->count : (cmd->ext ? 65536u : 256u);

		if (!cmd->data || cmd->data_len != sectors * KESU_ATA_SECTOR)
			return -EINVAL;
	} else if (cmd->data_len) {
		return -EINVAL;
	}
	if (cmd->ext ? lba >> 48 : lba >> 28)
		return -EINVAL;
	if (!cmd->ext && (cmd->feature > 0xff || cmd->count > 0xff))
		return -EINVAL;

	memset(cdb, 0, 16);
	cdb[0] = KESU_SAT_ATA_PASS_THROUGH_16;
	cdb[1] = (uint8_t)(cmd->protocol << 1) | (cmd->ext ? 1 : 0);
	if (proto_has_data(cmd->protocol)) {
		cdb[2] = SAT_BYT_BLOK | SAT_TLEN_COUNT;
		if (cmd->protocol != KESU_ATA_PROTO_PIO_OUT)
			cdb[2] |= SAT_T_DIR_IN;
	}
	if (cmd->want_registers)
		cdb[2] |= SAT_CK_COND;
	cdb[3] = (uint8_t)(cmd->feature >> 8);
	cdb[4] = (uint8_t)cmd->feature;
	cdb[5] = (uint8_t)(cmd->count >> 8);
	cdb[6] = (uint8_t)cmd->count;
	if (!cmd->ext) {
		/* 28-bit commands carry LBA 27:24 in the device register. */
		device = (uint8_t)((device & 0xf0) | ((lba >> 24) & 0x0f));
		lba &= 0xffffff;
	}
	cdb[7] = (uint8_t)(lba >> 24);
	cdb[8] = (uint8_t)lba;
	cdb[9] = (uint8_t)(lba >> 32);
	cdb[10] = (uint8_t)(lba >> 8);
	cdb[11] = (uint8_t)(lba >> 40);
	cdb[12] = (uint8_t)(lba >> 16);
	cdb[13] = device;
	cdb[14] = cmd->command;
	return 0;
}

/*
 * The ATA Status Return descriptor (code 0x09, 14 bytes). The upper bytes are
 * taken even without EXTEND: a SATL leaves them zero then, and a sloppy one
 * that forgets EXTEND on a 48-bit command still gets its answer read.
 */
static void regs_from_descriptor(const uint8_t *d, struct kesu_ata_regs *r)
{
	r->valid = true;
	r->ext = d[2] & 0x01;
	r->error = d[3];
	r->device = d[12];
	r->status = d[13];
	r->count = (uint16_t)(d[4] << 8 | d[5]);
	r->lba = (uint64_t)d[7] | (uint64_t)d[9] << 8 | (uint64_t)d[11] << 16 |
		 (uint64_t)d[6] << 24 | (uint64_t)d[8] << 32 | (uint64_t)d[10] << 40;
	/* 28-bit commands return LBA 27:24 in the device register. */
	if (!r->ext && d[6] == 0 && d[8] == 0 && d[10] == 0)
		r->lba |= (uint64_t)(d[12] & 0x0f) << 24;
}

static int parse_descriptor_sense(const uint8_t *sb, size_t len, struct kesu_sense *out)
{
	size_t end, pos;

	if (len < 8)
		return -EINVAL;
	out->key = sb[1] & 0x0f;
	out->asc = sb[2];
	out->ascq = sb[3];
	end = 8 + (size_t)sb[7];
	if (end > len)
		end = len;
	for (pos = 8; pos + 2 <= end; pos += 2 + (size_t)sb[pos + 1]) {
		if (sb[pos] == 0x09 && sb[pos + 1] >= 0x0c && pos + 14 <= end) {
			regs_from_descriptor(sb + pos, &out->regs);
			break;
		}
	}
	return 0;
}

/*
 * SAT fixed format: INFORMATION = ERROR, STATUS, DEVICE, COUNT(7:0);
 * COMMAND-SPECIFIC INFORMATION = flags, LBA(7:0), LBA(15:8), LBA(23:16).
 * The upper bytes of a 48-bit result do not fit; flags only say they are nonzero.
 */
static int parse_fixed_sense(const uint8_t *sb, size_t len, struct kesu_sense *out)
{
	struct kesu_ata_regs *r = &out->regs;

	if (len < 14)
		return -EINVAL;
	out->key = sb[2] & 0x0f;
	out->asc = sb[12];
	out->ascq = sb[13];
	/* VALID bit: INFORMATION holds defined content (the ATA registers). */
	if (!(sb[0] & 0x80) && !kesu_sense_is_ata_info(out))
		return 0;
	r->valid = true;
	r->error = sb[3];
	r->status = sb[4];
	r->device = sb[5];
	r->count = sb[6];
	r->ext = sb[8] & 0x80;
	r->upper_unknown = (sb[8] & 0x60) != 0;
	r->lba = (uint64_t)sb[9] | (uint64_t)sb[10] << 8 | (uint64_t)sb[11] << 16;
	if (!r->ext)
		r->lba |= (uint64_t)(sb[5] & 0x0f) << 24;
	return 0;
}

int kesu_sense_parse(const uint8_t *sense, size_t len, struct kesu_sense *out)
{
	memset(out, 0, sizeof(*out));
	if (!sense || len < 1)
		return -EINVAL;
	out->response_code = sense[0] & 0x7f;
	switch (out->response_code) {
	case 0x72:
	case 0x73:
		return parse_descriptor_sense(sense, len, out);
	case 0x70:
	case 0x71:
		return parse_fixed_sense(sense, len, out);
	default:
		return -EINVAL;
	}
}

bool kesu_sense_is_ata_info(const struct kesu_sense *s)
{
	return s->key == SK_RECOVERED_ERROR && s->asc == 0x00 && s->ascq == 0x1d;
}

static bool ata_failed(const struct kesu_ata_regs *r)
{
	return r->valid && (r->status & (KESU_ATA_STATUS_ERR | KESU_ATA_STATUS_DF));
}

static int check_transport(const struct kesu_sgio_outcome *o)
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

/* CHECK CONDITION: the sense data decides. */
static int check_condition(const struct kesu_sense *s, bool parsed)
{
	if (!parsed)
		return -EIO;
	if (s->regs.valid) {
		if (ata_failed(&s->regs))
			return -KESU_E_DEV_ABORT;
		if (s->key == SK_NO_SENSE || s->key == SK_RECOVERED_ERROR)
			return 0;
		return -EIO;
	}
	if (s->key == SK_ILLEGAL_REQUEST &&
	    (s->asc == ASC_INVALID_OPCODE || s->asc == ASC_INVALID_FIELD))
		return -KESU_E_NO_TRANSPORT;   /* the SATL refuses ATA PASS-THROUGH */
	if (s->key == SK_ABORTED_COMMAND)
		return -KESU_E_DEV_ABORT;
	if (s->key == SK_NO_SENSE || s->key == SK_RECOVERED_ERROR)
		return 0;
	return -EIO;
}

int kesu_sgio_check(const struct kesu_sgio_outcome *o, struct kesu_ata_regs *regs)
{
	struct kesu_sense s;
	bool parsed = false;
	int rc;

	memset(&s, 0, sizeof(s));
	if (o->sense && o->sense_len)
		parsed = kesu_sense_parse(o->sense, o->sense_len, &s) == 0;
	if (regs)
		*regs = s.regs;
	rc = check_transport(o);
	if (rc)
		return rc;
	switch (o->status & 0x7e) {
	case SAM_GOOD:
		return ata_failed(&s.regs) ? -KESU_E_DEV_ABORT : 0;
	case SAM_CHECK_CONDITION:
		return check_condition(&s, parsed);
	case SAM_BUSY:
		return -EBUSY;
	default:
		return -EIO;
	}
}

static int ioctl_error(int err, uint8_t opcode, struct kesu_errbuf *eb)
{
	switch (err) {
	case ENOTTY:
	case EINVAL:
	case ENOSYS:
	case EOPNOTSUPP:
		return kesu_err_set(eb, -KESU_E_NO_TRANSPORT,
				    "ATA command 0x%02x: the device takes no SCSI commands (%s)",
				    opcode, strerror(err));
	case EPERM:
	case EACCES:
		return kesu_err_set(eb, -KESU_E_NOT_ROOT,
				    "ATA command 0x%02x: SG_IO needs root (CAP_SYS_RAWIO)", opcode);
	case ENODEV:
	case ENXIO:
		return kesu_err_set(eb, -KESU_E_GONE, "ATA command 0x%02x: %s", opcode,
				    strerror(err));
	default:
		return kesu_err_set(eb, -err, "ATA command 0x%02x: SG_IO: %s", opcode,
				    strerror(err));
	}
}

static int explain(int rc, const struct kesu_ata_cmd *cmd, const sg_io_hdr_t *h,
		   const struct kesu_ata_regs *r, struct kesu_errbuf *eb)
{
	if (rc == -KESU_E_DEV_ABORT)
		return kesu_err_set(eb, rc,
				    "ATA command 0x%02x: the drive aborted it (status 0x%02x, error 0x%02x)",
				    cmd->command, r->status, r->error);
	if (rc == -KESU_E_NO_TRANSPORT)
		return kesu_err_set(eb, rc,
				    "ATA command 0x%02x: the SCSI layer refuses ATA PASS-THROUGH(16) (a bridge without SAT?)",
				    cmd->command);
	return kesu_err_set(eb, rc,
			    "ATA command 0x%02x: %s (SCSI status 0x%02x, host 0x%x, driver 0x%x)",
			    cmd->command, kesu_strerror(rc), h->status, h->host_status,
			    h->driver_status);
}

int kesu_sgio_ata(int fd, const struct kesu_ata_cmd *cmd, struct kesu_ata_regs *regs,
		  struct kesu_errbuf *eb)
{
	uint8_t cdb[16], sense[64];
	struct kesu_sgio_outcome o;
	struct kesu_ata_regs r;
	sg_io_hdr_t h;
	int rc;

	if (regs)
		memset(regs, 0, sizeof(*regs));
	rc = kesu_ata_cdb16(cmd, cdb);
	if (rc)
		return kesu_err_set(eb, rc, "ATA command 0x%02x: malformed request", cmd->command);

	memset(&h, 0, sizeof(h));
	memset(sense, 0, sizeof(sense));
	h.interface_id = 'S';
	h.cmdp = cdb;
	h.cmd_len = sizeof(cdb);
	h.sbp = sense;
	h.mx_sb_len = sizeof(sense);
	h.timeout = cmd->timeout_ms ? cmd->timeout_ms : DEFAULT_TIMEOUT_MS;
	h.dxfer_direction = SG_DXFER_NONE;
	if (proto_has_data(cmd->protocol)) {
		h.dxferp = cmd->data;
		h.dxfer_len = (unsigned)cmd->data_len;
		h.dxfer_direction = cmd->protocol == KESU_ATA_PROTO_PIO_OUT ?
			SG_DXFER_TO_DEV : SG_DXFER_FROM_DEV;
	}
	if (ioctl(fd, SG_IO, &h) < 0)
		return ioctl_error(errno, cmd->command, eb);

	o.status = h.status;
	o.host_status = h.host_status;
	o.driver_status = h.driver_status;
	o.sense = sense;
	o.sense_len = h.sb_len_wr <= sizeof(sense) ? h.sb_len_wr : sizeof(sense);
	rc = kesu_sgio_check(&o, &r);
	if (regs)
		*regs = r;
	if (rc)
		return explain(rc, cmd, &h, &r, eb);
	return 0;
}
