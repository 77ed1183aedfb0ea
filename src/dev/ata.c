/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ATA command builders and decoders (ACS-3/ACS-4). */
#include <kesu/ata.h>
#include <kesu/util.h>

#include <errno.h>
#include <string.h>

#define ATA_DEV_LBA 0x40

static uint16_t word_at(const uint8_t *page, unsigned w)
{
	return (uint16_t)(page[2 * w] | page[2 * w + 1] << 8);
}

static bool bit(uint16_t w, unsigned n)
{
	return (w >> n) & 1u;
}

/* Words 82-87 and 106/119 are valid only when bits 15:14 read 01. */
static bool word_valid(uint16_t w)
{
	return (w & 0xc000) == 0x4000;
}

/* Words 82, 85: 0x0000 and 0xFFFF mean "not reported". */
static uint16_t word_reported(uint16_t w)
{
	return w == 0xffff ? 0 : w;
}

void kesu_ata_string(const uint8_t *page, unsigned first, unsigned nwords, char *out)
{
	size_t n = 0;

	for (unsigned w = first; w < first + nwords; w++) {
		out[n++] = (char)page[2 * w + 1];
		out[n++] = (char)page[2 * w];
	}
	out[n] = '\0';
	/* the space padding, and any NULs some drives use instead */
	kesu_ascii_field_tidy(out, n);
}

unsigned kesu_ata_erase_time_min(uint16_t word)
{
	unsigned v = bit(word, 15) ? (word & 0x7fffu) : (word & 0xffu);

	return v * 2;
}

static enum kesu_ata_checksum identify_checksum(const uint8_t *page)
{
	uint8_t sum = 0;

	if (page[510] != 0xa5)
		return KESU_ATA_CHECKSUM_ABSENT;
	for (unsigned i = 0; i < KESU_ATA_IDENTIFY_LEN; i++)
		sum = (uint8_t)(sum + page[i]);
	return sum == 0 ? KESU_ATA_CHECKSUM_OK : KESU_ATA_CHECKSUM_BAD;
}

static bool page_is_blank(const uint8_t *page)
{
	bool zeros = true, ones = true;

	for (unsigned i = 0; i < KESU_ATA_IDENTIFY_LEN; i++) {
		zeros = zeros && page[i] == 0x00;
		ones = ones && page[i] == 0xff;
	}
	return zeros || ones;
}

static void decode_capacity(const uint8_t *page, struct kesu_ata_identify *id)
{
	uint16_t w83 = word_at(page, 83), w106 = word_at(page, 106);

	id->lba48 = word_valid(w83) && bit(w83, 10);
	if (id->lba48)
		id->capacity_sectors = (uint64_t)word_at(page, 100) |
			(uint64_t)word_at(page, 101) << 16 |
			(uint64_t)word_at(page, 102) << 32 |
			(uint64_t)word_at(page, 103) << 48;
	else
		id->capacity_sectors = (uint64_t)word_at(page, 60) |
			(uint64_t)word_at(page, 61) << 16;

	id->logical_sector_size = 512;
	if (word_valid(w106) && bit(w106, 12)) {
		/* Words 117-118: logical sector size in 16-bit words. */
		uint32_t words = (uint32_t)word_at(page, 117) | (uint32_t)word_at(page, 118) << 16;
		if (words >= 256)
			id->logical_sector_size = words * 2;
	}
	id->physical_sector_size = id->logical_sector_size;
	if (word_valid(w106) && bit(w106, 13))
		id->physical_sector_size = id->logical_sector_size << (w106 & 0x0f);
}

static void decode_security(const uint8_t *page, struct kesu_ata_security *s)
{
	uint16_t w82 = word_reported(word_at(page, 82)), w128 = word_at(page, 128);

	s->supported = bit(w82, 1) || bit(w128, 0);
	if (!s->supported)
		return;
	s->enabled = bit(w128, 1);
	s->locked = bit(w128, 2);
	s->frozen = bit(w128, 3);
	s->count_expired = bit(w128, 4);
	s->enhanced_erase = bit(w128, 5);
	s->level_max = bit(w128, 8);
	s->erase_time_normal_min = kesu_ata_erase_time_min(word_at(page, 89));
	s->erase_time_enhanced_min = kesu_ata_erase_time_min(word_at(page, 90));
}

static void decode_sanitize(const uint8_t *page, struct kesu_ata_sanitize_caps *s)
{
	uint16_t w59 = word_at(page, 59);

	s->supported = bit(w59, 12);
	if (!s->supported)
		return;
	s->crypto = bit(w59, 13);
	s->overwrite = bit(w59, 14);
	s->block = bit(w59, 15);
	s->antifreeze = bit(w59, 10);
}

int kesu_ata_identify_decode(const uint8_t page[KESU_ATA_IDENTIFY_LEN],
			     struct kesu_ata_identify *id)
{
	uint16_t w82, w83, w85, w119;

	memset(id, 0, sizeof(*id));
	if (page_is_blank(page) || bit(word_at(page, 0), 15))
		return -KESU_E_UNSUPPORTED;

	kesu_ata_string(page, 10, 10, id->serial);
	kesu_ata_string(page, 23, 4, id->firmware);
	kesu_ata_string(page, 27, 20, id->model);
	decode_capacity(page, id);
	id->rotation_rate = word_at(page, 217);
	decode_security(page, &id->security);
	decode_sanitize(page, &id->sanitize);

	w82 = word_reported(word_at(page, 82));
	w83 = word_at(page, 83);
	w85 = word_reported(word_at(page, 85));
	w119 = word_at(page, 119);
	id->hpa_supported = bit(w82, 10);
	id->hpa_enabled = id->hpa_supported && bit(w85, 10);
	id->dco_supported = word_valid(w83) && bit(w83, 11);
	id->amac_supported = word_valid(w119) && bit(w119, 8);
	id->checksum = identify_checksum(page);
	return 0;
}

int kesu_ata_hpa_from_regs(uint64_t capacity_sectors, const struct kesu_ata_regs *regs,
			   struct kesu_ata_hpa *hpa)
{
	memset(hpa, 0, sizeof(*hpa));
	if (!regs->valid || regs->upper_unknown || capacity_sectors == 0)
		return -EINVAL;
	hpa->valid = true;
	hpa->current_max_lba = capacity_sectors - 1;
	hpa->native_max_lba = regs->lba;
	if (hpa->native_max_lba > hpa->current_max_lba)
		hpa->hidden_sectors = hpa->native_max_lba - hpa->current_max_lba;
	return 0;
}

int kesu_ata_dco_decode(const uint8_t page[KESU_ATA_IDENTIFY_LEN], struct kesu_ata_dco *dco)
{
	memset(dco, 0, sizeof(*dco));
	if (page_is_blank(page) || identify_checksum(page) == KESU_ATA_CHECKSUM_BAD)
		return -EINVAL;
	dco->revision = word_at(page, 0);
	dco->max_lba = (uint64_t)word_at(page, 3) | (uint64_t)word_at(page, 4) << 16 |
		       (uint64_t)word_at(page, 5) << 32 | (uint64_t)word_at(page, 6) << 48;
	return 0;
}

/* ---- Builders ---- */

static void cmd_init(struct kesu_ata_cmd *c, uint8_t opcode, enum kesu_ata_protocol proto,
		     bool ext)
{
	memset(c, 0, sizeof(*c));
	c->command = opcode;
	c->protocol = proto;
	c->ext = ext;
	c->device = ATA_DEV_LBA;
	/* Non-data commands return their result in the registers. */
	c->want_registers = proto == KESU_ATA_PROTO_NON_DATA;
}

static void cmd_data(struct kesu_ata_cmd *c, uint8_t *page)
{
	c->data = page;
	c->data_len = KESU_ATA_IDENTIFY_LEN;
	c->count = 1;
}

void kesu_ata_cmd_identify(struct kesu_ata_cmd *c, uint8_t page[KESU_ATA_IDENTIFY_LEN])
{
	cmd_init(c, KESU_ATA_IDENTIFY_DEVICE, KESU_ATA_PROTO_PIO_IN, false);
	c->device = 0;
	cmd_data(c, page);
}

void kesu_ata_cmd_read_native_max(struct kesu_ata_cmd *c, bool lba48)
{
	if (lba48)
		cmd_init(c, KESU_ATA_READ_NATIVE_MAX_EXT, KESU_ATA_PROTO_NON_DATA, true);
	else
		cmd_init(c, KESU_ATA_READ_NATIVE_MAX, KESU_ATA_PROTO_NON_DATA, false);
}

void kesu_ata_cmd_get_native_max_amac(struct kesu_ata_cmd *c)
{
	cmd_init(c, KESU_ATA_ACCESSIBLE_MAX_ADDRESS, KESU_ATA_PROTO_NON_DATA, true);
	c->feature = 0x0000;
}

void kesu_ata_cmd_set_max_address_ext(struct kesu_ata_cmd *c, uint64_t max_lba, bool keep)
{
	cmd_init(c, KESU_ATA_SET_MAX_ADDRESS_EXT, KESU_ATA_PROTO_NON_DATA, true);
	c->lba = max_lba & 0xffffffffffffull;
	c->count = keep ? 1 : 0;
}

void kesu_ata_cmd_set_accessible_max_amac(struct kesu_ata_cmd *c, uint64_t max_lba)
{
	cmd_init(c, KESU_ATA_ACCESSIBLE_MAX_ADDRESS, KESU_ATA_PROTO_NON_DATA, true);
	c->feature = 0x0001;
	c->lba = max_lba & 0xffffffffffffull;
}

void kesu_ata_cmd_dco_identify(struct kesu_ata_cmd *c, uint8_t page[KESU_ATA_IDENTIFY_LEN])
{
	cmd_init(c, KESU_ATA_DCO, KESU_ATA_PROTO_PIO_IN, false);
	c->feature = 0xc2;
	cmd_data(c, page);
}

void kesu_ata_cmd_dco_restore(struct kesu_ata_cmd *c)
{
	cmd_init(c, KESU_ATA_DCO, KESU_ATA_PROTO_NON_DATA, false);
	c->feature = 0xc0;
}

int kesu_ata_password_set(struct kesu_ata_password *pw, const char *text, bool master)
{
	size_t len = strlen(text);

	memset(pw, 0, sizeof(*pw));
	if (len > KESU_ATA_PASSWORD_LEN)
		return -EINVAL;
	memcpy(pw->password, text, len);
	pw->master = master;
	return 0;
}

void kesu_ata_security_payload(enum kesu_ata_security_op op, const struct kesu_ata_password *pw,
			       uint8_t page[KESU_ATA_IDENTIFY_LEN])
{
	uint16_t control = pw->master ? 0x0001 : 0x0000;

	memset(page, 0, KESU_ATA_IDENTIFY_LEN);
	if (op == KESU_ATA_SEC_ERASE_UNIT && pw->enhanced)
		control |= 0x0002;
	if (op == KESU_ATA_SEC_SET_PASSWORD && !pw->master && pw->level_max)
		control |= 0x0100;
	page[0] = (uint8_t)control;
	page[1] = (uint8_t)(control >> 8);
	/* Bytes 2-33: the password as the drive compares it, byte for byte. */
	memcpy(page + 2, pw->password, KESU_ATA_PASSWORD_LEN);
}

static const uint8_t security_opcodes[] = {
	[KESU_ATA_SEC_SET_PASSWORD] = KESU_ATA_SECURITY_SET_PASSWORD,
	[KESU_ATA_SEC_UNLOCK] = KESU_ATA_SECURITY_UNLOCK,
	[KESU_ATA_SEC_ERASE_PREPARE] = KESU_ATA_SECURITY_ERASE_PREPARE,
	[KESU_ATA_SEC_ERASE_UNIT] = KESU_ATA_SECURITY_ERASE_UNIT,
	[KESU_ATA_SEC_FREEZE_LOCK] = KESU_ATA_SECURITY_FREEZE_LOCK,
	[KESU_ATA_SEC_DISABLE_PASSWORD] = KESU_ATA_SECURITY_DISABLE_PASSWORD,
};

int kesu_ata_cmd_security(struct kesu_ata_cmd *c, enum kesu_ata_security_op op,
			  uint8_t *page, unsigned timeout_ms)
{
	bool has_payload = op != KESU_ATA_SEC_ERASE_PREPARE && op != KESU_ATA_SEC_FREEZE_LOCK;

	if ((unsigned)op >= sizeof(security_opcodes) || (has_payload && !page))
		return -EINVAL;
	if (has_payload) {
		cmd_init(c, security_opcodes[op], KESU_ATA_PROTO_PIO_OUT, false);
		cmd_data(c, page);
		/* The registers tell an abort (wrong password, frozen) apart from success. */
		c->want_registers = true;
	} else {
		cmd_init(c, security_opcodes[op], KESU_ATA_PROTO_NON_DATA, false);
	}
	c->device = 0;
	c->timeout_ms = timeout_ms;
	return 0;
}

int kesu_ata_security_blocker(const struct kesu_ata_identify *id, bool enhanced)
{
	const struct kesu_ata_security *s = &id->security;

	if (!s->supported || (enhanced && !s->enhanced_erase))
		return -KESU_E_UNSUPPORTED;
	if (s->frozen)
		return -KESU_E_FROZEN;
	if (s->locked)
		return -KESU_E_LOCKED;
	return 0;
}

unsigned kesu_ata_security_erase_timeout_ms(const struct kesu_ata_identify *id, bool enhanced)
{
	const uint64_t min_ms = 60000, cap_ms = 0xfffffff0u;
	uint64_t est = enhanced ? id->security.erase_time_enhanced_min
				: id->security.erase_time_normal_min;
	uint64_t bytes = id->capacity_sectors * (id->logical_sector_size ? id->logical_sector_size : 512);
	uint64_t by_estimate = (est + 60) * min_ms;
	uint64_t by_size = (bytes / (30ull * 1000 * 1000) / 60 + 30) * min_ms;
	uint64_t t = by_estimate > by_size ? by_estimate : by_size;

	return (unsigned)(t > cap_ms ? cap_ms : t);
}

int kesu_ata_cmd_sanitize(struct kesu_ata_cmd *c, const struct kesu_ata_sanitize_req *req)
{
	uint16_t count = req->failure_mode ? 0x0010 : 0;
	uint64_t lba;

	switch (req->action) {
	case KESU_ATA_SANITIZE_STATUS:
		lba = 0;
		count = req->clear_failure ? 0x0001 : 0;
		break;
	case KESU_ATA_SANITIZE_CRYPTO_SCRAMBLE:
		lba = KESU_ATA_SANITIZE_KEY_CRYPTO;
		break;
	case KESU_ATA_SANITIZE_BLOCK_ERASE:
		lba = KESU_ATA_SANITIZE_KEY_BLOCK;
		break;
	case KESU_ATA_SANITIZE_OVERWRITE:
		if (req->passes < 1 || req->passes > 16)
			return -EINVAL;
		lba = (uint64_t)KESU_ATA_SANITIZE_KEY_OVERWRITE << 32 | req->pattern;
		count |= (uint16_t)(req->passes & 0x0f);  /* 16 passes: 0 */
		if (req->invert)
			count |= 0x0080;
		break;
	case KESU_ATA_SANITIZE_FREEZE_LOCK:
		lba = KESU_ATA_SANITIZE_KEY_FREEZE;
		count = 0;
		break;
	case KESU_ATA_SANITIZE_ANTIFREEZE_LOCK:
		lba = KESU_ATA_SANITIZE_KEY_ANTIFREEZE;
		count = 0;
		break;
	default:
		return -EINVAL;
	}
	cmd_init(c, KESU_ATA_SANITIZE, KESU_ATA_PROTO_NON_DATA, true);
	c->feature = (uint16_t)req->action;
	c->count = count;
	c->lba = lba;
	return 0;
}

int kesu_ata_sanitize_status_decode(const struct kesu_ata_regs *regs,
				    struct kesu_ata_sanitize_status *st)
{
	memset(st, 0, sizeof(*st));
	/* The state bits live in COUNT 15:8: without the upper byte nothing is known. */
	if (!regs->valid || regs->upper_unknown)
		return -EINVAL;
	st->completed_ok = bit(regs->count, 15);
	st->in_progress = bit(regs->count, 14);
	st->frozen = bit(regs->count, 13);
	st->antifreeze = bit(regs->count, 12);
	st->progress = (uint16_t)(regs->lba & 0xffff);
	st->failed = regs->status & KESU_ATA_STATUS_ERR;
	if (st->failed)
		st->reason = (uint8_t)(regs->lba & 0xff);
	return 0;
}

/* ---- Sending ---- */

int kesu_ata_identify(int fd, uint8_t page[KESU_ATA_IDENTIFY_LEN], struct kesu_ata_identify *id,
		      struct kesu_errbuf *eb)
{
	struct kesu_ata_cmd c;
	int rc;

	memset(page, 0, KESU_ATA_IDENTIFY_LEN);
	kesu_ata_cmd_identify(&c, page);
	rc = kesu_sgio_ata(fd, &c, NULL, eb);
	if (rc)
		return rc;
	rc = kesu_ata_identify_decode(page, id);
	if (rc)
		return kesu_err_set(eb, -KESU_E_NO_TRANSPORT,
				    "IDENTIFY DEVICE returned no ATA identity (not an ATA disk)");
	return 0;
}

static int read_native_max(int fd, struct kesu_ata_cmd *c, uint64_t capacity,
			   struct kesu_ata_hpa *hpa, struct kesu_errbuf *eb)
{
	struct kesu_ata_regs regs;
	int rc = kesu_sgio_ata(fd, c, &regs, eb);

	if (rc)
		return rc;
	if (kesu_ata_hpa_from_regs(capacity, &regs, hpa))
		return kesu_err_set(eb, -KESU_E_NO_TRANSPORT,
				    "ATA command 0x%02x: the native max address did not come back in full",
				    c->command);
	return 0;
}

int kesu_ata_read_hpa(int fd, const struct kesu_ata_identify *id, struct kesu_ata_hpa *hpa,
		      struct kesu_errbuf *eb)
{
	struct kesu_ata_cmd c;
	int rc = -KESU_E_UNSUPPORTED;

	memset(hpa, 0, sizeof(*hpa));
	if (id->amac_supported) {
		kesu_ata_cmd_get_native_max_amac(&c);
		rc = read_native_max(fd, &c, id->capacity_sectors, hpa, eb);
		if (rc == 0)
			return 0;
	}
	if (id->hpa_supported || id->amac_supported) {
		/* READ NATIVE MAX is obsolete under AMAC, but many drives still take it. */
		kesu_ata_cmd_read_native_max(&c, id->lba48);
		rc = read_native_max(fd, &c, id->capacity_sectors, hpa, eb);
	} else {
		kesu_err_set(eb, rc, "the drive supports neither HPA nor AMAC");
	}
	return rc;
}
