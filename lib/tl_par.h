/*
 * A parallel loop over tasks 0..ntask-1.  Results must not depend on
 * which worker runs a task: callers give each task its own outputs and
 * each worker its own scratch (indexed by worker, 0..threads-1).
 */
#ifndef TL_PAR_H
#define TL_PAR_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

/* Run fn(ctx, task, worker) for every task on up to threads workers,
 * the caller being worker 0; returns when all are done.  If a thread
 * cannot be started, fewer workers do the same tasks. */
void	tl_par_for(int threads, size_t ntask,
	    void (*fn)(void *ctx, size_t task, int worker), void *ctx);

/* Tasks that other threads may join while a tl_par_tasks_for runs them
 * (a thread that would wait for them helps instead).  tl_par_tasks_init
 * sets them up; tl_par_tasks_run runs the tasks not taken yet on the
 * calling thread as worker, and returns when none is left to take (those
 * that others took may still run: wait for whoever runs the loop). */
struct tl_par_tasks {
	void		(*fn)(void *, size_t, int);	/* task, worker */
	void		*ctx;		/* its argument */
	size_t		 ntask;		/* tasks 0..ntask-1 */
	atomic_size_t	 next;		/* the next task to take */
};

void	tl_par_tasks_init(struct tl_par_tasks *t, size_t ntask,
	    void (*fn)(void *ctx, size_t task, int worker), void *ctx);
void	tl_par_tasks_run(struct tl_par_tasks *t, int worker);

/* tl_par_for of the tasks t, on workers 0..threads-1. */
void	tl_par_tasks_for(int threads, struct tl_par_tasks *t);

/* One task run beside the caller (reading the next rows while the last
 * are worked on): tl_bg_start runs fn(ctx) on a thread of its own, or
 * at once when async is 0 or no thread can be started; tl_bg_wait
 * returns when it is done.  Every start is met by one wait. */
struct tl_bg {
	pthread_t	 tid;
	int		 started;	/* on its own thread */
};

void	tl_bg_start(struct tl_bg *bg, void (*fn)(void *ctx), void *ctx,
	    int async);
void	tl_bg_wait(struct tl_bg *bg);

#endif
