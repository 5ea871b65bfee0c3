#!/usr/bin/env bats
# The number, length, name, address and range grammar (doc/DESIGN.md,
# "The address grammar"), exercised through `pvmio read`; the bytes are
# checked against /proc/PID/mem.

bats_require_minimum_version 1.5.0
load helper

setup() {
	start_target
}

# same_bytes RANGE ADDR LEN: `pvmio read TPID RANGE` succeeds, silently,
# and prints exactly the LEN bytes at ADDR.
same_bytes() {
	local got="$BATS_TEST_TMPDIR/got" want="$BATS_TEST_TMPDIR/want"
	"$PVMIO" read "$TPID" "$1" >"$got" 2>"$got.err" || {
		echo "pvmio read $TPID $1: exit $?: $(cat "$got.err")"
		return 1
	}
	[ ! -s "$got.err" ] || { echo "stderr: $(cat "$got.err")"; return 1; }
	mem_read "$TPID" "$2" "$3" >"$want"
	[ "$(stat -c %s "$want")" -eq "$(($3))" ] || { echo "mem_read came up short"; return 1; }
	cmp "$got" "$want" || { echo "pvmio read $TPID $1 differs from $3 bytes at $2"; return 1; }
}

# bad_range RANGE [OPTIONS...]: `pvmio read OPTIONS TPID RANGE` is a
# usage error (refused 2: one message, no output).
bad_range() {
	local range=$1
	shift
	refused 2 "$PVMIO" read "$@" "$TPID" "$range"
}

# map_field NAME FIELD: from /proc/TPID/maps, for the mappings whose path
# (or [name]) is NAME: FIELD=start gives the lowest start, end the highest end.
map_field() {
	local range path lo="" hi=0 s e
	while read -r range _ _ _ _ path; do
		[ "$path" = "$1" ] || continue
		s=$((0x${range%-*})) e=$((0x${range#*-}))
		if [ -z "$lo" ] || ((s < lo)); then lo=$s; fi
		((e > hi)) && hi=$e
	done <"/proc/$TPID/maps"
	[ -n "$lo" ] || return 1
	if [ "$2" = start ]; then hex "$lo"; else hex "$hi"; fi
	echo
}

# The full path of the first mapping whose base name matches the glob.
map_path() {
	awk -v g="$1" '$6 ~ g { print $6; exit }' "/proc/$TPID/maps"
}

@test "numbers: 0x hex, upper-case hex digits and decimal name the same address" {
	local dec=$((T_PATTERN)) up
	up=0x$(printf '%X' "$dec")
	same_bytes "$T_PATTERN:16" "$T_PATTERN" 16
	same_bytes "$dec:16" "$T_PATTERN" 16
	same_bytes "$up:16" "$T_PATTERN" 16
	same_bytes "0x000${T_PATTERN#0x}:16" "$T_PATTERN" 16
}

@test "numbers: leading zeros stay decimal (no octal)" {
	same_bytes "0$((T_PATTERN)):4" "$T_PATTERN" 4
	same_bytes "00$((T_PATTERN)):010" "$T_PATTERN" 10
	same_bytes "$T_PATTERN:0100" "$T_PATTERN" 100
	# 08 and 09 would be errors as octal
	same_bytes "$T_PATTERN:09" "$T_PATTERN" 9
}

@test "numbers: hex lengths" {
	same_bytes "$T_PATTERN:0x10" "$T_PATTERN" 16
	same_bytes "$T_PATTERN:0x1ff" "$T_PATTERN" 511
}

@test "numbers: overflow past 64 bits is a usage error" {
	bad_range "0x10000000000000000:1"
	bad_range "18446744073709551616:1"
	bad_range "0x1ffffffffffffffff:1"
	bad_range "$T_PATTERN:0x10000000000000000"
	bad_range "$T_PATTERN:99999999999999999999"
	bad_range "$T_PATTERN" -n 18446744073709551616
	# A suffix that pushes a length past 2^64
	bad_range "0x1:17179869184G"
	bad_range "0x1:17592186044416M"
}

@test "numbers: trailing garbage is a usage error" {
	local r
	for r in "${T_PATTERN}g:4" "${T_PATTERN}x:4" "$T_PATTERN:4x" "$T_PATTERN:4 " \
		"$T_PATTERN: 4" "$((T_PATTERN))a:4" "$T_PATTERN:1.5k" "$T_PATTERN:4:4" \
		"0x:4" "$T_PATTERN:0x" "$T_PATTERN:" ":4" "$T_PATTERN.." "..$T_PATTERN" \
		"$T_PATTERN+:4" "$T_PATTERN++1:4" "0xg0:4"; do
		bad_range "$r"
	done
	bad_range "$T_PATTERN" -n 4x
	bad_range "$T_PATTERN" -n ""
}

@test "numbers: a sign is a usage error" {
	bad_range "+$((T_PATTERN)):4"
	bad_range "$T_PATTERN:-4"
	bad_range "$T_PATTERN:+4"
	bad_range "-0x10:4"
	bad_range "$T_PATTERN" -n -4
	bad_range "$T_PATTERN" -n +4
	bad_range "$T_PATTERN" -t u8 -c -1
}

@test "lengths: k, K and KiB are 1024 bytes" {
	local s
	for s in k K KiB; do
		same_bytes "$T_PATTERN:1$s" "$T_PATTERN" 1024
		same_bytes "$T_PATTERN:2$s" "$T_PATTERN" 2048
	done
	same_bytes "$T_PATTERN:0x1k" "$T_PATTERN" 1024
}

@test "lengths: -n takes the same suffixes" {
	local got="$BATS_TEST_TMPDIR/got"
	"$PVMIO" read -n 2KiB "$TPID" "$T_PATTERN" >"$got"
	mem_read "$TPID" "$T_PATTERN" 2048 | cmp - "$got"
	"$PVMIO" read -n 3k "$TPID" "$T_PATTERN" >"$got"
	mem_read "$TPID" "$T_PATTERN" 3072 | cmp - "$got"
}

@test "lengths: M and MiB are 1048576 bytes" {
	stop_targets
	start_target --big 3M
	local s
	for s in M MiB; do
		same_bytes "$T_BIG:1$s" "$T_BIG" 1048576
		same_bytes "$T_BIG+1:2$s" "$((T_BIG + 1))" 2097152
	done
}

@test "lengths: G and GiB are 2^30 bytes (checked at the top of the address space)" {
	local s
	for s in G GiB; do
		# Ends exactly at 2^64: a valid range, just unmapped (exit 1)
		refused 1 "$PVMIO" read "$TPID" "0xffffffffc0000000:1$s"
		# One byte further passes 2^64: a usage error
		bad_range "0xffffffffc0000001:1$s"
		bad_range "0xffffffff80000001:2$s"
	done
	# The same check for M and k
	refused 1 "$PVMIO" read "$TPID" "0xfffffffffff00000:1M"
	bad_range "0xfffffffffff00001:1MiB"
	refused 1 "$PVMIO" read "$TPID" "0xfffffffffffffc00:1KiB"
	bad_range "0xfffffffffffffc01:1k"
}

@test "lengths: unknown suffixes are usage errors" {
	local s
	for s in kb KB Ki T TiB m B kk; do
		bad_range "$T_PATTERN:1$s"
	done
}

@test "names: [heap] and heap are the start of the heap" {
	local h
	h=$(map_field '[heap]' start)
	same_bytes "[heap]:64" "$h" 64
	same_bytes "heap:64" "$h" 64
	same_bytes "[heap]+0x40:4k" "$((h + 0x40))" 4096
}

@test "names: [stack] and stack are the start of the stack" {
	local s
	s=$(map_field '[stack]' start)
	same_bytes "[stack]:256" "$s" 256
	same_bytes "stack:256" "$s" 256
}

@test "names: exe is the main program's load base" {
	local exe base
	exe=$(readlink "/proc/$TPID/exe")
	base=$(map_field "$exe" start)
	same_bytes "exe:64" "$base" 64
	# ELF magic at the load base
	[ "$(mem_hex "$TPID" "$base" 4)" = 7f454c46 ]
	same_bytes "exe+0x10:16" "$((base + 0x10))" 16
	# and its base name works as well
	same_bytes "$(basename "$exe"):16" "$base" 16
}

@test "names: libc.so.6 by base name and by full path" {
	local path base
	path=$(map_path '/libc\\.so\\.6$')
	[ -n "$path" ] || skip "the target does not map libc.so.6"
	base=$(map_field "$path" start)
	same_bytes "libc.so.6:64" "$base" 64
	same_bytes "$path:64" "$base" 64
	same_bytes "$path+0x100:32" "$((base + 0x100))" 32
	[ "$(mem_hex "$TPID" "$base" 4)" = 7f454c46 ]
}

@test "names: a base name that contains '-' (ld-linux-x86-64.so.2) with + and - offsets" {
	local path name base
	path=$(map_path '/ld-[^/]*-[^/]*\\.so')
	[ -n "$path" ] || skip "the target maps no dynamic loader whose name contains '-'"
	name=$(basename "$path")
	base=$(map_field "$path" start)
	same_bytes "$name:16" "$base" 16
	same_bytes "$name+0x10:16" "$((base + 0x10))" 16
	same_bytes "$name+0x20-0x10:16" "$((base + 0x10))" 16
	same_bytes "$name-0x10+0x30:8" "$((base + 0x20))" 8
	same_bytes "$name+0x10..$name+0x30" "$((base + 0x10))" 32
}

@test "addresses: + and - arithmetic on numbers" {
	same_bytes "$T_PATTERN+0x10-8+3:4" "$((T_PATTERN + 11))" 4
	same_bytes "$T_PATTERN+16:16" "$((T_PATTERN + 16))" 16
	same_bytes "$T_AFTER-0x1000-0x10:16" "$((T_AFTER - 0x1010))" 16
	same_bytes "0x10+$T_PATTERN:8" "$((T_PATTERN + 16))" 8
	same_bytes "$T_AFTER-$T_PATTERN+$T_PATTERN:8" "$T_AFTER" 8
}

@test "addresses: a name minus a name is a number" {
	local h
	h=$(map_field '[heap]' start)
	# heap - heap + PATTERN is PATTERN
	same_bytes "heap-heap+$T_PATTERN:8" "$T_PATTERN" 8
	same_bytes "$T_PATTERN+heap-heap:8" "$T_PATTERN" 8
}

@test "ranges: ADDR:LEN and ADDR..END" {
	same_bytes "$T_PATTERN:100" "$T_PATTERN" 100
	same_bytes "$T_PATTERN+4..$T_PATTERN+20" "$((T_PATTERN + 4))" 16
	same_bytes "$T_PATTERN..$(hex "$T_PATTERN + 8192")" "$T_PATTERN" 8192
	same_bytes "$T_AFTER..$(hex "$T_AFTER + 4096")" "$T_AFTER" 4096
	local h
	h=$(map_field '[heap]' start)
	same_bytes "heap..heap+0x100" "$h" 256
}

@test "ranges: empty ranges read nothing and succeed" {
	run --separate-stderr "$PVMIO" read "$TPID" "$T_PATTERN:0"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run --separate-stderr "$PVMIO" read "$TPID" "$T_PATTERN..$T_PATTERN"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "ranges: ADDR..END with END below ADDR is a usage error" {
	bad_range "$T_AFTER..$T_PATTERN"
	bad_range "$T_PATTERN+1..$T_PATTERN"
}

@test "ranges: a NAME alone is the whole span of its mappings" {
	local name start end
	for name in '[heap]' heap '[stack]' stack exe; do
		case $name in
		*heap*) start=$(map_field '[heap]' start) end=$(map_field '[heap]' end) ;;
		*stack*) start=$(map_field '[stack]' start) end=$(map_field '[stack]' end) ;;
		exe)
			start=$(map_field "$(readlink "/proc/$TPID/exe")" start)
			end=$(map_field "$(readlink "/proc/$TPID/exe")" end)
			;;
		esac
		same_bytes "$name" "$start" "$((end - start))"
	done
}

@test "ranges: a NAME alone spans several mappings (libc.so.6)" {
	local path start end
	path=$(map_path '/libc\\.so\\.6$')
	[ -n "$path" ] || skip "the target does not map libc.so.6"
	# Only a span without unreadable pages can be read whole
	if awk -v p="$path" '$6 == p && $2 !~ /^r/ { bad = 1 } END { exit !bad }' "/proc/$TPID/maps"; then
		skip "libc.so.6 has unreadable mappings on this machine"
	fi
	start=$(map_field "$path" start)
	end=$(map_field "$path" end)
	[ "$(awk -v p="$path" '$6 == p' "/proc/$TPID/maps" | wc -l)" -gt 1 ]
	same_bytes libc.so.6 "$start" "$((end - start))"
	same_bytes "$path" "$start" "$((end - start))"
}

@test "ranges: a bare ADDR takes its length from -n" {
	local got="$BATS_TEST_TMPDIR/got"
	"$PVMIO" read -n 100 "$TPID" "$T_PATTERN" >"$got"
	mem_read "$TPID" "$T_PATTERN" 100 | cmp - "$got"
	"$PVMIO" read -n 0x20 "$TPID" "heap+8" >"$got"
	mem_read "$TPID" "$(($(map_field '[heap]' start) + 8))" 32 | cmp - "$got"
	# -n applies to each bare ADDR
	"$PVMIO" read -n 8 "$TPID" "$T_PATTERN" "$T_AFTER" >"$got"
	{ mem_read "$TPID" "$T_PATTERN" 8; mem_read "$TPID" "$T_AFTER" 8; } | cmp - "$got"
}

@test "ranges: a bare ADDR takes its length from -t and -c" {
	run --separate-stderr "$PVMIO" read -t u32 -c 3 "$TPID" "$((T_TYPED + 8))"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	[ "${lines[0]}" = 3735928559 ]
	# COUNT defaults to 1
	run --separate-stderr "$PVMIO" read -t u16 "$TPID" "$T_TYPED+2"
	[ "$status" -eq 0 ]
	[ "$output" = 48879 ]
	run --separate-stderr "$PVMIO" read -t u64 -c 2 -f hex "$TPID" "$T_TYPED+16"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[0]}" = 0x0123456789abcdef ]
}

@test "ranges: a bare ADDR with no length at all is a usage error" {
	bad_range "$T_PATTERN"
	[[ $stderr == *"$T_PATTERN"* ]]
	[[ $stderr == *-n* ]]
	bad_range "heap+16"
	bad_range "exe+0x10"
}

@test "names: an unknown name is a usage error that lists what exists and mentions pvmio maps" {
	bad_range "no-such-lib.so:16"
	[[ $stderr == *no-such-lib.so* ]]
	[[ $stderr == *libc.so.6* ]]
	[[ $stderr == *"[heap]"* ]]
	[[ $stderr == *"pvmio maps"* ]]
	bad_range "libc+0x10:4"
	[[ $stderr == *"pvmio maps"* ]]
	bad_range "nosuchname"
	bad_range "[nosuch]:4"
}

@test "names: a base name that matches two different files is ambiguous" {
	local a="$BATS_TEST_TMPDIR/a" b="$BATS_TEST_TMPDIR/b" out="$BATS_TEST_TMPDIR/py.out"
	mkdir -p "$a" "$b"
	head -c 8192 /dev/urandom >"$a/twin.bin"
	head -c 8192 /dev/urandom >"$b/twin.bin"
	stop_targets
	# python3 maps both files; it lets any process trace it (Yama scope 1).
	start_process python3 -c '
import ctypes, mmap, sys, time
ctypes.CDLL(None).prctl(0x59616d61, ctypes.c_ulong(2**64 - 1), 0, 0, 0)
files = [open(p, "rb") for p in sys.argv[1:]]
maps = [mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ) for f in files]
print("READY", flush=True)
time.sleep(600)' "$a/twin.bin" "$b/twin.bin" >"$out"
	wait_until 10 grep -qs READY "$out"
	bad_range "twin.bin:16"
	[[ $stderr == *"$a/twin.bin"* ]]
	[[ $stderr == *"$b/twin.bin"* ]]
	bad_range "twin.bin"
	# The full path still works, each the right file
	local start
	start=$(map_field "$a/twin.bin" start)
	same_bytes "$a/twin.bin:4k" "$start" 4096
	"$PVMIO" read "$TPID" "$a/twin.bin" | cmp - "$a/twin.bin"
	"$PVMIO" read "$TPID" "$b/twin.bin" | cmp - "$b/twin.bin"
}

@test "addresses: A-B that wraps below 0 is a usage error hinting at A..B" {
	bad_range "$T_PATTERN-$T_AFTER"
	[[ $stderr == *..* ]]
	[[ $stderr == *"$T_PATTERN..$T_AFTER"* ]]
	bad_range "0x10-0x20:4"
	bad_range "heap-$T_AFTER-$T_AFTER:4"
}

@test "addresses: a range past 2^64 is a usage error" {
	bad_range "0xffffffffffffff00:0x200"
	bad_range "0xffffffffffffffff:2"
	bad_range "0xffffffffffffffff+1:1"
	bad_range "0xffffffffffffffff+0xffffffffffffffff:1"
	bad_range "0xffffffffffffff00..0xffffffffffffffff+2"
	bad_range "0xfffffffffffffff0" -n 0x11
	bad_range "0xfffffffffffffffc" -t u64
	# Ending exactly at 2^64 is fine: nothing is mapped there (exit 1)
	refused 1 "$PVMIO" read "$TPID" "0xfffffffffffffff0:0x10"
}

# --- names the kernel gives, pasted back --------------------------------------

@test "names: a mapping of a deleted file resolves by its base name and its listed name; maps says deleted" {
	local d=$BATS_TEST_TMPDIR/lib
	mkdir -p "$d"
	head -c 4096 /dev/urandom >"$d/app.bin"
	cp "$d/app.bin" "$BATS_TEST_TMPDIR/copy"
	stop_targets
	start_target --map "$d/app.bin" --unlink 1
	[ ! -e "$d/app.bin" ]
	grep -q "$d/app.bin (deleted)" "/proc/$TPID/maps"
	same_bytes "app.bin:16" "$T_MAP1" 16
	same_bytes "app.bin+8:8" "$((T_MAP1 + 8))" 8
	same_bytes "$d/app.bin (deleted):16" "$T_MAP1" 16
	same_bytes "\"$d/app.bin (deleted)\"+4:4" "$((T_MAP1 + 4))" 4
	same_bytes "$d/app.bin:16" "$T_MAP1" 16
	"$PVMIO" read "$TPID" app.bin | cmp - "$BATS_TEST_TMPDIR/copy"
	# maps says so, in both forms
	run --separate-stderr "$PVMIO" maps "$TPID" app.bin
	[ "$status" -eq 0 ]
	[[ $output == *"$d/app.bin (deleted)" ]]
	run --separate-stderr "$PVMIO" maps --json "$TPID" app.bin
	[ "$status" -eq 0 ]
	python3 -c 'import json, sys
m = json.loads(sys.argv[1])
assert len(m) == 1 and m[0]["deleted"] is True and m[0]["name"].endswith(" (deleted)"), m' "$output"
	run --separate-stderr "$PVMIO" maps --json "$TPID" heap
	python3 -c 'import json, sys; assert json.loads(sys.argv[1])[0]["deleted"] is False' "$output"
	# and a message about it names the deleted file
	refused 1 "$PVMIO" write "$TPID" app.bin 00
	[[ $stderr == *"$d/app.bin (deleted)"* ]]
}

@test "names: names holding ':', '..', '+', '-' and blanks paste back from maps, with :LEN, +OFF and ..END" {
	local d=$BATS_TEST_TMPDIR/odd name
	mkdir -p "$d"
	local -a names=('we ird:na+me..x' 'a-b+c:4' 'x..y' 'colon:' '16')
	local -a args=()
	for name in "${names[@]}"; do
		head -c 4096 /dev/urandom >"$d/$name"
		args+=(--map "$d/$name")
	done
	stop_targets
	start_target "${args[@]}"
	local i=1 start
	for name in "${names[@]}"; do
		local var=T_MAP$i
		start=${!var}
		i=$((i + 1))
		# the name column of maps, pasted back
		local listed
		listed=$("$PVMIO" maps "$TPID" | grep "^$(hex "$start")\.\." | sed -E 's/^([^ ]+ +){4}//')
		echo "$name: listed as '$listed'"
		[ "$listed" = "$d/$name" ]
		same_bytes "$listed" "$start" 4096
		same_bytes "$listed:4" "$start" 4
		same_bytes "$listed+16:4" "$((start + 16))" 4
		same_bytes "$listed+16..$listed+32" "$((start + 16))" 16
		# quoted, any name is one term
		same_bytes "\"$listed\"+1:2" "$((start + 1))" 2
		# and by base name where it does not begin with a digit
		if [[ $name != [0-9]* ]]; then
			same_bytes "$name:4" "$start" 4
			same_bytes "$name+1:2" "$((start + 1))" 2
			same_bytes "\"$name\":4" "$start" 4
		fi
	done
	# a quoted name must close
	bad_range '"we ird:4'
	[[ $stderr == *closing* ]]
}

@test "names: heap, stack, vdso and vvar without brackets; a file named heap makes 'heap' ambiguous" {
	local n
	for n in heap stack vdso; do
		local s
		s=$(map_field "[$n]" start)
		same_bytes "$n:16" "$s" 16
		same_bytes "$n+8:8" "$((s + 8))" 8
	done
	grep -q '\[vvar\]' "/proc/$TPID/maps" || skip "this kernel maps no [vvar]"
	run --separate-stderr "$PVMIO" maps "$TPID" vvar
	[ "$status" -eq 0 ]
	[[ $output == *"[vvar]"* ]]
	local d=$BATS_TEST_TMPDIR/h
	mkdir -p "$d"
	head -c 4096 /dev/urandom >"$d/heap"
	stop_targets
	start_target --map "$d/heap"
	bad_range "heap:16"
	[[ $stderr == *ambiguous* ]]
	[[ $stderr == *"[heap]"* ]]
	[[ $stderr == *"$d/heap"* ]]
	same_bytes "[heap]:16" "$(map_field "[heap]" start)" 16
	same_bytes "$d/heap:16" "$T_MAP1" 16
	refused 2 "$PVMIO" maps "$TPID" heap
}

@test "names: ADDR.. without its END, and an unknown quoted name, say what is missing" {
	start_target
	fails 2 "'0x7f84\\.\\.:4142': missing a number or name after '\\.\\.' \\(the END of ADDR\\.\\.END\\)" \
		"$PVMIO" read "$TPID" '0x7f84..:4142'
	fails 2 "missing a number or name after '\\.\\.'" "$PVMIO" read "$TPID" '0xfffffffffffffff8..'
	fails 2 "^pvmio: read: unknown name 'nosuch' \\(the target maps .*\\); nor is 'nosuch' a symbol" \
		"$PVMIO" read "$TPID" '"nosuch"'
}
