/*
 * web_https.h: the HTTPS and plain HTTP listeners (web_https.c), owned by
 * struct web.
 */
#ifndef WEB_HTTPS_H
#define WEB_HTTPS_H

struct rg_config;
struct rg_loop;
struct web_ctx;
struct web_https;

struct web_https *web_https_new(struct rg_loop *, struct web_ctx *);
/* Take the settings from the store and the PKI from cfg; applied from
 * the loop right after. */
void	web_https_configure(struct web_https *, const struct rg_config *);
void	web_https_free(struct web_https *);

#endif
