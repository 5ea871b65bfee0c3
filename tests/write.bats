#!/usr/bin/env bats
# pvmio write: every input form and type, checked byte for byte with an
# independent read of /proc/PID/mem (mem_hex), never with pvmio itself.
bats_require_minimum_version 1.5.0
load helper

setup() {
	start_target
}

# typed TYPE VALUE...: the VALUEs written with -t TYPE, little, big and
# native, each at its own odd address in PATTERN (so that a write that
# changes nothing, as a u8 in another byte order would, still shows).
typed() {
	local type=$1
	shift
	local at=$((T_PATTERN + 301))
	written "$at" "$(pack '<' "$type" "$@")" "$PVMIO" write -t "$type" -e little "$TPID" "$at" -- "$@"
	at=$((T_PATTERN + 1301))
	written "$at" "$(pack '>' "$type" "$@")" "$PVMIO" write --type="$type" --endian=big "$TPID" "$at" -- "$@"
	at=$((T_PATTERN + 2301))
	written "$at" "$(pack '=' "$type" "$@")" "$PVMIO" write -t "$type" "$TPID" "$at" -- "$@"
}

# --- hex -----------------------------------------------------------------

@test "write: hex as one word (deadbeef)" {
	written "$T_PATTERN+100" deadbeef "$PVMIO" write "$TPID" "$T_PATTERN+100" deadbeef
}

@test "write: hex in capitals (DEADBEEF)" {
	written "$T_PATTERN+100" deadbeef "$PVMIO" write "$TPID" "$T_PATTERN+100" DEADBEEF
}

@test "write: hex with spaces (\"de ad be ef\")" {
	written "$T_PATTERN+101" deadbeef "$PVMIO" write "$TPID" "$T_PATTERN+101" "de ad be ef"
}

@test "write: hex as \\x escapes (\\xde\\xad)" {
	written "$T_PATTERN+103" dead "$PVMIO" write "$TPID" "$T_PATTERN+103" '\xde\xad'
}

@test "write: hex over several arguments of mixed forms" {
	written "$T_PATTERN+107" deadbeef0102030405 \
		"$PVMIO" write "$TPID" "$T_PATTERN+107" de 'ad be' '\xef\x01' 0203 0405
}

@test "write: one byte" {
	written "$T_AFTER+1000" 00 "$PVMIO" write "$TPID" "$T_AFTER+1000" 00
}

@test "write: ADDR as NAME+OFFSET" {
	local lo
	lo=$(awk '$6 == "[stack]" { split($1, a, "-"); print "0x" a[1]; exit }' "/proc/$TPID/maps")
	[ -n "$lo" ]
	written "$lo+0x100" c0ffee "$PVMIO" write "$TPID" '[stack]+0x100' c0ffee
	written "$lo+0x201" 0102 "$PVMIO" write "$TPID" 'stack+0x200+1' 0102
}

@test "write: options after the positional arguments" {
	written "$T_PATTERN+200" 0100000002000000 "$PVMIO" write "$TPID" "$T_PATTERN+200" -t u32 -e little 1 2
}

@test "write: bytes that end exactly at the hole are written" {
	local at=$((T_HOLE - 4))
	local before
	before=$(mem_hex "$TPID" "$((at - 64))" 64)
	run "$PVMIO" write "$TPID" "$at" 01020304
	[ "$status" -eq 0 ]
	[ "$(mem_hex "$TPID" "$((at - 64))" 68)" = "${before}01020304" ]
	# AFTER, past the hole, is as the target made it.
	[ "$(mem_hex "$TPID" "$T_AFTER" 64)" = "$(python3 -c 'print(bytes((i*13+1)&0xff for i in range(64)).hex())')" ]
}

# --- typed values ----------------------------------------------------------

@test "write -t u8: little, big and native" {
	typed u8 0 255 0x7f 1
}

@test "write -t i8: little, big and native" {
	typed i8 -128 127 -1 0
}

@test "write -t u16: little, big and native" {
	typed u16 0 65535 0x1234 0xbeef
}

@test "write -t i16: little, big and native" {
	typed i16 -32768 32767 -12345 1
}

@test "write -t u32: little, big and native" {
	typed u32 0 4294967295 0x12345678 0xdeadbeef
}

@test "write -t i32: little, big and native" {
	typed i32 -2147483648 2147483647 -123456789 -1
}

@test "write -t u64: little, big and native" {
	typed u64 0 18446744073709551615 0x0123456789abcdef 0xffffffff00000001
}

@test "write -t i64: little, big and native" {
	typed i64 -9223372036854775808 9223372036854775807 -1234567890123456789 -1
}

@test "write -t f32: little, big and native" {
	typed f32 0.1 -1.5 3.14159274 3.4028234663852886e38 1e-10 -0.0 0
}

@test "write -t f64: little, big and native" {
	typed f64 0.1 -2.5e-300 2.718281828459045 1.7976931348623157e308 -0.0 123456789.125
}

@test "write -t ptr: little, big and native" {
	typed ptr 0 0x7fffdeadbeef 0x1234
}

@test "write -t u8: decimal with leading zeros is not octal" {
	written "$T_PATTERN+300" 0a0a00 "$PVMIO" write -t u8 "$TPID" "$T_PATTERN+300" 010 0x0a 0
}

@test "write -t: floats are parsed exactly (f32 0.1, f64 0.1)" {
	written "$T_PATTERN+400" "$(pack '<' f 0.1)" \
		"$PVMIO" write -t f32 -e little "$TPID" "$T_PATTERN+400" 0.1
	written "$T_PATTERN+400" "$(pack '<' d 0.1)" \
		"$PVMIO" write -t f64 -e little "$TPID" "$T_PATTERN+400" 0.1
	written "$T_PATTERN+400" "$(python3 -c 'import struct; print(struct.pack(">d", 1/3).hex())')" \
		"$PVMIO" write -t f64 -e big "$TPID" "$T_PATTERN+400" 0.33333333333333331483
}

@test "write -t f32: rounded once from the decimal, not through a double" {
	# 1 + 3*2^-24 is halfway between two floats; this decimal is just
	# below it, so the nearest float is 1 + 2^-23 (0x3f800001). Going
	# through a double gives the halfway value and then 1 + 2^-22.
	local v=1.0000001788139343261718749
	[ "$(pack '<' f32 "$v")" = 0100803f ]
	written "$T_PATTERN+400" 0100803f "$PVMIO" write -t f32 -e little "$TPID" "$T_PATTERN+400" "$v"
}

@test "write -t f32/f64: subnormals round-trip" {
	written "$T_PATTERN+400" "$(pack '<' f32 1.40129846e-45)" \
		"$PVMIO" write -t f32 -e little "$TPID" "$T_PATTERN+400" 1.40129846e-45
	written "$T_PATTERN+400" "$(pack '<' f64 4.9406564584124654e-324)" \
		"$PVMIO" write -t f64 -e little "$TPID" "$T_PATTERN+400" 4.9406564584124654e-324
}

@test "write -t: negative values after --" {
	written "$T_TYPED+64" "$(pack '<' i32 -1 -2147483648 5)" \
		"$PVMIO" write -t i32 -e little "$TPID" "$T_TYPED+64" -- -1 -2147483648 5
	written "$T_TYPED+64" "$(pack '>' f64 -1.5)" \
		"$PVMIO" write -t f64 -e big "$TPID" "$T_TYPED+64" -- -1.5
}

@test "write -t: out of range values are usage errors, nothing written" {
	local at=$((T_PATTERN + 500))
	snapshot "$at" 8
	refused 2 "$PVMIO" write -t u8 "$TPID" "$at" 256
	[[ $stderr == *256* ]]
	refused 2 "$PVMIO" write -t i8 "$TPID" "$at" -- -129
	[[ $stderr == *-129* ]]
	refused 2 "$PVMIO" write -t i8 "$TPID" "$at" 128
	refused 2 "$PVMIO" write -t u8 "$TPID" "$at" -- -1
	refused 2 "$PVMIO" write -t u16 "$TPID" "$at" 65536
	[[ $stderr == *65536* ]]
	refused 2 "$PVMIO" write -t i16 "$TPID" "$at" 32768
	refused 2 "$PVMIO" write -t u32 "$TPID" "$at" 4294967296
	refused 2 "$PVMIO" write -t i32 "$TPID" "$at" -- -2147483649
	[[ $stderr == *-2147483649* ]]
	refused 2 "$PVMIO" write -t i32 "$TPID" "$at" 2147483648
	refused 2 "$PVMIO" write -t u64 "$TPID" "$at" 18446744073709551616
	refused 2 "$PVMIO" write -t i64 "$TPID" "$at" 9223372036854775808
	refused 2 "$PVMIO" write -t i64 "$TPID" "$at" -- -9223372036854775809
	refused 2 "$PVMIO" write -t f32 "$TPID" "$at" 1e39
	refused 2 "$PVMIO" write -t f64 "$TPID" "$at" 1e309
	untouched
}

@test "write -t i8 -129 without --: a usage error, nothing written" {
	snapshot "$T_PATTERN+500" 8
	refused 2 "$PVMIO" write -t i8 "$TPID" "$T_PATTERN+500" -129
	untouched
}

@test "write -t: one bad value among good ones, nothing written" {
	snapshot "$T_PATTERN+500" 8
	refused 2 "$PVMIO" write -t u8 "$TPID" "$T_PATTERN+500" 1 2 3 256
	refused 2 "$PVMIO" write -t u16 "$TPID" "$T_PATTERN+500" 1 2 x3
	untouched
}

@test "write -t: bad values, types and byte orders are usage errors, nothing written" {
	local at=$((T_PATTERN + 600))
	snapshot "$at" 8
	refused 2 "$PVMIO" write -t u32 "$TPID" "$at" abc
	refused 2 "$PVMIO" write -t u8 "$TPID" "$at" 1.5
	refused 2 "$PVMIO" write -t u16 "$TPID" "$at" 12x
	refused 2 "$PVMIO" write -t u16 "$TPID" "$at" ''
	refused 2 "$PVMIO" write -t f32 "$TPID" "$at" 1.5.2
	refused 2 "$PVMIO" write -t f64 "$TPID" "$at" 0x
	refused 2 "$PVMIO" write -t x32 "$TPID" "$at" 1
	[[ $stderr == *x32* ]]
	refused 2 "$PVMIO" write -t u128 "$TPID" "$at" 1
	refused 2 "$PVMIO" write -t u16 -e middle "$TPID" "$at" 1
	refused 2 "$PVMIO" write -t u16 "$TPID" "$at"
	untouched
}

# --- strings -----------------------------------------------------------------

@test "write -s STRING: its bytes, no NUL" {
	written "$T_PATTERN+700" "$(hex_of 'hello, world')" \
		"$PVMIO" write -s 'hello, world' "$TPID" "$T_PATTERN+700"
}

@test "write -s STRING -z: one NUL added" {
	written "$T_PATTERN+700" 68690a00 "$PVMIO" write -s $'hi\n' -z "$TPID" "$T_PATTERN+700"
	written "$T_PATTERN+700" 68692100 "$PVMIO" write --string 'hi!' --nul "$TPID" "$T_PATTERN+700"
}

@test "write -s: UTF-8 bytes as they are" {
	written "$T_PATTERN+700" "$(python3 -c 'print("héllo €".encode().hex())')" \
		"$PVMIO" write -s 'héllo €' "$TPID" "$T_PATTERN+700"
}

# --- files and stdin ---------------------------------------------------------

@test "write -i FILE: the file's bytes" {
	local f="$BATS_TEST_TMPDIR/in"
	head -c 1000 /dev/urandom >"$f"
	written "$T_PATTERN+1001" "$(od -An -v -tx1 "$f" | tr -d ' \n')" "$PVMIO" write -i "$f" "$TPID" "$T_PATTERN+1001"
}

@test "write -i -: the bytes of stdin" {
	local f="$BATS_TEST_TMPDIR/in"
	head -c 777 /dev/urandom >"$f"
	written "$T_AFTER+100" "$(od -An -v -tx1 "$f" | tr -d ' \n')" \
		bash -c '"$0" write -i - "$1" "$2" <"$3"' "$PVMIO" "$TPID" "$T_AFTER+100" "$f"
	# Through a pipe too.
	head -c 333 /dev/urandom >"$f"
	written "$T_AFTER+200" "$(od -An -v -tx1 "$f" | tr -d ' \n')" \
		bash -c 'cat "$3" | "$0" write --input=- "$1" "$2"' "$PVMIO" "$TPID" "$T_AFTER+200" "$f"
}

@test "write -i -: stdin larger than the 1 MiB buffer (3 MiB + 5 bytes)" {
	start_target --big 8M
	local n=$((3 * 1024 * 1024 + 5)) at=$((T_BIG + 3))
	local f="$BATS_TEST_TMPDIR/in"
	head -c "$n" /dev/urandom >"$f"
	run --separate-stderr bash -c 'cat "$3" | "$0" write -i - "$1" "$2"' "$PVMIO" "$TPID" "$at" "$f"
	echo "status $status; stderr '$stderr'"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -z "$stderr" ]
	mem_read "$TPID" "$at" "$n" >"$BATS_TEST_TMPDIR/got"
	cmp "$f" "$BATS_TEST_TMPDIR/got"
	# The 3 bytes before and 4096 bytes after are still byte i = i & 0xff.
	[ "$(mem_hex "$TPID" "$T_BIG" 3)" = 000102 ]
	[ "$(mem_hex "$TPID" "$((at + n))" 4096)" = \
		"$(python3 -c "print(bytes((i & 0xff) for i in range(3 + $n, 3 + $n + 4096)).hex())")" ]
}

@test "write -i FILE: a missing file is a local I/O error (4), nothing written" {
	snapshot "$T_PATTERN+100" 16
	refused 4 "$PVMIO" write -i "$BATS_TEST_TMPDIR/missing" "$TPID" "$T_PATTERN+100"
	[[ $stderr == *missing* ]]
	untouched
}

@test "write -i FILE across the hole: refused, nothing written" {
	local f="$BATS_TEST_TMPDIR/in"
	head -c 64 /dev/urandom >"$f"
	local at=$((T_HOLE - 32))
	local before
	before=$(mem_hex "$TPID" "$((at - 64))" 96)
	run --separate-stderr "$PVMIO" write -i "$f" "$TPID" "$at"
	echo "status $status; stderr '$stderr'"
	[ "$status" -eq 1 ]
	[[ $stderr == *"$(printf '%#x' "$T_HOLE")"* ]]
	[ "$(mem_hex "$TPID" "$((at - 64))" 96)" = "$before" ]
}

@test "write -i - across the hole: the chunk is refused, nothing written" {
	local at=$((T_HOLE - 32))
	local before
	before=$(mem_hex "$TPID" "$((at - 64))" 96)
	run --separate-stderr bash -c 'head -c 64 /dev/zero | "$0" write -i - "$1" "$2"' "$PVMIO" "$TPID" "$at"
	echo "status $status; stderr '$stderr'"
	[ "$status" -eq 1 ]
	[[ $stderr == *"$(printf '%#x' "$T_HOLE")"* ]]
	[ "$(mem_hex "$TPID" "$((at - 64))" 96)" = "$before" ]
}

# vma_end ADDR: the end of the mapping that holds ADDR, from
# /proc/TPID/maps (decimal), or nothing when ADDR is not mapped.
vma_end() {
	local r rest
	while read -r r rest; do
		local lo=$((0x${r%-*})) hi=$((0x${r#*-}))
		if ((lo <= $1 && $1 < hi)); then
			echo "$hi"
			return
		fi
	done <"/proc/$TPID/maps"
}

# big_end: the end of BIG's mapping, which must be followed by unmapped
# memory (skips otherwise: it depends on where the kernel put BIG).
big_end() {
	BIG_END=$(vma_end "$T_BIG")
	[ -n "$BIG_END" ]
	[ -z "$(vma_end "$BIG_END")" ] || skip "BIG's mapping is followed by another one here"
}

@test "write -i FILE: the whole destination is checked before the first byte" {
	start_target --big 4M
	big_end
	# 2 MiB, of which the last 512 KiB fall past BIG's end.
	local at=$((BIG_END - 1536 * 1024)) f="$BATS_TEST_TMPDIR/in"
	head -c $((2 * 1024 * 1024)) /dev/urandom >"$f"
	mem_read "$TPID" "$at" $((1536 * 1024)) >"$BATS_TEST_TMPDIR/before"
	run --separate-stderr "$PVMIO" write -i "$f" "$TPID" "$at"
	echo "status $status; stderr '$stderr'"
	[ "$status" -eq 1 ]
	[[ $stderr == "pvmio: write: "*"$(printf '%#x' "$BIG_END")"* ]]
	mem_read "$TPID" "$at" $((1536 * 1024)) | cmp "$BATS_TEST_TMPDIR/before" -
}

@test "write -i -: a chunk refused after others were written says how many were" {
	# Streamed input is checked chunk by chunk, so the first 1 MiB chunk is
	# written before the second, which runs past BIG's end, is refused. The
	# message must then not claim that nothing was written.
	start_target --big 4M
	big_end
	local at=$((BIG_END - 1536 * 1024)) f="$BATS_TEST_TMPDIR/in" m=$((1024 * 1024))
	head -c $((2 * m)) /dev/urandom >"$f"
	mem_read "$TPID" "$((at + m))" $((512 * 1024)) >"$BATS_TEST_TMPDIR/rest"
	run --separate-stderr bash -c 'cat "$3" | "$0" write -i - "$1" "$2"' "$PVMIO" "$TPID" "$at" "$f"
	echo "status $status; stderr '$stderr'"
	[ "$status" -eq 1 ]
	[[ $stderr == "pvmio: write: "*"$(printf '%#x' "$BIG_END")"* ]]
	# What was written is the first chunk, exactly.
	mem_read "$TPID" "$at" "$m" | cmp <(head -c "$m" "$f") -
	mem_read "$TPID" "$((at + m))" $((512 * 1024)) | cmp "$BATS_TEST_TMPDIR/rest" -
	[[ $stderr != *"nothing was written"* ]]
	[[ $stderr == *1048576* ]]
}

@test "write -i: empty input writes nothing and succeeds" {
	snapshot "$T_PATTERN+100" 16
	run --separate-stderr "$PVMIO" write -i /dev/null "$TPID" "$T_PATTERN+100"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	untouched
}

# --- bad hex -----------------------------------------------------------------

@test "write: bad hex of each form is a usage error, nothing written" {
	local at=$((T_PATTERN + 800))
	snapshot "$at" 8
	refused 2 "$PVMIO" write "$TPID" "$at" abc
	[[ $stderr == *abc* ]]
	refused 2 "$PVMIO" write "$TPID" "$at" zz
	refused 2 "$PVMIO" write "$TPID" "$at" "de ad b"
	refused 2 "$PVMIO" write "$TPID" "$at" "de ad xy"
	refused 2 "$PVMIO" write "$TPID" "$at" '\xd'
	refused 2 "$PVMIO" write "$TPID" "$at" '\xdg'
	refused 2 "$PVMIO" write "$TPID" "$at" 'de:ad'
	untouched
}

@test "write: one bad hex argument among good ones, nothing written" {
	snapshot "$T_PATTERN+800" 8
	refused 2 "$PVMIO" write "$TPID" "$T_PATTERN+800" dead beef 0
	refused 2 "$PVMIO" write "$TPID" "$T_PATTERN+800" dead '\xbe' q1
	untouched
}

@test "write: no data is a usage error" {
	snapshot "$T_PATTERN+800" 8
	refused 2 "$PVMIO" write "$TPID" "$T_PATTERN+800"
	untouched
}

# --- where it may not write ----------------------------------------------

@test "write: the read-only page is refused without --force" {
	snapshot "$T_RO+16" 4
	refused 1 "$PVMIO" write "$TPID" "$T_RO+16" deadbeef
	[[ $stderr == *"$(printf '%#x' "$((T_RO + 16))")"* ]]
	[[ $stderr == *--force* ]]
	untouched
}

@test "write --force: writes the read-only page" {
	written "$T_RO+16" deadbeef "$PVMIO" write --force "$TPID" "$T_RO+16" deadbeef
	written "$T_RO+100" "$(pack '>' u32 7)" "$PVMIO" write --force -t u32 -e big "$TPID" "$T_RO+100" 7
}

@test "write: across writable into read-only, refused at the first read-only byte" {
	local at=$((T_RO - 2))
	snapshot "$at" 4
	refused 1 "$PVMIO" write "$TPID" "$at" 01020304
	[[ $stderr == *"$(printf '%#x' "$T_RO")"* ]]
	[[ $stderr == *--force* ]]
	untouched
	written "$at" 01020304 "$PVMIO" write --force "$TPID" "$at" 01020304
}

@test "write: across the hole, refused and nothing written" {
	local at=$((T_HOLE - 8))
	local before after
	before=$(mem_hex "$TPID" "$((at - 64))" 72)
	refused 1 "$PVMIO" write "$TPID" "$at" 00112233445566778899aabbccddeeff
	[[ $stderr == *"$(printf '%#x' "$T_HOLE")"* ]]
	after=$(mem_hex "$TPID" "$((at - 64))" 72)
	[ "$after" = "$before" ]
	# --force does not write holes either.
	run "$PVMIO" write --force "$TPID" "$at" 00112233445566778899aabbccddeeff
	[ "$status" -eq 1 ]
	[ "$(mem_hex "$TPID" "$((at - 64))" 72)" = "$before" ]
}

@test "write: from PATTERN over the hole into AFTER, nothing written" {
	local at=$((T_HOLE - 16)) before after_before
	before=$(mem_hex "$TPID" "$((at - 64))" 80)
	after_before=$(mem_hex "$TPID" "$T_AFTER" 64)
	run --separate-stderr "$PVMIO" write "$TPID" "$at" \
		"$(python3 -c "print('ab' * ($T_AFTER + 16 - $at))")"
	echo "status $status; stderr '$stderr'"
	[ "$status" -eq 1 ]
	[[ $stderr == "pvmio: write: "*"$(printf '%#x' "$T_HOLE")"* ]]
	[ "$(mem_hex "$TPID" "$((at - 64))" 80)" = "$before" ]
	[ "$(mem_hex "$TPID" "$T_AFTER" 64)" = "$after_before" ]
}

@test "write: an unmapped address is exit 1" {
	refused 1 "$PVMIO" write "$TPID" 0x10 00
	[[ $stderr == *0x10* ]]
	refused 1 "$PVMIO" write "$TPID" "$T_HOLE" 00
	[[ $stderr == *"$(printf '%#x' "$T_HOLE")"* ]]
}

@test "write: past the top of the address space is a usage error" {
	refused 2 "$PVMIO" write "$TPID" 0xffffffffffffffff 0000
}

@test "write: the PROT_NONE page is refused without --force" {
	snapshot "$T_NONE+8" 4
	refused 1 "$PVMIO" write "$TPID" "$T_NONE+8" deadbeef
	[[ $stderr == *"$(printf '%#x' "$((T_NONE + 8))")"* ]]
	untouched
}

@test "write --force: writes the PROT_NONE page" {
	written "$T_NONE+8" deadbeef "$PVMIO" write --force "$TPID" "$T_NONE+8" deadbeef
}

# --- --verify ------------------------------------------------------------------

@test "write --verify: success is exit 0 and silent" {
	written "$T_PATTERN+900" cafebabe "$PVMIO" write --verify "$TPID" "$T_PATTERN+900" cafebabe
	written "$T_RO+900" cafebabe "$PVMIO" write --verify --force "$TPID" "$T_RO+900" cafebabe
	written "$T_TYPED+8" "$(pack '<' u32 1)" "$PVMIO" write --verify -t u32 -e little "$TPID" "$T_TYPED+8" 1
}

@test "write --verify -i -: stdin larger than the buffer" {
	start_target --big 4M
	local n=$((2 * 1024 * 1024 + 17)) at=$((T_BIG + 1))
	local f="$BATS_TEST_TMPDIR/in"
	head -c "$n" /dev/urandom >"$f"
	run --separate-stderr bash -c '"$0" write --verify -i - "$1" "$2" <"$3"' "$PVMIO" "$TPID" "$at" "$f"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	mem_read "$TPID" "$at" "$n" | cmp "$f" -
	[ "$(mem_hex "$TPID" "$T_BIG" 1)" = 00 ]
	[ "$(mem_hex "$TPID" "$((at + n))" 16)" = \
		"$(python3 -c "print(bytes((i & 0xff) for i in range(1 + $n, 17 + $n)).hex())")" ]
}

# --- refused, interrupted, empty ----------------------------------------------

@test "write --force / fill --force into the kernel's [vvar] and [vsyscall] pages: refused before any byte" {
	start_target
	local vvar
	vvar=$(awk '$6 == "[vvar]" { split($1, r, "-"); print "0x" r[1]; exit }' "/proc/$TPID/maps")
	[[ -n $vvar ]] || skip "this kernel maps no [vvar]"
	fails 1 "^pvmio: write: cannot write $vvar: .*\\[vvar\\], the kernel's own page, which no write reaches, not even with --force; nothing was written" \
		"$PVMIO" write --force "$TPID" '[vvar]' 00
	fails 1 "the kernel's own page" "$PVMIO" fill --force "$TPID" vvar:4 00
	# without --force, no advice to try --force
	fails 1 "the kernel's own page" "$PVMIO" write "$TPID" '[vvar]' 00
	[[ $stderr != *"--force writes"* ]]
	if grep -q '\[vsyscall\]' "/proc/$TPID/maps"; then
		fails 1 "the kernel's own page" "$PVMIO" write --force "$TPID" '[vsyscall]' 00
	fi
}

@test "write --force / fill --force into a shared read-only mapping (r--s): refused before any byte" {
	grep -q "$(printf '%x' "$T_SHARED_RO")-.* r--s " "/proc/$TPID/maps"
	snapshot "$T_SHARED_RO" 16
	local cmd
	for cmd in "write --force $TPID $T_SHARED_RO+4 deadbeef" "fill --force $TPID $T_SHARED_RO:16 ff" \
		"write $TPID $T_SHARED_RO 00"; do
		refused 1 "$PVMIO" $cmd
		[[ $stderr == *"$(hex "$T_SHARED_RO")"*"r--s"* ]]
		if [[ $cmd == *--force* ]]; then
			[[ $stderr == *"shared read-only mapping, which cannot be written even with --force"* ]]
			[[ $stderr == *"nothing was written"* ]]
		fi
	done
	untouched
}

# slow_feed FIFO BYTES: writes BYTES bytes of 0xab into FIFO, then holds it
# open (so the reader blocks) until killed.
slow_feed() {
	# exec: $FEEDER is the sleep itself, so that killing it leaves no
	# orphan holding bats's fd 3 open (which would hang the suite).
	(head -c "$2" /dev/zero | tr '\0' '\253'; exec sleep 600) >"$1" 3>&- &
	FEEDER=$!
}

# interrupted SIGNAL STATUS [--stop]: pvmio write -i - from a pipe that
# delivers 3 MiB and then stalls gets SIGNAL: it must exit with STATUS and
# one line saying how much it wrote and up to where, and have written
# exactly that.
interrupted() {
	start_target --big 8M
	local fifo=$BATS_TEST_TMPDIR/in.$1.fifo m=$((1024 * 1024))
	rm -f "$fifo"
	mkfifo "$fifo"
	mem_read "$TPID" "$T_BIG" $((4 * m)) >"$BATS_TEST_TMPDIR/before"
	slow_feed "$fifo" $((3 * m))
	"$PVMIO" write ${3:-} -i - "$TPID" "$T_BIG" <"$fifo" 2>"$BATS_TEST_TMPDIR/err" &
	local pv=$!
	# wait until the three chunks are in memory
	wait_until 15 mem_is "$TPID" "$((T_BIG + 3 * m - 1))" ab
	sleep 0.2
	kill -"$1" "$pv"
	local st=0
	wait "$pv" || st=$?
	kill "$FEEDER" 2>/dev/null || true
	cat "$BATS_TEST_TMPDIR/err"
	[ "$st" -eq "$2" ]
	[ "$(wc -l <"$BATS_TEST_TMPDIR/err")" -eq 1 ]
	grep -q "^pvmio: write: interrupted by SIG$1: $((3 * m)) bytes were written, up to $(hex $((T_BIG + 3 * m))), nothing more$" \
		"$BATS_TEST_TMPDIR/err"
	mem_read "$TPID" "$T_BIG" $((3 * m)) | cmp <(head -c $((3 * m)) /dev/zero | tr '\0' '\253') -
	mem_read "$TPID" $((T_BIG + 3 * m)) "$m" | cmp <(tail -c "$m" "$BATS_TEST_TMPDIR/before") -
	# the target runs on, not stopped
	[[ $(awk '/^State:/ {print $2}' "/proc/$TPID/status") != T ]]
}

@test "write -i -: SIGINT mid-stream says how much was written and exits 130" {
	interrupted INT 130
}

@test "write -i -: SIGTERM mid-stream exits 143; with --stop the target is resumed" {
	interrupted TERM 143
	interrupted INT 130 --stop
}

@test "fill: SIGINT between slices says how much was written and exits 130" {
	command -v strace >/dev/null || skip "strace is not installed (it slows each write to make room for the signal)"
	start_target --big 512M
	local fill_pid
	# each process_vm_writev of a 64 MiB slice takes 200 ms longer (and
	# LeakSanitizer cannot work under ptrace: a sanitizer build would fail)
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -o /dev/null -e inject=process_vm_writev:delay_exit=200000 \
		"$PVMIO" fill "$TPID" "$T_BIG:512M" 5a 2>"$BATS_TEST_TMPDIR/err" &
	local tracer=$!
	# the signal lands once the first slice is in (its last byte was
	# 0xff), while its call is held: never before pvmio is ready for it
	wait_until 60 mem_is "$TPID" $((T_BIG + (64 << 20) - 1)) 5a
	fill_pid=$(cat "/proc/$tracer/task/$tracer/children")
	kill -INT "$fill_pid"
	local st=0
	wait "$tracer" || st=$?
	cat "$BATS_TEST_TMPDIR/err"
	[ "$st" -eq 130 ]
	local n
	n=$(sed -n 's/^pvmio: fill: interrupted by SIGINT: \([0-9]*\) bytes were written, up to \(0x[0-9a-f]*\), nothing more$/\1 \2/p' \
		"$BATS_TEST_TMPDIR/err")
	[ -n "$n" ]
	local count=${n% *} upto=${n#* }
	[ "$count" -gt 0 ]
	[ "$count" -lt $((512 << 20)) ]
	[ $((count % (64 << 20))) -eq 0 ]
	[ "$upto" = "$(hex $((T_BIG + count)))" ]
	# the last byte written and the first one not
	[ "$(mem_hex "$TPID" $((T_BIG + count - 1)) 1)" = 5a ]
	[ "$(mem_hex "$TPID" $((T_BIG + count)) 1)" = "$(printf '%02x' $((count & 255)))" ]
}

@test "write: empty data writes nothing and exits 0, in every form" {
	snapshot "$T_PATTERN+100" 16
	local f=$BATS_TEST_TMPDIR/empty
	: >"$f"
	run --separate-stderr "$PVMIO" write "$TPID" "$T_PATTERN+100" ''
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	run --separate-stderr "$PVMIO" write "$TPID" "$T_PATTERN+100" '' ' '
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	run --separate-stderr "$PVMIO" write -s '' "$TPID" "$T_PATTERN+100"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	run --separate-stderr "$PVMIO" write -i "$f" "$TPID" "$T_PATTERN+100"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	run --separate-stderr "$PVMIO" write -i - "$TPID" "$T_PATTERN+100" <"$f"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	run --separate-stderr "$PVMIO" write -f xxd "$TPID" <"$f"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	untouched
	# the address still has to be one, and the process to exist
	refused 2 "$PVMIO" write "$TPID" "nosuchname+1" ''
	# a pattern cannot be empty
	refused 2 "$PVMIO" fill "$TPID" "$T_PATTERN+100:8" ''
	refused 2 "$PVMIO" find "$TPID" ''
	refused 2 "$PVMIO" find -s '' "$TPID"
}

@test "write, fill and find: -t next to -s is a usage error, nothing written" {
	snapshot "$T_PATTERN+100" 16
	refused 2 "$PVMIO" write -t u32 -s abc "$TPID" "$T_PATTERN+100"
	[[ $stderr == *"-t"*"-s"* ]]
	refused 2 "$PVMIO" write -e big -s abc "$TPID" "$T_PATTERN+100"
	refused 2 "$PVMIO" fill -t u8 -s abc "$TPID" "$T_PATTERN+100:8"
	refused 2 "$PVMIO" find -t u32 -s abc "$TPID"
	refused 2 "$PVMIO" write -t u32 -i /dev/null "$TPID" "$T_PATTERN+100"
	refused 2 "$PVMIO" write -e big -i /dev/null "$TPID" "$T_PATTERN+100"
	untouched
}

@test "write -t f32/f64: underflow to zero is an error like overflow; subnormals are not" {
	snapshot "$T_PATTERN+400" 8
	refused 2 "$PVMIO" write -t f32 "$TPID" "$T_PATTERN+400" 1e-46
	[[ $stderr == *"out of range for f32"* ]]
	refused 2 "$PVMIO" write -t f32 "$TPID" "$T_PATTERN+400" 1e39
	[[ $stderr == *"out of range for f32"* ]]
	refused 2 "$PVMIO" write -t f64 "$TPID" "$T_PATTERN+400" 1e-400
	refused 2 "$PVMIO" write -t f64 "$TPID" "$T_PATTERN+400" 1e309
	untouched
	typed f32 1e-40 0 -0
	typed f64 1e-320
}

@test "write -t / read -t: NaNs keep their bits both ways (payloads, signalling, sign)" {
	local at=$((T_PATTERN + 500)) bits
	for bits in 7fc00000 ffc00000 7f800001 7fc00001 ffbfffff 7fffffff; do
		mem_write_hex "$TPID" "$at" "$(pack '<' u32 "0x$bits")"
		run --separate-stderr "$PVMIO" read -t f32 "$TPID" "$at"
		[ "$status" -eq 0 ]
		local shown=$output
		echo "$bits: $shown"
		mem_write_hex "$TPID" "$at" 00000000
		run --separate-stderr "$PVMIO" write -t f32 "$TPID" "$at" -- "$shown"
		[ "$status" -eq 0 ]
		[ "$(mem_hex "$TPID" "$at" 4)" = "$(pack '<' u32 "0x$bits")" ]
	done
	for bits in 7ff8000000000000 7ff0000000000001 fff8000000000001; do
		mem_write_hex "$TPID" "$at" "$(pack '<' u64 "0x$bits")"
		run --separate-stderr "$PVMIO" read -t f64 "$TPID" "$at"
		local shown=$output
		echo "$bits: $shown"
		run --separate-stderr "$PVMIO" write -t f64 "$TPID" "$at" -- "$shown"
		[ "$status" -eq 0 ]
		[ "$(mem_hex "$TPID" "$at" 8)" = "$(pack '<' u64 "0x$bits")" ]
	done
	# the default NaN reads as nan, and C's strtod reads what pvmio prints
	mem_write_hex "$TPID" "$at" "$(pack '<' u32 0x7fc00000)"
	[ "$("$PVMIO" read -t f32 "$TPID" "$at")" = nan ]
}

@test "write: messages say what is wrong in plain words" {
	refused 2 "$PVMIO" write -t u8 "$TPID" "$T_PATTERN" 16E
	[[ $stderr == *"'16E' is not a decimal number (use 0x for hex)"* ]]
	refused 2 "$PVMIO" write -t u64 "$TPID" "$T_PATTERN" 18446744073709551616
	[[ $stderr == *"out of range for u64"* ]]
	refused 2 "$PVMIO" write -t i64 "$TPID" "$T_PATTERN" -- -9223372036854775809
	[[ $stderr == *"out of range for i64"* ]]
	refused 2 "$PVMIO" write -t i64 "$TPID" "$T_PATTERN" -- -99999999999999999999
	[[ $stderr == *"out of range for i64"* ]]
	refused 2 "$PVMIO" write "$TPID" 16E 00
	[[ $stderr == *"'16E' is not a decimal number (use 0x for hex)"* ]]
}
