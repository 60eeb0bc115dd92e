# server/ike.mk: build fragment (included by the top Makefile.am)
