/* SPDX-License-Identifier: ISC */
/*
 * guard: slowing down password guessing through cassh-signer.
 *
 * Failed logins are counted per LDAP login in the registry, the one
 * thing signer processes share. After [signer] lockout_failures wrong
 * passwords within lockout_window seconds, the login is locked for
 * lockout_time seconds (15 minutes at most): its attempts are refused
 * before any LDAP traffic, with a message that says so. Each further
 * wrong password inside the same window locks it again, so a guesser
 * gets about one try per lockout_time. A lock ends by itself, and a
 * successful login clears the count.
 *
 * Only logins the registry knows are counted (registry.h says why), so
 * invented logins cannot fill it. Anyone may lock a known login; that
 * is why a lock is short and an attempt refused during a lock neither
 * counts nor lengthens it.
 *
 * Times are seconds since the epoch, passed in so that tests can run
 * a clock of their own.
 */
#ifndef CASSH_GUARD_H
#define CASSH_GUARD_H

#include <stdint.h>

#include "config.h"
#include "directory.h"
#include "err.h"
#include "registry.h"

/*
 * guard_check: whether login may try a password at time now. Returns
 * ERR_OK, or ERR_LOCKED with *wait (if not NULL) set to the seconds
 * the lock has left. A lock that would end more than lockout_time
 * after now (the clock went back, or lockout_time was lowered) is not
 * honoured. With lockout_failures 0 nothing is ever locked. Returns
 * the errors of registry_failure_get (ERR_REGISTRY_BUSY, ERR_INTERNAL)
 * when the count cannot be read.
 */
enum err guard_check(struct registry *reg, const struct config *cfg,
	    const char *login, int64_t now, int64_t *wait);

/*
 * guard_failed: count a wrong password for login at time now. Returns
 * ERR_OK (counted; or nothing to do with lockout_failures 0),
 * ERR_LOCKED (this failure locked the login; an audit line
 * event=lockout says until when), ERR_NOT_REGISTERED (no registered
 * login: not counted), or the errors of registry_failure_update.
 */
enum err guard_failed(struct registry *reg, const struct config *cfg,
	    const char *login, int64_t now);

/*
 * guard_succeeded: forget login's failures and any lock, after a
 * right password. Returns ERR_OK or the errors of
 * registry_failure_clear.
 */
enum err guard_succeeded(struct registry *reg, const char *login);

/*
 * guard_authenticate: the directory's authentication (dir, with its
 * ctx) inside the guard: check, ask the directory, then count a wrong
 * password or clear the count. reg may be NULL when the registry could
 * not be opened: the directory alone decides then (the signer has
 * logged why, and commands report it after login).
 *
 * Returns what the directory returns, except ERR_LOCKED
 * (before any LDAP traffic, or for the wrong password that set the
 * lock) and the errors of guard_check, which refuse the login: a
 * count that cannot be read must not be a way around a lock. A count
 * that cannot be written is logged and changes nothing: the directory
 * has spoken.
 */
enum err guard_authenticate(const struct config *cfg, struct registry *reg,
	    const struct directory_ops *dir, void *ctx, const char *login,
	    const char *password);

#endif
