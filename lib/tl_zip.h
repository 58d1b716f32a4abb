/*
 * The backtest export inside a zip archive, as freqtrade writes one
 * since 2025: backtest-result-DATE.zip holds backtest-result-DATE.json
 * beside its _config.json, the strategy's source and feather files.
 * The archive is read by its central directory (PKWARE's APPNOTE.TXT
 * 6.3: the end of central directory record, the central directory, a
 * local header), the entry stored or deflated, its CRC-32 and size
 * checked; zip64, encryption and other methods are refused.  Every size
 * is checked against the file's before anything is allocated.
 */
#ifndef TL_ZIP_H
#define TL_ZIP_H

#include <stddef.h>

#include "tl_err.h"
#include "tl_util.h"

#define TL_ZIP_MAX	((size_t)1 << 30)	/* bytes of an entry held */

/* The export entry of the zip archive at path into out: the .json entry
 * named as the archive (backtest-result-X.zip: backtest-result-X.json),
 * else the first .json entry that is no _config.json or .meta.json.
 * Returns 1, 0 when the archive holds no such entry, or -1 with err:
 * TL_EX_NOINPUT, TL_EX_IOERR, TL_EX_DATAERR (not a whole zip archive, an
 * entry corrupt or over max bytes, zip64, encrypted, a method other than
 * stored or deflated). */
int	tl_zip_export(const char *path, size_t max, struct tl_buf *out,
	    struct tl_err *err);

#endif
