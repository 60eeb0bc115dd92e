/*
 * fuzz_ctl_http: roadgatectl's HTTP/1.1 response parser
 * (ctl_http_parse(), web/ctl_http.c): status line, header fields,
 * Content-Length and chunked framing, the JSON body.  Each input is
 * parsed as a stream still open and as a stream that has ended: at the
 * end there is no "read more", and what was complete before the end
 * stays complete with the same status.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	/* A copy of exactly len bytes, so ASan sees any read past it. */
	char	*b = malloc(len ? len : 1);
	json_t	*j;
	int	 st_open, st_eof, r_open, r_eof;

	if (b == NULL)
		return 0;
	memcpy(b, data, len);
	r_open = ctl_http_parse(b, len, false, &st_open, &j);
	if (r_open <= 0 && (st_open != 0 || j != NULL))
		abort();
	json_decref(j);
	r_eof = ctl_http_parse(b, len, true, &st_eof, &j);
	json_decref(j);
	if (r_eof == 0 || (r_open == 1 && (r_eof != 1 || st_eof != st_open)))
		abort();
	free(b);
	return 0;
}
