#!/usr/bin/env bats
# Selecting memory by what it is: --perms SPEC and --name PATTERN on maps,
# find, dump, core and diff.  The reference is python3's own reading of
# /proc/PID/maps, with fnmatch for the globs.

bats_require_minimum_version 1.5.0

load helper

# selected PID PERMS [PATTERN...]: the "start-end" of every mapping of
# /proc/PID/maps that has PERMS ("" for any; letters after '-' absent) and
# whose name matches one of PATTERN (any, when none): anon, an exact
# name, [NAME] as NAME, a base name, or a glob over the base name or the
# path (" (deleted)" left out).
selected() {
	python3 - "$@" <<'PY'
import fnmatch, os, sys
pid, spec, pats = sys.argv[1], sys.argv[2], sys.argv[3:]
want, _, refuse = spec.partition("-")
exe = os.readlink(f"/proc/{pid}/exe")
def has(perms, c):
    return {"r": perms[0] == "r", "w": perms[1] == "w", "x": perms[2] == "x",
            "s": perms[3] == "s", "p": perms[3] == "p"}[c]
def named(name, p):
    if p == "anon":
        return name == "" or name.startswith("[anon:")
    if name == p or name == f"[{p}]" or (p == "exe" and name == exe):
        return True
    path = name[:-len(" (deleted)")] if name.startswith("/") and name.endswith(" (deleted)") else name
    if name.startswith("/") and (path.endswith("/" + p) if "/" not in p else path == p):
        return True
    # fnmatchcase: no case folding, as fnmatch(3); * crosses '/' there too
    if not name.startswith("/"):
        return fnmatch.fnmatchcase(name, p)
    return fnmatch.fnmatchcase(os.path.basename(path), p) or fnmatch.fnmatchcase(path, p)
for line in open(f"/proc/{pid}/maps"):
    f = line.rstrip("\n").split(None, 5)
    name = f[5] if len(f) > 5 else ""
    if not all(has(f[1], c) for c in want) or any(has(f[1], c) for c in refuse):
        continue
    if pats and not any(named(name, p) for p in pats):
        continue
    print("%x-%x" % tuple(int(x, 16) for x in f[0].split("-")))
PY
}

# listed FILE: the "start-end" of each line of pvmio maps in FILE.
listed() {
	python3 -c 'import sys
for l in open(sys.argv[1]):
    lo, hi = l.split()[0].split("..")
    print("%x-%x" % (int(lo, 16), int(hi, 16)))' "$1"
}

# same_selection PID PERMS PATTERN...: pvmio maps with --perms PERMS and a
# --name for each PATTERN lists exactly what `selected` does.
same_selection() {
	local pid=$1 perms=$2
	shift 2
	local args=() p
	[ -n "$perms" ] && args+=(--perms "$perms")
	for p in "$@"; do args+=(--name "$p"); done
	"$PVMIO" maps "${args[@]}" "$pid" >"$BATS_TEST_TMPDIR/maps.out"
	listed "$BATS_TEST_TMPDIR/maps.out" >"$BATS_TEST_TMPDIR/got"
	selected "$pid" "$perms" "$@" >"$BATS_TEST_TMPDIR/want"
	echo "maps ${args[*]}: $(wc -l <"$BATS_TEST_TMPDIR/got") lines, python $(wc -l <"$BATS_TEST_TMPDIR/want")"
	diff "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
}

@test "maps --perms: every spec lists what python selects from /proc/PID/maps" {
	start_target
	local spec
	for spec in r rw w x rx r-w r-x -w -x -r p s rs -rwx rwp; do
		same_selection "$TPID" "$spec"
	done
	# something on each side: rw and r-w both non-empty, and they do not meet
	[ -n "$(selected "$TPID" rw)" ] && [ -n "$(selected "$TPID" r-w)" ]
	[ -n "$(selected "$TPID" s)" ]
}

@test "maps --name: globs over base names and paths, anon, exact names, exe, and unions" {
	start_target
	same_selection "$TPID" "" 'libc*'
	same_selection "$TPID" "" '*.so*'
	same_selection "$TPID" "" '/usr/*'
	same_selection "$TPID" "" anon
	same_selection "$TPID" "" heap
	same_selection "$TPID" "" '[stack]'
	same_selection "$TPID" "" exe
	same_selection "$TPID" "" 'ld-linux*' anon
	same_selection "$TPID" rw '*.so*' anon
	same_selection "$TPID" r-x 'lib*'
	[ -n "$(selected "$TPID" "" 'libc*')" ] && [ -n "$(selected "$TPID" "" anon)" ]
	# a glob that matches nothing lists nothing, exit 0 as a filter
	run --separate-stderr "$PVMIO" maps --name 'no-such-*' "$TPID"
	[ "$status" -eq 0 ] && [ -z "$output" ]
}

@test "maps NAME and --name: the union, then --perms" {
	start_target
	"$PVMIO" maps --perms rw --name anon "$TPID" heap >"$BATS_TEST_TMPDIR/m"
	listed "$BATS_TEST_TMPDIR/m" >"$BATS_TEST_TMPDIR/got"
	selected "$TPID" rw anon heap >"$BATS_TEST_TMPDIR/want"
	diff "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	grep -q '\[heap\]' "$BATS_TEST_TMPDIR/m"
}

@test "find --perms/--name: the matches of find over the same mappings given as RANGEs" {
	start_target
	local ranges=() r
	while read -r r; do ranges+=("0x${r%-*}..0x${r#*-}"); done < <(selected "$TPID" r-x 'lib*')
	[ "${#ranges[@]}" -ge 1 ]
	run --separate-stderr "$PVMIO" find --perms r-x --name 'lib*' "$TPID" '48 89'
	[ "$status" -eq 0 ]
	local sel=$output
	run --separate-stderr "$PVMIO" find "$TPID" '48 89' "${ranges[@]}"
	[ "$status" -eq 0 ]
	[ "$sel" = "$output" ]
	# the pattern planted in the target's own rw data is found with rw and not with -w
	run --separate-stderr "$PVMIO" find --perms rw -m 1 "$TPID" "$(mem_hex "$TPID" "$T_PATTERN" 16)"
	[ "$status" -eq 0 ] && [ "$output" = "$T_PATTERN" ]
	run --separate-stderr "$PVMIO" find --perms -w "$TPID" "$(mem_hex "$TPID" "$(hex "$T_PATTERN + 100")" 24)"
	[ "$status" -eq 1 ] && [ -z "$output" ]
}

@test "dump --perms/--name: the same dump as the RANGEs python selects" {
	start_target
	local ranges=() r
	while read -r r; do ranges+=("0x${r%-*}..0x${r#*-}"); done < <(selected "$TPID" r 'ld-linux*')
	[ "${#ranges[@]}" -ge 2 ]
	"$PVMIO" dump --name 'ld-linux*' --perms r "$TPID" >"$BATS_TEST_TMPDIR/sel"
	"$PVMIO" dump "$TPID" "${ranges[@]}" >"$BATS_TEST_TMPDIR/ranges"
	cmp "$BATS_TEST_TMPDIR/sel" "$BATS_TEST_TMPDIR/ranges"
	[ -s "$BATS_TEST_TMPDIR/sel" ]
}

@test "core --perms/--name: only the selected mappings carry bytes; the file still lists every mapping" {
	start_target
	run --separate-stderr "$PVMIO" core --perms rw --name anon --name heap -o "$BATS_TEST_TMPDIR/c" "$TPID"
	echo "status $status; stderr '$stderr'"
	[ "$status" -eq 0 ]
	local core=$BATS_TEST_TMPDIR/c
	# every selected mapping is in the file; those the target never
	# changes (its heap, the PATTERN page) read back as the live bytes.
	# (Others may not: a stop interrupts a sleep, and errno is in TLS.)
	local r n=0
	while read -r r; do
		"$PVMIO" read "$core" "0x${r%-*}..0x${r#*-}" >/dev/null
		n=$((n + 1))
	done < <(selected "$TPID" rw anon heap)
	[ "$n" -ge 2 ]
	[ "$("$PVMIO" read -f hex "$core" "$T_PATTERN:8192")" = "$(mem_hex "$TPID" "$T_PATTERN" 8192)" ]
	[ "$("$PVMIO" read -f hex "$core" heap)" = "$("$PVMIO" read -f hex "$TPID" heap)" ]
	# a mapping not selected (libc's text, the target's RO page) is not in the file
	fails 1 'not in the core file' "$PVMIO" read -f hex "$core" "$T_RO:16"
	local text
	text=$(selected "$TPID" r-x 'libc*' | head -1)
	fails 1 'not in the core file' "$PVMIO" read -f hex "$core" "0x${text%-*}:16"
	# the file still lists every mapping, as the kernel's filter does
	[ "$("$PVMIO" maps "$core" | wc -l)" -eq "$(wc -l <"/proc/$TPID/maps")" ]
}

@test "diff --perms/--name: only changes in the selected mappings" {
	start_target
	"$PVMIO" core --no-stop -o "$BATS_TEST_TMPDIR/c" "$TPID" 2>/dev/null
	# change the writable PATTERN page, in the reservation (anonymous)
	printf '\xff\xfe\xfd' >"$BATS_TEST_TMPDIR/b"
	mem_write "$TPID" "$T_PATTERN" "$BATS_TEST_TMPDIR/b"
	run --separate-stderr "$PVMIO" diff --perms rw --name anon "$BATS_TEST_TMPDIR/c" "$TPID"
	[ "$status" -eq 1 ]
	[[ $output == "$T_PATTERN..$(hex "$T_PATTERN + 3") 3"* ]]
	run --separate-stderr "$PVMIO" diff --perms -w "$BATS_TEST_TMPDIR/c" "$TPID"
	[ "$status" -eq 0 ] && [ -z "$output" ]
	run --separate-stderr "$PVMIO" diff --name 'lib*' "$BATS_TEST_TMPDIR/c" "$TPID"
	[[ $output != *"$T_PATTERN"* ]]
}

@test "selectors: bad specs and selectors with RANGEs are usage errors (exit 2)" {
	start_target
	fails 2 "'q' is not one of r, w, x, s and p" "$PVMIO" maps --perms q "$TPID"
	fails 2 "given twice" "$PVMIO" maps --perms rr "$TPID"
	fails 2 "shared \(s\) or private \(p\)" "$PVMIO" maps --perms sp "$TPID"
	fails 2 "not one of" "$PVMIO" maps --perms r-w-x "$TPID"
	fails 2 "no permission given" "$PVMIO" maps --perms - "$TPID"
	fails 2 "give a name" "$PVMIO" find --name '' "$TPID" 00
	fails 2 "give RANGEs or them, not both" "$PVMIO" find --perms rw "$TPID" 00 heap
	fails 2 "give RANGEs or them, not both" "$PVMIO" dump --name anon "$TPID" heap
	fails 2 "give RANGEs or them, not both" "$PVMIO" diff --perms rw "$TPID" "$TPID" heap
}
