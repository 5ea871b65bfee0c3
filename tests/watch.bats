#!/usr/bin/env bats
# Memory over time: watch, wait and write --hold (doc/DESIGN.md, "The
# polling engine"), against tests/ticker.c, whose counter goes up on a
# schedule, whose state goes up on SIGUSR1, whose pinned value it resets
# every 20 ms, whose current pointer moves on SIGUSR2 and whose GONE page
# SIGHUP unmaps and maps again.  No assertion is on time itself: only
# loose bounds that a slow machine cannot break.

bats_require_minimum_version 1.5.0

load helper

# start_ticker [PERIOD_MS]: starts tests/ticker as TPID, with T_COUNTER,
# T_STATE, T_PINNED, T_SEEN3, T_CURRENT, T_OBJS, T_GONE.
start_ticker() {
	: "${TICKER:?run the suites through make check}"
	start_ready "$TICKER" "$@"
}

# polling PID: pvmio process PID has the target open (its /proc/TPID/mem),
# and so is past its start; for wait_until.
polling() {
	ls -l "/proc/$1/fd" 2>/dev/null | grep -q "/proc/$TPID/mem"
}

# exits_with STATUS REGEX CMD...: runs CMD in the background, kills the
# target once CMD has it open, and checks CMD's status and its one
# message.
exits_with() {
	local want=$1 re=$2 err=$BATS_TEST_TMPDIR/exit.err
	shift 2
	"$@" >/dev/null 2>"$err" &
	local cpid=$!
	wait_until 10 polling "$cpid"
	sleep 0.2
	kill -KILL "$TPID"
	local rc=0
	wait "$cpid" || rc=$?
	echo "$*: exit $rc (want $want); stderr '$(cat "$err")'"
	[ "$rc" -eq "$want" ]
	[ "$(wc -l <"$err")" -eq 1 ]
	grep -Eq "$re" "$err"
}

# u32 NAME: the value of a u32 of the ticker, read independently.
u32() {
	mem_read "$TPID" "$1" 4 | od -An -tu4 | tr -d ' '
}

# u32_above ADDR V: for wait_until, read anew each time.
u32_above() {
	[ "$(u32 "$1")" -gt "$2" ]
}

@test "watch: sees every change of a counter polled faster than it changes" {
	# 200 ms between changes: only a poll 20 deadlines late could miss one
	start_ticker 200
	run --separate-stderr "$PVMIO" watch -t u32 --interval 10ms --count 6 "$TPID" counter
	echo "status $status; stdout '$output'; stderr '$stderr'"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 7 ]
	local prev= t_prev=-1 line t name v
	for line in "${lines[@]}"; do
		read -r t name v <<<"$line"
		[ "$name" = counter ]
		# relative seconds, never going back
		[[ $t =~ ^[0-9]+\.[0-9]{3}$ ]]
		python3 -c "import sys; sys.exit(not float('$t') >= float('$t_prev'))"
		[[ -z $prev ]] || [ "$v" -eq $((prev + 1)) ]
		prev=$v t_prev=$t
	done
}

@test "watch: the first value is the value in memory" {
	start_ticker 100000
	local want
	want=$(u32 "$T_COUNTER")
	run --separate-stderr "$PVMIO" watch -t u32 --time=none --for 200ms "$TPID" "$T_COUNTER"
	[ "$status" -eq 0 ]
	[ "$output" = "$T_COUNTER $want" ]
}

@test "watch: without -t, the bytes in hex; -t with ADDR:LEN, one value per element" {
	start_ticker 100000
	run --separate-stderr "$PVMIO" watch --time=none --for 150ms "$TPID" "$T_OBJS:16"
	[ "$status" -eq 0 ]
	[ "$output" = "$T_OBJS:16 $(mem_hex "$TPID" "$T_OBJS" 16)" ]
	run --separate-stderr "$PVMIO" watch -t u32 --time=none --for 150ms "$TPID" "$T_OBJS:16"
	[ "$status" -eq 0 ]
	[ "$output" = "$T_OBJS:16 $((0x0b1ec7)) 0 $((0x0b1ec7)) 100" ]
}

@test "watch --for: ends by itself with exit 0; timestamps stay within it" {
	start_ticker 20
	run --separate-stderr "$PVMIO" watch -t u32 --interval 10ms --for 500ms "$TPID" counter
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -ge 2 ]
	local last=${lines[-1]%% *}
	# no poll is due after 0.5 s; waking up may take a little longer on a
	# loaded machine
	python3 -c "import sys; sys.exit(not float('$last') < 1.0)"
}

@test "watch --all: a line at every poll, changed or not" {
	start_ticker 100000
	run --separate-stderr "$PVMIO" watch -t i32 --all --interval 50ms --for 500ms "$TPID" state
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -ge 3 ]
	run --separate-stderr "$PVMIO" watch -t i32 --interval 50ms --for 500ms "$TPID" state
	[ "${#lines[@]}" -eq 1 ]
}

@test "watch --json: one object a line, with time, range, address, value and previous" {
	start_ticker 150
	"$PVMIO" watch -t u32 --json --interval 10ms --count 3 "$TPID" counter "$T_OBJS:8" >"$BATS_TEST_TMPDIR/w.json"
	python3 - "$BATS_TEST_TMPDIR/w.json" "$T_COUNTER" "$T_OBJS" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
objs = [json.loads(l) for l in lines]
assert len(objs) == 5, objs
first = {o["range"]: o for o in objs[:2]}
assert first["counter"]["address"] == hex(int(sys.argv[2], 16)), first
assert first["counter"]["previous"] is None
assert first[sys.argv[3] + ":8"]["value"] == [0x0b1ec7, 0], first
for o in objs[2:]:
    assert o["range"] == "counter", o
    assert o["value"] == o["previous"] + 1, o
    assert isinstance(o["time"], float), o
PY
}

@test "watch --time=iso: UTC timestamps" {
	start_ticker 100000
	run --separate-stderr "$PVMIO" watch -t u32 --time=iso --for 100ms "$TPID" counter
	[ "$status" -eq 0 ]
	[[ $output =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z\ counter\ [0-9]+$ ]]
}

@test "watch: SIGINT and SIGTERM end it with exit 0, the lines so far written" {
	start_ticker 100000
	local sig out
	for sig in INT TERM; do
		out=$BATS_TEST_TMPDIR/w.$sig.out
		"$PVMIO" watch -t u32 "$TPID" counter >"$out" &
		local wpid=$!
		wait_until 5 nonempty "$out"
		kill -"$sig" "$wpid"
		local rc=0
		wait "$wpid" || rc=$?
		echo "$sig: exit $rc"
		[ "$rc" -eq 0 ]
		grep -q ' counter [0-9]' "$out"
	done
}

@test "watch: the target exiting ends it with exit 3, saying so" {
	start_ticker 100000
	exits_with 3 "^pvmio: watch: process $TPID exited" "$PVMIO" watch -t u32 --interval 10ms "$TPID" "$T_COUNTER"
}

@test "watch: an unreadable range is printed once, and again when it is readable" {
	start_ticker 100000
	local out=$BATS_TEST_TMPDIR/w.out
	"$PVMIO" watch --time=none --interval 10ms "$TPID" "$T_GONE:4" >"$out" &
	local wpid=$!
	wait_until 5 nonempty "$out"
	kill -HUP "$TPID"
	wait_until 5 grep -q unreadable "$out"
	sleep 0.1
	kill -HUP "$TPID"
	wait_until 5 lines_at_least 3 "$out"
	kill -INT "$wpid"
	wait "$wpid"
	cat "$out"
	[ "$(sed -n 1p "$out")" = "$T_GONE:4 2a2a2a2a" ]
	[[ $(sed -n 2p "$out") =~ ^$T_GONE:4\ unreadable:\ not\ mapped ]]
	[ "$(sed -n 3p "$out")" = "$T_GONE:4 2a2a2a2a" ]
	[ "$(wc -l <"$out")" -eq 3 ]
}

@test "watch: a pointer chain is followed again at every poll" {
	start_ticker 100000
	local out=$BATS_TEST_TMPDIR/w.out
	"$PVMIO" watch -t u32 --time=none --interval 10ms "$TPID" '[current]+4' >"$out" &
	local wpid=$!
	wait_until 5 nonempty "$out"
	kill -USR2 "$TPID"
	wait_until 5 grep -q ' 100$' "$out"
	kill -USR2 "$TPID"
	wait_until 5 grep -q ' 200$' "$out"
	kill -INT "$wpid"
	wait "$wpid"
	[ "$(cat "$out")" = $'[current]+4 0\n[current]+4 100\n[current]+4 200' ]
}

@test "watch --stop: stops the target for each poll only" {
	start_ticker 10
	run --separate-stderr "$PVMIO" watch -t u32 --stop --interval 20ms --count 3 "$TPID" counter
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 4 ]
	# still running: the counter goes on
	local a b
	a=$(mem_hex "$TPID" "$T_COUNTER" 4)
	wait_until 5 not mem_is "$TPID" "$T_COUNTER" "$a"
	b=$(proc_state "$TPID")
	[[ $b != t && $b != T ]]
}

@test "watch: usage errors before the process is touched" {
	start_ticker 100000
	refused 2 "$PVMIO" watch --time=bogus "$TPID" counter
	refused 2 "$PVMIO" watch --interval 0 -t u32 "$TPID" counter
	refused 2 "$PVMIO" watch --interval 5x -t u32 "$TPID" counter
	refused 2 "$PVMIO" watch --count 0 -t u32 "$TPID" counter
	refused 2 "$PVMIO" watch "$TPID" "$T_COUNTER"
	refused 2 "$PVMIO" watch -e big "$TPID" counter
	refused 2 "$PVMIO" watch "$TPID" '[heap]:0x2000000'
	refused 2 "$PVMIO" watch "$TPID"
}

@test "wait: each condition, met at once, prints the value and exits 0" {
	start_ticker 100000
	local c
	c=$(u32 "$T_COUNTER")
	run "$PVMIO" wait -t i32 "$TPID" state eq 0
	[ "$status" -eq 0 ] && [ "$output" = 0 ]
	run "$PVMIO" wait -t u32 "$TPID" counter ne $((c + 1))
	[ "$status" -eq 0 ] && [ "$output" = "$c" ]
	run "$PVMIO" wait -t u32 "$TPID" counter lt $((c + 1))
	[ "$status" -eq 0 ] && [ "$output" = "$c" ]
	run "$PVMIO" wait -t u32 "$TPID" counter le "$c"
	[ "$status" -eq 0 ] && [ "$output" = "$c" ]
	run "$PVMIO" wait -t u32 "$TPID" counter gt $((c - 1))
	[ "$status" -eq 0 ] && [ "$output" = "$c" ]
	run "$PVMIO" wait -t u32 "$TPID" counter ge "$c"
	[ "$status" -eq 0 ] && [ "$output" = "$c" ]
	run "$PVMIO" wait "$TPID" "$T_OBJS+4" eq 00000000
	[ "$status" -eq 0 ] && [ "$output" = 00000000 ]
}

@test "wait: blocks until the condition holds" {
	start_ticker 100000
	(sleep 0.3 && kill -USR1 "$TPID" && sleep 0.2 && kill -USR1 "$TPID") &
	# bounded: two signals that the ticker took as one would leave state 1
	run --separate-stderr "$PVMIO" wait -t i32 --interval 10ms --timeout 30s "$TPID" state ge 2
	[ "$status" -eq 0 ]
	[ "$output" = 2 ]
	(sleep 0.3 && kill -USR1 "$TPID") &
	run --separate-stderr "$PVMIO" wait -t i32 --interval 10ms "$TPID" state gt 2
	[ "$status" -eq 0 ]
	[ "$output" = 3 ]
}

@test "wait: signed, float and typed comparisons are numeric, not bytewise" {
	start_ticker 100000
	printf '\xfe\xff\xff\xff' >"$BATS_TEST_TMPDIR/m2"
	mem_write "$TPID" "$T_OBJS" "$BATS_TEST_TMPDIR/m2"
	run "$PVMIO" wait -t i32 "$TPID" "$T_OBJS" lt -1
	[ "$status" -eq 0 ] && [ "$output" = -2 ]
	run "$PVMIO" wait -t u32 --timeout 100ms "$TPID" "$T_OBJS" lt 5
	[ "$status" -eq 5 ]
	unhex "$(pack = f32 -0.5)" >"$BATS_TEST_TMPDIR/f"
	mem_write "$TPID" "$T_OBJS" "$BATS_TEST_TMPDIR/f"
	run "$PVMIO" wait -t f32 "$TPID" "$T_OBJS" lt 0
	[ "$status" -eq 0 ] && [ "$output" = -0.5 ]
}

@test "wait changed: returns the new value once it differs from the first" {
	start_ticker 100
	local c
	c=$(u32 "$T_COUNTER")
	run --separate-stderr "$PVMIO" wait -t u32 --interval 10ms "$TPID" counter changed
	[ "$status" -eq 0 ]
	[ "$output" -gt "$c" ]
}

@test "wait --timeout: exit 5 with the value it last saw, and no sooner" {
	start_ticker 100000
	local t0=${EPOCHREALTIME/[.,]/}
	run --separate-stderr "$PVMIO" wait -t i32 --timeout 300ms "$TPID" state eq 99
	local t1=${EPOCHREALTIME/[.,]/}
	echo "status $status; stderr '$stderr'; $(((t1 - t0) / 1000)) ms"
	[ "$status" -eq 5 ]
	[ -z "$output" ]
	[[ $stderr =~ ^pvmio:\ wait:\ timed\ out\ after\ 300ms:\ \'state\'\ is\ 0,\ not\ eq\ 99$ ]]
	# loosely: it waited, and it did not hang
	[ $((t1 - t0)) -ge 300000 ]
	[ $((t1 - t0)) -lt 20000000 ]
}

@test "wait: the target exiting first is exit 3" {
	start_ticker 100000
	exits_with 3 "^pvmio: wait: process $TPID exited" "$PVMIO" wait -t i32 --interval 10ms "$TPID" "$T_STATE" eq 99
}

@test "wait: unreadable memory is exit 1; with --retry-unreadable it waits for it" {
	start_ticker 100000
	kill -HUP "$TPID"
	wait_until 5 not mem_is "$TPID" "$T_GONE" 2a2a2a2a
	fails 1 "^pvmio: wait: cannot read '$T_GONE' at $T_GONE: not mapped" "$PVMIO" wait "$TPID" "$T_GONE" eq 2a2a2a2a
	(sleep 0.3 && kill -HUP "$TPID") &
	run --separate-stderr "$PVMIO" wait --retry-unreadable --interval 10ms "$TPID" "$T_GONE" eq 2a2a2a2a
	[ "$status" -eq 0 ]
	[ "$output" = 2a2a2a2a ]
}

@test "wait -q: nothing on stdout, the status tells" {
	start_ticker 100000
	run --separate-stderr "$PVMIO" wait -q -t i32 "$TPID" state eq 0
	[ "$status" -eq 0 ] && [ -z "$output" ] && [ -z "$stderr" ]
}

@test "wait: usage errors" {
	start_ticker 100000
	refused 2 "$PVMIO" wait "$TPID" counter lt 5
	refused 2 "$PVMIO" wait -t u32 "$TPID" counter changed 5
	refused 2 "$PVMIO" wait -t u32 "$TPID" counter eq
	refused 2 "$PVMIO" wait -t u32 "$TPID" counter is 5
	refused 2 "$PVMIO" wait -t u32 "$TPID" counter eq 5 6
	refused 2 "$PVMIO" wait -t u32 --timeout soon "$TPID" counter eq 5
	refused 2 "$PVMIO" wait -t u32 "$TPID" "$T_COUNTER:8" eq 5
	refused 2 "$PVMIO" wait "$TPID" "$T_COUNTER:8" eq 0102
	refused 2 "$PVMIO" wait "$TPID" "$T_COUNTER" changed
}

@test "write --hold: keeps a value that the target keeps resetting, and stops at DUR" {
	start_ticker 100000
	local before during after
	before=$(u32 "$T_SEEN3")
	run --separate-stderr "$PVMIO" write -t u32 --hold=1s --interval 2ms "$TPID" pinned 3
	echo "status $status; stdout '$output'; stderr '$stderr'"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	during=$(u32 "$T_SEEN3")
	echo "seen3 $before -> $during"
	# the target resets it every 20 ms: held, it found 3 most times
	[ $((during - before)) -ge 10 ]
	# once the hold ends, the target's resets stick
	wait_until 5 mem_is "$TPID" "$T_PINNED" 00000000
	sleep 0.2
	after=$(u32 "$T_SEEN3")
	[ $((after - during)) -le 1 ]
	mem_is "$TPID" "$T_PINNED" 00000000
}

@test "write --hold alone: until SIGINT or SIGTERM, then exit 0" {
	start_ticker 100000
	local sig
	for sig in INT TERM; do
		local seen
		seen=$(u32 "$T_SEEN3")
		"$PVMIO" write -t u32 --interval 5ms "$TPID" pinned 3 --hold &
		local hpid=$!
		wait_until 10 u32_above "$T_SEEN3" "$seen"
		kill -"$sig" "$hpid"
		local rc=0
		wait "$hpid" || rc=$?
		echo "$sig: exit $rc"
		[ "$rc" -eq 0 ]
	done
}

@test "write --hold alone: a signal that lands while a poll reads still ends it with exit 0, not as an interrupted write" {
	command -v strace >/dev/null || skip "strace is not installed"
	strace -f -qq -o /dev/null true 2>/dev/null || skip "strace cannot trace here"
	start_ticker 100000
	local sig err=$BATS_TEST_TMPDIR/hold.err
	for sig in INT TERM; do
		local seen
		seen=$(u32 "$T_SEEN3")
		# Each poll's read starts 200 ms late, so the signal lands in one,
		# and what it reads then is the ticker's reset: due a rewrite.
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
			strace -qq -o /dev/null -e trace=process_vm_readv \
			-e inject=process_vm_readv:delay_enter=200000 \
			"$PVMIO" write -t u32 --interval 5ms "$TPID" pinned 3 --hold 2>"$err" &
		local spid=$! hpid=
		wait_until 10 u32_above "$T_SEEN3" "$seen"
		hpid=$(cat "/proc/$spid/task/$spid/children")
		sleep 0.5
		kill -"$sig" "$hpid"
		local rc=0
		wait "$spid" || rc=$?
		echo "$sig: exit $rc; stderr '$(cat "$err")'"
		[ "$rc" -eq 0 ]
		[ ! -s "$err" ]
	done
}

@test "write --hold: a mapping that goes away ends it with exit 1" {
	start_ticker 100000
	(sleep 0.3 && kill -HUP "$TPID") &
	fails 1 "^pvmio: write: .*$T_GONE.*not mapped" \
		"$PVMIO" write --hold=20s --interval 10ms "$TPID" "$T_GONE" 01
}

@test "write --hold: the target exiting ends it with exit 3" {
	start_ticker 100000
	exits_with 3 "^pvmio: write: process $TPID exited" \
		"$PVMIO" write -t u32 --hold=20s --interval 10ms "$TPID" "$T_PINNED" 3
}

@test "write --hold: a bare number after it is refused, never read as a duration" {
	start_ticker 100000
	refused 2 "$PVMIO" write -t u32 --hold "$TPID" "$T_PINNED" 3
	refused 2 "$PVMIO" write -t u32 --hold=5 "$TPID" "$T_PINNED" 3
	refused 2 "$PVMIO" write -t u32 --interval 5ms "$TPID" "$T_PINNED" 3
	refused 2 "$PVMIO" write --hold=1s -f xxd "$TPID" </dev/null
}

@test "watch and wait --retry-unreadable: a chain whose pointer is NULL at the start waits until it is not" {
	start_ticker 100000
	printf '\0\0\0\0\0\0\0\0' >"$BATS_TEST_TMPDIR/null"
	mem_write "$TPID" "$T_CURRENT" "$BATS_TEST_TMPDIR/null"
	local out=$BATS_TEST_TMPDIR/w.out
	"$PVMIO" watch -t u32 --time=none --interval 10ms "$TPID" '[current]+4' >"$out" &
	local wpid=$!
	wait_until 5 nonempty "$out"
	# the target sets current again on SIGUSR2 (to objs[1])
	kill -USR2 "$TPID"
	wait_until 5 grep -q ' 100$' "$out"
	kill -INT "$wpid"
	wait "$wpid"
	cat "$out"
	[[ $(sed -n 1p "$out") =~ ^\[current\]\+4\ unreadable:\ .*step\ 1\ of\ the\ chain:\ the\ pointer\ at\ .*\ is\ NULL$ ]]
	[ "$(sed -n 2p "$out")" = '[current]+4 100' ]
	# wait: exit 1 at once without --retry-unreadable, else it waits
	mem_write "$TPID" "$T_CURRENT" "$BATS_TEST_TMPDIR/null"
	fails 1 "^pvmio: wait: '\[current\]\+4', step 1 of the chain: the pointer at .* is NULL$" "$PVMIO" wait -t u32 "$TPID" '[current]+4' eq 200
	(sleep 0.3 && kill -USR2 "$TPID") &
	run --separate-stderr "$PVMIO" wait -t u32 --retry-unreadable --interval 10ms "$TPID" '[current]+4' eq 200
	[ "$status" -eq 0 ]
	[ "$output" = 200 ]
}
