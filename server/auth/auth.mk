# server/auth/auth.mk: the authentication question (auth.h, the local
# backend), the EAP server layer (RFC 3748, EAP-MSCHAPv2, EAP-TLS) and the
# MS-CHAPv2/MPPE primitives, server/libeap.a.
noinst_LIBRARIES += server/libeap.a
server_libeap_a_SOURCES = \
	server/auth/auth.c server/auth/auth.h server/auth/auth_local.c \
	server/auth/eap.c server/auth/eap.h server/auth/eap_int.h \
	server/auth/eap_mschapv2.c server/auth/eap_tls.c \
	server/auth/rg_mschap.c server/auth/rg_mschap.h
# The server's credentials and peer-certificate checks (IKE, EAP-TLS).
server_libeap_a_SOURCES += server/auth/cred.c server/auth/cred.h

check_PROGRAMS += tests/unit/test_mschap tests/unit/test_eap \
	tests/unit/test_auth
tests_unit_test_auth_SOURCES = tests/unit/test_auth.c \
	tests/unit/auth_test_backend.c tests/unit/auth_test_backend.h
tests_unit_test_auth_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_unit_test_auth_LDADD = server/libeap.a server/librgcore.a $(DEP_LIBS)
tests_unit_test_mschap_SOURCES = tests/unit/test_mschap.c
tests_unit_test_mschap_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_unit_test_mschap_LDADD = server/libeap.a server/librgcore.a $(DEP_LIBS)
tests_unit_test_eap_SOURCES = tests/unit/test_eap.c \
	tests/unit/eap_peer.c tests/unit/eap_peer.h
tests_unit_test_eap_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_unit_test_eap_LDADD = server/libeap.a server/librgcore.a $(DEP_LIBS)

# Fuzz target: random responses into a session at each state.
check_PROGRAMS += tests/unit/test_fuzz_eap
tests_unit_test_fuzz_eap_SOURCES = tests/fuzz/fuzz_eap.c tests/fuzz/fuzz_driver.c \
	tests/unit/eap_peer.c tests/unit/eap_peer.h
tests_unit_test_fuzz_eap_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_unit_test_fuzz_eap_LDADD = server/libeap.a server/librgcore.a $(DEP_LIBS)

# Test-only RADIUS front for eapol_test (tests/integration/eap_eapol.sh).
check_PROGRAMS += tests/tools/eap-radius-shim
tests_tools_eap_radius_shim_SOURCES = tests/tools/eap-radius-shim.c
tests_tools_eap_radius_shim_LDADD = server/libeap.a server/librgcore.a $(DEP_LIBS)

# The credential module: load once, sign, peer checks, EAP-TLS rules.
check_PROGRAMS += tests/unit/test_cred
tests_unit_test_cred_SOURCES = tests/unit/test_cred.c \
	tests/unit/cred_pki.c tests/unit/cred_pki.h \
	tests/unit/eap_peer.c tests/unit/eap_peer.h
tests_unit_test_cred_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_unit_test_cred_LDADD = server/libeap.a server/librgcore.a $(DEP_LIBS)
