# server/sess/sess.mk: build fragment (included by the top Makefile.am)
# The session registry: every connected user whatever carries it (IKEv2
# now), its leases (pool/), vip routes (dp), history (store), accounting
# listeners and the UDP services reached through a tunnel (DHCPINFORM).
noinst_LIBRARIES += server/libsess.a
server_libsess_a_SOURCES = server/sess/sess.h server/sess/sess_int.h \
	server/sess/sess.c server/sess/sess_lease.c server/sess/sess_hist.c \
	server/sess/sess_udp.c

SESS_LIBS = server/libsess.a pool/librgpool.a pool/librgdhcp.a \
	server/libdp.a server/libesp.a server/librgstore.a

check_PROGRAMS += tests/unit/test_sess
tests_unit_test_sess_SOURCES = tests/unit/test_sess.c
tests_unit_test_sess_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_unit_test_sess_LDADD = $(SESS_LIBS) server/librgcore.a $(DEP_LIBS)
