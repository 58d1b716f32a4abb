/*
 * tl-synth: write a seeded, realistic raw trading log directory (tl(7):
 * decisions, closed trades, backtest/sim runs, promotions, in JSONL, CSV
 * and gzip'd rotations) together with the truth planted in it: which
 * genome parameters drive a run's ROI, which signals and components raise
 * the chance of a win, how over-confident the logged confidence is, the
 * market regimes, which promoted strategies decay, and how many dirty
 * lines of each kind were written; with --churn, strategies that start
 * late, pause, retire or are renamed (lib/tl_churn plans them), with
 * logs/retirements.jsonl and aliases.csv.  The output depends only on the
 * options: the same flags and seed give the same bytes whatever TZ and
 * the locale say.  Days are generated one at a time, so memory does not
 * grow with --trades.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <zlib.h>

#include "tl_churn.h"
#include "tl_err.h"
#include "tl_num.h"
#include "tl_rng.h"
#include "tl_time.h"
#include "tl_util.h"

#define MS_DAY		86400000LL	/* milliseconds in a day */
#define OPEN_MS		52200000LL	/* 14:30:00Z: decisions from here */
#define LAST_DEC_MS	75000000LL	/* 20:50:00Z: last decision */
#define CLOSE_MS	75600000LL	/* 21:00:00Z: exits until here */
#define PROMO_MS	46800000LL	/* 13:00:00Z: promotions, before open */
#define OFFSET_MS	19800000LL	/* +05:30 of the offset variant */
#define MIN_HOLD_MS	60000LL		/* same-day exits at least 1 min in */
#define MAX_HOLD_DAYS	3		/* exit up to 3 trading days later */
#define NBUCKET		(MAX_HOLD_DAYS + 1)	/* pending exit days */
#define LINE_SZ		2048		/* longest line is ~450 bytes */
#define PATH_SZ		4096		/* longest output path */
#define GZ_MODE		"wb6"		/* gzip level 6 */
#define GZ_BUFSZ	(128 * 1024)	/* zlib input buffer */
#define IO_BUFSZ	(64 * 1024)	/* stdio buffer of plain files */
#define GZ_SPILL	(16 * 1024 * 1024)	/* larger gzip files stream */
#define MAX_WORKERS	8		/* gzip threads */
#define QUEUE_LEN	4		/* files waiting for a gzip thread */
#define CSV_EVERY	10		/* every 10th day's trades are CSV */
#define EXTRA_RATE	0.05		/* hold/open decisions per trade */
#define PROMOTE_RATE	0.3		/* share of strategies promoted */
#define DAY_SHAPE	3.0		/* gamma shape of daily activity */
#define ACTIVITY_SD	0.5		/* lognormal sd of strategy activity */
#define PROMO_ACTIVITY	3.0		/* promoted strategies trade 3x */
#define MIN_RATE	0.2		/* closed trades per day a strategy
					 * has at least, on average */
#define CHURN_MIN_RATE	1.0		/* the same with --churn */
#define CHURN_TRADES	2.0		/* --churn: default closed trades
					 * per strategy and day */
#define KEEP_DAYS	20		/* a strategy has a trade decision
					 * at least every 20 days */
#define CHURN_KEEP	3		/* the same with --churn */
#define MAX_TRADES	100000000L	/* --trades */
#define RETIRE_REASON	"manual"	/* reason of a retirement */
#define MIN_START_Y	1980		/* epoch ms stay >= 1e11 (tl(7)) */
#define MAX_Y		9999		/* RFC 3339 years */

/*
 * The planted truth.  truth.json and tl-synth(1) describe these; keep the
 * formula strings in write_truth() in step with them.
 */
/* Run ROI: A*tanh((lookback-LB_C)/LB_S)
 *   + B*(entry_z-EZ_C)*(universe=="tech" ? TECH : OTHER)
 *   - C*(stop_atr-SA_C)^2/SA_S + REGIME*(bull-bear share) + N(0,NOISE^2) */
#define ROI_A		0.02
#define ROI_LB_C	60.0
#define ROI_LB_S	40.0
#define ROI_B		0.015
#define ROI_EZ_C	1.5
#define ROI_TECH	1.0
#define ROI_OTHER	(-0.5)
#define ROI_C		0.01
#define ROI_SA_C	2.5
#define ROI_SA_S	4.0
#define ROI_REGIME	0.03
#define ROI_NOISE	0.01
#define SHARPE_NOISE	0.15		/* sharpe = roi/vol + N(0, sd^2) */
#define VOL_LO		0.02		/* per-period roi vol of a strategy */
#define VOL_HI		0.06

/* Win probability p = clip(P_BASE + edge + P_MOMENTUM*momentum
 *   + P_VOLSPIKE*volume_spike + side_regime + N(0, P_NOISE^2), P_LO, P_HI) */
#define P_BASE		0.47
#define P_MOMENTUM	0.12
#define P_VOLSPIKE	0.08
#define P_SIDE_REGIME	0.04	/* +: long in bull, short in bear; -: against */
#define P_NOISE		0.03
#define P_LO		0.05
#define P_HI		0.95
#define EDGE_SD		0.03	/* edge of a strategy: N(0, sd^2) clipped */
#define EDGE_MAX	0.08	/* to [-EDGE_MAX, EDGE_MAX] */
#define PROMO_EDGE_LO	0.03	/* promoted strategies: U(LO, HI) */
#define PROMO_EDGE_HI	0.08
#define DECAY_SHIFT	(-0.20)	/* edge of decaying ones after promotion */
#define CONF_SLOPE	1.6	/* confidence = 0.5 + SLOPE*(p-0.5), clipped */
#define CONF_LO		0.01
#define CONF_HI		0.99
#define COMP_TECHNICAL	0.10	/* technical = 0.5 +- 0.10 (win/loss) + N */
#define COMP_AI		0.07	/* ai = 0.5 +- 0.07 + N */
#define COMP_SD		0.15	/* the N of every component */
#define VOTE_APPROVE	0.7	/* P(approve) of a vote on a trade */
#define VOTE_HOLD	0.4	/* P(approve) on a hold */

enum { BULL, BEAR, CHOP, NREGIME };
static const char *const regime_names[NREGIME] = { "bull", "bear", "chop" };
static const double regime_trans[NREGIME][NREGIME] = {
	{ 0.96, 0.01, 0.03 },
	{ 0.02, 0.94, 0.04 },
	{ 0.03, 0.02, 0.95 },
};
static const double regime_init[NREGIME] = { 0.45, 0.20, 0.35 };
static const double regime_ret_mean[NREGIME] = { 0.0008, -0.0012, 0.0 };
static const double regime_ret_sd[NREGIME] = { 0.008, 0.016, 0.010 };
static const double regime_vol[NREGIME] = { 0.12, 0.28, 0.18 };
#define VOL_LOG_SD	0.15	/* vol = regime_vol * exp(N(0, sd^2)) */
#define VOL_REF		0.16	/* trade move sizes scale with vol/VOL_REF */
static const double regime_long[NREGIME] = { 0.6, 0.4, 0.5 };	/* P(buy) */

enum { SIG_MOMENTUM, SIG_MEAN_REV, SIG_VOLUME_SPIKE, SIG_NEWS, SIG_NOISE_A,
	SIG_NOISE_B, NSIGNAL };
static const char *const signal_names[NSIGNAL] = { "momentum", "mean_rev",
	"volume_spike", "news", "noise_a", "noise_b" };
static const double signal_rate[NSIGNAL] = { 0.40, 0.35, 0.25, 0.20, 0.50,
	0.50 };

enum { COMP_THEME, COMP_TECH, COMP_AIX, COMP_SENT, NCOMP };
static const char *const comp_names[NCOMP] = { "theme", "technical", "ai",
	"sentiment" };
#define NVOTE	4
static const char *const vote_names[NVOTE] = { "risk", "quant", "macro",
	"sentiment" };

/* Symbols with a starting price in cents; universes are index ranges. */
static const char *const sym_names[] = {
	"AAPL", "MSFT", "NVDA", "GOOGL", "META", "AMZN", "AMD", "ORCL",
	"XOM", "CVX", "COP", "SLB", "OXY", "EOG",
	"JPM", "BAC", "GS", "MS", "WFC", "C",
	"SPY", "QQQ", "IWM", "DIA"
};
static const int sym_price[] = {
	18720, 37400, 49500, 13900, 35000, 15100, 13800, 10500,
	10000, 14900, 11600, 5200, 6000, 12100,
	17000, 3370, 38500, 9300, 4900, 5140,
	47500, 40900, 20000, 37600
};
#define NSYM	(sizeof(sym_names) / sizeof(sym_names[0]))
#define SYM_SD	0.012		/* daily idiosyncratic log return */

enum { U_TECH, U_ENERGY, U_FINANCE, U_BROAD, NUNIVERSE };
static const char *const universe_names[NUNIVERSE] = { "tech", "energy",
	"finance", "broad" };
static const int universe_lo[NUNIVERSE] = { 0, 8, 14, 0 };
static const int universe_n[NUNIVERSE] = { 8, 6, 6, 24 };
#define NFILTER	3
static const char *const filter_names[NFILTER] = { "none", "ema", "adx" };

enum { R_TAKE_PROFIT, R_STOP_LOSS, R_TIME_EXIT, R_SIGNAL_EXIT };
static const char *const reason_names[] = { "take_profit", "stop_loss",
	"time_exit", "signal_exit" };

/* Dirt kinds; decisions get some, outcomes all. */
enum { D_MISSING, D_DUPLICATE, D_CONFLICT, D_WRONG_TYPE, D_VARIANT_TS,
	D_VARIANT_CASE, D_ORPHAN, D_TRUNCATED, NDIRT };
static const char *const dirt_names[NDIRT] = { "missing_field", "duplicate",
	"conflict", "wrong_type", "variant_ts", "variant_case", "orphan",
	"truncated" };
static const int dec_dirt[] = { D_MISSING, D_DUPLICATE, D_VARIANT_TS,
	D_VARIANT_CASE };
static const int trade_dirt[] = { D_MISSING, D_DUPLICATE, D_CONFLICT,
	D_WRONG_TYPE, D_VARIANT_TS, D_VARIANT_CASE, D_ORPHAN };
#define NDEC_DIRT	(sizeof(dec_dirt) / sizeof(dec_dirt[0]))
#define NTRADE_DIRT	(sizeof(trade_dirt) / sizeof(trade_dirt[0]))
enum { KIND_DEC, KIND_OUT };	/* first index of gen.dirt */

/* Random streams: the clean log never depends on --dirt. */
enum { STREAM_WORLD, STREAM_RUNS, STREAM_LOG, STREAM_DIRT, STREAM_CHURN };

enum { TS_CANON, TS_EPOCH_MS, TS_OFFSET };	/* timestamp spellings */

/* Decision fields in line order; the first NDEC_REQ are required. */
enum { DF_ID, DF_TS, DF_SYMBOL, DF_STRATEGY, DF_ACTION, NDEC_REQ };
/* Trade fields in line order (also the CSV columns). */
enum { TF_ID, TF_DID, TF_SYMBOL, TF_STRATEGY, TF_SIDE, TF_ENTRY_TS,
	TF_EXIT_TS, TF_ENTRY_PRICE, TF_EXIT_PRICE, TF_QTY, TF_PNL, TF_FEES,
	TF_MFE, TF_MAE, TF_REASON, NTF };
static const char *const tf_names[NTF] = { "id", "decision_id", "symbol",
	"strategy", "side", "entry_ts", "exit_ts", "entry_price", "exit_price",
	"qty", "pnl", "fees", "mfe", "mae", "exit_reason" };
static const int trade_req[] = { TF_ID, TF_STRATEGY, TF_SYMBOL, TF_EXIT_TS,
	TF_PNL };

struct opts {
	char		*outdir;	/* -o: directory to create */
	long		 seed;		/* -s */
	long		 days;		/* --days: trading days */
	int64_t		 start;		/* --start, days since 1970-01-01 */
	long		 strategies;	/* --strategies */
	long		 periods;	/* --periods: months of runs */
	long		 trades;	/* --trades: closed trades in all */
	int		 trades_set;	/* --trades was given */
	int		 churn;		/* --churn */
	const char	*churn_arg;	/* its spec, or NULL */
	struct tl_churn_spec churn_spec;	/* what --churn plants */
	double		 dirt;		/* --dirt: share of dirty lines */
	long		 gzip_after;	/* --gzip-after: plain last N days */
	int		 quiet;		/* -q */
	int		 verbose;	/* -v */
};

struct strat {
	char		 id[24];	/* "S0007" */
	char		 alias[24];	/* its new name once renamed */
	int		 lookback;	/* genome: 5..200 */
	int		 entry_z;	/* hundredths, 0.5..3 */
	int		 exit_z;	/* hundredths, 0..1.5 */
	int		 stop_atr;	/* hundredths, 0.5..5 */
	int		 tp_atr;	/* hundredths, 1..8 */
	int		 risk;		/* 1e-5 units, 0.001..0.05 log-scale */
	int		 max_pos;	/* 1..20 */
	int		 trailing;	/* bool */
	int		 universe;	/* U_* */
	int		 filter;	/* index into filter_names */
	double		 vol;		/* per-period ROI vol (sharpe) */
	double		 roi_mean;	/* planted ROI without regime, noise */
	double		 edge;		/* win probability shift */
	double		 activity;	/* relative decision rate */
	long		 promo_day;	/* trading day index, or -1 */
	int		 decaying;	/* edge + DECAY_SHIFT after promo_day */
	long		 is_period;	/* in-sample period index, or -1 */
	int64_t		 is_roi;	/* its metrics.roi, 1e-4 units */
	int64_t		 is_sharpe;	/* its metrics.sharpe, 1e-2 units */
};

/* A decision of the current day, before it is written. */
struct dec {
	int64_t		 ms;		/* decision time */
	uint32_t	 seq;		/* generation order, breaks ties */
	uint32_t	 strat;		/* index into gen.st */
	uint16_t	 sym;		/* index into sym_names */
	uint8_t		 kind;		/* REC_* */
	uint8_t		 side;		/* 0 long/buy, 1 short/sell */
	uint8_t		 win;		/* net pnl will be > 0 */
	uint8_t		 signals;	/* bit i: signal i fired */
	uint8_t		 votes;		/* bit i: vote i approves */
	uint8_t		 regime;	/* of the day */
	int16_t		 comp[NCOMP];	/* hundredths */
	int16_t		 conf;		/* ten-thousandths */
};
enum { REC_TRADE, REC_HOLD, REC_OPEN };

/* A closed trade waiting for the trades file of its exit day. */
struct trade {
	int64_t		 entry_ms;	/* entry time */
	int64_t		 exit_ms;	/* exit time */
	uint64_t	 did;		/* decision number */
	int64_t		 entry_c;	/* price, cents */
	int64_t		 exit_c;	/* price, cents */
	int64_t		 pnl_c;		/* gross pnl, cents */
	int64_t		 fees_c;	/* cents */
	int64_t		 mfe_c;		/* cents, >= max(pnl, 0) */
	int64_t		 mae_c;		/* cents, <= min(pnl, 0) */
	int64_t		 qty;		/* shares */
	uint32_t	 strat;		/* index into gen.st */
	uint16_t	 sym;		/* index into sym_names */
	uint8_t		 side;		/* 0 long, 1 short */
	uint8_t		 reason;	/* R_* */
	uint8_t		 dec_bad;	/* its decision line is damaged */
};

/* A file to gzip in the background: its whole content. */
struct job {
	char		*path;		/* new */
	char		*data;		/* new */
	size_t		 len;		/* bytes of data */
	uint64_t	 seq;		/* submission order */
};

/* Threads that gzip whole files while the next day is generated.  Each
 * file is compressed on its own, so the bytes do not depend on the number
 * of threads.  With no threads, jobs run in the caller. */
struct pool {
	pthread_t	 th[MAX_WORKERS];	/* workers */
	size_t		 nth;		/* started */
	pthread_mutex_t	 mu;		/* guards what follows */
	pthread_cond_t	 cv_job;	/* a job was queued, or stop */
	pthread_cond_t	 cv_space;	/* a queue slot came free */
	struct job	 q[QUEUE_LEN];	/* ring of waiting jobs */
	size_t		 head;		/* first waiting job */
	size_t		 n;		/* waiting jobs */
	int		 stop;		/* no more jobs will come */
	uint64_t	 seq;		/* next job number */
	uint64_t	 err_seq;	/* job of err, UINT64_MAX: none */
	struct tl_err	 err;		/* first failure in job order */
};

/* One output file: plain, gzip'd in the background, or gzip'd here once
 * its content exceeds GZ_SPILL. */
struct sink {
	FILE		*fp;		/* plain file, or NULL */
	gzFile		 gz;		/* gzip file written here, or NULL */
	struct tl_buf	 mem;		/* gzip content held for the pool */
	int		 held;		/* content is in mem, no file yet */
	struct pool	*pool;		/* where held content goes */
	char		 path[PATH_SZ];	/* for messages */
};

/* One output line being built. */
struct line {
	char		 b[LINE_SZ];	/* text, not NUL-terminated */
	size_t		 n;		/* bytes used */
};

/* How a line deviates from the canonical one (dirt). */
struct view {
	int		 omit;		/* field index left out, or -1 */
	int		 ts;		/* TS_* */
	int		 lower;		/* lower-case symbol */
	const char	*verb;		/* action/side text, NULL: canonical */
	int		 pnl_str;	/* pnl written as a string */
	int64_t		 pnl_c;		/* pnl to write, cents */
	char		 id[24];	/* trade id */
	char		 did[24];	/* decision id */
	const char	*strat;		/* strategy name */
};

struct gen {
	const struct opts *o;
	gsl_rng		*rw;		/* world: calendar, strategies */
	gsl_rng		*rr;		/* runs */
	gsl_rng		*rl;		/* decisions and trades */
	gsl_rng		*rd;		/* dirt */
	gsl_rng		*rc;		/* churn plan */
	int64_t		*cday;		/* weekdays from the first period */
	unsigned char	*creg;		/* their regimes */
	size_t		 nc;		/* number of such weekdays */
	size_t		 off;		/* index of the first trading day */
	size_t		 nd;		/* trading days */
	int64_t		*ret_u;		/* market return, 1e-6 units */
	int64_t		*vol_u;		/* market vol, 1e-4 units */
	long		 month0;	/* y*12+m-1 of the first period */
	double		*pterm;		/* regime term of each period */
	struct strat	*st;		/* strategies */
	size_t		 ns;		/* their number */
	double		*act;		/* activity, a Fenwick tree */
	double		 act_sum;	/* total activity */
	struct strat	**promos;	/* promoted, by promotion day */
	size_t		 npromos;	/* their number */
	size_t		 next_promo;	/* first not yet active */
	struct tl_churn	*churn;		/* --churn plan, or NULL */
	double		*w;		/* churn: weight of each strategy */
	const struct tl_churn_event *ev;	/* churn: liveness changes */
	size_t		 nev;		/* their number */
	size_t		 next_ev;	/* first not yet applied */
	long		*last_exit;	/* churn: last exit day, or -1 */
	long		*last_trade;	/* last day with a trade decision
					 * of each strategy (-1: none) */
	size_t		*due;		/* strategies due a trade */
	long		 keep;		/* KEEP_DAYS or CHURN_KEEP */
	double		 price[NSYM];	/* current price of each symbol */
	unsigned int	*ntr;		/* closed trades entered each day */
	unsigned int	*nhold;		/* hold decisions each day */
	unsigned int	*nopen;		/* never-closed decisions each day */
	struct dec	*decs;		/* decisions of the day */
	size_t		 cdecs;		/* allocated */
	struct trade	*bk[NBUCKET];	/* trades by exit day % NBUCKET */
	size_t		 nbk[NBUCKET];	/* used */
	size_t		 cbk[NBUCKET];	/* allocated */
	struct pool	*pool;		/* gzip threads */
	struct line	 l;		/* line being built */
	struct line	 l2;		/* a second one (duplicates) */
	uint64_t	 ndec;		/* decisions written */
	uint64_t	 ntrade;	/* trades written */
	uint64_t	 norphan;	/* orphan outcomes written */
	uint64_t	 nholds;	/* hold decisions */
	uint64_t	 nopens;	/* buy/sell decisions without outcome */
	uint64_t	 bad_dec;	/* decision lines damaged */
	uint64_t	 bad_out;	/* trade lines damaged */
	uint64_t	 matched;	/* trades with both lines intact */
	uint64_t	 npromo;	/* promotions */
	uint64_t	 nruns;		/* runs written */
	uint64_t	 dirt[2][NDIRT];	/* by KIND_*, D_* */
};

static void
usage(FILE *fp)
{
	fprintf(fp,
"usage: tl-synth [-qv] [-s seed] [--days N] [--start DATE] [--strategies N] "
"[--periods N] [--trades N] [--dirt RATE] [--gzip-after N] [--churn[=SPEC]] "
"-o dir\n");
	if (fp != stdout)
		return;
	fprintf(fp,
"\nWrite a seeded synthetic trading log directory with a planted truth\n"
"(see tl-synth(1), tl(7)).\n\n"
"      --churn[=SPEC]    strategies start late, pause, retire, are renamed:\n"
"                        SPEC late=N,pause=N,retire=N,rename=N (a tenth,\n"
"                        1, 1, 1); --trades then defaults to 2 a day per\n"
"                        strategy\n"
"      --days=N          trading days (weekdays) from --start (60)\n"
"      --dirt=RATE       share of dirty log lines, 0 for none (0.01)\n"
"      --gzip-after=N    gzip the days before the last N, 0: never (7)\n"
"  -h, --help            this help\n"
"  -o, --output=DIR      directory to create; must be new or empty\n"
"      --periods=N       monthly run periods, ending with the last day's (12)\n"
"  -q, --quiet           no messages but errors\n"
"  -s, --seed=N          random seed (1)\n"
"      --start=DATE      first day, YYYY-MM-DD (2026-01-05)\n"
"      --strategies=N    strategies, one genome each (20)\n"
"      --trades=N        closed trades in all (500)\n"
"  -V, --version         print the version\n"
"  -v, --verbose         a summary on stderr\n");
}

/* The number of promoted strategies among ns. */
static size_t
n_promoted(size_t ns)
{
	return (size_t)floor(PROMOTE_RATE * (double)ns + 0.5);
}

/* Parse YYYY-MM-DD strictly; returns 0 and *day, or -1. */
static int
parse_date(const char *s, int64_t *day)
{
	int y, m, d, y2, m2, d2, i;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -1;
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	if (y < MIN_START_Y || y > MAX_Y || m < 1 || m > 12 || d < 1)
		return -1;
	*day = tl_days_from_civil(y, m, d);
	tl_civil_from_days(*day, &y2, &m2, &d2);
	return y2 == y && m2 == m && d2 == d ? 0 : -1;
}

static void
parse_args(int argc, char *argv[], struct opts *o)
{
	enum { OPT_CHURN = 256, OPT_DAYS, OPT_DIRT, OPT_GZIP_AFTER,
		OPT_PERIODS, OPT_START, OPT_STRATEGIES, OPT_TRADES };
	static const struct option longopts[] = {
		{ "churn", optional_argument, NULL, OPT_CHURN },
		{ "days", required_argument, NULL, OPT_DAYS },
		{ "dirt", required_argument, NULL, OPT_DIRT },
		{ "gzip-after", required_argument, NULL, OPT_GZIP_AFTER },
		{ "help", no_argument, NULL, 'h' },
		{ "output", required_argument, NULL, 'o' },
		{ "periods", required_argument, NULL, OPT_PERIODS },
		{ "quiet", no_argument, NULL, 'q' },
		{ "seed", required_argument, NULL, 's' },
		{ "start", required_argument, NULL, OPT_START },
		{ "strategies", required_argument, NULL, OPT_STRATEGIES },
		{ "trades", required_argument, NULL, OPT_TRADES },
		{ "version", no_argument, NULL, 'V' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 }
	};
	struct tl_err err = { 0 };
	int64_t last;
	size_t n;
	int ch, y, m, d;
	long w;

	while ((ch = getopt_long(argc, argv, ":ho:qs:Vv", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case OPT_CHURN:
			o->churn = 1;
			o->churn_arg = optarg;
			break;
		case OPT_DAYS:
			if (tl_parse_long("--days", optarg, 1, 100000,
			    &o->days, &err) == -1)
				goto bad;
			break;
		case OPT_DIRT:
			if (tl_parse_double("--dirt", optarg, 0, 0.5,
			    &o->dirt, &err) == -1)
				goto bad;
			break;
		case OPT_GZIP_AFTER:
			if (tl_parse_long("--gzip-after", optarg, 0, 100000,
			    &o->gzip_after, &err) == -1)
				goto bad;
			break;
		case 'h':
			usage(stdout);
			exit(tl_exit_status(TL_EX_OK));
		case 'o':
			o->outdir = optarg;
			break;
		case OPT_PERIODS:
			if (tl_parse_long("--periods", optarg, 1, 1200,
			    &o->periods, &err) == -1)
				goto bad;
			break;
		case 'q':
			o->quiet = 1;
			o->verbose = 0;
			break;
		case 's':
			if (tl_parse_long("--seed", optarg, 0, LONG_MAX,
			    &o->seed, &err) == -1)
				goto bad;
			break;
		case OPT_START:
			if (parse_date(optarg, &o->start) == -1)
				tl_usage_error("--start: '%s' is not a date "
				    "YYYY-MM-DD in [%d, %d]", optarg,
				    MIN_START_Y, MAX_Y);
			break;
		case OPT_STRATEGIES:
			if (tl_parse_long("--strategies", optarg, 1, 100000,
			    &o->strategies, &err) == -1)
				goto bad;
			break;
		case OPT_TRADES:
			if (tl_parse_long("--trades", optarg, 0, MAX_TRADES,
			    &o->trades, &err) == -1)
				goto bad;
			o->trades_set = 1;
			break;
		case 'V':
			tl_version_exit();
		case 'v':
			o->verbose = 1;
			o->quiet = 0;
			break;
		default:	/* ':' (no value) or an unknown option */
			tl_bad_option(ch, argv[optind - 1]);
		}
	}
	if (optind < argc && o->churn && o->churn_arg == NULL &&
	    strchr(argv[optind], '=') != NULL)
		tl_usage_error("unexpected argument '%s' (a spec goes with "
		    "--churn=SPEC)", argv[optind]);
	if (optind < argc)
		tl_usage_error("unexpected argument '%s'", argv[optind]);
	if (o->outdir == NULL)
		tl_usage_error("-o dir is required");
	if (o->outdir[0] == '\0')
		tl_usage_error("-o: empty directory name");
	n = strlen(o->outdir);
	while (n > 1 && o->outdir[n - 1] == '/')
		o->outdir[--n] = '\0';
	/* The last trading day must stay within year MAX_Y. */
	w = o->days / 5 * 7 + 7;
	last = o->start + w;
	tl_civil_from_days(last, &y, &m, &d);
	if (y > MAX_Y)
		tl_usage_error("--days: %ld days from --start end after "
		    "year %d", o->days, MAX_Y);
	if (!o->churn)
		return;
	tl_churn_spec_default(&o->churn_spec, (size_t)o->strategies);
	if ((o->churn_arg != NULL && tl_churn_spec_parse(&o->churn_spec,
	    o->churn_arg, &err) == -1) ||
	    tl_churn_spec_check(&o->churn_spec, (size_t)o->strategies,
	    (size_t)o->strategies - n_promoted((size_t)o->strategies),
	    (size_t)o->days, &err) == -1)
		goto bad;
	if (!o->trades_set)
		o->trades = (long)fmin(CHURN_TRADES * (double)o->days *
		    (double)o->strategies, (double)MAX_TRADES);
	return;
bad:
	tl_usage_error("%s: %s", err.where, err.msg);
}

/* ---- output files ---------------------------------------------------- */

static int
sys_err(struct tl_err *err, int code, const char *path)
{
	return tl_err_set(err, code, path, 0, "%s", strerror(errno));
}

/* gzip len bytes of data into path.  Returns 0, or -1 with err (73 when
 * path cannot be created, 74 on a write error).  Thread-safe. */
static int
gz_file(const char *path, const char *data, size_t len, struct tl_err *err)
{
	char ebuf[256];
	const char *msg;
	gzFile gz;
	unsigned int chunk;
	int zerr, rc = 0;

	errno = 0;
	if ((gz = gzopen(path, GZ_MODE)) == NULL) {
		if (strerror_r(errno != 0 ? errno : ENOMEM, ebuf,
		    sizeof(ebuf)) != 0)
			snprintf(ebuf, sizeof(ebuf), "cannot create");
		return tl_err_set(err, TL_EX_CANTCREAT, path, 0, "%s", ebuf);
	}
	gzbuffer(gz, GZ_BUFSZ);
	while (len > 0 && rc == 0) {
		chunk = len > GZ_BUFSZ ? GZ_BUFSZ : (unsigned int)len;
		if (gzwrite(gz, data, chunk) == 0) {
			msg = gzerror(gz, &zerr);
			if (zerr == Z_ERRNO && strerror_r(errno, ebuf,
			    sizeof(ebuf)) == 0)
				msg = ebuf;
			rc = tl_err_set(err, TL_EX_IOERR, path, 0, "%s", msg);
		}
		data += chunk;
		len -= chunk;
	}
	errno = 0;
	zerr = gzclose(gz);
	if (zerr != Z_OK && rc == 0) {
		if (zerr != Z_ERRNO || errno == 0 ||
		    strerror_r(errno, ebuf, sizeof(ebuf)) != 0)
			snprintf(ebuf, sizeof(ebuf), "gzip error %d on close",
			    zerr);
		rc = tl_err_set(err, TL_EX_IOERR, path, 0, "%s", ebuf);
	}
	return rc;
}

/* Run job j and keep its error if it is the first in job order. */
static void
run_job(struct pool *p, struct job *j, int locked)
{
	struct tl_err e = { 0 };

	if (gz_file(j->path, j->data, j->len, &e) == -1) {
		if (!locked)
			pthread_mutex_lock(&p->mu);
		if (j->seq < p->err_seq) {
			p->err = e;
			p->err_seq = j->seq;
		}
		if (!locked)
			pthread_mutex_unlock(&p->mu);
	}
	free(j->path);
	free(j->data);
}

static void *
worker(void *arg)
{
	struct pool *p = arg;
	struct job j;

	for (;;) {
		pthread_mutex_lock(&p->mu);
		while (p->n == 0 && !p->stop)
			pthread_cond_wait(&p->cv_job, &p->mu);
		if (p->n == 0) {
			pthread_mutex_unlock(&p->mu);
			return NULL;
		}
		j = p->q[p->head];
		p->head = (p->head + 1) % QUEUE_LEN;
		p->n--;
		pthread_cond_signal(&p->cv_space);
		pthread_mutex_unlock(&p->mu);
		run_job(p, &j, 0);
	}
}

/* New pool with one thread per CPU (at most MAX_WORKERS); with none when
 * threads cannot be started. */
static struct pool *
pool_alloc(void)
{
	struct pool *p;
	long ncpu;

	p = tl_xcalloc(1, sizeof(*p));
	p->err_seq = UINT64_MAX;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv_job, NULL);
	pthread_cond_init(&p->cv_space, NULL);
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (ncpu < 1)
		ncpu = 1;
	if (ncpu > MAX_WORKERS)
		ncpu = MAX_WORKERS;
	while (p->nth < (size_t)ncpu &&
	    pthread_create(&p->th[p->nth], NULL, worker, p) == 0)
		p->nth++;
	return p;
}

/* Queue the gzip of data (stolen, like path) into path. */
static void
pool_submit(struct pool *p, char *path, char *data, size_t len)
{
	struct job j = { path, data, len, 0 };

	pthread_mutex_lock(&p->mu);
	j.seq = p->seq++;
	if (p->nth == 0) {
		run_job(p, &j, 1);
		pthread_mutex_unlock(&p->mu);
		return;
	}
	while (p->n == QUEUE_LEN)
		pthread_cond_wait(&p->cv_space, &p->mu);
	p->q[(p->head + p->n) % QUEUE_LEN] = j;
	p->n++;
	pthread_cond_signal(&p->cv_job);
	pthread_mutex_unlock(&p->mu);
}

/* Has a job failed yet? */
static int
pool_failed(struct pool *p)
{
	int failed;

	pthread_mutex_lock(&p->mu);
	failed = p->err_seq != UINT64_MAX;
	pthread_mutex_unlock(&p->mu);
	return failed;
}

/* Run the queued jobs, stop the threads.  Returns 0, or -1 with err set
 * to the first failure in job order. */
static int
pool_finish(struct pool *p, struct tl_err *err)
{
	size_t i;

	if (p == NULL)
		return 0;
	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	pthread_cond_broadcast(&p->cv_job);
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < p->nth; i++)
		pthread_join(p->th[i], NULL);
	p->nth = 0;
	if (p->err_seq == UINT64_MAX)
		return 0;
	*err = p->err;
	return -1;
}

/* After pool_finish(). Accepts NULL. */
static void
pool_free(struct pool *p)
{
	if (p == NULL)
		return;
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv_job);
	pthread_cond_destroy(&p->cv_space);
	free(p);
}

/* Open path for writing, gzip'd if gz (then in the background through
 * pool unless the content grows beyond GZ_SPILL).  Returns 0, or -1 with
 * err = 73. */
static int
sink_open(struct sink *k, const char *path, int gz, struct pool *pool,
    struct tl_err *err)
{
	memset(k, 0, sizeof(*k));
	snprintf(k->path, sizeof(k->path), "%s", path);
	if (gz) {
		k->pool = pool;
		k->held = 1;
		return 0;
	}
	if ((k->fp = fopen(path, "w")) == NULL)
		return sys_err(err, TL_EX_CANTCREAT, path);
	setvbuf(k->fp, NULL, _IOFBF, IO_BUFSZ);
	return 0;
}

static int
gz_fail(struct sink *k, struct tl_err *err)
{
	int zerr;
	const char *msg;

	msg = gzerror(k->gz, &zerr);
	if (zerr == Z_ERRNO)
		return sys_err(err, TL_EX_IOERR, k->path);
	return tl_err_set(err, TL_EX_IOERR, k->path, 0, "gzip: %s", msg);
}

/* Write n bytes.  Returns 0, or -1 with err = 74 (73 if a spilled gzip
 * file cannot be created). */
static int
sink_write(struct sink *k, const void *p, size_t n, struct tl_err *err)
{
	if (n == 0)
		return 0;
	if (k->held && k->mem.len + n <= GZ_SPILL) {
		tl_buf_add(&k->mem, p, n);
		return 0;
	}
	if (k->held) {
		/* Too big to hold: gzip it here, from now on. */
		k->held = 0;
		errno = 0;
		if ((k->gz = gzopen(k->path, GZ_MODE)) == NULL) {
			if (errno == 0)
				errno = ENOMEM;
			return sys_err(err, TL_EX_CANTCREAT, k->path);
		}
		gzbuffer(k->gz, GZ_BUFSZ);
		if (sink_write(k, k->mem.data, k->mem.len, err) == -1)
			return -1;
		tl_buf_release(&k->mem);
	}
	if (k->gz != NULL) {
		if (gzwrite(k->gz, p, (unsigned)n) == 0)
			return gz_fail(k, err);
		return 0;
	}
	if (fwrite(p, 1, n, k->fp) != n)
		return sys_err(err, TL_EX_IOERR, k->path);
	return 0;
}

static int
sink_line(struct sink *k, const struct line *l, struct tl_err *err)
{
	return sink_write(k, l->b, l->n, err);
}

/* Flush and close (or hand over to the pool).  Returns 0, or -1 with
 * err = 74. */
static int
sink_close(struct sink *k, struct tl_err *err)
{
	int rc = 0, zrc;

	if (k->held) {
		k->held = 0;
		if (k->mem.data == NULL)
			tl_buf_init(&k->mem);
		pool_submit(k->pool, tl_xstrdup(k->path), k->mem.data,
		    k->mem.len);
		k->mem.data = NULL;
		k->mem.len = k->mem.cap = 0;
	}
	if (k->gz != NULL) {
		errno = 0;
		zrc = gzclose(k->gz);
		k->gz = NULL;
		if (zrc != Z_OK) {
			if (zrc == Z_ERRNO && errno != 0)
				rc = sys_err(err, TL_EX_IOERR, k->path);
			else
				rc = tl_err_set(err, TL_EX_IOERR, k->path, 0,
				    "gzip: error %d on close", zrc);
		}
	}
	if (k->fp != NULL) {
		if (ferror(k->fp)) {
			fclose(k->fp);
			errno = EIO;
			rc = sys_err(err, TL_EX_IOERR, k->path);
		} else if (fclose(k->fp) == EOF)
			rc = sys_err(err, TL_EX_IOERR, k->path);
		k->fp = NULL;
	}
	return rc;
}

/* Close without caring about errors (an error is being reported). */
static void
sink_abort(struct sink *k)
{
	if (k->gz != NULL)
		gzclose(k->gz);
	if (k->fp != NULL)
		fclose(k->fp);
	tl_buf_release(&k->mem);
	k->held = 0;
	k->gz = NULL;
	k->fp = NULL;
}

static int
path_fmt(char *buf, const char *dir, const char *rel, struct tl_err *err)
{
	int n;

	n = snprintf(buf, PATH_SZ, "%s/%s", dir, rel);
	if (n < 0 || n >= PATH_SZ)
		return tl_err_set(err, TL_EX_CANTCREAT, dir, 0,
		    "path too long");
	return 0;
}

static int
make_dir(const char *path, struct tl_err *err)
{
	struct stat sb;

	if (mkdir(path, 0777) == 0)
		return 0;
	if (errno != EEXIST)
		return sys_err(err, TL_EX_CANTCREAT, path);
	if (stat(path, &sb) == -1)
		return sys_err(err, TL_EX_CANTCREAT, path);
	if (!S_ISDIR(sb.st_mode)) {
		errno = ENOTDIR;
		return sys_err(err, TL_EX_CANTCREAT, path);
	}
	return 0;
}

/* mkdir -p dir, then make sure it is empty.  Returns 0, or -1 with
 * err = 73. */
static int
prepare_outdir(const char *dir, struct tl_err *err)
{
	struct dirent *de;
	DIR *dp;
	char *p, *s;
	int rc = 0;

	p = tl_xstrdup(dir);
	for (s = p + 1; *s != '\0' && rc == 0; s++) {
		if (*s != '/' || s[-1] == '/')
			continue;
		*s = '\0';
		rc = make_dir(p, err);
		*s = '/';
	}
	free(p);
	if (rc == -1 || make_dir(dir, err) == -1)
		return -1;
	if ((dp = opendir(dir)) == NULL)
		return sys_err(err, TL_EX_CANTCREAT, dir);
	while ((de = readdir(dp)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0) {
			rc = tl_err_set(err, TL_EX_CANTCREAT, dir, 0,
			    "directory not empty (remove it or choose "
			    "another)");
			break;
		}
	closedir(dp);
	return rc;
}

/* ---- line building --------------------------------------------------- */

static void
l_reset(struct line *l)
{
	l->n = 0;
}

static void
l_addc(struct line *l, char c)
{
	l->b[l->n++] = c;
}

static void
l_adds(struct line *l, const char *s)
{
	size_t n = strlen(s);

	memcpy(l->b + l->n, s, n);
	l->n += n;
}

/* "key": with the separator before it. */
static void
l_key(struct line *l, int *first, const char *key)
{
	l_addc(l, *first ? '{' : ',');
	*first = 0;
	l_addc(l, '"');
	l_adds(l, key);
	l_adds(l, "\":");
}

static void
l_qstr(struct line *l, const char *s)
{
	l_addc(l, '"');
	l_adds(l, s);
	l_addc(l, '"');
}

/* v / 10^dec by tl_fmt_double(): values are kept as integers in units of
 * their last decimal (cents, 1e-4) and divided only to be written. */
static void
l_fixed(struct line *l, int64_t v, int dec)
{
	static const double p10[] = { 1, 10, 100, 1000, 10000, 100000,
		1000000 };
	char buf[TL_NUM_BUFSZ];

	tl_fmt_double(buf, (double)v / p10[dec]);
	l_adds(l, buf);
}

/* An id such as "D00000001": prefix and at least width digits. */
static void
fmt_id(char *buf, size_t sz, const char *prefix, uint64_t v, int width)
{
	snprintf(buf, sz, "%s%0*llu", prefix, width, (unsigned long long)v);
}

/* The timestamp ms as text (no quotes) in spelling ts. */
static void
fmt_ts(char *buf, int64_t ms, int ts)
{
	int n;

	switch (ts) {
	case TS_EPOCH_MS:
		snprintf(buf, TL_TIME_BUFSZ, "%lld", (long long)ms);
		break;
	case TS_OFFSET:
		n = tl_time_format(buf, ms + OFFSET_MS);
		snprintf(buf + n - 1, TL_TIME_BUFSZ - (size_t)(n - 1),
		    "+05:30");
		break;
	default:
		tl_time_format(buf, ms);
		break;
	}
}

static void
fmt_date(char *buf, int64_t day)
{
	tl_time_format_date(buf, day * MS_DAY);
}

static void
fmt_month(char *buf, size_t sz, long month)
{
	snprintf(buf, sz, "%04d-%02d", (int)(month / 12),
	    (int)(month % 12 + 1));
}

static void
lower(char *dst, const char *src, size_t sz)
{
	size_t i;

	for (i = 0; src[i] != '\0' && i + 1 < sz; i++)
		dst[i] = (char)(src[i] >= 'A' && src[i] <= 'Z' ?
		    src[i] - 'A' + 'a' : src[i]);
	dst[i] = '\0';
}

/* ---- randomness helpers ---------------------------------------------- */

static double
clip(double x, double lo, double hi)
{
	return x < lo ? lo : x > hi ? hi : x;
}

static double
unif(gsl_rng *r, double lo, double hi)
{
	return lo + (hi - lo) * tl_rng_uniform(r);
}

static int
coin(gsl_rng *r, double p)
{
	return tl_rng_uniform(r) < p;
}

static int64_t
units(double x, double scale)
{
	return (int64_t)llround(x * scale);
}

/* Index drawn from the probabilities p[0..n). */
static int
draw(gsl_rng *r, const double *p, int n)
{
	double u = tl_rng_uniform(r);
	int i;

	for (i = 0; i < n - 1; i++) {
		if (u < p[i])
			return i;
		u -= p[i];
	}
	return n - 1;
}

/* ---- the world: calendar, regimes, strategies ------------------------- */

static int
weekday(int64_t z)	/* 0 Sunday .. 6 Saturday */
{
	return (int)(((z + 4) % 7 + 7) % 7);
}

static long
month_of(int64_t day)
{
	int y, m, d;

	tl_civil_from_days(day, &y, &m, &d);
	return (long)y * 12 + m - 1;
}

static int64_t
month_first(long month)
{
	return tl_days_from_civil((int)(month / 12), (int)(month % 12 + 1), 1);
}

static int64_t
trading_day(const struct gen *g, size_t i)
{
	return g->cday[g->off + i];
}

static double
roi_mean(const struct strat *s)
{
	double lb = s->lookback, ez = s->entry_z / 100.0;
	double sa = s->stop_atr / 100.0;

	return ROI_A * tanh((lb - ROI_LB_C) / ROI_LB_S) +
	    ROI_B * (ez - ROI_EZ_C) *
	    (s->universe == U_TECH ? ROI_TECH : ROI_OTHER) -
	    ROI_C * (sa - ROI_SA_C) * (sa - ROI_SA_C) / ROI_SA_S;
}

/* Calendar and regimes: weekdays from the first period's month (or the
 * start, if earlier) to the last trading day, a Markov chain over them,
 * the market series and the regime term of each period. */
static void
make_calendar(struct gen *g)
{
	const struct opts *o = g->o;
	int64_t first, z, last;
	size_t i, cap, k, *cnt, *n;
	long p, mlast;
	double ret, vol;
	int r;

	for (z = o->start; weekday(z) == 0 || weekday(z) == 6; z++)
		;
	first = z;
	for (i = 1; i < (size_t)o->days; i++) {
		z++;
		while (weekday(z) == 0 || weekday(z) == 6)
			z++;
	}
	last = z;
	mlast = month_of(last);
	g->month0 = mlast - (o->periods - 1);
	z = month_first(g->month0);
	if (first < z)
		z = first;
	cap = (size_t)(last - z + 1);
	g->cday = tl_xcalloc(cap, sizeof(*g->cday));
	g->creg = tl_xcalloc(cap, 1);
	g->nc = 0;
	r = draw(g->rw, regime_init, NREGIME);
	for (; z <= last; z++) {
		if (weekday(z) == 0 || weekday(z) == 6)
			continue;
		if (g->nc > 0)
			r = draw(g->rw, regime_trans[r], NREGIME);
		if (z == first)
			g->off = g->nc;
		g->cday[g->nc] = z;
		g->creg[g->nc++] = (unsigned char)r;
	}
	g->nd = (size_t)o->days;
	g->ret_u = tl_xcalloc(g->nd, sizeof(*g->ret_u));
	g->vol_u = tl_xcalloc(g->nd, sizeof(*g->vol_u));
	for (i = 0; i < g->nd; i++) {
		r = g->creg[g->off + i];
		ret = regime_ret_mean[r] +
		    gsl_ran_gaussian(g->rw, regime_ret_sd[r]);
		vol = regime_vol[r] * exp(gsl_ran_gaussian(g->rw, VOL_LOG_SD));
		g->ret_u[i] = units(ret, 1e6);
		g->vol_u[i] = units(vol, 1e4);
	}
	/* Regime term of each period: share of bull minus bear weekdays. */
	g->pterm = tl_xcalloc((size_t)o->periods, sizeof(*g->pterm));
	cnt = tl_xcalloc((size_t)o->periods * NREGIME, sizeof(*cnt));
	for (i = 0; i < g->nc; i++) {
		p = month_of(g->cday[i]) - g->month0;
		if (p >= 0 && p < o->periods)
			cnt[p * NREGIME + g->creg[i]]++;
	}
	for (p = 0; p < o->periods; p++) {
		n = cnt + p * NREGIME;
		k = n[BULL] + n[BEAR] + n[CHOP];
		g->pterm[p] = k == 0 ? 0 : ROI_REGIME *
		    ((double)n[BULL] - (double)n[BEAR]) / (double)k;
	}
	free(cnt);
}

static int
cmp_activity(const void *a, const void *b)
{
	const struct strat *x = *(const struct strat *const *)a;
	const struct strat *y = *(const struct strat *const *)b;

	if (x->activity != y->activity)
		return x->activity < y->activity ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* Raise the least active strategies so that each closes min_rate trades
 * a day or more on average, even once every promoted strategy trades
 * PROMO_ACTIVITY times as much: a strategy that trades once a month has
 * no returns to estimate (at the default size, 43 of seeds 1-200 gave a
 * log whose night failed in tl-allocate: seed 5 had two strategies with
 * no day in common between their first and last trades).  With c =
 * min_rate / (trades per day) and m_j the promotion multiplier, the floor
 * f solves f = c sum_j max(a_j, f) m_j: filling the lowest activities
 * up, k of them floored, f = c T_k / (1 - c M_k), where T_k sums a_j m_j
 * over the others and M_k the floored m_j.  When no f fits (c sum m_j >=
 * 1: too few trades) every strategy gets the highest activity. */
static void
act_floor(struct gen *g, double min_rate)
{
	struct strat **v;
	double c, t = 0, m = 0, f = 0, mj;
	size_t i, k;

	if (g->o->trades == 0)
		return;
	c = min_rate * (double)g->nd / (double)g->o->trades;
	v = tl_xcalloc(g->ns, sizeof(*v));
	for (i = 0; i < g->ns; i++) {
		v[i] = &g->st[i];
		t += v[i]->activity * (v[i]->promo_day >= 0 ? PROMO_ACTIVITY :
		    1);
	}
	qsort(v, g->ns, sizeof(*v), cmp_activity);
	for (k = 0; k < g->ns; k++) {
		f = 1 - c * m > 0 ? c * t / (1 - c * m) : INFINITY;
		if (f <= v[k]->activity)
			break;
		mj = v[k]->promo_day >= 0 ? PROMO_ACTIVITY : 1;
		t -= v[k]->activity * mj;
		m += mj;
	}
	if (k == g->ns)		/* no floor fits */
		f = v[g->ns - 1]->activity;
	for (i = 0; i < k; i++)
		v[i]->activity = f;
	free(v);
}

static void
make_strategies(struct gen *g)
{
	const struct opts *o = g->o;
	struct strat *s;
	size_t i, *perm, npromo, ndecay, half;
	long pm;

	g->ns = (size_t)o->strategies;
	g->st = tl_xcalloc(g->ns, sizeof(*g->st));
	for (i = 0; i < g->ns; i++) {
		s = &g->st[i];
		snprintf(s->id, sizeof(s->id), "S%04zu", i + 1);
		s->lookback = 5 + (int)tl_rng_below(g->rw, 196);
		s->entry_z = (int)units(unif(g->rw, 0.5, 3.0), 100);
		s->exit_z = (int)units(unif(g->rw, 0.0, 1.5), 100);
		s->stop_atr = (int)units(unif(g->rw, 0.5, 5.0), 100);
		s->tp_atr = (int)units(unif(g->rw, 1.0, 8.0), 100);
		s->risk = (int)units(exp(unif(g->rw, log(0.001), log(0.05))),
		    1e5);
		s->max_pos = 1 + (int)tl_rng_below(g->rw, 20);
		s->trailing = coin(g->rw, 0.5);
		s->universe = (int)tl_rng_below(g->rw, NUNIVERSE);
		s->filter = (int)tl_rng_below(g->rw, NFILTER);
		s->vol = unif(g->rw, VOL_LO, VOL_HI);
		s->edge = clip(gsl_ran_gaussian(g->rw, EDGE_SD), -EDGE_MAX,
		    EDGE_MAX);
		s->activity = exp(gsl_ran_gaussian(g->rw, ACTIVITY_SD));
		s->roi_mean = roi_mean(s);
		s->promo_day = -1;
		s->is_period = -1;
	}
	/* Promotions: a random PROMOTE_RATE of them, in the first half of
	 * the days; a third of those (at least one when ns >= 3) decay. */
	npromo = n_promoted(g->ns);
	ndecay = (npromo + 1) / 3;
	if (ndecay == 0 && npromo > 0 && g->ns >= 3)
		ndecay = 1;
	perm = tl_xcalloc(g->ns, sizeof(*perm));
	for (i = 0; i < g->ns; i++)
		perm[i] = i;
	gsl_ran_shuffle(g->rw, perm, g->ns, sizeof(*perm));
	half = (g->nd + 1) / 2;
	for (i = 0; i < npromo; i++) {
		s = &g->st[perm[i]];
		s->promo_day = (long)tl_rng_below(g->rw, half);
		s->decaying = i < ndecay;
		s->edge = unif(g->rw, PROMO_EDGE_LO, PROMO_EDGE_HI);
		pm = month_of(trading_day(g, (size_t)s->promo_day)) - 1;
		if (pm >= g->month0)
			s->is_period = pm - g->month0;
	}
	g->npromo = npromo;
	free(perm);
	for (i = 0; i < NSYM; i++)
		g->price[i] = sym_price[i] / 100.0;
	act_floor(g, o->churn ? CHURN_MIN_RATE : MIN_RATE);
}

/* The churn plan: late starts and retirements among the strategies that
 * are never promoted; the new name of a renamed one follows the last
 * strategy's. */
static int
make_churn(struct gen *g, struct tl_err *err)
{
	const struct tl_churn_role *ro;
	unsigned char *eligible;
	size_t i;

	eligible = tl_xcalloc(g->ns, 1);
	for (i = 0; i < g->ns; i++)
		eligible[i] = g->st[i].promo_day < 0;
	g->churn = tl_churn_alloc(&g->o->churn_spec, g->ns, g->nd, eligible,
	    g->rc, err);
	free(eligible);
	if (g->churn == NULL)
		return -1;
	g->ev = tl_churn_events(g->churn, &g->nev);
	g->w = tl_xcalloc(g->ns, sizeof(*g->w));
	g->last_exit = tl_xcalloc(g->ns, sizeof(*g->last_exit));
	for (i = 0; i < g->ns; i++) {
		g->last_exit[i] = -1;
		ro = tl_churn_role(g->churn, i);
		if (ro->kind == TL_CHURN_RENAME)
			snprintf(g->st[i].alias, sizeof(g->st[i].alias),
			    "S%04zu", g->ns + ro->seq + 1);
	}
	return 0;
}

/* The name strategy i carries on calendar day z. */
static const char *
strat_name(const struct gen *g, size_t i, int64_t z)
{
	const struct tl_churn_role *ro;

	if (g->churn == NULL)
		return g->st[i].id;
	ro = tl_churn_role(g->churn, i);
	return ro->kind == TL_CHURN_RENAME && z >= trading_day(g, ro->day) ?
	    g->st[i].alias : g->st[i].id;
}

/* Add v to the activity of strategy i (a Fenwick tree over g->act). */
static void
act_add(struct gen *g, size_t i, double v)
{
	for (i++; i <= g->ns; i += i & (~i + 1))
		g->act[i - 1] += v;
	g->act_sum += v;
}

/* Churn: make strategy i's weight the one of day d (0 when it does not
 * decide that day). */
static void
act_set(struct gen *g, size_t i, size_t d)
{
	const struct strat *s = &g->st[i];
	double w = 0;

	if (tl_churn_live(g->churn, i, d))
		w = s->promo_day >= 0 && (size_t)s->promo_day <= d ?
		    s->activity * PROMO_ACTIVITY : s->activity;
	act_add(g, i, w - g->w[i]);
	g->w[i] = w;
}

static void
act_init(struct gen *g)
{
	size_t i;

	g->act = tl_xcalloc(g->ns, sizeof(*g->act));
	g->act_sum = 0;
	g->last_trade = tl_xcalloc(g->ns, sizeof(*g->last_trade));
	g->due = tl_xcalloc(g->ns, sizeof(*g->due));
	g->keep = g->churn != NULL ? CHURN_KEEP : KEEP_DAYS;
	for (i = 0; i < g->ns; i++)
		g->last_trade[i] = -1;
	for (i = 0; i < g->ns; i++)
		if (g->churn != NULL)
			act_set(g, i, 0);
		else
			act_add(g, i, g->st[i].activity);
}

/* Strategies promoted on day d decide PROMO_ACTIVITY times as often; with
 * churn, the weights of the strategies that start or stop on day d
 * change too. */
static void
act_update(struct gen *g, size_t d)
{
	struct strat *s;
	size_t i;

	while (g->next_promo < g->npromos &&
	    (size_t)g->promos[g->next_promo]->promo_day <= d) {
		s = g->promos[g->next_promo++];
		if (g->churn != NULL)
			act_set(g, (size_t)(s - g->st), d);
		else
			act_add(g, (size_t)(s - g->st),
			    s->activity * (PROMO_ACTIVITY - 1));
	}
	while (g->next_ev < g->nev && g->ev[g->next_ev].day <= d) {
		i = g->ev[g->next_ev++].strategy;
		act_set(g, i, d);
		g->last_trade[i] = (long)d - 1;	/* due from d + KEEP - 1 */
	}
}

/* A strategy drawn in proportion to its activity. */
static uint32_t
pick_strategy(struct gen *g)
{
	double u = tl_rng_uniform(g->rl) * g->act_sum;
	size_t pos = 0, step = 1;

	while (step * 2 <= g->ns)
		step *= 2;
	for (; step > 0; step /= 2)
		if (pos + step <= g->ns && g->act[pos + step - 1] <= u) {
			pos += step;
			u -= g->act[pos - 1];
		}
	return (uint32_t)(pos < g->ns ? pos : g->ns - 1);
}

/* A strategy that decides on day d, in proportion to its weight.  With
 * churn a draw is made again when it lands on one that does not (only a
 * rounding residue of the tree's sums can give it a chance). */
static uint32_t
pick_live(struct gen *g, size_t d)
{
	uint32_t i;

	do
		i = pick_strategy(g);
	while (g->churn != NULL && !tl_churn_live(g->churn, i, d));
	return i;
}

/* Spread the trades and extra decisions over the days. */
static void
make_counts(struct gen *g)
{
	const struct opts *o = g->o;
	double *w;
	size_t i;
	unsigned int extra;

	w = tl_xcalloc(g->nd, sizeof(*w));
	for (i = 0; i < g->nd; i++)
		w[i] = gsl_ran_gamma(g->rw, DAY_SHAPE, 1.0);
	g->ntr = tl_xcalloc(g->nd, sizeof(*g->ntr));
	g->nhold = tl_xcalloc(g->nd, sizeof(*g->nhold));
	g->nopen = tl_xcalloc(g->nd, sizeof(*g->nopen));
	extra = (unsigned int)floor(EXTRA_RATE * (double)o->trades + 0.5);
	gsl_ran_multinomial(g->rw, g->nd, (unsigned int)o->trades, w, g->ntr);
	gsl_ran_multinomial(g->rw, g->nd, extra / 2, w, g->nhold);
	gsl_ran_multinomial(g->rw, g->nd, extra - extra / 2, w, g->nopen);
	free(w);
}

/* ---- market.csv, runs, promotions ------------------------------------- */

static int
write_market(struct gen *g, struct tl_err *err)
{
	struct sink k;
	char path[PATH_SZ], date[TL_TIME_BUFSZ];
	size_t i;

	if (path_fmt(path, g->o->outdir, "market.csv", err) == -1 ||
	    sink_open(&k, path, 0, NULL, err) == -1)
		return -1;
	l_reset(&g->l);
	l_adds(&g->l, "date,ret,vol\n");
	if (sink_line(&k, &g->l, err) == -1)
		goto fail;
	for (i = 0; i < g->nd; i++) {
		l_reset(&g->l);
		fmt_date(date, trading_day(g, i));
		l_adds(&g->l, date);
		l_addc(&g->l, ',');
		l_fixed(&g->l, g->ret_u[i], 6);
		l_addc(&g->l, ',');
		l_fixed(&g->l, g->vol_u[i], 4);
		l_addc(&g->l, '\n');
		if (sink_line(&k, &g->l, err) == -1)
			goto fail;
	}
	return sink_close(&k, err);
fail:
	sink_abort(&k);
	return -1;
}

static void
l_genome(struct line *l, const struct strat *s)
{
	l_adds(l, "{\"lookback\":");
	l_fixed(l, s->lookback, 0);
	l_adds(l, ",\"entry_z\":");
	l_fixed(l, s->entry_z, 2);
	l_adds(l, ",\"exit_z\":");
	l_fixed(l, s->exit_z, 2);
	l_adds(l, ",\"stop_atr\":");
	l_fixed(l, s->stop_atr, 2);
	l_adds(l, ",\"take_profit_atr\":");
	l_fixed(l, s->tp_atr, 2);
	l_adds(l, ",\"use_trailing\":");
	l_adds(l, s->trailing ? "true" : "false");
	l_adds(l, ",\"universe\":");
	l_qstr(l, universe_names[s->universe]);
	l_adds(l, ",\"filter\":");
	l_qstr(l, filter_names[s->filter]);
	l_adds(l, ",\"risk_per_trade\":");
	l_fixed(l, s->risk, 5);
	l_adds(l, ",\"max_positions\":");
	l_fixed(l, s->max_pos, 0);
	l_addc(l, '}');
}

/* Does strategy i have a run of the period that begins on day z?  A late
 * starter has none that begins before its start, a retired one none that
 * begins after its retirement. */
static int
run_kept(const struct gen *g, size_t i, int64_t z)
{
	const struct tl_churn_role *ro;

	if (g->churn == NULL)
		return 1;
	ro = tl_churn_role(g->churn, i);
	if (ro->kind == TL_CHURN_LATE)
		return z >= trading_day(g, ro->day);
	if (ro->kind == TL_CHURN_RETIRE)
		return z <= trading_day(g, ro->day);
	return 1;
}

static int
write_runs(struct gen *g, struct tl_err *err)
{
	const struct opts *o = g->o;
	struct sink k;
	struct strat *s;
	struct line *l = &g->l;
	char path[PATH_SZ], rel[64], month[24], d0[TL_TIME_BUFSZ],
	    d1[TL_TIME_BUFSZ], id[24];
	int64_t roi, sharpe, mdd, wr, z0;
	double x;
	long p;
	size_t i;
	unsigned int ntr;
	const char *kind;

	if (path_fmt(path, o->outdir, "logs/runs", err) == -1 ||
	    make_dir(path, err) == -1)
		return -1;
	for (p = 0; p < o->periods; p++) {
		fmt_month(month, sizeof(month), g->month0 + p);
		z0 = month_first(g->month0 + p);
		fmt_date(d0, z0);
		fmt_date(d1, month_first(g->month0 + p + 1) - 1);
		kind = month_first(g->month0 + p + 1) <= trading_day(g, 0) ?
		    "backtest" : "sim";
		snprintf(rel, sizeof(rel), "logs/runs/runs-%s.jsonl", month);
		if (path_fmt(path, o->outdir, rel, err) == -1 ||
		    sink_open(&k, path, 0, NULL, err) == -1)
			return -1;
		for (i = 0; i < g->ns; i++) {
			s = &g->st[i];
			x = s->roi_mean + g->pterm[p] +
			    gsl_ran_gaussian(g->rr, ROI_NOISE);
			roi = units(x, 1e4);
			sharpe = units(x / s->vol +
			    gsl_ran_gaussian(g->rr, SHARPE_NOISE), 100);
			mdd = units(clip(s->vol * (0.8 +
			    fabs(gsl_ran_gaussian(g->rr, 0.6))) - 0.3 * x,
			    0.002, 0.6), 1e4);
			wr = units(clip(0.5 + 2 * x +
			    gsl_ran_gaussian(g->rr, 0.03), 0.2, 0.8), 1e3);
			if (s->is_period == p) {
				s->is_roi = roi;
				s->is_sharpe = sharpe;
			}
			/* drawn all the same: the other runs stay as they
			 * are without churn */
			ntr = gsl_ran_poisson(g->rr, 15 + 4 * s->max_pos);
			if (!run_kept(g, i, z0))
				continue;
			g->nruns++;
			fmt_id(id, sizeof(id), "R",
			    (uint64_t)p * g->ns + i + 1, 7);
			l_reset(l);
			l_adds(l, "{\"id\":");
			l_qstr(l, id);
			l_adds(l, ",\"kind\":");
			l_qstr(l, kind);
			l_adds(l, ",\"strategy\":");
			l_qstr(l, strat_name(g, i, z0));
			l_adds(l, ",\"period\":");
			l_qstr(l, month);
			l_adds(l, ",\"start\":");
			l_qstr(l, d0);
			l_adds(l, ",\"end\":");
			l_qstr(l, d1);
			l_adds(l, ",\"genome\":");
			l_genome(l, s);
			l_adds(l, ",\"metrics\":{\"roi\":");
			l_fixed(l, roi, 4);
			l_adds(l, ",\"sharpe\":");
			l_fixed(l, sharpe, 2);
			l_adds(l, ",\"max_dd\":");
			l_fixed(l, mdd, 4);
			l_adds(l, ",\"win_rate\":");
			l_fixed(l, wr, 3);
			l_adds(l, ",\"trades\":");
			l_fixed(l, (int64_t)ntr, 0);
			l_adds(l, "}}\n");
			if (sink_line(&k, l, err) == -1) {
				sink_abort(&k);
				return -1;
			}
		}
		if (sink_close(&k, err) == -1)
			return -1;
	}
	return 0;
}

static int
cmp_promo(const void *a, const void *b)
{
	const struct strat *x = *(const struct strat *const *)a;
	const struct strat *y = *(const struct strat *const *)b;

	if (x->promo_day != y->promo_day)
		return x->promo_day < y->promo_day ? -1 : 1;
	return strcmp(x->id, y->id);
}

/* The promoted strategies in promotion order; new array of *n. */
static struct strat **
promoted(struct gen *g, size_t *n)
{
	struct strat **v;
	size_t i;

	v = tl_xcalloc(g->ns, sizeof(*v));
	for (*n = 0, i = 0; i < g->ns; i++)
		if (g->st[i].promo_day >= 0)
			v[(*n)++] = &g->st[i];
	qsort(v, *n, sizeof(*v), cmp_promo);
	return v;
}

static int
write_promotions(struct gen *g, struct tl_err *err)
{
	struct sink k;
	struct strat **v, *s;
	struct line *l = &g->l;
	char path[PATH_SZ], ts[TL_TIME_BUFSZ], id[24];
	size_t i, n;
	int64_t z;
	int rc = 0;

	if (path_fmt(path, g->o->outdir, "logs/promotions.jsonl", err) ==
	    -1 || sink_open(&k, path, 0, NULL, err) == -1)
		return -1;
	v = promoted(g, &n);
	for (i = 0; i < n && rc == 0; i++) {
		s = v[i];
		z = trading_day(g, (size_t)s->promo_day);
		fmt_ts(ts, z * MS_DAY + PROMO_MS, TS_CANON);
		l_reset(l);
		l_adds(l, "{\"strategy\":");
		l_qstr(l, strat_name(g, (size_t)(s - g->st), z));
		l_adds(l, ",\"ts\":");
		l_qstr(l, ts);
		if (s->is_period >= 0) {
			fmt_id(id, sizeof(id), "R", (uint64_t)s->is_period *
			    g->ns + (size_t)(s - g->st) + 1, 7);
			l_adds(l, ",\"run_id\":");
			l_qstr(l, id);
			l_adds(l, ",\"in_sample\":{\"sharpe\":");
			l_fixed(l, s->is_sharpe, 2);
			l_adds(l, ",\"roi\":");
			l_fixed(l, s->is_roi, 4);
			l_addc(l, '}');
		}
		l_adds(l, "}\n");
		rc = sink_line(&k, l, err);
	}
	free(v);
	if (rc == -1) {
		sink_abort(&k);
		return -1;
	}
	return sink_close(&k, err);
}

/* ---- churn: retirements, aliases ---------------------------------------- */

/* logs/retirements.jsonl: each retired strategy at the close of its last
 * day; aliases.csv: old,new for each renamed one. */
static int
write_churn(struct gen *g, struct tl_err *err)
{
	struct sink k;
	struct line *l = &g->l;
	char path[PATH_SZ], ts[TL_TIME_BUFSZ];
	size_t i, n, *v;
	const struct tl_churn_role *ro;
	int rc = 0;

	if (path_fmt(path, g->o->outdir, "logs/retirements.jsonl", err) ==
	    -1 || sink_open(&k, path, 0, NULL, err) == -1)
		return -1;
	v = tl_churn_with_role(g->churn, TL_CHURN_RETIRE, &n);
	for (i = 0; i < n && rc == 0; i++) {
		ro = tl_churn_role(g->churn, v[i]);
		fmt_ts(ts, trading_day(g, ro->day) * MS_DAY + CLOSE_MS,
		    TS_CANON);
		l_reset(l);
		l_adds(l, "{\"strategy\":");
		l_qstr(l, g->st[v[i]].id);
		l_adds(l, ",\"ts\":");
		l_qstr(l, ts);
		l_adds(l, ",\"reason\":");
		l_qstr(l, RETIRE_REASON);
		l_adds(l, "}\n");
		rc = sink_line(&k, l, err);
	}
	free(v);
	if (rc == -1 || sink_close(&k, err) == -1)
		goto fail;
	if (path_fmt(path, g->o->outdir, "aliases.csv", err) == -1 ||
	    sink_open(&k, path, 0, NULL, err) == -1)
		return -1;
	l_reset(l);
	l_adds(l, "old,new\n");
	rc = sink_line(&k, l, err);
	v = tl_churn_with_role(g->churn, TL_CHURN_RENAME, &n);
	for (i = 0; i < n && rc == 0; i++) {
		l_reset(l);
		l_adds(l, g->st[v[i]].id);
		l_addc(l, ',');
		l_adds(l, g->st[v[i]].alias);
		l_addc(l, '\n');
		rc = sink_line(&k, l, err);
	}
	free(v);
	if (rc == 0 && sink_close(&k, err) == 0)
		return 0;
fail:
	sink_abort(&k);
	return -1;
}

/* ---- decisions and trades --------------------------------------------- */

static int
cmp_dec(const void *a, const void *b)
{
	const struct dec *x = a, *y = b;

	if (x->ms != y->ms)
		return x->ms < y->ms ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int
cmp_trade(const void *a, const void *b)
{
	const struct trade *x = a, *y = b;

	if (x->exit_ms != y->exit_ms)
		return x->exit_ms < y->exit_ms ? -1 : 1;
	return x->did < y->did ? -1 : x->did > y->did;
}

static int16_t
component(gsl_rng *r, double shift)
{
	return (int16_t)units(clip(0.5 + shift + gsl_ran_gaussian(r, COMP_SD),
	    0, 1), 100);
}

/* The strategies that decide on day d but had no trade decision on the
 * g->keep - 1 days before, by index, into g->due; their number. */
static size_t
due_trades(struct gen *g, size_t d)
{
	size_t i, n = 0;

	for (i = 0; i < g->ns; i++)
		if ((long)d - g->last_trade[i] >= g->keep && (g->churn ==
		    NULL || tl_churn_live(g->churn, i, d)))
			g->due[n++] = i;
	return n;
}

/* Draw the decisions of day d into g->decs (unsorted).  The first trades
 * go to the strategies that are due one, so that a strategy's returns
 * never pause by chance for long. */
static size_t
make_decisions(struct gen *g, size_t d)
{
	struct dec *x;
	const struct strat *s;
	size_t i, n, ntr = g->ntr[d], nh = g->nhold[d], ndue;
	int64_t day_ms = trading_day(g, d) * MS_DAY;
	double p, edge, sr, sign;
	int k, r = g->creg[g->off + d];

	n = ntr + nh + g->nopen[d];
	ndue = due_trades(g, d);
	if (n > g->cdecs) {
		g->cdecs = n + n / 2;
		g->decs = tl_xreallocarray(g->decs, g->cdecs,
		    sizeof(*g->decs));
	}
	for (i = 0; i < n; i++) {
		x = &g->decs[i];
		memset(x, 0, sizeof(*x));
		x->kind = i < ntr ? REC_TRADE : i < ntr + nh ? REC_HOLD :
		    REC_OPEN;
		x->seq = (uint32_t)i;
		x->ms = day_ms + OPEN_MS +
		    (int64_t)tl_rng_below(g->rl, LAST_DEC_MS - OPEN_MS);
		x->strat = i < ndue && i < ntr ? (uint32_t)g->due[i] :
		    pick_live(g, d);
		if (x->kind == REC_TRADE)
			g->last_trade[x->strat] = (long)d;
		s = &g->st[x->strat];
		x->sym = (uint16_t)(universe_lo[s->universe] +
		    (int)tl_rng_below(g->rl,
		    (unsigned long)universe_n[s->universe]));
		x->regime = (uint8_t)r;
		for (k = 0; k < NSIGNAL; k++)
			if (coin(g->rl, signal_rate[k]))
				x->signals |= (uint8_t)(1u << k);
		sr = 0;
		if (x->kind != REC_HOLD) {
			x->side = !coin(g->rl, regime_long[r]);
			if (r == BULL)
				sr = x->side == 0 ? P_SIDE_REGIME :
				    -P_SIDE_REGIME;
			else if (r == BEAR)
				sr = x->side == 1 ? P_SIDE_REGIME :
				    -P_SIDE_REGIME;
		}
		edge = s->edge;
		if (s->decaying && (size_t)s->promo_day <= d)
			edge += DECAY_SHIFT;
		p = clip(P_BASE + edge +
		    P_MOMENTUM * ((x->signals >> SIG_MOMENTUM) & 1) +
		    P_VOLSPIKE * ((x->signals >> SIG_VOLUME_SPIKE) & 1) + sr +
		    gsl_ran_gaussian(g->rl, P_NOISE), P_LO, P_HI);
		x->win = coin(g->rl, p);
		x->conf = (int16_t)units(clip(0.5 + CONF_SLOPE * (p - 0.5),
		    CONF_LO, CONF_HI), 1e4);
		sign = x->kind == REC_HOLD ? 0 : x->win ? 1 : -1;
		x->comp[COMP_THEME] = component(g->rl, 0);
		x->comp[COMP_TECH] = component(g->rl, sign * COMP_TECHNICAL);
		x->comp[COMP_AIX] = component(g->rl, sign * COMP_AI);
		x->comp[COMP_SENT] = component(g->rl, 0);
		for (k = 0; k < NVOTE; k++)
			if (coin(g->rl, x->kind == REC_HOLD ? VOTE_HOLD :
			    VOTE_APPROVE))
				x->votes |= (uint8_t)(1u << k);
	}
	if (n > 1)
		qsort(g->decs, n, sizeof(*g->decs), cmp_dec);
	return n;
}

/* The closed trade of decision x (number did) on day d, queued for the
 * trades file of its exit day. */
static void
make_trade(struct gen *g, const struct dec *x, uint64_t did, int dec_bad,
    size_t d)
{
	const struct strat *s = &g->st[x->strat];
	struct trade *t;
	size_t k, ed, b, lim;
	int64_t lo, hi, m, delta;
	double u, px, notional, r;

	u = tl_rng_uniform(g->rl);
	k = u < 0.55 ? 0 : u < 0.80 ? 1 : u < 0.92 ? 2 : 3;
	lim = g->churn != NULL ? tl_churn_exit_limit(g->churn, x->strat, d) :
	    g->nd - 1;
	if (d + k > lim)
		k = lim - d;
	ed = d + k;
	b = ed % NBUCKET;
	if (g->nbk[b] == g->cbk[b]) {
		g->cbk[b] = g->cbk[b] < 64 ? 64 : g->cbk[b] * 2;
		g->bk[b] = tl_xreallocarray(g->bk[b], g->cbk[b],
		    sizeof(*g->bk[b]));
	}
	t = &g->bk[b][g->nbk[b]++];
	memset(t, 0, sizeof(*t));
	t->did = did;
	t->strat = x->strat;
	t->sym = x->sym;
	t->side = x->side;
	t->dec_bad = (uint8_t)dec_bad;
	t->entry_ms = (x->ms / 1000 + 1 +
	    (int64_t)tl_rng_below(g->rl, 4)) * 1000;
	if (k == 0) {
		lo = t->entry_ms + MIN_HOLD_MS;
		hi = trading_day(g, d) * MS_DAY + CLOSE_MS;
		t->exit_ms = lo + (int64_t)tl_rng_below(g->rl,
		    (unsigned long)(hi - lo));
	} else
		t->exit_ms = trading_day(g, ed) * MS_DAY + OPEN_MS +
		    (int64_t)tl_rng_below(g->rl, CLOSE_MS - OPEN_MS);
	t->exit_ms = t->exit_ms / 1000 * 1000;

	px = g->price[x->sym] * (1 + gsl_ran_gaussian(g->rl, 0.002));
	t->entry_c = units(px, 100);
	if (t->entry_c < 100)
		t->entry_c = 100;
	notional = s->risk * 1e-5 * 1e6 * exp(gsl_ran_gaussian(g->rl, 0.3));
	t->qty = (int64_t)(notional / (t->entry_c / 100.0));
	if (t->qty < 1)
		t->qty = 1;
	t->fees_c = (t->qty + 1) / 2 < 100 ? 100 : (t->qty + 1) / 2;
	r = exp(gsl_ran_gaussian(g->rl, 0.6)) * 0.006 *
	    (g->vol_u[d] / 1e4 / VOL_REF) * sqrt(1.0 + (double)k);
	m = units(t->entry_c * r, 1);
	if (m > t->entry_c / 4)
		m = t->entry_c / 4;
	if (m < 1)
		m = 1;
	u = tl_rng_uniform(g->rl);
	if (x->win) {
		delta = t->fees_c / t->qty + m;
		t->reason = u < 0.6 ? R_TAKE_PROFIT : u < 0.8 ?
		    R_SIGNAL_EXIT : R_TIME_EXIT;
	} else {
		delta = -m;
		t->reason = u < 0.6 ? R_STOP_LOSS : u < 0.85 ?
		    R_TIME_EXIT : R_SIGNAL_EXIT;
	}
	t->exit_c = t->entry_c + (x->side == 0 ? delta : -delta);
	if (t->exit_c < 1) {
		t->exit_c = 1;
		delta = t->entry_c - 1;
	}
	t->pnl_c = t->qty * delta;
	t->mfe_c = (t->pnl_c > 0 ? t->pnl_c : 0) +
	    units(t->qty * m * unif(g->rl, 0, 0.8), 1);
	t->mae_c = (t->pnl_c < 0 ? t->pnl_c : 0) -
	    units(t->qty * m * unif(g->rl, 0, 0.8), 1);
}

/* Choose a dirt kind for the next line, or -1 for a clean one. */
static int
pick_dirt(struct gen *g, int out)
{
	if (g->o->dirt <= 0 || tl_rng_uniform(g->rd) >= g->o->dirt)
		return -1;
	if (out)
		return trade_dirt[tl_rng_below(g->rd, NTRADE_DIRT)];
	return dec_dirt[tl_rng_below(g->rd, NDEC_DIRT)];
}

static void
view_init(struct view *v)
{
	memset(v, 0, sizeof(*v));
	v->omit = -1;
	v->ts = TS_CANON;
}

/* Apply the valid variants to v. */
static void
view_variant(struct gen *g, struct view *v, int kind, int out, int side)
{
	static const char *const dec_verbs[3][4] = {
		{ "BUY", "Buy", "long", "Long" },
		{ "SELL", "Sell", "short", "Short" },
		{ "HOLD", "Hold", "HOLD", "Hold" },
	};
	static const char *const side_verbs[2][4] = {
		{ "Long", "LONG", "buy", "Buy" },
		{ "Short", "SHORT", "sell", "Sell" },
	};

	if (kind == D_VARIANT_TS)
		v->ts = coin(g->rd, 0.5) ? TS_EPOCH_MS : TS_OFFSET;
	else if (coin(g->rd, 0.5))
		v->lower = 1;
	else if (out)
		v->verb = side_verbs[side][tl_rng_below(g->rd, 4)];
	else
		v->verb = dec_verbs[side][tl_rng_below(g->rd, 4)];
}

static void
l_ts(struct line *l, int64_t ms, int ts, int csv)
{
	char buf[TL_TIME_BUFSZ];

	fmt_ts(buf, ms, ts);
	if (ts == TS_EPOCH_MS || csv)
		l_adds(l, buf);
	else
		l_qstr(l, buf);
}

static void
l_symbol(struct line *l, const char *sym, int low, int csv)
{
	char buf[16];

	if (low) {
		lower(buf, sym, sizeof(buf));
		sym = buf;
	}
	if (csv)
		l_adds(l, sym);
	else
		l_qstr(l, sym);
}

static void
render_decision(struct line *l, const struct dec *x,
    const char *id, const struct view *v)
{
	static const char *const actions[3] = { "buy", "sell", "hold" };
	int first = 1, k, a = x->kind == REC_HOLD ? 2 : x->side;

	l_reset(l);
	if (v->omit != DF_ID) {
		l_key(l, &first, "id");
		l_qstr(l, id);
	}
	if (v->omit != DF_TS) {
		l_key(l, &first, "ts");
		l_ts(l, x->ms, v->ts, 0);
	}
	if (v->omit != DF_SYMBOL) {
		l_key(l, &first, "symbol");
		l_symbol(l, sym_names[x->sym], v->lower, 0);
	}
	if (v->omit != DF_STRATEGY) {
		l_key(l, &first, "strategy");
		l_qstr(l, v->strat);
	}
	if (v->omit != DF_ACTION) {
		l_key(l, &first, "action");
		l_qstr(l, v->verb != NULL ? v->verb : actions[a]);
	}
	l_key(l, &first, "confidence");
	l_fixed(l, x->conf, 4);
	l_adds(l, ",\"components\":");
	for (k = 0; k < NCOMP; k++) {
		l_adds(l, k == 0 ? "{\"" : ",\"");
		l_adds(l, comp_names[k]);
		l_adds(l, "\":");
		l_fixed(l, x->comp[k], 2);
	}
	l_adds(l, "},\"signals\":");
	for (k = 0; k < NSIGNAL; k++) {
		l_adds(l, k == 0 ? "{\"" : ",\"");
		l_adds(l, signal_names[k]);
		l_adds(l, (x->signals >> k) & 1 ? "\":1" : "\":0");
	}
	l_adds(l, "},\"votes\":");
	for (k = 0; k < NVOTE; k++) {
		l_adds(l, k == 0 ? "{\"" : ",\"");
		l_adds(l, vote_names[k]);
		l_adds(l, (x->votes >> k) & 1 ? "\":\"approve\"" :
		    "\":\"reject\"");
	}
	l_adds(l, "},\"regime\":");
	l_qstr(l, regime_names[x->regime]);
	l_adds(l, "}\n");
}

/* A CSV cell; quoted (RFC 4180) when it holds a comma, quote or newline. */
static void
l_csv(struct line *l, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		l_adds(l, s);
		return;
	}
	l_addc(l, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"')
			l_addc(l, '"');
		l_addc(l, *s);
	}
	l_addc(l, '"');
}

static void
l_str(struct line *l, const char *s, int csv)
{
	if (csv)
		l_csv(l, s);
	else
		l_qstr(l, s);
}

static void
render_trade(struct line *l, const struct trade *t,
    const struct view *v, int csv)
{
	static const char *const sides[2] = { "long", "short" };
	struct line tmp;
	int f, first = 1;

	l_reset(l);
	for (f = 0; f < NTF; f++) {
		if (csv) {
			if (f > 0)
				l_addc(l, ',');
			if (f == v->omit)
				continue;
		} else {
			if (f == v->omit)
				continue;
			l_key(l, &first, tf_names[f]);
		}
		switch (f) {
		case TF_ID:
			l_str(l, v->id, csv);
			break;
		case TF_DID:
			l_str(l, v->did, csv);
			break;
		case TF_SYMBOL:
			l_symbol(l, sym_names[t->sym], v->lower, csv);
			break;
		case TF_STRATEGY:
			l_str(l, v->strat, csv);
			break;
		case TF_SIDE:
			l_str(l, v->verb != NULL ? v->verb : sides[t->side],
			    csv);
			break;
		case TF_ENTRY_TS:
			l_ts(l, t->entry_ms, v->ts, csv);
			break;
		case TF_EXIT_TS:
			l_ts(l, t->exit_ms, v->ts, csv);
			break;
		case TF_ENTRY_PRICE:
			l_fixed(l, t->entry_c, 2);
			break;
		case TF_EXIT_PRICE:
			l_fixed(l, t->exit_c, 2);
			break;
		case TF_QTY:
			l_fixed(l, t->qty, 0);
			break;
		case TF_PNL:
			if (!v->pnl_str) {
				l_fixed(l, v->pnl_c, 2);
				break;
			}
			l_reset(&tmp);
			l_fixed(&tmp, v->pnl_c, 2);
			if (csv)
				l_adds(&tmp, " USD");
			tmp.b[tmp.n] = '\0';
			l_str(l, tmp.b, csv);
			break;
		case TF_FEES:
			l_fixed(l, t->fees_c, 2);
			break;
		case TF_MFE:
			l_fixed(l, t->mfe_c, 2);
			break;
		case TF_MAE:
			l_fixed(l, t->mae_c, 2);
			break;
		default:
			l_str(l, reason_names[t->reason], csv);
			break;
		}
	}
	if (!csv)
		l_addc(l, '}');
	l_addc(l, '\n');
}

/* Write decision x (number did) of day d with its dirt; returns 0 or -1.
 * *bad says whether its line is damaged. */
static int
emit_decision(struct gen *g, struct sink *k, const struct dec *x,
    uint64_t did, size_t d, int *bad, struct tl_err *err)
{
	char id[24];
	struct view v;
	int dk;

	fmt_id(id, sizeof(id), "D", did, 8);
	view_init(&v);
	v.strat = strat_name(g, x->strat, trading_day(g, d));
	*bad = 0;
	dk = pick_dirt(g, 0);
	if (dk == D_MISSING) {
		v.omit = (int)tl_rng_below(g->rd, NDEC_REQ);
		*bad = 1;
	} else if (dk == D_VARIANT_TS || dk == D_VARIANT_CASE)
		view_variant(g, &v, dk, 0, x->kind == REC_HOLD ? 2 : x->side);
	if (dk >= 0)
		g->dirt[KIND_DEC][dk]++;
	render_decision(&g->l, x, id, &v);
	if (sink_line(k, &g->l, err) == -1)
		return -1;
	if (dk == D_DUPLICATE && sink_line(k, &g->l, err) == -1)
		return -1;
	return 0;
}

/* Write trade t, which closes on day d, with its dirt; last says it ends
 * the last trades file. */
static int
emit_trade(struct gen *g, struct sink *k, const struct trade *t, size_t d,
    int csv, int last, struct tl_err *err)
{
	struct view v;
	int64_t dp;
	size_t cut;
	int dk, bad = 0;

	view_init(&v);
	v.strat = strat_name(g, t->strat, trading_day(g, d));
	if (g->last_exit != NULL)
		g->last_exit[t->strat] = (long)d;
	g->ntrade++;
	fmt_id(v.id, sizeof(v.id), "T", g->ntrade, 8);
	fmt_id(v.did, sizeof(v.did), "D", t->did, 8);
	v.pnl_c = t->pnl_c;
	dk = last && g->o->dirt > 0 ? D_TRUNCATED : pick_dirt(g, 1);
	if (dk == D_MISSING) {
		v.omit = trade_req[tl_rng_below(g->rd,
		    sizeof(trade_req) / sizeof(trade_req[0]))];
		bad = 1;
	} else if (dk == D_WRONG_TYPE) {
		v.pnl_str = 1;
		bad = 1;
	} else if (dk == D_VARIANT_TS || dk == D_VARIANT_CASE)
		view_variant(g, &v, dk, 1, t->side);
	if (dk >= 0)
		g->dirt[KIND_OUT][dk]++;
	render_trade(&g->l, t, &v, csv);
	if (dk == D_TRUNCATED) {
		bad = 1;
		cut = g->l.n / 3 + tl_rng_below(g->rd, g->l.n / 3);
		g->l.n = cut;
	}
	if (bad)
		g->bad_out++;
	else if (!t->dec_bad)
		g->matched++;
	if (sink_line(k, &g->l, err) == -1)
		return -1;
	switch (dk) {
	case D_DUPLICATE:
		return sink_line(k, &g->l, err);
	case D_CONFLICT:
		dp = 1 + (int64_t)tl_rng_below(g->rd, 5000);
		v.pnl_c += coin(g->rd, 0.5) ? dp : -dp;
		render_trade(&g->l2, t, &v, csv);
		return sink_line(k, &g->l2, err);
	case D_ORPHAN:
		g->norphan++;
		fmt_id(v.id, sizeof(v.id), "T9", g->norphan, 8);
		fmt_id(v.did, sizeof(v.did), "D9", g->norphan, 8);
		render_trade(&g->l2, t, &v, csv);
		return sink_line(k, &g->l2, err);
	default:
		return 0;
	}
}

static int
write_day(struct gen *g, size_t d, struct tl_err *err)
{
	const struct opts *o = g->o;
	struct sink k;
	char date[TL_TIME_BUFSZ], rel[PATH_SZ], path[PATH_SZ];
	struct trade *tv;
	const struct dec *x;
	size_t i, n, b;
	int gz, csv, bad;

	fmt_date(date, trading_day(g, d));
	gz = o->gzip_after > 0 && d + (size_t)o->gzip_after < g->nd;
	csv = (d + 1) % CSV_EVERY == 0;
	snprintf(rel, sizeof(rel), "logs/%s", date);
	if (path_fmt(path, o->outdir, rel, err) == -1 ||
	    make_dir(path, err) == -1)
		return -1;

	/* Decisions, in time order; trades queued for their exit day. */
	n = make_decisions(g, d);
	snprintf(rel, sizeof(rel), "logs/%s/decisions.jsonl%s", date,
	    gz ? ".gz" : "");
	if (path_fmt(path, o->outdir, rel, err) == -1 ||
	    sink_open(&k, path, gz, g->pool, err) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		x = &g->decs[i];
		g->ndec++;
		if (emit_decision(g, &k, x, g->ndec, d, &bad, err) == -1)
			goto fail;
		g->bad_dec += (uint64_t)bad;
		if (x->kind == REC_TRADE)
			make_trade(g, x, g->ndec, bad, d);
		else if (x->kind == REC_HOLD)
			g->nholds++;
		else
			g->nopens++;
	}
	if (sink_close(&k, err) == -1)
		return -1;

	/* Trades that closed today, in exit order. */
	b = d % NBUCKET;
	tv = g->bk[b];
	if (g->nbk[b] > 1)
		qsort(tv, g->nbk[b], sizeof(*tv), cmp_trade);
	snprintf(rel, sizeof(rel), "logs/%s/trades.%s%s", date,
	    csv ? "csv" : "jsonl", gz ? ".gz" : "");
	if (path_fmt(path, o->outdir, rel, err) == -1 ||
	    sink_open(&k, path, gz, g->pool, err) == -1)
		return -1;
	if (csv) {
		l_reset(&g->l);
		for (i = 0; i < NTF; i++) {
			if (i > 0)
				l_addc(&g->l, ',');
			l_adds(&g->l, tf_names[i]);
		}
		l_addc(&g->l, '\n');
		if (sink_line(&k, &g->l, err) == -1)
			goto fail;
	}
	for (i = 0; i < g->nbk[b]; i++)
		if (emit_trade(g, &k, &tv[i], d, csv, d + 1 == g->nd &&
		    i + 1 == g->nbk[b], err) == -1)
			goto fail;
	g->nbk[b] = 0;
	return sink_close(&k, err);
fail:
	sink_abort(&k);
	return -1;
}

static int
write_logs(struct gen *g, struct tl_err *err)
{
	struct tl_err perr;
	size_t d, i;
	double lr;

	act_init(g);
	g->promos = promoted(g, &g->npromos);
	g->next_promo = 0;
	for (d = 0; d < g->nd; d++) {
		for (i = 0; i < NSYM; i++) {
			lr = g->ret_u[d] / 1e6 + gsl_ran_gaussian(g->rw,
			    SYM_SD);
			g->price[i] *= exp(lr);
		}
		act_update(g, d);
		if (write_day(g, d, err) == -1)
			break;
		if (pool_failed(g->pool))
			break;
	}
	/* A gzip failure is an earlier file than ours: report it first,
	 * so that the message does not depend on the threads' timing. */
	if (pool_finish(g->pool, &perr) == -1) {
		*err = perr;
		return -1;
	}
	return d < g->nd ? -1 : 0;
}

/* ---- truth.json -------------------------------------------------------- */

static void
t_num(FILE *fp, double x)
{
	char buf[TL_NUM_BUFSZ];

	tl_fmt_double(buf, x);
	fputs(buf, fp);
}

static void
t_names(FILE *fp, const char *prefix, const char *const *names,
    const int *idx, size_t n)
{
	size_t i;

	fputc('[', fp);
	for (i = 0; i < n; i++)
		fprintf(fp, "%s\"%s%s\"", i > 0 ? "," : "", prefix,
		    names[idx[i]]);
	fputc(']', fp);
}

static void
t_dirt(FILE *fp, const uint64_t *c)
{
	int i;

	for (i = 0; i < NDIRT; i++)
		fprintf(fp, "%s\"%s\":%llu", i > 0 ? "," : "{", dirt_names[i],
		    (unsigned long long)c[i]);
	fputc('}', fp);
}

static void
t_regimes(FILE *fp, struct gen *g)
{
	char date[TL_TIME_BUFSZ];
	size_t i, n[NREGIME] = { 0 };
	int a, b, prev = -1;

	fputs("\"regimes\":{\"states\":[\"bull\",\"bear\",\"chop\"],"
	    "\"transition\":[", fp);
	for (a = 0; a < NREGIME; a++) {
		fputs(a > 0 ? ",[" : "[", fp);
		for (b = 0; b < NREGIME; b++) {
			if (b > 0)
				fputc(',', fp);
			t_num(fp, regime_trans[a][b]);
		}
		fputc(']', fp);
	}
	fputs("],\"initial\":[", fp);
	for (a = 0; a < NREGIME; a++) {
		if (a > 0)
			fputc(',', fp);
		t_num(fp, regime_init[a]);
	}
	fputs("],\"daily\":\"a Markov chain over weekdays; market.csv "
	    "ret ~ N(ret_mean, ret_sd^2), vol = vol_mean * exp(N(0, 0.15^2))"
	    "\",\"ret_mean\":", fp);
	for (a = 0; a < NREGIME; a++) {
		fprintf(fp, "%s\"%s\":", a > 0 ? "," : "{", regime_names[a]);
		t_num(fp, regime_ret_mean[a]);
	}
	fputs("},\"ret_sd\":", fp);
	for (a = 0; a < NREGIME; a++) {
		fprintf(fp, "%s\"%s\":", a > 0 ? "," : "{", regime_names[a]);
		t_num(fp, regime_ret_sd[a]);
	}
	fputs("},\"vol_mean\":", fp);
	for (a = 0; a < NREGIME; a++) {
		fprintf(fp, "%s\"%s\":", a > 0 ? "," : "{", regime_names[a]);
		t_num(fp, regime_vol[a]);
	}
	fputs("},\"p_buy\":", fp);
	for (a = 0; a < NREGIME; a++) {
		fprintf(fp, "%s\"%s\":", a > 0 ? "," : "{", regime_names[a]);
		t_num(fp, regime_long[a]);
	}
	fputs("},\"side_effect\":", fp);
	t_num(fp, P_SIDE_REGIME);
	for (i = 0; i < g->nd; i++)
		n[g->creg[g->off + i]]++;
	fputs(",\"days\":", fp);
	for (a = 0; a < NREGIME; a++)
		fprintf(fp, "%s\"%s\":%zu", a > 0 ? "," : "{", regime_names[a],
		    n[a]);
	fputs("},\"changes\":[", fp);
	for (i = 0; i < g->nd; i++) {
		a = g->creg[g->off + i];
		if (a == prev)
			continue;
		fmt_date(date, trading_day(g, i));
		fprintf(fp, "%s{\"date\":\"%s\",\"regime\":\"%s\"}",
		    prev >= 0 ? "," : "", date, regime_names[a]);
		prev = a;
	}
	fputs("]},\n", fp);
}

/* The churn member: the spec, then each role's strategies by day. */
static void
t_churn(FILE *fp, const struct gen *g)
{
	static const char *const member[TL_CHURN_NKIND] = { "late_start",
		"pause", "retired", "renamed" };
	const struct tl_churn_role *ro;
	char day[TL_TIME_BUFSZ], until[TL_TIME_BUFSZ], last[TL_TIME_BUFSZ];
	const char *name;
	size_t i, n, *v;
	int k;

	fputs("\"churn\":{\"spec\":{", fp);
	for (k = 0; k < TL_CHURN_NKIND; k++)
		fprintf(fp, "%s\"%s\":%ld", k > 0 ? "," : "",
		    tl_churn_keys[k], g->o->churn_spec.n[k]);
	fprintf(fp, "},\"pause_days\":%d,\"retire_reason\":\"%s\"",
	    TL_CHURN_PAUSE_DAYS, RETIRE_REASON);
	for (k = 0; k < TL_CHURN_NKIND; k++) {
		fprintf(fp, ",\"%s\":[", member[k]);
		v = tl_churn_with_role(g->churn, k, &n);
		for (i = 0; i < n; i++) {
			ro = tl_churn_role(g->churn, v[i]);
			name = g->st[v[i]].id;
			fmt_date(day, trading_day(g, ro->day));
			fmt_date(until, trading_day(g, ro->until));
			if (g->last_exit[v[i]] >= 0)
				fmt_date(last, trading_day(g,
				    (size_t)g->last_exit[v[i]]));
			else
				snprintf(last, sizeof(last), "none");
			fputs(i > 0 ? "," : "", fp);
			if (k == TL_CHURN_LATE)
				fprintf(fp, "{\"strategy\":\"%s\",\"start\":"
				    "\"%s\"}", name, day);
			else if (k == TL_CHURN_PAUSE)
				fprintf(fp, "{\"strategy\":\"%s\",\"from\":"
				    "\"%s\",\"to\":\"%s\"}", name, day, until);
			else if (k == TL_CHURN_RETIRE)
				fprintf(fp, "{\"strategy\":\"%s\",\"date\":"
				    "\"%s\",\"last_trade\":\"%s\"}", name, day,
				    last);
			else
				fprintf(fp, "{\"from\":\"%s\",\"to\":\"%s\","
				    "\"date\":\"%s\"}", name,
				    g->st[v[i]].alias, day);
		}
		free(v);
		fputc(']', fp);
	}
	fputs("},\n", fp);
}

static int
write_truth(struct gen *g, struct tl_err *err)
{
	static const int relevant[] = { 0, 1, 2, 3 };
	static const char *const rel_names[] = { "lookback", "entry_z",
		"universe", "stop_atr" };
	static const int irrelevant[] = { 0, 1, 2, 3, 4, 5 };
	static const char *const irr_names[] = { "exit_z", "take_profit_atr",
		"use_trailing", "filter", "max_positions", "risk_per_trade" };
	static const int pred_sig[] = { SIG_MOMENTUM, SIG_VOLUME_SPIKE };
	static const int noise_sig[] = { SIG_MEAN_REV, SIG_NEWS, SIG_NOISE_A,
		SIG_NOISE_B };
	static const int pred_comp[] = { COMP_TECH, COMP_AIX };
	static const int noise_comp[] = { COMP_THEME, COMP_SENT };
	static const int votes[] = { 0, 1, 2, 3 };
	const struct opts *o = g->o;
	char path[PATH_SZ], date[TL_TIME_BUFSZ], month[24];
	struct strat **v, *s;
	uint64_t tot[NDIRT];
	FILE *fp;
	size_t i, n;
	long p;
	int k;

	if (path_fmt(path, o->outdir, "truth.json", err) == -1)
		return -1;
	if ((fp = fopen(path, "w")) == NULL)
		return sys_err(err, TL_EX_CANTCREAT, path);
	fprintf(fp, "{\"format\":\"tl-synth-truth\",\"version\":1,"
	    "\"seed\":%ld,\n", o->seed);
	fmt_date(date, trading_day(g, 0));
	fprintf(fp, "\"params\":{\"days\":%ld,\"start\":\"%s\",", o->days,
	    date);
	fmt_date(date, trading_day(g, g->nd - 1));
	fprintf(fp, "\"end\":\"%s\",\"strategies\":%ld,\"periods\":%ld,"
	    "\"trades\":%ld,\"dirt\":", date, o->strategies, o->periods,
	    o->trades);
	t_num(fp, o->dirt);
	fprintf(fp, ",\"gzip_after\":%ld},\n", o->gzip_after);

	fprintf(fp, "\"counts\":{\"trading_days\":%zu,\"decisions\":%llu,"
	    "\"closed_trades\":%llu,\"hold\":%llu,\"open\":%llu,"
	    "\"orphans\":%llu,\"runs\":%llu,\"promotions\":%llu,"
	    "\"valid_decisions\":%llu,\"valid_outcomes\":%llu,"
	    "\"matched_trades\":%llu,\"unmatched_decisions\":%llu,"
	    "\"orphan_outcomes\":%llu},\n", g->nd,
	    (unsigned long long)g->ndec, (unsigned long long)g->ntrade,
	    (unsigned long long)g->nholds, (unsigned long long)g->nopens,
	    (unsigned long long)g->norphan, (unsigned long long)g->nruns,
	    (unsigned long long)g->npromo,
	    (unsigned long long)(g->ndec - g->bad_dec),
	    (unsigned long long)(g->ntrade - g->bad_out),
	    (unsigned long long)g->matched,
	    (unsigned long long)(g->ndec - g->bad_dec - g->matched),
	    (unsigned long long)(g->ntrade - g->bad_out + g->norphan -
	    g->matched));
	for (k = 0; k < NDIRT; k++)
		tot[k] = g->dirt[KIND_DEC][k] + g->dirt[KIND_OUT][k];
	fputs("\"dirt\":", fp);
	t_dirt(fp, tot);
	fputs(",\n\"dirt_decisions\":", fp);
	t_dirt(fp, g->dirt[KIND_DEC]);
	fputs(",\n\"dirt_outcomes\":", fp);
	t_dirt(fp, g->dirt[KIND_OUT]);
	fputs(",\n", fp);

	fputs("\"runs\":{\"target\":\"metrics.roi\",\"relevant\":", fp);
	t_names(fp, "genome.", rel_names, relevant, 4);
	fputs(",\"irrelevant\":", fp);
	t_names(fp, "genome.", irr_names, irrelevant, 6);
	fputs(",\"interaction\":[\"genome.entry_z\",\"genome.universe\"],"
	    "\"formula\":\"roi = a*tanh((lookback - lookback_center)/"
	    "lookback_scale) + b*(entry_z - entry_z_center)*(universe == "
	    "'tech' ? tech : other) - c*(stop_atr - stop_atr_center)^2/"
	    "stop_atr_scale + regime*(bull_days - bear_days)/weekdays of the "
	    "period + N(0, noise_sd^2); sharpe = roi/vol + N(0, sharpe_noise_sd"
	    "^2), vol ~ U(0.02, 0.06) per strategy\",\"coefficients\":{", fp);
	fputs("\"a\":", fp);
	t_num(fp, ROI_A);
	fputs(",\"lookback_center\":", fp);
	t_num(fp, ROI_LB_C);
	fputs(",\"lookback_scale\":", fp);
	t_num(fp, ROI_LB_S);
	fputs(",\"b\":", fp);
	t_num(fp, ROI_B);
	fputs(",\"entry_z_center\":", fp);
	t_num(fp, ROI_EZ_C);
	fputs(",\"tech\":", fp);
	t_num(fp, ROI_TECH);
	fputs(",\"other\":", fp);
	t_num(fp, ROI_OTHER);
	fputs(",\"c\":", fp);
	t_num(fp, ROI_C);
	fputs(",\"stop_atr_center\":", fp);
	t_num(fp, ROI_SA_C);
	fputs(",\"stop_atr_scale\":", fp);
	t_num(fp, ROI_SA_S);
	fputs(",\"regime\":", fp);
	t_num(fp, ROI_REGIME);
	fputs(",\"noise_sd\":", fp);
	t_num(fp, ROI_NOISE);
	fputs(",\"sharpe_noise_sd\":", fp);
	t_num(fp, SHARPE_NOISE);
	fputs("},\"period_regime_term\":{", fp);
	for (p = 0; p < o->periods; p++) {
		fmt_month(month, sizeof(month), g->month0 + p);
		fprintf(fp, "%s\"%s\":", p > 0 ? "," : "", month);
		t_num(fp, g->pterm[p]);
	}
	fputs("}},\n", fp);

	fputs("\"signals\":{\"predictive\":", fp);
	t_names(fp, "signals.", signal_names, pred_sig, 2);
	fputs(",\"irrelevant\":", fp);
	t_names(fp, "signals.", signal_names, noise_sig, 4);
	fputs(",\"effect\":{\"signals.momentum\":", fp);
	t_num(fp, P_MOMENTUM);
	fputs(",\"signals.volume_spike\":", fp);
	t_num(fp, P_VOLSPIKE);
	fputs("},\"rate\":{", fp);
	for (k = 0; k < NSIGNAL; k++) {
		fprintf(fp, "%s\"signals.%s\":", k > 0 ? "," : "",
		    signal_names[k]);
		t_num(fp, signal_rate[k]);
	}
	fputs("}},\n", fp);

	fputs("\"components\":{\"predictive\":", fp);
	t_names(fp, "components.", comp_names, pred_comp, 2);
	fputs(",\"irrelevant\":", fp);
	t_names(fp, "components.", comp_names, noise_comp, 2);
	fputs(",\"formula\":\"component = clip(0.5 + shift*(win ? 1 : -1) + "
	    "N(0, sd^2), 0, 1), rounded to 0.01; shift 0 on hold decisions\","
	    "\"shift\":{\"components.technical\":", fp);
	t_num(fp, COMP_TECHNICAL);
	fputs(",\"components.ai\":", fp);
	t_num(fp, COMP_AI);
	fputs(",\"components.theme\":0,\"components.sentiment\":0},\"sd\":",
	    fp);
	t_num(fp, COMP_SD);
	fputs("},\n\"votes\":{\"irrelevant\":", fp);
	t_names(fp, "votes.", vote_names, votes, 4);
	fputs(",\"p_approve\":", fp);
	t_num(fp, VOTE_APPROVE);
	fputs(",\"p_approve_hold\":", fp);
	t_num(fp, VOTE_HOLD);
	fputs("},\n", fp);

	fputs("\"win_prob\":{\"formula\":\"p = clip(base + edge + "
	    "momentum_effect*momentum + volume_spike_effect*volume_spike + "
	    "side_regime + N(0, noise_sd^2), lo, hi); side_regime = "
	    "+side_effect for a long in bull or a short in bear, -side_effect "
	    "against, 0 in chop; edge += decay_shift from the promotion day "
	    "of a decaying strategy; win = net pnl > 0 with probability p\","
	    "\"base\":", fp);
	t_num(fp, P_BASE);
	fputs(",\"momentum_effect\":", fp);
	t_num(fp, P_MOMENTUM);
	fputs(",\"volume_spike_effect\":", fp);
	t_num(fp, P_VOLSPIKE);
	fputs(",\"side_effect\":", fp);
	t_num(fp, P_SIDE_REGIME);
	fputs(",\"noise_sd\":", fp);
	t_num(fp, P_NOISE);
	fputs(",\"lo\":", fp);
	t_num(fp, P_LO);
	fputs(",\"hi\":", fp);
	t_num(fp, P_HI);
	fputs(",\"edge_sd\":", fp);
	t_num(fp, EDGE_SD);
	fputs(",\"edge_max\":", fp);
	t_num(fp, EDGE_MAX);
	fputs(",\"decay_shift\":", fp);
	t_num(fp, DECAY_SHIFT);
	fputs("},\n", fp);

	fputs("\"confidence\":{\"calibrated\":false,\"mapping\":\"confidence "
	    "= clip(0.5 + slope*(p - 0.5), lo, hi), rounded to 0.0001; "
	    "p = (confidence - 0.5)/slope + 0.5 inside the clip\",\"slope\":",
	    fp);
	t_num(fp, CONF_SLOPE);
	fputs(",\"lo\":", fp);
	t_num(fp, CONF_LO);
	fputs(",\"hi\":", fp);
	t_num(fp, CONF_HI);
	fputs("},\n", fp);

	t_regimes(fp, g);

	v = promoted(g, &n);
	fputs("\"promotions\":{\"promoted\":[", fp);
	for (i = 0; i < n; i++)
		fprintf(fp, "%s\"%s\"", i > 0 ? "," : "", v[i]->id);
	fputs("],\"decaying\":[", fp);
	for (k = 0, i = 0; i < g->ns; i++)
		if (g->st[i].decaying)
			fprintf(fp, "%s\"%s\"", k++ > 0 ? "," : "",
			    g->st[i].id);
	fputs("],\"activity_multiplier\":", fp);
	t_num(fp, PROMO_ACTIVITY);
	fputs(",\"promoted_edge\":[", fp);
	t_num(fp, PROMO_EDGE_LO);
	fputc(',', fp);
	t_num(fp, PROMO_EDGE_HI);
	fputs("],\"decay_shift\":", fp);
	t_num(fp, DECAY_SHIFT);
	fputs("},\n", fp);
	free(v);
	if (g->churn != NULL)
		t_churn(fp, g);

	fputs("\"strategies\":[\n", fp);
	for (i = 0; i < g->ns; i++) {
		s = &g->st[i];
		fprintf(fp, "{\"id\":\"%s\",\"edge\":", s->id);
		t_num(fp, round(s->edge * 1e6) / 1e6);
		fputs(",\"roi_mean\":", fp);
		t_num(fp, round(s->roi_mean * 1e6) / 1e6);
		fputs(",\"vol\":", fp);
		t_num(fp, round(s->vol * 1e6) / 1e6);
		fputs(",\"activity\":", fp);
		t_num(fp, round(s->activity * 1e6) / 1e6);
		if (s->promo_day >= 0) {
			fmt_date(date, trading_day(g, (size_t)s->promo_day));
			fprintf(fp, ",\"promoted\":\"%s\",\"decaying\":%s",
			    date, s->decaying ? "true" : "false");
		}
		fprintf(fp, "}%s\n", i + 1 < g->ns ? "," : "");
	}
	fputs("]}\n", fp);
	if (ferror(fp)) {
		fclose(fp);
		errno = EIO;
		return sys_err(err, TL_EX_IOERR, path);
	}
	if (fclose(fp) == EOF)
		return sys_err(err, TL_EX_IOERR, path);
	return 0;
}

/* ---- main ---------------------------------------------------------------- */

static void
gen_release(struct gen *g)
{
	struct tl_err err;
	int i;

	tl_rng_free(g->rw);
	tl_rng_free(g->rr);
	tl_rng_free(g->rl);
	tl_rng_free(g->rd);
	tl_rng_free(g->rc);
	tl_churn_free(g->churn);
	free(g->w);
	free(g->last_exit);
	free(g->last_trade);
	free(g->due);
	free(g->cday);
	free(g->creg);
	free(g->ret_u);
	free(g->vol_u);
	free(g->pterm);
	free(g->st);
	free(g->act);
	free(g->promos);
	free(g->ntr);
	free(g->nhold);
	free(g->nopen);
	free(g->decs);
	for (i = 0; i < NBUCKET; i++)
		free(g->bk[i]);
	if (g->pool != NULL) {
		pool_finish(g->pool, &err);
		pool_free(g->pool);
	}
}

int
main(int argc, char *argv[])
{
	struct opts o = { .seed = 1, .days = 60, .strategies = 20,
		.periods = 12, .trades = 500, .dirt = 0.01, .gzip_after = 7 };
	struct tl_err err = { 0 };
	struct gen g;
	char path[PATH_SZ];
	int status = TL_EX_OK;

	tl_init("tl-synth");
	o.start = tl_days_from_civil(2026, 1, 5);
	parse_args(argc, argv, &o);
	memset(&g, 0, sizeof(g));
	g.o = &o;
	g.rw = tl_rng_alloc((uint64_t)o.seed, STREAM_WORLD);
	g.rr = tl_rng_alloc((uint64_t)o.seed, STREAM_RUNS);
	g.rl = tl_rng_alloc((uint64_t)o.seed, STREAM_LOG);
	g.rd = tl_rng_alloc((uint64_t)o.seed, STREAM_DIRT);
	g.rc = tl_rng_alloc((uint64_t)o.seed, STREAM_CHURN);
	make_calendar(&g);
	make_strategies(&g);
	make_counts(&g);
	g.pool = pool_alloc();
	if ((o.churn && make_churn(&g, &err) == -1) ||
	    prepare_outdir(o.outdir, &err) == -1 ||
	    path_fmt(path, o.outdir, "logs", &err) == -1 ||
	    make_dir(path, &err) == -1 ||
	    write_market(&g, &err) == -1 ||
	    write_runs(&g, &err) == -1 ||
	    write_promotions(&g, &err) == -1 ||
	    write_logs(&g, &err) == -1 ||
	    (g.churn != NULL && write_churn(&g, &err) == -1) ||
	    write_truth(&g, &err) == -1)
		status = tl_report(&err);
	else if (o.verbose)
		tl_msg("%s: %zu days, %llu decisions, %llu trades, %llu runs, "
		    "%llu promotions", o.outdir, g.nd,
		    (unsigned long long)g.ndec, (unsigned long long)g.ntrade,
		    (unsigned long long)g.nruns, (unsigned long long)g.npromo);
	gen_release(&g);
	return tl_exit_status(status);
}
