# server/daemon.mk: roadgated, the daemon (server/rg_main.c).  It links the
# engines (server/librgengine.a and whatever the lead lists in
# RG_ENGINE_LIBS), the admin API (web/librgweb.a), the store and the core.
bin_PROGRAMS += roadgated
roadgated_SOURCES = server/rg_main.c server/rg_daemon.h \
	server/rg_daemon_hooks.c
roadgated_LDADD = web/librgweb.a server/librgengine.a $(RG_ENGINE_LIBS) \
	server/librgstore.a server/librgcore.a $(DEP_LIBS)
