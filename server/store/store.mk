# server/store/store.mk: the state store (SQLite only here), server/librgstore.a.
noinst_LIBRARIES += server/librgstore.a
server_librgstore_a_SOURCES = \
	server/store/store.c server/store/store.h server/store/store_int.h \
	server/store/store_schema.c server/store/store_valid.c server/store/store_obj.c \
	server/store/store_config.c server/store/store_state.c server/store/store_secret.c \
	server/store/store_admin.c server/store/store_acct.c

check_PROGRAMS += tests/unit/test_store
tests_unit_test_store_SOURCES = tests/unit/test_store.c
tests_unit_test_store_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_unit_test_store_LDADD = server/librgstore.a server/librgcore.a $(DEP_LIBS)

# The API request path (web_dispatch over a real store) under the fuzzer.
check_PROGRAMS += tests/unit/test_fuzz_web_api
tests_unit_test_fuzz_web_api_SOURCES = tests/fuzz/fuzz_web_api.c \
	tests/fuzz/fuzz_driver.c
tests_unit_test_fuzz_web_api_LDADD = web/librgweb.a server/librgstore.a \
	server/librgcore.a $(DEP_LIBS)

# Persistence cost per lease in the real store (tests/bench/pool.sh).
check_PROGRAMS += tests/tools/store-lease-bench
tests_tools_store_lease_bench_SOURCES = tests/tools/store-lease-bench.c
tests_tools_store_lease_bench_LDADD = server/librgstore.a server/librgcore.a \
	$(DEP_LIBS)
