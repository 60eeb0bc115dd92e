/*
 * rg_config: the plain-data configuration snapshot the engines (IKE, ESP,
 * pools, later IKEv1/L2TP/RADIUS) read.  The store builds a fresh one from
 * SQLite at start, after every committed API change and on SIGHUP; the
 * daemon swaps one pointer.  Live SAs hold a counted reference to the
 * snapshot they were made under.  Engines never touch SQLite.
 *
 * Everything here is owned by the snapshot and freed by rg_config_unref();
 * secrets (passwords, NT hashes, PSKs, private keys) are wiped then.
 */
#ifndef RG_CONFIG_H
#define RG_CONFIG_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cred;

/* An IPv4 or IPv6 prefix. */
struct rg_prefix {
	int		 af;		/* AF_INET or AF_INET6 */
	uint8_t		 addr[16];	/* network byte order */
	uint8_t		 plen;
};

struct rg_addr {
	int		 af;		/* 0 = unset */
	uint8_t		 addr[16];
};

struct rg_user {
	char		*name;
	char		*password;	/* cleartext (PAP/XAuth, CHAP-MD5); wiped */
	uint8_t		 nt_hash[16];	/* MD4(UTF-16LE(password)); wiped */
	bool		 has_nt_hash;
	char		*group;		/* may be NULL */
	char		*profile;	/* per-user override, may be NULL */
	struct rg_addr	 static_ip4;	/* af 0 when none */
	bool		 enabled;
};

struct rg_group {
	char		*name;
	char		*profile;	/* access profile, may be NULL */
	char		*policy;	/* policy template, may be NULL */
};

struct rg_pool_range {
	struct rg_addr	 first, last;	/* inclusive */
};

struct rg_pool_conf {
	char			*name;
	int			 af;
	struct rg_prefix	 network;	/* covering prefix */
	struct rg_pool_range	*ranges;
	size_t			 nranges;
	struct rg_prefix	*excludes;
	size_t			 nexcludes;
	char			*next;		/* pool used when exhausted */
};

struct rg_profile {
	char			*name;
	char			**pools;	/* tried in order */
	size_t			 npools;
	struct rg_addr		*dns;
	size_t			 ndns;
	struct rg_addr		*wins;
	size_t			 nwins;
	struct rg_prefix	*split;		/* empty: full tunnel */
	size_t			 nsplit;
	char			**domains;	/* split-DNS domains */
	size_t			 ndomains;
	char			*banner;
	bool			 one_session;	/* newer replaces older */
	uint32_t		 generation;	/* bumped on every change */
};

struct rg_policy {
	char			*name;
	struct rg_prefix	*networks;	/* what clients may reach */
	size_t			 nnetworks;
	bool			 l2tp_transport;	/* UDP/1701 port-strict */
};

struct rg_proposal_set {
	char		*name;
	char		**ike;		/* "aes256gcm16-prfsha256-ecp256", ... */
	size_t		 nike;
	char		**esp;		/* "aes128gcm16", "aes256-sha1", ... */
	size_t		 nesp;
};

struct rg_psk {
	char		*id;		/* peer identity, or "%any" */
	uint8_t		*secret;	/* wiped */
	size_t		 secret_len;
};

/* A RADIUS server (radius/): tried in name order. */
struct rg_radius {
	char		*name;
	char		*address;	/* "IP[:port]", "[IPv6]:port" */
	uint8_t		*secret;	/* wiped */
	size_t		 secret_len;
	uint32_t	 acct_port;	/* 0: the auth port + 1 */
	uint32_t	 timeout_ms;
	uint32_t	 retries;
	bool		 require_ma;	/* Message-Authenticator in replies */
};

/* A Dynamic Authorization client (RFC 5176: Disconnect/CoA), by its
 * source address. */
struct rg_dae_client {
	char		*name;
	char		*address;	/* IP literal (a port is ignored) */
	uint8_t		*secret;	/* wiped */
	size_t		 secret_len;
};

struct rg_settings {
	char		*server_id;	/* IDr; default the server cert's SAN */
	char		*proposals;	/* active set: "modern", "compatible", ... */
	char		*default_profile;
	char		*default_policy;
	char		*eap_method;	/* "mschapv2" | "tls" | "any" */
	uint32_t	 ike_lifetime_s;	/* default 86400 (> Windows 8 h) */
	uint32_t	 child_lifetime_s;	/* default 10800 (> Windows 1 h) */
	uint32_t	 dpd_interval_s;	/* default 30 */
	uint32_t	 dpd_timeout_s;		/* default 150 */
	uint32_t	 cookie_threshold;	/* half-open SAs before cookies */
	uint32_t	 halfopen_per_ip;
	uint32_t	 max_child_sas;	/* CHILD_SAs per IKE SA (default 16) */
	char		*ikev1;		/* "on" | "off"; NULL: on */
	char		*ikev1_aggressive;	/* "off" | "psk"; NULL: off */
	uint32_t	 max_sessions_per_user;	/* default 8; 0: no limit */
	uint16_t	 mss_clamp;		/* 0 = off */
	uint32_t	 sticky_s;	/* released lease kept for its user
					 * (default 1800; 0: not kept) */
	char		*dataplane;		/* "auto" | "kernel" | "userspace" */
	uint32_t	 dp_threads;	/* userspace ESP workers; 0 = one per
					 * CPU (read at start) */
	bool		 forwarding;	/* set ip_forward/ipv6 forwarding */
	char		*masquerade;	/* "off" | "auto" | outgoing ifname */
	char		*proxy_arp;	/* "off" | LAN ifname */
	char		*auth_backend;	/* "local" | "radius" | "radius,local" */
	uint32_t	 radius_interim_s;	/* Interim-Update; 0: none */
	char		*dae_listen;	/* "IP:port" of the DAE listener
					 * (RFC 5176); "": off */
};

struct rg_pki {
	char		*ca_pem;	/* CA certificate (+ intermediates) */
	char		*crl_pem;	/* may be NULL */
	char		*server_cert_pem;	/* leaf + chain */
	char		*server_key_pem;	/* decrypted; wiped */
};

struct rg_config {
	int			 refs;
	uint64_t		 serial;	/* increases with each snapshot */

	struct rg_settings	 settings;
	struct rg_pki		 pki;

	struct rg_user		*users;
	size_t			 nusers;
	struct rg_group		*groups;
	size_t			 ngroups;
	struct rg_pool_conf	*pools;
	size_t			 npools;
	struct rg_profile	*profiles;
	size_t			 nprofiles;
	struct rg_policy	*policies;
	size_t			 npolicies;
	struct rg_proposal_set	*proposal_sets;	/* presets included */
	size_t			 nproposal_sets;
	struct rg_psk		*psks;
	size_t			 npsks;
	struct rg_radius	*radius;
	size_t			 nradius;
	struct rg_dae_client	*dae_clients;
	size_t			 ndae_clients;

	/* The parsed pki (server/auth/cred.c): built on first use by
	 * cred_of(), freed with the snapshot through cred_free. */
	struct cred		*cred;
	void			(*cred_free)(struct cred *);
};

struct rg_config	*rg_config_new(void);
struct rg_config	*rg_config_ref(struct rg_config *);
void			 rg_config_unref(struct rg_config *);

const struct rg_user	*rg_config_user(const struct rg_config *, const char *);
const struct rg_group	*rg_config_group(const struct rg_config *, const char *);
const struct rg_profile	*rg_config_profile(const struct rg_config *, const char *);
const struct rg_policy	*rg_config_policy(const struct rg_config *, const char *);
const struct rg_pool_conf *rg_config_pool(const struct rg_config *, const char *);
const struct rg_proposal_set *rg_config_proposals(const struct rg_config *,
			    const char *);
/* The built-in proposal sets "modern" and "compatible" (rg_presets.c):
 * IKE (esp false) or ESP strings, NULL-terminated; NULL for another name. */
const char *const *rg_proposal_preset(const char *name, bool esp);
/* The PSK for identity id, else the "%any" one, else NULL. */
const struct rg_psk	*rg_config_psk(const struct rg_config *, const char *id);
/* The user's effective profile / policy: user override, group, default. */
const struct rg_profile	*rg_config_user_profile(const struct rg_config *,
			    const char *user);
const struct rg_policy	*rg_config_user_policy(const struct rg_config *,
			    const char *user);

/* "IP", "IP:port", "[IPv6]:port" or a bare IPv6 literal into *out with
 * defport when none is given: 0, or -1 (no name resolution: literals). */
struct sockaddr_storage;
int	rg_hostport_parse(const char *, uint16_t defport,
	    struct sockaddr_storage *out);

/* Text forms used by the store, API and logs. */
int	rg_prefix_parse(const char *, struct rg_prefix *);
int	rg_addr_parse(const char *, struct rg_addr *);
const char *rg_prefix_str(const struct rg_prefix *, char *, size_t);
const char *rg_addr_str(const struct rg_addr *, char *, size_t);

#endif
