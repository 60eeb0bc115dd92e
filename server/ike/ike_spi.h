/*
 * ike_spi.h: the local SPIs of IKEv1 and IKEv2, from one table.  Our IKE
 * SPI (RFC 7296 3.1; the responder cookie of IKEv1, RFC 2408 3.1) and our
 * inbound ESP SPI (RFC 4303 2.1) must each be unique on this host whatever
 * version negotiated them: both engines allocate through the same table,
 * so an IKEv1 SA never gets an IKEv2 SA's SPI.  Each engine keeps its own
 * lookup from SPI to SA; this table only says which values are taken.
 */
#ifndef IKE_SPI_H
#define IKE_SPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ike_spis;

/* A table with one reference; NULL on allocation failure. */
struct ike_spis	*ike_spis_new(void);
/* Another holder (the IKEv1 engine beside the IKEv2 one). */
struct ike_spis	*ike_spis_ref(struct ike_spis *);
/* Drop a reference; the last one frees the table.  NULL is a no-op. */
void		 ike_spis_unref(struct ike_spis *);
/* Tests: the random source (default ike_random). */
void		 ike_spis_set_random(struct ike_spis *,
		    int (*rnd)(void *, size_t));

/* A fresh IKE SPI, never 0, not taken; -1 when none could be drawn. */
int		 ike_spi_ike_new(struct ike_spis *, uint64_t *spi);
void		 ike_spi_ike_release(struct ike_spis *, uint64_t spi);
bool		 ike_spi_ike_taken(const struct ike_spis *, uint64_t spi);
/* A fresh inbound ESP SPI, >= 256 (RFC 4303 2.1 reserves 1-255), not
 * taken; 0 when none could be drawn. */
uint32_t	 ike_spi_esp_new(struct ike_spis *);
void		 ike_spi_esp_release(struct ike_spis *, uint32_t spi);
bool		 ike_spi_esp_taken(const struct ike_spis *, uint32_t spi);
/* How many of each are taken. */
size_t		 ike_spi_ike_count(const struct ike_spis *);
size_t		 ike_spi_esp_count(const struct ike_spis *);

#endif
