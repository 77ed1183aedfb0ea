/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Device identity from sysfs and stat(): what the kernel already knows about a
 * disk, without opening it. Nothing here needs root or writes anything.
 */
#include <kesu/dev.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define KESU_SECTOR 512u
#define KESU_MAX_NAMES 1024

const char *kesu_transport_name(enum kesu_transport tr)
{
	switch (tr) {
	case KESU_TR_SATA: return "sata";
	case KESU_TR_NVME: return "nvme";
	case KESU_TR_USB: return "usb";
	case KESU_TR_SCSI: return "scsi";
	case KESU_TR_VIRTIO: return "virtio";
	case KESU_TR_MMC: return "mmc";
	case KESU_TR_LOOP: return "loop";
	case KESU_TR_IMAGE: return "image";
	case KESU_TR_UNKNOWN: break;
	}
	return "unknown";
}

const char *kesu_sysfs_root(void)
{
	const char *r = getenv("KESU_SYSFS_ROOT");

	return r && *r ? r : "/sys";
}

const char *kesu_proc_root(void)
{
	const char *r = getenv("KESU_PROC_ROOT");

	return r && *r ? r : "/proc";
}

/* Copy src into dst with leading/trailing whitespace removed. */
static void copy_trimmed(char *dst, size_t len, const char *src, size_t srclen)
{
	size_t a = 0, b = srclen;

	while (a < b && isspace((unsigned char)src[a]))
		a++;
	while (b > a && (isspace((unsigned char)src[b - 1]) || src[b - 1] == '\0'))
		b--;
	if (len == 0)
		return;
	if (b - a >= len)
		b = a + len - 1;
	memcpy(dst, src + a, b - a);
	dst[b - a] = '\0';
}

/* Read at most len-1 bytes of a small file; returns the byte count or -errno. */
static ssize_t read_small_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0)
		n = -errno;
	else
		buf[n] = '\0';
	close(fd);
	return n;
}

int kesu_sysfs_read(const char *name, const char *attr, char *buf, size_t len)
{
	char path[PATH_MAX], raw[4096];
	ssize_t n;

	if (len)
		buf[0] = '\0';
	if (snprintf(path, sizeof(path), "%s/class/block/%s/%s", kesu_sysfs_root(), name, attr) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	n = read_small_file(path, raw, sizeof(raw));
	if (n < 0)
		return (int)n;
	copy_trimmed(buf, len, raw, (size_t)n);
	return 0;
}

static uint64_t sysfs_u64(const char *name, const char *attr)
{
	char buf[64];

	if (kesu_sysfs_read(name, attr, buf, sizeof(buf)) < 0)
		return 0;
	return strtoull(buf, NULL, 10);
}

static bool sysfs_exists(const char *name, const char *attr)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/class/block/%s%s%s", kesu_sysfs_root(), name,
		 attr ? "/" : "", attr ? attr : "");
	return access(path, F_OK) == 0;
}

/* The first of several attributes that exists and is not empty. */
static void sysfs_first(const char *name, const char *const attrs[], char *buf, size_t len)
{
	for (size_t i = 0; attrs[i]; i++)
		if (kesu_sysfs_read(name, attrs[i], buf, len) == 0 && buf[0])
			return;
	if (len)
		buf[0] = '\0';
}

/*
 * SCSI VPD page 0x80 (Unit Serial Number): byte 1 page code, bytes 2-3 page
 * length (big-endian), then the serial in ASCII, often space padded.
 */
static void vpd_pg80_serial(const char *name, char *buf, size_t len)
{
	char path[PATH_MAX], raw[512], clean[512];
	ssize_t n;
	size_t plen, i, k = 0;

	snprintf(path, sizeof(path), "%s/class/block/%s/device/vpd_pg80", kesu_sysfs_root(), name);
	n = read_small_file(path, raw, sizeof(raw));
	if (n < 4 || (unsigned char)raw[1] != 0x80)
		return;
	plen = ((size_t)(unsigned char)raw[2] << 8) | (unsigned char)raw[3];
	if (plen > (size_t)n - 4)
		plen = (size_t)n - 4;
	for (i = 0; i < plen && k < sizeof(clean) - 1; i++)
		if (isprint((unsigned char)raw[4 + i]))
			clean[k++] = raw[4 + i];
	copy_trimmed(buf, len, clean, k);
}

/* Real path of <sysfs>/class/block/NAME with the sysfs root's own prefix removed. */
static int sysfs_device_path(const char *name, char *out, size_t len)
{
	char link[PATH_MAX], *res, *root;
	size_t rl;

	snprintf(link, sizeof(link), "%s/class/block/%s", kesu_sysfs_root(), name);
	res = realpath(link, NULL);
	if (!res)
		return -errno;
	root = realpath(kesu_sysfs_root(), NULL);
	rl = root ? strlen(root) : 0;
	if (root && !strncmp(res, root, rl))
		snprintf(out, len, "%s", res + rl);
	else
		snprintf(out, len, "%s", res);
	free(root);
	free(res);
	return 0;
}

static enum kesu_transport transport_of(const char *disk)
{
	char p[PATH_MAX];

	if (!strncmp(disk, "loop", 4))
		return KESU_TR_LOOP;
	if (sysfs_device_path(disk, p, sizeof(p)) < 0)
		return KESU_TR_UNKNOWN;
	if (strstr(p, "/usb"))
		return KESU_TR_USB;
	if (strstr(p, "/nvme"))
		return KESU_TR_NVME;
	if (strstr(p, "/mmc"))
		return KESU_TR_MMC;
	if (strstr(p, "/ata"))
		return KESU_TR_SATA;
	/* virtio-blk disks are vdX; SCSI disks behind virtio-scsi sit under a host. */
	if (strstr(p, "/virtio") && !strstr(p, "/host"))
		return KESU_TR_VIRTIO;
	if (strstr(p, "/host") || strstr(p, "/target"))
		return KESU_TR_SCSI;
	return KESU_TR_UNKNOWN;
}

/*
 * usb-storage disks have no serial attribute or VPD page 0x80; the USB
 * device's own iSerialNumber sits on an ancestor (the directory that also has
 * idVendor). For a stick that is the stick's serial; for an enclosure it is
 * the bridge's, which is why `kesu info` prefers the drive's IDENTIFY.
 */
static void usb_device_serial(const char *disk, char *buf, size_t len)
{
	char link[PATH_MAX], probe[PATH_MAX + 16], *dir, *root;
	size_t rl;

	snprintf(link, sizeof(link), "%s/class/block/%s/device", kesu_sysfs_root(), disk);
	dir = realpath(link, NULL);
	root = realpath(kesu_sysfs_root(), NULL);
	if (!dir || !root)
		goto out;
	rl = strlen(root);
	while (strlen(dir) > rl && !strncmp(dir, root, rl)) {
		char serial[256];
		ssize_t n;

		snprintf(probe, sizeof(probe), "%s/idVendor", dir);
		if (access(probe, F_OK) == 0) {
			snprintf(probe, sizeof(probe), "%s/serial", dir);
			n = read_small_file(probe, serial, sizeof(serial));
			if (n > 0)
				copy_trimmed(buf, len, serial, (size_t)n);
			break;
		}
		*strrchr(dir, '/') = '\0';
	}
out:
	free(dir);
	free(root);
}

/* Model, vendor, serial, firmware, wwid: the attribute names differ per driver. */
static void identity_strings(const char *disk, struct kesu_dev_identity *id)
{
	static const char *const model[] = { "device/model", "device/name", NULL };
	static const char *const vendor[] = { "device/vendor", NULL };
	static const char *const firmware[] = { "device/firmware_rev", "device/rev",
						"device/fwrev", NULL };
	static const char *const serial[] = { "device/serial", "serial", NULL };
	static const char *const wwid[] = { "device/wwid", "wwid", NULL };

	sysfs_first(disk, model, id->model, sizeof(id->model));
	sysfs_first(disk, vendor, id->vendor, sizeof(id->vendor));
	sysfs_first(disk, firmware, id->firmware, sizeof(id->firmware));
	sysfs_first(disk, serial, id->serial, sizeof(id->serial));
	if (!id->serial[0])
		vpd_pg80_serial(disk, id->serial, sizeof(id->serial));
	if (!id->serial[0] && id->transport == KESU_TR_USB)
		usb_device_serial(disk, id->serial, sizeof(id->serial));
	if (id->serial[0])
		snprintf(id->serial_source, sizeof(id->serial_source), "sysfs");
	sysfs_first(disk, wwid, id->wwid, sizeof(id->wwid));
}

/* The whole disk a partition belongs to: its sysfs directory's parent. */
static void partition_parent(const char *name, char *parent, size_t len)
{
	char link[PATH_MAX], *res;

	snprintf(link, sizeof(link), "%s/class/block/%s", kesu_sysfs_root(), name);
	res = realpath(link, NULL);
	if (!res)
		return;
	snprintf(parent, len, "%s", basename(dirname(res)));
	free(res);
}

static int identify_block_name(const char *name, struct kesu_dev_identity *id,
			       struct kesu_errbuf *eb)
{
	char buf[64];
	const char *disk = name;

	if (strlen(name) >= sizeof(id->name) || strchr(name, '/'))
		return kesu_err_set(eb, -ENODEV, "%s: not a kernel block device name", name);
	if (!sysfs_exists(name, NULL))
		return kesu_err_set(eb, -ENODEV, "%s: no such block device in %s/class/block; "
				    "see 'kesu list'", name, kesu_sysfs_root());
	snprintf(id->name, sizeof(id->name), "%s", name);
	if (!id->path[0])
		snprintf(id->path, sizeof(id->path), "/dev/%s", name);
	if (kesu_sysfs_read(name, "dev", buf, sizeof(buf)) == 0)
		sscanf(buf, "%u:%u", &id->major, &id->minor);
	if (sysfs_exists(name, "partition")) {
		id->is_partition = true;
		id->partition_number = (int)sysfs_u64(name, "partition");
		partition_parent(name, id->parent, sizeof(id->parent));
		if (id->parent[0])
			disk = id->parent;
	}
	id->size_bytes = sysfs_u64(name, "size") * KESU_SECTOR;
	id->readonly = sysfs_u64(name, "ro") != 0;
	id->removable = sysfs_u64(disk, "removable") != 0;
	id->rotational = sysfs_u64(disk, "queue/rotational") != 0;
	id->logical_sector_size = (uint32_t)sysfs_u64(disk, "queue/logical_block_size");
	id->physical_sector_size = (uint32_t)sysfs_u64(disk, "queue/physical_block_size");
	id->logical_sector_size = kesu_dev_sector_size(id);
	if (!id->physical_sector_size)
		id->physical_sector_size = id->logical_sector_size;
	id->discard_max_bytes = sysfs_u64(disk, "queue/discard_max_bytes");
	id->transport = transport_of(disk);
	identity_strings(disk, id);
	kesu_sysfs_read(disk, "loop/backing_file", id->backing_file, sizeof(id->backing_file));
	return 0;
}

uint32_t kesu_dev_sector_size(const struct kesu_dev_identity *id)
{
	return id->logical_sector_size ? id->logical_sector_size : KESU_SECTOR;
}

static int identify_image(const char *path, const struct stat *st, struct kesu_dev_identity *id)
{
	char copy[PATH_MAX];

	snprintf(copy, sizeof(copy), "%s", path);
	snprintf(id->name, sizeof(id->name), "%s", basename(copy));
	snprintf(id->path, sizeof(id->path), "%s", path);
	id->transport = KESU_TR_IMAGE;
	id->is_image = true;
	id->size_bytes = (uint64_t)st->st_size;
	id->logical_sector_size = kesu_dev_sector_size(id);
	id->physical_sector_size = id->logical_sector_size;
	id->readonly = access(path, W_OK) != 0;
	return 0;
}

/* The kernel name of a block device node, from <sysfs>/dev/block/MAJ:MIN. */
static int name_of_devnum(dev_t rdev, char *name, size_t len)
{
	char link[PATH_MAX], target[PATH_MAX];
	ssize_t n;
	const char *slash;

	snprintf(link, sizeof(link), "%s/dev/block/%u:%u", kesu_sysfs_root(), major(rdev),
		 minor(rdev));
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	slash = strrchr(target, '/');
	slash = slash ? slash + 1 : target;
	if (strlen(slash) >= len)
		return -ENAMETOOLONG;
	memcpy(name, slash, strlen(slash) + 1);
	return 0;
}

static const char *file_kind(mode_t m)
{
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISREG(m))
		return "a regular file";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	return "not a device";
}

int kesu_dev_identify(const char *path, bool allow_image,
		      struct kesu_dev_identity *id, struct kesu_errbuf *eb)
{
	struct stat st;
	char name[64];
	int rc;

	memset(id, 0, sizeof(*id));
	if (!path || !*path)
		return kesu_err_set(eb, -ENOENT, "no device given; see 'kesu list'");
	/* A bare kernel name (sdb) that is not a file in the current directory. */
	if (!strchr(path, '/') && access(path, F_OK) != 0 && sysfs_exists(path, NULL))
		return identify_block_name(path, id, eb);
	if (stat(path, &st) < 0)
		return kesu_err_set(eb, -errno, "%s: %s; see 'kesu list' for the devices kesu sees",
				    path, strerror(errno));
	if (S_ISBLK(st.st_mode)) {
		rc = name_of_devnum(st.st_rdev, name, sizeof(name));
		if (rc < 0)
			return kesu_err_set(eb, -ENODEV, "%s: block device %u:%u has no entry in "
					    "%s/dev/block", path, major(st.st_rdev),
					    minor(st.st_rdev), kesu_sysfs_root());
		snprintf(id->path, sizeof(id->path), "%s", path);
		return identify_block_name(name, id, eb);
	}
	if (S_ISREG(st.st_mode) && allow_image)
		return identify_image(path, &st, id);
	return kesu_err_set(eb, -KESU_E_NOT_BLOCK,
			    "%s is %s, not a block device; give a whole disk such as /dev/sdb%s",
			    path, file_kind(st.st_mode),
			    S_ISREG(st.st_mode) ? " (disk images are accepted only where a command "
						  "says so)" : "");
}

/* ---- name lists ---- */

void kesu_name_list_free(struct kesu_name_list *l)
{
	free(l->names);
	l->names = NULL;
	l->n = 0;
}

static bool name_list_has(const struct kesu_name_list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->names[i], name))
			return true;
	return false;
}

static int name_list_add(struct kesu_name_list *l, const char *name)
{
	char (*nn)[64];

	if (strlen(name) >= sizeof(l->names[0]))
		return 0; /* no kernel name is that long */
	if (l->n >= KESU_MAX_NAMES)
		return -E2BIG;
	nn = realloc(l->names, (l->n + 1) * sizeof(l->names[0]));
	if (!nn)
		return -ENOMEM;
	l->names = nn;
	snprintf(l->names[l->n++], sizeof(l->names[0]), "%s", name);
	return 0;
}

int kesu_name_list_add(struct kesu_name_list *l, const char *name)
{
	return name_list_has(l, name) ? 0 : name_list_add(l, name);
}

static int cmp_names(const void *a, const void *b)
{
	return strverscmp((const char *)a, (const char *)b);
}

/* Entries of a directory that pass keep(); sorted naturally (sda2 < sda10). */
static int list_dir(const char *dir, bool (*keep)(const char *dir, const char *entry),
		    struct kesu_name_list *out)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || (keep && !keep(dir, e->d_name)))
			continue;
		rc = name_list_add(out, e->d_name);
		if (rc < 0)
			break;
	}
	closedir(d);
	if (rc < 0) {
		kesu_name_list_free(out);
		return rc;
	}
	if (out->n)
		qsort(out->names, out->n, sizeof(out->names[0]), cmp_names);
	return 0;
}

static bool is_loop_dir(const char *dir, const char *entry)
{
	(void)dir;
	return !strncmp(entry, "loop", 4);
}

static bool is_partition_dir(const char *dir, const char *entry)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s/partition", dir, entry);
	return access(p, F_OK) == 0;
}

int kesu_dev_partitions(const char *disk, struct kesu_name_list *out)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/class/block/%s", kesu_sysfs_root(), disk);
	return list_dir(dir, is_partition_dir, out);
}

/* Does LOOP's backing file name the block device NAME (device number dev)? */
static bool loop_backed_by(const char *loop, const char *name, dev_t dev)
{
	char backing[PATH_MAX];
	struct stat st;

	if (kesu_sysfs_read(loop, "loop/backing_file", backing, sizeof(backing)) < 0 ||
	    !backing[0])
		return false;
	if (stat(backing, &st) == 0)
		return S_ISBLK(st.st_mode) && st.st_rdev == dev;
	/* The node is gone, or a described machine (KESU_SYSFS_ROOT): its name. */
	return !strncmp(backing, "/dev/", 5) && !strcmp(backing + 5, name);
}

/*
 * Loop devices whose backing file is the block device NAME itself: they use
 * it as a disk of their own, whatever sits on them (the kernel lists them in
 * no holders/ directory, and their O_EXCL does not claim NAME).
 */
static int add_backing_loops(const char *name, struct kesu_name_list *direct)
{
	char dir[PATH_MAX], buf[64];
	struct kesu_name_list loops;
	unsigned maj, min;
	int rc;

	if (kesu_sysfs_read(name, "dev", buf, sizeof(buf)) < 0 ||
	    sscanf(buf, "%u:%u", &maj, &min) != 2)
		return 0;
	snprintf(dir, sizeof(dir), "%s/block", kesu_sysfs_root());
	rc = list_dir(dir, is_loop_dir, &loops);
	for (size_t i = 0; i < loops.n && rc == 0; i++)
		if (strcmp(loops.names[i], name) &&
		    loop_backed_by(loops.names[i], name, makedev(maj, min)))
			rc = kesu_name_list_add(direct, loops.names[i]);
	kesu_name_list_free(&loops);
	return rc;
}

/* Add NAME's direct holders (and the partitions of each new holder) to out. */
static int add_holders_of(const char *name, struct kesu_name_list *out)
{
	char dir[PATH_MAX];
	struct kesu_name_list direct, parts;
	int rc = 0;

	snprintf(dir, sizeof(dir), "%s/class/block/%s/holders", kesu_sysfs_root(), name);
	rc = list_dir(dir, NULL, &direct);
	if (rc == 0)
		rc = add_backing_loops(name, &direct);
	if (rc < 0) {
		kesu_name_list_free(&direct);
		return rc;
	}
	for (size_t i = 0; i < direct.n && rc == 0; i++) {
		if (name_list_has(out, direct.names[i]))
			continue;
		rc = name_list_add(out, direct.names[i]);
		/* A holder with partitions (md0p1, a kpartx map): those are users too. */
		if (rc == 0 && kesu_dev_partitions(direct.names[i], &parts) == 0) {
			for (size_t k = 0; k < parts.n && rc == 0; k++)
				if (!name_list_has(out, parts.names[k]))
					rc = name_list_add(out, parts.names[k]);
			kesu_name_list_free(&parts);
		}
	}
	kesu_name_list_free(&direct);
	return rc;
}

int kesu_dev_holders(const char *name, struct kesu_name_list *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = add_holders_of(name, out);
	/* out grows while we walk it: a breadth-first walk, each name once. */
	for (size_t i = 0; i < out->n && rc == 0; i++)
		rc = add_holders_of(out->names[i], out);
	if (rc < 0)
		kesu_name_list_free(out);
	return rc;
}

static const char *whole_disk(const struct kesu_dev_identity *id)
{
	return id->is_partition && id->parent[0] ? id->parent : id->name;
}

bool kesu_dev_same_medium(const struct kesu_dev_identity *a, const struct kesu_dev_identity *b)
{
	struct stat sa, sb;

	if (a->is_image != b->is_image)
		return false;
	if (a->is_image)
		return stat(a->path, &sa) == 0 && stat(b->path, &sb) == 0 &&
		       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
	return !strcmp(whole_disk(a), whole_disk(b));
}

static bool is_block_dev_dir(const char *dir, const char *entry)
{
	char p[PATH_MAX];

	/* A namespace directory has a dev attribute and no partition attribute. */
	snprintf(p, sizeof(p), "%s/%s/dev", dir, entry);
	if (access(p, F_OK) != 0)
		return false;
	snprintf(p, sizeof(p), "%s/%s/partition", dir, entry);
	return access(p, F_OK) != 0 && sysfs_exists(entry, NULL);
}

int kesu_dev_controller_namespaces(const char *name, struct kesu_name_list *out)
{
	char dir[PATH_MAX];
	int rc;

	memset(out, 0, sizeof(*out));
	if (strncmp(name, "nvme", 4) != 0)
		return kesu_name_list_add(out, name);
	snprintf(dir, sizeof(dir), "%s/class/block/%s/device", kesu_sysfs_root(), name);
	rc = list_dir(dir, is_block_dev_dir, out);
	if (rc == 0)
		rc = kesu_name_list_add(out, name);
	if (rc < 0)
		kesu_name_list_free(out);
	return rc;
}

/* ---- enumeration ---- */

static bool keep_disk(const char *dir, const char *entry)
{
	(void)dir;
	return strncmp(entry, "ram", 3) != 0;
}

static int push_identity(struct kesu_dev_identity **ids, size_t *n, size_t *cap,
			 const struct kesu_dev_identity *id)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		struct kesu_dev_identity *nv = realloc(*ids, ncap * sizeof(**ids));

		if (!nv)
			return -ENOMEM;
		*ids = nv;
		*cap = ncap;
	}
	(*ids)[(*n)++] = *id;
	return 0;
}

/* Nothing to erase: an unattached loop device, a reader without a card, an
 * unconfigured zram (lsblk hides these too). */
static bool empty_device(const struct kesu_dev_identity *id)
{
	return id->size_bytes == 0 && !id->backing_file[0];
}

static int push_partitions(const char *disk, struct kesu_dev_identity **ids, size_t *n,
			   size_t *cap, struct kesu_dev_identity *scratch)
{
	struct kesu_name_list parts;
	int rc = kesu_dev_partitions(disk, &parts);

	for (size_t k = 0; rc == 0 && k < parts.n; k++) {
		memset(scratch, 0, sizeof(*scratch));
		if (identify_block_name(parts.names[k], scratch, NULL) == 0)
			rc = push_identity(ids, n, cap, scratch);
	}
	kesu_name_list_free(&parts);
	return rc;
}

int kesu_dev_list(unsigned flags, struct kesu_dev_identity **ids, size_t *n,
		  struct kesu_errbuf *eb)
{
	char dir[PATH_MAX];
	struct kesu_name_list disks;
	struct kesu_dev_identity *id = NULL;
	size_t cap = 0;
	int rc;

	*ids = NULL;
	*n = 0;
	snprintf(dir, sizeof(dir), "%s/block", kesu_sysfs_root());
	rc = list_dir(dir, keep_disk, &disks);
	if (rc < 0)
		return kesu_err_set(eb, rc, "reading %s: %s", dir, strerror(-rc));
	id = malloc(sizeof(*id));
	if (!id) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < disks.n && rc == 0; i++) {
		memset(id, 0, sizeof(*id));
		if (identify_block_name(disks.names[i], id, NULL) < 0)
			continue; /* vanished while we looked */
		if (empty_device(id) && !(flags & KESU_DEV_LIST_ALL))
			continue;
		rc = push_identity(ids, n, &cap, id);
		if (rc == 0 && (flags & KESU_DEV_LIST_ALL))
			rc = push_partitions(disks.names[i], ids, n, &cap, id);
	}
out:
	free(id);
	kesu_name_list_free(&disks);
	if (rc < 0) {
		free(*ids);
		*ids = NULL;
		*n = 0;
		return kesu_err_set(eb, rc, "listing block devices: %s", strerror(-rc));
	}
	return 0;
}
