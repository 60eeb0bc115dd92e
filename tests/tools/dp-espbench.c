/*
 * dp-espbench: ESP encrypt + decrypt of one 1400-byte packet, our codec
 * (esp_encrypt + esp_decrypt, replay window included) against the bare
 * OpenSSL EVP calls the same transform needs (contexts made once; per
 * packet: set IV, AAD/HMAC, cipher, tag), on this machine, same run.
 *
 *   dp-espbench [seconds-per-measurement]
 * prints, per transform, "<name> roadgate=<pkt/s> reference=<pkt/s>"
 * (best of three runs each).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "esp.h"

#define PKT	1400

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
mk(struct dp_sa *d, enum dp_encr e, size_t kl, enum dp_integ in, bool inbound)
{
	memset(d, 0, sizeof(*d));
	d->spi = 0x1234;
	d->inbound = inbound;
	d->mode = DP_MODE_TUNNEL;
	d->encr = e;
	d->encr_key_len = kl;
	memset(d->encr_key, 7, kl);
	d->integ = in;
	if (in != DP_INTEG_NONE) {
		d->integ_key_len = 32;
		memset(d->integ_key, 9, 32);
	}
}

static double
ours(enum dp_encr e, size_t kl, enum dp_integ in, double secs)
{
	static uint8_t	 pt[PKT], ct[PKT + 128], back[PKT + 128];
	struct dp_sa	 d;
	struct esp_sa	 o, i;
	size_t		 n, m;
	uint64_t	 seq, cnt = 0;
	uint8_t		 nh;
	double		 t0, t;
	int		 k;

	mk(&d, e, kl, in, false);
	if (esp_sa_init(&o, &d) != 0)
		exit(1);
	d.inbound = true;
	if (esp_sa_init(&i, &d) != 0)
		exit(1);
	pt[0] = 0x45;
	t0 = now();
	do {
		for (k = 0; k < 256; k++) {
			if (esp_encrypt(&o, 4, pt, PKT, ct, sizeof(ct), &n) != 0 ||
			    esp_decrypt(&i, ct, n, back, sizeof(back), &m, &nh,
			    &seq) != 0 || m != PKT)
				exit(1);
		}
		cnt += 256;
		t = now() - t0;
	} while (t < secs);
	esp_sa_clear(&o);
	esp_sa_clear(&i);
	return (double)cnt / t;
}

/* The same work with nothing but EVP: AES-GCM with 8-byte AAD. */
static double
evp_gcm(double secs)
{
	static uint8_t	 pt[PKT + 4], ct[PKT + 4], back[PKT + 4];
	uint8_t		 key[16], iv[12] = { 0 }, aad[8] = { 0 }, tag[16];
	EVP_CIPHER_CTX	*e = EVP_CIPHER_CTX_new(), *dc = EVP_CIPHER_CTX_new();
	EVP_CIPHER	*c = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL);
	uint64_t	 cnt = 0;
	double		 t0, t;
	int		 n, k, len = PKT + 2 + 2;	/* payload + pad + trailer */

	memset(key, 7, sizeof(key));
	EVP_EncryptInit_ex(e, c, NULL, key, NULL);
	EVP_DecryptInit_ex(dc, c, NULL, key, NULL);
	t0 = now();
	do {
		for (k = 0; k < 256; k++) {
			iv[11]++;
			EVP_EncryptInit_ex(e, NULL, NULL, NULL, iv);
			EVP_EncryptUpdate(e, NULL, &n, aad, 8);
			EVP_EncryptUpdate(e, ct, &n, pt, len);
			EVP_EncryptFinal_ex(e, ct + n, &n);
			EVP_CIPHER_CTX_ctrl(e, EVP_CTRL_AEAD_GET_TAG, 16, tag);
			EVP_DecryptInit_ex(dc, NULL, NULL, NULL, iv);
			EVP_DecryptUpdate(dc, NULL, &n, aad, 8);
			EVP_DecryptUpdate(dc, back, &n, ct, len);
			EVP_CIPHER_CTX_ctrl(dc, EVP_CTRL_AEAD_SET_TAG, 16, tag);
			if (EVP_DecryptFinal_ex(dc, back + n, &n) <= 0)
				exit(1);
		}
		cnt += 256;
		t = now() - t0;
	} while (t < secs);
	EVP_CIPHER_free(c);
	EVP_CIPHER_CTX_free(e);
	EVP_CIPHER_CTX_free(dc);
	return (double)cnt / t;
}

/* AES-256-CBC + HMAC-SHA-256 with EVP only (encrypt-then-MAC, verify). */
static double
evp_cbc(double secs)
{
	static uint8_t	 pt[PKT + 16], ct[PKT + 64], back[PKT + 64];
	uint8_t		 key[32], hk[32], iv[16] = { 0 }, mac[64], mac2[64];
	EVP_CIPHER_CTX	*e = EVP_CIPHER_CTX_new(), *dc = EVP_CIPHER_CTX_new();
	EVP_CIPHER	*c = EVP_CIPHER_fetch(NULL, "AES-256-CBC", NULL);
	EVP_MAC		*hm = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX	*m = EVP_MAC_CTX_new(hm);
	OSSL_PARAM	 p[2];
	uint64_t	 cnt = 0;
	size_t		 ml;
	double		 t0, t;
	int		 n, k, len = 1408;	/* 1400 + pad + trailer */

	memset(key, 7, sizeof(key));
	memset(hk, 9, sizeof(hk));
	p[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)"SHA256", 0);
	p[1] = OSSL_PARAM_construct_end();
	EVP_MAC_init(m, hk, 32, p);
	EVP_EncryptInit_ex(e, c, NULL, key, NULL);
	EVP_CIPHER_CTX_set_padding(e, 0);
	EVP_DecryptInit_ex(dc, c, NULL, key, NULL);
	EVP_CIPHER_CTX_set_padding(dc, 0);
	t0 = now();
	do {
		for (k = 0; k < 256; k++) {
			iv[15]++;
			EVP_EncryptInit_ex(e, NULL, NULL, NULL, iv);
			EVP_EncryptUpdate(e, ct + 24, &n, pt, len);
			EVP_MAC_init(m, NULL, 0, NULL);
			EVP_MAC_update(m, ct, (size_t)len + 24);
			EVP_MAC_final(m, mac, &ml, sizeof(mac));
			EVP_MAC_init(m, NULL, 0, NULL);
			EVP_MAC_update(m, ct, (size_t)len + 24);
			EVP_MAC_final(m, mac2, &ml, sizeof(mac2));
			if (memcmp(mac, mac2, 16) != 0)
				exit(1);
			EVP_DecryptInit_ex(dc, NULL, NULL, NULL, iv);
			EVP_DecryptUpdate(dc, back, &n, ct + 24, len);
		}
		cnt += 256;
		t = now() - t0;
	} while (t < secs);
	EVP_MAC_CTX_free(m);
	EVP_MAC_free(hm);
	EVP_CIPHER_free(c);
	EVP_CIPHER_CTX_free(e);
	EVP_CIPHER_CTX_free(dc);
	return (double)cnt / t;
}

static double
best(double a, double b)
{
	return a > b ? a : b;
}

int
main(int argc, char **argv)
{
	double	 secs = argc > 1 ? atof(argv[1]) : 1.0, o = 0, r = 0;
	int	 k;

	for (k = 0; k < 3; k++) {
		o = best(o, ours(DP_ENCR_AES_GCM_16, 20, DP_INTEG_NONE, secs));
		r = best(r, evp_gcm(secs));
	}
	printf("aes128gcm roadgate=%.0f reference=%.0f\n", o, r);
	o = r = 0;
	for (k = 0; k < 3; k++) {
		o = best(o, ours(DP_ENCR_AES_CBC, 32, DP_INTEG_HMAC_SHA2_256_128,
		    secs));
		r = best(r, evp_cbc(secs));
	}
	printf("aes256cbc-sha256 roadgate=%.0f reference=%.0f\n", o, r);
	return 0;
}
