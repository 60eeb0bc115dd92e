/*
 * auth_test_backend.c: the delayed auth backend of the tests (see
 * auth_test_backend.h).
 */
#include <stdlib.h>

#include "auth_test_backend.h"

struct auth_test_call {
	struct auth_test_call	*next;
	struct auth_test_backend *b;
	struct auth_call	*c;
	struct auth_result	*r;
	struct rg_timer		 t;
};

static void
unlink_tc(struct auth_test_backend *b, struct auth_test_call *tc)
{
	struct auth_test_call	**pp;

	for (pp = &b->calls; *pp != NULL; pp = &(*pp)->next)
		if (*pp == tc) {
			*pp = tc->next;
			break;
		}
	b->pending--;
}

static void
fire(struct rg_timer *t)
{
	struct auth_test_call	*tc = t->arg;
	struct auth_test_backend *b = tc->b;
	struct auth_call	*c = tc->c;
	struct auth_result	*r = tc->r;

	unlink_tc(b, tc);
	free(tc);
	b->answers++;
	auth_call_done(c, r);
}

static int
test_check(void *state, struct auth_call *c)
{
	struct auth_test_backend *b = state;
	struct auth_test_call	*tc;

	if ((tc = calloc(1, sizeof(*tc))) == NULL)
		return -1;
	b->checks++;
	b->pending++;
	tc->b = b;
	tc->c = c;
	tc->r = auth_local_answer(b->local, auth_call_req(c));
	tc->next = b->calls;
	b->calls = tc;
	rg_timer_init(&tc->t, fire, tc);
	rg_timer_start(b->loop, &tc->t, b->delay_ms);
	return 0;
}

static void
test_cancel(void *state, struct auth_call *c)
{
	struct auth_test_backend *b = state;
	struct auth_test_call	*tc;

	for (tc = b->calls; tc != NULL; tc = tc->next)
		if (tc->c == c)
			break;
	if (tc == NULL)
		return;
	b->cancels++;
	rg_timer_stop(b->loop, &tc->t);
	unlink_tc(b, tc);
	auth_result_free(tc->r);
	free(tc);
}

static void
test_free(void *state)
{
	struct auth_test_backend *b = state;

	if (b == NULL)
		return;
	while (b->calls != NULL)
		test_cancel(b, b->calls->c);
	auth_local_ops.free(b->local);
	free(b);
}

static void
test_reconfigure(void *state, struct rg_config *cfg)
{
	struct auth_test_backend *b = state;

	auth_local_ops.reconfigure(b->local, cfg);
}

const struct auth_backend_ops auth_test_ops = {
	.name = "test",
	.check = test_check,
	.cancel = test_cancel,
	.reconfigure = test_reconfigure,
	.free = test_free,
};

struct auth_test_backend *
auth_test_backend_new(struct rg_loop *loop, struct rg_config *cfg,
    uint64_t delay_ms)
{
	struct auth_test_backend *b;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	b->loop = loop;
	b->delay_ms = delay_ms;
	if ((b->local = auth_local_new(cfg)) == NULL) {
		free(b);
		return NULL;
	}
	return b;
}
