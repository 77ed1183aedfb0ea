/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for a Level 0 Discovery response (opal.h): a drive or a
 * bridge can send any bytes back; the parser may refuse them but never read
 * past the buffer it was given, whatever its length field or descriptors say.
 * The buffer is copied to an exact-size allocation so ASan sees an overread.
 *   build-fuzz/fuzz_opal -max_total_time=30
 */
#include <kesu/opal.h>

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kesu_opal_discovery d;
	uint8_t *b = malloc(size ? size : 1);

	if (!b)
		return 0;
	memcpy(b, data, size);
	if (kesu_opal_discovery_parse(b, size, &d) == 0 && d.n_features > size)
		abort();   /* every descriptor takes at least 4 bytes */
	free(b);
	return 0;
}
