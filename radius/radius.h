/*
 * radius.h: RADIUS for the daemon (docs/ARCHITECTURE.md, "The house"):
 * an auth backend (struct auth_backend_ops) and an accounting listener of
 * the session registry, over one non-blocking client (radius_client.h).
 * Nothing here calls into IKE.
 *
 * The backend answers by the setting auth_backend: "local" (the users of
 * the configuration, as auth_local.c), "radius" (PAP as User-Password,
 * MS-CHAPv2 as MS-CHAP-Challenge + MS-CHAP2-Response, CHAP-MD5 as
 * CHAP-Password + CHAP-Challenge; EAP passthrough is not here yet), or
 * "radius,local" (local users when no RADIUS server answers).  An
 * Access-Accept's MS-CHAP2-Success and MS-MPPE keys become the
 * authenticator and MSK the EAP-MSCHAPv2 layer needs; Framed-IP-Address,
 * Session-Timeout, Class, Filter-Id, Framed-Pool and
 * Acct-Interim-Interval become the result's granted attributes.
 *
 * Accounting (radius_acct.c) goes to the configured servers whatever the
 * auth backend: Accounting-On when the first servers appear, Start,
 * Interim-Update every radius_interim_s (or the Acct-Interim-Interval
 * the user's Access-Accept gave), Stop with the session's cause.
 * Records wait in the store while every server is down (radius_acct.c).
 *
 * Loop thread only.
 */
#ifndef RADIUS_H
#define RADIUS_H

#include <jansson.h>

#include "auth.h"

struct radius;
struct rg_config;
struct rg_loop;
struct sess_reg;
struct store;

/* cfg: counted reference taken; sess may be NULL (no accounting). */
struct radius	*radius_new(struct rg_loop *, struct rg_config *,
		    struct sess_reg *);
/* After the auth service that uses it and after the session registry
 * (whose last sessions still send their Stop). */
void		 radius_free(struct radius *);
void		 radius_reconfigure(struct radius *, struct rg_config *);
/* Accounting records persist in st (borrowed, NULL: memory only) until a
 * server takes them; those an earlier run left there go out first. */
void		 radius_set_store(struct radius *, struct store *st);
/* Each server's state and counters (radius_client.h).  New reference. */
json_t		*radius_status(const struct radius *);

/* The auth backend; its state is the struct radius (auth_new(loop, cfg,
 * &radius_auth_ops, r)); its free() leaves r to radius_free(). */
extern const struct auth_backend_ops	radius_auth_ops;

/* Internal to radius/, shared by radius.c and radius_acct.c. */
struct rad_client;
struct rad_attrs;
struct sockaddr;
struct rad_client *radius_client(struct radius *);
const struct rg_config *radius_config(const struct radius *);
/* User-Name, NAS-Identifier, NAS-Port-Type Virtual, Service-Type
 * Framed, Calling-Station-Id (peer "IP[port]"), Called-Station-Id
 * (local, else the NAS-Identifier), Acct-Session-Id. */
void		 radius_nas_attrs(const struct radius *, struct rad_attrs *,
		    const char *user, const struct sockaddr *peer,
		    const struct sockaddr *local, const char *acct_session_id);
/* What the user's last Access-Accept granted for accounting: Class and
 * Acct-Interim-Interval; 0 when none was remembered (it is forgotten
 * once read). */
int		 radius_grant_take(struct radius *, const char *user,
		    uint8_t class_attr[253], size_t *class_len,
		    uint32_t *interim_s);
/* Our run's prefix of Acct-Session-Id values. */
const char	*radius_boot_id(const struct radius *);
/* radius_acct.c */
int		 radius_acct_attach(struct radius *, struct sess_reg *);
void		 radius_acct_on(struct radius *);
void		 radius_acct_free(struct radius *);

#endif
