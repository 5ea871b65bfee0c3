#!/usr/bin/env bats
# Faults the kernel gives, injected with strace (-e inject): each one has
# its documented status and one message (doc/DESIGN.md, "Exit status").
# Skipped, with the reason, where strace is missing or cannot trace.

load helper

setup_file() {
	# A malloc shim whose realloc fails above NOMEM_ABOVE bytes, in pvmio
	# only (not in libtool's bash wrapper, nor popt's argument copies).
	cat >"$BATS_FILE_TMPDIR/nomem.c" <<'C'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
void *realloc(void *p, size_t n)
{
	static void *(*real)(void *, size_t);
	if (!real)
		real = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
	const char *above = getenv("NOMEM_ABOVE");
	if (above && strcmp(program_invocation_short_name, "bash") != 0 && n > strtoul(above, NULL, 0)) {
		errno = ENOMEM;
		return NULL;
	}
	return real(p, n);
}
C
	${CC:-cc} -shared -fPIC -o "$BATS_FILE_TMPDIR/nomem.so" "$BATS_FILE_TMPDIR/nomem.c" -ldl || true
}

setup() {
	[[ $BATS_TEST_DESCRIPTION == *"out of memory"* ]] && return
	command -v strace >/dev/null || skip "strace is not installed"
	strace -f -qq -o /dev/null true 2>/dev/null || skip "strace cannot trace here"
}

# injected SYSCALL ERRNO CMD...: runs CMD (run --separate-stderr) under
# strace, every SYSCALL of it failing with ERRNO.
injected() {
	local call=$1 err=$2
	shift 2
	# LeakSanitizer cannot run under ptrace: off here, in a sanitizer build
	run --separate-stderr env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -f -qq -o /dev/null -e trace="$call" -e inject="$call:error=$err" "$@"
	echo "$call=$err: $*: status $status; stdout '$output'; stderr '$stderr'"
}

@test "faults: a kernel without cross-memory attach (ENOSYS): write says so, suggests --force, writes nothing, exit 1" {
	start_target
	local addr=$((T_PATTERN + 0x100))
	snapshot "$addr" 4
	injected process_vm_writev ENOSYS "$PVMIO" write "$TPID" "$addr" 01020304
	[ "$status" -eq 1 ]
	[[ $stderr =~ ^pvmio:\ write:\ cannot\ write\ .*no\ cross-memory\ attach.*0\ bytes\ were\ written.*--force ]]
	[[ $stderr != *$'\n'* ]]
	untouched
	# --force goes through /proc/PID/mem, which the fault does not touch
	injected process_vm_writev ENOSYS "$PVMIO" write --force "$TPID" "$addr" 01020304
	[ "$status" -eq 0 ]
	mem_is "$TPID" "$addr" 01020304
}

@test "faults: ENOSYS on reads: read, dump and find say so and suggest --force, exit 1; --force reads" {
	start_target
	local cmd
	for cmd in read dump; do
		injected process_vm_readv ENOSYS "$PVMIO" "$cmd" "$TPID" "$T_PATTERN:16"
		[ "$status" -eq 1 ]
		[[ $stderr =~ no\ cross-memory\ attach.*--force ]]
		[[ $stderr != *$'\n'* ]]
	done
	injected process_vm_readv ENOSYS "$PVMIO" find "$TPID" deadbeef "$T_PATTERN:64"
	[ "$status" -eq 1 ]
	[[ $stderr =~ no\ cross-memory\ attach.*--force ]]
	injected process_vm_readv ENOSYS "$PVMIO" read --force -f hex "$TPID" "$T_PATTERN:16"
	[ "$status" -eq 0 ]
	[ "$output" = "$(mem_hex "$TPID" "$T_PATTERN" 16)" ]
}

@test "faults: ENOMEM from the kernel ends a read with exit 4, never as unreadable bytes" {
	start_target
	injected process_vm_readv ENOMEM "$PVMIO" read -f hex "$TPID" "$T_PATTERN:16"
	[ "$status" -eq 4 ]
	[ -z "$output" ]
	[[ $stderr =~ ^pvmio:\ read:\ cannot\ read\ .*memory ]]
	[[ $stderr != *unreadable* && $stderr != *$'\n'* ]]
	injected process_vm_readv ENOMEM "$PVMIO" dump "$TPID" "$T_PATTERN:16"
	[ "$status" -eq 4 ]
	[[ $stderr != *unreadable* ]]
}

@test "faults: EPERM mid-job is a denial (exit 3) with its advice, for read and write" {
	start_target
	injected process_vm_readv EPERM "$PVMIO" read -f hex "$TPID" "$T_PATTERN:16"
	[ "$status" -eq 3 ]
	[[ $stderr =~ ^pvmio:\ read:\ permission\ denied\ for\ process\ $TPID.*CAP_SYS_PTRACE ]]
	local addr=$((T_PATTERN + 0x100))
	snapshot "$addr" 4
	injected process_vm_writev EPERM "$PVMIO" write "$TPID" "$addr" 01020304
	[ "$status" -eq 3 ]
	[[ $stderr =~ ^pvmio:\ write:\ permission\ denied\ for\ process\ $TPID.*CAP_SYS_PTRACE ]]
	untouched
}

@test "faults: out of memory while parsing the data is exit 4, saying so, nothing written" {
	# the program itself, not libtool's wrapper, whose ls would fail too
	local bin=$PVMIO libs=
	if [[ -x $TOP_BUILDDIR/.libs/pvmio ]]; then
		bin=$TOP_BUILDDIR/.libs/pvmio
		libs=$TOP_BUILDDIR/src/lib/.libs
	fi
	! ldd "$bin" 2>/dev/null | grep -q libasan ||
		skip "an AddressSanitizer build: its runtime must be loaded before any LD_PRELOAD shim"
	[[ -f $BATS_FILE_TMPDIR/nomem.so ]] || skip "cannot build the malloc shim with ${CC:-cc}"
	start_target
	local addr=$((T_PATTERN + 0x100)) big
	big=$(printf '%.0sab' {1..30000})
	snapshot "$addr" 4
	local cmd
	for cmd in "write $TPID $addr" "fill $TPID $addr:4" "find $TPID"; do
		# shellcheck disable=SC2086
		run --separate-stderr env ${libs:+LD_LIBRARY_PATH=$libs} NOMEM_ABOVE=20000 \
			LD_PRELOAD="$BATS_FILE_TMPDIR/nomem.so" "$bin" $cmd "$big"
		echo "$cmd: status $status; stderr '$stderr'"
		[ "$status" -eq 4 ]
		[[ $stderr =~ ^pvmio:\ (write|fill|find):\ out\ of\ memory$ ]]
	done
	untouched
}
