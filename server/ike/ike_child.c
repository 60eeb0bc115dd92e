/*
 * ike_child.c: an ESP SA pair into the data plane (see ike_child.h), for
 * both IKE versions.  dp names ciphers and integrity algorithms by their
 * IKEv2 transform ids (dp.h); an IKEv1 SA passes the same ike_alg rows,
 * so the ids carry over unchanged.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ike_alg.h"
#include "ike_child.h"

void
ike_child_dp_sa(const struct ike_child_sa *cs, bool inbound, struct dp_sa *d)
{
	const uint8_t	*k = inbound ? cs->key_in : cs->key_out;
	size_t		 el = cs->encr->key;
	size_t		 il = cs->integ != NULL ? cs->integ->key : 0;

	memset(d, 0, sizeof(*d));
	d->spi = inbound ? cs->spi_in : cs->spi_out;
	d->inbound = inbound;
	d->reqid = cs->reqid;
	d->mode = cs->transport ? DP_MODE_TRANSPORT : DP_MODE_TUNNEL;
	memcpy(&d->local, cs->local, sizeof(d->local));
	memcpy(&d->peer, cs->peer, sizeof(d->peer));
	d->encap = cs->encap;
	d->encr = (enum dp_encr)cs->encr->id;
	memcpy(d->encr_key, k, el);
	d->encr_key_len = el;
	d->integ = cs->integ != NULL ? (enum dp_integ)cs->integ->id :
	    DP_INTEG_NONE;
	if (cs->integ != NULL)
		memcpy(d->integ_key, k + el, il);
	d->integ_key_len = il;
	d->esn = cs->esn;
	memcpy(d->ts_local, cs->ts_local, sizeof(d->ts_local));
	d->nts_local = cs->nts_local;
	memcpy(d->ts_remote, cs->ts_remote, sizeof(d->ts_remote));
	d->nts_remote = cs->nts_remote;
	d->mss_clamp = cs->mss_clamp;
}

int
ike_child_install(struct dp *dp, const struct ike_child_sa *cs,
    uint32_t *bad_spi)
{
	struct dp_sa	*d;
	int		 rc = -1;

	*bad_spi = 0;
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return -1;
	for (int dir = 0; dir < 2; dir++) {
		bool	 inbound = dir == 0;

		ike_child_dp_sa(cs, inbound, d);
		if (dp_sa_add(dp, d) < 0) {
			*bad_spi = d->spi;
			if (!inbound)
				dp_sa_del(dp, cs->spi_in, true);
			goto out;
		}
	}
	rc = 0;
out:
	OPENSSL_cleanse(d, sizeof(*d));
	free(d);
	return rc;
}

void
ike_child_uninstall(struct dp *dp, uint32_t spi_in, uint32_t spi_out)
{
	dp_sa_del(dp, spi_in, true);
	dp_sa_del(dp, spi_out, false);
}
