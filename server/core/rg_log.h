/*
 * rg_log: admin-facing logging by topic and level, to stderr and/or syslog.
 * Each topic has its own threshold, changeable at run time
 * (`roadgatectl log level ike debug`).  Context helpers put the peer
 * address and SPIs in front of the message so no caller forgets them.
 */
#ifndef RG_LOG_H
#define RG_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#define RG_LOG_TOPIC_LIST(X)	\
	X(CORE,   "core")	\
	X(IKE,    "ike")	\
	X(ESP,    "esp")	\
	X(L2TP,   "l2tp")	\
	X(PPP,    "ppp")	\
	X(RADIUS, "radius")	\
	X(WEB,    "web")	\
	X(POOL,   "pool")	\
	X(CERT,   "cert")	\
	X(STORE,  "store")

enum rg_topic {
#define X(id, name)	RG_T_##id,
	RG_LOG_TOPIC_LIST(X)
#undef X
	RG_T__COUNT
};

#define RG_LOG_LEVEL_LIST(X)	\
	X(ERROR,  "error")	\
	X(WARN,   "warn")	\
	X(NOTICE, "notice")	\
	X(INFO,   "info")	\
	X(DEBUG,  "debug")

enum rg_level {
#define X(id, name)	RG_L_##id,
	RG_LOG_LEVEL_LIST(X)
#undef X
	RG_L__COUNT
};

const char	*rg_topic_name(enum rg_topic);
const char	*rg_level_name(enum rg_level);
int		 rg_topic_parse(const char *, enum rg_topic *);	/* "all" -> RG_T__COUNT */
int		 rg_level_parse(const char *, enum rg_level *);

void	rg_log_open(bool to_stderr, bool to_syslog, enum rg_level deflevel);
void	rg_log_set_level(enum rg_topic, enum rg_level);	/* RG_T__COUNT: all */
enum rg_level	rg_log_get_level(enum rg_topic);
bool	rg_log_enabled(enum rg_topic, enum rg_level);

void	rg_log(enum rg_topic, enum rg_level, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
void	rg_vlog(enum rg_topic, enum rg_level, const char *fmt, va_list)
	    __attribute__((format(printf, 3, 0)));
/* "203.0.113.7:4500 SPI 8c1f0e2a9b3d4c5e/0000000000000000: ..." */
void	rg_log_peer(enum rg_topic, enum rg_level, const struct sockaddr *peer,
	    uint64_t spi_i, uint64_t spi_r, const char *fmt, ...)
	    __attribute__((format(printf, 6, 7)));

/* Format an address "a.b.c.d:port" or "[v6]:port" into out (>= 64 bytes). */
const char	*rg_sa_str(const struct sockaddr *, char *out, size_t outlen);

/* Collected in tests: a hook that sees every emitted line. */
void	rg_log_set_hook(void (*)(enum rg_topic, enum rg_level, const char *, void *),
	    void *arg);

#define rg_err(t, ...)		rg_log(RG_T_##t, RG_L_ERROR, __VA_ARGS__)
#define rg_warn(t, ...)		rg_log(RG_T_##t, RG_L_WARN, __VA_ARGS__)
#define rg_notice(t, ...)	rg_log(RG_T_##t, RG_L_NOTICE, __VA_ARGS__)
#define rg_info(t, ...)		rg_log(RG_T_##t, RG_L_INFO, __VA_ARGS__)
#define rg_debug(t, ...)	do {					\
	if (rg_log_enabled(RG_T_##t, RG_L_DEBUG))			\
		rg_log(RG_T_##t, RG_L_DEBUG, __VA_ARGS__);		\
} while (0)

#endif
