# server/ike/ike.mk: build fragment (included by the top Makefile.am)
# libike.a: what IKEv1 and IKEv2 share (server/ike/ike_*.c: the sockets and
# their version split, the algorithm table, configured proposals, DH,
# prf, the SPI table, traffic-selector policy, the ESP SA hand-off to dp);
# libikev1.a: the IKEv1 responder (ikev1_*.c): its codec and crypto, the
# engine (main mode, XAuth, mode-config, quick mode, informational);
# libikev2.a: the IKEv2 responder (ikev2_*.c).
noinst_LIBRARIES += server/libike.a
server_libike_a_SOURCES = \
	server/ike/ike_sock.c server/ike/ike_sock.h \
	server/ike/ike_alg.c server/ike/ike_alg.h \
	server/ike/ike_dh.c server/ike/ike_dh.h \
	server/ike/ike_prf.c server/ike/ike_prf.h \
	server/ike/ike_spi.c server/ike/ike_spi.h \
	server/ike/ike_child.c server/ike/ike_child.h \
	server/ike/ike_ts.c server/ike/ike_ts.h \
	server/ike/ike_proposal.c server/ike/ike_proposal.h

noinst_LIBRARIES += server/libikev1.a
server_libikev1_a_SOURCES = \
	server/ike/ikev1_msg.c server/ike/ikev1_msg.h server/ike/ikev1_enc.c \
	server/ike/ikev1_crypto.c server/ike/ikev1_crypto.h \
	server/ike/ikev1.h server/ike/ikev1_int.h \
	server/ike/ikev1_engine.c server/ike/ikev1_sa.c \
	server/ike/ikev1_main.c server/ike/ikev1_aggr.c \
	server/ike/ikev1_xauth.c \
	server/ike/ikev1_quick.c server/ike/ikev1_info.c \
	server/ike/ikev1_sess.c server/ike/ikev1_frag.c

check_PROGRAMS += tests/unit/test_ikev1_msg
tests_unit_test_ikev1_msg_SOURCES = tests/unit/test_ikev1_msg.c \
	tests/unit/ikev1_msg_test_lib.c tests/unit/ikev1_msg_test_lib.h
tests_unit_test_ikev1_msg_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_unit_test_ikev1_msg_LDADD = $(IKEV1_LIBS)

# The IKEv1 encoders and the codec's refusals of malformed input.
check_PROGRAMS += tests/unit/test_ikev1_enc
tests_unit_test_ikev1_enc_SOURCES = tests/unit/test_ikev1_enc.c \
	tests/unit/ikev1_msg_test_lib.c tests/unit/ikev1_msg_test_lib.h
tests_unit_test_ikev1_enc_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_unit_test_ikev1_enc_LDADD = $(IKEV1_LIBS)

# The IKEv1 engine in memory against the test initiator.
check_PROGRAMS += tests/unit/test_ikev1_engine
tests_unit_test_ikev1_engine_SOURCES = tests/unit/test_ikev1_engine.c \
	tests/unit/ikev1_test_lib.c tests/unit/ikev1_test_lib.h \
	tests/unit/auth_test_backend.c tests/unit/auth_test_backend.h \
	tests/unit/cred_pki.c tests/unit/cred_pki.h \
	tests/tools/ikev1_initiator.c tests/tools/ikev1_initiator_qm.c \
	tests/tools/ikev1_initiator.h tests/tools/ikev1_initiator_int.h
tests_unit_test_ikev1_engine_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/tests/unit -I$(top_srcdir)/tests/tools
tests_unit_test_ikev1_engine_LDADD = $(IKEV1_LIBS)

# Engine tests for L2TP/IPsec (transport mode, NAT) and for certificates,
# hybrid XAuth and fragmentation, with the same initiator and helpers.
check_PROGRAMS += tests/unit/test_ikev1_transport
tests_unit_test_ikev1_transport_SOURCES = tests/unit/test_ikev1_transport.c \
	tests/unit/ikev1_test_lib.c tests/unit/ikev1_test_lib.h \
	tests/unit/auth_test_backend.c tests/unit/auth_test_backend.h \
	tests/unit/cred_pki.c tests/unit/cred_pki.h \
	tests/tools/ikev1_initiator.c tests/tools/ikev1_initiator_qm.c \
	tests/tools/ikev1_initiator.h tests/tools/ikev1_initiator_int.h
tests_unit_test_ikev1_transport_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/tests/unit -I$(top_srcdir)/tests/tools
tests_unit_test_ikev1_transport_LDADD = $(IKEV1_LIBS)

check_PROGRAMS += tests/unit/test_ikev1_cert
tests_unit_test_ikev1_cert_SOURCES = tests/unit/test_ikev1_cert.c \
	tests/unit/ikev1_test_lib.c tests/unit/ikev1_test_lib.h \
	tests/unit/auth_test_backend.c tests/unit/auth_test_backend.h \
	tests/unit/cred_pki.c tests/unit/cred_pki.h \
	tests/tools/ikev1_initiator.c tests/tools/ikev1_initiator_qm.c \
	tests/tools/ikev1_initiator.h tests/tools/ikev1_initiator_int.h
tests_unit_test_ikev1_cert_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/tests/unit -I$(top_srcdir)/tests/tools
tests_unit_test_ikev1_cert_LDADD = $(IKEV1_LIBS)

# Fuzz target for the IKEv1 engine, in front of and behind decryption.
check_PROGRAMS += tests/unit/test_fuzz_ikev1_engine
tests_unit_test_fuzz_ikev1_engine_SOURCES = tests/fuzz/fuzz_ikev1_engine.c \
	tests/fuzz/fuzz_driver.c \
	tests/tools/ikev1_initiator.c tests/tools/ikev1_initiator_qm.c \
	tests/tools/ikev1_initiator.h tests/tools/ikev1_initiator_int.h
tests_unit_test_fuzz_ikev1_engine_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/tests/tools
tests_unit_test_fuzz_ikev1_engine_LDADD = $(IKEV1_LIBS)
EXTRA_DIST += tests/fuzz/seeds/ikev1_engine tests/integration/ikev1_interop.sh

# Fuzz target for the IKEv1 message codec.
check_PROGRAMS += tests/unit/test_fuzz_ikev1_msg
tests_unit_test_fuzz_ikev1_msg_SOURCES = tests/fuzz/fuzz_ikev1_msg.c \
	tests/fuzz/fuzz_driver.c
tests_unit_test_fuzz_ikev1_msg_LDADD = $(IKEV1_LIBS)
EXTRA_DIST += tests/fuzz/seeds/ikev1_msg

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
	server/ike/ikev2_frag.c server/ike/ikev2_rekey.c server/ike/ikev2_sess.c

IKE_LIBS = server/libike.a server/libdp.a server/libesp.a \
	server/librgcore.a $(DEP_LIBS)
IKEV1_LIBS = server/libikev1.a server/libike.a server/libeap.a $(SESS_LIBS) \
	server/librgcore.a $(DEP_LIBS)
IKEV2_LIBS = server/libikev2.a server/libike.a server/libeap.a $(SESS_LIBS) \
	server/librgcore.a $(DEP_LIBS)

# The shared layer's own tests.
check_PROGRAMS += tests/unit/test_ike_sock
tests_unit_test_ike_sock_SOURCES = tests/unit/test_ike_sock.c
tests_unit_test_ike_sock_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_unit_test_ike_sock_LDADD = $(IKE_LIBS)
check_PROGRAMS += tests/unit/test_ike_alg
tests_unit_test_ike_alg_SOURCES = tests/unit/test_ike_alg.c
tests_unit_test_ike_alg_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_unit_test_ike_alg_LDADD = $(IKEV2_LIBS)
check_PROGRAMS += tests/unit/test_ike_spi
tests_unit_test_ike_spi_SOURCES = tests/unit/test_ike_spi.c
tests_unit_test_ike_spi_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_unit_test_ike_spi_LDADD = $(IKE_LIBS)
check_PROGRAMS += tests/unit/test_ike_child
tests_unit_test_ike_child_SOURCES = tests/unit/test_ike_child.c
tests_unit_test_ike_child_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_unit_test_ike_child_LDADD = $(IKE_LIBS)
check_PROGRAMS += tests/unit/test_ike_ts
tests_unit_test_ike_ts_SOURCES = tests/unit/test_ike_ts.c
tests_unit_test_ike_ts_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_unit_test_ike_ts_LDADD = $(IKE_LIBS)
check_PROGRAMS += tests/unit/test_ike_proposal
tests_unit_test_ike_proposal_SOURCES = tests/unit/test_ike_proposal.c
tests_unit_test_ike_proposal_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_unit_test_ike_proposal_LDADD = $(IKE_LIBS)

# IKEv1 keys and phase-1 encryption against tests/tools/ikev1_kdf.py.
check_PROGRAMS += tests/unit/test_ikev1_crypto
tests_unit_test_ikev1_crypto_SOURCES = tests/unit/test_ikev1_crypto.c
tests_unit_test_ikev1_crypto_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_unit_test_ikev1_crypto_LDADD = $(IKEV1_LIBS)
EXTRA_DIST += tests/tools/ikev1_kdf.py

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
	tests/tools/ikev2_initiator_child.c tests/tools/ikev2_initiator_info.c \
	tests/tools/ikev2_initiator.h tests/tools/ikev2_initiator_int.h
tests_unit_test_ikev2_exchange_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/tests/unit -I$(top_srcdir)/tests/tools
tests_unit_test_ikev2_exchange_LDADD = $(IKEV2_LIBS)

# Who a peer is: PSK identities, INITIAL_CONTACT, limits (issue 12).
check_PROGRAMS += tests/unit/test_ikev2_identity
tests_unit_test_ikev2_identity_SOURCES = tests/unit/test_ikev2_identity.c \
	tests/unit/ikev2_fixture.c tests/unit/ikev2_fixture.h \
	tests/tools/ikev2_initiator.c tests/tools/ikev2_initiator_auth.c \
	tests/tools/ikev2_initiator_child.c tests/tools/ikev2_initiator_info.c \
	tests/tools/ikev2_initiator.h tests/tools/ikev2_initiator_int.h
tests_unit_test_ikev2_identity_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/tests/unit -I$(top_srcdir)/tests/tools
tests_unit_test_ikev2_identity_LDADD = $(IKEV2_LIBS)

# The responder against a misbehaving peer (security review, issue 12).
check_PROGRAMS += tests/unit/test_ikev2_security
tests_unit_test_ikev2_security_SOURCES = tests/unit/test_ikev2_security.c \
	tests/unit/ikev2_fixture.c tests/unit/ikev2_fixture.h \
	tests/tools/ikev2_initiator.c tests/tools/ikev2_initiator_auth.c \
	tests/tools/ikev2_initiator_child.c tests/tools/ikev2_initiator_info.c \
	tests/tools/ikev2_initiator.h tests/tools/ikev2_initiator_int.h
tests_unit_test_ikev2_security_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/tests/unit -I$(top_srcdir)/tests/tools
tests_unit_test_ikev2_security_LDADD = $(IKEV2_LIBS)
# IKE_AUTH with EAP-MSCHAPv2 against an auth backend that answers later.
check_PROGRAMS += tests/unit/test_ikev2_eap
tests_unit_test_ikev2_eap_SOURCES = tests/unit/test_ikev2_eap.c \
	tests/unit/ikev2_fixture.c tests/unit/ikev2_fixture.h \
	tests/unit/eap_peer.c tests/unit/eap_peer.h \
	tests/unit/auth_test_backend.c tests/unit/auth_test_backend.h \
	tests/tools/ikev2_initiator.c tests/tools/ikev2_initiator_auth.c \
	tests/tools/ikev2_initiator_child.c tests/tools/ikev2_initiator_info.c \
	tests/tools/ikev2_initiator.h tests/tools/ikev2_initiator_int.h
tests_unit_test_ikev2_eap_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/tests/unit -I$(top_srcdir)/tests/tools
tests_unit_test_ikev2_eap_LDADD = $(IKEV2_LIBS)

# Load generator: N concurrent test initiators over UDP (tests/bench/ikev2.sh).
check_PROGRAMS += tests/tools/ikev2-loadgen
tests_tools_ikev2_loadgen_SOURCES = tests/tools/ikev2-loadgen.c \
	tests/tools/ikev2_initiator.c tests/tools/ikev2_initiator_auth.c \
	tests/tools/ikev2_initiator_child.c tests/tools/ikev2_initiator_info.c \
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
	tests/tools/ikev2_initiator_child.c tests/tools/ikev2_initiator_info.c \
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
	tests/tools/ikev2_initiator_child.c tests/tools/ikev2_initiator_info.c \
	tests/tools/ikev2_initiator.h tests/tools/ikev2_initiator_int.h
tests_unit_test_ikev2_session_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/tests/unit -I$(top_srcdir)/tests/tools
tests_unit_test_ikev2_session_LDADD = $(IKEV2_LIBS)

# The engine's SPIs in the table shared with IKEv1 (server/ike/ike_spi.c).
check_PROGRAMS += tests/unit/test_ikev2_spis
tests_unit_test_ikev2_spis_SOURCES = tests/unit/test_ikev2_spis.c \
	tests/unit/ikev2_fixture.c tests/unit/ikev2_fixture.h \
	tests/tools/ikev2_initiator.c tests/tools/ikev2_initiator_auth.c \
	tests/tools/ikev2_initiator_child.c tests/tools/ikev2_initiator_info.c \
	tests/tools/ikev2_initiator.h tests/tools/ikev2_initiator_int.h
tests_unit_test_ikev2_spis_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/tests/unit -I$(top_srcdir)/tests/tools
tests_unit_test_ikev2_spis_LDADD = $(IKEV2_LIBS)

# In-memory handshake benchmark of the engine (profiling, tests/bench/ikev2.sh).
check_PROGRAMS += tests/tools/ikev2-hsbench
tests_tools_ikev2_hsbench_SOURCES = tests/tools/ikev2-hsbench.c \
	tests/tools/ikev2_initiator.c tests/tools/ikev2_initiator_auth.c \
	tests/tools/ikev2_initiator_child.c tests/tools/ikev2_initiator_info.c \
	tests/tools/ikev2_initiator.h tests/tools/ikev2_initiator_int.h
tests_tools_ikev2_hsbench_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/tools
tests_tools_ikev2_hsbench_LDADD = $(IKEV2_LIBS)

# Certificate AUTH through the exchange: the credential module's rules.
check_PROGRAMS += tests/unit/test_ikev2_cert
tests_unit_test_ikev2_cert_SOURCES = tests/unit/test_ikev2_cert.c \
	tests/unit/cred_pki.c tests/unit/cred_pki.h \
	tests/unit/ikev2_fixture.c tests/unit/ikev2_fixture.h \
	tests/tools/ikev2_initiator.c tests/tools/ikev2_initiator_auth.c \
	tests/tools/ikev2_initiator_child.c tests/tools/ikev2_initiator_info.c \
	tests/tools/ikev2_initiator.h tests/tools/ikev2_initiator_int.h
tests_unit_test_ikev2_cert_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/tests/unit -I$(top_srcdir)/tests/tools
tests_unit_test_ikev2_cert_LDADD = $(IKEV2_LIBS)
