/*
 * dp_steer.h: BPF steering of packets to the data-plane worker that owns
 * their SA (dp_steer.c): TUN queue by inner destination, 4500 socket by
 * SPI.
 */
#ifndef RG_DP_STEER_H
#define RG_DP_STEER_H

/* Multi-queue TUN: queue = inner dst (IPv4, or IPv6's last 32 bits) mod
 * nqueues.  0, or -1 with errno (no BPF, no CAP_BPF, old kernel). */
int	dp_steer_tun(int tunfd, unsigned nqueues);

/* On a member of the 4500 SO_REUSEPORT group whose first socket is IKE's:
 * IKE and keepalives -> socket 0, ESP -> socket 1 + SPI mod nworkers. */
int	dp_steer_reuseport(int fd, unsigned nworkers);

/* On a raw ESP socket of worker idx of n: keep only the packets whose
 * SPI mod n is idx (every raw socket receives every ESP packet).  af:
 * an IPv4 raw socket sees the IP header, an IPv6 one starts at ESP. */
int	dp_steer_raw(int fd, int af, unsigned idx, unsigned n);

#endif
