/*
 * net.c - IP addresses and CIDR blocks (see net.h).
 *
 * inet_pton() does the parsing: it takes only the plain dotted quad (no
 * octal, hex or short forms, no leading zeros) and the RFC 4291 IPv6 forms,
 * which is exactly what web servers write into REMOTE_ADDR and proxies into
 * X-Forwarded-For.  Everything else here is byte comparison.
 */
#include "net.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NET_TEXT_MAX 64             /* longer than any address with a prefix */

static const unsigned char net_v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

int net_addr_parse(const char *s, size_t len, struct net_addr *out)
{
	char buf[NET_TEXT_MAX];

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	memset(out, 0, sizeof(*out));
	if (memchr(buf, ':', len) == NULL) {
		out->family = AF_INET;
		return inet_pton(AF_INET, buf, out->b) == 1 ? 0 : -1;
	}
	if (inet_pton(AF_INET6, buf, out->b) != 1)
		return -1;
	out->family = AF_INET6;
	if (memcmp(out->b, net_v4_mapped, sizeof(net_v4_mapped)) == 0) {
		memmove(out->b, out->b + 12, 4);
		memset(out->b + 4, 0, 12);
		out->family = AF_INET;
	}
	return 0;
}

void net_addr_format(const struct net_addr *a, char out[NET_ADDR_STRLEN])
{
	if (inet_ntop(a->family, a->b, out, NET_ADDR_STRLEN) == NULL)
		snprintf(out, NET_ADDR_STRLEN, "unknown");
}

static unsigned net_family_bits(int family)
{
	return family == AF_INET ? 32 : 128;
}

/* Whether the first bits bits of x and y are equal. */
static int net_prefix_equal(const unsigned char *x, const unsigned char *y, unsigned bits)
{
	size_t whole = bits / 8;
	unsigned rest = bits % 8;
	unsigned char mask = (unsigned char)(0xff << (8 - rest));

	if (memcmp(x, y, whole) != 0)
		return 0;
	return rest == 0 || ((x[whole] ^ y[whole]) & mask) == 0;
}

/* 1 to 3 digits, no leading zero but "0" itself; -1 otherwise. */
static int net_prefix_len(const char *s, size_t len)
{
	int n = 0;

	if (len == 0 || len > 3 || (s[0] == '0' && len > 1))
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		n = n * 10 + (s[i] - '0');
	}
	return n;
}

int net_cidr_parse(const char *s, size_t len, struct net_cidr *out)
{
	const char *slash = memchr(s, '/', len);
	size_t alen = slash != NULL ? (size_t)(slash - s) : len;
	unsigned max;
	int bits, mapped;

	if (net_addr_parse(s, alen, &out->net) != 0)
		return -1;
	max = net_family_bits(out->net.family);
	if (slash == NULL) {
		out->bits = max;
		return 0;
	}
	/* ::ffff:10.0.0.0/104 is 10.0.0.0/8: the block follows its address. */
	mapped = out->net.family == AF_INET && memchr(s, ':', alen) != NULL;
	bits = net_prefix_len(slash + 1, len - alen - 1);
	if (bits < 0 || (unsigned)bits > (mapped ? 128 : max) || (mapped && bits < 96))
		return -1;
	out->bits = (unsigned)(mapped ? bits - 96 : bits);
	for (unsigned i = out->bits; i < max; i++)
		if (out->net.b[i / 8] & (0x80 >> (i % 8)))
			return -1;      /* host bits set */
	return 0;
}

int net_cidr_match(const struct net_cidr *c, const struct net_addr *a)
{
	return c->net.family == a->family && net_prefix_equal(c->net.b, a->b, c->bits);
}

int net_cidrs_match(const struct net_cidrs *l, const struct net_addr *a)
{
	for (size_t i = 0; l != NULL && i < l->n; i++)
		if (net_cidr_match(&l->items[i], a))
			return 1;
	return 0;
}

static int net_list_sep(char c)
{
	return c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

enum net_list_err net_cidrs_parse(const char *s, struct net_cidrs *out, char *bad, size_t badlen)
{
	size_t cap = 0;
	const char *p;

	out->items = NULL;
	out->n = 0;
	for (p = s; *p != '\0'; p++)
		if (!net_list_sep(*p) && (p == s || net_list_sep(p[-1])))
			cap++;
	if (cap == 0)
		return NET_LIST_OK;
	if ((out->items = calloc(cap, sizeof(*out->items))) == NULL)
		return NET_LIST_NOMEM;
	for (p = s; *p != '\0';) {
		size_t len = 0;

		while (net_list_sep(*p))
			p++;
		while (p[len] != '\0' && !net_list_sep(p[len]))
			len++;
		if (len == 0)
			break;
		if (net_cidr_parse(p, len, &out->items[out->n]) != 0) {
			snprintf(bad, badlen, "%.*s", (int)(len > 64 ? 64 : len), p);
			net_cidrs_free(out);
			return NET_LIST_BAD;
		}
		out->n++;
		p += len;
	}
	return NET_LIST_OK;
}

void net_cidrs_free(struct net_cidrs *l)
{
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

/* Blocks a webhook must not reach unless an operator allows it: this host,
 * private networks, link-local (cloud metadata at 169.254.169.254 among
 * them) and the carrier-grade NAT range.  IPv4-mapped IPv6 addresses were
 * turned into IPv4 by net_addr_parse(), so they are judged as IPv4. */
static const char *const net_internal_blocks[] = {
	"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
	"172.16.0.0/12", "192.168.0.0/16",
	"::/96",            /* unspecified, loopback, IPv4-compatible */
	"fc00::/7", "fe80::/10",
};

int net_addr_internal(const struct net_addr *a)
{
	for (size_t i = 0; i < sizeof(net_internal_blocks) / sizeof(net_internal_blocks[0]); i++) {
		struct net_cidr c;

		if (net_cidr_parse(net_internal_blocks[i], strlen(net_internal_blocks[i]), &c) == 0 &&
		    net_cidr_match(&c, a))
			return 1;
	}
	return 0;
}

int net_addr_from_sockaddr(const struct sockaddr *sa, struct net_addr *out)
{
	char text[NET_ADDR_STRLEN];
	const void *bytes;

	if (sa == NULL)
		return -1;
	if (sa->sa_family == AF_INET)
		bytes = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	else if (sa->sa_family == AF_INET6)
		bytes = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
	else
		return -1;
	/* Through the text form, so a mapped address becomes IPv4 by the one
	 * rule net_addr_parse() already keeps. */
	if (inet_ntop(sa->sa_family, bytes, text, sizeof(text)) == NULL)
		return -1;
	return net_addr_parse(text, strlen(text), out);
}
