#!/usr/bin/env bats
# Addresses by name: ELF symbols (MODULE:SYMBOL, bare SYMBOL), pointer
# chains ([EXPR]) and `pvmio where`.  The target is tests/chain.c, built
# here in several ways (PIE, non-PIE, -m32, stripped); every address is
# checked against the one the target prints, every value against an
# independent read of /proc/PID/mem, and libc's and python3's symbols
# against gdb.

bats_require_minimum_version 1.5.0
load helper

setup_file() {
	local cc=${CC:-cc} src=$TESTS_DIR/chain.c d=$BATS_FILE_TMPDIR
	$cc -g -O0 -fPIE -pie -o "$d/chain-pie" "$src" -ldl
	$cc -g -O0 -fno-pie -no-pie -o "$d/chain-nopie" "$src" -ldl
	if ! $cc -g -O0 -m32 -o "$d/chain-m32" "$src" -ldl >"$d/m32.err" 2>&1; then
		rm -f "$d/chain-m32"
	fi
	printf 'int main(void) { return 0; }\n' >"$d/true.c"
	$cc -m32 -o "$d/true-m32" "$d/true.c" >/dev/null 2>&1 || true
	cp "$d/chain-pie" "$d/chain-nosym"
	strip --strip-all "$d/chain-nosym"
	# Two libraries that define the same global, and none in the program.
	printf 'int dupsym = 0xa;\nint only_in_a = 1;\n' >"$d/dupa.c"
	printf 'char dup_pad[5000] = { 1 };\nint dupsym = 0xb;\n' >"$d/dupb.c"
	$cc -shared -fPIC -o "$d/libdupa.so" "$d/dupa.c"
	$cc -shared -fPIC -o "$d/libdupb.so" "$d/dupb.c"
	# A library and its successor: delsym moves and changes its value.
	printf 'int delsym = 111;\n' >"$d/del1.c"
	printf 'char del_pad[8192] = { 1 };\nint del_fill[3000] = { 2 };\nint delsym = 222;\n' >"$d/del2.c"
	$cc -shared -fPIC -o "$d/libdel-v1.so" "$d/del1.c"
	$cc -shared -fPIC -o "$d/libdel-v2.so" "$d/del2.c"
	# Names that do not paste back as they are: two statics called count
	# (two source files), a symbol whose name has a '-', and one library
	# loaded twice by dlmopen (two copies of one file, side by side).
	printf 'static int count = 1;\nint *count_a = &count;\n' >"$d/odd-a.c"
	printf 'static int count = 2;\nint *count_b = &count;\n' >"$d/odd-b.c"
	cat >"$d/odd.c" <<'C'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>
extern int *count_a, *count_b;
int weird __asm__("\"weird-name\"") = 0x3e3e;
int main(int argc, char **argv)
{
	prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
	void *one = dlmopen(LM_ID_NEWLM, argv[1], RTLD_NOW);
	void *two = dlmopen(LM_ID_NEWLM, argv[1], RTLD_NOW);
	if (!one || !two)
		return 1;
	printf("COUNT_A=%p\nCOUNT_B=%p\nWEIRD=%p\nCOPY1=%p\nCOPY2=%p\nREADY\n", (void *)count_a,
	       (void *)count_b, (void *)&weird, dlsym(one, "only_in_a"), dlsym(two, "only_in_a"));
	fflush(stdout);
	(void)argc;
	pause();
}
C
	$cc -g -O0 -o "$d/odd" "$d/odd.c" "$d/odd-a.c" "$d/odd-b.c" -ldl
}

teardown() {
	stop_targets
	if [[ -n ${SYM_DIR:-} ]]; then
		rm -rf "$SYM_DIR"
		SYM_DIR=
	fi
}

# start_chain CMD...: start_ready of a chain binary (with a prefix such
# as setpriv if wanted).
start_chain() {
	start_ready "$@"
}

# variant NAME: the path of that build of chain.c (pie, nopie, m32, nosym).
variant() {
	echo "$BATS_FILE_TMPDIR/chain-$1"
}

# need_m32: skips, with the reason, where -m32 programs cannot be built,
# or built but not run (a kernel without IA32 emulation: "Exec format
# error").
need_m32() {
	[[ -x $BATS_FILE_TMPDIR/chain-m32 ]] ||
		skip "cannot build a -m32 program here: $(head -c 300 "$BATS_FILE_TMPDIR/m32.err" | tr '\n' ' ')"
	local err
	err=$("$BATS_FILE_TMPDIR/true-m32" 2>&1) ||
		skip "this kernel does not run -m32 programs: ${err:0:200}"
}

# mem_u PID ADDR SIZE: the native unsigned integer of SIZE bytes at ADDR,
# read independently, as 0x-hex.
mem_u() {
	python3 - "$1" "$2" "$3" <<'PY'
import os, sys
pid, addr, n = int(sys.argv[1]), int(sys.argv[2], 0), int(sys.argv[3])
fd = os.open(f"/proc/{pid}/mem", os.O_RDONLY)
b = os.pread(fd, n, addr)
assert len(b) == n, "short read"
print(hex(int.from_bytes(b, sys.byteorder)))
PY
}

# ok_run CMD...: runs CMD, which must succeed with nothing on stderr;
# its stdout is in $output.
ok_run() {
	run --separate-stderr "$@"
	echo "$*: status $status; stdout '$output'; stderr '$stderr'"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
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
	[ "$(stat -c %s "$got")" -eq "$(($3))" ] || { echo "pvmio read $TPID $1: $(stat -c %s "$got") bytes, want $(($3))"; return 1; }
	cmp "$got" "$want" || { echo "pvmio read $TPID $1 differs from $3 bytes at $2"; return 1; }
}

# where_addr ADDR: the address `pvmio where TPID ADDR` gives (field 1).
where_addr() {
	local out
	out=$("$PVMIO" where "$TPID" "$1") || { echo "pvmio where $TPID '$1' failed" >&2; return 1; }
	echo "${out%% *}"
}

# is_addr ADDR WANT: ADDR resolves to the address WANT.
is_addr() {
	local got
	got=$(where_addr "$1") || return 1
	echo "'$1' is $got, want $(hex "$2")"
	[ "$((got))" -eq "$(($2))" ]
}

# map_start NAME: the lowest start of the mappings of TPID named NAME.
map_start() {
	awk -v n="$1" '$6 == n { split($1, r, "-"); print "0x" r[1]; exit }' "/proc/$TPID/maps"
}

# read_hex TYPE ADDR: `pvmio read -t TYPE -f hex TPID ADDR` (must
# succeed, with one value), as 0x-hex without leading zeros.
read_hex() {
	local v
	v=$("$PVMIO" read -t "$1" -f hex "$TPID" "$2") || return 1
	[[ $v =~ ^0x[0-9a-f]+$ ]] || { echo "pvmio read -t $1 -f hex $TPID '$2': '$v'" >&2; return 1; }
	printf '0x%x\n' "$((v))"
}

# The main program's symbols, for one build of chain.c.
check_main_symbols() {
	[[ $1 != m32 ]] || need_m32
	start_chain "$(variant "$1")"
	local want
	[ "$(read_hex u32 counter)" = 0x12345678 ]
	[ "$(read_hex u32 exe:counter)" = 0x12345678 ]
	is_addr counter "$T_COUNTER"
	is_addr exe:counter "$T_COUNTER"
	is_addr "chain-$1:counter" "$T_COUNTER"
	want=$(mem_u "$TPID" "$((T_COUNTER + 4))" 4)
	[ "$(read_hex u32 exe:counter+4)" = "$want" ]
	is_addr exe:counter+4 "$((T_COUNTER + 4))"
	is_addr exe:counter-4+8 "$((T_COUNTER + 4))"
	# a symbol alone is its size; -t u32 reads each int of it
	[ "$T_TABLE_SIZE" -eq 64 ]
	same_bytes exe:table "$T_TABLE" "$T_TABLE_SIZE"
	same_bytes counter "$T_COUNTER" 4
	ok_run "$PVMIO" read -t u32 -f hex "$TPID" exe:table
	[ "$(echo "$output" | wc -l)" -eq 16 ]
	[ "$(echo "$output" | sed -n 4p)" = 0x00001033 ]
	[ "$(echo "$output" | tail -1)" = 0x000010ff ]
	# from one symbol to another, and a symbol with a length
	same_bytes exe:table..exe:table_end "$T_TABLE" "$((T_TABLE_END - T_TABLE))"
	same_bytes exe:table:8 "$T_TABLE" 8
	same_bytes exe:table+4:8 "$((T_TABLE + 4))" 8
	# a static (STB_LOCAL) symbol, from .symtab
	is_addr hidden_static "$T_HIDDEN_STATIC"
	[ "$(read_hex u64 exe:hidden_static)" = 0x5eed5eed5eed5eed ]
	# libc's own environ, with a length
	is_addr libc.so.6:environ "$T_LIBC_ENVIRON"
	same_bytes libc.so.6:environ:8 "$T_LIBC_ENVIRON" 8
	same_bytes libc.so.6:environ "$T_LIBC_ENVIRON" "$T_PTRSIZE"
	# the environ the program uses: its copy, if it has one
	is_addr environ "$T_ENVIRON"
	[ "$(read_hex ptr environ)" = "$T_ENVIRON_VALUE" ]
}

@test "symbols: PIE: counter, exe:counter+4, exe:table, exe:table..exe:table_end, statics and environ are the target's" {
	check_main_symbols pie
}

@test "symbols: non-PIE: counter, exe:counter+4, exe:table, exe:table..exe:table_end, statics and environ are the target's" {
	check_main_symbols nopie
	# no load bias: the link-time address itself
	[ "$((T_COUNTER))" -eq "$((0x$(nm "$(variant nopie)" | awk '$3 == "counter" { print $1 }')))" ]
}

@test "symbols: -m32: counter, exe:counter+4, exe:table, exe:table..exe:table_end, statics and environ are the target's" {
	check_main_symbols m32
	[ "$T_PTRSIZE" -eq 4 ]
	# pointers are 4 bytes: libc's environ alone is 4 bytes, the chain's
	# steps read 4 bytes each
	[ "$("$PVMIO" read "$TPID" libc.so.6:environ | wc -c)" -eq 4 ]
	[ "$(read_hex ptr '[exe:head]')" = "$(mem_u "$TPID" "$T_N1" 4)" ]
	is_addr "[[exe:head]+$T_OFF_NEXT]" "$T_N2"
}

@test "symbols: environ: a bare environ is the program's copy (copy relocation), libc.so.6:environ is libc's" {
	start_chain "$(variant pie)"
	# the program's environ is a copy relocation: a different object
	[ "$((T_ENVIRON))" -ne "$((T_LIBC_ENVIRON))" ]
	ok_run "$PVMIO" where "$TPID" environ libc.so.6:environ
	local exe_line libc_line
	exe_line=$(echo "$output" | sed -n 1p)
	libc_line=$(echo "$output" | sed -n 2p)
	[ "$((${exe_line%% *}))" -eq "$((T_ENVIRON))" ]
	[[ $exe_line == *" chain-pie:environ"* ]]
	[ "$((${libc_line%% *}))" -eq "$((T_LIBC_ENVIRON))" ]
	[[ $libc_line == *" libc.so.6:environ "* ]]
	# the value of the live one is the program's environ pointer
	[ "$(read_hex ptr environ)" = "$T_ENVIRON_VALUE" ]
	[ "$(read_hex ptr environ)" = "$(mem_u "$TPID" "$T_ENVIRON" 8)" ]
	[ "$(read_hex ptr libc.so.6:environ)" = "$(mem_u "$TPID" "$T_LIBC_ENVIRON" 8)" ]
	# what gdb calls environ in this process
	command -v gdb >/dev/null || skip "gdb is not installed: the pvmio side was checked"
	local g
	g=$(gdb -nx -batch -p "$TPID" -ex 'p &environ' 2>/dev/null | grep '^\$1' | grep -o '0x[0-9a-f]*' | head -1)
	echo "gdb: &environ is $g"
	[ "$((g))" -eq "$((T_ENVIRON))" ]
}

# The libc build ID's debug file, else skip.
need_libc_debug() {
	command -v gdb >/dev/null || skip "gdb is not installed"
	command -v readelf >/dev/null || skip "readelf (binutils) is not installed"
	local libc id
	libc=$(awk '$6 ~ /\/libc\.so\.6$/ { print $6; exit }' "/proc/$TPID/maps")
	[ -n "$libc" ] || skip "the target maps no libc.so.6"
	id=$(readelf -n "$libc" 2>/dev/null | awk '/Build ID/ { print $3; exit }')
	[ -n "$id" ] || skip "$libc has no build ID"
	[ -f "/usr/lib/debug/.build-id/${id:0:2}/${id:2}.debug" ] ||
		skip "no debug file for $libc in /usr/lib/debug/.build-id (libc6-dbg)"
}

@test "symbols: libc.so.6:main_arena comes from libc's separate debug file, where gdb finds it" {
	start_chain "$(variant pie)"
	need_libc_debug
	local out g size
	out=$(gdb -nx -batch -p "$TPID" -ex 'p &main_arena' -ex 'p sizeof(main_arena)' 2>/dev/null)
	g=$(echo "$out" | grep '^\$1 = ' | grep -o '0x[0-9a-f]*' | head -1)
	size=$(echo "$out" | sed -n 's/^\$2 = //p')
	echo "gdb: &main_arena is $g, $size bytes"
	[ -n "$g" ]
	[ -n "$size" ]
	is_addr libc.so.6:main_arena "$g"
	is_addr main_arena "$g"
	# --verbose says where it came from, and its size is gdb's
	run --separate-stderr "$PVMIO" where --verbose "$TPID" libc.so.6:main_arena
	echo "$output"
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ "$output" = "$g libc.so.6:main_arena libc.so.6+$(hex $((g - $(map_start "$(awk '$6 ~ /\/libc\.so\.6$/ { print $6; exit }' "/proc/$TPID/maps")")))) rw-p" ]
	[[ $stderr == *"libc.so.6:main_arena is $g, $size bytes (from its debug file)"* ]]
	# a symbol alone is its size
	[ "$("$PVMIO" read "$TPID" libc.so.6:main_arena | wc -c)" -eq "$size" ]
	# main_arena.top (after mutex, flags, have_fastchunks, fastbinsY[10])
	# points into the heap the target's nodes are on
	local top heap
	top=$(read_hex ptr libc.so.6:main_arena+96)
	[ "$top" = "$(mem_u "$TPID" "$((g + 96))" 8)" ]
	heap=$(map_start '[heap]')
	echo "top $top, heap $heap"
	[ "$((top))" -ge "$((heap))" ]
}

@test "symbols: a stripped program: exe:counter is a usage error that says it has no symbol table (stripped)" {
	start_chain "$(variant nosym)"
	refused 2 "$PVMIO" read -t u32 "$TPID" exe:counter
	[[ $stderr == *"chain-nosym"* ]]
	[[ $stderr == *"stripped"* || $stderr == *"no symbol table"* ]]
}

@test "symbols: a stripped program: a bare symbol is a usage error naming it; libc's symbols still work" {
	start_chain "$(variant nosym)"
	refused 2 "$PVMIO" read -t u32 "$TPID" counter
	[[ $stderr == *"'counter'"* ]]
	# libc is not stripped of .dynsym: its symbols are still found
	is_addr libc.so.6:environ "$T_LIBC_ENVIRON"
	# and the addresses still work
	[ "$(read_hex u32 "$T_COUNTER")" = 0x12345678 ]
}

@test "symbols: a static program stripped of all symbols: exe:counter says it has no symbol table (stripped)" {
	local bin=$BATS_TEST_TMPDIR/chain-static
	${CC:-cc} -O0 -static -o "$bin" "$TESTS_DIR/chain.c" >/dev/null 2>&1 ||
		skip "cannot link a static program here (no libc.a)"
	strip --strip-all "$bin"
	start_chain "$bin"
	refused 2 "$PVMIO" read -t u32 "$TPID" exe:counter
	[[ $stderr == *"chain-static has no symbol table (it was stripped)"* ]]
	refused 2 "$PVMIO" where "$TPID" exe:counter
}

@test "symbols: unknown names are usage errors that name them" {
	start_chain "$(variant pie)"
	refused 2 "$PVMIO" read -t u32 "$TPID" no_such_symbol_here
	[[ $stderr == *"'no_such_symbol_here'"* ]]
	refused 2 "$PVMIO" read -t u32 "$TPID" exe:no_such_symbol_here
	[[ $stderr == *"no symbol 'no_such_symbol_here' in chain-pie"* ]]
	refused 2 "$PVMIO" read -t u32 "$TPID" libc.so.6:no_such_symbol_here+4
	[[ $stderr == *"no symbol 'no_such_symbol_here' in libc.so.6"* ]]
	refused 2 "$PVMIO" where "$TPID" no_such_symbol_here
	[[ $stderr == *"'no_such_symbol_here'"* ]]
	# in a chain too, before anything is read
	refused 2 "$PVMIO" read -t u32 "$TPID" '[[exe:head]+no_such_symbol_here]'
	[[ $stderr == *"'no_such_symbol_here'"* ]]
}

@test "symbols: a thread-local (STT_TLS) symbol is a usage error that says it is thread-local" {
	start_chain "$(variant pie)"
	refused 2 "$PVMIO" read -t u32 "$TPID" tlsvar
	[[ $stderr == *"'tlsvar'"*"thread-local"* ]]
	refused 2 "$PVMIO" read -t u32 "$TPID" exe:tlsvar
	[[ $stderr == *"thread-local"* ]]
	refused 2 "$PVMIO" where "$TPID" exe:tlsvar
	[[ $stderr == *"thread-local"* ]]
	# the variable itself is there, at the address the thread has
	[ "$(read_hex u32 "$T_TLSVAR")" = 0x715 ]
}

@test "symbols: a symbol two loaded objects define is ambiguous, listed as MODULE:SYMBOL; MODULE:SYMBOL picks one" {
	local d=$BATS_FILE_TMPDIR
	start_chain "$(variant pie)" --lib "$d/libdupa.so=dupsym" --lib "$d/libdupb.so=dupsym"
	[ "$((T_LIB1))" -ne "$((T_LIB2))" ]
	refused 2 "$PVMIO" read -t u32 "$TPID" dupsym
	[[ $stderr == *"'dupsym' is ambiguous"* ]]
	[[ $stderr == *"libdupa.so:dupsym"* ]]
	[[ $stderr == *"libdupb.so:dupsym"* ]]
	refused 2 "$PVMIO" where "$TPID" dupsym+4
	[[ $stderr == *"libdupa.so:dupsym"*"libdupb.so:dupsym"* || $stderr == *"libdupb.so:dupsym"*"libdupa.so:dupsym"* ]]
	# each candidate, as listed, pastes back
	is_addr libdupa.so:dupsym "$T_LIB1"
	is_addr libdupb.so:dupsym "$T_LIB2"
	is_addr "$d/libdupa.so:dupsym" "$T_LIB1"
	[ "$(read_hex u32 libdupa.so:dupsym)" = 0xa ]
	[ "$(read_hex u32 libdupb.so:dupsym)" = 0xb ]
	# a name only one of them defines is not ambiguous
	local off
	off=$(nm -D "$d/libdupa.so" | awk '$3 == "only_in_a" { print $1 }')
	[ -n "$off" ]
	is_addr only_in_a "$(($(map_start "$d/libdupa.so") + 0x$off))"
}

# A target with libdel.so loaded, the file then replaced on disk by one
# where delsym is elsewhere and holds another value.
start_replaced() {
	local dir=$1
	shift
	cp "$BATS_FILE_TMPDIR/libdel-v1.so" "$dir/libdel.so"
	cp "$(variant pie)" "$dir/chain-pie"
	chmod -R a+rX "$dir"
	start_chain "$@" "$dir/chain-pie" --lib "$dir/libdel.so=delsym"
	cp "$BATS_FILE_TMPDIR/libdel-v2.so" "$dir/libdel.so.new"
	chmod a+r "$dir/libdel.so.new"
	mv -f "$dir/libdel.so.new" "$dir/libdel.so"
	grep -q "$dir/libdel.so (deleted)" "/proc/$TPID/maps"
	# the new file's delsym is at another offset
	[ "$(nm -D "$BATS_FILE_TMPDIR/libdel-v1.so" | awk '$3 == "delsym" { print $1 }')" != \
		"$(nm -D "$dir/libdel.so" | awk '$3 == "delsym" { print $1 }')" ]
}

@test "symbols: a library replaced on disk resolves in the mapped (old) file, through map_files" {
	[[ $(id -u) -eq 0 ]] || skip "needs root (CAP_SYS_ADMIN) to read /proc/PID/map_files; the non-root error is tested below"
	start_replaced "$BATS_TEST_TMPDIR"
	is_addr libdel.so:delsym "$T_LIB1"
	is_addr delsym "$T_LIB1"
	is_addr "$BATS_TEST_TMPDIR/libdel.so (deleted):delsym" "$T_LIB1"
	[ "$(read_hex u32 libdel.so:delsym)" = 0x6f ]
	[ "$(read_hex u32 delsym)" = 0x6f ]
	[ "$(mem_u "$TPID" "$T_LIB1" 4)" = 0x6f ]
	ok_run "$PVMIO" where "$TPID" "$T_LIB1"
	[[ $output == *":delsym "* ]]
}

@test "symbols: a library replaced on disk, without CAP_SYS_ADMIN, is a clear usage error" {
	as_nobody
	SYM_DIR=$(mktemp -d /tmp/pvmio-sym.XXXXXX)
	chmod 755 "$SYM_DIR"
	start_replaced "$SYM_DIR" "${NOBODY[@]}"
	run --separate-stderr "${NOBODY[@]}" "$NOBODY_PVMIO" read -t u32 "$TPID" libdel.so:delsym
	echo "status $status; '$output'; '$stderr'"
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[[ $stderr == "pvmio: read: "*"libdel.so"*"deleted or replaced"*"map_files"* ]]
	# the program's own symbols still resolve
	run --separate-stderr "${NOBODY[@]}" "$NOBODY_PVMIO" read -t u32 -f hex "$TPID" exe:counter
	echo "status $status; '$output'; '$stderr'"
	[ "$status" -eq 0 ]
	[ "$output" = 0x12345678 ]
}

@test "symbols: a library replaced on disk, without CAP_SYS_ADMIN: a bare symbol only it defines says why it cannot be read" {
	as_nobody
	SYM_DIR=$(mktemp -d /tmp/pvmio-sym.XXXXXX)
	chmod 755 "$SYM_DIR"
	start_replaced "$SYM_DIR" "${NOBODY[@]}"
	run --separate-stderr "${NOBODY[@]}" "$NOBODY_PVMIO" where "$TPID" delsym
	echo "status $status; '$output'; '$stderr'"
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	# not "no such symbol in the program or its libraries": one of them
	# could not be read, and delsym is in it
	[[ $stderr == *"libdel.so"*"deleted or replaced"* ]]
}

@test "where: the fields printed for a symbol of a replaced library paste back" {
	[[ $(id -u) -eq 0 ]] || skip "needs root (CAP_SYS_ADMIN) to read /proc/PID/map_files"
	start_replaced "$BATS_TEST_TMPDIR"
	ok_run "$PVMIO" where "$TPID" "$((T_LIB1 + 2))"
	local line=$output f
	local -a fields
	# the name may hold a blank (" (deleted)"): split on the known shape
	fields[1]=$(sed -E 's/^[^ ]+ (.*:delsym(\+0x[0-9a-f]+)?) .*$/\1/' <<<"$line")
	fields[2]=$(sed -E 's/^.*:delsym(\+0x[0-9a-f]+)? (.*\+0x[0-9a-f]+) [-rwxps]{4}$/\2/' <<<"$line")
	for f in "${fields[@]}"; do
		echo "field '$f'"
		is_addr "$f" "$((T_LIB1 + 2))"
	done
}

@test "chains: one to four steps follow the target's pointers to the known value" {
	start_chain "$(variant pie)"
	local n=$T_OFF_NEXT
	is_addr '[exe:head]' "$T_N1"
	is_addr '[head]' "$T_N1"
	is_addr "[[exe:head]+$n]" "$T_N2"
	is_addr "[[[exe:head]+$n]+$n]" "$T_N3"
	is_addr "[[[[exe:head]+$n]+$n]+$n]" "$T_N4"
	is_addr "[[[[exe:head]+$n]+$n]+$n]+$T_OFF_VALUE" "$((T_N4 + T_OFF_VALUE))"
	[ "$(read_hex u64 "[[[[exe:head]+$n]+$n]+$n]+$T_OFF_VALUE")" = "$T_VALUE4" ]
	[ "$T_VALUE4" = 0x4444444444444444 ]
	# each node's magic and depth on the way
	[ "$(read_hex u64 '[exe:head]')" = 0xc0de0000c0de0001 ]
	[ "$(read_hex u64 "[[exe:head]+$n]")" = 0xc0de0000c0de0002 ]
	[ "$(read_hex u32 "[[[exe:head]+$n]+$n]+$T_OFF_DEPTH")" = 0x3 ]
	# chains as terms among others, and inside a chain's brackets
	is_addr "[exe:head]+[exe:tail]-[exe:tail]" "$T_N1"
	is_addr "[exe:tail]+[exe:head]-[exe:head]" "$T_N4"
	is_addr "[[exe:tail]-[exe:tail]+[[[exe:head]+$n]+$n]+$n]" "$T_N4"
	# the pointer stored in the symbol, not the symbol's address
	[ "$((T_HEAD))" -ne "$((T_N1))" ]
}

@test "chains: -m32 and non-PIE chains read 4- and 8-byte pointers" {
	local v
	for v in nopie m32; do
		[[ $v == m32 ]] && ! "$BATS_FILE_TMPDIR/true-m32" 2>/dev/null && continue
		[[ $v == m32 && ! -x $BATS_FILE_TMPDIR/chain-m32 ]] && continue
		start_chain "$(variant "$v")"
		local n=$T_OFF_NEXT
		is_addr "[[[[exe:head]+$n]+$n]+$n]" "$T_N4"
		[ "$(read_hex u64 "[[[[exe:head]+$n]+$n]+$n]+$T_OFF_VALUE")" = 0x4444444444444444 ]
		stop_targets
	done
	need_m32
}

@test "chains: ADDR:LEN and ADDR..END after a chain read those bytes" {
	start_chain "$(variant pie)"
	local n=$T_OFF_NEXT
	same_bytes '[exe:head]:32' "$T_N1" 32
	same_bytes "[[exe:head]+$n]+$T_OFF_VALUE:8" "$((T_N2 + T_OFF_VALUE))" 8
	same_bytes "[exe:head]..[exe:head]+$n" "$T_N1" "$n"
	same_bytes "[exe:tail]:16" "$T_N4" 16
	# a symbol's size does not carry over to the pointer it holds
	ok_run "$PVMIO" read -t ptr "$TPID" '[exe:head]'
	[ "$(echo "$output" | wc -l)" -eq 1 ]
}

@test "chains: writes go through a chain to the final field only" {
	start_chain "$(variant pie)"
	local n=$T_OFF_NEXT
	written "$((T_N3 + T_OFF_DEPTH))" efbeadde \
		"$PVMIO" write -t u32 "$TPID" "[[[exe:head]+$n]+$n]+$T_OFF_DEPTH" 0xdeadbeef
	[ "$(read_hex u32 "[[[exe:head]+$n]+$n]+$T_OFF_DEPTH")" = 0xdeadbeef ]
}

@test "chains: [heap] stays the heap mapping; [[heap]+8] is the pointer stored there" {
	start_chain "$(variant pie)"
	local heap
	heap=$(map_start '[heap]')
	[ -n "$heap" ]
	is_addr '[heap]' "$heap"
	is_addr '[heap]+0x10' "$((heap + 16))"
	same_bytes '[heap]:64' "$heap" 64
	# the word at heap+8 (malloc's first chunk size) as an address:
	# a chain step, which lands in no mapping
	local word
	word=$(mem_u "$TPID" "$((heap + 8))" 8)
	[ "$((word))" -ne 0 ]
	run --separate-stderr "$PVMIO" where "$TPID" '[[heap]+8]'
	echo "status $status; '$output'; '$stderr'"
	[ "$status" -eq 1 ]
	[[ $stderr == *"$word is in no mapping"* ]]
	# the nodes are on the heap
	ok_run "$PVMIO" where "$TPID" '[exe:head]'
	[ "$output" = "$(hex "$T_N1") - [heap]+$(hex $((T_N1 - heap))) rw-p" ]
}

@test "chains: [stack+0] is the pointer stored at the start of the stack" {
	start_chain "$(variant pie)"
	local stack word
	stack=$(map_start '[stack]')
	[ -n "$stack" ]
	is_addr '[stack]' "$stack"
	is_addr 'stack' "$stack"
	word=$(mem_u "$TPID" "$stack" 8)
	if [ "$((word))" -eq 0 ]; then
		refused 1 "$PVMIO" read -t ptr "$TPID" '[stack+0]'
		[[ $stderr == *"step 1"*"$stack"*NULL* ]]
	else
		is_addr '[stack+0]' "$word"
	fi
	# store &counter there (the stack's lowest word, unused) and follow it
	perl -e 'print pack("Q", hex(shift))' "$T_COUNTER" >"$BATS_TEST_TMPDIR/ptr"
	[ "$(stat -c %s "$BATS_TEST_TMPDIR/ptr")" -eq 8 ]
	mem_write "$TPID" "$stack" "$BATS_TEST_TMPDIR/ptr"
	[ "$(mem_u "$TPID" "$stack" 8)" = "$(hex "$T_COUNTER")" ]
	is_addr '[stack+0]' "$T_COUNTER"
	[ "$(read_hex u32 '[stack+0]')" = 0x12345678 ]
	[ "$(read_hex u32 '[[stack]]')" = 0x12345678 ]
}

@test "chains: a NULL step is exit 1, naming the step and the address" {
	start_chain "$(variant pie)"
	local n=$T_OFF_NEXT
	refused 1 "$PVMIO" read -t u32 "$TPID" '[exe:nothing]'
	[[ $stderr == *"step 1"* ]]
	[[ $stderr == *"$T_NOTHING"* ]]
	[[ $stderr == *NULL* ]]
	refused 1 "$PVMIO" read -t u32 "$TPID" "[[exe:tail]+$n]"
	[[ $stderr == *"step 2"* ]]
	[[ $stderr == *"$(hex $((T_N4 + n)))"* ]]
	[[ $stderr == *NULL* ]]
	refused 1 "$PVMIO" read -t u32 "$TPID" "[[[[[exe:head]+$n]+$n]+$n]+$n]"
	[[ $stderr == *"step 5"*"$(hex $((T_N4 + n)))"*NULL* ]]
	refused 1 "$PVMIO" where "$TPID" "[[exe:nothing]+8]"
	[[ $stderr == *"step 1"*"$T_NOTHING"*NULL* ]]
	refused 1 "$PVMIO" write -t u32 "$TPID" "[[exe:tail]+$n]" 1
	[[ $stderr == *"step 2"* ]]
}

@test "chains: a pointer into unmapped memory is exit 1, naming the step and the address" {
	start_chain "$(variant pie)"
	# the pointer itself is read, and goes nowhere
	[ "$(read_hex ptr exe:wild)" = "$T_WILD" ]
	refused 1 "$PVMIO" where "$TPID" '[exe:wild]'
	[[ $stderr == *"$T_WILD is in no mapping"* ]]
	refused 1 "$PVMIO" read -t u32 "$TPID" '[[exe:wild]]'
	[[ $stderr == *"step 2"* ]]
	[[ $stderr == *"$T_WILD"* ]]
	[[ $stderr == *"not mapped"* ]]
	refused 1 "$PVMIO" read -t u32 "$TPID" '[[[exe:wildp]]]'
	[[ $stderr == *"step 3"*"$T_WILD"* ]]
	refused 1 "$PVMIO" where "$TPID" '[[exe:wild]+8]+4'
	[[ $stderr == *"step 2"*"$(hex $((T_WILD + 8)))"* ]]
}

@test "chains: --stop follows the chain with the target stopped, and it runs afterwards; --verbose shows each step" {
	start_chain "$(variant pie)"
	local n=$T_OFF_NEXT
	run --separate-stderr "$PVMIO" read --stop --verbose -t u64 -f hex "$TPID" "[[[[exe:head]+$n]+$n]+$n]+$T_OFF_VALUE"
	echo "status $status; '$output'"
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ "$output" = 0x4444444444444444 ]
	local steps
	steps=$(grep 'the pointer at' <<<"$stderr")
	[ "$(echo "$steps" | wc -l)" -eq 4 ]
	[ "$(echo "$steps" | sed -n 1p)" = "pvmio: read: the pointer at $(hex "$T_HEAD") is $(hex "$T_N1")" ]
	[ "$(echo "$steps" | sed -n 2p)" = "pvmio: read: the pointer at $(hex $((T_N1 + n))) is $(hex "$T_N2")" ]
	[ "$(echo "$steps" | sed -n 3p)" = "pvmio: read: the pointer at $(hex $((T_N2 + n))) is $(hex "$T_N3")" ]
	[ "$(echo "$steps" | sed -n 4p)" = "pvmio: read: the pointer at $(hex $((T_N3 + n))) is $(hex "$T_N4")" ]
	# the symbol, too, and the stop comes before the first pointer
	[[ $stderr == *"chain-pie:head is $(hex "$T_HEAD"), 8 bytes (from .symtab)"* ]]
	local stop_line ptr_line
	stop_line=$(grep -n -i 'stop' <<<"$stderr" | head -1 | cut -d: -f1)
	ptr_line=$(grep -n 'the pointer at' <<<"$stderr" | head -1 | cut -d: -f1)
	[ -n "$stop_line" ]
	[ "$stop_line" -lt "$ptr_line" ]
	# the target is not left stopped, and it runs
	local state
	state=$(sed 's/^.*) //' "/proc/$TPID/stat" | cut -d' ' -f1)
	[[ $state != [tT] ]]
	local t1 t2
	t1=$(mem_u "$TPID" "$T_TICKS" 8)
	sleep 0.2
	t2=$(mem_u "$TPID" "$T_TICKS" 8)
	echo "ticks $t1 then $t2"
	[ "$((t2))" -gt "$((t1))" ]
	# and with --stop a failing chain leaves it running too
	refused 1 "$PVMIO" read --stop -t u32 "$TPID" '[exe:nothing]'
	t1=$(mem_u "$TPID" "$T_TICKS" 8)
	sleep 0.2
	t2=$(mem_u "$TPID" "$T_TICKS" 8)
	[ "$((t2))" -gt "$((t1))" ]
}

@test "where: a symbol's address is MODULE:SYMBOL, inside it MODULE:SYMBOL+0xOFF, with NAME+0xOFF and perms" {
	start_chain "$(variant pie)"
	local exe
	exe=$(map_start "$(variant pie)")
	ok_run "$PVMIO" where "$TPID" "$T_COUNTER"
	[ "$output" = "$(hex "$T_COUNTER") chain-pie:counter chain-pie+$(hex $((T_COUNTER - exe))) rw-p" ]
	ok_run "$PVMIO" where "$TPID" "$(hex $((T_COUNTER + 5)))"
	# counter is 4 bytes: +5 is past it, and counter still the nearest
	# symbol below (hidden_static is at +8)
	[ "$((T_HIDDEN_STATIC))" -eq "$((T_COUNTER + 8))" ]
	[ "$output" = "$(hex $((T_COUNTER + 5))) chain-pie:counter+0x5 chain-pie+$(hex $((T_COUNTER + 5 - exe))) rw-p" ]
	ok_run "$PVMIO" where "$TPID" "$(hex $((T_TABLE + 13)))"
	[ "$output" = "$(hex $((T_TABLE + 13))) chain-pie:table+0xd chain-pie+$(hex $((T_TABLE + 13 - exe))) rw-p" ]
	# the argument may be a symbol or a chain
	ok_run "$PVMIO" where "$TPID" exe:table+13 "[exe:wildp]" libc.so.6:environ
	[ "$(echo "$output" | sed -n 1p)" = "$(hex $((T_TABLE + 13))) chain-pie:table+0xd chain-pie+$(hex $((T_TABLE + 13 - exe))) rw-p" ]
	# [exe:wildp] is &wild, in the program
	local wild
	wild=$(mem_u "$TPID" "$T_WILDP" 8)
	[ "$(echo "$output" | sed -n 2p)" = "$wild chain-pie:wild chain-pie+$(hex $((wild - exe))) rw-p" ]
	local libc
	libc=$(awk '$6 ~ /\/libc\.so\.6$/ { print $6; exit }' "/proc/$TPID/maps")
	[ "$(echo "$output" | sed -n 3p)" = "$(hex "$T_LIBC_ENVIRON") libc.so.6:environ libc.so.6+$(hex $((T_LIBC_ENVIRON - $(map_start "$libc")))) rw-p" ]
}

@test "where: every field but the permissions pastes back as an ADDR of the same address" {
	start_chain "$(variant pie)"
	local libc_text
	libc_text=$(where_addr libc.so.6:printf)
	[ -n "$libc_text" ]
	local a f line
	for a in "$T_COUNTER" "$((T_COUNTER + 5))" "$((T_TABLE + 13))" "$T_TABLE_END" "$T_HIDDEN_STATIC" \
		"$T_HEAD" "$T_N1" "$((T_N3 + 3))" "$T_LIBC_ENVIRON" "$((T_LIBC_ENVIRON + 3))" "$T_ENVIRON" \
		"$libc_text" "$((libc_text + 7))" "$T_TLSVAR"; do
		a=$(hex "$a")
		ok_run "$PVMIO" where "$TPID" "$a"
		line=$output
		[ "${line%% *}" = "$a" ]
		for f in $(echo "$line" | cut -d' ' -f1-3); do
			[ "$f" = - ] && continue
			echo "$line: field '$f'"
			is_addr "$f" "$a"
		done
	done
}

@test "where: an address in no mapping is exit 1, the others are still told" {
	start_chain "$(variant pie)"
	run --separate-stderr "$PVMIO" where "$TPID" 0x10 counter "$T_WILD" exe:table
	echo "status $status; '$output'; '$stderr'"
	[ "$status" -eq 1 ]
	[ "$(echo "$output" | wc -l)" -eq 2 ]
	[[ $(echo "$output" | sed -n 1p) == "$(hex "$T_COUNTER") chain-pie:counter "* ]]
	[[ $(echo "$output" | sed -n 2p) == "$(hex "$T_TABLE") chain-pie:table "* ]]
	[[ $stderr == *"0x10 is in no mapping"* ]]
	[[ $stderr == *"$T_WILD is in no mapping"* ]]
	refused 1 "$PVMIO" where "$TPID" "$T_WILD"
}

@test "where: --json gives the fields, and they agree with the text form" {
	start_chain "$(variant pie)"
	local exe
	exe=$(map_start "$(variant pie)")
	ok_run "$PVMIO" where --json "$TPID" exe:counter "$(hex $((T_TABLE + 13)))" '[exe:head]'
	python3 - "$output" "$(variant pie)" "$exe" "$T_COUNTER" "$T_TABLE" "$T_N1" "$(map_start '[heap]')" "$TPID" <<'PY'
import json, sys
out, path, exe, counter, table, n1, heap, pid = sys.argv[1], sys.argv[2], *(int(x, 0) for x in sys.argv[3:])
lines = out.splitlines()
assert len(lines) == 3, lines
c, t, h = (json.loads(l) for l in lines)
# mapping_start and mapping_offset, against /proc/PID/maps read here
def start_of(addr):
    for l in open(f"/proc/{pid}/maps"):
        lo, hi = (int(x, 16) for x in l.split()[0].split("-"))
        if lo <= addr < hi:
            return lo
for o in (c, t, h):
    a = int(o["address"], 16)
    assert o.pop("mapping_start") == hex(start_of(a)), o
    assert o.pop("mapping_offset") == hex(a - start_of(a)), o
assert c == {"argument": "exe:counter", "address": hex(counter), "mapped": True, "perms": "rw-p",
             "mapping": path, "module": "chain-pie", "module_offset": hex(counter - exe),
             "symbol": "counter", "symbol_address": hex(counter), "symbol_offset": "0x0",
             "symbol_size": 4}, c
assert t["argument"] == hex(table + 13) and t["address"] == hex(table + 13), t
assert t["symbol"] == "table" and t["symbol_address"] == hex(table), t
assert t["symbol_offset"] == "0xd" and t["symbol_size"] == 64, t
assert t["module"] == "chain-pie" and t["module_offset"] == hex(table + 13 - exe), t
assert h["argument"] == "[exe:head]" and h["address"] == hex(n1) and h["mapped"] is True, h
assert h["mapping"] == "[heap]" and h["perms"] == "rw-p", h
assert "symbol" not in h, h
PY
}

@test "where: find --where annotates each match as where does" {
	start_chain "$(variant pie)"
	ok_run "$PVMIO" find --where "$TPID" -t u32 0x1033 exe:table
	local match=$output
	[ "$(echo "$match" | wc -l)" -eq 1 ]
	ok_run "$PVMIO" where "$TPID" "$(hex $((T_TABLE + 12)))"
	[ "$match" = "$output" ]
	[[ $match == *" chain-pie:table+0xc "* ]]
	# without a range, among the others
	ok_run "$PVMIO" find --where "$TPID" -t u64 0xc0de0000c0de0003
	echo "$output" | grep -qx "$(hex "$T_N3") - \[heap\]+$(hex $((T_N3 - $(map_start '[heap]')))) rw-p"
	# and plain find agrees on the addresses
	local plain
	plain=$("$PVMIO" find "$TPID" -t u64 0xc0de0000c0de0003)
	[ "$plain" = "$(echo "$output" | cut -d' ' -f1)" ]
}

# gdb_check SYM: `pvmio where TPID SYM` and `pvmio read -t ptr TPID SYM:8`
# agree with gdb's `info symbol`, `p &SYM` and `x/gx &SYM`.
gdb_check() {
	local sym=$1 g info addr word
	g=$(gdb -nx -batch -p "$TPID" -iex 'set debuginfod enabled off' \
		-ex "info symbol &$sym" -ex "p &$sym" -ex "x/gx &$sym" 2>/dev/null | grep -v '^\[')
	echo "gdb for $sym:"
	echo "$g"
	info=$(echo "$g" | grep ' in section ' | head -1)
	addr=$(echo "$g" | grep '^\$1 = ' | sed 's/^[^=]*= //; s/^([^)]*) //' | grep -o '^0x[0-9a-f]*')
	word=$(echo "$g" | grep '^0x[0-9a-f]* <' | sed 's/^.*:[[:space:]]*//')
	[ -n "$info" ] && [ -n "$addr" ] && [ -n "$word" ] || { echo "gdb gave no answer for $sym"; return 1; }
	# gdb: "NAME [+ N] in section S [of FILE]"
	local gname goff gmod
	gname=${info%% *}
	goff=0
	[[ $info =~ ^[^\ ]+\ \+\ ([0-9]+)\ in ]] && goff=${BASH_REMATCH[1]}
	if [[ $info =~ \ of\ (.*)$ ]]; then
		gmod=${BASH_REMATCH[1]##*/}
	else
		gmod=$(readlink "/proc/$TPID/exe")
		gmod=${gmod##*/}
	fi
	local want=$gmod:$gname
	((goff)) && want+=$(printf '+0x%x' "$goff")
	run --separate-stderr "$PVMIO" where "$TPID" "$sym"
	echo "pvmio where: status $status; '$output'; '$stderr'"
	[ "$status" -eq 0 ]
	local f
	read -ra f <<<"$output"
	echo "address ${f[0]} want $addr; symbol ${f[1]} want $want"
	[ "$((f[0]))" -eq "$((addr))" ]
	[ "${f[1]}" = "$want" ]
	run --separate-stderr "$PVMIO" read -t ptr "$TPID" "$sym:8"
	echo "pvmio read: status $status; '$output'; '$stderr'; gdb $word"
	[ "$status" -eq 0 ]
	[ "$((output))" -eq "$((word))" ]
}

# A python3 that lets any process trace it (Yama scope 1), asleep.
start_python() {
	command -v gdb >/dev/null || skip "gdb is not installed"
	local py
	py=$(command -v python3) || skip "python3 is not installed"
	# past a pyenv shim, to the interpreter itself
	py=$("$py" -c 'import sys; print(sys.executable)')
	local out=$BATS_TEST_TMPDIR/py.out
	start_process "$py" -c '
import ctypes, time
ctypes.CDLL(None).prctl(0x59616d61, ctypes.c_ulong(2**64 - 1), 0, 0, 0)
print("READY", flush=True)
time.sleep(600)' >"$out"
	local i
	for ((i = 0; i < 1000; i++)); do
		grep -q READY "$out" 2>/dev/null && break
		sleep 0.01
	done
	grep -q READY "$out"
}

@test "gdb: python3's libc environ, stdout and main_arena: where and read agree with gdb" {
	start_python
	gdb_check environ
	gdb_check stdout
	need_libc_debug
	gdb_check main_arena
}

@test "gdb: python3's libc __libc_single_threaded: where names what gdb names" {
	start_python
	gdb_check __libc_single_threaded
}

@test "gdb: python3's _PyRuntime and Py_Version: where and read agree with gdb" {
	start_python
	gdb_check _PyRuntime
	gdb_check Py_Version
}

@test "gdb: sleep's libc symbols: where and read agree with gdb" {
	command -v gdb >/dev/null || skip "gdb is not installed"
	# sleep(1) cannot call prctl; as root gdb and pvmio may trace it anyway
	[[ $(id -u) -eq 0 ]] || skip "needs root: sleep(1) does not let other processes trace it under Yama"
	start_process sleep 600
	local i
	for ((i = 0; i < 200; i++)); do
		grep -q libc.so.6 "/proc/$TPID/maps" 2>/dev/null && break
		sleep 0.01
	done
	gdb_check environ
	gdb_check program_invocation_name
	gdb_check stderr
}

@test "where: a name with other characters is quoted, and pastes back" {
	start_chain "$BATS_FILE_TMPDIR/odd" "$BATS_FILE_TMPDIR/libdupa.so"
	ok_run "$PVMIO" where "$TPID" "$T_WEIRD"
	[[ $output == "$(hex "$T_WEIRD") odd:\"weird-name\" odd+0x"* ]]
	local sym=${output#* }
	sym=${sym%% *}
	is_addr "$sym" "$T_WEIRD"
	[ "$(read_hex u32 "$sym")" = 0x3e3e ]
}

@test "where: two locals of one object with one name are ambiguous by name; the message gives each address" {
	start_chain "$BATS_FILE_TMPDIR/odd" "$BATS_FILE_TMPDIR/libdupa.so"
	ok_run "$PVMIO" where "$TPID" "$T_COUNT_A" "$T_COUNT_B"
	[[ ${lines[0]} == "$(hex "$T_COUNT_A") odd:count "* ]]
	[[ ${lines[1]} == "$(hex "$T_COUNT_B") odd:count "* ]]
	fails 2 "'count' is ambiguous: 2 symbols .*odd:count at $(hex "$T_COUNT_A").*odd:count at $(hex "$T_COUNT_B").*give the address" \
		"$PVMIO" read -t u32 "$TPID" odd:count
}

@test "symbols: a library loaded twice (dlmopen) is two modules, never one merged" {
	start_chain "$BATS_FILE_TMPDIR/odd" "$BATS_FILE_TMPDIR/libdupa.so"
	local a
	for a in "$T_COPY1" "$T_COPY2"; do
		ok_run "$PVMIO" where "$TPID" "$a"
		[[ $output == "$(hex "$a") libdupa.so:only_in_a "* ]]
	done
	# by name: two definitions, not one copy picked in silence
	fails 2 "'only_in_a' is ambiguous" "$PVMIO" read -t u32 "$TPID" only_in_a
}

@test "symbols: a version name (an absolute symbol) is not an address" {
	start_process sleep 100
	wait_until 5 grep -q libc /proc/$TPID/maps
	fails 2 "no symbol 'GLIBC_2.2.5' in libc.so.6" "$PVMIO" read -t u64 "$TPID" libc.so.6:GLIBC_2.2.5
}

@test "grammar: a chain nested 40 or 5000 deep and a 10000-character address are usage errors, at once" {
	start_chain "$(variant pie)"
	local deep long
	deep=$(printf '%.0s[' {1..40})0x10$(printf '%.0s]' {1..40})
	fails 2 'nest 32 deep at the most' "$PVMIO" read -t u32 "$TPID" "$deep"
	deep=$(printf '%.0s[' {1..5000})0x10$(printf '%.0s]' {1..5000})
	fails 2 'longer than the 512' "$PVMIO" read -t u32 "$TPID" "$deep" >/dev/null
	long=$(printf '%.0slibc.so.6+' {1..1000})0
	fails 2 'longer than the 512' "$PVMIO" read -t u32 "$TPID" "$long"
	# within the bounds, long sums still parse
	long=$(printf '%.0sexe+' {1..100})0
	ok_run "$PVMIO" where "$TPID" "[exe:head]+$(printf '%.0s1+' {1..100})0"
}

@test "where --json: an address in no mapping is a line of its own, mapped false" {
	start_chain "$(variant pie)"
	run --separate-stderr "$PVMIO" where --json "$TPID" 0x10 exe:counter
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 2 ]
	python3 -c 'import json,sys; a,b=[json.loads(l) for l in sys.stdin]; assert a["mapped"] is False and a["address"]=="0x10", a; assert b["mapped"] is True' <<<"$output"
}
