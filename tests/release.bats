#!/usr/bin/env bats
# The release's promises: libpvmio exports exactly the symbols of
# src/lib/libpvmio.map, each with its version; the header's version, the
# library's, the tool's and configure's agree; CHANGELOG.md has the
# version's section.  (The tarball's reproducibility is checked by
# .ci/run: it needs two `make dist` runs, not a test inside make check.)

bats_require_minimum_version 1.5.0

load helper

setup() {
	: "${TOP_BUILDDIR:?run the suites through make check}"
	SRC=${TESTS_DIR%/tests}
	LIB=$TOP_BUILDDIR/src/lib/.libs/libpvmio.so
	[ -e "$LIB" ] || skip "no shared library was built (--disable-shared)"
	command -v nm >/dev/null || skip "nm (binutils) is not installed"
}

# configure's version, as config.h has it.
configured_version() {
	sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$TOP_BUILDDIR/config.h"
}

# The version script's global symbols, sorted.
mapped_symbols() {
	sed -n '/global:/,/local:/p' "$SRC/src/lib/libpvmio.map" | grep -o 'pvmio_[a-z_0-9]*' | sort
}

@test "abi: the library exports exactly the symbols of libpvmio.map, no symbol missing or extra" {
	nm -D --defined-only "$LIB" | awk '$2 ~ /^[TDBRVW]$/ { print $3 }' | sed 's/@.*//' | sort >"$BATS_TEST_TMPDIR/exported"
	mapped_symbols >"$BATS_TEST_TMPDIR/mapped"
	echo "exported $(wc -l <"$BATS_TEST_TMPDIR/exported"), listed $(wc -l <"$BATS_TEST_TMPDIR/mapped")"
	diff "$BATS_TEST_TMPDIR/mapped" "$BATS_TEST_TMPDIR/exported"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/mapped")" -ge 29 ]
}

@test "abi: every export carries the version pvmio_1.0, and the soname is libpvmio.so.1" {
	command -v objdump >/dev/null || skip "objdump (binutils) is not installed"
	grep -q -- '--version-script' "$TOP_BUILDDIR/Makefile" || skip "the linker takes no version script here"
	objdump -T "$LIB" | awk '/ pvmio_/ && !/\*ABS\*/ && $NF ~ /^pvmio_/ { print $(NF - 1), $NF }' >"$BATS_TEST_TMPDIR/versions"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/versions")" -eq "$(mapped_symbols | wc -l)" ]
	! grep -v '^pvmio_1\.0 ' "$BATS_TEST_TMPDIR/versions"
	objdump -p "$LIB" | grep -qE 'SONAME +libpvmio\.so\.1$'
}

@test "abi: every exported function is declared in pvmio.h and has a man page" {
	local s
	for s in $(mapped_symbols); do
		grep -qE "[ *]$s\(" "$SRC/src/lib/pvmio.h" || { echo "$s is not in pvmio.h"; return 1; }
		[ -f "$SRC/man/$s.3" ] || { echo "$s has no man/$s.3"; return 1; }
	done
}

@test "version: pvmio.h, configure, pvmio --version and the running libpvmio agree" {
	local v major minor patch
	v=$(configured_version)
	[[ $v =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]
	IFS=. read -r major minor patch <<<"$v"
	local h=$SRC/src/lib/pvmio.h
	grep -qx "#define PVMIO_VERSION_MAJOR $major" "$h"
	grep -qx "#define PVMIO_VERSION_MINOR $minor" "$h"
	grep -qx "#define PVMIO_VERSION_PATCH $patch" "$h"
	grep -qx "#define PVMIO_VERSION \"$v\"" "$h"
	run --separate-stderr "$PVMIO" --version
	[ "$status" -eq 0 ]
	[ "$output" = "pvmio $v"$'\n'"libpvmio $v" ]
	grep -qx "Version: $v" "$TOP_BUILDDIR/src/lib/pvmio.pc"
}

@test "version: CHANGELOG.md has a section for this version, in Keep a Changelog form" {
	local v
	v=$(configured_version)
	grep -qE "^## \[$v\]( - ([0-9]{4}-[0-9]{2}-[0-9]{2}|Unreleased))?$" "$SRC/CHANGELOG.md"
	grep -qE '^## \[0\.1\.0\] - [0-9]{4}-[0-9]{2}-[0-9]{2}$' "$SRC/CHANGELOG.md"
	grep -q 'keepachangelog.com' "$SRC/CHANGELOG.md"
	grep -q 'semver.org' "$SRC/CHANGELOG.md"
}

@test "install: the completion directories lie under the prefix (a non-root --prefix keeps them out of /usr)" {
	local prefix datadir var dir
	prefix=$(sed -n 's/^prefix = //p' "$TOP_BUILDDIR/Makefile")
	[ -n "$prefix" ]
	for var in bashcompdir zshcompdir fishcompdir; do
		dir=$(sed -n "s/^$var = //p" "$TOP_BUILDDIR/Makefile")
		echo "$var = $dir (prefix $prefix)"
		# as configure leaves it: under ${datadir} or ${prefix}, or an absolute path under the prefix,
		# or a path given with --with-*-completion-dir (distcheck's staging directory)
		if grep -q -- "--with-${var%compdir}-completion-dir" "$TOP_BUILDDIR/config.log"; then
			continue
		fi
		[[ $dir == '${datadir}'/* || $dir == '${prefix}'/* || $dir == "$prefix"/* ]]
	done
}
