/*
 * dp_fwd.h: the optional forwarding helpers behind dp_forwarding_apply()
 * (dp.h): IP forwarding sysctls, an nftables masquerade table of our
 * own (inet roadgate) and proxy ARP / NDP entries for leased addresses.
 * dp.c owns one struct dp_fwd and tells it every route it adds or
 * deletes, whatever the settings, so turning a helper on later covers
 * the clients already connected.
 */
#ifndef RG_DP_FWD_H
#define RG_DP_FWD_H

#include <stdbool.h>
#include <stddef.h>

#include "rg_config.h"

struct dp_fwd;

struct dp_fwd	*dp_fwd_new(void);
/* Undo everything we changed (sysctls back, table and entries gone). */
void		 dp_fwd_free(struct dp_fwd *);
/* Bring the helpers in line with settings: 0, or -1 if one failed. */
int		 dp_fwd_apply(struct dp_fwd *, const struct rg_settings *);
/* A route into the data plane came (add) or went. */
void		 dp_fwd_route(struct dp_fwd *, const struct rg_prefix *,
		    bool add);

/* An interface name we pass to nft and netlink: 1-15 of
 * A-Z a-z 0-9 . _ - (no quotes, no spaces). */
bool		 dp_fwd_ifname_ok(const char *);
/* The nft script that (re)creates table inet roadgate masquerading
 * sources in prefixes[] leaving through oif.  Returns the length, or
 * -1 if it does not fit in buf. */
int		 dp_fwd_nft_script(char *buf, size_t len, const char *oif,
		    const struct rg_prefix *, size_t n);

#endif
