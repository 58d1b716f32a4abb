/*
 * Recursive, sorted directory walk: byte order of names (strcmp, never
 * the locale's collation), dot files skipped, symbolic links followed.
 * The device and inode of every directory walked are kept in a map, so
 * that a link to one of them is not walked again: without it a directory
 * holding links to itself ("ln -s . a; ln -s . b") is walked 2^depth
 * times, until the path is too long.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tl_map.h"
#include "tl_util.h"
#include "tl_walk.h"

void
tl_walk_init(struct tl_walk *w)
{
	memset(w, 0, sizeof(*w));
}

void
tl_walk_release(struct tl_walk *w)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		free(w->paths[i]);
	free(w->paths);
	for (i = 0; i < w->ndirs; i++)
		free(w->dirpaths[i]);
	free(w->dirpaths);
	free(w->open);
	tl_map_free(w->dirs);
	tl_walk_init(w);
}

static void
push(struct tl_walk *w, const char *path)
{
	w->paths = tl_xreallocarray(w->paths, w->n + 1, sizeof(char *));
	w->paths[w->n++] = tl_xstrdup(path);
}

static int
cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The key of a directory in w->dirs: its device and inode. */
struct dir_key {
	dev_t	dev;		/* st_dev */
	ino_t	ino;		/* st_ino */
};

static int walk_dir(struct tl_walk *, const char *,
    void (*)(const char *, ...), struct tl_err *);

/* Walk the directory at path (st its stat) unless it was walked already:
 * then say why it is skipped. */
static int
enter(struct tl_walk *w, const char *path, const struct stat *st,
    void (*warn)(const char *, ...), struct tl_err *err)
{
	struct dir_key key;
	uintptr_t *slot;
	size_t i;
	int added, rc;

	memset(&key, 0, sizeof(key));	/* no padding bytes in the hash */
	key.dev = st->st_dev;
	key.ino = st->st_ino;
	if (w->dirs == NULL)
		w->dirs = tl_map_alloc();
	slot = tl_map_put(w->dirs, &key, sizeof(key), &added);
	if (!added) {
		i = *slot - 1;
		if (warn != NULL && w->open[i])
			warn("%s: symbolic link loop, skipped", path);
		else if (warn != NULL)
			warn("%s: directory already read as %s, skipped",
			    path, w->dirpaths[i]);
		return 0;
	}
	*slot = w->ndirs + 1;
	i = w->ndirs++;
	w->dirpaths = tl_xreallocarray(w->dirpaths, w->ndirs,
	    sizeof(char *));
	w->open = tl_xreallocarray(w->open, w->ndirs, 1);
	w->dirpaths[i] = tl_xstrdup(path);
	w->open[i] = 1;
	rc = walk_dir(w, path, warn, err);
	w->open[i] = 0;
	return rc;
}

/* One entry of a directory: walked, listed, or skipped with a warning.
 * An entry that exists but cannot be looked at is listed, so that opening
 * it gives the error. */
static int
entry(struct tl_walk *w, const char *p, void (*warn)(const char *, ...),
    struct tl_err *err)
{
	struct stat st, lst;
	int e;

	if (stat(p, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return enter(w, p, &st, warn, err);
		if (S_ISREG(st.st_mode))
			push(w, p);
		else if (warn != NULL)
			warn("%s: not a regular file, skipped", p);
		return 0;
	}
	e = errno;
	if (e == ELOOP) {
		if (warn != NULL)
			warn("%s: symbolic link loop, skipped", p);
	} else if (e == ENOENT && lstat(p, &lst) == 0 && S_ISLNK(lst.st_mode)) {
		if (warn != NULL)
			warn("%s: dangling symbolic link, skipped", p);
	} else if (e == ENOENT) {	/* gone since it was listed */
		if (warn != NULL)
			warn("%s: %s, skipped", p, strerror(e));
	} else
		push(w, p);
	return 0;
}

/* A freqtrade user directory (freqtrade create-userdir: backtest_results
 * and strategies side by side) holds, beside the bot's records, what is
 * not a log: candles, strategy code, freqtrade's own text log, notebooks,
 * plots, models and its config.  Those entries are skipped (one warning
 * names them), or every night would reject them. */
static const char *const ft_dirs[] = { "data", "freqaimodels", "hyperopts",
	"logs", "notebooks", "plot", "strategies" };

/* Is the directory of the n names a freqtrade user directory? */
static int
ft_userdir(char *const *names, size_t n)
{
	return tl_table_find(names, n, sizeof(*names), "backtest_results") >=
	    0 && tl_table_find(names, n, sizeof(*names), "strategies") >= 0;
}

/* Is name, in a freqtrade user directory, no log (see ft_dirs)? */
static int
ft_skip(const char *name)
{
	size_t k = strlen(name);

	if (tl_table_find(ft_dirs, TL_NELEM(ft_dirs), sizeof(*ft_dirs),
	    name) >= 0)
		return 1;
	return k >= 11 && strncmp(name, "config", 6) == 0 &&
	    strcmp(name + k - 5, ".json") == 0;
}

static int
walk_dir(struct tl_walk *w, const char *dir,
    void (*warn)(const char *, ...), struct tl_err *err)
{
	struct dirent *de;
	struct tl_buf skipped;
	char **names = NULL, *p;
	size_t n = 0, i, len = strlen(dir);
	DIR *d;
	int rc = 0, user;

	if ((d = opendir(dir)) == NULL)
		return tl_err_set(err, TL_EX_NOINPUT, dir, 0, "%s",
		    strerror(errno));
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		names = tl_xreallocarray(names, n + 1, sizeof(char *));
		names[n++] = tl_xstrdup(de->d_name);
	}
	closedir(d);
	if (n > 0)	/* names is NULL for an empty directory */
		qsort(names, n, sizeof(char *), cmp);
	tl_buf_init(&skipped);
	user = ft_userdir(names, n);
	for (i = 0; i < n; i++) {
		if (user && ft_skip(names[i])) {
			tl_buf_printf(&skipped, "%s%s", skipped.len > 0 ?
			    ", " : "", names[i]);
			continue;
		}
		p = tl_xmalloc(len + strlen(names[i]) + 2);
		sprintf(p, "%s%s%s", dir, dir[len - 1] == '/' ? "" : "/",
		    names[i]);
		if (rc == 0)
			rc = entry(w, p, warn, err);
		free(p);
	}
	if (skipped.len > 0 && warn != NULL)
		warn("%s: a freqtrade user directory: %s skipped (candles, "
		    "code, freqtrade's own log, config: not trade records)",
		    dir, skipped.data);
	tl_buf_release(&skipped);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

int
tl_walk_add(struct tl_walk *w, const char *path,
    void (*warn)(const char *fmt, ...), struct tl_err *err)
{
	struct stat st;

	if (strcmp(path, "-") == 0) {
		push(w, path);
		return 0;
	}
	if (stat(path, &st) != 0)
		return tl_err_set(err, TL_EX_NOINPUT, path, 0, "%s",
		    strerror(errno));
	if (S_ISDIR(st.st_mode))
		return enter(w, path, &st, warn, err);
	push(w, path);
	return 0;
}
