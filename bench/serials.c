/* SPDX-License-Identifier: ISC */
/*
 * serials: the serial number of each certificate line read on standard
 * input, one per line, so that a benchmark can count duplicates among
 * thousands of certificates without starting ssh-keygen for each. The
 * key id cannot serve: cassh puts the serial in it, a script around
 * ssh-keygen may not.
 *
 * Only certificates of Ed25519 user keys (the benchmark's) are read;
 * any other line is reported and makes the exit status 1.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "wire.h"

#define SERIALS_TYPE	"ssh-ed25519-cert-v01@openssh.com"

/* The serial of one line, or -1 if it is no such certificate. */
static int
serial_of(const char *line, uint64_t *serial)
{
	const char *b64 = strchr(line, ' ');
	const uint8_t *p;
	struct wreader r;
	uint8_t *blob;
	size_t len, n;
	int ret = -1;

	if (b64 == NULL || base64_decode(b64 + 1, strcspn(b64 + 1, " \n"),
	    &blob, &len) == -1)
		return -1;
	wread_init(&r, blob, len);
	/* type, nonce, the key's one field, then the serial */
	if (wread_string(&r, &p, &n) == 0 && n == strlen(SERIALS_TYPE) &&
	    memcmp(p, SERIALS_TYPE, n) == 0 &&
	    wread_string(&r, &p, &n) == 0 && wread_string(&r, &p, &n) == 0 &&
	    wread_u64(&r, serial) == 0)
		ret = 0;
	free(blob);
	return ret;
}

int
main(void)
{
	char line[16384];
	uint64_t serial;
	int status = 0;

	while (fgets(line, sizeof(line), stdin) != NULL) {
		if (serial_of(line, &serial) == -1) {
			fprintf(stderr, "serials: not a certificate: %.40s\n",
			    line);
			status = 1;
			continue;
		}
		printf("%" PRIu64 "\n", serial);
	}
	return status;
}
