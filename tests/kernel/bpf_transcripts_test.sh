#!/bin/bash
# Golden transcripts: pipes each tests/transcripts/NAME.in into the daemon ($1) and diffs its
# stdout with NAME.out byte for byte (see tests/lib/transcripts.sh: NAME.enosys.out under
# qemu-user; bpf_* skipped with the reason where bpf() is otherwise unavailable).
set -u
lib="${TEST_SRCDIR:-$(dirname "$0")/../..}/${TEST_WORKSPACE:-}/tests/lib"
[[ -d $lib ]] || lib=$(dirname "$0")/../lib
source "$lib/sh_testing.sh"
source "$lib/transcripts.sh"
daemon=$(realpath "${1:?usage: bpf_transcripts_test.sh DAEMON}")  # $2 (arch) unused

local_daemon() { (only_stdio "$daemon") <"$1" >"$2" 2>"$3"; }
replay_transcripts daemon local_daemon
((passed > 0)) || check "at least one transcript ran" false
finish
