#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# Progress on long jobs (--progress and --no-progress in the manual's
# "Common options", man/pvmio.1.in): drawn on stderr with --progress, by
# default only for jobs over 256 MiB when stderr is a terminal and stdout
# is not, never with --no-progress, and cleared at the end.

load helper

# Runs "$@" with stdin, stdout and stderr on a pseudo-terminal (script(1)),
# leaving what the terminal saw in $BATS_TEST_TMPDIR/tty.
on_tty() {
	local cmd
	printf -v cmd '%q ' "$@"
	script -qec "$cmd" "$BATS_TEST_TMPDIR/tty" >/dev/null
}

setup() {
	command -v script >/dev/null || skip "script(1) (util-linux) is not installed"
}

@test "progress: --progress draws on stderr even when it is a file, and clears at the end" {
	start_target --big 8M
	"$PVMIO" read --progress "$TPID" "$T_BIG:8M" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err"
	cmp "$BATS_TEST_TMPDIR/out" <(mem_read "$TPID" "$T_BIG" $((8 << 20)))
	grep -q 'pvmio: read: .* of 8.0 MiB' "$BATS_TEST_TMPDIR/err"
	# cleared at the end: the last thing written is the clearing sequence
	[ "$(tail -c 4 "$BATS_TEST_TMPDIR/err" | od -An -c | tr -d ' ')" = '\r033[K' ]
}

@test "progress: a job over 256 MiB draws it when stderr is a terminal and stdout is not" {
	start_target --big 300M
	on_tty bash -c "$(printf '%q ' "$PVMIO" read "$TPID" "$T_BIG:300M") >/dev/null"
	grep -q 'of 300.0 MiB' "$BATS_TEST_TMPDIR/tty"
	# the line is cleared at the end
	grep -q $'\r\e\[K' "$BATS_TEST_TMPDIR/tty"
}

@test "progress: --no-progress keeps a terminal clean" {
	start_target --big 300M
	on_tty bash -c "$(printf '%q ' "$PVMIO" read --no-progress "$TPID" "$T_BIG:300M") >/dev/null"
	! grep -q $'\e\[K' "$BATS_TEST_TMPDIR/tty"
	! grep -q 'MiB' "$BATS_TEST_TMPDIR/tty"
}

@test "progress: never drawn to a non-terminal unless asked" {
	start_target --big 300M
	run --separate-stderr bash -c "$(printf '%q ' "$PVMIO" read "$TPID" "$T_BIG:300M") >/dev/null"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
}

@test "progress: a job under 256 MiB draws nothing by default, even on a terminal" {
	start_target --big 8M
	on_tty bash -c "$(printf '%q ' "$PVMIO" read "$TPID" "$T_BIG:8M") >/dev/null"
	! grep -q $'\e\[K' "$BATS_TEST_TMPDIR/tty"
}

@test "progress: fill and dump draw it too with --progress" {
	start_target --big 8M
	run --separate-stderr "$PVMIO" fill --progress "$TPID" "$T_BIG:8M" 00
	[ "$status" -eq 0 ]
	[[ $stderr == *$'\r\e[K'* ]]
	run --separate-stderr bash -c "$(printf '%q ' "$PVMIO" dump --progress "$TPID" "$T_BIG:8M") >/dev/null"
	[ "$status" -eq 0 ]
	[[ $stderr == *$'\r\e[K'* ]]
}

@test "progress: write -i FILE shows the file's size; from a pipe, no total and no time left" {
	start_target --big 8M
	head -c $((8 << 20)) /dev/urandom >"$BATS_TEST_TMPDIR/in"
	run --separate-stderr "$PVMIO" write --progress -i "$BATS_TEST_TMPDIR/in" "$TPID" "$T_BIG"
	[ "$status" -eq 0 ]
	[[ $stderr == *"of 8.0 MiB"*"left"* ]]
	[[ $stderr != *"of 0 B"* ]]
	run --separate-stderr bash -c 'cat "$1" | "$2" write --progress -i - "$3" "$4"' sh "$BATS_TEST_TMPDIR/in" "$PVMIO" "$TPID" "$T_BIG"
	[ "$status" -eq 0 ]
	# bytes so far and a rate, in whatever unit the rate came to (a first
	# MiB from a fast pipe is over 1 GiB/s)
	[[ $stderr =~ pvmio:\ write:\ [0-9.]+\ (B|[KMGT]iB),\ [0-9.]+\ (B|[KMGT]iB)/s ]]
	[[ $stderr != *" of "* ]]
	[[ $stderr != *"left"* ]]
	mem_read "$TPID" "$T_BIG" $((8 << 20)) | cmp - "$BATS_TEST_TMPDIR/in"
	# a /proc file says it has 0 bytes whatever it holds: no total then
	run --separate-stderr "$PVMIO" write --progress -i "/proc/$TPID/maps" "$TPID" "$T_BIG"
	[ "$status" -eq 0 ]
	[[ $stderr != *" of "* ]]
	[[ $stderr != *"left"* ]]
}

@test "progress: write -f xxd counts the bytes of the lines first and shows that total" {
	start_target --big 8M
	"$PVMIO" dump "$TPID" "$T_BIG:1M" >"$BATS_TEST_TMPDIR/d"
	run --separate-stderr "$PVMIO" write --progress -f xxd -i "$BATS_TEST_TMPDIR/d" "$TPID"
	[ "$status" -eq 0 ]
	[[ $stderr == *"of 1.0 MiB"* ]]
	run --separate-stderr bash -c 'cat "$1" | "$2" write --progress -f xxd "$3"' sh "$BATS_TEST_TMPDIR/d" "$PVMIO" "$TPID"
	[ "$status" -eq 0 ]
	[[ $stderr == *"of 1.0 MiB"* ]]
}
