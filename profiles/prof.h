/*
 * prof.h: per-OS client profiles (issue 16).  One plain struct says what
 * the running server offers (prof_build.c fills it from the configuration
 * snapshot and the store); one generator per OS turns it into a file, as
 * wg-quick keeps one script per OS:
 *	prof_apple.c	.mobileconfig (iOS, macOS)
 *	prof_windows.c	PowerShell (Add-VpnConnection and friends)
 *	prof_android.c	strongSwan app .sswan (JSON)
 *	prof_linux.c	NetworkManager keyfile and swanctl.conf
 * The generators are pure: no store, no clock, no I/O; only RAND for the
 * UUIDs.  Keys and values: ../shared/CLIENTS.md section 4.
 */
#ifndef RG_PROF_H
#define RG_PROF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum prof_os {
	PROF_IOS,
	PROF_MACOS,
	PROF_WINDOWS,
	PROF_ANDROID,
	PROF_LINUX_NM,
	PROF_SWANCTL,
};

enum prof_method {
	PROF_EAP,	/* EAP-MSCHAPv2 user/password, server cert */
	PROF_CERT,	/* client certificate (PKCS#12), server cert */
	PROF_L2TP,	/* refused until the L2TP server exists */
	PROF_IKEV1,	/* refused until the IKEv1 responder exists */
};

/* "ios" -> PROF_IOS; -1 when unknown.  Likewise for methods. */
int		 prof_os_parse(const char *);
int		 prof_method_parse(const char *);
const char	*prof_os_name(enum prof_os);
const char	*prof_method_name(enum prof_method);

/*
 * One algorithm choice in strongSwan's words, every part taken from one
 * proposal of the server's active set (the server matches proposal by
 * proposal): enc "aes256gcm16", integ NULL for AEAD else "sha256", prf
 * "prfsha384" (IKE only), dh "ecp384" (IKE only).
 */
struct prof_alg {
	const char	*enc;
	const char	*integ;
	const char	*prf;
	const char	*dh;
};

/* What the running server offers, for one user and one method. */
struct prof_server {
	const char	*name;		/* connection name shown */
	const char	*address;	/* what clients dial */
	const char	*server_id;	/* IDr the server sends */
	const char	*user;
	enum prof_method method;

	/* The active proposal set, strongSwan proposal strings. */
	const char *const *ike;
	size_t		 nike;
	const char *const *esp;
	size_t		 nesp;
	uint32_t	 ike_lifetime_s;
	uint32_t	 child_lifetime_s;
	uint32_t	 dpd_interval_s;

	/* The user's access profile. */
	const char *const *split;	/* "10.0.0.0/24"; none: full tunnel */
	size_t		 nsplit;
	const char *const *dns;
	size_t		 ndns;
	const char *const *domains;
	size_t		 ndomains;
	uint16_t	 mtu;

	const char	*ca_pem;	/* CA certificate (+ intermediates) */
	const char	*ca_cn;		/* its CN (Apple CERTREQ) */

	/* PROF_CERT: the user's certificate and key. */
	const unsigned char *p12;	/* PKCS#12 DER */
	size_t		 p12_len;
	const char	*p12_password;
	const char	*user_pem;	/* certificate + key, PEM (Linux) */
	const char	*user_id;	/* the certificate's identity */
	enum prof_key {
		PROF_KEY_RSA,
		PROF_KEY_P256,
		PROF_KEY_P384,
		PROF_KEY_P521,
	}		 user_key;	/* its key (Apple CertificateType) */
};

/* A file beside the profile (CA, PKCS#12) that the profile refers to. */
struct prof_file {
	char		*name;		/* "roadgate-ca.pem" */
	unsigned char	*data;
	size_t		 len;
	bool		 secret;	/* holds a key or password: 0600 */
};

#define PROF_MAX_FILES	2

struct prof_out {
	char		*data;		/* the profile, NUL ended */
	size_t		 len;
	const char	*content_type;
	const char	*ext;		/* "mobileconfig" */
	bool		 secret;	/* holds a key or a password */
	struct prof_file files[PROF_MAX_FILES];
	size_t		 nfiles;
};

/*
 * Build the profile for os.  0, or -1 with field and why set (why points
 * to static text): the method is not available on that OS, or the
 * server offers nothing the OS can use ("proposals").
 */
int	prof_generate(enum prof_os, const struct prof_server *,
	    struct prof_out *, const char **field, const char **why);
/* Frees (and wipes) out. */
void	prof_out_clear(struct prof_out *);

/* ---- shared by the generators (prof.c) ---- */

/* A growing NUL-terminated string; on allocation failure it sets oom. */
struct prof_buf {
	char		*s;
	size_t		 len, cap;
	bool		 oom;
};
void	pb_printf(struct prof_buf *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	pb_puts(struct prof_buf *, const char *);
/* s escaped for XML text, JSON strings, PowerShell single quotes. */
void	pb_xml(struct prof_buf *, const char *);
void	pb_json(struct prof_buf *, const char *);
void	pb_ps(struct prof_buf *, const char *);
/* Base64 of data, lines of width (0: one line), each prefixed by indent. */
void	pb_base64(struct prof_buf *, const unsigned char *, size_t,
	    size_t width, const char *indent);
/* The DER of the first certificate of pem (malloc'd); NULL on error. */
unsigned char *prof_pem_der(const char *pem, size_t *len);
/* A random (version 4) UUID, upper case as Apple writes them. */
void	prof_uuid(char out[37]);
/* Moves b into out (data, len); -1 when b ran out of memory. */
int	prof_take(struct prof_buf *, struct prof_out *);
/* Adds a companion file (copies data). */
int	prof_add_file(struct prof_out *, const char *name,
	    const void *data, size_t len, bool secret);

/*
 * Capabilities of one client: the algorithms it can propose, each list
 * best first in strongSwan's words.  prof_pick() walks the server's
 * proposals and keeps the best combination of one proposal that the
 * client supports; -1 when none fits.
 */
struct prof_caps {
	const char *const *enc;		/* ciphers, best first */
	const char *const *integ;
	const char *const *prf;		/* NULL: integ's hash */
	const char *const *dh;
};
int	prof_pick(const char *const *props, size_t n, bool esp,
	    const struct prof_caps *, struct prof_alg *);
/* "aes256gcm16-prfsha384-ecp384" (IKE) or "aes256gcm16" (ESP). */
void	prof_alg_str(const struct prof_alg *, bool esp, char *, size_t);
bool	prof_aead(const char *enc);
/* strongSwan clients: the Android app, charon-nm, swanctl. */
extern const struct prof_caps prof_strongswan_caps;

/* Generators (one file each). */
int	prof_apple(const struct prof_server *, enum prof_os,
	    struct prof_out *, const char **why);
int	prof_windows(const struct prof_server *, struct prof_out *,
	    const char **why);
int	prof_android(const struct prof_server *, struct prof_out *,
	    const char **why);
int	prof_linux_nm(const struct prof_server *, struct prof_out *,
	    const char **why);
int	prof_swanctl(const struct prof_server *, struct prof_out *,
	    const char **why);

#endif /* RG_PROF_H */
