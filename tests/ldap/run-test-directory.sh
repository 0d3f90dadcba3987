#!/bin/bash
# SPDX-License-Identifier: ISC
#
# run-test-directory.sh: run test_directory (argument 1) against real
# slapd servers, one per behaviour the tests need, all in one temporary
# folder that is removed at the end. Exits with the test's status.
#
# The "hung" server is stopped with SIGSTOP once it is up: the kernel
# still completes TCP handshakes for it, but nothing answers, which is
# the server that timeouts exist for. It speaks TLS too, so that a TLS
# handshake meets the same silence.
#
# The TLS servers share one throwaway PKI (slapd_tls_init): "tls" has a
# certificate for 127.0.0.1, "wrongname" one for another host name, both
# signed by SLAPD_TLS_CA; SLAPD_TLS_OTHER_CA signed neither.

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

slapd_tls_init "$tmp/pki" || exit 1
slapd_start "$tmp/anon" anon-bind || exit 1
export SLAPD_ANON_URI=$SLAPD_URI
slapd_start "$tmp/private" private || exit 1
export SLAPD_PRIVATE_URI=$SLAPD_URI
slapd_start "$tmp/tls" strict tls || exit 1
export SLAPD_TLS_URI=$SLAPD_URI SLAPD_TLS_LDAPS_URI=$SLAPD_LDAPS_URI
slapd_start "$tmp/wrongname" strict tls-wrong-name || exit 1
export SLAPD_WRONGNAME_URI=$SLAPD_URI
export SLAPD_WRONGNAME_LDAPS_URI=$SLAPD_LDAPS_URI
slapd_start "$tmp/hung" strict tls || exit 1
export SLAPD_HUNG_URI=$SLAPD_URI SLAPD_HUNG_LDAPS_URI=$SLAPD_LDAPS_URI
kill -STOP "$SLAPD_PID"
# Last, so that SLAPD_URI and SLAPD_PID name the plain strict server,
# which has no TLS at all.
slapd_start "$tmp/strict" strict || exit 1

"$test_bin"
