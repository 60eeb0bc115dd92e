/*
 * dp_steer.c: the two small BPF programs that send each packet straight
 * to the data-plane worker that owns its SA, so no packet crosses threads
 * on the hot path (dp_user_mq.c):
 *
 *  - TUN (kernel -> us): an eBPF socket-filter program set with
 *    TUNSETSTEERINGEBPF picks the queue of a multi-queue TUN device by the
 *    inner destination: IPv4 dst, or the last 32 bits of the IPv6 dst,
 *    modulo the number of queues.  A road warrior's outbound SA is keyed
 *    by its virtual IP, so its worker reads exactly its packets.  The
 *    kernel truncates the program's result to 16 bits before taking it
 *    modulo the queue count, so the program reduces it first.
 *  - ESP-in-UDP (peer -> us): a classic BPF program on the 4500
 *    SO_REUSEPORT group (SO_ATTACH_REUSEPORT_CBPF) sees the UDP payload:
 *    shorter than 8 bytes (NAT keepalive) or a zero non-ESP marker
 *    (RFC 3948 2.2, IKE) -> socket 0, the IKE socket; otherwise the SPI
 *    -> socket 1 + SPI mod N, worker SPI mod N's own socket.
 *
 *  - Raw ESP (no NAT): every raw socket gets a copy of every packet, so
 *    each worker's raw socket carries a classic BPF filter keeping the
 *    packets whose SPI mod N is its index.
 *
 * dpu_spi_owner() and dpu_dst_owner() (dp_user.c) compute the same
 * functions in C; test_dp_user checks that both agree.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <linux/filter.h>
#include <linux/if_tun.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "dp_steer.h"

#ifndef SO_ATTACH_REUSEPORT_CBPF
#define SO_ATTACH_REUSEPORT_CBPF	51
#endif

static struct bpf_insn
insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	struct bpf_insn	 i;

	memset(&i, 0, sizeof(i));
	i.code = code;
	i.dst_reg = dst & 0xf;
	i.src_reg = src & 0xf;
	i.off = off;
	i.imm = imm;
	return i;
}

int
dp_steer_tun(int tunfd, unsigned nqueues)
{
	struct bpf_insn	 prog[9];
	union bpf_attr	 attr;
	char		 license[] = "BSD";
	int		 fd, rc, e;

	if (nqueues == 0) {
		errno = EINVAL;
		return -1;
	}
	prog[0] = insn(BPF_ALU64 | BPF_MOV | BPF_X, 6, 1, 0, 0); /* r6 = skb */
	prog[1] = insn(BPF_LD | BPF_ABS | BPF_B, 0, 0, 0, 0);	/* version */
	prog[2] = insn(BPF_ALU64 | BPF_RSH | BPF_K, 0, 0, 0, 4);
	prog[3] = insn(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 2, 6);	/* v6: +2 */
	prog[4] = insn(BPF_LD | BPF_ABS | BPF_W, 0, 0, 0, 16);	/* v4 dst */
	prog[5] = insn(BPF_JMP | BPF_JA, 0, 0, 1, 0);
	prog[6] = insn(BPF_LD | BPF_ABS | BPF_W, 0, 0, 0, 36);	/* v6 dst */
	prog[7] = insn(BPF_ALU | BPF_MOD | BPF_K, 0, 0, 0, (int32_t)nqueues);
	prog[8] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	attr.insns = (uint64_t)(uintptr_t)prog;
	attr.insn_cnt = sizeof(prog) / sizeof(prog[0]);
	attr.license = (uint64_t)(uintptr_t)license;
	if ((fd = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &attr,
	    sizeof(attr))) < 0)
		return -1;
	rc = ioctl(tunfd, TUNSETSTEERINGEBPF, &fd);
	e = errno;
	close(fd);		/* the device keeps its own reference */
	errno = e;
	return rc < 0 ? -1 : 0;
}

int
dp_steer_reuseport(int fd, unsigned nworkers)
{
	struct sock_filter	 prog[] = {
		{ BPF_LD | BPF_W | BPF_LEN, 0, 0, 0 },
		{ BPF_JMP | BPF_JGE | BPF_K, 0, 5, 8 },	/* < 8: keepalive */
		{ BPF_LD | BPF_W | BPF_ABS, 0, 0, 0 },	/* SPI or marker */
		{ BPF_JMP | BPF_JEQ | BPF_K, 3, 0, 0 },	/* 0: IKE */
		{ BPF_ALU | BPF_MOD | BPF_K, 0, 0, nworkers },
		{ BPF_ALU | BPF_ADD | BPF_K, 0, 0, 1 },
		{ BPF_RET | BPF_A, 0, 0, 0 },
		{ BPF_RET | BPF_K, 0, 0, 0 },
	};
	struct sock_fprog	 fp = { sizeof(prog) / sizeof(prog[0]), prog };

	if (nworkers == 0) {
		errno = EINVAL;
		return -1;
	}
	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &fp,
	    sizeof(fp));
}

int
dp_steer_raw(int fd, int af, unsigned idx, unsigned n)
{
	struct sock_filter	 v4[] = {
		{ BPF_LDX | BPF_B | BPF_MSH, 0, 0, 0 },	/* X = IHL * 4 */
		{ BPF_LD | BPF_W | BPF_IND, 0, 0, 0 },	/* SPI */
		{ BPF_ALU | BPF_MOD | BPF_K, 0, 0, n },
		{ BPF_JMP | BPF_JEQ | BPF_K, 0, 1, idx },
		{ BPF_RET | BPF_K, 0, 0, 0x40000 },
		{ BPF_RET | BPF_K, 0, 0, 0 },
	};
	struct sock_filter	 v6[] = {
		{ BPF_LD | BPF_W | BPF_ABS, 0, 0, 0 },	/* SPI */
		{ BPF_ALU | BPF_MOD | BPF_K, 0, 0, n },
		{ BPF_JMP | BPF_JEQ | BPF_K, 0, 1, idx },
		{ BPF_RET | BPF_K, 0, 0, 0x40000 },
		{ BPF_RET | BPF_K, 0, 0, 0 },
	};
	struct sock_fprog	 fp;

	if (n == 0 || idx >= n) {
		errno = EINVAL;
		return -1;
	}
	if (af == AF_INET) {
		fp.len = sizeof(v4) / sizeof(v4[0]);
		fp.filter = v4;
	} else {
		fp.len = sizeof(v6) / sizeof(v6[0]);
		fp.filter = v6;
	}
	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof(fp));
}
