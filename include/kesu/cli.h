/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The command-line front end: exit codes and the command table.
 *
 * Exit codes are documented in kesu(8) and never renumbered: scripts and the
 * boot image's unattended mode depend on them.
 */
#ifndef KESU_CLI_H
#define KESU_CLI_H

enum kesu_exit {
	KESU_EXIT_OK          = 0,   /* done; for wipe/verify: erased and verified */
	KESU_EXIT_FAILURE     = 1,   /* ran and failed: outcome FAILED, mismatch, error */
	KESU_EXIT_USAGE       = 2,   /* bad command line */
	KESU_EXIT_NO_DEVICE   = 3,   /* no such device or file */
	KESU_EXIT_UNSAFE      = 4,   /* refused: mounted, root fs, boot medium, swap, holders, read-only, busy */
	KESU_EXIT_NOT_ROOT    = 5,   /* needs root */
	KESU_EXIT_NOT_DISK    = 6,   /* a partition was given, not a whole disk */
	KESU_EXIT_NOT_BLOCK   = 7,   /* not a block device (character device, directory, ...) */
	KESU_EXIT_UNSUPPORTED = 8,   /* the device does not support the method or command */
	KESU_EXIT_INTERRUPTED = 9,   /* interrupted; resumable from the journal */
	KESU_EXIT_IO          = 10,  /* I/O or system error */
	KESU_EXIT_BAD_INPUT   = 11,  /* malformed input file */
	KESU_EXIT_SIGNATURE   = 12,  /* signature or chain does not verify */
	KESU_EXIT_DECLINED    = 13,  /* the operator did not confirm; nothing was done */
	KESU_EXIT_FROZEN      = 14,  /* ATA security/sanitize frozen or locked: see the remedy */
};

/* Map a library error (-errno or -KESU_E_*) to an exit code. */
int kesu_exit_for(int err);

/* Print "kesu: MSG" (or the errbuf text when set) on stderr. */
void kesu_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Commands: one file each, src/cli/cmd_NAME.c. argv[0] is the command name. */
int cmd_list(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_wipe(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_key(int argc, char **argv);
int cmd_ca(int argc, char **argv);
int cmd_cert(int argc, char **argv);
int cmd_label(int argc, char **argv);
int cmd_ledger(int argc, char **argv);
int cmd_work(int argc, char **argv);
int cmd_staff(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_clock(int argc, char **argv);
int cmd_tui(int argc, char **argv);
int cmd_unlock(int argc, char **argv);
int cmd_unfreeze(int argc, char **argv);

#endif
