/*
 * tl-bayesopt: the history file read.  A record is a trial: its params
 * (--params-field, encoded into the space: a trial outside it is
 * skipped), its state (--state-field), its value (--value-field) or its
 * --objective "values", its "constraints", and for a pruned trial its
 * "step" and "intermediate" values; a record that cannot be used is
 * counted by why and named with -v.  record.c writes these fields.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <jansson.h>

#include "bayesopt.h"
#include "tl_err.h"
#include "tl_json.h"
#include "tl_prune.h"
#include "tl_records.h"
#include "tl_space.h"
#include "tl_util.h"

/* The states of a history record by name (the first of each is the one
 * written). */
static const struct {
	const char	*name;
	enum tstate	 st;
} state_names[] = {
	{ "complete", T_COMPLETE }, { "completed", T_COMPLETE },
	{ "ok", T_COMPLETE }, { "failed", T_FAILED }, { "fail", T_FAILED },
	{ "running", T_RUNNING }, { "pruned", T_PRUNED },
};

/* A record skipped: named with -v. */
void
skip_msg(const struct opts *o, const char *name, unsigned long line,
    const char *why)
{
	if (o->verbose)
		tl_msg("%s:%lu: skipped: %s", name, line, why);
}

/* A pruned record: its "step" must have an intermediate value.  (TPE
 * ranks it by its largest step, tl_prune_trial_last, as Optuna does; a
 * run writes that step.)  Returns 0, or -1 with why. */
static int
pruned_at(const json_t *rec, const struct tl_prune_trial *cv, char *why,
    size_t whylen)
{
	json_t *v = json_object_get(rec, "step");
	size_t i;
	long step;

	if (v == NULL || !json_is_integer(v) || json_integer_value(v) < 0)
		return snprintf(why, whylen, "pruned: field 'step': expected "
		    "a whole number >= 0"), -1;
	step = (long)json_integer_value(v);
	for (i = 0; i < cv->n; i++)
		if (cv->step[i] == step)
			return 0;
	return snprintf(why, whylen, "pruned at step %ld: no intermediate "
	    "value there", step), -1;
}

/* The total violation of a record's "constraints" (an array of numbers;
 * absent: 0) into *viol.  Returns 0, or -1 with why. */
int
read_violation(const json_t *rec, double *viol, char *why, size_t whylen)
{
	json_t *a = json_object_get(rec, "constraints"), *x;
	size_t i;

	*viol = 0;
	if (a != NULL && !json_is_array(a))
		return snprintf(why, whylen, "field 'constraints': expected an "
		    "array, got %s", tl_json_typename(a)), -1;
	json_array_foreach(a, i, x) {
		if (!json_is_number(x))
			return snprintf(why, whylen, "field 'constraints': item "
			    "%zu: expected a number, got %s", i + 1,
			    tl_json_typename(x)), -1;
		if (json_number_value(x) > 0)
			*viol += json_number_value(x);
	}
	return 0;
}

/* The --objective values of a complete record, under "values", into
 * y[nobj] as losses.  Returns 0, or -1 with why. */
int
read_values(const struct opts *o, const json_t *rec, double *y, char *why,
    size_t whylen)
{
	json_t *vs = json_object_get(rec, "values"), *v;
	size_t j;

	for (j = 0; j < o->nobj; j++) {
		v = json_is_object(vs) ? json_object_get(vs, o->obj_name[j]) :
		    NULL;
		if (v == NULL || !json_is_number(v))
			return snprintf(why, whylen, "field 'values.%s': %s",
			    o->obj_name[j], v == NULL ? "missing" :
			    "expected a number"), -1;
		y[j] = o->obj_max[j] ? -json_number_value(v) :
		    json_number_value(v);
	}
	return 0;
}

/* One record into hist h, or counted as skipped. */
void
hist_record(const struct opts *o, void *ctx, const json_t *rec,
    const char *name, unsigned long line)
{
	struct hist *h = ctx;
	const struct tl_space *s = h->s;
	char why[512];
	const char *st;
	json_t *v, *params;
	enum tstate state;
	struct trial *t;
	struct tl_prune_trial cv;
	double value = 0, *y = NULL, viol = 0;
	double *x;

	if ((v = json_object_get(rec, "trial")) != NULL &&
	    json_is_integer(v) && json_integer_value(v) >= h->next_trial)
		h->next_trial = (long)json_integer_value(v) + 1;
	state = T_COMPLETE;
	v = tl_space_get(rec, o->state_field);
	if (v != NULL && !json_is_null(v)) {
		size_t i;

		st = json_string_value(v);
		for (i = 0; st != NULL && i < TL_NELEM(state_names) &&
		    strcasecmp(st, state_names[i].name) != 0; i++)
			;
		if (st == NULL || i == TL_NELEM(state_names)) {
			snprintf(why, sizeof(why), "field '%s': expected "
			    "complete, failed, running or pruned",
			    o->state_field);
			skip_msg(o, name, line, why);
			h->novalue++;
			return;
		}
		state = state_names[i].st;
	}
	v = json_object_get(rec, "trial");
	tl_prune_trial_init(&cv, json_is_integer(v) ?
	    (long)json_integer_value(v) : (long)h->read - 1);
	if (read_violation(rec, &viol, why, sizeof(why)) == -1 ||
	    tl_prune_trial_from_json(rec, &cv, why,
	    sizeof(why)) == -1 || (state ==
	    T_PRUNED && pruned_at(rec, &cv, why, sizeof(why)) == -1)) {
		tl_prune_trial_release(&cv);
		skip_msg(o, name, line, why);
		h->novalue++;
		return;
	}
	if (state == T_COMPLETE && o->nobj > 0) {
		y = tl_xcalloc(o->nobj, sizeof(double));
		if (read_values(o, rec, y, why, sizeof(why)) == -1) {
			free(y);
			tl_prune_trial_release(&cv);
			skip_msg(o, name, line, why);
			h->novalue++;
			return;
		}
		cv.complete = 1;
	} else if (state == T_COMPLETE) {
		v = tl_space_get(rec, o->value_field);
		if (v == NULL || json_is_null(v) || !json_is_number(v)) {
			if (v == NULL || json_is_null(v))
				snprintf(why, sizeof(why), "field '%s': "
				    "missing", o->value_field);
			else
				snprintf(why, sizeof(why), "field '%s': "
				    "expected a number, got %s",
				    o->value_field, tl_json_typename(v));
			tl_prune_trial_release(&cv);
			skip_msg(o, name, line, why);
			h->novalue++;
			return;
		}
		value = json_number_value(v);
		cv.complete = 1;
	}
	params = tl_space_get(rec, o->params_field);
	x = tl_xcalloc(s->n, sizeof(double));
	if (params == NULL) {
		snprintf(why, sizeof(why), "field '%s': missing",
		    o->params_field);
		goto outside;
	}
	if (tl_space_encode(s, params, o->ignore_unknown, x, why,
	    sizeof(why)) == -1)
		goto outside;
	if (h->n == h->cap) {
		h->cap = h->cap ? 2 * h->cap : 256;
		h->t = tl_xreallocarray(h->t, h->cap, sizeof(*h->t));
	}
	t = &h->t[h->n++];
	t->x = x;
	t->value = value;
	t->st = state;
	t->cv = cv;
	t->y = y;
	t->viol = viol;
	if (state == T_COMPLETE)
		h->complete++;
	else if (state == T_FAILED)
		h->failed++;
	else if (state == T_PRUNED)
		h->pruned++;
	else
		h->running++;
	return;
outside:
	tl_prune_trial_release(&cv);
	free(y);
	free(x);
	skip_msg(o, name, line, why);
	h->outside++;
}

/* Hand each readable record of rs to fn with ctx; count each record in
 * *nread and each unreadable one in *unreadable (named with -v).
 * Returns 0, or -1 with err after a read error. */
int
read_records(const struct opts *o, struct tl_records *rs,
    void (*fn)(const struct opts *, void *, const json_t *, const char *,
    unsigned long), void *ctx, size_t *nread, size_t *unreadable,
    struct tl_err *err)
{
	json_t *rec;
	int rc;

	while ((rc = tl_records_next(rs, &rec, err)) != 0) {
		(*nread)++;
		if (rc == -1) {
			if (tl_records_failed(rs))
				return -1;
			if (o->verbose)
				tl_msg("%s: skipped: %s", err->where,
				    err->msg);
			(*unreadable)++;
			continue;
		}
		fn(o, ctx, rec, tl_records_name(rs), tl_records_line(rs));
		json_decref(rec);
	}
	return 0;
}

/* Read the history into h.  A history whose every record is skipped is
 * an error (TL_EX_DATAERR): nothing usable; an empty one is a start, and
 * so is none at all when may_be_new (run: the file it will append to). */
int
hist_read(const struct opts *o, const struct tl_space *s, struct hist *h,
    int may_be_new, struct tl_err *err)
{
	struct tl_records *rs;
	int rc;

	memset(h, 0, sizeof(*h));
	h->s = s;
	if (o->history == NULL)
		return 0;
	if (may_be_new && access(o->history, F_OK) == -1 &&
	    errno == ENOENT)
		return 0;	/* a new run */
	if ((rs = tl_records_open(o->history, o->ifmt, err)) == NULL)
		return -1;
	rc = read_records(o, rs, hist_record, h, &h->read, &h->unreadable,
	    err);
	if ((long)h->read > h->next_trial)
		h->next_trial = (long)h->read;
	if (rc == 0 && h->n == 0 && h->read > 0)
		rc = tl_err_set(err, TL_EX_DATAERR, tl_records_name(rs), 0,
		    "nothing usable: %zu records read, all skipped (%zu "
		    "outside the space, %zu without a value, %zu "
		    "unreadable)%s", h->read, h->outside, h->novalue,
		    h->unreadable, o->verbose ? "" : "; -v names them");
	tl_records_free(rs);
	return rc;
}

/* Free what h holds. */
void
hist_release(struct hist *h)
{
	size_t i;

	for (i = 0; i < h->n; i++) {
		free(h->t[i].x);
		free(h->t[i].y);
		tl_prune_trial_release(&h->t[i].cv);
	}
	free(h->t);
	memset(h, 0, sizeof(*h));
}

/* What the history held and what was skipped, on stderr (not -q). */
void
hist_summary(const struct opts *o, const struct hist *h)
{
	size_t skipped = h->outside + h->novalue + h->unreadable;
	char pn[64] = "";

	if (o->quiet || o->history == NULL)
		return;
	if (h->pruned > 0)	/* only where pruning is used */
		snprintf(pn, sizeof(pn), "%zu pruned, ", h->pruned);
	tl_msg("history: %zu trial%s: %zu complete, %zu failed, %zu "
	    "running, %s%zu skipped (%zu outside the space, %zu without a "
	    "value, %zu unreadable)%s", h->read, h->read == 1 ? "" : "s",
	    h->complete, h->failed, h->running,
	    pn, skipped, h->outside,
	    h->novalue, h->unreadable,
	    skipped > 0 && !o->verbose ? "; -v names them" : "");
}

/* A value as a loss: lower is better. */
double
loss_of(const struct opts *o, double value)
{
	return o->maximize ? -value : value;
}
