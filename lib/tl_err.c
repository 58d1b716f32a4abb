/*
 * Errors and messages: lib/ fills struct tl_err, main() prints it once in
 * the "prog: where: msg" form and exits with its code.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "tl_err.h"

static const char *progname = "tl";
static void (*before_msg)(void);	/* tl_msg_hook */

int
tl_err_set(struct tl_err *err, int code, const char *name,
    unsigned long line, const char *fmt, ...)
{
	char where[sizeof(err->where)], msg[sizeof(err->msg)];
	va_list ap;

	if (err == NULL)
		return -1;
	/* formatted aside first: name or an argument may be err's own text
	 * (a prefix put before the message already there) */
	where[0] = '\0';
	if (name != NULL && line == 0)
		snprintf(where, sizeof(where), "%s", name);
	else if (name != NULL)
		snprintf(where, sizeof(where), "%s:%lu", name, line);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	err->code = code;
	memcpy(err->where, where, sizeof(where));
	memcpy(err->msg, msg, sizeof(msg));
	return -1;
}

void
tl_err_clear(struct tl_err *err)
{
	err->code = 0;
	err->where[0] = '\0';
	err->msg[0] = '\0';
}

void
tl_init(const char *name)
{
	progname = name;
	gsl_set_error_handler_off();
}

const char *
tl_progname(void)
{
	return progname;
}

int
tl_report(const struct tl_err *err)
{
	if (before_msg != NULL)
		before_msg();
	if (err->where[0] != '\0')
		fprintf(stderr, "%s: %s: %s\n", progname, err->where, err->msg);
	else
		fprintf(stderr, "%s: %s\n", progname,
		    err->msg[0] != '\0' ? err->msg : "internal error");
	return err->code != 0 ? err->code : TL_EX_SOFTWARE;
}

void
tl_msg_hook(void (*before)(void))
{
	before_msg = before;
}

static void
vmsg(const char *prefix, const char *fmt, va_list ap)
{
	char buf[2048];

	if (before_msg != NULL)
		before_msg();
	vsnprintf(buf, sizeof(buf), fmt, ap);
	fprintf(stderr, "%s: %s%s\n", progname, prefix, buf);
}

void
tl_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

void
tl_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

void
tl_usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: try '%s --help'\n", progname, progname);
	exit(TL_EX_USAGE);
}

int
tl_close_stdout(void)
{
	int bad;

	bad = fflush(stdout) != 0 || ferror(stdout);
	if (fclose(stdout) != 0)
		bad = 1;
	return bad ? -1 : 0;
}

void
tl_oom(void)
{
	fprintf(stderr, "%s: out of memory\n", progname);
	exit(TL_EX_SOFTWARE);
}

int
tl_exit_status(int status)
{
	if (tl_close_stdout() == -1 && status == TL_EX_OK) {
		tl_msg("write error: %s", strerror(errno != 0 ? errno : EIO));
		return TL_EX_IOERR;
	}
	return status;
}

void
tl_bad_option(int ch, const char *arg)
{
	if (ch == ':')
		tl_usage_error("option '%s' needs a value", arg);
	tl_usage_error("unknown option '%s'", arg);
}

void
tl_version_exit(void)
{
	printf("%s %s\n", progname, TL_VERSION);
	exit(tl_exit_status(TL_EX_OK));
}

int
tl_command(int argc, char *argv[], int i, const char *const *names, int n)
{
	char list[256] = "";
	size_t len = 0;
	int k;

	for (k = 0; k < n; k++) {
		if (i < argc && strcmp(argv[i], names[k]) == 0)
			return k;
		len += (size_t)snprintf(list + len, len < sizeof(list) ?
		    sizeof(list) - len : 0, "%s%s", k == 0 ? "" : k == n - 1 ?
		    " or " : ", ", names[k]);
		if (len >= sizeof(list))
			len = sizeof(list) - 1;
	}
	if (i >= argc)
		tl_usage_error("a command is needed: %s", list);
	tl_usage_error("unknown command '%s' (%s)", argv[i], list);
}
