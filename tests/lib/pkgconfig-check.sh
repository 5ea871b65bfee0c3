#!/bin/sh
# Builds a small program against the INSTALLED libpvmio, found the way a
# user's program finds it (pkg-config --cflags --libs pvmio), and runs it:
# it reads its own memory through pvmio_pread and pvmio_fopen and checks
# that the libpvmio it runs with is the installed one.
#
#   tests/lib/pkgconfig-check.sh PREFIX [LIBDIR]
#
# PREFIX is where `make install` put it (with any DESTDIR in front);
# LIBDIR defaults to PREFIX/lib.  CC, CFLAGS and PKG_CONFIG are honoured.
# Exits 0 on success, 1 on failure.
set -eu

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: $0 PREFIX [LIBDIR]" >&2
	exit 1
fi
prefix=$1
libdir=${2:-$prefix/lib}
: "${CC:=cc}" "${CFLAGS:=}" "${PKG_CONFIG:=pkg-config}"

fail() {
	echo "pkgconfig-check: $*" >&2
	exit 1
}

[ -f "$libdir/pkgconfig/pvmio.pc" ] || fail "no $libdir/pkgconfig/pvmio.pc"
[ -f "$prefix/include/pvmio.h" ] || fail "no $prefix/include/pvmio.h"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pvmio-pc.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

# The .pc file names the configured prefix; under a DESTDIR staging area
# the files are elsewhere, so let pkg-config derive the prefix from where
# the .pc file lies (exactly the configured prefix when there is no
# DESTDIR).
export PKG_CONFIG_PATH="$libdir/pkgconfig"
flags=$($PKG_CONFIG --define-prefix --cflags --libs pvmio) ||
	fail "$PKG_CONFIG --cflags --libs pvmio failed"
echo "pkg-config --cflags --libs pvmio: $flags"

cat >"$tmp/use.c" <<'EOF'
#define _GNU_SOURCE
#include <pvmio.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int failed;

static void check(int ok, const char *what)
{
	printf("%s - %s\n", ok ? "ok" : "not ok", what);
	if (!ok)
		failed = 1;
}

int main(void)
{
	static const char secret[] = "pvmio, installed";
	char buf[sizeof secret];
	struct pvmio *h = NULL;

	check(pvmio_open(getpid(), 0, &h) == 0, "pvmio_open(getpid())");
	if (!h)
		return 1;
	memset(buf, 0, sizeof buf);
	check(pvmio_pread(h, buf, sizeof buf, (uint64_t)(uintptr_t)secret) == (ssize_t)sizeof buf,
	      "pvmio_pread");
	check(memcmp(buf, secret, sizeof buf) == 0, "pvmio_pread read our own bytes");
	check(pvmio_pread(h, buf, 1, 0) == -EFAULT, "-EFAULT at address 0");

	/* Which libpvmio is this?  The mapping that holds pvmio_open. */
	struct pvmio_maps *m = NULL;
	check(pvmio_maps_read(h, &m) == 0, "pvmio_maps_read");
	if (m) {
		const struct pvmio_mapping *v = pvmio_maps_lookup(m, (uint64_t)(uintptr_t)pvmio_open);
		if (v && v->start <= (uint64_t)(uintptr_t)pvmio_open)
			printf("library: %s\n", v->name);
		pvmio_maps_free(m);
	}
	pvmio_close(h);

	FILE *f = pvmio_fopen(getpid(), "r");
	check(f != NULL, "pvmio_fopen(getpid(), \"r\")");
	if (!f)
		return 1;
	memset(buf, 0, sizeof buf);
	check(fseeko(f, (off_t)(uintptr_t)secret, SEEK_SET) == 0, "fseeko");
	check(ftello(f) == (off_t)(uintptr_t)secret, "ftello is the address");
	check(fread(buf, 1, sizeof buf, f) == sizeof buf, "fread");
	check(memcmp(buf, secret, sizeof buf) == 0, "fread read our own bytes");
	check(fclose(f) == 0, "fclose");
	return failed;
}
EOF

# shellcheck disable=SC2086 # the flags are words
$CC $CFLAGS -D_FILE_OFFSET_BITS=64 -o "$tmp/use" "$tmp/use.c" $flags ||
	fail "cannot build against the installed library"
out=$(LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$tmp/use") || {
	printf '%s\n' "$out"
	fail "the program failed"
}
printf '%s\n' "$out"

# It must have run with the installed library, not another copy.
lib=$(printf '%s\n' "$out" | sed -n 's/^library: //p')
[ -n "$lib" ] || fail "cannot tell which libpvmio was loaded"
real_libdir=$(cd "$libdir" && pwd -P)
case $(cd "$(dirname "$lib")" && pwd -P) in
"$real_libdir") ;;
*) fail "loaded $lib, not the one in $libdir" ;;
esac
echo "pkgconfig-check: ok ($lib)"
