/*
 * sess_hist.c: the store's session history as an accounting listener: a
 * row when a session comes up (user, protocol, auth method, peer, IPv4
 * vip), closed with the final byte counts and the cause when it ends.
 * RADIUS accounting will be another listener of the same events.
 */
#include "sess_int.h"
#include "store.h"

void
sess_hist_listener(void *arg, enum sess_event ev, const struct sess_view *v)
{
	struct store	*st = arg;
	uint64_t	 row;

	switch (ev) {
	case SESS_EV_START:
		if (store_session_begin(st, v->user, v->proto, v->method,
		    v->peer, v->vip4, &row) == 0)
			*v->slot = row;
		break;
	case SESS_EV_STOP:
		if (*v->slot != 0)
			store_session_end(st, *v->slot, v->ctr->bytes_in,
			    v->ctr->bytes_out, sess_cause_name(v->cause));
		*v->slot = 0;
		break;
	case SESS_EV_INTERIM:
		break;
	}
}
