/*
 * Strategy renames.  Each "old,new" line is an entry; a map from old
 * names to entries gives each entry the entry of its new name, if that is
 * renamed too, and one pass along these links (each entry is left once:
 * linear in the entries) gives every entry the end of its chain, or finds
 * a cycle.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tl_alias.h"
#include "tl_jv.h"
#include "tl_map.h"
#include "tl_reader.h"
#include "tl_util.h"

#define SHOWN	64	/* bytes of a name or line quoted in a message */

enum { TODO, ON_PATH, DONE };	/* where an entry is in the resolution */

struct entry {
	char		*from;		/* old name */
	char		*to;		/* new name, as written */
	size_t		 tolen;		/* its length */
	unsigned long	 line;		/* where it was read */
	size_t		 next;		/* entry renaming to, or SIZE_MAX */
	size_t		 end;		/* entry whose to ends the chain */
	int		 state;		/* TODO, ON_PATH, DONE */
};

struct tl_alias {
	struct entry	*e;		/* in file order */
	size_t		 n, cap;	/* used, allocated */
	struct tl_map	*by_from;	/* old name -> index + 1 */
};

void
tl_alias_free(struct tl_alias *a)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < a->n; i++) {
		free(a->e[i].from);
		free(a->e[i].to);
	}
	free(a->e);
	tl_map_free(a->by_from);
	free(a);
}

static void
trim(const char **s, size_t *n)
{
	while (*n > 0 && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

static int
is_header(const char *s, size_t n)
{
	return n == 7 && memcmp(s, "old,new", 7) == 0;
}

/* Add the line s[0..n) (trimmed, not blank, not a comment).  Returns 0,
 * or -1 with err set. */
static int
add_line(struct tl_alias *a, const char *name, unsigned long line,
    const char *s, size_t n, struct tl_err *err)
{
	const char *comma = memchr(s, ',', n), *from = s, *to;
	size_t fromlen, tolen;
	uintptr_t *slot;
	struct entry *e;
	int added;

	if (comma == NULL || memchr(comma + 1, ',', n - (size_t)(comma - s) -
	    1) != NULL)
		return tl_err_set(err, TL_EX_DATAERR, name, line,
		    "expected 'old,new', got '%.*s'", (int)(n < SHOWN ? n :
		    SHOWN), s);
	fromlen = (size_t)(comma - s);
	to = comma + 1;
	tolen = n - fromlen - 1;
	trim(&from, &fromlen);
	trim(&to, &tolen);
	if (fromlen == 0 || tolen == 0)
		return tl_err_set(err, TL_EX_DATAERR, name, line,
		    "%s name is empty", fromlen == 0 ? "old" : "new");
	if (!tl_utf8_valid(s, n))
		return tl_err_set(err, TL_EX_DATAERR, name, line,
		    "invalid UTF-8 or a NUL byte");
	slot = tl_map_put(a->by_from, from, fromlen, &added);
	if (!added) {
		e = &a->e[*slot - 1];
		if (e->tolen == tolen && memcmp(e->to, to, tolen) == 0)
			return 0;	/* the same rename again */
		return tl_err_set(err, TL_EX_DATAERR, name, line,
		    "'%.*s' is renamed twice: to '%.*s' (line %lu) and to "
		    "'%.*s'", (int)(fromlen < SHOWN ? fromlen : SHOWN), from,
		    (int)(e->tolen < SHOWN ? e->tolen : SHOWN), e->to,
		    e->line, (int)(tolen < SHOWN ? tolen : SHOWN), to);
	}
	if (a->n == a->cap) {
		a->cap = a->cap ? 2 * a->cap : 16;
		a->e = tl_xreallocarray(a->e, a->cap, sizeof(*a->e));
	}
	*slot = a->n + 1;
	e = &a->e[a->n++];
	memset(e, 0, sizeof(*e));
	e->from = tl_xstrndup(from, fromlen);
	e->to = tl_xstrndup(to, tolen);
	e->tolen = tolen;
	e->line = line;
	return 0;
}

/* "a -> b -> a" for the cycle through entry i, in b. */
static void
describe_cycle(const struct tl_alias *a, size_t i, struct tl_buf *b)
{
	size_t j = i;

	tl_buf_printf(b, "%.*s", SHOWN, a->e[i].from);
	do {
		tl_buf_printf(b, " -> %.*s", SHOWN, a->e[j].to);
		j = a->e[j].next;
	} while (j != i && b->len < 512);
	if (j != i)
		tl_buf_adds(b, " -> ...");
}

/* Give every entry the end of its chain.  Returns 0, or -1 with err set
 * for a cycle, named at the line of the first of its entries reached. */
static int
resolve(struct tl_alias *a, const char *name, struct tl_err *err)
{
	struct tl_buf b;
	uintptr_t *slot;
	size_t i, j, k, end;

	for (i = 0; i < a->n; i++) {
		slot = tl_map_get(a->by_from, a->e[i].to, a->e[i].tolen);
		a->e[i].next = slot != NULL ? *slot - 1 : SIZE_MAX;
	}
	for (i = 0; i < a->n; i++) {
		/* walk forward to an entry that is done or ends a chain */
		for (j = i; a->e[j].state == TODO; j = a->e[j].next) {
			a->e[j].state = ON_PATH;
			if (a->e[j].next == SIZE_MAX) {
				a->e[j].end = j;
				a->e[j].state = DONE;
				break;
			}
		}
		if (a->e[j].state == ON_PATH) {
			tl_buf_init(&b);
			describe_cycle(a, j, &b);
			tl_err_set(err, TL_EX_DATAERR, name, a->e[j].line,
			    "rename cycle: %s", b.data);
			tl_buf_release(&b);
			return -1;
		}
		/* and back: every entry on the path ends where j does */
		end = a->e[j].end;
		for (k = i; a->e[k].state == ON_PATH; k = a->e[k].next) {
			a->e[k].end = end;
			a->e[k].state = DONE;
		}
	}
	return 0;
}

struct tl_alias *
tl_alias_load(const char *path, struct tl_err *err)
{
	struct tl_alias *a;
	struct tl_reader *rd;
	const char *s;
	size_t n;
	int rc, seen = 0;

	if ((rd = tl_reader_open(path, err)) == NULL)
		return NULL;
	a = tl_xcalloc(1, sizeof(*a));
	a->by_from = tl_map_alloc();
	while ((rc = tl_reader_getline(rd, &s, &n, err)) == 1) {
		trim(&s, &n);
		if (n == 0 || s[0] == '#')
			continue;
		if (!seen++ && is_header(s, n))
			continue;
		if (add_line(a, tl_reader_name(rd), tl_reader_lineno(rd), s,
		    n, err) == -1) {
			rc = -1;
			break;
		}
	}
	if (rc == 0)
		rc = resolve(a, tl_reader_name(rd), err);
	tl_reader_free(rd);
	if (rc == -1) {
		tl_alias_free(a);
		return NULL;
	}
	return a;
}

int
tl_alias_get(const struct tl_alias *a, const char *s, size_t n,
    const char **to, size_t *tolen)
{
	const struct entry *e;
	uintptr_t *slot;

	if ((slot = tl_map_get(a->by_from, s, n)) == NULL)
		return 0;
	e = &a->e[a->e[*slot - 1].end];
	*to = e->to;
	*tolen = e->tolen;
	return 1;
}

size_t
tl_alias_count(const struct tl_alias *a)
{
	return a->n;
}

const char *
tl_alias_nth(const struct tl_alias *a, size_t i, const char **to)
{
	*to = a->e[a->e[i].end].to;
	return a->e[i].from;
}
