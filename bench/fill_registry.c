/* SPDX-License-Identifier: ISC */
/*
 * fill_registry: load a registry with many made-up users, fast, to
 * see whether a signing slows down as the registry grows. Each user is
 * what `cassh-admin user add` would store (ACTIVE, one Ed25519 key of
 * its own, one principal, a day of expiry), but they go in through
 * registry_user_add_many, a batch per write transaction: one disk sync
 * per batch instead of one per user.
 *
 * Names are f0000000, f0000001, ...: they sort in the order they are
 * added, as B-tree appends, which is also how an import would arrive.
 * The key bytes are pseudo-random, not points on the curve: the
 * registry stores and fingerprints blobs, it never uses them as keys.
 *
 * usage: fill_registry FOLDER COUNT
 * The folder must exist; the registry is created in it if absent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "pubkey.h"
#include "record.h"
#include "registry.h"
#include "wire.h"

/* Users per write transaction: a few MiB of dirty pages. */
#define FILL_BATCH	50000

struct filler {
	struct user	 u;
	struct user_key	 key;
	char		 name[16];
	char		*principals[1];
	uint8_t		 blob[64];
};

static uint64_t
splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* The wire blob of an Ed25519 key: string type, string 32 bytes. */
static size_t
fake_key(uint8_t *blob, uint64_t *seed)
{
	static const char type[] = "ssh-ed25519";
	size_t off = 0, i;
	uint64_t r;

	blob[off++] = 0, blob[off++] = 0, blob[off++] = 0;
	blob[off++] = sizeof(type) - 1;
	memcpy(blob + off, type, sizeof(type) - 1);
	off += sizeof(type) - 1;
	blob[off++] = 0, blob[off++] = 0, blob[off++] = 0, blob[off++] = 32;
	for (i = 0; i < 4; i++) {
		r = splitmix(seed);
		memcpy(blob + off, &r, sizeof(r));
		off += sizeof(r);
	}
	return off;
}

static void
filler_make(struct filler *f, size_t i, int64_t now, uint64_t *seed)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "f%07zu", i);
	f->key.blob = f->blob;
	f->key.blob_len = fake_key(f->blob, seed);
	pubkey_fingerprint(f->key.blob, f->key.blob_len, f->key.fp);
	f->key.state = USER_ACTIVE;
	f->key.added = now;
	f->principals[0] = f->name;
	f->u.name = f->name;
	f->u.login = f->name;
	f->u.realname = "";
	f->u.state = USER_ACTIVE;
	f->u.keys = &f->key;
	f->u.nkeys = 1;
	f->u.principals = f->principals;
	f->u.nprincipals = 1;
	f->u.expiry = 86400;
	f->u.created = now;
	f->u.updated = now;
}

int
main(int argc, char *argv[])
{
	static struct filler batch[FILL_BATCH];
	static const struct user *ptr[FILL_BATCH];
	struct registry *reg;
	struct timespec t0, t1;
	uint64_t seed = 42;
	int64_t now = (int64_t)time(NULL);
	size_t count, done, n, i;
	enum err e;

	if (argc != 3 || (count = strtoull(argv[2], NULL, 10)) == 0) {
		fprintf(stderr, "usage: fill_registry FOLDER COUNT\n");
		return 64;
	}
	log_open("fill_registry", 1, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((e = registry_open(argv[1], REGISTRY_CREATE, 0, &reg)) != ERR_OK) {
		fprintf(stderr, "fill_registry: %s: %s\n", argv[1],
		    err_str(e));
		return 1;
	}
	for (done = 0; done < count; done += n) {
		n = count - done < FILL_BATCH ? count - done : FILL_BATCH;
		for (i = 0; i < n; i++) {
			filler_make(&batch[i], done + i, now, &seed);
			ptr[i] = &batch[i].u;
		}
		if ((e = registry_user_add_many(reg, ptr, n)) != ERR_OK) {
			fprintf(stderr, "fill_registry: after %zu users: %s\n",
			    done, err_str(e));
			registry_close(reg);
			return 1;
		}
	}
	registry_close(reg);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%zu %.3f\n", count, (double)(t1.tv_sec - t0.tv_sec) +
	    (t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}
