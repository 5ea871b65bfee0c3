#!/usr/bin/env bats
# Under churn (tests/churn.c): threads that unmap, remap, mremap and
# mprotect their regions and fork children, while pvmio reads, dumps,
# searches, fills and writes them, with and without --stop.  Every run must
# finish within a bound, exit with a documented status, leave no
# sanitizer report, leave the target running; every write stays inside its
# range (the canary pages around each region never change); and with --stop
# the bytes are those of an independent read taken while the target is
# stopped.  make check runs each loop STRESS_ITERATIONS times (2);
# make stress runs them up to thousands of times, each test bounded by
# STRESS_SECONDS, and prints how many runs each made.

bats_require_minimum_version 1.5.0

load helper

ITER=${STRESS_ITERATIONS:-2}
BUDGET=${STRESS_SECONDS:-0}

# more N: whether a loop that has made N runs makes another: fewer than
# ITER made, and the test's STRESS_SECONDS (if any) not spent.  The
# first run is always made.
more() {
	(($1 == 0 || $1 < ITER)) && { ((BUDGET == 0)) || ((SECONDS < BUDGET)); }
}

# The loops count in "round", not "i": bats 1.8's run --separate-stderr
# sets a global i (bats_any_in).

# spread MS...: "median M ms, max X ms" of the numbers.
spread() {
	printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { printf "median %d ms, max %d ms", v[int((NR + 1) / 2)], v[NR] }'
}

# tell TEXT: a line in the TAP output (make stress's figures).
tell() {
	echo "# $*" >&3
}

setup_file() {
	# held.py PID: reads stdin (pvmio's output) only once every thread of
	# PID is seen in tracing stop, twice 50 ms apart (so that none ran or
	# was born unstopped meanwhile); prints how many threads.
	cat >"$BATS_FILE_TMPDIR/held.py" <<'PY'
import os, sys, time
pid = int(sys.argv[1])
def states():
    out = {}
    for t in os.listdir(f"/proc/{pid}/task"):
        try:
            out[t] = open(f"/proc/{pid}/task/{t}/stat").read().rsplit(")", 1)[1].split()[0]
        except OSError:
            pass
    return out
deadline = time.time() + 30
while not all(s in "tT" for s in states().values()):
    if time.time() > deadline:
        sys.exit(f"not every thread stopped: {states()}")
    time.sleep(0.001)
time.sleep(0.05)
again = states()
if not all(s in "tT" for s in again.values()):
    sys.exit(f"a thread ran, or was born unstopped: {again}")
print(f"{len(again)} threads held", file=sys.stderr)
sys.stdin.buffer.read()
PY
	# same.py PID AREA LEN: once PID is held stopped, reads AREA..+LEN
	# from /proc/PID/mem (readable mappings; zeros elsewhere), then
	# requires pvmio's output on stdin to be the same bytes.
	cat >"$BATS_FILE_TMPDIR/same.py" <<'PY'
import os, sys, time
pid, area, length = int(sys.argv[1]), int(sys.argv[2], 16), int(sys.argv[3])
def stopped():
    for t in os.listdir(f"/proc/{pid}/task"):
        try:
            st = open(f"/proc/{pid}/task/{t}/stat").read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if st not in "tT":
            return False
    return True
deadline = time.time() + 30
while not stopped():
    if time.time() > deadline:
        sys.exit("the target was never seen stopped")
    time.sleep(0.001)
# readable pages as the maps list has them now, zeros for the rest
want = bytearray(length)
with open(f"/proc/{pid}/maps") as m, open(f"/proc/{pid}/mem", "rb") as mem:
    for line in m:
        rng, perms = line.split()[:2]
        lo, hi = (int(x, 16) for x in rng.split("-"))
        lo, hi = max(lo, area), min(hi, area + length)
        if lo < hi and perms[0] == "r":
            mem.seek(lo)
            want[lo - area:hi - area] = mem.read(hi - lo)
if not stopped():
    sys.exit("the target ran while the checker read it")
got = sys.stdin.buffer.read()
if got != want:
    diff = next((i for i in range(min(len(got), len(want))) if got[i] != want[i]), min(len(got), len(want)))
    sys.exit(f"pvmio's {len(got)} bytes differ from the independent {len(want)} at offset {diff:#x}")
PY
}

setup() {
	: "${CHURN:?run the suites through make check}"
	SECONDS=0
}

start_churn() {
	start_ready "$CHURN" "$@"
	END=$(hex "$T_AREA + $T_AREA_LEN")
}

# ran CMD...: runs CMD with a 30 s bound; fails on a hang (124), a status
# outside ALLOWED (default "0 1"), a sanitizer report, or a message that
# is not one line.
ALLOWED="0 1"
ran() {
	# stdout to /dev/null inside: megabytes of it in $output would cost
	# more than the run
	run --separate-stderr timeout 30 sh -c 'exec "$@" >/dev/null' sh "$@"
	if [[ " $ALLOWED " != *" $status "* ]] || [[ $stderr == *Sanitizer* || $stderr == *"runtime error"* ]] ||
		[[ $stderr == *$'\n'* ]]; then
		echo "$*: status $status (allowed: $ALLOWED); stderr '$stderr'"
		return 1
	fi
}

# canaries_intact PID: every canary page of every slot still holds its
# byte (0xc5 ^ slot); says which do not.
canaries_intact() {
	python3 - "$1" "$T_AREA" "$T_SLOTS" "$T_SLOT_PAGES" "$T_PAGE" <<'PY'
import sys
pid, area, slots, pages, page = int(sys.argv[1]), int(sys.argv[2], 16), *map(int, sys.argv[3:])
bad = []
with open(f"/proc/{pid}/mem", "rb") as f:
    for s in range(slots):
        for p in (0, pages - 1):
            f.seek(area + (s * pages + p) * page)
            got = f.read(page)
            if got != bytes([0xc5 ^ s]) * page:
                bad.append((s, p, next(i for i, b in enumerate(got) if b != 0xc5 ^ s)))
if bad:
    sys.exit(f"canaries changed (slot, page, first byte): {bad[:10]}")
PY
}

# running PID: the target is alive and none of its threads is stopped
# (one sed over every thread's stat: 2000 threads, one process).
running() {
	kill -0 "$1" || return 1
	! sed 's/.*) //; s/ .*//' /proc/"$1"/task/*/stat 2>/dev/null | grep -q '^[tT]$'
}

# region SLOT: "ADDR:LEN" of SLOT's region, canaries excluded.
region() {
	echo "$(hex "$T_AREA + ($1 * $T_SLOT_PAGES + 1) * $T_PAGE"):$((T_REGION_PAGES * T_PAGE))"
}

@test "churn: every reading command, with and without --stop: bounded, documented statuses, target runs on" {
	start_churn
	local round s n=0 core="$BATS_TEST_TMPDIR/churn.core" slot
	for ((round = 0; ; round++)); do
		more $round || break
		slot=$(region $((round % T_SLOTS)))
		for s in "" --stop; do
			ran "$PVMIO" read $s --holes=zero "$TPID" "$T_AREA..$END"
			ran "$PVMIO" read $s --holes=skip -f hex "$TPID" "$T_AREA..$END"
			ran "$PVMIO" dump $s "$TPID" "$slot"
			ran "$PVMIO" find $s "$TPID" 'c5 c5 c5 c5' "$T_AREA..$END"
			ran "$PVMIO" find $s -m 3 "$TPID" 'fa ?? fa'
			ran "$PVMIO" maps $s "$TPID"
			ran "$PVMIO" where $s "$TPID" "${slot%:*}" "$T_AREA"
			ran "$PVMIO" watch $s -t u64 --count 1 --for 20ms "$TPID" "${slot%:*}"
			ALLOWED="0 1 5" ran "$PVMIO" wait $s --timeout 20ms "$TPID" "${slot%:*}:8" changed
			ran "$PVMIO" core $s -o "$core" "$TPID"
			ran "$PVMIO" diff "$core" "$TPID" "$T_AREA..$END"
			n=$((n + 11))
		done
		running "$TPID" || wait_until 5 running "$TPID"
	done
	canaries_intact "$TPID"
	tell "churn, reading: $n runs (11 commands, with and without --stop) in ${SECONDS}s"
}

@test "churn: read --stop gives the bytes of an independent read taken while the target is stopped" {
	start_churn
	local round
	for ((round = 0; ; round++)); do
		more $((round * 4)) || break
		# 4.5 MiB through a 1 MiB pipe: pvmio holds the target stopped
		# until the checker has read /proc/PID/mem and drains the pipe
		timeout 60 "$PVMIO" read --stop --holes=zero "$TPID" "$T_AREA..$END" 2>/dev/null |
			python3 "$BATS_FILE_TMPDIR/same.py" "$TPID" "$T_AREA" "$T_AREA_LEN"
		wait_until 5 running "$TPID"
	done
	tell "churn, --stop against a stopped read: $round runs of 4.5 MiB, all equal, in ${SECONDS}s"
}

@test "churn: fill and write inside the regions, with and without --stop, never touch a canary; --verify holds when stopped" {
	start_churn
	local round s slot off byte
	for ((round = 0; ; round++)); do
		more $round || break
		for s in "" --stop; do
			slot=$((RANDOM % T_SLOTS))
			byte=$(printf '%02x' $((RANDOM % 256)))
			ran "$PVMIO" fill $s "$TPID" "$(region "$slot")" "$byte"
			off=$((RANDOM % (T_REGION_PAGES * T_PAGE / 4) * 4))
			ran "$PVMIO" write $s -t u32 "$TPID" "$(hex "$T_AREA + ($slot * $T_SLOT_PAGES + 1) * $T_PAGE + $off")" "$RANDOM"
		done
		# stopped, what fill says it wrote reads back
		slot=$((RANDOM % T_SLOTS))
		ran "$PVMIO" fill --stop --verify "$TPID" "$(region "$slot")" a5
		running "$TPID" || wait_until 5 running "$TPID"
	done
	canaries_intact "$TPID"
	tell "churn, writing: $((round * 5)) fills and writes in ${SECONDS}s, canaries intact"
}

@test "churn: a target that creates and ends threads all the time: --stop stops every thread, resumes all" {
	start_churn spawn 2
	local before round
	for ((round = 0; ; round++)); do
		more $((round * 2)) || break
		# 4.5 MiB through a 1 MiB pipe: pvmio holds the stop meanwhile.
		# On a failure, what pvmio said and its status are shown.
		{
			timeout 60 "$PVMIO" read --stop --holes=zero "$TPID" "$T_AREA..$END" 2>"$BATS_TEST_TMPDIR/pv.err"
			echo "pvmio: exit $?" >>"$BATS_TEST_TMPDIR/pv.err"
		} | python3 "$BATS_FILE_TMPDIR/held.py" "$TPID" || {
			cat "$BATS_TEST_TMPDIR/pv.err"
			return 1
		}
		wait_until 5 running "$TPID"
		before=$(mem_hex "$TPID" "$T_SPAWNED" 8)
		wait_until 5 not mem_is "$TPID" "$T_SPAWNED" "$before"
	done
	tell "churn, threads born and ended: $round runs of --stop held every thread, in ${SECONDS}s"
}

@test "churn: 2000 threads: --stop stops them all and resumes them all; how long it takes" {
	start_churn idle 2000
	[ "$(ls "/proc/$TPID/task" | wc -l)" -ge 2001 ]
	local round t0 t1 t2 plain=() stopped=() before
	for ((round = 0; ; round++)); do
		more $((round * 50)) || break
		t0=$(date +%s%N)
		ran "$PVMIO" read -f hex "$TPID" "$T_SPAWNED:8"
		t1=$(date +%s%N)
		ran "$PVMIO" read --stop -f hex "$TPID" "$T_SPAWNED:8"
		t2=$(date +%s%N)
		plain+=($(((t1 - t0) / 1000000))) stopped+=($(((t2 - t1) / 1000000)))
		wait_until 10 running "$TPID"
	done
	tell "churn, 2001 threads, $round rounds: read $(spread "${plain[@]}"); read --stop $(spread "${stopped[@]}")"
	# held: every thread in tracing stop while pvmio waits on the pipe
	timeout 60 "$PVMIO" read --stop --holes=zero "$TPID" "$T_AREA..$END" 2>/dev/null |
		python3 "$BATS_FILE_TMPDIR/held.py" "$TPID"
	wait_until 10 running "$TPID"
	before=$(mem_hex "$TPID" "$T_SPAWNED" 8)
	wait_until 5 not mem_is "$TPID" "$T_SPAWNED" "$before"
}
