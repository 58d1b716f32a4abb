/*
 * tl-bayesopt space: infer a search space from the params of a history
 * (tl_space_infer_*), for a night that has no space file; what it writes
 * is checked to be what --space reads.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "bayesopt.h"
#include "tl_err.h"
#include "tl_json.h"
#include "tl_out.h"
#include "tl_records.h"
#include "tl_space.h"
#include "tl_util.h"

/* the options that space takes (getopt's values; -h and -V exit) */
static const int space_opts[] = { 'H', 'i', 'o', 'q', 'v', O_PARAMS_FIELD };

/* One record's params into the inference, or counted as skipped. */
void
space_record(const struct opts *o, void *ctx, const json_t *rec,
    const char *name, unsigned long line)
{
	struct spaceread *sr = ctx;
	json_t *p = tl_space_get(rec, o->params_field);
	char why[512];

	if (json_is_object(p)) {
		tl_space_infer_add(sr->in, p);
		return;
	}
	sr->noparams++;
	if (p == NULL)
		snprintf(why, sizeof(why), "field '%s': missing",
		    o->params_field);
	else
		snprintf(why, sizeof(why), "field '%s': expected an object, "
		    "got %s", o->params_field, tl_json_typename(p));
	skip_msg(o, name, line, why);
}

/* The space's params by type, for the summary. */
static void
space_summary(const json_t *space)
{
	static const char *const types[] = { "int", "float", "categorical" };
	size_t n[TL_NELEM(types)] = { 0 };
	const char *key, *t;
	json_t *spec;
	size_t i;

	json_object_foreach((json_t *)space, key, spec) {
		t = json_string_value(json_object_get(spec, "type"));
		for (i = 0; i < TL_NELEM(types); i++)
			if (t != NULL && strcmp(t, types[i]) == 0)
				n[i]++;
	}
	tl_msg("space: %zu params: %zu int, %zu float, %zu categorical",
	    json_object_size(space), n[0], n[1], n[2]);
}

/* space's options: only these, and the history. */
void
space_check(struct opts *o, int argc, char *argv[])
{
	opts_only(o, space_opts, TL_NELEM(space_opts), "space takes only -H, "
	    "-i, -o, -q, -v and --params-field");
	if (o->history == NULL)
		tl_usage_error("space needs the history to read: -H FILE");
	if (optind + 1 < argc)
		tl_usage_error("space takes no operand, got '%s'",
		    argv[optind + 1]);
}

/* space: the space the history's params span, on -o. */
int
cmd_space(const struct opts *o, const struct tl_space *s, struct tl_err *err)
{
	struct spaceread sr = { 0 };
	struct tl_records *rs;
	struct tl_space *check = NULL;
	struct tl_out *out;
	struct tl_buf b;
	json_t *space = NULL;
	int rc;

	(void)s;	/* none: it is what space writes */
	if ((rs = tl_records_open(o->history, o->ifmt, err)) == NULL)
		return -1;
	sr.in = tl_space_infer_alloc();
	tl_buf_init(&b);
	if ((rc = read_records(o, rs, space_record, &sr, &sr.read,
	    &sr.unreadable, err)) == -1)
		goto out;
	if (tl_space_infer_count(sr.in) == 0 && sr.read == 0) {
		rc = tl_err_set(err, TL_EX_DATAERR, tl_records_name(rs), 0,
		    "no run with a '%s' object (no record at all)",
		    o->params_field);
		goto out;
	}
	if (tl_space_infer_count(sr.in) == 0) {
		/* runs.jsonl, piped from tl-ingest, keeps them in genome */
		rc = tl_err_set(err, TL_EX_DATAERR, tl_records_name(rs), 0,
		    "no run with a '%s' object (%zu records read: %zu without "
		    "one, %zu unreadable%s)%s", o->params_field, sr.read,
		    sr.noparams, sr.unreadable, o->verbose ? "" :
		    "; -v names them", strcmp(o->params_field, "params") == 0 ?
		    "; tl-ingest's runs keep them in 'genome': --params-field "
		    "genome" : "");
		goto out;
	}
	if (!o->quiet)
		tl_msg("history: %zu records: %zu with a '%s' object, %zu "
		    "skipped (%zu without one, %zu unreadable)%s", sr.read,
		    tl_space_infer_count(sr.in), o->params_field,
		    sr.noparams + sr.unreadable, sr.noparams, sr.unreadable,
		    sr.noparams + sr.unreadable > 0 && !o->verbose ?
		    "; -v names them" : "");
	if ((space = tl_space_infer_result(sr.in, tl_records_name(rs),
	    o->quiet ? NULL : tl_warn, err)) == NULL) {
		rc = -1;
		goto out;
	}
	/* what we write must be what -S reads */
	if ((check = tl_space_from_json(space, "the inferred space",
	    err)) == NULL) {
		rc = tl_err_set(err, TL_EX_SOFTWARE, err->where, 0, "%s",
		    err->msg);
		goto out;
	}
	if (!o->quiet)
		space_summary(space);
	tl_space_text(space, &b);
	if ((out = tl_out_open(o->output, TL_FMT_JSONL, err)) == NULL)
		rc = -1;
	else if ((rc = tl_out_raw(out, b.data, b.len, err)) == 0)
		rc = tl_out_close(out, err);
	else
		tl_out_abort(out);
out:
	tl_space_free(check);
	json_decref(space);
	tl_buf_release(&b);
	tl_space_infer_free(sr.in);
	tl_records_free(rs);
	return rc;
}
