#!/usr/bin/env bats
# Safety (doc/DESIGN.md, "Exit status" and "Kernel facts the code relies
# on"; the manual's SAFETY): the pinned pid, messages in words for a
# denied, dead or zombie process and for unreadable memory, no options
# from the environment, no setuid.

bats_require_minimum_version 1.5.0
load helper

# gdb_pvmio ARGS...: runs pvmio under gdb (through libtool when $PVMIO is
# its wrapper script); the extra gdb commands come from GDB_CMDS.
gdb_pvmio() {
	local -a pre=()
	if head -c 2 "$PVMIO" | grep -q '#!' && [[ -x $TOP_BUILDDIR/libtool ]]; then
		pre=("$TOP_BUILDDIR/libtool" --mode=execute)
	fi
	# LeakSanitizer cannot work under ptrace: a sanitizer build would fail.
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		"${pre[@]}" gdb -nx -q -batch -ex 'set breakpoint pending on' "${GDB_CMDS[@]}" --args "$PVMIO" "$@"
}

# killed_mid_stream COMMAND: runs `pvmio COMMAND` over 512 MiB into a
# reader that takes a first block (so pvmio is at work) and then waits;
# the target is killed there.  pvmio must exit 3 with one line saying so.
killed_mid_stream() {
	start_target --big 512M
	local fifo=$BATS_TEST_TMPDIR/out.fifo gate=$BATS_TEST_TMPDIR/gate started=$BATS_TEST_TMPDIR/started
	mkfifo "$fifo"
	(head -c 4096 >"$started"; wait_until 600 test -e "$gate"; cat >/dev/null) <"$fifo" 3>&- &
	local reader=$!
	"$PVMIO" "$1" "$TPID" "$T_BIG:512M" >"$fifo" 2>"$BATS_TEST_TMPDIR/err" &
	local pv=$!
	wait_until 30 nonempty "$started"
	kill -KILL "$TPID"
	touch "$gate"
	local st=0
	wait "$pv" || st=$?
	wait "$reader" || true
	cat "$BATS_TEST_TMPDIR/err"
	[ "$st" -eq 3 ]
	grep -q "^pvmio: $1: .*process $TPID exited" "$BATS_TEST_TMPDIR/err"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/err")" -eq 1 ]
}

@test "read: a target killed during a long read is exit 3, which says it exited" {
	killed_mid_stream read
}

@test "dump: a target killed during a long dump is exit 3, which says it exited" {
	killed_mid_stream dump
}

# gdb stops pvmio at its second write batch; the target is killed there.
@test "fill: a target killed during a long fill is exit 3, which says it exited and nothing more is written" {
	command -v gdb >/dev/null || skip "gdb is not installed"
	start_target --big 512M
	GDB_CMDS=(-ex 'break process_vm_writev' -ex run -ex continue -ex "shell kill -KILL $TPID" -ex delete -ex continue)
	run gdb_pvmio fill "$TPID" "$T_BIG:512M" 5a
	echo "$output"
	# Two stops: a second batch (or, in a sanitizer build, the interceptor
	# and then libc for the first).
	[[ $output =~ Breakpoint\ 1(\.[0-9]+)?,\ .*Breakpoint\ 1(\.[0-9]+)?,\  ]]
	[[ $output == *"exited with code 03]"* ]]
	[[ $output == *"pvmio: fill: process $TPID exited"*"nothing more"* ]]
}

@test "write -i: a target killed during a long write is exit 3, which says it exited" {
	command -v gdb >/dev/null || skip "gdb is not installed"
	start_target --big 512M
	head -c $((64 << 20)) /dev/zero >"$BATS_TEST_TMPDIR/data"
	GDB_CMDS=(-ex 'break process_vm_writev' -ex run -ex "shell kill -KILL $TPID" -ex delete -ex continue)
	run gdb_pvmio write -i "$BATS_TEST_TMPDIR/data" "$TPID" "$T_BIG"
	echo "$output"
	[[ $output == *"exited with code 03]"* ]]
	[[ $output == *"pvmio: write: "*"process $TPID exited"* ]]
}

@test "processes: one that is gone is exit 3, no such process" {
	start_target
	local pid=$TPID
	stop_targets
	refused 3 "$PVMIO" read "$pid" 0x1000:1
	[[ $stderr == *"no such process"*"$pid"* ]]
}

@test "processes: a zombie is exit 3 for read, maps, write and find, which say it is a zombie" {
	python3 -c '
import os, sys, time
pid = os.fork()
if pid == 0:
    os._exit(0)
print(pid, flush=True)
time.sleep(600)' >"$BATS_TEST_TMPDIR/zombie" &
	TARGET_PIDS+=("$!")
	wait_until 30 nonempty "$BATS_TEST_TMPDIR/zombie"
	local z
	z=$(cat "$BATS_TEST_TMPDIR/zombie")
	wait_until 30 in_state "$z" Z
	grep -q '^State:.*Z' "/proc/$z/status"
	for cmd in "read $z 0x1000:1" "maps $z" "write $z 0x1000 00" "find $z 00"; do
		refused 3 "$PVMIO" $cmd
		[[ $stderr == *"$z"*zombie* ]]
	done
}

@test "permissions: nobody against a root target is denied; the message names the owner and CAP_SYS_PTRACE" {
	as_nobody
	start_target
	fails 3 '^pvmio: read: ' "${NOBODY[@]}" "$NOBODY_PVMIO" read "$TPID" "$T_PATTERN:16"
	[[ $stderr == *"permission denied"*"$TPID"* ]]
	[[ $stderr == *"root"* ]]
	[[ $stderr == *"CAP_SYS_PTRACE"* ]]
	[[ $stderr == *"runs as uid 0/0/0"*"pvmio as uid 65534"*"as that user"* ]]
	if [[ -r /proc/sys/kernel/yama/ptrace_scope ]]; then
		[[ $stderr == *"ptrace_scope is $(cat /proc/sys/kernel/yama/ptrace_scope)"* ]]
	fi
}

@test "permissions: denied for write, fill, maps and --stop too" {
	as_nobody
	start_target
	local before
	before=$(mem_hex "$TPID" "$T_ZERO" 4)
	for cmd in "write $TPID $T_ZERO deadbeef" "fill $TPID $T_ZERO:4 ff" "maps $TPID" \
		"read --stop $TPID $T_PATTERN:4"; do
		fails 3 'permission denied.*root.*CAP_SYS_PTRACE' "${NOBODY[@]}" "$NOBODY_PVMIO" $cmd
	done
	[ "$(mem_hex "$TPID" "$T_ZERO" 4)" = "$before" ]
}

@test "read: of the PROT_NONE page, the message names the address and the mapping (---p)" {
	start_target
	refused 1 "$PVMIO" read "$TPID" "$T_NONE:16"
	[[ $stderr == *"$(hex "$T_NONE")"* ]]
	[[ $stderr == *"---p"* ]]
	# The mapping around it: the page's own span.
	[[ $stderr == *"$(hex "$T_NONE")..$(hex $((T_NONE + T_PAGE)))"* ]]
}

@test "read: of an unmapped address, the message says not mapped and what is around" {
	start_target
	refused 1 "$PVMIO" read "$TPID" "$T_HOLE:16"
	[[ $stderr == *"$(hex "$T_HOLE")"*"not mapped"* ]]
	# The gap: PATTERN ends at the hole, AFTER begins after it.
	[[ $stderr == *"$(hex "$T_HOLE")"*"$(hex "$T_AFTER")"* ]]
}

@test "read: running into the hole, the message names the first unreadable address" {
	start_target
	run --separate-stderr "$PVMIO" read "$TPID" "$T_PATTERN:$((2 * T_PAGE + 16))"
	[ "$status" -eq 1 ]
	[[ $stderr == "pvmio: read: "*"$(hex "$T_HOLE")"*"not mapped"* ]]
}

@test "write: to the read-only page, the message names the address and r--p" {
	start_target
	refused 1 "$PVMIO" write "$TPID" "$T_RO" 00
	[[ $stderr == *"$(hex "$T_RO")"*"r--p"* ]]
	[ "$(mem_hex "$TPID" "$T_RO" 1)" = 5a ]
}

@test "write, fill: the PROT_NONE page and the hole, the message names the address and mapping" {
	start_target
	refused 1 "$PVMIO" write "$TPID" "$T_NONE" 00
	[[ $stderr == *"$(hex "$T_NONE")"*"---p"* ]]
	refused 1 "$PVMIO" fill "$TPID" "$T_HOLE:16" 00
	[[ $stderr == *"$(hex "$T_HOLE")"*"not mapped"* ]]
}

@test "options: a ~/.popt alias file changes nothing" {
	start_target
	local home=$BATS_TEST_TMPDIR/home
	mkdir -p "$home"
	# Would rename --length to mean --format=hex, and add a -X option.
	local app
	for app in pvmio read pvmio-read; do
		printf '%s alias --length --format=hex\n%s alias -X --format=hex\n%s alias --hexy --format=hex\n' \
			"$app" "$app" "$app"
	done >"$home/.popt"
	# Raw bytes, as --length means: not the alias's hex.
	run env HOME="$home" "$PVMIO" read --length 16 "$TPID" "$T_PATTERN"
	[ "$status" -eq 0 ]
	cmp <(env HOME="$home" "$PVMIO" read --length 16 "$TPID" "$T_PATTERN") \
		<(mem_read "$TPID" "$T_PATTERN" 16)
	fails 2 '^pvmio: read: ' env HOME="$home" "$PVMIO" read -X "$TPID" "$T_PATTERN:16"
	fails 2 '^pvmio: read: ' env HOME="$home" "$PVMIO" read --hexy "$TPID" "$T_PATTERN:16"
}

@test "options: with POSIXLY_CORRECT or POSIX_ME_HARDER, options after the positionals still work" {
	start_target
	local want
	want=$(mem_hex "$TPID" "$T_PATTERN" 16)
	local var
	for var in POSIXLY_CORRECT POSIX_ME_HARDER; do
		run --separate-stderr env "$var=1" "$PVMIO" read "$TPID" "$T_PATTERN:16" -f hex
		[ "$status" -eq 0 ]
		[ "$(tr -d ' \n' <<<"$output")" = "$want" ]
		run --separate-stderr env "$var=1" "$PVMIO" write "$TPID" "$T_ZERO" 0102 --verify
		[ "$status" -eq 0 ]
		[ "$(mem_hex "$TPID" "$T_ZERO" 2)" = 0102 ]
	done
}

@test "install: the binary is not setuid or setgid, and install sets no such bits" {
	local -a bins=("$PVMIO")
	local d
	d=$(dirname "$PVMIO")
	local f
	for f in "$d/.libs/pvmio" "$d/.libs/lt-pvmio"; do
		[[ -e $f ]] && bins+=("$f")
	done
	for f in "${bins[@]}"; do
		[ ! -u "$f" ]
		[ ! -g "$f" ]
	done
	if [[ -f $TOP_BUILDDIR/Makefile ]]; then
		! grep -En 'chmod[^#]*([ugoa]*\+[rwx]*s|[^0-9][2-7][0-7]{3}\b)' "$TOP_BUILDDIR/Makefile"
		! grep -En 'INSTALL[A-Z_]*[^#]*-m *[2-7][0-7]{3}' "$TOP_BUILDDIR/Makefile"
	fi
}

# --- processes that are not what they seem -----------------------------------

@test "processes: whose main thread called pthread_exit, every command works by its pid and by a worker's tid" {
	start_target --threads 2 --leader-exit 1
	wait_until 4 in_state "$TPID" Z
	grep -q '^State:.*Z' "/proc/$TPID/status"
	local worker
	worker=$(ls "/proc/$TPID/task" | grep -vx "$TPID" | head -n 1)
	[ -n "$worker" ]
	local want
	want=$(mem_hex "$worker" "$T_PATTERN" 16)
	local pid
	for pid in "$TPID" "$worker"; do
		run --separate-stderr "$PVMIO" read -f hex "$pid" "$T_PATTERN:16"
		echo "read $pid: $status $stderr"
		[ "$status" -eq 0 ]
		[ "$output" = "$want" ]
		run --separate-stderr "$PVMIO" read --stop -f hex "$pid" "$T_PATTERN:16"
		[ "$status" -eq 0 ]
		[ "$output" = "$want" ]
		run --separate-stderr "$PVMIO" dump "$pid" "$T_PATTERN:16"
		[ "$status" -eq 0 ]
		[ "$output" = "$(TPID=$worker ref_xxd "$T_PATTERN" 16)" ]
		run --separate-stderr "$PVMIO" maps "$pid" heap
		[ "$status" -eq 0 ]
		[[ $output == *"[heap]"* ]]
		run --separate-stderr "$PVMIO" find "$pid" "${want:0:16}" "$T_PATTERN:64"
		[ "$status" -eq 0 ]
		[ "$output" = "$(hex "$T_PATTERN")" ]
		local at=$((T_ZERO + 16 + pid % 64 * 8))
		run --separate-stderr "$PVMIO" write --stop "$pid" "$at" "$(printf '%08x' "$pid")"
		[ "$status" -eq 0 ]
		[ "$(mem_hex "$worker" "$at" 4)" = "$(printf '%08x' "$pid")" ]
		run --separate-stderr "$PVMIO" fill "$pid" "$T_ZERO:8" 5a
		[ "$status" -eq 0 ]
		mem_is "$worker" "$T_ZERO" 5a5a5a5a5a5a5a5a
		# --stop stopped the live threads and resumed them
		for t in /proc/"$TPID"/task/*; do
			[[ $(awk '/^State:/ {print $2}' "$t/status") != T ]]
		done
	done
}

@test "processes: a kernel thread (kthreadd, pid 2) is exit 3, which says it has no user memory" {
	[[ $(awk '{print $9}' /proc/2/stat 2>/dev/null) ]] || skip "no /proc/2 here (a pid namespace without kthreadd)"
	(($(awk '{print $9}' /proc/2/stat) & 0x200000)) || skip "pid 2 is not a kernel thread here"
	local cmd
	for cmd in "read 2 0x1000:1" "maps 2" "dump 2" "find 2 00"; do
		refused 3 "$PVMIO" $cmd
		[[ $stderr == "pvmio: ${cmd%% *}: process 2"*"kernel thread"*"no user memory"* ]]
	done
}

# killed_at_second_read COMMAND ARGS...: runs pvmio under gdb on a target
# the caller started, stopped at its second transfer (process_vm_readv, or
# pread on /proc/PID/mem with --force), where the target is killed.  pvmio
# must exit 3 and say the process exited.
killed_at_second_read() {
	command -v gdb >/dev/null || skip "gdb is not installed"
	local fn=process_vm_readv
	[[ " $* " == *" --force "* ]] && fn=pread64
	# --force's first pread is of /proc/PID/exe, its second the first chunk
	local -a skip=(-ex continue)
	[[ $fn == pread64 ]] && skip+=(-ex continue)
	# the output goes to /dev/null (gdb starts pvmio through the shell)
	GDB_CMDS=(-ex "set args ${*@Q} >/dev/null" -ex "break $fn" -ex run "${skip[@]}" -ex "shell kill -KILL $TPID"
		-ex delete -ex continue)
	run gdb_pvmio "$@"
	echo "$output"
	[[ $output == *"exited with code 03]"* ]]
	[[ $output == *"pvmio: $1: process $TPID exited"* ]]
}

@test "find: a target killed mid-search is exit 3 and says so, with and without --force" {
	start_target --big 64M
	killed_at_second_read find "$TPID" 'de ad be ef 99 88 77 66' "$T_BIG:64M"
	start_target --big 64M
	killed_at_second_read find --force "$TPID" 'de ad be ef 99 88 77 66' "$T_BIG:64M"
	# the default search (all mappings, whose holes are not reported)
	start_target --big 64M
	killed_at_second_read find --force "$TPID" 'de ad be ef 99 88 77 66'
}

@test "read --force, dump --force: a target killed midway is exit 3 and says so" {
	start_target --big 64M
	killed_at_second_read read --force --holes=skip "$TPID" "$T_BIG:64M"
	start_target --big 64M
	killed_at_second_read dump --force "$TPID" "$T_BIG:64M"
}

@test "permissions: in a user namespace, a denial says capabilities there do not reach outside it" {
	command -v unshare >/dev/null || skip "unshare (util-linux) is not installed"
	unshare -U -r true 2>/dev/null || skip "this machine does not allow user namespaces"
	start_target
	fails 3 "^pvmio: maps: permission denied for process $TPID" unshare -U -r "$PVMIO" maps "$TPID"
	[[ $stderr == *"user namespace"*"do not reach processes outside it"* ]]
	[[ $stderr != *"or with CAP_SYS_PTRACE;"* ]]
	# a namespace nobody gave a uid map (unshare -U alone) too
	fails 3 "^pvmio: maps: permission denied for process $TPID" unshare -U "$PVMIO" maps "$TPID"
	[[ $stderr == *"user namespace"*"do not reach processes outside it"* ]]
}
