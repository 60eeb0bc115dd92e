/*
 * prof.c: the one call (prof_generate) and what the generators share: a
 * string builder with the escapes of each format, base64, UUIDs, and the
 * choice of algorithms from the server's proposal set.
 *
 * Why pick instead of copying the set: Apple and Windows take exactly one
 * IKE and one ESP transform set, and without one they propose their weak
 * defaults (3DES, SHA1, MODP1024: CLIENTS.md 4a, 4b).  So every client
 * gets the strongest combination that one proposal of the server's active
 * set allows and that the client supports; the server then accepts it by
 * construction.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "prof.h"

static const char *const os_names[] = {
	[PROF_IOS] = "ios", [PROF_MACOS] = "macos",
	[PROF_WINDOWS] = "windows", [PROF_ANDROID] = "android",
	[PROF_LINUX_NM] = "linux-nm", [PROF_SWANCTL] = "swanctl",
};
static const char *const method_names[] = {
	[PROF_EAP] = "eap", [PROF_CERT] = "cert", [PROF_L2TP] = "l2tp",
	[PROF_IKEV1] = "ikev1",
};

int
prof_os_parse(const char *s)
{
	size_t	 i;

	for (i = 0; s && i < sizeof(os_names) / sizeof(os_names[0]); i++)
		if (strcmp(s, os_names[i]) == 0)
			return (int)i;
	return -1;
}

int
prof_method_parse(const char *s)
{
	size_t	 i;

	for (i = 0; s && i < sizeof(method_names) / sizeof(method_names[0]);
	    i++)
		if (strcmp(s, method_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *
prof_os_name(enum prof_os os)
{
	return os_names[os];
}

const char *
prof_method_name(enum prof_method m)
{
	return method_names[m];
}

int
prof_generate(enum prof_os os, const struct prof_server *s,
    struct prof_out *out, const char **field, const char **why)
{
	int	 rc = -1;

	memset(out, 0, sizeof(*out));
	*field = "method";
	if (s->method == PROF_IKEV1) {
		*why = "method ikev1: the IKEv1 responder is not available yet";
		return -1;
	}
	if (s->method == PROF_L2TP) {
		*why = "method l2tp: the L2TP server is not available yet";
		return -1;
	}
	if (s->method == PROF_CERT && (s->p12 == NULL ||
	    s->p12_password == NULL || s->user_pem == NULL)) {
		*why = "method cert: the user has no valid certificate "
		    "(roadgatectl cert issue USER)";
		return -1;
	}
	*field = "proposals";
	*why = NULL;
	switch (os) {
	case PROF_IOS:
	case PROF_MACOS:
		rc = prof_apple(s, os, out, why);
		break;
	case PROF_WINDOWS:
		rc = prof_windows(s, out, why);
		break;
	case PROF_ANDROID:
		rc = prof_android(s, out, why);
		break;
	case PROF_LINUX_NM:
		rc = prof_linux_nm(s, out, why);
		break;
	case PROF_SWANCTL:
		rc = prof_swanctl(s, out, why);
		break;
	}
	if (rc < 0) {
		prof_out_clear(out);
		if (*why == NULL) {
			*field = NULL;
			*why = "out of memory";
		}
	}
	return rc;
}

void
prof_out_clear(struct prof_out *o)
{
	size_t	 i;

	if (o->data) {
		OPENSSL_cleanse(o->data, o->len);
		free(o->data);
	}
	for (i = 0; i < o->nfiles; i++) {
		free(o->files[i].name);
		if (o->files[i].data) {
			OPENSSL_cleanse(o->files[i].data, o->files[i].len);
			free(o->files[i].data);
		}
	}
	memset(o, 0, sizeof(*o));
}

/* ---- string builder -------------------------------------------------- */

static bool
pb_grow(struct prof_buf *b, size_t more)
{
	size_t	 cap;
	char	*n;

	if (b->oom)
		return false;
	if (b->len + more + 1 <= b->cap)
		return true;
	cap = b->cap ? b->cap : 1024;
	while (cap < b->len + more + 1)
		cap *= 2;
	/* Not realloc: the old copy may hold a password; wipe it. */
	if ((n = malloc(cap)) == NULL) {
		b->oom = true;
		return false;
	}
	if (b->s) {
		memcpy(n, b->s, b->len + 1);
		OPENSSL_cleanse(b->s, b->cap);
		free(b->s);
	}
	b->s = n;
	b->cap = cap;
	return true;
}

static void
pb_add(struct prof_buf *b, const char *s, size_t n)
{
	if (!pb_grow(b, n))
		return;
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
pb_puts(struct prof_buf *b, const char *s)
{
	pb_add(b, s, strlen(s));
}

void
pb_printf(struct prof_buf *b, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !pb_grow(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
pb_xml(struct prof_buf *b, const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '<':
			pb_puts(b, "&lt;");
			break;
		case '>':
			pb_puts(b, "&gt;");
			break;
		case '&':
			pb_puts(b, "&amp;");
			break;
		case '"':
			pb_puts(b, "&quot;");
			break;
		default:
			pb_add(b, s, 1);
		}
}

void
pb_json(struct prof_buf *b, const char *s)
{
	pb_puts(b, "\"");
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			pb_printf(b, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			pb_printf(b, "\\u%04x", (unsigned char)*s);
		else
			pb_add(b, s, 1);
	}
	pb_puts(b, "\"");
}

/* PowerShell single-quoted string: only ' is special (doubled). */
void
pb_ps(struct prof_buf *b, const char *s)
{
	pb_puts(b, "'");
	for (; *s; s++) {
		if (*s == '\'')
			pb_puts(b, "''");
		else if (*s != '\n' && *s != '\r')
			pb_add(b, s, 1);
	}
	pb_puts(b, "'");
}

void
pb_base64(struct prof_buf *b, const unsigned char *d, size_t len,
    size_t width, const char *indent)
{
	unsigned char	*enc;
	size_t		 n, off;
	int		 r;

	if (len > (1u << 28) || (enc = malloc(len / 3 * 4 + 8)) == NULL) {
		b->oom = true;
		return;
	}
	r = EVP_EncodeBlock(enc, d, (int)len);
	n = r < 0 ? 0 : (size_t)r;
	if (width == 0)
		width = n ? n : 1;
	for (off = 0; off < n; off += width) {
		pb_puts(b, indent);
		pb_add(b, (char *)enc + off, n - off < width ? n - off : width);
		if (n > width)
			pb_puts(b, "\n");
	}
	OPENSSL_cleanse(enc, n);
	free(enc);
}

unsigned char *
prof_pem_der(const char *pem, size_t *len)
{
	BIO		*bio;
	X509		*x;
	unsigned char	*der = NULL;
	int		 n;

	*len = 0;
	if ((bio = BIO_new_mem_buf(pem, -1)) == NULL)
		return NULL;
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (x == NULL)
		return NULL;
	if ((n = i2d_X509(x, &der)) <= 0)
		der = NULL;
	else
		*len = (size_t)n;
	X509_free(x);
	return der;
}

void
prof_uuid(char out[37])
{
	unsigned char	 u[16];

	if (RAND_bytes(u, sizeof(u)) != 1)
		memset(u, 0x5a, sizeof(u));	/* still well-formed */
	u[6] = (u[6] & 0x0f) | 0x40;		/* version 4, RFC 9562 */
	u[8] = (u[8] & 0x3f) | 0x80;
	snprintf(out, 37, "%02X%02X%02X%02X-%02X%02X-%02X%02X-%02X%02X-"
	    "%02X%02X%02X%02X%02X%02X", u[0], u[1], u[2], u[3], u[4], u[5],
	    u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
}

int
prof_take(struct prof_buf *b, struct prof_out *o)
{
	if (b->oom || b->s == NULL) {
		if (b->s) {
			OPENSSL_cleanse(b->s, b->cap);
			free(b->s);
		}
		memset(b, 0, sizeof(*b));
		return -1;
	}
	o->data = b->s;
	o->len = b->len;
	memset(b, 0, sizeof(*b));
	return 0;
}

int
prof_add_file(struct prof_out *o, const char *name, const void *data,
    size_t len, bool secret)
{
	struct prof_file	*f;

	if (o->nfiles >= PROF_MAX_FILES)
		return -1;
	f = &o->files[o->nfiles];
	if ((f->name = strdup(name)) == NULL ||
	    (f->data = malloc(len ? len : 1)) == NULL) {
		free(f->name);
		f->name = NULL;
		return -1;
	}
	memcpy(f->data, data, len);
	f->len = len;
	f->secret = secret;
	o->nfiles++;
	if (secret)
		o->secret = true;
	return 0;
}

/* ---- algorithm choice ------------------------------------------------ */

bool
prof_aead(const char *enc)
{
	return enc && (strstr(enc, "gcm") || strstr(enc, "ccm") ||
	    strcmp(enc, "chacha20poly1305") == 0);
}

/* Whether token t is one of the '-' separated words of proposal p. */
static bool
has_tok(const char *p, const char *t)
{
	size_t	 n = strlen(t);

	while (p && *p) {
		if (strncmp(p, t, n) == 0 && (p[n] == '-' || p[n] == '\0'))
			return true;
		if ((p = strchr(p, '-')) != NULL)
			p++;
	}
	return false;
}

/* Rank of the first word of list that p holds; -1 if none. */
static int
first_of(const char *p, const char *const *list, const char **pick)
{
	int	 i;

	for (i = 0; list && list[i]; i++)
		if (has_tok(p, list[i])) {
			*pick = list[i];
			return i;
		}
	return -1;
}

/*
 * The best (enc, integ/prf, dh) of proposal p for the client, as a score
 * (lower is better), or -1.  A client with prf == NULL derives the PRF
 * from its integrity hash: "sha384" needs "prfsha384" in p (and "sha384"
 * itself unless the cipher is AEAD).
 */
static long
score(const char *p, bool esp, const struct prof_caps *c,
    struct prof_alg *a)
{
	char	 prf[32];
	long	 best = -1, s;
	int	 e, i, d = 0, h = -1, k;

	for (e = 0; c->enc[e]; e++) {
		if (!has_tok(p, c->enc[e]))
			continue;
		memset(a, 0, sizeof(*a));
		a->enc = c->enc[e];
		h = -1;
		if (esp) {
			if (prof_aead(a->enc))
				h = 0;
			else
				h = first_of(p, c->integ, &a->integ);
		} else if (c->prf != NULL) {
			if (!prof_aead(a->enc) &&
			    first_of(p, c->integ, &a->integ) < 0)
				continue;
			h = first_of(p, c->prf, &a->prf);
		} else {
			for (i = 0; c->integ[i]; i++) {
				snprintf(prf, sizeof(prf), "prf%s",
				    c->integ[i]);
				if (has_tok(p, prf) && (prof_aead(a->enc) ||
				    has_tok(p, c->integ[i]))) {
					h = i;
					a->integ = c->integ[i];
					break;
				}
			}
			a->prf = NULL;
		}
		if (h < 0)
			continue;
		if (!esp && (d = first_of(p, c->dh, &a->dh)) < 0)
			continue;
		k = e;
		s = (long)k * 10000 + (long)h * 100 + d;
		best = s;
		break;
	}
	return best;
}

int
prof_pick(const char *const *props, size_t n, bool esp,
    const struct prof_caps *c, struct prof_alg *out)
{
	struct prof_alg	 a;
	long		 best = -1, s;
	size_t		 i;

	for (i = 0; i < n; i++) {
		if ((s = score(props[i], esp, c, &a)) < 0)
			continue;
		if (best < 0 || s < best) {
			best = s;
			*out = a;
		}
	}
	return best < 0 ? -1 : 0;
}

void
prof_alg_str(const struct prof_alg *a, bool esp, char *buf, size_t len)
{
	char	 prf[32] = "";

	if (!esp && a->prf)
		snprintf(prf, sizeof(prf), "%s", a->prf);
	else if (!esp && a->integ)
		snprintf(prf, sizeof(prf), "prf%s", a->integ);
	if (esp)
		snprintf(buf, len, "%s%s%s", a->enc, a->integ ? "-" : "",
		    a->integ ? a->integ : "");
	else
		snprintf(buf, len, "%s%s%s-%s-%s", a->enc,
		    a->integ && !prof_aead(a->enc) ? "-" : "",
		    a->integ && !prof_aead(a->enc) ? a->integ : "", prf,
		    a->dh);
}
