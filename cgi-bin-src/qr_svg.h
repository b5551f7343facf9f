/*
 * qr_svg.h - the QR code a user scans to enrol an authenticator app, as
 * SVG text.
 *
 * libqrencode computes the symbol (error correction level M, which survives
 * a smudged screen without growing the code much); this module only draws
 * it: a white square with the 4-module quiet zone the QR specification
 * requires, and one <path> holding every dark module, runs of a row merged
 * into one rectangle to keep the text small.  Pages show it as
 * <img src="data:image/svg+xml;base64,...">, which the Content Security
 * Policy allows where inline SVG and scripts are not, so the data URI form
 * is provided too.
 *
 * The picture encodes the TOTP secret: every string returned here is
 * malloc'd, owned by the caller, and released with qr_svg_free(), which
 * wipes it first.
 */
#ifndef GAUGE_QR_SVG_H
#define GAUGE_QR_SVG_H

#define QR_SVG_QUIET 4                  /* modules of white on each side */
#define QR_SVG_SCALE 4                  /* CSS pixels per module, by default */

/* SVG for text; NULL when text is empty, too long for a QR code, or memory
 * runs out. */
char *qr_svg(const char *text);
/* "data:image/svg+xml;base64,..." of qr_svg(text); NULL likewise. */
char *qr_svg_data_uri(const char *text);
/* Wipes and frees a string from this module; NULL is fine. */
void  qr_svg_free(char *s);

/* Draws a width x width module matrix in libqrencode's layout (row-major,
 * bit 0 set for a dark module); exposed so a unit test can compare what is
 * drawn with what was encoded.  NULL on a bad width or no memory. */
char *qr_svg_render(const unsigned char *modules, int width);

#endif
