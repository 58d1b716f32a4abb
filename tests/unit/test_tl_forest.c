/*
 * Unit tests for lib/tl_forest: a hand-computed split (Breiman 2001's
 * variance reduction; x = 1..4, y = 1,1,5,5: cut at 2.5, impurity
 * decrease 16), learning a step and Friedman #1 against the closed form, missing values routed by
 * training, categories ordered by their mean, classification, the same
 * model bytes for 1 and 3 threads, the model file round trip, a refused
 * version, its checksum (written here from its definition), damaged
 * nodes behind a good checksum, a tree count beyond the file's size,
 * random damage, and the table's type errors.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/logging.h>

#include "tl_err.h"
#include "tl_forest.h"
#include "tl_jv.h"
#include "tl_util.h"
#include "unit.h"

UT_SCRATCH_DIR();

static void
init(void)
{
	tl_init("tl-test");
	ut_setup();
}

TestSuite(tl_forest, .init = init, .fini = ut_teardown);

static void
add(struct tl_fdata *d, const char *row)
{
	struct tl_err err = { 0 };

	cr_assert_eq(tl_fdata_add(d, row, strlen(row), "t", 1, &err), 0,
	    "%s: %s", row, err.msg);
}

static struct tl_forest *
train(struct tl_fdata *d, const char *target,
    const struct tl_forest_params *p)
{
	struct tl_fselect sel = { NULL, 0, NULL, 0 };
	struct tl_err err = { 0 };
	struct tl_forest *f;

	f = tl_forest_train(d, target, &sel, p, NULL, &err);
	cr_assert_not_null(f, "train: %s", err.msg);
	return f;
}

/* Prediction for a row given as JSON. */
static double
predict(const struct tl_forest *f, const char *row, double *sd,
    double *prob)
{
	struct tl_err err = { 0 };
	struct tl_jdoc doc;
	uint8_t bins[64];
	struct tl_forest_gaps g;
	double mean, s = 0;

	tl_jdoc_init(&doc);
	cr_assert_eq(tl_forest_row(f, &doc, row, strlen(row), "t", 1, bins,
	    &g, &err), 0, "%s", err.msg);
	tl_forest_predict(f, bins, &mean, sd != NULL ? sd : &s, prob);
	tl_jdoc_release(&doc);
	return mean;
}

/* The gaps of a row of two features: nmissing and nunknown, and first
 * (the first missing, else the first unknown feature). */
static void
gaps_are(const struct tl_forest *f, const char *row, size_t nmissing,
    size_t nunknown, size_t first)
{
	struct tl_err err = { 0 };
	struct tl_forest_gaps g;
	struct tl_jdoc doc;
	uint8_t bins[64];

	tl_jdoc_init(&doc);
	cr_assert_eq(tl_forest_row(f, &doc, row, strlen(row), "t", 1, bins,
	    &g, &err), 0, "%s", err.msg);
	tl_jdoc_release(&doc);
	cr_assert_eq(g.nmissing, nmissing, "%s: %zu missing", row,
	    g.nmissing);
	cr_assert_eq(g.nunknown, nunknown, "%s: %zu unknown", row,
	    g.nunknown);
	if (nmissing > 0)
		cr_assert_eq(g.first_missing, first, "%s", row);
	else if (nunknown > 0)
		cr_assert_eq(g.first_unknown, first, "%s", row);
}

static double
unif(unsigned long long *s)
{
	return (double)(ut_xorshift(s) >> 11) * 0x1.0p-53;
}

/* One tree on every row as it is (no bootstrap), leaves of one row. */
static void
one_tree(struct tl_forest_params *p)
{
	p->trees = 1;
	p->bootstrap = 0;
	p->sample_fraction = 1;
	p->min_leaf = 1;
	p->permutation = 0;
}

/* [CH]: one tree on all four rows (no bootstrap), one split at
 * 2.5 (the midpoint of 2 and 3), leaves 1 and 5; impurity decrease 16,
 * reported per row drawn: 16 / 4 = 4. */
Test(tl_forest, methods_split_vector)
{
	struct tl_forest_params p = TL_FOREST_PARAMS_DEFAULT;
	struct tl_fdata *d = tl_fdata_alloc();
	struct tl_forest *f;
	json_t *s, *imp;
	double sd;

	add(d, "{\"x\":1,\"y\":1}");
	add(d, "{\"x\":2,\"y\":1}");
	add(d, "{\"x\":3,\"y\":5}");
	add(d, "{\"x\":4,\"y\":5}");
	one_tree(&p);
	f = train(d, "y", &p);
	cr_assert_float_eq(predict(f, "{\"x\":2.5}", &sd, NULL), 1, 1e-12);
	cr_assert_float_eq(predict(f, "{\"x\":2.5000001}", &sd, NULL), 5,
	    1e-12);
	cr_assert_float_eq(predict(f, "{\"x\":-100}", &sd, NULL), 1, 1e-12);
	cr_assert_float_eq(sd, 0, 1e-15);
	s = tl_forest_summary(f);
	imp = json_array_get(json_object_get(json_object_get(s, "importance"),
	    "impurity"), 0);
	cr_assert_float_eq(json_number_value(json_object_get(imp,
	    "importance")), 4, 1e-12);
	json_decref(s);
	tl_forest_free(f);
	tl_fdata_free(d);
}

/* Node i of tree t is a split on feat at bin with children left, right;
 * or, when left is 0, a leaf of value v (given as right).  (Where missing
 * values go, the larger side without any in training, is not checked.) */
static void
node_is(const struct tl_forest *f, size_t t, size_t i, size_t feat,
    unsigned bin, size_t left, double right)
{
	struct tl_forest_node nd;

	tl_forest_tree_node(f, t, i, &nd);
	cr_assert_eq(nd.leaf, left == 0, "node %zu: leaf %d", i, nd.leaf);
	if (nd.leaf) {
		cr_assert_float_eq(nd.value[0], right, 1e-12, "node %zu: %g",
		    i, nd.value[0]);
		return;
	}
	cr_assert_eq(nd.feat, feat, "node %zu: feature %zu", i, nd.feat);
	cr_assert_eq(nd.bin, bin, "node %zu: bin %u", i, nd.bin);
	cr_assert_eq(nd.left, left, "node %zu: left %zu", i, nd.left);
	cr_assert_eq(nd.right, (size_t)right, "node %zu: right %zu", i,
	    nd.right);
}

/* The tree walk on a tree drawn by hand: x = 1..4 by z = a, b (8 rows,
 * no bootstrap, every feature tried), y = 10 [x > 2] + [z = b] * [x > 2].
 * The root splits x at bin 1 (bounds 1.5, 2.5, 3.5: x <= 2.5 left, a
 * variance decrease of 100 against z's 0.5); the left child (y = 0) is a
 * leaf; the right splits z at bin 0 (rank 0 = "a", mean 5 < 5.5).  Depth
 * first, left before right: node 0 root, 1 leaf 0, 2 split on z, 3 leaf
 * 10, 4 leaf 11. */
Test(tl_forest, tree_walk_by_hand)
{
	struct tl_forest_params p = TL_FOREST_PARAMS_DEFAULT;
	struct tl_fdata *d = tl_fdata_alloc();
	struct tl_forest *f;
	const double *bound;
	size_t nb, fx, fz;
	char row[128];
	int x, z;

	for (x = 1; x <= 4; x++)
		for (z = 0; z < 2; z++) {
			snprintf(row, sizeof(row), "{\"x\":%d,\"z\":\"%s\","
			    "\"y\":%d}", x, z ? "b" : "a",
			    10 * (x > 2) + (z && x > 2));
			add(d, row);
		}
	one_tree(&p);
	p.mtry = 2;
	f = train(d, "y", &p);
	cr_assert_eq(tl_forest_ntrees(f), 1);
	cr_assert_eq(tl_forest_nfeatures(f), 2);
	fx = strcmp(tl_forest_feature(f, 0), "x") == 0 ? 0 : 1;
	fz = 1 - fx;
	cr_assert_str_eq(tl_forest_feature(f, fz), "z");
	bound = tl_forest_bounds(f, fx, &nb);
	cr_assert_eq(nb, 3);
	cr_assert_float_eq(bound[0], 1.5, 1e-15);
	cr_assert_float_eq(bound[1], 2.5, 1e-15);
	cr_assert_float_eq(bound[2], 3.5, 1e-15);
	cr_assert_eq(tl_forest_ncategories(f, fx), 0);
	cr_assert_eq(tl_forest_ncategories(f, fz), 2);
	cr_assert_str_eq(tl_forest_category(f, fz, 0), "a");
	cr_assert_str_eq(tl_forest_category(f, fz, 1), "b");
	bound = tl_forest_bounds(f, fz, &nb);
	cr_assert_eq(nb, 1);
	cr_assert_float_eq(bound[0], 0.5, 1e-15);
	cr_assert_eq(tl_forest_tree_nodes(f, 0), 5);
	node_is(f, 0, 0, fx, 1, 1, 2);
	node_is(f, 0, 1, 0, 0, 0, 0);
	node_is(f, 0, 2, fz, 0, 3, 4);
	node_is(f, 0, 3, 0, 0, 0, 10);
	node_is(f, 0, 4, 0, 0, 0, 11);
	tl_forest_free(f);
	tl_fdata_free(d);
}

/* Friedman #1 with noise 1: the forest's error on fresh points against
 * the true function must be small (R^2 of the truth > 0.8 with 2000 rows)
 * and its OOB R^2 close to a test R^2. */
Test(tl_forest, friedman_learns)
{
	struct tl_forest_params p = TL_FOREST_PARAMS_DEFAULT;
	struct tl_fdata *d = tl_fdata_alloc();
	struct tl_forest *f;
	unsigned long long st = 7;
	char row[512];
	double x[10], y, fx, se = 0, sst = 0, ym = 14.4, pred, r2;
	json_t *s;
	int i, j, n;

	for (i = 0; i < 2000; i++) {
		n = 0;
		for (j = 0; j < 10; j++)
			x[j] = unif(&st);
		y = 10 * sin(M_PI * x[0] * x[1]) + 20 * (x[2] - 0.5) *
		    (x[2] - 0.5) + 10 * x[3] + 5 * x[4] + (unif(&st) - 0.5) *
		    3.4641;	/* uniform noise of sd 1 */
		n += snprintf(row + n, sizeof(row) - (size_t)n, "{");
		for (j = 0; j < 10; j++)
			n += snprintf(row + n, sizeof(row) - (size_t)n,
			    "\"x%d\":%.17g,", j, x[j]);
		snprintf(row + n, sizeof(row) - (size_t)n, "\"y\":%.17g}", y);
		add(d, row);
	}
	p.trees = 100;
	p.mtry = 4;
	p.threads = 2;
	p.permutation = 0;
	f = train(d, "y", &p);
	for (i = 0; i < 500; i++) {
		n = 0;
		for (j = 0; j < 10; j++)
			x[j] = unif(&st);
		fx = 10 * sin(M_PI * x[0] * x[1]) + 20 * (x[2] - 0.5) *
		    (x[2] - 0.5) + 10 * x[3] + 5 * x[4];
		n += snprintf(row + n, sizeof(row) - (size_t)n, "{");
		for (j = 0; j < 10; j++)
			n += snprintf(row + n, sizeof(row) - (size_t)n,
			    "%s\"x%d\":%.17g", j ? "," : "", j, x[j]);
		snprintf(row + n, sizeof(row) - (size_t)n, "}");
		pred = predict(f, row, NULL, NULL);
		se += (pred - fx) * (pred - fx);
		sst += (fx - ym) * (fx - ym);
	}
	r2 = 1 - se / sst;
	cr_assert_gt(r2, 0.8, "R^2 against the truth %g", r2);
	s = tl_forest_summary(f);
	r2 = json_number_value(json_object_get(json_object_get(s, "oob"),
	    "r2"));
	/* the noisy target's best R^2 is var(f) / (var(f) + 1) ~ 0.96 */
	cr_assert(r2 > 0.75 && r2 < 0.96, "OOB R^2 %g", r2);
	json_decref(s);
	tl_forest_free(f);
	tl_fdata_free(d);
}

/* x missing in the rows with y = 10: training learns to send missing
 * values to that side, and prediction does the same for an absent x. */
Test(tl_forest, missing_values_follow_training)
{
	struct tl_forest_params p = TL_FOREST_PARAMS_DEFAULT;
	struct tl_fdata *d = tl_fdata_alloc();
	struct tl_forest *f;
	char row[128];
	int i;

	for (i = 0; i < 300; i++) {
		if (i % 3 == 0)
			snprintf(row, sizeof(row), "{\"x\":null,\"y\":10}");
		else
			snprintf(row, sizeof(row), "{\"x\":%d,\"y\":%d}", i,
			    i % 3 == 1 ? 0 : 1);
		add(d, row);
	}
	p.trees = 20;
	p.permutation = 0;
	f = train(d, "y", &p);
	cr_assert_float_eq(predict(f, "{}", NULL, NULL), 10, 0.5);
	cr_assert_float_eq(predict(f, "{\"x\":null}", NULL, NULL), 10, 0.5);
	cr_assert_lt(predict(f, "{\"x\":150}", NULL, NULL), 2);
	tl_forest_free(f);
	tl_fdata_free(d);
}

/* A category drives y; nested objects are dotted columns; an unknown
 * category predicts like a missing value, not like any known one. */
Test(tl_forest, categories_and_nesting)
{
	struct tl_forest_params p = TL_FOREST_PARAMS_DEFAULT;
	struct tl_fdata *d = tl_fdata_alloc();
	struct tl_forest *f;
	static const char *u[] = { "tech", "energy", "retail", "bank" };
	static const double eff[] = { 3.5, -1.25, 0.5, 2.0 };
	char row[128];
	int i;

	for (i = 0; i < 400; i++) {
		snprintf(row, sizeof(row), "{\"g\":{\"u\":\"%s\",\"on\":%s},"
		    "\"y\":%g}", u[i % 4], i / 4 % 2 ? "true" : "false",
		    eff[i % 4] + (i % 7) * 0.01);
		add(d, row);
	}
	p.trees = 30;
	p.mtry = 2;
	p.permutation = 0;
	f = train(d, "y", &p);
	cr_assert_eq(tl_forest_nfeatures(f), 2);
	cr_assert_str_eq(tl_forest_feature(f, 0), "g.u");
	cr_assert_str_eq(tl_forest_feature(f, 1), "g.on");
	for (i = 0; i < 4; i++) {
		snprintf(row, sizeof(row), "{\"g\":{\"u\":\"%s\"}}", u[i]);
		cr_assert_float_eq(predict(f, row, NULL, NULL), eff[i], 0.1,
		    "%s", u[i]);
	}
	/* an unknown category: the same prediction as none, counted apart */
	cr_assert_eq(predict(f, "{\"g\":{\"u\":\"finance\",\"on\":true}}",
	    NULL, NULL), predict(f, "{\"g\":{\"on\":true}}", NULL, NULL));
	gaps_are(f, "{\"g\":{\"u\":\"finance\",\"on\":true}}", 0, 1, 0);
	gaps_are(f, "{\"g\":{\"on\":true}}", 1, 0, 0);
	gaps_are(f, "{\"g\":{\"u\":\"finance\"}}", 1, 1, 1);
	gaps_are(f, "{\"g\":{\"u\":\"bank\",\"on\":false}}", 0, 0, 0);
	gaps_are(f, "{\"g\":{\"u\":null}}", 2, 0, 0);
	tl_forest_free(f);
	tl_fdata_free(d);
}

/* Classification of a string target: probabilities sum to 1, the class
 * follows the feature, OOB accuracy is reported. */
Test(tl_forest, classification)
{
	struct tl_forest_params p = TL_FOREST_PARAMS_DEFAULT;
	struct tl_fdata *d = tl_fdata_alloc();
	struct tl_forest *f;
	double prob[3], c;
	json_t *s;
	char row[128];
	int i;

	for (i = 0; i < 300; i++) {
		snprintf(row, sizeof(row), "{\"x\":%d,\"z\":%d,\"c\":\"%s\"}",
		    i % 30, i % 7, i % 30 < 10 ? "buy" : i % 30 < 20 ?
		    "hold" : "sell");
		add(d, row);
	}
	p.trees = 25;
	p.mtry = 2;
	f = train(d, "c", &p);
	cr_assert_eq(tl_forest_task(f), TL_FOREST_CLASSIFICATION);
	cr_assert_eq(tl_forest_nclasses(f), 3);
	cr_assert_str_eq(tl_forest_class_json(f, 0), "\"buy\"");
	c = predict(f, "{\"x\":25,\"z\":3}", NULL, prob);
	cr_assert_eq(c, 2);
	cr_assert_float_eq(prob[0] + prob[1] + prob[2], 1, 1e-12);
	cr_assert_gt(prob[2], 0.9);
	s = tl_forest_summary(f);
	cr_assert_gt(json_number_value(json_object_get(json_object_get(s,
	    "oob"), "accuracy")), 0.95);
	/* x decides, z is noise */
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(
	    json_object_get(json_object_get(s, "importance"), "permutation"),
	    0), "feature")), "x");
	json_decref(s);
	tl_forest_free(f);
	tl_fdata_free(d);
}

static char *
model_bytes(struct tl_forest *f, size_t *len)
{
	struct tl_err err = { 0 };
	char *buf = NULL;
	FILE *fp;

	fp = open_memstream(&buf, len);
	cr_assert_not_null(fp);
	cr_assert_eq(tl_forest_save(f, fp, "mem", &err), 0, "%s", err.msg);
	fclose(fp);
	return buf;
}

static struct tl_fdata *
noisy_table(void)
{
	struct tl_fdata *d = tl_fdata_alloc();
	unsigned long long st = 99;
	char row[256];
	double a, b;
	int i;

	for (i = 0; i < 1500; i++) {
		a = unif(&st);
		b = unif(&st);
		if (i % 11 == 0)
			snprintf(row, sizeof(row), "{\"a\":%.17g,\"k\":\"%c\","
			    "\"y\":%.17g}", a, 'p' + i % 5, a * a + unif(&st));
		else
			snprintf(row, sizeof(row), "{\"a\":%.17g,\"b\":%.17g,"
			    "\"k\":\"%c\",\"y\":%.17g}", a, b, 'p' + i % 5,
			    a * a + b + unif(&st));
		add(d, row);
	}
	return d;
}

/* The same seed gives the same bytes (model and summary) for 1 and 3
 * threads; another seed does not. */
Test(tl_forest, deterministic_across_threads)
{
	struct tl_forest_params p = TL_FOREST_PARAMS_DEFAULT;
	struct tl_fdata *d = noisy_table();
	struct tl_forest *f1, *f3, *f4;
	size_t n1, n3, n4;
	char *b1, *b3, *b4, *s1, *s3;
	json_t *j1, *j3;

	p.trees = 40;
	p.threads = 1;
	f1 = train(d, "y", &p);
	p.threads = 3;
	f3 = train(d, "y", &p);
	p.seed = 2;
	f4 = train(d, "y", &p);
	b1 = model_bytes(f1, &n1);
	b3 = model_bytes(f3, &n3);
	b4 = model_bytes(f4, &n4);
	cr_assert_eq(n1, n3);
	cr_assert(memcmp(b1, b3, n1) == 0, "models differ");
	cr_assert(n1 != n4 || memcmp(b1, b4, n1) != 0, "seed ignored");
	j1 = tl_forest_summary(f1);
	j3 = tl_forest_summary(f3);
	s1 = json_dumps(j1, JSON_COMPACT);
	s3 = json_dumps(j3, JSON_COMPACT);
	cr_assert_str_eq(s1, s3);
	free(s1);
	free(s3);
	json_decref(j1);
	json_decref(j3);
	free(b1);
	free(b3);
	free(b4);
	tl_forest_free(f1);
	tl_forest_free(f3);
	tl_forest_free(f4);
	tl_fdata_free(d);
}

/* Saved and loaded, a model predicts the same; a model of version 2 is
 * refused, naming both versions. */
/* A forest of the given number of trees on noisy_table() (f, d: to
 * free) and its model file's bytes (new, *n of them). */
static char *
noisy_model(size_t trees, struct tl_forest **f, struct tl_fdata **d,
    size_t *n)
{
	struct tl_forest_params p = TL_FOREST_PARAMS_DEFAULT;

	p.trees = trees;
	*d = noisy_table();
	*f = train(*d, "y", &p);
	return model_bytes(*f, n);
}

/* Write n bytes to path. */
static void
put(const char *path, const void *p, size_t n)
{
	FILE *fp = fopen(path, "wb");

	cr_assert_not_null(fp);
	cr_assert_eq(fwrite(p, 1, n, fp), n);
	fclose(fp);
}

/* The model's tree block: after the header line. */
static unsigned char *
tree_block(char *bytes, size_t n, size_t *len)
{
	char *nl = memchr(bytes, '\n', n);

	cr_assert_not_null(nl);
	*len = n - (size_t)(nl + 1 - bytes);
	return (unsigned char *)nl + 1;
}

/* The checksum "mix64x4" of n bytes at p, written here from its
 * definition in tl-train-forest(1), word by word. */
static unsigned long long
mix64x4(const unsigned char *p, size_t n)
{
	static const uint64_t k = 0x9e3779b97f4a7c15ULL;
	uint64_t h[4] = { 0x243f6a8885a308d3ULL, 0x13198a2e03707344ULL,
	    0xa4093822299f31d0ULL, 0x082efa98ec4e6c89ULL }, w, r = n;
	size_t i, b;

	for (i = 0; i < n / 8; i++) {
		for (w = 0, b = 0; b < 8; b++)	/* little-endian */
			w |= (uint64_t)p[8 * i + b] << (8 * b);
		h[i % 4] = (h[i % 4] ^ w) * k;
		h[i % 4] = h[i % 4] << 29 | h[i % 4] >> 35;
	}
	for (i = 0; i < 4; i++) {
		r = (r ^ h[i]) * k;
		r ^= r >> 29;
	}
	return r;
}

/* Write the checksum of the tree block into the header again, computed
 * here, as a file damaged on purpose would: then only the node checks
 * stand. */
static void
reseal(char *bytes, size_t n)
{
	size_t len;
	unsigned char *t = tree_block(bytes, n, &len);
	char *at = strstr(bytes, "\"checksum\":\"mix64x4:"), hex[17];

	cr_assert_not_null(at);
	snprintf(hex, sizeof(hex), "%016llx", mix64x4(t, len));
	memcpy(at + strlen("\"checksum\":\"mix64x4:"), hex, 16);
}

/* Loading path fails with 65 and msg. */
static void
load_fails(const char *path, const char *msg)
{
	struct tl_err err = { 0 };

	cr_assert_null(tl_forest_load(path, NULL, &err), "%s loaded", msg);
	cr_assert_eq(err.code, TL_EX_DATAERR, "%s: code %d", msg, err.code);
	cr_assert_str_eq(err.msg, msg);
}

Test(tl_forest, file_round_trip_and_version)
{
	struct tl_fdata *d;
	struct tl_forest *f, *g;
	struct tl_err err = { 0 };
	char path[512], *bytes, *v, msg[256], hex[20];
	unsigned char *tr, *node;
	uint32_t cnt[2];
	double sd1, sd2;
	size_t n, i, k, len;

	bytes = noisy_model(15, &f, &d, &n);
	snprintf(path, sizeof(path), "%s/m", dir);
	put(path, bytes, n);
	g = tl_forest_load(path, NULL, &err);
	cr_assert_not_null(g, "%s", err.msg);
	cr_assert_eq(predict(f, "{\"a\":0.3,\"b\":0.7,\"k\":\"q\"}", &sd1,
	    NULL), predict(g, "{\"a\":0.3,\"b\":0.7,\"k\":\"q\"}", &sd2,
	    NULL));
	cr_assert_eq(sd1, sd2);
	tl_forest_free(g);
	/* the header's tree_bytes and checksum, against zlib here */
	tr = tree_block(bytes, n, &len);
	snprintf(msg, sizeof(msg), "\"tree_bytes\":%zu,\"checksum\":"
	    "\"mix64x4:%016llx\"", len, mix64x4(tr, len));
	cr_assert_not_null(strstr(bytes, msg), "no %s", msg);
	v = strstr(bytes, "\"version\":2");
	cr_assert_not_null(v);
	v[10] = '3';
	put(path, bytes, n);
	load_fails(path, "format 'tl-forest-model' version 3 is newer than "
	    "this tl-test reads (1-2)");
	v[10] = '2';
	put(path, bytes, n - 9);
	snprintf(msg, sizeof(msg), "damaged model: %zu bytes of trees, the "
	    "header says %zu", len - 9, len);
	load_fails(path, msg);
	/* one bit of a leaf value flipped: the checksum tells */
	tr[len - 3] ^= 0x10;
	put(path, bytes, n);
	snprintf(hex, sizeof(hex), "%016llx", mix64x4(tr, len));
	tr[len - 3] ^= 0x10;
	snprintf(msg, sizeof(msg), "damaged model: the trees' checksum is "
	    "mix64x4:%s, the header says 'mix64x4:%016llx'", hex,
	    mix64x4(tr, len));
	load_fails(path, msg);
	/* nodes of the first tree that would send a row astray, behind a
	 * good checksum: the root to itself, to a feature not in the model,
	 * past the last node; a leaf past the last leaf value; the root's
	 * bin past its feature's bins (255, the missing bin) and unknown
	 * flags (0xfe) */
	memcpy(cnt, tr, sizeof(cnt));
	node = tr + sizeof(cnt);
	cr_assert_eq(node[7] & 1, 0, "the root splits");
	for (i = 1; i < cnt[0] && !(node[8 * i + 7] & 1); i++)
		;
	cr_assert_lt(i, cnt[0]);
	for (k = 0; k < 6; k++) {
		static const char *const want[] = { "children 0 and 1",
		    "feature 65535 of 3", NULL, NULL,
		    "split at bin 255 of feature", "unknown flags 0xfe" };
		unsigned char *at = k == 3 ? node + 8 * i : node;
		uint32_t child = k == 0 ? 0 : k == 2 ? cnt[0] - 1 : cnt[1];
		unsigned char keep[8];
		struct tl_err e2 = { 0 };
		char part[64];

		memcpy(keep, at, 8);
		if (k == 1)
			memset(at + 4, 0xff, 2);	/* feature 65535 */
		else if (k == 4)
			at[6] = 255;
		else if (k == 5)
			at[7] = 0xfe;
		else
			memcpy(at, &child, 4);
		if (k == 2)
			snprintf(part, sizeof(part), "children %u and %u",
			    cnt[0] - 1, cnt[0]);
		else if (k == 3)
			snprintf(part, sizeof(part), "leaf %u of %u", cnt[1],
			    cnt[1]);
		else
			snprintf(part, sizeof(part), "%s", want[k]);
		reseal(bytes, n);
		put(path, bytes, n);
		cr_assert_null(tl_forest_load(path, NULL, &e2), "case %zu", k);
		cr_assert_eq(e2.code, TL_EX_DATAERR);
		cr_assert_not_null(strstr(e2.msg, part), "case %zu: %s", k,
		    e2.msg);
		cr_assert_eq(strncmp(e2.msg, "damaged model: tree 0 node ", 27),
		    0, "case %zu: %s", k, e2.msg);
		memcpy(at, keep, 8);
	}
	reseal(bytes, n);
	free(bytes);
	tl_forest_free(f);
	tl_fdata_free(d);
}

/* A header that claims more trees than the file could hold is refused
 * before anything is allocated for them (it was "out of memory", exit 70,
 * or an abort under the sanitizers). */
Test(tl_forest, tree_count_checked_against_the_size)
{
	struct tl_fdata *d;
	struct tl_forest *f;
	char path[512], *bytes, *big, *v, msg[128];
	size_t n, len, pre;

	bytes = noisy_model(2, &f, &d, &n);
	tree_block(bytes, n, &len);
	/* the header's, not the options' */
	v = strstr(bytes, "\"trees\":2,\"tree_bytes\"");
	cr_assert_not_null(v);
	pre = (size_t)(v - bytes);
	big = malloc(n + 16);
	cr_assert_not_null(big);
	memcpy(big, bytes, pre);
	memcpy(big + pre, "\"trees\":999999999,", 18);
	memcpy(big + pre + 18, v + 10, n - pre - 10);
	snprintf(path, sizeof(path), "%s/m", dir);
	put(path, big, n + 8);
	snprintf(msg, sizeof(msg), "damaged model: 999999999 trees cannot fit "
	    "in %zu bytes", len);
	load_fails(path, msg);
	free(big);
	free(bytes);
	tl_forest_free(f);
	tl_fdata_free(d);
}

/* Random damage: single bytes of a model changed anywhere.  The header's
 * numbers may change and load (a bound or an OOB figure); nothing in the
 * tree block may, and every model that loads predicts without NaN.
 * Then the same in the tree block with the checksum resealed, as a file
 * made on purpose: what loads has finite leaves and sound nodes. */
#define MUTANTS		600

Test(tl_forest, random_damage)
{
	struct tl_fdata *d;
	struct tl_forest *f, *g;
	struct tl_err err;
	unsigned long long st = 0x2385;
	char path[512], *bytes, *copy;
	unsigned char *tr;
	size_t n, len, at, m, loaded[2] = { 0, 0 }, tree_loaded = 0;
	double sd;

	bytes = noisy_model(5, &f, &d, &n);
	copy = malloc(n);
	cr_assert_not_null(copy);
	snprintf(path, sizeof(path), "%s/m", dir);
	for (m = 0; m < 2 * MUTANTS; m++) {
		int sealed = m >= MUTANTS;

		memcpy(copy, bytes, n);
		tr = tree_block(copy, n, &len);
		at = sealed ? (size_t)(tr - (unsigned char *)copy) +
		    ut_xorshift(&st) % len : ut_xorshift(&st) % n;
		copy[at] = (char)(copy[at] ^ (1 + ut_xorshift(&st) % 255));
		if (sealed)
			reseal(copy, n);
		put(path, copy, n);
		tl_err_clear(&err);
		if ((g = tl_forest_load(path, NULL, &err)) == NULL) {
			cr_assert_eq(err.code, TL_EX_DATAERR, "mutant %zu: %s",
			    m, err.msg);
			continue;
		}
		loaded[sealed]++;
		tree_loaded += !sealed && at >= (size_t)(tr -
		    (unsigned char *)copy);
		cr_assert(!isnan(predict(g, "{\"a\":0.3,\"b\":0.7,\"k\":"
		    "\"q\"}", &sd, NULL)), "mutant %zu predicts NaN", m);
		cr_assert(!isnan(predict(g, "{\"k\":\"zz\"}", &sd, NULL)));
		tl_forest_free(g);
	}
	cr_assert_eq(tree_loaded, 0, "a damaged tree block passed the "
	    "checksum");
	cr_log_info("random damage: %zu of %d mutants loaded, %zu of %d "
	    "resealed tree-block mutants", loaded[0], MUTANTS, loaded[1],
	    MUTANTS);
	free(copy);
	free(bytes);
	tl_forest_free(f);
	tl_fdata_free(d);
}

/* The table refuses a column of mixed types and a key given twice. */
Test(tl_forest, table_errors)
{
	struct tl_fdata *d = tl_fdata_alloc();
	struct tl_err err = { 0 };
	const char *bad = "{\"x\":\"high\"}", *twice =
	    "{\"a.b\":1,\"a\":{\"b\":2}}";

	add(d, "{\"x\":1.5}");
	cr_assert_eq(tl_fdata_add(d, bad, strlen(bad), "in.jsonl", 2, &err),
	    -1);
	cr_assert_eq(err.code, TL_EX_DATAERR);
	cr_assert_str_eq(err.where, "in.jsonl:2");
	cr_assert_str_eq(err.msg, "field 'x': expected number, got string");
	cr_assert_eq(tl_fdata_add(d, twice, strlen(twice), "in.jsonl", 3,
	    &err), -1);
	cr_assert_str_eq(err.msg, "field 'a.b' given twice (a dotted key and "
	    "a nested object)");
	tl_fdata_free(d);
}
