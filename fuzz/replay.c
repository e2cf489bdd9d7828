/* SPDX-License-Identifier: MIT */
/*
 * Runs a fuzz target over saved inputs without libFuzzer, so that CI can
 * replay the corpus with any compiler: each file named on the command line,
 * and every regular file below each directory named, in sorted order.
 * A crash aborts; an unreadable path is an error.
 */

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int replay_file(const char *path, size_t *count) {
        FILE *f;
        uint8_t *data = NULL;
        size_t size = 0, allocated = 0;
        int r = 0;

        f = fopen(path, "re");
        if (!f)
                return -errno;

        for (;;) {
                size_t n;

                if (size == allocated) {
                        size_t want = allocated ? allocated * 2 : 4096;
                        uint8_t *p = realloc(data, want);

                        if (!p) {
                                r = -ENOMEM;
                                goto finish;
                        }
                        data = p;
                        allocated = want;
                }
                n = fread(data + size, 1, allocated - size, f);
                size += n;
                if (n == 0) {
                        if (ferror(f))
                                r = -EIO;
                        break;
                }
        }

        (void) LLVMFuzzerTestOneInput(data, size);
        (*count)++;

finish:
        free(data);
        fclose(f);
        return r;
}

static int skip_dots(const struct dirent *de) {
        return strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
}

static int replay_path(const char *path, size_t *count, int depth);

static int replay_dir(const char *path, size_t *count, int depth) {
        struct dirent **names = NULL;
        int n, r = 0;

        n = scandir(path, &names, skip_dots, alphasort);
        if (n < 0)
                return -errno;

        for (int i = 0; i < n; i++) {
                char *child = NULL;

                if (r >= 0) {
                        size_t len = strlen(path) + 1 + strlen(names[i]->d_name) + 1;

                        child = malloc(len);
                        if (!child)
                                r = -ENOMEM;
                        else {
                                snprintf(child, len, "%s/%s", path, names[i]->d_name);
                                r = replay_path(child, count, depth + 1);
                        }
                }
                free(child);
                free(names[i]);
        }
        free(names);
        return r;
}

static int replay_path(const char *path, size_t *count, int depth) {
        struct stat st;

        /* Below the named paths, symlinks are not followed: no loops. */
        if ((depth == 0 ? stat(path, &st) : lstat(path, &st)) < 0)
                return -errno;

        if (S_ISDIR(st.st_mode))
                return replay_dir(path, count, depth);
        if (S_ISREG(st.st_mode))
                return replay_file(path, count);
        if (depth == 0)
                return -EINVAL;
        return 0;
}

int main(int argc, char *argv[]) {
        size_t count = 0;

        for (int i = 1; i < argc; i++) {
                int r = replay_path(argv[i], &count, 0);

                if (r < 0) {
                        fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(-r));
                        return EXIT_FAILURE;
                }
        }

        printf("replayed %zu inputs\n", count);
        return EXIT_SUCCESS;
}
