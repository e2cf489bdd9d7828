/* SPDX-License-Identifier: MIT */
/*
 * icaljob.c: closerd's iCalendar helper runs, on the event loop (see
 * icaljob.h): fork + execve of closerd-ical, its request fed into a
 * non-blocking pipe, its response read from another, a SIGCHLD source for
 * its exit and a timer for the time limit.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "icaljob.h"
#include "log.h"
#include "macro.h"

#ifndef CLOSER_PKGLIBDIR
#define CLOSER_PKGLIBDIR "/usr/local/lib/closer"
#endif

/* Bytes moved per wake-up at most: the loop gets back to the bus between
 * chunks even when the helper keeps up. */
#define CHUNK_MAX (1u << 20)

typedef struct IcalJob {
        Manager *m;
        struct IcalJob *next, **prevp; /* in m->ical_jobs */
        IcalOp op;
        size_t n_asked; /* *_EACH: the events or files sent, as many outcomes due */
        pid_t pid; /* until it is reaped */
        sd_event_source *in_source, *out_source, *timer_source;
        int in_fd, out_fd;
        IcalBuf input, output;
        size_t input_done;
        bool exited, eof;
        siginfo_t status;
        int error; /* decided before the end: a timeout, too much output */
        uint64_t started;
        IcalJobDone done;
        void *userdata;
} IcalJob;

/* --- where the helper is --- */

static const char *helper_override;

void icaljob_set_helper(const char *path) {
        helper_override = path;
}

static int try_path(char **ret, const char *dir, const char *sub) {
        if (asprintf(ret, "%s%s/%s", dir, sub, ICALWIRE_HELPER) < 0)
                return -ENOMEM;
        if (access(*ret, X_OK) >= 0)
                return 1;
        free(*ret);
        *ret = NULL;
        return 0;
}

/* Next to the executable (the build tree), in ../lib/closer from it (an
 * installed closerd, whatever the prefix), then where make install puts it. */
static int helper_path(char **ret) {
        char exe[PATH_MAX];
        int r = 0;
        if (helper_override) {
                if (access(helper_override, X_OK) < 0)
                        return log_error_errno(ENOPKG, "%s is missing: no iCalendar file can be read or "
                                                       "written", helper_override);
                *ret = strdup(helper_override);
                return *ret ? 0 : -ENOMEM;
        }
        ssize_t k = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        if (k > 0) {
                exe[k] = 0;
                char *slash = strrchr(exe, '/');
                if (slash) {
                        *slash = 0;
                        r = try_path(ret, exe, "");
                        if (r == 0)
                                r = try_path(ret, exe, "/../lib/closer");
                }
        }
        if (r == 0)
                r = try_path(ret, CLOSER_PKGLIBDIR, "");
        if (r != 0)
                return r < 0 ? r : 0;
        log_error("%s is missing (looked next to closerd, in ../lib/closer from it and in %s): "
                  "no iCalendar file can be read or written",
                  ICALWIRE_HELPER, CLOSER_PKGLIBDIR);
        return -ENOPKG;
}

/* --- the helper's side of fork(): only async-signal-safe calls --- */

/* The kernel's struct sigaction (asm-generic layout): glibc's sigaction()
 * refuses the two real-time signals it keeps for itself (32, 33), which an
 * ignoring parent of closerd may have left ignored, and exec keeps that. */
struct kernel_sigaction {
        void (*handler)(int);
        unsigned long flags;
        void (*restorer)(void);
        uint64_t mask;
};

static void signal_default(int sig) {
        static const struct sigaction dfl = { .sa_handler = SIG_DFL };
        static const struct kernel_sigaction kdfl = { .handler = SIG_DFL };
        if (sigaction(sig, &dfl, NULL) < 0)
                (void) syscall(SYS_rt_sigaction, sig, &kdfl, NULL, sizeof(kdfl.mask));
}

_Noreturn static void child_exec(const char *path, pid_t parent, int in_fd, int out_fd) {
        char *argv[] = { (char *) ICALWIRE_HELPER, NULL };
        sigset_t none;

        /* Dies with closerd; a closerd that died before the prctl() is seen
         * by its new parent. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
                _exit(EXIT_FAILURE);
        for (int sig = 1; sig < _NSIG; sig++)
                if (sig != SIGKILL && sig != SIGSTOP)
                        signal_default(sig);
        sigemptyset(&none);
        if (sigprocmask(SIG_SETMASK, &none, NULL) < 0)
                _exit(EXIT_FAILURE);
        /* Above 2 first, so that neither dup2() closes the other pipe. */
        in_fd = fcntl(in_fd, F_DUPFD, 3);
        out_fd = fcntl(out_fd, F_DUPFD, 3);
        if (in_fd < 0 || out_fd < 0 || dup2(in_fd, STDIN_FILENO) < 0 || dup2(out_fd, STDOUT_FILENO) < 0)
                _exit(EXIT_FAILURE);
        /* stderr stays closerd's (the journal); nothing else. */
        if (close_range(3, UINT_MAX, 0) < 0)
                for (int fd = 3; fd < 65536; fd++)
                        (void) close(fd);
        execve(path, argv, environ);
        _exit(127);
}

/* --- the job --- */

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

static void close_input(IcalJob *j) {
        j->in_source = sd_event_source_disable_unref(j->in_source);
        if (j->in_fd >= 0)
                (void) close(j->in_fd);
        j->in_fd = -1;
        icalbuf_clear(&j->input);
}

static void close_output(IcalJob *j) {
        j->out_source = sd_event_source_disable_unref(j->out_source);
        if (j->out_fd >= 0)
                (void) close(j->out_fd);
        j->out_fd = -1;
}

/* Unlinks and frees j; a helper still running is killed and reaped (at
 * once: SIGKILL cannot be caught). */
static void job_free(IcalJob *j) {
        if (j->prevp) {
                *j->prevp = j->next;
                if (j->next)
                        j->next->prevp = j->prevp;
        }
        close_input(j);
        close_output(j);
        sd_event_source_disable_unref(j->timer_source);
        if (j->pid > 0 && !j->exited) {
                (void) kill(j->pid, SIGKILL);
                (void) waitpid(j->pid, NULL, 0);
        }
        icalbuf_clear(&j->output);
        free(j);
}

void icaljob_result_clear(IcalResult *res) {
        free(res->text);
        free(res->err_text);
        listfile_clear(&res->list);
        ics_texts_free(res->texts, res->n_texts);
        icalparsed_free_array(res->parsed, res->n_parsed);
        *res = (IcalResult) {};
}

/* A successful response's payload, by op. */
static int decode_payload(const IcalJob *j, const char *payload, size_t len, IcalResult *res) {
        int r;
        switch (j->op) {
        case ICAL_OP_LISTFILE_PARSE:
                return icalwire_decode_listfile(payload, len, &res->list);
        case ICAL_OP_ICS_WRITE_EACH:
                r = icalwire_decode_texts(payload, len, &res->texts, &res->n_texts);
                return r >= 0 && res->n_texts != j->n_asked ? -EBADMSG : r;
        case ICAL_OP_LISTFILE_PARSE_EACH:
                r = icalwire_decode_parsed(payload, len, &res->parsed, &res->n_parsed);
                return r >= 0 && res->n_parsed != j->n_asked ? -EBADMSG : r;
        default:
                res->text = strndup(payload, len);
                return res->text ? 0 : -ENOMEM;
        }
}

/* The helper's exit and response as the result of the work. */
static int job_result(IcalJob *j, IcalResult *res) {
        const siginfo_t *si = &j->status;
        const char *payload;
        size_t len;
        int result = 0, r;

        if (j->error)
                return j->error;
        if (si->si_code == CLD_EXITED && si->si_status == 127 && j->output.len == 0) {
                log_error("The iCalendar helper %d could not be run: reinstall closer", (int) j->pid);
                return -ENOPKG;
        }
        if (si->si_code != CLD_EXITED || si->si_status != 0) {
                if (si->si_code == CLD_KILLED || si->si_code == CLD_DUMPED)
                        log_error("The iCalendar helper %d was killed by signal %d", (int) j->pid, si->si_status);
                else
                        log_error("The iCalendar helper %d failed (exit status %d)", (int) j->pid, si->si_status);
                return -ECHILD;
        }
        r = icalwire_decode_response(j->output.data ? j->output.data : "", j->output.len, &result, &payload, &len);
        if (r == -EPROTO) {
                log_error("The iCalendar helper %d is not the helper of this closerd (%s): reinstall closer",
                          (int) j->pid, ICALWIRE_ABI);
                return -ENOPKG;
        }
        bool is_text = result < 0 || j->op == ICAL_OP_ICS_WRITE || j->op == ICAL_OP_LISTFILE_WRITE;
        if (r >= 0 && is_text && memchr(payload, 0, len))
                r = -EBADMSG; /* a text with a NUL */
        if (r >= 0 && result < 0) {
                /* The work's own error; a parser's message names places, never text. */
                if (j->op == ICAL_OP_LISTFILE_PARSE && len > 0 && !(res->err_text = strndup(payload, len)))
                        return -ENOMEM;
                return result;
        }
        if (r >= 0)
                r = decode_payload(j, payload, len, res);
        if (r == -EBADMSG) {
                icaljob_result_clear(res); /* what decoded of a wrong count */
                log_error("The iCalendar helper %d sent a response that does not decode", (int) j->pid);
                return -ECHILD;
        }
        return r;
}

static double ms_since(uint64_t t) {
        return (double) (now_usec() - t) / 1000;
}

static void job_finish(IcalJob *j) {
        IcalResult res = {};
        uint64_t t = now_usec();
        int r = job_result(j, &res);
        /* What the event loop spends of its own on the result, for the
         * benchmark's stall row: decoding it, then the caller's work. */
        log_debug("iCalendar helper %d: op %d %s after %.1f ms, decoded in %.1f ms", (int) j->pid, (int) j->op,
                  r < 0 ? strerror(-r) : "done", (double) (t - j->started) / 1000, ms_since(t));
        IcalJobDone done = j->done;
        void *userdata = j->userdata;
        Manager *m = j->m;
        pid_t pid = j->pid;
        job_free(j);
        t = now_usec();
        done(m, r, &res, userdata);
        log_debug("iCalendar helper %d: its caller's work took %.1f ms", (int) pid, ms_since(t));
        icaljob_result_clear(&res);
        manager_check_settled(m);
}

/* All in: the exit seen, and the output read to its end (or given up). */
static void job_maybe_finish(IcalJob *j) {
        if (j->exited && (j->eof || j->error))
                job_finish(j);
}

/* write() without SIGPIPE: a helper that closed its stdin is an EPIPE. */
static ssize_t write_nosigpipe(int fd, const void *p, size_t n) {
        sigset_t pipe_set, old;
        sigemptyset(&pipe_set);
        sigaddset(&pipe_set, SIGPIPE);
        if (sigprocmask(SIG_BLOCK, &pipe_set, &old) < 0)
                return -1;
        ssize_t k = write(fd, p, n);
        int e = errno;
        if (k < 0 && e == EPIPE && !sigismember(&old, SIGPIPE))
                (void) sigtimedwait(&pipe_set, NULL, &(struct timespec) {});
        (void) sigprocmask(SIG_SETMASK, &old, NULL);
        errno = e;
        return k;
}

static int on_input(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        IcalJob *j = userdata;
        for (size_t moved = 0; j->input_done < j->input.len; ) {
                if (moved >= CHUNK_MAX)
                        return 0; /* more on the next wake-up */
                ssize_t k = write_nosigpipe(fd, j->input.data + j->input_done,
                                            MIN(j->input.len - j->input_done, (size_t) CHUNK_MAX));
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0 && errno == EAGAIN)
                        return 0;
                if (k < 0) {
                        /* EPIPE: the helper stopped reading; its exit and
                         * output tell why. */
                        if (errno != EPIPE)
                                log_debug_errno(errno, "Cannot write to the iCalendar helper %d: %m", (int) j->pid);
                        break;
                }
                j->input_done += (size_t) k;
                moved += (size_t) k;
        }
        close_input(j); /* the helper sees its end of file */
        return 0;
}

static int on_output(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        IcalJob *j = userdata;
        char chunk[65536];
        for (size_t moved = 0; moved < CHUNK_MAX;) {
                ssize_t k = read(fd, chunk, sizeof(chunk));
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0 && errno == EAGAIN)
                        return 0;
                if (k <= 0) {
                        if (k < 0)
                                log_debug_errno(errno, "Cannot read from the iCalendar helper %d: %m", (int) j->pid);
                        j->eof = true;
                        close_output(j);
                        job_maybe_finish(j);
                        return 0;
                }
                if (j->output.len + (size_t) k > ICALWIRE_OUTPUT_MAX) {
                        log_error("The iCalendar helper %d sent more than %u MiB: killed", (int) j->pid,
                                  ICALWIRE_OUTPUT_MAX >> 20);
                        j->error = -ECHILD;
                } else {
                        icalbuf_put(&j->output, chunk, (size_t) k);
                        if (j->output.failed)
                                j->error = -ENOMEM;
                }
                if (j->error) {
                        (void) kill(j->pid, SIGKILL);
                        close_output(j);
                        job_maybe_finish(j);
                        return 0;
                }
                moved += (size_t) k;
        }
        return 0;
}

/* SIGCHLD: reaps whichever helpers exited (signals of a kind coalesce).
 * Not sd-event's child sources: they use pidfd_open(), which valgrind
 * 3.19 does not know (make valgrind fails on its warning). */
static int on_sigchld(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        Manager *m = userdata;
        for (IcalJob *j = m->ical_jobs, *next; j; j = next) {
                next = j->next; /* j may be freed; done() only adds jobs at the head */
                siginfo_t info = {};
                if (j->exited || waitid(P_PID, j->pid, &info, WEXITED | WNOHANG) < 0 || info.si_pid == 0)
                        continue;
                j->status = info;
                j->exited = true;
                close_input(j);
                job_maybe_finish(j);
        }
        return 0;
}

static int on_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        IcalJob *j = userdata;
        log_error("The iCalendar helper %d took more than %d s: killed", (int) j->pid, ICALJOB_TIMEOUT_MS / 1000);
        j->error = -ETIMEDOUT;
        (void) kill(j->pid, SIGKILL);
        close_input(j);
        close_output(j);
        /* Done once its exit is seen: nothing is left behind. */
        job_maybe_finish(j);
        return 0;
}

static int set_nonblock(int fd) {
        int flags = fcntl(fd, F_GETFL);
        if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
                return -errno;
        /* Fewer wake-ups for a large request or response (a hint). */
        (void) fcntl(fd, F_SETPIPE_SZ, (int) CHUNK_MAX);
        return 0;
}

static int job_spawn(IcalJob *j, const char *path) {
        int in[2] = { -1, -1 }, out[2] = { -1, -1 }, r;
        if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0) {
                r = -errno;
                goto fail;
        }
        j->in_fd = in[1];
        j->out_fd = out[0];
        in[1] = out[0] = -1;
        r = set_nonblock(j->in_fd);
        if (r < 0)
                goto fail;
        r = set_nonblock(j->out_fd);
        if (r < 0)
                goto fail;
        pid_t parent = getpid();
        (void) fflush(stdout);
        (void) fflush(stderr);
        j->pid = fork();
        if (j->pid < 0) {
                r = -errno;
                goto fail;
        }
        if (j->pid == 0)
                child_exec(path, parent, in[0], out[1]);
        r = 0;
fail:
        for (int i = 0; i < 2; i++) {
                if (in[i] >= 0)
                        (void) close(in[i]);
                if (out[i] >= 0)
                        (void) close(out[i]);
        }
        return r;
}

static int job_watch(IcalJob *j) {
        Manager *m = j->m;
        sd_event *e = m->event;
        int r;
        if (!m->ical_sigchld) {
                /* -EBUSY: SIGCHLD is not blocked. */
                r = sd_event_add_signal(e, &m->ical_sigchld, SIGCHLD, on_sigchld, m);
                if (r < 0)
                        return log_error_errno(r, "Cannot watch the iCalendar helpers: %m");
        }
        r = sd_event_add_io(e, &j->in_source, j->in_fd, EPOLLOUT, on_input, j);
        if (r < 0)
                return r;
        r = sd_event_add_io(e, &j->out_source, j->out_fd, EPOLLIN, on_output, j);
        if (r < 0)
                return r;
        return sd_event_add_time_relative(e, &j->timer_source, CLOCK_MONOTONIC,
                                          (uint64_t) ICALJOB_TIMEOUT_MS * 1000, 10 * 1000, on_timeout, j);
}

int icaljob_start(Manager *m, const IcalRequest *req, IcalJobDone done, void *userdata) {
        _cleanup_free_ char *path = NULL;
        int r = helper_path(&path);
        if (r < 0)
                return r;
        IcalJob *j = calloc(1, sizeof(*j));
        if (!j)
                return -ENOMEM;
        *j = (IcalJob) { .m = m, .op = req->op, .in_fd = -1, .out_fd = -1, .done = done, .userdata = userdata,
                         .started = now_usec(),
                         .n_asked = req->op == ICAL_OP_LISTFILE_PARSE_EACH ? req->n_files : req->n_events };
        r = icalwire_encode_request(req, &j->input);
        if (r >= 0)
                r = job_spawn(j, path);
        if (r >= 0)
                r = job_watch(j);
        /* One way out for the three: j and whatever it holds go. */
        if (r < 0) {
                job_free(j);
                return r;
        }
        j->next = m->ical_jobs;
        if (j->next)
                j->next->prevp = &j->next;
        j->prevp = &m->ical_jobs;
        m->ical_jobs = j;
        log_debug("iCalendar helper %d started: op %d, %zu bytes in, in %.1f ms", (int) j->pid, (int) j->op,
                  j->input.len, ms_since(j->started));
        return 0;
}

void icaljob_cancel_all(Manager *m) {
        while (m->ical_jobs) {
                IcalJob *j = m->ical_jobs;
                IcalJobDone done = j->done;
                void *userdata = j->userdata;
                log_debug("iCalendar helper %d cancelled", (int) j->pid);
                job_free(j);
                done(m, -ECANCELED, &(IcalResult) {}, userdata);
        }
        m->ical_sigchld = sd_event_source_disable_unref(m->ical_sigchld);
}

static int on_loop_exit(sd_event_source *s, void *userdata) {
        icaljob_cancel_all(userdata);
        return 0;
}

int icaljob_setup(Manager *m) {
        _cleanup_(sd_event_source_unrefp) sd_event_source *s = NULL;
        int r = sd_event_add_exit(m->event, &s, on_loop_exit, m);
        if (r < 0)
                return r;
        r = sd_event_source_set_priority(s, SD_EVENT_PRIORITY_IMPORTANT);
        if (r < 0)
                return r;
        return sd_event_source_set_floating(s, true);
}

unsigned icaljob_running(const Manager *m) {
        unsigned n = 0;
        for (const IcalJob *j = m->ical_jobs; j; j = j->next)
                n++;
        return n;
}
