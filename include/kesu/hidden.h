/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Hidden areas of ATA drives: a Host Protected Area (SET MAX ADDRESS), a
 * Device Configuration Overlay (DCO) and an Accessible Max Address (AMAC)
 * below the drive's native or factory capacity. An erase through the normal
 * interface never sees those sectors, and firmware erases may not either:
 * NIST SP 800-88 says to reset them first. kesu_hidden_restore() does that
 * (`kesu wipe --unhide`); without it the record names the sectors.
 */
#ifndef KESU_HIDDEN_H
#define KESU_HIDDEN_H

#include <kesu/drive.h>
#include <kesu/err.h>
#include <kesu/record.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kesu_hidden {
	bool checked;                 /* the drive could be asked (ATA with HPA/DCO/AMAC support) */
	bool hpa;                     /* native max above current max (SET MAX ADDRESS or AMAC) */
	bool amac;                    /* the drive uses AMAC rather than HPA */
	bool dco;                     /* DCO factory max above native max */
	uint64_t current_max_lba;     /* the last sector the host can address now */
	uint64_t native_max_lba;      /* READ NATIVE MAX / GET NATIVE MAX */
	uint64_t factory_max_lba;     /* DCO IDENTIFY, else native max */
	uint64_t hidden_first_lba;    /* current max + 1 */
	uint64_t hidden_sectors;      /* factory max - current max; 0: nothing hidden */
};

/* From a probe (no command sent). */
void kesu_hidden_detect(const struct kesu_drive *d, struct kesu_hidden *h);

/* "none", or "LBA 1000..2047 (1048 sectors) hidden by HPA and DCO". */
void kesu_hidden_describe(const struct kesu_hidden *h, char *buf, size_t len);

/*
 * Make every sector addressable: SET MAX ADDRESS EXT (or SET ACCESSIBLE MAX
 * ADDRESS) to the native max, then DEVICE CONFIGURATION RESTORE when a DCO
 * hides more; then IDENTIFY again and re-detect into h. Commands go to r
 * (may be NULL). Returns 0 when nothing is hidden any more.
 */
int kesu_hidden_restore(int fd, struct kesu_drive *d, struct kesu_hidden *h,
			struct kesu_result *r, struct kesu_errbuf *eb);

#endif
