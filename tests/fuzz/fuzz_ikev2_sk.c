/*
 * fuzz_ikev2_sk: structure-aware fuzzing behind the SK payload (RFC 7296
 * 3.14).  fuzz_ikev2_engine stops where decryption starts; here every
 * input first sets up a real IKE SA with the real engine in memory (the
 * fixture of tests/unit/ikev2_fixture.c and the test initiator), then
 * seals the input's payload chain with that SA's SK_ei/SK_ai at the
 * message ID the engine expects, so what gets fuzzed are the handlers:
 * IKE_AUTH (IDi, AUTH, CP, SA, TSi/TSr narrowing, the first CHILD_SA),
 * CREATE_CHILD_SA (new CHILD_SAs, CHILD and IKE rekeys), INFORMATIONAL
 * (DELETE, notifies, MOBIKE UPDATE_SA_ADDRESSES), SKF fragments (RFC 7383
 * 2.6) and the responses to the engine's own requests.
 *
 * Input: byte 0 the mode, byte 1 the variant, byte 2 the type of the
 * first inner payload, the rest the inner payload chain (generic payload
 * headers, RFC 7296 3.2).
 *   mode & 0x03	0 IKE_AUTH (msgid 1) on an SA after IKE_SA_INIT only;
 *			1 CREATE_CHILD_SA, 2 INFORMATIONAL, on an established
 *			SA (msgid 2); 3 a response to the engine's request
 *			(variant & 0x03: DPD, CHILD rekey, IKE rekey, the
 *			DELETE of the CHILD_SA it rekeyed)
 *   mode & 0x04	sealed as SKF fragments: 2 + (variant >> 2 & 3) of
 *			them, in reverse order when variant & 0x10, the first
 *			one twice when variant & 0x20
 *   mode & 0x08	payload lengths fixed up (each clamped to what is
 *			left, the last one's next payload 0), so mutations get
 *			past the chain decoder more often
 *   mode & 0x10	AUTH fixed up: a PSK AUTH of the right length gets
 *			the value for the chain's IDi (RFC 7296 2.15), and the
 *			4 octets c5 c5 c5 c2 become the engine's inbound SPI
 *			of the first CHILD_SA
 *   mode & 0x20	afterwards, the engine's requests are answered by the
 *			initiator and its DPD and CHILD lifetime timers fired
 *   mode & 0x40	sealed under another exchange type (variant >> 6)
 *   mode & 0x80	sent from another address and port (192.0.2.3:4500)
 * The established SA's first CHILD_SA has the initiator's inbound SPI
 * FZ_SPI_IN (0c0ffee1), so seeds can name it; MOBIKE was negotiated.
 *
 * Every input gets a fresh engine (and so a fresh SA), so a crash
 * reproduces from the one input; after each, the engine's SPI indexes must
 * hold exactly its live SAs, and every lease must come back when it is
 * freed.  The initiator's SPIs are fixed; keys, nonces and the engine's
 * SPIs are random (the fixture draws them from OpenSSL), but nothing the
 * harness decides depends on their values.  Inputs whose (last) sealed
 * message got past decryption, and those whose plaintext also decoded, are
 * counted in the PASS line (rg_fuzz_report, tests/fuzz/fuzz_driver.c).
 *
 * RG_FUZZ_SEEDS_OUT=dir writes the seeds of tests/fuzz/seeds/ikev2_sk/.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ikev2.h"
#include "ikev2_fixture.h"
#include "ikev2_initiator_int.h"
#include "ikev2_int.h"
#include "ikev2_msg.h"
#include "rg_log.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
void	rg_fuzz_report(char *, size_t);
long	rg_fuzz_iters(void);

#define FZ_SPI_I	0x0c0ffee0c0ffee0ULL	/* the initiator's IKE SPI */
#define FZ_SPI_IN	0x0c0ffee1u	/* the initiator's first inbound SPI */
#define FZ_ID		"fuzz@example.com"

enum fz_kind { FZ_AUTH, FZ_CHILD, FZ_INFO, FZ_RESP };

static const uint8_t	 exch_of[] = { IKEV2_EXCH_IKE_AUTH,
	IKEV2_EXCH_CREATE_CHILD_SA, IKEV2_EXCH_INFORMATIONAL, 33 };

static unsigned long	 n_fed, n_decrypted, n_parsed;
static bool		 cleanup_set;

static void
fz_exit(void)
{
	fx_cleanup();
}

/* ESP AES-GCM-16/128 without ESN, the proposal of fx_gcm. */
static void
esp_sa(struct ikev2_sa_pl *sa, uint32_t spi)
{
	struct ikev2_prop	*p = &sa->prop[0];

	memset(sa, 0, sizeof(*sa));
	sa->nprop = 1;
	p->num = 1;
	p->proto = IKEV2_PROTO_ESP;
	p->spi_len = 4;
	rg_put_u32(p->spi, spi);
	p->xf[0].type = IKEV2_XF_ENCR;
	p->xf[0].id = 20;
	p->xf[0].keylen = 128;
	p->xf[1].type = IKEV2_XF_ESN;
	p->xf[1].id = 0;
	p->nxf = 2;
}

static void
any_ts(struct ikev2_ts_pl *t)
{
	memset(t, 0, sizeof(*t));
	t->nts = 1;
	t->ts[0].type = IKEV2_TS_IPV4_ADDR_RANGE;
	t->ts[0].port_hi = 0xffff;
	memset(t->ts[0].hi, 0xff, 4);
}

/* {IDi, AUTH, N(MOBIKE_SUPPORTED), CP(CFG_REQUEST), SAi2, TSi, TSr}: the
 * AUTH value is zeros, for the fix-up to fill in. */
static long
auth_chain(uint8_t *buf, size_t cap, uint8_t *first)
{
	struct ikev2_enc	 e;
	struct ikev2_sa_pl	*sa = malloc(sizeof(*sa));
	struct ikev2_ts_pl	 ts;
	struct ikev2_cp		 cp;
	uint8_t			 zero[32];

	if (sa == NULL)
		return -1;
	memset(zero, 0, sizeof(zero));
	ikev2_enc_inner(&e, buf, cap);
	ikev2_put_id(&e, IKEV2_PL_IDI, IKEV2_ID_RFC822_ADDR,
	    (const uint8_t *)FZ_ID, strlen(FZ_ID));
	ikev2_put_auth(&e, IKEV2_AUTH_PSK, zero, sizeof(zero));
	ikev2_put_notify(&e, 0, NULL, 0, IKEV2_N_MOBIKE_SUPPORTED, NULL, 0);
	memset(&cp, 0, sizeof(cp));
	cp.cfg_type = IKEV2_CFG_REQUEST;
	cp.nattr = 2;
	cp.attr[0].type = IKEV2_CFG_INTERNAL_IP4_ADDRESS;
	cp.attr[1].type = IKEV2_CFG_INTERNAL_IP4_DNS;
	ikev2_put_cp(&e, &cp);
	esp_sa(sa, FZ_SPI_IN);
	ikev2_put_sa(&e, sa);
	free(sa);
	any_ts(&ts);
	ikev2_put_ts(&e, IKEV2_PL_TSI, &ts);
	ikev2_put_ts(&e, IKEV2_PL_TSR, &ts);
	*first = e.first;
	return e.w.err || e.w.len == 0 ? -1 : (long)e.w.len;
}

/* Clamp each payload length to what is left and end the chain at the
 * last payload (RFC 7296 3.2), so the decoder gets to the bodies. */
static void
fix_lengths(uint8_t *c, size_t len, uint8_t first)
{
	size_t	 off = 0, pl;
	uint8_t	 np = first;

	while (np != 0 && len - off >= 4) {
		pl = rg_get_u16(c + off + 2);
		if (pl < 4 || pl > len - off) {
			pl = len - off;
			rg_put_u16(c + off + 2, (uint16_t)pl);
		}
		if (off + pl == len)
			c[off] = 0;
		np = c[off];
		off += pl;
	}
}

/* A PSK AUTH with a value of the PRF's length gets the right value for
 * the chain's IDi; c5c5c5c2 becomes the engine's inbound CHILD SPI. */
static void
fix_auth(struct ikev2_ini *i, uint32_t eng_spi, uint8_t *c, size_t len,
    uint8_t first)
{
	const uint8_t	*id = NULL;
	uint8_t		*auth = NULL;
	size_t		 off = 0, pl, idlen = 0;
	uint8_t		 np = first, v[64];

	while (np != 0 && len - off >= 4) {
		pl = rg_get_u16(c + off + 2);
		if (pl < 4 || pl > len - off)
			break;
		if (np == IKEV2_PL_IDI && id == NULL) {
			id = c + off + 4;
			idlen = pl - 4;
		} else if (np == IKEV2_PL_AUTH && auth == NULL &&
		    i->prf != NULL && pl == 8 + i->prf->out &&
		    c[off + 4] == IKEV2_AUTH_PSK)
			auth = c + off + 8;
		np = c[off];
		off += pl;
	}
	if (id != NULL && auth != NULL && i->msg1 != NULL &&
	    ini_psk_auth(i, i->msg1, i->nr, i->nrlen, i->keys.sk_pi, id,
	    idlen, v) == 0)
		memcpy(auth, v, i->prf->out);
	for (off = 0; off + 4 <= len; off++)
		if (memcmp(c + off, "\xc5\xc5\xc5\xc2", 4) == 0)
			rg_put_u32(c + off, eng_spi);
}

/* HDR, SK {inner} or one of the SKF fragments {inner} from the initiator
 * (RFC 7296 3.14, RFC 7383 2.5).  num 0: an SK payload. */
static long
seal(struct ikev2_ini *i, uint8_t exch, bool response, uint32_t msgid,
    uint8_t np, uint16_t num, uint16_t total, const uint8_t *inner,
    size_t ilen, uint8_t *out, size_t cap)
{
	struct ikev2_hdr	 h;
	struct ikev2_enc	 e;

	memset(&h, 0, sizeof(h));
	h.spi_i = i->spi_i;
	h.spi_r = i->spi_r;
	h.exch = exch;
	h.flags = IKEV2_FLAG_I | (response ? IKEV2_FLAG_R : 0);
	h.msgid = msgid;
	ikev2_enc_init(&e, out, cap, &h);
	ikev2_pl_begin(&e, num ? IKEV2_PL_SKF : IKEV2_PL_SK);
	if (num) {
		rg_wr_u16(&e.w, num);
		rg_wr_u16(&e.w, total);
	}
	if (e.w.err)
		return -1;
	out[IKEV2_HDR_LEN] = num > 1 ? 0 : np;
	return ikev2_sk_seal(&i->keys.i2r, out, cap, e.w.len, IKEV2_HDR_LEN,
	    inner, ilen);
}

static struct sockaddr_in	 fz_from;

static void
input(struct ikev2_engine *e, const uint8_t *p, size_t len, bool moved)
{
	if (!moved) {
		fx_input(e, p, len);
		return;
	}
	fz_from = fx_cli;
	inet_pton(AF_INET, "192.0.2.3", &fz_from.sin_addr);
	fz_from.sin_port = htons(4500);
	ikev2_engine_input(e, p, len, (struct sockaddr *)&fz_from,
	    (struct sockaddr *)&fx_srv, -1);
}

/* IKE_SA_INIT by the initiator: its keys are derived and its IKE_AUTH
 * (msgid 1) written to a, which we leave unsent. */
static struct ikev2_ini *
sa_init(struct ikev2_engine *e)
{
	struct ikev2_ini	*i = ikev2_ini_new(&fx_gcm);
	uint8_t			 a[4096], b[4096];
	long			 n;

	if (i == NULL)
		return NULL;
	i->spi_i = FZ_SPI_I;	/* ours fixed; the engine's stays random */
	/* HDR, SAi1, KEi, Ni --> <-- HDR, SAr1, KEr, Nr */
	n = ikev2_ini_start(i, a, sizeof(a));
	if (fx_rt(e, i, a, n, b, sizeof(b)) <= 0 ||
	    ikev2_ini_state(i) != INI_AUTH_SENT) {
		ikev2_ini_free(i);
		return NULL;
	}
	return i;
}

/* HDR, SK {IDi, AUTH, N(MOBIKE_SUPPORTED), CP, SAi2, TSi, TSr} -->
 * <-- HDR, SK {IDr, AUTH, N(MOBIKE_SUPPORTED), CP(REPLY), SAr2, TSi, TSr} */
static int
establish(struct ikev2_engine *e, struct ikev2_ini *i)
{
	uint8_t	 c[1024], a[4096], b[4096];
	uint8_t	 first;
	long	 n;

	if ((n = auth_chain(c, sizeof(c), &first)) < 0)
		return -1;
	fix_auth(i, 0, c, (size_t)n, first);
	n = seal(i, IKEV2_EXCH_IKE_AUTH, false, 1, first, 0, 0, c, (size_t)n,
	    a, sizeof(a));
	if (fx_rt(e, i, a, n, b, sizeof(b)) != 0 ||
	    ikev2_ini_state(i) != INI_ESTABLISHED)
		return -1;
	i->spi_in = FZ_SPI_IN;
	return 0;
}

/* Let the engine send a request of the kind asked; its message ID and
 * exchange type, -1 when it sent none. */
static int
engine_request(struct ikev2_engine *e, struct ikev2_ini *i, int kind,
    uint32_t *msgid, uint8_t *exch)
{
	struct ikev2_sa	*sa = ikev2_sa_lookup(e, i->spi_r);
	const uint8_t	*p;
	uint8_t		 a[4096];
	long		 n;

	if (sa == NULL || sa->children == NULL)
		return -1;
	fx_q_clear();
	switch (kind) {
	case 0:		/* <-- HDR, SK {} (liveness) */
		sa->last_rx_ms = 0;
		ikev2_dpd_cb(&sa->t_dpd);
		break;
	case 1:		/* <-- HDR, SK {N(REKEY_SA), SA, Ni, TSi, TSr} */
		sa->cfg->settings.child_lifetime_s = 1;
		sa->children->created_ms = 0;
		ikev2_child_lifetime_cb(&sa->t_child);
		break;
	case 2:		/* <-- HDR, SK {SA, Ni, KEi} */
		if (ikev2_ike_rekey_start(sa) < 0)
			return -1;
		break;
	default:	/* <-- HDR, SK {D(ESP)}: the CHILD_SA we rekeyed */
		sa->cfg->settings.child_lifetime_s = 1;
		sa->children->created_ms = 0;
		ikev2_child_lifetime_cb(&sa->t_child);
		if (fx_q.n != 1 || (n = ikev2_ini_answer(i, fx_q.pkt[0],
		    fx_q.len[0], a, sizeof(a))) <= 0)
			return -1;
		fx_q_clear();
		fx_input(e, a, (size_t)n);
		break;
	}
	if (fx_q.n == 0 || fx_q.len[fx_q.n - 1] < IKEV2_HDR_LEN)
		return -1;
	p = fx_q.pkt[fx_q.n - 1];
	*exch = p[18];
	*msgid = rg_get_u32(p + 20);
	return 0;
}

/* The engine's requests answered, its timers fired, a few rounds. */
static void
play_on(struct ikev2_engine *e, struct ikev2_ini *i)
{
	uint8_t	 out[4096], pkt[4096];
	size_t	 len;
	long	 n;

	for (int round = 0; round < 3; round++) {
		struct ikev2_sa	*sa = ikev2_sa_lookup(e, i->spi_r);

		for (size_t k = 0; k < fx_q.n; k++) {
			if (fx_q.len[k] < IKEV2_HDR_LEN ||
			    (fx_q.pkt[k][19] & IKEV2_FLAG_R) != 0 ||
			    fx_q.len[k] > sizeof(pkt))
				continue;
			len = fx_q.len[k];
			memcpy(pkt, fx_q.pkt[k], len);
			if ((n = ikev2_ini_answer(i, pkt, len, out,
			    sizeof(out))) > 0) {
				fx_q_clear();
				fx_input(e, out, (size_t)n);
				break;
			}
		}
		fx_q_clear();
		if (sa == NULL || sa->state != IKEV2_S_ESTABLISHED)
			return;
		if (round == 0) {
			sa->last_rx_ms = 0;
			ikev2_dpd_cb(&sa->t_dpd);
		} else if (round == 1 && sa->children != NULL) {
			sa->cfg->settings.child_lifetime_s = 1;
			sa->children->created_ms = 0;
			ikev2_child_lifetime_cb(&sa->t_child);
		}
	}
}

static void
run(struct ikev2_engine *e, const uint8_t *data, size_t len)
{
	struct ikev2_ini	*i;
	struct ikev2_sa		*sa;
	uint8_t			 mode = data[0], var = data[1], np = data[2];
	enum fz_kind		 kind = mode & 3;
	uint8_t			*c = NULL, *out = NULL;
	size_t			 clen = len - 3;
	uint32_t		 msgid = kind == FZ_AUTH ? 1 : 2, eng_spi = 0;
	uint8_t			 exch = exch_of[kind];
	long long		 before[4], after[4];
	static const char	*ctr[] = { "decrypt_fail", "bad_spi",
				    "bad_msgid", "malformed" };
	bool			 fed = false;
	long			 n;

	if ((i = sa_init(e)) == NULL)
		return;
	if (kind != FZ_AUTH && establish(e, i) < 0)
		goto out;
	if (kind == FZ_RESP && engine_request(e, i, var & 3, &msgid,
	    &exch) < 0)
		goto out;
	fx_q_clear();
	if ((sa = ikev2_sa_lookup(e, i->spi_r)) != NULL && sa->children)
		eng_spi = sa->children->spi_in;
	if (mode & 0x40)
		exch = exch_of[var >> 6];
	if ((c = malloc(clen + 1)) == NULL ||
	    (out = malloc(IKEV2_MAX_MSG)) == NULL)
		goto out;
	memcpy(c, data + 3, clen);
	if (mode & 0x08)
		fix_lengths(c, clen, np);
	if (mode & 0x10)
		fix_auth(i, eng_spi, c, clen, np);
	for (int k = 0; k < 4; k++)
		before[k] = fx_counter(e, ctr[k]);
	if ((mode & 0x04) == 0) {
		n = seal(i, exch, kind == FZ_RESP, msgid, np, 0, 0, c, clen,
		    out, IKEV2_MAX_MSG);
		if (n > 0) {
			input(e, out, (size_t)n, mode & 0x80);
			fed = true;
		}
	} else {
		/* RFC 7383 2.5: the chain cut into total pieces, each
		 * sealed alone; the first carries the first payload type. */
		uint16_t total = (uint16_t)(2 + (var >> 2 & 3));
		size_t	 piece = clen / total;

		for (uint16_t k = 0; k < total + ((var & 0x20) != 0); k++) {
			uint16_t num = (var & 0x20) && k == total ? 1 :
			    (var & 0x10) ? (uint16_t)(total - k) :
			    (uint16_t)(k + 1);
			size_t	 o = (size_t)(num - 1) * piece;
			size_t	 pl = num == total ? clen - o : piece;

			n = seal(i, exch, kind == FZ_RESP, msgid, np, num,
			    total, c + o, pl, out, IKEV2_MAX_MSG);
			if (n > 0) {
				input(e, out, (size_t)n, mode & 0x80);
				fed = true;
			}
		}
	}
	for (int k = 0; k < 4; k++)
		after[k] = fx_counter(e, ctr[k]);
	if (fed) {
		n_fed++;
		if (after[0] == before[0] && after[1] == before[1] &&
		    after[2] == before[2]) {
			n_decrypted++;
			if (after[3] == before[3])
				n_parsed++;
		}
	}
	if (mode & 0x20)
		play_on(e, i);
out:
	fx_q_clear();
	free(c);
	free(out);
	ikev2_ini_free(i);
}

/* The seeds (RG_FUZZ_SEEDS_OUT): one valid chain per handler. */
static void
seed(const char *dir, const char *name, uint8_t mode, uint8_t var,
    const struct ikev2_enc *e)
{
	char	 path[512];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (e->w.err || (f = fopen(path, "wb")) == NULL) {
		fprintf(stderr, "fuzz_ikev2_sk: cannot write %s\n", path);
		exit(1);
	}
	fputc(mode, f);
	fputc(var, f);
	fputc(e->w.len ? e->first : 0, f);
	fwrite(e->w.base, 1, e->w.len, f);
	fclose(f);
}

static void
ike_prop(struct ikev2_sa_pl *sa)
{
	struct ikev2_prop	*p = &sa->prop[0];

	memset(sa, 0, sizeof(*sa));
	sa->nprop = 1;
	p->num = 1;
	p->proto = IKEV2_PROTO_IKE;
	p->spi_len = 8;
	memcpy(p->spi, "\x0c\x0f\xfe\xe0\x00\x00\x00\x01", 8);
	p->xf[0].type = IKEV2_XF_ENCR;
	p->xf[0].id = 20;
	p->xf[0].keylen = 256;
	p->xf[1].type = IKEV2_XF_PRF;
	p->xf[1].id = 5;
	p->xf[2].type = IKEV2_XF_DH;
	p->xf[2].id = 19;
	p->nxf = 3;
}

static void
write_seeds(const char *dir)
{
	static uint8_t		 buf[4096];
	struct ikev2_enc	 e;
	struct ikev2_sa_pl	*sa = malloc(sizeof(*sa));
	struct ikev2_ts_pl	 ts;
	struct ikev2_delete	 d;
	struct ike_dh		*dh = ike_dh_new(19);
	uint8_t			 nonce[32], pub[256], spi[4], natd[20];
	long			 n, pl;

	if (sa == NULL || dh == NULL ||
	    (pl = ike_dh_public(dh, pub, sizeof(pub))) < 0)
		exit(1);
	memset(nonce, 0x4e, sizeof(nonce));
	memset(natd, 0xd4, sizeof(natd));
	any_ts(&ts);

	/* HDR, SK {IDi, AUTH, N(MOBIKE_SUPPORTED), CP, SAi2, TSi, TSr} */
	ikev2_enc_inner(&e, buf, sizeof(buf));
	if ((n = auth_chain(buf, sizeof(buf), &e.first)) < 0)
		exit(1);
	e.w.len = (size_t)n;
	seed(dir, "auth_cp", 0x18, 0, &e);
	/* The same in two SKF fragments (RFC 7383 2.5), and in three. */
	seed(dir, "auth_frag2", 0x14, 0x00, &e);
	seed(dir, "auth_frag3_reverse", 0x14, 0x14, &e);

	/* HDR, SK {SA, Ni, TSi, TSr}: a second CHILD_SA (RFC 7296 1.3.1) */
	ikev2_enc_inner(&e, buf, sizeof(buf));
	esp_sa(sa, FZ_SPI_IN + 1);
	ikev2_put_sa(&e, sa);
	ikev2_put_nonce(&e, nonce, sizeof(nonce));
	ikev2_put_ts(&e, IKEV2_PL_TSI, &ts);
	ikev2_put_ts(&e, IKEV2_PL_TSR, &ts);
	seed(dir, "child_new", 0x01, 0, &e);
	/* ... then the engine's requests answered, its timers fired */
	seed(dir, "child_new_play", 0x21, 0, &e);

	/* HDR, SK {N(REKEY_SA), SA, Ni, TSi, TSr} (1.3.3) */
	ikev2_enc_inner(&e, buf, sizeof(buf));
	rg_put_u32(spi, FZ_SPI_IN);
	ikev2_put_notify(&e, IKEV2_PROTO_ESP, spi, 4, IKEV2_N_REKEY_SA,
	    NULL, 0);
	esp_sa(sa, FZ_SPI_IN + 2);
	ikev2_put_sa(&e, sa);
	ikev2_put_nonce(&e, nonce, sizeof(nonce));
	ikev2_put_ts(&e, IKEV2_PL_TSI, &ts);
	ikev2_put_ts(&e, IKEV2_PL_TSR, &ts);
	seed(dir, "child_rekey", 0x09, 0, &e);

	/* HDR, SK {SA, Ni, KEi}: the IKE SA rekeyed (1.3.2) */
	ikev2_enc_inner(&e, buf, sizeof(buf));
	ike_prop(sa);
	ikev2_put_sa(&e, sa);
	ikev2_put_nonce(&e, nonce, sizeof(nonce));
	ikev2_put_ke(&e, 19, pub, (size_t)pl);
	seed(dir, "ike_rekey", 0x09, 0, &e);

	/* HDR, SK {D(ESP, SPI)} and HDR, SK {D(IKE)} (1.4.1) */
	ikev2_enc_inner(&e, buf, sizeof(buf));
	memset(&d, 0, sizeof(d));
	d.proto = IKEV2_PROTO_ESP;
	d.spi_len = 4;
	d.nspi = 1;
	d.spi[0] = FZ_SPI_IN;
	ikev2_put_delete(&e, &d);
	seed(dir, "info_delete_child", 0x02, 0, &e);
	/* The engine's own inbound SPI instead (c5c5c5c2, fixed up). */
	ikev2_enc_inner(&e, buf, sizeof(buf));
	d.spi[0] = 0xc5c5c5c2u;
	ikev2_put_delete(&e, &d);
	seed(dir, "info_delete_their_spi", 0x12, 0, &e);
	ikev2_enc_inner(&e, buf, sizeof(buf));
	memset(&d, 0, sizeof(d));
	d.proto = IKEV2_PROTO_IKE;
	ikev2_put_delete(&e, &d);
	seed(dir, "info_delete_ike", 0x02, 0, &e);

	/* HDR, SK {N(UPDATE_SA_ADDRESSES), N(NAT_DETECTION_SOURCE_IP),
	 * N(NAT_DETECTION_DESTINATION_IP), N(COOKIE2)} from a new address
	 * (RFC 4555 3.5), and the same in two fragments. */
	ikev2_enc_inner(&e, buf, sizeof(buf));
	ikev2_put_notify(&e, 0, NULL, 0, IKEV2_N_UPDATE_SA_ADDRESSES, NULL, 0);
	ikev2_put_notify(&e, 0, NULL, 0, IKEV2_N_NAT_DETECTION_SOURCE_IP,
	    natd, sizeof(natd));
	ikev2_put_notify(&e, 0, NULL, 0, IKEV2_N_NAT_DETECTION_DESTINATION_IP,
	    natd, sizeof(natd));
	ikev2_put_notify(&e, 0, NULL, 0, IKEV2_N_COOKIE2, nonce, 16);
	seed(dir, "info_update_sa", 0x8a, 0, &e);
	seed(dir, "info_update_sa_frag2", 0x86, 0x20, &e);

	/* Responses to the engine's requests: DPD, CHILD rekey (SA, Nr,
	 * TSi, TSr), IKE rekey (SA, Nr, KEr), DELETE. */
	ikev2_enc_inner(&e, buf, sizeof(buf));
	seed(dir, "resp_dpd", 0x03, 0, &e);
	seed(dir, "resp_delete", 0x03, 3, &e);
	esp_sa(sa, FZ_SPI_IN + 3);
	ikev2_put_sa(&e, sa);
	ikev2_put_nonce(&e, nonce, sizeof(nonce));
	ikev2_put_ts(&e, IKEV2_PL_TSI, &ts);
	ikev2_put_ts(&e, IKEV2_PL_TSR, &ts);
	seed(dir, "resp_child_rekey", 0x0b, 1, &e);
	ikev2_enc_inner(&e, buf, sizeof(buf));
	ike_prop(sa);
	ikev2_put_sa(&e, sa);
	ikev2_put_nonce(&e, nonce, sizeof(nonce));
	ikev2_put_ke(&e, 19, pub, (size_t)pl);
	seed(dir, "resp_ike_rekey", 0x03, 2, &e);
	/* The IKE rekey answered under another exchange type. */
	seed(dir, "resp_ike_rekey_as_info", 0x43, 0x82, &e);
	free(sa);
	ike_dh_free(dh);
}

/* The engine's two SPI indexes hold each SA that is not DEAD once, and
 * nothing else (a stale or doubled entry is memory misuse waiting for
 * the next lookup). */
static void
check_index(struct ikev2_engine *e)
{
	size_t	 live = 0, by_spi = 0, by_spi_i = 0;

	for (struct ikev2_sa *sa = e->all; sa != NULL; sa = sa->next)
		if (sa->state != IKEV2_S_DEAD)
			live++;
	for (size_t k = 0; k < IKEV2_HASH; k++) {
		for (struct ikev2_sa *x = e->by_spi[k]; x; x = x->hnext)
			by_spi++;
		for (struct ikev2_sa *x = e->by_spi_i[k]; x; x = x->inext)
			by_spi_i++;
	}
	if (by_spi != live || by_spi_i != live) {
		fprintf(stderr, "fuzz_ikev2_sk: %zu SAs alive, %zu and %zu in "
		    "the SPI indexes\n", live, by_spi, by_spi_i);
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct ikev2_engine	*e;

	if (!cleanup_set) {
		rg_log_set_level(RG_T__COUNT, getenv("RG_FUZZ_LOG") ?
		    RG_L_DEBUG : RG_L_ERROR);
		atexit(fz_exit);
		cleanup_set = true;
		if (getenv("RG_FUZZ_SEEDS_OUT") != NULL) {
			write_seeds(getenv("RG_FUZZ_SEEDS_OUT"));
			exit(0);
		}
	}
	if (len < 3 || len > 16384)
		return 0;
	if ((e = fx_engine(fx_config("modern"))) == NULL)
		abort();
	run(e, data, len);
	check_index(e);
	ikev2_engine_free(e);
	fx_q_clear();
	/* Every lease the engine took, it gave back. */
	if (fx_leases_out != 0) {
		fprintf(stderr, "fuzz_ikev2_sk: %u lease(s) not released\n",
		    fx_leases_out);
		abort();
	}
	return 0;
}

void
rg_fuzz_report(char *buf, size_t len)
{
	snprintf(buf, len, "%lu sealed, %lu decrypted, %lu parsed", n_fed,
	    n_decrypted, n_parsed);
}

/* An IKE_SA_INIT and an IKE_AUTH per input: 2000 mutations take about
 * as long as 20000 of a decoder. */
long
rg_fuzz_iters(void)
{
	return 2000;
}
