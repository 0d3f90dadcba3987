# SPDX-License-Identifier: ISC
# shellcheck shell=bash
#
# slapd.sh: a throwaway OpenLDAP server for tests. Source it, then call
#
#	slapd_start DIR [strict|anon-bind|private] [tls|tls-wrong-name]
#	... run the test against $SLAPD_URI (and $SLAPD_LDAPS_URI) ...
#	slapd_stop
#
# slapd_start writes a slapd.conf and an mdb database into DIR (which it
# creates), fills it with slapadd, starts slapd in the foreground as a
# child of this shell on a free port of 127.0.0.1, and returns once the
# server answers. Tests run in parallel, so the port is never fixed: a
# random one is tried, and another if slapd cannot bind it. Each server
# gets its own random root password, and readiness is proved by binding
# with it, so that a test never mistakes another test's slapd for its
# own. Several servers may run at once; slapd_stop stops them all.
#
# The variants differ only in what the directory allows:
#	strict		userPassword serves only to bind (anonymous and
#			self "auth"); everything else is readable by all.
#	anon-bind	as strict, plus "allow bind_anon_dn": a DN with an
#			empty password binds as anonymous, and the bind
#			reports success. Clients must refuse empty passwords.
#	private		as strict, but entries are readable only by a bound
#			identity, so that only the service account can search.
#
# With a third argument the server also speaks TLS, with a certificate
# from a throwaway PKI (slapd_tls_init, below; made on first use):
#	tls		the certificate names 127.0.0.1 and localhost: StartTLS
#			on SLAPD_URI and ldaps:// on SLAPD_LDAPS_URI succeed
#			for a client that trusts SLAPD_TLS_CA
#	tls-wrong-name	the same CA, but the certificate names only
#			wrong.example: a client that checks names refuses it
#
# After slapd_start: SLAPD_URI, SLAPD_LDAPS_URI (empty without TLS),
# SLAPD_PID, SLAPD_DIR (the last server started) and, fixed,
# SLAPD_BASE and the content below. The users'
# passwords are stored as {SSHA} hashes made by slappasswd; the root
# password is plain text in DIR/slapd.conf, which only this test reads.
#
# Safe to source from scripts that run with set -euo pipefail.
#
# It must run as root too: slapd then simply stays root (no -u), which
# is harmless for a server that listens on 127.0.0.1 only and lives in
# a temporary folder.

SLAPD_BIN=${SLAPD_BIN:-/usr/sbin/slapd}
SLAPD_SLAPADD=${SLAPD_SLAPADD:-/usr/sbin/slapadd}
SLAPD_SLAPPASSWD=${SLAPD_SLAPPASSWD:-/usr/sbin/slappasswd}
SLAPD_SCHEMA_DIR=${SLAPD_SCHEMA_DIR:-/etc/ldap/schema}
SLAPD_MODULE_DIR=${SLAPD_MODULE_DIR:-/usr/lib/ldap}
SLAPD_OPENSSL=${SLAPD_OPENSSL:-openssl}

export SLAPD_BASE='dc=example,dc=org'
export SLAPD_PEOPLE="ou=people,$SLAPD_BASE"
export SLAPD_GROUPS="ou=groups,$SLAPD_BASE"
export SLAPD_ROOT_DN="cn=admin,$SLAPD_BASE"
export SLAPD_ADMIN_GROUP="cn=cassh-admins,$SLAPD_GROUPS"
export SLAPD_SERVICE_DN="cn=cassh,ou=services,$SLAPD_BASE"
export SLAPD_SERVICE_PW='cassh-service-pw'
export SLAPD_ALICE_PW='alice-pw'
export SLAPD_BOB_PW='bob-pw'
export SLAPD_CAROL_PW='carol-pw'
export SLAPD_DAVE_PW='dave-pw'
export SLAPD_ADMIN1_PW='admin1-pw'
# A login made of the characters that mean something in a filter.
export SLAPD_WEIRD_UID='we*i(r)d\x'
export SLAPD_WEIRD_PW='weird-pw'
# Two entries share this login: a search must find "several".
export SLAPD_TWIN_UID='twin'
export SLAPD_TWIN_PW='twin-pw'

# Servers started by this shell, for slapd_stop.
_slapd_pids=()

_slapd_die()
{
	echo "slapd.sh: $*" >&2
	return 1
}

_slapd_hash()
{
	"$SLAPD_SLAPPASSWD" -n -h '{SSHA}' -s "$1"
}

# _slapd_key FILE: a P-256 key, PKCS#8 PEM, which GnuTLS (Debian's
# slapd and libldap use it) reads as well as OpenSSL does. Mode 0600 is
# enough: slapd runs as the user who starts it (no -u).
_slapd_key()
{
	(umask 077 && "$SLAPD_OPENSSL" genpkey -algorithm EC \
	    -pkeyopt ec_paramgen_curve:P-256 -out "$1")
}

# _slapd_ca DIR NAME CN: a self-signed CA, DIR/NAME.pem and .key.
_slapd_ca()
{
	local dir=$1 name=$2 cn=$3

	_slapd_key "$dir/$name.key" || return
	"$SLAPD_OPENSSL" req -x509 -new -key "$dir/$name.key" -days 2 \
	    -subj "/CN=$cn" \
	    -addext 'basicConstraints=critical,CA:TRUE' \
	    -addext 'keyUsage=critical,keyCertSign,cRLSign' \
	    -out "$dir/$name.pem"
}

# _slapd_cert DIR NAME CN SAN: a server certificate signed by DIR/ca.
_slapd_cert()
{
	local dir=$1 name=$2 cn=$3 san=$4 serial

	_slapd_key "$dir/$name.key" || return
	serial=0x$(od -An -tx1 -N8 /dev/urandom | tr -d ' \n') || return
	cat > "$dir/$name.ext" <<-EXT
	basicConstraints = critical,CA:FALSE
	keyUsage = critical,digitalSignature
	extendedKeyUsage = serverAuth
	subjectAltName = $san
	EXT
	"$SLAPD_OPENSSL" req -new -key "$dir/$name.key" -subj "/CN=$cn" |
	    "$SLAPD_OPENSSL" x509 -req -CA "$dir/ca.pem" \
	    -CAkey "$dir/ca.key" -set_serial "$serial" -days 2 \
	    -extfile "$dir/$name.ext" -out "$dir/$name.pem"
}

# slapd_tls_init DIR: the throwaway PKI of the TLS servers started
# after it, made with the openssl command:
#	ca.pem		the CA that signs every server certificate here
#	other-ca.pem	a CA that signed none of them: the "wrong CA"
#	server.pem	CN and subjectAltName 127.0.0.1, and localhost
#	wrong.pem	CN and subjectAltName wrong.example only
# Exports SLAPD_TLS_DIR, SLAPD_TLS_CA and SLAPD_TLS_OTHER_CA.
slapd_tls_init()
{
	local dir=${1:?slapd_tls_init DIR}

	command -v "$SLAPD_OPENSSL" > /dev/null ||
	    { _slapd_die "no $SLAPD_OPENSSL command"; return; }
	mkdir -p "$dir" || return
	dir=$(cd "$dir" && pwd) || return
	{
		_slapd_ca "$dir" ca 'cassh test CA' &&
		_slapd_ca "$dir" other-ca 'cassh other test CA' &&
		_slapd_cert "$dir" server 127.0.0.1 \
		    'IP:127.0.0.1,DNS:localhost' &&
		_slapd_cert "$dir" wrong wrong.example 'DNS:wrong.example'
	} > "$dir/openssl.log" 2>&1 ||
	    { cat "$dir/openssl.log" >&2; _slapd_die "openssl failed"; return; }
	export SLAPD_TLS_DIR=$dir SLAPD_TLS_CA=$dir/ca.pem
	export SLAPD_TLS_OTHER_CA=$dir/other-ca.pem
}

# _slapd_tls_conf TLS: the global slapd.conf lines for a TLS variant.
_slapd_tls_conf()
{
	local cert

	case $1 in
	'')		return ;;
	tls)		cert=server ;;
	tls-wrong-name)	cert=wrong ;;
	*)		_slapd_die "unknown TLS variant '$1'"; return ;;
	esac
	printf 'TLSCACertificateFile\t%s\n' "$SLAPD_TLS_DIR/ca.pem"
	printf 'TLSCertificateFile\t%s\n' "$SLAPD_TLS_DIR/$cert.pem"
	printf 'TLSCertificateKeyFile\t%s\n' "$SLAPD_TLS_DIR/$cert.key"
}

# _slapd_conf DIR VARIANT ROOTPW [TLS]: write DIR/slapd.conf.
_slapd_conf()
{
	local dir=$1 variant=$2 rootpw=$3 readers='*' allow='' tls

	case $variant in
	strict)		;;
	anon-bind)	allow='allow bind_anon_dn' ;;
	private)	readers='users' ;;
	*)		_slapd_die "unknown variant '$variant'"; return ;;
	esac
	tls=$(_slapd_tls_conf "${4:-}") || return

	cat > "$dir/slapd.conf" <<-CONF
	include		$SLAPD_SCHEMA_DIR/core.schema
	include		$SLAPD_SCHEMA_DIR/cosine.schema
	include		$SLAPD_SCHEMA_DIR/nis.schema
	include		$SLAPD_SCHEMA_DIR/inetorgperson.schema
	pidfile		$dir/slapd.pid
	argsfile	$dir/slapd.args
	modulepath	$SLAPD_MODULE_DIR
	moduleload	back_mdb
	$allow
	$tls

	database	mdb
	maxsize		16777216
	suffix		"$SLAPD_BASE"
	rootdn		"$SLAPD_ROOT_DN"
	rootpw		$rootpw
	directory	$dir/db

	# Continuation lines must start with white space that <<- keeps.
	access to attrs=userPassword
	  by anonymous auth
	  by self auth
	  by * none
	access to *
	  by $readers read
	  by * none
	CONF
}

# _slapd_person UID CN PASSWORD [DN-RDN-VALUE]: one LDIF entry. The RDN
# value differs from the uid when the uid holds a DN-special character.
_slapd_person()
{
	local uid=$1 cn=$2 pw=$3 rdn=${4:-uid=$1}

	cat <<-LDIF
	dn: $rdn,$SLAPD_PEOPLE
	objectClass: inetOrgPerson
	uid: $uid
	cn: $cn
	sn: ${cn##* }
	userPassword: $(_slapd_hash "$pw")

	LDIF
}

_slapd_ldif()
{
	cat <<-LDIF
	dn: $SLAPD_BASE
	objectClass: dcObject
	objectClass: organization
	dc: example
	o: Example

	dn: $SLAPD_PEOPLE
	objectClass: organizationalUnit
	ou: people

	dn: $SLAPD_GROUPS
	objectClass: organizationalUnit
	ou: groups

	dn: ou=services,$SLAPD_BASE
	objectClass: organizationalUnit
	ou: services

	dn: $SLAPD_SERVICE_DN
	objectClass: applicationProcess
	objectClass: simpleSecurityObject
	cn: cassh
	userPassword: $(_slapd_hash "$SLAPD_SERVICE_PW")

	LDIF
	_slapd_person alice 'Alice Liddell' "$SLAPD_ALICE_PW"
	_slapd_person bob 'Bob Dobbs' "$SLAPD_BOB_PW"
	_slapd_person carol 'Carol Shaw' "$SLAPD_CAROL_PW"
	_slapd_person dave 'Dave Lister' "$SLAPD_DAVE_PW"
	_slapd_person admin1 'Ada Admin' "$SLAPD_ADMIN1_PW"
	# In a DN the backslash must itself be escaped (RFC 4514).
	_slapd_person "$SLAPD_WEIRD_UID" 'Wendy Weird' "$SLAPD_WEIRD_PW" \
	    "uid=${SLAPD_WEIRD_UID//\\/\\5C}"
	_slapd_person twin 'Tom Twin' "$SLAPD_TWIN_PW" 'cn=Tom Twin'
	_slapd_person twin 'Tim Twin' "$SLAPD_TWIN_PW" 'cn=Tim Twin'
	cat <<-LDIF
	dn: $SLAPD_ADMIN_GROUP
	objectClass: groupOfNames
	cn: cassh-admins
	member: uid=admin1,$SLAPD_PEOPLE

	LDIF
}

# _slapd_alive PID: the process exists and is not a zombie (a dead
# child stays visible to kill -0 until it is waited for).
_slapd_alive()
{
	local pid=$1 rest

	[[ -r /proc/$pid/stat ]] || return 1
	read -r rest < "/proc/$pid/stat" || return 1
	rest=${rest##*) }
	[[ ${rest%% *} != Z ]]
}

# _slapd_run DIR ROOTPW PORT [TLSPORT]: start slapd (with an ldaps://
# listener on TLSPORT if given) and wait until it answers as our own
# server. Returns 0 when ready, 2 when slapd died at once (with -d 0 it
# says nothing, but slapadd has already checked the config, so a port
# was most likely taken), 1 when it never answered.
_slapd_run()
{
	local dir=$1 rootpw=$2 port=$3 tlsport=${4:-} uri ldaps='' pid i

	uri="ldap://127.0.0.1:$port/"
	[[ -z $tlsport ]] || ldaps="ldaps://127.0.0.1:$tlsport/"
	"$SLAPD_BIN" -d 0 -h "$uri${ldaps:+ $ldaps}" -f "$dir/slapd.conf" \
	    > "$dir/slapd.log" 2>&1 &
	pid=$!

	# Up to about 20 s. slapd usually answers within 0.1 s, but on a
	# machine whose own host name does not resolve it first waits for
	# DNS to give up (about 5 s), and tests run several at once.
	for ((i = 0; i < 400; i++)); do
		# timeout(1): ldapwhoami waits forever for a server that
		# accepts and never answers.
		if LDAPNOINIT=1 timeout 2 ldapwhoami -x -H "$uri" \
		    -D "$SLAPD_ROOT_DN" -w "$rootpw" > /dev/null 2>&1; then
			_slapd_pids+=("$pid")
			export SLAPD_URI=$uri SLAPD_LDAPS_URI=$ldaps
			export SLAPD_PID=$pid SLAPD_DIR=$dir
			return 0
		fi
		if ! _slapd_alive "$pid"; then
			wait "$pid" 2> /dev/null || true
			return 2
		fi
		sleep 0.05
	done

	_slapd_kill "$pid"
	return 1
}

# _slapd_port: a random port below the Linux ephemeral range
# (32768-60999), so that outgoing connections rarely hold it; a taken
# port is retried anyway.
_slapd_port()
{
	echo $((20000 + (RANDOM * 32768 + RANDOM) % 12000))
}

# slapd_start DIR [VARIANT [TLS]]: see the top of this file.
slapd_start()
{
	local dir=${1:?slapd_start DIR [VARIANT [TLS]]} variant=${2:-strict}
	local tls=${3:-} rootpw port tlsport="" try rc=1

	[[ -x $SLAPD_BIN ]] || { _slapd_die "no $SLAPD_BIN"; return; }
	mkdir -p "$dir/db" || return
	dir=$(cd "$dir" && pwd) || return
	if [[ -n $tls && -z ${SLAPD_TLS_DIR:-} ]]; then
		slapd_tls_init "$dir/pki" || return
	fi
	rootpw=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n') || return
	_slapd_conf "$dir" "$variant" "$rootpw" "$tls" || return
	chmod 600 "$dir/slapd.conf"
	_slapd_ldif > "$dir/data.ldif" || return
	"$SLAPD_SLAPADD" -q -f "$dir/slapd.conf" -l "$dir/data.ldif" \
	    > "$dir/slapadd.log" 2>&1 ||
	    { cat "$dir/slapadd.log" >&2; _slapd_die "slapadd failed"; return; }
	# For bind_password_file: the way an operator writes it, newline
	# included.
	(umask 077 && printf '%s\n' "$SLAPD_SERVICE_PW" > "$dir/service.pw")
	export SLAPD_SERVICE_PW_FILE=$dir/service.pw

	for ((try = 0; try < 20; try++)); do
		port=$(_slapd_port)
		[[ -z $tls ]] || tlsport=$(_slapd_port)
		[[ $port != "$tlsport" ]] || continue
		rc=0
		_slapd_run "$dir" "$rootpw" "$port" "$tlsport" || rc=$?
		[[ $rc == 2 ]] || break
	done
	((rc == 0)) || _slapd_die "slapd did not start; try: $SLAPD_BIN" \
	    "-d 1 -h ldap://127.0.0.1:PORT/ -f $dir/slapd.conf"
}

# _slapd_kill PID: stop one server, by force after 5 s.
_slapd_kill()
{
	local pid=$1 i

	# A server stopped with SIGSTOP (to play a silent one) must be
	# resumed to act on SIGTERM.
	kill -CONT "$pid" 2> /dev/null || true
	kill "$pid" 2> /dev/null || true
	for ((i = 0; i < 100; i++)); do
		_slapd_alive "$pid" || break
		sleep 0.05
	done
	kill -KILL "$pid" 2> /dev/null || true
	wait "$pid" 2> /dev/null || true
}

# slapd_stop: stop every server this shell started, and wait for them.
slapd_stop()
{
	local pid

	for pid in "${_slapd_pids[@]}"; do
		_slapd_kill "$pid"
	done
	_slapd_pids=()
}
