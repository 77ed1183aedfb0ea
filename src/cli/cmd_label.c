/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kesu label: placeholder until its issue lands. */
#include <kesu/cli.h>

int cmd_label(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	kesu_cli_error("'label' is not implemented yet");
	return KESU_EXIT_UNSUPPORTED;
}
