/*
 * Trials of an objective command (see tl_trial.h).  The common part
 * keeps one slot per trial in flight (its id, what it printed, how far
 * its lines were handed out, whether it ended) and turns the slots into
 * events, lowest slot first; an engine fills the slots: it starts a
 * trial, gathers output and ends while it waits, and kills.  The local
 * engine forks the command with a pipe on each side and waits in
 * poll(2).
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
#define REASON_MAX	60	/* bytes of garbage quoted in a reason */

/* One trial in flight. */
struct slot {
	int		 busy;		/* a trial occupies it */
	long		 id;		/* the trial */
	struct tl_buf	 out;		/* its stdout, up to TL_TRIAL_OUT_MAX */
	size_t		 lineoff;	/* start of the first line not handed out */
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
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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

/* Wait for output, an end of output or the next deadline; read once from
 * each trial, end those past the timeout and reap those that exited. */
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
		if (r->timeout > 0) {
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
		if (sl->fd == -1) {	/* closed, not yet exited */
			if (wait < 0 || wait > REAP_POLL)
				wait = REAP_POLL;
			continue;
		}
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

		if (!sl->busy || sl->ended)
			continue;
		if (sl->fd != -1) {
			n = read(sl->fd, buf, sizeof(buf));
			if (n > 0 && sl->out.len < TL_TRIAL_OUT_MAX)
				tl_buf_add(&sl->out, buf, (size_t)n);
			if (n == 0 || (n == -1 && errno != EAGAIN &&
			    errno != EINTR)) {
				close(sl->fd);
				sl->fd = -1;
			}
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
			continue;
		}
		if ((sl->fd == -1 || sl->killed) &&
		    waitpid(sl->pid, &st, WNOHANG) == sl->pid)
			ended(sl, st, t);
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

/* The engines by name. */
static const struct engine engines[] = {
	{ "local", local_start, local_gather, local_kill, local_stop },
};

/* ---- common part ------------------------------------------------------- */

struct tl_trial_run *
tl_trial_alloc(const char *engine, char *const *argv, size_t slots,
    double timeout, struct tl_err *err)
{
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
	r = tl_xcalloc(1, sizeof(*r));
	r->e = e;
	r->argv = argv;
	r->timeout = timeout;
	r->nslots = slots ? slots : 1;
	r->slot = tl_xcalloc(r->nslots, sizeof(*r->slot));
	r->pfd = tl_xcalloc(r->nslots, sizeof(*r->pfd));
	r->last = r->nslots;
	for (i = 0; i < r->nslots; i++) {
		tl_buf_init(&r->slot[i].out);
		r->slot[i].fd = -1;
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
	for (i = 0; i < r->nslots; i++)
		tl_buf_release(&r->slot[i].out);
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

int
tl_trial_start(struct tl_trial_run *r, long id, const char *input,
    size_t n, struct tl_err *err)
{
	struct slot *sl = NULL;
	size_t i;

	release_last(r);
	for (i = 0; i < r->nslots && sl == NULL; i++)
		if (!r->slot[i].busy)
			sl = &r->slot[i];
	if (sl == NULL)
		return tl_err_set(err, TL_EX_SOFTWARE, NULL, 0, "no free "
		    "slot for trial %ld", id);
	sl->id = id;
	sl->ended = 0;
	sl->how = TL_TRIAL_EXITED;
	sl->code = 0;
	sl->lineoff = 0;
	tl_buf_reset(&sl->out);
	if (r->e->start(r, sl, input, n, err) == -1)
		return -1;
	sl->start = now();
	sl->busy = 1;
	return 0;
}

/* The next event of the slots, lowest slot first: its next complete
 * line, else its end. */
static int
next_event(struct tl_trial_run *r, struct tl_trial_event *ev)
{
	size_t i;

	for (i = 0; i < r->nslots; i++) {
		struct slot *sl = &r->slot[i];
		const char *nl;

		if (!sl->busy)
			continue;
		nl = sl->lineoff < sl->out.len ? memchr(sl->out.data +
		    sl->lineoff, '\n', sl->out.len - sl->lineoff) : NULL;
		memset(ev, 0, sizeof(*ev));
		ev->id = sl->id;
		if (nl != NULL) {
			ev->kind = TL_TRIAL_LINE;
			ev->text = sl->out.data + sl->lineoff;
			ev->len = (size_t)(nl - ev->text);
			sl->lineoff += ev->len + 1;
			return 1;
		}
		if (sl->ended) {
			ev->kind = TL_TRIAL_END;
			ev->text = sl->out.data != NULL ? sl->out.data : "";
			ev->len = sl->out.len;
			ev->how = sl->how;
			ev->code = sl->code;
			ev->seconds = sl->secs;
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
	if (ended_well(ev, timeout, why, whylen) == -1 ||
	    (line = last_line(ev, &n, why, whylen)) == NULL)
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
