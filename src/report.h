/* SPDX-License-Identifier: ISC */
/*
 * report: a user's record as JSON, the one form that the remote
 * status command and cassh-admin user show both print, so that scripts
 * read the same fields wherever they ask.
 */
#ifndef CASSH_REPORT_H
#define CASSH_REPORT_H

#include <stdint.h>

#include <json-c/json.h>

#include "record.h"

/*
 * report_user_json: name, realname, login, state, principals, expiry
 * ("+1d"), keys (type, bits, fingerprint, state) and last_certificate
 * (serial, valid_before in ISO 8601 UTC, seconds_left from now), or
 * null if the user was never signed. Returns a new object the caller
 * releases with json_object_put, or NULL if memory ran out.
 */
json_object *report_user_json(const struct user *u, int64_t now);

/* report_iso8601: t as "2026-12-03T17:25:09Z" into buf. */
void	report_iso8601(int64_t t, char *buf, size_t len);

#endif
