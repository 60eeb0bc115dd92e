/*
 * ikev1_initiator_int.h: the test IKEv1 initiator's state, shared by
 * ikev1_initiator.c (phase 1) and ikev1_initiator_qm.c (quick mode,
 * mode-config, informational).  Test-only.
 */
#ifndef IKEV1_INITIATOR_INT_H
#define IKEV1_INITIATOR_INT_H

#include <openssl/evp.h>

#include "ike_alg.h"
#include "ike_dh.h"
#include "ikev1_crypto.h"
#include "ikev1_initiator.h"
#include "ikev1_msg.h"

struct ikev1_ini {
	struct ikev1_ini_conf	 c;
	enum ikev1_ini_state	 st;
	uint8_t			 ck_i[8], ck_r[8];
	const struct ike_alg	*prf, *encr;
	struct ike_dh		*dh;
	uint8_t			 sai_b[512];
	size_t			 sailen;
	uint8_t			 idi_b[128];	/* aggressive: our ID body */
	size_t			 idilen;
	uint8_t			 gxi[1024], gxr[1024];
	size_t			 gxilen, gxrlen;
	uint8_t			 ni[32], nr[256];
	size_t			 nrlen;
	struct ikev1_keys	 keys;
	struct ikev1_iv		 iv;		/* phase 1, then p1last */
	uint32_t		 cfg_msgid;	/* our mode-config request */
	struct ikev1_iv		 cfg_iv;
	uint32_t		 qm_msgid;
	struct ikev1_iv		 qm_iv;
	uint8_t			 qni[32];
	uint32_t		 qm_spi;
	struct ikev1_ini_seen	 seen;
	uint8_t			 plain[8192];
	uint8_t			 reasm[8192];	/* fragments, in order */
	size_t			 reasmlen;
};

/* ikev1_initiator.c */
void	ini_hdr(const struct ikev1_ini *i, struct ikev1_hdr *h, uint8_t exch,
    uint32_t msgid);
void	ini_seal(struct ikev1_ini *i, uint8_t exch, uint32_t msgid,
    struct ikev1_iv *iv, uint8_t first, const uint8_t *body, size_t len,
    struct ikev1_ini_out *o);
void	ini_seal_hashed(struct ikev1_ini *i, uint8_t exch, uint32_t msgid,
    struct ikev1_iv *iv, struct ikev1_enc *e, uint8_t *body,
    const uint8_t *ni, size_t nilen, struct ikev1_ini_out *o);

/* ikev1_initiator_qm.c */
void	ini_qm_start(struct ikev1_ini *i, struct ikev1_ini_out *o);
void	ini_cfg_start(struct ikev1_ini *i, struct ikev1_ini_out *o);
int	ini_transaction(struct ikev1_ini *i, const struct ikev1_msg *m,
    struct ikev1_iv *iv, struct ikev1_ini_out *o);
int	ini_quick2(struct ikev1_ini *i, const struct ikev1_msg *m,
    struct ikev1_ini_out *o);
int	ini_info(struct ikev1_ini *i, const struct ikev1_msg *m);

#endif
