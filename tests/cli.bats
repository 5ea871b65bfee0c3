#!/usr/bin/env bats
# The command line as a whole: help, version, usage errors, exit statuses
# for each class of process error, silence on success, a closed pipe.

bats_require_minimum_version 1.5.0
load helper

COMMANDS=(read write dump fill maps find)

@test "pvmio --help: lists every command and exits 0" {
	run --separate-stderr "$PVMIO" --help
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[[ $output == *Usage* ]]
	local c
	for c in "${COMMANDS[@]}"; do
		[[ $output == *"  $c "* ]] || { echo "missing $c"; false; }
	done
}

@test "pvmio --version: the tool's version, then the running library's, and exit 0" {
	run --separate-stderr "$PVMIO" --version
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[0]} =~ ^pvmio\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
	[[ ${lines[1]} =~ ^libpvmio\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
}

@test "pvmio: alone, a usage error (exit 2) that points at --help" {
	run --separate-stderr "$PVMIO"
	[ "$status" -eq 2 ]
	[[ "$output$stderr" == *Usage* || "$output$stderr" == *--help* ]]
}

@test "pvmio: an unknown command exits 2 and names it" {
	fails 2 'frobnicate' "$PVMIO" frobnicate 1
	[[ $stderr == *read* ]]
}

@test "pvmio: an unknown top-level option exits 2" {
	fails 2 'frobnicate' "$PVMIO" --frobnicate
}

@test "help: CMD --help shows Usage and Examples on stdout and exits 0, for every command" {
	local c
	for c in "${COMMANDS[@]}"; do
		run --separate-stderr "$PVMIO" "$c" --help
		[ "$status" -eq 0 ] || { echo "$c: status $status"; false; }
		[ -z "$stderr" ] || { echo "$c: stderr: $stderr"; false; }
		[[ $output == *Usage* ]] || { echo "$c: no Usage"; false; }
		[[ $output == *"pvmio $c"* ]] || { echo "$c: usage does not name the command"; false; }
		[[ $output == *Examples* ]] || { echo "$c: no Examples"; false; }
		run --separate-stderr "$PVMIO" "$c" -h
		[ "$status" -eq 0 ] || { echo "$c -h: status $status"; false; }
		[[ $output == *Examples* ]] || { echo "$c -h: no Examples"; false; }
	done
}

@test "help: CMD --usage exits 0, for every command" {
	local c
	for c in "${COMMANDS[@]}"; do
		run --separate-stderr "$PVMIO" "$c" --usage
		[ "$status" -eq 0 ] || { echo "$c: status $status"; false; }
		[[ $output == *Usage* ]] || { echo "$c: no Usage"; false; }
	done
}

@test "options: a bad option exits 2 with one message naming it, for every command" {
	local c opt
	for c in "${COMMANDS[@]}"; do
		for opt in --no-such-option -Q; do
			refused 2 "$PVMIO" "$c" "$opt" 1
			[[ $stderr == *"$opt"* ]] || { echo "$c $opt: $stderr"; false; }
		done
	done
}

@test "read: a bad option value exits 2 and names the value" {
	start_target
	local args
	for args in "-f nope" "-t u128" "-t u8 -e middle" "--holes=sometimes"; do
		# shellcheck disable=SC2086
		refused 2 "$PVMIO" read $args "$TPID" "$T_PATTERN:4"
		[[ $stderr == *"${args##*[ =]}"* ]] || { echo "$args: $stderr"; false; }
	done
}

@test "read: -A and -c without -t are usage errors" {
	start_target
	refused 2 "$PVMIO" read -A "$TPID" "$T_PATTERN:4"
	refused 2 "$PVMIO" read -c 2 "$TPID" "$T_PATTERN"
}

@test "arguments: missing ones exit 2 and say what is missing" {
	start_target
	refused 2 "$PVMIO" read
	[[ $stderr == *PID* ]]
	refused 2 "$PVMIO" read "$TPID"
	[[ $stderr == *RANGE* ]]
	local c
	for c in "${COMMANDS[@]}"; do
		refused 2 "$PVMIO" "$c"
	done
	refused 2 "$PVMIO" write "$TPID"
	refused 2 "$PVMIO" fill "$TPID"
	refused 2 "$PVMIO" find "$TPID"
}

@test "options: they may follow the positional arguments, and -- ends them" {
	start_target
	run --separate-stderr "$PVMIO" read "$TPID" "$T_PATTERN:4" -f hex
	[ "$status" -eq 0 ]
	[ "$output" = "$(mem_hex "$TPID" "$T_PATTERN" 4)" ]
	run --separate-stderr "$PVMIO" read -f hex -- "$TPID" "$T_PATTERN:4"
	[ "$status" -eq 0 ]
	[ "$output" = "$(mem_hex "$TPID" "$T_PATTERN" 4)" ]
}

@test "read: silent on stderr on success, in every format" {
	start_target
	local args
	for args in "" "-f hex" "-f c" "-t u32 -c 4" "-t u64 -A -f hex"; do
		# shellcheck disable=SC2086
		run --separate-stderr "$PVMIO" read $args "$TPID" "$T_TYPED:32"
		[ "$status" -eq 0 ] || { echo "$args: status $status"; false; }
		[ -z "$stderr" ] || { echo "$args: stderr: $stderr"; false; }
		[ -n "$output" ]
	done
}

@test "read: a closed output pipe ends it quietly, as it ends cat" {
	start_target --big 8M
	local err="$BATS_TEST_TMPDIR/err"
	run bash -c '"$1" read "$2" "$3:8M" 2>"$4" | head -c 4 >"$4.out"; echo "${PIPESTATUS[0]}"' \
		_ "$PVMIO" "$TPID" "$T_BIG" "$err"
	[ "$status" -eq 0 ]
	# 0, or death by SIGPIPE (128 + 13), like cat.
	[[ $output == 0 || $output == 141 ]] || { echo "pvmio exited $output"; false; }
	[ ! -s "$err" ] || { cat "$err"; false; }
	[ "$(od -An -tx1 "$err.out" | tr -d ' \n')" = "00010203" ]
}

@test "processes: no such process exits 3" {
	# A pid above any pid_max the kernel allows (2^22).
	refused 3 "$PVMIO" read 99999999 0x1000:4
	[[ $stderr == *99999999* ]]
	[[ $stderr == *"no such process"* ]]
}

@test "processes: one that has exited exits 3" {
	sleep 600 &
	local pid=$!
	kill -KILL "$pid"
	wait "$pid" || true
	[ ! -e "/proc/$pid" ]
	refused 3 "$PVMIO" read "$pid" 0x1000:4
	[[ $stderr == *"$pid"* ]]
}

@test "processes: a zombie exits 3 and says it is a zombie" {
	start_zombie
	refused 3 "$PVMIO" read "$ZOMBIE" 0x1000:4
	[[ $stderr == *zombie* ]]
	[[ $stderr == *"$ZOMBIE"* ]]
}

@test "pids: one that is not a decimal number > 0 exits 2" {
	local pid
	for pid in abc 0 -1 1x 0x10 " 1" "" 99999999999999999999999; do
		refused 2 "$PVMIO" read -- "$pid" 0x1000:4
	done
}

@test "permissions: a non-root user against a root-owned target exits 3 and explains what would allow it" {
	as_nobody
	start_target
	fails 3 '^pvmio: read: ' "${NOBODY[@]}" "$NOBODY_PVMIO" read "$TPID" "$T_PATTERN:4"
	[[ $stderr == *ermission* ]]
	[[ $stderr == *CAP_SYS_PTRACE* ]]
}

@test "processes: the process error beats a range error (exit 3 for a missing pid, even with a good range)" {
	refused 3 "$PVMIO" read 99999999 heap:4
}

@test "help: pvmio help CMD prints CMD's help, as pvmio CMD --help does" {
	local c
	for c in "${COMMANDS[@]}"; do
		run --separate-stderr "$PVMIO" help "$c"
		[ "$status" -eq 0 ]
		[ "$output" = "$("$PVMIO" "$c" --help)" ]
	done
	fails 2 'frobnicate' "$PVMIO" help frobnicate
}

@test "options: one before the command says options go after it" {
	fails 2 'options go after the command.*pvmio read --verbose' "$PVMIO" --verbose read 1 0x1000:1
	fails 2 'options go after the command' "$PVMIO" --stop
}
