/* SPDX-License-Identifier: ISC */
/*
 * duration: certificate lifetimes as an admin types them in the
 * configuration or on the command line, and back as `status` shows
 * them. A lifetime is one number and one unit; the parser refuses
 * everything else rather than guess, because a lifetime read wrongly
 * is a certificate that lives too long.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

#include "duration.h"

#define MINUTE	60
#define HOUR	(60 * MINUTE)
#define DAY	(24 * HOUR)
#define WEEK	(7 * DAY)

/*
 * Ten years, counted as 3653 days so that any ten calendar years fit
 * whatever their leap days: "+3650d" and "+520w" pass, "+3654d" does
 * not. Anything longer is a typo, not a policy.
 */
#define DURATION_MAX	((int64_t)3653 * DAY)

/*
 * Only lower-case units: "M" would be read as minutes by ssh-keygen
 * but meant as months by many people, so upper case is refused
 * outright instead of being given either meaning.
 */
static int64_t
duration_unit(char c)
{
	switch (c) {
	case '\0':
	case 's':
		return 1;
	case 'm':
		return MINUTE;
	case 'h':
		return HOUR;
	case 'd':
		return DAY;
	case 'w':
		return WEEK;
	default:
		return 0;
	}
}

int
duration_parse(const char *s, int64_t *secs)
{
	int64_t n = 0, unit;

	if (s == NULL)
		return -1;
	if (*s == '+')
		s++;
	if (*s < '0' || *s > '9')
		return -1;

	/*
	 * Stop as soon as the number alone passes the bound: then the
	 * product below can never overflow, however many digits follow.
	 */
	for (; *s >= '0' && *s <= '9'; s++) {
		n = n * 10 + (*s - '0');
		if (n > DURATION_MAX)
			return -1;
	}

	/* A unit, if any, must be the last character ("1d2h" is refused). */
	if ((unit = duration_unit(*s)) == 0)
		return -1;
	if (*s != '\0' && s[1] != '\0')
		return -1;

	if (n == 0 || n * unit > DURATION_MAX)
		return -1;
	*secs = n * unit;
	return 0;
}

void
duration_format(int64_t secs, char *buf, size_t len)
{
	static const struct {
		int64_t	secs;
		char	unit;
	} units[] = {
		{ WEEK, 'w' }, { DAY, 'd' }, { HOUR, 'h' }, { MINUTE, 'm' },
	};
	size_t i;
	char unit = 's';

	if (len == 0)
		return;

	/* The largest unit that divides exactly gives the shortest form. */
	if (secs > 0) {
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			if (secs % units[i].secs == 0) {
				secs /= units[i].secs;
				unit = units[i].unit;
				break;
			}
		}
	}
	snprintf(buf, len, "%+" PRId64 "%c", secs, unit);
}
