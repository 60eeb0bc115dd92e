/*
 * ikev1_msg_test_lib.h: the IKEv1 messages the codec tests
 * (test_ikev1_msg.c, test_ikev1_enc.c) decode, encode and break.
 */
#ifndef IKEV1_MSG_TEST_LIB_H
#define IKEV1_MSG_TEST_LIB_H

#include <stddef.h>
#include <stdint.h>

#include "ikev1_msg.h"

/* One phase-1 transform, 36 bytes: AES-256, hash, XAUTH_INIT_PSK, DH14,
 * 3600 s (RFC 2409 A attribute classes 1, 14, 2, 3, 4, 11, 12). */
#define P1XF(np, num, hash)						\
	np, 0, 0, 36, num, 1, 0, 0,					\
	0x80, 1, 0, 7, 0x80, 14, 1, 0, 0x80, 2, 0, hash,		\
	0x80, 3, 0xfd, 0xe9, 0x80, 4, 0, 14, 0x80, 11, 0, 1,		\
	0x80, 12, 0x0e, 0x10

#define VID_RFC3947	0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45,	\
	0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f
#define VID_APPLE	0x4d, 0xf3, 0x79, 0x28, 0xe9, 0xfc, 0x4f, 0xd1,	\
	0xb3, 0x26, 0x21, 0x70, 0xd5, 0x15, 0xc6, 0x62
#define VID_02N		0x90, 0xcb, 0x80, 0x91, 0x3e, 0xbb, 0x69, 0x6e,	\
	0x08, 0x63, 0x81, 0xb5, 0xec, 0x42, 0x7b, 0x1f
#define VID_FRAG	0x40, 0x48, 0xb7, 0xd5, 0x6e, 0xbc, 0xe8, 0x85,	\
	0x25, 0xe7, 0xde, 0x7f, 0x00, 0xd6, 0xc2, 0xd3, 0xc0, 0, 0, 0
#define VID_DPD		0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1, 0xf1, 0xc9,	\
	0x6b, 0x86, 0x96, 0xfc, 0x77, 0x57, 0x01, 0x00
#define VID_XAUTH	0x09, 0x00, 0x26, 0x89, 0xdf, 0xd6, 0xb7, 0x12
#define VID_UNITY	0x12, 0xf5, 0xf2, 0x8c, 0x45, 0x71, 0x68, 0xa9,	\
	0x70, 0x2d, 0x9f, 0xe2, 0x74, 0xcc, 0x01, 0x00

/*
 * HDR, SA, VID* --> : main mode, first message (iOS Cisco IPSec with a
 * certificate, or L2TP: main mode, DH14, AES-256 with SHA-256/SHA-1/
 * SHA-512, NAT-T VIDs with RFC 3947 first, FRAGMENTATION, DPD).
 */
static const uint8_t mm1[] = {
	/* header: CKY-I, CKY-R 0, np SA, 1.0, Main, flags 0, msgid 0 */
	1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0, 0, 0, 0,
	IKEV1_PL_SA, 0x10, IKEV1_EXCH_MAIN, 0, 0, 0, 0, 0, 0, 0, 1, 4,
	/* SA (128): DOI 1, SIT_IDENTITY_ONLY */
	IKEV1_PL_VID, 0, 0, 128, 0, 0, 0, 1, 0, 0, 0, 1,
	/* P (116): #1 ISAKMP, no SPI, 3 transforms */
	0, 0, 0, 116, 1, IKEV1_PROTO_ISAKMP, 0, 3,
	P1XF(3, 1, 4), P1XF(3, 2, 2), P1XF(0, 3, 6),
	IKEV1_PL_VID, 0, 0, 20, VID_RFC3947,
	IKEV1_PL_VID, 0, 0, 20, VID_APPLE,
	IKEV1_PL_VID, 0, 0, 20, VID_02N,
	IKEV1_PL_VID, 0, 0, 24, VID_FRAG,
	0, 0, 0, 20, VID_DPD,
};

/* Offsets of every 16-bit length in mm1 (header excepted). */
static const size_t mm1_lens[] = {
	30,			/* SA */
	42,			/* P */
	50, 86, 122,		/* T 1..3 */
	158, 178, 198, 218, 242	/* VIDs */
};

/* Hand-assembly helpers for the longer messages. */
struct bld {
	uint8_t	 b[1024];
	size_t	 n;
};

static const char	 group[] = "testbed-group";

/* HDR*, HASH, ATTR(CFG_REQUEST) --> as iOS asks (racoon
 * isakmp_cfg_getconfig): empty TLVs naming what it wants. */
static const uint16_t req_attrs[] = {
	IKEV1_CFG_INTERNAL_IP4_ADDRESS, IKEV1_CFG_INTERNAL_IP4_NETMASK,
	IKEV1_CFG_INTERNAL_IP4_DNS, IKEV1_CFG_INTERNAL_IP4_NBNS,
	IKEV1_CFG_INTERNAL_ADDRESS_EXPIRY, IKEV1_CFG_APPLICATION_VERSION,
	IKEV1_CFG_UNITY_BANNER, IKEV1_CFG_UNITY_DEF_DOMAIN,
	IKEV1_CFG_UNITY_SPLITDNS_NAME, IKEV1_CFG_UNITY_SPLIT_INCLUDE,
	IKEV1_CFG_UNITY_LOCAL_LAN,
};
#define NREQ	(sizeof(req_attrs) / sizeof(req_attrs[0]))

void	put(struct bld *, const void *, size_t);
void	put8(struct bld *, unsigned int);
void	put16(struct bld *, unsigned int);
void	put32(struct bld *, uint32_t);
void	gen(struct bld *, unsigned int, size_t);
void	hdr(struct bld *, unsigned int, unsigned int, unsigned int, uint32_t);
void	fix_len(struct bld *);
void	build_am1(struct bld *);
void	build_qm(struct bld *);
void	build_cfg_req(struct bld *);
void	build_xauth_reply(struct bld *);
int	decode_all(struct ikev1_msg *);
int	decode_msg(const uint8_t *, size_t, struct ikev1_msg *);
int	decode_body(const uint8_t *, size_t, uint8_t, struct ikev1_msg *);

#endif
