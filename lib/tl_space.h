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
 */
#ifndef TL_SPACE_H
#define TL_SPACE_H

#include <stddef.h>

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

/* Encode the parameter object params into x (s->n coordinates).  With
 * ignore_unknown, keys that are not parameters are ignored; otherwise
 * they are an error.  Returns 0, or -1 with why (size whylen) saying
 * what does not fit: "param 'lookback': 300 is outside [20, 250]",
 * "param 'foo' is not in the space", "param 'x': missing". */
int	tl_space_encode(const struct tl_space *s, const json_t *params,
	    int ignore_unknown, double *x, char *why, size_t whylen);

/* New parameter object for point x (coordinates clipped, discrete ones
 * snapped to their bin): ints as integers, floats as reals, choices as
 * declared, keys in the space's order. */
json_t	*tl_space_decode(const struct tl_space *s, const double *x);

/* Snap x in place to what decoding gives: the centre of the bin of each
 * discrete coordinate, the nearest index of a categorical one, u clipped
 * to [0, 1].  Returns x. */
double	*tl_space_snap(const struct tl_space *s, double *x);

/* Bin j (0-based) of discrete parameter p: its edges in u. */
void	tl_param_bin(const struct tl_param *p, size_t j, double *lo,
	    double *hi);

/* The bin holding u for discrete parameter p. */
size_t	tl_param_level(const struct tl_param *p, double u);

/* Point x for the unit cube point q (each q in [0, 1)): the map that
 * quasi-random starts use; categorical and discrete parameters get
 * equal shares of q's interval per value. */
void	tl_space_from_unit(const struct tl_space *s, const double *q,
	    double *x);

/* Number of distinct points if every parameter is discrete or
 * categorical (saturating at SIZE_MAX), else 0. */
size_t	tl_space_size(const struct tl_space *s);

/* The canonical text of the parameter set of x, for detecting
 * duplicates: appended to b. */
void	tl_space_key(const struct tl_space *s, const double *x,
	    struct tl_buf *b);

#endif
