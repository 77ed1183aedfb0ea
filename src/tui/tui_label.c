/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Labels for the TUI's certified drives: each is a child `kesu label`, as the
 * wipes are children `kesu wipe`, so the TUI holds no label logic. */
#include "tui.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* The last non-empty line of text, into note. */
static void last_line(const char *text, char *note, size_t len)
{
	const char *end = text + strlen(text), *start;

	while (end > text && (end[-1] == '\n' || end[-1] == ' '))
		end--;
	start = end;
	while (start > text && start[-1] != '\n')
		start--;
	snprintf(note, len, "%.*s", (int)(end - start), start);
}

/* Run argv with stdout to /dev/null; its exit status (or -errno), its last stderr line in note. */
static int run_child(char *const argv[], char *note, size_t note_len)
{
	posix_spawn_file_actions_t fa;
	char err[2048];
	size_t got = 0;
	int pipefd[2], status, rc;
	pid_t pid;

	note[0] = '\0';
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDERR_FILENO);
	rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	if (rc != 0) {
		close(pipefd[0]);
		snprintf(note, note_len, "cannot run %s: %s", argv[0], strerror(rc));
		return -rc;
	}
	for (;;) {
		ssize_t n = read(pipefd[0], err + got, sizeof(err) - 1 - got);

		if (n > 0 && got + (size_t)n < sizeof(err) - 1) {
			got += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n > 0) {  /* full: keep the newest half */
			got += (size_t)n;
			memmove(err, err + got / 2, got - got / 2);
			got -= got / 2;
			continue;
		}
		break;
	}
	close(pipefd[0]);
	err[got] = '\0';
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	last_line(err, note, note_len);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

/* CERT.json -> CERT-label.EXT */
static int label_path(const char *cert, const char *ext, char *out, size_t len)
{
	size_t n = strlen(cert);

	if (n > 5 && strcmp(cert + n - 5, ".json") == 0)
		n -= 5;
	if ((size_t)snprintf(out, len, "%.*s-label.%s", (int)n, cert, ext) >= len)
		return -ENAMETOOLONG;
	return 0;
}

int tui_label_make(struct tui_job *j, const char *kesu, const char *template_name, char *note,
		   size_t note_len)
{
	static const char *const exts[] = { "pdf", "png" };
	char path[PATH_MAX];

	j->label[0] = '\0';
	for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		if (label_path(j->certificate, exts[i], path, sizeof(path)) < 0) {
			snprintf(note, note_len, "certificate path too long for its label");
			return -ENAMETOOLONG;
		}
		char *const argv[] = { (char *)kesu, "label", "--template", (char *)template_name, "--cert",
				       j->certificate, "-o", path, NULL };
		int rc = run_child(argv, note, note_len);

		if (rc != 0)
			return rc;
		if (i == 0)
			snprintf(j->label, sizeof(j->label), "%s", path);
	}
	return 0;
}

int tui_label_print(const struct tui_job *j, const char *kesu, const char *template_name,
		    const char *printer, char *note, size_t note_len)
{
	char *const argv[] = { (char *)kesu, "label", "--template", (char *)template_name, "--cert",
			       (char *)j->certificate, "--print", (char *)printer, NULL };

	return run_child(argv, note, note_len);
}

const char *tui_printer_find(char *buf, size_t len)
{
	glob_t g;
	const char *found = NULL;

	if (glob("/dev/usb/lp[0-9]*", 0, NULL, &g) == 0 && g.gl_pathc > 0 &&
	    (size_t)snprintf(buf, len, "%s", g.gl_pathv[0]) < len)
		found = buf;
	globfree(&g);
	return found;
}
