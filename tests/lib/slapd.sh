# SPDX-License-Identifier: ISC
# shellcheck shell=bash
#
# slapd.sh: a throwaway OpenLDAP server for tests. Source it, then call
#
#	slapd_start DIR [strict|anon-bind|private]
#	... run the test against $SLAPD_URI ...
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
# After slapd_start: SLAPD_URI, SLAPD_PID, SLAPD_DIR (the last server
# started) and, fixed, SLAPD_BASE and the content below. The users'
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

# _slapd_conf DIR VARIANT ROOTPW: write DIR/slapd.conf.
_slapd_conf()
{
	local dir=$1 variant=$2 rootpw=$3 readers='*' allow=''

	case $variant in
	strict)		;;
	anon-bind)	allow='allow bind_anon_dn' ;;
	private)	readers='users' ;;
	*)		_slapd_die "unknown variant '$variant'"; return ;;
	esac

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

# _slapd_run DIR ROOTPW PORT: start slapd and wait until it answers as
# our own server. Returns 0 when ready, 2 when slapd died at once (with
# -d 0 it says nothing, but slapadd has already checked the config, so
# the port was most likely taken), 1 when it never answered.
_slapd_run()
{
	local dir=$1 rootpw=$2 port=$3 uri pid i

	uri="ldap://127.0.0.1:$port/"
	"$SLAPD_BIN" -d 0 -h "$uri" -f "$dir/slapd.conf" \
	    > "$dir/slapd.log" 2>&1 &
	pid=$!

	# About 5 s; slapd usually answers within 0.1 s.
	for ((i = 0; i < 100; i++)); do
		# timeout(1): ldapwhoami waits forever for a server that
		# accepts and never answers.
		if LDAPNOINIT=1 timeout 2 ldapwhoami -x -H "$uri" \
		    -D "$SLAPD_ROOT_DN" -w "$rootpw" > /dev/null 2>&1; then
			_slapd_pids+=("$pid")
			export SLAPD_URI=$uri SLAPD_PID=$pid SLAPD_DIR=$dir
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

# slapd_start DIR [VARIANT]: see the top of this file.
slapd_start()
{
	local dir=${1:?slapd_start DIR [VARIANT]} variant=${2:-strict}
	local rootpw port try rc

	[[ -x $SLAPD_BIN ]] || { _slapd_die "no $SLAPD_BIN"; return; }
	mkdir -p "$dir/db" || return
	dir=$(cd "$dir" && pwd) || return
	rootpw=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n') || return
	_slapd_conf "$dir" "$variant" "$rootpw" || return
	chmod 600 "$dir/slapd.conf"
	_slapd_ldif > "$dir/data.ldif" || return
	"$SLAPD_SLAPADD" -q -f "$dir/slapd.conf" -l "$dir/data.ldif" \
	    > "$dir/slapadd.log" 2>&1 ||
	    { cat "$dir/slapadd.log" >&2; _slapd_die "slapadd failed"; return; }
	# For bind_password_file: the way an operator writes it, newline
	# included.
	(umask 077 && printf '%s\n' "$SLAPD_SERVICE_PW" > "$dir/service.pw")
	export SLAPD_SERVICE_PW_FILE=$dir/service.pw

	# Below the Linux ephemeral range (32768-60999), so that outgoing
	# connections rarely hold the port; a taken port is retried anyway.
	for ((try = 0; try < 20; try++)); do
		port=$((20000 + (RANDOM * 32768 + RANDOM) % 12000))
		rc=0
		_slapd_run "$dir" "$rootpw" "$port" || rc=$?
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
