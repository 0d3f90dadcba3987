/* SPDX-License-Identifier: ISC */
/*
 * admin: the commands of cassh-admin. Each command is one function
 * that parses its own options, does its work through the shared
 * modules (config, registry, record, pubkey, cakey) and writes its
 * output to stdout. Failures are returned with one line for main() to
 * print, written for the root user reading it: what is wrong and what
 * to do, naming the file or option at fault.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <libssh/libssh.h>

#include "admin.h"
#include "cakey.h"
#include "config.h"
#include "duration.h"
#include "pubkey.h"
#include "record.h"
#include "registry.h"
#include "report.h"

#define CA_COMMENT		"cassh-ca"
#define SSH_DEFAULT_PORT	22

struct admin {
	const char	*config_path;
	struct config	*cfg;
	FILE		*out;
	char		*msg;
	size_t		 msglen;
};

struct command {
	const char	*name;
	enum err	(*run)(struct admin *, int, char **);
	int		 needs_config;
};

static const char usage_text[] =
    "usage: cassh-admin [-v] [-c FILE] COMMAND\n"
    "  init                          CA key, host key, registry, config\n"
    "  user add NAME [--login L] --key FILE [--principals a,b]\n"
    "                [--expiry +1d] [--state active|pending]\n"
    "                [--realname TEXT]\n"
    "  user list [--json]\n"
    "  user show NAME [--json]\n"
    "  check                         verify the registry\n"
    "  ca                            print the CA public key line\n"
    "  host-key [--host NAME] [--port N]\n"
    "                                print the signer's known_hosts line\n"
    "  help                          this text\n";

const char *
admin_usage(void)
{
	return usage_text;
}

static enum err
fail(struct admin *a, enum err e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Fill the one line main() prints, and pass the code through. */
static enum err
fail(struct admin *a, enum err e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->msg, a->msglen, fmt, ap);
	va_end(ap);
	return e;
}

static enum err
bad_usage(struct admin *a, const char *what)
{
	return fail(a, ERR_USAGE, "%s; run cassh-admin help", what);
}

/* glibc restarts getopt from scratch when optind is 0. */
static void
opt_reset(void)
{
	optind = 0;
	opterr = 0;
}

static enum err
registry_failed(struct admin *a, enum err e, const char *what)
{
	const char *path = a->cfg->registry_path;

	switch (e) {
	case ERR_REGISTRY_MISSING:
		return fail(a, e, "%s: registry %s cannot be opened; run "
		    "cassh-admin init, or check its owner and mode (details "
		    "in the system log)", what, path);
	case ERR_REGISTRY_BUSY:
	case ERR_REGISTRY_FULL:
		return fail(a, e, "%s: %s (details in the system log)", what,
		    err_str(e));
	default:
		return fail(a, e, "%s: registry %s cannot be used (details "
		    "in the system log); run cassh-admin check", what, path);
	}
}

static enum err
registry_opened(struct admin *a, enum registry_mode mode, const char *what,
    struct registry **reg)
{
	enum err e;

	e = registry_open(a->cfg->registry_path, mode, a->cfg->map_size, reg);
	if (e != ERR_OK)
		return registry_failed(a, e, what);
	return ERR_OK;
}

static enum err
load_config(struct admin *a)
{
	char why[256];
	enum err e;

	if ((e = config_load(a->config_path, &a->cfg, why, sizeof(why))) !=
	    ERR_OK) {
		if (e == ERR_CONFIG)
			return fail(a, e, "%s; fix the file, or run "
			    "cassh-admin init to write one", why);
		return fail(a, e, "%s", err_str(e));
	}
	return ERR_OK;
}

/*
 * The known_hosts line of the signer's host key: a bare host name on
 * port 22, "[host]:port" on any other, as ssh writes them itself.
 */
static enum err
print_host_line(struct admin *a, ssh_key key, const char *host,
    unsigned port)
{
	const char *type = ssh_key_type_to_char(ssh_key_type(key));
	char *b64 = NULL;

	if (type == NULL || ssh_pki_export_pubkey_base64(key, &b64) != SSH_OK)
		return fail(a, ERR_INTERNAL, "cannot encode the host key %s",
		    a->cfg->host_key);
	if (port == SSH_DEFAULT_PORT)
		fprintf(a->out, "%s %s %s\n", host, type, b64);
	else
		fprintf(a->out, "[%s]:%u %s %s\n", host, port, type, b64);
	ssh_string_free_char(b64);
	return ERR_OK;
}

static void
local_host(char *buf, size_t len)
{
	if (gethostname(buf, len) == -1 || buf[0] == '\0')
		snprintf(buf, len, "localhost");
	buf[len - 1] = '\0';
}

static enum err
print_ca_line(struct admin *a)
{
	struct cakey *ca = NULL;
	char *line;

	if (strncmp(a->cfg->ca_key, "agent:", 6) == 0)
		return fail(a, ERR_CA_KEY, "[ca] key %s is held by ssh-agent; "
		    "list it with ssh-add -L", a->cfg->ca_key);
	if (cakey_load(a->cfg->ca_key, &ca) != ERR_OK)
		return fail(a, ERR_CA_KEY, "the CA key %s cannot be read "
		    "(details in the system log); check [ca] key and the "
		    "file's owner and mode", a->cfg->ca_key);
	line = cakey_publine(ca, CA_COMMENT);
	cakey_free(ca);
	if (line == NULL)
		return fail(a, ERR_NOMEM, "%s", err_str(ERR_NOMEM));
	fprintf(a->out, "%s\n", line);
	free(line);
	return ERR_OK;
}

/*
 * init. Nothing is replaced: a key that exists already stops init
 * before anything is written, since overwriting a CA key would orphan
 * every server that trusts it, and a host key every known_hosts line.
 */
static enum err
init_refuse_existing(struct admin *a)
{
	const char *paths[] = { a->cfg->ca_key, a->cfg->host_key };
	char pub[PATH_MAX];
	struct stat st;
	size_t i;

	if (strncmp(a->cfg->ca_key, "agent:", 6) == 0)
		return fail(a, ERR_CONFIG, "init: [ca] key %s is held by "
		    "ssh-agent, init cannot make it; set [ca] key to a file",
		    a->cfg->ca_key);
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		if (lstat(paths[i], &st) == 0)
			return fail(a, ERR_EXISTS, "init: %s exists already; "
			    "init never replaces a key: move it away, or "
			    "keep using it without init", paths[i]);
	}
	snprintf(pub, sizeof(pub), "%s.pub", a->cfg->host_key);
	if (lstat(pub, &st) == 0)
		return fail(a, ERR_EXISTS, "init: %s exists already; move it "
		    "away", pub);
	return ERR_OK;
}

static enum err
init_config(struct admin *a, int *skeleton)
{
	struct stat st;

	*skeleton = 0;
	if (stat(a->config_path, &st) == 0 || errno != ENOENT)
		return load_config(a);
	/* No file yet: the defaults now, a skeleton of them later. */
	if ((a->cfg = config_defaults()) == NULL)
		return fail(a, ERR_NOMEM, "%s", err_str(ERR_NOMEM));
	*skeleton = 1;
	return ERR_OK;
}

static enum err
init_registry(struct admin *a)
{
	struct registry *reg = NULL;
	enum err e;

	if (mkdir(a->cfg->registry_path, 0700) == -1 && errno != EEXIST)
		return fail(a, ERR_REGISTRY_MISSING, "init: cannot create "
		    "the state folder %s: %s; create it or fix [registry] "
		    "path", a->cfg->registry_path, strerror(errno));
	if ((e = registry_opened(a, REGISTRY_CREATE, "init", &reg)) !=
	    ERR_OK)
		return e;
	registry_close(reg);
	return ERR_OK;
}

/* Exclusive, with the mode asked for, whatever the umask says. */
static int
reserve_file(const char *path, mode_t mode)
{
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    mode)) == -1)
		return -1;
	if (fchmod(fd, mode) == -1) {
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	return 0;
}

/*
 * libssh writes the key with fopen(), which would take the umask's
 * mode and replace a file that appeared in the meantime; so the name
 * is first taken with O_EXCL and mode 0600, and libssh only fills it.
 */
static enum err
init_host_key_files(struct admin *a, ssh_key key)
{
	const char *path = a->cfg->host_key;
	char pub[PATH_MAX];
	int priv_done = 0, saved;

	snprintf(pub, sizeof(pub), "%s.pub", path);
	if (reserve_file(path, 0600) == -1)
		goto fail;
	priv_done = 1;
	if (ssh_pki_export_privkey_file(key, NULL, NULL, NULL, path) !=
	    SSH_OK)
		goto fail;
	if (reserve_file(pub, 0644) == -1)
		goto fail;
	if (ssh_pki_export_pubkey_file(key, pub) != SSH_OK) {
		unlink(pub);
		goto fail;
	}
	return ERR_OK;
 fail:
	saved = errno;
	if (priv_done)
		unlink(path);
	return fail(a, ERR_CONFIG, "init: cannot write the host key %s: "
	    "%s; check [signer] host_key and its folder", path,
	    saved != 0 ? strerror(saved) : "libssh refused");
}

static enum err
init_host_key(struct admin *a, ssh_key *out)
{
	ssh_key key = NULL;
	enum err e;

	if (ssh_pki_generate(SSH_KEYTYPE_ED25519, 0, &key) != SSH_OK)
		return fail(a, ERR_INTERNAL, "init: libssh cannot make an "
		    "ed25519 host key");
	errno = 0;
	if ((e = init_host_key_files(a, key)) != ERR_OK) {
		ssh_key_free(key);
		return e;
	}
	*out = key;
	return ERR_OK;
}

static enum err
init_ca_key(struct admin *a)
{
	enum err e;

	e = cakey_generate(a->cfg->ca_key, CAKEY_ED25519, 0);
	if (e == ERR_EXISTS)
		return fail(a, e, "init: %s exists already; move it away",
		    a->cfg->ca_key);
	if (e != ERR_OK)
		return fail(a, e, "init: cannot write the CA key %s (details "
		    "in the system log); check [ca] key and its folder",
		    a->cfg->ca_key);
	return ERR_OK;
}

static enum err
init_report(struct admin *a, ssh_key host)
{
	char name[256];
	enum err e;

	fprintf(a->out, "# The CA public key; servers trust it with "
	    "TrustedUserCAKeys:\n");
	if ((e = print_ca_line(a)) != ERR_OK)
		return e;
	local_host(name, sizeof(name));
	fprintf(a->out, "# The signer's host key for users' known_hosts "
	    "(give the name and port\n# users connect to: cassh-admin "
	    "host-key --host NAME --port N):\n");
	return print_host_line(a, host, name, SSH_DEFAULT_PORT);
}

static enum err
cmd_init(struct admin *a, int argc, char **argv)
{
	ssh_key host = NULL;
	int skeleton;
	enum err e;

	if (argc != 1)
		return bad_usage(a, "init takes no arguments");
	if ((e = init_config(a, &skeleton)) != ERR_OK ||
	    (e = init_refuse_existing(a)) != ERR_OK)
		goto out;
	if (skeleton && (e = config_write_skeleton(a->config_path,
	    a->cfg)) != ERR_OK) {
		e = fail(a, e, "init: cannot write %s: %s; create its folder "
		    "or give another file with -c", a->config_path,
		    e == ERR_EXISTS ? "it exists" : strerror(errno));
		goto out;
	}
	if ((e = init_registry(a)) != ERR_OK ||
	    (e = init_ca_key(a)) != ERR_OK ||
	    (e = init_host_key(a, &host)) != ERR_OK)
		goto out;
	e = init_report(a, host);
 out:
	ssh_key_free(host);
	return e;
}

/* user add: everything the options say, checked before any write. */
struct add_opts {
	const char	*name;
	const char	*login;
	const char	*key;
	const char	*principals;
	const char	*expiry;
	const char	*state;
	const char	*realname;
};

static enum err
add_parse(struct admin *a, int argc, char **argv, struct add_opts *o)
{
	static const struct option longopts[] = {
		{ "login", required_argument, NULL, 'l' },
		{ "key", required_argument, NULL, 'k' },
		{ "principals", required_argument, NULL, 'p' },
		{ "expiry", required_argument, NULL, 'e' },
		{ "state", required_argument, NULL, 's' },
		{ "realname", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	memset(o, 0, sizeof(*o));
	opt_reset();
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'l':
			o->login = optarg;
			break;
		case 'k':
			o->key = optarg;
			break;
		case 'p':
			o->principals = optarg;
			break;
		case 'e':
			o->expiry = optarg;
			break;
		case 's':
			o->state = optarg;
			break;
		case 'r':
			o->realname = optarg;
			break;
		default:
			return bad_usage(a, "user add: unknown option or "
			    "missing value");
		}
	}
	if (optind != argc - 1)
		return bad_usage(a, "user add needs one NAME");
	o->name = argv[optind];
	if (o->key == NULL)
		return bad_usage(a, "user add needs --key FILE");
	if (o->login == NULL)
		o->login = o->name;
	return ERR_OK;
}

static enum err
key_refused(struct admin *a, const char *path, enum err e)
{
	switch (e) {
	case ERR_INPUT_EMPTY:
		return fail(a, e, "user add: %s is empty; give a .pub file",
		    path);
	case ERR_INPUT_TOO_LONG:
	case ERR_KEY_FORMAT:
		return fail(a, e, "user add: %s is not one OpenSSH public "
		    "key line; give the .pub file", path);
	case ERR_KEY_TYPE:
		return fail(a, e, "user add: %s holds a key type cassh does "
		    "not sign; use an ed25519, ecdsa or rsa key", path);
	case ERR_KEY_TOO_SMALL:
		return fail(a, e, "user add: %s is an RSA key below %u bits; "
		    "use a longer or an ed25519 key", path,
		    a->cfg->min_rsa_bits);
	case ERR_KEY_PRIVATE:
		return fail(a, e, "user add: %s is a private key; give the "
		    ".pub file, and treat this one as exposed", path);
	default:
		return fail(a, e, "user add: %s: %s", path, err_str(e));
	}
}

/* The whole file, one byte over the bound so that pubkey sees it. */
static enum err
read_key(struct admin *a, const char *path, struct pubkey **out)
{
	char buf[PUBKEY_MAX_INPUT + 1];
	size_t len = 0;
	ssize_t n;
	enum err e;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return fail(a, ERR_USAGE, "user add: cannot read %s: %s; "
		    "give the .pub file with --key", path, strerror(errno));
	while (len < sizeof(buf)) {
		n = read(fd, buf + len, sizeof(buf) - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	e = pubkey_parse(buf, len, a->cfg->min_rsa_bits, out);
	/* The file may have been a private key after all. */
	explicit_bzero(buf, sizeof(buf));
	if (e != ERR_OK)
		return key_refused(a, path, e);
	return ERR_OK;
}

static void
strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; v != NULL && i < n; i++)
		free(v[i]);
	free(v);
}

static enum err
parse_principals(struct admin *a, const char *arg, char ***out, size_t *n)
{
	char **v = NULL, *copy = NULL, *p, *tok;
	size_t count = 0;
	enum err e = ERR_NOMEM;

	if ((copy = strdup(arg)) == NULL ||
	    (v = calloc(RECORD_MAX_PRINCIPALS, sizeof(*v))) == NULL)
		goto out;
	for (p = copy; (tok = strsep(&p, ",")) != NULL; count++) {
		if (count == RECORD_MAX_PRINCIPALS) {
			e = fail(a, ERR_USAGE, "user add: more than %d "
			    "principals", RECORD_MAX_PRINCIPALS);
			goto out;
		}
		if (!record_valid_principal(tok)) {
			e = fail(a, ERR_USAGE, "user add: principal \"%s\" is "
			    "not 1 to %d printable characters without space; "
			    "separate principals with single commas", tok,
			    RECORD_MAX_TEXT);
			goto out;
		}
		if ((v[count] = strdup(tok)) == NULL)
			goto out;
	}
	*out = v;
	*n = count;
	v = NULL;
	e = ERR_OK;
 out:
	if (e == ERR_NOMEM)
		fail(a, e, "%s", err_str(e));
	strv_free(v, RECORD_MAX_PRINCIPALS);
	free(copy);
	return e;
}

static enum err
add_check(struct admin *a, const struct add_opts *o, int64_t *expiry,
    enum user_state *state)
{
	char want[32], cap[32];

	if (!record_valid_name(o->name) || !record_valid_name(o->login))
		return fail(a, ERR_USAGE, "user add: a name or login must be "
		    "1 to %d of A-Z a-z 0-9 . _ @ -, not starting with - "
		    "or .", RECORD_MAX_NAME);
	*expiry = a->cfg->default_expiry;
	if (o->expiry != NULL && duration_parse(o->expiry, expiry) == -1)
		return fail(a, ERR_USAGE, "user add: --expiry %s is not a "
		    "duration such as +1d, 12h or 90m", o->expiry);
	if (*expiry > a->cfg->max_expiry) {
		duration_format(*expiry, want, sizeof(want));
		duration_format(a->cfg->max_expiry, cap, sizeof(cap));
		return fail(a, ERR_USAGE, "user add: expiry %s is above "
		    "[certificate] max_expiry %s; choose a shorter one",
		    want, cap);
	}
	*state = USER_PENDING;
	if (o->state != NULL && strcasecmp(o->state, "active") == 0)
		*state = USER_ACTIVE;
	else if (o->state != NULL && strcasecmp(o->state, "pending") != 0)
		return fail(a, ERR_USAGE, "user add: --state must be active "
		    "or pending");
	return ERR_OK;
}

/* The realname must be what a record may hold: no control bytes. */
static enum err
add_realname(struct admin *a, const char *s, char **out)
{
	const unsigned char *p;

	if (s == NULL)
		s = "";
	if (strlen(s) > RECORD_MAX_TEXT)
		return fail(a, ERR_USAGE, "user add: --realname is longer "
		    "than %d bytes", RECORD_MAX_TEXT);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p < ' ' || *p == 0x7f)
			return fail(a, ERR_USAGE, "user add: --realname "
			    "holds a control character");
	}
	if ((*out = strdup(s)) == NULL)
		return fail(a, ERR_NOMEM, "%s", err_str(ERR_NOMEM));
	return ERR_OK;
}

static enum err
add_key(struct admin *a, struct user *u, const struct pubkey *k,
    int64_t now)
{
	if ((u->keys = calloc(1, sizeof(*u->keys))) == NULL ||
	    (u->keys[0].blob = malloc(k->blob_len)) == NULL)
		return fail(a, ERR_NOMEM, "%s", err_str(ERR_NOMEM));
	u->nkeys = 1;
	memcpy(u->keys[0].blob, k->blob, k->blob_len);
	u->keys[0].blob_len = k->blob_len;
	memcpy(u->keys[0].fp, k->fp, sizeof(u->keys[0].fp));
	/* The key starts in the user's state: both wait for approval. */
	u->keys[0].state = u->state;
	u->keys[0].added = now;
	return ERR_OK;
}

static enum err
add_build(struct admin *a, const struct add_opts *o, struct user **out)
{
	struct pubkey *k = NULL;
	struct user *u;
	int64_t now = (int64_t)time(NULL);
	enum err e = ERR_NOMEM;

	if ((u = calloc(1, sizeof(*u))) == NULL) {
		e = fail(a, e, "%s", err_str(e));
		goto out;
	}
	if ((e = add_check(a, o, &u->expiry, &u->state)) != ERR_OK ||
	    (e = read_key(a, o->key, &k)) != ERR_OK ||
	    (e = add_realname(a, o->realname, &u->realname)) != ERR_OK ||
	    (e = parse_principals(a, o->principals != NULL ? o->principals :
	    o->name, &u->principals, &u->nprincipals)) != ERR_OK ||
	    (e = add_key(a, u, k, now)) != ERR_OK)
		goto out;
	if ((u->name = strdup(o->name)) == NULL ||
	    (u->login = strdup(o->login)) == NULL) {
		e = fail(a, ERR_NOMEM, "%s", err_str(ERR_NOMEM));
		goto out;
	}
	u->created = u->updated = now;
	*out = u;
	u = NULL;
 out:
	pubkey_free(k);
	user_free(u);
	return e;
}

static enum err
add_store(struct admin *a, struct registry *reg, const struct user *u)
{
	struct user *old = NULL;
	enum err e;

	e = registry_user_add(reg, u);
	if (e == ERR_EXISTS) {
		/* Say which of the two is taken. */
		if (registry_user_get(reg, u->name, &old) == ERR_OK) {
			user_free(old);
			return fail(a, e, "user add: %s is registered "
			    "already; choose another name", u->name);
		}
		return fail(a, e, "user add: login %s belongs to another "
		    "user already; see cassh-admin user list", u->login);
	}
	if (e != ERR_OK)
		return registry_failed(a, e, "user add");
	return ERR_OK;
}

static enum err
cmd_user_add(struct admin *a, int argc, char **argv)
{
	struct registry *reg = NULL;
	struct user *u = NULL;
	struct add_opts o;
	enum err e;

	if ((e = add_parse(a, argc, argv, &o)) != ERR_OK ||
	    (e = add_build(a, &o, &u)) != ERR_OK ||
	    (e = registry_opened(a, REGISTRY_WRITE, "user add", &reg)) !=
	    ERR_OK ||
	    (e = add_store(a, reg, u)) != ERR_OK)
		goto out;
	fprintf(a->out, "%s: added, %s, key %s\n", u->name,
	    user_state_name(u->state), u->keys[0].fp);
 out:
	registry_close(reg);
	user_free(u);
	return e;
}

/* user list and user show: text for people, JSON for scripts. */
static enum err
print_json(struct admin *a, json_object *o)
{
	const char *s;

	if (o == NULL || (s = json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE)) ==
	    NULL)
		return fail(a, ERR_NOMEM, "%s", err_str(ERR_NOMEM));
	fprintf(a->out, "%s\n", s);
	return ERR_OK;
}

static void
print_principals(FILE *out, const struct user *u)
{
	size_t i;

	for (i = 0; i < u->nprincipals; i++)
		fprintf(out, "%s%s", i > 0 ? "," : "", u->principals[i]);
}

static void
print_user_text(FILE *out, const struct user *u)
{
	struct pubkey *k;
	char exp[32], vb[32];
	size_t i;

	duration_format(u->expiry, exp, sizeof(exp));
	fprintf(out, "name: %s\nlogin: %s\nrealname: %s\nstate: %s\n"
	    "principals: ", u->name, u->login, u->realname,
	    user_state_name(u->state));
	print_principals(out, u);
	fprintf(out, "\nexpiry: %s\n", exp);
	for (i = 0; i < u->nkeys; i++) {
		k = NULL;
		pubkey_from_blob(u->keys[i].blob, u->keys[i].blob_len,
		    PUBKEY_RSA_FLOOR_BITS, &k);
		fprintf(out, "key: %s %u %s %s\n",
		    k != NULL ? pubkey_type_name(k->type) : "unknown",
		    k != NULL ? k->bits : 0, u->keys[i].fp,
		    user_state_name(u->keys[i].state));
		pubkey_free(k);
	}
	report_iso8601(u->last_valid_before, vb, sizeof(vb));
	fprintf(out, "last_serial: %" PRIu64 "\nlast_valid_before: %s\n",
	    u->last_serial, u->last_serial != 0 ? vb : "-");
}

/* --json is the only option of list and show. */
static enum err
json_flag(struct admin *a, int argc, char **argv, int npos, int *json)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	*json = 0;
	opt_reset();
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (ch != 'j')
			return bad_usage(a, "unknown option");
		*json = 1;
	}
	if (argc - optind != npos)
		return bad_usage(a, npos == 0 ? "user list takes only --json" :
		    "user show needs one NAME");
	return ERR_OK;
}

struct list_ctx {
	FILE		*out;
	json_object	*arr;
	int		 failed;
};

static int
list_one(void *arg, const struct user *u)
{
	struct list_ctx *ctx = arg;
	FILE *out = ctx->out;
	char exp[32];

	if (ctx->arr != NULL) {
		json_object *o = report_user_json(u, time(NULL));

		if (o == NULL || json_object_array_add(ctx->arr, o) != 0) {
			json_object_put(o);
			ctx->failed = 1;
		}
		return ctx->failed;
	}
	duration_format(u->expiry, exp, sizeof(exp));
	fprintf(out, "%-16s %-16s %-8s %-6s ", u->name, u->login,
	    user_state_name(u->state), exp);
	print_principals(out, u);
	fprintf(out, "\n");
	return 0;
}

static enum err
cmd_user_list(struct admin *a, int argc, char **argv)
{
	struct registry *reg = NULL;
	struct list_ctx ctx = { a->out, NULL, 0 };
	int json;
	enum err e;

	if ((e = json_flag(a, argc, argv, 0, &json)) != ERR_OK)
		return e;
	if (json && (ctx.arr = json_object_new_array()) == NULL)
		return fail(a, ERR_NOMEM, "%s", err_str(ERR_NOMEM));
	if ((e = registry_opened(a, REGISTRY_READ, "user list", &reg)) !=
	    ERR_OK)
		goto out;
	if ((e = registry_user_list(reg, list_one, &ctx)) != ERR_OK) {
		e = registry_failed(a, e, "user list");
		goto out;
	}
	if (ctx.failed)
		e = fail(a, ERR_NOMEM, "%s", err_str(ERR_NOMEM));
	else if (json)
		e = print_json(a, ctx.arr);
 out:
	json_object_put(ctx.arr);
	registry_close(reg);
	return e;
}

static enum err
cmd_user_show(struct admin *a, int argc, char **argv)
{
	struct registry *reg = NULL;
	struct user *u = NULL;
	json_object *o;
	const char *name;
	int json;
	enum err e;

	if ((e = json_flag(a, argc, argv, 1, &json)) != ERR_OK)
		return e;
	name = argv[optind];
	if ((e = registry_opened(a, REGISTRY_READ, "user show", &reg)) !=
	    ERR_OK)
		goto out;
	if ((e = registry_user_get(reg, name, &u)) == ERR_NOT_FOUND) {
		e = fail(a, ERR_NOT_REGISTERED, "user show: no user %s; see "
		    "cassh-admin user list", name);
		goto out;
	}
	if (e != ERR_OK) {
		e = registry_failed(a, e, "user show");
		goto out;
	}
	if (json) {
		o = report_user_json(u, time(NULL));
		e = print_json(a, o);
		json_object_put(o);
	} else
		print_user_text(a->out, u);
 out:
	user_free(u);
	registry_close(reg);
	return e;
}

static enum err
cmd_user(struct admin *a, int argc, char **argv)
{
	if (argc < 2)
		return bad_usage(a, "user needs add, list or show");
	if (strcmp(argv[1], "add") == 0)
		return cmd_user_add(a, argc - 1, argv + 1);
	if (strcmp(argv[1], "list") == 0)
		return cmd_user_list(a, argc - 1, argv + 1);
	if (strcmp(argv[1], "show") == 0)
		return cmd_user_show(a, argc - 1, argv + 1);
	return bad_usage(a, "user needs add, list or show");
}

static enum err
cmd_check(struct admin *a, int argc, char **argv)
{
	struct registry *reg = NULL;
	char why[256];
	enum err e;

	if (argc != 1)
		return bad_usage(a, "check takes no arguments");
	if ((e = registry_opened(a, REGISTRY_READ, "check", &reg)) != ERR_OK)
		return e;
	if ((e = registry_check(reg, why, sizeof(why))) == ERR_OK)
		fprintf(a->out, "registry %s: consistent\n",
		    a->cfg->registry_path);
	else if (e == ERR_INTERNAL)
		e = fail(a, e, "check: registry %s is inconsistent: %s; "
		    "restore it from a backup and report it",
		    a->cfg->registry_path, why);
	else
		e = registry_failed(a, e, "check");
	registry_close(reg);
	return e;
}

static enum err
cmd_ca(struct admin *a, int argc, char **argv)
{
	if (argc != 1)
		return bad_usage(a, "ca takes no arguments");
	return print_ca_line(a);
}

/* A host name as it may stand in known_hosts: no space, no bracket. */
static int
valid_host(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (i >= 255 || !(s[i] == '.' || s[i] == '-' ||
		    s[i] == ':' || s[i] == '_' ||
		    (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9')))
			return 0;
	}
	return i > 0;
}

static enum err
host_key_parse(struct admin *a, int argc, char **argv, char *host,
    size_t hostlen, unsigned *port)
{
	static const struct option longopts[] = {
		{ "host", required_argument, NULL, 'h' },
		{ "port", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	long v;
	int ch;

	local_host(host, hostlen);
	*port = SSH_DEFAULT_PORT;
	opt_reset();
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (ch == 'h' && valid_host(optarg))
			snprintf(host, hostlen, "%s", optarg);
		else if (ch == 'p' && (errno = 0, v = strtol(optarg, &end,
		    10), errno == 0 && *optarg != '\0' && *end == '\0' &&
		    v >= 1 && v <= 65535))
			*port = (unsigned)v;
		else
			return bad_usage(a, "host-key takes --host NAME and "
			    "--port 1-65535");
	}
	if (optind != argc)
		return bad_usage(a, "host-key takes only --host and --port");
	return ERR_OK;
}

static enum err
cmd_host_key(struct admin *a, int argc, char **argv)
{
	ssh_key key = NULL;
	char host[256];
	unsigned port;
	enum err e;

	if ((e = host_key_parse(a, argc, argv, host, sizeof(host), &port)) !=
	    ERR_OK)
		return e;
	if (ssh_pki_import_privkey_file(a->cfg->host_key, NULL, NULL, NULL,
	    &key) != SSH_OK)
		return fail(a, ERR_CONFIG, "host-key: %s cannot be read; "
		    "check [signer] host_key, or run cassh-admin init",
		    a->cfg->host_key);
	e = print_host_line(a, key, host, port);
	ssh_key_free(key);
	return e;
}

static enum err
cmd_help(struct admin *a, int argc, char **argv)
{
	fputs(usage_text, a->out);
	return ERR_OK;
}

static const struct command commands[] = {
	{ "init", cmd_init, 0 },
	{ "user", cmd_user, 1 },
	{ "check", cmd_check, 1 },
	{ "ca", cmd_ca, 1 },
	{ "host-key", cmd_host_key, 1 },
	{ "help", cmd_help, 0 },
};

enum err
admin_run(const char *config_path, int argc, char **argv, FILE *out,
    char *msg, size_t msglen)
{
	struct admin a;
	enum err e;
	size_t i;

	memset(&a, 0, sizeof(a));
	a.config_path = config_path;
	a.out = out;
	a.msg = msg;
	a.msglen = msglen;
	msg[0] = '\0';
	if (argc < 1)
		return bad_usage(&a, "no command given");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[0], commands[i].name) != 0)
			continue;
		e = ERR_OK;
		if (commands[i].needs_config)
			e = load_config(&a);
		if (e == ERR_OK)
			e = commands[i].run(&a, argc, argv);
		config_free(a.cfg);
		return e;
	}
	return fail(&a, ERR_USAGE, "unknown command \"%.64s\"; run "
	    "cassh-admin help", argv[0]);
}
