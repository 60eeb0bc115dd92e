/*
 * auth_test_backend.h: a test-only auth backend (auth.h) that answers
 * after a delay on a loop timer, as RADIUS would: the answer is the local
 * backend's (users of the configuration), held back delay_ms.  Counts
 * questions, answers and cancels so tests can prove what happened.
 */
#ifndef AUTH_TEST_BACKEND_H
#define AUTH_TEST_BACKEND_H

#include "auth.h"

struct auth_test_backend {
	struct rg_loop	*loop;		/* borrowed */
	void		*local;		/* auth_local_new() state */
	uint64_t	 delay_ms;
	unsigned int	 checks, answers, cancels, pending;
	struct auth_test_call	*calls;
};

extern const struct auth_backend_ops	auth_test_ops;

/* A backend answering after delay_ms; pass it to auth_new() with
 * &auth_test_ops (auth_free() frees it). */
struct auth_test_backend *auth_test_backend_new(struct rg_loop *,
			    struct rg_config *, uint64_t delay_ms);

#endif
