/*
 * ike_child.h: handing an ESP SA pair to the data plane, for CHILD SAs
 * (IKEv2) and quick-mode SAs (IKEv1) alike.  The exchange code derives
 * the keys and narrows the selectors; this builds the two struct dp_sa
 * (inbound: our SPI; outbound: the peer's) and installs or deletes them.
 */
#ifndef IKE_CHILD_H
#define IKE_CHILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "dp.h"

struct ike_alg;

/* One negotiated ESP SA pair; everything borrowed for the call. */
struct ike_child_sa {
	uint32_t		 spi_in;	/* ours */
	uint32_t		 spi_out;	/* the peer's */
	uint32_t		 reqid;		/* pairs the two in dp */
	bool			 transport;	/* else tunnel mode */
	const struct sockaddr_storage *local, *peer;	/* outer, with ports */
	bool			 encap;		/* UDP encapsulation (RFC 3948) */
	const struct ike_alg	*encr;
	const struct ike_alg	*integ;		/* NULL for AEAD */
	bool			 esn;
	/* encr->key bytes of cipher key (+ salt), then integ->key bytes of
	 * integrity key, per direction: key_in protects what the peer
	 * sends, key_out what we send. */
	const uint8_t		*key_in, *key_out;
	struct dp_ts		 ts_local[DP_MAX_TS];	/* our side */
	size_t			 nts_local;
	struct dp_ts		 ts_remote[DP_MAX_TS];	/* the client's */
	size_t			 nts_remote;
	uint16_t		 mss_clamp;	/* 0 = off */
};

/* One direction as dp takes it (pure; d holds key material: wipe it). */
void	ike_child_dp_sa(const struct ike_child_sa *, bool inbound,
	    struct dp_sa *d);
/*
 * Both directions into dp: inbound first, then outbound; when the second
 * fails the first is deleted again.  -1 with *bad_spi the SPI dp
 * refused.  The dp_sa copies holding keys are wiped.
 */
int	ike_child_install(struct dp *, const struct ike_child_sa *,
	    uint32_t *bad_spi);
/* Both directions out of dp. */
void	ike_child_uninstall(struct dp *, uint32_t spi_in, uint32_t spi_out);

#endif
