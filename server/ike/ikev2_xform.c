/*
 * ikev2_xform.c: IKEv2 transforms (RFC 7296 3.3.2, RFC 5282, RFC 7634,
 * RFC 3526/5903/8031 groups): lookups in the shared table (ike_alg.c) by
 * IKEv2 id and keyword, and the names IKEv2 logs print.
 */
#include <stdio.h>
#include <string.h>

#include "ikev2_msg.h"
#include "ikev2_xform.h"

/* The shared table's types are IKEv2's transform types. */
_Static_assert((int)IKE_ALG_ENCR == (int)IKEV2_XF_ENCR &&
    (int)IKE_ALG_PRF == (int)IKEV2_XF_PRF &&
    (int)IKE_ALG_INTEG == (int)IKEV2_XF_INTEG &&
    (int)IKE_ALG_DH == (int)IKEV2_XF_DH &&
    (int)IKE_ALG_ESN == (int)IKEV2_XF_ESN, "ike_alg types differ from IKEv2's");

const struct ikev2_xform *
ikev2_xform_find(uint8_t type, uint16_t id, uint16_t keylen)
{
	return ike_alg_find(type, id, keylen);
}

const struct ikev2_xform *
ikev2_xform_by_kw(const char *kw)
{
	return ike_alg_by_kw(kw);
}

const char *
ikev2_xf_type_name(uint8_t type)
{
	static const char *const n[] = { "?", "ENCR", "PRF", "INTEG", "DH",
	    "ESN", "ADDKE1", "ADDKE2", "ADDKE3", "ADDKE4", "ADDKE5", "ADDKE6",
	    "ADDKE7" };

	return type < sizeof(n) / sizeof(n[0]) ? n[type] : "?";
}

/* Key exchange method names (IANA "Transform Type 4" registry, which
 * RFC 9370 reuses for ADDKE): our groups, plus the post-quantum ones we
 * recognise in order to name them in logs (RFC 9370, ML-KEM for IKEv2). */
const char *
ikev2_ke_method_name(uint16_t id, char *buf, size_t len)
{
	static const struct {
		uint16_t	 id;
		const char	*name;
	} pq[] = {
		{ 0, "NONE" }, { 35, "ML-KEM-512" }, { 36, "ML-KEM-768" },
		{ 37, "ML-KEM-1024" },
	};
	const struct ikev2_xform *x = ikev2_xform_find(IKEV2_XF_DH, id, 0);

	if (x != NULL)
		return x->name;
	for (size_t i = 0; i < sizeof(pq) / sizeof(pq[0]); i++)
		if (pq[i].id == id)
			return pq[i].name;
	snprintf(buf, len, "KE_%u", id);
	return buf;
}

const char *
ikev2_xform_name(uint8_t type, uint16_t id, uint16_t keylen, char *buf,
    size_t len)
{
	const struct ikev2_xform *x = ikev2_xform_find(type, id, keylen);

	if (x != NULL)
		return x->name;
	if (type >= IKEV2_XF_ADDKE1 && type <= IKEV2_XF_ADDKE7)
		return ikev2_ke_method_name(id, buf, len);
	if (type == IKEV2_XF_INTEG && id == 0)
		return "INTEG_NONE";
	if (type == IKEV2_XF_DH && id == 0)
		return "DH_NONE";
	if (keylen)
		snprintf(buf, len, "%s_%u_%u", ikev2_xf_type_name(type), id,
		    keylen);
	else
		snprintf(buf, len, "%s_%u", ikev2_xf_type_name(type), id);
	return buf;
}
