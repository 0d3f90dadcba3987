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
 * and at most ten years (3653 days). One number and one lower-case
 * unit: compound forms such as "1d2h", spaces, signs other than a
 * leading '+' and upper-case units are refused. Returns 0, or -1 if s
 * is not such a duration (*secs is then left alone).
 */
int	duration_parse(const char *s, int64_t *secs);

/*
 * duration_format: the shortest exact form of secs ("+2w", "+1d",
 * "+12h", "+90m", "+45s") into buf, truncated to len bytes with a NUL.
 * duration_parse reads it back to the same number.
 */
void	duration_format(int64_t secs, char *buf, size_t len);

#endif
