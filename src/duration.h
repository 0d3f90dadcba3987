/* SPDX-License-Identifier: ISC */
/*
 * duration: certificate lifetimes as people write them: "+1d", "12h",
 * "90m", "+180d", "3600" or "30s" (the '+' is optional; a bare number
 * is seconds; units s, m, h, d, w).
 */
#ifndef CASSH_DURATION_H
#define CASSH_DURATION_H

#include <stddef.h>
#include <stdint.h>

/*
 * duration_parse: the number of seconds in s, which must be positive
 * and at most ten years. Returns 0, or -1 if s is not such a duration.
 */
int	duration_parse(const char *s, int64_t *secs);

/*
 * duration_format: the shortest exact form of secs ("+1d", "+12h",
 * "+90m", "+45s") into buf.
 */
void	duration_format(int64_t secs, char *buf, size_t len);

#endif
