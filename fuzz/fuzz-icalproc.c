/* SPDX-License-Identifier: MIT */

/*
 * fuzz-icalproc.c: libFuzzer target for the decoders of what closerd and its
 * iCalendar helper say to each other (ical/icalwire.h). The same bytes go to
 * each of them: as a parsed list (icalwire_decode_listfile()), as the
 * payloads of the *_EACH responses (icalwire_decode_texts(),
 * icalwire_decode_parsed()), and, after this build's ABI string, as a
 * request (icalwire_decode_request(), every op). Whatever the bytes, none
 * may crash, leak or allocate beyond what the input could describe; what one
 * accepts must encode back to the very same bytes, and what it refuses
 * leaves nothing behind.
 */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "icalwire.h"

static void check_refusal(int r) {
        if (r != -EBADMSG && r != -ENOMEM)
                abort();
}

static void check_same(const IcalBuf *b, const void *data, size_t size) {
        if (b->failed || b->len != size || memcmp(b->data, data, size) != 0)
                abort();
}

static void fuzz_listfile(const uint8_t *data, size_t size) {
        ListFile f = {};
        char *enc = NULL;
        size_t len = 0;
        int r = icalwire_decode_listfile((const char *) data, size, &f);
        if (r < 0) {
                check_refusal(r);
                if (f.items || f.n_items || f.owner_name)
                        abort();
                return;
        }
        if (icalwire_encode_listfile(&f, &enc, &len) < 0)
                abort();
        if (len != size || memcmp(enc, data, size) != 0)
                abort();
        free(enc);
        listfile_clear(&f);
}

static void fuzz_texts(const uint8_t *data, size_t size) {
        IcalBuf b = {};
        char **texts;
        size_t n;
        int r = icalwire_decode_texts((const char *) data, size, &texts, &n);
        if (r < 0) {
                check_refusal(r);
                if (texts || n)
                        abort();
                return;
        }
        icalwire_encode_count(n, &b);
        for (size_t i = 0; i < n; i++)
                icalwire_encode_text(texts[i], &b);
        check_same(&b, data, size);
        icalbuf_clear(&b);
        ics_texts_free(texts, n);
}

static void fuzz_parsed(const uint8_t *data, size_t size) {
        IcalBuf b = {};
        IcalParsed *parsed;
        size_t n;
        int r = icalwire_decode_parsed((const char *) data, size, &parsed, &n);
        if (r < 0) {
                check_refusal(r);
                if (parsed || n)
                        abort();
                return;
        }
        icalwire_encode_count(n, &b);
        for (size_t i = 0; i < n; i++)
                if (icalwire_encode_parsed(&parsed[i], &b) < 0)
                        abort();
        check_same(&b, data, size);
        icalbuf_clear(&b);
        icalparsed_free_array(parsed, n);
}

/* The input after a request's ABI string. */
static void fuzz_request(const uint8_t *data, size_t size) {
        IcalBuf in = {}, out = {};
        IcalRequest req;
        uint32_t abi_len = (uint32_t) strlen(ICALWIRE_ABI);
        icalbuf_put(&in, &abi_len, sizeof(abi_len));
        icalbuf_put(&in, ICALWIRE_ABI, abi_len);
        icalbuf_put(&in, data, size);
        if (in.failed)
                abort();
        int r = icalwire_decode_request(in.data, in.len, &req);
        if (r < 0) {
                check_refusal(r);
                if (req.events || req.items || req.files || req.owner_name || req.owner_id)
                        abort();
        } else {
                if (icalwire_encode_request(&req, &out) < 0)
                        abort();
                check_same(&out, in.data, in.len);
        }
        icalwire_request_clear(&req);
        icalbuf_clear(&in);
        icalbuf_clear(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        fuzz_listfile(data, size);
        fuzz_texts(data, size);
        fuzz_parsed(data, size);
        fuzz_request(data, size);
        return 0;
}
