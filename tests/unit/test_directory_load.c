/* SPDX-License-Identifier: ISC */
/*
 * test_directory_load: how cassh-signer reaches the LDAP module
 * (src/directory_load.c): which file it picks, which files it refuses
 * to load (and says why), and that the module of this build loads and
 * answers. tests/meson.build names the files in the environment:
 *
 *	MODULE_HERE		the module of this build
 *	MODULE_FOREIGN_ABI	a module that names another build
 *	MODULE_FOREIGN_SIZE	one with another size of struct config
 *	MODULE_NO_ENTRY		a shared object without the entry
 *
 * Every refusal must leave its reason in the log (a file of the test's
 * own), since that is all an operator gets.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"
#include "directory.h"
#include "log.h"

static char logpath[PATH_MAX];
static struct config cfg;

static const char *
env(const char *name)
{
	const char *v = getenv(name);

	if (v == NULL || *v == '\0')
		fail_msg("%s is not set: run through meson test", name);
	return v;
}

/* The log must now hold a line with what. */
static void
assert_logged(const char *what)
{
	char buf[16384];
	ssize_t n;
	int fd;

	assert_true((fd = open(logpath, O_RDONLY)) != -1);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	assert_true(n >= 0);
	buf[n] = '\0';
	if (strstr(buf, what) == NULL)
		fail_msg("the log lacks \"%s\":\n%s", what, buf);
}

static void
copy_file(const char *from, const char *to, mode_t mode)
{
	char buf[65536];
	ssize_t n;
	int in, out;

	assert_true((in = open(from, O_RDONLY)) != -1);
	assert_true((out = open(to, O_WRONLY | O_CREAT | O_TRUNC, mode)) !=
	    -1);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		assert_int_equal(write(out, buf, (size_t)n), n);
	close(in);
	close(out);
	assert_int_equal(chmod(to, mode), 0);
}

static void
programs_of_the_build_folder_pick_its_module(void **state)
{
	(void)state;
	assert_string_equal(directory_module_path(), env("MODULE_HERE"));
}

static void
the_module_of_this_build_loads_and_answers(void **state)
{
	struct directory *d;

	(void)state;
	assert_int_equal(directory_load(), ERR_OK);
	assert_int_equal(directory_load(), ERR_OK);
	assert_int_equal(directory_open(&cfg, &d), ERR_OK);
	/* An empty password is refused in the module, before traffic. */
	assert_int_equal(directory_authenticate(d, "alice", "", NULL),
	    ERR_AUTH);
	directory_close(d);
}

static void
a_module_of_another_build_is_refused(void **state)
{
	(void)state;
	assert_null(directory_module_open(env("MODULE_FOREIGN_ABI")));
	assert_logged("is not from this build");
	assert_null(directory_module_open(env("MODULE_FOREIGN_SIZE")));
	assert_logged(env("MODULE_FOREIGN_SIZE"));
}

static void
a_shared_object_without_the_entry_is_refused(void **state)
{
	(void)state;
	assert_null(directory_module_open(env("MODULE_NO_ENTRY")));
	assert_logged(env("MODULE_NO_ENTRY"));
}

static void
a_missing_module_is_refused(void **state)
{
	(void)state;
	assert_null(directory_module_open("/nonexistent/cassh-directory.so"));
	assert_logged("/nonexistent/cassh-directory.so: /nonexistent: No such file");
	assert_null(directory_module_open("cassh-directory.so"));
	assert_logged("is not a full path");
}

/* Anyone who can change the file or its folder could run code here. */
static void
a_module_others_can_change_is_refused(void **state)
{
	char dir[] = "/tmp/cassh-module.XXXXXX", path[PATH_MAX];
	char sub[PATH_MAX], subpath[PATH_MAX + 64], link[PATH_MAX];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/%s", dir, DIRECTORY_MODULE_NAME);

	copy_file(env("MODULE_HERE"), path, 0666);
	assert_null(directory_module_open(path));
	assert_logged("is not a file that only root can change");

	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(chmod(dir, 0777), 0);
	assert_null(directory_module_open(path));
	assert_logged("is not one that only root can change");

	/* A folder above it that others can change is as bad. */
	assert_int_equal(chmod(dir, 0755), 0);
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	snprintf(subpath, sizeof(subpath), "%s/%s", sub,
	    DIRECTORY_MODULE_NAME);
	assert_int_equal(mkdir(sub, 0755), 0);
	copy_file(env("MODULE_HERE"), subpath, 0644);
	assert_int_equal(chmod(dir, 0777), 0);
	assert_null(directory_module_open(subpath));
	assert_logged("is not one that only root can change");
	assert_int_equal(chmod(dir, 0755), 0);
	assert_non_null(directory_module_open(subpath));
	unlink(subpath);
	rmdir(sub);

	/* A link is not followed, even to the module of this build. */
	snprintf(link, sizeof(link), "%s/link.so", dir);
	assert_int_equal(symlink(env("MODULE_HERE"), link), 0);
	assert_null(directory_module_open(link));
	assert_logged("link.so: Too many levels of symbolic links");
	unlink(link);

	/* The same copy, once safe, is the module of this build. */
	assert_non_null(directory_module_open(path));

	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(programs_of_the_build_folder_pick_its_module),
		cmocka_unit_test(the_module_of_this_build_loads_and_answers),
		cmocka_unit_test(a_module_of_another_build_is_refused),
		cmocka_unit_test(a_shared_object_without_the_entry_is_refused),
		cmocka_unit_test(a_missing_module_is_refused),
		cmocka_unit_test(a_module_others_can_change_is_refused),
	};
	const char *tmp = getenv("TMPDIR");

	snprintf(logpath, sizeof(logpath), "%s/test_directory_load.%d.log",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp", (int)getpid());
	if (log_open("test_directory_load", 0, logpath) == -1)
		return 1;
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(logpath);
	return rc;
}
