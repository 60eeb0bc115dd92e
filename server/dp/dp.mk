# server/dp/dp.mk: build fragment (included by the top Makefile.am)
# The data plane: ESP codec + replay window (libesp), the userspace engine
# over TUN and the kernel XFRM backend (libdp), their tests and tools.
noinst_LIBRARIES += server/libesp.a
server_libesp_a_SOURCES = server/dp/esp.c server/dp/esp.h server/dp/esp_replay.c

check_PROGRAMS += tests/unit/test_esp tests/unit/test_esp_replay
tests_unit_test_esp_SOURCES = tests/unit/test_esp.c
tests_unit_test_esp_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_unit_test_esp_LDADD = server/libesp.a server/librgcore.a $(DEP_LIBS)
tests_unit_test_esp_replay_SOURCES = tests/unit/test_esp_replay.c
tests_unit_test_esp_replay_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_unit_test_esp_replay_LDADD = server/libesp.a $(DEP_LIBS)

# The data plane behind dp.h: backend choice, userspace engine, XFRM.
noinst_LIBRARIES += server/libdp.a
server_libdp_a_SOURCES = server/dp/dp.c server/dp/dp.h server/dp/dp_int.h \
	server/dp/dp_user.c server/dp/dp_user.h server/dp/dp_user_io.c \
	server/dp/dp_user_mq.c server/dp/dp_steer.c server/dp/dp_steer.h \
	server/dp/dp_pkt.c server/dp/dp_pkt.h \
	server/dp/dp_nl.c server/dp/dp_nl.h server/dp/dp_xfrm.c server/dp/dp_xfrm.h \
	server/dp/dp_xfrm_msg.c server/dp/dp_xfrm_dhcp.c \
	server/dp/dp_gro.c server/dp/dp_gro.h server/dp/dp_fwd.c server/dp/dp_fwd.h

# Test tools: two of dp-static make a tunnel without IKE (tests/integration).
check_PROGRAMS += tests/tools/dp-static
tests_tools_dp_static_SOURCES = tests/tools/dp-static.c
tests_tools_dp_static_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/pool
tests_tools_dp_static_LDADD = server/libdp.a server/libesp.a \
	pool/librgdhcp.a server/librgcore.a $(DEP_LIBS)

# Fuzz target for the ESP input path (runs in tests/run via fuzz_driver).
check_PROGRAMS += tests/unit/test_fuzz_esp_input
tests_unit_test_fuzz_esp_input_SOURCES = tests/fuzz/fuzz_esp_input.c \
	tests/fuzz/fuzz_driver.c
tests_unit_test_fuzz_esp_input_LDADD = server/libdp.a server/libesp.a \
	server/librgcore.a $(DEP_LIBS)
EXTRA_DIST += tests/fuzz/seeds/esp_input

check_PROGRAMS += tests/unit/test_dp_pkt tests/unit/test_dp_xfrm
tests_unit_test_dp_pkt_SOURCES = tests/unit/test_dp_pkt.c
tests_unit_test_dp_pkt_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_unit_test_dp_pkt_LDADD = server/libdp.a server/librgcore.a $(DEP_LIBS)
tests_unit_test_dp_xfrm_SOURCES = tests/unit/test_dp_xfrm.c
tests_unit_test_dp_xfrm_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_unit_test_dp_xfrm_LDADD = server/libdp.a server/libesp.a \
	server/librgcore.a $(DEP_LIBS)
check_PROGRAMS += tests/unit/test_dp_user
tests_unit_test_dp_user_SOURCES = tests/unit/test_dp_user.c tests/unit/dp_test_lib.h
tests_unit_test_dp_user_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_unit_test_dp_user_LDADD = server/libdp.a server/libesp.a \
	server/librgcore.a $(DEP_LIBS)
check_PROGRAMS += tests/tools/dp-xfrm-check
tests_tools_dp_xfrm_check_SOURCES = tests/tools/dp-xfrm-check.c
tests_tools_dp_xfrm_check_LDADD = server/libdp.a server/libesp.a \
	server/librgcore.a $(DEP_LIBS)
check_PROGRAMS += tests/tools/dp-espbench
tests_tools_dp_espbench_SOURCES = tests/tools/dp-espbench.c
tests_tools_dp_espbench_LDADD = server/libesp.a server/librgcore.a $(DEP_LIBS)
check_PROGRAMS += tests/unit/test_dp_gro
tests_unit_test_dp_gro_SOURCES = tests/unit/test_dp_gro.c
tests_unit_test_dp_gro_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_unit_test_dp_gro_LDADD = server/libdp.a server/librgcore.a $(DEP_LIBS)
check_PROGRAMS += tests/unit/test_dp_fwd
tests_unit_test_dp_fwd_SOURCES = tests/unit/test_dp_fwd.c
tests_unit_test_dp_fwd_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_unit_test_dp_fwd_LDADD = server/libdp.a server/librgstore.a \
	server/librgcore.a $(DEP_LIBS)
check_PROGRAMS += tests/unit/test_dp_mq
tests_unit_test_dp_mq_SOURCES = tests/unit/test_dp_mq.c tests/unit/dp_test_lib.h
tests_unit_test_dp_mq_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_unit_test_dp_mq_LDADD = server/libdp.a server/libesp.a \
	server/librgcore.a $(DEP_LIBS)
