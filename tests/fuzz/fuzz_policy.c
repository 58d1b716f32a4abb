/*
 * libFuzzer target: tl-policy's readers on arbitrary bytes.  The first
 * byte picks the kind (gate, size, hold, fee, horizon, breaker); the rest
 * is read as a previous policy file (tl_policy_prev) and, line by line,
 * as rows (tl_policy_observe_text).  When the learner then decides, the
 * policy it writes must load again as a previous policy of its kind.
 * Seeds: tests/fuzz/seeds/policy.  make fuzz-policy (clang).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tl_err.h"
#include "tl_policy.h"
#include "fuzz_util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

/* A learner of kind with the defaults; o is borrowed for its life. */
static struct tl_policy *
learner(struct tl_policy_opts *o, size_t kind)
{
	static const struct tl_policy_opts dflt = TL_POLICY_OPTS_DEFAULT;
	struct tl_err err = { 0 };

	*o = dflt;
	o->kind = kind;
	o->min_obs = 2;		/* decide on the few rows a fuzz input has */
	o->draws = 20;		/* keep an execution short */
	return tl_policy_alloc(o, &err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct tl_err err = { 0 };
	struct tl_policy_opts po, qo;
	struct tl_policy *p, *q;
	const char *text, *end, *nl;
	json_t *policy = NULL, *facts = NULL;
	unsigned long line = 0;
	size_t kind;
	char *s;

	if (n == 0)
		return 0;
	kind = data[0] % tl_policy_nkinds;
	if ((p = learner(&po, kind)) == NULL)
		abort();	/* the defaults are valid settings */
	(void)tl_policy_prev(p, fuzz_file("policy", 0, data + 1, n - 1),
	    &err);
	text = (const char *)data + 1;
	end = (const char *)data + n;
	for (; text < end; text = nl + 1) {
		if ((nl = memchr(text, '\n', (size_t)(end - text))) == NULL)
			nl = end;
		memset(&err, 0, sizeof(err));
		(void)tl_policy_observe_text(p, text, (size_t)(nl - text),
		    "fuzz", ++line, &err);
	}
	memset(&err, 0, sizeof(err));
	if (tl_policy_finish(p, &policy, &facts, &err) == 0) {
		s = fuzz_text(policy);
		if ((q = learner(&qo, kind)) == NULL)
			abort();
		memset(&err, 0, sizeof(err));
		if (tl_policy_prev(q, fuzz_file("policy", 1, s, strlen(s)),
		    &err) != 0)
			abort();	/* we wrote what we cannot read */
		tl_policy_free(q);
		free(s);
	}
	json_decref(policy);
	json_decref(facts);
	tl_policy_free(p);
	return 0;
}
