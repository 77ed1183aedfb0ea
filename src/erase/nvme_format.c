/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * NVMe Format NVM with Secure Erase Settings (SES=1 user data erase, SES=2
 * cryptographic erase), keeping the namespace's LBA format and metadata
 * setting. When FNA says a format (or a secure erase) applies to every
 * namespace, NSID is 0xFFFFFFFF, and kesu_fw_check() has already checked
 * that every namespace of the controller is safe to erase.
 *
 * Rescan: after the format kesu asks the kernel to re-read the partition
 * table (BLKRRPART: the old table is gone) and re-reads the namespace size
 * (Identify Namespace and BLKGETSIZE64); a namespace whose size changed is
 * recorded. The kernel updates its own namespace size after a Format NVM
 * it passed through (it revalidates the namespace), so no controller rescan
 * is needed.
 */
#include "fw_int.h"

#include <errno.h>
#include <linux/fs.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

static bool format_all(const struct kesu_nvme_ctrl *c, enum kesu_nvme_ses ses)
{
	/* FNA bit 0: any format is controller-wide; bit 1: a secure erase is. */
	return c->fna.format_all_ns || (ses != KESU_NVME_SES_NONE && c->fna.erase_all_ns);
}

bool fw_nvme_format_wide(const struct kesu_drive *d, const struct kesu_method_desc *m)
{
	return format_all(&d->nvme, (enum kesu_nvme_ses)m->action);
}

void fw_nvme_format_check(const struct kesu_drive *d, const struct kesu_method_desc *m,
			  struct kesu_method_eval *e)
{
	const struct kesu_nvme_ctrl *c = &d->nvme;

	if (!c->oacs_format) {
		fw_say(e, "the controller does not support Format NVM (OACS bit 1)");
		return;
	}
	if (m->action == KESU_NVME_SES_CRYPTO && !c->fna.crypto_erase) {
		fw_say(e, "the controller does not support cryptographic erase (FNA bit 2)");
		return;
	}
	fw_set_support(e, true);
	/* FNA bit 0: any format, bit 1: a secure-erase format (SES 1 or 2) is controller-wide. */
	if (c->fna.format_all_ns || c->fna.erase_all_ns)
		fw_say(e, "erases every namespace of the controller (FNA)");
	else
		fw_say(e, "erases this namespace only");
}

static void rescan(struct fw_run *ru)
{
	struct kesu_nvme_ns ns;
	struct kesu_errbuf local;
	uint64_t bytes = 0;
	int rc;

	rc = ioctl(ru->t->fd, BLKRRPART) < 0 ? -errno : 0;
	fw_log(ru, "BLKRRPART", rc, "re-read the partition table after the format");
	kesu_err_clear(&local);
	rc = kesu_nvme_identify_ns(ru->t->fd, ru->d.nsid, &ns, NULL, &local);
	if (ioctl(ru->t->fd, BLKGETSIZE64, &bytes) < 0)
		bytes = 0;
	if (rc == 0) {
		ru->d.nvme_ns = ns;
		fw_log(ru, "Identify Namespace", 0, "after the format: %llu blocks, LBA format %u; "
		       "the kernel shows %llu bytes", (unsigned long long)ns.nsze, ns.lbaf_in_use,
		       (unsigned long long)bytes);
	} else {
		fw_log(ru, "Identify Namespace", rc, "%s", local.msg);
	}
	if (bytes && bytes != ru->t->id.size_bytes)
		kesu_result_add_reason(ru->r, "the namespace size changed from %llu to %llu bytes "
				       "with the format", (unsigned long long)ru->t->id.size_bytes,
				       (unsigned long long)bytes);
}

int fw_nvme_format_run(struct fw_run *ru, const struct kesu_method_desc *m)
{
	enum kesu_nvme_ses ses = (enum kesu_nvme_ses)m->action;
	struct kesu_nvme_format_req req;
	struct kesu_nvme_ns ns;
	int fd = ru->t->fd, rc;
	bool all;

	rc = kesu_nvme_identify_ctrl(fd, &ru->d.nvme, NULL, ru->eb);
	if (rc == 0)
		rc = kesu_nvme_identify_ns(fd, ru->d.nsid, &ns, NULL, ru->eb);
	if (rc < 0)
		return rc;
	if (!ru->d.nvme.oacs_format)
		return kesu_err_set(ru->eb, -KESU_E_UNSUPPORTED, "%s: the controller does not support "
				    "Format NVM (OACS bit 1)", ru->t->id.path);
	if (ses == KESU_NVME_SES_CRYPTO && !ru->d.nvme.fna.crypto_erase)
		return kesu_err_set(ru->eb, -KESU_E_UNSUPPORTED, "%s: the controller does not support "
				    "cryptographic erase (FNA bit 2)", ru->t->id.path);
	all = format_all(&ru->d.nvme, ses);
	req = (struct kesu_nvme_format_req){
		.nsid = all ? KESU_NVME_NSID_ALL : ru->d.nsid,
		.lbaf = ns.lbaf_in_use,
		.ses = ses,
		.metadata_extended = ns.metadata_extended,
		.timeout_ms = KESU_FW_FORMAT_TIMEOUT_MS,
	};
	ru->touched = true;
	fw_ticker_start(ru, 0);
	rc = kesu_nvme_format(fd, &req, ru->eb);
	fw_ticker_stop(ru);
	fw_log(ru, "Format NVM", rc, "NSID 0x%x (%s), LBA format %u, SES %u%s%s", req.nsid,
	       all ? "every namespace: FNA" : "this namespace", req.lbaf, (unsigned)ses,
	       rc ? ": " : "", rc ? ru->eb->msg : "");
	if (rc < 0)
		return rc;
	rescan(ru);
	return 0;
}
