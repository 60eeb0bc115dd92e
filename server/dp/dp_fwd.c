/*
 * dp_fwd.c: forwarding helpers the admin may turn on (settings
 * `forwarding`, `masquerade`, `proxy_arp`; all off by default, and off
 * means we touch nothing):
 *  - IP forwarding: net.ipv4.ip_forward and net.ipv6.conf.all.forwarding
 *    through /proc/sys; set to 1 only if they were not, and put back to
 *    what they were when turned off or on shutdown.
 *  - Masquerade: an nftables table of our own, `inet roadgate`, with the
 *    routed client prefixes in sets pool4/pool6 and a srcnat chain that
 *    masquerades them out of one interface ("auto": the interface of the
 *    IPv4 default route at apply time).  Written with `nft -f -` (no
 *    libnftables here); leases change it by add/delete element; the
 *    table is deleted on shutdown.
 *  - Proxy ARP/NDP: a neighbour proxy entry (NTF_PROXY, rtnetlink through
 *    libnl-route) on the LAN interface for each routed host address, so
 *    LAN hosts on the pool's subnet reach clients; IPv6 also needs
 *    net.ipv6.conf.IF.proxy_ndp, set and restored like forwarding.  The
 *    kernel answers for them only while forwarding is on.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <linux/neighbour.h>
#include <netlink/netlink.h>
#include <netlink/route/neighbour.h>

#include "dp_fwd.h"
#include "dp_nl.h"
#include "rg_log.h"

extern char	**environ;

/* A sysctl we may have changed: old value, -1 when we did not. */
struct fwd_sysctl {
	char	 path[96];
	int	 old;
};

struct dp_fwd {
	struct rg_prefix	*routes;	/* every route dp holds */
	size_t			 nroutes, cap;

	bool			 fwd_on;
	struct fwd_sysctl	 fwd4, fwd6;

	char			 masq[IFNAMSIZ];	/* "" = off */

	char			 parp[IFNAMSIZ];	/* "" = off */
	int			 parp_ifindex;
	struct fwd_sysctl	 ndp;
	struct nl_sock		*nl;
};

bool
dp_fwd_ifname_ok(const char *s)
{
	size_t	 i;

	if (s == NULL || s[0] == '\0' || strlen(s) >= IFNAMSIZ ||
	    strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (i = 0; s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '.' || s[i] == '_' || s[i] == '-'))
			return false;
	return true;
}

static const char *
pfx_str(const struct rg_prefix *p, char *buf, size_t len)
{
	char	 a[INET6_ADDRSTRLEN];

	if (inet_ntop(p->af, p->addr, a, sizeof(a)) == NULL)
		snprintf(a, sizeof(a), "?");
	snprintf(buf, len, "%s/%u", a, p->plen);
	return buf;
}

int
dp_fwd_nft_script(char *buf, size_t len, const char *oif,
    const struct rg_prefix *p, size_t n)
{
	size_t	 off = 0, i;
	int	 af, w, any;
	char	 s[INET6_ADDRSTRLEN + 8];

#define PUT(...) do {							\
	w = snprintf(buf + off, len - off, __VA_ARGS__);		\
	if (w < 0 || (size_t)w >= len - off)				\
		return -1;						\
	off += (size_t)w;						\
} while (0)
	if (len == 0 || !dp_fwd_ifname_ok(oif))
		return -1;
	/* "table" then "delete table": recreate it whatever was there. */
	PUT("table inet roadgate\ndelete table inet roadgate\n"
	    "table inet roadgate {\n");
	for (af = 0; af < 2; af++) {
		PUT("\tset pool%c {\n\t\ttype %s; flags interval;\n",
		    af ? '6' : '4', af ? "ipv6_addr" : "ipv4_addr");
		for (i = 0, any = 0; i < n; i++) {
			if (p[i].af != (af ? AF_INET6 : AF_INET))
				continue;
			PUT("%s%s", any ? ", " : "\t\telements = { ",
			    pfx_str(&p[i], s, sizeof(s)));
			any = 1;
		}
		if (any)
			PUT(" }\n");
		PUT("\t}\n");
	}
	PUT("\tchain postrouting {\n"
	    "\t\ttype nat hook postrouting priority srcnat; policy accept;\n"
	    "\t\toifname \"%s\" ip saddr @pool4 masquerade\n"
	    "\t\toifname \"%s\" ip6 saddr @pool6 masquerade\n"
	    "\t}\n}\n", oif, oif);
#undef PUT
	return (int)off;
}

/* Run `nft -f -` with script on its stdin.  0 or -1. */
static int
nft_run(const char *script, size_t len)
{
	static const char	*const paths[] = { "/usr/sbin/nft",
	    "/sbin/nft", "/usr/local/sbin/nft", "nft" };
	posix_spawn_file_actions_t	 fa;
	posix_spawnattr_t	 at;
	sigset_t		 none, def;
	char			*argv[] = { "nft", "-f", "-", NULL };
	pid_t			 pid = -1;
	size_t			 i, off = 0;
	ssize_t			 w;
	int			 pfd[2], st, rc = -1;

	if (pipe2(pfd, O_CLOEXEC) == -1)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pfd[0], STDIN_FILENO);
	/* the loop thread blocks the signals it takes by signalfd, and the
	 * daemon ignores SIGPIPE: nft gets neither */
	sigemptyset(&none);
	sigemptyset(&def);
	sigaddset(&def, SIGPIPE);
	posix_spawnattr_init(&at);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &def);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK |
	    POSIX_SPAWN_SETSIGDEF);
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		if (paths[i][0] == '/' && access(paths[i], X_OK) != 0)
			continue;
		if (posix_spawnp(&pid, paths[i], &fa, &at, argv,
		    environ) == 0)
			break;
		pid = -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close(pfd[0]);
	if (pid == -1) {
		rg_err(CORE, "forwarding: cannot run nft");
		close(pfd[1]);
		return -1;
	}
	while (off < len) {
		w = write(pfd[1], script + off, len - off);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	close(pfd[1]);
	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR)
			return -1;
	if (off == len && WIFEXITED(st) && WEXITSTATUS(st) == 0)
		rc = 0;
	else
		rg_err(CORE, "forwarding: nft failed (status %d)", st);
	return rc;
}

/* Set a sysctl to 1 unless it is; remember the old value if we did. */
static int
sysctl_on(struct fwd_sysctl *s, const char *path)
{
	char	 v[16] = "";
	FILE	*f;
	int	 fd;

	snprintf(s->path, sizeof(s->path), "%s", path);
	s->old = -1;
	if ((f = fopen(path, "re")) == NULL)
		return errno == ENOENT ? 0 : -1;	/* no IPv6: fine */
	if (fgets(v, sizeof(v), f) == NULL)
		v[0] = '\0';
	fclose(f);
	if (atoi(v) == 1)
		return 0;
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1 ||
	    write(fd, "1\n", 2) != 2) {
		rg_err(CORE, "forwarding: write %s: %s", path,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	close(fd);
	s->old = atoi(v);
	rg_notice(CORE, "forwarding: %s = 1 (was %d)", path, s->old);
	return 0;
}

static void
sysctl_restore(struct fwd_sysctl *s)
{
	char	 v[16];
	int	 fd, n;

	if (s->old < 0)
		return;
	n = snprintf(v, sizeof(v), "%d\n", s->old);
	if ((fd = open(s->path, O_WRONLY | O_CLOEXEC)) == -1 ||
	    write(fd, v, (size_t)n) != n)
		rg_warn(CORE, "forwarding: restore %s: %s", s->path,
		    strerror(errno));
	else
		rg_notice(CORE, "forwarding: %s back to %d", s->path, s->old);
	if (fd != -1)
		close(fd);
	s->old = -1;
}

/* The interface of the IPv4 default route (/proc/net/route). */
static int
default_ifname(char *out, size_t len)
{
	char	 line[256], ifn[IFNAMSIZ + 1];
	unsigned dst, mask;
	FILE	*f;
	int	 rc = -1;

	if ((f = fopen("/proc/net/route", "re")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%16s %x %*x %*x %*d %*d %*d %x", ifn, &dst,
		    &mask) == 3 && dst == 0 && mask == 0 &&
		    dp_fwd_ifname_ok(ifn)) {
			if (strlen(ifn) < len) {
				memcpy(out, ifn, strlen(ifn) + 1);
				rc = 0;
			}
			break;
		}
	}
	fclose(f);
	return rc;
}

static bool
host_route(const struct rg_prefix *p)
{
	return p->plen == (p->af == AF_INET ? 32 : 128);
}

/* Add or delete a proxy neighbour entry for a host route.  0 or -1. */
static int
pneigh(struct dp_fwd *f, const struct rg_prefix *p, bool add)
{
	struct rtnl_neigh	*n;
	struct nl_addr		*dst;
	char			 s[INET6_ADDRSTRLEN + 8];
	int			 err = -NLE_NOMEM;

	if (!host_route(p))
		return 0;
	if ((n = rtnl_neigh_alloc()) == NULL)
		return -1;
	if ((dst = nl_addr_build(p->af, p->addr,
	    p->af == AF_INET ? 4 : 16)) != NULL) {
		rtnl_neigh_set_family(n, p->af);
		rtnl_neigh_set_ifindex(n, f->parp_ifindex);
		rtnl_neigh_set_dst(n, dst);
		rtnl_neigh_set_flags(n, NTF_PROXY);
		rtnl_neigh_set_state(n, NUD_PERMANENT);
		err = add ? rtnl_neigh_add(f->nl, n, NLM_F_CREATE |
		    NLM_F_REPLACE) : rtnl_neigh_delete(f->nl, n, 0);
		nl_addr_put(dst);
	}
	rtnl_neigh_put(n);
	if (err < 0) {
		rg_warn(CORE, "proxy_arp: %s %s on %s: %s", add ? "add" :
		    "delete", pfx_str(p, s, sizeof(s)), f->parp,
		    nl_geterror(err));
		return -1;
	}
	return 0;
}

static int
masq_set(struct dp_fwd *f, const char *oif)
{
	char	*buf;
	size_t	 len = 512 + f->nroutes * 64;
	int	 n, rc = -1;

	if (oif == NULL) {
		if (f->masq[0] == '\0')
			return 0;
		rc = nft_run("delete table inet roadgate\n", 26);
		rg_notice(CORE, "masquerade: off (table inet roadgate "
		    "deleted)");
		f->masq[0] = '\0';
		return rc;
	}
	if ((buf = malloc(len)) == NULL)
		return -1;
	if ((n = dp_fwd_nft_script(buf, len, oif, f->routes,
	    f->nroutes)) > 0 && (rc = nft_run(buf, (size_t)n)) == 0) {
		snprintf(f->masq, sizeof(f->masq), "%s", oif);
		rg_notice(CORE, "masquerade: client traffic out of %s "
		    "(table inet roadgate)", oif);
	}
	free(buf);
	return rc;
}

static int
parp_set(struct dp_fwd *f, const char *ifn)
{
	char	 path[96];
	size_t	 i;
	int	 rc = 0, idx;

	if (f->parp[0]) {
		for (i = 0; i < f->nroutes; i++)
			pneigh(f, &f->routes[i], false);
		sysctl_restore(&f->ndp);
		rg_notice(CORE, "proxy_arp: off on %s", f->parp);
		f->parp[0] = '\0';
	}
	if (ifn == NULL)
		return 0;
	if (f->nl == NULL && (f->nl = dp_nl_open()) == NULL)
		return -1;
	if ((idx = dp_nl_ifindex(f->nl, ifn)) <= 0) {
		rg_err(CORE, "proxy_arp: no interface %s", ifn);
		return -1;
	}
	f->parp_ifindex = idx;
	snprintf(f->parp, sizeof(f->parp), "%s", ifn);
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/proxy_ndp",
	    ifn);
	if (sysctl_on(&f->ndp, path) != 0)
		rc = -1;
	for (i = 0; i < f->nroutes; i++)
		if (pneigh(f, &f->routes[i], true) != 0)
			rc = -1;
	rg_notice(CORE, "proxy_arp: answering for client addresses on %s",
	    ifn);
	return rc;
}

struct dp_fwd *
dp_fwd_new(void)
{
	struct dp_fwd	*f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	f->fwd4.old = f->fwd6.old = f->ndp.old = -1;
	return f;
}

void
dp_fwd_free(struct dp_fwd *f)
{
	if (f == NULL)
		return;
	parp_set(f, NULL);
	masq_set(f, NULL);
	sysctl_restore(&f->fwd4);
	sysctl_restore(&f->fwd6);
	if (f->nl)
		dp_nl_close(f->nl);
	free(f->routes);
	free(f);
}

/* "off" (or unset) -> NULL; a bad name -> error. */
static int
want_ifname(const char *key, const char *v, const char **out)
{
	*out = NULL;
	if (v == NULL || v[0] == '\0' || strcmp(v, "off") == 0)
		return 0;
	if (!dp_fwd_ifname_ok(v)) {
		rg_err(CORE, "%s: '%s' is not an interface name", key, v);
		return -1;
	}
	*out = v;
	return 0;
}

int
dp_fwd_apply(struct dp_fwd *f, const struct rg_settings *s)
{
	const char	*m, *p;
	char		 autoif[IFNAMSIZ];
	int		 rc = 0;

	if (s->forwarding && !f->fwd_on) {
		if (sysctl_on(&f->fwd4, "/proc/sys/net/ipv4/ip_forward") != 0)
			rc = -1;
		if (sysctl_on(&f->fwd6,
		    "/proc/sys/net/ipv6/conf/all/forwarding") != 0)
			rc = -1;
		f->fwd_on = true;
	} else if (!s->forwarding && f->fwd_on) {
		sysctl_restore(&f->fwd4);
		sysctl_restore(&f->fwd6);
		f->fwd_on = false;
	}

	if (want_ifname("masquerade", s->masquerade, &m) != 0)
		rc = -1;
	else {
		if (m && strcmp(m, "auto") == 0) {
			if (default_ifname(autoif, sizeof(autoif)) == 0)
				m = autoif;
			else {
				rg_err(CORE, "masquerade auto: no IPv4 "
				    "default route");
				m = NULL;
				rc = -1;
			}
		}
		if (m == NULL || strcmp(m, f->masq) != 0) {
			if (masq_set(f, NULL) != 0)
				rc = -1;
			if (m && masq_set(f, m) != 0)
				rc = -1;
		}
	}

	if (want_ifname("proxy_arp", s->proxy_arp, &p) != 0)
		rc = -1;
	else if (p == NULL ? f->parp[0] != '\0' : strcmp(p, f->parp) != 0) {
		if (parp_set(f, p) != 0)
			rc = -1;
	}
	return rc;
}

void
dp_fwd_route(struct dp_fwd *f, const struct rg_prefix *p, bool add)
{
	struct rg_prefix	*n;
	char			 buf[160], s[INET6_ADDRSTRLEN + 8];
	size_t			 i;

	for (i = 0; i < f->nroutes; i++)
		if (f->routes[i].af == p->af && f->routes[i].plen == p->plen &&
		    memcmp(f->routes[i].addr, p->addr, 16) == 0)
			break;
	if (add && i == f->nroutes) {
		if (f->nroutes == f->cap) {
			if ((n = reallocarray(f->routes, f->cap ? f->cap * 2 :
			    16, sizeof(*n))) == NULL)
				return;
			f->routes = n;
			f->cap = f->cap ? f->cap * 2 : 16;
		}
		f->routes[f->nroutes++] = *p;
	} else if (!add && i < f->nroutes)
		f->routes[i] = f->routes[--f->nroutes];
	else
		return;			/* nothing changed */
	if (f->masq[0]) {
		snprintf(buf, sizeof(buf), "%s element inet roadgate pool%c "
		    "{ %s }\n", add ? "add" : "delete",
		    p->af == AF_INET ? '4' : '6', pfx_str(p, s, sizeof(s)));
		nft_run(buf, strlen(buf));
	}
	if (f->parp[0])
		pneigh(f, p, add);
}
