# SPDX-License-Identifier: ISC
# shellcheck shell=bash
# End-to-end cases of the directory over TLS: the signer talks to a real
# slapd over ldaps:// or StartTLS, trusting the throwaway CA of
# tests/lib/slapd.sh, and a real `ssh ... sign` either gets its
# certificate or, when TLS cannot be trusted, reads that the directory
# is unavailable. libldap's own words go to the operators' log, never
# to the user.
#
# run sources every cases*.sh file into one shell: the helpers here
# start with ldap_, so that they cannot replace anyone else's. The
# FIXTURE_ variables they set are read by tests/lib/fixture.sh.
# shellcheck disable=SC2034

# ldap_use_directory URI [LINES]: point the signer at URI with LINES
# added to [ldap]. The next connection reads it.
ldap_use_directory() {
	FIXTURE_LDAP_URI=$1
	FIXTURE_LDAP_EXTRA=${2:-}
	fixture_write_config
}

# ldap_sign LOGIN PASSWORD KEY: `ssh ... sign`; the certificate in
# $WORK/out, the errors in $WORK/err, the exit status in $ldap_rc.
ldap_sign() {
	ldap_rc=0
	cassh_ssh "$1" "$2" sign <"$WORK/$3.pub" >"$WORK/out" \
	    2>"$WORK/err" || ldap_rc=$?
}

ldap_assert_signed() {
	assert_eq "$ldap_rc" 0 "exit status ($(cat "$WORK/err"))"
	assert_contains "$(ssh-keygen -L -f "$WORK/out" 2>&1)" \
	    "Key ID: \"$1\"" "certificate"
}

# The user reads that the directory is unavailable, exit 255 (no
# command ran), and nothing of libldap's or of TLS's own words; the
# log holds those, at the step named.
ldap_assert_unavailable() {
	local err
	err=$(cat "$WORK/err")
	assert_eq "$ldap_rc" 255 "exit status ($err)"
	assert_empty_file "$WORK/out"
	assert_contains "$err" "directory (LDAP) is unavailable" "stderr"
	local leak
	for leak in incorrect "contact LDAP" "unknown error" TLS \
	    certificate "Connect error"; do
		if grep -qiF -- "$leak" <<<"$err"; then
			fail "the user was told '$leak': $err"
		fi
	done
	grep -q "event=ldap_error .*step=\"$1\"" "$WORK/audit.log" ||
	    fail "no ldap_error at step $1 in the log"
}

setup_sign_over_ldaps_with_the_configured_ca() {
	FIXTURE_SLAPD_TLS=tls
}
case_sign_over_ldaps_with_the_configured_ca() {
	ldap_use_directory "$SLAPD_LDAPS_URI" "ca_cert = $SLAPD_TLS_CA"
	ldap_sign alice "$SLAPD_ALICE_PW" alice_key
	ldap_assert_signed alice/1
	if grep -q "event=ldap_error" "$WORK/audit.log"; then
		fail "an LDAP error was logged: $(grep ldap_error \
		    "$WORK/audit.log")"
	fi
}

setup_sign_over_starttls_with_the_configured_ca() {
	FIXTURE_SLAPD_TLS=tls
}
case_sign_over_starttls_with_the_configured_ca() {
	ldap_use_directory "$SLAPD_URI" "starttls = yes
ca_cert = $SLAPD_TLS_CA"
	ldap_sign alice "$SLAPD_ALICE_PW" alice_key
	ldap_assert_signed alice/1
}

setup_ldaps_with_the_wrong_ca_reads_as_directory_unavailable() {
	FIXTURE_SLAPD_TLS=tls
}
case_ldaps_with_the_wrong_ca_reads_as_directory_unavailable() {
	ldap_use_directory "$SLAPD_LDAPS_URI" \
	    "ca_cert = $SLAPD_TLS_OTHER_CA"
	ldap_sign alice "$SLAPD_ALICE_PW" alice_key
	ldap_assert_unavailable connect
	grep -q "ca_cert=\"$SLAPD_TLS_OTHER_CA\"" "$WORK/audit.log" ||
	    fail "the log does not name the CA bundle"
}

# The fixture's slapd has no TLS: it refuses StartTLS, and the password
# must not follow in clear.
case_starttls_refused_reads_as_directory_unavailable() {
	ldap_use_directory "$SLAPD_URI" "starttls = yes"
	ldap_sign alice "$SLAPD_ALICE_PW" alice_key
	ldap_assert_unavailable starttls
}

# The resolver may load a module of its own at the first lookup that
# reaches it (glibc's NSS: myhostname, mdns, resolve, sss), which the
# directory process's seccomp filter would refuse; it looks the
# servers' names up before its filter closes. Here the directory is
# named by a name that only libnss_myhostname answers, in a mount
# namespace whose nsswitch.conf asks it after the files.
case_a_server_named_through_a_resolver_module_is_reached() {
	local port=${SLAPD_URI##*:}
	if ! unshare -m --propagation private true 2>/dev/null; then
		echo "SKIP: no mount namespace here (unshare -m)" >&2
		exit 77
	fi
	if ! ldconfig -p | grep -q 'libnss_myhostname\.so\.2'; then
		echo "SKIP: no libnss_myhostname (libnss-myhostname)" >&2
		exit 77
	fi
	sed 's/^hosts:.*/hosts: files myhostname dns/' /etc/nsswitch.conf \
	    >"$WORK/nsswitch.conf"
	cat >"$WORK/signer-nss" <<EOF
#!/bin/bash
# The signer, resolving names through libnss_myhostname.
exec unshare -m --propagation private /bin/bash -c '
    mount --bind "\$0" /etc/nsswitch.conf && exec "\$@"' \\
    "$WORK/nsswitch.conf" "$SIGNER" "\$@"
EOF
	chmod 0755 "$WORK/signer-nss"
	faults_restart_signer "$WORK/signer-nss"
	ldap_use_directory "ldap://cassh-e2e.localhost:${port%/}/"
	ldap_sign alice "$SLAPD_ALICE_PW" alice_key
	ldap_assert_signed alice/1
	! grep -q "outside its sandbox" "$WORK/audit.log" ||
	    fail "the directory process met its filter: $(cat "$WORK/audit.log")"
}

# A signer that cannot change user (an ordinary user, as inetd runs it
# as cassh): its directory process keeps that uid, held by Landlock to
# an LDAP client's files. The copy of ca_cert it reads before that
# still serves TLS, even from a folder outside Landlock's list.
ldap_signer_as_nobody() {
	fixture_signer_nobody
	chown -R nobody "$WORK/state"
	cp "$SLAPD_TLS_CA" "$WORK/ldap-ca.pem"
	chown nobody "$WORK/ldap-ca.pem"
	chmod 0400 "$WORK/ldap-ca.pem"
	faults_restart_signer "$WORK/signer-nobody"
}

ldap_assert_kept_uid() {
	grep -q "uid $(id -u nobody) without the right to change user" \
	    "$WORK/audit.log" || fail "the signer could change user"
	! grep -q "outside its sandbox" "$WORK/audit.log" ||
	    fail "the directory process met its filter: $(cat "$WORK/audit.log")"
}

setup_sign_over_ldaps_from_a_signer_that_cannot_change_user() {
	FIXTURE_SLAPD_TLS=tls
}
case_sign_over_ldaps_from_a_signer_that_cannot_change_user() {
	ldap_use_directory "$SLAPD_LDAPS_URI" "ca_cert = $WORK/ldap-ca.pem"
	ldap_signer_as_nobody
	ldap_sign alice "$SLAPD_ALICE_PW" alice_key
	ldap_assert_signed alice/1
	ldap_assert_kept_uid
}

setup_sign_over_starttls_from_a_signer_that_cannot_change_user() {
	FIXTURE_SLAPD_TLS=tls
}
case_sign_over_starttls_from_a_signer_that_cannot_change_user() {
	ldap_use_directory "$SLAPD_URI" "starttls = yes
ca_cert = $WORK/ldap-ca.pem"
	ldap_signer_as_nobody
	ldap_sign alice "$SLAPD_ALICE_PW" alice_key
	ldap_assert_signed alice/1
	ldap_assert_kept_uid
}
