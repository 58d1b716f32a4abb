/*
 * tl-ingest's parts: what they share.  A record goes through two stages:
 * stage one (normalise.c, with its kind from kinds.c) checks it and
 * writes its canonical text, on any thread; stage two (stage_two.c), in
 * the order of the input, de-duplicates it, counts it and sends it to its
 * output (outputs.c), a join (join.c), the returns (returns.c) or the
 * runs of the dataset (dataset.c).  read.c reads the inputs, main.c holds
 * the options and the story, summary.c the counts.
 */
#ifndef INGEST_H
#define INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "tl_alias.h"
#include "tl_err.h"
#include "tl_jv.h"
#include "tl_kind.h"
#include "tl_map.h"
#include "tl_mapfile.h"
#include "tl_out.h"
#include "tl_progress.h"
#include "tl_records.h"
#include "tl_source.h"
#include "tl_u64map.h"
#include "tl_util.h"
#include "tl_walk.h"

#define MAX_MAPS	64	/* --map options */
#define MAX_MAPFILES	16	/* --map-file options */
#define MS_PER_DAY	86400000LL

/* The outputs, and their names (main.c: -e, the summary's kinds); a kind
 * names its output in kind_ops[]. */
enum emit { E_TRADES, E_DECISIONS, E_OUTCOMES, E_RUNS, E_PROMOTIONS,
	E_RETIREMENTS, E_RETURNS, E_DATASET, E_UNMATCHED, E_SIGNALS,
	E_SIGNAL_OUTCOMES, E_COUNTERFACTUALS, E_NEMIT };
extern const char *const emit_names[E_NEMIT];

struct opts {
	double		 capital;	/* divides net P&L into returns */
	int		 capital_set;	/* -c given: over starting balances */
	const char	*outdir;	/* -d: write every output there */
	enum emit	 emit;		/* what goes to -o/stdout */
	enum tl_fmt	 fmt;		/* format of -o/stdout */
	int		 ifmt;		/* -i: a TL_SRC_ format, or -1 */
	enum tl_src_from from;		/* --from */
	const char	*path;		/* --path */
	const char	*path_as;	/* --path-as */
	const char	*map_files[MAX_MAPFILES];	/* --map-file */
	size_t		 nmap_files;	/* their number */
	enum tl_kind	 kind;		/* forced record kind or TL_KIND_NONE */
	const char	*map_to[MAX_MAPS];	/* canonical names */
	const char	*map_from[MAX_MAPS];	/* raw names */
	size_t		 nmaps;		/* --map pairs */
	int		 fill;		/* zero-fill weekdays in returns */
	int64_t		 until;		/* -u: last ms kept, or INT64_MAX */
	const char	*output;	/* -o */
	enum tl_progress_opt progress;	/* --progress, --no-progress */
	int		 quiet;		/* -q */
	const char	*rejects;	/* --rejects */
	const char	*summary;	/* -S */
	int		 strict;	/* --strict */
	int		 verbose;	/* -v */
	const char	*aliases;	/* --aliases: old,new strategy names */
	enum tl_bt_trades bt_trades;	/* --backtest-trades */
	size_t		 max_record;	/* --max-record: bytes of a record */
	int		 threads;	/* -T: 0 all cores */
	int		 shard;		/* --shard: stage one into -d */
	int		 merge;		/* --merge: stage two of shards */
	size_t		 memory;	/* --memory: bytes stage two may hold */
	int		 memory_set;	/* given */
	const char	*temp_dir;	/* --temp-dir, or NULL: TMPDIR */
	char		**inputs;	/* paths, "-" is stdin */
	int		 ninputs;	/* number of paths */
};

struct counts {
	unsigned long	 read;		/* records seen (good or bad) */
	unsigned long	 accepted;	/* valid and new */
	unsigned long	 dups;		/* identical duplicates dropped */
	unsigned long	 conflicts;	/* same id, other content */
	unsigned long	 rejected;	/* set aside, with conflicts */
	unsigned long	 joined;	/* trades written */
	unsigned long	 unmatched;	/* decisions without outcome */
	unsigned long	 orphans;	/* outcomes without decision */
	unsigned long	 kinds[TL_KIND_N];	/* accepted by kind */
	unsigned long	 later;		/* after --until, left out */
	unsigned long	 later_kinds[TL_KIND_N];	/* of them, by kind */
	unsigned long	 renamed;	/* accepted with a strategy renamed */
	unsigned long	 unsignalled;	/* signal outcomes and counterfactuals
					 * whose signal was never read */
};

/* What was read of one format (and map): files, records as the source
 * has them, open trades or positions skipped, records a map left out. */
struct source_count {
	enum tl_src_fmt	 fmt;		/* the format */
	const char	*map;		/* the map's name (borrowed), or NULL */
	unsigned long	 files, records, open, left_out;
};

/* One capital that divides some strategies' net P&L into returns: a
 * log mixing freqtrade backtests (their starting balance) and our own
 * logs (--capital's default) has returns on two scales. */
struct scale {
	double		 capital;	/* the capital */
	int		 given;		/* a starting balance, not the default */
	size_t		 n;		/* strategies using it */
	const char	*first;		/* the first of them by name (borrowed
					 * from strats) */
};

/* What the dataset needs of a run, as text: its sort keys, the canonical
 * JSON of its genome and metrics (compared and copied as text), and its
 * roi and sharpe as number literals (sharpe NULL when the run has none). */
struct run {
	char		*strategy;	/* raw string */
	char		*period;	/* raw string */
	char		*id;		/* raw string */
	char		*genome;	/* canonical JSON */
	char		*metrics;	/* canonical JSON */
	char		*roi;		/* canonical number */
	char		*sharpe;	/* canonical number, or NULL */
};

/* What an outcome's trade takes of it that stage one knew already: net
 * P&L (pnl less fees) and exit time; net NAN when not known (then
 * write_trade reads them off the record). */
struct trade_facts {
	double		 net;
	int64_t		 exit_ms;
};

/* What stage two needs of a canonical record without parsing it, found
 * by facts_of() (in stage one when read ahead). */
struct facts {
	uint64_t	 kh, ch;	/* hashes of its key and its text */
	const char	*jid;		/* join id: a decision's id, an
					 * outcome's decision_id, or NULL */
	size_t		 jlen;		/* its length */
	uint64_t	 jh;		/* its hash (not 0), when not NULL */
	int		 seen;		/* SEEN_: what de-duplication said,
					 * when asked ahead of stage two */
	const char	*strat;		/* an outcome's strategy */
	size_t		 slen;		/* its length */
	struct trade_facts tf;		/* its net P&L and exit time */
	const void	*mem;		/* a decision's or outcome's top level
					 * (tl_jv_index), or NULL: parse */
	size_t		 nmem;		/* its members */
};

/* De-duplication's answer in struct facts: not asked yet, a new record,
 * an identical duplicate, a conflicting one. */
enum { SEEN_ASK, SEEN_NEW, SEEN_SAME, SEEN_CONFLICT };

/* What was read of one file, counted at its end. */
struct file_count {
	enum tl_src_fmt	 fmt;		/* the format */
	const char	*map;		/* the map's name (borrowed), or NULL */
	size_t		 records, open, left_out;	/* tl_source_ */
};

/* What stage one made of one record, for a shard (shard.c). */
enum { SH_OK, SH_REJECT, SH_LATER };

struct sitem {
	int		 st;		/* SH_ */
	unsigned long	 line;		/* its first line */
	enum tl_kind	 k;		/* its kind, or TL_KIND_NONE */
	const char	*rule;		/* the rule that gave it, or NULL */
	int		 renamed;	/* a strategy was renamed */
	const char	*canon;		/* SH_OK, SH_LATER: canonical text */
	size_t		 clen;		/* its length */
	const struct facts *fx;		/* SH_OK: its facts, or NULL: parse
					 * (for collect) */
	const char	*raw;		/* the raw text as read */
	size_t		 rawlen, rawfull;	/* its length held, whole */
	const struct tl_err *why;	/* SH_REJECT: the reason */
	const char	*pos;		/* a reason's prefix, or NULL */
	int		 group;		/* more items of its record follow */
	const char	*cstrat;	/* keep_capital()'s, or NULL */
	size_t		 cslen;
	double		 capital;
};

/* The records of one input file read and rejected: a file that lost
 * every record (a column renamed, a field missing from every line) is
 * said once, and in the summary, not only as many rejects among the
 * night's thousands of records. */
struct file_tally {
	char		*name;		/* the file's name, as rejects say it */
	unsigned long	 read, rejected;
	char		*reason;	/* of its first reject, or NULL */
};

struct shard;

struct state {
	const struct opts *o;
	struct counts	 c;
	struct tl_out	*out[E_NEMIT];	/* NULL when not wanted */
	struct tl_out	*rej;		/* rejects, or NULL */
	struct tl_u64map seen;		/* kind+id -> content hash */
	struct tl_map	*strats;	/* strategy name -> number */
	struct tl_map	*live;		/* strategies of a trade database's
					 * closed trades (--backtest-trades
					 * auto) */
	struct tl_u64map pend_dec;	/* hash of a decision id -> struct
					 * waiting * (join.c) */
	struct tl_u64map pend_out;	/* the same, of outcomes */
	struct tl_map	*sigs;		/* signal id -> char * JSON */
	struct tl_map	*sig_of_dec;	/* decision id -> char * signal id */
	struct tl_map	*pend_sig;	/* signal id -> char * "kJSON\n"... of
					 * the records waiting for it */
	struct tl_map	*late_sigs;	/* ids of signals after --until */
	struct tl_u64map days;		/* strategy, day -> sum of net P&L */
	struct run	*runs;		/* runs read, for the dataset */
	size_t		 nruns, capruns;
	struct tl_buf	 buf;		/* canonical text of the record */
	struct tl_buf	 tbuf;		/* a trade, a key, an unmatched */
	struct tl_jdoc	 doc;		/* the input record */
	struct tl_jdoc	 cdoc;		/* its canonical text, parsed */
	struct tl_jdoc	 tdoc;		/* the waiting side of a trade */
	struct tl_jdoc	 sdoc;		/* the signal of a joined record */
	struct tl_jdoc	 mdoc;		/* a run's metrics */
	struct tl_jdoc	 fdoc;		/* a canonical record, for facts */
	struct tl_alias	*alias;		/* --aliases, or NULL */
	char		 kind_list[160];	/* "decision, ... or retirement" */
	struct tl_source_opts srcopts;	/* how inputs are read */
	struct tl_mapfile *maps[MAX_MAPFILES];	/* --map-file */
	struct source_count *srcs;	/* by format and map, as first read */
	size_t		 nsrcs;
	struct tl_map	*capitals;	/* strategy -> index + 1 in capv */
	double		*capv;		/* starting balances */
	struct scale	*scales;	/* the capitals the returns used, when
					 * more than one (no --capital) */
	size_t		 nscales;
	struct shard	*shard;		/* --shard: what is written */
	int		 aliased;	/* --aliases given (to the shards) */
	char		**map_names;	/* --merge: map names of srcs */
	size_t		 nmap_names;
	struct oracle	*orc;		/* stage two from files (oracle.c),
					 * or NULL: in memory */
	struct oracle	*collect;	/* --memory: what stage one writes to
					 * its own shard is also collected
					 * here (no pass to read it back) */
	uint64_t	 item;		/* the record stage two is given, for
					 * orc: its number in the shard */
	unsigned long	 wseq;		/* records that waited, in order */
	int		 spill;		/* --memory: the shard is ours, in
					 * the order of the whole ingest */
	struct tl_map	*tally_of;	/* file name -> index + 1 in tally */
	struct file_tally *tally;	/* by file, in the order first read */
	size_t		 ntally, atally, tally_cur;
};

/* A context for the field checks of one record: the parsed input and the
 * canonical JSON text being written, keys in the order of tl(7). */
#define MAX_DONE	64	/* canonical keys of one record */

/* The top level of a canonical text, as normalise() writes it: what
 * tl_jv_index_text() would read off the text (struct tl_jv_member), n
 * members in b, or n = -1 when a key or a string has escapes or a
 * number's value is not known (then parse the text). */
struct topidx {
	struct tl_buf	 b;
	long		 n;
};

/* What field() found last (it may be asked of a const rec). */
struct lookup {
	const struct tl_jv *near;	/* the member found last */
	const char	*asked;		/* the key it was found under (not
					 * --map's), or NULL */
};

struct rec {
	const struct opts *o;		/* --map */
	const struct tl_jdoc *d;	/* parsed input */
	const struct tl_jv *in;		/* its root object */
	struct lookup	*last;		/* field()'s last lookup */
	uint64_t	 written[2];	/* members of in (by place in d->v)
					 * whose key went out as it is */
	uint64_t	 keys;		/* key_bit() of each of in's keys */
	struct tl_buf	*out;		/* canonical text being built */
	const char	*done[MAX_DONE];	/* keys written, for extras */
	size_t		 donelen[MAX_DONE];	/* their lengths */
	size_t		 ndone;		/* their number */
	const char	*name;		/* file */
	unsigned long	 line;		/* line */
	struct tl_err	*err;		/* set on failure */
	int64_t		 when;		/* event time for --until, ms */
	const struct tl_alias *alias;	/* --aliases, or NULL */
	int		 renamed;	/* a strategy name was renamed */
	struct topidx	*ix;		/* the top level as written, or NULL */
	struct tl_jv_member m;		/* the member being written */
	int		 open;		/* m is */
	int		 ours;		/* m's key is one of our names */
};

/* What a file's name (or --kind) says of its records. */
struct file_kind {
	enum tl_kind	 kind;		/* TL_KIND_NONE: nothing certain */
	int		 forced;	/* by --kind: no rule is tried */
	char		 why[96];	/* "file name word 'runs'", "--kind" */
};

/* What checks each kind, where it goes and the fields that name one
 * record of it (its de-duplication key; the first names it in messages).
 * Its name in the summary is that of its output.  A record that is
 * joined with its signal goes out when joined, else unmatched.  Stage
 * two parses the canonical text of a kind kept (signals; of a run, its
 * top level from stage one's index will do) or joined with its signal;
 * of the others it reads the facts found in stage one. */
struct kind_ops {
	int		(*norm)(struct rec *);	/* check and normalise */
	enum emit	 emit;		/* its output */
	const char	*key[2];	/* key fields */
	int		 by_signal;	/* written joined with its signal */
	int		 parsed;	/* stage two reads more of it than
					 * its facts */
	int		 indexed;	/* stage one keeps its top level for
					 * stage two (the joins, a run's
					 * dataset row) */
};

/* kinds.c: the kinds (indexed by enum tl_kind) */
extern const struct kind_ops kind_ops[TL_KIND_N];
void	file_kind(struct file_kind *fk, const struct opts *o,
	    const char *path);
enum tl_kind kind_of(const struct rec *r, const struct file_kind *fk,
	    const char **why);

/* normalise.c: stage one */
const struct tl_jv *field(const struct rec *r, const char *key);
int	norm_decision(struct rec *r);
int	norm_outcome(struct rec *r);
int	norm_signal(struct rec *r);
int	norm_signal_outcome(struct rec *r);
int	norm_counterfactual(struct rec *r);
int	norm_run(struct rec *r);
int	norm_promotion(struct rec *r);
int	norm_retirement(struct rec *r);
int	normalise(const struct state *s, struct tl_jdoc *doc,
	    struct tl_buf *out, struct topidx *ix, const struct file_kind *fk,
	    enum tl_kind *kp, const char **rule, int *renamed,
	    const char *text, size_t len, const char *name,
	    unsigned long line, struct tl_err *why);

/* stage_two.c: stage two */
void	facts_of(struct tl_buf *key, enum tl_kind k, const struct tl_jdoc *c,
	    const char *text, size_t len, struct facts *fx);
void	dedup(struct state *s, struct facts *fx);
void	take_later(struct state *s, enum tl_kind k, const char *text,
	    size_t len);
int	stage_two(struct state *s, enum tl_kind k, const char *text,
	    size_t len, int renamed, struct facts *fx, const char *name,
	    unsigned long line, struct tl_err *why, struct tl_err *err);

/* outputs.c: what is written record by record */
/* A record of file read (counts it, in all and for its file). */
void	count_read(struct state *s, const char *file);

void	free_tally(struct state *s);

/* Each file whose every record was rejected, on stderr. */
void	warn_lost_files(const struct state *s);

int	reject(struct state *s, const char *file, unsigned long line,
	    enum tl_kind k, const char *rule, struct tl_err *why,
	    const char *raw, size_t n, size_t full, struct tl_err *err);
int	emit_text(struct state *s, enum emit e, const char *text, size_t n,
	    struct tl_err *err);
int	emit_unmatched(struct state *s, const char *kind, const char *text,
	    struct tl_err *err);
int	write_trade(struct state *s, const struct tl_jdoc *dd,
	    const struct tl_jdoc *od, const struct trade_facts *tf,
	    struct tl_err *err);
int	write_by_signal(struct state *s, enum tl_kind k,
	    const struct tl_jdoc *sd, const struct tl_jdoc *rd,
	    struct tl_err *err);
/* The net P&L of the canonical outcome rec (parsed in c): pnl less fees,
 * as exact decimals (tl_exact): -139.32 less 1.29 is -140.61. */
double	net_pnl(const struct tl_jdoc *c, const struct tl_jv *rec);

/* join.c: the joins, and what is left waiting at the end */
int	join(struct state *s, enum tl_kind k, const struct facts *fx,
	    const char *text, size_t len, struct tl_err *err);
void	leave_out(struct state *s, enum tl_kind k);
int	join_signal(struct state *s, enum tl_kind k, const struct tl_jdoc *c,
	    const char *text, size_t len, struct tl_err *err);
int	keep_signal(struct state *s, const struct tl_jdoc *c,
	    const char *text, size_t len, struct tl_err *err);
int	write_unmatched(struct state *s, struct tl_u64map *pend,
	    const char *kind, unsigned long *count, int rc,
	    struct tl_err *err);
int	write_unsignalled(struct state *s, int rc, struct tl_err *err);
int	write_left(struct state *s, unsigned long *undec,
	    unsigned long *unout, int rc, struct tl_err *err);

/* returns.c: the daily return series */
void	add_return(struct state *s, const struct facts *fx);
void	keep_capital(struct state *s, const char *name, size_t n,
	    double capital);
int	write_returns(struct state *s, struct tl_err *err);

/* dataset.c: the meta-model dataset */
void	keep_run(struct state *s, const struct tl_jdoc *c);
void	free_run(struct run *r);
int	write_dataset(struct state *s, unsigned long *rows,
	    unsigned long *last, struct tl_err *err);

/* shard.c: shards, written and merged */
int	walk_cmp(const char *a, const char *b);
int	shard_open(struct state *s, const char *dir, struct tl_err *err);
const char *shard_tmp_path(const struct state *s);
int	shard_file(struct state *s, const char *path,
	    const struct file_kind *fk, struct tl_err *err);
int	shard_item(struct state *s, const struct sitem *it,
	    struct tl_err *err);
int	shard_warning(struct state *s, const char *path, const char *skip,
	    struct tl_err *err);
int	shard_file_end(struct state *s, const struct file_count *fc,
	    struct tl_err *err);
int	shard_close(struct state *s, int rc, struct tl_err *err);
char	*shard_path(const char *path);
int	merge_all(struct state *s, char *const *paths, size_t n,
	    size_t *files, struct tl_progress *pr, struct oracle *collect,
	    struct tl_err *err);

/* oracle.c: stage two's de-duplication and joins in bounded memory */
struct oracle *oracle_new(const char *dir, double bytes, size_t memory,
	    struct tl_err *err);
void	oracle_collect(struct oracle *o, enum tl_kind k,
	    const struct facts *fx, const char *text, size_t len, int group);
int	oracle_prepare(struct oracle *o, struct tl_err *err);
int	oracle_status(const struct oracle *o, uint64_t p);
int	oracle_event(struct oracle *o, uint64_t p, const char **text,
	    size_t *len, struct tl_err *err);
int	oracle_section(struct oracle *o, struct tl_err *err);
int	oracle_left(struct oracle *o, enum tl_kind *k, const char **text,
	    size_t *len, struct tl_err *err);
void	oracle_free(struct oracle *o);
/* What oracle_event() says a record receives: a trade with the outcome
 * or decision it gives, or an outcome unmatched at once. */
enum { EV_TRADE_OUT = 1, EV_TRADE_DEC = 2, EV_ORPHAN = 3 };

/* read.c: reading the inputs */
void	count_file(struct state *s, const struct file_count *fc);
int	ingest_all(struct state *s, const struct tl_walk *w, int threads,
	    struct tl_progress *pr, struct tl_err *err);
void	count_open_positions(struct state *s);
double	path_mb(const char *path);

/* summary.c: the counts */
int	write_summary(struct tl_out *out, const struct state *s, size_t files,
	    unsigned long rows, struct tl_err *err);
void	print_summary(const struct state *s, unsigned long rows);
int	nothing_usable(const struct state *s);

#endif
