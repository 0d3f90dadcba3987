/* SPDX-License-Identifier: ISC */
/*
 * sandbox_rules: the seccomp rules of the two confined processes, as
 * sandbox-gen turns them into BPF programs at build time, and the
 * marks that sandbox.c replaces in those programs at run time.
 */
#ifndef CASSH_SANDBOX_RULES_H
#define CASSH_SANDBOX_RULES_H

/*
 * Stand-ins for the process's pid and its log file's descriptor, in
 * the rules and so in the programs' comparisons. Neither can be a
 * pid (at most 2^22), a descriptor, nor any other constant the rules
 * compare with; sandbox-gen checks the last.
 */
#define SANDBOX_MARK_PID	0x5ca55e1du
#define SANDBOX_MARK_LOGFD	0x5ca55e1fu

/* A descriptor no process has: for "no log file". */
#define SANDBOX_NO_FD		0x7fffffffu

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
