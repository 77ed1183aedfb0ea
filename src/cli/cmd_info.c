/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kesu info: placeholder until its issue lands. */
#include <kesu/cli.h>

int cmd_info(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	kesu_cli_error("'info' is not implemented yet");
	return KESU_EXIT_UNSUPPORTED;
}
