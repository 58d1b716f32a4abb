/* Unit tests for lib/tl_out: atomic file output, JSONL and CSV. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/redirect.h>

#include "tl_json.h"
#include "tl_out.h"
#include "tl_records.h"
#include "unit.h"

UT_SCRATCH_DIR();

TestSuite(tl_out, .init = ut_setup, .fini = ut_teardown);

static json_t *
js(const char *s)
{
	json_error_t je;
	json_t *v;

	v = json_loads(s, JSON_REJECT_DUPLICATES, &je);
	cr_assert_not_null(v, "bad test JSON %s: %s", s, je.text);
	return v;
}

static void
write_ok(struct tl_out *o, const char *rec)
{
	struct tl_err err;
	json_t *v;

	v = js(rec);
	tl_err_clear(&err);
	cr_assert_eq(tl_out_write(o, v, &err), 0, "%s: %s", err.where,
	    err.msg);
	json_decref(v);
}

static struct tl_out *
open_ok(const char *path, enum tl_fmt fmt)
{
	struct tl_out *o;
	struct tl_err err;

	tl_err_clear(&err);
	o = tl_out_open(path, fmt, &err);
	cr_assert_not_null(o, "%s: %s", err.where, err.msg);
	return o;
}

static void
close_ok(struct tl_out *o)
{
	struct tl_err err;

	tl_err_clear(&err);
	cr_assert_eq(tl_out_close(o, &err), 0, "%s: %s", err.where, err.msg);
}

static void
file_is(const char *path, const char *want)
{
	char *text;

	text = ut_read(path, NULL);
	cr_assert_str_eq(text, want);
	free(text);
}

/* Write the one record rec to path, which must succeed. */
static void
write_one(const char *path, const char *rec)
{
	struct tl_out *o;

	o = open_ok(path, TL_FMT_JSONL);
	write_ok(o, rec);
	close_ok(o);
}

Test(tl_out, jsonl_file_appears_only_on_close)
{
	struct tl_out *o;
	char path[1100], tmpname[256], prefix[300];

	ut_path(path, sizeof(path), dir, "out.jsonl");
	o = open_ok(path, TL_FMT_AUTO);
	cr_assert_eq(tl_out_fmt(o), TL_FMT_JSONL);
	write_ok(o, "{\"sym\":\"ES\",\"pnl\":2.385}");
	write_ok(o, "{\"sym\":\"NQ\",\"pnl\":-1.27,\"tags\":[0.1,\"a\"]}");
	fflush(tl_out_file(o));
	cr_assert_eq(ut_exists(path), 0, "output visible before close");
	cr_assert_eq(ut_count_entries(dir, tmpname, sizeof(tmpname)), 1);
	snprintf(prefix, sizeof(prefix), "out.jsonl.tmp.");
	cr_assert_eq(strncmp(tmpname, prefix, strlen(prefix)), 0, "temp '%s'",
	    tmpname);
	close_ok(o);
	file_is(path, "{\"sym\":\"ES\",\"pnl\":2.385}\n"
	    "{\"sym\":\"NQ\",\"pnl\":-1.27,\"tags\":[0.1,\"a\"]}\n");
	cr_assert_eq(ut_count_entries(dir, NULL, 0), 1, "temp file left");
}

Test(tl_out, close_replaces_an_existing_file)
{
	struct tl_out *o;
	char path[1100];

	ut_path(path, sizeof(path), dir, "out.jsonl");
	ut_write_str(path, "old contents\n");
	o = open_ok(path, TL_FMT_JSONL);
	write_ok(o, "{\"v\":0.1}");
	file_is(path, "old contents\n");
	close_ok(o);
	file_is(path, "{\"v\":0.1}\n");
}

Test(tl_out, abort_leaves_nothing)
{
	struct tl_out *o;
	char path[1100];

	ut_path(path, sizeof(path), dir, "out.csv");
	o = open_ok(path, TL_FMT_AUTO);
	cr_assert_eq(tl_out_fmt(o), TL_FMT_CSV);
	write_ok(o, "{\"a\":1}");
	cr_assert_eq(ut_count_entries(dir, NULL, 0), 1);
	tl_out_abort(o);
	cr_assert_eq(ut_exists(path), 0);
	cr_assert_eq(ut_count_entries(dir, NULL, 0), 0, "temp file left");
	tl_out_abort(NULL);
}

Test(tl_out, abort_keeps_an_existing_file)
{
	struct tl_out *o;
	char path[1100];

	ut_path(path, sizeof(path), dir, "keep.jsonl");
	ut_write_str(path, "{\"old\":1}\n");
	o = open_ok(path, TL_FMT_AUTO);
	write_ok(o, "{\"new\":2}");
	tl_out_abort(o);
	file_is(path, "{\"old\":1}\n");
	cr_assert_eq(ut_count_entries(dir, NULL, 0), 1);
}

Test(tl_out, mode_follows_umask)
{
	struct tl_out *o;
	struct stat st;
	char path[1100];

	umask(027);
	ut_path(path, sizeof(path), dir, "m.jsonl");
	o = open_ok(path, TL_FMT_AUTO);
	close_ok(o);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0640, "mode %o", st.st_mode & 0777);
	cr_assert_eq(st.st_size, 0);
}

Test(tl_out, csv_columns_from_first_record)
{
	struct tl_out *o;
	char path[1100];

	ut_path(path, sizeof(path), dir, "out.csv");
	o = open_ok(path, TL_FMT_AUTO);
	write_ok(o, "{\"sym\":\"ES\",\"px\":2.385,\"note\":\"a,b\","
	    "\"g\":{\"lb\":20,\"thr\":0.75},\"tags\":[1,2],\"ok\":true}");
	write_ok(o, "{\"sym\":\"N\\\"Q\",\"px\":-1.27,"
	    "\"note\":\"line1\\nline2\",\"ok\":false}");
	write_ok(o, "{\"note\":\"cr\\rhere\",\"sym\":\"CL\",\"px\":null,"
	    "\"g\":{\"lb\":5},\"tags\":[{\"k\":\"v\"}]}");
	write_ok(o, "{\"sym\":\"\",\"px\":1e300,\"g\":{\"thr\":0.1},"
	    "\"tags\":[],\"note\":\"\\\"\"}");
	close_ok(o);
	file_is(path,
	    "sym,px,note,g.lb,g.thr,tags,ok\n"
	    "ES,2.385,\"a,b\",20,0.75,\"[1,2]\",true\n"
	    "\"N\"\"Q\",-1.27,\"line1\nline2\",,,,false\n"
	    "CL,,\"cr\rhere\",5,,\"[{\"\"k\"\":\"\"v\"\"}]\",\n"
	    ",1e+300,\"\"\"\",,0.1,[],\n");
}

Test(tl_out, csv_header_is_quoted)
{
	struct tl_out *o;
	char path[1100];

	ut_path(path, sizeof(path), dir, "h.csv");
	o = open_ok(path, TL_FMT_CSV);
	write_ok(o, "{\"a,b\":1,\"q\\\"\":2}");
	close_ok(o);
	file_is(path, "\"a,b\",\"q\"\"\"\n1,2\n");
}

Test(tl_out, csv_set_columns)
{
	static const char *const cols[] = { "ts", "g.lb", "pnl" };
	struct tl_out *o;
	char path[1100];

	ut_path(path, sizeof(path), dir, "c.csv");
	o = open_ok(path, TL_FMT_CSV);
	tl_out_set_columns(o, cols, 3);
	write_ok(o, "{\"pnl\":-1.27,\"ts\":\"2026-01-05T14:30:00Z\"}");
	write_ok(o, "{\"g\":{\"lb\":7}}");
	close_ok(o);
	file_is(path, "ts,g.lb,pnl\n2026-01-05T14:30:00Z,,-1.27\n,7,\n");
}

Test(tl_out, csv_key_not_a_column_is_software_error)
{
	static const char *const cols[] = { "a", "b.c" };
	struct tl_out *o;
	struct tl_err err;
	char path[1100];
	json_t *v;

	ut_path(path, sizeof(path), dir, "x.csv");
	o = open_ok(path, TL_FMT_AUTO);
	tl_out_set_columns(o, cols, 2);
	write_ok(o, "{\"a\":1,\"b\":{\"c\":2.385}}");
	v = js("{\"a\":2,\"b\":{\"d\":-1.27}}");
	tl_err_clear(&err);
	cr_assert_eq(tl_out_write(o, v, &err), -1);
	cr_assert_eq(err.code, TL_EX_SOFTWARE);
	cr_assert_str_eq(err.where, path);
	cr_assert_str_eq(err.msg, "CSV output: field 'b.d' is not a column");
	json_decref(v);
	write_ok(o, "{\"b\":{\"c\":0.5}}");
	close_ok(o);
	file_is(path, "a,b.c\n1,2.385\n,0.5\n");
}

/* Without fixed columns every record is kept: the header is the union of
 * the keys in order of appearance. */
Test(tl_out, csv_columns_are_the_union_of_keys)
{
	char path[1100];
	struct tl_out *o;

	ut_path(path, sizeof(path), dir, "u.csv");
	o = open_ok(path, TL_FMT_AUTO);
	write_ok(o, "{\"a\":1,\"b\":{\"c\":2.385}}");
	write_ok(o, "{\"a\":2,\"b\":{\"d\":-1.27}}");
	write_ok(o, "{\"e\":\"x, y\"}");
	close_ok(o);
	file_is(path, "a,b.c,b.d,e\n1,2.385,,\n2,,-1.27,\n,,,\"x, y\"\n");
}

/* Fixed columns and no record: the header alone. */
Test(tl_out, csv_fixed_columns_no_rows_has_header)
{
	static const char *const cols[] = { "date", "strategy", "return" };
	char path[1100];
	struct tl_out *o;

	ut_path(path, sizeof(path), dir, "h.csv");
	o = open_ok(path, TL_FMT_AUTO);
	tl_out_set_columns(o, cols, 3);
	close_ok(o);
	file_is(path, "date,strategy,return\n");
}

/* A bad first record must not lose the header of the good ones after. */
Test(tl_out, csv_bad_first_record_keeps_header)
{
	static const char *const cols[] = { "a", "b" };
	struct tl_out *o;
	struct tl_err err;
	char path[1100];
	json_t *v;

	ut_path(path, sizeof(path), dir, "y.csv");
	o = open_ok(path, TL_FMT_CSV);
	tl_out_set_columns(o, cols, 2);
	v = js("{\"a\":1,\"z\":2}");
	cr_assert_eq(tl_out_write(o, v, &err), -1);
	cr_assert_eq(err.code, TL_EX_SOFTWARE);
	json_decref(v);
	write_ok(o, "{\"a\":3,\"b\":-1.27}");
	close_ok(o);
	file_is(path, "a,b\n3,-1.27\n");
}

Test(tl_out, raw_and_file)
{
	struct tl_out *o;
	struct tl_err err;
	char path[1100];

	ut_path(path, sizeof(path), dir, "r.txt");
	o = open_ok(path, TL_FMT_JSONL);
	cr_assert_eq(tl_out_raw(o, "a\0b\n", 4, &err), 0);
	cr_assert_eq(tl_out_raw(o, "", 0, &err), 0);
	fprintf(tl_out_file(o), "%.3f\n", 2.385);
	close_ok(o);
	{
		size_t n;
		char *text = ut_read(path, &n);

		cr_assert_eq(n, 10);
		cr_assert_eq(memcmp(text, "a\0b\n2.385\n", 10), 0);
		free(text);
	}
}

Test(tl_out, open_in_missing_directory)
{
	struct tl_err err;
	char path[1100], msg[256];

	snprintf(path, sizeof(path), "%s/no/such/dir/out.csv", dir);
	tl_err_clear(&err);
	cr_assert_null(tl_out_open(path, TL_FMT_AUTO, &err));
	cr_assert_eq(err.code, TL_EX_CANTCREAT);
	cr_assert_str_eq(err.where, path);
	snprintf(msg, sizeof(msg), "cannot create: %s", strerror(ENOENT));
	cr_assert_str_eq(err.msg, msg);
}

/* A path that exists and is not a regular file is opened in place (a
 * FIFO, /dev/null); a directory cannot be, and nothing is left behind. */
Test(tl_out, open_onto_a_directory_fails_cleanly)
{
	struct tl_out *o;
	struct tl_err err;
	char path[1100], msg[256];

	ut_path(path, sizeof(path), dir, "adir");
	cr_assert_eq(mkdir(path, 0755), 0);
	tl_err_clear(&err);
	o = tl_out_open(path, TL_FMT_JSONL, &err);
	cr_assert_null(o);
	cr_assert_eq(err.code, TL_EX_CANTCREAT);
	cr_assert_str_eq(err.where, path);
	snprintf(msg, sizeof(msg), "cannot create: %s", strerror(EISDIR));
	cr_assert_str_eq(err.msg, msg);
	cr_assert_eq(ut_count_entries(dir, NULL, 0), 1, "temp file left");
}

Test(tl_out, dev_null_is_written_in_place)
{
	struct tl_out *o;
	struct stat st;

	o = open_ok("/dev/null", TL_FMT_JSONL);
	write_ok(o, "{\"a\":1}");
	close_ok(o);
	cr_assert_eq(stat("/dev/null", &st), 0);
	cr_assert(S_ISCHR(st.st_mode), "/dev/null replaced");
}

/* A symbolic link stays a link; the file it names is replaced. */
Test(tl_out, symlink_keeps_pointing_at_its_file)
{
	struct tl_out *o;
	struct stat st;
	char path[1100], link[1100];

	ut_path(path, sizeof(path), dir, "target.jsonl");
	ut_path(link, sizeof(link), dir, "link.jsonl");
	ut_write_str(path, "old\n");
	cr_assert_eq(symlink("target.jsonl", link), 0);
	o = open_ok(link, TL_FMT_JSONL);
	write_ok(o, "{\"v\":1}");
	close_ok(o);
	cr_assert_eq(lstat(link, &st), 0);
	cr_assert(S_ISLNK(st.st_mode), "the link was replaced by a file");
	file_is(path, "{\"v\":1}\n");
}

/* prefix N (N the descriptor of a file opened for appending) is the
 * caller's open file: appended to, never renamed over (the shell's >>
 * must not be truncated). */
static void
appends_to_open_file(const char *prefix)
{
	struct tl_out *o;
	struct stat st;
	char path[1100], fdpath[64];
	FILE *fp;

	ut_path(path, sizeof(path), dir, "log.jsonl");
	ut_write_str(path, "first\n");
	fp = fopen(path, "a");
	cr_assert_not_null(fp);
	snprintf(fdpath, sizeof(fdpath), "%s%d", prefix, fileno(fp));
	o = open_ok(fdpath, TL_FMT_JSONL);
	write_ok(o, "{\"v\":2}");
	close_ok(o);
	fclose(fp);
	cr_assert_eq(lstat(path, &st), 0);
	cr_assert(S_ISREG(st.st_mode));
	file_is(path, "first\n{\"v\":2}\n");
}

Test(tl_out, dev_fd_appends_to_the_open_file)
{
	appends_to_open_file("/dev/fd/");
}

/* A regular file under /dev (a tmpfs like /dev/shm) is replaced like any
 * other: written twice, it holds the second document only (it was opened
 * for appending because of its name). */
Test(tl_out, regular_file_under_dev_is_replaced)
{
	struct stat st;
	char tmpl[] = "/dev/shm/tl-unit-XXXXXX", path[1100];
	int i;

	if (mkdtemp(tmpl) == NULL)
		cr_skip_test("no /dev/shm here");
	ut_path(path, sizeof(path), tmpl, "x.json");
	for (i = 0; i < 2; i++) {
		write_one(path, i == 0 ? "{\"run\":1}" : "{\"run\":2}");
	}
	cr_assert_eq(lstat(path, &st), 0);
	cr_assert(S_ISREG(st.st_mode));
	file_is(path, "{\"run\":2}\n");
	cr_assert_eq(ut_count_entries(tmpl, NULL, 0), 1, "temp file left");
	ut_rmtree(tmpl);
}

/* /proc/self/fd/N is the caller's open file as /dev/fd/N is; a name that
 * only looks like one is an ordinary file. */
Test(tl_out, proc_fd_appends_and_lookalikes_do_not)
{
	char path[1100];

	appends_to_open_file("/proc/self/fd/");
	/* dir/fd/3 is not /dev/fd/3 */
	ut_path(path, sizeof(path), dir, "fd");
	cr_assert_eq(mkdir(path, 0755), 0);
	ut_path(path, sizeof(path), dir, "fd/3");
	ut_write_str(path, "old\n");
	write_one(path, "{\"v\":4}");
	file_is(path, "{\"v\":4}\n");
}

/* A file replaced keeps its mode, whatever the umask; through a link
 * too, and the link stays a link. */
Test(tl_out, replaced_file_keeps_its_mode)
{
	struct tl_out *o;
	struct stat st;
	char path[1100], link[1100];

	umask(022);
	ut_path(path, sizeof(path), dir, "victim");
	ut_path(link, sizeof(link), dir, "out.jsonl");
	ut_write_str(path, "secret\n");
	cr_assert_eq(chmod(path, 0600), 0);
	o = open_ok(path, TL_FMT_JSONL);
	close_ok(o);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600, "mode %o", st.st_mode & 0777);
	cr_assert_eq(chmod(path, 0640), 0);
	cr_assert_eq(symlink("victim", link), 0);
	write_one(link, "{\"v\":1}");
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0640, "mode %o", st.st_mode & 0777);
	cr_assert_eq(lstat(link, &st), 0);
	cr_assert(S_ISLNK(st.st_mode));
	file_is(path, "{\"v\":1}\n");
}

/* Root keeps a replaced file's owner and group. */
Test(tl_out, root_keeps_the_owner)
{
	struct tl_out *o;
	struct stat st;
	char path[1100];

	if (geteuid() != 0)
		cr_skip_test("needs root to give a file away");
	ut_path(path, sizeof(path), dir, "theirs.jsonl");
	ut_write_str(path, "old\n");
	cr_assert_eq(chown(path, 65534, 65534), 0);
	o = open_ok(path, TL_FMT_JSONL);
	close_ok(o);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_uid, 65534);
	cr_assert_eq(st.st_gid, 65534);
}

/* Links in a sticky world-writable directory: ours and the directory
 * owner's are followed, another user's is refused (73) and its target
 * left alone. */
Test(tl_out, sticky_directory_links)
{
	struct tl_out *o;
	struct tl_err err;
	struct stat st;
	char sticky[1100], victim[1100], link[1100], msg[1400];

	ut_path(sticky, sizeof(sticky), dir, "tmp");
	ut_path(victim, sizeof(victim), dir, "victim");
	ut_path(link, sizeof(link), dir, "tmp/out.jsonl");
	cr_assert_eq(mkdir(sticky, 0755), 0);
	cr_assert_eq(chmod(sticky, 01777), 0);
	ut_write_str(victim, "victim\n");
	cr_assert_eq(symlink("../victim", link), 0);
	o = open_ok(link, TL_FMT_JSONL);	/* ours */
	write_ok(o, "{\"v\":1}");
	close_ok(o);
	file_is(victim, "{\"v\":1}\n");
	if (geteuid() != 0)
		cr_skip_test("needs root for a link of another user");
	cr_assert_eq(lchown(link, 65534, 65534), 0);
	tl_err_clear(&err);
	cr_assert_null(tl_out_open(link, TL_FMT_JSONL, &err));
	cr_assert_eq(err.code, TL_EX_CANTCREAT);
	cr_assert_str_eq(err.where, link);
	snprintf(msg, sizeof(msg), "not following a symbolic link owned by "
	    "uid 65534 in sticky world-writable directory '%s' (neither "
	    "ours nor the directory owner's)", sticky);
	cr_assert_str_eq(err.msg, msg);
	file_is(victim, "{\"v\":1}\n");
	cr_assert_eq(ut_count_entries(sticky, NULL, 0), 1);
	/* the directory's owner's link is followed */
	cr_assert_eq(chown(sticky, 65534, 65534), 0);
	write_one(link, "{\"v\":2}");
	file_is(victim, "{\"v\":2}\n");
	cr_assert_eq(lstat(link, &st), 0);
	cr_assert(S_ISLNK(st.st_mode));
}

/* A chain of links is followed to its end, which need not exist; a loop
 * is an error. */
Test(tl_out, link_chain_and_loop)
{
	struct tl_err err;
	char a[1100], b[1100], c[1100], msg[256];

	ut_path(a, sizeof(a), dir, "a");
	ut_path(b, sizeof(b), dir, "b");
	ut_path(c, sizeof(c), dir, "c");
	cr_assert_eq(symlink("b", a), 0);
	cr_assert_eq(symlink(c, b), 0);		/* absolute */
	write_one(a, "{\"v\":5}");
	file_is(c, "{\"v\":5}\n");
	cr_assert_eq(unlink(c), 0);
	cr_assert_eq(symlink("a", c), 0);
	tl_err_clear(&err);
	cr_assert_null(tl_out_open(a, TL_FMT_JSONL, &err));
	cr_assert_eq(err.code, TL_EX_CANTCREAT);
	snprintf(msg, sizeof(msg), "cannot create: %s", strerror(ELOOP));
	cr_assert_str_eq(err.msg, msg);
}

/* The temporary files of a run that died are removed by the next run on
 * the same output: ours, regular, named FILE.tmp.XXXXXX and not locked.
 * A locked one (a run still writing), one of another name and a link
 * named like one stay. */
Test(tl_out, stale_temporary_files_are_removed)
{
	static const char *const keep[] = { "out.jsonl.tmp.Locked",
	    "out.jsonl.tmp.abc", "out.jsonl.tmp.abcdefg", "other.tmp.aB3dE5",
	    "out.jsonl.tmp.LinkXy" };
	char path[1100], name[1100];
	size_t i;
	int fd;

	ut_path(path, sizeof(path), dir, "out.jsonl");
	ut_path(name, sizeof(name), dir, "out.jsonl.tmp.aB3dE5");
	ut_write_str(name, "half a fi");
	for (i = 0; i < 4; i++) {
		ut_path(name, sizeof(name), dir, keep[i]);
		ut_write_str(name, "x");
	}
	ut_path(name, sizeof(name), dir, keep[4]);
	cr_assert_eq(symlink("out.jsonl.tmp.abc", name), 0);
	ut_path(name, sizeof(name), dir, keep[0]);
	fd = open(name, O_RDONLY);
	cr_assert_geq(fd, 0);
	cr_assert_eq(flock(fd, LOCK_EX), 0);
	write_one(path, "{\"v\":6}");
	close(fd);
	ut_path(name, sizeof(name), dir, "out.jsonl.tmp.aB3dE5");
	cr_assert_eq(ut_exists(name), 0, "stale temporary file left");
	for (i = 0; i < TL_NELEM(keep); i++) {
		ut_path(name, sizeof(name), dir, keep[i]);
		cr_assert_eq(ut_exists(name), 1, "%s removed", keep[i]);
	}
	cr_assert_eq(ut_count_entries(dir, NULL, 0), TL_NELEM(keep) + 1);
	file_is(path, "{\"v\":6}\n");
}

/* Our own temporary file is locked while we write: another run's
 * cleaning leaves it alone. */
Test(tl_out, own_temporary_file_is_locked)
{
	struct tl_out *o, *o2;
	char path[1100], tmpname[256], name[1100];
	int fd;

	ut_path(path, sizeof(path), dir, "out.jsonl");
	o = open_ok(path, TL_FMT_JSONL);
	write_ok(o, "{\"v\":7}");
	cr_assert_eq(ut_count_entries(dir, tmpname, sizeof(tmpname)), 1);
	ut_path(name, sizeof(name), dir, tmpname);
	fd = open(name, O_RDONLY);
	cr_assert_geq(fd, 0);
	cr_assert_eq(flock(fd, LOCK_EX | LOCK_NB), -1, "not locked");
	cr_assert_eq(errno, EWOULDBLOCK);
	close(fd);
	o2 = open_ok(path, TL_FMT_JSONL);	/* cleans, must not remove */
	write_ok(o2, "{\"v\":8}");
	close_ok(o);
	close_ok(o2);
	file_is(path, "{\"v\":8}\n");
	cr_assert_eq(ut_count_entries(dir, NULL, 0), 1);
}

Test(tl_out, stdout_jsonl, .init = cr_redirect_stdout)
{
	struct tl_out *o;

	o = open_ok("-", TL_FMT_AUTO);
	cr_assert_eq(tl_out_fmt(o), TL_FMT_JSONL);
	cr_assert_eq(tl_out_file(o), stdout);
	write_ok(o, "{\"x\":0.1,\"y\":\"\\u0001\"}");
	close_ok(o);
	fflush(stdout);
	cr_assert_stdout_eq_str("{\"x\":0.1,\"y\":\"\\u0001\"}\n");
}

Test(tl_out, stdout_csv, .init = cr_redirect_stdout)
{
	struct tl_out *o;

	o = open_ok(NULL, TL_FMT_CSV);
	cr_assert_eq(tl_out_fmt(o), TL_FMT_CSV);
	write_ok(o, "{\"x\":0.1,\"y\":\"a b\"}");
	close_ok(o);
	fflush(stdout);
	cr_assert_stdout_eq_str("x,y\n0.1,a b\n");
}

/* Write records with tl_out, read them with tl_records: equal objects. */
static void
round_trip(const char *name, enum tl_fmt fmt, const char *const *recs,
    size_t n)
{
	struct tl_records *r;
	struct tl_out *o;
	struct tl_err err;
	json_t *v, *got;
	char path[1100];
	size_t i;
	int rc;

	ut_path(path, sizeof(path), dir, name);
	o = open_ok(path, fmt);
	for (i = 0; i < n; i++)
		write_ok(o, recs[i]);
	close_ok(o);
	r = tl_records_open(path, fmt, &err);
	cr_assert_not_null(r);
	for (i = 0; i < n; i++) {
		rc = tl_records_next(r, &got, &err);
		cr_assert_eq(rc, 1, "record %zu: %s: %s", i, err.where,
		    err.msg);
		v = js(recs[i]);
		if (!json_equal(v, got)) {
			struct tl_buf b;

			tl_buf_init(&b);
			tl_json_append(&b, got);
			cr_assert_fail("record %zu: wrote %s, read %s", i,
			    recs[i], b.data);
		}
		json_decref(v);
		json_decref(got);
	}
	cr_assert_eq(tl_records_next(r, &got, &err), 0);
	tl_records_free(r);
}

/* Strings that do not look like numbers or booleans, reals that are not
 * integers and no nulls or empty strings: those are what CSV keeps. */
static const char *const trip[] = {
	"{\"sym\":\"ES\",\"qty\":3,\"px\":2.385,\"note\":\"a, \\\"q\\\"\\nnext\","
	"\"g\":{\"lb\":20,\"thr\":-1.27},\"tags\":[1,\"x\"],\"ok\":true}",
	"{\"sym\":\"N,Q\",\"qty\":-12,\"px\":0.1,\"note\":\"\\u00e9t\\u00e9\","
	"\"g\":{\"lb\":-3,\"thr\":1e-300},\"tags\":[],\"ok\":false}",
	"{\"sym\":\"\\\"\",\"px\":0.30000000000000004,"
	"\"g\":{\"lb\":9007199254740993},\"tags\":[{\"k\":[0.5]}]}",
	"{\"sym\":\" padded \",\"qty\":0,\"px\":-2.5e+200,\"note\":\"x\\ty\"}",
	"{\"sym\":\"007\",\"qty\":1,\"px\":-0.25,\"note\":\"\\ttab\\t\"}",
};

Test(tl_out, csv_round_trip)
{
	round_trip("rt.csv", TL_FMT_CSV, trip, sizeof(trip) / sizeof(trip[0]));
}

Test(tl_out, jsonl_round_trip)
{
	static const char *const more[] = {
		"{\"s\":\"007\",\"e\":\"\",\"n\":null,\"r\":2.5,\"t\":\"true\"}",
		"{\"deep\":{\"er\":{\"est\":[{\"x\":-1.27}]}}}",
	};

	round_trip("rt.jsonl", TL_FMT_JSONL, trip,
	    sizeof(trip) / sizeof(trip[0]));
	round_trip("rt2.jsonl", TL_FMT_JSONL, more,
	    sizeof(more) / sizeof(more[0]));
}
