/*
 * Recursive, sorted directory walk: byte order of names (strcmp, never
 * the locale's collation), dot files skipped, symlinks followed for files
 * given by name only.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tl_util.h"
#include "tl_walk.h"

void
tl_walk_init(struct tl_walk *w)
{
	w->paths = NULL;
	w->n = 0;
}

void
tl_walk_release(struct tl_walk *w)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		free(w->paths[i]);
	free(w->paths);
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

static int
walk_dir(struct tl_walk *w, const char *dir, struct tl_err *err)
{
	struct dirent *de;
	struct stat st;
	char **names = NULL, *p;
	size_t n = 0, i;
	DIR *d;
	int rc = 0;

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
	for (i = 0; i < n; i++) {
		p = tl_xmalloc(strlen(dir) + strlen(names[i]) + 2);
		sprintf(p, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" :
		    "/", names[i]);
		if (rc == 0 && stat(p, &st) == 0 && S_ISDIR(st.st_mode))
			rc = walk_dir(w, p, err);
		else if (rc == 0 && (stat(p, &st) != 0 ||
		    S_ISREG(st.st_mode)))
			push(w, p);
		free(p);
		free(names[i]);
	}
	free(names);
	return rc;
}

int
tl_walk_add(struct tl_walk *w, const char *path, struct tl_err *err)
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
		return walk_dir(w, path, err);
	push(w, path);
	return 0;
}
