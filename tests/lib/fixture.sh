# SPDX-License-Identifier: ISC
# fixture.sh: a whole throwaway cassh world for one end-to-end test,
# made of real parts: a slapd with known users, a CA and registry made
# by cassh-admin, cassh-signer under systemd-socket-activate (one
# process per connection), the real OpenSSH client, and on request a
# real sshd that trusts the CA.
#
# Source it, then call fixture_setup; fixture_teardown runs on exit.
# Needs BUILD (the meson build folder) in the environment.

FIXTURE_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=slapd.sh
. "$FIXTURE_LIB/slapd.sh"

: "${BUILD:?BUILD must name the meson build folder}"
SIGNER=$BUILD/src/cassh-signer
ADMIN=$BUILD/src/cassh-admin

# The local accounts a certificate's principals log in to on sshd.
FIXTURE_UNIX_USER=cassht1
FIXTURE_OTHER_UNIX_USER=cassht2

fixture_pids=()

# A TCP port on 127.0.0.1 that nothing listens on (no tool needed).
fixture_free_port() {
	local p
	for _ in $(seq 1 50); do
		p=$((20000 + RANDOM % 40000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# fixture_wait_listen PID LOG TEXT: wait until the server PID says in
# LOG that it listens. Tests run in parallel: a free port can be taken
# by another test between the check and the bind, so only the server's
# own word proves the port is its own. Fails if the server died.
fixture_wait_listen() {
	for _ in $(seq 1 200); do
		grep -qF "$3" "$2" 2>/dev/null && return 0
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.025
	done
	return 1
}

# A sanitizer that stops a signer process writes its report where
# ASAN_OPTIONS' log_path says, except where it cannot: UBSan writes to
# standard error, which the signer points at /dev/null, and the
# sandboxed SSH process can open no file at all. The death still
# shows: systemd-socket-activate logs the monitor killed by SIGABRT
# (abort_on_error), and the monitor logs how its child died. In a
# sanitizer run (scripts/test --sanitize sets CASSH_SANITIZER_DIR)
# those lines become a report there. SIGKILL is left out: cases send
# it on purpose.
fixture_sanitizer_traces() {
	local dir=${CASSH_SANITIZER_DIR:-} hits sig='(4|6|7|8|11|31)$'
	local pid kids i
	[ -n "$dir" ] && [ -n "${WORK:-}" ] || return 0
	# A signer may still be finishing (a monitor reaps its child, or
	# LeakSanitizer looks at it, after the client is gone): let the
	# servers' children end and their deaths be logged first.
	for pid in "${fixture_pids[@]}"; do
		for ((i = 0; i < 100; i++)); do
			kids=
			read -r kids 2>/dev/null \
			    <"/proc/$pid/task/$pid/children" || true
			[ -z "$kids" ] && break
			sleep 0.1
		done
	done
	sleep 0.1
	hits=$(cat "$WORK/activate.log" "$WORK/audit.log" 2>/dev/null |
	    grep -E "died with code $sig|killed by signal $sig|outside its sandbox")
	[ -z "$hits" ] && return 0
	printf 'case %s: a signer process died:\n%s\n' \
	    "${FIXTURE_CASE:-?}" "$hits" >"$dir/signer.${WORK##*/}"
}

fixture_teardown() {
	local pid
	# Callers may run under set -e: nothing here may stop the cleanup.
	fixture_sanitizer_traces || true
	for pid in "${fixture_pids[@]}"; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	fixture_pids=()
	slapd_stop 2>/dev/null || true
	if [ -n "${WORK:-}" ] && [ -z "${KEEP_WORK:-}" ]; then
		rm -rf "$WORK"
	fi
}

# The askpass helper answers ssh's keyboard-interactive prompts from
# the environment: CASSH_LOGIN for "login:", CASSH_PASSWORD for
# "password:". It fails on any other prompt, so a test never hangs.
fixture_write_askpass() {
	cat > "$WORK/askpass" <<'EOF'
#!/bin/sh
case "$1" in
*login*) printf '%s\n' "$CASSH_LOGIN" ;;
*password*) printf '%s\n' "$CASSH_PASSWORD" ;;
*) exit 1 ;;
esac
EOF
	chmod 0755 "$WORK/askpass"
}

# FIXTURE_LDAP_URI replaces the [ldap] uri, and FIXTURE_LDAP_EXTRA
# (lines) is added to [ldap]: a case may set them and write the
# configuration again, which the next connection reads.
fixture_write_config() {
	cat > "$WORK/cassh.conf" <<EOF
[signer]
host_key = $WORK/ssh_host_ed25519_key
log_file = $WORK/audit.log
login_grace_time = 20

[ca]
key = $WORK/ca_key

[registry]
path = $WORK/state

[ldap]
uri = ${FIXTURE_LDAP_URI:-$SLAPD_URI}
base = ou=people,$SLAPD_BASE
timeout = 3
${FIXTURE_LDAP_EXTRA:-}

[certificate]
min_rsa_bits = ${FIXTURE_MIN_RSA_BITS:-3072}
EOF
}

# fixture_user NAME LOGIN STATE KEYFILE PRINCIPALS
fixture_user() {
	"$ADMIN" -c "$WORK/cassh.conf" user add "$1" --login "$2" \
	    --state "$3" --key "$4" --principals "$5" --expiry +1d \
	    >/dev/null
}

# fixture_key NAME [ssh-keygen type options]: a new key pair in WORK.
fixture_key() {
	local name=$1
	shift
	ssh-keygen -q -N '' -C "$name@test" "${@:--ted25519}" \
	    -f "$WORK/$name" </dev/null
}

# Start the signer on a fresh port; $1 is "inetd" for fd 0 mode.
fixture_start_signer() {
	local mode=(-a) pid v
	[ "${1:-}" = inetd ] && mode=(--inetd -a)
	# systemd-socket-activate gives its program only the variables
	# named with -E: pass the sanitizers' options on, so that a
	# sanitizer build of the signer reports where scripts/test looks.
	for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
		[ -n "${!v:-}" ] && mode+=(-E "$v")
	done
	for _ in 1 2 3 4 5; do
		SIGNER_PORT=$(fixture_free_port)
		systemd-socket-activate "${mode[@]}" \
		    -l "127.0.0.1:$SIGNER_PORT" "$SIGNER" \
		    -c "$WORK/cassh.conf" >"$WORK/activate.log" 2>&1 &
		pid=$!
		fixture_pids+=("$pid")
		fixture_wait_listen "$pid" "$WORK/activate.log" \
		    "Listening on" && break
	done
	printf '[127.0.0.1]:%s %s\n' "$SIGNER_PORT" \
	    "$(cut -d' ' -f1,2 "$WORK/ssh_host_ed25519_key.pub")" \
	    > "$WORK/known_hosts"
}

# fixture_signer_nobody: write $WORK/signer-nobody, the signer run as
# the ordinary user nobody (as inetd runs it as cassh: it cannot change
# user), and give that user what the signer must read: its folder, its
# keys and the log file. The caller restarts the signer with it.
fixture_signer_nobody() {
	cat >"$WORK/signer-nobody" <<EOF
#!/bin/sh
exec setpriv --reuid nobody --regid nogroup --clear-groups \\
    "$SIGNER" "\$@"
EOF
	chmod 0755 "$WORK/signer-nobody"
	chmod 0711 "$WORK"
	touch "$WORK/audit.log"
	chown nobody "$WORK/ssh_host_ed25519_key" "$WORK/ca_key" \
	    "$WORK/audit.log"
}

# The world every case starts from:
#   alice  ACTIVE, key alice_key, principals cassht1,alice-ops
#   bob    PENDING, key bob_key
#   dave   ACTIVE, registered key dave_key (dave_other_key is not his)
#   carol  in LDAP, not in the registry
# With FIXTURE_SLAPD_TLS=tls (or tls-wrong-name), slapd also speaks TLS
# (see slapd.sh): SLAPD_LDAPS_URI, SLAPD_TLS_CA, SLAPD_TLS_OTHER_CA.
fixture_setup() {
	WORK=$(mktemp -d /tmp/cassh-e2e.XXXXXX)
	trap fixture_teardown EXIT
	mkdir -p "$WORK/slapd" "$WORK/state"
	slapd_start "$WORK/slapd" strict "${FIXTURE_SLAPD_TLS:-}" || return 1
	fixture_write_config
	fixture_write_askpass
	"$ADMIN" -c "$WORK/cassh.conf" init >"$WORK/init.log" 2>&1 || {
		cat "$WORK/init.log" >&2
		return 1
	}
	fixture_key alice_key
	fixture_key bob_key
	fixture_key dave_key
	fixture_key dave_other_key
	fixture_user alice alice active "$WORK/alice_key.pub" \
	    "$FIXTURE_UNIX_USER,alice-ops"
	fixture_user bob bob pending "$WORK/bob_key.pub" bob
	fixture_user dave dave active "$WORK/dave_key.pub" dave
	fixture_start_signer "${FIXTURE_SIGNER_MODE:-}"
}

# cassh_ssh LOGIN PASSWORD COMMAND...: the real ssh client, as a user
# would run it, answering the prompts through askpass. Standard input
# and output are the caller's. LOGIN may be the generic "cassh", then
# CASSH_AS names the LDAP login typed at the prompt.
cassh_ssh() {
	local user=$1 password=$2
	shift 2
	CASSH_LOGIN=${CASSH_AS:-$user} CASSH_PASSWORD=$password \
	SSH_ASKPASS="$WORK/askpass" SSH_ASKPASS_REQUIRE=force DISPLAY=:0 \
	    ssh -F /dev/null -p "$SIGNER_PORT" \
	    -o UserKnownHostsFile="$WORK/known_hosts" \
	    -o GlobalKnownHostsFile=/dev/null \
	    -o StrictHostKeyChecking=yes \
	    -o PreferredAuthentications=keyboard-interactive \
	    -o NumberOfPasswordPrompts=1 \
	    -o ConnectTimeout=10 \
	    "$user@127.0.0.1" "$@"
}

# A local account that sshd can log in to (a user made by useradd is
# locked; with UsePAM no sshd refuses it until it has a password field).
fixture_unix_user() {
	# The account must reach its shell: a root folder made by mktemp
	# (a chroot built for a clean-machine check) is 0700, which no
	# real system has. Opening it for traversal changes nothing where
	# / is already 0755.
	[ -n "$(find / -maxdepth 0 -perm -o+x)" ] || chmod o+x /
	id "$1" >/dev/null 2>&1 ||
	    useradd -m -s /bin/sh "$1" >/dev/null 2>&1
	usermod -p '*' "$1" >/dev/null 2>&1
}

fixture_sshd_config() {
	cat > "$WORK/sshd_config" <<EOF
Port $SSHD_PORT
ListenAddress 127.0.0.1
HostKey $WORK/sshd_host_key
PidFile $WORK/sshd.pid
TrustedUserCAKeys $WORK/ca.pub
AuthorizedKeysFile none
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
UsePAM no
StrictModes no
EOF
}

# A throwaway sshd that trusts the CA and nothing else.
fixture_start_sshd() {
	fixture_unix_user "$FIXTURE_UNIX_USER"
	fixture_unix_user "$FIXTURE_OTHER_UNIX_USER"
	mkdir -p -m 0755 /run/sshd
	ssh-keygen -q -N '' -t ed25519 -f "$WORK/sshd_host_key" </dev/null
	"$ADMIN" -c "$WORK/cassh.conf" ca > "$WORK/ca.pub"
	local pid
	for _ in 1 2 3 4 5; do
		SSHD_PORT=$(fixture_free_port)
		fixture_sshd_config
		/usr/sbin/sshd -D -e -f "$WORK/sshd_config" \
		    2>"$WORK/sshd.log" &
		pid=$!
		fixture_pids+=("$pid")
		fixture_wait_listen "$pid" "$WORK/sshd.log" \
		    "Server listening" && break
	done
	printf '[127.0.0.1]:%s %s\n' "$SSHD_PORT" \
	    "$(cut -d' ' -f1,2 "$WORK/sshd_host_key.pub")" \
	    >> "$WORK/known_hosts"
}

# sshd_login UNIXUSER KEY: log in with KEY and KEY-cert.pub, run `id -un`.
sshd_login() {
	ssh -F /dev/null -p "$SSHD_PORT" -i "$WORK/$2" \
	    -o CertificateFile="$WORK/$2-cert.pub" \
	    -o IdentitiesOnly=yes -o BatchMode=yes \
	    -o UserKnownHostsFile="$WORK/known_hosts" \
	    -o GlobalKnownHostsFile=/dev/null \
	    -o StrictHostKeyChecking=yes \
	    -o PreferredAuthentications=publickey \
	    "$1@127.0.0.1" id -un </dev/null
}

# Assertions: each prints what differs and fails the case.
fail() {
	echo "FAIL: $*" >&2
	exit 1
}

assert_eq() {
	[ "$1" = "$2" ] || fail "${3:-value}: expected '$2', got '$1'"
}

assert_contains() {
	grep -qF -- "$2" <<<"$1" || fail "${3:-output} lacks '$2': $1"
}

assert_empty_file() {
	[ ! -s "$1" ] || fail "$1 should be empty: $(head -c 300 "$1")"
}

# ssh_public COMMAND...: as the password-less public login.
ssh_public() {
	cassh_ssh public "" "$@"
}
