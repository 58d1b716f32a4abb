/*
 * A pull parser over the bytes of a JSON document.  Outside the records
 * it keeps one frame per container on the way down the path (so the
 * stack is as deep as the path, not as the document) and checks every
 * byte; values off the path are skipped with a bit per nesting level.  A
 * record is copied by runs of bytes while a bit stack pairs its brackets
 * and a flag follows its strings: the only per-byte work is a switch on
 * the few bytes that matter, and tl_jdoc_parse checks the record later.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tl_jstream.h"
#include "tl_jv.h"
#include "tl_reader.h"
#include "tl_util.h"

/* A member name or number outside the records is held to be checked;
 * these bound what a broken document can make us hold. */
#define MAX_KEY		((size_t)1 << 16)	/* bytes of a member name */
#define MAX_TOKEN	((size_t)1 << 10)	/* bytes of a number literal */

#define NBITS	(TL_JV_MAX_DEPTH / 8 + 1)	/* a bit per nesting level */

/* What comes next inside a container. */
enum st {
	S_VALUE,		/* an element or member value */
	S_VALUE_OR_END,		/* just after '[' */
	S_KEY,			/* a member name, after ',' */
	S_KEY_OR_END,		/* just after '{' */
	S_COLON,		/* after a member name */
	S_COMMA_OR_END		/* after a value */
};

struct frame {
	char		 type;		/* '{' or '[' */
	enum st		 state;		/* what comes next in it */
	size_t		 level;		/* path names matched to get here */
	int		 records;	/* its elements are the records */
	size_t		 index;		/* number of the current element */
	struct tl_buf	 key;		/* the current member's name, or the
					 * element number in decimal */
};

/* Where a depth-1 member of a record being split stands. */
enum d1 { D1_VALUE, D1_KEY, D1_IN_KEY, D1_AFTER_KEY, D1_MATCHED, D1_AWAIT };

/* A value being copied: brackets open, string state, and for a record
 * that may be split, its depth-1 member names. */
struct cap {
	struct tl_buf	*b;		/* the copy: its first max bytes */
	uint64_t	 total;		/* bytes of the value so far */
	size_t		 depth;		/* brackets open */
	unsigned char	 arr[NBITS];	/* 1: the bracket at that depth is '[' */
	int		 in_str;	/* inside a string */
	int		 esc;		/* after a backslash in a string */
	int		 split;		/* look for the split member */
	enum d1		 d1;		/* depth-1 member state */
	size_t		 keylen;	/* bytes of the depth-1 name so far */
	int		 keyok;		/* they are the split name so far */
	size_t		 mark;		/* copy length before the member */
	uint64_t	 marktotal;	/* total then */
	int		 markempty;	/* no member held before the mark */
	int		 empty;		/* no member held yet */
	int		 splits;	/* split members met */
};

struct tl_jstream {
	struct tl_reader *rd;		/* the bytes */
	char		*name;		/* for messages */
	const char	*p, *e;		/* the unread part of the chunk */
	int		 eof;		/* no more chunks */
	int		 failed;	/* broken document or read error */
	int		 started;	/* the first byte was looked at */
	int		 done;		/* the top-level value was read */
	uint64_t	 off;		/* offset of *p */
	unsigned long	 line;		/* line of *p */
	char		**path;		/* path names */
	size_t		 npath;		/* their number */
	char		*splitname;	/* split member name, or NULL */
	size_t		 splitlen;	/* its length */
	size_t		 max;		/* longest record held */
	const char	*max_what;	/* the limit's name in messages */
	struct frame	*f;		/* frames on the path */
	size_t		 nf;		/* frames in use */
	struct tl_buf	 rec;		/* the record or rest being copied */
	struct tl_buf	 part;		/* a part */
	struct cap	 pc;		/* the record being split */
	int		 in_split;	/* reading the split member's array */
	enum st		 split_state;	/* what comes next in it */
	size_t		 part_index;	/* number of the current part */
	enum tl_jrec	 kind;		/* of the last record */
	const char	*raw;		/* its text */
	size_t		 rawlen;	/* its length held */
	uint64_t	 rawfull;	/* its whole length */
	uint64_t	 rec_off;	/* offset of the record (or part) */
	unsigned long	 rec_line;	/* its line */
	uint64_t	 parent_off;	/* of the record being split */
	unsigned long	 parent_line;
	int		 root_record;	/* the record is the top-level value */
	size_t		 count;		/* records returned */
	struct tl_buf	 tok;		/* a name or number outside records */
	struct tl_jdoc	 kdoc;		/* a name, parsed */
	struct tl_buf	 ptr;		/* tl_jstream_pointer()'s text */
};

int
tl_jstream_path_check(const char *path, struct tl_err *err)
{
	const char *p, *dot;

	if (path == NULL || *path == '\0')
		return 0;
	for (p = path;; p = dot + 1) {
		dot = strchr(p, '.');
		if (dot == p || *p == '\0')
			return tl_err_set(err, TL_EX_USAGE, NULL, 0,
			    "empty name in '%s' (names are separated by "
			    "single dots)", path);
		if (dot == NULL)
			return 0;
	}
}

struct tl_jstream *
tl_jstream_alloc(struct tl_reader *rd, const char *path, const char *split)
{
	struct tl_jstream *s;
	const char *p, *dot;
	size_t i;

	s = tl_xcalloc(1, sizeof(*s));
	s->rd = rd;
	s->name = tl_xstrdup(tl_reader_name(rd));
	s->line = 1;
	s->max = SIZE_MAX;
	if (path != NULL && *path != '\0') {
		for (p = path, s->npath = 1; (p = strchr(p, '.')) != NULL; p++)
			s->npath++;
		s->path = tl_xcalloc(s->npath, sizeof(*s->path));
		for (p = path, i = 0; i < s->npath; i++, p = dot + 1) {
			dot = strchr(p, '.');
			s->path[i] = dot != NULL ? tl_xstrndup(p,
			    (size_t)(dot - p)) : tl_xstrdup(p);
		}
	}
	if (split != NULL) {
		s->splitname = tl_xstrdup(split);
		s->splitlen = strlen(split);
	}
	s->f = tl_xcalloc(s->npath + 2, sizeof(*s->f));
	tl_buf_init(&s->rec);
	tl_buf_init(&s->part);
	tl_buf_init(&s->tok);
	tl_buf_init(&s->ptr);
	tl_jdoc_init(&s->kdoc);
	return s;
}

void
tl_jstream_free(struct tl_jstream *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->npath + 2; i++)
		tl_buf_release(&s->f[i].key);
	free(s->f);
	for (i = 0; i < s->npath; i++)
		free(s->path[i]);
	free(s->path);
	free(s->splitname);
	tl_buf_release(&s->rec);
	tl_buf_release(&s->part);
	tl_buf_release(&s->tok);
	tl_buf_release(&s->ptr);
	tl_jdoc_release(&s->kdoc);
	tl_reader_free(s->rd);
	free(s->name);
	free(s);
}

void
tl_jstream_set_max(struct tl_jstream *s, size_t max, const char *what)
{
	s->max = max;
	s->max_what = what;
}

/* ---- bytes ------------------------------------------------------------ */

#define C_END	(-1)	/* the input ended */
#define C_ERR	(-2)	/* a read error, err set */

/* A byte at *s->p, reading a chunk if needed: 1, 0 at the end, -1 with
 * err set. */
static int
more(struct tl_jstream *s, struct tl_err *err)
{
	const char *q;
	size_t n;
	int rc;

	if (s->p < s->e)
		return 1;
	if (s->eof)
		return 0;
	if ((rc = tl_reader_read(s->rd, &q, &n, err)) == -1) {
		s->failed = 1;
		/* the reader counts no lines here: say ours */
		return tl_err_set(err, err->code, s->name, s->line, "%s",
		    err->msg);
	}
	if (rc == 0) {
		s->eof = 1;
		return 0;
	}
	s->p = q;
	s->e = q + n;
	if (!s->started) {
		s->started = 1;
		if (n >= 3 && memcmp(q, "\xef\xbb\xbf", 3) == 0) {
			s->p += 3;	/* a byte order mark: counted, skipped */
			s->off += 3;
		}
		return more(s, err);
	}
	return 1;
}

static int
peekc(struct tl_jstream *s, struct tl_err *err)
{
	int rc = more(s, err);

	return rc == 1 ? (unsigned char)*s->p : rc == 0 ? C_END : C_ERR;
}

static void
take(struct tl_jstream *s)
{
	if (*s->p == '\n')
		s->line++;
	s->p++;
	s->off++;
}

/* The next byte that is not a blank, not taken. */
static int
peek_nonblank(struct tl_jstream *s, struct tl_err *err)
{
	int c;

	while ((c = peekc(s, err)) == ' ' || c == '\t' || c == '\r' ||
	    c == '\n')
		take(s);
	return c;
}

/* c for a message: "'}'", "byte 0x01", "the end of the input". */
static const char *
show(int c, char *buf, size_t size)
{
	if (c == C_END)
		snprintf(buf, size, "the end of the input");
	else if (c >= 0x21 && c < 0x7f)
		snprintf(buf, size, "'%c'", c);
	else
		snprintf(buf, size, "byte 0x%02x", c);
	return buf;
}

/* The document is broken at the current offset: the input ends here. */
static int
broken(struct tl_jstream *s, struct tl_err *err, const char *fmt, ...)
{
	char msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s->failed = 1;
	return tl_err_set(err, TL_EX_DATAERR, s->name, s->line,
	    "invalid JSON document at offset %llu: %s",
	    (unsigned long long)s->off, msg);
}

/* A byte that is not what was expected (c may be C_ERR: err is set). */
static int
unexpected(struct tl_jstream *s, int c, const char *want,
    struct tl_err *err)
{
	char buf[32];

	if (c == C_ERR)
		return -1;
	return broken(s, err, "expected %s, got %s", want,
	    show(c, buf, sizeof(buf)));
}

/* ---- values outside the records --------------------------------------- */

/* A string at *s->p, taken and checked (escapes, no control bytes); with
 * keep, its text with the quotes in s->tok, at most MAX_KEY bytes. */
static int
skip_string(struct tl_jstream *s, int keep, struct tl_err *err)
{
	static const char escapes[] = "\"\\/bfnrtu";
	int c, hex = 0, esc = 0;

	tl_buf_reset(&s->tok);
	take(s);	/* the quote */
	if (keep)
		tl_buf_addc(&s->tok, '"');
	for (;;) {
		if ((c = peekc(s, err)) < 0)
			return c == C_ERR ? -1 : broken(s, err, "the input "
			    "ends inside a string");
		if (c < 0x20)
			return broken(s, err, "control byte 0x%02x in a "
			    "string", c);
		take(s);
		if (keep) {
			if (s->tok.len == MAX_KEY)
				return broken(s, err, "a member name longer "
				    "than %zu bytes", MAX_KEY);
			tl_buf_addc(&s->tok, (char)c);
		}
		if (hex > 0) {
			if (strchr("0123456789abcdefABCDEF", c) == NULL)
				return broken(s, err, "bad \\u escape");
			hex--;
		} else if (esc) {
			if (strchr(escapes, c) == NULL)
				return broken(s, err, "bad escape '\\%c'", c);
			hex = c == 'u' ? 4 : 0;
			esc = 0;
		} else if (c == '\\')
			esc = 1;
		else if (c == '"')
			return 0;
	}
}

/* A number or literal at *s->p, taken and checked. */
static int
skip_token(struct tl_jstream *s, struct tl_err *err)
{
	static const char *const lits[] = { "true", "false", "null" };
	double x;
	size_t i;
	int c;

	tl_buf_reset(&s->tok);
	while ((c = peekc(s, err)) >= 0 && strchr("0123456789+-.eE"
	    "abcdefghijklmnopqrstuvwxyz", c) != NULL && c != '\0') {
		if (s->tok.len == MAX_TOKEN)
			return broken(s, err, "a number longer than %zu bytes",
			    MAX_TOKEN);
		tl_buf_addc(&s->tok, (char)c);
		take(s);
	}
	if (c == C_ERR)
		return -1;
	if (s->tok.len == 0)
		return unexpected(s, c, "a value", err);
	for (i = 0; i < TL_NELEM(lits); i++)
		if (strcmp(s->tok.data, lits[i]) == 0)
			return 0;
	if ((s->tok.data[0] == '-' || (s->tok.data[0] >= '0' &&
	    s->tok.data[0] <= '9')) &&
	    tl_strtod_exact(s->tok.data, s->tok.len, &x) == 0)
		return 0;
	return broken(s, err, "'%.40s' is not a JSON value", s->tok.data);
}

static int
skip_scalar(struct tl_jstream *s, int c, struct tl_err *err)
{
	return c == '"' ? skip_string(s, 0, err) : skip_token(s, err);
}

static void
bit_set(unsigned char *bits, size_t d, int on)
{
	if (on)
		bits[d / 8] |= (unsigned char)(1u << (d % 8));
	else
		bits[d / 8] &= (unsigned char)~(1u << (d % 8));
}

static int
bit_get(const unsigned char *bits, size_t d)
{
	return bits[d / 8] >> (d % 8) & 1;
}

/* What step() found. */
enum { P_ERR = -1, P_NEXT, P_KEY, P_COMMA, P_VALUE, P_CLOSE };

/* The punctuation at c in a container of type t ('{' or '[') in state
 * *st: P_KEY after a member name (taken and checked; its text in s->tok
 * with keep), P_NEXT after ':', P_COMMA after ',', P_VALUE when a value
 * starts at c, P_CLOSE at the closing bracket (not taken), P_ERR with err
 * set. */
static int
step(struct tl_jstream *s, char t, enum st *st, int c, int keep,
    struct tl_err *err)
{
	switch (*st) {
	case S_VALUE_OR_END:
		if (c == ']')
			return P_CLOSE;
		/* FALLTHROUGH */
	case S_VALUE:
		if (c < 0 || c == ']' || c == '}' || c == ',' || c == ':')
			return unexpected(s, c, "a value", err);
		return P_VALUE;
	case S_KEY_OR_END:
		if (c == '}')
			return P_CLOSE;
		/* FALLTHROUGH */
	case S_KEY:
		if (c != '"')
			return unexpected(s, c, "a member name", err);
		if (skip_string(s, keep, err) == -1)
			return P_ERR;
		*st = S_COLON;
		return P_KEY;
	case S_COLON:
		if (c != ':')
			return unexpected(s, c, "':'", err);
		take(s);
		*st = S_VALUE;
		return P_NEXT;
	case S_COMMA_OR_END:
		if (c == ',') {
			take(s);
			*st = t == '[' ? S_VALUE : S_KEY;
			return P_COMMA;
		}
		if (c != (t == '[' ? ']' : '}'))
			return unexpected(s, c, t == '[' ? "',' or ']'" :
			    "',' or '}'", err);
		return P_CLOSE;
	}
	return broken(s, err, "internal state %d", (int)*st);
}

/* Skip the value at *s->p, checking it. */
static int
skip_value(struct tl_jstream *s, struct tl_err *err)
{
	unsigned char arr[NBITS];
	size_t depth = 0;
	enum st state = S_VALUE;
	char t = '[';
	int c;

	for (;;) {
		c = peek_nonblank(s, err);
		switch (step(s, t, &state, c, 0, err)) {
		case P_ERR:
			return -1;
		case P_CLOSE:
			take(s);
			if (--depth == 0)
				return 0;
			t = bit_get(arr, depth - 1) ? '[' : '{';
			state = S_COMMA_OR_END;
			continue;
		case P_VALUE:
			if (c == '{' || c == '[') {
				if (depth == TL_JV_MAX_DEPTH)
					return broken(s, err, "nesting deeper "
					    "than %d", TL_JV_MAX_DEPTH);
				bit_set(arr, depth++, c == '[');
				take(s);
				t = (char)c;
				state = c == '[' ? S_VALUE_OR_END :
				    S_KEY_OR_END;
				continue;
			}
			if (skip_scalar(s, c, err) == -1)
				return -1;
			if (depth == 0)
				return 0;
			state = S_COMMA_OR_END;
			continue;
		default:
			continue;
		}
	}
}

/* ---- records ---------------------------------------------------------- */

/* Add bytes p[0..n) of the value to its copy (its first max bytes). */
static void
cap_add(struct tl_jstream *s, struct cap *c, const char *p, size_t n)
{
	size_t room;

	c->total += n;
	if (c->b->len >= s->max)
		return;
	room = s->max - c->b->len;
	tl_buf_add(c->b, p, n < room ? n : room);
}

static void
cap_init(struct cap *c, struct tl_buf *b, int split)
{
	memset(c, 0, sizeof(*c));
	c->b = b;
	tl_buf_reset(b);
	c->split = split;
	c->empty = 1;
}

/* The bytes that matter to a value being copied that is not split,
 * outside its strings. */
static const unsigned char outside[256] = { ['"'] = 1, ['{'] = 1,
	['['] = 1, [']'] = 1, ['}'] = 1, ['\n'] = 1 };

/* What cap_run returns. */
enum { CAP_BROKEN = -1, CAP_DONE = 1, CAP_SPLIT = 2 };

/* Copy the value that starts at *s->p (or goes on there, after a split)
 * to its end: CAP_DONE, CAP_SPLIT when a record being split reaches its
 * split member's '[' (taken, the member cut from the copy), CAP_BROKEN
 * with err set. */
static int
cap_run(struct tl_jstream *s, struct cap *c, struct tl_err *err)
{
	const char *p, *run, *q, *bs;
	unsigned long lines;
	int rc, ch, scalar;

	/* a string or a number/literal as the whole value */
	scalar = c->depth == 0 && !c->in_str && c->total == 0 &&
	    *s->p != '{' && *s->p != '[';
	for (;;) {
		if ((rc = more(s, err)) != 1) {
			if (rc == -1)
				return CAP_BROKEN;
			if (scalar && !c->in_str)
				return CAP_DONE;	/* a number at the end */
			return broken(s, err, "the input ends inside the "
			    "record at offset %llu",
			    (unsigned long long)s->rec_off);
		}
		lines = 0;
		for (p = run = s->p; p < s->e; p++) {
			/* not split: straight to the next byte that matters
			 * (most bytes are inside strings or numbers); a
			 * string's end is found by memchr, its backslashes
			 * too (a raw newline in a string, not JSON anyway,
			 * is not counted as a line) */
			if (!c->split && !scalar && !c->esc) {
				if (c->in_str) {
					q = memchr(p, '"', (size_t)(s->e - p));
					bs = memchr(p, '\\', (size_t)((q !=
					    NULL ? q : s->e) - p));
					p = bs != NULL ? bs : q != NULL ? q :
					    s->e;
				} else
					while (p < s->e &&
					    !outside[(unsigned char)*p])
						p++;
				if (p == s->e)
					break;
			}
			ch = (unsigned char)*p;
			if (c->in_str) {
				if (c->esc)
					c->esc = 0;
				else if (ch == '\\') {
					c->esc = 1;
					c->keyok = 0;
				} else if (ch == '"') {
					c->in_str = 0;
					if (c->depth == 0) {
						p++;
						goto done;
					}
					if (c->d1 == D1_IN_KEY)
						c->d1 = c->keyok && c->keylen ==
						    s->splitlen ? D1_MATCHED :
						    D1_AFTER_KEY;
				} else if (c->d1 == D1_IN_KEY && c->depth == 1) {
					c->keyok = c->keyok &&
					    c->keylen < s->splitlen &&
					    s->splitname[c->keylen] == ch;
					c->keylen++;
				} else if (ch == '\n')
					lines++;
				continue;
			}
			if (scalar) {
				if (ch == '"' && p == s->p && c->total == 0) {
					c->in_str = 1;
					continue;
				}
				if (strchr(" \t\r\n,]}", ch) != NULL)
					goto done;
				continue;
			}
			switch (ch) {
			case '"':
				c->in_str = 1;
				if (c->depth == 1 && c->d1 == D1_KEY) {
					c->d1 = D1_IN_KEY;
					c->keylen = 0;
					c->keyok = 1;
					c->empty = 0;
				} else if (c->depth == 1 && c->d1 == D1_AWAIT)
					c->d1 = D1_VALUE;
				break;
			case '[':
				if (c->depth == 1 && c->d1 == D1_AWAIT) {
					/* the split member: cut it off */
					cap_add(s, c, run, (size_t)(p - run));
					if (c->b->len > c->mark)
						c->b->len = c->mark;
					c->b->data[c->b->len] = '\0';
					c->total = c->marktotal;
					c->empty = c->markempty;
					c->d1 = D1_VALUE;
					s->line += lines;
					s->off += (uint64_t)(p + 1 - s->p);
					s->p = p + 1;
					return CAP_SPLIT;
				}
				/* FALLTHROUGH */
			case '{':
				if (c->depth == TL_JV_MAX_DEPTH) {
					s->line += lines;
					s->off += (uint64_t)(p - s->p);
					s->p = p;
					return broken(s, err, "nesting deeper "
					    "than %d", TL_JV_MAX_DEPTH);
				}
				if (c->depth == 1 && c->d1 == D1_AWAIT)
					c->d1 = D1_VALUE;
				bit_set(c->arr, c->depth++, ch == '[');
				if (c->depth == 1 && c->split && ch == '{') {
					c->d1 = D1_KEY;
					c->mark = c->b->len +
					    (size_t)(p + 1 - run);
					c->marktotal = c->total +
					    (uint64_t)(p + 1 - run);
					c->markempty = 1;
				}
				break;
			case ']':
			case '}':
				if (c->depth == 0 || bit_get(c->arr,
				    c->depth - 1) != (ch == ']')) {
					s->line += lines;
					s->off += (uint64_t)(p - s->p);
					s->p = p;
					return broken(s, err, "'%c' does not "
					    "close the '%c' it meets", ch,
					    c->depth == 0 ? '?' :
					    bit_get(c->arr, c->depth - 1) ?
					    '[' : '{');
				}
				if (--c->depth == 0) {
					p++;
					goto done;
				}
				break;
			case ',':
				if (c->depth == 1 && c->split) {
					c->mark = c->b->len +
					    (size_t)(p - run);
					c->marktotal = c->total +
					    (uint64_t)(p - run);
					c->markempty = c->empty;
					c->d1 = D1_KEY;
				}
				break;
			case ':':
				if (c->depth == 1 && c->d1 == D1_MATCHED)
					c->d1 = D1_AWAIT;
				else if (c->depth == 1 && c->split)
					c->d1 = D1_VALUE;
				break;
			case '\n':
				lines++;
				break;
			case ' ':
			case '\t':
			case '\r':
				break;
			default:
				if (c->depth == 1 && c->d1 == D1_AWAIT)
					c->d1 = D1_VALUE;
				break;
			}
		}
		cap_add(s, c, run, (size_t)(p - run));
		s->line += lines;
		s->off += (uint64_t)(p - s->p);
		s->p = p;
		continue;
done:
		cap_add(s, c, run, (size_t)(p - run));
		s->line += lines;
		s->off += (uint64_t)(p - s->p);
		s->p = p;
		return CAP_DONE;
	}
}

/* A value copied whole: 1 with the text, or -1 for one over the limit
 * (err set, reading goes on after it). */
static int
finish(struct tl_jstream *s, struct cap *c, enum tl_jrec kind,
    uint64_t off, unsigned long line, const char **text, size_t *len,
    struct tl_err *err)
{
	s->kind = kind;
	s->rec_off = off;
	s->rec_line = line;
	s->raw = c->b->data;
	s->rawfull = c->total;
	if (c->total > s->max) {
		s->rawlen = c->b->len < TL_READER_HEAD ? c->b->len :
		    TL_READER_HEAD;
		if (s->max_what != NULL)
			return tl_err_set(err, TL_EX_DATAERR, s->name, line,
			    "record of %llu bytes exceeds %s %zu",
			    (unsigned long long)c->total, s->max_what,
			    s->max);
		return tl_err_set(err, TL_EX_DATAERR, s->name, line,
		    "record of %llu bytes exceeds the limit of %zu",
		    (unsigned long long)c->total, s->max);
	}
	s->rawlen = c->b->len;
	*text = c->b->data;
	*len = c->b->len;
	s->count++;
	return 1;
}

/* The current frame's next value, if any, is done with. */
static void
value_done(struct tl_jstream *s)
{
	if (s->nf > 0)
		s->f[s->nf - 1].state = S_COMMA_OR_END;
	else
		s->done = 1;
}

/* Copy a record at *s->p: 1 with it, -1 with err. */
static int
record(struct tl_jstream *s, const char **text, size_t *len,
    struct tl_err *err)
{
	uint64_t off = s->off;
	unsigned long line = s->line;
	int rc;

	s->rec_off = s->parent_off = off;
	s->rec_line = s->parent_line = line;
	s->kind = TL_JREC_RECORD;
	cap_init(&s->pc, &s->rec, s->splitname != NULL && *s->p == '{');
	if ((rc = cap_run(s, &s->pc, err)) == CAP_BROKEN)
		return -1;
	if (rc == CAP_SPLIT) {
		s->in_split = 1;
		s->split_state = S_VALUE_OR_END;
		s->part_index = 0;
		s->pc.splits = 1;
		return 2;	/* the caller reads the parts */
	}
	value_done(s);
	return finish(s, &s->pc, TL_JREC_RECORD, off, line, text, len, err);
}

/* The next part of the record being split, or the rest of it: 1, or -1
 * with err. */
static int
split_next(struct tl_jstream *s, const char **text, size_t *len,
    struct tl_err *err)
{
	struct cap pc;
	uint64_t off;
	unsigned long line;
	int c, rc;

	for (;;) {
		c = peek_nonblank(s, err);
		rc = step(s, '[', &s->split_state, c, 0, err);
		if (rc == P_ERR)
			return -1;
		if (rc == P_COMMA)
			s->part_index++;
		if (rc == P_VALUE) {
			off = s->off;
			line = s->line;
			cap_init(&pc, &s->part, 0);
			if (cap_run(s, &pc, err) == CAP_BROKEN)
				return -1;
			s->split_state = S_COMMA_OR_END;
			return finish(s, &pc, TL_JREC_PART, off, line, text,
			    len, err);
		}
		if (rc != P_CLOSE)
			continue;
		/* the end of the split member: the rest of the record */
		take(s);
		s->in_split = 0;
		if ((c = peek_nonblank(s, err)) == C_ERR)
			return -1;
		if (s->pc.empty && c == ',')
			take(s);	/* it was the first member */
		s->pc.d1 = D1_KEY;
		if ((rc = cap_run(s, &s->pc, err)) == CAP_BROKEN)
			return -1;
		if (rc == CAP_SPLIT)
			return broken(s, err, "a second member '%s' in the "
			    "record at offset %llu", s->splitname,
			    (unsigned long long)s->parent_off);
		value_done(s);
		return finish(s, &s->pc, TL_JREC_REST, s->parent_off,
		    s->parent_line, text, len, err);
	}
}

/* ---- the frames on the path -------------------------------------------- */

static struct frame *
push(struct tl_jstream *s, char type, size_t level, int records)
{
	struct frame *f = &s->f[s->nf++];

	f->type = type;
	f->state = type == '[' ? S_VALUE_OR_END : S_KEY_OR_END;
	f->level = level;
	f->records = records;
	f->index = 0;
	tl_buf_reset(&f->key);
	return f;
}

/* Does the value that comes next in the top frame (or at the top when
 * there is none) lie on the path?  *level gets the names it matches. */
static int
on_path(const struct tl_jstream *s, size_t *level)
{
	const struct frame *f;
	const char *name;

	if (s->nf == 0) {
		*level = 0;
		return 1;
	}
	f = &s->f[s->nf - 1];
	if (f->level >= s->npath)
		return 0;
	name = s->path[f->level];
	*level = f->level + 1;
	if (strcmp(name, "*") == 0)
		return 1;
	return f->type == '{' && f->key.len == strlen(name) &&
	    memcmp(f->key.data, name, f->key.len) == 0;
}

/* A value at *s->p (c its first byte): the records start, a frame is
 * pushed, or it is skipped.  Returns 1 with a record, 2 with a split
 * started, 0 to go on, -1 with err. */
static int
value(struct tl_jstream *s, int c, const char **text, size_t *len,
    struct tl_err *err)
{
	size_t level;

	if (c < 0 || c == ']' || c == '}' || c == ',' || c == ':')
		return unexpected(s, c, "a value", err);
	if (s->nf > 0 && s->f[s->nf - 1].records)
		return record(s, text, len, err);
	if (!on_path(s, &level)) {
		if (skip_value(s, err) == -1)
			return -1;
		value_done(s);
		return 0;
	}
	if (level == s->npath) {
		if (c != '[') {
			s->root_record = s->nf == 0;
			return record(s, text, len, err);
		}
		take(s);
		push(s, '[', level, 1);
		return 0;
	}
	if (c == '{' || c == '[') {
		take(s);
		push(s, (char)c, level, 0);
		return 0;
	}
	if (skip_scalar(s, c, err) == -1)
		return -1;
	value_done(s);
	return 0;
}

/* A member name in s->tok, decoded into the frame's key. */
static int
frame_key(struct tl_jstream *s, struct frame *f, struct tl_err *err)
{
	struct tl_err why;

	if (tl_jdoc_parse(&s->kdoc, s->tok.data, s->tok.len, s->name,
	    s->line, &why) == -1)
		return broken(s, err, "bad member name: %s", why.msg);
	tl_buf_reset(&f->key);
	tl_buf_add(&f->key, s->kdoc.v[0].s, s->kdoc.v[0].len);
	return 0;
}

int
tl_jstream_next(struct tl_jstream *s, const char **text, size_t *len,
    struct tl_err *err)
{
	struct frame *f;
	char num[32];
	int c, rc;

	*text = NULL;
	*len = 0;
	s->raw = NULL;
	s->rawlen = 0;
	s->rawfull = 0;
	if (s->failed)
		return 0;
	for (;;) {
		if (s->in_split)
			return split_next(s, text, len, err);
		c = peek_nonblank(s, err);
		if (c == C_ERR)
			return -1;
		if (s->nf == 0) {
			if (c == C_END)
				return 0;	/* nothing, or all done */
			if (s->done)
				return broken(s, err, "%s after the end of "
				    "the document", show(c, num, sizeof(num)));
			rc = value(s, c, text, len, err);
			goto got;
		}
		f = &s->f[s->nf - 1];
		switch (step(s, f->type, &f->state, c, 1, err)) {
		case P_ERR:
			return -1;
		case P_KEY:
			if (frame_key(s, f, err) == -1)
				return -1;
			continue;
		case P_COMMA:
			f->index++;
			continue;
		case P_CLOSE:
			take(s);
			s->nf--;
			value_done(s);
			continue;
		case P_VALUE:
			if (f->type == '[' && !f->records) {
				tl_buf_reset(&f->key);
				snprintf(num, sizeof(num), "%zu", f->index);
				tl_buf_adds(&f->key, num);
			}
			rc = value(s, c, text, len, err);
			break;
		default:
			continue;
		}
got:
		if (rc == 2)
			continue;	/* the parts come next */
		if (rc != 0)
			return rc;
	}
}

/* ---- what the caller asks ---------------------------------------------- */

enum tl_jrec
tl_jstream_kind(const struct tl_jstream *s)
{
	return s->kind;
}

/* Add name to a jq path: ".name" when it is an identifier, else
 * "[\"name\"]". */
static void
ptr_name(struct tl_buf *b, const char *name, size_t n)
{
	size_t i;
	int ident = n > 0 && !(name[0] >= '0' && name[0] <= '9');

	for (i = 0; i < n && ident; i++)
		ident = (name[i] >= 'a' && name[i] <= 'z') ||
		    (name[i] >= 'A' && name[i] <= 'Z') ||
		    (name[i] >= '0' && name[i] <= '9') || name[i] == '_';
	if (ident) {
		tl_buf_addc(b, '.');
		tl_buf_add(b, name, n);
		return;
	}
	if (b->len == 0)
		tl_buf_addc(b, '.');
	tl_buf_addc(b, '[');
	tl_jv_append_string(b, name, n);
	tl_buf_addc(b, ']');
}

/* Add an array index to a jq path. */
static void
ptr_index(struct tl_buf *b, size_t i)
{
	tl_buf_printf(b, "%s[%zu]", b->len == 0 ? "." : "", i);
}

const char *
tl_jstream_pointer(struct tl_jstream *s)
{
	const struct frame *f;
	size_t i;

	tl_buf_reset(&s->ptr);
	for (i = 0; i < s->nf; i++) {
		f = &s->f[i];
		if (f->type == '{')
			ptr_name(&s->ptr, f->key.data, f->key.len);
		else
			ptr_index(&s->ptr, f->index);
	}
	if (s->kind == TL_JREC_PART) {
		ptr_name(&s->ptr, s->splitname, s->splitlen);
		ptr_index(&s->ptr, s->part_index);
	}
	if (s->ptr.len == 0)
		tl_buf_addc(&s->ptr, '.');
	return s->ptr.data;
}

uint64_t
tl_jstream_offset(const struct tl_jstream *s)
{
	return s->rec_off;
}

unsigned long
tl_jstream_line(const struct tl_jstream *s)
{
	return s->rec_line;
}

size_t
tl_jstream_nstars(const struct tl_jstream *s)
{
	size_t i, n = 0;

	for (i = 0; i < s->nf; i++)
		n += s->f[i].level < s->npath &&
		    strcmp(s->path[s->f[i].level], "*") == 0;
	return n;
}

const char *
tl_jstream_star(const struct tl_jstream *s, size_t i, size_t *len)
{
	size_t k;

	for (k = 0; k < s->nf; k++)
		if (s->f[k].level < s->npath &&
		    strcmp(s->path[s->f[k].level], "*") == 0 && i-- == 0) {
			*len = s->f[k].key.len;
			return s->f[k].key.data != NULL ? s->f[k].key.data : "";
		}
	*len = 0;
	return NULL;
}

const char *
tl_jstream_raw(const struct tl_jstream *s, size_t *len)
{
	*len = s->rawlen;
	return s->raw != NULL ? s->raw : "";
}

size_t
tl_jstream_raw_length(const struct tl_jstream *s)
{
	return s->rawfull > s->rawlen ? (size_t)s->rawfull : s->rawlen;
}

size_t
tl_jstream_count(const struct tl_jstream *s)
{
	return s->count;
}

int
tl_jstream_failed(const struct tl_jstream *s)
{
	return s->failed;
}

const char *
tl_jstream_name(const struct tl_jstream *s)
{
	return s->name;
}
