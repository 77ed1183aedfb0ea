#!/bin/sh
# Install kesu's .deb into a clean root that holds only what it declares it
# needs, and run it there.
#
#   iso/deb-test.sh KESU.deb
#
# The root gets the files and dpkg status entries of the package's Depends and
# of their dependencies, recursively, taken from this machine's installed
# packages (nothing is downloaded). `dpkg --root` then installs the .deb,
# which fails if a declared dependency is missing, and `kesu --version` and
# `kesu list` run in a chroot of it (with /proc, /sys and /dev bound): a
# library the package links but does not declare makes them fail.
# Prints "deb-test: ok|FAIL ..." lines. Exit 0, 1 on a failure, 77 (SKIP) when
# not root or dpkg is missing.
set -eu

deb=${1:?usage: deb-test.sh KESU.deb}
[ -f "$deb" ] || { echo "deb-test: no $deb" >&2; exit 1; }
deb=$(cd "$(dirname "$deb")" && pwd)/$(basename "$deb")
skip() { echo "deb-test: SKIP: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "not root (chroot and dpkg --root need it)"
command -v dpkg >/dev/null && command -v dpkg-query >/dev/null || skip "no dpkg"

root=$(mktemp -d "${TMPDIR:-/tmp}/kesu-deb-root.XXXXXX")
mounted=""
cleanup() {
	for m in $mounted; do umount "$root/$m" 2>/dev/null || umount -l "$root/$m" 2>/dev/null || true; done
	rm -rf "$root"
}
trap cleanup EXIT INT TERM
failures=0
fail() { echo "deb-test: FAIL $*"; failures=$((failures + 1)); }
ok() { echo "deb-test: ok $*"; }

# The package names in a Depends field: the first installed one of each
# alternative, versions dropped.
names() {
	echo "$1" | tr ',' '\n' | while read -r alt; do
		[ -n "$alt" ] || continue
		echo "$alt" | tr '|' '\n' | sed 's/(.*)//; s/:any//; s/[[:space:]]//g' | while read -r p; do
			if dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed'; then
				echo "$p"
				break
			fi
		done
	done
}

todo=$(names "$(dpkg-deb -f "$deb" Depends)")
seen=" "
while [ -n "$todo" ]; do
	next=""
	for p in $todo; do
		case $seen in *" $p "*) continue ;; esac
		seen="$seen$p "
		next="$next $(names "$(dpkg-query -W -f='${Depends}, ${Pre-Depends}' "$p")")"
	done
	todo=$(echo "$next" | tr ' ' '\n' | sort -u | tr '\n' ' ' | sed 's/^ *//; s/ *$//')
	# stop when nothing new
	new=""
	for p in $todo; do case $seen in *" $p "*) ;; *) new="$new $p" ;; esac; done
	todo=$new
done

mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/proc" "$root/sys" "$root/dev" "$root/tmp"
: >"$root/var/lib/dpkg/available"
: >"$root/var/lib/dpkg/status"
# Debian's merged /usr: /lib, /bin, /sbin, /lib64 are links into /usr.
for l in bin sbin lib lib64; do
	if [ -L "/$l" ]; then
		mkdir -p "$root/usr/$l"
		ln -s "$(readlink "/$l")" "$root/$l"
	fi
done
n=0
for p in $seen; do
	dpkg-query -s "$p" >>"$root/var/lib/dpkg/status"
	echo >>"$root/var/lib/dpkg/status"
	n=$((n + 1))
done
# shellcheck disable=SC2086
dpkg-query -L $seen 2>/dev/null | grep '^/.' | LC_ALL=C sort -u >"$root/tmp/files"
tar -C / --no-recursion -cf - -T "$root/tmp/files" 2>/dev/null |
	tar -C "$root" --keep-directory-symlink -xf -
echo "deb-test: a root of $n packages (the declared dependencies, recursively), $(du -sm "$root" | cut -f1) MiB"

if dpkg --root="$root" --force-not-root --log=/dev/null -i "$deb" >"$root/tmp/dpkg.log" 2>&1; then
	ok "dpkg --root installs $(basename "$deb"): its dependencies are satisfied"
else
	fail "dpkg --root -i: $(tail -5 "$root/tmp/dpkg.log")"
fi
dpkg --root="$root" -s kesu 2>/dev/null | grep -q '^Status: install ok installed' &&
	ok "dpkg --root says kesu is installed" || fail "kesu is not installed in the root"

for m in proc sys dev; do
	mount --bind "/$m" "$root/$m" && mounted="$m $mounted"
done
if v=$(chroot "$root" /usr/sbin/kesu --version 2>&1); then
	ok "kesu --version in the root: $v"
else
	fail "kesu --version in the root: $v"
fi
if chroot "$root" /usr/sbin/kesu list >"$root/tmp/list.out" 2>&1; then
	ok "kesu list in the root: $(grep -c . "$root/tmp/list.out") lines ($(head -1 "$root/tmp/list.out" | cut -c1-60))"
else
	fail "kesu list in the root: $(head -3 "$root/tmp/list.out")"
fi
for f in /usr/share/kesu/labels/drive-ql62.json /usr/share/kesu/reports/completion.json /usr/share/man/man8/kesu-wipe.8.gz; do
	[ -f "$root$f" ] && ok "installed: $f" || fail "not installed: $f"
done
[ $failures -eq 0 ] || { echo "deb-test: $failures check(s) failed"; exit 1; }
echo "deb-test: all passed"
