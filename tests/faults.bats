#!/usr/bin/env bats
# Faults the kernel gives, injected with strace (-e inject): each one has
# its documented status and one message (doc/DESIGN.md, "Exit status").
# Skipped, with the reason, where strace is missing or cannot trace.

bats_require_minimum_version 1.5.0

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

# faulted SPEC CMD...: runs CMD (run --separate-stderr) under strace with
# -e inject=SPEC ("process_vm_readv:error=EINTR:when=3+"), bounded by a
# timeout so that a retry loop shows as status 124, not a hung suite.
faulted() {
	local spec=$1
	shift
	run --separate-stderr timeout 60 env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -f -qq -o /dev/null -e trace="${spec%%:*}" -e inject="$spec" "$@"
	echo "$spec: $*: status $status; stdout ${#output} bytes; stderr '$stderr'"
}

# the_program: BIN, the pvmio program itself (not libtool's wrapper, a
# shell script that forks, writes and opens files of its own), and
# LIBENV, the environment it needs to find libpvmio.
the_program() {
	BIN=$PVMIO
	LIBENV=()
	if [[ -x $TOP_BUILDDIR/.libs/pvmio ]]; then
		BIN=$TOP_BUILDDIR/.libs/pvmio
		LIBENV=("LD_LIBRARY_PATH=$TOP_BUILDDIR/src/lib/.libs")
	fi
}

# unless_asan WHY: after the_program, skips in an AddressSanitizer build.
unless_asan() {
	! ldd "$BIN" 2>/dev/null | grep -q libasan || skip "an AddressSanitizer build: $1"
}

# prefix_of PID ADDR: does $output (raw bytes read by pvmio, as hex) equal
# the first bytes of what /proc/PID/mem holds at ADDR?
prefix_hex_of() {
	local n=$((${#output} / 2))
	[ "$output" = "$(mem_hex "$1" "$2" "$n")" ]
}

@test "faults: EINTR from process_vm_readv: once, the read goes on exact; for ever, it stops with exit 4, never spins" {
	start_target --big 8M
	faulted process_vm_readv:error=EINTR:when=2 "$PVMIO" read -f hex "$TPID" "$T_BIG:8M"
	[ "$status" -eq 0 ]
	[ "$output" = "$(mem_hex "$TPID" "$T_BIG" $((8 << 20)))" ]
	faulted process_vm_readv:error=EINTR:when=3+ "$PVMIO" read -f hex "$TPID" "$T_BIG:8M"
	[ "$status" -eq 4 ]
	[[ $stderr =~ ^pvmio:\ read:\ cannot\ read\ 0x[0-9a-f]+:\ Interrupted\ system\ call$ ]]
	# what went out before it is the target's
	[ "${#output}" -gt 0 ] && prefix_hex_of "$TPID" "$T_BIG"
}

@test "faults: EAGAIN, EFAULT mid-range and ESRCH while the process runs: each its status and one honest message" {
	start_target --big 8M
	faulted process_vm_readv:error=EAGAIN:when=3 "$PVMIO" read -f hex "$TPID" "$T_BIG:8M"
	[ "$status" -eq 3 ]
	[[ $stderr =~ ^pvmio:\ read:\ cannot\ read\ 0x[0-9a-f]+:\ Resource\ temporarily\ unavailable$ ]]
	prefix_hex_of "$TPID" "$T_BIG"
	# (once, it is a page pvmio probes again, and reads: every time, a refusal)
	faulted process_vm_readv:error=EFAULT:when=3+ "$PVMIO" read -f hex "$TPID" "$T_BIG:8M"
	[ "$status" -eq 1 ]
	[[ $stderr == *"refused by the kernel; the bytes before it went to stdout"* ]]
	[[ $stderr != *$'\n'* ]]
	prefix_hex_of "$TPID" "$T_BIG"
	# the pidfd, not the errno, says whether the process exited
	faulted process_vm_readv:error=ESRCH:when=3+ "$PVMIO" read -f hex "$TPID" "$T_BIG:8M"
	[ "$status" -eq 3 ]
	[[ $stderr == "pvmio: read: the kernel said process $TPID does not exist (ESRCH) during the read, though it still runs; stopped at 0x"* ]]
	prefix_hex_of "$TPID" "$T_BIG"
	kill -0 "$TPID"
}

# changed_in_big PID: how many bytes of BIG's first 8 MiB differ from
# its pattern (byte i is i & 0xff).
changed_in_big() {
	mem_read "$1" "$T_BIG" $((8 << 20)) | python3 -c '
import sys
d = sys.stdin.buffer.read()
print(sum(1 for i in range(0, len(d), 4096) for j, b in enumerate(d[i:i + 4096]) if b != (i + j) & 0xff))'
}

@test "faults: fill under faulted writes never reports more than it wrote" {
	start_target --big 8M
	local want
	# EFAULT on the first vectored write: exit 1, and the count it gives is what changed
	faulted process_vm_writev:error=EFAULT:when=1 "$PVMIO" fill "$TPID" "$T_BIG:8M" 00
	[ "$status" -eq 1 ]
	[[ $stderr =~ ([0-9]+)\ bytes\ were\ written ]]
	want=${BASH_REMATCH[1]}
	[ "$(changed_in_big "$TPID")" -le "$want" ]
	# EINTR for ever: exit 4, "0 bytes were written", and none were
	faulted process_vm_writev:error=EINTR:when=1+ "$PVMIO" fill "$TPID" "$T_BIG:8M" 00
	[ "$status" -eq 4 ]
	[[ $stderr == *"Interrupted system call; 0 bytes were written"* ]]
	[ "$(changed_in_big "$TPID")" -eq 0 ]
}

@test "faults: a failing write to stdout (EIO, ENOSPC) is exit 4 with the reason" {
	start_target
	# the program itself: libtool's wrapper is a shell script that writes too
	the_program
	faulted write:error=EIO:when=1 env "${LIBENV[@]}" "$BIN" read "$TPID" "$T_PATTERN:64"
	[ "$status" -eq 4 ]
	[ "$stderr" = "pvmio: read: cannot write to stdout: Input/output error" ]
	run --separate-stderr sh -c '"$0" read "$1" "$2" >/dev/full' "$PVMIO" "$TPID" "$T_PATTERN:64"
	[ "$status" -eq 4 ]
	[ "$stderr" = "pvmio: read: cannot write to stdout: No space left on device" ]
}

@test "faults: ptrace failing under --stop: SEIZE refused falls back to SIGSTOP and says why; DETACH failing leaves it running" {
	start_target
	local v
	v=$(mem_hex "$TPID" "$(hex "$T_TYPED + 8")" 4)
	faulted ptrace:error=EPERM:when=1 "$PVMIO" read --stop --verbose -f hex "$TPID" "$T_TYPED+8:4"
	[ "$status" -eq 0 ]
	[ "$output" = "$v" ]
	[[ $stderr == *"ptrace could not attach to process $TPID; stopped it with SIGSTOP instead"* ]]
	wait_until 5 not in_state "$TPID" T
	faulted ptrace:error=ESRCH:when=3+ "$PVMIO" read --stop -f hex "$TPID" "$T_TYPED+8:4"
	[ "$output" = "$v" ]
	# strace has gone too: whatever ptrace said, the target runs
	wait_until 5 not in_state "$TPID" T
	wait_until 5 not in_state "$TPID" t
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
	the_program
	unless_asan "its runtime must be loaded before any LD_PRELOAD shim"
	[[ -f $BATS_FILE_TMPDIR/nomem.so ]] || skip "cannot build the malloc shim with ${CC:-cc}"
	start_target
	local addr=$((T_PATTERN + 0x100)) big
	big=$(printf '%.0sab' {1..30000})
	snapshot "$addr" 4
	local cmd
	for cmd in "write $TPID $addr" "fill $TPID $addr:4" "find $TPID"; do
		# shellcheck disable=SC2086
		run --separate-stderr env "${LIBENV[@]}" NOMEM_ABOVE=20000 \
			LD_PRELOAD="$BATS_FILE_TMPDIR/nomem.so" "$BIN" $cmd "$big"
		echo "$cmd: status $status; stderr '$stderr'"
		[ "$status" -eq 4 ]
		[[ $stderr =~ ^pvmio:\ (write|fill|find):\ out\ of\ memory$ ]]
	done
	untouched
}

@test "faults: out of memory under ulimit -v, from where pvmio can just start upward: each command works or fails with exit 4 saying so; no crash, and never blames the target" {
	the_program
	unless_asan "its shadow memory cannot fit under ulimit -v"
	start_target
	local core="$BATS_TEST_TMPDIR/t.core" err="$BATS_TEST_TMPDIR/err" floor v cmd st runs=0 short=0
	"$PVMIO" core -o "$core" "$TPID"
	# the least address space in which pvmio starts (the loader maps
	# libc, popt and elfutils first), to the nearest 100 KiB
	for ((floor = 2000; floor < 32000; floor += 100)); do
		(ulimit -v $floor && exec env "${LIBENV[@]}" "$BIN" --version) >/dev/null 2>&1 && break
	done
	((floor < 32000)) || skip "pvmio does not start under ulimit -v 32000 KiB here"
	local cmds=(
		"read $TPID heap" "read -f hex $TPID exe:ticks:8" "read -t u64 $TPID libc.so.6:environ"
		"dump $TPID heap" "find $TPID deadbeef" "find -s pvmio $TPID" "maps $TPID" "maps --json $TPID"
		"where $TPID libc.so.6:environ" "core -o $BATS_TEST_TMPDIR/u.core $TPID" "diff $core $TPID"
		"watch --count 1 --for 10ms -t u64 $TPID exe:ticks" "write $TPID $T_TYPED+0x40 01020304"
		"fill $TPID $T_TYPED+0x40:16 5a" "doctor $TPID" "find $core deadbeef" "where $core exe:ticks"
	)
	# 6 MiB upward from there, in 300 KiB steps
	for ((v = floor; v < floor + 6144; v += 300)); do
		for cmd in "${cmds[@]}"; do
			# shellcheck disable=SC2086
			(ulimit -v $v && exec env "${LIBENV[@]}" "$BIN" $cmd) >/dev/null 2>"$err" && st=0 || st=$?
			runs=$((runs + 1))
			case $st in
			0 | 1)
				! grep -q 'no such process\|stripped\|not an ELF\|cut short' "$err" ;;
			4)
				short=$((short + 1))
				[ "$(wc -l <"$err")" -eq 1 ]
				grep -q 'out of memory\|Cannot allocate memory' "$err" ;;
			*)
				false ;;
			esac || {
				echo "ulimit -v $v: pvmio $cmd: status $st: $(cat "$err")"
				return 1
			}
		done
	done
	echo "$runs runs from ${floor} KiB up, $short out of memory (exit 4)"
	# the sweep did press: some runs ran out; and what the last write and
	# fill said they wrote is there
	((short > 0))
	[ "$(mem_hex "$TPID" "$((T_TYPED + 0x40))" 16)" = "$(printf '5a%.0s' {1..16})" ]
}

@test "faults: a process named with terminal escapes, mapping a file whose path has control bytes: no escape reaches the terminal, where's form pastes back, JSON keeps the bytes" {
	local dir="$BATS_TEST_TMPDIR" out="$BATS_TEST_TMPDIR/out"
	# the name: ESC [31m, a newline, BEL; the path: an OSC title escape,
	# BEL, a newline (the kernel shows it as \012), a tab
	cat >"$dir/odd.py" <<'PY'
import ctypes, mmap, os, sys, time
libc = ctypes.CDLL(None)
libc.prctl(15, b"x\x1b[31mred\nz\x07", 0, 0, 0)
libc.prctl(0x59616d61, ctypes.c_ulong(2**64 - 1), 0, 0, 0)
name = os.path.join(sys.argv[1], "f\x1b]0;pwned\x07\n\tq")
with open(name, "wb") as f:
    f.write(bytes(range(256)) * 32)
m = mmap.mmap(os.open(name, os.O_RDONLY), 8192, prot=mmap.PROT_READ)
print("READY", flush=True)
time.sleep(600)
PY
	start_process python3 "$dir/odd.py" "$dir" >"$dir/ready"
	wait_until 10 grep -q READY "$dir/ready"
	local start
	start=0x$(grep -a pwned "/proc/$TPID/maps" | cut -d- -f1)
	# no ESC or BEL byte in any output or message; one line per mapping
	"$PVMIO" maps "$TPID" >"$out" 2>&1
	! grep -aq $'[\x1b\x07]' "$out"
	[ "$(wc -l <"$out")" -eq "$(wc -l <"/proc/$TPID/maps")" ]
	grep -aF 'f\x1b]0;pwned\x07\012\x09q' "$out"
	"$PVMIO" doctor "$TPID" >"$out" 2>&1 || true
	! grep -aq $'[\x1b\x07]' "$out"
	grep -aF 'x\x1b[31mred\nz\x07' "$out"
	"$PVMIO" read "$TPID" nosuch >"$out" 2>&1 && false
	! grep -aq $'[\x1b\x07]' "$out"
	[ "$(wc -l <"$out")" -eq 1 ]
	"$PVMIO" where "$TPID" "$((start + 0x141))" >"$out" 2>&1
	! grep -aq $'[\x1b\x07]' "$out"
	# where's place pastes back into the grammar: the same bytes
	local place
	place=$(awk '{print $3}' "$out")
	[[ $place == '"f\x1b]0;pwned\x07\\012\x09q"+0x141' ]]
	[ "$("$PVMIO" read -f hex "$TPID" "$place:4")" = 41424344 ]
	# JSON escapes them its own way: the name is the kernel's, byte for byte
	"$PVMIO" where --json "$TPID" "$start" >"$out"
	python3 - "$out" "$TPID" <<'PY'
import json, sys
got = json.loads(open(sys.argv[1]).read())["mapping"]
want = next(l.split(None, 5)[5].rstrip("\n") for l in open(f"/proc/{sys.argv[2]}/maps") if "pwned" in l)
assert got == want, (got, want)
PY
}

@test "faults: a kernel that claims no progress (retval=0): read and write stop with exit 1 and say so, never spin; write --verify catches a claimed write that did not land" {
	start_target
	snapshot "$T_TYPED" 8
	faulted process_vm_readv:retval=0:when=1+ "$PVMIO" read -f hex "$TPID" "$T_TYPED:8"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[[ $stderr == *"cannot read $(hex "$T_TYPED")"* ]]
	faulted process_vm_writev:retval=0:when=1+ "$PVMIO" write "$TPID" "$T_TYPED" 01020304
	[ "$status" -eq 1 ]
	[[ $stderr == *"0 bytes were written"* ]]
	# the kernel says 2 bytes went, and none did: --verify reads back
	faulted process_vm_writev:retval=2:when=1+ "$PVMIO" write --verify "$TPID" "$T_TYPED" 05060708
	[ "$status" -eq 1 ]
	[[ $stderr == *"--verify: $(hex "$T_TYPED") holds 0x"*", not the 0x05 written"* ]]
	untouched
}

@test "faults: pidfd_open missing (ENOSYS) falls back to the start time, exact; pvmio out of file descriptors (EMFILE, ulimit -n) is exit 4 naming the limit" {
	start_target
	faulted pidfd_open:error=ENOSYS "$PVMIO" read --verbose -f hex "$TPID" "$T_TYPED:8"
	[ "$status" -eq 0 ]
	[ "$output" = "$(mem_hex "$TPID" "$T_TYPED" 8)" ]
	[[ $stderr == *"no pidfd_open; the process is checked by its start time instead"* ]]
	faulted pidfd_open:error=EMFILE "$PVMIO" write "$TPID" "$T_TYPED" 01
	[ "$status" -eq 4 ]
	[ "$stderr" = "pvmio: write: cannot open process $TPID: Too many open files (pvmio's own limit: see ulimit -n)" ]
	# the real thing: the program itself (libtool's wrapper needs pipes),
	# with stdin, stdout, stderr and one descriptor more (bats's 3 closed)
	the_program
	run --separate-stderr sh -c 'exec 3>&- && ulimit -n 4 && exec "$@"' sh env "${LIBENV[@]}" "$BIN" read -f hex "$TPID" "$T_TYPED:8"
	echo "ulimit -n 4: status $status; stderr $stderr"
	[ "$status" -eq 4 ]
	[[ $stderr == *"Too many open files (pvmio's own limit: see ulimit -n)" ]]
}

# A write past `ulimit -f` (RLIMIT_FSIZE; bash's unit is 1 KiB, dash's
# 512 bytes) would end pvmio by SIGXFSZ without
# a word, and from read-ahead's second thread it would not: pvmio ignores
# the signal, so every thread's write fails with EFBIG, said in words.
@test "faults: a write past ulimit -f (read and dump into a file, core -o) is exit 4, 'File too large'; no core file is left" {
	start_target --big 8M
	local f="$BATS_TEST_TMPDIR/out" cmd
	the_program
	for cmd in read dump; do
		run --separate-stderr bash -c 'ulimit -f 1024 && exec "$@" >"$0"' "$f" env "${LIBENV[@]}" "$BIN" $cmd "$TPID" "$T_BIG:8M"
		echo "$cmd: status $status; stderr $stderr"
		[ "$status" -eq 4 ]
		[ "$stderr" = "pvmio: $cmd: cannot write to stdout: File too large" ]
		[ "$(stat -c %s "$f")" -eq $((1 << 20)) ]
	done
	run --separate-stderr bash -c 'ulimit -f 1024 && exec "$@"' bash env "${LIBENV[@]}" "$BIN" core -o "$f.core" "$TPID"
	echo "core: status $status; stderr $stderr"
	[ "$status" -eq 4 ]
	[ "$stderr" = "pvmio: core: cannot write the core file to $f.core: File too large" ]
	[ ! -e "$f.core" ]
	[ -z "$(find "$BATS_TEST_TMPDIR" -maxdepth 1 -name '.pvmio-core-*')" ]
}
