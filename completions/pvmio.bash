# bash completion for pvmio(1); installed as "pvmio" in bash-completion's
# completions directory.  Completes the commands, each command's options
# and their values, process ids (shown with their names) and the mapping
# names of the process already typed (through "pvmio maps PID").

_pvmio_common='--stop --progress --no-progress --verbose -h --help --usage'

# _pvmio_options CMD: the options of CMD.
_pvmio_options() {
	case $1 in
	read) echo "-f --format -t --type -e --endian -c --count -n --length -A --addresses --json --holes --force" ;;
	write) echo "-t --type -e --endian -s --string -z --nul -i --input -f --format --force --verify --hold --interval" ;;
	dump) echo "-n --length -c --cols -g --groupsize -a --autoskip -C --canonical -v --no-squeezing --color --perms --name --force" ;;
	fill) echo "-t --type -e --endian -s --string -z --nul --force --verify" ;;
	maps) echo "--json --perms --name" ;;
	find) echo "-t --type -e --endian -s --string -z --nul --align -m --max-count --where --json --perms --name --at --changed --unchanged --increased --decreased --force" ;;
	where) echo "--json" ;;
	watch) echo "-t --type -e --endian --interval --count --for -a --all --time --json --force" ;;
	wait) echo "-t --type -e --endian --interval --timeout --retry-unreadable -q --quiet --force" ;;
	core) echo "-o --output -a --all --filter --perms --name --no-stop --force" ;;
	diff) echo "-t --type -e --endian --json --perms --name --force" ;;
	doctor) echo "--json" ;;
	esac
	echo "$_pvmio_common"
}

# _pvmio_takes_arg CMD OPTION: does OPTION of CMD take a value?
_pvmio_takes_arg() {
	case $1:$2 in
	read:-[ftecn] | read:--format | read:--type | read:--endian | read:--count | read:--length | read:--holes) return 0 ;;
	write:-[tesif] | write:--type | write:--endian | write:--string | write:--input | write:--format | write:--interval) return 0 ;;
	dump:-[ncg] | dump:--length | dump:--cols | dump:--groupsize | dump:--color) return 0 ;;
	fill:-[tes] | fill:--type | fill:--endian | fill:--string) return 0 ;;
	find:-[tesm] | find:--type | find:--endian | find:--string | find:--align | find:--max-count | find:--at) return 0 ;;
	find:--changed | find:--unchanged | find:--increased | find:--decreased) return 0 ;;
	core:-o | core:--output | core:--filter) return 0 ;;
	diff:-[te] | diff:--type | diff:--endian) return 0 ;;
	watch:-[te] | watch:--type | watch:--endian | watch:--interval | watch:--count | watch:--for | watch:--time) return 0 ;;
	wait:-[te] | wait:--type | wait:--endian | wait:--interval | wait:--timeout) return 0 ;;
	maps:--perms | maps:--name | find:--perms | find:--name | dump:--perms | dump:--name) return 0 ;;
	core:--perms | core:--name | diff:--perms | diff:--name) return 0 ;;
	esac
	return 1
}

# _pvmio_add CUR WORD...: adds the WORDs that start with CUR to COMPREPLY.
_pvmio_add() {
	local cur=$1 w
	shift
	for w in "$@"; do
		[[ $w == "$cur"* ]] && COMPREPLY+=("$w")
	done
}

# _pvmio_pids CUR: process ids starting with CUR.  With several, each is
# shown as "PID (name)"; their common prefix is still a pid prefix, so
# only a pid is ever inserted.
_pvmio_pids() {
	local cur=$1 dir pid comm
	local -a found=()
	for dir in /proc/[0-9]*; do
		pid=${dir#/proc/}
		[[ $pid == "$cur"* ]] || continue
		# Only processes pvmio may open: one's own, or any as root.
		[[ $EUID -eq 0 || -O $dir ]] || continue
		comm=
		read -r comm 2>/dev/null <"$dir/comm" || continue
		found+=("$pid ($comm)")
	done
	if ((${#found[@]} == 1)); then
		COMPREPLY+=("${found[0]%% *}")
	else
		COMPREPLY+=("${found[@]}")
	fi
}

# _pvmio_files CUR: file names (core files, lists of addresses).
_pvmio_files() {
	compopt -o filenames 2>/dev/null
	COMPREPLY+=($(compgen -f -- "$1"))
}

# _pvmio_targets CUR: process ids, or core files once CUR is not a number.
_pvmio_targets() {
	if [[ -z $1 || $1 == [0-9]* ]]; then
		_pvmio_pids "$1"
	else
		_pvmio_files "$1"
	fi
}

# _pvmio_names PROG PID CUR: the mapping names of PID (or of a core
# file) starting with CUR: base names of files, [heap] and the like, and
# heap, stack, exe.
_pvmio_names() {
	local prog=$1 pid=$2 cur=$3 range perms offset size name
	local -a names=(exe)
	[[ $pid =~ ^[0-9]+$ || -f $pid ]] || return
	while read -r range perms offset size name; do
		name=${name% (deleted)}
		case $name in
		'') ;;
		/*) names+=("${name##*/}") ;;
		'['*']') names+=("$name" "${name:1:${#name}-2}") ;;
		*) names+=("$name") ;;
		esac
	done < <("$prog" maps "$pid" 2>/dev/null)
	((${#names[@]} > 1)) || return
	local -A seen=()
	local n
	for n in "${names[@]}"; do
		[[ ${seen[$n]-} ]] && continue
		seen[$n]=1
		_pvmio_add "$cur" "$n"
	done
	# Brackets must be quoted for the shell, as file names are.
	compopt -o filenames 2>/dev/null
	return 0
}

_pvmio() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	local prog=${1:-pvmio}
	# Run the pvmio that is being completed, if it is one we can find.
	[[ $prog == */* && -x $prog ]] || prog=pvmio
	COMPREPLY=()

	# "--opt=value" comes as "--opt", "=", "value" when = breaks words.
	if [[ $cur == = ]]; then
		prev=${COMP_WORDS[COMP_CWORD - 1]}
		cur=
	elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
		prev=${COMP_WORDS[COMP_CWORD - 2]}
	elif [[ $cur == --*=* ]]; then
		prev=${cur%%=*}
		cur=${cur#*=}
	fi

	# The command, and the positional arguments before the cursor.
	local cmd= i w npos=0 pid= seen_s= seen_than= dashdash=
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [[ -z $cmd ]]; then
			[[ $w == -* ]] && continue
			cmd=$w
			continue
		fi
		if [[ -z $dashdash ]]; then
			case $w in
			-s | --string | --string=*) seen_s=1 ;;
			--changed* | --unchanged* | --increased* | --decreased*) seen_than=1 ;;
			esac
			case $w in
			--) dashdash=1; continue ;;
			--*=*) continue ;;
			esac
			if [[ $w == -?* ]]; then
				if _pvmio_takes_arg "$cmd" "$w"; then
					# the value, and "=" when it was --opt=value
					[[ ${COMP_WORDS[i + 1]-} == = ]] && i=$((i + 1))
					i=$((i + 1))
				fi
				continue
			fi
		fi
		npos=$((npos + 1))
		((npos == 1)) && pid=$w
	done

	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			_pvmio_add "$cur" --help --version
		else
			_pvmio_add "$cur" read write dump fill maps find where watch wait core diff doctor
		fi
		return 0
	fi

	# Option values.
	if [[ -z $dashdash && $prev == -?* ]] && _pvmio_takes_arg "$cmd" "$prev"; then
		case $cmd:$prev in
		*:-t | *:--type) _pvmio_add "$cur" u8 u16 u32 u64 i8 i16 i32 i64 f32 f64 ptr ;;
		*:-e | *:--endian) _pvmio_add "$cur" little big native ;;
		read:-f | read:--format) _pvmio_add "$cur" raw hex xxd canonical c ;;
		write:-f | write:--format) _pvmio_add "$cur" xxd ;;
		read:--holes) _pvmio_add "$cur" error zero skip ;;
		dump:--color) _pvmio_add "$cur" auto always never ;;
		watch:--time) _pvmio_add "$cur" relative iso none ;;
		*:--interval | *:--for | *:--timeout) _pvmio_add "$cur" 10ms 100ms 1s 10s 1m ;;
		write:-i | write:--input | find:--at | core:-o | core:--output)
			_pvmio_files "$cur"
			[[ - == "$cur"* ]] && COMPREPLY+=(-)
			;;
		find:--changed | find:--unchanged | find:--increased | find:--decreased) _pvmio_targets "$cur" ;;
		core:--filter) _pvmio_add "$cur" 33 3f 1ff ;;
		*:--perms) _pvmio_add "$cur" r rw rx rw-x -w -x ;;
		*:--name)
			_pvmio_add "$cur" anon
			[[ -n $pid ]] && _pvmio_names "$prog" "$pid" "$cur"
			;;
		esac
		return 0
	fi

	if [[ -z $dashdash && $cur == -* ]]; then
		_pvmio_add "$cur" $(_pvmio_options "$cmd")
		return 0
	fi

	# Positional arguments: the PID, then what each command takes.
	if ((npos == 0)); then
		case $cmd in
		read | dump | maps | where | find | diff) _pvmio_targets "$cur" ;;
		*) _pvmio_pids "$cur" ;;
		esac
		return 0
	fi
	case $cmd in
	read | dump | maps | where | watch) _pvmio_names "$prog" "$pid" "$cur" ;;
	diff)
		((npos == 1)) && _pvmio_targets "$cur"
		((npos >= 2)) && _pvmio_names "$prog" "$pid" "$cur"
		;;
	wait)
		((npos == 1)) && _pvmio_names "$prog" "$pid" "$cur"
		((npos == 2)) && _pvmio_add "$cur" eq ne lt le gt ge changed
		;;
	write | fill) ((npos == 1)) && _pvmio_names "$prog" "$pid" "$cur" ;;
	find) ((npos >= 2 || seen_s || seen_than)) && _pvmio_names "$prog" "$pid" "$cur" ;;
	esac
	return 0
}

complete -F _pvmio pvmio
