#!/usr/bin/env bats
# Round trips: dump lines -- pvmio's two formats, xxd's own output and
# hexdump -C's -- written back with `pvmio write -f xxd`, which checks
# every line before it writes any (doc/DESIGN.md, "The data flow of a
# write"), checked with an independent read of /proc/PID/mem.

bats_require_minimum_version 1.5.0

load helper

setup() {
	command -v xxd >/dev/null || skip "xxd is not installed"
	command -v hexdump >/dev/null || skip "hexdump is not installed"
	D=$BATS_TEST_TMPDIR
}

# snap ADDR LEN FILE: the real bytes, read independently (mem_read).
snap() {
	mem_read "$TPID" "$1" "$2" >"$3"
	[ "$(stat -c %s "$3")" -eq "$2" ]
}

# patch FILE OFFSET HEX: puts the bytes HEX at OFFSET of FILE.
patch() {
	printf "$(sed 's/../\\x&/g' <<<"$3")" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# fill_bytes FILE LEN BYTE: LEN copies of the byte BYTE (hex) into FILE.
fill_bytes() {
	head -c "$2" /dev/zero | tr '\0' "\\$(printf '%03o' "0x$3")" >"$1"
}

# same_mem ADDR LEN EXPECTED-FILE: memory at ADDR:LEN is EXPECTED.
same_mem() {
	snap "$1" "$2" "$D/now"
	if ! cmp "$3" "$D/now"; then
		diff <(xxd "$3") <(xxd "$D/now") | head -20
		return 1
	fi
}

# write_back ARGS...: pvmio write -f xxd ARGS, which must succeed quietly.
write_back() {
	run --separate-stderr "$PVMIO" write -f xxd "$@"
	if [ "$status" -ne 0 ] || [ -n "$output" ] || [ -n "$stderr" ]; then
		echo "write -f xxd $*: exit $status, stdout '$output', stderr '$stderr'"
		return 1
	fi
}

# addr_of ADDR: ADDR as xxd and hexdump print it in their first column.
addr_of() {
	printf '%08x' "$(($1))"
}

@test "write -f xxd: lines that overlap (xxd -b without its text column) are refused, nothing written" {
	start_target
	local at=$((T_PATTERN + 0x200))
	head -c 40 /dev/urandom >"$BATS_TEST_TMPDIR/d.bin"
	snapshot "$at" 64
	xxd -b "$BATS_TEST_TMPDIR/d.bin" | sed 's/  .*//' >"$BATS_TEST_TMPDIR/b.txt"
	fails 2 'line 2: at 0x6, it overlaps the line before .*xxd -b' "$PVMIO" write -f xxd -i "$BATS_TEST_TMPDIR/b.txt" "$TPID" "$at"
	printf '00000000: 1111 1111 1111 1111\n00000002: 2222\n' >"$BATS_TEST_TMPDIR/o.txt"
	fails 2 'line 2: at 0x2, it overlaps' "$PVMIO" write -f xxd -i "$BATS_TEST_TMPDIR/o.txt" "$TPID" "$at"
	untouched
}

@test "roundtrip: dump > f, edit hex with sed, write -f xxd < f: exactly the edited bytes change" {
	start_target
	local s=$(hex "$T_PATTERN + 69")
	# the range and 32 bytes either side
	snap "$(hex "$s - 32")" 101 "$D/before"
	"$PVMIO" dump "$TPID" "$s:37" >"$D/f"
	[ "$(wc -l <"$D/f")" -eq 3 ]
	# bytes 16, 17 and 32 of the range; and line 1's text column, which
	# is not data
	sed -E -i '2s/^([0-9a-f]+: )..../\1dead/; 3s/^([0-9a-f]+: )../\1ff/; 1s/.{16}$/ZZZZZZZZZZZZZZZZ/' "$D/f"
	cp "$D/before" "$D/want"
	patch "$D/want" $((32 + 16)) dead
	patch "$D/want" $((32 + 32)) ff
	run ! cmp -s "$D/before" "$D/want"
	write_back "$TPID" <"$D/f"
	same_mem "$(hex "$s - 32")" 101 "$D/want"
	# -i FILE reads the same lines
	mem_write "$TPID" "$(hex "$s - 32")" "$D/before"
	write_back "$TPID" -i "$D/f"
	same_mem "$(hex "$s - 32")" 101 "$D/want"
	# unedited, the dump writes back nothing new
	"$PVMIO" dump "$TPID" "$s:37" >"$D/f"
	write_back "$TPID" -i - <"$D/f"
	same_mem "$(hex "$s - 32")" 101 "$D/want"
}

@test "roundtrip: dump -C > f, edit hex with sed, write -f xxd < f: exactly the edited bytes change" {
	start_target
	local s=$(hex "$T_AFTER + 67")
	snap "$(hex "$s - 32")" 109 "$D/before"
	"$PVMIO" dump -C "$TPID" "$s:45" >"$D/f"
	# byte 16, byte 40 (second half of line 3), the text column of line 1
	sed -E -i '2s/^([0-9a-f]+  )../\1de/; 3s/^([0-9a-f]+  ([0-9a-f]{2} ){8} )../\1be/; 1s/\|.*\|$/|ZZZZZZZZZZZZZZZZ|/' "$D/f"
	cp "$D/before" "$D/want"
	patch "$D/want" $((32 + 16)) de
	patch "$D/want" $((32 + 40)) be
	run ! cmp -s "$D/before" "$D/want"
	write_back "$TPID" <"$D/f"
	same_mem "$(hex "$s - 32")" 109 "$D/want"
}

@test "roundtrip: every dump style writes back what it shows (-c, -g, -a, -C, -C -v)" {
	start_target
	# zero runs and repeated lines in the ZERO page, so that -a and -C
	# collapse lines
	{
		printf 'A%.0s' {1..16}
		head -c 48 /dev/zero
		printf 'B%.0s' {1..80}
		head -c 35 /dev/zero
		printf 'C%.0s' {1..7}
		head -c 200 /dev/zero
	} >"$D/shape"
	mem_write "$TPID" "$(hex "$T_ZERO + 16")" "$D/shape"
	# and non-zero bytes further on
	snap "$T_PATTERN" 512 "$D/pat"
	mem_write "$TPID" "$(hex "$T_ZERO + 1024")" "$D/pat"
	snap "$T_ZERO" 2048 "$D/orig"
	local fmt r1=$(hex "$T_ZERO + 19"):397 r2=$(hex "$T_ZERO + 1029"):333
	fill_bytes "$D/junk" 2000 77
	for fmt in "" "-c 7 -g 3" "-c 1 -g 0" "-c 32 -g 8" "-c 256 -g 16" "-a" "-a -c 8 -g 1" "-C" "-C -v"; do
		"$PVMIO" dump $fmt "$TPID" "$r1" "$r2" >"$D/f"
		# scribble over both ranges, then write the dump back
		mem_write "$TPID" "$(hex "$T_ZERO + 19")" <(head -c 397 "$D/junk")
		mem_write "$TPID" "$(hex "$T_ZERO + 1029")" <(head -c 333 "$D/junk")
		write_back "$TPID" <"$D/f" || {
			echo "dump $fmt"
			return 1
		}
		same_mem "$T_ZERO" 2048 "$D/orig" || {
			echo "dump $fmt"
			return 1
		}
	done
}

# modified_copy ORIG OUT: ORIG with some bytes changed, zero runs of 1, 2 and
# 5 lines (of 16) and repeated lines, for the xxd and hexdump inputs below.
modified_copy() {
	cp "$1" "$2"
	patch "$2" 0 c0ffee
	patch "$2" 20 00000000000000000000000000000000
	patch "$2" 64 "$(printf '00%.0s' {1..32})"
	patch "$2" 128 "$(printf '00%.0s' {1..80})"
	patch "$2" 240 "$(printf '5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a%.0s' 1 2 3 4)"
	patch "$2" 299 ff
}

@test "roundtrip: xxd's own output of modified bytes (xxd -o START, -c and -g variants) writes them" {
	start_target
	local s=$(hex "$T_PATTERN + 35") len=300 v
	snap "$(hex "$s - 16")" $((len + 32)) "$D/orig"
	tail -c +17 "$D/orig" | head -c "$len" >"$D/bytes"
	modified_copy "$D/bytes" "$D/mod"
	cp "$D/orig" "$D/want"
	dd if="$D/mod" of="$D/want" bs=1 seek=16 conv=notrunc status=none
	for v in "" "-c 8 -g 1" "-c 3 -g 0" "-c 32 -g 4" "-c 16 -g 8" "-c 256 -g 16" "-c 17 -g 3" "-c 1" "-a" "-a -c 8"; do
		mem_write "$TPID" "$(hex "$s - 16")" "$D/orig"
		xxd -o "$s" $v "$D/mod" >"$D/f"
		write_back "$TPID" <"$D/f" || {
			echo "xxd $v"
			return 1
		}
		same_mem "$(hex "$s - 16")" $((len + 32)) "$D/want" || {
			echo "xxd $v"
			return 1
		}
	done
}

@test "roundtrip: hexdump -C output, shifted to absolute addresses, with '*' squeeze lines" {
	start_target
	local s=$(hex "$T_PATTERN + 41") len=300 v
	snap "$(hex "$s - 16")" $((len + 32)) "$D/orig"
	tail -c +17 "$D/orig" | head -c "$len" >"$D/bytes"
	modified_copy "$D/bytes" "$D/mod"
	cp "$D/orig" "$D/want"
	dd if="$D/mod" of="$D/want" bs=1 seek=16 conv=notrunc status=none
	hexdump -C "$D/mod" >"$D/hd"
	[ "$(grep -c '^\*$' "$D/hd")" -ge 3 ]
	for v in "" -v; do
		mem_write "$TPID" "$(hex "$s - 16")" "$D/orig"
		hexdump -C $v "$D/mod" | shift_addr "$s" >"$D/f"
		write_back "$TPID" <"$D/f"
		same_mem "$(hex "$s - 16")" $((len + 32)) "$D/want"
	done
	# a '*' right before the closing address repeats up to the end
	head -c 208 "$D/mod" >"$D/mod2"
	fill_bytes "$D/tail" 64 a5
	cat "$D/tail" >>"$D/mod2"
	cp "$D/orig" "$D/want"
	dd if="$D/mod2" of="$D/want" bs=1 seek=16 conv=notrunc status=none
	hexdump -C "$D/mod2" | shift_addr "$s" >"$D/f"
	[ "$(tail -n 2 "$D/f" | head -n 1)" = "*" ]
	mem_write "$TPID" "$(hex "$s - 16")" "$D/orig"
	write_back "$TPID" <"$D/f"
	same_mem "$(hex "$s - 16")" $((len + 32)) "$D/want"
}

@test "roundtrip: write -f xxd PID ADDR adds ADDR to the lines' addresses" {
	start_target
	local s=$(hex "$T_AFTER + 37") len=300 v
	snap "$(hex "$s - 16")" $((len + 32)) "$D/orig"
	tail -c +17 "$D/orig" | head -c "$len" >"$D/bytes"
	modified_copy "$D/bytes" "$D/mod"
	cp "$D/orig" "$D/want"
	dd if="$D/mod" of="$D/want" bs=1 seek=16 conv=notrunc status=none
	for v in "" "-c 8 -g 4" "-a"; do
		mem_write "$TPID" "$(hex "$s - 16")" "$D/orig"
		xxd $v "$D/mod" >"$D/f"
		write_back "$TPID" "$s" <"$D/f"
		same_mem "$(hex "$s - 16")" $((len + 32)) "$D/want"
	done
	# hexdump -C straight from a file, and an ADDR expression
	mem_write "$TPID" "$(hex "$s - 16")" "$D/orig"
	hexdump -C "$D/mod" >"$D/f"
	write_back "$TPID" "$T_AFTER+37" -i "$D/f"
	same_mem "$(hex "$s - 16")" $((len + 32)) "$D/want"
	# lines with addresses of their own, moved by ADDR
	mem_write "$TPID" "$(hex "$s - 16")" "$D/orig"
	xxd -o 0x10 "$D/mod" >"$D/f"
	write_back "$TPID" "$(hex "$s - 16")" <"$D/f"
	same_mem "$(hex "$s - 16")" $((len + 32)) "$D/want"
}

@test "roundtrip: a dump across HOLE writes back: '??' bytes and the summary line are skipped" {
	start_target
	local s=$(hex "$T_HOLE - 20") n=$((T_PAGE + 40)) fmt
	snap "$(hex "$T_HOLE - 64")" 64 "$D/pat"
	snap "$T_AFTER" 64 "$D/after"
	for fmt in "" -C "-c 8 -g 1"; do
		run --separate-stderr "$PVMIO" dump $fmt "$TPID" "$s:$n"
		[ "$status" -eq 1 ]
		printf '%s\n' "$output" >"$D/f"
		grep -q '??' "$D/f"
		grep -q 'unreadable' "$D/f"
		write_back "$TPID" <"$D/f"
		same_mem "$(hex "$T_HOLE - 64")" 64 "$D/pat"
		same_mem "$T_AFTER" 64 "$D/after"
	done
	# edit the readable bytes on the lines that hold '??': only they change
	"$PVMIO" dump "$TPID" "$s:$n" >"$D/f" || true
	local l1 l2
	l1=$(addr_of "$T_HOLE - 4")
	l2=$(addr_of "$T_AFTER - 4")
	grep -q "^$l1: [0-9a-f]\{4\} [0-9a-f]\{4\} ????" "$D/f"
	grep -q "^$l2: ???? ???? [0-9a-f]\{4\}" "$D/f"
	sed -E -i "s/^($l1: )..../\\11234/; s/^($l2: .... .... )..../\\1abcd/" "$D/f"
	write_back "$TPID" <"$D/f"
	cp "$D/pat" "$D/want"
	patch "$D/want" 60 1234
	same_mem "$(hex "$T_HOLE - 64")" 64 "$D/want"
	cp "$D/after" "$D/want"
	patch "$D/want" 0 abcd
	same_mem "$T_AFTER" 64 "$D/want"
}

@test "roundtrip: a bad line is a usage error (exit 2) and, from a file, nothing is written" {
	start_target
	local s=$(hex "$T_PATTERN + 64") bad i=0
	snap "$s" 64 "$D/orig"
	local bads=(
		"this is not a dump"
		"$(addr_of "$s + 48"): 12zz 3456"
		"zz$(addr_of "$s + 48"): 1234"
		"1$(addr_of "$s")ffffffff: 00"
		"$(addr_of "$s + 48")  12 34 5g"
	)
	for bad in "${bads[@]}"; do
		i=$((i + 1))
		# good lines first, edited, then the bad one
		"$PVMIO" dump "$TPID" "$s:48" | sed -E 's/^([0-9a-f]+: )..../\1eeee/' >"$D/f"
		printf '%s\n' "$bad" >>"$D/f"
		refused 2 "$PVMIO" write -f xxd "$TPID" -i "$D/f" || {
			echo "line '$bad'"
			return 1
		}
		same_mem "$s" 64 "$D/orig" || {
			echo "line '$bad' wrote"
			return 1
		}
		# from stdin too, exit 2
		refused 2 "$PVMIO" write -f xxd "$TPID" <"$D/f"
		mem_write "$TPID" "$s" "$D/orig"
	done
}

@test "roundtrip: write -f xxd has write's pre-check: unmapped or read-only lines, exit 1, nothing written" {
	start_target
	local s=$(hex "$T_AFTER")
	snap "$s" 32 "$D/orig"
	snap "$T_RO" 32 "$D/ro"
	# a good line, then one into the hole
	{
		"$PVMIO" dump "$TPID" "$s:16" | sed -E 's/^([0-9a-f]+: )..../\1eeee/'
		echo "$(addr_of "$T_HOLE + 32"): 0102 0304"
	} >"$D/f"
	refused 1 "$PVMIO" write -f xxd "$TPID" -i "$D/f"
	[[ $stderr == *"$(hex "$T_HOLE + 32")"* ]]
	same_mem "$s" 32 "$D/orig"
	# a good line, then one into RO
	{
		"$PVMIO" dump "$TPID" "$s:16" | sed -E 's/^([0-9a-f]+: )..../\1eeee/'
		"$PVMIO" dump -C "$TPID" "$T_RO:16" | sed -E '1s/^([0-9a-f]+  )../\177/'
	} >"$D/f"
	refused 1 "$PVMIO" write -f xxd "$TPID" -i "$D/f"
	[[ $stderr == *"$(hex "$T_RO")"* ]]
	same_mem "$s" 32 "$D/orig"
	same_mem "$T_RO" 32 "$D/ro"
	# --force writes the read-only page too
	run --separate-stderr "$PVMIO" write -f xxd --force "$TPID" -i "$D/f"
	[ "$status" -eq 0 ]
	cp "$D/orig" "$D/want"
	patch "$D/want" 0 eeee
	same_mem "$s" 32 "$D/want"
	cp "$D/ro" "$D/want"
	patch "$D/want" 0 77
	same_mem "$T_RO" 32 "$D/want"
}

# --- formats that look like dumps but are not xxd's or hexdump -C's ---------

# not_a_dump FILE LINE WHAT: write -f xxd of FILE, from the file and from a
# pipe, is a usage error naming line LINE and the format WHAT; memory at
# ZERO (where the lines point) is untouched.
not_a_dump() {
	local via
	snap "$T_ZERO" 256 "$D/zero-before"
	for via in file pipe; do
		if [ "$via" = file ]; then
			refused 2 "$PVMIO" write -f xxd -i "$1" "$TPID" "$T_ZERO"
		else
			fails 2 '^pvmio: write: ' sh -c 'cat "$1" | "$2" write -f xxd "$3" "$4"' sh "$1" "$PVMIO" "$TPID" "$T_ZERO"
		fi
		[[ $stderr == "pvmio: write: "*"line $2: "*"$3"* ]]
		same_mem "$T_ZERO" 256 "$D/zero-before"
	done
}

@test "roundtrip: plain hexdump (16-bit words, byte-swapped) is refused, nothing written" {
	start_target
	head -c 64 "$D/../"* 2>/dev/null >/dev/null || true
	printf 'Hello, world: the bytes of a file.' >"$D/data"
	hexdump "$D/data" >"$D/f"
	not_a_dump "$D/f" 1 "hexdump without -C"
	# -x and -d too
	hexdump -x "$D/data" >"$D/f"
	not_a_dump "$D/f" 1 "hexdump without -C"
}

@test "roundtrip: od -x (octal offsets, 16-bit words) is refused, nothing written" {
	start_target
	printf 'Hello, world: the bytes of a file.' >"$D/data"
	od -x "$D/data" >"$D/f"
	not_a_dump "$D/f" 1 "od -x"
	od "$D/data" >"$D/f"
	not_a_dump "$D/f" 1 "od"
	od -A x -t x1z "$D/data" >"$D/f"
	not_a_dump "$D/f" 1 "od -t x1"
	od -b "$D/data" >"$D/f"
	not_a_dump "$D/f" 1 "octal bytes"
}

@test "roundtrip: xxd -e (little-endian groups) is refused, also by its short last line, nothing written" {
	start_target
	printf 'Hello, world: the bytes of a file.' >"$D/data"
	xxd -e "$D/data" >"$D/f"
	not_a_dump "$D/f" 1 "xxd -e"
	xxd -e -g 8 "$D/data" >"$D/f"
	not_a_dump "$D/f" 1 "xxd -e"
	# only the short last line, where xxd -e pads its last group on the left
	tail -n 1 "$D/f" >"$D/last"
	xxd -e "$D/data" | tail -n 1 >"$D/last"
	not_a_dump "$D/last" 1 "xxd -e"
	# the same bytes as xxd -g 4 prints them are taken
	xxd -g 4 -o "$T_ZERO" "$D/data" >"$D/f"
	write_back "$TPID" <"$D/f"
	same_mem "$T_ZERO" 34 "$D/data"
}

@test "roundtrip: xxd -b (binary digits) is refused, nothing written" {
	start_target
	printf 'Hello, world: the bytes of a file.' >"$D/data"
	xxd -b "$D/data" >"$D/f"
	not_a_dump "$D/f" 1 "xxd -b"
	# a last line of one byte, padded
	printf '\n' >"$D/one"
	xxd -b "$D/one" >"$D/f"
	not_a_dump "$D/f" 1 "xxd -b"
	printf 'Hello, world!\n' >"$D/data"
	xxd -b "$D/data" | tail -n 1 >"$D/f"
	not_a_dump "$D/f" 1 "xxd -b"
}

@test "roundtrip: xxd -d, xxd -p and xxd -i are refused, naming what they look like" {
	start_target
	printf 'Hello, world: the bytes of a file.' >"$D/data"
	xxd -d "$D/data" >"$D/f"
	not_a_dump "$D/f" 2 "xxd -d"
	xxd -p "$D/data" >"$D/f"
	not_a_dump "$D/f" 1 "xxd -p"
	xxd -i "$D/data" >"$D/f"
	not_a_dump "$D/f" 1 "xxd -i"
	hexdump -c "$D/data" >"$D/f"
	not_a_dump "$D/f" 1 "hexdump -c"
}

@test "roundtrip: a bad line after good ones from a pipe: exit 2, and nothing at all is written" {
	start_target
	local s=$(hex "$T_PATTERN + 64")
	snap "$s" 64 "$D/orig"
	{
		"$PVMIO" dump "$TPID" "$s:48" | sed -E 's/^([0-9a-f]+: )..../\1eeee/'
		echo "this is not a dump"
	} >"$D/f"
	fails 2 '^pvmio: write: stdin, line 4: ' sh -c 'cat "$1" | "$2" write -f xxd "$3"' sh "$D/f" "$PVMIO" "$TPID"
	same_mem "$s" 64 "$D/orig"
}

@test "roundtrip: dumps edited in the hex only write the edit, in every style (-g 1, 2, 4, 8, -C)" {
	start_target
	local s=$(hex "$T_PATTERN + 128")
	snap "$s" 32 "$D/orig"
	local g
	for g in 1 2 4 8 C; do
		mem_write "$TPID" "$s" "$D/orig"
		if [ "$g" = C ]; then
			"$PVMIO" dump -C "$TPID" "$s:32" | sed -E '1s/^([0-9a-f]+  )(.. ){4}/\1de ad be ef /' >"$D/f"
		else
			"$PVMIO" dump -g "$g" "$TPID" "$s:32" | sed -E '1s/^([0-9a-f]+: )(..) ?(..) ?(..) ?(..)/\1deadbeef/' >"$D/f"
			# the groups keep their sizes
			[ "$g" -ge 4 ] || sed -E -i '1s/^([0-9a-f]+: )deadbeef/\1'"$(printf 'de ad be ef' | if [ "$g" = 1 ]; then cat; else tr -d ' ' | sed 's/..../& /'; fi)"'/' "$D/f"
		fi
		head -n 1 "$D/f"
		write_back "$TPID" <"$D/f"
		cp "$D/orig" "$D/want"
		patch "$D/want" 0 deadbeef
		same_mem "$s" 32 "$D/want"
	done
}
