#!/usr/bin/env bats
# pvmio fill: the pattern forms, the cut at the range's end, what it may
# not write, and a 1 GiB region; every byte checked with an independent
# read of /proc/PID/mem (mem_read/mem_hex), never with pvmio itself.
bats_require_minimum_version 1.5.0
load helper

setup() {
	start_target
}

# repeat HEX LEN: HEX repeated, cut at LEN bytes.
repeat() {
	local out=$1
	while ((${#out} < 2 * $2)); do
		out+=$out
	done
	echo "${out:0:$((2 * $2))}"
}

# filled ADDR LEN PATTERN CMD...: runs CMD, which must succeed silently and
# fill LEN bytes at ADDR with PATTERN (hex) repeated, the last copy cut;
# the 64 bytes on either side stay as they were.
filled() {
	local addr=$1 want
	want=$(repeat "$3" "$(($2))")
	shift 3
	written "$addr" "$want" "$@"
}

# --- patterns ------------------------------------------------------------

@test "fill: a 3-byte pattern over 10 bytes, the last copy cut" {
	filled "$T_PATTERN+101" 10 aabbcc "$PVMIO" fill "$TPID" "$T_PATTERN+101:10" aabbcc
	[ "$(mem_hex "$TPID" "$((T_PATTERN + 101))" 10)" = aabbccaabbccaabbccaa ]
}

@test "fill: hex pattern forms (spaces, \\x escapes, capitals)" {
	filled "$T_PATTERN+200" 11 deadbeef "$PVMIO" fill "$TPID" "$T_PATTERN+200:11" "de ad be ef"
	filled "$T_PATTERN+200" 7 dead "$PVMIO" fill "$TPID" "$T_PATTERN+200:7" '\xde\xad'
	filled "$T_PATTERN+200" 9 c0ffee "$PVMIO" fill "$TPID" "$T_PATTERN+200:9" C0FFEE
}

@test "fill: a pattern longer than the range is cut" {
	filled "$T_PATTERN+333" 3 0102030405 "$PVMIO" fill "$TPID" "$T_PATTERN+333:3" 0102030405
}

@test "fill: one byte" {
	filled "$T_PATTERN+77" 1 00 "$PVMIO" fill "$TPID" "$T_PATTERN+77:1" 00
}

@test "fill: odd sizes at unaligned starts" {
	filled "$T_PATTERN+65" 7 ab "$PVMIO" fill "$TPID" "$T_PATTERN+65:7" ab
	filled "$T_PATTERN+1023" 999 a1b2c3d4e5f607 "$PVMIO" fill "$TPID" "$T_PATTERN+1023:999" a1b2c3d4e5f607
	filled "$T_AFTER+67" 4001 112233 "$PVMIO" fill "$TPID" "$T_AFTER+67:4001" 112233
}

@test "fill: across the boundary of the two PATTERN pages" {
	local at=$((T_PATTERN + T_PAGE - 1001))
	filled "$at" 2003 0f1e2d3c4b "$PVMIO" fill "$TPID" "$at:2003" 0f1e2d3c4b
}

@test "fill: RANGE as ADDR..ADDR and with a LEN suffix" {
	filled "$T_PATTERN+70" 90 5a "$PVMIO" fill "$TPID" "$(hex "$T_PATTERN+70")..$(hex "$T_PATTERN+160")" 5a
	filled "$T_PATTERN+69" 1024 a55a0f "$PVMIO" fill "$TPID" "$T_PATTERN+69:1k" a55a0f
}

@test "fill: up to the hole, exactly" {
	local before
	before=$(mem_hex "$TPID" "$T_PATTERN" "$T_PAGE")
	run --separate-stderr "$PVMIO" fill "$TPID" "$(hex "$T_PATTERN+$T_PAGE")..$T_HOLE" 123456
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(mem_hex "$TPID" "$T_PATTERN" "$T_PAGE")" = "$before" ]
	[ "$(mem_hex "$TPID" "$((T_PATTERN + T_PAGE))" "$T_PAGE")" = "$(repeat 123456 "$T_PAGE")" ]
}

@test "fill -t TYPE VALUE: little and big" {
	local at=$((T_PATTERN + 500))
	filled "$at" 10 01020304 "$PVMIO" fill -t u32 -e big "$TPID" "$at:10" 0x01020304
	filled "$at" 10 04030201 "$PVMIO" fill -t u32 -e little "$TPID" "$at:10" 0x01020304
	filled "$at" 9 "$(pack '<' h -2)" "$PVMIO" fill -t i16 -e little "$TPID" "$at:9" -- -2
	filled "$at" 13 "$(pack '>' q -1234567890123456789)" \
		"$PVMIO" fill -t i64 -e big "$TPID" "$at:13" -- -1234567890123456789
	filled "$at" 5 7f "$PVMIO" fill -t u8 "$TPID" "$at:5" 127
	filled "$at" 21 "$(pack '<' d 0.1)" "$PVMIO" fill -t f64 -e little "$TPID" "$at:21" 0.1
	filled "$at" 11 "$(pack '>' f 0.1)" "$PVMIO" fill --type=f32 --endian=big "$TPID" "$at:11" 0.1
	filled "$at" 12 "$(pack '=' H 0xbeef)" "$PVMIO" fill -t u16 "$TPID" "$at:12" 0xbeef
	filled "$at" 20 "$(pack '<' Q 0x7fffdeadbeef)" "$PVMIO" fill -t ptr -e little "$TPID" "$at:20" 0x7fffdeadbeef
}

@test "fill -s STRING: with and without -z" {
	filled "$T_PATTERN+600" 8 616263 "$PVMIO" fill -s abc "$TPID" "$T_PATTERN+600:8"
	filled "$T_PATTERN+600" 7 616200 "$PVMIO" fill -s ab -z "$TPID" "$T_PATTERN+600:7"
	filled "$T_PATTERN+600" 5 "$(hex_of 'é')" \
		"$PVMIO" fill --string 'é' "$TPID" "$T_PATTERN+600:5"
}

# --- bad patterns --------------------------------------------------------

@test "fill: bad patterns are usage errors, nothing written" {
	local r="$T_PATTERN+700:16"
	snapshot "$T_PATTERN+700" 16
	refused 2 "$PVMIO" fill "$TPID" "$r" abc
	refused 2 "$PVMIO" fill "$TPID" "$r" zz
	refused 2 "$PVMIO" fill "$TPID" "$r" '\xdg'
	refused 2 "$PVMIO" fill "$TPID" "$r" ''
	refused 2 "$PVMIO" fill "$TPID" "$r"
	refused 2 "$PVMIO" fill -t u8 "$TPID" "$r" 256
	refused 2 "$PVMIO" fill -t i8 "$TPID" "$r" -- -129
	refused 2 "$PVMIO" fill -t u16 "$TPID" "$r" 65536
	refused 2 "$PVMIO" fill -t i32 "$TPID" "$r" -- -2147483649
	refused 2 "$PVMIO" fill -t f32 "$TPID" "$r" abc
	refused 2 "$PVMIO" fill -t x32 "$TPID" "$r" 1
	refused 2 "$PVMIO" fill -t u16 -e middle "$TPID" "$r" 1
	refused 2 "$PVMIO" fill -s '' "$TPID" "$r"
	untouched
}

@test "fill: bad ranges are usage errors, nothing written" {
	snapshot "$T_PATTERN+700" 16
	refused 2 "$PVMIO" fill "$TPID" "$T_PATTERN+700:16x" 00
	refused 2 "$PVMIO" fill "$TPID" "$(hex "$T_PATTERN+716")..$(hex "$T_PATTERN+700")" 00
	refused 2 "$PVMIO" fill "$TPID" nosuchname 00
	untouched
}

# --- where it may not write ----------------------------------------------

@test "fill: the read-only page is refused without --force" {
	snapshot "$T_RO+100" 50
	refused 1 "$PVMIO" fill "$TPID" "$T_RO+100:50" 00
	[[ $stderr == *"$(printf '%#x' "$((T_RO + 100))")"* ]]
	[[ $stderr == *--force* ]]
	untouched
}

@test "fill --force: writes the read-only page" {
	filled "$T_RO+100" 50 0102 "$PVMIO" fill --force "$TPID" "$T_RO+100:50" 0102
	filled "$T_RO+1" 4094 fedcba "$PVMIO" fill --force --verify "$TPID" "$T_RO+1:4094" fedcba
}

@test "fill: writable into read-only is refused at the first read-only byte" {
	local at=$((T_RO - 10))
	snapshot "$at" 20
	refused 1 "$PVMIO" fill "$TPID" "$at:20" 77
	[[ $stderr == *"$(printf '%#x' "$T_RO")"* ]]
	[[ $stderr == *--force* ]]
	untouched
}

@test "fill: across the hole, refused and nothing written" {
	local at=$((T_HOLE - 100)) before after_before
	before=$(mem_hex "$TPID" "$((at - 64))" 164)
	after_before=$(mem_hex "$TPID" "$T_AFTER" 200)
	refused 1 "$PVMIO" fill "$TPID" "$(hex "$at")..$(hex "$T_AFTER+100")" 99
	[[ $stderr == *"$(printf '%#x' "$T_HOLE")"* ]]
	[ "$(mem_hex "$TPID" "$((at - 64))" 164)" = "$before" ]
	[ "$(mem_hex "$TPID" "$T_AFTER" 200)" = "$after_before" ]
	# Ending inside the hole, and with --force: the same.
	refused 1 "$PVMIO" fill "$TPID" "$at:101" 99
	refused 1 "$PVMIO" fill --force "$TPID" "$at:101" 99
	[ "$(mem_hex "$TPID" "$((at - 64))" 164)" = "$before" ]
	[ "$(mem_hex "$TPID" "$T_AFTER" 200)" = "$after_before" ]
}

@test "fill: an unmapped address is exit 1" {
	refused 1 "$PVMIO" fill "$TPID" 0x10:16 00
	[[ $stderr == *0x10* ]]
	refused 1 "$PVMIO" fill "$TPID" "$T_HOLE:1" 00
	[[ $stderr == *"$(printf '%#x' "$T_HOLE")"* ]]
}

@test "fill: past the top of the address space is a usage error" {
	refused 2 "$PVMIO" fill "$TPID" 0xffffffffffffff00:1k 00
}

@test "fill: an empty range writes nothing and succeeds" {
	snapshot "$T_PATTERN+100" 1
	run --separate-stderr "$PVMIO" fill "$TPID" "$T_PATTERN+100:0" 00
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	untouched
}

@test "fill: the PROT_NONE page is refused without --force" {
	snapshot "$T_NONE+8" 8
	refused 1 "$PVMIO" fill "$TPID" "$T_NONE+8:8" ff
	untouched
}

# --- NAME ranges -----------------------------------------------------------

# The main thread's stack serves as the NAME: every build of the target
# has one (a sanitizer's malloc leaves no [heap]). The target sits in
# pause() and is killed, never resumed, so overwriting its stack is safe.

@test "fill: a NAME range fills the whole mapping ([stack])" {
	local lo hi
	read -r lo hi < <(awk '$6 == "[stack]" { split($1, a, "-"); print "0x" a[1], "0x" a[2]; exit }' "/proc/$TPID/maps")
	[ -n "$hi" ]
	local n=$((hi - lo))
	run --separate-stderr "$PVMIO" fill "$TPID" '[stack]' 0badf00d
	echo "status $status; stderr '$stderr'"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(mem_hex "$TPID" "$lo" "$n")" = "$(repeat 0badf00d "$n")" ]
	# And without the brackets.
	run --separate-stderr "$PVMIO" fill "$TPID" stack 5e
	[ "$status" -eq 0 ]
	[ "$(mem_hex "$TPID" "$lo" "$n")" = "$(repeat 5e "$n")" ]
}

@test "fill: NAME+OFFSET:LEN" {
	local lo
	lo=$(awk '$6 == "[stack]" { split($1, a, "-"); print "0x" a[1]; exit }' "/proc/$TPID/maps")
	filled "$lo+0x100" 33 abcd "$PVMIO" fill "$TPID" '[stack]+0x100:33' abcd
}

@test "fill: a NAME with read-only mappings is refused, nothing written" {
	local lo rw
	lo=$(awk -v exe="$(readlink -f "/proc/$TPID/exe")" '$6 == exe { split($1, a, "-"); print "0x" a[1]; exit }' "/proc/$TPID/maps")
	rw=$(awk -v exe="$(readlink -f "/proc/$TPID/exe")" '$6 == exe && $2 ~ /^rw/ { split($1, a, "-"); print "0x" a[1]; exit }' "/proc/$TPID/maps")
	[ -n "$lo" ]
	[ -n "$rw" ]
	local head data
	head=$(mem_hex "$TPID" "$lo" 64)
	data=$(mem_hex "$TPID" "$rw" 4096)
	refused 1 "$PVMIO" fill "$TPID" exe 00
	[[ $stderr == *"$(printf '%#x' "$lo")"* ]]
	[ "$(mem_hex "$TPID" "$lo" 64)" = "$head" ]
	[ "$(mem_hex "$TPID" "$rw" 4096)" = "$data" ]
}

# --- --verify ----------------------------------------------------------------

@test "fill --verify: success is exit 0 and silent" {
	filled "$T_PATTERN+99" 3000 0102030405060708090a "$PVMIO" fill --verify "$TPID" "$T_PATTERN+99:3000" 0102030405060708090a
	filled "$T_TYPED+1" 17 "$(pack '>' I 7)" "$PVMIO" fill --verify -t u32 -e big "$TPID" "$T_TYPED+1:17" 7
}

# --- 1 GiB ---------------------------------------------------------------------

# big_target SIZE: a target with --big SIZE. Filling a large region takes
# the target a while, longer than start_target waits on a loaded machine.
big_target() {
	local out="$BATS_TEST_TMPDIR/big.out"
	start_process sh -c 'exec "$0" --big "$1" >"$2" 2>&1' "$TARGET" "$1" "$out"
	wait_until 300 grep -qs '^READY$' "$out"
	T_BIG=$(sed -n 's/^BIG=//p' "$out")
	T_BIG_LEN=$(sed -n 's/^BIG_LEN=//p' "$out")
}

# sample OFF LEN: the fill's bytes at OFF (from the fill's start), hex.
sample() {
	mem_hex "$TPID" "$((start + $1))" "$2"
}

@test "fill: a 1 GiB region, sampled at the start, middle and end" {
	big_target 1025M
	local g=$((1 << 30)) start=$((T_BIG + 1))
	[ "$T_BIG_LEN" -eq $((g + (1 << 20))) ]
	run --separate-stderr "$PVMIO" fill "$TPID" "$(hex "$start"):1G" 0102030405
	echo "status $status; stderr '$stderr'"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ -z "$output" ]
	# The pattern at offset OFF starts with byte OFF % 5 of 0102030405.
	local p=01020304050102030405 off
	for off in 0 4096 $((g / 2 - 3)) $((g / 2 + 4093)) $((g / 3)) $((g - 8192)) $((g - 4096)); do
		local ph=$((off % 5))
		echo "offset $off"
		[ "$(sample "$off" 4096)" = "$(repeat "${p:$((2 * ph)):10}" 4096)" ]
	done
	# 2^30 = 4 (mod 5): the last copy is cut after 4 bytes.
	[ "$(sample $((g - 9)) 9)" = 010203040501020304 ]
	# Not a byte outside: BIG's byte 0 and the bytes after the fill are
	# still byte i = i & 0xff.
	[ "$(mem_hex "$TPID" "$T_BIG" 1)" = 00 ]
	[ "$(sample "$g" 4096)" = "$(python3 -c "print(bytes((i & 0xff) for i in range(1 + $g, 1 + $g + 4096)).hex())")" ]
}

@test "fill: 1 GiB takes a handful of process_vm_writev calls and little memory" {
	command -v strace >/dev/null || skip "strace is not installed"
	strace -f -qq -o /dev/null true 2>/dev/null || skip "strace cannot trace here"
	big_target 1025M
	local g=$((1 << 30)) start=$((T_BIG + 1))
	local log="$BATS_TEST_TMPDIR/strace"
	# LeakSanitizer cannot run under ptrace: off for this run only.
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		run strace -f -qq -o "$log" -e trace=process_vm_writev,pwrite64,write \
		"$PVMIO" fill "$TPID" "$(hex "$start"):1G" a5a5a55a
	[ "$status" -eq 0 ]
	local calls
	calls=$(grep -c 'process_vm_writev(' "$log")
	echo "process_vm_writev calls: $calls"
	[ "$calls" -ge 1 ]
	[ "$calls" -le 64 ]
	[ "$(sample $((g / 2)) 4096)" = "$(repeat a5a5a55a 4096)" ]
	# Peak memory of pvmio (and its libtool wrapper), in KiB: far below
	# the 1 GiB it wrote.
	local rss
	rss=$(python3 -c 'import resource, subprocess, sys
r = subprocess.run(sys.argv[1:])
print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' \
		"$PVMIO" fill "$TPID" "$(hex "$start"):1G" 5aa5)
	echo "status and max RSS (KiB): $rss"
	[ "${rss% *}" -eq 0 ]
	[ "${rss#* }" -lt $((128 * 1024)) ]
	[ "$(sample $((g - 4096)) 4096)" = "$(repeat 5aa5 4096)" ]
}
