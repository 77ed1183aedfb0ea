/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the ledger's CSV import (RFC 4180 parser, Shift_JIS
 * detection and conversion, field checks) and its inventory input (scanned
 * payloads). Each input goes to a fresh in-memory ledger holding two media,
 * first as a CSV file, then as scanner text; the ledger must still audit
 * clean afterwards. Nothing may crash or leak.
 *
 * Run: build-fuzz/fuzz_ledger -max_total_time=30 tests/fuzz/corpus-ledger
 */
#include <kesu/ledger.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void no_report(void *ud, size_t line, const char *msg)
{
	(void)ud;
	(void)line;
	(void)msg;
}

static struct kesu_ledger *fresh_ledger(void)
{
	static const char *const ids[] = { "M-0001", "M-0002" };
	struct kesu_ledger *lg;
	struct kesu_errbuf eb;

	if (kesu_ledger_open(":memory:", KESU_LEDGER_CREATE, 0, &lg, &eb) < 0)
		abort();
	if (kesu_ledger_set_operator(lg, "山田 太郎") < 0)
		abort();
	for (size_t i = 0; i < 2; i++) {
		struct kesu_media m = { 0 };

		kesu_media_set(&m, KESU_MF_MEDIA_ID, ids[i]);
		kesu_media_set(&m, KESU_MF_PLACE, "金庫A");
		if (kesu_ledger_add(lg, &m, NULL, &eb) < 0)
			abort();
		kesu_media_release(&m);
	}
	return lg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	struct kesu_audit_result res;
	struct kesu_check_result chk;
	struct kesu_ledger *lg = fresh_ledger();
	struct kesu_errbuf eb;
	size_t n;
	char *text;
	FILE *f;

	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/fuzz_ledger.%d.csv", (int)getpid());
	if (!(f = fopen(path, "wb")) || fwrite(data, 1, size, f) != size || fclose(f))
		abort();
	kesu_ledger_import_csv(lg, path, KESU_CSV_AUTO, no_report, NULL, &n, &eb);

	if (!(text = malloc(size + 1)))
		abort();
	memcpy(text, data, size);
	text[size] = 0;
	if (kesu_ledger_check(lg, text, "金庫A", &chk, &eb) == 0)
		kesu_check_result_release(&chk);
	free(text);

	/* whatever the input did, the ledger is consistent with its events */
	if (kesu_ledger_audit(lg, &res, &eb) != 0)
		abort();
	kesu_ledger_close(lg);
	unlink(path);
	return 0;
}
