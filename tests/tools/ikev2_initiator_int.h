/*
 * ikev2_initiator_int.h: the test initiator's state, shared by
 * ikev2_initiator.c (IKE_SA_INIT, IKE_AUTH), ikev2_initiator_child.c
 * (CREATE_CHILD_SA), ikev2_initiator_info.c (INFORMATIONAL, fragments)
 * and ikev2_initiator_auth.c (AUTH payloads: PSK, signatures; EAP).
 * Test-only.
 */
#ifndef IKEV2_INITIATOR_INT_H
#define IKEV2_INITIATOR_INT_H

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "ikev2_crypto.h"
#include "ikev2_initiator.h"
#include "ikev2_msg.h"
#include "ikev2_xform.h"
#include "rg_buf.h"

#define INI_MAX_FRAGS	16	/* RFC 7383 fragments of one message */

enum op { OP_NONE, OP_REKEY_CHILD, OP_REKEY_IKE, OP_DEL_OLD_IKE, OP_DELETE,
	OP_INFO, OP_DEL_CHILD };

struct ikev2_ini {
	struct ikev2_ini_conf	 c;
	char			 id[200];	/* IDi text (up to 196 bytes on the wire) */
	uint8_t			 psk[128];
	enum ikev2_ini_state	 state;
	enum op			 op;
	uint16_t		 error;
	uint64_t		 spi_i, spi_r;
	uint16_t		 group;
	int			 addke1_chosen;
	uint16_t		 addke1[2];
	bool			 addke1_optional;
	int			 nonce_fill;
	EVP_PKEY		*sig_key;	/* certificate auth, or NULL */
	X509			*sig_cert;
	uint8_t			 sig_method;
	uint8_t			 resp_auth;	/* the responder's AUTH method */
	bool			 want_v6;	/* CP: ask IPv6 address + DNS */
	bool			 eap;		/* EAP instead of our AUTH */
	bool			 eap_final;	/* AUTH from the MSK sent */
	struct rg_buf		*eap_in;	/* the last EAP message */
	uint8_t			 idi_body[200];	/* type|rsv|IDi, for AUTH */
	size_t			 idi_len;
	uint8_t			 idr_body[256];	/* the responder's, ditto */
	size_t			 idr_len;
	uint8_t			 vip6[17], dns6[16];
	size_t			 ndns6;
	uint32_t		 peer_del[8];
	size_t			 npeer_del;
	struct ike_dh		*dh;
	uint8_t			 ni[32], nr[256];
	size_t			 nrlen;
	uint8_t			 cookie[64];
	size_t			 cookielen;
	struct rg_buf		*msg1, *msg2;
	const struct ikev2_xform *prf, *encr, *integ;
	struct ikev2_keys	 keys;
	uint32_t		 msgid;
	struct rg_addr		 vip;
	uint8_t			 dns[4];
	size_t			 ndns;
	uint8_t			 tsr_lo[4], tsr_hi[4];
	bool			 transport;	/* ask USE_TRANSPORT_MODE */
	bool			 cookie2_bad;	/* echo COOKIE2 altered */
	bool			 tm_answered;
	struct ikev2_ini_ts	 tsi_seen, tsr_seen;
	size_t			 ntsr;
	uint32_t		 spi_in, spi_out;	/* current CHILD */
	uint32_t		 rk_spi_in;
	uint8_t			 rk_n[32];
	uint64_t		 rk_spi;
	struct ike_dh		*rk_dh;
	struct ikev2_keys	 rk_keys;
	uint64_t		 rk_spi_r;
	const struct ikev2_xform *rk_prf, *rk_encr, *rk_integ;
	uint8_t			 rk_nr[256];	/* Nr of the last rekey */
	size_t			 rk_nrlen;
	uint16_t		 child_pfs;	/* CHILD rekeys: KE group */
	struct rg_buf		*kdf_gir;	/* owned: the last g^ir */
	bool			 kdf_rekey;	/* last keys from a rekey */
	X509			*chain[4];	/* sent after sig_cert */
	size_t			 nchain;
	/* RFC 7383 fragmentation: our last request's fragments, and the
	 * decrypted fragments of a response being reassembled. */
	size_t			 frag_mtu;	/* 0: do not fragment */
	bool			 frag_peer;	/* responder supports it */
	struct rg_buf		*txf[INI_MAX_FRAGS];	/* owned */
	size_t			 ntxf;
	struct rg_buf		*rxf[INI_MAX_FRAGS];	/* owned */
	uint16_t		 rx_total;
	uint32_t		 rx_msgid;
	uint8_t			 rx_np;
};

/* ikev2_initiator_auth.c */
int	ini_psk_auth(struct ikev2_ini *i, const struct rg_buf *msg, const uint8_t *nonce,
    size_t nlen, const uint8_t *skp, const uint8_t *idbody, size_t idlen,
    uint8_t *out);
long	ini_sig_auth(struct ikev2_ini *i, const uint8_t *idbody, size_t idlen,
    uint8_t *out, size_t cap);
/* N(USE_TRANSPORT_MODE) and the first TSi/TSr of the IKE_AUTH answer. */
void	ini_seen(struct ikev2_ini *i, const struct ikev2_msg *m);
int	ini_sig_verify(struct ikev2_ini *i, const struct ikev2_msg *m,
    const struct ikev2_auth *a, const struct ikev2_pl *idr);

/* ikev2_initiator.c */
void	ini_kdf_keep(struct ikev2_ini *i, const struct rg_buf *gir,
    bool rekey);
void	ini_hdr_init(struct ikev2_ini *i, struct ikev2_hdr *h, uint8_t exch,
    uint32_t msgid);
void	ini_add_xf(struct ikev2_prop *p, uint8_t type, uint16_t id,
    uint16_t kl);
void	ini_ike_sa(struct ikev2_ini *i, struct ikev2_sa_pl *sa,
    const uint8_t *spi, bool all_groups);
void	ini_esp_sa(struct ikev2_ini *i, struct ikev2_sa_pl *sa, uint32_t spi);
void	ini_any_ts(struct ikev2_ts_pl *t);
long	ini_seal_req(struct ikev2_ini *i, uint8_t exch,
    const struct ikev2_enc *in, uint8_t *out, size_t cap);
const struct ikev2_prop *ini_first_prop(const struct ikev2_msg *m,
    struct ikev2_sa_pl *sa);
void	ini_take_algs(const struct ikev2_prop *p,
    const struct ikev2_xform **prf,
    const struct ikev2_xform **encr, const struct ikev2_xform **integ);
uint16_t ini_error_notify(const struct ikev2_msg *m,
    const uint8_t **data, size_t *len);

/* ikev2_initiator_child.c */
long	ini_rekey_response(struct ikev2_ini *i, const struct ikev2_msg *m,
    uint8_t *out, size_t cap);

/* ikev2_initiator_info.c */
long	ini_seal_frags(struct ikev2_ini *i, const struct ikev2_hdr *h,
    const struct ikev2_enc *in, uint8_t *out, size_t cap);
long	ini_frag_in(struct ikev2_ini *i, const struct ikev2_msg *m,
    uint8_t *plain,
    size_t cap, uint8_t *np);
long	ini_info_req(struct ikev2_ini *i, const struct ikev2_delete *d,
    enum op op,
    uint8_t *out, size_t cap);

/* ikev2_initiator_auth.c */
int	ini_eap_response(struct ikev2_ini *i, const struct ikev2_msg *m);

#endif
