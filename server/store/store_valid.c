/*
 * store_valid.c: validation and conversion of every field the API can
 * write: names, addresses and prefixes (host bits clear), pool ranges
 * (no overlap between pools), DNS names, proposal strings parsed against
 * the known algorithm tokens (strongSwan-style, IANA names of RFC 7296
 * 3.3.2), references to other objects.  One JSON value in, one typed
 * column value (sealed when secret) out; or an error naming the field.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "store_int.h"

/* 1 to max characters, each alphanumeric or one of extra. */
static bool
chars_ok(const char *s, const char *extra, size_t max)
{
	size_t	 n;

	for (n = 0; s[n]; n++)
		if (!isalnum((unsigned char)s[n]) && !strchr(extra, s[n]))
			return false;
	return n >= 1 && n <= max;
}

bool
store_name_ok(const char *s)
{
	return chars_ok(s, "._@-", 64);
}

static bool
pskid_ok(const char *s)
{
	return chars_ok(s, "._@-:%=+", 255);
}

static bool
domain_ok(const char *s)
{
	size_t	 n, label = 0;

	for (n = 0; s[n]; n++) {
		if (s[n] == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if (isalnum((unsigned char)s[n]) || s[n] == '-' ||
		    s[n] == '_') {
			if (++label > 63)
				return false;
		} else
			return false;
	}
	return n >= 1 && n <= 253;
}

/* Token classes of the proposal grammar. */
enum ptok { P_AEAD, P_ENC, P_INTEG, P_PRF, P_DH, P_ESN };

static const struct {
	const char	*name;
	enum ptok	 cls;
} ptoks[] = {
	/* What the IKEv2/ESP engines implement (server/ikev2_xform.c). */
	{ "aes128gcm16", P_AEAD }, { "aes192gcm16", P_AEAD },
	{ "aes256gcm16", P_AEAD }, { "chacha20poly1305", P_AEAD },
	{ "aes128", P_ENC }, { "aes192", P_ENC }, { "aes256", P_ENC },
	{ "3des", P_ENC },
	{ "sha1", P_INTEG }, { "sha256", P_INTEG }, { "sha384", P_INTEG },
	{ "sha512", P_INTEG },
	{ "prfsha1", P_PRF }, { "prfsha256", P_PRF }, { "prfsha384", P_PRF },
	{ "prfsha512", P_PRF },
	{ "modp1024", P_DH }, { "modp2048", P_DH }, { "modp3072", P_DH },
	{ "modp4096", P_DH }, { "modp6144", P_DH }, { "modp8192", P_DH },
	{ "ecp256", P_DH }, { "ecp384", P_DH }, { "ecp521", P_DH },
	{ "x25519", P_DH },
	{ "esn", P_ESN }, { "noesn", P_ESN },
};

int
store_proposal_check(const char *s, bool esp, const char **why)
{
	static char	 msg[160];
	char		 buf[512], *tok, *save = NULL;
	int		 n[6] = { 0 };
	size_t		 i;

	if (strlen(s) >= sizeof(buf) || *s == '\0') {
		*why = "empty or too long proposal";
		return -1;
	}
	strcpy(buf, s);
	for (tok = strtok_r(buf, "-", &save); tok;
	    tok = strtok_r(NULL, "-", &save)) {
		for (i = 0; i < sizeof(ptoks) / sizeof(ptoks[0]); i++)
			if (strcmp(ptoks[i].name, tok) == 0)
				break;
		if (i == sizeof(ptoks) / sizeof(ptoks[0])) {
			snprintf(msg, sizeof(msg), "unknown algorithm \"%.60s\" "
			    "in \"%.60s\"", tok, s);
			*why = msg;
			return -1;
		}
		if ((esp && ptoks[i].cls == P_PRF) ||
		    (!esp && ptoks[i].cls == P_ESN)) {
			snprintf(msg, sizeof(msg), "\"%.60s\" is not allowed in "
			    "an %s proposal", tok, esp ? "ESP" : "IKE");
			*why = msg;
			return -1;
		}
		n[ptoks[i].cls]++;
	}
	if (n[P_AEAD] + n[P_ENC] == 0)
		*why = "proposal has no encryption algorithm";
	else if (n[P_AEAD] && n[P_ENC])
		*why = "proposal mixes AEAD and non-AEAD ciphers (RFC 7296 3.3)";
	else if (n[P_ENC] && n[P_INTEG] == 0)
		*why = "proposal has no integrity algorithm";
	else if (n[P_AEAD] && n[P_INTEG])
		*why = "an AEAD proposal takes no integrity algorithm";
	else if (!esp && n[P_DH] == 0)
		*why = "IKE proposal has no DH group";
	else if (!esp && n[P_AEAD] && n[P_PRF] == 0)
		*why = "an AEAD IKE proposal needs a PRF";
	else
		return 0;
	return -1;
}

/* Compare two addresses as big-endian numbers. */
static int
addr_cmp(const struct rg_addr *a, const struct rg_addr *b)
{
	return memcmp(a->addr, b->addr, 16);
}

static void
addr_add(struct rg_addr *a, int delta)
{
	int	 i, len = a->af == AF_INET ? 4 : 16, carry = delta;

	for (i = len - 1; i >= 0 && carry != 0; i--) {
		int	 v = a->addr[i] + carry;

		carry = v > 255 ? 1 : v < 0 ? -1 : 0;
		a->addr[i] = (uint8_t)(v & 0xff);
	}
}

/*
 * A pool range: "first-last" (inclusive) or a CIDR prefix, whose usable
 * addresses exclude the network address (and for IPv4 the broadcast).
 */
int
store_range_parse(const char *s, struct rg_pool_range *r, int *af,
    const char **why)
{
	struct rg_prefix	 p;
	char			 buf[128], *dash;
	int			 i, max;

	memset(r, 0, sizeof(*r));
	if (strlen(s) >= sizeof(buf)) {
		*why = "range too long";
		return -1;
	}
	strcpy(buf, s);
	if ((dash = strchr(buf, '-')) != NULL) {
		*dash++ = '\0';
		if (rg_addr_parse(buf, &r->first) < 0 ||
		    rg_addr_parse(dash, &r->last) < 0 ||
		    r->first.af != r->last.af) {
			*why = "not an address range (a.b.c.d-a.b.c.e)";
			return -1;
		}
		if (addr_cmp(&r->first, &r->last) > 0) {
			*why = "range ends before it starts";
			return -1;
		}
		*af = r->first.af;
		return 0;
	}
	if (strchr(buf, '/') == NULL) {
		*why = "not a range or CIDR prefix";
		return -1;
	}
	if (rg_prefix_parse(buf, &p) < 0) {
		*why = "not a prefix, or host bits set";
		return -1;
	}
	max = p.af == AF_INET ? 32 : 128;
	if (p.plen > max - 2) {
		*why = "prefix too long: no usable addresses";
		return -1;
	}
	r->first.af = r->last.af = p.af;
	memcpy(r->first.addr, p.addr, 16);
	memcpy(r->last.addr, p.addr, 16);
	for (i = p.plen; i < max; i++)
		r->last.addr[i / 8] |= (uint8_t)(0x80 >> (i % 8));
	addr_add(&r->first, 1);
	if (p.af == AF_INET)
		addr_add(&r->last, -1);
	*af = p.af;
	return 0;
}

/* Addresses in an IPv4 range (first <= last). */
static uint64_t
range4_size(const struct rg_pool_range *r)
{
	uint32_t	 a, b;

	memcpy(&a, r->first.addr, 4);
	memcpy(&b, r->last.addr, 4);
	return (uint64_t)ntohl(b) - ntohl(a) + 1;
}

/* Largest IPv4 range a pool takes (pool.h POOL_RANGE_MAX_SLOTS). */
#define STORE_POOL_MAX4		(1u << 24)

struct pool_row {
	char	*name, *next;
	int	 af;		/* of its first range; 0 when none */
};

/* The "next" chain, as pool_mgr_validate() checks it: the next pool is
 * of the same family and the chain has no cycle. */
static int
pools_next_check(struct pool_row *p, size_t np, struct store_err *e)
{
	size_t	 i, j, k, steps;

	for (i = 0; i < np; i++) {
		if (p[i].next == NULL || *p[i].next == '\0')
			continue;
		for (j = 0; j < np; j++)
			if (strcmp(p[j].name, p[i].next) == 0)
				break;
		if (j == np)
			return store_seterr(e, STORE_EINVAL, "next", "pool %s: "
			    "next pool %s does not exist", p[i].name,
			    p[i].next);
		if (p[j].af && p[i].af && p[j].af != p[i].af)
			return store_seterr(e, STORE_EINVAL, "next", "pool %s: "
			    "next pool %s is of another family", p[i].name,
			    p[i].next);
		for (steps = 0, k = j; steps <= np; steps++) {
			if (k == i)
				return store_seterr(e, STORE_EINVAL, "next",
				    "pool %s: next pools form a cycle through "
				    "%s", p[i].name, p[i].next);
			if (p[k].next == NULL || *p[k].next == '\0')
				break;
			for (j = 0; j < np; j++)
				if (strcmp(p[j].name, p[k].next) == 0)
					break;
			if (j == np)
				break;
			k = j;
		}
	}
	return 0;
}

/*
 * The pool set as pool_mgr_validate() (pool/pool_validate.c) would judge
 * it, inside the write's transaction so that a refusal changes nothing:
 * no two ranges overlap, an IPv4 range holds at most 2^24 addresses,
 * "next" chains stay in one family and never loop.
 */
int
store_pools_check(struct store *st, struct store_err *e)
{
	struct item {
		char			*pool;
		struct rg_pool_range	 r;
	}		*it = NULL;
	struct pool_row	*pr = NULL;
	sqlite3_stmt	*s = NULL;
	size_t		 n = 0, cap = 0, i, j, nv, np = 0, pcap = 0;
	char		**v;
	const char	*why, *nx;
	int		 af, rc = 0;

	if (sqlite3_prepare_v2(st->db, "SELECT name, ranges, next FROM pools",
	    -1, &s, NULL) != SQLITE_OK)
		return store_sqlerr(st, e, "pools");
	while (rc == 0 && sqlite3_step(s) == SQLITE_ROW) {
		if (np == pcap) {
			struct pool_row	*npr;

			pcap = pcap ? pcap * 2 : 16;
			if ((npr = realloc(pr, pcap * sizeof(*pr))) == NULL) {
				rc = store_seterr(e, STORE_EIO, NULL,
				    "out of memory");
				break;
			}
			pr = npr;
		}
		nx = (const char *)sqlite3_column_text(s, 2);
		pr[np].name = strdup((const char *)sqlite3_column_text(s, 0));
		pr[np].next = nx ? strdup(nx) : NULL;
		pr[np].af = 0;
		np++;
		v = store_strv((const char *)sqlite3_column_text(s, 1), &nv);
		for (i = 0; i < nv; i++) {
			if (n == cap) {
				struct item	*ni;

				cap = cap ? cap * 2 : 16;
				if ((ni = realloc(it, cap * sizeof(*it))) ==
				    NULL) {
					rc = store_seterr(e, STORE_EIO, NULL,
					    "out of memory");
					break;
				}
				it = ni;
			}
			if (store_range_parse(v[i], &it[n].r, &af, &why) < 0)
				continue;
			if (pr[np - 1].af == 0)
				pr[np - 1].af = af;
			if (af == AF_INET && range4_size(&it[n].r) >
			    STORE_POOL_MAX4 && rc == 0)
				rc = store_seterr(e, STORE_EINVAL, "ranges",
				    "pool %s: range %s holds more than %u "
				    "addresses (at most a /8)",
				    pr[np - 1].name, v[i], STORE_POOL_MAX4);
			it[n].pool = strdup((const char *)
			    sqlite3_column_text(s, 0));
			n++;
		}
		store_strv_free(v, nv);
	}
	sqlite3_finalize(s);
	for (i = 0; rc == 0 && i < n; i++)
		for (j = i + 1; rc == 0 && j < n; j++) {
			if (it[i].r.first.af != it[j].r.first.af ||
			    addr_cmp(&it[i].r.last, &it[j].r.first) < 0 ||
			    addr_cmp(&it[j].r.last, &it[i].r.first) < 0)
				continue;
			rc = store_seterr(e, STORE_EINVAL, "ranges",
			    "ranges overlap %s of pool %s",
			    strcmp(it[i].pool ? it[i].pool : "",
			    it[j].pool ? it[j].pool : "") == 0 ?
			    "another range" : "a range",
			    it[i].pool ? it[i].pool : "?");
		}
	if (rc == 0)
		rc = pools_next_check(pr, np, e);
	for (i = 0; i < n; i++)
		free(it[i].pool);
	free(it);
	for (i = 0; i < np; i++) {
		free(pr[i].name);
		free(pr[i].next);
	}
	free(pr);
	return rc;
}

/* A JSON list value: an array of strings, or one string "a,b". */
static char **
json_strv(json_t *j, size_t *n)
{
	char		**v;
	size_t		  i;
	json_t		 *x;

	*n = 0;
	if (json_is_string(j)) {
		v = store_strv(json_string_value(j), n);
		for (i = 0; i < *n; i++) {	/* trim "a, b" */
			char	*p = v[i], *q;

			while (*p == ' ')
				p++;
			memmove(v[i], p, strlen(p) + 1);
			q = v[i] + strlen(v[i]);
			while (q > v[i] && q[-1] == ' ')
				*--q = '\0';
		}
		return v;
	}
	if (!json_is_array(j) ||
	    (v = calloc(json_array_size(j) + 1, sizeof(char *))) == NULL)
		return NULL;
	json_array_foreach(j, i, x) {
		if (!json_is_string(x) || strchr(json_string_value(x), ',') ||
		    (v[i] = strdup(json_string_value(x))) == NULL) {
			store_strv_free(v, *n);
			*n = 0;
			return NULL;
		}
		*n = i + 1;
	}
	return v;
}

static int
ref_exists(struct store *st, const char *res, const char *name)
{
	const struct store_table	*t = store_table_get(res);
	sqlite3_stmt			*s;
	char				 sql[160];
	json_t				*b, *x;
	size_t				 i;
	int				 found = 0;

	if (t == NULL)
		return -1;
	if (t->builtin && (b = t->builtin()) != NULL) {
		json_array_foreach(b, i, x)
			if (strcmp(json_string_value(json_object_get(x,
			    "name")), name) == 0)
				found = 1;
		json_decref(b);
		if (found)
			return 1;
	}
	snprintf(sql, sizeof(sql), "SELECT 1 FROM %s WHERE \"%s\" = ?",
	    t->table, t->fields[0].col);
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	found = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_finalize(s);
	return found;
}

static int
one_item(struct store *st, const struct store_field *f, const char *x,
    int *af, struct store_err *e)
{
	struct rg_prefix	 p;
	struct rg_addr		 a;
	struct rg_pool_range	 r;
	const char		*why;
	int			 rc;

	switch (f->type) {
	case SF_REFLIST:
		if (!store_name_ok(x))
			return store_seterr(e, STORE_EINVAL, f->name,
			    "\"%s\" is not a valid name", x);
		if ((rc = ref_exists(st, f->ref, x)) < 0)
			return store_sqlerr(st, e, f->ref);
		if (rc == 0)
			return store_seterr(e, STORE_EINVAL, f->name,
			    "no such %s: %s", store_table_get(f->ref)->noun,
			    x);
		return 0;
	case SF_ADDRLIST:
		if (rg_addr_parse(x, &a) < 0)
			return store_seterr(e, STORE_EINVAL, f->name,
			    "\"%s\" is not an IP address", x);
		return 0;
	case SF_PREFIXLIST:
		if (rg_prefix_parse(x, &p) < 0)
			return store_seterr(e, STORE_EINVAL, f->name,
			    "\"%s\" is not a prefix, or has host bits set", x);
		return 0;
	case SF_RANGELIST:
		if (store_range_parse(x, &r, &rc, &why) < 0)
			return store_seterr(e, STORE_EINVAL, f->name,
			    "\"%s\": %s", x, why);
		if (*af && *af != rc)
			return store_seterr(e, STORE_EINVAL, f->name,
			    "a pool holds IPv4 or IPv6 ranges, not both");
		*af = rc;
		return 0;
	case SF_DOMAINLIST:
		if (!domain_ok(x))
			return store_seterr(e, STORE_EINVAL, f->name,
			    "\"%s\" is not a DNS domain", x);
		return 0;
	case SF_PROPLIST_IKE:
	case SF_PROPLIST_ESP:
		if (store_proposal_check(x, f->type == SF_PROPLIST_ESP,
		    &why) < 0)
			return store_seterr(e, STORE_EINVAL, f->name, "%s",
			    why);
		return 0;
	default:
		return store_seterr(e, STORE_EIO, f->name, "bad field type");
	}
}

static int
list_val(struct store *st, const struct store_field *f, json_t *j,
    struct store_val out[2], struct store_err *e)
{
	char	**v, *joined = NULL;
	size_t	  n, i, len = 1;
	int	  af = 0, rc = 0;

	if ((v = json_strv(j, &n)) == NULL)
		return store_seterr(e, STORE_EINVAL, f->name,
		    "expected a list of strings");
	for (i = 0; i < n && rc == 0; i++) {
		rc = one_item(st, f, v[i], &af, e);
		len += strlen(v[i]) + 1;
	}
	if (rc == 0 && n == 0 && (f->flags & SF_REQ))
		rc = store_seterr(e, STORE_EINVAL, f->name, "must not be "
		    "empty");
	if (rc == 0 && n > 256)
		rc = store_seterr(e, STORE_EINVAL, f->name, "too many items");
	if (rc == 0 && (joined = calloc(1, len)) == NULL)
		rc = store_seterr(e, STORE_EIO, NULL, "out of memory");
	for (i = 0; rc == 0 && i < n; i++) {
		if (i)
			strcat(joined, ",");
		strcat(joined, v[i]);
	}
	store_strv_free(v, n);
	if (rc)
		return rc;
	out[0].kind = SV_TEXT;
	out[0].text = joined;
	if (f->type == SF_RANGELIST) {
		out[1].kind = SV_TEXT;
		out[1].text = strdup(af == AF_INET6 ? "ipv6" : "ipv4");
	}
	return 0;
}

static int
secret_val(struct store *st, const struct store_table *t,
    const struct store_field *f, const char *key, const char *s,
    struct store_val out[2], struct store_err *e)
{
	char	 aad[256];
	uint8_t	 nt[16];
	int	 rc;

	if ((long long)strlen(s) < f->min || (long long)strlen(s) > f->max)
		return store_seterr(e, STORE_EINVAL, f->name, "must be %lld to "
		    "%lld characters", f->min, f->max);
	snprintf(aad, sizeof(aad), "%s.%s:%s", t->table, f->col, key);
	out[0].kind = SV_BLOB;
	if (store_seal(st, aad, (const uint8_t *)s, strlen(s), &out[0].blob,
	    &out[0].len) < 0)
		return store_seterr(e, STORE_EIO, f->name, "sealing failed");
	if (f->type != SF_PASSWORD)
		return 0;
	store_nt_hash(s, nt);
	snprintf(aad, sizeof(aad), "%s.nt_hash_enc:%s", t->table, key);
	out[1].kind = SV_BLOB;
	rc = store_seal(st, aad, nt, sizeof(nt), &out[1].blob, &out[1].len);
	OPENSSL_cleanse(nt, sizeof(nt));
	return rc < 0 ? store_seterr(e, STORE_EIO, f->name, "sealing failed")
	    : 0;
}

static int
bool_val(json_t *j, bool *b)
{
	static const char *const yes[] = { "true", "yes", "on", "1", NULL };
	static const char *const no[] = { "false", "no", "off", "0", NULL };
	size_t	 i;

	if (json_is_boolean(j)) {
		*b = json_is_true(j);
		return 0;
	}
	if (!json_is_string(j))
		return -1;
	for (i = 0; yes[i]; i++)
		if (strcasecmp(json_string_value(j), yes[i]) == 0) {
			*b = true;
			return 0;
		} else if (strcasecmp(json_string_value(j), no[i]) == 0) {
			*b = false;
			return 0;
		}
	return -1;
}

int
store_val_from_json(struct store *st, const struct store_table *t,
    const struct store_field *f, const char *key, json_t *j,
    struct store_val out[2], struct store_err *e)
{
	const char	*s = json_is_string(j) ? json_string_value(j) : NULL;
	char		*end;
	long long	 v;
	struct rg_addr	 a;
	bool		 b;
	int		 rc;

	memset(out, 0, 2 * sizeof(*out));
	if (json_is_null(j) && f->type != SF_KEY && f->type != SF_PSKID &&
	    !(f->flags & SF_REQ)) {
		if (f->def) {
			out[0].kind = SV_TEXT;
			out[0].text = strdup(f->def);
		}
		return 0;
	}
	switch (f->type) {
	case SF_KEY:
		if (s == NULL || !store_name_ok(s))
			return store_seterr(e, STORE_EINVAL, f->name,
			    "a name is 1-64 of A-Z a-z 0-9 . _ @ -");
		break;
	case SF_PSKID:
		if (s == NULL || !pskid_ok(s))
			return store_seterr(e, STORE_EINVAL, f->name,
			    "an identity (or %%any) of 1-255 characters "
			    "A-Z a-z 0-9 . _ @ - : %% = +");
		break;
	case SF_TEXT:
		if (s == NULL || (long long)strlen(s) > f->max)
			return store_seterr(e, STORE_EINVAL, f->name,
			    "expected text of at most %lld bytes", f->max);
		for (end = (char *)s; *end; end++)
			if ((unsigned char)*end < 0x20 && *end != '\n')
				return store_seterr(e, STORE_EINVAL, f->name,
				    "control characters are not allowed");
		break;
	case SF_IFNAME:
		if (s == NULL || strlen(s) < 1 || strlen(s) > 15 ||
		    strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRS"
		    "TUVWXYZ0123456789._-") != strlen(s) ||
		    strcmp(s, ".") == 0 || strcmp(s, "..") == 0 ||
		    (strcmp(s, "auto") == 0 && f->ref == NULL))
			return store_seterr(e, STORE_EINVAL, f->name,
			    "expected off%s or an interface name (1-15 of "
			    "A-Z a-z 0-9 . _ -)", f->ref ? ", auto" : "");
		break;
	case SF_URL:
		if (s == NULL || (long long)strlen(s) > f->max ||
		    strpbrk(s, " ,\"<>\\") != NULL ||
		    (*s != '\0' && ((strncmp(s, "http://", 7) != 0 ||
		    s[7] == '\0') && (strncmp(s, "https://", 8) != 0 ||
		    s[8] == '\0'))))
			return store_seterr(e, STORE_EINVAL, f->name,
			    "expected an http:// or https:// URL of at most "
			    "%lld bytes without spaces or commas (\"\" for "
			    "none)", f->max);
		for (end = (char *)s; *end; end++)
			if ((unsigned char)*end <= 0x20 ||
			    (unsigned char)*end >= 0x7f)
				return store_seterr(e, STORE_EINVAL, f->name,
				    "a URL is printable ASCII");
		break;
	case SF_HOSTPORT: {
		struct sockaddr_storage	 ss;

		/* "" where that is the default: off (dae_listen). */
		if (s != NULL && *s == '\0' && f->def != NULL &&
		    *f->def == '\0')
			break;
		/* A literal: the daemon never resolves names on its loop. */
		if (s == NULL || strlen(s) > 64 ||
		    rg_hostport_parse(s, 1, &ss) < 0)
			return store_seterr(e, STORE_EINVAL, f->name,
			    "expected an IP address with an optional port "
			    "(192.0.2.1, 192.0.2.1:1812, [2001:db8::1]:1812)");
		break;
	}
	case SF_ENUM: {
		char	 buf[128], *tok, *save = NULL;
		bool	 ok = false;

		snprintf(buf, sizeof(buf), "%s", f->ref);
		for (tok = strtok_r(buf, "|", &save); s && tok && !ok;
		    tok = strtok_r(NULL, "|", &save))
			ok = strcmp(tok, s) == 0;
		if (!ok)
			return store_seterr(e, STORE_EINVAL, f->name,
			    "expected one of %s", f->ref);
		break;
	}
	case SF_BOOL:
		if (bool_val(j, &b) < 0)
			return store_seterr(e, STORE_EINVAL, f->name,
			    "expected true or false");
		out[0].kind = SV_INT;
		out[0].i = b;
		return 0;
	case SF_UINT:
		if (json_is_integer(j))
			v = json_integer_value(j);
		else if (s && *s && (v = strtoll(s, &end, 10), *end == '\0'))
			;
		else
			return store_seterr(e, STORE_EINVAL, f->name,
			    "expected a number");
		if (v < f->min || v > f->max)
			return store_seterr(e, STORE_EINVAL, f->name,
			    "must be between %lld and %lld", f->min, f->max);
		out[0].kind = SV_INT;
		out[0].i = v;
		return 0;
	case SF_REF:
		if (s == NULL || !store_name_ok(s))
			return store_seterr(e, STORE_EINVAL, f->name,
			    "expected a name");
		if (strcmp(f->ref, t->res) == 0 && key && strcmp(s, key) == 0)
			return store_seterr(e, STORE_EINVAL, f->name,
			    "%s cannot name itself", f->name);
		if ((rc = ref_exists(st, f->ref, s)) < 0)
			return store_sqlerr(st, e, f->ref);
		if (rc == 0)
			return store_seterr(e, STORE_EINVAL, f->name,
			    "no such %s: %s", f->name, s);
		break;
	case SF_ADDR4:
		if (s == NULL || rg_addr_parse(s, &a) < 0 || a.af != AF_INET)
			return store_seterr(e, STORE_EINVAL, f->name,
			    "expected an IPv4 address");
		break;
	case SF_REFLIST:
	case SF_ADDRLIST:
	case SF_PREFIXLIST:
	case SF_RANGELIST:
	case SF_DOMAINLIST:
	case SF_PROPLIST_IKE:
	case SF_PROPLIST_ESP:
		return list_val(st, f, j, out, e);
	case SF_PASSWORD:
	case SF_SECRET:
		if (s == NULL)
			return store_seterr(e, STORE_EINVAL, f->name,
			    "expected a string");
		return secret_val(st, t, f, key, s, out, e);
	case SF_GEN:
	case SF_TIME:
	case SF_AF:
		return store_seterr(e, STORE_EINVAL, f->name, "read-only "
		    "field");
	}
	out[0].kind = SV_TEXT;
	if ((out[0].text = strdup(s)) == NULL)
		return store_seterr(e, STORE_EIO, NULL, "out of memory");
	return 0;
}

json_t *
store_val_to_json(const struct store_field *f, sqlite3_stmt *s, int col)
{
	const char	*txt;
	char		**v;
	size_t		  n, i;
	json_t		 *a;

	if (sqlite3_column_type(s, col) == SQLITE_NULL)
		return f->type == SF_PASSWORD ? json_false() : json_null();
	switch (f->type) {
	case SF_BOOL:
		return json_boolean(sqlite3_column_int(s, col));
	case SF_UINT:
	case SF_GEN:
	case SF_TIME:
		return json_integer(sqlite3_column_int64(s, col));
	case SF_PASSWORD:
		return json_true();
	case SF_SECRET:
		return NULL;
	case SF_REFLIST:
	case SF_ADDRLIST:
	case SF_PREFIXLIST:
	case SF_RANGELIST:
	case SF_DOMAINLIST:
	case SF_PROPLIST_IKE:
	case SF_PROPLIST_ESP:
		txt = (const char *)sqlite3_column_text(s, col);
		v = store_strv(txt, &n);
		a = json_array();
		for (i = 0; a && i < n; i++)
			json_array_append_new(a, json_string(v[i]));
		store_strv_free(v, n);
		return a;
	default:
		return json_string((const char *)sqlite3_column_text(s, col));
	}
}
