#!/usr/bin/env bats
# pvmio dump against the real xxd and hexdump -C, run on the same bytes
# read independently from /proc/PID/mem (doc/DESIGN.md, "Tests"); the
# dumper is src/cli/dumper.c ("The command line, bottom up").

bats_require_minimum_version 1.5.0

load helper

setup() {
	command -v xxd >/dev/null || skip "xxd is not installed"
	command -v hexdump >/dev/null || skip "hexdump is not installed"
	D=$BATS_TEST_TMPDIR
}

# grab, bytes_at, ref_xxd, ref_hd and same_dump are in helper.bash.

# Data in the ZERO page with zero lines in runs of 1, 2, 3, 4, 5 and 19
# lines between non-zero lines, and repeated non-zero lines.
shape_zero_page() {
	python3 - "$TPID" "$T_ZERO" <<'PY'
import os, sys
b = bytearray(4096)
for line in (0, 2, 5, 9, 14, 20, 40):
    b[16 * line:16 * line + 16] = b"A" * 16
b[16 * 41 + 15] = 1
# repeated lines 60..69, then a line differing from them in one byte
for line in range(60, 71):
    b[16 * line:16 * line + 16] = bytes(range(0x30, 0x40))
b[16 * 70 + 7] = 0
# a zero line between two equal non-zero lines
b[16 * 80:16 * 81] = b"B" * 16
b[16 * 82:16 * 83] = b"B" * 16
fd = os.open(f"/proc/{sys.argv[1]}/mem", os.O_WRONLY)
os.pwrite(fd, bytes(b), int(sys.argv[2], 0))
PY
}

@test "dump: default output is xxd -o START on random data, odd lengths, unaligned starts" {
	start_target
	grab "$T_RANDOM" "$T_RANDOM_LEN"
	local off len s
	for off in 0 1 7 13; do
		for len in 1 2 15 16 17 33 255 4095; do
			s=$(hex "$T_RANDOM + off")
			ref_xxd "$s" "$len" >"$D/want"
			same_dump "$D/want" "$PVMIO" dump "$TPID" "$s:$len"
		done
	done
	ref_xxd "$T_RANDOM" "$T_RANDOM_LEN" >"$D/want"
	same_dump "$D/want" "$PVMIO" dump "$TPID" "$T_RANDOM:$T_RANDOM_LEN"
	# ADDR..ADDR means the same bytes
	same_dump "$D/want" "$PVMIO" dump "$TPID" "$T_RANDOM..$(hex "$T_RANDOM + T_RANDOM_LEN")"
}

@test "dump: default output is xxd -o START on all-zero data" {
	start_target
	grab "$T_ZERO" 4096
	local off len s
	for off in 0 3; do
		for len in 1 15 16 17 33 4000; do
			s=$(hex "$T_ZERO + off")
			ref_xxd "$s" "$len" >"$D/want"
			same_dump "$D/want" "$PVMIO" dump "$TPID" "$s:$len"
		done
	done
	ref_xxd "$T_ZERO" 4096 >"$D/want"
	same_dump "$D/want" "$PVMIO" dump "$TPID" "$T_ZERO:4096"
}

@test "dump: every -c and -g combination is xxd's, short last lines padded as xxd pads them" {
	start_target
	grab "$T_RANDOM" "$T_RANDOM_LEN"
	local c g len s=$(hex "$T_RANDOM + 5")
	bytes_at "$s" 33 >"$D/b.33"
	bytes_at "$s" 4095 >"$D/b.4095"
	for c in 1 3 8 16 17 32 256; do
		for g in 0 1 2 3 4 8 16; do
			for len in 33 4095; do
				xxd -o "$s" -c "$c" -g "$g" "$D/b.$len" >"$D/want"
				same_dump "$D/want" "$PVMIO" dump -c "$c" -g "$g" "$TPID" "$s:$len"
			done
		done
	done
	# the long spellings are the same options
	ref_xxd "$T_RANDOM" 100 -c 12 -g 4 >"$D/want"
	same_dump "$D/want" "$PVMIO" dump --cols=12 --groupsize=4 "$TPID" "$T_RANDOM:100"
	same_dump "$D/want" "$PVMIO" dump "$TPID" "$T_RANDOM:100" --cols 12 --groupsize 4
}

@test "dump: -c and -g on all-zero data are xxd's" {
	start_target
	grab "$T_ZERO" 4096
	local c g
	for c in 1 3 16 17 256; do
		for g in 0 1 4; do
			ref_xxd "$(hex "$T_ZERO + 1")" 1000 -c "$c" -g "$g" >"$D/want"
			same_dump "$D/want" "$PVMIO" dump -c "$c" -g "$g" "$TPID" "$(hex "$T_ZERO + 1"):1000"
		done
	done
}

@test "dump: -a collapses zero lines as xxd -a does: runs of 1, 2, 3, 4, 5 and more lines" {
	start_target
	shape_zero_page
	grab "$T_ZERO" 4096
	local c off len s
	for c in 16 8 3 32; do
		for off in 0 5; do
			# ends inside a zero run, at the end of a run, and mid-line
			for len in 672 688 700 4096; do
				((off + len <= 4096)) || continue
				s=$(hex "$T_ZERO + off")
				ref_xxd "$s" "$len" -a -c "$c" >"$D/want"
				same_dump "$D/want" "$PVMIO" dump -a -c "$c" "$TPID" "$s:$len"
			done
		done
	done
	# a page of nothing but zeros, and --autoskip spelled out
	mem_write "$TPID" "$T_ZERO" <(head -c 4096 /dev/zero)
	grab "$T_ZERO" 4096
	ref_xxd "$T_ZERO" 4096 -a >"$D/want"
	same_dump "$D/want" "$PVMIO" dump -a "$TPID" "$T_ZERO:4096"
	same_dump "$D/want" "$PVMIO" dump --autoskip "$TPID" "$T_ZERO:4096"
	# zero lines running into TYPED's non-zero first line
	ref_xxd "$(hex "$T_TYPED - 80")" 200 -a >"$D/want"
	same_dump "$D/want" "$PVMIO" dump -a "$TPID" "$(hex "$T_TYPED - 80"):200"
}

@test "dump -a: state carries across a large dump (1 MiB with long zero runs)" {
	start_target --big 1M
	head -c 300000 /dev/zero >"$D/z"
	mem_write "$TPID" "$(hex "$T_BIG + 100000")" "$D/z"
	mem_write "$TPID" "$(hex "$T_BIG + 700003")" "$D/z"
	grab "$T_BIG" "$T_BIG_LEN"
	ref_xxd "$T_BIG" "$T_BIG_LEN" -a >"$D/want"
	same_dump "$D/want" "$PVMIO" dump -a "$TPID" "$T_BIG:$T_BIG_LEN"
	ref_xxd "$T_BIG" "$T_BIG_LEN" >"$D/want"
	same_dump "$D/want" "$PVMIO" dump "$TPID" "$T_BIG:$T_BIG_LEN"
}

@test "dump -C: hexdump -C with absolute addresses, random data, odd lengths, unaligned starts" {
	start_target
	grab "$T_RANDOM" "$T_RANDOM_LEN"
	local off len s
	for off in 0 1 9; do
		for len in 1 15 16 17 33 4095; do
			s=$(hex "$T_RANDOM + off")
			ref_hd "$s" "$len" >"$D/want"
			same_dump "$D/want" "$PVMIO" dump -C "$TPID" "$s:$len"
			ref_hd "$s" "$len" -v >"$D/want"
			same_dump "$D/want" "$PVMIO" dump -C -v "$TPID" "$s:$len"
		done
	done
	ref_hd "$T_RANDOM" "$T_RANDOM_LEN" >"$D/want"
	same_dump "$D/want" "$PVMIO" dump --canonical "$TPID" "$T_RANDOM:$T_RANDOM_LEN"
}

@test "dump -C: '*' squeezes repeated lines as hexdump -C does, -v shows them" {
	start_target
	shape_zero_page
	grab "$T_ZERO" 4096
	local off len s
	for off in 0 3; do
		for len in 1 17 100 700 1100 1301 4000; do
			((off + len <= 4096)) || continue
			s=$(hex "$T_ZERO + off")
			ref_hd "$s" "$len" >"$D/want"
			same_dump "$D/want" "$PVMIO" dump -C "$TPID" "$s:$len"
			ref_hd "$s" "$len" -v >"$D/want"
			same_dump "$D/want" "$PVMIO" dump -C -v "$TPID" "$s:$len"
		done
	done
	# the squeezed line ends the dump: '*' and then the closing address
	ref_hd "$(hex "$T_ZERO + 960")" 176 >"$D/want"
	grep -qx '\*' "$D/want"
	same_dump "$D/want" "$PVMIO" dump -C "$TPID" "$(hex "$T_ZERO + 960"):176"
	ref_hd "$(hex "$T_ZERO + 960")" 176 -v >"$D/want"
	same_dump "$D/want" "$PVMIO" dump --canonical --no-squeezing "$TPID" "$(hex "$T_ZERO + 960"):176"
}

@test "dump -C: an all-zero page squeezes to three lines and the closing address" {
	start_target
	grab "$T_ZERO" 4096
	ref_hd "$T_ZERO" 4096 >"$D/want"
	[ "$(wc -l <"$D/want")" -eq 3 ]
	same_dump "$D/want" "$PVMIO" dump -C "$TPID" "$T_ZERO:4096"
	ref_hd "$T_ZERO" 4096 -v >"$D/want"
	same_dump "$D/want" "$PVMIO" dump -C -v "$TPID" "$T_ZERO:4096"
	[ "$(tail -n 1 "$D/got")" = "$(printf '%08x' "$((T_ZERO + 4096))")" ]
}

@test "dump -C: squeezing carries across a large dump (1 MiB)" {
	start_target --big 1M
	head -c 300000 /dev/zero >"$D/z"
	mem_write "$TPID" "$(hex "$T_BIG + 100000")" "$D/z"
	mem_write "$TPID" "$(hex "$T_BIG + 700005")" "$D/z"
	grab "$T_BIG" "$T_BIG_LEN"
	ref_hd "$(hex "$T_BIG + 1")" "$((T_BIG_LEN - 1))" >"$D/want"
	same_dump "$D/want" "$PVMIO" dump -C "$TPID" "$(hex "$T_BIG + 1"):$((T_BIG_LEN - 1))"
}

# dump formats a long run of whole lines on two CPUs: the second half of
# each 512 KiB goes to a helper thread (src/cli/dumper.c), so from a MiB's
# start the cuts fall on odd multiples of 256 KiB.  BIG's lines come from
# three kinds, so that runs of equal lines meet the cuts anyway, and at
# every 64 KiB the lines before and after stand in one of the four ways
# squeezing can: a b | c, a a | b, a b | b, a a | a, picked so that the
# cuts (every 256 KiB or, with twice the helper's share, 512 KiB) meet all
# four.
@test "dump: runs formatted half on a second CPU are xxd's and hexdump -C's, squeezing across the cut" {
	start_target --big 4M
	python3 - "$TPID" "$T_BIG" "$T_BIG_LEN" <<'PY'
import os, random, sys
pid, big, n = int(sys.argv[1]), int(sys.argv[2], 0), int(sys.argv[3], 0)
rnd = random.Random(17)
kinds = [bytes(rnd.randrange(256) for _ in range(16)) for _ in range(4)]
lines = [rnd.choice(kinds[:3]) for _ in range(n // 16)]
ways = [(0, 1, 2), (0, 0, 1), (0, 1, 1), (0, 0, 0)]
for m in range(1, n // 65536):
    x, y, z = ways[(m + m // 4 + m // 16) % 4]
    first = m * 65536 // 16
    lines[first - 3:first + 1] = [kinds[3], kinds[x], kinds[y], kinds[z]]
fd = os.open(f"/proc/{pid}/mem", os.O_WRONLY)
os.pwrite(fd, b"".join(lines), big)
PY
	grab "$T_BIG" "$T_BIG_LEN"
	local off s
	for off in 0 1 16 4097; do
		s=$(hex "$T_BIG + off")
		ref_hd "$s" "$((T_BIG_LEN - off))" >"$D/want"
		same_dump "$D/want" "$PVMIO" dump -C "$TPID" "$s:$((T_BIG_LEN - off))"
		ref_hd "$s" "$((T_BIG_LEN - off))" -v >"$D/want"
		same_dump "$D/want" "$PVMIO" dump -C -v "$TPID" "$s:$((T_BIG_LEN - off))"
		ref_xxd "$s" "$((T_BIG_LEN - off))" >"$D/want"
		same_dump "$D/want" "$PVMIO" dump "$TPID" "$s:$((T_BIG_LEN - off))"
	done
	# the squeezed dump is short: the cuts' lines are in it as they stand
	ref_hd "$T_BIG" "$T_BIG_LEN" >"$D/want"
	[ "$(grep -c '^\*$' "$D/want")" -gt 1000 ]
}

# A run whose addresses grow a digit (0xffffffff0 to 0x100000000) is cut
# where they do, and what follows is cut in halves again: a python3 target
# maps 3 MiB at 0xfff00000, across 2^32, and the dumps start so that 2^32
# falls in the caller's half of a 512 KiB share and in the helper's (and
# on a MiB's end), not where a cut falls anyway.
@test "dump: a long run across 2^32, where addresses grow a digit, is xxd's and hexdump -C's" {
	local out="$D/py.out"
	start_process python3 -c '
import ctypes, random, time
libc = ctypes.CDLL(None)
libc.prctl(0x59616d61, ctypes.c_ulong(2**64 - 1), 0, 0, 0)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
# PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE
a = libc.mmap(0xfff00000, 3 << 20, 3, 0x02 | 0x20 | 0x100000, -1, 0)
if a != 0xfff00000:
    print("NOMAP", flush=True)
else:
    rnd = random.Random(5)
    kinds = [rnd.randbytes(16) for _ in range(3)]
    ctypes.memmove(a, b"".join(rnd.choice(kinds) for _ in range(3 << 16)), 3 << 20)
    print("READY", flush=True)
time.sleep(600)' >"$out"
	wait_until 10 grep -qs 'READY\|NOMAP' "$out" || { echo "python3 did not start" >&2; return 1; }
	grep -q READY "$out" || skip "0xfff00000 could not be mapped here"
	grab 0xfff00000 $((3 << 20))
	local s len
	for s in 0xfffd0000 0xfffd0005 0xfffa0000 0xfff50009 0xfff00000; do
		len=$((0x100200000 - s))
		ref_xxd "$s" "$len" >"$D/want"
		same_dump "$D/want" "$PVMIO" dump "$TPID" "$s:$len"
		ref_hd "$s" "$len" >"$D/want"
		same_dump "$D/want" "$PVMIO" dump -C "$TPID" "$s:$len"
	done
}

@test "dump: several ranges in one call are the real tools' dumps of each, in order" {
	start_target
	shape_zero_page
	local r1=$(hex "$T_RANDOM + 3") r2=$T_ZERO r3=$(hex "$T_PATTERN + 4000")
	grab "$r1" 37
	grab "$r2" 700
	grab "$r3" 200
	{
		ref_xxd "$r1" 37
		ref_xxd "$r2" 700
		ref_xxd "$r3" 200
	} >"$D/want"
	same_dump "$D/want" "$PVMIO" dump "$TPID" "$r1:37" "$r2:700" "$r3:200"
	{
		ref_xxd "$r1" 37 -a -c 8 -g 4
		ref_xxd "$r2" 700 -a -c 8 -g 4
		ref_xxd "$r3" 200 -a -c 8 -g 4
	} >"$D/want"
	same_dump "$D/want" "$PVMIO" dump -a -c 8 -g 4 "$TPID" "$r1:37" "$r2:700" "$r3:200"
	{
		ref_hd "$r1" 37
		ref_hd "$r2" 700
		ref_hd "$r3" 200
	} >"$D/want"
	same_dump "$D/want" "$PVMIO" dump -C "$TPID" "$r1:37" "$r2:700" "$r3:200"
	# the same range twice is dumped twice
	{
		ref_xxd "$r1" 20
		ref_xxd "$r1" 20
	} >"$D/want"
	same_dump "$D/want" "$PVMIO" dump "$TPID" "$r1:20" "$r1:20"
}

@test "dump: a NAME dumps the span of its mappings" {
	start_target
	local line start end
	line=$(grep ' \[heap\]$' "/proc/$TPID/maps")
	start=0x${line%%-*}
	end=${line#*-}
	end=0x${end%% *}
	ref_xxd "$start" "$((end - start))" >"$D/want"
	same_dump "$D/want" "$PVMIO" dump "$TPID" '[heap]'
	same_dump "$D/want" "$PVMIO" dump "$TPID" heap
	ref_hd "$start" "$((end - start))" >"$D/want"
	same_dump "$D/want" "$PVMIO" dump -C "$TPID" heap

	line=$(grep ' \[vdso\]$' "/proc/$TPID/maps") || skip "no [vdso] mapping here"
	start=0x${line%%-*}
	end=${line#*-}
	end=0x${end%% *}
	ref_hd "$start" "$((end - start))" >"$D/want"
	same_dump "$D/want" "$PVMIO" dump -C "$TPID" '[vdso]'
}

@test "dump: a bare ADDR dumps 256 bytes; -n LEN changes that" {
	start_target
	local s=$(hex "$T_PATTERN + 5")
	ref_xxd "$s" 256 >"$D/want"
	same_dump "$D/want" "$PVMIO" dump "$TPID" "$s"
	ref_hd "$s" 256 >"$D/want"
	same_dump "$D/want" "$PVMIO" dump -C "$TPID" "$s"
	ref_xxd "$s" 1000 >"$D/want"
	same_dump "$D/want" "$PVMIO" dump -n 1000 "$TPID" "$s"
	ref_xxd "$s" 2048 >"$D/want"
	same_dump "$D/want" "$PVMIO" dump --length=2k "$TPID" "$s"
	# an ADDR expression too
	ref_xxd "$(hex "$T_TYPED + 16")" 256 >"$D/want"
	same_dump "$D/want" "$PVMIO" dump "$TPID" "$T_TYPED+16"
}

# check_holes MODE OUT START LEN UNREADABLE-START UNREADABLE-END REASON COLS [XXD OPTIONS]
# Checks pvmio's dump OUT of START:LEN (MODE xxd or C) where the bytes in
# [UNREADABLE-START, UNREADABLE-END) cannot be read: every line that is not
# a summary line is the real tool's line for those bytes with '??' for each
# unreadable byte in the hex columns and ' ' in the text column; a summary
# line names its byte count (all unreadable, whole lines) and REASON; the
# lines cover the range in order; no whole line of '??' stays uncollapsed.
check_holes() {
	local mode=$1 out=$2 start=$3 len=$4 us=$5 ue=$6 reason=$7 cols=$8
	shift 8
	python3 - "$TPID" "$mode" "$out" "$start" "$len" "$us" "$ue" "$reason" "$cols" "$@" <<'PY'
import os, re, subprocess, sys
pid, mode, outf = int(sys.argv[1]), sys.argv[2], sys.argv[3]
start, n, us, ue = (int(a, 0) for a in sys.argv[4:8])
reason, cols, xxd_opts = sys.argv[8], int(sys.argv[9]), sys.argv[10:]
end = start + n

# The real bytes, the unreadable ones filled with 0x5a ('Z') and with 0xa5
# ('.'): the two reference dumps differ exactly where pvmio must print '?'
# (hex digits '5'/'a' against 'a'/'5') or ' ' (text 'Z' against '.').
fd = os.open(f"/proc/{pid}/mem", os.O_RDONLY)
def filled(fill):
    out = bytearray()
    for a, b in ((start, min(us, end)), (max(ue, start), end)):
        if a < b:
            chunk = os.pread(fd, b - a, a)
            assert len(chunk) == b - a
            out += chunk
        if a == start:
            out += bytes([fill]) * (min(ue, end) - max(us, start))
    return bytes(out)

def reference(data):
    if mode == "C":
        text = subprocess.run(["hexdump", "-C", "-v"], input=data, capture_output=True, check=True).stdout
    else:
        text = subprocess.run(["xxd", "-o", hex(start)] + xxd_opts, input=data, capture_output=True, check=True).stdout
    d = {}
    for line in text.decode("latin-1").splitlines():
        m = re.match(r"([0-9a-f]+)[: ]", line)
        if m:
            a = int(m.group(1), 16) + (start if mode == "C" else 0)
            if mode == "C":
                line = "%08x" % a + line[m.end(1):]
            d[a] = line
    return d

ra, rb = reference(filled(0x5A)), reference(filled(0xA5))
summary = re.compile(r"^([0-9a-f]{8,})[: ]\s*\*\*.*?\b(\d+) bytes\b(.*)$")
errors = []
pos = start
summaries = 0
out = open(outf, encoding="latin-1").read().split("\n")
assert out[-1] == "", "output does not end in a newline"
out = out[:-1]
for i, line in enumerate(out):
    if mode == "C" and i == len(out) - 1:
        if line != "%08x" % end:
            errors.append(f"closing line {line!r}, want {'%08x' % end}")
        break
    m = re.match(r"([0-9a-f]+)", line)
    if not m or int(m.group(1), 16) != pos:
        errors.append(f"line {i + 1} {line!r}: want address {pos:x}")
        break
    s = summary.match(line)
    if s:
        summaries += 1
        k = int(s.group(2))
        if not (us <= pos and pos + k <= ue):
            errors.append(f"summary {line!r} covers readable bytes")
        if k % cols or k == 0:
            errors.append(f"summary {line!r} is not whole lines")
        if reason not in line:
            errors.append(f"summary {line!r} does not say {reason!r}")
        pos += k
        continue
    k = min(cols, end - pos)
    if k == cols and us <= pos and pos + k <= ue:
        errors.append(f"line {line!r}: a whole unreadable line not collapsed")
    a, b = ra[pos], rb[pos]
    want = "".join(ca if ca == cb else ("?" if ca in "5a" else " ") for ca, cb in zip(a, b))
    if line != want:
        errors.append(f"line {i + 1}:\n got {line!r}\nwant {want!r}")
    pos += k
else:
    if mode == "C":
        errors.append("no closing address line")
if pos != end:
    errors.append(f"lines end at {pos:x}, want {end:x}")
if min(ue, end) - max(us, start) >= 2 * cols and summaries == 0:
    errors.append("no summary line for a long unreadable run")
if errors:
    print("\n".join(errors))
    sys.exit(1)
PY
}

# check_stderr ADDR: $stderr is one line, pvmio's, naming ADDR.
check_stderr() {
	[ "${#stderr_lines[@]}" -eq 1 ] || {
		echo "stderr is not one line: $stderr"
		return 1
	}
	[[ $stderr == "pvmio: dump: "* ]] || {
		echo "stderr: $stderr"
		return 1
	}
	[[ $stderr == *"$(hex "$1")"* ]] || {
		echo "stderr does not name $(hex "$1"): $stderr"
		return 1
	}
}

@test "dump: bytes across HOLE show as ?? and blank text; the readable lines are xxd's; exit 1" {
	start_target
	local s=$(hex "$T_HOLE - 20") he=$(hex "$T_HOLE + T_PAGE")
	# a short run: ?? within lines, no summary
	run --separate-stderr "$PVMIO" dump "$TPID" "$s:40"
	[ "$status" -eq 1 ]
	check_stderr "$T_HOLE"
	printf '%s\n' "$output" >"$D/out"
	grep -q '??' "$D/out"
	check_holes xxd "$D/out" "$s" 40 "$T_HOLE" "$he" "not mapped" 16
	# the whole hole and beyond: one summary line
	run --separate-stderr "$PVMIO" dump "$TPID" "$s:$((T_PAGE + 40))"
	[ "$status" -eq 1 ]
	check_stderr "$T_HOLE"
	[[ $stderr == *"$T_PAGE"* ]]
	printf '%s\n' "$output" >"$D/out"
	check_holes xxd "$D/out" "$s" "$((T_PAGE + 40))" "$T_HOLE" "$he" "not mapped" 16
	[ "$(grep -c 'unreadable\|not mapped' "$D/out")" -eq 1 ]
	[ "${#lines[@]}" -le 6 ]
	# the hole alone, aligned
	run --separate-stderr "$PVMIO" dump "$TPID" "$T_HOLE:$T_PAGE"
	[ "$status" -eq 1 ]
	check_stderr "$T_HOLE"
	[ "${#lines[@]}" -eq 1 ]
	printf '%s\n' "$output" >"$D/out"
	check_holes xxd "$D/out" "$T_HOLE" "$T_PAGE" "$T_HOLE" "$he" "not mapped" 16
}

@test "dump: the hole with -c and -g variants" {
	start_target
	local c g cg s he=$(hex "$T_HOLE + T_PAGE")
	for cg in 16/2 8/1 3/0 32/4 17/3 1/1; do
		c=${cg%/*} g=${cg#*/}
		for s in "$(hex "$T_HOLE - 21")" "$(hex "$T_HOLE - 64")"; do
			run --separate-stderr "$PVMIO" dump -c "$c" -g "$g" "$TPID" "$s:$((T_PAGE + 100))"
			[ "$status" -eq 1 ]
			check_stderr "$T_HOLE"
			printf '%s\n' "$output" >"$D/out"
			check_holes xxd "$D/out" "$s" "$((T_PAGE + 100))" "$T_HOLE" "$he" "not mapped" "$c" -c "$c" -g "$g"
		done
	done
}

@test "dump -C: bytes across HOLE, with and without -v, closing address line" {
	start_target
	local s v he=$(hex "$T_HOLE + T_PAGE")
	for v in "" -v; do
		for s in "$(hex "$T_HOLE - 20")" "$(hex "$T_HOLE - 32")"; do
			run --separate-stderr "$PVMIO" dump -C $v "$TPID" "$s:40"
			[ "$status" -eq 1 ]
			check_stderr "$T_HOLE"
			printf '%s\n' "$output" >"$D/out"
			check_holes C "$D/out" "$s" 40 "$T_HOLE" "$he" "not mapped" 16
			run --separate-stderr "$PVMIO" dump -C $v "$TPID" "$s:$((T_PAGE + 77))"
			[ "$status" -eq 1 ]
			check_stderr "$T_HOLE"
			printf '%s\n' "$output" >"$D/out"
			check_holes C "$D/out" "$s" "$((T_PAGE + 77))" "$T_HOLE" "$he" "not mapped" 16
			[ "$(grep -c 'unreadable\|not mapped' "$D/out")" -eq 1 ]
		done
	done
}

@test "dump: a PROT_NONE page is unreadable with its own reason; the ranges around it still dump" {
	start_target
	local s=$(hex "$T_NONE - 8") ne=$(hex "$T_NONE + T_PAGE")
	run --separate-stderr "$PVMIO" dump "$TPID" "$s:$((T_PAGE + 24))"
	[ "$status" -eq 1 ]
	check_stderr "$T_NONE"
	printf '%s\n' "$output" >"$D/out"
	# the reason is not "not mapped": the page is mapped
	local reason
	reason=$(grep -o '\*\*.*' "$D/out")
	[[ $reason != *"not mapped"* ]]
	reason=${reason#*bytes unreadable }
	reason=${reason% \*\*}
	[ -n "$reason" ]
	check_holes xxd "$D/out" "$s" "$((T_PAGE + 24))" "$T_NONE" "$ne" "$reason" 16
	# several ranges: the good ones are dumped in full, exit 1 for the bad one
	{
		ref_xxd "$T_PATTERN" 20
		ref_xxd "$T_AFTER" 20
	} >"$D/want"
	run --separate-stderr "$PVMIO" dump "$TPID" "$T_PATTERN:20" "$T_NONE:16" "$T_AFTER:20"
	[ "$status" -eq 1 ]
	check_stderr "$T_NONE"
	printf '%s\n' "$output" | grep -v "^$(printf '%08x' "$T_NONE")" >"$D/got"
	diff "$D/want" "$D/got"
}

# Bytes of every colour class in the ZERO page: NUL, printable, white space,
# other; it follows the NONE page, whose bytes are unreadable.
shape_classes() {
	printf '\x00\x41\x0a\x01\x00\x7e\x09\x7f\x21\x0d\xff\x80\x5a\x0b\x02\x00' >"$D/cls"
	mem_write "$TPID" "$T_ZERO" "$D/cls"
}

# on_tty CMD...: runs CMD with stdout on a pseudo-terminal; prints what it
# wrote there (with the terminal's \r\n turned back into \n).
on_tty() {
	python3 - "$@" <<'PY'
import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
out = b""
while True:
    try:
        chunk = os.read(fd, 65536)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
_, st = os.waitpid(pid, 0)
sys.stdout.buffer.write(out.replace(b"\r\n", b"\n"))
sys.exit(os.waitstatus_to_exitcode(st))
PY
}

strip_sgr() {
	sed 's/\x1b\[[0-9;]*m//g'
}

@test "dump --color=always: escapes in, and without them the output is --color=never's" {
	start_target
	shape_classes
	local fmt r=$(hex "$T_ZERO - 8"):40
	for fmt in "" -C "-c 7 -g 3" "-a"; do
		run --separate-stderr "$PVMIO" dump $fmt --color=always "$TPID" "$r"
		[ "$status" -eq 1 ]
		printf '%s\n' "$output" >"$D/color"
		grep -q $'\x1b\\[' "$D/color"
		run --separate-stderr "$PVMIO" dump $fmt --color=never "$TPID" "$r"
		[ "$status" -eq 1 ]
		printf '%s\n' "$output" >"$D/plain"
		run ! grep -q $'\x1b' "$D/plain"
		strip_sgr <"$D/color" | diff "$D/plain" -
	done
	# readable data only, against the real tools, exit 0
	ref_xxd "$T_RANDOM" 333 >"$D/want"
	"$PVMIO" dump --color=always "$TPID" "$T_RANDOM:333" >"$D/color"
	grep -q $'\x1b\\[' "$D/color"
	strip_sgr <"$D/color" | diff "$D/want" -
	ref_hd "$T_RANDOM" 333 >"$D/want"
	"$PVMIO" dump -C --color=always "$TPID" "$T_RANDOM:333" >"$D/color"
	grep -q $'\x1b\\[' "$D/color"
	strip_sgr <"$D/color" | diff "$D/want" -
}

@test "dump --color=auto: none into a pipe or a file, colour on a terminal, none with NO_COLOR" {
	start_target
	shape_classes
	local r=$T_ZERO:32
	"$PVMIO" dump "$TPID" "$r" >"$D/file"
	run ! grep -q $'\x1b' "$D/file"
	"$PVMIO" dump --color=auto "$TPID" "$r" >"$D/file"
	run ! grep -q $'\x1b' "$D/file"
	run --separate-stderr bash -c '"$1" dump --color=auto "$2" "$3" | cat' _ "$PVMIO" "$TPID" "$r"
	[ "$status" -eq 0 ]
	[[ $output != *$'\x1b'* ]]
	ref_xxd "$T_ZERO" 32 >"$D/want"
	diff "$D/want" "$D/file"

	run on_tty env -u NO_COLOR "$PVMIO" dump "$TPID" "$r"
	[ "$status" -eq 0 ]
	[[ $output == *$'\x1b['* ]]
	diff "$D/want" <(printf '%s\n' "$output" | strip_sgr)
	run on_tty env -u NO_COLOR "$PVMIO" dump --color=auto -C "$TPID" "$r"
	[ "$status" -eq 0 ]
	[[ $output == *$'\x1b['* ]]

	run on_tty env NO_COLOR=1 "$PVMIO" dump "$TPID" "$r"
	[ "$status" -eq 0 ]
	[[ $output != *$'\x1b'* ]]
	diff "$D/want" <(printf '%s\n' "$output")
	run on_tty env NO_COLOR=1 "$PVMIO" dump --color=auto -C "$TPID" "$r"
	[ "$status" -eq 0 ]
	[[ $output != *$'\x1b'* ]]
	# never on a terminal: no colour
	run on_tty env -u NO_COLOR "$PVMIO" dump --color=never "$TPID" "$r"
	[ "$status" -eq 0 ]
	[[ $output != *$'\x1b'* ]]
}

@test "dump --color: a bad WHEN is a usage error" {
	start_target
	refused 2 "$PVMIO" dump --color=sometimes "$TPID" "$T_ZERO:16"
	[[ $stderr == *sometimes* ]]
}

@test "dump --color: NUL, printable, white space, other and unreadable bytes in distinct colours, hex and text" {
	start_target
	shape_classes
	local fmt
	for fmt in -C "-g 1"; do
		run --separate-stderr "$PVMIO" dump $fmt --color=always "$TPID" "$(hex "$T_ZERO - 8"):24"
		[ "$status" -eq 1 ]
		printf '%s\n' "$output" >"$D/color"
		python3 - "$fmt" "$D/color" <<'PY'
import re, sys
fmt, path = sys.argv[1], sys.argv[2]
# the colour in effect for each visible character of a line
def colored(line):
    chars, sgr = [], ""
    for m in re.finditer(r"\x1b\[([0-9;]*)m|(.)", line):
        if m.group(1) is not None:
            sgr = "" if m.group(1) in ("", "0") else m.group(1)
        else:
            chars.append((m.group(2), sgr))
    return chars
lines = [colored(l) for l in open(path).read().splitlines()]
# bytes in order: 8 unreadable, then the 16 class bytes of the ZERO page
data = [None] * 8 + [0, 0x41, 0x0a, 0x01, 0, 0x7e, 0x09, 0x7f, 0x21, 0x0d, 0xff, 0x80, 0x5a, 0x0b, 0x02, 0]
def cls(b):
    if b is None: return "unreadable"
    if b == 0: return "nul"
    if 0x21 <= b <= 0x7e: return "printable"
    if b in (0x09, 0x0a, 0x0b, 0x0c, 0x0d): return "space"
    return "other"
# hex column of byte j, text column of byte j, in a 16-byte line
def positions(line, j):
    text = "".join(c for c, _ in line)
    p0 = len(re.match(r"[0-9a-f]+:? ", text).group(0))
    if fmt == "-C":
        p0 += 1
        h = p0 + 3 * j + (1 if j >= 8 else 0)
        t = text.index("|") + 1 + j
    else:
        h = p0 + 3 * j
        t = p0 + 3 * 16 + 1 + j
    return h, t
hexc, textc = {}, {}
errors = []
for i, b in enumerate(data):
    line = lines[i // 16]
    h, t = positions(line, i % 16)
    hc = {line[h][1], line[h + 1][1]}
    tc = line[t][1]
    if len(hc) != 1 or "" in hc:
        errors.append(f"byte {i}: hex digits not coloured as one: {hc}")
        continue
    hc = hc.pop()
    if not tc:
        errors.append(f"byte {i}: text column not coloured")
    hexc.setdefault(cls(b), set()).add(hc)
    textc.setdefault(cls(b), set()).add(tc)
for col, name in ((hexc, "hex"), (textc, "text")):
    for k, v in col.items():
        if len(v) != 1:
            errors.append(f"{name}: class {k} in several colours {v}")
    allc = [next(iter(v)) for v in col.values()]
    if len(col) != 5 or len(set(allc)) != 5:
        errors.append(f"{name}: classes not in 5 distinct colours: {col}")
if errors:
    print("\n".join(errors))
    sys.exit(1)
PY
	done
}

@test "read -f xxd and -f canonical: the same as dump and dump -C for the same ranges" {
	start_target
	shape_zero_page
	local r1=$(hex "$T_RANDOM + 3"):4097 r2=$T_ZERO:1300 r3=$(hex "$T_PATTERN + 1"):17
	"$PVMIO" dump "$TPID" "$r1" "$r2" "$r3" >"$D/want"
	same_dump "$D/want" "$PVMIO" read -f xxd "$TPID" "$r1" "$r2" "$r3"
	"$PVMIO" dump -C "$TPID" "$r1" "$r2" "$r3" >"$D/want"
	same_dump "$D/want" "$PVMIO" read -f canonical "$TPID" "$r1" "$r2" "$r3"
	# and both are the real tools'
	ref_xxd "$T_ZERO" 1300 >"$D/want"
	same_dump "$D/want" "$PVMIO" read -f xxd "$TPID" "$r2"
	ref_hd "$T_ZERO" 1300 >"$D/want"
	same_dump "$D/want" "$PVMIO" read --format=canonical "$TPID" "$r2"
}

@test "read: to a terminal without -f, the xxd view" {
	start_target
	ref_xxd "$T_RANDOM" 100 >"$D/want"
	run on_tty env NO_COLOR=1 "$PVMIO" read "$TPID" "$T_RANDOM:100"
	[ "$status" -eq 0 ]
	diff "$D/want" <(printf '%s\n' "$output" | strip_sgr)
	run on_tty env -u NO_COLOR "$PVMIO" read "$TPID" "$T_RANDOM:100"
	[ "$status" -eq 0 ]
	diff "$D/want" <(printf '%s\n' "$output" | strip_sgr)
	# not to a file: raw bytes
	"$PVMIO" read "$TPID" "$T_RANDOM:100" >"$D/raw"
	cmp "$D/raw" "$D/ref.bin"
}

@test "dump: bad -c and -g values are usage errors" {
	start_target
	local bad
	for bad in "-c 0" "-c 257" "-c x" "-g x" "-g -1" "-n 1x"; do
		refused 2 "$PVMIO" dump $bad "$TPID" "$T_ZERO"
	done
}

@test "dump -C: a range that ends at 2^64 closes with 10000000000000000, not a wrapped 00000000" {
	start_target
	run --separate-stderr "$PVMIO" dump -C "$TPID" 0xfffffffffffffff0:16
	echo "$output"
	[ "$status" -eq 1 ]
	[ "${lines[-1]}" = 10000000000000000 ]
	# and it writes back (nothing, every byte is unreadable)
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/d"
	run --separate-stderr "$PVMIO" write -f xxd -i "$BATS_TEST_TMPDIR/d" "$TPID"
	[ "$status" -eq 0 ]
}

@test "dump and read: [vsyscall], which maps lists, is not called unmapped" {
	start_target
	grep -q '\[vsyscall\]' "/proc/$TPID/maps" || skip "this kernel maps no [vsyscall]"
	local cmd
	for cmd in "dump $TPID [vsyscall]" "read $TPID vsyscall" "dump -C $TPID [vsyscall]:64"; do
		run --separate-stderr "$PVMIO" $cmd
		echo "$cmd: $status: $stderr"
		[ "$status" -eq 1 ]
		[[ $stderr != *"not mapped"* ]]
		[[ $output != *"not mapped"* ]]
	done
	[[ $stderr == *"refused by the kernel"* ]]
	run --separate-stderr "$PVMIO" read "$TPID" vsyscall
	[[ $stderr == *"[vsyscall]"* ]]
}
