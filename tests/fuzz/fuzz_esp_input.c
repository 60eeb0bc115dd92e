/*
 * fuzz_esp_input.c: the ESP input path (RFC 4303 3.4) with fixed SAs.
 *
 * The first input byte picks the path; the rest is the packet:
 *   0: an AES-128-GCM inbound SA, raw bytes from the SPI on (header,
 *      length, replay and ICV checks on hostile bytes);
 *   1: the same with AES-256-CBC + HMAC-SHA-256 and ESN;
 *   2: a NULL-encryption + HMAC-SHA-256 SA, the harness appending a valid
 *      ICV, so every byte after the header reaches the post-ICV code:
 *      padding, next header, and the inner-packet parsers the data plane
 *      runs next (dp_pkt_parse, MSS clamp, ICMP too-big);
 *   3: a GCM packet the harness encrypts itself with the peer SA from the
 *      input as payload + next header: the whole decrypt path succeeds
 *      and the output must equal the input.
 * Seeds: tests/fuzz/seeds/esp_input/.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dp_pkt.h"
#include "esp.h"
#include "rg_buf.h"

static struct esp_sa	 sa_gcm, sa_cbc, sa_null, sa_gcm_out;
static bool		 ready;

static void
mk(struct esp_sa *sa, enum dp_encr e, size_t klen, enum dp_integ in,
    bool esn, bool inbound, uint32_t spi)
{
	struct dp_sa	 d;
	size_t		 i;

	memset(&d, 0, sizeof(d));
	d.spi = spi;
	d.inbound = inbound;
	d.mode = DP_MODE_TUNNEL;
	d.encr = e;
	d.encr_key_len = klen;
	for (i = 0; i < klen; i++)
		d.encr_key[i] = (uint8_t)(i + 1);
	d.integ = in;
	if (in != DP_INTEG_NONE) {
		d.integ_key_len = 32;
		for (i = 0; i < 32; i++)
			d.integ_key[i] = (uint8_t)(0x40 + i);
	}
	d.esn = esn;
	d.replay_window = 128;
	if (esp_sa_init(sa, &d) != 0)
		abort();
}

static void
reset(struct esp_sa *sa)
{
	sa->rp.top = 0;
	memset(sa->rp.bm, 0, sa->rp.nwords * sizeof(*sa->rp.bm));
}

static void
inner(uint8_t *p, size_t len)
{
	struct dp_pkt	 k;
	uint8_t		 icmp[2048], from[16] = { 10, 0, 0, 1 };

	if (dp_pkt_parse(p, len, &k) != 0)
		return;
	dp_ts_match(NULL, 0, k.af, k.dst, k.proto, k.dport);
	dp_mss_clamp(p, &k, 1200);
	dp_icmp_too_big(p, &k, 1300, from, icmp, sizeof(icmp));
}

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t	 pkt[70000], out[70000];
	size_t		 len, olen = 0;
	uint64_t	 seq;
	uint8_t		 nh;
	int		 rc;

	if (!ready) {
		mk(&sa_gcm, DP_ENCR_AES_GCM_16, 20, DP_INTEG_NONE, false, true,
		    0x11223344);
		mk(&sa_cbc, DP_ENCR_AES_CBC, 32, DP_INTEG_HMAC_SHA2_256_128,
		    true, true, 0x11223344);
		mk(&sa_null, DP_ENCR_NULL, 0, DP_INTEG_HMAC_SHA2_256_128, false,
		    true, 0x11223344);
		mk(&sa_gcm_out, DP_ENCR_AES_GCM_16, 20, DP_INTEG_NONE, false,
		    false, 0x11223344);
		ready = true;
	}
	if (size < 1 || size > 65536)
		return 0;
	len = size - 1;
	memcpy(pkt, data + 1, len);
	switch (data[0] & 3) {
	case 0:
		reset(&sa_gcm);
		rc = esp_decrypt(&sa_gcm, pkt, len, out, sizeof(out), &olen, &nh,
		    &seq);
		break;
	case 1:
		reset(&sa_cbc);
		rc = esp_decrypt(&sa_cbc, pkt, len, out, sizeof(out), &olen, &nh,
		    &seq);
		break;
	case 2:
		reset(&sa_null);
		if (len < ESP_HDR_LEN)
			return 0;
		if (esp_icv(&sa_null, pkt, len, NULL, pkt + len) != 0)
			abort();
		rc = esp_decrypt(&sa_null, pkt, len + sa_null.icv_len, out,
		    sizeof(out), &olen, &nh, &seq);
		if (rc == -ESP_E_AUTH)
			abort();	/* we signed it: must verify */
		break;
	default:
		reset(&sa_gcm);
		sa_gcm_out.seq = 0;
		if (len < 1)
			return 0;
		if (esp_encrypt(&sa_gcm_out, pkt[0] % 2 ? ESP_NH_IPV4 :
		    ESP_NH_IPV6, pkt + 1, len - 1, out, sizeof(out),
		    &olen) != 0)
			abort();
		memcpy(pkt, out, olen);
		rc = esp_decrypt(&sa_gcm, pkt, olen, out, sizeof(out), &olen,
		    &nh, &seq);
		if (rc != 0 || olen != len - 1 ||
		    memcmp(out, data + 2, olen) != 0)
			abort();	/* round trip must be exact */
		break;
	}
	if (rc == 0 && olen > 0)
		inner(out, olen);
	return 0;
}
