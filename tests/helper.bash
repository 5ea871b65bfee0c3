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

# Kills every target this test started, by pid.
stop_targets() {
	local pid
	for pid in "${TARGET_PIDS[@]}"; do
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	TARGET_PIDS=()
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
