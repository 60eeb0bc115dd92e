/*
 * fuzz_radius.c: the RADIUS reply decoder (radius/radius_pkt.c): parse,
 * verify against a fixed request, read the attributes a client reads,
 * decrypt MPPE keys.  Input: byte 0 flags (bit 0: sign the packet with
 * the right Response Authenticator first, so what follows verification
 * runs too; bit 1: require Message-Authenticator), then the packet.
 * Nothing may crash or read out of bounds.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "radius_pkt.h"

static const uint8_t	 secret[] = "fixture-secret";
static const uint8_t	 req_auth[16] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
	11, 12, 13, 14, 15 };
static unsigned long	 verified, parsed;

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
void	rg_fuzz_report(char *, size_t);

void
rg_fuzz_report(char *out, size_t len)
{
	snprintf(out, len, "%lu parsed, %lu verified", parsed, verified);
}

/* The right Response Authenticator for p (the fake server's side). */
static void
sign(uint8_t *p, size_t n)
{
	uint8_t		 md[16];
	EVP_MD_CTX	*x = EVP_MD_CTX_new();
	size_t		 len = n >= RAD_HDR_LEN ? (size_t)p[2] << 8 | p[3] : 0;

	if (x == NULL || len > n || len < RAD_HDR_LEN) {
		EVP_MD_CTX_free(x);
		return;
	}
	memcpy(p + 4, req_auth, 16);
	EVP_DigestInit_ex(x, EVP_md5(), NULL);
	EVP_DigestUpdate(x, p, len);
	EVP_DigestUpdate(x, secret, sizeof(secret) - 1);
	EVP_DigestFinal_ex(x, md, NULL);
	EVP_MD_CTX_free(x);
	memcpy(p + 4, md, 16);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rad_msg	 m;
	uint8_t			*p, key[64];
	const struct rad_attr	*a;
	const char		*why;
	size_t			 n, i, klen;
	uint32_t		 v;
	int			 ok;

	if (size < 1)
		return 0;
	n = size - 1;
	if ((p = malloc(n ? n : 1)) == NULL)
		return 0;
	memcpy(p, data + 1, n);
	if (data[0] & 1)
		sign(p, n);
	if (rad_parse(p, n, &m, &why) < 0)
		goto out;
	parsed++;
	ok = rad_verify_reply(&m, req_auth, secret, sizeof(secret) - 1,
	    (data[0] & 2) != 0, &why) == 0;
	if (!ok)
		goto out;
	verified++;
	(void)rad_get_u32(&m, RAD_SESSION_TIMEOUT, &v);
	(void)rad_find(&m, RAD_CLASS);
	(void)rad_find_vsa(&m, RAD_VENDOR_MICROSOFT, RAD_MS_CHAP2_SUCCESS);
	for (i = 0; i < m.nattrs; i++) {
		a = &m.attrs[i];
		if (a->vendor == RAD_VENDOR_MICROSOFT &&
		    (a->vtype == RAD_MS_MPPE_SEND_KEY ||
		    a->vtype == RAD_MS_MPPE_RECV_KEY))
			(void)rad_mppe_decrypt(a->val, a->len, secret,
			    sizeof(secret) - 1, req_auth, key, sizeof(key),
			    &klen);
	}
out:
	free(p);
	return 0;
}
