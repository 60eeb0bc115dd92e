/*
 * api_profile_export.c: per-OS client profiles (profiles/prof.h).
 *	GET /v1/users/<name>/profiles/<os>[?method=eap|cert][&format=json]
 * os: ios macos windows android linux-nm swanctl; method eap (default),
 * cert (the user's certificate as PKCS#12 with a fresh password), l2tp
 * and ikev1 (refused until those servers exist).  Over HTTP the file
 * itself, with its content type, as an attachment; with format=json (or
 * a caller without raw answers: roadgatectl, tests) {"os", "method",
 * "filename", "content_type", "secret", "data": base64, "password" (cert),
 * "files": [{"name", "data", "secret"}]} (the CA and key files the
 * Linux profiles name).  Errors: 404 unknown user, 400 naming "os",
 * "method" or "format".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "profiles/prof_build.h"
#include "rg_log.h"
#include "web_int.h"

void
web_raw_clear(struct web_raw *raw)
{
	if (raw->data) {
		OPENSSL_cleanse(raw->data, raw->len);
		free(raw->data);
	}
	memset(raw, 0, sizeof(*raw));
}

/* The value of key in "k=v&k=v" into buf; 1 found, 0 not, -1 too long. */
static int
query_get(const char *q, const char *key, char *buf, size_t len)
{
	size_t	 kl = strlen(key), vl;
	const char *v;

	while (q && *q) {
		if (strncmp(q, key, kl) == 0 && q[kl] == '=') {
			v = q + kl + 1;
			vl = strcspn(v, "&");
			if (vl >= len)
				return -1;
			memcpy(buf, v, vl);
			buf[vl] = '\0';
			return 1;
		}
		if ((q = strchr(q, '&')) != NULL)
			q++;
	}
	return 0;
}

static json_t *
b64(const void *d, size_t len)
{
	char	*s;
	json_t	*j;

	if (len > (1u << 28) || (s = malloc(len / 3 * 4 + 8)) == NULL)
		return NULL;
	EVP_EncodeBlock((unsigned char *)s, d, (int)len);
	j = json_string(s);
	OPENSSL_cleanse(s, strlen(s));
	free(s);
	return j;
}

static json_t *
as_json(const struct prof_out *o, const char *os, const char *method,
    const char *filename, const char *password)
{
	json_t	*j, *files;
	size_t	 i;

	j = json_pack("{s:s, s:s, s:s, s:s, s:b}", "os", os, "method", method,
	    "filename", filename, "content_type", o->content_type, "secret",
	    o->secret);
	files = json_array();
	if (j == NULL || files == NULL) {
		json_decref(j);
		json_decref(files);
		return NULL;
	}
	json_object_set_new(j, "data", b64(o->data, o->len));
	if (password)
		json_object_set_new(j, "password", json_string(password));
	for (i = 0; i < o->nfiles; i++)
		json_array_append_new(files, json_pack("{s:s, s:o, s:b}",
		    "name", o->files[i].name, "data", b64(o->files[i].data,
		    o->files[i].len), "secret", o->files[i].secret));
	json_object_set_new(j, "files", files);
	return j;
}

int
web_profile_get(struct web_req *r, json_t **out)
{
	struct prof_ctx	 c;
	struct prof_out	 o;
	const char	*p, *field, *cwhy;
	char		 user[256], osn[32], mn[16] = "eap", fmt[16] = "";
	char		 why[300], filename[400];
	int		 os, m, status;
	bool		 json;

	/* "<user>/profiles/<os>" */
	if ((p = strstr(r->name, "/profiles/")) == NULL ||
	    (size_t)(p - r->name) >= sizeof(user) || strchr(p + 10, '/'))
		return web_error(out, 404, NULL, "no such path: /v1/users/%s "
		    "(GET /v1/users/NAME/profiles/OS)", r->name);
	if (strcmp(r->method, "GET") != 0)
		return web_error(out, 405, NULL, "%s not allowed on a profile",
		    r->method);
	snprintf(user, sizeof(user), "%.*s", (int)(p - r->name), r->name);
	if ((os = prof_os_parse(p + 10)) < 0) {
		snprintf(osn, sizeof(osn), "%.20s", p + 10);
		return web_error(out, 400, "os", "os %s: not one of ios, "
		    "macos, windows, android, linux-nm, swanctl", osn);
	}
	if (query_get(r->query, "method", mn, sizeof(mn)) < 0 ||
	    (m = prof_method_parse(mn)) < 0)
		return web_error(out, 400, "method", "method %.15s: not one "
		    "of eap, cert, l2tp, ikev1", mn);
	if (query_get(r->query, "format", fmt, sizeof(fmt)) < 0 ||
	    (fmt[0] && strcmp(fmt, "json") != 0 && strcmp(fmt, "file") != 0))
		return web_error(out, 400, "format", "format: json or file");
	json = r->raw == NULL || strcmp(fmt, "json") == 0;
	if (prof_load(r->ctx->store, user, m == PROF_CERT ? PROF_CERT :
	    PROF_EAP, &c, &status, &field, why, sizeof(why)) < 0) {
		prof_ctx_clear(&c);
		return web_error(out, status, field, "%s", why);
	}
	/* A method whose server does not exist yet: 400 naming it. */
	if (m == PROF_IKEV1 || m == PROF_L2TP) {
		c.srv.method = (enum prof_method)m;
		(void)prof_generate((enum prof_os)os, &c.srv, &o, &field,
		    &cwhy);
		prof_ctx_clear(&c);
		return web_error(out, 400, field, "%s", cwhy);
	}
	if (prof_generate((enum prof_os)os, &c.srv, &o, &field, &cwhy) < 0) {
		prof_ctx_clear(&c);
		return web_error(out, field ? 409 : 500, field, "%s", cwhy);
	}
	/* A PKCS#12 left the server: the admin wants to know. */
	rg_info(WEB, "%s profile of %s exported (method %s%s)",
	    prof_os_name((enum prof_os)os), user,
	    prof_method_name((enum prof_method)m), m == PROF_CERT ?
	    ", with the user's key" : "");
	snprintf(filename, sizeof(filename), "roadgate-%s-%s.%s", user,
	    prof_os_name((enum prof_os)os), o.ext);
	status = 200;
	if (json) {
		/* The password is in the profile already (Apple, Windows,
		 * swanctl); the caller shows it for the others. */
		if ((*out = as_json(&o, prof_os_name((enum prof_os)os),
		    prof_method_name((enum prof_method)m), filename,
		    c.srv.p12_password)) == NULL)
			status = web_error(out, 500, NULL, "out of memory");
	} else {
		r->raw->set = true;
		r->raw->secret = o.secret;
		r->raw->data = o.data;
		r->raw->len = o.len;
		o.data = NULL;
		snprintf(r->raw->content_type, sizeof(r->raw->content_type),
		    "%s", o.content_type);
		snprintf(r->raw->filename, sizeof(r->raw->filename), "%s",
		    filename);
	}
	prof_out_clear(&o);
	prof_ctx_clear(&c);
	return status;
}
