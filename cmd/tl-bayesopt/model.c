/*
 * tl-bayesopt suggest --model: the meta-model's predictions for
 * candidates.  tl-train-forest (next to tl-bayesopt, else in PATH) runs
 * as a subprocess: "predict -M MODEL" reads the candidates' params on
 * its stdin and writes each row back with prediction and prediction_sd.
 * --model - is copied to a temporary file first, as the child's stdin
 * is the candidates.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "bayesopt.h"
#include "tl_err.h"
#include "tl_json.h"
#include "tl_space.h"
#include "tl_util.h"

#define FOREST		"tl-train-forest"

/* Path of tl-train-forest: next to our binary, else in PATH.  New. */
static char *
find_forest(void)
{
	char self[PATH_MAX], *slash, *path, *dir, *p;
	struct tl_buf b;
	ssize_t n;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		if ((slash = strrchr(self, '/')) != NULL) {
			*slash = '\0';
			tl_buf_init(&b);
			tl_buf_printf(&b, "%s/%s", self, FOREST);
			if (access(b.data, X_OK) == 0)
				return b.data;
			tl_buf_release(&b);
		}
	}
	if ((p = getenv("PATH")) == NULL)
		return NULL;
	path = tl_xstrdup(p);
	for (p = path; (dir = strsep(&p, ":")) != NULL;) {
		tl_buf_init(&b);
		tl_buf_printf(&b, "%s/%s", *dir ? dir : ".", FOREST);
		if (access(b.data, X_OK) == 0) {
			free(path);
			return b.data;
		}
		tl_buf_release(&b);
	}
	free(path);
	return NULL;
}

/* Exit status of another tool as ours: sysexits pass through. */
static int
child_code(int st)
{
	return st >= TL_EX_USAGE && st <= TL_EX_TEMPFAIL ? st :
	    TL_EX_SOFTWARE;
}

/* --model -: the model read from standard input into a temporary file,
 * whose name /dev/fd/N the child opens (the child's standard input is
 * the candidates).  Returns the descriptor, or -1 with err. */
static int
model_from_stdin(struct tl_err *err)
{
	const char *dir = getenv("TMPDIR");
	char buf[65536];
	struct tl_buf path;
	ssize_t n, w, off;
	int fd;

	tl_buf_init(&path);
	tl_buf_printf(&path, "%s/tl-bayesopt-model.XXXXXX", dir != NULL &&
	    *dir != '\0' ? dir : "/tmp");
	fd = mkstemp(path.data);
	if (fd != -1)
		unlink(path.data);	/* gone when we are */
	tl_buf_release(&path);
	if (fd == -1)
		return tl_err_set(err, TL_EX_CANTCREAT, "--model", 0,
		    "temporary file: %s", strerror(errno));
	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		for (off = 0; n > 0 && off < n; off += w)
			if ((w = write(fd, buf + off, (size_t)(n - off))) == -1)
				break;
		if (n == -1 || off < n) {
			tl_err_set(err, TL_EX_IOERR, "--model", 0, "<stdin>: "
			    "%s", strerror(errno));
			close(fd);
			return -1;
		}
	}
	return fd;
}

/* Predictions of the model for c[0..n): tl-train-forest predict -M
 * MODEL reads the rows on stdin and writes them back with prediction and
 * prediction_sd. */
int
predict(const struct engine *e, struct cand *c, size_t n,
    struct tl_err *err)
{
	const struct opts *o = e->o;
	const char *where = FOREST " predict", *model = o->model;
	static int stdin_model = -1;
	char *exe, buf[65536], fdpath[32];
	struct tl_buf out;
	json_t *row, *pr, *v, *sd;
	FILE *in;
	pid_t pid;
	ssize_t r;
	size_t i, len;
	int fd[2], st, rc = -1;
	char *line, *nl;

	if ((exe = find_forest()) == NULL)
		return tl_err_set(err, TL_EX_NOINPUT, "--model", 0, "%s is "
		    "neither next to tl-bayesopt nor in PATH", FOREST);
	if (strcmp(model, "-") == 0) {
		if (stdin_model == -1 &&
		    (stdin_model = model_from_stdin(err)) == -1) {
			free(exe);
			return -1;
		}
		snprintf(fdpath, sizeof(fdpath), "/dev/fd/%d", stdin_model);
		model = fdpath;
	}
	if ((in = tmpfile()) == NULL) {
		free(exe);
		return tl_err_set(err, TL_EX_CANTCREAT, "--model", 0,
		    "temporary file: %s", strerror(errno));
	}
	for (i = 0; i < n && rc == -1; i++) {
		pr = tl_space_decode(e->s, c[i].x);
		row = *o->model_prefix ? json_pack("{s:o}", o->model_prefix,
		    pr) : pr;
		if (tl_json_writeln(in, row, err) == -1)
			rc = -2;
		json_decref(row);
	}
	if (rc == -2 || fflush(in) == EOF || fseek(in, 0, SEEK_SET) == -1) {
		fclose(in);
		free(exe);
		return tl_err_set(err, TL_EX_IOERR, "--model", 0, "temporary "
		    "file: %s", strerror(errno));
	}
	if (pipe(fd) == -1 || (pid = fork()) == -1) {
		fclose(in);
		free(exe);
		return tl_err_set(err, TL_EX_SOFTWARE, where, 0, "%s",
		    strerror(errno));
	}
	if (pid == 0) {
		dup2(fileno(in), 0);
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		execl(exe, FOREST, "predict", "-M", model, (char *)NULL);
		fprintf(stderr, "%s: %s: %s\n", tl_progname(), exe,
		    strerror(errno));
		_exit(127);
	}
	close(fd[1]);
	fclose(in);
	tl_buf_init(&out);
	while ((r = read(fd[0], buf, sizeof(buf))) != 0) {
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			break;
		tl_buf_add(&out, buf, (size_t)r);
	}
	close(fd[0]);
	while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
		;
	rc = 0;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		rc = tl_err_set(err, WIFEXITED(st) ?
		    child_code(WEXITSTATUS(st)) : TL_EX_SOFTWARE, where, 0,
		    "--model %s: %s %d", o->model, WIFEXITED(st) ?
		    "exited with status" : "killed by signal",
		    WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
		goto out;
	}
	line = out.data != NULL ? out.data : "";
	for (i = 0; i < n; i++, line = nl + 1) {
		if ((nl = strchr(line, '\n')) == NULL) {
			rc = tl_err_set(err, TL_EX_DATAERR, where, i + 1,
			    "expected %zu rows back, got %zu", n, i);
			goto out;
		}
		len = (size_t)(nl - line);
		if ((v = tl_json_parse(line, len, where, i + 1, err)) ==
		    NULL) {
			rc = -1;
			goto out;
		}
		pr = json_object_get(v, "prediction");
		sd = json_object_get(v, "prediction_sd");
		if (!json_is_number(pr) || !json_is_number(sd)) {
			json_decref(v);
			rc = tl_err_set(err, TL_EX_DATAERR, where, i + 1,
			    "expected numbers 'prediction' and "
			    "'prediction_sd'");
			goto out;
		}
		c[i].pred = json_number_value(pr);
		c[i].sd = json_number_value(sd);
		json_decref(v);
	}
out:
	tl_buf_release(&out);
	free(exe);
	return rc;
}
