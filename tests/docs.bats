#!/usr/bin/env bats
# The manual, the completions and --help, held to what pvmio really does:
# options and commands are read from pvmio itself (its --help and its
# error messages), so these tests fail when anything drifts.

bats_require_minimum_version 1.5.0
load helper

COMPLETIONS="$TESTS_DIR/../completions"
BASH_COMP="$COMPLETIONS/pvmio.bash"
ZSH_COMP="$COMPLETIONS/_pvmio"
FISH_COMP="$COMPLETIONS/pvmio.fish"

# The manual configure made (version filled in), else its source.
man_page() {
	if [[ -f $TOP_BUILDDIR/man/pvmio.1 ]]; then
		echo "$TOP_BUILDDIR/man/pvmio.1"
	else
		echo "$TESTS_DIR/../man/pvmio.1.in"
	fi
}

# The manual's source with \- as - and font escapes dropped, for grep.
man_text() {
	sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\&//g' "$(man_page)"
}

# man_section CMD: the manual's subsection "pvmio CMD ...".
man_section() {
	man_text | awk -v cmd="$1" '
		/^\.S[SH] / { on = index($0, "\"pvmio " cmd " ") == 5 }
		on'
}

# The commands, as "pvmio --help" lists them.
commands() {
	"$PVMIO" --help | sed -n '/^Commands:/,/^$/p' | awk 'NF > 1 { print $1 }'
}

# long_options CMD [own]: every long option "pvmio CMD --help" lists
# (with "own", only those above "Common options:").
long_options() {
	local help
	help=$("$PVMIO" "$1" --help)
	[[ ${2-} == own ]] && help=$(sed '/^Common options:/,$d' <<<"$help")
	grep -E '^ +-' <<<"$help" | grep -oE -- '--[a-z][a-z-]*' | sort -u
}

# short_options CMD: every short option "pvmio CMD --help" lists.
short_options() {
	"$PVMIO" "$1" --help | sed -n 's/^ *\(-[a-zA-Z]\), --.*/\1/p' | sort -u
}

# has_option TEXT OPTION: OPTION appears in TEXT as a whole word.
has_option() {
	grep -qE -- "(^|[^a-zA-Z-])$2([^a-z-]|\$)" <<<"$1"
}

# bash_complete WORD...: runs the bash completion on the words (the last
# is the word being completed) and prints the candidates one a line.
bash_complete() {
	bash -c '
		source "$1" || exit 9
		shift
		spec=$(complete -p pvmio) || exit 8
		fn=${spec#*-F }
		fn=${fn%% *}
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		COMPREPLY=()
		"$fn" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"
	' _ "$BASH_COMP" "$@"
}

# fish_complete LINE: the fish completion's candidates for LINE (without
# their descriptions), with the pvmio under test first in PATH.
fish_complete() {
	PATH="${PVMIO%/*}:$PATH" fish --no-config -c 'source $argv[1]; complete -C $argv[2]' "$FISH_COMP" "$1" |
		cut -f1
}

# The words inside "(use ...)" of an error message, one a line.
listed_in_message() {
	sed -n 's/.*(use \(.*\)).*/\1/p' <<<"$1" | sed -e 's/,//g' -e 's/ or / /g' | tr ' ' '\n' | grep . | sort
}

need_fish() {
	command -v fish >/dev/null || skip "fish is not installed"
}

@test "help: pvmio alone prints the command list on stderr and exits 2" {
	run --separate-stderr "$PVMIO"
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	local cmd n=0
	for cmd in read write dump fill maps find where watch wait core diff doctor; do
		grep -qE "^  $cmd +[a-z]" <<<"$stderr"
	done
	# The same list as --help, which prints it on stdout and succeeds.
	run --separate-stderr "$PVMIO" --help
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	for cmd in read write dump fill maps find where watch wait core diff doctor; do
		grep -qE "^  $cmd +[a-z]" <<<"$output"
		n=$((n + 1))
	done
	[ "$(commands | wc -l)" -eq "$n" ]
}

@test "help: each command's --help fits in 45 lines and ends with two or three examples" {
	local cmd
	for cmd in $(commands); do
		run --separate-stderr "$PVMIO" "$cmd" --help
		[ "$status" -eq 0 ] || { echo "$cmd --help: status $status" >&2; return 1; }
		[ -z "$stderr" ]
		local lines
		lines=$(wc -l <<<"$output")
		[ "$lines" -le 45 ] || { echo "$cmd --help is $lines lines" >&2; return 1; }
		head -n1 <<<"$output" | grep -q "^Usage: pvmio $cmd "
		# After "Examples:" only examples, to the end.
		local examples
		examples=$(sed -n '/^Examples:$/,$p' <<<"$output" | tail -n +2)
		[ -n "$examples" ] || { echo "$cmd --help has no Examples:" >&2; return 1; }
		local n
		n=$(wc -l <<<"$examples")
		[ "$n" -ge 2 ] && [ "$n" -le 3 ] || { echo "$cmd --help has $n examples" >&2; return 1; }
		if grep -qv "^  pvmio $cmd " <<<"$examples"; then
			echo "$cmd --help: not an example of $cmd: $(grep -v "^  pvmio $cmd " <<<"$examples")" >&2
			return 1
		fi
	done
}

@test "manual: every section is there, and configure filled in the version" {
	local text
	text=$(man_text)
	local s
	for s in NAME SYNOPSIS DESCRIPTION COMMANDS '"ADDRESSES AND RANGES"' FORMATS WRITING SAFETY \
		'"EXIT STATUS"' ENVIRONMENT EXAMPLES SECURITY '"SEE ALSO"'; do
		grep -qx "\.SH $s" <<<"$text" || { echo "no section $s" >&2; return 1; }
	done
	[[ -f $TOP_BUILDDIR/man/pvmio.1 ]] || skip "configure did not make man/pvmio.1"
	local version
	version=$("$PVMIO" --version)
	grep -q '^\.TH PVMIO 1 .*"'"$version"'"' "$TOP_BUILDDIR/man/pvmio.1"
	! grep -q '@[A-Z_]*@' "$TOP_BUILDDIR/man/pvmio.1"
}

@test "manual: clean under groff -man -ww and man --warnings" {
	command -v groff >/dev/null || skip "groff is not installed"
	run --separate-stderr groff -man -ww -z "$(man_page)"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ] || { echo "$stderr" >&2; return 1; }
	if command -v man >/dev/null; then
		run --separate-stderr env MANWIDTH=80 man --warnings -l "$(man_page)"
		[ "$status" -eq 0 ]
		[ -z "$stderr" ] || { echo "$stderr" >&2; return 1; }
		grep -q 'ADDRESSES AND RANGES' <<<"$output"
	fi
}

@test "manual: every command, and each option in its command's section" {
	local text cmd opt section common
	text=$(man_text)
	common=$(man_text | awk '/^\.S[SH] /{ on = /"Common options"/ } on')
	[ -n "$common" ] || { echo "no Common options subsection" >&2; return 1; }
	for cmd in $(commands); do
		section=$(man_section "$cmd")
		[ -n "$section" ] || { echo "no subsection for $cmd" >&2; return 1; }
		for opt in $(long_options "$cmd" own); do
			has_option "$section" "$opt" || { echo "$cmd $opt is not in its man section" >&2; return 1; }
		done
		for opt in $(long_options "$cmd"); do
			has_option "$section$common" "$opt" || { echo "$cmd $opt is not in the manual" >&2; return 1; }
		done
		for opt in $(short_options "$cmd"); do
			grep -qE -- "^\.BR? $opt( |,|\$)" <<<"$section$common" ||
				{ echo "$cmd $opt is not in the manual" >&2; return 1; }
		done
	done
}

@test "manual: the exit statuses, NO_COLOR and the ignored environment" {
	local text
	text=$(man_text)
	local s
	for s in 0 1 2 3 4; do
		awk '/^\.SH "EXIT STATUS"/{ on = 1; next } /^\.SH /{ on = 0 } on' <<<"$text" | grep -qx "\.B $s"
	done
	grep -q NO_COLOR <<<"$text"
	grep -q POSIXLY_CORRECT <<<"$text"
	grep -q ptrace_scope <<<"$text"
	grep -q CAP_SYS_PTRACE <<<"$text"
}

@test "completion: every command and long option is in each completion file" {
	local cmd opt f
	for f in "$BASH_COMP" "$ZSH_COMP" "$FISH_COMP"; do
		for cmd in $(commands); do
			grep -qw -- "$cmd" "$f" || { echo "$cmd is not in $f" >&2; return 1; }
			for opt in $(long_options "$cmd"); do
				if [[ $f == "$FISH_COMP" ]]; then
					grep -qE -- "-l ${opt#--}( |\$)" "$f"
				else
					has_option "$(cat "$f")" "$opt"
				fi || { echo "$cmd $opt is not in $f" >&2; return 1; }
			done
		done
	done
}

@test "zsh completion: each command's block has its options" {
	local cmd opt block common select
	common=$(sed -n '/^  common=(/,/^  )/p' "$ZSH_COMP")
	select=$(sed -n '/^  select=(/,/^  )/p' "$ZSH_COMP")
	for cmd in $(commands); do
		block=$(sed -n "/^    ($cmd)\$/,/^      ;;\$/p" "$ZSH_COMP")
		[ -n "$block" ] || { echo "no ($cmd) block in _pvmio" >&2; return 1; }
		# the selectors' rows, where the block's _arguments takes them
		[[ $block == *'$common $select'* ]] && block+=$select
		for opt in $(long_options "$cmd"); do
			has_option "$block$common" "$opt" || { echo "$cmd $opt is not in _pvmio" >&2; return 1; }
		done
		for opt in $(short_options "$cmd"); do
			grep -qE -- "\{$opt[+,]" <<<"$block$common" || { echo "$cmd $opt is not in _pvmio" >&2; return 1; }
		done
	done
}

@test "completion: the zsh and fish files parse" {
	if command -v zsh >/dev/null; then
		run zsh -n "$ZSH_COMP"
		[ "$status" -eq 0 ] || { echo "$output" >&2; return 1; }
		head -n1 "$ZSH_COMP" | grep -qx '#compdef pvmio'
	fi
	if command -v fish >/dev/null; then
		run fish --no-config -n "$FISH_COMP"
		[ "$status" -eq 0 ] || { echo "$output" >&2; return 1; }
	fi
	command -v zsh >/dev/null && command -v fish >/dev/null || skip "zsh or fish is not installed"
}

@test "bash completion: the commands after 'pvmio '" {
	run bash_complete pvmio ''
	[ "$status" -eq 0 ]
	[ "$(sort <<<"$output")" = "$(commands | sort)" ]
	run bash_complete pvmio re
	[ "$output" = read ]
	run bash_complete pvmio --v
	[ "$output" = --version ]
}

@test "bash completion: each command's options after '-'" {
	local cmd opt
	for cmd in $(commands); do
		run bash_complete pvmio "$cmd" -
		[ "$status" -eq 0 ]
		for opt in $(long_options "$cmd") $(short_options "$cmd"); do
			grep -qx -- "$opt" <<<"$output" || { echo "pvmio $cmd - does not offer $opt" >&2; return 1; }
		done
		# Nothing that the command does not take.
		local offered
		for offered in $output; do
			"$PVMIO" "$cmd" --help | grep -qE -- "(^|[ ,])$offered([ ,=]|\$)" ||
				{ echo "pvmio $cmd - offers $offered" >&2; return 1; }
		done
	done
	run bash_complete pvmio read --ho
	[ "$output" = --holes ]
}

@test "bash completion: option values are the ones pvmio takes" {
	start_target
	# The lists pvmio's own messages give.
	run --separate-stderr "$PVMIO" read -t nosuch "$TPID" "$T_TYPED"
	[ "$status" -eq 2 ]
	local types
	types=$(listed_in_message "$stderr")
	[ "$(wc -l <<<"$types")" -eq 11 ]
	local cmd
	for cmd in read write fill find; do
		run bash_complete pvmio "$cmd" -t ''
		[ "$(sort <<<"$output")" = "$types" ] || { echo "$cmd -t: $output" >&2; return 1; }
		run bash_complete pvmio "$cmd" --type ''
		[ "$(sort <<<"$output")" = "$types" ]
	done
	run --separate-stderr "$PVMIO" read -t u32 -e nosuch "$TPID" "$T_TYPED"
	[ "$status" -eq 2 ]
	run bash_complete pvmio read -e ''
	[ "$(sort <<<"$output")" = "$(listed_in_message "$stderr")" ]
	run --separate-stderr "$PVMIO" read -f nosuch "$TPID" "$T_TYPED:4"
	[ "$status" -eq 2 ]
	local formats
	formats=$(listed_in_message "$stderr")
	run bash_complete pvmio read -f ''
	[ "$(sort <<<"$output")" = "$formats" ]
	run bash_complete pvmio read --format ''
	[ "$(sort <<<"$output")" = "$formats" ]
	run bash_complete pvmio write -f ''
	[ "$output" = xxd ]
	run --separate-stderr "$PVMIO" read --holes=nosuch "$TPID" "$T_TYPED:4"
	[ "$status" -eq 2 ]
	local holes
	holes=$(listed_in_message "$stderr")
	# --holes VALUE, and --holes=VALUE as bash splits it at '='.
	run bash_complete pvmio read --holes ''
	[ "$(sort <<<"$output")" = "$holes" ]
	run bash_complete pvmio read --holes = ''
	[ "$(sort <<<"$output")" = "$holes" ]
	run bash_complete pvmio read --holes = z
	[ "$output" = zero ]
	run --separate-stderr "$PVMIO" dump --color=nosuch "$TPID" "$T_TYPED"
	[ "$status" -eq 2 ]
	run bash_complete pvmio dump --color = ''
	[ "$(sort <<<"$output")" = "$(listed_in_message "$stderr")" ]
}

@test "bash completion: pids with their names after 'pvmio read '" {
	start_target
	run bash_complete pvmio read ''
	[ "$status" -eq 0 ]
	grep -qx "$TPID (target)" <<<"$output"
	# A pid typed in part: the pid itself is inserted, not its name.
	run bash_complete pvmio read "$TPID"
	grep -qxE "$TPID( \(target\))?" <<<"$output"
	if [ "$(wc -l <<<"$output")" -eq 1 ]; then
		[ "$output" = "$TPID" ]
	fi
	# After options and their values too.
	run bash_complete pvmio dump -n 16 -C ''
	grep -qx "$TPID (target)" <<<"$output"
}

@test "bash completion: the mapping names of the pid typed" {
	start_target
	run bash_complete "$PVMIO" read "$TPID" ''
	[ "$status" -eq 0 ]
	local name
	for name in '[heap]' heap '[stack]' stack exe libc.so.6 target; do
		grep -qxF -- "$name" <<<"$output" || { echo "$name is not offered: $output" >&2; return 1; }
	done
	# Every name offered is one that pvmio takes.
	for name in $output; do
		run "$PVMIO" maps "$TPID" "$name"
		[ "$status" -eq 0 ] || { echo "pvmio maps $TPID $name: $output" >&2; return 1; }
	done
	run bash_complete "$PVMIO" read -t u32 -c 2 "$TPID" li
	grep -qx libc.so.6 <<<"$output"
	! grep -qv '^li' <<<"$output"
	run bash_complete "$PVMIO" dump "$TPID" "$T_PATTERN:16" '[h'
	[ "$output" = '[heap]' ]
	# Where no range goes: write's data, fill's pattern, find's pattern.
	run bash_complete "$PVMIO" write "$TPID" heap ''
	[ -z "$output" ]
	run bash_complete "$PVMIO" fill "$TPID" heap:16 ''
	[ -z "$output" ]
	run bash_complete "$PVMIO" find "$TPID" ''
	[ -z "$output" ]
	run bash_complete "$PVMIO" find "$TPID" 'de ad' he
	[ "$output" = heap ]
	run bash_complete "$PVMIO" find -s abc "$TPID" he
	[ "$output" = heap ]
	run bash_complete "$PVMIO" maps "$TPID" st
	[ "$output" = stack ]
}

@test "fish completion: commands, options, values, pids and mapping names" {
	need_fish
	start_target
	run fish_complete 'pvmio '
	[ "$(sort <<<"$output")" = "$(commands | sort)" ]
	local cmd opt
	for cmd in $(commands); do
		run fish_complete "pvmio $cmd -"
		for opt in $(long_options "$cmd") $(short_options "$cmd"); do
			grep -qx -- "$opt" <<<"$output" || { echo "fish: pvmio $cmd - does not offer $opt" >&2; return 1; }
		done
	done
	run fish_complete 'pvmio read -t '
	[ "$(wc -l <<<"$output")" -eq 11 ]
	grep -qx ptr <<<"$output"
	run fish_complete 'pvmio read --holes='
	[ "$(sort <<<"$output")" = "$(printf -- '--holes=%s\n' error skip zero)" ]
	run --separate-stderr fish_complete 'pvmio read '
	grep -qx "$TPID" <<<"$output"
	[ -z "$stderr" ]
	PATH="${PVMIO%/*}:$PATH" fish --no-config -c 'source $argv[1]; complete -C $argv[2]' "$FISH_COMP" \
		"pvmio read $TPID" | grep -qx "$TPID	target"
	run fish_complete "pvmio read $TPID "
	local name
	for name in '[heap]' heap stack exe libc.so.6; do
		grep -qxF -- "$name" <<<"$output" || { echo "fish: $name is not offered" >&2; return 1; }
	done
	run fish_complete "pvmio write $TPID heap "
	[ -z "$output" ]
}

@test "setup.sh: runs exactly the commands it prints" {
	python3 - "$TESTS_DIR/../setup.sh" <<'PY'
import re, sys
lines = open(sys.argv[1]).read().splitlines()
shown = 0
for i, line in enumerate(lines):
    m = re.match(r'\s*echo "== (pvmio .*)"$', line)
    if not m:
        continue
    shown += 1
    ran = lines[i + 1].strip().replace("./pvmio", "pvmio").replace('"', "")
    assert m.group(1) == ran, (m.group(1), ran)
assert shown >= 3, shown
PY
}

@test "make check: leaves no file that git neither tracks nor ignores" {
	local top=$TESTS_DIR/..
	git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1 || skip "not a git checkout"
	[ "$(cd "$top" && pwd -P)" = "$(cd "$TOP_BUILDDIR" && pwd -P)" ] ||
		skip "the build is outside the source tree, which it leaves alone"
	# what this build made (newer than configure's run) and git does not know
	local f stray=()
	while IFS= read -r f; do
		[ "$top/$f" -nt "$TOP_BUILDDIR/config.status" ] && stray+=("$f")
	done < <(git -C "$top" ls-files --others --exclude-standard)
	printf 'untracked and not ignored: %s\n' "${stray[@]}"
	[ "${#stray[@]}" -eq 0 ]
}

@test "manual: says what write -f xxd does with a bad line from a pipe (nothing is written)" {
	man_text | tr '\n' ' ' | grep -q 'lines from a pipe are first kept in a temporary file'
	! man_text | tr '\n' ' ' | grep -q 'with the runs before it written'
}
