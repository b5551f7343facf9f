/*
 * store_internal.h - what the store_*.c modules share and nobody else needs:
 * libmongoc types stay out of the headers the handlers include.
 */
#ifndef GAUGE_STORE_INTERNAL_H
#define GAUGE_STORE_INTERNAL_H

#include <mongoc/mongoc.h>
#include <time.h>

struct store;

/* The readings collection, owned by the store; its writes are journaled. */
mongoc_collection_t *store_readings_collection(struct store *s);
/* A new ObjectId for a document this process inserts (see store.c). */
void store_oid_new(bson_oid_t *oid, time_t now);
/* STORE_DOWN for "cannot reach MongoDB", STORE_ERROR for everything else. */
int store_error_status(const bson_error_t *e);

#endif
