/*
 * radius_test_lib.h: what the RADIUS unit tests share: the test secret,
 * hex and MD5 helpers, a fake RADIUS server on loopback (fake_*), the
 * server configuration for it, the auth backend against it (backend_cfg,
 * ask) and a session provider with leases for accounting and DAE.
 */
#ifndef RADIUS_TEST_LIB_H
#define RADIUS_TEST_LIB_H

#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "auth.h"
#include "radius.h"
#include "radius_int.h"
#include "radius_dae.h"
#include "radius_client.h"
#include "radius_pkt.h"
#include "rg_log.h"
#include "rg_loop.h"
#include "rg_mschap.h"
#include "rg_test.h"
#include "pool/pool.h"
#include "sess.h"
#include "store.h"

static const uint8_t	 secret[] = "s3cret-for-tests";
#define SLEN		(sizeof(secret) - 1)

enum fake_mode {
	FAKE_ACCEPT,		/* Access-Accept with MA */
	FAKE_FORGE_THEN_ACCEPT,	/* a wrong authenticator first */
	FAKE_NO_MA,		/* Access-Accept without MA */
	FAKE_SILENT,		/* never answers */
	FAKE_THIRD,		/* answers the third copy */
	FAKE_BACKEND,		/* MS-CHAPv2 / PAP checks, see below */
};

struct fake {
	int			 fd;
	struct rg_io		 io;
	uint16_t		 port;
	enum fake_mode		 mode;
	int			 got;
	char			 last_pw[130];
	uint8_t			 last_code;
	uint8_t			 acct[8][RAD_MAX_LEN];	/* requests seen */
	size_t			 acct_len[8];
	int			 nacct;
	bool			 acct_down;	/* accounting unanswered */
};

static const uint8_t	 v_auth_chal[16] = {
	0x5B, 0x5D, 0x7C, 0x7D, 0x7B, 0x3F, 0x2F, 0x3E,
	0x3C, 0x2C, 0x60, 0x21, 0x32, 0x26, 0x26, 0x28 };
static const uint8_t	 v_peer_chal[16] = {
	0x21, 0x40, 0x23, 0x24, 0x25, 0x5E, 0x26, 0x2A,
	0x28, 0x29, 0x5F, 0x2B, 0x3A, 0x33, 0x7C, 0x7E };
static const uint8_t	 v_nt_resp[24] = {
	0x82, 0x30, 0x9E, 0xCD, 0x8D, 0x70, 0x8B, 0x5E,
	0xA0, 0x8F, 0xAA, 0x39, 0x81, 0xCD, 0x83, 0x54,
	0x42, 0x33, 0x11, 0x4A, 0x3D, 0x85, 0xD6, 0xDF };
static const char	 v_auth_resp[] =
    "S=407A5589115FD0D6209F510FE9C04566932CDA56";
static const uint8_t	 v_send_start128[16] = {
	0x8B, 0x7C, 0xDC, 0x14, 0x9B, 0x99, 0x3A, 0x1B,
	0xA1, 0x18, 0xCB, 0x15, 0x3F, 0x56, 0xDC, 0xCB };

struct prov {
	struct sess	*s;
	uint64_t	 bytes_in;
};

extern struct rg_loop	*loop;
extern const struct sess_provider_ops	prov_ops;
extern const struct sess_lease_ops	leases;

void	unhex(const char *, uint8_t *, size_t *);
void	md5(uint8_t out[16], const void *, size_t, const void *, size_t);
void	fake_start(struct fake *, enum fake_mode);
void	fake_stop(struct fake *);
void	conf_for(struct rad_server_conf *, const char *, uint16_t);
void	spin(int *, int);
struct rg_config	*backend_cfg(uint16_t, const char *);
struct auth_result	*ask(struct auth *, const struct auth_req *);

#endif
