/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kesu wipe: placeholder until its issue lands. */
#include <kesu/cli.h>

int cmd_wipe(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	kesu_cli_error("'wipe' is not implemented yet");
	return KESU_EXIT_UNSUPPORTED;
}
