/* SPDX-License-Identifier: ISC */
/*
 * sandbox_rules: the seccomp rules of the two confined processes, as
 * sandbox-gen turns them into BPF programs at build time, and the
 * mark that sandbox.c replaces in those programs at run time.
 */
#ifndef CASSH_SANDBOX_RULES_H
#define CASSH_SANDBOX_RULES_H

/*
 * A stand-in for the process's pid, in the rules and so in the
 * programs' comparisons. It cannot be a pid (at most 2^22) nor any
 * other constant the rules compare with; sandbox-gen checks the last.
 */
#define SANDBOX_MARK_PID	0x5ca55e1du

/* The longest program the kernel takes (BPF_MAXINSNS). */
#define SANDBOX_BPF_MAX		4096

/*
 * sandbox_rules_build: add the rules of the SSH child (directory 0)
 * or of the directory process (directory 1) to ctx, a libseccomp
 * filter made with SCMP_ACT_KILL_PROCESS as its default. Returns 0,
 * or -1 if libseccomp refused a rule.
 */
int	sandbox_rules_build(void *ctx, int directory);

#endif
