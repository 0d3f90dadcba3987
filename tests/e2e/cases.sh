# SPDX-License-Identifier: ISC
# End-to-end cases: each function is one behaviour, run in a world of
# its own (tests/lib/fixture.sh) with the real slapd, cassh-signer under
# systemd-socket-activate, ssh, ssh-keygen and sshd.

# Sign alice's key as alice; leaves the certificate in $WORK/out and
# the exit status in $rc.
sign_as() {
	local login=$1 password=$2 key=$3
	rc=0
	cassh_ssh "$login" "$password" sign <"$WORK/$key.pub" \
	    >"$WORK/out" 2>"$WORK/err" || rc=$?
}

# The certificate as ssh-keygen reads it (which also checks the
# signature).
keygen_read() {
	ssh-keygen -L -f "$1" 2>&1 || fail "ssh-keygen cannot read $1"
}

# A refusal: non-zero exit, nothing on stdout, one line saying why.
assert_refused() {
	local want_rc=$1 want_msg=$2
	[ "$rc" -ne 0 ] || fail "expected a refusal, got exit 0"
	[ -z "$want_rc" ] || assert_eq "$rc" "$want_rc" "exit status"
	assert_empty_file "$WORK/out"
	assert_contains "$(cat "$WORK/err")" "$want_msg" "stderr"
}

case_sign_returns_certificate_that_ssh_keygen_reads() {
	sign_as alice "$SLAPD_ALICE_PW" alice_key
	assert_eq "$rc" 0 "exit status ($(cat "$WORK/err"))"
	local line
	line=$(cat "$WORK/out")
	assert_contains "$line" "ssh-ed25519-cert-v01@openssh.com " "cert"
	assert_eq "$(wc -l <"$WORK/out")" 1 "lines of output"
	cp "$WORK/out" "$WORK/alice_key-cert.pub"
	local l
	l=$(keygen_read "$WORK/alice_key-cert.pub")
	assert_contains "$l" "Type: ssh-ed25519-cert-v01@openssh.com user"
	assert_contains "$l" "Serial: 1"
	assert_contains "$l" 'Key ID: "alice/1"'
	assert_contains "$l" "$FIXTURE_UNIX_USER"
	assert_contains "$l" "alice-ops"
	assert_contains "$l" "permit-pty"
	assert_contains "$l" "Critical Options: (none)"
	# The validity starts a few minutes back and lasts one day.
	local from to now
	from=$(sed -n 's/.*Valid: from \([^ ]*\) to \([^ ]*\).*/\1/p' <<<"$l")
	to=$(sed -n 's/.*Valid: from \([^ ]*\) to \([^ ]*\).*/\2/p' <<<"$l")
	now=$(date +%s)
	from=$(date -d "$from" +%s)
	to=$(date -d "$to" +%s)
	[ $((now - from)) -ge 240 ] && [ $((now - from)) -le 400 ] ||
	    fail "valid_after is $((now - from)) s back, not ~300"
	[ $((to - now)) -ge 86000 ] && [ $((to - now)) -le 86400 ] ||
	    fail "valid_before is $((to - now)) s ahead, not ~86400"
	# The same key was signed.
	assert_eq "$(ssh-keygen -l -f "$WORK/alice_key-cert.pub" |
	    cut -d' ' -f2)" "$(ssh-keygen -l -f "$WORK/alice_key.pub" |
	    cut -d' ' -f2)" "fingerprint"
	grep -q 'event=sign .*result="ok"' "$WORK/audit.log" ||
	grep -q 'event=sign .*result=ok' "$WORK/audit.log" ||
	    fail "no audit line for the signing"
}

case_sign_with_generic_login_asks_for_the_login() {
	CASSH_AS=alice sign_as cassh "$SLAPD_ALICE_PW" alice_key
	assert_eq "$rc" 0 "exit status ($(cat "$WORK/err"))"
	assert_contains "$(keygen_read "$WORK/out")" 'Key ID: "alice/1"'
}

case_signer_sign_is_a_synonym() {
	rc=0
	cassh_ssh alice "$SLAPD_ALICE_PW" signer sign \
	    <"$WORK/alice_key.pub" >"$WORK/out" 2>"$WORK/err" || rc=$?
	assert_eq "$rc" 0 "exit status ($(cat "$WORK/err"))"
	keygen_read "$WORK/out" >/dev/null
}

case_two_signings_get_two_serials() {
	sign_as alice "$SLAPD_ALICE_PW" alice_key
	assert_eq "$rc" 0 "first signing"
	local a b
	a=$(keygen_read "$WORK/out" | sed -n 's/.*Serial: //p')
	sign_as alice "$SLAPD_ALICE_PW" alice_key
	assert_eq "$rc" 0 "second signing"
	b=$(keygen_read "$WORK/out" | sed -n 's/.*Serial: //p')
	[ -n "$a" ] && [ -n "$b" ] && [ "$a" != "$b" ] ||
	    fail "serials '$a' and '$b' should differ"
}

# Register carol (in LDAP, not in the registry) with a key of the type
# under test, and sign it.
sign_key_type() {
	local want=$1
	shift
	fixture_key carol_key "$@"
	fixture_user carol carol active "$WORK/carol_key.pub" carol ||
	    fail "cannot register a $want key"
	sign_as carol "$SLAPD_CAROL_PW" carol_key
	assert_eq "$rc" 0 "signing a $want key ($(cat "$WORK/err"))"
	assert_contains "$(keygen_read "$WORK/out")" \
	    "Type: $want-cert-v01@openssh.com user"
}

case_sign_accepts_ecdsa_p256_key() {
	sign_key_type ecdsa-sha2-nistp256 -t ecdsa -b 256
}

case_sign_accepts_ecdsa_p384_key() {
	sign_key_type ecdsa-sha2-nistp384 -t ecdsa -b 384
}

case_sign_accepts_ecdsa_p521_key() {
	sign_key_type ecdsa-sha2-nistp521 -t ecdsa -b 521
}

case_sign_accepts_rsa_3072_key() {
	sign_key_type ssh-rsa -t rsa -b 3072
}

setup_sign_accepts_rsa_2048_key_when_minimum_lowered() {
	FIXTURE_MIN_RSA_BITS=2048
}

case_sign_accepts_rsa_2048_key_when_minimum_lowered() {
	sign_key_type ssh-rsa -t rsa -b 2048
}

case_sign_refuses_rsa_2048_key_by_default() {
	fixture_key carol_key -t rsa -b 2048
	# The registry refuses it too, so sign a registered user's request
	# with it: the key policy is checked before anything else.
	sign_as alice "$SLAPD_ALICE_PW" carol_key
	assert_refused 65 "too short"
}

case_sign_refuses_wrong_password() {
	sign_as alice "not-the-password" alice_key
	assert_refused "" ""
	assert_eq "$rc" 255 "ssh exit status"
}

case_sign_refuses_empty_password() {
	sign_as alice "" alice_key
	assert_refused "" ""
	assert_eq "$rc" 255 "ssh exit status"
}

case_sign_refuses_unknown_ldap_user() {
	sign_as nosuchuser "whatever" alice_key
	assert_refused "" ""
	assert_eq "$rc" 255 "ssh exit status"
}

case_sign_refuses_user_not_in_registry() {
	sign_as carol "$SLAPD_CAROL_PW" alice_key
	assert_refused 77 "not registered"
}

case_sign_refuses_pending_user() {
	sign_as bob "$SLAPD_BOB_PW" bob_key
	assert_refused 77 "pending"
}

case_sign_refuses_key_that_is_not_registered() {
	sign_as dave "$SLAPD_DAVE_PW" dave_other_key
	assert_refused 77 "not your registered key"
}

case_sign_refuses_another_users_key() {
	sign_as dave "$SLAPD_DAVE_PW" alice_key
	assert_refused 77 "not your registered key"
}

case_sign_refuses_garbage_on_stdin() {
	rc=0
	head -c 3000 /dev/urandom | cassh_ssh alice "$SLAPD_ALICE_PW" sign \
	    >"$WORK/out" 2>"$WORK/err" || rc=$?
	assert_refused 65 "not one valid OpenSSH public key line"
}

case_sign_refuses_empty_stdin() {
	rc=0
	cassh_ssh alice "$SLAPD_ALICE_PW" sign </dev/null \
	    >"$WORK/out" 2>"$WORK/err" || rc=$?
	assert_refused 65 "no public key on standard input"
}

case_sign_refuses_oversized_stdin() {
	rc=0
	{ cat "$WORK/alice_key.pub"; head -c 40000 /dev/zero | tr '\0' x; } |
	    cassh_ssh alice "$SLAPD_ALICE_PW" sign \
	    >"$WORK/out" 2>"$WORK/err" || rc=$?
	assert_refused 65 "too long"
}

case_sign_refuses_private_key() {
	rc=0
	cassh_ssh alice "$SLAPD_ALICE_PW" sign <"$WORK/alice_key" \
	    >"$WORK/out" 2>"$WORK/err" || rc=$?
	assert_refused 65 "private key"
}

case_unknown_command_is_a_usage_error() {
	rc=0
	cassh_ssh alice "$SLAPD_ALICE_PW" frobnicate </dev/null \
	    >"$WORK/out" 2>"$WORK/err" || rc=$?
	assert_refused 64 "unknown command"
}

# A command line longer than any command (1024 bytes and more) is a
# usage error like any other, for a person and for the public login;
# never a fault between the processes.
case_overlong_command_line_is_a_usage_error() {
	local long
	long=$(head -c 5000 /dev/zero | tr '\0' x)
	rc=0
	cassh_ssh alice "$SLAPD_ALICE_PW" "sign $long" </dev/null \
	    >"$WORK/out" 2>"$WORK/err" || rc=$?
	assert_refused 64 "unknown command"
	rc=0
	ssh_public "$long" </dev/null >"$WORK/out" \
	    2>"$WORK/err" || rc=$?
	assert_refused 64 "unknown command"
	[ "$(grep -c 'event=command .*reason="usage"' "$WORK/audit.log")" = 2 ] ||
	    fail "not two usage lines: $(cat "$WORK/audit.log")"
	! grep -q 'event=privsep' "$WORK/audit.log" ||
	    fail "a fault between the processes: $(cat "$WORK/audit.log")"
}

# A connection that never gets as far as a login still leaves its
# line: one that sends nothing until the grace time is over, and one
# that speaks something other than SSH.
case_connections_without_a_key_exchange_are_audited() {
	sed -i 's/^login_grace_time = .*/login_grace_time = 1/' \
	    "$WORK/cassh.conf"
	timeout 20 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"; cat <&3' \
	    _ "$SIGNER_PORT" >/dev/null || fail "the silent connection stayed"
	printf 'GET / HTTP/1.0\r\n\r\n' | timeout 20 bash -c \
	    'exec 3<>"/dev/tcp/127.0.0.1/$1"; cat >&3; cat <&3' \
	    _ "$SIGNER_PORT" >/dev/null || fail "the HTTP connection stayed"
	grep -q 'event=auth .*login=- .*result="refused" reason="login_grace_time"' \
	    "$WORK/audit.log" || fail "no line for the silent connection: \
$(cat "$WORK/audit.log")"
	grep -q 'event=auth .*login=- .*result="refused" reason="key_exchange"' \
	    "$WORK/audit.log" || fail "no line for the HTTP connection: \
$(cat "$WORK/audit.log")"
}

case_status_prints_the_record_as_json() {
	sign_as alice "$SLAPD_ALICE_PW" alice_key
	assert_eq "$rc" 0 "signing"
	rc=0
	cassh_ssh alice "$SLAPD_ALICE_PW" status </dev/null \
	    >"$WORK/out" 2>"$WORK/err" || rc=$?
	assert_eq "$rc" 0 "status exit ($(cat "$WORK/err"))"
	jq -e '
	    .name == "alice" and .state == "ACTIVE" and
	    .principals == ["cassht1", "alice-ops"] and .expiry == "+1d" and
	    .keys[0].type == "ssh-ed25519" and
	    (.keys[0].fingerprint | startswith("SHA256:")) and
	    .last_certificate.serial == 1 and
	    .last_certificate.seconds_left > 86000 and
	    .last_certificate.seconds_left <= 86400' "$WORK/out" >/dev/null ||
	    fail "status JSON: $(cat "$WORK/out")"
}

case_ca_prints_the_ca_key_to_the_public_login() {
	rc=0
	ssh_public ca >"$WORK/out" 2>"$WORK/err" || rc=$?
	assert_eq "$rc" 0 "exit status ($(cat "$WORK/err"))"
	assert_eq "$(cut -d' ' -f1,2 "$WORK/out")" \
	    "$("$ADMIN" -c "$WORK/cassh.conf" ca | cut -d' ' -f1,2)" "CA key"
	ssh-keygen -l -f "$WORK/out" >/dev/null || fail "not a public key"
}

case_public_login_cannot_sign() {
	rc=0
	ssh_public sign <"$WORK/alice_key.pub" >"$WORK/out" 2>"$WORK/err" ||
	    rc=$?
	assert_refused 77 "not permitted"
}

case_a_pty_is_refused_and_no_shell_runs() {
	rc=0
	cassh_ssh alice "$SLAPD_ALICE_PW" -tt </dev/null >"$WORK/out" \
	    2>"$WORK/err" || rc=$?
	[ "$rc" -ne 0 ] || fail "a shell request succeeded"
	grep -q 'event=request .*request="pty" result="refused"' \
	    "$WORK/audit.log" || fail "no audit line for the pty"
}

case_sshd_accepts_certificate_for_listed_principal() {
	fixture_start_sshd
	sign_as alice "$SLAPD_ALICE_PW" alice_key
	assert_eq "$rc" 0 "signing"
	cp "$WORK/out" "$WORK/alice_key-cert.pub"
	local who
	who=$(sshd_login "$FIXTURE_UNIX_USER" alice_key 2>"$WORK/err") ||
	    fail "sshd refused the certificate: $(cat "$WORK/err")"
	assert_eq "$who" "$FIXTURE_UNIX_USER" "logged in as"
}

case_sshd_refuses_certificate_for_other_principal() {
	fixture_start_sshd
	sign_as alice "$SLAPD_ALICE_PW" alice_key
	assert_eq "$rc" 0 "signing"
	cp "$WORK/out" "$WORK/alice_key-cert.pub"
	if sshd_login "$FIXTURE_OTHER_UNIX_USER" alice_key \
	    >"$WORK/who" 2>"$WORK/err"; then
		fail "sshd accepted a principal the certificate lacks"
	fi
	assert_empty_file "$WORK/who"
}

setup_inetd_mode_signs() {
	FIXTURE_SIGNER_MODE=inetd
}

case_inetd_mode_signs() {
	sign_as alice "$SLAPD_ALICE_PW" alice_key
	assert_eq "$rc" 0 "exit status ($(cat "$WORK/err"))"
	keygen_read "$WORK/out" >/dev/null
}

case_login_gives_up_after_max_auth_tries() {
	rc=0
	CASSH_LOGIN=alice CASSH_PASSWORD=wrong \
	SSH_ASKPASS="$WORK/askpass" SSH_ASKPASS_REQUIRE=force DISPLAY=:0 \
	    ssh -F /dev/null -p "$SIGNER_PORT" \
	    -o UserKnownHostsFile="$WORK/known_hosts" \
	    -o GlobalKnownHostsFile=/dev/null \
	    -o PreferredAuthentications=keyboard-interactive \
	    -o NumberOfPasswordPrompts=10 \
	    alice@127.0.0.1 sign <"$WORK/alice_key.pub" \
	    >"$WORK/out" 2>"$WORK/err" || rc=$?
	assert_refused 255 "too many attempts"
	assert_eq "$(grep -c 'event=auth .*result="refused"' \
	    "$WORK/audit.log")" 3 "refused attempts logged"
}

case_forwarding_channels_are_refused() {
	rc=0
	cassh_ssh alice "$SLAPD_ALICE_PW" -W 127.0.0.1:22 </dev/null \
	    >"$WORK/out" 2>"$WORK/err" || rc=$?
	[ "$rc" -ne 0 ] || fail "a direct-tcpip channel was opened"
	assert_empty_file "$WORK/out"
	grep -q 'event=request .*request="channel" result="refused"' \
	    "$WORK/audit.log" || fail "no audit line for the channel"
}

case_audit_line_escapes_client_strings() {
	CASSH_AS='x"y' sign_as cassh wrong alice_key
	[ "$rc" -ne 0 ] || fail "a bogus login signed"
	# A quote from the client never ends the quoted value.
	grep -qF 'login="x\x22y"' "$WORK/audit.log" ||
	    fail "audit line not escaped: $(cat "$WORK/audit.log")"
}

case_directory_down_is_not_reported_as_a_wrong_password() {
	slapd_stop
	sign_as alice "$SLAPD_ALICE_PW" alice_key
	assert_refused 255 "directory (LDAP) is unavailable"
	if grep -q "incorrect" "$WORK/err"; then
		fail "told a wrong password: $(cat "$WORK/err")"
	fi
}

# The process that speaks SSH to the client runs confined, and (when
# the signer starts as root) as another user than the monitor that
# holds the CA key: look at it while a connection waits for input.
# e2e_monitor: the pid of the monitor of the signer's one connection.
e2e_monitor() {
	pgrep -P "${fixture_pids[-1]}" | head -1
}

# e2e_process NAME: the pid of the connection's process called NAME
# (cassh-net, cassh-dir), under the monitor.
e2e_process() {
	local monitor p
	monitor=$(e2e_monitor)
	[ -n "$monitor" ] || return 1
	for p in $(pgrep -P "$monitor"); do
		grep -q "^Name:	$1\$" "/proc/$p/status" 2>/dev/null &&
		    { echo "$p"; return 0; }
	done
	return 1
}

# e2e_confined PID WHAT: confined for good, and as root, the privsep
# user.
e2e_confined() {
	local st uid
	st=$(cat "/proc/$1/status")
	assert_contains "$st" "Seccomp:	2" "$2"
	assert_contains "$st" "NoNewPrivs:	1" "$2"
	assert_contains "$st" "CapEff:	0000000000000000" "$2"
	if [ "$(id -u)" = 0 ]; then
		uid=$(awk '/^Uid:/ { print $2 }' "/proc/$1/status")
		assert_eq "$uid" "$(id -u nobody)" "$2 uid"
	fi
}

# e2e_logged_in_waiting: an ssh sign of alice's that has logged in
# and waits for its standard input, the fifo on fd 7; e2e_ssh is its
# pid.
e2e_logged_in_waiting() {
	mkfifo "$WORK/stdin"
	cassh_ssh alice "$SLAPD_ALICE_PW" sign <"$WORK/stdin" \
	    >"$WORK/out" 2>"$WORK/err" &
	e2e_ssh=$!
	exec 7>"$WORK/stdin"
	for _ in $(seq 1 200); do
		grep -q 'event=auth .*login="alice".*result="ok"' \
		    "$WORK/audit.log" 2>/dev/null && break
		sleep 0.05
	done
}

# ... and then gets its certificate.
e2e_finish_signing() {
	local rc=0
	cat "$WORK/alice_key.pub" >&7
	exec 7>&-
	wait "$e2e_ssh" || rc=$?
	assert_eq "$rc" 0 "exit status ($(cat "$WORK/err"))"
	keygen_read "$WORK/out" >/dev/null
}

case_session_process_is_sandboxed() {
	local child
	e2e_logged_in_waiting
	child=$(e2e_process cassh-net) || fail "no session process"
	e2e_confined "$child" "session process"
	! grep -q 'libldap' "/proc/$child/maps" ||
	    fail "the session process maps libldap"
	e2e_finish_signing
}

# libldap and all under it (GnuTLS, Cyrus SASL) live in the directory
# process alone, confined as the privsep user: never in the monitor,
# which holds the CA key, nor in the session process.
case_directory_process_is_sandboxed_and_alone_maps_libldap() {
	local dir
	e2e_logged_in_waiting
	dir=$(e2e_process cassh-dir) || fail "no directory process"
	e2e_confined "$dir" "directory process"
	grep -q 'cassh-directory\.so' "/proc/$dir/maps" ||
	    fail "the directory process has not loaded the LDAP module"
	! grep -qE 'libldap|libgnutls|libsasl2' "/proc/$(e2e_monitor)/maps" ||
	    fail "the monitor maps the LDAP libraries"
	e2e_finish_signing
}

# e2e_slapd_connections PID: the inodes of PID's sockets that are
# connections to slapd, one a line (none: empty).
e2e_slapd_connections() {
	local port hex socks
	port=${SLAPD_URI##*:}
	hex=$(printf '%04X' "${port%/}")
	socks=$(find "/proc/$1/fd" -lname 'socket:*' -printf '%l\n' |
	    tr -dc '0-9\n')
	[ -n "$socks" ] || return 0
	awk -v p=":$hex" '$3 ~ p"$" && $4 == "01" { print $10 }' \
	    /proc/net/tcp | grep -Fx -f <(echo "$socks") || true
}

# The directory process loads libldap once the child's version line is
# out, and looks the login up as soon as the client names it: while the
# person is still at the password prompt, it holds a connection to
# slapd, and no login has been decided yet. A person who takes longer
# than [ldap] timeout finds the connection closed, and still logs in.
case_the_directory_looks_the_login_up_while_the_password_is_typed() {
	local dir='' rc=0 conns timeout
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP: reading the processes' descriptors needs root" >&2
		exit 77
	fi
	timeout=$(awk -F' *= *' '$1 == "timeout" { print $2 }' \
	    "$WORK/cassh.conf")
	# An askpass that waits at the password prompt, as a person does
	# (for a minute at most, should the case fail meanwhile).
	cat > "$WORK/askpass" <<'EOF'
#!/bin/sh
case "$1" in
*password*)
	: >"$CASSH_PROMPTED"
	n=0
	while [ ! -e "$CASSH_GO" ] && [ "$n" -lt 1200 ]; do
		sleep 0.05
		n=$((n + 1))
	done
	printf '%s\n' "$CASSH_PASSWORD" ;;
*) exit 1 ;;
esac
EOF
	export CASSH_PROMPTED=$WORK/prompted CASSH_GO=$WORK/go
	cassh_ssh alice "$SLAPD_ALICE_PW" sign <"$WORK/alice_key.pub" \
	    >"$WORK/out" 2>"$WORK/err" &
	local ssh_pid=$!
	for _ in $(seq 1 200); do
		[ -e "$WORK/prompted" ] && break
		sleep 0.05
	done
	[ -e "$WORK/prompted" ] || fail "no password prompt"
	dir=$(e2e_process cassh-dir) || fail "no directory process"
	for _ in $(seq 1 100); do
		conns=$(e2e_slapd_connections "$dir")
		[ -n "$conns" ] && break
		sleep 0.05
	done
	[ -n "$conns" ] ||
	    fail "the directory process has no connection to slapd at the prompt"
	! grep -q 'event=auth' "$WORK/audit.log" ||
	    fail "a login was decided before the password was typed"
	sleep $((timeout + 1))
	[ -z "$(e2e_slapd_connections "$dir")" ] ||
	    fail "the connection to slapd outlived the timeout at the prompt"
	: >"$WORK/go"
	wait "$ssh_pid" || rc=$?
	assert_eq "$rc" 0 "exit status ($(cat "$WORK/err"))"
	keygen_read "$WORK/out" >/dev/null
}

case_no_command_prints_the_usage_line() {
	rc=0
	cassh_ssh alice "$SLAPD_ALICE_PW" </dev/null >"$WORK/out" \
	    2>"$WORK/err" || rc=$?
	assert_refused 64 "run 'help' for the commands"
}

case_refused_requests_are_audited() {
	rc=0
	cassh_ssh alice "$SLAPD_ALICE_PW" -s sftp </dev/null >"$WORK/out" \
	    2>"$WORK/err" || rc=$?
	[ "$rc" -ne 0 ] || fail "a subsystem was started"
	grep -q 'event=request .*request="subsystem" result="refused"' \
	    "$WORK/audit.log" || fail "no audit line: $(cat "$WORK/audit.log")"
	rc=0
	cassh_ssh alice "$SLAPD_ALICE_PW" -o ExitOnForwardFailure=yes \
	    -R 127.0.0.1:0:127.0.0.1:22 status </dev/null >"$WORK/out" \
	    2>"$WORK/err" || rc=$?
	[ "$rc" -ne 0 ] || fail "a forwarding from the server was set up"
	grep -q 'event=request .*request="forward" result="refused"' \
	    "$WORK/audit.log" || fail "no line for -R: $(cat "$WORK/audit.log")"
	[ "$(grep -c 'event=request' "$WORK/audit.log")" = 2 ] ||
	    fail "lines for requests not refused: $(cat "$WORK/audit.log")"
}

# A login longer than any (64 bytes) is refused before the prompts,
# and the log says why rather than that the client left.
case_overlong_login_is_audited() {
	local name
	name=$(head -c 200 /dev/zero | tr '\0' a)
	rc=0
	cassh_ssh "$name" "$SLAPD_ALICE_PW" status </dev/null \
	    >"$WORK/out" 2>"$WORK/err" || rc=$?
	assert_eq "$rc" 255 "exit status"
	assert_empty_file "$WORK/out"
	grep -qE "event=auth .*login=\"a{200}\" .*reason=\"login_too_long\"" \
	    "$WORK/audit.log" || fail "no line: $(cat "$WORK/audit.log")"
}

case_sign_explains_a_utf16_key_file() {
	rc=0
	printf '\xff\xfe' >"$WORK/utf16.pub"
	iconv -f ascii -t utf-16le "$WORK/alice_key.pub" >>"$WORK/utf16.pub"
	cassh_ssh alice "$SLAPD_ALICE_PW" sign <"$WORK/utf16.pub" \
	    >"$WORK/out" 2>"$WORK/err" || rc=$?
	assert_refused 65 "save the key as plain ASCII"
}

# cassh-admin init writes nothing at all when it cannot write all: a
# key's folder that does not exist, or a key that exists already.
case_admin_init_writes_nothing_when_it_cannot_finish() {
	local d=$WORK/init-here
	mkdir "$d"
	cat >"$d/c.conf" <<EOF
[signer]
host_key = $d/keys/host_key
[ca]
key = $d/keys/ca_key
[registry]
path = $d/state
EOF
	rc=0
	"$ADMIN" -c "$d/c.conf" init >"$WORK/out" 2>"$WORK/err" || rc=$?
	assert_refused 78 "$d/keys (for $d/keys/ca_key) does not exist"
	assert_eq "$(wc -l <"$WORK/err")" 1 "lines on stderr"
	[ ! -e "$d/state" ] || fail "a registry was made without its keys"

	mkdir "$d/keys"
	touch "$d/keys/host_key"
	rc=0
	"$ADMIN" -c "$d/c.conf" init >"$WORK/out" 2>"$WORK/err" || rc=$?
	assert_refused 65 "exists already"
	[ ! -e "$d/state" ] || fail "a registry was made beside an old key"
	[ ! -e "$d/keys/ca_key" ] || fail "a CA key was made beside an old key"

	rm "$d/keys/host_key"
	"$ADMIN" -c "$d/c.conf" init >"$WORK/out" 2>"$WORK/err" ||
	    fail "init in place: $(cat "$WORK/err")"
	[ -s "$d/keys/ca_key" ] && [ -s "$d/keys/host_key.pub" ] &&
	    [ -d "$d/state" ] || fail "init made less than it should"
}
