/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the certificate parser and verifier.
 *
 * The input is CERT.json, optionally followed by a NUL byte and a signature
 * (.p7s, PEM or DER) and another NUL and a time stamp response (.tsr): so
 * the JSON schema checks, the CMS parser and the RFC 3161 parser are all
 * reached. No root is given (no file access); nothing may crash or leak.
 *
 * Build (what `make fuzz` does; libclang-rt-14-dev provides libFuzzer):
 *   make CC=clang BUILD=build-fuzz \
 *     SANFLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer" \
 *     build-fuzz/libkesu.a
 *   clang -std=c11 -Iinclude -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
 *     $(pkg-config --cflags jansson openssl) tests/fuzz/fuzz_cert.c build-fuzz/libkesu.a \
 *     $(pkg-config --libs blkid libnvme openssl libqrencode jansson sqlite3 pangocairo \
 *       cairo-pdf cairo-svg cairo-png) -lm -pthread -o build-fuzz/fuzz_cert
 * Run (a short run for make check; the seeds are a real certificate and signature):
 *   mkdir -p build-fuzz/corpus-cert
 *   build-fuzz/fuzz_cert -max_total_time=30 build-fuzz/corpus-cert tests/fuzz/corpus-cert
 */
#include <kesu/cert.h>

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *json = (const char *)data, *p7s = NULL, *tsr = NULL;
	const char *end = json + size, *nul;
	size_t json_len = size, p7s_len = 0, tsr_len = 0;
	struct kesu_cert_verify v;
	struct kesu_errbuf eb;
	json_t *cert = NULL;

	nul = memchr(json, '\0', size);
	if (nul) {
		json_len = (size_t)(nul - json);
		p7s = nul + 1;
		p7s_len = (size_t)(end - p7s);
		nul = memchr(p7s, '\0', p7s_len);
		if (nul) {
			p7s_len = (size_t)(nul - p7s);
			tsr = nul + 1;
			tsr_len = (size_t)(end - tsr);
		}
	}
	if (kesu_cert_parse(json, json_len, &cert, &eb) == 0) {
		char sha[65];

		kesu_cert_record_sha256(json_object_get(cert, "record"), sha);
		json_decref(cert);
	}
	if (p7s)
		kesu_cert_verify_mem(json, json_len, p7s, p7s_len, tsr, tsr_len, NULL, &v, &eb);
	return 0;
}
