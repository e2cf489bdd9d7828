/* SPDX-License-Identifier: MIT */
/*
 * icalwire.c: the encoding of closerd's requests to closerd-ical and of its
 * responses (see icalwire.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "icalwire.h"
#include "macro.h"

/* --- writing --- */

void icalbuf_put(IcalBuf *b, const void *p, size_t n) {
        if (b->failed || n == 0)
                return;
        if (n > SIZE_MAX / 2 - b->len) {
                b->failed = true;
                return;
        }
        if (b->len + n > b->size) {
                size_t size = MAX(MAX(b->size * 2, b->len + n), (size_t) 4096);
                char *d = realloc(b->data, size);
                if (!d) {
                        b->failed = true;
                        return;
                }
                b->data = d;
                b->size = size;
        }
        memcpy(b->data + b->len, p, n);
        b->len += n;
}

void icalbuf_clear(IcalBuf *b) {
        free(b->data);
        *b = (IcalBuf) {};
}

static void put_i64(IcalBuf *b, int64_t v) {
        icalbuf_put(b, &v, sizeof(v));
}

/* A string: its length (UINT32_MAX for NULL), then its bytes. */
static void put_str(IcalBuf *b, const char *s) {
        size_t n = s ? strlen(s) : 0;
        if (n >= UINT32_MAX) {
                b->failed = true;
                return;
        }
        uint32_t len = s ? (uint32_t) n : UINT32_MAX;
        icalbuf_put(b, &len, sizeof(len));
        icalbuf_put(b, s, n);
}

/* A blob: like a string, but NUL bytes allowed and its length given. */
static void put_blob(IcalBuf *b, const char *p, size_t n) {
        if (n >= UINT32_MAX) {
                b->failed = true;
                return;
        }
        uint32_t len = p ? (uint32_t) n : UINT32_MAX;
        icalbuf_put(b, &len, sizeof(len));
        if (p)
                icalbuf_put(b, p, n);
}

/* --- reading --- */

typedef struct Cursor {
        const char *p;
        size_t left;
} Cursor;

static int get(Cursor *c, void *out, size_t n) {
        if (c->left < n)
                return -EBADMSG;
        memcpy(out, c->p, n);
        c->p += n;
        c->left -= n;
        return 0;
}

/* An integer in [min, max]. */
static int get_int(Cursor *c, int64_t min, int64_t max, int64_t *ret) {
        int64_t v;
        int r = get(c, &v, sizeof(v));
        if (r < 0)
                return r;
        if (v < min || v > max)
                return -EBADMSG;
        *ret = v;
        return 0;
}

/* A blob of at most max bytes, pointing into the input (NULL: none). */
static int get_blob(Cursor *c, size_t max, const char **ret, size_t *ret_len) {
        uint32_t len;
        int r = get(c, &len, sizeof(len));
        if (r < 0)
                return r;
        if (len == UINT32_MAX) {
                *ret = NULL;
                *ret_len = 0;
                return 0;
        }
        if (c->left < len || len > max)
                return -EBADMSG;
        *ret = c->p;
        *ret_len = len;
        c->p += len;
        c->left -= len;
        return 0;
}

static int get_str(Cursor *c, char **ret) {
        const char *p;
        size_t len;
        int r = get_blob(c, SIZE_MAX, &p, &len);
        if (r < 0)
                return r;
        if (!p) {
                *ret = NULL;
                return 0;
        }
        if (memchr(p, 0, len))
                return -EBADMSG;
        *ret = strndup(p, len);
        return *ret ? 0 : -ENOMEM;
}

/* A count of elements of at least min_bytes each: no more than the bytes
 * left could hold, so that no input makes the decoder allocate more. */
static int get_count(Cursor *c, size_t min_bytes, size_t *ret) {
        int64_t n;
        int r = get_int(c, 0, INT64_MAX, &n);
        if (r < 0)
                return r;
        if ((uint64_t) n > c->left / min_bytes)
                return -EBADMSG;
        *ret = (size_t) n;
        return 0;
}

/* A count as get_count() reads it, at most max, and a zeroed array of that
 * many elements of size bytes (NULL for none). */
static int get_array(Cursor *c, size_t min_bytes, size_t max, size_t size, void **ret, size_t *ret_n) {
        size_t n;
        *ret = NULL;
        int r = get_count(c, min_bytes, &n);
        if (r < 0)
                return r;
        if (n > max)
                return -EBADMSG;
        *ret_n = n;
        if (n > 0 && !(*ret = calloc(n, size)))
                return -ENOMEM;
        return 0;
}

/* --- items --- */

#define ITEM_BYTES_MIN (8 * 8 + 4 * 4) /* eight integers and four string lengths */

static void put_item(IcalBuf *b, const Item *it) {
        put_i64(b, it->id);
        put_str(b, it->uid);
        put_str(b, it->title);
        put_str(b, it->details);
        put_i64(b, it->category);
        put_i64(b, it->intensity);
        put_i64(b, it->private_);
        put_i64(b, it->sequence);
        put_i64(b, it->modified);
        put_i64(b, it->removed);
        put_i64(b, it->review);
        put_str(b, it->note);
}

static int get_item(Cursor *c, Item *it) {
        int64_t category, intensity, private_, removed, review;
        int r = get_int(c, INT64_MIN, INT64_MAX, &it->id);
        if (r >= 0)
                r = get_str(c, &it->uid);
        if (r >= 0)
                r = get_str(c, &it->title);
        if (r >= 0)
                r = get_str(c, &it->details);
        if (r >= 0)
                r = get_int(c, _CATEGORY_INVALID, _CATEGORY_MAX - 1, &category);
        if (r >= 0)
                r = get_int(c, INT_MIN, INT_MAX, &intensity);
        if (r >= 0)
                r = get_int(c, 0, 1, &private_);
        if (r >= 0)
                r = get_int(c, INT64_MIN, INT64_MAX, &it->sequence);
        if (r >= 0)
                r = get_int(c, INT64_MIN, INT64_MAX, &it->modified);
        if (r >= 0)
                r = get_int(c, 0, 1, &removed);
        if (r >= 0)
                r = get_int(c, _REVIEW_INVALID, _REVIEW_MAX - 1, &review);
        if (r >= 0)
                r = get_str(c, &it->note);
        if (r < 0)
                return r;
        it->category = (Category) category;
        it->intensity = (int) intensity;
        it->private_ = private_;
        it->removed = removed;
        it->review = (Review) review;
        return 0;
}

/* n items into a new array; *ret_n counts those to free, even on failure. */
static int get_items(Cursor *c, size_t n, Item **ret, size_t *ret_n) {
        *ret = NULL;
        *ret_n = 0;
        if (n == 0)
                return 0;
        *ret = calloc(n, sizeof(Item));
        if (!*ret)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                *ret_n = i + 1;
                int r = get_item(c, &(*ret)[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* --- a parsed list, from the helper to closerd --- */

int icalwire_encode_listfile(const ListFile *f, char **ret, size_t *ret_len) {
        IcalBuf b = {};
        put_i64(&b, (int64_t) f->n_items);
        put_i64(&b, (int64_t) f->skipped_components);
        put_str(&b, f->owner_name);
        put_str(&b, f->owner_id);
        for (size_t i = 0; i < f->n_items; i++)
                put_item(&b, &f->items[i]);
        if (b.failed) {
                icalbuf_clear(&b);
                return -ENOMEM;
        }
        *ret = b.data;
        *ret_len = b.len;
        return 0;
}

int icalwire_decode_listfile(const char *buf, size_t len, ListFile *ret) {
        Cursor c = { buf, len };
        ListFile f = {};
        int64_t n, skipped;
        int r = get_int(&c, 0, INT64_MAX, &n);
        if (r >= 0)
                r = get_int(&c, 0, INT64_MAX, &skipped);
        if (r >= 0)
                r = get_str(&c, &f.owner_name);
        if (r >= 0)
                r = get_str(&c, &f.owner_id);
        /* No more items than the bytes left could hold. */
        if (r >= 0 && (uint64_t) n > c.left / ITEM_BYTES_MIN)
                r = -EBADMSG;
        if (r >= 0)
                r = get_items(&c, (size_t) n, &f.items, &f.n_items);
        if (r >= 0 && c.left > 0)
                r = -EBADMSG;
        if (r < 0) {
                listfile_clear(&f);
                return r;
        }
        f.skipped_components = (size_t) skipped;
        *ret = f;
        return 0;
}

/* --- events --- */

#define EVENT_BYTES_MIN (6 * 8 + 4 * 4) /* six integers and four string lengths */

static void put_event(IcalBuf *b, const IcsEvent *e) {
        put_str(b, e->uid);
        put_i64(b, e->start);
        put_i64(b, e->end);
        put_i64(b, e->sequence);
        put_i64(b, e->last_modified);
        put_i64(b, e->cancelled);
        put_str(b, e->summary);
        put_str(b, e->description);
        put_i64(b, e->alarm_before);
        put_str(b, e->alarm_text);
}

static void event_clear(IcsEvent *e) {
        free((char *) e->uid);
        free((char *) e->summary);
        free((char *) e->description);
        free((char *) e->alarm_text);
        *e = (IcsEvent) {};
}

static int get_event(Cursor *c, IcsEvent *e) {
        char *uid = NULL, *summary = NULL, *description = NULL, *alarm_text = NULL;
        int64_t start, end, cancelled;
        int r = get_str(c, &uid);
        if (r >= 0)
                r = get_int(c, INT64_MIN, INT64_MAX, &start);
        if (r >= 0)
                r = get_int(c, INT64_MIN, INT64_MAX, &end);
        if (r >= 0)
                r = get_int(c, INT64_MIN, INT64_MAX, &e->sequence);
        if (r >= 0)
                r = get_int(c, INT64_MIN, INT64_MAX, &e->last_modified);
        if (r >= 0)
                r = get_int(c, 0, 1, &cancelled);
        if (r >= 0)
                r = get_str(c, &summary);
        if (r >= 0)
                r = get_str(c, &description);
        if (r >= 0)
                r = get_int(c, INT64_MIN, INT64_MAX, &e->alarm_before);
        if (r >= 0)
                r = get_str(c, &alarm_text);
        e->uid = uid;
        e->summary = summary;
        e->description = description;
        e->alarm_text = alarm_text;
        if (r < 0)
                return r;
        e->start = start;
        e->end = end;
        e->cancelled = cancelled;
        return 0;
}

/* --- the files of a LISTFILE_PARSE_EACH --- */

#define FILE_BYTES_MIN (8 + 4) /* the default category and the blob's length */

static int put_files(IcalBuf *b, const IcalFile *files, size_t n) {
        if (n > ITEM_COUNT_MAX)
                return -E2BIG;
        put_i64(b, (int64_t) n);
        for (size_t i = 0; i < n; i++) {
                const IcalFile *f = &files[i];
                if (!category_to_string(f->default_category) || (f->len > 0 && !f->buf))
                        return -EINVAL;
                if (f->len > LISTFILE_SIZE_MAX)
                        return -EFBIG;
                put_i64(b, f->default_category);
                put_blob(b, f->buf ? f->buf : "", f->len);
        }
        return 0;
}

static int get_file(Cursor *c, IcalFile *f) {
        int64_t category;
        int r = get_int(c, 0, _CATEGORY_MAX - 1, &category);
        if (r >= 0)
                r = get_blob(c, LISTFILE_SIZE_MAX, &f->buf, &f->len);
        if (r >= 0 && !f->buf)
                r = -EBADMSG;
        if (r < 0)
                return r;
        f->default_category = (Category) category;
        return 0;
}

/* i64 n, n x (i64 default category, blob file). */
static int decode_files(Cursor *c, IcalRequest *req) {
        IcalFile *files;
        int r = get_array(c, FILE_BYTES_MIN, ITEM_COUNT_MAX, sizeof(IcalFile), (void **) &files, &req->n_files);
        req->files = files;
        for (size_t i = 0; r >= 0 && i < req->n_files; i++)
                r = get_file(c, &files[i]);
        return r;
}

/* --- requests, from closerd to the helper --- */

static void put_head(IcalBuf *b, int64_t v) {
        put_str(b, ICALWIRE_ABI);
        put_i64(b, v);
}

int icalwire_encode_request(const IcalRequest *req, IcalBuf *out) {
        int r;
        put_head(out, req->op);
        switch (req->op) {
        case ICAL_OP_ICS_WRITE:
        case ICAL_OP_ICS_WRITE_EACH:
                put_i64(out, (int64_t) req->n_events);
                for (size_t i = 0; i < req->n_events; i++)
                        put_event(out, &req->events[i]);
                break;
        case ICAL_OP_LISTFILE_PARSE_EACH:
                r = put_files(out, req->files, req->n_files);
                if (r < 0)
                        return r;
                break;
        case ICAL_OP_LISTFILE_WRITE:
                put_i64(out, req->now);
                put_str(out, req->owner_name);
                put_str(out, req->owner_id);
                put_i64(out, (int64_t) req->n_items);
                for (size_t i = 0; i < req->n_items; i++)
                        put_item(out, &req->items[i]);
                break;
        case ICAL_OP_LISTFILE_PARSE:
                icalbuf_put(out, req->buf, req->len);
                break;
        default:
                return -EINVAL;
        }
        if (out->failed)
                return -ENOMEM;
        return out->len > ICALWIRE_INPUT_MAX ? -E2BIG : 0;
}

/* The ABI string at the start of a request or a response. */
static int get_abi(Cursor *c) {
        _cleanup_free_ char *abi = NULL;
        int r = get_str(c, &abi);
        if (r < 0)
                return r == -ENOMEM ? r : -EBADMSG;
        return abi && streq(abi, ICALWIRE_ABI) ? 0 : -EPROTO;
}

/* i64 n, n x event. */
static int decode_events(Cursor *c, IcalRequest *req) {
        IcsEvent *events;
        int r = get_array(c, EVENT_BYTES_MIN, SIZE_MAX, sizeof(IcsEvent), (void **) &events, &req->n_events);
        req->events = events;
        for (size_t i = 0; r >= 0 && i < req->n_events; i++)
                r = get_event(c, &events[i]);
        return r;
}

/* i64 now, str owner name, str owner id, i64 n, n x item. */
static int decode_items(Cursor *c, IcalRequest *req) {
        char *name = NULL, *id = NULL;
        Item *items;
        int64_t now;
        int r = get_int(c, INT64_MIN, INT64_MAX, &now);
        if (r < 0)
                return r;
        req->now = (time_t) now;
        r = get_str(c, &name);
        req->owner_name = name;
        if (r >= 0)
                r = get_str(c, &id);
        req->owner_id = id;
        if (r >= 0)
                r = get_count(c, ITEM_BYTES_MIN, &req->n_items);
        if (r < 0)
                return r;
        r = get_items(c, req->n_items, &items, &req->n_items);
        req->items = items;
        return r;
}

static int decode_request(Cursor *c, IcalRequest *req) {
        int64_t op;
        int r = get_abi(c);
        if (r >= 0)
                r = get_int(c, 1, _ICAL_OP_MAX - 1, &op);
        if (r < 0)
                return r;
        req->op = (IcalOp) op;
        switch (req->op) {
        case ICAL_OP_LISTFILE_PARSE:
                req->buf = c->p;
                req->len = c->left;
                return 0;
        case ICAL_OP_LISTFILE_WRITE:
                r = decode_items(c, req);
                break;
        case ICAL_OP_LISTFILE_PARSE_EACH:
                r = decode_files(c, req);
                break;
        default:
                r = decode_events(c, req);
                break;
        }
        if (r >= 0 && c->left > 0)
                r = -EBADMSG;
        return r;
}

int icalwire_decode_request(const char *buf, size_t len, IcalRequest *ret) {
        Cursor c = { buf, len };
        *ret = (IcalRequest) {};
        int r = decode_request(&c, ret);
        if (r < 0)
                icalwire_request_clear(ret);
        return r;
}

void icalwire_request_clear(IcalRequest *req) {
        /* Owned only as decoded: the events and items, and their strings
         * (the file of a LISTFILE_PARSE, and those of a LISTFILE_PARSE_EACH,
         * stay the caller's). */
        IcsEvent *events = (IcsEvent *) req->events;
        for (size_t i = 0; events && i < req->n_events; i++)
                event_clear(&events[i]);
        free(events);
        item_array_free((Item *) req->items, req->items ? req->n_items : 0);
        free((IcalFile *) req->files); /* their bytes are the caller's */
        free((char *) req->owner_name);
        free((char *) req->owner_id);
        *req = (IcalRequest) {};
}

/* --- responses, from the helper to closerd --- */

void icalwire_encode_response_head(int result, IcalBuf *out) {
        put_head(out, result);
}

int icalwire_decode_response(const char *buf, size_t len, int *ret_result, const char **ret_payload,
                             size_t *ret_payload_len) {
        Cursor c = { buf, len };
        int64_t result;
        int r = get_abi(&c);
        if (r >= 0)
                r = get_int(&c, -4095, 0, &result);
        if (r < 0)
                return r;
        *ret_result = (int) result;
        *ret_payload = c.p;
        *ret_payload_len = c.left;
        return 0;
}

/* --- the payloads of the *_EACH responses --- */

void icalwire_encode_count(size_t n, IcalBuf *out) {
        put_i64(out, (int64_t) n);
}

void icalwire_encode_text(const char *text, IcalBuf *out) {
        put_str(out, text);
}

int icalwire_encode_parsed(const IcalParsed *p, IcalBuf *out) {
        _cleanup_free_ char *enc = NULL;
        size_t len = 0;
        if (p->r < -4095 || p->r > 0)
                return -EINVAL;
        if (p->r == 0) {
                int r = icalwire_encode_listfile(&p->list, &enc, &len);
                if (r < 0)
                        return r;
        }
        put_i64(out, p->r);
        put_str(out, p->r < 0 ? p->err_text : NULL);
        put_blob(out, p->r == 0 ? enc : NULL, len);
        return out->failed ? -ENOMEM : 0;
}

int icalwire_decode_texts(const char *buf, size_t len, char ***ret, size_t *ret_n) {
        Cursor c = { buf, len };
        char **texts;
        size_t n = 0;
        *ret = NULL;
        *ret_n = 0;
        int r = get_array(&c, 4, SIZE_MAX, sizeof(char *), (void **) &texts, &n);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                r = get_str(&c, &texts[i]);
                if (r >= 0 && !texts[i])
                        r = -EBADMSG;
        }
        if (r >= 0 && c.left > 0)
                r = -EBADMSG;
        if (r < 0) {
                ics_texts_free(texts, n);
                return r;
        }
        *ret = texts;
        *ret_n = n;
        return 0;
}

void icalparsed_free_array(IcalParsed *parsed, size_t n) {
        for (size_t i = 0; parsed && i < n; i++) {
                free(parsed[i].err_text);
                listfile_clear(&parsed[i].list);
        }
        free(parsed);
}

static int get_parsed(Cursor *c, IcalParsed *p) {
        const char *enc;
        size_t len;
        int64_t result;
        int r = get_int(c, -4095, 0, &result);
        if (r >= 0)
                r = get_str(c, &p->err_text);
        if (r >= 0)
                r = get_blob(c, SIZE_MAX, &enc, &len);
        if (r < 0)
                return r;
        p->r = (int) result;
        /* A list with success only, a message with failure only. */
        if ((p->r == 0) != (enc != NULL) || (p->r == 0 && p->err_text))
                return -EBADMSG;
        return enc ? icalwire_decode_listfile(enc, len, &p->list) : 0;
}

#define PARSED_BYTES_MIN (8 + 4 + 4) /* the result and two lengths */

int icalwire_decode_parsed(const char *buf, size_t len, IcalParsed **ret, size_t *ret_n) {
        Cursor c = { buf, len };
        IcalParsed *parsed;
        size_t n = 0;
        *ret = NULL;
        *ret_n = 0;
        int r = get_array(&c, PARSED_BYTES_MIN, SIZE_MAX, sizeof(IcalParsed), (void **) &parsed, &n);
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = get_parsed(&c, &parsed[i]);
        if (r >= 0 && c.left > 0)
                r = -EBADMSG;
        if (r < 0) {
                icalparsed_free_array(parsed, n);
                return r;
        }
        *ret = parsed;
        *ret_n = n;
        return 0;
}

/* --- fingerprints --- */

static uint64_t fnv_i64(uint64_t h, int64_t v) {
        return fnv1a64(h, &v, sizeof(v));
}

static uint64_t fnv_str(uint64_t h, const char *s) {
        /* NULL and "" differ: a string hashes with its NUL, NULL as one 0xff. */
        return s ? fnv1a64(h, s, strlen(s) + 1) : fnv1a64(h, "\xff", 1);
}

uint64_t icalwire_fingerprint(const IcsEvent *events, size_t n, time_t now) {
        uint64_t h = FNV1A64_INIT;
        h = fnv_i64(h, (int64_t) n);
        /* now is not read: ics_write() stamps each event with its own
         * last_modified, which is hashed below. */
        for (size_t i = 0; i < n; i++) {
                const IcsEvent *e = &events[i];
                h = fnv_str(h, e->uid);
                h = fnv_i64(h, e->start);
                h = fnv_i64(h, e->end);
                h = fnv_i64(h, e->sequence);
                h = fnv_i64(h, e->last_modified);
                h = fnv_i64(h, e->cancelled);
                h = fnv_str(h, e->summary);
                h = fnv_str(h, e->description);
                h = fnv_i64(h, e->alarm_before);
                h = fnv_str(h, e->alarm_text);
        }
        return h;
}

/* Here, linked into closerd and the helper alike: closerd frees the lists
 * it decodes without listfile.c. */
void listfile_clear(ListFile *f) {
        if (!f)
                return;
        item_array_free(f->items, f->n_items);
        free(f->owner_name);
        free(f->owner_id);
        *f = (ListFile) {};
}
