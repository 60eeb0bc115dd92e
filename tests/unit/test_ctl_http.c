/*
 * test_ctl_http: roadgatectl's HTTP/1.1 response parser
 * (ctl_http_parse(), web/ctl_http.c), one line per case: the API's own
 * answers (RFC 9112 4 status line, 6.3 Content-Length framing), chunked
 * transfer coding (7.1), and the lengths it must never trust.
 */
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "rg_test.h"

struct tcase {
	const char	*name;
	const char	*resp;
	bool		 eof;
	int		 rc;		/* 1 complete, 0 more, -1 malformed */
	int		 status;
	const char	*json;		/* the body as compact JSON, or NULL */
};

static const struct tcase tcases[] = {
	/* The API's answers (web/web_http.c sends Content-Length). */
	{ "200 json", "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
	    "Content-Length: 16\r\n\r\n{\"name\":\"alice\"}", false, 1, 200,
	    "{\"name\":\"alice\"}" },
	{ "404 error json", "HTTP/1.1 404 Not Found\r\ncontent-length:  "
	    "18 \r\n\r\n{\"error\":\"nouser\"}", true, 1, 404,
	    "{\"error\":\"nouser\"}" },
	{ "204 no body", "HTTP/1.1 204 No Content\r\n\r\n", false, 1, 204,
	    NULL },
	{ "bytes past Content-Length ignored", "HTTP/1.1 200 OK\r\n"
	    "Content-Length: 2\r\n\r\n{}garbage", true, 1, 200, "{}" },
	{ "same Content-Length twice", "HTTP/1.1 200 OK\r\nContent-Length: "
	    "2\r\nContent-Length: 2\r\n\r\n{}", true, 1, 200, "{}" },
	{ "until the end of the stream", "HTTP/1.0 200 OK\r\n\r\n[1]",
	    true, 1, 200, "[1]" },
	{ "until the end, still open", "HTTP/1.0 200 OK\r\n\r\n[1]",
	    false, 0, 0, NULL },
	/* Chunked (RFC 9112 7.1): sizes, an extension, a trailer. */
	{ "chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "3;x=y\r\n{\"a\r\nA\r\n\":[1,2,3]}\r\n0\r\nX-T: 1\r\n\r\n", true,
	    1, 200, "{\"a\":[1,2,3]}" },
	{ "chunked, last chunk missing", "HTTP/1.1 200 OK\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n", false, 0, 0,
	    NULL },
	{ "chunked, truncated at the end", "HTTP/1.1 200 OK\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n", true, -1, 0,
	    NULL },
	/* Lengths never trusted. */
	{ "truncated body, still open", "HTTP/1.1 200 OK\r\nContent-Length: "
	    "40\r\n\r\n{\"users\":", false, 0, 0, NULL },
	{ "truncated body at the end", "HTTP/1.1 200 OK\r\nContent-Length: "
	    "40\r\n\r\n{\"users\":", true, -1, 0, NULL },
	{ "huge Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: "
	    "99999999999999999999999\r\n\r\n{}", false, -1, 0, NULL },
	{ "Content-Length over the bound", "HTTP/1.1 200 OK\r\n"
	    "Content-Length: 16777217\r\n\r\n{}", false, -1, 0, NULL },
	{ "negative Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: -2"
	    "\r\n\r\n{}", true, -1, 0, NULL },
	{ "Content-Length with junk", "HTTP/1.1 200 OK\r\nContent-Length: "
	    "2x\r\n\r\n{}", true, -1, 0, NULL },
	{ "two different Content-Lengths", "HTTP/1.1 200 OK\r\n"
	    "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{} ", true, -1, 0,
	    NULL },
	{ "chunked and Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: "
	    "9\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
	    true, -1, 0, NULL },
	{ "other transfer coding", "HTTP/1.1 200 OK\r\nTransfer-Encoding: "
	    "gzip\r\n\r\n{}", true, -1, 0, NULL },
	{ "chunk size overflow", "HTTP/1.1 200 OK\r\nTransfer-Encoding: "
	    "chunked\r\n\r\n10000000000000002\r\n{}\r\n0\r\n\r\n", true, -1,
	    0, NULL },
	{ "chunk larger than the data", "HTTP/1.1 200 OK\r\n"
	    "Transfer-Encoding: chunked\r\n\r\nffff\r\n{}\r\n0\r\n\r\n", true,
	    -1, 0, NULL },
	{ "chunk without its CRLF", "HTTP/1.1 200 OK\r\nTransfer-Encoding: "
	    "chunked\r\n\r\n1\r\n{}\r\n0\r\n\r\n", true, -1, 0, NULL },
	{ "chunks over the bound", "HTTP/1.1 200 OK\r\nTransfer-Encoding: "
	    "chunked\r\n\r\n1000001\r\n", false, -1, 0, NULL },
	/* Status line and header fields (RFC 9112 4, 5). */
	{ "no status code", "HTTP/1.1 OK\r\n\r\n", true, -1, 0, NULL },
	{ "status out of range", "HTTP/1.1 999 Odd\r\n\r\n", true, -1, 0,
	    NULL },
	{ "status not 3 digits", "HTTP/1.1 2000 OK\r\n\r\n", true, -1, 0,
	    NULL },
	{ "not HTTP", "SSH-2.0-x\r\n\r\n", true, -1, 0, NULL },
	{ "field without colon", "HTTP/1.1 200 OK\r\nbroken\r\n\r\n{}",
	    true, -1, 0, NULL },
	{ "obs-fold", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n 3\r\n\r\n{}",
	    true, -1, 0, NULL },
	{ "headers not ended, open", "HTTP/1.1 200 OK\r\nContent-", false,
	    0, 0, NULL },
	{ "headers not ended at the end", "HTTP/1.1 200 OK\r\nContent-",
	    true, -1, 0, NULL },
	{ "body not JSON", "HTTP/1.1 500 Oops\r\nContent-Length: 5\r\n\r\n"
	    "oops!", true, -1, 0, NULL },
};

static void
table(void)
{
	for (size_t k = 0; k < sizeof(tcases) / sizeof(tcases[0]); k++) {
		const struct tcase *t = &tcases[k];
		size_t	 len = strlen(t->resp);
		char	*b = malloc(len);	/* no NUL: reads stay in len */
		json_t	*j = NULL;
		char	*s = NULL;
		int	 st = -1, rc;

		memcpy(b, t->resp, len);
		rc = ctl_http_parse(b, len, t->eof, &st, &j);
		if (rc != t->rc || st != t->status)
			printf("  case \"%s\": rc %d status %d\n", t->name, rc,
			    st);
		CHECK_EQ(rc, t->rc);
		CHECK_EQ(st, t->status);
		if (j != NULL)
			s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
		if (t->json != NULL)
			CHECK_STR(s, t->json);
		else
			CHECK(j == NULL);
		free(s);
		json_decref(j);
		free(b);
	}
}

/* A NUL inside the header section is refused, wherever it is. */
static void
nul_in_header(void)
{
	static const char r[] = "HTTP/1.1 200 OK\r\nX-A: a\0b\r\n"
	    "Content-Length: 2\r\n\r\n{}";
	json_t	*j;
	int	 st;

	CHECK_EQ(ctl_http_parse(r, sizeof(r) - 1, true, &st, &j), -1);
	CHECK(j == NULL);
}

/* Fed one byte more at a time, as reads may come: "more" until the last
 * byte, then the answer. */
static void
byte_by_byte(void)
{
	static const char r[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: "
	    "chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n";
	json_t	*j;
	int	 st, rc = 0;
	size_t	 n;

	for (n = 0; n < sizeof(r) - 1 && rc == 0; n++) {
		rc = ctl_http_parse(r, n, false, &st, &j);
		CHECK(j == NULL);
	}
	CHECK_EQ(rc, 0);
	CHECK_EQ(ctl_http_parse(r, sizeof(r) - 1, false, &st, &j), 1);
	CHECK_EQ(st, 200);
	CHECK(json_is_object(j));
	json_decref(j);
}

RG_TEST_MAIN("ctl_http", T(table), T(nul_in_header), T(byte_by_byte))
