/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ioctl() interposer: loaded with LD_PRELOAD ahead of libc, it answers
 * SG_IO and the NVMe admin ioctls on descriptors that refer to a configured
 * device, and hands every other call to the real ioctl().
 */
#include "sim.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <linux/nvme_ioctl.h>
#include <linux/fs.h>
#include <linux/mmc/ioctl.h>
#include <pthread.h>
#include <scsi/sg.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef int (*ioctl_fn)(int, unsigned long, ...);

static ioctl_fn real_ioctl;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t sim_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sim_config *config;   /* NULL: no simulator, everything passes through */
/*
 * Initial-exec: the simulator is also dlopen()ed into sanitized test binaries,
 * and a dynamic TLS block there trips LeakSanitizer's thread walk (GCC 12).
 */
static __thread int in_sim __attribute__((tls_model("initial-exec")));

const struct sim_config *sim_cfg(void) { return config; }

double sim_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void sim_sleep(double seconds)
{
	struct timespec ts;

	if (seconds <= 0)
		return;
	ts.tv_sec = (time_t)seconds;
	ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

double sim_progress(const struct sim_dev *d, double start, double duration, bool *done)
{
	double p = duration > 0 ? (sim_now() - start) / duration : 1.0;

	if (p < 0)
		p = 0;
	*done = p >= 1.0;
	if (p > 1.0)
		p = 1.0;
	if (d->misbehave == SIM_MB_STALL) {
		*done = false;
		if (p > d->stall_at)
			p = d->stall_at;
	}
	return p;
}

void sim_log(const struct sim_dev *d, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n, fd;

	if (!config || !config->log_path[0])
		return;
	n = snprintf(line, sizeof(line), "%.3f pid=%d dev=%s ", sim_now(), (int)getpid(), d->key);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	n = (int)strlen(line);
	line[n++] = '\n';
	fd = open(config->log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (write(fd, line, (size_t)n) < 0) {
		/* A log that cannot be written must not change what the program sees. */
	}
	close(fd);
}

static void sim_init(void)
{
	const char *path = getenv("KESU_SIM_CONFIG");
	char why[512] = "";
	struct sim_config *cfg;

	real_ioctl = (ioctl_fn)(uintptr_t)dlsym(RTLD_NEXT, "ioctl");
	if (!path || !*path)
		return;
	cfg = calloc(1, sizeof(*cfg));
	if (!cfg)
		return;
	if (sim_config_load(path, cfg, why, sizeof(why)) < 0) {
		fprintf(stderr, "kesu-sim: %s: %s; the simulator is off\n", path, why);
		sim_config_free(cfg);
		free(cfg);
		return;
	}
	config = cfg;
}

static bool media_matches(const struct sim_media *m, const struct stat *sb)
{
	if (!m->present)
		return false;
	if (m->is_blk)
		return S_ISBLK(sb->st_mode) && sb->st_rdev == m->rdev;
	return S_ISREG(sb->st_mode) && sb->st_dev == m->st_dev && sb->st_ino == m->ino;
}

/* The configured device (and NVMe namespace, or eMMC partition) behind fd, or NULL. */
static const struct sim_dev *find_dev(int fd, const struct sim_ns_cfg **nsp, unsigned *part)
{
	struct stat sb;

	*nsp = NULL;
	*part = 0;
	if (fstat(fd, &sb) < 0)
		return NULL;
	for (unsigned i = 0; i < config->ndev; i++) {
		const struct sim_dev *d = &config->dev[i];

		if ((d->type == SIM_ATA || d->type == SIM_MMC || d->type == SIM_SCSI) &&
		    media_matches(&d->media, &sb))
			return d;
		for (unsigned b = 0; d->type == SIM_MMC && b < 2; b++) {
			if (media_matches(&d->mmc.boot[b], &sb)) {
				*part = b + 1;
				return d;
			}
		}
		if (d->type != SIM_NVME)
			continue;
		for (unsigned n = 0; n < d->nvme.nns; n++) {
			if (media_matches(&d->nvme.ns[n].media, &sb)) {
				*nsp = &d->nvme.ns[n];
				return d;
			}
		}
	}
	return NULL;
}

static bool is_nvme_request(unsigned long req)
{
	return req == NVME_IOCTL_ID || req == NVME_IOCTL_ADMIN_CMD || req == NVME_IOCTL_ADMIN64_CMD ||
	       req == NVME_IOCTL_RESCAN || req == NVME_IOCTL_RESET || req == NVME_IOCTL_SUBSYS_RESET;
}

/* How many resumes the test has announced: lines of the resume file. */
unsigned sim_resume_count(void)
{
	char buf[4096];
	unsigned n = 0;
	ssize_t got;
	int fd = config ? open(config->resume_path, O_RDONLY | O_CLOEXEC) : -1;

	if (fd < 0)
		return 0;
	while ((got = read(fd, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < got; i++)
			n += buf[i] == '\n';
	close(fd);
	return n;
}

/*
 * Run one simulated command under the process mutex and the state file's lock.
 * req 0: no command, only let an operation whose time is up complete.
 */
static int simulate(const struct sim_dev *d, const struct sim_ns_cfg *ns, unsigned part,
		    unsigned long req, void *arg)
{
	struct sim_state st, before;
	int sfd = -1, ret = 0, err = 0;

	pthread_mutex_lock(&sim_lock);
	in_sim = 1;
	if (sim_state_open(config, &sfd) < 0 || sim_state_get(sfd, d, &st) < 0) {
		sim_log(d, "state %s unreadable: EIO", config->state_path);
		ret = -1;
		err = EIO;
		goto out;
	}
	before = st;
	if (d->type == SIM_ATA)
		sim_ata_resume(d, &st.ata, sim_resume_count());
	errno = 0;
	if (req == 0 && d->type == SIM_ATA)
		sim_ata_tick(d, &st.ata);
	else if (req == 0 && d->type == SIM_NVME)
		sim_nvme_tick(d, &st);
	else if (req == 0 && d->type == SIM_SCSI)
		sim_scsi_tick(d, &st.scsi);
	else if (req == 0)
		;
	else if (sim_opal_is_request(req))
		ret = sim_opal_ioctl(d, &st, req, arg);
	else if (d->type == SIM_MMC)
		ret = sim_mmc_ioctl(d, part, &st, req, arg);
	else if (req == SG_IO && d->type == SIM_SCSI)
		ret = sim_scsi_sg_io(d, &st, arg);
	else if (req == SG_IO)
		ret = sim_ata_sg_io(d, &st, arg);
	else
		ret = sim_nvme_ioctl(d, ns, &st, req, arg);
	err = errno;
	if (req == 0 && !memcmp(&before, &st, sizeof(st)))
		goto out;
	if (sim_state_put(sfd, d, &st) < 0)
		sim_log(d, "state %s not saved", config->state_path);
out:
	if (sfd >= 0)
		sim_state_close(sfd);
	in_sim = 0;
	pthread_mutex_unlock(&sim_lock);
	errno = err;
	return ret;
}

/*
 * A disk always takes BLKRRPART; a loop device attached without partition
 * scanning refuses it with EINVAL. Answer as the disk would.
 */
static int reread_partitions(int fd)
{
	int ret = real_ioctl(fd, BLKRRPART, NULL);

	if (ret < 0 && errno == EINVAL)
		return 0;
	return ret;
}

int ioctl(int fd, unsigned long req, ...)
{
	const struct sim_ns_cfg *ns;
	const struct sim_dev *d;
	unsigned part;
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	pthread_once(&init_once, sim_init);
	if (!real_ioctl) {
		errno = ENOSYS;
		return -1;
	}
	if (!config || in_sim)
		return real_ioctl(fd, req, arg);
	d = find_dev(fd, &ns, &part);
	if (!d)
		return real_ioctl(fd, req, arg);
	if (req == SG_IO && (d->type == SIM_ATA || d->type == SIM_SCSI))
		return simulate(d, NULL, 0, req, arg);
	if (is_nvme_request(req) && d->type == SIM_NVME)
		return simulate(d, ns, 0, req, arg);
	if ((req == MMC_IOC_CMD || req == MMC_IOC_MULTI_CMD) && d->type == SIM_MMC)
		return simulate(d, NULL, part, req, arg);
	if (sim_opal_is_request(req) && d->opal.present && d->opal.kernel)
		return simulate(d, ns, part, req, arg);
	/* Any other ioctl on the device (BLKGETSIZE64, ...) lets time-bound work finish first. */
	simulate(d, ns, part, 0, NULL);
	if (req == BLKRRPART)
		return reread_partitions(fd);
	return real_ioctl(fd, req, arg);
}
