/*
 * Search spaces for tl-bayesopt: a JSON object of named parameters
 * (float, int, either on a log scale, optionally on a step grid, and
 * categorical choices that are strings, booleans or numbers), and the
 * encoding of a parameter set into a point of the unit cube and back.
 *
 * A point has one coordinate per parameter, in the space's order:
 * numeric parameters are u in [0, 1] (the interval [low, high] widened
 * by half a step on each side for discrete ones, in log for log ones, as
 * Optuna's TPE does, so that every grid value owns a bin of u); a
 * discrete numeric coordinate is always the centre of its value's bin;
 * a categorical coordinate is the index of its choice (0, 1, ...).
 *
 * A param name with dots is a path into nested params objects: 'entry.z'
 * reads a flat key "entry.z" if the params have one, else the member z
 * of the object entry; decoding writes it nested.  So no param may be
 * named by a dotted prefix of another ('entry' beside 'entry.z').
 *
 * A space can also be inferred from the params that were tried (the
 * genomes of a run history): see tl_space_infer_alloc().
 */
#ifndef TL_SPACE_H
#define TL_SPACE_H

#include <stddef.h>

#include <gsl/gsl_rng.h>
#include <jansson.h>

#include "tl_err.h"
#include "tl_util.h"

#define TL_SPACE_MAX_LEVELS	((size_t)1 << 40)	/* discrete values */

enum tl_ptype {
	TL_P_FLOAT,		/* real in [low, high] */
	TL_P_INT,		/* integer in [low, high] */
	TL_P_CAT		/* one of choices */
};

enum tl_dkind {
	TL_D_CONT,		/* continuous u */
	TL_D_DISC,		/* numeric, nlev bins of u */
	TL_D_CAT		/* choice index */
};

struct tl_param {
	char		*name;		/* key in params objects */
	enum tl_ptype	 type;		/* as declared */
	enum tl_dkind	 kind;		/* how the point holds it */
	int		 log;		/* log scale */
	double		 low, high;	/* bounds (numeric) */
	double		 step;		/* grid step; 0 continuous */
	size_t		 nlev;		/* values (discrete) or choices */
	double		 a, b;		/* u = (t(x) - a) / (b - a), t log or id */
	json_t		**choices;	/* categorical values, owned */
};

struct tl_space {
	struct tl_param	*p;		/* parameters in file order */
	size_t		 n;		/* their number */
};

/* Load a space from the JSON file path (duplicate keys are an error).
 * Returns new space, or NULL with err: TL_EX_NOINPUT if path cannot be
 * opened, TL_EX_DATAERR for bad JSON or a bad declaration ("param 'x':
 * empty range: low 5 > high 3"). */
struct tl_space *tl_space_load(const char *path, struct tl_err *err);

/* The same from a parsed object; name is used in messages. */
struct tl_space *tl_space_from_json(const json_t *obj, const char *name,
	    struct tl_err *err);

void	tl_space_free(struct tl_space *s);	/* accepts NULL */

/* The member path of obj: the key path itself, else dotted steps into
 * nested objects ("metrics.roi").  Borrowed from obj, or NULL. */
json_t	*tl_space_get(const json_t *obj, const char *path);

/* Encode the parameter object params into x (s->n coordinates).  With
 * ignore_unknown, keys that are not parameters are ignored; otherwise
 * they are an error.  Returns 0, or -1 with why (size whylen) saying
 * what does not fit: "param 'lookback': 300 is outside [20, 250]",
 * "param 'foo' is not in the space", "param 'x': missing". */
int	tl_space_encode(const struct tl_space *s, const json_t *params,
	    int ignore_unknown, double *x, char *why, size_t whylen);

/* New parameter object for point x (coordinates clipped, discrete ones
 * snapped to their bin): ints as integers, floats as reals, choices as
 * declared, keys in the space's order, dotted names nested. */
json_t	*tl_space_decode(const struct tl_space *s, const double *x);

/* The params of point x as a reader of their JSON text gets them: x's
 * tl_space_decode() written by tl_json_append(), parsed back by
 * tl_json_parse() (the history reader's parser) and re-encoded into x.
 * Decoding rounds a continuous value to 15 significant digits and
 * encoding does not invert it exactly (0.421 comes back as u = 0.421
 * plus an ulp or so), so a process that writes x's params and goes on
 * with the x it drew holds another point than a reader of its output
 * does; after this call both hold the same one, bit for bit.  Returns
 * the params as parsed (new; the same text when written again), or NULL
 * with err (TL_EX_SOFTWARE: they do not read back, which is a bug), x
 * then unchanged. */
json_t	*tl_space_settle(const struct tl_space *s, double *x,
	    struct tl_err *err);

/* Snap x in place to what decoding gives: the centre of the bin of each
 * discrete coordinate, the nearest index of a categorical one, u clipped
 * to [0, 1].  Returns x. */
double	*tl_space_snap(const struct tl_space *s, double *x);

/* Bin j (0-based) of discrete parameter p: its edges in u. */
void	tl_param_bin(const struct tl_param *p, size_t j, double *lo,
	    double *hi);

/* The u of bin j's value (its centre in log for a log parameter), for
 * discrete parameter p: the coordinate tl_space_encode() gives it. */
double	tl_param_centre(const struct tl_param *p, size_t j);

/* The bin holding u for discrete parameter p. */
size_t	tl_param_level(const struct tl_param *p, double u);

/* Point x for the unit cube point q (each q in [0, 1)): the map that
 * quasi-random starts use; categorical and discrete parameters get
 * equal shares of q's interval per value. */
void	tl_space_from_unit(const struct tl_space *s, const double *q,
	    double *x);

/* A local move of point p into x (tl-bayesopt suggest --around): one
 * coordinate drawn from r always moves, each other one with probability
 * 2/n (n > 2 parameters; else every one).  A categorical coordinate
 * moves to another choice, uniformly; a numeric one by a Gaussian step
 * of sd radius in u, reflected at 0 and 1; a discrete one at least one
 * grid step, to the centre of its bin.  x is snapped (tl_space_snap);
 * p and x must not overlap. */
void	tl_space_local_move(const struct tl_space *s, gsl_rng *r,
	    const double *p, double radius, double *x);

/* Number of distinct points if every parameter is discrete or
 * categorical (saturating at SIZE_MAX), else 0. */
size_t	tl_space_size(const struct tl_space *s);

/* The canonical text of the parameter set of x, for detecting
 * duplicates: appended to b. */
void	tl_space_key(const struct tl_space *s, const double *x,
	    struct tl_buf *b);

/*
 * Inferring a space from the params tried.  Each trial's params object is
 * added in turn (nested objects walked to dotted names); the result is a
 * space object as tl_space_from_json() reads it, params in sorted order,
 * the same whatever the order of the trials.  The rules:
 *
 * - A param must have a value (not null) in every trial; one missing
 *   from some is left out, as is one that holds an array, or that would
 *   be a categorical of more than TL_SPACE_INFER_MAX_CHOICES values.
 * - Numbers make an int when every value tried is an integer (|x| <=
 *   2^53), else a float.  The range is [min, max] of the values, widened
 *   by TL_SPACE_INFER_WIDEN (a tenth) of its width on each side; for
 *   values all >= 0 the low side is widened by at most half the smallest
 *   value (so a positive param stays positive and one that was 0 is not
 *   made negative); the same mirrored for values all <= 0.  When every
 *   value is > 0 and max/min >= TL_SPACE_INFER_LOG_RATIO (100) the scale
 *   is log and the widening a tenth of the range in log: min / f and
 *   max * f with f = (max/min)^0.1.  Each bound is then rounded outward
 *   to a multiple of the largest power of ten that fits in its margin
 *   (at least 1 for an int, at least the step of a grid), never past
 *   zero when the values had one sign: for that a positive bound is
 *   rounded to a power of ten no larger than itself, and a grid bound
 *   that would reach zero becomes the grid's first positive value.
 * - A linear float whose values have at most TL_SPACE_INFER_MAX_DECIMALS
 *   (6) decimals is on the grid of step 10^-d, d the most decimals seen
 *   (0.01 for 2.31 and 0.5), unless a bound lies
 *   TL_SPACE_INFER_MAX_STEPS (10^9) steps or more from zero: a value
 *   read back would then be off the grid by more than the encoder's
 *   tolerance.
 * - One number tried: a constant, low = high = that value (its type
 *   kept, no step, no log).
 * - Strings, or booleans: a categorical of the distinct values, sorted
 *   (false before true, strings by their bytes).
 * - Values of more than one type (numbers, strings, booleans): a
 *   categorical of the distinct values as tried (numbers equal in value
 *   are one), booleans first, then numbers in increasing order, then
 *   strings; so every trial still fits.
 * - A dotted name that extends another param ('a.b' beside 'a') is left
 *   out.
 * Each param left out, made a categorical of mixed types, or kept
 * constant is reported to the warn callback.
 */
#define TL_SPACE_INFER_WIDEN		0.1	/* share of the range added */
#define TL_SPACE_INFER_LOG_RATIO	100	/* max/min for a log scale */
#define TL_SPACE_INFER_MAX_DECIMALS	6	/* most decimals of a grid */
#define TL_SPACE_INFER_MAX_CHOICES	1000	/* of a categorical */
#define TL_SPACE_INFER_MAX_STEPS	1e9	/* |bound| / step of a grid */

struct tl_space_infer;

struct tl_space_infer *tl_space_infer_alloc(void);	/* new */
void	tl_space_infer_free(struct tl_space_infer *in);	/* accepts NULL */

/* Add one trial's params object (borrowed: not kept).  Anything but an
 * object adds a trial with no params. */
void	tl_space_infer_add(struct tl_space_infer *in, const json_t *params);

/* Trials added so far. */
size_t	tl_space_infer_count(const struct tl_space_infer *in);

/* The space of the trials added.  Returns a new object, or NULL with err
 * TL_EX_DATAERR at name ("no param to search in 12 trials").  warn (may
 * be NULL) gets one line per param left out, made a categorical of mixed
 * types or kept constant: "param 'x': a number in 12 trials, a string
 * in 3: a categorical of its 9 values". */
json_t	*tl_space_infer_result(const struct tl_space_infer *in,
	    const char *name, void (*warn)(const char *fmt, ...),
	    struct tl_err *err);

/* Append space (an object of params, as tl_space_infer_result() makes
 * it) to b as text that tl_space_load() reads: one param a line, in the
 * layout of etc/space.json. */
void	tl_space_text(const json_t *space, struct tl_buf *b);

#endif
