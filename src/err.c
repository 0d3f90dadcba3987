/* SPDX-License-Identifier: ISC */
/*
 * err: the table that turns an error code into the user's line, its
 * exit status and its audit token.
 */
#include <stddef.h>
#include <sysexits.h>

#include "err.h"

struct err_info {
	const char	*name;
	int		 status;
	const char	*text;
};

static const struct err_info err_table[ERR_MAX] = {
	[ERR_OK] = { "ok", 0, "success" },
	[ERR_USAGE] = { "usage", EX_USAGE,
	    "unknown command or bad arguments; run 'help' for the commands" },
	[ERR_INPUT_EMPTY] = { "input_empty", EX_DATAERR,
	    "no public key on standard input; "
	    "redirect your key: sign < ~/.ssh/id_ed25519.pub" },
	[ERR_INPUT_TOO_LONG] = { "input_too_long", EX_DATAERR,
	    "standard input is too long for one public key line; "
	    "send only the .pub file" },
	[ERR_KEY_FORMAT] = { "key_format", EX_DATAERR,
	    "standard input is not one valid OpenSSH public key line; "
	    "send the .pub file" },
	[ERR_KEY_TYPE] = { "key_type", EX_DATAERR,
	    "cassh does not sign this type of key (a certificate, DSA); "
	    "send a plain ed25519, ecdsa or rsa public key" },
	[ERR_KEY_TOO_SMALL] = { "key_too_small", EX_DATAERR,
	    "this RSA key is too short; make a new one with "
	    "ssh-keygen -t ed25519" },
	[ERR_KEY_PRIVATE] = { "key_private", EX_DATAERR,
	    "this is a private key: never send it; send the .pub file" },
	[ERR_KEY_ENCODING] = { "key_encoding", EX_DATAERR,
	    "standard input is UTF-16 or starts with a byte order mark; "
	    "save the key as plain ASCII (PowerShell: "
	    "Set-Content -Encoding ascii)" },
	[ERR_DIRECTORY_DOWN] = { "directory_unavailable", EX_UNAVAILABLE,
	    "the directory (LDAP) is unavailable; try again later" },
	[ERR_INTERNAL] = { "internal", EX_SOFTWARE,
	    "internal error; it has been logged, tell the CA admins" },
	[ERR_NOMEM] = { "nomem", EX_SOFTWARE,
	    "out of memory; try again later" },
	[ERR_REGISTRY_BUSY] = { "registry_busy", EX_TEMPFAIL,
	    "the registry is busy; try again in a moment" },
	[ERR_REGISTRY_FULL] = { "registry_full", EX_TEMPFAIL,
	    "the registry is full; try again later and tell the CA admins" },
	[ERR_AUTH] = { "auth", EX_NOPERM,
	    "login or password incorrect" },
	[ERR_NOT_REGISTERED] = { "not_registered", EX_NOPERM,
	    "you are not registered; ask a CA admin to register your key" },
	[ERR_PENDING] = { "pending", EX_NOPERM,
	    "your registration is pending; ask a CA admin to activate it" },
	[ERR_REVOKED] = { "revoked", EX_NOPERM,
	    "your registration is revoked; ask a CA admin" },
	[ERR_NOT_YOUR_KEY] = { "not_your_key", EX_NOPERM,
	    "this key is not your registered key; send the registered "
	    "key, or ask a CA admin to register this one" },
	[ERR_NOT_PERMITTED] = { "not_permitted", EX_NOPERM,
	    "this command is not permitted for this login; "
	    "log in with your own login" },
	[ERR_LOCKED] = { "locked", EX_NOPERM,
	    "too many failed logins for this login; "
	    "try again in a few minutes" },
	[ERR_CONFIG] = { "config", EX_CONFIG,
	    "the CA is misconfigured; tell the CA admins" },
	[ERR_CA_KEY] = { "ca_key", EX_CONFIG,
	    "the CA key cannot be used; tell the CA admins" },
	[ERR_REGISTRY_MISSING] = { "registry_missing", EX_CONFIG,
	    "the registry cannot be opened; tell the CA admins" },
	[ERR_NOT_FOUND] = { "not_found", EX_NOPERM,
	    "no such entry" },
	[ERR_EXISTS] = { "exists", EX_DATAERR,
	    "the entry exists already" },
};

static const struct err_info *
err_info(enum err e)
{
	if ((unsigned)e >= ERR_MAX || err_table[e].name == NULL)
		return &err_table[ERR_INTERNAL];
	return &err_table[e];
}

const char *
err_str(enum err e)
{
	return err_info(e)->text;
}

int
err_exit_status(enum err e)
{
	return err_info(e)->status;
}

const char *
err_name(enum err e)
{
	return err_info(e)->name;
}
