# SPDX-License-Identifier: ISC
# shellcheck shell=bash
# End-to-end cases of faults: the registry full, read-only or gone, a
# directory that accepts connections and never answers, many clients
# at once, and signers killed at random moments. Each runs the real
# slapd, cassh-signer under systemd-socket-activate and ssh, and checks
# what the user reads, the exit status, that no certificate leaks out
# unrecorded, and that the registry stays sound (cassh-admin check).
#
# run sources this file with cases.sh, whose helpers it uses: sign_as
# and assert_refused. Its own helpers start with faults_.

# Milliseconds since the epoch, for elapsed times.
faults_now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# faults_conf_set SECTION KEY VALUE: add a key to a section of the
# configuration. The signer reads it at each connection, so the next
# connection sees it; cassh-admin too.
faults_conf_set() {
	sed -i "s|^\[$1\]\$|&\n$2 = $3|" "$WORK/cassh.conf"
	grep -qx "$2 = $3" "$WORK/cassh.conf" || fail "cannot set $1 $2"
}

# faults_conf_change KEY VALUE: give a key of the configuration a new
# value, for the next connection.
faults_conf_change() {
	grep -q "^$1 = " "$WORK/cassh.conf" || fail "no $1 to change"
	sed -i "s|^$1 = .*\$|$1 = $2|" "$WORK/cassh.conf"
}

# faults_conf_get KEY: the value the fixture gave KEY.
faults_conf_get() {
	sed -n "s/^$1 = //p" "$WORK/cassh.conf" | tail -n 1
}

# faults_read_recorded: the serials the registry recorded, into
# $WORK/recorded, one a line, in decimal, sorted: the keys of its
# "certs" database (8 bytes, big-endian; db/SCHEMA.md), read with
# LMDB's own mdb_dump rather than with cassh. Not for a pipeline: it
# must be able to fail the case.
faults_read_recorded() {
	local hex
	mdb_dump -s certs "$WORK/state" >"$WORK/certs.dump" ||
	    fail "mdb_dump cannot read the registry"
	awk '/^HEADER=END$/ { body = 1; key = 1; next }
	    /^DATA=END$/ { body = 0 }
	    body { if (key) print $1; key = !key }' "$WORK/certs.dump" |
	while read -r hex; do
		printf '%d\n' "0x$hex"
	done | sort -n >"$WORK/recorded"
}

# faults_assert_recorded FILE: the certificate in FILE is recorded.
faults_assert_recorded() {
	local serial
	serial=$(faults_cert_serial "$1")
	[ -n "$serial" ] || fail "$1 is not a certificate"
	faults_read_recorded
	grep -qx "$serial" "$WORK/recorded" ||
	    fail "certificate $serial was not recorded"
}

# The serial of the certificate in FILE, as ssh-keygen reads it (which
# checks its signature too); empty if it is not a certificate.
faults_cert_serial() {
	ssh-keygen -L -f "$1" 2>/dev/null | sed -n 's/^ *Serial: //p'
}

# A command's refusal is one line on stderr, the one given.
faults_assert_one_line() {
	assert_refused "$1" "$2"
	assert_eq "$(wc -l <"$WORK/err")" 1 "lines on stderr ($(cat "$WORK/err"))"
}

# cassh-admin check must open the registry and find it consistent.
faults_check_registry() {
	local out rc=0
	out=$("$ADMIN" -c "$WORK/cassh.conf" check 2>&1) || rc=$?
	[ "$rc" -eq 0 ] || fail "cassh-admin check: exit $rc: $out"
	assert_contains "$out" "consistent" "cassh-admin check"
}

# No certificate left the signer and none was recorded.
faults_assert_nothing_issued() {
	if grep -q 'event=sign .*result="ok"' "$WORK/audit.log"; then
		fail "a signing succeeded: $(grep 'event=sign' "$WORK/audit.log")"
	fi
	faults_read_recorded
	assert_eq "$(wc -l <"$WORK/recorded")" 0 "recorded certificates"
}

# faults_restart_signer PROGRAM: serve connections with PROGRAM (a
# wrapper around the signer) instead of the signer itself.
faults_restart_signer() {
	local pid
	for pid in "${fixture_pids[@]}"; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	fixture_pids=()
	SIGNER=$1
	fixture_start_signer
}

# faults_wait_all SECONDS PID...: wait for every PID, at most SECONDS
# all together; past that, stop them and fail the case.
faults_wait_all() {
	local limit=$1 pid left
	shift
	local deadline=$(($(faults_now_ms) + limit * 1000))
	while :; do
		left=0
		for pid in "$@"; do
			kill -0 "$pid" 2>/dev/null && left=$((left + 1))
		done
		[ "$left" -eq 0 ] && break
		if [ "$(faults_now_ms)" -ge "$deadline" ]; then
			# The clients, and the ssh each may be running.
			for pid in "$@"; do
				pkill -P "$pid" 2>/dev/null
			done
			kill "$@" 2>/dev/null
			fail "$left of $# clients still running after $limit s"
		fi
		sleep 0.2
	done
	for pid in "$@"; do
		wait "$pid" 2>/dev/null
	done
}

case_sign_refuses_when_registry_is_full() {
	# config.c's smallest map, 1 MiB. A registry is created with the
	# default map; LMDB takes the configured size at the next open.
	faults_conf_set registry map_size 1048576
	# Fill it with users: large ones first (64 principals of 250
	# bytes make a record of about 16 KiB), then small ones for the
	# last pages, until cassh-admin itself is told the map is full.
	local principals i rc out big=1
	principals=$(printf 'p%0249d,' $(seq 1 64))
	principals=${principals%,}
	for ((i = 1; i <= 400; i++)); do
		rc=0
		if [ "$big" -eq 1 ]; then
			out=$("$ADMIN" -c "$WORK/cassh.conf" user add "fill$i" \
			    --key "$WORK/bob_key.pub" \
			    --principals "$principals" 2>&1) || rc=$?
		else
			out=$("$ADMIN" -c "$WORK/cassh.conf" user add "fill$i" \
			    --key "$WORK/bob_key.pub" 2>&1) || rc=$?
		fi
		[ "$rc" -eq 0 ] && continue
		assert_eq "$rc" 75 "cassh-admin user add on a full map ($out)"
		assert_contains "$out" "registry is full" "cassh-admin"
		[ "$big" -eq 0 ] && break
		big=0
	done
	[ "$rc" -eq 75 ] || fail "1 MiB held 400 users; the map is not full"
	faults_check_registry

	# A signing needs a few pages as well. If one still fits, it
	# must be recorded like any other; the refusal must come soon.
	local tries before
	faults_read_recorded
	before=$(wc -l <"$WORK/recorded")
	for ((tries = 1; tries <= 10; tries++)); do
		sign_as alice "$SLAPD_ALICE_PW" alice_key
		[ "$rc" -ne 0 ] && break
		faults_assert_recorded "$WORK/out"
	done
	faults_assert_one_line 75 \
	    "cassh: the registry is full; try again later and tell the CA"
	grep -q 'event=sign .*result="refused" reason="registry_full"' \
	    "$WORK/audit.log" || fail "no audit line for the refusal"
	grep -q 'raise \[registry\] map_size' "$WORK/audit.log" ||
	    fail "the log does not tell the operator what to do"
	faults_read_recorded
	assert_eq "$(wc -l <"$WORK/recorded")" "$((before + tries - 1))" \
	    "recorded certificates"
	faults_check_registry

	# Full is temporary (75): a larger map and it signs again.
	faults_conf_change map_size 4194304
	sign_as alice "$SLAPD_ALICE_PW" alice_key
	assert_eq "$rc" 0 "signing after raising map_size ($(cat "$WORK/err"))"
	faults_assert_recorded "$WORK/out"
	faults_check_registry
}

# A registry on a file system mounted read-only, as a unit with
# ProtectSystem=strict and no StateDirectory would leave it: the signer
# runs in a private mount namespace where the state folder is a
# read-only bind mount (root ignores file modes, not a read-only mount).
case_sign_refuses_when_registry_is_on_a_read_only_file_system() {
	if ! unshare -m --propagation private true 2>/dev/null; then
		echo "SKIP: no mount namespace here (unshare -m)" >&2
		exit 77
	fi
	cat >"$WORK/signer-ro" <<EOF
#!/bin/bash
# The signer, with $WORK/state read-only (pid and fds are kept: exec).
exec unshare -m --propagation private /bin/bash -c '
    mount --bind "\$0" "\$0" && mount -o remount,bind,ro "\$0" &&
    exec "\$@"' "$WORK/state" "$SIGNER" "\$@"
EOF
	chmod 0755 "$WORK/signer-ro"
	faults_restart_signer "$WORK/signer-ro"

	sign_as alice "$SLAPD_ALICE_PW" alice_key
	faults_assert_one_line 78 \
	    "cassh: the registry cannot be opened; tell the CA admins"
	grep -q 'Read-only file system' "$WORK/audit.log" ||
	    fail "the log does not say why: $(cat "$WORK/audit.log")"
	grep -q 'event=sign .*reason="registry_missing"' "$WORK/audit.log" ||
	    fail "no audit line for the refusal"
	faults_assert_nothing_issued
	# Outside the namespace the folder was never read-only.
	faults_check_registry
}

# The state files belong to another user and are read-only, and the
# signer runs as an ordinary user (nobody), as under systemd's
# User=cassh when cassh-admin made the files as root and nobody gave
# them back.
case_sign_refuses_when_registry_files_are_read_only_for_the_signer() {
	# Only the registry is out of reach.
	fixture_signer_nobody
	chmod 0444 "$WORK/state"/*.mdb
	chmod 0555 "$WORK/state"
	faults_restart_signer "$WORK/signer-nobody"

	sign_as alice "$SLAPD_ALICE_PW" alice_key
	faults_assert_one_line 78 \
	    "cassh: the registry cannot be opened; tell the CA admins"
	grep -q 'Permission denied' "$WORK/audit.log" ||
	    fail "the log does not say why: $(cat "$WORK/audit.log")"
	faults_assert_nothing_issued
	faults_check_registry
}

case_sign_refuses_after_login_when_state_folder_is_missing() {
	rm -rf "$WORK/state"
	sign_as alice "$SLAPD_ALICE_PW" alice_key
	faults_assert_one_line 78 \
	    "cassh: the registry cannot be opened; tell the CA admins"
	# The login itself succeeded: the refusal is the command's.
	grep -q 'event=auth .*login="alice" .*result="ok"' "$WORK/audit.log" ||
	    fail "alice did not log in"
	grep -q 'event=sign .*reason="registry_missing"' "$WORK/audit.log" ||
	    fail "no audit line for the refusal"
	grep -qF "registry $WORK/state" "$WORK/audit.log" ||
	    fail "the log does not name the folder"
	# What needs no registry still works.
	rc=0
	ssh_public ca >"$WORK/out" 2>"$WORK/err" || rc=$?
	assert_eq "$rc" 0 "ca without a registry ($(cat "$WORK/err"))"
	# Nothing was created in its place.
	[ ! -e "$WORK/state" ] || fail "the signer made a new state folder"
}

# slapd stopped with SIGSTOP keeps its socket: the kernel completes
# the TCP handshake and queues the requests, which nobody answers.
case_login_reports_directory_unavailable_when_slapd_never_answers() {
	local timeout start elapsed
	timeout=$(faults_conf_get timeout)
	[ -n "$timeout" ] || fail "no [ldap] timeout in the configuration"
	kill -STOP "$SLAPD_PID"
	start=$(faults_now_ms)
	sign_as alice "$SLAPD_ALICE_PW" alice_key
	elapsed=$(($(faults_now_ms) - start))
	kill -CONT "$SLAPD_PID"
	echo "answered in $elapsed ms; [ldap] timeout = $timeout s"
	assert_refused 255 "the directory (LDAP) is unavailable; try again"
	if grep -q "incorrect" "$WORK/err"; then
		fail "told a wrong password: $(cat "$WORK/err")"
	fi
	# One timeout, with 2 s for ssh's own start and key exchange.
	[ "$elapsed" -ge $((timeout * 1000 - 100)) ] ||
	    fail "gave up after $elapsed ms, before the timeout"
	[ "$elapsed" -le $((timeout * 1000 + 2000)) ] ||
	    fail "took $elapsed ms, past the $timeout s timeout"
	grep -q 'event=ldap_error .*error="Timed out"' "$WORK/audit.log" ||
	    fail "no ldap_error line: $(cat "$WORK/audit.log")"
	grep -q 'event=auth .*reason="directory_unavailable"' \
	    "$WORK/audit.log" || fail "no audit line for the refusal"
}

# 64 clients at once, each signing 5 times in a row, against one
# signer socket: every signing succeeds, every serial is different,
# and the registry holds exactly the certificates the clients got.
# e2e: alone
case_concurrent_signings_get_unique_recorded_serials() {
	local clients=64 rounds=5 c r pids=() start elapsed
	# The point is the registry: give LDAP, which 64 signers (slower
	# still when sanitized) on two cores can keep waiting, more than
	# the fixture's 3 s.
	faults_conf_change timeout 30
	mkdir "$WORK/c"
	start=$(faults_now_ms)
	for ((c = 1; c <= clients; c++)); do
		(
			for ((r = 1; r <= rounds; r++)); do
				x=0
				cassh_ssh alice "$SLAPD_ALICE_PW" \
				    sign <"$WORK/alice_key.pub" \
				    >"$WORK/c/$c.$r.cert" \
				    2>"$WORK/c/$c.$r.err" || x=$?
				echo "$x" >"$WORK/c/$c.$r.rc"
			done
		) &
		pids+=($!)
	done
	faults_wait_all 120 "${pids[@]}"
	elapsed=$(($(faults_now_ms) - start))
	echo "$((clients * rounds)) signings by $clients clients in $elapsed ms"

	local failed
	failed=$(grep -L '^0$' "$WORK"/c/*.rc | wc -l)
	[ "$failed" -eq 0 ] || fail "$failed signings failed:" \
	    "$(cat "$WORK"/c/*.err | sort | uniq -c | head -5)"
	local f
	for f in "$WORK"/c/*.cert; do
		faults_cert_serial "$f"
	done | sort -n >"$WORK/received"
	assert_eq "$(wc -l <"$WORK/received")" $((clients * rounds)) \
	    "certificates ssh-keygen reads"
	assert_eq "$(sort -u "$WORK/received" | wc -l)" $((clients * rounds)) \
	    "distinct serials"
	faults_read_recorded
	cmp -s "$WORK/received" "$WORK/recorded" ||
	    fail "received and recorded serials differ:" \
	    "$(diff "$WORK/received" "$WORK/recorded" | head -5)"
	faults_check_registry
}

# Clients sign in a loop for a while as signers are killed with
# SIGKILL at random moments: in the key exchange, waiting for LDAP, or
# inside the registry's write transaction. After every kill the
# registry opens and passes cassh-admin check (LMDB recovers a writer
# lock whose owner died), and at the end every certificate a client
# received is recorded. Bounded: 20 s of signing, 60 s in all.
# e2e: alone
case_registry_survives_signers_killed_at_random_moments() {
	local clients=16 run_s=20 c pids=() activate v monitors more
	local kills=0 ssh_kills=0
	# LeakSanitizer checks a process as it exits, from a helper that
	# fails ("Unable to get registers") when the process is killed
	# under it: in a sanitizer run this case's signers keep ASan and
	# UBSan but are not checked for leaks (the other cases' are).
	if [[ ${ASAN_OPTIONS:-} == *detect_leaks=1* ]]; then
		ASAN_OPTIONS=${ASAN_OPTIONS//detect_leaks=1/detect_leaks=0}
		faults_restart_signer "$SIGNER"
	fi
	activate=${fixture_pids[-1]}
	mkdir "$WORK/c"
	local stop_at=$(($(faults_now_ms) + run_s * 1000))
	for ((c = 1; c <= clients; c++)); do
		(
			n=0
			while [ "$(faults_now_ms)" -lt "$stop_at" ]; do
				n=$((n + 1))
				x=0
				cassh_ssh alice "$SLAPD_ALICE_PW" \
				    sign <"$WORK/alice_key.pub" \
				    >"$WORK/c/$c.$n.cert" \
				    2>"$WORK/c/$c.$n.err" || x=$?
				echo "$x" >"$WORK/c/$c.$n.rc"
			done
		) &
		pids+=($!)
	done

	while [ "$(faults_now_ms)" -lt "$stop_at" ]; do
		sleep "0.$(printf '%03d' $((RANDOM % 300)))"
		# A signer is a monitor, child of systemd-socket-activate,
		# and the process that speaks SSH, child of the monitor:
		# either may die. The kernel's lists are read by bash
		# itself: a signer may live less than the tenth of a
		# second a pgrep (a fork and a scan of /proc) takes here.
		monitors=()
		read -ra monitors 2>/dev/null \
		    <"/proc/$activate/task/$activate/children"
		[ "${#monitors[@]}" -gt 0 ] || continue
		v=${monitors[RANDOM % ${#monitors[@]}]}
		more=()
		if [ $((RANDOM % 2)) -eq 0 ]; then
			read -ra more 2>/dev/null <"/proc/$v/task/$v/children"
			[ "${#more[@]}" -eq 0 ] || v=${more[0]}
		fi
		kill -KILL "$v" 2>/dev/null || continue
		kills=$((kills + 1))
		[ "${#more[@]}" -eq 0 ] || ssh_kills=$((ssh_kills + 1))
		faults_check_registry
	done
	faults_wait_all 40 "${pids[@]}"

	local ok=0 refused=0 f
	: >"$WORK/received"
	for f in "$WORK"/c/*.rc; do
		if [ "$(cat "$f")" = 0 ]; then
			ok=$((ok + 1))
			faults_cert_serial "${f%.rc}.cert" >>"$WORK/received"
		else
			refused=$((refused + 1))
			# A client whose signer died gets nothing at all.
			assert_empty_file "${f%.rc}.cert"
		fi
	done
	sort -n -o "$WORK/received" "$WORK/received"
	faults_read_recorded
	echo "$kills kills ($ssh_kills of the SSH process);" \
	    "$ok certificates received, $refused signings" \
	    "cut off; $(wc -l <"$WORK/recorded") recorded"
	[ "$kills" -ge 20 ] || fail "only $kills signers were killed"
	[ "$ok" -gt 0 ] || fail "no signing succeeded"
	assert_eq "$(grep -c . "$WORK/received")" "$ok" \
	    "certificates ssh-keygen reads"
	assert_eq "$(sort -u "$WORK/received" | wc -l)" "$ok" \
	    "distinct serials"
	local missing
	missing=$(grep -vxF -f "$WORK/recorded" "$WORK/received")
	[ -z "$missing" ] || fail "received but not recorded: $missing"
	# And the CA still works once the storm is over.
	sign_as alice "$SLAPD_ALICE_PW" alice_key
	assert_eq "$rc" 0 "signing after the kills ($(cat "$WORK/err"))"
	faults_check_registry
}
