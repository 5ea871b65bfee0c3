# Loaded by every suite: starting targets, independent reads, cleanup.
# The environment comes from `make check` (Makefile.am): PVMIO, TARGET,
# TESTS_DIR, TOP_BUILDDIR.
: "${PVMIO:?run the suites through make check}"
: "${TARGET:?run the suites through make check}"

TARGET_PIDS=()

# start_target [ARGS...]: starts tests/target, waits for READY, and sets
# TPID and T_<NAME> for each NAME=value line it prints (T_PATTERN, ...).
start_target() {
	local out="$BATS_TEST_TMPDIR/target.$RANDOM.out"
	"$TARGET" "$@" >"$out" 2>&1 &
	TPID=$!
	TARGET_PIDS+=("$TPID")
	local i
	for ((i = 0; i < 500; i++)); do
		grep -q '^READY$' "$out" 2>/dev/null && break
		sleep 0.01
	done
	if ! grep -q '^READY$' "$out"; then
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

# start_process CMD...: starts any program as a target, sets TPID.
start_process() {
	"$@" &
	TPID=$!
	TARGET_PIDS+=("$TPID")
}

# Kills every target this test started, by pid, and removes what
# as_nobody staged.
stop_targets() {
	local pid
	for pid in "${TARGET_PIDS[@]}"; do
		kill -KILL "$pid" 2>/dev/null || true
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

# shift_addr START: hexdump -C offsets (from 0) on stdin become START +
# offset, printed as hexdump prints them ("%08x").
shift_addr() {
	perl -pe 'BEGIN { $s = hex(shift) } s/^([0-9a-f]+)/sprintf("%08x", hex($1) + $s)/e' "$(hex "$1")"
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

# refused STATUS "$PVMIO" COMMAND ARGS...: the command must fail with
# STATUS, print one "pvmio: COMMAND:" line on stderr and nothing on stdout.
# (Whether memory stayed untouched is checked with snapshot/untouched.)
refused() {
	local want=$1
	shift
	run --separate-stderr "$@"
	echo "status $status; stdout '$output'; stderr '$stderr'"
	[ "$status" -eq "$want" ]
	[ -z "$output" ]
	[[ $stderr == "pvmio: $2: "* ]]
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
}
