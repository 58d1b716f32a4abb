/* Unit tests for lib/tl_err: positions, report format and exit codes. */
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/redirect.h>

#include "tl_err.h"

Test(tl_err, set_name_and_line)
{
	struct tl_err err;

	tl_err_clear(&err);
	cr_assert_eq(tl_err_set(&err, TL_EX_DATAERR, "trades.jsonl", 12,
	    "field '%s': missing", "pnl"), -1);
	cr_assert_eq(err.code, 65);
	cr_assert_str_eq(err.where, "trades.jsonl:12");
	cr_assert_str_eq(err.msg, "field 'pnl': missing");
}

Test(tl_err, set_name_only_when_line_zero)
{
	struct tl_err err;

	cr_assert_eq(tl_err_set(&err, TL_EX_USAGE, "--seed", 0,
	    "'%s' is not an integer", "x7"), -1);
	cr_assert_eq(err.code, TL_EX_USAGE);
	cr_assert_str_eq(err.where, "--seed");
	cr_assert_str_eq(err.msg, "'x7' is not an integer");
}

/* A prefix put before the message already there, and the position from
 * err's own where: the texts are read before they are written. */
Test(tl_err, set_from_its_own_texts)
{
	struct tl_err err;

	tl_err_set(&err, TL_EX_DATAERR, "m.json", 3, "platt: line search "
	    "failed at step %d", 7);
	tl_err_set(&err, err.code, NULL, 0, "fold %d: %s", 4, err.msg);
	cr_assert_str_eq(err.msg, "fold 4: platt: line search failed at "
	    "step 7");
	cr_assert_str_eq(err.where, "");
	tl_err_set(&err, TL_EX_DATAERR, "in.csv", 0, "bad");
	tl_err_set(&err, err.code, err.where, 9, "%s, again", err.msg);
	cr_assert_str_eq(err.where, "in.csv:9");
	cr_assert_str_eq(err.msg, "bad, again");
}

Test(tl_err, set_no_position)
{
	struct tl_err err;

	strcpy(err.where, "stale");
	cr_assert_eq(tl_err_set(&err, TL_EX_SOFTWARE, NULL, 99,
	    "singular matrix (%d)", 3), -1);
	cr_assert_eq(err.code, 70);
	cr_assert_str_eq(err.where, "");
	cr_assert_str_eq(err.msg, "singular matrix (3)");
}

Test(tl_err, set_null_err_returns_minus_one)
{
	cr_assert_eq(tl_err_set(NULL, TL_EX_IOERR, "x", 1, "ignored"), -1);
}

Test(tl_err, set_truncates_long_texts)
{
	static char name[2000], big[3000];
	struct tl_err err;

	memset(name, 'n', sizeof(name) - 1);
	memset(big, 'm', sizeof(big) - 1);
	tl_err_set(&err, TL_EX_DATAERR, name, 7, "%s", big);
	cr_assert_eq(strlen(err.where), sizeof(err.where) - 1);
	cr_assert_eq(strlen(err.msg), sizeof(err.msg) - 1);
}

Test(tl_err, clear)
{
	struct tl_err err;

	tl_err_set(&err, TL_EX_IOERR, "a.csv", 3, "short read");
	tl_err_clear(&err);
	cr_assert_eq(err.code, 0);
	cr_assert_str_eq(err.where, "");
	cr_assert_str_eq(err.msg, "");
}

Test(tl_err, progname)
{
	tl_init("tl-test");
	cr_assert_str_eq(tl_progname(), "tl-test");
}

Test(tl_err, report_with_where, .init = cr_redirect_stderr)
{
	struct tl_err err;

	tl_init("tl-test");
	tl_err_set(&err, TL_EX_DATAERR, "trades.jsonl", 12,
	    "field 'pnl': expected number, got string");
	cr_assert_eq(tl_report(&err), 65);
	fflush(stderr);
	cr_assert_stderr_eq_str("tl-test: trades.jsonl:12: field 'pnl': "
	    "expected number, got string\n");
}

Test(tl_err, report_without_where, .init = cr_redirect_stderr)
{
	struct tl_err err;

	tl_init("tl-test");
	tl_err_set(&err, TL_EX_IOERR, NULL, 0, "write error: %s",
	    "No space left on device");
	cr_assert_eq(tl_report(&err), 74);
	fflush(stderr);
	cr_assert_stderr_eq_str("tl-test: write error: No space left on "
	    "device\n");
}

Test(tl_err, report_unset_is_software, .init = cr_redirect_stderr)
{
	struct tl_err err;

	tl_init("tl-test");
	tl_err_clear(&err);
	cr_assert_eq(tl_report(&err), TL_EX_SOFTWARE);
	fflush(stderr);
	cr_assert_stderr_eq_str("tl-test: internal error\n");
}

Test(tl_err, report_code_without_message, .init = cr_redirect_stderr)
{
	struct tl_err err;

	tl_init("tl-test");
	tl_err_clear(&err);
	err.code = TL_EX_TEMPFAIL;
	cr_assert_eq(tl_report(&err), 75);
	fflush(stderr);
	cr_assert_stderr_eq_str("tl-test: internal error\n");
}

Test(tl_err, warn_and_msg, .init = cr_redirect_stderr)
{
	tl_init("tl-test");
	tl_warn("%d rows skipped in %s", 3, "a.csv");
	tl_msg("wrote %.3f MB", 2.385);
	fflush(stderr);
	cr_assert_stderr_eq_str("tl-test: warning: 3 rows skipped in a.csv\n"
	    "tl-test: wrote 2.385 MB\n");
}

Test(tl_err, usage_error_exits_64, .init = cr_redirect_stderr,
    .exit_code = 64)
{
	tl_init("tl-test");
	tl_usage_error("unknown option '%s'", "--frob");
}
