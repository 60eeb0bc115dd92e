/*
 * dp_int.h: the seam between dp.c (the public dp_* calls, backend choice)
 * and the two backends: the userspace engine (dp_user.c) and kernel XFRM
 * (dp_xfrm.c).  A table of functions, because two implementations exist.
 */
#ifndef RG_DP_INT_H
#define RG_DP_INT_H

#include "dp.h"

struct dp_backend;

struct dp_ops {
	const char	*name;
	struct dp_backend *(*new)(struct rg_loop *, const char *tun_name,
			    int threads, const struct dp_events *);
	void		(*free)(struct dp_backend *);
	int		(*sa_add)(struct dp_backend *, const struct dp_sa *);
	int		(*sa_del)(struct dp_backend *, uint32_t, bool);
	int		(*sa_update_addrs)(struct dp_backend *, uint32_t,
			    const struct sockaddr *, const struct sockaddr *,
			    bool);
	int		(*sa_counters)(struct dp_backend *, uint32_t, bool,
			    struct dp_counters *);
	int		(*route_add)(struct dp_backend *,
			    const struct rg_prefix *);
	int		(*route_del)(struct dp_backend *,
			    const struct rg_prefix *);
	void		(*set_encap_socket)(struct dp_backend *, int, int);
	bool		(*encap_shared)(struct dp_backend *);
	void		(*stats)(struct dp_backend *, struct dp_stats *);
	void		(*udp_input)(struct dp_backend *, const uint8_t *,
			    size_t, const struct sockaddr *,
			    const struct sockaddr *);
	int		(*send_to_client)(struct dp_backend *, uint32_t,
			    const uint8_t *, size_t);
};

extern const struct dp_ops	dp_user_ops;
extern const struct dp_ops	dp_xfrm_ops;

/* The backend behind a dp (tests and test tools only). */
struct dp_backend *dp_backend_of(struct dp *);

/* Can this kernel do ESP?  0 yes; -errno no, with a reason in why. */
int	dp_xfrm_probe(char *why, size_t whylen);

#endif
