/*
 * cert-tool: a small command-line driver of the certs/ library, so that
 * tests/integration/cert_openssl.sh can let the openssl CLI judge what the
 * library produces.  Test-only; not installed.
 *
 *   cert-tool ca-create DIR KEYTYPE YEARS       -> DIR/ca.pem DIR/ca.key
 *   cert-tool ca-import CERT KEY [PASS]         -> "ok SERIAL"
 *   cert-tool leaf-import CERT KEY [PASS]       -> "ok SERIAL"
 *   cert-tool server DIR KEYTYPE CRLURL|- NAME.. -> DIR/server.pem .key
 *   cert-tool client DIR USER EMAIL|- KEYTYPE   -> DIR/USER.pem .key
 *   cert-tool crl DIR NUMBER [SERIAL:REASON..]  -> DIR/crl.pem
 *   cert-tool p12 DIR USER legacy|modern PASS   -> DIR/USER.p12
 *   cert-tool pem DIR USER                      -> DIR/USER.bundle.pem
 *   cert-tool encrypt-key IN PASS / decrypt-key IN PASS -> stdout
 *   cert-tool genpass                           -> stdout
 *   cert-tool expire CERT KEY OUT  (self-signed copy, notAfter yesterday)
 * Errors print "error FIELD: WHY" and exit 2.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/x509v3.h>

#include "certs/cert.h"

static int
fail(const struct cert_err *e)
{
	printf("error %s: %s\n", e->field, e->why);
	return 2;
}

static char *
slurp(const char *path)
{
	FILE	*f = fopen(path, "r");
	char	*s;
	long	 n;

	if (f == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		exit(1);
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	if (n < 0 || (s = calloc(1, (size_t)n + 1)) == NULL ||
	    fread(s, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "%s: read error\n", path);
		exit(1);
	}
	fclose(f);
	return s;
}

static void
spit(const char *dir, const char *name, const void *data, size_t len)
{
	char	 path[4096];
	int	 fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		exit(1);
	}
	close(fd);
}

static char *
dslurp(const char *dir, const char *name)
{
	char	 path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return slurp(path);
}

static int
load_ca(struct cert_ca *ca, const char *dir, struct cert_err *e)
{
	char	*c = dslurp(dir, "ca.pem"), *k = dslurp(dir, "ca.key");
	int	 rc;

	rc = cert_ca_load(ca, c, k, NULL, NULL, e);
	free(c);
	cert_str_free(k);
	return rc;
}

static void
save_pair(const char *dir, const char *base, const struct cert_pair *p)
{
	char	 name[256];

	snprintf(name, sizeof(name), "%s.pem", base);
	spit(dir, name, p->cert_pem, strlen(p->cert_pem));
	snprintf(name, sizeof(name), "%s.key", base);
	spit(dir, name, p->key_pem, strlen(p->key_pem));
	printf("ok %s\n", p->serial);
}

static int
cmd_import(int argc, char **argv, bool ca)
{
	struct cert_pair	 p;
	struct cert_err		 e;
	char			*c, *k;
	int			 rc;

	if (argc < 4)
		return 1;
	c = slurp(argv[2]);
	k = slurp(argv[3]);
	rc = ca ? cert_ca_import(c, k, argc > 4 ? argv[4] : NULL, NULL, &p, &e) :
	    cert_leaf_import(c, k, argc > 4 ? argv[4] : NULL, &p, &e);
	free(c);
	cert_str_free(k);
	if (rc == -1)
		return fail(&e);
	printf("ok %s\n", p.serial);
	cert_pair_clear(&p);
	return 0;
}

static int
cmd_issue(int argc, char **argv)
{
	struct cert_server_params	 sp;
	struct cert_client_params	 cp;
	struct cert_pair		 p;
	struct cert_ca			 ca;
	struct cert_keyspec		 ks;
	struct cert_err			 e;
	bool				 server = strcmp(argv[1], "server") == 0;
	int				 rc;

	if (argc < (server ? 6 : 6))
		return 1;
	if (cert_keyspec_parse(argv[server ? 3 : 5], &ks, &e) == -1 ||
	    load_ca(&ca, argv[2], &e) == -1)
		return fail(&e);
	if (server) {
		memset(&sp, 0, sizeof(sp));
		sp.key = ks;
		sp.crl_url = strcmp(argv[4], "-") ? argv[4] : NULL;
		sp.names = (const char *const *)argv + 5;
		sp.nnames = (size_t)(argc - 5);
		rc = cert_server_issue(&ca, &sp, &p, &e);
	} else {
		memset(&cp, 0, sizeof(cp));
		cp.key = ks;
		cp.user = argv[3];
		cp.san_email = strcmp(argv[4], "-") ? argv[4] : NULL;
		rc = cert_client_issue(&ca, &cp, &p, &e);
	}
	cert_ca_clear(&ca);
	if (rc == -1)
		return fail(&e);
	save_pair(argv[2], server ? "server" : argv[3], &p);
	cert_pair_clear(&p);
	return 0;
}

static int
cmd_crl(int argc, char **argv)
{
	struct cert_revoked	 r[32];
	struct cert_ca		 ca;
	struct cert_err		 e;
	char			*pem, *colon;
	size_t			 n = 0;
	int			 i;

	if (argc < 4 || argc - 4 > 32)
		return 1;
	if (load_ca(&ca, argv[2], &e) == -1)
		return fail(&e);
	for (i = 4; i < argc; i++, n++) {
		r[n].serial = argv[i];
		r[n].when = time(NULL);
		r[n].reason = CRL_REASON_UNSPECIFIED;
		if ((colon = strchr(argv[i], ':')) != NULL) {
			*colon = '\0';
			if (cert_reason_parse(colon + 1, &r[n].reason, &e) == -1)
				return fail(&e);
		}
	}
	i = cert_crl_build(&ca, r, n, strtoull(argv[3], NULL, 10), 0, &pem,
	    &e);
	cert_ca_clear(&ca);
	if (i == -1)
		return fail(&e);
	spit(argv[2], "crl.pem", pem, strlen(pem));
	free(pem);
	printf("ok\n");
	return 0;
}

static int
cmd_export(int argc, char **argv)
{
	struct cert_err	 e;
	unsigned char	*der;
	size_t		 len;
	char		 name[256], *c, *k, *ca, *pem;
	int		 rc = 0;

	if (argc < (strcmp(argv[1], "p12") == 0 ? 6 : 4))
		return 1;
	snprintf(name, sizeof(name), "%s.pem", argv[3]);
	c = dslurp(argv[2], name);
	snprintf(name, sizeof(name), "%s.key", argv[3]);
	k = dslurp(argv[2], name);
	ca = dslurp(argv[2], "ca.pem");
	if (strcmp(argv[1], "p12") == 0) {
		if (cert_p12_export(c, k, ca, argv[3], argv[5],
		    strcmp(argv[4], "modern") == 0 ? CERT_P12_MODERN :
		    CERT_P12_LEGACY, &der, &len, &e) == -1) {
			rc = fail(&e);
		} else {
			snprintf(name, sizeof(name), "%s.p12", argv[3]);
			spit(argv[2], name, der, len);
			OPENSSL_free(der);
			printf("ok\n");
		}
	} else {
		pem = cert_pem_export(c, k, ca);
		snprintf(name, sizeof(name), "%s.bundle.pem", argv[3]);
		spit(argv[2], name, pem, strlen(pem));
		cert_str_free(pem);
		printf("ok\n");
	}
	free(c);
	cert_str_free(k);
	free(ca);
	return rc;
}

static int
cmd_expire(char **argv)
{
	struct cert_err	 e;
	EVP_PKEY	*k;
	X509		*x;
	char		*c, *kp, *pem;

	c = slurp(argv[2]);
	kp = slurp(argv[3]);
	if ((x = cert_x509_load(c, "cert", &e)) == NULL ||
	    (k = cert_key_load(kp, NULL, "key", &e)) == NULL)
		return fail(&e);
	X509_gmtime_adj(X509_getm_notBefore(x), -3 * 86400);
	X509_gmtime_adj(X509_getm_notAfter(x), -86400);
	if (cert_x509_sign(x, k, &e) == -1)
		return fail(&e);
	pem = cert_x509_to_pem(x);
	spit(".", argv[4], pem, strlen(pem));
	free(pem);
	free(c);
	cert_str_free(kp);
	X509_free(x);
	EVP_PKEY_free(k);
	return 0;
}

int
main(int argc, char **argv)
{
	struct cert_ca_params	 cp;
	struct cert_pair	 p;
	struct cert_err		 e;
	char			*in, *out;

	if (argc < 2)
		goto usage;
	if (strcmp(argv[1], "ca-create") == 0 && argc == 5) {
		memset(&cp, 0, sizeof(cp));
		cp.years = atoi(argv[4]);
		cp.cn = "cert-tool CA";
		if (cert_keyspec_parse(argv[3], &cp.key, &e) == -1 ||
		    cert_ca_create(&cp, &p, &e) == -1)
			return fail(&e);
		save_pair(argv[2], "ca", &p);
		cert_pair_clear(&p);
		return 0;
	}
	if (strcmp(argv[1], "ca-import") == 0)
		return cmd_import(argc, argv, true);
	if (strcmp(argv[1], "leaf-import") == 0)
		return cmd_import(argc, argv, false);
	if (strcmp(argv[1], "server") == 0 || strcmp(argv[1], "client") == 0)
		return cmd_issue(argc, argv);
	if (strcmp(argv[1], "crl") == 0)
		return cmd_crl(argc, argv);
	if (strcmp(argv[1], "p12") == 0 || strcmp(argv[1], "pem") == 0)
		return cmd_export(argc, argv);
	if ((strcmp(argv[1], "encrypt-key") == 0 ||
	    strcmp(argv[1], "decrypt-key") == 0) && argc == 4) {
		in = slurp(argv[2]);
		out = argv[1][0] == 'e' ? cert_key_encrypt_pem(in, argv[3], &e) :
		    cert_key_decrypt_pem(in, argv[3], &e);
		cert_str_free(in);
		if (out == NULL)
			return fail(&e);
		fputs(out, stdout);
		cert_str_free(out);
		return 0;
	}
	if (strcmp(argv[1], "expire") == 0 && argc == 5)
		return cmd_expire(argv);
	if (strcmp(argv[1], "genpass") == 0) {
		out = cert_password_generate(CERT_PASSWORD_LEN);
		printf("%s\n", out);
		cert_str_free(out);
		return 0;
	}
usage:
	fprintf(stderr, "usage: see the comment at the top of cert-tool.c\n");
	return 1;
}
