/*
 * rg_config.c: lifetime and lookups of the configuration snapshot.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "rg_config.h"

struct rg_config *
rg_config_new(void)
{
	struct rg_config	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->refs = 1;
	return c;
}

struct rg_config *
rg_config_ref(struct rg_config *c)
{
	if (c)
		c->refs++;
	return c;
}

static void
free_secret_str(char *s)
{
	if (s == NULL)
		return;
	OPENSSL_cleanse(s, strlen(s));
	free(s);
}

static void
free_strv(char **v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
rg_config_unref(struct rg_config *c)
{
	size_t	 i;

	if (c == NULL || --c->refs > 0)
		return;
	if (c->cred_free != NULL)
		c->cred_free(c->cred);
	for (i = 0; i < c->nusers; i++) {
		free(c->users[i].name);
		free_secret_str(c->users[i].password);
		OPENSSL_cleanse(c->users[i].nt_hash, 16);
		free(c->users[i].group);
		free(c->users[i].profile);
	}
	free(c->users);
	for (i = 0; i < c->ngroups; i++) {
		free(c->groups[i].name);
		free(c->groups[i].profile);
		free(c->groups[i].policy);
	}
	free(c->groups);
	for (i = 0; i < c->npools; i++) {
		free(c->pools[i].name);
		free(c->pools[i].ranges);
		free(c->pools[i].excludes);
		free(c->pools[i].next);
	}
	free(c->pools);
	for (i = 0; i < c->nprofiles; i++) {
		struct rg_profile *p = &c->profiles[i];

		free(p->name);
		free_strv(p->pools, p->npools);
		free(p->dns);
		free(p->wins);
		free(p->split);
		free_strv(p->domains, p->ndomains);
		free(p->banner);
	}
	free(c->profiles);
	for (i = 0; i < c->npolicies; i++) {
		free(c->policies[i].name);
		free(c->policies[i].networks);
	}
	free(c->policies);
	for (i = 0; i < c->nproposal_sets; i++) {
		free(c->proposal_sets[i].name);
		free_strv(c->proposal_sets[i].ike, c->proposal_sets[i].nike);
		free_strv(c->proposal_sets[i].esp, c->proposal_sets[i].nesp);
	}
	free(c->proposal_sets);
	for (i = 0; i < c->npsks; i++) {
		free(c->psks[i].id);
		if (c->psks[i].secret)
			OPENSSL_cleanse(c->psks[i].secret, c->psks[i].secret_len);
		free(c->psks[i].secret);
	}
	free(c->psks);
	for (i = 0; i < c->nradius; i++) {
		free(c->radius[i].name);
		free(c->radius[i].address);
		if (c->radius[i].secret)
			OPENSSL_cleanse(c->radius[i].secret,
			    c->radius[i].secret_len);
		free(c->radius[i].secret);
	}
	free(c->radius);
	for (i = 0; i < c->ndae_clients; i++) {
		free(c->dae_clients[i].name);
		free(c->dae_clients[i].address);
		if (c->dae_clients[i].secret)
			OPENSSL_cleanse(c->dae_clients[i].secret,
			    c->dae_clients[i].secret_len);
		free(c->dae_clients[i].secret);
	}
	free(c->dae_clients);
	free(c->settings.dae_listen);
	free(c->settings.server_id);
	free(c->settings.proposals);
	free(c->settings.default_profile);
	free(c->settings.default_policy);
	free(c->settings.eap_method);
	free(c->settings.dataplane);
	free(c->settings.ikev1);
	free(c->settings.ikev1_aggressive);
	free(c->settings.masquerade);
	free(c->settings.proxy_arp);
	free(c->settings.auth_backend);
	free(c->pki.ca_pem);
	free(c->pki.crl_pem);
	free(c->pki.server_cert_pem);
	free_secret_str(c->pki.server_key_pem);
	free(c);
}

#define FIND(arr, n, key) do {						\
	size_t	 i_;							\
	if (key == NULL)						\
		return NULL;						\
	for (i_ = 0; i_ < (n); i_++)					\
		if (strcmp((arr)[i_].name, key) == 0)			\
			return &(arr)[i_];				\
	return NULL;							\
} while (0)

const struct rg_user *
rg_config_user(const struct rg_config *c, const char *name)
{
	FIND(c->users, c->nusers, name);
}

const struct rg_group *
rg_config_group(const struct rg_config *c, const char *name)
{
	FIND(c->groups, c->ngroups, name);
}

const struct rg_profile *
rg_config_profile(const struct rg_config *c, const char *name)
{
	FIND(c->profiles, c->nprofiles, name);
}

const struct rg_policy *
rg_config_policy(const struct rg_config *c, const char *name)
{
	FIND(c->policies, c->npolicies, name);
}

const struct rg_pool_conf *
rg_config_pool(const struct rg_config *c, const char *name)
{
	FIND(c->pools, c->npools, name);
}

const struct rg_proposal_set *
rg_config_proposals(const struct rg_config *c, const char *name)
{
	FIND(c->proposal_sets, c->nproposal_sets, name);
}

const struct rg_psk *
rg_config_psk(const struct rg_config *c, const char *id)
{
	const struct rg_psk	*any = NULL;
	size_t			 i;

	for (i = 0; i < c->npsks; i++) {
		if (id && strcmp(c->psks[i].id, id) == 0)
			return &c->psks[i];
		if (strcmp(c->psks[i].id, "%any") == 0)
			any = &c->psks[i];
	}
	return any;
}

const struct rg_profile *
rg_config_user_profile(const struct rg_config *c, const char *user)
{
	const struct rg_user	*u = rg_config_user(c, user);
	const struct rg_group	*g = NULL;
	const struct rg_profile	*p;

	if (u && u->profile && (p = rg_config_profile(c, u->profile)))
		return p;
	if (u && u->group)
		g = rg_config_group(c, u->group);
	if (g && g->profile && (p = rg_config_profile(c, g->profile)))
		return p;
	return rg_config_profile(c, c->settings.default_profile);
}

const struct rg_policy *
rg_config_user_policy(const struct rg_config *c, const char *user)
{
	const struct rg_user	*u = rg_config_user(c, user);
	const struct rg_group	*g = NULL;
	const struct rg_policy	*p;

	if (u && u->group)
		g = rg_config_group(c, u->group);
	if (g && g->policy && (p = rg_config_policy(c, g->policy)))
		return p;
	return rg_config_policy(c, c->settings.default_policy);
}

int
rg_addr_parse(const char *s, struct rg_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->addr) == 1) {
		a->af = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, a->addr) == 1) {
		a->af = AF_INET6;
		return 0;
	}
	return -1;
}

int
rg_prefix_parse(const char *s, struct rg_prefix *p)
{
	char		 buf[64], *slash, *end;
	struct rg_addr	 a;
	unsigned long	 plen;
	int		 max, i;

	memset(p, 0, sizeof(*p));
	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	if (rg_addr_parse(buf, &a) < 0)
		return -1;
	max = a.af == AF_INET ? 32 : 128;
	plen = (unsigned long)max;
	if (slash) {
		if (*slash == '\0')
			return -1;
		plen = strtoul(slash, &end, 10);
		if (*end != '\0' || plen > (unsigned long)max)
			return -1;
	}
	p->af = a.af;
	p->plen = (uint8_t)plen;
	memcpy(p->addr, a.addr, 16);
	/* Host bits must be zero: "10.0.0.1/24" is not a network. */
	for (i = 0; i < max; i++)
		if (i >= (int)plen && (p->addr[i / 8] & (0x80 >> (i % 8))))
			return -1;
	return 0;
}

const char *
rg_addr_str(const struct rg_addr *a, char *out, size_t len)
{
	if (a->af == 0 || inet_ntop(a->af, a->addr, out, (socklen_t)len) == NULL)
		snprintf(out, len, "-");
	return out;
}

const char *
rg_prefix_str(const struct rg_prefix *p, char *out, size_t len)
{
	char	 a[INET6_ADDRSTRLEN];

	if (inet_ntop(p->af, p->addr, a, sizeof(a)) == NULL)
		snprintf(out, len, "-");
	else
		snprintf(out, len, "%s/%u", a, p->plen);
	return out;
}

int
rg_hostport_parse(const char *s, uint16_t defport,
    struct sockaddr_storage *out)
{
	struct sockaddr_in	*s4 = (struct sockaddr_in *)out;
	struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)out;
	char			 host[INET6_ADDRSTRLEN + 2], *end;
	const char		*port = NULL, *colon;
	unsigned long		 p = defport;
	size_t			 n;

	memset(out, 0, sizeof(*out));
	if (s == NULL || *s == '\0')
		return -1;
	if (*s == '[') {
		if ((colon = strchr(s, ']')) == NULL)
			return -1;
		n = (size_t)(colon - s - 1);
		if (colon[1] == ':')
			port = colon + 2;
		else if (colon[1] != '\0')
			return -1;
		s++;
	} else if ((colon = strchr(s, ':')) != NULL &&
	    strchr(colon + 1, ':') == NULL) {
		n = (size_t)(colon - s);	/* IPv4:port */
		port = colon + 1;
	} else
		n = strlen(s);	/* IPv4, or a bare IPv6 literal */
	if (n == 0 || n >= sizeof(host))
		return -1;
	memcpy(host, s, n);
	host[n] = '\0';
	if (port != NULL) {
		if (*port < '0' || *port > '9')
			return -1;
		p = strtoul(port, &end, 10);
		if (*end != '\0' || p == 0 || p > 65535)
			return -1;
	}
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)p);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)p);
		return 0;
	}
	memset(out, 0, sizeof(*out));
	return -1;
}
