/* SPDX-License-Identifier: ISC */
/*
 * command: what an authenticated login may ask of the CA over ssh.
 *
 * Each command is one handler in a table, with the bound on the
 * standard input it reads and whether the password-less public login
 * may run it. A handler either appends its whole answer to the output
 * and returns ERR_OK, or returns an error and leaves the output empty;
 * command_run turns that error into the user's line and exit status,
 * and writes one audit line either way.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "build-config.h"
#include "cakey.h"
#include "cert.h"
#include "command.h"
#include "log.h"
#include "pubkey.h"
#include "record.h"
#include "registry.h"
#include "report.h"

struct command {
	const char	*name;
	size_t		 max_input;
	int		 public_ok;	/* the public login may run it */
	enum err	(*run)(const struct command_env *, struct command_call *,
			    const uint8_t *, size_t, struct wbuf *,
			    struct audit *);
	const char	*help;
};

static enum err command_sign(const struct command_env *,
	    struct command_call *, const uint8_t *, size_t, struct wbuf *,
	    struct audit *);
static enum err command_status(const struct command_env *,
	    struct command_call *, const uint8_t *, size_t, struct wbuf *,
	    struct audit *);
static enum err command_ca(const struct command_env *,
	    struct command_call *, const uint8_t *, size_t, struct wbuf *,
	    struct audit *);
static enum err command_help(const struct command_env *,
	    struct command_call *, const uint8_t *, size_t, struct wbuf *,
	    struct audit *);
static enum err command_version(const struct command_env *,
	    struct command_call *, const uint8_t *, size_t, struct wbuf *,
	    struct audit *);

static enum err command_find(const struct command_env *, const char *,
	    struct command_call *);

static const struct command command_table[] = {
	{ "sign", PUBKEY_MAX_INPUT, 0, command_sign,
	    "sign < key.pub > key-cert.pub   a certificate for your key" },
	{ "status", 0, 0, command_status,
	    "status                          your registration, as JSON" },
	{ "ca", 0, 1, command_ca,
	    "ca                              the CA public key to trust" },
	{ "help", 0, 1, command_help,
	    "help                            this list" },
	{ "version", 0, 1, command_version,
	    "version                         the version of cassh" },
};

#define COMMAND_COUNT (sizeof(command_table) / sizeof(command_table[0]))

/* Split on spaces and tabs; no quoting, since no argument needs it. */
static enum err
command_split(const char *line, struct command_call *call)
{
	char *p, *word, *save = NULL;
	size_t n = strlen(line);

	if (n >= sizeof(call->buf))
		return ERR_USAGE;
	memcpy(call->buf, line, n + 1);
	for (p = call->buf; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 && *p != '\t')
			return ERR_USAGE;
	call->argc = 0;
	for (word = strtok_r(call->buf, " \t", &save); word != NULL;
	    word = strtok_r(NULL, " \t", &save)) {
		if (call->argc == COMMAND_MAX_ARGS)
			return ERR_USAGE;
		call->argv[call->argc++] = word;
	}
	return call->argc > 0 ? ERR_OK : ERR_USAGE;
}

/* A command refused before it runs is a decision too. */
static enum err
command_refused(const struct command_env *env, const char *line, enum err e)
{
	struct audit a;

	audit_begin(&a, "command");
	audit_str(&a, "conn", env->conn_id);
	audit_str(&a, "peer", env->peer);
	audit_str(&a, "login", env->login);
	audit_str(&a, "result", "refused");
	audit_str(&a, "reason", err_name(e));
	audit_str(&a, "line", line);	/* last: the one that may be cut */
	audit_end(&a);
	return e;
}

enum err
command_prepare(const struct command_env *env, const char *line,
    struct command_call *call, size_t *max_input)
{
	enum err e;

	if ((e = command_find(env, line, call)) != ERR_OK)
		return command_refused(env, line, e);
	*max_input = call->cmd->max_input;
	return ERR_OK;
}

static enum err
command_find(const struct command_env *env, const char *line,
    struct command_call *call)
{
	size_t i;
	enum err e;

	call->cmd = NULL;
	if ((e = command_split(line, call)) != ERR_OK)
		return e;
	/* "signer sign" is how a forced command would be spelt. */
	if (call->argc > 1 && strcmp(call->argv[0], "signer") == 0) {
		memmove(call->argv, call->argv + 1,
		    (size_t)(call->argc - 1) * sizeof(call->argv[0]));
		call->argc--;
	}
	for (i = 0; i < COMMAND_COUNT; i++)
		if (strcmp(call->argv[0], command_table[i].name) == 0)
			break;
	if (i == COMMAND_COUNT || call->argc != 1)
		return ERR_USAGE;
	if (env->is_public && !command_table[i].public_ok)
		return ERR_NOT_PERMITTED;
	call->cmd = &command_table[i];
	return ERR_OK;
}

int
command_run(const struct command_env *env, struct command_call *call,
    const uint8_t *in, size_t n, int toolong, struct wbuf *out,
    char *errline, size_t errlen)
{
	struct audit a;
	enum err e;

	audit_begin(&a, call->cmd->name);
	audit_str(&a, "conn", env->conn_id);
	audit_str(&a, "peer", env->peer);
	audit_str(&a, "login", env->login);
	if (toolong)
		e = ERR_INPUT_TOO_LONG;
	else
		e = call->cmd->run(env, call, in, n, out, &a);
	if (e == ERR_OK && wbuf_failed(out))
		e = ERR_NOMEM;
	audit_str(&a, "result", e == ERR_OK ? "ok" : "refused");
	if (e != ERR_OK) {
		audit_str(&a, "reason", err_name(e));
		wbuf_free(out);
		snprintf(errline, errlen, "cassh: %s", err_str(e));
	}
	audit_end(&a);
	return err_exit_status(e);
}

/* What the signing transaction needs, and what it gives back. */
struct sign_ctx {
	const struct command_env *env;
	struct pubkey		*key;
	struct cakey		*ca;
	char			*line;		/* the certificate */
	/* copies of the issued record, for the audit line */
	uint64_t		 serial;
	char			 key_id[RECORD_MAX_NAME + 24];
	char			 principals[512];
	int64_t			 valid_after;
	int64_t			 valid_before;
};

static enum err
sign_check_user(const struct user *u, const struct pubkey *key)
{
	int i;

	if (u->state == USER_PENDING)
		return ERR_PENDING;
	if (u->state != USER_ACTIVE)
		return ERR_REVOKED;
	if ((i = user_key_find(u, key->fp)) == -1 ||
	    u->keys[i].state != USER_ACTIVE)
		return ERR_NOT_YOUR_KEY;
	return ERR_OK;
}

/* Principals are copied into rec; a user never gets an empty list. */
static enum err
sign_principals(const struct user *u, struct issued *rec)
{
	size_t i, n = u->nprincipals > 0 ? u->nprincipals : 1;

	if ((rec->principals = calloc(n, sizeof(char *))) == NULL)
		return ERR_NOMEM;
	for (i = 0; i < n; i++) {
		rec->principals[i] = strdup(u->nprincipals > 0 ?
		    u->principals[i] : u->name);
		if (rec->principals[i] == NULL)
			return ERR_NOMEM;
		rec->nprincipals++;
	}
	return ERR_OK;
}

static void
sign_remember(struct sign_ctx *sc, const struct issued *rec)
{
	size_t i, len = 0;

	sc->serial = rec->serial;
	snprintf(sc->key_id, sizeof(sc->key_id), "%s", rec->key_id);
	sc->principals[0] = '\0';
	for (i = 0; i < rec->nprincipals && len < sizeof(sc->principals);
	    i++)
		len += (size_t)snprintf(sc->principals + len,
		    sizeof(sc->principals) - len, "%s%s", i ? "," : "",
		    rec->principals[i]);
	sc->valid_after = rec->valid_after;
	sc->valid_before = rec->valid_before;
}

/* Runs inside the registry's write transaction: see registry_issue. */
static enum err
sign_in_txn(void *arg, const struct user *u, uint64_t serial,
    struct issued *rec)
{
	struct sign_ctx *sc = arg;
	const struct config *cfg = sc->env->cfg;
	struct cert_request req;
	char keyid[RECORD_MAX_NAME + 24];
	int64_t now = (int64_t)time(NULL), life;
	enum err e;

	if ((e = sign_check_user(u, sc->key)) != ERR_OK)
		return e;
	life = u->expiry > 0 && u->expiry < cfg->max_expiry ?
	    u->expiry : cfg->max_expiry;
	snprintf(keyid, sizeof(keyid), "%s/%" PRIu64, u->name, serial);
	if ((rec->name = strdup(u->name)) == NULL ||
	    (rec->key_id = strdup(keyid)) == NULL)
		return ERR_NOMEM;
	if ((e = sign_principals(u, rec)) != ERR_OK)
		return e;
	memcpy(rec->fp, sc->key->fp, sizeof(rec->fp));
	rec->valid_after = now - cfg->backdate;
	rec->valid_before = now + life;
	rec->issued_at = now;

	req.key = sc->key;
	req.serial = serial;
	req.key_id = rec->key_id;
	req.principals = (const char *const *)rec->principals;
	req.nprincipals = rec->nprincipals;
	req.valid_after = (uint64_t)rec->valid_after;
	req.valid_before = (uint64_t)rec->valid_before;
	free(sc->line);
	sc->line = NULL;
	if ((e = cert_build(&req, sc->ca, &sc->line)) != ERR_OK)
		return e;
	sign_remember(sc, rec);
	return ERR_OK;
}

static enum err
command_sign(const struct command_env *env, struct command_call *call,
    const uint8_t *in, size_t n, struct wbuf *out, struct audit *a)
{
	struct sign_ctx sc;
	struct user *u = NULL;
	enum err e;

	memset(&sc, 0, sizeof(sc));
	sc.env = env;
	if (env->reg == NULL)
		return ERR_REGISTRY_MISSING;
	e = pubkey_parse((const char *)in, n, env->cfg->min_rsa_bits, &sc.key);
	if (e != ERR_OK)
		return e;
	audit_str(a, "fp", sc.key->fp);
	if ((e = registry_user_by_login(env->reg, env->login, &u)) != ERR_OK) {
		if (e == ERR_NOT_FOUND)
			e = ERR_NOT_REGISTERED;
		goto out;
	}
	audit_str(a, "name", u->name);
	if ((e = cakey_load(env->cfg->ca_key, &sc.ca)) != ERR_OK)
		goto out;
	e = registry_issue(env->reg, u->name, env->cfg->node_id, sign_in_txn,
	    &sc);
	if (e != ERR_OK)
		goto out;
	/* Only now, recorded and committed, may the certificate leave. */
	audit_u64(a, "serial", sc.serial);
	audit_str(a, "key_id", sc.key_id);
	audit_str(a, "principals", sc.principals);
	audit_i64(a, "valid_after", sc.valid_after);
	audit_i64(a, "valid_before", sc.valid_before);
	wbuf_put_raw(out, sc.line, strlen(sc.line));
out:
	user_free(u);
	free(sc.line);
	cakey_free(sc.ca);
	pubkey_free(sc.key);
	return e;
}

static enum err
command_status(const struct command_env *env, struct command_call *call,
    const uint8_t *in, size_t n, struct wbuf *out, struct audit *a)
{
	struct user *u = NULL;
	json_object *o;
	const char *text;
	enum err e;

	if (env->reg == NULL)
		return ERR_REGISTRY_MISSING;
	if ((e = registry_user_by_login(env->reg, env->login, &u)) != ERR_OK)
		return e == ERR_NOT_FOUND ? ERR_NOT_REGISTERED : e;
	if ((o = report_user_json(u, (int64_t)time(NULL))) == NULL) {
		user_free(u);
		return ERR_NOMEM;
	}
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	wbuf_put_raw(out, text, strlen(text));
	wbuf_put_raw(out, "\n", 1);
	json_object_put(o);
	user_free(u);
	return ERR_OK;
}

static enum err
command_ca(const struct command_env *env, struct command_call *call,
    const uint8_t *in, size_t n, struct wbuf *out, struct audit *a)
{
	struct cakey *ca;
	char *line;
	enum err e;

	if ((e = cakey_load(env->cfg->ca_key, &ca)) != ERR_OK)
		return e;
	line = cakey_publine(ca, "cassh-ca");
	cakey_free(ca);
	if (line == NULL)
		return ERR_NOMEM;
	wbuf_put_raw(out, line, strlen(line));
	wbuf_put_raw(out, "\n", 1);
	free(line);
	return ERR_OK;
}

static enum err
command_help(const struct command_env *env, struct command_call *call,
    const uint8_t *in, size_t n, struct wbuf *out, struct audit *a)
{
	static const char head[] = "cassh: an SSH certificate authority.\n"
	    "Usage: ssh cassh@HOST COMMAND\n\n";
	size_t i;

	wbuf_put_raw(out, head, sizeof(head) - 1);
	for (i = 0; i < COMMAND_COUNT; i++) {
		if (env->is_public && !command_table[i].public_ok)
			continue;
		wbuf_put_raw(out, "  ", 2);
		wbuf_put_raw(out, command_table[i].help,
		    strlen(command_table[i].help));
		wbuf_put_raw(out, "\n", 1);
	}
	return ERR_OK;
}

static enum err
command_version(const struct command_env *env, struct command_call *call,
    const uint8_t *in, size_t n, struct wbuf *out, struct audit *a)
{
	static const char v[] = "cassh " CASSH_VERSION "\n";

	wbuf_put_raw(out, v, sizeof(v) - 1);
	return ERR_OK;
}
