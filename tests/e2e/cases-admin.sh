# SPDX-License-Identifier: ISC
# End-to-end cases of cassh-admin's refusals and its audit lines: a
# refusal exits with its status, prints one line on stderr and nothing
# on stdout, and leaves the registry as it was.

# adm_run ARGS...: cassh-admin with the case's configuration; output
# in $WORK/out and $WORK/err, exit status in $rc.
adm_run() {
	rc=0
	"$ADMIN" -c "$WORK/cassh.conf" "$@" >"$WORK/out" 2>"$WORK/err" ||
	    rc=$?
}

adm_users() {
	"$ADMIN" -c "$WORK/cassh.conf" user list --json ||
	    fail "user list: $?"
}

# adm_assert_refused RC PREFIX: the last adm_run exited RC with one
# line on stderr that starts with PREFIX, and printed nothing.
adm_assert_refused() {
	local err
	err=$(cat "$WORK/err")
	assert_eq "$rc" "$1" "exit status ($err)"
	assert_empty_file "$WORK/out"
	assert_eq "$(wc -l <"$WORK/err")" 1 "lines on stderr ($err)"
	[ "${err#"$2"}" != "$err" ] || fail "stderr '$err' lacks '$2'"
}

# adm_refuses RC PREFIX ARGS...: ARGS are refused, the registry kept.
adm_refuses() {
	local want_rc=$1 prefix=$2 before after
	shift 2
	before=$(adm_users) || fail "user list before $*"
	adm_run "$@"
	adm_assert_refused "$want_rc" "$prefix"
	after=$(adm_users) || fail "user list after $*"
	assert_eq "$after" "$before" "registry after $*"
}

case_admin_init_refuses_paths_that_coincide_before_writing() {
	local d=$WORK/init-same before after
	mkdir "$d"
	before=$(adm_users) || fail "user list"
	for pair in "$d/k $d/k $d/state" "$d/ca $d/k $d/k.pub" \
	    "$d/ca $d/k $d/ca/" "$d/k.pub $d/k $d/state" \
	    "$d/ca $d/./sub/../k $d/k" "$d/state/lock.mdb $d/k $d/state/"; do
		set -- $pair
		mkdir -p "$d/sub"
		printf '[signer]\nhost_key = %s\nlog_file = %s/log\n[ca]\nkey = %s\n[registry]\npath = %s\n' \
		    "$2" "$d" "$1" "$3" >"$d/c.conf"
		rc=0
		"$ADMIN" -c "$d/c.conf" init >"$WORK/out" 2>"$WORK/err" ||
		    rc=$?
		mkdir -p "$d/state"
		adm_assert_refused 78 "cassh-admin: init: ["
		assert_contains "$(cat "$WORK/err")" "path"
		[ -z "$(ls -A "$d" | grep -v -e '^c.conf$' -e '^sub$' \
		    -e '^state$')" ] && [ -z "$(ls -A "$d/state")" ] ||
		    fail "init wrote before refusing ($pair): $(ls -AR "$d")"
	done
	after=$(adm_users) || fail "user list"
	assert_eq "$after" "$before" "registry"
}

case_admin_refuses_a_repeated_option() {
	fixture_key erin_key
	local k=$WORK/erin_key.pub
	adm_refuses 64 "cassh-admin: --state given twice" \
	    user add erin --key "$k" --state active --state pending
	adm_refuses 64 "cassh-admin: --key given twice" \
	    user add erin --key "$k" --key "$k"
	adm_refuses 64 "cassh-admin: --login given twice" \
	    user add erin --key "$k" --login erin --login e
	adm_refuses 64 "cassh-admin: --principals given twice" \
	    user add erin --key "$k" --principals a --principals b
	adm_refuses 64 "cassh-admin: --expiry given twice" \
	    user add erin --key "$k" --expiry 1h --expiry 2h
	adm_refuses 64 "cassh-admin: --realname given twice" \
	    user add erin --key "$k" --realname A --realname B
	adm_refuses 64 "cassh-admin: --json given twice" \
	    user list --json --json
	adm_refuses 64 "cassh-admin: --host given twice" \
	    host-key --host a --host b
	adm_refuses 64 "cassh-admin: --port given twice" \
	    host-key --port 22 --port 2222
}

case_admin_usage_errors_are_one_line() {
	local args err
	for args in "-x" "--config=f" "--bogus" "" "help foo" "-c" \
	    "user add --bogus" "user add x --key" "nosuch"; do
		# shellcheck disable=SC2086
		adm_run $args
		adm_assert_refused 64 "cassh-admin: "
		err=$(cat "$WORK/err")
		[ "${err%"; run cassh-admin -h"}" != "$err" ] ||
		    fail "'$args': '$err' does not point to -h"
	done
	for args in -h --help; do
		rc=0
		"$ADMIN" "$args" >"$WORK/out" 2>"$WORK/err" || rc=$?
		assert_eq "$rc" 0 "exit status of $args"
		assert_empty_file "$WORK/err"
		assert_contains "$(cat "$WORK/out")" "usage: cassh-admin" "$args"
		[ "$(wc -l <"$WORK/out")" -gt 5 ] || fail "$args: short usage"
	done
}

case_admin_audits_what_it_writes_to_the_log_file() {
	local log=$WORK/audit.log fp
	# It appends to log_file, but never makes it: made by root, the
	# signer could not write to it.
	rm -f "$log"
	adm_run user list
	[ ! -e "$log" ] || fail "cassh-admin made the log file"
	touch "$log"
	fixture_key erin_key
	fp=$(ssh-keygen -l -f "$WORK/erin_key.pub" | cut -d' ' -f2)
	adm_run user add erin --key "$WORK/erin_key.pub" --expiry 2h \
	    --principals erin,ops
	assert_eq "$rc" 0 "exit status ($(cat "$WORK/err"))"
	grep -qF "event=admin_user_add uid=$(id -u) name=\"erin\" login=\"erin\" state=\"PENDING\" fp=\"$fp\" expiry=7200 result=\"ok\" realname=\"\" principals=\"erin,ops\"" \
	    "$log" || fail "no line for erin: $(grep erin "$log")"
	# A user the registry refuses (taken already) is said too.
	adm_refuses 65 "cassh-admin: user add: erin is registered" \
	    user add erin --key "$WORK/erin_key.pub"
	grep -q 'event=admin_user_add .*name="erin" .*result="refused"' \
	    "$log" || fail "no line for the refusal: $(grep erin "$log")"
}

case_admin_refuses_a_realname_that_is_not_utf8() {
	fixture_key erin_key
	local name
	for name in $'\xff\xfe' $'Jos\xc3' $'a\xc0\xafb' $'\xed\xa0\x80' \
	    $'a\x1b[2Jb' $'a\xc2\x9bb' $'a\x7fb'; do
		adm_refuses 64 "cassh-admin: user add: --realname is not valid UTF-8" \
		    user add erin --key "$WORK/erin_key.pub" --realname "$name"
	done
	adm_run user add erin --key "$WORK/erin_key.pub" \
	    --realname 'Érin Ünïcode 日本'
	assert_eq "$rc" 0 "exit status ($(cat "$WORK/err"))"
	adm_run user show erin --json
	python3 -c 'import json, sys; u = json.load(sys.stdin)
assert "Érin Ünïcode 日本" in json.dumps(u, ensure_ascii=False), u' \
	    <"$WORK/out" || fail "user show --json: $(cat "$WORK/out")"
}

case_admin_refuses_a_principal_given_twice() {
	fixture_key erin_key
	adm_refuses 64 'cassh-admin: user add: principal "a" is given twice' \
	    user add erin --key "$WORK/erin_key.pub" --principals a,a
	adm_refuses 64 'cassh-admin: user add: principal "b" is given twice' \
	    user add erin --key "$WORK/erin_key.pub" --principals a,b,c,b
}

case_admin_host_key_takes_only_a_plain_decimal_port() {
	local p
	for p in ' 22' '+22' '22 ' '0' '022' '65536' '-1' '0x16' '' \
	    '99999999999999999999'; do
		adm_refuses 64 "cassh-admin: host-key: --port \"" \
		    host-key --port "$p"
	done
	adm_run host-key --host signer.example --port 2222
	assert_eq "$rc" 0 "exit status ($(cat "$WORK/err"))"
	assert_contains "$(cat "$WORK/out")" "[signer.example]:2222 ssh-ed25519 "
	adm_run host-key --host signer.example --port 22
	assert_contains "$(cat "$WORK/out")" "signer.example ssh-ed25519 "
}

case_admin_error_lines_escape_and_cut_what_they_echo() {
	local long err
	adm_refuses 77 'cassh-admin: user show: no user x\x1b]0;pwned\x07;' \
	    user show $'x\e]0;pwned\a'
	long=$(head -c 5000 /dev/zero | tr '\0' a)
	adm_refuses 77 "cassh-admin: user show: no user $(head -c 64 \
	    /dev/zero | tr '\0' a)...;" user show "$long"
	adm_refuses 64 'cassh-admin: unknown command "\x1b[2J";' $'\e[2J'
	adm_refuses 64 'cassh-admin: user add: unknown option --x\x1b[2J;' \
	    user add erin $'--x\e[2J'
	err=$(cat "$WORK/err")
	[ "${#err}" -lt 300 ] || fail "a line of ${#err} bytes"
}

# Where there is no syslog to read, the one error line names the cause
# itself: a CA key in the wrong format, an emptied registry file.
case_admin_error_lines_name_the_cause() {
	ssh-keygen -q -t ed25519 -N '' -f "$WORK/openssh_key"
	cp "$WORK/openssh_key" "$WORK/ca_key"
	adm_run ca
	adm_assert_refused 78 "cassh-admin: the CA key $WORK/ca_key cannot be used"
	assert_contains "$(cat "$WORK/err")" "PKCS#8" "stderr"

	: >"$WORK/state/data.mdb"
	adm_run user list
	adm_assert_refused 70 "cassh-admin: user list: registry"
	assert_contains "$(cat "$WORK/err")" "empty or cut short" "stderr"
	[ ! -s "$WORK/state/data.mdb" ] || fail "the emptied registry was filled"
}

# A folder, or a certificate, given as the user's key: the line says
# which, and nothing is added.
case_admin_user_add_names_a_wrong_key_file() {
	mkdir "$WORK/keys.d"
	adm_refuses 64 "cassh-admin: user add: cannot read $WORK/keys.d: Is a directory" \
	    user add erin --key "$WORK/keys.d"
	sign_as alice "$SLAPD_ALICE_PW" alice_key
	assert_eq "$rc" 0 "signing"
	cp "$WORK/out" "$WORK/alice-cert.pub"
	adm_refuses 65 "cassh-admin: user add: $WORK/alice-cert.pub holds a certificate" \
	    user add erin --key "$WORK/alice-cert.pub"
}
