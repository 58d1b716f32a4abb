/*
 * Trials of an objective command: start one on a line of params, poll
 * for what it prints and for its end, kill it, and append its record to
 * a history that survives a kill of the caller.
 *
 * An engine is the way trials are dispatched.  The caller sees four
 * calls, whatever the engine: tl_trial_start (give trial `id` its
 * input), tl_trial_poll (the next event: one complete line of a trial's
 * standard output, or its end with all it printed), tl_trial_kill (stop
 * one trial; its end event follows) and tl_trial_stop (stop them all).
 * Engines are rows of a table in tl_trial.c looked up by name; "local"
 * runs the command as a child of this process, each trial in its own
 * process group so that a kill reaches everything it started.  The
 * batch engines gather the trials started between two polls into one
 * batch, a directory of its own under conf->batch_dir holding
 * params.jsonl (a line a trial): "slurm" submits it as one sbatch --array
 * job of the script TL_TRIAL_SBATCH (written there as trial.sbatch),
 * polls squeue and reads each task's J_i.out and J_i.status; a task that
 * Slurm ends (CANCELLED, TIMEOUT, NODE_FAIL, OUT_OF_MEMORY, PREEMPTED,
 * FAILED, ...) or loses is run again as a new job up to conf->retries
 * times, then ends TL_TRIAL_DISPATCH with the state as its reason.
 * "parallel" runs one GNU parallel --pipe -N1 a batch over the
 * conf->sshlogin logins with parallel's own --retries; its trials end
 * when that parallel exits (their status from its --joblog).  A batch
 * engine hands a trial's output out at its end only.
 *
 * Policy: every line a trial prints reaches the caller exactly once, in
 * order, before that trial's end; nothing is parsed here beyond the
 * newline.  Output is a stream: a line is kept until it is handed out,
 * and only the last non-blank one until the end, so that an objective
 * may print any amount.  A line longer than TL_TRIAL_LINE_MAX bytes is
 * dropped and its number given with the end (longline): the result is
 * no longer known.  A local trial ends when its command exits, not when
 * its standard output closes: what it wrote is then in the pipe, read
 * until the pipe is empty (at most TL_TRIAL_DRAIN bytes, should what it
 * left keep writing), and what it left in its process group gets
 * SIGTERM.  The engine never prints; only the
 * child that cannot exec its command says so on its own standard error,
 * as the command would have.
 */
#ifndef TL_TRIAL_H
#define TL_TRIAL_H

#include <stddef.h>

#include <jansson.h>

#include "tl_err.h"

#define TL_TRIAL_LINE_MAX	(1 << 20)	/* bytes of a line of stdout */
#define TL_TRIAL_DRAIN		(4 << 20)	/* bytes of the pipe of a
					 * command that exited read at most,
					 * past any pipe's capacity */
#define TL_TRIAL_GRACE		1.0	/* seconds from SIGTERM to SIGKILL */
#define TL_TRIAL_CONSTRAINTS	64	/* constraints a result may hold */

/* What tl_trial_poll returns. */
enum tl_trial_kind {
	TL_TRIAL_LINE,			/* a complete line of stdout */
	TL_TRIAL_END			/* the trial is over */
};

/* How a trial ended. */
enum tl_trial_how {
	TL_TRIAL_EXITED,		/* code: its exit status */
	TL_TRIAL_SIGNALED,		/* code: the signal (not ours) */
	TL_TRIAL_TIMEDOUT,		/* outlived the timeout; killed */
	TL_TRIAL_KILLED,		/* stopped by tl_trial_kill */
	TL_TRIAL_DISPATCH		/* ended by the scheduler or lost:
					 * reason says how */
};

/* The settings of the batch engines (see above); NULL for local. */
struct tl_trial_conf {
	const char	*batch_dir;	/* shared with the nodes; made if
					 * missing */
	const char	*partition;	/* slurm: --partition, or NULL */
	const char	*time_limit;	/* slurm: --time, or NULL */
	const char	*mem;		/* slurm: --mem, or NULL */
	const char *const *sshlogin;	/* parallel: logins */
	size_t		 nsshlogin;	/* their number (0: ":", here) */
	long		 retries;	/* tries after the first */
};

/* The sbatch script of the slurm engine (tl-bayesopt(1) DISPATCH). */
extern const char TL_TRIAL_SBATCH[];

struct tl_trial_event {
	enum tl_trial_kind kind;	/* line or end */
	long		 id;		/* the trial, as given to start */
	const char	*text;		/* LINE: the line, no newline; END:
					 * its last non-blank line (an
					 * unterminated one too), or ""; borrowed
					 * until the next tl_trial_* call */
	size_t		 len;		/* bytes of text */
	size_t		 longline;	/* END: the number (from 1) of its
					 * first line longer than
					 * TL_TRIAL_LINE_MAX, dropped; 0 none */
	enum tl_trial_how how;		/* END: how it ended */
	int		 code;		/* END: exit status or signal */
	double		 seconds;	/* END: wall time from its start */
	const char	*reason;	/* END, DISPATCH: the scheduler's
					 * state ("CANCELLED", "lost"); else
					 * NULL */
	const char	*retried;	/* END: the earlier tries that failed
					 * ("JOB_TASK STATE, ..."), or NULL */
	const char	*where;		/* END, batch engines: the last try
					 * ("JOB_TASK" for slurm, "DIR:SEQ"
					 * for parallel), or NULL */
};

struct tl_trial_run;

/* A runner of argv (argv[0] looked up in PATH as execvp does; borrowed
 * for the runner's life) with `slots` trials at a time on the named
 * engine, each killed (its process group) after `timeout` seconds, 0
 * none (local only).  conf (borrowed) is needed by the batch engines.
 * New.  Returns NULL with err: TL_EX_USAGE for an unknown engine or a
 * batch engine without conf->batch_dir, TL_EX_NOINPUT when argv[0] is
 * not found or not executable, TL_EX_CANTCREAT when the batch directory
 * cannot be made. */
struct tl_trial_run *tl_trial_alloc(const char *engine, char *const *argv,
	    size_t slots, double timeout, const struct tl_trial_conf *conf,
	    struct tl_err *err);
void	tl_trial_free(struct tl_trial_run *r);

/* Take up again trial id, task seq of the batch directory dir that a
 * run of the slurm engine before this one submitted (its job id in
 * dir/job, its input line seq+1 of dir/params.jsonl, kept for a retry):
 * it is polled as if started here (its seconds count from now).  A slot
 * must be free.  Returns 0, or -1 with err: TL_EX_USAGE for an engine
 * that cannot (local, parallel), TL_EX_DATAERR when dir has no job id or
 * no such line, TL_EX_SOFTWARE when no slot is free. */
int	tl_trial_attach(struct tl_trial_run *r, long id, const char *dir,
	    long seq, struct tl_err *err);

/* Trials running (started, end not yet returned). */
size_t	tl_trial_running(const struct tl_trial_run *r);

/* Start trial id with input[n] on its standard input.  A slot must be
 * free (tl_trial_running < slots).  Returns 0, or -1 with err
 * (TL_EX_SOFTWARE: pipe or fork failed). */
int	tl_trial_start(struct tl_trial_run *r, long id, const char *input,
	    size_t n, struct tl_err *err);

/* Wait for the next event into ev.  Returns 1 with ev set, 0 when no
 * trial runs or a signal interrupted the wait (the caller checks its
 * flag and calls again), -1 with err (TL_EX_SOFTWARE) when poll fails.
 * Events of one trial come in order; a trial's END frees its slot. */
int	tl_trial_poll(struct tl_trial_run *r, struct tl_trial_event *ev,
	    struct tl_err *err);

/* Stop trial id (SIGTERM to its process group, SIGKILL after
 * TL_TRIAL_GRACE s); its END, with how TL_TRIAL_KILLED, comes from a
 * later poll.  Returns 0, or -1 if no such trial runs. */
int	tl_trial_kill(struct tl_trial_run *r, long id);

/* Stop every running trial and wait for them (SIGTERM, SIGKILL after
 * TL_TRIAL_GRACE s); their ends are not reported.  The slurm engine
 * leaves its jobs queued or running, for tl_trial_attach. */
void	tl_trial_stop(struct tl_trial_run *r);

/* The value of an END event into *v: 0 when it exited 0, printed no
 * line longer than TL_TRIAL_LINE_MAX and its last non-blank line is a
 * number; else -1 with why[whylen] saying what happened ("exited with
 * status 3", "printed 'x', not a number", "line 7: longer than 1048576
 * bytes"; timeout is quoted for a timed-out trial). */
int	tl_trial_value(const struct tl_trial_event *ev, double timeout,
	    double *v, char *why, size_t whylen);

/* The values of an END event whose last non-blank line is a JSON object
 * holding a number under each of names[0..m) into v[m] (other members
 * are the objective's own): 0, or -1 with why as tl_trial_value, or
 * "value 'NAME': missing" / "not a number". */
int	tl_trial_values(const struct tl_trial_event *ev, double timeout,
	    const char *const *names, size_t m, double *v, char *why,
	    size_t whylen);

/* The result of an END event: with m == 0 its last non-blank line is a
 * number, or an object with a number under "value"; with m > 0 an
 * object with a number under each of names[0..m).  Into v[m or 1]; an
 * object's "constraints" (an array of at most TL_TRIAL_CONSTRAINTS
 * numbers, feasible when all <= 0; absent: none) into c[*nc] when c is
 * not NULL.  Returns 0, or -1 with why as tl_trial_value and
 * tl_trial_values, or "constraints: item 2: expected a number, got
 * string". */
int	tl_trial_result(const struct tl_trial_event *ev, double timeout,
	    const char *const *names, size_t m, double *v, double *c,
	    size_t *nc, char *why, size_t whylen);

/* Open the history path for appending: created if missing (TL_EX_CANTCREAT
 * if it cannot be), a last line cut by a kill given its newline first.
 * Returns the descriptor, or -1 with err. */
int	tl_trial_log_open(const char *path, struct tl_err *err);

/* Append rec as one line to fd (the history path) and fsync it.  rec is
 * borrowed.  Returns 0, or -1 with err (TL_EX_IOERR). */
int	tl_trial_log_append(int fd, const char *path, const json_t *rec,
	    struct tl_err *err);

#endif
