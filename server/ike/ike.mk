# server/ike/ike.mk: build fragment (included by the top Makefile.am)
# The IKEv2 responder (server/ikev2_*.c) and the IKE sockets (ike_sock.c).
noinst_LIBRARIES += server/libikev2.a
server_libikev2_a_SOURCES = \
	server/ike/ikev2.h server/ike/ikev2_int.h \
	server/ike/ikev2_msg.c server/ike/ikev2_msg.h \
	server/ike/ikev2_xform.c server/ike/ikev2_xform.h \
	server/ike/ikev2_proposal.c server/ike/ikev2_proposal.h \
	server/ike/ikev2_crypto.c server/ike/ikev2_crypto.h \
	server/ike/ikev2_engine.c server/ike/ikev2_sa.c server/ike/ikev2_init.c \
	server/ike/ikev2_auth.c server/ike/ikev2_cert.c server/ike/ikev2_cp.c \
	server/ike/ikev2_ts.c server/ike/ikev2_child.c server/ike/ikev2_info.c \
	server/ike/ikev2_frag.c server/ike/ikev2_rekey.c \
	server/ike/ike_sock.c server/ike/ike_sock.h

IKEV2_LIBS = server/libikev2.a server/libeap.a server/libdp.a \
	server/libesp.a server/librgcore.a $(DEP_LIBS)

check_PROGRAMS += tests/unit/test_ikev2_msg tests/unit/test_ikev2_crypto \
	tests/unit/test_ikev2_proposal
tests_unit_test_ikev2_msg_SOURCES = tests/unit/test_ikev2_msg.c
tests_unit_test_ikev2_msg_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_unit_test_ikev2_msg_LDADD = $(IKEV2_LIBS)
tests_unit_test_ikev2_crypto_SOURCES = tests/unit/test_ikev2_crypto.c
tests_unit_test_ikev2_crypto_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_unit_test_ikev2_crypto_LDADD = $(IKEV2_LIBS)
tests_unit_test_ikev2_proposal_SOURCES = tests/unit/test_ikev2_proposal.c
tests_unit_test_ikev2_proposal_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_unit_test_ikev2_proposal_LDADD = $(IKEV2_LIBS)

# Test responder for the strongSwan bed (tests/integration/ikev2_interop.sh).
check_PROGRAMS += tests/tools/ike-test-responder
tests_tools_ike_test_responder_SOURCES = tests/tools/ike-test-responder.c
tests_tools_ike_test_responder_LDADD = $(IKEV2_LIBS)

# Fuzz target for the IKEv2 message parser.
check_PROGRAMS += tests/unit/test_fuzz_ikev2_msg
tests_unit_test_fuzz_ikev2_msg_SOURCES = tests/fuzz/fuzz_ikev2_msg.c \
	tests/fuzz/fuzz_driver.c
tests_unit_test_fuzz_ikev2_msg_LDADD = $(IKEV2_LIBS)
EXTRA_DIST += tests/fuzz/seeds/ikev2_msg tests/integration/ikev2_interop.sh

# The test-only IKEv2 initiator (in-memory exchange test, load generator).
check_PROGRAMS += tests/unit/test_ikev2_exchange
tests_unit_test_ikev2_exchange_SOURCES = tests/unit/test_ikev2_exchange.c \
	tests/unit/ikev2_fixture.c tests/unit/ikev2_fixture.h \
	tests/tools/ikev2_initiator.c tests/tools/ikev2_initiator_auth.c \
	tests/tools/ikev2_initiator.h tests/tools/ikev2_initiator_int.h
tests_unit_test_ikev2_exchange_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/tests/unit -I$(top_srcdir)/tests/tools
tests_unit_test_ikev2_exchange_LDADD = $(IKEV2_LIBS)

# Load generator: N concurrent test initiators over UDP (tests/bench/ikev2.sh).
check_PROGRAMS += tests/tools/ikev2-loadgen
tests_tools_ikev2_loadgen_SOURCES = tests/tools/ikev2-loadgen.c \
	tests/tools/ikev2_initiator.c tests/tools/ikev2_initiator_auth.c \
	tests/tools/ikev2_initiator.h tests/tools/ikev2_initiator_int.h
tests_tools_ikev2_loadgen_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/tools
tests_tools_ikev2_loadgen_LDADD = $(IKEV2_LIBS)

# Fuzz target for the whole engine input path.
check_PROGRAMS += tests/unit/test_fuzz_ikev2_engine
tests_unit_test_fuzz_ikev2_engine_SOURCES = tests/fuzz/fuzz_ikev2_engine.c \
	tests/fuzz/fuzz_driver.c
tests_unit_test_fuzz_ikev2_engine_LDADD = $(IKEV2_LIBS)
EXTRA_DIST += tests/fuzz/seeds/ikev2_engine

# Fuzz target behind decryption: payload chains sealed with the keys of a
# real IKE SA set up in memory (fixture + test initiator).
check_PROGRAMS += tests/unit/test_fuzz_ikev2_sk
tests_unit_test_fuzz_ikev2_sk_SOURCES = tests/fuzz/fuzz_ikev2_sk.c \
	tests/fuzz/fuzz_driver.c \
	tests/unit/ikev2_fixture.c tests/unit/ikev2_fixture.h \
	tests/tools/ikev2_initiator.c tests/tools/ikev2_initiator_auth.c \
	tests/tools/ikev2_initiator.h tests/tools/ikev2_initiator_int.h
tests_unit_test_fuzz_ikev2_sk_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/tests/unit -I$(top_srcdir)/tests/tools
tests_unit_test_fuzz_ikev2_sk_LDADD = $(IKEV2_LIBS)
EXTRA_DIST += tests/fuzz/seeds/ikev2_sk

# The session view the daemon uses (reqid -> session, ending a session).
check_PROGRAMS += tests/unit/test_ikev2_session
tests_unit_test_ikev2_session_SOURCES = tests/unit/test_ikev2_session.c \
	tests/unit/ikev2_fixture.c tests/unit/ikev2_fixture.h \
	tests/tools/ikev2_initiator.c tests/tools/ikev2_initiator_auth.c \
	tests/tools/ikev2_initiator.h tests/tools/ikev2_initiator_int.h
tests_unit_test_ikev2_session_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/tests/unit -I$(top_srcdir)/tests/tools
tests_unit_test_ikev2_session_LDADD = $(IKEV2_LIBS)

# In-memory handshake benchmark of the engine (profiling, tests/bench/ikev2.sh).
check_PROGRAMS += tests/tools/ikev2-hsbench
tests_tools_ikev2_hsbench_SOURCES = tests/tools/ikev2-hsbench.c \
	tests/tools/ikev2_initiator.c tests/tools/ikev2_initiator_auth.c \
	tests/tools/ikev2_initiator.h tests/tools/ikev2_initiator_int.h
tests_tools_ikev2_hsbench_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/tools
tests_tools_ikev2_hsbench_LDADD = $(IKEV2_LIBS)
