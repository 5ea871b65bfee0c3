# Loaded by every suite: starting targets, waiting, independent reads and
# writes, expected bytes and dumps, failures, cleanup.
# The environment comes from `make check` (Makefile.am): PVMIO, TARGET,
# TESTS_DIR, TOP_BUILDDIR.
#
# Test names say "CMD: what holds": CMD is the pvmio command (with the
# options under test, as in "read -f hex:"), or the area where no single
# command is meant ("names:", "processes:", "stop:", "manual:").
: "${PVMIO:?run the suites through make check}"
: "${TARGET:?run the suites through make check}"

TARGET_PIDS=()

# start_ready CMD...: starts CMD, a target that prints NAME=value lines
# and then READY; waits for READY and sets TPID and T_<NAME> for each
# NAME=value line it printed.
start_ready() {
	local out="$BATS_TEST_TMPDIR/target.$RANDOM.out"
	"$@" >"$out" 2>&1 &
	TPID=$!
	TARGET_PIDS+=("$TPID")
	if ! wait_until 30 grep -qs '^READY$' "$out"; then
		echo "target did not start: $(cat "$out")" >&2
		return 1
	fi
	local line
	while IFS= read -r line; do
		if [[ $line == *=* ]]; then
			printf -v "T_${line%%=*}" '%s' "${line#*=}"
		fi
	done <"$out"
}

# start_target [ARGS...]: start_ready of tests/target (T_PATTERN, ...).
start_target() {
	start_ready "$TARGET" "$@"
}

# start_process CMD...: starts any program as a target, sets TPID.
start_process() {
	"$@" &
	TPID=$!
	TARGET_PIDS+=("$TPID")
}

# Kills every target this test started, by pid, and removes what
# as_nobody staged.  A target that ended early may have its pid given to
# another process by now (pid_max is 32768 on many machines): only a
# child of this shell (the test's, which teardown runs in) is killed.
stop_targets() {
	local pid stat
	for pid in "${TARGET_PIDS[@]}"; do
		# the state, then the parent's pid
		stat=$(stat_fields "/proc/$pid/stat") || stat=
		if [[ $stat == ?" $BASHPID "* ]]; then
			kill -KILL "$pid" 2>/dev/null || true
		fi
		wait "$pid" 2>/dev/null || true
	done
	TARGET_PIDS=()
	if [[ -n ${NOBODY_DIR:-} ]]; then
		rm -rf "$NOBODY_DIR"
		NOBODY_DIR=
	fi
}

# as_nobody: sets NOBODY to a command prefix that runs as uid 65534 with
# no groups (and so no CAP_SYS_PTRACE), and NOBODY_PVMIO to a pvmio that
# user can run: $PVMIO itself, or, where the build directory is closed to
# it (a clone in a mode-700 folder), a copy of the binary and libpvmio in
# a folder of its own.  Skips, with the reason, where that cannot be.
as_nobody() {
	[[ $(id -u) -eq 0 ]] || skip "needs root, to start a root-owned target and run pvmio as another user"
	command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"
	NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	NOBODY_PVMIO=$PVMIO
	"${NOBODY[@]}" "$NOBODY_PVMIO" --version >/dev/null 2>&1 && return 0
	NOBODY_DIR=$(mktemp -d /tmp/pvmio-nobody.XXXXXX)
	chmod 755 "$NOBODY_DIR"
	if [[ -x $TOP_BUILDDIR/.libs/pvmio ]]; then
		# libtool's wrapper: the real binary, and the library beside it
		cp "$TOP_BUILDDIR/.libs/pvmio" "$NOBODY_DIR/pvmio.bin"
		cp -P "$TOP_BUILDDIR"/src/lib/.libs/libpvmio.so* "$NOBODY_DIR/"
		printf '#!/bin/sh\nLD_LIBRARY_PATH=%s exec %s/pvmio.bin "$@"\n' "$NOBODY_DIR" "$NOBODY_DIR" \
			>"$NOBODY_DIR/pvmio"
	else
		cp "$PVMIO" "$NOBODY_DIR/pvmio"
	fi
	chmod -R a+rX "$NOBODY_DIR"
	chmod 755 "$NOBODY_DIR/pvmio"
	NOBODY_PVMIO=$NOBODY_DIR/pvmio
	"${NOBODY[@]}" "$NOBODY_PVMIO" --version >/dev/null 2>&1 ||
		skip "uid 65534 cannot run pvmio, not even a copy in $NOBODY_DIR"
}

teardown() {
	stop_targets
}

# mem_read PID ADDR LEN > FILE: the bytes from /proc/PID/mem, read by
# python3 and not by pvmio, for comparisons.
mem_read() {
	python3 - "$1" "$2" "$3" <<'PY'
import os, sys
pid, addr, n = int(sys.argv[1]), int(sys.argv[2], 0), int(sys.argv[3], 0)
fd = os.open(f"/proc/{pid}/mem", os.O_RDONLY)
out = bytearray()
while len(out) < n:
    chunk = os.pread(fd, min(n - len(out), 1 << 20), addr + len(out))
    if not chunk:
        break
    out += chunk
sys.stdout.buffer.write(out)
PY
}

# mem_hex PID ADDR LEN: the same bytes as lowercase hex.
mem_hex() {
	mem_read "$@" | od -An -v -tx1 | tr -d ' \n'
	echo
}

# hex ADDR: ADDR (0x... or decimal) as 0x-hex, for arithmetic in tests.
hex() {
	printf '0x%x' "$(($1))"
}

# mem_write PID ADDR FILE: writes FILE's bytes at ADDR through
# /proc/PID/mem with perl, independently of pvmio, to set memory up.
mem_write() {
	perl -e '
		my ($pid, $addr, $file) = @ARGV;
		open(my $in, "<:raw", $file) or die "$file: $!";
		local $/; my $data = <$in>;
		open(my $mem, "+<:raw", "/proc/$pid/mem") or die "mem: $!";
		sysseek($mem, hex($addr), 0) or die "seek: $!";
		syswrite($mem, $data) == length($data) or die "write: $!";
	' "$1" "$(hex "$2")" "$3"
}

# mem_write_hex PID ADDR HEX: mem_write of the bytes HEX spells.
mem_write_hex() {
	mem_write "$1" "$2" <(unhex "$3")
}

# shift_addr START: hexdump -C offsets (from 0) on stdin become START +
# offset, printed as hexdump prints them ("%08x").
shift_addr() {
	perl -pe 'BEGIN { $s = hex(shift) } s/^([0-9a-f]+)/sprintf("%08x", hex($1) + $s)/e' "$(hex "$1")"
}

# --- dumps against the real xxd and hexdump -C -------------------------------

# grab START LEN: one independent read (mem_read of $TPID) of START:LEN
# that bytes_at, ref_xxd and ref_hd cut their bytes from; the latest grab
# that holds a span wins.
GRAB_START=()
GRAB_END=()
grab() {
	local i=${#GRAB_START[@]}
	mem_read "$TPID" "$1" "$2" >"$BATS_TEST_TMPDIR/grab.$i.bin"
	[ "$(stat -c %s "$BATS_TEST_TMPDIR/grab.$i.bin")" -eq "$(($2))" ] || return 1
	GRAB_START+=($(($1)))
	GRAB_END+=($(($1 + $2)))
}

# bytes_at START LEN > FILE: the real bytes of $TPID, from a grab if one
# holds them, else from a fresh mem_read (which must not come up short).
bytes_at() {
	local start=$(($1)) len=$(($2)) i
	for ((i = ${#GRAB_START[@]} - 1; i >= 0; i--)); do
		if ((start >= GRAB_START[i] && start + len <= GRAB_END[i])); then
			tail -c +$((start - GRAB_START[i] + 1)) "$BATS_TEST_TMPDIR/grab.$i.bin" | head -c "$len"
			return
		fi
	done
	mem_read "$TPID" "$start" "$len" >"$BATS_TEST_TMPDIR/read.bin"
	[ "$(stat -c %s "$BATS_TEST_TMPDIR/read.bin")" -eq "$len" ] || return 1
	cat "$BATS_TEST_TMPDIR/read.bin"
}

# ref_xxd START LEN [XXD OPTIONS]: xxd -o START of the LEN real bytes there.
ref_xxd() {
	local start=$1 len=$2
	shift 2
	bytes_at "$start" "$len" >"$BATS_TEST_TMPDIR/ref.bin" || return 1
	xxd -o "$(hex "$start")" "$@" "$BATS_TEST_TMPDIR/ref.bin"
}

# ref_hd START LEN [HEXDUMP OPTIONS]: hexdump -C of the real bytes, with
# the offsets shifted to the addresses.
ref_hd() {
	local start=$1 len=$2
	shift 2
	bytes_at "$start" "$len" >"$BATS_TEST_TMPDIR/ref.bin" || return 1
	hexdump -C "$@" "$BATS_TEST_TMPDIR/ref.bin" | shift_addr "$start"
}

# same_dump EXPECTED-FILE CMD...: CMD exits 0 with nothing on stderr, and
# its stdout (kept in $BATS_TEST_TMPDIR/got) is EXPECTED byte for byte.
same_dump() {
	local expected=$1 rc=0 got=$BATS_TEST_TMPDIR/got err=$BATS_TEST_TMPDIR/err
	shift
	"$@" >"$got" 2>"$err" || rc=$?
	if [ "$rc" -ne 0 ] || [ -s "$err" ]; then
		echo "$* exited $rc: $(cat "$err")"
		return 1
	fi
	if ! cmp -s "$expected" "$got"; then
		echo "differs from the real tool: $*"
		diff "$expected" "$got" | head -20
		return 1
	fi
}

# around ADDR LEN: the hex of LEN bytes at ADDR of $TPID and 64 bytes
# either side.
around() {
	mem_hex "$TPID" "$(($1 - 64))" "$(($2 + 128))"
}

# written ADDR WANT CMD...: runs CMD, which must succeed silently and
# write exactly the bytes WANT (hex) at ADDR: the 64 bytes on either side
# stay as they were.
written() {
	local addr=$(($1)) want=$2
	shift 2
	local n=$((${#want} / 2))
	local before after
	before=$(around "$addr" "$n")
	[ "${#before}" -eq $((2 * (n + 128))) ]
	run --separate-stderr "$@"
	echo "status $status; stdout '$output'; stderr '$stderr'"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -z "$stderr" ]
	after=$(around "$addr" "$n")
	echo "want   ${before:0:128} $want ${before:$((128 + 2 * n))}"
	echo "memory ${after:0:128} ${after:128:$((2 * n))} ${after:$((128 + 2 * n))}"
	[ "$after" = "${before:0:128}${want}${before:$((128 + 2 * n))}" ]
}

# snapshot ADDR LEN: remembers the bytes around ADDR (see around);
# untouched: asserts they are still the same.
snapshot() {
	SNAP_ADDR=$(($1)) SNAP_LEN=$(($2))
	SNAP=$(around "$SNAP_ADDR" "$SNAP_LEN")
	[ "${#SNAP}" -eq $((2 * (SNAP_LEN + 128))) ]
}
untouched() {
	local now
	now=$(around "$SNAP_ADDR" "$SNAP_LEN")
	echo "before $SNAP"
	echo "now    $now"
	[ "$now" = "$SNAP" ]
}

# fails STATUS REGEX CMD...: runs CMD (run --separate-stderr, so $status,
# $output and $stderr stay set for further checks); it must exit STATUS,
# print nothing on stdout and exactly one line on stderr, which matches
# the extended regular expression REGEX (anchor it with ^ where the whole
# message is meant; every pvmio message is "pvmio: COMMAND: ...").
fails() {
	local want=$1 re=$2
	shift 2
	run --separate-stderr "$@"
	echo "$*: status $status (want $want); stdout '$output'; stderr '$stderr' (want /$re/)"
	[ "$status" -eq "$want" ] || return 1
	[ -z "$output" ] || return 1
	[[ -n $stderr && $stderr != *$'\n'* ]] || return 1
	[[ $stderr =~ $re ]] || return 1
}

# refused STATUS "$PVMIO" COMMAND ARGS...: fails STATUS with the message
# of COMMAND, "pvmio: COMMAND: ...".  (Whether memory stayed untouched is
# checked with snapshot/untouched.)
refused() {
	local want=$1
	shift
	fails "$want" "^pvmio: $2: " "$@"
}

# wait_until SECONDS CMD...: runs CMD until it succeeds, every 10 ms (50 ms
# after the first second); fails, saying what it waited for, when SECONDS
# have passed without.
wait_until() {
	local timeout=$1 n=0 delay=0.01
	shift
	local now=${EPOCHREALTIME//[.,]/}
	local deadline=$((now + timeout * 1000000))
	until "$@"; do
		now=${EPOCHREALTIME//[.,]/}
		if ((now >= deadline)); then
			echo "gave up after ${timeout}s waiting for: $*" >&2
			return 1
		fi
		((++n == 100)) && delay=0.05
		sleep "$delay"
	done
}

# stat_fields FILE: the fields of a /proc stat file after the command's
# name, read whole: the name may hold spaces, ") " and newlines
# (faults.bats gives one a newline).
stat_fields() {
	local s
	s=$(cat "$1" 2>/dev/null) || return 1
	printf '%s\n' "${s##*) }"
}

# proc_state PID: the state letter of /proc/PID/stat (R, S, T, t, Z...).
proc_state() {
	stat_fields "/proc/$1/stat" | cut -d' ' -f1
}

# start_zombie: starts a sleep as a target (TPID) with an exited child it
# never reaps, and sets ZOMBIE to that child's pid.  The child exits only
# once its parent has exec'd into sleep: one that ended before, the shell
# would have reaped.
start_zombie() {
	local pidfile=$BATS_TEST_TMPDIR/zombie
	# shellcheck disable=SC2016
	start_process sh -c 'sh -c "until grep -qx sleep /proc/\$PPID/comm; do sleep 0.01; done" &
		echo $! >"$0"; exec sleep 1000' "$pidfile"
	wait_until 5 nonempty "$pidfile"
	ZOMBIE=$(cat "$pidfile")
	wait_until 5 in_state "$ZOMBIE" Z ||
		{ echo "child $ZOMBIE did not become a zombie (state $(proc_state "$ZOMBIE"))"; return 1; }
}

# in_state PID LETTER: PID is in that state now; for wait_until.
in_state() {
	[[ $(proc_state "$1") == "$2" ]]
}

# nonempty FILE: FILE exists and is not empty; for wait_until.
nonempty() {
	[[ -s $1 ]]
}

# not CMD...: CMD fails; for wait_until.
not() {
	! "$@"
}

# For wait_until, which runs its command anew each time (a $(...) among
# its arguments is worked out once, before the first try):
# lines_at_least N FILE: FILE has N lines or more.
lines_at_least() {
	[ "$(wc -l <"$2")" -ge "$1" ]
}

# threads_are PID N: the process has N threads.
threads_are() {
	local t=(/proc/"$1"/task/*)
	[ "${#t[@]}" -eq "$2" ]
}

# mem_is PID ADDR HEX: the bytes at ADDR are HEX now (read by mem_hex).
mem_is() {
	[[ $(mem_hex "$1" "$2" "$((${#3} / 2))") == "$3" ]]
}

# --- expected bytes ----------------------------------------------------------

# pack ORDER TYPE VALUE...: the bytes of the VALUEs as hex, by Python's
# struct; ORDER is <, > or = (native), TYPE a pvmio type (u8 ... i64,
# f32, f64, ptr) or a struct code (B b H h I i Q q f d).  f32 values are
# rounded once from the exact decimal (ties to even), not through a
# double, as pvmio rounds them.
pack() {
	python3 - "$@" <<'PY'
import struct, sys
from fractions import Fraction
order, typ, vals = sys.argv[1], sys.argv[2], sys.argv[3:]
codes = {"u8": "B", "i8": "b", "u16": "H", "i16": "h", "u32": "I", "i32": "i",
         "u64": "Q", "i64": "q", "f32": "f", "f64": "d",
         "ptr": "Q" if struct.calcsize("P") == 8 else "I"}
code = codes.get(typ, typ)
assert order in "<>=" and len(order) == 1 and code in "BbHhIiQqfd", (order, typ)
def f32(s):
    exact = Fraction(s)
    bits = struct.unpack("<I", struct.pack("<f", float(s)))[0]
    best = None
    for b in (bits - 1, bits, bits + 1):
        c = struct.unpack("<f", struct.pack("<I", b & 0xffffffff))[0]
        if c != c or c in (float("inf"), float("-inf")):
            continue
        c = Fraction(c)
        key = (abs(c - exact), b & 1)
        if best is None or key < best[0]:
            best = (key, b)
    return struct.unpack("<f", struct.pack("<I", best[1]))[0]
out = b""
for v in vals:
    if code == "f":
        x = f32(v)
    elif code == "d":
        x = float(v)
    else:
        x = int(v, 0)
    out += struct.pack(order + code, x)
print(out.hex())
PY
}

# unhex HEX > FILE: the bytes that HEX (spaces allowed) spells.
unhex() {
	python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(sys.argv[1]))' "$1"
}

# hex_of STRING: STRING's bytes as lowercase hex.
hex_of() {
	printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n'
	echo
}
