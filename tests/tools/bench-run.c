/* SPDX-License-Identifier: MIT */
/*
 * bench-run: times whole processes for the benchmark (bench/run.sh).
 *
 *   bench-run [-n N] [-w W] [-e FILE] [-a NAME] -- [VAR=VALUE...] CMD [ARG...] [:: [VAR=VALUE...] CMD
 * [ARG...]]...
 *
 * Runs each command N times (after W untimed warm-up runs each), the
 * commands interleaved (A B C A B C ...), so drift of the machine hits all of
 * them alike. Each run is posix_spawn() to waitpid() on CLOCK_MONOTONIC, with
 * stdin and stdout on /dev/null (stderr kept, so failures show). Leading
 * VAR=VALUE words set the environment of that command only. A run that exits
 * non-zero stops the benchmark.
 *
 * -e FILE: the commands' stderr goes to FILE (appended) instead.
 *
 * -a NAME: the command is a daemon; time it from spawn until NAME is acquired
 * on the bus of the command's DBUS_SESSION_BUS_ADDRESS (the NameOwnerChanged
 * signal), then stop it with SIGTERM (untimed) and wait until the name is
 * released again.
 *
 * Prints one line per command, in order: "MEDIAN P90 MIN MAX" in
 * microseconds.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

typedef struct Cmd {
        char **argv;
        char **envp;
        const char *bus_address;
        sd_bus *bus;
        double *samples;
} Cmd;

static const char *arg_name, *arg_log;

static int ignore(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return 0;
}

static double now_us(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *)a, y = *(const double *)b;
        return x < y ? -1 : x > y;
}

static double quantile(const double *sorted, int n, double q) {
        double pos = q * (n - 1);
        int i = (int)pos;
        if (i + 1 >= n)
                return sorted[n - 1];
        return sorted[i] + (pos - i) * (sorted[i + 1] - sorted[i]);
}

/* The environment of a command: ours, with its VAR=VALUE words on top. */
static char **make_env(char **assign, int n) {
        int m = 0;
        while (environ[m])
                m++;
        char **envp = calloc((size_t)(m + n + 1), sizeof(char *));
        if (!envp)
                exit(1);
        int k = 0;
        for (int i = 0; i < m; i++) {
                bool overridden = false;
                size_t len = strcspn(environ[i], "=");
                for (int j = 0; j < n; j++)
                        if (strncmp(assign[j], environ[i], len + 1) == 0)
                                overridden = true;
                if (!overridden)
                        envp[k++] = environ[i];
        }
        for (int j = 0; j < n; j++)
                envp[k++] = assign[j];
        return envp;
}

static const char *env_get(char **envp, const char *name) {
        size_t len = strlen(name);
        for (; *envp; envp++)
                if (strncmp(*envp, name, len) == 0 && (*envp)[len] == '=')
                        return *envp + len + 1;
        return NULL;
}

static int spawn(Cmd *c, pid_t *pid) {
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
        if (arg_log)
                posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, arg_log, O_WRONLY | O_CREAT | O_APPEND,
                                                 0600);
        int r = posix_spawnp(pid, c->argv[0], &fa, NULL, c->argv, c->envp);
        posix_spawn_file_actions_destroy(&fa);
        if (r != 0) {
                fprintf(stderr, "bench-run: cannot run %s: %s\n", c->argv[0], strerror(r));
                return -r;
        }
        return 0;
}

static int reap(Cmd *c, pid_t pid, bool allow_signal) {
        int status;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return 0;
        if (allow_signal && WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM)
                return 0;
        fprintf(stderr, "bench-run: %s failed (status 0x%x)\n", c->argv[0], (unsigned)status);
        return -EIO;
}

/* Waits for NameOwnerChanged of arg_name: acquired (want_owner) or released. */
static int wait_owner(Cmd *c, bool want_owner) {
        for (;;) {
                sd_bus_message *m = NULL;
                int r = sd_bus_process(c->bus, &m);
                if (r < 0)
                        return r;
                if (m) {
                        const char *name, *old, *new_owner;
                        if (sd_bus_message_is_signal(m, "org.freedesktop.DBus", "NameOwnerChanged") &&
                            sd_bus_message_read(m, "sss", &name, &old, &new_owner) >= 0 &&
                            strcmp(name, arg_name) == 0 && (new_owner[0] != 0) == want_owner) {
                                sd_bus_message_unref(m);
                                return 0;
                        }
                        sd_bus_message_unref(m);
                        continue;
                }
                if (r > 0)
                        continue;
                r = sd_bus_wait(c->bus, 10 * 1000 * 1000);
                if (r < 0)
                        return r;
                if (r == 0) {
                        fprintf(stderr, "bench-run: %s did not %s %s within 10 s\n", c->argv[0],
                                want_owner ? "acquire" : "release", arg_name);
                        return -ETIMEDOUT;
                }
        }
}

static int bus_setup(Cmd *c) {
        int r = sd_bus_new(&c->bus);
        if (r >= 0)
                r = sd_bus_set_address(c->bus, c->bus_address);
        if (r >= 0)
                r = sd_bus_set_bus_client(c->bus, true);
        if (r >= 0)
                r = sd_bus_start(c->bus);
        if (r < 0) {
                fprintf(stderr, "bench-run: cannot connect to %s: %s\n", c->bus_address, strerror(-r));
                return r;
        }
        char match[512];
        (void)snprintf(match, sizeof(match),
                       "type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',"
                       "member='NameOwnerChanged',arg0='%s'",
                       arg_name);
        r = sd_bus_add_match(c->bus, NULL, match, ignore, NULL);
        if (r < 0)
                fprintf(stderr, "bench-run: AddMatch: %s\n", strerror(-r));
        return r;
}

static int run_once(Cmd *c, double *us) {
        pid_t pid;
        double t0 = now_us();
        int r = spawn(c, &pid);
        if (r < 0)
                return r;
        if (!arg_name) {
                r = reap(c, pid, false);
                *us = now_us() - t0;
                return r;
        }
        r = wait_owner(c, true);
        *us = now_us() - t0;
        (void)kill(pid, SIGTERM);
        int q = reap(c, pid, true);
        if (r >= 0)
                r = q;
        if (r >= 0)
                r = wait_owner(c, false);
        return r;
}

int main(int argc, char *argv[]) {
        int n = 200, warmup = 3, opt;
        while ((opt = getopt(argc, argv, "+n:w:a:e:")) >= 0)
                switch (opt) {
                case 'n': n = atoi(optarg); break;
                case 'w': warmup = atoi(optarg); break;
                case 'a': arg_name = optarg; break;
                case 'e': arg_log = optarg; break;
                default: return 2;
                }
        if (n < 1 || warmup < 0 || optind >= argc) {
                fprintf(stderr,
                        "usage: bench-run [-n N] [-w W] [-e FILE] [-a NAME] -- [VAR=VALUE...] CMD [ARG...] "
                        "[:: CMD...]...\n");
                return 2;
        }

        Cmd cmds[32];
        int ncmd = 0;
        for (int i = optind; i < argc && ncmd < 32;) {
                int start = i, nassign = 0;
                while (i < argc && strchr(argv[i], '=') && argv[i][0] != '/' && argv[i][0] != '=')
                        i++, nassign++;
                int cmd_start = i;
                while (i < argc && strcmp(argv[i], "::") != 0)
                        i++;
                if (cmd_start == i) {
                        fprintf(stderr, "bench-run: an empty command\n");
                        return 2;
                }
                Cmd *c = &cmds[ncmd++];
                *c = (Cmd){ .argv = argv + cmd_start,
                            .envp = make_env(argv + start, nassign),
                            .samples = calloc((size_t)n, sizeof(double)) };
                if (!c->samples)
                        return 1;
                if (i < argc)
                        argv[i++] = NULL; /* the "::" ends this argv */
                if (arg_name) {
                        c->bus_address = env_get(c->envp, "DBUS_SESSION_BUS_ADDRESS");
                        if (!c->bus_address) {
                                fprintf(stderr, "bench-run: -a needs DBUS_SESSION_BUS_ADDRESS\n");
                                return 2;
                        }
                        if (bus_setup(c) < 0)
                                return 1;
                }
        }

        double us;
        for (int k = 0; k < warmup; k++)
                for (int j = 0; j < ncmd; j++)
                        if (run_once(&cmds[j], &us) < 0)
                                return 1;
        for (int k = 0; k < n; k++)
                for (int j = 0; j < ncmd; j++)
                        if (run_once(&cmds[j], &cmds[j].samples[k]) < 0)
                                return 1;

        for (int j = 0; j < ncmd; j++) {
                double *s = cmds[j].samples;
                qsort(s, (size_t)n, sizeof(double), cmp_double);
                printf("%.1f %.1f %.1f %.1f\n", quantile(s, n, 0.5), quantile(s, n, 0.9), s[0], s[n - 1]);
                sd_bus_flush_close_unref(cmds[j].bus);
                free(cmds[j].samples);
                free(cmds[j].envp);
        }
        return 0;
}
