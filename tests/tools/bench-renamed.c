/* SPDX-License-Identifier: MIT */
/*
 * bench-renamed: for the benchmark's calendar vdir row (issue 18): how long
 * from running a command until a file of a given name is renamed into a
 * folder, and which files were renamed into it meanwhile.
 *
 *   bench-renamed [-t TIMEOUT_S] [-l LINGER_S] DIR NAME -- CMD [ARG...]
 *
 * Watches DIR with inotify (IN_MOVED_TO) before it starts CMD (its output
 * to /dev/null), then waits for NAME to be renamed into DIR and for CMD to
 * exit; then, for LINGER_S more (default 0.3), counts what else is renamed
 * into DIR. Times are CLOCK_MONOTONIC from right before fork().
 *
 * Prints "RENAMED_US CMD_US RENAMES NAME...": the time to NAME's rename,
 * CMD's time to exit, how many renames into DIR there were in all (NAME's
 * included) and their names. Exits 1 when CMD fails or NAME is not renamed
 * within TIMEOUT_S (default 30).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_us(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

static void usage(void) {
        fprintf(stderr, "usage: bench-renamed [-t TIMEOUT_S] [-l LINGER_S] DIR NAME -- CMD [ARG...]\n");
        exit(2);
}

int main(int argc, char *argv[]) {
        double timeout_s = 30, linger_s = 0.3;
        int o;
        while ((o = getopt(argc, argv, "+t:l:")) != -1) {
                if (o == 't')
                        timeout_s = atof(optarg);
                else if (o == 'l')
                        linger_s = atof(optarg);
                else
                        usage();
        }
        if (argc - optind < 4 || strcmp(argv[optind + 2], "--") != 0)
                usage();
        const char *dir = argv[optind], *name = argv[optind + 1];
        char **cmd = argv + optind + 3;

        int ifd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
        if (ifd < 0 || inotify_add_watch(ifd, dir, IN_MOVED_TO) < 0) {
                fprintf(stderr, "bench-renamed: cannot watch %s: %s\n", dir, strerror(errno));
                return 1;
        }
        uint64_t t0 = now_us();
        pid_t pid = fork();
        if (pid < 0)
                return 1;
        if (pid == 0) {
                int null = open("/dev/null", O_WRONLY);
                if (null >= 0)
                        dup2(null, STDOUT_FILENO);
                execvp(cmd[0], cmd);
                _exit(127);
        }
        int pfd = (int) syscall(SYS_pidfd_open, pid, 0);
        if (pfd < 0) {
                fprintf(stderr, "bench-renamed: pidfd_open: %s\n", strerror(errno));
                return 1;
        }

        uint64_t t_renamed = 0, t_exit = 0, deadline = t0 + (uint64_t) (timeout_s * 1e6), linger_end = 0;
        int status = 0;
        size_t n_renames = 0, names_len = 0;
        char names[8192] = "";
        for (;;) {
                uint64_t t = now_us();
                if (t_renamed && t_exit) {
                        if (!linger_end)
                                linger_end = t + (uint64_t) (linger_s * 1e6);
                        if (t >= linger_end)
                                break;
                } else if (t >= deadline) {
                        fprintf(stderr, "bench-renamed: %s was not renamed into %s within %.0f s%s\n", name, dir,
                                timeout_s, t_exit ? "" : " (the command still runs)");
                        if (!t_exit)
                                kill(pid, SIGTERM);
                        return 1;
                }
                uint64_t until = linger_end ? linger_end : deadline;
                struct pollfd p[2] = { { .fd = ifd, .events = POLLIN }, { .fd = t_exit ? -1 : pfd, .events = POLLIN } };
                int ms = (int) ((until - t + 999) / 1000);
                if (poll(p, 2, ms) < 0 && errno != EINTR)
                        return 1;
                if (p[1].revents) {
                        t_exit = now_us();
                        if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                                fprintf(stderr, "bench-renamed: %s failed (status %d)\n", cmd[0], status);
                                return 1;
                        }
                }
                if (p[0].revents) {
                        uint64_t te = now_us();
                        char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
                        ssize_t n;
                        while ((n = read(ifd, buf, sizeof(buf))) > 0) {
                                for (char *q = buf; q < buf + n;) {
                                        struct inotify_event *e = (struct inotify_event *) q;
                                        q += sizeof(*e) + e->len;
                                        if (!(e->mask & IN_MOVED_TO) || e->len == 0)
                                                continue;
                                        n_renames++;
                                        if (!t_renamed && strcmp(e->name, name) == 0)
                                                t_renamed = te;
                                        size_t l = strlen(e->name);
                                        if (names_len + l + 2 < sizeof(names)) {
                                                names[names_len++] = ' ';
                                                memcpy(names + names_len, e->name, l + 1);
                                                names_len += l;
                                        }
                                }
                        }
                }
        }
        printf("%llu %llu %zu%s\n", (unsigned long long) (t_renamed - t0), (unsigned long long) (t_exit - t0),
               n_renames, names);
        return 0;
}
