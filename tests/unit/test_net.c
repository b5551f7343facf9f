/*
 * test_net.c - addresses and CIDR blocks (net.c), as a specification: what
 * parses, in what canonical form, and which addresses each block holds.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <stdlib.h>

#include "check.h"
#include "net.h"

static const struct {
	int line;
	const char *in;
	const char *want;           /* canonical form; NULL: refused */
} addr_cases[] = {
	{ __LINE__, "192.0.2.7", "192.0.2.7" },
	{ __LINE__, "0.0.0.0", "0.0.0.0" },
	{ __LINE__, "255.255.255.255", "255.255.255.255" },
	{ __LINE__, "::1", "::1" },
	{ __LINE__, "2001:DB8:0:0::1", "2001:db8::1" },
	{ __LINE__, "::ffff:192.0.2.7", "192.0.2.7" },      /* mapped: the IPv4 client */
	{ __LINE__, "::FFFF:c000:0207", "192.0.2.7" },
	{ __LINE__, "", NULL },
	{ __LINE__, " 192.0.2.7", NULL },
	{ __LINE__, "192.0.2.7 ", NULL },
	{ __LINE__, "192.0.2", NULL },
	{ __LINE__, "192.0.2.256", NULL },
	{ __LINE__, "192.0.2.07", NULL },                   /* no octal look-alikes */
	{ __LINE__, "0x7f.0.0.1", NULL },
	{ __LINE__, "192.0.2.7:8080", NULL },               /* no ports */
	{ __LINE__, "[2001:db8::1]", NULL },                /* no brackets */
	{ __LINE__, "fe80::1%eth0", NULL },                 /* no zones */
	{ __LINE__, "2001:db8::1::2", NULL },
	{ __LINE__, "unknown", NULL },
	{ __LINE__, "1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa:bbbb:cccc:dddd:eeee:ffff", NULL },
};

static void test_addresses(void)
{
	for (size_t i = 0; i < sizeof(addr_cases) / sizeof(addr_cases[0]); i++) {
		struct net_addr a;
		char out[NET_ADDR_STRLEN], what[128];
		int rc = net_addr_parse(addr_cases[i].in, strlen(addr_cases[i].in), &a);

		snprintf(what, sizeof(what), "line %d: address '%s'", addr_cases[i].line, addr_cases[i].in);
		if (addr_cases[i].want == NULL) {
			CHECK(rc != 0, what);
			continue;
		}
		CHECK(rc == 0, what);
		if (rc != 0)
			continue;
		net_addr_format(&a, out);
		CHECK_STR(out, addr_cases[i].want, what);
	}
}

static const struct {
	int line;
	const char *cidr;
	const char *addr;
	int match;                  /* -1: the block itself is refused */
} cidr_cases[] = {
	{ __LINE__, "10.0.0.0/8", "10.255.1.2", 1 },
	{ __LINE__, "10.0.0.0/8", "11.0.0.0", 0 },
	{ __LINE__, "10.0.0.0/8", "9.255.255.255", 0 },
	{ __LINE__, "192.168.4.0/22", "192.168.7.255", 1 },
	{ __LINE__, "192.168.4.0/22", "192.168.8.0", 0 },
	{ __LINE__, "192.0.2.7/32", "192.0.2.7", 1 },
	{ __LINE__, "192.0.2.7/32", "192.0.2.6", 0 },
	{ __LINE__, "192.0.2.7", "192.0.2.7", 1 },           /* bare: one host */
	{ __LINE__, "192.0.2.7", "192.0.2.8", 0 },
	{ __LINE__, "0.0.0.0/0", "203.0.113.9", 1 },         /* every IPv4 address */
	{ __LINE__, "0.0.0.0/0", "2001:db8::1", 0 },         /* but no IPv6 one */
	{ __LINE__, "::/0", "2001:db8::1", 1 },
	{ __LINE__, "::/0", "203.0.113.9", 0 },              /* and the other way round */
	{ __LINE__, "2001:db8::/32", "2001:db8:ffff::1", 1 },
	{ __LINE__, "2001:db8::/32", "2001:db9::1", 0 },
	{ __LINE__, "2001:db8::/33", "2001:db8:8000::1", 0 },
	{ __LINE__, "2001:db8::/33", "2001:db8:7fff::1", 1 },
	{ __LINE__, "::1/128", "::1", 1 },
	{ __LINE__, "::1/128", "::2", 0 },
	{ __LINE__, "::1", "::1", 1 },
	{ __LINE__, "10.0.0.0/8", "::ffff:10.1.2.3", 1 },     /* a mapped peer is its IPv4 self */
	{ __LINE__, "::ffff:10.0.0.0/104", "10.1.2.3", 1 },  /* a mapped block, its IPv4 block */
	{ __LINE__, "::ffff:10.0.0.0/104", "11.1.2.3", 0 },
	{ __LINE__, "10.0.0.1/8", "10.0.0.1", -1 },          /* host bits set */
	{ __LINE__, "2001:db8::1/64", "2001:db8::1", -1 },
	{ __LINE__, "10.0.0.0/33", "10.0.0.0", -1 },
	{ __LINE__, "::/129", "::1", -1 },
	{ __LINE__, "::ffff:10.0.0.0/95", "10.0.0.0", -1 },
	{ __LINE__, "10.0.0.0/", "10.0.0.0", -1 },
	{ __LINE__, "10.0.0.0/08", "10.0.0.0", -1 },
	{ __LINE__, "10.0.0.0/+8", "10.0.0.0", -1 },
	{ __LINE__, "10.0.0.0/-8", "10.0.0.0", -1 },
	{ __LINE__, "10.0.0.0/8/8", "10.0.0.0", -1 },
	{ __LINE__, "10.0.0.0/8x", "10.0.0.0", -1 },
	{ __LINE__, "10/8", "10.0.0.0", -1 },
	{ __LINE__, "/8", "10.0.0.0", -1 },
	{ __LINE__, "localhost", "127.0.0.1", -1 },
};

static void test_blocks(void)
{
	for (size_t i = 0; i < sizeof(cidr_cases) / sizeof(cidr_cases[0]); i++) {
		struct net_cidr c;
		struct net_addr a;
		char what[128];
		int rc = net_cidr_parse(cidr_cases[i].cidr, strlen(cidr_cases[i].cidr), &c);

		snprintf(what, sizeof(what), "line %d: %s holds %s", cidr_cases[i].line,
		    cidr_cases[i].cidr, cidr_cases[i].addr);
		if (cidr_cases[i].match < 0) {
			CHECK(rc != 0, what);
			continue;
		}
		CHECK(rc == 0, what);
		CHECK(net_addr_parse(cidr_cases[i].addr, strlen(cidr_cases[i].addr), &a) == 0, what);
		if (rc == 0)
			CHECK(net_cidr_match(&c, &a) == cidr_cases[i].match, what);
	}
}

static int list_holds(const struct net_cidrs *l, const char *addr)
{
	struct net_addr a;

	return net_addr_parse(addr, strlen(addr), &a) == 0 && net_cidrs_match(l, &a);
}

static void test_lists(void)
{
	struct net_cidrs l;
	char bad[72] = "";

	CHECK(net_cidrs_parse("", &l, bad, sizeof(bad)) == NET_LIST_OK && l.n == 0,
	    "the empty list (the default) parses");
	CHECK(!list_holds(&l, "127.0.0.1"), "and trusts nobody, not even loopback");
	CHECK(!net_cidrs_match(NULL, NULL), "no list at all trusts nobody");
	net_cidrs_free(&l);

	CHECK(net_cidrs_parse(" \t, ", &l, bad, sizeof(bad)) == NET_LIST_OK && l.n == 0,
	    "separators alone are the empty list");
	net_cidrs_free(&l);

	CHECK(net_cidrs_parse("10.0.0.0/8, 192.168.1.10 2001:db8::/32,,::1\t", &l, bad, sizeof(bad))
	    == NET_LIST_OK && l.n == 4, "commas and blanks separate entries, in any mix");
	CHECK(list_holds(&l, "10.9.8.7"), "an address in the first block is trusted");
	CHECK(list_holds(&l, "192.168.1.10"), "a bare address is trusted");
	CHECK(!list_holds(&l, "192.168.1.11"), "its neighbour is not");
	CHECK(list_holds(&l, "2001:db8:1::5"), "an IPv6 block holds its addresses");
	CHECK(list_holds(&l, "::1"), "the last entry counts too");
	CHECK(!list_holds(&l, "203.0.113.9"), "anything else is not trusted");
	net_cidrs_free(&l);
	CHECK(l.items == NULL && l.n == 0, "free leaves an empty list");

	CHECK(net_cidrs_parse("10.0.0.0/8, 10.0.0.1/8, ::1", &l, bad, sizeof(bad)) == NET_LIST_BAD,
	    "one bad entry refuses the list");
	CHECK_STR(bad, "10.0.0.1/8", "and the refusal names that entry");
	CHECK(l.items == NULL && l.n == 0, "a refused list holds nothing");
	CHECK(net_cidrs_parse("10.0.0.0/8;192.168.0.0/16", &l, bad, sizeof(bad)) == NET_LIST_BAD,
	    "a semicolon is not a separator");
	CHECK_STR(bad, "10.0.0.0/8;192.168.0.0/16", "and the whole run is named");
}

/* Which addresses a webhook may reach (net_addr_internal), edges included. */
static const struct {
	int line;
	const char *addr;
	int internal;
} internal_cases[] = {
	{ __LINE__, "0.0.0.0", 1 },
	{ __LINE__, "0.255.255.255", 1 },
	{ __LINE__, "1.0.0.0", 0 },
	{ __LINE__, "9.255.255.255", 0 },
	{ __LINE__, "10.0.0.0", 1 },
	{ __LINE__, "10.255.255.255", 1 },
	{ __LINE__, "11.0.0.0", 0 },
	{ __LINE__, "100.63.255.255", 0 },
	{ __LINE__, "100.64.0.0", 1 },
	{ __LINE__, "100.127.255.255", 1 },
	{ __LINE__, "100.128.0.0", 0 },
	{ __LINE__, "126.255.255.255", 0 },
	{ __LINE__, "127.0.0.1", 1 },
	{ __LINE__, "127.255.255.255", 1 },
	{ __LINE__, "128.0.0.0", 0 },
	{ __LINE__, "169.253.255.255", 0 },
	{ __LINE__, "169.254.169.254", 1 },                 /* cloud metadata */
	{ __LINE__, "169.255.0.0", 0 },
	{ __LINE__, "172.15.255.255", 0 },
	{ __LINE__, "172.16.0.0", 1 },
	{ __LINE__, "172.31.255.255", 1 },
	{ __LINE__, "172.32.0.0", 0 },
	{ __LINE__, "192.167.255.255", 0 },
	{ __LINE__, "192.168.0.1", 1 },
	{ __LINE__, "192.169.0.0", 0 },
	{ __LINE__, "8.8.8.8", 0 },
	{ __LINE__, "93.184.216.34", 0 },
	{ __LINE__, "::", 1 },
	{ __LINE__, "::1", 1 },
	{ __LINE__, "::2", 1 },                             /* IPv4-compatible space */
	{ __LINE__, "::ffff:127.0.0.1", 1 },                /* mapped: judged as IPv4 */
	{ __LINE__, "::ffff:10.1.2.3", 1 },
	{ __LINE__, "::ffff:169.254.169.254", 1 },
	{ __LINE__, "::ffff:8.8.8.8", 0 },
	{ __LINE__, "fbff:ffff::1", 0 },
	{ __LINE__, "fc00::1", 1 },
	{ __LINE__, "fd12:3456::1", 1 },
	{ __LINE__, "fe00::1", 0 },
	{ __LINE__, "fe80::1", 1 },
	{ __LINE__, "febf:ffff::1", 1 },
	{ __LINE__, "fec0::1", 0 },
	{ __LINE__, "2001:db8::1", 0 },
	{ __LINE__, "2606:4700::1111", 0 },
};

static void test_internal(void)
{
	for (size_t i = 0; i < sizeof(internal_cases) / sizeof(internal_cases[0]); i++) {
		struct net_addr a;
		char what[96];

		snprintf(what, sizeof(what), "line %d: %s is %s", internal_cases[i].line, internal_cases[i].addr,
		    internal_cases[i].internal ? "internal" : "public");
		CHECK(net_addr_parse(internal_cases[i].addr, strlen(internal_cases[i].addr), &a) == 0, what);
		CHECK(net_addr_internal(&a) == internal_cases[i].internal, what);
	}
}

/* The address libcurl hands the open-socket callback, as a net_addr. */
static void test_sockaddr(void)
{
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in s4 = { .sin_family = AF_INET };
	struct sockaddr other = { .sa_family = AF_UNIX };
	struct net_addr a;

	inet_pton(AF_INET, "10.9.8.7", &s4.sin_addr);
	CHECK(net_addr_from_sockaddr((struct sockaddr *)&s4, &a) == 0 && a.family == AF_INET &&
	    net_addr_internal(&a), "an IPv4 socket address reads as its address");
	inet_pton(AF_INET6, "::ffff:127.0.0.1", &s6.sin6_addr);
	CHECK(net_addr_from_sockaddr((struct sockaddr *)&s6, &a) == 0 && a.family == AF_INET &&
	    net_addr_internal(&a), "a mapped IPv6 socket address is its IPv4 address");
	CHECK(net_addr_from_sockaddr(&other, &a) == -1, "another family is refused");
	CHECK(net_addr_from_sockaddr(NULL, &a) == -1, "no address is refused");
}

int main(void)
{
	test_addresses();
	test_blocks();
	test_lists();
	test_internal();
	test_sockaddr();
	return check_done("test_net");
}
