/*
 * page_keys.h - the key table and the grace choice shared by the device
 * settings page and the account page (see page_keys.c).
 */
#ifndef GAUGE_PAGE_KEYS_H
#define GAUGE_PAGE_KEYS_H

#include "auth_key.h"
#include "page.h"

/* A device's (KEY_DEVICE, owner = device id) or an account's (KEY_ACCOUNT,
 * owner = account id) keys as keys.N.{id, prefix, status, created, expires,
 * revoked, last_used, last_ip}, and the grace choices as
 * graces.N.{value, label}; -1 when the database is down. */
int page_keys(struct page_ctx *p, enum key_kind kind, long long owner_id);
/* The posted "grace" field as seconds (and its label): -1 unless it is one
 * of the choices page_keys offered. */
int page_key_grace(const struct page_ctx *p, unsigned *grace, const char **label);

/* "2026-11-24 18:00:35 UTC", or "" for 0: how pages print an instant. */
#define PAGE_TIME_LEN 32
void page_time(long long ms, char out[PAGE_TIME_LEN]);

#endif
