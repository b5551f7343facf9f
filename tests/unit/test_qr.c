/*
 * test_qr.c - the enrolment QR code: well-formed SVG of the right size,
 * every module libqrencode encoded drawn exactly once and nothing else
 * drawn, and a data URI that carries the same SVG.  Decoding the picture
 * is libqrencode's business and out of scope here.
 */
#include "qr_svg.h"
#include "check.h"

#include <openssl/evp.h>
#include <qrencode.h>
#include <stdlib.h>

#define URI "otpauth://totp/Gauge:alice@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" \
	"&issuer=Gauge&algorithm=SHA1&digits=6&period=30"

static size_t count(const char *s, const char *what)
{
	size_t n = 0;

	for (const char *p = s; (p = strstr(p, what)) != NULL; p += strlen(what))
		n++;
	return n;
}

/* Paints the path's rectangles onto a size x size grid, refusing anything
 * but "Mx yhNv1h-Nz" runs, runs off the grid and modules painted twice.
 * Returns the number of unit squares drawn, or -1. */
static long paint(const char *svg, unsigned char *grid, int size)
{
	const char *d = strstr(svg, " d=\"");
	long squares = 0;
	int x, y, w, back, used;

	if (d == NULL)
		return -1;
	for (d += 4; *d == 'M'; d += used) {
		used = 0;
		if (sscanf(d, "M%d %dh%dv1h-%dz%n", &x, &y, &w, &back, &used) != 4 || used == 0 ||
		    w != back || w <= 0 || x < 0 || y < 0 || x + w > size || y >= size)
			return -1;
		for (int i = x; i < x + w; i++) {
			if (grid[y * size + i])
				return -1;
			grid[y * size + i] = 1;
		}
		squares += w;
	}
	return *d == '"' ? squares : -1;
}

static void test_matrix_drawn_one_to_one(void)
{
	QRcode *qr = QRcode_encodeString(URI, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	char *svg = qr_svg(URI), want[64];
	int w, size, same = 1, quiet_clear = 1;
	long dark = 0, squares;
	unsigned char *grid;

	CHECK(qr != NULL && svg != NULL, "the URI encodes and renders");
	if (qr == NULL || svg == NULL)
		goto done;
	w = qr->width;
	size = w + 2 * QR_SVG_QUIET;
	grid = calloc((size_t)size * (size_t)size, 1);
	for (int i = 0; i < w * w; i++)
		dark += qr->data[i] & 1;
	squares = paint(svg, grid, size);
	CHECK(squares > 0, "the path is made only of non-overlapping module runs");
	CHECK(squares == dark, "as many unit squares are drawn as the matrix has dark modules");
	for (int y = 0; y < size; y++)
		for (int x = 0; x < size; x++) {
			int inside = x >= QR_SVG_QUIET && x < QR_SVG_QUIET + w &&
			    y >= QR_SVG_QUIET && y < QR_SVG_QUIET + w;

			if (!inside && grid[y * size + x])
				quiet_clear = 0;
			if (inside && grid[y * size + x] !=
			    (qr->data[(y - QR_SVG_QUIET) * w + x - QR_SVG_QUIET] & 1))
				same = 0;
		}
	CHECK(same, "each module is dark in the SVG exactly when it is dark in the ECC-M matrix");
	CHECK(quiet_clear, "nothing is drawn in the 4-module quiet zone");
	snprintf(want, sizeof(want), "viewBox=\"0 0 %d %d\"", size, size);
	CHECK(strstr(svg, want) != NULL, "the viewBox is the symbol plus 8 modules each way");
	CHECK(w == 45, "at level M this URI takes a version 7 symbol (width 45; level L would fit 41)");
	free(grid);
done:
	QRcode_free(qr);
	qr_svg_free(svg);
}

static void test_well_formed(void)
{
	char *svg = qr_svg(URI);
	size_t len = svg != NULL ? strlen(svg) : 0;

	CHECK(svg != NULL && strncmp(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\" ", 40) == 0,
	    "the text starts with an <svg> element in the SVG namespace");
	if (svg == NULL)
		return;
	CHECK(len > 6 && strcmp(svg + len - 6, "</svg>") == 0, "it ends by closing <svg>");
	CHECK(count(svg, "<") == 4 && count(svg, ">") == 4, "four tags: svg, rect, path, /svg");
	CHECK(count(svg, "<path ") == 1 && count(svg, "<rect ") == 1 && count(svg, "/>") == 2,
	    "one self-closed white rect and one self-closed path");
	CHECK(count(svg, "\"") % 2 == 0, "attribute quotes pair up");
	CHECK(strstr(svg, "<script") == NULL && strstr(svg, "style") == NULL,
	    "no script and no style that a CSP would have to allow");
	qr_svg_free(svg);
}

static void test_render_edges(void)
{
	unsigned char m[21 * 21];
	char *svg;

	memset(m, 1, sizeof(m));
	svg = qr_svg_render(m, 21);
	CHECK(svg != NULL && count(svg, "M") == 21 && count(svg, "h21v1h-21z") == 21,
	    "a dark row is drawn as one run, not 21 squares");
	qr_svg_free(svg);
	for (size_t i = 0; i < sizeof(m); i++)
		m[i] = (unsigned char)(0xfe | (i % 2));     /* only bit 0 counts */
	svg = qr_svg_render(m, 21);
	CHECK(svg != NULL && count(svg, "M") == 21 * 21 / 2 && count(svg, "h1v1h-1z") == 21 * 21 / 2,
	    "alternating modules are single squares, read from bit 0 only");
	qr_svg_free(svg);
	CHECK(qr_svg_render(m, 0) == NULL && qr_svg_render(m, 178) == NULL &&
	    qr_svg_render(NULL, 21) == NULL, "impossible matrices are refused");
}

static void test_refusals(void)
{
	char *big = malloc(8000);

	CHECK(qr_svg("") == NULL && qr_svg(NULL) == NULL, "nothing to encode gives no SVG");
	if (big == NULL)
		return;
	memset(big, 'x', 7999);
	big[7999] = '\0';
	CHECK(qr_svg(big) == NULL && qr_svg_data_uri(big) == NULL,
	    "text beyond a version 40 symbol gives NULL, not a broken picture");
	free(big);
	qr_svg_free(NULL);
}

static void test_data_uri(void)
{
	static const char prefix[] = "data:image/svg+xml;base64,";
	char *svg = qr_svg(URI), *uri = qr_svg_data_uri(URI);
	unsigned char *dec = NULL;
	int n = -1;

	CHECK(uri != NULL && strncmp(uri, prefix, sizeof(prefix) - 1) == 0,
	    "the data URI names the SVG type and base64");
	if (svg != NULL && uri != NULL && (dec = malloc(strlen(uri))) != NULL)
		n = EVP_DecodeBlock(dec, (const unsigned char *)uri + sizeof(prefix) - 1,
		    (int)strlen(uri + sizeof(prefix) - 1));
	CHECK(svg != NULL && dec != NULL && n >= (int)strlen(svg) && n < (int)strlen(svg) + 3 &&
	    memcmp(dec, svg, strlen(svg)) == 0, "the data URI decodes to the same SVG");
	CHECK(uri != NULL && strspn(uri + sizeof(prefix) - 1,
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") ==
	    strlen(uri + sizeof(prefix) - 1), "the payload is plain base64, nothing to escape in HTML");
	free(dec);
	qr_svg_free(svg);
	qr_svg_free(uri);
}

int main(void)
{
	test_matrix_drawn_one_to_one();
	test_well_formed();
	test_render_edges();
	test_refusals();
	test_data_uri();
	return check_done("test_qr");
}
