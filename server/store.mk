# server/store.mk: the state store (SQLite only here), server/librgstore.a.
noinst_LIBRARIES += server/librgstore.a
server_librgstore_a_SOURCES = \
	server/store.c server/store.h server/store_int.h \
	server/store_schema.c server/store_valid.c server/store_obj.c \
	server/store_config.c server/store_state.c server/store_secret.c

check_PROGRAMS += tests/unit/test_store
tests_unit_test_store_SOURCES = tests/unit/test_store.c
tests_unit_test_store_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_unit_test_store_LDADD = server/librgstore.a server/librgcore.a $(DEP_LIBS)
