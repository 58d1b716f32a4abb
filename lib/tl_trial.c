/*
 * Trials of an objective command (see tl_trial.h).  The common part
 * keeps one slot per trial in flight (its id, the lines it printed not
 * yet handed out, its last non-blank line, whether it ended) and turns
 * the slots into events, lowest slot first; an engine fills the slots:
 * it starts a trial, feeds its output and ends while it waits, and
 * kills.  The local engine forks the command with a pipe on each side
 * and waits in poll(2).
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tl_json.h"
#include "tl_num.h"
#include "tl_trial.h"
#include "tl_util.h"

#define READ_CHUNK	4096	/* bytes read from a trial at a time */
#define REAP_POLL	0.01	/* s between waitpid tries once stdout closed */
#define EXIT_POLL	0.1	/* s between them while stdout is open: a
				 * child it left may hold it */
#define BATCH_READ	16	/* READ_CHUNKs of a batch read at a time */
#define REASON_MAX	60	/* bytes of garbage quoted in a reason */

/* One trial in flight. */
struct slot {
	int		 busy;		/* a trial occupies it */
	long		 id;		/* the trial */
	struct tl_buf	 out;		/* its stdout not yet handed out (and
					 * the lines handed out last) */
	size_t		 lineoff;	/* start of the first line not handed out */
	size_t		 partoff;	/* start of the line not yet whole */
	int		 skip;		/* dropping a line too long */
	size_t		 nlines;	/* lines ended so far */
	size_t		 longline;	/* the first too long, from 1; 0 none */
	struct tl_buf	 last;		/* its last non-blank line handed out */
	int		 src;		/* slurm: its output file, read at its
					 * end as lines are handed out; -1 */
	double		 start;		/* monotonic s */
	int		 ended;		/* how and code are valid */
	enum tl_trial_how how;		/* once ended */
	int		 code;		/* exit status or signal */
	double		 secs;		/* wall time, once ended */
	/* local engine */
	pid_t		 pid;		/* the child, its process group */
	int		 fd;		/* its stdout, -1 once closed */
	int		 killed;	/* tl_trial_kill: SIGTERM sent */
	double		 killat;	/* then: when SIGKILL follows */
	int		 exited;	/* the child exited, not yet reaped */
	double		 exitat;	/* then: when it was seen */
	size_t		 drained;	/* bytes read since */
	/* batch engines */
	struct tl_buf	 in;		/* its params line, for a retry */
	long		 batch;		/* index into r->batch; -1: waits
					 * for the next batch */
	long		 seq;		/* its line of the batch, from 0 */
	long		 tries;		/* tries started */
	struct tl_buf	 retried;	/* the tries that failed before */
	struct tl_buf	 reason;	/* DISPATCH: why */
	struct tl_buf	 where;		/* the last try */
};

/* A batch of trials: a directory of its own under the batch directory
 * with params.jsonl, and the job or process that runs it. */
struct batch {
	char		*dir;		/* its directory */
	char		 job[32];	/* slurm: the array job's id */
	size_t		 n;		/* trials */
	pid_t		 pid;		/* parallel: its process (group) */
	int		 fd;		/* parallel: its stdout, -1 closed */
	struct tl_buf	 part;		/* parallel: bytes not yet given out */
	int		 inline_;	/* parallel: within a line, past its tag */
	struct slot	*to;		/* then: the line's trial, or NULL */
};

struct tl_trial_run;

/* An engine: how trials are dispatched.  gather waits (until something
 * happens, a deadline or a signal) and fills the slots; it returns 0, or
 * -1 with err. */
struct engine {
	const char	*name;
	int		(*start)(struct tl_trial_run *, struct slot *,
			    const char *, size_t, struct tl_err *);
	int		(*gather)(struct tl_trial_run *, struct tl_err *);
	void		(*kill)(struct tl_trial_run *, struct slot *, int);
	void		(*stop)(struct tl_trial_run *);
	int		(*submit)(struct tl_trial_run *, struct batch *,
			    struct tl_err *);	/* batch engines */
};

struct tl_trial_run {
	const struct engine *e;		/* the engine */
	char *const	*argv;		/* the command, borrowed */
	double		 timeout;	/* s, 0 none */
	struct slot	*slot;		/* nslots */
	size_t		 nslots;	/* trials at a time */
	struct pollfd	*pfd;		/* local: nslots */
	size_t		 last;		/* slot of the last END, freed at the
					 * next call */
	const struct tl_trial_conf *conf;	/* batch engines, borrowed */
	struct batch	*batch;		/* batches submitted */
	size_t		 nbatch, batchcap;	/* held, allocated */
	long		 nextdir;	/* number of the next batch's dir */
	double		 lastpoll;	/* slurm: monotonic s of squeue */
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Is p[n] blank, as the end of an output is trimmed? */
static int
blank(const char *p, size_t n)
{
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t' ||
	    p[n - 1] == '\r'))
		n--;
	return n == 0;
}

/* Add n bytes a trial printed to its stream: whole lines wait there to
 * be handed out; a line longer than TL_TRIAL_LINE_MAX is dropped as it
 * comes and its number kept.  The lines already handed out go first:
 * their text was lent until this call. */
static void
feed(struct slot *sl, const char *p, size_t n)
{
	const char *nl;
	size_t k;

	if (sl->lineoff > 0) {
		memmove(sl->out.data, sl->out.data + sl->lineoff,
		    sl->out.len - sl->lineoff + 1);
		sl->out.len -= sl->lineoff;
		sl->partoff -= sl->lineoff;
		sl->lineoff = 0;
	}
	for (; n > 0; p += k, n -= k) {
		nl = memchr(p, '\n', n);
		k = nl != NULL ? (size_t)(nl - p) + 1 : n;
		if (!sl->skip && sl->out.len - sl->partoff + k -
		    (nl != NULL) > TL_TRIAL_LINE_MAX) {
			if (sl->longline == 0)
				sl->longline = sl->nlines + 1;
			sl->out.len = sl->partoff;
			sl->skip = 1;
		}
		if (!sl->skip)
			tl_buf_add(&sl->out, p, k);
		if (nl != NULL) {
			sl->skip = 0;
			sl->nlines++;
			sl->partoff = sl->out.len;
		}
	}
}

/* ---- local engine ------------------------------------------------------ */

/* Is the command findable?  As execvp would look for it. */
static int
runnable(const char *cmd)
{
	char *path, *p, *dir;
	struct tl_buf b;
	int ok = 0;

	if (strchr(cmd, '/') != NULL)
		return access(cmd, X_OK) == 0;
	if ((p = getenv("PATH")) == NULL)
		p = "/usr/bin:/bin";
	path = tl_xstrdup(p);
	for (p = path; !ok && (dir = strsep(&p, ":")) != NULL;) {
		tl_buf_init(&b);
		tl_buf_printf(&b, "%s/%s", *dir ? dir : ".", cmd);
		ok = access(b.data, X_OK) == 0;
		tl_buf_release(&b);
	}
	free(path);
	return ok;
}

/* A pipe whose ends other children do not inherit (pipe2 is not
 * POSIX). */
static int
cloexec_pipe(int fd[2])
{
	if (pipe(fd) == -1)
		return -1;
	fcntl(fd[0], F_SETFD, FD_CLOEXEC);
	fcntl(fd[1], F_SETFD, FD_CLOEXEC);
	return 0;
}

static int
local_start(struct tl_trial_run *r, struct slot *sl, const char *p,
    size_t n, struct tl_err *err)
{
	int in[2], out[2];
	ssize_t w;
	size_t off;

	if (cloexec_pipe(in) == -1)
		return tl_err_set(err, TL_EX_SOFTWARE, NULL, 0, "pipe: %s",
		    strerror(errno));
	if (cloexec_pipe(out) == -1) {
		close(in[0]);
		close(in[1]);
		return tl_err_set(err, TL_EX_SOFTWARE, NULL, 0, "pipe: %s",
		    strerror(errno));
	}
	/* we read only what poll announced, but never block on it */
	fcntl(out[0], F_SETFL, fcntl(out[0], F_GETFL) | O_NONBLOCK);
	fflush(NULL);
	if ((sl->pid = fork()) == -1) {
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		return tl_err_set(err, TL_EX_SOFTWARE, NULL, 0, "fork: %s",
		    strerror(errno));
	}
	if (sl->pid == 0) {
		/* its own process group: a kill reaches all it started */
		setpgid(0, 0);
		signal(SIGPIPE, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		dup2(in[0], 0);
		dup2(out[1], 1);
		execvp(r->argv[0], r->argv);
		/* the child speaks for the command it could not become */
		dprintf(2, "%s: %s: %s\n", tl_progname(), r->argv[0],
		    strerror(errno));
		_exit(127);
	}
	setpgid(sl->pid, sl->pid);	/* either of us may be first */
	close(in[0]);
	close(out[1]);
	/* a parameter set is far below a pipe's 64 KiB: no deadlock */
	for (off = 0; off < n; off += (size_t)w)
		if ((w = write(in[1], p + off, n - off)) == -1) {
			if (errno == EINTR) {
				w = 0;
				continue;
			}
			break;	/* EPIPE: it did not read; its output says */
		}
	close(in[1]);
	sl->fd = out[0];
	sl->killed = 0;
	sl->exited = 0;
	return 0;
}

static void
local_kill(struct tl_trial_run *r, struct slot *sl, int sig)
{
	(void)r;
	if (sl->pid > 0 && !sl->ended)
		kill(-sl->pid, sig);
}

/* The slot's child is reaped with status st. */
static void
ended(struct slot *sl, int st, double t)
{
	if (sl->fd != -1) {
		close(sl->fd);
		sl->fd = -1;
	}
	sl->ended = 1;
	sl->secs = t - sl->start;
	if (sl->how == TL_TRIAL_TIMEDOUT || sl->how == TL_TRIAL_KILLED)
		sl->code = WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st);
	else if (WIFSIGNALED(st)) {
		sl->how = TL_TRIAL_SIGNALED;
		sl->code = WTERMSIG(st);
	} else {
		sl->how = TL_TRIAL_EXITED;
		sl->code = WEXITSTATUS(st);
	}
}

/* Has the slot's child exited?  It is left a zombie, so that its
 * process group cannot be another's when what it left is killed. */
static int
has_exited(const struct slot *sl)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	return waitid(P_PID, (id_t)sl->pid, &si, WEXITED | WNOHANG |
	    WNOWAIT) == 0 && si.si_pid == sl->pid;
}

/* Wait for output, an end of output, an exit or the next deadline; read
 * once from each trial, end those past the timeout and those that
 * exited.  A trial ends when its command exits, not when its stdout
 * closes (a child it left in the background may hold that open): once
 * it exited, all it wrote is in the pipe, which is read until empty (at
 * most TL_TRIAL_DRAIN bytes, should a leftover keep writing: a bound in
 * bytes, not time, reads the same whatever the load), and its process
 * group gets SIGTERM. */
static int
local_gather(struct tl_trial_run *r, struct tl_err *err)
{
	double t, wait = -1, left;
	size_t i, np = 0;
	int st;

	t = now();
	for (i = 0; i < r->nslots; i++) {
		struct slot *sl = &r->slot[i];

		if (!sl->busy || sl->ended)
			continue;
		if (r->timeout > 0 && !sl->exited) {
			left = sl->start + r->timeout - t;
			if (left < 0)
				left = 0;
			if (wait < 0 || left < wait)
				wait = left;
		}
		if (sl->killed) {
			left = sl->killat > t ? sl->killat - t : 0;
			if (wait < 0 || left < wait)
				wait = left;
		}
		left = sl->exited ? 0 : sl->fd == -1 ? REAP_POLL : EXIT_POLL;
		if (wait < 0 || left < wait)
			wait = left;
		if (sl->fd == -1)
			continue;
		r->pfd[np].fd = sl->fd;
		r->pfd[np].events = POLLIN;
		r->pfd[np].revents = 0;
		np++;
	}
	if (poll(r->pfd, np, wait < 0 ? -1 : (int)ceil(wait * 1000)) == -1) {
		if (errno == EINTR)
			return 0;
		return tl_err_set(err, TL_EX_SOFTWARE, NULL, 0, "poll: %s",
		    strerror(errno));
	}
	t = now();
	for (i = 0; i < r->nslots; i++) {
		struct slot *sl = &r->slot[i];
		char buf[READ_CHUNK];
		ssize_t n;
		int empty = 0;

		if (!sl->busy || sl->ended)
			continue;
		/* before the read: an empty pipe then means all is read */
		if (!sl->exited && has_exited(sl)) {
			sl->exited = 1;
			sl->exitat = t;
			sl->drained = 0;
		}
		if (sl->fd != -1) {
			n = read(sl->fd, buf, sizeof(buf));
			if (n > 0) {
				feed(sl, buf, (size_t)n);
				sl->drained += sl->exited ? (size_t)n : 0;
			} else if (n == -1 && errno == EAGAIN)
				empty = 1;
			else if (n == 0 || errno != EINTR) {
				close(sl->fd);
				sl->fd = -1;
			}
		}
		if (sl->exited) {
			if (sl->fd != -1 && !empty && !sl->killed &&
			    sl->drained < TL_TRIAL_DRAIN)
				continue;
			kill(-sl->pid, SIGTERM);	/* what it left */
			while (waitpid(sl->pid, &st, 0) == -1 && errno == EINTR)
				;
			ended(sl, st, sl->killed ? t : sl->exitat);
			continue;
		}
		if (r->timeout > 0 && !sl->killed &&
		    t - sl->start >= r->timeout) {
			sl->how = TL_TRIAL_TIMEDOUT;
			local_kill(r, sl, SIGKILL);
			while (waitpid(sl->pid, &st, 0) == -1 && errno == EINTR)
				;
			ended(sl, st, t);
			continue;
		}
		if (sl->killed && t >= sl->killat) {
			local_kill(r, sl, SIGKILL);
			while (waitpid(sl->pid, &st, 0) == -1 && errno == EINTR)
				;
			ended(sl, st, t);
		}
	}
	return 0;
}

static void
local_stop(struct tl_trial_run *r)
{
	double t;
	size_t i;

	for (i = 0; i < r->nslots; i++)
		if (r->slot[i].busy)
			local_kill(r, &r->slot[i], SIGTERM);
	t = now();
	for (i = 0; i < r->nslots; i++) {
		struct slot *sl = &r->slot[i];

		if (!sl->busy)
			continue;
		if (!sl->ended) {
			while (waitpid(sl->pid, NULL, WNOHANG) == 0 &&
			    now() - t < TL_TRIAL_GRACE)
				usleep(10000);
			local_kill(r, sl, SIGKILL);
			waitpid(sl->pid, NULL, 0);
		}
		if (sl->fd != -1)
			close(sl->fd);
		sl->fd = -1;
		sl->busy = 0;
	}
}

/* ---- batch engines: the common part ------------------------------------ */

/* The sbatch script: task i of job J runs the command with line i+1 of
 * dir/params.jsonl on its standard input, its output into dir/J_i.out,
 * then its exit status into dir/J_i.status through a temporary name. */
const char TL_TRIAL_SBATCH[] =
"#!/bin/sh\n"
"# One trial of a batch, as one task of a Slurm job array (tl-bayesopt(1)\n"
"# DISPATCH):  sbatch --array=0-N ... trial.sbatch dir command [arg ...]\n"
"#SBATCH --ntasks=1\n"
"#SBATCH --cpus-per-task=1\n"
"#SBATCH --no-requeue\n"
"set -u\n"
"dir=$1\n"
"shift\n"
"f=$dir/${SLURM_ARRAY_JOB_ID}_$SLURM_ARRAY_TASK_ID\n"
"sed -n \"$((SLURM_ARRAY_TASK_ID + 1))p\" \"$dir/params.jsonl\" |\n"
"    \"$@\" >\"$f.out\" 2>\"$f.err\"\n"
"echo \"$?\" >\"$f.status.tmp\"\n"
"mv \"$f.status.tmp\" \"$f.status\"\n";

#define SLURM_POLL	0.5	/* s between two squeue */
#define BATCH_WAIT	1000	/* ms a parallel batch is waited for */

/* Write len bytes of p to path through path.tmp, mode.  0, or -1 with
 * err (TL_EX_CANTCREAT). */
static int
write_file(const char *path, const char *p, size_t len, mode_t mode,
    struct tl_err *err)
{
	struct tl_buf tmp;
	FILE *fp;
	int rc = 0;

	tl_buf_init(&tmp);
	tl_buf_printf(&tmp, "%s.tmp", path);
	if ((fp = fopen(tmp.data, "w")) == NULL ||
	    fwrite(p, 1, len, fp) != len || fchmod(fileno(fp), mode) == -1 ||
	    fclose(fp) != 0 || rename(tmp.data, path) == -1) {
		rc = tl_err_set(err, TL_EX_CANTCREAT, path, 0, "%s",
		    strerror(errno));
		if (fp != NULL)
			fclose(fp);
	}
	tl_buf_release(&tmp);
	return rc;
}

/* Up to max bytes of path into b (reset first).  0, or -1 if it cannot
 * be opened. */
static int
read_file(const char *path, struct tl_buf *b, size_t max)
{
	char buf[READ_CHUNK];
	ssize_t n;
	int fd;

	tl_buf_reset(b);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0 || (n == -1 &&
	    errno == EINTR))
		if (n > 0 && b->len < max)
			tl_buf_add(b, buf, (size_t)n);
	close(fd);
	tl_buf_addc(b, '\0');
	b->len--;
	return 0;
}

/* Run argv, standard input from /dev/null, standard output into out,
 * standard error into the file errpath; *st its wait status.  0, or -1
 * with err when it cannot be started. */
static int
capture(char *const *argv, const char *errpath, struct tl_buf *out,
    int *st, struct tl_err *err)
{
	char buf[READ_CHUNK];
	int fd[2];
	pid_t pid;
	ssize_t n;

	tl_buf_reset(out);
	if (cloexec_pipe(fd) == -1)
		return tl_err_set(err, TL_EX_SOFTWARE, NULL, 0, "pipe: %s",
		    strerror(errno));
	fflush(NULL);
	if ((pid = fork()) == -1) {
		close(fd[0]);
		close(fd[1]);
		return tl_err_set(err, TL_EX_SOFTWARE, NULL, 0, "fork: %s",
		    strerror(errno));
	}
	if (pid == 0) {
		int nul = open("/dev/null", O_RDONLY), e;

		e = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0666);
		signal(SIGPIPE, SIG_DFL);
		dup2(nul, 0);
		dup2(fd[1], 1);
		dup2(e, 2);
		execvp(argv[0], argv);
		dprintf(2, "%s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(fd[1]);
	while ((n = read(fd[0], buf, sizeof(buf))) > 0 || (n == -1 &&
	    errno == EINTR))
		if (n > 0)
			tl_buf_add(out, buf, (size_t)n);
	close(fd[0]);
	while (waitpid(pid, st, 0) == -1 && errno == EINTR)
		;
	tl_buf_addc(out, '\0');
	out->len--;
	return 0;
}

/* The first line of the file path into b, for a message. */
static const char *
first_line(const char *path, struct tl_buf *b)
{
	if (read_file(path, b, 1000) == -1 || b->len == 0)
		return "failed, saying nothing";
	b->data[strcspn(b->data, "\n")] = '\0';
	return b->data;
}

/* A batch engine's start: the trial waits for the next batch. */
static int
batch_start(struct tl_trial_run *r, struct slot *sl, const char *p,
    size_t n, struct tl_err *err)
{
	(void)r;
	(void)err;
	tl_buf_reset(&sl->in);
	tl_buf_add(&sl->in, p, n);
	if (n == 0 || p[n - 1] != '\n')
		tl_buf_addc(&sl->in, '\n');
	tl_buf_reset(&sl->retried);
	tl_buf_reset(&sl->reason);
	tl_buf_reset(&sl->where);
	sl->batch = -1;
	sl->tries = 0;
	sl->killed = 0;
	return 0;
}

/* A new batch of r in dir (copied), no trials yet. */
static struct batch *
new_batch(struct tl_trial_run *r, const char *dir)
{
	struct batch *b;

	if (r->nbatch == r->batchcap) {
		r->batchcap = r->batchcap ? 2 * r->batchcap : 16;
		r->batch = tl_xreallocarray(r->batch, r->batchcap,
		    sizeof(*r->batch));
	}
	b = &r->batch[r->nbatch++];
	memset(b, 0, sizeof(*b));
	b->dir = tl_xstrdup(dir);
	b->fd = -1;
	tl_buf_init(&b->part);
	return b;
}

/* The trials waiting, if any, as a new batch: a fresh directory
 * batch-N with params.jsonl and trials (their ids, a line each), given
 * to the engine's submit.  0, or -1 with err. */
static int
batch_flush(struct tl_trial_run *r, struct tl_err *err)
{
	struct tl_buf path, params, ids;
	struct batch *b;
	size_t i, n = 0;
	int rc = 0;

	for (i = 0; i < r->nslots; i++)
		n += r->slot[i].busy && !r->slot[i].ended &&
		    r->slot[i].batch == -1;
	if (n == 0)
		return 0;
	tl_buf_init(&path);
	do {
		tl_buf_reset(&path);
		tl_buf_printf(&path, "%s/batch-%ld", r->conf->batch_dir,
		    ++r->nextdir);
	} while ((rc = mkdir(path.data, 0755)) == -1 && errno == EEXIST);
	if (rc == -1) {
		rc = tl_err_set(err, TL_EX_CANTCREAT, path.data, 0, "%s",
		    strerror(errno));
		tl_buf_release(&path);
		return rc;
	}
	b = new_batch(r, path.data);
	tl_buf_init(&params);
	tl_buf_init(&ids);
	for (i = 0; i < r->nslots; i++) {
		struct slot *sl = &r->slot[i];

		if (!sl->busy || sl->ended || sl->batch != -1)
			continue;
		sl->batch = (long)(r->nbatch - 1);
		sl->seq = (long)b->n++;
		sl->tries++;
		tl_buf_add(&params, sl->in.data, sl->in.len);
		tl_buf_printf(&ids, "%ld\n", sl->id);
	}
	tl_buf_reset(&path);
	tl_buf_printf(&path, "%s/params.jsonl", b->dir);
	rc = write_file(path.data, params.data, params.len, 0644, err);
	tl_buf_reset(&path);
	tl_buf_printf(&path, "%s/trials", b->dir);
	if (rc == 0)
		rc = write_file(path.data, ids.data, ids.len, 0644, err);
	if (rc == 0)
		rc = r->e->submit(r, b, err);
	tl_buf_release(&path);
	tl_buf_release(&params);
	tl_buf_release(&ids);
	return rc;
}

/* The slot's try failed with reason (the slurm state, or "lost"): run it
 * again in the next batch while tries are left, else end it so. */
static void
batch_failed(struct tl_trial_run *r, struct slot *sl, const char *reason,
    double t)
{
	const struct batch *b = &r->batch[sl->batch];

	tl_buf_reset(&sl->where);
	tl_buf_printf(&sl->where, "%s_%ld", b->job, sl->seq);
	if (sl->killed) {
		sl->how = TL_TRIAL_KILLED;
	} else if (sl->tries <= r->conf->retries) {
		tl_buf_printf(&sl->retried, "%s%s %s", sl->retried.len ?
		    ", " : "", sl->where.data, reason);
		sl->batch = -1;
		return;
	} else {
		sl->how = TL_TRIAL_DISPATCH;
		tl_buf_reset(&sl->reason);
		tl_buf_printf(&sl->reason, "job %s: %s", sl->where.data,
		    reason);
	}
	sl->ended = 1;
	sl->secs = t - sl->start;
}

/* ---- slurm engine ------------------------------------------------------ */

/* The states in which Slurm is done with a task; any other (PENDING,
 * RUNNING, COMPLETING, ...) is still under way. */
static const char *const slurm_ends[] = {
	"COMPLETED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY",
	"PREEMPTED", "FAILED", "BOOT_FAIL", "DEADLINE", "SPECIAL_EXIT",
	"REVOKED"
};

static int
slurm_submit(struct tl_trial_run *r, struct batch *b, struct tl_err *err)
{
	const struct tl_trial_conf *c = r->conf;
	struct tl_buf a[8], out, errp, msg;
	char **argv;
	size_t na = 0, i, k;
	int st, rc = 0;

	for (k = 0; r->argv[k] != NULL; k++)
		;
	argv = tl_xcalloc(k + 16, sizeof(char *));
	for (i = 0; i < TL_NELEM(a); i++)
		tl_buf_init(&a[i]);
	argv[na++] = "sbatch";
	argv[na++] = "--parsable";
	argv[na++] = "--job-name=tl-trial";
	if (c->partition != NULL)
		tl_buf_printf(&a[0], "--partition=%s", c->partition);
	if (c->time_limit != NULL)
		tl_buf_printf(&a[1], "--time=%s", c->time_limit);
	if (c->mem != NULL)
		tl_buf_printf(&a[2], "--mem=%s", c->mem);
	tl_buf_printf(&a[3], "--array=0-%zu", b->n - 1);
	tl_buf_printf(&a[4], "--output=%s/%%A_%%a.log", b->dir);
	tl_buf_printf(&a[5], "--chdir=%s", b->dir);
	tl_buf_printf(&a[6], "%s/trial.sbatch", c->batch_dir);
	for (i = 0; i < 7; i++)
		if (a[i].len > 0)
			argv[na++] = a[i].data;
	argv[na++] = b->dir;
	for (i = 0; i < k; i++)
		argv[na++] = r->argv[i];
	tl_buf_init(&out);
	tl_buf_init(&errp);
	tl_buf_init(&msg);
	tl_buf_printf(&errp, "%s/sbatch.err", b->dir);
	if (capture(argv, errp.data, &out, &st, err) == -1)
		rc = -1;
	else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 ||
	    (i = strspn(out.data, "0123456789")) == 0 ||
	    i >= sizeof(b->job))
		rc = tl_err_set(err, TL_EX_TEMPFAIL, b->dir, 0, "%s",
		    first_line(errp.data, &msg));
	else {
		memcpy(b->job, out.data, i);
		b->job[i] = '\0';
		tl_buf_reset(&errp);
		tl_buf_printf(&errp, "%s/job", b->dir);
		tl_buf_addc(&out, '\0');
		rc = write_file(errp.data, b->job, i, 0644, err);
	}
	for (i = 0; i < TL_NELEM(a); i++)
		tl_buf_release(&a[i]);
	tl_buf_release(&out);
	tl_buf_release(&errp);
	tl_buf_release(&msg);
	free(argv);
	return rc;
}

/* The state of task seq in squeue's "%K %T" lines q, or NULL. */
static const char *
slurm_state(const char *q, long seq, char *st, size_t stlen)
{
	const char *p;
	long task;
	int used;

	for (p = q; *p != '\0'; p += strcspn(p, "\n"), p += *p == '\n')
		if (sscanf(p, "%ld %n", &task, &used) == 1 && task == seq) {
			size_t n = strcspn(p + used, " \n");

			if (n == 0 || n >= stlen)
				return NULL;
			memcpy(st, p + used, n);
			st[n] = '\0';
			return st;
		}
	return NULL;
}

/* The tasks of batch bi that Slurm is done with: a result, a retry or a
 * failure.  known: the controller still knows the job. */
static void
slurm_collect(struct tl_trial_run *r, size_t bi, const char *q, int known,
    double t)
{
	const struct batch *b = &r->batch[bi];
	struct tl_buf path, stbuf;
	char st[32];
	size_t i, e;
	long status;

	tl_buf_init(&path);
	tl_buf_init(&stbuf);
	for (i = 0; i < r->nslots; i++) {
		struct slot *sl = &r->slot[i];
		const char *state = NULL;

		if (!sl->busy || sl->ended || sl->batch != (long)bi)
			continue;
		if (known && (state = slurm_state(q, sl->seq, st,
		    sizeof(st))) == NULL)
			continue;	/* not listed yet */
		for (e = 0; state != NULL && e < TL_NELEM(slurm_ends); e++)
			if (strcmp(state, slurm_ends[e]) == 0)
				break;
		if (state != NULL && e == TL_NELEM(slurm_ends))
			continue;	/* under way */
		tl_buf_reset(&path);
		tl_buf_printf(&path, "%s/%s_%ld.status", b->dir, b->job,
		    sl->seq);
		status = -1;
		if (read_file(path.data, &stbuf, 64) == 0 &&
		    sscanf(stbuf.data, "%ld", &status) != 1)
			status = -1;
		if (status < 0 || (state != NULL &&
		    strcmp(state, "COMPLETED") != 0)) {
			batch_failed(r, sl, state != NULL ? state : "lost", t);
			continue;
		}
		tl_buf_reset(&path);
		tl_buf_printf(&path, "%s/%s_%ld.out", b->dir, b->job, sl->seq);
		/* read as its lines are handed out (next_event) */
		sl->src = open(path.data, O_RDONLY | O_CLOEXEC);
		tl_buf_reset(&sl->where);
		tl_buf_printf(&sl->where, "%s_%ld", b->job, sl->seq);
		sl->how = sl->killed ? TL_TRIAL_KILLED : TL_TRIAL_EXITED;
		sl->code = (int)status;
		sl->ended = 1;
		sl->secs = t - sl->start;
	}
	tl_buf_release(&path);
	tl_buf_release(&stbuf);
}

/* Submit what waits; then, at most every SLURM_POLL s, ask squeue about
 * each batch with a trial under way. */
static int
slurm_gather(struct tl_trial_run *r, struct tl_err *err)
{
	struct tl_buf out, errp, msg;
	char *argv[] = { "squeue", "-h", "-r", "-t", "all", "-j", NULL, "-o",
	    "%K %T", NULL };
	double t, wait;
	size_t bi, i;
	int st, rc = 0;

	if (batch_flush(r, err) == -1)
		return -1;
	t = now();
	wait = r->lastpoll + SLURM_POLL - t;
	if (wait > 0 && poll(NULL, 0, (int)ceil(wait * 1000)) == -1 &&
	    errno == EINTR)
		return 0;
	r->lastpoll = t = now();
	tl_buf_init(&out);
	tl_buf_init(&errp);
	tl_buf_init(&msg);
	for (bi = 0; rc == 0 && bi < r->nbatch; bi++) {
		for (i = 0; i < r->nslots; i++)
			if (r->slot[i].busy && !r->slot[i].ended &&
			    r->slot[i].batch == (long)bi)
				break;
		if (i == r->nslots)
			continue;
		argv[6] = r->batch[bi].job;
		tl_buf_reset(&errp);
		tl_buf_printf(&errp, "%s/squeue.err", r->batch[bi].dir);
		if (capture(argv, errp.data, &out, &st, err) == -1)
			rc = -1;
		else if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
			slurm_collect(r, bi, out.data, 1, t);
		else if (strstr(first_line(errp.data, &msg),
		    "Invalid job id") != NULL)
			slurm_collect(r, bi, "", 0, t);
		/* else the controller did not answer: ask again later */
	}
	tl_buf_release(&out);
	tl_buf_release(&errp);
	tl_buf_release(&msg);
	if (rc == 0)
		rc = batch_flush(r, err);	/* the retries */
	return rc;
}

static void
slurm_kill(struct tl_trial_run *r, struct slot *sl, int sig)
{
	struct tl_err err = { 0 };
	struct tl_buf id, e;
	char *argv[] = { "scancel", NULL, NULL };
	int st;

	if (sig != SIGTERM || sl->ended)
		return;
	if (sl->batch < 0) {	/* not submitted: ends at once */
		sl->how = TL_TRIAL_KILLED;
		sl->ended = 1;
		sl->secs = now() - sl->start;
		return;
	}
	tl_buf_init(&id);
	tl_buf_init(&e);
	tl_buf_printf(&id, "%s_%ld", r->batch[sl->batch].job, sl->seq);
	argv[1] = id.data;
	/* what scancel could not cancel, squeue shows */
	capture(argv, "/dev/null", &e, &st, &err);
	tl_buf_release(&id);
	tl_buf_release(&e);
}

/* The jobs are left to run: a run started again with the same batch
 * directory takes them up (tl_trial_attach). */
static void
slurm_stop(struct tl_trial_run *r)
{
	size_t i;

	for (i = 0; i < r->nslots; i++) {
		if (r->slot[i].src != -1)
			close(r->slot[i].src);
		r->slot[i].src = -1;
		r->slot[i].busy = 0;
	}
}

/* ---- GNU parallel engine ----------------------------------------------- */

static int
parallel_submit(struct tl_trial_run *r, struct batch *b, struct tl_err *err)
{
	const struct tl_trial_conf *c = r->conf;
	struct tl_buf joblog, tries, params;
	char **argv;
	size_t na = 0, i, k;
	int out[2], in;

	for (k = 0; r->argv[k] != NULL; k++)
		;
	argv = tl_xcalloc(k + 2 * c->nsshlogin + 16, sizeof(char *));
	tl_buf_init(&joblog);
	tl_buf_init(&tries);
	tl_buf_init(&params);
	tl_buf_printf(&joblog, "%s/joblog", b->dir);
	tl_buf_printf(&tries, "%ld", c->retries + 1);	/* tries in all */
	tl_buf_printf(&params, "%s/params.jsonl", b->dir);
	argv[na++] = "parallel";
	argv[na++] = "--pipe";
	argv[na++] = "-N1";
	argv[na++] = "--keep-order";
	argv[na++] = "--tagstring";
	argv[na++] = "{#}";
	for (i = 0; i < c->nsshlogin; i++) {
		argv[na++] = "--sshlogin";
		argv[na++] = (char *)c->sshlogin[i];
	}
	argv[na++] = "--joblog";
	argv[na++] = joblog.data;
	argv[na++] = "--retries";
	argv[na++] = tries.data;
	for (i = 0; i < k; i++)
		argv[na++] = r->argv[i];
	if ((in = open(params.data, O_RDONLY | O_CLOEXEC)) == -1 ||
	    cloexec_pipe(out) == -1) {
		tl_err_set(err, TL_EX_SOFTWARE, params.data, 0, "%s",
		    strerror(errno));
		goto fail;
	}
	fcntl(out[0], F_SETFL, fcntl(out[0], F_GETFL) | O_NONBLOCK);
	fflush(NULL);
	if ((b->pid = fork()) == -1) {
		close(out[0]);
		close(out[1]);
		tl_err_set(err, TL_EX_SOFTWARE, NULL, 0, "fork: %s",
		    strerror(errno));
		goto fail;
	}
	if (b->pid == 0) {
		setpgid(0, 0);
		signal(SIGPIPE, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		dup2(in, 0);
		dup2(out[1], 1);
		execvp(argv[0], argv);
		dprintf(2, "%s: parallel: %s\n", tl_progname(),
		    strerror(errno));
		_exit(127);
	}
	setpgid(b->pid, b->pid);
	close(out[1]);
	close(in);
	b->fd = out[0];
	free(argv);
	tl_buf_release(&joblog);
	tl_buf_release(&tries);
	tl_buf_release(&params);
	return 0;
fail:
	if (in != -1)
		close(in);
	free(argv);
	tl_buf_release(&joblog);
	tl_buf_release(&tries);
	tl_buf_release(&params);
	return -1;
}

/* The slot of line seq (from 0) of batch bi, or NULL. */
static struct slot *
batch_slot(struct tl_trial_run *r, size_t bi, long seq)
{
	size_t i;

	for (i = 0; i < r->nslots; i++)
		if (r->slot[i].busy && !r->slot[i].ended &&
		    r->slot[i].batch == (long)bi && r->slot[i].seq == seq)
			return &r->slot[i];
	return NULL;
}

/* Hand what batch bi's parallel printed, lines "SEQ<tab>text", to
 * their trials as it comes (feed bounds a line), a line of no trial
 * dropped; only a tag not yet whole waits in b->part. */
static void
parallel_lines(struct tl_trial_run *r, size_t bi)
{
	struct batch *b = &r->batch[bi];
	size_t off = 0, n, k;
	char *p, *nl, *tab, *end;
	long seq;

	while (off < b->part.len) {
		p = b->part.data + off;
		n = b->part.len - off;
		nl = memchr(p, '\n', n);
		if (!b->inline_) {	/* a line's start: its tag */
			tab = memchr(p, '\t', n);
			if (tab == NULL && nl == NULL && n < 32)
				break;
			b->inline_ = 1;
			b->to = NULL;
			if (tab != NULL && (nl == NULL || tab < nl)) {
				seq = strtol(p, &end, 10);
				if (end == tab)
					b->to = batch_slot(r, bi, seq - 1);
				off += (size_t)(tab - p) + 1;
			}
			continue;
		}
		k = nl != NULL ? (size_t)(nl - p) + 1 : n;
		if (b->to != NULL)
			feed(b->to, p, k);
		b->inline_ = nl == NULL;
		off += k;
	}
	memmove(b->part.data, b->part.data + off, b->part.len - off);
	b->part.len -= off;
}

/* Batch bi's parallel exited with status st: its trials end as its
 * joblog says (Seq, Host, ..., Exitval, Signal, a line a trial). */
static void
parallel_end(struct tl_trial_run *r, size_t bi, int st, double t)
{
	struct batch *b = &r->batch[bi];
	struct tl_buf path, log;
	char *p, *f[9];
	struct slot *sl;
	size_t i, k;

	tl_buf_init(&path);
	tl_buf_init(&log);
	tl_buf_printf(&path, "%s/joblog", b->dir);
	read_file(path.data, &log, SIZE_MAX);
	p = log.data;
	for (p += p != NULL ? strcspn(p, "\n") : 0; p != NULL && *p == '\n';
	    p += strcspn(p, "\n")) {
		*p++ = '\0';
		for (k = 0; k < TL_NELEM(f); k++) {
			f[k] = p;
			p += strcspn(p, "\t\n");
			if (*p != '\t')
				break;
			*p++ = '\0';
		}
		if (k < 8 || (sl = batch_slot(r, bi, atol(f[0]) - 1)) == NULL)
			continue;
		tl_buf_reset(&sl->where);
		tl_buf_adds(&sl->where, f[1]);
		sl->code = atoi(f[7]) != 0 ? atoi(f[7]) : atoi(f[6]);
		sl->how = sl->killed ? TL_TRIAL_KILLED : atoi(f[7]) != 0 ?
		    TL_TRIAL_SIGNALED : TL_TRIAL_EXITED;
		/* ssh's own failures exit 255 (ssh(1)): on another host,
		 * after parallel's --retries, the trial never ran there */
		if (sl->how == TL_TRIAL_EXITED && sl->code == 255 &&
		    strcmp(f[1], ":") != 0) {
			sl->how = TL_TRIAL_DISPATCH;
			tl_buf_reset(&sl->reason);
			tl_buf_printf(&sl->reason, "ssh to %s exited with "
			    "status 255: the host could not be reached, or "
			    "the objective exited 255", f[1]);
		}
		sl->ended = 1;
		sl->secs = t - sl->start;
	}
	for (i = 0; i < r->nslots; i++) {
		sl = &r->slot[i];
		if (!sl->busy || sl->ended || sl->batch != (long)bi)
			continue;
		tl_buf_reset(&sl->reason);
		tl_buf_printf(&sl->reason, "parallel %s: not in its joblog "
		    "(it exited with status %d)", b->dir, WIFEXITED(st) ?
		    WEXITSTATUS(st) : 128 + WTERMSIG(st));
		sl->how = sl->killed ? TL_TRIAL_KILLED : TL_TRIAL_DISPATCH;
		sl->ended = 1;
		sl->secs = t - sl->start;
	}
	tl_buf_release(&path);
	tl_buf_release(&log);
}

/* Start what waits; read what the batches print; end the trials of a
 * batch whose parallel exited. */
static int
parallel_gather(struct tl_trial_run *r, struct tl_err *err)
{
	size_t bi, np = 0, k;
	struct pollfd *pfd;
	char buf[READ_CHUNK];
	ssize_t n = 0;
	int st;

	if (batch_flush(r, err) == -1)
		return -1;
	pfd = tl_xcalloc(r->nbatch + 1, sizeof(*pfd));
	for (bi = 0; bi < r->nbatch; bi++)
		if (r->batch[bi].fd != -1) {
			pfd[np].fd = r->batch[bi].fd;
			pfd[np++].events = POLLIN;
		}
	if (poll(pfd, np, BATCH_WAIT) == -1 && errno != EINTR) {
		free(pfd);
		return tl_err_set(err, TL_EX_SOFTWARE, NULL, 0, "poll: %s",
		    strerror(errno));
	}
	free(pfd);
	for (bi = 0; bi < r->nbatch; bi++) {
		struct batch *b = &r->batch[bi];

		if (b->fd == -1)
			continue;
		/* a bounded read: its lines wait in the slots until they
		 * are handed out */
		for (k = 0; k < BATCH_READ && (n = read(b->fd, buf,
		    sizeof(buf))) > 0; k++)
			tl_buf_add(&b->part, buf, (size_t)n);
		parallel_lines(r, bi);
		if (k == BATCH_READ)
			continue;
		if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR)) {
			close(b->fd);
			b->fd = -1;
			while (waitpid(b->pid, &st, 0) == -1 && errno == EINTR)
				;
			b->pid = 0;
			parallel_end(r, bi, st, now());
		}
	}
	return 0;
}

static void
parallel_kill(struct tl_trial_run *r, struct slot *sl, int sig)
{
	if (sl->batch >= 0 && r->batch[sl->batch].pid > 0)
		kill(-r->batch[sl->batch].pid, sig);
}

static void
parallel_stop(struct tl_trial_run *r)
{
	size_t bi, i;
	double t = now();

	for (bi = 0; bi < r->nbatch; bi++)
		if (r->batch[bi].pid > 0)
			kill(-r->batch[bi].pid, SIGTERM);
	for (bi = 0; bi < r->nbatch; bi++) {
		struct batch *b = &r->batch[bi];

		if (b->pid <= 0)
			continue;
		while (waitpid(b->pid, NULL, WNOHANG) == 0 &&
		    now() - t < TL_TRIAL_GRACE)
			usleep(10000);
		kill(-b->pid, SIGKILL);
		waitpid(b->pid, NULL, 0);
		b->pid = 0;
		if (b->fd != -1)
			close(b->fd);
		b->fd = -1;
	}
	for (i = 0; i < r->nslots; i++)
		r->slot[i].busy = 0;
}

/* The engines by name. */
static const struct engine engines[] = {
	{ "local", local_start, local_gather, local_kill, local_stop, NULL },
	{ "slurm", batch_start, slurm_gather, slurm_kill, slurm_stop,
	    slurm_submit },
	{ "parallel", batch_start, parallel_gather, parallel_kill,
	    parallel_stop, parallel_submit },
};

/* ---- common part ------------------------------------------------------- */

struct tl_trial_run *
tl_trial_alloc(const char *engine, char *const *argv, size_t slots,
    double timeout, const struct tl_trial_conf *conf, struct tl_err *err)
{
	struct tl_buf path;
	struct tl_trial_run *r;
	const struct engine *e = NULL;
	size_t i;

	for (i = 0; i < TL_NELEM(engines); i++)
		if (strcmp(engine, engines[i].name) == 0)
			e = &engines[i];
	if (e == NULL) {
		tl_err_set(err, TL_EX_USAGE, NULL, 0, "engine '%s': unknown",
		    engine);
		return NULL;
	}
	if (!runnable(argv[0])) {
		tl_err_set(err, TL_EX_NOINPUT, NULL, 0, "objective '%s': not "
		    "found or not executable", argv[0]);
		return NULL;
	}
	if (e->submit != NULL && (conf == NULL || conf->batch_dir == NULL)) {
		tl_err_set(err, TL_EX_USAGE, NULL, 0, "engine '%s': needs a "
		    "batch directory", engine);
		return NULL;
	}
	if (e->submit != NULL && mkdir(conf->batch_dir, 0755) == -1 &&
	    errno != EEXIST) {
		tl_err_set(err, TL_EX_CANTCREAT, conf->batch_dir, 0, "%s",
		    strerror(errno));
		return NULL;
	}
	tl_buf_init(&path);
	tl_buf_printf(&path, "%s/trial.sbatch", e->submit == slurm_submit ?
	    conf->batch_dir : "");
	if (e->submit == slurm_submit && write_file(path.data,
	    TL_TRIAL_SBATCH, strlen(TL_TRIAL_SBATCH), 0755, err) == -1) {
		tl_buf_release(&path);
		return NULL;
	}
	tl_buf_release(&path);
	r = tl_xcalloc(1, sizeof(*r));
	r->e = e;
	r->conf = conf;
	r->argv = argv;
	r->timeout = timeout;
	r->nslots = slots ? slots : 1;
	r->slot = tl_xcalloc(r->nslots, sizeof(*r->slot));
	r->pfd = tl_xcalloc(r->nslots, sizeof(*r->pfd));
	r->last = r->nslots;
	for (i = 0; i < r->nslots; i++) {
		tl_buf_init(&r->slot[i].out);
		tl_buf_init(&r->slot[i].in);
		tl_buf_init(&r->slot[i].retried);
		tl_buf_init(&r->slot[i].reason);
		tl_buf_init(&r->slot[i].where);
		tl_buf_init(&r->slot[i].last);
		r->slot[i].fd = -1;
		r->slot[i].src = -1;
	}
	return r;
}

void
tl_trial_free(struct tl_trial_run *r)
{
	size_t i;

	if (r == NULL)
		return;
	r->e->stop(r);
	for (i = 0; i < r->nslots; i++) {
		tl_buf_release(&r->slot[i].out);
		tl_buf_release(&r->slot[i].in);
		tl_buf_release(&r->slot[i].retried);
		tl_buf_release(&r->slot[i].reason);
		tl_buf_release(&r->slot[i].where);
		tl_buf_release(&r->slot[i].last);
	}
	for (i = 0; i < r->nbatch; i++) {
		free(r->batch[i].dir);
		tl_buf_release(&r->batch[i].part);
	}
	free(r->batch);
	free(r->pfd);
	free(r->slot);
	free(r);
}

/* The slot whose END was returned last is free from the next call on:
 * its text stayed valid until then. */
static void
release_last(struct tl_trial_run *r)
{
	if (r->last < r->nslots)
		r->slot[r->last].busy = 0;
	r->last = r->nslots;
}

size_t
tl_trial_running(const struct tl_trial_run *r)
{
	size_t i, n = 0;

	for (i = 0; i < r->nslots; i++)
		n += r->slot[i].busy && i != r->last;
	return n;
}

/* A free slot for trial id, made ready; NULL with err if none is. */
static struct slot *
take_slot(struct tl_trial_run *r, long id, struct tl_err *err)
{
	struct slot *sl = NULL;
	size_t i;

	release_last(r);
	for (i = 0; i < r->nslots && sl == NULL; i++)
		if (!r->slot[i].busy)
			sl = &r->slot[i];
	if (sl == NULL) {
		tl_err_set(err, TL_EX_SOFTWARE, NULL, 0, "no free slot for "
		    "trial %ld", id);
		return NULL;
	}
	sl->id = id;
	sl->ended = 0;
	sl->how = TL_TRIAL_EXITED;
	sl->code = 0;
	sl->lineoff = sl->partoff = sl->nlines = sl->longline = 0;
	sl->skip = 0;
	tl_buf_reset(&sl->out);
	tl_buf_reset(&sl->last);
	if (sl->src != -1)
		close(sl->src);
	sl->src = -1;
	return sl;
}

int
tl_trial_start(struct tl_trial_run *r, long id, const char *input,
    size_t n, struct tl_err *err)
{
	struct slot *sl;

	if ((sl = take_slot(r, id, err)) == NULL ||
	    r->e->start(r, sl, input, n, err) == -1)
		return -1;
	sl->start = now();
	sl->busy = 1;
	return 0;
}

int
tl_trial_attach(struct tl_trial_run *r, long id, const char *dir, long seq,
    struct tl_err *err)
{
	struct tl_buf path, job, params;
	struct slot *sl;
	const char *p, *e;
	size_t bi;
	long k;
	int rc = 0;

	if (r->e->submit != slurm_submit)
		return tl_err_set(err, TL_EX_USAGE, NULL, 0, "engine '%s': "
		    "cannot take up trials of another run", r->e->name);
	if ((sl = take_slot(r, id, err)) == NULL)
		return -1;
	tl_buf_init(&path);
	tl_buf_init(&job);
	tl_buf_init(&params);
	tl_buf_printf(&path, "%s/job", dir);
	if (read_file(path.data, &job, 64) == -1 || job.len == 0 ||
	    job.len >= sizeof(r->batch->job) ||
	    strspn(job.data, "0123456789") != job.len) {
		rc = tl_err_set(err, TL_EX_DATAERR, path.data, 0, "no job id");
		goto out;
	}
	tl_buf_reset(&path);
	tl_buf_printf(&path, "%s/params.jsonl", dir);
	read_file(path.data, &params, SIZE_MAX);
	for (p = params.data, k = 0; p != NULL && *p != '\0' && k < seq; k++)
		p = (e = strchr(p, '\n')) != NULL ? e + 1 : NULL;
	if (p == NULL || *p == '\0') {
		rc = tl_err_set(err, TL_EX_DATAERR, path.data, 0, "no line %ld",
		    seq + 1);
		goto out;
	}
	for (bi = 0; bi < r->nbatch && strcmp(r->batch[bi].dir, dir) != 0;
	    bi++)
		;
	if (bi == r->nbatch)
		memcpy(new_batch(r, dir)->job, job.data, job.len + 1);
	e = strchr(p, '\n');
	batch_start(r, sl, p, e != NULL ? (size_t)(e - p + 1) : strlen(p),
	    err);
	sl->batch = (long)bi;
	sl->seq = seq;
	sl->tries = 1;
	r->batch[bi].n = r->batch[bi].n > (size_t)seq + 1 ?
	    r->batch[bi].n : (size_t)seq + 1;
	sl->start = now();
	sl->busy = 1;
out:
	tl_buf_release(&path);
	tl_buf_release(&job);
	tl_buf_release(&params);
	return rc;
}

/* More of a slurm trial's output file into its stream: 1, or 0 at
 * its end (closed). */
static int
refill(struct slot *sl)
{
	char buf[READ_CHUNK];
	ssize_t n;

	while ((n = read(sl->src, buf, sizeof(buf))) == -1 && errno == EINTR)
		;
	if (n > 0) {
		feed(sl, buf, (size_t)n);
		return 1;
	}
	close(sl->src);
	sl->src = -1;
	return 0;
}

/* The next event of the slots, lowest slot first: its next complete
 * line, else its end, with its last non-blank line. */
static int
next_event(struct tl_trial_run *r, struct tl_trial_event *ev)
{
	size_t i;

	for (i = 0; i < r->nslots; i++) {
		struct slot *sl = &r->slot[i];
		const char *p;
		size_t n;

		if (!sl->busy)
			continue;
		while (sl->lineoff == sl->partoff && sl->ended &&
		    sl->src != -1 && refill(sl))
			;
		memset(ev, 0, sizeof(*ev));
		ev->id = sl->id;
		if (sl->lineoff < sl->partoff) {
			ev->kind = TL_TRIAL_LINE;
			ev->text = sl->out.data + sl->lineoff;
			ev->len = (size_t)((const char *)memchr(ev->text, '\n',
			    sl->partoff - sl->lineoff) - ev->text);
			sl->lineoff += ev->len + 1;
			if (!blank(ev->text, ev->len)) {
				tl_buf_reset(&sl->last);
				tl_buf_add(&sl->last, ev->text, ev->len);
			}
			return 1;
		}
		if (sl->ended && sl->src == -1) {
			/* an unterminated last line is no LINE, but the last */
			p = sl->out.data != NULL ? sl->out.data + sl->partoff :
			    "";
			n = sl->out.len - sl->partoff;
			if (blank(p, n)) {
				p = sl->last.data != NULL ? sl->last.data : "";
				n = sl->last.len;
			}
			ev->kind = TL_TRIAL_END;
			ev->text = p;
			ev->len = n;
			ev->longline = sl->longline;
			ev->how = sl->how;
			ev->code = sl->code;
			ev->seconds = sl->secs;
			ev->reason = sl->how == TL_TRIAL_DISPATCH ?
			    sl->reason.data : NULL;
			ev->retried = sl->retried.len ? sl->retried.data :
			    NULL;
			ev->where = sl->where.len ? sl->where.data : NULL;
			r->last = i;
			return 1;
		}
	}
	return 0;
}

int
tl_trial_poll(struct tl_trial_run *r, struct tl_trial_event *ev,
    struct tl_err *err)
{
	release_last(r);
	if (next_event(r, ev))
		return 1;
	if (tl_trial_running(r) == 0)
		return 0;
	if (r->e->gather(r, err) == -1)
		return -1;
	return next_event(r, ev);
}

int
tl_trial_kill(struct tl_trial_run *r, long id)
{
	size_t i;

	for (i = 0; i < r->nslots; i++) {
		struct slot *sl = &r->slot[i];

		if (!sl->busy || sl->id != id || i == r->last)
			continue;
		if (!sl->ended && !sl->killed) {
			sl->how = TL_TRIAL_KILLED;
			sl->killed = 1;
			sl->killat = now() + TL_TRIAL_GRACE;
			r->e->kill(r, sl, SIGTERM);
		}
		return 0;
	}
	return -1;
}

void
tl_trial_stop(struct tl_trial_run *r)
{
	release_last(r);
	r->e->stop(r);
}

/* 0 if the trial ended by exiting 0, else -1 with why. */
static int
ended_well(const struct tl_trial_event *ev, double timeout, char *why,
    size_t whylen)
{
	switch (ev->how) {
	case TL_TRIAL_TIMEDOUT: {
		char t[TL_NUM_BUFSZ];

		tl_fmt_double(t, timeout);
		snprintf(why, whylen, "timed out after %s s", t);
		return -1;
	}
	case TL_TRIAL_KILLED:
		snprintf(why, whylen, "stopped");
		return -1;
	case TL_TRIAL_SIGNALED:
		snprintf(why, whylen, "killed by signal %d", ev->code);
		return -1;
	case TL_TRIAL_DISPATCH:
		snprintf(why, whylen, "%s", ev->reason != NULL ? ev->reason :
		    "ended by the scheduler");
		return -1;
	case TL_TRIAL_EXITED:
		break;
	}
	if (ev->code != 0) {
		snprintf(why, whylen, "exited with status %d", ev->code);
		return -1;
	}
	return 0;
}

/* The last non-blank line of ev's output, trimmed, into *n bytes; NULL
 * with why if there is none. */
static const char *
last_line(const struct tl_trial_event *ev, size_t *n, char *why,
    size_t whylen)
{
	const char *s = ev->text, *e = ev->text + ev->len, *last;

	while (e > s && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' ' ||
	    e[-1] == '\t'))
		e--;
	for (last = e; last > s && last[-1] != '\n'; last--)
		;
	while (last < e && (*last == ' ' || *last == '\t'))
		last++;
	*n = (size_t)(e - last);
	if (*n == 0) {
		snprintf(why, whylen, "printed no value");
		return NULL;
	}
	return last;
}

/* why = "printed 'LINE', not WHAT", the line quoted up to REASON_MAX
 * bytes, non-printing bytes as '?'. */
static int
printed_not(const char *line, size_t n, const char *what, char *why,
    size_t whylen)
{
	struct tl_buf q;
	size_t k;

	tl_buf_init(&q);
	for (k = 0; k < n && k < REASON_MAX; k++)
		tl_buf_addc(&q, line[k] >= ' ' && line[k] < 127 ? line[k] :
		    '?');
	snprintf(why, whylen, "printed '%s%s', not %s", q.data,
	    n > REASON_MAX ? "..." : "", what);
	tl_buf_release(&q);
	return -1;
}

/* The "constraints" of obj, if any, into c[*nc] (at most
 * TL_TRIAL_CONSTRAINTS).  Returns 0, or -1 with why. */
static int
constraints(const json_t *obj, double *c, size_t *nc, char *why,
    size_t whylen)
{
	json_t *a = json_object_get(obj, "constraints"), *x;
	size_t i;

	*nc = 0;
	if (a == NULL)
		return 0;
	if (!json_is_array(a) || json_array_size(a) > TL_TRIAL_CONSTRAINTS)
		return snprintf(why, whylen, "constraints: expected an array of "
		    "at most %d numbers", TL_TRIAL_CONSTRAINTS), -1;
	json_array_foreach(a, i, x) {
		if (!json_is_number(x))
			return snprintf(why, whylen, "constraints: item %zu: "
			    "expected a number, got %s", i + 1,
			    tl_json_typename(x)), -1;
		c[(*nc)++] = json_number_value(x);
	}
	return 0;
}

int
tl_trial_result(const struct tl_trial_event *ev, double timeout,
    const char *const *names, size_t m, double *v, double *c, size_t *nc,
    char *why, size_t whylen)
{
	static const char *const value[] = { "value" };
	const char *line;
	json_t *obj, *x;
	size_t n, j;
	int rc = 0;

	if (nc != NULL)
		*nc = 0;
	if (ended_well(ev, timeout, why, whylen) == -1)
		return -1;
	if (ev->longline > 0)	/* the value may have been in it */
		return snprintf(why, whylen, "line %zu: longer than %d bytes",
		    ev->longline, TL_TRIAL_LINE_MAX), -1;
	if ((line = last_line(ev, &n, why, whylen)) == NULL)
		return -1;
	if (m == 0 && tl_strtod_exact(line, n, v) == 0)
		return 0;
	if ((obj = json_loadb(line, n, 0, NULL)) == NULL ||
	    !json_is_object(obj)) {
		json_decref(obj);
		return printed_not(line, n, m == 0 ? "a number" :
		    "an object of values", why, whylen);
	}
	if (m == 0) {	/* {"value": v, "constraints": [...]} */
		names = value;
		m = 1;
	}
	for (j = 0; rc == 0 && j < m; j++) {
		x = json_object_get(obj, names[j]);
		if (x == NULL || !json_is_number(x)) {
			snprintf(why, whylen, "value '%s': %s", names[j],
			    x == NULL ? "missing" : "not a number");
			rc = -1;
		} else
			v[j] = json_number_value(x);
	}
	if (rc == 0 && c != NULL)
		rc = constraints(obj, c, nc, why, whylen);
	json_decref(obj);
	return rc;
}

int
tl_trial_value(const struct tl_trial_event *ev, double timeout, double *v,
    char *why, size_t whylen)
{
	return tl_trial_result(ev, timeout, NULL, 0, v, NULL, NULL, why,
	    whylen);
}

int
tl_trial_values(const struct tl_trial_event *ev, double timeout,
    const char *const *names, size_t m, double *v, char *why,
    size_t whylen)
{
	return tl_trial_result(ev, timeout, names, m, v, NULL, NULL, why,
	    whylen);
}

int
tl_trial_log_append(int fd, const char *path, const json_t *rec,
    struct tl_err *err)
{
	struct tl_buf b;
	size_t off;
	ssize_t w;
	int rc = 0;

	tl_buf_init(&b);
	tl_json_append(&b, rec);
	tl_buf_addc(&b, '\n');
	for (off = 0; off < b.len; off += (size_t)w)
		if ((w = write(fd, b.data + off, b.len - off)) == -1) {
			if (errno == EINTR) {
				w = 0;
				continue;
			}
			rc = tl_err_set(err, TL_EX_IOERR, path, 0, "write: %s",
			    strerror(errno));
			break;
		}
	if (rc == 0 && fsync(fd) == -1 && errno != EINVAL)
		rc = tl_err_set(err, TL_EX_IOERR, path, 0, "fsync: %s",
		    strerror(errno));
	tl_buf_release(&b);
	return rc;
}

int
tl_trial_log_open(const char *path, struct tl_err *err)
{
	struct stat st;
	char c;
	int fd;

	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0666)) == -1) {
		tl_err_set(err, TL_EX_CANTCREAT, path, 0, "%s",
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
		int rfd = open(path, O_RDONLY | O_CLOEXEC);

		if (rfd != -1 && pread(rfd, &c, 1, st.st_size - 1) == 1 &&
		    c != '\n' && write(fd, "\n", 1) != 1) {
			close(rfd);
			close(fd);
			tl_err_set(err, TL_EX_IOERR, path, 0, "write: %s",
			    strerror(errno));
			return -1;
		}
		if (rfd != -1)
			close(rfd);
	}
	return fd;
}
