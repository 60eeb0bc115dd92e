/*
 * store_config.c: builds the engines' configuration snapshot (struct
 * rg_config, server/rg_config.h) from one read transaction: settings with
 * their defaults, users with decrypted passwords and NT hashes, groups,
 * pools (ranges resolved to first/last), profiles, policies, the built-in
 * and custom proposal sets, PSKs, and the PKI (newest CA and server
 * certificate with its key, newest CRL).  The result is validated before
 * it is returned; a bad store yields NULL and a message, never a partial
 * snapshot.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "rg_log.h"
#include "store_int.h"

struct load {
	struct store	*st;
	struct rg_config *c;
	char		*err;
	size_t		 errlen;
};

static char *
col_dup(sqlite3_stmt *s, int i)
{
	const unsigned char	*t = sqlite3_column_text(s, i);

	return t ? strdup((const char *)t) : NULL;
}

static char **
col_strv(sqlite3_stmt *s, int i, size_t *n)
{
	return store_strv((const char *)sqlite3_column_text(s, i), n);
}

/* Decrypt a sealed column into a malloc'd buffer (len + NUL). */
static uint8_t *
col_unseal(struct load *l, sqlite3_stmt *s, int i, const char *aad,
    size_t *len)
{
	uint8_t	*out;

	if (store_unseal(l->st, aad, sqlite3_column_blob(s, i),
	    (size_t)sqlite3_column_bytes(s, i), &out, len) < 0) {
		snprintf(l->err, l->errlen, "cannot decrypt %s: wrong "
		    "secret.key or tampered store", aad);
		return NULL;
	}
	return out;
}

static sqlite3_stmt *
prep(struct load *l, const char *sql)
{
	sqlite3_stmt	*s;

	if (sqlite3_prepare_v2(l->st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		snprintf(l->err, l->errlen, "store: %s",
		    sqlite3_errmsg(l->st->db));
		return NULL;
	}
	return s;
}

static int
oom(struct load *l)
{
	snprintf(l->err, l->errlen, "out of memory");
	return -1;
}

/* Appends one zeroed element to arr[n]; returns -1 from the caller on OOM. */
#define GROW(l, arr, n) do {						\
	void	*np_ = realloc((arr), ((n) + 1) * sizeof(*(arr)));	\
	if (np_ == NULL)						\
		return oom(l);						\
	(arr) = np_;							\
	memset(&(arr)[(n)], 0, sizeof(*(arr)));				\
} while (0)

/* Runs sql and hands each row to fn until one fails: 0, or -1 with l->err. */
static int
load_rows(struct load *l, const char *sql,
    int (*fn)(struct load *, sqlite3_stmt *))
{
	sqlite3_stmt	*s;
	int		 rc = 0;

	if ((s = prep(l, sql)) == NULL)
		return -1;
	while (rc == 0 && sqlite3_step(s) == SQLITE_ROW)
		rc = fn(l, s);
	sqlite3_finalize(s);
	return rc;
}

/* A column of addresses (store_strv) parsed into *out; bad entries skipped. */
static int
addrs(sqlite3_stmt *s, int col, struct rg_addr **out, size_t *nout)
{
	char	**v;
	size_t	  n, i;

	v = col_strv(s, col, &n);
	if ((*out = calloc(n + 1, sizeof(**out))) == NULL) {
		store_strv_free(v, n);
		return -1;
	}
	for (i = 0; i < n; i++)
		if (rg_addr_parse(v[i], &(*out)[*nout]) == 0)
			(*nout)++;
	store_strv_free(v, n);
	return 0;
}

/* The same for a column of prefixes. */
static int
prefixes(sqlite3_stmt *s, int col, struct rg_prefix **out, size_t *nout)
{
	char	**v;
	size_t	  n, i;

	v = col_strv(s, col, &n);
	if ((*out = calloc(n + 1, sizeof(**out))) == NULL) {
		store_strv_free(v, n);
		return -1;
	}
	for (i = 0; i < n; i++)
		if (rg_prefix_parse(v[i], &(*out)[*nout]) == 0)
			(*nout)++;
	store_strv_free(v, n);
	return 0;
}

static int
user_row(struct load *l, sqlite3_stmt *s)
{
	struct rg_config	*c = l->c;
	struct rg_user		*u;
	char			 aad[160];
	uint8_t			*p;
	size_t			 len;

	GROW(l, c->users, c->nusers);
	u = &c->users[c->nusers++];
	u->name = col_dup(s, 0);
	snprintf(aad, sizeof(aad), "users.password_enc:%s", u->name);
	if ((p = col_unseal(l, s, 1, aad, &len)) == NULL)
		return -1;
	u->password = (char *)p;
	snprintf(aad, sizeof(aad), "users.nt_hash_enc:%s", u->name);
	if ((p = col_unseal(l, s, 2, aad, &len)) == NULL)
		return -1;
	if (len == 16) {
		memcpy(u->nt_hash, p, 16);
		u->has_nt_hash = true;
	}
	OPENSSL_cleanse(p, len);
	free(p);
	u->group = col_dup(s, 3);
	u->profile = col_dup(s, 4);
	if (sqlite3_column_type(s, 5) != SQLITE_NULL)
		(void)rg_addr_parse((const char *)sqlite3_column_text(s, 5),
		    &u->static_ip4);
	u->enabled = sqlite3_column_int(s, 6) != 0;
	return 0;
}

static int
group_row(struct load *l, sqlite3_stmt *s)
{
	struct rg_config	*c = l->c;
	struct rg_group		*g;

	GROW(l, c->groups, c->ngroups);
	g = &c->groups[c->ngroups++];
	g->name = col_dup(s, 0);
	g->profile = col_dup(s, 1);
	g->policy = col_dup(s, 2);
	return 0;
}

static int
policy_row(struct load *l, sqlite3_stmt *s)
{
	struct rg_config	*c = l->c;
	struct rg_policy	*p;

	GROW(l, c->policies, c->npolicies);
	p = &c->policies[c->npolicies++];
	p->name = col_dup(s, 0);
	p->l2tp_transport = sqlite3_column_int(s, 2) != 0;
	if (prefixes(s, 1, &p->networks, &p->nnetworks) < 0)
		return oom(l);
	return 0;
}

/* The shortest prefix covering first..last. */
static void
covering(const struct rg_addr *a, const struct rg_addr *b,
    struct rg_prefix *p)
{
	int	 max = a->af == AF_INET ? 32 : 128, i;

	memset(p, 0, sizeof(*p));
	p->af = a->af;
	for (i = 0; i < max; i++)
		if ((a->addr[i / 8] ^ b->addr[i / 8]) & (0x80 >> (i % 8)))
			break;
	p->plen = (uint8_t)i;
	for (i = 0; i < p->plen; i++)
		p->addr[i / 8] |= a->addr[i / 8] & (0x80 >> (i % 8));
}

static int
pool_row(struct load *l, sqlite3_stmt *s)
{
	struct rg_config	*c = l->c;
	struct rg_pool_conf	*p;
	struct rg_addr		 lo, hi;
	char			**v;
	const char		*why;
	size_t			  n, i;
	int			  af;

	GROW(l, c->pools, c->npools);
	p = &c->pools[c->npools++];
	p->name = col_dup(s, 0);
	p->af = strcmp((const char *)sqlite3_column_text(s, 1), "ipv6") == 0 ?
	    AF_INET6 : AF_INET;
	p->next = col_dup(s, 4);
	v = col_strv(s, 2, &n);
	if ((p->ranges = calloc(n + 1, sizeof(*p->ranges))) == NULL) {
		store_strv_free(v, n);
		return oom(l);
	}
	for (i = 0; i < n; i++) {
		if (store_range_parse(v[i], &p->ranges[p->nranges], &af,
		    &why) < 0) {
			snprintf(l->err, l->errlen, "pool %s: range %s: %s",
			    p->name, v[i], why);
			store_strv_free(v, n);
			return -1;
		}
		p->nranges++;
	}
	store_strv_free(v, n);
	lo = p->ranges[0].first;
	hi = p->ranges[0].last;
	for (i = 1; i < p->nranges; i++) {
		if (memcmp(p->ranges[i].first.addr, lo.addr, 16) < 0)
			lo = p->ranges[i].first;
		if (memcmp(p->ranges[i].last.addr, hi.addr, 16) > 0)
			hi = p->ranges[i].last;
	}
	if (p->nranges)
		covering(&lo, &hi, &p->network);
	if (prefixes(s, 3, &p->excludes, &p->nexcludes) < 0)
		return oom(l);
	return 0;
}

static int
profile_row(struct load *l, sqlite3_stmt *s)
{
	struct rg_config	*c = l->c;
	struct rg_profile	*p;

	GROW(l, c->profiles, c->nprofiles);
	p = &c->profiles[c->nprofiles++];
	p->name = col_dup(s, 0);
	p->pools = col_strv(s, 1, &p->npools);
	p->domains = col_strv(s, 5, &p->ndomains);
	p->banner = col_dup(s, 6);
	p->one_session = sqlite3_column_int(s, 7) != 0;
	p->generation = (uint32_t)sqlite3_column_int64(s, 8);
	if (p->pools == NULL || p->domains == NULL ||
	    addrs(s, 2, &p->dns, &p->ndns) < 0 ||
	    addrs(s, 3, &p->wins, &p->nwins) < 0 ||
	    prefixes(s, 4, &p->split, &p->nsplit) < 0)
		return oom(l);
	return 0;
}

/*
 * A profile that names no DNS servers hands out those of its first pool
 * that has some (pools.dns), so "pool add --dns" works on its own.
 */
static int
pool_dns(struct load *l)
{
	struct rg_config	*c = l->c;
	sqlite3_stmt		*s;
	size_t			 i, j;
	int			 rc = 0;

	if ((s = prep(l, "SELECT dns FROM pools WHERE name = ?")) == NULL)
		return -1;
	for (i = 0; rc == 0 && i < c->nprofiles; i++) {
		struct rg_profile	*p = &c->profiles[i];

		for (j = 0; p->ndns == 0 && j < p->npools; j++) {
			sqlite3_reset(s);
			sqlite3_bind_text(s, 1, p->pools[j], -1, SQLITE_STATIC);
			if (sqlite3_step(s) != SQLITE_ROW)
				continue;
			free(p->dns);
			p->dns = NULL;
			if (addrs(s, 0, &p->dns, &p->ndns) < 0) {
				snprintf(l->err, l->errlen, "out of memory");
				rc = -1;
			}
		}
	}
	sqlite3_finalize(s);
	return rc;
}

static char **
json_strv_dup(json_t *a, size_t *n)
{
	char	**v;
	json_t	 *x;
	size_t	  i;

	*n = 0;
	if ((v = calloc(json_array_size(a) + 1, sizeof(*v))) == NULL)
		return NULL;
	json_array_foreach(a, i, x)
		if ((v[*n] = strdup(json_string_value(x))) != NULL)
			(*n)++;
	return v;
}

static int
preset_add(struct load *l, json_t *x)
{
	struct rg_config	*c = l->c;
	struct rg_proposal_set	*p;

	GROW(l, c->proposal_sets, c->nproposal_sets);
	p = &c->proposal_sets[c->nproposal_sets++];
	p->name = strdup(json_string_value(json_object_get(x, "name")));
	p->ike = json_strv_dup(json_object_get(x, "ike"), &p->nike);
	p->esp = json_strv_dup(json_object_get(x, "esp"), &p->nesp);
	return 0;
}

/* The built-in proposal sets (store_proposal_presets), before the custom ones. */
static int
load_presets(struct load *l)
{
	json_t	*b, *x;
	size_t	 i;

	if ((b = store_proposal_presets()) == NULL)
		return oom(l);
	json_array_foreach(b, i, x)
		if (preset_add(l, x) < 0) {
			json_decref(b);
			return -1;
		}
	json_decref(b);
	return 0;
}

static int
proposal_row(struct load *l, sqlite3_stmt *s)
{
	struct rg_config	*c = l->c;
	struct rg_proposal_set	*p;

	GROW(l, c->proposal_sets, c->nproposal_sets);
	p = &c->proposal_sets[c->nproposal_sets++];
	p->name = col_dup(s, 0);
	p->ike = col_strv(s, 1, &p->nike);
	p->esp = col_strv(s, 2, &p->nesp);
	return 0;
}

/* The sealed secret_enc column i of the row named name in table: its
 * associated data is "table.secret_enc:name" (as store_obj.c sealed it). */
static uint8_t *
col_secret(struct load *l, sqlite3_stmt *s, int i, const char *table,
    const char *name, size_t *len)
{
	char	 aad[320];

	snprintf(aad, sizeof(aad), "%s.secret_enc:%s", table, name);
	return col_unseal(l, s, i, aad, len);
}

static int
psk_row(struct load *l, sqlite3_stmt *s)
{
	struct rg_config	*c = l->c;
	struct rg_psk		*p;

	GROW(l, c->psks, c->npsks);
	p = &c->psks[c->npsks++];
	p->id = col_dup(s, 0);
	if ((p->secret = col_secret(l, s, 1, "psks", p->id,
	    &p->secret_len)) == NULL)
		return -1;
	return 0;
}

static int
dae_client_row(struct load *l, sqlite3_stmt *s)
{
	struct rg_config	*c = l->c;
	struct rg_dae_client	*d;

	GROW(l, c->dae_clients, c->ndae_clients);
	d = &c->dae_clients[c->ndae_clients++];
	d->name = col_dup(s, 0);
	d->address = col_dup(s, 1);
	if ((d->secret = col_secret(l, s, 2, "dae_clients", d->name,
	    &d->secret_len)) == NULL)
		return -1;
	return 0;
}

static int
radius_row(struct load *l, sqlite3_stmt *s)
{
	struct rg_config	*c = l->c;
	struct rg_radius	*r;

	GROW(l, c->radius, c->nradius);
	r = &c->radius[c->nradius++];
	r->name = col_dup(s, 0);
	r->address = col_dup(s, 1);
	if ((r->secret = col_secret(l, s, 2, "radius", r->name,
	    &r->secret_len)) == NULL)
		return -1;
	r->acct_port = (uint32_t)sqlite3_column_int64(s, 3);
	r->timeout_ms = (uint32_t)sqlite3_column_int64(s, 4);
	r->retries = (uint32_t)sqlite3_column_int64(s, 5);
	r->require_ma = sqlite3_column_int(s, 6) != 0;
	return 0;
}

/* Rows in id order: the newest CA and server certificate win. */
static int
pki_row(struct load *l, sqlite3_stmt *s)
{
	struct rg_pki	*k = &l->c->pki;
	const char	*kind = (const char *)sqlite3_column_text(s, 1);
	char		 aad[160];
	size_t		 len;

	if (strcmp(kind, "ca") == 0) {
		free(k->ca_pem);
		k->ca_pem = col_dup(s, 2);
		return 0;
	}
	free(k->server_cert_pem);
	k->server_cert_pem = col_dup(s, 2);
	if (k->server_key_pem) {
		OPENSSL_cleanse(k->server_key_pem, strlen(k->server_key_pem));
		free(k->server_key_pem);
		k->server_key_pem = NULL;
	}
	if (sqlite3_column_type(s, 3) == SQLITE_NULL)
		return 0;
	snprintf(aad, sizeof(aad), "certs.key_enc:%lld",
	    (long long)sqlite3_column_int64(s, 0));
	if ((k->server_key_pem = (char *)col_unseal(l, s, 3, aad, &len)) ==
	    NULL)
		return -1;
	return 0;
}

static int
crl_row(struct load *l, sqlite3_stmt *s)
{
	l->c->pki.crl_pem = col_dup(s, 0);
	return 0;
}

static char *
jstr(json_t *o, const char *k)
{
	json_t	*v = json_object_get(o, k);

	return json_is_string(v) ? strdup(json_string_value(v)) : NULL;
}

static int
load_settings(struct load *l)
{
	struct rg_settings	*g = &l->c->settings;
	struct store_err	 e;
	json_t			*o;

	if ((o = store_settings_get(l->st, &e)) == NULL) {
		snprintf(l->err, l->errlen, "%s", e.msg);
		return -1;
	}
	g->server_id = jstr(o, "server_id");
	g->proposals = jstr(o, "proposals");
	g->default_profile = jstr(o, "default_profile");
	g->default_policy = jstr(o, "default_policy");
	g->eap_method = jstr(o, "eap_method");
	g->dataplane = jstr(o, "dataplane");
	g->ikev1 = jstr(o, "ikev1");
	g->ikev1_aggressive = jstr(o, "ikev1_aggressive");
	g->masquerade = jstr(o, "masquerade");
	g->proxy_arp = jstr(o, "proxy_arp");
	g->auth_backend = jstr(o, "auth_backend");
	g->dae_listen = jstr(o, "dae_listen");
	g->forwarding = json_is_true(json_object_get(o, "forwarding"));
#define U(k)	g->k = (uint32_t)json_integer_value(json_object_get(o, #k))
	U(ike_lifetime_s);
	U(child_lifetime_s);
	U(dpd_interval_s);
	U(dpd_timeout_s);
	U(cookie_threshold);
	U(halfopen_per_ip);
	U(max_child_sas);
	U(max_sessions_per_user);
	U(sticky_s);
	U(dp_threads);
	U(radius_interim_s);
#undef U
	g->mss_clamp = (uint16_t)json_integer_value(json_object_get(o,
	    "mss_clamp"));
	json_decref(o);
	return 0;
}

/* Cross-object checks the schema cannot express. */
static int
validate(struct load *l)
{
	struct rg_config	*c = l->c;
	size_t			 i, j;

	if (rg_config_proposals(c, c->settings.proposals) == NULL) {
		snprintf(l->err, l->errlen, "settings.proposals: no proposal "
		    "set %s", c->settings.proposals);
		return -1;
	}
	if (c->settings.default_profile &&
	    rg_config_profile(c, c->settings.default_profile) == NULL) {
		snprintf(l->err, l->errlen, "settings.default_profile: no "
		    "profile %s", c->settings.default_profile);
		return -1;
	}
	for (i = 0; i < c->nprofiles; i++)
		for (j = 0; j < c->profiles[i].npools; j++)
			if (rg_config_pool(c, c->profiles[i].pools[j]) ==
			    NULL) {
				snprintf(l->err, l->errlen, "profile %s: no "
				    "pool %s", c->profiles[i].name,
				    c->profiles[i].pools[j]);
				return -1;
			}
	return 0;
}

/*
 * The snapshot, step by step in this order: a query whose rows go to row,
 * or (sql NULL) a step of its own.
 */
static const struct {
	const char	*sql;
	int		(*row)(struct load *, sqlite3_stmt *);
	int		(*step)(struct load *);
} loaders[] = {
	{ NULL, NULL, load_settings },
	{ "SELECT name, password_enc, nt_hash_enc, \"group\", profile, "
	  "static_ip4, enabled FROM users ORDER BY name", user_row, NULL },
	{ "SELECT name, profile, policy FROM groups", group_row, NULL },
	{ "SELECT name, networks, l2tp_transport FROM policies", policy_row,
	  NULL },
	{ "SELECT name, af, ranges, excludes, next FROM pools ORDER BY name",
	  pool_row, NULL },
	{ "SELECT name, pools, dns, wins, split, domains, banner, "
	  "one_session, generation FROM profiles", profile_row, NULL },
	{ NULL, NULL, pool_dns },
	{ NULL, NULL, load_presets },
	{ "SELECT name, ike, esp FROM proposal_sets", proposal_row, NULL },
	{ "SELECT id, secret_enc FROM psks", psk_row, NULL },
	{ "SELECT name, address, secret_enc, acct_port, timeout_ms, retries, "
	  "require_ma FROM radius ORDER BY name", radius_row, NULL },
	{ "SELECT name, address, secret_enc FROM dae_clients ORDER BY name",
	  dae_client_row, NULL },
	{ "SELECT id, kind, cert_pem, key_enc FROM certs WHERE kind IN "
	  "('ca', 'server') AND revoked_at IS NULL ORDER BY id", pki_row,
	  NULL },
	{ "SELECT pem FROM crls ORDER BY number DESC LIMIT 1", crl_row,
	  NULL },
	{ NULL, NULL, validate },
};

struct rg_config *
store_config_load(struct store *st, char *err, size_t errlen)
{
	struct load	 l = { st, NULL, err, errlen };
	size_t		 i;

	if ((l.c = rg_config_new()) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (store_exec(st, "BEGIN") < 0) {
		snprintf(err, errlen, "store: %s", sqlite3_errmsg(st->db));
		rg_config_unref(l.c);
		return NULL;
	}
	for (i = 0; i < sizeof(loaders) / sizeof(loaders[0]); i++)
		if ((loaders[i].sql ? load_rows(&l, loaders[i].sql,
		    loaders[i].row) : loaders[i].step(&l)) < 0) {
			store_rollback(st);
			rg_config_unref(l.c);
			return NULL;
		}
	store_rollback(st);	/* read-only: nothing to commit */
	l.c->serial = ++st->serial;
	rg_debug(STORE, "snapshot %llu: %zu users, %zu pools, %zu profiles",
	    (unsigned long long)l.c->serial, l.c->nusers, l.c->npools,
	    l.c->nprofiles);
	return l.c;
}
