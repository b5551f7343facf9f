/*
 * page_device_common.h - what the device pages share: the device in the
 * path (page_devices.c, page_device_settings.c), its template fields, the
 * account's groups (for the group pickers of the device and alert pages,
 * and the groups page) and the page that shows a new device key once.
 */
#ifndef GAUGE_PAGE_DEVICE_COMMON_H
#define GAUGE_PAGE_DEVICE_COMMON_H

struct app;
struct page_ctx;
struct api_device_row;

/* Device uid in the account, as db_dev_get() answers (DB_OK, DB_NOTFOUND
 * or a failure); a malformed id is DB_NOTFOUND without a query. */
int page_device_get(struct app *app, long long account_id, const char *uid,
    struct api_device_row *d);
/* The device in the path, in the user's account: 0, or the 404 or 503
 * page already sent and its status. */
int page_device_or_reply(struct page_ctx *p, const char *uid, struct api_device_row *d);
/* Puts the device's fields under prefix (prefix.id, .name, .group, ...). */
void page_hdf_device(struct page_ctx *p, const char *prefix, const struct api_device_row *d);
/* Fills groups.N (id, name, count of devices) for the group pickers and
 * the groups page; 0 on success, -1 if the database failed. */
int page_groups_options(struct page_ctx *p);
/* Renders the "here is the key, shown once" page (201) and returns its status. */
int page_key_shown(struct page_ctx *p, const struct api_device_row *d, const char *key,
    const char *why);

#endif
