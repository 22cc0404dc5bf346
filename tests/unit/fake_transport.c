/* SPDX-License-Identifier: MIT */
/*
 * fake_transport.c - the deterministic network of fake_transport.h: a
 * virtual clock, zone sets as servers, a fate per query decided at send
 * time, and checks of the transport contract (mc_transport.h) as it goes.
 *
 * Ownership: queries are kept in one growable array for the fake's life
 * (the tests read them); names in it are malloc'd; the fake and all of it
 * are freed by the free op.
 */
#include "fake_transport.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mc_dns_id.h"
#include "mc_array.h"
#include "mc_util.h"

/* The question name of WIRE in presentation form, lowercased, without the
 * trailing dot ("." for the root).  Test names have plain labels only. */
static char *question_name(const unsigned char *wire, size_t len, uint16_t *type)
{
    struct mc_dns_question q;
    assert_true(mc_dns_question_read(wire, len, &q));
    *type = q.qtype;
    char *name = mc_xmalloc(q.name_len + 1);
    size_t n = 0;
    for (size_t i = q.name_off; wire[i] != 0; i += 1 + wire[i]) {
        if (n > 0)
            name[n++] = '.';
        memcpy(name + n, wire + i + 1, wire[i]);
        n += wire[i];
    }
    if (n == 0)
        name[n++] = '.';
    name[n] = '\0';
    return mc_ascii_lower(name);
}

static struct fake_rule fate_of(const struct fake_transport *f, const char *name)
{
    for (size_t i = 0; i < f->nrules; i++)
        if (mc_name_equal(f->rules[i].name, name))
            return f->rules[i];
    return (struct fake_rule){.fate = FAKE_ANSWER, .after_ms = f->latency_ms};
}

static void fake_send(struct mc_transport *base, unsigned char *wire, size_t len,
                      mc_transport_cb cb, void *arg)
{
    struct fake_transport *f = (struct fake_transport *)base;
    assert_false(f->in_send);
    f->in_send = true;
    MC_ARRAY_RESERVE(f->queries, f->cap, f->nqueries + 1);
    struct fake_query *q = &f->queries[f->nqueries];
    *q = (struct fake_query){.sent_ms = f->now, .cb = cb, .arg = arg};
    /* As a real transport does: the ID is written in here, and the
     * reply carries it back (the index + 1 makes it unique). */
    mc_dns_id_set(wire, len, (uint16_t)(f->nqueries + 1));
    q->name = question_name(wire, len, &q->type);
    q->fate = fate_of(f, q->name);
    q->due_ms = f->now + q->fate.after_ms;
    f->nqueries++;
    if (++f->outstanding > f->max_outstanding)
        f->max_outstanding = f->outstanding;
    f->in_send = false;
}

/* Calls query I back with RESULT: exactly once, never from inside send()
 * (the resolver's pump() would be re-entered), never nested. */
static void call_back(struct fake_transport *f, size_t i, enum fake_query_state state,
                      const struct mc_transport_result *result)
{
    struct fake_query *q = &f->queries[i];
    assert_int_equal(q->state, FAKE_PENDING);
    assert_false(f->in_send);
    assert_false(f->in_callback);
    q->state = state;
    f->outstanding--;
    mc_transport_cb cb = q->cb;
    void *arg = q->arg;
    f->in_callback = true;
    cb(arg, result); /* Q may move: the callback cannot send, but be safe */
    f->in_callback = false;
}

static void complete(struct fake_transport *f, size_t i)
{
    struct fake_query *q = &f->queries[i];
    struct mc_transport_result r = {
        .tries = q->fate.tries, .case_mismatches = q->fate.case_mismatches, .why = q->fate.why};
    unsigned char *wire = NULL;
    size_t len = 0;
    switch (q->fate.fate) {
    case FAKE_ANSWER:
        r.status = MC_TRANSPORT_NETERR;
        r.why = "Connection refused (fake: no zone holds the name)";
        for (size_t s = 0; s < f->nnet; s++) {
            if (mc_zone_set_answer(f->net[s], q->name, q->type, (uint16_t)(i + 1), &wire, &len,
                                   NULL)) {
                r.status = MC_TRANSPORT_REPLY;
                r.wire = wire;
                r.len = len;
                r.why = NULL;
                break;
            }
        }
        break;
    case FAKE_TIMEOUT: r.status = MC_TRANSPORT_TIMEOUT; break;
    case FAKE_NETERR: r.status = MC_TRANSPORT_NETERR; break;
    case FAKE_MALFORMED: r.status = MC_TRANSPORT_MALFORMED; break;
    case FAKE_SILENT: fail_msg("a silent query completed"); break;
    }
    call_back(f, i, FAKE_DONE, &r);
    free(wire);
}

static void fake_wait(struct mc_transport *base, int64_t max_ms)
{
    struct fake_transport *f = (struct fake_transport *)base;
    assert_false(f->in_callback);
    f->waits++;
    if (max_ms < 0)
        max_ms = 0;
    int64_t horizon = max_ms > INT64_MAX - f->now ? INT64_MAX : f->now + max_ms;
    int64_t due = INT64_MAX;
    for (size_t i = 0; i < f->nqueries; i++) {
        const struct fake_query *q = &f->queries[i];
        if (q->state == FAKE_PENDING && q->fate.fate != FAKE_SILENT && q->due_ms < due)
            due = q->due_ms;
    }
    if (due > horizon) {
        f->now = horizon; /* poll() timed out */
    } else if (due > f->now) {
        f->now = due;
    }
    /* Replies for queries cancelled meanwhile reach nobody, as c-ares
     * drops a reply whose ID no query holds any more. */
    for (size_t i = 0; i < f->nqueries; i++) {
        struct fake_query *q = &f->queries[i];
        if (q->state == FAKE_CANCELLED && !q->late_seen && q->fate.fate != FAKE_SILENT &&
            q->due_ms <= f->now) {
            q->late_seen = true;
            f->late_dropped++;
        }
    }
    /* By index: a callback may (in principle) send and move the array. */
    for (size_t i = 0; i < f->nqueries; i++) {
        const struct fake_query *q = &f->queries[i];
        if (q->state == FAKE_PENDING && q->fate.fate != FAKE_SILENT && q->due_ms <= f->now)
            complete(f, i);
    }
}

static void fake_cancel_all(struct mc_transport *base)
{
    struct fake_transport *f = (struct fake_transport *)base;
    f->cancels++;
    struct mc_transport_result r = {.status = MC_TRANSPORT_CANCELLED};
    for (size_t i = 0; i < f->nqueries; i++)
        if (f->queries[i].state == FAKE_PENDING)
            call_back(f, i, FAKE_CANCELLED, &r);
    assert_int_equal(f->outstanding, 0);
}

static int fake_udp_rcvbuf(const struct mc_transport *base)
{
    const struct fake_transport *f = (const struct fake_transport *)base;
    return f->nqueries > 0 ? f->rcvbuf : 0;
}

static size_t fake_servers(const struct mc_transport *base, const char *const **servers)
{
    const struct fake_transport *f = (const struct fake_transport *)base;
    *servers = f->servers;
    return f->nservers;
}

static unsigned long fake_replies_ignored(const struct mc_transport *base)
{
    return ((const struct fake_transport *)base)->replies_ignored;
}

static int64_t fake_now_ms(const struct mc_transport *base)
{
    return ((const struct fake_transport *)base)->now;
}

static void fake_free(struct mc_transport *base)
{
    struct fake_transport *f = (struct fake_transport *)base;
    for (size_t i = 0; i < f->nqueries; i++)
        free(f->queries[i].name);
    free(f->queries);
    free(f);
}

static const struct mc_transport_ops fake_ops = {
    .send = fake_send,
    .wait = fake_wait,
    .cancel_all = fake_cancel_all,
    .udp_rcvbuf = fake_udp_rcvbuf,
    .servers = fake_servers,
    .replies_ignored = fake_replies_ignored,
    .now_ms = fake_now_ms,
    .free = fake_free,
};

struct fake_transport *fake_transport_new(int64_t start_ms)
{
    struct fake_transport *f = mc_xcalloc(1, sizeof *f);
    f->base.ops = &fake_ops;
    f->now = start_ms;
    f->latency_ms = 10;
    f->servers[0] = "192.0.2.53:53";
    f->nservers = 1;
    return f;
}

void fake_transport_serve(struct fake_transport *f, const struct mc_zone_set *set)
{
    assert_true(f->nnet < FAKE_MAX_NET);
    f->net[f->nnet++] = set;
}

void fake_transport_rule(struct fake_transport *f, struct fake_rule rule)
{
    assert_true(f->nrules < FAKE_MAX_RULES);
    f->rules[f->nrules++] = rule;
}

size_t fake_transport_sent(const struct fake_transport *f, const char *name)
{
    size_t n = 0;
    for (size_t i = 0; i < f->nqueries; i++)
        n += mc_name_equal(f->queries[i].name, name);
    return n;
}
