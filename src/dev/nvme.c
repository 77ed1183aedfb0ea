/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * NVMe identify through libnvme 1.3, and pure decoders of the raw pages.
 *
 * Every libnvme call in kesu lives in this file (libnvme.h pulls in json-c,
 * which clashes with jansson). libnvme 1.3 sends admin commands with
 * ioctl(fd, NVME_IOCTL_ADMIN_CMD, struct nvme_passthru_cmd *) through
 * nvme_submit_admin_passthru(); nvme_get_nsid() is ioctl(fd, NVME_IOCTL_ID).
 * Both work on a namespace block device (/dev/nvme0n1) descriptor.
 */
#include <kesu/nvme.h>
#include <kesu/util.h>

#include <errno.h>
#include <libnvme.h>
#include <stddef.h>
#include <string.h>

/* kesu's offsets and libnvme's structs must agree. */
_Static_assert(sizeof(struct nvme_id_ctrl) == KESU_NVME_IDENTIFY_LEN, "id_ctrl size");
_Static_assert(sizeof(struct nvme_id_ns) == KESU_NVME_IDENTIFY_LEN, "id_ns size");
_Static_assert(offsetof(struct nvme_id_ctrl, sn) == KESU_NVME_CTRL_SN, "sn");
_Static_assert(offsetof(struct nvme_id_ctrl, mn) == KESU_NVME_CTRL_MN, "mn");
_Static_assert(offsetof(struct nvme_id_ctrl, fr) == KESU_NVME_CTRL_FR, "fr");
_Static_assert(offsetof(struct nvme_id_ctrl, mdts) == KESU_NVME_CTRL_MDTS, "mdts");
_Static_assert(offsetof(struct nvme_id_ctrl, ver) == KESU_NVME_CTRL_VER, "ver");
_Static_assert(offsetof(struct nvme_id_ctrl, oacs) == KESU_NVME_CTRL_OACS, "oacs");
_Static_assert(offsetof(struct nvme_id_ctrl, sanicap) == KESU_NVME_CTRL_SANICAP, "sanicap");
_Static_assert(offsetof(struct nvme_id_ctrl, nn) == KESU_NVME_CTRL_NN, "nn");
_Static_assert(offsetof(struct nvme_id_ctrl, fna) == KESU_NVME_CTRL_FNA, "fna");
_Static_assert(offsetof(struct nvme_id_ns, nlbaf) == KESU_NVME_NS_NLBAF, "nlbaf");
_Static_assert(offsetof(struct nvme_id_ns, flbas) == KESU_NVME_NS_FLBAS, "flbas");
_Static_assert(offsetof(struct nvme_id_ns, dlfeat) == KESU_NVME_NS_DLFEAT, "dlfeat");
_Static_assert(offsetof(struct nvme_id_ns, lbaf) == KESU_NVME_NS_LBAF, "lbaf");
_Static_assert(sizeof(struct nvme_sanitize_log_page) == KESU_NVME_SANITIZE_LOG_LEN, "sanitize log");

/* NVMe generic status codes (SCT 0). */
#define NVME_SC_MASK          0x7ff
#define NVME_SC_INVALID_OP    0x001
#define NVME_SC_INVALID_FIELD 0x002

static uint16_t le16_at(const uint8_t *b, size_t off)
{
	return (uint16_t)(b[off] | b[off + 1] << 8);
}

static uint32_t le32_at(const uint8_t *b, size_t off)
{
	return (uint32_t)le16_at(b, off) | (uint32_t)le16_at(b, off + 2) << 16;
}

static uint64_t le64_at(const uint8_t *b, size_t off)
{
	return (uint64_t)le32_at(b, off) | (uint64_t)le32_at(b, off + 4) << 32;
}

/* An ASCII field, space padded: trimmed, non-printables replaced. */
static void ascii_field(const uint8_t *b, size_t off, size_t len, char *out)
{
	memcpy(out, b + off, len);
	out[len] = '\0';
	kesu_ascii_field_tidy(out, len);
}

static bool all_zero(const uint8_t *b, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (b[i])
			return false;
	return true;
}

int kesu_nvme_ctrl_decode(const uint8_t buf[KESU_NVME_IDENTIFY_LEN], struct kesu_nvme_ctrl *c)
{
	memset(c, 0, sizeof(*c));
	if (all_zero(buf, KESU_NVME_IDENTIFY_LEN))
		return -EINVAL;
	c->vid = le16_at(buf, KESU_NVME_CTRL_VID);
	ascii_field(buf, KESU_NVME_CTRL_SN, 20, c->serial);
	ascii_field(buf, KESU_NVME_CTRL_MN, 40, c->model);
	ascii_field(buf, KESU_NVME_CTRL_FR, 8, c->firmware);
	c->mdts = buf[KESU_NVME_CTRL_MDTS];
	c->version = le32_at(buf, KESU_NVME_CTRL_VER);
	c->oacs = le16_at(buf, KESU_NVME_CTRL_OACS);
	c->oacs_format = c->oacs & (1u << 1);
	c->oacs_ns_mgmt = c->oacs & (1u << 3);

	c->sanicap.raw = le32_at(buf, KESU_NVME_CTRL_SANICAP);
	c->sanicap.crypto = c->sanicap.raw & (1u << 0);
	c->sanicap.block = c->sanicap.raw & (1u << 1);
	c->sanicap.overwrite = c->sanicap.raw & (1u << 2);
	c->sanicap.ndi = c->sanicap.raw & (1u << 29);
	c->sanicap.nodmmas = (uint8_t)(c->sanicap.raw >> 30);

	c->fna.raw = buf[KESU_NVME_CTRL_FNA];
	c->fna.format_all_ns = c->fna.raw & (1u << 0);
	c->fna.erase_all_ns = c->fna.raw & (1u << 1);
	c->fna.crypto_erase = c->fna.raw & (1u << 2);
	c->nn = le32_at(buf, KESU_NVME_CTRL_NN);
	return 0;
}

int kesu_nvme_ns_decode(const uint8_t buf[KESU_NVME_IDENTIFY_LEN], struct kesu_nvme_ns *ns)
{
	memset(ns, 0, sizeof(*ns));
	if (all_zero(buf, KESU_NVME_IDENTIFY_LEN))
		return -EINVAL;
	ns->nsze = le64_at(buf, KESU_NVME_NS_NSZE);
	ns->ncap = le64_at(buf, KESU_NVME_NS_NCAP);
	ns->nuse = le64_at(buf, KESU_NVME_NS_NUSE);
	ns->nlbaf = buf[KESU_NVME_NS_NLBAF];
	ns->lbaf_count = (unsigned)ns->nlbaf + 1;
	if (ns->lbaf_count > KESU_NVME_MAX_LBAF)
		ns->lbaf_count = KESU_NVME_MAX_LBAF;
	ns->flbas = buf[KESU_NVME_NS_FLBAS];
	/* With more than 16 formats, FLBAS bits 6:5 are the index's bits 5:4. */
	ns->lbaf_in_use = (ns->flbas & 0x0fu) | ((ns->flbas >> 5) & 0x03u) << 4;
	ns->metadata_extended = ns->flbas & 0x10;
	ns->dlfeat = buf[KESU_NVME_NS_DLFEAT];
	ns->dealloc_read = ns->dlfeat & 0x07;
	for (unsigned i = 0; i < KESU_NVME_MAX_LBAF; i++) {
		const uint8_t *f = buf + KESU_NVME_NS_LBAF + 4 * i;
		struct kesu_nvme_lbaf *l = &ns->lbaf[i];

		l->ms = le16_at(f, 0);
		l->ds = f[2];
		l->rp = f[3] & 0x03;
		l->data_bytes = l->ds && l->ds < 64 ? (uint64_t)1 << l->ds : 0;
	}
	return 0;
}

/*
 * Generic command status values (SCT 0) of NVMe 2.1 that libnvme 1.3's table
 * does not name yet (from the NVM Express Base Specification).
 */
static const char *const generic_newer[] = {
	[0x25] = "Invalid Key Tag",
	[0x26] = "Host Dispersed Namespace Support Not Enabled",
	[0x27] = "Host Identifier Not Initialized",
	[0x28] = "Incorrect Key",
	[0x29] = "FDP Disabled",
	[0x2A] = "Invalid Placement Handle List",
	[0x2B] = "Sanitize Namespace Failed",
	[0x2C] = "Sanitize Namespace In Progress",
};

static const char *const sct_names[8] = {
	"generic", "command specific", "media and data integrity", "path related",
	"reserved type 4", "reserved type 5", "reserved type 6", "vendor specific",
};

void kesu_nvme_status_string(int status, char *buf, size_t len)
{
	unsigned sct = ((unsigned)status >> 8) & 0x7, sc = (unsigned)status & 0xff;
	const char *name = NULL, *dnr = (status & 0x4000) ? ", do not retry" : "";

	if (sct == 0 && sc < sizeof(generic_newer) / sizeof(generic_newer[0]))
		name = generic_newer[sc];
	if (!name) {
		name = nvme_status_to_string(status, false);
		/* libnvme's words for a value it has no name for */
		if (name && (!strcmp(name, "unrecognized") || !strncmp(name, "Unknown", 7)))
			name = NULL;
	}
	if (name)
		snprintf(buf, len, "%s (status 0x%x%s)", name, (unsigned)status, dnr);
	else
		snprintf(buf, len, "%s status 0x%02x, which the specification kesu knows does not "
			 "name (status 0x%x%s)", sct_names[sct], sc, (unsigned)status, dnr);
}

int kesu_nvme_status_error(int ret, int saved_errno)
{
	if (ret == 0)
		return 0;
	if (ret < 0 && saved_errno == EINTR)
		return -KESU_E_STALL; /* the kernel cancelled a command that did not complete */
	if (ret < 0)
		return saved_errno ? -saved_errno : -EIO;
	switch (ret & NVME_SC_MASK) {
	case NVME_SC_INVALID_OP:
	case NVME_SC_INVALID_FIELD:
		return -KESU_E_UNSUPPORTED;
	default:
		return -KESU_E_DEV_ABORT;
	}
}

int kesu_nvme_probe(int fd, uint32_t *nsid, struct kesu_errbuf *eb)
{
	__u32 id = 0;

	*nsid = 0;
	if (nvme_get_nsid(fd, &id) < 0) {
		int err = errno;

		if (err == ENOTTY || err == EINVAL || err == ENOSYS || err == EOPNOTSUPP)
			return kesu_err_set(eb, -KESU_E_NO_TRANSPORT, "not an NVMe namespace (%s)",
					    strerror(err));
		if (err == EPERM || err == EACCES)
			return kesu_err_set(eb, -KESU_E_NOT_ROOT, "NVME_IOCTL_ID: %s", strerror(err));
		return kesu_err_set(eb, -err, "NVME_IOCTL_ID: %s", strerror(err));
	}
	if (id == 0)
		return kesu_err_set(eb, -KESU_E_NO_TRANSPORT, "not an NVMe namespace (NSID 0)");
	*nsid = id;
	return 0;
}

/* An NVMe command failed: one sentence naming the command and the status. */
static int identify_error(int ret, int err, const char *what, struct kesu_errbuf *eb)
{
	int rc = kesu_nvme_status_error(ret, err);
	char status[256];

	if (ret > 0) {
		kesu_nvme_status_string(ret, status, sizeof(status));
		return kesu_err_set(eb, rc, "NVMe %s: %s", what, status);
	}
	/* Admin commands wait uninterruptibly: EINTR is the kernel cancelling a
	 * command the drive did not complete within the timeout (and resetting it). */
	if (rc == -KESU_E_STALL)
		return kesu_err_set(eb, rc, "NVMe %s stalled: the drive did not complete it within "
				    "the command's timeout and the kernel cancelled it (and reset "
				    "the controller); the drive may still be working on it", what);
	if (rc == -EPERM || rc == -EACCES)
		return kesu_err_set(eb, -KESU_E_NOT_ROOT, "NVMe %s needs root", what);
	return kesu_err_set(eb, rc, "NVMe %s: %s", what, strerror(-rc));
}

int kesu_nvme_identify_ctrl(int fd, struct kesu_nvme_ctrl *c, uint8_t *raw,
			    struct kesu_errbuf *eb)
{
	struct nvme_id_ctrl id;
	int ret;

	memset(&id, 0, sizeof(id));
	errno = 0;
	ret = nvme_identify_ctrl(fd, &id);
	if (ret)
		return identify_error(ret, errno, "Identify Controller", eb);
	if (raw)
		memcpy(raw, &id, sizeof(id));
	if (kesu_nvme_ctrl_decode((const uint8_t *)&id, c))
		return kesu_err_set(eb, -KESU_E_DEV_ABORT, "NVMe Identify Controller returned no data");
	return 0;
}

int kesu_nvme_identify_ns(int fd, uint32_t nsid, struct kesu_nvme_ns *ns, uint8_t *raw,
			  struct kesu_errbuf *eb)
{
	struct nvme_id_ns id;
	int ret;

	memset(&id, 0, sizeof(id));
	errno = 0;
	ret = nvme_identify_ns(fd, nsid, &id);
	if (ret)
		return identify_error(ret, errno, "Identify Namespace", eb);
	if (raw)
		memcpy(raw, &id, sizeof(id));
	if (kesu_nvme_ns_decode((const uint8_t *)&id, ns))
		return kesu_err_set(eb, -KESU_E_DEV_ABORT,
				    "NVMe Identify Namespace %u returned no data", nsid);
	ns->nsid = nsid;
	return 0;
}

/* ---- Format NVM and Sanitize ---- */

uint32_t kesu_nvme_format_cdw10(const struct kesu_nvme_format_req *req)
{
	return (req->lbaf & 0x0fu) | (req->metadata_extended ? 1u << 4 : 0) |
	       ((uint32_t)req->ses & 0x7u) << 9 |
	       ((req->lbaf >> 4) & 0x3u) << 12;
}

int kesu_nvme_format(int fd, const struct kesu_nvme_format_req *req, struct kesu_errbuf *eb)
{
	__u32 result = 0;
	struct nvme_format_nvm_args args = {
		.result = &result,
		.args_size = sizeof(args),
		.fd = fd,
		.timeout = req->timeout_ms,
		.nsid = req->nsid,
		.mset = req->metadata_extended ? NVME_FORMAT_MSET_EXTENDED : NVME_FORMAT_MSET_SEPARATE,
		.pi = NVME_FORMAT_PI_DISABLE,
		.pil = NVME_FORMAT_PIL_LAST,
		.ses = (enum nvme_cmd_format_ses)req->ses,
		.lbaf = (__u8)(req->lbaf & 0x0f),
		.lbafu = (__u8)((req->lbaf >> 4) & 0x03),
	};
	int ret;

	if (req->lbaf >= KESU_NVME_MAX_LBAF || req->ses > KESU_NVME_SES_CRYPTO)
		return kesu_err_set(eb, -EINVAL, "NVMe Format NVM: LBA format %u / SES %u out of range",
				    req->lbaf, (unsigned)req->ses);
	errno = 0;
	ret = nvme_format_nvm(&args);
	if (ret)
		return identify_error(ret, errno, "Format NVM", eb);
	return 0;
}

int kesu_nvme_sanitize_cdw10(const struct kesu_nvme_sanitize_req *req, uint32_t *cdw10)
{
	uint32_t v;

	if (req->action < KESU_NVME_SANACT_EXIT_FAILURE || req->action > KESU_NVME_SANACT_CRYPTO)
		return -EINVAL;
	if (req->action == KESU_NVME_SANACT_OVERWRITE && (req->passes < 1 || req->passes > 16))
		return -EINVAL;
	v = (uint32_t)req->action;
	if (req->ause)
		v |= 1u << 3;
	if (req->action == KESU_NVME_SANACT_OVERWRITE) {
		v |= (req->passes & 0x0fu) << 4;   /* 16 passes: 0 */
		if (req->invert)
			v |= 1u << 8;
	}
	if (req->no_dealloc)
		v |= 1u << 9;
	*cdw10 = v;
	return 0;
}

int kesu_nvme_sanitize(int fd, const struct kesu_nvme_sanitize_req *req, struct kesu_errbuf *eb)
{
	__u32 result = 0;
	uint32_t cdw10;
	int ret;

	if (kesu_nvme_sanitize_cdw10(req, &cdw10))
		return kesu_err_set(eb, -EINVAL, "NVMe Sanitize: action %u / %u passes out of range",
				    (unsigned)req->action, req->passes);

	struct nvme_sanitize_nvm_args args = {
		.result = &result,
		.args_size = sizeof(args),
		.fd = fd,
		.timeout = req->timeout_ms,
		.sanact = (enum nvme_sanitize_sanact)req->action,
		.ovrpat = req->pattern,
		.ause = req->ause,
		.owpass = (__u8)((cdw10 >> 4) & 0x0f),
		.oipbp = (cdw10 >> 8) & 1u,
		.nodas = req->no_dealloc,
	};
	errno = 0;
	ret = nvme_sanitize_nvm(&args);
	if (ret)
		return identify_error(ret, errno, "Sanitize", eb);
	return 0;
}

int kesu_nvme_security_receive(int fd, uint8_t secp, uint16_t spsp, void *buf, uint32_t len,
			       struct kesu_errbuf *eb)
{
	__u32 result = 0;
	struct nvme_security_receive_args args = {
		.result = &result,
		.data = buf,
		.args_size = sizeof(args),
		.fd = fd,
		.nsid = 0,
		.al = len,
		.data_len = len,
		.nssf = 0,
		.spsp0 = (__u8)(spsp & 0xff),
		.spsp1 = (__u8)(spsp >> 8),
		.secp = secp,
	};
	int ret;

	errno = 0;
	ret = nvme_security_receive(&args);
	if (ret)
		return identify_error(ret, errno, "Security Receive", eb);
	return 0;
}

int kesu_nvme_sanitize_log_decode(const uint8_t buf[KESU_NVME_SANITIZE_LOG_LEN],
				  struct kesu_nvme_sanitize_log *log)
{
	memset(log, 0, sizeof(*log));
	log->sprog = le16_at(buf, 0);
	log->sstat = le16_at(buf, 2);
	log->state = (uint8_t)(log->sstat & 0x07);
	log->passes_done = (uint8_t)((log->sstat >> 3) & 0x1f);
	log->global_data_erased = log->sstat & (1u << 8);
	log->scdw10 = le32_at(buf, 4);
	log->eto = le32_at(buf, 8);
	log->etbe = le32_at(buf, 12);
	log->etce = le32_at(buf, 16);
	log->etond = le32_at(buf, 20);
	log->etbend = le32_at(buf, 24);
	log->etcend = le32_at(buf, 28);
	return log->state > KESU_NVME_SAN_DONE_NO_DEALLOC ? -EINVAL : 0;
}

int kesu_nvme_get_sanitize_log(int fd, struct kesu_nvme_sanitize_log *log, struct kesu_errbuf *eb)
{
	struct nvme_sanitize_log_page page;
	int ret;

	memset(&page, 0, sizeof(page));
	errno = 0;
	ret = nvme_get_log_sanitize(fd, false, &page);
	if (ret)
		return identify_error(ret, errno, "Get Log Page (Sanitize Status)", eb);
	if (kesu_nvme_sanitize_log_decode((const uint8_t *)&page, log))
		return kesu_err_set(eb, -KESU_E_DEV_ABORT,
				    "NVMe Sanitize Status log: unknown state %u", log->state);
	return 0;
}
