/* Unit tests for lib/tl_trial: the local engine's events, kills and
 * timeouts, the value of an ended trial, the history log. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "tl_trial.h"
#include "unit.h"

UT_SCRATCH_DIR();

TestSuite(tl_trial, .init = ut_setup, .fini = ut_teardown);

/* Poll until the next event of any kind; fails the test on -1. */
static void
next(struct tl_trial_run *r, struct tl_trial_event *ev)
{
	struct tl_err err = { 0 };
	int got;

	while ((got = tl_trial_poll(r, ev, &err)) == 0)
		cr_assert_gt(tl_trial_running(r), 0, "nothing runs");
	cr_assert_eq(got, 1, "poll: %s", err.msg);
}

static char *sh_argv[] = { "sh", "-c", NULL, NULL };

static struct tl_trial_run *
sh_run(const char *script, size_t slots, double timeout)
{
	struct tl_err err = { 0 };
	struct tl_trial_run *r;

	sh_argv[2] = (char *)script;
	r = tl_trial_alloc("local", sh_argv, slots, timeout, NULL, &err);
	cr_assert_not_null(r, "alloc: %s", err.msg);
	return r;
}

Test(tl_trial, lines_then_end_with_input)
{
	struct tl_err err = { 0 };
	struct tl_trial_run *r;
	struct tl_trial_event ev;

	r = sh_run("read x; echo \"got $x\"; echo 2.385; printf tail; "
	    "exit 3", 1, 0);
	cr_assert_eq(tl_trial_start(r, 17, "abc\n", 4, &err), 0);
	cr_assert_eq(tl_trial_running(r), 1);
	next(r, &ev);
	cr_assert_eq(ev.kind, TL_TRIAL_LINE);
	cr_assert_eq(ev.id, 17);
	cr_assert_eq(ev.len, 7);
	cr_assert_eq(memcmp(ev.text, "got abc", 7), 0);
	next(r, &ev);
	cr_assert_eq(ev.kind, TL_TRIAL_LINE);
	cr_assert_eq(ev.len, 5);
	cr_assert_eq(memcmp(ev.text, "2.385", 5), 0);
	next(r, &ev);	/* the unterminated "tail" is no line: only in END */
	cr_assert_eq(ev.kind, TL_TRIAL_END);
	cr_assert_eq(ev.how, TL_TRIAL_EXITED);
	cr_assert_eq(ev.code, 3);
	cr_assert_eq(ev.len, 4);
	cr_assert_eq(memcmp(ev.text, "tail", 4), 0);
	cr_assert_eq(tl_trial_running(r), 0);
	cr_assert_eq(tl_trial_poll(r, &ev, &err), 0);
	tl_trial_free(r);
}

Test(tl_trial, two_slots_each_in_order)
{
	struct tl_err err = { 0 };
	struct tl_trial_run *r;
	struct tl_trial_event ev;
	long lines[2] = { 0, 0 }, ends = 0;

	r = sh_run("read x; echo $x; echo $((x + 1)); echo -1.27", 2, 0);
	cr_assert_eq(tl_trial_start(r, 0, "10\n", 3, &err), 0);
	cr_assert_eq(tl_trial_start(r, 1, "20\n", 3, &err), 0);
	while (ends < 2) {
		double v;
		char why[64];

		next(r, &ev);
		cr_assert(ev.id == 0 || ev.id == 1);
		if (ev.kind == TL_TRIAL_LINE) {
			cr_assert_eq(atol(ev.text), lines[ev.id] == 2 ? -1 :
			    10 * (ev.id + 1) + lines[ev.id]);
			lines[ev.id]++;
			continue;
		}
		cr_assert_eq(lines[ev.id], 3, "every line before the end");
		cr_assert_eq(tl_trial_value(&ev, 0, &v, why, sizeof(why)), 0);
		cr_assert_float_eq(v, -1.27, 1e-15);
		ends++;
	}
	tl_trial_free(r);
}

/* Start a trial of script that prints one line and then hangs (a
 * grandchild holds stdout open: only a group kill ends it); after its
 * line, kill it if `kill`; its end must be `how` with reason `want`. */
static void
hang_and_end(double timeout, int kill, enum tl_trial_how how,
    const char *want)
{
	struct tl_err err = { 0 };
	struct tl_trial_run *r;
	struct tl_trial_event ev;
	char why[64];
	double v;

	r = sh_run("echo '{\"step\":1}'; sleep 30 & wait", 1, timeout);
	cr_assert_eq(tl_trial_start(r, 9, "", 0, &err), 0);
	next(r, &ev);
	cr_assert_eq(ev.kind, TL_TRIAL_LINE);
	if (kill) {
		cr_assert_eq(tl_trial_kill(r, 9), 0);
		cr_assert_eq(tl_trial_kill(r, 8), -1, "no such trial");
	}
	next(r, &ev);
	cr_assert_eq(ev.kind, TL_TRIAL_END);
	cr_assert_eq(ev.id, 9);
	cr_assert_eq(ev.how, how);
	cr_assert_eq(tl_trial_value(&ev, timeout, &v, why, sizeof(why)), -1);
	cr_assert_str_eq(why, want);
	tl_trial_free(r);
}

Test(tl_trial, timeout_kills_the_group)
{
	hang_and_end(0.2, 0, TL_TRIAL_TIMEDOUT, "timed out after 0.2 s");
}

Test(tl_trial, kill_after_a_line)
{
	hang_and_end(0, 1, TL_TRIAL_KILLED, "stopped");
}

/* Run script as one trial to its end, counting its lines into *lines;
 * returns tl_trial_value's answer, why into why[whylen]. */
static int
run_to_end(const char *script, double timeout, long *lines, double *v,
    struct tl_trial_event *ev, char *why, size_t whylen)
{
	struct tl_err err = { 0 };
	struct tl_trial_run *r;
	int rc;

	r = sh_run(script, 1, timeout);
	cr_assert_eq(tl_trial_start(r, 1, "", 0, &err), 0);
	for (*lines = 0, next(r, ev); ev->kind == TL_TRIAL_LINE; next(r, ev))
		(*lines)++;
	rc = tl_trial_value(ev, timeout, v, why, whylen);
	tl_trial_free(r);
	return rc;
}

/* More than TL_TRIAL_LINE_MAX bytes in all: every line comes, and the
 * value is the last line, not a fragment at a cut. */
Test(tl_trial, output_past_the_line_bound)
{
	struct tl_trial_event ev;
	char why[128];
	double v;
	long lines;

	cr_assert_eq(run_to_end("seq 1 300000; echo 2.5; echo", 0, &lines, &v,
	    &ev, why, sizeof(why)), 0, "%s", why);
	cr_assert_eq(lines, 300002);
	cr_assert_float_eq(v, 2.5, 1e-15);
}

/* A line past the bound is dropped: the trial fails, saying which. */
Test(tl_trial, a_line_too_long)
{
	struct tl_trial_event ev;
	char why[128];
	double v;
	long lines;

	cr_assert_eq(run_to_end("echo 1; head -c 1100000 /dev/zero | "
	    "tr '\\0' x; echo; echo 2.5", 0, &lines, &v, &ev, why,
	    sizeof(why)), -1);
	cr_assert_eq(lines, 2, "the long line is not handed out");
	cr_assert_str_eq(why, "line 2: longer than 1048576 bytes");
}

/* A command that exits leaving a child that holds its stdout: its end
 * is its exit, with what it printed; the child gets SIGTERM (its trap,
 * set before the command goes on, says so in dir/term). */
Test(tl_trial, exit_with_a_child_holding_stdout)
{
	struct tl_trial_event ev;
	char why[128], script[1024], term[256];
	double v;
	long lines;
	int k;

	ut_path(term, sizeof(term), dir, "term");
	snprintf(script, sizeof(script), "(trap 'echo TERM > %s; exit' TERM; "
	    "echo >%s.ready; sleep 30 & wait) & "
	    "while [ ! -e %s.ready ]; do sleep 0.01; done; echo 1.5", term,
	    term, term);
	cr_assert_eq(run_to_end(script, 10, &lines, &v, &ev, why,
	    sizeof(why)), 0, "%s", why);
	cr_assert_float_eq(v, 1.5, 1e-15);
	cr_assert_eq(ev.how, TL_TRIAL_EXITED);
	cr_assert_lt(ev.seconds, 5);
	for (k = 0; k < 200 && !ut_exists(term); k++)
		usleep(10000);
	cr_assert(ut_exists(term), "the child it left got SIGTERM");
}

Test(tl_trial, value_reasons)
{
	struct tl_trial_event ev = { .kind = TL_TRIAL_END };
	char why[128];
	double v;

	ev.text = "1\n  0.5 \n\n";
	ev.len = strlen(ev.text);
	cr_assert_eq(tl_trial_value(&ev, 0, &v, why, sizeof(why)), 0);
	cr_assert_float_eq(v, 0.5, 1e-15);
	ev.text = "Traceback (most recent call last):\n";
	ev.len = strlen(ev.text);
	cr_assert_eq(tl_trial_value(&ev, 0, &v, why, sizeof(why)), -1);
	cr_assert_str_eq(why, "printed 'Traceback (most recent call last):',"
	    " not a number");
	ev.text = " \n";
	ev.len = 2;
	cr_assert_eq(tl_trial_value(&ev, 0, &v, why, sizeof(why)), -1);
	cr_assert_str_eq(why, "printed no value");
	ev.how = TL_TRIAL_SIGNALED;
	ev.code = SIGSEGV;
	cr_assert_eq(tl_trial_value(&ev, 0, &v, why, sizeof(why)), -1);
	cr_assert_str_eq(why, "killed by signal 11");
	ev.how = TL_TRIAL_EXITED;
	ev.code = 3;
	cr_assert_eq(tl_trial_value(&ev, 0, &v, why, sizeof(why)), -1);
	cr_assert_str_eq(why, "exited with status 3");
}

Test(tl_trial, alloc_errors)
{
	struct tl_err err = { 0 };
	char *argv[] = { "/nonexistent/objective", NULL };

	cr_assert_null(tl_trial_alloc("slurm-but-not-yet", sh_argv, 1, 0, NULL,
	    &err));
	cr_assert_eq(err.code, TL_EX_USAGE);
	cr_assert_str_eq(err.msg, "engine 'slurm-but-not-yet': unknown");
	memset(&err, 0, sizeof(err));
	cr_assert_null(tl_trial_alloc("local", argv, 1, 0, NULL, &err));
	cr_assert_eq(err.code, TL_EX_NOINPUT);
	cr_assert_str_eq(err.msg, "objective '/nonexistent/objective': not "
	    "found or not executable");
}

Test(tl_trial, log_mends_a_torn_line)
{
	struct tl_err err = { 0 };
	char path[1100], buf[256];
	json_t *rec;
	ssize_t n;
	int fd;

	ut_path(path, sizeof(path), dir, "h.jsonl");
	fd = open(path, O_WRONLY | O_CREAT, 0666);
	cr_assert(write(fd, "{\"trial\":0}\n{\"tri", 17) == 17);
	close(fd);
	fd = tl_trial_log_open(path, &err);
	cr_assert_geq(fd, 0, "%s", err.msg);
	rec = json_pack("{s:i, s:f}", "trial", 1, "value", 2.385);
	cr_assert_eq(tl_trial_log_append(fd, path, rec, &err), 0);
	json_decref(rec);
	close(fd);
	fd = open(path, O_RDONLY);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	cr_assert_gt(n, 0);
	buf[n] = '\0';
	cr_assert_str_eq(buf, "{\"trial\":0}\n{\"tri\n"
	    "{\"trial\":1,\"value\":2.385}\n");
	ut_path(path, sizeof(path), dir, "no/such/dir");
	cr_assert_eq(tl_trial_log_open(path, &err), -1);
	cr_assert_eq(err.code, TL_EX_CANTCREAT);
}

Test(tl_trial, values_of_an_object)
{
	struct tl_trial_event ev = { .kind = TL_TRIAL_END };
	const char *names[] = { "ret", "dd" };
	char why[128];
	double v[2];

	ev.text = "{\"step\":3,\"value\":1}\n{\"dd\": -0.25, \"ret\": 2.385, "
	    "\"trades\": 7}\n";
	ev.len = strlen(ev.text);
	cr_assert_eq(tl_trial_values(&ev, 0, names, 2, v, why, sizeof(why)),
	    0);
	cr_assert_float_eq(v[0], 2.385, 1e-15);
	cr_assert_float_eq(v[1], -0.25, 1e-15);
	ev.text = "{\"ret\": 1}\n";
	ev.len = strlen(ev.text);
	cr_assert_eq(tl_trial_values(&ev, 0, names, 2, v, why, sizeof(why)),
	    -1);
	cr_assert_str_eq(why, "value 'dd': missing");
	ev.text = "{\"ret\": 1, \"dd\": \"0.3\"}";
	ev.len = strlen(ev.text);
	cr_assert_eq(tl_trial_values(&ev, 0, names, 2, v, why, sizeof(why)),
	    -1);
	cr_assert_str_eq(why, "value 'dd': not a number");
	ev.text = "0.5\n";
	ev.len = strlen(ev.text);
	cr_assert_eq(tl_trial_values(&ev, 0, names, 2, v, why, sizeof(why)),
	    -1);
	cr_assert_str_eq(why, "printed '0.5', not an object of values");
}

/* The result of an objective that printed text fails with want (one
 * objective named "ret" with named, else a plain value). */
static void
result_fails(const char *text, int named, const char *want)
{
	struct tl_trial_event ev = { .kind = TL_TRIAL_END };
	const char *names[] = { "ret" };
	double v[1], c[TL_TRIAL_CONSTRAINTS];
	char why[128];
	size_t nc;

	ev.text = text;
	ev.len = strlen(text);
	cr_assert_eq(tl_trial_result(&ev, 0, named ? names : NULL,
	    named ? 1 : 0, v, c, &nc, why, sizeof(why)), -1, "%s", text);
	cr_assert_str_eq(why, want);
}

Test(tl_trial, result_with_constraints)
{
	struct tl_trial_event ev = { .kind = TL_TRIAL_END };
	double v[1], c[TL_TRIAL_CONSTRAINTS];
	char why[128];
	size_t nc = 9;

	/* Gramacy et al. (2016) at (0.2, 0.2), as an objective prints it */
	ev.text = "{\"value\": 0.4, \"constraints\": [1.285, -1.42]}\n";
	ev.len = strlen(ev.text);
	cr_assert_eq(tl_trial_result(&ev, 0, NULL, 0, v, c, &nc, why,
	    sizeof(why)), 0);
	cr_assert_float_eq(v[0], 0.4, 1e-15);
	cr_assert_eq(nc, 2);
	cr_assert_float_eq(c[0], 1.285, 1e-15);
	cr_assert_float_eq(c[1], -1.42, 1e-15);
	/* a number alone has none */
	ev.text = "2.385\n";
	ev.len = strlen(ev.text);
	cr_assert_eq(tl_trial_result(&ev, 0, NULL, 0, v, c, &nc, why,
	    sizeof(why)), 0);
	cr_assert_eq(nc, 0);
	result_fails("{\"ret\": 1, \"constraints\": [0, \"-1\"]}", 1,
	    "constraints: item 2: expected a number, got string");
	result_fails("{\"ret\": 1, \"constraints\": 3}", 1,
	    "constraints: expected an array of at most 64 numbers");
	result_fails("{\"val\": 1}", 0, "value 'value': missing");
}
