/*
 * ctl_certs.c: roadgatectl's certificate commands (API: web/api_certs.c):
 *	ca create [--key-type T] [--years N] [--cn NAME]
 *	ca show [--pem]
 *	ca import --cert FILE --key FILE [--key-password PW]
 *	server-cert issue --name NAME [--name NAME...] [--key-type T]
 *	    [--days N]
 *	server-cert import --cert FILE --key FILE [--key-password PW]
 *	server-cert show [--pem] | list
 *	server-cert names [--name NAME...]   (new names: new certificate)
 *	server-cert use SERIAL               (roll back to a kept one)
 *	cert issue USER [--san-email E | --san-dns D] [--days N] [--key-type T]
 *	cert list | show USER [--pem] | renew USER
 *	cert revoke USER [--reason R]
 *	cert export USER --format p12 [--legacy|--modern] [--password PW]
 *	    --out FILE
 *	cert export USER --format pem --out FILE
 *	crl show [--pem]
 * Exported files are written 0600 (O_EXCL temporary, then renamed); a
 * generated export password is printed once.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "ctl.h"

#define CTL_MAX_PEM	(1 << 20)

/* Options of one command: --name VALUE (repeatable into an array). */
struct opts {
	json_t		*o;		/* option name -> string or array */
	const char	*pos;		/* first positional argument */
	bool		 pem;
};

static int
parse(int argc, char **argv, const char *const *with_value,
    const char *const *flags, struct opts *op)
{
	const char *const	*w;
	json_t			*prev;
	int			 i;

	memset(op, 0, sizeof(*op));
	op->o = json_object();
	for (i = 1; i < argc; i++) {
		if (strncmp(argv[i], "--", 2) != 0) {
			if (op->pos != NULL)
				return ctl_usage_error("unexpected argument "
				    "%s", argv[i]);
			op->pos = argv[i];
			continue;
		}
		for (w = flags; w && *w; w++)
			if (strcmp(argv[i] + 2, *w) == 0)
				break;
		if (w && *w) {
			json_object_set_new(op->o, *w, json_true());
			continue;
		}
		for (w = with_value; w && *w; w++)
			if (strcmp(argv[i] + 2, *w) == 0)
				break;
		if (w == NULL || *w == NULL)
			return ctl_usage_error("unknown option %s", argv[i]);
		if (i + 1 >= argc)
			return ctl_usage_error("%s needs a value", argv[i]);
		if ((prev = json_object_get(op->o, *w)) != NULL) {
			if (!json_is_array(prev)) {
				json_t *a = json_array();

				json_array_append(a, prev);
				json_object_set_new(op->o, *w, a);
				prev = a;
			}
			json_array_append_new(prev, json_string(argv[++i]));
		} else {
			json_object_set_new(op->o, *w, json_string(argv[++i]));
		}
	}
	op->pem = json_is_true(json_object_get(op->o, "pem"));
	return CTL_OK;
}

static const char *
ostr(struct opts *op, const char *k)
{
	return json_string_value(json_object_get(op->o, k));
}

static char *
read_file(const char *what, const char *path)
{
	FILE	*f;
	char	*s;
	size_t	 n;

	if (path == NULL) {
		ctl_usage_error("--%s FILE is required", what);
		return NULL;
	}
	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "roadgatectl: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	if ((s = calloc(1, CTL_MAX_PEM + 1)) == NULL) {
		fclose(f);
		return NULL;
	}
	n = fread(s, 1, CTL_MAX_PEM + 1, f);
	fclose(f);
	if (n > CTL_MAX_PEM) {
		fprintf(stderr, "roadgatectl: %s: too large\n", path);
		free(s);
		return NULL;
	}
	return s;
}

static void
wipe_free(char *s)
{
	if (s) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}

static void
print_pem(json_t *o, const char *unused)
{
	(void)unused;
	fputs(json_string_value(json_object_get(o, "pem")) ?
	    json_string_value(json_object_get(o, "pem")) : "", stdout);
}

static void
print_info(json_t *o, const char *unused)
{
	json_object_del(o, "pem");
	ctl_print_obj(o, unused);
}

/* "names: a b c" and, when a certificate was issued, its serial. */
static void
print_names(json_t *o, const char *unused)
{
	json_t	*v;
	size_t	 i;

	(void)unused;
	printf("names:");
	json_array_foreach(json_object_get(o, "names"), i, v)
		printf(" %s", json_string_value(v) ? json_string_value(v) : "?");
	putchar('\n');
	if (json_is_true(json_object_get(o, "changed")))
		printf("new server certificate %s in use (the old one is kept, "
		    "superseded)\n", json_string_value(json_object_get(o,
		    "serial")) ? json_string_value(json_object_get(o,
		    "serial")) : "?");
	else if (json_is_false(json_object_get(o, "changed")))
		printf("unchanged\n");
}

static int
show(struct ctl *c, const char *path, struct opts *op)
{
	return ctl_call(c, "GET", path, NULL, op->pem && !c->json ? print_pem :
	    c->json ? ctl_print_json : print_info, NULL);
}

/* method path with body (released here); the answer printed as info. */
static int
call_info(struct ctl *c, const char *method, const char *path, json_t *body)
{
	int	 rc;

	rc = ctl_call(c, method, path, body, c->json ? ctl_print_json :
	    print_info, NULL);
	json_decref(body);
	return rc;
}

/* --name given once (a string) or more (an array): a new array. */
static json_t *
names_array(json_t *names)
{
	return json_is_array(names) ? json_incref(names) :
	    json_pack("[O]", names);
}

/* --cert/--key files into the body (import). */
static int
import(struct ctl *c, const char *path, struct opts *op)
{
	char	*cert, *key = NULL;
	json_t	*body;
	int	 rc;

	if ((cert = read_file("cert", ostr(op, "cert"))) == NULL ||
	    (key = read_file("key", ostr(op, "key"))) == NULL) {
		free(cert);
		return CTL_EUSAGE;
	}
	body = json_pack("{s:s, s:s}", "cert", cert, "key", key);
	if (ostr(op, "key-password"))
		json_object_set_new(body, "key_password",
		    json_string(ostr(op, "key-password")));
	rc = call_info(c, "POST", path, body);
	free(cert);
	wipe_free(key);
	return rc;
}

/* "--years 3" -> "years": 3 (the API checks the range). */
static void
num_field(json_t *body, struct opts *op, const char *opt, const char *field)
{
	const char	*v = ostr(op, opt);
	char		*end;
	long		 n;

	if (v == NULL)
		return;
	n = strtol(v, &end, 10);
	if (*v != '\0' && *end == '\0' && n > 0 && n < 1000000)
		json_object_set_new(body, field, json_integer(n));
	else
		json_object_set_new(body, field, json_string(v));
}

static void
str_field(json_t *body, struct opts *op, const char *opt, const char *field)
{
	if (ostr(op, opt))
		json_object_set_new(body, field, json_string(ostr(op, opt)));
}

static int
run_ca(struct ctl *c, int argc, char **argv)
{
	static const char *const vals[] = { "key-type", "years", "cn", "cert",
		"key", "key-password", NULL };
	static const char *const flags[] = { "pem", NULL };
	struct opts	 op;
	json_t		*body;
	int		 rc;

	if ((rc = parse(argc, argv, vals, flags, &op)) != CTL_OK)
		goto out;
	if (op.pos != NULL) {
		rc = ctl_usage_error("unexpected argument %s", op.pos);
	} else if (strcmp(argv[0], "show") == 0) {
		rc = show(c, "/v1/ca", &op);
	} else if (strcmp(argv[0], "create") == 0) {
		body = json_object();
		str_field(body, &op, "key-type", "key_type");
		num_field(body, &op, "years", "years");
		str_field(body, &op, "cn", "cn");
		rc = call_info(c, "POST", "/v1/ca", body);
	} else if (strcmp(argv[0], "import") == 0) {
		rc = import(c, "/v1/ca", &op);
	} else {
		rc = ctl_usage_error("ca create|show|import");
	}
out:
	json_decref(op.o);
	return rc;
}

static int
run_server(struct ctl *c, int argc, char **argv)
{
	static const char *const vals[] = { "name", "key-type", "days",
		"cert", "key", "key-password", "crl-url", NULL };
	static const char *const flags[] = { "pem", NULL };
	struct opts	 op;
	json_t		*body, *names;
	int		 rc;

	if ((rc = parse(argc, argv, vals, flags, &op)) != CTL_OK)
		goto out;
	if (strcmp(argv[0], "use") == 0 && op.pos != NULL) {
		rc = call_info(c, "PUT", "/v1/server-cert/use",
		    json_pack("{s:s}", "serial", op.pos));
	} else if (op.pos != NULL) {
		rc = ctl_usage_error("unexpected argument %s", op.pos);
	} else if (strcmp(argv[0], "show") == 0) {
		rc = show(c, "/v1/server-cert", &op);
	} else if (strcmp(argv[0], "issue") == 0) {
		if ((names = json_object_get(op.o, "name")) == NULL) {
			rc = ctl_usage_error("server-cert issue needs --name "
			    "NAME (each DNS name and IP the clients dial)");
			goto out;
		}
		body = json_object();
		json_object_set_new(body, "names", names_array(names));
		str_field(body, &op, "key-type", "key_type");
		str_field(body, &op, "crl-url", "crl_url");
		num_field(body, &op, "days", "days");
		rc = call_info(c, "POST", "/v1/server-cert", body);
	} else if (strcmp(argv[0], "import") == 0) {
		rc = import(c, "/v1/server-cert", &op);
	} else if (strcmp(argv[0], "list") == 0) {
		rc = ctl_call(c, "GET", "/v1/server-cert/all", NULL, c->json ?
		    ctl_print_json : ctl_print_table,
		    "serial,status,name,not_after,key_type");
	} else if (strcmp(argv[0], "names") == 0) {
		if ((names = json_object_get(op.o, "name")) == NULL) {
			rc = ctl_call(c, "GET", "/v1/server-cert/names", NULL,
			    c->json ? ctl_print_json : print_names, NULL);
			goto out;
		}
		body = json_object();
		json_object_set_new(body, "names", names_array(names));
		rc = ctl_call(c, "PUT", "/v1/server-cert/names", body,
		    c->json ? ctl_print_json : print_names, NULL);
		json_decref(body);
	} else if (strcmp(argv[0], "use") == 0) {
		rc = ctl_usage_error("server-cert use SERIAL");
	} else {
		rc = ctl_usage_error("server-cert issue|import|show|list|names|"
		    "use");
	}
out:
	json_decref(op.o);
	return rc;
}

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
	*len = (size_t)r;
	if (n >= 1 && s[n - 1] == '=')
		(*len)--;
	if (n >= 2 && s[n - 2] == '=')
		(*len)--;
	return b;
}

/* Writes data to path, mode 0600: O_EXCL temporary, then renamed. */
static int
write_secret_file(const char *path, const unsigned char *data, size_t len)
{
	char	 tmp[4096];
	ssize_t	 w;
	size_t	 off = 0;
	int	 fd;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path,
	    (long)getpid()) >= sizeof(tmp))
		return -1;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0600)) < 0)
		return -1;
	while (off < len) {
		if ((w = write(fd, data + off, len - off)) < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			unlink(tmp);
			return -1;
		}
		off += (size_t)w;
	}
	if (fsync(fd) < 0 || close(fd) < 0 || rename(tmp, path) < 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

static int
cert_export(struct ctl *c, const char *user, struct opts *op)
{
	const char	*fmt = ostr(op, "format"), *out = ostr(op, "out");
	json_t		*body, *ans = NULL, *data;
	unsigned char	*bytes = NULL;
	char		*path;
	size_t		 len = 0;
	int		 status, rc = CTL_EAPI;

	if (fmt == NULL)
		fmt = "p12";
	if (out == NULL)
		return ctl_usage_error("cert export needs --out FILE");
	if (json_is_true(json_object_get(op->o, "legacy")) &&
	    json_is_true(json_object_get(op->o, "modern")))
		return ctl_usage_error("--legacy or --modern, not both");
	body = json_pack("{s:s, s:b}", "format", fmt, "legacy",
	    !json_is_true(json_object_get(op->o, "modern")));
	str_field(body, op, "password", "password");
	path = ctl_path("cert-export", user);
	if (path == NULL || ctl_http(c, "PUT", path, body, &status, &ans) < 0)
		goto out;
	if (status < 200 || status > 299) {
		fprintf(stderr, "roadgatectl: %s", json_string_value(
		    json_object_get(ans, "error")) ? json_string_value(
		    json_object_get(ans, "error")) : "export refused");
		if (json_string_value(json_object_get(ans, "field")))
			fprintf(stderr, " (field: %s)", json_string_value(
			    json_object_get(ans, "field")));
		fputc('\n', stderr);
		goto out;
	}
	data = json_object_get(ans, "data");
	if (!json_is_string(data) ||
	    (bytes = unbase64(json_string_value(data), &len)) == NULL) {
		fprintf(stderr, "roadgatectl: bad export data from the API\n");
		goto out;
	}
	if (write_secret_file(out, bytes, len) < 0) {
		fprintf(stderr, "roadgatectl: %s: %s\n", out, strerror(errno));
		goto out;
	}
	if (c->json) {
		json_object_del(ans, "data");
		json_object_set_new(ans, "file", json_string(out));
		ctl_print_json(ans, NULL);
	} else {
		printf("wrote %s (%s%s)\n", out, fmt,
		    strcmp(fmt, "p12") == 0 ? json_is_false(json_object_get(
		    ans, "legacy")) ? ", modern AES-256" :
		    ", legacy 3DES/SHA1" : "");
		if (json_string_value(json_object_get(ans, "password")))
			printf("password: %s\n(shown once: it is not kept)\n",
			    json_string_value(json_object_get(ans,
			    "password")));
	}
	rc = CTL_OK;
out:
	if (bytes) {
		OPENSSL_cleanse(bytes, len);
		free(bytes);
	}
	if (ans && json_object_get(ans, "password"))
		json_object_del(ans, "password");
	json_decref(ans);
	json_decref(body);
	free(path);
	return rc;
}

static int
run_cert(struct ctl *c, int argc, char **argv)
{
	static const char *const vals[] = { "san-email", "san-dns", "days",
		"key-type", "reason", "format", "password", "out", "crl-url",
		NULL };
	static const char *const flags[] = { "pem", "legacy", "modern", NULL };
	struct opts	 op;
	json_t		*body;
	char		*path = NULL, *p2 = NULL;
	const char	*v = argv[0];
	int		 rc;

	if ((rc = parse(argc, argv, vals, flags, &op)) != CTL_OK)
		goto out;
	if (strcmp(v, "list") == 0) {
		rc = op.pos ? ctl_usage_error("cert list takes no argument") :
		    ctl_call(c, "GET", "/v1/certs", NULL, c->json ?
		    ctl_print_json : ctl_print_table,
		    "user,status,serial,not_after,key_type");
		goto out;
	}
	if (op.pos == NULL) {
		rc = ctl_usage_error("cert %s USER", v);
		goto out;
	}
	if ((path = ctl_path("certs", op.pos)) == NULL ||
	    (p2 = malloc(strlen(path) + 16)) == NULL) {
		rc = CTL_EAPI;
		goto out;
	}
	if (strcmp(v, "issue") == 0) {
		body = json_pack("{s:s}", "user", op.pos);
		str_field(body, &op, "san-email", "san_email");
		str_field(body, &op, "san-dns", "san_dns");
		str_field(body, &op, "key-type", "key_type");
		str_field(body, &op, "crl-url", "crl_url");
		num_field(body, &op, "days", "days");
		rc = call_info(c, "POST", "/v1/certs", body);
	} else if (strcmp(v, "show") == 0) {
		rc = show(c, path, &op);
	} else if (strcmp(v, "renew") == 0 || strcmp(v, "revoke") == 0) {
		sprintf(p2, "%s/%s", path, v);
		body = json_object();
		str_field(body, &op, "reason", "reason");
		str_field(body, &op, "key-type", "key_type");
		num_field(body, &op, "days", "days");
		rc = call_info(c, "PUT", p2, body);
	} else if (strcmp(v, "export") == 0) {
		rc = cert_export(c, op.pos, &op);
	} else {
		rc = ctl_usage_error("cert issue|list|show|renew|revoke|"
		    "export");
	}
out:
	free(path);
	free(p2);
	json_decref(op.o);
	return rc;
}

static int
run_crl(struct ctl *c, int argc, char **argv)
{
	static const char *const flags[] = { "pem", NULL };
	struct opts	 op;
	int		 rc;

	if ((rc = parse(argc, argv, NULL, flags, &op)) == CTL_OK)
		rc = strcmp(argv[0], "show") == 0 && op.pos == NULL ?
		    show(c, "/v1/crl", &op) : ctl_usage_error("crl show "
		    "[--pem]");
	json_decref(op.o);
	return rc;
}

int
ctl_certs(struct ctl *c, const struct ctl_resource *r, int argc, char **argv)
{
	if (argc < 1)
		return ctl_usage_error("%s: a command is required", r->name);
	if (strcmp(r->name, "ca") == 0)
		return run_ca(c, argc, argv);
	if (strcmp(r->name, "server-cert") == 0)
		return run_server(c, argc, argv);
	if (strcmp(r->name, "crl") == 0)
		return run_crl(c, argc, argv);
	return run_cert(c, argc, argv);
}
