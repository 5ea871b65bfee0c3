#!/bin/sh
# Installs what pvmio needs to build and test (Debian or Ubuntu), builds it,
# and runs it on a live process.  Safe to run again.
set -eu
cd "$(dirname "$0")"

packages="build-essential autoconf automake libtool pkg-config libpopt-dev
libdw-dev libelf-dev elfutils libc6-dbg gcc-multilib
bats bsdextrautils xxd gdb strace pv python3 procps util-linux groff-base
bash-completion zsh fish"
if [ "$(id -u)" -eq 0 ]; then sudo=; else sudo=sudo; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq $packages >/dev/null

autoreconf -fi
./configure --enable-werror
make -j"$(nproc)"
make tests/target

# A live process to look at: the test target, which allows tracing (so
# this works where Yama's ptrace_scope is 1).
tests/target >target.out &
pid=$!
trap 'kill "$pid" 2>/dev/null' EXIT
while ! grep -q READY target.out; do sleep 0.1; done
echo "== pvmio maps $pid heap"
./pvmio maps "$pid" heap
echo "== pvmio dump $pid heap:64"
./pvmio dump "$pid" heap:64
pattern=$(sed -n 's/^TYPED=//p' target.out)
echo "== pvmio read -t u32 $pid $pattern+8"
./pvmio read -t u32 "$pid" "$pattern+8"
rm -f target.out
