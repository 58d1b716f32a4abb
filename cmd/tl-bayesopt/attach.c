/*
 * tl-bayesopt run --dispatch slurm: the trials that a run before this one
 * submitted and did not see end (killed, or stopped by a signal, which
 * leaves its jobs queued or running) are taken up again: found in the
 * batch directories of --batch-dir, each becomes a running trial of the
 * history and is polled on the engine like this run's (tl_trial_attach).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "bayesopt.h"
#include "tl_err.h"
#include "tl_prune.h"
#include "tl_trial.h"
#include "tl_util.h"

/* Free the trials taken up. */
void
attach_release(struct runstate *rs)
{
	size_t a;

	for (a = 0; a < rs->natt; a++)
		free(rs->att[a].dir);
	free(rs->att);
}

/* The line seq+1 of path as JSON into *v (new).  0, or -1 with err. */
static int
read_line_json(const char *path, long seq, json_t **v, struct tl_err *err)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = -1;
	FILE *fp;
	long i;

	*v = NULL;
	if ((fp = fopen(path, "r")) != NULL) {
		for (i = 0; i <= seq && (n = getline(&line, &cap, fp)) != -1;
		    i++)
			;
		if (n > 0)
			*v = json_loadb(line, (size_t)n, 0, NULL);
		fclose(fp);
	}
	free(line);
	if (*v == NULL)
		return tl_err_set(err, TL_EX_DATAERR, path, (unsigned long)seq +
		    1, "no params line of a trial to take up");
	return 0;
}

/* slurm: the trials that a run before this one submitted (the batch
 * directories of --batch-dir with a job id; a trial's last batch) and
 * that the history does not hold finished, into rs->att, each also a
 * running trial of rs->h.  0, or -1 with err. */
int
attach_scan(struct runstate *rs, struct tl_err *err)
{
	const struct opts *o = rs->o;
	struct tl_buf dir, path;
	size_t a, j, cap = 0;
	long n, seq, id;
	json_t *rec, *params;
	FILE *fp;
	int rc = 0;

	tl_buf_init(&dir);
	tl_buf_init(&path);
	for (n = 1;; n++) {
		tl_buf_reset(&dir);
		tl_buf_printf(&dir, "%s/batch-%ld", o->tc.batch_dir, n);
		if (access(dir.data, F_OK) == -1)
			break;
		tl_buf_reset(&path);
		tl_buf_printf(&path, "%s/job", dir.data);
		if (access(path.data, R_OK) == -1)
			continue;	/* never submitted */
		tl_buf_reset(&path);
		tl_buf_printf(&path, "%s/trials", dir.data);
		if ((fp = fopen(path.data, "r")) == NULL)
			continue;
		for (seq = 0; fscanf(fp, "%ld", &id) == 1; seq++) {
			for (a = 0; a < rs->natt && rs->att[a].id != id; a++)
				;
			if (a == rs->natt && rs->natt == cap) {
				cap = cap ? 2 * cap : 16;
				rs->att = tl_xreallocarray(rs->att, cap,
				    sizeof(*rs->att));
			}
			if (a == rs->natt)
				rs->att[rs->natt++].id = id;
			else
				free(rs->att[a].dir);
			rs->att[a].dir = tl_xstrdup(dir.data);
			rs->att[a].seq = seq;
		}
		fclose(fp);
	}
	for (a = 0; a < rs->natt;) {	/* those finished are done */
		for (j = 0; j < rs->h.n && (rs->h.t[j].cv.id != rs->att[a].id ||
		    rs->h.t[j].st == T_RUNNING); j++)
			;
		if (j < rs->h.n) {
			free(rs->att[a].dir);
			rs->att[a] = rs->att[--rs->natt];
		} else
			a++;
	}
	for (a = 0; rc == 0 && a < rs->natt; a++) {
		tl_buf_reset(&path);
		tl_buf_printf(&path, "%s/params.jsonl", rs->att[a].dir);
		if ((rc = read_line_json(path.data, rs->att[a].seq, &params,
		    err)) == -1)
			break;
		rec = json_object();
		json_object_set_new(rec, "trial", json_integer(rs->att[a].id));
		json_object_set_new(rec, o->params_field, params);
		json_object_set_new(rec, o->state_field, json_string(
		    "running"));
		j = rs->h.n;
		hist_record(o, &rs->h, rec, path.data, (unsigned long)
		    rs->att[a].seq + 1);
		json_decref(rec);
		if (rs->h.n == j)
			rc = tl_err_set(err, TL_EX_DATAERR, path.data,
			    (unsigned long)rs->att[a].seq + 1, "the params of "
			    "trial %ld do not fit the space", rs->att[a].id);
		rs->att[a].h = j;
	}
	tl_buf_release(&dir);
	tl_buf_release(&path);
	return rc;
}

/* Take up the trials of attach_scan on tr, at rs's indices after this
 * run's.  0, or -1 with err. */
int
attach_start(struct runstate *rs, struct tl_trial_run *tr,
    struct tl_err *err)
{
	size_t a, k, d = rs->s->n ? rs->s->n : 1;

	for (a = 0; a < rs->natt; a++) {
		k = rs->cap - rs->natt + 1 + a;
		rs->x[k] = tl_xcalloc(d, sizeof(double));
		memcpy(rs->x[k], rs->h.t[rs->att[a].h].x, rs->s->n *
		    sizeof(double));
		rs->par[k] = tl_space_decode(rs->s, rs->x[k]);
		rs->src[k] = "taken up";
		rs->score[k] = NAN;
		tl_prune_trial_init(&rs->cv[k], rs->att[a].id);
		if (tl_trial_attach(tr, rs->att[a].id, rs->att[a].dir,
		    rs->att[a].seq, err) == -1)
			return -1;
	}
	if (rs->natt > 0 && !rs->o->quiet)
		tl_msg("run: %zu trial%s of a run before taken up (queued "
		    "or running in Slurm, or ended unseen)", rs->natt,
		    rs->natt == 1 ? "" : "s");
	return 0;
}

