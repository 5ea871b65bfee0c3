#!/usr/bin/env bats
# --stop (doc/DESIGN.md, "The data flow of a read", step 4; the manual's
# SAFETY): every thread of the target is held in a tracing stop while
# pvmio works and runs again afterwards, on every way out: success, an
# error, SIGINT/SIGTERM/SIGHUP, a closed output pipe and SIGKILL of pvmio
# itself.  Thread states come from /proc/PID/task/*/stat.
#
# A long job is made deterministic with a gated reader: pvmio writes 64 MiB
# into a pipe nobody drains until the test touches the gate file, so pvmio
# is blocked (with the target stopped) for as long as the test looks.

bats_require_minimum_version 1.5.0
load helper

# task_states PID: the state letter of each thread, one a line.
task_states() {
	local f s
	for f in /proc/"$1"/task/*/stat; do
		s=$(stat_fields "$f") || continue
		printf '%s\n' "${s%% *}"
	done
}

# all_in PID LETTERS: every thread's state is one of LETTERS.
all_in() {
	local st
	st=$(task_states "$1")
	[[ -n $st ]] && ! grep -qv "^[$2]\$" <<<"$st"
}

# wait_all_in PID LETTERS: waits until all_in holds; fails after 30 s.
wait_all_in() {
	wait_until 30 all_in "$1" "$2" && return 0
	echo "threads of $1 never all in [$2]: $(task_states "$1" | tr '\n' ' ')" >&2
	return 1
}

# assert_all_in PID LETTERS: all_in now, with the states on failure.
assert_all_in() {
	if ! all_in "$1" "$2"; then
		echo "threads of $1 not all in [$2]: $(task_states "$1" | tr '\n' ' ')" >&2
		return 1
	fi
}

ticks() {
	mem_read "$1" "$T_TICKS" 8 | od -An -tu8 | tr -d ' \n'
}

# assert_ticks_advance PID: the spinning threads run: TICKS changes.
assert_ticks_advance() {
	local a
	a=$(ticks "$1")
	wait_until 30 ticks_not "$1" "$a" && return 0
	echo "TICKS of $1 stays at $a: the target does not run" >&2
	return 1
}

# ticks_not PID N: TICKS is no longer N.
ticks_not() {
	[[ $(ticks "$1") != "$2" ]]
}

# assert_runs PID: after pvmio, no thread is stopped and the counter moves.
# Checked at once: pvmio has detached every thread before it exits.
assert_runs() {
	assert_all_in "$1" RS
	assert_ticks_advance "$1"
}

# start_gated CMD...: runs CMD with stdout into a pipe whose reader waits
# for $GATE; sets PV (the pid of CMD itself) and READER.
start_gated() {
	GATE=$BATS_TEST_TMPDIR/gate
	rm -f "$GATE"
	local fifo=$BATS_TEST_TMPDIR/out.fifo
	rm -f "$fifo"
	mkfifo "$fifo"
	# fd 3 closed: a test that fails before the gate opens is not held
	# up by this reader
	(wait_until 600 test -e "$GATE"; cat >/dev/null) <"$fifo" 3>&- &
	READER=$!
	"$@" >"$fifo" 2>"$BATS_TEST_TMPDIR/pv.err" &
	PV=$!
}

# finish_gated: opens the gate and waits for CMD; sets PV_STATUS.
finish_gated() {
	touch "$GATE"
	PV_STATUS=0
	wait "$PV" || PV_STATUS=$?
	wait "$READER" || true
}

# The frozen counter proves the threads are stopped, not just shown so.
assert_ticks_frozen() {
	local a b
	a=$(ticks "$1")
	sleep 0.2
	b=$(ticks "$1")
	[[ $a == "$b" ]] || { echo "TICKS moved from $a to $b while stopped" >&2; return 1; }
}

@test "read --stop: every thread of a multi-threaded target is in tracing stop meanwhile, runs after" {
	start_target --threads 4 --big 64M
	[[ $(ls /proc/$TPID/task | wc -l) -eq 5 ]]
	assert_ticks_advance "$TPID"
	start_gated "$PVMIO" read --stop "$TPID" "$T_BIG:64M"
	wait_all_in "$TPID" t
	assert_ticks_frozen "$TPID"
	[[ $(ls /proc/$TPID/task | wc -l) -eq 5 ]]
	finish_gated
	[ "$PV_STATUS" -eq 0 ]
	[ ! -s "$BATS_TEST_TMPDIR/pv.err" ]
	assert_runs "$TPID"
}

@test "dump --stop: threads stopped meanwhile, run after" {
	start_target --threads 4 --big 64M
	start_gated "$PVMIO" dump --stop "$TPID" "$T_BIG:64M"
	wait_all_in "$TPID" t
	assert_ticks_frozen "$TPID"
	finish_gated
	[ "$PV_STATUS" -eq 0 ]
	assert_runs "$TPID"
}

@test "read --stop: the bytes are right and the target runs after" {
	start_target --threads 4
	run --separate-stderr "$PVMIO" read --stop --verbose -f hex "$TPID" "$T_PATTERN:64"
	[ "$status" -eq 0 ]
	[ "$(tr -d ' \n' <<<"$output")" = "$(mem_hex "$TPID" "$T_PATTERN" 64)" ]
	[[ $stderr == *"stopped process $TPID with ptrace"* ]]
	assert_runs "$TPID"
}

@test "write --stop: writes, and the target runs after" {
	start_target --threads 4
	run --separate-stderr "$PVMIO" write --stop --verbose "$TPID" "$T_ZERO" deadbeef
	[ "$status" -eq 0 ]
	[[ $stderr == *"stopped process $TPID with ptrace"* ]]
	[ "$(mem_hex "$TPID" "$T_ZERO" 4)" = deadbeef ]
	assert_runs "$TPID"
}

@test "fill --stop: fills, and the target runs after" {
	start_target --threads 4
	run --separate-stderr "$PVMIO" fill --stop --verbose "$TPID" "$T_ZERO:4096" a5
	[ "$status" -eq 0 ]
	[[ $stderr == *"stopped process $TPID with ptrace"* ]]
	[ "$(mem_hex "$TPID" "$T_ZERO" 4096)" = "$(printf 'a5%.0s' {1..4096})" ]
	assert_runs "$TPID"
}

@test "maps --stop: lists, and the target runs after" {
	start_target --threads 4
	run --separate-stderr "$PVMIO" maps --stop --verbose "$TPID"
	[ "$status" -eq 0 ]
	[[ $stderr == *"stopped process $TPID with ptrace"* ]]
	# The mapping that holds PATTERN, as the kernel lists it.
	local line start end
	while read -r line _; do
		start=$((0x${line%-*})) end=$((0x${line#*-}))
		((start <= T_PATTERN && T_PATTERN < end)) && break
	done <"/proc/$TPID/maps"
	[[ $output == *"$(printf '0x%x..0x%x' "$start" "$end")"* ]]
	assert_runs "$TPID"
}

@test "find --stop: finds, and the target runs after" {
	start_target --threads 4
	run --separate-stderr "$PVMIO" find --stop --verbose "$TPID" "$(mem_hex "$TPID" "$T_AFTER" 8)" "$T_AFTER:4096"
	[ "$status" -eq 0 ]
	[[ $stderr == *"stopped process $TPID with ptrace"* ]]
	# AFTER repeats every 256 bytes: 16 matches in its page.
	[ "${lines[0]}" = "$(printf '0x%x' "$T_AFTER")" ]
	[ "${#lines[@]}" -eq 16 ]
	assert_runs "$TPID"
}

@test "stop: a target stopped before (SIGSTOP) stays stopped after read --stop" {
	start_target --threads 4
	kill -STOP "$TPID"
	wait_all_in "$TPID" T
	run "$PVMIO" read --stop -f hex "$TPID" "$T_PATTERN:16"
	[ "$status" -eq 0 ]
	[ "$(tr -d ' \n' <<<"$output")" = "$(mem_hex "$TPID" "$T_PATTERN" 16)" ]
	# ptrace's detach wakes each thread to stop again (R for a moment);
	# a target wrongly resumed never gets back to T, nor do its ticks freeze
	wait_all_in "$TPID" T
	assert_ticks_frozen "$TPID"
	# ... and it still continues as usual.
	kill -CONT "$TPID"
	wait_all_in "$TPID" RS
	assert_ticks_advance "$TPID"
}

@test "stop: a stopped target stays stopped after a failing read --stop too" {
	start_target --threads 4
	kill -STOP "$TPID"
	wait_all_in "$TPID" T
	run "$PVMIO" read --stop "$TPID" "$T_HOLE:16"
	[ "$status" -eq 1 ]
	wait_all_in "$TPID" T
	assert_ticks_frozen "$TPID"
}

@test "stop: an error inside the command (read of an unmapped address) resumes the target" {
	start_target --threads 4
	run --separate-stderr "$PVMIO" read --stop "$TPID" "$T_HOLE:16"
	[ "$status" -eq 1 ]
	[[ $stderr == *"not mapped"* ]]
	assert_runs "$TPID"
}

@test "stop: an error midway (read running into the hole) resumes the target" {
	start_target --threads 4
	run --separate-stderr "$PVMIO" read --stop "$TPID" "$T_PATTERN:0x3000"
	[ "$status" -eq 1 ]
	assert_runs "$TPID"
}

@test "stop: a write error (read-only page) resumes the target" {
	start_target --threads 4
	run --separate-stderr "$PVMIO" write --stop "$TPID" "$T_RO" 00
	[ "$status" -eq 1 ]
	assert_runs "$TPID"
	[ "$(mem_hex "$TPID" "$T_RO" 1)" = 5a ]
}

# signal_midway SIG: pvmio read --stop gets SIG while the target is stopped.
signal_midway() {
	start_target --threads 4 --big 64M
	start_gated "$PVMIO" read --stop "$TPID" "$T_BIG:64M"
	wait_all_in "$TPID" t
	kill -"$1" "$PV"
	PV_STATUS=0
	wait "$PV" || PV_STATUS=$?
	touch "$GATE"
	wait "$READER" || true
	# Killed by the signal (re-raised after resuming), not an exit.
	[ "$PV_STATUS" -eq $((128 + $(kill -l "$1"))) ]
	assert_runs "$TPID"
}

@test "stop: SIGINT to pvmio mid-job resumes the target" {
	signal_midway INT
}

@test "stop: SIGTERM to pvmio mid-job resumes the target" {
	signal_midway TERM
}

@test "stop: SIGHUP to pvmio mid-job resumes the target" {
	signal_midway HUP
}

@test "stop: SIGKILL of pvmio mid-job, the kernel detaches and the target runs on" {
	signal_midway KILL
}

@test "stop: a closed output pipe (| head -c 1) resumes the target" {
	start_target --threads 4 --big 64M
	run bash -c '"$1" read --stop "$2" "$3:64M" | head -c 1 | wc -c; echo "${PIPESTATUS[0]}"' _ \
		"$PVMIO" "$TPID" "$T_BIG"
	[ "${lines[0]}" -eq 1 ]
	# Ended quietly, as cat does: by SIGPIPE, or 0.
	[[ ${lines[1]} == 141 || ${lines[1]} == 0 ]]
	[ "${#lines[@]}" -eq 2 ]
	assert_runs "$TPID"
}

@test "stop: a closed pipe on dump --stop resumes the target" {
	start_target --threads 4 --big 64M
	run bash -c '"$1" dump --stop "$2" "$3:64M" | head -c 1 | wc -c' _ "$PVMIO" "$TPID" "$T_BIG"
	[ "$output" -eq 1 ]
	assert_runs "$TPID"
}

# core writes the 64 MiB region from two threads in turn, and the second
# takes no signals: a reader gone midway (40 MiB in, inside the region)
# must still end it by SIGPIPE, target resumed.
@test "stop: a closed pipe on core resumes the target, and pvmio ends by SIGPIPE, quietly" {
	start_target --threads 4 --big 64M
	run bash -c '"$1" core "$2" 2>"$3" | head -c 40M | wc -c; echo "${PIPESTATUS[0]}"' _ \
		"$PVMIO" "$TPID" "$BATS_TEST_TMPDIR/err"
	[ "${lines[0]}" -eq $((40 << 20)) ]
	[ "${lines[1]}" -eq 141 ]
	[ ! -s "$BATS_TEST_TMPDIR/err" ]
	assert_runs "$TPID"
}

# traced PID: /proc/PID/status shows a tracer.
traced() {
	[[ $(awk '/^TracerPid:/ {print $2}' "/proc/$1/status") != 0 ]]
}

# wait_traced PID: until traced; fails after 30 s.
wait_traced() {
	wait_until 30 traced "$1" && return 0
	echo "nothing attached to $1" >&2
	return 1
}

@test "stop: with strace holding the target, it falls back to SIGSTOP/SIGCONT, says so, target runs after" {
	command -v strace >/dev/null || skip "strace is not installed"
	start_target --threads 4
	strace -f -qq -o /dev/null -p "$TPID" 2>"$BATS_TEST_TMPDIR/strace.err" &
	local tracer=$!
	wait_traced "$TPID"
	run --separate-stderr "$PVMIO" read --stop --verbose -f hex "$TPID" "$T_PATTERN:16"
	local st=$status err=$stderr out=$output
	[ "$st" -eq 0 ] || { kill "$tracer"; wait "$tracer" || true; false; }
	[ "$(tr -d ' \n' <<<"$out")" = "$(mem_hex "$TPID" "$T_PATTERN" 16)" ]
	[[ $err == *SIGSTOP* ]]
	# Still traced by strace, and running.
	[[ $(awk '/^TracerPid:/ {print $2}' "/proc/$TPID/status") == "$tracer" ]]
	# SIGCONT passes through strace, which restarts the threads after
	# pvmio has gone: poll for it.
	wait_all_in "$TPID" RS
	assert_ticks_advance "$TPID"
	kill "$tracer"
	wait "$tracer" || true
	assert_runs "$TPID"
}

@test "stop: with gdb holding the target, it falls back to SIGSTOP, says so, target runs after gdb detaches" {
	command -v gdb >/dev/null || skip "gdb is not installed"
	start_target --threads 4
	local gate=$BATS_TEST_TMPDIR/gdb.go
	# at most 2 minutes, and fd 3 closed: a failing test does not hang
	gdb -nx -q -batch -p "$TPID" -ex "shell for i in \$(seq 2400); do [ -e '$gate' ] && break; sleep 0.05; done" \
		>"$BATS_TEST_TMPDIR/gdb.out" 2>&1 3>&- &
	local gdbpid=$!
	wait_traced "$TPID"
	wait_all_in "$TPID" t
	run --separate-stderr "$PVMIO" read --stop --verbose -f hex "$TPID" "$T_PATTERN:16"
	local st=$status err=$stderr out=$output
	touch "$gate"
	wait "$gdbpid" || true
	[ "$st" -eq 0 ]
	[ "$(tr -d ' \n' <<<"$out")" = "$(mem_hex "$TPID" "$T_PATTERN" 16)" ]
	[[ $err == *SIGSTOP* ]]
	[[ $(awk '/^TracerPid:/ {print $2}' "/proc/$TPID/status") == 0 ]]
	wait_all_in "$TPID" RS
	assert_ticks_advance "$TPID"
}

@test "stop: with strace holding the target, a failing --stop read still sends SIGCONT" {
	command -v strace >/dev/null || skip "strace is not installed"
	start_target --threads 4
	strace -f -qq -o /dev/null -p "$TPID" 2>/dev/null &
	local tracer=$!
	wait_traced "$TPID"
	run --separate-stderr "$PVMIO" read --stop --verbose "$TPID" "$T_HOLE:16"
	local st=$status
	local ok=0
	{ wait_all_in "$TPID" RS && assert_ticks_advance "$TPID"; } || ok=1
	kill "$tracer"
	wait "$tracer" || true
	[ "$st" -eq 1 ]
	[ "$ok" -eq 0 ]
}
