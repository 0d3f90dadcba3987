/* SPDX-License-Identifier: ISC */
/*
 * fuzz_pubkey: a libFuzzer target for the first code that reads what a
 * client sends, pubkey_parse(), and for the blob layer under it,
 * pubkey_from_blob(), which the registry also feeds. Every input is
 * tried both ways. Beyond not crashing, whatever is accepted must keep
 * its promises: the line cassh prints for the key reads back to the same
 * blob, type, size and fingerprint. See README.md for how to run it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pubkey.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
same_key(const struct pubkey *a, const struct pubkey *b)
{
	if (a->type != b->type || a->bits != b->bits ||
	    a->blob_len != b->blob_len || a->fields_off != b->fields_off ||
	    memcmp(a->blob, b->blob, a->blob_len) != 0 ||
	    strcmp(a->fp, b->fp) != 0)
		abort();
}

/* An accepted key must read back, from its line and its blob. */
static void
check_round_trip(const struct pubkey *k)
{
	struct pubkey *again = NULL;
	char *line;

	if (strncmp(k->fp, "SHA256:", 7) != 0 ||
	    strlen(k->fp) != PUBKEY_FP_LEN - 1)
		abort();
	if ((line = pubkey_line(k)) == NULL)
		return;
	if (pubkey_parse(line, strlen(line), 0, &again) != ERR_OK)
		abort();
	same_key(k, again);
	pubkey_free(again);
	free(line);

	again = NULL;
	if (pubkey_from_blob(k->blob, k->blob_len, 0, &again) != ERR_OK)
		abort();
	same_key(k, again);
	pubkey_free(again);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pubkey *k = NULL;

	/* The lowest minimum lets small RSA keys reach the deepest checks. */
	if (pubkey_parse((const char *)data, size, 0, &k) == ERR_OK)
		check_round_trip(k);
	else if (k != NULL)
		abort();
	pubkey_free(k);

	k = NULL;
	if (pubkey_from_blob(data, size, 0, &k) == ERR_OK)
		check_round_trip(k);
	else if (k != NULL)
		abort();
	pubkey_free(k);
	return 0;
}
