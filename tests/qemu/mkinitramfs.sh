#!/bin/sh
# Build a minimal initramfs (cpio, newc) from pieces: kernel modules with their
# dependencies, busybox, dynamically linked programs with their libraries, an
# /init, and any other files. The QEMU test harness and the boot image both use it.
#
#   tests/qemu/mkinitramfs.sh -o OUT [options]
#
#   -o OUT          the archive to write (uncompressed cpio; written atomically)
#   -k KERNEL_DIR   an unpacked kernel from fetch-kernel.sh (needed with -m)
#   -m "MODULES"    module names (nvme ahci ...): each is copied with its
#                   dependencies from modules.dep; /etc/modules.order lists the
#                   files in load order (dependencies first), one per line, for
#                   `insmod` in that order. Built-in modules are skipped.
#                   Repeatable. The archive gets its own modules.dep and
#                   modules.alias (depmod), so `modprobe NAME` and loading by
#                   modalias work in the guest for what it holds.
#   -M SUBDIR       every module under SUBDIR of the kernel's module tree
#                   (kernel/drivers/usb/storage), as if named with -m. Repeatable.
#   -B BUSYBOX      a static busybox: installed as /bin/busybox with a link per applet
#   -x PROGRAM[=DEST]  a dynamically linked program: installed as DEST (default
#                   /usr/bin/NAME) with every library ldd names and the dynamic
#                   loader. Repeatable.
#   -i INIT         the /init script
#   -f SRC=DEST     any other file, installed at DEST (mode kept). Repeatable.
#   -D SRC=DEST     a directory tree, copied to DEST (symlinks resolved). Repeatable.
#
# An archive holding only -x or -f pieces is a layer: the kernel unpacks
# concatenated archives in order, so a cached base (modules, busybox, init) can
# be combined with a fresh layer (kesu, test scripts) by `cat`.
set -eu

usage() {
	sed -n '2,/^set -eu/p' "$0" | sed 's/^# \{0,1\}//; /^set -eu/d' >&2
	exit 2
}

out="" kdir="" modules="" busybox="" init=""
progs_file=$(mktemp)
files_file=$(mktemp)
dirs_file=$(mktemp)
stage=$(mktemp -d)
trap 'rm -rf "$stage" "$progs_file" "$files_file" "$dirs_file"' EXIT INT TERM

subdirs=""
while getopts o:k:m:M:B:x:i:f:D:h opt; do
	case $opt in
	o) out=$OPTARG ;;
	k) kdir=$OPTARG ;;
	m) modules="$modules $OPTARG" ;;
	M) subdirs="$subdirs $OPTARG" ;;
	B) busybox=$OPTARG ;;
	x) echo "$OPTARG" >>"$progs_file" ;;
	i) init=$OPTARG ;;
	f) echo "$OPTARG" >>"$files_file" ;;
	D) echo "$OPTARG" >>"$dirs_file" ;;
	*) usage ;;
	esac
done
[ -n "$out" ] || usage

die() {
	echo "mkinitramfs: $*" >&2
	exit 1
}

mkdir -p "$stage/bin" "$stage/sbin" "$stage/usr/bin" "$stage/etc" "$stage/lib" \
	"$stage/proc" "$stage/sys" "$stage/dev" "$stage/tmp" "$stage/run" "$stage/mnt"

# Kernel modules: the load order comes from kmod's own resolver (modprobe
# --show-depends against the unpacked tree), so it matches what modprobe would do.
if [ -n "$modules$subdirs" ]; then
	[ -n "$kdir" ] && [ -f "$kdir/version" ] || die "-m and -M need -k KERNEL_DIR (from fetch-kernel.sh)"
	kdir=$(cd "$kdir" && pwd)   # modprobe prints absolute paths
	version=$(cat "$kdir/version")
	mroot="$kdir/lib/modules/$version"
	for sd in $subdirs; do
		[ -d "$mroot/$sd" ] || die "-M $sd: no such directory in $mroot"
		modules="$modules $(find "$mroot/$sd" -name '*.ko' | sed 's|.*/||; s|\.ko$||' | sort)"
	done
	command -v modprobe >/dev/null 2>&1 || PATH="$PATH:/sbin:/usr/sbin"
	order="$stage/etc/modules.order"
	: >"$order"
	for m in $modules; do
		modprobe -d "$kdir" -S "$version" --show-depends "$m" >"$stage/deps" 2>"$stage/deps.err" ||
			die "module $m: $(cat "$stage/deps.err")"
		# "insmod /path/x.ko [params]" or "builtin x"
		awk '$1 == "insmod" { print $2 }' "$stage/deps" | while read -r f; do
			rel=${f#"$mroot"/}
			grep -qxF "$rel" "$order" && continue
			mkdir -p "$stage/lib/modules/$version/$(dirname "$rel")"
			cp "$f" "$stage/lib/modules/$version/$rel"
			echo "$rel" >>"$order"
		done
	done
	rm -f "$stage/deps" "$stage/deps.err"
	for f in modules.builtin modules.builtin.modinfo modules.order; do
		[ -f "$mroot/$f" ] && cp "$mroot/$f" "$stage/lib/modules/$version/$f"
	done
	depmod -b "$stage" "$version"
	echo "$version" >"$stage/etc/kernel-version"
fi

if [ -n "$busybox" ]; then
	[ -x "$busybox" ] || die "$busybox: not executable"
	cp "$busybox" "$stage/bin/busybox"
	for a in $("$busybox" --list); do
		[ -e "$stage/bin/$a" ] || ln -s busybox "$stage/bin/$a"
	done
fi

# A program and what ldd says it needs. Libraries keep their paths (the loader
# finds them in its default directories); symlinks are resolved.
copy_with_path() {
	mkdir -p "$stage$(dirname "$1")"
	[ -e "$stage$1" ] || cp -L "$1" "$stage$1"
}
while read -r spec; do
	p=${spec%%=*}
	dest=/usr/bin/$(basename "$p")
	case $spec in *=*) dest=${spec#*=} ;; esac
	[ -x "$p" ] || die "$p: not executable"
	mkdir -p "$stage$(dirname "$dest")"
	cp -L "$p" "$stage$dest"
	ldd "$p" >"$stage/ldd" 2>&1 || die "ldd $p: $(cat "$stage/ldd")"
	awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' "$stage/ldd" |
		while read -r lib; do copy_with_path "$lib"; done
	rm -f "$stage/ldd"
done <"$progs_file"

if [ -n "$init" ]; then
	cp "$init" "$stage/init"
	chmod 0755 "$stage/init"
fi

while read -r spec; do
	src=${spec%%=*}
	dest=${spec#*=}
	[ -f "$src" ] || die "$src: no such file"
	mkdir -p "$stage$(dirname "$dest")"
	cp -p "$src" "$stage$dest"
done <"$files_file"

while read -r spec; do
	src=${spec%%=*}
	dest=${spec#*=}
	[ -d "$src" ] || die "$src: no such directory"
	mkdir -p "$stage$dest"
	cp -RL "$src/." "$stage$dest/"
done <"$dirs_file"

tmp="$out.tmp.$$"
(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$tmp"
mv "$tmp" "$out"
