/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Open a medium to erase or read back: the rule of target.h. */
#include <kesu/target.h>

#include <errno.h>
#include <string.h>

typedef int (*open_fn)(const char *, unsigned, struct kesu_target *, struct kesu_errbuf *);

/* Rules 1-3: O_DIRECT, else plain I/O for an image file whose file system lacks it. */
static int open_direct_or_image(open_fn op, const char *path, unsigned flags,
				struct kesu_target *t, struct kesu_errbuf *eb)
{
	unsigned fl = flags | KESU_TARGET_DIRECT | KESU_TARGET_ALLOW_IMAGE;
	int rc = op(path, fl, t, eb);

	if (rc == -EINVAL && t->id.is_image) {
		kesu_err_clear(eb);
		rc = op(path, fl & ~(unsigned)KESU_TARGET_DIRECT, t, eb);
	}
	return rc;
}

int kesu_target_open_medium(const char *path, unsigned flags, struct kesu_target *t,
			    struct kesu_errbuf *eb)
{
	int rc = open_direct_or_image(kesu_target_open, path, flags, t, eb);

	if (rc < 0)
		return rc;
	/* Rule 4 holds from kesu_dev_identify; rule 5 on the held descriptor. */
	return kesu_drive_probe(t->fd, &t->id, &t->drive);
}

int kesu_target_probe_medium(const char *path, unsigned flags, struct kesu_target *t,
			     struct kesu_errbuf *eb)
{
	int rc = open_direct_or_image(kesu_target_probe, path, flags, t, eb);

	if (t->id.path[0])
		(void)kesu_drive_inspect(&t->id, &t->drive);
	return rc;
}
