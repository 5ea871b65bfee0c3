#!/usr/bin/env bats
# Snapshots: pvmio core against gdb, readelf, an ELF parser in python3 and
# /proc/PID/mem of the stopped target (tests/snapshot.c); core files as
# targets of read, dump, find, maps and where, agreeing with the live
# process; a core the kernel wrote; diff of a core and a process; find
# --changed and --at, the unknown-initial-value search.  The target is
# stopped with SIGSTOP (all its threads) wherever a core and the live
# process are compared.

bats_require_minimum_version 1.5.0

load helper

teardown() {
	if [[ -n ${OLD_CORE_PATTERN:-} ]]; then
		printf '%s\n' "$OLD_CORE_PATTERN" >/proc/sys/kernel/core_pattern || true
		OLD_CORE_PATTERN=
	fi
	stop_targets
}

# start_snapshot [--big 1]: starts tests/snapshot as TPID, with T_COUNTER,
# T_VALUES, T_SHARED (and T_BIG), and D, a folder for its cores.
start_snapshot() {
	: "${SNAPSHOT:?run the suites through make check}"
	start_ready "$SNAPSHOT" "$@"
	D=$BATS_TEST_TMPDIR/cores
	mkdir -p "$D"
}

# all_stopped PID: every thread of PID is stopped (T); for wait_until.
all_stopped() {
	local t
	for t in /proc/"$1"/task/*; do
		[[ $(stat_fields "$t/stat" | cut -d' ' -f1) == T ]] || return 1
	done
}

# freeze: SIGSTOP to the target, and waits until all its threads stopped.
freeze() {
	kill -STOP "$TPID"
	wait_until 10 all_stopped "$TPID"
}

# thaw: SIGCONT to the target, and waits until it runs again.
thaw() {
	kill -CONT "$TPID"
	wait_until 10 not in_state "$TPID" T
}

# u64_at ADDR, i32_at ADDR: the value there, read independently.
u64_at() {
	mem_read "$TPID" "$1" 8 | od -An -tu8 | tr -d ' '
}
i32_at() {
	mem_read "$TPID" "$1" 4 | od -An -td4 | tr -d ' '
}

# value_is u64|i32 ADDR N: the value at ADDR is N now; for wait_until.
value_is() {
	[[ $("$1_at" "$2") == "$3" ]]
}

# exe_path: the target's program as /proc/TPID/maps names it.
exe_path() {
	readlink "/proc/$TPID/exe"
}

# take_core NAME [OPTION...]: pvmio core OPTION... TPID -o $D/NAME must
# succeed and print nothing on stdout, and on stderr nothing (with
# --no-stop, the one line saying the snapshot may tear; with --verbose,
# what it did); sets CORE to the file, and leaves no temporary file beside.
take_core() {
	CORE=$D/$1
	shift
	run --separate-stderr "$PVMIO" core "$@" "$TPID" -o "$CORE"
	echo "core $* $TPID -o $CORE: status $status; stdout '$output'; stderr '$stderr'"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	if [[ " $* " == *" --verbose "* ]]; then
		[[ $stderr == "pvmio: core: "* ]]
	elif [[ " $* " == *" --no-stop "* ]]; then
		[[ $stderr =~ ^pvmio:\ core:\ [^$'\n']*--no-stop[^$'\n']*$ ]]
	else
		[ -z "$stderr" ]
	fi
	[ -s "$CORE" ]
	[ "$(ls -A "$D" | grep -c '^\.pvmio-core-')" -eq 0 ]
}

# threads: the thread ids of the target, sorted, one a line.
threads() {
	ls "/proc/$TPID/task" | sort -n
}

# elf_loads CORE: the PT_LOAD headers of CORE, parsed by python3, one a
# line: "VADDR MEMSZ FILESZ FLAGS" (hex, decimal, decimal, rwx).
elf_loads() {
	python3 - "$1" <<'PY'
import struct, sys
f = open(sys.argv[1], "rb")
eh = f.read(64)
assert eh[:4] == b"\x7fELF" and eh[4] == 2 and eh[5] == 1, "not a little-endian ELF64 file"
assert struct.unpack_from("<H", eh, 16)[0] == 4, "not ET_CORE"
phoff, = struct.unpack_from("<Q", eh, 32)
phentsize, phnum = struct.unpack_from("<HH", eh, 54)
for i in range(phnum):
    f.seek(phoff + i * phentsize)
    t, fl, off, va, pa, fs, ms, al = struct.unpack("<IIQQQQQQ", f.read(56))
    if t == 1:
        perms = ("r" if fl & 4 else "-") + ("w" if fl & 2 else "-") + ("x" if fl & 1 else "-")
        print(hex(va), ms, fs, perms)
PY
}

# check_loads PID CORE: the PT_LOADs of CORE are the mappings of
# /proc/PID/maps one for one (start, size, rwx); the bytes of each that
# carries some (p_filesz > 0) are those of /proc/PID/mem; every rw mapping
# carries all its bytes.  Prints what differs and fails otherwise.
check_loads() {
	python3 - "$1" "$2" <<'PY'
import os, struct, sys
pid, path = int(sys.argv[1]), sys.argv[2]
maps = []
for line in open(f"/proc/{pid}/maps"):
    f = line.rstrip("\n").split(None, 5)
    lo, hi = (int(x, 16) for x in f[0].split("-"))
    maps.append((lo, hi, f[1], f[5] if len(f) > 5 else ""))
core = open(path, "rb")
eh = core.read(64)
phoff, = struct.unpack_from("<Q", eh, 32)
phentsize, phnum = struct.unpack_from("<HH", eh, 54)
loads = []
for i in range(phnum):
    core.seek(phoff + i * phentsize)
    t, fl, off, va, pa, fs, ms, al = struct.unpack("<IIQQQQQQ", core.read(56))
    if t == 1:
        loads.append((va, ms, off, fs, fl))
bad = 0
if len(loads) != len(maps):
    print(f"{len(loads)} PT_LOADs for {len(maps)} mappings")
    bad = 1
mem = os.open(f"/proc/{pid}/mem", os.O_RDONLY)
held = 0
for (va, ms, off, fs, fl), (lo, hi, perms, name) in zip(loads, maps):
    rwx = ("r" if fl & 4 else "-") + ("w" if fl & 2 else "-") + ("x" if fl & 1 else "-")
    if (va, ms, rwx) != (lo, hi - lo, perms[:3]):
        print(f"PT_LOAD {va:#x} {ms} {rwx} is not the mapping {lo:#x}..{hi:#x} {perms} {name}")
        bad = 1
        continue
    if perms.startswith("rw") and fs != ms:
        print(f"rw mapping {lo:#x}..{hi:#x} {name}: {fs} of its {ms} bytes in the core")
        bad = 1
    if fs == 0:
        continue
    held += 1
    core.seek(off)
    want = core.read(fs)
    got = b""
    while len(got) < fs:
        chunk = os.pread(mem, min(fs - len(got), 1 << 20), va + len(got))
        if not chunk:
            break
        got += chunk
    if want != got:
        n = next((k for k in range(min(len(want), len(got))) if want[k] != got[k]), min(len(want), len(got)))
        print(f"{lo:#x}..{hi:#x} {name}: core and memory differ first at {lo + n:#x}")
        bad = 1
print(f"{held} mappings with bytes checked")
sys.exit(bad or held < 5)
PY
}

# check_notes PID CORE: the notes of CORE, parsed by python3: one
# NT_PRSTATUS per thread of PID (pr_pid), the main thread's first;
# NT_PRPSINFO of PID and its name; NT_AUXV equal to /proc/PID/auxv;
# NT_FILE listing every file-backed mapping of /proc/PID/maps with its
# name and offset.
check_notes() {
	python3 - "$1" "$2" <<'PY'
import os, struct, sys
pid, path = int(sys.argv[1]), sys.argv[2]
core = open(path, "rb")
eh = core.read(64)
phoff, = struct.unpack_from("<Q", eh, 32)
phentsize, phnum = struct.unpack_from("<HH", eh, 54)
notes = []
for i in range(phnum):
    core.seek(phoff + i * phentsize)
    t, fl, off, va, pa, fs, ms, al = struct.unpack("<IIQQQQQQ", core.read(56))
    if t != 4:
        continue
    core.seek(off)
    data, k = core.read(fs), 0
    while k + 12 <= len(data):
        namesz, descsz, ntype = struct.unpack_from("<III", data, k)
        k += 12
        name = data[k:k + namesz].rstrip(b"\0").decode()
        k += (namesz + 3) & ~3
        notes.append((name, ntype, data[k:k + descsz]))
        k += (descsz + 3) & ~3
bad = 0
def check(ok, what):
    global bad
    if not ok:
        print("wrong:", what)
        bad = 1
core_notes = [(t, d) for n, t, d in notes if n == "CORE"]
prstatus = [struct.unpack_from("<i", d, 32)[0] for t, d in core_notes if t == 1]
tids = sorted(int(t) for t in os.listdir(f"/proc/{pid}/task"))
check(sorted(prstatus) == tids, f"NT_PRSTATUS pids {prstatus}, threads {tids}")
check(prstatus[:1] == [pid], f"first NT_PRSTATUS {prstatus[:1]}, not the main thread {pid}")
psinfo = [d for t, d in core_notes if t == 3]
check(len(psinfo) == 1, f"{len(psinfo)} NT_PRPSINFO")
if psinfo:
    ps_pid, = struct.unpack_from("<i", psinfo[0], 24)
    fname = psinfo[0][40:56].rstrip(b"\0").decode()
    comm = open(f"/proc/{pid}/comm").read().strip()
    check((ps_pid, fname) == (pid, comm), f"NT_PRPSINFO pid {ps_pid} name {fname!r}, want {pid} {comm!r}")
auxv = [d for t, d in core_notes if t == 6]
check(auxv == [open(f"/proc/{pid}/auxv", "rb").read()], "NT_AUXV is not /proc/PID/auxv")
files = [d for t, d in core_notes if t == 0x46494c45]
check(len(files) == 1, f"{len(files)} NT_FILE")
if files:
    d = files[0]
    count, page = struct.unpack_from("<QQ", d, 0)
    entries = [struct.unpack_from("<QQQ", d, 16 + 24 * i) for i in range(count)]
    names = d[16 + 24 * count:].split(b"\0")[:count]
    got = [(s, e, o * page, n.decode()) for (s, e, o), n in zip(entries, names)]
    want = []
    for line in open(f"/proc/{pid}/maps"):
        f = line.rstrip("\n").split(None, 5)
        if int(f[4]) == 0:
            continue
        lo, hi = (int(x, 16) for x in f[0].split("-"))
        want.append((lo, hi, int(f[2], 16), f[5]))
    check(got == want, f"NT_FILE {got}\nmaps    {want}")
sys.exit(bad)
PY
}

# same_but_times A B: cores A and B are the same bytes, but for the CPU
# times of each NT_PRSTATUS (pr_utime, pr_stime, pr_cutime, pr_cstime),
# which the kernel counts on while pvmio stops the threads with ptrace.
same_but_times() {
	python3 - "$1" "$2" <<'PY'
import struct, sys
a, b = (bytearray(open(p, "rb").read()) for p in sys.argv[1:3])
assert len(a) == len(b), f"sizes {len(a)} and {len(b)}"
phoff, = struct.unpack_from("<Q", a, 32)
phentsize, phnum = struct.unpack_from("<HH", a, 54)
masked = 0
for i in range(phnum):
    t, fl, off, va, pa, fs, ms, al = struct.unpack_from("<IIQQQQQQ", a, phoff + i * phentsize)
    if t != 4:
        continue
    k = off
    while k + 12 <= off + fs:
        namesz, descsz, ntype = struct.unpack_from("<III", a, k)
        name = bytes(a[k + 12:k + 12 + namesz]).rstrip(b"\0")
        desc = k + 12 + ((namesz + 3) & ~3)
        if name == b"CORE" and ntype == 1:
            for buf in (a, b):
                buf[desc + 48:desc + 112] = bytes(64)
            masked += 1
        k = desc + ((descsz + 3) & ~3)
assert masked == 4, f"{masked} NT_PRSTATUS"
if a != b:
    n = next(i for i in range(len(a)) if a[i] != b[i])
    sys.exit(f"{sys.argv[1]} and {sys.argv[2]} differ at byte {n}")
PY
}

# readelf_notes CORE: the note types readelf -n finds in CORE, counted,
# as "COUNT TYPE" lines.
readelf_notes() {
	readelf -n "$1" | grep -oE '^ +[A-Z]+ +0x[0-9a-f]+[[:space:]]+NT_[A-Z0-9_]+' | awk '{ print $3 }' | sort | uniq -c |
		awk '{ print $1, $2 }'
}

# count_of TYPE FILE: the count readelf_notes wrote for TYPE, or 0.
count_of() {
	awk -v t="$1" '$2 == t { n = $1 } END { print n + 0 }' "$2"
}

# on_both ARGS...: pvmio ARGS with each @ standing for the core ($CORE),
# then for the process: both exit 0 with nothing on stderr, and print the
# same non-empty output (kept in $BATS_TEST_TMPDIR/on.core).
on_both() {
	local a rc_core=0 rc_pid=0 c=() p=() t=$BATS_TEST_TMPDIR/on
	for a in "$@"; do
		if [[ $a == @ ]]; then
			c+=("$CORE") p+=("$TPID")
		else
			c+=("$a") p+=("$a")
		fi
	done
	"$PVMIO" "${c[@]}" >"$t.core" 2>"$t.core.err" || rc_core=$?
	"$PVMIO" "${p[@]}" >"$t.pid" 2>"$t.pid.err" || rc_pid=$?
	echo "pvmio ${c[*]}: exit $rc_core, stderr '$(cat "$t.core.err")'"
	echo "pvmio ${p[*]}: exit $rc_pid, stderr '$(cat "$t.pid.err")'"
	diff "$t.pid" "$t.core" | head -20
	[ "$rc_core" -eq 0 ]
	[ "$rc_pid" -eq 0 ]
	[ ! -s "$t.core.err" ]
	[ ! -s "$t.pid.err" ]
	[ -s "$t.core" ]
	cmp -s "$t.core" "$t.pid"
}

# not_compared: $stderr (of run --separate-stderr) is empty, or the one
# line of diff saying how many bytes it could not compare.
not_compared() {
	[[ -z $stderr || $stderr =~ ^pvmio:\ diff:\ [0-9]+\ bytes\ not\ compared[^$'\n']*$ ]]
}

# --- pvmio core ----------------------------------------------------------------

# core_then_tick: a stopped snapshot target, its core in CORE ($D/t.core),
# then counter 4242 -> 4243 (SIGUSR2), and the target stopped again.
core_then_tick() {
	start_snapshot
	freeze
	take_core t.core
	kill -USR2 "$TPID"
	thaw
	wait_until 10 value_is u64 "$T_COUNTER" 4243
	freeze
}

@test "core: gdb opens the core: 4 threads, a backtrace each, and counter as it was" {
	command -v gdb >/dev/null || skip "gdb is not installed"
	start_snapshot
	freeze
	take_core t.core --verbose
	# the summary counts the threads whose registers it holds
	[[ $stderr == *" 4 threads"* ]]
	local tids
	tids=$(threads)
	kill -USR2 "$TPID"
	thaw
	wait_until 10 value_is u64 "$T_COUNTER" 4243
	gdb -batch -ex 'info threads' -ex 'thread apply all bt' -ex 'p counter' "$SNAPSHOT" "$CORE" \
		>"$BATS_TEST_TMPDIR/gdb.out" 2>"$BATS_TEST_TMPDIR/gdb.err"
	cat "$BATS_TEST_TMPDIR/gdb.out"
	python3 - "$BATS_TEST_TMPDIR/gdb.out" $tids <<'PY'
import re, sys
text = open(sys.argv[1]).read()
tids = sorted(int(t) for t in sys.argv[2:])
lines = text.splitlines()
# info threads: "* 1    Thread 0x7f.. (LWP 123) ..." or "  2    LWP 124 ..."
listed = [int(m.group(1)) for l in lines if (m := re.match(r"^[* ] +\d+ +(?:Thread 0x[0-9a-f]+ \()?LWP (\d+)", l))]
assert sorted(listed) == tids, f"info threads lists {listed}, the threads are {tids}"
# thread apply all bt: "Thread N (...):" then "#0 ..." lines
sections, cur = {}, None
for l in lines:
    m = re.match(r"^Thread \d+ \((?:Thread 0x[0-9a-f]+ \()?LWP (\d+)\)?\):$", l)
    if m:
        cur = int(m.group(1))
        sections[cur] = []
    elif cur is not None and l.startswith("#"):
        sections[cur].append(l)
    elif cur is not None and not l.strip():
        cur = None
assert sorted(sections) == tids, f"backtraces of {sorted(sections)}, the threads are {tids}"
funcs = {}
for tid, frames in sections.items():
    assert len(frames) >= 2, f"thread {tid}: {frames}"
    assert all(re.match(rf"^#{i} ", f) for i, f in enumerate(frames)), frames
    own = [f for f in frames if re.search(r" (main|sleeper) \(", f)]
    assert own, f"thread {tid}: no frame of main or sleeper: {frames}"
    funcs[tid] = re.search(r" (main|sleeper) \(", own[0]).group(1)
assert sorted(funcs.values()) == ["main", "sleeper", "sleeper", "sleeper"], funcs
assert funcs[tids[0]] == "main", funcs
values = [l for l in lines if re.match(r"^\$1 = ", l)]
assert values == ["$1 = 4242"], values
PY
}

@test "core: readelf -n lists NT_PRSTATUS per thread, NT_PRPSINFO, NT_AUXV, NT_FILE and pvmio's notes" {
	command -v readelf >/dev/null || skip "readelf (binutils) is not installed"
	start_snapshot
	freeze
	take_core t.core
	readelf_notes "$CORE" | tee "$BATS_TEST_TMPDIR/notes"
	[ "$(count_of NT_PRSTATUS "$BATS_TEST_TMPDIR/notes")" -eq 4 ]
	[ "$(count_of NT_PRPSINFO "$BATS_TEST_TMPDIR/notes")" -eq 1 ]
	[ "$(count_of NT_AUXV "$BATS_TEST_TMPDIR/notes")" -eq 1 ]
	[ "$(count_of NT_FILE "$BATS_TEST_TMPDIR/notes")" -eq 1 ]
	[ "$(count_of NT_FPREGSET "$BATS_TEST_TMPDIR/notes")" -eq 4 ]
	if [[ $(uname -m) == x86_64 ]]; then
		[ "$(count_of NT_X86_XSTATE "$BATS_TEST_TMPDIR/notes")" -eq 4 ]
	fi
	readelf -n "$CORE" | grep -E '^ +PVMIO ' >"$BATS_TEST_TMPDIR/pvmio.notes"
	cat "$BATS_TEST_TMPDIR/pvmio.notes"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/pvmio.notes")" -ge 2 ]
}

@test "core: the notes hold each thread's id, the process, its auxv and its files" {
	start_snapshot
	freeze
	take_core t.core
	check_notes "$TPID" "$CORE"
}

@test "core: one PT_LOAD per mapping; the bytes the core holds are those of /proc/PID/mem" {
	start_snapshot
	freeze
	take_core t.core
	check_loads "$TPID" "$CORE"
}

@test "core: maps of the core equal maps of the process, and dump -a of every rw mapping too" {
	start_snapshot
	freeze
	take_core t.core
	on_both maps @
	[ "$(wc -l <"$BATS_TEST_TMPDIR/on.core")" -eq "$(wc -l <"/proc/$TPID/maps")" ]
	local lo hi perms rest n=0
	while read -r lo hi perms rest; do
		[[ $perms == rw* ]] || continue
		on_both dump -a @ "0x$lo..0x$hi"
		n=$((n + 1))
	done < <(tr -- '-' ' ' <"/proc/$TPID/maps")
	[ "$n" -ge 5 ]
	# and the dumps are of the real bytes: against xxd
	on_both dump @ "$T_VALUES:4096"
	ref_xxd "$T_VALUES" 4096 >"$BATS_TEST_TMPDIR/want"
	cmp "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/on.core"
}

@test "core: a 1 GiB mapping with one written page makes a sparse file" {
	start_snapshot --big 1
	# a file system without holes cannot hold a sparse core
	truncate -s 256M "$BATS_TEST_TMPDIR/probe"
	if [ "$(du -k "$BATS_TEST_TMPDIR/probe" | cut -f1)" -ge 65536 ]; then
		skip "the file system of $BATS_TEST_TMPDIR has no sparse files"
	fi
	freeze
	take_core big.core
	local apparent used
	apparent=$(stat -c %s "$CORE")
	used=$(du -k "$CORE" | cut -f1)
	echo "apparent $apparent bytes, $used KiB on disk"
	[ "$apparent" -gt $((1 << 30)) ]
	[ "$used" -lt $((64 << 10)) ]
	# the written page, and zeros after it: the mapping is in the core
	mem_read "$TPID" "$T_BIG" 4096 >"$BATS_TEST_TMPDIR/page"
	"$PVMIO" read "$CORE" "$T_BIG:4096" >"$BATS_TEST_TMPDIR/got"
	cmp "$BATS_TEST_TMPDIR/page" "$BATS_TEST_TMPDIR/got"
	[ "$(od -An -tx1 -N4 "$BATS_TEST_TMPDIR/got" | tr -d ' ')" = 01080f16 ]
	run --separate-stderr "$PVMIO" read -f hex "$CORE" "$(hex $((T_BIG + 4096))):16" "$(hex $((T_BIG + (1 << 30) - 16))):16"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%032d\n%032d' 0 0)" ]
	grep -q "^$T_BIG\.\.$(hex $((T_BIG + (1 << 30)))) " <("$PVMIO" maps "$CORE")
}

# Past 2 MiB a mapping is read ahead, the next MiB on a second thread, and
# the two threads write the core in turn: pages numbered in their bytes,
# every seventh left zero (a hole in the file), must land in their place.
@test "core: 24 MiB of numbered pages, written by two threads in turn, are the process's bytes in the core" {
	start_snapshot --big 1
	python3 - "$TPID" "$T_BIG" <<'PY'
import os, sys
pid, big = int(sys.argv[1]), int(sys.argv[2], 0)
fd = os.open(f"/proc/{pid}/mem", os.O_RDWR)
for k in range(24 * 256):
    page = bytes(4096) if k % 7 == 3 else (k.to_bytes(8, "little") + b"pvmio co" * 511)
    os.pwrite(fd, page, big + 4096 * k)
PY
	freeze
	take_core big.core
	python3 - "$TPID" "$CORE" "$T_BIG" <<'PY'
import os, struct, sys
pid, path, big = int(sys.argv[1]), sys.argv[2], int(sys.argv[3], 0)
core = open(path, "rb")
eh = core.read(64)
phoff, = struct.unpack_from("<Q", eh, 32)
phentsize, phnum = struct.unpack_from("<HH", eh, 54)
for i in range(phnum):
    core.seek(phoff + i * phentsize)
    t, fl, off, va, pa, fs, ms, al = struct.unpack("<IIQQQQQQ", core.read(56))
    if t == 1 and va == big:
        break
else:
    sys.exit(f"no PT_LOAD at {big:#x}")
n = 25 << 20
assert fs >= n, f"{fs} bytes in the core"
core.seek(off)
got = core.read(n)
want = os.pread(os.open(f"/proc/{pid}/mem", os.O_RDONLY), n, big)
for k in range(n // 4096):
    if got[4096 * k:4096 * (k + 1)] != want[4096 * k:4096 * (k + 1)]:
        sys.exit(f"page {k} differs: core {got[4096 * k:4096 * k + 8].hex()}, process {want[4096 * k:4096 * k + 8].hex()}")
PY
}

@test "core: coredump_filter 0x31 leaves the shared page out, 0x33 and --all put it in" {
	start_snapshot
	echo 0x31 >"/proc/$TPID/coredump_filter"
	[ "$(cat "/proc/$TPID/coredump_filter")" = 00000031 ]
	freeze
	take_core f31.core
	fails 1 "not in the core file" "$PVMIO" read "$CORE" "$T_SHARED:16"
	# anonymous private memory is still there
	[ "$("$PVMIO" read -t u64 "$CORE" counter)" = 4242 ]
	take_core all.core --all
	[ "$("$PVMIO" read -f hex "$CORE" "$T_SHARED:16")" = abababababababababababababababab ]
	echo 0x33 >"/proc/$TPID/coredump_filter"
	take_core f33.core
	[ "$("$PVMIO" read -f hex "$CORE" "$T_SHARED:16")" = abababababababababababababababab ]
	# --filter overrides the process's own
	take_core filter31.core --filter 0x31
	fails 1 "not in the core file" "$PVMIO" read "$CORE" "$T_SHARED:16"
	take_core filter30.core --filter 0x30
	fails 1 "not in the core file" "$PVMIO" read "$CORE" "$(hex $((T_VALUES + 8192))):16"
}

@test "core --no-stop: no NT_PRSTATUS, the memory all the same" {
	command -v readelf >/dev/null || skip "readelf (binutils) is not installed"
	start_snapshot
	take_core ns.core --no-stop
	readelf_notes "$CORE" | tee "$BATS_TEST_TMPDIR/notes"
	[ "$(count_of NT_PRSTATUS "$BATS_TEST_TMPDIR/notes")" -eq 0 ]
	[ "$(count_of NT_FPREGSET "$BATS_TEST_TMPDIR/notes")" -eq 0 ]
	[ "$(count_of NT_PRPSINFO "$BATS_TEST_TMPDIR/notes")" -eq 1 ]
	[ "$(count_of NT_AUXV "$BATS_TEST_TMPDIR/notes")" -eq 1 ]
	[ "$(count_of NT_FILE "$BATS_TEST_TMPDIR/notes")" -eq 1 ]
	[ "$("$PVMIO" read -t u64 "$CORE" counter)" = 4242 ]
	# it never stopped the target, which still runs
	[ "$(proc_state "$TPID")" != T ]
}

@test "core: to stdout through a pipe, the same bytes as with -o (but CPU times)" {
	start_snapshot
	freeze
	take_core o.core
	local err=$BATS_TEST_TMPDIR/stdout.err
	"$PVMIO" core "$TPID" 2>"$err" | cat >"$D/piped.core"
	cat "$err"
	[ ! -s "$err" ]
	[ "$(head -c4 "$D/piped.core" | od -An -tx1 | tr -d ' ')" = 7f454c46 ]
	same_but_times "$CORE" "$D/piped.core"
}

@test "read, dump, find, maps, where: the same on the core as on the stopped process" {
	start_snapshot
	freeze
	take_core t.core
	on_both read -t u64 @ counter
	[ "$(cat "$BATS_TEST_TMPDIR/on.core")" = 4242 ]
	[ "$(u64_at "$T_COUNTER")" = 4242 ]
	on_both read -t i32 -c 8 -A @ "$T_VALUES"
	on_both read -f hex @ "$T_SHARED:64"
	[ "$(cat "$BATS_TEST_TMPDIR/on.core")" = "$(mem_hex "$TPID" "$T_SHARED" 64)" ]
	on_both read @ values
	[ "$(wc -c <"$BATS_TEST_TMPDIR/on.core")" -eq 16384 ]
	on_both dump @ "$T_VALUES:256"
	on_both dump -C @ "$T_COUNTER:64"
	on_both find -t i32 @ 100 "$T_VALUES:16384"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/on.core")" -eq 4096 ]
	# every rw mapping is whole in the core
	local rw
	rw=$(awk '$2 ~ /^rw/ { split($1, a, "-"); print "0x" a[1] "..0x" a[2] }' "/proc/$TPID/maps")
	on_both find -t u64 @ 4242 $rw
	grep -qx "$T_COUNTER" "$BATS_TEST_TMPDIR/on.core"
	on_both find @ 'ab ab ab ab ab ab ab ab' "$T_SHARED:4096"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/on.core")" -eq 4089 ]
	on_both maps @
	on_both where @ "$T_COUNTER" "$T_VALUES" "$(hex $((T_VALUES + 4000)))" "$T_SHARED"
	grep -q "^$T_COUNTER .*counter" "$BATS_TEST_TMPDIR/on.core"
	on_both where --json @ "$T_COUNTER" "$T_SHARED"
}

@test "core: a core the kernel wrote reads the same through pvmio" {
	local pattern kdir=$BATS_TEST_TMPDIR/kernel
	pattern=$(cat /proc/sys/kernel/core_pattern)
	[[ $pattern != '|'* ]] || skip "core_pattern pipes cores to a program ('$pattern'), not to a file"
	[ "$(id -u)" -eq 0 ] || skip "needs root, to point /proc/sys/kernel/core_pattern at the test's folder"
	ulimit -c unlimited 2>/dev/null || skip "cannot lift the core size limit (ulimit -c unlimited)"
	mkdir "$kdir"
	OLD_CORE_PATTERN=$pattern
	if ! { printf '%s\n' "$kdir/core.%p" >/proc/sys/kernel/core_pattern; } 2>/dev/null ||
		[ "$(cat /proc/sys/kernel/core_pattern)" != "$kdir/core.%p" ]; then
		OLD_CORE_PATTERN=
		skip "cannot write /proc/sys/kernel/core_pattern (a read-only /proc/sys?)"
	fi
	start_snapshot
	kill -USR2 "$TPID"
	wait_until 10 value_is u64 "$T_COUNTER" 4243
	kill -USR2 "$TPID"
	kill -USR1 "$TPID"
	wait_until 10 value_is u64 "$T_COUNTER" 4244
	wait_until 10 value_is i32 "$(hex $((T_VALUES + 12000)))" 99
	freeze
	cp "/proc/$TPID/maps" "$BATS_TEST_TMPDIR/live.maps"
	local exe
	exe=$(exe_path)
	take_core pvmio.core
	local rc=0
	kill -ABRT "$TPID"
	kill -CONT "$TPID"
	wait "$TPID" || rc=$?
	TARGET_PIDS=()
	printf '%s\n' "$OLD_CORE_PATTERN" >/proc/sys/kernel/core_pattern
	OLD_CORE_PATTERN=
	echo "target exit $rc; $(ls -l "$kdir")"
	[ "$rc" -eq $((128 + 6)) ]
	local kcore=$kdir/core.$TPID
	[ -s "$kcore" ]

	run --separate-stderr "$PVMIO" read -t u64 "$kcore" counter
	[ "$status" -eq 0 ]
	[ "$output" = 4244 ]
	[ "$("$PVMIO" read -f hex "$kcore" "$T_SHARED:16")" = abababababababababababababababab ]
	run --separate-stderr "$PVMIO" find -t i32 "$kcore" 99 "$T_VALUES:16384"
	[ "$status" -eq 0 ]
	[ "$output" = "$(hex $((T_VALUES + 4000)))"$'\n'"$(hex $((T_VALUES + 12000)))" ]
	# the maps: the same ranges and permissions; the names of the files
	"$PVMIO" maps "$kcore" >"$BATS_TEST_TMPDIR/kernel.maps"
	python3 - "$BATS_TEST_TMPDIR/live.maps" "$BATS_TEST_TMPDIR/kernel.maps" "$exe" <<'PY'
import sys
live = []
for line in open(sys.argv[1]):
    f = line.rstrip("\n").split(None, 5)
    lo, hi = (int(x, 16) for x in f[0].split("-"))
    live.append((lo, hi, f[1][:3], int(f[4]) != 0, f[5] if len(f) > 5 else ""))
got = []
for line in open(sys.argv[2]):
    f = line.rstrip("\n").split(None, 4)
    lo, hi = (int(x, 16) for x in f[0].split(".."))
    got.append((lo, hi, f[1][:3], f[4] if len(f) > 4 else ""))
assert len(got) == len(live), (len(got), len(live))
for (lo, hi, perms, is_file, name), g in zip(live, got):
    assert g[:3] == (lo, hi, perms), (g, live)
    if is_file:
        assert g[3] == name, (g, name)
    else:
        assert g[3] in ("", name), (g, name)
assert sum(1 for g in got if g[3] == sys.argv[3]) >= 3, got
PY
	# what pvmio wrote before is what the kernel wrote, in the program's
	# memory and the shared page
	run --separate-stderr "$PVMIO" diff "$CORE" "$kcore" "$exe" "$T_VALUES:16384" "$T_SHARED:4096"
	echo "diff: status $status; stdout '$output'; stderr '$stderr'"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	# the same mappings carry their bytes in both (coredump_filter as the
	# kernel applies it), but for [vvar], [vvar_vclock] and [vsyscall],
	# which the kernel writes and /proc/PID/mem does not give
	local skip_re
	skip_re=$(awk '$6 ~ /^\[(vvar|vvar_vclock|vsyscall)\]$/ { split($1, a, "-"); printf "|^0x%s ", a[1] }' \
		"$BATS_TEST_TMPDIR/live.maps" | sed 's/^|//; s/0x0*/0x/g')
	echo "skipped: $skip_re"
	elf_loads "$kcore" >"$BATS_TEST_TMPDIR/kernel.loads"
	elf_loads "$CORE" >"$BATS_TEST_TMPDIR/pvmio.loads"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/pvmio.loads")" -eq "$(wc -l <"$BATS_TEST_TMPDIR/live.maps")" ]
	diff <(grep -Ev "${skip_re:-^$}" "$BATS_TEST_TMPDIR/kernel.loads") <(grep -Ev "${skip_re:-^$}" "$BATS_TEST_TMPDIR/pvmio.loads")
}

@test "write, fill, watch, wait: a core file is refused with exit 2" {
	start_snapshot
	freeze
	take_core t.core
	local before
	before=$(md5sum <"$CORE")
	fails 2 "^pvmio: write: .*core file" "$PVMIO" write -t u64 "$CORE" counter 5
	fails 2 "^pvmio: fill: .*core file" "$PVMIO" fill "$CORE" "$T_VALUES:16" 00
	fails 2 "^pvmio: watch: .*core file" "$PVMIO" watch -t u64 --for 100ms "$CORE" counter
	fails 2 "^pvmio: wait: .*core file" "$PVMIO" wait -t u64 --timeout 100ms "$CORE" counter eq 5
	[ "$(md5sum <"$CORE")" = "$before" ]
}

@test "read: a missing core file exits 2" {
	fails 2 "^pvmio: read: .*$BATS_TEST_TMPDIR/none.core" "$PVMIO" read -t u64 "$BATS_TEST_TMPDIR/none.core" counter
	fails 2 "^pvmio: maps: " "$PVMIO" maps "$BATS_TEST_TMPDIR/none.core"
}

@test "read: a gzip'd core exits 2 and says to decompress it" {
	command -v gzip >/dev/null || skip "gzip is not installed"
	start_snapshot
	take_core t.core --no-stop
	gzip -k "$CORE"
	fails 2 "^pvmio: read: .*decompress" "$PVMIO" read -t u64 "$CORE.gz" counter
	fails 2 "^pvmio: maps: .*decompress" "$PVMIO" maps "$CORE.gz"
	# not an ELF file at all
	echo hello >"$D/text.core"
	fails 2 "^pvmio: read: .*not an ELF core file" "$PVMIO" read -t u64 "$D/text.core" counter
}

# --- pvmio diff ------------------------------------------------------------------

@test "diff: a core and the stopped process it came from: exit 0, nothing changed" {
	start_snapshot
	freeze
	take_core t.core
	run --separate-stderr "$PVMIO" diff "$CORE" "$TPID"
	echo "status $status; stdout '$output'; stderr '$stderr'"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	not_compared
	run --separate-stderr "$PVMIO" diff "$TPID" "$CORE"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "diff: after SIGUSR2, exactly one changed run, inside counter; exit 1" {
	core_then_tick
	local exe
	exe=$(exe_path)
	run --separate-stderr "$PVMIO" diff "$CORE" "$TPID" "$exe" "$T_VALUES:16384"
	echo "status $status; stdout '$output'; stderr '$stderr'"
	[ "$status" -eq 1 ]
	not_compared
	[ "${#lines[@]}" -eq 1 ]
	local range len name
	read -r range len name <<<"${lines[0]}"
	[[ $range =~ ^0x[0-9a-f]+\.\.0x[0-9a-f]+$ ]]
	local start=$((${range%%..*})) end=$((${range##*..}))
	[ "$start" -ge $((T_COUNTER)) ]
	[ "$end" -le $((T_COUNTER + 8)) ]
	[ "$len" -eq $((end - start)) ]
	[ "$name" = "$exe" ]
	# over the whole process, that run is among the changes (the stacks
	# changed too: the signal was handled on one)
	run --separate-stderr "$PVMIO" diff "$CORE" "$TPID"
	[ "$status" -eq 1 ]
	printf '%s\n' "$output" | grep -qxF "$range $len $exe"
}

@test "diff -t u64: the old and the new value at counter" {
	core_then_tick
	local exe
	exe=$(exe_path)
	run --separate-stderr "$PVMIO" diff -t u64 "$CORE" "$TPID" "$exe" "$T_VALUES:16384"
	echo "status $status; stdout '$output'; stderr '$stderr'"
	[ "$status" -eq 1 ]
	[ "$output" = "$T_COUNTER 4242 4243 $exe" ]
	run --separate-stderr "$PVMIO" diff -t u64 "$CORE" "$TPID" "$T_COUNTER:8"
	[ "$status" -eq 1 ]
	[ "$output" = "$T_COUNTER 4242 4243 $exe" ]
	# the other way round, the values swap
	run --separate-stderr "$PVMIO" diff -t u64 "$TPID" "$CORE" "$T_COUNTER:8"
	[ "$status" -eq 1 ]
	[ "$output" = "$T_COUNTER 4243 4242 $exe" ]
}

@test "diff --json: one JSON object a line, with the run at counter; -t values as numbers" {
	core_then_tick
	local exe
	exe=$(exe_path)
	"$PVMIO" diff --json "$CORE" "$TPID" >"$BATS_TEST_TMPDIR/d.json" 2>/dev/null || true
	"$PVMIO" diff -t u64 --json "$CORE" "$TPID" "$exe" >"$BATS_TEST_TMPDIR/t.json" 2>/dev/null || true
	python3 - "$BATS_TEST_TMPDIR/d.json" "$BATS_TEST_TMPDIR/t.json" "$T_COUNTER" "$exe" <<'PY'
import json, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
values = [json.loads(l) for l in open(sys.argv[2])]
counter, exe = int(sys.argv[3], 16), sys.argv[4]
assert isinstance(runs, list) and runs, runs
for r in runs:
    assert set(r) == {"change", "start", "end", "len", "mapping"}, r
    assert r["change"] in ("changed", "added", "removed"), r
    assert int(r["end"], 16) - int(r["start"], 16) == r["len"] > 0, r
at = [r for r in runs if counter <= int(r["start"], 16) < counter + 8]
assert len(at) == 1 and at[0]["change"] == "changed" and at[0]["mapping"] == exe, at
assert int(at[0]["end"], 16) <= counter + 8, at
assert values == [{"change": "changed", "address": hex(counter), "old": 4242, "new": 4243, "mapping": exe}], values
PY
}

@test "diff: a core against itself: exit 0, nothing printed" {
	start_snapshot
	take_core t.core --no-stop
	run --separate-stderr "$PVMIO" diff "$CORE" "$CORE"
	echo "status $status; stdout '$output'; stderr '$stderr'"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -z "$stderr" ]
	run --separate-stderr "$PVMIO" diff -t i32 --json "$CORE" "$CORE"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

# Past 2 MiB, diff reads A ahead: the next MiB on a second thread while
# B's bytes are read and compared (cmd_diff.c).  Changed runs sit across
# the MiB batches, one spans two of them, and one ends the range; each
# must come out once, whole, in order, as python finds them.
@test "diff: changed runs across the MiB batches of 24 MiB, read ahead, are the runs that changed" {
	start_target --big 24M
	local a="$BATS_TEST_TMPDIR/a.core" b="$BATS_TEST_TMPDIR/b.core"
	"$PVMIO" core -o "$a" "$TPID"
	python3 - "$TPID" "$T_BIG" "$T_BIG_LEN" >"$BATS_TEST_TMPDIR/want" <<'PY'
import os, sys
pid, big, n = int(sys.argv[1]), int(sys.argv[2], 0), int(sys.argv[3], 0)
MiB = 1 << 20
fd = os.open(f"/proc/{pid}/mem", os.O_RDWR)
old = os.pread(fd, n, big)
new = bytearray(old)
spans = [(k * MiB - 5, 10) for k in range(1, 24)] + [(k * MiB + 100, 1) for k in range(0, 24, 3)]
spans += [(5 * MiB - 100, MiB + 200), (n - 3, 3)]
for off, ln in spans:
    for i in range(off, off + ln):
        new[i] = old[i] ^ 0xff
os.pwrite(fd, bytes(new), big)
runs, i = [], 0
while i < n:
    if new[i] != old[i]:
        j = i
        while j < n and new[j] != old[j]:
            j += 1
        print(f"{big + i:#x}..{big + j:#x} {j - i}")
        i = j
    else:
        i += 1
PY
	[ "$(wc -l <"$BATS_TEST_TMPDIR/want")" -ge 30 ]
	"$PVMIO" core -o "$b" "$TPID"
	local x y
	for x in "$a $TPID" "$a $b"; do
		read -r x y <<<"$x"
		run --separate-stderr "$PVMIO" diff "$x" "$y" "$T_BIG:$T_BIG_LEN"
		echo "diff $x $y: status $status; stderr '$stderr'"
		[ "$status" -eq 1 ]
		[ -z "$stderr" ]
		diff "$BATS_TEST_TMPDIR/want" <(printf '%s\n' "$output" | cut -d' ' -f1,2)
	done
}

@test "diff: a missing B or core file exits 2, a process that is gone 3" {
	start_snapshot
	take_core t.core --no-stop
	fails 2 "^pvmio: diff: " "$PVMIO" diff "$CORE"
	fails 2 "^pvmio: diff: .*$D/none.core" "$PVMIO" diff "$CORE" "$D/none.core"
	local pid=$TPID
	stop_targets
	fails 3 "^pvmio: diff: .*$pid" "$PVMIO" diff "$CORE" "$pid"
}

# --- pvmio find: narrowing down -------------------------------------------------------

@test "find --at: the hits of 100, narrowed to 99 after SIGUSR1, are values[1000] and values[3000]" {
	start_snapshot
	local hits=$BATS_TEST_TMPDIR/hits
	"$PVMIO" find -t i32 "$TPID" 100 >"$hits"
	[ "$(wc -l <"$hits")" -ge 4096 ]
	local k
	for k in 0 1000 3000 4095; do
		grep -qx "$(hex $((T_VALUES + 4 * k)))" "$hits"
	done
	kill -USR1 "$TPID"
	wait_until 10 value_is i32 "$(hex $((T_VALUES + 12000)))" 99
	run --separate-stderr "$PVMIO" find -t i32 --at "$hits" "$TPID" 99
	echo "status $status; stdout '$output'; stderr '$stderr'"
	[ "$status" -eq 0 ]
	[ "$output" = "$(hex $((T_VALUES + 4000)))"$'\n'"$(hex $((T_VALUES + 12000)))" ]
}

@test "find --decreased, --changed, --unchanged, --increased: against a core taken before SIGUSR1" {
	start_snapshot
	freeze
	take_core t0.core
	thaw
	kill -USR1 "$TPID"
	wait_until 10 value_is i32 "$(hex $((T_VALUES + 12000)))" 99
	local want range=$T_VALUES:16384
	want="$(hex $((T_VALUES + 4000)))"$'\n'"$(hex $((T_VALUES + 12000)))"
	run --separate-stderr "$PVMIO" find -t i32 --decreased "$CORE" "$TPID" "$range"
	echo "--decreased: status $status; stdout '$output'; stderr '$stderr'"
	[ "$status" -eq 0 ]
	[ "$output" = "$want" ]
	run --separate-stderr "$PVMIO" find -t i32 --changed "$CORE" "$TPID" "$range"
	[ "$status" -eq 0 ]
	[ "$output" = "$want" ]
	run --separate-stderr "$PVMIO" find -t i32 --unchanged "$CORE" "$TPID" "$range"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 4094 ]
	[ "${lines[0]}" = "$T_VALUES" ]
	[ "${lines[-1]}" = "$(hex $((T_VALUES + 16380)))" ]
	[ "$(printf '%s\n' "$output" | grep -cxF -e "$(hex $((T_VALUES + 4000)))" -e "$(hex $((T_VALUES + 12000)))")" -eq 0 ]
	run --separate-stderr "$PVMIO" find -t i32 --increased "$CORE" "$TPID" "$range"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	# --at: only the addresses listed
	printf '%s\n' "$T_VALUES" "$(hex $((T_VALUES + 12000)))" >"$BATS_TEST_TMPDIR/at"
	run --separate-stderr "$PVMIO" find -t i32 --changed "$CORE" --at "$BATS_TEST_TMPDIR/at" "$TPID"
	[ "$status" -eq 0 ]
	[ "$output" = "$(hex $((T_VALUES + 12000)))" ]
}

@test "core -o: mode 0600; through a symlink the file it points to is replaced, the link stays" {
	start_snapshot
	umask 022
	ln -s real.core "$D/link.core"
	run "$PVMIO" core "$TPID" -o "$D/link.core"
	[ "$status" -eq 0 ]
	[ -L "$D/link.core" ]
	[ "$(stat -c %a "$D/real.core")" = 600 ]
	readelf -h "$D/real.core" | grep -q 'CORE (Core file)'
	# no temporary file is left beside it
	[ "$(find "$D" -name '.pvmio-core*' | wc -l)" -eq 0 ]
}

@test "core -o: a FIFO is written in place, a full device fails with exit 4 and is left a device" {
	start_snapshot
	freeze
	mkfifo "$D/fifo"
	cat "$D/fifo" >"$D/through-fifo" &
	local reader=$!
	run "$PVMIO" core "$TPID" -o "$D/fifo"
	wait "$reader"
	[ "$status" -eq 0 ]
	[ -p "$D/fifo" ]
	readelf -h "$D/through-fifo" | grep -q 'CORE (Core file)'
	[[ $(id -u) -eq 0 ]] || skip "needs root, to make a copy of /dev/full with mknod"
	mknod -m 666 "$D/full" c 1 7
	run "$PVMIO" core "$TPID" -o "$D/full"
	[ "$status" -eq 4 ]
	[[ $output == *"No space left on device"* ]]
	[ -c "$D/full" ]
}

@test "core: interrupted, it resumes the process, leaves no file and exits 130" {
	start_snapshot --big 1
	"$PVMIO" core --all "$TPID" -o "$D/int.core" &
	local job=$!
	# once the target is held (ptrace stop), the job is under way
	wait_until 10 in_state "$TPID" t || true
	kill -INT "$job"
	local rc=0
	wait "$job" || rc=$?
	# a job that finished before the signal is no test of it
	[ "$rc" -ne 0 ] || skip "the core was written before the signal came"
	[ "$rc" -eq 130 ]
	[ ! -e "$D/int.core" ]
	[ "$(find "$D" -name '.pvmio-core*' | wc -l)" -eq 0 ]
	wait_until 10 not in_state "$TPID" t
}

@test "core: a process whose main thread has exited still gets NT_AUXV, and gdb its threads" {
	start_target --threads 2 --leader-exit 1
	D=$BATS_TEST_TMPDIR
	wait_until 10 in_state "$TPID" Z
	run "$PVMIO" core "$TPID" -o "$D/zl.core"
	[ "$status" -eq 0 ]
	readelf -n "$D/zl.core" | grep -q NT_AUXV
	[ "$(readelf -n "$D/zl.core" | grep -c NT_PRSTATUS)" -eq 2 ]
}

@test "read: a FIFO, a core cut short and a core nobody may read are refused: 2, 2, 4" {
	start_snapshot
	take_core whole.core
	mkfifo "$D/fifo"
	run timeout 10 "$PVMIO" read -t u32 "$D/fifo" 0x1000
	[ "$status" -eq 2 ]
	head -c 100000 "$D/whole.core" >"$D/cut.core"
	run "$PVMIO" maps "$D/cut.core"
	[ "$status" -eq 2 ]
	[[ $output == *"cut short"* ]]
	as_nobody
	chmod 600 "$D/whole.core"
	run "${NOBODY[@]}" "$NOBODY_PVMIO" maps "$D/whole.core"
	[ "$status" -eq 4 ]
	[[ $output == *"Permission denied"* ]]
}

@test "core: gdb opens the core of python3 with two extra threads: every thread and its backtrace" {
	command -v gdb >/dev/null || skip "gdb is not installed"
	D=$BATS_TEST_TMPDIR
	start_ready python3 -c '
import threading, time
for i in range(2):
    threading.Thread(target=lambda: time.sleep(600), daemon=True).start()
print("READY", flush=True)
time.sleep(600)'
	wait_until 10 threads_are "$TPID" 3
	run "$PVMIO" core "$TPID" -o "$D/py.core"
	[ "$status" -eq 0 ]
	local exe
	exe=$(readlink /proc/"$TPID"/exe)
	run timeout 120 gdb -nx -batch -ex 'info threads' -ex 'thread apply all bt 3' "$exe" "$D/py.core"
	echo "$output"
	[ "$(grep -cE '^[* ] +[0-9]+ +(Thread|LWP)' <<<"$output")" -eq 3 ]
	# thread apply all: a header and a frame 0 for each (gdb prints the
	# current thread's frame 0 once more when it loads the core)
	[ "$(grep -cE '^Thread [0-9]+ ' <<<"$output")" -eq 3 ]
	[ "$(grep -c '^#0 ' <<<"$output")" -ge 3 ]
	# each thread's frame 0 is a real function, not an unknown address
	! grep -q '^#0 .* in ?? ()' <<<"$output"
}
