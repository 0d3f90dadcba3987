#!/bin/bash
# SPDX-License-Identifier: ISC
#
# run-test-directory.sh: run test_directory (argument 1) against real
# slapd servers, one per behaviour the tests need, all in one temporary
# folder that is removed at the end. Exits with the test's status.
#
# The "hung" server is stopped with SIGSTOP once it is up: the kernel
# still completes TCP handshakes for it, but nothing answers, which is
# the server that timeouts exist for.

set -u

test_bin=${1:?usage: run-test-directory.sh TEST-BINARY}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib/slapd.sh
. "$here/../lib/slapd.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cassh-ldap.XXXXXX") || exit 1
cleanup()
{
	slapd_stop
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

# The test must not depend on this host's ldap.conf or ~/.ldaprc.
export LDAPNOINIT=1
export TMPDIR=$tmp

slapd_start "$tmp/anon" anon-bind || exit 1
export SLAPD_ANON_URI=$SLAPD_URI
slapd_start "$tmp/private" private || exit 1
export SLAPD_PRIVATE_URI=$SLAPD_URI
slapd_start "$tmp/hung" strict || exit 1
export SLAPD_HUNG_URI=$SLAPD_URI
kill -STOP "$SLAPD_PID"
# Last, so that SLAPD_URI and SLAPD_PID name the plain strict server.
slapd_start "$tmp/strict" strict || exit 1

"$test_bin"
