#!/usr/bin/env bats
# pvmio find against an independent search of /proc/PID/mem in python3:
# random patterns, wildcards, alignment, -m, strings, typed values,
# overlapping matches, matches across the reader's 1 MiB chunks and at the
# edges of mappings, the default search over all mappings, exit statuses.

bats_require_minimum_version 1.5.0

load helper

# ref_find PID PATTERN ALIGN [RANGE...]: every match of PATTERN (hex bytes,
# `??` for any byte, spaces optional) at a multiple of ALIGN, one `0x...`
# a line, found by python3 in /proc/PID/mem. A RANGE is ADDR:LEN (numbers
# only); without one, every readable mapping but [vvar], [vvar_vclock] and
# [vsyscall], neighbours merged. Only bytes of mappings with read
# permission are searched, and no match spans an unreadable byte.
ref_find() {
	python3 - "$@" <<'PY'
import os, re, sys
pid, text, align = int(sys.argv[1]), sys.argv[2].replace(" ", ""), int(sys.argv[3], 0)
assert len(text) % 2 == 0 and text
toks = [text[i:i + 2] for i in range(0, len(text), 2)]
readable = []
for line in open(f"/proc/{pid}/maps"):
    f = line.rstrip("\n").split(None, 5)
    lo, hi = (int(x, 16) for x in f[0].split("-"))
    name = f[5] if len(f) > 5 else ""
    if f[1][0] != "r" or name in ("[vvar]", "[vvar_vclock]", "[vsyscall]") or lo >= 1 << 63:
        continue
    if readable and readable[-1][1] == lo:
        readable[-1][1] = hi
    else:
        readable.append([lo, hi])
if len(sys.argv) > 4:
    ranges = []
    for r in sys.argv[4:]:
        a, n = r.split(":")
        ranges.append((int(a, 0), int(a, 0) + int(n, 0)))
else:
    ranges = [tuple(r) for r in readable]
if "??" in toks:
    rx = re.compile(b"(?=" + b"".join(b"." if t == "??" else re.escape(bytes([int(t, 16)])) for t in toks) + b")",
                    re.DOTALL)
    def search(data):
        return [m.start() for m in rx.finditer(data)]
else:
    needle = bytes(int(t, 16) for t in toks)
    def search(data):
        out, i = [], data.find(needle)
        while i >= 0:
            out.append(i)
            i = data.find(needle, i + 1)
        return out
fd = os.open(f"/proc/{pid}/mem", os.O_RDONLY)
def segments(lo, hi):
    """The readable runs of [lo, hi) and their bytes."""
    for a, b in readable:
        s, e = max(a, lo), min(b, hi)
        if s >= e:
            continue
        buf, pos = bytearray(), s
        while pos < e:
            try:
                d = os.pread(fd, min(e - pos, 1 << 20), pos)
            except OSError:
                d = b""
            if not d:
                if buf:
                    yield pos - len(buf), bytes(buf)
                buf = bytearray()
                pos = (pos // 4096 + 1) * 4096
                continue
            buf += d
            pos += len(d)
        if buf:
            yield pos - len(buf), bytes(buf)
out = []
for lo, hi in ranges:
    for base, data in segments(lo, hi):
        out.extend("0x%x" % (base + i) for i in search(data) if (base + i) % align == 0)
print("\n".join(out))
PY
}

# agree PVMIO_ARGS... == REF_ARGS...: runs `pvmio find` and
# ref_find, shows both on failure, and checks the outputs are equal and
# that the status is 0 when there is a match, 1 when there is none.
agree() {
	local pargs=() rargs=()
	while [ "$1" != == ]; do
		pargs+=("$1")
		shift
	done
	shift
	rargs=("$@")
	ref_find "${rargs[@]}" >"$BATS_TEST_TMPDIR/ref"
	run --separate-stderr "$PVMIO" find "${pargs[@]}"
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/got"
	local expect=0
	[ -s "$BATS_TEST_TMPDIR/ref" ] && [ "$(cat "$BATS_TEST_TMPDIR/ref")" != "" ] || expect=1
	if ! diff "$BATS_TEST_TMPDIR/ref" "$BATS_TEST_TMPDIR/got" >"$BATS_TEST_TMPDIR/diff" ||
		[ "$status" -ne "$expect" ]; then
		echo "pvmio find ${pargs[*]}: status $status (want $expect), stderr: $stderr"
		head -20 "$BATS_TEST_TMPDIR/diff"
		return 1
	fi
	MATCHES=$(grep -c . "$BATS_TEST_TMPDIR/ref" || true)
}

# lacks ADDR: ADDR is not a line of the last `agree` output.
lacks() {
	if grep -qx "$1" "$BATS_TEST_TMPDIR/got"; then
		echo "$1 should not match"
		return 1
	fi
}

# spaced HEX: "a1b2c3" as "a1 b2 c3".
spaced() {
	sed -E 's/(..)/\1 /g; s/ $//' <<<"$1"
}

@test "find: random patterns from RANDOM (2, 3, 4, 8, 17 bytes) agree with python over [heap]" {
	start_target
	local heap len off pat rhex
	heap=$("$PVMIO" maps "$TPID" heap | awk '{ print $1 }')
	local lo=${heap%..*} hi=${heap#*..}
	rhex=$(mem_hex "$TPID" "$T_RANDOM" "$T_RANDOM_LEN")
	for len in 2 3 4 8 17; do
		for off in 0 $((len * 977)) $((T_RANDOM_LEN - len)); do
			pat=${rhex:2*off:2*len}
			agree "$TPID" "$pat" heap == "$TPID" "$pat" 1 "$lo:$((hi - lo))"
			grep -qx "$(hex $((T_RANDOM + off)))" "$BATS_TEST_TMPDIR/got"
		done
	done
}

@test "find: random patterns agree with python in the default search (all mappings)" {
	start_target
	local len off pat
	for len in 2 4 8 17; do
		off=$((len * 3001 + 5))
		pat=$(mem_hex "$TPID" $((T_RANDOM + off)) "$len")
		agree "$TPID" "$(spaced "$pat")" == "$TPID" "$pat" 1
		grep -qx "$(hex $((T_RANDOM + off)))" "$BATS_TEST_TMPDIR/got"
	done
}

@test "find: ?? wildcards (inside, leading, trailing) agree with python" {
	start_target
	local pat w
	pat=$(spaced "$(mem_hex "$TPID" $((T_RANDOM + 12345)) 8)")
	read -ra b <<<"$pat"
	local -A at=(
		["${b[0]} ?? ${b[2]} ${b[3]} ?? ?? ${b[6]} ${b[7]}"]=0
		["?? ${b[1]} ${b[2]}"]=0
		["${b[5]} ${b[6]} ??"]=5
		["${b[0]} ?? ?? ?? ?? ?? ?? ${b[7]}"]=0
		["${b[3]} ??"]=3
	)
	for w in "${!at[@]}"; do
		agree "$TPID" "$w" == "$TPID" "$w" 1
		grep -qx "$(hex $((T_RANDOM + 12345 + ${at[$w]})))" "$BATS_TEST_TMPDIR/got"
	done
	# Without spaces, too.
	agree "$TPID" "${b[0]}??${b[2]}" "$T_RANDOM:$T_RANDOM_LEN" == "$TPID" "${b[0]}??${b[2]}" 1 "$T_RANDOM:$T_RANDOM_LEN"
}

@test "find: only wildcards match at every position of the range" {
	start_target
	agree "$TPID" '?? ??' "$T_PATTERN:256" == "$TPID" '????' 1 "$T_PATTERN:256"
	[ "$MATCHES" -eq 255 ]
	agree "$TPID" '??' "$T_RO:$T_PAGE" --align 8 == "$TPID" '??' 8 "$T_RO:$T_PAGE"
	[ "$MATCHES" -eq $((T_PAGE / 8)) ]
}

@test "find --align: 4 and 8 agree with python" {
	start_target
	local pat n heap
	heap=$("$PVMIO" maps "$TPID" heap | awk '{ print $1 }')
	heap="${heap%..*}:$((${heap#*..} - ${heap%..*}))"
	for n in 2 4 8; do
		for pat in "$(mem_hex "$TPID" $((T_RANDOM + 100)) 1)" "$(mem_hex "$TPID" $((T_RANDOM + 3000)) 2)"; do
			agree "$TPID" "$pat" --align "$n" heap == "$TPID" "$pat" "$n" "$heap"
			[ "$MATCHES" -gt 0 ]
		done
	done
	pat=$(mem_hex "$TPID" $((T_RANDOM + 3000)) 2)
	agree "$TPID" "$pat" --align 4 == "$TPID" "$pat" 4
	[ "$MATCHES" -gt 0 ]
	# The same search without --align has more matches: the filter is real.
	agree "$TPID" 07 "$T_PATTERN:8K" == "$TPID" 07 1 "$T_PATTERN:8192"
	[ "$MATCHES" -eq 32 ]
	agree "$TPID" 07 "$T_PATTERN:8K" --align 8 == "$TPID" 07 8 "$T_PATTERN:8192"
	[ "$MATCHES" -eq 32 ]
	agree "$TPID" 26 "$T_PATTERN:8K" --align 8 == "$TPID" 26 8 "$T_PATTERN:8192"
	[ "$MATCHES" -eq 0 ]
	agree "$TPID" 26 "$T_PATTERN:8K" --align 1 == "$TPID" 26 1 "$T_PATTERN:8192"
	[ "$MATCHES" -eq 32 ]
}

@test "find -m N: stops after N, the first N in address order" {
	start_target
	local pat
	pat=$(mem_hex "$TPID" $((T_RANDOM + 777)) 1)
	ref_find "$TPID" "$pat" 1 >"$BATS_TEST_TMPDIR/all"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/all")" -gt 10 ]
	run --separate-stderr "$PVMIO" find -m 5 "$TPID" "$pat"
	[ "$status" -eq 0 ]
	[ "$output" = "$(head -5 "$BATS_TEST_TMPDIR/all")" ]
	run --separate-stderr "$PVMIO" find --max-count 1 "$TPID" "$pat"
	[ "$status" -eq 0 ]
	[ "$output" = "$(head -1 "$BATS_TEST_TMPDIR/all")" ]
	# In a range, with --align.
	ref_find "$TPID" "$pat" 4 "$T_RANDOM:$T_RANDOM_LEN" >"$BATS_TEST_TMPDIR/r"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/r")" -gt 3 ]
	run --separate-stderr "$PVMIO" find -m 3 --align 4 "$TPID" "$pat" "$T_RANDOM:$T_RANDOM_LEN"
	[ "$status" -eq 0 ]
	[ "$output" = "$(head -3 "$BATS_TEST_TMPDIR/r")" ]
	# More than there are: all of them.
	local n
	n=$(wc -l <"$BATS_TEST_TMPDIR/r")
	run --separate-stderr "$PVMIO" find -m $((n + 1)) --align 4 "$TPID" "$pat" "$T_RANDOM:$T_RANDOM_LEN"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$BATS_TEST_TMPDIR/r")" ]
	run --separate-stderr "$PVMIO" find -m "$n" --align 4 "$TPID" "$pat" "$T_RANDOM:$T_RANDOM_LEN"
	[ "$output" = "$(cat "$BATS_TEST_TMPDIR/r")" ]
}

@test "find -m N: with --align, across several ranges and off-aligned starts" {
	start_target
	# -m counts over all the ranges, in the order given.
	run --separate-stderr "$PVMIO" find -m 1 "$TPID" 07 "$T_PATTERN:8K" "$T_AFTER:4K"
	[ "$status" -eq 0 ]
	[ "$output" = "$T_PATTERN" ]
	ref_find "$TPID" 01 1 "$T_AFTER:4096" "$T_PATTERN:8192" >"$BATS_TEST_TMPDIR/r"
	run --separate-stderr "$PVMIO" find -m 3 "$TPID" 01 "$T_AFTER:4K" "$T_PATTERN:8K"
	[ "$status" -eq 0 ]
	[ "$output" = "$(head -3 "$BATS_TEST_TMPDIR/r")" ]
	# --align is about the address, not the offset in the range.
	agree --align 8 "$TPID" '?? ??' "$(hex "$T_RO + 3"):40" == "$TPID" '????' 8 "$(hex "$T_RO + 3"):40"
	[ "$(head -1 "$BATS_TEST_TMPDIR/got")" = "$(hex "$T_RO + 8")" ]
	[ "$MATCHES" -eq 5 ]
	# A range shorter than the pattern holds no match.
	agree "$TPID" "$(mem_hex "$TPID" "$T_RO" 4)" "$T_RO:3" == "$TPID" "$(mem_hex "$TPID" "$T_RO" 4)" 1 "$T_RO:3"
	[ "$MATCHES" -eq 0 ]
}

@test "find -m N: overlapping matches count one by one" {
	start_target --sparse 16K
	run --separate-stderr "$PVMIO" find -m 3 "$TPID" '11 11' "$T_SPARSE:16K"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' "$T_SPARSE" "$(hex "$T_SPARSE + 1")" "$(hex "$T_SPARSE + 2")")" ]
}

@test "find -s STRING: no implied NUL; -z adds one" {
	start_target
	local s='pvmio-find-needle' h
	h=$(hex_of "$s")
	# Once followed by a NUL (ZERO is all zeros), once by 'X', once ending
	# at the end of the ZERO page (TYPED follows, whose first byte is 0xfe).
	mem_write_hex "$TPID" $((T_ZERO + 100)) "$h"
	mem_write_hex "$TPID" $((T_ZERO + 300)) "${h}58"
	mem_write_hex "$TPID" $((T_ZERO + T_PAGE - 17)) "$h"
	agree "$TPID" -s "$s" == "$TPID" "$h" 1
	[ "$MATCHES" -eq 3 ]
	grep -qx "$(hex "$T_ZERO + 100")" "$BATS_TEST_TMPDIR/got"
	grep -qx "$(hex "$T_ZERO + 300")" "$BATS_TEST_TMPDIR/got"
	grep -qx "$(hex "$T_ZERO + T_PAGE - 17")" "$BATS_TEST_TMPDIR/got"
	# -z: only where a NUL follows (TYPED+0 is 0xfe, so not at the page end).
	agree "$TPID" -z -s "$s" == "$TPID" "${h}00" 1
	[ "$(cat "$BATS_TEST_TMPDIR/got")" = "$(hex "$T_ZERO + 100")" ]
	# The option may follow the PID; in a range.
	agree "$TPID" "$T_ZERO:$T_PAGE" -s "$s" == "$TPID" "$h" 1 "$T_ZERO:$T_PAGE"
	[ "$MATCHES" -eq 3 ]
	# A string that is nowhere: exit 1, nothing printed.
	agree -s 'pvmio-find-absent-needle' "$TPID" == "$TPID" "$(hex_of pvmio-find-absent-needle)" 1
	[ "$MATCHES" -eq 0 ]
}

@test "find -t u32 VALUE: the native bytes, as python packs them" {
	start_target
	local h
	h=$(pack = u32 0xdeadbeef)
	agree -t u32 "$TPID" 0xdeadbeef == "$TPID" "$h" 1
	grep -qx "$(hex "$T_TYPED + 8")" "$BATS_TEST_TMPDIR/got"
	agree -t u32 "$TPID" 3735928559 "$T_TYPED:$T_PAGE" == "$TPID" "$h" 1 "$T_TYPED:$T_PAGE"
	[ "$(cat "$BATS_TEST_TMPDIR/got")" = "$(hex "$T_TYPED + 8")" ]
	agree -t u32 --align 4 "$TPID" 0xdeadbeef == "$TPID" "$h" 4
	grep -qx "$(hex "$T_TYPED + 8")" "$BATS_TEST_TMPDIR/got"
	h=$(pack = i32 -123456789)
	agree -t i32 "$TPID" -- -123456789 == "$TPID" "$h" 1
	grep -qx "$(hex "$T_TYPED + 12")" "$BATS_TEST_TMPDIR/got"
}

@test "find -t -e: u16 and u32, big and little endian" {
	start_target
	agree -t u32 -e big "$TPID" 0x01020304 "$T_TYPED:$T_PAGE" == "$TPID" 01020304 1 "$T_TYPED:$T_PAGE"
	[ "$(cat "$BATS_TEST_TMPDIR/got")" = "$(hex "$T_TYPED + 56")" ]
	# 0xbeef is stored natively at TYPED+2; big endian is ef be there
	# only on a big-endian host, so compare with python's packing.
	local h
	h=$(pack '>' u16 0xbeef)
	agree -t u16 -e big "$TPID" 0xbeef == "$TPID" "$h" 1
	h=$(pack '>' u16 0xefbe)
	agree -t u16 --endian big "$TPID" 0xefbe "$T_TYPED:$T_PAGE" == "$TPID" "$h" 1 "$T_TYPED:$T_PAGE"
	if [ "$(python3 -c 'import sys; print(sys.byteorder)')" = little ]; then
		# ef be: u16 0xbeef at 2, and the low half of u32 0xdeadbeef at 8.
		[ "$(cat "$BATS_TEST_TMPDIR/got")" = "$(printf '%s\n' "$(hex "$T_TYPED + 2")" "$(hex "$T_TYPED + 8")")" ]
	fi
	h=$(pack '<' u16 0xbeef)
	agree -t u16 -e little "$TPID" 0xbeef "$T_TYPED:$T_PAGE" == "$TPID" "$h" 1 "$T_TYPED:$T_PAGE"
}

@test "find: overlapping matches are all reported (a run of 0x11)" {
	start_target --sparse 64K
	agree "$TPID" '11 11' "$T_SPARSE:$T_PAGE" == "$TPID" 1111 1 "$T_SPARSE:$T_PAGE"
	[ "$MATCHES" -eq $((T_PAGE - 1)) ]
	diff "$BATS_TEST_TMPDIR/got" <(printf '0x%x\n' $(seq $((T_SPARSE)) $((T_SPARSE + T_PAGE - 2))))
	agree "$TPID" '11 11 11 11 11' "$T_SPARSE:$T_PAGE" == "$TPID" 1111111111 1 "$T_SPARSE:$T_PAGE"
	[ "$MATCHES" -eq $((T_PAGE - 4)) ]
}

@test "find: a range with holes (SPARSE): every page, no match across a hole" {
	start_target --sparse 64K
	agree "$TPID" '11 11' "$T_SPARSE:64K" == "$TPID" 1111 1 "$T_SPARSE:65536"
	[ "$MATCHES" -eq $((32768 / T_PAGE * (T_PAGE - 1))) ]
	# The hole is reported on stderr; the status still says "matched".
	[[ $stderr == "pvmio: find: "* ]]
	# The default search finds the same in SPARSE.
	ref_find "$TPID" 1111 1 >"$BATS_TEST_TMPDIR/all"
	run --separate-stderr "$PVMIO" find "$TPID" '11 11'
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$BATS_TEST_TMPDIR/all")" ]
}

@test "find: matches across the 1 MiB chunks of a 4M region (BIG, byte i = i & 0xff)" {
	start_target --big 4M
	local mib=$((1 << 20)) pat
	# The bytes at BIG+1MiB-2 .. +2 straddle the first chunk boundary (they
	# also recur every 256 bytes).
	pat=$(mem_hex "$TPID" $((T_BIG + mib - 2)) 5)
	[ "$pat" = feff000102 ]
	agree "$TPID" "$pat" "$T_BIG:4M" == "$TPID" "$pat" 1 "$T_BIG:$((4 * mib))"
	# Every 256 bytes, but the last would run past the end.
	[ "$MATCHES" -eq $((4 * mib / 256 - 1)) ]
	grep -qx "$(hex "$T_BIG + mib - 2")" "$BATS_TEST_TMPDIR/got"
	lacks "$(hex "$T_BIG + 2 * mib - 1")"
	grep -qx "$(hex "$T_BIG + 3 * mib - 2")" "$BATS_TEST_TMPDIR/got"
	# Starting the range off the region's start moves the chunk boundaries.
	agree "$TPID" "$pat" "$(hex "$T_BIG + 3"):4000000" == "$TPID" "$pat" 1 "$(hex "$T_BIG + 3"):4000000"
	# With a wildcard.
	agree "$TPID" 'fe ff ?? 01 02' "$T_BIG:4M" == "$TPID" 'feff??0102' 1 "$T_BIG:$((4 * mib))"
	[ "$MATCHES" -eq $((4 * mib / 256 - 1)) ]
}

@test "find: zeros, where almost every place passes the first-and-last-byte filter, still give exact matches" {
	# The search checks the places where the needle's first and last bytes
	# both match; in zeros that is every place, and after a budget the rest
	# of the buffer goes to memmem.  Needles planted at vector and chunk
	# edges (31, 32, 63, 64 bytes into a 64-byte step, across 1 MiB) and at the very end.
	start_target --big 4M
	local mib=$((1 << 20)) off
	run -0 "$PVMIO" fill "$TPID" "$T_BIG:4M" 00
	for off in 31 160 319 576 $((mib - 3)) $((2 * mib + 100)) $((4 * mib - 5)); do
		run -0 "$PVMIO" write "$TPID" "$(hex "$T_BIG + off")" 00000700 00
	done
	agree "$TPID" '0000070000' "$T_BIG:4M" == "$TPID" '0000070000' 1 "$T_BIG:$((4 * mib))"
	[ "$MATCHES" -eq 7 ]
	agree "$TPID" '00 ?? 07 00 00' "$T_BIG:4M" == "$TPID" '00??070000' 1 "$T_BIG:$((4 * mib))"
	[ "$MATCHES" -eq 7 ]
	# Two bytes, and a pattern that matches at nearly every place.
	agree "$TPID" '0700' "$T_BIG:4M" == "$TPID" '0700' 1 "$T_BIG:$((4 * mib))"
	[ "$MATCHES" -eq 7 ]
	agree "$TPID" '00000000' "$T_BIG:0x40000" == "$TPID" '00000000' 1 "$T_BIG:$((0x40000))"
	[ "$MATCHES" -gt 200000 ]
}

@test "find: a 300-byte pattern straddles every chunk boundary, wherever they fall" {
	start_target --big 4M
	local pat
	pat=$(mem_hex "$TPID" $((T_BIG + 0x1234)) 300)
	agree "$TPID" "$pat" "$T_BIG:4M" == "$TPID" "$pat" 1 "$T_BIG:$((4 << 20))"
	[ "$MATCHES" -eq $(((4 << 20) / 256 - 1)) ]
	agree "$TPID" "$pat" "$(hex "$T_BIG + 77"):4100000" == "$TPID" "$pat" 1 "$(hex "$T_BIG + 77"):4100000"
	# And in the default search, where BIG may be merged with neighbours.
	agree "$TPID" "$pat" == "$TPID" "$pat" 1
}

@test "find: a 64 KiB - 1 pattern across chunk boundaries; 64 KiB + 1 is refused" {
	# 65535 bytes is the longest hex pattern an argument can hold
	# (MAX_ARG_STRLEN is 128 KiB with the NUL).
	start_target --big 4M
	local pat
	pat=$(mem_hex "$TPID" $((T_BIG + 0x30)) 65535)
	agree "$TPID" "$pat" "$T_BIG:2M" == "$TPID" "$pat" 1 "$T_BIG:$((2 << 20))"
	[ "$MATCHES" -eq $(((2 << 20) / 256 - 256)) ]
	grep -qx "$(hex "$T_BIG + (1 << 20) - 0xd0")" "$BATS_TEST_TMPDIR/got"
	pat=$(head -c 65537 /dev/zero | tr '\0' a)
	refused 2 "$PVMIO" find -s "$pat" "$TPID" "$T_BIG:4M"
}

@test "find: the default search (no RANGE) finds the BIG chunk-straddling bytes" {
	start_target --big 4M
	local pat
	pat=$(mem_hex "$TPID" $((T_BIG + (1 << 20) - 3)) 7)
	agree "$TPID" "$pat" == "$TPID" "$pat" 1
	grep -qx "$(hex "$T_BIG + (1 << 20) - 3")" "$BATS_TEST_TMPDIR/got"
	grep -qx "$(hex "$T_BIG + (2 << 20) - 3")" "$BATS_TEST_TMPDIR/got"
}

@test "find: matches at the first and last bytes of a mapping" {
	start_target
	local first last
	# RANDOM's bytes put in the first and last bytes of the ZERO..TYPED
	# mapping and of AFTER: unique, so the edges are all that match.
	first=$(mem_hex "$TPID" $((T_RANDOM + 5000)) 6)
	last=$(mem_hex "$TPID" $((T_RANDOM + 6000)) 6)
	mem_write_hex "$TPID" "$T_ZERO" "$first"
	mem_write_hex "$TPID" $((T_TYPED + T_PAGE - 6)) "$last"
	agree "$TPID" "$first" "$T_ZERO:8K" == "$TPID" "$first" 1 "$T_ZERO:8192"
	[ "$(cat "$BATS_TEST_TMPDIR/got")" = "$T_ZERO" ]
	agree "$TPID" "$last" "$T_ZERO:8K" == "$TPID" "$last" 1 "$T_ZERO:8192"
	[ "$(cat "$BATS_TEST_TMPDIR/got")" = "$(hex "$T_TYPED + T_PAGE - 6")" ]
	# The default search reports them next to RANDOM's own copies.
	agree "$TPID" "$first" == "$TPID" "$first" 1
	grep -qx "$T_ZERO" "$BATS_TEST_TMPDIR/got"
	agree "$TPID" "$last" == "$TPID" "$last" 1
	grep -qx "$(hex "$T_TYPED + T_PAGE - 6")" "$BATS_TEST_TMPDIR/got"
	# PATTERN's first and last 4 bytes (the pattern repeats every 256).
	first=$(mem_hex "$TPID" "$T_PATTERN" 4)
	last=$(mem_hex "$TPID" $((T_HOLE - 4)) 4)
	agree "$TPID" "$first" "$T_PATTERN:8K" == "$TPID" "$first" 1 "$T_PATTERN:8192"
	[ "$(head -1 "$BATS_TEST_TMPDIR/got")" = "$T_PATTERN" ]
	agree "$TPID" "$last" "$T_PATTERN:8K" == "$TPID" "$last" 1 "$T_PATTERN:8192"
	[ "$(tail -1 "$BATS_TEST_TMPDIR/got")" = "$(hex "$T_HOLE - 4")" ]
	# AFTER's first byte, just past the hole.
	agree "$TPID" "$(mem_hex "$TPID" "$T_AFTER" 3)" "$T_PATTERN..$T_RO" == \
		"$TPID" "$(mem_hex "$TPID" "$T_AFTER" 3)" 1 "$T_PATTERN:$((T_RO - T_PATTERN))"
	grep -qx "$T_AFTER" "$BATS_TEST_TMPDIR/got"
}

@test "find: a match cut by the range's end or a hole is not reported" {
	start_target
	local pat
	# Bytes 98..101 of PATTERN: the range PATTERN:100 holds only half.
	pat=$(mem_hex "$TPID" $((T_PATTERN + 98)) 4)
	agree "$TPID" "$pat" "$T_PATTERN:100" == "$TPID" "$pat" 1 "$T_PATTERN:100"
	[ "$MATCHES" -eq 0 ]
	agree "$TPID" "$pat" "$T_PATTERN:102" == "$TPID" "$pat" 1 "$T_PATTERN:102"
	[ "$(cat "$BATS_TEST_TMPDIR/got")" = "$(hex "$T_PATTERN + 98")" ]
	# Nor one whose start is before the range.
	agree "$TPID" "$pat" "$(hex "$T_PATTERN + 99"):200" == "$TPID" "$pat" 1 "$(hex "$T_PATTERN + 99"):200"
	[ "$MATCHES" -eq 0 ]
	# PATTERN's last 2 bytes then AFTER's first 2 would need the hole.
	pat=$(mem_hex "$TPID" $((T_HOLE - 2)) 2)$(mem_hex "$TPID" "$T_AFTER" 2)
	agree "$TPID" "$pat" "$T_PATTERN..$T_RO" == "$TPID" "$pat" 1 "$T_PATTERN:$((T_RO - T_PATTERN))"
	lacks "$(hex "$T_HOLE - 2")"
}

@test "find: a match that straddles two adjacent mappings (AFTER rw, RO r) is found" {
	start_target
	local pat
	pat=$(mem_hex "$TPID" $((T_RO - 3)) 3)$(mem_hex "$TPID" "$T_RO" 3)
	agree "$TPID" "$pat" "$T_AFTER..$T_NONE" == "$TPID" "$pat" 1 "$T_AFTER:$((T_NONE - T_AFTER))"
	grep -qx "$(hex "$T_RO - 3")" "$BATS_TEST_TMPDIR/got"
	agree "$TPID" "$pat" == "$TPID" "$pat" 1
	grep -qx "$(hex "$T_RO - 3")" "$BATS_TEST_TMPDIR/got"
}

@test "find: without RANGE, a pattern in both the heap and a mapped region is reported for both" {
	start_target
	local pat
	pat=$(mem_hex "$TPID" $((T_RANDOM + 31337)) 17)
	mem_write_hex "$TPID" $((T_ZERO + 1000)) "$pat"
	agree "$TPID" "$pat" == "$TPID" "$pat" 1
	grep -qx "$(hex "$T_RANDOM + 31337")" "$BATS_TEST_TMPDIR/got"
	grep -qx "$(hex "$T_ZERO + 1000")" "$BATS_TEST_TMPDIR/got"
	# Several ranges, in the order given.
	run --separate-stderr "$PVMIO" find "$TPID" "$pat" "$T_ZERO:4K" heap
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' "$(hex "$T_ZERO + 1000")" "$(hex "$T_RANDOM + 31337")")" ]
}

@test "find: the default search skips PROT_NONE pages and the kernel's special mappings" {
	start_target
	local pat
	# The pattern put in the NONE page (through /proc/PID/mem, which may
	# write there) is not searched; its copy in ZERO is.
	pat=$(mem_hex "$TPID" $((T_RANDOM + 222)) 12)
	mem_write_hex "$TPID" $((T_NONE + 64)) "$pat"
	mem_write_hex "$TPID" $((T_ZERO + 64)) "$pat"
	agree "$TPID" "$pat" == "$TPID" "$pat" 1
	lacks "$(hex "$T_NONE + 64")"
	grep -qx "$(hex "$T_ZERO + 64")" "$BATS_TEST_TMPDIR/got"
	# Every mapping that is searched can be read: with --verbose, nothing
	# is reported unsearchable (so [vvar], which refuses reads, is left out).
	run --separate-stderr "$PVMIO" find --verbose "$TPID" "$pat"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	awk '$NF ~ /^\[(vvar|vvar_vclock|vsyscall)\]$/ { split($1, a, "-"); print a[1], a[2] }' "/proc/$TPID/maps" |
		while read -r lo hi; do
			while read -r a; do
				((a < 0x$lo || a >= 0x$hi))
			done <"$BATS_TEST_TMPDIR/got"
		done
}

@test "find: output is 0x and lowercase hex without leading zeros, one a line, ascending" {
	start_target --big 1M
	local pat
	pat=$(mem_hex "$TPID" $((T_RANDOM + 4242)) 2)
	run --separate-stderr "$PVMIO" find "$TPID" "$pat"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/out"
	[ "$(grep -cvE '^0x[1-9a-f][0-9a-f]*$' "$BATS_TEST_TMPDIR/out")" -eq 0 ]
	python3 - "$BATS_TEST_TMPDIR/out" <<'PY'
import sys
a = [int(l, 16) for l in open(sys.argv[1])]
assert a == sorted(a) and len(set(a)) == len(a), "not ascending"
PY
	# Uppercase input is the same pattern.
	run --separate-stderr "$PVMIO" find "$TPID" "${pat^^}"
	[ "$output" = "$(cat "$BATS_TEST_TMPDIR/out")" ]
}

@test "find: exit 0 on a match, 1 on none, as grep" {
	start_target
	local pat
	pat=$(mem_hex "$TPID" "$T_RANDOM" 8)
	run --separate-stderr "$PVMIO" find "$TPID" "$pat" "$T_RANDOM:64"
	[ "$status" -eq 0 ]
	[ "$output" = "$T_RANDOM" ]
	[ -z "$stderr" ]
	# PATTERN's bytes are not in RO; 17 random bytes reversed are nowhere.
	run --separate-stderr "$PVMIO" find "$TPID" "$pat" "$T_RO:4K"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ -z "$stderr" ]
	pat=$(mem_hex "$TPID" $((T_RANDOM + 999)) 17 | rev)
	[ -z "$(ref_find "$TPID" "$pat" 1)" ]
	run --separate-stderr "$PVMIO" find "$TPID" "$pat"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ -z "$stderr" ]
	# -m with no match is still 1.
	run --separate-stderr "$PVMIO" find -m 1 "$TPID" "$pat"
	[ "$status" -eq 1 ]
}

@test "find: a bad pattern or option is a usage error (exit 2)" {
	start_target
	local bad
	for bad in zz 'de a' abc '?' 'de ?a' 'de ??a' '' 'de ad -1' 'de:ad'; do
		refused 2 "$PVMIO" find "$TPID" "$bad"
	done
	refused 2 "$PVMIO" find -t u16 "$TPID" 70000
	refused 2 "$PVMIO" find -t u33 "$TPID" 1
	refused 2 "$PVMIO" find -m 0 "$TPID" de
	refused 2 "$PVMIO" find --align 0 "$TPID" de
	refused 2 "$PVMIO" find "$TPID"
	refused 2 "$PVMIO" find "$TPID" de no-such-lib.so
	[[ $stderr == *no-such-lib.so* ]]
	refused 2 "$PVMIO" find "$TPID" de "$T_PATTERN"
}

@test "find: no such process is exit 3" {
	start_target
	local gone=$TPID
	stop_targets
	[ ! -e "/proc/$gone" ]
	refused 3 "$PVMIO" find "$gone" de
}

@test "find --stop: the same matches, and the target runs again afterwards" {
	start_target --threads 2
	local pat
	pat=$(mem_hex "$TPID" $((T_RANDOM + 556)) 8)
	agree --stop "$TPID" "$pat" == "$TPID" "$pat" 1
	local heap
	heap=$("$PVMIO" maps "$TPID" heap | awk '{ print $1 }')
	agree "$TPID" "$pat" heap --stop --align 4 == "$TPID" "$pat" 4 "${heap%..*}:$((${heap#*..} - ${heap%..*}))"
	local t
	for t in /proc/"$TPID"/task/*; do
		[[ $(proc_state "$TPID/task/${t##*/}") != [tT] ]]
	done
	# The threads still run: their counter moves.
	local before
	before=$(mem_hex "$TPID" "$T_TICKS" 8)
	wait_until 5 not mem_is "$TPID" "$T_TICKS" "$before"
}

# start_array: a python3 process holding 5000 int32 100s (ARR=), which
# turns the 18th and the 4001st into 99 on SIGUSR1.
start_array() {
	start_ready python3 -c '
import array, ctypes, signal, sys, time
ctypes.CDLL(None).prctl(0x59616d61, ctypes.c_ulong(-1), 0, 0, 0)
a = array.array("i", [100] * 5000)
def go(*_):
    a[17] = 99
    a[4000] = 99
signal.signal(signal.SIGUSR1, go)
print("ARR=%#x" % a.buffer_info()[0])
print("READY", flush=True)
while True:
    time.sleep(1)
'
}

@test "find --at: two narrowing steps leave exactly the two values that went from 100 to 99" {
	start_array
	local hits=$BATS_TEST_TMPDIR/hits
	"$PVMIO" find -t i32 --align 4 "$TPID" 100 >"$hits"
	echo "$(wc -l <"$hits") hits of 100"
	[ "$(wc -l <"$hits")" -ge 5000 ]
	grep -qx "$(hex $((T_ARR + 17 * 4)))" "$hits"
	kill -USR1 "$TPID"
	wait_until 5 mem_is "$TPID" $((T_ARR + 4000 * 4)) 63000000
	run --separate-stderr "$PVMIO" find -t i32 --at "$hits" "$TPID" 99
	[ "$status" -eq 0 ]
	[ "$output" = "$(hex $((T_ARR + 17 * 4)))"$'\n'"$(hex $((T_ARR + 4000 * 4)))" ]
	# again, from stdin and from find --where's lines: the same two
	"$PVMIO" find -t i32 --where --at "$hits" "$TPID" 99 >"$hits.2"
	[ "$(wc -l <"$hits.2")" -eq 2 ]
	run --separate-stderr "$PVMIO" find -t i32 --at - "$TPID" 99 <"$hits.2"
	[ "$status" -eq 0 ]
	[ "$output" = "$(hex $((T_ARR + 17 * 4)))"$'\n'"$(hex $((T_ARR + 4000 * 4)))" ]
	# none left: exit 1, as find with no match
	run --separate-stderr "$PVMIO" find -t i32 --at "$hits.2" "$TPID" 100
	[ "$status" -eq 1 ] && [ -z "$output" ]
}

@test "find --json: the addresses of plain find, each with its mapping from /proc/PID/maps; --at reads them back" {
	start_array
	local hits=$BATS_TEST_TMPDIR/hits
	run --separate-stderr "$PVMIO" find -t i32 --align 4 "$TPID" 100
	[ "$status" -eq 0 ]
	local plain=$output
	"$PVMIO" find -t i32 --align 4 --json "$TPID" 100 >"$hits"
	python3 - "$TPID" "$hits" "$plain" <<'PY'
import json, sys
pid, hits, plain = int(sys.argv[1]), sys.argv[2], sys.argv[3].split()
maps = []
for l in open(f"/proc/{pid}/maps"):
    f = l.split(maxsplit=5)
    lo, hi = (int(x, 16) for x in f[0].split("-"))
    maps.append((lo, hi, f[1], f[5].strip() if len(f) > 5 else ""))
objs = [json.loads(l) for l in open(hits)]
assert [o["address"] for o in objs] == plain, (len(objs), len(plain))
for o in objs:
    a = int(o["address"], 16)
    (lo, hi, perms, name), = [m for m in maps if m[0] <= a < m[1]]
    assert o["mapped"] is True and o["perms"] == perms and o["mapping"] == name, (o, name)
    assert o["mapping_start"] == hex(lo) and o["mapping_offset"] == hex(a - lo), o
print(len(objs), "matches")
PY
	kill -USR1 "$TPID"
	wait_until 5 mem_is "$TPID" $((T_ARR + 4000 * 4)) 63000000
	run --separate-stderr "$PVMIO" find -t i32 --at "$hits" "$TPID" 99
	[ "$status" -eq 0 ]
	[ "$output" = "$(hex $((T_ARR + 17 * 4)))"$'\n'"$(hex $((T_ARR + 4000 * 4)))" ]
}

@test "find --at: unreadable listed addresses do not match; bad lines and RANGEs are usage errors" {
	start_array
	printf '0x10\n%s\n\n' "$(hex "$T_ARR")" >"$BATS_TEST_TMPDIR/at"
	run --separate-stderr "$PVMIO" find -t i32 --at "$BATS_TEST_TMPDIR/at" "$TPID" 100
	[ "$status" -eq 0 ]
	[ "$output" = "$(hex "$T_ARR")" ]
	printf '%s\nnot-an-address\n' "$(hex "$T_ARR")" >"$BATS_TEST_TMPDIR/bad"
	fails 2 'line 2' "$PVMIO" find -t i32 --at "$BATS_TEST_TMPDIR/bad" "$TPID" 100
	refused 2 "$PVMIO" find -t i32 --at "$BATS_TEST_TMPDIR/at" "$TPID" 100 "$T_ARR:16"
	refused 4 "$PVMIO" find -t i32 --at "$BATS_TEST_TMPDIR/none" "$TPID" 100
}
