/* SPDX-License-Identifier: ISC */
/*
 * guard: the failed-login policy; the registry keeps the counts.
 *
 * A window opens at a login's first wrong password and lasts
 * lockout_window seconds; failures in it are counted, and the one that
 * reaches lockout_failures locks the login for lockout_time seconds.
 * The window is fixed rather than sliding, so that one small record
 * per login is enough; the cost is that a guesser who times the edge
 * of a window may try nearly twice lockout_failures times in a row
 * before the first lock.
 *
 * Known shortcoming: only registered logins are counted and locked,
 * so the lock message tells a guesser which logins are registered,
 * after lockout_failures tries each, and the registry write that a
 * count costs makes a wrong password for a registered login answer a
 * little later than one for an invented login. Wrong passwords
 * otherwise read alike whether the login exists or not; the lock is
 * judged worth more than hiding who uses cassh, a list close to the
 * directory's own.
 */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "directory.h"
#include "guard.h"
#include "log.h"
#include "record.h"

/* What counting one failure did, for the audit line after commit. */
struct guard_count {
	const struct config	*cfg;
	int64_t			 now;
	struct failure		 after;
	int			 locked;	/* this failure set the lock */
};

/*
 * A lock in force: set, not over yet, and no longer than a lock may
 * last, so that a clock stepped back cannot stretch it. now is above
 * 0 (window_start is), so the difference cannot overflow.
 */
static int
guard_locked(const struct config *cfg, const struct failure *f,
    int64_t now)
{
	return f->locked_until > now &&
	    f->locked_until - now <= cfg->lockout_time;
}

/*
 * Runs inside the registry's write transaction, so that concurrent
 * failures of one login are each counted once.
 */
static enum err
guard_count(void *arg, struct failure *f)
{
	struct guard_count *gc = arg;
	const struct config *cfg = gc->cfg;
	int64_t now = gc->now;

	/* A window that is over, or that the clock went back past. */
	if (f->count == 0 || now < f->window_start ||
	    now - f->window_start >= cfg->lockout_window) {
		f->count = 0;
		f->window_start = now;
	}
	if (!guard_locked(cfg, f, now))
		f->locked_until = 0;
	if (f->count < UINT32_MAX)
		f->count++;

	/*
	 * A failure while locked can only be one that raced the check:
	 * it must not lengthen the lock, or a stranger could keep it.
	 */
	if (f->locked_until == 0 &&
	    f->count >= (uint32_t)cfg->lockout_failures) {
		f->locked_until = now + cfg->lockout_time;
		gc->locked = 1;
	}
	gc->after = *f;
	return ERR_OK;
}

static void
guard_audit_lock(const char *login, const struct failure *f, int64_t now)
{
	struct audit a;

	audit_begin(&a, "lockout");
	audit_str(&a, "login", login);
	audit_u64(&a, "failures", f->count);
	audit_i64(&a, "until", f->locked_until);
	audit_i64(&a, "seconds", f->locked_until - now);
	audit_end(&a);
}

enum err
guard_check(struct registry *reg, const struct config *cfg,
    const char *login, int64_t now, int64_t *wait)
{
	struct failure f;
	enum err e;

	if (cfg->lockout_failures == 0)
		return ERR_OK;
	if ((e = registry_failure_get(reg, login, &f)) == ERR_NOT_FOUND)
		return ERR_OK;
	if (e != ERR_OK)
		return e;
	if (!guard_locked(cfg, &f, now))
		return ERR_OK;
	if (wait != NULL)
		*wait = f.locked_until - now;
	return ERR_LOCKED;
}

enum err
guard_failed(struct registry *reg, const struct config *cfg,
    const char *login, int64_t now)
{
	struct guard_count gc;
	enum err e;

	if (cfg->lockout_failures == 0)
		return ERR_OK;
	memset(&gc, 0, sizeof(gc));
	gc.cfg = cfg;
	gc.now = now;
	if ((e = registry_failure_update(reg, login, guard_count, &gc)) !=
	    ERR_OK)
		return e;
	if (!gc.locked)
		return ERR_OK;
	guard_audit_lock(login, &gc.after, now);
	return ERR_LOCKED;
}

enum err
guard_succeeded(struct registry *reg, const char *login)
{
	return registry_failure_clear(reg, login);
}

/*
 * A count that could not be written: the login goes on as the
 * directory decided, and the operator learns that guessing is not
 * being slowed down. Only a valid name can get this far, so the login
 * needs no escaping.
 */
static void
guard_note(enum err e, const char *login, const char *what)
{
	if (e == ERR_OK || e == ERR_NOT_REGISTERED || e == ERR_LOCKED)
		return;
	log_warnx("guard: cannot %s the failed logins of %s: %s", what,
	    record_valid_name(login) ? login : "-", err_name(e));
}

enum err
guard_authenticate(const struct config *cfg, struct registry *reg,
    const struct directory_ops *dir, void *ctx, const char *login,
    const char *password)
{
	enum err e, counted;

	if (reg == NULL)
		return dir->authenticate(ctx, login, password);
	if ((e = guard_check(reg, cfg, login, time(NULL), NULL)) != ERR_OK)
		return e;

	e = dir->authenticate(ctx, login, password);
	if (e == ERR_OK)
		guard_note(guard_succeeded(reg, login), login, "clear");
	else if (e == ERR_AUTH) {
		/* The directory may have taken seconds: count at its end. */
		counted = guard_failed(reg, cfg, login, time(NULL));
		guard_note(counted, login, "count");
		if (counted == ERR_LOCKED)
			e = ERR_LOCKED;
	}
	return e;
}
