#!/usr/bin/env bats
# pvmio doctor: what this machine can produce - a target of one's own,
# another user's, one that is not dumpable, one traced by strace, pvmio in
# a user namespace, a kernel thread - each against what the commands then
# do.  Yama's scopes, lockdown and seccomp, which this machine may not
# have, are tested on recorded /proc contents in tests/lib/access.c.

bats_require_minimum_version 1.5.0

load helper

# doctor_json ARGS...: runs pvmio doctor --json ARGS, and checks the
# document with python3: KEY=VALUE pairs after -- are asserted on
# commands (read, write, stop, stop_by_signal, core_registers, works)
# and check:NAME=RESULT on the checks.
doctor_json() {
	local args=() want=()
	while (($#)) && [[ $1 != -- ]]; do args+=("$1"); shift; done
	(($#)) && shift
	want=("$@")
	run --separate-stderr "${args[@]}"
	echo "${args[*]}: status $status; stdout $output; stderr $stderr"
	python3 - "$output" "${want[@]}" <<'PY'
import json, sys
d = json.loads(sys.argv[1])
assert set(d) >= {"pid", "uid", "gid", "checks", "commands", "works"}, d
checks = {c["check"]: c for c in d["checks"]}
for c in d["checks"]:
    assert c["result"] in ("ok", "no", "note") and c["text"], c
for w in sys.argv[2:]:
    k, v = w.split("=", 1)
    if k.startswith("check:"):
        k = k[len("check:"):]
        assert k in checks and checks[k]["result"] == v, (k, checks.get(k))
    else:
        got = d["works"] if k == "works" else d["commands"][k]
        assert got == (v == "true"), (k, got, v)
PY
}

@test "doctor: a target of one's own: every check ok, exit 0, and the commands do work" {
	start_target
	run --separate-stderr "$PVMIO" doctor "$TPID"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "process $TPID (target), as uid $(id -u) gid $(id -g):" ]]
	[[ $output == *"ok    pvmio read a byte of process $TPID's memory"* ]]
	[[ $output == *"read, dump, find, maps, watch, wait, diff: yes"* ]]
	[[ $output == *"--stop: yes"* ]]
	[ -z "$stderr" ]
	! grep -q '^  no ' <<<"$output"
	doctor_json "$PVMIO" doctor --json "$TPID" -- works=true read=true write=true stop=true \
		stop_by_signal=false core_registers=true check:process=ok check:read=ok check:tracer=ok
	[ "$status" -eq 0 ]
	"$PVMIO" read --stop -t u32 "$TPID" "$T_TYPED+8" | grep -qx 3735928559
}

@test "doctor: with no PID, the machine: process_vm_readv, seccomp, Yama as /proc says" {
	run --separate-stderr "$PVMIO" doctor
	[[ ${lines[0]} == "this machine, as uid $(id -u) gid $(id -g):" ]]
	[[ $output == *"process_vm_readv"* ]]
	if [[ -r /proc/sys/kernel/yama/ptrace_scope ]]; then
		[[ $output == *"ptrace_scope is $(cat /proc/sys/kernel/yama/ptrace_scope)"* ]]
	else
		[[ $output == *"no Yama"* ]]
	fi
	local seccomp
	seccomp=$(awk '$1 == "Seccomp:" { print $2 }' /proc/self/status)
	[ "$seccomp" = 0 ] && [[ $output == *"no seccomp filter on pvmio"* ]] || [[ $output == *seccomp* ]]
	doctor_json "$PVMIO" doctor --json
	python3 -c 'import json, sys; assert json.loads(sys.argv[1])["pid"] is None' "$output"
}

@test "doctor: another user's process: credentials no, exit 3; read is denied with the same reason" {
	as_nobody
	start_target
	run --separate-stderr "${NOBODY[@]}" "$NOBODY_PVMIO" doctor "$TPID"
	echo "$output"
	[ "$status" -eq 3 ]
	[[ $output == *"no    process $TPID runs as uid 0/0/0 gid 0/0/0 (real/effective/saved), pvmio as uid 65534 gid 65534"* ]]
	[[ $output == *"read, dump, find, maps, watch, wait, diff: no"* ]]
	[[ $output == *"why: process $TPID runs as uid 0/0/0"* ]]
	doctor_json "${NOBODY[@]}" "$NOBODY_PVMIO" doctor --json "$TPID" -- works=false read=false stop=false check:credentials=no check:read=no
	[ "$status" -eq 3 ]
	fails 3 "^pvmio: read: permission denied for process $TPID: process $TPID runs as uid 0/0/0" \
		"${NOBODY[@]}" "$NOBODY_PVMIO" read "$TPID" "$T_PATTERN:4"
}

@test "doctor: a process that is not dumpable: dumpable no for its own user, ok for root" {
	as_nobody
	[ -x /usr/bin/python3 ] || skip "no /usr/bin/python3 for uid 65534 to run"
	# python3 as uid 65534, made non-dumpable, as a setuid program is
	start_ready "${NOBODY[@]}" /usr/bin/python3 -c 'import ctypes, time
ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE 0
print("READY", flush=True)
time.sleep(60)'
	[ "$(stat -c %u "/proc/$TPID/status")" = 0 ]
	run --separate-stderr "${NOBODY[@]}" "$NOBODY_PVMIO" doctor "$TPID"
	echo "$output"
	[ "$status" -eq 3 ]
	[[ $output == *"ok    pvmio's uid 65534 and gid 65534 are the process's real, effective and saved ones"* ]]
	[[ $output == *"no    process $TPID is not dumpable"*"only CAP_SYS_PTRACE (root) reaches it"* ]]
	fails 3 "not dumpable" "${NOBODY[@]}" "$NOBODY_PVMIO" maps "$TPID"
	# root passes it
	doctor_json "$PVMIO" doctor --json "$TPID" -- works=true check:dumpable=ok check:credentials=ok
	[ "$status" -eq 0 ]
}

@test "doctor: a process traced by strace: --stop by SIGSTOP, core without registers, and --stop leaves it running" {
	command -v strace >/dev/null || skip "strace is not installed"
	start_target
	strace -qq -o /dev/null -p "$TPID" &
	local tracer=$!
	TARGET_PIDS+=("$tracer")
	wait_until 10 grep -qE "^TracerPid:[[:space:]]+$tracer\$" "/proc/$TPID/status"
	run --separate-stderr "$PVMIO" doctor "$TPID"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"note  process $TPID is traced by $tracer (strace): --stop cannot attach with ptrace"* ]]
	[[ $output == *"--stop: yes, with SIGSTOP (the process is traced)"* ]]
	[[ $output == *"core: memory only, without registers"* ]]
	doctor_json "$PVMIO" doctor --json "$TPID" -- works=true stop_by_signal=true core_registers=false check:tracer=note
	# what it says holds: --stop works, and the target runs on
	"$PVMIO" read --stop -t u32 "$TPID" "$T_TYPED+8" | grep -qx 3735928559
	wait_until 5 not in_state "$TPID" T
	kill "$tracer"
}

@test "doctor: pvmio in a user namespace: user_namespace no, exit 3, as the denial says" {
	command -v unshare >/dev/null || skip "unshare (util-linux) is not installed"
	unshare -U -r true 2>/dev/null || skip "this machine does not allow user namespaces"
	start_target
	run --separate-stderr unshare -U -r "$PVMIO" doctor "$TPID"
	echo "$output"
	[ "$status" -eq 3 ]
	[[ $output == *"no    pvmio runs in a user namespace (uid_map '0 $(id -u) 1')"*"run pvmio outside the namespace"* ]]
}

@test "doctor: a kernel thread, a zombie's absence, bad arguments" {
	run --separate-stderr "$PVMIO" doctor 2
	[ "$status" -eq 3 ]
	[[ $output == *"no    process 2 ("*") is a kernel thread"* ]]
	local gone
	gone=$(sh -c 'echo $$')
	run --separate-stderr "$PVMIO" doctor "$gone"
	[ "$status" -eq 3 ]
	[[ $output == *"no    no such process: $gone"* ]]
	fails 2 "not a process id" "$PVMIO" doctor nope
	fails 2 "give one PID" "$PVMIO" doctor 1 2
	fails 2 "doctor only looks" "$PVMIO" doctor --stop 1
}
