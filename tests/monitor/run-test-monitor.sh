#!/bin/bash
# SPDX-License-Identifier: ISC
#
# run-test-monitor.sh TEST ADMIN: run test_monitor (TEST) against a real
# slapd (tests/lib/slapd.sh) and a registry, CA key and host key made
# by cassh-admin (ADMIN), all in one temporary folder that is removed
# at the end. Exits with the test's status.
#
# The registry holds alice and bob, both active, each with a key of
# their own; carol is in the directory only, so that her wrong
# passwords are never counted by a failed-login lockout.

set -u

test_bin=${1:?usage: run-test-monitor.sh TEST-BINARY CASSH-ADMIN}
admin=${2:?usage: run-test-monitor.sh TEST-BINARY CASSH-ADMIN}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib/slapd.sh
. "$here/../lib/slapd.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cassh-monitor.XXXXXX") || exit 1
cleanup()
{
	slapd_stop
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

# The test must not depend on this host's ldap.conf or ~/.ldaprc.
export LDAPNOINIT=1

slapd_start "$tmp/slapd" strict || exit 1
mkdir "$tmp/state"
cat > "$tmp/cassh.conf" <<CONF
[signer]
host_key = $tmp/host_key
log_file = $tmp/audit.log
max_auth_tries = 3

[ca]
key = $tmp/ca_key

[registry]
path = $tmp/state

[ldap]
uri = $SLAPD_URI
base = $SLAPD_PEOPLE
timeout = 3
CONF
"$admin" -c "$tmp/cassh.conf" init > "$tmp/init.log" 2>&1 ||
    { cat "$tmp/init.log" >&2; exit 1; }
for u in alice bob; do
	ssh-keygen -q -N '' -t ed25519 -C "$u@test" -f "$tmp/${u}_key" \
	    < /dev/null || exit 1
	"$admin" -c "$tmp/cassh.conf" user add "$u" --login "$u" \
	    --state active --key "$tmp/${u}_key.pub" --principals "$u" \
	    > /dev/null || exit 1
done

export CASSH_TEST_CONFIG=$tmp/cassh.conf
export CASSH_TEST_LOG=$tmp/audit.log
export CASSH_TEST_ALICE_KEY=$tmp/alice_key.pub
export CASSH_TEST_BOB_KEY=$tmp/bob_key.pub
"$test_bin"
