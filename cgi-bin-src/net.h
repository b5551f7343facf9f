/*
 * net.h - IP addresses and CIDR blocks as typed values.
 *
 * Addresses arrive as text (REMOTE_ADDR, X-Forwarded-For, the config's
 * http.trusted_proxies); they are parsed once into struct net_addr and
 * compared as bytes from then on.  An IPv4-mapped IPv6 address
 * (::ffff:192.0.2.1, what a dual-stack socket reports for an IPv4 peer) is
 * the IPv4 address: one client is one counter and one trust decision,
 * whichever way the web server happened to write it.  Matching is pure.
 */
#ifndef GAUGE_NET_H
#define GAUGE_NET_H

#include <stddef.h>

#define NET_ADDR_STRLEN 46          /* INET6_ADDRSTRLEN: the longest text form + NUL */

struct net_addr {
	int family;                 /* AF_INET (b[0..3]) or AF_INET6 (b[0..15]) */
	unsigned char b[16];
};

struct net_cidr {
	struct net_addr net;        /* host bits are zero */
	unsigned bits;              /* 0..32 or 0..128 */
};

struct net_cidrs {
	struct net_cidr *items;     /* owned; net_cidrs_free() */
	size_t n;
};

/* A bare address (no port, brackets or zone) of len bytes: 0, or -1. */
int  net_addr_parse(const char *s, size_t len, struct net_addr *out);
/* The canonical text form (inet_ntop; IPv4 for mapped addresses). */
void net_addr_format(const struct net_addr *a, char out[NET_ADDR_STRLEN]);
/* "addr/bits" or a bare address (one host).  -1 on a malformed block, a
 * prefix too long for the family, or host bits set ("10.0.0.1/8"): an
 * admin who wrote that meant something we would only be guessing at. */
int  net_cidr_parse(const char *s, size_t len, struct net_cidr *out);
int  net_cidr_match(const struct net_cidr *c, const struct net_addr *a);

enum net_list_err { NET_LIST_OK = 0, NET_LIST_BAD = -1, NET_LIST_NOMEM = -2 };
/* Blocks separated by commas and/or blanks; "" is the empty list.  On
 * NET_LIST_BAD the offending entry is copied (truncated) into bad. */
enum net_list_err net_cidrs_parse(const char *s, struct net_cidrs *out, char *bad, size_t badlen);
int  net_cidrs_match(const struct net_cidrs *l, const struct net_addr *a);
void net_cidrs_free(struct net_cidrs *l);

struct sockaddr;
/* A socket address (AF_INET or AF_INET6) as a net_addr: 0, or -1 for any
 * other family. */
int  net_addr_from_sockaddr(const struct sockaddr *sa, struct net_addr *out);
/* 1 when a is on this host, a private network, link-local or shared
 * (CGNAT) space: 0.0.0.0/8, 10/8, 100.64/10, 127/8, 169.254/16, 172.16/12,
 * 192.168/16, ::/96 (::, ::1), fc00::/7, fe80::/10 (IPv4-mapped addresses count as
 * their IPv4 address).  Webhooks refuse these unless allowed. */
int  net_addr_internal(const struct net_addr *a);

#endif
