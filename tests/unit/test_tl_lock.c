/*
 * tl_lock: a second taker of a held lock is told to try later (75), the
 * lock file goes on release, stdout needs no lock.
 */
#include <unistd.h>

#include <criterion/criterion.h>

#include "tl_lock.h"
#include "unit.h"

UT_SCRATCH_DIR();
TestSuite(tl_lock, .init = ut_setup, .fini = ut_teardown);

Test(tl_lock, second_taker_waits)
{
	struct tl_lock a, b;
	struct tl_err err = { 0 };
	char path[512], lock[512];

	ut_path(path, sizeof(path), dir, "state.json");
	ut_path(lock, sizeof(lock), dir, "state.json.lock");
	cr_assert_eq(tl_lock_take(&a, path, &err), 0);
	cr_assert_geq(a.fd, 0);
	cr_assert_eq(access(lock, F_OK), 0);
	cr_assert_eq(tl_lock_take(&b, path, &err), -1);
	cr_assert_eq(err.code, TL_EX_TEMPFAIL);
	cr_assert_str_eq(err.where, lock);
	cr_assert_str_eq(err.msg, "locked by another update of this state "
	    "(try later)");
	tl_lock_drop(&b);
	cr_assert_eq(access(lock, F_OK), 0);	/* b held nothing */
	tl_lock_drop(&a);
	cr_assert_neq(access(lock, F_OK), 0);
	cr_assert_eq(tl_lock_take(&b, path, &err), 0);	/* free again */
	tl_lock_drop(&b);
}

Test(tl_lock, stdout_and_bad_dir)
{
	struct tl_lock a;
	struct tl_err err = { 0 };
	char path[512];

	cr_assert_eq(tl_lock_take(&a, "-", &err), 0);
	cr_assert_eq(a.fd, -1);
	tl_lock_drop(&a);
	cr_assert_eq(tl_lock_take(&a, NULL, &err), 0);
	tl_lock_drop(&a);
	ut_path(path, sizeof(path), dir, "no/such/state.json");
	cr_assert_eq(tl_lock_take(&a, path, &err), -1);
	cr_assert_eq(err.code, TL_EX_CANTCREAT);
	tl_lock_drop(&a);
}
