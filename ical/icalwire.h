/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * icalwire.h: what closerd and its iCalendar helper, closerd-ical, say to
 * each other over the helper's stdin and stdout. No libical here: closerd
 * links this file, the helper links it with ics.c and listfile.c.
 *
 * One request a run. closerd writes the whole request to the helper's
 * stdin and closes it; the helper reads to end of file, does the work,
 * writes the whole response to its stdout and exits 0:
 *
 *   request:  str ABI, i64 op, then by op
 *             ICAL_OP_ICS_WRITE            i64 n, n x event
 *             ICAL_OP_LISTFILE_WRITE       i64 now, str owner name, str owner id, i64 n, n x item
 *             ICAL_OP_LISTFILE_PARSE       the file's bytes, to the end
 *             ICAL_OP_ICS_WRITE_EACH       i64 n, n x event
 *             ICAL_OP_LISTFILE_PARSE_EACH  i64 n, n x (i64 default category, blob file)
 *   response: str ABI, i64 result (0 or -errno), then
 *             result < 0                   an error message, to the end (may be empty)
 *             ICAL_OP_*_WRITE              the text, to the end
 *             ICAL_OP_LISTFILE_PARSE       the list (icalwire_encode_listfile())
 *             ICAL_OP_ICS_WRITE_EACH       i64 n, n x str text (icalwire_encode_texts())
 *             ICAL_OP_LISTFILE_PARSE_EACH  i64 n, n x (i64 result, str message or NULL,
 *                                          blob list or NULL) (icalwire_encode_parsed())
 *
 * i64: 8 bytes, host order (both ends are the same build on the same
 * machine); str: a u32 length (UINT32_MAX for NULL), then that many bytes,
 * no NUL among them; blob: the same, NUL bytes allowed. Every length and
 * count is checked against the bytes left, every enum against its range: a
 * decoder never reads out of bounds and never allocates more than its input
 * could describe.
 *
 * The *_EACH ops are for a vdir, a folder of one small file per item or
 * event (vdirsyncer, a CalDAV task list): ICS_WRITE_EACH renders each event
 * alone (ics_write_each(); an invalid event fails the whole request),
 * LISTFILE_PARSE_EACH parses each file on its own (listfile_parse_with()
 * with its default category; one bad file fails only itself: its result
 * and message, no list). At most ITEM_COUNT_MAX files of at most
 * LISTFILE_SIZE_MAX bytes each, and ICALWIRE_INPUT_MAX bytes in all.
 *
 * The ABI string starts both: a helper answers a request of another ABI
 * with its own ABI and -EPROTO, and closerd refuses a response of another
 * ABI (-ENOPKG: a stale helper, reinstall closer).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ics.h"
#include "listfile.h"

#define ICALWIRE_HELPER "closerd-ical"
#define ICALWIRE_ABI "closer-ical/4 " VERSION
#define ICALWIRE_INPUT_MAX (64u << 20)   /* bytes of a request (10,000 items of 4,000 characters) */
#define ICALWIRE_OUTPUT_MAX (256u << 20) /* bytes of a response */

typedef enum IcalOp {
        ICAL_OP_ICS_WRITE = 1,      /* ics_write() */
        ICAL_OP_LISTFILE_WRITE = 2, /* listfile_write() */
        ICAL_OP_LISTFILE_PARSE = 3, /* listfile_parse() */
        ICAL_OP_ICS_WRITE_EACH = 4,      /* ics_write_each() */
        ICAL_OP_LISTFILE_PARSE_EACH = 5, /* listfile_parse_with() of each file */
        _ICAL_OP_MAX,
} IcalOp;

/* One file of a LISTFILE_PARSE_EACH (never owned: a decoded one points into
 * the request's bytes). */
typedef struct IcalFile {
        Category default_category; /* ListParseOptions.default_category */
        const char *buf;
        size_t len;                /* at most LISTFILE_SIZE_MAX */
} IcalFile;

/* One file's outcome in a LISTFILE_PARSE_EACH response: r 0 and its list, or
 * r < 0 (listfile_parse_with()'s error), the parser's message (or NULL) and
 * an empty list. */
typedef struct IcalParsed {
        int r;
        char *err_text;
        ListFile list;
} IcalParsed;

void icalparsed_free_array(IcalParsed *parsed, size_t n);

/* One piece of work, as its caller describes it (nothing owned), or as the
 * helper decoded it (everything owned: icalwire_request_clear()). */
typedef struct IcalRequest {
        IcalOp op;
        time_t now;           /* LISTFILE_WRITE: the DTSTAMP */
        const IcsEvent *events; /* ICS_WRITE, ICS_WRITE_EACH */
        size_t n_events;
        const Item *items;    /* LISTFILE_WRITE */
        size_t n_items;
        const char *owner_name, *owner_id;
        const char *buf;      /* LISTFILE_PARSE: the file */
        size_t len;
        const IcalFile *files; /* LISTFILE_PARSE_EACH (decoded: the array owned, the bytes not) */
        size_t n_files;
} IcalRequest;

/* A growable buffer; failed: out of memory or too large, the rest dropped. */
typedef struct IcalBuf {
        char *data;
        size_t len, size;
        bool failed;
} IcalBuf;

void icalbuf_put(IcalBuf *b, const void *p, size_t n);
void icalbuf_clear(IcalBuf *b);

/* -EINVAL: an op or a file's default category out of range; -E2BIG: more
 * than ICALWIRE_INPUT_MAX bytes, or more than ITEM_COUNT_MAX files; -EFBIG:
 * a file larger than LISTFILE_SIZE_MAX; -ENOMEM. */
int icalwire_encode_request(const IcalRequest *req, IcalBuf *out);
/* -EPROTO: another ABI; -EBADMSG: does not decode. */
int icalwire_decode_request(const char *buf, size_t len, IcalRequest *ret);
void icalwire_request_clear(IcalRequest *req);

/* The response's head: the ABI and the result; the payload follows it. */
void icalwire_encode_response_head(int result, IcalBuf *out);
/* -EPROTO: another ABI (*ret_abi: what it said, or NULL); -EBADMSG: no head.
 * On success *ret_payload points into buf. */
int icalwire_decode_response(const char *buf, size_t len, int *ret_result, const char **ret_payload,
                             size_t *ret_payload_len);

/* A parsed list (exported for the tests and the fuzzer). */
int icalwire_encode_listfile(const ListFile *f, char **ret, size_t *ret_len);
int icalwire_decode_listfile(const char *buf, size_t len, ListFile *ret);

/* The payloads of the *_EACH responses. The helper writes the count, then
 * each element as it is done (a failed write shows in out->failed); the
 * decoders take all or nothing (-EBADMSG, -ENOMEM: *ret NULL, *ret_n 0). */
void icalwire_encode_count(size_t n, IcalBuf *out);
void icalwire_encode_text(const char *text, IcalBuf *out);
int icalwire_encode_parsed(const IcalParsed *p, IcalBuf *out);
/* n texts, none NULL (free with ics_texts_free()). */
int icalwire_decode_texts(const char *buf, size_t len, char ***ret, size_t *ret_n);
/* n outcomes, each either r 0 with a list and no message or r < 0 with no
 * list (free with icalparsed_free_array()). */
int icalwire_decode_parsed(const char *buf, size_t len, IcalParsed **ret, size_t *ret_n);

/* A 64-bit FNV-1a hash of everything ics_write() reads: equal fingerprints,
 * equal text. now is ignored (ics_write() no longer takes one: each DTSTAMP
 * is the event's last_modified); it stays for the callers, pass 0. */
uint64_t icalwire_fingerprint(const IcsEvent *events, size_t n, time_t now);
