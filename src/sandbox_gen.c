/* SPDX-License-Identifier: ISC */
/*
 * sandbox-gen: run while cassh is built, it has libseccomp turn the
 * rules of sandbox_rules.c into the two BPF programs that sandbox.c
 * loads, and writes them as a C header:
 *
 *	sandbox-gen OUTPUT
 *
 * It checks what sandbox.c relies on: each program fits the kernel's
 * bound, names the pid mark, and holds that value nowhere but in the
 * constants of comparisons, where sandbox.c replaces it.
 *
 * Only the export is used here, never the kernel's seccomp(2): the
 * API level is set rather than probed, so a build host that refuses
 * seccomp(2) (a container, an emulator) builds the same programs.
 * The header appears under its name only once it is whole.
 */
#include <sys/mman.h>

#include <linux/filter.h>

#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sandbox_rules.h"

static void __attribute__((noreturn))
die(const char *what)
{
	fprintf(stderr, "sandbox-gen: %s\n", what);
	exit(1);
}

/* The program libseccomp makes of the rules, into prog; its length. */
static size_t
gen_program(int directory, struct sock_filter *prog)
{
	scmp_filter_ctx ctx;
	ssize_t n;
	int fd;

	/* Level 3: the kernel has SECCOMP_RET_KILL_PROCESS (Linux 4.14). */
	if (seccomp_api_set(3) != 0)
		die("seccomp_api_set failed");
	if ((ctx = seccomp_init(SCMP_ACT_KILL_PROCESS)) == NULL)
		die("seccomp_init failed");
	if (sandbox_rules_build(ctx, directory) == -1)
		die("libseccomp refused a rule");
	if ((fd = memfd_create("sandbox-bpf", MFD_CLOEXEC)) == -1)
		die("memfd_create failed");
	if (seccomp_export_bpf(ctx, fd) != 0 || lseek(fd, 0, SEEK_SET) != 0)
		die("seccomp_export_bpf failed");
	n = read(fd, prog, SANDBOX_BPF_MAX * sizeof(*prog) + 1);
	close(fd);
	seccomp_release(ctx);
	if (n <= 0 || n % (ssize_t)sizeof(*prog) != 0 ||
	    (size_t)n > SANDBOX_BPF_MAX * sizeof(*prog))
		die("the program is empty, cut or too long");
	return (size_t)n / sizeof(*prog);
}

/* How often a mark is compared with; any other use is fatal. */
static int
gen_marks(const struct sock_filter *prog, size_t n, uint32_t mark)
{
	int count = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (prog[i].k != mark)
			continue;
		if (BPF_CLASS(prog[i].code) != BPF_JMP ||
		    BPF_SRC(prog[i].code) != BPF_K)
			die("a mark is used other than as a comparison");
		count++;
	}
	return count;
}

static void
gen_emit(FILE *out, const char *name, int directory)
{
	static struct sock_filter prog[SANDBOX_BPF_MAX + 1];
	size_t i, n;

	n = gen_program(directory, prog);
	if (gen_marks(prog, n, SANDBOX_MARK_PID) == 0)
		die("the pid mark is missing");
	fprintf(out, "static const struct sock_filter %s[] = {\n", name);
	for (i = 0; i < n; i++)
		fprintf(out, "\t{ 0x%04x, %u, %u, 0x%08x },\n",
		    (unsigned)prog[i].code, (unsigned)prog[i].jt,
		    (unsigned)prog[i].jf, (unsigned)prog[i].k);
	fprintf(out, "};\n\n");
}

int
main(int argc, char *argv[])
{
	char tmp[4096];
	FILE *out;

	if (argc != 2)
		die("usage: sandbox-gen OUTPUT");
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", argv[1]) >=
	    sizeof(tmp))
		die("the output's name is too long");
	if ((out = fopen(tmp, "w")) == NULL)
		die("cannot write the output");
	fprintf(out, "/* Made by sandbox-gen from sandbox_rules.c. */\n\n");
	gen_emit(out, "sandbox_bpf_session", 0);
	gen_emit(out, "sandbox_bpf_directory", 1);
	if (fclose(out) != 0 || rename(tmp, argv[1]) != 0) {
		(void)unlink(tmp);
		die("cannot write the output");
	}
	return 0;
}
