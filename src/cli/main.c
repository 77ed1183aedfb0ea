/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kesu: disk sanitization and the lifecycle of storage media.
 *
 * The dispatcher: one table of commands, each in its own cmd_NAME.c. Commands
 * parse options, call the library and print; they hold no erase logic.
 */
#include <kesu/cli.h>
#include <kesu/err.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_options.h"

struct kesu_command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct kesu_command commands[] = {
	{ "list",   cmd_list,   "list storage devices with identity and safety" },
	{ "info",   cmd_info,   "show everything kesu knows about one device" },
	{ "wipe",   cmd_wipe,   "erase devices and verify the result" },
	{ "verify", cmd_verify, "verify a wiped device independently" },
	{ "key",    cmd_key,    "create and show the signing key" },
	{ "ca",     cmd_ca,     "a small organisation's offline root CA" },
	{ "cert",   cmd_cert,   "verify, show and render erasure certificates" },
	{ "label",  cmd_label,  "print QR-coded media labels" },
	{ "ledger", cmd_ledger, "the media ledger (データ管理簿), audit and inventory" },
	{ "work",   cmd_work,   "work schedule and results (作業予定表, 作業結果報告書)" },
	{ "staff",  cmd_staff,  "the roster of data handlers (データ取扱者等名簿)" },
	{ "report", cmd_report, "Japanese reports from the ledger as PDF or CSV" },
	{ "clock",  cmd_clock,  "the clock that dates the evidence, and where its time came from" },
	{ "tui",    cmd_tui,    "the interactive front end of the boot image" },
	{ "unlock", cmd_unlock, "remove the ATA password a failed security erase left" },
	{ "unfreeze", cmd_unfreeze, "suspend and resume so that frozen ATA drives unfreeze" },
};

static void usage(FILE *out)
{
	size_t i;

	fputs("Usage: kesu COMMAND [OPTIONS]\n"
	      "       kesu COMMAND --help\n\n"
	      "Disk sanitization with verification, signed certificates, labels and ledger.\n\n"
	      "Commands:\n", out);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fputs("\nOptions:\n"
	      "  -h, --help     show this help\n"
	      "  -V, --version  show the version\n\n"
	      "Options with one meaning in every command that takes them:\n", out);
	cli_common_options_usage(out);
	fputs("\nSee kesu(8) and kesu-COMMAND(8).\n", out);
}

void kesu_cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("kesu: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int kesu_exit_for(int err)
{
	if (err >= 0)
		return KESU_EXIT_OK;
	switch (-err) {
	case ENOENT: case ENXIO: case ENODEV:
		return KESU_EXIT_NO_DEVICE;
	case EPERM: case EACCES: case KESU_E_NOT_ROOT:
		return KESU_EXIT_NOT_ROOT;
	case KESU_E_NOT_BLOCK: case ENOTBLK:
		return KESU_EXIT_NOT_BLOCK;
	case KESU_E_PARTITION:
		return KESU_EXIT_NOT_DISK;
	case KESU_E_MOUNTED: case KESU_E_ROOTFS: case KESU_E_BOOT_MEDIUM:
	case KESU_E_SWAP: case KESU_E_HOLDERS: case KESU_E_READONLY:
	case KESU_E_BUSY: case EBUSY: case EROFS:
		return KESU_EXIT_UNSAFE;
	case KESU_E_UNSUPPORTED: case KESU_E_NO_TRANSPORT: case EOPNOTSUPP:
		return KESU_EXIT_UNSUPPORTED;
	case KESU_E_INTERRUPTED: case EINTR:
		return KESU_EXIT_INTERRUPTED;
	case KESU_E_BAD_INPUT: case KESU_E_TOO_LONG: case EINVAL:
		return KESU_EXIT_BAD_INPUT;
	case KESU_E_SIGNATURE: case KESU_E_KEY:
		return KESU_EXIT_SIGNATURE;
	case KESU_E_FROZEN: case KESU_E_LOCKED:
		return KESU_EXIT_FROZEN;
	case EIO: case ENOSPC: case KESU_E_GONE: case KESU_E_TIMEOUT:
		return KESU_EXIT_IO;
	default:
		return KESU_EXIT_FAILURE;
	}
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return KESU_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return KESU_EXIT_OK;
	}
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
		printf("kesu %s\n", KESU_VERSION);
		return KESU_EXIT_OK;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);

	kesu_cli_error("unknown command '%s'; see 'kesu --help'", argv[1]);
	return KESU_EXIT_USAGE;
}
