/*
 * fuzz_radius_dae.c: the DAE request decoder (radius/radius_dae.c,
 * radius_pkt.c): parse, verify the Request Authenticator and
 * Message-Authenticator of a Disconnect/CoA-Request, decode what it
 * asks.  Input: byte 0 flags (bit 0: sign the packet first with the
 * right authenticators, so the decoder runs on verified input), then
 * the packet.  Nothing may crash or read out of bounds.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "radius_dae.h"
#include "radius_pkt.h"

static const uint8_t	 secret[] = "dae-secret";
static unsigned long	 parsed, verified, decoded;

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
void	rg_fuzz_report(char *, size_t);

void
rg_fuzz_report(char *out, size_t len)
{
	snprintf(out, len, "%lu parsed, %lu verified, %lu decoded", parsed,
	    verified, decoded);
}

/* Re-sign through the builder: the same attributes, right authenticators
 * (Message-Authenticator zeroed by rad_add_ma, filled by finish). */
static size_t
sign(const uint8_t *p, size_t n, uint8_t *out)
{
	static struct rad_msg	 m;
	static struct rad_pkt	 k;
	const char		*why;
	size_t			 i;

	if (rad_parse(p, n, &m, &why) < 0)
		return 0;
	rad_pkt_init(&k, m.code, m.id, NULL);
	for (i = 0; i < m.nattrs; i++) {
		const struct rad_attr *a = &m.attrs[i];

		if (a->type == RAD_MESSAGE_AUTHENTICATOR)
			rad_add_ma(&k);
		else if (a->vendor != 0)
			rad_add_vsa(&k, a->vendor, a->vtype, a->val, a->len);
		else
			rad_add(&k, a->type, a->val, a->len);
	}
	if (rad_pkt_finish(&k, secret, sizeof(secret) - 1) < 0)
		return 0;
	memcpy(out, k.buf, k.len);
	return k.len;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rad_msg		 m;
	static struct rad_dae_req	 q;
	static uint8_t			 signed_pkt[RAD_MAX_LEN];
	const uint8_t			*p;
	const char			*why;
	uint32_t			 ec;
	size_t				 n;

	if (size < 1)
		return 0;
	p = data + 1;
	n = size - 1;
	if ((data[0] & 1) && (n = sign(p, n, signed_pkt)) > 0)
		p = signed_pkt;
	else if (data[0] & 1)
		return 0;
	if (rad_parse(p, n, &m, &why) < 0)
		return 0;
	parsed++;
	if (rad_verify_request(&m, secret, sizeof(secret) - 1, true,
	    &why) < 0)
		return 0;
	verified++;
	if (rad_dae_decode(&m, &q, &ec, &why) == 0)
		decoded++;
	return 0;
}
