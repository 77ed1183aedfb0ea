/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Attach a certificate to the ledger only after its signature and chain
 * verify (include/kesu/cert.h). Kept apart from ledger_cert.c so the link
 * itself stays usable without the signing stack (tests, migrations). A time
 * stamp that verified is recorded with the link.
 */
#include "ledger_int.h"

#include <kesu/cert.h>

#include <stdio.h>
#include <string.h>

int kesu_ledger_attach_cert(struct kesu_ledger *lg, const char *cert_path, const char *ca_path,
			    char *media_id, struct kesu_errbuf *eb)
{
	const struct kesu_cert_trust t = { .ca_path = ca_path };

	return kesu_ledger_attach_cert_trust(lg, cert_path, &t, media_id, eb);
}

int kesu_ledger_attach_cert_trust(struct kesu_ledger *lg, const char *cert_path,
				  const struct kesu_cert_trust *trust, char *media_id,
				  struct kesu_errbuf *eb)
{
	return kesu_ledger_attach_cert_to(lg, cert_path, trust, NULL, media_id, eb);
}

int kesu_ledger_attach_cert_to(struct kesu_ledger *lg, const char *cert_path,
			       const struct kesu_cert_trust *trust, const char *want_media,
			       char *media_id, struct kesu_errbuf *eb)
{
	struct kesu_cert_verify v;
	int rc;

	memset(&v, 0, sizeof(v));
	if (!trust || !trust->ca_path || !*trust->ca_path)
		return kesu_err_set(eb, -KESU_E_KEY,
				    "attaching %s needs the trusted root to verify it: give --ca ROOT.pem "
				    "or set [signing] root in kesu.conf", cert_path);
	rc = kesu_cert_verify_file_trust(cert_path, trust, &v, eb);
	if (rc < 0) {
		if (rc == -KESU_E_SIGNATURE)
			kesu_err_set(eb, rc, "%s does not verify (%s); nothing was linked", cert_path,
				     *v.problem ? v.problem : "signature or chain");
		return rc;
	}
	return lg_link_cert(lg, cert_path, v.timestamp == KESU_TS_OK ? v.timestamp_time : "",
			    want_media, media_id, eb);
}
