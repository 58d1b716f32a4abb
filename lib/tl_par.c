/*
 * A pool of threads for a parallel loop (workers take the next task from
 * an atomic counter until none is left, so uneven tasks balance), and a
 * task run beside the caller on a thread of its own.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "tl_par.h"
#include "tl_util.h"

struct worker {
	struct tl_par_tasks *pool;	/* shared */
	int		 id;		/* 0..threads-1 */
};

void
tl_par_tasks_init(struct tl_par_tasks *t, size_t ntask,
    void (*fn)(void *, size_t, int), void *ctx)
{
	t->fn = fn;
	t->ctx = ctx;
	t->ntask = ntask;
	atomic_init(&t->next, 0);
}

void
tl_par_tasks_run(struct tl_par_tasks *t, int worker)
{
	size_t k;

	while ((k = atomic_fetch_add(&t->next, 1)) < t->ntask)
		t->fn(t->ctx, k, worker);
}

static void *
pool_loop(void *arg)
{
	struct worker *w = arg;

	tl_par_tasks_run(w->pool, w->id);
	return NULL;
}

void
tl_par_for(int threads, size_t ntask, void (*fn)(void *, size_t, int),
    void *ctx)
{
	struct tl_par_tasks pool;

	tl_par_tasks_init(&pool, ntask, fn, ctx);
	tl_par_tasks_for(threads, &pool);
}

void
tl_par_tasks_for(int threads, struct tl_par_tasks *pool)
{
	struct worker *w;
	pthread_t *tid;
	int i, started = 0;

	if (threads < 1)
		threads = 1;
	if ((size_t)threads > pool->ntask)
		threads = pool->ntask > 0 ? (int)pool->ntask : 1;
	w = tl_xcalloc((size_t)threads, sizeof(*w));
	tid = tl_xcalloc((size_t)threads, sizeof(*tid));
	for (i = 0; i < threads; i++) {
		w[i].pool = pool;
		w[i].id = i;
	}
	for (i = 1; i < threads; i++, started++)
		if (pthread_create(&tid[i], NULL, pool_loop, &w[i]) != 0)
			break;	/* fewer threads: the same results */
	pool_loop(&w[0]);
	for (i = 1; i <= started; i++)
		pthread_join(tid[i], NULL);
	free(tid);
	free(w);
}

struct bgtask {
	void		(*fn)(void *);
	void		*ctx;
};

static void *
bg_run(void *arg)
{
	struct bgtask *t = arg;

	t->fn(t->ctx);
	free(t);
	return NULL;
}

void
tl_bg_start(struct tl_bg *bg, void (*fn)(void *), void *ctx, int async)
{
	struct bgtask *t;

	bg->started = 0;
	if (async) {
		t = tl_xmalloc(sizeof(*t));
		t->fn = fn;
		t->ctx = ctx;
		if (pthread_create(&bg->tid, NULL, bg_run, t) == 0) {
			bg->started = 1;
			return;
		}
		free(t);
	}
	fn(ctx);
}

void
tl_bg_wait(struct tl_bg *bg)
{
	if (bg->started)
		pthread_join(bg->tid, NULL);
	bg->started = 0;
}
