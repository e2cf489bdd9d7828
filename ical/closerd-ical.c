/* SPDX-License-Identifier: MIT */
/*
 * closerd-ical: closerd's iCalendar helper, the only program that links
 * libical. closerd runs it for each piece of work (see daemon/icaljob.h):
 * it reads one request on stdin to end of file, does the work with ics.c
 * or listfile.c, writes the response on stdout and exits (icalwire.h).
 * Exit status 0 whenever a response was written, whatever its result;
 * messages for the journal go to stderr, never an item's text.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "icalwire.h"
#include "io.h"
#include "macro.h"

/* stdin to end of file, at most ICALWIRE_INPUT_MAX bytes. */
static int read_input(IcalBuf *in) {
        char chunk[65536];
        for (;;) {
                ssize_t k = read(STDIN_FILENO, chunk, sizeof(chunk));
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                if (k == 0)
                        return 0;
                if (in->len + (size_t) k > ICALWIRE_INPUT_MAX)
                        return -EFBIG;
                icalbuf_put(in, chunk, (size_t) k);
                if (in->failed)
                        return -ENOMEM;
        }
}

/* Each event alone: all rendered, or the first error. */
static int write_each(const IcalRequest *req, IcalBuf *out) {
        char **texts = NULL;
        int r = ics_write_each(req->events, req->n_events, &texts);
        if (r < 0)
                return r;
        icalwire_encode_count(req->n_events, out);
        for (size_t i = 0; i < req->n_events; i++)
                icalwire_encode_text(texts[i], out);
        ics_texts_free(texts, req->n_events);
        return 0;
}

/* Each file on its own: one that does not parse fails only itself. */
static int parse_each(const IcalRequest *req, IcalBuf *out) {
        icalwire_encode_count(req->n_files, out);
        for (size_t i = 0; i < req->n_files; i++) {
                const IcalFile *file = &req->files[i];
                IcalParsed p = {};
                p.r = listfile_parse_with(file->buf, file->len,
                                          &(ListParseOptions) { .default_category = file->default_category },
                                          &p.list, &p.err_text);
                /* -ENOMEM is the machine's trouble, not the file's: it fails all. */
                int r = p.r == -ENOMEM ? p.r : icalwire_encode_parsed(&p, out);
                free(p.err_text);
                listfile_clear(&p.list);
                if (r < 0) {
                        out->len = 0; /* a failure's payload is a message, none here */
                        return r;
                }
        }
        return 0;
}

/* The work: the result, and the payload into out. */
static int work(const IcalRequest *req, IcalBuf *out) {
        _cleanup_free_ char *text = NULL, *err = NULL, *enc = NULL;
        _cleanup_(listfile_clear) ListFile f = {};
        size_t len = 0;
        int r;

        switch (req->op) {
        case ICAL_OP_ICS_WRITE:
                r = ics_write(req->events, req->n_events, &text);
                break;
        case ICAL_OP_LISTFILE_WRITE:
                r = listfile_write(req->items, req->n_items, req->owner_name, req->owner_id, req->now, &text);
                break;
        case ICAL_OP_LISTFILE_PARSE:
                r = listfile_parse(req->buf, req->len, &f, &err);
                if (r < 0) {
                        text = TAKE_PTR(err);
                        break;
                }
                r = icalwire_encode_listfile(&f, &enc, &len);
                if (r >= 0)
                        icalbuf_put(out, enc, len);
                return r;
        case ICAL_OP_ICS_WRITE_EACH:
                return write_each(req, out);
        case ICAL_OP_LISTFILE_PARSE_EACH:
                return parse_each(req, out);
        default:
                return -EINVAL;
        }
        if (text)
                icalbuf_put(out, text, strlen(text));
        return r;
}

int main(int argc, char *argv[]) {
        IcalBuf in = {}, payload = {}, out = {};
        IcalRequest req = {};

        if (argc > 1) {
                fprintf(stderr, "closerd-ical %s: closerd's iCalendar helper, run by closerd; "
                                "it reads a request on stdin (not for use by hand)\n", VERSION);
                return argc == 2 && (streq(argv[1], "--version") || streq(argv[1], "--help")) ? 0 : 2;
        }
        int r = read_input(&in);
        if (r < 0)
                fprintf(stderr, "closerd-ical: cannot read the request: %s\n", strerror(-r));
        else {
                r = icalwire_decode_request(in.data ? in.data : "", in.len, &req);
                if (r == -EPROTO)
                        fprintf(stderr, "closerd-ical: the request is of another closerd than %s\n", ICALWIRE_ABI);
                else if (r < 0)
                        fprintf(stderr, "closerd-ical: the request does not decode: %s\n", strerror(-r));
                else
                        r = work(&req, &payload);
        }
        if (payload.failed) {
                r = -ENOMEM;
                payload.len = 0;
        }
        icalwire_encode_response_head(MIN(r, 0), &out);
        icalbuf_put(&out, payload.data, payload.len);
        int w = out.failed ? -ENOMEM : write_all(STDOUT_FILENO, out.data, out.len);
        if (w < 0)
                fprintf(stderr, "closerd-ical: cannot write the response: %s\n", strerror(-w));
        icalwire_request_clear(&req);
        icalbuf_clear(&in);
        icalbuf_clear(&payload);
        icalbuf_clear(&out);
        return w < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
