/*
 * rg_log.c: topic/level logging to stderr and syslog.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>

#include "rg_log.h"

static const char *topic_names[] = {
#define X(id, name)	name,
	RG_LOG_TOPIC_LIST(X)
#undef X
};

static const char *level_names[] = {
#define X(id, name)	name,
	RG_LOG_LEVEL_LIST(X)
#undef X
};

static const int level_syslog[] = {
	LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG
};

static struct {
	bool		 to_stderr;
	bool		 to_syslog;
	enum rg_level	 level[RG_T__COUNT];
	void		(*hook)(enum rg_topic, enum rg_level, const char *, void *);
	void		*hook_arg;
} lg = {
	.to_stderr = true,
	.level = {
		RG_L_INFO, RG_L_INFO, RG_L_INFO, RG_L_INFO, RG_L_INFO,
		RG_L_INFO, RG_L_INFO, RG_L_INFO, RG_L_INFO, RG_L_INFO
	},
};

_Static_assert(sizeof(lg.level) / sizeof(lg.level[0]) == RG_T__COUNT,
    "one default level per topic");

const char *
rg_topic_name(enum rg_topic t)
{
	return t < RG_T__COUNT ? topic_names[t] : "?";
}

const char *
rg_level_name(enum rg_level l)
{
	return l < RG_L__COUNT ? level_names[l] : "?";
}

int
rg_topic_parse(const char *s, enum rg_topic *t)
{
	int	 i;

	if (strcasecmp(s, "all") == 0) {
		*t = RG_T__COUNT;
		return 0;
	}
	for (i = 0; i < RG_T__COUNT; i++)
		if (strcasecmp(s, topic_names[i]) == 0) {
			*t = (enum rg_topic)i;
			return 0;
		}
	return -1;
}

int
rg_level_parse(const char *s, enum rg_level *l)
{
	int	 i;

	for (i = 0; i < RG_L__COUNT; i++)
		if (strcasecmp(s, level_names[i]) == 0) {
			*l = (enum rg_level)i;
			return 0;
		}
	return -1;
}

void
rg_log_open(bool to_stderr, bool to_syslog, enum rg_level deflevel)
{
	int	 i;

	lg.to_stderr = to_stderr;
	lg.to_syslog = to_syslog;
	for (i = 0; i < RG_T__COUNT; i++)
		lg.level[i] = deflevel;
	if (to_syslog)
		openlog("roadgated", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
rg_log_set_level(enum rg_topic t, enum rg_level l)
{
	int	 i;

	if (t == RG_T__COUNT) {
		for (i = 0; i < RG_T__COUNT; i++)
			lg.level[i] = l;
		return;
	}
	if (t < RG_T__COUNT)
		lg.level[t] = l;
}

enum rg_level
rg_log_get_level(enum rg_topic t)
{
	return t < RG_T__COUNT ? lg.level[t] : RG_L_INFO;
}

bool
rg_log_enabled(enum rg_topic t, enum rg_level l)
{
	return t < RG_T__COUNT && l <= lg.level[t];
}

void
rg_log_set_hook(void (*hook)(enum rg_topic, enum rg_level, const char *, void *),
    void *arg)
{
	lg.hook = hook;
	lg.hook_arg = arg;
}

void
rg_vlog(enum rg_topic t, enum rg_level l, const char *fmt, va_list ap)
{
	char		 msg[2048];
	struct timespec	 ts;
	struct tm	 tm;

	if (!rg_log_enabled(t, l))
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (lg.hook)
		lg.hook(t, l, msg, lg.hook_arg);
	if (lg.to_stderr) {
		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		fprintf(stderr, "%02d:%02d:%02d.%03ld %s %s %s\n",
		    tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000,
		    topic_names[t], level_names[l], msg);
	}
	if (lg.to_syslog)
		syslog(level_syslog[l], "%s %s %s", topic_names[t],
		    level_names[l], msg);
}

void
rg_log(enum rg_topic t, enum rg_level l, const char *fmt, ...)
{
	va_list	 ap;

	if (!rg_log_enabled(t, l))
		return;
	va_start(ap, fmt);
	rg_vlog(t, l, fmt, ap);
	va_end(ap);
}

const char *
rg_sa_str(const struct sockaddr *sa, char *out, size_t outlen)
{
	char	 a[INET6_ADDRSTRLEN];

	if (sa == NULL) {
		snprintf(out, outlen, "-");
	} else if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)sa;

		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		snprintf(out, outlen, "%s:%u", a, ntohs(s4->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)sa;

		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		snprintf(out, outlen, "[%s]:%u", a, ntohs(s6->sin6_port));
	} else {
		snprintf(out, outlen, "af%d", sa->sa_family);
	}
	return out;
}

void
rg_log_peer(enum rg_topic t, enum rg_level l, const struct sockaddr *peer,
    uint64_t spi_i, uint64_t spi_r, const char *fmt, ...)
{
	char	 msg[1800], addr[80];
	va_list	 ap;

	if (!rg_log_enabled(t, l))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rg_log(t, l, "%s SPI %016llx/%016llx: %s",
	    rg_sa_str(peer, addr, sizeof(addr)),
	    (unsigned long long)spi_i, (unsigned long long)spi_r, msg);
}
