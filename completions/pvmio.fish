# fish completion for pvmio(1): the commands, each command's options and
# their values, process ids with their names, and the mapping names of the
# process already typed (through "pvmio maps PID").

set -l __pvmio_commands read write dump fill maps find where watch wait core diff doctor

# The positional arguments after the command, options and their values
# left out; prints the command first.
function __pvmio_args
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l cmd
    set -l skip 0
    set -l dashdash 0
    for t in $tokens
        if test $skip = 1
            set skip 0
            continue
        end
        if test -z "$cmd"
            string match -q -- '-*' $t; and continue
            set cmd $t
            echo $t
            continue
        end
        if test $dashdash = 0
            if test "$t" = --
                set dashdash 1
                continue
            end
            if string match -q -- '-*' $t
                # Options whose value is the next word.
                switch $cmd:$t
                    case 'read:-f' 'read:-t' 'read:-e' 'read:-c' 'read:-n' 'read:--format' 'read:--type' 'read:--endian' 'read:--count' 'read:--length' 'read:--holes' \
                        'write:-t' 'write:-e' 'write:-s' 'write:-i' 'write:-f' 'write:--type' 'write:--endian' 'write:--string' 'write:--input' 'write:--format' 'write:--interval' \
                        'dump:-n' 'dump:-c' 'dump:-g' 'dump:--length' 'dump:--cols' 'dump:--groupsize' 'dump:--color' \
                        'fill:-t' 'fill:-e' 'fill:-s' 'fill:--type' 'fill:--endian' 'fill:--string' \
                        'find:-t' 'find:-e' 'find:-s' 'find:-m' 'find:--type' 'find:--endian' 'find:--string' 'find:--align' 'find:--max-count' 'find:--at' \
                        'find:--changed' 'find:--unchanged' 'find:--increased' 'find:--decreased' \
                        'core:-o' 'core:--output' 'core:--filter' 'diff:-t' 'diff:-e' 'diff:--type' 'diff:--endian' \
                        'watch:-t' 'watch:-e' 'watch:--type' 'watch:--endian' 'watch:--interval' 'watch:--count' 'watch:--for' 'watch:--time' \
                        'wait:-t' 'wait:-e' 'wait:--type' 'wait:--endian' 'wait:--interval' 'wait:--timeout' \
                        '*:--perms' '*:--name'
                        set skip 1
                end
                continue
            end
        end
        echo $t
    end
end

# Is the next positional argument wait's OP?
function __pvmio_wants_op
    set -l args (__pvmio_args)
    test (count $args) -eq 3; and test $args[1] = wait
end

# Is the next positional argument the PID of a command?
function __pvmio_needs_pid
    set -l args (__pvmio_args)
    test (count $args) -eq 1; and return 0
    # diff's second target
    test (count $args) -eq 2; and test $args[1] = diff
end

# Does the command read, so that a core file may stand for the PID?
function __pvmio_reads
    set -l args (__pvmio_args)
    contains -- $args[1] read dump maps where find diff
end

# Does the next positional argument take a mapping name?
function __pvmio_wants_name
    set -l args (__pvmio_args)
    set -l n (count $args)
    test $n -ge 2; or return 1
    switch $args[1]
        case read dump maps where watch
            return 0
        case diff
            test $n -ge 3
        case wait
            test $n -eq 2
        case write fill
            test $n -eq 2
        case find
            # With -s the string is the pattern, and --changed and the
            # others take none: ranges follow the PID.
            if commandline -opc | string match -qr -- '^(-s.*|--string(=.*)?|--(un)?changed.*|--increased.*|--decreased.*)$'
                return 0
            end
            test $n -ge 3
        case '*'
            return 1
    end
end

# Process ids with their names, from /proc/*/comm (one grep for them all:
# fish warns about a file gone meanwhile when it redirects from it).
function __pvmio_pids
    set -l uid (id -u)
    for line in (grep -H . /proc/*/comm 2>/dev/null | string replace -rf -- '^/proc/([0-9]+)/comm:' '$1 ')
        set -l pid (string split -m 1 ' ' -- $line)
        # Only processes pvmio may open: one's own, or any as root.
        test $uid = 0; or test -O /proc/$pid[1]; or continue
        printf '%s\t%s\n' $pid[1] $pid[2]
    end
end

# The mapping names of the PID on the line: base names of files, [heap]
# and the like, and heap, stack, exe.
function __pvmio_names
    set -l args (__pvmio_args)
    set -l pid $args[2]
    string match -qr '^[0-9]+$' -- $pid; or test -f "$pid"; or return
    set -l prog (commandline -opc)[1]
    string match -q -- '*/*' $prog; and test -x $prog; or set prog pvmio
    set -l out ($prog maps $pid 2>/dev/null)
    test (count $out) -gt 0; or return
    echo exe
    for line in $out
        set -l name (string split -n -m 4 ' ' -- (string replace -ar ' +' ' ' -- $line))[5]
        set name (string replace -r ' \(deleted\)$' '' -- "$name")
        switch "$name"
            case ''
            case '/*'
                string replace -r '.*/' '' -- $name
            case '[*]'
                printf '%s\n' $name (string sub -s 2 -e -1 -- $name)
            case '*'
                echo $name
        end
    end | sort -u
end

complete -c pvmio -f

# The commands.
complete -c pvmio -n "not __fish_seen_subcommand_from $__pvmio_commands" -l help -d 'list the commands'
complete -c pvmio -n "not __fish_seen_subcommand_from $__pvmio_commands" -l version -d 'print the version'
complete -c pvmio -n "not __fish_seen_subcommand_from $__pvmio_commands" -a read -d 'copy the bytes of ranges to stdout'
complete -c pvmio -n "not __fish_seen_subcommand_from $__pvmio_commands" -a write -d 'write hex, typed values, a string or a file at ADDR'
complete -c pvmio -n "not __fish_seen_subcommand_from $__pvmio_commands" -a dump -d 'hex dump, as xxd (or hexdump -C with -C)'
complete -c pvmio -n "not __fish_seen_subcommand_from $__pvmio_commands" -a fill -d 'repeat a pattern over a range'
complete -c pvmio -n "not __fish_seen_subcommand_from $__pvmio_commands" -a maps -d 'list the mappings'
complete -c pvmio -n "not __fish_seen_subcommand_from $__pvmio_commands" -a find -d 'print the address of every match of a pattern'
complete -c pvmio -n "not __fish_seen_subcommand_from $__pvmio_commands" -a where -d 'what each address is: its symbol, mapping and permissions'
complete -c pvmio -n "not __fish_seen_subcommand_from $__pvmio_commands" -a watch -d 'print values as they change, at an interval'
complete -c pvmio -n "not __fish_seen_subcommand_from $__pvmio_commands" -a wait -d 'block until the value at ADDR meets a condition'
complete -c pvmio -n "not __fish_seen_subcommand_from $__pvmio_commands" -a core -d 'write an ELF core file that gdb opens'
complete -c pvmio -n "not __fish_seen_subcommand_from $__pvmio_commands" -a diff -d 'compare two snapshots or processes'
complete -c pvmio -n "not __fish_seen_subcommand_from $__pvmio_commands" -a doctor -d 'whether each command would work on PID, and why not'

# Positional arguments: the PID, then mapping names where ranges go.
complete -c pvmio -n "__fish_seen_subcommand_from $__pvmio_commands; and __pvmio_needs_pid" -a '(__pvmio_pids)'
complete -c pvmio -n "__fish_seen_subcommand_from $__pvmio_commands; and __pvmio_needs_pid; and __pvmio_reads" -F -d 'core file'
complete -c pvmio -n "__fish_seen_subcommand_from $__pvmio_commands; and __pvmio_wants_name" -a '(__pvmio_names)' -d 'mapping'

# Options every command has.
set -l c "__fish_seen_subcommand_from $__pvmio_commands"
complete -c pvmio -n $c -l stop -d 'stop every thread of the target while working'
complete -c pvmio -n $c -l progress -d 'show progress on stderr'
complete -c pvmio -n $c -l no-progress -d 'never show progress'
complete -c pvmio -n $c -l verbose -d 'say what is being done'
complete -c pvmio -n $c -s h -l help -d 'show this help'
complete -c pvmio -n $c -l usage -d 'show a short usage message'

set -l types 'u8 u16 u32 u64 i8 i16 i32 i64 f32 f64 ptr'
set -l orders 'little big native'

# read
set c '__fish_seen_subcommand_from read'
complete -c pvmio -n $c -s f -l format -x -a 'raw hex xxd canonical c' -d 'output format'
complete -c pvmio -n $c -s t -l type -x -a $types -d 'print values of TYPE'
complete -c pvmio -n $c -s e -l endian -x -a $orders -d 'byte order of -t'
complete -c pvmio -n $c -s c -l count -x -d 'values of -t to read at a bare ADDR'
complete -c pvmio -n $c -s n -l length -x -d 'bytes to read at a bare ADDR'
complete -c pvmio -n $c -s A -l addresses -d 'prefix each -t value with its address'
complete -c pvmio -n $c -l json -d 'each -t value as a JSON object a line'
complete -c pvmio -n $c -l holes -x -a 'error zero skip' -d 'unreadable bytes: error, zero or skip'
complete -c pvmio -n $c -l force -d 'read through /proc/PID/mem'

# write
set c '__fish_seen_subcommand_from write'
complete -c pvmio -n $c -s t -l type -x -a $types -d 'the VALUEs are of TYPE'
complete -c pvmio -n $c -s e -l endian -x -a $orders -d 'byte order of -t'
complete -c pvmio -n $c -s s -l string -x -d 'write the bytes of STRING'
complete -c pvmio -n $c -s z -l nul -d 'with -s, add a NUL byte'
complete -c pvmio -n $c -s i -l input -r -F -d 'write the bytes of FILE (- for stdin)'
complete -c pvmio -n $c -s f -l format -x -a xxd -d 'read dump lines'
complete -c pvmio -n $c -l force -d 'write read-only private pages, as debuggers do'
complete -c pvmio -n $c -l hold -d 'rewrite the value whenever it differs, for DUR (with its unit)'
complete -c pvmio -n $c -l interval -x -a '10ms 100ms 1s' -d 'time between polls of --hold'
complete -c pvmio -n $c -l verify -d 'read back and compare'

# dump
set c '__fish_seen_subcommand_from dump'
complete -c pvmio -n $c -l perms -x -a 'r rw rx rw-x -w -x' -d 'only mappings with these permissions (rw; -w: not w)'
complete -c pvmio -n $c -l name -x -a '(echo anon; __pvmio_names)' -d 'only mappings of this name or glob, or anon'
complete -c pvmio -n $c -s n -l length -x -d 'bytes to dump at a bare ADDR (256)'
complete -c pvmio -n $c -s c -l cols -x -d 'bytes a line, as xxd -c'
complete -c pvmio -n $c -s g -l groupsize -x -d 'bytes a group, as xxd -g'
complete -c pvmio -n $c -s a -l autoskip -d 'collapse runs of zero lines, as xxd -a'
complete -c pvmio -n $c -s C -l canonical -d 'hexdump -C style'
complete -c pvmio -n $c -s v -l no-squeezing -d 'with -C, show repeated lines'
complete -c pvmio -n $c -l color -x -a 'auto always never' -d 'colour byte classes'
complete -c pvmio -n $c -l force -d 'read through /proc/PID/mem'

# fill
set c '__fish_seen_subcommand_from fill'
complete -c pvmio -n $c -s t -l type -x -a $types -d 'the PATTERN is a VALUE of TYPE'
complete -c pvmio -n $c -s e -l endian -x -a $orders -d 'byte order of -t'
complete -c pvmio -n $c -s s -l string -x -d 'the pattern is the bytes of STRING'
complete -c pvmio -n $c -s z -l nul -d 'with -s, add a NUL byte to the pattern'
complete -c pvmio -n $c -l force -d 'write read-only private pages, as debuggers do'
complete -c pvmio -n $c -l verify -d 'read back and compare'

# maps
set c '__fish_seen_subcommand_from maps'
complete -c pvmio -n $c -l perms -x -a 'r rw rx rw-x -w -x' -d 'only mappings with these permissions (rw; -w: not w)'
complete -c pvmio -n $c -l name -x -a '(echo anon; __pvmio_names)' -d 'only mappings of this name or glob, or anon'
complete -c pvmio -n $c -l json -d 'print a JSON array of objects'

# find
set c '__fish_seen_subcommand_from find'
complete -c pvmio -n $c -l perms -x -a 'r rw rx rw-x -w -x' -d 'only mappings with these permissions (rw; -w: not w)'
complete -c pvmio -n $c -l name -x -a '(echo anon; __pvmio_names)' -d 'only mappings of this name or glob, or anon'
complete -c pvmio -n $c -s t -l type -x -a $types -d 'the PATTERN is a VALUE of TYPE'
complete -c pvmio -n $c -s e -l endian -x -a $orders -d 'byte order of -t'
complete -c pvmio -n $c -s s -l string -x -d 'search for the bytes of STRING (no NUL)'
complete -c pvmio -n $c -s z -l nul -d 'with -s, the string ends in a NUL byte'
complete -c pvmio -n $c -l align -x -d 'only matches at multiples of N'
complete -c pvmio -n $c -s m -l max-count -x -d 'stop after N matches'
complete -c pvmio -n $c -l where -d 'say what each match is, as pvmio where'
complete -c pvmio -n $c -l json -d 'each match as a JSON object a line'
complete -c pvmio -n $c -l at -r -F -d 'check only the addresses listed in FILE'
complete -c pvmio -n $c -l changed -r -F -d 'no PATTERN: -t values that differ from SNAPSHOT'"'"'s'
complete -c pvmio -n $c -l unchanged -r -F -d '... that equal SNAPSHOT'"'"'s'
complete -c pvmio -n $c -l increased -r -F -d '... that are above SNAPSHOT'"'"'s'
complete -c pvmio -n $c -l decreased -r -F -d '... that are below SNAPSHOT'"'"'s'
complete -c pvmio -n $c -l force -d 'read through /proc/PID/mem'

# where
set c '__fish_seen_subcommand_from where'
complete -c pvmio -n $c -l json -d 'one JSON object a line'

# watch
set c '__fish_seen_subcommand_from watch'
complete -c pvmio -n $c -s t -l type -x -a $types -d 'print values of TYPE'
complete -c pvmio -n $c -s e -l endian -x -a $orders -d 'byte order of -t'
complete -c pvmio -n $c -l interval -x -a '10ms 100ms 1s' -d 'time between polls'
complete -c pvmio -n $c -l count -x -d 'end after N changes'
complete -c pvmio -n $c -l for -x -a '10s 1m' -d 'end after DUR'
complete -c pvmio -n $c -s a -l all -d 'print every poll, changed or not'
complete -c pvmio -n $c -l time -x -a 'relative iso none' -d 'timestamps'
complete -c pvmio -n $c -l json -d 'one JSON object a line'
complete -c pvmio -n $c -l force -d 'read through /proc/PID/mem'

# wait
set c '__fish_seen_subcommand_from wait'
complete -c pvmio -n $c -s t -l type -x -a $types -d 'ADDR and VALUE are of TYPE'
complete -c pvmio -n $c -s e -l endian -x -a $orders -d 'byte order of -t'
complete -c pvmio -n $c -l interval -x -a '10ms 100ms 1s' -d 'time between polls'
complete -c pvmio -n $c -l timeout -x -a '10s 1m' -d 'give up after DUR: exit 5'
complete -c pvmio -n $c -l retry-unreadable -d 'poll unreadable memory again instead of exit 1'
complete -c pvmio -n $c -s q -l quiet -d 'print nothing; the status tells'
complete -c pvmio -n $c -l force -d 'read through /proc/PID/mem'
complete -c pvmio -n "$c; and __pvmio_wants_op" -a 'eq ne lt le gt ge changed' -d 'condition'

# core
set c '__fish_seen_subcommand_from core'
complete -c pvmio -n $c -l perms -x -a 'r rw rx rw-x -w -x' -d 'only mappings with these permissions (rw; -w: not w)'
complete -c pvmio -n $c -l name -x -a '(echo anon; __pvmio_names)' -d 'only mappings of this name or glob, or anon'
complete -c pvmio -n $c -s o -l output -r -F -d 'write to FILE (- for stdout)'
complete -c pvmio -n $c -s a -l all -d 'every readable mapping, whatever the filter says'
complete -c pvmio -n $c -l filter -x -a '33 3f 1ff' -d 'coredump_filter bits of the mappings to dump'
complete -c pvmio -n $c -l no-stop -d 'do not stop the process: memory only'
complete -c pvmio -n $c -l force -d 'read through /proc/PID/mem'

# diff
set c '__fish_seen_subcommand_from diff'
complete -c pvmio -n $c -l perms -x -a 'r rw rx rw-x -w -x' -d 'only mappings with these permissions (rw; -w: not w)'
complete -c pvmio -n $c -l name -x -a '(echo anon; __pvmio_names)' -d 'only mappings of this name or glob, or anon'
complete -c pvmio -n $c -s t -l type -x -a $types -d 'compare values of TYPE'
complete -c pvmio -n $c -s e -l endian -x -a $orders -d 'byte order of -t'
complete -c pvmio -n $c -l json -d 'one JSON object a line'
complete -c pvmio -n $c -l force -d 'read through /proc/PID/mem'

# doctor
set c '__fish_seen_subcommand_from doctor'
complete -c pvmio -n $c -l json -d 'print one JSON object'
