/* What the shim's files share (shim.c: set-up; shim_monitor.c: the
 * container's streams and requests; shim_exec.c: the processes exec'd
 * into it); not part of its API. */
#ifndef BERTH_ENGINE_SHIM_INTERNAL_H
#define BERTH_ENGINE_SHIM_INTERNAL_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "runtime/engine/log.h"
#include "runtime/engine/shim.h"

#define SHIM_MAX_CLIENTS 64
#define SHIM_MAX_EXECS 256
#define SHIM_DRAIN_MS 2000
/* The monitor's buffers are small: a page touched once stays for the
 * container's life (the output's read buffer is on the stack; the
 * input's in struct shim). */
#define SHIM_OUT_BUF 4096
#define SHIM_IN_BUF 4096

struct shim_client {
	int fd;
	bool in, out, err;
	bool in_open;
};

/* A process exec'd into the container, and the client connection that
 * talks to it (none when detached, or once the client went away). */
struct shim_exec {
	char id[65];
	pid_t pid;
	int conn;
	bool tty, in, out, err;
	bool conn_open;    /* the client may still send */
	int out_fd[2];     /* stdout, stderr; with a terminal [0] is the master */
	int in_fd;         /* the process's stdin, -1 when closed or none */
	int master;        /* the terminal's master side, or -1 */
	char *pending;     /* input on its way to in_fd */
	size_t pending_cap, pending_len, pending_off;
	bool exited;
	int status;
	int64_t drain_until;
	char *exit_path;
	char *process;     /* its process.json, until it runs */
	size_t size;       /* of the mapping that holds it all */
};

/* What a poll slot stands for. */
enum shim_slot_kind {
	SLOT_SIGNALS,
	SLOT_LISTEN,
	SLOT_OUTPUT,       /* which: 0 stdout, 1 stderr */
	SLOT_CLIENT,       /* idx: a client */
	SLOT_STDIN,        /* the container's stdin is writable again */
	SLOT_EXEC_CONN,    /* idx: an exec */
	SLOT_EXEC_OUTPUT,  /* idx, which */
	SLOT_EXEC_STDIN,   /* idx */
};

/* Two bytes, so that the start of both tables (and with them the whole
 * poll set of an idle shim) fits struct shim's first page. */
struct shim_slot {
	uint16_t kind : 4; /* enum shim_slot_kind */
	uint16_t which : 1;
	uint16_t idx : 11; /* < SHIM_MAX_EXECS, SHIM_MAX_CLIENTS */
};

/* At most: signals, requests, two outputs, stdin, the clients, and each
 * exec's connection, two outputs and stdin. */
#define SHIM_MAX_SLOTS (5 + SHIM_MAX_CLIENTS + 4 * SHIM_MAX_EXECS)

struct shim;
/* shim_log.c: past --log-max-size, the log file becomes FILE.1 (FILE.1
 * FILE.2 and so on, up to --log-max-files in all) and a new one starts. */
void shim_log_write(struct shim *s, enum daemon_log_stream stream, const char *buf,
		    size_t len);

/* The monitor maps it (shim_alloc) and never zeroes it whole: a page of
 * it costs memory only once written, so the fields that every shim
 * writes come first and the tables after them. */
struct shim {
	const struct shim_opts *o;
	int log_fd;
	int out_fd[2]; /* stdout, stderr (with a terminal: the master, -1) */
	int in_fd;     /* the container's stdin, -1 when closed or none */
	int tty_master;
	int listen_fd;
	int sig_fd;
	int exe_fd; /* berthd-shim's read-only view: the helpers run it */
	pid_t init;
	uint64_t init_start;
	bool exited;
	int status;
	bool close_in_when_flushed;
	size_t n_clients, n_execs;
	size_t pending_len, pending_off;
	size_t n_slots;
	/* The poll set, rebuilt on each turn of the loop. */
	struct shim_slot slots[SHIM_MAX_SLOTS];
	struct pollfd pfd[SHIM_MAX_SLOTS];
	struct shim_client clients[SHIM_MAX_CLIENTS];
	struct shim_exec *execs[SHIM_MAX_EXECS];
	char pending[SHIM_IN_BUF];
};

/* Zeroed memory of the kernel's, given back whole: what the monitor
 * needs for a while (a request, an exec) leaves nothing behind. */
void *shim_alloc(size_t size);
void shim_free(void *p, size_t size);

void shim_close_fd(int *fd);
bool shim_send_all(int fd, const void *data, size_t len);
/* docker's multiplexed stream: an 8-byte header (stream, 0, 0, 0,
 * big-endian length) before each payload. */
bool shim_send_frame(int fd, int stream, const void *data, size_t len);
int64_t shim_now_ms(void);
/* One message and the fd that came with it (-1: none); -errno. */
long shim_recv(int sock, void *data, size_t len, int *fd);
/* Execute the program open at fd with argv and our environment. */
int shim_execveat(int fd, char *const argv[]);
void shim_reply(int conn, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int shim_add_slot(struct shim *s, int fd, short events, enum shim_slot_kind kind, size_t idx,
		  int which);

/* shim_exec.c */
void shim_exec_request(struct shim *s, int conn, const char *msg, size_t len, int fd);
void shim_exec_resize(struct shim *s, int conn, const char *msg);
void shim_exec_poll(struct shim *s);                        /* add the slots */
void shim_exec_event(struct shim *s, const struct shim_slot *sl, short revents);
bool shim_exec_reaped(struct shim *s, pid_t pid, int status); /* one of ours? */
/* Finish the execs whose output is drained; returns the ms until the
 * next drain deadline (-1 none). */
int shim_exec_finish_done(struct shim *s);
/* The container is gone: wait for every exec and finish it. */
void shim_exec_finish_all(struct shim *s);

#endif
