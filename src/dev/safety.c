/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Safety: why a device must not be erased, and the exclusive open that keeps
 * it that way for the whole operation.
 *
 * A device is "in use" through its whole family: the disk, its partitions,
 * everything that holds any of them (holders/, walked recursively: md, dm,
 * LVM, bcache) and loop devices whose backing file lives on one of them. The
 * family is checked against /proc/self/mountinfo, /proc/swaps, the mount
 * holding "/" and the mounts that show where the system booted from.
 */
#include <kesu/drive.h>
#include <kesu/safety.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* Mount points that show where the running system came from (live media,
 * installers, EFI system partition, /boot). Documented in kesu(8). */
static const char *const boot_mount_points[] = {
	"/run/live/medium", "/lib/live/mount/medium", "/run/initramfs/live",
	"/run/archiso/bootmnt", "/cdrom", "/boot/efi", "/efi", "/boot", NULL,
};

#define OVERLAY_DEPTH 4

/* ---- the family of a device: kernel names with their device numbers ---- */

struct member {
	dev_t dev;
	char name[64];
	bool via_loop;  /* a loop device over a file on the family: counts for / and boot only */
};

struct family {
	size_t n;
	struct member *m;
};

static void family_free(struct family *f)
{
	free(f->m);
	f->m = NULL;
	f->n = 0;
}

static const struct member *family_find(const struct family *f, dev_t dev)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->m[i].dev == dev)
			return &f->m[i];
	return NULL;
}

static int family_add(struct family *f, const char *name, bool via_loop)
{
	char buf[64];
	unsigned maj, min;
	struct member *nm;

	if (kesu_sysfs_read(name, "dev", buf, sizeof(buf)) < 0 ||
	    sscanf(buf, "%u:%u", &maj, &min) != 2)
		return 0; /* vanished, or not a block device: nothing to match */
	if (family_find(f, makedev(maj, min)))
		return 0;
	nm = realloc(f->m, (f->n + 1) * sizeof(*f->m));
	if (!nm)
		return -ENOMEM;
	f->m = nm;
	f->m[f->n].dev = makedev(maj, min);
	f->m[f->n].via_loop = via_loop;
	snprintf(f->m[f->n].name, sizeof(f->m[f->n].name), "%s", name);
	f->n++;
	return 0;
}

static int family_add_list(struct family *f, const struct kesu_name_list *l, bool via_loop)
{
	int rc = 0;

	for (size_t i = 0; i < l->n && rc == 0; i++)
		rc = family_add(f, l->names[i], via_loop);
	return rc;
}

/* NAME, its partitions and everything holding any of them. */
static int family_add_tree(struct family *f, const char *name, bool via_loop,
			   struct kesu_name_list *holders_out)
{
	struct kesu_name_list parts = { 0 }, holders;
	int rc = family_add(f, name, via_loop);

	if (rc == 0)
		rc = kesu_dev_partitions(name, &parts);
	if (rc == 0)
		rc = family_add_list(f, &parts, via_loop);
	for (size_t i = 0; i <= parts.n && rc == 0; i++) {
		rc = kesu_dev_holders(i < parts.n ? parts.names[i] : name, &holders);
		if (rc < 0)
			break;
		rc = family_add_list(f, &holders, via_loop);
		for (size_t k = 0; k < holders.n && rc == 0 && holders_out; k++)
			rc = kesu_name_list_add(holders_out, holders.names[k]);
		kesu_name_list_free(&holders);
	}
	kesu_name_list_free(&parts);
	return rc;
}

/* Loop devices whose backing file lives on a family member: they use it too. */
static int family_add_loops(struct family *f)
{
	char dir[PATH_MAX], backing[PATH_MAX];
	struct dirent *e;
	struct stat st;
	DIR *d;
	int rc = 0;

	snprintf(dir, sizeof(dir), "%s/block", kesu_sysfs_root());
	d = opendir(dir);
	if (!d)
		return 0;
	while (rc == 0 && (e = readdir(d))) {
		if (strncmp(e->d_name, "loop", 4) ||
		    kesu_sysfs_read(e->d_name, "loop/backing_file", backing, sizeof(backing)) < 0 ||
		    !backing[0] || stat(backing, &st) < 0 || !family_find(f, st.st_dev))
			continue;
		rc = family_add_tree(f, e->d_name, true, NULL);
	}
	closedir(d);
	return rc;
}

/* ---- /proc/self/mountinfo ---- */

struct mount {
	dev_t dev;
	char *mnt, *fstype, *source, *superopts;
};

struct mounts {
	size_t n;
	struct mount *v;
	char **lines;
};

static void mounts_free(struct mounts *ms)
{
	for (size_t i = 0; i < ms->n; i++)
		free(ms->lines[i]);
	free(ms->lines);
	free(ms->v);
	memset(ms, 0, sizeof(*ms));
}

/* Undo the kernel's octal escapes (\040 for a space) in place. */
static void unescape_octal(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)(((s[1] - '0') << 6) | ((s[2] - '0') << 3) | (s[3] - '0'));
			s += 3;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

/* "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTS" */
static bool parse_mountinfo_line(char *line, struct mount *m)
{
	char *save = NULL, *tok, *fields[6];
	unsigned maj, min;
	int i;

	for (i = 0; i < 6 && (tok = strtok_r(i ? NULL : line, " \n", &save)); i++)
		fields[i] = tok;
	if (i < 6 || sscanf(fields[2], "%u:%u", &maj, &min) != 2)
		return false;
	while ((tok = strtok_r(NULL, " \n", &save)) && strcmp(tok, "-"))
		;
	if (!tok)
		return false;
	m->dev = makedev(maj, min);
	m->mnt = fields[4];
	m->fstype = strtok_r(NULL, " \n", &save);
	m->source = strtok_r(NULL, " \n", &save);
	m->superopts = strtok_r(NULL, " \n", &save);
	if (!m->fstype || !m->source)
		return false;
	if (!m->superopts)
		m->superopts = m->source + strlen(m->source); /* "" */
	unescape_octal(m->mnt);
	unescape_octal(m->source);
	return true;
}

static int mounts_load(struct mounts *ms, struct kesu_errbuf *eb)
{
	char path[PATH_MAX], *line = NULL;
	size_t cap = 0;
	FILE *f;
	int rc = 0;

	memset(ms, 0, sizeof(*ms));
	snprintf(path, sizeof(path), "%s/self/mountinfo", kesu_proc_root());
	f = fopen(path, "re");
	if (!f)
		return kesu_err_set(eb, -errno, "reading %s: %s", path, strerror(errno));
	while (getline(&line, &cap, f) > 0) {
		struct mount m;
		char *copy = strdup(line);
		void *nv, *nl;

		if (!copy) {
			rc = -ENOMEM;
			break;
		}
		if (!parse_mountinfo_line(copy, &m)) {
			free(copy);
			continue;
		}
		nv = realloc(ms->v, (ms->n + 1) * sizeof(*ms->v));
		if (nv)
			ms->v = nv;
		nl = realloc(ms->lines, (ms->n + 1) * sizeof(*ms->lines));
		if (nl)
			ms->lines = nl;
		if (!nv || !nl) {
			free(copy);
			rc = -ENOMEM;
			break;
		}
		ms->v[ms->n] = m;
		ms->lines[ms->n] = copy;
		ms->n++;
	}
	free(line);
	fclose(f);
	if (rc < 0) {
		mounts_free(ms);
		return kesu_err_set(eb, rc, "reading %s: %s", path, strerror(-rc));
	}
	return 0;
}

/* The block device a mount reads from: its st_dev, or (btrfs and other
 * anonymous-device filesystems) the /dev node named as its source. */
static bool mount_block_dev(const struct mount *m, dev_t *out)
{
	struct stat st;

	if (major(m->dev) != 0) {
		*out = m->dev;
		return true;
	}
	if (!strncmp(m->source, "/dev/", 5) && stat(m->source, &st) == 0 && S_ISBLK(st.st_mode)) {
		*out = st.st_rdev;
		return true;
	}
	return false;
}

/* Does mount point mnt contain path? ("/" contains everything; "/boot" not "/bootx") */
static size_t mount_covers(const char *mnt, const char *path)
{
	size_t l = strlen(mnt);

	if (!strcmp(mnt, "/"))
		return 1;
	if (strncmp(mnt, path, l) || (path[l] != '/' && path[l] != '\0'))
		return 0;
	return l;
}

/* The mount that holds path: the longest covering mount point, the last one on ties. */
static const struct mount *mount_of_path(const struct mounts *ms, const char *path)
{
	const struct mount *best = NULL;
	size_t best_len = 0;

	for (size_t i = 0; i < ms->n; i++) {
		size_t l = mount_covers(ms->v[i].mnt, path);

		if (l && l >= best_len) {
			best = &ms->v[i];
			best_len = l;
		}
	}
	return best;
}

static const struct mount *mount_at(const struct mounts *ms, const char *mnt)
{
	const struct mount *found = NULL;

	for (size_t i = 0; i < ms->n; i++)
		if (!strcmp(ms->v[i].mnt, mnt))
			found = &ms->v[i]; /* the last one is on top */
	return found;
}

struct devlist {
	size_t n;
	dev_t v[32];
	const char *why[32]; /* the mount point each came from */
};

static void devlist_add(struct devlist *dl, dev_t d, const char *why)
{
	for (size_t i = 0; i < dl->n; i++)
		if (dl->v[i] == d)
			return;
	if (dl->n < sizeof(dl->v) / sizeof(dl->v[0])) {
		dl->why[dl->n] = why;
		dl->v[dl->n++] = d;
	}
}

static void backing_devs(const struct mounts *ms, const struct mount *m, int depth,
			 const char *why, struct devlist *out);

/* overlay: lowerdir=/a:/b,upperdir=/c — the directories' own mounts count. */
static void overlay_devs(const struct mounts *ms, const struct mount *m, int depth,
			 const char *why, struct devlist *out)
{
	char *opts = strdup(m->superopts), *save = NULL, *opt;

	if (!opts)
		return;
	for (opt = strtok_r(opts, ",", &save); opt; opt = strtok_r(NULL, ",", &save)) {
		char *dirs, *save2 = NULL, *dir;

		if (!strncmp(opt, "lowerdir=", 9))
			dirs = opt + 9;
		else if (!strncmp(opt, "upperdir=", 9))
			dirs = opt + 9;
		else
			continue;
		for (dir = strtok_r(dirs, ":", &save2); dir; dir = strtok_r(NULL, ":", &save2)) {
			const struct mount *under = mount_of_path(ms, dir);

			if (under && under != m)
				backing_devs(ms, under, depth + 1, why, out);
		}
	}
	free(opts);
}

static void backing_devs(const struct mounts *ms, const struct mount *m, int depth,
			 const char *why, struct devlist *out)
{
	dev_t d;

	if (depth > OVERLAY_DEPTH)
		return;
	if (mount_block_dev(m, &d))
		devlist_add(out, d, why);
	else if (!strcmp(m->fstype, "overlay"))
		overlay_devs(ms, m, depth, why, out);
}

/* ---- the checks ---- */

const char *kesu_unsafe_name(unsigned bit)
{
	switch (bit) {
	case KESU_UNSAFE_MOUNTED: return "mounted";
	case KESU_UNSAFE_ROOTFS: return "rootfs";
	case KESU_UNSAFE_BOOT: return "boot";
	case KESU_UNSAFE_SWAP: return "swap";
	case KESU_UNSAFE_HOLDERS: return "holders";
	case KESU_UNSAFE_READONLY: return "read-only";
	case KESU_UNSAFE_BUSY: return "busy";
	default: return "unknown";
	}
}

int kesu_safety_error(const struct kesu_safety *s)
{
	static const struct { unsigned bit; int err; } order[] = {
		{ KESU_UNSAFE_ROOTFS, -KESU_E_ROOTFS },
		{ KESU_UNSAFE_BOOT, -KESU_E_BOOT_MEDIUM },
		{ KESU_UNSAFE_MOUNTED, -KESU_E_MOUNTED },
		{ KESU_UNSAFE_SWAP, -KESU_E_SWAP },
		{ KESU_UNSAFE_HOLDERS, -KESU_E_HOLDERS },
		{ KESU_UNSAFE_READONLY, -KESU_E_READONLY },
		{ KESU_UNSAFE_BUSY, -KESU_E_BUSY },
	};

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (s->reasons & order[i].bit)
			return order[i].err;
	return 0;
}

static void flag(struct kesu_safety *s, unsigned bit, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Set a reason and append its sentence to the detail ("; " between). */
static void flag(struct kesu_safety *s, unsigned bit, const char *fmt, ...)
{
	size_t used = strlen(s->detail);
	va_list ap;

	s->reasons |= bit;
	if (used && used + 2 < sizeof(s->detail)) {
		memcpy(s->detail + used, "; ", 3);
		used += 2;
	}
	if (used + 1 >= sizeof(s->detail))
		return;
	va_start(ap, fmt);
	vsnprintf(s->detail + used, sizeof(s->detail) - used, fmt, ap);
	va_end(ap);
}

static void check_mounts(const struct mounts *ms, const struct family *f, struct kesu_safety *s)
{
	struct devlist reported = { 0 };

	for (size_t i = 0; i < ms->n; i++) {
		const struct member *mb;
		dev_t d;

		if (!mount_block_dev(&ms->v[i], &d) || !(mb = family_find(f, d)) || mb->via_loop)
			continue;
		for (size_t k = 0; k < reported.n; k++)
			if (reported.v[k] == d)
				goto next;
		devlist_add(&reported, d, NULL);
		flag(s, KESU_UNSAFE_MOUNTED, "/dev/%s mounted on %s", mb->name, ms->v[i].mnt);
next:
		;
	}
}

static void check_root_and_boot(const struct mounts *ms, const struct family *f,
				struct kesu_safety *s)
{
	struct devlist root = { 0 }, boot = { 0 };
	const struct mount *m = mount_at(ms, "/");
	const struct member *mb;

	if (m)
		backing_devs(ms, m, 0, "/", &root);
	for (size_t i = 0; i < root.n; i++)
		if ((mb = family_find(f, root.v[i])))
			flag(s, KESU_UNSAFE_ROOTFS, "/dev/%s holds the root filesystem", mb->name);
	for (size_t i = 0; boot_mount_points[i]; i++)
		if ((m = mount_at(ms, boot_mount_points[i])))
			backing_devs(ms, m, 0, boot_mount_points[i], &boot);
	for (size_t i = 0; i < boot.n; i++)
		if ((mb = family_find(f, boot.v[i])))
			flag(s, KESU_UNSAFE_BOOT, "/dev/%s is the boot medium (%s)", mb->name,
			     boot.why[i]);
}

/* /proc/swaps: "Filename Type Size Used Priority", one header line. */
static int check_swaps(const struct family *f, const struct stat *image, struct kesu_safety *s)
{
	char path[PATH_MAX], *line = NULL, name[PATH_MAX];
	size_t cap = 0;
	bool header = true;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/swaps", kesu_proc_root());
	fp = fopen(path, "re");
	if (!fp)
		return errno == ENOENT ? 0 : -errno; /* a kernel without swap support */
	while (getline(&line, &cap, fp) > 0) {
		struct stat st;
		const struct member *mb;

		if (header) {
			header = false;
			continue;
		}
		if (sscanf(line, "%4095s", name) != 1)
			continue;
		unescape_octal(name);
		if (stat(name, &st) < 0)
			continue;
		if (image) {
			if (st.st_dev == image->st_dev && st.st_ino == image->st_ino)
				flag(s, KESU_UNSAFE_SWAP, "%s is active swap", name);
		} else if (S_ISBLK(st.st_mode) && (mb = family_find(f, st.st_rdev)) && !mb->via_loop) {
			flag(s, KESU_UNSAFE_SWAP, "/dev/%s is active swap", mb->name);
		} else if (S_ISREG(st.st_mode) && (mb = family_find(f, st.st_dev)) && !mb->via_loop) {
			flag(s, KESU_UNSAFE_SWAP, "swap file %s lives on /dev/%s", name, mb->name);
		}
	}
	free(line);
	fclose(fp);
	return 0;
}

static void check_holders(const struct kesu_name_list *holders, struct kesu_safety *s)
{
	char names[256] = "";
	size_t used = 0;

	if (!holders->n)
		return;
	for (size_t i = 0; i < holders->n && used < sizeof(names); i++)
		used += (size_t)snprintf(names + used, sizeof(names) - used, "%s%s", i ? ", " : "",
					 holders->names[i]);
	flag(s, KESU_UNSAFE_HOLDERS, "held by %s", names);
}

/* BLKROGET, when the node can be opened and really is this device. */
static bool blk_readonly(const struct kesu_dev_identity *id)
{
	struct stat st;
	int fd, ro = 0;

	if (stat(id->path, &st) < 0 || !S_ISBLK(st.st_mode) ||
	    st.st_rdev != makedev(id->major, id->minor))
		return false;
	fd = open(id->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (ioctl(fd, BLKROGET, &ro) < 0)
		ro = 0;
	close(fd);
	return ro != 0;
}

/* A loop device with this image as its backing file is using it. */
static void check_image_loops(const struct stat *img, struct kesu_safety *s)
{
	char dir[PATH_MAX], backing[PATH_MAX];
	struct dirent *e;
	struct stat st;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/block", kesu_sysfs_root());
	d = opendir(dir);
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "loop", 4) ||
		    kesu_sysfs_read(e->d_name, "loop/backing_file", backing, sizeof(backing)) < 0 ||
		    !backing[0] || stat(backing, &st) < 0)
			continue;
		if (st.st_dev == img->st_dev && st.st_ino == img->st_ino)
			flag(s, KESU_UNSAFE_HOLDERS, "attached as /dev/%s", e->d_name);
	}
	closedir(d);
}

static int safety_check_image(const struct kesu_dev_identity *id, struct kesu_safety *s,
			      struct kesu_errbuf *eb)
{
	struct stat st;
	int rc;

	if (stat(id->path, &st) < 0)
		return kesu_err_set(eb, -errno, "%s: %s", id->path, strerror(errno));
	check_image_loops(&st, s);
	rc = check_swaps(NULL, &st, s);
	if (rc < 0)
		return kesu_err_set(eb, rc, "reading %s/swaps: %s", kesu_proc_root(), strerror(-rc));
	if (id->readonly)
		flag(s, KESU_UNSAFE_READONLY, "%s is not writable", id->path);
	return 0;
}

int kesu_safety_check(const struct kesu_dev_identity *id, struct kesu_safety *s,
		      struct kesu_errbuf *eb)
{
	struct family f = { 0 };
	struct kesu_name_list holders = { 0 };
	struct mounts ms = { 0 };
	int rc;

	memset(s, 0, sizeof(*s));
	if (id->is_image)
		return safety_check_image(id, s, eb);
	rc = family_add_tree(&f, id->name, false, &holders);
	if (rc == 0)
		rc = family_add_loops(&f);
	if (rc < 0) {
		kesu_err_set(eb, rc, "%s: walking partitions and holders: %s", id->path,
			     strerror(-rc));
		goto out;
	}
	rc = mounts_load(&ms, eb);
	if (rc < 0)
		goto out;
	check_root_and_boot(&ms, &f, s);
	check_mounts(&ms, &f, s);
	rc = check_swaps(&f, NULL, s);
	if (rc < 0) {
		kesu_err_set(eb, rc, "reading %s/swaps: %s", kesu_proc_root(), strerror(-rc));
		goto out;
	}
	check_holders(&holders, s);
	if (id->readonly || blk_readonly(id))
		flag(s, KESU_UNSAFE_READONLY, "the kernel marks %s read-only", id->path);
out:
	mounts_free(&ms);
	kesu_name_list_free(&holders);
	family_free(&f);
	return rc;
}

/* Append another namespace's reasons and details to s. */
static void merge(struct kesu_safety *s, const struct kesu_safety *other)
{
	if (!other->reasons)
		return;
	for (unsigned bit = 1; bit; bit <<= 1)
		if (other->reasons & bit)
			s->reasons |= bit;
	if (strstr(s->detail, other->detail))
		return;
	flag(s, 0, "%s", other->detail);
}

int kesu_safety_check_controller(const struct kesu_dev_identity *id, struct kesu_safety *s,
				 struct kesu_errbuf *eb)
{
	struct kesu_name_list ns = { 0 };
	int rc = kesu_safety_check(id, s, eb);

	if (rc < 0 || id->is_image || id->transport != KESU_TR_NVME)
		return rc;
	rc = kesu_dev_controller_namespaces(id->name, &ns);
	for (size_t i = 0; i < ns.n && rc == 0; i++) {
		struct kesu_dev_identity other;
		struct kesu_safety os;

		if (!strcmp(ns.names[i], id->name) ||
		    kesu_dev_identify(ns.names[i], false, &other, NULL) < 0)
			continue;
		rc = kesu_safety_check(&other, &os, eb);
		if (rc == 0)
			merge(s, &os);
	}
	kesu_name_list_free(&ns);
	if (rc < 0)
		kesu_err_set(eb, rc, "%s: checking the controller's other namespaces: %s",
			     id->path, strerror(-rc));
	return rc;
}

/* ---- the exclusive open ---- */

static const char *remedy(int err)
{
	switch (-err) {
	case KESU_E_ROOTFS:
		return "kesu will not erase the disk the running system lives on; "
		       "boot kesu from other media to erase it";
	case KESU_E_BOOT_MEDIUM:
		return "this is the medium the system booted from; boot from other media to erase it";
	case KESU_E_MOUNTED:
		return "unmount it (every partition) first";
	case KESU_E_SWAP:
		return "turn that swap off first (swapoff)";
	case KESU_E_HOLDERS:
		return "stop what holds it first (mdadm --stop, dmsetup remove, vgchange -an, "
		       "losetup -d)";
	case KESU_E_READONLY:
		return "it is write-protected: check the write-protect switch, or 'blockdev --setrw'";
	case KESU_E_BUSY:
		return "another program has it open exclusively; find it with 'fuser -v' or 'lsof'";
	default:
		return "see 'kesu list'";
	}
}

static int refuse(const struct kesu_target *t, const struct kesu_safety *s, struct kesu_errbuf *eb)
{
	int err = kesu_safety_error(s);

	return kesu_err_set(eb, err, "refusing %s: %s; %s", t->id.path, s->detail, remedy(err));
}

/* The reasons that matter for this kind of open. */
static void mask_for_flags(struct kesu_safety *s, unsigned flags)
{
	if (flags & KESU_TARGET_READONLY)
		s->reasons &= ~(unsigned)KESU_UNSAFE_READONLY;
}

static int check_for_flags(const struct kesu_dev_identity *id, struct kesu_safety *s,
			   unsigned flags, struct kesu_errbuf *eb)
{
	if (flags & KESU_TARGET_CONTROLLER)
		return kesu_safety_check_controller(id, s, eb);
	return kesu_safety_check(id, s, eb);
}

static int open_failed(struct kesu_target *t, int err, struct kesu_errbuf *eb)
{
	struct kesu_safety s;

	/* A mount or holder is the usual cause of EBUSY (and, in containers, of
	 * EACCES on the host's disks): say which. */
	if (check_for_flags(&t->id, &s, t->flags, NULL) == 0) {
		mask_for_flags(&s, t->flags);
		if (s.reasons)
			return refuse(t, &s, eb);
	}
	switch (err) {
	case EBUSY:
		return kesu_err_set(eb, -KESU_E_BUSY, "refusing %s: it is busy; %s", t->id.path,
				    remedy(-KESU_E_BUSY));
	case EACCES: case EPERM:
		if (t->id.is_image)
			return kesu_err_set(eb, -err, "%s: %s; check the file's permissions",
					    t->id.path, strerror(err));
		if (geteuid() == 0)
			return kesu_err_set(eb, -err, "%s: permission denied even for root (a "
					    "security module or device cgroup refuses it)",
					    t->id.path);
		return kesu_err_set(eb, -KESU_E_NOT_ROOT, "%s: permission denied; run kesu as root",
				    t->id.path);
	case EROFS:
		return kesu_err_set(eb, -KESU_E_READONLY, "refusing %s: read-only; %s", t->id.path,
				    remedy(-KESU_E_READONLY));
	case EINVAL:
		if (t->flags & KESU_TARGET_DIRECT)
			return kesu_err_set(eb, -EINVAL, "%s: direct I/O (O_DIRECT) is not "
					    "supported here", t->id.path);
		break;
	default:
		break;
	}
	return kesu_err_set(eb, -err, "opening %s: %s", t->id.path, strerror(err));
}

/* A probe opens read-only, with the exclusive claim and O_DIRECT of the real open. */
static int open_flags(const struct kesu_target *t, bool probe)
{
	int fl = O_CLOEXEC;

	fl |= (t->flags & KESU_TARGET_READONLY) || probe ? O_RDONLY : O_RDWR;
	if (t->flags & KESU_TARGET_DIRECT)
		fl |= O_DIRECT;
	if (!t->id.is_image)
		fl |= O_EXCL; /* block devices: fails while mounted or claimed */
	return fl;
}

/* The node still is the device we identified (not swapped under us). */
static bool same_device(const struct kesu_target *t)
{
	struct stat st;

	if (fstat(t->fd, &st) < 0)
		return false;
	if (t->id.is_image)
		return S_ISREG(st.st_mode);
	return S_ISBLK(st.st_mode) && st.st_rdev == makedev(t->id.major, t->id.minor);
}

static int target_open(const char *path, unsigned flags, bool probe, struct kesu_target *t,
		       struct kesu_errbuf *eb)
{
	struct kesu_safety s;
	int rc, ro = 0;

	memset(t, 0, sizeof(*t));
	t->fd = -1;
	t->flags = flags;
	rc = kesu_dev_identify(path, (flags & KESU_TARGET_ALLOW_IMAGE) != 0, &t->id, eb);
	if (rc < 0)
		return rc;
	if (t->id.is_partition)
		return kesu_err_set(eb, -KESU_E_PARTITION,
				    "%s is partition %d of /dev/%s; give the whole disk /dev/%s, "
				    "not %s", t->id.path, t->id.partition_number, t->id.parent,
				    t->id.parent, t->id.path);
	if (!t->id.is_image && geteuid() != 0)
		return kesu_err_set(eb, -KESU_E_NOT_ROOT,
				    "%s: erasing or verifying a block device needs root; run kesu "
				    "as root", t->id.path);
	t->fd = open(t->id.path, open_flags(t, probe));
	if (t->fd < 0)
		return open_failed(t, errno, eb);
	/* Checked after the exclusive open: nothing can mount it from now on. */
	rc = check_for_flags(&t->id, &s, flags, eb);
	if (rc == 0) {
		mask_for_flags(&s, flags);
		if (s.reasons)
			rc = refuse(t, &s, eb);
	}
	if (rc == 0 && !same_device(t))
		rc = kesu_err_set(eb, -KESU_E_GONE, "%s changed while kesu opened it; run again",
				  t->id.path);
	if (rc == 0 && !t->id.is_image && !(flags & KESU_TARGET_READONLY) &&
	    ioctl(t->fd, BLKROGET, &ro) == 0 && ro)
		rc = kesu_err_set(eb, -KESU_E_READONLY, "refusing %s: the kernel marks it "
				  "read-only; %s", t->id.path, remedy(-KESU_E_READONLY));
	/* The drive's own serial and model, not a USB bridge's: they name the drive in records. */
	if (rc == 0)
		kesu_drive_adopt_identity(t->fd, &t->id);
	if (rc < 0 || probe) {
		close(t->fd);
		t->fd = -1;
		return rc;
	}
	t->is_open = true;
	return 0;
}

int kesu_target_open(const char *path, unsigned flags, struct kesu_target *t,
		     struct kesu_errbuf *eb)
{
	return target_open(path, flags, false, t, eb);
}

int kesu_target_probe(const char *path, unsigned flags, struct kesu_target *t,
		      struct kesu_errbuf *eb)
{
	return target_open(path, flags, true, t, eb);
}

void kesu_target_close(struct kesu_target *t)
{
	if (t->is_open && t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	t->is_open = false;
}
