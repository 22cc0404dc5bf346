/* SPDX-License-Identifier: MIT */
/*
 * udpdelay.c - a UDP DNS proxy that holds every packet DELAY ms in each
 * direction, for the batch benchmark (bench/run.sh): this kernel has no
 * netem, and bench/delayproxy.py (asyncio, one upstream socket per query)
 * tops out far below the query rates a batch run reaches.
 *
 *   udpdelay LISTEN_ADDR:PORT UPSTREAM_ADDR:PORT DELAY_MS [STATS_FILE]
 *
 * IPv4 only.  Since the delay is constant, each direction is a FIFO: a
 * packet leaves DELAY ms after it arrived, in arrival order.  One upstream
 * socket: query IDs are rewritten to a free 16-bit slot and restored on the
 * way back, so any number of clients can share it.  Both sockets get large
 * buffers so that the proxy itself never drops a burst.  On SIGTERM/SIGINT
 * it writes "queries=N replies=M dropped=D" to STATS_FILE (or stderr) and
 * exits; SIGUSR1 writes the same without exiting.  UDP only: the benchmark
 * world has no answer that needs TCP.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RING 65536
#define MAXPKT 4096
#define SLOT_TTL_US 10000000LL /* a slot whose reply never came is reused after 10 s */

struct pkt {
    int64_t due_us;
    struct sockaddr_in addr; /* client (on the way back: the destination) */
    uint16_t len;
    unsigned char data[MAXPKT];
};

struct ring {
    struct pkt *p;
    size_t head, count;
};

struct slot {
    int64_t used_us; /* 0: free */
    struct sockaddr_in client;
    uint16_t id;
};

static volatile sig_atomic_t stop_flag, dump_flag;
static unsigned long long n_queries, n_replies, n_dropped;
static const char *stats_file;

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void on_signal(int sig)
{
    if (sig == SIGUSR1)
        dump_flag = 1;
    else
        stop_flag = 1;
}

static int parse_addr(const char *s, struct sockaddr_in *sa)
{
    char host[64];
    const char *colon = strrchr(s, ':');
    if (!colon || (size_t)(colon - s) >= sizeof host)
        return -1;
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = '\0';
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (end == colon + 1 || *end || port < 1 || port > 65535)
        return -1;
    sa->sin_port = htons((uint16_t)port);
    return inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : -1;
}

static void big_buffers(int fd)
{
    int size = 16 << 20;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size) != 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
}

static struct pkt *ring_push(struct ring *r)
{
    if (r->count == RING)
        return NULL; /* full: the packet waits in the kernel's buffer */
    return &r->p[(r->head + r->count++) % RING];
}

static void dump(void)
{
    FILE *f = stats_file ? fopen(stats_file, "w") : stderr;
    if (!f)
        return;
    fprintf(f, "queries=%llu replies=%llu dropped=%llu\n", n_queries, n_replies, n_dropped);
    if (f != stderr)
        fclose(f);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: udpdelay LISTEN:PORT UPSTREAM:PORT DELAY_MS [STATS_FILE]\n");
        return 2;
    }
    struct sockaddr_in listen_sa, up_sa;
    if (parse_addr(argv[1], &listen_sa) || parse_addr(argv[2], &up_sa)) {
        fprintf(stderr, "udpdelay: bad address (IPv4 ADDR:PORT)\n");
        return 2;
    }
    int64_t delay = (int64_t)(atof(argv[3]) * 1000.0);
    stats_file = argc > 4 ? argv[4] : NULL;
    int lfd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    int ufd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    big_buffers(lfd);
    big_buffers(ufd);
    if (bind(lfd, (struct sockaddr *)&listen_sa, sizeof listen_sa) != 0 ||
        connect(ufd, (struct sockaddr *)&up_sa, sizeof up_sa) != 0) {
        perror("udpdelay: bind/connect");
        return 1;
    }
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);

    struct ring up = {.p = calloc(RING, sizeof(struct pkt))};   /* client -> server */
    struct ring down = {.p = calloc(RING, sizeof(struct pkt))}; /* server -> client */
    struct slot *slots = calloc(65536, sizeof *slots);
    if (!up.p || !down.p || !slots) {
        fprintf(stderr, "udpdelay: out of memory\n");
        return 1;
    }
    uint16_t next_id = 1;
    fprintf(stderr, "udpdelay: %s -> %s, %g ms each way\n", argv[1], argv[2], delay / 1000.0);

    while (!stop_flag) {
        if (dump_flag) {
            dump_flag = 0;
            dump();
        }
        int64_t now = now_us();
        /* send what is due */
        while (up.count && up.p[up.head].due_us <= now) {
            struct pkt *p = &up.p[up.head];
            up.head = (up.head + 1) % RING;
            up.count--;
            /* a free slot for the query id */
            int tries = 0;
            while (slots[next_id].used_us && now - slots[next_id].used_us < SLOT_TTL_US &&
                   tries < 65536) {
                next_id++;
                tries++;
            }
            if (tries == 65536) {
                n_dropped++;
                continue;
            }
            struct slot *s = &slots[next_id];
            s->used_us = now;
            s->client = p->addr;
            s->id = (uint16_t)(p->data[0] << 8 | p->data[1]);
            p->data[0] = (unsigned char)(next_id >> 8);
            p->data[1] = (unsigned char)next_id;
            next_id++;
            if (send(ufd, p->data, p->len, 0) < 0)
                n_dropped++;
        }
        while (down.count && down.p[down.head].due_us <= now) {
            struct pkt *p = &down.p[down.head];
            down.head = (down.head + 1) % RING;
            down.count--;
            if (sendto(lfd, p->data, p->len, 0, (struct sockaddr *)&p->addr, sizeof p->addr) < 0)
                n_dropped++;
        }
        /* wait for packets or the next due time */
        int64_t next = -1;
        if (up.count)
            next = up.p[up.head].due_us;
        if (down.count && (next < 0 || down.p[down.head].due_us < next))
            next = down.p[down.head].due_us;
        struct timespec ts, *tsp = NULL;
        if (next >= 0) {
            int64_t wait = next - now_us();
            if (wait < 0)
                wait = 0;
            ts.tv_sec = wait / 1000000;
            ts.tv_nsec = (wait % 1000000) * 1000;
            tsp = &ts;
        }
        struct pollfd pfd[2] = {{.fd = lfd, .events = POLLIN}, {.fd = ufd, .events = POLLIN}};
        int n = ppoll(pfd, 2, tsp, NULL);
        if (n < 0 && errno != EINTR) {
            perror("udpdelay: poll");
            return 1;
        }
        now = now_us();
        for (;;) { /* queries from clients */
            struct pkt *p = ring_push(&up);
            if (!p)
                break;
            socklen_t alen = sizeof p->addr;
            ssize_t len = recvfrom(lfd, p->data, MAXPKT, 0, (struct sockaddr *)&p->addr, &alen);
            if (len < 12) {
                up.count--; /* nothing (or a runt): give the entry back */
                if (len < 0)
                    break;
                continue;
            }
            p->len = (uint16_t)len;
            p->due_us = now + delay;
            n_queries++;
        }
        for (;;) { /* replies from the server */
            struct pkt *p = ring_push(&down);
            if (!p)
                break;
            ssize_t len = recv(ufd, p->data, MAXPKT, 0);
            if (len < 12) {
                down.count--;
                if (len < 0)
                    break;
                continue;
            }
            uint16_t id = (uint16_t)(p->data[0] << 8 | p->data[1]);
            struct slot *s = &slots[id];
            if (!s->used_us) {
                down.count--; /* late duplicate */
                continue;
            }
            p->data[0] = (unsigned char)(s->id >> 8);
            p->data[1] = (unsigned char)s->id;
            p->addr = s->client;
            p->len = (uint16_t)len;
            p->due_us = now + delay;
            s->used_us = 0;
            n_replies++;
        }
    }
    dump();
    return 0;
}
