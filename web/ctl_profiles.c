/*
 * ctl_profiles.c: roadgatectl profile-export USER --os OS [--method M]
 * --out FILE: GET /v1/users/USER/profiles/OS?method=M&format=json, the
 * profile written to FILE and the files it names (the CA, the user's
 * PKCS#12 or PEM for the Linux forms) beside it.  A file that holds a key
 * or a password is written 0600 (O_EXCL temporary, then renamed), the
 * others 0644.  A PKCS#12 password that is not inside the profile itself
 * is printed once.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "ctl.h"

static unsigned char *
unbase64(const char *s, size_t *len)
{
	size_t		 n = strlen(s);
	unsigned char	*b;
	int		 r;

	if (n % 4 != 0 || (b = malloc(n / 4 * 3 + 1)) == NULL)
		return NULL;
	if ((r = EVP_DecodeBlock(b, (const unsigned char *)s, (int)n)) < 0) {
		free(b);
		return NULL;
	}
	*len = (size_t)r - (n >= 1 && s[n - 1] == '=') -
	    (n >= 2 && s[n - 2] == '=');
	return b;
}

static int
write_file(const char *path, const char *b64, bool secret)
{
	unsigned char	*d;
	char		 tmp[4096];
	size_t		 len, off = 0;
	ssize_t		 w;
	int		 fd, rc = -1;

	if (b64 == NULL || (d = unbase64(b64, &len)) == NULL) {
		fprintf(stderr, "roadgatectl: bad profile data from the API\n");
		return -1;
	}
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path,
	    (long)getpid()) >= sizeof(tmp))
		goto out;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, secret ? 0600 :
	    0644)) < 0)
		goto out;
	while (off < len) {
		if ((w = write(fd, d + off, len - off)) < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			unlink(tmp);
			goto out;
		}
		off += (size_t)w;
	}
	if (fsync(fd) < 0 || close(fd) < 0 || rename(tmp, path) < 0) {
		unlink(tmp);
		goto out;
	}
	rc = 0;
out:
	if (rc < 0)
		fprintf(stderr, "roadgatectl: %s: %s\n", path, strerror(errno));
	OPENSSL_cleanse(d, len);
	free(d);
	return rc;
}

int
ctl_profile_export(struct ctl *c, const struct ctl_resource *r, int argc,
    char **argv)
{
	json_t		*o, *ans = NULL, *f;
	const char	*os, *method, *out, *name;
	char		*path = NULL, *full = NULL, *dirc = NULL;
	char		 beside[4096];
	size_t		 i, n;
	int		 status, rc = CTL_EAPI;
	bool		 secret;

	(void)r;
	if (argc < 1 || argv[0][0] == '-')
		return ctl_usage_error("profile-export USER --os OS "
		    "[--method eap|cert] --out FILE");
	if ((o = ctl_fields(argc - 1, argv + 1)) == NULL)
		return CTL_EUSAGE;
	os = json_string_value(json_object_get(o, "os"));
	method = json_string_value(json_object_get(o, "method"));
	out = json_string_value(json_object_get(o, "out"));
	if (os == NULL || out == NULL) {
		json_decref(o);
		return ctl_usage_error("profile-export needs --os OS and --out "
		    "FILE");
	}
	if ((path = ctl_path("users", argv[0])) == NULL)
		goto done;
	n = strlen(path) + strlen(os) * 3 + 64 + (method ? strlen(method) *
	    3 : 0);
	if ((full = malloc(n)) == NULL)
		goto done;
	/* os and method are plain words; the API refuses anything else. */
	snprintf(full, n, "%s/profiles/%s?format=json%s%s", path, os,
	    method ? "&method=" : "", method ? method : "");
	if (strpbrk(os, "/?&#% ") || (method && strpbrk(method, "/?&#% "))) {
		fprintf(stderr, "roadgatectl: --os and --method are single "
		    "words\n");
		rc = CTL_EUSAGE;
		goto done;
	}
	if (ctl_http(c, "GET", full, NULL, &status, &ans) < 0)
		goto done;
	if (status < 200 || status > 299) {
		fprintf(stderr, "roadgatectl: %s", json_string_value(
		    json_object_get(ans, "error")) ? json_string_value(
		    json_object_get(ans, "error")) : "profile refused");
		if (json_string_value(json_object_get(ans, "field")))
			fprintf(stderr, " (field: %s)", json_string_value(
			    json_object_get(ans, "field")));
		fputc('\n', stderr);
		goto done;
	}
	secret = json_is_true(json_object_get(ans, "secret"));
	if (write_file(out, json_string_value(json_object_get(ans, "data")),
	    secret) < 0)
		goto done;
	if ((dirc = strdup(out)) == NULL)
		goto done;
	json_array_foreach(json_object_get(ans, "files"), i, f) {
		name = json_string_value(json_object_get(f, "name"));
		if (name == NULL || strchr(name, '/') || name[0] == '.' ||
		    (size_t)snprintf(beside, sizeof(beside), "%s/%s",
		    dirname(dirc), name) >= sizeof(beside))
			goto done;
		free(dirc);
		if ((dirc = strdup(out)) == NULL)
			goto done;
		if (write_file(beside, json_string_value(json_object_get(f,
		    "data")), json_is_true(json_object_get(f, "secret"))) < 0)
			goto done;
		if (!c->json)
			printf("wrote %s\n", beside);
	}
	if (c->json) {
		json_object_del(ans, "data");
		json_object_del(ans, "files");
		json_object_set_new(ans, "file", json_string(out));
		ctl_print_json(ans, NULL);
	} else {
		printf("wrote %s (%s, %s)\n", out, json_string_value(
		    json_object_get(ans, "os")), json_string_value(
		    json_object_get(ans, "method")));
		if (json_string_value(json_object_get(ans, "password")))
			printf("PKCS#12 password: %s\n(shown once: it is not "
			    "kept)\n", json_string_value(json_object_get(ans,
			    "password")));
	}
	rc = CTL_OK;
done:
	if (ans && json_object_get(ans, "password"))
		json_object_del(ans, "password");
	json_decref(ans);
	json_decref(o);
	free(dirc);
	free(full);
	free(path);
	return rc;
}
