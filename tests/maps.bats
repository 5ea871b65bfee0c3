#!/usr/bin/env bats
# pvmio maps: every line against /proc/PID/maps read by python3, the first
# field pasted back as a RANGE, NAME filters, --json through a real JSON
# parser, and the exit statuses.

bats_require_minimum_version 1.5.0

load helper

# check_lines PID FILE [NAME...]: the lines of `pvmio maps` in FILE are,
# one for one, the lines of /proc/PID/maps (all of them, or those of the
# mappings whose name is one of NAME... given as full names); prints what
# differs and fails otherwise.
check_lines() {
	python3 - "$@" <<'PY'
import re, sys
pid, path, names = sys.argv[1], sys.argv[2], sys.argv[3:]
want = []
for line in open(f"/proc/{pid}/maps"):
    f = line.rstrip("\n").split(None, 5)
    lo, hi = (int(x, 16) for x in f[0].split("-"))
    name = f[5] if len(f) > 5 else ""
    if names and name not in names:
        continue
    want.append((lo, hi, f[1], int(f[2], 16), name))
got = []
units = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
bad = 0
for line in open(path):
    line = line.rstrip("\n")
    f = line.split(None, 4)
    m = re.fullmatch(r"0x([1-9a-f][0-9a-f]*|0)\.\.0x([1-9a-f][0-9a-f]*)", f[0])
    if not m or not re.fullmatch(r"0x([1-9a-f][0-9a-f]*|0)", f[2]):
        print(f"bad address format: {line!r}")
        bad = 1
        continue
    lo, hi = int(m.group(1), 16), int(m.group(2), 16)
    s = re.fullmatch(r"([0-9]+)([KMG]?)", f[3])
    if not s or int(s.group(1)) * units[s.group(2)] != hi - lo:
        print(f"SIZE {f[3]!r} is not {hi - lo}: {line!r}")
        bad = 1
    got.append((lo, hi, f[1], int(f[2], 16), f[4] if len(f) > 4 else ""))
if got != want:
    print("pvmio maps:", *got, "/proc maps:", *want, sep="\n")
    bad = 1
if not got:
    print("no lines")
    bad = 1
sys.exit(bad)
PY
}

# names_of PID PYEXPR: the distinct full names of the target's mappings for
# which PYEXPR (of `n`, the name) holds, one a line.
names_of() {
	python3 - "$1" "$2" <<'PY'
import os, sys
seen = []
for line in open(f"/proc/{sys.argv[1]}/maps"):
    f = line.rstrip("\n").split(None, 5)
    n = f[5] if len(f) > 5 else ""
    if eval(sys.argv[2]) and n not in seen:
        seen.append(n)
print("\n".join(seen))
PY
}

# maps_field PID NAME: the first field of the first `pvmio maps` line whose
# name is NAME.
maps_field() {
	"$PVMIO" maps "$1" | awk -v n="$2" '$NF == n { print $1; exit }'
}

@test "maps: every line matches /proc/PID/maps (range, perms, offset, size, name)" {
	start_target
	run "$PVMIO" maps "$TPID"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/maps"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/maps")" -eq "$(wc -l <"/proc/$TPID/maps")" ]
	run check_lines "$TPID" "$BATS_TEST_TMPDIR/maps"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "maps: the first fields agree with /proc/PID/maps start-end (awk)" {
	start_target --sparse 64K
	diff <("$PVMIO" maps "$TPID" | awk '{ print $1 }') \
		<(awk '{ split($1, a, "-"); printf "0x%s..0x%s\n", a[1], a[2] }' "/proc/$TPID/maps" |
			sed -E 's/0x0+([0-9a-f])/0x\1/g')
}

# line_at ADDR: the `pvmio maps` line (in $output) whose range holds ADDR.
line_at() {
	local a=$(($1)) l lo hi
	while IFS= read -r l; do
		lo=${l%%..*} hi=${l#*..} hi=${hi%% *}
		if ((a >= lo && a < hi)); then
			echo "$l"
			return
		fi
	done <<<"$output"
}

@test "maps: the target's own regions are listed with their permissions" {
	start_target
	run "$PVMIO" maps "$TPID"
	[ "$status" -eq 0 ]
	# PATTERN may merge with an anonymous neighbour below it, but ends at
	# the hole; RO and NONE differ in permissions from both neighbours.
	[[ $(line_at "$T_PATTERN") =~ ^0x[0-9a-f]+\.\.$T_HOLE\ +rw-p\  ]]
	[[ $(line_at "$T_AFTER") =~ ^$T_AFTER\.\.$T_RO\ +rw-p\  ]]
	[[ $(line_at "$T_RO") =~ ^$T_RO\.\.$T_NONE\ +r--p\  ]]
	[[ $(line_at "$T_NONE") =~ ^$T_NONE\.\.$T_ZERO\ +---p\  ]]
	[[ $(line_at "$T_ZERO") =~ ^$T_ZERO\.\.0x[0-9a-f]+\ +rw-p\  ]]
	# The hole is not a mapping.
	[ -z "$(line_at "$T_HOLE")" ]
	[ -n "$(line_at "$T_RANDOM")" ]
	[[ $(line_at "$T_RANDOM") == *' [heap]' ]]
}

@test "maps: the [heap] line's first field pastes back as a RANGE" {
	start_target
	local range
	range=$(maps_field "$TPID" '[heap]')
	[[ $range == 0x*..0x* ]]
	local lo=${range%..*} hi=${range#*..}
	[ "$(awk '$NF == "[heap]"' "/proc/$TPID/maps" | wc -l)" -eq 1 ]
	[ "$("$PVMIO" read "$TPID" "$range" | wc -c)" -eq $((hi - lo)) ]
	cmp <("$PVMIO" read "$TPID" "$range") <(mem_read "$TPID" "$lo" $((hi - lo)))
}

@test "maps: START:SIZE of a line pastes back as a RANGE too" {
	start_target --big 4M
	local range perms off size rest line start="" bytes=0
	# BIG's mapping: the kernel may merge it with an anonymous neighbour,
	# so take the line that holds it, whatever its size.
	while read -r range perms off size rest; do
		if ((${range%%..*} <= T_BIG && T_BIG < ${range##*..})); then
			start=${range%%..*}
			bytes=$((${range##*..} - start))
			break
		fi
	done < <("$PVMIO" maps "$TPID")
	[ -n "$start" ]
	[ "$bytes" -ge $((4 << 20)) ]
	# SIZE is exact and in K, M or G: it parses back to the same byte count
	case $size in
	*G) [ $((${size%G} << 30)) -eq "$bytes" ] ;;
	*M) [ $((${size%M} << 20)) -eq "$bytes" ] ;;
	*K) [ $((${size%K} << 10)) -eq "$bytes" ] ;;
	*) false ;;
	esac
	cmp <("$PVMIO" read "$TPID" "$start:$size") <(mem_read "$TPID" "$start" "$bytes")
	line=$("$PVMIO" maps "$TPID" | awk -v s="$T_PATTERN" '$1 ~ "^" s "\\.\\."')
	size=$(awk '{ print $4 }' <<<"$line")
	[ "$size" = 8K ]
	cmp <("$PVMIO" read "$TPID" "$T_PATTERN:$size") <(mem_read "$TPID" "$T_PATTERN" $((2 * T_PAGE)))
}

@test "maps NAME: heap and [heap] keep the heap's lines only" {
	start_target
	run "$PVMIO" maps "$TPID" heap
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/heap"
	run check_lines "$TPID" "$BATS_TEST_TMPDIR/heap" '[heap]'
	echo "$output"
	[ "$status" -eq 0 ]
	cmp "$BATS_TEST_TMPDIR/heap" <("$PVMIO" maps "$TPID" '[heap]')
}

@test "maps NAME: [stack] and stack" {
	start_target
	run "$PVMIO" maps "$TPID" '[stack]'
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/stack"
	run check_lines "$TPID" "$BATS_TEST_TMPDIR/stack" '[stack]'
	echo "$output"
	[ "$status" -eq 0 ]
	cmp "$BATS_TEST_TMPDIR/stack" <("$PVMIO" maps "$TPID" stack)
}

@test "maps NAME: a base name (libc.so.6) keeps every mapping of that file" {
	start_target
	local libc
	libc=$(names_of "$TPID" 'os.path.basename(n) == "libc.so.6" and n.startswith("/")')
	[ -n "$libc" ] || skip "the target does not map libc.so.6"
	[ "$(wc -l <<<"$libc")" -eq 1 ]
	[ "$(awk -v n="$libc" '$NF == n' "/proc/$TPID/maps" | wc -l)" -gt 1 ]
	run "$PVMIO" maps "$TPID" libc.so.6
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/libc"
	run check_lines "$TPID" "$BATS_TEST_TMPDIR/libc" "$libc"
	echo "$output"
	[ "$status" -eq 0 ]
	# The full path keeps the same lines.
	cmp "$BATS_TEST_TMPDIR/libc" <("$PVMIO" maps "$TPID" "$libc")
}

@test "maps NAME: exe is the main program" {
	start_target
	local exe
	exe=$(readlink "/proc/$TPID/exe")
	[ -n "$exe" ]
	run "$PVMIO" maps "$TPID" exe
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/exe"
	run check_lines "$TPID" "$BATS_TEST_TMPDIR/exe" "$exe"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "maps NAME...: several names keep the union, in address order" {
	start_target
	local libc
	libc=$(names_of "$TPID" 'os.path.basename(n) == "libc.so.6" and n.startswith("/")')
	[ -n "$libc" ] || skip "the target does not map libc.so.6"
	run "$PVMIO" maps "$TPID" '[stack]' libc.so.6 heap exe
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/some"
	run check_lines "$TPID" "$BATS_TEST_TMPDIR/some" '[heap]' '[stack]' "$libc" "$(readlink "/proc/$TPID/exe")"
	echo "$output"
	[ "$status" -eq 0 ]
	# A name given twice changes nothing.
	cmp "$BATS_TEST_TMPDIR/some" <("$PVMIO" maps "$TPID" '[stack]' libc.so.6 heap exe heap)
}

@test "maps NAME: an unknown name is a usage error that says what exists" {
	start_target
	refused 2 "$PVMIO" maps "$TPID" no-such-lib.so
	[[ $stderr == *no-such-lib.so* ]]
	[[ $stderr == *'[heap]'* ]]
	refused 2 "$PVMIO" maps "$TPID" heap no-such-lib.so
}

@test "maps NAME: the filter never leaves an empty or half JSON array" {
	# Every NAME that resolves keeps at least its own mapping, so the only
	# empty filter result is a name the target lacks: a usage error, with
	# nothing on stdout (not "[" nor "[]").
	start_target
	refused 2 "$PVMIO" maps --json "$TPID" no-such-lib.so
	[[ $stderr == *no-such-lib.so* ]]
	run --separate-stderr "$PVMIO" maps --json "$TPID" '[vdso]'
	[ "$status" -eq 0 ]
	python3 -c '
import json, sys
a = json.loads(sys.argv[1])
assert isinstance(a, list) and len(a) >= 1, a
assert all(m["name"] == "[vdso]" for m in a), a
' "$output"
}

# check_json PID FILE [NAME...]: FILE holds `pvmio maps --json` output that
# agrees with /proc/PID/maps (for the mappings named NAME..., or all).
check_json() {
	python3 - "$@" <<'PY'
import json, re, sys
pid, path, names = sys.argv[1], sys.argv[2], sys.argv[3:]
with open(path) as f:
    doc = json.load(f)
assert isinstance(doc, list), type(doc)
want = []
for line in open(f"/proc/{pid}/maps"):
    f = line.rstrip("\n").split(None, 5)
    name = f[5] if len(f) > 5 else ""
    if names and name not in names:
        continue
    lo, hi = (int(x, 16) for x in f[0].split("-"))
    want.append(dict(start=lo, end=hi, perms=f[1], offset=int(f[2], 16), dev=f[3], inode=int(f[4]), name=name))
hexre = re.compile(r"0x(0|[1-9a-f][0-9a-f]*)")
got = []
for m in doc:
    assert isinstance(m, dict), m
    assert {"start", "end", "perms", "offset", "dev", "inode", "name"} <= set(m), m
    for k in ("start", "end", "offset"):
        assert isinstance(m[k], str) and hexre.fullmatch(m[k]), (k, m)
    assert isinstance(m["inode"], int) and not isinstance(m["inode"], bool), m
    assert isinstance(m["perms"], str) and isinstance(m["dev"], str) and isinstance(m["name"], str), m
    if "size" in m:
        assert m["size"] == int(m["end"], 16) - int(m["start"], 16), m
    got.append(dict(start=int(m["start"], 16), end=int(m["end"], 16), perms=m["perms"],
                    offset=int(m["offset"], 16), dev=m["dev"], inode=m["inode"], name=m["name"]))
if got != want:
    print("pvmio:", *got, "/proc:", *want, sep="\n")
    sys.exit(1)
assert got, "empty"
PY
}

@test "maps --json: an array of objects equal to /proc/PID/maps" {
	start_target --sparse 64K
	run --separate-stderr "$PVMIO" maps --json "$TPID"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/json"
	run check_json "$TPID" "$BATS_TEST_TMPDIR/json"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "maps --json NAME...: only the named mappings" {
	start_target
	local libc
	libc=$(names_of "$TPID" 'os.path.basename(n) == "libc.so.6" and n.startswith("/")')
	[ -n "$libc" ] || skip "the target does not map libc.so.6"
	"$PVMIO" maps --json "$TPID" heap libc.so.6 >"$BATS_TEST_TMPDIR/json"
	run check_json "$TPID" "$BATS_TEST_TMPDIR/json" '[heap]' "$libc"
	echo "$output"
	[ "$status" -eq 0 ]
	# The option may follow the arguments.
	cmp "$BATS_TEST_TMPDIR/json" <("$PVMIO" maps "$TPID" heap libc.so.6 --json)
}

@test "maps --json: ranges paste back into pvmio read" {
	start_target
	local range
	range=$("$PVMIO" maps --json "$TPID" heap |
		python3 -c 'import json, sys; m = json.load(sys.stdin)[0]; print(m["start"] + ".." + m["end"])')
	local lo=${range%..*} hi=${range#*..}
	cmp <("$PVMIO" read "$TPID" "$range") <(mem_read "$TPID" "$lo" $((hi - lo)))
}

@test "maps: a zombie is a process error (exit 3)" {
	start_zombie
	refused 3 "$PVMIO" maps "$ZOMBIE"
	refused 3 "$PVMIO" maps --json "$ZOMBIE"
}

@test "maps: no such process (exit 3)" {
	start_target
	local gone=$TPID
	stop_targets
	[ ! -e "/proc/$gone" ]
	refused 3 "$PVMIO" maps "$gone"
	refused 3 "$PVMIO" maps --json "$gone"
}

@test "maps: a bad PID or no PID is a usage error" {
	refused 2 "$PVMIO" maps
	refused 2 "$PVMIO" maps 12x
	refused 2 "$PVMIO" maps 0
}

@test "maps --stop: the same lines, and the target runs again afterwards" {
	start_target --threads 2
	run --separate-stderr "$PVMIO" maps --stop "$TPID"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/maps"
	run check_lines "$TPID" "$BATS_TEST_TMPDIR/maps"
	echo "$output"
	[ "$status" -eq 0 ]
	run "$PVMIO" maps --stop --json "$TPID" heap
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/json"
	run check_json "$TPID" "$BATS_TEST_TMPDIR/json" '[heap]'
	[ "$status" -eq 0 ]
	local t
	for t in /proc/"$TPID"/task/*; do
		[[ $(proc_state "$TPID/task/${t##*/}") != [tT] ]]
	done
}

@test "maps: a file name with spaces, quotes, a backslash and UTF-8, in text and JSON" {
	local dir="$BATS_TEST_TMPDIR/d"
	mkdir -p "$dir"
	local f="$dir/pvmio \"we\\ird\" é.bin"
	head -c 8192 /dev/zero >"$f"
	# A python3 process that maps the file and waits, ptrace-able by us.
	start_process python3 -c '
import ctypes, mmap, sys, time
ctypes.CDLL(None).prctl(0x59616d61, ctypes.c_ulong(-1), 0, 0, 0)
f = open(sys.argv[1], "rb")
m = mmap.mmap(f.fileno(), 8192, prot=mmap.PROT_READ)
open(sys.argv[2], "w").write("ready")
time.sleep(1000)
' "$f" "$BATS_TEST_TMPDIR/ready"
	wait_until 5 nonempty "$BATS_TEST_TMPDIR/ready"
	# What the kernel calls it (it may resolve the temporary directory).
	local name
	name=$(python3 - "$TPID" <<'PY'
import sys
for line in open(f"/proc/{sys.argv[1]}/maps"):
    f = line.rstrip("\n").split(None, 5)
    if len(f) > 5 and f[5].endswith(".bin") and "we\\ird" in f[5]:
        print(f[5])
        break
PY
)
	[ -n "$name" ]
	run --separate-stderr "$PVMIO" maps "$TPID" "$name"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/text"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/text")" -eq 1 ]
	run check_lines "$TPID" "$BATS_TEST_TMPDIR/text" "$name"
	echo "$output"
	[ "$status" -eq 0 ]
	# The base name works as a NAME too.
	cmp "$BATS_TEST_TMPDIR/text" <("$PVMIO" maps "$TPID" "${name##*/}")
	"$PVMIO" maps --json "$TPID" "$name" >"$BATS_TEST_TMPDIR/json"
	run check_json "$TPID" "$BATS_TEST_TMPDIR/json" "$name"
	echo "$output"
	[ "$status" -eq 0 ]
	# The whole list parses too, with that name in it.
	"$PVMIO" maps --json "$TPID" >"$BATS_TEST_TMPDIR/all"
	run check_json "$TPID" "$BATS_TEST_TMPDIR/all"
	echo "$output"
	[ "$status" -eq 0 ]
}
