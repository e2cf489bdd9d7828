/* SPDX-License-Identifier: MIT */

/*
 * fuzz-icalproc.c: libFuzzer target for icalwire_decode_listfile()
 * (daemon/icalproc.h), the decoder of what closerd's iCalendar child sends
 * back. Whatever the bytes, it must not crash, leak or allocate beyond what
 * the input could describe; what it accepts must encode back to the very
 * same bytes.
 */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "icalwire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        ListFile f = {};
        char *enc = NULL;
        size_t len = 0;
        int r = icalwire_decode_listfile((const char *) data, size, &f);
        if (r < 0) {
                if (r != -EBADMSG && r != -ENOMEM)
                        abort();
                if (f.items || f.n_items || f.owner_name)
                        abort();
                return 0;
        }
        if (icalwire_encode_listfile(&f, &enc, &len) < 0)
                abort();
        if (len != size || memcmp(enc, data, size) != 0)
                abort();
        free(enc);
        listfile_clear(&f);
        return 0;
}
