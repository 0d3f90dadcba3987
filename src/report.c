/* SPDX-License-Identifier: ISC */
/*
 * report: the JSON form of a user's record. Every member is checked as
 * it is added, so that out of memory gives NULL, never a record with
 * fields silently missing.
 */
#include <stdio.h>
#include <time.h>

#include "duration.h"
#include "pubkey.h"
#include "report.h"

void
report_iso8601(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "-");
}

/* Add v under k; v is consumed either way, NULL counts as failure. */
static int
jset(json_object *o, const char *k, json_object *v)
{
	if (v == NULL || json_object_object_add(o, k, v) != 0) {
		json_object_put(v);
		return -1;
	}
	return 0;
}

static int
jpush(json_object *arr, json_object *v)
{
	if (v == NULL || json_object_array_add(arr, v) != 0) {
		json_object_put(v);
		return -1;
	}
	return 0;
}

static json_object *
key_json(const struct user_key *uk)
{
	json_object *o = json_object_new_object();
	struct pubkey *k = NULL;
	int bad;

	if (o == NULL)
		return NULL;
	/* Described, not judged: the floor, not today's minimum. */
	if (pubkey_from_blob(uk->blob, uk->blob_len, PUBKEY_RSA_FLOOR_BITS,
	    &k) == ERR_OK)
		bad = jset(o, "type", json_object_new_string(
		    pubkey_type_name(k->type))) == -1 ||
		    jset(o, "bits", json_object_new_int((int)k->bits)) == -1;
	else
		bad = jset(o, "type", json_object_new_string("unknown")) ==
		    -1 || jset(o, "bits", json_object_new_int(0)) == -1;
	pubkey_free(k);
	if (bad || jset(o, "fingerprint", json_object_new_string(uk->fp)) ==
	    -1 || jset(o, "state", json_object_new_string(
	    user_state_name(uk->state))) == -1) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static json_object *
keys_json(const struct user *u)
{
	json_object *arr = json_object_new_array();
	size_t i;

	for (i = 0; arr != NULL && i < u->nkeys; i++) {
		if (jpush(arr, key_json(&u->keys[i])) == -1) {
			json_object_put(arr);
			return NULL;
		}
	}
	return arr;
}

static json_object *
principals_json(const struct user *u)
{
	json_object *arr = json_object_new_array();
	size_t i;

	for (i = 0; arr != NULL && i < u->nprincipals; i++) {
		if (jpush(arr, json_object_new_string(u->principals[i])) ==
		    -1) {
			json_object_put(arr);
			return NULL;
		}
	}
	return arr;
}

/* The last certificate, or NULL (JSON null) if never signed. */
static int
last_json(const struct user *u, int64_t now, json_object **out)
{
	json_object *o;
	char vb[32];
	int64_t left = u->last_valid_before - now;

	*out = NULL;
	if (u->last_serial == 0)
		return 0;
	if ((o = json_object_new_object()) == NULL)
		return -1;
	report_iso8601(u->last_valid_before, vb, sizeof(vb));
	if (jset(o, "serial", json_object_new_uint64(u->last_serial)) == -1 ||
	    jset(o, "valid_before", json_object_new_string(vb)) == -1 ||
	    jset(o, "seconds_left", json_object_new_int64(left > 0 ?
	    left : 0)) == -1) {
		json_object_put(o);
		return -1;
	}
	*out = o;
	return 0;
}

json_object *
report_user_json(const struct user *u, int64_t now)
{
	json_object *o = json_object_new_object(), *last = NULL;
	char exp[32];

	if (o == NULL)
		return NULL;
	duration_format(u->expiry, exp, sizeof(exp));
	if (last_json(u, now, &last) == -1)
		goto fail;
	if (jset(o, "name", json_object_new_string(u->name)) == -1 ||
	    jset(o, "realname", json_object_new_string(u->realname)) == -1 ||
	    jset(o, "login", json_object_new_string(u->login)) == -1 ||
	    jset(o, "state", json_object_new_string(
	    user_state_name(u->state))) == -1 ||
	    jset(o, "principals", principals_json(u)) == -1 ||
	    jset(o, "expiry", json_object_new_string(exp)) == -1 ||
	    jset(o, "keys", keys_json(u)) == -1 ||
	    json_object_object_add(o, "last_certificate", last) != 0)
		goto fail;
	return o;
 fail:
	json_object_put(last);
	json_object_put(o);
	return NULL;
}
