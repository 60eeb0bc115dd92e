/*
 * fuzz_ikev2_engine: whole datagrams into the responder engine
 * (ikev2_engine_input): header checks, IKE_SA_INIT processing (proposal
 * choice, KE, NAT-D, cookies), SPI lookup and message-ID window of every
 * other exchange.  Malformed input is dropped and counted, never crashes.
 * The engine is rebuilt every 512 inputs so half-open SAs do not pile up.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ikev2.h"
#include "rg_log.h"
#include "rg_loop.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
no_send(void *arg, int fd, const uint8_t *p, size_t len,
    const struct sockaddr *l, const struct sockaddr *r)
{
	(void)arg; (void)fd; (void)p; (void)len; (void)l; (void)r;
	return 0;
}

static struct rg_loop		*loop;
static struct ikev2_engine	*eng;
static unsigned int		 runs;

static void
teardown(void)
{
	ikev2_engine_free(eng);
	rg_loop_free(loop);
	eng = NULL;
	loop = NULL;
}

static void
setup(void)
{
	struct rg_config *c = rg_config_new();

	c->settings.proposals = strdup("compatible");
	c->settings.cookie_threshold = 64;
	c->psks = calloc(1, sizeof(*c->psks));
	c->psks[0].id = strdup("%any");
	c->psks[0].secret = (uint8_t *)strdup("fuzz");
	c->psks[0].secret_len = 4;
	c->npsks = 1;
	rg_log_set_level(RG_T__COUNT, getenv("RG_FUZZ_LOG") ? RG_L_DEBUG : RG_L_ERROR);
	loop = rg_loop_new(0);
	eng = ikev2_engine_new(loop, c, NULL, NULL);
	ikev2_engine_set_send(eng, no_send, NULL);
	rg_config_unref(c);
	atexit(teardown);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct sockaddr_in	 a, b;

	if (eng == NULL)
		setup();
	else if (++runs % 512 == 0) {
		ikev2_engine_free(eng);
		eng = NULL;
		rg_loop_free(loop);
		loop = NULL;
		setup();
	}
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.sin_family = b.sin_family = AF_INET;
	a.sin_port = htons(4500);
	b.sin_port = htons(4500);
	inet_pton(AF_INET, "192.0.2.2", &a.sin_addr);
	inet_pton(AF_INET, "192.0.2.1", &b.sin_addr);
	ikev2_engine_input(eng, data, len, (struct sockaddr *)&a,
	    (struct sockaddr *)&b, -1);
	return 0;
}
